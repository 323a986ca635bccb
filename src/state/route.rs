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
    /// `#/workshop` — workshop mode for a projector.
    Workshop,
    /// `#/settings`
    Settings,
    /// Anything else.
    NotFound,
}

impl Route {
    /// Every routed view, in navigation order.
    pub const ALL: [Route; 4] = [
        Route::Dashboard,
        Route::Workspace,
        Route::Workshop,
        Route::Settings,
    ];

    /// Parses a location hash (`#/workspace`, `#workspace`, empty).
    ///
    /// Query strings after `?` are ignored; a trailing `/` is allowed.
    pub fn parse(hash: &str) -> Self {
        let h = hash.trim_start_matches('#');
        let path = h.split(['?', '&']).next().unwrap_or("");
        match path.trim_matches('/') {
            "" | "dashboard" => Self::Dashboard,
            "workspace" => Self::Workspace,
            "workshop" => Self::Workshop,
            "settings" => Self::Settings,
            _ => Self::NotFound,
        }
    }

    /// The `href` of the view, relative to the current document.
    pub fn href(self) -> &'static str {
        match self {
            Self::Dashboard | Self::NotFound => "#/",
            Self::Workspace => "#/workspace",
            Self::Workshop => "#/workshop",
            Self::Settings => "#/settings",
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

/// The current route (from context).
pub fn use_route() -> ReadSignal<Route> {
    expect_context()
}
