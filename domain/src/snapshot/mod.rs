//! The public snapshot (公示快照, SPEC §2.9): what residents see on the dashboard, built
//! from the register, the adopted decisions and the plans, with nothing personal in it.
//!
//! # What is in it, and what is not
//!
//! [`build`] turns a [`Dataset`](crate::dataset::Dataset) into a [`Content`]:
//! - headline figures, coverage of needs, satisfaction, request statuses keyed by a salted
//!   hash of the tracking code (status and the day of each change only, [`requests_public`]);
//! - **the decisions as adopted, never recomputed** (SPEC §2.9): the period's adopted
//!   allocation run (its stored outputs: pools, money by category and by resident group,
//!   cost sharing), or `allocation_status: "none_adopted"` when the period has none; every
//!   adopted participatory-budgeting outcome (funded and not funded, votes, rule); every
//!   release of the emergency reserve (date, amount, reason, the plan it funds). The live
//!   register does not change these figures: publishing again after a household changed,
//!   with no new adoption, publishes the same allocation;
//! - every plan that has been on public notice, through
//!   [`PlanCase::public_view`](crate::plans::PlanCase::public_view): stage history, notices
//!   with their dates and days left, objections (their public summaries and the responses),
//!   the three approval levels' decisions, **every spending entry** (每笔支出: date,
//!   amount, funder, purpose), budget changes, milestones, final accounts and evaluation;
//! - what is configured ([`crate::settings`]): the indicators' targets, the minimum cell
//!   sizes, the notice length, the points earning rules and redemption catalogue;
//! - the indicators of SPEC §2.10 against their targets, each with a documented
//!   definition ([`indicators`]); one not measured says why (`reason`).
//!
//! It holds **no** names, contacts, rooms, notes, birth years, household ids, request
//! descriptions or per-household amounts, and none of the internal parts of plans and
//! decisions: a plan's responsible guide and internal notes, an objection's internal text
//! and channel, who recorded anything, the assessor, a budget change's approver, a reserve
//! release's approver, spending voucher numbers (bookkeeping references, shown at the
//! community office on request). The types below have no field that could carry them, and
//! [`file::decode`] refuses any field it does not know. Counts of people or households below
//! the minimum cell size (`disclosure` setting, at least
//! [`MIN_CELL`](crate::suppress::MIN_CELL) = 5; at least
//! [`MIN_CELL_SENSITIVE`](crate::suppress::MIN_CELL_SENSITIVE) = 10 for health, disability,
//! income and minors) are published as `null`, with complementary suppression
//! ([`crate::suppress`]) wherever the table's total is published: ballots and votes of a
//! PB outcome and the answers of a plan's evaluation included. Resident groups whose count
//! is withheld are merged into one "other groups" row, published only when the merged count
//! reaches the minimum itself. The residents' council's votes are an official body's
//! decision and are published as cast. [`privacy::check`] re-checks all of this on a
//! snapshot alone (that is what `linli verify` runs), and [`privacy::check_pair`] checks a
//! snapshot against the one before it (what [`prepare`] runs before publishing).
//!
//! Every count and every amount that depends on counts goes through one set of rules,
//! [`disclosure`] (threat model, rules and guarantee there): counts in bands of the minimum
//! cell size, shares rounded, the allocation by category without its base/flexible split,
//! rounded to a step of at least `min_cell` people's worth (`min_cell_sensitive` for
//! sensitive categories), categories with too few eligible people withheld.
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
pub mod changes;
pub mod cost_benefit;
pub mod disclosure;
pub mod file;
pub mod freetext;
mod indicators;
mod plans;
pub mod prepare;
pub mod privacy;
pub mod publish;
pub mod requests_public;
pub mod salt;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_decisions;

use serde::{Deserialize, Serialize};

pub use build::{build, community_of, BuildOptions, SnapshotError};
pub use indicators::indicators;
pub use requests_public::{request_key, RequestPublic, RequestsPublic};

/// The `format` field of a snapshot file.
pub const FORMAT: &str = "linli-public-snapshot";
/// Layout version of [`Content`]. A dashboard refuses a newer one. Version 2 (issue #14):
/// adopted decisions instead of a recomputed allocation, plans with their whole public
/// life cycle, configured rules and catalogue, indicators with reasons. Version 3 (issue
/// #15): every count and amount through [`disclosure`] (no per-category base/flexible
/// split; category amounts rounded or withheld; counts in bands; shares rounded). Version 4
/// (issue #15): requests keyed by a salted hash of the tracking code, no code and no due
/// day ([`requests_public`]); free texts committed with salted per-field hashes, the texts
/// next to the content, outside its hash, so that they can be redacted ([`freetext`],
/// [`file`]).
pub const VERSION: u32 = 4;

