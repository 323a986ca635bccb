//! Plans and spending as schema version 1 stored them, and their conversion
//! into [`PlanCase`]s (backup format 1 and IndexedDB version 1 hold them).
//!
//! Version 1 kept a plan as one record with a single stage (`draft`,
//! `public_notice`, `approved`, `executing`, `final_accounts`, `evaluated`), a
//! total budget, a notice start and length and a progress percentage, and its
//! spending as separate records (date, amount, funder code, note).
//! [`convert`] replays each plan through the real [`PlanCase`] operations, so
//! every converted case passes the same rules as one made by hand; every step it
//! takes carries the reason [`IMPORTED`] and the actor [`IMPORT_ACTOR`].
//!
//! # Conversion rules
//!
//! Deterministic (same records, same cases) and nothing silently dropped:
//! whatever the new model cannot hold as a record is written into the case's
//! internal notes (never published) and named in the history's reasons.
//!
//! - **Stages.** `draft` → draft; `public_notice` → notice; `approved` and
//!   `executing` → execution (the three approval levels are recorded as passed
//!   on the day the notice could close, with "imported" as the council's vote
//!   `1 for, 0 against`, the assessor, the conclusion and the reference);
//!   `final_accounts` → accounts; `evaluated` → accounts as well, because
//!   version 1 recorded no satisfaction and the new model does not evaluate
//!   without at least one answer: the internal notes say it was evaluated.
//! - **Dates.** The notice starts on the recorded `notice_start` (length
//!   `notice_days`, 1–366; 7 when 0). When spending is dated before the notice
//!   could close, the notice is moved back so that the approvals fall on the day
//!   of the earliest spending (the history's reason names both dates). Without
//!   a notice start it begins `notice_days` before the earliest spending, else
//!   on the first day of the plan's period (`YYYY` or `YYYY-Qn`), else on
//!   `fallback`. The draft is created on the notice's first day (a draft: on
//!   its recorded notice start, else its period's first day, else `fallback`).
//! - **Budget split.** Version 1 had one total. Each funder but the government
//!   gets the highest net amount it ever had spent (so no entry exceeds its
//!   part); the government gets the rest of the total. When the spending needs
//!   more than the total, the government's part grows to its own highest net
//!   spending and the budget exceeds the version-1 total (the created step's
//!   reason says so). Spending with an unknown funder code counts as the
//!   government's and keeps its code in the purpose.
//! - **Spending.** Entries in date order (then id), each with voucher
//!   `v1-<id>` and its note as purpose (`imported spending <id>` when empty).
//!   A negative amount reverses the latest earlier unreversed entry of the same
//!   funder with exactly that amount; otherwise it reverses the latest
//!   unreversed entry of the same funder larger than it and re-records the
//!   difference, so the net is kept. An amount of 0, or a negative amount with
//!   nothing to correct, is listed in the internal notes.
//!   Spending on a plan that never reached execution (`draft`,
//!   `public_notice`) is listed in the internal notes.
//! - **Progress.** A progress above 0 in execution or later is one milestone,
//!   on the last spending date (or the approval date).
//! - **Accounts** are drawn on the last spending or milestone date; the
//!   remainder returns to the pool `<period> (imported)`.

use crate::order::SortDyn;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{
    Budget, CivilDate, CouncilVote, Funder, Internal, PlanCase, PlanContent, PlanError, PlanRules,
    SpendingInput, Stamp, MAX_NOTICE_DAYS,
};
use crate::date::day_start_millis;
use crate::model::Fen;

/// The actor of every step of a converted case.
pub const IMPORT_ACTOR: &str = "linli import";
/// The reason carried by every step of a converted case.
pub const IMPORTED: &str = "imported from an earlier version";

/// A plan's stage in schema version 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegacyStage {
    Draft,
    PublicNotice,
    Approved,
    Executing,
    FinalAccounts,
    Evaluated,
}

/// A plan record of schema version 1 (store `plans`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyPlan {
    pub id: u32,
    pub title: String,
    pub category: String,
    pub period: String,
    pub budget_fen: Fen,
    pub stage: LegacyStage,
    pub notice_start: Option<String>,
    pub notice_days: u16,
    /// Progress in percent, 0–100.
    pub progress: u8,
}

