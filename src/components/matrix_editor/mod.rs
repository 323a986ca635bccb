//! The needs matrix editor: dimension weights in percent (two decimals, stored
//! as basis points) with their live sum, points per indicator rule, and the tier
//! thresholds. Saving validates with `NeedsMatrix::validate` and shows the
//! domain's error next to its field; a valid matrix is written as the
//! `needs_matrix` setting together with an audit-log entry in one transaction
//! (`Db::save_needs_matrix`). What the user typed is never thrown away by a refused save.

mod fields;

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::needs::{NeedsMatrix, WEIGHT_TOTAL_BP};

use self::fields::{change_summary, domain_error, shape, Field, FieldError, Fields, SaveState};
use crate::components::labels::is_zh;
use crate::components::WriteGuard;
use crate::i18n::*;
use crate::state::use_storage;

type Ctx = leptos_i18n::I18nContext<Locale>;

/// Basis points as a percentage with two decimals: `3500` → `35.00%`.
pub fn bp_percent(bp: u32) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// Parses a non-negative decimal with at most `decimals` decimals into an integer
/// of `10^-decimals` units: `parse_fixed("25.5", 2) == Some(2550)`. Spaces and a
/// trailing `%` are allowed; anything else gives `None`.
pub fn parse_fixed(text: &str, decimals: u32) -> Option<u32> {
    let t = text
        .trim()
        .trim_end_matches(['%', '\u{ff05}' /* full-width %, accepted on input */])
        .trim();
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    if (int.is_empty() && frac.is_empty())
        || frac.len() > decimals as usize
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || int.len() > 6
    {
        return None;
    }
    let int: u32 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut frac_v: u32 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    for _ in frac.len()..decimals as usize {
        frac_v *= 10;
    }
    int.checked_mul(10u32.pow(decimals))?.checked_add(frac_v)
}

/// The editor. `stored` is the matrix as stored (or the default); `None` while loading.
#[component]
pub fn MatrixEditor(#[prop(into)] stored: Signal<Option<NeedsMatrix>>) -> impl IntoView {
    let i18n = use_i18n();
    // "Restore defaults" with another structure than the stored matrix: edit the default.
    let override_base = RwSignal::new(None::<NeedsMatrix>);
    let base = Memo::new(move |_| override_base.get().or_else(|| stored.get()));
    let base_shape = Memo::new(move |_| base.with(|b| b.as_ref().map(shape)));
    let state = RwSignal::new(SaveState::Idle);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    move || {
        let _ = base_shape.get();
        let Some(initial) = base.get_untracked() else {
            return view! { <p class="muted" role="status">{t_string!(i18n, common.loading).to_string()}</p> }
                .into_any();
        };
        editor_form(i18n, initial, base, override_base, state, errors).into_any()
    }
}

