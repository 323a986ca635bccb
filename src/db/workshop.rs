//! Typed reads and writes of the workshop view (the only IndexedDB code it uses).
//!
//! The workshop loads once ([`Db::workshop_data`]) and writes, each in one
//! transaction: the plan's layout (the moved buildings and an audit entry), the
//! session (its needs tally in the setting `workshop_needs`, its ballots, the
//! removal of its draft and an audit entry, decided on what is read inside that
//! transaction; the whole session too, in the setting `workshop_session:<start>`,
//! so that it is listed and can be reopened and continued), the session in progress (the setting `workshop_draft`, kept after
//! each change until saved or discarded), and the plan image (set or removed).

use std::convert::Infallible;

use linli_domain::model::{AuditEntry, Ballot, Building, Millis, NeedCategory, Proposal, Setting};
use linli_domain::workshop::draft::{Draft, DRAFT_SETTING};
use linli_domain::workshop::saved::{listed, SavedSession, SAVED_PREFIX};
use linli_domain::workshop::{
    voting_list, Session, WorkshopNeeds, MAX_KEYED, NEEDS_SETTING, PLAN_IMAGE_SETTING,
};
use wasm_bindgen::JsValue;

use super::{Batch, Db, DbError, Read};

/// What the workshop loads once.
#[derive(Debug)]
pub struct WorkshopData {
    pub buildings: Vec<Building>,
    /// The need categories on the number keys (at most [`MAX_KEYED`]).
    pub categories: Vec<NeedCategory>,
    /// Reviewed proposals of `period`, by id.
    pub proposals: Vec<Proposal>,
    /// The latest period with a reviewed proposal.
    pub period: Option<String>,
    /// The uploaded plan image, a `data:image/…` URL.
    pub plan_image: Option<String>,
    /// The session in progress kept before a reload (`Err`: why it cannot be
    /// resumed), `None` when there is none.
    pub draft: Option<Result<Draft, String>>,
    /// The saved sessions, last saved first.
    pub saved: Vec<SavedSession>,
    /// Saved sessions that cannot be read back: setting key and why.
    pub saved_unreadable: Vec<(String, String)>,
}

/// What saving a session wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSaved {
    /// Ballots written (one per participant who voted).
    pub ballots: usize,
}

fn audit(at: Millis, entity: &str, summary: String, actor: String) -> AuditEntry {
    super::history_entry(at, actor, entity, 0, "update", summary)
}

