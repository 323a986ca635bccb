//! The published folder: what a static host serves, besides the dashboard's own files.
//!
//! ```text
//! snapshot.json                  the current snapshot without its requests section
//!                                (the dashboard loads it first)
//! requests.json                  the current snapshot's requests section, sealed by its
//!                                `requests_sha256` (the dashboard loads it on a lookup)
//! snapshots/index.json           the history, oldest first (see HistoryIndex)
//! snapshots/000001-<hash16>.json every published snapshot, the current one included
//! notice.html                    the printable A4 notice (公示栏) with key figures,
//!                                the hash, the key fingerprint and a QR code to the
//!                                dashboard (its URL with `#head=<sequence>-<sha256>`)
//! ```
//!
//! With a publishing key (setting `publishing_key`, see [`crate::signing`]) the folder
//! also holds the signed history (C2SP signed notes, deterministic Ed25519):
//!
//! ```text
//! checkpoint                          the head's checkpoint, signed (witnesses append
//!                                     their cosignature lines to it)
//! publishing-key.vkey                 the publishing key as a vkey line
//! snapshots/000001-<hash16>.checkpoint  each snapshot's checkpoint, signed
//! ```
//!
//! Without a key, none of these is written and `linli verify` says "not signed".
//!
//! The app (Publish in the workspace) and `linli publish` both call [`folder`] through
//! [`super::prepare::prepare`], so the same history and dataset give the same files, byte
//! for byte.

use serde::{Deserialize, Serialize};

use super::file::{self, history_name, ChainError, Snapshot};
use super::Content;
use crate::money::format_yuan;
use crate::signing::{self, checkpoint, Checkpoint, SigningKey, VerifierKey};

/// Path of the current snapshot in a published folder.
pub const SNAPSHOT_PATH: &str = "snapshot.json";
/// Path of the current snapshot's requests section ([`file::split_requests`]).
pub const REQUESTS_PATH: &str = "requests.json";
/// Path of the history index.
pub const INDEX_PATH: &str = "snapshots/index.json";
/// At most this many plans are listed on the printed notice, so that it fits one A4
/// page; the rest are counted and left to the dashboard.
pub const NOTICE_PLAN_ROWS: usize = 12;
/// Path of the printable notice.
pub const NOTICE_PATH: &str = "notice.html";
/// The printable notice's Content-Security-Policy: nothing may run or load.
pub const NOTICE_CSP: &str = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">";
/// `format` of the history index.
pub const INDEX_FORMAT: &str = "linli-snapshot-history";
/// Path of the head's signed checkpoint.
pub const CHECKPOINT_PATH: &str = "checkpoint";
/// Path of the publishing key (vkey text and a newline).
pub const VKEY_PATH: &str = "publishing-key.vkey";

/// The signed checkpoint of the snapshot with `sequence` and `sha256` in the history:
/// `snapshots/000001-<first 16 hex digits>.checkpoint`.
pub fn checkpoint_path(sequence: u32, sha256: &str) -> String {
    let json = history_name(sequence, sha256);
    format!(
        "snapshots/{}.checkpoint",
        json.strip_suffix(".json").unwrap_or(&json)
    )
}

/// The QR code's address: the dashboard's URL with the head it was printed for,
/// `#head=<sequence>-<sha256>` (the dashboard compares it with what it loads).
pub fn head_url(url: &str, sequence: u32, sha256: &str) -> String {
    let base = url.split('#').next().unwrap_or(url);
    format!("{base}#head={sequence}-{sha256}")
}

/// The history index of a published folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryIndex {
    pub format: String,
    pub version: u32,
    /// Oldest first.
    pub snapshots: Vec<HistoryEntry>,
}

/// One published snapshot in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    pub sequence: u32,
    pub sha256: String,
    pub published_at: i64,
    /// Relative to the folder, e.g. `snapshots/000001-0123456789abcdef.json`.
    pub file: String,
}

/// A file of the published folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    /// Relative path with `/` separators.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The files of a published folder for `history` (the snapshot files published before,
/// oldest first) followed by `new`.
///
/// `dashboard_url` is what the notice's QR code points to (absolute URL); without it
/// the notice says where to set it and has no code.
///
/// # Errors
///
/// The history does not verify ([`ChainError`]), or `new` does not follow its last
/// snapshot (sequence and previous hash), reported as a [`ChainError`] at the new
/// snapshot's index.
pub fn folder<B: AsRef<[u8]>>(
    history: &[B],
    new: &Content,
    dashboard_url: Option<&str>,
) -> Result<Vec<OutFile>, ChainError> {
    folder_signed(history, new, dashboard_url, None)
}

/// [`folder`], signed with the community's publishing `key` when there is one: every
/// snapshot's checkpoint ([`checkpoint_path`]), the head's ([`CHECKPOINT_PATH`]) and the
/// key ([`VKEY_PATH`]); the notice prints the key's fingerprint. The key's name is the
/// checkpoints' origin ([`signing::origin`] of the community).
///
/// # Errors
///
/// As [`folder`].
pub fn folder_signed<B: AsRef<[u8]>>(
    history: &[B],
    new: &Content,
    dashboard_url: Option<&str>,
    key: Option<&SigningKey>,
) -> Result<Vec<OutFile>, ChainError> {
    let (text, _) = file::encode(new);
    let mut all: Vec<Vec<u8>> = history.iter().map(|b| b.as_ref().to_vec()).collect();
    all.push(text.into_bytes());
    files_of(all, Some(new), dashboard_url, key)
}

