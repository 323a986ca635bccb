//! `#/register/new` and `#/register/<id>` — one household: every field of
//! SPEC §2.1, validation messages next to the fields, members, needs,
//! delete with confirmation, and the change history from the audit log.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::household::{changed_fields, validate, FieldError};
use linli_domain::model::*;
use wasm_bindgen::JsValue;

use crate::browser::{local_minute, now_millis, this_year};
use crate::components::labels;
use crate::db::{Batch, Db, DbError};
use crate::i18n::*;
use crate::pages::register::load_categories;
use crate::state::route::navigate;
use crate::state::{use_storage, Route};

#[derive(Debug)]
struct Loaded {
    household: Option<Household>,
    buildings: Vec<Building>,
    categories: Vec<NeedCategory>,
    history: Vec<AuditEntry>,
}

async fn load(db: Db, id: Option<u32>) -> Result<Loaded, DbError> {
    let buildings: Vec<Building> = db.get_all("buildings").await?;
    let categories = load_categories(&db).await?;
    let (household, history) = match id {
        Some(id) => {
            let h: Option<Household> = db.household(id).await?;
            let key: js_sys::Array = [JsValue::from_str("households"), JsValue::from(id)]
                .into_iter()
                .collect();
            let mut history: Vec<AuditEntry> = db.get_by_index("audit_log", "by_entity", &key).await?;
            history.sort_by_key(|e| std::cmp::Reverse((e.at, e.id)));
            (h, history)
        }
        None => (None, Vec::new()),
    };
    Ok(Loaded {
        household,
        buildings,
        categories,
        history,
    })
}

