//! `#/` — the public dashboard: preview exactly what residents will see, and publish.
//!
//! The preview is the residents' bundle itself (`site/index.html?preview` in a phone-sized
//! frame), sent the snapshot this page would publish by `postMessage`; so the guide sees
//! the very page and figures residents will get. Publishing builds the snapshot again at
//! the moment of the click, checks the stored history and the privacy rules, and saves the
//! snapshot record in one transaction; then the folder (the dashboard's files, `snapshot.json`,
//! the history and the notice) is offered as one ZIP to upload to any static host, and the
//! A4 notice (公示栏) as a page to print.

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::dataset::Dataset;
use linli_domain::model::{AuditEntry, Setting, SnapshotRecord};
use linli_domain::snapshot::publish::{self, check_dashboard_url as check_url, site_files, OutFile};
use linli_domain::snapshot::{self, file, BuildOptions};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser::{download_bytes, now_millis};
use crate::components::labels::is_zh;
use crate::db::{Batch, DbError};
use crate::i18n::*;
use crate::state::use_storage;
use linli_dashboard::fetch_bytes;

/// The setting with the dashboard's public address (JSON string), also read by
/// `linli publish`.
pub const PUBLIC_URL_KEY: &str = "public_url";
/// Where the residents' bundle is, relative to the workspace.
const SITE: &str = "site/";

fn tr(i18n: I18nContext<Locale>, zh: &str, en: &str) -> String {
    if is_zh(i18n) { zh } else { en }.to_owned()
}

/// The history of published snapshots (file texts, oldest first) and the snapshot to
/// publish now.
fn prepare(d: &Dataset, at: i64) -> Result<(Vec<String>, snapshot::Content), String> {
    let mut recs = d.snapshots.clone();
    recs.sort_by_key(|r| r.id);
    let history: Vec<String> = recs.into_iter().map(|r| r.json).collect();
    let chain = file::verify_chain(&history).map_err(|e| format!("published history: {e}"))?;
    let mut opts = BuildOptions::at(at);
    opts.previous = chain.last().map(|s| (s.content.sequence, s.sha256.clone()));
    let content = snapshot::build(d, &opts).map_err(|e| e.to_string())?;
    let violations = snapshot::privacy::check(&content);
    if !violations.is_empty() {
        let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
        return Err(format!("privacy: {}", list.join("; ")));
    }
    Ok((history, content))
}

fn setting_url(d: &Dataset) -> String {
    d.settings
        .iter()
        .find(|s| s.key == PUBLIC_URL_KEY)
        .and_then(|s| serde_json::from_str::<String>(&s.value).ok())
        .unwrap_or_default()
}

/// A published snapshot's files, kept for the downloads.
#[derive(Clone)]
struct Published {
    content: snapshot::Content,
    sequence: u32,
    sha256: String,
    files: Vec<OutFile>,
}

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Working(String),
    Done(String),
    Error(String),
}

/// The published folder as one ZIP: the dashboard's files and the publication's.
async fn folder_zip(p: &Published) -> Result<Vec<u8>, String> {
    let html = fetch_bytes(&format!("{SITE}index.html")).await?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for name in site_files(&String::from_utf8_lossy(&html)) {
        let bytes = if name == "index.html" {
            // With the first view (title, lead, headline figures) written in.
            publish::prerender_index(&String::from_utf8_lossy(&html), &p.content).into_bytes()
        } else {
            fetch_bytes(&format!("{SITE}{name}")).await?
        };
        files.push((name, bytes));
    }
    for f in &p.files {
        files.push((f.path.clone(), f.bytes.clone()));
    }
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let (t, d) = linli_domain::zipfile::dos_datetime(now_millis());
    linli_domain::zipfile::write(&refs, t, d).map_err(|e| e.to_string())
}

