//! The guide's cockpit (数据驾驶舱, issue #14): what needs the guide today, counted
//! from the records, and the key indicators against their targets.
//!
//! Pure: the caller passes today's date in the community's time zone (Asia/Shanghai)
//! and the current instant; nothing here reads a clock.
//!
//! # What needs the guide ([`Task`])
//!
//! | task | when it is listed | handled in |
//! |---|---|---|
//! | [`Task::NoticeEnding`] | a plan's running notice shows for at most [`NOTICE_ENDING_DAYS`] more days (today included), or its last day has passed and it waits to be closed | the plan |
//! | [`Task::Objections`] | a plan has objections without a response | the plan |
//! | [`Task::Approval`] | a plan awaits the residents' council, the professional assessment or the street review | the plan |
//! | [`Task::RequestsOverdue`] | requests still open after their due time ([`crate::requests::lifecycle::overdue`]) | requests |
//! | [`Task::ComplaintsRising`], [`Task::SatisfactionLow`] | the requests warnings of [`crate::warnings`] | requests |
//! | [`Task::ParticipationFalling`] | a channel's participation fell three times in a row | participation |
//! | [`Task::Improvement`] | an improvement item (PDCA) is not closed | requests |
//! | [`Task::Unallocated`] | the current period has resources and no adopted allocation run | allocation |
//! | [`Task::Unspent`] | the current period's money is allocated and not all spent | plans |
//! | [`Task::Backup`] | no backup was ever made, or the last is [`Inputs::backup_due_days`] days old or more (setting [`BACKUP_REMINDER_SETTING`], default [`BACKUP_DUE_DAYS`]) | settings |
//!
//! **Unspent resources, defined.** The *current period* is the calendar quarter of
//! today, written `YYYY-Qn` as resources and allocation runs name periods. Its
//! resources are those whose `period` is exactly that label. Until an allocation run
//! is adopted for the period ([`DecisionKind::AllocationAdopted`]) all of them are
//! *not allocated*. Once one is, the *unspent* money is the period's money resources
//! (fen) less the net spending (reversals deducted, every funder) of the plans whose
//! period is that label; it is listed while above zero.
//!
//! # Indicators
//!
//! [`indicator_rows`] pairs each indicator of [`INDICATORS`] with its value (from the
//! same computation the public snapshot uses) and its configured target, and judges it
//! with [`judge`]: met, not met, not measured (no value) or no target.

use crate::order::SortDyn;
use std::collections::BTreeMap;

use crate::date::civil_from_days;
use crate::decisions::{Decision, DecisionKind};
use crate::model::{Activity, Channel, Fen, Millis, Request, RequestColour, Resource, ResourceKind};
use crate::plans::{CivilDate, NoticeKind, PlanCase, Stage};
use crate::requests::calendar::local_day;
use crate::requests::lifecycle::overdue;
use crate::requests::satisfaction;
use crate::settings::{IndicatorDef, INDICATORS};
use crate::warnings::{self, ImprovementItem, PdcaStage};

/// A notice ending within this many days (today included) is listed.
pub const NOTICE_ENDING_DAYS: u16 = 3;
/// A backup this many days old (or none) is listed, unless the setting
/// [`BACKUP_REMINDER_SETTING`] says otherwise (the source's 定期数据备份: weekly).
pub const BACKUP_DUE_DAYS: i64 = 7;
/// The setting holding after how many days the cockpit reminds of a backup (decimal
/// text, [`BACKUP_REMINDER_DAYS_MIN`]..=[`BACKUP_REMINDER_DAYS_MAX`]).
pub const BACKUP_REMINDER_SETTING: &str = "backup_reminder_days";
/// Fewest days a reminder may be set to.
pub const BACKUP_REMINDER_DAYS_MIN: i64 = 1;
/// Most days a reminder may be set to (a year).
pub const BACKUP_REMINDER_DAYS_MAX: i64 = 365;
/// The setting holding the time of the last backup download (ms since the Unix
/// epoch, as decimal text).
pub const LAST_BACKUP_SETTING: &str = "last_backup_at";

const DAY_MS: Millis = 86_400_000;

/// What the cockpit counts from.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// Today in the community's time zone.
    pub today: CivilDate,
    /// Now (ms since the Unix epoch).
    pub now: Millis,
    pub plans: &'a [PlanCase],
    pub requests: &'a [Request],
    pub activities: &'a [Activity],
    /// Number of households (the complaint rate's base).
    pub households: u32,
    pub improvement_items: &'a [ImprovementItem],
    pub resources: &'a [Resource],
    pub decisions: &'a [Decision],
    /// The last backup download, if any was recorded.
    pub last_backup_at: Option<Millis>,
    /// A backup this many days old (or none) is listed ([`backup_reminder_days`] of the
    /// setting; [`BACKUP_DUE_DAYS`] by default).
    pub backup_due_days: i64,
}

