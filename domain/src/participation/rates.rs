//! Participation rates and resident-leader growth (SPEC §2.6, §2.10).
//!
//! A household *participated* in a scope when it attended at least one activity
//! in it. The rate of a group (channel, resident group, building) is the number
//! of its households that participated divided by its number of households;
//! rates are in per mille, rounded down.
//!
//! A *resident leader* (居民骨干) of a quarter is a household that attended at
//! least [`LEADER_MIN_ACTIVITIES`] activities in that quarter. Leader growth
//! compares consecutive quarters.

use std::collections::{BTreeMap, BTreeSet};

use thiserror::Error;

use crate::date::quarter_label;
use crate::model::{Activity, Building, Channel, Household};
use crate::requests::calendar::parse_date;

/// Attendances in one quarter that make a household a resident leader.
pub const LEADER_MIN_ACTIVITIES: usize = 3;

/// A participation rate of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    /// Channel code, group code or building name.
    pub key: String,
    pub households: u32,
    pub participants: u32,
    /// `participants * 1000 / households` (0 for an empty group).
    pub permille: u32,
}

fn rate(key: String, households: u32, participants: u32) -> Rate {
    Rate {
        key,
        households,
        participants,
        permille: if households == 0 {
            0
        } else {
            (u64::from(participants) * 1000 / u64::from(households)) as u32
        },
    }
}

impl Channel {
    /// The channel's code (its serde name), e.g. `building_corner`.
    pub fn code(self) -> &'static str {
        match self {
            Self::OnlineHall => "online_hall",
            Self::BuildingCorner => "building_corner",
            Self::TenantRepresentatives => "tenant_representatives",
            Self::Volunteering => "volunteering",
            Self::SkillSharing => "skill_sharing",
        }
    }

    /// The channel of a code (`None` for anything else).
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::model::Channel;
    /// assert_eq!(Channel::from_code("skill_sharing"), Some(Channel::SkillSharing));
    /// assert_eq!(Channel::from_code("hall"), None);
    /// ```
    pub fn from_code(code: &str) -> Option<Self> {
        CHANNELS.into_iter().find(|c| c.code() == code)
    }
}

/// Every channel, in display order (the activity form's options are indexes into it).
pub const CHANNELS: [Channel; 5] = [
    Channel::OnlineHall,
    Channel::BuildingCorner,
    Channel::TenantRepresentatives,
    Channel::Volunteering,
    Channel::SkillSharing,
];

fn participants<'a>(activities: impl Iterator<Item = &'a Activity>) -> BTreeSet<u32> {
    activities.flat_map(|a| a.attendance.iter().copied()).collect()
}

/// The community's overall participation rate.
pub fn overall(activities: &[Activity], households: &[Household]) -> Rate {
    let ids: BTreeSet<u32> = households.iter().map(|h| h.id).collect();
    let p = participants(activities.iter()).intersection(&ids).count() as u32;
    rate("all".to_owned(), ids.len() as u32, p)
}

/// Rates by channel, in [`CHANNELS`] order (base: all households).
pub fn by_channel(activities: &[Activity], households: &[Household]) -> Vec<Rate> {
    let ids: BTreeSet<u32> = households.iter().map(|h| h.id).collect();
    CHANNELS
        .iter()
        .map(|&c| {
            let p = participants(activities.iter().filter(|a| a.channel == c))
                .intersection(&ids)
                .count() as u32;
            rate(c.code().to_owned(), ids.len() as u32, p)
        })
        .collect()
}

fn by_key(
    activities: &[Activity],
    households: &[Household],
    key: impl Fn(&Household) -> String,
) -> Vec<Rate> {
    let p = participants(activities.iter());
    let mut groups: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for h in households {
        let g = groups.entry(key(h)).or_default();
        g.0 += 1;
        if p.contains(&h.id) {
            g.1 += 1;
        }
    }
    groups.into_iter().map(|(k, (n, p))| rate(k, n, p)).collect()
}

/// Rates by resident group, ordered by group code.
pub fn by_group(activities: &[Activity], households: &[Household]) -> Vec<Rate> {
    by_key(activities, households, |h| h.group.clone())
}

/// Rates by building, ordered by building id (key: the building's name).
pub fn by_building(activities: &[Activity], households: &[Household], buildings: &[Building]) -> Vec<Rate> {
    let mut rows = by_key(activities, households, |h| format!("{:010}", h.building_id));
    for r in &mut rows {
        let id: u32 = r.key.parse().unwrap_or(0);
        r.key = buildings
            .iter()
            .find(|b| b.id == id)
            .map_or_else(|| id.to_string(), |b| b.name.clone());
    }
    rows
}