fn blank_household(building: Option<&Building>) -> Household {
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

fn blank_member() -> Member {
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
fn code<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn parse_code<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

#[derive(Debug, Clone)]
enum SaveState {
    Idle,
    Saving,
    Saved,
    Invalid,
    Failed(String),
}

/// The household page. `id: None` creates a new household.
#[component]
pub fn HouseholdPage(id: Option<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let data = storage.resource(move |db| async move { Some(load(db, id).await.map(Arc::new)) });
    // Lives outside the form, so "saved" survives the form's reload after a write.
    let state = RwSignal::new(SaveState::Idle);
    view! {
        <article class="page" data-page="household">
            <p><a href=Route::Register.href()>{t!(i18n, hh_back)}</a></p>
            {move || match data.get() {
                None | Some(None) => view! { <p class="muted" role="status"><span class="spinner" aria-hidden="true"></span>{t!(i18n, loading)}</p> }.into_any(),
                Some(Some(Err(e))) => view! { <p class="error" role="alert">{t!(i18n, status_error)}<code>{e.to_string()}</code></p> }.into_any(),
                Some(Some(Ok(d))) if id.is_some() && d.household.is_none() => view! {
                    <h1>{t!(i18n, hh_title)}</h1>
                    <p class="empty" role="alert">{t!(i18n, hh_not_found)}</p>
                }.into_any(),
                Some(Some(Ok(d))) => view! { <HouseholdForm data=d id=id state=state/> }.into_any(),
            }}
        </article>
    }
}

#[component]
fn HouseholdForm(data: Arc<Loaded>, id: Option<u32>, state: RwSignal<SaveState>) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let original = data.household.clone();
    let draft = RwSignal::new(
        original
            .clone()
            .unwrap_or_else(|| blank_household(data.buildings.first())),
    );
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let confirm_delete = RwSignal::new(false);
    let buildings = data.buildings.clone();
    let cats = data.categories.clone();
    let actor = move || t_string!(i18n, actor_default).to_string();

    let error_for = move |field: &str| field_error_view(i18n, errors, field.to_owned());
    let has_error = move |field: &'static str| move || errors.with(|es| es.iter().any(|e| e.field == field));

    let b2 = buildings.clone();
    let c2 = cats.clone();
    let orig2 = original.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut h = draft.get_untracked();
        h.skills.retain(|s| !s.trim().is_empty());
        let found = validate(&h, &b2, &c2, this_year());
        if !found.is_empty() {
            errors.set(found);
            state.set(SaveState::Invalid);
            return;
        }
        errors.set(Vec::new());
        state.set(SaveState::Saving);
        let orig = orig2.clone();
        let who = actor();
        spawn_local(async move {
            let Some(db) = storage.db() else { return };
            let result = async {
                let now = now_millis();
                let audit_id = db.max_key("audit_log").await? + 1;
                let mut batch = Batch::default();
                let (action, summary) = match &orig {
                    Some(old) => ("update", changed_fields(old, &h).join(", ")),
                    None => {
                        h.id = db.max_household_id().await? + 1;
                        ("create", String::new())
                    }
                };
                h.updated_at = now;
                if orig.is_some() {
                    batch.put_household(&h);
                } else {
                    batch.add_household(&h);
                }
                batch.add(
                    "audit_log",
                    &AuditEntry {
                        id: audit_id,
                        at: now,
                        actor: who,
                        entity: "households".into(),
                        entity_id: h.id,
                        action: action.into(),
                        summary,
                    },
                )?;
                db.commit(batch).await?;
                Ok::<u32, DbError>(h.id)
            }
            .await;
            match result {
                Ok(new_id) => {
                    state.set(SaveState::Saved);
                    storage.changed();
                    if id.is_none() {
                        navigate(Route::Household(new_id));
                    }
                }
                Err(e) => state.set(SaveState::Failed(e.to_string())),
            }
        });
    };

    let do_delete = move |_| {
        let Some(hid) = id else { return };
        let who = actor();
        state.set(SaveState::Saving);
        spawn_local(async move {
            let Some(db) = storage.db() else { return };
            let result = async {
                let audit_id = db.max_key("audit_log").await? + 1;
                let mut batch = Batch::default();
                batch.delete_household(hid);
                batch.add(
                    "audit_log",
                    &AuditEntry {
                        id: audit_id,
                        at: now_millis(),
                        actor: who,
                        entity: "households".into(),
                        entity_id: hid,
                        action: "delete".into(),
                        summary: String::new(),
                    },
                )?;
                db.commit(batch).await
            }
            .await;
            match result {
                Ok(()) => {
                    storage.changed();
                    navigate(Route::Register);
                }
                Err(e) => state.set(SaveState::Failed(e.to_string())),
            }
        });
    };

    // --- field helpers -------------------------------------------------
    let text = move |label: String,
                     field: &'static str,
                     get: fn(&Household) -> String,
                     set: fn(&mut Household, String)| {
        let id_attr = format!("f-{field}");
        view! {
            <div class="field">
                <label for=id_attr.clone()>{label}</label>
                <input id=id_attr type="text" prop:value=move || draft.with(get)
                    aria-invalid=move || has_error(field)().to_string()
                    on:input=move |ev| draft.update(|h| set(h, event_target_value(&ev)))/>
                {error_for(field)}
            </div>
        }
    };
    fn choice<
        T: Copy + PartialEq + serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    >(
        draft: RwSignal<Household>,
        label: String,
        field: &'static str,
        options: Vec<(T, String)>,
        get: fn(&Household) -> T,
        set: fn(&mut Household, T),
    ) -> impl IntoView {
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

    let heading = if id.is_some() {
        t_string!(i18n, hh_title).to_string()
    } else {
        t_string!(i18n, hh_title_new).to_string()
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
        <form class="household" on:submit=save novalidate>
            <fieldset>
                <legend>{t!(i18n, hh_section_home)}</legend>
                <div class="field">
                    <label for="f-building">{t!(i18n, f_building)}</label>
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
                    <label for="f-unit">{t!(i18n, f_unit)}</label>
                    <input id="f-unit" type="number" min="1" max=move || unit_max().to_string()
                        prop:value=move || draft.with(|h| h.unit.to_string())
                        aria-invalid=move || has_error("unit")().to_string()
                        on:input=move |ev| draft.update(|h| h.unit = event_target_value(&ev).parse().unwrap_or(0))/>
                    {error_for("unit")}
                </div>
                {text(t_string!(i18n, f_room).to_string(), "room", |h| h.room.clone(), |h, v| h.room = v)}
                {choice(draft, t_string!(i18n, f_tenure).to_string(), "tenure",
                    [Tenure::Owner, Tenure::Tenant, Tenure::PublicRental].into_iter().map(|v| (v, labels::tenure(i18n, v))).collect(),
                    |h| h.tenure, |h, v| h.tenure = v)}
                <div class="field">
                    <label for="f-group">{t!(i18n, f_group)}</label>
                    <select id="f-group" on:change=move |ev| draft.update(|h| h.group = event_target_value(&ev))>
                        <option value="" selected=move || draft.with(|h| h.group.is_empty())>"—"</option>
                        {linli_domain::demo::GROUPS.iter().map(|g| view! {
                            <option value=*g selected=move || draft.with(|h| h.group == *g)>{labels::group(i18n, g)}</option>
                        }).collect_view()}
                    </select>
                </div>
            </fieldset>

            <fieldset>
                <legend>{t!(i18n, hh_section_situation)}</legend>
                {choice(draft, t_string!(i18n, f_income).to_string(), "income_band",
                    [IncomeBand::Low, IncomeBand::LowerMiddle, IncomeBand::Middle, IncomeBand::Upper].into_iter().map(|v| (v, labels::income(i18n, v))).collect(),
                    |h| h.income_band, |h, v| h.income_band = v)}
                {choice(draft, t_string!(i18n, f_subsistence).to_string(), "subsistence",
                    [Subsistence::None, Subsistence::Dibao, Subsistence::Dibian].into_iter().map(|v| (v, labels::subsistence(i18n, v))).collect(),
                    |h| h.subsistence, |h, v| h.subsistence = v)}
                {choice(draft, t_string!(i18n, f_housing).to_string(), "housing",
                    [HousingCondition::Good, HousingCondition::Fair, HousingCondition::Poor].into_iter().map(|v| (v, labels::housing(i18n, v))).collect(),
                    |h| h.housing, |h, v| h.housing = v)}
                {choice(draft, t_string!(i18n, f_willingness).to_string(), "willingness",
                    [Willingness::None, Willingness::Low, Willingness::Medium, Willingness::High].into_iter().map(|v| (v, labels::willingness(i18n, v))).collect(),
                    |h| h.willingness, |h, v| h.willingness = v)}
                {text(t_string!(i18n, f_skills).to_string(), "skills", |h| h.skills.join("，"),
                    |h, v| h.skills = v.split([',', '，', ';', '；']).map(|s| s.trim().to_owned()).collect())}
            </fieldset>

            <fieldset>
                <legend>{t!(i18n, hh_section_needs)}</legend>
                {move || {
                    let n = draft.with(|h| h.needs.len());
                    (0..n).map(|i| {
                        let cats = cats_for_needs.clone();
                        let field = format!("needs.{i}");
                        view! {
                            <div class="row-fields">
                                <label>{t!(i18n, f_need_category)}
                                    <select on:change=move |ev| { let v = event_target_value(&ev); draft.update(|h| if let Some(n) = h.needs.get_mut(i) { n.category = v; }); }>
                                        {cats.iter().map(|c| {
                                            let code = c.code.clone();
                                            let code2 = c.code.clone();
                                            let name = labels::category(i18n, &cats, &c.code);
                                            view! { <option value=code selected=move || draft.with(|h| h.needs.get(i).is_some_and(|n| n.category == code2))>{name}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label>{t!(i18n, f_urgency)}
                                    <select on:change=move |ev| { if let Some(u) = parse_code::<Urgency>(&event_target_value(&ev)) { draft.update(|h| if let Some(n) = h.needs.get_mut(i) { n.urgency = u; }); } }>
                                        {[Urgency::Low, Urgency::Medium, Urgency::High].into_iter().map(|u| view! {
                                            <option value=code(&u) selected=move || draft.with(|h| h.needs.get(i).is_some_and(|n| n.urgency == u))>{labels::urgency(i18n, u)}</option>
                                        }).collect_view()}
                                    </select>
                                </label>
                                <button type="button" on:click=move |_| draft.update(|h| { if i < h.needs.len() { h.needs.remove(i); } })>{t!(i18n, remove)}</button>
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
                }>{t!(i18n, add_need)}</button>
            </fieldset>

            <fieldset>
                <legend>{t!(i18n, hh_section_contact)}</legend>
                {text(t_string!(i18n, f_contact_name).to_string(), "contact_name", |h| h.contact_name.clone(), |h, v| h.contact_name = v)}
                {text(t_string!(i18n, f_contact_phone).to_string(), "contact_phone", |h| h.contact_phone.clone(), |h, v| h.contact_phone = v)}
                <div class="field check">
                    <input id="f-lives-alone" type="checkbox" prop:checked=move || draft.with(|h| h.lives_alone)
                        on:change=move |ev| draft.update(|h| h.lives_alone = event_target_checked(&ev))/>
                    <label for="f-lives-alone">{t!(i18n, f_lives_alone)}</label>
                    {error_for("lives_alone")}
                </div>
                <div class="field">
                    <label for="f-notes">{t!(i18n, f_notes)}</label>
                    <textarea id="f-notes" rows="3" prop:value=move || draft.with(|h| h.notes.clone())
                        on:input=move |ev| draft.update(|h| h.notes = event_target_value(&ev))></textarea>
                    {error_for("notes")}
                </div>
            </fieldset>

            <fieldset>
                <legend>{t!(i18n, hh_section_members)}</legend>
                {error_for("members")}
                {move || {
                    let n = draft.with(|h| h.members.len());
                    (0..n).map(|i| member_row(draft, i, errors)).collect_view()
                }}
                <button type="button" on:click=move |_| draft.update(|h| h.members.push(blank_member()))>{t!(i18n, add_member)}</button>
            </fieldset>

            <div class="actions sticky">
                <button type="submit" class="primary" data-testid="save"
                    disabled=move || matches!(state.get(), SaveState::Saving)>{t!(i18n, save)}</button>
                {id.is_some().then(|| view! {
                    <button type="button" class="danger" on:click=move |_| confirm_delete.set(true)>{t!(i18n, delete_household)}</button>
                })}
                <span aria-live="polite">{move || match state.get() {
                    SaveState::Idle => ().into_any(),
                    SaveState::Saving => view! { <span role="status">{t!(i18n, saving)}</span> }.into_any(),
                    SaveState::Saved => view! { <span class="ok" role="status" data-testid="saved">{t!(i18n, saved)}</span> }.into_any(),
                    SaveState::Invalid => view! { <span class="error" role="alert" data-testid="invalid">{t!(i18n, fix_errors)}</span> }.into_any(),
                    SaveState::Failed(e) => view! { <span class="error" role="alert">{t!(i18n, status_error)}<code>{e}</code></span> }.into_any(),
                }}</span>
            </div>
            {move || confirm_delete.get().then(|| view! {
                <div class="confirm" role="alertdialog" aria-labelledby="del-q">
                    <p id="del-q">{t!(i18n, confirm_delete)}</p>
                    <button type="button" class="danger" on:click=do_delete data-testid="confirm-delete">{t!(i18n, confirm)}</button>
                    <button type="button" on:click=move |_| confirm_delete.set(false)>{t!(i18n, backup_cancel)}</button>
                </div>
            })}
        </form>

        {id.is_some().then(|| view! {
            <section aria-labelledby="hist-h">
                <h2 id="hist-h">{t!(i18n, hh_section_history)}</h2>
                {if history.is_empty() {
                    view! { <p class="empty">{t!(i18n, history_empty)}</p> }.into_any()
                } else {
                    view! {
                        <table class="counts history" data-testid="history">
                            <thead><tr><th scope="col">{t!(i18n, history_when)}</th><th scope="col">{t!(i18n, history_who)}</th><th scope="col">{t!(i18n, history_what)}</th></tr></thead>
                            <tbody>{history.iter().map(|e| view! {
                                <tr><td>{local_minute(e.at)}</td><td>{e.actor.clone()}</td><td>{format!("{} {}", e.action, e.summary)}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        })}
    }
}

/// The message for `field`, if validation found a problem there.
fn field_error_view(
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

fn member_row(draft: RwSignal<Household>, i: usize, errors: RwSignal<Vec<FieldError>>) -> impl IntoView {
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
        <div class="member" role="group" aria-label=move || format!("{} {}", t_string!(i18n, member_n), i + 1)>
            <label>{t!(i18n, f_name)}
                <input type="text" prop:value=get(|m| m.name.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); upd(Box::new(move |m| m.name = v.clone())) }/>
                {err("name")}
            </label>
            <label>{t!(i18n, f_birth_year)}
                <input type="number" min="1900" max="2100" prop:value=get(|m| m.birth_year.to_string())
                    on:input=move |ev| { let v = event_target_value(&ev).parse().unwrap_or(0); upd(Box::new(move |m| m.birth_year = v)) }/>
                {err("birth_year")}
            </label>
            <label>{t!(i18n, f_sex)}
                <select on:change=move |ev| { if let Some(v) = parse_code::<Sex>(&event_target_value(&ev)) { upd(Box::new(move |m| m.sex = v)) } }>
                    {[Sex::Female, Sex::Male].into_iter().map(|v| view! {
                        <option value=code(&v) selected=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.sex == v))>{labels::sex(i18n, v)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, f_employment)}
                <select on:change=move |ev| { if let Some(v) = parse_code::<Employment>(&event_target_value(&ev)) { upd(Box::new(move |m| m.employment = v)) } }>
                    {[Employment::Employed, Employment::Unemployed, Employment::Retired, Employment::Student, Employment::NotApplicable].into_iter().map(|v| view! {
                        <option value=code(&v) selected=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.employment == v))>{labels::employment(i18n, v)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, f_school)}
                <select on:change=move |ev| { let v = parse_code::<SchoolStage>(&event_target_value(&ev)); upd(Box::new(move |m| m.school_stage = v)) }>
                    <option value="" selected=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.school_stage.is_none()))>{labels::school(i18n, None)}</option>
                    {[SchoolStage::Infant, SchoolStage::Preschool, SchoolStage::Primary, SchoolStage::Secondary].into_iter().map(|v| view! {
                        <option value=code(&v) selected=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.school_stage == Some(v)))>{labels::school(i18n, Some(v))}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, f_disability)}
                <select on:change=move |ev| { let v = event_target_value(&ev).parse::<u8>().ok(); upd(Box::new(move |m| m.disability_grade = v)) }>
                    <option value="" selected=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.disability_grade.is_none()))>{t!(i18n, disability_none)}</option>
                    {(1u8..=4).map(|g| view! {
                        <option value=g.to_string() selected=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.disability_grade == Some(g)))>{g}</option>
                    }).collect_view()}
                </select>
                {err("disability_grade")}
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.chronic_illness))
                    on:change=move |ev| { let v = event_target_checked(&ev); upd(Box::new(move |m| m.chronic_illness = v)) }/>
                {t!(i18n, f_chronic)}
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || draft.with(|h| h.members.get(i).is_some_and(|m| m.dementia))
                    on:change=move |ev| { let v = event_target_checked(&ev); upd(Box::new(move |m| m.dementia = v)) }/>
                {t!(i18n, f_dementia)}
            </label>
            <button type="button" on:click=move |_| draft.update(|h| { if i < h.members.len() { h.members.remove(i); } })>{t!(i18n, remove)}</button>
        </div>
    }
}
