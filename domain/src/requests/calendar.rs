//! The working-day calendar: weekends, China's public holidays and make-up
//! working days (调休), editable, stored as JSON in the setting [`SETTING_KEY`].
//!
//! A day is a working day when it is a make-up working day, or when it is a
//! Monday–Friday that is not a holiday. Days are counted in China Standard
//! Time (UTC+8, no daylight saving), see [`local_day`].
//!
//! # Shipped data
//!
//! - **2026**: the State Council's schedule (国务院办公厅关于2026年部分节假日安排的通知,
//!   国办发明电, 4 November 2025): 元旦 1–3 Jan (4 Jan worked); 春节 15–23 Feb (14 and
//!   28 Feb worked); 清明 4–6 Apr; 劳动节 1–5 May (9 May worked); 端午 19–21 Jun;
//!   中秋 25–27 Sep; 国庆 1–7 Oct (20 Sep and 10 Oct worked).
//! - **2027: provisional.** The State Council had not published its 2027 schedule
//!   where this build could find it. The shipped 2027 data holds only the statutory
//!   holidays of 《全国年节及纪念日放假办法》 (2024 revision) on their 2027 dates —
//!   元旦 1 Jan; 春节 5–8 Feb (除夕 to 初三); 清明 5 Apr; 劳动节 1–2 May; 端午 9 Jun;
//!   中秋 15 Sep; 国庆 1–3 Oct — and **no** bridging days or make-up working days.
//!   Edit the calendar in the requests page once the official schedule is out.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::date::{civil_from_days, days_from_civil, iso_date};
use crate::model::Millis;

/// The setting that stores an edited calendar as JSON ([`WorkCalendar`]).
pub const SETTING_KEY: &str = "work_calendar";
/// China Standard Time offset from UTC in milliseconds (UTC+8, no DST).
pub const CST_OFFSET_MS: Millis = 8 * 3_600_000;
const DAY_MS: Millis = 86_400_000;
/// Years whose data is provisional (see the module documentation).
pub const PROVISIONAL_YEARS: [i64; 1] = [2027];

/// The local (UTC+8) day number (days since 1970-01-01) of an instant.
///
/// # Examples
///
/// ```
/// use linli_domain::requests::calendar::local_day;
/// use linli_domain::date::{days_from_civil, day_start_millis};
/// // 2026-01-01 20:00 UTC is already 2 January in Beijing.
/// let t = day_start_millis(days_from_civil(2026, 1, 1)) + 20 * 3_600_000;
/// assert_eq!(local_day(t), days_from_civil(2026, 1, 2));
/// ```
pub fn local_day(t: Millis) -> i64 {
    (t + CST_OFFSET_MS).div_euclid(DAY_MS)
}

/// The instant of local (UTC+8) midnight starting day `day`.
pub fn local_midnight(day: i64) -> Millis {
    day * DAY_MS - CST_OFFSET_MS
}

/// Formats an instant as local `YYYY-MM-DD HH:MM` (UTC+8).
pub fn local_datetime(t: Millis) -> String {
    let day = local_day(t);
    let ms = t + CST_OFFSET_MS - day * DAY_MS;
    let min = ms / 60_000;
    format!("{} {:02}:{:02}", iso_date(day), min / 60, min % 60)
}

/// Parses `YYYY-MM-DD` into a day number.
///
/// # Errors
///
/// [`CalendarError::BadDate`] if the text is not a valid calendar date.
pub fn parse_date(s: &str) -> Result<i64, CalendarError> {
    let bad = || CalendarError::BadDate(s.to_owned());
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, CalendarError> {
        let t = &s[r];
        if !t.bytes().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        t.parse().map_err(|_| bad())
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    let days = days_from_civil(y, m as u32, d as u32);
    if civil_from_days(days) != (y, m as u32, d as u32) {
        return Err(bad());
    }
    Ok(days)
}

/// A reason a calendar edit or a date is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    /// Not a `YYYY-MM-DD` date.
    #[error("not a date (YYYY-MM-DD): {0}")]
    BadDate(String),
    /// A day listed both as a holiday and as a make-up working day.
    #[error("{0} is listed both as a holiday and as a make-up working day")]
    Both(String),
    /// The stored calendar is not valid JSON of the expected shape.
    #[error("calendar setting is not valid: {0}")]
    Json(String),
}

/// Holidays and make-up working days, as `YYYY-MM-DD` strings (sorted, unique).
///
/// Weekends need not be listed as holidays; a weekday needs to be listed as a
/// holiday to be one, and a weekend day needs to be listed as a make-up working day
/// to be worked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkCalendar {
    /// Public holidays (放假), including bridging days.
    pub holidays: Vec<String>,
    /// Make-up working days (调休上班).
    pub workdays: Vec<String>,
    #[serde(skip)]
    sets: Option<(BTreeSet<i64>, BTreeSet<i64>)>,
}

fn range(y: i64, m: u32, d0: u32, d1: u32) -> impl Iterator<Item = String> {
    (d0..=d1).map(move |d| iso_date(days_from_civil(y, m, d)))
}

