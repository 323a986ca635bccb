//! `#/requests` — resident requests (诉求三色管理, SPEC §2.7) and the warnings of
//! SPEC §2.10 with their improvement items (PDCA).
//!
//! Intake computes the due time on the working-day calendar (setting
//! `work_calendar`, editable here; 2027 is provisional) and a tracking code from
//! 80 bits of `crypto.getRandomValues`. Status changes and closing are checked by
//! `linli_domain::requests::lifecycle` inside the read-write transaction that
//! writes them ([`Db::checked`]), so a request never moves backwards, even from
//! two tabs. Closing with a rating re-checks satisfaction in the same transaction
//! and opens an improvement item when it is below 85%.

use std::sync::Arc;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use linli_domain::model::{Household, NeedCategory, Request, RequestColour, RequestStatus, Setting};
use linli_domain::requests::calendar::{
    local_datetime, CalendarError, WorkCalendar, PROVISIONAL_YEARS, SETTING_KEY,
};
use linli_domain::requests::duplicates::{suggest, DuplicateRule};
use linli_domain::requests::lifecycle::{
    advance, intake, is_open, next_statuses, overdue, Intake, RequestError,
};
use linli_domain::requests::open311;
use linli_domain::requests::tracking::{CodeError, TrackingCode, RANDOM_BYTES};
use linli_domain::warnings::{
    self, advance_item, complaint_rate, items_from_json, open_for_satisfaction, ImprovementItem, PdcaError,
    PdcaStage, ITEMS_SETTING,
};
use wasm_bindgen::{JsCast, JsValue};

use crate::browser::{download, now_millis};
use crate::components::form_message::{db_fail, msg_view, say, Msg};
use crate::components::labels::{self, is_zh};
use crate::db::{Batch, Db, DbError, Read, ReadResults};
use crate::i18n::*;
use crate::pages::register::load_categories;
use crate::state::use_storage;

type Ctx = I18nContext<Locale>;

fn tr(i18n: Ctx, zh: &str, en: &str) -> String {
    if is_zh(i18n) { zh } else { en }.to_owned()
}

/// Satisfaction window: the last 90 days.
const SATISFACTION_WINDOW_MS: i64 = 90 * 86_400_000;

/// The name of a status.
pub fn status_name(i18n: Ctx, s: RequestStatus) -> String {
    let (zh, en) = match s {
        RequestStatus::Received => ("已受理", "Received"),
        RequestStatus::Assigned => ("已派单", "Assigned"),
        RequestStatus::InProgress => ("处理中", "In progress"),
        RequestStatus::Resolved => ("已解决", "Resolved"),
        RequestStatus::Closed => ("已办结", "Closed"),
        RequestStatus::Rejected => ("不予受理", "Rejected"),
        RequestStatus::Duplicate => ("重复诉求", "Duplicate"),
    };
    tr(i18n, zh, en)
}

fn status_code(s: RequestStatus) -> &'static str {
    match s {
        RequestStatus::Received => "received",
        RequestStatus::Assigned => "assigned",
        RequestStatus::InProgress => "in_progress",
        RequestStatus::Resolved => "resolved",
        RequestStatus::Closed => "closed",
        RequestStatus::Rejected => "rejected",
        RequestStatus::Duplicate => "duplicate",
    }
}

fn status_from(code: &str) -> Option<RequestStatus> {
    use RequestStatus::*;
    [
        Received, Assigned, InProgress, Resolved, Closed, Rejected, Duplicate,
    ]
    .into_iter()
    .find(|s| status_code(*s) == code)
}

/// The name of a colour with its time limit.
pub fn colour_name(i18n: Ctx, c: RequestColour) -> String {
    let (zh, en) = match c {
        RequestColour::Red => ("红色（24 小时内）", "Red (24 hours)"),
        RequestColour::Yellow => ("黄色（3 个工作日）", "Yellow (3 working days)"),
        RequestColour::Blue => ("蓝色（7 个工作日）", "Blue (7 working days)"),
    };
    tr(i18n, zh, en)
}

fn colour_class(c: RequestColour) -> &'static str {
    match c {
        RequestColour::Red => "req-dot red",
        RequestColour::Yellow => "req-dot yellow",
        RequestColour::Blue => "req-dot blue",
    }
}

fn request_error(i18n: Ctx, e: &RequestError) -> String {
    match e {
        RequestError::NoCategory => tr(i18n, "请选择类别。", "Choose a category."),
        RequestError::NoDescription => tr(i18n, "请填写诉求内容。", "Describe the request."),
        RequestError::DescriptionTooLong => {
            tr(i18n, "诉求内容不能超过 2000 字。", "At most 2,000 characters.")
        }
        RequestError::Backwards { from, to } => {
            if is_zh(i18n) {
                format!("诉求状态不能从“{}”改为“{}”（不能倒退，已办结、不予受理、重复的诉求不能再改）。未做任何更改。", status_name(i18n, *from), status_name(i18n, *to))
            } else {
                format!("A request cannot go from {} to {} (no going back; closed, rejected and duplicate are final). Nothing was changed.", status_name(i18n, *from), status_name(i18n, *to))
            }
        }
        RequestError::Same(s) => format!(
            "{}{}",
            tr(i18n, "诉求已经是：", "The request is already: "),
            status_name(i18n, *s)
        ),
        RequestError::TimeBackwards => tr(i18n, "时间早于上一条记录。", "Dated before the last change."),
        RequestError::Rating => tr(
            i18n,
            "满意度为 1–5 分，仅在办结时填写。",
            "Satisfaction is 1–5, on closing only.",
        ),
    }
}

