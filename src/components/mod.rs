//! Reusable views.

pub mod backup_error;
pub mod status;
pub mod summary;