/// The folder's files for a whole published `history` (oldest first, its last snapshot
/// the head), its files taken as they are: what the workspace offers again after a
/// redaction ([`super::freetext::redact_history`]). The notice is made from the head as
/// read back.
///
/// # Errors
///
/// The history does not verify, or is empty ([`ChainError::MissingStart`]).
pub fn folder_of_history<B: AsRef<[u8]>>(
    history: &[B],
    dashboard_url: Option<&str>,
    key: Option<&SigningKey>,
) -> Result<Vec<OutFile>, ChainError> {
    if history.is_empty() {
        return Err(ChainError::MissingStart {
            index: 0,
            sequence: 0,
        });
    }
    let all: Vec<Vec<u8>> = history.iter().map(|b| b.as_ref().to_vec()).collect();
    files_of(all, None, dashboard_url, key)
}

/// The files of a folder whose snapshot files are `all` (the last the head); the notice
/// of `head` (or of the last file as read back).
fn files_of(
    all: Vec<Vec<u8>>,
    head: Option<&Content>,
    dashboard_url: Option<&str>,
    key: Option<&SigningKey>,
) -> Result<Vec<OutFile>, ChainError> {
    let chain = file::verify_chain(&all)?;
    let Some(last) = chain.last() else {
        return Err(ChainError::MissingStart {
            index: 0,
            sequence: 0,
        });
    };
    let new = head.unwrap_or(&last.content);
    let hash = last.sha256.clone();
    let text = all.last().cloned().unwrap_or_default();
    let mut out = Vec::with_capacity(chain.len() + 3);
    let mut index = HistoryIndex {
        format: INDEX_FORMAT.to_owned(),
        version: 1,
        snapshots: Vec::with_capacity(chain.len()),
    };
    for (s, bytes) in chain.iter().zip(all) {
        let path = format!("snapshots/{}", history_name(s.content.sequence, &s.sha256));
        index.snapshots.push(HistoryEntry {
            sequence: s.content.sequence,
            sha256: s.sha256.clone(),
            published_at: s.content.published_at,
            file: path.clone(),
        });
        out.push(OutFile { path, bytes });
        if let Some(note) = key.and_then(|k| signed_checkpoint(k, s.content.sequence, &s.sha256)) {
            out.push(OutFile {
                path: checkpoint_path(s.content.sequence, &s.sha256),
                bytes: note.into_bytes(),
            });
        }
    }
    push_current(&mut out, text);
    out.push(OutFile {
        path: INDEX_PATH.to_owned(),
        bytes: serde_json::to_vec_pretty(&index).unwrap_or_default(),
    });
    let fingerprint = key.map(|k| k.verifier().fingerprint());
    out.push(OutFile {
        path: NOTICE_PATH.to_owned(),
        bytes: notice_html_signed(new, &hash, dashboard_url, fingerprint.as_deref()).into_bytes(),
    });
    if let Some(k) = key {
        if let Some(note) = signed_checkpoint(k, new.sequence, &hash) {
            out.push(OutFile {
                path: CHECKPOINT_PATH.to_owned(),
                bytes: note.into_bytes(),
            });
        }
        out.push(OutFile {
            path: VKEY_PATH.to_owned(),
            bytes: format!("{}\n", k.verifier()).into_bytes(),
        });
    }
    Ok(out)
}

/// `snapshot.json` (and `requests.json`, when the head has a requests section) of the
/// head's file `text`.
fn push_current(out: &mut Vec<OutFile>, text: Vec<u8>) {
    match file::split_requests(&text) {
        Some((head, requests)) => {
            out.push(OutFile {
                path: SNAPSHOT_PATH.to_owned(),
                bytes: head,
            });
            out.push(OutFile {
                path: REQUESTS_PATH.to_owned(),
                bytes: requests,
            });
        }
        None => out.push(OutFile {
            path: SNAPSHOT_PATH.to_owned(),
            bytes: text,
        }),
    }
}

/// What a redacted text shows in the notice: `（已于 DATE 删除，已遮盖）`.
pub fn redacted_zh(on: &str) -> String {
    format!("（已于 {on} 删除，已遮盖）")
}

