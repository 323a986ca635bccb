//! The backup file (SPEC §2.10): one JSON document holding a whole [`Dataset`].
//!
//! ```text
//! {
//!   "format": "linli-backup",
//!   "format_version": 2,          // layout of this file
//!   "schema_version": 2,          // layout of the records
//!   "app_version": "0.1.0",
//!   "created_at": 1795000000000,  // ms since the Unix epoch, passed in by the caller
//!   "counts": {"households": 4500, ...},
//!   "payload_sha256": "…64 hex digits…",
//!   "payload": { "settings": [...], "grids": [...], ... }
//! }
//! ```
//!
//! `payload_sha256` is the SHA-256 of the payload's bytes exactly as they stand
//! in the file (from its `{` to its matching `}`), so an auditor can check it with
//! any JSON tool that keeps raw text, and the check needs no canonical form.
//!
//! [`decode`] validates everything before it returns a dataset: format,
//! versions, hash, record layout, counts and referential integrity. A caller
//! that writes only what `decode` returned can therefore never half-restore.
//!
//! # Versions
//!
//! - **2** (written since issue #14): `plans` holds
//!   [`PlanCase`](crate::plans::PlanCase)s (spending inside each case), the
//!   `spending` array is gone and `decisions` holds adopted
//!   [`Decision`](crate::decisions::Decision)s.
//! - **1**: `plans` held one-stage plans and `spending` their spending records.
//!   [`decode`] still reads it: the header's counts are checked against the file
//!   as it stands, then its plans and spending become cases through
//!   [`plans::legacy::convert`](crate::plans::legacy::convert) (replayed through
//!   the real operations, each step saying "imported from an earlier version";
//!   plans with no date are dated on the backup's `created_at` day, China time).
//!   The returned header is the file's, so a caller can tell a converted file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::dataset::{Dataset, IntegrityError};
use crate::plans::legacy::{self, LegacyPlan, LegacySpending};
use crate::plans::CivilDate;

/// The `format` marker of a Linli backup.
pub const FORMAT: &str = "linli-backup";
/// Newest file layout this build reads and the one it writes.
pub const FORMAT_VERSION: u32 = 2;
/// Newest record schema this build reads and the one it writes. (The
/// IndexedDB database version counts storage layouts too, so it may be higher.)
pub const SCHEMA_VERSION: u32 = 2;
/// The record schema that kept plans and spending apart (read, converted).
pub const LEGACY_SCHEMA_VERSION: u32 = 1;

/// The header of a backup file: everything but the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupHeader {
    pub format: String,
    pub format_version: u32,
    pub schema_version: u32,
    pub app_version: String,
    pub created_at: i64,
    pub counts: BTreeMap<String, u64>,
    pub payload_sha256: String,
}

#[derive(Serialize)]
struct FileOut<'a> {
    #[serde(flatten)]
    header: &'a BackupHeader,
    payload: &'a RawValue,
}

#[derive(Deserialize)]
struct FileIn<'a> {
    format: Option<String>,
    format_version: Option<u32>,
    schema_version: Option<u32>,
    app_version: Option<String>,
    created_at: Option<i64>,
    counts: Option<BTreeMap<String, u64>>,
    payload_sha256: Option<String>,
    #[serde(borrow)]
    payload: Option<&'a RawValue>,
}

