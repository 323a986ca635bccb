//! Building a [`Content`] from a dataset.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{
    CategoryShare, Cell, ClassAmount, Community, Content, CostSharing, Coverage, FunderAmount, GroupShare,
    Headline, Indicator, PlanPublic, PointsRule, PointsRules, Pool, RequestPublic, Satisfaction, StatusDay,
};
use crate::alloc::{self, AllocConfig, AllocationResult};
use crate::dataset::Dataset;
use crate::date::{days_from_civil, iso_date};
use crate::model::{NeedCategory, NeedClass, PlanStage, RequestStatus, ResourceKind};
use crate::suppress::{suppress, MIN_CELL, MIN_CELL_SENSITIVE};

const DAY_MS: i64 = 86_400_000;
/// China Standard Time, UTC+8: publication days and request dates are local days.
const CST_OFFSET_MS: i64 = 8 * 3_600_000;
/// Households with at least this many activities in a year count as resident leaders
/// (骨干) for the leader-growth indicator.
pub const LEADER_ACTIVITIES: usize = 6;

/// What the caller passes in: the domain has no clock and keeps no history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOptions {
    /// Publication time, ms since the Unix epoch.
    pub published_at: i64,
    /// The allocation period to publish; `None`: the latest period with resources.
    pub period: Option<String>,
    /// The snapshot this one follows: its sequence number and hash.
    pub previous: Option<(u32, String)>,
    /// Minimum cell sizes (defaults 5 and 10).
    pub min_cell: u64,
    pub min_cell_sensitive: u64,
}

impl BuildOptions {
    /// Options with the default cell sizes, the latest period and no previous snapshot.
    pub fn at(published_at: i64) -> Self {
        Self {
            published_at,
            period: None,
            previous: None,
            min_cell: MIN_CELL,
            min_cell_sensitive: MIN_CELL_SENSITIVE,
        }
    }
}

/// Why a snapshot could not be built. Nothing is published then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// The allocation of the period failed (its message names the setting to fix).
    #[error("the allocation of {period} cannot be computed: {reason}")]
    Allocation { period: String, reason: String },
    /// A minimum cell size below 2 would publish single people.
    #[error("the minimum cell size must be at least 2 (got {0})")]
    MinCell(u64),
    /// The previous snapshot's hash is not 64 lower-case hex digits.
    #[error("the previous snapshot's hash is not a SHA-256 hex digest")]
    PreviousHash,
    /// A setting the snapshot reads is invalid (`need_categories`, see
    /// [`crate::settings::need_categories`]).
    #[error("setting `{key}`: {reason}")]
    Setting { key: String, reason: String },
    /// A number or text of the snapshot is beyond the published bounds
    /// ([`super::bounds`]): an amount past ±`money::MAX_FEN` (a sum included), a label
    /// over 200 characters. `path` names the field, e.g. `plans[0].budget_fen`.
    #[error("{path}: {reason}")]
    OutOfBounds { path: String, reason: String },
}

/// The sum of amounts in fen, exact (in `i128`, which cannot overflow here), then held to
/// the `i64` range: a sum past `money::MAX_FEN` is refused by the bounds check of
/// [`build`] instead of wrapping.
fn sum_fen(amounts: impl IntoIterator<Item = i64>) -> i64 {
    let total: i128 = amounts.into_iter().map(i128::from).sum();
    i64::try_from(total).unwrap_or(if total < 0 { i64::MIN } else { i64::MAX })
}

