//! The session: who is acting (the unlocked guide, or the demo guide while no
//! passphrase is set), the lock, and the guides' roster.
//!
//! Every write records [`Session::actor`]; write controls follow
//! [`Session::can_write`]; the database refuses writes while the acting guide
//! is a read-only auditor ([`crate::db::Db::set_read_only`]).
//!
//! Unlocking derives the guide's key-encryption key with Argon2id (parameters
//! stored with the wrap, tuned on this device when the passphrase is set, see
//! [`linli_domain::vault::KdfParams::tuned`]) and unwraps the data key, which
//! then lives only in memory ([`crate::db::cipher`]). Locking (on demand, or
//! after [`crate::db::vault::VaultState::idle_minutes`] without a key, click
//! or touch) drops it and unmounts every view.

use leptos::prelude::*;
use linli_domain::model::AuditEntry;
use linli_domain::vault::{
    self, DataKey, Guide, KdfParams, Keyring, RecoveryCode, Role, VaultError, MIN_PASSPHRASE_CHARS,
};

use crate::browser::{now_millis, paint, random_bytes};
use crate::db::vault::{VaultState, DEFAULT_IDLE_MINUTES};
use crate::db::{cipher, history_entry, DbError};
use crate::i18n::*;
use crate::state::{use_storage, Storage, StorageStatus};

/// Target time of one key derivation on this device.
pub const KDF_TARGET_MS: u32 = 1_000;

/// The guide acting in this tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActingGuide {
    /// The guide's id in the roster (0 for the demo guide).
    pub id: u32,
    /// The name recorded in the change history.
    pub name: String,
    /// What the guide may do.
    pub role: Role,
}

impl From<&Guide> for ActingGuide {
    fn from(g: &Guide) -> Self {
        Self {
            id: g.id,
            name: g.name.clone(),
            role: g.role,
        }
    }
}

/// Where the lock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockState {
    /// Opening the database and reading the vault.
    Checking,
    /// No passphrase is set: demo data in clear, acting as the demo guide.
    Demo,
    /// A passphrase is set and the data key is not in memory: nothing
    /// personal is shown.
    Locked,
    /// A guide unlocked the workspace.
    Unlocked,
}

/// Why unlocking or changing the vault failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaultFail {
    /// A key or code did not open (wrong passphrase, code typo, …).
    Vault(VaultError),
    /// A guide's name was refused.
    Guide(vault::GuideError),
    /// The two passphrases differ.
    Mismatch,
    /// Storage failed.
    Db(DbError),
}

impl From<DbError> for VaultFail {
    fn from(e: DbError) -> Self {
        Self::Db(e)
    }
}

impl From<VaultError> for VaultFail {
    fn from(e: VaultError) -> Self {
        Self::Vault(e)
    }
}

impl From<vault::GuideError> for VaultFail {
    fn from(e: vault::GuideError) -> Self {
        Self::Guide(e)
    }
}

/// Session state, provided as context. `Copy`.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// Where the lock stands.
    pub lock: RwSignal<LockState>,
    /// The acting guide (`None` while locked).
    pub guide: RwSignal<Option<ActingGuide>>,
    /// The guides on this device (id, name, role), for assignees and the
    /// roster; the demo guide alone while no passphrase is set.
    pub roster: RwSignal<Vec<Guide>>,
    /// The vault as last read or written (`None` while no passphrase is set).
    pub vault: RwSignal<Option<VaultState>>,
    /// A recovery code just made, shown until the guide confirms it is kept.
    pub fresh_recovery: RwSignal<Option<String>>,
    /// Time of the last key, click or touch (ms), for auto-lock.
    last_activity: StoredValue<i64>,
    demo: StoredValue<ActingGuide>,
    storage: Storage,
}

impl Session {
    /// The acting guide's name, for the change history (not tracked).
    pub fn actor(&self) -> String {
        self.guide
            .with_untracked(|g| g.as_ref().map(|g| g.name.clone()))
            .unwrap_or_default()
    }