/// A spending record of schema version 1 (store `spending`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacySpending {
    pub id: u32,
    pub plan_id: u32,
    pub date: String,
    pub amount_fen: Fen,
    /// Funder code: `government`, `market`, `society`, `residents`.
    pub funder: String,
    pub note: String,
}

/// Why version-1 records could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LegacyError {
    /// Two plans share an id.
    #[error("plans: duplicate key {0}")]
    DuplicatePlan(u32),
    /// A spending record names a plan that is not there.
    #[error("spending {id}: plan_id refers to missing plan {plan_id}")]
    MissingPlan { id: u32, plan_id: u32 },
    /// A date that is not `YYYY-MM-DD`.
    #[error("{what} {id}: {date:?} is not a date (YYYY-MM-DD)")]
    BadDate {
        what: &'static str,
        id: u32,
        date: String,
    },
    /// A replayed operation was refused (the record breaks a rule no
    /// conversion can mend, such as an amount above the limit).
    #[error("plan {id}: {source}")]
    Refused { id: u32, source: PlanError },
}

/// Converts version-1 plans and their spending into cases, by plan id.
///
/// `fallback` dates a plan that carries no date at all (for example the day the
/// backup was made).
///
/// # Errors
///
/// A [`LegacyError`]: duplicate plan ids, spending on a missing plan, an
/// unreadable date, or a record no replay can accept (an amount above the limit).
///
/// # Examples
///
/// ```
/// use linli_domain::plans::legacy::*;
/// use linli_domain::plans::{CivilDate, Stage};
/// let plan = LegacyPlan { id: 1, title: "社区健身角".into(), category: "sport".into(),
///     period: "2026".into(), budget_fen: 80_000, stage: LegacyStage::Executing,
///     notice_start: Some("2026-02-01".into()), notice_days: 7, progress: 50 };
/// let spent = LegacySpending { id: 1, plan_id: 1, date: "2026-03-01".into(), amount_fen: 30_000,
///     funder: "society".into(), note: "器材".into() };
/// let cases = convert(&[plan], &[spent], CivilDate::parse("2026-06-30").unwrap()).unwrap();
/// assert_eq!(cases[0].stage(), Stage::Execution);
/// assert_eq!(cases[0].content().budget.total(), 80_000);
/// assert_eq!(cases[0].spent_total(), 30_000);
/// assert_eq!(cases[0].progress(), 50);
/// ```
pub fn convert(
    plans: &[LegacyPlan],
    spending: &[LegacySpending],
    fallback: CivilDate,
) -> Result<Vec<PlanCase>, LegacyError> {
    let mut by_plan: BTreeMap<u32, (&LegacyPlan, Vec<Dated<'_>>)> = BTreeMap::new();
    for p in plans {
        if by_plan.insert(p.id, (p, Vec::new())).is_some() {
            return Err(LegacyError::DuplicatePlan(p.id));
        }
    }
    for s in spending {
        let day = CivilDate::parse(&s.date).map_err(|_| LegacyError::BadDate {
            what: "spending",
            id: s.id,
            date: s.date.clone(),
        })?;
        by_plan
            .get_mut(&s.plan_id)
            .ok_or(LegacyError::MissingPlan {
                id: s.id,
                plan_id: s.plan_id,
            })?
            .1
            .push((day, s));
    }
    by_plan
        .into_values()
        .map(|(p, mut entries)| {
            entries.sort_by_key_dyn(|(d, s)| (*d, s.id));
            replay(p, &entries, fallback).map_err(|source| match source {
                Failure::Plan(source) => LegacyError::Refused { id: p.id, source },
                Failure::Legacy(e) => e,
            })
        })
        .collect()
}

/// A spending record with its parsed date.
type Dated<'a> = (CivilDate, &'a LegacySpending);

enum Failure {
    Plan(PlanError),
    Legacy(LegacyError),
}

impl From<PlanError> for Failure {
    fn from(e: PlanError) -> Self {
        Self::Plan(e)
    }
}

/// The stamp of an imported step dated `on`: noon of that day, UTC+8.
fn stamp(on: CivilDate) -> Stamp {
    Stamp::new(IMPORT_ACTOR, day_start_millis(on.days()) + 4 * 3_600_000)
}

