//! The public snapshot (公示快照, SPEC §2.9): what residents see on the dashboard, built
//! from the register and everything else, with nothing personal in it.
//!
//! # What is in it, and what is not
//!
//! [`build`] turns a [`Dataset`](crate::dataset::Dataset) into a [`Content`]: headline
//! figures, the period's pools and money allocation by category and by resident group,
//! cost sharing by funder and class, each plan's budget, spending and stage with its
//! public-notice dates, final accounts, coverage of needs by category, satisfaction,
//! indicators against their targets (SPEC §2.10), request statuses by tracking code
//! (status and dates only) and how points are earned.
//!
//! It holds **no** names, contacts, rooms, notes, birth years, household ids, request
//! descriptions or per-household amounts: the types below have no field that could carry
//! them, and [`file::decode`] refuses any field it does not know. Counts of people or
//! households below the minimum cell size ([`MIN_CELL`](crate::suppress::MIN_CELL) = 5;
//! [`MIN_CELL_SENSITIVE`](crate::suppress::MIN_CELL_SENSITIVE) = 10 for health,
//! disability, income and minors) are published as `null`, with complementary suppression
//! ([`crate::suppress`]) wherever the table's total is published. Resident groups whose
//! count is withheld are merged into one "other groups" row, published only when the
//! merged count reaches the minimum itself. [`privacy::check`] re-checks all of this on
//! a snapshot alone (that is what `linli verify` runs).
//!
//! # Tamper evidence
//!
//! A snapshot file is `{"format", "version", "sha256", "content"}`; `sha256` is the
//! SHA-256 of the `content` object's bytes exactly as written in the file, and `content`
//! holds the previous snapshot's hash and a sequence number, so every snapshot seals the
//! whole published history before it ([`file`]).
//!
//! # Determinism
//!
//! No clock and no randomness: the publication time and the previous snapshot are passed
//! in ([`BuildOptions`]). The same dataset and options give the same bytes.

pub mod bounds;
mod build;
pub mod file;
pub mod prepare;
pub mod privacy;
pub mod publish;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use build::{build, BuildOptions, SnapshotError};

/// The `format` field of a snapshot file.
pub const FORMAT: &str = "linli-public-snapshot";
/// Layout version of [`Content`]. A dashboard refuses a newer one.
pub const VERSION: u32 = 1;

/// A count that may be withheld: `None` (JSON `null`) when publishing it could single
/// someone out.
pub type Cell = Option<u64>;

/// Everything a snapshot publishes. Integers only: money in fen, shares in basis points
/// (1/100 of a percent), so the bytes are the same on every machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// 1 for the first snapshot of a community, then +1 each time.
    pub sequence: u32,
    /// The hash of the snapshot this one follows; `None` only for the first.
    pub previous_sha256: Option<String>,
    /// Publication time, ms since the Unix epoch (UTC).
    pub published_at: i64,
    /// The publication day (`YYYY-MM-DD`, China Standard Time), for countdowns.
    pub as_of: String,
    pub community: Community,
    /// The allocation period shown (`YYYY-Qn`), empty without resources.
    pub period: String,
    /// The minimum cell sizes the snapshot was built with.
    pub min_cell: u64,
    pub min_cell_sensitive: u64,
    pub headline: Headline,
    /// One per kind of resource of the period, money first.
    pub pools: Vec<Pool>,
    /// The period's money by category, by category code.
    pub allocation: Vec<CategoryShare>,
    /// The period's money by resident group, with population and need shares.
    pub groups: Vec<GroupShare>,
    pub cost_sharing: CostSharing,
    pub plans: Vec<PlanPublic>,
    pub coverage: Vec<Coverage>,
    pub satisfaction: Satisfaction,
    pub indicators: Vec<Indicator>,
    /// By tracking code.
    pub requests: Vec<RequestPublic>,
    pub points: PointsRules,
}

/// The community's public name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Community {
    pub name_zh: String,
    pub name_en: String,
}

