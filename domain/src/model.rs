//! The records Linli keeps, one type per IndexedDB object store (SPEC §2).
//!
//! Every record has a numeric `id` that is its primary key in its store, except
//! [`Setting`], keyed by `key`. Money is integer fen ([`Fen`]), never a float.
//! Times are passed in from outside (the domain has no clock): instants are
//! milliseconds since the Unix epoch ([`Millis`]), calendar dates are
//! `YYYY-MM-DD` strings ([`crate::date::Date`]).
//!
//! Fields marked *sensitive* are personal data: they may live in the workspace
//! and in backups, but nothing derived from them may reach a public snapshot.

use serde::{Deserialize, Serialize};

/// Money in fen (1 yuan = 100 fen). Integer, never a float.
pub type Fen = i64;
/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// A grid (网格): a part of the community looked after by one guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grid {
    pub id: u32,
    pub name: String,
    /// The guide (指导员) responsible for the grid. Workspace only.
    pub guide: String,
}

/// A residential building (楼栋).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Building {
    pub id: u32,
    pub grid_id: u32,
    /// Display name, e.g. `3幢`.
    pub name: String,
    pub units: u8,
    pub floors: u8,
    pub year_built: u16,
    /// Column on the community plan (workshop mode, heat map).
    pub plan_x: u16,
    /// Row on the community plan.
    pub plan_y: u16,
}

/// How a household holds its home.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tenure {
    /// 业主
    Owner,
    /// 租户
    Tenant,
    /// 公租房
    PublicRental,
}

impl Tenure {
    /// Position in the order owner 0, tenant 1, public rental 2: an index for tables
    /// (tenure has no better or worse).
    pub const fn rank(self) -> u8 {
        match self {
            Self::Owner => 0,
            Self::Tenant => 1,
            Self::PublicRental => 2,
        }
    }
}

/// Household income band (收入档).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomeBand {
    Low,
    LowerMiddle,
    Middle,
    Upper,
}

impl IncomeBand {
    /// Order from poorest to richest: low 0, lower middle 1, middle 2, upper 3
    /// ("income band at most x" is `rank() <= x.rank()`).
    pub const fn rank(self) -> u8 {
        match self {
            Self::Low => 0,
            Self::LowerMiddle => 1,
            Self::Middle => 2,
            Self::Upper => 3,
        }
    }
}

/// Subsistence status (低保 / 低边).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subsistence {
    None,
    /// 低保: minimum living allowance.
    Dibao,
    /// 低边: marginal low-income household.
    Dibian,
}

impl Subsistence {
    /// Order of support, least first: none 0, 低边 (`dibian`) 1, 低保 (`dibao`) 2
    /// ("at least 低边" is `rank() >= Dibian.rank()`: 低边 and 低保). Not the
    /// declaration order.
    ///
    /// ```
    /// use linli_domain::model::Subsistence;
    /// assert!(Subsistence::Dibao.rank() > Subsistence::Dibian.rank());
    /// assert!(Subsistence::Dibian.rank() > Subsistence::None.rank());
    /// ```
    pub const fn rank(self) -> u8 {
        match self {
            Self::None => 0,
            Self::Dibian => 1,
            Self::Dibao => 2,
        }
    }
}

/// Condition of the home.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HousingCondition {
    Good,
    Fair,
    Poor,
}

impl HousingCondition {
    /// Order from worst to best: poor 0, fair 1, good 2 ("fair or worse" is
    /// `rank() <= Fair.rank()`). The reverse of the declaration order.
    pub const fn rank(self) -> u8 {
        match self {
            Self::Poor => 0,
            Self::Fair => 1,
            Self::Good => 2,
        }
    }
}

/// Willingness to take part in community affairs (参与意愿).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Willingness {
    None,
    Low,
    Medium,
    High,
}

impl Willingness {
    /// Order from none to high: none 0, low 1, medium 2, high 3.
    pub const fn rank(self) -> u8 {
        match self {
            Self::None => 0,
            Self::Low => 1,
            Self::Medium => 2,
            Self::High => 3,
        }
    }
}

/// Urgency of a household's service need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    Medium,
    High,
}

impl Urgency {
    /// Order from low to high: low 0, medium 1, high 2 (the same order as `Ord`).
    pub const fn rank(self) -> u8 {
        match self {
            Self::Low => 0,
            Self::Medium => 1,
            Self::High => 2,
        }
    }
}

/// The class of a need category (SPEC §2.3), which decides cost sharing (§2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeedClass {
    /// 基本民生: elderly care, childcare.
    Basic,
    /// 提升类: culture, sport.
    Improvement,
    /// 特殊类: disability.
    Special,
}

