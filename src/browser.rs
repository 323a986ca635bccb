//! Small browser helpers shared by views: clock, local time, downloads.

use wasm_bindgen::{JsCast, JsValue};

/// Milliseconds since the Unix epoch, from the browser's clock.
pub fn now_millis() -> i64 {
    js_sys::Date::now() as i64
}

/// The current calendar year in the community's time zone (UTC+8).
pub fn this_year() -> i64 {
    let day = linli_domain::requests::calendar::local_day(now_millis());
    linli_domain::date::civil_from_days(day).0
}

/// `YYYY-MM-DD HH:MM` in the community's time zone (China Standard Time,
/// UTC+8), whatever the device's own zone: every time a guide sees (history,
/// requests, points) reads the same clock.
pub fn local_minute(ms: i64) -> String {
    linli_domain::requests::calendar::local_datetime(ms)
}

/// Offers `text` as a file download named `filename`.
///
/// # Errors
///
/// The browser's exception if the blob or link cannot be made.
pub fn download(text: &str, filename: &str, mime: &str) -> Result<(), JsValue> {
    download_bytes(text.as_bytes(), filename, mime)
}

/// Offers `bytes` as a file download named `filename`.
///
/// # Errors
///
/// The browser's exception if the blob or link cannot be made.
pub fn download_bytes(bytes: &[u8], filename: &str, mime: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    web_sys::Url::revoke_object_url(&url)
}

/// `N` bytes from the browser's CSPRNG (`crypto.getRandomValues`).
///
/// # Panics
///
/// If the page has no `crypto` object (every browser the app supports has
/// one; without it no key or nonce could be made safely, so stopping is right).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    let crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .expect("crypto.getRandomValues is required");
    // At most 65,536 bytes per call; callers ask for keys and nonces.
    crypto
        .get_random_values_with_u8_array(&mut out)
        .expect("crypto.getRandomValues failed");
    out
}

/// Lets the browser paint (a spinner, a "working…" line) before a long
/// synchronous step such as key derivation.
pub async fn paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Brings the element matching `selector` into view and focuses it, once the
/// view is drawn.
pub fn focus_after_draw(selector: &'static str) {
    let focus = wasm_bindgen::closure::Closure::once_into_js(move || {
        let doc = leptos::prelude::document();
        let Ok(Some(target)) = doc.query_selector(selector) else {
            return;
        };
        target.scroll_into_view();
        if let Ok(el) = target.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    });
    let _ = leptos::prelude::window().request_animation_frame(focus.unchecked_ref());
}

/// Waits `ms` milliseconds (a timer; other tasks run meanwhile).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Whether the browser believes it is online (`navigator.onLine`).
pub fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Copies `text` with the asynchronous clipboard API (ignored where missing).
pub fn copy_text(text: &str) -> bool {
    use wasm_bindgen::{JsCast, JsValue};
    let Some(w) = web_sys::window() else { return false };
    let nav: JsValue = w.navigator().into();
    let Ok(cb) = js_sys::Reflect::get(&nav, &JsValue::from_str("clipboard")) else {
        return false;
    };
    let Ok(f) = js_sys::Reflect::get(&cb, &JsValue::from_str("writeText")) else {
        return false;
    };
    let Ok(f) = f.dyn_into::<js_sys::Function>() else {
        return false;
    };
    f.call1(&cb, &JsValue::from_str(text)).is_ok()
}
