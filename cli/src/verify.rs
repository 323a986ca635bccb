//! `linli verify DIR`: reads a published folder as an outsider would serve it, and refuses
//! anything a hostile host could use to make it read elsewhere or without end.
//!
//! Only **regular files inside the folder** are read: a path from the history index is
//! refused if it is absolute, has an empty, `.` or `..` component or a backslash; every
//! folder on the way (`snapshots/`) must be a real folder, not a symbolic link; the file
//! itself must be a regular file, not a symbolic link (a link to `/etc/passwd` was followed
//! before), a device (`/dev/zero`), a FIFO or a socket. The folder given on the command line
//! may itself be a link: that is the caller's choice.
//!
//! Reading is capped: at most [`MAX_FILE_BYTES`] per file (a snapshot larger than that
//! would be refused by `snapshot::file::decode` anyway) and [`MAX_TOTAL_BYTES`] for the
//! whole folder. A file over the cap is refused from its size, without being read; a file
//! that grows while it is read is cut at the cap and refused.
//!
//! Each refusal names the file and the reason, and fails the verification even when the
//! rest would verify (a refused history index must not be mistaken for "no history").

use std::cell::RefCell;
use std::fs;
use std::io::Read;
use std::path::Path;

use anyhow::{bail, Result};
use linli_domain::signing::VerifierKey;
use linli_domain::snapshot::{file, publish};

/// The most `verify` reads from one file: 64 MiB, the largest snapshot
/// `snapshot::file::decode` accepts.
pub const MAX_FILE_BYTES: u64 = file::MAX_BYTES as u64;

/// The most `verify` reads from one folder, all files together: 1 GiB.
pub const MAX_TOTAL_BYTES: u64 = 1 << 30;

/// A file `verify` would not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The path relative to the folder, as the history index names it.
    pub path: String,
    pub reason: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: refused: {}", self.path, self.reason)
    }
}

/// Reads files of one published folder within the rules above, remembering what it refused.
pub struct FolderReader<'a> {
    dir: &'a Path,
    max_file: u64,
    max_total: u64,
    read_so_far: RefCell<u64>,
    refused: RefCell<Vec<Refusal>>,
}

impl<'a> FolderReader<'a> {
    /// A reader of `dir` with the default caps.
    pub fn new(dir: &'a Path) -> Self {
        Self::with_caps(dir, MAX_FILE_BYTES, MAX_TOTAL_BYTES)
    }

    /// A reader with other caps (tests).
    pub fn with_caps(dir: &'a Path, max_file: u64, max_total: u64) -> Self {
        Self {
            dir,
            max_file,
            max_total,
            read_so_far: RefCell::new(0),
            refused: RefCell::new(Vec::new()),
        }
    }

    /// What was refused so far.
    pub fn refusals(&self) -> Vec<Refusal> {
        self.refused.borrow().clone()
    }

    fn refuse(&self, rel: &str, reason: String) -> Option<Vec<u8>> {
        let mut refused = self.refused.borrow_mut();
        if !refused.iter().any(|r| r.path == rel) {
            refused.push(Refusal {
                path: rel.to_owned(),
                reason,
            });
        }
        None
    }

    /// Reads `rel` (a `/`-separated path from a history index) inside the folder: `None`
    /// if it does not exist or was refused (see [`FolderReader::refusals`]).
    pub fn read(&self, rel: &str) -> Option<Vec<u8>> {
        if rel.is_empty()
            || rel.starts_with('/')
            || rel.contains('\\')
            || rel.split('/').any(|c| c.is_empty() || c == "." || c == "..")
        {
            return self.refuse(
                rel,
                "the path leaves the folder or is not a plain relative path".into(),
            );
        }
        let parts: Vec<&str> = rel.split('/').collect();
        let mut path = self.dir.to_path_buf();
        for (i, part) in parts.iter().enumerate() {
            path.push(part);
            let meta = match fs::symlink_metadata(&path) {
                Ok(m) => m,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
                Err(e) => return self.refuse(rel, format!("cannot be examined ({e})")),
            };
            let ft = meta.file_type();
            let last = i + 1 == parts.len();
            if ft.is_symlink() {
                let what = if last { "the file" } else { "the folder on its way" };
                return self.refuse(
                    rel,
                    format!(
                        "{what} `{}` is a symbolic link; only regular files inside the folder are read",
                        parts[..=i].join("/")
                    ),
                );
            }
            if !last {
                if !ft.is_dir() {
                    return None;
                }
                continue;
            }
            if !ft.is_file() {
                return self.refuse(
                    rel,
                    format!(
                        "it is not a regular file (it is {}); only regular files are read",
                        kind(&ft)
                    ),
                );
            }
            return self.read_regular(rel, &path, &meta);
        }
        None
    }

