//! The storage state: the open database, its status, persistence, and a
//! revision counter that views watch to reload after a write.

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::dataset::Dataset;
use linli_domain::demo::{generate, DemoConfig};
use linli_domain::model::{AuditEntry, Setting};

use crate::db::{request_persistence, Db, DbError};

/// Where the local database stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageStatus {
    /// Opening (and upgrading) the database.
    Opening,
    /// Another tab holds an older connection; the open waits for it.
    Blocked,
    /// First start: the demo community is being generated and saved.
    LoadingDemo,
    /// A passphrase is set and the workspace is locked: the database is
    /// open but nothing can be read until a guide unlocks it.
    Locked,
    /// Ready to use.
    Ready,
    /// Another tab upgraded the schema; this tab closed its connection.
    ReloadNeeded,
    /// Opening or the first write failed.
    Failed(DbError),
}

/// Storage handle and state, provided as context. `Copy`.
#[derive(Debug, Clone, Copy)]
pub struct Storage {
    db: StoredValue<Option<Db>, LocalStorage>,
    /// Status of the database.
    pub status: RwSignal<StorageStatus>,
    /// `None` while asking; `Some(None)` when the browser has no such API.
    pub persisted: RwSignal<Option<Option<bool>>>,
    /// Bumped after every committed write.
    pub revision: RwSignal<u64>,
}

/// Setting key marking that the first start (demo load) happened, so a user
/// who cleared everything does not get the demo back on the next visit.
pub const INITIALIZED_KEY: &str = "initialized";

/// The setting that marks a database as past its first start.
pub fn initialized_marker() -> Setting {
    Setting {
        key: INITIALIZED_KEY.to_owned(),
        value: "true".to_owned(),
    }
}

/// The demo community as stored on first start.
pub fn demo_dataset() -> Dataset {
    let mut d = generate(&DemoConfig::default());
    d.settings.push(initialized_marker());
    d.normalize();
    d
}

/// `d` with the first-start marker added if it lacks it, so a restored
/// backup is never replaced by the demo on the next start.
pub fn with_marker(mut d: Dataset) -> Dataset {
    if !d.settings.iter().any(|x| x.key == INITIALIZED_KEY) {
        d.settings.push(initialized_marker());
        d.normalize();
    }
    d
}

/// An empty community (after "clear all"), still marked initialised.
pub fn empty_dataset() -> Dataset {
    Dataset {
        settings: vec![initialized_marker()],
        ..Dataset::default()
    }
}

impl Storage {
    /// The open database, if ready.
    pub fn db(&self) -> Option<Db> {
        if self.status.get_untracked() == StorageStatus::Ready {
            self.db.with_value(Clone::clone)
        } else {
            None
        }
    }

    /// The open database whatever its status (the lock screen reads the
    /// vault through it while locked).
    pub fn handle(&self) -> Option<Db> {
        self.db.with_value(Clone::clone)
    }

    /// After a guide unlocked (the data key is in memory): finishes the
    /// first start if needed and makes the data available.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's name.
    pub async fn unlocked(&self) -> Result<(), DbError> {
        let db = self.handle().ok_or(DbError::Unavailable)?;
        first_start(*self, &db).await?;
        self.status.set(StorageStatus::Ready);
        self.changed();
        Ok(())
    }

    /// Locks: the data key leaves memory and every view unmounts.
    pub fn lock(&self) {
        crate::db::cipher::set_keys(None);
        if let Some(db) = self.handle() {
            db.set_read_only(false);
        }
        self.status.set(StorageStatus::Locked);
    }

    /// A resource loaded from the open database, reloaded after every
    /// committed write. `None` until the database is ready or when `load`
    /// gives `None`.
    pub fn resource<T, Fut>(self, load: impl Fn(Db) -> Fut + 'static) -> LocalResource<Option<T>>
    where
        T: 'static,
        Fut: std::future::Future<Output = Option<T>> + 'static,
    {
        LocalResource::new(move || {
            let _ = self.revision.get();
            let pending = self.db().map(&load);
            async move {
                match pending {
                    Some(f) => f.await,
                    None => None,
                }
            }
        })
    }

    /// Notes a committed write: views that track [`Storage::revision`] reload.
    pub fn changed(&self) {
        self.revision.update(|r| *r += 1);
    }

    /// Replaces all data with `dataset` in one transaction, then notifies.
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's name; nothing changed in that case.
    pub async fn replace_all(&self, dataset: &Dataset) -> Result<(), DbError> {
        let db = self.db().ok_or(DbError::Aborted)?;
        db.replace_all(dataset).await?;
        self.changed();
        Ok(())
    }

    /// Replaces all data with `dataset` and records `entry` (who and why) in the
    /// same transaction, then notifies ([`Db::replace_all_recorded`]).
    ///
    /// # Errors
    ///
    /// [`DbError`] with the browser's name; nothing changed in that case.
    pub async fn replace_all_recorded(&self, dataset: &Dataset, entry: AuditEntry) -> Result<(), DbError> {
        let db = self.db().ok_or(DbError::Aborted)?;
        db.replace_all_recorded(dataset, entry).await?;
        self.changed();
        Ok(())
    }
}

/// Creates the storage state, provides it, and starts opening the database.
pub fn provide_storage() -> Storage {
    let s = Storage {
        db: StoredValue::new_local(None),
        status: RwSignal::new(StorageStatus::Opening),
        persisted: RwSignal::new(None),
        revision: RwSignal::new(0),
    };
    provide_context(s);
    spawn_local(start(s));
    s
}

/// The storage state (from context).
pub fn use_storage() -> Storage {
    expect_context()
}

/// Loads the demo community on the very first start only: when the database
/// holds no record at all. A database with data but no marker (e.g. restored
/// from a backup made elsewhere) only gets the marker; its data is never
/// replaced.
async fn first_start(s: Storage, db: &Db) -> Result<(), DbError> {
    let settings: Vec<Setting> = db.settings().await?;
    if settings.iter().any(|x| x.key == INITIALIZED_KEY) {
        return Ok(());
    }
    let empty = db.counts().await?.iter().all(|(_, n)| *n == 0);
    if empty {
        s.status.set(StorageStatus::LoadingDemo);
        db.replace_all(&demo_dataset()).await
    } else {
        db.put_all("settings", &[initialized_marker()]).await
    }
}

async fn start(s: Storage) {
    let status = s.status;
    // This deployment's own database (db::community), adopting the legacy
    // origin-wide `linli` database on its first open.
    let opened = Db::open_community(
        move || status.set(StorageStatus::Blocked),
        move || status.set(StorageStatus::ReloadNeeded),
    )
    .await;
    let db = match opened {
        Ok(db) => db,
        Err(e) => {
            s.status.set(StorageStatus::Failed(e));
            return;
        }
    };
    s.db.set_value(Some(db.clone()));
    match db.vault().await {
        Ok(Some(_)) => {
            s.status.set(StorageStatus::Locked);
            s.persisted.set(Some(request_persistence().await));
            return;
        }
        Ok(None) => {}
        Err(e) => {
            s.status.set(StorageStatus::Failed(e));
            return;
        }
    }
    if let Err(e) = first_start(s, &db).await {
        s.status.set(StorageStatus::Failed(e));
        return;
    }
    s.status.set(StorageStatus::Ready);
    s.changed();
    s.persisted.set(Some(request_persistence().await));
}