/// Builds the public snapshot of `d`.
///
/// # Errors
///
/// [`SnapshotError`]: an allocation configuration that does not validate, a minimum
/// cell size below 2, a malformed previous hash, an invalid `need_categories` setting,
/// a number or text beyond the bounds of [`super::bounds`] (e.g. a plan budget or a plans
/// total past `money::MAX_FEN`, a 201-character title).
///
/// # Examples
///
/// ```
/// use linli_domain::snapshot::{build, BuildOptions};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 300,
///     ..Default::default()
/// });
/// let s = build(&d, &BuildOptions::at(1_790_000_000_000)).unwrap();
/// assert_eq!(s.sequence, 1);
/// assert_eq!(s.headline.households, Some(300));
/// let json = serde_json::to_string(&s).unwrap();
/// assert!(!json.contains(&d.households[0].contact_phone));
/// ```
pub fn build(d: &Dataset, opts: &BuildOptions) -> Result<Content, SnapshotError> {
    let min = opts.min_cell;
    let min_s = opts.min_cell_sensitive.max(min);
    if min < 2 {
        return Err(SnapshotError::MinCell(min));
    }
    let (sequence, previous_sha256) = match &opts.previous {
        None => (1, None),
        Some((seq, h)) => {
            if h.len() != 64
                || !h
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(SnapshotError::PreviousHash);
            }
            (seq.saturating_add(1), Some(h.clone()))
        }
    };
    let today = local_day(opts.published_at);
    let as_of = iso_date(today);
    let year = crate::date::civil_from_days(today).0;

    // Sorted by code, as the allocation lists them (`alloc::categories_of`).
    let mut cats = crate::settings::need_categories(&d.settings).map_err(|e| SnapshotError::Setting {
        key: e.key,
        reason: e.reason,
    })?;
    cats.sort_by(|a, b| a.code.cmp(&b.code));
    let period = opts
        .period
        .clone()
        .or_else(|| alloc::latest_period(d))
        .unwrap_or_default();
    let result = if period.is_empty() {
        None
    } else {
        let config = AllocConfig::from_dataset(d).map_err(|e| SnapshotError::Allocation {
            period: period.clone(),
            reason: e.to_string(),
        })?;
        Some(
            alloc::allocate(d, &config, &period).map_err(|e| SnapshotError::Allocation {
                period: period.clone(),
                reason: e.to_string(),
            })?,
        )
    };

    let households = d.households.len() as u64;
    let residents = d.resident_count() as u64;
    let aged = d
        .households
        .iter()
        .flat_map(|h| &h.members)
        .filter(|m| year - i64::from(m.birth_year) >= 60)
        .count() as u64;
    let plans = public_plans(d);
    let headline = Headline {
        households: at_least(households, min),
        residents: at_least(residents, min),
        aged_60_plus_bp: (residents >= min && publishable(aged, min) && publishable(residents - aged, min))
            .then(|| bp(aged, residents)),
        budget_fen: money(&result).map_or(0, |k| k.total),
        plans_budget_fen: sum_fen(plans.iter().map(|p| p.budget_fen)),
        plans_spent_fen: sum_fen(plans.iter().map(|p| p.spent_fen)),
        requests_total: d.requests.len() as u64,
        requests_closed: d
            .requests
            .iter()
            .filter(|r| r.status == RequestStatus::Closed)
            .count() as u64,
    };

    let satisfaction = satisfaction(d, min);
    let indicators = indicators(d, &result, &satisfaction, today, min);
    let content = Content {
        sequence,
        previous_sha256,
        published_at: opts.published_at,
        as_of,
        community: community(d),
        period,
        min_cell: min,
        min_cell_sensitive: min_s,
        headline,
        pools: pools(&result),
        allocation: allocation(&result, &cats),
        groups: groups(&result, min),
        cost_sharing: cost_sharing(&result),
        plans,
        coverage: coverage(d, &cats, min, min_s),
        satisfaction,
        indicators,
        requests: requests(d),
        points: points_rules(),
    };
    if let Some((path, reason)) = super::bounds::first_violation(&content) {
        return Err(SnapshotError::OutOfBounds { path, reason });
    }
    Ok(content)
}

/// The local (UTC+8) day of a time.
fn local_day(ms: i64) -> i64 {
    (ms + CST_OFFSET_MS).div_euclid(DAY_MS)
}

/// `v` if it may be published on its own (zero or at least `min`).
fn at_least(v: u64, min: u64) -> Cell {
    publishable(v, min).then_some(v)
}

fn publishable(v: u64, min: u64) -> bool {
    v == 0 || v >= min
}

/// `part / whole` in basis points, rounded half up; 0 for an empty whole.
fn bp(part: u64, whole: u64) -> u32 {
    if whole == 0 {
        return 0;
    }
    ((u128::from(part) * 20_000 + u128::from(whole)) / (2 * u128::from(whole))) as u32
}

/// The snake_case name serde gives a unit enum variant.
fn code<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn class_code(c: NeedClass) -> String {
    code(&c)
}

fn money(r: &Option<AllocationResult>) -> Option<&alloc::KindResult> {
    r.as_ref().and_then(|r| r.kind(ResourceKind::Money))
}

