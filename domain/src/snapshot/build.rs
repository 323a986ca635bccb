//! Building a [`Content`] from a dataset.

use crate::order::SortDyn;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::disclosure;
use super::{
    AdoptedAllocation, Cell, Community, Content, CostSharing, Coverage, FunderAmount, Headline,
    PlanRulesPublic, Pool, Satisfaction, ADOPTED, NONE_ADOPTED,
};
use crate::alloc::{self, AllocationResult};
use crate::dataset::Dataset;
use crate::date::iso_date;
use crate::decisions::{self, DecisionKind};
use crate::model::{NeedCategory, RequestStatus, ResourceKind};
use crate::settings::SettingError;

pub(super) const DAY_MS: i64 = 86_400_000;
/// China Standard Time, UTC+8: publication days and request dates are local days.
pub(super) const CST_OFFSET_MS: i64 = 8 * 3_600_000;

/// What the caller passes in: the domain has no clock and keeps no history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOptions {
    /// Publication time, ms since the Unix epoch.
    pub published_at: i64,
    /// The allocation period to publish; `None`: the latest period with resources (or,
    /// without resources, the latest with an adopted run).
    pub period: Option<String>,
    /// The snapshot this one follows: its sequence number and hash.
    pub previous: Option<(u32, String)>,
    /// Minimum cell sizes; `None`: the configured ones
    /// ([`crate::settings::disclosure`]: 5 and 10 unless the community raised them).
    pub min_cell: Option<u64>,
    pub min_cell_sensitive: Option<u64>,
    /// The previous snapshot's period and allocation rounding steps
    /// ([`super::disclosure::steps_of`]): within the same period a step never gets finer,
    /// so two roundings of nearly the same amount cannot be intersected.
    pub steps_at_least: Option<(String, super::disclosure::Steps)>,
}

impl BuildOptions {
    /// Options with the configured cell sizes, the latest period and no previous snapshot.
    pub fn at(published_at: i64) -> Self {
        Self {
            published_at,
            period: None,
            previous: None,
            min_cell: None,
            min_cell_sensitive: None,
            steps_at_least: None,
        }
    }
}

/// Why a snapshot could not be built. Nothing is published then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// The period's adopted allocation run cannot be read (not stored, or its stored
    /// outputs do not match the hash the adoption names): nothing is published rather
    /// than other figures.
    #[error("the adopted allocation run of {period} cannot be read: {reason}")]
    Allocation { period: String, reason: String },
    /// A minimum cell size below 2 would publish single people.
    #[error("the minimum cell size must be at least 2 (got {0})")]
    MinCell(u64),
    /// The previous snapshot's hash is not 64 lower-case hex digits.
    #[error("the previous snapshot's hash is not a SHA-256 hex digest")]
    PreviousHash,
    /// A setting the snapshot reads is invalid (`need_categories`, `disclosure`,
    /// `indicator_targets`, `plan_rules`, `points_rules`, `points_catalogue`; see
    /// [`crate::settings`]).
    #[error("setting `{key}`: {reason}")]
    Setting { key: String, reason: String },
    /// A number or text of the snapshot is beyond the published bounds
    /// ([`super::bounds`]): an amount past ±`money::MAX_FEN` (a sum included), a label
    /// over 200 characters. `path` names the field, e.g. `plans[0].budget_fen`.
    #[error("{path}: {reason}")]
    OutOfBounds { path: String, reason: String },
}

impl From<SettingError> for SnapshotError {
    fn from(e: SettingError) -> Self {
        Self::Setting {
            key: e.key,
            reason: e.reason,
        }
    }
}

/// The sum of amounts in fen, exact (in `i128`, which cannot overflow here), then held to
/// the `i64` range: a sum past `money::MAX_FEN` is refused by the bounds check of
/// [`build`] instead of wrapping.
pub(super) fn sum_fen(amounts: impl IntoIterator<Item = i64>) -> i64 {
    let total: i128 = amounts.into_iter().map(i128::from).sum();
    i64::try_from(total).unwrap_or(if total < 0 { i64::MIN } else { i64::MAX })
}

