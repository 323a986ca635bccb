//! Loading, failed and loaded: one way for every page.
//!
//! A page loads its data with [`load`] (a typed read from `src/db/`, re-run
//! after every committed write) and shows it inside [`LoadGate`]: a spinner
//! while the first load runs, the error in plain words if it fails
//! ([`super::db_error`]),
//! and the page's views once it is loaded. The views are built once and stay
//! mounted across reloads (forms keep what was typed); they read the newest
//! value from [`Loaded::current`].

use std::sync::Arc;

use leptos::prelude::*;

use super::db_error::DbErrorView;
use crate::db::{Db, DbError};
use crate::i18n::*;
use crate::state::Storage;

/// Loaded data, shared and compared by identity, so views re-render only on a
/// new load, not on every read.
#[derive(Debug)]
pub struct Shared<T>(pub Arc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Where a load stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The database is opening or the first load runs.
    Loading,
    /// The last load failed ([`Loaded::error`] says why).
    Failed,
    /// Data is there ([`Loaded::current`]).
    Loaded,
}

/// A page's data: the resource, its newest value and its phase.
pub struct Loaded<T: Send + Sync + 'static> {
    /// The raw resource (`None` until the database is ready).
    pub data: LocalResource<Option<Result<Arc<T>, DbError>>>,
    /// The newest loaded value.
    pub current: Memo<Option<Shared<T>>>,
    /// Loading, failed or loaded.
    pub phase: Memo<Phase>,
}

impl<T: Send + Sync + 'static> Clone for Loaded<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for Loaded<T> {}

impl<T: Send + Sync + 'static> std::fmt::Debug for Loaded<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaded")
            .field("phase", &self.phase)
            .finish_non_exhaustive()
    }
}

impl<T: Send + Sync + 'static> Loaded<T> {
    /// The error of a failed load (shown by [`LoadGate`] in plain words).
    pub fn error(&self) -> Option<DbError> {
        match self.data.get_untracked() {
            Some(Some(Err(e))) => Some(e),
            _ => None,
        }
    }
}

/// Loads `read` from the open database, again after every committed write.
pub fn load<T, Fut>(storage: Storage, read: impl Fn(Db) -> Fut + 'static) -> Loaded<T>
where
    T: Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, DbError>> + 'static,
{
    let data = storage.resource(move |db| {
        let f = read(db);
        async move { Some(f.await.map(Arc::new)) }
    });
    let current = Memo::new(move |_| match data.get() {
        Some(Some(Ok(d))) => Some(Shared(d)),
        _ => None,
    });
    let phase = Memo::new(move |_| match data.get() {
        None | Some(None) => Phase::Loading,
        Some(Some(Err(_))) => Phase::Failed,
        Some(Some(Ok(_))) => Phase::Loaded,
    });
    Loaded { data, current, phase }
}

/// Shows a spinner while `phase` is loading, the error while it failed, and
/// `children` (built once, kept mounted) once loaded.
#[component]
pub fn LoadGate(
    /// Where the load stands.
    #[prop(into)]
    phase: Signal<Phase>,
    /// The error of a failed load.
    #[prop(into)]
    error: Signal<Option<DbError>>,
    /// The loaded views.
    children: ChildrenFn,
) -> impl IntoView {
    let i18n = use_i18n();
    let children = StoredValue::new(children);
    move || {
        match phase.get() {
        Phase::Loading => view! {
            <p class="muted" role="status"><span class="spinner" aria-hidden="true"></span>{t!(i18n, common.loading)}</p>
        }
        .into_any(),
        Phase::Failed => match error.get_untracked() {
            Some(e) => view! { <DbErrorView error=e/> }.into_any(),
            None => view! { <p class="error" role="alert">{t!(i18n, common.status_error)}</p> }.into_any(),
        },
        Phase::Loaded => children.with_value(|c| c()).into_any(),
    }
    }
}
