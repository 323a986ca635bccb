//! The invariants of a stored case, checked when one is deserialised (and after
//! every operation in debug builds).

use std::collections::HashSet;

use super::{next_id, Case, PlanError, FORMAT_VERSION};
use super::{ChangeStatus, Event, Funder, NoticeKind, Stage};

fn bad(what: impl Into<String>) -> PlanError {
    PlanError::Corrupt(what.into())
}

/// `Ok` when `c` could have been built by the operations: format version,
/// numbering, stage-dependent parts, notices, reversals, budgets.
pub(super) fn check(c: &Case) -> Result<(), PlanError> {
    if c.version != FORMAT_VERSION {
        return Err(PlanError::UnsupportedVersion(c.version));
    }
    check_history(c)?;
    check_notices(c)?;
    check_spending(c)?;
    for (i, o) in c.objections.iter().enumerate() {
        if o.id != next_id(i) || o.notice == 0 || o.notice as usize > c.notices.len() {
            return Err(bad(format!("objection {} is misnumbered", o.id)));
        }
        if o.response.as_ref().is_some_and(|r| r.on < o.on) {
            return Err(bad(format!(
                "objection {} is answered before it was raised",
                o.id
            )));
        }
    }
    for (i, ch) in c.budget_changes.iter().enumerate() {
        if ch.id != next_id(i) {
            return Err(bad(format!("budget change {} is misnumbered", ch.id)));
        }
        let on_notice = ch.status == ChangeStatus::OnNotice;
        if on_notice != (c.stage == Stage::ChangeNotice && i + 1 == c.budget_changes.len()) {
            return Err(bad(format!(
                "budget change {} is on notice out of its stage",
                ch.id
            )));
        }
    }
    if c.milestones
        .windows(2)
        .any(|w| w[1].percent < w[0].percent || w[1].on < w[0].on)
        || c.milestones.iter().any(|m| m.percent > 100)
    {
        return Err(bad("milestones go backwards"));
    }
    let after = |s: Stage| c.stage >= s;
    if c.baseline.is_some() != after(Stage::Execution) {
        return Err(bad("a baseline budget exists only from execution on"));
    }
    if c.accounts.is_some() != after(Stage::Accounts) || c.evaluation.is_some() != after(Stage::Closed) {
        return Err(bad("final accounts and evaluation do not match the stage"));
    }
    Ok(())
}

fn check_history(c: &Case) -> Result<(), PlanError> {
    let first = c.history.first().ok_or_else(|| bad("the history is empty"))?;
    if first.event != Event::Created || first.from != Stage::Draft || first.to != Stage::Draft {
        return Err(bad("the history does not start with the creation"));
    }
    let mut stage = Stage::Draft;
    for (i, t) in c.history.iter().enumerate() {
        if t.seq != next_id(i) || t.from != stage || !t.from.may_become(t.to) {
            return Err(bad(format!(
                "transition {} does not follow the life cycle",
                t.seq
            )));
        }
        if t.from != t.to && t.on.is_none() {
            return Err(bad(format!(
                "transition {} changes the stage without a date",
                t.seq
            )));
        }
        stage = t.to;
    }
    if stage != c.stage {
        return Err(bad("the stage is not where the history leads"));
    }
    Ok(())
}

fn check_notices(c: &Case) -> Result<(), PlanError> {
    for (i, n) in c.notices.iter().enumerate() {
        if n.number != next_id(i) || n.days == 0 || n.days > super::MAX_NOTICE_DAYS {
            return Err(bad(format!(
                "notice {} is misnumbered or of a bad length",
                n.number
            )));
        }
        let open = n.ended.is_none();
        if open && i + 1 != c.notices.len() {
            return Err(bad(format!(
                "notice {} is still open behind a later one",
                n.number
            )));
        }
    }
    let open = c.notices.last().filter(|n| n.ended.is_none()).map(|n| n.kind);
    let fits = match c.stage {
        Stage::Notice => matches!(open, Some(NoticeKind::Plan)),
        Stage::ChangeNotice => matches!(open, Some(NoticeKind::BudgetChange { .. })),
        _ => open.is_none(),
    };
    if !fits {
        return Err(bad("the open notice does not match the stage"));
    }
    Ok(())
}

fn check_spending(c: &Case) -> Result<(), PlanError> {
    let mut reversed = HashSet::new();
    for (i, e) in c.spending.iter().enumerate() {
        if e.id != next_id(i) {
            return Err(bad(format!("spending entry {} is misnumbered", e.id)));
        }
        match e.reverses {
            None if e.amount > 0 => {}
            Some(r) => {
                let ok = c.spending[..i]
                    .iter()
                    .find(|o| o.id == r)
                    .is_some_and(|o| o.reverses.is_none() && o.amount == -e.amount && o.funder == e.funder);
                if !ok || !reversed.insert(r) {
                    return Err(bad(format!("entry {} is not a valid reversal", e.id)));
                }
            }
            None => return Err(bad(format!("entry {} is not positive", e.id))),
        }
    }
    for f in Funder::ALL {
        let spent = c
            .spending
            .iter()
            .filter(|e| e.funder == f)
            .try_fold(0i64, |s, e| s.checked_add(e.amount));
        if spent.is_none_or(|s| s > c.content.budget.get(f)) {
            return Err(bad(format!("{f} has spent more than its budget")));
        }
    }
    Ok(())
}
