//! The session in progress survives a reload: after each change (debounced) it is
//! kept in the setting `workshop_draft` (`linli_domain::workshop::draft`), until it
//! is saved (the save removes the draft in its own transaction) or discarded here,
//! after a confirmation. Opening the workshop with a draft resumes it
//! (`Ws::new`); the bar says so and offers to discard it.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::workshop::draft::Draft;
use linli_domain::workshop::Session;

use super::state::{Msg, Ws};
use crate::browser::{local_minute, now_millis};
use crate::i18n::*;

/// A change is kept at most this long after it was made.
const DRAFT_DELAY_MS: u64 = 500;

impl Ws {
    /// Keeps the session after a change, once no write is waiting.
    pub fn schedule_draft(self) {
        if self.draft_pending.try_get_value().unwrap_or(true) {
            return;
        }
        self.draft_pending.set_value(true);
        set_timeout(
            move || {
                if self.draft_pending.try_set_value(false).is_none() {
                    self.keep_draft();
                }
            },
            Duration::from_millis(DRAFT_DELAY_MS),
        );
    }

    /// Writes the session now if it changed since it was last kept (an empty
    /// session removes the draft). Skipped while the session is being saved.
    pub fn keep_draft(self) {
        let Some(rev) = self.rev.try_get_untracked() else {
            return;
        };
        if self.draft_clean.try_get_value() == Some(rev) {
            return;
        }
        if self.saving.get_untracked() {
            return self.schedule_draft();
        }
        // A read-only auditor may try a session out; nothing of it is kept.
        if !self.writable() {
            return;
        }
        let Some(db) = self.storage.db() else { return };
        let i18n = self.i18n;
        let now = now_millis();
        let period = self.data.with_value(|d| d.period.clone());
        let draft = self.session.with_value(|s| {
            (s.can_undo() || !s.dots().is_empty() || !s.votes().is_empty())
                .then(|| Draft::new(s, period, now))
        });
        spawn_local(async move {
            match db.keep_workshop_draft(draft.as_ref()).await {
                Ok(()) => {
                    let _ = self.draft_clean.try_set_value(rev);
                    let _ = self.kept_at.try_set(draft.map(|_| now));
                }
                Err(e) => {
                    let _ = self.msg.try_set(Some(Msg::Error(
                        t_string!(i18n, workshop.draft_failed, error = e).to_string(),
                    )));
                }
            }
        });
    }

    /// The session was saved at revision `rev`: the save removed the draft.
    pub fn draft_saved(self, rev: u64) {
        self.draft_clean.set_value(rev);
        if self.rev.get_untracked() == rev {
            self.kept_at.set(None);
        }
        self.resumed_at.set(None);
    }

    /// Discards the session in progress: removes the draft (with a history entry)
    /// and starts a new, empty session.
    pub fn discard_session(self) {
        if self.refuse_read_only() {
            return;
        }
        let (i18n, storage) = (self.i18n, self.storage);
        let Some(db) = storage.db() else { return };
        let actor = self.guide.actor();
        spawn_local(async move {
            match db.discard_workshop_draft(actor, now_millis()).await {
                Ok(()) => {
                    let (cats, proposals) = self
                        .session
                        .with_value(|s| (s.categories.clone(), s.proposals.clone()));
                    self.session
                        .set_value(Session::new(now_millis(), cats, proposals));
                    self.rev.update(|r| *r += 1);
                    self.draft_clean.set_value(self.rev.get_untracked());
                    self.kept_at.set(None);
                    self.resumed_at.set(None);
                    self.draft_problem.set(None);
                    self.selected.set(0);
                    self.redraw_all();
                    self.say(Msg::Info(t_string!(i18n, workshop.draft_discarded).to_string()));
                }
                Err(e) => self.say(Msg::Error(
                    t_string!(i18n, workshop.draft_failed, error = e).to_string(),
                )),
            }
        });
    }
}

/// The bar above the plan: a resumed session (or a draft that could not be
/// resumed), when the session was last kept, and the discard button with its
/// confirmation.
#[component]
pub(super) fn DraftBar(ws: Ws) -> impl IntoView {
    let i18n = ws.i18n;
    let confirming = RwSignal::new(false);
    let resumed = move || {
        ws.resumed_at.get().map(|at| {
            let (dots, votes) = ws.session.with_value(|s| (s.dots().len(), s.votes().len()));
            view! {
                <span data-testid="ws-draft-resumed">
                    {t_string!(i18n, workshop.draft_resumed, at = local_minute(at), dots = dots, votes = votes)}
                </span>
            }
        })
    };
    let problem = move || {
        ws.draft_problem.get().map(
            |p| view! { <span class="ws-msg ws-err" role="alert" data-testid="ws-draft-problem">{p}</span> },
        )
    };
    let kept = move || {
        ws.kept_at.get().map(|at| {
            view! {
                <span class="ws-keys" data-testid="ws-draft-kept" data-at=at.to_string()>
                    {t_string!(i18n, workshop.draft_kept, at = local_minute(at))}
                </span>
            }
        })
    };
    let show = Memo::new(move |_| {
        ws.resumed_at.with(Option::is_some)
            || ws.draft_problem.with(Option::is_some)
            || ws.kept_at.with(Option::is_some)
    });
    move || {
        show.get().then(|| {
            view! {
                <div class="ws-draft" data-testid="ws-draft"
                    style="display:flex;flex-wrap:wrap;align-items:center;gap:8px 20px;margin:4px 0">
                    {resumed}
                    {problem}
                    {kept}
                    <button type="button" class="ws-btn" data-testid="ws-draft-discard"
                        on:click=move |_| confirming.set(true)>{t!(i18n, workshop.draft_discard)}</button>
                    {move || confirming.get().then(|| view! {
                        <span role="alertdialog" aria-labelledby="ws-discard-q"
                            style="display:flex;flex-wrap:wrap;align-items:center;gap:8px 20px">
                            <span class="ws-msg ws-err" id="ws-discard-q">{t!(i18n, workshop.draft_discard_question)}</span>
                            <button type="button" class="ws-btn" data-testid="ws-draft-discard-confirm"
                                on:click=move |_| { confirming.set(false); ws.discard_session(); }>{t!(i18n, workshop.draft_discard_confirm)}</button>
                            <button type="button" class="ws-btn" data-testid="ws-draft-discard-cancel"
                                on:click=move |_| confirming.set(false)>{t!(i18n, common.backup_cancel)}</button>
                        </span>
                    })}
                </div>
            }
        })
    }
}