fn funder_of(code: &str) -> (Funder, bool) {
    Funder::from_code(code).map_or((Funder::Government, false), |f| (f, true))
}

/// What the replay does with one version-1 spending record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Record it as spending.
    Spend,
    /// Reverse the entry made for record number `k` (its position in the list).
    Reverse(usize),
    /// Reverse the entry made for record `k` and record the difference.
    ReverseRest(usize),
    /// Keep it in the internal notes only (0 fen, or nothing to correct).
    Note,
}

/// Decides every record's action and each funder's highest running net
/// spending under those actions (entries in replay order).
fn plan_actions(entries: &[(CivilDate, &LegacySpending)]) -> (Vec<Action>, [Fen; 4]) {
    // Per record: its funder index and, when it stands as an entry, its amount.
    let mut standing: Vec<Option<(usize, Fen)>> = Vec::with_capacity(entries.len());
    let mut actions = Vec::with_capacity(entries.len());
    let mut net = [0i128; 4];
    let mut peak = [0i128; 4];
    for (_, s) in entries {
        let f = funder_of(&s.funder).0.index();
        let amount = s.amount_fen;
        let action = if amount > 0 {
            standing.push(Some((f, amount)));
            net[f] += i128::from(amount);
            Action::Spend
        } else if amount == 0 {
            standing.push(None);
            Action::Note
        } else {
            let want = amount.checked_neg().unwrap_or(Fen::MAX);
            let latest = |standing: &[Option<(usize, Fen)>], pred: &dyn Fn(Fen) -> bool| {
                standing
                    .iter()
                    .rposition(|e| matches!(e, Some((g, a)) if *g == f && pred(*a)))
            };
            let exact = latest(&standing, &|a| a == want);
            let larger = latest(&standing, &|a| a > want);
            standing.push(None);
            if let Some(k) = exact {
                standing[k] = None;
                net[f] -= i128::from(want);
                Action::Reverse(k)
            } else if let Some(k) = larger {
                let rest = standing[k].map_or(0, |(_, a)| a) - want;
                standing[k] = None;
                net[f] -= i128::from(want);
                // The re-recorded difference stands as this record's entry.
                let last = standing.len() - 1;
                standing[last] = Some((f, rest));
                Action::ReverseRest(k)
            } else {
                Action::Note
            }
        };
        peak[f] = peak[f].max(net[f]);
        actions.push(action);
    }
    (actions, peak.map(|p| Fen::try_from(p).unwrap_or(Fen::MAX)))
}

fn fen_text(fen: Fen) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

fn entry_line(day: CivilDate, s: &LegacySpending) -> String {
    format!(
        "{day} {} yuan, funder {}, note {:?} (spending {})",
        fen_text(s.amount_fen),
        s.funder,
        s.note,
        s.id
    )
}

