//! The period's participatory budget: shown, edited and saved.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::money::{format_yuan, parse_yuan};
use linli_domain::pb::community::budgets;

use super::{open_db, written};
use crate::components::money::money_error;
use crate::components::WriteGuard;
use crate::db::pb::PbData;
use crate::i18n::*;
use crate::state::use_storage;

#[component]
pub(super) fn BudgetEditor(data: Arc<PbData>, period: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let all = budgets(&data.settings);
    let damaged = all.is_err();
    let current = all.as_ref().ok().and_then(|b| b.get(&period).copied());
    let text = RwSignal::new(
        current
            .map(|f| format!("{}.{:02}", f / 100, f % 100))
            .unwrap_or_default(),
    );
    let msg = RwSignal::new(None::<Result<String, String>>);
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let fen = match parse_yuan(&text.get_untracked()) {
            Ok(0) => return msg.set(Some(Err(t_string!(i18n, pb.budget_positive).to_owned()))),
            Ok(f) => f,
            Err(e) => return msg.set(Some(Err(money_error(i18n, e)))),
        };
        let mut map = all.clone().unwrap_or_default();
        map.insert(period.clone(), fen);
        let period = period.clone();
        let actor = session.actor();
        spawn_local(async move {
            let r = match open_db(storage) {
                Ok(db) => written(i18n, db.save_pb_budgets(&map, &period, fen, actor).await),
                Err(e) => Err(crate::components::db_error::plain(i18n, &e)),
            };
            if r.is_ok() {
                storage.changed();
            }
            msg.set(Some(r.map(|()| t_string!(i18n, pb.saved).to_owned())));
        });
    };
    view! {
        <section class="card" aria-labelledby="pb-budget-h">
            <h2 id="pb-budget-h">{t!(i18n, pb.budget_title)}</h2>
            {damaged.then(|| view! { <p class="error" role="alert">{t!(i18n, pb.budget_damaged)}</p> })}
            <WriteGuard><form class="inline-form" on:submit=on_save novalidate>
                <label>{t!(i18n, pb.budget_label)}
                    <input type="text" inputmode="decimal" data-testid="pb-budget" prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                        aria-invalid=move || matches!(msg.get(), Some(Err(_))).to_string()/>
                </label>
                <button type="submit">{t!(i18n, pb.budget_save)}</button>
                {move || match msg.get() {
                    Some(Ok(m)) => view! { <span class="ok" role="status">{m}</span> }.into_any(),
                    Some(Err(m)) => view! { <span class="field-error" role="alert">{m}</span> }.into_any(),
                    None => ().into_any(),
                }}
            </form></WriteGuard>
            <p class="muted">{move || current.map(format_yuan).unwrap_or_else(|| t_string!(i18n, pb.not_set).to_owned())}</p>
        </section>
    }
}