impl Db {
    /// The workshop's data: buildings, keyed categories, the voting list and the
    /// plan image.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn workshop_data(&self) -> Result<WorkshopData, DbError> {
        let buildings: Vec<Building> = self.get_all("buildings").await?;
        let mut categories = self.need_categories().await?;
        categories.truncate(MAX_KEYED);
        let (period, proposals) = voting_list(self.get_all("proposals").await?);
        let (mut image, mut draft) = (None, None);
        let (mut saved, mut saved_unreadable) = (Vec::new(), Vec::new());
        for s in self.settings().await? {
            if s.key == PLAN_IMAGE_SETTING {
                image = Some(s.value);
            } else if s.key == DRAFT_SETTING {
                draft = Some(Draft::parse(&s.value).map_err(|e| e.to_string()));
            } else if s.key.starts_with(SAVED_PREFIX) {
                match SavedSession::parse(&s.value) {
                    Ok(v) => saved.push(v),
                    Err(e) => saved_unreadable.push((s.key, e.to_string())),
                }
            }
        }
        Ok(WorkshopData {
            buildings,
            categories,
            proposals,
            period,
            plan_image: image.filter(|v| v.starts_with("data:image/")),
            draft,
            saved: listed(saved),
            saved_unreadable,
        })
    }

    /// Saves the plan's layout: the `changed` buildings (see
    /// `linli_domain::workshop::Plan::changed`) and one audit entry by `actor` at `at`.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing is written then.
    pub async fn save_workshop_layout(
        &self,
        changed: &[Building],
        actor: String,
        at: Millis,
    ) -> Result<(), DbError> {
        let mut batch = Batch::default();
        for b in changed {
            batch.put("buildings", b)?;
        }
        batch.audit(audit(
            at,
            "buildings",
            format!("workshop layout: {} buildings moved", changed.len()),
            actor,
        ));
        self.commit(batch).await
    }

    /// Saves `session`: the whole session (saved by `actor`, see
    /// `linli_domain::workshop::saved`) replaces an earlier save of it, its needs tally replaces an earlier save of the same
    /// session in the setting `workshop_needs` (a damaged setting is replaced
    /// rather than blocking the save), its ballots for `period` replace that
    /// save's ballots, its draft is removed, and one audit entry by `actor` is
    /// added; `at` stamps the tally and the ballots. The tally and the ballots'
    /// largest id are read inside the write transaction, so two tabs saving at
    /// once cannot lose a tally.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing is written then.
    pub async fn save_workshop_session(
        &self,
        session: &Session,
        period: &str,
        actor: String,
        at: Millis,
    ) -> Result<SessionSaved, DbError> {
        let whole = SavedSession::new(session, Some(period.to_owned()), actor.clone(), at);
        let session = session.clone();
        let period = period.to_owned();
        let reads = vec![
            Read::Get {
                store: "settings",
                key: JsValue::from_str(NEEDS_SETTING),
            },
            Read::MaxKey { store: "ballots" },
        ];
        let r = self
            .checked(&["ballots", "settings"], reads, move |res| {
                let setting: Option<Setting> = res.record(0)?;
                let mut all =
                    WorkshopNeeds::parse(setting.as_ref().map(|s| s.value.as_str())).unwrap_or_default();
                let ballots: Vec<Ballot> = session.ballots(&period, res.max_key(1) + 1, at);
                let ids: Vec<u32> = ballots.iter().map(|b| b.id).collect();
                let old = all.upsert(session.needs_record(at, &period, ids));
                let mut batch = Batch::default();
                for id in &old {
                    batch.delete("ballots", *id);
                }
                for b in &ballots {
                    batch.add("ballots", b)?;
                }
                batch.put(
                    "settings",
                    &Setting {
                        key: NEEDS_SETTING.to_owned(),
                        value: serde_json::to_string(&all).unwrap_or_default(),
                    },
                )?;
                batch.put(
                    "settings",
                    &Setting {
                        key: whole.key(),
                        value: whole.to_json(),
                    },
                )?;
                batch.delete("settings", DRAFT_SETTING);
                batch.audit(audit(
                    at,
                    "settings",
                    format!(
                        "workshop session {}: {} needs dots, {} ballots (replacing {})",
                        session.started_at,
                        session.dots().len(),
                        ballots.len(),
                        old.len()
                    ),
                    actor,
                ));
                Ok(Ok::<_, Infallible>((
                    batch,
                    SessionSaved {
                        ballots: ballots.len(),
                    },
                )))
            })
            .await?;
        Ok(r.unwrap_or_else(|never| match never {}))
    }

    /// Keeps the session in progress (setting `workshop_draft`), replacing the
    /// previous draft; `None` (an empty session) removes it. No history entry: a
    /// draft is not a record yet.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name; the previous draft stays.
    pub async fn keep_workshop_draft(&self, draft: Option<&Draft>) -> Result<(), DbError> {
        let mut batch = Batch::default();
        match draft {
            Some(d) => {
                batch.put(
                    "settings",
                    &Setting {
                        key: DRAFT_SETTING.to_owned(),
                        value: d.to_json(),
                    },
                )?;
            }
            None => {
                batch.delete("settings", DRAFT_SETTING);
            }
        }
        self.commit(batch).await
    }

    /// Discards the session in progress (removes `workshop_draft`), with one
    /// history entry by `actor` at `at`.
    ///
    /// # Errors
    ///
    /// [`DbError`]; nothing was removed then.
    pub async fn discard_workshop_draft(&self, actor: String, at: Millis) -> Result<(), DbError> {
        let mut batch = Batch::default();
        batch.delete("settings", DRAFT_SETTING);
        batch.audit(audit(
            at,
            "settings",
            "workshop draft discarded".to_owned(),
            actor,
        ));
        self.commit(batch).await
    }

    /// Stores the plan image `url` (a checked `data:image/…;base64,` URL) with
    /// one history entry by `actor` at `at`.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn set_workshop_plan_image(&self, url: &str, actor: String, at: Millis) -> Result<(), DbError> {
        let mut batch = Batch::default();
        batch.audit(audit(at, "settings", format!("{PLAN_IMAGE_SETTING}: set"), actor));
        batch.put(
            "settings",
            &Setting {
                key: PLAN_IMAGE_SETTING.to_owned(),
                value: url.to_owned(),
            },
        )?;
        self.commit(batch).await
    }

    /// Removes the plan image, with one history entry by `actor` at `at`.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name.
    pub async fn remove_workshop_plan_image(&self, actor: String, at: Millis) -> Result<(), DbError> {
        let mut batch = Batch::default();
        batch.audit(audit(
            at,
            "settings",
            format!("{PLAN_IMAGE_SETTING}: removed"),
            actor,
        ));
        batch.delete("settings", PLAN_IMAGE_SETTING);
        self.commit(batch).await
    }
}
