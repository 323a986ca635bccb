//! `#/` — the public dashboard: preview exactly what residents will see, and publish.
//!
//! The preview is the residents' bundle itself (`site/index.html?preview` in a phone-sized
//! frame), sent the snapshot this page would publish by `postMessage`; so the guide sees
//! the very page and figures residents will get. Publishing prepares the publication again
//! at the moment of the click (`linli_domain::snapshot::prepare`, as `linli publish` does:
//! the stored history, the privacy rules, the folder's files) and saves the snapshot record
//! in one transaction; then the folder (the dashboard's files, `snapshot.json`, the
//! history and the notice) is offered as one ZIP to upload to any static host, and the A4
//! notice (公示栏) as a page to print.

mod folder;
mod frame;
mod redact;

use leptos::prelude::*;
use linli_domain::snapshot::changes::{diff, Change, Item};
use linli_domain::snapshot::file;
use linli_domain::snapshot::prepare::{
    next_snapshot, prepare, public_url, stored_history, PrepareError, PrepareOptions, Publication,
};
use linli_domain::snapshot::publish::{self, check_dashboard_url as check_url};

use self::folder::{folder_zip, SITE};
use self::frame::feed_preview;
use self::redact::{BlockedTexts, RedactPanel};
use crate::browser::{download_bytes, focus_after_draw, now_millis};
use crate::components::labels::plan_stage_code;
use crate::components::loaded::load;
use crate::components::WriteGuard;
use crate::db::DbError;
use crate::i18n::*;
use crate::state::use_storage;

/// What would be published now.
#[derive(Debug, Clone, PartialEq)]
struct Facts {
    /// The snapshot file's text.
    text: String,
    sequence: u32,
    sha256: String,
    /// Snapshots published before.
    published_before: usize,
    period: String,
    /// The last published period's number, and what would change against it.
    previous: Option<u32>,
    changes: Vec<Change>,
}

/// Why nothing can be published now: free text holding personal data (each field), or
/// another reason.
#[derive(Debug, Clone, PartialEq)]
enum Blocked {
    Texts(Vec<linli_domain::snapshot::freetext::Hit>),
    Other(String),
}

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    /// A remark, e.g. that publishing was cancelled.
    Note(String),
    Working(String),
    Done(String),
    Error(String),
}

/// A new publishing key (setting `publishing_key`: 32 bytes from the browser's
/// `crypto.getRandomValues`, hex) when `d` has none yet.
fn publishing_key_if_missing(
    d: &linli_domain::dataset::Dataset,
) -> Result<Option<linli_domain::model::Setting>, String> {
    use linli_domain::signing::{seed_to_hex, PUBLISHING_KEY_SETTING};
    if d.settings.iter().any(|s| s.key == PUBLISHING_KEY_SETTING) {
        return Ok(None);
    }
    let mut seed = [0u8; 32];
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut seed).ok())
        .ok_or_else(|| "crypto.getRandomValues".to_owned())?;
    Ok(Some(linli_domain::model::Setting {
        key: PUBLISHING_KEY_SETTING.to_owned(),
        value: serde_json::to_string(&seed_to_hex(&seed)).unwrap_or_default(),
    }))
}

