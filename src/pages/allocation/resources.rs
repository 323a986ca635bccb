//! The period's resources (money in yuan, exact to the fen; service slots; room hours):
//! a table with edit and delete, and a form that validates every field next to it.
//! Each save or delete is one transaction with its audit entry; "saved" is shown only
//! after it completed.

use leptos::prelude::*;
use leptos::task::spawn_local;
use linli_domain::alloc::{kind_code, Period, KINDS, MAX_AMOUNT};
use linli_domain::model::{NeedCategory, Resource, ResourceKind};
use linli_domain::money::parse_yuan;

use super::format::{amount_text, kind_label, Ctx};
use super::{open_db, written, Current};
use crate::components::labels::{self, is_zh};
use crate::components::money::money_error;
use crate::components::WriteGuard;
use crate::i18n::*;
use crate::state::use_storage;

/// The `YYYY-Qn` of today.
fn this_quarter() -> String {
    let d = js_sys::Date::new_0();
    format!("{:04}-Q{}", d.get_full_year(), d.get_month() / 3 + 1)
}

fn kind_of(code: &str) -> ResourceKind {
    KINDS
        .into_iter()
        .find(|k| kind_code(*k) == code)
        .unwrap_or(ResourceKind::Money)
}

/// The amount as typed in the form: yuan for money, the integer otherwise.
fn amount_input(kind: ResourceKind, q: i64) -> String {
    match kind {
        ResourceKind::Money => linli_domain::alloc::export::yuan_plain(q),
        _ => q.to_string(),
    }
}

/// Parses the amount field: `Err` is the message shown next to it.
fn parse_amount(i18n: Ctx, kind: ResourceKind, text: &str) -> Result<i64, String> {
    let v = match kind {
        ResourceKind::Money => parse_yuan(text).map_err(|e| money_error(i18n, e))?,
        _ => {
            let t = text.trim();
            if t.is_empty() {
                return Err(t_string!(i18n, allocation.enter_a_quantity).to_owned());
            }
            if t.starts_with('-') {
                return Err(t_string!(i18n, allocation.the_quantity_cannot_be_negative).to_owned());
            }
            if !t.bytes().all(|b| b.is_ascii_digit()) || t.len() > 14 {
                return Err(t_string!(i18n, allocation.the_quantity_must_be_a_whole).to_owned());
            }
            t.parse::<i64>()
                .map_err(|_| t_string!(i18n, allocation.the_quantity_is_too_large).to_owned())?
        }
    };
    if v == 0 {
        return Err(t_string!(i18n, allocation.the_amount_must_be_more_than_0).to_owned());
    }
    if v > MAX_AMOUNT {
        return Err(t_string!(i18n, allocation.amount_too_large).to_owned());
    }
    Ok(v)
}

/// What the editor shows: the period's resources and the categories.
#[derive(Debug, Clone, PartialEq)]
struct View {
    period: Option<String>,
    resources: Vec<Resource>,
    categories: Vec<NeedCategory>,
}

