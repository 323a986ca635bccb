//! The disclosure rules: every figure of a public snapshot that is a count of people or
//! households, or an amount that depends on such counts, goes through this module.
//!
//! # Threat model
//!
//! The attacker is an **outsider holding every published file, past and present** (every
//! `snapshot.json` of the history, the notices, the dashboard's code) and **general
//! knowledge of the community**: roughly how many people live there, the allocation rules
//! and their default unit weights (they are in the source code), who moved in, who had a
//! baby. They want to learn something about one household: a disability, a chronic
//! illness, 低保, a child, a rating, a need. They can:
//! - **solve** published figures for hidden ones (an amount proportional to
//!   `eligible × unit weight` gives the eligible count back; a total minus the published
//!   cells gives a withheld cell);
//! - **difference** two snapshots published around one household's change, when the
//!   attacker knows (or guesses) that only that change happened in between.
//!
//! # What is published, rounded or suppressed
//!
//! `m` is the minimum cell size (`min_cell`, at least 5) and `m_s` the sensitive one
//! (`min_cell_sensitive`, at least 10) for the categories of [`is_sensitive`] (health,
//! disability, income and 低保, minors and childcare, housing, employment, mental health,
//! and every category of the `special` class).
//!
//! | figure | rule |
//! |---|---|
//! | headline households, residents | [`band`] of width `m`: the largest multiple of `m` not above the count; `null` below `m` |
//! | share of residents aged 60+ | rounded to [`share_step_bp`]`(m, residents)` |
//! | coverage (households with a need) | band of width `m` (`m_s` if sensitive); its share is the band over the banded households |
//! | requests' satisfaction | ratings and each rating's count banded at `m`; the satisfied share rounded to `share_step_bp(m, ratings)`, the mean to [`ladder_up`]`(4·m·100/ratings)` hundredths; both withheld when the share's step is over 20 % |
//! | resident groups | merged into `other` below `m` (with complementary suppression, [`crate::suppress`]); households banded at `m`; the population share is the banded households over the banded total; the need share rounded to `share_step_bp(m, households)` (no group table when that is over [`MAX_STEP_SHARE_BP`], 20 %), the resource share to `max(that, money_share_step_bp(S, allocated))` (`null` when over 20 %) |
//! | allocation by category | see below |
//! | cost sharing | every amount rounded to `S_s`; a need class whose categories are all withheld is left out |
//! | pools (total, reserve, base, flexible) | exact: they are the period's resources split by configured ratios, and say nothing about people |
//!
//! **Allocation by category.** The per-category base/flexible split is **not published**
//! (it was `eligible × unit weight` in plain sight), nor are unit weights. Let `W` be one
//! person's worth: the largest change of any category's amount that one more eligible
//! person (one more of growth since the previous run too), one more household with a need
//! (and its need score, at the category's mean, urgency high) or one more request makes,
//! found by re-running the adopted run's stored inputs with each such change
//! ([`one_person_worth`]). `W` is measured, not assumed. Growth is counted in whole bands
//! (`alloc::GROWTH_BAND`), so one person can complete a band: `W` takes a whole band of
//! growth. Before the growth share had a floor (`alloc::GROWTH_FLOOR_PER_MILLE`), one
//! band in the only category that grew took the whole growth component, one person was
//! worth about ¥14,000 in the demo and every category was `too_coarse`; with the floor
//! the demo's `W` is ¥330 (4,500 households; ¥1,086 at 1,500, ¥4,952 at 300), so its
//! steps are ¥2,000 and ¥5,000 (sensitive). Small communities still get `too_coarse`. Then, on the 1-2-5 ladder,
//! `S = ladder_up(m·W)` and `S_s = ladder_up(m_s·W)` (at least ¥1), and:
//! - when `S` is over a fifth of the allocated pools, every category is withheld
//!   (`too_coarse`) and only the `other` line (the pools, rounded) is published;
//! - a category with `0 < eligible < m` (`m_s` if sensitive) is **withheld** (`small_cell`):
//!   no amount and no share of its own; if it is the only one withheld, the published
//!   category with the smallest amount is withheld with it (`complement`); the withheld
//!   categories appear together in one `other` line, whose amount is their sum rounded to
//!   `S_s`;
//! - every other category publishes its amount rounded (half up) to `S` (`S_s` if
//!   sensitive), `step_fen` says which; its share, previous share and change are computed
//!   from rounded figures (the previous share rounded to the step's share of the pool).
//!
//! # The guarantee (and its limit)
//!
//! Every banded or rounded figure is a **deterministic function of the true value**: the
//! same value gives the same figure in every snapshot, so republishing reveals nothing new.
//! For a figure `f = round(v, step)` where one person or household moves `v` by at most `w`
//! and `step ≥ k·w` (`k` = `m` or `m_s`):
//! 1. **Solving**: the set of values of any one count consistent with a published figure
//!    (all else fixed) has at least `k` members, so no count is recovered to better than
//!    `k` people; withheld categories publish no amount of their own at all.
//! 2. **Differencing**: between two snapshots whose true values differ by one person's
//!    change, `f` is either unchanged or moves by exactly one step, and a one-step move
//!    is what any change of 1 to `k` people across the same boundary gives: the size of
//!    the change cannot be read. The move shows at all only when `v` crosses a step
//!    boundary, which for a single person happens for at most `w/step ≤ 1/k` of the
//!    positions of `v` within its step.
//!
//! The limit: a crossing does show that *something* changed in that figure (a threshold is
//! crossed, as with any deterministic rounding); the protection is that it is equally
//! explained by many changes of many sizes, not that nothing ever moves. The steps
//! themselves are on a coarse ladder, so they move only when `W` crosses a ladder value,
//! and within a period they never get finer than the previous snapshot's
//! ([`steps_of`], passed by [`super::prepare`]): two roundings of nearly the same amount
//! to different steps cannot be intersected.
//! The attack suite (`domain/tests/attacks.rs`) measures both on generated communities.
//!
//! Not banded: a PB outcome's ballots and votes and a plan evaluation's answers (one-off
//! tallies of a closed vote, suppressed below `m` as before), the council's votes (an
//! official body's), requests' totals and the request list (item 5 of issue #15), and the
//! request-based indicators (`resolution_time`, derivable from the request list anyway,
//! and `satisfaction_cv`, which a new rating can move: not yet rounded).
//! `W` is a local measure (one unit of each input at a time): a real change moves several
//! inputs at once (a disability also changes need scores) or a bound (a floor, a cap, the
//! change limit), and can move an amount by somewhat more (the attack suite measured
//! 1,733,907 fen against `W` = 1,727,476); the steps, at least `m·W`, leave room for it.

