//! One routed view per file.

pub mod allocation;
pub mod dashboard;
pub mod history;
pub mod household;
pub mod lock;
pub mod needs;
pub mod not_found;
pub mod participation;
pub mod pb;
pub mod plans;
pub mod register;
pub mod requests;
pub mod settings;
pub mod workshop;
pub mod workspace;
