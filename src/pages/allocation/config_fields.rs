//! The configuration editor's fields: one text signal per input, read back into an
//! `AllocConfig` with an error next to every field that cannot be read. Percentages have
//! two decimals and are stored as basis points; money floors are typed in yuan and
//! stored as fen.

use leptos::prelude::*;
use linli_domain::alloc::{AllocConfig, CategoryRule, FunderShare, MAX_FACTOR_BP, MAX_UNIT_WEIGHT};
use linli_domain::model::NeedCategory;
use linli_domain::money::parse_yuan;

use super::format::Ctx;
use crate::components::matrix_editor::parse_fixed;
use crate::i18n::*;

pub const BP: u32 = 10_000;
/// Cost-sharing rules in the order of the form.
pub const RULES: [&str; 4] = ["basic", "improvement", "special", "reserve"];
/// Funders always offered, in this order.
const FUNDERS: [&str; 4] = ["government", "market", "society", "residents"];

/// Where an error is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Reserve,
    Base,
    Flexible,
    Split,
    MaxChange,
    Demand(usize),
    DemandSum,
    Cat(usize, CatField),
    Floors,
    Cost(usize),
    CaptureRatio,
    CaptureShare,
    TargetMismatch,
    TargetUtil,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatField {
    Unit,
    Floor,
    Cap,
    MinFen,
    Reach,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
    /// The domain's message (names the setting and the field).
    pub domain: Option<String>,
}

/// Percent text of basis points: `7000` → `70.00`.
pub fn pct_input(bp: u32) -> String {
    format!("{}.{:02}", bp / 100, bp % 100)
}

