//! Saved workshop sessions, kept whole so that they can be listed, reopened and
//! continued after a reload.
//!
//! Saving a session (see `crate::workshop`) writes, besides its needs tally and its
//! ballots, the whole session as a [`SavedSession`] in the setting
//! `workshop_session:<started_at>` ([`saved_key`]): one record per session, its
//! value sealed like every setting's value once the workspace has a passphrase.
//! Saving the same session again (reopened and continued) replaces that record.
//!
//! A saved session is read back like a draft: by **replaying** its log through the
//! session's checked operations (`draft::replay`), so a damaged record is refused,
//! never half-loaded, and a reopened session keeps its undo stack.

use serde::{Deserialize, Serialize};

use super::draft::{replay, DraftError};
use super::Session;
use crate::model::Millis;
use crate::order::SortDyn;

/// Prefix of the settings holding saved sessions.
pub const SAVED_PREFIX: &str = "workshop_session:";
/// The format version of a [`SavedSession`].
pub const SAVED_VERSION: u32 = 1;

/// The setting key of the session that started at `started_at` (zero-padded, so
/// that keys sort by start).
///
/// ```
/// use linli_domain::workshop::saved::saved_key;
/// assert_eq!(saved_key(1_765_000_000_000), "workshop_session:01765000000000");
/// ```
pub fn saved_key(started_at: Millis) -> String {
    format!("{SAVED_PREFIX}{started_at:014}")
}

/// A saved session as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedSession {
    pub version: u32,
    /// When it was last saved (ms since the Unix epoch).
    pub saved_at: Millis,
    /// The guide who saved it last (the acting guide).
    pub saved_by: String,
    /// The period its ballots belong to.
    pub period: Option<String>,
    pub session: Session,
}

impl SavedSession {
    /// `session` saved by `saved_by` at `saved_at`.
    pub fn new(session: &Session, period: Option<String>, saved_by: String, saved_at: Millis) -> Self {
        Self {
            version: SAVED_VERSION,
            saved_at,
            saved_by,
            period,
            session: session.clone(),
        }
    }

    /// Its setting key.
    pub fn key(&self) -> String {
        saved_key(self.session.started_at)
    }

    /// The record as the setting's JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a saved session and replays it.
    ///
    /// # Errors
    ///
    /// [`DraftError`]: not JSON of a saved session, another version, or a log
    /// that does not replay.
    ///
    /// ```
    /// use linli_domain::workshop::{Session, Spot, saved::SavedSession};
    /// let mut s = Session::new(9, vec!["sport".into()], vec![3, 5]);
    /// s.place(0, Spot::Building(2)).unwrap();
    /// s.vote(5).unwrap();
    /// let text = SavedSession::new(&s, None, "王老师".into(), 10).to_json();
    /// let back = SavedSession::parse(&text).unwrap();
    /// assert_eq!(back.session, s);
    /// assert_eq!(back.saved_by, "王老师");
    /// assert!(SavedSession::parse(&text.replace("\"proposal\":5", "\"proposal\":4")).is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, DraftError> {
        let raw: Self = serde_json::from_str(text).map_err(|e| DraftError::Json(e.to_string()))?;
        if raw.version != SAVED_VERSION {
            return Err(DraftError::Version(raw.version));
        }
        let session = replay(&raw.session).map_err(DraftError::Replay)?;
        Ok(Self { session, ..raw })
    }

    /// Whether it was held over these categories (codes, in key order) and
    /// proposals (ids, in order), so that it can be reopened on this plan.
    pub fn fits(&self, categories: &[String], proposals: &[u32]) -> bool {
        self.session.categories == categories && self.session.proposals == proposals
    }
}

/// The saved sessions as listed: the last saved first (ties: the later start first).
pub fn listed(mut sessions: Vec<SavedSession>) -> Vec<SavedSession> {
    sessions.sort_by_dyn(|a, b| {
        b.saved_at
            .cmp(&a.saved_at)
            .then(b.session.started_at.cmp(&a.session.started_at))
    });
    sessions
}

/// Puts `saved` into `list` (replacing the record of the same session) and keeps
/// the list's order ([`listed`]).
pub fn upsert(list: Vec<SavedSession>, saved: SavedSession) -> Vec<SavedSession> {
    let mut list: Vec<SavedSession> = list
        .into_iter()
        .filter(|s| s.session.started_at != saved.session.started_at)
        .collect();
    list.push(saved);
    listed(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workshop::Spot;

    fn session(start: Millis, dots: u32) -> Session {
        let mut s = Session::new(start, vec!["a".into(), "b".into()], vec![1, 2]);
        for i in 0..dots {
            s.place((i % 2) as usize, Spot::Building(i)).unwrap();
        }
        s
    }

    #[test]
    fn a_saved_session_round_trips_and_continues() {
        let mut s = session(5, 3);
        s.vote(2).unwrap();
        s.next_participant().unwrap();
        let saved = SavedSession::new(&s, Some("2026-Q4".into()), "李".into(), 7);
        let mut back = SavedSession::parse(&saved.to_json()).unwrap();
        assert_eq!(back, saved);
        assert_eq!(back.key(), "workshop_session:00000000000005");
        assert!(back.fits(&["a".into(), "b".into()], &[1, 2]));
        assert!(!back.fits(&["a".into()], &[1, 2]));
        // Continued: more dots, and the undo stack is the saved one's.
        back.session.place(1, Spot::Building(9)).unwrap();
        assert_eq!(back.session.dots().len(), 4);
        back.session.undo();
        back.session.undo();
        assert_eq!(back.session.participant(), 1);
    }

    #[test]
    fn damaged_or_other_versions_are_refused() {
        let saved = SavedSession::new(&session(1, 2), None, "x".into(), 2);
        let mut v = serde_json::to_value(&saved).unwrap();
        v["session"]["dots"][0]["category"] = 7.into();
        assert!(matches!(
            SavedSession::parse(&v.to_string()),
            Err(DraftError::Replay(_))
        ));
        let mut v = serde_json::to_value(&saved).unwrap();
        v["version"] = 2.into();
        assert_eq!(SavedSession::parse(&v.to_string()), Err(DraftError::Version(2)));
        assert!(matches!(SavedSession::parse("[]"), Err(DraftError::Json(_))));
    }

    #[test]
    fn listed_last_saved_first_and_upsert_replaces_the_same_session() {
        let a = SavedSession::new(&session(1, 1), None, "x".into(), 10);
        let b = SavedSession::new(&session(2, 1), None, "x".into(), 20);
        let list = listed(vec![a.clone(), b.clone()]);
        assert_eq!(list[0].session.started_at, 2);
        let a2 = SavedSession::new(&session(1, 2), None, "y".into(), 30);
        let list = upsert(list, a2);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].session.started_at, 1);
        assert_eq!(list[0].session.dots().len(), 2);
        assert_eq!(list[0].saved_by, "y");
    }
}
