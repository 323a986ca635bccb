//! Keys, the published history's agreement with the backup, and the witness.
//!
//! * `linli keygen --out FILE [--name NAME] [--witness]` draws 32 bytes from the operating
//!   system and writes the key as Go's note private-key text
//!   (`PRIVATE+KEY+<name>+<id>+<base64>`, file mode 0600, never over an existing file); it
//!   prints the vkey and the fingerprint. A publishing key is named after the community at
//!   publication (`linli_domain::signing::origin`); `--witness` makes a cosigning key.
//! * `linli publish --key FILE` signs with that key (as the backup's `publishing_key`
//!   setting would); the folder's history must agree with the backup's own snapshots.
//! * `linli witness add STATE FOLDER --key FILE [--at SECONDS]` verifies the folder (chain,
//!   privacy rules, the community's signature), refuses a head that does not extend the one
//!   it cosigned last for that community (rollback, rewrite, fork) or a changed publishing
//!   key, then appends its `cosignature/v1` line to `checkpoint` and to the head's
//!   `snapshots/….checkpoint`, and records the head in `STATE/<origin>-<hash>.json`.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use linli_domain::signing::{self, checkpoint, witness, Note, SigningKey};
use linli_domain::snapshot::{file, publish};

use crate::verify::FolderReader;

/// `linli keygen`.
pub fn keygen(out: &Path, name: &str, witness: bool) -> Result<()> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|e| anyhow::anyhow!("no randomness from the system: {e}"))?;
    let key = if witness {
        SigningKey::cosigner(name, seed)
    } else {
        SigningKey::new(name, seed)
    }
    .map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    write_secret(out, &format!("{}\n", key.to_private_text()))?;
    let v = key.verifier();
    println!(
        "{}",
        serde_json::json!({
            "file": out.display().to_string(),
            "vkey": v.to_string(),
            "fingerprint": v.fingerprint(),
            "kind": if witness { "witness" } else { "publishing" },
        })
    );
    Ok(())
}

fn write_secret(out: &Path, text: &str) -> Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(out).with_context(|| {
        format!(
            "cannot create `{}` (an existing key is never overwritten)",
            out.display()
        )
    })?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write `{}`", out.display()))
}

/// Reads a key file written by `linli keygen`, or a bare 64-hex-digit seed (what the
/// `publishing_key` setting holds: a publishing key).
pub fn read_key(path: &Path) -> Result<SigningKey> {
    let meta = fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    if !meta.is_file() || meta.len() > 4096 {
        bail!("`{}` is not a key file", path.display());
    }
    let text = fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    if let Ok(seed) = signing::seed_from_hex(&text) {
        return SigningKey::new("linli/community", seed).map_err(|e| anyhow::anyhow!("{e}"));
    }
    SigningKey::from_private_text(&text).map_err(|e| anyhow::anyhow!("`{}`: {e}", path.display()))
}

