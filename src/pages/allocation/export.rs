//! Export and save: the allocation, fairness and cost-sharing tables as CSV, and saving
//! the run (inputs and outputs, so that it can be verified later).

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::alloc::export::{allocation_csv, cost_sharing_csv, fairness_csv, CsvLabels};
use linli_domain::alloc::run_record;

use super::format::{lang, Ctx};
use super::{open_db, written, Computed};
use crate::browser::{download, now_millis};
use crate::components::labels;
use crate::components::WriteGuard;
use crate::db::DbError;
use crate::i18n::*;
use crate::state::use_storage;

/// Offers a CSV file for download; returns the message to show.
fn offer_csv(i18n: Ctx, text: &str, name: &str) -> Result<String, String> {
    download(text, name, "text/csv;charset=utf-8")
        .map(|()| format!("{}{name}", t_string!(i18n, allocation.exported)))
        .map_err(|e| crate::components::db_error::plain(i18n, &DbError::from_js(e)))
}

/// The export buttons and "save this run".
#[component]
pub fn ExportSection(computed: Arc<Computed>) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let export_msg = RwSignal::new(None::<Result<String, String>>);
    let c7 = computed.clone();
    let export = move |which: &'static str| {
        let c = c7.clone();
        move |_| {
            let group = move |g: &str| labels::group(i18n, g);
            let labels = CsvLabels {
                lang: lang(i18n),
                categories: &c.categories,
                group: &group,
            };
            let (text, name) = match which {
                "allocation" => (
                    allocation_csv(&c.result, &labels),
                    format!("linli-allocation-{}.csv", c.period),
                ),
                "fairness" => (
                    fairness_csv(&c.result, &labels),
                    format!("linli-fairness-{}.csv", c.period),
                ),
                _ => (
                    cost_sharing_csv(&c.result, &labels),
                    format!("linli-cost-sharing-{}.csv", c.period),
                ),
            };
            export_msg.set(Some(offer_csv(i18n, &text, &name)));
        }
    };

    let save_msg = RwSignal::new(None::<Result<u32, String>>);
    let saving = RwSignal::new(false);
    let on_save_run = move |_| {
        let c = computed.clone();
        saving.set(true);
        let actor = session.actor();
        spawn_local(async move {
            let result = match open_db(storage) {
                Ok(db) => {
                    let make = |id| run_record(&c.inputs, &c.config, &c.result, id, now_millis());
                    written(storage, db.save_allocation_run(make, actor).await)
                }
                Err(e) => Err(e),
            };
            saving.set(false);
            save_msg.set(Some(
                result.map_err(|e| crate::components::db_error::plain(i18n, &e)),
            ));
        });
    };

    view! {
        <section class="sub" aria-labelledby="alloc-export-h">
            <h3 id="alloc-export-h">{t!(i18n, allocation.export_and_save)}</h3>
            <div class="actions">
                <button type="button" data-testid="csv-allocation" on:click=export("allocation")>{t!(i18n, allocation.export_allocation_csv)}</button>
                <button type="button" data-testid="csv-fairness" on:click=export("fairness")>{t!(i18n, allocation.export_fairness_csv)}</button>
                <button type="button" data-testid="csv-cost" on:click=export("cost")>{t!(i18n, allocation.export_cost_sharing_csv)}</button>
            </div>
            {move || export_msg.get().map(|m| match m {
                Ok(t) => view! { <p class="ok" role="status">{t}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            })}
            <div class="actions">
                <WriteGuard><button type="button" class="primary" data-testid="alloc-save-run" on:click=on_save_run disabled=move || saving.get()>
                    {t!(i18n, allocation.save_this_run)}</button></WriteGuard>
                {move || match save_msg.get() {
                    Some(Ok(id)) => view! { <span class="ok" role="status" data-testid="alloc-run-saved">{move || t_string!(i18n, allocation.run_saved, id = id).to_string()}</span> }.into_any(),
                    Some(Err(e)) => view! { <span class="error" role="alert">{e}</span> }.into_any(),
                    None => ().into_any(),
                }}
            </div>
            <p class="muted small">{t!(i18n, allocation.a_stored_run_keeps_all_its)}</p>
        </section>
    }
}