fn code_error(i18n: Ctx, e: &CodeError) -> String {
    match e {
        CodeError::Length(n) => {
            if is_zh(i18n) {
                format!("查询码应为 17 位（不含连字符），现在是 {n} 位。")
            } else {
                format!("A tracking code has 17 characters (hyphens aside); this has {n}.")
            }
        }
        CodeError::Character { ch, pos } => {
            if is_zh(i18n) {
                format!("第 {pos} 位的“{ch}”不会出现在查询码中。")
            } else {
                format!("“{ch}” at position {pos} cannot appear in a tracking code.")
            }
        }
        CodeError::Check => tr(
            i18n,
            "校验位不符：有一位输错，或相邻两位颠倒了。请核对。",
            "The check character does not match: a character is mistyped or two are swapped.",
        ),
    }
}

fn pdca_name(i18n: Ctx, s: PdcaStage) -> String {
    let (zh, en) = match s {
        PdcaStage::Plan => ("计划（P）", "Plan"),
        PdcaStage::Do => ("执行（D）", "Do"),
        PdcaStage::Check => ("检查（C）", "Check"),
        PdcaStage::Act => ("处理（A）", "Act"),
        PdcaStage::Closed => ("已关闭", "Closed"),
    };
    tr(i18n, zh, en)
}

/// 80 random bits from the browser's `crypto.getRandomValues`.
fn random_bytes() -> Result<[u8; RANDOM_BYTES], JsValue> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))?;
    let f: js_sys::Function =
        js_sys::Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))?.dyn_into()?;
    let arr = js_sys::Uint8Array::new_with_length(RANDOM_BYTES as u32);
    f.call1(&crypto, &arr)?;
    let mut out = [0u8; RANDOM_BYTES];
    arr.copy_to(&mut out);
    Ok(out)
}

#[derive(Debug)]
struct ReqData {
    requests: Vec<Request>,
    households: u32,
    household_ids: Vec<u32>,
    categories: Vec<NeedCategory>,
    calendar: Result<WorkCalendar, CalendarError>,
    items: Result<Vec<ImprovementItem>, PdcaError>,
}

async fn load(db: Db) -> Result<ReqData, DbError> {
    let households: Vec<Household> = db.households().await?;
    let cal: Option<Setting> = db.get("settings", &JsValue::from_str(SETTING_KEY)).await?;
    let items: Option<Setting> = db.get("settings", &JsValue::from_str(ITEMS_SETTING)).await?;
    Ok(ReqData {
        requests: db.get_all("requests").await?,
        households: households.len() as u32,
        household_ids: households.iter().map(|h| h.id).collect(),
        categories: load_categories(&db).await?,
        calendar: cal.map_or_else(
            || Ok(WorkCalendar::default()),
            |s| WorkCalendar::from_json(&s.value),
        ),
        items: items_from_json(&items.map(|s| s.value).unwrap_or_default()),
    })
}

fn calendar_in(res: &ReadResults, i: usize) -> Result<WorkCalendar, DbError> {
    match res.record::<Setting>(i)? {
        None => Ok(WorkCalendar::default()),
        Some(s) => WorkCalendar::from_json(&s.value).map_err(|e| DbError::Decode {
            store: "settings/work_calendar".to_owned(),
            reason: e.to_string(),
        }),
    }
}

fn items_in(res: &ReadResults, i: usize) -> Result<Vec<ImprovementItem>, DbError> {
    let text = res.record::<Setting>(i)?.map(|s| s.value).unwrap_or_default();
    items_from_json(&text).map_err(|e| DbError::Decode {
        store: "settings/improvement_items".to_owned(),
        reason: e.to_string(),
    })
}

fn items_setting(items: &[ImprovementItem]) -> Setting {
    Setting {
        key: ITEMS_SETTING.to_owned(),
        value: serde_json::to_string(items).unwrap_or_default(),
    }
}

#[derive(Debug, Clone)]
struct Shared(Arc<ReqData>);
impl PartialEq for Shared {
    fn eq(&self, o: &Self) -> bool {
        Arc::ptr_eq(&self.0, &o.0)
    }
}

