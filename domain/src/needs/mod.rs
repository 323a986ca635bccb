//! Needs assessment (SPEC §2.2). Work in progress.