fn community(d: &Dataset) -> Community {
    let v = d
        .settings
        .iter()
        .find(|s| s.key == "community")
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s.value).ok());
    let get = |k: &str, default: &str| {
        v.as_ref()
            .and_then(|v| v.get(k))
            .and_then(|s| s.as_str())
            .map_or_else(|| default.to_owned(), str::to_owned)
    };
    Community {
        name_zh: get("name_zh", "社区"),
        name_en: get("name_en", "Community"),
    }
}

fn pools(r: &Option<AllocationResult>) -> Vec<Pool> {
    let Some(r) = r else { return Vec::new() };
    r.kinds
        .iter()
        .map(|k| Pool {
            kind: alloc::kind_code(k.kind).to_owned(),
            unit: k.unit.clone(),
            total: k.total,
            reserve: k.pools.reserve,
            base: k.pools.base,
            flexible: k.pools.flexible,
        })
        .collect()
}

fn category_names(cats: &[NeedCategory], code: &str) -> (String, String) {
    cats.iter().find(|c| c.code == code).map_or_else(
        || (code.to_owned(), code.to_owned()),
        |c| (c.name_zh.clone(), c.name_en.clone()),
    )
}

fn allocation(r: &Option<AllocationResult>, cats: &[NeedCategory]) -> Vec<CategoryShare> {
    let Some(k) = money(r) else { return Vec::new() };
    k.categories
        .iter()
        .map(|c| {
            let (name_zh, name_en) = category_names(cats, &c.code);
            CategoryShare {
                code: c.code.clone(),
                name_zh,
                name_en,
                class: class_code(c.class),
                amount_fen: c.total,
                base_fen: c.base,
                flexible_fen: c.flexible,
                share_bp: c.share_bp,
                previous_share_bp: c.previous_share_bp,
                change_bp: c.change_bp,
            }
        })
        .collect()
}

/// Display names of the resident groups the demo and the source use; other codes are
/// shown as they are.
pub fn group_names(code: &str) -> (String, String) {
    let (zh, en) = match code {
        "elderly_alone" => ("独居老人", "Elderly living alone"),
        "retired_cadres" => ("退休干部", "Retired cadres"),
        "families_children" => ("有孩家庭", "Families with children"),
        "young_tenants" => ("青年租户", "Young tenants"),
        "working_families" => ("双职工家庭", "Working families"),
        "three_generations" => ("三代同堂", "Three generations"),
        "other" => ("其他（小组合并）", "Other (small groups merged)"),
        "" => ("未分组", "No group"),
        c => (c, c),
    };
    (zh.to_owned(), en.to_owned())
}

/// The money by group. Groups whose household count is withheld (primary or
/// complementary) are merged into one `other` row, published only if the merged
/// count is itself publishable.
fn groups(r: &Option<AllocationResult>, min: u64) -> Vec<GroupShare> {
    let Some(k) = money(r) else { return Vec::new() };
    let rows = &k.fairness.groups;
    let counts: Vec<u64> = rows.iter().map(|g| g.households).collect();
    let cells = suppress(&counts, min);
    let mut out = Vec::new();
    let mut other = GroupShare {
        code: "other".to_owned(),
        name_zh: String::new(),
        name_en: String::new(),
        households: Some(0),
        resource_share_bp: 0,
        population_share_bp: 0,
        need_share_bp: 0,
        capture_warning: false,
    };
    let mut merged = 0u64;
    for (g, cell) in rows.iter().zip(&cells) {
        if cell.is_some() {
            let (name_zh, name_en) = group_names(&g.key);
            out.push(GroupShare {
                code: g.key.clone(),
                name_zh,
                name_en,
                households: *cell,
                resource_share_bp: g.resource_share_bp,
                population_share_bp: g.population_share_bp,
                need_share_bp: g.need_share_bp,
                capture_warning: g.capture_warning,
            });
        } else {
            merged += g.households;
            other.resource_share_bp += g.resource_share_bp;
            other.population_share_bp += g.population_share_bp;
            other.need_share_bp += g.need_share_bp;
            other.capture_warning |= g.capture_warning;
        }
    }
    if merged > 0 {
        if merged < min {
            // Everything was withheld and even together too few: publish no group at all.
            return Vec::new();
        }
        let (name_zh, name_en) = group_names("other");
        other.name_zh = name_zh;
        other.name_en = name_en;
        other.households = Some(merged);
        out.push(other);
    }
    out
}

