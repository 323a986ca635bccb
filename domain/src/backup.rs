//! The backup file (SPEC §2.10): one JSON document holding a whole [`Dataset`].
//!
//! ```text
//! {
//!   "format": "linli-backup",
//!   "format_version": 1,          // layout of this file
//!   "schema_version": 1,          // layout of the records (the IndexedDB schema)
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

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::dataset::{Dataset, IntegrityError};

/// The `format` marker of a Linli backup.
pub const FORMAT: &str = "linli-backup";
/// Newest file layout this build reads and the one it writes.
pub const FORMAT_VERSION: u32 = 1;
/// Newest record schema this build reads and the one it writes; equals the
/// IndexedDB database version.
pub const SCHEMA_VERSION: u32 = 1;

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
    let dataset: Dataset = serde_json::from_str(payload.get()).map_err(|e| BackupError::BadRecords {
        reason: e.to_string(),
    })?;
    let actual = dataset.counts();
    for (store, &found) in &actual {
        let expected = header.counts.get(store).copied().unwrap_or(0);
        if expected != found {
            return Err(BackupError::CountMismatch {
                store: store.clone(),
                expected,
                found,
            });
        }
    }
    if let Some((store, &expected)) = header.counts.iter().find(|(k, _)| !actual.contains_key(*k)) {
        return Err(BackupError::CountMismatch {
            store: store.clone(),
            expected,
            found: 0,
        });
    }
    dataset.check_integrity()?;
    Ok((header, dataset))
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
        let text = encode(&small(), "0.1.0", 0).replacen("\"schema_version\":1", "\"schema_version\":99", 1);
        assert!(matches!(
            decode(text.as_bytes()),
            Err(BackupError::TooNew {
                what: "schema_version",
                found: 99,
                ..
            })
        ));
        let text = encode(&small(), "0.1.0", 0).replacen("\"format_version\":1", "\"format_version\":2", 1);
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
}
