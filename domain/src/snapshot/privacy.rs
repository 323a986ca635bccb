//! Privacy rules checked on a snapshot alone (what `linli verify` runs on a published
//! folder, and what the builder's tests run on every snapshot they build).
//!
//! The layout itself has no field for a name, contact, room, birth date, household id, or
//! any internal part of a plan or decision ([`super::file::decode`] refuses unknown
//! fields). On top of that, [`check`] finds:
//! - minimum cell sizes below the defaults (5; 10 for sensitive counts);
//! - a published count of people or households in `1..min` (headline, groups, coverage,
//!   satisfaction ratings, a PB outcome's ballots and votes, a plan evaluation's answers);
//! - withheld cells of a plan evaluation's table that add up to less than the minimum (so
//!   the total minus the published cells would reveal them), or a satisfied share next to
//!   withheld cells; requests' satisfaction figures next to a withheld number of ratings
//!   (its cells are bands, so the total no longer pins a withheld one);
//! - a share of residents aged 60+ next to a withheld resident count;
//! - in the requests section, anything but a salt, salted keys in increasing order, status
//!   codes and dates ([`super::requests_public::violations`]: a raw tracking code is
//!   refused); a date field (`date`, `…_date`, `…_on`, `as_of`, `start`, `last_day`) that
//!   is not `YYYY-MM-DD`;
//! - text that looks like a phone number (a mainland mobile, a landline with area code) or
//!   a resident identity number (17 digits and a digit or X), also written in groups
//!   (`153-1615-5514`) or full-width digits ([`super::freetext::looks_personal`]), in
//!   **any** published string
//!   (hashes and tracking codes aside), so a field added to the layout is covered
//!   without being listed here;
//! - figures that [`super::disclosure`] bands or rounds and that are not (headline
//!   households and residents, coverage, resident groups, satisfaction counts: multiples
//!   of their band; allocation amounts: multiples of their `step_fen`, withheld lines
//!   without amount or share, a sensitive category not marked so, a sensitive step
//!   smaller than the general one, an `other` line merging a single category; cost-sharing
//!   amounts: multiples of the sensitive step).
//!
//! [`check_pair`] checks a snapshot against the previous one (what an attacker holding
//! both would difference): cell sizes not lowered, the same adopted run publishing the
//! same allocation figures, and every banded or rounded figure present in both moving by
//! whole bands or steps only.
//!
//! The residents' council's votes on a plan are an official body's decision and are
//! published as cast (not subject to the minimum cell size).

use std::collections::BTreeMap;

