//! Balances and the points ledger of one household, with reversals (the
//! ledger is append-only: a correction is a reversal entry).

use linli_domain::order::SortDyn;
use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::participation::points::{self, Catalogue, EarnRule, Reason};
use linli_domain::participation::rates::parse_household;
use linli_domain::requests::calendar::local_datetime;

use super::points::{item_name, points_error};
use super::{Ctx, Current};
use crate::browser::now_millis;
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::loaded::Shared;
use crate::db::participation as store;
use crate::i18n::*;
use crate::state::use_storage;

/// The name of an earning rule.
fn rule_name(i18n: Ctx, r: EarnRule) -> &'static str {
    match r {
        EarnRule::Deliberation => t_string!(i18n, participation.rule_deliberation),
        EarnRule::Volunteering => t_string!(i18n, participation.rule_volunteering),
        EarnRule::SkillSharing => t_string!(i18n, participation.rule_skill_sharing),
    }
}

/// A ledger entry's reason in words.
fn reason_label(i18n: Ctx, cat: &Catalogue, reason: &str) -> String {
    match Reason::parse(reason) {
        Reason::Redeem(code) => {
            let name = cat
                .item(code)
                .map_or_else(|| code.to_owned(), |i| item_name(i18n, i));
            format!("{}{name}", t_string!(i18n, participation.reason_redeemed))
        }
        Reason::Reversal => t_string!(i18n, participation.reason_reversal).to_owned(),
        Reason::Earn { rule, activity } => {
            let name = EarnRule::from_code(rule).map_or(rule, |r| rule_name(i18n, r));
            let earned = t_string!(i18n, participation.reason_earned);
            match activity {
                Some(a) => format!(
                    "{earned}{}",
                    t_string!(
                        i18n,
                        common.paren,
                        a = name,
                        b = format!("{}{a}", t_string!(i18n, participation.reason_activity))
                    )
                ),
                None => format!("{earned}{name}"),
            }
        }
    }
}

#[component]
pub(super) fn LedgerView(current: Current) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let writable = crate::components::write_guard::can_write();
    let storage = use_storage();
    let ledger_hh = RwSignal::new(String::new());
    let ledger_msg: Msg = RwSignal::new(None);
    let reverse = move |hid: u32, target: u32| {
        let Some(db) = storage.db() else { return };
        let at = now_millis();
        spawn_local(async move {
            match store::reverse(&db, hid, target, at, session.actor()).await {
                Ok(Ok(())) => {
                    say(
                        ledger_msg,
                        Ok(format!(
                            "{}{target}",
                            t_string!(i18n, participation.reversed_entry)
                        )),
                    );
                    storage.changed();
                }
                Ok(Err(e)) => say(ledger_msg, Err(points_error(i18n, &e))),
                Err(e) => say(ledger_msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    view! {
        <h3>{t!(i18n, participation.ledger_heading)}</h3>
        <label>{t!(i18n, participation.ledger_household)}" "
            <input id="ledger-household" type="text" inputmode="numeric" prop:value=ledger_hh on:input=move |ev| { ledger_hh.set(event_target_value(&ev)); ledger_msg.set(None); }/></label>
        {msg_view(ledger_msg, "ledger-msg")}
        {move || {
            let Some(Shared(d)) = current.get() else { return ().into_any() };
            match parse_household(&ledger_hh.get()) {
                Some(hid) => {
                    let hist = points::history(&d.ledger, hid);
                    let reversed: BTreeSet<u32> = hist.iter().filter_map(|e| e.reverses).collect();
                    let bal = points::balance(&d.ledger, hid);
                    view! {
                        <p data-testid="ledger-balance">{t_string!(i18n, participation.ledger_balance, hid = hid, bal = bal)}</p>
                        {if hist.is_empty() {
                            view! { <p class="empty">{t!(i18n, participation.no_entries)}</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrap"><table class="data" data-testid="ledger-history">
                                    <thead><tr>
                                        <th scope="col" class="num">{t!(i18n, participation.col_number)}</th>
                                        <th scope="col">{t!(i18n, participation.col_time)}</th>
                                        <th scope="col">{t!(i18n, participation.col_reason)}</th>
                                        <th scope="col" class="num">{t!(i18n, participation.col_points)}</th>
                                        <th scope="col">{t!(i18n, participation.col_action)}</th>
                                    </tr></thead>
                                    <tbody>{hist.iter().map(|e| {
                                        let can = e.reverses.is_none() && !reversed.contains(&e.id);
                                        let target = e.id;
                                        view! {
                                            <tr>
                                                <td class="num">{e.id}</td>
                                                <td>{local_datetime(e.at)}</td>
                                                <td>{reason_label(i18n, &d.catalogue, &e.reason)}{e.reverses.map(|r| format!(" #{r}"))}</td>
                                                <td class="num">{format!("{:+}", e.delta)}</td>
                                                <td>{can.then(|| view! { <button type="button" class="small" disabled=move || !writable.get() on:click=move |_| reverse(hid, target)>{t!(i18n, participation.reverse)}</button> })}</td>
                                            </tr>
                                        }
                                    }).collect_view()}</tbody>
                                </table></div>
                            }.into_any()
                        }}
                    }.into_any()
                }
                None => {
                    let mut top: Vec<(u32, i64)> = points::balances(&d.ledger).into_iter().collect();
                    top.sort_by_dyn(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                    top.truncate(10);
                    view! {
                        <table class="data" data-testid="balances-top">
                            <caption>{t!(i18n, participation.top_balances)}</caption>
                            <thead><tr><th scope="col" class="num">{t!(i18n, participation.col_household)}</th><th scope="col" class="num">{t!(i18n, participation.col_balance)}</th></tr></thead>
                            <tbody>{top.into_iter().map(|(h, b)| view! { <tr><td class="num">{h}</td><td class="num">{b}</td></tr> }).collect_view()}</tbody>
                        </table>
                    }.into_any()
                }
            }
        }}
    }
}