/// The history `linli publish` follows: the folder's (`folder`, if it has one) and the
/// backup's own published snapshots (`stored`) must agree snapshot by snapshot; the longer
/// is followed, and where both hold a snapshot the copy with more redacted fields is kept
/// (a redaction does not change a snapshot's hash). A history that does not verify is passed on as is (the preparation
/// reports it).
///
/// # Errors
///
/// The first sequence at which they differ, with both hashes.
pub fn agreed_history(
    out: &Path,
    folder: Option<Vec<Vec<u8>>>,
    stored: Vec<Vec<u8>>,
) -> Result<Vec<Vec<u8>>> {
    let Some(folder) = folder else {
        return Ok(stored);
    };
    let (Ok(a), Ok(b)) = (file::verify_chain(&folder), file::verify_chain(&stored)) else {
        return Ok(folder);
    };
    for (x, y) in a.iter().zip(&b) {
        if x.sha256 != y.sha256 {
            bail!(
                "`{}` holds a history that disagrees with the backup's own published snapshots from sequence {} on \
                 (the folder has {}, the backup {}); nothing was written. Publish into an empty folder, or restore the \
                 folder from the community's own publication",
                out.display(),
                x.content.sequence,
                x.sha256,
                y.sha256
            );
        }
    }
    // Both agree by hash where both have a snapshot; a redaction (`linli redact` on the
    // folder, or in the workspace) changes a file but not its hash, so at each position
    // keep the file with more redacted fields, and the longer history's tail.
    let n = folder.len().max(stored.len());
    let mut merged = Vec::with_capacity(n);
    let mut folder = folder.into_iter();
    let mut stored = stored.into_iter();
    for i in 0..n {
        let redactions = |s: Option<&file::Snapshot>| s.map_or(0, |s| s.content.texts.redacted.len());
        match (folder.next(), stored.next()) {
            (Some(f), Some(s)) => merged.push(if redactions(b.get(i)) > redactions(a.get(i)) {
                s
            } else {
                f
            }),
            (Some(x), None) | (None, Some(x)) => merged.push(x),
            (None, None) => break,
        }
    }
    Ok(merged)
}