    /// Whether the acting guide may change data (tracked).
    pub fn can_write(&self) -> bool {
        self.guide
            .with(|g| g.as_ref().is_some_and(|g| g.role.can_write()))
    }

    /// Whether the acting guide may add, change and remove guides (tracked).
    pub fn can_manage_guides(&self) -> bool {
        self.guide
            .with(|g| g.as_ref().is_some_and(|g| g.role.can_manage_guides()))
    }

    /// Whether the workspace holds demo data with no passphrase (tracked).
    pub fn is_demo(&self) -> bool {
        self.lock.get() == LockState::Demo
    }

    fn entry(&self, summary: String) -> AuditEntry {
        history_entry(now_millis(), self.actor(), "guides", 0, "update", summary)
    }

    fn adopt(&self, state: VaultState) {
        self.roster.set(state.guides.clone());
        self.vault.set(Some(state));
    }

    /// Locks now: the data key leaves memory and every view unmounts.
    pub fn lock_now(&self) {
        if self.lock.get_untracked() != LockState::Unlocked {
            return;
        }
        self.guide.set(None);
        self.lock.set(LockState::Locked);
        self.storage.lock();
    }

    /// Unlocks as guide `id` with `passphrase`.
    ///
    /// # Errors
    ///
    /// [`VaultFail::Vault`] for a wrong passphrase or an unknown guide;
    /// [`VaultFail::Db`] when storage fails.
    pub async fn unlock(self, id: u32, passphrase: String) -> Result<(), VaultFail> {
        let db = self.storage.handle().ok_or(DbError::Unavailable)?;
        let state = db.vault().await?.ok_or(VaultError::NoSuchGuide)?;
        let guide = state.guide(id).cloned().ok_or(VaultError::NoSuchGuide)?;
        paint().await;
        let key = state.keyring.unlock(id, &passphrase)?;
        self.enter(state, &guide, &key).await
    }

    /// Unlocks with the recovery code and gives guide `id` the new
    /// `passphrase` (the way back for a guide who forgot theirs).
    ///
    /// # Errors
    ///
    /// As [`Session::unlock`]; a mistyped code says which group is wrong.
    pub async fn recover(
        self,
        code: String,
        id: u32,
        passphrase: String,
        summary: String,
    ) -> Result<(), VaultFail> {
        let code = RecoveryCode::parse(&code)?;
        check_passphrase(&passphrase)?;
        let db = self.storage.handle().ok_or(DbError::Unavailable)?;
        let mut state = db.vault().await?.ok_or(VaultError::NoSuchGuide)?;
        let guide = state.guide(id).cloned().ok_or(VaultError::NoSuchGuide)?;
        paint().await;
        let key = state.keyring.recover(&code)?;
        let wrap = wrap_for(&state, &key, id, &passphrase)?;
        state.keyring.put(wrap);
        cipher::set_keys(Some(&key));
        self.guide.set(Some(ActingGuide::from(&guide)));
        if let Err(e) = db.save_vault(&state, Some(self.entry(summary))).await {
            cipher::set_keys(None);
            self.guide.set(None);
            return Err(e.into());
        }
        self.enter(state, &guide, &key).await
    }

    async fn enter(self, state: VaultState, guide: &Guide, key: &DataKey) -> Result<(), VaultFail> {
        cipher::set_keys(Some(key));
        self.guide.set(Some(ActingGuide::from(guide)));
        self.adopt(state);
        self.last_activity.set_value(now_millis());
        if let Err(e) = self.storage.unlocked().await {
            self.guide.set(None);
            self.storage.lock();
            return Err(e.into());
        }
        self.lock.set(LockState::Unlocked);
        Ok(())
    }

    /// Sets the first passphrase: the demo guide's data (or whatever is in
    /// the workspace) is sealed in place, `name` becomes its first
    /// supervisor, and the recovery code is shown once.
    ///
    /// # Errors
    ///
    /// [`VaultFail`] explaining what to fix; nothing changed then.
    pub async fn set_first_passphrase(
        self,
        name: String,
        passphrase: String,
        confirm: String,
        summary: String,
    ) -> Result<(), VaultFail> {
        self.protect(name, passphrase, confirm, summary, None).await
    }