/// Resident leaders per quarter (`YYYY-Qn`, in order) and the growth against the
/// previous quarter in per mille (`None` for the first quarter or after a quarter
/// with no leaders).
pub fn leaders_by_quarter(activities: &[Activity]) -> Vec<(String, u32, Option<i64>)> {
    let mut per_q: BTreeMap<String, BTreeMap<u32, usize>> = BTreeMap::new();
    for a in activities {
        let Ok(day) = parse_date(&a.date) else { continue };
        let q = per_q.entry(quarter_label(day)).or_default();
        for h in &a.attendance {
            *q.entry(*h).or_default() += 1;
        }
    }
    let mut out: Vec<(String, u32, Option<i64>)> = Vec::new();
    for (q, counts) in per_q {
        let n = counts.values().filter(|&&c| c >= LEADER_MIN_ACTIVITIES).count() as u32;
        let growth = out.last().and_then(|(_, prev, _)| {
            (*prev > 0).then(|| (i64::from(n) - i64::from(*prev)) * 1000 / i64::from(*prev))
        });
        out.push((q, n, growth));
    }
    out
}

/// Why an activity was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ActivityError {
    #[error("give the activity a title")]
    NoTitle,
    #[error("not a date (YYYY-MM-DD)")]
    BadDate,
    #[error("hours must be between 0.1 and 24")]
    BadHours,
    #[error("household {0} is not in the register")]
    UnknownHousehold(u32),
}

/// A household number as typed: a positive integer, spaces around allowed.
///
/// # Examples
///
/// ```
/// use linli_domain::participation::rates::parse_household;
/// assert_eq!(parse_household(" 42 "), Some(42));
/// assert_eq!(parse_household("0"), None);
/// assert_eq!(parse_household("4a"), None);
/// ```
pub fn parse_household(s: &str) -> Option<u32> {
    s.trim().parse().ok().filter(|n| *n > 0)
}

/// An attendance list as typed: household numbers separated by spaces or
/// commas (`,` or `，`).
///
/// # Errors
///
/// The first piece that is not a household number.
///
/// # Examples
///
/// ```
/// use linli_domain::participation::rates::parse_attendance;
/// assert_eq!(parse_attendance("3, 5，8  13"), Ok(vec![3, 5, 8, 13]));
/// assert_eq!(parse_attendance("3 x5 7"), Err("x5"));
/// assert_eq!(parse_attendance(""), Ok(vec![]));
/// ```
pub fn parse_attendance(s: &str) -> Result<Vec<u32>, &str> {
    s.split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(|t| parse_household(t).ok_or(t))
        .collect()
}

/// Hours as typed, with at most one decimal, in tenths of an hour (`None` when
/// not of that form; the range is [`validate_activity`]'s).
///
/// # Examples
///
/// ```
/// use linli_domain::participation::rates::parse_hours_tenths;
/// assert_eq!(parse_hours_tenths(" 1.5"), Some(15));
/// assert_eq!(parse_hours_tenths("2"), Some(20));
/// assert_eq!(parse_hours_tenths("1.25"), None);
/// assert_eq!(parse_hours_tenths(".5"), None);
/// ```
pub fn parse_hours_tenths(s: &str) -> Option<u16> {
    let s = s.trim();
    let (a, b) = s.split_once('.').unwrap_or((s, "0"));
    if b.len() != 1 || a.is_empty() {
        return None;
    }
    a.parse::<u16>()
        .ok()?
        .checked_mul(10)?
        .checked_add(b.parse::<u16>().ok()?)
}

