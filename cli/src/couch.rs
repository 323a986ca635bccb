//! A CouchDB database as a [`Replica`]: the replication protocol's endpoints over blocking
//! HTTP (ureq), for `linli sync`.
//!
//! Endpoints: `GET /db/_changes?style=all_docs&since=…&limit=…`, `POST /db/_revs_diff`,
//! `POST /db/_bulk_get?revs=true`, `POST /db/_bulk_docs` with `new_edits: false`,
//! `GET`/`PUT /db/_local/<id>`, and `GET`/`PUT /db` (the database is created when missing).
//! Works with Apache CouchDB 2+ and pouchdb-server (`scripts/couch.sh`): PouchDB answers a
//! `_bulk_get` of a revision it lacks with `{"missing": rev}` instead of `{"error": …}`, and
//! both forms are read as "not available".
//!
//! Credentials: HTTP basic auth (`--user U --password-file F`); never in the URL (a URL
//! with `user:password@` is refused, so no secret is taken on the command line or printed
//! in an error). Every answer from the server is parsed with serde; a malformed answer or
//! an unexpected status is an error naming the endpoint and the status, never a panic.

use std::time::Duration;

use linli_domain::replication::replicate::{Replica, ReplicaError};
use linli_domain::replication::wire::{
    BulkDocsRequest, BulkGetDoc, BulkGetError, BulkGetRequest, BulkGetResponse, BulkGetResult,
    ChangesResponse, CheckpointDoc, Doc, RevsDiffRequest, RevsDiffResponse, Seq,
};
use linli_domain::signing::b64;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Largest answer read from the server (a `_bulk_get` of a batch with its ancestors).
const MAX_BODY: u64 = 512 * 1024 * 1024;

/// Why a remote URL was refused (before any request).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not `http://` or `https://`.
    #[error("--remote must start with http:// or https:// (got `{0}`)")]
    Scheme(String),
    /// `user:password@host`: secrets are never taken on the command line.
    #[error("--remote must not contain credentials (`user:password@`): pass --user and --password-file")]
    Credentials,
    /// No database name after the host.
    #[error("--remote must name the database, e.g. http://127.0.0.1:5984/community-a")]
    NoDatabase,
}

/// A CouchDB database reached over HTTP.
pub struct CouchReplica {
    agent: ureq::Agent,
    /// The database URL without a trailing slash (no credentials in it).
    db: String,
    /// `Basic …` header value.
    auth: Option<String>,
    /// Test hook (`--fail-after-writes`): the connection "fails" after this many more
    /// `_bulk_docs` requests, as if the server were killed in the middle of a push.
    pub fail_after_writes: Option<u64>,
}

impl std::fmt::Debug for CouchReplica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CouchReplica")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

/// Percent-encodes a query value (everything but RFC 3986's unreserved characters).
fn encode_query(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Checks a `--remote` URL and returns it without a trailing slash.
///
/// # Errors
///
/// [`UrlError`].
pub fn check_url(url: &str) -> Result<String, UrlError> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| UrlError::Scheme(url.chars().take(40).collect()))?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    if authority.contains('@') {
        return Err(UrlError::Credentials);
    }
    let path = path.trim_end_matches('/');
    if authority.is_empty() || path.is_empty() || path.contains('?') || path.contains('#') {
        return Err(UrlError::NoDatabase);
    }
    Ok(url.trim_end_matches('/').to_owned())
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> ReplicaError {
    ReplicaError::Unavailable(format!("{what}: {e}"))
}