/// Why a backup file was refused. Nothing is restored in any of these cases.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BackupError {
    /// The file ends early (cut off while copying or downloading).
    #[error("the file is truncated (it ends at byte {at})")]
    Truncated { at: usize },
    /// Not JSON at all.
    #[error("the file is not a backup (not valid JSON: {reason})")]
    NotJson { reason: String },
    /// JSON, but not a Linli backup.
    #[error("the file is not a Linli backup (missing or wrong `{field}`)")]
    Foreign { field: &'static str },
    /// Made by a newer version of Linli.
    #[error("the backup was made by a newer version ({what} {found}, this app reads up to {supported}); update the app first")]
    TooNew {
        what: &'static str,
        found: u32,
        supported: u32,
    },
    /// The payload's hash does not match the header: the file was changed or damaged.
    #[error("the backup is damaged: its checksum does not match (expected {expected}, found {found})")]
    HashMismatch { expected: String, found: String },
    /// The payload's records are not in the expected layout.
    #[error("the backup's records are invalid: {reason}")]
    BadRecords { reason: String },
    /// The header's counts disagree with the records.
    #[error("the backup is inconsistent: header says {expected} {store}, file holds {found}")]
    CountMismatch {
        store: String,
        expected: u64,
        found: u64,
    },
    /// The records refer to each other inconsistently.
    #[error("the backup is inconsistent: {0}")]
    Integrity(#[from] IntegrityError),
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        s.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    s
}

/// Writes `dataset` as a backup file.
///
/// `created_at` (ms since the Unix epoch) and `app_version` come from the
/// caller: the domain has no clock.
///
/// # Examples
///
/// ```
/// use linli_domain::{backup, dataset::Dataset};
/// let text = backup::encode(&Dataset::default(), "0.1.0", 0);
/// let (header, back) = backup::decode(text.as_bytes()).unwrap();
/// assert_eq!(header.format_version, backup::FORMAT_VERSION);
/// assert_eq!(back, Dataset::default());
/// ```
pub fn encode(dataset: &Dataset, app_version: &str, created_at: i64) -> String {
    // Serialising plain structs with string keys cannot fail.
    let payload = serde_json::to_string(dataset).unwrap_or_else(|_| String::from("{}"));
    let header = BackupHeader {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        schema_version: SCHEMA_VERSION,
        app_version: app_version.to_owned(),
        created_at,
        counts: dataset.counts(),
        payload_sha256: sha256_hex(payload.as_bytes()),
    };
    let raw = RawValue::from_string(payload)
        .unwrap_or_else(|_| RawValue::from_string("{}".to_owned()).expect("literal JSON"));
    serde_json::to_string(&FileOut {
        header: &header,
        payload: &raw,
    })
    .unwrap_or_default()
}

/// Reads and fully validates a backup file.
///
/// # Errors
///
/// A [`BackupError`] saying what is wrong: truncated, not JSON, not a Linli
/// backup, from a newer version, damaged (hash), invalid or inconsistent
/// records.
pub fn decode(bytes: &[u8]) -> Result<(BackupHeader, Dataset), BackupError> {
    let file: FileIn<'_> = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_eof() {
            BackupError::Truncated { at: bytes.len() }
        } else if e.is_data() {
            BackupError::Foreign { field: "format" }
        } else {
            BackupError::NotJson {
                reason: e.to_string(),
            }
        }
    })?;
    if file.format.as_deref() != Some(FORMAT) {
        return Err(BackupError::Foreign { field: "format" });
    }
    let format_version = file.format_version.ok_or(BackupError::Foreign {
        field: "format_version",
    })?;
    if format_version > FORMAT_VERSION {
        return Err(BackupError::TooNew {
            what: "format_version",
            found: format_version,
            supported: FORMAT_VERSION,
        });
    }
    let schema_version = file.schema_version.ok_or(BackupError::Foreign {
        field: "schema_version",
    })?;
    if schema_version > SCHEMA_VERSION {
        return Err(BackupError::TooNew {
            what: "schema_version",
            found: schema_version,
            supported: SCHEMA_VERSION,
        });
    }
    if schema_version == 0 || format_version == 0 {
        return Err(BackupError::Foreign {
            field: "schema_version",
        });
    }
    let header = BackupHeader {
        format: FORMAT.to_owned(),
        format_version,
        schema_version,
        app_version: file
            .app_version
            .ok_or(BackupError::Foreign { field: "app_version" })?,
        created_at: file
            .created_at
            .ok_or(BackupError::Foreign { field: "created_at" })?,
        counts: file.counts.ok_or(BackupError::Foreign { field: "counts" })?,
        payload_sha256: file.payload_sha256.ok_or(BackupError::Foreign {
            field: "payload_sha256",
        })?,
    };
    let payload = file.payload.ok_or(BackupError::Foreign { field: "payload" })?;
    let found = sha256_hex(payload.get().as_bytes());
    if !found.eq_ignore_ascii_case(&header.payload_sha256) {
        return Err(BackupError::HashMismatch {
            expected: header.payload_sha256,
            found,
        });
    }
    let dataset = if schema_version == LEGACY_SCHEMA_VERSION {
        decode_v1(payload.get(), &header)?
    } else {
        let dataset: Dataset = serde_json::from_str(payload.get()).map_err(bad_records)?;
        check_counts(&header.counts, &dataset.counts())?;
        dataset
    };
    dataset.check_integrity()?;
    Ok((header, dataset))
}