use crate::alloc::{self, AllocationResult, RunInputs};
use crate::model::{NeedCategory, NeedClass, ResourceKind};

use super::{CategoryShare, Cell, ClassAmount, CostSharing, FunderAmount, GroupShare};

/// The code of the line that merges withheld categories or small groups.
pub const OTHER: &str = "other";
/// `withheld` of a category whose eligible count is below the minimum cell size.
pub const SMALL_CELL: &str = "small_cell";
/// `withheld` of a category withheld so that a single small one cannot be derived.
pub const COMPLEMENT: &str = "complement";
/// `withheld` of every category when the community is too small for amounts by category:
/// the general step is over a fifth of the allocated pools ([`MAX_STEP_SHARE_BP`]).
pub const TOO_COARSE: &str = "too_coarse";
/// A share or amount whose rounding step would exceed this share of its whole (20 %) is
/// withheld instead: such a figure says little and flips at every boundary crossing.
pub const MAX_STEP_SHARE_BP: u32 = 2_000;
/// The smallest rounding step of an amount (¥1).
pub const MIN_STEP_FEN: i64 = 100;

/// Category codes whose counts are sensitive, besides every `special` category.
pub const SENSITIVE_CODES: [&str; 11] = [
    "health",
    "disability",
    "childcare",
    "minors",
    "income",
    "subsistence",
    "mental_health",
    "housing",
    "housing_repair",
    "employment",
    "dementia",
];

/// Whether counts of a category are sensitive (health, disability, income and 低保,
/// minors, housing, employment; every `special` category).
///
/// ```
/// use linli_domain::model::NeedClass;
/// use linli_domain::snapshot::disclosure::is_sensitive;
/// assert!(is_sensitive("disability", NeedClass::Basic));
/// assert!(is_sensitive("anything", NeedClass::Special));
/// assert!(!is_sensitive("culture", NeedClass::Improvement));
/// ```
pub fn is_sensitive(code: &str, class: NeedClass) -> bool {
    class == NeedClass::Special || SENSITIVE_CODES.contains(&code)
}

