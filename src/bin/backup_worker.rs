//! The backup Web Worker: encrypts and decrypts age backups off the page's thread
//! (`linli::backup_crypt`). Receives `[job JSON text, Uint8Array]`, posts
//! `[reply JSON text, Uint8Array | null]`; `Ready` first. Built by Trunk as a separate wasm
//! (`index.html`, `data-type="worker"`), loaded by `backup_worker_loader.js` only when a
//! backup is made or restored.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn post(scope: &DedicatedWorkerGlobalScope, reply: &linli::backup_crypt::Reply, bytes: Option<&[u8]>) {
    let text = serde_json::to_string(reply).unwrap_or_default();
    let data = bytes.map_or(JsValue::NULL, |b| js_sys::Uint8Array::from(b).into());
    let _ = scope.post_message(&js_sys::Array::of2(&JsValue::from_str(&text), &data));
}

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let out = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let msg: js_sys::Array = e.data().unchecked_into();
        let mut job = msg.get(0).as_string().unwrap_or_default();
        let data = js_sys::Uint8Array::new(&msg.get(1)).to_vec();
        let (reply, bytes) = linli::backup_crypt::run(&job, &data);
        zeroize::Zeroize::zeroize(&mut job);
        post(&out, &reply, bytes.as_deref());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&scope, &linli::backup_crypt::Reply::Ready, None);
}