/// The period published without `BuildOptions::period`: the latest with resources, else
/// the latest with an adopted allocation run, else none (empty).
pub(super) fn default_period(d: &Dataset) -> String {
    alloc::latest_period(d)
        .or_else(|| {
            d.decisions
                .iter()
                .filter(|x| matches!(x.kind, DecisionKind::AllocationAdopted { .. }))
                .map(|x| x.period.clone())
                .max()
        })
        .unwrap_or_default()
}

/// The period's adopted allocation: the decision and the run's **stored** outputs (never
/// a re-run on the live register), checked against the hash the decision names.
pub(super) fn adopted(
    d: &Dataset,
    period: &str,
) -> Result<Option<(AdoptedAllocation, AllocationResult, alloc::RunInputs)>, SnapshotError> {
    if period.is_empty() {
        return Ok(None);
    }
    let Some(dec) = decisions::adopted_run(&d.decisions, period) else {
        return Ok(None);
    };
    let DecisionKind::AllocationAdopted {
        run_id,
        inputs_sha256,
    } = &dec.kind
    else {
        return Ok(None);
    };
    let bad = |reason: String| SnapshotError::Allocation {
        period: period.to_owned(),
        reason,
    };
    let run = d
        .allocation_runs
        .iter()
        .find(|r| r.id == *run_id)
        .ok_or_else(|| {
            bad(format!(
                "decision {} adopts run {run_id}, which is not stored",
                dec.id
            ))
        })?;
    if run.inputs_sha256 != *inputs_sha256 || run.period != period {
        return Err(bad(format!(
            "decision {} adopted inputs {inputs_sha256} of {period}, but run {run_id} holds {} of {}",
            dec.id, run.inputs_sha256, run.period
        )));
    }
    let (inputs, result) = decisions::stored_run(run).map_err(|e| bad(e.to_string()))?;
    Ok(Some((
        AdoptedAllocation {
            decision: dec.id,
            adopted_on: dec.on.to_string(),
            run: *run_id,
            inputs_sha256: inputs_sha256.clone(),
        },
        result,
        inputs,
    )))
}

/// The minimum cell sizes: the options', else the configured ones.
pub(super) fn cell_sizes(d: &Dataset, opts: &BuildOptions) -> Result<(u64, u64), SnapshotError> {
    let configured = match (opts.min_cell, opts.min_cell_sensitive) {
        (Some(_), Some(_)) => None,
        _ => Some(crate::settings::disclosure(&d.settings)?),
    };
    let min = opts
        .min_cell
        .or(configured.map(|c| c.min_cell))
        .unwrap_or(crate::suppress::MIN_CELL);
    let min_s = opts
        .min_cell_sensitive
        .or(configured.map(|c| c.min_cell_sensitive))
        .unwrap_or(crate::suppress::MIN_CELL_SENSITIVE)
        .max(min);
    if min < 2 {
        return Err(SnapshotError::MinCell(min));
    }
    Ok((min, min_s))
}