impl Default for WorkCalendar {
    /// China 2026 (official) and 2027 (provisional), see the module documentation.
    fn default() -> Self {
        let mut holidays: Vec<String> = Vec::new();
        // 2026, State Council schedule.
        holidays.extend(range(2026, 1, 1, 3));
        holidays.extend(range(2026, 2, 15, 23));
        holidays.extend(range(2026, 4, 4, 6));
        holidays.extend(range(2026, 5, 1, 5));
        holidays.extend(range(2026, 6, 19, 21));
        holidays.extend(range(2026, 9, 25, 27));
        holidays.extend(range(2026, 10, 1, 7));
        // 2027, PROVISIONAL: statutory days only, no bridging, no make-up days.
        holidays.extend(range(2027, 1, 1, 1));
        holidays.extend(range(2027, 2, 5, 8));
        holidays.extend(range(2027, 4, 5, 5));
        holidays.extend(range(2027, 5, 1, 2));
        holidays.extend(range(2027, 6, 9, 9));
        holidays.extend(range(2027, 9, 15, 15));
        holidays.extend(range(2027, 10, 1, 3));
        let workdays = [
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10",
        ]
        .map(str::to_owned)
        .to_vec();
        Self::new(holidays, workdays).unwrap_or_else(|_| Self::empty())
    }
}

impl WorkCalendar {
    /// A calendar with weekends only.
    pub fn empty() -> Self {
        Self {
            holidays: Vec::new(),
            workdays: Vec::new(),
            sets: Some((BTreeSet::new(), BTreeSet::new())),
        }
    }

    /// A calendar from lists of `YYYY-MM-DD` dates (any order; duplicates merged).
    ///
    /// # Errors
    ///
    /// [`CalendarError::BadDate`] for a malformed date, [`CalendarError::Both`] for a
    /// day in both lists.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::requests::calendar::WorkCalendar;
    /// let c = WorkCalendar::new(vec!["2026-10-01".into()], vec![]).unwrap();
    /// assert_eq!(c.holidays, vec!["2026-10-01"]);
    /// assert!(WorkCalendar::new(vec!["2026-10-01".into()], vec!["2026-10-01".into()]).is_err());
    /// assert!(WorkCalendar::new(vec!["2026-02-30".into()], vec![]).is_err());
    /// ```
    pub fn new(holidays: Vec<String>, workdays: Vec<String>) -> Result<Self, CalendarError> {
        let h: BTreeSet<i64> = holidays
            .iter()
            .map(|s| parse_date(s.trim()))
            .collect::<Result<_, _>>()?;
        let w: BTreeSet<i64> = workdays
            .iter()
            .map(|s| parse_date(s.trim()))
            .collect::<Result<_, _>>()?;
        if let Some(d) = h.intersection(&w).next() {
            return Err(CalendarError::Both(iso_date(*d)));
        }
        Ok(Self {
            holidays: h.iter().map(|d| iso_date(*d)).collect(),
            workdays: w.iter().map(|d| iso_date(*d)).collect(),
            sets: Some((h, w)),
        })
    }

    /// The calendar as typed: one date per line in each text (spaces around a
    /// date and blank lines ignored).
    ///
    /// # Errors
    ///
    /// As [`WorkCalendar::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::requests::calendar::WorkCalendar;
    /// let c = WorkCalendar::from_lines(" 2026-10-02\n\n2026-10-01 ", "2026-10-10").unwrap();
    /// assert_eq!(c.holidays, vec!["2026-10-01", "2026-10-02"]);
    /// assert_eq!(c.workdays, vec!["2026-10-10"]);
    /// ```
    pub fn from_lines(holidays: &str, workdays: &str) -> Result<Self, CalendarError> {
        let lines = |s: &str| -> Vec<String> {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        };
        Self::new(lines(holidays), lines(workdays))
    }

    /// Reads the calendar from its setting's JSON text.
    ///
    /// # Errors
    ///
    /// [`CalendarError::Json`] for bad JSON, else as [`WorkCalendar::new`].
    pub fn from_json(text: &str) -> Result<Self, CalendarError> {
        let raw: Self = serde_json::from_str(text).map_err(|e| CalendarError::Json(e.to_string()))?;
        Self::new(raw.holidays, raw.workdays)
    }