/// A checked activity: title trimmed, date valid, 0.1–24 hours, attendance of
/// registered households (sorted, duplicates merged).
///
/// # Errors
///
/// The first [`ActivityError`] found.
pub fn validate_activity(mut a: Activity, known: &BTreeSet<u32>) -> Result<Activity, ActivityError> {
    a.title = a.title.trim().to_owned();
    if a.title.is_empty() {
        return Err(ActivityError::NoTitle);
    }
    parse_date(&a.date).map_err(|_| ActivityError::BadDate)?;
    if !(1..=240).contains(&a.hours_tenths) {
        return Err(ActivityError::BadHours);
    }
    a.attendance.sort_unstable();
    a.attendance.dedup();
    if let Some(h) = a.attendance.iter().find(|h| !known.contains(h)) {
        return Err(ActivityError::UnknownHousehold(*h));
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{generate, DemoConfig};

    #[test]
    fn participation_typed_input() {
        assert_eq!(parse_hours_tenths("24.0"), Some(240));
        assert_eq!(parse_hours_tenths("1."), None);
        assert_eq!(parse_hours_tenths("-1.5"), None);
        assert_eq!(parse_hours_tenths("6553.5"), Some(65_535));
        assert_eq!(parse_hours_tenths("6553.6"), None);
        assert_eq!(parse_hours_tenths("1.x"), None);
        assert_eq!(parse_attendance(" 7 ,, 9 "), Ok(vec![7, 9]));
        assert_eq!(parse_attendance("7 0"), Err("0"));
        assert_eq!(parse_household("+3"), Some(3));
        assert_eq!(parse_household(""), None);
    }

    #[test]
    fn participation_channel_codes_round_trip() {
        for c in CHANNELS {
            assert_eq!(Channel::from_code(c.code()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.code());
        }
        let mut codes: Vec<_> = CHANNELS.iter().map(|c| c.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), CHANNELS.len());
    }

    fn act(id: u32, date: &str, channel: Channel, attendance: Vec<u32>) -> Activity {
        Activity {
            id,
            date: date.into(),
            title: format!("a{id}"),
            channel,
            building_id: None,
            attendance,
            hours_tenths: 10,
        }
    }

    #[test]
    fn rates_on_the_demo() {
        let d = generate(&DemoConfig {
            households: 600,
            ..Default::default()
        });
        let all = overall(&d.activities, &d.households);
        assert_eq!(all.households, 600);
        let distinct: BTreeSet<u32> = d.activities.iter().flat_map(|a| a.attendance.clone()).collect();
        assert_eq!(all.participants as usize, distinct.len());
        let ch = by_channel(&d.activities, &d.households);
        assert_eq!(ch.len(), 5);
        assert!(ch.iter().all(|r| r.participants <= all.participants));
        let g = by_group(&d.activities, &d.households);
        assert_eq!(g.iter().map(|r| r.households).sum::<u32>(), 600);
        assert_eq!(g.iter().map(|r| r.participants).sum::<u32>(), all.participants);
        let b = by_building(&d.activities, &d.households, &d.buildings);
        assert_eq!(b.iter().map(|r| r.participants).sum::<u32>(), all.participants);
        assert!(b[0].key.ends_with('幢'));
    }

    #[test]
    fn leaders_and_growth() {
        let acts = vec![
            act(1, "2026-01-05", Channel::OnlineHall, vec![1, 2, 3]),
            act(2, "2026-02-05", Channel::OnlineHall, vec![1, 2]),
            act(3, "2026-03-05", Channel::SkillSharing, vec![1, 2]),
            act(4, "2026-04-05", Channel::OnlineHall, vec![1, 2, 3]),
            act(5, "2026-05-05", Channel::OnlineHall, vec![1, 2, 3]),
            act(6, "2026-06-05", Channel::OnlineHall, vec![1, 2, 3]),
        ];
        let l = leaders_by_quarter(&acts);
        assert_eq!(
            l,
            vec![("2026-Q1".into(), 2, None), ("2026-Q2".into(), 3, Some(500))]
        );
        let r = by_channel(&acts, &[]);
        assert_eq!(r[0].permille, 0);
    }

    #[test]
    fn activity_validation() {
        let known: BTreeSet<u32> = [1, 2].into();
        let ok = validate_activity(act(1, "2026-11-24", Channel::OnlineHall, vec![2, 1, 2]), &known).unwrap();
        assert_eq!(ok.attendance, vec![1, 2]);
        assert_eq!(
            validate_activity(act(1, "2026-13-01", Channel::OnlineHall, vec![]), &known),
            Err(ActivityError::BadDate)
        );
        assert_eq!(
            validate_activity(act(1, "2026-11-24", Channel::OnlineHall, vec![9]), &known),
            Err(ActivityError::UnknownHousehold(9))
        );
        let mut a = act(1, "2026-11-24", Channel::OnlineHall, vec![]);
        a.hours_tenths = 0;
        assert_eq!(validate_activity(a.clone(), &known), Err(ActivityError::BadHours));
        a.title = " ".into();
        assert_eq!(validate_activity(a, &known), Err(ActivityError::NoTitle));
    }
}
