//! Paper ballots: typed from the keyboard (Enter saves, focus stays, undo
//! the last one) or imported from a `.pb` file, all or nothing.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::model::Ballot;
use linli_domain::pb::community::{ballots_from_instance, on_ballot};
use linli_domain::pb::paper::{parse_paper_ballot, PaperBallotError};
use linli_domain::pb::Instance;

use super::{open_db, written, ImportNotice, MAX_PB_BYTES};
use crate::browser::now_millis;
use crate::components::WriteGuard;
use crate::db::pb::PbData;
use crate::i18n::*;
use crate::state::use_storage;

#[component]
pub(super) fn BallotEntry(data: Arc<PbData>, period: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let ballot_ids = on_ballot(&data.ds, &period);
    let count = data.ballots.iter().filter(|b| b.period == period).count();
    let next_id = RwSignal::new(crate::db::device::next_among(data.ballots.iter().map(|b| b.id)));
    let text = RwSignal::new(String::new());
    let building = RwSignal::new(None::<u32>);
    let error = RwSignal::new(None::<String>);
    let entered = RwSignal::new(Vec::<Ballot>::new());
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let ids_hint = ballot_ids
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(" ");
    let p2 = period.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let approvals = match parse_paper_ballot(&text.get_untracked(), &ballot_ids) {
            Ok(a) => a,
            Err(PaperBallotError::Empty) => {
                return error.set(Some(t_string!(i18n, pb.ballot_empty).to_owned()));
            }
            Err(PaperBallotError::NotOnBallot(bad)) => {
                return error.set(Some(format!("{}{bad}", t_string!(i18n, pb.ballot_unknown))));
            }
        };
        let b = Ballot {
            id: next_id.get_untracked(),
            period: p2.clone(),
            approvals,
            source: "paper".into(),
            building_id: building.get_untracked(),
            created_at: now_millis(),
        };
        let actor = session.actor();
        spawn_local(async move {
            let Some(db) = storage.db() else { return };
            match written(i18n, db.add_ballot(&b, actor).await) {
                Ok(()) => {
                    // Stay on the form for the next ballot; the count refreshes on leaving.
                    next_id.update(|n| *n += 1);
                    entered.update(|v| v.insert(0, b));
                    text.set(String::new());
                    error.set(None);
                    if let Some(el) = input_ref.get_untracked() {
                        let _ = el.focus();
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let undo = move |_| {
        let Some(last) = entered.get_untracked().first().cloned() else {
            return;
        };
        let actor = session.actor();
        spawn_local(async move {
            let Some(db) = storage.db() else { return };
            match written(i18n, db.undo_ballot(&last, actor).await) {
                Ok(()) => entered.update(|v| {
                    v.remove(0);
                }),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let buildings = data.buildings.clone();
    let import_msg = expect_context::<ImportNotice>().0;
    let on_import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        if file.size() > MAX_PB_BYTES {
            import_msg.set(Some(Err(t_string!(i18n, pb.import_too_large).to_owned())));
            return;
        }
        let data = data.clone();
        let period = period.clone();
        let actor = session.actor();
        import_msg.set(None);
        spawn_local(async move {
            let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(t) => t.as_string().unwrap_or_default(),
                Err(e) => return import_msg.set(Some(Err(format!("{e:?}")))),
            };
            let first_id =
                crate::db::device::next_among(data.ballots.iter().map(|b| b.id)).max(next_id.get_untracked());
            let ballots = Instance::from_pb_str(&text)
                .map_err(|e| format!("{}{e}", t_string!(i18n, pb.import_invalid)))
                .and_then(|inst| {
                    ballots_from_instance(&data.ds, &period, &inst, first_id, now_millis())
                        .map_err(|e| format!("{}{e}", t_string!(i18n, pb.import_refused)))
                });
            let ballots = match ballots {
                Ok(b) => b,
                Err(m) => return import_msg.set(Some(Err(m))),
            };
            let n = ballots.len();
            let r = match open_db(storage) {
                Ok(db) => written(i18n, db.import_ballots(&period, &ballots, actor).await),
                Err(e) => Err(crate::components::db_error::plain(i18n, &e)),
            };
            if r.is_ok() {
                storage.changed();
            }
            import_msg.set(Some(
                r.map(|()| format!("{} {n}", t_string!(i18n, pb.import_done))),
            ));
        });
    };
    view! {
        <section class="card" aria-labelledby="pb-ballots-h">
            <h2 id="pb-ballots-h">{t!(i18n, pb.ballots_title)}</h2>
            <p class="muted">{move || format!("{} {count}", t_string!(i18n, pb.ballots_so_far))}
                " · "{t!(i18n, pb.ballot_numbers)}{ids_hint.clone()}</p>
            <WriteGuard><form class="inline-form" on:submit=on_submit novalidate data-testid="pb-ballot-form">
                <label>{t!(i18n, pb.ballot_label)}
                    <input node_ref=input_ref type="text" inputmode="numeric" autocomplete="off" data-testid="pb-ballot"
                        prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))
                        aria-invalid=move || error.get().is_some().to_string()/>
                </label>
                <label>{t!(i18n, pb.building_label)}
                    <select on:change=move |ev| building.set(event_target_value(&ev).parse().ok())>
                        <option value="">{t!(i18n, pb.not_recorded)}</option>
                        {buildings.iter().map(|b| view! { <option value=b.id.to_string()>{b.name.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit">{t!(i18n, pb.save_ballot)}</button>
                <button type="button" on:click=undo disabled=move || entered.get().is_empty()>{t!(i18n, pb.undo_last)}</button>
            </form></WriteGuard>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert" data-testid="pb-ballot-error">{m}</p> })}
            <WriteGuard><label class="file">{t!(i18n, pb.import_label)}
                <input type="file" accept=".pb,text/plain" data-testid="pb-import" on:change=on_import/>
            </label></WriteGuard>
            {move || match import_msg.get() {
                Some(Ok(m)) => view! { <p class="ok" role="status" data-testid="pb-import-done">{m}</p> }.into_any(),
                Some(Err(m)) => view! { <p class="error" role="alert" data-testid="pb-import-error">{m}</p> }.into_any(),
                None => ().into_any(),
            }}
            <ol class="entered" data-testid="pb-entered" aria-live="polite">
                {move || entered.get().into_iter().take(5).map(|b| view! {
                    <li>{format!("#{} · ", b.id)}{if b.approvals.is_empty() { t_string!(i18n, pb.empty_ballot).to_owned() } else { b.approvals.iter().map(u32::to_string).collect::<Vec<_>>().join(" ") }}</li>
                }).collect_view()}
            </ol>
        </section>
    }
}
