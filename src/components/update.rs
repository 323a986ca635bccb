//! The workspace's service worker (`public/sw.js`, ARCHITECTURE.md "Offline
//! workspace"): registered after the page has loaded, so it never delays the
//! first start; when a new build's worker is installed and waiting, a banner
//! says a new version is ready, and its button lets the new worker take over
//! and reloads the page onto the new build.
//!
//! A browser without service workers (or a page that is not a secure
//! context) simply has no offline mode; nothing is shown.

use js_sys::Reflect;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState};

use crate::i18n::*;

/// The worker's file, relative to the page (so it works under any sub-path).
const WORKER: &str = "sw.js";
/// The message that lets a waiting worker activate (`public/sw.js`).
const SKIP_WAITING: &str = "skip-waiting";

/// `navigator.serviceWorker`, when the browser offers it here.
fn container() -> Option<ServiceWorkerContainer> {
    let nav = window().navigator();
    let v = Reflect::get(&nav, &JsValue::from_str("serviceWorker")).ok()?;
    if v.is_undefined() || v.is_null() {
        return None;
    }
    v.dyn_into().ok()
}

/// Calls `f` once the page has loaded (now, if it already has).
fn after_load(f: impl FnOnce() + 'static) {
    if document().ready_state() == "complete" {
        f();
        return;
    }
    let cb = Closure::once_into_js(f);
    let _ = window().add_event_listener_with_callback("load", cb.unchecked_ref());
}

/// Shows `ready` when `reg` has a new worker waiting behind a running one.
fn watch(reg: &ServiceWorkerRegistration, sw: &ServiceWorkerContainer, ready: RwSignal<bool>) {
    if reg.waiting().is_some() && sw.controller().is_some() {
        ready.set(true);
    }
    let r = reg.clone();
    let s = sw.clone();
    let on_found = Closure::<dyn FnMut()>::new(move || {
        let Some(new) = r.installing() else { return };
        let n = new.clone();
        let s = s.clone();
        let on_state = Closure::<dyn FnMut()>::new(move || {
            // Installed while another worker runs the page: a new build waits.
            if n.state() == ServiceWorkerState::Installed && s.controller().is_some() {
                ready.set(true);
            }
        });
        new.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
        on_state.forget();
    });
    reg.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
    on_found.forget();
}

/// Registers the worker after load and shows the "new version" banner when a
/// new build waits.
#[component]
pub fn UpdatePrompt() -> impl IntoView {
    let i18n = use_i18n();
    let ready = RwSignal::new(false);
    let reg = StoredValue::new_local(None::<ServiceWorkerRegistration>);
    // Set when the user asked for the new version: only then does a change of
    // worker reload the page (the first install also takes the page over).
    let asked = StoredValue::new(false);

    if let Some(sw) = container() {
        let on_change = Closure::<dyn FnMut()>::new(move || {
            if asked.try_get_value() == Some(true) {
                let _ = window().location().reload();
            }
        });
        let _ = sw.add_event_listener_with_callback("controllerchange", on_change.as_ref().unchecked_ref());
        on_change.forget();
        after_load(move || {
            leptos::task::spawn_local(async move {
                let Ok(r) = wasm_bindgen_futures::JsFuture::from(sw.register(WORKER)).await else {
                    return;
                };
                let r: ServiceWorkerRegistration = r.unchecked_into();
                reg.set_value(Some(r.clone()));
                watch(&r, &sw, ready);
                // Look for a new build now, not only at the next navigation.
                if let Ok(p) = r.update() {
                    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                }
            });
        });
    }

    let take = move |_| {
        let waiting = reg.with_value(|r| r.as_ref().and_then(ServiceWorkerRegistration::waiting));
        match waiting {
            Some(w) => {
                asked.set_value(true);
                let _ = w.post_message(&JsValue::from_str(SKIP_WAITING));
            }
            // Already activated (by another tab): the page only needs a reload.
            None => {
                let _ = window().location().reload();
            }
        }
    };

    move || {
        ready.get().then(|| {
            view! {
                <p class="banner info" role="status" data-testid="update-ready">
                    {t!(i18n, common.update_ready)}" "
                    <button type="button" on:click=take data-testid="update-reload">{t!(i18n, common.update_reload)}</button>
                </p>
            }
        })
    }
}
