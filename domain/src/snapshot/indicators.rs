//! The indicators of SPEC §2.10 against their configured targets: one definition each,
//! used by the snapshot and by anything in the workspace that shows them (the cockpit
//! calls [`indicators`]).
//!
//! Names, units, directions and default targets are [`crate::settings::INDICATORS`]; the
//! targets are the `indicator_targets` setting's ([`crate::settings::indicator_targets`]).
//! A value is `None` when the data cannot measure it, with a reason code:
//!
//! | code | definition | not measured (`reason`) |
//! |---|---|---|
//! | `participation` | households that attended at least one activity in the 365 days up to the day, of all households (bp) | `too_few_households` (fewer than the minimum cell size) |
//! | `proposals` | proposals created in those 365 days per 100 households (× 100) | `no_households` |
//! | `leader_growth` | resident leaders of the last complete quarter against the same quarter a year earlier (bp; [`crate::participation::rates`]) | `no_leaders_a_year_before` |
//! | `mismatch` | the adopted allocation run's mismatch rate (bp), rounded by the disclosure rules ([`super::disclosure`]) | `no_adopted_allocation`, `not_computable` |
//! | `satisfaction_cv` | coefficient of variation of the resident groups' mean request ratings, groups with at least the minimum cell size of ratings (‰), rounded so that `min` ratings move it by at most one step (withheld when that step is over 200 ‰) | `too_few_rated_groups` (fewer than two, or the rounding step over 200 ‰) |
//! | `utilisation` | the adopted run's utilisation (bp) | `no_adopted_allocation`, `not_computable` |
//! | `satisfaction` | request ratings of 4 or 5 (bp), as the published satisfaction | `too_few_ratings` (withheld) |
//! | `resolution_time` | median hours from receipt to resolution or closing | `no_resolved_requests` |
//! | `cost_benefit` | [`super::cost_benefit`]: yuan delivered per yuan of public money (× 100) | `no_final_accounts`, `no_public_money` |

use std::collections::BTreeMap;

use super::build::{adopted, default_period, satisfaction, SnapshotError, CST_OFFSET_MS, DAY_MS};
use super::Indicator;
use crate::alloc::AllocationResult;
use crate::dataset::Dataset;
use crate::model::{RequestStatus, ResourceKind};
use crate::requests::calendar::parse_date;
use crate::settings::{indicator_targets, IndicatorDef, INDICATORS};

/// What the indicators read besides the dataset.
pub(super) struct Inputs<'a> {
    /// The period's adopted allocation run's outputs.
    pub result: Option<&'a AllocationResult>,
    /// The published requests' satisfied share.
    pub satisfied_bp: Option<u32>,
    /// The day (days since 1970-01-01, China Standard Time).
    pub today: i64,
    /// Minimum cell size.
    pub min: u64,
    /// The rounding step of the mismatch rate ([`super::disclosure::money_share_step_bp`]).
    pub mismatch_step_bp: u32,
}

/// The indicators as a snapshot published on `today` (days since 1970-01-01, China
/// Standard Time) would publish them with the configured cell sizes and the default
/// period: the same values, targets and statuses.
///
/// # Errors
///
/// [`SnapshotError::Setting`] for an invalid `disclosure` or `indicator_targets` setting;
/// [`SnapshotError::Allocation`] when the period's adopted run cannot be read.
///
/// # Examples
///
/// ```
/// use linli_domain::snapshot::{build, indicators, BuildOptions};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 300,
///     ..Default::default()
/// });
/// let at = 1_795_492_800_000; // 2026-11-24 12:00 China time
/// let today = linli_domain::date::days_from_civil(2026, 11, 24);
/// assert_eq!(indicators(&d, today).unwrap(), build(&d, &BuildOptions::at(at)).unwrap().indicators);
/// ```
pub fn indicators(d: &Dataset, today: i64) -> Result<Vec<Indicator>, SnapshotError> {
    let cells = crate::settings::disclosure(&d.settings)?;
    let min = cells.min_cell;
    let period = default_period(d);
    let adoption = adopted(d, &period)?;
    let sat = satisfaction(d, min);
    compute(
        d,
        &Inputs {
            result: adoption.as_ref().map(|(_, r, _)| r),
            satisfied_bp: sat.satisfied_bp,
            today,
            min,
            mismatch_step_bp: adoption.as_ref().map_or(1, |(_, r, i)| {
                mismatch_step(r, i, min, cells.min_cell_sensitive.max(min))
            }),
        },
    )
}

/// The mismatch rate's rounding step of an adopted run.
pub(super) fn mismatch_step(r: &AllocationResult, i: &crate::alloc::RunInputs, min: u64, min_s: u64) -> u32 {
    let steps = super::disclosure::Steps::new(super::disclosure::one_person_worth(i), min, min_s);
    let allocated = r.kind(ResourceKind::Money).map_or(0, |k| k.pools.allocated);
    super::disclosure::money_share_step_bp(steps.general, allocated)
}