fn replay(
    p: &LegacyPlan,
    entries: &[(CivilDate, &LegacySpending)],
    fallback: CivilDate,
) -> Result<PlanCase, Failure> {
    let reached_execution = matches!(
        p.stage,
        LegacyStage::Approved | LegacyStage::Executing | LegacyStage::FinalAccounts | LegacyStage::Evaluated
    );
    let mut notes: Vec<String> = Vec::new();
    let mut created_reason = IMPORTED.to_owned();

    // The budget split.
    let total = p.budget_fen.max(0);
    let negative = (p.budget_fen < 0).then(|| {
        format!(
            "the version-1 budget was negative ({} yuan); taken as 0",
            fen_text(p.budget_fen)
        )
    });
    let mut parts = [0 as Fen; 4];
    if reached_execution {
        let peak = plan_actions(entries).1;
        parts[1..].copy_from_slice(&peak[1..]);
        let others: i128 = parts[1..].iter().map(|&x| i128::from(x)).sum();
        let rest = (i128::from(total) - others).max(i128::from(peak[0])).max(0);
        parts[0] = Fen::try_from(rest).unwrap_or(Fen::MAX);
        let sum: i128 = parts.iter().map(|&x| i128::from(x)).sum();
        if sum > i128::from(total) {
            created_reason = format!(
                "{IMPORTED}; the budget of {} yuan was raised to {} yuan to cover the spending recorded",
                fen_text(total),
                fen_text(Fen::try_from(sum).unwrap_or(Fen::MAX))
            );
        }
    } else {
        parts[0] = total;
    }
    let budget = Budget::new(parts[0], parts[1], parts[2], parts[3])?;

    // Dates.
    let days = if p.notice_days == 0 {
        super::DEFAULT_NOTICE_DAYS
    } else {
        p.notice_days.min(MAX_NOTICE_DAYS)
    };
    let recorded = match &p.notice_start {
        Some(s) => Some(CivilDate::parse(s).map_err(|_| {
            Failure::Legacy(LegacyError::BadDate {
                what: "plan",
                id: p.id,
                date: s.clone(),
            })
        })?),
        None => None,
    };
    let first_spent = entries.first().map(|(d, _)| *d);
    let mut notice_reason = IMPORTED.to_owned();
    let notice_start = match (recorded, first_spent.filter(|_| reached_execution)) {
        (Some(start), Some(first)) if start.add_days(i64::from(days)).is_none_or(|c| c > first) => {
            let moved = first
                .add_days(-i64::from(days))
                .ok_or(PlanError::DateOutOfRange)?;
            notice_reason = format!(
                "{IMPORTED}; the notice recorded from {start} was moved to {moved} to precede the spending dated {first}"
            );
            moved
        }
        (Some(start), _) => start,
        (None, Some(first)) if reached_execution => first
            .add_days(-i64::from(days))
            .ok_or(PlanError::DateOutOfRange)?,
        (None, _) => period_start(&p.period).unwrap_or(fallback),
    };
    let created_on = if p.stage == LegacyStage::Draft {
        recorded.or_else(|| period_start(&p.period)).unwrap_or(fallback)
    } else {
        notice_start
    };

    let content = PlanContent {
        title: nonempty(&p.title, &format!("plan {}", p.id)),
        category: nonempty(&p.category, "uncategorised"),
        period: nonempty(&p.period, "unknown"),
        budget,
        description: IMPORTED.to_owned(),
    };
    let rules = PlanRules {
        notice_days: days,
        ..PlanRules::default()
    };
    let by = stamp(created_on);
    let mut case = PlanCase::new(p.id, &by, created_on, content, Internal::default())?;
    // `new` records no reason: the import says why in the notes, and every
    // later step carries IMPORTED.
    notes.push(created_reason.clone());
    notes.extend(negative);
    if p.stage == LegacyStage::Draft {
        if let Some(s) = recorded {
            notes.push(format!("the version-1 draft named a notice start {s}"));
        }
    }

    if p.stage != LegacyStage::Draft {
        case = case.start_notice(&stamp(notice_start), notice_start, &rules)?;
        if notice_reason != IMPORTED {
            notes.push(notice_reason.clone());
        }
    }
    if reached_execution {
        let on = notice_start
            .add_days(i64::from(days))
            .ok_or(PlanError::DateOutOfRange)?;
        let by = stamp(on);
        let vote = CouncilVote {
            votes_for: 1,
            votes_against: 0,
            abstain: 0,
            quorum_met: true,
        };
        case = case
            .close_notice(&by, on)?
            .council(&by, on, vote, &notice_reason)?
            .assessment(&by, on, IMPORT_ACTOR, IMPORTED, true, IMPORTED)?
            .street_review(&by, on, IMPORT_ACTOR, true, IMPORTED)?;
        let (actions, _) = plan_actions(entries);
        // The case's entry id standing for each record, once recorded.
        let mut ids: Vec<Option<u32>> = vec![None; entries.len()];
        let mut last = on;
        for (k, (&(day, s), action)) in entries.iter().zip(actions).enumerate() {
            let day = day.max(on);
            last = last.max(day);
            let (next, id) = spend_legacy(case, day, s, action, &ids, &mut notes)?;
            case = next;
            ids[k] = id;
        }
        if p.progress > 0 {
            let percent = p.progress.min(100);
            case = case.milestone(&stamp(last), last, percent, IMPORTED)?;
        }
        if matches!(p.stage, LegacyStage::FinalAccounts | LegacyStage::Evaluated) {
            let pool = format!("{} (imported)", case.content().period);
            case = case.close_accounts(&stamp(last), last, &pool)?;
        }
        if p.stage == LegacyStage::Evaluated {
            notes.push(
                "evaluated in version 1, which recorded no satisfaction: the evaluation is left to be entered"
                    .to_owned(),
            );
        }
    } else {
        for &(day, s) in entries {
            notes.push(format!(
                "spending recorded before approval, not carried as an entry: {}",
                entry_line(day, s)
            ));
        }
    }
    let mut text = notes.join("\n");
    if text.chars().count() > super::MAX_TEXT {
        // Only thousands of unusable records get here; say how much is cut.
        let kept: String = text.chars().take(super::MAX_TEXT - 40).collect();
        let cut = text.chars().count() - kept.chars().count();
        text = format!("{kept}\n… {cut} more characters of notes");
    }
    let internal = Internal {
        guide: String::new(),
        notes: text,
    };
    let last_day = case
        .history()
        .iter()
        .filter_map(|t| t.on)
        .max()
        .unwrap_or(created_on);
    case = case.edit_internal(&stamp(last_day), internal)?;
    Ok(case)
}