/// The files of a published folder (read through `read`) that change when the field
/// `path` of the snapshot with `sequence` is redacted on `on`
/// ([`super::freetext::redact_file`]): that snapshot's history file, and when it is the
/// head, `snapshot.json` and the notice (a plan title shown there is replaced by
/// [`redacted_zh`]). The index, the checkpoints and every other file stay as they are: the
/// hashes do not change.
///
/// # Errors
///
/// [`super::freetext::RedactError`]: no index or no such snapshot in it
/// (`NoSuchSnapshot`), or what [`super::freetext::redact_file`] refuses.
pub fn redact_folder(
    read: impl Fn(&str) -> Option<Vec<u8>>,
    sequence: u32,
    path: &str,
    on: &str,
) -> Result<Vec<OutFile>, super::freetext::RedactError> {
    use super::freetext::RedactError;
    let index: Option<HistoryIndex> = read(INDEX_PATH).and_then(|b| serde_json::from_slice(&b).ok());
    let (entry, head) = match &index {
        Some(i) => (
            i.snapshots
                .iter()
                .find(|e| e.sequence == sequence)
                .map(|e| e.file.clone()),
            i.snapshots.last().is_some_and(|e| e.sequence == sequence),
        ),
        None => (None, false),
    };
    let Some(entry) = entry else {
        return Err(RedactError::NoSuchSnapshot { sequence });
    };
    let bytes = read(&entry).ok_or(RedactError::NoSuchSnapshot { sequence })?;
    let before = file::decode(&bytes)?;
    let red = super::freetext::redact_file(&bytes, path, on)?;
    let mut out = vec![OutFile {
        path: entry,
        bytes: red.clone(),
    }];
    if head {
        // The requests section is not touched by a redaction: `requests.json` stays.
        let current = file::split_requests(&red).map_or(red, |(h, _)| h);
        out.push(OutFile {
            path: SNAPSHOT_PATH.to_owned(),
            bytes: current,
        });
        let title = before
            .content
            .plans
            .iter()
            .find(|p| format!("plans/{}/title", p.id) == path)
            .map(|p| p.title.clone());
        if let (Some(title), Some(notice)) = (title, read(NOTICE_PATH)) {
            let notice = String::from_utf8_lossy(&notice).replace(
                &format!("<td>{}</td>", escape_html(&title)),
                &format!("<td>{}</td>", escape_html(&redacted_zh(on))),
            );
            out.push(OutFile {
                path: NOTICE_PATH.to_owned(),
                bytes: notice.into_bytes(),
            });
        }
    }
    Ok(out)
}

/// The signed checkpoint text of one snapshot (`None` only for a hash that is not hex,
/// which a verified chain never has).
fn signed_checkpoint(key: &SigningKey, sequence: u32, sha256: &str) -> Option<String> {
    let cp = Checkpoint::of_snapshot(key.name(), sequence, sha256)?;
    cp.sign(key).ok().map(|n| n.encode())
}

/// Why a published folder does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FolderError {
    #[error("{INDEX_PATH} is not a valid history index: {0}")]
    Index(String),
    #[error("{path} is listed in the history but missing")]
    Missing { path: String },
    #[error("{path} is named for sequence {sequence} and hash {sha256}, which is not what it holds")]
    Listed {
        path: String,
        sequence: u32,
        sha256: String,
    },
    #[error("history: {0}")]
    Chain(#[from] ChainError),
    #[error("{SNAPSHOT_PATH} is not the last snapshot of the history")]
    NotLatest,
    /// `requests.json` is missing, or is not the current snapshot's requests section.
    #[error("{REQUESTS_PATH}: {reason}")]
    Requests { reason: String },
    #[error("{path}: privacy rule broken: {violation}")]
    Privacy { path: String, violation: String },
    /// No history index, and the current snapshot is not the first: the snapshots before
    /// it cannot be checked (not verifiable; not "offline").
    #[error("{INDEX_PATH} is missing: snapshot {sequence} follows earlier snapshots that cannot be checked (not verifiable)")]
    NotVerifiable { sequence: u32 },
    /// A signature file is missing, malformed, or does not verify against the key.
    #[error("{path}: {reason}")]
    Signature { path: String, reason: String },
}

