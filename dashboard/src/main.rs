//! The residents' dashboard bundle: loads `snapshot.json` next to the page, verifies it
//! and its link to the previous snapshot, and shows it (see the crate docs).

use std::sync::Arc;

use leptos::prelude::*;
use linli_dashboard::{cst_day, fetch_bytes, ChainStatus, Dashboard, Lang, LoadError, LoadErrorView};
use linli_domain::snapshot::file::{self, Snapshot};
use linli_domain::snapshot::publish::{HistoryIndex, INDEX_PATH, SNAPSHOT_PATH};
use wasm_bindgen::JsCast;

async fn load() -> Result<Snapshot, LoadError> {
    let bytes = fetch_bytes(SNAPSHOT_PATH).await.map_err(LoadError::Missing)?;
    let mut s = file::decode(&bytes).map_err(LoadError::Decode)?;
    linli_dashboard::mark_redactions(&mut s.content);
    Ok(s)
}

/// Whether a fetch error is the host's answer (an HTTP error status: the file is not
/// there), not the network's failure (offline).
fn answered(e: &str) -> bool {
    // `fetch_bytes` ends a status error with the status code.
    e.as_bytes().last().is_some_and(u8::is_ascii_digit)
}

/// Fetches the history index and the snapshot this one names as its predecessor, and
/// checks that it hashes to that value. A host that answers with an error status for
/// either is "not verifiable"; no answer at all is "offline, not checked".
async fn check_chain(s: &Snapshot) -> ChainStatus {
    let Some(prev) = s.content.previous_sha256.clone() else {
        return ChainStatus::First;
    };
    let index = match fetch_bytes(INDEX_PATH).await {
        Ok(i) => i,
        Err(e) if answered(&e) => return ChainStatus::NotVerifiable,
        Err(_) => return ChainStatus::Unchecked,
    };
    let Ok(index) = serde_json::from_slice::<HistoryIndex>(&index) else {
        return ChainStatus::Broken("snapshots/index.json".to_owned());
    };
    let Some(entry) = index.snapshots.iter().find(|e| e.sha256 == prev) else {
        return ChainStatus::Broken(format!("{}…", &prev[..prev.len().min(16)]));
    };
    if entry.file.contains("..") || entry.file.starts_with('/') || entry.file.contains(':') {
        return ChainStatus::Broken(entry.file.clone());
    }
    match fetch_bytes(&entry.file).await {
        Err(e) if answered(&e) => ChainStatus::NotVerifiable,
        Err(_) => ChainStatus::Unchecked,
        Ok(bytes) => match file::decode(&bytes) {
            Ok(p) if p.sha256 == prev && p.content.sequence + 1 == s.content.sequence => {
                ChainStatus::Verified {
                    previous_sequence: p.content.sequence,
                }
            }
            Ok(_) => ChainStatus::Broken(entry.file.clone()),
            Err(e) => ChainStatus::Broken(format!("{}: {}", entry.file, e.code())),
        },
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn performance_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// `?preview`: the workspace shows this page in a frame before publishing and sends the
/// snapshot it would publish by `postMessage` (same origin only) instead of a file.
fn preview_mode() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|s| s.contains("preview"))
}

/// Listens for `{type: "linli-preview", snapshot: "<file text>"}` from the same origin,
/// and tells the parent it is ready.
fn listen_for_preview(snapshot: RwSignal<Option<Result<Arc<Snapshot>, LoadError>>>) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsValue;
    let Some(window) = web_sys::window() else { return };
    let origin = window.location().origin().unwrap_or_default();
    let own = origin.clone();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        if ev.origin() != own {
            return;
        }
        let data = ev.data();
        let kind = js_sys::Reflect::get(&data, &JsValue::from_str("type"))
            .ok()
            .and_then(|v| v.as_string());
        if kind.as_deref() != Some("linli-preview") {
            return;
        }
        if let Some(text) = js_sys::Reflect::get(&data, &JsValue::from_str("snapshot"))
            .ok()
            .and_then(|v| v.as_string())
        {
            snapshot.set(Some(
                file::decode(text.as_bytes())
                    .map(|mut s| {
                        linli_dashboard::mark_redactions(&mut s.content);
                        Arc::new(s)
                    })
                    .map_err(LoadError::Decode),
            ));
        }
    });
    let _ = window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    // The page lives as long as the listener.
    on_message.forget();
    if let Ok(Some(parent)) = window.parent() {
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(
            &msg,
            &JsValue::from_str("type"),
            &JsValue::from_str("linli-preview-ready"),
        );
        let _ = parent.post_message(&msg, &origin);
    }
}