/// The resources of the selected period and the add/edit form.
#[component]
pub fn ResourcesEditor(
    current: Current,
    period: Memo<Option<String>>,
    /// Set to a resource's period after it is saved, so that the period is shown.
    chosen: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = crate::state::use_session();
    let storage = use_storage();
    let view_data = Memo::new(move |_| {
        current.get().map(|d| {
            let p = period.get();
            View {
                resources: p.as_deref().map(|p| d.resources_of(p)).unwrap_or_default(),
                period: p,
                categories: d.category_list(),
            }
        })
    });
    let categories = Memo::new(move |_| view_data.get().map(|v| v.categories).unwrap_or_default());

    // The form.
    let editing = RwSignal::new(None::<u32>);
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new("money".to_owned());
    let category = RwSignal::new(String::new());
    let form_period = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let message = RwSignal::new(None::<Result<String, String>>);
    let confirm = RwSignal::new(None::<u32>);

    let reset = move || {
        editing.set(None);
        name.set(String::new());
        amount.set(String::new());
        errors.set(Vec::new());
        form_period.set(period.get_untracked().unwrap_or_else(this_quarter));
        if category.get_untracked().is_empty() {
            category
                .set(categories.with_untracked(|c| c.first().map(|c| c.code.clone()).unwrap_or_default()));
        }
    };
    // The form follows the selected period (unless a resource is being edited).
    Effect::new(move |_| {
        let p = period.get();
        let cats = categories.get();
        if editing.get_untracked().is_none() {
            form_period.set(p.unwrap_or_else(this_quarter));
        }
        if category.get_untracked().is_empty() {
            category.set(cats.first().map(|c| c.code.clone()).unwrap_or_default());
        }
    });

    let start_edit = move |r: Resource| {
        editing.set(Some(r.id));
        name.set(r.name.clone());
        kind.set(kind_code(r.kind).to_owned());
        category.set(r.category.clone());
        form_period.set(r.period.clone());
        amount.set(amount_input(r.kind, r.quantity));
        errors.set(Vec::new());
        message.set(None);
        if let Some(el) = document().get_element_by_id("res-name") {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        message.set(None);
        let mut errs = Vec::new();
        let n = name.get_untracked().trim().to_owned();
        if n.is_empty() {
            errs.push(("name", t_string!(i18n, allocation.enter_a_name).to_owned()));
        } else if n.chars().count() > 60 {
            errs.push((
                "name",
                t_string!(i18n, allocation.at_most_60_characters).to_owned(),
            ));
        }
        let k = kind_of(&kind.get_untracked());
        let q = match parse_amount(i18n, k, &amount.get_untracked()) {
            Ok(q) => q,
            Err(m) => {
                errs.push(("amount", m));
                0
            }
        };
        let p = form_period.get_untracked().trim().to_owned();
        let p = match Period::parse(&p) {
            Ok(p) => p.to_string(),
            Err(_) => {
                errs.push((
                    "period",
                    t_string!(i18n, allocation.a_period_is_yyyy_qn_e_g_2026_q3).to_owned(),
                ));
                String::new()
            }
        };
        let c = category.get_untracked();
        if !categories.with_untracked(|cs| cs.iter().any(|x| x.code == c)) {
            errs.push((
                "category",
                t_string!(i18n, allocation.choose_a_need_category).to_owned(),
            ));
        }
        errors.set(errs.clone());
        if !errs.is_empty() {
            return;
        }
        let id = editing.get_untracked();
        let actor = session.actor();
        spawn_local(async move {
            let draft = Resource {
                id: id.unwrap_or(0),
                name: n,
                kind: k,
                category: c,
                period: p,
                quantity: q,
            };
            let result = match open_db(storage) {
                Ok(db) => written(storage, db.save_resource(draft, id.is_none(), actor).await),
                Err(e) => Err(e),
            };
            match result {
                Ok(r) => {
                    chosen.set(Some(r.period.clone()));
                    reset();
                    message.set(Some(Ok(format!(
                        "{}{}",
                        t_string!(i18n, allocation.saved_prefix),
                        r.name
                    ))));
                }
                Err(e) => message.set(Some(Err(crate::components::db_error::plain(i18n, &e)))),
            }
        });
    };

    let on_delete = move |r: Resource| {
        let actor = session.actor();
        spawn_local(async move {
            let id = r.id;
            let result = match open_db(storage) {
                Ok(db) => written(storage, db.delete_resource(&r, actor).await),
                Err(e) => Err(e),
            };
            confirm.set(None);
            match result {
                Ok(()) => {
                    if editing.get_untracked() == Some(id) {
                        reset();
                    }
                    message.set(Some(Ok(format!(
                        "{}{}",
                        t_string!(i18n, allocation.deleted_prefix),
                        r.name
                    ))));
                }
                Err(e) => message.set(Some(Err(crate::components::db_error::plain(i18n, &e)))),
            }
        });
    };

    let err = move |field: &'static str| {
        move || {
            errors
                .get()
                .into_iter()
                .find(|(f, _)| *f == field)
                .map(|(_, m)| view! { <p class="field-error" role="alert" data-testid=format!("res-error-{field}")>{m}</p> })
        }
    };
    let invalid =
        move |field: &'static str| move || errors.with(|es| es.iter().any(|(f, _)| *f == field)).to_string();

    let table = move || {
        let Some(v) = view_data.get() else {
            return ().into_any();
        };
        if v.resources.is_empty() {
            return view! { <p class="empty">{t!(i18n, allocation.no_resources_in_this_period)}</p> }
                .into_any();
        }
        let cats = v.categories.clone();
        let totals: Vec<(ResourceKind, i64)> = KINDS
            .into_iter()
            .filter_map(|k| {
                let list: Vec<i64> = v
                    .resources
                    .iter()
                    .filter(|r| r.kind == k)
                    .map(|r| r.quantity)
                    .collect();
                (!list.is_empty()).then(|| (k, list.iter().sum()))
            })
            .collect();
        let rows = v
            .resources
            .into_iter()
            .map(|r| {
                let cats = cats.clone();
                let code = r.category.clone();
                let (r1, r2, r3) = (r.clone(), r.clone(), r.clone());
                let id = r.id;
                view! {
                    <tr data-testid="res-row" data-id=r.id>
                        <td>{r.name.clone()}</td>
                        <td>{move || kind_label(i18n, r.kind)}</td>
                        <td>{move || labels::category(i18n, &cats, &code)}</td>
                        <td class="num">{move || amount_text(i18n, r.kind, r.quantity)}</td>
                        <td class="row-actions">
                            {move || if confirm.get() == Some(id) {
                                let r2 = r2.clone();
                                view! {
                                    <WriteGuard><span class="confirm" role="group">
                                        <button type="button" class="danger" data-testid="res-delete-confirm" on:click=move |_| on_delete(r2.clone())>{t!(i18n, allocation.delete_confirm)}</button>
                                        <button type="button" on:click=move |_| confirm.set(None)>{t!(i18n, allocation.cancel)}</button>
                                    </span></WriteGuard>
                                }.into_any()
                            } else {
                                let (r1, r3) = (r1.clone(), r3.clone());
                                let (n1, n3) = (r1.name.clone(), r3.name.clone());
                                view! {
                                    <button type="button" class="link" data-testid="res-edit" on:click=move |_| start_edit(r1.clone())
                                        aria-label=move || format!("{} {}", t_string!(i18n, allocation.edit), n1)>{t!(i18n, allocation.edit)}</button>
                                    " "
                                    <button type="button" class="link" data-testid="res-delete" on:click=move |_| confirm.set(Some(id))
                                        aria-label=move || format!("{} {}", t_string!(i18n, allocation.delete), n3)>{t!(i18n, allocation.delete)}</button>
                                }.into_any()
                            }}
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-scroll">
                <table class="agg alloc-resources" data-testid="res-table">
                    <thead><tr>
                        <th scope="col">{t!(i18n, allocation.name)}</th>
                        <th scope="col">{t!(i18n, allocation.kind)}</th>
                        <th scope="col">{t!(i18n, allocation.category)}</th>
                        <th scope="col" class="num">{t!(i18n, allocation.amount)}</th>
                        <th scope="col"><span class="sr-only">{t!(i18n, allocation.actions)}</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                    <tfoot>
                        {totals.into_iter().map(|(k, t)| view! {
                            <tr data-testid="res-total" data-kind=kind_code(k)>
                                <th scope="row" colspan="3">{move || format!("{}{}", kind_label(i18n, k), t_string!(i18n, allocation.kind_total_suffix))}</th>
                                <td class="num">{move || amount_text(i18n, k, t)}</td>
                                <td></td>
                            </tr>
                        }).collect_view()}
                    </tfoot>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <section class="card" aria-labelledby="alloc-res-h">
            <h2 id="alloc-res-h">{t!(i18n, allocation.resources_of_the_period)}</h2>
            {table}
            <WriteGuard><form class="res-form" on:submit=on_submit novalidate data-testid="res-form">
                <h3>{move || if editing.get().is_some() { t_string!(i18n, allocation.edit_resource) } else { t_string!(i18n, allocation.add_a_resource) }}</h3>
                <div class="row-fields">
                    <div class="field"><label for="res-name">{t!(i18n, allocation.name)}</label>
                        <input id="res-name" type="text" maxlength="60" data-testid="res-name" aria-invalid=invalid("name")
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                        {err("name")}</div>
                    <div class="field"><label for="res-kind">{t!(i18n, allocation.kind)}</label>
                        <select id="res-kind" data-testid="res-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                            {KINDS.into_iter().map(|k| view! { <option value=kind_code(k)>{move || kind_label(i18n, k)}</option> }).collect_view()}
                        </select></div>
                    <div class="field"><label for="res-cat">{t!(i18n, allocation.need_category)}</label>
                        <select id="res-cat" data-testid="res-category" aria-invalid=invalid("category") prop:value=move || category.get()
                            on:change=move |ev| category.set(event_target_value(&ev))>
                            {move || categories.get().into_iter().map(|c| {
                                let (zh, en) = (c.name_zh.clone(), c.name_en.clone());
                                view! { <option value=c.code.clone()>{move || if is_zh(i18n) { zh.clone() } else { en.clone() }}</option> }
                            }).collect_view()}
                        </select>
                        {err("category")}</div>
                    <div class="field"><label for="res-period">{t!(i18n, allocation.period_yyyy_qn)}</label>
                        <input id="res-period" type="text" data-testid="res-period" aria-invalid=invalid("period") placeholder="2026-Q3"
                            prop:value=move || form_period.get() on:input=move |ev| form_period.set(event_target_value(&ev))/>
                        {err("period")}</div>
                    <div class="field"><label for="res-amount">{move || match kind_of(&kind.get()) {
                            ResourceKind::Money => t_string!(i18n, allocation.amount_yuan),
                            ResourceKind::Slots => t_string!(i18n, allocation.amount_slots),
                            ResourceKind::RoomHours => t_string!(i18n, allocation.amount_hours),
                        }}</label>
                        <input id="res-amount" type="text" inputmode="decimal" data-testid="res-amount" aria-invalid=invalid("amount")
                            prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev))/>
                        {err("amount")}</div>
                </div>
                <div class="actions">
                    <button type="submit" class="primary" data-testid="res-save">{move || if editing.get().is_some() { t_string!(i18n, allocation.save_changes) } else { t_string!(i18n, allocation.add_resource) }}</button>
                    {move || editing.get().is_some().then(|| view! { <button type="button" on:click=move |_| { reset(); message.set(None); }>{t!(i18n, allocation.cancel_editing)}</button> })}
                    {move || match message.get() {
                        Some(Ok(m)) => view! { <span class="ok" role="status" data-testid="res-saved">{m}</span> }.into_any(),
                        Some(Err(m)) => view! { <span class="error" role="alert">{m}</span> }.into_any(),
                        None => ().into_any(),
                    }}
                </div>
                <p class="muted small">{t!(i18n, allocation.money_is_typed_in_yuan_and_kept)}</p>
            </form></WriteGuard>
        </section>
    }
}
