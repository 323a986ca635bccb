//! A CouchDB database as an [`AsyncReplica`]: the replication protocol's endpoints over
//! any HTTP transport ([`Http`]). The CLI sends with blocking ureq, the workspace with the
//! browser's `fetch`; both use this module, so they ask the same requests and read the
//! answers the same way.
//!
//! Endpoints: `GET /db/_changes?style=all_docs&since=…&limit=…`, `POST /db/_revs_diff`,
//! `POST /db/_bulk_get?revs=true`, `POST /db/_bulk_docs` with `new_edits: false`,
//! `GET`/`PUT /db/_local/<id>`, and `GET`/`PUT /db` ([`Couch::ensure_db`]: created when
//! missing and the user may). Works with Apache CouchDB 2+ and pouchdb-server
//! (`scripts/couch.sh`): PouchDB answers a `_bulk_get` of a revision it lacks with
//! `{"missing": rev}` instead of `{"error": …}`; both read as "not available".
//!
//! Credentials: HTTP basic auth; never in the URL (a URL with `user:password@` is
//! refused, so no secret is typed into an address or shown in an error). Every answer is
//! parsed with serde; a malformed answer or an unexpected status is a
//! [`ReplicaError::Unavailable`] naming the endpoint and the status, never a panic.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::replicate::{AsyncReplica, ReplicaError};
use super::wire::{
    BulkDocsRequest, BulkGetDoc, BulkGetError, BulkGetRequest, BulkGetResponse, BulkGetResult,
    ChangesResponse, CheckpointDoc, Doc, RevsDiffRequest, RevsDiffResponse, Seq,
};
use crate::signing::b64;

/// Why a server address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("the server address must start with http:// or https:// (got `{0}`)")]
    Scheme(String),
    #[error("the server address must not contain credentials (`user:password@`): give the user and password separately")]
    Credentials,
    #[error("the server address must name the database, e.g. http://127.0.0.1:5984/community-a")]
    NoDatabase,
}

