//! What a new publication changes against the last one: the list a guide confirms
//! before publishing (issue #17: pressing publish twice must not silently make a second
//! period with the same content).
//!
//! [`diff`] compares the published content only: the sequence, the previous hash, the
//! publication time and day always differ and are not changes. Each [`Change`] names
//! what changed ([`Item`], for the view's words), whose it is (a category, a plan, an
//! indicator: its Chinese and English names) and the two values already formatted the
//! way the dashboard shows them (`—` for a withheld or unmeasured figure). An empty
//! list means the new publication would repeat the last one.
//!
//! ```
//! use linli_domain::snapshot::changes::{diff, Item};
//! # use linli_domain::snapshot::{build, BuildOptions};
//! # let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig { households: 300, ..Default::default() });
//! # let first = build(&d, &BuildOptions::at(1_795_492_800_000)).unwrap();
//! let mut next = first.clone();
//! next.sequence += 1;
//! next.published_at += 86_400_000;
//! assert!(diff(Some(&first), &next).is_empty()); // nothing but the time changed
//! next.headline.requests_total += 1;
//! let c = diff(Some(&first), &next);
//! assert_eq!(c.len(), 1);
//! assert_eq!(c[0].item, Item::RequestsTotal);
//! ```

use super::{Cell, Content};
use crate::money::format_yuan;

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// No publication before: everything is new.
    First,
    Period,
    /// Whether an allocation run is adopted (`adopted` / `none_adopted`).
    AllocationStatus,
    Households,
    Residents,
    /// The period's money in the adopted run.
    Budget,
    PlansBudget,
    PlansSpent,
    RequestsTotal,
    RequestsClosed,
    /// A category's published amount (subject: the category).
    Category,
    /// A plan published for the first time (subject: its title; `to`: its stage code).
    PlanNew,
    /// A plan's stage (`from`/`to`: stage codes, e.g. `notice`, `execution`).
    PlanStage,
    PlanBudget,
    PlanSpent,
    /// The number of adopted participatory-budgeting outcomes.
    PbOutcomes,
    /// The number of releases of the emergency reserve.
    ReserveReleases,
    /// The number of ratings behind the satisfaction figure.
    Ratings,
    /// The share of satisfied ratings.
    Satisfied,
    /// An indicator's value (subject: the indicator).
    Indicator,
    /// A need category's published household count (subject: the category).
    Coverage,
}

/// One change: what, whose, from and to (formatted; `—` when withheld or absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub item: Item,
    /// The category, plan or indicator the change is of; empty for community figures.
    pub subject_zh: String,
    pub subject_en: String,
    pub from: String,
    pub to: String,
}

const NONE: &str = "—";

fn count(c: Cell) -> String {
    c.map_or_else(|| NONE.to_owned(), grouped)
}

/// `1234567` → `1,234,567`.
fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn percent_bp(bp: Option<u32>) -> String {
    bp.map_or_else(|| NONE.to_owned(), |b| format!("{}.{:02}%", b / 100, b % 100))
}

fn money(fen: Option<i64>) -> String {
    fen.map_or_else(|| NONE.to_owned(), format_yuan)
}

/// An indicator value in its unit ([`super::Indicator::unit`]).
fn indicator_value(v: Option<i64>, unit: &str) -> String {
    let Some(v) = v else {
        return NONE.to_owned();
    };
    let centi = |v: i64| {
        let sign = if v < 0 { "-" } else { "" };
        let a = v.unsigned_abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
    };
    match unit {
        "bp" => format!("{}%", centi(v)),
        "permille" => format!("{v}‰"),
        "per_100_households_centi" | "ratio_centi" => centi(v),
        _ => v.to_string(),
    }
}

struct Out(Vec<Change>);

impl Out {
    fn push(&mut self, item: Item, subject: (&str, &str), from: String, to: String) {
        if from != to {
            self.0.push(Change {
                item,
                subject_zh: subject.0.to_owned(),
                subject_en: subject.1.to_owned(),
                from,
                to,
            });
        }
    }
}