/// Verifies a published folder given a way to read its files: the history index, every
/// listed snapshot (hashes, chain, names), that `snapshot.json` is the last one, and the
/// privacy rules on each. Returns the verified chain.
///
/// # Errors
///
/// Every problem found, in folder order.
pub fn verify_folder(read: impl Fn(&str) -> Option<Vec<u8>>) -> Result<Vec<Snapshot>, Vec<FolderError>> {
    let mut errors = Vec::new();
    let current = read(SNAPSHOT_PATH);
    let (files, paths): (Vec<Vec<u8>>, Vec<String>) = match read(INDEX_PATH) {
        None => match &current {
            // No history: the current snapshot must be the first, else nothing before it
            // can be checked.
            Some(c) => {
                if let Ok(s) = file::decode(c) {
                    if s.content.sequence > 1 {
                        return Err(vec![FolderError::NotVerifiable {
                            sequence: s.content.sequence,
                        }]);
                    }
                }
                (vec![c.clone()], vec![SNAPSHOT_PATH.to_owned()])
            }
            None => {
                return Err(vec![FolderError::Missing {
                    path: SNAPSHOT_PATH.to_owned(),
                }])
            }
        },
        Some(bytes) => {
            let index: HistoryIndex = match serde_json::from_slice(&bytes) {
                Ok(i) => i,
                Err(e) => return Err(vec![FolderError::Index(e.to_string())]),
            };
            if index.format != INDEX_FORMAT || index.snapshots.is_empty() {
                return Err(vec![FolderError::Index(
                    "wrong format or no snapshot listed".to_owned(),
                )]);
            }
            let mut files = Vec::new();
            let mut paths = Vec::new();
            for e in &index.snapshots {
                match read(&e.file) {
                    Some(b) => {
                        files.push(b);
                        paths.push(e.file.clone());
                    }
                    None => errors.push(FolderError::Missing { path: e.file.clone() }),
                }
            }
            if !errors.is_empty() {
                return Err(errors);
            }
            // The index must describe what the files hold.
            for (e, b) in index.snapshots.iter().zip(&files) {
                match file::decode(b) {
                    Ok(s) if s.sha256 == e.sha256 && s.content.sequence == e.sequence => {}
                    _ => errors.push(FolderError::Listed {
                        path: e.file.clone(),
                        sequence: e.sequence,
                        sha256: e.sha256.clone(),
                    }),
                }
            }
            // `snapshot.json` is the last file, or the last file without its requests.
            let last = files.last().map(Vec::as_slice);
            let stripped = last.and_then(file::split_requests).map(|(h, _)| h);
            if current.as_deref() != last && current != stripped {
                errors.push(FolderError::NotLatest);
            }
            (files, paths)
        }
    };
    let chain = match file::verify_chain(&files) {
        Ok(c) => c,
        Err(e) => {
            errors.push(FolderError::Chain(e));
            return Err(errors);
        }
    };
    for (s, path) in chain.iter().zip(&paths) {
        for v in super::privacy::check(&s.content) {
            errors.push(FolderError::Privacy {
                path: path.clone(),
                violation: v.to_string(),
            });
        }
    }
    // `requests.json`: the head's requests section, byte for byte where the history file
    // holds it, else checked against the head's digest (and the section's shapes).
    if let Some(head) = chain
        .last()
        .filter(|s| s.version >= file::COMMITTED_FROM && s.full)
    {
        let in_file = files.last().and_then(|b| file::split_requests(b)).map(|(_, r)| r);
        match (read(REQUESTS_PATH), in_file) {
            (None, _) => errors.push(FolderError::Requests {
                reason: "missing (the current snapshot's requests section)".to_owned(),
            }),
            (Some(r), Some(expected)) if r != expected => errors.push(FolderError::Requests {
                reason: "not the current snapshot's requests section".to_owned(),
            }),
            (Some(r), _) => match file::decode_requests(&r, &head.content.requests_sha256) {
                Err(e) => errors.push(FolderError::Requests {
                    reason: e.to_string(),
                }),
                Ok(section) => {
                    for (path, reason) in super::requests_public::violations(&section) {
                        errors.push(FolderError::Privacy {
                            path: REQUESTS_PATH.to_owned(),
                            violation: format!("{path}: {reason}"),
                        });
                    }
                }
            },
        }
    }
    if errors.is_empty() {
        Ok(chain)
    } else {
        Err(errors)
    }
}

/// What the signature files of a verified folder say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signed {
    /// No `checkpoint` and no `publishing-key.vkey`: published without a key.
    NotSigned,
    /// Every snapshot's checkpoint and the head's verify against `key`.
    Signed {
        key: Box<VerifierKey>,
        /// Cosignature lines on the head's checkpoint (not verified unless their key was
        /// given: see `witnessed`).
        cosignatures: Vec<checkpoint::ClaimedCosignature>,
        /// The given witnesses' cosignatures that verify, with their time (POSIX s).
        witnessed: Vec<(String, u64)>,
    },
}