/// `allocation_status` when the period has an adopted allocation run.
pub const ADOPTED: &str = "adopted";
/// `allocation_status` when it has none: no allocation figures are published.
pub const NONE_ADOPTED: &str = "none_adopted";

/// A count that may be withheld: `None` (JSON `null`) when publishing it could single
/// someone out.
pub type Cell = Option<u64>;

/// Everything a snapshot publishes. Integers only: money in fen, shares in basis points
/// (1/100 of a percent), so the bytes are the same on every machine. Dates are
/// `YYYY-MM-DD` in the community's calendar (China Standard Time).
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
    /// The allocation period shown (`YYYY-Qn`), empty without resources or decisions.
    pub period: String,
    /// The minimum cell sizes the snapshot was built with.
    pub min_cell: u64,
    pub min_cell_sensitive: u64,
    pub headline: Headline,
    /// [`ADOPTED`] or [`NONE_ADOPTED`]: whether the period has an adopted allocation run.
    /// Without one, `pools`, `allocation`, `groups` and `cost_sharing` are empty.
    pub allocation_status: String,
    /// The adoption the allocation figures come from.
    pub adopted_allocation: Option<AdoptedAllocation>,
    /// One per kind of resource of the adopted run, money first.
    pub pools: Vec<Pool>,
    /// The adopted run's money by category, by category code.
    pub allocation: Vec<CategoryShare>,
    /// The adopted run's money by resident group, with population and need shares.
    pub groups: Vec<GroupShare>,
    pub cost_sharing: CostSharing,
    /// Every release of the emergency reserve, by decision.
    pub reserve_releases: Vec<ReserveRelease>,
    /// Every adopted participatory-budgeting outcome, by period.
    pub pb: Vec<PbOutcome>,
    /// Every plan that has been on public notice, by id.
    pub plans: Vec<PlanPublic>,
    pub coverage: Vec<Coverage>,
    pub satisfaction: Satisfaction,
    pub indicators: Vec<Indicator>,
    /// The root that seals the free texts kept next to the content (layout 4,
    /// [`freetext`]): SHA-256 over each text field's path and salted commitment, in the
    /// order of the paths ([`file::texts_sha256`]). The text fields of the
    /// hashed content are empty; the texts travel in the file's `texts`.
    pub texts_sha256: String,
    /// The SHA-256 (lower-case hex) of the requests section as written in the file
    /// ([`requests_public::digest`]), so that the hash of the content seals it: the section
    /// itself travels outside the content, next to it in the history files and alone in
    /// `requests.json` beside `snapshot.json` ([`file`], [`publish`]), so the dashboard's
    /// first load does not carry it.
    pub requests_sha256: String,
    /// Statuses keyed by a salted hash of the tracking code ([`requests_public`]): written
    /// next to the content by [`file::encode`], not inside it. Empty (no salt) when the
    /// file read had no requests section (`snapshot.json`: see [`file::decode_requests`]).
    #[serde(skip)]
    pub requests: RequestsPublic,
    /// The configured plan rules.
    pub plan_rules: PlanRulesPublic,
    pub points: PointsRules,
    /// Where residents send requests and ratings from their phones (issue #18,
    /// [`crate::intake`]): the community's current intake public key and the community id
    /// a payload must name. Absent (and not written, so the bytes and hashes of earlier
    /// snapshots are unchanged) while the community has no intake key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intake: Option<IntakePublic>,
    /// The salts of the free texts and the redacted fields ([`freetext`]): written next
    /// to the content by [`file::encode`], not inside it.
    #[serde(skip)]
    pub texts: freetext::TextSeals,
}

/// The public half of resident intake: what the dashboard's form seals to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakePublic {
    /// The current intake key, an age X25519 recipient (`age1…`). Never a private key:
    /// [`privacy::check`] refuses anything else.
    pub recipient: String,
    /// The community id a payload carries ([`crate::intake::community_id`]).
    pub community: String,
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
    /// The period's money in the adopted run, reserve included (fen); 0 when none is
    /// adopted.
    pub budget_fen: i64,
    /// All published plans' budgets in force and net spending (fen).
    pub plans_budget_fen: i64,
    pub plans_spent_fen: i64,
    pub requests_total: u64,
    pub requests_closed: u64,
}

/// Which adoption the allocation figures come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdoptedAllocation {
    /// The decision's number and date.
    pub decision: u32,
    pub adopted_on: String,
    /// The stored run adopted and the SHA-256 of its inputs (as `linli allocate` and the
    /// allocation page show it), so anyone can re-run it.
    pub run: u32,
    pub inputs_sha256: String,
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

