//! The guide in charge of a request (its assignee).
//!
//! The assignee is a name from the device's roster of guides, or none
//! ("unassigned"). It is internal: the public snapshot carries only status and
//! dates ([`super::public_statuses`]), never who handles a request.

use thiserror::Error;

use crate::model::Request;

/// Longest assignee name accepted, in characters.
pub const MAX_NAME: usize = 64;

/// Why an assignment was refused. Nothing is changed when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AssignError {
    /// The request already has that assignee (or is already unassigned).
    #[error("the request already has that assignee")]
    Unchanged,
    /// The name is longer than [`MAX_NAME`] characters.
    #[error("the assignee's name is longer than {MAX_NAME} characters")]
    TooLong,
}

/// `req` with assignee `to` (trimmed; empty or `None` unassigns it).
///
/// # Errors
///
/// [`AssignError::Unchanged`] when the assignee stays the same,
/// [`AssignError::TooLong`] for a name over [`MAX_NAME`] characters.
///
/// # Examples
///
/// ```
/// use linli_domain::requests::assignee::{assign, AssignError};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig { households: 40, ..Default::default() });
/// let r = assign(&d.requests[0], Some(" 王芳 ")).unwrap();
/// assert_eq!(r.assignee.as_deref(), Some("王芳"));
/// assert_eq!(assign(&r, Some("王芳")), Err(AssignError::Unchanged));
/// assert_eq!(assign(&r, Some("")).unwrap().assignee, None);
/// ```
pub fn assign(req: &Request, to: Option<&str>) -> Result<Request, AssignError> {
    let to = to.map(str::trim).filter(|s| !s.is_empty());
    if to.is_some_and(|s| s.chars().count() > MAX_NAME) {
        return Err(AssignError::TooLong);
    }
    if req.assignee.as_deref() == to {
        return Err(AssignError::Unchanged);
    }
    Ok(Request {
        assignee: to.map(str::to_owned),
        ..req.clone()
    })
}

/// Which requests a list shows by assignee.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Every request.
    #[default]
    Any,
    /// Requests with no assignee.
    Unassigned,
    /// Requests assigned to this guide.
    Guide(String),
}

impl AssigneeFilter {
    /// Whether `req` passes the filter.
    pub fn matches(&self, req: &Request) -> bool {
        match self {
            Self::Any => true,
            Self::Unassigned => req.assignee.is_none(),
            Self::Guide(name) => req.assignee.as_deref() == Some(name.as_str()),
        }
    }
}

/// A history summary of the change from `before` to `after` (`-` for none; no
/// tracking code: the history names the request by its id).
pub fn summary(before: &Request, after: &Request) -> String {
    let name = |r: &Request| r.assignee.clone().unwrap_or_else(|| "-".to_owned());
    crate::audit::summary(&crate::audit::Detail::Assigned {
        from: name(before),
        to: name(after),
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::demo::{generate, DemoConfig};

    fn request() -> Request {
        generate(&DemoConfig {
            households: 30,
            ..Default::default()
        })
        .requests
        .remove(0)
    }

    #[test]
    fn a_record_stored_before_assignees_loads_unassigned_and_keeps_its_bytes() {
        let r = request();
        assert_eq!(r.assignee, None);
        let text = serde_json::to_string(&r).unwrap();
        assert!(!text.contains("assignee"), "{text}");
        let back: Request = serde_json::from_str(&text).unwrap();
        assert_eq!(back, r);
        let assigned = assign(&r, Some("李明")).unwrap();
        let text = serde_json::to_string(&assigned).unwrap();
        assert!(text.contains("\"assignee\":\"李明\""), "{text}");
        assert_eq!(serde_json::from_str::<Request>(&text).unwrap(), assigned);
    }

    #[test]
    fn assigning_changes_only_the_assignee() {
        let r = request();
        let a = assign(&r, Some("李明")).unwrap();
        assert_eq!(
            Request {
                assignee: None,
                ..a.clone()
            },
            r
        );
        let b = assign(&a, Some("王芳")).unwrap();
        assert_eq!(b.assignee.as_deref(), Some("王芳"));
        assert_eq!(summary(&a, &b), "assignee: 李明 → 王芳");
        let none = assign(&b, None).unwrap();
        assert_eq!(none.assignee, None);
        assert_eq!(summary(&b, &none), "assignee: 王芳 → -");
    }

    #[test]
    fn no_change_and_overlong_names_are_refused() {
        let r = request();
        assert_eq!(assign(&r, None), Err(AssignError::Unchanged));
        assert_eq!(assign(&r, Some("  ")), Err(AssignError::Unchanged));
        let long = "名".repeat(MAX_NAME + 1);
        assert_eq!(assign(&r, Some(&long)), Err(AssignError::TooLong));
        assert!(assign(&r, Some(&"名".repeat(MAX_NAME))).is_ok());
    }

    #[test]
    fn the_filter_picks_by_assignee() {
        let r = request();
        let a = assign(&r, Some("李明")).unwrap();
        let list = [r.clone(), a.clone()];
        let pick = |f: &AssigneeFilter| list.iter().filter(|x| f.matches(x)).count();
        assert_eq!(pick(&AssigneeFilter::Any), 2);
        assert_eq!(pick(&AssigneeFilter::Unassigned), 1);
        assert_eq!(pick(&AssigneeFilter::Guide("李明".into())), 1);
        assert_eq!(pick(&AssigneeFilter::Guide("王芳".into())), 0);
        assert!(AssigneeFilter::Guide("李明".into()).matches(&a));
    }

    #[test]
    fn the_public_statuses_never_carry_the_assignee() {
        let mut d = generate(&DemoConfig {
            households: 200,
            ..Default::default()
        });
        for (i, r) in d.requests.iter_mut().enumerate() {
            r.assignee = Some(format!("PLANTGUIDE{i}Z"));
        }
        let text = serde_json::to_string(&crate::requests::public_statuses(&d.requests)).unwrap();
        assert!(!text.contains("PLANTGUIDE"), "{text}");
        assert!(!text.contains("assignee"));
    }

    proptest! {
        #[test]
        fn assign_then_read_back(name in "[a-z\u{4e00}-\u{4e20}]{1,64}") {
            let r = request();
            let a = assign(&r, Some(&name)).unwrap();
            prop_assert!(AssigneeFilter::Guide(name.clone()).matches(&a));
            prop_assert!(!AssigneeFilter::Unassigned.matches(&a));
            prop_assert_eq!(assign(&a, Some(&name)), Err(AssignError::Unchanged));
        }
    }
}
