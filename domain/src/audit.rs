//! The change history (audit log) as guides and auditors read it: filtering,
//! newest-first order, paging, and the parts of an entry a view translates.
//!
//! Entries are written by every store's typed operations (`src/db/`) with the
//! acting guide's name; this module never changes them. Times are instants
//! (ms since the Unix epoch); days are the community's local days
//! ([`crate::requests::calendar::local_day`], UTC+8).
//!
//! # Examples
//!
//! ```
//! use linli_domain::audit::{select, Filter};
//! use linli_domain::model::AuditEntry;
//! let e = |id, actor: &str| AuditEntry {
//!     id, at: i64::from(id) * 60_000, actor: actor.into(), entity: "households".into(),
//!     entity_id: 1, action: "update".into(), summary: String::new(),
//! };
//! let log = vec![e(1, "王芳"), e(2, "李强"), e(3, "王芳")];
//! let page = select(&log, &Filter { actor: Some("王芳".into()), ..Filter::default() }, 10);
//! assert_eq!(page.total, 2);
//! assert_eq!(page.entries.iter().map(|e| e.id).collect::<Vec<_>>(), [3, 1]);
//! ```

use crate::model::AuditEntry;
use crate::order::SortDyn;
use crate::requests::calendar::local_day;

/// What the history view shows: every field is "any" when `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only entries by this guide (exact name).
    pub actor: Option<String>,
    /// Only entries about this store (e.g. `households`).
    pub entity: Option<String>,
    /// Only entries on or after this local day (days since 1970-01-01, UTC+8).
    pub from_day: Option<i64>,
    /// Only entries on or before this local day.
    pub to_day: Option<i64>,
}

impl Filter {
    /// Whether `e` passes the filter.
    pub fn admits(&self, e: &AuditEntry) -> bool {
        let day = local_day(e.at);
        self.actor.as_ref().is_none_or(|a| *a == e.actor)
            && self.entity.as_ref().is_none_or(|s| *s == e.entity)
            && self.from_day.is_none_or(|d| day >= d)
            && self.to_day.is_none_or(|d| day <= d)
    }
}

/// The first entries of a filtered history, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<'a> {
    /// At most the asked-for number of entries, newest first (time, then id).
    pub entries: Vec<&'a AuditEntry>,
    /// How many entries pass the filter in all.
    pub total: usize,
}

/// The newest `limit` entries of `log` that pass `filter`, and how many pass.
///
/// Order: time descending, then id descending, so two entries of one
/// transaction (same time) show in the order they were recorded, newest first.
pub fn select<'a>(log: &'a [AuditEntry], filter: &Filter, limit: usize) -> Page<'a> {
    let mut entries: Vec<&AuditEntry> = log.iter().filter(|e| filter.admits(e)).collect();
    let total = entries.len();
    entries.sort_by_key_dyn(|e| std::cmp::Reverse((e.at, e.id)));
    entries.truncate(limit);
    Page { entries, total }
}

/// The distinct guides named in `log`, sorted (for the "guide" filter).
pub fn actors(log: &[AuditEntry]) -> Vec<String> {
    distinct(log.iter().map(|e| e.actor.as_str()))
}

/// The distinct stores named in `log`, sorted (for the "record type" filter).
pub fn entities(log: &[AuditEntry]) -> Vec<String> {
    distinct(log.iter().map(|e| e.entity.as_str()))
}

fn distinct<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = names.filter(|n| !n.is_empty()).map(str::to_owned).collect();
    out.sort_dyn();
    out.dedup();
    out
}

/// The household fields a household `update` entry names, in order, when its
/// summary is the list written by [`crate::household::changed_fields`]
/// (`"contact_phone, notes"`); `None` for any other entry, whose summary a view
/// shows as recorded.
pub fn changed_household_fields(e: &AuditEntry) -> Option<Vec<&str>> {
    if e.entity != "households" || e.action != "update" || e.summary.is_empty() {
        return None;
    }
    let fields: Vec<&str> = e.summary.split(", ").collect();
    fields
        .iter()
        .all(|f| crate::household::FIELD_CODES.contains(f))
        .then_some(fields)
}