/// [`is_sensitive`] for a published class code (`special`, …).
pub fn is_sensitive_code(code: &str, class: &str) -> bool {
    class == "special" || SENSITIVE_CODES.contains(&code)
}

/// The smallest value of the 1-2-5 ladder (1, 2, 5, 10, 20, 50, …) that is at least `x`.
///
/// ```
/// use linli_domain::snapshot::disclosure::ladder_up;
/// assert_eq!((ladder_up(0), ladder_up(3), ladder_up(20), ladder_up(21)), (1, 5, 20, 50));
/// ```
pub fn ladder_up(x: u128) -> i64 {
    let mut p: u128 = 1;
    loop {
        for m in [1u128, 2, 5] {
            if m * p >= x {
                return i64::try_from(m * p).unwrap_or(i64::MAX);
            }
        }
        if p > u128::from(u64::MAX) {
            return i64::MAX;
        }
        p *= 10;
    }
}

/// `v` rounded half away from zero to a multiple of `step` (`step ≤ 1`: `v`).
///
/// ```
/// use linli_domain::snapshot::disclosure::round_to;
/// assert_eq!((round_to(149, 100), round_to(150, 100), round_to(-150, 100)), (100, 200, -200));
/// ```
pub fn round_to(v: i64, step: i64) -> i64 {
    if step <= 1 {
        return v;
    }
    let s = i128::from(step);
    let x = i128::from(v);
    let r = (x.abs() + s / 2) / s * s;
    let r = if x < 0 { -r } else { r };
    i64::try_from(r).unwrap_or(if r < 0 { i64::MIN } else { i64::MAX })
}

/// A count published as a band of `width`: the largest multiple of `width` not above
/// `n`, read as "`v` to `v + width − 1`"; `None` (withheld) below `width`, zero included,
/// so that 0 and 1 look the same.
///
/// ```
/// use linli_domain::snapshot::disclosure::band;
/// assert_eq!((band(0, 10), band(9, 10), band(10, 10), band(27, 10)), (None, None, Some(10), Some(20)));
/// ```
pub fn band(n: u64, width: u64) -> Cell {
    let w = width.max(1);
    (n >= w).then(|| n / w * w)
}

/// The rounding step (basis points, 1-2-5 ladder, at most 100 %) of a share of `whole`
/// such that `units` of `whole` move it by at most one step.
pub fn share_step_bp(units: u64, whole: u64) -> u32 {
    if whole == 0 {
        return 10_000;
    }
    let x = (u128::from(units) * 10_000).div_ceil(u128::from(whole));
    ladder_up(x).clamp(1, 10_000) as u32
}

/// The rounding step (basis points, 1-2-5 ladder) of a share of the allocated money
/// that one amount step `step_fen` moves by at most one step: used for the groups' shares
/// and the mismatch indicator.
pub fn money_share_step_bp(step_fen: i64, allocated: i64) -> u32 {
    let x = (u128::from(step_fen.max(1) as u64) * 10_000).div_ceil(u128::from(allocated.max(1) as u64));
    ladder_up(x).clamp(1, 10_000) as u32
}

/// A share in basis points rounded to `step`, at most 100 %.
pub fn round_share(bp: u32, step: u32) -> u32 {
    round_to(i64::from(bp), i64::from(step)).clamp(0, 10_000) as u32
}

/// `part / whole` in basis points, half up; 0 for an empty whole.
fn bp(part: u128, whole: u128) -> u32 {
    if whole == 0 {
        return 0;
    }
    u32::try_from((part * 20_000 + whole) / (2 * whole)).unwrap_or(u32::MAX)
}