    /// The JSON text stored in the setting.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn sets(&self) -> (BTreeSet<i64>, BTreeSet<i64>) {
        match &self.sets {
            Some(s) => s.clone(),
            None => {
                let p = |v: &[String]| v.iter().filter_map(|s| parse_date(s).ok()).collect();
                (p(&self.holidays), p(&self.workdays))
            }
        }
    }

    /// Whether `day` (days since 1970-01-01) is a working day.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::requests::calendar::{WorkCalendar, parse_date};
    /// let c = WorkCalendar::default();
    /// assert!(!c.is_working_day(parse_date("2026-10-01").unwrap())); // 国庆
    /// assert!(c.is_working_day(parse_date("2026-10-10").unwrap()));  // a Saturday, 调休上班
    /// assert!(!c.is_working_day(parse_date("2026-11-28").unwrap())); // an ordinary Saturday
    /// ```
    pub fn is_working_day(&self, day: i64) -> bool {
        let (h, w) = match &self.sets {
            Some((h, w)) => (h.contains(&day), w.contains(&day)),
            None => {
                let (h, w) = self.sets();
                (h.contains(&day), w.contains(&day))
            }
        };
        if w {
            return true;
        }
        // 1970-01-01 was a Thursday: weekday 0 = Monday.
        let weekday = (day + 3).rem_euclid(7);
        weekday < 5 && !h
    }

    /// The `n`-th working day strictly after `day` (`n = 0` gives `day` itself).
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::requests::calendar::{WorkCalendar, parse_date};
    /// use linli_domain::date::iso_date;
    /// let c = WorkCalendar::default();
    /// // Wednesday 30 Sep 2026 + 1 working day: the National Day block (1–7 Oct) is
    /// // skipped, 8 Oct is the next working day.
    /// assert_eq!(iso_date(c.add_working_days(parse_date("2026-09-30").unwrap(), 1)), "2026-10-08");
    /// ```
    pub fn add_working_days(&self, day: i64, n: u32) -> i64 {
        let mut d = day;
        let mut left = n;
        while left > 0 {
            d += 1;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days in `(from, to]` (0 when `to <= from`).
    pub fn working_days_between(&self, from: i64, to: i64) -> u32 {
        ((from + 1)..=to).filter(|d| self.is_working_day(*d)).count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> i64 {
        parse_date(s).unwrap()
    }

    #[test]
    fn official_2026_blocks() {
        let c = WorkCalendar::default();
        for day in [
            "2026-01-01",
            "2026-01-02",
            "2026-02-16",
            "2026-02-23",
            "2026-04-06",
            "2026-05-04",
        ] {
            assert!(!c.is_working_day(d(day)), "{day} is a holiday");
        }
        for day in [
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10",
        ] {
            assert!(c.is_working_day(d(day)), "{day} is a make-up working day");
        }
        assert!(c.is_working_day(d("2026-11-24"))); // a Tuesday
        assert!(!c.is_working_day(d("2026-11-29"))); // a Sunday
                                                     // Spring Festival: Friday 13 Feb + 1 → Saturday 14 Feb (worked).
        assert_eq!(iso_date(c.add_working_days(d("2026-02-13"), 1)), "2026-02-14");
        // Saturday 14 Feb + 1 → Tuesday 24 Feb (15–23 off).
        assert_eq!(iso_date(c.add_working_days(d("2026-02-14"), 1)), "2026-02-24");
        // Thursday 24 Sep + 3 → 28, 29, 30 Sep.
        assert_eq!(iso_date(c.add_working_days(d("2026-09-24"), 3)), "2026-09-30");
        // Tuesday 29 Sep + 7 → 30 Sep, 8, 9, 10 (Sat, worked), 12, 13, 14 Oct.
        assert_eq!(iso_date(c.add_working_days(d("2026-09-29"), 7)), "2026-10-14");
        assert_eq!(c.working_days_between(d("2026-09-29"), d("2026-10-14")), 7);
    }

    #[test]
    fn calendar_json_round_trip_and_errors() {
        let c = WorkCalendar::default();
        let back = WorkCalendar::from_json(&c.to_json()).unwrap();
        assert_eq!(back, c);
        assert!(matches!(
            WorkCalendar::from_json("{"),
            Err(CalendarError::Json(_))
        ));
        assert_eq!(
            WorkCalendar::new(vec!["2026-1-1".into()], vec![]),
            Err(CalendarError::BadDate("2026-1-1".into()))
        );
        assert!(c.holidays.iter().any(|h| h.starts_with("2027-")));
    }

    #[test]
    fn local_time() {
        let t = local_midnight(d("2026-10-08"));
        assert_eq!(local_datetime(t), "2026-10-08 00:00");
        assert_eq!(local_day(t), d("2026-10-08"));
        assert_eq!(local_day(t - 1), d("2026-10-07"));
    }

    proptest! {
        /// `add_working_days(d, n)` lands on a working day with exactly `n` working
        /// days in between, and is monotone in `n`.
        #[test]
        fn add_working_days_counts(start in 20_400i64..21_200, n in 1u32..40) {
            let c = WorkCalendar::default();
            let end = c.add_working_days(start, n);
            prop_assert!(c.is_working_day(end));
            prop_assert_eq!(c.working_days_between(start, end), n);
            prop_assert!(c.add_working_days(start, n + 1) > end);
            // Adding in two steps equals adding at once.
            let k = n / 2;
            prop_assert_eq!(c.add_working_days(c.add_working_days(start, k), n - k), end);
        }

        /// Without holidays, five working days are exactly one week.
        #[test]
        fn plain_weeks(start in -10_000i64..30_000, weeks in 0u32..20) {
            let c = WorkCalendar::empty();
            if c.is_working_day(start) {
                prop_assert_eq!(c.add_working_days(start, 5 * weeks), start + 7 * i64::from(weeks));
            }
        }
    }
}
