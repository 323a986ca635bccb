//! Privacy rules checked on a snapshot alone (what `linli verify` runs on a published
//! folder, and what the builder's tests run on every snapshot they build).
//!
//! The layout itself has no field for a name, contact, room, birth date, household id, or
//! any internal part of a plan or decision ([`super::file::decode`] refuses unknown
//! fields). On top of that, [`check`] finds:
//! - minimum cell sizes below the defaults (5; 10 for sensitive counts);
//! - a published count of people or households in `1..min` (headline, groups, coverage,
//!   satisfaction ratings, a PB outcome's ballots and votes, a plan evaluation's answers);
//! - withheld cells of a table that add up to less than the minimum (so the total minus
//!   the published cells would reveal them), or a mean or satisfied share next to withheld
//!   cells (requests' satisfaction and plan evaluations);
//! - a share of residents aged 60+ next to a withheld resident count;
//! - a tracking code outside the Crockford base32 alphabet; a date field (`date`,
//!   `…_date`, `…_on`, `as_of`, `start`, `last_day`, `received`, `due`) that is not
//!   `YYYY-MM-DD`;
//! - text that looks like a mainland mobile number (11 digits starting with 1) or a
//!   resident identity number (17 digits and a digit or X) in **any** published string
//!   (hashes and tracking codes aside), so a field added to the layout is covered
//!   without being listed here.
//!
//! The residents' council's votes on a plan are an official body's decision and are
//! published as cast (not subject to the minimum cell size).

use super::{Cell, Content};
use crate::suppress::{MIN_CELL, MIN_CELL_SENSITIVE};

/// One broken rule: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// A JSON-path-like location, e.g. `groups[2].households`.
    pub path: String,
    pub reason: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

/// Every privacy rule `c` breaks; empty when it may be published.
///
/// # Examples
///
/// ```
/// use linli_domain::snapshot::{build, privacy, BuildOptions};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 300,
///     ..Default::default()
/// });
/// let mut s = build(&d, &BuildOptions::at(0)).unwrap();
/// assert!(privacy::check(&s).is_empty());
/// s.headline.households = Some(3);
/// assert_eq!(privacy::check(&s)[0].path, "headline.households");
/// ```
pub fn check(c: &Content) -> Vec<Violation> {
    let mut v = Vec::new();
    let mut bad = |path: String, reason: String| v.push(Violation { path, reason });
    let min = c.min_cell;
    let min_s = c.min_cell_sensitive;
    if min < MIN_CELL {
        bad(
            "min_cell".into(),
            format!("{min} is below the minimum cell size {MIN_CELL}"),
        );
    }
    if min_s < MIN_CELL_SENSITIVE || min_s < min {
        bad(
            "min_cell_sensitive".into(),
            format!("{min_s} is below the minimum cell size {MIN_CELL_SENSITIVE} for sensitive counts"),
        );
    }
    let small = |cell: Cell, m: u64| matches!(cell, Some(n) if n > 0 && n < m);
    let count_reason = |n: Cell, m: u64| {
        format!(
            "{} people or households is below the minimum cell size {m}",
            n.unwrap_or(0)
        )
    };

    if small(c.headline.households, min) {
        bad(
            "headline.households".into(),
            count_reason(c.headline.households, min),
        );
    }
    if small(c.headline.residents, min) {
        bad(
            "headline.residents".into(),
            count_reason(c.headline.residents, min),
        );
    }
    if c.headline.aged_60_plus_bp.is_some() && c.headline.residents.is_none() {
        bad(
            "headline.aged_60_plus_bp".into(),
            "a share of a withheld count is published".into(),
        );
    }
    for (i, g) in c.groups.iter().enumerate() {
        if small(g.households, min) {
            bad(format!("groups[{i}].households"), count_reason(g.households, min));
        }
        if g.households.is_none() {
            bad(
                format!("groups[{i}].households"),
                "a group's count is withheld but its shares are published".into(),
            );
        }
    }
    for (i, k) in c.coverage.iter().enumerate() {
        let m = if k.sensitive { min_s } else { min };
        if small(k.households, m) {
            bad(format!("coverage[{i}].households"), count_reason(k.households, m));
        }
        if k.households.is_none() && k.share_bp.is_some() {
            bad(
                format!("coverage[{i}].share_bp"),
                "a share of a withheld count is published".into(),
            );
        }
    }
    let s = &c.satisfaction;
    if small(s.ratings, min) {
        bad("satisfaction.ratings".into(), count_reason(s.ratings, min));
    }
    table(&mut bad, "satisfaction", s.ratings, &s.distribution, min);
    if s.distribution.iter().any(Option::is_none) && (s.mean_centi.is_some() || s.satisfied_bp.is_some()) {
        bad(
            "satisfaction".into(),
            "a mean or share is published next to withheld cells, which it would reveal".into(),
        );
    }
    for (i, o) in c.pb.iter().enumerate() {
        if small(o.voters, min) {
            bad(format!("pb[{i}].voters"), count_reason(o.voters, min));
        }
        for (j, p) in o.projects.iter().enumerate() {
            if small(p.votes, min) {
                bad(format!("pb[{i}].projects[{j}].votes"), count_reason(p.votes, min));
            }
        }
    }
    for (i, p) in c.plans.iter().enumerate() {
        let Some(e) = &p.evaluation else { continue };
        let path = format!("plans[{i}].evaluation");
        if small(e.respondents, min) {
            bad(format!("{path}.respondents"), count_reason(e.respondents, min));
        }
        table(&mut bad, &path, e.respondents, &e.distribution, min);
        if e.satisfied_bp.is_some() && (e.respondents.is_none() || e.distribution.iter().any(Option::is_none))
        {
            bad(
                format!("{path}.satisfied_bp"),
                "a share is published next to withheld counts, which it would reveal".into(),
            );
        }
    }
    for (i, r) in c.requests.iter().enumerate() {
        if r.code.is_empty() || !r.code.bytes().all(crockford) {
            bad(
                format!("requests[{i}].code"),
                "not a Crockford base32 tracking code".into(),
            );
        }
        for (name, d) in [("received", &r.received), ("due", &r.due)] {
            if !is_date(d) {
                bad(format!("requests[{i}].{name}"), "not a YYYY-MM-DD date".into());
            }
        }
        for (j, h) in r.history.iter().enumerate() {
            if !is_date(&h.date) {
                bad(
                    format!("requests[{i}].history[{j}].date"),
                    "not a YYYY-MM-DD date".into(),
                );
            }
        }
    }
    // Every published string (hashes and tracking codes aside), and every date field.
    if let Ok(value) = serde_json::to_value(c) {
        walk(&value, &mut String::new(), &mut bad);
    }
    v
}