/// A need category (需求类别). Categories are data (settings), not code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedCategory {
    /// Stable code, e.g. `elderly_care`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub class: NeedClass,
}

/// One service need of a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    /// A [`NeedCategory::code`].
    pub category: String,
    pub urgency: Urgency,
}

/// Sex of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

/// Employment situation of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Employment {
    Employed,
    Unemployed,
    Retired,
    Student,
    NotApplicable,
}

/// School or childcare stage of a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchoolStage {
    /// 0–2: 托育
    Infant,
    /// 3–5: 幼儿园
    Preschool,
    /// 6–11: 小学
    Primary,
    /// 12–17: 中学
    Secondary,
}

/// A household member. *Sensitive*: name, birth year, health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub birth_year: u16,
    pub sex: Sex,
    pub chronic_illness: bool,
    /// Disability grade 1 (most severe) to 4, if any.
    pub disability_grade: Option<u8>,
    pub dementia: bool,
    pub employment: Employment,
    pub school_stage: Option<SchoolStage>,
}

/// A household (一户一档).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    pub id: u32,
    pub building_id: u32,
    pub unit: u8,
    /// Room number, e.g. `1203`. *Sensitive.*
    pub room: String,
    pub tenure: Tenure,
    pub income_band: IncomeBand,
    pub subsistence: Subsistence,
    pub housing: HousingCondition,
    pub skills: Vec<String>,
    pub needs: Vec<Need>,
    pub willingness: Willingness,
    /// A resident group code for fairness analysis (SPEC §2.3), e.g. `young_tenants`.
    pub group: String,
    /// Contact name. *Sensitive.*
    pub contact_name: String,
    /// Contact phone. *Sensitive.*
    pub contact_phone: String,
    /// Free notes. *Sensitive.*
    pub notes: String,
    /// Whether the household is a single person living alone.
    pub lives_alone: bool,
    pub members: Vec<Member>,
    pub updated_at: Millis,
}

/// The kind of a resource (SPEC §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// Money, `quantity` in fen.
    Money,
    /// Service slots (places), `quantity` in slots.
    Slots,
    /// Room hours, `quantity` in hours.
    RoomHours,
}

/// A resource the community can allocate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    pub id: u32,
    pub name: String,
    pub kind: ResourceKind,
    /// A [`NeedCategory::code`].
    pub category: String,
    /// Period, e.g. `2026-Q3`.
    pub period: String,
    /// Fen for money, else units.
    pub quantity: i64,
}

/// A stored allocation run (filled in by the allocation issue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationRun {
    pub id: u32,
    pub period: String,
    pub created_at: Millis,
    /// SHA-256 of the canonical inputs, hex.
    pub inputs_sha256: String,
    /// Inputs and outputs as JSON text, kept verbatim for reproducibility.
    pub inputs_json: String,
    pub outputs_json: String,
}

/// Feasibility review state of a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Submitted,
    Feasible,
    Infeasible,
    Funded,
    NotFunded,
}

/// A residents' proposal (议事提案).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: u32,
    pub title: String,
    pub category: String,
    pub cost_fen: Fen,
    /// Proposer's resident group code.
    pub proposer_group: String,
    pub status: ProposalStatus,
    pub review_note: String,
    pub period: String,
    pub created_at: Millis,
}

/// An approval ballot on proposals of one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballot {
    pub id: u32,
    pub period: String,
    /// Approved [`Proposal::id`]s.
    pub approvals: Vec<u32>,
    /// Where it came from: `paper`, `workshop`, `import`.
    pub source: String,
    pub building_id: Option<u32>,
    pub created_at: Millis,
}

/// Channel of an activity or meeting (SPEC §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 线上议事厅
    OnlineHall,
    /// 楼栋议事角
    BuildingCorner,
    /// 租户代表
    TenantRepresentatives,
    /// 志愿服务
    Volunteering,
    /// 技能分享
    SkillSharing,
}

/// An activity or meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub id: u32,
    pub date: String,
    pub title: String,
    pub channel: Channel,
    pub building_id: Option<u32>,
    /// Households that attended.
    pub attendance: Vec<u32>,
    /// Length in hours ×10 (one decimal), e.g. 15 = 1.5 h.
    pub hours_tenths: u16,
}

/// An append-only points-bank ledger entry (积分银行).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsEntry {
    pub id: u32,
    pub household_id: u32,
    pub at: Millis,
    /// Points earned (positive) or spent (negative).
    pub delta: i64,
    /// `earn:deliberation`, `redeem:canteen_voucher`, `reversal`, …
    pub reason: String,
    /// For reversals: the entry reversed.
    pub reverses: Option<u32>,
}

