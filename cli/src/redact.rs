//! `linli redact FOLDER --field PATH [--sequence N] [--at YYYY-MM-DD]`: removes one published
//! free-text field from a published folder, in place, keeping its commitment
//! (`snapshot::freetext`): every snapshot's hash, the history index and every signed
//! checkpoint stay as they are, so `linli verify` still accepts the folder, and the
//! dashboard shows "redacted on DATE" in place of the text.
//!
//! Without `--sequence`, the field is redacted in every snapshot that still shows a text
//! there (a plan's title is in every snapshot since the plan was first published). Files
//! are read as `linli verify` reads them (regular files inside the folder, capped) and each
//! changed file is written to a temporary name and renamed over the old one.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};
use linli_domain::snapshot::freetext::{self, RedactError};
use linli_domain::snapshot::{file, publish};

use crate::verify::FolderReader;

/// Today in China Standard Time, `YYYY-MM-DD`.
fn today(now_ms: i64) -> String {
    let day = (now_ms + 8 * 3_600_000).div_euclid(86_400_000);
    let (y, m, d) = linli_domain::date::civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Runs the command (see the module documentation) and prints a JSON summary.
pub fn run(dir: &Path, field: &str, sequence: Option<u32>, at: Option<String>, now_ms: i64) -> Result<()> {
    let on = at.unwrap_or_else(|| today(now_ms));
    let reader = FolderReader::new(dir);
    // The folder's files this command may change, read once; changes are kept in memory
    // until every redaction succeeded.
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let index: publish::HistoryIndex = match reader.read(publish::INDEX_PATH) {
        Some(b) => serde_json::from_slice(&b).with_context(|| {
            format!(
                "`{}`: {} is not a history index",
                dir.display(),
                publish::INDEX_PATH
            )
        })?,
        None => bail!(
            "`{}` has no readable {}: not a published folder",
            dir.display(),
            publish::INDEX_PATH
        ),
    };
    for p in index.snapshots.iter().map(|e| e.file.clone()).chain([
        publish::SNAPSHOT_PATH.to_owned(),
        publish::NOTICE_PATH.to_owned(),
        publish::INDEX_PATH.to_owned(),
    ]) {
        if let Some(b) = reader.read(&p) {
            files.insert(p, b);
        }
    }
    if let Some(r) = reader.refusals().first() {
        bail!("{r}; nothing was changed");
    }
    let targets: Vec<u32> = match sequence {
        Some(s) => vec![s],
        None => index
            .snapshots
            .iter()
            .filter(|e| {
                files
                    .get(&e.file)
                    .and_then(|b| file::decode(b).ok())
                    .filter(|s| s.version >= file::COMMITTED_FROM)
                    .is_some_and(|s| {
                        freetext::texts(&s.content)
                            .iter()
                            .any(|(p, t)| p == field && !t.is_empty())
                    })
            })
            .map(|e| e.sequence)
            .collect(),
    };
    if targets.is_empty() {
        bail!(
            "no snapshot of `{}` shows a text at `{field}`; nothing was changed",
            dir.display()
        );
    }
    let mut changed: Vec<String> = Vec::new();
    for s in &targets {
        let out = publish::redact_folder(|p| files.get(p).cloned(), *s, field, &on).map_err(|e| match e {
            RedactError::NoSuchSnapshot { .. } => {
                anyhow::anyhow!("{e} of `{}`; nothing was changed", dir.display())
            }
            e => anyhow::anyhow!("{e}; nothing was changed"),
        })?;
        for f in out {
            if !changed.contains(&f.path) {
                changed.push(f.path.clone());
            }
            files.insert(f.path, f.bytes);
        }
    }
    // The history files first, `snapshot.json` last.
    changed.sort_by_key(|p| (p == publish::SNAPSHOT_PATH, p.clone()));
    for p in &changed {
        let path = dir.join(p);
        let tmp = path.with_extension("tmp");
        fs::write(&tmp, &files[p]).with_context(|| format!("cannot write `{}`", tmp.display()))?;
        fs::rename(&tmp, &path).with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    let summary = serde_json::json!({
        "folder": dir.display().to_string(),
        "field": field,
        "redacted_on": on,
        "sequences": targets,
        "files": changed,
    });
    println!("{summary}");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn today_is_the_china_day() {
        // 2026-11-24 16:30 UTC is 2026-11-25 00:30 in China.
        assert_eq!(super::today(1_795_537_800_000), "2026-11-25");
        assert_eq!(super::today(1_795_492_800_000), "2026-11-24");
    }
}