fn bad_records(e: impl std::fmt::Display) -> BackupError {
    BackupError::BadRecords {
        reason: e.to_string(),
    }
}

/// The header's counts against the records', both ways.
fn check_counts(header: &BTreeMap<String, u64>, actual: &BTreeMap<String, u64>) -> Result<(), BackupError> {
    for (store, &found) in actual {
        let expected = header.get(store).copied().unwrap_or(0);
        if expected != found {
            return Err(BackupError::CountMismatch {
                store: store.clone(),
                expected,
                found,
            });
        }
    }
    if let Some((store, &expected)) = header.iter().find(|(k, _)| !actual.contains_key(*k)) {
        return Err(BackupError::CountMismatch {
            store: store.clone(),
            expected,
            found: 0,
        });
    }
    Ok(())
}

/// The v1 store names: `plans` and `spending` in place of `plans` and `decisions`.
const V1_STORES: [&str; 16] = [
    "settings",
    "grids",
    "buildings",
    "households",
    "resources",
    "allocation_runs",
    "proposals",
    "ballots",
    "activities",
    "points_ledger",
    "timebank_ledger",
    "requests",
    "plans",
    "spending",
    "snapshots",
    "audit_log",
];

/// Reads a schema-1 payload: counts as the file stands, then its plans and
/// spending converted into cases.
fn decode_v1(payload: &str, header: &BackupHeader) -> Result<Dataset, BackupError> {
    let mut map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(payload).map_err(bad_records)?;
    if let Some(k) = map.keys().find(|k| !V1_STORES.contains(&k.as_str())) {
        return Err(bad_records(format!("unknown field `{k}` in a version-1 backup")));
    }
    let mut counts = BTreeMap::new();
    for store in V1_STORES {
        let n = match map.get(store) {
            Some(serde_json::Value::Array(a)) => a.len() as u64,
            _ => return Err(bad_records(format!("missing field `{store}`"))),
        };
        counts.insert(store.to_owned(), n);
    }
    check_counts(&header.counts, &counts)?;
    let take = |map: &mut serde_json::Map<String, serde_json::Value>, k: &str| {
        map.insert(k.to_owned(), serde_json::Value::Array(Vec::new()))
            .unwrap_or_default()
    };
    let plans: Vec<LegacyPlan> = serde_json::from_value(take(&mut map, "plans")).map_err(bad_records)?;
    let spending: Vec<LegacySpending> =
        serde_json::from_value(take(&mut map, "spending")).map_err(bad_records)?;
    map.remove("spending");
    map.insert("decisions".to_owned(), serde_json::Value::Array(Vec::new()));
    let mut dataset: Dataset = serde_json::from_value(serde_json::Value::Object(map)).map_err(bad_records)?;
    dataset.plans =
        legacy::convert(&plans, &spending, created_day(header.created_at)).map_err(|e| match e {
            legacy::LegacyError::DuplicatePlan(id) => BackupError::Integrity(IntegrityError::DuplicateKey {
                store: "plans",
                key: id.to_string(),
            }),
            legacy::LegacyError::MissingPlan { id, plan_id } => {
                BackupError::Integrity(IntegrityError::DanglingReference {
                    store: "spending",
                    id,
                    field: "plan_id",
                    target: "plan",
                    target_id: plan_id,
                })
            }
            other => bad_records(other),
        })?;
    Ok(dataset)
}

