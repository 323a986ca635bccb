//! Small promise adapters over raw IndexedDB requests and transactions.

use std::fmt;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbVersionChangeEvent};

use super::schema::Migration;

/// Why a storage operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbError {
    /// The browser refused: `name` is the `DOMException` name
    /// (`QuotaExceededError`, `VersionError`, `UnknownError`, …).
    Browser { name: String, message: String },
    /// Another tab upgraded the database; this tab must reload.
    VersionChangedElsewhere,
    /// A transaction was aborted without an error (e.g. the tab is closing).
    Aborted,
    /// IndexedDB is not available (very old browser, or disabled).
    Unavailable,
    /// A stored record does not match the expected layout.
    Decode { store: String, reason: String },
    /// The workspace is locked: the data key is not in memory, so sealed
    /// records can be neither read nor written.
    Locked,
    /// A sealed record failed authentication (wrong key, or the record was
    /// changed, swapped or moved outside the app).
    Decrypt { store: String },
    /// The acting guide is a read-only auditor.
    ReadOnly,
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Browser { name, message } => write!(f, "{name}: {message}"),
            Self::VersionChangedElsewhere => f.write_str("VersionChange: another tab upgraded the database"),
            Self::Aborted => f.write_str("AbortError: the transaction was aborted"),
            Self::Unavailable => f.write_str("IndexedDB is not available in this browser"),
            Self::Decode { store, reason } => write!(f, "DataError: {store}: {reason}"),
            Self::Locked => f.write_str("Locked: the workspace is locked"),
            Self::Decrypt { store } => write!(f, "DecryptError: {store}: a record failed authentication"),
            Self::ReadOnly => f.write_str("ReadOnly: an auditor cannot change data"),
        }
    }
}

impl std::error::Error for DbError {}

impl DbError {
    /// The browser's error name, or a stable name of ours.
    pub fn name(&self) -> &str {
        match self {
            Self::Browser { name, .. } => name,
            Self::VersionChangedElsewhere => "VersionChange",
            Self::Aborted => "AbortError",
            Self::Unavailable => "Unavailable",
            Self::Decode { .. } => "DataError",
            Self::Locked => "Locked",
            Self::Decrypt { .. } => "DecryptError",
            Self::ReadOnly => "ReadOnly",
        }
    }

    /// Wraps a thrown JS value (normally a `DOMException`).
    pub fn from_js(v: JsValue) -> Self {
        let get = |k: &str| {
            Reflect::get(&v, &JsValue::from_str(k))
                .ok()
                .and_then(|x| x.as_string())
        };
        match (get("name"), get("message")) {
            (Some(name), message) => Self::Browser {
                name,
                message: message.unwrap_or_default(),
            },
            (None, _) => Self::Browser {
                name: "Error".to_owned(),
                message: v.as_string().unwrap_or_else(|| format!("{v:?}")),
            },
        }
    }
}

/// Resolves with the request's result, or rejects with its error.
pub(super) async fn request_done(req: &IdbRequest) -> Result<JsValue, DbError> {
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let r = req.clone();
        let ok = Closure::once_into_js(move |_e: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
        });
        let r = req.clone();
        let err = Closure::once_into_js(move |_e: web_sys::Event| {
            let e = r.error().ok().flatten().map_or(JsValue::UNDEFINED, JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(err.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(DbError::from_js)
}

/// Resolves when the transaction completes (committed), rejects when it aborts
/// with the transaction's error name.
pub(super) fn transaction_done(
    tx: &IdbTransaction,
) -> impl std::future::Future<Output = Result<(), DbError>> {
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let ok = Closure::once_into_js(move |_e: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let t = tx.clone();
        let rej = reject.clone();
        let abort = Closure::once_into_js(move |_e: web_sys::Event| {
            let e = t.error().map_or(JsValue::UNDEFINED, JsValue::from);
            let _ = rej.call1(&JsValue::NULL, &e);
        });
        tx.set_oncomplete(Some(ok.unchecked_ref()));
        tx.set_onabort(Some(abort.unchecked_ref()));
    });
    async move {
        match JsFuture::from(promise).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_undefined() || e.is_null() => Err(DbError::Aborted),
            Err(e) => Err(DbError::from_js(e)),
        }
    }
}

fn factory() -> Result<web_sys::IdbFactory, DbError> {
    web_sys::window()
        .ok_or(DbError::Unavailable)?
        .indexed_db()
        .map_err(DbError::from_js)?
        .ok_or(DbError::Unavailable)
}

/// Opens `name` at version `migrations.len()`, running the missing migrations
/// inside the `versionchange` transaction.
pub(super) async fn open(
    name: &str,
    migrations: &'static [Migration],
    on_blocked: impl Fn() + 'static,
) -> Result<IdbDatabase, DbError> {
    let version = migrations.len() as u32;
    let req: IdbOpenDbRequest = factory()?
        .open_with_u32(name, version)
        .map_err(DbError::from_js)?;
    let upgrade_error = std::rc::Rc::new(std::cell::RefCell::new(None::<DbError>));
    let upgrade_err = upgrade_error.clone();
    let r = req.clone();
    let on_upgrade = Closure::once_into_js(move |e: IdbVersionChangeEvent| {
        let old = e.old_version() as usize;
        let result = (|| -> Result<(), JsValue> {
            let db: IdbDatabase = r.result()?.unchecked_into();
            let tx = r
                .transaction()
                .ok_or_else(|| JsValue::from_str("no versionchange transaction"))?;
            for m in &migrations[old.min(migrations.len())..] {
                (m.apply)(&db, &tx)?;
            }
            Ok(())
        })();
        if let Err(err) = result {
            *upgrade_err.borrow_mut() = Some(DbError::from_js(err));
            if let Some(tx) = r.transaction() {
                let _ = tx.abort();
            }
        }
    });
    req.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    // `blocked` does not fail the request: it waits until the other
    // connections close. Tell the user meanwhile.
    let on_blocked = Closure::<dyn FnMut(web_sys::Event)>::new(move |_e| on_blocked());
    req.set_onblocked(Some(on_blocked.as_ref().unchecked_ref()));
    let result = request_done(req.unchecked_ref()).await;
    req.set_onblocked(None);
    drop(on_blocked);
    if let Some(e) = upgrade_error.borrow_mut().take() {
        return Err(e);
    }
    result.map(JsCast::unchecked_into)
}

/// Deletes database `name`.
pub(super) async fn delete(name: &str) -> Result<(), DbError> {
    let req = factory()?.delete_database(name).map_err(DbError::from_js)?;
    request_done(req.unchecked_ref()).await.map(|_| ())
}
