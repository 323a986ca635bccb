//! The settings page's 同步 section (issue #19): exchange sync files with another
//! device of the community, "changes since our last exchange", merged with the domain's
//! rules (never replacing), byte-compatible with `linli sync-file export|import`.
//!
//! The exchange runs on the whole dataset in memory (`linli_domain::replication::local`,
//! the code the CLI runs): read in one read-only transaction ([`crate::db::Db::read_all`]),
//! written back in one read-write transaction with its history entry
//! ([`crate::state::Storage::replace_all_recorded`]). The documents are sealed with the
//! community data key while the workspace is protected; a workspace without a passphrase
//! (the demo) uses a sync key the guide types or generates here, kept in memory only.

use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

use linli_domain::replication::local::{self, Author, Exchange, Open, Status, SyncKeys};
use linli_domain::replication::merge::FlagReason;
use linli_domain::replication::syncfile::SyncFile;

use super::backup::acting;
use super::conflict_text::{self, Names};
use crate::browser::{download, now_millis, random_bytes};
use crate::components::WriteGuard;
use crate::db::history_entry;
use crate::i18n::*;
use crate::state::use_storage;

#[derive(Debug, Clone)]
enum Run {
    Idle,
    Working,
    Exported {
        file: String,
        docs: usize,
    },
    Imported {
        written: u64,
        held: u64,
        ex: Box<Status>,
        edits: u64,
        renumbered: usize,
    },
    Resolved,
    Failed(String),
}

pub(super) fn root_key(typed: &str) -> Option<[u8; 32]> {
    if let Some(dk) = crate::db::cipher::data_key() {
        return Some(*dk.as_bytes());
    }
    local::parse_hex_key(typed)
}

fn fresh_name() -> String {
    format!("device:{}", local::hex(&random_bytes::<8>()))
}

fn nonce() -> Option<[u8; local::NONCE]> {
    Some(random_bytes::<{ local::NONCE }>())
}