/// Factor text of basis points for input: `15000` → `1.50`, `12345` → `1.2345`.
pub fn factor_input(bp: u32) -> String {
    if bp.is_multiple_of(100) {
        format!("{}.{:02}", bp / BP, (bp % BP) / 100)
    } else {
        format!("{}.{:04}", bp / BP, bp % BP)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct CatFields {
    pub unit: RwSignal<String>,
    pub floor: RwSignal<String>,
    pub cap: RwSignal<String>,
    pub min_yuan: RwSignal<String>,
    pub reach: RwSignal<String>,
}

/// The form's text fields.
#[derive(Debug, Clone)]
pub struct Fields {
    pub reserve: RwSignal<String>,
    pub base: RwSignal<String>,
    pub flexible: RwSignal<String>,
    pub max_change: RwSignal<String>,
    pub demand: [RwSignal<String>; 4],
    pub cats: Vec<CatFields>,
    /// `cost[rule][funder]`, funders as in `funders`.
    pub cost: Vec<Vec<RwSignal<String>>>,
    pub funders: Vec<String>,
    pub capture_ratio: RwSignal<String>,
    pub capture_share: RwSignal<String>,
    pub target_mismatch: RwSignal<String>,
    pub target_util: RwSignal<String>,
}

pub fn rule_list(c: &AllocConfig, i: usize) -> &[FunderShare] {
    match i {
        0 => &c.cost_sharing.basic,
        1 => &c.cost_sharing.improvement,
        2 => &c.cost_sharing.special,
        _ => &c.cost_sharing.reserve,
    }
}

fn rule_list_mut(c: &mut AllocConfig, i: usize) -> &mut Vec<FunderShare> {
    match i {
        0 => &mut c.cost_sharing.basic,
        1 => &mut c.cost_sharing.improvement,
        2 => &mut c.cost_sharing.special,
        _ => &mut c.cost_sharing.reserve,
    }
}

fn funders_of(c: &AllocConfig) -> Vec<String> {
    let mut list: Vec<String> = FUNDERS.iter().map(|s| (*s).to_owned()).collect();
    for i in 0..RULES.len() {
        for f in rule_list(c, i) {
            if !list.contains(&f.funder) {
                list.push(f.funder.clone());
            }
        }
    }
    list
}

impl Fields {
    pub fn new(c: &AllocConfig, cats: &[NeedCategory]) -> Self {
        let funders = funders_of(c);
        let cost = (0..RULES.len())
            .map(|i| {
                funders
                    .iter()
                    .map(|f| {
                        RwSignal::new(
                            rule_list(c, i)
                                .iter()
                                .find(|s| &s.funder == f)
                                .map(|s| pct_input(s.bp))
                                .unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .collect();
        Self {
            reserve: RwSignal::new(pct_input(c.reserve_bp)),
            base: RwSignal::new(pct_input(c.base_bp)),
            flexible: RwSignal::new(pct_input(c.flexible_bp)),
            max_change: RwSignal::new(c.max_change_bp.map(pct_input).unwrap_or_default()),
            demand: [
                RwSignal::new(pct_input(c.demand.need_score_bp)),
                RwSignal::new(pct_input(c.demand.waiting_bp)),
                RwSignal::new(pct_input(c.demand.requests_bp)),
                RwSignal::new(pct_input(c.demand.population_change_bp)),
            ],
            cats: cats
                .iter()
                .map(|cat| {
                    let r = c.rule(&cat.code);
                    CatFields {
                        unit: RwSignal::new(r.unit_weight.to_string()),
                        floor: RwSignal::new(pct_input(r.floor_bp)),
                        cap: RwSignal::new(pct_input(r.cap_bp)),
                        min_yuan: RwSignal::new(if r.min_fen == 0 {
                            String::new()
                        } else {
                            linli_domain::alloc::export::yuan_plain(r.min_fen)
                        }),
                        reach: RwSignal::new(factor_input(r.reach_bp)),
                    }
                })
                .collect(),
            cost,
            funders,
            capture_ratio: RwSignal::new(factor_input(c.fairness.capture_ratio_bp)),
            capture_share: RwSignal::new(pct_input(c.fairness.capture_min_share_bp)),
            target_mismatch: RwSignal::new(pct_input(c.targets.mismatch_max_bp)),
            target_util: RwSignal::new(pct_input(c.targets.utilisation_min_bp)),
        }
    }

    /// `base` with the form's values, or the fields that cannot be read.
    pub fn build(
        &self,
        i18n: Ctx,
        base: &AllocConfig,
        cats: &[NeedCategory],
    ) -> Result<AllocConfig, Vec<FieldError>> {
        let mut c = base.clone();
        let mut errors = Vec::new();
        let err = |field, message: String| FieldError {
            field,
            message,
            domain: None,
        };
        let percent_msg = || t_string!(i18n, allocation.enter_a_percentage_from_0_to_100).to_owned();
        let factor_msg = || t_string!(i18n, allocation.enter_a_factor_e_g_1_or_1_5_at).to_owned();
        let percent = |sig: RwSignal<String>, field: Field, errors: &mut Vec<FieldError>| -> Option<u32> {
            match parse_fixed(&sig.get_untracked(), 2).filter(|v| *v <= BP) {
                Some(v) => Some(v),
                None => {
                    errors.push(err(field, percent_msg()));
                    None
                }
            }
        };
        if let Some(v) = percent(self.reserve, Field::Reserve, &mut errors) {
            c.reserve_bp = v;
        }
        if let Some(v) = percent(self.base, Field::Base, &mut errors) {
            c.base_bp = v;
        }
        if let Some(v) = percent(self.flexible, Field::Flexible, &mut errors) {
            c.flexible_bp = v;
        }
        let mc = self.max_change.get_untracked();
        if mc.trim().is_empty() {
            c.max_change_bp = None;
        } else if let Some(v) = percent(self.max_change, Field::MaxChange, &mut errors) {
            c.max_change_bp = Some(v);
        }
        let mut d = [0u32; 4];
        for (i, sig) in self.demand.iter().enumerate() {
            if let Some(v) = percent(*sig, Field::Demand(i), &mut errors) {
                d[i] = v;
            }
        }
        c.demand.need_score_bp = d[0];
        c.demand.waiting_bp = d[1];
        c.demand.requests_bp = d[2];
        c.demand.population_change_bp = d[3];
        for (i, (cat, f)) in cats.iter().zip(&self.cats).enumerate() {
            let mut rule: CategoryRule = c.rule(&cat.code).into_owned();
            match parse_fixed(&f.unit.get_untracked(), 0).filter(|v| *v <= MAX_UNIT_WEIGHT) {
                Some(v) => rule.unit_weight = v,
                None => errors.push(err(
                    Field::Cat(i, CatField::Unit),
                    t_string!(i18n, allocation.the_unit_weight_is_a_whole).to_owned(),
                )),
            }
            if let Some(v) = percent(f.floor, Field::Cat(i, CatField::Floor), &mut errors) {
                rule.floor_bp = v;
            }
            if let Some(v) = percent(f.cap, Field::Cat(i, CatField::Cap), &mut errors) {
                rule.cap_bp = v;
            }
            let m = f.min_yuan.get_untracked();
            if m.trim().is_empty() {
                rule.min_fen = 0;
            } else {
                match parse_yuan(&m) {
                    Ok(v) => rule.min_fen = v,
                    Err(_) => errors.push(err(
                        Field::Cat(i, CatField::MinFen),
                        t_string!(i18n, allocation.the_money_floor_is_in_yuan_at).to_owned(),
                    )),
                }
            }
            match parse_fixed(&f.reach.get_untracked(), 4).filter(|v| *v > 0 && *v <= MAX_FACTOR_BP) {
                Some(v) => rule.reach_bp = v,
                None => errors.push(err(Field::Cat(i, CatField::Reach), factor_msg())),
            }
            match c.categories.iter_mut().find(|r| r.code == cat.code) {
                Some(r) => *r = rule,
                None => c.categories.push(rule),
            }
        }
        for (i, row) in self.cost.iter().enumerate() {
            let mut list = Vec::new();
            for (f, sig) in self.funders.iter().zip(row) {
                let t = sig.get_untracked();
                if t.trim().is_empty() {
                    continue;
                }
                match parse_fixed(&t, 2).filter(|v| *v <= BP) {
                    Some(0) => {}
                    Some(v) => list.push(FunderShare {
                        funder: f.clone(),
                        bp: v,
                    }),
                    None => {
                        errors.push(err(Field::Cost(i), percent_msg()));
                        break;
                    }
                }
            }
            *rule_list_mut(&mut c, i) = list;
        }
        match parse_fixed(&self.capture_ratio.get_untracked(), 4) {
            Some(v) => c.fairness.capture_ratio_bp = v,
            None => errors.push(err(Field::CaptureRatio, factor_msg())),
        }
        if let Some(v) = percent(self.capture_share, Field::CaptureShare, &mut errors) {
            c.fairness.capture_min_share_bp = v;
        }
        if let Some(v) = percent(self.target_mismatch, Field::TargetMismatch, &mut errors) {
            c.targets.mismatch_max_bp = v;
        }
        if let Some(v) = percent(self.target_util, Field::TargetUtil, &mut errors) {
            c.targets.utilisation_min_bp = v;
        }
        if errors.is_empty() {
            Ok(c)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_text_round_trips() {
        assert_eq!(factor_input(10_000), "1.00");
        assert_eq!(factor_input(15_000), "1.50");
        assert_eq!(factor_input(12_345), "1.2345");
        assert_eq!(parse_fixed("1.2345", 4), Some(12_345));
    }
}