/// One thing that needs the guide, with what is needed to say it and link it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// A plan's notice ends soon, or has ended and waits to be closed.
    NoticeEnding {
        plan: u32,
        title: String,
        kind: NoticeKind,
        last_day: CivilDate,
        /// Days of display left, today included; 0: ended, close it.
        days_left: u16,
    },
    /// A plan has objections without a response.
    Objections {
        plan: u32,
        title: String,
        unanswered: usize,
    },
    /// A plan awaits an approval level.
    Approval {
        plan: u32,
        title: String,
        /// [`Stage::Council`], [`Stage::Assessment`] or [`Stage::StreetReview`].
        stage: Stage,
        since: CivilDate,
        /// Days since it entered the stage.
        waiting_days: i64,
    },
    /// Requests past their due time and still open.
    RequestsOverdue {
        total: usize,
        red: usize,
        yellow: usize,
        blue: usize,
        /// The most overdue: its id and how long past due (ms).
        oldest: (u32, Millis),
    },
    /// The complaint rate rose in each of the last three complete months.
    ComplaintsRising { per_thousand: Vec<(String, u32)> },
    /// Recent satisfaction below target (per mille of ratings 4–5).
    SatisfactionLow { permille: u32, rated: u32 },
    /// A channel's participation fell three times in a row.
    ParticipationFalling { channel: Channel },
    /// An improvement item not closed.
    Improvement {
        id: u32,
        trigger: String,
        stage: PdcaStage,
    },
    /// The current period's resources with no adopted allocation run.
    Unallocated {
        period: String,
        resources: usize,
        /// Money among them, fen.
        money_fen: Fen,
    },
    /// The current period's allocated money not yet spent.
    Unspent {
        period: String,
        money_fen: Fen,
        spent_fen: Fen,
        left_fen: Fen,
    },
    /// A backup is due: none recorded (`days: None`) or the last `days` old.
    Backup { days: Option<i64> },
}

impl Task {
    /// The plan the task is about, if any (its link is `#/plans/<id>`).
    pub fn plan(&self) -> Option<u32> {
        match self {
            Self::NoticeEnding { plan, .. } | Self::Objections { plan, .. } | Self::Approval { plan, .. } => {
                Some(*plan)
            }
            _ => None,
        }
    }

    /// The view where it is handled: `plans`, `requests`, `participation`,
    /// `allocation` or `settings`.
    pub fn view(&self) -> &'static str {
        match self {
            Self::NoticeEnding { .. }
            | Self::Objections { .. }
            | Self::Approval { .. }
            | Self::Unspent { .. } => "plans",
            Self::RequestsOverdue { .. }
            | Self::ComplaintsRising { .. }
            | Self::SatisfactionLow { .. }
            | Self::Improvement { .. } => "requests",
            Self::ParticipationFalling { .. } => "participation",
            Self::Unallocated { .. } => "allocation",
            Self::Backup { .. } => "settings",
        }
    }

    /// A stable code of the kind of task (`notice_ending`, `objections`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoticeEnding { .. } => "notice_ending",
            Self::Objections { .. } => "objections",
            Self::Approval { .. } => "approval",
            Self::RequestsOverdue { .. } => "requests_overdue",
            Self::ComplaintsRising { .. } => "complaints_rising",
            Self::SatisfactionLow { .. } => "satisfaction_low",
            Self::ParticipationFalling { .. } => "participation_falling",
            Self::Improvement { .. } => "improvement",
            Self::Unallocated { .. } => "unallocated",
            Self::Unspent { .. } => "unspent",
            Self::Backup { .. } => "backup",
        }
    }
}

/// The cockpit's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cockpit {
    /// What needs the guide, in the order of the table in the module documentation
    /// (plans by id within each kind). Empty: nothing needs the guide today.
    pub tasks: Vec<Task>,
    /// Days since the last backup (`None`: none recorded).
    pub backup_days: Option<i64>,
    /// The current period, `YYYY-Qn`.
    pub period: String,
}

/// The quarter of `day`, `YYYY-Qn`.
///
/// ```
/// use linli_domain::plans::CivilDate;
/// assert_eq!(linli_domain::cockpit::quarter(CivilDate::parse("2026-12-06").unwrap()), "2026-Q4");
/// ```
pub fn quarter(day: CivilDate) -> String {
    let (y, m, _) = civil_from_days(day.days());
    format!("{y}-Q{}", (m - 1) / 3 + 1)
}

