//! Taking an opened submission in: the rules, decided on the community's requests alone
//! ([`take_in`]), and their application to a whole dataset ([`apply`], what `linli
//! intake` does; the workspace does the same writes in one checked transaction).

use super::submission::{Body, Submission};
use super::IntakeError;
use crate::dataset::Dataset;
use crate::model::{
    AuditEntry, Millis, Request, RequestColour, RequestStatus, ResidentInput, Setting, Urgency,
};
use crate::requests::calendar::WorkCalendar;
use crate::requests::lifecycle::{self, Intake, Step};
use crate::requests::satisfaction;
use crate::warnings::{items_from_json, ITEMS_SETTING};

/// The note of the closing history entry when a resident's rating closes a resolved
/// request (closing needs a note; the resident's comment is kept apart, in
/// [`ResidentInput::comment`]).
pub const RATING_NOTE: &str = "居民评价 (resident rating)";

/// What the community decides with: passed in, never read from a clock.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// This community's id ([`super::community_id`]).
    pub community: &'a str,
    /// The working-day calendar for due times.
    pub calendar: &'a WorkCalendar,
    /// The time of taking in (the request's received time, the rating's closing time).
    pub now: Millis,
    /// The community's need category codes; a request in another category is refused.
    /// Empty: any code is accepted.
    pub categories: &'a [String],
    /// The colour the guide chose when confirming; `None`: from the resident's urgency
    /// ([`colour_of`]).
    pub colour: Option<RequestColour>,
    /// The household the guide linked the request to when confirming, if any (the
    /// resident groups' satisfaction dispersion counts only requests with a household).
    /// Ignored for ratings.
    pub household_id: Option<u32>,
    /// This device's number in the community: a new request's id is the next of its
    /// space ([`crate::replication::ids::next_in`]; 0 for a device never enrolled).
    pub device: u16,
}

/// The colour of a resident's own urgency: high → red (24 hours), medium → yellow (3
/// working days), low → blue (7 working days).
pub fn colour_of(u: Urgency) -> RequestColour {
    match u {
        Urgency::High => RequestColour::Red,
        Urgency::Medium => RequestColour::Yellow,
        Urgency::Low => RequestColour::Blue,
    }
}

/// What taking a submission in decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeOutcome {
    /// A new request to add, under the resident's code, with the next free id.
    Created(Request),
    /// The request rated: replaces the stored one with the same id. `before` is its
    /// status before (resolved: the rating closed it; closed: only its rating changed).
    Rated { before: RequestStatus, request: Request },
    /// The same payload, or the same content, was taken in before: nothing to change.
    AlreadyTakenIn { id: u32 },
}

impl IntakeOutcome {
    /// The request to write, if anything changes.
    pub fn request(&self) -> Option<&Request> {
        match self {
            Self::Created(r) | Self::Rated { request: r, .. } => Some(r),
            Self::AlreadyTakenIn { .. } => None,
        }
    }

    /// Whether nothing changes.
    pub fn is_replay(&self) -> bool {
        matches!(self, Self::AlreadyTakenIn { .. })
    }

    /// The history entry of the change by the acting guide `actor` at `at` (the time of
    /// taking in; id 0: the storage chooses it), or `None` for a replay. Entity `requests`; action `create`
    /// (`"<category> <colour>; resident intake"`), `status` (`"resolved → closed (4/5);
    /// resident rating"`) or `update` (`"rating 4/5; resident rating"`).
    pub fn audit_entry(&self, actor: &str, at: Millis) -> Option<AuditEntry> {
        let (r, action, summary) = match self {
            Self::AlreadyTakenIn { .. } => return None,
            Self::Created(r) => (
                r,
                "create",
                format!("{} {}; resident intake", r.category, r.colour.code()),
            ),
            Self::Rated { before, request } => {
                let rating = request.satisfaction.unwrap_or(0);
                if *before == request.status {
                    (request, "update", format!("rating {rating}/5; resident rating"))
                } else {
                    (
                        request,
                        "status",
                        format!(
                            "{} → {} ({rating}/5); resident rating",
                            before.code(),
                            request.status.code()
                        ),
                    )
                }
            }
        };
        Some(AuditEntry {
            id: 0,
            at,
            actor: actor.to_owned(),
            entity: "requests".to_owned(),
            entity_id: r.id,
            action: action.to_owned(),
            summary,
        })
    }
}