/// One category's share of the period's money, as [`disclosure`] publishes it: rounded to
/// `step_fen`, or withheld (then counted in the `other` line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryShare {
    /// The category's code, or [`disclosure::OTHER`] for the withheld categories together.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// `basic`, `improvement` or `special` (empty for `other`).
    pub class: String,
    /// The amount rounded half up to `step_fen`; `None` when withheld.
    pub amount_fen: Option<i64>,
    /// Of the allocated pools, from the rounded amount; `None` when withheld.
    pub share_bp: Option<u32>,
    /// The previous period's share, rounded to the step's share of the pool.
    pub previous_share_bp: Option<u32>,
    pub change_bp: Option<i64>,
    /// The rounding step of this line (fen).
    pub step_fen: i64,
    /// Health, disability, income, minors, housing, employment, or a special category.
    pub sensitive: bool,
    /// Why it is withheld: [`disclosure::SMALL_CELL`] or [`disclosure::COMPLEMENT`].
    pub withheld: Option<String>,
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
    /// Rounded by the disclosure rules; `None` when the step it would need is over 20 %
    /// (one person's change can move money between categories).
    pub resource_share_bp: Option<u32>,
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

/// A release of the emergency reserve by a recorded decision (who approved it is not
/// published).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveRelease {
    pub decision: u32,
    pub period: String,
    pub date: String,
    pub amount_fen: i64,
    pub reason: String,
    /// The plan it funds.
    pub plan_id: u32,
}

/// An adopted participatory-budgeting outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PbOutcome {
    pub decision: u32,
    pub period: String,
    pub adopted_on: String,
    /// The rule's code (`greedy_cost`, `mes_cost_add1`, …).
    pub rule: String,
    pub budget_fen: i64,
    pub funded_fen: i64,
    /// Ballots counted; withheld below the minimum cell size.
    pub voters: Cell,
    /// Every proposal on the ballot, in the order of the count's result.
    pub projects: Vec<PbProject>,
}

/// One proposal's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PbProject {
    pub proposal_id: u32,
    pub title: String,
    pub category: String,
    pub cost_fen: i64,
    /// Ballots approving it; withheld below the minimum cell size.
    pub votes: Cell,
    pub funded: bool,
    /// The plan made from it (funded proposals).
    pub plan_id: Option<u32>,
}

/// A plan as published: its public content and its public life cycle
/// ([`crate::plans::PublicPlan`]), nothing internal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanPublic {
    pub id: u32,
    pub title: String,
    pub category: String,
    pub period: String,
    pub description: String,
    /// [`crate::plans::Stage::code`]: `draft` (returned by a rejection), `notice`,
    /// `council`, `assessment`, `street_review`, `execution`, `change_notice`,
    /// `accounts`, `closed`.
    pub stage: String,
    /// The budget in force, in all and by funder (funders with a part only).
    pub budget_fen: i64,
    pub budget: Vec<FunderAmount>,
    /// Net spending (reversals deducted), in all and by funder.
    pub spent_fen: i64,
    pub spent_by_funder: Vec<FunderAmount>,
    /// Recorded progress, percent.
    pub progress_pct: u8,
    /// Every change of stage, oldest first (the first is the draft's creation).
    pub stages: Vec<PlanStageDay>,
    pub notices: Vec<NoticePublic>,
    /// Objections recorded, and how many have a response.
    pub objection_count: u64,
    pub objections_answered: u64,
    pub objections: Vec<ObjectionPublic>,
    pub approvals: Vec<ApprovalPublic>,
    /// Every spending entry (每笔支出), reversals included.
    pub spending: Vec<SpendingPublic>,
    pub budget_changes: Vec<BudgetChangePublic>,
    pub milestones: Vec<MilestonePublic>,
    pub accounts: Option<AccountsPublic>,
    pub evaluation: Option<EvaluationPublic>,
}

/// A stage entered, on which day, and why (a rejection's reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanStageDay {
    pub stage: String,
    pub date: String,
    pub reason: String,
}

/// A public notice (公示) of a plan or of a budget change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticePublic {
    pub number: u32,
    /// `plan` or `budget_change`.
    pub kind: String,
    /// The budget change shown, for `budget_change`.
    pub change: Option<u32>,
    /// First and last day on display and length in days.
    pub start: String,
    pub last_day: String,
    pub days: u16,
    /// `closed`, `restarted` or `withdrawn`, and when; `None` while it runs.
    pub ended: Option<String>,
    pub ended_on: Option<String>,
    /// Days of display left as of the publication day (counting it), while it runs.
    pub days_left: Option<u16>,
}

/// An objection as published: its public summary and the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionPublic {
    pub notice: u32,
    pub date: String,
    pub summary: String,
    pub response: Option<String>,
    pub response_date: Option<String>,
}

