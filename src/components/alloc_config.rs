//! The allocation configuration editor (setting `alloc_config`): the pool split (reserve,
//! base, flexible), the flexible pool's demand weights, the change limit, per-category unit
//! weight, floor, cap, money floor and reach factor, the cost-sharing rules by need class,
//! the elite-capture warning and the targets. Percentages have two decimals and are stored
//! as basis points; money floors are typed in yuan and stored as fen.
//!
//! Saving parses every field (errors next to it), then `AllocConfig::validate` — the
//! domain's error, which names the setting field, is shown at that field with a
//! translation — and writes the setting and an audit entry in one transaction. What the
//! user typed is kept when a save is refused.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use linli_domain::alloc::export::{class_name, funder_name};
use linli_domain::alloc::{
    AllocConfig, AllocError, CategoryRule, FunderShare, MAX_FACTOR_BP, MAX_UNIT_WEIGHT,
};
use linli_domain::model::{NeedCategory, NeedClass};
use linli_domain::money::parse_yuan;

use crate::components::alloc_results::{lang, pct};
use crate::components::matrix_editor::parse_fixed;
use crate::i18n::*;
use crate::pages::allocation::{audit, save, tr, Shared};
use crate::state::use_storage;

type Ctx = I18nContext<Locale>;

const BP: u32 = 10_000;
/// Cost-sharing rules in the order of the form.
const RULES: [&str; 4] = ["basic", "improvement", "special", "reserve"];
/// Funders always offered, in this order.
const FUNDERS: [&str; 4] = ["government", "market", "society", "residents"];

/// Where an error is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
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
enum CatField {
    Unit,
    Floor,
    Cap,
    MinFen,
    Reach,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct FieldError {
    field: Field,
    message: String,
    /// The domain's message (names the setting and the field).
    domain: Option<String>,
}

/// The save state, kept outside the form so that it survives the form being rebuilt.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SaveState {
    Idle,
    Invalid,
    Saving,
    Saved,
    Defaults,
    Failed(String),
}

/// Percent text of basis points: `7000` → `70.00`.
fn pct_input(bp: u32) -> String {
    format!("{}.{:02}", bp / 100, bp % 100)
}

/// Factor text of basis points for input: `15000` → `1.50`, `12345` → `1.2345`.
fn factor_input(bp: u32) -> String {
    if bp.is_multiple_of(100) {
        format!("{}.{:02}", bp / BP, (bp % BP) / 100)
    } else {
        format!("{}.{:04}", bp / BP, bp % BP)
    }
}

#[derive(Debug, Clone, Copy)]
struct CatFields {
    unit: RwSignal<String>,
    floor: RwSignal<String>,
    cap: RwSignal<String>,
    min_yuan: RwSignal<String>,
    reach: RwSignal<String>,
}

/// The form's text fields.
#[derive(Debug, Clone)]
struct Fields {
    reserve: RwSignal<String>,
    base: RwSignal<String>,
    flexible: RwSignal<String>,
    max_change: RwSignal<String>,
    demand: [RwSignal<String>; 4],
    cats: Vec<CatFields>,
    /// `cost[rule][funder]`, funders as in `funders`.
    cost: Vec<Vec<RwSignal<String>>>,
    funders: Vec<String>,
    capture_ratio: RwSignal<String>,
    capture_share: RwSignal<String>,
    target_mismatch: RwSignal<String>,
    target_util: RwSignal<String>,
}