impl CouchReplica {
    /// A database at `url` (checked with [`check_url`]), with basic-auth credentials.
    ///
    /// # Errors
    ///
    /// [`UrlError`].
    pub fn new(url: &str, user: Option<&str>, password: Option<&str>) -> Result<Self, UrlError> {
        let db = check_url(url)?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(300)))
            .build()
            .into();
        let auth = user.map(|u| {
            format!(
                "Basic {}",
                b64::encode(format!("{u}:{}", password.unwrap_or("")).as_bytes())
            )
        });
        Ok(Self {
            agent,
            db,
            auth,
            fail_after_writes: None,
        })
    }

    /// The database URL (no credentials).
    pub fn url(&self) -> &str {
        &self.db
    }

    /// One request: method, path after the database URL (`""` for the database itself),
    /// optional JSON body. Returns the status and the body text.
    fn call(&self, method: &str, path: &str, body: Option<String>) -> Result<(u16, String), ReplicaError> {
        let url = format!("{}{path}", self.db);
        let what = format!("{method} {url}");
        let result = match (method, body) {
            ("GET", _) => {
                let mut r = self.agent.get(&url).header("Accept", "application/json");
                if let Some(a) = &self.auth {
                    r = r.header("Authorization", a);
                }
                r.call()
            }
            (m, body) => {
                let mut r = match m {
                    "PUT" => self.agent.put(&url),
                    _ => self.agent.post(&url),
                }
                .header("Accept", "application/json")
                .header("Content-Type", "application/json");
                if let Some(a) = &self.auth {
                    r = r.header("Authorization", a);
                }
                match body {
                    Some(b) => r.send(b),
                    None => r.send_empty(),
                }
            }
        };
        let mut resp = result.map_err(|e| unavailable(&what, e))?;
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(|e| unavailable(&what, e))?;
        match status {
            401 => Err(unavailable(
                &what,
                "401 unauthorized: the server refused the user name or password",
            )),
            403 => Err(unavailable(
                &what,
                "403 forbidden: this user may not use this database (see its _security object)",
            )),
            _ => Ok((status, text)),
        }
    }

    /// A request that must answer 2xx with JSON of type `T`.
    fn json<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<T, ReplicaError> {
        let (status, text) = self.call(method, path, body)?;
        let what = format!("{method} {}{path}", self.db);
        if !(200..300).contains(&status) {
            return Err(unavailable(&what, format!("status {status}: {}", short(&text))));
        }
        serde_json::from_str(&text).map_err(|e| unavailable(&what, format!("unexpected answer ({e})")))
    }

    /// Creates the database when it does not exist (`PUT /db`). Returns its `doc_count`.
    ///
    /// # Errors
    ///
    /// [`ReplicaError::Unavailable`] when the server cannot be reached, refuses, or
    /// answers something else than a database.
    pub fn ensure_db(&self) -> Result<u64, ReplicaError> {
        let (status, _) = self.call("GET", "", None)?;
        if status == 404 {
            let (s, text) = self.call("PUT", "", None)?;
            // 412: created meanwhile by another client.
            if !matches!(s, 201 | 202 | 412) {
                return Err(unavailable(
                    &format!("PUT {}", self.db),
                    format!("cannot create the database: status {s}: {}", short(&text)),
                ));
            }
        }
        let info: Value = self.json("GET", "", None)?;
        Ok(info.get("doc_count").and_then(Value::as_u64).unwrap_or(0))
    }

    fn consume_write(&mut self) -> Result<(), ReplicaError> {
        if let Some(n) = self.fail_after_writes.as_mut() {
            if *n == 0 {
                return Err(ReplicaError::Unavailable(format!(
                    "{}: connection lost (test hook --fail-after-writes)",
                    self.db
                )));
            }
            *n -= 1;
        }
        Ok(())
    }
}

fn short(text: &str) -> String {
    text.chars().take(200).collect()
}

fn to_json(v: &impl serde::Serialize) -> Result<String, ReplicaError> {
    serde_json::to_string(v).map_err(|e| ReplicaError::Unavailable(format!("cannot encode a request: {e}")))
}

