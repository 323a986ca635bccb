//! The browser's HTTP transport for CouchDB replication (issue #19): `fetch` behind the
//! domain's [`Http`] trait. The protocol (endpoints, answers, errors, URL rules) is
//! `linli_domain::replication::couch`, the code `linli sync` runs over ureq.
//!
//! Not IndexedDB: the replica the protocol writes into is the dataset in memory
//! (`replication::local::Session`), written back by [`super::Db`]'s typed operations.
//! The server must be allowed by the page's Content-Security-Policy (`connect-src`,
//! ARCHITECTURE.md) and, on another origin, answer CORS with credentials.

use linli_domain::replication::couch::{Couch, Http, UrlError};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A request's longest wait: a long poll (`feed=longpoll`, which the server answers within
/// its own 1.5 s timeout) 5 s, so a connection that went away unnoticed (the browser
/// offline, a sleeping laptop) is given up quickly; any other request 120 s.
const LONG_POLL_CAP_MS: i32 = 5_000;
const REQUEST_CAP_MS: i32 = 120_000;

/// `window.fetch`, no cookies (credentials go in the `Authorization` header only),
/// aborted after its cap.
#[derive(Debug, Default)]
pub struct Fetch;

fn js_text(e: &wasm_bindgen::JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "network error".to_owned())
}

impl Http for Fetch {
    async fn send(
        &self,
        method: &'static str,
        url: &str,
        auth: Option<&str>,
        body: Option<String>,
    ) -> Result<(u16, String), String> {
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        init.set_credentials(web_sys::RequestCredentials::Omit);
        init.set_cache(web_sys::RequestCache::NoStore);
        let headers = web_sys::Headers::new().map_err(|e| js_text(&e))?;
        headers
            .set("Accept", "application/json")
            .map_err(|e| js_text(&e))?;
        if let Some(a) = auth {
            headers.set("Authorization", a).map_err(|e| js_text(&e))?;
        }
        if let Some(b) = &body {
            headers
                .set("Content-Type", "application/json")
                .map_err(|e| js_text(&e))?;
            init.set_body(&wasm_bindgen::JsValue::from_str(b));
        }
        init.set_headers(&headers);
        let abort = web_sys::AbortController::new().map_err(|e| js_text(&e))?;
        init.set_signal(Some(&abort.signal()));
        let req = web_sys::Request::new_with_str_and_init(url, &init).map_err(|e| js_text(&e))?;
        let window = web_sys::window().ok_or("no window")?;
        let cap = if url.contains("feed=longpoll") {
            LONG_POLL_CAP_MS
        } else {
            REQUEST_CAP_MS
        };
        let stop = wasm_bindgen::closure::Closure::once_into_js(move || abort.abort());
        let timer = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(stop.unchecked_ref(), cap)
            .map_err(|e| js_text(&e))?;
        let answer = JsFuture::from(window.fetch_with_request(&req)).await;
        let resp: web_sys::Response = match answer {
            Ok(r) => r.dyn_into().map_err(|_| "not a response".to_owned())?,
            Err(e) => {
                window.clear_timeout_with_handle(timer);
                return Err(js_text(&e));
            }
        };
        let status = resp.status();
        let text = JsFuture::from(resp.text().map_err(|e| js_text(&e))?).await;
        window.clear_timeout_with_handle(timer);
        let text = text.map_err(|e| js_text(&e))?.as_string().unwrap_or_default();
        Ok((status, text))
    }
}

/// A community's database on a CouchDB server, reached with `fetch`.
pub type Remote = Couch<Fetch>;

/// The database at `url` with a guide's credentials.
///
/// # Errors
///
/// [`UrlError`] (shown next to the address field).
pub fn remote(url: &str, user: &str, password: &str) -> Result<Remote, UrlError> {
    let user = user.trim();
    Couch::new(
        Fetch,
        url,
        (!user.is_empty()).then_some(user),
        (!user.is_empty()).then_some(password),
    )
}