/// One approval level's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalPublic {
    pub notice: u32,
    /// `council`, `assessment` or `street_review`.
    pub level: String,
    pub date: String,
    pub approved: bool,
    /// A rejection's reason (may be empty for an approval).
    pub reason: String,
    /// The residents' council's vote (council only).
    pub council: Option<CouncilPublic>,
    /// The professional assessment's conclusion (assessment only; not the assessor).
    pub conclusion: Option<String>,
    /// The street office's reference number (street review only).
    pub reference: Option<String>,
}

/// The residents' council's vote, as cast (an official body's decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouncilPublic {
    pub votes_for: u32,
    pub votes_against: u32,
    pub abstain: u32,
    pub quorum_met: bool,
}

/// One spending entry (每笔支出): no person's name, no voucher number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpendingPublic {
    pub id: u32,
    pub date: String,
    /// Negative for a reversal.
    pub amount_fen: i64,
    pub funder: String,
    /// What was bought; for a reversal, why.
    pub purpose: String,
    /// For a reversal, the entry it cancels.
    pub reverses: Option<u32>,
}

/// A budget change (who approved it is not published).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetChangePublic {
    pub id: u32,
    pub date: String,
    pub from_fen: i64,
    pub to_fen: i64,
    /// The new budget by funder (funders with a part only).
    pub to: Vec<FunderAmount>,
    pub reason: String,
    /// The notice it went through, if any.
    pub notice: Option<u32>,
    /// `effective`, `on_notice` or `withdrawn`, and since when.
    pub status: String,
    pub status_date: Option<String>,
}

/// A progress milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestonePublic {
    pub date: String,
    pub percent: u8,
    pub note: String,
}

/// The final accounts (决算): budget against actual by funder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountsPublic {
    pub date: String,
    pub lines: Vec<AccountLinePublic>,
    pub budget_fen: i64,
    pub actual_fen: i64,
    pub remainder_fen: i64,
    /// The pool the remainder returns to.
    pub returned_to: String,
}

/// One funder's line of the final accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountLinePublic {
    pub funder: String,
    pub budget_fen: i64,
    pub actual_fen: i64,
    pub remainder_fen: i64,
}

/// The evaluation that closed a plan. The answers are counts of people: withheld below
/// the minimum cell size, as the requests' satisfaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationPublic {
    pub date: String,
    pub respondents: Cell,
    /// Answers rated 1…5 (suppressed as one table); empty when only a summary was kept.
    pub distribution: Vec<Cell>,
    /// Satisfied (4 or 5), basis points of the answers; `None` when it would reveal a
    /// withheld count.
    pub satisfied_bp: Option<u32>,
    pub summary: String,
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

/// An indicator against its target (SPEC §2.10), as defined in [`indicators`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// The value in `unit`; `None` when it cannot be measured from the data.
    pub value: Option<i64>,
    /// [`crate::settings::IndicatorDef::unit`]: `bp` (1/100 %),
    /// `per_100_households_centi`, `permille`, `hours`, `ratio_centi` (× 100).
    pub unit: String,
    /// The configured target in `unit` (`indicator_targets` setting), and how the value
    /// must compare with it: `gt`, `lt`, `ge`, `le`.
    pub target: Option<i64>,
    pub direction: String,
    /// `met`, `not_met`, `not_measured` or `no_target`.
    pub status: String,
    /// Why it is not measured (a code, e.g. `no_final_accounts`); `None` when measured.
    pub reason: Option<String>,
    /// The period the value is of, where it is one (leader growth: the quarter).
    pub period: Option<String>,
}

/// A status and the day it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusDay {
    pub status: String,
    pub date: String,
}

/// The configured plan rules (`plan_rules` setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRulesPublic {
    /// Length of a public notice, days.
    pub notice_days: u16,
    /// A budget increase above this share of the approved budget goes on notice again.
    pub renotice_above_bp: u32,
}

/// How points are earned and what they buy (SPEC §2.6), as configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsRules {
    pub earning: Vec<PointsRule>,
    pub catalogue: Vec<CatalogueItemPublic>,
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

/// One item of the redemption catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueItemPublic {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Points per unit.
    pub cost: i64,
    /// Units left.
    pub stock: u32,
}

/// The last day of `c`'s public notice (公示期, `YYYY-MM-DD`): its publication day plus
/// the community's notice days ([`PlanRulesPublic::notice_days`], the same as a plan's)
/// less one; [`crate::plans::DEFAULT_NOTICE_DAYS`] when the snapshot records none (one
/// read for its seal only). `None` only when `as_of` is not a date.
pub fn notice_until(c: &Content) -> Option<String> {
    let days = match c.plan_rules.notice_days {
        0 => crate::plans::DEFAULT_NOTICE_DAYS,
        n => n,
    };
    let start = crate::plans::CivilDate::parse(&c.as_of).ok()?;
    Some(crate::date::iso_date(start.days() + i64::from(days) - 1))
}