/// Today in the community's time zone (UTC+8, no daylight saving) at instant `now`.
///
/// ```
/// // 2026-12-05 16:30 UTC is 2026-12-06 00:30 in Shanghai.
/// let t = 1_796_488_200_000;
/// assert_eq!(linli_domain::cockpit::today(t).unwrap().to_string(), "2026-12-06");
/// ```
pub fn today(now: Millis) -> Option<CivilDate> {
    CivilDate::from_days(local_day(now))
}

/// Days from the last backup's local day to `today` (0 the same day).
pub fn backup_age(today: CivilDate, last_backup_at: Option<Millis>) -> Option<i64> {
    last_backup_at.map(|t| (today.days() - local_day(t)).max(0))
}

/// What needs the guide today (see the [module documentation](self)).
///
/// # Examples
///
/// ```
/// use linli_domain::cockpit::{count, Inputs, Task};
/// use linli_domain::plans::CivilDate;
/// let today = CivilDate::parse("2026-12-06").unwrap();
/// let inputs = Inputs {
///     today, now: 1_796_500_000_000, plans: &[], requests: &[], activities: &[], households: 0,
///     improvement_items: &[], resources: &[], decisions: &[], last_backup_at: None,
///     backup_due_days: 7,
/// };
/// let c = count(&inputs);
/// assert_eq!(c.tasks, vec![Task::Backup { days: None }]);
/// assert_eq!(c.period, "2026-Q4");
/// ```
pub fn count(i: &Inputs<'_>) -> Cockpit {
    let mut tasks = Vec::new();
    let mut plans: Vec<&PlanCase> = i.plans.iter().collect();
    plans.sort_by_key_dyn(|p| p.id());

    for p in &plans {
        if let Some(n) = p.open_notice() {
            let days_left = n.days_left(i.today);
            if i.today >= n.start && days_left <= NOTICE_ENDING_DAYS {
                tasks.push(Task::NoticeEnding {
                    plan: p.id(),
                    title: p.content().title.clone(),
                    kind: n.kind,
                    last_day: n.last_day(),
                    days_left,
                });
            }
        }
    }
    for p in &plans {
        let unanswered = p.unanswered();
        if unanswered > 0 {
            tasks.push(Task::Objections {
                plan: p.id(),
                title: p.content().title.clone(),
                unanswered,
            });
        }
    }
    for p in &plans {
        if matches!(
            p.stage(),
            Stage::Council | Stage::Assessment | Stage::StreetReview
        ) {
            tasks.push(Task::Approval {
                plan: p.id(),
                title: p.content().title.clone(),
                stage: p.stage(),
                since: p.stage_since(),
                waiting_days: p.stage_since().days_until(i.today).max(0),
            });
        }
    }

    let late = overdue(i.requests, i.now);
    if let Some(first) = late.first() {
        let of = |c: RequestColour| late.iter().filter(|o| o.colour == c).count();
        tasks.push(Task::RequestsOverdue {
            total: late.len(),
            red: of(RequestColour::Red),
            yellow: of(RequestColour::Yellow),
            blue: of(RequestColour::Blue),
            oldest: (first.id, first.late_ms),
        });
    }
    let (months, rising) = warnings::complaint_rate(i.requests, i.households, i.now);
    if rising {
        tasks.push(Task::ComplaintsRising {
            per_thousand: months.into_iter().map(|m| (m.month, m.per_thousand)).collect(),
        });
    }
    let s = satisfaction::recent(i.requests, i.now);
    if s.below_target() {
        tasks.push(Task::SatisfactionLow {
            permille: s.permille,
            rated: s.rated,
        });
    }
    for f in warnings::participation_falling(i.activities) {
        tasks.push(Task::ParticipationFalling { channel: f.channel });
    }
    let mut items: Vec<&ImprovementItem> = i
        .improvement_items
        .iter()
        .filter(|x| x.stage != PdcaStage::Closed)
        .collect();
    items.sort_by_key_dyn(|x| x.id);
    for x in items {
        tasks.push(Task::Improvement {
            id: x.id,
            trigger: x.trigger.clone(),
            stage: x.stage,
        });
    }

    let period = quarter(i.today);
    let of_period: Vec<&Resource> = i.resources.iter().filter(|r| r.period == period).collect();
    let money_fen = of_period
        .iter()
        .filter(|r| r.kind == ResourceKind::Money)
        .fold(0i64, |a, r| a.saturating_add(r.quantity));
    let adopted = i
        .decisions
        .iter()
        .any(|d| d.period == period && matches!(d.kind, DecisionKind::AllocationAdopted { .. }));
    if !of_period.is_empty() && !adopted {
        tasks.push(Task::Unallocated {
            period: period.clone(),
            resources: of_period.len(),
            money_fen,
        });
    } else if adopted && money_fen > 0 {
        let spent_fen = i
            .plans
            .iter()
            .filter(|p| p.content().period == period)
            .fold(0i64, |a, p| a.saturating_add(p.spent_total()));
        let left_fen = money_fen.saturating_sub(spent_fen);
        if left_fen > 0 {
            tasks.push(Task::Unspent {
                period: period.clone(),
                money_fen,
                spent_fen,
                left_fen,
            });
        }
    }

    let backup_days = backup_age(i.today, i.last_backup_at);
    if backup_days.is_none_or(|d| d >= i.backup_due_days) {
        tasks.push(Task::Backup { days: backup_days });
    }
    Cockpit {
        tasks,
        backup_days,
        period,
    }
}

