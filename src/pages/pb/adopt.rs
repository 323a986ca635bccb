//! Adopting a count for its period (irreversible, after a confirmation) and the
//! adopted outcome: funded and not funded proposals, votes, the rule, and links
//! to the draft plans made from the funded ones.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::decisions::{instance_sha256, pb_adoption, Decision, DecisionError, DecisionKind};
use linli_domain::money::format_yuan;
use linli_domain::pb::Instance;
use linli_domain::plans::{CivilDate, Stamp};
use linli_domain::requests::calendar::local_day;

use super::{open_db, rule_name, AdoptNotice};
use crate::browser::now_millis;
use crate::components::form_message::{db_fail, msg_view, say};
use crate::components::loaded::{load, Shared};
use crate::components::WriteGuard;
use crate::db::decisions as store;
use crate::i18n::*;
use crate::pb_job::RuleResult;
use crate::state::use_storage;

type Ctx = leptos_i18n::I18nContext<Locale>;

/// Today in the community's time zone (Asia/Shanghai).
fn today() -> CivilDate {
    CivilDate::from_days(local_day(now_millis()))
        .unwrap_or_else(|| CivilDate::from_days(0).expect("1970-01-01"))
}

/// A refused adoption in words, naming the rule.
fn adopt_error(i18n: Ctx, e: &DecisionError) -> String {
    match e {
        DecisionError::PbAlreadyAdopted { period, decision } => {
            t_string!(i18n, pb.err_pb_already_adopted, period = period, id = decision)
        }
        DecisionError::PbInputsChanged { period } => {
            t_string!(i18n, pb.err_pb_inputs_changed, period = period)
        }
        DecisionError::PbOutcomeMismatch { reason, .. } => {
            format!("{}{reason}", t_string!(i18n, pb.err_pb_outcome_mismatch))
        }
        DecisionError::PbInstance { period, reason } => {
            format!("{}{reason}", t_string!(i18n, pb.err_pb_instance, period = period))
        }
        DecisionError::UnknownCategory { proposal, category } => {
            t_string!(
                i18n,
                pb.err_unknown_category,
                proposal = proposal,
                category = category
            )
        }
        DecisionError::UnknownFunder { rule, funder } => {
            t_string!(i18n, pb.err_unknown_funder, rule = rule, funder = funder)
        }
        DecisionError::Config { reason } => format!("{}{reason}", t_string!(i18n, pb.err_config)),
        DecisionError::ProposalPlan { proposal, error } => {
            format!(
                "{}{error}",
                t_string!(i18n, pb.err_proposal_plan, proposal = proposal)
            )
        }
        other => format!("{}{other}", t_string!(i18n, pb.err_not_adopted)),
    }
}