/// One person's worth in the money pool of an adopted run (fen): the largest change of
/// any category's amount that one more eligible person (and one more of growth since the
/// previous run), one more household with a need (its need score at the category's mean,
/// urgency high) or one more request in any one category makes, re-running the run's
/// stored inputs. 0 when the inputs do not re-run.
pub fn one_person_worth(run: &RunInputs) -> u64 {
    let Ok(base) = alloc::allocate_inputs(&run.inputs, &run.config) else {
        return 0;
    };
    let Some(b) = base.kind(ResourceKind::Money) else {
        return 0;
    };
    let mut worst = 0u64;
    for i in 0..run.inputs.categories.len() {
        for change in 0..3 {
            let mut inp = run.inputs.clone();
            let c = &mut inp.categories[i];
            match change {
                0 => {
                    c.eligible += 1;
                    // One more person can complete a band of growth since the previous
                    // run (growth is counted in whole bands, `alloc::GROWTH_BAND`): the
                    // worst case moves the category's growth by a whole band.
                    c.population_change += alloc::GROWTH_BAND;
                    if let Some(g) = c.eligible_by_group.first_mut() {
                        *g += 1;
                    }
                }
                1 => {
                    let score = c.need_score.div_ceil(c.waiting.max(1)).max(10);
                    c.waiting += 1;
                    c.urgency.high += 1;
                    c.need_score += score;
                    if let Some(g) = c.need_score_by_group.first_mut() {
                        *g += score;
                    }
                }
                _ => c.requests += 1,
            }
            let Ok(r) = alloc::allocate_inputs(&inp, &run.config) else {
                continue;
            };
            let Some(k) = r.kind(ResourceKind::Money) else {
                continue;
            };
            for (x, y) in k.categories.iter().zip(&b.categories) {
                worst = worst.max(x.total.abs_diff(y.total));
            }
        }
    }
    worst
}

/// The rounding steps of the money pool: general and sensitive (fen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Steps {
    pub general: i64,
    pub sensitive: i64,
}

impl Steps {
    /// `ladder_up(m·W)` and `ladder_up(m_s·W)`, at least [`MIN_STEP_FEN`].
    pub fn new(worth: u64, min: u64, min_s: u64) -> Self {
        let w = u128::from(worth.max(1));
        Self {
            general: ladder_up(w * u128::from(min)).max(MIN_STEP_FEN),
            sensitive: ladder_up(w * u128::from(min_s.max(min))).max(MIN_STEP_FEN),
        }
    }
}

/// The period and the rounding steps a published snapshot used (the largest step of its
/// non-sensitive and of its sensitive lines), to pass to the next build
/// ([`super::BuildOptions::steps_at_least`]); `None` without allocation lines.
pub fn steps_of(c: &super::Content) -> Option<(String, Steps)> {
    let general = c
        .allocation
        .iter()
        .filter(|l| !l.sensitive)
        .map(|l| l.step_fen)
        .max();
    let sensitive = c
        .allocation
        .iter()
        .filter(|l| l.sensitive)
        .map(|l| l.step_fen)
        .max();
    let (general, sensitive) = match (general, sensitive) {
        (None, None) => return None,
        (g, s) => (g.or(s).unwrap_or(MIN_STEP_FEN), s.or(g).unwrap_or(MIN_STEP_FEN)),
    };
    Some((c.period.clone(), Steps { general, sensitive }))
}

/// The published allocation of an adopted run: the lines, the steps and which
/// classes have published categories.
pub(super) struct Published {
    pub lines: Vec<CategoryShare>,
    pub steps: Steps,
}

