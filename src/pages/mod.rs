//! One routed view per file.

pub mod dashboard;
pub mod not_found;
pub mod settings;
pub mod workshop;
pub mod workspace;
