//! Reproducible runs, comparisons and what-if scenarios.

use serde::{Deserialize, Serialize};

use crate::model::{AllocationRun, Millis, ResourceKind};

use super::config::AllocConfig;
use super::inputs::{AllocInputs, KindAmount};
use super::pools::AllocationResult;
use super::{allocate_inputs, bp_of, AllocError, BP};

/// What a run reads: the configuration and the aggregated inputs. Stored as the run's
/// `inputs_json`; its canonical JSON's SHA-256 is the run's `inputs_sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunInputs {
    pub config: AllocConfig,
    pub inputs: AllocInputs,
}

impl RunInputs {
    /// The canonical JSON: compact, fields in declaration order, inputs normalised by the
    /// caller (see [`AllocInputs::normalize`]).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Lower-case hex SHA-256 of [`RunInputs::to_json`].
    pub fn sha256(&self) -> String {
        canonical_sha256(&self.config, &self.inputs)
    }
}

/// [`RunInputs::sha256`] of borrowed parts, streamed into the hasher (no JSON text is
/// built).
pub(crate) fn canonical_sha256(config: &AllocConfig, inputs: &AllocInputs) -> String {
    use sha2::{Digest, Sha256};

    #[derive(Serialize)]
    struct Ref<'a> {
        config: &'a AllocConfig,
        inputs: &'a AllocInputs,
    }
    struct Hasher(Sha256);
    impl std::io::Write for Hasher {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hasher(Sha256::new());
    // Plain structs with string keys always serialise; a failure would leave a hash of
    // partial text, which `verify_run` would then report.
    let _ = serde_json::to_writer(&mut h, &Ref { config, inputs });
    let digest = h.0.finalize();
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        s.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    s
}

/// The record that stores a run: its inputs (configuration and aggregated data), their hash
/// and its outputs, each as JSON text kept verbatim. `created_at` comes from the caller (the
/// domain has no clock).
///
/// # Examples
///
/// ```
/// use linli_domain::alloc::{allocate_inputs, prepare, run_record, verify_run, AllocConfig};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 200,
///     ..Default::default()
/// });
/// let config = AllocConfig::default();
/// let inputs = prepare(&d, &config, "2026-Q3").unwrap();
/// let result = allocate_inputs(&inputs, &config).unwrap();
/// let run = run_record(&inputs, &config, &result, 1, 1_790_000_000_000);
/// assert_eq!(run.inputs_sha256, result.inputs_sha256);
/// assert_eq!(verify_run(&run).unwrap(), result); // re-running gives the same result
/// ```
pub fn run_record(
    inputs: &AllocInputs,
    config: &AllocConfig,
    result: &AllocationResult,
    id: u32,
    created_at: Millis,
) -> AllocationRun {
    let mut inputs = inputs.clone();
    inputs.normalize();
    let mut config = config.clone();
    config.normalize();
    let run = RunInputs { config, inputs };
    AllocationRun {
        id,
        period: result.period.clone(),
        created_at,
        inputs_sha256: run.sha256(),
        inputs_json: run.to_json(),
        outputs_json: serde_json::to_string(result).unwrap_or_default(),
    }
}

/// Re-runs a stored run from its stored inputs and checks that the hash and the outputs are
/// the stored ones.
///
/// # Errors
///
/// [`AllocError::Run`] if the inputs do not parse, their hash differs from
/// `inputs_sha256`, or the outputs differ from `outputs_json`; any error of
/// [`allocate_inputs`].
pub fn verify_run(run: &AllocationRun) -> Result<AllocationResult, AllocError> {
    let bad = |reason: String| AllocError::Run { id: run.id, reason };
    let stored: RunInputs = serde_json::from_str(&run.inputs_json)
        .map_err(|e| bad(format!("inputs_json does not parse: {e}")))?;
    let sha = crate::backup::sha256_hex(run.inputs_json.as_bytes());
    if sha != run.inputs_sha256 {
        return Err(bad(format!(
            "the inputs' SHA-256 is {sha}, not the stored {}",
            run.inputs_sha256
        )));
    }
    let result = allocate_inputs(&stored.inputs, &stored.config)?;
    if result.inputs_sha256 != run.inputs_sha256 {
        return Err(bad("the inputs are not in canonical form".to_owned()));
    }
    let outputs = serde_json::to_string(&result).unwrap_or_default();
    if outputs != run.outputs_json {
        return Err(bad(
            "re-running gives other outputs than the stored ones".to_owned()
        ));
    }
    Ok(result)
}

/// The change of one category between two results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryChange {
    pub code: String,
    pub before: i64,
    pub after: i64,
    pub delta: i64,
    /// Shares of the allocated pools, basis points.
    pub before_share_bp: u32,
    pub after_share_bp: u32,
    /// `after_share_bp − before_share_bp` (childcare 20 % → 35 % is +1500).
    pub change_bp: i64,
}

/// The changes of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindComparison {
    pub kind: ResourceKind,
    pub before_allocated: i64,
    pub after_allocated: i64,
    /// Every category of either result, by code.
    pub categories: Vec<CategoryChange>,
}

/// Two results side by side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub kinds: Vec<KindComparison>,
}

