//! What the settings editors share: the loaded settings, one setting's stored
//! text, a field with its rule message beside it, and the section's result line.

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::model::Setting;

use crate::components::loaded::Shared;
use crate::i18n::*;

pub(super) type Ctx = I18nContext<Locale>;

/// The loaded settings (`None` until loaded).
pub(super) type Settings = Memo<Option<Shared<Vec<Setting>>>>;

/// A field's rule message (`None`: the field is fine).
pub(super) type FieldError = RwSignal<Option<String>>;

/// The stored text of setting `key`: `None` until loaded, `Some(None)` when the
/// setting is absent. Changes only when that setting changes, so a save elsewhere
/// does not refill this section's form.
pub(super) fn stored(settings: Settings, key: &'static str) -> Memo<Option<Option<String>>> {
    Memo::new(move |_| {
        settings.with(|s| {
            s.as_ref()
                .map(|Shared(list)| list.iter().find(|x| x.key == key).map(|x| x.value.clone()))
        })
    })
}

/// The settings as a list (for the domain's typed reads).
pub(super) fn as_list(value: Option<String>, key: &str) -> Vec<Setting> {
    value
        .map(|value| Setting {
            key: key.to_owned(),
            value,
        })
        .into_iter()
        .collect()
}

/// A labelled text field with its rule message next to it. `hint` says the rule
/// (and why) before anything is typed; the message replaces nothing.
#[allow(clippy::too_many_arguments)]
pub(super) fn field(
    id: String,
    label: String,
    suffix: String,
    hint: String,
    value: RwSignal<String>,
    error: FieldError,
    mode: &'static str,
) -> impl IntoView {
    let err_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = format!("{hint_id} {err_id}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <span class="field-input">
                <input id=id.clone() type="text" inputmode=mode data-testid=id.clone()
                    prop:value=move || value.get()
                    on:input=move |ev| { value.set(event_target_value(&ev)); error.set(None); }
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    aria-describedby=described/>
                {(!suffix.is_empty()).then(|| view! { <span class="unit">{suffix}</span> })}
            </span>
            // The rule is said once: as a hint, or as the message once broken.
            {(!hint.is_empty()).then_some(move || {
                error.with(Option::is_none).then(|| view! { <span class="hint muted small" id=hint_id.clone()>{hint.clone()}</span> })
            })}
            <span id=err_id.clone() data-testid=err_id aria-live="polite">
                {move || error.get().map(|m| view! { <span class="field-error" role="alert">{m}</span> })}
            </span>
        </div>
    }
}

/// The name the acting guide is recorded under (read at write time).
pub(super) fn actor(session: crate::state::Session) -> String {
    session.actor()
}

/// A whole number in `range`, or `None`.
pub(super) fn whole(text: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
    let t = text.trim();
    if t.is_empty() || t.len() > 12 || !t.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return None;
    }
    t.parse::<i64>().ok().filter(|v| range.contains(v))
}
