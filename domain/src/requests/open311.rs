//! Export of requests as Open311 GeoReport v2 JSON (the body of
//! `GET requests.json`: an array of service requests).
//!
//! Mapping: `service_request_id` is the tracking code; `status` is `open` while
//! the request awaits a response (received, assigned, in progress) and `closed`
//! otherwise, with our status in `status_notes`; `service_code` is the need
//! category code and `service_name` its Chinese name; times are ISO 8601 with the
//! +08:00 offset; `expected_datetime` is the due time. No address, household or
//! coordinates are exported, and the description only when asked for (it may
//! hold personal details).

use crate::order::SortDyn;
use serde::Serialize;

use super::calendar::{local_day, CST_OFFSET_MS};
use super::lifecycle::is_open;
use crate::date::iso_date;
use crate::model::{Millis, NeedCategory, Request, RequestColour};

/// The `agency_responsible` the workspace exports: the residents' committee.
pub const AGENCY: &str = "社区居委会";

/// One service request in GeoReport v2's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceRequest {
    pub service_request_id: String,
    pub status: &'static str,
    pub status_notes: String,
    pub service_name: String,
    pub service_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub agency_responsible: String,
    pub service_notice: String,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: String,
}

/// `YYYY-MM-DDTHH:MM:SS+08:00`.
pub fn iso_datetime(t: Millis) -> String {
    let day = local_day(t);
    let s = (t + CST_OFFSET_MS - day * 86_400_000) / 1000;
    format!(
        "{}T{:02}:{:02}:{:02}+08:00",
        iso_date(day),
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// The requests as GeoReport v2 service requests, in id order.
pub fn service_requests(
    requests: &[Request],
    categories: &[NeedCategory],
    agency: &str,
    include_description: bool,
) -> Vec<ServiceRequest> {
    let mut sorted: Vec<&Request> = requests.iter().collect();
    sorted.sort_by_key_dyn(|r| r.id);
    sorted
        .into_iter()
        .map(|r| ServiceRequest {
            service_request_id: r.tracking_code.clone(),
            status: if is_open(r.status) { "open" } else { "closed" },
            status_notes: r.status.code().to_owned(),
            service_name: categories
                .iter()
                .find(|c| c.code == r.category)
                .map_or_else(|| r.category.clone(), |c| c.name_zh.clone()),
            service_code: r.category.clone(),
            description: include_description.then(|| r.description.clone()),
            agency_responsible: agency.to_owned(),
            service_notice: match r.colour {
                RequestColour::Red => "red: response within 24 hours",
                RequestColour::Yellow => "yellow: response within 3 working days",
                RequestColour::Blue => "blue: response within 7 working days",
            }
            .to_owned(),
            requested_datetime: iso_datetime(r.received_at),
            updated_datetime: iso_datetime(r.history.last().map_or(r.received_at, |h| h.at)),
            expected_datetime: iso_datetime(r.due_at),
        })
        .collect()
}

/// The export file's text (pretty JSON array).
pub fn to_json(
    requests: &[Request],
    categories: &[NeedCategory],
    agency: &str,
    include_description: bool,
) -> String {
    serde_json::to_string_pretty(&service_requests(
        requests,
        categories,
        agency,
        include_description,
    ))
    .unwrap_or_else(|_| "[]".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RequestStatus, StatusChange};

    #[test]
    fn geo_report_shape() {
        let r = Request {
            id: 1,
            tracking_code: "00000000000000000".into(),
            household_id: Some(4),
            category: "health".into(),
            description: "张三 13800000000".into(),
            colour: RequestColour::Yellow,
            status: RequestStatus::Resolved,
            history: vec![
                StatusChange {
                    status: RequestStatus::Received,
                    at: 0,
                    note: None,
                },
                StatusChange {
                    status: RequestStatus::Resolved,
                    at: 3_600_000,
                    note: None,
                },
            ],
            received_at: 0,
            due_at: 86_400_000,
            satisfaction: None,
            assignee: None,
            resident: None,
        };
        let cats = crate::demo::default_categories();
        let v: serde_json::Value =
            serde_json::from_str(&to_json(std::slice::from_ref(&r), &cats, "社区", false)).unwrap();
        let o = &v[0];
        assert_eq!(o["service_request_id"], "00000000000000000");
        assert_eq!(o["status"], "closed");
        assert_eq!(o["status_notes"], "resolved");
        assert_eq!(o["service_code"], "health");
        assert_eq!(o["requested_datetime"], "1970-01-01T08:00:00+08:00");
        assert_eq!(o["updated_datetime"], "1970-01-01T09:00:00+08:00");
        assert_eq!(o["expected_datetime"], "1970-01-02T08:00:00+08:00");
        assert!(o.get("description").is_none());
        let text = to_json(std::slice::from_ref(&r), &cats, "社区", false);
        assert!(!text.contains("13800000000") && !text.contains("household"));
        let with = service_requests(&[r], &cats, "社区", true);
        assert_eq!(with[0].description.as_deref(), Some("张三 13800000000"));
    }
}
