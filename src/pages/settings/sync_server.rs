//! The settings page's server sync (issue #19): connect to the community's CouchDB
//! database with a guide's credentials; continuous replication runs in
//! [`crate::state::sync`] while the workspace is open and online.
//!
//! The address and user name are remembered on this device (`localStorage`, not
//! personal); the password stays in memory for this tab only. The address must be
//! allowed by the page's Content-Security-Policy (`connect-src`, set when the workspace
//! is built or deployed: ARCHITECTURE.md); one that is not is refused next to the field
//! with how to allow it, before any request.

use leptos::prelude::*;

use linli_domain::replication::couch::{check_url, origin, UrlError};
use linli_domain::replication::local::SyncKeys;

use super::backup::acting;
use super::sync::root_key;
use crate::components::db_error::TechnicalDetails;
use crate::i18n::*;
use crate::state::sync::{Connect, Phase, Why};
use crate::state::{use_storage, use_sync};

const REMEMBER: &str = "linli.sync.server";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The origins the page's `connect-src` allows besides its own.
fn allowed_origins() -> Vec<String> {
    let doc = document();
    let Ok(Some(meta)) = doc.query_selector("meta[http-equiv='Content-Security-Policy']") else {
        return Vec::new();
    };
    let policy = meta.get_attribute("content").unwrap_or_default();
    policy
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("connect-src "))
        .map(|list| {
            list.split_whitespace()
                .map(|s| s.trim_end_matches('/').to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the page may reach `url` (its own origin, or one `connect-src` names).
fn reachable(url: &str) -> bool {
    let own = window().location().origin().unwrap_or_default();
    let o = origin(url);
    o == own || allowed_origins().iter().any(|a| a == o || a == "*")
}

/// The address and user remembered on this device (empty when none).
pub(super) fn remembered() -> (String, String) {
    local_storage()
        .and_then(|s| s.get_item(REMEMBER).ok().flatten())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Remembers the address and user on this device.
pub(super) fn remember(url: &str, user: &str) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(
            REMEMBER,
            &serde_json::json!([url.trim(), user.trim()]).to_string(),
        );
    }
}

/// `url` if it is a database address [`check_url`] accepts.
pub(super) fn checked(url: &str) -> Option<String> {
    check_url(url).ok()
}

/// The server-sync part of the 同步 section.
/// A failure's sentence in the guide's language and its technical text.
fn why_text(i18n: leptos_i18n::I18nContext<Locale>, why: &Why) -> (String, String) {
    match why {
        Why::Unreachable(d) => (
            t_string!(i18n, settings.server_why_unreachable).to_owned(),
            d.clone(),
        ),
        Why::Protocol(d) => (
            t_string!(i18n, settings.server_why_protocol).to_owned(),
            d.clone(),
        ),
        Why::Sealed(d) => (t_string!(i18n, settings.server_why_sealed).to_owned(), d.clone()),
        Why::Damaged(d) => (t_string!(i18n, settings.server_why_damaged).to_owned(), d.clone()),
        Why::Inconsistent(d) => (
            t_string!(i18n, settings.server_why_inconsistent).to_owned(),
            d.clone(),
        ),
        Why::Store(e) => (crate::components::db_error::plain(i18n, e), format!("{e:?}")),
        Why::Other(d) => (t_string!(i18n, settings.server_why_other).to_owned(), d.clone()),
    }
}

/// A failed phase: the sentence, and the technical text folded away for support.
fn failed_line(text: String, kind: &'static str, why: &'static str, detail: String) -> AnyView {
    view! {
        <div class="error" role="status" data-testid="server-phase" data-phase=kind data-why=why>
            <p>{text}</p>
            <TechnicalDetails text=detail testid="server-why-detail"/>
        </div>
    }
    .into_any()
}

#[component]
pub(super) fn ServerSync(
    /// The sync key typed in the section (used while the workspace has no passphrase).
    key: RwSignal<String>,
    /// The database address (shared with enrolment, which fills it in).
    url: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let sync = use_sync();
    let user = RwSignal::new(remembered().1);
    let password = RwSignal::new(String::new());
    let tried = RwSignal::new(false);

    let url_error = move || {
        let u = url.get();
        if u.trim().is_empty() {
            return tried
                .get()
                .then(|| t_string!(i18n, settings.server_url_missing).to_owned());
        }
        match check_url(&u) {
            Err(UrlError::Scheme(_)) => Some(t_string!(i18n, settings.server_url_scheme).to_owned()),
            Err(UrlError::Credentials) => Some(t_string!(i18n, settings.server_url_credentials).to_owned()),
            Err(UrlError::NoDatabase) => Some(t_string!(i18n, settings.server_url_database).to_owned()),
            Ok(ok) if !reachable(&ok) => {
                Some(t_string!(i18n, settings.server_url_csp, origin = origin(&ok).to_owned()).to_owned())
            }
            Ok(_) => None,
        }
    };
    let key_missing = move || tried.get() && root_key(&key.get()).is_none();

    let on_connect = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if url_error().is_some() {
            crate::browser::focus_after_draw("#server-url");
            return;
        }
        let Some(root) = root_key(&key.get_untracked()) else {
            crate::browser::focus_after_draw("#sync-key");
            return;
        };
        let (u, name, pw) = (
            url.get_untracked(),
            user.get_untracked(),
            password.get_untracked(),
        );
        let Ok(remote) = crate::db::couch::remote(&u, &name, &pw) else {
            return;
        };
        remember(&u, &name);
        sync.connect(
            storage,
            Connect {
                remote,
                keys: SyncKeys::from_root(&root),
                actor: acting(i18n, session),
            },
        );
    };

    let phase_line = move || {
        let (text, cls, kind) = match sync.phase.get() {
            Phase::Off => (t_string!(i18n, settings.server_off).to_owned(), "muted", "off"),
            Phase::Reading => (t_string!(i18n, settings.server_reading).to_owned(), "", "reading"),
            Phase::Pulling { read, pending } => (
                match pending {
                    Some(p) => {
                        t_string!(i18n, settings.server_pulling_of, n = read, total = read + p).to_owned()
                    }
                    None => t_string!(i18n, settings.server_pulling, n = read).to_owned(),
                },
                "",
                "pulling",
            ),
            Phase::Pushing { read, pending } => (
                match pending {
                    Some(p) => {
                        t_string!(i18n, settings.server_pushing_of, n = read, total = read + p).to_owned()
                    }
                    None => t_string!(i18n, settings.server_pushing, n = read).to_owned(),
                },
                "",
                "pushing",
            ),
            Phase::Saving => (t_string!(i18n, settings.server_saving).to_owned(), "", "saving"),
            Phase::Watching => (
                t_string!(i18n, settings.server_watching).to_owned(),
                "ok",
                "watching",
            ),
            Phase::Offline => (
                t_string!(i18n, settings.server_offline).to_owned(),
                "muted",
                "offline",
            ),
            Phase::Retrying { why, wait_s } => {
                let (error, detail) = why_text(i18n, &why);
                return failed_line(
                    t_string!(i18n, settings.server_retrying, s = wait_s, error = error).to_string(),
                    "retrying",
                    why.code(),
                    detail,
                );
            }
            Phase::Refused(detail) => {
                return failed_line(
                    t_string!(i18n, settings.server_refused).to_owned(),
                    "refused",
                    "refused",
                    detail,
                );
            }
            Phase::Stuck(why) => {
                let (error, detail) = why_text(i18n, &why);
                return failed_line(
                    t_string!(i18n, settings.server_stuck, error = error).to_string(),
                    "stuck",
                    why.code(),
                    detail,
                );
            }
        };
        view! { <p class=cls role="status" data-testid="server-phase" data-phase=kind>{text}</p> }.into_any()
    };

    let last_line = move || {
        sync.last.get().map(|r| {
            let at = linli_domain::requests::calendar::local_datetime(r.at);
            let steps = crate::state::sync::STEPS
                .iter()
                .zip(r.steps)
                .map(|(n, ms)| format!("{n} {ms}"))
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <p data-testid="server-last" data-at=r.at.to_string() data-took=r.took_ms.to_string() data-steps=steps data-pulled=r.pulled.to_string() data-pushed=r.pushed.to_string()
                    data-conflicts=r.conflicts.to_string()>
                    {t_string!(i18n, settings.server_last, at = at, pulled = r.pulled, pushed = r.pushed, conflicts = r.conflicts, s = format!("{:.1}", r.took_ms as f64 / 1000.0))}
                    {(r.renumbered > 0).then(|| view! { " "{t_string!(i18n, settings.sync_renumbered, n = r.renumbered)} })}
                </p>
            }
        })
    };

    view! {
        <h3 id="server-h">{t!(i18n, settings.server_title)}</h3>
        <p>{t!(i18n, settings.server_intro)}</p>
        <form on:submit=on_connect data-testid="server-form" novalidate>
            <div class="field">
                <label for="server-url">{t!(i18n, settings.server_url)}</label>
                <input id="server-url" type="url" inputmode="url" autocomplete="url" spellcheck="false"
                    placeholder="https://couch.example.org/community-a" data-testid="server-url"
                    aria-describedby="server-url-help server-url-error" aria-invalid=move || url_error().is_some().to_string()
                    prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
                <p id="server-url-help" class="muted small">{t!(i18n, settings.server_url_help)}</p>
                <p id="server-url-error" class="error" role="alert" data-testid="server-url-error"
                    hidden=move || url_error().is_none()>{move || url_error().unwrap_or_default()}</p>
            </div>
            <div class="field">
                <label for="server-user">{t!(i18n, settings.server_user)}</label>
                <input id="server-user" type="text" autocomplete="username" spellcheck="false" data-testid="server-user"
                    prop:value=move || user.get() on:input=move |ev| user.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="server-password">{t!(i18n, settings.server_password)}</label>
                <input id="server-password" type="password" autocomplete="current-password" data-testid="server-password"
                    aria-describedby="server-password-help"
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                <p id="server-password-help" class="muted small">{t!(i18n, settings.server_password_help)}</p>
            </div>
            {move || key_missing().then(|| view! {
                <p class="error" role="alert" data-testid="server-key-error">{t!(i18n, settings.server_key_missing)}</p>
            })}
            <div class="actions">
                <button type="submit" data-testid="server-connect">
                    {move || if sync.url.with(Option::is_some) { t!(i18n, settings.server_reconnect).into_any() } else { t!(i18n, settings.server_connect).into_any() }}
                </button>
                <button type="button" data-testid="server-disconnect" disabled=move || sync.url.with(Option::is_none)
                    on:click=move |_| sync.disconnect()>
                    {t!(i18n, settings.server_disconnect)}
                </button>
            </div>
        </form>
        <div aria-live="polite" data-testid="server-state">
            {phase_line}
            {last_line}
            {move || sync.unsent.get().then(|| view! { <p class="muted" data-testid="server-unsent">{t!(i18n, settings.server_unsent)}</p> })}
        </div>
    }
}
