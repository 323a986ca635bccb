//! The points bank: earning from an attendance list, redeeming from the
//! catalogue, and (in [`super::ledger`]) balances and the ledger.

use linli_domain::order::SortDyn;
use std::collections::BTreeSet;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::model::Activity;
use linli_domain::participation::points::{self, CatalogueItem, PointsError};
use linli_domain::participation::rates::parse_household;

use super::ledger::LedgerView;
use super::{Ctx, Current};
use crate::browser::now_millis;
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::labels::is_zh;
use crate::components::loaded::Shared;
use crate::components::WriteGuard;
use crate::db::participation as store;
use crate::i18n::*;
use crate::state::{use_storage, Route};

/// A refusal of the points bank in words.
pub(super) fn points_error(i18n: Ctx, e: &PointsError) -> String {
    match e {
        PointsError::InsufficientBalance { balance, cost } => {
            t_string!(
                i18n,
                participation.err_insufficient_points,
                balance = balance,
                cost = cost
            )
        }
        PointsError::OutOfStock(_) => t_string!(i18n, participation.err_out_of_stock).to_owned(),
        PointsError::UnknownItem(_) => t_string!(i18n, participation.err_unknown_item).to_owned(),
        PointsError::AlreadyReversed(id) => t_string!(i18n, participation.err_already_reversed, id = id),
        PointsError::ReversalOverdraws { balance, .. } => {
            t_string!(i18n, participation.err_reversal_overdraws, balance = balance)
        }
        PointsError::BadPoints => t_string!(i18n, participation.err_no_points).to_owned(),
        other => other.to_string(),
    }
}

/// A catalogue item's name in the current language (the catalogue holds both).
pub(super) fn item_name(i18n: Ctx, i: &CatalogueItem) -> String {
    if is_zh(i18n) {
        i.name_zh.clone()
    } else {
        i.name_en.clone()
    }
}

