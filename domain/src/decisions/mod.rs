//! Adopted decisions (采纳的决定, issue #14): what the guides decided for a period,
//! kept as immutable records that the snapshot publishes instead of recomputing.
//!
//! Three kinds of [`Decision`]:
//! - [`DecisionKind::AllocationAdopted`]: one stored allocation run adopted for a
//!   period. At most one per period; never changed once adopted.
//! - [`DecisionKind::PbAdopted`]: a participatory-budgeting count adopted for a
//!   period: every proposal on the ballot funded or not, with the rule, its votes
//!   and the exact outcome; funded proposals become draft plans.
//! - [`DecisionKind::ReserveReleased`]: part of the emergency reserve released by
//!   a recorded decision (amount, reason, approver, date) that funds a plan.
//!
//! Records are append-only: the `decisions` store is written, never edited.
//!
//! # Making decisions
//!
//! Each function takes the decisions already recorded and what it checks, and
//! returns the new record (and what it changes) or a [`DecisionError`] naming
//! the rule; a refusal changes nothing. The caller writes the result in one
//! transaction that read the same records.
//!
//! - [`adopt_run`]: the run must exist, be of the period and reproduce its
//!   stored hash; at most one adopted run per period; there is no un-adopt.
//! - [`adopt_pb`]: a PB count, checked against the period's stored proposals,
//!   ballots and budget (the instance's SHA-256 and every vote), gives the
//!   decision, the proposals' new statuses (funded / not funded) and one draft
//!   plan per funded proposal, its budget split by the cost-sharing rule of the
//!   proposal's need class, exact to the fen. One PB adoption per period.
//! - [`release_reserve`]: at most what remains of the reserve of the period's
//!   adopted run; the amount is added to the funded plan's budget (an edit in
//!   draft or notice, a budget change in execution), split by the run's reserve
//!   cost-sharing rule.

mod adopt;
mod error;
mod pb;
mod reserve;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::model::{Fen, Millis};
use crate::plans::{CivilDate, Stamp, MAX_LINE, MAX_TEXT};

pub use adopt::{
    adopt_run, adopted_run, pb_adoption, pb_inputs_open, plan_origins, releases, stored_run, PlanOrigin,
};
pub use error::DecisionError;
pub use pb::{adopt_pb, instance_sha256, split_budget, PbAdoption, PbCount, DEFAULT_PLAN_DESCRIPTION};
pub use reserve::{release_reserve, reserve_status, Release, ReserveStatus};

/// One adopted decision (a record of the `decisions` store, key `id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Key, 1-based, chosen inside the write transaction.
    pub id: u32,
    /// The period decided for, e.g. `2026-Q3`.
    pub period: String,
    /// Business date of the decision, in the community's calendar.
    pub on: CivilDate,
    /// Who recorded it (a guide's name).
    pub actor: String,
    /// When it was recorded (ms since the Unix epoch).
    pub at: Millis,
    /// What was decided.
    pub kind: DecisionKind,
}

/// What a [`Decision`] decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", deny_unknown_fields)]
pub enum DecisionKind {
    /// A stored allocation run (`allocation_runs` id) adopted for the period.
    AllocationAdopted {
        run_id: u32,
        /// The run's `inputs_sha256`, so the adoption names exactly what was verified.
        inputs_sha256: String,
    },
    /// A PB count adopted for the period.
    PbAdopted {
        /// The rule's code (`greedy_cost`, `mes_cost_add1`, …).
        rule: String,
        /// The period's PB budget, fen.
        budget_fen: Fen,
        /// Number of ballots counted.
        voters: u64,
        /// Total cost of the funded proposals, fen.
        funded_fen: Fen,
        /// Every proposal on the ballot, in the order of the count's result.
        projects: Vec<PbProjectOutcome>,
    },
    /// Emergency reserve released to fund a plan.
    ReserveReleased {
        amount_fen: Fen,
        reason: String,
        approver: String,
        /// The plan it funds.
        plan_id: u32,
    },
}

/// One proposal's outcome in an adopted PB count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PbProjectOutcome {
    pub proposal_id: u32,
    pub title: String,
    pub category: String,
    pub cost_fen: Fen,
    /// Ballots approving it.
    pub votes: u64,
    pub funded: bool,
    /// The draft plan created for a funded proposal.
    pub plan_id: Option<u32>,
}

/// Who records a decision, for which period, on which date, under which id
/// (chosen by the caller inside its write transaction: the next free key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub id: u32,
    pub period: String,
    pub on: CivilDate,
    pub by: Stamp,
}

impl Header {
    /// Checks the actor, the period and that `id` is free among `existing`.
    fn check(&self, existing: &[Decision]) -> Result<(), DecisionError> {
        if self.by.actor.trim().is_empty() {
            return Err(DecisionError::NoActor);
        }
        line("the actor", &self.by.actor)?;
        line("the period", &self.period)?;
        if self.id == 0 || existing.iter().any(|d| d.id == self.id) {
            return Err(DecisionError::IdTaken(self.id));
        }
        Ok(())
    }

    /// The record of `kind` under this header.
    fn decision(&self, kind: DecisionKind) -> Decision {
        Decision {
            id: self.id,
            period: self.period.clone(),
            on: self.on,
            actor: self.by.actor.clone(),
            at: self.by.at,
            kind,
        }
    }
}

/// A required one-line text of at most [`MAX_LINE`] characters.
fn line(field: &'static str, s: &str) -> Result<(), DecisionError> {
    if s.trim().is_empty() {
        return Err(DecisionError::Empty { field });
    }
    if s.chars().any(char::is_control) {
        return Err(DecisionError::NotOneLine { field });
    }
    if s.chars().count() > MAX_LINE {
        return Err(DecisionError::TooLong { field, max: MAX_LINE });
    }
    Ok(())
}

/// A required text of at most [`MAX_TEXT`] characters.
fn text(field: &'static str, s: &str) -> Result<(), DecisionError> {
    if s.trim().is_empty() {
        return Err(DecisionError::Empty { field });
    }
    if s.chars().count() > MAX_TEXT {
        return Err(DecisionError::TooLong { field, max: MAX_TEXT });
    }
    Ok(())
}