/// The history as CSV for an auditor (UTF-8 with BOM so spreadsheet programs
/// read Chinese): local time (UTC+8), guide, store, record id, action, summary.
/// Every cell is quoted (RFC 4180) and escaped against formula injection
/// ([`crate::csv_cell::escape`]).
pub fn to_csv(entries: &[&AuditEntry], headers: [&str; 6]) -> String {
    let cell = |c: &str| format!("\"{}\"", crate::csv_cell::escape(c).replace('"', "\"\""));
    let mut out = String::from("\u{feff}");
    let row = |cells: [String; 6], out: &mut String| {
        let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    };
    row(headers.map(str::to_owned), &mut out);
    for e in entries {
        row(
            [
                crate::requests::calendar::local_datetime(e.at),
                e.actor.clone(),
                e.entity.clone(),
                e.entity_id.to_string(),
                e.action.clone(),
                e.summary.clone(),
            ],
            &mut out,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(id: u32, at: i64, actor: &str, entity: &str) -> AuditEntry {
        AuditEntry {
            id,
            at,
            actor: actor.into(),
            entity: entity.into(),
            entity_id: id,
            action: "update".into(),
            summary: String::new(),
        }
    }

    #[test]
    fn days_are_local_days() {
        // 2026-12-06 20:00 UTC is 2026-12-07 04:00 in Beijing.
        let day = crate::date::days_from_civil(2026, 12, 7);
        let at = crate::date::day_start_millis(day) - 4 * 3_600_000;
        let log = [entry(1, at, "a", "households")];
        let on = |d| Filter {
            from_day: Some(d),
            to_day: Some(d),
            ..Filter::default()
        };
        assert_eq!(select(&log, &on(day), 10).total, 1);
        assert_eq!(select(&log, &on(day - 1), 10).total, 0);
    }

    #[test]
    fn household_field_lists_are_recognised_and_nothing_else() {
        let mut e = entry(1, 0, "a", "households");
        e.summary = "contact_phone, notes".into();
        assert_eq!(changed_household_fields(&e), Some(vec!["contact_phone", "notes"]));
        e.summary = "12 households".into();
        assert_eq!(changed_household_fields(&e), None);
        e.summary = "notes".into();
        e.entity = "plans".into();
        assert_eq!(changed_household_fields(&e), None);
    }

    #[test]
    fn csv_quotes_and_neutralises_cells() {
        let mut e = entry(7, 0, "=HYPERLINK(\"x\")", "households");
        e.summary = "a, \"b\"".into();
        let csv = to_csv(&[&e], ["时间", "操作人", "类别", "编号", "动作", "内容"]);
        let line = csv.lines().nth(1).expect("a data row");
        assert!(line.starts_with("\"1970-01-01 08:00\""), "{line}");
        assert!(line.contains(",\"'=HYPERLINK"), "formula not neutralised: {line}");
        assert!(line.contains("\"a, \"\"b\"\"\""), "{line}");
    }

    fn log_strategy() -> impl Strategy<Value = Vec<AuditEntry>> {
        prop::collection::vec((0i64..5 * 86_400_000, 0usize..3, 0usize..3), 0..60).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (at, a, s))| {
                    entry(
                        i as u32 + 1,
                        at,
                        ["王芳", "李强", "auditor"][a],
                        ["households", "plans", "requests"][s],
                    )
                })
                .collect()
        })
    }

    proptest! {
        /// The page is exactly the newest admitted entries, newest first, and
        /// `total` counts every admitted entry.
        #[test]
        fn select_is_the_newest_admitted(
            log in log_strategy(),
            actor in prop::option::of(0usize..3),
            entity in prop::option::of(0usize..3),
            from in prop::option::of(0i64..6),
            span in 0i64..6,
            limit in 0usize..70,
        ) {
            let filter = Filter {
                actor: actor.map(|a| ["王芳", "李强", "auditor"][a].to_owned()),
                entity: entity.map(|s| ["households", "plans", "requests"][s].to_owned()),
                from_day: from,
                to_day: from.map(|f| f + span),
            };
            let page = select(&log, &filter, limit);
            let admitted: Vec<&AuditEntry> = log.iter().filter(|e| filter.admits(e)).collect();
            prop_assert_eq!(page.total, admitted.len());
            prop_assert_eq!(page.entries.len(), admitted.len().min(limit));
            for w in page.entries.windows(2) {
                prop_assert!((w[0].at, w[0].id) > (w[1].at, w[1].id));
            }
            // Nothing admitted and left out is newer than the last entry shown.
            if let Some(last) = page.entries.last() {
                let shown: Vec<u32> = page.entries.iter().map(|e| e.id).collect();
                for e in admitted.iter().filter(|e| !shown.contains(&e.id)) {
                    prop_assert!((e.at, e.id) < (last.at, last.id));
                }
            }
            for e in &page.entries {
                prop_assert!(filter.actor.as_ref().is_none_or(|a| *a == e.actor));
                let day = local_day(e.at);
                prop_assert!(filter.from_day.is_none_or(|d| day >= d));
                prop_assert!(filter.to_day.is_none_or(|d| day <= d));
            }
        }

        #[test]
        fn actors_and_entities_are_sorted_and_distinct(log in log_strategy()) {
            for names in [actors(&log), entities(&log)] {
                for w in names.windows(2) {
                    prop_assert!(w[0] < w[1]);
                }
            }
            for e in &log {
                prop_assert!(actors(&log).contains(&e.actor));
            }
        }
    }
}
