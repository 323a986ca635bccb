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
use linli_domain::alloc::export::{class_name, funder_name};
use linli_domain::alloc::AllocConfig;
use linli_domain::model::{NeedCategory, NeedClass};

use super::config_errors::{change_summary, domain_error};
use super::config_fields::{CatField, Field, FieldError, Fields, BP, RULES};
use super::format::{lang, pct, Ctx};
use super::{open_db, written, Current};
use crate::components::labels::is_zh;
use crate::components::matrix_editor::parse_fixed;
use crate::components::WriteGuard;
use crate::i18n::*;
use crate::state::use_storage;

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
pub fn ConfigEditor(current: Current) -> impl IntoView {
    let i18n = use_i18n();
    let override_base = RwSignal::new(None::<AllocConfig>);
    let stored = Memo::new(move |_| {
        current.get().map(|d| Base {
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
            <h2 id="alloc-config-h">{t!(i18n, allocation.allocation_configuration)}</h2>
            {move || {
                let _ = generation.get();
                // Labels are plain text in the current language: rebuild on a switch.
                let _ = i18n.get_locale();
                match base.get() {
                    None => view! { <p class="muted" role="status">{t!(i18n, common.loading)}</p> }.into_any(),
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
    let session = crate::state::use_session();
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
    let zh = is_zh(i18n);
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
                    Some(s) => format!("{}{}", t_string!(i18n, allocation.sum_prefix), pct(s)),
                    None => t_string!(i18n, allocation.sum_some_values_cannot_be_read).to_string(),
                }}
            </div>
        }
    };

    let demand_names = [
        t_string!(i18n, allocation.demand_need_score),
        t_string!(i18n, allocation.demand_waiting),
        t_string!(i18n, allocation.demand_requests),
        t_string!(i18n, allocation.demand_population),
    ];
    let demand_inputs = demand_names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            input(
                format!("cfg-demand-{i}"),
                (*name).to_owned(),
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
                    {cell(cf.unit, CatField::Unit, format!("{name} {}", t_string!(i18n, allocation.unit_weight_aria)), format!("cfg-unit-{code}"))}
                    {cell(cf.floor, CatField::Floor, format!("{name} {}", t_string!(i18n, allocation.floor_aria)), format!("cfg-floor-{code}"))}
                    {cell(cf.cap, CatField::Cap, format!("{name} {}", t_string!(i18n, allocation.cap_aria)), format!("cfg-cap-{code}"))}
                    {cell(cf.min_yuan, CatField::MinFen, format!("{name} {}", t_string!(i18n, allocation.money_floor_aria)), format!("cfg-min-{code}"))}
                    {cell(cf.reach, CatField::Reach, format!("{name} {}", t_string!(i18n, allocation.reach_aria)), format!("cfg-reach-{code}"))}
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
                _ => t_string!(i18n, allocation.emergency_reserve).to_string(),
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
        let actor = session.actor();
        let summary = change_summary(&old, &config);
        spawn_local(async move {
            let result = match open_db(storage) {
                Ok(db) => written(storage, db.save_alloc_config(&config, summary, actor).await),
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {
                    override_base.set(None);
                    state.set(SaveState::Saved);
                }
                Err(e) => state.set(SaveState::Failed(crate::components::db_error::plain(i18n, &e))),
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
        <WriteGuard><form class="alloc-config" on:submit=on_save novalidate data-testid="alloc-config">
            {(!b.stored).then(|| view! { <p class="muted small">{t!(i18n, allocation.no_configuration_saved_yet_the)}</p> })}
            <fieldset>
                <legend>{t!(i18n, allocation.pool_split)}</legend>
                <p class="muted small">{t!(i18n, allocation.the_reserve_is_set_aside_from)}</p>
                <div class="row-fields">
                    {input("cfg-reserve".into(), t_string!(i18n, allocation.emergency_reserve).to_string(), fields.reserve, Field::Reserve, "%")}
                    {input("cfg-base".into(), t_string!(i18n, allocation.base_pool_fixed_rules).to_string(), fields.base, Field::Base, "%")}
                    {input("cfg-flexible".into(), t_string!(i18n, allocation.flexible_pool_quarterly_demand).to_string(), fields.flexible, Field::Flexible, "%")}
                </div>
                {sum_view(split_sum, "cfg-split-sum")}
                {error_at(Field::Split)}
                <div class="row-fields">
                    {input("cfg-max-change".into(), t_string!(i18n, allocation.change_limit_per_quarter).to_string(), fields.max_change, Field::MaxChange, "%")}
                </div>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, allocation.flexible_pool_demand_weights)}</legend>
                <div class="row-fields">{demand_inputs}</div>
                {sum_view(demand_sum, "cfg-demand-sum")}
                {error_at(Field::DemandSum)}
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, allocation.category_rules)}</legend>
                <p class="muted small">{t!(i18n, allocation.the_base_pool_follows_eligible)}</p>
                <div class="table-scroll">
                    <table class="agg cfg-cats" data-testid="cfg-cats">
                        <thead><tr>
                            <th scope="col">{t!(i18n, allocation.category_who_is_eligible)}</th>
                            <th scope="col">{t!(i18n, allocation.unit_weight)}</th>
                            <th scope="col">{t!(i18n, allocation.floor_head)}</th>
                            <th scope="col">{t!(i18n, allocation.cap_head)}</th>
                            <th scope="col">{t!(i18n, allocation.money_floor_head)}</th>
                            <th scope="col">{t!(i18n, allocation.reach_head)}</th>
                        </tr></thead>
                        <tbody>{cat_rows}</tbody>
                    </table>
                </div>
                {error_at(Field::Floors)}
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, allocation.cost_sharing_by_need_class)}</legend>
                <p class="muted small">{t!(i18n, allocation.each_row_must_add_up_to_100)}</p>
                <div class="table-scroll">
                    <table class="agg cfg-cost" data-testid="cfg-cost">
                        <thead><tr><th scope="col">{t!(i18n, allocation.cost_class)}</th>{funder_heads}</tr></thead>
                        <tbody>{cost_rows}</tbody>
                    </table>
                </div>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, allocation.fairness_warning_and_targets)}</legend>
                <div class="row-fields">
                    {input("cfg-capture-ratio".into(), t_string!(i18n, allocation.elite_capture_warning_resources).to_string(), fields.capture_ratio, Field::CaptureRatio, "×")}
                    {input("cfg-capture-share".into(), t_string!(i18n, allocation.and_a_share_of_resources_of_at).to_string(), fields.capture_share, Field::CaptureShare, "%")}
                    {input("cfg-target-mismatch".into(), t_string!(i18n, allocation.mismatch_target_below).to_string(), fields.target_mismatch, Field::TargetMismatch, "%")}
                    {input("cfg-target-util".into(), t_string!(i18n, allocation.utilisation_target_above).to_string(), fields.target_util, Field::TargetUtil, "%")}
                </div>
            </fieldset>
            {error_at(Field::Other)}
            <div class="actions">
                <button type="submit" class="primary" data-testid="config-save" disabled=move || state.get() == SaveState::Saving>{t!(i18n, common.save)}</button>
                <button type="button" data-testid="config-defaults" on:click=on_defaults>{t!(i18n, allocation.restore_defaults)}</button>
                <span aria-live="polite">{move || match state.get() {
                    SaveState::Idle => ().into_any(),
                    SaveState::Invalid => view! { <span class="error" role="alert" data-testid="config-invalid">{t!(i18n, common.fix_errors)}</span> }.into_any(),
                    SaveState::Saving => view! { <span role="status">{t!(i18n, common.saving)}</span> }.into_any(),
                    SaveState::Saved => view! { <span class="ok" role="status" data-testid="config-saved">{t!(i18n, allocation.config_saved)}</span> }.into_any(),
                    SaveState::Defaults => view! { <span role="status" data-testid="config-defaults-filled">{t!(i18n, allocation.defaults_filled_in_save_to_apply)}</span> }.into_any(),
                    SaveState::Failed(e) => view! { <span class="error" role="alert">{e}</span> }.into_any(),
                }}</span>
            </div>
        </form></WriteGuard>
    }
}