/// "Adopt this result for <period>" under a finished count, with its
/// confirmation; refused (with the reason) when the period is already adopted.
#[component]
pub(super) fn AdoptCount(period: String, instance: Arc<Instance>, chosen: RuleResult) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let notice = expect_context::<AdoptNotice>().0;
    let decisions = load(storage, |db| async move { store::list(&db).await });
    let asking = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let msg = RwSignal::new(None);
    let funded = chosen.outcome.selected.len();
    let others = chosen.outcome.projects.len().saturating_sub(funded);
    let rule = chosen.rule.clone();
    let outcome = Arc::new(chosen.outcome);
    let p = period.clone();
    let already = Memo::new(move |_| {
        decisions
            .current
            .get()
            .and_then(|Shared(d)| pb_adoption(&d, &p).map(|x| (x.id, x.on)))
    });
    let p = period.clone();
    let on_yes = move |_| {
        asking.set(false);
        let sha = match instance_sha256(&instance) {
            Ok(s) => s,
            Err(e) => return say(msg, Err(format!("{}{e}", t_string!(i18n, pb.err_not_adopted)))),
        };
        let description = t_string!(
            i18n,
            pb.plan_description,
            title = "{title}",
            period = "{period}",
            proposal = "{proposal}"
        )
        .to_string();
        let by = Stamp::new(session.actor(), now_millis());
        let (period, outcome) = (p.clone(), outcome.clone());
        busy.set(true);
        spawn_local(async move {
            let r = match open_db(storage) {
                Ok(db) => store::adopt_pb(&db, period, sha, outcome, description, today(), by).await,
                Err(e) => Err(e),
            };
            busy.set(false);
            match r {
                Ok(Ok(a)) => {
                    let text = t_string!(i18n, pb.adopt_done, id = a.decision.id, n = a.plans.len());
                    say(notice, Ok(text));
                    storage.changed();
                }
                Ok(Err(e)) => say(msg, Err(adopt_error(i18n, &e))),
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    let rule_label = rule_name(i18n, &rule);
    let p2 = period.clone();
    let p3 = period.clone();
    view! {
            <div class="adopt" data-testid="pb-adopt-box">
                <h3>{t!(i18n, pb.adopt_title)}</h3>
                <p class="muted small">{t!(i18n, pb.adopt_help)}</p>
                {move || match already.get() {
                    Some((id, on)) => view! {
                        <p class="muted" data-testid="pb-adopt-refused">
                            {t_string!(i18n, pb.adopt_already, period = p2.clone(), on = on.to_string(), id = id)}
                        </p>
                    }.into_any(),
                    None => ().into_any(),
                }}
                <WriteGuard><button type="button" class="primary" data-testid="pb-adopt"
                    disabled=move || already.get().is_some() || busy.get() || decisions.current.get().is_none()
                    on:click=move |_| asking.set(true)>
                    {move || t_string!(i18n, pb.adopt_button, period = p3.clone())}
                </button>
                {move || asking.get().then(|| {
                    let q = t_string!(i18n, pb.adopt_confirm_q, rule = rule_label.clone(), period = period.clone(),
                        funded = funded, others = others);
                    view! {
                        <div class="confirm" role="alertdialog" aria-labelledby="pb-adopt-q" data-testid="pb-adopt-confirm">
                            <p id="pb-adopt-q">{q}</p>
                            <button type="button" class="primary" data-testid="pb-adopt-yes" on:click=on_yes.clone()>{t!(i18n, pb.adopt_yes)}</button>
                            <button type="button" data-testid="pb-adopt-no" on:click=move |_| asking.set(false)>{t!(i18n, pb.adopt_no)}</button>
                        </div>
                    }
                })}
    </WriteGuard>            {msg_view(msg, "pb-adopt-msg")}
            </div>
        }
}

/// The period's adopted outcome, if any: rule, budget, voters, every proposal
/// funded or not with its votes and cost, and the draft plans made.
#[component]
pub(super) fn AdoptedOutcome(period: String) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let notice = expect_context::<AdoptNotice>().0;
    let decisions = load(storage, |db| async move { store::list(&db).await });
    let p = period.clone();
    let adopted = Memo::new(move |_| {
        decisions
            .current
            .get()
            .and_then(|Shared(d)| pb_adoption(&d, &p).cloned())
    });
    view! {
        {msg_view(notice, "pb-adopt-done")}
        {move || adopted.get().map(|d| outcome_view(i18n, d))}
    }
}

fn outcome_view(i18n: Ctx, d: Decision) -> impl IntoView {
    let DecisionKind::PbAdopted {
        rule,
        budget_fen,
        voters,
        funded_fen,
        projects,
    } = d.kind
    else {
        return ().into_any();
    };
    let summary = t_string!(
        i18n,
        pb.adopted_summary,
        id = d.id,
        on = d.on.to_string(),
        actor = d.actor.clone(),
        rule = rule_name(i18n, &rule),
        budget = format_yuan(budget_fen),
        voters = voters,
        funded = format_yuan(funded_fen)
    );
    view! {
        <section class="card" aria-labelledby="pb-adopted-h" data-testid="pb-adopted" data-rule=rule.clone()>
            <h2 id="pb-adopted-h">{t!(i18n, pb.adopted_title)}</h2>
            <p>{summary}</p>
            <div class="table-scroll">
                <table class="counts">
                    <thead><tr>
                        <th scope="col">{t!(i18n, pb.col_no)}</th>
                        <th scope="col">{t!(i18n, pb.col_proposal)}</th>
                        <th scope="col" class="num">{t!(i18n, pb.col_approvals)}</th>
                        <th scope="col" class="num">{t!(i18n, pb.col_cost)}</th>
                        <th scope="col">{t!(i18n, pb.col_outcome)}</th>
                        <th scope="col">{t!(i18n, pb.col_plan)}</th>
                    </tr></thead>
                    <tbody>
                        {projects.into_iter().map(|p| {
                            let funded = p.funded;
                            view! {
                                <tr class:funded=funded data-testid="pb-adopted-row" data-id=p.proposal_id data-funded=funded.to_string()>
                                    <td class="num">{p.proposal_id}</td>
                                    <td>{p.title}</td>
                                    <td class="num">{p.votes}</td>
                                    <td class="num">{format_yuan(p.cost_fen)}</td>
                                    <td>{move || if funded { t_string!(i18n, pb.adopted_funded) } else { t_string!(i18n, pb.adopted_not_funded) }}</td>
                                    <td>{p.plan_id.map(|id| view! {
                                        <a href=format!("#/plans/{id}") data-testid="pb-plan-link">{t_string!(i18n, pb.plan_link, id = id)}</a>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