/// The requests page.
#[component]
pub fn RequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let data = storage.resource(|db| async move { Some(load(db).await.map(Arc::new)) });
    let current = Memo::new(move |_| match data.get() {
        Some(Some(Ok(d))) => Some(Shared(d)),
        _ => None,
    });
    let selected = RwSignal::new(None::<u32>);
    // The views stay mounted across reloads (their forms keep what was typed):
    // the body changes only between loading, failed and loaded.
    let phase = Memo::new(move |_| match data.get() {
        None | Some(None) => 0u8,
        Some(Some(Err(_))) => 1,
        Some(Some(Ok(_))) => 2,
    });
    let body = move || {
        match phase.get() {
        0 => view! { <p class="muted" role="status"><span class="spinner" aria-hidden="true"></span>{t!(i18n, loading)}</p> }.into_any(),
        1 => {
            let e = match data.get_untracked() {
                Some(Some(Err(e))) => e.to_string(),
                _ => String::new(),
            };
            view! { <p class="error" role="alert">{t!(i18n, status_error)}<code>{e}</code></p> }.into_any()
        }
        _ => view! {
            <IntakeView current=current selected=selected/>
            <LookupView current=current selected=selected/>
            <ListView current=current selected=selected/>
            <DetailView current=current selected=selected/>
            <WarningsView current=current/>
            <CalendarView current=current/>
        }
        .into_any(),
    }
    };
    view! {
        <article class="page reqs" data-page="requests">
            <h1>{move || tr(i18n, "居民诉求", "Resident requests")}</h1>
            <p class="lead">{move || tr(i18n,
                "诉求三色管理：红色 24 小时内响应，黄色 3 个工作日，蓝色 7 个工作日（按法定节假日和调休计算）。每件诉求有查询码，居民可在公示页查看进度。",
                "Three-colour requests: red within 24 hours, yellow within 3 working days, blue within 7 (public holidays and make-up days counted). Each request has a tracking code residents can look up on the public dashboard.")}</p>
            {body}
        </article>
    }
}