/// Headline figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Headline {
    pub households: Cell,
    pub residents: Cell,
    /// Residents aged 60 or more, in basis points of all residents.
    pub aged_60_plus_bp: Option<u32>,
    /// The period's money, reserve included (fen).
    pub budget_fen: i64,
    /// All plans' budgets and recorded spending (fen).
    pub plans_budget_fen: i64,
    pub plans_spent_fen: i64,
    pub requests_total: u64,
    pub requests_closed: u64,
}

/// The pools of one kind of resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    /// `money`, `slots` or `room_hours`.
    pub kind: String,
    /// `fen`, `slots` or `hours`.
    pub unit: String,
    pub total: i64,
    pub reserve: i64,
    pub base: i64,
    pub flexible: i64,
}

/// One category's share of the period's money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryShare {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// `basic`, `improvement` or `special`.
    pub class: String,
    pub amount_fen: i64,
    pub base_fen: i64,
    pub flexible_fen: i64,
    pub share_bp: u32,
    pub previous_share_bp: Option<u32>,
    pub change_bp: Option<i64>,
}

/// One resident group's share of the money against its share of population and need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupShare {
    /// The group code; `other` for groups merged because they are small.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub households: Cell,
    pub resource_share_bp: u32,
    pub population_share_bp: u32,
    pub need_share_bp: u32,
    /// The group's resources per need are far above the others' (精英俘获).
    pub capture_warning: bool,
}

/// Cost sharing of the period's money (SPEC §2.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostSharing {
    pub total_fen: i64,
    pub by_funder: Vec<FunderAmount>,
    pub by_class: Vec<ClassAmount>,
}

/// A funder's amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunderAmount {
    /// `government`, `market`, `society`, `residents`, or a guide-defined code.
    pub funder: String,
    pub amount_fen: i64,
}

/// A need class's amount by funder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassAmount {
    pub class: String,
    pub total_fen: i64,
    pub funders: Vec<FunderAmount>,
}

/// A plan or project as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanPublic {
    pub id: u32,
    pub title: String,
    pub category: String,
    pub period: String,
    /// `draft` is never published; `public_notice`, `approved`, `executing`,
    /// `final_accounts`, `evaluated`.
    pub stage: String,
    pub budget_fen: i64,
    pub spent_fen: i64,
    /// Recorded progress, percent.
    pub progress_pct: u8,
    /// Public notice: first and last day (`YYYY-MM-DD`) and length in days.
    pub notice_start: Option<String>,
    pub notice_end: Option<String>,
    pub notice_days: u16,
    /// Spending by funder (final accounts for finished plans).
    pub spent_by_funder: Vec<FunderAmount>,
}

/// How many households registered a need of a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Withheld below the minimum cell size (10 for sensitive categories).
    pub households: Cell,
    /// Of all households, basis points; `None` when `households` is withheld.
    pub share_bp: Option<u32>,
    pub sensitive: bool,
}

/// Satisfaction ratings given when requests were closed (1–5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Satisfaction {
    pub ratings: Cell,
    /// Ratings 1, 2, 3, 4, 5 (suppressed as one table).
    pub distribution: Vec<Cell>,
    /// Ratings of 4 or 5, basis points of all ratings; `None` under the minimum.
    pub satisfied_bp: Option<u32>,
    /// Mean rating × 100; `None` under the minimum.
    pub mean_centi: Option<u32>,
}

/// An indicator against its target (SPEC §2.10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// The value in `unit`; `None` when it cannot be measured from the data.
    pub value: Option<i64>,
    /// `bp` (1/100 %), `per_100_households_centi`, `permille`, `hours`.
    pub unit: String,
    /// The target in `unit`, and whether the value must be at least (`min`) or below (`max`) it.
    pub target: Option<i64>,
    pub direction: String,
    /// `met`, `not_met`, `not_measured` or `no_target`.
    pub status: String,
}

/// A request as published: its code, status and dates, nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestPublic {
    pub code: String,
    pub status: String,
    pub received: String,
    pub due: String,
    /// Each status change: status and day.
    pub history: Vec<StatusDay>,
}

/// A status and the day it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusDay {
    pub status: String,
    pub date: String,
}

/// How points are earned (SPEC §2.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsRules {
    pub earning: Vec<PointsRule>,
}

/// One earning rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsRule {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub points: i64,
    /// `meeting`, `hour` or `session`.
    pub per: String,
}
