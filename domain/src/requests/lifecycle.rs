//! Intake, due times, the status life cycle and overdue alerts of resident
//! requests (诉求三色管理, SPEC §2.7).
//!
//! Life cycle: `received → assigned → in_progress → resolved → closed`; a request
//! may skip forward along this path (a guide may resolve a request on the spot),
//! never go back. `rejected` and `duplicate` can be reached from any open status
//! (received, assigned, in progress). `closed`, `rejected` and `duplicate` are
//! final. Closing takes an optional satisfaction rating 1–5.

use crate::order::SortDyn;
use thiserror::Error;

use super::calendar::{local_day, local_midnight, WorkCalendar};
use super::tracking::TrackingCode;
use crate::model::{Millis, Request, RequestColour, RequestStatus, StatusChange};

/// Longest description accepted, in characters.
pub const MAX_DESCRIPTION: usize = 2_000;

/// Longest note on a status change accepted, in characters.
pub const MAX_NOTE: usize = 500;

/// Why a request change was refused. Nothing is changed when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RequestError {
    /// The category is empty.
    #[error("choose a category")]
    NoCategory,
    /// The description is empty.
    #[error("describe the request")]
    NoDescription,
    /// The description is longer than [`MAX_DESCRIPTION`] characters.
    #[error("the description is longer than {MAX_DESCRIPTION} characters")]
    DescriptionTooLong,
    /// The move would go backwards or leave a final status.
    #[error("a request cannot go from {from:?} to {to:?}")]
    Backwards { from: RequestStatus, to: RequestStatus },
    /// The request already has that status.
    #[error("the request is already {0:?}")]
    Same(RequestStatus),
    /// A change dated before the last one in the history.
    #[error("the change is dated before the request's last change")]
    TimeBackwards,
    /// A rating outside 1–5, or a rating given on anything but closing.
    #[error("satisfaction is rated 1 to 5, on closing")]
    Rating,
    /// Closing or rejecting without a note.
    #[error("closing or rejecting a request needs a note saying why")]
    NoNote,
    /// A note longer than [`MAX_NOTE`] characters.
    #[error("the note is longer than {MAX_NOTE} characters")]
    NoteTooLong,
    /// Moving to assigned without an assignee.
    #[error("assigning a request needs an assignee (a guide)")]
    NoAssignee,
    /// An assignee name longer than [`super::assignee::MAX_NAME`] characters.
    #[error("the assignee's name is too long")]
    AssigneeTooLong,
}

/// Whether moving to `to` needs a note (closing and rejecting do).
pub fn needs_note(to: RequestStatus) -> bool {
    matches!(to, RequestStatus::Closed | RequestStatus::Rejected)
}

/// Whether moving to `to` needs an assignee (assigning does).
pub fn needs_assignee(to: RequestStatus) -> bool {
    to == RequestStatus::Assigned
}

/// What comes with a status change besides the target status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Step<'a> {
    /// 1–5, only on closing.
    pub satisfaction: Option<u8>,
    /// The guide's note (trimmed; required on closing and rejecting, optional
    /// otherwise, at most [`MAX_NOTE`] characters). Kept in the history, never
    /// published.
    pub note: Option<&'a str>,
    /// The guide in charge (trimmed; required on assigning, ignored otherwise).
    pub assignee: Option<&'a str>,
}

/// The due time of a request received at `received_at` (SPEC §2.7): red, 24 hours
/// later; yellow, the end (local midnight) of the 3rd working day after the day of
/// receipt; blue, of the 7th.
///
/// # Examples
///
/// ```
/// use linli_domain::requests::calendar::{WorkCalendar, local_midnight, parse_date, local_datetime};
/// use linli_domain::requests::lifecycle::due_at;
/// use linli_domain::model::RequestColour;
/// let cal = WorkCalendar::default();
/// // Received Wednesday 30 Sep 2026, 10:00 Beijing time, yellow: the National Day
/// // block (1–7 Oct) is skipped: 8, 9, 10 (a worked Saturday) → due end of 10 Oct.
/// let t = local_midnight(parse_date("2026-09-30").unwrap()) + 10 * 3_600_000;
/// let due = due_at(&cal, RequestColour::Yellow, t);
/// assert_eq!(local_datetime(due - 60_000), "2026-10-10 23:59");
/// assert_eq!(due_at(&cal, RequestColour::Red, t) - t, 24 * 3_600_000);
/// ```
pub fn due_at(cal: &WorkCalendar, colour: RequestColour, received_at: Millis) -> Millis {
    let days = match colour {
        RequestColour::Red => return received_at + 24 * 3_600_000,
        RequestColour::Yellow => 3,
        RequestColour::Blue => 7,
    };
    local_midnight(cal.add_working_days(local_day(received_at), days) + 1)
}

