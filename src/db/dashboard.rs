//! Typed reads and writes of the dashboard view (the only IndexedDB code it uses).

use linli_domain::dataset::Dataset;
use linli_domain::model::{AuditEntry, Setting, SnapshotRecord};
use linli_domain::order::SortDyn;
use linli_domain::snapshot::prepare::{Publication, PUBLIC_URL_KEY};

use super::{Batch, Db, DbError, Read};

impl Db {
    /// Records publication `p`, prepared from `d`, in one transaction: the snapshot
    /// record (the id after the largest in `d`), the dashboard `address` as the
    /// `public_url` setting, and one history entry by `actor`.
    ///
    /// `new_key`: the community's publishing key made for this first signed
    /// publication (setting `publishing_key`), saved in the same transaction.
    ///
    /// A second tab publishing at the same time fails here (the snapshot id is
    /// taken), changing nothing.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name; nothing was written then.
    pub async fn save_publication(
        &self,
        d: &Dataset,
        p: &Publication,
        address: &str,
        new_key: Option<Setting>,
        actor: String,
    ) -> Result<(), DbError> {
        let id = super::device::next_among(d.snapshots.iter().map(|r| r.id));
        let at = p.content.published_at;
        let mut batch = Batch::default();
        batch.add(
            "snapshots",
            &SnapshotRecord {
                id,
                published_at: at,
                sha256: p.sha256.clone(),
                previous_sha256: p.content.previous_sha256.clone(),
                json: p.text.clone(),
            },
        )?;
        batch.put(
            super::settings::STORE,
            &Setting {
                key: PUBLIC_URL_KEY.to_owned(),
                value: serde_json::to_string(address).unwrap_or_default(),
            },
        )?;
        if let Some(k) = &new_key {
            batch.put(super::settings::STORE, k)?;
        }
        batch.audit(AuditEntry {
            id: 0,
            at,
            actor,
            entity: "snapshots".into(),
            entity_id: id,
            action: "publish".into(),
            summary: format!("#{} {}", p.content.sequence, &p.sha256[..16]),
        });
        self.commit(batch).await
    }

    /// Redacts the published free-text field `path` (`plans/3/title`, …) on the day `on`
    /// from every stored snapshot that still shows a text there
    /// ([`linli_domain::snapshot::freetext::redact_history`]): read, redacted and written
    /// back in one transaction, with one history entry by `actor`. The snapshots' hashes do
    /// not change. Returns the sequences redacted.
    ///
    /// # Errors
    ///
    /// `Ok(Err(_))`: refused (no such field, nothing left to redact, a history that does
    /// not verify), nothing written; [`DbError`] otherwise, nothing written.
    pub async fn redact_field(
        &self,
        path: String,
        on: String,
        at: i64,
        actor: String,
    ) -> Result<Result<Vec<u32>, String>, DbError> {
        use linli_domain::snapshot::{file, freetext};
        let reads = vec![Read::All { store: "snapshots" }];
        self.checked(&["snapshots"], reads, move |res| {
            let mut recs: Vec<SnapshotRecord> = res.records(0)?;
            recs.sort_by_key_dyn(|r| r.id);
            let mut history: Vec<Vec<u8>> = recs.iter().map(|r| r.json.clone().into_bytes()).collect();
            let chain = match file::verify_chain(&history) {
                Ok(c) => c,
                Err(e) => return Ok(Err(e.to_string())),
            };
            let targets: Vec<u32> = chain
                .iter()
                .filter(|s| {
                    freetext::texts(&s.content)
                        .iter()
                        .any(|(p, t)| *p == path && !t.is_empty())
                })
                .map(|s| s.content.sequence)
                .collect();
            if targets.is_empty() {
                return Ok(Err(format!("{path}: no published text")));
            }
            for s in &targets {
                history = match freetext::redact_history(&history, *s, &path, &on) {
                    Ok(h) => h,
                    Err(e) => return Ok(Err(e.to_string())),
                };
            }
            let mut b = Batch::default();
            for (r, json) in recs.iter().zip(history) {
                if json != r.json.as_bytes() {
                    let mut r = r.clone();
                    r.json = String::from_utf8(json).unwrap_or_default();
                    b.put("snapshots", &r)?;
                }
            }
            b.audit(AuditEntry {
                id: 0,
                at,
                actor,
                entity: "snapshots".into(),
                entity_id: 0,
                action: "redact".into(),
                summary: format!("{path} redacted on {on} in snapshots {targets:?}"),
            });
            Ok(Ok((b, targets)))
        })
        .await
    }
}