/// The first day of a period written `YYYY` or `YYYY-Qn`.
fn period_start(period: &str) -> Option<CivilDate> {
    let days = if let Ok(p) = crate::alloc::Period::parse(period) {
        p.start_days()
    } else if period.len() == 4 && period.bytes().all(|b| b.is_ascii_digit()) {
        crate::date::days_from_civil(period.parse().ok()?, 1, 1)
    } else {
        return None;
    };
    CivilDate::from_days(days)
}

fn nonempty(s: &str, otherwise: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(super::MAX_LINE)
        .collect();
    if one_line.trim().is_empty() {
        otherwise.to_owned()
    } else {
        one_line
    }
}

/// Records one version-1 spending record on an executing case as `action`
/// decided; returns the case and the id of the entry now standing for the
/// record (if any).
fn spend_legacy(
    case: PlanCase,
    day: CivilDate,
    s: &LegacySpending,
    action: Action,
    ids: &[Option<u32>],
    notes: &mut Vec<String>,
) -> Result<(PlanCase, Option<u32>), PlanError> {
    let (funder, known) = funder_of(&s.funder);
    let mut purpose = nonempty(&s.note, &format!("imported spending {}", s.id));
    if !known {
        purpose = nonempty(&format!("{purpose} (funder {:?})", s.funder), &purpose);
    }
    let voucher = format!("v1-{}", s.id);
    let by = stamp(day);
    let corrupt = || PlanError::Corrupt("imported spending refers to no entry".into());
    match action {
        Action::Spend => {
            let input = SpendingInput {
                on: day,
                amount: s.amount_fen,
                funder,
                purpose,
                voucher,
            };
            let case = case.spend(&by, input)?;
            let id = case.spending().last().map(|e| e.id);
            Ok((case, id))
        }
        Action::Note => {
            let what = if s.amount_fen == 0 {
                "a spending record of 0 fen"
            } else {
                "a negative spending record with no entry to correct"
            };
            notes.push(format!("{what}: {}", entry_line(day, s)));
            Ok((case, None))
        }
        Action::Reverse(k) => {
            let id = ids.get(k).copied().flatten().ok_or_else(corrupt)?;
            Ok((case.reverse(&by, id, day, &voucher, &purpose)?, None))
        }
        Action::ReverseRest(k) => {
            let id = ids.get(k).copied().flatten().ok_or_else(corrupt)?;
            let original = case
                .spending()
                .iter()
                .find(|e| e.id == id)
                .cloned()
                .ok_or_else(corrupt)?;
            let rest = original.amount + s.amount_fen;
            let case = case.reverse(&by, id, day, &voucher, &purpose)?;
            let input = SpendingInput {
                on: day,
                amount: rest,
                funder,
                purpose: nonempty(
                    &format!("{} (after correction v1-{})", original.purpose, s.id),
                    &original.purpose,
                ),
                voucher: format!("{voucher}-rest"),
            };
            let case = case.spend(&by, input)?;
            let id = case.spending().last().map(|e| e.id);
            Ok((case, id))
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::plans::Stage;

    fn day(s: &str) -> CivilDate {
        CivilDate::parse(s).unwrap()
    }

    fn plan(id: u32, stage: LegacyStage, budget: Fen, notice: Option<&str>, progress: u8) -> LegacyPlan {
        LegacyPlan {
            id,
            title: format!("计划{id}"),
            category: "sport".into(),
            period: "2026-Q2".into(),
            budget_fen: budget,
            stage,
            notice_start: notice.map(str::to_owned),
            notice_days: 7,
            progress,
        }
    }

    fn spent(id: u32, plan_id: u32, date: &str, amount: Fen, funder: &str) -> LegacySpending {
        LegacySpending {
            id,
            plan_id,
            date: date.into(),
            amount_fen: amount,
            funder: funder.into(),
            note: format!("第{id}笔"),
        }
    }

    const FALLBACK: &str = "2026-12-31";

    fn one(p: LegacyPlan, s: &[LegacySpending]) -> PlanCase {
        let mut cases = convert(&[p], s, day(FALLBACK)).unwrap();
        assert_eq!(cases.len(), 1);
        cases.remove(0)
    }

    #[test]
    fn every_stage_maps_as_documented() {
        use LegacyStage as L;
        let want = [
            (L::Draft, Stage::Draft),
            (L::PublicNotice, Stage::Notice),
            (L::Approved, Stage::Execution),
            (L::Executing, Stage::Execution),
            (L::FinalAccounts, Stage::Accounts),
            (L::Evaluated, Stage::Accounts),
        ];
        for (legacy, stage) in want {
            let c = one(plan(1, legacy, 50_000, Some("2026-04-01"), 40), &[]);
            assert_eq!(c.stage(), stage, "{legacy:?}");
            // Every step went through the real operations: each edge is allowed
            // and dates never go back.
            for t in c.history() {
                assert!(t.from.may_become(t.to), "{legacy:?}: {t:?}");
                assert_eq!(t.actor, IMPORT_ACTOR);
            }
            assert_eq!(c.content().budget.total(), 50_000);
            assert_eq!(c.content().budget.get(Funder::Government), 50_000);
            if stage >= Stage::Execution {
                assert_eq!(c.notices()[0].start, day("2026-04-01"));
                assert_eq!(c.approvals().len(), 3);
                assert_eq!(c.stage_since(), day("2026-04-08"));
                assert_eq!(c.progress(), 40);
            } else {
                assert_eq!(c.progress(), 0);
            }
            if legacy == L::Evaluated {
                assert!(c.internal().notes.contains("evaluated in version 1"));
            }
            if stage == Stage::Accounts {
                let a = c.accounts().unwrap();
                assert_eq!((a.budget, a.actual, a.remainder), (50_000, 0, 50_000));
                assert_eq!(a.returned_to, "2026-Q2 (imported)");
            }
        }
    }

    #[test]
    fn a_draft_without_dates_is_dated_by_its_period_then_the_fallback() {
        let c = one(plan(1, LegacyStage::Draft, 10, None, 0), &[]);
        assert_eq!(c.stage_since(), day("2026-04-01"));
        let mut p = plan(1, LegacyStage::Draft, 10, None, 0);
        p.period = "2026".into();
        assert_eq!(one(p.clone(), &[]).stage_since(), day("2026-01-01"));
        p.period = "spring".into();
        assert_eq!(one(p, &[]).stage_since(), day(FALLBACK));
    }

    #[test]
    fn the_split_gives_each_funder_its_highest_spending_and_the_rest_to_government() {
        let s = [
            spent(1, 1, "2026-04-10", 30_000, "society"),
            spent(2, 1, "2026-04-11", 20_000, "residents"),
            spent(3, 1, "2026-04-12", 10_000, "government"),
            spent(4, 1, "2026-04-13", -20_000, "residents"),
            spent(5, 1, "2026-04-14", 5_000, "residents"),
        ];
        let c = one(
            plan(1, LegacyStage::Executing, 100_000, Some("2026-04-01"), 50),
            &s,
        );
        let b = c.content().budget;
        assert_eq!(b.total(), 100_000);
        assert_eq!(b.get(Funder::Society), 30_000);
        assert_eq!(b.get(Funder::Residents), 20_000);
        assert_eq!(b.get(Funder::Market), 0);
        assert_eq!(b.get(Funder::Government), 50_000);
        assert_eq!(c.spent_total(), 45_000);
        // The negative record reversed the residents' 20,000 exactly.
        let rev = c.spending().iter().find(|e| e.voucher == "v1-4").unwrap();
        assert_eq!((rev.amount, rev.reverses), (-20_000, Some(2)));
    }

    #[test]
    fn spending_beyond_the_total_raises_the_budget_and_says_so() {
        let s = [
            spent(1, 1, "2026-04-10", 70_000, "government"),
            spent(2, 1, "2026-04-11", 50_000, "market"),
        ];
        let c = one(
            plan(1, LegacyStage::FinalAccounts, 100_000, Some("2026-04-01"), 100),
            &s,
        );
        let b = c.content().budget;
        assert_eq!(
            (b.get(Funder::Government), b.get(Funder::Market)),
            (70_000, 50_000)
        );
        assert!(
            c.internal().notes.contains("was raised to 1200.00 yuan"),
            "{}",
            c.internal().notes
        );
        let a = c.accounts().unwrap();
        assert_eq!((a.budget, a.actual, a.remainder), (120_000, 120_000, 0));
    }

    #[test]
    fn a_partial_correction_reverses_and_records_the_rest() {
        let s = [
            spent(1, 1, "2026-04-10", 30_000, "government"),
            spent(2, 1, "2026-04-12", -5_000, "government"),
        ];
        let c = one(plan(1, LegacyStage::Executing, 40_000, Some("2026-04-01"), 0), &s);
        assert_eq!(c.spent_total(), 25_000);
        let e: Vec<(Fen, Option<u32>, &str)> = c
            .spending()
            .iter()
            .map(|e| (e.amount, e.reverses, e.voucher.as_str()))
            .collect();
        assert_eq!(
            e,
            vec![
                (30_000, None, "v1-1"),
                (-30_000, Some(1), "v1-2"),
                (25_000, None, "v1-2-rest")
            ]
        );
        // A later correction of the rest reverses the re-recorded entry.
        let mut s = s.to_vec();
        s.push(spent(3, 1, "2026-04-13", -25_000, "government"));
        let c = one(plan(1, LegacyStage::Executing, 40_000, Some("2026-04-01"), 0), &s);
        assert_eq!(c.spent_total(), 0);
        assert_eq!(c.spending().last().unwrap().reverses, Some(3));
    }

    #[test]
    fn what_cannot_be_an_entry_is_kept_in_the_notes() {
        let s = [
            spent(1, 1, "2026-04-10", 0, "government"),
            spent(2, 1, "2026-04-11", -700, "market"),
            spent(3, 1, "2026-04-12", 900, "charity"),
        ];
        let c = one(plan(1, LegacyStage::Executing, 1_000, Some("2026-04-01"), 0), &s);
        let notes = &c.internal().notes;
        assert!(
            notes.contains("a spending record of 0 fen: 2026-04-10"),
            "{notes}"
        );
        assert!(
            notes.contains("no entry to correct: 2026-04-11 -7.00 yuan, funder market"),
            "{notes}"
        );
        // An unknown funder is the government's, its code kept in the purpose.
        let e = &c.spending()[0];
        assert_eq!((e.funder, e.amount), (Funder::Government, 900));
        assert!(e.purpose.contains("\"charity\""), "{}", e.purpose);
        // Spending on a plan never approved.
        let s = [spent(1, 1, "2026-04-10", 500, "government")];
        let c = one(
            plan(1, LegacyStage::PublicNotice, 1_000, Some("2026-04-01"), 0),
            &s,
        );
        assert!(c.spending().is_empty());
        assert!(c
            .internal()
            .notes
            .contains("before approval, not carried as an entry: 2026-04-10 5.00 yuan"));
        // Notes are internal: not published.
        let public = serde_json::to_string(&c.public_view(day("2026-04-02")).unwrap()).unwrap();
        assert!(!public.contains("before approval"));
    }

    #[test]
    fn spending_before_the_notice_could_close_moves_the_notice_back() {
        let s = [spent(1, 1, "2026-04-03", 500, "government")];
        let c = one(plan(1, LegacyStage::Executing, 1_000, Some("2026-04-01"), 10), &s);
        assert_eq!(c.notices()[0].start, day("2026-03-27"));
        assert_eq!(c.spending()[0].on, day("2026-04-03"));
        assert!(c.internal().notes.contains("moved to 2026-03-27"));
        assert!(c.approvals()[0].reason.contains("moved to 2026-03-27"));
        // Without a notice date it ends the day before the first spending.
        let c = one(plan(1, LegacyStage::Approved, 1_000, None, 10), &s);
        assert_eq!(c.notices()[0].last_day(), day("2026-04-02"));
    }

    #[test]
    fn bad_records_are_refused_naming_them() {
        let p = plan(1, LegacyStage::Executing, 1_000, Some("2026-04-01"), 0);
        assert_eq!(
            convert(&[p.clone(), p.clone()], &[], day(FALLBACK)),
            Err(LegacyError::DuplicatePlan(1))
        );
        let s = spent(9, 2, "2026-04-10", 5, "government");
        assert_eq!(
            convert(std::slice::from_ref(&p), &[s], day(FALLBACK)),
            Err(LegacyError::MissingPlan { id: 9, plan_id: 2 })
        );
        let s = spent(9, 1, "2026-4-10", 5, "government");
        assert!(matches!(
            convert(std::slice::from_ref(&p), &[s], day(FALLBACK)),
            Err(LegacyError::BadDate {
                what: "spending",
                id: 9,
                ..
            })
        ));
        let s = spent(9, 1, "2026-04-10", crate::money::MAX_FEN + 1, "government");
        assert!(matches!(
            convert(&[p], &[s], day(FALLBACK)),
            Err(LegacyError::Refused { id: 1, .. })
        ));
    }

    fn stage() -> impl Strategy<Value = LegacyStage> {
        prop_oneof![
            Just(LegacyStage::Draft),
            Just(LegacyStage::PublicNotice),
            Just(LegacyStage::Approved),
            Just(LegacyStage::Executing),
            Just(LegacyStage::FinalAccounts),
            Just(LegacyStage::Evaluated),
        ]
    }

    proptest! {
        /// Any version-1 plan converts; every positive record is an entry with
        /// its amount; each funder's net spending is what its records add up to
        /// unless a record had to go to the notes; the budget holds the spending
        /// and is at least the recorded one; the case survives a round trip.
        #[test]
        fn any_legacy_plan_converts_keeping_its_spending(
            st in stage(),
            budget in -1_000i64..5_000_000,
            notice in proptest::option::of(0i64..200),
            progress in 0u8..=120,
            records in proptest::collection::vec((0i64..200, -300_000i64..900_000, 0usize..5), 0..25),
        ) {
            let base = day("2026-01-01").days();
            let date = |d: i64| CivilDate::from_days(base + d).unwrap().to_string();
            let funders = ["government", "market", "society", "residents", "other"];
            let p = LegacyPlan {
                notice_start: notice.map(date),
                progress,
                ..plan(1, st, budget, None, 0)
            };
            let s: Vec<LegacySpending> = records
                .iter()
                .enumerate()
                .map(|(i, &(d, a, f))| spent(i as u32 + 1, 1, &date(d), a, funders[f]))
                .collect();
            let c = one(p, &s);
            let executed = c.stage() >= Stage::Execution;
            prop_assert!(c.content().budget.total() >= budget.max(0));
            let back: PlanCase = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
            prop_assert_eq!(&back, &c);
            if !executed {
                prop_assert!(c.spending().is_empty());
                return Ok(());
            }
            // Records that went to the notes, by their id in the note.
            let noted: Fen = s
                .iter()
                .filter(|r| {
                    let tag = format!("(spending {})", r.id);
                    c.internal().notes.lines().any(|l| {
                        l.ends_with(&tag) && (l.starts_with("a negative spending record") || l.starts_with("a spending record of 0"))
                    })
                })
                .map(|r| r.amount_fen)
                .sum();
            for r in s.iter().filter(|r| r.amount_fen > 0) {
                let voucher = format!("v1-{}", r.id);
                let e = c.spending().iter().find(|e| e.voucher == voucher);
                prop_assert_eq!(e.map(|e| e.amount), Some(r.amount_fen));
            }
            let total: Fen = s.iter().map(|r| r.amount_fen).sum();
            prop_assert_eq!(c.spent_total(), total - noted);
            prop_assert!(c.spent_total() >= 0);
            for f in Funder::ALL {
                prop_assert!(c.spent(f) <= c.content().budget.get(f));
            }
            prop_assert_eq!(c.progress(), progress.min(100));
        }
    }
}
