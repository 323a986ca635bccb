//! Typed reads and writes of the requests view (the only IndexedDB code it uses).
//!
//! Intake, status changes and improvement items are checked writes
//! ([`Db::checked`]): the request's life cycle (`linli_domain::requests::lifecycle`)
//! is checked inside the read-write transaction that writes it, so a request
//! never moves backwards, even from two tabs; a new request's id is read in that
//! transaction too. Closing with a rating re-checks satisfaction in the same
//! transaction and opens an improvement item when it is below target.
//!
//! Every write records one history entry by the acting guide (`actor`) in the
//! same transaction (`Batch::audit`).

use linli_domain::intake::{self, IntakeError, IntakeKeys, IntakeOutcome, KeysError, Opened};
use linli_domain::model::{AuditEntry, Millis, NeedCategory, Request, RequestColour, RequestStatus, Setting};
use linli_domain::requests::assignee::{self, AssignError};
use linli_domain::requests::calendar::{CalendarError, WorkCalendar, SETTING_KEY as CALENDAR_SETTING};
use linli_domain::requests::lifecycle::{advance_with, intake, Intake, RequestError, Step};
use linli_domain::requests::satisfaction;
use linli_domain::requests::tracking::TrackingCode;
use linli_domain::warnings::{
    advance_item, items_from_json, ImprovementItem, PdcaError, PdcaStage, ITEMS_SETTING,
};
use wasm_bindgen::JsValue;

use super::settings::STORE as SETTINGS;
use super::{Batch, Db, DbError, Read, ReadResults};

const REQUESTS: &str = "requests";

/// A history entry of the requests view by `actor` at `at` (id chosen on commit).
fn entry(at: Millis, actor: &str, entity: &str, id: u32, action: &str, summary: String) -> AuditEntry {
    super::history_entry(at, actor.to_owned(), entity, id, action, summary)
}

/// What the requests view loads once per data revision.
#[derive(Debug)]
pub struct RequestsData {
    pub requests: Vec<Request>,
    /// Number of households (the complaint rate's base).
    pub households: u32,
    pub household_ids: Vec<u32>,
    pub categories: Vec<NeedCategory>,
    /// The working-day calendar (an error when the setting is broken).
    pub calendar: Result<WorkCalendar, CalendarError>,
    /// The improvement items (an error when the setting is broken).
    pub items: Result<Vec<ImprovementItem>, PdcaError>,
    /// The resident intake keys (the setting's error in words when it is broken).
    pub intake_keys: Result<IntakeKeys, String>,
    /// This community's id in residents' payloads ([`intake::community_id`]).
    pub community: String,
}

/// Everything the requests view shows.
///
/// # Errors
///
/// [`DbError`] with the browser's error name.
pub async fn load(db: &Db) -> Result<RequestsData, DbError> {
    let households = db.households().await?;
    let cal = db.setting(CALENDAR_SETTING).await?;
    let items = db.setting(ITEMS_SETTING).await?;
    let settings = db.settings().await?;
    Ok(RequestsData {
        intake_keys: IntakeKeys::from_settings(&settings).map_err(|e| e.to_string()),
        community: intake::community_id(&settings),
        requests: db.get_all(REQUESTS).await?,
        households: households.len() as u32,
        household_ids: households.iter().map(|h| h.id).collect(),
        categories: db.need_categories().await?,
        calendar: cal.map_or_else(
            || Ok(WorkCalendar::default()),
            |s| WorkCalendar::from_json(&s.value),
        ),
        items: items_from_json(&items.map(|s| s.value).unwrap_or_default()),
    })
}

fn setting_read(key: &str) -> Read {
    Read::Get {
        store: SETTINGS,
        key: JsValue::from_str(key),
    }
}

fn calendar_in(res: &ReadResults, i: usize) -> Result<WorkCalendar, DbError> {
    match res.record::<Setting>(i)? {
        None => Ok(WorkCalendar::default()),
        Some(s) => WorkCalendar::from_json(&s.value).map_err(|e| DbError::Decode {
            store: format!("{SETTINGS}/{CALENDAR_SETTING}"),
            reason: e.to_string(),
        }),
    }
}

fn items_in(res: &ReadResults, i: usize) -> Result<Vec<ImprovementItem>, DbError> {
    let text = res.record::<Setting>(i)?.map(|s| s.value).unwrap_or_default();
    items_from_json(&text).map_err(|e| DbError::Decode {
        store: format!("{SETTINGS}/{ITEMS_SETTING}"),
        reason: e.to_string(),
    })
}

