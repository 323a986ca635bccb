//! Linli's domain: the pure logic of guided community service management.
//!
//! This crate has no web, storage, clock or randomness of its own: times and
//! random seeds are passed in, so every result is reproducible and testable
//! natively. The web app (`src/`) and the CLI are thin shells over it.
//!
//! - [`alloc`]: resource pools, allocation, cost sharing and indicators (SPEC §2.3, §2.4).
//! - [`model`]: the records (households, members, resources, requests, …).
//! - [`dataset`]: all records of a community, store names, integrity checks.
//! - [`backup`]: the versioned, hashed backup file.
//! - [`csv_cell`]: spreadsheet formula escaping of CSV text cells (every CSV file).
//! - [`demo`]: the deterministic demo community (SPEC §2.11).
//! - [`household`]: household validation and change tracking (SPEC §2.1).
//! - [`date`]: civil-date arithmetic.
//! - [`order`]: stable sorting through one compiled sort (keeps the wasm small).
//! - [`needs`]: needs assessment matrix and Alkire–Foster mode (SPEC §2.2).
//! - [`participation`]: activities, points bank, time bank (SPEC §2.6).
//! - [`pb`]: participatory budgeting (SPEC §2.5).
//! - [`plans`]: plans from draft through notice, approval, execution and accounts to evaluation (SPEC §2.9).
//! - [`register_csv`]: household register CSV import/export (SPEC §2.1).
//! - [`replication`]: CouchDB replication client, revision trees, merge rules per store, device ids, sync files (issue #19).
//! - [`requests`]: resident requests, working-day calendar, tracking codes (SPEC §2.7).
//! - [`settings`]: typed reads of shared settings (need categories) with one fallback.
//! - [`vault`]: guides and roles, Argon2id key wrapping, record encryption and blind indexes (issue #16).
//! - [`suppress`]: small-cell suppression of published counts (SPEC §2.9).
//! - [`warnings`]: participation and complaint warnings, PDCA improvement items (SPEC §2.10).
//! - [`workshop`]: workshop mode's session, plan, dot voting and saving (SPEC §2.8).

pub mod alloc;
pub mod audit;
pub mod backup;
pub mod cockpit;
pub mod csv_cell;
pub mod data_url;
pub mod dataset;
pub mod date;
pub mod decisions;
pub mod demo;
pub mod household;
pub mod intake;
pub mod model;
pub mod money;
pub mod needs;
pub mod order;
pub mod participation;
pub mod pb;
pub mod phone;
pub mod plans;
pub mod register_csv;
pub mod register_search;
pub mod replication;
pub mod requests;
pub mod settings;
pub mod signing;
pub mod snapshot;
pub mod suppress;
pub mod vault;
pub mod warnings;
pub mod workshop;
pub mod zipfile;
