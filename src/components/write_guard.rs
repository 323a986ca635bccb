//! Write controls follow the acting guide's role: a read-only auditor reads and
//! exports but changes nothing.
//!
//! [`WriteGuard`] wraps a write form (save, add, delete, import, restore, status
//! change): while the acting guide cannot write ([`Session::can_write`]) it is a
//! disabled `<fieldset>`, so every control inside it is disabled and cannot
//! submit, and a short note says why. The fieldset is laid out with
//! `display: contents`, so wrapping a form changes nothing on screen for a guide
//! who may write. Exports and downloads are never placed inside one.
//!
//! The database refuses writes for an auditor as well (`Db::set_read_only`,
//! `DbError::ReadOnly`); the guard keeps the controls from being offered.

use leptos::prelude::*;

use crate::i18n::*;
use crate::state::{use_session, Session};

/// Whether the acting guide may change data (tracked): for write controls that
/// cannot sit in a [`WriteGuard`] (a single button in a table row).
pub fn can_write() -> Signal<bool> {
    let s: Session = use_session();
    Signal::derive(move || s.can_write())
}

/// A disabled fieldset with the note "审计员只读" around `children` while the
/// acting guide cannot write; transparent otherwise.
#[component]
pub fn WriteGuard(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let read_only = move || !session.can_write();
    view! {
        <fieldset class="write-guard" prop:disabled=read_only>
            {move || read_only().then(|| view! {
                <p class="read-only-note muted" data-testid="read-only-note">{t!(i18n, common.read_only_note)}</p>
            })}
            {children()}
        </fieldset>
    }
}

/// Next to an import or restore while no passphrase is set (demo data): real
/// residents' data imported now would be stored in clear, so the note says so
/// and links to setting the first passphrase (which then seals it in place).
#[component]
pub fn PlainImportWarning() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <Show when=move || session.is_demo()>
            <p class="warn plain-import-warning" role="note" data-testid="plain-import-warning">
                {t!(i18n, lock.plain_import_warning)}" "
                <SetupLink/>
            </p>
        </Show>
    }
}

/// The link to setting the first passphrase, shared by the demo banner and
/// [`PlainImportWarning`].
#[component]
pub fn SetupLink() -> impl IntoView {
    let i18n = use_i18n();
    view! { <a href=crate::state::Route::Settings.href()>{t!(i18n, lock.demo_setup_link)}</a> }
}