/// An append-only time-bank ledger entry (时间银行): hours given by one household to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeBankEntry {
    pub id: u32,
    pub at: Millis,
    pub giver_household_id: u32,
    pub receiver_household_id: u32,
    /// Minutes of service.
    pub minutes: u32,
    pub service: String,
}

/// Urgency colour of a resident request (诉求三色).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestColour {
    /// Respond within 24 hours.
    Red,
    /// Within 3 working days.
    Yellow,
    /// Within 7 working days.
    Blue,
}

/// Status of a resident request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Received,
    Assigned,
    InProgress,
    Resolved,
    Closed,
    Rejected,
    Duplicate,
}

/// One step in a request's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub status: RequestStatus,
    pub at: Millis,
    /// The guide's note on the change (required on closing and rejecting).
    /// Internal: never published. Absent in records stored before it existed,
    /// and left out when `None` so those records keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A resident request (诉求).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: u32,
    /// Public tracking code.
    pub tracking_code: String,
    pub household_id: Option<u32>,
    pub category: String,
    /// *Sensitive.*
    pub description: String,
    pub colour: RequestColour,
    pub status: RequestStatus,
    pub history: Vec<StatusChange>,
    pub received_at: Millis,
    pub due_at: Millis,
    /// 1–5, on closing.
    pub satisfaction: Option<u8>,
    /// The guide in charge (a roster name), `None` while unassigned. Internal:
    /// never published ([`crate::requests::public_statuses`] leaves it out).
    /// Absent in records stored before it existed, and left out when `None`
    /// so those records keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// What the resident submitted from their phone (issue #18, [`crate::intake`]):
    /// `None` for a request typed in by a guide and never rated by its resident.
    /// *Sensitive*, never published. Absent in records stored before it existed, and
    /// left out when `None` so those records keep their bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident: Option<ResidentInput>,
}

/// A resident's own submissions for one request ([`crate::intake`]). *Sensitive*:
/// internal, never published.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidentInput {
    /// The resident's own urgency (a request they submitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<Urgency>,
    /// How to reach them, if they gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// The comment of their latest rating. Text, never markup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Lower-case hex SHA-256 of every sealed payload taken in for this request, in the
    /// order taken in: the same payload taken in again changes nothing.
    #[serde(default)]
    pub payloads: Vec<String>,
}

/// A published public snapshot (filled in by the disclosure issue).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRecord {
    pub id: u32,
    pub published_at: Millis,
    pub sha256: String,
    pub previous_sha256: Option<String>,
    pub json: String,
}

/// One entry of the audit log: who changed what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: u32,
    pub at: Millis,
    /// Who made the change (a guide's name).
    pub actor: String,
    /// Store name, e.g. `households`.
    pub entity: String,
    pub entity_id: u32,
    /// `create`, `update`, `delete`, `import`, `restore`, …
    pub action: String,
    pub summary: String,
}

/// A key–value setting. Values are JSON text so that settings can grow
/// without a schema change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    pub key: String,
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each rank is a bijection onto `0..n`, in the documented order.
    #[test]
    fn ranks_follow_the_documented_orders() {
        use HousingCondition as H;
        use IncomeBand as I;
        assert_eq!(
            [Subsistence::None, Subsistence::Dibian, Subsistence::Dibao].map(Subsistence::rank),
            [0, 1, 2]
        );
        assert_eq!(
            [I::Low, I::LowerMiddle, I::Middle, I::Upper].map(I::rank),
            [0, 1, 2, 3]
        );
        assert_eq!([H::Poor, H::Fair, H::Good].map(H::rank), [0, 1, 2]);
        assert_eq!(
            [
                Willingness::None,
                Willingness::Low,
                Willingness::Medium,
                Willingness::High
            ]
            .map(Willingness::rank),
            [0, 1, 2, 3]
        );
        assert_eq!(
            [Urgency::Low, Urgency::Medium, Urgency::High].map(Urgency::rank),
            [0, 1, 2]
        );
        assert_eq!(
            [Tenure::Owner, Tenure::Tenant, Tenure::PublicRental].map(Tenure::rank),
            [0, 1, 2]
        );
    }

    #[test]
    fn urgency_rank_agrees_with_its_ord() {
        let all = [Urgency::Low, Urgency::Medium, Urgency::High];
        for a in all {
            for b in all {
                assert_eq!(a.cmp(&b), a.rank().cmp(&b.rank()), "{a:?} {b:?}");
            }
        }
    }
}
