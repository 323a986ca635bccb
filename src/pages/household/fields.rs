//! The household form's building blocks: blank records, `<option>` codes, a text
//! field, a choice field and the validation message next to a field.

use leptos::prelude::*;
use linli_domain::household::FieldError;
use linli_domain::model::*;

use crate::components::labels;
use crate::i18n::*;

/// A new household's starting values.
pub(super) fn blank_household(building: Option<&Building>) -> Household {
    Household {
        id: 0,
        building_id: building.map_or(0, |b| b.id),
        unit: 1,
        room: String::new(),
        tenure: Tenure::Owner,
        income_band: IncomeBand::Middle,
        subsistence: Subsistence::None,
        housing: HousingCondition::Good,
        skills: Vec::new(),
        needs: Vec::new(),
        willingness: Willingness::Medium,
        group: String::new(),
        contact_name: String::new(),
        contact_phone: String::new(),
        notes: String::new(),
        lives_alone: false,
        members: vec![blank_member()],
        updated_at: 0,
    }
}

/// A new member's starting values.
pub(super) fn blank_member() -> Member {
    Member {
        name: String::new(),
        birth_year: 1970,
        sex: Sex::Female,
        chronic_illness: false,
        disability_grade: None,
        dementia: false,
        employment: Employment::Employed,
        school_stage: None,
    }
}

/// Serde code of a unit enum (`"public_rental"`), used as `<option>` values.
pub(super) fn code<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The unit enum of an `<option>` value.
pub(super) fn parse_code<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

/// The message for `field`, if validation found a problem there.
pub(super) fn field_error_view(
    i18n: leptos_i18n::I18nContext<Locale>,
    errors: RwSignal<Vec<FieldError>>,
    field: String,
) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static {
    move || {
        errors
            .with(|es| {
                es.iter()
                    .find(|e| e.field == field)
                    .map(|e| labels::field_error(i18n, e.code))
            })
            .map(|m| view! { <span class="field-error" role="alert">{m}</span> }.into_any())
    }
}

/// A one-line text field of the household with its validation message.
pub(super) fn text_field(
    i18n: leptos_i18n::I18nContext<Locale>,
    draft: RwSignal<Household>,
    errors: RwSignal<Vec<FieldError>>,
    label: String,
    field: &'static str,
    get: impl Fn(&Household) -> String + Copy + Send + Sync + 'static,
    set: fn(&mut Household, String),
) -> impl IntoView {
    let id_attr = format!("f-{field}");
    let has_error = move || errors.with(|es| es.iter().any(|e| e.field == field));
    view! {
        <div class="field">
            <label for=id_attr.clone()>{label}</label>
            <input id=id_attr type="text" prop:value=move || draft.with(get)
                aria-invalid=move || has_error().to_string()
                on:input=move |ev| draft.update(|h| set(h, event_target_value(&ev)))/>
            {field_error_view(i18n, errors, field.to_owned())}
        </div>
    }
}

/// A choice among the values of a unit enum of the household.
pub(super) fn choice<T>(
    draft: RwSignal<Household>,
    label: String,
    field: &'static str,
    options: Vec<(T, String)>,
    get: fn(&Household) -> T,
    set: fn(&mut Household, T),
) -> impl IntoView
where
    T: Copy + PartialEq + serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
{
    let id_attr = format!("f-{field}");
    view! {
        <div class="field">
            <label for=id_attr.clone()>{label}</label>
            <select id=id_attr on:change=move |ev| {
                if let Some(v) = parse_code::<T>(&event_target_value(&ev)) { draft.update(|h| set(h, v)); }
            }>
                {options.into_iter().map(|(v, l)| {
                    let c = code(&v);
                    view! { <option value=c selected=move || draft.with(get) == v>{l}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}