/// The changes from `previous` (the last published content; `None` before the first
/// publication) to `next`, in the order the dashboard shows them: community figures,
/// categories, plans, participation, satisfaction, indicators, coverage.
pub fn diff(previous: Option<&Content>, next: &Content) -> Vec<Change> {
    let Some(p) = previous else {
        return vec![Change {
            item: Item::First,
            subject_zh: String::new(),
            subject_en: String::new(),
            from: NONE.to_owned(),
            to: format!("#{}", next.sequence),
        }];
    };
    let mut o = Out(Vec::new());
    let none = ("", "");
    o.push(Item::Period, none, p.period.clone(), next.period.clone());
    o.push(
        Item::AllocationStatus,
        none,
        p.allocation_status.clone(),
        next.allocation_status.clone(),
    );
    let (a, b) = (&p.headline, &next.headline);
    o.push(Item::Households, none, count(a.households), count(b.households));
    o.push(Item::Residents, none, count(a.residents), count(b.residents));
    o.push(
        Item::Budget,
        none,
        money(Some(a.budget_fen)),
        money(Some(b.budget_fen)),
    );
    o.push(
        Item::PlansBudget,
        none,
        money(Some(a.plans_budget_fen)),
        money(Some(b.plans_budget_fen)),
    );
    o.push(
        Item::PlansSpent,
        none,
        money(Some(a.plans_spent_fen)),
        money(Some(b.plans_spent_fen)),
    );
    o.push(
        Item::RequestsTotal,
        none,
        grouped(a.requests_total),
        grouped(b.requests_total),
    );
    o.push(
        Item::RequestsClosed,
        none,
        grouped(a.requests_closed),
        grouped(b.requests_closed),
    );
    // Categories by code, in the new order, then those no longer published.
    for c in &next.allocation {
        let before = p.allocation.iter().find(|x| x.code == c.code);
        o.push(
            Item::Category,
            (&c.name_zh, &c.name_en),
            before.map_or_else(|| NONE.to_owned(), |x| money(x.amount_fen)),
            money(c.amount_fen),
        );
    }
    for c in p
        .allocation
        .iter()
        .filter(|x| !next.allocation.iter().any(|y| y.code == x.code))
    {
        o.push(
            Item::Category,
            (&c.name_zh, &c.name_en),
            money(c.amount_fen),
            NONE.to_owned(),
        );
    }
    for n in &next.plans {
        let subject = (n.title.as_str(), n.title.as_str());
        match p.plans.iter().find(|x| x.id == n.id) {
            None => o.push(Item::PlanNew, subject, NONE.to_owned(), n.stage.clone()),
            Some(x) => {
                o.push(Item::PlanStage, subject, x.stage.clone(), n.stage.clone());
                o.push(
                    Item::PlanBudget,
                    subject,
                    money(Some(x.budget_fen)),
                    money(Some(n.budget_fen)),
                );
                o.push(
                    Item::PlanSpent,
                    subject,
                    money(Some(x.spent_fen)),
                    money(Some(n.spent_fen)),
                );
            }
        }
    }
    o.push(
        Item::PbOutcomes,
        none,
        p.pb.len().to_string(),
        next.pb.len().to_string(),
    );
    o.push(
        Item::ReserveReleases,
        none,
        p.reserve_releases.len().to_string(),
        next.reserve_releases.len().to_string(),
    );
    o.push(
        Item::Ratings,
        none,
        count(p.satisfaction.ratings),
        count(next.satisfaction.ratings),
    );
    o.push(
        Item::Satisfied,
        none,
        percent_bp(p.satisfaction.satisfied_bp),
        percent_bp(next.satisfaction.satisfied_bp),
    );
    for i in &next.indicators {
        let before = p.indicators.iter().find(|x| x.code == i.code);
        o.push(
            Item::Indicator,
            (&i.name_zh, &i.name_en),
            before.map_or_else(|| NONE.to_owned(), |x| indicator_value(x.value, &x.unit)),
            indicator_value(i.value, &i.unit),
        );
    }
    for c in &next.coverage {
        let before = p.coverage.iter().find(|x| x.code == c.code);
        o.push(
            Item::Coverage,
            (&c.name_zh, &c.name_en),
            before.map_or_else(|| NONE.to_owned(), |x| count(x.households)),
            count(c.households),
        );
    }
    o.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{build, BuildOptions};

    fn content() -> Content {
        let d = crate::demo::generate(&crate::demo::DemoConfig {
            households: 400,
            ..Default::default()
        });
        build(&d, &BuildOptions::at(1_795_492_800_000)).expect("demo builds")
    }

    #[test]
    fn first_publication_is_one_item() {
        let c = content();
        let d = diff(None, &c);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].item, Item::First);
        assert_eq!(d[0].to, format!("#{}", c.sequence));
    }

    #[test]
    fn time_and_chain_fields_are_not_changes() {
        let a = content();
        let mut b = a.clone();
        b.sequence = a.sequence + 1;
        b.previous_sha256 = Some("ab".repeat(32));
        b.published_at = a.published_at + 7 * 86_400_000;
        b.as_of = "2030-01-01".into();
        assert_eq!(diff(Some(&a), &b), vec![]);
    }

    #[test]
    fn every_changed_figure_is_named_with_both_values() {
        let a = content();
        let mut b = a.clone();
        b.headline.budget_fen = a.headline.budget_fen + 12_345;
        b.headline.households = Some(a.headline.households.unwrap_or(0) + 1_000);
        b.satisfaction.satisfied_bp = Some(8_512);
        let d = diff(Some(&a), &b);
        let items: Vec<Item> = d.iter().map(|c| c.item).collect();
        assert_eq!(
            items,
            vec![Item::Households, Item::Budget, Item::Satisfied],
            "{d:?}"
        );
        let budget = &d[1];
        assert_eq!(budget.from, format_yuan(a.headline.budget_fen));
        assert_eq!(budget.to, format_yuan(a.headline.budget_fen + 12_345));
        assert_eq!(d[2].to, "85.12%");
        assert!(d[0].to.contains(','), "grouped: {}", d[0].to);
    }

    #[test]
    fn categories_and_plans_are_named() {
        let a = content();
        let mut b = a.clone();
        assert!(
            !b.allocation.is_empty() && !b.plans.is_empty(),
            "the demo publishes both"
        );
        b.allocation[0].amount_fen = None;
        let stage_to = if a.plans[0].stage == "closed" {
            "execution"
        } else {
            "closed"
        };
        b.plans[0].stage = stage_to.into();
        let mut fresh = b.plans[0].clone();
        fresh.id = 9_999;
        fresh.title = "新增加装电梯".into();
        b.plans.push(fresh);
        b.allocation.remove(1);
        let d = diff(Some(&a), &b);
        let cat: Vec<&Change> = d.iter().filter(|c| c.item == Item::Category).collect();
        assert_eq!(cat.len(), 2, "{d:?}");
        assert_eq!(cat[0].subject_zh, a.allocation[0].name_zh);
        assert_eq!(cat[0].to, "—");
        assert_eq!(cat[1].subject_zh, a.allocation[1].name_zh);
        assert_eq!(cat[1].to, "—");
        let stage = d
            .iter()
            .find(|c| c.item == Item::PlanStage)
            .expect("stage change");
        assert_eq!(
            (stage.from.as_str(), stage.to.as_str()),
            (a.plans[0].stage.as_str(), stage_to)
        );
        let new = d.iter().find(|c| c.item == Item::PlanNew).expect("new plan");
        assert_eq!(new.subject_zh, "新增加装电梯");
    }

    #[test]
    fn indicator_units_are_formatted() {
        assert_eq!(indicator_value(Some(8_512), "bp"), "85.12%");
        assert_eq!(indicator_value(Some(-5), "ratio_centi"), "-0.05");
        assert_eq!(indicator_value(Some(12), "permille"), "12‰");
        assert_eq!(indicator_value(None, "hours"), "—");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(999), "999");
    }
}
