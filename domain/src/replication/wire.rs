//! The CouchDB replication protocol's JSON, as serde types.
//!
//! Shapes follow the CouchDB documentation ("Replication Protocol", API reference of
//! `_changes`, `_revs_diff`, `_bulk_get`, `_bulk_docs`, `_local`), so the browser
//! transport and the CLI send and receive these values as they are. Sequences are
//! opaque JSON (CouchDB 2+ sends strings, PouchDB numbers): they are stored and sent
//! back, never compared.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::rev::{RevId, Revisions};

/// An opaque update sequence (`since`, `seq`, `last_seq`).
pub type Seq = serde_json::Value;

/// One revision of a change row: `{"rev": "2-…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRev {
    pub rev: RevId,
}

/// One row of `GET /{db}/_changes?style=all_docs` (every leaf revision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRow {
    pub seq: Seq,
    pub id: String,
    pub changes: Vec<ChangeRev>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

/// The `_changes` response (normal feed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangesResponse {
    pub results: Vec<ChangeRow>,
    pub last_seq: Seq,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<u64>,
}

/// `POST /{db}/_revs_diff` request: document id → revisions the source has.
pub type RevsDiffRequest = BTreeMap<String, Vec<RevId>>;

/// One document of the `_revs_diff` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevsDiffEntry {
    pub missing: Vec<RevId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub possible_ancestors: Vec<RevId>,
}

/// `_revs_diff` response: only documents with missing revisions appear.
pub type RevsDiffResponse = BTreeMap<String, RevsDiffEntry>;

/// One document asked for in `POST /{db}/_bulk_get?revs=true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkGetItem {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rev: Option<RevId>,
}

/// The `_bulk_get` request body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkGetRequest {
    pub docs: Vec<BulkGetItem>,
}

/// A stored document as it travels: CouchDB's underscore fields and one opaque field
/// `c`, the body (in the app: the record's envelope sealed with the community data
/// key, base64; the server learns neither names nor record types).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doc {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "_rev")]
    pub rev: RevId,
    #[serde(rename = "_deleted", default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    #[serde(rename = "_revisions", default, skip_serializing_if = "Option::is_none")]
    pub revisions: Option<Revisions>,
    /// The opaque body (empty for a deletion).
    #[serde(rename = "c", default, skip_serializing_if = "String::is_empty")]
    pub body: String,
}

/// An error item of `_bulk_get`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkGetError {
    pub id: String,
    pub rev: String,
    pub error: String,
    pub reason: String,
}

/// `{"ok": doc}` or `{"error": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BulkGetDoc {
    Ok(Doc),
    Error(BulkGetError),
}

/// One result of `_bulk_get`: the documents of one id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkGetResult {
    pub id: String,
    pub docs: Vec<BulkGetDoc>,
}

/// The `_bulk_get` response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkGetResponse {
    pub results: Vec<BulkGetResult>,
}

/// `POST /{db}/_bulk_docs` with `new_edits: false` (revisions written as they are).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkDocsRequest {
    pub docs: Vec<Doc>,
    pub new_edits: bool,
}

/// One row of the `_bulk_docs` response: `{"ok": true, "id", "rev"}` or
/// `{"id", "error", "reason"}` (with `new_edits=false` CouchDB answers only the failures).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkDocsRow {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rev: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One entry of a checkpoint's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointHistory {
    pub session_id: String,
    pub recorded_seq: Seq,
    #[serde(default)]
    pub docs_read: u64,
    #[serde(default)]
    pub docs_written: u64,
}

/// A replication checkpoint, `PUT /{db}/_local/{replication id}` on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointDoc {
    /// `_local/<replication id>`.
    #[serde(rename = "_id")]
    pub id: String,
    /// The `_local` document's own revision (`0-N`), when read from a server.
    #[serde(rename = "_rev", default, skip_serializing_if = "Option::is_none")]
    pub rev: Option<String>,
    pub session_id: String,
    pub source_last_seq: Seq,
    #[serde(default = "version")]
    pub replication_id_version: u32,
    /// Newest first, at most [`super::replicate::CHECKPOINT_HISTORY`].
    #[serde(default)]
    pub history: Vec<CheckpointHistory>,
}

fn version() -> u32 {
    super::replicate::REPLICATION_ID_VERSION
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn couchdb_documented_shapes_decode() {
        let changes: ChangesResponse = serde_json::from_value(json!({
            "results": [
                {"seq": "1-g1AAAA", "id": "a", "changes": [{"rev": "2-7051cbe5c8faecd085a3fa619e6e6337"}]},
                {"seq": 2, "id": "b", "changes": [{"rev": "1-x"}, {"rev": "1-y"}], "deleted": true}
            ],
            "last_seq": "2-g1BBBB",
            "pending": 0
        }))
        .unwrap();
        assert_eq!(changes.results[1].changes.len(), 2);
        assert!(changes.results[1].deleted && !changes.results[0].deleted);

        let diff: RevsDiffResponse = serde_json::from_value(json!({
            "190f721ca3411be7aa9477db5f948bbb": {
                "missing": ["3-bb72a7682290f94a985f7afac8b27137"],
                "possible_ancestors": ["1-967a00dff5e02add41819138abb3284d"]
            }
        }))
        .unwrap();
        assert_eq!(diff.values().next().unwrap().missing[0].gen, 3);

        let got: BulkGetResponse = serde_json::from_value(json!({
            "results": [{"id": "a", "docs": [
                {"ok": {"_id": "a", "_rev": "2-b", "_revisions": {"start": 2, "ids": ["b", "a"]}, "c": "q1"}},
                {"error": {"id": "a", "rev": "1-z", "error": "not_found", "reason": "missing"}}
            ]}]
        }))
        .unwrap();
        match &got.results[0].docs[0] {
            BulkGetDoc::Ok(d) => assert_eq!(d.revisions.as_ref().unwrap().ids, ["b", "a"]),
            BulkGetDoc::Error(_) => panic!("expected a document"),
        }
        assert!(matches!(got.results[0].docs[1], BulkGetDoc::Error(_)));
    }

    #[test]
    fn bulk_docs_and_checkpoint_encode_as_couchdb_expects() {
        let doc = Doc {
            id: "a".into(),
            rev: RevId::parse("2-b").unwrap(),
            deleted: false,
            revisions: Some(Revisions {
                start: 2,
                ids: vec!["b".into(), "a".into()],
            }),
            body: "q1".into(),
        };
        let req = BulkDocsRequest {
            docs: vec![doc],
            new_edits: false,
        };
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"docs": [{"_id": "a", "_rev": "2-b", "_revisions": {"start": 2, "ids": ["b", "a"]}, "c": "q1"}],
                   "new_edits": false})
        );
        let cp: CheckpointDoc = serde_json::from_value(json!({
            "_id": "_local/abc", "_rev": "0-3", "session_id": "s", "source_last_seq": 7,
            "history": [{"session_id": "s", "recorded_seq": 7}]
        }))
        .unwrap();
        assert_eq!(cp.source_last_seq, json!(7));
        assert_eq!(
            cp.replication_id_version,
            super::super::replicate::REPLICATION_ID_VERSION
        );
    }
}