use super::disclosure::{is_sensitive_code, OTHER};
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
    if let Some(i) = &c.intake {
        // Only a public key: an `age1…` recipient, never a private key or anything else.
        if crate::intake::age::parse_recipient(&i.recipient).is_err() {
            bad(
                "intake.recipient".into(),
                "not an age X25519 public key (age1…)".into(),
            );
        }
        if i.community.chars().count() > crate::intake::submission::MAX_COMMUNITY_CHARS
            || i.community.to_ascii_uppercase().contains("AGE-SECRET-KEY")
        {
            bad("intake.community".into(), "not a community id".into());
        }
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
    if s.ratings.is_none()
        && (s.distribution.iter().any(Option::is_some) || s.mean_centi.is_some() || s.satisfied_bp.is_some())
    {
        bad(
            "satisfaction".into(),
            "figures are published next to a withheld number of ratings".into(),
        );
    }
    for (path, _, _) in banded(c)
        .into_iter()
        .filter(|(_, v, unit)| *unit > 1 && v % unit != 0)
    {
        bad(path, "not a whole band or step of the disclosure rules".into());
    }
    allocation(c, &mut bad);
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
    // The requests section: salt, keys, statuses and dates of fixed shapes only, so no raw
    // tracking code (`super::requests_public`, issue #15 item 5).
    for (path, reason) in super::requests_public::violations(&c.requests) {
        bad(path, reason);
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

pub(crate) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// `Some(what)` if `t` holds something shaped like a phone number or an identity number,
/// also written in groups or in full-width digits: the rules are in one place,
/// [`super::freetext::looks_personal`] (the free-text gate adds the register's names,
/// rooms and numbers to them).
pub fn looks_personal(t: &str) -> Option<&'static str> {
    super::freetext::looks_personal(t)
}

/// Every figure the disclosure rules band or round, by a stable key (codes, not
/// positions): `(key, value, band or step)`.
fn banded(c: &Content) -> Vec<(String, i64, i64)> {
    let min = c.min_cell as i64;
    let min_s = c.min_cell_sensitive as i64;
    let mut out = Vec::new();
    let mut cell = |key: String, v: Cell, unit: i64| {
        if let Some(v) = v {
            out.push((key, v as i64, unit));
        }
    };
    cell("headline.households".into(), c.headline.households, min);
    cell("headline.residents".into(), c.headline.residents, min);
    for k in &c.coverage {
        cell(
            format!("coverage.{}.households", k.code),
            k.households,
            if k.sensitive { min_s } else { min },
        );
    }
    for g in &c.groups {
        cell(format!("groups.{}.households", g.code), g.households, min);
    }
    cell("satisfaction.ratings".into(), c.satisfaction.ratings, min);
    for (i, d) in c.satisfaction.distribution.iter().enumerate() {
        cell(format!("satisfaction.distribution[{i}]"), *d, min);
    }
    for a in &c.allocation {
        if let Some(x) = a.amount_fen {
            out.push((format!("allocation.{}.amount_fen", a.code), x, a.step_fen));
        }
    }
    if let Some(step) = c
        .allocation
        .iter()
        .filter(|a| a.sensitive)
        .map(|a| a.step_fen)
        .max()
    {
        for f in &c.cost_sharing.by_funder {
            out.push((format!("cost_sharing.by_funder.{}", f.funder), f.amount_fen, step));
        }
        for k in &c.cost_sharing.by_class {
            out.push((format!("cost_sharing.by_class.{}", k.class), k.total_fen, step));
            for f in &k.funders {
                out.push((
                    format!("cost_sharing.by_class.{}.{}", k.class, f.funder),
                    f.amount_fen,
                    step,
                ));
            }
        }
    }
    out
}

/// The allocation lines' own rules (see the module documentation).
fn allocation(c: &Content, bad: &mut impl FnMut(String, String)) {
    let a = &c.allocation;
    let general = a.iter().filter(|l| !l.sensitive).map(|l| l.step_fen).max();
    let sensitive = a.iter().filter(|l| l.sensitive).map(|l| l.step_fen).min();
    if let (Some(g), Some(s)) = (general, sensitive) {
        if s < g {
            bad(
                "allocation".into(),
                format!("a sensitive category is rounded to {s} fen, finer than the others' {g}"),
            );
        }
    }
    let withheld = a.iter().filter(|l| l.withheld.is_some()).count();
    for (i, l) in a.iter().enumerate() {
        let path = format!("allocation[{i}]");
        if l.step_fen < super::disclosure::MIN_STEP_FEN {
            bad(
                format!("{path}.step_fen"),
                "an amount is published unrounded".into(),
            );
        }
        if l.code != OTHER && is_sensitive_code(&l.code, &l.class) && !l.sensitive {
            bad(
                format!("{path}.sensitive"),
                "a sensitive category is not marked so".into(),
            );
        }
        if l.withheld.is_some()
            && (l.amount_fen.is_some() || l.share_bp.is_some() || l.previous_share_bp.is_some())
        {
            bad(
                format!("{path}.amount_fen"),
                "a withheld category's amount or share is published".into(),
            );
        }
        if l.withheld.is_none() && l.amount_fen.is_none() {
            bad(
                format!("{path}.withheld"),
                "an amount is missing without a reason".into(),
            );
        }
    }
    if withheld == 1 {
        bad(
            "allocation".into(),
            "a single category is withheld: the `other` line would be its amount".into(),
        );
    }
    if withheld > 0 && !a.iter().any(|l| l.code == OTHER) {
        bad(
            "allocation".into(),
            "withheld categories without an `other` line: the pool minus the others reveals them".into(),
        );
    }
}

/// Every rule broken by publishing `next` after `prev` (both of the current layout): an
/// attacker holding both would difference them.
///
/// - the minimum cell sizes must not be lowered;
/// - the same adopted run (same decision and inputs) must publish the same allocation,
///   groups, pools and cost sharing;
/// - every banded or rounded figure present in both (by code) must move by whole bands or
///   steps, with the band or step not made finer (for money: within the same period; a new
///   period's run has its own step).
///
/// # Examples
///
/// ```
/// use linli_domain::snapshot::{build, privacy, BuildOptions};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 300,
///     ..Default::default()
/// });
/// let prev = build(&d, &BuildOptions::at(0)).unwrap();
/// let mut next = build(&d, &BuildOptions::at(3_600_000)).unwrap();
/// assert!(privacy::check_pair(&prev, &next).is_empty());
/// // One household more, published exactly, would show as a difference of one.
/// next.headline.households = next.headline.households.map(|n| n + 1);
/// assert_eq!(privacy::check_pair(&prev, &next)[0].path, "headline.households");
/// ```
pub fn check_pair(prev: &Content, next: &Content) -> Vec<Violation> {
    let mut v = Vec::new();
    let mut bad = |path: &str, reason: String| {
        v.push(Violation {
            path: path.to_owned(),
            reason,
        })
    };
    if next.min_cell < prev.min_cell {
        bad(
            "min_cell",
            format!("lowered from {} to {}", prev.min_cell, next.min_cell),
        );
    }
    if next.min_cell_sensitive < prev.min_cell_sensitive {
        bad(
            "min_cell_sensitive",
            format!(
                "lowered from {} to {}",
                prev.min_cell_sensitive, next.min_cell_sensitive
            ),
        );
    }
    if prev.adopted_allocation.is_some() && prev.adopted_allocation == next.adopted_allocation {
        for (path, same) in [
            ("allocation", prev.allocation == next.allocation),
            ("groups", prev.groups == next.groups),
            ("pools", prev.pools == next.pools),
            ("cost_sharing", prev.cost_sharing == next.cost_sharing),
        ] {
            if !same {
                bad(
                    path,
                    "the same adopted run publishes different figures than in the previous snapshot".into(),
                );
            }
        }
    }
    let before: BTreeMap<String, (i64, i64)> =
        banded(prev).into_iter().map(|(k, x, u)| (k, (x, u))).collect();
    for (key, x, unit) in banded(next) {
        let Some(&(y, unit_before)) = before.get(&key) else {
            continue;
        };
        let money = key.starts_with("allocation.") || key.starts_with("cost_sharing.");
        if unit < unit_before && (!money || prev.period == next.period) {
            // A finer step for the same figures (the same period's money, or a count)
            // would show what the coarser one hid.
            bad(
                &key,
                format!("its band or step went from {unit_before} to {unit}, finer than before"),
            );
        } else if unit == unit_before && unit > 0 && x.abs_diff(y) % unit.unsigned_abs() != 0 {
            bad(
                &key,
                format!(
                    "moved from {y} to {x}, not by whole bands or steps of {unit}: the difference reveals a change"
                ),
            );
        }
    }
    v
}
