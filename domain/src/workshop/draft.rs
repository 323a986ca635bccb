//! A workshop session in progress, kept so that it survives a reload.
//!
//! While a session runs, the workspace writes a [`Draft`] to the setting
//! [`DRAFT_SETTING`] after each change (debounced), until the session is saved
//! (the save deletes it in the same transaction) or discarded. Opening the
//! workshop with a draft resumes it.
//!
//! A draft is read back by **replaying** it: a new [`Session`] over the draft's
//! categories and proposals, with its dot limit, then every action of its undo log
//! in order through the session's own checked operations
//! ([`Session::place`], [`Session::vote`], [`Session::next_participant`]). So a
//! resumed session is one the workshop could have built itself: a damaged or
//! edited draft is refused ([`DraftError`]), never half-loaded, and the undo stack
//! survives the reload.

use serde::{Deserialize, Serialize};

use super::{Act, Session};
use crate::model::Millis;

/// The setting holding the session in progress (JSON [`Draft`]).
pub const DRAFT_SETTING: &str = "workshop_draft";
/// The format version of a [`Draft`].
pub const DRAFT_VERSION: u32 = 1;

/// A session in progress as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    pub version: u32,
    /// When it was last written (ms since the Unix epoch).
    pub kept_at: Millis,
    /// The period its ballots will belong to.
    pub period: Option<String>,
    pub session: Session,
}

/// Why a stored draft cannot be resumed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    /// Not JSON of a draft.
    #[error("the stored draft is not readable: {0}")]
    Json(String),
    /// Written by another format version.
    #[error("the stored draft has format version {0}, this workspace reads {DRAFT_VERSION}")]
    Version(u32),
    /// Its actions do not replay (an index out of range, more dots than allowed, …).
    #[error("the stored draft does not replay: {0}")]
    Replay(String),
}

impl Draft {
    /// A draft of `session` kept at `kept_at`.
    pub fn new(session: &Session, period: Option<String>, kept_at: Millis) -> Self {
        Self {
            version: DRAFT_VERSION,
            kept_at,
            period,
            session: session.clone(),
        }
    }

    /// The draft as the setting's JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a draft and replays its session (see the module documentation).
    ///
    /// # Errors
    ///
    /// [`DraftError`]; nothing is resumed then.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::workshop::{Session, Spot, draft::Draft};
    /// let mut s = Session::new(1, vec!["elderly_care".into(), "childcare".into()], vec![7]);
    /// s.place(1, Spot::Building(3)).unwrap();
    /// s.vote(7).unwrap();
    /// let text = Draft::new(&s, Some("2026-Q4".into()), 2).to_json();
    /// let back = Draft::parse(&text).unwrap();
    /// assert_eq!(back.session, s);
    /// assert_eq!(back.session.by_proposal(), &[1]);
    /// assert!(Draft::parse(&text.replace("\"category\":1", "\"category\":5")).is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, DraftError> {
        let raw: Self = serde_json::from_str(text).map_err(|e| DraftError::Json(e.to_string()))?;
        if raw.version != DRAFT_VERSION {
            return Err(DraftError::Version(raw.version));
        }
        let session = replay(&raw.session).map_err(DraftError::Replay)?;
        Ok(Self { session, ..raw })
    }

    /// Whether the draft was made over these categories (codes, in key order) and
    /// proposals (ids, in order): a draft over others cannot be shown on this plan.
    pub fn fits(&self, categories: &[String], proposals: &[u32]) -> bool {
        self.session.categories == categories && self.session.proposals == proposals
    }
}

