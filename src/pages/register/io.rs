//! Register CSV export and import: validation with progress and cancel,
//! then one transaction (also cancellable) — never half a register.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeSet;

use linli_domain::register_csv::against::{choose, compare, Standing};
use linli_domain::register_csv::{Headers, ImportLimits, ImportReport, ImportResult, Importer};

use crate::browser::{download, now_millis};
use crate::components::history::field_label;
use crate::components::labels;
use crate::components::{PlainImportWarning, WriteGuard};
use crate::db::register::ImportContext;
use crate::db::DbError;
use crate::i18n::*;
use crate::state::use_storage;

/// Rows validated between two yields to the browser.
const ROWS_PER_STEP: usize = 2_000;

/// An imported household that would change one in the register: shown for the
/// guide to choose, never written without that choice.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Changed {
    id: u32,
    room: String,
    contact: String,
    fields: Vec<&'static str>,
}

#[derive(Debug, Clone)]
enum Import {
    Idle,
    Checking {
        rows: u64,
        permille: u32,
    },
    /// Validated; these rows would change existing households. The validated
    /// import waits in a stored value (it may hold 100,000 households).
    Review {
        changed: Vec<Changed>,
        new: usize,
        same: usize,
    },
    Writing,
    Done {
        households: usize,
        buildings: usize,
        same: usize,
        kept: usize,
    },
    Refused(ImportReport),
    Cancelled,
    Failed(String),
}

/// Message for an import error code in the user's language: the CSV's own
/// codes, else the household form's (the importer validates every row with
/// the form's rules and reports the form's codes).
fn code_text(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    macro_rules! m {
        ($($c:literal => $k:ident),* $(,)?) => {
            match code { $($c => t_string!(i18n, common.$k).to_string(),)* other => labels::field_error(i18n, other) }
        };
    }
    m!(
        "empty_file" => csv_e_empty_file, "not_utf8" => csv_e_not_utf8,
        "unterminated_quote" => csv_e_unterminated_quote, "cell_too_large" => csv_e_cell_too_large,
        "too_many_rows" => csv_e_too_many_rows, "too_many_columns" => csv_e_too_many_columns,
        "missing_column" => csv_e_missing_column, "unknown_column" => csv_e_unknown_column,
        "duplicate_column" => csv_e_duplicate_column, "no_rows" => csv_e_no_rows,
        "cell_without_header" => csv_e_cell_without_header, "required" => csv_e_required,
        "bad_number" => csv_e_bad_number, "out_of_range" => csv_e_out_of_range,
        "unknown_value" => csv_e_unknown_value, "unknown_category" => csv_e_unknown_category,
        "bad_need" => csv_e_bad_need, "duplicate_need" => csv_e_duplicate_need,
        "birth_year_in_future" => csv_e_birth_year_in_future, "birth_year_too_old" => csv_e_birth_year_too_old,
        "duplicate_household_id" => csv_e_duplicate_household_id, "member_incomplete" => csv_e_member_incomplete,
        "no_free_id" => csv_e_no_free_id,
    )
}

