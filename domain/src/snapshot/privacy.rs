//! Privacy rules checked on a snapshot alone (what `linli verify` runs on a published
//! folder, and what the builder's tests run on every snapshot they build).
//!
//! The layout itself has no field for a name, contact, room, birth date or household id
//! ([`super::file::decode`] refuses unknown fields). On top of that, [`check`] finds:
//! - minimum cell sizes below the defaults (5; 10 for sensitive counts);
//! - a published count of people or households in `1..min` (headline, groups, coverage,
//!   satisfaction ratings);
//! - withheld satisfaction cells that add up to less than the minimum (so the total
//!   minus the published cells would reveal them), or a mean or satisfied share next to
//!   withheld cells;
//! - a share of residents aged 60+ next to a withheld resident count;
//! - a tracking code outside the Crockford base32 alphabet, a date that is not
//!   `YYYY-MM-DD`;
//! - text that looks like a mainland mobile number (11 digits starting with 1) or a
//!   resident identity number (17 digits and a digit or X) in any published string.

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
    for (i, cell) in s.distribution.iter().enumerate() {
        if small(*cell, min) {
            bad(
                format!("satisfaction.distribution[{i}]"),
                count_reason(*cell, min),
            );
        }
    }
    if s.distribution.iter().any(Option::is_none) {
        if s.mean_centi.is_some() || s.satisfied_bp.is_some() {
            bad(
                "satisfaction".into(),
                "a mean or share is published next to withheld cells, which it would reveal".into(),
            );
        }
        if let Some(total) = s.ratings {
            let shown = s
                .distribution
                .iter()
                .flatten()
                .fold(0u64, |a, &b| a.saturating_add(b));
            let hidden = total.saturating_sub(shown);
            if hidden > 0 && hidden < min {
                bad(
                    "satisfaction.distribution".into(),
                    format!("the withheld cells add up to {hidden}, which the total reveals"),
                );
            }
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
    // Free text a guide typed: plan titles, community name, group and category names.
    let mut texts: Vec<(String, &str)> = vec![
        ("community.name_zh".into(), &c.community.name_zh),
        ("community.name_en".into(), &c.community.name_en),
    ];
    for (i, p) in c.plans.iter().enumerate() {
        texts.push((format!("plans[{i}].title"), &p.title));
    }
    for (i, g) in c.groups.iter().enumerate() {
        texts.push((format!("groups[{i}].name_zh"), &g.name_zh));
    }
    for (i, k) in c.allocation.iter().enumerate() {
        texts.push((format!("allocation[{i}].name_zh"), &k.name_zh));
    }
    for (path, t) in texts {
        if let Some(what) = looks_personal(t) {
            bad(path, format!("looks like {what}"));
        }
    }
    v
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