    /// A device joining a protected community (enrolment): the first guide of this
    /// device, their passphrase over the community's data key `key`, and this device's
    /// data replaced by `data` (an empty community, whose records come by sync, or this
    /// device's own records moved into its id space), sealed under that key.
    ///
    /// # Errors
    ///
    /// [`VaultFail`] explaining what to fix; nothing changed then.
    pub async fn join(
        self,
        name: String,
        passphrase: String,
        confirm: String,
        summary: String,
        key: DataKey,
        data: linli_domain::dataset::Dataset,
    ) -> Result<(), VaultFail> {
        self.protect(name, passphrase, confirm, summary, Some((key, data)))
            .await
    }

    async fn protect(
        self,
        name: String,
        passphrase: String,
        confirm: String,
        summary: String,
        join: Option<(DataKey, linli_domain::dataset::Dataset)>,
    ) -> Result<(), VaultFail> {
        let name = vault::validate_guide_name(&name, &[], None)?;
        check_passphrase(&passphrase)?;
        if passphrase != confirm {
            return Err(VaultFail::Mismatch);
        }
        let db = self.storage.db().ok_or(DbError::Unavailable)?;
        paint().await;
        let params = calibrate();
        let (key, replace) = match join {
            Some((k, data)) => (k, Some(data)),
            None => (DataKey::from_bytes(random_bytes::<32>()), None),
        };
        let guide = Guide {
            id: 1,
            name,
            role: Role::Supervisor,
        };
        let mut keyring = Keyring::default();
        keyring.put(vault::wrap_for_guide(
            &key,
            guide.id,
            &passphrase,
            &params,
            random_bytes::<{ vault::NONCE_BYTES }>(),
        )?);
        let code = RecoveryCode::from_random(random_bytes::<{ vault::recovery::RECOVERY_BYTES }>());
        keyring.put(vault::wrap_for_recovery(
            &key,
            &code,
            random_bytes::<{ vault::NONCE_BYTES }>(),
        ));
        let state = VaultState {
            guides: vec![guide.clone()],
            next_guide_id: 2,
            keyring,
            idle_minutes: DEFAULT_IDLE_MINUTES,
        };
        let entry = history_entry(
            now_millis(),
            guide.name.clone(),
            "guides",
            guide.id,
            "create",
            summary,
        );
        db.seal_replacing(&state, &key, entry, replace).await?;
        self.fresh_recovery.set(Some(code.format()));
        self.enter(state, &guide, &key).await
    }

    /// Adds a guide with their own passphrase (typed by them).
    ///
    /// # Errors
    ///
    /// [`VaultFail`] explaining what to fix; nothing changed then.
    pub async fn add_guide(
        self,
        name: String,
        role: Role,
        passphrase: String,
        confirm: String,
        summary: String,
    ) -> Result<(), VaultFail> {
        let mut state = self.current()?;
        let name = vault::validate_guide_name(&name, &state.guides, None)?;
        check_passphrase(&passphrase)?;
        if passphrase != confirm {
            return Err(VaultFail::Mismatch);
        }
        let key = cipher::data_key().ok_or(DbError::Locked)?;
        let id = state.next_guide_id;
        paint().await;
        let wrap = wrap_for(&state, &key, id, &passphrase)?;
        state.keyring.put(wrap);
        state.guides.push(Guide { id, name, role });
        state.next_guide_id = id + 1;
        self.save(state, summary).await
    }

    /// Changes guide `id`'s role.
    ///
    /// # Errors
    ///
    /// [`VaultFail::Guide`] when it would leave no supervisor.
    pub async fn set_role(self, id: u32, role: Role, summary: String) -> Result<(), VaultFail> {
        let mut state = self.current()?;
        vault::check_roster_change(&state.guides, id, Some(role))?;
        if let Some(g) = state.guides.iter_mut().find(|g| g.id == id) {
            g.role = role;
        }
        self.save(state, summary).await
    }

