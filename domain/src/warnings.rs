//! Warnings and improvement items (SPEC §2.10).
//!
//! - **Participation falling**: within one channel, each of the last three
//!   activities (by date, then id) had fewer attending households than the one
//!   before it (so four activities, three falls in a row).
//! - **Complaint rate rising**: requests received per 1,000 households in each of
//!   the last three complete calendar months (China time) before `now` rose twice
//!   in a row (m−3 < m−2 < m−1).
//! - **Satisfaction below target**: of the requests closed with a rating in the
//!   window, the share rated 4 or 5 is below [`SATISFACTION_TARGET_PERMILLE`]
//!   (85%), with at least [`MIN_RATINGS`] ratings. It opens an improvement item
//!   (PDCA: plan → do → check → act → closed) unless one for satisfaction is
//!   still open; the items are stored as JSON in the setting [`ITEMS_SETTING`].

use crate::order::SortDyn;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::date::civil_from_days;
use crate::date::days_from_civil;
use crate::model::{Activity, Channel, Millis, Request, RequestStatus};
use crate::participation::rates::CHANNELS;
use crate::requests::calendar::{local_day, local_midnight};

/// Satisfaction target: 85% rated 4 or 5.
pub const SATISFACTION_TARGET_PERMILLE: u32 = 850;
/// Fewest ratings on which a satisfaction warning is raised.
pub const MIN_RATINGS: u32 = 5;
/// The setting holding the improvement items (JSON array of [`ImprovementItem`]).
pub const ITEMS_SETTING: &str = "improvement_items";
/// The trigger code of satisfaction items.
pub const TRIGGER_SATISFACTION: &str = "satisfaction";

/// Participation falling in one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FallingParticipation {
    pub channel: Channel,
    /// The four activities (oldest first) and their attendance.
    pub activities: Vec<(u32, u32)>,
}

/// Channels whose last three activities each had fewer households than the one before.
pub fn participation_falling(activities: &[Activity]) -> Vec<FallingParticipation> {
    let mut out = Vec::new();
    for c in CHANNELS {
        let mut series: Vec<&Activity> = activities.iter().filter(|a| a.channel == c).collect();
        series.sort_by_dyn(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
        if series.len() < 4 {
            continue;
        }
        let last: Vec<(u32, u32)> = series[series.len() - 4..]
            .iter()
            .map(|a| (a.id, a.attendance.len() as u32))
            .collect();
        if last.windows(2).all(|w| w[1].1 < w[0].1) {
            out.push(FallingParticipation {
                channel: c,
                activities: last,
            });
        }
    }
    out
}

/// Requests per 1,000 households in one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthRate {
    /// `YYYY-MM`.
    pub month: String,
    pub requests: u32,
    pub per_thousand: u32,
}

/// The last three complete months before `now` (oldest first) and whether the
/// complaint rate rose in both steps.
pub fn complaint_rate(requests: &[Request], households: u32, now: Millis) -> (Vec<MonthRate>, bool) {
    let (y, m, _) = civil_from_days(local_day(now));
    let month_start = |k: i64| {
        // k months before the current month.
        let idx = y * 12 + i64::from(m) - 1 - k;
        days_from_civil(idx.div_euclid(12), (idx.rem_euclid(12) + 1) as u32, 1)
    };
    let mut months = Vec::new();
    for k in (1..=3).rev() {
        let (from, to) = (local_midnight(month_start(k)), local_midnight(month_start(k - 1)));
        let n = requests
            .iter()
            .filter(|r| r.received_at >= from && r.received_at < to)
            .count() as u32;
        let (yy, mm, _) = civil_from_days(month_start(k));
        months.push(MonthRate {
            month: format!("{yy:04}-{mm:02}"),
            requests: n,
            per_thousand: if households == 0 {
                0
            } else {
                (u64::from(n) * 1000 / u64::from(households)) as u32
            },
        });
    }
    let rising = months.windows(2).all(|w| w[1].per_thousand > w[0].per_thousand);
    (months, rising)
}

/// Satisfaction of requests closed in `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Satisfaction {
    pub rated: u32,
    /// Rated 4 or 5.
    pub satisfied: u32,
    /// `satisfied * 1000 / rated` (1000 when nothing was rated).
    pub permille: u32,
}

impl Satisfaction {
    /// Whether it calls for an improvement item.
    pub fn below_target(&self) -> bool {
        self.rated >= MIN_RATINGS && self.permille < SATISFACTION_TARGET_PERMILLE
    }
}