/// The preview and publish page.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let data = load(storage, |db| async move { db.read_all().await });
    let url = RwSignal::new(String::new());
    let url_error = RwSignal::new(false);
    let status = RwSignal::new(Status::Idle);
    let published = RwSignal::new(None::<Publication>);
    let frame = NodeRef::<leptos::html::Iframe>::new();

    // The address field starts from the saved setting.
    Effect::new(move |_| {
        if let Some(d) = data.current.get() {
            if url.get_untracked().is_empty() {
                url.set(public_url(&d).unwrap_or_default());
            }
        }
    });

    // What would be published now, or why nothing can be.
    let preview = Memo::new(move |_| {
        data.current.get().map(|d| {
            let history = stored_history(&d);
            next_snapshot(&d, &history, now_millis(), None)
                .map(|content| {
                    let (text, sha256) = file::encode(&content);
                    // `next_snapshot` has verified the history: its head is the last
                    // publication the new one is compared with.
                    let last = file::verify_chain(&history)
                        .ok()
                        .and_then(|c| c.last().map(|s| s.content.clone()));
                    Facts {
                        text,
                        sequence: content.sequence,
                        sha256,
                        published_before: history.len(),
                        previous: last.as_ref().map(|c| c.sequence),
                        changes: diff(last.as_ref(), &content),
                        period: content.period,
                    }
                })
                .map_err(|e| match e {
                    PrepareError::FreeText(hits) => Blocked::Texts(hits),
                    e => Blocked::Other(e.to_string()),
                })
        })
    });

    // The frame gets the snapshot when it listens, and on every change.
    feed_preview(
        frame,
        Signal::derive(move || {
            preview.with(|p| p.as_ref().and_then(|r| r.as_ref().ok()).map(|f| f.text.clone()))
        }),
    );

    // Publishing asks first, showing what changed since the last publication (issue #17).
    let confirming = RwSignal::new(false);
    let ask = move |_| {
        if check_url(url.get_untracked().trim()).is_err() {
            url_error.set(true);
            focus_after_draw("#public-url");
            return;
        }
        url_error.set(false);
        status.set(Status::Idle);
        confirming.set(true);
        focus_after_draw("[data-testid=publish-confirm-no]");
    };
    let cancel = move || {
        confirming.set(false);
        status.set(Status::Note(
            t_string!(i18n, dashboard.confirm_cancelled).to_string(),
        ));
        focus_after_draw("[data-testid=publish]");
    };
    let publish = move |_| {
        confirming.set(false);
        let address = url.get_untracked().trim().to_owned();
        if check_url(&address).is_err() {
            url_error.set(true);
            return;
        }
        url_error.set(false);
        status.set(Status::Working(t_string!(i18n, dashboard.publishing).to_string()));
        let actor = session.actor();
        leptos::task::spawn_local(async move {
            let result: Result<Publication, String> = async {
                let db = storage
                    .db()
                    .ok_or_else(|| crate::components::db_error::plain(i18n, &DbError::Unavailable))?;
                let mut d = db
                    .read_all()
                    .await
                    .map_err(|e| crate::components::db_error::plain(i18n, &e))?;
                // The first publication makes the community's publishing key (saved with
                // it, in the same transaction); every publication is signed with it.
                let new_key = publishing_key_if_missing(&d)?;
                if let Some(k) = &new_key {
                    d.settings.push(k.clone());
                }
                let opts = PrepareOptions {
                    at: now_millis(),
                    period: None,
                    url: Some(address.clone()),
                };
                let p = prepare(&d, &stored_history(&d), &opts).map_err(|e| e.to_string())?;
                // One transaction; "published" only after it completes.
                db.save_publication(&d, &p, &address, new_key, actor)
                    .await
                    .map_err(|e| crate::components::db_error::plain(i18n, &e))?;
                Ok(p)
            }
            .await;
            match result {
                Ok(p) => {
                    status.set(Status::Done(format!(
                        "{} · SHA-256 {}",
                        t_string!(i18n, dashboard.published_no, n = p.content.sequence),
                        p.sha256
                    )));
                    published.set(Some(p));
                    storage.changed();
                }
                Err(e) => status.set(Status::Error(format!(
                    "{} {e}",
                    t_string!(i18n, dashboard.not_published)
                ))),
            }
        });
    };

    let download_zip = move |_| {
        let Some(p) = published.get_untracked() else {
            return;
        };
        status.set(Status::Working(t_string!(i18n, dashboard.packing).to_string()));
        leptos::task::spawn_local(async move {
            let sequence = p.content.sequence;
            match folder_zip(&p).await {
                Ok(zip) => match download_bytes(
                    &zip,
                    &format!("linli-public-{sequence:06}.zip"),
                    "application/zip",
                ) {
                    Ok(()) => status.set(Status::Done(format!(
                        "{} ({} KiB)",
                        t_string!(i18n, dashboard.folder_downloaded),
                        zip.len() / 1024
                    ))),
                    Err(e) => status.set(Status::Error(format!("{e:?}"))),
                },
                Err(e) => status.set(Status::Error(format!(
                    "{} {e}",
                    t_string!(i18n, dashboard.site_missing)
                ))),
            }
        });
    };

    let open_notice = move |_| {
        let Some(p) = published.get_untracked() else {
            return;
        };
        if let Some(n) = p.files.iter().find(|f| f.path == publish::NOTICE_PATH) {
            let _ = download_bytes(
                &n.bytes,
                &format!("notice-{:06}.html", p.content.sequence),
                "text/html",
            );
        }
    };

    view! {
        <article class="page dashboard publish" data-page="dashboard">
            <h1>{t!(i18n, dashboard.title)}</h1>
            <p class="lead">{t!(i18n, dashboard.lead)}</p>
            <div class="publish-layout">
                <section class="publish-panel" aria-labelledby="publish-h">
                    <h2 id="publish-h">{t!(i18n, dashboard.publish_heading)}</h2>
                    {move || match preview.get() {
                        None => view! { <p role="status" class="muted">{t_string!(i18n, dashboard.reading).to_string()}</p> }.into_any(),
                        Some(Err(Blocked::Texts(hits))) => view! { <BlockedTexts hits=hits/> }.into_any(),
                        Some(Err(Blocked::Other(e))) => view! { <p class="error" role="alert" data-testid="publish-blocked">{format!("{} {e}", t_string!(i18n, dashboard.cannot_build))}</p> }.into_any(),
                        Some(Ok(f)) => view! {
                            <dl class="publish-facts" data-testid="publish-facts">
                                <dt>{t_string!(i18n, dashboard.fact_next).to_string()}</dt><dd>{format!("#{}", f.sequence)}</dd>
                                <dt>{t_string!(i18n, dashboard.fact_period).to_string()}</dt><dd>{f.period}</dd>
                                <dt>{t_string!(i18n, dashboard.fact_published).to_string()}</dt><dd>{f.published_before}</dd>
                                <dt>{t_string!(i18n, dashboard.fact_hash).to_string()}</dt><dd class="hash">{f.sha256[..16].to_owned()}"…"</dd>
                            </dl>
                        }.into_any(),
                    }}
                    <label for="public-url">{t!(i18n, dashboard.url_label)}</label>
                    <input id="public-url" type="url" placeholder="https://example.org/community-a/"
                        aria-invalid=move || url_error.get().to_string() aria-describedby="public-url-msg"
                        prop:value=move || url.get() on:input=move |ev| { url.set(event_target_value(&ev)); url_error.set(false); }/>
                    <p id="public-url-msg" class=move || if url_error.get() { "field-error" } else { "muted" }>
                        {move || if url_error.get() {
                            t_string!(i18n, dashboard.url_invalid).to_string()
                        } else {
                            t_string!(i18n, dashboard.url_help).to_string()
                        }}
                    </p>
                    <WriteGuard><button type="button" class="primary" data-testid="publish"
                        disabled=move || matches!(status.get(), Status::Working(_)) || !matches!(preview.get(), Some(Ok(_)))
                        aria-expanded=move || confirming.get().to_string()
                        on:click=ask>
                        {t!(i18n, dashboard.publish_now)}
                    </button></WriteGuard>
                    {move || confirming.get().then(|| {
                        let facts = preview.get_untracked().and_then(Result::ok);
                        let (next, previous, changes) = facts
                            .map(|f| (f.sequence, f.previous, f.changes))
                            .unwrap_or_default();
                        view! {
                            <div class="confirm publish-confirm" role="alertdialog" aria-modal="false"
                                aria-labelledby="publish-confirm-h" aria-describedby="publish-confirm-d"
                                data-testid="publish-confirm"
                                on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { ev.prevent_default(); cancel(); }>
                                <h3 id="publish-confirm-h">{t_string!(i18n, dashboard.confirm_heading, n = next).to_string()}</h3>
                                <div id="publish-confirm-d">
                                    <ChangeList previous=previous changes=changes/>
                                    <p>{t!(i18n, dashboard.confirm_final)}</p>
                                </div>
                                <div class="actions">
                                    <button type="button" class="primary" data-testid="publish-confirm-yes" on:click=publish>
                                        {t!(i18n, dashboard.confirm_yes)}
                                    </button>
                                    <button type="button" data-testid="publish-confirm-no" on:click=move |_| cancel()>
                                        {t!(i18n, dashboard.confirm_no)}
                                    </button>
                                </div>
                            </div>
                        }
                    })}
                    <div role="status" aria-live="polite" data-testid="publish-status">
                        {move || match status.get() {
                            Status::Idle => ().into_any(),
                            Status::Note(m) => view! { <p class="muted" data-testid="publish-note">{m}</p> }.into_any(),
                            Status::Working(m) => view! { <p class="muted">{m}</p> }.into_any(),
                            Status::Done(m) => view! { <p class="ok">{m}</p> }.into_any(),
                            Status::Error(m) => view! { <p class="error">{m}</p> }.into_any(),
                        }}
                    </div>
                    <Show when=move || published.with(Option::is_some)>
                        <div class="publish-downloads">
                            <button type="button" data-testid="download-folder" on:click=download_zip>
                                {t!(i18n, dashboard.download_folder)}
                            </button>
                            <button type="button" data-testid="download-notice" on:click=open_notice>
                                {t!(i18n, dashboard.download_notice)}
                            </button>
                        </div>
                    </Show>
                    <RedactPanel published=published/>
                </section>
                <section class="publish-preview" aria-labelledby="preview-h">
                    <h2 id="preview-h">{t!(i18n, dashboard.preview_heading)}</h2>
                    <iframe node_ref=frame data-testid="preview" src=format!("{SITE}index.html?preview")
                        title=move || t_string!(i18n, dashboard.preview_title).to_string() width="390" height="760"></iframe>
                </section>
            </div>
        </article>
    }
}

