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

use serde::{Deserialize, Serialize};

use crate::model::{Fen, Millis};
use crate::plans::CivilDate;

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
