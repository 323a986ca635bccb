//! The session: who is acting (the unlocked guide, or the demo guide when no
//! passphrase is set) and whether the workspace is locked.
//!
//! Every write records [`Session::actor`]; write controls follow
//! [`Session::can_write`]; the database refuses writes while the acting guide
//! is a read-only auditor ([`crate::db::Db::set_read_only`]).

use leptos::prelude::*;
use linli_domain::vault::{Guide, Role};

use crate::i18n::*;
use crate::state::use_storage;

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

/// Where the lock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockState {
    /// Reading the vault (whether a passphrase is set).
    Checking,
    /// No passphrase is set: demo data in clear, acting as the demo guide.
    Demo,
    /// A passphrase is set and the data key is not in memory: nothing
    /// personal is shown.
    Locked,
    /// A guide unlocked the workspace.
    Unlocked,
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
}

/// The demo guide: acts while no passphrase is set.
pub fn demo_guide(name: String) -> ActingGuide {
    ActingGuide {
        id: 0,
        name,
        role: Role::Supervisor,
    }
}

/// Creates the session state and provides it. Until the vault is read the
/// workspace acts as the demo guide.
pub fn provide_session() -> Session {
    let i18n = use_i18n();
    let storage = use_storage();
    let demo = demo_guide(t_string!(i18n, common.actor_default).to_string());
    let s = Session {
        lock: RwSignal::new(LockState::Demo),
        roster: RwSignal::new(vec![Guide {
            id: demo.id,
            name: demo.name.clone(),
            role: demo.role,
        }]),
        guide: RwSignal::new(Some(demo)),
    };
    // The database refuses writes while an auditor acts.
    Effect::new(move |_| {
        let read_only = !s.can_write();
        let _ = storage.status.get();
        if let Some(db) = storage.db() {
            db.set_read_only(read_only);
        }
    });
    provide_context(s);
    s
}

/// The session state (from context).
pub fn use_session() -> Session {
    expect_context()
}
