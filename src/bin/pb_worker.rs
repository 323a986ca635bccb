//! The participatory-budgeting Web Worker: receives a `pb_job::Job` as JSON
//! text, posts `pb_job::Reply` messages as JSON text. Built by Trunk as a
//! separate wasm (`index.html`, `data-type="worker"`), loaded by
//! `pb_worker_loader.js`.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let out = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let job = e.data().as_string().unwrap_or_default();
        linli::pb_job::run(&job, js_sys::Date::now, |reply| {
            let text = serde_json::to_string(reply).unwrap_or_default();
            let _ = out.post_message(&JsValue::from_str(&text));
        });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let ready = serde_json::to_string(&linli::pb_job::Reply::Ready).unwrap_or_default();
    let _ = scope.post_message(&JsValue::from_str(&ready));
}
