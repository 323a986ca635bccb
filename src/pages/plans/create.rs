//! A new plan: by hand, or from a category of the period's adopted allocation
//! run (title, category, period and budget prefilled from the run's cost
//! sharing, exact to the fen). The budget's split follows the cost-sharing rule
//! of the category's need class and stays editable; the parts must add up to
//! the total. The responsible guide and the notes are internal (never
//! published).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::alloc::CategoryCost;
use linli_domain::date::quarter_label;
use linli_domain::model::Fen;
use linli_domain::order::SortDyn;
use linli_domain::plans::{Budget, Funder, Internal, PlanContent};

use super::errors::{fields_of, plan_error};
use super::form::{
    budget_fields, date_field, date_of, rule_of, rule_text, text_field, today_text, BudgetInput, Form,
};
use super::{today, Ctx};
use crate::components::form_message::{db_fail, say, Msg};
use crate::components::labels;
use crate::components::loaded::Shared;
use crate::components::WriteGuard;
use crate::db::plans::{self as store, PlansData};
use crate::i18n::*;
use crate::state::{use_storage, Route};

const KEYS: &[&str] = &[
    "on",
    "title",
    "category",
    "period",
    "budget",
    "budget_government",
    "budget_market",
    "budget_society",
    "budget_residents",
    "description",
    "guide",
    "notes",
];

/// The budget of a category of a run's cost sharing (`Err(funder)` for a funder
/// code plans do not have).
fn budget_of(c: &CategoryCost) -> Result<Budget, String> {
    let mut parts: Vec<(Funder, Fen)> = Vec::new();
    for f in &c.funders {
        let funder = Funder::from_code(&f.funder).ok_or_else(|| f.funder.clone())?;
        match parts.iter_mut().find(|(x, _)| *x == funder) {
            Some((_, p)) => *p += f.amount_fen,
            None => parts.push((funder, f.amount_fen)),
        }
    }
    Budget::from_split(c.total_fen, &parts).map_err(|e| e.to_string())
}

/// "<field> is required", next to the field, when `text` is blank.
fn required(i18n: Ctx, form: &Form, key: &'static str, label: String, text: &str) {
    if text.trim().is_empty() {
        form.field(key, t_string!(i18n, plans.err_empty, field = label));
    }
}