/// Satisfaction of the requests closed (by their closing date) in `[from, to)`.
pub fn satisfaction(requests: &[Request], from: Millis, to: Millis) -> Satisfaction {
    let mut rated = 0;
    let mut satisfied = 0;
    for r in requests {
        let closed_at = r
            .history
            .iter()
            .find(|h| h.status == RequestStatus::Closed)
            .map(|h| h.at);
        if let (Some(at), Some(s)) = (closed_at, r.satisfaction) {
            if at >= from && at < to {
                rated += 1;
                if s >= 4 {
                    satisfied += 1;
                }
            }
        }
    }
    Satisfaction {
        rated,
        satisfied,
        permille: (satisfied * 1000).checked_div(rated).unwrap_or(1000),
    }
}

/// A PDCA stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PdcaStage {
    Plan,
    Do,
    Check,
    Act,
    Closed,
}

impl PdcaStage {
    /// The stage after this one (`None` after closed).
    pub fn next(self) -> Option<Self> {
        match self {
            Self::Plan => Some(Self::Do),
            Self::Do => Some(Self::Check),
            Self::Check => Some(Self::Act),
            Self::Act => Some(Self::Closed),
            Self::Closed => None,
        }
    }
}

/// One step of an improvement item: the stage left and what was done in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdcaStep {
    pub stage: PdcaStage,
    pub note: String,
    pub at: Millis,
}

/// An improvement item (整改事项), tracked through PDCA to closure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImprovementItem {
    pub id: u32,
    /// What opened it, e.g. [`TRIGGER_SATISFACTION`].
    pub trigger: String,
    /// The figure that opened it, e.g. `satisfaction 700‰ of 30 ratings`.
    pub detail: String,
    pub opened_at: Millis,
    pub stage: PdcaStage,
    /// Completed stages, oldest first.
    pub steps: Vec<PdcaStep>,
}

/// Why an improvement item could not move on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PdcaError {
    #[error("the item is closed")]
    Closed,
    #[error("write what was done in this stage")]
    NoNote,
    #[error("the step is dated before the item's last step")]
    TimeBackwards,
    #[error("the improvement items setting is not valid: {0}")]
    Json(String),
}

/// Reads the items setting (empty text: no items).
///
/// # Errors
///
/// [`PdcaError::Json`].
pub fn items_from_json(text: &str) -> Result<Vec<ImprovementItem>, PdcaError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str(text).map_err(|e| PdcaError::Json(e.to_string()))
}

/// A new item for a satisfaction warning, unless one for satisfaction is open.
pub fn open_for_satisfaction(
    items: &[ImprovementItem],
    s: &Satisfaction,
    now: Millis,
) -> Option<ImprovementItem> {
    if !s.below_target()
        || items
            .iter()
            .any(|i| i.trigger == TRIGGER_SATISFACTION && i.stage != PdcaStage::Closed)
    {
        return None;
    }
    Some(ImprovementItem {
        id: items.iter().map(|i| i.id).max().unwrap_or(0) + 1,
        trigger: TRIGGER_SATISFACTION.to_owned(),
        detail: format!("satisfaction {}‰ of {} ratings", s.permille, s.rated),
        opened_at: now,
        stage: PdcaStage::Plan,
        steps: Vec::new(),
    })
}

/// The item moved to its next stage, recording `note` for the stage it leaves.
///
/// # Errors
///
/// [`PdcaError::Closed`], [`PdcaError::NoNote`], [`PdcaError::TimeBackwards`].
///
/// # Examples
///
/// ```
/// use linli_domain::warnings::*;
/// let s = Satisfaction { rated: 20, satisfied: 14, permille: 700 };
/// let item = open_for_satisfaction(&[], &s, 0).unwrap();
/// let item = advance_item(&item, "查找不满意原因", 1).unwrap();
/// assert_eq!(item.stage, PdcaStage::Do);
/// assert_eq!(advance_item(&item, " ", 2), Err(PdcaError::NoNote));
/// ```
pub fn advance_item(item: &ImprovementItem, note: &str, at: Millis) -> Result<ImprovementItem, PdcaError> {
    let next = item.stage.next().ok_or(PdcaError::Closed)?;
    let note = note.trim();
    if note.is_empty() {
        return Err(PdcaError::NoNote);
    }
    let last = item.steps.last().map_or(item.opened_at, |s| s.at);
    if at < last {
        return Err(PdcaError::TimeBackwards);
    }
    let mut out = item.clone();
    out.steps.push(PdcaStep {
        stage: item.stage,
        note: note.to_owned(),
        at,
    });
    out.stage = next;
    Ok(out)
}

