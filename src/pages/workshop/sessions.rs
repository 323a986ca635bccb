//! Saved sessions: listed (last saved first, with their dots, votes, who saved them
//! and when), and reopened to be continued. Saving a reopened session replaces its
//! record, its needs tally and its ballots (`crate::db::workshop`). Reopening over
//! unsaved dots or votes asks first. A reopened session is kept as the session in
//! progress at once, so a reload resumes it.

use leptos::prelude::*;
use linli_domain::model::Millis;
use linli_domain::workshop::saved::SavedSession;
use wasm_bindgen::JsCast;

use super::state::{Msg, Ws};
use crate::browser::local_minute;
use crate::i18n::*;

impl Ws {
    /// Reopens the saved session that started at `started`, replacing the
    /// session on screen (asked first by the list when it has unsaved changes).
    pub fn reopen(self, started: Millis) {
        let i18n = self.i18n;
        let Some(saved) = self
            .saved
            .with_untracked(|v| v.iter().find(|s| s.session.started_at == started).cloned())
        else {
            return;
        };
        let fits = self.data.with_value(|d| {
            let cats: Vec<String> = d.categories.iter().map(|c| c.code.clone()).collect();
            let props: Vec<u32> = d.proposals.iter().map(|p| p.id).collect();
            saved.fits(&cats, &props)
        });
        if !fits {
            return self.say(Msg::Error(
                t_string!(i18n, workshop.saved_not_fitting).to_string(),
            ));
        }
        let (dots, votes) = (saved.session.dots().len(), saved.session.votes().len());
        self.session.set_value(saved.session);
        self.holding.set(None);
        self.selected.set(0);
        self.resumed_at.set(None);
        self.draft_problem.set(None);
        // Kept as the session in progress (a reload resumes it), not unsaved.
        self.bump();
        self.saved_rev.set_value(Some(self.rev.get_untracked()));
        self.redraw_all();
        self.say(Msg::Info(
            t_string!(
                i18n,
                workshop.saved_reopened,
                started = local_minute(started),
                dots = dots,
                votes = votes
            )
            .to_string(),
        ));
        // The keys are the workshop's again (not the list's buttons).
        if let Some(el) = document()
            .query_selector("article.ws")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    }
}

/// One saved session in the list.
fn row(ws: Ws, s: &SavedSession, ask: RwSignal<Option<Millis>>) -> impl IntoView {
    let i18n = ws.i18n;
    let started = s.session.started_at;
    let text = t_string!(
        i18n,
        workshop.saved_row,
        started = local_minute(started),
        dots = s.session.dots().len(),
        votes = s.session.votes().len(),
        by = s.saved_by.clone(),
        at = local_minute(s.saved_at)
    )
    .to_string();
    let current = move || {
        ws.rev.track();
        ws.session.with_value(|x| x.started_at) == started
    };
    let open_label = t_string!(i18n, workshop.saved_open_label, started = local_minute(started)).to_string();
    view! {
        <li data-testid=format!("ws-saved-{started}") data-started=started
            data-dots=s.session.dots().len() data-votes=s.session.votes().len() class:current=current>
            <span>{text}</span>
            {move || current().then(|| view! { <strong>{t!(i18n, workshop.saved_current)}</strong> })}
            <button type="button" class="ws-btn" data-testid=format!("ws-saved-open-{started}")
                aria-label=open_label
                on:mousedown=|ev| ev.prevent_default()
                on:click=move |_| {
                    if ws.unsaved() {
                        ask.set(Some(started));
                    } else {
                        ws.reopen(started);
                    }
                }>{t!(i18n, workshop.saved_open)}</button>
        </li>
    }
}

/// The saved sessions, folded under a summary with their number.
#[component]
pub(super) fn SavedSessions(ws: Ws) -> impl IntoView {
    let i18n = ws.i18n;
    let ask = RwSignal::new(None::<Millis>);
    let unreadable = ws.data.with_value(|d| d.saved_unreadable.clone());
    let list = move || {
        ws.saved.with(|v| {
            if v.is_empty() {
                view! { <p data-testid="ws-saved-none">{t!(i18n, workshop.saved_none)}</p> }.into_any()
            } else {
                view! { <ol>{v.iter().map(|s| row(ws, s, ask)).collect_view()}</ol> }.into_any()
            }
        })
    };
    let question = move || {
        ask.get().map(|started| {
            view! {
                <div role="alertdialog" aria-labelledby="ws-reopen-q" data-testid="ws-saved-ask"
                    style="display:flex;flex-wrap:wrap;align-items:center;gap:8px 20px">
                    <span class="ws-msg ws-err" id="ws-reopen-q">{t!(i18n, workshop.saved_unsaved_question)}</span>
                    <button type="button" class="ws-btn" data-testid="ws-saved-ask-confirm"
                        on:click=move |_| { ask.set(None); ws.reopen(started); }>{t!(i18n, workshop.saved_open_confirm)}</button>
                    <button type="button" class="ws-btn" data-testid="ws-saved-ask-cancel"
                        on:click=move |_| ask.set(None)>{t!(i18n, common.backup_cancel)}</button>
                </div>
            }
        })
    };
    view! {
        <details class="ws-saved" data-testid="ws-saved">
            <summary on:mousedown=|ev| ev.prevent_default()>
                {move || t_string!(i18n, workshop.saved_heading, n = ws.saved.with(Vec::len)).to_string()}
            </summary>
            {question}
            {list}
            {unreadable.into_iter().map(|(key, error)| view! {
                <p class="ws-msg ws-err" role="alert">{t_string!(i18n, workshop.saved_unreadable, key = key, error = error).to_string()}</p>
            }).collect_view()}
        </details>
    }
}