#[component]
fn IntakeView(current: Memo<Option<Shared>>, selected: RwSignal<Option<u32>>) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let household = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let colour = RwSignal::new("yellow".to_owned());
    let description = RwSignal::new(String::new());
    let field_err = RwSignal::new(None::<(&'static str, String)>);
    let msg: Msg = RwSignal::new(None);
    let err_for = move |f: &'static str| {
        move || {
            field_err
                .get()
                .filter(|(k, _)| *k == f)
                .map(|(_, m)| view! { <span class="field-error" role="alert">{m}</span> })
        }
    };
    let cat_value = move || {
        let c = category.get();
        if c.is_empty() {
            current
                .with(|d| {
                    d.as_ref()
                        .and_then(|Shared(d)| d.categories.first().map(|c| c.code.clone()))
                })
                .unwrap_or_default()
        } else {
            c
        }
    };
    let suggestions = Memo::new(move |_| {
        let text = description.get();
        if text.trim().chars().count() < 2 {
            return Vec::new();
        }
        let cat = cat_value();
        current.with(|d| {
            d.as_ref().map_or_else(Vec::new, |Shared(d)| {
                suggest(
                    &d.requests,
                    &cat,
                    &text,
                    now_millis(),
                    None,
                    &DuplicateRule::default(),
                )
                .into_iter()
                .filter_map(|s| {
                    d.requests
                        .iter()
                        .find(|r| r.id == s.id)
                        .map(|r| (r.clone(), s.similarity_pct))
                })
                .collect()
            })
        })
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        field_err.set(None);
        msg.set(None);
        let Some(Shared(d)) = current.get_untracked() else {
            return;
        };
        let hh_text = household.get_untracked();
        let household_id = if hh_text.trim().is_empty() {
            None
        } else {
            match hh_text
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|h| d.household_ids.contains(h))
            {
                Some(h) => Some(h),
                None => {
                    field_err.set(Some((
                        "household",
                        tr(
                            i18n,
                            "户档中没有这个户编号（可留空）。",
                            "No such household (may be left empty).",
                        ),
                    )));
                    return;
                }
            }
        };
        let colour = match colour.get_untracked().as_str() {
            "red" => RequestColour::Red,
            "blue" => RequestColour::Blue,
            _ => RequestColour::Yellow,
        };
        let category = cat_value();
        let text = description.get_untracked();
        let Ok(bytes) = random_bytes() else {
            say(
                msg,
                Err(tr(
                    i18n,
                    "浏览器无法生成随机数。",
                    "The browser cannot generate random numbers.",
                )),
            );
            return;
        };
        let code = TrackingCode::from_random(bytes);
        let now = now_millis();
        // Check the fields first (same rules as inside the transaction): messages go next to them.
        let cal = d.calendar.clone().unwrap_or_default();
        let input = Intake {
            household_id,
            category: &category,
            description: &text,
            colour,
        };
        if let Err(e) = intake(&cal, 0, &code, &input, now) {
            let field = if matches!(e, RequestError::NoCategory) {
                "category"
            } else {
                "description"
            };
            field_err.set(Some((field, request_error(i18n, &e))));
            return;
        }
        let Some(db) = storage.db() else { return };
        spawn_local(async move {
            let reads = vec![
                Read::MaxKey { store: "requests" },
                Read::Get {
                    store: "settings",
                    key: JsValue::from_str(SETTING_KEY),
                },
            ];
            let r = db
                .checked(&["requests"], reads, move |res| {
                    let cal = calendar_in(res, 1)?;
                    let input = Intake {
                        household_id,
                        category: &category,
                        description: &text,
                        colour,
                    };
                    Ok(match intake(&cal, res.max_key(0) + 1, &code, &input, now) {
                        Ok(req) => {
                            let mut b = Batch::default();
                            b.add("requests", &req)?;
                            Ok((b, req))
                        }
                        Err(e) => Err(e),
                    })
                })
                .await;
            match r {
                Ok(Ok(req)) => {
                    let code = TrackingCode::parse(&req.tracking_code)
                        .map(|c| c.display())
                        .unwrap_or_default();
                    let text = if is_zh(i18n) {
                        format!(
                            "已受理。查询码 {code}，应于 {} 前响应。",
                            local_datetime(req.due_at - 60_000)
                        )
                    } else {
                        format!(
                            "Received. Tracking code {code}; respond by {}.",
                            local_datetime(req.due_at - 60_000)
                        )
                    };
                    say(msg, Ok(text));
                    description.set(String::new());
                    selected.set(Some(req.id));
                    storage.changed();
                }
                Ok(Err(e)) => say(msg, Err(request_error(i18n, &e))),
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="req-intake-h">
            <h2 id="req-intake-h">{move || tr(i18n, "受理诉求", "Take a request in")}</h2>
            <form class="req-form" on:submit=on_submit novalidate data-testid="req-intake">
                <label>{move || tr(i18n, "户编号（可空）", "Household number (optional)")}
                    <input id="req-household" type="text" inputmode="numeric" prop:value=household on:input=move |ev| household.set(event_target_value(&ev))/>
                    {err_for("household")}</label>
                <label>{move || tr(i18n, "类别", "Category")}
                    <select id="req-category" on:change=move |ev| category.set(event_target_value(&ev))>
                        {move || current.get().map(|Shared(d)| d.categories.iter().map(|c| view! {
                            <option value=c.code.clone() selected=category.get_untracked() == c.code>{labels::category(i18n, &d.categories, &c.code)}</option>
                        }).collect_view())}
                    </select>
                    {err_for("category")}</label>
                <fieldset class="colours">
                    <legend>{move || tr(i18n, "紧急程度", "Urgency")}</legend>
                    {[("red", RequestColour::Red), ("yellow", RequestColour::Yellow), ("blue", RequestColour::Blue)].into_iter().map(|(v, c)| view! {
                        <label class="tick"><input type="radio" name="req-colour" value=v prop:checked=move || colour.get() == v on:change=move |_| colour.set(v.to_owned())/>
                            <span class=colour_class(c) aria-hidden="true"></span>{move || colour_name(i18n, c)}</label>
                    }).collect_view()}
                </fieldset>
                <label class="wide">{move || tr(i18n, "诉求内容", "Description")}
                    <textarea id="req-description" rows="3" prop:value=description on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                    {err_for("description")}</label>
                {move || {
                    let s = suggestions.get();
                    (!s.is_empty()).then(|| view! {
                        <div class="dup-suggest" role="status" data-testid="req-duplicates">
                            <strong>{tr(i18n, "可能重复的诉求：", "Possible duplicates:")}</strong>
                            <ul>{s.into_iter().map(|(r, pct)| {
                                let id = r.id;
                                view! { <li><button type="button" class="link" on:click=move |_| selected.set(Some(id))>{format!("#{} ", r.id)}</button>{r.description.clone()}{format!("（{}% · {}）", pct, status_name(i18n, r.status))}</li> }
                            }).collect_view()}</ul>
                        </div>
                    })
                }}
                <button type="submit" class="primary">{move || tr(i18n, "受理", "Take in")}</button>
            </form>
            {msg_view(msg, "req-intake-msg")}
        </section>
    }
}

#[component]
fn LookupView(current: Memo<Option<Shared>>, selected: RwSignal<Option<u32>>) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let msg: Msg = RwSignal::new(None);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match TrackingCode::parse(&text.get_untracked()) {
            Err(e) => say(msg, Err(code_error(i18n, &e))),
            Ok(code) => {
                let found = current.with_untracked(|d| {
                    d.as_ref().and_then(|Shared(d)| {
                        d.requests
                            .iter()
                            .find(|r| r.tracking_code == code.as_str())
                            .map(|r| r.id)
                    })
                });
                match found {
                    Some(id) => {
                        selected.set(Some(id));
                        say(
                            msg,
                            Ok(format!("{}{id}", tr(i18n, "找到诉求 #", "Found request #"))),
                        );
                    }
                    None => say(
                        msg,
                        Err(tr(
                            i18n,
                            "查询码有效，但没有这件诉求。",
                            "The code is valid but no request has it.",
                        )),
                    ),
                }
            }
        }
    };
    view! {
        <section class="card" aria-labelledby="req-lookup-h">
            <h2 id="req-lookup-h">{move || tr(i18n, "按查询码查找", "Find by tracking code")}</h2>
            <form class="req-form" on:submit=on_submit novalidate data-testid="req-lookup">
                <label>{move || tr(i18n, "查询码", "Tracking code")}
                    <input id="req-code" type="text" autocomplete="off" spellcheck="false" prop:value=text on:input=move |ev| text.set(event_target_value(&ev))/></label>
                <button type="submit">{move || tr(i18n, "查找", "Find")}</button>
            </form>
            {msg_view(msg, "req-lookup-msg")}
        </section>
    }
}

#[component]
fn ListView(current: Memo<Option<Shared>>, selected: RwSignal<Option<u32>>) -> impl IntoView {
    let i18n = use_i18n();
    let only_open = RwSignal::new(true);
    let on_export = move |_| {
        let Some(Shared(d)) = current.get_untracked() else {
            return;
        };
        let text = open311::to_json(&d.requests, &d.categories, "社区居委会", false);
        let _ = download(&text, "requests-open311.json", "application/json");
    };
    view! {
        <section class="card" aria-labelledby="req-list-h">
            <h2 id="req-list-h">{move || tr(i18n, "诉求列表", "Requests")}</h2>
            {move || current.get().map(|Shared(d)| {
                let late = overdue(&d.requests, now_millis());
                (!late.is_empty()).then(|| view! {
                    <div class="warning" role="alert" data-testid="req-overdue">
                        <strong>{if is_zh(i18n) { format!("超期提醒：{} 件诉求已过响应期限", late.len()) } else { format!("Overdue: {} requests are past their due time", late.len()) }}</strong>
                        <ul>{late.into_iter().take(8).map(|o| {
                            let id = o.id;
                            let hours = o.late_ms / 3_600_000;
                            view! { <li><span class=colour_class(o.colour) aria-hidden="true"></span>
                                <button type="button" class="link" on:click=move |_| selected.set(Some(id))>{format!("#{id}")}</button>
                                {if is_zh(i18n) { format!(" 超期 {} 天 {} 小时", hours / 24, hours % 24) } else { format!(" {} d {} h late", hours / 24, hours % 24) }}</li> }
                        }).collect_view()}</ul>
                    </div>
                })
            })}
            <div class="actions">
                <label class="tick"><input type="checkbox" prop:checked=only_open on:change=move |ev| only_open.set(event_target_checked(&ev))/>{move || tr(i18n, "只看未办结", "Open only")}</label>
                <button type="button" data-testid="req-export" on:click=on_export>{move || tr(i18n, "导出 Open311 JSON", "Export Open311 JSON")}</button>
            </div>
            {move || current.get().map(|Shared(d)| {
                let now = now_millis();
                let mut list: Vec<&Request> = d.requests.iter().filter(|r| !only_open.get() || is_open(r.status)).collect();
                list.sort_by(|a, b| b.received_at.cmp(&a.received_at).then(b.id.cmp(&a.id)));
                let total = list.len();
                if total == 0 {
                    return view! { <p class="empty">{tr(i18n, "没有诉求。", "No requests.")}</p> }.into_any();
                }
                view! {
                    <p class="muted small">{if is_zh(i18n) { format!("共 {total} 件，显示最近 50 件") } else { format!("{total} in all, the latest 50 shown") }}</p>
                    <div class="table-wrap"><table class="data" data-testid="req-list">
                        <thead><tr>
                            <th scope="col" class="num">"#"</th>
                            <th scope="col">{tr(i18n, "紧急程度", "Colour")}</th>
                            <th scope="col">{tr(i18n, "类别", "Category")}</th>
                            <th scope="col">{tr(i18n, "受理时间", "Received")}</th>
                            <th scope="col">{tr(i18n, "响应期限", "Due")}</th>
                            <th scope="col">{tr(i18n, "状态", "Status")}</th>
                            <th scope="col">{tr(i18n, "操作", "Action")}</th>
                        </tr></thead>
                        <tbody>{list.into_iter().take(50).map(|r| {
                            let id = r.id;
                            let late = is_open(r.status) && now >= r.due_at;
                            view! {
                                <tr class:late=late data-id=id.to_string()>
                                    <td class="num">{id}</td>
                                    <td><span class=colour_class(r.colour) aria-hidden="true"></span>{colour_name(i18n, r.colour)}</td>
                                    <td>{labels::category(i18n, &d.categories, &r.category)}</td>
                                    <td>{local_datetime(r.received_at)}</td>
                                    <td class="due">{local_datetime(r.due_at - 60_000)}{late.then(|| view! { <span class="badge warn">{tr(i18n, "超期", "overdue")}</span> })}</td>
                                    <td class="status">{status_name(i18n, r.status)}</td>
                                    <td><button type="button" class="small" on:click=move |_| selected.set(Some(id))>{tr(i18n, "处理", "Open")}</button></td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table></div>
                }.into_any()
            })}
        </section>
    }
}

#[component]
fn DetailView(current: Memo<Option<Shared>>, selected: RwSignal<Option<u32>>) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let to = RwSignal::new(String::new());
    let rating = RwSignal::new(String::new());
    let msg: Msg = RwSignal::new(None);
    Effect::new(move |_| {
        selected.track();
        to.set(String::new());
        rating.set(String::new());
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(id) = selected.get_untracked() else {
            return;
        };
        let Some(target) = status_from(&to.get_untracked()) else {
            say(msg, Err(tr(i18n, "请选择新状态。", "Choose the new status.")));
            return;
        };
        let rating_v = match rating.get_untracked().as_str() {
            "" => None,
            r => r.parse::<u8>().ok(),
        };
        let Some(db) = storage.db() else { return };
        let now = now_millis();
        spawn_local(async move {
            let reads = vec![
                Read::Get {
                    store: "requests",
                    key: JsValue::from(id),
                },
                Read::All { store: "requests" },
                Read::Get {
                    store: "settings",
                    key: JsValue::from_str(ITEMS_SETTING),
                },
            ];
            let r = db
                .checked(&["requests", "settings"], reads, move |res| {
                    let Some(req) = res.record::<Request>(0)? else {
                        return Ok(Err(RequestError::NoDescription));
                    };
                    let next = match advance(&req, target, rating_v, now) {
                        Ok(n) => n,
                        Err(e) => return Ok(Err(e)),
                    };
                    let mut b = Batch::default();
                    b.put("requests", &next)?;
                    let mut opened = false;
                    if next.satisfaction.is_some() {
                        let mut all: Vec<Request> = res.records(1)?;
                        if let Some(r) = all.iter_mut().find(|r| r.id == id) {
                            *r = next.clone();
                        }
                        let s = warnings::satisfaction(&all, now - SATISFACTION_WINDOW_MS, now + 1);
                        let mut items = items_in(res, 2)?;
                        if let Some(item) = open_for_satisfaction(&items, &s, now) {
                            items.push(item);
                            b.put("settings", &items_setting(&items))?;
                            opened = true;
                        }
                    }
                    Ok(Ok((b, (next.status, opened))))
                })
                .await;
            match r {
                Ok(Ok((s, opened))) => {
                    let mut text = format!(
                        "{}{}",
                        tr(i18n, "状态已改为：", "Status now: "),
                        status_name(i18n, s)
                    );
                    if opened {
                        text.push_str(&tr(
                            i18n,
                            "。满意度低于 85%，已建立整改事项（PDCA）。",
                            ". Satisfaction is below 85%: an improvement item (PDCA) was opened.",
                        ));
                    }
                    say(msg, Ok(text));
                    to.set(String::new());
                    rating.set(String::new());
                    storage.changed();
                }
                Ok(Err(e)) => say(msg, Err(request_error(i18n, &e))),
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    move || {
        let id = selected.get()?;
        let Shared(d) = current.get()?;
        let r = d.requests.iter().find(|r| r.id == id)?.clone();
        let code =
            TrackingCode::parse(&r.tracking_code).map_or_else(|_| r.tracking_code.clone(), |c| c.display());
        // Every status is offered (going back included): the domain refuses, with a message.
        let options: Vec<RequestStatus> = {
            use RequestStatus::*;
            vec![
                Received, Assigned, InProgress, Resolved, Closed, Rejected, Duplicate,
            ]
        };
        let allowed = next_statuses(r.status);
        Some(view! {
            <section class="card req-detail" aria-labelledby="req-detail-h" data-testid="req-detail">
                <h2 id="req-detail-h">{format!("{} #{id}", tr(i18n, "诉求", "Request"))}</h2>
                <dl class="req-facts">
                    <dt>{tr(i18n, "查询码", "Tracking code")}</dt><dd><code data-testid="req-code">{code}</code></dd>
                    <dt>{tr(i18n, "类别", "Category")}</dt><dd>{labels::category(i18n, &d.categories, &r.category)}</dd>
                    <dt>{tr(i18n, "紧急程度", "Colour")}</dt><dd><span class=colour_class(r.colour) aria-hidden="true"></span>{colour_name(i18n, r.colour)}</dd>
                    <dt>{tr(i18n, "受理时间", "Received")}</dt><dd>{local_datetime(r.received_at)}</dd>
                    <dt>{tr(i18n, "响应期限", "Due")}</dt><dd data-testid="req-due">{local_datetime(r.due_at - 60_000)}</dd>
                    <dt>{tr(i18n, "状态", "Status")}</dt><dd data-testid="req-status">{status_name(i18n, r.status)}</dd>
                    <dt>{tr(i18n, "内容", "Description")}</dt><dd>{r.description.clone()}</dd>
                    {r.satisfaction.map(|s| view! { <dt>{tr(i18n, "满意度", "Satisfaction")}</dt><dd>{format!("{s} / 5")}</dd> })}
                </dl>
                <h3>{tr(i18n, "处理记录", "History")}</h3>
                <ol class="req-history" data-testid="req-history">{r.history.iter().map(|h| view! {
                    <li>{local_datetime(h.at)}" "{status_name(i18n, h.status)}</li>
                }).collect_view()}</ol>
                {if allowed.is_empty() {
                    view! { <p class="muted">{tr(i18n, "此诉求已终结，状态不能再改。", "This request is final; its status cannot change.")}</p> }.into_any()
                } else { ().into_any() }}
                <form class="req-form" on:submit=on_submit novalidate data-testid="req-move">
                    <label>{tr(i18n, "新状态", "New status")}
                        <select id="req-to" on:change=move |ev| to.set(event_target_value(&ev))>
                            <option value="">{tr(i18n, "— 选择 —", "— choose —")}</option>
                            {options.into_iter().map(|s| view! { <option value=status_code(s)>{status_name(i18n, s)}</option> }).collect_view()}
                        </select></label>
                    {move || (to.get() == "closed").then(|| view! {
                        <label>{tr(i18n, "居民满意度（1–5，可空）", "Resident satisfaction (1–5, optional)")}
                            <select id="req-rating" on:change=move |ev| rating.set(event_target_value(&ev))>
                                <option value="">{tr(i18n, "未评价", "Not rated")}</option>
                                {(1..=5).rev().map(|k| view! { <option value=k.to_string()>{k.to_string()}</option> }).collect_view()}
                            </select></label>
                    })}
                    <button type="submit" class="primary">{tr(i18n, "更新状态", "Update status")}</button>
                </form>
                {msg_view(msg, "req-move-msg")}
            </section>
        })
    }
}

#[component]
fn WarningsView(current: Memo<Option<Shared>>) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let notes = RwSignal::new(std::collections::BTreeMap::<u32, String>::new());
    let msg: Msg = RwSignal::new(None);
    let advance_pdca = move |item_id: u32| {
        let note = notes.with_untracked(|n| n.get(&item_id).cloned().unwrap_or_default());
        let Some(db) = storage.db() else { return };
        let now = now_millis();
        spawn_local(async move {
            let reads = vec![Read::Get {
                store: "settings",
                key: JsValue::from_str(ITEMS_SETTING),
            }];
            let r = db
                .checked(&["settings"], reads, move |res| {
                    let mut items = items_in(res, 0)?;
                    let Some(pos) = items.iter().position(|i| i.id == item_id) else {
                        return Ok(Err(PdcaError::Closed));
                    };
                    match advance_item(&items[pos], &note, now) {
                        Ok(next) => {
                            let stage = next.stage;
                            items[pos] = next;
                            let mut b = Batch::default();
                            b.put("settings", &items_setting(&items))?;
                            Ok(Ok((b, stage)))
                        }
                        Err(e) => Ok(Err(e)),
                    }
                })
                .await;
            match r {
                Ok(Ok(stage)) => {
                    notes.update(|n| {
                        n.remove(&item_id);
                    });
                    say(
                        msg,
                        Ok(format!(
                            "{}{}",
                            tr(i18n, "整改事项进入：", "Improvement item now: "),
                            pdca_name(i18n, stage)
                        )),
                    );
                    storage.changed();
                }
                Ok(Err(PdcaError::NoNote)) => say(
                    msg,
                    Err(tr(
                        i18n,
                        "请写明本阶段做了什么。",
                        "Write what was done in this stage.",
                    )),
                ),
                Ok(Err(e)) => say(msg, Err(e.to_string())),
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    move || {
        let Shared(d) = current.get()?;
        let now = now_millis();
        let (months, rising) = complaint_rate(&d.requests, d.households, now);
        let s = warnings::satisfaction(&d.requests, now - SATISFACTION_WINDOW_MS, now + 1);
        let items = d.items.clone();
        Some(view! {
            <section class="card" aria-labelledby="req-warn-h" data-testid="req-warnings">
                <h2 id="req-warn-h">{tr(i18n, "指标与预警", "Indicators and warnings")}</h2>
                <p class=if rising { "warning" } else { "muted" } data-testid="req-complaint-rate">
                    {if rising { tr(i18n, "预警：诉求率连续上升。", "Warning: the complaint rate is rising. ") } else { tr(i18n, "诉求率未连续上升。", "The complaint rate is not rising. ") }}
                    {months.iter().map(|m| format!("{}：{}‰ ", m.month, m.per_thousand)).collect::<String>()}
                </p>
                <p class=if s.below_target() { "warning" } else { "muted" } data-testid="req-satisfaction">
                    {if is_zh(i18n) {
                        format!("近 90 天满意度（4–5 分占比）：{}.{}%（{} 件评价，目标 ≥ 85%）", s.permille / 10, s.permille % 10, s.rated)
                    } else {
                        format!("Satisfaction, last 90 days (rated 4–5): {}.{}% of {} ratings (target ≥ 85%)", s.permille / 10, s.permille % 10, s.rated)
                    }}
                </p>
                <h3>{tr(i18n, "整改事项（PDCA）", "Improvement items (PDCA)")}</h3>
                {match items {
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(items) if items.is_empty() => view! { <p class="empty">{tr(i18n, "没有整改事项。满意度低于 85% 时，办结诉求会自动建立一项。", "No improvement items. One opens automatically when a closing leaves satisfaction below 85%.")}</p> }.into_any(),
                    Ok(items) => view! {
                        <ul class="pdca" data-testid="pdca-items">{items.into_iter().rev().map(|it| {
                            let id = it.id;
                            let open = it.stage != PdcaStage::Closed;
                            view! {
                                <li>
                                    <strong>{format!("#{id} ")}{pdca_name(i18n, it.stage)}</strong>" · "{it.detail.clone()}" · "{local_datetime(it.opened_at)}
                                    <ol>{it.steps.iter().map(|st| view! { <li>{pdca_name(i18n, st.stage)}{"："}{st.note.clone()}</li> }).collect_view()}</ol>
                                    {open.then(|| view! {
                                        <div class="inline-form">
                                            <label>{tr(i18n, "本阶段记录", "What was done")}
                                                <input type="text" prop:value=move || notes.with(|n| n.get(&id).cloned().unwrap_or_default())
                                                    on:input=move |ev| { let v = event_target_value(&ev); notes.update(|n| { n.insert(id, v); }); }/></label>
                                            <button type="button" on:click=move |_| advance_pdca(id)>{tr(i18n, "进入下一阶段", "Next stage")}</button>
                                        </div>
                                    })}
                                </li>
                            }
                        }).collect_view()}</ul>
                    }.into_any(),
                }}
                {msg_view(msg, "pdca-msg")}
            </section>
        })
    }
}

#[component]
fn CalendarView(current: Memo<Option<Shared>>) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let holidays = RwSignal::new(None::<String>);
    let workdays = RwSignal::new(None::<String>);
    let msg: Msg = RwSignal::new(None);
    let cal = move || {
        current.with(|d| {
            d.as_ref()
                .map(|Shared(d)| d.calendar.clone().unwrap_or_default())
                .unwrap_or_default()
        })
    };
    let text_of = move |sig: RwSignal<Option<String>>, hol: bool| {
        move || {
            sig.get().unwrap_or_else(|| {
                let c = cal();
                if hol {
                    c.holidays.join("\n")
                } else {
                    c.workdays.join("\n")
                }
            })
        }
    };
    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let lines = |s: String| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let h = lines(text_of(holidays, true)());
        let w = lines(text_of(workdays, false)());
        let cal = match WorkCalendar::new(h, w) {
            Ok(c) => c,
            Err(e) => {
                say(
                    msg,
                    Err(match e {
                        CalendarError::BadDate(d) => format!(
                            "{}{d}",
                            tr(i18n, "日期格式应为 YYYY-MM-DD：", "Dates are YYYY-MM-DD: ")
                        ),
                        CalendarError::Both(d) => format!(
                            "{}{d}",
                            tr(
                                i18n,
                                "同一天不能既放假又调休上班：",
                                "A day cannot be both a holiday and a make-up day: "
                            )
                        ),
                        other => other.to_string(),
                    }),
                );
                return;
            }
        };
        let Some(db) = storage.db() else { return };
        spawn_local(async move {
            let mut b = Batch::default();
            let setting = Setting {
                key: SETTING_KEY.to_owned(),
                value: cal.to_json(),
            };
            let r = match b.put("settings", &setting) {
                Ok(_) => db.commit(b).await,
                Err(e) => Err(e),
            };
            match r {
                Ok(()) => {
                    holidays.set(None);
                    workdays.set(None);
                    say(
                        msg,
                        Ok(tr(
                            i18n,
                            "日历已保存。新受理的诉求按新日历计算期限。",
                            "Calendar saved. New requests use it for their due times.",
                        )),
                    );
                    storage.changed();
                }
                Err(e) => say(msg, Err(db_fail(i18n, &e))),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="req-cal-h">
            <details>
                <summary><h2 id="req-cal-h" class="inline">{move || tr(i18n, "工作日历（节假日与调休）", "Working-day calendar (holidays and make-up days)")}</h2></summary>
                <p class="muted small">{move || {
                    let years = PROVISIONAL_YEARS.iter().map(ToString::to_string).collect::<Vec<_>>().join("、");
                    if is_zh(i18n) {
                        format!("2026 年按国务院办公厅通知；{years} 年为暂定（仅法定假日，无调休），国务院公布安排后请在此修改。每行一个日期。")
                    } else {
                        format!("2026 follows the State Council's notice; {years} is provisional (statutory days only, no make-up days): edit it once the official schedule is out. One date per line.")
                    }
                }}</p>
                <form class="req-form cal-form" on:submit=on_save novalidate data-testid="req-calendar">
                    <label>{move || tr(i18n, "放假日", "Holidays")}
                        <textarea id="cal-holidays" rows="8" prop:value=text_of(holidays, true) on:input=move |ev| holidays.set(Some(event_target_value(&ev)))></textarea></label>
                    <label>{move || tr(i18n, "调休上班日", "Make-up working days")}
                        <textarea id="cal-workdays" rows="8" prop:value=text_of(workdays, false) on:input=move |ev| workdays.set(Some(event_target_value(&ev)))></textarea></label>
                    <button type="submit">{move || tr(i18n, "保存日历", "Save calendar")}</button>
                </form>
                {msg_view(msg, "req-calendar-msg")}
            </details>
        </section>
    }
}