fn rule_list(c: &AllocConfig, i: usize) -> &[FunderShare] {
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
    fn new(c: &AllocConfig, cats: &[NeedCategory]) -> Self {
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
    fn build(
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
        let percent_msg = || {
            tr(
                i18n,
                "请输入 0 到 100 之间的百分数，最多两位小数",
                "Enter a percentage from 0 to 100 with at most 2 decimals",
            )
        };
        let factor_msg = || {
            tr(
                i18n,
                "请输入倍数，例如 1 或 1.5（最多四位小数）",
                "Enter a factor, e.g. 1 or 1.5 (at most 4 decimals)",
            )
        };
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
                    tr(
                        i18n,
                        "单位权重是 0 到 1000000 的整数",
                        "The unit weight is a whole number from 0 to 1000000",
                    ),
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
                        tr(
                            i18n,
                            "最低金额按元填写，最多两位小数",
                            "The money floor is in yuan, at most 2 decimals",
                        ),
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

/// The domain's validation error placed at its field, in the user's language.
fn domain_error(i18n: Ctx, c: &AllocConfig, cats: &[NeedCategory], e: &AllocError) -> FieldError {
    let sum = |v: &[u32]| pct(v.iter().sum());
    let (field, message) = match e {
        AllocError::Config { field, .. } => match field.as_str() {
            "reserve_bp" => (
                Field::Reserve,
                tr(
                    i18n,
                    "应急储备金比例必须在 0% 到 50% 之间",
                    "The reserve must be 0% to 50%",
                ),
            ),
            "base_bp + flexible_bp" => {
                let s = sum(&[c.base_bp, c.flexible_bp]);
                (
                    Field::Split,
                    if crate::components::labels::is_zh(i18n) {
                        format!("基础池与机动池之和为 {s}，必须恰好等于 100%")
                    } else {
                        format!("The base and flexible pools add up to {s}; they must add up to exactly 100%")
                    },
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
                    if crate::components::labels::is_zh(i18n) {
                        format!("需求权重之和为 {s}，必须恰好等于 100%")
                    } else {
                        format!("The demand weights add up to {s}; they must add up to exactly 100%")
                    },
                )
            }
            "max_change_bp" => (
                Field::MaxChange,
                tr(
                    i18n,
                    "变动幅度上限必须大于 0%",
                    "The change limit must be more than 0%",
                ),
            ),
            "categories.*.floor_bp" => (
                Field::Floors,
                tr(
                    i18n,
                    "各类别的下限之和超过了 100%",
                    "The categories' floors add up to more than 100%",
                ),
            ),
            "fairness.capture_ratio_bp" => (
                Field::CaptureRatio,
                tr(
                    i18n,
                    "预警倍数必须在 1 到 100 之间",
                    "The warning ratio must be 1 to 100",
                ),
            ),
            "fairness.capture_min_share_bp" => (Field::CaptureShare, tr(i18n, "此项无效", "Invalid")),
            "targets.mismatch_max_bp" => (Field::TargetMismatch, tr(i18n, "此项无效", "Invalid")),
            "targets.utilisation_min_bp" => (Field::TargetUtil, tr(i18n, "此项无效", "Invalid")),
            f => {
                if let Some(rest) = f.strip_prefix("categories.") {
                    let (code, part) = rest.rsplit_once('.').unwrap_or((rest, ""));
                    match cats.iter().position(|c| c.code == code) {
                        Some(i) => {
                            let (cf, msg) = match part {
                                "floor_bp" => (
                                    CatField::Floor,
                                    tr(i18n, "下限不能高于上限", "The floor cannot be above the cap"),
                                ),
                                "cap_bp" => (CatField::Cap, tr(i18n, "上限无效", "Invalid cap")),
                                "min_fen" => {
                                    (CatField::MinFen, tr(i18n, "最低金额无效", "Invalid money floor"))
                                }
                                "reach_bp" => (
                                    CatField::Reach,
                                    tr(i18n, "影响范围系数无效", "Invalid reach factor"),
                                ),
                                _ => (
                                    CatField::Unit,
                                    tr(i18n, "此类别的规则无效", "This category's rule is invalid"),
                                ),
                            };
                            (Field::Cat(i, cf), msg)
                        }
                        None => (
                            Field::Other,
                            tr(i18n, "某个类别的规则无效", "A category's rule is invalid"),
                        ),
                    }
                } else if let Some(rule) = f.strip_prefix("cost_sharing.") {
                    let i = RULES.iter().position(|r| *r == rule).unwrap_or(0);
                    let s = sum(&rule_list(c, i).iter().map(|f| f.bp).collect::<Vec<_>>());
                    (
                        Field::Cost(i),
                        if crate::components::labels::is_zh(i18n) {
                            format!("出资比例之和为 {s}，必须恰好等于 100%")
                        } else {
                            format!("The funders' shares add up to {s}; they must add up to exactly 100%")
                        },
                    )
                } else {
                    (Field::Other, tr(i18n, "配置无效", "The configuration is invalid"))
                }
            }
        },
        _ => (Field::Other, tr(i18n, "配置无效", "The configuration is invalid")),
    };
    FieldError {
        field,
        message,
        domain: Some(e.to_string()),
    }
}

/// What changed, for the audit log (field names of the setting, language-neutral).
fn change_summary(old: &AllocConfig, new: &AllocConfig) -> String {
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

/// What the editor starts from.
#[derive(Debug, Clone, PartialEq)]
struct Base {
    config: AllocConfig,
    defaults: AllocConfig,
    categories: Vec<NeedCategory>,
    stored: bool,
}

/// The editor.
#[component]
pub fn ConfigEditor(current: Memo<Option<Shared>>) -> impl IntoView {
    let i18n = use_i18n();
    let override_base = RwSignal::new(None::<AllocConfig>);
    let stored = Memo::new(move |_| {
        current.get().map(|Shared(d)| Base {
            config: d.editable.clone(),
            defaults: d.defaults.clone(),
            categories: d.category_list(),
            stored: d.stored,
        })
    });
    let base = Memo::new(move |_| {
        stored.get().map(|mut b| {
            if let Some(o) = override_base.get() {
                b.config = o;
            }
            b
        })
    });
    let state = RwSignal::new(SaveState::Idle);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    // "Restore defaults" rebuilds the form even when the defaults are what it started from.
    let generation = RwSignal::new(0u32);
    view! {
        <section class="card" aria-labelledby="alloc-config-h">
            <h2 id="alloc-config-h">{move || tr(i18n, "调配配置", "Allocation configuration")}</h2>
            {move || {
                let _ = generation.get();
                // Labels are plain text in the current language: rebuild on a switch.
                let _ = i18n.get_locale();
                match base.get() {
                    None => view! { <p class="muted" role="status">{t!(i18n, loading)}</p> }.into_any(),
                    Some(b) => editor_form(i18n, b, stored, override_base, generation, state, errors).into_any(),
                }
            }}
        </section>
    }
}

fn editor_form(
    i18n: Ctx,
    b: Base,
    stored: Memo<Option<Base>>,
    override_base: RwSignal<Option<AllocConfig>>,
    generation: RwSignal<u32>,
    state: RwSignal<SaveState>,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let storage = use_storage();
    let fields = Arc::new(Fields::new(&b.config, &b.categories));
    let cats = Arc::new(b.categories.clone());
    let touched = move || {
        if matches!(state.get_untracked(), SaveState::Saved | SaveState::Failed(_)) {
            state.set(SaveState::Idle);
        }
    };
    let error_at = move |field: Field| {
        move || {
            errors.with(|es| {
                es.iter()
                    .filter(|e| e.field == field)
                    .map(|e| {
                        let domain = e.domain.clone();
                        view! {
                            <p class="field-error" role="alert" data-testid="config-error">
                                {e.message.clone()}
                                {domain.map(|d| view! { <br/><small class="muted" data-testid="config-error-domain">{d}</small> })}
                            </p>
                        }
                    })
                    .collect_view()
            })
        }
    };
    let invalid =
        move |field: Field| move || errors.with(|es| es.iter().any(|e| e.field == field)).to_string();
    // One labelled text input bound to a signal.
    let input =
        move |id: String, label: String, sig: RwSignal<String>, field: Field, suffix: &'static str| {
            let lid = id.clone();
            view! {
                <div class="field">
                    <label for=lid>{label}</label>
                    <span class="with-unit">
                        <input id=id.clone() data-testid=id type="text" inputmode="decimal" class="pct"
                            aria-invalid=invalid(field)
                            prop:value=move || sig.get()
                            on:input=move |ev| { sig.set(event_target_value(&ev)); touched(); }/>
                        <span aria-hidden="true">{suffix}</span>
                    </span>
                    {error_at(field)}
                </div>
            }
        };
    let zh = crate::components::labels::is_zh(i18n);
    let f = fields.clone();
    let split_sum =
        Memo::new(
            move |_| match (parse_fixed(&f.base.get(), 2), parse_fixed(&f.flexible.get(), 2)) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            },
        );
    let f = fields.clone();
    let demand_sum = Memo::new(move |_| {
        f.demand
            .iter()
            .map(|s| parse_fixed(&s.get(), 2))
            .try_fold(0u32, |acc, v| v.map(|v| acc + v))
    });
    let sum_view = move |sum: Memo<Option<u32>>, id: &'static str| {
        view! {
            <div class="weight-sum" aria-live="polite" data-testid=id class:bad=move || sum.get() != Some(BP)>
                {move || match sum.get() {
                    Some(s) => format!("{}{}", tr(i18n, "合计 ", "Sum "), pct(s)),
                    None => tr(i18n, "合计：有无法读取的数", "Sum: some values cannot be read"),
                }}
            </div>
        }
    };

    let demand_names: [(&str, &str); 4] = [
        ("需求评估得分", "Needs scores"),
        (
            "等候名单（登记需求的户数）",
            "Waiting list (households with the need)",
        ),
        ("本期诉求数", "Requests of the period"),
        ("符合条件人口的增长", "Growth of the eligible population"),
    ];
    let demand_inputs = demand_names
        .iter()
        .enumerate()
        .map(|(i, (z, e))| {
            input(
                format!("cfg-demand-{i}"),
                if zh { (*z).to_owned() } else { (*e).to_owned() },
                fields.demand[i],
                Field::Demand(i),
                "%",
            )
        })
        .collect_view();

    let cat_rows = cats
        .iter()
        .enumerate()
        .map(|(i, cat)| {
            let cf = fields.cats[i];
            let name = if zh { cat.name_zh.clone() } else { cat.name_en.clone() };
            let rule = b.config.rule(&cat.code).into_owned();
            let elig = if zh { rule.eligibility.label_zh() } else { rule.eligibility.label_en() };
            let cell = move |sig: RwSignal<String>, cfld: CatField, label: String, testid: String| {
                let field = Field::Cat(i, cfld);
                view! {
                    <td>
                        <input type="text" inputmode="decimal" class="pct" data-testid=testid aria-label=label
                            aria-invalid=invalid(field)
                            prop:value=move || sig.get()
                            on:input=move |ev| { sig.set(event_target_value(&ev)); touched(); }/>
                        {error_at(field)}
                    </td>
                }
            };
            let code = cat.code.clone();
            view! {
                <tr data-code=code.clone()>
                    <th scope="row">{name.clone()}<br/><small class="muted">{elig}</small></th>
                    {cell(cf.unit, CatField::Unit, format!("{name} {}", tr(i18n, "单位权重", "unit weight")), format!("cfg-unit-{code}"))}
                    {cell(cf.floor, CatField::Floor, format!("{name} {}", tr(i18n, "下限（%）", "floor (%)")), format!("cfg-floor-{code}"))}
                    {cell(cf.cap, CatField::Cap, format!("{name} {}", tr(i18n, "上限（%）", "cap (%)")), format!("cfg-cap-{code}"))}
                    {cell(cf.min_yuan, CatField::MinFen, format!("{name} {}", tr(i18n, "最低金额（元）", "money floor (yuan)")), format!("cfg-min-{code}"))}
                    {cell(cf.reach, CatField::Reach, format!("{name} {}", tr(i18n, "影响范围系数", "reach factor")), format!("cfg-reach-{code}"))}
                </tr>
            }
        })
        .collect_view();

    let lang_now = lang(i18n);
    let ncols = (fields.funders.len() + 1).to_string();
    let cost_rows = (0..RULES.len())
        .map(|i| {
            let title = match i {
                0 => class_name(NeedClass::Basic, lang_now).to_owned(),
                1 => class_name(NeedClass::Improvement, lang_now).to_owned(),
                2 => class_name(NeedClass::Special, lang_now).to_owned(),
                _ => tr(i18n, "应急储备金", "Emergency reserve"),
            };
            let ncols = ncols.clone();
            let cells = fields.cost[i]
                .iter()
                .zip(&fields.funders)
                .map(|(sig, fu)| {
                    let sig = *sig;
                    let label = format!("{title} {}", funder_name(fu, lang_now));
                    view! {
                        <td><input type="text" inputmode="decimal" class="pct" aria-label=label
                            data-testid=format!("cfg-cost-{}-{fu}", RULES[i])
                            aria-invalid=invalid(Field::Cost(i))
                            prop:value=move || sig.get()
                            on:input=move |ev| { sig.set(event_target_value(&ev)); touched(); }/></td>
                    }
                })
                .collect_view();
            view! {
                <tr><th scope="row">{title}</th>{cells}</tr>
                <tr class="err-row"><td colspan=ncols>{error_at(Field::Cost(i))}</td></tr>
            }
        })
        .collect_view();
    let funder_heads = fields
        .funders
        .iter()
        .map(|f| view! { <th scope="col">{funder_name(f, lang_now)}" %"</th> })
        .collect_view();

    let f_save = fields.clone();
    let cats_save = cats.clone();
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(b) = stored.get_untracked() else { return };
        let old = b.config.clone();
        let config = match f_save.build(i18n, &old, &cats_save) {
            Ok(c) => c,
            Err(es) => {
                errors.set(es);
                state.set(SaveState::Invalid);
                return;
            }
        };
        if let Err(e) = config.validate() {
            errors.set(vec![domain_error(i18n, &config, &cats_save, &e)]);
            state.set(SaveState::Invalid);
            return;
        }
        errors.set(Vec::new());
        state.set(SaveState::Saving);
        let actor = t_string!(i18n, actor_default).to_string();
        let summary = change_summary(&old, &config);
        spawn_local(async move {
            let result = save(storage, |batch, id| {
                batch.put("settings", &config.to_setting())?;
                batch.add("audit_log", &audit(id, "settings", 0, "update", summary, actor))?;
                Ok(())
            })
            .await;
            match result {
                Ok(()) => {
                    override_base.set(None);
                    state.set(SaveState::Saved);
                }
                Err(e) => state.set(SaveState::Failed(e.to_string())),
            }
        });
    };
    let defaults = b.defaults.clone();
    let on_defaults = move |_| {
        errors.set(Vec::new());
        override_base.set(Some(defaults.clone()));
        generation.update(|g| *g += 1);
        state.set(SaveState::Defaults);
    };

    view! {
        <form class="alloc-config" on:submit=on_save novalidate data-testid="alloc-config">
            {(!b.stored).then(|| view! { <p class="muted small">{move || tr(i18n, "尚未保存配置，当前使用默认值。", "No configuration saved yet; the defaults apply.")}</p> })}
            <fieldset>
                <legend>{move || tr(i18n, "资金池划分", "Pool split")}</legend>
                <p class="muted small">{move || tr(i18n, "应急储备金先从本期总量中提留；剩余部分分为基础池和机动池，两者之和必须为 100%。", "The reserve is set aside from the period's total first; the rest is split into the base and flexible pools, which must add up to 100%.")}</p>
                <div class="row-fields">
                    {input("cfg-reserve".into(), tr(i18n, "应急储备金", "Emergency reserve"), fields.reserve, Field::Reserve, "%")}
                    {input("cfg-base".into(), tr(i18n, "基础池（固定规则）", "Base pool (fixed rules)"), fields.base, Field::Base, "%")}
                    {input("cfg-flexible".into(), tr(i18n, "机动池（季度需求）", "Flexible pool (quarterly demand)"), fields.flexible, Field::Flexible, "%")}
                </div>
                {sum_view(split_sum, "cfg-split-sum")}
                {error_at(Field::Split)}
                <div class="row-fields">
                    {input("cfg-max-change".into(), tr(i18n, "每季度占比变动上限（可空）", "Change limit per quarter (optional)"), fields.max_change, Field::MaxChange, "%")}
                </div>
            </fieldset>
            <fieldset>
                <legend>{move || tr(i18n, "机动池需求权重", "Flexible pool: demand weights")}</legend>
                <div class="row-fields">{demand_inputs}</div>
                {sum_view(demand_sum, "cfg-demand-sum")}
                {error_at(Field::DemandSum)}
            </fieldset>
            <fieldset>
                <legend>{move || tr(i18n, "各类别规则", "Category rules")}</legend>
                <p class="muted small">{move || tr(i18n,
                    "基础池按“符合条件人数 × 单位权重”分配；下限、上限是占本类资源的比例；影响范围系数乘在机动池的需求上（1 = 不变）。",
                    "The base pool follows eligible headcount × unit weight; floor and cap are shares of the pool; the reach factor multiplies the flexible-pool demand (1 = unchanged).")}</p>
                <div class="table-scroll">
                    <table class="agg cfg-cats" data-testid="cfg-cats">
                        <thead><tr>
                            <th scope="col">{move || tr(i18n, "类别（符合条件者）", "Category (who is eligible)")}</th>
                            <th scope="col">{move || tr(i18n, "单位权重", "Unit weight")}</th>
                            <th scope="col">{move || tr(i18n, "下限 %", "Floor %")}</th>
                            <th scope="col">{move || tr(i18n, "上限 %", "Cap %")}</th>
                            <th scope="col">{move || tr(i18n, "最低金额（元）", "Money floor (yuan)")}</th>
                            <th scope="col">{move || tr(i18n, "影响范围 ×", "Reach ×")}</th>
                        </tr></thead>
                        <tbody>{cat_rows}</tbody>
                    </table>
                </div>
                {error_at(Field::Floors)}
            </fieldset>
            <fieldset>
                <legend>{move || tr(i18n, "成本分担（按需求类别属性）", "Cost sharing (by need class)")}</legend>
                <p class="muted small">{move || tr(i18n, "每一行的出资比例之和必须为 100%；留空表示该方不出资。", "Each row must add up to 100%; leave a cell empty for a funder who pays nothing.")}</p>
                <div class="table-scroll">
                    <table class="agg cfg-cost" data-testid="cfg-cost">
                        <thead><tr><th scope="col">{move || tr(i18n, "类别属性", "Class")}</th>{funder_heads}</tr></thead>
                        <tbody>{cost_rows}</tbody>
                    </table>
                </div>
            </fieldset>
            <fieldset>
                <legend>{move || tr(i18n, "公平预警与目标", "Fairness warning and targets")}</legend>
                <div class="row-fields">
                    {input("cfg-capture-ratio".into(), tr(i18n, "精英俘获预警：单位需求所获资源达到其他群体的（倍）", "Elite-capture warning: resources per unit of need at least (× others)"), fields.capture_ratio, Field::CaptureRatio, "×")}
                    {input("cfg-capture-share".into(), tr(i18n, "且资源占比至少", "and a share of resources of at least"), fields.capture_share, Field::CaptureShare, "%")}
                    {input("cfg-target-mismatch".into(), tr(i18n, "错配率目标（低于）", "Mismatch target (below)"), fields.target_mismatch, Field::TargetMismatch, "%")}
                    {input("cfg-target-util".into(), tr(i18n, "利用率目标（高于）", "Utilisation target (above)"), fields.target_util, Field::TargetUtil, "%")}
                </div>
            </fieldset>
            {error_at(Field::Other)}
            <div class="actions">
                <button type="submit" class="primary" data-testid="config-save" disabled=move || state.get() == SaveState::Saving>{t!(i18n, save)}</button>
                <button type="button" data-testid="config-defaults" on:click=on_defaults>{move || tr(i18n, "恢复默认值", "Restore defaults")}</button>
                <span aria-live="polite">{move || match state.get() {
                    SaveState::Idle => ().into_any(),
                    SaveState::Invalid => view! { <span class="error" role="alert" data-testid="config-invalid">{t!(i18n, fix_errors)}</span> }.into_any(),
                    SaveState::Saving => view! { <span role="status">{t!(i18n, saving)}</span> }.into_any(),
                    SaveState::Saved => view! { <span class="ok" role="status" data-testid="config-saved">{move || tr(i18n, "已保存", "Saved")}</span> }.into_any(),
                    SaveState::Defaults => view! { <span role="status" data-testid="config-defaults-filled">{move || tr(i18n, "已填入默认值，保存后生效。", "Defaults filled in; save to apply them.")}</span> }.into_any(),
                    SaveState::Failed(e) => view! { <span class="error" role="alert">{t!(i18n, status_error)}<code>{e}</code></span> }.into_any(),
                }}</span>
            </div>
        </form>
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