/// Whether the status is final (nothing follows it).
pub fn is_final(s: RequestStatus) -> bool {
    matches!(
        s,
        RequestStatus::Closed | RequestStatus::Rejected | RequestStatus::Duplicate
    )
}

/// Whether the request still awaits a response (received, assigned, in progress).
pub fn is_open(s: RequestStatus) -> bool {
    matches!(
        s,
        RequestStatus::Received | RequestStatus::Assigned | RequestStatus::InProgress
    )
}

/// The stage of a status in the life cycle: received 0, assigned 1, in progress 2,
/// resolved 3, closed 4, rejected or duplicate 5 (replication takes the furthest).
pub fn rank(s: RequestStatus) -> u8 {
    match s {
        RequestStatus::Received => 0,
        RequestStatus::Assigned => 1,
        RequestStatus::InProgress => 2,
        RequestStatus::Resolved => 3,
        RequestStatus::Closed => 4,
        RequestStatus::Rejected | RequestStatus::Duplicate => 5,
    }
}

/// The statuses a request in `from` may move to, in life-cycle order.
pub fn next_statuses(from: RequestStatus) -> Vec<RequestStatus> {
    use RequestStatus::*;
    [Assigned, InProgress, Resolved, Closed, Rejected, Duplicate]
        .into_iter()
        .filter(|to| allowed(from, *to))
        .collect()
}

fn allowed(from: RequestStatus, to: RequestStatus) -> bool {
    if is_final(from) || from == to {
        return false;
    }
    match to {
        RequestStatus::Rejected | RequestStatus::Duplicate => is_open(from),
        RequestStatus::Received => false,
        _ => rank(to) > rank(from),
    }
}

/// What a guide types in to take a request in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intake<'a> {
    pub household_id: Option<u32>,
    /// A need category code.
    pub category: &'a str,
    pub description: &'a str,
    pub colour: RequestColour,
}

/// A new request, checked. `id` and `code` come from the caller (the next free
/// id; a code of fresh random bits), as does `now`.
///
/// # Errors
///
/// [`RequestError::NoCategory`], [`RequestError::NoDescription`] or
/// [`RequestError::DescriptionTooLong`].
pub fn intake(
    cal: &WorkCalendar,
    id: u32,
    code: &TrackingCode,
    input: &Intake<'_>,
    now: Millis,
) -> Result<Request, RequestError> {
    let Intake {
        household_id,
        category,
        description,
        colour,
    } = *input;
    let category = category.trim();
    let description = description.trim();
    if category.is_empty() {
        return Err(RequestError::NoCategory);
    }
    if description.is_empty() {
        return Err(RequestError::NoDescription);
    }
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(RequestError::DescriptionTooLong);
    }
    Ok(Request {
        id,
        tracking_code: code.as_str().to_owned(),
        household_id,
        category: category.to_owned(),
        description: description.to_owned(),
        colour,
        status: RequestStatus::Received,
        history: vec![StatusChange {
            status: RequestStatus::Received,
            at: now,
            note: None,
        }],
        received_at: now,
        due_at: due_at(cal, colour, now),
        satisfaction: None,
        assignee: None,
        resident: None,
    })
}

