//! The QR-reading Web Worker (issue #18): receives `[width, height, grey levels]` (a
//! `Uint8Array`, one byte a pixel, drawn by the page from a resident's picture), posts the
//! text of the first readable QR code, or `null`. Built by Trunk as a separate wasm
//! (`index.html`, `data-type="worker"`), loaded by `qr_worker_loader.js` when a guide
//! uploads a picture: `rqrr` is not in the workspace's first load.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let out = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let a: js_sys::Array = e.data().unchecked_into();
        let (w, h) = (
            a.get(0).as_f64().unwrap_or(0.0) as usize,
            a.get(1).as_f64().unwrap_or(0.0) as usize,
        );
        let grey = js_sys::Uint8Array::new(&a.get(2)).to_vec();
        let text = (w > 0 && grey.len() == w * h)
            .then(|| linli::qr_scan::read_grey(w, h, &grey).ok())
            .flatten();
        let _ = out.post_message(&text.map_or(JsValue::NULL, |t| JsValue::from_str(&t)));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str("ready"));
}