#[component]
pub(super) fn PointsView(current: Current) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    // Quick entry from an attendance list.
    let act_pick = RwSignal::new(None::<u32>);
    let unticked = RwSignal::new(BTreeSet::<u32>::new());
    let earn_msg: Msg = RwSignal::new(None);
    let on_earn = move |_| {
        let (Some(Shared(d)), Some(aid)) = (current.get_untracked(), act_pick.get_untracked()) else {
            return;
        };
        let Some(act) = d.activities.iter().find(|a| a.id == aid).cloned() else {
            return;
        };
        let skip = unticked.get_untracked();
        let chosen: Vec<u32> = act
            .attendance
            .iter()
            .copied()
            .filter(|h| !skip.contains(h))
            .collect();
        if chosen.is_empty() {
            say(
                earn_msg,
                Err(t_string!(i18n, participation.err_none_ticked).to_owned()),
            );
            return;
        }
        let Some(db) = storage.db() else { return };
        let at = now_millis();
        spawn_local(async move {
            match store::earn_attendance(&db, act, chosen, at, session.actor()).await {
                Ok(Ok(c)) => {
                    let text = t_string!(
                        i18n,
                        participation.earned_text,
                        n = c.households,
                        pts = c.points,
                        skipped = c.skipped
                    );
                    say(earn_msg, Ok(text));
                    storage.changed();
                }
                Ok(Err(e)) => say(earn_msg, Err(points_error(i18n, &e))),
                Err(e) => say(earn_msg, Err(db_fail(i18n, &e))),
            }
        });
    };

    // Redemption.
    let redeem_hh = RwSignal::new(String::new());
    let redeem_item = RwSignal::new(String::new());
    let redeem_msg: Msg = RwSignal::new(None);
    let on_redeem = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(Shared(d)) = current.get_untracked() else {
            return;
        };
        let Some(hid) =
            parse_household(&redeem_hh.get_untracked()).filter(|h| d.households.iter().any(|x| x.id == *h))
        else {
            say(
                redeem_msg,
                Err(t_string!(i18n, participation.err_unknown_household).to_owned()),
            );
            return;
        };
        let item = {
            let v = redeem_item.get_untracked();
            if v.is_empty() {
                d.catalogue
                    .items
                    .first()
                    .map(|i| i.code.clone())
                    .unwrap_or_default()
            } else {
                v
            }
        };
        let Some(db) = storage.db() else { return };
        let at = now_millis();
        spawn_local(async move {
            match store::redeem(&db, hid, item, at, session.actor()).await {
                Ok(Ok(left)) => {
                    say(
                        redeem_msg,
                        Ok(t_string!(
                            i18n,
                            participation.redeemed_text,
                            hid = hid,
                            left = left
                        )),
                    );
                    storage.changed();
                }
                Ok(Err(e)) => say(redeem_msg, Err(points_error(i18n, &e))),
                Err(e) => say(redeem_msg, Err(db_fail(i18n, &e))),
            }
        });
    };

    let activity_options = move || {
        current.get().map(|Shared(d)| {
            let mut list: Vec<Activity> = d.activities.clone();
            list.sort_by_dyn(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
            list
        })
    };

    view! {
        <section class="card" aria-labelledby="part-points-h">
            <h2 id="part-points-h">{t!(i18n, participation.points_heading)}</h2>
            <p class="muted small">{move || current.get().map(|Shared(d)| t_string!(
                i18n,
                participation.rules_text,
                deliberation = d.rules.deliberation_per_meeting,
                volunteering = d.rules.volunteering_per_hour,
                skill_sharing = d.rules.skill_sharing_per_session
            ))}</p>

            <h3>{t!(i18n, participation.earn_heading)}</h3>
            <label>{t!(i18n, participation.earn_activity)}" "
                <select id="earn-activity" data-testid="earn-activity" on:change=move |ev| {
                    act_pick.set(event_target_value(&ev).parse().ok());
                    unticked.set(BTreeSet::new());
                    earn_msg.set(None);
                }>
                    <option value="">{t!(i18n, participation.choose_activity)}</option>
                    {move || activity_options().unwrap_or_default().into_iter().map(|a| {
                        let label = format!("{} {} · {}", a.id, a.date, a.title);
                        view! { <option value=a.id.to_string() selected=act_pick.get_untracked() == Some(a.id)>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            {move || {
                let (Some(Shared(d)), Some(aid)) = (current.get(), act_pick.get()) else { return ().into_any() };
                let Some(act) = d.activities.iter().find(|a| a.id == aid).cloned() else { return ().into_any() };
                let pts = d.rules.points_for(act.channel, act.hours_tenths);
                let credited = points::credited(&d.ledger, aid);
                if act.attendance.is_empty() {
                    return view! { <p class="empty">{t!(i18n, participation.no_attendance)}</p> }.into_any();
                }
                view! {
                    <fieldset class="attendance" data-testid="earn-attendance">
                        <legend>{t_string!(i18n, participation.attendance_legend, n = act.attendance.len(), pts = pts)}</legend>
                        {act.attendance.iter().map(|&h| {
                            let done = credited.contains(&h);
                            view! {
                                <label class="tick">
                                    <input type="checkbox" prop:checked=move || !unticked.with(|u| u.contains(&h)) disabled=done
                                        on:change=move |ev| { let on = event_target_checked(&ev); unticked.update(|u| { if on { u.remove(&h); } else { u.insert(h); } }); }/>
                                    {h.to_string()}{done.then(|| t_string!(i18n, participation.already_credited))}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    <button type="button" class="primary" data-testid="earn-submit" on:click=on_earn>{t!(i18n, participation.credit_ticked)}</button>
                }.into_any()
            }}
            {msg_view(earn_msg, "earn-msg")}

            <h3>{t!(i18n, participation.redeem)}</h3>
            <WriteGuard><form class="part-form" on:submit=on_redeem novalidate data-testid="redeem-form">
                <label>{t!(i18n, participation.household_number)}
                    <input id="redeem-household" type="text" inputmode="numeric" prop:value=redeem_hh on:input=move |ev| redeem_hh.set(event_target_value(&ev))/></label>
                <label>{t!(i18n, participation.redeem_item)}
                    <select id="redeem-item" on:change=move |ev| redeem_item.set(event_target_value(&ev))>
                        {move || current.get().map(|Shared(d)| d.catalogue.items.iter().map(|i| {
                            let label = t_string!(i18n, participation.item_option, name = item_name(i18n, i), cost = i.cost, stock = i.stock);
                            view! { <option value=i.code.clone() selected=redeem_item.get_untracked() == i.code>{label}</option> }
                        }).collect_view())}
                    </select></label>
                <button type="submit" class="primary">{t!(i18n, participation.redeem)}</button>
            </form></WriteGuard>
            {msg_view(redeem_msg, "redeem-msg")}
            {move || current.get().map(|Shared(d)| view! {
                <table class="data" data-testid="catalogue">
                    <caption>{t!(i18n, participation.catalogue)}</caption>
                    <thead><tr><th scope="col">{t!(i18n, participation.col_item)}</th><th scope="col" class="num">{t!(i18n, participation.col_cost)}</th><th scope="col" class="num">{t!(i18n, participation.col_stock)}</th></tr></thead>
                    <tbody>{d.catalogue.items.iter().map(|i| view! {
                        <tr data-code=i.code.clone()><th scope="row">{item_name(i18n, i)}</th><td class="num">{i.cost}</td><td class="num stock">{i.stock}</td></tr>
                    }).collect_view()}</tbody>
                </table>
                <p class="muted small"><a href=Route::Settings.href() data-testid="catalogue-edit-link">{t!(i18n, participation.catalogue_edit_link)}</a></p>
            })}

            <LedgerView current=current/>
        </section>
    }
}