/// The sync section.
#[component]
pub(super) fn SyncSection() -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let status = RwSignal::new(None::<Status>);
    // The tab's typed sync key (memory only), kept across visits of the page.
    let key = crate::state::use_sync().typed_key;
    let server_url = RwSignal::new(super::sync_server::remembered().0);
    let peer = RwSignal::new(String::new());
    let run = RwSignal::new(Run::Idle);
    let protected = crate::db::cipher::active();

    Effect::new(move |_| {
        let _ = storage.revision.get();
        if let Some(db) = storage.db() {
            spawn_local(async move {
                if let Ok(s) = db.sync_status().await {
                    status.set(s);
                }
            });
        }
    });

    let key_error = move || {
        (!protected && !key.with(|k| k.trim().is_empty()) && local::parse_hex_key(&key.get()).is_none())
            .then(|| t_string!(i18n, settings.sync_key_invalid).to_owned())
    };
    let key_ready = move || protected || key.with(|k| local::parse_hex_key(k).is_some());
    let busy = move || matches!(run.get(), Run::Working);

    let exchanged = move |ex: &Exchange, action: &'static str, summary: String| {
        let entry = history_entry(now_millis(), acting(i18n, session), "dataset", 0, action, summary);
        let ds = ex.dataset.clone();
        async move { storage.replace_all_recorded(&ds, entry).await }
    };

    let on_export = move |_| {
        let p = peer.get_untracked().trim().to_owned();
        let Some(root) = root_key(&key.get_untracked()) else {
            return;
        };
        if p.is_empty() {
            return;
        }
        run.set(Run::Working);
        spawn_local(async move {
            crate::browser::paint().await;
            let Some(db) = storage.db() else { return };
            let ds = match db.read_all_with_replica().await {
                Ok(d) => d,
                Err(e) => return run.set(Run::Failed(crate::components::db_error::plain(i18n, &e))),
            };
            let keys = SyncKeys::from_root(&root);
            let who = Author {
                by: acting(i18n, session),
                device: crate::db::device::number(),
                at: now_millis(),
            };
            let (file, ex) = match local::export_file(&keys, &ds, &fresh_name(), &p, &who, &mut nonce) {
                Ok(x) => x,
                Err(e) => return run.set(Run::Failed(e.to_string())),
            };
            let text = match serde_json::to_string(&file) {
                Ok(t) => t,
                Err(e) => return run.set(Run::Failed(e.to_string())),
            };
            if let Err(e) = exchanged(&ex, "sync_export", format!("{} → {p}", file.from)).await {
                return run.set(Run::Failed(crate::components::db_error::plain(i18n, &e)));
            }
            let safe: String = p
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            let name = format!("linli-sync-{safe}-{}.json", file.seq);
            if let Err(e) = download(&text, &name, "application/json") {
                return run.set(Run::Failed(format!("{e:?}")));
            }
            status.set(Some(ex.status));
            run.set(Run::Exported {
                file: name,
                docs: file.docs.len(),
            });
        });
    };

    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(f) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        let Some(root) = root_key(&key.get_untracked()) else {
            return;
        };
        run.set(Run::Working);
        spawn_local(async move {
            let text = match wasm_bindgen_futures::JsFuture::from(f.text()).await {
                Ok(t) => t.as_string().unwrap_or_default(),
                Err(e) => return run.set(Run::Failed(crate::db::DbError::from_js(e).to_string())),
            };
            let Ok(file) = serde_json::from_str::<SyncFile>(&text) else {
                return run.set(Run::Failed(t_string!(i18n, settings.sync_not_a_file).to_owned()));
            };
            let Some(db) = storage.db() else { return };
            let ds = match db.read_all_with_replica().await {
                Ok(d) => d,
                Err(e) => return run.set(Run::Failed(crate::components::db_error::plain(i18n, &e))),
            };
            let keys = SyncKeys::from_root(&root);
            let who = Author {
                by: acting(i18n, session),
                device: crate::db::device::number(),
                at: now_millis(),
            };
            let (stats, ex) = match local::import_file(&keys, &ds, &fresh_name(), &file, &who, &mut nonce) {
                Ok(x) => x,
                Err(local::LocalError::Sealed(_)) => {
                    return run.set(Run::Failed(t_string!(i18n, settings.sync_wrong_key).to_owned()))
                }
                Err(local::LocalError::File(linli_domain::replication::syncfile::SyncError::OwnFile)) => {
                    return run.set(Run::Failed(t_string!(i18n, settings.sync_own_file).to_owned()))
                }
                Err(e) => return run.set(Run::Failed(e.to_string())),
            };
            let summary = format!("{} ← {}: {}", ex.status.replica, file.from, stats.written);
            if let Err(e) = exchanged(&ex, "sync_import", summary).await {
                return run.set(Run::Failed(crate::components::db_error::plain(i18n, &e)));
            }
            status.set(Some(ex.status.clone()));
            run.set(Run::Imported {
                written: stats.written,
                held: stats.already_held,
                edits: ex.local_edits,
                renumbered: ex.renumbered,
                ex: Box::new(ex.status),
            });
        });
    };

    // The conflict view: both values of every conflicted field, a choice per field, one
    // save per record (recorded in the history).
    let open = RwSignal::new(None::<Result<(Vec<Open>, Names), String>>);
    let choices = RwSignal::new(BTreeMap::<(String, String, String), serde_json::Value>::new());
    let load_open = move || {
        let Some(root) = root_key(&key.get_untracked()) else {
            return;
        };
        spawn_local(async move {
            let Some(db) = storage.db() else { return };
            let r = match db.read_all_with_replica().await {
                Ok(ds) => local::open_conflicts(&SyncKeys::from_root(&root), &ds)
                    .map(|list| {
                        let names = Names::of(&ds, &list);
                        (list, names)
                    })
                    .map_err(|e| e.to_string()),
                Err(e) => Err(crate::components::db_error::plain(i18n, &e)),
            };
            choices.set(BTreeMap::new());
            open.set(Some(r));
        });
    };
    let resolve = move |store: String, rkey: String| {
        let Some(root) = root_key(&key.get_untracked()) else {
            return;
        };
        let picked: BTreeMap<String, serde_json::Value> = choices.with_untracked(|c| {
            c.iter()
                .filter(|((s, k, _), _)| *s == store && *k == rkey)
                .map(|((_, _, f), v)| (f.clone(), v.clone()))
                .collect()
        });
        run.set(Run::Working);
        spawn_local(async move {
            let Some(db) = storage.db() else { return };
            let ds = match db.read_all_with_replica().await {
                Ok(d) => d,
                Err(e) => return run.set(Run::Failed(crate::components::db_error::plain(i18n, &e))),
            };
            let keys = SyncKeys::from_root(&root);
            let who = Author {
                by: acting(i18n, session),
                device: crate::db::device::number(),
                at: now_millis(),
            };
            let fields: Vec<String> = picked.keys().cloned().collect();
            let ex = match local::resolve_record(&keys, &ds, (&store, &rkey), &picked, &who, &mut nonce) {
                Ok(x) => x,
                Err(e) => return run.set(Run::Failed(e.to_string())),
            };
            let summary = format!("{store} {rkey}: {}", fields.join(", "));
            if let Err(e) = exchanged(&ex, "sync_resolve", summary).await {
                return run.set(Run::Failed(crate::components::db_error::plain(i18n, &e)));
            }
            status.set(Some(ex.status));
            run.set(Run::Resolved);
            load_open();
        });
    };

    let status_line = move || {
        status.with(|s| match s {
            None => view! { <p class="muted" data-testid="sync-status">{t!(i18n, settings.sync_never)}</p> }.into_any(),
            Some(s) => {
                let at = linli_domain::requests::calendar::local_datetime(s.at);
                view! {
                    <p data-testid="sync-status" data-conflicts=s.waiting.len().to_string() data-flags=s.flags.len().to_string()>
                        {t!(i18n, settings.sync_device_id)}" "<code data-testid="sync-replica">{s.replica.clone()}</code>" · "
                        {t_string!(i18n, settings.sync_last, at = at)}" · "
                        {t_string!(i18n, settings.sync_waiting, n = s.waiting.len(), m = s.flags.len())}
                    </p>
                }
                .into_any()
            }
        })
    };

    let result = move || {
        match run.get() {
        Run::Idle => ().into_any(),
        Run::Working => view! { <p role="status">{t!(i18n, common.working)}</p> }.into_any(),
        Run::Exported { file, docs } => view! {
            <p class="ok" role="status" data-testid="sync-exported" data-docs=docs.to_string()>
                {t_string!(i18n, settings.sync_exported, n = docs)}" "<code>{file}</code>
            </p>
        }
        .into_any(),
        Run::Imported { written, held, ex, edits, renumbered } => {
            let (nc, nf) = (ex.waiting.len().to_string(), ex.flags.len().to_string());
            view! {
            <div role="status" data-testid="sync-imported" data-written=written.to_string() data-conflicts=nc
                data-flags=nf>
                <p class="ok">{t_string!(i18n, settings.sync_imported, written = written, held = held, edits = edits)}</p>
                {(renumbered > 0).then(|| view! { <p>{t_string!(i18n, settings.sync_renumbered, n = renumbered)}</p> })}
                <ConflictList status=*ex/>
            </div>
        }
        .into_any()
        }
        Run::Resolved => view! { <p class="ok" role="status" data-testid="sync-resolved">{t!(i18n, settings.sync_resolved)}</p> }.into_any(),
        Run::Failed(e) => view! {
            <p class="error" role="alert" data-testid="sync-error">{t!(i18n, common.status_error)}<code>{e}</code></p>
        }
        .into_any(),
    }
    };

    let generate = move |_| key.set(local::hex(&random_bytes::<32>()));

    view! {
        <section aria-labelledby="sync-h" id="sync" data-testid="sync">
            <h2 id="sync-h">{t!(i18n, settings.sync_title)}</h2>
            <p>{t!(i18n, settings.sync_intro)}</p>
            {status_line}
            {(!protected).then(|| view! {
                <div class="field">
                    <label for="sync-key">{t!(i18n, settings.sync_key)}</label>
                    <input id="sync-key" type="text" autocomplete="off" spellcheck="false" data-testid="sync-key"
                        aria-describedby="sync-key-help" aria-invalid=move || key_error().is_some().to_string()
                        prop:value=move || key.get() on:input=move |ev| key.set(event_target_value(&ev))/>
                    <button type="button" on:click=generate data-testid="sync-key-generate">{t!(i18n, settings.sync_key_generate)}</button>
                    <p id="sync-key-help" class="muted small">{t!(i18n, settings.sync_key_help)}</p>
                    {move || key_error().map(|m| view! { <p class="error" role="alert" data-testid="sync-key-error">{m}</p> })}
                </div>
            })}
            <div class="field">
                <label for="sync-peer">{t!(i18n, settings.sync_peer)}</label>
                <input id="sync-peer" type="text" autocomplete="off" spellcheck="false" data-testid="sync-peer"
                    list="sync-peers" prop:value=move || peer.get() on:input=move |ev| peer.set(event_target_value(&ev))/>
                <datalist id="sync-peers">
                    {move || status.with(|s| s.as_ref().map(|s| s.peers.keys().map(|p| view! { <option value=p.clone()/> }).collect_view()))}
                </datalist>
                <p class="muted small">{t!(i18n, settings.sync_peer_help)}</p>
            </div>
            <div class="actions">
                <WriteGuard>
                    <button on:click=on_export data-testid="sync-export"
                        disabled=move || busy() || !key_ready() || peer.with(|p| p.trim().is_empty())>
                        {t!(i18n, settings.sync_export)}
                    </button>
                    <label class="button file">
                        {t!(i18n, settings.sync_import)}
                        <input type="file" accept=".json,application/json" data-testid="sync-file"
                            on:change=on_file disabled=move || busy() || !key_ready()/>
                    </label>
                </WriteGuard>
            </div>
            <div aria-live="polite">{result}</div>
            <super::sync_server::ServerSync key=key url=server_url/>
            <super::enrol::Enrol key=key server_url=server_url/>
            {move || status.get().filter(|s| !s.waiting.is_empty() || !s.flags.is_empty()).map(|s| {
                let any_waiting = !s.waiting.is_empty();
                view! {
                <h3>{t!(i18n, settings.sync_conflicts_title)}</h3>
                <ConflictList status=s/>
                {any_waiting.then(|| view! {
                    <button on:click=move |_| load_open() data-testid="sync-show-values" disabled=move || !key_ready()>
                        {t!(i18n, settings.sync_show_values)}
                    </button>
                })}
                }
            })}
            {move || open.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{t!(i18n, common.status_error)}<code>{e}</code></p> }.into_any(),
                Ok((list, _)) if list.is_empty() => view! { <p class="ok" data-testid="sync-no-conflicts">{t!(i18n, settings.sync_no_conflicts)}</p> }.into_any(),
                Ok((list, names)) => list.into_iter().map(|o| {
                    let (store, rkey) = (o.store.clone(), o.key.clone());
                    let fields: Vec<String> = o.conflicts.iter().map(|c| c.field.clone()).collect();
                    let all_chosen = {
                        let (store, rkey, fields) = (store.clone(), rkey.clone(), fields.clone());
                        move || choices.with(|c| fields.iter().all(|f| c.contains_key(&(store.clone(), rkey.clone(), f.clone()))))
                    };
                    let rows = o.conflicts.into_iter().map(|c| {
                        let name = format!("pick-{}-{}-{}", o.store, o.key, c.field);
                        let opt = |v: serde_json::Value, by: String, which: &'static str| {
                            let k = (o.store.clone(), o.key.clone(), c.field.clone());
                            let raw = match &v { serde_json::Value::String(s) => s.clone(), other => other.to_string() };
                            let shown = conflict_text::value(i18n, &names, &o.store, &c.field, &v);
                            view! {
                                <label class="choice">
                                    <input type="radio" name=name.clone() data-testid=format!("sync-pick-{which}")
                                        data-value=raw
                                        on:change=move |_| choices.update(|m| { m.insert(k.clone(), v.clone()); })/>
                                    " "<span data-testid="sync-pick-text">{shown}</span>" "<span class="muted small">{t_string!(i18n, settings.sync_set_by, by = by)}</span>
                                </label>
                            }
                        };
                        view! {
                            <fieldset data-testid="sync-open-field" data-field=c.field.clone()>
                                <legend>{conflict_text::field(i18n, &o.store, &c.field)}</legend>
                                {opt(c.ours.clone(), c.by_ours.clone(), "ours")}
                                {opt(c.theirs.clone(), c.by_theirs.clone(), "theirs")}
                            </fieldset>
                        }
                    }).collect_view();
                    let (s2, k2) = (store.clone(), rkey.clone());
                    view! {
                        <div class="confirm" data-testid="sync-open" data-store=store.clone() data-key=rkey.clone()>
                            <p data-testid="sync-open-title">{t_string!(i18n, settings.sync_open_record, record = conflict_text::record(i18n, &names, &store, &rkey))}</p>
                            {rows}
                            <WriteGuard>
                                <button data-testid="sync-resolve" disabled=move || !all_chosen() || busy()
                                    on:click=move |_| resolve(s2.clone(), k2.clone())>
                                    {t!(i18n, settings.sync_resolve)}
                                </button>
                            </WriteGuard>
                        </div>
                    }
                }).collect_view().into_any(),
            })}
        </section>
    }
}