/// The day (China time, UTC+8) of an instant, for dating converted plans.
fn created_day(at: i64) -> CivilDate {
    let days = at.saturating_add(8 * 3_600_000).div_euclid(86_400_000);
    CivilDate::from_days(days)
        .or_else(|| CivilDate::from_days(0))
        .unwrap_or_else(|| unreachable!("1970-01-01 is a valid date"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;

    fn small() -> Dataset {
        demo::generate(&demo::DemoConfig {
            seed: 7,
            households: 60,
            ..demo::DemoConfig::default()
        })
    }

    #[test]
    fn round_trip_equals_original() {
        let d = small();
        let text = encode(&d, "0.1.0", 1_790_000_000_000);
        let (h, back) = decode(text.as_bytes()).unwrap();
        assert_eq!(back, d);
        assert_eq!(h.counts["households"], 60);
        assert_eq!(h.created_at, 1_790_000_000_000);
    }

    #[test]
    fn truncated_is_refused() {
        let text = encode(&small(), "0.1.0", 0);
        for cut in [1, text.len() / 3, text.len() - 1] {
            let err = decode(&text.as_bytes()[..cut]).unwrap_err();
            assert!(matches!(err, BackupError::Truncated { .. }), "{cut}: {err:?}");
        }
    }

    #[test]
    fn tampered_payload_is_refused() {
        let text = encode(&small(), "0.1.0", 0);
        // Change one digit inside the payload only.
        let at = text.find("\"payload\":").unwrap() + 200;
        let mut bytes = text.into_bytes();
        let i = (at..bytes.len()).find(|&i| bytes[i].is_ascii_digit()).unwrap();
        bytes[i] = if bytes[i] == b'9' { b'8' } else { bytes[i] + 1 };
        assert!(matches!(decode(&bytes), Err(BackupError::HashMismatch { .. })));
    }

    #[test]
    fn foreign_and_newer_files_are_refused() {
        assert!(matches!(decode(b"{\"a\":1}"), Err(BackupError::Foreign { .. })));
        assert!(matches!(decode(b"[1,2]"), Err(BackupError::Foreign { .. })));
        assert!(matches!(decode(b"hello"), Err(BackupError::NotJson { .. })));
        let text = encode(&small(), "0.1.0", 0).replacen("\"schema_version\":2", "\"schema_version\":99", 1);
        assert!(matches!(
            decode(text.as_bytes()),
            Err(BackupError::TooNew {
                what: "schema_version",
                found: 99,
                ..
            })
        ));
        let text = encode(&small(), "0.1.0", 0).replacen("\"format_version\":2", "\"format_version\":3", 1);
        assert!(matches!(decode(text.as_bytes()), Err(BackupError::TooNew { .. })));
    }

    #[test]
    fn wrong_counts_and_dangling_references_are_refused() {
        let text = encode(&small(), "0.1.0", 0).replacen("\"households\":60", "\"households\":61", 1);
        assert!(matches!(
            decode(text.as_bytes()),
            Err(BackupError::CountMismatch { .. })
        ));

        let mut d = small();
        d.households[0].building_id = 999_999;
        let text = encode(&d, "0.1.0", 0);
        assert!(matches!(
            decode(text.as_bytes()),
            Err(BackupError::Integrity(IntegrityError::DanglingReference { .. }))
        ));
        let mut d = small();
        let dup = d.households[0].clone();
        d.households.push(dup);
        let text = encode(&d, "0.1.0", 0);
        assert!(matches!(
            decode(text.as_bytes()),
            Err(BackupError::Integrity(IntegrityError::DuplicateKey { .. }))
        ));
    }

    #[test]
    fn hash_is_of_payload_bytes() {
        let text = encode(&small(), "0.1.0", 0);
        let start = text.find("\"payload\":").unwrap() + "\"payload\":".len();
        let payload = &text[start..text.len() - 1];
        let (h, _) = decode(text.as_bytes()).unwrap();
        assert_eq!(h.payload_sha256, sha256_hex(payload.as_bytes()));
    }

    #[test]
    fn sha256_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// A backup written by the version before issue #14 (`linli demo --seed 2026
    /// --households 12 --created-at 1790000000000`, schema 1).
    const V1: &str = include_str!("../tests/fixtures/backup-v1-demo.json");

    fn v1_payload() -> serde_json::Value {
        let file: serde_json::Value = serde_json::from_str(V1).unwrap();
        file["payload"].clone()
    }

    /// A v1 file holding `payload` (counts and hash recomputed).
    fn v1_file(payload: &serde_json::Value) -> String {
        let text = serde_json::to_string(payload).unwrap();
        let counts: BTreeMap<String, u64> = payload
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_array().unwrap().len() as u64))
            .collect();
        format!(
            r#"{{"format":"linli-backup","format_version":1,"schema_version":1,"app_version":"0.1.0","created_at":1790000000000,"counts":{},"payload_sha256":"{}","payload":{text}}}"#,
            serde_json::to_string(&counts).unwrap(),
            sha256_hex(text.as_bytes())
        )
    }

    #[test]
    fn a_version_1_backup_is_read_and_its_plans_converted() {
        let (h, d) = decode(V1.as_bytes()).unwrap();
        assert_eq!((h.format_version, h.schema_version), (1, 1));
        assert_eq!(h.counts["spending"], 48);
        let payload = v1_payload();
        let plans = payload["plans"].as_array().unwrap();
        let spending = payload["spending"].as_array().unwrap();
        assert_eq!(d.plans.len(), plans.len());
        assert!(d.decisions.is_empty());
        assert_eq!(d.households.len(), 12);
        d.check_integrity().unwrap();
        use crate::plans::{legacy::IMPORTED, Stage};
        for p in plans {
            let id = p["id"].as_u64().unwrap() as u32;
            let case = d.plans.iter().find(|c| c.id() == id).unwrap();
            assert_eq!(case.content().title, p["title"].as_str().unwrap());
            assert_eq!(case.content().category, p["category"].as_str().unwrap());
            let want = match p["stage"].as_str().unwrap() {
                "draft" => Stage::Draft,
                "public_notice" => Stage::Notice,
                "approved" | "executing" => Stage::Execution,
                _ => Stage::Accounts,
            };
            assert_eq!(case.stage(), want, "plan {id}");
            // Every spending record is an entry with its amount, funder and note.
            let mine: Vec<&serde_json::Value> = spending
                .iter()
                .filter(|s| s["plan_id"].as_u64() == Some(u64::from(id)))
                .collect();
            let total: i64 = mine.iter().map(|s| s["amount_fen"].as_i64().unwrap()).sum();
            assert_eq!(case.spent_total(), total, "plan {id}");
            assert_eq!(case.spending().len(), mine.len(), "plan {id}");
            for s in &mine {
                let voucher = format!("v1-{}", s["id"]);
                let e = case.spending().iter().find(|e| e.voucher == voucher).unwrap();
                assert_eq!(e.amount, s["amount_fen"].as_i64().unwrap());
                assert_eq!(e.funder.code(), s["funder"].as_str().unwrap());
                assert_eq!(e.purpose, s["note"].as_str().unwrap());
                assert_eq!(e.on.to_string(), s["date"].as_str().unwrap());
            }
            // The recorded budget is kept whenever the spending fits in it.
            if total <= p["budget_fen"].as_i64().unwrap() {
                assert_eq!(case.content().budget.total(), p["budget_fen"].as_i64().unwrap());
            }
            assert_eq!(
                case.progress(),
                if want >= Stage::Execution {
                    p["progress"].as_u64().unwrap() as u8
                } else {
                    0
                }
            );
            // Every step is the import's, and says so where a step has a reason.
            use crate::plans::legacy::IMPORT_ACTOR;
            assert!(case.history().iter().all(|t| t.actor == IMPORT_ACTOR));
            assert!(case
                .history()
                .iter()
                .all(|t| t.reason.is_empty() || t.reason.starts_with(IMPORTED)));
            assert!(
                case.internal().notes.starts_with(IMPORTED),
                "{}",
                case.internal().notes
            );
            if want >= Stage::Execution {
                assert_eq!(case.approvals().len(), 3);
                assert!(case
                    .approvals()
                    .iter()
                    .all(|a| a.approved && a.reason.starts_with(IMPORTED)));
            }
        }
        // Written again it is a version-2 backup that reads back the same.
        let text = encode(&d, "0.2.0", 1);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let stores: Vec<&str> = v["payload"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(
            stores.contains(&"decisions") && !stores.contains(&"spending"),
            "{stores:?}"
        );
        let (h2, back) = decode(text.as_bytes()).unwrap();
        assert_eq!(
            (h2.format_version, h2.schema_version),
            (FORMAT_VERSION, SCHEMA_VERSION)
        );
        assert_eq!(back, d);
        // Deterministic.
        assert_eq!(decode(V1.as_bytes()).unwrap().1, d);
    }

    #[test]
    fn a_version_1_backup_is_checked_before_it_is_converted() {
        // Counts as the v1 file stands.
        let text = V1.replacen("\"spending\":48", "\"spending\":47", 1);
        assert!(matches!(
            decode(text.as_bytes()),
            Err(BackupError::CountMismatch { store, .. }) if store == "spending"
        ));
        // Spending on a missing plan.
        let mut p = v1_payload();
        p["spending"][0]["plan_id"] = 999.into();
        assert!(matches!(
            decode(v1_file(&p).as_bytes()),
            Err(BackupError::Integrity(IntegrityError::DanglingReference {
                store: "spending",
                target_id: 999,
                ..
            }))
        ));
        // Two plans with one id.
        let mut p = v1_payload();
        p["plans"][1]["id"] = p["plans"][0]["id"].clone();
        assert!(matches!(
            decode(v1_file(&p).as_bytes()),
            Err(BackupError::Integrity(IntegrityError::DuplicateKey {
                store: "plans",
                ..
            }))
        ));
        // A v2 field in a v1 file, or a v1 field in a v2 file.
        let mut p = v1_payload();
        p["decisions"] = serde_json::json!([]);
        assert!(matches!(
            decode(v1_file(&p).as_bytes()),
            Err(BackupError::BadRecords { .. })
        ));
        let text = v1_file(&v1_payload()).replacen("\"schema_version\":1", "\"schema_version\":2", 1);
        assert!(matches!(
            decode(text.as_bytes()),
            Err(BackupError::BadRecords { .. })
        ));
        // The unchanged payload through the same helper reads.
        assert!(decode(v1_file(&v1_payload()).as_bytes()).is_ok());
    }

    #[test]
    fn a_decision_naming_a_missing_run_is_refused() {
        use crate::decisions::{Decision, DecisionKind};
        let mut d = small();
        d.decisions.push(Decision {
            id: 99,
            period: "2026-Q3".into(),
            on: crate::plans::CivilDate::parse("2026-07-01").unwrap(),
            actor: "王".into(),
            at: 0,
            kind: DecisionKind::AllocationAdopted {
                run_id: 4242,
                inputs_sha256: "0".repeat(64),
            },
        });
        let text = encode(&d, "0.1.0", 0);
        assert!(matches!(
            decode(text.as_bytes()),
            Err(BackupError::Integrity(IntegrityError::DanglingReference {
                store: "decisions",
                target_id: 4242,
                ..
            }))
        ));
    }
}