/// The allocation by category as published (see the [module documentation](self)).
pub(super) fn allocation(
    result: &AllocationResult,
    run: &RunInputs,
    cats: &[NeedCategory],
    min: u64,
    min_s: u64,
    floor: Option<Steps>,
) -> Published {
    let mut steps = Steps::new(one_person_worth(run), min, min_s);
    if let Some(f) = floor {
        steps.general = steps.general.max(f.general);
        steps.sensitive = steps.sensitive.max(f.sensitive);
    }
    let Some(k) = result.kind(ResourceKind::Money) else {
        return Published {
            lines: Vec::new(),
            steps,
        };
    };
    let allocated = u128::from(k.pools.allocated.max(0) as u64);
    let mut withheld: Vec<Option<&'static str>> = k
        .categories
        .iter()
        .map(|c| {
            let m = if is_sensitive(&c.code, c.class) {
                min_s
            } else {
                min
            };
            let n = c.explanation.eligible;
            (n > 0 && n < m).then_some(SMALL_CELL)
        })
        .collect();
    if u128::from(steps.general as u64) * u128::from(alloc::BP) > allocated * u128::from(MAX_STEP_SHARE_BP) {
        // Too few people for amounts by category: one `other` line (the pool, rounded).
        withheld.iter_mut().for_each(|w| *w = Some(TOO_COARSE));
    }
    if withheld.iter().flatten().count() == 1 {
        // Alone, the `other` line would be that category's amount: withhold the smallest
        // published one with it (ties: the later code).
        let next = k
            .categories
            .iter()
            .enumerate()
            .filter(|(i, _)| withheld[*i].is_none())
            .min_by(|a, b| a.1.total.cmp(&b.1.total).then(b.0.cmp(&a.0)))
            .map(|(i, _)| i);
        if let Some(i) = next {
            withheld[i] = Some(COMPLEMENT);
        }
    }
    let mut lines = Vec::with_capacity(k.categories.len() + 1);
    let mut merged: i128 = 0;
    for (c, w) in k.categories.iter().zip(&withheld) {
        let (name_zh, name_en) = names(cats, &c.code);
        let sensitive = is_sensitive(&c.code, c.class);
        let step = if sensitive { steps.sensitive } else { steps.general };
        let class = super::build::code(&c.class);
        if let Some(reason) = w {
            merged += i128::from(c.total);
            lines.push(CategoryShare {
                code: c.code.clone(),
                name_zh,
                name_en,
                class,
                amount_fen: None,
                share_bp: None,
                previous_share_bp: None,
                change_bp: None,
                step_fen: step,
                sensitive,
                withheld: Some((*reason).to_owned()),
            });
            continue;
        }
        let amount = round_to(c.total, step);
        let share = bp(u128::from(amount.max(0) as u64), allocated);
        let share_step = if allocated == 0 {
            10_000
        } else {
            ((u128::from(step as u64) * 10_000).div_ceil(allocated)).min(10_000) as u32
        };
        let previous = c.previous_share_bp.map(|p| round_share(p, share_step));
        lines.push(CategoryShare {
            code: c.code.clone(),
            name_zh,
            name_en,
            class,
            amount_fen: Some(amount),
            share_bp: Some(share),
            previous_share_bp: previous,
            change_bp: previous.map(|p| i64::from(share) - i64::from(p)),
            step_fen: step,
            sensitive,
            withheld: None,
        });
    }
    if withheld.iter().any(Option::is_some) {
        let amount = round_to(i64::try_from(merged).unwrap_or(i64::MAX), steps.sensitive);
        lines.push(CategoryShare {
            code: OTHER.to_owned(),
            name_zh: "其他（合并公布）".to_owned(),
            name_en: "Other (published together)".to_owned(),
            class: String::new(),
            amount_fen: Some(amount),
            share_bp: Some(bp(u128::from(amount.max(0) as u64), allocated)),
            previous_share_bp: None,
            change_bp: None,
            step_fen: steps.sensitive,
            sensitive: true,
            withheld: None,
        });
    }
    Published { lines, steps }
}

fn names(cats: &[NeedCategory], code: &str) -> (String, String) {
    cats.iter().find(|c| c.code == code).map_or_else(
        || (code.to_owned(), code.to_owned()),
        |c| (c.name_zh.clone(), c.name_en.clone()),
    )
}

/// Cost sharing with every amount rounded to the sensitive step; a class whose
/// categories are all withheld is left out.
pub(super) fn cost_sharing(c: &alloc::CostSharing, lines: &[CategoryShare], step: i64) -> CostSharing {
    let funders = |v: &[alloc::FunderAmount]| -> Vec<FunderAmount> {
        v.iter()
            .map(|f| FunderAmount {
                funder: f.funder.clone(),
                amount_fen: round_to(f.amount_fen, step),
            })
            .collect()
    };
    CostSharing {
        total_fen: c.total_fen,
        by_funder: funders(&c.by_funder),
        by_class: c
            .by_class
            .iter()
            .filter_map(|k| {
                let class = super::build::code(&k.class);
                let mine: Vec<&CategoryShare> = lines.iter().filter(|l| l.class == class).collect();
                let all_withheld = !mine.is_empty() && mine.iter().all(|l| l.withheld.is_some());
                (!all_withheld).then(|| ClassAmount {
                    class,
                    total_fen: round_to(k.total_fen, step),
                    funders: funders(&k.funders),
                })
            })
            .collect(),
    }
}

