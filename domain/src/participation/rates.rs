//! Participation rates and resident-leader growth (SPEC §2.6, §2.10).
//!
//! A household *participated* in a scope when it attended at least one activity
//! in it. The rate of a group (channel, resident group, building) is the number
//! of its households that participated divided by its number of households;
//! rates are in per mille, rounded down.
//!
//! # Resident leaders: the one definition
//!
//! A *resident leader* (居民骨干) of a quarter is a household that attended at
//! least [`LEADER_MIN_ACTIVITIES`] (3) activities dated in that quarter (calendar
//! quarters of the activities' dates). **Resident-leader growth a year** (the
//! SPEC §2.10 indicator, target > 10% a year) compares a quarter with the same
//! quarter a year earlier (同比), so seasons do not count as growth:
//!
//! ```text
//! growth_bp = (leaders(q) − leaders(q − 4 quarters)) × 10,000 / leaders(q − 4 quarters)
//! ```
//!
//! in basis points, rounded toward zero; not measured when the quarter a year
//! earlier has no leader ([`NO_LEADERS_A_YEAR_BEFORE`]). The indicator's quarter is
//! the last *complete* quarter before the day it is computed for
//! ([`leader_growth`]). The participation page ([`leaders_by_quarter`], one row per
//! quarter) and the public snapshot (the `leader_growth` indicator) both use these
//! functions, so the page's row for that quarter and the dashboard show the same
//! figure.

use std::collections::{BTreeMap, BTreeSet};

use thiserror::Error;

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

/// `(year, quarter 1–4)` of a day count.
fn quarter_of(day: i64) -> (i64, u32) {
    let (y, m, _) = crate::date::civil_from_days(day);
    (y, (m - 1) / 3 + 1)
}

fn label((y, q): (i64, u32)) -> String {
    format!("{y}-Q{q}")
}

/// The quarter a year earlier.
fn year_before((y, q): (i64, u32)) -> (i64, u32) {
    (y - 1, q)
}

/// Leaders (households at [`LEADER_MIN_ACTIVITIES`] or more) by quarter.
fn leader_counts(activities: &[Activity]) -> BTreeMap<(i64, u32), u32> {
    let mut per_q: BTreeMap<(i64, u32), BTreeMap<u32, usize>> = BTreeMap::new();
    for a in activities {
        let Ok(day) = parse_date(&a.date) else { continue };
        let q = per_q.entry(quarter_of(day)).or_default();
        // A household listed twice on one activity attended it once.
        let mut seen = BTreeSet::new();
        for h in &a.attendance {
            if seen.insert(*h) {
                *q.entry(*h).or_default() += 1;
            }
        }
    }
    per_q
        .into_iter()
        .map(|(q, counts)| {
            let n = counts.values().filter(|&&c| c >= LEADER_MIN_ACTIVITIES).count();
            (q, u32::try_from(n).unwrap_or(u32::MAX))
        })
        .collect()
}

/// `(now − before) × 10,000 / before`, rounded toward zero; `None` when `before` is 0.
fn growth_bp(now: u32, before: u32) -> Option<i64> {
    (before > 0).then(|| (i64::from(now) - i64::from(before)) * 10_000 / i64::from(before))
}

/// Resident leaders per quarter with activities (`YYYY-Qn`, in order) and the
/// growth on the same quarter a year earlier in basis points (`None` when that
/// quarter had no leader): the rows of the participation page (see the module
/// documentation for the definition).
///
/// # Examples
///
/// ```
/// use linli_domain::model::{Activity, Channel};
/// use linli_domain::participation::rates::leaders_by_quarter;
/// let act = |date: &str, attendance: Vec<u32>| Activity {
///     id: 0, date: date.into(), title: "t".into(), channel: Channel::OnlineHall,
///     building_id: None, attendance, hours_tenths: 10,
/// };
/// // Households 1 and 2 attend three times in 2025-Q3; 1, 2 and 3 in 2026-Q3.
/// let mut acts = Vec::new();
/// for d in ["2025-07-01", "2025-08-01", "2025-09-01"] { acts.push(act(d, vec![1, 2])); }
/// for d in ["2026-07-01", "2026-08-01", "2026-09-01"] { acts.push(act(d, vec![1, 2, 3])); }
/// let rows = leaders_by_quarter(&acts);
/// assert_eq!(rows[0], ("2025-Q3".to_owned(), 2, None));
/// assert_eq!(rows[1], ("2026-Q3".to_owned(), 3, Some(5_000))); // +50.00%
/// ```
pub fn leaders_by_quarter(activities: &[Activity]) -> Vec<(String, u32, Option<i64>)> {
    let counts = leader_counts(activities);
    counts
        .iter()
        .map(|(q, n)| {
            let before = counts.get(&year_before(*q)).copied().unwrap_or(0);
            (label(*q), *n, growth_bp(*n, before))
        })
        .collect()
}

/// Why leader growth is not measured: the quarter a year earlier had no leader
/// (no activity records then, or nobody attended three times).
pub const NO_LEADERS_A_YEAR_BEFORE: &str = "no_leaders_a_year_before";

/// The resident-leader growth indicator as of a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderGrowth {
    /// The last complete quarter before the day (`YYYY-Qn`).
    pub quarter: String,
    pub leaders: u32,
    /// The same quarter a year earlier.
    pub year_before: String,
    pub leaders_year_before: u32,
    /// Growth in basis points, rounded toward zero, or why it is not measured
    /// ([`NO_LEADERS_A_YEAR_BEFORE`]).
    pub growth_bp: Result<i64, &'static str>,
}

