//! Reusable views.

pub mod backup_error;
pub mod db_error;
pub mod form_message;
pub mod history;
pub mod labels;
pub mod loaded;
pub mod matrix_editor;
pub mod money;
pub mod needs_explain;
pub mod status;
pub mod summary;
pub mod update;
pub mod vault_text;
pub mod write_guard;

pub use write_guard::{PlainImportWarning, SetupLink, WriteGuard};