#[component]
pub(super) fn CreateView(current: Memo<Option<Shared<PlansData>>>) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let from_run = RwSignal::new(false);
    let run_period = RwSignal::new(quarter_label(today().days()));
    let run_cat = RwSignal::new(String::new());
    let run_msg = RwSignal::new(None::<String>);
    let on = RwSignal::new(today_text());
    let title = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let period = RwSignal::new(quarter_label(today().days()));
    let budget = BudgetInput::new();
    let description = RwSignal::new(String::new());
    let guide = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let form = Form::new(KEYS);
    let created: Msg = RwSignal::new(None);
    let created_id = RwSignal::new(None::<u32>);

    let data = move || current.get();
    let cat_value = move || {
        let c = category.get();
        if c.is_empty() {
            current
                .with(|d| {
                    d.as_ref()
                        .and_then(|Shared(d)| d.categories.first().map(|c| c.code.clone()))
                })
                .unwrap_or_default()
        } else {
            c
        }
    };
    // The rule of the chosen category, if the allocation configuration reads.
    let rule = Memo::new(move |_| {
        let code = cat_value();
        current.with(|d| {
            d.as_ref().map(|Shared(d)| match &d.cost_rules {
                Ok(r) => Ok(rule_of(r, &d.categories, &code).map(<[_]>::to_vec)),
                Err(e) => Err(e.clone()),
            })
        })
    });
    // Splits the typed total by the rule (silently while the total does not parse).
    let resplit = move || {
        if let Some(Ok(Some(r))) = rule.get_untracked() {
            let _ = budget.split_by(i18n, &r);
        }
    };
    let adopted_for = move |p: &str| {
        current.with(|d| {
            d.as_ref()
                .and_then(|Shared(d)| d.adopted.iter().find(|a| a.period == p).cloned())
        })
    };
    let run_periods = Memo::new(move |_| {
        let mut v: Vec<String> = current.with(|d| {
            d.as_ref().map_or_else(Vec::new, |Shared(d)| {
                d.periods
                    .iter()
                    .cloned()
                    .chain(d.adopted.iter().map(|a| a.period.clone()))
                    .collect()
            })
        });
        v.push(quarter_label(today().days()));
        v.sort_dyn();
        v.dedup();
        v
    });
    // Prefills the form from a category of the period's adopted run.
    let prefill = move |code: String| {
        run_cat.set(code.clone());
        run_msg.set(None);
        let p = run_period.get_untracked();
        let Some(a) = adopted_for(&p) else { return };
        let Ok(cats) = &a.categories else { return };
        let Some(c) = cats.iter().find(|c| c.code == code) else {
            return;
        };
        match budget_of(c) {
            Ok(b) => {
                let name = current.with_untracked(|d| {
                    d.as_ref()
                        .map(|Shared(d)| labels::category(i18n, &d.categories, &code))
                        .unwrap_or_default()
                });
                title.set(t_string!(
                    i18n,
                    plans.title_from_run,
                    category = name,
                    period = p.clone()
                ));
                category.set(code);
                period.set(p);
                budget.set(&b);
                run_msg.set(Some(t_string!(i18n, plans.prefilled_from_run, run = a.run_id)));
            }
            Err(f) => run_msg.set(Some(t_string!(i18n, plans.err_unknown_funder, funder = f))),
        }
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let date = date_of(i18n, &form, "on", &on.get_untracked());
        let t = title.get_untracked();
        let cat = cat_value();
        let per = period.get_untracked();
        let desc = description.get_untracked();
        required(
            i18n,
            &form,
            "title",
            t_string!(i18n, plans.f_title).to_owned(),
            &t,
        );
        required(
            i18n,
            &form,
            "category",
            t_string!(i18n, plans.f_category).to_owned(),
            &cat,
        );
        required(
            i18n,
            &form,
            "period",
            t_string!(i18n, plans.f_period).to_owned(),
            &per,
        );
        required(
            i18n,
            &form,
            "description",
            t_string!(i18n, plans.f_description).to_owned(),
            &desc,
        );
        let b = budget.parse(i18n, &form, true);
        let (Some(date), Some(b)) = (date, b) else {
            form.refuse_fields(i18n);
            return;
        };
        if form.has_errors() {
            form.refuse_fields(i18n);
            return;
        }
        let content = PlanContent {
            title: t,
            category: cat,
            period: per,
            budget: b,
            description: desc,
        };
        let internal = Internal {
            guide: guide.get_untracked(),
            notes: notes.get_untracked(),
        };
        let Some(db) = storage.db() else { return };
        let by = super::stamp(session);
        spawn_local(async move {
            match store::create(&db, by, date, content, internal).await {
                Ok(Ok(plan)) => {
                    created_id.set(Some(plan.id()));
                    say(
                        created,
                        Ok(t_string!(
                            i18n,
                            plans.created,
                            id = plan.id(),
                            title = plan.content().title.clone()
                        )),
                    );
                    title.set(String::new());
                    description.set(String::new());
                    guide.set(String::new());
                    notes.set(String::new());
                    budget.set(&Budget::default());
                    budget.total.set(String::new());
                    storage.changed();
                }
                Ok(Err(e)) => {
                    let fields = fields_of(&e);
                    form.refuse(i18n, plan_error(i18n, &e), &fields);
                }
                Err(e) => form.fail(db_fail(i18n, &e)),
            }
        });
    };

    view! {
        <section class="card" aria-labelledby="plan-new-h" data-testid="plan-new">
            <h2 id="plan-new-h">{t!(i18n, plans.new_heading)}</h2>
            <fieldset class="plan-source">
                <legend>{t!(i18n, plans.source)}</legend>
                <label class="tick"><input type="radio" name="plan-source" id="plan-source-hand" prop:checked=move || !from_run.get() on:change=move |_| from_run.set(false)/>{t!(i18n, plans.source_hand)}</label>
                <label class="tick"><input type="radio" name="plan-source" id="plan-source-run" prop:checked=move || from_run.get() on:change=move |_| from_run.set(true)/>{t!(i18n, plans.source_run)}</label>
            </fieldset>
            {move || from_run.get().then(|| view! {
                <div class="req-form" data-testid="plan-from-run">
                    <label>{t!(i18n, plans.run_period)}
                        <select id="plan-run-period" on:change=move |ev| { run_period.set(event_target_value(&ev)); run_cat.set(String::new()); run_msg.set(None); }>
                            {move || run_periods.get().into_iter().map(|p| {
                                let sel = run_period.get_untracked() == p;
                                view! { <option value=p.clone() selected=sel>{p.clone()}</option> }
                            }).collect_view()}
                        </select></label>
                    {move || {
                        let p = run_period.get();
                        let no_store = current.with(|d| d.as_ref().is_some_and(|Shared(d)| !d.decisions_store));
                        match adopted_for(&p) {
                            None => view! {
                                <p class="warning" role="status" data-testid="plan-no-run">
                                    {t_string!(i18n, plans.no_adopted_run, period = p)}
                                    {no_store.then(|| view! { " "{t!(i18n, plans.no_decisions_store)} })}
                                </p>
                            }.into_any(),
                            Some(a) => match a.categories.clone() {
                                Err(e) => view! { <p class="error" role="alert">{t!(i18n, plans.run_unreadable)}<code>{e}</code></p> }.into_any(),
                                Ok(cats) => view! {
                                    <label>{t_string!(i18n, plans.run_category, run = a.run_id)}
                                        <select id="plan-run-category" on:change=move |ev| prefill(event_target_value(&ev))>
                                            <option value="">{t!(i18n, plans.choose)}</option>
                                            {cats.into_iter().filter(|c| c.total_fen > 0).map(|c| {
                                                let name = current.with_untracked(|d| d.as_ref().map(|Shared(d)| labels::category(i18n, &d.categories, &c.code)).unwrap_or_default());
                                                let sel = run_cat.get_untracked() == c.code;
                                                view! { <option value=c.code.clone() selected=sel>{format!("{name} · {}", linli_domain::money::format_yuan(c.total_fen))}</option> }
                                            }).collect_view()}
                                        </select></label>
                                }.into_any(),
                            },
                        }
                    }}
                    {move || run_msg.get().map(|m| view! { <p class="muted" role="status" data-testid="plan-run-msg">{m}</p> })}
                </div>
            })}
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate data-testid="plan-new-form">
                {date_field(i18n, form, "plan-new-on", on)}
                {text_field(form, t!(i18n, plans.f_title_label), "plan-new-title", "title", title, true)}
                <label>{t!(i18n, plans.f_category_label)}
                    <select id="plan-new-category" on:change=move |ev| { category.set(event_target_value(&ev)); resplit(); }>
                        {move || data().map(|Shared(d)| d.categories.iter().map(|c| {
                            let code = c.code.clone();
                            view! { <option value=c.code.clone() selected=move || cat_value() == code>{labels::category(i18n, &d.categories, &c.code)}</option> }
                        }).collect_view())}
                    </select>
                    {form.err("category")}</label>
                <label>{t!(i18n, plans.f_period_label)}
                    <input id="plan-new-period" type="text" list="plan-periods" prop:value=period on:input=move |ev| period.set(event_target_value(&ev))/>
                    <datalist id="plan-periods">{move || run_periods.get().into_iter().map(|p| view! { <option value=p></option> }).collect_view()}</datalist>
                    {form.err("period")}</label>
                {budget_fields(i18n, form, budget, "plan-new", true, resplit)}
                <p class="muted wide" data-testid="plan-new-rule">{move || match rule.get() {
                    Some(Ok(Some(r))) => t_string!(i18n, plans.rule_prefill, rule = rule_text(i18n, &r)),
                    Some(Err(e)) => t_string!(i18n, plans.rule_unreadable, reason = e),
                    _ => String::new(),
                }}</p>
                <label class="wide">{t!(i18n, plans.f_description_label)}
                    <textarea id="plan-new-description" rows="3" prop:value=description on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                    {form.err("description")}</label>
                <fieldset class="wide internal">
                    <legend>{t!(i18n, plans.internal_legend)}</legend>
                    <p class="muted">{t!(i18n, plans.internal_note)}</p>
                    {text_field(form, t!(i18n, plans.f_guide_label), "plan-new-guide", "guide", guide, false)}
                    <label class="wide">{t!(i18n, plans.f_notes_label)}
                        <textarea id="plan-new-notes" rows="2" prop:value=notes on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
                        {form.err("notes")}</label>
                </fieldset>
                <button type="submit" class="primary" data-testid="plan-new-submit">{t!(i18n, plans.create)}</button>
            </form></WriteGuard>
            {form.view("plan-new-msg")}
            {move || created.get().map(|(seq, r)| match r {
                Ok(text) => view! {
                    <p class="ok" role="status" data-testid="plan-created" data-seq=seq.to_string()>
                        {text}" "
                        {created_id.get().map(|id| view! { <a href=Route::Plan(id).href() data-testid="plan-created-link">{t!(i18n, plans.open_plan)}</a> })}
                    </p>
                }.into_any(),
                Err(text) => view! { <p class="error" role="alert">{text}</p> }.into_any(),
            })}
        </section>
    }
}