/// Checks the signed history of a folder whose `chain` verified ([`verify_folder`]):
/// the key file, the head's checkpoint (origin = key name, size = head sequence, hash =
/// head hash) and every snapshot's checkpoint. `expected`: the community's key as known
/// from elsewhere (the notice, a witness); then the folder must be signed by it.
/// `witnesses`: cosigning keys whose cosignature on the head is required.
///
/// # Errors
///
/// Every problem found ([`FolderError::Signature`]).
pub fn verify_signatures(
    read: impl Fn(&str) -> Option<Vec<u8>>,
    chain: &[Snapshot],
    expected: Option<&VerifierKey>,
    witnesses: &[VerifierKey],
) -> Result<Signed, Vec<FolderError>> {
    let err = |path: &str, reason: String| FolderError::Signature {
        path: path.to_owned(),
        reason,
    };
    let vkey = read(VKEY_PATH);
    let head_note = read(CHECKPOINT_PATH);
    let key = match (vkey, &head_note) {
        (None, None) => {
            return match expected {
                None if witnesses.is_empty() => Ok(Signed::NotSigned),
                _ => Err(vec![err(
                    CHECKPOINT_PATH,
                    "not signed, but a signature was required".into(),
                )]),
            }
        }
        (None, Some(_)) => return Err(vec![err(VKEY_PATH, "missing beside the checkpoint".into())]),
        (Some(bytes), _) => {
            let text = String::from_utf8_lossy(&bytes);
            match VerifierKey::parse(&text) {
                Ok(k) if k.kind() == signing::ED25519 => k,
                Ok(_) => return Err(vec![err(VKEY_PATH, "not an Ed25519 note key".into())]),
                Err(e) => return Err(vec![err(VKEY_PATH, e.to_string())]),
            }
        }
    };
    let mut errors = Vec::new();
    if let Some(x) = expected {
        if *x != key {
            errors.push(err(
                VKEY_PATH,
                format!(
                    "signed by {key} (fingerprint {}), not by the expected key {x} (fingerprint {})",
                    key.fingerprint(),
                    x.fingerprint()
                ),
            ));
            return Err(errors);
        }
    }
    let check = |path: &str, bytes: Option<Vec<u8>>, s: &Snapshot| -> Result<signing::Note, FolderError> {
        let bytes = bytes.ok_or_else(|| err(path, "missing".into()))?;
        let (cp, note) = checkpoint::open(&bytes, &key).map_err(|e| err(path, e.to_string()))?;
        if cp.size != u64::from(s.content.sequence) || cp.hash_hex() != s.sha256 {
            return Err(err(
                path,
                format!(
                    "signs sequence {} with hash {}, not snapshot {} ({})",
                    cp.size,
                    cp.hash_hex(),
                    s.content.sequence,
                    s.sha256
                ),
            ));
        }
        Ok(note)
    };
    for s in chain {
        let path = checkpoint_path(s.content.sequence, &s.sha256);
        if let Err(e) = check(&path, read(&path), s) {
            errors.push(e);
        }
    }
    let Some(head) = chain.last() else {
        return Err(errors);
    };
    let note = match check(CHECKPOINT_PATH, head_note, head) {
        Ok(n) => n,
        Err(e) => {
            errors.push(e);
            return Err(errors);
        }
    };
    let mut witnessed = Vec::new();
    for w in witnesses {
        match checkpoint::verify_cosignature(&note, w) {
            Ok(t) => witnessed.push((w.name().to_owned(), t)),
            Err(e) => errors.push(err(CHECKPOINT_PATH, format!("witness: {e}"))),
        }
    }
    if errors.is_empty() {
        Ok(Signed::Signed {
            cosignatures: checkpoint::claimed_cosignatures(&note, key.name()),
            key: Box::new(key),
            witnessed,
        })
    } else {
        Err(errors)
    }
}

/// Checks a dashboard address for the notice's QR code: empty (no code) or an absolute
/// `http(s)://` URL without spaces.
///
/// # Errors
///
/// `Err(())` for anything else (`javascript:`, a bare host name, text with spaces).
///
/// ```
/// use linli_domain::snapshot::publish::check_dashboard_url;
/// assert!(check_dashboard_url("").is_ok());
/// assert!(check_dashboard_url("https://example.org/a/").is_ok());
/// assert!(check_dashboard_url("example.org").is_err());
/// assert!(check_dashboard_url("javascript:alert(1)").is_err());
/// assert!(check_dashboard_url("https://a b.org").is_err());
/// ```
#[allow(clippy::result_unit_err)]
pub fn check_dashboard_url(url: &str) -> Result<(), ()> {
    let u = url.trim();
    let scheme = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://"));
    match scheme {
        None if u.is_empty() => Ok(()),
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') && !u.contains(char::is_whitespace) => {
            Ok(())
        }
        _ => Err(()),
    }
}

/// The dashboard's files a built `index.html` (Trunk's output) loads — relative names
/// only — plus the ones it loads by script: service worker, history checks, manifest,
/// icon. The
/// workspace packs these with the publication.
///
/// ```
/// use linli_domain::snapshot::publish::site_files;
/// let html = r#"<link rel="modulepreload" href="./linli-dashboard-ab12.js"><link rel="stylesheet" href="./style-99.css">
/// <script type="module">import init from './linli-dashboard-ab12.js';init({ module_or_path: './linli-dashboard-ab12_bg.wasm' });</script>
/// <a href="https://x.org/a.js">x</a>"#;
/// let f = site_files(html);
/// assert!(f.contains(&"linli-dashboard-ab12_bg.wasm".to_owned()) && f.contains(&"style-99.css".to_owned()));
/// assert_eq!(f.iter().filter(|x| x.as_str() == "linli-dashboard-ab12.js").count(), 1);
/// assert!(!f.iter().any(|x| x.contains("x.org")));
/// ```
pub fn site_files(html: &str) -> Vec<String> {
    let mut out: Vec<String> = [
        "index.html",
        "sw.js",
        "trust.js",
        "manifest.webmanifest",
        "favicon.svg",
    ]
    .map(String::from)
    .to_vec();
    for quote in ['"', '\''] {
        for part in html.split(quote).skip(1).step_by(2) {
            let Some(name) = part.strip_prefix("./") else {
                continue;
            };
            let plain = !name.is_empty()
                && name.contains('.')
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                && !name.starts_with('.');
            if plain && !out.iter().any(|x| x == name) {
                out.push(name.to_owned());
            }
        }
    }
    out
}