/// Lets the browser paint and handle clicks between validation steps.
async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback(&resolve);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Export and import buttons with progress, cancel and the error report.
#[component]
pub fn RegisterIo() -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let state = RwSignal::new(Import::Idle);
    let exported = RwSignal::new(None::<String>);
    let cancel = StoredValue::new_local(Rc::new(Cell::new(false)));
    let abort_tx = StoredValue::new_local(None::<web_sys::IdbTransaction>);
    // A validated import waiting for the guide's choice, with its standings.
    let waiting = StoredValue::new_local(None::<(ImportResult, Vec<Standing>)>);
    let picked = RwSignal::new(BTreeSet::<u32>::new());

    // Writes what `choose` keeps in one transaction (cancellable until it completes).
    let write =
        move |result: ImportResult, standings: Vec<Standing>, update: BTreeSet<u32>, flag: Rc<Cell<bool>>| {
            spawn_local(async move {
                let Some(db) = storage.db() else { return };
                let same = standings.iter().filter(|s| **s == Standing::Unchanged).count();
                let updates: Vec<(u32, Vec<&'static str>)> = result
                    .households
                    .iter()
                    .zip(&standings)
                    .filter_map(|(h, s)| match s {
                        Standing::Changes(f) if update.contains(&h.id) => Some((h.id, f.clone())),
                        _ => None,
                    })
                    .collect();
                let changed = standings
                    .iter()
                    .filter(|s| matches!(s, Standing::Changes(_)))
                    .count();
                let kept = changed - updates.len();
                let mut result = choose(result, &standings, &update);
                state.set(Import::Writing);
                let now = now_millis();
                for h in &mut result.households {
                    h.updated_at = now;
                }
                let pending = match db.begin_import(&result, &updates, session.actor(), now) {
                    Ok(p) => p,
                    Err(e) => {
                        state.set(Import::Failed(crate::components::db_error::plain(i18n, &e)));
                        return;
                    }
                };
                abort_tx.set_value(Some(pending.abort_handle()));
                let outcome = pending.finish().await;
                abort_tx.set_value(None);
                match outcome {
                    Ok(()) => {
                        state.set(Import::Done {
                            households: result.households.len(),
                            buildings: result.new_buildings.len(),
                            same,
                            kept,
                        });
                        storage.changed();
                    }
                    Err(_) if flag.get() => state.set(Import::Cancelled),
                    Err(e) => state.set(Import::Failed(crate::components::db_error::plain(i18n, &e))),
                }
            });
        };

    let export = move |headers: Headers| {
        spawn_local(async move {
            let Some(db) = storage.db() else { return };
            match db.register_csv(headers).await {
                Ok(text) => {
                    let name = "linli-households.csv".to_owned();
                    match download(&text, &name, "text/csv;charset=utf-8") {
                        Ok(()) => exported.set(Some(name)),
                        Err(e) => state.set(Import::Failed(crate::components::db_error::plain(
                            i18n,
                            &DbError::from_js(e),
                        ))),
                    }
                }
                Err(e) => state.set(Import::Failed(crate::components::db_error::plain(i18n, &e))),
            }
        });
    };

    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        let flag = Rc::new(Cell::new(false));
        cancel.set_value(flag.clone());
        state.set(Import::Checking { rows: 0, permille: 0 });
        spawn_local(async move {
            let Some(db) = storage.db() else { return };
            let bytes = match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                Ok(buf) => js_sys::Uint8Array::new(&buf).to_vec(),
                Err(e) => {
                    state.set(Import::Failed(crate::components::db_error::plain(
                        i18n,
                        &DbError::from_js(e),
                    )));
                    return;
                }
            };
            let ImportContext {
                buildings,
                grids,
                categories,
            } = match db.import_context().await {
                Ok(x) => x,
                Err(e) => {
                    state.set(Import::Failed(crate::components::db_error::plain(i18n, &e)));
                    return;
                }
            };
            let year = i64::from(js_sys::Date::new_0().get_full_year());
            let limits = ImportLimits {
                categories,
                ..ImportLimits::default()
            };
            // 1. Validate every row, yielding to the browser between steps.
            let mut importer = Importer::new(&bytes, &buildings, &grids, year, &limits);
            loop {
                let p = importer.step(ROWS_PER_STEP);
                let permille = if p.total_bytes == 0 {
                    1000
                } else {
                    (p.bytes_done as u64 * 1000 / p.total_bytes as u64) as u32
                };
                state.set(Import::Checking {
                    rows: p.rows_done,
                    permille,
                });
                if p.done {
                    break;
                }
                yield_now().await;
                if flag.get() {
                    state.set(Import::Cancelled);
                    return;
                }
            }
            let result = match importer.finish() {
                Ok(r) => r,
                Err(report) => {
                    state.set(Import::Refused(report));
                    return;
                }
            };
            if flag.get() {
                state.set(Import::Cancelled);
                return;
            }
            // 2. Against the register: an existing household is only updated by choice.
            let existing = match db.households().await {
                Ok(h) => h,
                Err(e) => {
                    state.set(Import::Failed(crate::components::db_error::plain(i18n, &e)));
                    return;
                }
            };
            let standings = compare(&result.households, &existing);
            let changed: Vec<Changed> = result
                .households
                .iter()
                .zip(&standings)
                .filter_map(|(h, s)| match s {
                    Standing::Changes(fields) => Some(Changed {
                        id: h.id,
                        room: format!("{}-{}", h.unit, h.room),
                        contact: h.contact_name.clone(),
                        fields: fields.clone(),
                    }),
                    _ => None,
                })
                .collect();
            if changed.is_empty() {
                // 3. One transaction: new grids and buildings, households, history.
                write(result, standings, BTreeSet::new(), flag);
            } else {
                let new = standings.iter().filter(|s| **s == Standing::New).count();
                let same = standings.iter().filter(|s| **s == Standing::Unchanged).count();
                picked.set(BTreeSet::new());
                waiting.set_value(Some((result, standings)));
                state.set(Import::Review { changed, new, same });
            }
        });
    };

    let on_confirm = move |_| {
        let Some((result, standings)) = waiting.try_update_value(Option::take).flatten() else {
            return;
        };
        let flag = Rc::new(Cell::new(false));
        cancel.set_value(flag.clone());
        write(result, standings, picked.get_untracked(), flag);
    };
    let on_drop = move |_| {
        waiting.set_value(None);
        state.set(Import::Cancelled);
    };

    let on_cancel = move |_| {
        cancel.with_value(|f| f.set(true));
        if let Some(tx) = abort_tx.get_value() {
            let _ = tx.abort();
        }
    };
    let busy = move || {
        matches!(
            state.get(),
            Import::Checking { .. } | Import::Writing | Import::Review { .. }
        )
    };

    view! {
        <section aria-labelledby="csv-h" class="register-io">
            <h2 id="csv-h">{t!(i18n, common.csv_title)}</h2>
            <p>{t!(i18n, common.csv_intro)}</p>
            <div class="actions">
                <button on:click=move |_| export(Headers::Chinese) data-testid="csv-export">{t!(i18n, common.csv_export_zh)}</button>
                <button on:click=move |_| export(Headers::English)>{t!(i18n, common.csv_export_en)}</button>
                <WriteGuard><label class="button file">
                    {t!(i18n, common.csv_import)}
                    <input type="file" accept=".csv,text/csv" data-testid="csv-file" on:change=on_file disabled=busy/>
                </label></WriteGuard>
            </div>
            <PlainImportWarning/>
            <div aria-live="polite">
                {move || exported.get().map(|n| view! { <p class="ok" role="status">{t!(i18n, common.csv_exported)}<code>{n}</code></p> })}
                {move || match state.get() {
                    Import::Idle => ().into_any(),
                    Import::Checking { rows, permille } => view! {
                        <div class="progress-row" role="status">
                            <label for="csv-progress">{t!(i18n, common.csv_checking)}" "{rows}" "{t!(i18n, common.csv_rows)}</label>
                            <progress id="csv-progress" max="1000" value=permille.to_string() data-testid="csv-progress"></progress>
                            <button on:click=on_cancel data-testid="csv-cancel">{t!(i18n, common.csv_cancel)}</button>
                        </div>
                    }.into_any(),
                    Import::Writing => view! {
                        <div class="progress-row" role="status">
                            <span class="spinner" aria-hidden="true"></span>{t!(i18n, common.csv_writing)}
                            <button on:click=on_cancel data-testid="csv-cancel">{t!(i18n, common.csv_cancel)}</button>
                        </div>
                    }.into_any(),
                    Import::Review { changed, new, same } => {
                        let all: BTreeSet<u32> = changed.iter().map(|c| c.id).collect();
                        let n = changed.len();
                        view! {
                            <div class="csv-review" role="group" aria-labelledby="csv-review-h" data-testid="csv-review">
                                <h3 id="csv-review-h">{t!(i18n, common.csv_review_title, n = n)}</h3>
                                <p>{t!(i18n, common.csv_review_intro, new = new, same = same)}</p>
                                <div class="actions">
                                    <button on:click={let all = all.clone(); move |_| picked.set(all.clone())} data-testid="csv-review-all">{t!(i18n, common.csv_review_all)}</button>
                                    <button on:click=move |_| picked.set(BTreeSet::new()) data-testid="csv-review-none">{t!(i18n, common.csv_review_none)}</button>
                                </div>
                                <table class="counts report">
                                    <thead><tr>
                                        <th scope="col">{t!(i18n, common.csv_review_update)}</th>
                                        <th scope="col">{t!(i18n, common.csv_review_id)}</th>
                                        <th scope="col">{t!(i18n, common.csv_review_room)}</th>
                                        <th scope="col">{t!(i18n, common.csv_review_contact)}</th>
                                        <th scope="col">{t!(i18n, common.csv_review_fields)}</th>
                                    </tr></thead>
                                    <tbody>{changed.into_iter().map(|c| {
                                        let id = c.id;
                                        let sep = t_string!(i18n, common.sep_list).to_string();
                                        let fields = c.fields.iter().map(|f| field_label(i18n, f)).collect::<Vec<_>>().join(&sep);
                                        view! {
                                            <tr data-testid="csv-review-row" data-id=id.to_string()>
                                                <td><input type="checkbox" id=format!("csv-upd-{id}")
                                                    prop:checked=move || picked.with(|p| p.contains(&id))
                                                    on:change=move |ev| { let on = event_target_checked(&ev); picked.update(|p| { if on { p.insert(id); } else { p.remove(&id); } }); }/></td>
                                                <td><label for=format!("csv-upd-{id}")>{id}</label></td>
                                                <td>{c.room}</td>
                                                <td>{c.contact}</td>
                                                <td>{fields}</td>
                                            </tr>
                                        }
                                    }).collect_view()}</tbody>
                                </table>
                                <p role="status" data-testid="csv-review-count">{move || t_string!(i18n, common.csv_review_count, chosen = picked.with(BTreeSet::len), kept = n - picked.with(BTreeSet::len)).to_string()}</p>
                                <div class="actions">
                                    <button class="primary" on:click=on_confirm data-testid="csv-review-go">{t!(i18n, common.csv_review_go)}</button>
                                    <button on:click=on_drop data-testid="csv-review-drop">{t!(i18n, common.csv_cancel)}</button>
                                </div>
                            </div>
                        }.into_any()
                    }
                    Import::Done { households, buildings, same, kept } => view! {
                        <p class="ok" role="status" data-testid="csv-done">
                            {t!(i18n, common.csv_done)}{households}" "{t!(i18n, common.csv_households)}{t!(i18n, common.sep_clause)}{buildings}" "{t!(i18n, common.csv_new_buildings)}
                            {(same > 0).then(|| view! { {t!(i18n, common.sep_clause)}{t!(i18n, common.csv_same, n = same)} })}
                            {(kept > 0).then(|| view! { {t!(i18n, common.sep_clause)}{t!(i18n, common.csv_kept, n = kept)} })}
                        </p>
                    }.into_any(),
                    Import::Cancelled => view! { <p role="status" data-testid="csv-cancelled">{t!(i18n, common.csv_cancelled)}</p> }.into_any(),
                    Import::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                    Import::Refused(report) => {
                        let omitted = report.omitted();
                        view! {
                            <div class="error-report" role="alert" data-testid="csv-refused">
                                <p class="error">{t!(i18n, common.csv_refused)}{report.total_errors}</p>
                                <table class="counts report">
                                    <thead><tr><th scope="col">{t!(i18n, common.csv_row)}</th><th scope="col">{t!(i18n, common.csv_col)}</th><th scope="col">{t!(i18n, common.csv_reason)}</th></tr></thead>
                                    <tbody>{report.errors.iter().map(|e| {
                                        let code = e.code.as_str();
                                        view! {
                                            <tr>
                                                <td>{e.row.map(|r| r.to_string()).unwrap_or_default()}</td>
                                                <td>{e.column.clone().unwrap_or_default()}</td>
                                                <td>{move || code_text(i18n, code)}" "<span class="muted">{e.message.clone()}</span></td>
                                            </tr>
                                        }
                                    }).collect_view()}</tbody>
                                </table>
                                {(omitted > 0).then(|| view! { <p>{t!(i18n, common.csv_more)}{omitted}</p> })}
                            </div>
                        }.into_any()
                    }
                }}
            </div>
        </section>
    }
}