/// The conflicts and flagged ledger entries an exchange left (no values: who and where;
/// the record's page shows the current value).
#[component]
fn ConflictList(status: Status) -> impl IntoView {
    let i18n = use_i18n();
    let rows = status
        .waiting
        .iter()
        .map(|w| {
            view! {
                <tr data-testid="sync-conflict" data-store=w.store.clone() data-key=w.key.clone() data-field=w.field.clone()>
                    <td>{conflict_text::store(i18n, &w.store)}</td><td>{w.key.clone()}</td><td>{conflict_text::field(i18n, &w.store, &w.field)}</td>
                    <td>{w.by_ours.clone()}</td><td>{w.by_theirs.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let flags = status
        .flags
        .iter()
        .map(|f| {
            let why = match &f.reason {
                FlagReason::Overdrawn { balance } => t_string!(i18n, settings.sync_flag_overdrawn, n = *balance),
                FlagReason::OutOfStock { item } => t_string!(i18n, settings.sync_flag_stock, item = item.clone()),
                FlagReason::DoubleReversal { reverses } => {
                    t_string!(i18n, settings.sync_flag_reversal, n = *reverses)
                }
                FlagReason::TimeOverdrawn { balance } => t_string!(i18n, settings.sync_flag_time, n = *balance),
            };
            view! {
                <li data-testid="sync-flag" data-entry=f.entry.to_string() data-household=f.household.to_string()>
                    {t_string!(i18n, settings.sync_flag_line, entry = f.entry, household = f.household)}" "{why}
                </li>
            }
        })
        .collect_view();
    view! {
        {(!status.waiting.is_empty()).then(|| view! {
            <table class="data" data-testid="sync-conflicts">
                <caption>{t!(i18n, settings.sync_conflicts_caption)}</caption>
                <thead><tr>
                    <th scope="col">{t!(i18n, settings.sync_col_store)}</th>
                    <th scope="col">{t!(i18n, settings.sync_col_key)}</th>
                    <th scope="col">{t!(i18n, settings.sync_col_field)}</th>
                    <th scope="col">{t!(i18n, settings.sync_col_ours)}</th>
                    <th scope="col">{t!(i18n, settings.sync_col_theirs)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        })}
        {(!status.flags.is_empty()).then(|| view! { <ul data-testid="sync-flags">{flags}</ul> })}
    }
}