    fn read_regular(&self, rel: &str, path: &Path, meta: &fs::Metadata) -> Option<Vec<u8>> {
        let len = meta.len();
        if len > self.max_file {
            return self.refuse(
                rel,
                format!(
                    "it has {len} bytes, more than the limit of {} bytes per file",
                    self.max_file
                ),
            );
        }
        let so_far = *self.read_so_far.borrow();
        if so_far.saturating_add(len) > self.max_total {
            return self.refuse(
                rel,
                format!(
                    "the folder's files exceed the limit of {} bytes in all",
                    self.max_total
                ),
            );
        }
        let mut f = match fs::File::open(path) {
            Ok(f) => f,
            Err(e) => return self.refuse(rel, format!("cannot be opened ({e})")),
        };
        // The file opened must be the one examined (not swapped for a link or a device).
        match f.metadata() {
            Ok(m) if m.is_file() && same_file(meta, &m) => {}
            _ => return self.refuse(rel, "it changed while it was being opened".into()),
        }
        let cap = self.max_file.min(self.max_total - so_far);
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        if let Err(e) = (&mut f).take(cap.saturating_add(1)).read_to_end(&mut bytes) {
            return self.refuse(rel, format!("cannot be read ({e})"));
        }
        if bytes.len() as u64 > cap {
            return self.refuse(
                rel,
                format!("it grew beyond the limit of {cap} bytes while it was read"),
            );
        }
        *self.read_so_far.borrow_mut() = so_far + bytes.len() as u64;
        Some(bytes)
    }
}

fn kind(ft: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_block_device() || ft.is_char_device() {
            return "a device";
        }
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.len() == b.len()
}

/// The disclosure rules on every snapshot of the current layout and on each consecutive
/// pair of them (what `prepare` checks before publishing, checked again by an auditor on
/// what was actually published): `privacy: #N path: reason`. Snapshots of an older layout
/// are read for their seal only and are not checked.
fn privacy_problems(chain: &[linli_domain::snapshot::file::Snapshot]) -> Vec<String> {
    use linli_domain::snapshot::{privacy, VERSION};
    let current: Vec<_> = chain.iter().filter(|s| s.version == VERSION).collect();
    let mut out = Vec::new();
    for s in &current {
        for v in privacy::check(&s.content) {
            out.push(format!(
                "privacy: #{} {}: {}",
                s.content.sequence, v.path, v.reason
            ));
        }
    }
    for w in current.windows(2) {
        for v in privacy::check_pair(&w[0].content, &w[1].content) {
            out.push(format!(
                "privacy: #{} against #{} {}: {}",
                w[1].content.sequence, w[0].content.sequence, v.path, v.reason
            ));
        }
    }
    out
}