/// Compares two results kind by kind and category by category (a category or kind missing
/// on one side counts as 0 there).
pub fn compare(before: &AllocationResult, after: &AllocationResult) -> Comparison {
    let mut kinds = Vec::new();
    for kind in super::config::KINDS {
        let (b, a) = (before.kind(kind), after.kind(kind));
        if b.is_none() && a.is_none() {
            continue;
        }
        let mut codes: Vec<&str> = b
            .iter()
            .chain(a.iter())
            .flat_map(|k| k.categories.iter().map(|c| c.code.as_str()))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        let amount = |k: Option<&super::KindResult>, code: &str| {
            k.and_then(|k| k.categories.iter().find(|c| c.code == code))
                .map_or(0, |c| c.total)
        };
        let alloc = |k: Option<&super::KindResult>| k.map_or(0, |k| k.pools.allocated);
        let (ba, aa) = (alloc(b), alloc(a));
        let share = |x: i64, t: i64| {
            if t > 0 {
                bp_of(x as u128, t as u128)
            } else {
                0
            }
        };
        let categories = codes
            .into_iter()
            .map(|code| {
                let (x, y) = (amount(b, code), amount(a, code));
                let (sx, sy) = (share(x, ba), share(y, aa));
                CategoryChange {
                    code: code.to_owned(),
                    before: x,
                    after: y,
                    delta: y - x,
                    before_share_bp: sx,
                    after_share_bp: sy,
                    change_bp: i64::from(sy) - i64::from(sx),
                }
            })
            .collect();
        kinds.push(KindComparison {
            kind,
            before_allocated: ba,
            after_allocated: aa,
            categories,
        });
    }
    Comparison { kinds }
}

/// Scales one category's demand inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandScale {
    pub code: String,
    /// Multiplier in basis points (15000 = demand × 1.5), applied to need score, waiting
    /// list, requests and population change (rounded down).
    pub bp: u32,
}

/// A what-if scenario: another configuration, other pool totals, other demand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    /// Replaces the configuration.
    #[serde(default)]
    pub config: Option<AllocConfig>,
    /// Replaces the totals of these pools.
    #[serde(default)]
    pub totals: Vec<KindAmount>,
    /// Scales these categories' demand.
    #[serde(default)]
    pub demand: Vec<DemandScale>,
}

/// A scenario's result and its comparison against the baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioResult {
    pub name: String,
    pub baseline: AllocationResult,
    pub result: AllocationResult,
    pub comparison: Comparison,
}

/// Runs `scenario` against the baseline `inputs` and `config`. Nothing is stored.
///
/// # Errors
///
/// Any error of [`allocate_inputs`] for the baseline or the scenario;
/// [`AllocError::Inputs`] if the scenario names a pool or category the inputs lack.
///
/// # Examples
///
/// ```
/// use linli_domain::alloc::{prepare, what_if, AllocConfig, DemandScale, Scenario};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 300,
///     ..Default::default()
/// });
/// let config = AllocConfig::default();
/// let inputs = prepare(&d, &config, "2026-Q3").unwrap();
/// let s = Scenario {
///     name: "baby boom".into(),
///     demand: vec![DemandScale { code: "childcare".into(), bp: 30_000 }],
///     ..Default::default()
/// };
/// let r = what_if(&inputs, &config, &s).unwrap();
/// let child = r.comparison.kinds[0].categories.iter().find(|c| c.code == "childcare").unwrap();
/// assert!(child.after > child.before);
/// ```
pub fn what_if(
    inputs: &AllocInputs,
    config: &AllocConfig,
    scenario: &Scenario,
) -> Result<ScenarioResult, AllocError> {
    let baseline = allocate_inputs(inputs, config)?;
    let mut changed = inputs.clone();
    for t in &scenario.totals {
        let pool = changed
            .pools
            .iter_mut()
            .find(|p| p.kind == t.kind)
            .ok_or_else(|| AllocError::Inputs {
                reason: format!(
                    "scenario `{}`: there is no {} pool",
                    scenario.name,
                    super::config::kind_code(t.kind)
                ),
            })?;
        pool.total = t.amount;
    }
    for s in &scenario.demand {
        let c = changed
            .categories
            .iter_mut()
            .find(|c| c.code == s.code)
            .ok_or_else(|| AllocError::Inputs {
                reason: format!("scenario `{}`: there is no category `{}`", scenario.name, s.code),
            })?;
        let scale =
            |v: u64| (u128::from(v) * u128::from(s.bp) / u128::from(BP)).min(u128::from(u64::MAX)) as u64;
        // The need score's breakdowns are re-apportioned so that they still add up.
        let by_group: Vec<u128> = c.need_score_by_group.iter().map(|&v| u128::from(v)).collect();
        let by_grid: Vec<u128> = c.need_score_by_grid.iter().map(|&v| u128::from(v)).collect();
        let total = scale(c.need_score);
        let in_grids = scale(c.need_score_by_grid.iter().sum()).min(total);
        c.need_score_by_group = super::apportion::largest_remainder(total, &by_group)?;
        c.need_score_by_grid = super::apportion::largest_remainder(in_grids, &by_grid)?;
        c.need_score = total;
        c.waiting = scale(c.waiting);
        c.requests = scale(c.requests);
        c.population_change = scale(c.population_change);
    }
    let result = allocate_inputs(&changed, scenario.config.as_ref().unwrap_or(config))?;
    let comparison = compare(&baseline, &result);
    Ok(ScenarioResult {
        name: scenario.name.clone(),
        baseline,
        result,
        comparison,
    })
}