fn items_setting(items: &[ImprovementItem]) -> Setting {
    Setting {
        key: ITEMS_SETTING.to_owned(),
        value: serde_json::to_string(items).unwrap_or_default(),
    }
}

/// A request as typed at intake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub household_id: Option<u32>,
    /// A need category code.
    pub category: String,
    pub description: String,
    pub colour: RequestColour,
}

impl NewRequest {
    /// The domain's intake input.
    pub fn intake(&self) -> Intake<'_> {
        Intake {
            household_id: self.household_id,
            category: &self.category,
            description: &self.description,
            colour: self.colour,
        }
    }
}

/// Takes a request in under the next free id with tracking code `code`: the id
/// and the working-day calendar (for the due time) are read in the write
/// transaction. Returns the saved request. One history entry by `actor`.
///
/// # Errors
///
/// `Ok(Err(_))`: the intake's refusal, nothing written; [`DbError`] otherwise.
pub async fn take_in(
    db: &Db,
    new: NewRequest,
    code: TrackingCode,
    now: Millis,
    actor: String,
) -> Result<Result<Request, RequestError>, DbError> {
    let reads = vec![Read::MaxKey { store: REQUESTS }, setting_read(CALENDAR_SETTING)];
    db.checked(&[REQUESTS], reads, move |res| {
        let cal = calendar_in(res, 1)?;
        Ok(
            match intake(&cal, res.max_key(0) + 1, &code, &new.intake(), now) {
                Ok(req) => {
                    let mut b = Batch::default();
                    b.add(REQUESTS, &req)?;
                    let summary = format!("{} {}", req.category, req.colour.code());
                    b.audit(entry(now, &actor, REQUESTS, req.id, "create", summary));
                    Ok((b, req))
                }
                Err(e) => Err(e),
            },
        )
    })
    .await
}

/// What comes with a status change: a rating (closing), a note (required on
/// closing and rejecting) and an assignee (required on assigning).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusExtras {
    pub rating: Option<u8>,
    pub note: Option<String>,
    pub assignee: Option<String>,
}

/// What a status change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    /// The request's status now.
    pub status: RequestStatus,
    /// Whether closing it with a rating opened an improvement item.
    pub opened_item: bool,
}

/// Moves request `id` to `target` (with a satisfaction rating on closing, a
/// note, required on closing and rejecting and kept in the request's history,
/// and an assignee, required on assigning and recorded on the request in this
/// same transaction), checked against the stored request in the write
/// transaction; a rating
/// re-checks recent satisfaction there and may open an improvement item.
/// One history entry by `actor` (two when an improvement item opens).
///
/// # Errors
///
/// `Ok(Err(_))`: the life cycle's refusal (a missing request reads as
/// [`RequestError::NoDescription`]), nothing written; [`DbError`] otherwise.
pub async fn move_status(
    db: &Db,
    id: u32,
    target: RequestStatus,
    with: StatusExtras,
    now: Millis,
    actor: String,
) -> Result<Result<Moved, RequestError>, DbError> {
    let reads = vec![
        Read::Get {
            store: REQUESTS,
            key: JsValue::from(id),
        },
        Read::All { store: REQUESTS },
        setting_read(ITEMS_SETTING),
    ];
    db.checked(&[REQUESTS, SETTINGS], reads, move |res| {
        let Some(req) = res.record::<Request>(0)? else {
            return Ok(Err(RequestError::NoDescription));
        };
        let step = Step {
            satisfaction: with.rating,
            note: with.note.as_deref(),
            assignee: with.assignee.as_deref(),
        };
        let next = match advance_with(&req, target, &step, now) {
            Ok(n) => n,
            Err(e) => return Ok(Err(e)),
        };
        let mut b = Batch::default();
        b.put(REQUESTS, &next)?;
        let name = |r: &Request| r.assignee.clone().unwrap_or_else(|| "-".to_owned());
        let summary = linli_domain::audit::summary(&linli_domain::audit::Detail::Status {
            from: req.status.code().to_owned(),
            to: next.status.code().to_owned(),
            rating: next.satisfaction,
            assignee: (next.assignee != req.assignee).then(|| (name(&req), name(&next))),
        });
        b.audit(entry(now, &actor, REQUESTS, id, "status", summary));
        let mut opened_item = false;
        if next.satisfaction.is_some() {
            let all: Vec<Request> = res.records(1)?;
            let mut items = items_in(res, 2)?;
            if let Some(item) = satisfaction::item_after_rating(all, &next, &items, now) {
                let summary = format!("{ITEMS_SETTING}: item {} opened", item.id);
                b.audit(entry(now, &actor, SETTINGS, item.id, "create", summary));
                items.push(item);
                b.put(SETTINGS, &items_setting(&items))?;
                opened_item = true;
            }
        }
        Ok(Ok((
            b,
            Moved {
                status: next.status,
                opened_item,
            },
        )))
    })
    .await
}

