//! Household register CSV import and export (SPEC §2.1). Work in progress.