    /// Removes guide `id` and their wrapped key: their passphrase opens
    /// nothing any more.
    ///
    /// # Errors
    ///
    /// [`VaultFail::Guide`] for the last supervisor.
    pub async fn remove_guide(self, id: u32, summary: String) -> Result<(), VaultFail> {
        let mut state = self.current()?;
        vault::check_roster_change(&state.guides, id, None)?;
        state.guides.retain(|g| g.id != id);
        state.keyring.remove_guide(id);
        self.save(state, summary).await
    }

    /// Changes the acting guide's own passphrase.
    ///
    /// # Errors
    ///
    /// [`VaultFail`] explaining what to fix; nothing changed then.
    pub async fn change_passphrase(
        self,
        passphrase: String,
        confirm: String,
        summary: String,
    ) -> Result<(), VaultFail> {
        let mut state = self.current()?;
        check_passphrase(&passphrase)?;
        if passphrase != confirm {
            return Err(VaultFail::Mismatch);
        }
        let id = self
            .guide
            .with_untracked(|g| g.as_ref().map(|g| g.id))
            .ok_or(DbError::Locked)?;
        let key = cipher::data_key().ok_or(DbError::Locked)?;
        paint().await;
        state.keyring.put(wrap_for(&state, &key, id, &passphrase)?);
        self.save(state, summary).await
    }

    /// Sets the idle minutes before auto-lock.
    ///
    /// # Errors
    ///
    /// [`VaultFail::Db`] when storage fails.
    pub async fn set_idle_minutes(self, minutes: u32, summary: String) -> Result<(), VaultFail> {
        let mut state = self.current()?;
        state.idle_minutes = minutes;
        self.save(state, summary).await
    }

    fn current(&self) -> Result<VaultState, VaultFail> {
        self.vault.get_untracked().ok_or(VaultFail::Db(DbError::Locked))
    }

    async fn save(self, state: VaultState, summary: String) -> Result<(), VaultFail> {
        let db = self.storage.db().ok_or(DbError::Locked)?;
        db.save_vault(&state, Some(self.entry(summary))).await?;
        // The acting guide may have changed role (or been removed by themself).
        let me = self.guide.with_untracked(|g| g.as_ref().map(|g| g.id));
        match me.and_then(|id| state.guide(id)) {
            Some(g) => self.guide.set(Some(ActingGuide::from(g))),
            None => {
                self.adopt(state);
                self.lock_now();
                return Ok(());
            }
        }
        self.adopt(state);
        self.storage.changed();
        Ok(())
    }
}

fn check_passphrase(p: &str) -> Result<(), VaultError> {
    if p.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(VaultError::PassphraseTooShort {
            min: MIN_PASSPHRASE_CHARS,
        });
    }
    Ok(())
}

/// Argon2id parameters for this device: one derivation at the OWASP minimum
/// is timed, then memory (up to 64 MiB) and passes are raised toward
/// [`KDF_TARGET_MS`], never below the minimum.
fn calibrate() -> KdfParams {
    let probe = KdfParams::owasp_minimum(random_bytes::<{ vault::SALT_BYTES }>());
    let start = js_sys::Date::now();
    let _ = probe.derive_kek("calibration");
    let measured = (js_sys::Date::now() - start).max(1.0) as u32;
    KdfParams::tuned(random_bytes::<{ vault::SALT_BYTES }>(), KDF_TARGET_MS, measured)
}