/// Reads a `_bulk_get` answer leniently: `{"ok": doc}`, `{"error": …}` and PouchDB's
/// `{"missing": rev}` (or anything else) per revision.
fn parse_bulk_get(v: &Value) -> BulkGetResponse {
    let mut results = Vec::new();
    for r in v.get("results").and_then(Value::as_array).into_iter().flatten() {
        let id = r.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
        let mut docs = Vec::new();
        for d in r.get("docs").and_then(Value::as_array).into_iter().flatten() {
            let parsed = d
                .get("ok")
                .and_then(|ok| serde_json::from_value::<Doc>(ok.clone()).ok())
                .map(BulkGetDoc::Ok);
            docs.push(parsed.unwrap_or_else(|| {
                BulkGetDoc::Error(BulkGetError {
                    id: id.clone(),
                    rev: d
                        .get("missing")
                        .or_else(|| d.pointer("/error/rev"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    error: "not_found".into(),
                    reason: "missing".into(),
                })
            }));
        }
        results.push(BulkGetResult { id, docs });
    }
    BulkGetResponse { results }
}

impl Replica for CouchReplica {
    fn replica_id(&self) -> String {
        self.db.clone()
    }

    fn changes(&self, since: &Seq, limit: usize) -> Result<ChangesResponse, ReplicaError> {
        let since = match since {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        self.json(
            "GET",
            &format!(
                "/_changes?style=all_docs&since={}&limit={limit}",
                encode_query(&since)
            ),
            None,
        )
    }

    fn revs_diff(&self, req: &RevsDiffRequest) -> Result<RevsDiffResponse, ReplicaError> {
        if req.is_empty() {
            return Ok(RevsDiffResponse::new());
        }
        self.json("POST", "/_revs_diff", Some(to_json(req)?))
    }

    fn bulk_get(&self, req: &BulkGetRequest) -> Result<BulkGetResponse, ReplicaError> {
        if req.docs.is_empty() {
            return Ok(BulkGetResponse::default());
        }
        let v: Value = self.json("POST", "/_bulk_get?revs=true", Some(to_json(req)?))?;
        Ok(parse_bulk_get(&v))
    }

    fn bulk_docs(&mut self, req: &BulkDocsRequest) -> Result<(), ReplicaError> {
        self.consume_write()?;
        let rows: Vec<Value> = self.json("POST", "/_bulk_docs", Some(to_json(req)?))?;
        // With new_edits=false CouchDB answers only the failures.
        if let Some(bad) = rows.iter().find(|r| r.get("error").is_some()) {
            return Err(ReplicaError::Unavailable(format!(
                "{}: the server refused document {}: {} {}",
                self.db,
                bad.get("id").and_then(Value::as_str).unwrap_or("?"),
                bad.get("error").and_then(Value::as_str).unwrap_or("?"),
                bad.get("reason").and_then(Value::as_str).unwrap_or("")
            )));
        }
        Ok(())
    }

    fn get_local(&self, id: &str) -> Result<Option<CheckpointDoc>, ReplicaError> {
        let path = format!("/{id}");
        let (status, text) = self.call("GET", &path, None)?;
        match status {
            404 => Ok(None),
            200 => serde_json::from_str(&text).map(Some).map_err(|e| {
                unavailable(
                    &format!("GET {}{path}", self.db),
                    format!("unexpected checkpoint ({e})"),
                )
            }),
            s => Err(unavailable(
                &format!("GET {}{path}", self.db),
                format!("status {s}: {}", short(&text)),
            )),
        }
    }

    fn put_local(&mut self, mut doc: CheckpointDoc) -> Result<(), ReplicaError> {
        // The driver keeps the revision it read at the start; a `_local` document needs
        // its current one to be updated.
        doc.rev = self.get_local(&doc.id)?.and_then(|d| d.rev);
        let path = format!("/{}", doc.id);
        let _: Value = self.json("PUT", &path, Some(to_json(&doc)?))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_credentials_or_without_a_database_are_refused() {
        assert_eq!(
            check_url("http://127.0.0.1:5984/a/").unwrap(),
            "http://127.0.0.1:5984/a"
        );
        assert_eq!(check_url("https://x.org/c/db").unwrap(), "https://x.org/c/db");
        assert_eq!(check_url("http://u:p@x.org/db"), Err(UrlError::Credentials));
        assert_eq!(check_url("http://x.org/"), Err(UrlError::NoDatabase));
        assert_eq!(check_url("http://x.org"), Err(UrlError::NoDatabase));
        assert!(matches!(check_url("ftp://x.org/db"), Err(UrlError::Scheme(_))));
    }

    #[test]
    fn bulk_get_reads_ok_error_and_pouchdb_missing() {
        let v = serde_json::json!({"results": [
            {"id": "a", "docs": [{"ok": {"_id": "a", "_rev": "1-aa", "c": "x",
                                         "_revisions": {"start": 1, "ids": ["aa"]}}}]},
            {"id": "a", "docs": [{"missing": "1-zz"}]},
            {"id": "b", "docs": [{"error": {"id": "b", "rev": "1-q", "error": "not_found", "reason": "deleted"}}]},
            {"id": "c", "docs": [{}]}
        ]});
        let r = parse_bulk_get(&v);
        assert_eq!(r.results.len(), 4);
        assert!(matches!(&r.results[0].docs[0], BulkGetDoc::Ok(d) if d.body == "x"));
        assert!(matches!(&r.results[1].docs[0], BulkGetDoc::Error(e) if e.rev == "1-zz"));
        assert!(matches!(&r.results[2].docs[0], BulkGetDoc::Error(e) if e.rev == "1-q"));
        assert!(matches!(&r.results[3].docs[0], BulkGetDoc::Error(_)));
        assert_eq!(encode_query("1-g1AA+/="), "1-g1AA%2B%2F%3D");
    }
}
