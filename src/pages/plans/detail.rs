//! One plan: its facts, the actions of its current stage (each a form), and
//! every record of its life cycle.

use leptos::prelude::*;
use linli_domain::decisions::PlanOrigin;
use linli_domain::money::format_yuan;
use linli_domain::plans::{Funder, PlanCase, Stage};

use super::accounts::{AccountsView, CloseAccountsForm, EvaluateForm, EvaluationView};
use super::approvals::{ApprovalsView, CouncilForm, Review, ReviewForm};
use super::edit::{EditContentForm, EditInternalForm};
use super::form::PlanCtx;
use super::funder_name;
use super::history::HistoryView;
use super::list::countdown;
use super::notice::{CloseNoticeForm, ExtendNoticeForm, NoticesView, StartNoticeForm};
use super::objections::{ObjectionsView, RecordObjectionForm};
use super::spending::{
    BudgetChangeForm, BudgetView, ChangesView, MilestoneForm, MilestonesView, SpendForm, SpendingView,
    WithdrawForm,
};
use super::{stage_name, today};
use crate::components::form_message::msg_view;
use crate::components::labels;
use crate::components::loaded::Shared;
use crate::db::plans::PlanData;
use crate::i18n::*;
use crate::state::use_storage;

#[component]
pub(super) fn DetailView(id: u32, current: Memo<Option<Shared<PlanData>>>) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let plan = Memo::new(move |_| current.with(|d| d.as_ref().and_then(|Shared(d)| d.plan.clone())));
    let cats = Memo::new(move |_| {
        current.with(|d| {
            d.as_ref()
                .map(|Shared(d)| d.categories.clone())
                .unwrap_or_default()
        })
    });
    let rules = Memo::new(move |_| current.with(|d| d.as_ref().map(|Shared(d)| d.rules.clone())));
    let cost_rules = Memo::new(move |_| current.with(|d| d.as_ref().map(|Shared(d)| d.cost_rules.clone())));
    let origins = Memo::new(move |_| {
        current.with(|d| d.as_ref().map(|Shared(d)| d.origins.clone()).unwrap_or_default())
    });
    let ctx = PlanCtx {
        i18n,
        id,
        plan,
        done: RwSignal::new(None),
        done_seq: RwSignal::new(0),
        storage,
        session: crate::state::use_session(),
    };
    let exists = move || plan.with(Option::is_some);
    let stage_is = move |stages: &'static [Stage]| move || ctx.stage().is_some_and(|s| stages.contains(&s));
    let with_plan =
        move |f: fn(&PlanCase) -> String| move || plan.with(|p| p.as_ref().map(f).unwrap_or_default());

    view! {
        <Show when=exists fallback=move || view! {
            <h1>{t!(i18n, plans.not_found_title)}</h1>
            <p class="empty" data-testid="plan-missing">{t_string!(i18n, plans.err_not_found, id = id)}</p>
        }>
            <h1 data-testid="plan-title">{move || plan.with(|p| p.as_ref().map(|p| t_string!(i18n, plans.plan_heading, id = p.id(), title = p.content().title.clone())).unwrap_or_default())}</h1>
            <section class="card plan-facts" aria-label=move || t_string!(i18n, plans.facts_heading).to_string()>
                <dl class="req-facts">
                    <dt>{t!(i18n, plans.col_stage)}</dt>
                    <dd><strong data-testid="plan-stage" data-stage=move || plan.with(|p| p.as_ref().map(|p| p.stage().code()).unwrap_or_default())>{move || ctx.stage().map(|s| stage_name(i18n, s)).unwrap_or_default()}</strong>
                        " · "{t!(i18n, plans.since)}" "{with_plan(|p| p.stage_since().to_string())}</dd>
                    <dt>{t!(i18n, plans.col_category)}</dt>
                    <dd>{move || plan.with(|p| p.as_ref().map(|p| labels::category(i18n, &cats.get(), &p.content().category)).unwrap_or_default())}</dd>
                    <dt>{t!(i18n, plans.col_period)}</dt><dd>{with_plan(|p| p.content().period.clone())}</dd>
                    <dt>{t!(i18n, plans.col_budget)}</dt>
                    <dd data-testid="plan-budget">{move || plan.with(|p| p.as_ref().map(|p| {
                        let b = &p.content().budget;
                        let parts = Funder::ALL.into_iter().filter(|f| b.get(*f) > 0)
                            .map(|f| format!("{} {}", funder_name(i18n, f), format_yuan(b.get(f))))
                            .collect::<Vec<_>>().join(" · ");
                        t_string!(i18n, plans.budget_split, total = format_yuan(b.total()), parts = parts)
                    }).unwrap_or_default())}</dd>
                    <dt>{t!(i18n, plans.col_notice)}</dt>
                    <dd data-testid="plan-countdown">{move || plan.with(|p| p.as_ref().and_then(|p| p.open_notice().map(|n| countdown(i18n, n, today()))).unwrap_or_else(|| "—".to_owned()))}</dd>
                    <dt>{t!(i18n, plans.origin)}</dt>
                    <dd data-testid="plan-origin">{move || {
                        let list = origins.get();
                        if list.is_empty() {
                            return view! { <span class="muted">{t!(i18n, plans.origin_none)}</span> }.into_any();
                        }
                        view! { <ul class="plain">{list.into_iter().map(|o| {
                            let text = match o {
                                PlanOrigin::Proposal { decision, period, on, proposal_id, title } => t_string!(
                                    i18n, plans.origin_proposal, period = period, proposal = proposal_id,
                                    title = title, id = decision, on = on.to_string()
                                ).to_string(),
                                PlanOrigin::Reserve { decision, period, on, amount_fen } => t_string!(
                                    i18n, plans.origin_reserve, period = period, amount = format_yuan(amount_fen),
                                    id = decision, on = on.to_string()
                                ).to_string(),
                            };
                            view! { <li>{text}</li> }
                        }).collect_view()}</ul> }.into_any()
                    }}</dd>
                    <dt>{t!(i18n, plans.progress)}</dt><dd>{with_plan(|p| format!("{}%", p.progress()))}</dd>
                    <dt>{t!(i18n, plans.f_description_label)}</dt><dd class="text">{with_plan(|p| p.content().description.clone())}</dd>
                    <dt>{t!(i18n, plans.f_guide_label)}<span class="badge warn">{t!(i18n, plans.internal_badge)}</span></dt>
                    <dd>{with_plan(|p| p.internal().guide.clone())}</dd>
                    <dt>{t!(i18n, plans.f_notes_label)}<span class="badge warn">{t!(i18n, plans.internal_badge)}</span></dt>
                    <dd class="text">{with_plan(|p| p.internal().notes.clone())}</dd>
                </dl>
                {move || match rules.get() {
                    Some(Err(e)) => Some(view! { <p class="error" role="alert">{t_string!(i18n, plans.err_rules_setting, reason = e)}</p> }),
                    _ => None,
                }}
            </section>
            <section class="card plan-actions" aria-labelledby="plan-actions-h" data-testid="plan-actions">
                <h2 id="plan-actions-h">{t!(i18n, plans.actions_heading)}</h2>
                {msg_view(ctx.done, "plan-msg")}
                <Show when=stage_is(&[Stage::Closed])>
                    <p class="muted" data-testid="plan-closed-note">{t!(i18n, plans.closed_note)}</p>
                </Show>
                <Show when=stage_is(&[Stage::Draft, Stage::Notice])>
                    <EditContentForm ctx=ctx cats=cats cost_rules=cost_rules/>
                </Show>
                <Show when=stage_is(&[Stage::Draft])>
                    <StartNoticeForm ctx=ctx rules=rules/>
                </Show>
                <Show when=stage_is(&[Stage::Notice, Stage::ChangeNotice])>
                    <RecordObjectionForm ctx=ctx/>
                    <ExtendNoticeForm ctx=ctx/>
                    <CloseNoticeForm ctx=ctx/>
                </Show>
                <Show when=stage_is(&[Stage::ChangeNotice])>
                    <WithdrawForm ctx=ctx/>
                </Show>
                <Show when=stage_is(&[Stage::Council])>
                    <CouncilForm ctx=ctx/>
                </Show>
                <Show when=stage_is(&[Stage::Assessment])>
                    <ReviewForm ctx=ctx level=Review::Assessment/>
                </Show>
                <Show when=stage_is(&[Stage::StreetReview])>
                    <ReviewForm ctx=ctx level=Review::Street/>
                </Show>
                <Show when=stage_is(&[Stage::Execution])>
                    <SpendForm ctx=ctx/>
                    <BudgetChangeForm ctx=ctx rules=rules/>
                </Show>
                <Show when=stage_is(&[Stage::Execution, Stage::ChangeNotice])>
                    <MilestoneForm ctx=ctx/>
                </Show>
                <Show when=stage_is(&[Stage::Execution])>
                    <CloseAccountsForm ctx=ctx/>
                </Show>
                <Show when=stage_is(&[Stage::Accounts])>
                    <EvaluateForm ctx=ctx/>
                </Show>
                <EditInternalForm ctx=ctx/>
            </section>
            <NoticesView ctx=ctx/>
            <ObjectionsView ctx=ctx/>
            <ApprovalsView ctx=ctx/>
            <BudgetView ctx=ctx/>
            <SpendingView ctx=ctx/>
            <ChangesView ctx=ctx/>
            <MilestonesView ctx=ctx/>
            <AccountsView ctx=ctx/>
            <EvaluationView ctx=ctx/>
            <HistoryView ctx=ctx/>
        </Show>
    }
}
