//! `#/register/new` and `#/register/<id>` — one household: every field of
//! SPEC §2.1, validation messages next to the fields, members, needs,
//! delete with confirmation, and the change history from the audit log.

mod fields;
mod history;
mod members;

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::household::{validate, FieldError};
use linli_domain::model::*;

use self::fields::{blank_household, blank_member, choice, code, field_error_view, parse_code, text_field};
use self::history::history_view;
use self::members::member_row;
use crate::browser::{now_millis, this_year};
use crate::components::db_error::DbErrorView;
use crate::components::labels;
use crate::components::loaded::{load, LoadGate, Shared};
use crate::components::WriteGuard;
use crate::db::register::HouseholdForm as FormData;
use crate::i18n::*;
use crate::state::route::navigate;
use crate::state::{use_storage, Route};

#[derive(Debug, Clone)]
enum SaveState {
    Idle,
    Saving,
    Saved,
    Invalid,
    Failed(crate::db::DbError),
}

/// Brings the form's first message into view (above the sticky save bar) and
/// puts the focus on its field, once the messages are drawn.
fn focus_first_error() {
    use wasm_bindgen::JsCast;
    let focus = wasm_bindgen::closure::Closure::once_into_js(move || {
        let doc = leptos::prelude::document();
        let Ok(Some(message)) = doc.query_selector("form.household .field-error") else {
            return;
        };
        // The whole field (label, input, message) in view: its scroll margin
        // (style/main.css) keeps it clear of the page's top and the save bar.
        let container = message.closest(".field, fieldset").ok().flatten();
        let input = container
            .as_ref()
            .and_then(|f| f.query_selector("input, select, textarea").ok().flatten());
        container.as_ref().unwrap_or(&message).scroll_into_view();
        if let Some(Ok(el)) = input.map(|i| i.dyn_into::<web_sys::HtmlElement>()) {
            let _ = el.focus();
        }
    });
    let _ = leptos::prelude::window().request_animation_frame(focus.unchecked_ref());
}

/// The household page. `id: None` creates a new household.
#[component]
pub fn HouseholdPage(id: Option<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let data = load(storage, move |db| async move { db.household_form(id).await });
    // Lives outside the form, so "saved" survives the form's reload after a write.
    let state = RwSignal::new(SaveState::Idle);
    // The form is built on `shown`. A newer load (another device's edit brought by sync,
    // another tab's save) rebuilds it while nothing is typed; with unsaved changes it is
    // kept as `newer`: the form stays as typed, says so, and its save keeps both sides'
    // edits (`household::rebase`), or the guide drops theirs and shows the newer one.
    let dirty = RwSignal::new(false);
    let shown = RwSignal::new(None::<Shared<FormData>>);
    let newer = RwSignal::new(None::<Shared<FormData>>);
    Effect::new(move |_| {
        let Some(cur) = data.current.get() else { return };
        let kept = shown.with_untracked(|s| s.as_ref().map(|s| s.household.clone()));
        match kept {
            // Typing: the form stays (a reload of other records changes nothing here).
            Some(h) if dirty.get_untracked() => newer.set((h != cur.household).then_some(cur)),
            _ => {
                newer.set(None);
                shown.set(Some(cur));
            }
        }
    });
    view! {
        <article class="page" data-page="household">
            <p><a href=Route::Register.href()>{t!(i18n, common.hh_back)}</a></p>
            <LoadGate phase=data.phase error=Signal::derive(move || data.error())>
                {move || newer.with(|n| n.as_ref().and_then(|n| n.household.clone())).filter(|_| id.is_some()).map(|_| view! {
                    <div class="warn hh-newer" role="alert" data-testid="hh-newer">
                        <p>{t!(i18n, common.hh_newer)}</p>
                        <button type="button" data-testid="hh-newer-load" on:click=move |_| {
                            dirty.set(false);
                            shown.set(newer.get_untracked());
                            newer.set(None);
                        }>{t!(i18n, common.hh_newer_load)}</button>
                    </div>
                })}
                {move || shown.get().map(|d| if id.is_some() && d.household.is_none() {
                    view! {
                        <h1>{t!(i18n, common.hh_title)}</h1>
                        <p class="empty" role="alert">{t!(i18n, common.hh_not_found)}</p>
                    }.into_any()
                } else {
                    let theirs = Signal::derive(move || newer.with(|n| n.as_ref().and_then(|n| n.household.clone())));
                    view! { <HouseholdForm data=d.0.clone() id=id state=state dirty=dirty theirs=theirs/> }.into_any()
                })}
            </LoadGate>
        </article>
    }
}