/// Builds the public snapshot of `d`.
///
/// # Errors
///
/// [`SnapshotError`]: an adopted run that cannot be read, a minimum cell size below 2, a
/// malformed previous hash, an invalid setting, a number or text beyond the bounds of
/// [`super::bounds`] (e.g. a plan budget or a plans total past `money::MAX_FEN`, a
/// 201-character title).
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
    let (min, min_s) = cell_sizes(d, opts)?;
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
    let mut cats = crate::settings::need_categories(&d.settings)?;
    cats.sort_by_dyn(|a, b| a.code.cmp(&b.code));
    let period = opts.period.clone().unwrap_or_else(|| default_period(d));
    let (adopted_allocation, result, run_inputs) = match adopted(d, &period)? {
        Some((a, r, i)) => (Some(a), Some(r), Some(i)),
        None => (None, None, None),
    };
    // The allocation through the disclosure rules (`super::disclosure`).
    let published = match (&result, &run_inputs) {
        (Some(r), Some(i)) => {
            let floor = opts
                .steps_at_least
                .as_ref()
                .filter(|(p, _)| *p == period)
                .map(|(_, s)| *s);
            Some(disclosure::allocation(r, i, &cats, min, min_s, floor))
        }
        _ => None,
    };
    let plan_rules = crate::settings::plan_rules(&d.settings)?;

    let households = d.households.len() as u64;
    let residents = d.resident_count() as u64;
    let aged = d
        .households
        .iter()
        .flat_map(|h| &h.members)
        .filter(|m| year - i64::from(m.birth_year) >= 60)
        .count() as u64;
    let plans = super::plans::public_plans(d, today, min);
    let headline = Headline {
        households: disclosure::band(households, min),
        residents: disclosure::band(residents, min),
        aged_60_plus_bp: (residents >= min && publishable(aged, min) && publishable(residents - aged, min))
            .then(|| disclosure::round_share(bp(aged, residents), disclosure::share_step_bp(min, residents))),
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
    let indicators = super::indicators::compute(
        d,
        &super::indicators::Inputs {
            result: result.as_ref(),
            satisfied_bp: satisfaction.satisfied_bp,
            today,
            min,
            mismatch_step_bp: published.as_ref().map_or(1, |p| {
                super::disclosure::money_share_step_bp(
                    p.steps.general,
                    money(&result).map_or(0, |k| k.pools.allocated),
                )
            }),
        },
    )?;
    let content = Content {
        sequence,
        previous_sha256,
        published_at: opts.published_at,
        as_of,
        community: community_of(&d.settings),
        period,
        min_cell: min,
        min_cell_sensitive: min_s,
        headline,
        allocation_status: if result.is_some() { ADOPTED } else { NONE_ADOPTED }.to_owned(),
        adopted_allocation,
        pools: pools(&result),
        groups: match (&result, &published) {
            (Some(r), Some(p)) => disclosure::groups(r, min, p.steps.general),
            _ => Vec::new(),
        },
        cost_sharing: match (result.as_ref().and_then(|r| r.cost_sharing.as_ref()), &published) {
            (Some(c), Some(p)) => disclosure::cost_sharing(c, &p.lines, p.steps.sensitive),
            _ => CostSharing {
                total_fen: 0,
                by_funder: Vec::new(),
                by_class: Vec::new(),
            },
        },
        allocation: published.map(|p| p.lines).unwrap_or_default(),
        reserve_releases: super::plans::reserve_releases(d),
        pb: super::plans::pb_outcomes(d, min),
        plans,
        coverage: coverage(d, &cats, min, min_s),
        satisfaction,
        indicators,
        texts_sha256: String::new(),
        requests_sha256: String::new(),
        requests: requests(d, sequence, opts.published_at),
        plan_rules: PlanRulesPublic {
            notice_days: plan_rules.notice_days,
            renotice_above_bp: plan_rules.renotice_above_bp,
        },
        points: super::plans::points(d)?,
        intake: intake_public(d)?,
        texts: super::freetext::TextSeals::default(),
    };
    if let Some((path, reason)) = super::bounds::first_violation(&content) {
        return Err(SnapshotError::OutOfBounds { path, reason });
    }
    // Each free text's secret salt for its commitment (`super::freetext`).
    let mut content = content;
    super::freetext::salt_all(&mut content, &super::salt::Salter::for_dataset(d));
    content.texts_sha256 = super::file::texts_sha256(&content);
    content.requests_sha256 = super::requests_public::digest(&content.requests);
    Ok(content)
}

/// The local (UTC+8) day of a time.
pub(super) fn local_day(ms: i64) -> i64 {
    (ms + CST_OFFSET_MS).div_euclid(DAY_MS)
}

/// `v` if it may be published on its own (zero or at least `min`).
pub(super) fn at_least(v: u64, min: u64) -> Cell {
    publishable(v, min).then_some(v)
}

pub(super) fn publishable(v: u64, min: u64) -> bool {
    v == 0 || v >= min
}