fn payloads_hold(r: &Request, digest: &str) -> bool {
    r.resident
        .as_ref()
        .is_some_and(|x| x.payloads.iter().any(|p| p == digest))
}

/// Decides what `submission` (opened from a payload whose SHA-256 is `digest`, see
/// [`super::Opened`]) does to `requests`:
///
/// - for another community → [`IntakeError::WrongCommunity`];
/// - a payload already taken in (its digest is recorded on a request) →
///   [`IntakeOutcome::AlreadyTakenIn`];
/// - a request whose code is free → [`IntakeOutcome::Created`]: id = largest id + 1,
///   received now, colour from the guide or the resident's urgency, due time from the
///   calendar ([`lifecycle::due_at`]), the resident's urgency, contact and the digest in
///   [`Request::resident`];
/// - a request whose code is taken by a request with the same resident content (category,
///   description, urgency, contact: the same submission sealed again) →
///   [`IntakeOutcome::AlreadyTakenIn`]; by any other request → [`IntakeError::CodeTaken`];
/// - a rating for a code no request has → [`IntakeError::UnknownCode`]; of a request that
///   is neither resolved nor closed → [`IntakeError::NotRateable`]; of a resolved request →
///   closed now with the rating (note [`RATING_NOTE`]); of a closed request → its rating
///   and comment replaced, unless they are already these ([`IntakeOutcome::AlreadyTakenIn`]).
///
/// Nothing is changed here: the caller writes the outcome.
///
/// # Errors
///
/// As listed, and [`IntakeError::Invalid`] for a category not among
/// [`Context::categories`], [`IntakeError::Refused`] when the request life cycle refuses
/// (a rating dated before the request's last change).
pub fn take_in(
    requests: &[Request],
    submission: &Submission,
    digest: &str,
    ctx: &Context<'_>,
) -> Result<IntakeOutcome, IntakeError> {
    if submission.community != ctx.community {
        return Err(IntakeError::WrongCommunity {
            found: submission.community.clone(),
        });
    }
    if let Some(r) = requests.iter().find(|r| payloads_hold(r, digest)) {
        return Ok(IntakeOutcome::AlreadyTakenIn { id: r.id });
    }
    let code = submission.code.as_str();
    let existing = requests.iter().find(|r| r.tracking_code == code);
    match &submission.body {
        Body::Request {
            category,
            description,
            urgency,
            contact,
        } => {
            if let Some(r) = existing {
                let same = r.resident.as_ref().is_some_and(|x| {
                    r.category == *category
                        && r.description == *description
                        && x.urgency == Some(*urgency)
                        && x.contact == *contact
                });
                return if same {
                    Ok(IntakeOutcome::AlreadyTakenIn { id: r.id })
                } else {
                    Err(IntakeError::CodeTaken)
                };
            }
            if !ctx.categories.is_empty() && !ctx.categories.iter().any(|c| c == category) {
                return Err(IntakeError::Invalid {
                    field: "category",
                    reason: format!("`{category}` is not one of the community's categories"),
                });
            }
            let id = crate::replication::ids::next_in(ctx.device, requests.iter().map(|r| r.id))
                .map_err(|e| IntakeError::Format(e.to_string()))?;
            let input = Intake {
                household_id: ctx.household_id,
                category,
                description,
                colour: ctx.colour.unwrap_or_else(|| colour_of(*urgency)),
            };
            let mut r = lifecycle::intake(ctx.calendar, id, &submission.code, &input, ctx.now)
                .map_err(IntakeError::Refused)?;
            r.resident = Some(ResidentInput {
                urgency: Some(*urgency),
                contact: contact.clone(),
                comment: None,
                payloads: vec![digest.to_owned()],
            });
            Ok(IntakeOutcome::Created(r))
        }
        Body::Rating { rating, comment } => {
            let Some(r) = existing else {
                return Err(IntakeError::UnknownCode);
            };
            let mut next = match r.status {
                RequestStatus::Resolved => {
                    let step = Step {
                        satisfaction: Some(*rating),
                        note: Some(RATING_NOTE),
                        assignee: None,
                    };
                    lifecycle::advance_with(r, RequestStatus::Closed, &step, ctx.now)
                        .map_err(IntakeError::Refused)?
                }
                RequestStatus::Closed => {
                    let old_comment = r.resident.as_ref().and_then(|x| x.comment.as_ref());
                    if r.satisfaction == Some(*rating) && old_comment == comment.as_ref() {
                        return Ok(IntakeOutcome::AlreadyTakenIn { id: r.id });
                    }
                    let mut n = r.clone();
                    n.satisfaction = Some(*rating);
                    n
                }
                status => return Err(IntakeError::NotRateable { status }),
            };
            let resident = next.resident.get_or_insert_with(ResidentInput::default);
            resident.comment.clone_from(comment);
            resident.payloads.push(digest.to_owned());
            Ok(IntakeOutcome::Rated {
                before: r.status,
                request: next,
            })
        }
    }
}