/// Reads the [`LAST_BACKUP_SETTING`] value (`None` when absent or not a number).
pub fn parse_last_backup(value: Option<&str>) -> Option<Millis> {
    value
        .and_then(|v| v.trim().parse::<Millis>().ok())
        .filter(|t| *t > 0)
}

/// Why a backup reminder's number of days was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReminderDaysError {
    /// Not a whole number.
    #[error("the number of days is not a whole number")]
    NotANumber,
    /// Outside [`BACKUP_REMINDER_DAYS_MIN`]..=[`BACKUP_REMINDER_DAYS_MAX`].
    #[error("the number of days must be from 1 to 365")]
    OutOfRange,
}

/// Checks a backup reminder's number of days as typed (surrounding spaces allowed).
///
/// # Examples
///
/// ```
/// use linli_domain::cockpit::{check_backup_reminder_days, ReminderDaysError};
/// assert_eq!(check_backup_reminder_days(" 14 "), Ok(14));
/// assert_eq!(check_backup_reminder_days("0"), Err(ReminderDaysError::OutOfRange));
/// assert_eq!(check_backup_reminder_days("366"), Err(ReminderDaysError::OutOfRange));
/// assert_eq!(check_backup_reminder_days("7.5"), Err(ReminderDaysError::NotANumber));
/// ```
///
/// # Errors
///
/// [`ReminderDaysError`] saying what is wrong.
pub fn check_backup_reminder_days(text: &str) -> Result<i64, ReminderDaysError> {
    let n: i64 = text.trim().parse().map_err(|_| ReminderDaysError::NotANumber)?;
    if (BACKUP_REMINDER_DAYS_MIN..=BACKUP_REMINDER_DAYS_MAX).contains(&n) {
        Ok(n)
    } else {
        Err(ReminderDaysError::OutOfRange)
    }
}

/// The [`BACKUP_REMINDER_SETTING`] value in force: the stored number when valid, else
/// [`BACKUP_DUE_DAYS`].
pub fn backup_reminder_days(value: Option<&str>) -> i64 {
    value
        .and_then(|v| check_backup_reminder_days(v).ok())
        .unwrap_or(BACKUP_DUE_DAYS)
}

/// How a value compares with its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Judgement {
    Met,
    NotMet,
    /// No value: the data cannot measure it.
    NotMeasured,
    /// A value, and no target set.
    NoTarget,
}

impl Judgement {
    /// `met`, `not_met`, `not_measured`, `no_target` (as the snapshot writes them).
    pub fn code(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::NotMet => "not_met",
            Self::NotMeasured => "not_measured",
            Self::NoTarget => "no_target",
        }
    }
}

/// Judges `value` against `target` in the indicator's direction (`gt`, `lt`, `ge`, `le`).
///
/// ```
/// use linli_domain::cockpit::{judge, Judgement};
/// use linli_domain::settings::INDICATORS;
/// let participation = &INDICATORS[0]; // more than the target is met
/// assert_eq!(judge(participation, Some(6500), Some(6000)), Judgement::Met);
/// assert_eq!(judge(participation, Some(6000), Some(6000)), Judgement::NotMet);
/// assert_eq!(judge(participation, None, Some(6000)), Judgement::NotMeasured);
/// assert_eq!(judge(participation, Some(1), None), Judgement::NoTarget);
/// ```
pub fn judge(def: &IndicatorDef, value: Option<i64>, target: Option<i64>) -> Judgement {
    match (value, target) {
        (None, _) => Judgement::NotMeasured,
        (Some(_), None) => Judgement::NoTarget,
        (Some(v), Some(t)) => {
            let ok = match def.direction {
                "gt" => v > t,
                "lt" => v < t,
                "ge" => v >= t,
                _ => v <= t,
            };
            if ok {
                Judgement::Met
            } else {
                Judgement::NotMet
            }
        }
    }
}