/// `linli verify DIR [--key VKEY] [--witness VKEY]…`: prints `{"ok": true, …}` (with the
/// signature: `"signature": "signed"` and the key's fingerprint, or `"not signed"`) or
/// fails with every problem found.
pub fn run(dir: &Path, key: Option<&str>, witnesses: &[String]) -> Result<()> {
    let expected = key
        .map(|k| VerifierKey::parse(k).map_err(|e| anyhow::anyhow!("--key: {e}")))
        .transpose()?;
    let witnesses = witnesses
        .iter()
        .map(|k| VerifierKey::parse(k).map_err(|e| anyhow::anyhow!("--witness: {e}")))
        .collect::<Result<Vec<_>>>()?;
    let reader = FolderReader::new(dir);
    let result = publish::verify_folder(|p| reader.read(p));
    let result = result.and_then(|chain| {
        publish::verify_signatures(|p| reader.read(p), &chain, expected.as_ref(), &witnesses)
            .map(|signed| (chain, signed))
    });
    let refused = reader.refusals();
    let mut problems: Vec<String> = refused.iter().map(ToString::to_string).collect();
    let privacy = match &result {
        Ok((chain, _)) if refused.is_empty() => privacy_problems(chain),
        _ => Vec::new(),
    };
    match result {
        Ok(_) if !privacy.is_empty() => problems.extend(privacy),
        Ok((chain, signed)) if refused.is_empty() => {
            let last = chain.last().map(|s| (s.content.sequence, s.sha256.clone()));
            let mut summary = serde_json::json!({
                "ok": true,
                "snapshots": chain.len(),
                "latest_sequence": last.as_ref().map(|l| l.0),
                "latest_sha256": last.map(|l| l.1),
            });
            match signed {
                publish::Signed::NotSigned => {
                    summary["signature"] = "not signed".into();
                }
                publish::Signed::Signed {
                    key,
                    cosignatures,
                    witnessed,
                } => {
                    summary["signature"] = "signed".into();
                    summary["key"] = key.to_string().into();
                    summary["fingerprint"] = key.fingerprint().into();
                    summary["cosignatures"] = cosignatures
                        .iter()
                        .map(|c| serde_json::json!({"name": c.name, "key_id": format!("{:08x}", c.key_id), "timestamp": c.timestamp, "verified": witnessed.iter().any(|w| w.0 == c.name)}))
                        .collect();
                }
            }
            println!("{summary}");
            return Ok(());
        }
        Ok(_) => {}
        Err(errors) => {
            let was_refused = |path: &str| refused.iter().any(|r| r.path == path);
            for e in errors {
                // A refused file is reported as refused, not as missing or as differing
                // from the history.
                match &e {
                    publish::FolderError::Missing { path } if was_refused(path) => continue,
                    publish::FolderError::NotLatest if was_refused(publish::SNAPSHOT_PATH) => continue,
                    _ => {}
                }
                problems.push(e.to_string());
            }
        }
    }
    bail!(
        "`{}` does not verify:\n  {}",
        dir.display(),
        problems.join("\n  ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_and_paths() {
        let dir = std::env::temp_dir().join(format!("linli-verify-caps-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("snapshots")).unwrap();
        fs::write(dir.join("a.json"), vec![b'x'; 600]).unwrap();
        fs::write(dir.join("snapshots/b.json"), vec![b'x'; 600]).unwrap();
        fs::write(dir.join("big.json"), vec![b'x'; 1001]).unwrap();
        let r = FolderReader::with_caps(&dir, 1000, 1000);
        assert_eq!(r.read("a.json").map(|b| b.len()), Some(600));
        // 600 more would pass the total of 1000.
        assert_eq!(r.read("snapshots/b.json"), None);
        assert_eq!(r.read("big.json"), None);
        assert_eq!(r.read("../a.json"), None);
        assert_eq!(r.read("/etc/passwd"), None);
        // Missing is not refused: the caller reports it as missing.
        assert_eq!(r.read("missing.json"), None);
        let refused = r.refusals();
        let reasons: Vec<(&str, &str)> = refused
            .iter()
            .map(|x| (x.path.as_str(), x.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(reasons[0].0 == "snapshots/b.json" && reasons[0].1.contains("1000 bytes in all"));
        assert!(
            reasons[1].0 == "big.json" && reasons[1].1.contains("1001 bytes, more than the limit of 1000")
        );
        assert!(reasons[2].1.contains("leaves the folder") && reasons[3].1.contains("leaves the folder"));
        fs::remove_dir_all(&dir).unwrap();
    }
}
