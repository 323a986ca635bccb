//! The page's side of the intake forms (issue #18): loads the second wasm
//! (`src/bin/intake_form.rs`) the first time a form opens and mounts a form into a place
//! the page drew. Small on purpose: this is all the first load carries of the forms.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// What a form needs, handed to the forms' wasm as JSON text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormConfig {
    /// `zh` or `en`.
    pub lang: String,
    pub community: String,
    pub recipient: String,
    /// The request form's categories: code and name.
    pub categories: Vec<(String, String)>,
    /// The code of the request to rate; empty for the request form.
    pub code: String,
}

/// The forms' no-modules glue and wasm, written by Trunk next to `index.html`, and
/// `intake_boot.js`, which puts the glue's `wasm_bindgen` (a `let` of the glue's
/// script, not a property of `window`) on `window.linliIntakeForm`.
pub const SCRIPT: &str = "./intake_form.js";
pub const BOOT: &str = "./intake_boot.js";
pub const WASM: &str = "./intake_form_bg.wasm";
const GLOBAL: &str = "linliIntakeForm";

thread_local! {
    static LOADED: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
}

/// Adds `<script src>` to the page; settles when it has run or failed to load.
fn add_script(src: &str) -> Result<js_sys::Promise, JsValue> {
    let doc = leptos::prelude::document();
    let script: web_sys::HtmlScriptElement = doc.create_element("script")?.unchecked_into();
    script.set_src(src);
    let p = js_sys::Promise::new(&mut |resolve, reject| {
        script.set_onload(Some(&resolve));
        script.set_onerror(Some(&reject));
    });
    doc.head().ok_or(JsValue::NULL)?.append_child(&script)?;
    Ok(p)
}

fn glue() -> Result<js_sys::Function, JsValue> {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str(GLOBAL))?.dyn_into()
}

/// The scripts, then the wasm instantiated.
async fn load() -> Result<JsValue, JsValue> {
    // Once only: the glue's `let` may not be declared twice.
    if glue().is_err() {
        JsFuture::from(add_script(SCRIPT)?).await?;
        JsFuture::from(add_script(BOOT)?).await?;
    }
    let arg = js_sys::Object::new();
    js_sys::Reflect::set(
        &arg,
        &JsValue::from_str("module_or_path"),
        &JsValue::from_str(WASM),
    )?;
    let init: js_sys::Promise = glue()?.call1(&JsValue::NULL, &arg)?.unchecked_into();
    JsFuture::from(init).await
}

fn load_promise() -> js_sys::Promise {
    if let Some(p) = LOADED.with(|l| l.borrow().clone()) {
        return p;
    }
    let p = wasm_bindgen_futures::future_to_promise(load());
    LOADED.with(|l| *l.borrow_mut() = Some(p.clone()));
    p
}

/// Loads the forms (once) and mounts the form of `config` into the element `id`.
///
/// # Errors
///
/// The forms could not be loaded (offline on a first visit) or the place is gone.
pub async fn mount(id: &str, config: &FormConfig) -> Result<(), ()> {
    if JsFuture::from(load_promise()).await.is_err() {
        // Offline on a first visit: the next attempt loads afresh.
        LOADED.with(|l| l.borrow_mut().take());
        return Err(());
    }
    let el = leptos::prelude::document().get_element_by_id(id).ok_or(())?;
    let f: js_sys::Function = js_sys::Reflect::get(
        &glue().map_err(|_| ())?.into(),
        &JsValue::from_str("mount_intake"),
    )
    .map_err(|_| ())?
    .dyn_into()
    .map_err(|_| ())?;
    let text = serde_json::to_string(config).map_err(|_| ())?;
    f.call2(&JsValue::NULL, &el, &JsValue::from_str(&text))
        .map_err(|_| ())?;
    Ok(())
}
