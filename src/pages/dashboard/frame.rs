//! The preview frame: the residents' bundle (`site/index.html?preview`) says when it
//! listens, and then gets the snapshot to show by `postMessage`, again on every change.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// This page's origin: the only one the frame's messages are taken from and sent to.
fn own_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Sends the snapshot file text `snapshot` gives to the frame `frame` once the frame
/// is ready, and again whenever it changes. The message listener is removed with the
/// page.
pub(super) fn feed_preview(frame: NodeRef<leptos::html::Iframe>, snapshot: Signal<Option<String>>) {
    let frame_ready = RwSignal::new(false);
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let kind = js_sys::Reflect::get(&ev.data(), &JsValue::from_str("type"))
            .ok()
            .and_then(|v| v.as_string());
        if ev.origin() == own_origin() && kind.as_deref() == Some("linli-preview-ready") {
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
        let text = snapshot.get();
        if let (true, Some(text), Some(el)) = (ready, text, frame.get()) {
            if let Some(win) = el.content_window() {
                let msg = js_sys::Object::new();
                let _ = js_sys::Reflect::set(
                    &msg,
                    &JsValue::from_str("type"),
                    &JsValue::from_str("linli-preview"),
                );
                let _ = js_sys::Reflect::set(&msg, &JsValue::from_str("snapshot"), &JsValue::from_str(&text));
                let _ = win.post_message(&msg, &own_origin());
            }
        }
    });
}
