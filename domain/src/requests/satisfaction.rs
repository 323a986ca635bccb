//! Residents' satisfaction with closed requests (SPEC §2.10): the ratings of
//! the last 90 days, and the improvement item (PDCA) that closing a request
//! opens when they fall below target.

use crate::model::{Millis, Request};
use crate::warnings::{self, open_for_satisfaction, ImprovementItem, Satisfaction};

/// The satisfaction window: the last 90 days.
pub const WINDOW_MS: Millis = 90 * 86_400_000;

/// Satisfaction of the requests closed in the window that ends at `now`
/// (`now` included).
pub fn recent(requests: &[Request], now: Millis) -> Satisfaction {
    warnings::satisfaction(requests, now - WINDOW_MS, now + 1)
}

/// The improvement item to open once `changed` replaces its old version in
/// `all` (a request just closed with a rating), if recent satisfaction is then
/// below target and no satisfaction item is open in `items`.
pub fn item_after_rating(
    mut all: Vec<Request>,
    changed: &Request,
    items: &[ImprovementItem],
    now: Millis,
) -> Option<ImprovementItem> {
    if let Some(r) = all.iter_mut().find(|r| r.id == changed.id) {
        *r = changed.clone();
    }
    open_for_satisfaction(items, &recent(&all, now), now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RequestColour, RequestStatus, StatusChange};
    use crate::warnings::{PdcaStage, TRIGGER_SATISFACTION};

    fn closed(id: u32, at: Millis, rating: Option<u8>) -> Request {
        Request {
            id,
            tracking_code: String::new(),
            household_id: None,
            category: "health".into(),
            description: "x".into(),
            colour: RequestColour::Blue,
            status: RequestStatus::Closed,
            history: vec![StatusChange {
                status: RequestStatus::Closed,
                at,
                note: None,
            }],
            received_at: 0,
            due_at: 0,
            satisfaction: rating,
            assignee: None,
            resident: None,
        }
    }

    #[test]
    fn requests_low_rating_opens_one_item() {
        let now = 200 * 86_400_000;
        // Four low ratings in the window, one outside it, one not yet rated.
        let mut all: Vec<Request> = (1..=4).map(|id| closed(id, now - 1_000, Some(2))).collect();
        all.push(closed(5, now - WINDOW_MS - 1, Some(1)));
        all.push(closed(6, now, None));
        assert_eq!(recent(&all, now).rated, 4);
        // Four ratings are too few to call for an item.
        let unrated = closed(6, now, None);
        assert_eq!(item_after_rating(all.clone(), &unrated, &[], now), None);
        // Rating the sixth makes five, all below 4: an item opens.
        let rated = closed(6, now, Some(3));
        let item = item_after_rating(all.clone(), &rated, &[], now).expect("an item");
        assert_eq!(item.trigger, TRIGGER_SATISFACTION);
        assert_eq!(item.stage, PdcaStage::Plan);
        assert_eq!(item.id, 1);
        // Not a second one while it is open.
        assert_eq!(item_after_rating(all, &rated, &[item], now), None);
    }

    #[test]
    fn requests_good_ratings_open_nothing() {
        let now = 100 * 86_400_000;
        let all: Vec<Request> = (1..=6).map(|id| closed(id, now - 5, Some(5))).collect();
        assert_eq!(item_after_rating(all.clone(), &all[0], &[], now), None);
        assert_eq!(recent(&all, now).permille, 1000);
    }
}
