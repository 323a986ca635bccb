//! The confirmation or refusal shown next to a form (participation and requests pages).

use leptos::prelude::*;
use leptos_i18n::I18nContext;

use crate::db::DbError;
use crate::i18n::*;

/// A message next to a form: `Ok` confirmation or `Err` refusal, with a sequence number.
pub type Msg = RwSignal<Option<(u32, Result<String, String>)>>;

/// Shows `r` in `m`, numbered so that a repeated message is still a new one
/// (`data-seq`, which the e2e tests wait on).
pub fn say(m: Msg, r: Result<String, String>) {
    let seq = m.with_untracked(|v| v.as_ref().map_or(0, |(n, _)| *n)) + 1;
    m.set(Some((seq, r)));
}

/// The message as a status (`Ok`) or alert (`Err`) paragraph.
pub fn msg_view(m: Msg, testid: &'static str) -> impl IntoView {
    move || {
        m.get().map(|(seq, r)| match r {
            Ok(t) => {
                view! { <p class="ok" role="status" data-testid=testid data-seq=seq.to_string()>{t}</p> }
                    .into_any()
            }
            Err(t) => {
                view! { <p class="error" role="alert" data-testid=testid data-seq=seq.to_string()>{t}</p> }
                    .into_any()
            }
        })
    }
}

/// "Not saved, nothing changed: <what happened and what to do, in plain words>"
/// (never the browser's own error text: [`super::db_error`]).
pub fn db_fail(i18n: I18nContext<Locale>, e: &DbError) -> String {
    format!(
        "{}{}",
        t_string!(i18n, common.not_saved),
        super::db_error::plain(i18n, e)
    )
}