/// Resident-leader growth a year as of `today` (days since 1970-01-01, the
/// community's calendar): the last complete quarter before `today` against the
/// same quarter a year earlier. The same figure as that quarter's row of
/// [`leaders_by_quarter`].
///
/// # Examples
///
/// ```
/// use linli_domain::participation::rates::{leader_growth, NO_LEADERS_A_YEAR_BEFORE};
/// let today = linli_domain::date::days_from_civil(2026, 11, 24);
/// let g = leader_growth(&[], today);
/// assert_eq!((g.quarter.as_str(), g.year_before.as_str()), ("2026-Q3", "2025-Q3"));
/// assert_eq!(g.growth_bp, Err(NO_LEADERS_A_YEAR_BEFORE));
/// ```
pub fn leader_growth(activities: &[Activity], today: i64) -> LeaderGrowth {
    let (y, q) = quarter_of(today);
    let last = if q == 1 { (y - 1, 4) } else { (y, q - 1) };
    let counts = leader_counts(activities);
    let leaders = counts.get(&last).copied().unwrap_or(0);
    let leaders_year_before = counts.get(&year_before(last)).copied().unwrap_or(0);
    LeaderGrowth {
        quarter: label(last),
        leaders,
        year_before: label(year_before(last)),
        leaders_year_before,
        growth_bp: growth_bp(leaders, leaders_year_before).ok_or(NO_LEADERS_A_YEAR_BEFORE),
    }
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
            act(1, "2025-01-05", Channel::OnlineHall, vec![1, 2, 3]),
            act(2, "2025-02-05", Channel::OnlineHall, vec![1, 2]),
            act(3, "2025-03-05", Channel::SkillSharing, vec![1, 2]),
            act(4, "2025-04-05", Channel::OnlineHall, vec![1, 2, 3]),
            act(5, "2026-01-05", Channel::OnlineHall, vec![1, 2, 3, 4]),
            act(6, "2026-02-05", Channel::OnlineHall, vec![1, 2, 3, 3]),
            act(7, "2026-03-05", Channel::OnlineHall, vec![1, 2, 3]),
        ];
        let l = leaders_by_quarter(&acts);
        // 2025-Q1: households 1 and 2 (three times each); 2025-Q2: nobody three times.
        // 2026-Q1: 1, 2 and 3 (3 is listed twice on one activity: once) = +50% on 2025-Q1.
        assert_eq!(
            l,
            vec![
                ("2025-Q1".into(), 2, None),
                ("2025-Q2".into(), 0, None),
                ("2026-Q1".into(), 3, Some(5_000)),
            ]
        );
        // As of any day of 2026-Q2, the indicator is 2026-Q1's row.
        for day in ["2026-04-01", "2026-06-30"] {
            let g = leader_growth(&acts, parse_date(day).unwrap());
            assert_eq!(g.quarter, "2026-Q1");
            assert_eq!((g.leaders, g.leaders_year_before), (3, 2));
            assert_eq!(g.growth_bp, Ok(5_000));
            assert_eq!(
                Some(g.growth_bp.ok()),
                l.iter().find(|r| r.0 == g.quarter).map(|r| r.2)
            );
        }
        // In 2026-Q1 itself the last complete quarter is 2025-Q4: no leaders a year before.
        let g = leader_growth(&acts, parse_date("2026-03-31").unwrap());
        assert_eq!(
            (g.quarter.as_str(), g.year_before.as_str()),
            ("2025-Q4", "2024-Q4")
        );
        assert_eq!(g.growth_bp, Err(NO_LEADERS_A_YEAR_BEFORE));
        // A fall is negative, rounded toward zero: 3 → 2 is −33.33%.
        assert_eq!(growth_bp(2, 3), Some(-3_333));
        assert_eq!(growth_bp(5, 0), None);
        let r = by_channel(&acts, &[]);
        assert_eq!(r[0].permille, 0);
    }

    proptest::proptest! {
        /// The indicator is always the page's row of its quarter (or 0 leaders and
        /// not measured when that quarter has no activity).
        #[test]
        fn leader_growth_is_the_pages_row(
            days in proptest::collection::vec((0i64..1_200, proptest::collection::vec(1u32..8, 0..6)), 0..60),
            today in 0i64..1_400,
        ) {
            let base = parse_date("2024-01-01").unwrap();
            let acts: Vec<Activity> = days
                .iter()
                .enumerate()
                .map(|(i, (d, att))| act(i as u32, &crate::date::iso_date(base + d), Channel::OnlineHall, att.clone()))
                .collect();
            let rows = leaders_by_quarter(&acts);
            let g = leader_growth(&acts, base + today);
            match rows.iter().find(|r| r.0 == g.quarter) {
                Some(r) => {
                    proptest::prop_assert_eq!(r.1, g.leaders);
                    proptest::prop_assert_eq!(r.2, g.growth_bp.ok());
                }
                None => proptest::prop_assert_eq!(g.leaders, 0),
            }
            if let Ok(bp) = g.growth_bp {
                proptest::prop_assert!(g.leaders_year_before > 0 && bp >= -10_000);
            }
        }
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
