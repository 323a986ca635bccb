//! Hash routing: every view lives at `index.html#/<path>`.
//!
//! A static host serves one file, `index.html`, for every view, so deep links
//! and reloads work with no rewrite rules and under any sub-path
//! (`/community-a/#/workspace`). leptos_router 0.8 routes on the path only,
//! hence this small router.

use leptos::prelude::*;

/// A view of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `#/` — the residents' public dashboard.
    Dashboard,
    /// `#/workspace` — the guides' workspace.
    Workspace,
    /// `#/register` — the household register list.
    Register,
    /// `#/register/new` — a new household.
    HouseholdNew,
    /// `#/register/<id>` — one household.
    Household(u32),
    /// `#/needs` — needs assessment: ranked list, heat map, matrix editor.
    Needs,
    /// `#/pb` — proposals, review, ballots and the participatory-budgeting count.
    Pb,
    /// `#/allocation` — resource pools, allocation runs and cost sharing.
    Allocation,
    /// `#/plans` — plans from draft to evaluation (list and new plan).
    Plans,
    /// `#/plans/<id>` — one plan's life cycle.
    Plan(u32),
    /// `#/participation` — activities, points bank, time bank.
    Participation,
    /// `#/requests` — resident requests, warnings and improvement items.
    Requests,
    /// `#/workshop` — workshop mode for a projector.
    Workshop,
    /// `#/settings`
    Settings,
    /// `#/history` — the whole change history (who changed what, when).
    History,
    /// Anything else.
    NotFound,
}

impl Route {
    /// Every routed view, in navigation order.
    pub const ALL: [Route; 11] = [
        Route::Dashboard,
        Route::Workspace,
        Route::Register,
        Route::Needs,
        Route::Pb,
        Route::Allocation,
        Route::Plans,
        Route::Participation,
        Route::Requests,
        Route::Workshop,
        Route::Settings,
    ];

    /// Parses a location hash (`#/workspace`, `#workspace`, empty).
    ///
    /// Query strings after `?` are ignored; a trailing `/` is allowed.
    pub fn parse(hash: &str) -> Self {
        let h = hash.trim_start_matches('#');
        let path = h.split(['?', '&']).next().unwrap_or("");
        let path = path.trim_matches('/');
        if let Some(rest) = path.strip_prefix("plans/") {
            return rest.parse().map_or(Self::NotFound, Self::Plan);
        }
        if let Some(rest) = path.strip_prefix("register/") {
            return match rest {
                "new" => Self::HouseholdNew,
                id => id.parse().map_or(Self::NotFound, Self::Household),
            };
        }
        match path {
            "" | "dashboard" => Self::Dashboard,
            "workspace" => Self::Workspace,
            "register" => Self::Register,
            "needs" => Self::Needs,
            "pb" => Self::Pb,
            "allocation" => Self::Allocation,
            "plans" => Self::Plans,
            "participation" => Self::Participation,
            "requests" => Self::Requests,
            "workshop" => Self::Workshop,
            "settings" => Self::Settings,
            "history" => Self::History,
            _ => Self::NotFound,
        }
    }

    /// The `href` of the view, relative to the current document.
    pub fn href(self) -> String {
        match self {
            Self::Dashboard | Self::NotFound => "#/".into(),
            Self::Workspace => "#/workspace".into(),
            Self::Register => "#/register".into(),
            Self::HouseholdNew => "#/register/new".into(),
            Self::Household(id) => format!("#/register/{id}"),
            Self::Needs => "#/needs".into(),
            Self::Pb => "#/pb".into(),
            Self::Allocation => "#/allocation".into(),
            Self::Plans => "#/plans".into(),
            Self::Plan(id) => format!("#/plans/{id}"),
            Self::Participation => "#/participation".into(),
            Self::Requests => "#/requests".into(),
            Self::Workshop => "#/workshop".into(),
            Self::Settings => "#/settings".into(),
            Self::History => "#/history".into(),
        }
    }
}

impl Route {
    /// The navigation entry a view belongs to (a household page is in the register).
    pub fn section(self) -> Route {
        match self {
            Self::HouseholdNew | Self::Household(_) => Self::Register,
            Self::Plan(_) => Self::Plans,
            Self::History => Self::Settings,
            other => other,
        }
    }
}

fn current_hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// Provides the current route as a signal that follows `hashchange`.
///
/// The window listener is removed when the owner is cleaned up.
pub fn provide_route() -> ReadSignal<Route> {
    let (route, set_route) = signal(Route::parse(&current_hash()));
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        set_route.set(Route::parse(&current_hash()));
    });
    on_cleanup(move || handle.remove());
    provide_context(route);
    route
}

/// Navigates to `route` (adds a history entry).
pub fn navigate(route: Route) {
    let _ = window().location().set_hash(&route.href());
}

/// The current route (from context).
pub fn use_route() -> ReadSignal<Route> {
    expect_context()
}