/// Writes `outcome` into `d` as the workspace does in one transaction: the request
/// added or replaced, its history entry by `actor` at `now` (the [`Context::now`] the
/// outcome was decided with) with the next audit id, and, when a
/// rating brings recent satisfaction below the 85 % target
/// ([`satisfaction::item_after_rating`]), a new improvement item in the
/// `improvement_items` setting with its own history entry. Returns whether anything
/// changed (`false` for a replay).
///
/// # Errors
///
/// [`IntakeError::Format`] naming the setting when the stored improvement items do not
/// read as JSON; nothing is changed then.
pub fn apply(
    d: &mut Dataset,
    outcome: &IntakeOutcome,
    actor: &str,
    now: Millis,
) -> Result<bool, IntakeError> {
    let (Some(req), Some(mut entry)) = (outcome.request(), outcome.audit_entry(actor, now)) else {
        return Ok(false);
    };
    let items_text = d
        .settings
        .iter()
        .find(|s| s.key == ITEMS_SETTING)
        .map_or("", |s| s.value.as_str());
    let mut items = items_from_json(items_text)
        .map_err(|e| IntakeError::Format(format!("setting `{ITEMS_SETTING}`: {e}")))?;
    let new_item = match outcome {
        IntakeOutcome::Rated { .. } => {
            satisfaction::item_after_rating(d.requests.clone(), req, &items, entry.at)
        }
        _ => None,
    };
    match d.requests.iter_mut().find(|r| r.id == req.id) {
        Some(r) => *r = req.clone(),
        None => d.requests.push(req.clone()),
    }
    let mut next_audit = d.audit_log.iter().map(|e| e.id).max().unwrap_or(0) + 1;
    entry.id = next_audit;
    let at = entry.at;
    d.audit_log.push(entry);
    if let Some(item) = new_item {
        next_audit += 1;
        d.audit_log.push(AuditEntry {
            id: next_audit,
            at,
            actor: actor.to_owned(),
            entity: "settings".to_owned(),
            entity_id: item.id,
            action: "create".to_owned(),
            summary: format!("{ITEMS_SETTING}: item {} opened", item.id),
        });
        items.push(item);
        let value = serde_json::to_string(&items).unwrap_or_default();
        match d.settings.iter_mut().find(|s| s.key == ITEMS_SETTING) {
            Some(s) => s.value = value,
            None => d.settings.push(Setting {
                key: ITEMS_SETTING.to_owned(),
                value,
            }),
        }
    }
    Ok(true)
}