#[component]
fn HouseholdForm(
    data: Arc<FormData>,
    id: Option<u32>,
    state: RwSignal<SaveState>,
    /// Whether the form holds unsaved changes (set here, read by the page).
    dirty: RwSignal<bool>,
    /// The stored household when it changed after the form was built.
    theirs: Signal<Option<Household>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let original = data.household.clone();
    let draft = RwSignal::new(
        original
            .clone()
            .unwrap_or_else(|| blank_household(data.buildings.first())),
    );
    let base = original.clone();
    Effect::new(move |_| dirty.set(draft.with(|h| Some(h) != base.as_ref())));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let confirm_delete = RwSignal::new(false);
    let buildings = data.buildings.clone();
    let cats = data.categories.clone();
    let actor = move || session.actor();

    let error_for = move |field: &str| field_error_view(i18n, errors, field.to_owned());
    let has_error = move |field: &'static str| move || errors.with(|es| es.iter().any(|e| e.field == field));

    let b2 = buildings.clone();
    let c2 = cats.clone();
    let orig2 = original.clone();
    // Other households at the address being saved, and the address a guide
    // confirmed saving anyway.
    let duplicates = RwSignal::new(Vec::<u32>::new());
    let confirmed_address = RwSignal::new(None::<(u32, u8, String)>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut h = draft.get_untracked();
        h.skills.retain(|s| !s.trim().is_empty());
        let found = validate(&h, &b2, &c2, this_year());
        if !found.is_empty() {
            errors.set(found);
            state.set(SaveState::Invalid);
            focus_first_error();
            return;
        }
        errors.set(Vec::new());
        state.set(SaveState::Saving);
        // The record changed under the form: the guide's changes on the stored one.
        let (h, orig) = match (orig2.clone(), theirs.get_untracked()) {
            (Some(base), Some(now)) => (linli_domain::household::rebase(&base, &h, &now).0, Some(now)),
            (orig, _) => (h, orig),
        };
        let who = actor();
        let address = (h.building_id, h.unit, h.room.trim().to_lowercase());
        let moved = orig
            .as_ref()
            .is_none_or(|o| (o.building_id, o.unit, o.room.trim().to_lowercase()) != address);
        spawn_local(async move {
            let Some(db) = storage.db() else { return };
            if moved && confirmed_address.get_untracked().as_ref() != Some(&address) {
                match db.households().await {
                    Ok(all) => {
                        let same = linli_domain::household::same_address(&all, &h);
                        if !same.is_empty() {
                            duplicates.set(same);
                            state.set(SaveState::Idle);
                            return;
                        }
                    }
                    Err(e) => {
                        state.set(SaveState::Failed(e));
                        return;
                    }
                }
            }
            duplicates.set(Vec::new());
            match db.save_household(h, orig.as_ref(), who, now_millis()).await {
                Ok(new_id) => {
                    // What was typed is stored: the reload rebuilds the form on it.
                    dirty.set(false);
                    state.set(SaveState::Saved);
                    storage.changed();
                    if id.is_none() {
                        navigate(Route::Household(new_id));
                    }
                }
                Err(e) => state.set(SaveState::Failed(e)),
            }
        });
    };

    let do_delete = move |_| {
        let Some(hid) = id else { return };
        let who = actor();
        state.set(SaveState::Saving);
        spawn_local(async move {
            let Some(db) = storage.db() else { return };
            match db.remove_household(hid, who, now_millis()).await {
                Ok(()) => {
                    storage.changed();
                    navigate(Route::Register);
                }
                Err(e) => state.set(SaveState::Failed(e)),
            }
        });
    };

    let text = move |label: String,
                     field: &'static str,
                     get: fn(&Household) -> String,
                     set: fn(&mut Household, String)| {
        text_field(i18n, draft, errors, label, field, get, set)
    };

    let heading = if id.is_some() {
        t_string!(i18n, common.hh_title).to_string()
    } else {
        t_string!(i18n, common.hh_title_new).to_string()
    };
    let heading = match &original {
        Some(h) => format!("{heading} #{}", h.id),
        None => heading,
    };
    let b3 = buildings.clone();
    let unit_max = move || {
        let bid = draft.with(|h| h.building_id);
        b3.iter().find(|b| b.id == bid).map_or(1, |b| b.units)
    };
    let cats_for_needs = cats.clone();
    let history = data.history.clone();

    view! {
        <h1>{heading}</h1>
        <WriteGuard><form class="household" on:submit=save novalidate>
            <fieldset>
                <legend>{t!(i18n, common.hh_section_home)}</legend>
                <div class="field">
                    <label for="f-building">{t!(i18n, common.f_building)}</label>
                    <select id="f-building" aria-invalid=move || has_error("building_id")().to_string()
                        on:change=move |ev| { if let Ok(v) = event_target_value(&ev).parse() { draft.update(|h| h.building_id = v); } }>
                        {buildings.iter().map(|b| {
                            let bid = b.id;
                            view! { <option value=bid.to_string() selected=move || draft.with(|h| h.building_id) == bid>{b.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                    {error_for("building_id")}
                </div>
                <div class="field">
                    <label for="f-unit">{t!(i18n, common.f_unit)}</label>
                    <input id="f-unit" type="number" min="1" max=move || unit_max().to_string()
                        prop:value=move || draft.with(|h| h.unit.to_string())
                        aria-invalid=move || has_error("unit")().to_string()
                        on:input=move |ev| draft.update(|h| h.unit = event_target_value(&ev).parse().unwrap_or(0))/>
                    {error_for("unit")}
                </div>
                {text(t_string!(i18n, common.f_room).to_string(), "room", |h| h.room.clone(), |h, v| h.room = v)}
                {choice(draft, t_string!(i18n, common.f_tenure).to_string(), "tenure",
                    [Tenure::Owner, Tenure::Tenant, Tenure::PublicRental].into_iter().map(|v| (v, labels::tenure(i18n, v))).collect(),
                    |h| h.tenure, |h, v| h.tenure = v)}
                <div class="field">
                    <label for="f-group">{t!(i18n, common.f_group)}</label>
                    <select id="f-group" on:change=move |ev| draft.update(|h| h.group = event_target_value(&ev))>
                        <option value="" selected=move || draft.with(|h| h.group.is_empty())>"—"</option>
                        {linli_domain::demo::GROUPS.iter().map(|g| view! {
                            <option value=*g selected=move || draft.with(|h| h.group == *g)>{labels::group(i18n, g)}</option>
                        }).collect_view()}
                    </select>
                </div>
            </fieldset>

            <fieldset>
                <legend>{t!(i18n, common.hh_section_situation)}</legend>
                {choice(draft, t_string!(i18n, common.f_income).to_string(), "income_band",
                    [IncomeBand::Low, IncomeBand::LowerMiddle, IncomeBand::Middle, IncomeBand::Upper].into_iter().map(|v| (v, labels::income(i18n, v))).collect(),
                    |h| h.income_band, |h, v| h.income_band = v)}
                {choice(draft, t_string!(i18n, common.f_subsistence).to_string(), "subsistence",
                    [Subsistence::None, Subsistence::Dibao, Subsistence::Dibian].into_iter().map(|v| (v, labels::subsistence(i18n, v))).collect(),
                    |h| h.subsistence, |h, v| h.subsistence = v)}
                {choice(draft, t_string!(i18n, common.f_housing).to_string(), "housing",
                    [HousingCondition::Good, HousingCondition::Fair, HousingCondition::Poor].into_iter().map(|v| (v, labels::housing(i18n, v))).collect(),
                    |h| h.housing, |h, v| h.housing = v)}
                {choice(draft, t_string!(i18n, common.f_willingness).to_string(), "willingness",
                    [Willingness::None, Willingness::Low, Willingness::Medium, Willingness::High].into_iter().map(|v| (v, labels::willingness(i18n, v))).collect(),
                    |h| h.willingness, |h, v| h.willingness = v)}
                {text_field(i18n, draft, errors, t_string!(i18n, common.f_skills).to_string(), "skills", move |h: &Household| h.skills.join(t_string!(i18n, common.sep_clause)),
                    |h, v| h.skills = v.split([',', '\u{ff0c}', ';', '\u{ff1b}' /* full-width , and ; accepted on input */]).map(|s| s.trim().to_owned()).collect())}
            </fieldset>

            <fieldset>
                <legend>{t!(i18n, common.hh_section_needs)}</legend>
                {move || {
                    let n = draft.with(|h| h.needs.len());
                    (0..n).map(|i| {
                        let cats = cats_for_needs.clone();
                        let field = format!("needs.{i}");
                        view! {
                            <div class="row-fields">
                                <label>{t!(i18n, common.f_need_category)}
                                    <select on:change=move |ev| { let v = event_target_value(&ev); draft.update(|h| if let Some(n) = h.needs.get_mut(i) { n.category = v; }); }>
                                        {cats.iter().map(|c| {
                                            let code = c.code.clone();
                                            let code2 = c.code.clone();
                                            let name = labels::category(i18n, &cats, &c.code);
                                            view! { <option value=code selected=move || draft.with(|h| h.needs.get(i).is_some_and(|n| n.category == code2))>{name}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label>{t!(i18n, common.f_urgency)}
                                    <select on:change=move |ev| { if let Some(u) = parse_code::<Urgency>(&event_target_value(&ev)) { draft.update(|h| if let Some(n) = h.needs.get_mut(i) { n.urgency = u; }); } }>
                                        {[Urgency::Low, Urgency::Medium, Urgency::High].into_iter().map(|u| view! {
                                            <option value=code(&u) selected=move || draft.with(|h| h.needs.get(i).is_some_and(|n| n.urgency == u))>{labels::urgency(i18n, u)}</option>
                                        }).collect_view()}
                                    </select>
                                </label>
                                <button type="button" on:click=move |_| draft.update(|h| { if i < h.needs.len() { h.needs.remove(i); } })>{t!(i18n, common.remove)}</button>
                                {error_for(&field)}
                            </div>
                        }
                    }).collect_view()
                }}
                <button type="button" on:click={
                    let cats = cats.clone();
                    move |_| draft.update(|h| {
                        let next = cats.iter().find(|c| !h.needs.iter().any(|n| n.category == c.code)).or(cats.first());
                        if let Some(c) = next { h.needs.push(Need { category: c.code.clone(), urgency: Urgency::Medium }); }
                    })
                }>{t!(i18n, common.add_need)}</button>
            </fieldset>

            <fieldset>
                <legend>{t!(i18n, common.hh_section_contact)}</legend>
                {text(t_string!(i18n, common.f_contact_name).to_string(), "contact_name", |h| h.contact_name.clone(), |h, v| h.contact_name = v)}
                {text(t_string!(i18n, common.f_contact_phone).to_string(), "contact_phone", |h| h.contact_phone.clone(), |h, v| h.contact_phone = v)}
                <div class="field check">
                    <input id="f-lives-alone" type="checkbox" prop:checked=move || draft.with(|h| h.lives_alone)
                        on:change=move |ev| draft.update(|h| h.lives_alone = event_target_checked(&ev))/>
                    <label for="f-lives-alone">{t!(i18n, common.f_lives_alone)}</label>
                    {error_for("lives_alone")}
                </div>
                <div class="field">
                    <label for="f-notes">{t!(i18n, common.f_notes)}</label>
                    <textarea id="f-notes" rows="3" prop:value=move || draft.with(|h| h.notes.clone())
                        on:input=move |ev| draft.update(|h| h.notes = event_target_value(&ev))></textarea>
                    {error_for("notes")}
                </div>
            </fieldset>

            <fieldset>
                <legend>{t!(i18n, common.hh_section_members)}</legend>
                {error_for("members")}
                {move || {
                    let n = draft.with(|h| h.members.len());
                    (0..n).map(|i| member_row(draft, i, errors)).collect_view()
                }}
                <button type="button" on:click=move |_| draft.update(|h| h.members.push(blank_member()))>{t!(i18n, common.add_member)}</button>
            </fieldset>

            {move || {
                let same = duplicates.get();
                (!same.is_empty()).then(|| view! {
                    <div class="warn duplicate-address" role="alert" data-testid="duplicate-address">
                        <p>{t!(i18n, common.hh_duplicate_address)}" "
                            {same.iter().map(|o| view! {
                                <a href=Route::Household(*o).href()>{format!("#{o}")}</a>" "
                            }).collect_view()}
                        </p>
                        <button type="submit" data-testid="save-anyway" on:click=move |_| {
                            let address = draft.with_untracked(|h| (h.building_id, h.unit, h.room.trim().to_lowercase()));
                            confirmed_address.set(Some(address));
                        }>{t!(i18n, common.hh_save_anyway)}</button>
                    </div>
                })
            }}
            <div class="actions sticky">
                <button type="submit" class="primary" data-testid="save"
                    disabled=move || matches!(state.get(), SaveState::Saving)>{t!(i18n, common.save)}</button>
                {id.is_some().then(|| view! {
                    <button type="button" class="danger" on:click=move |_| confirm_delete.set(true)>{t!(i18n, common.delete_household)}</button>
                })}
                <span aria-live="polite">{move || match state.get() {
                    SaveState::Idle => ().into_any(),
                    SaveState::Saving => view! { <span role="status">{t!(i18n, common.saving)}</span> }.into_any(),
                    SaveState::Saved => view! { <span class="ok" role="status" data-testid="saved">{t!(i18n, common.saved)}</span> }.into_any(),
                    SaveState::Invalid => view! { <span class="error" role="alert" data-testid="invalid">{t!(i18n, common.fix_errors)}</span> }.into_any(),
                    SaveState::Failed(e) => view! { <DbErrorView error=e lead=t_string!(i18n, common.not_saved).to_string()/> }.into_any(),
                }}</span>
            </div>
            {move || confirm_delete.get().then(|| view! {
                <div class="confirm" role="alertdialog" aria-labelledby="del-q">
                    <p id="del-q">{t!(i18n, common.confirm_delete)}</p>
                    <button type="button" class="danger" on:click=do_delete data-testid="confirm-delete">{t!(i18n, common.confirm)}</button>
                    <button type="button" on:click=move |_| confirm_delete.set(false)>{t!(i18n, common.backup_cancel)}</button>
                </div>
            })}
        </form></WriteGuard>

        {id.is_some().then(|| history_view(i18n, history))}
    }
}