/// The resident groups: small ones merged into `other` (complementary suppression),
/// households banded at `min`, shares rounded to one step (see the module documentation).
pub(super) fn groups(result: &AllocationResult, min: u64, step_fen: i64) -> Vec<GroupShare> {
    let Some(k) = result.kind(ResourceKind::Money) else {
        return Vec::new();
    };
    let rows = &k.fairness.groups;
    let counts: Vec<u64> = rows.iter().map(|g| g.households).collect();
    let total: u64 = counts.iter().sum();
    // Population and need shares move with households; the resource share also with
    // money, which one person can move between categories by up to `W`.
    let step = share_step_bp(min, total);
    if step > MAX_STEP_SHARE_BP {
        // Shares this coarse say little and flip at every crossing: no group table.
        return Vec::new();
    }
    let money_step = money_share_step_bp(step_fen, k.pools.allocated).max(step);
    let resource = |bp: u32| (money_step <= MAX_STEP_SHARE_BP).then(|| round_share(bp, money_step));
    // The population share is the banded households over the banded total: a function of
    // published counts, so it moves only when they do.
    let total_banded = band(total, min).unwrap_or(0);
    let population = |n: u64| self::bp(u128::from(band(n, min).unwrap_or(0)), u128::from(total_banded));
    let cells = crate::suppress::suppress(&counts, min);
    let mut out = Vec::new();
    let (mut merged, mut res, mut need, mut warn) = (0u64, 0u32, 0u32, false);
    for (g, cell) in rows.iter().zip(&cells) {
        if cell.is_some() {
            let (name_zh, name_en) = super::build::group_names(&g.key);
            out.push(GroupShare {
                code: g.key.clone(),
                name_zh,
                name_en,
                households: band(g.households, min),
                resource_share_bp: resource(g.resource_share_bp),
                population_share_bp: population(g.households),
                need_share_bp: round_share(g.need_share_bp, step),
                capture_warning: g.capture_warning,
            });
        } else {
            merged += g.households;
            res += g.resource_share_bp;
            need += g.need_share_bp;
            warn |= g.capture_warning;
        }
    }
    if merged > 0 {
        if merged < min {
            // Everything was withheld and even together too few: publish no group at all.
            return Vec::new();
        }
        let (name_zh, name_en) = super::build::group_names(OTHER);
        out.push(GroupShare {
            code: OTHER.to_owned(),
            name_zh,
            name_en,
            households: band(merged, min),
            resource_share_bp: resource(res),
            population_share_bp: population(merged),
            need_share_bp: round_share(need, step),
            capture_warning: warn,
        });
    }
    // A zero-household group (after suppression) publishes nothing of its own.
    out.retain(|g| g.households.is_some());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_examples() {
        assert_eq!(ladder_up(1), 1);
        assert_eq!(ladder_up(101), 200);
        assert_eq!(ladder_up(501), 1_000);
        assert_eq!(round_to(0, 500), 0);
        assert_eq!(round_to(249, 500), 0);
        assert_eq!(round_to(250, 500), 500);
        assert_eq!(band(4, 5), None);
        assert_eq!(band(5, 5), Some(5));
        assert_eq!(share_step_bp(5, 4_500), 20);
        assert_eq!(share_step_bp(5, 30), 2_000);
        assert_eq!(share_step_bp(5, 0), 10_000);
        let s = Steps::new(96, 5, 10);
        assert_eq!((s.general, s.sensitive), (500, 1_000));
        assert_eq!(Steps::new(0, 5, 10).general, MIN_STEP_FEN);
    }

    fn demo(households: u32, seed: u64) -> crate::dataset::Dataset {
        crate::demo::generate(&crate::demo::DemoConfig {
            seed,
            households,
            year: 2026,
        })
    }

    const AT: i64 = 1_795_492_800_000;

    /// The demo community (4,500 households) publishes its categories' amounts: one
    /// person's worth is small enough once growth is counted in bands over a floor
    /// (`alloc::GROWTH_FLOOR_PER_MILLE`), so the general step stays far under a fifth of
    /// the pools; every published amount is a multiple of its step.
    #[test]
    fn the_demo_community_publishes_amounts_by_category() {
        let d = crate::demo::generate(&crate::demo::DemoConfig::default());
        let c = super::super::build(&d, &super::super::BuildOptions::at(AT)).unwrap();
        assert!(c.adopted_allocation.is_some());
        let published: Vec<_> = c
            .allocation
            .iter()
            .filter(|l| l.amount_fen.is_some() && l.code != OTHER)
            .collect();
        assert!(
            published.len() * 2 >= c.allocation.len(),
            "most categories published: {:?}",
            c.allocation
                .iter()
                .map(|l| (&l.code, l.amount_fen, &l.withheld))
                .collect::<Vec<_>>()
        );
        assert!(c
            .allocation
            .iter()
            .all(|l| l.withheld.as_deref() != Some(TOO_COARSE)));
        for l in &published {
            assert!(l.step_fen >= MIN_STEP_FEN);
            assert_eq!(l.amount_fen.unwrap() % l.step_fen, 0, "{}", l.code);
        }
        let run = d.allocation_runs.last().unwrap();
        let (inputs, _) = crate::decisions::stored_run(run).unwrap();
        let w = one_person_worth(&inputs);
        assert!(w > 0 && w < 100_000, "one person's worth {w} fen");
    }

    #[test]
    fn the_pair_check_refuses_what_a_difference_would_reveal() {
        let d = demo(300, 4);
        let prev = super::super::build(&d, &super::super::BuildOptions::at(AT)).unwrap();
        let next = super::super::build(&d, &super::super::BuildOptions::at(AT + 3_600_000)).unwrap();
        assert!(super::super::privacy::check_pair(&prev, &next).is_empty());
        let paths = |n: &super::super::Content| -> Vec<String> {
            super::super::privacy::check_pair(&prev, n)
                .into_iter()
                .map(|v| v.path)
                .collect()
        };
        // A lowered cell size.
        let mut n = next.clone();
        n.min_cell = prev.min_cell - 1;
        assert!(paths(&n).contains(&"min_cell".to_owned()));
        // The same adopted run publishing other figures.
        if prev.adopted_allocation.is_some() {
            let mut n = next.clone();
            n.groups.pop();
            assert!(paths(&n).contains(&"groups".to_owned()), "{:?}", paths(&n));
        }
        // A count moved by less than a band (an exact count after a banded one).
        let mut n = next.clone();
        n.coverage[0].households = n.coverage[0].households.map(|v| v + 1);
        let key = format!("coverage.{}.households", n.coverage[0].code);
        assert!(paths(&n).contains(&key), "{:?}", paths(&n));
    }

    #[test]
    fn publication_refuses_a_snapshot_that_breaks_the_pair_check() {
        use crate::model::Setting;
        let mut d = demo(300, 4);
        let set = |d: &mut crate::dataset::Dataset, v: &str| {
            d.settings.retain(|s| s.key != crate::settings::DISCLOSURE);
            d.settings.push(Setting {
                key: crate::settings::DISCLOSURE.into(),
                value: v.into(),
            });
        };
        set(&mut d, r#"{"min_cell":8,"min_cell_sensitive":12}"#);
        let first = super::super::prepare::prepare(
            &d,
            &[] as &[Vec<u8>],
            &super::super::prepare::PrepareOptions {
                at: AT,
                ..Default::default()
            },
        )
        .unwrap();
        set(&mut d, r#"{"min_cell":5,"min_cell_sensitive":10}"#);
        let e =
            super::super::prepare::next_snapshot(&d, std::slice::from_ref(&first.text), AT + 3_600_000, None)
                .unwrap_err();
        assert!(e.to_string().contains("min_cell: lowered from 8 to 5"), "{e}");
        // Raised again: published.
        set(&mut d, r#"{"min_cell":8,"min_cell_sensitive":12}"#);
        assert!(super::super::prepare::next_snapshot(&d, &[first.text], AT + 3_600_000, None).is_ok());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(6))]

        /// On generated communities: the published allocation keeps the rules. Withheld
        /// lines publish nothing of their own and are never alone; every published
        /// amount is a multiple of its step, within half a step of the adopted amount, and
        /// the step is at least `m` (`m_s`) people's worth; sensitive categories are
        /// marked and never rounded finer than the others.
        #[test]
        fn generated_allocations_keep_the_rules(seed in 0u64..1_000, households in 20u32..400) {
            let d = demo(households, seed);
            let c = super::super::build(&d, &super::super::BuildOptions::at(AT)).unwrap();
            prop_assert!(super::super::privacy::check(&c).is_empty(), "{:?}", super::super::privacy::check(&c));
            let Some(Some((_, result, run))) = super::super::build::adopted(&d, &c.period).ok() else {
                return Ok(());
            };
            let worth = one_person_worth(&run).max(1) as i64;
            let k = result.kind(ResourceKind::Money).unwrap();
            let withheld = c.allocation.iter().filter(|l| l.withheld.is_some()).count();
            prop_assert!(withheld != 1);
            for l in c.allocation.iter().filter(|l| l.code != OTHER) {
                let m = if l.sensitive { c.min_cell_sensitive } else { c.min_cell } as i64;
                prop_assert!(l.step_fen >= m * worth, "{} step {} < {m}·{worth}", l.code, l.step_fen);
                let truth = k.categories.iter().find(|x| x.code == l.code).unwrap();
                prop_assert_eq!(l.sensitive, is_sensitive(&truth.code, truth.class));
                match (l.amount_fen, &l.withheld) {
                    (Some(a), None) => {
                        prop_assert_eq!(a % l.step_fen, 0);
                        prop_assert!((a - truth.total).abs() * 2 <= l.step_fen);
                    }
                    (None, Some(_)) => prop_assert!(l.share_bp.is_none()),
                    _ => prop_assert!(false, "{} published and withheld", l.code),
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// The ladder: the smallest 1-2-5 value at least x.
        #[test]
        fn ladder_is_the_least_upper_step(x in 0u128..10_000_000_000_000) {
            let s = ladder_up(x) as u128;
            prop_assert!(s >= x.max(1));
            let lead = s / 10u128.pow(s.ilog10());
            prop_assert!(matches!(lead, 1 | 2 | 5) && s == lead * 10u128.pow(s.ilog10()));
            // The next lower ladder value is below x.
            let lower = match lead { 1 => s / 2, 2 => s / 2, _ => s * 2 / 5 };
            prop_assert!(lower < x.max(1) || s == 1);
        }

        /// Rounding: a multiple of the step, within half a step, deterministic and
        /// monotone.
        #[test]
        fn rounding_is_a_monotone_function_within_half_a_step(
            v in -1_000_000_000i64..1_000_000_000, d in 0i64..1_000_000, step in 1i64..10_000_000,
        ) {
            let r = round_to(v, step);
            prop_assert_eq!(r % step, 0);
            prop_assert!((r - v).abs() * 2 <= step);
            prop_assert_eq!(r, round_to(v, step));
            prop_assert!(round_to(v + d, step) >= r);
        }

        /// The differencing guarantee: when one person moves a value by at most `w` and the
        /// step is at least `k·w`, the published figure moves by 0 or one step, and every
        /// change of 1 to k persons that crosses the same boundary shows the same move.
        #[test]
        fn one_change_moves_a_figure_by_zero_or_one_step(
            v in 0i64..1_000_000_000, w in 1i64..100_000, k in 5i64..20, persons in 1i64..5,
        ) {
            let step = ladder_up((w * k) as u128).max(1);
            let before = round_to(v, step);
            let after = round_to(v + w, step);
            prop_assert!(after == before || after == before + step);
            // A change of `persons` (up to k) people of w each from the same start moves
            // the figure by at most one step too: the move's size does not tell 1 from k.
            let many = round_to(v + w * persons.min(k - 1), step);
            prop_assert!(many == before || many == before + step);
            // Solving: the counts n with round(n·w) equal to the published figure of v =
            // n₀·w form a run of at least k−1 consecutive values around n₀.
            let n0 = v / w;
            let f = round_to(n0 * w, step);
            let consistent = (n0.saturating_sub(2 * k)..=n0 + 2 * k)
                .filter(|n| *n >= 0 && round_to(n * w, step) == f)
                .count() as i64;
            prop_assert!(consistent >= k - 1 || n0 < k);
        }

        /// Bands: a multiple of the width, at most the count, within one width of it,
        /// withheld below the width; a change of one moves it by 0 or one width.
        #[test]
        fn bands_hide_single_changes(n in 0u64..100_000, width in 1u64..30) {
            let b = band(n, width);
            match b {
                None => prop_assert!(n < width),
                Some(v) => prop_assert!(v % width == 0 && v <= n && n - v < width && v >= width),
            }
            let next = band(n + 1, width).unwrap_or(0);
            let now = b.unwrap_or(0);
            prop_assert!(next == now || next == now + width);
        }

        /// A share rounded to `share_step_bp(units, whole)` moves by at most one step when
        /// the part changes by up to `units`.
        #[test]
        fn shares_move_by_at_most_one_step(part in 0u64..10_000, extra in 0u64..5, whole in 1u64..20_000) {
            let part = part.min(whole);
            let extra = extra.min(whole - part);
            let step = share_step_bp(5, whole);
            let a = round_share(bp(u128::from(part), u128::from(whole)), step);
            let b = round_share(bp(u128::from(part + extra), u128::from(whole)), step);
            prop_assert!(b >= a && b - a <= step);
            prop_assert_eq!(a % step, 0);
        }
    }
}
