//! The period's resources (money in yuan, exact to the fen; service slots; room hours):
//! a table with edit and delete, and a form that validates every field next to it.
//! Each save or delete is one transaction with its audit entry; "saved" is shown only
//! after it completed.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use linli_domain::alloc::{kind_code, Period, KINDS, MAX_AMOUNT};
use linli_domain::model::{NeedCategory, Resource, ResourceKind};
use linli_domain::money::{parse_yuan, MoneyError};

use crate::components::alloc_results::{amount_text, kind_label};
use crate::components::labels::{self, is_zh};
use crate::i18n::*;
use crate::pages::allocation::{audit, save, tr, Shared};
use crate::state::use_storage;

type Ctx = I18nContext<Locale>;

/// The `YYYY-Qn` of today.
fn this_quarter() -> String {
    let d = js_sys::Date::new_0();
    format!("{:04}-Q{}", d.get_full_year(), d.get_month() / 3 + 1)
}

fn money_error(i18n: Ctx, e: MoneyError) -> String {
    match e {
        MoneyError::Empty => tr(i18n, "请填写金额（元）", "Enter an amount in yuan"),
        MoneyError::NotANumber => tr(
            i18n,
            "金额只能是数字，例如 1200 或 1200.50",
            "The amount must be a number, e.g. 1200 or 1200.50",
        ),
        MoneyError::TooPrecise => tr(
            i18n,
            "金额最多两位小数（最小单位：分）",
            "At most 2 decimals (the smallest unit is 1 fen)",
        ),
        MoneyError::Negative => tr(i18n, "金额不能为负", "The amount cannot be negative"),
        MoneyError::TooLarge => tr(i18n, "金额过大", "The amount is too large"),
    }
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
                return Err(tr(i18n, "请填写数量", "Enter a quantity"));
            }
            if t.starts_with('-') {
                return Err(tr(i18n, "数量不能为负", "The quantity cannot be negative"));
            }
            if !t.bytes().all(|b| b.is_ascii_digit()) || t.len() > 14 {
                return Err(tr(
                    i18n,
                    "数量只能是整数，例如 40",
                    "The quantity must be a whole number, e.g. 40",
                ));
            }
            t.parse::<i64>()
                .map_err(|_| tr(i18n, "数量过大", "The quantity is too large"))?
        }
    };
    if v == 0 {
        return Err(tr(i18n, "数量必须大于 0", "The amount must be more than 0"));
    }
    if v > MAX_AMOUNT {
        return Err(tr(i18n, "数量过大", "The amount is too large"));
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
    current: Memo<Option<Shared>>,
    period: Memo<Option<String>>,
    /// Set to a resource's period after it is saved, so that the period is shown.
    chosen: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let view_data = Memo::new(move |_| {
        current.get().map(|Shared(d)| {
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
            errs.push(("name", tr(i18n, "请填写资源名称", "Enter a name")));
        } else if n.chars().count() > 60 {
            errs.push(("name", tr(i18n, "名称最多 60 个字", "At most 60 characters")));
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
                    tr(
                        i18n,
                        "期次格式为 年-季度，例如 2026-Q3",
                        "A period is YYYY-Qn, e.g. 2026-Q3",
                    ),
                ));
                String::new()
            }
        };
        let c = category.get_untracked();
        if !categories.with_untracked(|cs| cs.iter().any(|x| x.code == c)) {
            errs.push(("category", tr(i18n, "请选择需求类别", "Choose a need category")));
        }
        errors.set(errs.clone());
        if !errs.is_empty() {
            return;
        }
        let id = editing.get_untracked();
        let actor = t_string!(i18n, actor_default).to_string();
        spawn_local(async move {
            let result = async {
                let db = storage.db().ok_or(crate::db::DbError::Unavailable)?;
                let id = match id {
                    Some(id) => id,
                    None => db.max_key("resources").await? + 1,
                };
                let r = Resource {
                    id,
                    name: n,
                    kind: k,
                    category: c,
                    period: p,
                    quantity: q,
                };
                let action = if editing.get_untracked().is_some() {
                    "update"
                } else {
                    "create"
                };
                let summary = format!(
                    "resource {}: {} {} {} {} {}",
                    r.id,
                    r.name,
                    kind_code(r.kind),
                    r.quantity,
                    r.category,
                    r.period
                );
                let saved = r.clone();
                save(storage, |b, audit_id| {
                    b.put("resources", &r)?;
                    b.add(
                        "audit_log",
                        &audit(audit_id, "resources", r.id, action, summary, actor),
                    )?;
                    Ok(())
                })
                .await
                .map(|()| saved)
            }
            .await;
            match result {
                Ok(r) => {
                    chosen.set(Some(r.period.clone()));
                    reset();
                    message.set(Some(Ok(format!("{}{}", tr(i18n, "已保存：", "Saved: "), r.name))));
                }
                Err(e) => message.set(Some(Err(e.to_string()))),
            }
        });
    };

    let on_delete = move |r: Resource| {
        let actor = t_string!(i18n, actor_default).to_string();
        spawn_local(async move {
            let summary = format!("resource {}: {} deleted", r.id, r.name);
            let id = r.id;
            let result = save(storage, |b, audit_id| {
                b.delete("resources", id);
                b.add(
                    "audit_log",
                    &audit(audit_id, "resources", id, "delete", summary, actor),
                )?;
                Ok(())
            })
            .await;
            confirm.set(None);
            match result {
                Ok(()) => {
                    if editing.get_untracked() == Some(id) {
                        reset();
                    }
                    message.set(Some(Ok(format!(
                        "{}{}",
                        tr(i18n, "已删除：", "Deleted: "),
                        r.name
                    ))));
                }
                Err(e) => message.set(Some(Err(e.to_string()))),
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
            return view! { <p class="empty">{move || tr(i18n, "本期还没有资源。", "No resources in this period.")}</p> }.into_any();
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
                                    <span class="confirm" role="group">
                                        <button type="button" class="danger" data-testid="res-delete-confirm" on:click=move |_| on_delete(r2.clone())>{move || tr(i18n, "确认删除", "Delete")}</button>
                                        <button type="button" on:click=move |_| confirm.set(None)>{move || tr(i18n, "取消", "Cancel")}</button>
                                    </span>
                                }.into_any()
                            } else {
                                let (r1, r3) = (r1.clone(), r3.clone());
                                let (n1, n3) = (r1.name.clone(), r3.name.clone());
                                view! {
                                    <button type="button" class="link" data-testid="res-edit" on:click=move |_| start_edit(r1.clone())
                                        aria-label=move || format!("{} {}", tr(i18n, "编辑", "Edit"), n1)>{move || tr(i18n, "编辑", "Edit")}</button>
                                    " "
                                    <button type="button" class="link" data-testid="res-delete" on:click=move |_| confirm.set(Some(id))
                                        aria-label=move || format!("{} {}", tr(i18n, "删除", "Delete"), n3)>{move || tr(i18n, "删除", "Delete")}</button>
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
                        <th scope="col">{move || tr(i18n, "名称", "Name")}</th>
                        <th scope="col">{move || tr(i18n, "类型", "Kind")}</th>
                        <th scope="col">{move || tr(i18n, "需求类别", "Category")}</th>
                        <th scope="col" class="num">{move || tr(i18n, "数量", "Amount")}</th>
                        <th scope="col"><span class="sr-only">{move || tr(i18n, "操作", "Actions")}</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                    <tfoot>
                        {totals.into_iter().map(|(k, t)| view! {
                            <tr data-testid="res-total" data-kind=kind_code(k)>
                                <th scope="row" colspan="3">{move || format!("{}{}", kind_label(i18n, k), tr(i18n, "合计", " total"))}</th>
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
            <h2 id="alloc-res-h">{move || tr(i18n, "本期资源", "Resources of the period")}</h2>
            {table}
            <form class="res-form" on:submit=on_submit novalidate data-testid="res-form">
                <h3>{move || if editing.get().is_some() { tr(i18n, "编辑资源", "Edit resource") } else { tr(i18n, "登记资源", "Add a resource") }}</h3>
                <div class="row-fields">
                    <div class="field"><label for="res-name">{move || tr(i18n, "名称", "Name")}</label>
                        <input id="res-name" type="text" maxlength="60" data-testid="res-name" aria-invalid=invalid("name")
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                        {err("name")}</div>
                    <div class="field"><label for="res-kind">{move || tr(i18n, "类型", "Kind")}</label>
                        <select id="res-kind" data-testid="res-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                            {KINDS.into_iter().map(|k| view! { <option value=kind_code(k)>{move || kind_label(i18n, k)}</option> }).collect_view()}
                        </select></div>
                    <div class="field"><label for="res-cat">{move || tr(i18n, "需求类别", "Need category")}</label>
                        <select id="res-cat" data-testid="res-category" aria-invalid=invalid("category") prop:value=move || category.get()
                            on:change=move |ev| category.set(event_target_value(&ev))>
                            {move || categories.get().into_iter().map(|c| {
                                let (zh, en) = (c.name_zh.clone(), c.name_en.clone());
                                view! { <option value=c.code.clone()>{move || if is_zh(i18n) { zh.clone() } else { en.clone() }}</option> }
                            }).collect_view()}
                        </select>
                        {err("category")}</div>
                    <div class="field"><label for="res-period">{move || tr(i18n, "期次（年-季度）", "Period (YYYY-Qn)")}</label>
                        <input id="res-period" type="text" data-testid="res-period" aria-invalid=invalid("period") placeholder="2026-Q3"
                            prop:value=move || form_period.get() on:input=move |ev| form_period.set(event_target_value(&ev))/>
                        {err("period")}</div>
                    <div class="field"><label for="res-amount">{move || match kind_of(&kind.get()) {
                            ResourceKind::Money => tr(i18n, "金额（元）", "Amount (yuan)"),
                            ResourceKind::Slots => tr(i18n, "名额（个）", "Slots"),
                            ResourceKind::RoomHours => tr(i18n, "时长（小时）", "Hours"),
                        }}</label>
                        <input id="res-amount" type="text" inputmode="decimal" data-testid="res-amount" aria-invalid=invalid("amount")
                            prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev))/>
                        {err("amount")}</div>
                </div>
                <div class="actions">
                    <button type="submit" class="primary" data-testid="res-save">{move || if editing.get().is_some() { tr(i18n, "保存修改", "Save changes") } else { tr(i18n, "添加资源", "Add resource") }}</button>
                    {move || editing.get().is_some().then(|| view! { <button type="button" on:click=move |_| { reset(); message.set(None); }>{move || tr(i18n, "取消编辑", "Cancel editing")}</button> })}
                    {move || match message.get() {
                        Some(Ok(m)) => view! { <span class="ok" role="status" data-testid="res-saved">{m}</span> }.into_any(),
                        Some(Err(m)) => view! { <span class="error" role="alert">{t!(i18n, status_error)}<code>{m}</code></span> }.into_any(),
                        None => ().into_any(),
                    }}
                </div>
                <p class="muted small">{move || tr(i18n, "金额按元填写，保存为整数分，精确到 0.01 元。", "Money is typed in yuan and kept as whole fen, exact to 0.01 yuan.")}</p>
            </form>
        </section>
    }
}
