//! The plan rules editor (setting `plan_rules`: notice length, re-notice share) and
//! the minimum cell sizes editor (setting `disclosure`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::cockpit::{parse_value, show_value};
use linli_domain::model::Setting;
use linli_domain::plans::{PlanRules, MAX_NOTICE_DAYS};
use linli_domain::settings::{disclosure, plan_rules, Disclosure, DISCLOSURE, MAX_CELL, PLAN_RULES};
use linli_domain::suppress::{MIN_CELL, MIN_CELL_SENSITIVE};

use super::editors::{actor, as_list, field, stored, whole, FieldError, Settings};
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::WriteGuard;
use crate::i18n::*;
use crate::state::use_storage;

fn pair() -> (RwSignal<String>, FieldError) {
    (RwSignal::new(String::new()), RwSignal::new(None))
}

#[component]
pub(super) fn PlanRulesEditor(settings: Settings) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let value = stored(settings, PLAN_RULES);
    let (days, share) = (pair(), pair());
    let damaged = RwSignal::new(None::<String>);
    let msg: Msg = RwSignal::new(None);
    Effect::new(move |_| {
        let Some(v) = value.get() else { return };
        let r = plan_rules(&as_list(v, PLAN_RULES));
        damaged.set(r.as_ref().err().map(|e| e.reason.clone()));
        let r = r.unwrap_or_default();
        days.0.set(r.notice_days.to_string());
        share.0.set(show_value("bp", i64::from(r.renotice_above_bp)));
        days.1.set(None);
        share.1.set(None);
    });
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let d = whole(&days.0.get_untracked(), 1..=i64::from(MAX_NOTICE_DAYS));
        if d.is_none() {
            days.1
                .set(Some(t_string!(i18n, settings.err_notice_days).to_owned()));
        }
        let s = match parse_value("bp", &share.0.get_untracked()) {
            Ok(Some(v)) if (0..=10_000).contains(&v) => Some(v),
            _ => None,
        };
        if s.is_none() {
            share
                .1
                .set(Some(t_string!(i18n, settings.err_renotice).to_owned()));
        }
        let (Some(d), Some(s)) = (d, s) else {
            return say(msg, Err(t_string!(i18n, settings.not_saved_fix).to_owned()));
        };
        let rules = PlanRules {
            notice_days: u16::try_from(d).unwrap_or(0),
            renotice_above_bp: u32::try_from(s).unwrap_or(u32::MAX),
        };
        if let Err(e) = rules.check() {
            return say(msg, Err(e.to_string()));
        }
        let Some(db) = storage.db() else { return };
        let who = actor(session);
        spawn_local(async move {
            match db.save_plan_rules(&rules, who).await {
                Ok(()) => {
                    say(msg, Ok(t_string!(i18n, settings.saved_plan_rules).to_owned()));
                    storage.changed();
                }
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    view! {
        <section aria-labelledby="plan-rules-h" class="settings-editor" data-testid="plan-rules-editor">
            <h2 id="plan-rules-h">{t!(i18n, settings.plan_rules_title)}</h2>
            <p class="muted">{t!(i18n, settings.plan_rules_intro)}</p>
            {move || damaged.get().map(|e| view! {
                <p class="error" role="alert">{t!(i18n, settings.stored_unreadable)}<code>{e}</code></p>
            })}
            <WriteGuard><form on:submit=on_save novalidate>
                {move || view! {
                    {field("plan-notice-days".into(), t_string!(i18n, settings.notice_days).to_owned(), t_string!(i18n, settings.unit_days).to_owned(), t_string!(i18n, settings.err_notice_days).to_owned(), days.0, days.1, "numeric")}
                    {field("plan-renotice".into(), t_string!(i18n, settings.renotice_share).to_owned(), t_string!(i18n, settings.unit_percent).to_owned(), t_string!(i18n, settings.err_renotice).to_owned(), share.0, share.1, "decimal")}
                }}
                <button type="submit" class="primary" data-testid="plan-rules-save">{t!(i18n, settings.save)}</button>
            </form></WriteGuard>
            {msg_view(msg, "plan-rules-msg")}
        </section>
    }
}

#[component]
pub(super) fn DisclosureEditor(settings: Settings) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let value = stored(settings, DISCLOSURE);
    let (general, sensitive) = (pair(), pair());
    let damaged = RwSignal::new(None::<String>);
    let msg: Msg = RwSignal::new(None);
    Effect::new(move |_| {
        let Some(v) = value.get() else { return };
        let d = disclosure(&as_list(v, DISCLOSURE));
        damaged.set(d.as_ref().err().map(|e| e.reason.clone()));
        let d = d.unwrap_or_default();
        general.0.set(d.min_cell.to_string());
        sensitive.0.set(d.min_cell_sensitive.to_string());
        general.1.set(None);
        sensitive.1.set(None);
    });
    let max = i64::try_from(MAX_CELL).unwrap_or(i64::MAX);
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let min_g = i64::try_from(MIN_CELL).unwrap_or(5);
        let g = whole(&general.0.get_untracked(), min_g..=max);
        if g.is_none() {
            general.1.set(Some(t_string!(
                i18n,
                settings.err_min_cell,
                min = MIN_CELL,
                max = MAX_CELL
            )));
        }
        let min_s = i64::try_from(MIN_CELL_SENSITIVE)
            .unwrap_or(10)
            .max(g.unwrap_or(0));
        let s = whole(&sensitive.0.get_untracked(), min_s..=max);
        if s.is_none() {
            sensitive.1.set(Some(t_string!(
                i18n,
                settings.err_min_cell_sensitive,
                min = min_s,
                max = MAX_CELL
            )));
        }
        let (Some(g), Some(s)) = (g, s) else {
            return say(msg, Err(t_string!(i18n, settings.not_saved_fix).to_owned()));
        };
        let d = Disclosure {
            min_cell: g.unsigned_abs(),
            min_cell_sensitive: s.unsigned_abs(),
        };
        // The domain's own check of what will be stored.
        let text = serde_json::to_string(&d).unwrap_or_default();
        if let Err(e) = disclosure(&[Setting {
            key: DISCLOSURE.to_owned(),
            value: text,
        }]) {
            return say(msg, Err(e.to_string()));
        }
        let Some(db) = storage.db() else { return };
        let who = actor(session);
        spawn_local(async move {
            match db.save_disclosure(&d, who).await {
                Ok(()) => {
                    say(msg, Ok(t_string!(i18n, settings.saved_disclosure).to_owned()));
                    storage.changed();
                }
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    view! {
        <section aria-labelledby="disclosure-h" class="settings-editor" data-testid="disclosure-editor">
            <h2 id="disclosure-h">{t!(i18n, settings.disclosure_title)}</h2>
            <p class="muted">{t!(i18n, settings.disclosure_intro)}</p>
            {move || damaged.get().map(|e| view! {
                <p class="error" role="alert">{t!(i18n, settings.stored_unreadable)}<code>{e}</code></p>
            })}
            <WriteGuard><form on:submit=on_save novalidate>
                {move || view! {
                    {field("min-cell".into(), t_string!(i18n, settings.min_cell).to_owned(), t_string!(i18n, settings.unit_people).to_owned(), t_string!(i18n, settings.min_cell_why, min = MIN_CELL), general.0, general.1, "numeric")}
                    {field("min-cell-sensitive".into(), t_string!(i18n, settings.min_cell_sensitive).to_owned(), t_string!(i18n, settings.unit_people).to_owned(), t_string!(i18n, settings.min_cell_sensitive_why, min = MIN_CELL_SENSITIVE), sensitive.0, sensitive.1, "numeric")}
                }}
                <button type="submit" class="primary" data-testid="disclosure-save">{t!(i18n, settings.save)}</button>
            </form></WriteGuard>
            {msg_view(msg, "disclosure-msg")}
        </section>
    }
}
