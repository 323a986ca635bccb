//! One member of the household form: name, birth year, sex, employment, school,
//! disability, chronic illness and dementia.

use leptos::prelude::*;
use linli_domain::household::FieldError;
use linli_domain::model::*;

use super::fields::{code, field_error_view, parse_code};
use crate::components::labels;
use crate::i18n::*;

/// The fields of member `i` of the draft.
pub(super) fn member_row(
    draft: RwSignal<Household>,
    i: usize,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let err = move |f: &str| field_error_view(i18n, errors, format!("members.{i}.{f}"));
    let get =
        move |f: fn(&Member) -> String| move || draft.with(|h| h.members.get(i).map(f).unwrap_or_default());
    let upd = move |f: Box<dyn Fn(&mut Member)>| {
        draft.update(|h| {
            if let Some(m) = h.members.get_mut(i) {
                f(m)
            }
        })
    };
    view! {
        <div class="member" role="group" aria-label=move || format!("{} {}", t_string!(i18n, common.member_n), i + 1)>
            <label>{t!(i18n, common.f_name)}
                <input type="text" prop:value=get(|m| m.name.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); upd(Box::new(move |m| m.name = v.clone())) }/>
                {err("name")}
            </label>
            <label>{t!(i18n, common.f_birth_year)}
                <input type="number" min="1900" max="2100" prop:value=get(|m| m.birth_year.to_string())
                    on:input=move |ev| { let v = event_target_value(&ev).parse().unwrap_or(0); upd(Box::new(move |m| m.birth_year = v)) }/>
                {err("birth_year")}
            </label>
            <label>{t!(i18n, common.f_sex)}
                <select on:change=move |ev| { if let Some(v) = parse_code::<Sex>(&event_target_value(&ev)) { upd(Box::new(move |m| m.sex = v)) } }>
                    {[Sex::Female, Sex::Male].into_iter().map(|v| view! {
                        <option value=code(&v) selected=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.sex == v))>{labels::sex(i18n, v)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, common.f_employment)}
                <select on:change=move |ev| { if let Some(v) = parse_code::<Employment>(&event_target_value(&ev)) { upd(Box::new(move |m| m.employment = v)) } }>
                    {[Employment::Employed, Employment::Unemployed, Employment::Retired, Employment::Student, Employment::NotApplicable].into_iter().map(|v| view! {
                        <option value=code(&v) selected=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.employment == v))>{labels::employment(i18n, v)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, common.f_school)}
                <select on:change=move |ev| { let v = parse_code::<SchoolStage>(&event_target_value(&ev)); upd(Box::new(move |m| m.school_stage = v)) }>
                    <option value="" selected=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.school_stage.is_none()))>{labels::school(i18n, None)}</option>
                    {[SchoolStage::Infant, SchoolStage::Preschool, SchoolStage::Primary, SchoolStage::Secondary].into_iter().map(|v| view! {
                        <option value=code(&v) selected=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.school_stage == Some(v)))>{labels::school(i18n, Some(v))}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, common.f_disability)}
                <select on:change=move |ev| { let v = event_target_value(&ev).parse::<u8>().ok(); upd(Box::new(move |m| m.disability_grade = v)) }>
                    <option value="" selected=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.disability_grade.is_none()))>{t!(i18n, common.disability_none)}</option>
                    {(1u8..=4).map(|g| view! {
                        <option value=g.to_string() selected=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.disability_grade == Some(g)))>{g}</option>
                    }).collect_view()}
                </select>
                {err("disability_grade")}
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.chronic_illness))
                    on:change=move |ev| { let v = event_target_checked(&ev); upd(Box::new(move |m| m.chronic_illness = v)) }/>
                {t!(i18n, common.f_chronic)}
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.dementia))
                    on:change=move |ev| { let v = event_target_checked(&ev); upd(Box::new(move |m| m.dementia = v)) }/>
                {t!(i18n, common.f_dementia)}
            </label>
            <button type="button" on:click=move |_| draft.update(|h| { if i < h.members.len() { h.members.remove(i); } })>{t!(i18n, common.remove)}</button>
        </div>
    }
}