/// `req` moved to `to` at `at`, with `satisfaction` when `to` is closed and
/// nothing else: [`advance_with`] with only a rating (so closing, rejecting and
/// assigning are refused: they need a note or an assignee).
///
/// # Errors
///
/// As [`advance_with`].
pub fn advance(
    req: &Request,
    to: RequestStatus,
    satisfaction: Option<u8>,
    at: Millis,
) -> Result<Request, RequestError> {
    let step = Step {
        satisfaction,
        ..Step::default()
    };
    advance_with(req, to, &step, at)
}

/// `req` moved to `to` at `at` with what `step` brings: the note goes into the
/// new history entry, the assignee (on assigning) onto the request, the rating
/// (on closing) too.
///
/// # Errors
///
/// [`RequestError::Backwards`] (including leaving a final status),
/// [`RequestError::Same`], [`RequestError::NoNote`] (closing or rejecting
/// without a note), [`RequestError::NoteTooLong`], [`RequestError::NoAssignee`]
/// (assigning without an assignee), [`RequestError::AssigneeTooLong`],
/// [`RequestError::TimeBackwards`], [`RequestError::Rating`] (a rating outside
/// 1–5 or on anything but closing). `req` is not changed.
///
/// # Examples
///
/// ```
/// use linli_domain::requests::calendar::WorkCalendar;
/// use linli_domain::requests::lifecycle::{intake, advance, advance_with, Intake, RequestError, Step};
/// use linli_domain::requests::tracking::TrackingCode;
/// use linli_domain::model::{RequestColour, RequestStatus::*};
/// let cal = WorkCalendar::default();
/// let code = TrackingCode::from_random([3; 10]);
/// let input = Intake { household_id: None, category: "housing_repair", description: "楼道灯坏了", colour: RequestColour::Blue };
/// let r = intake(&cal, 1, &code, &input, 0).unwrap();
/// assert_eq!(advance(&r, Assigned, None, 5), Err(RequestError::NoAssignee));
/// let r = advance_with(&r, Assigned, &Step { assignee: Some("王芳"), ..Step::default() }, 5).unwrap();
/// assert_eq!(r.assignee.as_deref(), Some("王芳"));
/// let r = advance(&r, InProgress, None, 10).unwrap();
/// assert_eq!(advance(&r, Assigned, None, 20), Err(RequestError::Backwards { from: InProgress, to: Assigned }));
/// assert_eq!(advance(&r, Closed, Some(5), 30), Err(RequestError::NoNote));
/// let step = Step { satisfaction: Some(5), note: Some(" 已换灯泡 "), ..Step::default() };
/// let r = advance_with(&r, Closed, &step, 30).unwrap();
/// assert_eq!(r.history.len(), 4);
/// assert_eq!(r.history[3].note.as_deref(), Some("已换灯泡"));
/// ```
pub fn advance_with(
    req: &Request,
    to: RequestStatus,
    step: &Step<'_>,
    at: Millis,
) -> Result<Request, RequestError> {
    if req.status == to {
        return Err(RequestError::Same(to));
    }
    if !allowed(req.status, to) {
        return Err(RequestError::Backwards { from: req.status, to });
    }
    let note = step.note.map(str::trim).filter(|s| !s.is_empty());
    if needs_note(to) && note.is_none() {
        return Err(RequestError::NoNote);
    }
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(RequestError::NoteTooLong);
    }
    let assignee = step.assignee.map(str::trim).filter(|s| !s.is_empty());
    let assignee = if needs_assignee(to) {
        match assignee {
            None => return Err(RequestError::NoAssignee),
            Some(a) if a.chars().count() > super::assignee::MAX_NAME => {
                return Err(RequestError::AssigneeTooLong)
            }
            Some(a) => Some(a),
        }
    } else {
        None
    };
    if let Some(s) = step.satisfaction {
        if to != RequestStatus::Closed || !(1..=5).contains(&s) {
            return Err(RequestError::Rating);
        }
    }
    if req.history.last().is_some_and(|h| at < h.at) {
        return Err(RequestError::TimeBackwards);
    }
    let mut out = req.clone();
    out.status = to;
    out.history.push(StatusChange {
        status: to,
        at,
        note: note.map(str::to_owned),
    });
    if to == RequestStatus::Closed {
        out.satisfaction = step.satisfaction;
    }
    if let Some(a) = assignee {
        out.assignee = Some(a.to_owned());
    }
    Ok(out)
}