/// What the new publication changes against the last one, in a table (or why there is
/// nothing to compare).
#[component]
fn ChangeList(previous: Option<u32>, changes: Vec<Change>) -> impl IntoView {
    let i18n = use_i18n();
    let Some(prev) = previous else {
        return view! { <p data-testid="publish-changes-first">{t!(i18n, dashboard.confirm_first)}</p> }
            .into_any();
    };
    if changes.is_empty() {
        return view! {
            <p class="same" data-testid="publish-changes-none">{t_string!(i18n, dashboard.confirm_same, n = prev).to_string()}</p>
        }
        .into_any();
    }
    let zh = matches!(i18n.get_locale_untracked(), Locale::zh);
    let rows = changes
        .into_iter()
        .map(|c| {
            let name = if zh {
                c.subject_zh.clone()
            } else {
                c.subject_en.clone()
            };
            let what = change_label(i18n, c.item, &name);
            let (from, to) = if matches!(c.item, Item::PlanStage | Item::PlanNew) {
                (stage_label(i18n, &c.from), stage_label(i18n, &c.to))
            } else if c.item == Item::AllocationStatus {
                (adoption_label(i18n, &c.from), adoption_label(i18n, &c.to))
            } else {
                (c.from, c.to)
            };
            view! { <tr><th scope="row">{what}</th><td class="num">{from}</td><td class="num">{to}</td></tr> }
        })
        .collect_view();
    view! {
        <p>{t_string!(i18n, dashboard.confirm_changes, n = prev).to_string()}</p>
        <div class="table-scroll">
            <table class="publish-changes" data-testid="publish-changes">
                <thead><tr>
                    <th scope="col">{t!(i18n, dashboard.col_item)}</th>
                    <th scope="col" class="num">{t_string!(i18n, dashboard.col_from, n = prev).to_string()}</th>
                    <th scope="col" class="num">{t!(i18n, dashboard.col_to)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The words for a changed item; `name` is the category, plan or indicator.
fn change_label(i18n: leptos_i18n::I18nContext<Locale>, item: Item, name: &str) -> String {
    match item {
        Item::First | Item::Period => t_string!(i18n, dashboard.ch_period).to_string(),
        Item::AllocationStatus => t_string!(i18n, dashboard.ch_allocation_status).to_string(),
        Item::Households => t_string!(i18n, dashboard.ch_households).to_string(),
        Item::Residents => t_string!(i18n, dashboard.ch_residents).to_string(),
        Item::Budget => t_string!(i18n, dashboard.ch_budget).to_string(),
        Item::PlansBudget => t_string!(i18n, dashboard.ch_plans_budget).to_string(),
        Item::PlansSpent => t_string!(i18n, dashboard.ch_plans_spent).to_string(),
        Item::RequestsTotal => t_string!(i18n, dashboard.ch_requests_total).to_string(),
        Item::RequestsClosed => t_string!(i18n, dashboard.ch_requests_closed).to_string(),
        Item::Category => t_string!(i18n, dashboard.ch_category, name = name).to_string(),
        Item::PlanNew => t_string!(i18n, dashboard.ch_plan_new, name = name).to_string(),
        Item::PlanStage => t_string!(i18n, dashboard.ch_plan_stage, name = name).to_string(),
        Item::PlanBudget => t_string!(i18n, dashboard.ch_plan_budget, name = name).to_string(),
        Item::PlanSpent => t_string!(i18n, dashboard.ch_plan_spent, name = name).to_string(),
        Item::PbOutcomes => t_string!(i18n, dashboard.ch_pb).to_string(),
        Item::ReserveReleases => t_string!(i18n, dashboard.ch_reserve).to_string(),
        Item::Ratings => t_string!(i18n, dashboard.ch_ratings).to_string(),
        Item::Satisfied => t_string!(i18n, dashboard.ch_satisfied).to_string(),
        Item::Indicator => t_string!(i18n, dashboard.ch_indicator, name = name).to_string(),
        Item::Coverage => t_string!(i18n, dashboard.ch_coverage, name = name).to_string(),
    }
}

/// A published plan stage code in words (the code itself if no stage has it).
fn stage_label(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    plan_stage_code(i18n, code).unwrap_or_else(|| code.to_owned())
}

/// Whether an allocation is adopted, in words.
fn adoption_label(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    if code == linli_domain::snapshot::ADOPTED {
        t_string!(i18n, dashboard.adopted).to_string()
    } else {
        t_string!(i18n, dashboard.not_adopted).to_string()
    }
}
