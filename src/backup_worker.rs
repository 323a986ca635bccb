//! The page's side of the backup worker (`src/bin/backup_worker.rs`): one job per
//! worker, which is terminated when the job is done (or dropped).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

use crate::backup_crypt::{Job, Reply};

/// The worker's loader script, written by Trunk next to `index.html`.
pub const LOADER: &str = "./backup_worker_loader.js";

/// What a finished job gave.
#[derive(Debug)]
pub enum Outcome {
    /// The encrypted or decrypted bytes.
    Done(Vec<u8>),
    /// Decryption refused (wrong secret, damaged file, …).
    Refused(crate::backup_crypt::OpenError),
    /// The worker failed or could not start (its message).
    Failed(String),
}

type Settle = Rc<RefCell<Option<js_sys::Function>>>;

/// Runs `job` on `data` in a new worker and waits for its result.
pub async fn run(job: &Job, data: &[u8]) -> Outcome {
    let worker = match Worker::new(LOADER) {
        Ok(w) => w,
        Err(e) => return Outcome::Failed(format!("{e:?}")),
    };
    let settle: Settle = Rc::default();
    let s = settle.clone();
    let done = js_sys::Promise::new(&mut |resolve, _reject| {
        *s.borrow_mut() = Some(resolve);
    });
    let job_text = serde_json::to_string(job).unwrap_or_default();
    let data = js_sys::Uint8Array::from(data);
    let w = worker.clone();
    let s = settle.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let msg: js_sys::Array = e.data().unchecked_into();
        let text = msg.get(0).as_string().unwrap_or_default();
        if serde_json::from_str::<Reply>(&text).ok() == Some(Reply::Ready) {
            // The worker listens now: hand it the job.
            let _ = w.post_message(&js_sys::Array::of2(&JsValue::from_str(&job_text), &data));
            return;
        }
        if let Some(resolve) = s.borrow_mut().take() {
            let _ = resolve.call1(&JsValue::NULL, &msg);
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let s = settle;
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
        if let Some(resolve) = s.borrow_mut().take() {
            let msg = js_sys::Array::of2(
                &JsValue::from_str(&serde_json::to_string(&Reply::Failed(e.message())).unwrap_or_default()),
                &JsValue::NULL,
            );
            let _ = resolve.call1(&JsValue::NULL, &msg);
        }
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let result = wasm_bindgen_futures::JsFuture::from(done).await;
    worker.terminate();
    drop(on_message);
    drop(on_error);
    let Ok(msg) = result else {
        return Outcome::Failed("the worker stopped".to_owned());
    };
    let msg: js_sys::Array = msg.unchecked_into();
    let text = msg.get(0).as_string().unwrap_or_default();
    match serde_json::from_str::<Reply>(&text) {
        Ok(Reply::Done) => Outcome::Done(js_sys::Uint8Array::new(&msg.get(1)).to_vec()),
        Ok(Reply::Refused(e)) => Outcome::Refused(e),
        Ok(Reply::Failed(m)) => Outcome::Failed(m),
        _ => Outcome::Failed("the worker gave no result".to_owned()),
    }
}