/// Whether `value` meets `target` in `direction`.
fn status(value: Option<i64>, target: Option<i64>, direction: &str) -> &'static str {
    match (value, target) {
        (None, _) => "not_measured",
        (Some(_), None) => "no_target",
        (Some(v), Some(x)) => {
            let ok = match direction {
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
    }
}

/// A measured value, or why not, and the period it is of.
type Measure = (Result<i64, &'static str>, Option<String>);

pub(super) fn compute(d: &Dataset, x: &Inputs<'_>) -> Result<Vec<Indicator>, SnapshotError> {
    let targets = indicator_targets(&d.settings)?;
    Ok(INDICATORS
        .iter()
        .map(|def: &IndicatorDef| {
            let (value, period) = measure(d, x, def.code);
            let target = targets.get(def.code).copied().flatten();
            let value_opt = value.ok();
            Indicator {
                code: def.code.to_owned(),
                name_zh: def.name_zh.to_owned(),
                name_en: def.name_en.to_owned(),
                value: value_opt,
                unit: def.unit.to_owned(),
                target,
                direction: def.direction.to_owned(),
                status: status(value_opt, target, def.direction).to_owned(),
                reason: value.err().map(str::to_owned),
                period,
            }
        })
        .collect())
}

fn measure(d: &Dataset, x: &Inputs<'_>, code: &str) -> Measure {
    let households = d.households.len() as u64;
    let year_ago = x.today - 365;
    let in_year = |date: &str| parse_date(date).is_ok_and(|t| t > year_ago && t <= x.today);
    let money = x.result.and_then(|r| r.kind(ResourceKind::Money));
    let from_run = |v: Option<i64>| match (x.result, v) {
        (None, _) => Err("no_adopted_allocation"),
        (Some(_), None) => Err("not_computable"),
        (Some(_), Some(v)) => Ok(v),
    };
    match code {
        "participation" => {
            let mut seen = std::collections::BTreeSet::new();
            for a in d.activities.iter().filter(|a| in_year(&a.date)) {
                seen.extend(a.attendance.iter().copied());
            }
            let ids: std::collections::BTreeSet<u32> = d.households.iter().map(|h| h.id).collect();
            let participants = seen.intersection(&ids).count() as u64;
            let v = (households >= x.min && households > 0)
                .then(|| i64::from(super::build::bp(participants, households)));
            (v.ok_or("too_few_households"), None)
        }
        "proposals" => {
            let year_ms = (year_ago + 1) * DAY_MS - CST_OFFSET_MS;
            let n = d.proposals.iter().filter(|p| p.created_at >= year_ms).count() as u64;
            let v = (households > 0).then(|| ((u128::from(n) * 10_000) / u128::from(households)) as i64);
            (v.ok_or("no_households"), None)
        }
        "leader_growth" => {
            let g = crate::participation::rates::leader_growth(&d.activities, x.today);
            (g.growth_bp, Some(g.quarter))
        }
        "mismatch" => (
            from_run(
                money
                    .and_then(|k| k.indicators.mismatch.as_ref())
                    .map(|m| i64::from(super::disclosure::round_share(m.mismatch_bp, x.mismatch_step_bp))),
            ),
            None,
        ),
        "utilisation" => (
            from_run(
                money
                    .and_then(|k| k.indicators.utilisation.as_ref())
                    .and_then(|u| u.utilisation_bp)
                    .map(i64::from),
            ),
            None,
        ),
        "satisfaction_cv" => (satisfaction_cv(d, x.min).ok_or("too_few_rated_groups"), None),
        "satisfaction" => (x.satisfied_bp.map(i64::from).ok_or("too_few_ratings"), None),
        "resolution_time" => (resolution_hours(d).ok_or("no_resolved_requests"), None),
        "cost_benefit" => (
            super::cost_benefit::cost_benefit(&d.plans, x.today).ratio_centi,
            None,
        ),
        _ => (Err("unknown"), None),
    }
}

/// Coefficient of variation (‰) of the groups' mean ratings over groups with at least
/// `min` ratings (population standard deviation); `None` with fewer than two groups.
fn satisfaction_cv(d: &Dataset, min: u64) -> Option<i64> {
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
    if means.len() < 2 {
        return None;
    }
    let k = means.len() as f64;
    let mean = means.iter().sum::<f64>() / k;
    let var = means.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / k;
    let cv = (var.sqrt() / mean * 1000.0).round() as i64;
    // Disclosure (`super::disclosure`): one rating moves its group's mean by at most
    // 4 / n (n: the fewest ratings of a counted group), and the ratio by at most about
    // twice that over the mean; rounded to a step of `min` such moves, withheld (as too
    // few rated groups) when that step is over 200 ‰.
    let fewest = by_group
        .values()
        .filter(|(_, n)| *n >= min)
        .map(|(_, n)| *n)
        .min()?;
    let one = 8_000.0 / (fewest as f64 * mean.max(1.0));
    let step = super::disclosure::ladder_up((one * min as f64).ceil() as u128);
    (step <= 200).then(|| super::disclosure::round_to(cv, step))
}

/// Median hours from receipt to resolution (or closing), lower median.
fn resolution_hours(d: &Dataset) -> Option<i64> {
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
    (!hours.is_empty()).then(|| hours[(hours.len() - 1) / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_direction() {
        assert_eq!(status(Some(10), Some(5), "gt"), "met");
        assert_eq!(status(Some(5), Some(5), "gt"), "not_met");
        assert_eq!(status(Some(5), Some(5), "ge"), "met");
        assert_eq!(status(Some(4), Some(5), "lt"), "met");
        assert_eq!(status(Some(5), Some(5), "le"), "met");
        assert_eq!(status(Some(6), Some(5), "le"), "not_met");
        assert_eq!(status(None, Some(5), "gt"), "not_measured");
        assert_eq!(status(Some(1), None, "le"), "no_target");
    }
}
