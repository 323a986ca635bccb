//! Participatory budgeting (SPEC §2.5). Work in progress.
