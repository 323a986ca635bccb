//! The app's side of the participatory-budgeting Web Worker.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

use crate::pb_job::{Job, Reply, RuleResult};

/// The worker's loader script, written by Trunk next to `index.html`.
pub const LOADER: &str = "./pb_worker_loader.js";

/// A job running in its own worker. Dropping it (or [`PbRun::cancel`])
/// terminates the worker.
#[derive(Debug)]
pub struct PbRun {
    worker: Worker,
    done: js_sys::Promise,
}

impl PbRun {
    /// Starts `job` in a new worker; `on_reply` sees every message
    /// (parsed, progress, done, failed) as it arrives.
    ///
    /// # Errors
    ///
    /// The browser refused to start the worker (its message).
    pub fn start(job: &Job, on_reply: impl Fn(&Reply) + 'static) -> Result<Self, String> {
        let worker = Worker::new(LOADER).map_err(|e| format!("{e:?}"))?;
        let settle: Rc<RefCell<Option<(js_sys::Function, js_sys::Function)>>> = Rc::default();
        let s = settle.clone();
        let done = js_sys::Promise::new(&mut |resolve, reject| {
            *s.borrow_mut() = Some((resolve, reject));
        });
        let s = settle.clone();
        let job_text = serde_json::to_string(job).map_err(|e| e.to_string())?;
        let w = worker.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let text = e.data().as_string().unwrap_or_default();
            let reply: Reply = serde_json::from_str(&text).unwrap_or_else(|err| Reply::Failed {
                message: format!("unreadable worker message: {err}"),
            });
            if reply == Reply::Ready {
                // The worker listens now: hand it the job.
                if let Err(err) = w.post_message(&JsValue::from_str(&job_text)) {
                    if let Some((_, reject)) = s.borrow_mut().take() {
                        let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&format!("{err:?}")));
                    }
                }
                return;
            }
            on_reply(&reply);
            if matches!(reply, Reply::Done { .. } | Reply::Failed { .. }) {
                if let Some((resolve, _)) = s.borrow_mut().take() {
                    let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(&text));
                }
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let s = settle;
        let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
            if let Some((_, reject)) = s.borrow_mut().take() {
                let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&e.message()));
            }
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        Ok(Self { worker, done })
    }

    /// The results, when the worker is done.
    ///
    /// # Errors
    ///
    /// The job failed (bad instance, limit reached) or the worker crashed.
    pub async fn finish(&self) -> Result<Vec<RuleResult>, String> {
        let v = wasm_bindgen_futures::JsFuture::from(self.done.clone())
            .await
            .map_err(|e| e.as_string().unwrap_or_else(|| "the worker stopped".to_owned()))?;
        match serde_json::from_str(&v.as_string().unwrap_or_default()) {
            Ok(Reply::Done { results }) => Ok(results),
            Ok(Reply::Failed { message }) => Err(message),
            _ => Err("the worker gave no result".to_owned()),
        }
    }

    /// Stops the computation at once.
    pub fn cancel(&self) {
        self.worker.terminate();
    }
}

impl Drop for PbRun {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