fn editor_form(
    i18n: Ctx,
    initial: NeedsMatrix,
    base: Memo<Option<NeedsMatrix>>,
    override_base: RwSignal<Option<NeedsMatrix>>,
    state: RwSignal<SaveState>,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let session = crate::state::use_session();
    let storage = use_storage();
    let fields = Arc::new(Fields::new(&initial));
    // New values of the same structure (after a save, a restore, another tab) fill the form.
    let f_fill = fields.clone();
    let initial_shape = shape(&initial);
    Effect::new(move |prev: Option<()>| {
        let b = base.get();
        if let (Some(()), Some(b)) = (prev, b) {
            if shape(&b) == initial_shape {
                f_fill.fill(&b);
            }
        }
    });

    let f_sum = fields.clone();
    let sum = Memo::new(move |_| {
        f_sum
            .weights
            .iter()
            .map(|w| parse_fixed(&w.get(), 2))
            .try_fold(0u32, |acc, v| v.map(|v| acc + v))
    });
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
                            <p class="field-error" role="alert" data-testid="matrix-error">
                                {e.message.clone()}
                                {domain.map(|d| view! { <br/><small class="muted">{d}</small> })}
                            </p>
                        }
                    })
                    .collect_view()
            })
        }
    };
    let has_error = move |field: Field| move || errors.with(|es| es.iter().any(|e| e.field == field));

    let (high, medium) = (fields.high, fields.medium);
    let f_save = fields.clone();
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(old) = base.get_untracked() else {
            return;
        };
        let matrix = match f_save.build(i18n, &old) {
            Ok(m) => m,
            Err(es) => {
                focus_field(&old, &es[0].field);
                errors.set(es);
                state.set(SaveState::Invalid);
                return;
            }
        };
        if let Err(e) = matrix.validate() {
            let err = domain_error(i18n, &matrix, &e);
            focus_field(&old, &err.field);
            errors.set(vec![err]);
            state.set(SaveState::Invalid);
            return;
        }
        errors.set(Vec::new());
        state.set(SaveState::Saving);
        let actor = session.actor();
        let summary = change_summary(&old, &matrix);
        spawn_local(async move {
            let Some(db) = storage.db() else { return };
            let result = db.save_needs_matrix(&matrix, summary, actor).await;
            match result {
                Ok(()) => {
                    override_base.set(None);
                    state.set(SaveState::Saved);
                    storage.changed();
                }
                Err(e) => state.set(SaveState::Failed(crate::components::db_error::plain(i18n, &e))),
            }
        });
    };

    let f_def = fields.clone();
    let on_defaults = move |_| {
        let def = NeedsMatrix::default();
        let same = base.with_untracked(|b| b.as_ref().map(shape)) == Some(shape(&def));
        errors.set(Vec::new());
        if same {
            f_def.fill(&def);
        } else {
            override_base.set(Some(def));
        }
        state.set(SaveState::Defaults);
    };

    let status = move || {
        match state.get() {
            SaveState::Idle => ().into_any(),
            SaveState::Invalid => view! { <span class="error" role="alert">{t_string!(i18n, common.fix_errors).to_string()}</span> }.into_any(),
            SaveState::Saving => view! { <span role="status">{t_string!(i18n, common.saving).to_string()}</span> }.into_any(),
            SaveState::Saved => view! { <span class="ok" role="status" data-testid="matrix-saved">{t_string!(i18n, common.saved).to_string()}</span> }.into_any(),
            SaveState::Defaults => view! { <span role="status">{t_string!(i18n, common.needs_defaults_filled).to_string()}</span> }.into_any(),
            SaveState::Failed(e) => view! { <span class="error" role="alert">{e}</span> }.into_any(),
        }
    };
    let sum_text = move || match sum.get() {
        Some(s) => t_string!(i18n, common.needs_weight_sum, sum = bp_percent(s)).to_string(),
        None => t_string!(i18n, common.needs_weight_sum_unknown).to_string(),
    };

    // The labels are plain strings in this closure, which follows the language; the
    // values live in `fields`, outside it, so a language switch keeps them.
    let form = move || {
        let zh = is_zh(i18n);
        let points_each = t_string!(i18n, common.needs_points_per_unit).to_string();
        let dims = initial
            .dimensions
            .iter()
            .enumerate()
            .map(|(d, dim)| {
                let w = fields.weights[d];
                let name = if zh { dim.name_zh.clone() } else { dim.name_en.clone() };
                let wid = format!("w-{}", dim.code);
                let rules = dim
                    .rules
                    .iter()
                    .enumerate()
                    .map(|(r, rule)| {
                        let p = fields.points[d][r];
                        let label = if zh { rule.indicator.label_zh() } else { rule.indicator.label_en() };
                        let note = (!rule.note.is_empty()).then(|| rule.note.clone());
                        let max = (rule.max_count > 1)
                            .then(|| t_string!(i18n, common.needs_max_count, max = rule.max_count).to_string());
                        let pid = format!("p-{}-{r}", dim.code);
                        let aria = format!("{label} {points_each}");
                        view! {
                            <li class="rule">
                                <label for=pid.clone()>
                                    <span>{label}</span>
                                    {note.map(|n| view! { <small class="muted">{n}</small> })}
                                    {max.map(|m| view! { <small class="muted">{m}</small> })}
                                </label>
                                <input id=pid type="text" inputmode="numeric" class="points" data-testid="rule-points"
                                    aria-invalid=move || has_error(Field::Points(d, r))().to_string()
                                    aria-label=aria
                                    prop:value=move || p.get()
                                    on:input=move |ev| { p.set(event_target_value(&ev)); touched(); }/>
                                {error_at(Field::Points(d, r))}
                            </li>
                        }
                    })
                    .collect_view();
                let weight_label = t_string!(i18n, common.needs_weight_label, name = name.clone()).to_string();
                view! {
                    <fieldset class="dimension" data-dimension=dim.code.clone()>
                        <legend>{name}</legend>
                        <div class="field">
                            <label for=wid.clone()>{weight_label}</label>
                            <input id=wid type="text" inputmode="decimal" data-testid=format!("weight-{}", dim.code)
                                aria-invalid=move || has_error(Field::Weight(d))().to_string()
                                aria-describedby="weight-sum"
                                prop:value=move || w.get()
                                on:input=move |ev| { w.set(event_target_value(&ev)); touched(); }/>
                            {error_at(Field::Weight(d))}
                        </div>
                        <p class="muted small">{t_string!(i18n, common.needs_rules_help).to_string()}</p>
                        <ul class="rules">{rules}</ul>
                    </fieldset>
                }
            })
            .collect_view();
        view! {
            <form class="matrix" on:submit=on_save.clone() novalidate data-testid="matrix-editor">
                <div class="weight-sum" id="weight-sum" aria-live="polite" data-testid="weight-sum"
                    class:bad=move || sum.get() != Some(WEIGHT_TOTAL_BP)>{sum_text}</div>
                {error_at(Field::Sum)}
                {dims}
                <fieldset class="tiers">
                    <legend>{t_string!(i18n, common.needs_tiers_title).to_string()}</legend>
                    <div class="field">
                        <label for="tier-high">{t_string!(i18n, common.needs_tier_high_min).to_string()}</label>
                        <input id="tier-high" type="text" inputmode="decimal" data-testid="tier-high"
                            aria-invalid=move || has_error(Field::High)().to_string()
                            prop:value=move || high.get()
                            on:input=move |ev| { high.set(event_target_value(&ev)); touched(); }/>
                        {error_at(Field::High)}
                    </div>
                    <div class="field">
                        <label for="tier-medium">{t_string!(i18n, common.needs_tier_medium_min).to_string()}</label>
                        <input id="tier-medium" type="text" inputmode="decimal" data-testid="tier-medium"
                            aria-invalid=move || has_error(Field::Medium)().to_string()
                            prop:value=move || medium.get()
                            on:input=move |ev| { medium.set(event_target_value(&ev)); touched(); }/>
                        {error_at(Field::Medium)}
                    </div>
                    {error_at(Field::Tiers)}
                </fieldset>
                {error_at(Field::Other)}
                <div class="actions">
                    <button type="submit" class="primary" data-testid="matrix-save"
                        disabled=move || state.get() == SaveState::Saving>{t_string!(i18n, common.save).to_string()}</button>
                    <button type="button" data-testid="matrix-defaults" on:click=on_defaults.clone()>
                        {t_string!(i18n, common.needs_restore_defaults).to_string()}
                    </button>
                    <span aria-live="polite">{status}</span>
                </div>
            </form>
        }
    };
    view! { <WriteGuard>{form}</WriteGuard> }
}

/// Moves the focus to the field of an error (the first weight for the weights' sum).
fn focus_field(m: &NeedsMatrix, field: &Field) {
    let code = |d: usize| m.dimensions.get(d).map(|x| x.code.clone()).unwrap_or_default();
    let id = match field {
        Field::Weight(d) => format!("w-{}", code(*d)),
        Field::Sum => format!("w-{}", code(0)),
        Field::Points(d, r) => format!("p-{}-{r}", code(*d)),
        Field::High => "tier-high".to_owned(),
        Field::Medium | Field::Tiers => "tier-medium".to_owned(),
        Field::Other => return,
    };
    if let Some(el) = document().get_element_by_id(&id) {
        use wasm_bindgen::JsCast;
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}
