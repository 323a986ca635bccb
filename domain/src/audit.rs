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

/// What a recorded summary says, read back into parts a view can put into words
/// (issue #17: the history shows no codes and no English sentences in a Chinese
/// view). Summaries are written by the workspace's typed saves in fixed shapes; this
/// reads those shapes and nothing else ([`detail`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// A request's status `from` → `to` (status codes, e.g. `received`, `closed`),
    /// the resident's rating if given, and a change of assignee (`-`: none).
    Status {
        from: String,
        to: String,
        rating: Option<u8>,
        assignee: Option<(String, String)>,
    },
    /// A request's assignee `from` → `to` (guides' names; `-`: none).
    Assigned { from: String, to: String },
    /// A plan's stage `from` → `to` (stage codes, e.g. `notice`, `execution`).
    Stage { from: String, to: String },
    /// Points earned at an activity: households × points each.
    Earned { households: u64, points: i64 },
    /// A household redeemed `item` (a catalogue code) for `delta` points (negative).
    Redeemed {
        household: u32,
        item: String,
        delta: i64,
    },
    /// A household's points entry `entry` reversed by `delta`.
    Reversed { household: u32, entry: u32, delta: i64 },
    /// Time-bank minutes from one household to another.
    Transfer { from: u32, to: u32, minutes: i64 },
    /// Text the guide typed (a title, a date and a title), shown as written.
    Text(String),
    /// A summary in none of the shapes above: kept in the record and the CSV export,
    /// not shown in words.
    Other,
}

/// Whether `s` is free of English words (three or more Latin letters in a row), so
/// that it can be shown as written in any language: typed titles and numbers.
fn no_english(s: &str) -> bool {
    let mut run = 0;
    for c in s.chars() {
        run = if c.is_ascii_alphabetic() { run + 1 } else { 0 };
        if run >= 3 {
            return false;
        }
    }
    true
}

fn arrow(s: &str) -> Option<(&str, &str)> {
    let (a, b) = s.split_once(" → ")?;
    Some((a.trim(), b.trim()))
}

/// The summary a save records for `d`: the one shape [`detail`] reads back. The
/// workspace writes every structured summary through this, so the two cannot drift.
/// [`Detail::Text`] is written as given; [`Detail::Other`] writes nothing.
pub fn summary(d: &Detail) -> String {
    match d {
        Detail::Status {
            from,
            to,
            rating,
            assignee,
        } => {
            let mut s = format!("{from} → {to}");
            if let Some(r) = rating {
                s.push_str(&format!(" ({r}/5)"));
            }
            if let Some((a, b)) = assignee {
                s.push_str(&format!("; assignee: {a} → {b}"));
            }
            s
        }
        Detail::Assigned { from, to } => format!("assignee: {from} → {to}"),
        Detail::Stage { from, to } => format!("stage: {from} → {to}"),
        Detail::Earned { households, points } => {
            format!("activity: {households} households × {points} points")
        }
        Detail::Redeemed {
            household,
            item,
            delta,
        } => format!("household {household}: {item} ({delta})"),
        Detail::Reversed {
            household,
            entry,
            delta,
        } => format!("household {household}: entry {entry} reversed ({delta})"),
        Detail::Transfer { from, to, minutes } => {
            format!("household {from} → {to}: {minutes} min")
        }
        Detail::Text(t) => t.clone(),
        Detail::Other => String::new(),
    }
}

/// Reads the summary of `e` ([`Detail`]).
///
/// ```
/// use linli_domain::audit::{detail, Detail};
/// use linli_domain::model::AuditEntry;
/// let e = AuditEntry { id: 1, at: 0, actor: "王".into(), entity: "requests".into(), entity_id: 7,
///     action: "status".into(), summary: "received → closed (5/5)".into() };
/// assert_eq!(detail(&e), Detail::Status { from: "received".into(), to: "closed".into(),
///     rating: Some(5), assignee: None });
/// ```
pub fn detail(e: &AuditEntry) -> Detail {
    let s = e.summary.trim();
    let parsed = match (e.entity.as_str(), e.action.as_str()) {
        ("requests", "status") => status(s),
        ("requests", "assign") => {
            s.strip_prefix("assignee: ")
                .and_then(arrow)
                .map(|(a, b)| Detail::Assigned {
                    from: a.to_owned(),
                    to: b.to_owned(),
                })
        }
        ("plans", _) => s
            .split_once(": ")
            .and_then(|(_, t)| arrow(t))
            .filter(|(a, b)| is_code(a) && is_code(b))
            .map(|(a, b)| Detail::Stage {
                from: a.to_owned(),
                to: b.to_owned(),
            }),
        ("points_ledger", "earn") => s.split_once(": ").and_then(|(_, t)| {
            let (h, p) = t.split_once(" households × ")?;
            Some(Detail::Earned {
                households: h.trim().parse().ok()?,
                points: p.strip_suffix(" points")?.trim().parse().ok()?,
            })
        }),
        ("points_ledger", "redeem") => household(s).and_then(|(h, t)| {
            let (item, delta) = t.rsplit_once(" (")?;
            Some(Detail::Redeemed {
                household: h,
                item: item.trim().to_owned(),
                delta: delta.strip_suffix(')')?.parse().ok()?,
            })
        }),
        ("points_ledger", "reverse") => household(s).and_then(|(h, t)| {
            let t = t.strip_prefix("entry ")?;
            let (entry, rest) = t.split_once(" reversed (")?;
            Some(Detail::Reversed {
                household: h,
                entry: entry.parse().ok()?,
                delta: rest.strip_suffix(')')?.parse().ok()?,
            })
        }),
        ("timebank_ledger", _) => s.strip_prefix("household ").and_then(|t| {
            let (pair, minutes) = t.split_once(": ")?;
            let (a, b) = arrow(pair)?;
            Some(Detail::Transfer {
                from: a.parse().ok()?,
                to: b.parse().ok()?,
                minutes: minutes.strip_suffix(" min")?.trim().parse().ok()?,
            })
        }),
        _ => None,
    };
    parsed.unwrap_or_else(|| {
        if !s.is_empty() && no_english(s) {
            Detail::Text(s.to_owned())
        } else {
            Detail::Other
        }
    })
}