/// `new` (a checkpoint file about to be written) with the signature lines of `old` (the
/// file it replaces) kept when both sign the same text: a witness's cosignatures survive
/// a new publication.
pub fn keep_cosignatures(new: &[u8], old: Option<&[u8]>) -> Vec<u8> {
    let (Some(old), Ok(mut n)) = (old.and_then(|o| Note::parse(o).ok()), Note::parse(new)) else {
        return new.to_vec();
    };
    if old.text() != n.text() {
        return new.to_vec();
    }
    for s in old.signatures() {
        if !n
            .signatures()
            .iter()
            .any(|x| x.name == s.name && x.key_id == s.key_id)
        {
            n.add_signature(s.clone());
        }
    }
    n.encode().into_bytes()
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, bytes).with_context(|| format!("cannot write `{}`", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write `{}`", path.display()))
}

/// `linli witness add STATE FOLDER --key FILE [--at SECONDS]`.
pub fn witness_add(state: &Path, folder: &Path, key_file: &Path, at: Option<u64>) -> Result<()> {
    let key = read_key(key_file)?;
    if key.kind() != signing::COSIGNATURE_V1 {
        bail!(
            "`{}` is a publishing key; a witness cosigns with a key made by `linli keygen --witness`",
            key_file.display()
        );
    }
    let reader = FolderReader::new(folder);
    let read = |p: &str| reader.read(p);
    let refuse = |what: String| -> anyhow::Error {
        anyhow::anyhow!("not cosigned: `{}` {what}; nothing was written", folder.display())
    };
    let chain = publish::verify_folder(read).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        refuse(format!("does not verify:\n  {}", list.join("\n  ")))
    })?;
    if let Some(r) = reader.refusals().first() {
        return Err(refuse(format!("does not verify: {r}")));
    }
    let signed = publish::verify_signatures(read, &chain, None, &[]).map_err(|errors| {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        refuse(format!(
            "has a signature that does not verify:\n  {}",
            list.join("\n  ")
        ))
    })?;
    let publish::Signed::Signed { key: community, .. } = signed else {
        return Err(refuse(
            "is not signed (no checkpoint): a witness cosigns only signed histories".into(),
        ));
    };
    let head = chain.last().context("empty history")?;
    let origin = community.name().to_owned();
    fs::create_dir_all(state).with_context(|| format!("cannot create `{}`", state.display()))?;
    let log_path = state.join(witness::log_file_name(&origin));
    let mut log = match fs::read(&log_path) {
        Ok(bytes) => serde_json::from_slice::<witness::WitnessLog>(&bytes)
            .with_context(|| format!("`{}` is not a witness log", log_path.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            witness::WitnessLog::new(&origin, &community.to_string())
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read `{}`", log_path.display())),
    };
    if log.origin != origin {
        bail!(
            "`{}` is the log of `{}`, not of `{origin}`",
            log_path.display(),
            log.origin
        );
    }
    let pairs: Vec<(u64, String)> = chain
        .iter()
        .map(|s| (u64::from(s.content.sequence), s.sha256.clone()))
        .collect();
    witness::check_extension(&log, &community.to_string(), &pairs).map_err(|r| refuse(format!("— {r}")))?;
    let at = match at {
        Some(a) => a,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .context("the system clock is before 1970")?
            .as_secs(),
    };
    let head_path = publish::checkpoint_path(head.content.sequence, &head.sha256);
    // The head's checkpoint verified above; add the cosignature to both copies.
    for rel in [publish::CHECKPOINT_PATH, head_path.as_str()] {
        let bytes = reader.read(rel).with_context(|| format!("cannot read `{rel}`"))?;
        let mut note = Note::parse(&bytes).map_err(|e| anyhow::anyhow!("{rel}: {e}"))?;
        let line = checkpoint::cosign(&note, &key, at).map_err(|e| anyhow::anyhow!("{e}"))?;
        note.add_signature(line);
        write_atomic(&folder.join(rel), note.encode().as_bytes())?;
    }
    log.record(u64::from(head.content.sequence), &head.sha256, at);
    let mut json = serde_json::to_vec_pretty(&log)?;
    json.push(b'\n');
    write_atomic(&log_path, &json)?;
    println!(
        "{}",
        serde_json::json!({
            "cosigned": true,
            "origin": origin,
            "sequence": head.content.sequence,
            "sha256": head.sha256,
            "community_fingerprint": community.fingerprint(),
            "witness": key.verifier().to_string(),
            "timestamp": at,
            "log": log_path.display().to_string(),
        })
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use linli_domain::snapshot::{build, freetext, BuildOptions};

    const AT: i64 = 1_795_492_800_000;

    /// Three snapshots of the demo, chained.
    fn history(seed: u64) -> (Vec<Vec<u8>>, String) {
        let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
            seed,
            households: 300,
            year: 2026,
        });
        let mut out = Vec::new();
        let mut previous = None;
        let mut path = String::new();
        for i in 0..3u32 {
            let mut o = BuildOptions::at(AT + i64::from(i) * 3_600_000);
            o.previous.clone_from(&previous);
            let c = build(&d, &o).unwrap();
            path = format!("plans/{}/title", c.plans[0].id);
            let (text, sha) = file::encode(&c);
            previous = Some((c.sequence, sha));
            out.push(text.into_bytes());
        }
        (out, path)
    }

    fn redacted(h: &[Vec<u8>]) -> Vec<usize> {
        file::verify_chain(h)
            .unwrap()
            .iter()
            .map(|s| s.content.texts.redacted.len())
            .collect()
    }

    #[test]
    fn a_redaction_survives_the_other_sides_longer_history() {
        let (full, path) = history(7);
        let out = Path::new("out");
        // Redacted in the folder (2 snapshots), the backup holds 3 unredacted.
        let folder = freetext::redact_history(&full[..2], 1, &path, "2026-12-10").unwrap();
        let merged = agreed_history(out, Some(folder), full.clone()).unwrap();
        assert_eq!(merged.len(), 3);
        assert_eq!(redacted(&merged), vec![1, 0, 0]);
        // Redacted in the app (backup, 2 snapshots), the folder holds 3 unredacted.
        let stored = freetext::redact_history(&full[..2], 2, &path, "2026-12-11").unwrap();
        let merged = agreed_history(out, Some(full.clone()), stored).unwrap();
        assert_eq!(redacted(&merged), vec![0, 1, 0]);
        // Nothing redacted: the longer history, unchanged.
        assert_eq!(
            agreed_history(out, Some(full[..1].to_vec()), full.clone()).unwrap(),
            full
        );
        // Another community's history disagrees from its first snapshot: refused.
        let (other, _) = history(8);
        assert!(agreed_history(out, Some(other), full.clone()).is_err());
    }
}
