//! Resident requests (诉求三色管理, SPEC §2.7).
//!
//! - [`assignee`]: the guide in charge of a request (internal, never published).
//! - [`calendar`]: working days with China's holidays and make-up working days.
//! - [`tracking`]: tracking codes (80 random bits, Crockford base 32, check symbol).
//! - [`lifecycle`]: intake, due times, status changes, overdue alerts.
//! - [`duplicates`]: suggestions of earlier requests about the same matter.
//! - [`open311`]: export as Open311 GeoReport v2 JSON.
//! - [`satisfaction`]: residents' ratings over the last 90 days and the
//!   improvement item a low one opens.
//! - `codes`: `RequestStatus::code`/`from_code`, `RequestColour::code`/`from_code`.
//!
//! [`public_statuses`] is what the public snapshot may carry about requests:
//! tracking code → status and dates, nothing else.

pub mod assignee;
pub mod calendar;
mod codes;
pub mod duplicates;
pub mod lifecycle;
pub mod open311;
pub mod satisfaction;
pub mod tracking;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::date::iso_date;
use crate::model::{Request, RequestStatus};

/// A request as residents see it on the public dashboard: status and dates
/// (local `YYYY-MM-DD`), no category, description, household or time of day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicRequest {
    pub status: RequestStatus,
    pub received: String,
    pub due: String,
    /// Each status reached and the date it was reached, oldest first.
    pub timeline: Vec<(RequestStatus, String)>,
}

/// Tracking code → [`PublicRequest`], for the public snapshot.
///
/// # Examples
///
/// ```
/// use linli_domain::requests::public_statuses;
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig { households: 80, ..Default::default() });
/// let p = public_statuses(&d.requests);
/// assert_eq!(p.len(), d.requests.len());
/// let text = serde_json::to_string(&p).unwrap();
/// assert!(!text.contains(&d.requests[0].description));
/// ```
pub fn public_statuses(requests: &[Request]) -> BTreeMap<String, PublicRequest> {
    let date = |t| iso_date(calendar::local_day(t));
    requests
        .iter()
        .map(|r| {
            (
                r.tracking_code.clone(),
                PublicRequest {
                    status: r.status,
                    received: date(r.received_at),
                    // The due time is an exclusive midnight for working-day colours:
                    // the last day to respond is the day before it.
                    due: date(r.due_at - 1),
                    timeline: r.history.iter().map(|h| (h.status, date(h.at))).collect(),
                },
            )
        })
        .collect()
}