/// Moves improvement item `item_id` to its next PDCA stage with `note` for the
/// stage it leaves, checked in the write transaction. Returns the new stage.
/// One history entry by `actor`.
///
/// # Errors
///
/// `Ok(Err(_))`: the item's refusal (an unknown item reads as
/// [`PdcaError::Closed`]), nothing written; [`DbError`] otherwise.
pub async fn advance_improvement(
    db: &Db,
    item_id: u32,
    note: String,
    now: Millis,
    actor: String,
) -> Result<Result<PdcaStage, PdcaError>, DbError> {
    db.checked(&[SETTINGS], vec![setting_read(ITEMS_SETTING)], move |res| {
        let mut items = items_in(res, 0)?;
        let Some(pos) = items.iter().position(|i| i.id == item_id) else {
            return Ok(Err(PdcaError::Closed));
        };
        match advance_item(&items[pos], &note, now) {
            Ok(next) => {
                let stage = next.stage;
                let summary = format!(
                    "{ITEMS_SETTING}: item {item_id} {:?} → {stage:?}",
                    items[pos].stage
                );
                items[pos] = next;
                let mut b = Batch::default();
                b.put(SETTINGS, &items_setting(&items))?;
                b.audit(entry(now, &actor, SETTINGS, item_id, "update", summary));
                Ok(Ok((b, stage)))
            }
            Err(e) => Ok(Err(e)),
        }
    })
    .await
}

/// Saves the working-day calendar (setting `work_calendar`) with one history
/// entry by `actor`.
///
/// # Errors
///
/// [`DbError`] with the browser's error name; nothing was written.
pub async fn save_calendar(db: &Db, cal: &WorkCalendar, actor: String, now: Millis) -> Result<(), DbError> {
    let mut b = Batch::default();
    b.audit(entry(
        now,
        &actor,
        SETTINGS,
        0,
        "update",
        CALENDAR_SETTING.to_owned(),
    ));
    b.put(
        SETTINGS,
        &Setting {
            key: CALENDAR_SETTING.to_owned(),
            value: cal.to_json(),
        },
    )?;
    db.commit(b).await
}

/// Sets (or clears, with `None`) the assignee of request `id`, checked against
/// the stored request in the write transaction, with one history entry by
/// `actor`. Returns the request as saved.
///
/// # Errors
///
/// `Ok(Err(None))`: no such request; `Ok(Err(Some(_)))`: the assignment's
/// refusal; nothing written in either case. [`DbError`] otherwise.
pub async fn set_assignee(
    db: &Db,
    id: u32,
    to: Option<String>,
    now: Millis,
    actor: String,
) -> Result<Result<Request, Option<AssignError>>, DbError> {
    let reads = vec![Read::Get {
        store: REQUESTS,
        key: JsValue::from(id),
    }];
    db.checked(&[REQUESTS], reads, move |res| {
        let Some(req) = res.record::<Request>(0)? else {
            return Ok(Err(None));
        };
        let next = match assignee::assign(&req, to.as_deref()) {
            Ok(n) => n,
            Err(e) => return Ok(Err(Some(e))),
        };
        let mut b = Batch::default();
        b.put(REQUESTS, &next)?;
        b.audit(entry(
            now,
            &actor,
            REQUESTS,
            id,
            "assign",
            assignee::summary(&req, &next),
        ));
        Ok(Ok((b, next)))
    })
    .await
}

/// What taking a resident's payload in did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadTaken {
    pub outcome: IntakeOutcome,
    /// Whether the rating opened an improvement item (satisfaction below 85 %).
    pub opened_item: bool,
}

fn decode_error(key: &str, reason: String) -> DbError {
    DbError::Decode {
        store: format!("{SETTINGS}/{key}"),
        reason,
    }
}