/// `part / whole` in basis points, rounded half up; 0 for an empty whole.
pub(super) fn bp(part: u64, whole: u64) -> u32 {
    if whole == 0 {
        return 0;
    }
    ((u128::from(part) * 20_000 + u128::from(whole)) / (2 * u128::from(whole))) as u32
}

/// The snake_case name serde gives a unit enum variant.
pub(super) fn code<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

pub(super) fn money(r: &Option<AllocationResult>) -> Option<&alloc::KindResult> {
    r.as_ref().and_then(|r| r.kind(ResourceKind::Money))
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

/// Sorts funders as budgets list them (government, market, society, residents, then
/// others by code).
pub(super) fn sort_funders(v: &mut [FunderAmount]) {
    v.sort_by_dyn(|a, b| funder_rank(&a.funder).cmp(&funder_rank(&b.funder)));
}

/// The community's public names from the `community` setting (defaults `社区` /
/// `Community`).
pub fn community_of(settings: &[crate::model::Setting]) -> Community {
    let v = settings
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

/// The current intake public key and the community id, when the community has a key.
fn intake_public(d: &Dataset) -> Result<Option<super::IntakePublic>, SnapshotError> {
    let keys = crate::intake::IntakeKeys::from_settings(&d.settings)?;
    Ok(keys.public_key().map(|k| super::IntakePublic {
        recipient: k.to_owned(),
        community: crate::intake::community_id(&d.settings),
    }))
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

/// Whether counts of a category are sensitive: [`disclosure::is_sensitive`].
pub fn is_sensitive(c: &NeedCategory) -> bool {
    disclosure::is_sensitive(&c.code, c.class)
}

fn coverage(d: &Dataset, cats: &[NeedCategory], min: u64, min_s: u64) -> Vec<Coverage> {
    // Shares of banded counts over the banded total: functions of published figures.
    let total_banded = disclosure::band(d.households.len() as u64, min).unwrap_or(0);
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
            let households = disclosure::band(n, if sensitive { min_s } else { min });
            Coverage {
                code: c.code.clone(),
                name_zh: c.name_zh.clone(),
                name_en: c.name_en.clone(),
                households,
                share_bp: households.map(|n| bp(n, total_banded)),
                sensitive,
            }
        })
        .collect()
}

pub(super) fn satisfaction(d: &Dataset, min: u64) -> Satisfaction {
    let mut dist = [0u64; 5];
    for r in &d.requests {
        if let Some(s @ 1..=5) = r.satisfaction {
            dist[usize::from(s) - 1] += 1;
        }
    }
    let total: u64 = dist.iter().sum();
    let Some(ratings) = disclosure::band(total, min) else {
        return Satisfaction {
            ratings: None,
            distribution: vec![None; 5],
            satisfied_bp: None,
            mean_centi: None,
        };
    };
    // Every count in bands of `min`; the share and the mean rounded so that one rating
    // moves them by at most one step (`super::disclosure`).
    let weighted: u64 = dist.iter().enumerate().map(|(i, c)| (i as u64 + 1) * c).sum();
    let mean_step = disclosure::ladder_up((u128::from(min) * 400).div_ceil(u128::from(total)));
    let mean = ((weighted * 200 + total) / (2 * total)) as i64;
    let share_step = disclosure::share_step_bp(min, total);
    let fine = share_step <= disclosure::MAX_STEP_SHARE_BP;
    Satisfaction {
        ratings: Some(ratings),
        distribution: dist.iter().map(|&n| disclosure::band(n, min)).collect(),
        satisfied_bp: fine.then(|| disclosure::round_share(bp(dist[3] + dist[4], total), share_step)),
        mean_centi: fine.then(|| disclosure::round_to(mean, mean_step).clamp(0, 500) as u32),
    }
}

/// The requests section: statuses keyed by a salted hash of the tracking code, with this
/// snapshot's salt ([`super::requests_public`]; no code; a due day only for a request
/// still open past it at `published_at`).
fn requests(d: &Dataset, sequence: u32, published_at: i64) -> super::RequestsPublic {
    super::requests_public::section(d, sequence, published_at)
}
