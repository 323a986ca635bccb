//! The period's proposals: the list with each one's feasibility review, and
//! the form for a new proposal.

use linli_domain::order::SortDyn;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use linli_domain::demo::GROUPS;
use linli_domain::model::{Proposal, ProposalStatus};
use linli_domain::money::{format_yuan, parse_yuan};

use super::{open_db, written};
use crate::browser::now_millis;
use crate::components::labels::{self, is_zh};
use crate::components::money::money_error;
use crate::components::WriteGuard;
use crate::db::pb::PbData;
use crate::i18n::*;
use crate::state::use_storage;

fn status_label(i18n: I18nContext<Locale>, s: ProposalStatus) -> &'static str {
    match s {
        ProposalStatus::Submitted => t_string!(i18n, pb.status_submitted),
        ProposalStatus::Feasible => t_string!(i18n, pb.feasible),
        ProposalStatus::Infeasible => t_string!(i18n, pb.infeasible),
        ProposalStatus::Funded => t_string!(i18n, pb.status_funded),
        ProposalStatus::NotFunded => t_string!(i18n, pb.status_not_funded),
    }
}

#[component]
pub(super) fn Proposals(data: Arc<PbData>, period: String, closed: bool) -> impl IntoView {
    let i18n = use_i18n();
    let mut list: Vec<Proposal> = data
        .proposals
        .iter()
        .filter(|p| p.period == period)
        .cloned()
        .collect();
    list.sort_by_key_dyn(|p| p.id);
    let cats = Arc::new(data.categories.clone());
    view! {
        <section aria-labelledby="pb-props-h">
            <h2 id="pb-props-h">{t!(i18n, pb.proposals_title)}</h2>
            <div class="table-scroll">
                <table class="counts" data-testid="pb-proposals">
                    <thead><tr>
                        <th scope="col">{t!(i18n, pb.col_no)}</th>
                        <th scope="col">{t!(i18n, pb.col_proposal)}</th>
                        <th scope="col">{t!(i18n, pb.category)}</th>
                        <th scope="col" class="num">{t!(i18n, pb.col_cost)}</th>
                        <th scope="col">{t!(i18n, pb.proposer_group)}</th>
                        <th scope="col">{t!(i18n, pb.review)}</th>
                    </tr></thead>
                    <tbody>
                        {list.into_iter().map(|p| {
                            let cats = cats.clone();
                            let cat = p.category.clone();
                            let group = p.proposer_group.clone();
                            view! {
                                <tr>
                                    <td class="num">{p.id}</td>
                                    <td>{p.title.clone()}</td>
                                    <td>{move || labels::category(i18n, &cats, &cat)}</td>
                                    <td class="num">{format_yuan(p.cost_fen)}</td>
                                    <td>{move || labels::group(i18n, &group)}</td>
                                    <td><Review proposal=p.clone() closed=closed/></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// Feasibility review of one proposal: feasible, or infeasible with a reason.
/// Only the status once the period's count is adopted (`closed`).
#[component]
fn Review(proposal: Proposal, closed: bool) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let editing = RwSignal::new(false);
    let reason = RwSignal::new(proposal.review_note.clone());
    let error = RwSignal::new(None::<String>);
    let status = proposal.status;
    let p = StoredValue::new(proposal);
    let decide = move |feasible: bool| {
        let note = reason.get_untracked().trim().to_owned();
        if !feasible && note.is_empty() {
            error.set(Some(t_string!(i18n, pb.reason_required).to_owned()));
            return;
        }
        let mut updated = p.get_value();
        updated.status = if feasible {
            ProposalStatus::Feasible
        } else {
            ProposalStatus::Infeasible
        };
        updated.review_note = if feasible { String::new() } else { note };
        let actor = session.actor();
        spawn_local(async move {
            let r = match open_db(storage) {
                Ok(db) => written(i18n, db.save_proposal_review(&updated, actor).await),
                Err(e) => Err(crate::components::db_error::plain(i18n, &e)),
            };
            match r {
                Ok(()) => {
                    storage.changed();
                    editing.set(false);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <span class=move || format!("status status-{status:?}").to_lowercase()>{move || status_label(i18n, status)}</span>
        {move || (!p.get_value().review_note.is_empty()).then(|| view! { <span class="muted">" · "{p.get_value().review_note}</span> })}
        " "
        {(!closed).then(|| view! {
            <button type="button" class="link" aria-expanded=move || editing.get().to_string()
                on:click=move |_| editing.update(|e| *e = !*e)>{t!(i18n, pb.review)}</button>
        })}
        {move || editing.get().then(|| view! {
            <WriteGuard><div class="review-box" role="group">
                <button type="button" on:click=move |_| decide(true)>{t!(i18n, pb.feasible)}</button>
                <label>{t!(i18n, pb.reason_label)}
                    <input type="text" maxlength="200" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                </label>
                <button type="button" class="danger" on:click=move |_| decide(false)>{t!(i18n, pb.infeasible)}</button>
                {move || error.get().map(|m| view! { <span class="field-error" role="alert">{m}</span> })}
            </div></WriteGuard>
        })}
    }
}

#[component]
pub(super) fn ProposalForm(data: Arc<PbData>, period: String, saved: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let title = RwSignal::new(String::new());
    let cost = RwSignal::new(String::new());
    let category = RwSignal::new(
        data.categories
            .first()
            .map(|c| c.code.clone())
            .unwrap_or_default(),
    );
    let group = RwSignal::new(GROUPS[0].to_owned());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let next_id = crate::db::device::next_among(data.proposals.iter().map(|p| p.id));
    let cats = data.categories.clone();
    let heading_period = period.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let mut errs = Vec::new();
        let t = title.get_untracked().trim().to_owned();
        if t.is_empty() {
            errs.push(("title", t_string!(i18n, pb.title_required).to_owned()));
        } else if t.chars().count() > 60 {
            errs.push(("title", t_string!(i18n, pb.title_too_long).to_owned()));
        }
        let fen = match parse_yuan(&cost.get_untracked()) {
            Ok(0) => {
                errs.push(("cost", t_string!(i18n, pb.cost_positive).to_owned()));
                0
            }
            Ok(f) => f,
            Err(e) => {
                errs.push(("cost", money_error(i18n, e)));
                0
            }
        };
        errors.set(errs.clone());
        if !errs.is_empty() {
            return;
        }
        let p = Proposal {
            id: next_id,
            title: t,
            category: category.get_untracked(),
            cost_fen: fen,
            proposer_group: group.get_untracked(),
            status: ProposalStatus::Submitted,
            review_note: String::new(),
            period: period.clone(),
            created_at: now_millis(),
        };
        let actor = session.actor();
        spawn_local(async move {
            let r = match open_db(storage) {
                Ok(db) => written(i18n, db.add_proposal(&p, actor).await),
                Err(e) => Err(crate::components::db_error::plain(i18n, &e)),
            };
            match r {
                Ok(()) => {
                    storage.changed();
                    title.set(String::new());
                    cost.set(String::new());
                    saved.set(true);
                }
                Err(e) => errors.set(vec![("save", e)]),
            }
        });
    };
    let err = move |field: &'static str| {
        move || {
            errors
                .get()
                .into_iter()
                .find(|(f, _)| *f == field)
                .map(|(_, m)| view! { <span class="field-error" role="alert">{m}</span> })
        }
    };
    view! {
        <section class="card" aria-labelledby="pb-new-h">
            <h2 id="pb-new-h">{move || t_string!(i18n, pb.new_title_for, period = heading_period.clone())}</h2>
            <WriteGuard><form on:submit=on_submit novalidate data-testid="pb-new">
                <div class="field"><label for="pb-title">{t!(i18n, pb.field_title)}</label>
                    <input id="pb-title" type="text" maxlength="60" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                    {err("title")}</div>
                <div class="field"><label for="pb-cost">{t!(i18n, pb.field_cost)}</label>
                    <input id="pb-cost" type="text" inputmode="decimal" prop:value=move || cost.get() on:input=move |ev| cost.set(event_target_value(&ev))/>
                    {err("cost")}</div>
                <div class="field"><label for="pb-cat">{t!(i18n, pb.category)}</label>
                    <select id="pb-cat" on:change=move |ev| category.set(event_target_value(&ev))>
                        {cats.iter().map(|c| {
                            let (zh, en) = (c.name_zh.clone(), c.name_en.clone());
                            view! { <option value=c.code.clone()>{move || if is_zh(i18n) { zh.clone() } else { en.clone() }}</option> }
                        }).collect_view()}
                    </select></div>
                <div class="field"><label for="pb-group">{t!(i18n, pb.proposer_group)}</label>
                    <select id="pb-group" on:change=move |ev| group.set(event_target_value(&ev))>
                        {GROUPS.iter().map(|g| view! { <option value=*g>{move || labels::group(i18n, g)}</option> }).collect_view()}
                    </select></div>
                <button type="submit" class="primary">{t!(i18n, pb.submit_proposal)}</button>
                {err("save")}
                {move || saved.get().then(|| view! { <span class="ok" role="status">{t!(i18n, pb.proposal_saved)}</span> })}
            </form></WriteGuard>
        </section>
    }
}
