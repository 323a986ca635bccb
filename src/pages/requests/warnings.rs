//! Indicators and warnings (complaint rate, satisfaction) and the improvement
//! items they open, moved through PDCA with a note per stage.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::requests::calendar::local_datetime;
use linli_domain::requests::satisfaction;
use linli_domain::warnings::{complaint_rate, PdcaError, PdcaStage};

use super::{Ctx, Current};
use crate::browser::now_millis;
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::loaded::Shared;
use crate::components::WriteGuard;
use crate::db::requests as store;
use crate::i18n::*;
use crate::state::use_storage;

fn pdca_name(i18n: Ctx, s: PdcaStage) -> &'static str {
    match s {
        PdcaStage::Plan => t_string!(i18n, requests.pdca_plan),
        PdcaStage::Do => t_string!(i18n, requests.pdca_do),
        PdcaStage::Check => t_string!(i18n, requests.pdca_check),
        PdcaStage::Act => t_string!(i18n, requests.pdca_act),
        PdcaStage::Closed => t_string!(i18n, requests.pdca_closed),
    }
}

#[component]
pub(super) fn WarningsView(current: Current) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let notes = RwSignal::new(BTreeMap::<u32, String>::new());
    let msg: Msg = RwSignal::new(None);
    let advance_pdca = move |item_id: u32| {
        let note = notes.with_untracked(|n| n.get(&item_id).cloned().unwrap_or_default());
        let Some(db) = storage.db() else { return };
        let now = now_millis();
        spawn_local(async move {
            match store::advance_improvement(&db, item_id, note, now, session.actor()).await {
                Ok(Ok(stage)) => {
                    notes.update(|n| {
                        n.remove(&item_id);
                    });
                    say(
                        msg,
                        Ok(format!(
                            "{}{}",
                            t_string!(i18n, requests.item_now),
                            pdca_name(i18n, stage)
                        )),
                    );
                    storage.changed();
                }
                Ok(Err(PdcaError::NoNote)) => say(msg, Err(t_string!(i18n, requests.err_no_note).to_owned())),
                Ok(Err(e)) => say(msg, Err(e.to_string())),
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    move || {
        let Shared(d) = current.get()?;
        let now = now_millis();
        let (months, rising) = complaint_rate(&d.requests, d.households, now);
        let s = satisfaction::recent(&d.requests, now);
        let items = d.items.clone();
        Some(view! {
            <section class="card" aria-labelledby="req-warn-h" data-testid="req-warnings">
                <h2 id="req-warn-h">{t!(i18n, requests.warnings_heading)}</h2>
                <p class=if rising { "warning" } else { "muted" } data-testid="req-complaint-rate">
                    {if rising { t_string!(i18n, requests.complaints_rising) } else { t_string!(i18n, requests.complaints_steady) }}
                    {months.iter().map(|m| format!("{}{}{}‰ ", m.month, t_string!(i18n, common.sep_colon), m.per_thousand)).collect::<String>()}
                </p>
                <p class=if s.below_target() { "warning" } else { "muted" } data-testid="req-satisfaction">
                    {t_string!(i18n, requests.satisfaction_line, pct = format!("{}.{}", s.permille / 10, s.permille % 10), rated = s.rated)}
                </p>
                <h3>{t!(i18n, requests.items_heading)}</h3>
                {match items {
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(items) if items.is_empty() => view! { <p class="empty">{t!(i18n, requests.no_items)}</p> }.into_any(),
                    Ok(items) => view! {
                        <ul class="pdca" data-testid="pdca-items">{items.into_iter().rev().map(|it| {
                            let id = it.id;
                            let open = it.stage != PdcaStage::Closed;
                            view! {
                                <li>
                                    <strong>{format!("#{id} ")}{pdca_name(i18n, it.stage)}</strong>" · "{it.detail.clone()}" · "{local_datetime(it.opened_at)}
                                    <ol>{it.steps.iter().map(|st| view! { <li>{pdca_name(i18n, st.stage)}{t!(i18n, common.sep_colon)}{st.note.clone()}</li> }).collect_view()}</ol>
                                    {open.then(|| view! {
                                        <WriteGuard><div class="inline-form">
                                            <label>{t!(i18n, requests.stage_note)}
                                                <input type="text" prop:value=move || notes.with(|n| n.get(&id).cloned().unwrap_or_default())
                                                    on:input=move |ev| { let v = event_target_value(&ev); notes.update(|n| { n.insert(id, v); }); }/></label>
                                            <button type="button" on:click=move |_| advance_pdca(id)>{t!(i18n, requests.next_stage)}</button>
                                        </div></WriteGuard>
                                    })}
                                </li>
                            }
                        }).collect_view()}</ul>
                    }.into_any(),
                }}
                {msg_view(msg, "pdca-msg")}
            </section>
        })
    }
}
