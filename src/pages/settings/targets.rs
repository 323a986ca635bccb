//! The indicator targets editor (setting `indicator_targets`): one field per
//! indicator of `linli_domain::settings::INDICATORS`, in its unit; an empty field
//! means "no target".

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::cockpit::{parse_value, show_value, unit_decimals, ValueError};
use linli_domain::settings::{indicator_targets, IndicatorDef, INDICATORS, INDICATOR_TARGETS};

use super::editors::{actor, as_list, field, stored, Ctx, FieldError, Settings};
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::labels::is_zh;
use crate::components::WriteGuard;
use crate::i18n::*;
use crate::state::use_storage;

/// An indicator unit's name (shown next to its field).
pub(crate) fn unit_name(i18n: Ctx, unit: &str) -> &'static str {
    match unit {
        "bp" => t_string!(i18n, settings.unit_percent),
        "per_100_households_centi" => t_string!(i18n, settings.unit_per_100),
        "permille" => t_string!(i18n, settings.unit_permille),
        "hours" => t_string!(i18n, settings.unit_hours),
        _ => t_string!(i18n, settings.unit_ratio),
    }
}

/// How a value must compare with the target to meet it.
pub(crate) fn direction_name(i18n: Ctx, direction: &str) -> &'static str {
    match direction {
        "gt" => t_string!(i18n, settings.dir_gt),
        "lt" => t_string!(i18n, settings.dir_lt),
        "ge" => t_string!(i18n, settings.dir_ge),
        _ => t_string!(i18n, settings.dir_le),
    }
}

/// An indicator's name in the current language.
pub(crate) fn indicator_name(i18n: Ctx, d: &IndicatorDef) -> &'static str {
    if is_zh(i18n) {
        d.name_zh
    } else {
        d.name_en
    }
}

#[component]
pub(super) fn TargetsEditor(settings: Settings) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let value = stored(settings, INDICATOR_TARGETS);
    let fields: Vec<(RwSignal<String>, FieldError)> = INDICATORS
        .iter()
        .map(|_| (RwSignal::new(String::new()), RwSignal::new(None)))
        .collect();
    let fields = StoredValue::new(fields);
    let damaged = RwSignal::new(None::<String>);
    let msg: Msg = RwSignal::new(None);
    Effect::new(move |_| {
        let Some(v) = value.get() else { return };
        let targets = indicator_targets(&as_list(v, INDICATOR_TARGETS));
        damaged.set(targets.as_ref().err().map(|e| e.reason.clone()));
        let shown = targets.unwrap_or_else(|_| indicator_targets(&[]).unwrap_or_default());
        fields.with_value(|f| {
            for (def, (text, err)) in INDICATORS.iter().zip(f) {
                text.set(
                    shown
                        .get(def.code)
                        .copied()
                        .flatten()
                        .map(|t| show_value(def.unit, t))
                        .unwrap_or_default(),
                );
                err.set(None);
            }
        });
    });

    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut out: BTreeMap<String, Option<i64>> = BTreeMap::new();
        let mut ok = true;
        fields.with_value(|f| {
            for (def, (text, err)) in INDICATORS.iter().zip(f) {
                match parse_value(def.unit, &text.get_untracked()) {
                    Ok(v) => {
                        out.insert(def.code.to_owned(), v);
                    }
                    Err(ValueError::NotNumber(0)) => {
                        ok = false;
                        err.set(Some(t_string!(i18n, settings.err_target_whole).to_owned()));
                    }
                    Err(ValueError::NotNumber(d)) => {
                        ok = false;
                        err.set(Some(t_string!(i18n, settings.err_target_number, decimals = d)));
                    }
                    Err(ValueError::TooLarge) => {
                        ok = false;
                        err.set(Some(t_string!(i18n, settings.err_target_large).to_owned()));
                    }
                }
            }
        });
        if !ok {
            return say(msg, Err(t_string!(i18n, settings.not_saved_fix).to_owned()));
        }
        // The domain's own check of what will be stored.
        let text = serde_json::to_string(&out).unwrap_or_default();
        if let Err(e) = indicator_targets(&as_list(Some(text), INDICATOR_TARGETS)) {
            return say(msg, Err(e.to_string()));
        }
        let Some(db) = storage.db() else { return };
        let who = actor(session);
        spawn_local(async move {
            match db.save_indicator_targets(&out, who).await {
                Ok(()) => {
                    say(msg, Ok(t_string!(i18n, settings.saved_targets).to_owned()));
                    storage.changed();
                }
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };

    let rows = move || {
        fields.with_value(|f| {
            INDICATORS
                .iter()
                .zip(f.iter().copied())
                .map(|(def, (text, err))| {
                    let default = def.default_target.map_or_else(
                        || t_string!(i18n, settings.no_target).to_owned(),
                        |t| show_value(def.unit, t),
                    );
                    let direction = direction_name(i18n, def.direction);
                    let hint = match unit_decimals(def.unit) {
                        0 => t_string!(
                            i18n,
                            settings.target_hint_whole,
                            direction = direction,
                            default = default
                        ),
                        d => t_string!(
                            i18n,
                            settings.target_hint,
                            direction = direction,
                            default = default,
                            decimals = d
                        ),
                    };
                    field(
                        format!("target-{}", def.code),
                        indicator_name(i18n, def).to_owned(),
                        unit_name(i18n, def.unit).to_owned(),
                        hint,
                        text,
                        err,
                        "decimal",
                    )
                })
                .collect_view()
        })
    };

    view! {
        <section aria-labelledby="targets-h" class="settings-editor" data-testid="targets-editor">
            <h2 id="targets-h">{t!(i18n, settings.targets_title)}</h2>
            <p class="muted">{t!(i18n, settings.targets_intro)}</p>
            {move || damaged.get().map(|e| view! {
                <p class="error" role="alert">{t!(i18n, settings.stored_unreadable)}<code>{e}</code></p>
            })}
            <WriteGuard><form on:submit=on_save novalidate>
                {rows}
                <button type="submit" class="primary" data-testid="targets-save">{t!(i18n, settings.save)}</button>
            </form></WriteGuard>
            {msg_view(msg, "targets-msg")}
        </section>
    }
}
