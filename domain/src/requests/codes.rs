//! The codes of the request enums: one list, the same as their serde names
//! (what is stored, exported to Open311 and sent by forms).

use crate::model::{RequestColour, RequestStatus};

impl RequestStatus {
    /// Every status, in life-cycle order (the final side branches last).
    pub const ALL: [Self; 7] = [
        Self::Received,
        Self::Assigned,
        Self::InProgress,
        Self::Resolved,
        Self::Closed,
        Self::Rejected,
        Self::Duplicate,
    ];

    /// The status's code (its serde name), e.g. `in_progress`.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::model::RequestStatus;
    /// assert_eq!(RequestStatus::InProgress.code(), "in_progress");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Assigned => "assigned",
            Self::InProgress => "in_progress",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
            Self::Rejected => "rejected",
            Self::Duplicate => "duplicate",
        }
    }

    /// The status of a code (`None` for anything else).
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::model::RequestStatus;
    /// assert_eq!(RequestStatus::from_code("closed"), Some(RequestStatus::Closed));
    /// assert_eq!(RequestStatus::from_code(""), None);
    /// ```
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

impl RequestColour {
    /// Every colour, most urgent first.
    pub const ALL: [Self; 3] = [Self::Red, Self::Yellow, Self::Blue];

    /// The colour's code (its serde name): `red`, `yellow` or `blue`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Red => "red",
            Self::Yellow => "yellow",
            Self::Blue => "blue",
        }
    }

    /// The colour of a code (`None` for anything else).
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::model::RequestColour;
    /// assert_eq!(RequestColour::from_code("blue"), Some(RequestColour::Blue));
    /// assert_eq!(RequestColour::from_code("green"), None);
    /// ```
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_name<T: serde::Serialize>(v: T) -> String {
        serde_json::to_value(v).unwrap().as_str().unwrap().to_owned()
    }

    #[test]
    fn requests_status_codes_round_trip() {
        for s in RequestStatus::ALL {
            assert_eq!(RequestStatus::from_code(s.code()), Some(s));
            assert_eq!(s.code(), serde_name(s));
        }
        // `ALL` holds every variant once (a new variant must be added there).
        let mut codes: Vec<_> = RequestStatus::ALL.iter().map(|s| s.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), RequestStatus::ALL.len());
        assert_eq!(RequestStatus::from_code("open"), None);
    }

    #[test]
    fn requests_colour_codes_round_trip() {
        for c in RequestColour::ALL {
            assert_eq!(RequestColour::from_code(c.code()), Some(c));
            assert_eq!(c.code(), serde_name(c));
        }
        assert_eq!(RequestColour::from_code("Red"), None);
    }
}
