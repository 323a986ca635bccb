//! Typed reads and writes of the dashboard view (the only IndexedDB code it uses).

use linli_domain::dataset::Dataset;
use linli_domain::model::{AuditEntry, Setting, SnapshotRecord};
use linli_domain::snapshot::prepare::{Publication, PUBLIC_URL_KEY};

use super::{Batch, Db, DbError};

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
        let id = d.snapshots.iter().map(|r| r.id).max().unwrap_or(0) + 1;
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
}
