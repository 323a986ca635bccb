//! Context-provided application state.

pub mod route;
pub mod storage;

pub use route::{provide_route, use_route, Route};
pub use storage::{provide_storage, use_storage, Storage, StorageStatus};
