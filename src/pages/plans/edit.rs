//! Changing a plan's public content (in draft, or during its notice, which then
//! starts again) and its internal part (any stage; never published).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use linli_domain::alloc::CostRules;
use linli_domain::model::NeedCategory;
use linli_domain::plans::{Command, Internal, PlanContent, Stage};

use super::form::{
    budget_fields, date_field, date_of, rule_of, rule_text, text_field, today_text, BudgetInput, Form,
    PlanCtx,
};
use crate::components::labels;
use crate::components::WriteGuard;
use crate::i18n::*;

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
];

#[component]
pub(super) fn EditContentForm(
    ctx: PlanCtx,
    cats: Memo<Vec<NeedCategory>>,
    cost_rules: Memo<Option<Result<CostRules, String>>>,
) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(KEYS);
    let on = RwSignal::new(today_text());
    let title = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let period = RwSignal::new(String::new());
    let budget = BudgetInput::new();
    let description = RwSignal::new(String::new());
    // The stored content, again after every change.
    Effect::new(move |_| {
        ctx.plan.with(|p| {
            if let Some(p) = p {
                let c = p.content();
                title.set(c.title.clone());
                category.set(c.category.clone());
                period.set(c.period.clone());
                budget.set(&c.budget);
                description.set(c.description.clone());
            }
        });
    });
    let rule = Memo::new(move |_| {
        let code = category.get();
        cats.with(|cats| match cost_rules.get() {
            Some(Ok(r)) => rule_of(&r, cats, &code).map(<[_]>::to_vec),
            _ => None,
        })
    });
    let resplit = move || {
        if let Some(r) = rule.get_untracked() {
            let _ = budget.split_by(i18n, &r);
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let date = date_of(i18n, &form, "on", &on.get_untracked());
        let b = budget.parse(i18n, &form, true);
        let (Some(on), Some(budget)) = (date, b) else {
            form.refuse_fields(i18n);
            return;
        };
        let content = PlanContent {
            title: title.get_untracked(),
            category: category.get_untracked(),
            period: period.get_untracked(),
            budget,
            description: description.get_untracked(),
        };
        ctx.run(form, Command::Edit { on, content }, || ());
    };
    view! {
        <details class="plan-form" data-testid="plan-edit">
            <summary>{t!(i18n, plans.edit_heading)}</summary>
            {move || (ctx.stage() == Some(Stage::Notice)).then(|| view! {
                <p class="warning">{t!(i18n, plans.edit_restarts_notice)}</p>
            })}
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate>
                {date_field(i18n, form, "plan-edit-on", on)}
                {text_field(form, t!(i18n, plans.f_title_label), "plan-edit-title", "title", title, true)}
                <label>{t!(i18n, plans.f_category_label)}
                    <select id="plan-edit-category" on:change=move |ev| { category.set(event_target_value(&ev)); resplit(); }>
                        {move || cats.with(|cs| cs.iter().map(|c| {
                            let code = c.code.clone();
                            view! { <option value=c.code.clone() selected=move || category.get() == code>{labels::category(i18n, cs, &c.code)}</option> }
                        }).collect_view())}
                    </select>
                    {form.err("category")}</label>
                {text_field(form, t!(i18n, plans.f_period_label), "plan-edit-period", "period", period, false)}
                {budget_fields(i18n, form, budget, "plan-edit", true, resplit)}
                <p class="muted wide">{move || rule.get().map(|r| t_string!(i18n, plans.rule_prefill, rule = rule_text(i18n, &r)))}</p>
                <label class="wide">{t!(i18n, plans.f_description_label)}
                    <textarea id="plan-edit-description" rows="3" prop:value=description on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                    {form.err("description")}</label>
                <button type="submit" class="primary" data-testid="plan-edit-submit">{t!(i18n, plans.save_changes)}</button>
            </form></WriteGuard>
            {form.view("plan-edit-msg")}
        </details>
    }
}

#[component]
pub(super) fn EditInternalForm(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    let form = Form::new(&["guide", "notes"]);
    let guide = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    Effect::new(move |_| {
        ctx.plan.with(|p| {
            if let Some(p) = p {
                guide.set(p.internal().guide.clone());
                notes.set(p.internal().notes.clone());
            }
        });
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        form.clear();
        let internal = Internal {
            guide: guide.get_untracked(),
            notes: notes.get_untracked(),
        };
        ctx.run(form, Command::EditInternal { internal }, || ());
    };
    view! {
        <details class="plan-form" data-testid="plan-internal">
            <summary>{t!(i18n, plans.internal_heading)}</summary>
            <p class="muted">{t!(i18n, plans.internal_note)}</p>
            <WriteGuard><form class="req-form" on:submit=on_submit novalidate>
                {text_field(form, t!(i18n, plans.f_guide_label), "plan-internal-guide", "guide", guide, false)}
                <label class="wide">{t!(i18n, plans.f_notes_label)}
                    <textarea id="plan-internal-notes" rows="2" prop:value=notes on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
                    {form.err("notes")}</label>
                <button type="submit" data-testid="plan-internal-submit">{t!(i18n, plans.save_internal)}</button>
            </form></WriteGuard>
            {form.view("plan-internal-msg")}
        </details>
    }
}
