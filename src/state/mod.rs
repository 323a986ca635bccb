//! Context-provided application state.

pub mod route;
pub mod session;
pub mod storage;
pub mod sync;

pub use route::{provide_route, use_route, Route};
pub use session::{provide_session, use_session, ActingGuide, LockState, Session};
pub use storage::{provide_storage, use_storage, Storage, StorageStatus};
pub use sync::{provide_sync, use_sync, SyncService};
