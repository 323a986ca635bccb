//! Multi-device work (issue #19): the client side of the CouchDB replication
//! protocol, revision trees, merge rules, non-colliding ids and sync files.
//!
//! Pure: no clock, no randomness, no I/O. Times, session ids and the document-id key
//! are passed in; the servers and stores are behind the [`replicate::Replica`] trait
//! (the browser's transport runs the same steps asynchronously).
//!
//! - [`rev`]: revision ids (`N-<32 hex>`, deterministic from parent, deletion and
//!   body), trees, CouchDB's winning revision, conflicts, `_revisions`, stemming.
//! - [`wire`]: the protocol's JSON (`_changes`, `_revs_diff`, `_bulk_get`,
//!   `_bulk_docs`, `_local` checkpoints) as serde types.
//! - [`replicate`]: the algorithm as steps and a driver, checkpoints and resumption,
//!   [`replicate::MemReplica`] (an in-memory database).
//! - [`merge`]: what a document with several leaves, or a store after a union, reads as.
//! - [`couch`]: a CouchDB database over any HTTP transport (ureq in the CLI, `fetch`
//!   in the workspace) as an [`replicate::AsyncReplica`].
//! - [`ids`]: document ids (keyed hash of store and key), device-prefixed record ids,
//!   migration of existing ids.
//! - [`syncfile`]: export and import of "changes since our last exchange".
//! - [`seen`]: each device's record of when it last synced (once a day), for the
//!   cockpit's devices not seen for some days.
//! - [`local`]: a whole dataset as a replica (sealing, the `_sync` setting, staging,
//!   materializing, sync-file exchanges, conflict resolution), shared by the CLI and the
//!   workspace.
//!
//! # Documents
//!
//! One document per record. `_id` = [`ids::doc_id`] (HMAC of store and key); the body
//! (`c`) is opaque to this module: in the app, the sealed [`merge::Envelope`] (store,
//! key, author, device, time, record). Every write, local or replicated, is a revision
//! of the document's [`rev::RevTree`]; a device keeps the bodies of ancestors (the merge
//! needs the common ancestor), and replication fetches the ancestors it lacks.
//!
//! # Merge rules, one per store
//!
//! | store | rule | function | types |
//! |---|---|---|---|
//! | `households` | field by field against the common ancestor; a field changed on two devices to different values is a [`merge::Conflict`] (both values, who set them), the losing leaf kept until a guide resolves; `updated_at` the latest | [`merge::merge_household`] | real [`crate::model::Household`] |
//! | `points_ledger` | union (each entry its own document, ids never collide); replayed in `(at, id)` order, the later entry that overdraws a balance, takes a voucher's stock below zero or reverses an entry twice is flagged for a guide to reverse, never dropped | [`merge::flag_points`], [`merge::supplied`], [`merge::stock_after`] | real [`crate::model::PointsEntry`], stock log |
//! | `timebank_ledger` | union; a later transfer beyond the giver's balance is flagged | [`merge::flag_timebank`] | real [`crate::model::TimeBankEntry`] |
//! | `requests` | furthest life-cycle stage, union of both histories; other fields field by field; an outcome the furthest leaf never went through (closed vs rejected) is a conflict | [`merge::merge_request`] | real [`crate::model::Request`] |
//! | `audit_log` | union by id; same id with different content (legacy ids only) kept as a clash | [`merge::audit_union`] | real [`crate::model::AuditEntry`] |
//! | `snapshots` | union; several snapshots naming one predecessor is a fork, shown | [`merge::snapshot_forks`] | real [`crate::model::SnapshotRecord`] |
//! | `settings` key `publisher` | one device publishes: allowed only when the merged document names it without conflict | [`merge::may_publish`] | generic field map |
//! | every other store (grids, buildings, resources, proposals, ballots, activities, plans, decisions, runs, settings) | field by field against the common ancestor, conflicts as for households | [`merge::merge_fields`] | generic JSON field map (no store-specific rule yet) |
//!
//! A document whose only live leaf is one revision reads as that revision. A guide's
//! save writes a child of the winning revision with the merged record
//! ([`merge::save_writes`]); when the merge had no conflict it also writes deletions of
//! the other live leaves and lists them in the envelope's `merged` (deterministic
//! revision ids: two devices closing the same leaves write the same revisions); with
//! conflicts the other leaves stay until a guide resolves them ([`merge::resolve`]: a
//! value for every conflicted field, then a save that closes the leaves).
//!
//! # Limits
//!
//! - The household merge needs the common ancestor's body. Replication fetches the
//!   ancestors a device lacks; a server that has compacted them cannot send them, and the
//!   merge then reports every differing field as a conflict (never a silent choice).
//! - Stores without their own rule merge field by field over their JSON; a list (a
//!   household's members, needs) is one field.
//!
//! # Ids
//!
//! See [`ids`]: device number in the high 8 bits of the existing `u32` ids, legacy ids
//! in device 0's space, migration by an injective, order-keeping map.

pub mod couch;
pub mod enrol;
pub mod ids;
pub mod local;
pub mod merge;
pub mod replicate;
pub mod rev;
pub mod seen;
pub mod syncfile;
pub mod wire;

#[cfg(test)]
mod tests;
