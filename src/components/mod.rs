//! Reusable views.

pub mod backup_error;
pub mod labels;
pub mod status;
pub mod summary;