/// Takes an opened resident payload in (`linli_domain::intake::take_in`) in one
/// read-write transaction that reads every request and the settings (calendar,
/// categories, community, improvement items): the request added (new) or replaced
/// (rated), its history entry by `actor`, and for a rating that brings satisfaction
/// below target an improvement item with its own entry — what `intake::apply` does
/// to a dataset. A replay writes nothing.
///
/// # Errors
///
/// `Ok(Err(_))`: the intake's refusal, nothing written; [`DbError`] otherwise.
pub async fn take_in_payload(
    db: &Db,
    opened: Opened,
    now: Millis,
    actor: String,
) -> Result<Result<PayloadTaken, IntakeError>, DbError> {
    let reads = vec![Read::All { store: REQUESTS }, Read::All { store: SETTINGS }];
    db.checked(&[REQUESTS, SETTINGS], reads, move |res| {
        let requests: Vec<Request> = res.records(0)?;
        let settings: Vec<Setting> = res.records(1)?;
        let calendar = settings
            .iter()
            .find(|s| s.key == CALENDAR_SETTING)
            .map_or_else(
                || Ok(WorkCalendar::default()),
                |s| WorkCalendar::from_json(&s.value),
            )
            .map_err(|e| decode_error(CALENDAR_SETTING, e.to_string()))?;
        let items_text = settings
            .iter()
            .find(|s| s.key == ITEMS_SETTING)
            .map_or("", |s| s.value.as_str());
        let mut items =
            items_from_json(items_text).map_err(|e| decode_error(ITEMS_SETTING, e.to_string()))?;
        let categories: Vec<String> = linli_domain::settings::need_categories(&settings)
            .map_err(|e| decode_error("need_categories", e.to_string()))?
            .into_iter()
            .map(|c| c.code)
            .collect();
        let community = intake::community_id(&settings);
        let ctx = intake::Context {
            community: &community,
            calendar: &calendar,
            now,
            categories: &categories,
            colour: None,
            household_id: None,
            device: crate::db::device::number(),
        };
        let outcome = match intake::take_in(&requests, &opened.submission, &opened.digest, &ctx) {
            Ok(o) => o,
            Err(e) => return Ok(Err(e)),
        };
        let mut b = Batch::default();
        let mut opened_item = false;
        if let (Some(req), Some(made)) = (outcome.request(), outcome.audit_entry(&actor, now)) {
            match outcome {
                IntakeOutcome::Created(_) => b.add(REQUESTS, req)?,
                _ => b.put(REQUESTS, req)?,
            };
            b.audit(made);
            if matches!(outcome, IntakeOutcome::Rated { .. }) {
                if let Some(item) = satisfaction::item_after_rating(requests, req, &items, now) {
                    let summary = format!("{ITEMS_SETTING}: item {} opened", item.id);
                    b.audit(entry(now, &actor, SETTINGS, item.id, "create", summary));
                    items.push(item);
                    b.put(SETTINGS, &items_setting(&items))?;
                    opened_item = true;
                }
            }
        }
        Ok(Ok((b, PayloadTaken { outcome, opened_item })))
    })
    .await
}

/// Changes the resident intake keys (setting `intake_keys`): `change` decides on the
/// stored keys read in the same read-write transaction (a rotation or a deletion from
/// another tab is never lost), and the new keys are saved with one history entry by
/// `actor` whose summary is `summary` (never a secret). Returns the keys as saved.
///
/// # Errors
///
/// `Ok(Err(_))`: the keys' refusal, nothing written; [`DbError`] otherwise (a stored
/// setting that does not read as keys is a decode error).
pub async fn change_intake_keys(
    db: &Db,
    change: impl FnOnce(&IntakeKeys) -> Result<(IntakeKeys, String), KeysError> + 'static,
    now: Millis,
    actor: String,
) -> Result<Result<IntakeKeys, KeysError>, DbError> {
    let key = intake::keys::SETTING_KEY;
    db.checked(&[SETTINGS], vec![setting_read(key)], move |res| {
        let stored: Vec<Setting> = res.record::<Setting>(0)?.into_iter().collect();
        let keys = IntakeKeys::from_settings(&stored).map_err(|e| decode_error(key, e.to_string()))?;
        match change(&keys) {
            Ok((next, summary)) => {
                let mut b = Batch::default();
                b.put(SETTINGS, &next.to_setting())?;
                b.audit(entry(
                    now,
                    &actor,
                    SETTINGS,
                    0,
                    "update",
                    format!("{key}: {summary}"),
                ));
                Ok(Ok((b, next)))
            }
            Err(e) => Ok(Err(e)),
        }
    })
    .await
}