/// Counts of open items by trigger (for the workspace overview).
pub fn open_items(items: &[ImprovementItem]) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    for i in items.iter().filter(|i| i.stage != PdcaStage::Closed) {
        *out.entry(i.trigger.clone()).or_insert(0) += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RequestColour, StatusChange};
    use crate::requests::calendar::parse_date;

    fn act(id: u32, date: &str, channel: Channel, n: u32) -> Activity {
        Activity {
            id,
            date: date.into(),
            title: String::new(),
            channel,
            building_id: None,
            attendance: (1..=n).collect(),
            hours_tenths: 10,
        }
    }

    #[test]
    fn falling_three_in_a_row() {
        let mut acts = vec![
            act(1, "2026-01-01", Channel::OnlineHall, 30),
            act(2, "2026-01-08", Channel::OnlineHall, 25),
            act(3, "2026-01-15", Channel::OnlineHall, 20),
            act(9, "2026-01-16", Channel::SkillSharing, 5),
        ];
        assert!(participation_falling(&acts).is_empty(), "two falls only");
        acts.push(act(4, "2026-01-22", Channel::OnlineHall, 19));
        let w = participation_falling(&acts);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].activities, vec![(1, 30), (2, 25), (3, 20), (4, 19)]);
        acts.push(act(5, "2026-01-29", Channel::OnlineHall, 19));
        assert!(
            participation_falling(&acts).is_empty(),
            "a flat step ends the streak"
        );
    }

    fn req(id: u32, received: Millis, closed: Option<(Millis, u8)>) -> Request {
        let mut history = vec![StatusChange {
            status: RequestStatus::Received,
            at: received,
            note: None,
        }];
        if let Some((at, _)) = closed {
            history.push(StatusChange {
                status: RequestStatus::Closed,
                at,
                note: None,
            });
        }
        Request {
            id,
            tracking_code: String::new(),
            household_id: None,
            category: "health".into(),
            description: String::new(),
            colour: RequestColour::Blue,
            status: history.last().unwrap().status,
            history,
            received_at: received,
            due_at: received,
            satisfaction: closed.map(|c| c.1),
            assignee: None,
            resident: None,
        }
    }

    #[test]
    fn complaint_rate_rising() {
        let t = |d: &str| local_midnight(parse_date(d).unwrap()) + 3_600_000;
        let mut reqs = vec![req(1, t("2026-08-10"), None)];
        for (i, d) in [
            "2026-09-01",
            "2026-09-30",
            "2026-10-02",
            "2026-10-03",
            "2026-10-31",
        ]
        .iter()
        .enumerate()
        {
            reqs.push(req(i as u32 + 2, t(d), None));
        }
        let now = t("2026-11-24");
        let (months, rising) = complaint_rate(&reqs, 1000, now);
        assert_eq!(
            months
                .iter()
                .map(|m| (m.month.as_str(), m.requests))
                .collect::<Vec<_>>(),
            vec![("2026-08", 1), ("2026-09", 2), ("2026-10", 3)]
        );
        assert!(rising);
        let (_, rising) = complaint_rate(&reqs, 1000, t("2026-12-01"));
        assert!(!rising, "November had none");
        // Across a year boundary.
        let (months, _) = complaint_rate(&reqs, 1000, t("2027-02-03"));
        assert_eq!(months[0].month, "2026-11");
        assert_eq!(months[2].month, "2027-01");
    }

    #[test]
    fn satisfaction_opens_one_pdca_item_tracked_to_closure() {
        let reqs: Vec<Request> = (0..10)
            .map(|i| req(i, 0, Some((100 + i64::from(i), if i < 8 { 5 } else { 2 }))))
            .collect();
        let s = satisfaction(&reqs, 0, 1000);
        assert_eq!((s.rated, s.satisfied, s.permille), (10, 8, 800));
        assert!(s.below_target());
        assert!(!satisfaction(&reqs, 0, 105).below_target(), "too few ratings");
        let item = open_for_satisfaction(&[], &s, 2000).unwrap();
        assert!(
            open_for_satisfaction(std::slice::from_ref(&item), &s, 2001).is_none(),
            "one open item at a time"
        );
        let mut it = item;
        for (k, note) in ["原因分析", "整改落实", "回访复核", "制度固化"]
            .iter()
            .enumerate()
        {
            it = advance_item(&it, note, 3000 + k as i64).unwrap();
        }
        assert_eq!(it.stage, PdcaStage::Closed);
        assert_eq!(
            it.steps.iter().map(|s| s.stage).collect::<Vec<_>>(),
            vec![PdcaStage::Plan, PdcaStage::Do, PdcaStage::Check, PdcaStage::Act]
        );
        assert_eq!(advance_item(&it, "x", 9999), Err(PdcaError::Closed));
        assert!(open_for_satisfaction(std::slice::from_ref(&it), &s, 9999).is_some_and(|n| n.id == 2));
        let text = serde_json::to_string(&vec![it.clone()]).unwrap();
        assert_eq!(items_from_json(&text).unwrap(), vec![it]);
        assert!(items_from_json("").unwrap().is_empty());
        assert!(items_from_json("{").is_err());
        let good: Vec<Request> = (0..10).map(|i| req(i, 0, Some((100, 5)))).collect();
        assert!(!satisfaction(&good, 0, 1000).below_target());
    }
}
