//! The points earning rules editor (setting `points_rules`,
//! `linli_domain::participation::points::EarningRules`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::participation::points::{EarningRules, RULES_SETTING};

use super::editors::{actor, field, stored, whole, FieldError, Settings};
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::WriteGuard;
use crate::i18n::*;
use crate::state::use_storage;

/// Each rule is a whole number of points from 0 to this (the domain's rule).
const MAX_RULE: i64 = 1000;

#[component]
pub(super) fn PointsRulesEditor(settings: Settings) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let value = stored(settings, RULES_SETTING);
    let fields: [(RwSignal<String>, FieldError); 3] =
        std::array::from_fn(|_| (RwSignal::new(String::new()), RwSignal::new(None)));
    let damaged = RwSignal::new(None::<String>);
    let msg: Msg = RwSignal::new(None);
    // Refill the form whenever the stored rules change (first load, a save).
    Effect::new(move |_| {
        let Some(v) = value.get() else { return };
        let rules = match v.as_deref().map(serde_json::from_str::<EarningRules>) {
            None => Ok(EarningRules::default()),
            Some(Ok(r)) => Ok(r),
            Some(Err(e)) => Err(e.to_string()),
        };
        damaged.set(rules.as_ref().err().cloned());
        let r = rules.unwrap_or_default();
        let vals = [
            r.deliberation_per_meeting,
            r.volunteering_per_hour,
            r.skill_sharing_per_session,
        ];
        for ((text, err), v) in fields.iter().zip(vals) {
            text.set(v.to_string());
            err.set(None);
        }
    });

    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut parsed = [0i64; 3];
        let mut ok = true;
        for (i, (text, err)) in fields.iter().enumerate() {
            match whole(&text.get_untracked(), 0..=MAX_RULE) {
                Some(v) => parsed[i] = v,
                None => {
                    ok = false;
                    err.set(Some(t_string!(i18n, settings.rule_range).to_owned()));
                }
            }
        }
        if !ok {
            return say(msg, Err(t_string!(i18n, settings.not_saved_fix).to_owned()));
        }
        let rules = EarningRules {
            deliberation_per_meeting: parsed[0],
            volunteering_per_hour: parsed[1],
            skill_sharing_per_session: parsed[2],
        };
        if rules.validate().is_err() {
            return say(msg, Err(t_string!(i18n, settings.rule_range).to_owned()));
        }
        let Some(db) = storage.db() else { return };
        let who = actor(session);
        spawn_local(async move {
            match db.save_points_rules(&rules, who).await {
                Ok(()) => {
                    say(msg, Ok(t_string!(i18n, settings.saved_rules).to_owned()));
                    storage.changed();
                }
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };

    let labels = move || {
        [
            (
                t_string!(i18n, settings.rule_deliberation),
                t_string!(i18n, settings.unit_points_meeting),
                "rules-deliberation",
            ),
            (
                t_string!(i18n, settings.rule_volunteering),
                t_string!(i18n, settings.unit_points_hour),
                "rules-volunteering",
            ),
            (
                t_string!(i18n, settings.rule_skill_sharing),
                t_string!(i18n, settings.unit_points_session),
                "rules-skill",
            ),
        ]
    };

    view! {
        <section aria-labelledby="points-rules-h" class="settings-editor" data-testid="points-rules">
            <h2 id="points-rules-h">{t!(i18n, settings.points_rules_title)}</h2>
            <p class="muted">{t!(i18n, settings.points_rules_intro)}</p>
            {move || damaged.get().map(|e| view! {
                <p class="error" role="alert">{t!(i18n, settings.stored_unreadable)}<code>{e}</code></p>
            })}
            <WriteGuard><form on:submit=on_save novalidate>
                {move || labels().into_iter().zip(fields).map(|((label, unit, id), (text, err))| {
                    field(id.to_owned(), label.to_owned(), unit.to_owned(), t_string!(i18n, settings.rule_range).to_owned(), text, err, "numeric")
                }).collect_view()}
                <button type="submit" class="primary" data-testid="rules-save">{t!(i18n, settings.save)}</button>
            </form></WriteGuard>
            {msg_view(msg, "rules-msg")}
        </section>
    }
}