/// The files the dashboard's `sw.js` caches at install (its `const ASSETS = [...]`, filled
/// by the build: the intake worker's files, issue #18). `index.html` does not name them
/// (the page loads them when a form opens), so the workspace packs them with
/// [`site_files`]. Plain file names only.
///
/// ```
/// use linli_domain::snapshot::publish::sw_assets;
/// let sw = r#"const CACHE = 'x';
/// const ASSETS = ["intake_worker_loader.js","intake_worker-1f.js","../up.js"];"#;
/// assert_eq!(sw_assets(sw), ["intake_worker_loader.js", "intake_worker-1f.js"]);
/// assert!(sw_assets("const CACHE = 'x';").is_empty());
/// ```
pub fn sw_assets(sw: &str) -> Vec<String> {
    let Some(start) = sw.find("const ASSETS = [") else {
        return Vec::new();
    };
    let rest = &sw[start..];
    let list = &rest[..rest.find(']').unwrap_or(rest.len())];
    list.split('"')
        .skip(1)
        .step_by(2)
        .filter(|n| {
            !n.is_empty()
                && !n.starts_with('.')
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
        .map(str::to_owned)
        .collect()
}

/// `1234` basis points → `12.34%`.
pub fn percent_bp(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let a = bp.unsigned_abs();
    format!("{sign}{}.{:02}%", a / 100, a % 100)
}

/// The dashboard's headline cards (label, value), in Chinese or English: the dashboard
/// renders them, and [`prerender_index`] writes the same into the published page.
pub fn headline_cards(c: &Content, zh: bool) -> Vec<(&'static str, String)> {
    let t = |a: &'static str, b: &'static str| if zh { a } else { b };
    let h = &c.headline;
    let count = |v: Option<u64>| {
        v.map_or_else(
            || t("少于公布下限", "below publication minimum").to_owned(),
            |n| n.to_string(),
        )
    };
    vec![
        (
            t("本期资金（本期可分配）", "This period's fund (to allocate)"),
            if c.allocation_status == super::ADOPTED {
                format_yuan(h.budget_fen)
            } else {
                t("尚未采纳分配方案", "No allocation adopted yet").to_owned()
            },
        ),
        (
            t(
                "各项目累计支出（历期合计，含往期资金）",
                "Spent on projects, all periods to date",
            ),
            format_yuan(h.plans_spent_fen),
        ),
        (t("户数", "Households"), count(h.households)),
        (t("居民", "Residents"), count(h.residents)),
        (
            t("60 岁及以上", "Aged 60+"),
            h.aged_60_plus_bp
                .map_or_else(|| "—".to_owned(), |b| percent_bp(i64::from(b))),
        ),
        (
            t("诉求办结", "Requests closed"),
            format!("{} / {}", h.requests_closed, h.requests_total),
        ),
    ]
}

/// The dashboard's title line and lead paragraph.
pub fn header_texts(c: &Content, zh: bool) -> (String, String, String) {
    if zh {
        (
            c.community.name_zh.clone(),
            format!("公示看板 · 资金周期 {} · 发布于 {}", c.period, c.as_of),
            "本看板公开本社区的钱用在哪里、由谁出资、各项目进度与公示期、各项指标与目标，并可凭查询码查看诉求办理情况。数字均来自社区发布的公示数据，并附防篡改校验码。".to_owned(),
        )
    } else {
        (
            c.community.name_en.clone(),
            format!("Public dashboard · Period {} · published {}", c.period, c.as_of),
            "Where this community's money goes, who pays, how far each project is, its public notices, the indicators against their targets, and your request by its tracking code. All figures come from the community's published data, sealed with a tamper-evident hash.".to_owned(),
        )
    }
}

/// Where [`prerender_index`] writes the page's first view in the dashboard's `index.html`
/// (it keeps the markers, so publishing again replaces the view).
pub const PRERENDER_MARKER: &str = "<!--linli:prerender-->";
/// The end of a written first view.
pub const PRERENDER_END: &str = "<!--/linli:prerender-->";

/// The dashboard's `index.html` with its first view (title, lead and headline cards, in
/// Chinese, and the same in English behind a language switch that works before any code
/// runs: a checkbox and CSS, issue #17 item 12) written in, so residents on a slow network
/// read the figures before the code arrives; the code replaces it with the verified page,
/// in the language chosen meanwhile. All text is escaped. Without the marker the page is
/// returned unchanged.
pub fn prerender_index(index_html: &str, c: &Content) -> String {
    let e = escape_html;
    let mut h = String::with_capacity(4_096);
    // The data starts downloading with the code, not after it (published pages only:
    // the unpublished template and the workspace's preview have no snapshot.json).
    h.push_str("<link rel=\"preload\" href=\"snapshot.json\" as=\"fetch\" crossorigin=\"anonymous\">");
    h.push_str("<main id=\"boot\" aria-busy=\"true\"><input type=\"checkbox\" id=\"boot-en\" class=\"boot-en\" aria-label=\"English / 中文\">");
    for zh in [true, false] {
        let (title, sub, lead) = header_texts(c, zh);
        let (class, lang, switch, loading) = if zh {
            ("boot-zh", "zh-CN", "English", "正在核验并加载完整看板…")
        } else {
            (
                "boot-en-view",
                "en",
                "中文",
                "Verifying and loading the full dashboard…",
            )
        };
        h.push_str(&format!(
            "<div class=\"{class}\" lang=\"{lang}\"><header class=\"top\"><div>"
        ));
        h.push_str(&format!("<h1>{}</h1><p class=\"sub\">{}</p>", e(&title), e(&sub)));
        // The same header as the page's, language switch included, so nothing moves when
        // the code takes over; usable at once (it toggles the checkbox above).
        h.push_str(&format!(
            "</div><label for=\"boot-en\" class=\"lang\">{switch}</label></header>"
        ));
        h.push_str(&format!("<p class=\"lead\">{}</p><dl class=\"cards\">", e(&lead)));
        for (k, v) in headline_cards(c, zh) {
            h.push_str(&format!(
                "<div class=\"card\"><dt>{}</dt><dd>{}</dd></div>",
                e(k),
                e(&v)
            ));
        }
        h.push_str(&format!(
            "</dl><p class=\"loading-line\" role=\"status\">{loading}</p></div>"
        ));
    }
    h.push_str("</main>");
    let Some(start) = index_html.find(PRERENDER_MARKER) else {
        return index_html.to_owned();
    };
    let after = start + PRERENDER_MARKER.len();
    let end = index_html[after..]
        .find(PRERENDER_END)
        .map_or(after, |i| after + i + PRERENDER_END.len());
    format!(
        "{}{PRERENDER_MARKER}{h}{PRERENDER_END}{}",
        &index_html[..start],
        &index_html[end..]
    )
}

/// Escapes text for HTML element content and quoted attribute values.
///
/// ```
/// assert_eq!(
///     linli_domain::snapshot::publish::escape_html("<script>&\"'"),
///     "&lt;script&gt;&amp;&quot;&#39;"
/// );
/// ```
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The Chinese name of a plan stage code ([`crate::plans::Stage::code`]).
pub fn stage_zh(stage: &str) -> &'static str {
    match stage {
        "notice" => "公示中",
        "council" => "待居民议事会审议",
        "assessment" => "待专业评估",
        "street_review" => "待街道审核",
        "execution" => "实施中",
        "change_notice" => "预算调整公示中",
        "accounts" => "已决算",
        "closed" => "已评估结项",
        _ => "退回修改",
    }
}

/// A QR code of `url` as an SVG element (black modules on white).
pub fn qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
    )
}

