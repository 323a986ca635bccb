//! Reusable views.

pub mod backup_error;
pub mod labels;
pub mod register_io;
pub mod status;
pub mod summary;
