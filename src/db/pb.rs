//! Typed reads and writes of the pb view (the only IndexedDB code it uses).
//!
//! Every write is one transaction holding the change and its history entry
//! (`Batch::audit`: the entry's id is chosen inside the transaction). A write
//! to a period's proposals, reviews, ballots or budget is a checked write: the
//! decisions are read in the same transaction and the write is refused
//! (`Ok(Err(DecisionError::PbClosed))`, nothing written) once the period's
//! count is adopted.

/// The result of a write to a period's PB inputs: refused once the period's
/// count is adopted.
pub type PbWrite = Result<Result<(), DecisionError>, DbError>;

use std::collections::BTreeMap;

use linli_domain::dataset::Dataset;
use linli_domain::decisions::{pb_inputs_open, Decision, DecisionError};
use linli_domain::model::{AuditEntry, Ballot, Building, Fen, NeedCategory, Proposal, Setting};
use linli_domain::pb::community::BUDGET_SETTING;

use super::{Batch, Db, DbError, Read};
use crate::browser::now_millis;

/// What the participatory-budgeting page works on: proposals, ballots,
/// settings and buildings (as a partial [`Dataset`], which
/// `linli_domain::pb::community` reads) and the need categories.
#[derive(Debug)]
pub struct PbData {
    pub ds: Dataset,
    pub categories: Vec<NeedCategory>,
}

impl std::ops::Deref for PbData {
    type Target = Dataset;
    fn deref(&self) -> &Dataset {
        &self.ds
    }
}

/// A history entry of the pb view, stamped now; its id is chosen on commit.
fn entry(entity: &str, entity_id: u32, action: &str, summary: String, actor: String) -> AuditEntry {
    super::history_entry(now_millis(), actor, entity, entity_id, action, summary)
}

impl Db {
    /// Writes `b` (to `stores`) in one transaction that first reads the
    /// decisions, unless `period`'s PB inputs are closed.
    async fn pb_input_write(&self, stores: &[&'static str], period: String, b: Batch) -> PbWrite {
        let reads = vec![Read::All {
            store: super::decisions::STORE,
        }];
        self.checked(stores, reads, move |res| {
            let existing: Vec<Decision> = res.records(0)?;
            Ok(pb_inputs_open(&existing, &period).map(|()| (b, ())))
        })
        .await
    }

    /// Everything the participatory-budgeting page shows.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's error name, or a record that does not decode.
    pub async fn pb_data(&self) -> Result<PbData, DbError> {
        let ds = Dataset {
            proposals: self.get_all("proposals").await?,
            ballots: self.get_all("ballots").await?,
            settings: self.settings().await?,
            buildings: self.get_all::<Building>("buildings").await?,
            decisions: super::decisions::list(self).await?,
            ..Dataset::default()
        };
        Ok(PbData {
            ds,
            categories: self.need_categories().await?,
        })
    }

    /// Stores every period's budget (`budgets`, which holds `period`'s new
    /// `fen`) in the `pb_budgets` setting, with its history entry.
    ///
    /// # Errors
    ///
    /// `Ok(Err(DecisionError::PbClosed))` once the period's count is adopted;
    /// [`DbError`] otherwise (e.g. `ConstraintError` for a taken id). Nothing
    /// was written in either case.
    pub async fn save_pb_budgets(
        &self,
        budgets: &BTreeMap<String, Fen>,
        period: &str,
        fen: Fen,
        actor: String,
    ) -> PbWrite {
        let mut b = Batch::default();
        b.put(
            "settings",
            &Setting {
                key: BUDGET_SETTING.to_owned(),
                value: serde_json::to_string(budgets).unwrap_or_default(),
            },
        )?;
        b.audit(entry(
            "settings",
            0,
            "update",
            format!("pb budget {period}: {fen} fen"),
            actor,
        ));
        self.pb_input_write(&["settings"], period.to_owned(), b).await
    }

    /// Stores a proposal's review (its status and note).
    ///
    /// # Errors
    ///
    /// `Ok(Err(DecisionError::PbClosed))` once the period's count is adopted;
    /// [`DbError`] otherwise (e.g. `ConstraintError` for a taken id). Nothing
    /// was written in either case.
    pub async fn save_proposal_review(&self, p: &Proposal, actor: String) -> PbWrite {
        let summary = format!("review: {:?} {}", p.status, p.review_note);
        let mut b = Batch::default();
        b.put("proposals", p)?;
        b.audit(entry("proposals", p.id, "update", summary, actor));
        self.pb_input_write(&["proposals"], p.period.clone(), b).await
    }

    /// Adds a new proposal (refused with `ConstraintError` if its id is taken).
    ///
    /// # Errors
    ///
    /// `Ok(Err(DecisionError::PbClosed))` once the period's count is adopted;
    /// [`DbError`] otherwise (e.g. `ConstraintError` for a taken id). Nothing
    /// was written in either case.
    pub async fn add_proposal(&self, p: &Proposal, actor: String) -> PbWrite {
        let mut b = Batch::default();
        b.add("proposals", p)?;
        b.audit(entry("proposals", p.id, "create", p.title.clone(), actor));
        self.pb_input_write(&["proposals"], p.period.clone(), b).await
    }

    /// Adds one typed paper ballot (refused if its id is taken).
    ///
    /// # Errors
    ///
    /// `Ok(Err(DecisionError::PbClosed))` once the period's count is adopted;
    /// [`DbError`] otherwise (e.g. `ConstraintError` for a taken id). Nothing
    /// was written in either case.
    pub async fn add_ballot(&self, ballot: &Ballot, actor: String) -> PbWrite {
        let mut b = Batch::default();
        b.add("ballots", ballot)?;
        b.audit(entry(
            "ballots",
            ballot.id,
            "create",
            format!("{:?}", ballot.approvals),
            actor,
        ));
        self.pb_input_write(&["ballots"], ballot.period.clone(), b).await
    }

    /// Deletes the ballot just typed (undo of the entry).
    ///
    /// # Errors
    ///
    /// `Ok(Err(DecisionError::PbClosed))` once the period's count is adopted;
    /// [`DbError`] otherwise (e.g. `ConstraintError` for a taken id). Nothing
    /// was written in either case.
    pub async fn undo_ballot(&self, ballot: &Ballot, actor: String) -> PbWrite {
        let mut b = Batch::default();
        b.delete("ballots", ballot.id);
        b.audit(entry("ballots", ballot.id, "delete", "undo entry".into(), actor));
        self.pb_input_write(&["ballots"], ballot.period.clone(), b).await
    }

    /// Adds imported ballots of `period`, all or nothing, with one history entry.
    ///
    /// # Errors
    ///
    /// `Ok(Err(DecisionError::PbClosed))` once the period's count is adopted;
    /// [`DbError`] otherwise (e.g. `ConstraintError` for a taken id). Nothing
    /// was written in either case.
    pub async fn import_ballots(&self, period: &str, ballots: &[Ballot], actor: String) -> PbWrite {
        if let Some(other) = ballots.iter().find(|b| b.period != period) {
            return Err(DbError::Decode {
                store: "ballots".to_owned(),
                reason: format!("ballot {} belongs to {}, not {period}", other.id, other.period),
            });
        }
        let mut b = Batch::default();
        for ballot in ballots {
            b.add("ballots", ballot)?;
        }
        b.audit(entry(
            "ballots",
            0,
            "import",
            format!("{} ballots", ballots.len()),
            actor,
        ));
        self.pb_input_write(&["ballots"], period.to_owned(), b).await
    }
}
