//! The matrix editor's fields (one text signal per input, read back into a
//! `NeedsMatrix` with an error next to every field that cannot be read), the
//! domain's validation error placed at its field, and what changed, for the history.

use leptos::prelude::*;
use linli_domain::needs::{NeedsError, NeedsMatrix, MAX_POINTS, MAX_SCORE, WEIGHT_TOTAL_BP};

use super::{bp_percent, parse_fixed, Ctx};
use crate::i18n::*;

/// The structure of a matrix: what the form has fields for.
pub fn shape(m: &NeedsMatrix) -> Vec<(String, usize)> {
    m.dimensions
        .iter()
        .map(|d| (d.code.clone(), d.rules.len()))
        .collect()
}

/// Where an error is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Weight(usize),
    Sum,
    Points(usize, usize),
    High,
    Medium,
    Tiers,
    Other,
}

/// An error: the field, the message in the user's language, and the domain's own
/// message (which names the setting) when the domain found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
    pub domain: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    Idle,
    Invalid,
    Saving,
    Saved,
    Failed(String),
    Defaults,
}

/// The form's text fields, one signal each.
#[derive(Debug, Clone)]
pub struct Fields {
    pub weights: Vec<RwSignal<String>>,
    pub points: Vec<Vec<RwSignal<String>>>,
    pub high: RwSignal<String>,
    pub medium: RwSignal<String>,
}

fn tenths_text(t: u16) -> String {
    format!("{}.{}", t / 10, t % 10)
}

fn weight_text(bp: u32) -> String {
    format!("{}.{:02}", bp / 100, bp % 100)
}

impl Fields {
    pub fn new(m: &NeedsMatrix) -> Self {
        Self {
            weights: m
                .dimensions
                .iter()
                .map(|d| RwSignal::new(weight_text(d.weight_bp)))
                .collect(),
            points: m
                .dimensions
                .iter()
                .map(|d| {
                    d.rules
                        .iter()
                        .map(|r| RwSignal::new(r.points.to_string()))
                        .collect()
                })
                .collect(),
            high: RwSignal::new(tenths_text(m.tiers.high_min)),
            medium: RwSignal::new(tenths_text(m.tiers.medium_min)),
        }
    }

    pub fn fill(&self, m: &NeedsMatrix) {
        for (w, d) in self.weights.iter().zip(&m.dimensions) {
            w.set(weight_text(d.weight_bp));
        }
        for (ps, d) in self.points.iter().zip(&m.dimensions) {
            for (p, r) in ps.iter().zip(&d.rules) {
                p.set(r.points.to_string());
            }
        }
        self.high.set(tenths_text(m.tiers.high_min));
        self.medium.set(tenths_text(m.tiers.medium_min));
    }

    /// `base` with the form's values, or the fields that cannot be read.
    pub fn build(&self, i18n: Ctx, base: &NeedsMatrix) -> Result<NeedsMatrix, Vec<FieldError>> {
        let mut m = base.clone();
        let mut errors = Vec::new();
        let err = |field, message: String| FieldError {
            field,
            message,
            domain: None,
        };
        for (d, w) in self.weights.iter().enumerate() {
            match parse_fixed(&w.get_untracked(), 2).filter(|bp| *bp <= WEIGHT_TOTAL_BP) {
                Some(bp) => m.dimensions[d].weight_bp = bp,
                None => errors.push(err(
                    Field::Weight(d),
                    t_string!(i18n, common.needs_e_percent).to_string(),
                )),
            }
        }
        for (d, ps) in self.points.iter().enumerate() {
            for (r, p) in ps.iter().enumerate() {
                match parse_fixed(&p.get_untracked(), 0).filter(|v| *v <= u32::from(MAX_POINTS)) {
                    Some(v) => m.dimensions[d].rules[r].points = v as u16,
                    None => errors.push(err(
                        Field::Points(d, r),
                        t_string!(i18n, common.needs_e_points).to_string(),
                    )),
                }
            }
        }
        for (sig, field, slot) in [
            (self.high, Field::High, &mut m.tiers.high_min),
            (self.medium, Field::Medium, &mut m.tiers.medium_min),
        ] {
            match parse_fixed(&sig.get_untracked(), 1).filter(|v| *v <= u32::from(MAX_SCORE)) {
                Some(v) => *slot = v as u16,
                None => errors.push(err(field, t_string!(i18n, common.needs_e_tier_value).to_string())),
            }
        }
        if errors.is_empty() {
            Ok(m)
        } else {
            Err(errors)
        }
    }
}

/// The domain's validation error placed at its field, in the user's language.
pub fn domain_error(i18n: Ctx, m: &NeedsMatrix, e: &NeedsError) -> FieldError {
    let (field, message) = match e {
        NeedsError::WeightSum { percent, .. } => (
            Field::Sum,
            t_string!(i18n, common.needs_e_weight_sum, sum = percent.clone()).to_string(),
        ),
        NeedsError::Tiers { .. } => (Field::Tiers, t_string!(i18n, common.needs_e_tiers).to_string()),
        NeedsError::Rule { dimension, rule, .. } => {
            match m.dimensions.iter().position(|d| &d.code == dimension) {
                Some(d) => (
                    Field::Points(d, *rule),
                    t_string!(i18n, common.needs_e_rule).to_string(),
                ),
                None => (Field::Other, t_string!(i18n, common.needs_e_other).to_string()),
            }
        }
        _ => (Field::Other, t_string!(i18n, common.needs_e_other).to_string()),
    };
    FieldError {
        field,
        message,
        domain: Some(e.to_string()),
    }
}

/// What changed, for the audit log (codes, language-neutral).
pub fn change_summary(old: &NeedsMatrix, new: &NeedsMatrix) -> String {
    let mut parts = Vec::new();
    for (a, b) in old.dimensions.iter().zip(&new.dimensions) {
        if a.weight_bp != b.weight_bp {
            parts.push(format!(
                "weight {} {}→{}",
                b.code,
                bp_percent(a.weight_bp),
                bp_percent(b.weight_bp)
            ));
        }
        for (i, (ra, rb)) in a.rules.iter().zip(&b.rules).enumerate() {
            if ra.points != rb.points {
                parts.push(format!("points {}[{i}] {}→{}", b.code, ra.points, rb.points));
            }
        }
    }
    if old.tiers != new.tiers {
        parts.push(format!(
            "tiers {}/{}→{}/{}",
            old.tiers.high_min, old.tiers.medium_min, new.tiers.high_min, new.tiers.medium_min
        ));
    }
    if parts.is_empty() {
        parts.push("saved unchanged".to_owned());
    }
    format!("needs_matrix: {}", parts.join(", "))
}