/// One table of counts whose total is published: each cell in `1..min` is a violation
/// (checked by the caller for its own paths), and so are withheld cells that add up to
/// less than `min`, which the total would reveal.
fn table(bad: &mut impl FnMut(String, String), path: &str, total: Cell, cells: &[Cell], min: u64) {
    for (i, cell) in cells.iter().enumerate() {
        if matches!(cell, Some(n) if *n > 0 && *n < min) {
            bad(
                format!("{path}.distribution[{i}]"),
                format!(
                    "{} people or households is below the minimum cell size {min}",
                    cell.unwrap_or(0)
                ),
            );
        }
    }
    if let (Some(total), true) = (total, cells.iter().any(Option::is_none)) {
        let shown = cells.iter().flatten().fold(0u64, |a, &b| a.saturating_add(b));
        let hidden = total.saturating_sub(shown);
        if hidden > 0 && hidden < min {
            bad(
                format!("{path}.distribution"),
                format!("the withheld cells add up to {hidden}, which the total reveals"),
            );
        }
    }
}

/// Whether a field of this name holds a date.
fn is_date_field(key: &str) -> bool {
    matches!(key, "date" | "as_of" | "start" | "last_day" | "received" | "due")
        || key.ends_with("_date")
        || key.ends_with("_on")
}

/// Checks every string under `v`: dates where the field is a date, no personal-looking
/// digits anywhere but in hashes and the requests (their codes are checked above).
fn walk(v: &serde_json::Value, path: &mut String, bad: &mut impl FnMut(String, String)) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                if path.is_empty() && k == "requests" {
                    continue;
                }
                if k.ends_with("sha256") {
                    continue;
                }
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                if let serde_json::Value::String(t) = x {
                    if is_date_field(k) && !is_date(t) {
                        bad(path.clone(), "not a YYYY-MM-DD date".into());
                    }
                }
                walk(x, path, bad);
                path.truncate(len);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(x, path, bad);
                path.truncate(len);
            }
        }
        serde_json::Value::String(t) => {
            if let Some(what) = looks_personal(t) {
                bad(path.clone(), format!("looks like {what}"));
            }
        }
        _ => {}
    }
}

fn crockford(b: u8) -> bool {
    matches!(b, b'0'..=b'9' | b'A'..=b'H' | b'J' | b'K' | b'M' | b'N' | b'P'..=b'T' | b'V'..=b'Z' | b'*' | b'~' | b'$' | b'=' | b'U')
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// `Some(what)` if `t` holds a run of digits shaped like a mobile number or an identity
/// number.
pub fn looks_personal(t: &str) -> Option<&'static str> {
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let run = &b[start..i];
            if run.len() == 11 && run[0] == b'1' {
                return Some("a mobile phone number");
            }
            if run.len() == 18 || (run.len() == 17 && i < b.len() && matches!(b[i], b'X' | b'x')) {
                return Some("an identity number");
            }
        } else {
            i += 1;
        }
    }
    None
}
