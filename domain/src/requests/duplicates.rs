//! Duplicate suggestions: earlier requests that look like the same matter.
//!
//! A candidate has the same category, was received at most
//! [`DuplicateRule::window_days`] days before (or after) the new one, is not
//! itself marked duplicate or rejected, and its description is similar: the
//! Jaccard index of the two descriptions' character bigrams (after dropping
//! whitespace and punctuation, ASCII lower-cased) is at least
//! [`DuplicateRule::min_similarity_pct`]. Character bigrams suit Chinese, which has
//! no spaces between words. Suggestions are ordered by similarity (highest first),
//! then by the more recent request, then by id — deterministic.

use crate::order::SortDyn;
use std::collections::BTreeSet;

use crate::model::{Millis, Request, RequestStatus};

/// When two requests are suggested as duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuplicateRule {
    /// Look this many days back and forth. Default 30.
    pub window_days: i64,
    /// Minimum bigram Jaccard similarity, percent. Default 50.
    pub min_similarity_pct: u32,
    /// At most this many suggestions. Default 5.
    pub max: usize,
}

impl Default for DuplicateRule {
    fn default() -> Self {
        Self {
            window_days: 30,
            min_similarity_pct: 50,
            max: 5,
        }
    }
}

/// One suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub id: u32,
    /// Similarity in percent, rounded down.
    pub similarity_pct: u32,
}

fn bigrams(text: &str) -> BTreeSet<(char, char)> {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if chars.len() == 1 {
        return BTreeSet::from([(chars[0], ' ')]);
    }
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Jaccard similarity of the two texts' character bigrams, in percent (rounded
/// down); 0 when either has no letters or digits.
///
/// # Examples
///
/// ```
/// use linli_domain::requests::duplicates::similarity_pct;
/// assert_eq!(similarity_pct("楼道灯坏了", "楼道灯坏了！"), 100);
/// assert_eq!(similarity_pct("3幢楼道灯坏了", "楼道的灯坏了"), 37);
/// assert_eq!(similarity_pct("电梯故障", "噪音扰民"), 0);
/// ```
pub fn similarity_pct(a: &str, b: &str) -> u32 {
    let (a, b) = (bigrams(a), bigrams(b));
    let union = a.union(&b).count();
    if union == 0 {
        return 0;
    }
    (a.intersection(&b).count() * 100 / union) as u32
}

/// Earlier requests that may be the same matter as a new one of `category` and
/// `description` received at `at`. `exclude` is the new request's own id if it is
/// already stored.
pub fn suggest(
    existing: &[Request],
    category: &str,
    description: &str,
    at: Millis,
    exclude: Option<u32>,
    rule: &DuplicateRule,
) -> Vec<Suggestion> {
    let window = rule.window_days * 86_400_000;
    let mut out: Vec<(Suggestion, Millis)> = existing
        .iter()
        .filter(|r| Some(r.id) != exclude)
        .filter(|r| r.category == category.trim())
        .filter(|r| !matches!(r.status, RequestStatus::Duplicate | RequestStatus::Rejected))
        .filter(|r| (r.received_at - at).abs() <= window)
        .filter_map(|r| {
            let s = similarity_pct(&r.description, description);
            (s >= rule.min_similarity_pct).then_some((
                Suggestion {
                    id: r.id,
                    similarity_pct: s,
                },
                r.received_at,
            ))
        })
        .collect();
    out.sort_by_dyn(|(a, ta), (b, tb)| {
        b.similarity_pct
            .cmp(&a.similarity_pct)
            .then(tb.cmp(ta))
            .then(a.id.cmp(&b.id))
    });
    out.into_iter().take(rule.max).map(|(s, _)| s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RequestColour, StatusChange};

    fn req(id: u32, cat: &str, desc: &str, day: i64, status: RequestStatus) -> Request {
        Request {
            id,
            tracking_code: format!("C{id}"),
            household_id: None,
            category: cat.into(),
            description: desc.into(),
            colour: RequestColour::Blue,
            status,
            history: vec![StatusChange {
                status,
                at: day * 86_400_000,
                note: None,
            }],
            received_at: day * 86_400_000,
            due_at: 0,
            satisfaction: None,
            assignee: None,
            resident: None,
        }
    }

    #[test]
    fn suggestions_by_category_window_and_similarity() {
        use RequestStatus::*;
        let existing = vec![
            req(1, "housing_repair", "3幢楼道灯坏了", 100, Received),
            req(2, "housing_repair", "3幢楼道灯坏了", 10, Received), // too old
            req(3, "health", "3幢楼道灯坏了", 100, Received),        // other category
            req(4, "housing_repair", "3幢楼道灯坏了", 101, Duplicate), // itself a duplicate
            req(5, "housing_repair", "下水道堵塞", 100, Received),   // not similar
            req(6, "housing_repair", "3幢楼道的灯坏了", 99, Closed),
            req(7, "housing_repair", "3幢楼道灯坏了", 95, Resolved),
        ];
        let s = suggest(
            &existing,
            "housing_repair",
            "3幢 楼道灯坏了。",
            102 * 86_400_000,
            None,
            &DuplicateRule::default(),
        );
        let ids: Vec<u32> = s.iter().map(|x| x.id).collect();
        // 1 and 7 identical (100%): the more recent (1) first; then 6.
        assert_eq!(ids, vec![1, 7, 6]);
        assert_eq!(s[0].similarity_pct, 100);
        assert!(s[2].similarity_pct < 100 && s[2].similarity_pct >= 50);
        let none = suggest(
            &existing,
            "housing_repair",
            "3幢楼道灯坏了",
            102 * 86_400_000,
            Some(1),
            &DuplicateRule {
                max: 1,
                ..DuplicateRule::default()
            },
        );
        assert_eq!(none.iter().map(|x| x.id).collect::<Vec<_>>(), vec![7]);
    }

    #[test]
    fn similarity_edges() {
        assert_eq!(similarity_pct("", ""), 0);
        assert_eq!(similarity_pct("灯", "灯"), 100);
        assert_eq!(similarity_pct("AB", "ab"), 100);
        assert_eq!(similarity_pct("abc", "abd"), 33);
    }
}