fn cost_sharing(r: &Option<AllocationResult>) -> CostSharing {
    let funders = |v: &[alloc::cost_share::FunderAmount]| -> Vec<FunderAmount> {
        v.iter()
            .map(|f| FunderAmount {
                funder: f.funder.clone(),
                amount_fen: f.amount_fen,
            })
            .collect()
    };
    match r.as_ref().and_then(|r| r.cost_sharing.as_ref()) {
        None => CostSharing {
            total_fen: 0,
            by_funder: Vec::new(),
            by_class: Vec::new(),
        },
        Some(c) => CostSharing {
            total_fen: c.total_fen,
            by_funder: funders(&c.by_funder),
            by_class: c
                .by_class
                .iter()
                .map(|k| ClassAmount {
                    class: class_code(k.class),
                    total_fen: k.total_fen,
                    funders: funders(&k.funders),
                })
                .collect(),
        },
    }
}

const FUNDER_ORDER: [&str; 4] = ["government", "market", "society", "residents"];

fn funder_rank(f: &str) -> (usize, &str) {
    (
        FUNDER_ORDER
            .iter()
            .position(|x| *x == f)
            .unwrap_or(FUNDER_ORDER.len()),
        f,
    )
}

/// Every plan past its draft, by id, with its spending.
fn public_plans(d: &Dataset) -> Vec<PlanPublic> {
    let mut spent: BTreeMap<u32, BTreeMap<&str, i64>> = BTreeMap::new();
    for s in &d.spending {
        let e = spent
            .entry(s.plan_id)
            .or_default()
            .entry(s.funder.as_str())
            .or_default();
        *e = sum_fen([*e, s.amount_fen]);
    }
    let mut plans: Vec<PlanPublic> = d
        .plans
        .iter()
        .filter(|p| p.stage != PlanStage::Draft)
        .map(|p| {
            let mut by: Vec<FunderAmount> = spent
                .get(&p.id)
                .map(|m| {
                    m.iter()
                        .map(|(f, a)| FunderAmount {
                            funder: (*f).to_owned(),
                            amount_fen: *a,
                        })
                        .collect()
                })
                .unwrap_or_default();
            by.sort_by(|a, b| funder_rank(&a.funder).cmp(&funder_rank(&b.funder)));
            let start = p.notice_start.as_deref().and_then(parse_day);
            PlanPublic {
                id: p.id,
                title: p.title.clone(),
                category: p.category.clone(),
                period: p.period.clone(),
                stage: code(&p.stage),
                budget_fen: p.budget_fen,
                spent_fen: sum_fen(by.iter().map(|f| f.amount_fen)),
                progress_pct: p.progress.min(100),
                notice_start: start.map(iso_date),
                notice_end: start.map(|s| iso_date(s + i64::from(p.notice_days.max(1)) - 1)),
                notice_days: p.notice_days,
                spent_by_funder: by,
            }
        })
        .collect();
    plans.sort_by_key(|p| p.id);
    plans
}