/// The printable A4 notice (公示栏): community, period, budget and pools, allocation by
/// category, cost sharing, plans in public notice with their dates, the hash and the
/// previous hash, and a QR code to the dashboard. Every text is escaped.
pub fn notice_html(c: &Content, sha256: &str, dashboard_url: Option<&str>) -> String {
    notice_html_signed(c, sha256, dashboard_url, None)
}

/// [`notice_html`] with the publishing key's fingerprint (or "not signed" without one).
/// The QR code carries the dashboard's address with the head ([`head_url`]).
pub fn notice_html_signed(
    c: &Content,
    sha256: &str,
    dashboard_url: Option<&str>,
    fingerprint: Option<&str>,
) -> String {
    let e = escape_html;
    let mut h = String::with_capacity(8_192);
    h.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">");
    // The notice has no script: its QR code is inline SVG, its style an inline <style>.
    h.push_str(NOTICE_CSP);
    h.push_str(&format!("<title>{} 公示</title>", e(&c.community.name_zh)));
    h.push_str(
        // One A4 page whatever the data (issue #17): small type, two columns for the money
        // tables, at most `NOTICE_PLAN_ROWS` plans (the rest counted, on the dashboard).
        "<style>@page{size:A4;margin:12mm}body{font-family:\"Noto Sans CJK SC\",\"PingFang SC\",\"Microsoft YaHei\",sans-serif;\
         color:#000;font-size:10pt;line-height:1.32;max-width:186mm;margin:0 auto}h1{font-size:17pt;margin:0 0 2mm}\
         h2{font-size:11.5pt;margin:3mm 0 1mm;border-bottom:1.2pt solid #000}table{border-collapse:collapse;width:100%}\
         td,th{border:0.6pt solid #444;padding:0.5mm 1.5mm;text-align:left;vertical-align:top}td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\
         p{margin:1mm 0}.period{font-size:11pt;font-weight:bold}.cols{display:grid;grid-template-columns:1fr 1fr;gap:5mm}\
         .hash{font-family:monospace;font-size:7.5pt;word-break:break-all}.qr{float:right;width:32mm;margin:0 0 2mm 4mm;text-align:center;font-size:8pt}\
         .qr svg{width:32mm;height:32mm}.more{font-size:9pt}.ask{font-weight:bold;margin-top:2mm}</style></head><body>",
    );
    h.push_str("<div class=\"qr\">");
    match dashboard_url.and_then(|u| qr_svg(&head_url(u, c.sequence, sha256)).map(|s| (u, s))) {
        Some((u, svg)) => {
            h.push_str(&svg);
            h.push_str(&format!("<div>扫码查看公示看板<br>{}</div>", e(u)));
        }
        None => h.push_str("<div>（未设置看板网址，无二维码）</div>"),
    }
    h.push_str("</div>");
    let until = super::notice_until(c).unwrap_or_else(|| c.as_of.clone());
    h.push_str(&format!(
        "<h1>{} · 资源配置公示</h1><p class=\"period\" data-notice-period>公示期：{} 至 {}</p><p>第 {} 期公示 · 资金周期 {}</p>",
        e(&c.community.name_zh),
        e(&c.as_of),
        e(&until),
        c.sequence,
        e(if c.period.is_empty() { "—" } else { &c.period })
    ));
    h.push_str("<div class=\"cols\"><div>");
    if let Some(p) = c.pools.iter().find(|p| p.kind == "money") {
        h.push_str(&format!(
            "<h2>本期资金</h2><table><tr><th>总额</th><th>应急池</th><th>基础池</th><th>机动池</th></tr>\
             <tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr></table>",
            format_yuan(p.total),
            format_yuan(p.reserve),
            format_yuan(p.base),
            format_yuan(p.flexible)
        ));
    }
    if !c.allocation.is_empty() {
        h.push_str("<h2>按类别分配</h2><table><tr><th>类别</th><th>金额（元）</th><th>占比</th></tr>");
        for a in &c.allocation {
            // Disclosure rules (`super::disclosure`): withheld lines say so; amounts are rounded.
            let (amount, share) = match (a.amount_fen, a.share_bp) {
                (Some(x), Some(b)) => (
                    format!("约 {}", format_yuan(x)),
                    format!("{}.{:02}%", b / 100, b % 100),
                ),
                _ => ("合并公布".to_owned(), "—".to_owned()),
            };
            h.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                e(&a.name_zh),
                amount,
                share
            ));
        }
        h.push_str("</table>");
    }
    h.push_str("</div><div>");
    if !c.cost_sharing.by_funder.is_empty() {
        h.push_str("<h2>多方分担</h2><table><tr><th>出资方</th><th>金额（元）</th></tr>");
        for f in &c.cost_sharing.by_funder {
            let name = match f.funder.as_str() {
                "government" => "政府".to_owned(),
                "market" => "市场".to_owned(),
                "society" => "社会".to_owned(),
                "residents" => "居民".to_owned(),
                other => e(other),
            };
            h.push_str(&format!(
                "<tr><td>{name}</td><td class=\"n\">{}</td></tr>",
                format_yuan(f.amount_fen)
            ));
        }
        h.push_str("</table>");
    }
    if c.allocation_status != super::ADOPTED {
        h.push_str("<h2>本期分配</h2><p>本期尚未采纳分配方案。</p>");
    }
    h.push_str("</div></div>");
    if !c.plans.is_empty() {
        h.push_str(
            "<h2>项目与公示期</h2><table><tr><th>项目</th><th>阶段</th><th>预算（元）</th><th>已支出（元）</th><th>公示期</th></tr>",
        );
        // Plans on notice first, then those in progress, then the rest, newest first.
        let mut plans: Vec<&super::PlanPublic> = c.plans.iter().collect();
        let rank = |p: &super::PlanPublic| match p.stage.as_str() {
            "notice" | "change_notice" => 0,
            "closed" => 2,
            _ => 1,
        };
        plans.sort_by(|a, b| rank(a).cmp(&rank(b)).then(b.id.cmp(&a.id)));
        let more = plans.len().saturating_sub(NOTICE_PLAN_ROWS);
        plans.truncate(NOTICE_PLAN_ROWS);
        for p in plans {
            // The running notice, else the last one.
            let n = p
                .notices
                .iter()
                .rev()
                .find(|n| n.ended.is_none())
                .or_else(|| p.notices.last());
            let notice = n.map_or_else(
                || "—".to_owned(),
                |n| format!("{} 至 {}", e(&n.start), e(&n.last_day)),
            );
            // A redacted title says so (`super::freetext`).
            let title = c
                .texts
                .redacted(&format!("plans/{}/title", p.id))
                .map_or_else(|| p.title.clone(), |r| redacted_zh(&r.on));
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{notice}</td></tr>",
                e(&title),
                stage_zh(&p.stage),
                format_yuan(p.budget_fen),
                format_yuan(p.spent_fen)
            ));
        }
        h.push_str("</table>");
        if more > 0 {
            h.push_str(&format!(
                "<p class=\"more\">另有 {more} 个项目（已结项或未在公示中），详见公示看板。</p>"
            ));
        }
    }
    h.push_str(&format!(
        "<h2>防篡改校验</h2><p>本期公示内容的 SHA-256：<span class=\"hash\">{}</span></p><p>上一期：<span class=\"hash\">{}</span></p>",
        e(sha256),
        c.previous_sha256.as_deref().map_or_else(|| "（首期公示）".to_owned(), e)
    ));
    match fingerprint {
        Some(f) => h.push_str(&format!(
            "<p>社区公示签名密钥指纹（请与看板和 <code>linli verify</code> 显示的指纹核对）：<span class=\"hash\" data-fingerprint>{}</span></p>",
            e(f)
        )),
        None => h.push_str("<p>本期公示未签名（未设置社区公示密钥）。</p>"),
    }
    h.push_str(&format!(
        "<p class=\"ask\" data-objections>如对公示内容有异议，请于 {} 前（含当日）向社区居委会反映。</p></body></html>\n",
        e(&until)
    ));
    h
}
