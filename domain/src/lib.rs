//! Linli's domain: the pure logic of guided community service management.
//!
//! This crate has no web, storage, clock or randomness of its own: times and
//! random seeds are passed in, so every result is reproducible and testable
//! natively. The web app (`src/`) and the CLI are thin shells over it.
//!
//! - [`model`]: the records (households, members, resources, requests, …).
//! - [`dataset`]: all records of a community, store names, integrity checks.
//! - [`backup`]: the versioned, hashed backup file.
//! - [`demo`]: the deterministic demo community (SPEC §2.11).
//! - [`date`]: civil-date arithmetic.
//! - [`pb`]: participatory budgeting (SPEC §2.5).

pub mod backup;
pub mod dataset;
pub mod date;
pub mod demo;
pub mod model;
pub mod pb;