/// `YYYY-MM-DD` → day count.
fn parse_day(s: &str) -> Option<i64> {
    let mut it = s.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if it.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Whether counts of a category are sensitive (health, disability, income, minors).
pub fn is_sensitive(c: &NeedCategory) -> bool {
    c.class == NeedClass::Special
        || matches!(
            c.code.as_str(),
            "health" | "disability" | "childcare" | "income" | "subsistence" | "minors" | "mental_health"
        )
}

fn coverage(d: &Dataset, cats: &[NeedCategory], min: u64, min_s: u64) -> Vec<Coverage> {
    let total = d.households.len() as u64;
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for h in &d.households {
        let mut seen = BTreeSet::new();
        for n in &h.needs {
            if seen.insert(n.category.as_str()) {
                *counts.entry(n.category.as_str()).or_default() += 1;
            }
        }
    }
    cats.iter()
        .map(|c| {
            let sensitive = is_sensitive(c);
            let n = counts.get(c.code.as_str()).copied().unwrap_or(0);
            let households = at_least(n, if sensitive { min_s } else { min });
            Coverage {
                code: c.code.clone(),
                name_zh: c.name_zh.clone(),
                name_en: c.name_en.clone(),
                households,
                share_bp: households.map(|n| bp(n, total)),
                sensitive,
            }
        })
        .collect()
}

fn satisfaction(d: &Dataset, min: u64) -> Satisfaction {
    let mut dist = [0u64; 5];
    for r in &d.requests {
        if let Some(s @ 1..=5) = r.satisfaction {
            dist[usize::from(s) - 1] += 1;
        }
    }
    let total: u64 = dist.iter().sum();
    if !publishable(total, min) {
        return Satisfaction {
            ratings: None,
            distribution: vec![None; 5],
            satisfied_bp: None,
            mean_centi: None,
        };
    }
    let cells = suppress(&dist, min);
    // The mean and the satisfied share would let a reader solve for withheld cells:
    // they are published only when every cell is.
    let complete = cells.iter().all(Option::is_some) && total > 0;
    let weighted: u64 = dist.iter().enumerate().map(|(i, c)| (i as u64 + 1) * c).sum();
    Satisfaction {
        ratings: Some(total),
        distribution: cells,
        satisfied_bp: complete.then(|| bp(dist[3] + dist[4], total)),
        mean_centi: complete.then(|| ((weighted * 200 + total) / (2 * total)) as u32),
    }
}

struct Target {
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    unit: &'static str,
    target: Option<i64>,
    /// `gt`, `lt`, `ge`, or empty without a target.
    direction: &'static str,
}

fn indicator(t: &Target, value: Option<i64>) -> Indicator {
    let status = match (value, t.target) {
        (None, _) => "not_measured",
        (Some(_), None) => "no_target",
        (Some(v), Some(x)) => {
            let ok = match t.direction {
                "gt" => v > x,
                "lt" => v < x,
                "ge" => v >= x,
                _ => v <= x,
            };
            if ok {
                "met"
            } else {
                "not_met"
            }
        }
    };
    Indicator {
        code: t.code.to_owned(),
        name_zh: t.zh.to_owned(),
        name_en: t.en.to_owned(),
        value,
        unit: t.unit.to_owned(),
        target: t.target,
        direction: t.direction.to_owned(),
        status: status.to_owned(),
    }
}

/// The SPEC §2.10 indicators with the source's targets.
fn indicators(
    d: &Dataset,
    r: &Option<AllocationResult>,
    sat: &Satisfaction,
    today: i64,
    min: u64,
) -> Vec<Indicator> {
    let households = d.households.len() as u64;
    let year_ago = today - 365;
    let two_years_ago = today - 730;
    let in_window = |date: &str, from: i64, to: i64| parse_day(date).is_some_and(|x| x > from && x <= to);

    // Participation: households at one activity or more in the last 365 days.
    let mut attended: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
    for a in &d.activities {
        let this = in_window(&a.date, year_ago, today);
        let last = in_window(&a.date, two_years_ago, year_ago);
        if !this && !last {
            continue;
        }
        let mut seen = BTreeSet::new();
        for h in &a.attendance {
            if seen.insert(*h) {
                let e = attended.entry(*h).or_default();
                if this {
                    e.0 += 1;
                } else {
                    e.1 += 1;
                }
            }
        }
    }
    let participants = attended.values().filter(|(n, _)| *n > 0).count() as u64;
    let participation = (households >= min).then(|| i64::from(bp(participants, households)));
    let leaders_now = attended.values().filter(|(n, _)| *n >= LEADER_ACTIVITIES).count() as i64;
    let leaders_before = attended.values().filter(|(_, n)| *n >= LEADER_ACTIVITIES).count() as i64;
    let leader_growth =
        (leaders_before > 0).then(|| (leaders_now - leaders_before) * 10_000 / leaders_before);

    let year_ms = (year_ago + 1) * DAY_MS - CST_OFFSET_MS;
    let proposals = d.proposals.iter().filter(|p| p.created_at >= year_ms).count() as u64;
    let proposals_per_100 =
        (households > 0).then(|| ((u128::from(proposals) * 10_000) / u128::from(households)) as i64);

    let m = money(r);
    let mismatch = m
        .and_then(|k| k.indicators.mismatch.as_ref())
        .map(|x| i64::from(x.mismatch_bp));
    let utilisation = m
        .and_then(|k| k.indicators.utilisation.as_ref())
        .and_then(|u| u.utilisation_bp)
        .map(i64::from);

    // Satisfaction dispersion: coefficient of variation of the groups' mean ratings,
    // over groups with at least `min` ratings (population standard deviation).
    let group_of: BTreeMap<u32, &str> = d.households.iter().map(|h| (h.id, h.group.as_str())).collect();
    let mut by_group: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for q in &d.requests {
        if let (Some(s @ 1..=5), Some(h)) = (q.satisfaction, q.household_id) {
            let g = group_of.get(&h).copied().unwrap_or("");
            let e = by_group.entry(g).or_default();
            e.0 += u64::from(s);
            e.1 += 1;
        }
    }
    let means: Vec<f64> = by_group
        .values()
        .filter(|(_, n)| *n >= min)
        .map(|(s, n)| *s as f64 / *n as f64)
        .collect();
    let cv = (means.len() >= 2).then(|| {
        let k = means.len() as f64;
        let mean = means.iter().sum::<f64>() / k;
        let var = means.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / k;
        (var.sqrt() / mean * 1000.0).round() as i64
    });

    // Resolution time: median hours from receipt to resolution (or closing).
    let mut hours: Vec<i64> = d
        .requests
        .iter()
        .filter_map(|q| {
            q.history
                .iter()
                .find(|c| matches!(c.status, RequestStatus::Resolved | RequestStatus::Closed))
                .map(|c| (c.at - q.received_at).max(0) / 3_600_000)
        })
        .collect();
    hours.sort_unstable();
    let resolution = (!hours.is_empty()).then(|| hours[(hours.len() - 1) / 2]);

    let t = |code, zh, en, unit, target, direction| Target {
        code,
        zh,
        en,
        unit,
        target,
        direction,
    };
    vec![
        indicator(
            &t(
                "participation",
                "居民参与率",
                "Participation rate",
                "bp",
                Some(6000),
                "gt",
            ),
            participation,
        ),
        indicator(
            &t(
                "proposals",
                "每百户年提案数",
                "Proposals per 100 households a year",
                "per_100_households_centi",
                Some(500),
                "gt",
            ),
            proposals_per_100,
        ),
        indicator(
            &t(
                "leader_growth",
                "居民骨干年增长",
                "Resident-leader growth a year",
                "bp",
                Some(1000),
                "gt",
            ),
            leader_growth,
        ),
        indicator(
            &t(
                "mismatch",
                "资源错配率",
                "Resource mismatch rate",
                "bp",
                Some(1000),
                "lt",
            ),
            mismatch,
        ),
        indicator(
            &t(
                "satisfaction_cv",
                "满意度离散度（各群体变异系数）",
                "Satisfaction dispersion (CV across groups)",
                "permille",
                Some(300),
                "lt",
            ),
            cv,
        ),
        indicator(
            &t("utilisation", "资源使用率", "Utilisation", "bp", Some(8500), "gt"),
            utilisation,
        ),
        indicator(
            &t(
                "satisfaction",
                "居民满意率",
                "Residents satisfied",
                "bp",
                Some(8500),
                "ge",
            ),
            sat.satisfied_bp.map(i64::from),
        ),
        indicator(
            &t(
                "resolution_time",
                "诉求办结时长（中位数）",
                "Request resolution time (median)",
                "hours",
                None,
                "",
            ),
            resolution,
        ),
        indicator(
            &t(
                "cost_benefit",
                "投入产出比",
                "Cost-benefit ratio",
                "ratio",
                Some(3),
                "gt",
            ),
            None,
        ),
    ]
}

/// Code → status and dates, as [`crate::requests::public_statuses`] defines them (one
/// definition for the snapshot and the requests page: the due day of a working-day
/// deadline is the day before its exclusive midnight), by code.
fn requests(d: &Dataset) -> Vec<RequestPublic> {
    crate::requests::public_statuses(&d.requests)
        .into_iter()
        .map(|(code_, p)| RequestPublic {
            code: code_,
            status: code(&p.status),
            received: p.received,
            due: p.due,
            history: p
                .timeline
                .into_iter()
                .map(|(status, date)| StatusDay {
                    status: code(&status),
                    date,
                })
                .collect(),
        })
        .collect()
}

/// The default earning rules (SPEC §2.6).
fn points_rules() -> PointsRules {
    let rule = |code: &str, zh: &str, en: &str, points, per: &str| PointsRule {
        code: code.to_owned(),
        name_zh: zh.to_owned(),
        name_en: en.to_owned(),
        points,
        per: per.to_owned(),
    };
    PointsRules {
        earning: vec![
            rule("deliberation", "参加议事", "Deliberation", 10, "meeting"),
            rule("volunteering", "志愿服务", "Volunteering", 5, "hour"),
            rule("skill_sharing", "技能分享", "Skill sharing", 15, "session"),
        ],
    }
}