/// The database URL without a trailing `/`, or why it is refused.
///
/// ```
/// use linli_domain::replication::couch::{check_url, UrlError};
/// assert_eq!(check_url("https://x.org/c/db/").unwrap(), "https://x.org/c/db");
/// assert_eq!(check_url("http://u:p@x.org/db"), Err(UrlError::Credentials));
/// assert_eq!(check_url("http://x.org/"), Err(UrlError::NoDatabase));
/// ```
///
/// # Errors
///
/// [`UrlError`].
pub fn check_url(url: &str) -> Result<String, UrlError> {
    let url = url.trim();
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

/// The origin (`scheme://host[:port]`) of a checked database URL.
///
/// ```
/// use linli_domain::replication::couch::origin;
/// assert_eq!(origin("https://x.org:6984/c/db"), "https://x.org:6984");
/// ```
pub fn origin(url: &str) -> &str {
    let after = url.find("://").map_or(0, |i| i + 3);
    url[after..].find('/').map_or(url, |i| &url[..after + i])
}

/// A transport: sends one request, gives back the status and the body text. Network
/// failures (no answer) are `Err` with a short description.
#[allow(async_fn_in_trait)] // single-threaded callers
pub trait Http {
    /// `method` is `GET`, `PUT` or `POST`; `auth` the `Authorization` header's value;
    /// `body` JSON.
    async fn send(
        &self,
        method: &'static str,
        url: &str,
        auth: Option<&str>,
        body: Option<String>,
    ) -> Result<(u16, String), String>;
}

/// A CouchDB database at a URL, over a transport.
pub struct Couch<H> {
    http: H,
    db: String,
    auth: Option<String>,
}

impl<H> std::fmt::Debug for Couch<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Couch")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
///
/// ```
/// assert_eq!(linli_domain::replication::couch::encode_query("1-g1AA+/="), "1-g1AA%2B%2F%3D");
/// ```
pub fn encode_query(s: &str) -> String {
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

fn unavailable(what: &str, e: impl std::fmt::Display) -> ReplicaError {
    ReplicaError::Unavailable(format!("{what}: {e}"))
}

fn short(text: &str) -> String {
    text.chars().take(200).collect()
}

fn to_json(v: &impl serde::Serialize) -> Result<String, ReplicaError> {
    serde_json::to_string(v).map_err(|e| ReplicaError::Unavailable(format!("cannot encode a request: {e}")))
}

/// A `_bulk_get` answer, CouchDB's and PouchDB's forms of "not available" alike.
pub fn parse_bulk_get(v: &Value) -> BulkGetResponse {
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

impl<H: Http> Couch<H> {
    /// The database at `url` (checked with [`check_url`]), with basic auth when `user`
    /// is given.
    ///
    /// # Errors
    ///
    /// [`UrlError`].
    pub fn new(http: H, url: &str, user: Option<&str>, password: Option<&str>) -> Result<Self, UrlError> {
        let db = check_url(url)?;
        let auth = user.map(|u| {
            format!(
                "Basic {}",
                b64::encode(format!("{u}:{}", password.unwrap_or("")).as_bytes())
            )
        });
        Ok(Self { http, db, auth })
    }

    /// The database URL.
    pub fn url(&self) -> &str {
        &self.db
    }

    /// The transport.
    pub fn http(&self) -> &H {
        &self.http
    }

    async fn call(
        &self,
        method: &'static str,
        path: &str,
        body: Option<String>,
    ) -> Result<(u16, String), ReplicaError> {
        let url = format!("{}{path}", self.db);
        let what = format!("{method} {url}");
        let (status, text) = self
            .http
            .send(method, &url, self.auth.as_deref(), body)
            .await
            .map_err(|e| unavailable(&what, e))?;
        match status {
            401 => Err(ReplicaError::Refused(format!(
                "{what}: 401 unauthorized: the server refused the user name or password"
            ))),
            403 => Err(ReplicaError::Refused(format!(
                "{what}: 403 forbidden: this user may not use this database (see its _security object)"
            ))),
            _ => Ok((status, text)),
        }
    }

    async fn json<T: DeserializeOwned>(
        &self,
        method: &'static str,
        path: &str,
        body: Option<String>,
    ) -> Result<T, ReplicaError> {
        let (status, text) = self.call(method, path, body).await?;
        let what = format!("{method} {}{path}", self.db);
        if !(200..300).contains(&status) {
            return Err(unavailable(&what, format!("status {status}: {}", short(&text))));
        }
        serde_json::from_str(&text).map_err(|e| unavailable(&what, format!("unexpected answer ({e})")))
    }

    /// Creates the database when missing (412: created meanwhile); its document count.
    ///
    /// # Errors
    ///
    /// The server unreachable, refusing the credentials, or refusing to create it.
    pub async fn ensure_db(&self) -> Result<u64, ReplicaError> {
        let (status, _) = self.call("GET", "", None).await?;
        if status == 404 {
            let (s, text) = self.call("PUT", "", None).await?;
            if !matches!(s, 201 | 202 | 412) {
                return Err(unavailable(
                    &format!("PUT {}", self.db),
                    format!("cannot create the database: status {s}: {}", short(&text)),
                ));
            }
        }
        let info: Value = self.json("GET", "", None).await?;
        Ok(info.get("doc_count").and_then(Value::as_u64).unwrap_or(0))
    }

    /// `_changes` with CouchDB's long poll: answers when a change after `since` arrives
    /// or after `timeout_ms` (then with no rows). The workspace waits on it between
    /// runs, so another device's edit arrives within a round trip.
    ///
    /// # Errors
    ///
    /// As every request.
    pub async fn wait_changes(&self, since: &Seq, timeout_ms: u32) -> Result<ChangesResponse, ReplicaError> {
        self.json(
            "GET",
            &format!(
                "/_changes?feed=longpoll&style=all_docs&limit=1&timeout={timeout_ms}&since={}",
                encode_query(&seq_text(since))
            ),
            None,
        )
        .await
    }

    /// The database's current `update_seq` (where a long poll starts).
    ///
    /// # Errors
    ///
    /// As every request.
    pub async fn update_seq(&self) -> Result<Seq, ReplicaError> {
        let info: Value = self.json("GET", "", None).await?;
        Ok(info.get("update_seq").cloned().unwrap_or(Value::from(0)))
    }
}

fn seq_text(since: &Seq) -> String {
    match since {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl<H: Http> AsyncReplica for Couch<H> {
    fn replica_id(&self) -> String {
        self.db.clone()
    }

    async fn changes(&self, since: &Seq, limit: usize) -> Result<ChangesResponse, ReplicaError> {
        self.json(
            "GET",
            &format!(
                "/_changes?style=all_docs&since={}&limit={limit}",
                encode_query(&seq_text(since))
            ),
            None,
        )
        .await
    }

    async fn revs_diff(&self, req: &RevsDiffRequest) -> Result<RevsDiffResponse, ReplicaError> {
        if req.is_empty() {
            return Ok(RevsDiffResponse::new());
        }
        self.json("POST", "/_revs_diff", Some(to_json(req)?)).await
    }

    async fn bulk_get(&self, req: &BulkGetRequest) -> Result<BulkGetResponse, ReplicaError> {
        if req.docs.is_empty() {
            return Ok(BulkGetResponse::default());
        }
        let v: Value = self
            .json("POST", "/_bulk_get?revs=true", Some(to_json(req)?))
            .await?;
        Ok(parse_bulk_get(&v))
    }

    async fn bulk_docs(&mut self, req: &BulkDocsRequest) -> Result<(), ReplicaError> {
        let rows: Vec<Value> = self.json("POST", "/_bulk_docs", Some(to_json(req)?)).await?;
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

    async fn get_local(&self, id: &str) -> Result<Option<CheckpointDoc>, ReplicaError> {
        let path = format!("/{id}");
        let (status, text) = self.call("GET", &path, None).await?;
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

    async fn put_local(&mut self, mut doc: CheckpointDoc) -> Result<(), ReplicaError> {
        // The driver keeps the revision it read at the start; a `_local` document needs
        // its current one to be updated.
        doc.rev = self.get_local(&doc.id).await?.and_then(|d| d.rev);
        let path = format!("/{}", doc.id);
        let _: Value = self.json("PUT", &path, Some(to_json(&doc)?)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replication::replicate::{ready, replicate_async, MemReplica, Options};
    use std::cell::RefCell;

    #[test]
    fn urls_with_credentials_or_without_a_database_are_refused() {
        assert_eq!(
            check_url(" http://127.0.0.1:5984/a/").unwrap(),
            "http://127.0.0.1:5984/a"
        );
        assert_eq!(check_url("https://x.org/c/db").unwrap(), "https://x.org/c/db");
        assert_eq!(check_url("http://u:p@x.org/db"), Err(UrlError::Credentials));
        assert_eq!(check_url("http://x.org/"), Err(UrlError::NoDatabase));
        assert_eq!(check_url("http://x.org"), Err(UrlError::NoDatabase));
        assert_eq!(check_url("http://x.org/db?x=1"), Err(UrlError::NoDatabase));
        assert!(matches!(check_url("ftp://x.org/db"), Err(UrlError::Scheme(_))));
        assert_eq!(origin("http://127.0.0.1:5984/a"), "http://127.0.0.1:5984");
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
    }

    /// A transport that answers from a [`MemReplica`] playing the server, recording
    /// every request: the client's requests are the protocol's, and a whole replication
    /// runs through it.
    struct Fake {
        server: RefCell<MemReplica>,
        log: RefCell<Vec<String>>,
        status: Option<u16>,
    }

    impl Http for Fake {
        async fn send(
            &self,
            method: &'static str,
            url: &str,
            auth: Option<&str>,
            body: Option<String>,
        ) -> Result<(u16, String), String> {
            use crate::replication::replicate::Replica;
            self.log
                .borrow_mut()
                .push(format!("{method} {url} {}", auth.unwrap_or("-")));
            if let Some(s) = self.status {
                return Ok((s, "{}".into()));
            }
            let path = url.strip_prefix("http://h/db").ok_or("wrong host")?;
            let mut srv = self.server.borrow_mut();
            let j = |v: Value| Ok((200, v.to_string()));
            let b = || {
                serde_json::from_str::<Value>(body.as_deref().unwrap_or("null")).map_err(|e| e.to_string())
            };
            match (method, path.split('?').next().unwrap_or("")) {
                ("GET", "") => j(serde_json::json!({"doc_count": srv.docs.len(), "update_seq": srv.seq})),
                ("GET", "/_changes") => {
                    let q = path.split_once("since=").map(|x| x.1).unwrap_or("0");
                    let since: u64 = q.split('&').next().unwrap_or("0").parse().map_err(|_| "since")?;
                    let r = Replica::changes(&*srv, &Value::from(since), 1000).map_err(|e| e.to_string())?;
                    j(serde_json::to_value(r).map_err(|e| e.to_string())?)
                }
                ("POST", "/_revs_diff") => {
                    let req = serde_json::from_value(b()?).map_err(|e| e.to_string())?;
                    j(
                        serde_json::to_value(Replica::revs_diff(&*srv, &req).map_err(|e| e.to_string())?)
                            .map_err(|e| e.to_string())?,
                    )
                }
                ("POST", "/_bulk_get") => {
                    let req = serde_json::from_value(b()?).map_err(|e| e.to_string())?;
                    j(
                        serde_json::to_value(Replica::bulk_get(&*srv, &req).map_err(|e| e.to_string())?)
                            .map_err(|e| e.to_string())?,
                    )
                }
                ("POST", "/_bulk_docs") => {
                    let req: BulkDocsRequest = serde_json::from_value(b()?).map_err(|e| e.to_string())?;
                    assert!(!req.new_edits, "replication writes with new_edits=false");
                    Replica::bulk_docs(&mut *srv, &req).map_err(|e| e.to_string())?;
                    j(serde_json::json!([]))
                }
                ("GET", p) if p.starts_with("/_local/") => {
                    match Replica::get_local(&*srv, &p[1..]).map_err(|e| e.to_string())? {
                        Some(mut d) => {
                            d.rev = Some("0-1".into());
                            j(serde_json::to_value(d).map_err(|e| e.to_string())?)
                        }
                        None => Ok((404, "{}".into())),
                    }
                }
                ("PUT", p) if p.starts_with("/_local/") => {
                    let d: CheckpointDoc = serde_json::from_value(b()?).map_err(|e| e.to_string())?;
                    Replica::put_local(&mut *srv, d).map_err(|e| e.to_string())?;
                    j(serde_json::json!({"ok": true}))
                }
                other => Err(format!("unexpected {other:?}")),
            }
        }
    }

    fn fake(server: MemReplica, status: Option<u16>) -> Couch<Fake> {
        let http = Fake {
            server: RefCell::new(server),
            log: RefCell::new(Vec::new()),
            status,
        };
        Couch::new(http, "http://h/db/", Some("guide"), Some("pw")).unwrap()
    }

    #[test]
    fn a_replication_through_the_client_brings_every_document_both_ways() {
        let mut server = MemReplica::new("server");
        server.put("a", None, false, "A1").unwrap();
        let mut remote = fake(server, None);
        let mut local = MemReplica::new("device:1");
        local.put("b", None, false, "B1").unwrap();
        let opts = Options::new("s1");
        let mut batches = 0;
        let pull = ready(replicate_async(&mut remote, &mut local, &opts, &mut |_| {
            batches += 1
        }))
        .unwrap();
        assert_eq!((pull.docs_written, batches), (1, 1));
        let push = ready(replicate_async(&mut local, &mut remote, &opts, &mut |_| {})).unwrap();
        assert_eq!(push.docs_written, 1, "only b goes up; a came from there");
        let srv = remote.http().server.borrow();
        assert!(srv.doc("a").is_some() && srv.doc("b").is_some());
        assert!(local.doc("a").is_some());
        let log = remote.http().log.borrow();
        let auth = format!("Basic {}", b64::encode(b"guide:pw"));
        assert!(log.iter().all(|l| l.ends_with(&auth)), "{log:?}");
        assert!(log.iter().any(|l| l.starts_with("POST http://h/db/_bulk_docs")));
        drop((srv, log));
        // Again: nothing new either way, checkpoints found.
        let again = ready(replicate_async(
            &mut remote,
            &mut local,
            &Options::new("s2"),
            &mut |_| {},
        ))
        .unwrap();
        assert_eq!(again.docs_written, 0);
    }

    #[test]
    fn refused_credentials_and_forbidden_databases_say_so() {
        for (status, says) in [(401, "401 unauthorized"), (403, "403 forbidden")] {
            let remote = fake(MemReplica::new("s"), Some(status));
            let e = ready(remote.ensure_db()).unwrap_err();
            assert!(matches!(e, ReplicaError::Refused(_)), "{e:?}");
            let e = e.to_string();
            assert!(e.contains(says) && e.contains("GET http://h/db"), "{e}");
        }
        let remote = fake(MemReplica::new("s"), Some(500));
        let e = ready(AsyncReplica::changes(&remote, &Value::from(0), 5))
            .unwrap_err()
            .to_string();
        assert!(e.contains("status 500"), "{e}");
    }
}
