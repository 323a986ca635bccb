//! Reusable views.

pub mod alloc_config;
pub mod alloc_resources;
pub mod alloc_results;
pub mod backup_error;
pub mod form_message;
pub mod labels;
pub mod matrix_editor;
pub mod needs_explain;
pub mod needs_tables;
pub mod register_io;
pub mod status;
pub mod summary;
