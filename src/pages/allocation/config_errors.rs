//! The configuration editor's messages: the domain's validation error placed at its
//! field in the user's language, and what changed, for the history.

use linli_domain::alloc::{AllocConfig, AllocError};
use linli_domain::model::NeedCategory;

use super::config_fields::{rule_list, CatField, Field, FieldError, RULES};
use super::format::{pct, Ctx};
use crate::i18n::*;

/// The domain's validation error placed at its field, in the user's language.
pub fn domain_error(i18n: Ctx, c: &AllocConfig, cats: &[NeedCategory], e: &AllocError) -> FieldError {
    let sum = |v: &[u32]| pct(v.iter().sum());
    let (field, message) = match e {
        AllocError::Config { field, .. } => match field.as_str() {
            "reserve_bp" => (
                Field::Reserve,
                t_string!(i18n, allocation.the_reserve_must_be_0_to_50).to_string(),
            ),
            "base_bp + flexible_bp" => {
                let s = sum(&[c.base_bp, c.flexible_bp]);
                (
                    Field::Split,
                    t_string!(i18n, allocation.split_sum_error, sum = s).to_string(),
                )
            }
            "demand" => {
                let d = &c.demand;
                let s = sum(&[
                    d.need_score_bp,
                    d.waiting_bp,
                    d.requests_bp,
                    d.population_change_bp,
                ]);
                (
                    Field::DemandSum,
                    t_string!(i18n, allocation.demand_sum_error, sum = s).to_string(),
                )
            }
            "max_change_bp" => (
                Field::MaxChange,
                t_string!(i18n, allocation.the_change_limit_must_be_more).to_string(),
            ),
            "categories.*.floor_bp" => (
                Field::Floors,
                t_string!(i18n, allocation.the_categories_floors_add_up_to).to_string(),
            ),
            "fairness.capture_ratio_bp" => (
                Field::CaptureRatio,
                t_string!(i18n, allocation.the_warning_ratio_must_be_1_to).to_string(),
            ),
            "fairness.capture_min_share_bp" => (
                Field::CaptureShare,
                t_string!(i18n, allocation.invalid).to_string(),
            ),
            "targets.mismatch_max_bp" => (
                Field::TargetMismatch,
                t_string!(i18n, allocation.invalid).to_string(),
            ),
            "targets.utilisation_min_bp" => {
                (Field::TargetUtil, t_string!(i18n, allocation.invalid).to_string())
            }
            f => {
                if let Some(rest) = f.strip_prefix("categories.") {
                    let (code, part) = rest.rsplit_once('.').unwrap_or((rest, ""));
                    match cats.iter().position(|c| c.code == code) {
                        Some(i) => {
                            let (cf, msg) = match part {
                                "floor_bp" => (
                                    CatField::Floor,
                                    t_string!(i18n, allocation.the_floor_cannot_be_above_the).to_string(),
                                ),
                                "cap_bp" => {
                                    (CatField::Cap, t_string!(i18n, allocation.invalid_cap).to_string())
                                }
                                "min_fen" => (
                                    CatField::MinFen,
                                    t_string!(i18n, allocation.invalid_money_floor).to_string(),
                                ),
                                "reach_bp" => (
                                    CatField::Reach,
                                    t_string!(i18n, allocation.invalid_reach_factor).to_string(),
                                ),
                                _ => (
                                    CatField::Unit,
                                    t_string!(i18n, allocation.this_category_s_rule_is_invalid).to_string(),
                                ),
                            };
                            (Field::Cat(i, cf), msg)
                        }
                        None => (
                            Field::Other,
                            t_string!(i18n, allocation.a_category_s_rule_is_invalid).to_string(),
                        ),
                    }
                } else if let Some(rule) = f.strip_prefix("cost_sharing.") {
                    let i = RULES.iter().position(|r| *r == rule).unwrap_or(0);
                    let s = sum(&rule_list(c, i).iter().map(|f| f.bp).collect::<Vec<_>>());
                    (
                        Field::Cost(i),
                        t_string!(i18n, allocation.cost_sum_error, sum = s).to_string(),
                    )
                } else {
                    (
                        Field::Other,
                        t_string!(i18n, allocation.the_configuration_is_invalid).to_string(),
                    )
                }
            }
        },
        _ => (
            Field::Other,
            t_string!(i18n, allocation.the_configuration_is_invalid).to_string(),
        ),
    };
    FieldError {
        field,
        message,
        domain: Some(e.to_string()),
    }
}

/// What changed, for the audit log (field names of the setting, language-neutral).
pub fn change_summary(old: &AllocConfig, new: &AllocConfig) -> String {
    let mut parts: Vec<String> = Vec::new();
    let diff = |parts: &mut Vec<String>, name: String, a: u32, b: u32| {
        if a != b {
            parts.push(format!("{name} {a}→{b}"));
        }
    };
    diff(&mut parts, "reserve_bp".into(), old.reserve_bp, new.reserve_bp);
    diff(&mut parts, "base_bp".into(), old.base_bp, new.base_bp);
    diff(&mut parts, "flexible_bp".into(), old.flexible_bp, new.flexible_bp);
    diff(
        &mut parts,
        "demand.need_score_bp".into(),
        old.demand.need_score_bp,
        new.demand.need_score_bp,
    );
    diff(
        &mut parts,
        "demand.waiting_bp".into(),
        old.demand.waiting_bp,
        new.demand.waiting_bp,
    );
    diff(
        &mut parts,
        "demand.requests_bp".into(),
        old.demand.requests_bp,
        new.demand.requests_bp,
    );
    diff(
        &mut parts,
        "demand.population_change_bp".into(),
        old.demand.population_change_bp,
        new.demand.population_change_bp,
    );
    diff(
        &mut parts,
        "max_change_bp".into(),
        old.max_change_bp.unwrap_or(0),
        new.max_change_bp.unwrap_or(0),
    );
    for r in &new.categories {
        let o = old.rule(&r.code);
        let code = &r.code;
        diff(
            &mut parts,
            format!("categories.{code}.unit_weight"),
            o.unit_weight,
            r.unit_weight,
        );
        diff(
            &mut parts,
            format!("categories.{code}.floor_bp"),
            o.floor_bp,
            r.floor_bp,
        );
        diff(
            &mut parts,
            format!("categories.{code}.cap_bp"),
            o.cap_bp,
            r.cap_bp,
        );
        diff(
            &mut parts,
            format!("categories.{code}.reach_bp"),
            o.reach_bp,
            r.reach_bp,
        );
        if o.min_fen != r.min_fen {
            parts.push(format!("categories.{code}.min_fen {}→{}", o.min_fen, r.min_fen));
        }
    }
    if old.cost_sharing != new.cost_sharing {
        parts.push("cost_sharing changed".into());
    }
    if old.fairness != new.fairness || old.targets != new.targets {
        parts.push("fairness/targets changed".into());
    }
    if parts.is_empty() {
        parts.push("saved unchanged".into());
    }
    format!("alloc_config: {}", parts.join(", "))
}
