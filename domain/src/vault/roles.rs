//! Guides (accounts on the device) and their roles.
//!
//! | role | code | read | write (households, points, requests, …) | manage guides | export / backup |
//! |---|---|---|---|---|---|
//! | [`Role::Guide`] | `guide` | yes | yes | no | yes |
//! | [`Role::Supervisor`] | `supervisor` | yes | yes | yes | yes |
//! | [`Role::Auditor`] | `auditor` | yes | no | no | yes |
//!
//! The codes are stable (they are stored and appear in change history); do not rename them.
//! Every guide can export, because backups are everyone's duty; the audit trail records who did.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::index::normalise;

/// Longest guide name, in characters after trimming.
pub const MAX_GUIDE_NAME_CHARS: usize = 40;

/// What a guide may do. Serialised as `guide`, `supervisor`, `auditor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Day-to-day work: reads and writes records, exports.
    Guide,
    /// A guide who also adds, removes and changes guides.
    Supervisor,
    /// Read-only: reads and exports, changes nothing.
    Auditor,
}

impl Role {
    /// All roles, in display order.
    pub const ALL: [Role; 3] = [Role::Guide, Role::Supervisor, Role::Auditor];

    /// May change records (households, points, time bank, requests, calendar, settings, PDCA, plans).
    ///
    /// ```
    /// use linli_domain::vault::Role;
    /// assert!(Role::Guide.can_write() && Role::Supervisor.can_write());
    /// assert!(!Role::Auditor.can_write());
    /// ```
    #[must_use]
    pub fn can_write(self) -> bool {
        matches!(self, Role::Guide | Role::Supervisor)
    }

    /// May add, remove or change guides (and thus wrapped keys).
    #[must_use]
    pub fn can_manage_guides(self) -> bool {
        matches!(self, Role::Supervisor)
    }

    /// May export data and write backups (every role).
    #[must_use]
    pub fn can_export(self) -> bool {
        true
    }

    /// The stable code (`guide`, `supervisor`, `auditor`).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Role::Guide => "guide",
            Role::Supervisor => "supervisor",
            Role::Auditor => "auditor",
        }
    }

    /// The role of a stable code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// A guide: an account on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guide {
    /// Stable id, bound into the guide's wrapped key.
    pub id: u32,
    /// Display name (1–40 characters, trimmed, unique on the device).
    pub name: String,
    pub role: Role,
}

/// Why a guide was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GuideError {
    #[error("a guide needs a name")]
    EmptyName,
    #[error("a guide's name is at most {max} characters")]
    NameTooLong { max: usize },
    #[error("a guide's name must be one line without control characters")]
    NameNotOneLine,
    #[error("another guide already has this name: add a distinguishing mark")]
    DuplicateName,
    #[error("the last supervisor cannot be removed or demoted: make another guide supervisor first")]
    LastSupervisor,
}

/// Checks a guide name against the others on the device and returns it trimmed.
///
/// Uniqueness ignores case of Latin letters and full-width/half-width forms
/// (`ＬＩ` equals `li`); `self_id` excludes the guide being renamed.
///
/// ```
/// use linli_domain::vault::{validate_guide_name, Guide, GuideError, Role};
/// let others = [Guide { id: 1, name: "王芳".into(), role: Role::Supervisor }];
/// assert_eq!(validate_guide_name("  李明 ", &others, None).unwrap(), "李明");
/// assert_eq!(validate_guide_name("王芳", &others, None), Err(GuideError::DuplicateName));
/// assert_eq!(validate_guide_name("王芳", &others, Some(1)).unwrap(), "王芳");
/// assert_eq!(validate_guide_name("   ", &others, None), Err(GuideError::EmptyName));
/// ```
pub fn validate_guide_name(name: &str, others: &[Guide], self_id: Option<u32>) -> Result<String, GuideError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(GuideError::EmptyName);
    }
    if name.chars().count() > MAX_GUIDE_NAME_CHARS {
        return Err(GuideError::NameTooLong {
            max: MAX_GUIDE_NAME_CHARS,
        });
    }
    if name.chars().any(char::is_control) {
        return Err(GuideError::NameNotOneLine);
    }
    let norm = normalise(name);
    if others
        .iter()
        .any(|g| Some(g.id) != self_id && normalise(&g.name) == norm)
    {
        return Err(GuideError::DuplicateName);
    }
    Ok(name.to_string())
}

/// Refuses to remove guide `id` or change its role to `new_role` (`None`: removal) when it is
/// the last supervisor, so that someone can always manage guides.
///
/// ```
/// use linli_domain::vault::{check_roster_change, Guide, GuideError, Role};
/// let g = [Guide { id: 1, name: "王芳".into(), role: Role::Supervisor },
///          Guide { id: 2, name: "李明".into(), role: Role::Guide }];
/// assert_eq!(check_roster_change(&g, 1, None), Err(GuideError::LastSupervisor));
/// assert_eq!(check_roster_change(&g, 2, None), Ok(()));
/// ```
pub fn check_roster_change(guides: &[Guide], id: u32, new_role: Option<Role>) -> Result<(), GuideError> {
    let supervisors_after = guides
        .iter()
        .filter(|g| {
            if g.id == id {
                new_role == Some(Role::Supervisor)
            } else {
                g.role == Role::Supervisor
            }
        })
        .count();
    let had = guides.iter().any(|g| g.role == Role::Supervisor);
    if had && supervisors_after == 0 {
        return Err(GuideError::LastSupervisor);
    }
    Ok(())
}