/// Where the language choice is kept between visits.
const LANG_KEY: &str = "linli-dashboard-lang";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The language at start: the first view's switch if the resident used it while the code
/// loaded, else the choice kept from an earlier visit, else Chinese.
fn initial_lang() -> Lang {
    let boot = document()
        .get_element_by_id("boot-en")
        .and_then(|e| js_sys::Reflect::get(&e, &wasm_bindgen::JsValue::from_str("checked")).ok())
        .and_then(|v| v.as_bool());
    if boot == Some(true) {
        return Lang::En;
    }
    match storage()
        .and_then(|s| s.get_item(LANG_KEY).ok().flatten())
        .as_deref()
    {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

#[component]
fn App(lang: Lang) -> impl IntoView {
    let lang = RwSignal::new(lang);
    let preview = preview_mode();
    let chain = RwSignal::new(if preview {
        ChainStatus::Preview
    } else {
        ChainStatus::Checking
    });
    // Shared, not cloned: the signal hands out the same snapshot on every render.
    let snapshot = RwSignal::new(None::<Result<Arc<Snapshot>, LoadError>>);
    if preview {
        listen_for_preview(snapshot);
    } else {
        wasm_bindgen_futures::spawn_local(async move {
            let s = load().await.map(Arc::new);
            if let Ok(s) = &s {
                let s = Arc::clone(s);
                wasm_bindgen_futures::spawn_local(async move {
                    let status = check_chain(&s).await;
                    // For `trust.js` (loaded after the page): the head shown, and whether
                    // its chain verified.
                    if let Some(m) = document().get_element_by_id("main") {
                        let ok = matches!(status, ChainStatus::First | ChainStatus::Verified { .. });
                        let _ = m.set_attribute("data-verified", if ok { "1" } else { "0" });
                        let _ = m.set_attribute("data-head", &format!("{}-{}", s.content.sequence, s.sha256));
                    }
                    chain.set(status);
                });
            }
            snapshot.set(Some(s));
        });
    }
    Effect::new(move |_| {
        let html = document().document_element();
        if let Some(html) = html {
            let _ = html.set_attribute("lang", if lang.get() == Lang::Zh { "zh-CN" } else { "en" });
        }
        let l = lang.get();
        document().set_title(linli_dashboard::tr(
            l,
            "社区公示看板 · 邻里",
            "Community dashboard · Linli",
        ));
        if let Some(s) = storage() {
            let _ = s.set_item(LANG_KEY, if l == Lang::Zh { "zh" } else { "en" });
        }
    });
    view! {
        <main id="main" data-testid="dashboard">
            {move || match snapshot.get() {
                None => view! {
                    <button type="button" class="lang float" on:click=move |_| lang.update(|x| *x = if *x == Lang::Zh { Lang::En } else { Lang::Zh })>
                        {move || linli_dashboard::tr(lang.get(), "English", "中文")}
                    </button>
                    <p class="loading" role="status">{move || linli_dashboard::tr(lang.get(), "正在加载公示数据…", "Loading the published data…")}</p>
                }.into_any(),
                Some(Err(e)) => view! { <LoadErrorView error=e lang=lang/> }.into_any(),
                Some(Ok(s)) => {
                    // Time the charts and the page from the loaded snapshot to the end of
                    // the synchronous render (a microtask runs right after it).
                    let t0 = performance_now();
                    let v = view! { <Dashboard snapshot=s chain=chain lang=lang today=cst_day(now_ms())/> };
                    let cb = wasm_bindgen::closure::Closure::once(move |_: wasm_bindgen::JsValue| {
                        let ms = performance_now() - t0;
                        if let Some(m) = document().get_element_by_id("main") {
                            let _ = m.set_attribute("data-render-ms", &linli_dashboard::ms2(ms));
                        }
                    });
                    let _ = js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL).then(&cb);
                    // Runs once; the closure is small and lives as long as the page.
                    cb.forget();
                    v.into_any()
                }
            }}
        </main>
    }
}

fn main() {
    console_error_panic_hook::set_once();
    // Read before the first view goes: its switch may have been used.
    let lang = initial_lang();
    if let Some(boot) = document().get_element_by_id("boot") {
        boot.remove();
    }
    leptos::mount::mount_to_body(move || view! { <App lang=lang/> });
}
