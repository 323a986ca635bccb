//! Storage errors in plain words: what happened and what to do next.
//!
//! Every place that shows a [`DbError`] to the user goes through this module:
//! [`plain`] for a sentence inside a form message, [`DbErrorView`] for a
//! paragraph with the browser's technical name folded away in a `<details>`.
//! The browser's `DOMException` text (`QuotaExceededError: …`) is never the
//! message; only its name is shown, and only under "technical details".

use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::db::DbError;
use crate::i18n::*;

/// What kind of trouble an error is, as the user needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The disk (or the browser's share of it) is full.
    Quota,
    /// Another tab of the app holds the database open.
    Blocked,
    /// Another tab upgraded the database: this page must reload.
    Reload,
    /// The workspace is locked.
    Locked,
    /// A sealed record failed authentication.
    Decrypt,
    /// The acting guide is a read-only auditor.
    ReadOnly,
    /// No IndexedDB (private mode, old or locked-down browser).
    Unavailable,
    /// The transaction was aborted without a reason.
    Aborted,
    /// A stored record does not have the expected layout.
    Decode,
    /// Anything else.
    Unknown,
}

impl Kind {
    /// A stable name (`data-kind` attribute, tests).
    pub fn code(self) -> &'static str {
        match self {
            Self::Quota => "quota",
            Self::Blocked => "blocked",
            Self::Reload => "reload",
            Self::Locked => "locked",
            Self::Decrypt => "decrypt",
            Self::ReadOnly => "read-only",
            Self::Unavailable => "unavailable",
            Self::Aborted => "aborted",
            Self::Decode => "decode",
            Self::Unknown => "unknown",
        }
    }
}

/// The kind of `e`.
pub fn kind(e: &DbError) -> Kind {
    match e {
        DbError::Browser { name, .. } => match name.as_str() {
            "QuotaExceededError" => Kind::Quota,
            // The open was refused because an open connection of another tab
            // did not close (`blocked` turned into an error by the caller).
            "BlockedError" => Kind::Blocked,
            // An older page than the database (VersionError), or a connection
            // closed under this page because another tab upgraded it.
            "VersionError" | "InvalidStateError" => Kind::Reload,
            // Firefox's private mode and locked-down profiles refuse IndexedDB.
            "SecurityError" | "InvalidAccessError" => Kind::Unavailable,
            "AbortError" => Kind::Aborted,
            _ => Kind::Unknown,
        },
        DbError::VersionChangedElsewhere => Kind::Reload,
        DbError::Aborted => Kind::Aborted,
        DbError::Unavailable => Kind::Unavailable,
        DbError::Decode { .. } => Kind::Decode,
        DbError::Locked => Kind::Locked,
        DbError::Decrypt { .. } => Kind::Decrypt,
        DbError::ReadOnly => Kind::ReadOnly,
    }
}

/// An error told in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plain {
    /// What kind of trouble it is.
    pub kind: Kind,
    /// What happened, in one sentence.
    pub headline: String,
    /// What to do next.
    pub next: String,
    /// The technical name for support (`QuotaExceededError`, `DecryptError
    /// (households)`): never the headline, never the browser's message text
    /// (a decoding error's reason could quote a record).
    pub technical: String,
}

/// The headline and next step of a kind in `locale`.
pub fn words(locale: Locale, k: Kind) -> (String, String) {
    let (a, b) = match k {
        Kind::Quota => (
            td_string!(locale, common.err_quota),
            td_string!(locale, common.err_quota_next),
        ),
        Kind::Blocked => (
            td_string!(locale, common.err_blocked),
            td_string!(locale, common.err_blocked_next),
        ),
        Kind::Reload => (
            td_string!(locale, common.err_reload),
            td_string!(locale, common.err_reload_next),
        ),
        Kind::Locked => (
            td_string!(locale, common.err_locked),
            td_string!(locale, common.err_locked_next),
        ),
        Kind::Decrypt => (
            td_string!(locale, common.err_decrypt),
            td_string!(locale, common.err_decrypt_next),
        ),
        Kind::ReadOnly => (
            td_string!(locale, common.err_read_only),
            td_string!(locale, common.err_read_only_next),
        ),
        Kind::Unavailable => (
            td_string!(locale, common.err_unavailable),
            td_string!(locale, common.err_unavailable_next),
        ),
        Kind::Aborted => (
            td_string!(locale, common.err_aborted),
            td_string!(locale, common.err_aborted_next),
        ),
        Kind::Decode => (
            td_string!(locale, common.err_decode),
            td_string!(locale, common.err_decode_next),
        ),
        Kind::Unknown => (
            td_string!(locale, common.err_unknown),
            td_string!(locale, common.err_unknown_next),
        ),
    };
    (a.to_string(), b.to_string())
}

/// The technical name of `e` (no message text).
pub fn technical(e: &DbError) -> String {
    match e {
        DbError::Decode { store, .. } | DbError::Decrypt { store } => format!("{} ({store})", e.name()),
        _ => e.name().to_owned(),
    }
}

/// `e` in plain words in `locale`.
pub fn plain_in(locale: Locale, e: &DbError) -> Plain {
    let kind = kind(e);
    let (headline, next) = words(locale, kind);
    Plain {
        kind,
        headline,
        next,
        technical: technical(e),
    }
}

/// `e` as one plain sentence pair for a form message: what happened, then
/// what to do. Only an unknown error carries its code, at the end.
pub fn sentence_in(locale: Locale, e: &DbError) -> String {
    let p = plain_in(locale, e);
    let sep = match locale {
        Locale::zh => "",
        Locale::en => " ",
    };
    let mut s = format!("{}{sep}{}", p.headline, p.next);
    if p.kind == Kind::Unknown {
        s.push_str(&td_string!(locale, common.err_code, code = p.technical.as_str()).to_string());
    }
    s
}

/// [`sentence_in`] in the current language.
pub fn plain(i18n: I18nContext<Locale>, e: &DbError) -> String {
    sentence_in(i18n.get_locale_untracked(), e)
}

/// The error as an alert paragraph: the headline in bold, the next step, and
/// the technical name folded away.
#[component]
pub fn DbErrorView(
    /// The error.
    #[prop(into)]
    error: DbError,
    /// Words said before the headline (e.g. "not saved, nothing changed").
    #[prop(optional, into)]
    lead: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let p = plain_in(i18n.get_locale(), &error);
        view! {
            <div class="error db-error" role="alert" data-testid="db-error" data-kind=p.kind.code()>
                <p>{lead.clone()}<strong>{p.headline}</strong>" "{p.next}</p>
                <TechnicalDetails text=p.technical/>
            </div>
        }
    }
}

/// The technical text of an error, folded away under "技术信息（给技术支持）": for
/// support, never the sentence a guide reads. Every error paragraph ends with it.
#[component]
pub fn TechnicalDetails(
    /// The technical text (an error's name or message).
    #[prop(into)]
    text: String,
    /// `data-testid` of the text, when a test reads it.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <details class="small">
            <summary>{t!(i18n, common.err_details)}</summary>
            <code data-testid=testid>{text}</code>
        </details>
    }
}