/// Rebuilds `stored` from its log through the checked operations.
pub(crate) fn replay(stored: &Session) -> Result<Session, String> {
    let mut s = Session::new(
        stored.started_at,
        stored.categories.clone(),
        stored.proposals.clone(),
    );
    s.set_dots_per_participant(stored.dots_per_participant)
        .map_err(|e| e.to_string())?;
    let (mut dots, mut votes) = (stored.dots.iter(), stored.votes.iter());
    for act in &stored.log {
        match act {
            Act::Dot => {
                let d = dots.next().ok_or("the log names more dots than are stored")?;
                s.place(usize::from(d.category), d.spot)
                    .map_err(|e| e.to_string())?;
            }
            Act::Vote => {
                let v = votes.next().ok_or("the log names more votes than are stored")?;
                if v.participant != s.participant() {
                    return Err(format!(
                        "a vote of participant {} while participant {} votes",
                        v.participant,
                        s.participant()
                    ));
                }
                s.vote(v.proposal).map_err(|e| e.to_string())?;
            }
            Act::NextParticipant => {
                s.next_participant().map_err(|e| e.to_string())?;
            }
        }
    }
    if dots.next().is_some() || votes.next().is_some() {
        return Err("dots or votes are stored that the log does not name".to_owned());
    }
    if s.participant() != stored.participant {
        return Err(format!(
            "the current participant is {}, the log gives {}",
            stored.participant,
            s.participant()
        ));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::workshop::Spot;

    fn cats() -> Vec<String> {
        vec!["elderly_care".into(), "childcare".into(), "sport".into()]
    }

    #[derive(Debug, Clone)]
    enum Op {
        Dot(usize, u32),
        Vote(usize),
        Next,
        Undo,
        Limit(u32),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0usize..4, 0u32..5).prop_map(|(c, b)| Op::Dot(c, b)),
            (0usize..3).prop_map(Op::Vote),
            Just(Op::Next),
            Just(Op::Undo),
            (0u32..5).prop_map(Op::Limit),
        ]
    }

    proptest! {
        /// Any session the workshop can build survives the round trip through its
        /// draft unchanged (dots, votes, counts, participant, limit and undo stack).
        #[test]
        fn every_session_round_trips(ops in proptest::collection::vec(op(), 0..80)) {
            let mut s = Session::new(42, cats(), vec![10, 11, 12]);
            for o in ops {
                let _ = match o {
                    Op::Dot(c, b) => s.place(c, Spot::Building(b)).map(|_| ()),
                    Op::Vote(p) => s.vote(10 + p as u32),
                    Op::Next => s.next_participant().map(|_| ()),
                    Op::Undo => { s.undo(); Ok(()) }
                    Op::Limit(l) => s.set_dots_per_participant(l),
                };
            }
            let back = Draft::parse(&Draft::new(&s, None, 7).to_json()).unwrap();
            prop_assert_eq!(&back.session, &s);
            prop_assert_eq!(back.session.by_category(), s.by_category());
            prop_assert_eq!(back.session.by_proposal(), s.by_proposal());
            prop_assert_eq!(back.session.left(), s.left());
            // Undoing everything works the same on both.
            let (mut a, mut b) = (s.clone(), back.session);
            while let Some(u) = a.undo() {
                prop_assert_eq!(b.undo(), Some(u));
            }
            prop_assert_eq!(b.undo(), None);
        }
    }

    #[test]
    fn damaged_drafts_are_refused() {
        let mut s = Session::new(1, cats(), vec![10]);
        s.place(0, Spot::Building(1)).unwrap();
        s.vote(10).unwrap();
        s.next_participant().unwrap();
        let good = Draft::new(&s, Some("2026-Q4".into()), 5);
        let mut v = serde_json::to_value(&good).unwrap();
        assert_eq!(Draft::parse(&v.to_string()).unwrap(), good);

        let mut over = v.clone();
        over["session"]["votes"][0]["proposal"] = 99.into();
        assert!(matches!(
            Draft::parse(&over.to_string()),
            Err(DraftError::Replay(_))
        ));
        let mut extra = v.clone();
        extra["session"]["dots"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"category": 0, "spot": {"building": 1}}));
        assert!(matches!(
            Draft::parse(&extra.to_string()),
            Err(DraftError::Replay(_))
        ));
        let mut who = v.clone();
        who["session"]["participant"] = 5.into();
        assert!(matches!(
            Draft::parse(&who.to_string()),
            Err(DraftError::Replay(_))
        ));
        v["version"] = 2.into();
        assert_eq!(Draft::parse(&v.to_string()), Err(DraftError::Version(2)));
        assert!(matches!(Draft::parse("{"), Err(DraftError::Json(_))));
        assert!(good.fits(&cats(), &[10]));
        assert!(!good.fits(&cats()[..2], &[10]));
        assert!(!good.fits(&cats(), &[10, 11]));
    }
}