/// An overdue request: still open after its due time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    pub id: u32,
    pub colour: RequestColour,
    pub due_at: Millis,
    /// How long past due, in ms.
    pub late_ms: Millis,
}

/// The requests still open at `now` whose due time has passed, most overdue
/// first (ties: red before yellow before blue, then by id).
pub fn overdue(requests: &[Request], now: Millis) -> Vec<Overdue> {
    let mut out: Vec<Overdue> = requests
        .iter()
        .filter(|r| is_open(r.status) && now >= r.due_at)
        .map(|r| Overdue {
            id: r.id,
            colour: r.colour,
            due_at: r.due_at,
            late_ms: now - r.due_at,
        })
        .collect();
    let c = |c: RequestColour| match c {
        RequestColour::Red => 0,
        RequestColour::Yellow => 1,
        RequestColour::Blue => 2,
    };
    out.sort_by_dyn(|a, b| {
        b.late_ms
            .cmp(&a.late_ms)
            .then(c(a.colour).cmp(&c(b.colour)))
            .then(a.id.cmp(&b.id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::calendar::{local_datetime, parse_date};
    use proptest::prelude::*;
    use RequestStatus::*;

    fn at(date: &str, hour: i64) -> Millis {
        local_midnight(parse_date(date).unwrap()) + hour * 3_600_000
    }

    fn to_guide(name: &str) -> Step<'_> {
        Step {
            assignee: Some(name),
            ..Step::default()
        }
    }

    fn noted(satisfaction: Option<u8>, note: &str) -> Step<'_> {
        Step {
            satisfaction,
            note: Some(note),
            ..Step::default()
        }
    }

    fn new_req(colour: RequestColour, t: Millis) -> Request {
        let cal = WorkCalendar::default();
        let input = Intake {
            household_id: Some(3),
            category: "health",
            description: "噪音扰民",
            colour,
        };
        intake(&cal, 7, &TrackingCode::from_random([9; 10]), &input, t).unwrap()
    }

    #[test]
    fn due_dates_across_holiday_blocks() {
        let cal = WorkCalendar::default();
        let due = |c, d, h| local_datetime(due_at(&cal, c, at(d, h)) - 60_000);
        // Friday before the Spring Festival block: Sat 14 Feb (worked), then 24, 25 Feb.
        assert_eq!(due(RequestColour::Yellow, "2026-02-13", 9), "2026-02-25 23:59");
        // Blue from Thursday 30 Apr: 1–5 May off, 6, 7, 8, 9 (Sat, worked), 11, 12, 13.
        assert_eq!(due(RequestColour::Blue, "2026-04-30", 16), "2026-05-13 23:59");
        // Received on a holiday: counting starts from the next working day.
        assert_eq!(due(RequestColour::Yellow, "2026-10-03", 11), "2026-10-10 23:59");
        // Red: 24 clock hours, holidays or not.
        assert_eq!(due(RequestColour::Red, "2026-10-01", 8), "2026-10-02 07:59");
        // Late evening UTC is the next morning in Beijing.
        let t = local_midnight(parse_date("2026-11-24").unwrap()) - 3_600_000; // 23:00 on the 23rd
        assert_eq!(
            local_datetime(due_at(&cal, RequestColour::Yellow, t) - 60_000),
            "2026-11-26 23:59"
        );
    }

    #[test]
    fn intake_validates() {
        let cal = WorkCalendar::default();
        let code = TrackingCode::from_random([1; 10]);
        let r = |category: &str, description: &str| {
            let input = Intake {
                household_id: None,
                category,
                description,
                colour: RequestColour::Red,
            };
            intake(&cal, 1, &code, &input, 0)
        };
        assert_eq!(r(" ", "x"), Err(RequestError::NoCategory));
        assert_eq!(r("health", "  "), Err(RequestError::NoDescription));
        assert_eq!(
            r("health", &"长".repeat(MAX_DESCRIPTION + 1)),
            Err(RequestError::DescriptionTooLong)
        );
        let ok = r("health", " 电梯故障 ").unwrap();
        assert_eq!(ok.description, "电梯故障");
        assert_eq!(ok.tracking_code, code.as_str());
        assert_eq!(
            ok.history,
            vec![StatusChange {
                status: Received,
                at: 0,
                note: None,
            }]
        );
    }

    #[test]
    fn backwards_and_final_moves_are_refused() {
        let r = new_req(RequestColour::Yellow, 0);
        let r2 = advance_with(&r, Assigned, &to_guide("李明"), 5).unwrap();
        let r3 = advance(&r2, Resolved, None, 6).unwrap();
        assert_eq!(
            advance(&r3, InProgress, None, 7),
            Err(RequestError::Backwards {
                from: Resolved,
                to: InProgress
            })
        );
        assert_eq!(
            advance(&r3, Rejected, None, 7),
            Err(RequestError::Backwards {
                from: Resolved,
                to: Rejected
            })
        );
        assert_eq!(advance(&r3, Resolved, None, 7), Err(RequestError::Same(Resolved)));
        assert_eq!(
            advance_with(&r3, Closed, &noted(Some(6), "好"), 7),
            Err(RequestError::Rating)
        );
        assert_eq!(advance(&r2, InProgress, Some(4), 7), Err(RequestError::Rating));
        assert_eq!(
            advance_with(&r3, Closed, &noted(None, "好"), 1),
            Err(RequestError::TimeBackwards)
        );
        let closed = advance_with(&r3, Closed, &noted(Some(4), "已修好"), 8).unwrap();
        assert_eq!(closed.satisfaction, Some(4));
        assert!(next_statuses(Closed).is_empty());
        assert_eq!(
            advance(&closed, Resolved, None, 9),
            Err(RequestError::Backwards {
                from: Closed,
                to: Resolved
            })
        );
        let dup = advance(&r, Duplicate, None, 1).unwrap();
        assert!(next_statuses(dup.status).is_empty());
        assert_eq!(
            next_statuses(Received),
            vec![Assigned, InProgress, Resolved, Closed, Rejected, Duplicate]
        );
    }

    #[test]
    fn closing_and_rejecting_need_a_note_kept_in_the_history() {
        let r = new_req(RequestColour::Blue, 0);
        for to in [Closed, Rejected] {
            assert_eq!(advance(&r, to, None, 1), Err(RequestError::NoNote));
            assert_eq!(
                advance_with(&r, to, &noted(None, "  \n "), 1),
                Err(RequestError::NoNote)
            );
            let long = "长".repeat(MAX_NOTE + 1);
            assert_eq!(
                advance_with(&r, to, &noted(None, &long), 1),
                Err(RequestError::NoteTooLong)
            );
            let ok = advance_with(&r, to, &noted(None, &"长".repeat(MAX_NOTE)), 1).unwrap();
            assert_eq!(ok.status, to);
            let done = advance_with(&r, to, &noted(None, " 居民撤回 "), 2).unwrap();
            assert_eq!(done.history.last().unwrap().note.as_deref(), Some("居民撤回"));
            assert_eq!(done.history[..1], r.history[..]);
        }
        // A note is optional elsewhere, and kept when given.
        let p = advance_with(&r, InProgress, &noted(None, "已联系"), 1).unwrap();
        assert_eq!(p.history[1].note.as_deref(), Some("已联系"));
        assert_eq!(advance(&r, InProgress, None, 1).unwrap().history[1].note, None);
        assert!(needs_note(Closed) && needs_note(Rejected) && !needs_note(Resolved));
    }

    #[test]
    fn assigning_needs_an_assignee_recorded_on_the_request() {
        let r = new_req(RequestColour::Blue, 0);
        assert_eq!(advance(&r, Assigned, None, 1), Err(RequestError::NoAssignee));
        assert_eq!(
            advance_with(&r, Assigned, &to_guide("   "), 1),
            Err(RequestError::NoAssignee)
        );
        let long = "名".repeat(crate::requests::assignee::MAX_NAME + 1);
        assert_eq!(
            advance_with(&r, Assigned, &to_guide(&long), 1),
            Err(RequestError::AssigneeTooLong)
        );
        let a = advance_with(&r, Assigned, &to_guide(" 王芳 "), 1).unwrap();
        assert_eq!(a.assignee.as_deref(), Some("王芳"));
        assert_eq!(a.status, Assigned);
        // Elsewhere the assignee is left as it was.
        let p = advance_with(&a, InProgress, &to_guide("李明"), 2).unwrap();
        assert_eq!(p.assignee.as_deref(), Some("王芳"));
    }

    #[test]
    fn an_old_history_entry_keeps_its_bytes_and_notes_are_never_published() {
        let r = new_req(RequestColour::Blue, 0);
        let text = serde_json::to_string(&r.history[0]).unwrap();
        assert!(!text.contains("note"), "{text}");
        let back: StatusChange = serde_json::from_str(r#"{"status":"received","at":5}"#).unwrap();
        assert_eq!(back.note, None);
        let closed = advance_with(&r, Rejected, &noted(None, "PLANTNOTE 住户隐私"), 1).unwrap();
        let stored = serde_json::to_string(&closed).unwrap();
        assert!(stored.contains("PLANTNOTE"), "{stored}");
        let public = serde_json::to_string(&crate::requests::public_statuses(&[closed])).unwrap();
        assert!(!public.contains("PLANTNOTE"), "{public}");
        assert!(!public.contains("note"), "{public}");
    }

    #[test]
    fn overdue_lists_open_requests_past_due() {
        let a = new_req(RequestColour::Red, 0);
        let mut b = new_req(RequestColour::Blue, 0);
        b.id = 8;
        let c = advance(&new_req(RequestColour::Red, 0), Resolved, None, 1).map(|mut r| {
            r.id = 9;
            r
        });
        let reqs = vec![a.clone(), b.clone(), c.unwrap()];
        assert!(overdue(&reqs, a.due_at - 1).is_empty());
        let o = overdue(&reqs, a.due_at);
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].id, 7);
        let o = overdue(&reqs, b.due_at + 1);
        assert_eq!(o.iter().map(|x| x.id).collect::<Vec<_>>(), vec![7, 8]);
    }

    fn status() -> impl Strategy<Value = RequestStatus> {
        prop_oneof![
            Just(Received),
            Just(Assigned),
            Just(InProgress),
            Just(Resolved),
            Just(Closed),
            Just(Rejected),
            Just(Duplicate)
        ]
    }

    proptest! {
        /// Whatever the sequence of attempted moves, the history only moves forward,
        /// a refused move changes nothing, and the status is the last history entry.
        #[test]
        fn life_cycle_only_moves_forward(
            moves in proptest::collection::vec((status(), 0i64..100, proptest::option::of("[a-z ]{0,3}"), proptest::option::of("[a-z ]{0,3}")), 0..12)
        ) {
            let mut r = new_req(RequestColour::Yellow, 0);
            for (to, dt, note, guide) in moves {
                let t = r.history.last().unwrap().at + dt - 20;
                let before = r.clone();
                let step = Step { satisfaction: None, note: note.as_deref(), assignee: guide.as_deref() };
                let has = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.trim().is_empty());
                match advance_with(&r, to, &step, t) {
                    Ok(next) => {
                        prop_assert!(!is_final(before.status));
                        prop_assert!(t >= before.history.last().unwrap().at);
                        prop_assert_eq!(next.history.len(), before.history.len() + 1);
                        prop_assert!(!needs_note(to) || has(&note));
                        prop_assert!(!needs_assignee(to) || (has(&guide) && next.assignee.is_some()));
                        prop_assert_eq!(next.history.last().unwrap().note.is_some(), has(&note));
                        r = next;
                    }
                    Err(_) => prop_assert_eq!(&r, &before),
                }
                prop_assert_eq!(r.status, r.history.last().unwrap().status);
            }
            let ranks: Vec<u8> = r.history.iter().map(|h| rank(h.status)).collect();
            prop_assert!(ranks.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
