//! The plan's append-only history: who, when (recorded and business date),
//! from which stage to which, what and why.

use leptos::prelude::*;
use linli_domain::plans::{Event, Field};
use linli_domain::requests::calendar::local_datetime;

use super::form::PlanCtx;
use super::{level_name, stage_name, Ctx};
use crate::i18n::*;

fn field_name(i18n: Ctx, f: Field) -> String {
    match f {
        Field::Title => t_string!(i18n, plans.f_title),
        Field::Category => t_string!(i18n, plans.f_category),
        Field::Period => t_string!(i18n, plans.f_period),
        Field::Budget => t_string!(i18n, plans.f_budget_total),
        Field::Description => t_string!(i18n, plans.f_description),
    }
    .to_owned()
}

/// What a transition did, in words.
pub(crate) fn event_text(i18n: Ctx, e: &Event) -> String {
    match e {
        Event::Created => t_string!(i18n, plans.ev_created).to_owned(),
        Event::Edited { fields } => t_string!(
            i18n,
            plans.ev_edited,
            fields = fields
                .iter()
                .map(|f| field_name(i18n, *f))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Event::InternalEdited => t_string!(i18n, plans.ev_internal_edited).to_owned(),
        Event::NoticeStarted { notice } => t_string!(i18n, plans.ev_notice_started, notice = notice),
        Event::NoticeRestarted { ended, notice } => {
            t_string!(i18n, plans.ev_notice_restarted, ended = ended, notice = notice)
        }
        Event::NoticeExtended { notice, days } => {
            t_string!(i18n, plans.ev_notice_extended, notice = notice, days = days)
        }
        Event::ObjectionRecorded { objection } => {
            t_string!(i18n, plans.ev_objection_recorded, objection = objection)
        }
        Event::ObjectionAnswered { objection } => {
            t_string!(i18n, plans.ev_objection_answered, objection = objection)
        }
        Event::NoticeClosed { notice } => t_string!(i18n, plans.ev_notice_closed, notice = notice),
        Event::Decided { level, approved } => {
            let outcome = if *approved {
                t_string!(i18n, plans.approved)
            } else {
                t_string!(i18n, plans.rejected)
            };
            t_string!(
                i18n,
                plans.ev_decided,
                level = level_name(i18n, *level),
                outcome = outcome
            )
        }
        Event::SpendingRecorded { entry } => t_string!(i18n, plans.ev_spending_recorded, entry = entry),
        Event::SpendingReversed { entry, reverses } => {
            t_string!(
                i18n,
                plans.ev_spending_reversed,
                entry = entry,
                reverses = reverses
            )
        }
        Event::BudgetChanged { change, noticed } => {
            if *noticed {
                t_string!(i18n, plans.ev_budget_change_noticed, change = change)
            } else {
                t_string!(i18n, plans.ev_budget_changed, change = change)
            }
        }
        Event::BudgetChangeWithdrawn { change } => {
            t_string!(i18n, plans.ev_budget_change_withdrawn, change = change)
        }
        Event::MilestoneRecorded { percent } => t_string!(i18n, plans.ev_milestone, percent = percent),
        Event::AccountsClosed => t_string!(i18n, plans.ev_accounts_closed).to_owned(),
        Event::Evaluated => t_string!(i18n, plans.ev_evaluated).to_owned(),
    }
}

#[component]
pub(super) fn HistoryView(ctx: PlanCtx) -> impl IntoView {
    let i18n = ctx.i18n;
    move || {
        let list = ctx
            .plan
            .with(|p| p.as_ref().map(|p| p.history().to_vec()).unwrap_or_default());
        view! {
            <section class="card" aria-labelledby="plan-history-h" data-testid="plan-history">
                <h2 id="plan-history-h">{t!(i18n, plans.history_heading)}</h2>
                <div class="table-wrap"><table class="data">
                    <thead><tr>
                        <th scope="col">"#"</th>
                        <th scope="col">{t!(i18n, plans.recorded_at)}</th>
                        <th scope="col">{t!(i18n, plans.date)}</th>
                        <th scope="col">{t!(i18n, plans.who)}</th>
                        <th scope="col">{t!(i18n, plans.from_to)}</th>
                        <th scope="col">{t!(i18n, plans.what)}</th>
                        <th scope="col">{t!(i18n, plans.why)}</th>
                    </tr></thead>
                    <tbody>{list.into_iter().map(|t| view! {
                        <tr data-seq=t.seq.to_string() data-to=t.to.code()>
                            <td>{t.seq}</td>
                            <td>{local_datetime(t.at)}</td>
                            <td>{t.on.map(|d| d.to_string()).unwrap_or_default()}</td>
                            <td>{t.actor.clone()}</td>
                            <td>{if t.from == t.to { stage_name(i18n, t.to) } else { format!("{} → {}", stage_name(i18n, t.from), stage_name(i18n, t.to)) }}</td>
                            <td>{event_text(i18n, &t.event)}</td>
                            <td>{t.reason.clone()}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table></div>
            </section>
        }
    }
}