fn is_code(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// `household N: rest` → `(N, rest)`.
fn household(s: &str) -> Option<(u32, &str)> {
    let (h, rest) = s.strip_prefix("household ")?.split_once(": ")?;
    Some((h.parse().ok()?, rest))
}

/// `from → to[ (r/5)][; assignee: a → b]`.
fn status(s: &str) -> Option<Detail> {
    let (head, assignee) = match s.split_once("; assignee: ") {
        Some((h, a)) => {
            let (x, y) = arrow(a)?;
            (h, Some((x.to_owned(), y.to_owned())))
        }
        None => (s, None),
    };
    let (head, rating) = match head.split_once(" (") {
        Some((h, r)) => (h, Some(r.strip_suffix("/5)")?.parse().ok()?)),
        None => (head, None),
    };
    let (from, to) = arrow(head)?;
    (is_code(from) && is_code(to)).then(|| Detail::Status {
        from: from.to_owned(),
        to: to.to_owned(),
        rating,
        assignee,
    })
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

    fn with(entity: &str, action: &str, summary: String) -> AuditEntry {
        AuditEntry {
            entity: entity.into(),
            action: action.into(),
            summary,
            ..entry(1, 0, "王", entity)
        }
    }

    #[test]
    fn recorded_summaries_read_back() {
        let cases = [
            (
                "requests",
                "status",
                Detail::Status {
                    from: "received".into(),
                    to: "assigned".into(),
                    rating: None,
                    assignee: Some(("-".into(), "李四".into())),
                },
            ),
            (
                "requests",
                "status",
                Detail::Status {
                    from: "resolved".into(),
                    to: "closed".into(),
                    rating: Some(4),
                    assignee: None,
                },
            ),
            (
                "requests",
                "assign",
                Detail::Assigned {
                    from: "张三".into(),
                    to: "-".into(),
                },
            ),
            (
                "plans",
                "council",
                Detail::Stage {
                    from: "council".into(),
                    to: "assessment".into(),
                },
            ),
            (
                "points_ledger",
                "earn",
                Detail::Earned {
                    households: 12,
                    points: 30,
                },
            ),
            (
                "points_ledger",
                "redeem",
                Detail::Redeemed {
                    household: 7,
                    item: "rice_5kg".into(),
                    delta: -80,
                },
            ),
            (
                "points_ledger",
                "reverse",
                Detail::Reversed {
                    household: 7,
                    entry: 91,
                    delta: 80,
                },
            ),
            (
                "timebank_ledger",
                "transfer",
                Detail::Transfer {
                    from: 3,
                    to: 44,
                    minutes: 90,
                },
            ),
            ("activities", "create", Detail::Text("2026-03-01 社区义诊".into())),
        ];
        for (entity, action, d) in cases {
            let e = with(entity, action, summary(&d));
            assert_eq!(detail(&e), d, "{entity}/{action}: {}", e.summary);
        }
    }

    #[test]
    fn english_sentences_are_not_shown_as_text() {
        for s in [
            "allocation run 3 adopted for 2026-Q3 on 2026-08-01",
            "plan 4 created on 2026-01-02: 加装电梯",
            "undo entry",
        ] {
            assert_eq!(
                detail(&with("decisions", "adopt_run", s.into())),
                Detail::Other,
                "{s}"
            );
        }
        // A status line with a code that is not one, or a rating that is not a number.
        assert_eq!(
            detail(&with("requests", "status", "Received → 办结".into())),
            Detail::Other
        );
        assert_eq!(
            detail(&with("requests", "status", "received → closed (x/5)".into())),
            Detail::Other
        );
        assert_eq!(detail(&with("requests", "status", String::new())), Detail::Other);
    }

    proptest! {
        /// Any household, item and amount round-trip; any other text never panics.
        #[test]
        fn ledger_lines_round_trip(h in 0u32..1_000_000, e in 0u32..1_000_000, delta in -100_000i64..100_000, item in "[a-z_]{1,12}") {
            let d = Detail::Redeemed { household: h, item: item.clone(), delta };
            prop_assert_eq!(detail(&with("points_ledger", "redeem", summary(&d))), d);
            let d = Detail::Reversed { household: h, entry: e, delta };
            prop_assert_eq!(detail(&with("points_ledger", "reverse", summary(&d))), d);
            let d = Detail::Transfer { from: h, to: e, minutes: delta };
            prop_assert_eq!(detail(&with("timebank_ledger", "transfer", summary(&d))), d);
        }

        #[test]
        fn any_summary_is_read_without_panic(s in ".{0,60}", entity in "(requests|plans|points_ledger|timebank_ledger|x)", action in "(status|earn|redeem|reverse|transfer|y)") {
            let d = detail(&with(&entity, &action, s.clone()));
            if let Detail::Text(t) = d {
                prop_assert!(no_english(&t));
            }
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
