//! The CLI's HTTP transport for `linli sync`: blocking ureq behind the domain's
//! [`Http`] trait. The protocol itself (endpoints, answers, errors, the URL rules) is
//! `linli_domain::replication::couch`, the code the workspace's `fetch` transport uses.
//!
//! Each call blocks until the answer, so the domain's asynchronous driver runs with
//! [`linli_domain::replication::replicate::ready`].

use std::cell::Cell;
use std::time::Duration;

use linli_domain::replication::couch::{Couch, Http, UrlError};

/// Longest answer read (a `_bulk_get` of a large batch).
const MAX_BODY: u64 = 512 * 1024 * 1024;

/// ureq with timeouts; a test hook that cuts the connection after N `_bulk_docs`.
pub struct Ureq {
    agent: ureq::Agent,
    /// Test hook (`--fail-after-writes`): `_bulk_docs` requests still allowed.
    fail_after_writes: Cell<Option<u64>>,
}

impl Http for Ureq {
    async fn send(
        &self,
        method: &'static str,
        url: &str,
        auth: Option<&str>,
        body: Option<String>,
    ) -> Result<(u16, String), String> {
        if method == "POST" && url.ends_with("/_bulk_docs") {
            if let Some(n) = self.fail_after_writes.get() {
                if n == 0 {
                    return Err("connection lost (test hook --fail-after-writes)".into());
                }
                self.fail_after_writes.set(Some(n - 1));
            }
        }
        let result = if method == "GET" {
            let mut r = self.agent.get(url).header("Accept", "application/json");
            if let Some(a) = auth {
                r = r.header("Authorization", a);
            }
            r.call()
        } else {
            let mut r = if method == "PUT" {
                self.agent.put(url)
            } else {
                self.agent.post(url)
            }
            .header("Accept", "application/json")
            .header("Content-Type", "application/json");
            if let Some(a) = auth {
                r = r.header("Authorization", a);
            }
            match body {
                Some(b) => r.send(b),
                None => r.send_empty(),
            }
        };
        let mut resp = result.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(|e| e.to_string())?;
        Ok((status, text))
    }
}

/// The database at `url` over ureq (connect timeout 10 s, whole request 300 s).
///
/// # Errors
///
/// [`UrlError`] for an address with credentials, without a database or not HTTP(S).
pub fn connect(
    url: &str,
    user: Option<&str>,
    password: Option<&str>,
    fail_after_writes: Option<u64>,
) -> Result<Couch<Ureq>, UrlError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(10)))
        .timeout_global(Some(Duration::from_secs(300)))
        .build()
        .into();
    let http = Ureq {
        agent,
        fail_after_writes: Cell::new(fail_after_writes),
    };
    Couch::new(http, url, user, password)
}