/// The preview and publish page.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let data = storage.resource(|db| async move { db.read_all().await.ok() });
    let url = RwSignal::new(String::new());
    let url_error = RwSignal::new(false);
    let status = RwSignal::new(Status::Idle);
    let published = RwSignal::new(None::<Published>);
    let frame_ready = RwSignal::new(false);
    let frame = NodeRef::<leptos::html::Iframe>::new();

    // The address field starts from the saved setting.
    Effect::new(move |_| {
        if let Some(Some(d)) = data.get() {
            if url.get_untracked().is_empty() {
                url.set(setting_url(&d));
            }
        }
    });

    // What would be published now: (file text, sequence, sha256, history length) or an error.
    let preview = Memo::new(move |_| {
        data.get().flatten().map(|d| {
            prepare(&d, now_millis()).map(|(history, content)| {
                let (text, sha) = file::encode(&content);
                (text, content.sequence, sha, history.len(), content.period.clone())
            })
        })
    });

    // The frame says when it listens; then (and on every change) it gets the snapshot.
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let own = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        let kind = js_sys::Reflect::get(&ev.data(), &JsValue::from_str("type"))
            .ok()
            .and_then(|v| v.as_string());
        if ev.origin() == own && kind.as_deref() == Some("linli-preview-ready") {
            frame_ready.set(true);
        }
    });
    let listener: js_sys::Function = on_message.as_ref().unchecked_ref::<js_sys::Function>().clone();
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("message", &listener);
    }
    let keep = StoredValue::new_local(Some(on_message));
    on_cleanup(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback("message", &listener);
        }
        keep.update_value(|c| *c = None);
    });
    Effect::new(move |_| {
        let ready = frame_ready.get();
        let text = preview.with(|p| p.as_ref().and_then(|r| r.as_ref().ok()).map(|r| r.0.clone()));
        if let (true, Some(text), Some(el)) = (ready, text, frame.get()) {
            if let Some(win) = el.content_window() {
                let msg = js_sys::Object::new();
                let _ = js_sys::Reflect::set(
                    &msg,
                    &JsValue::from_str("type"),
                    &JsValue::from_str("linli-preview"),
                );
                let _ = js_sys::Reflect::set(&msg, &JsValue::from_str("snapshot"), &JsValue::from_str(&text));
                let origin = web_sys::window()
                    .and_then(|w| w.location().origin().ok())
                    .unwrap_or_default();
                let _ = win.post_message(&msg, &origin);
            }
        }
    });

    let publish = move |_| {
        let address = url.get_untracked().trim().to_owned();
        if check_url(&address).is_err() {
            url_error.set(true);
            return;
        }
        url_error.set(false);
        status.set(Status::Working(tr(i18n, "正在发布…", "Publishing…")));
        let actor = t_string!(i18n, actor_default).to_string();
        leptos::task::spawn_local(async move {
            let result: Result<Published, String> = async {
                let db = storage.db().ok_or_else(|| DbError::Unavailable.to_string())?;
                let d = db.read_all().await.map_err(|e| e.to_string())?;
                let at = now_millis();
                let (history, content) = prepare(&d, at)?;
                let files = publish::folder(
                    &history,
                    &content,
                    (!address.is_empty()).then_some(address.as_str()),
                )
                .map_err(|e| e.to_string())?;
                let (text, sha) = file::encode(&content);
                let id = d.snapshots.iter().map(|r| r.id).max().unwrap_or(0) + 1;
                let audit_id = d.audit_log.iter().map(|a| a.id).max().unwrap_or(0) + 1;
                let mut batch = Batch::default();
                let fail = |e: DbError| format!("{}: {e}", e.name());
                batch
                    .add(
                        "snapshots",
                        &SnapshotRecord {
                            id,
                            published_at: at,
                            sha256: sha.clone(),
                            previous_sha256: content.previous_sha256.clone(),
                            json: text,
                        },
                    )
                    .map_err(fail)?;
                batch
                    .put(
                        "settings",
                        &Setting {
                            key: PUBLIC_URL_KEY.to_owned(),
                            value: serde_json::to_string(&address).unwrap_or_default(),
                        },
                    )
                    .map_err(fail)?;
                batch
                    .add(
                        "audit_log",
                        &AuditEntry {
                            id: audit_id,
                            at,
                            actor,
                            entity: "snapshots".into(),
                            entity_id: id,
                            action: "publish".into(),
                            summary: format!("#{} {}", content.sequence, &sha[..16]),
                        },
                    )
                    .map_err(fail)?;
                // One transaction; "published" only after it completes. A second tab
                // publishing at the same time fails here (the id is taken), changing nothing.
                db.commit(batch).await.map_err(fail)?;
                Ok(Published {
                    sequence: content.sequence,
                    content: content.clone(),
                    sha256: sha,
                    files,
                })
            }
            .await;
            match result {
                Ok(p) => {
                    status.set(Status::Done(format!(
                        "{} {} · SHA-256 {}",
                        tr(i18n, "已发布第", "Published no."),
                        p.sequence,
                        p.sha256
                    )));
                    published.set(Some(p));
                    storage.changed();
                }
                Err(e) => status.set(Status::Error(format!(
                    "{} {e}",
                    tr(i18n, "未发布，数据未改动：", "Not published, nothing changed:")
                ))),
            }
        });
    };

    let download_zip = move |_| {
        let Some(p) = published.get_untracked() else {
            return;
        };
        status.set(Status::Working(tr(
            i18n,
            "正在打包发布文件夹…",
            "Packing the folder…",
        )));
        leptos::task::spawn_local(async move {
            match folder_zip(&p).await {
                Ok(zip) => match download_bytes(
                    &zip,
                    &format!("linli-public-{:06}.zip", p.sequence),
                    "application/zip",
                ) {
                    Ok(()) => status.set(Status::Done(format!(
                        "{} ({} KiB)",
                        tr(
                            i18n,
                            "发布文件夹已下载，解压后上传到任意静态网站即可",
                            "Folder downloaded: unzip it and upload it to any static host"
                        ),
                        zip.len() / 1024
                    ))),
                    Err(e) => status.set(Status::Error(format!("{e:?}"))),
                },
                Err(e) => status.set(Status::Error(format!(
                    "{} {e}",
                    tr(
                        i18n,
                        "无法读取看板文件（site/），请先构建：",
                        "Cannot read the dashboard files (site/); build them first:"
                    )
                ))),
            }
        });
    };

    let open_notice = move |_| {
        let Some(p) = published.get_untracked() else {
            return;
        };
        if let Some(n) = p.files.iter().find(|f| f.path == publish::NOTICE_PATH) {
            let _ = download_bytes(&n.bytes, &format!("notice-{:06}.html", p.sequence), "text/html");
        }
    };

    view! {
        <article class="page dashboard publish" data-page="dashboard">
            <h1>{move || tr(i18n, "公示看板：预览与发布", "Public dashboard: preview and publish")}</h1>
            <p class="lead">{move || tr(i18n,
                "右侧是居民将看到的看板（手机尺寸），数字来自当前数据。发布会保存一期快照（含上一期的校验码），并生成可上传到任意静态网站的文件夹与 A4 公示栏。",
                "On the right: the dashboard residents will see (phone size), from the current data. Publishing saves a snapshot (sealing the previous one's hash) and makes a folder for any static host and an A4 notice.")}</p>
            <div class="publish-layout">
                <section class="publish-panel" aria-labelledby="publish-h">
                    <h2 id="publish-h">{move || tr(i18n, "发布", "Publish")}</h2>
                    {move || match preview.get() {
                        None => view! { <p role="status" class="muted">{tr(i18n, "正在读取数据…", "Reading the data…")}</p> }.into_any(),
                        Some(Err(e)) => view! { <p class="error" role="alert" data-testid="publish-blocked">{format!("{} {e}", tr(i18n, "无法生成公示：", "Cannot build the snapshot:"))}</p> }.into_any(),
                        Some(Ok((_, seq, sha, prev, period))) => view! {
                            <dl class="publish-facts" data-testid="publish-facts">
                                <dt>{tr(i18n, "将发布", "Next publication")}</dt><dd>{format!("#{seq}")}</dd>
                                <dt>{tr(i18n, "资金周期", "Period")}</dt><dd>{period}</dd>
                                <dt>{tr(i18n, "已发布期数", "Published so far")}</dt><dd>{prev}</dd>
                                <dt>{tr(i18n, "预览校验码", "Preview hash")}</dt><dd class="hash">{sha[..16].to_owned()}"…"</dd>
                            </dl>
                        }.into_any(),
                    }}
                    <label for="public-url">{move || tr(i18n, "看板网址（用于公示栏二维码）", "Dashboard address (for the notice's QR code)")}</label>
                    <input id="public-url" type="url" placeholder="https://example.org/community-a/"
                        aria-invalid=move || url_error.get().to_string() aria-describedby="public-url-msg"
                        prop:value=move || url.get() on:input=move |ev| { url.set(event_target_value(&ev)); url_error.set(false); }/>
                    <p id="public-url-msg" class=move || if url_error.get() { "field-error" } else { "muted" }>
                        {move || if url_error.get() {
                            tr(i18n, "请填写以 https:// 或 http:// 开头的完整网址，或留空（公示栏不印二维码）。", "Enter a full address starting with https:// or http://, or leave it empty (no QR code).")
                        } else {
                            tr(i18n, "可留空；填写后公示栏会印出指向看板的二维码。", "Optional; with it the notice carries a QR code to the dashboard.")
                        }}
                    </p>
                    <button type="button" class="primary" data-testid="publish"
                        disabled=move || matches!(status.get(), Status::Working(_)) || !matches!(preview.get(), Some(Ok(_)))
                        on:click=publish>
                        {move || tr(i18n, "发布本期公示", "Publish now")}
                    </button>
                    <div role="status" aria-live="polite" data-testid="publish-status">
                        {move || match status.get() {
                            Status::Idle => ().into_any(),
                            Status::Working(m) => view! { <p class="muted">{m}</p> }.into_any(),
                            Status::Done(m) => view! { <p class="ok">{m}</p> }.into_any(),
                            Status::Error(m) => view! { <p class="error">{m}</p> }.into_any(),
                        }}
                    </div>
                    <Show when=move || published.with(Option::is_some)>
                        <div class="publish-downloads">
                            <button type="button" data-testid="download-folder" on:click=download_zip>
                                {move || tr(i18n, "下载发布文件夹（ZIP）", "Download the folder (ZIP)")}
                            </button>
                            <button type="button" data-testid="download-notice" on:click=open_notice>
                                {move || tr(i18n, "下载 A4 公示栏（打开后打印）", "Download the A4 notice (open and print)")}
                            </button>
                        </div>
                    </Show>
                </section>
                <section class="publish-preview" aria-labelledby="preview-h">
                    <h2 id="preview-h">{move || tr(i18n, "居民看到的看板（预览）", "What residents see (preview)")}</h2>
                    <iframe node_ref=frame data-testid="preview" src=format!("{SITE}index.html?preview")
                        title=move || tr(i18n, "公示看板预览", "Dashboard preview") width="390" height="760"></iframe>
                </section>
            </div>
        </article>
    }
}