/// One indicator on the cockpit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorRow {
    pub def: &'static IndicatorDef,
    pub value: Option<i64>,
    pub target: Option<i64>,
    pub judgement: Judgement,
}

/// Every indicator of [`INDICATORS`], in order, with its value from `values` and its
/// target from `targets` (both by code; a code missing from `values` is not measured,
/// one missing from `targets` has no target).
pub fn indicator_rows(
    values: &BTreeMap<String, Option<i64>>,
    targets: &BTreeMap<String, Option<i64>>,
) -> Vec<IndicatorRow> {
    INDICATORS
        .iter()
        .map(|def| {
            let value = values.get(def.code).copied().flatten();
            let target = targets.get(def.code).copied().flatten();
            IndicatorRow {
                def,
                value,
                target,
                judgement: judge(def, value, target),
            }
        })
        .collect()
}

/// How an indicator unit is shown and typed: the number of decimals of the shown
/// value (the stored integer is the shown value × 10^decimals).
///
/// | unit | shown as | decimals |
/// |---|---|---|
/// | `bp` | percent | 2 |
/// | `per_100_households_centi` | per 100 households | 2 |
/// | `ratio_centi` | ratio | 2 |
/// | `permille` | per mille | 0 |
/// | `hours` | hours | 0 |
pub fn unit_decimals(unit: &str) -> u32 {
    match unit {
        "bp" | "per_100_households_centi" | "ratio_centi" => 2,
        _ => 0,
    }
}

/// A stored value in its shown form: `6000` bp → `60`, `6050` → `60.5`.
///
/// ```
/// use linli_domain::cockpit::show_value;
/// assert_eq!(show_value("bp", 6000), "60");
/// assert_eq!(show_value("bp", 6050), "60.5");
/// assert_eq!(show_value("bp", -5), "-0.05");
/// assert_eq!(show_value("hours", 48), "48");
/// ```
pub fn show_value(unit: &str, v: i64) -> String {
    let d = unit_decimals(unit);
    if d == 0 {
        return v.to_string();
    }
    let scale = 10i64.pow(d);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let s = scale.unsigned_abs();
    let frac = format!("{:0width$}", a % s, width = d as usize);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{sign}{}", a / s)
    } else {
        format!("{sign}{}.{frac}", a / s)
    }
}

/// Why a typed target was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// Not a number with at most the unit's decimals.
    #[error("a number with at most {0} decimals")]
    NotNumber(u32),
    /// Beyond ±`settings::MAX_TARGET` once stored.
    #[error("the number is too large")]
    TooLarge,
}

/// A typed value in its shown form back to the stored integer; empty text is no
/// value (`None`).
///
/// # Errors
///
/// [`ValueError`].
///
/// ```
/// use linli_domain::cockpit::{parse_value, ValueError};
/// assert_eq!(parse_value("bp", "60.5"), Ok(Some(6050)));
/// assert_eq!(parse_value("bp", " "), Ok(None));
/// assert_eq!(parse_value("hours", "1.5"), Err(ValueError::NotNumber(0)));
/// assert_eq!(parse_value("bp", "6o"), Err(ValueError::NotNumber(2)));
/// ```
pub fn parse_value(unit: &str, text: &str) -> Result<Option<i64>, ValueError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let d = unit_decimals(unit);
    let bad = || ValueError::NotNumber(d);
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > d as usize
        || (body.contains('.') && frac.is_empty())
        || int.len() > 12
    {
        return Err(bad());
    }
    let scale = 10i64.pow(d);
    let frac_v: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i64>().map_err(|_| bad())? * 10i64.pow(d - frac.len() as u32)
    };
    let v = int
        .parse::<i64>()
        .map_err(|_| bad())?
        .checked_mul(scale)
        .and_then(|x| x.checked_add(frac_v))
        .ok_or(ValueError::TooLarge)?;
    let v = if neg { -v } else { v };
    if v.abs() > crate::settings::MAX_TARGET {
        return Err(ValueError::TooLarge);
    }
    Ok(Some(v))
}

/// The local day (UTC+8) of instant `t` as a date, for display (`None` outside 1900–9999).
pub fn day_of(t: Millis) -> Option<CivilDate> {
    CivilDate::from_days(local_day(t))
}

/// Whole days in a duration of `ms` milliseconds, rounded down.
pub fn whole_days(ms: Millis) -> i64 {
    ms.div_euclid(DAY_MS)
}

#[cfg(test)]
mod tests;