/// A fresh wrap of `key` for guide `id`: the parameters of the vault's
/// existing guide wraps (tuned when the first passphrase was set) with a new
/// salt and nonce.
fn wrap_for(
    state: &VaultState,
    key: &DataKey,
    id: u32,
    passphrase: &str,
) -> Result<vault::WrappedKey, VaultError> {
    let mut params = state
        .keyring
        .wraps
        .iter()
        .find_map(|w| w.kdf.clone())
        .unwrap_or_else(calibrate);
    if !params.meets_owasp_minimum() {
        params = calibrate();
    }
    params.salt = random_bytes::<{ vault::SALT_BYTES }>();
    vault::wrap_for_guide(
        key,
        id,
        passphrase,
        &params,
        random_bytes::<{ vault::NONCE_BYTES }>(),
    )
}

/// The demo guide: acts while no passphrase is set.
pub fn demo_guide(name: String) -> ActingGuide {
    ActingGuide {
        id: 0,
        name,
        role: Role::Supervisor,
    }
}

/// Creates the session state and provides it, follows the storage status,
/// and runs the idle timer.
pub fn provide_session() -> Session {
    let i18n = use_i18n();
    let storage = use_storage();
    let demo = demo_guide(t_string!(i18n, common.actor_default).to_string());
    let s = Session {
        lock: RwSignal::new(LockState::Checking),
        roster: RwSignal::new(Vec::new()),
        vault: RwSignal::new(None),
        fresh_recovery: RwSignal::new(None),
        guide: RwSignal::new(None),
        last_activity: StoredValue::new(now_millis()),
        demo: StoredValue::new(demo),
        storage,
    };
    // Follow the storage: locked on start when a passphrase is set, demo
    // when none is.
    Effect::new(move |_| match storage.status.get() {
        StorageStatus::Locked => {
            s.guide.set(None);
            s.lock.set(LockState::Locked);
            if let Some(db) = storage.handle() {
                leptos::task::spawn_local(async move {
                    if let Ok(Some(v)) = db.vault().await {
                        s.roster.set(v.guides.clone());
                        s.vault.set(Some(v));
                    }
                });
            }
        }
        StorageStatus::Ready if !cipher::active() => {
            let demo = s.demo.get_value();
            s.roster.set(vec![Guide {
                id: demo.id,
                name: demo.name.clone(),
                role: demo.role,
            }]);
            s.guide.set(Some(demo));
            s.lock.set(LockState::Demo);
        }
        _ => {}
    });
    // The database refuses writes while an auditor acts.
    Effect::new(move |_| {
        let read_only = s.guide.with(|g| g.as_ref().is_some_and(|g| !g.role.can_write()));
        let _ = storage.status.get();
        if let Some(db) = storage.handle() {
            db.set_read_only(read_only);
        }
    });
    watch_idle(s);
    provide_context(s);
    s
}

/// Notes activity and locks after the vault's idle minutes without any.
/// Reads the clock at every check (`Date.now`), so a sleeping laptop locks
/// on waking.
fn watch_idle(s: Session) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let touch = Closure::<dyn FnMut(web_sys::Event)>::new(move |_e| {
        s.last_activity.set_value(now_millis());
    });
    let doc = document();
    for ev in ["keydown", "pointerdown", "wheel", "touchstart"] {
        let _ = doc.add_event_listener_with_callback(ev, touch.as_ref().unchecked_ref());
    }
    // The listeners live as long as the page.
    touch.forget();
    let check = Closure::<dyn FnMut()>::new(move || {
        if s.lock.get_untracked() != LockState::Unlocked {
            return;
        }
        let minutes = s
            .vault
            .with_untracked(|v| v.as_ref().map_or(DEFAULT_IDLE_MINUTES, |v| v.idle_minutes));
        if idle_expired(s.last_activity.get_value(), now_millis(), minutes) {
            s.lock_now();
        }
    });
    let _ = window()
        .set_interval_with_callback_and_timeout_and_arguments_0(check.as_ref().unchecked_ref(), 5_000);
    check.forget();
}

/// Whether `minutes` of idleness have passed since `last` at `now` (ms).
pub fn idle_expired(last: i64, now: i64, minutes: u32) -> bool {
    now.saturating_sub(last) >= i64::from(minutes) * 60_000
}

/// The session state (from context).
pub fn use_session() -> Session {
    expect_context()
}
