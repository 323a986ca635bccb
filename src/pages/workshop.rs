//! `#/workshop` — workshop mode for a projector (SPEC §2.8).
//!
//! One laptop, a projector, 20–60 residents. The view covers the whole window
//! (F: the browser's full screen), type is at least 28 px, contrast is high, and
//! everything is driven from the keyboard or a presenter clicker:
//!
//! | key | map | voting |
//! |---|---|---|
//! | 1–9 | choose a need category | choose a proposal |
//! | arrows | move the cursor over the plan | ↑ ↓ move between proposals |
//! | PageUp / PageDown (clicker) | previous / next category | previous / next proposal |
//! | Enter | place a dot | place the participant's dot |
//! | Z | undo (dots, votes, change of participant) | |
//! | N | | next participant |
//! | space | start / stop the timer (+ / − a minute, R reset) | |
//! | V, L, H, S, F | voting, layout, heat only, save, full screen | |
//!
//! The session lives in memory (`linli_domain::workshop::Session`) until it is
//! saved: then its needs dots become the setting `workshop_needs` (per building
//! and category) and its voting dots become approval ballots (source `workshop`),
//! in one transaction. The plan is a `<canvas>` pair (heat, dots) under HTML
//! building tiles; see `crate::charts::workshop_plan`. Nothing here uses the
//! network: the workshop works offline.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use linli_domain::model::{AuditEntry, Building, NeedCategory, Proposal, ProposalStatus, Setting};
use linli_domain::workshop::{
    format_mmss, session_csv, CsvNames, Plan, Session, Spot, Timer, Undone, WorkshopError, WorkshopNeeds,
    MAX_KEYED, MAX_PLAN_IMAGE_BYTES, NEEDS_SETTING, PLAN_IMAGE_SETTING, PLAN_IMAGE_TYPES,
};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::browser::{download, local_minute, now_millis};
use crate::charts::workshop_plan as draw;
use crate::components::labels::is_zh;
use crate::db::{Batch, Db, DbError};
use crate::i18n::*;
use crate::pages::register::load_categories;
use crate::state::use_storage;

/// A text in the current language.
fn tr(i18n: I18nContext<Locale>, zh: &str, en: &str) -> String {
    if is_zh(i18n) { zh } else { en }.to_owned()
}

/// Width of the side panel and the room around the plan (px), for the cell size.
const PANEL_PX: f64 = 470.0;
const CHROME_W_PX: f64 = 72.0;
const CHROME_H_PX: f64 = 250.0;
/// Smallest cell: a building's name at 28 px still fits.
const MIN_CELL_PX: f64 = 68.0;
const MAX_CELL_PX: f64 = 180.0;
/// Default timer: ten minutes.
const TIMER_MS: i64 = 10 * 60_000;

/// What the workshop loads once.
#[derive(Debug)]
struct WsData {
    buildings: Vec<Building>,
    categories: Vec<NeedCategory>,
    /// Reviewed proposals of `period`, by id.
    proposals: Vec<Proposal>,
    period: Option<String>,
    plan_image: Option<String>,
}

async fn load(db: Db) -> Result<WsData, DbError> {
    let buildings: Vec<Building> = db.get_all("buildings").await?;
    let mut categories = load_categories(&db).await?;
    categories.truncate(MAX_KEYED);
    let all: Vec<Proposal> = db.get_all("proposals").await?;
    let on_ballot = |p: &Proposal| {
        matches!(
            p.status,
            ProposalStatus::Feasible | ProposalStatus::Funded | ProposalStatus::NotFunded
        )
    };
    let period = all
        .iter()
        .filter(|p| on_ballot(p))
        .map(|p| p.period.clone())
        .max();
    let mut proposals: Vec<Proposal> = all
        .into_iter()
        .filter(|p| on_ballot(p) && Some(&p.period) == period.as_ref())
        .collect();
    proposals.sort_by_key(|p| p.id);
    let image: Option<Setting> = db.get("settings", &JsValue::from_str(PLAN_IMAGE_SETTING)).await?;
    Ok(WsData {
        buildings,
        categories,
        proposals,
        period,
        plan_image: image.map(|s| s.value).filter(|v| v.starts_with("data:image/")),
    })
}

/// Workshop mode. The data is loaded once: saving (which reloads other views)
/// never resets a running session.
#[component]
pub fn WorkshopPage() -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let data = storage.resource(|db| async move { Some(load(db).await.map(Arc::new)) });
    let frozen = RwSignal::new(None::<Arc<WsData>>);
    Effect::new(move |_| {
        if frozen.with_untracked(Option::is_none) {
            if let Some(Some(Ok(d))) = data.get() {
                frozen.set(Some(d));
            }
        }
    });
    view! {
        <article class="page workshop ws" data-page="workshop" tabindex="-1">
            {move || match frozen.get() {
                Some(d) => view! { <Workshop data=d/> }.into_any(),
                None => match data.get() {
                    Some(Some(Err(e))) => view! {
                        <h1>{move || tr(i18n, "社区工作坊", "Community workshop")}</h1>
                        <p class="error" role="alert">{t!(i18n, status_error)}<code>{e.to_string()}</code></p>
                    }.into_any(),
                    _ => view! {
                        <h1>{move || tr(i18n, "社区工作坊", "Community workshop")}</h1>
                        <p role="status"><span class="spinner" aria-hidden="true"></span>{t!(i18n, loading)}</p>
                    }.into_any(),
                },
            }}
        </article>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Map,
    Vote,
    Arrange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Msg {
    Info(String),
    Error(String),
}

fn ctx_of(c: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    c.get_context("2d").ok().flatten()?.dyn_into().ok()
}

/// Offers a `data:` URL as a download.
fn download_url(url: &str, filename: &str) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(url);
    a.set_download(filename);
    a.click();
    Ok(())
}

/// Reads a file as a `data:` URL.
async fn read_data_url(file: web_sys::File) -> Result<String, JsValue> {
    let reader = web_sys::FileReader::new()?;
    let r2 = reader.clone();
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let r3 = r2.clone();
        let ok = wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &r3.result().unwrap_or(JsValue::NULL));
        });
        let r4 = r2.clone();
        let bad = wasm_bindgen::closure::Closure::once_into_js(move || {
            let name = r4.error().map_or_else(|| "Error".to_owned(), |e| e.name());
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&name));
        });
        r2.set_onload(Some(ok.unchecked_ref()));
        r2.set_onerror(Some(bad.unchecked_ref()));
    });
    reader.read_as_data_url(&file)?;
    let v = wasm_bindgen_futures::JsFuture::from(promise).await?;
    v.as_string().ok_or_else(|| JsValue::from_str("not text"))
}

fn js_error_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| format!("{}: {}", e.name(), e.message()))
        })
        .or_else(|| e.dyn_ref::<web_sys::DomException>().map(|e| e.name()))
        .unwrap_or_else(|| format!("{e:?}"))
}

fn audit(id: u32, entity: &str, entity_id: u32, action: &str, summary: String, actor: String) -> AuditEntry {
    AuditEntry {
        id,
        at: now_millis(),
        actor,
        entity: entity.into(),
        entity_id,
        action: action.into(),
        summary,
    }
}

fn file_stamp() -> String {
    local_minute(now_millis()).replace([' ', ':'], "-")
}

#[component]
fn Workshop(data: Arc<WsData>) -> impl IntoView {
    let i18n = use_i18n();
    let storage = use_storage();
    let cat_codes: Vec<String> = data.categories.iter().map(|c| c.code.clone()).collect();
    let proposal_ids: Vec<u32> = data.proposals.iter().map(|p| p.id).collect();
    let session = StoredValue::new(Session::new(now_millis(), cat_codes, proposal_ids));
    let plan = StoredValue::new(Plan::new(&data.buildings));
    let stored_buildings = StoredValue::new(data.buildings.clone());
    let data = StoredValue::new(data);
    // Bumped after every change of the session (DOM counts) or of the plan layout.
    let rev = RwSignal::new(0u64);
    let layout_rev = RwSignal::new(0u64);
    let mode = RwSignal::new(Mode::Map);
    let category = RwSignal::new(0usize);
    let cursor = RwSignal::new((0u16, 0u16));
    let selected = RwSignal::new(0usize);
    let holding = RwSignal::new(None::<u32>);
    let show_dots = RwSignal::new(true);
    let help = RwSignal::new(false);
    let timer = RwSignal::new(Timer::new(TIMER_MS));
    let now = RwSignal::new(now_millis());
    let msg = RwSignal::new(None::<Msg>);
    let saving = RwSignal::new(false);
    let image = RwSignal::new(data.with_value(|d| d.plan_image.clone()));
    let cell_px = RwSignal::new(draw::CellSize {
        w: MIN_CELL_PX,
        h: MIN_CELL_PX,
    });
    let heat_ref = NodeRef::<leptos::html::Canvas>::new();
    let dots_ref = NodeRef::<leptos::html::Canvas>::new();
    let image_ref = NodeRef::<leptos::html::Img>::new();
    let plan_ref = NodeRef::<leptos::html::Div>::new();

    let extent = Memo::new(move |_| {
        layout_rev.track();
        plan.with_value(Plan::extent)
    });
    let fit = move || {
        let Some(w) = web_sys::window() else { return };
        let iw = w.inner_width().ok().and_then(|v| v.as_f64()).unwrap_or(1920.0);
        let ih = w.inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(1080.0);
        let (cols, rows) = extent.get_untracked();
        let by_w = (iw - PANEL_PX - CHROME_W_PX) / f64::from(cols);
        let by_h = (ih - CHROME_H_PX) / f64::from(rows);
        // Square when the width limits; taller (up to 1.8×) when the rows leave room.
        let w = by_w.min(by_h).floor().clamp(MIN_CELL_PX, MAX_CELL_PX);
        let h = by_h
            .floor()
            .clamp(w, (w * 1.8).max(MIN_CELL_PX))
            .min(MAX_CELL_PX.max(w));
        let px = draw::CellSize { w, h };
        if px != cell_px.get_untracked() {
            cell_px.set(px);
        }
    };
    fit();

    // Canvas layers.
    let layers = move || {
        let heat = heat_ref.get_untracked()?;
        let dots = dots_ref.get_untracked()?;
        Some((ctx_of(&heat)?, ctx_of(&dots)?))
    };
    let redraw_heat = move || {
        let Some((heat, _)) = layers() else { return };
        let px = cell_px.get_untracked();
        let (cols, rows) = extent.get_untracked();
        let (w, h) = (f64::from(cols) * px.w, f64::from(rows) * px.h);
        plan.with_value(|p| session.with_value(|s| draw::draw_heat(&heat, p, s, px, w, h)));
    };
    let redraw_all = move || {
        let (Some(hc), Some(dc)) = (heat_ref.get_untracked(), dots_ref.get_untracked()) else {
            return;
        };
        let px = cell_px.get_untracked();
        let (cols, rows) = extent.get_untracked();
        let (w, h) = (f64::from(cols) * px.w, f64::from(rows) * px.h);
        for c in [&hc, &dc] {
            if c.width() != w as u32 || c.height() != h as u32 {
                c.set_width(w as u32);
                c.set_height(h as u32);
            }
        }
        let (Some(heat), Some(dots)) = (ctx_of(&hc), ctx_of(&dc)) else {
            return;
        };
        plan.with_value(|p| {
            session.with_value(|s| {
                draw::draw_heat(&heat, p, s, px, w, h);
                if show_dots.get_untracked() {
                    draw::draw_all_dots(&dots, p, s, px, w, h);
                } else {
                    dots.clear_rect(0.0, 0.0, w, h);
                }
            });
        });
    };
    // Full repaint on mount, resize, layout change and the dots toggle.
    Effect::new(move |_| {
        cell_px.track();
        layout_rev.track();
        show_dots.track();
        mode.track();
        redraw_all();
    });

    let say = move |m: Msg| msg.set(Some(m));
    let cat_name = move |i: usize| {
        data.with_value(|d| {
            d.categories
                .get(i)
                .map(|c| {
                    if is_zh(i18n) {
                        c.name_zh.clone()
                    } else {
                        c.name_en.clone()
                    }
                })
                .unwrap_or_default()
        })
    };
    let building_name =
        move |id: u32| plan.with_value(|p| p.building(id).map(|b| b.name.clone()).unwrap_or_default());
    let spot_name = move |spot: Spot| match spot {
        Spot::Building(id) => building_name(id),
        Spot::Open { x, y } => format!("{} ({}, {})", tr(i18n, "空地", "open ground"), x + 1, y + 1),
    };

    // Actions.
    let place_dot = move || {
        let (x, y) = cursor.get_untracked();
        let c = category.get_untracked();
        let placed = session.try_update_value(|s| {
            let spot = plan.with_value(|p| Spot::of_cell(p, x, y));
            let max_before = s.max_spot();
            let dot = *s.place(c, spot)?;
            Ok::<_, WorkshopError>((
                dot,
                s.spot(spot).map_or(1, |c| c.total),
                max_before != s.max_spot(),
            ))
        });
        match placed {
            Some(Ok((dot, n, max_changed))) => {
                if let Some((heat, dots)) = layers() {
                    let px = cell_px.get_untracked();
                    if show_dots.get_untracked() {
                        draw::dot_pen(&dots);
                        plan.with_value(|p| draw::draw_dot(&dots, p, &dot, n - 1, px));
                    }
                    if max_changed {
                        redraw_heat();
                    } else {
                        plan.with_value(|p| {
                            session.with_value(|s| draw::draw_heat_cell(&heat, p, s, dot.spot, px))
                        });
                    }
                }
                rev.update(|r| *r += 1);
                msg.set(None);
            }
            _ => {
                say(Msg::Error(tr(
                    i18n,
                    "请先按数字键选择类别",
                    "Choose a category with a number key first",
                )));
            }
        }
    };
    let undo = move || {
        let undone = session.try_update_value(|s| {
            let max_before = s.max_spot();
            s.undo().map(|u| (u, max_before != s.max_spot()))
        });
        match undone.flatten() {
            Some((u, max_changed)) => {
                // Only the undone dot's cell is repainted (a full repaint of 5,000 dots
                // takes several frames); the whole heat layer when its top changed.
                if let (Undone::Dot(d), Some((heat, dots))) = (u, layers()) {
                    let px = cell_px.get_untracked();
                    plan.with_value(|p| {
                        session.with_value(|s| {
                            if show_dots.get_untracked() {
                                draw::redraw_spot_dots(&dots, p, s, d.spot, px);
                            }
                            if !max_changed {
                                draw::draw_heat_cell(&heat, p, s, d.spot, px);
                            }
                        })
                    });
                    if max_changed {
                        redraw_heat();
                    }
                }
                if let Undone::Vote(v) = u {
                    if let Some(i) = session.with_value(|s| s.proposals.iter().position(|&p| p == v.proposal))
                    {
                        selected.set(i);
                    }
                }
                rev.update(|r| *r += 1);
                say(Msg::Info(match u {
                    Undone::Dot(d) => format!(
                        "{}{} · {}",
                        tr(i18n, "已撤销：", "Undone: "),
                        cat_name(usize::from(d.category)),
                        spot_name(d.spot)
                    ),
                    Undone::Vote(v) => format!(
                        "{}{} → {}",
                        tr(i18n, "已撤销投票：参与者 ", "Vote undone: participant "),
                        v.participant,
                        v.proposal
                    ),
                    Undone::NextParticipant => {
                        tr(i18n, "已退回上一位参与者", "Back to the previous participant")
                    }
                }));
            }
            None => say(Msg::Info(tr(i18n, "没有可撤销的操作", "Nothing to undo"))),
        }
    };
    let vote = move || {
        let i = selected.get_untracked();
        let r = session.try_update_value(|s| match s.proposals.get(i).copied() {
            Some(p) => s.vote(p),
            None => Err(WorkshopError::NotOnBallot(0)),
        });
        match r {
            Some(Ok(())) => {
                rev.update(|r| *r += 1);
                msg.set(None);
            }
            Some(Err(WorkshopError::NoDotsLeft { participant, limit })) => say(Msg::Error(format!(
                "{}{participant}{}{limit}{}",
                tr(i18n, "第 ", "Participant "),
                tr(i18n, " 位参与者的 ", " has used all "),
                tr(
                    i18n,
                    " 个点已用完，按 N 换下一位",
                    " dots; press N for the next one"
                )
            ))),
            _ => say(Msg::Error(tr(
                i18n,
                "本期没有可投票的提案",
                "No proposal to vote on in this period",
            ))),
        }
    };
    let next_participant = move || match session.try_update_value(Session::next_participant) {
        Some(Ok(n)) => {
            rev.update(|r| *r += 1);
            say(Msg::Info(format!(
                "{}{n}{}",
                tr(i18n, "请第 ", "Participant "),
                tr(i18n, " 位参与者投票", ", your turn")
            )));
        }
        _ => say(Msg::Error(tr(
            i18n,
            "这位参与者还没有投点，先投再换人",
            "This participant has not placed a dot yet",
        ))),
    };
    let toggle_timer = move || {
        let t = now_millis();
        now.set(t);
        timer.update(|x| x.toggle(t));
    };
    let toggle_fullscreen = move || {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if doc.fullscreen_element().is_some() {
            doc.exit_fullscreen();
        } else if let Some(el) = doc.query_selector("article.ws").ok().flatten() {
            if let Err(e) = el.request_fullscreen() {
                say(Msg::Error(js_error_text(&e)));
            }
        }
    };
    let move_cursor = move |dx: i32, dy: i32| {
        let (cols, rows) = extent.get_untracked();
        cursor.update(|(x, y)| {
            *x = (i32::from(*x) + dx).clamp(0, i32::from(cols) - 1) as u16;
            *y = (i32::from(*y) + dy).clamp(0, i32::from(rows) - 1) as u16;
        });
    };
    let save_layout = move || {
        let changed = plan.with_value(|p| stored_buildings.with_value(|b| p.changed(b)));
        if changed.is_empty() {
            say(Msg::Info(tr(i18n, "布局没有变化", "The layout did not change")));
            return;
        }
        let actor = t_string!(i18n, actor_default).to_string();
        spawn_local(async move {
            let r = async {
                let db = storage.db().ok_or(DbError::Unavailable)?;
                let audit_id = db.max_key("audit_log").await? + 1;
                let mut batch = Batch::default();
                for b in &changed {
                    batch.put("buildings", b)?;
                }
                batch.add(
                    "audit_log",
                    &audit(
                        audit_id,
                        "buildings",
                        0,
                        "update",
                        format!("workshop layout: {} buildings moved", changed.len()),
                        actor,
                    ),
                )?;
                db.commit(batch).await
            }
            .await;
            match r {
                Ok(()) => {
                    stored_buildings.update_value(|v| {
                        for b in v.iter_mut() {
                            if let Some(c) = changed.iter().find(|c| c.id == b.id) {
                                *b = c.clone();
                            }
                        }
                    });
                    storage.changed();
                    say(Msg::Info(format!(
                        "{}{}",
                        tr(
                            i18n,
                            "布局已保存，移动的楼栋：",
                            "Layout saved; buildings moved: "
                        ),
                        changed.len()
                    )));
                }
                Err(e) => say(Msg::Error(format!(
                    "{}{e}",
                    tr(i18n, "布局保存失败：", "The layout was not saved: ")
                ))),
            }
        });
    };
    let toggle_arrange = move || {
        if mode.get_untracked() == Mode::Arrange {
            holding.set(None);
            mode.set(Mode::Map);
            save_layout();
        } else {
            mode.set(Mode::Arrange);
            say(Msg::Info(tr(
                i18n,
                "调整布局：拖动楼栋，或用方向键 + Enter 拿起/放下；再按 L 保存",
                "Layout: drag buildings, or arrows + Enter to pick up / drop; press L again to save",
            )));
        }
    };
    let arrange_enter = move || {
        let (x, y) = cursor.get_untracked();
        match holding.get_untracked() {
            None => match plan.with_value(|p| p.building_at(x, y).map(|b| b.id)) {
                Some(id) => holding.set(Some(id)),
                None => say(Msg::Error(tr(i18n, "这里没有楼栋", "No building here"))),
            },
            Some(id) => {
                plan.update_value(|p| {
                    p.move_building(id, x, y);
                });
                holding.set(None);
                layout_rev.update(|r| *r += 1);
                fit();
            }
        }
    };
    let save = move || {
        if saving.get_untracked() {
            return;
        }
        let (period, has_votes) = (
            data.with_value(|d| d.period.clone()),
            session.with_value(|s| !s.votes().is_empty()),
        );
        let (has_dots, n_dots) = session.with_value(|s| (!s.dots().is_empty(), s.dots().len()));
        if !has_dots && !has_votes {
            say(Msg::Error(tr(
                i18n,
                "还没有圆点可保存",
                "There are no dots to save yet",
            )));
            return;
        }
        let period = period.unwrap_or_default();
        let snapshot = session.get_value();
        let actor = t_string!(i18n, actor_default).to_string();
        saving.set(true);
        spawn_local(async move {
            let r = async {
                let db = storage.db().ok_or(DbError::Unavailable)?;
                let setting: Option<Setting> = db.get("settings", &JsValue::from_str(NEEDS_SETTING)).await?;
                // A damaged setting is replaced rather than blocking the save.
                let mut all =
                    WorkshopNeeds::parse(setting.as_ref().map(|s| s.value.as_str())).unwrap_or_default();
                let first_id = db.max_key("ballots").await? + 1;
                let audit_id = db.max_key("audit_log").await? + 1;
                let at = now_millis();
                let ballots = snapshot.ballots(&period, first_id, at);
                let ids: Vec<u32> = ballots.iter().map(|b| b.id).collect();
                let old = all.upsert(snapshot.needs_record(at, &period, ids));
                let mut batch = Batch::default();
                for id in &old {
                    batch.delete("ballots", *id);
                }
                for b in &ballots {
                    batch.add("ballots", b)?;
                }
                batch.put(
                    "settings",
                    &Setting {
                        key: NEEDS_SETTING.to_owned(),
                        value: serde_json::to_string(&all).unwrap_or_default(),
                    },
                )?;
                batch.add(
                    "audit_log",
                    &audit(
                        audit_id,
                        "settings",
                        0,
                        "update",
                        format!(
                            "workshop session {}: {} needs dots, {} ballots (replacing {})",
                            snapshot.started_at,
                            snapshot.dots().len(),
                            ballots.len(),
                            old.len()
                        ),
                        actor,
                    ),
                )?;
                db.commit(batch).await?;
                Ok::<usize, DbError>(ballots.len())
            }
            .await;
            saving.set(false);
            match r {
                Ok(n) => {
                    storage.changed();
                    say(Msg::Info(format!(
                        "{}{n_dots}{}{n}{}",
                        tr(i18n, "已保存：", "Saved: "),
                        tr(i18n, " 个需求圆点，", " needs dots, "),
                        tr(i18n, " 张选票", " ballots")
                    )));
                }
                Err(e) => say(Msg::Error(format!(
                    "{}{e}",
                    tr(i18n, "保存失败：", "Not saved: ")
                ))),
            }
        });
    };
    let export_csv = move || {
        let zh = is_zh(i18n);
        let names: Vec<String> = (0..data.with_value(|d| d.categories.len()))
            .map(cat_name)
            .collect();
        let buildings: HashMap<u32, String> =
            plan.with_value(|p| p.buildings().iter().map(|b| (b.id, b.name.clone())).collect());
        let proposals: HashMap<u32, String> =
            data.with_value(|d| d.proposals.iter().map(|p| (p.id, p.title.clone())).collect());
        let csv = session.with_value(|s| {
            session_csv(
                s,
                &CsvNames {
                    zh,
                    categories: &names,
                    buildings: &buildings,
                    proposals: &proposals,
                },
            )
        });
        match download(
            &csv,
            &format!("workshop-{}.csv", file_stamp()),
            "text/csv;charset=utf-8",
        ) {
            Ok(()) => say(Msg::Info(tr(i18n, "已导出 CSV", "CSV exported"))),
            Err(e) => say(Msg::Error(js_error_text(&e))),
        }
    };
    let export_png = move || {
        let r = (|| -> Result<(), JsValue> {
            let doc = web_sys::window()
                .and_then(|w| w.document())
                .ok_or("no document")?;
            let canvas: HtmlCanvasElement = doc.create_element("canvas")?.unchecked_into();
            let px = cell_px.get_untracked();
            let px = draw::CellSize {
                w: px.w.max(80.0),
                h: px.h.max(80.0),
            };
            let (cols, rows) = extent.get_untracked();
            let (pw, ph) = (f64::from(cols) * px.w, f64::from(rows) * px.h);
            let ncat = data.with_value(|d| d.categories.len());
            let nprop = data.with_value(|d| d.proposals.len());
            let line = 40.0;
            let side = 760.0;
            let w = pw + side + 60.0;
            let h = ph.max(line * (ncat + nprop + 6) as f64) + 120.0;
            canvas.set_width(w as u32);
            canvas.set_height(h as u32);
            let ctx = ctx_of(&canvas).ok_or("no 2d context")?;
            ctx.set_fill_style_str("#111111");
            ctx.fill_rect(0.0, 0.0, w, h);
            ctx.set_fill_style_str("#ffffff");
            ctx.set_font("bold 36px sans-serif");
            ctx.set_text_baseline("top");
            let title = format!(
                "{} · {}",
                tr(i18n, "社区工作坊", "Community workshop"),
                local_minute(now_millis())
            );
            ctx.fill_text(&title, 20.0, 20.0)?;
            ctx.translate(20.0, 90.0)?;
            if let Some(img) = image_ref.get_untracked() {
                if image.get_untracked().is_some() && img.complete() && img.natural_width() > 0 {
                    ctx.draw_image_with_html_image_element_and_dw_and_dh(&img, 0.0, 0.0, pw, ph)?;
                }
            }
            ctx.set_stroke_style_str("#555555");
            ctx.set_line_width(1.0);
            ctx.stroke_rect(0.0, 0.0, pw, ph);
            plan.with_value(|p| {
                session.with_value(|s| {
                    draw::draw_heat(&ctx, p, s, px, 0.0, 0.0);
                    draw::dot_pen(&ctx);
                    let mut k: HashMap<Spot, u32> = HashMap::new();
                    for d in s.dots() {
                        let n = k.entry(d.spot).or_insert(0);
                        draw::draw_dot(&ctx, p, d, *n, px);
                        *n += 1;
                    }
                    draw::draw_buildings(&ctx, p, s, px, 28.0);
                })
            });
            // Counts beside the plan.
            ctx.translate(pw + 40.0, 0.0)?;
            ctx.set_font("bold 30px sans-serif");
            ctx.set_text_baseline("middle");
            let mut y = line / 2.0;
            ctx.set_fill_style_str("#ffffff");
            ctx.fill_text(&tr(i18n, "需求圆点（按类别）", "Needs dots by category"), 0.0, y)?;
            y += line;
            let counts = session.with_value(|s| s.by_category().to_vec());
            ctx.set_font("28px sans-serif");
            for (i, n) in counts.iter().enumerate() {
                ctx.set_fill_style_str(draw::colour(i));
                ctx.set_stroke_style_str("#000000");
                let pts = draw::marker_points(i, 14.0, y, 12.0);
                ctx.begin_path();
                if pts.is_empty() {
                    ctx.arc(14.0, y, 11.0, 0.0, std::f64::consts::TAU)?;
                } else {
                    ctx.move_to(pts[0].0, pts[0].1);
                    for p in &pts[1..] {
                        ctx.line_to(p.0, p.1);
                    }
                    ctx.close_path();
                }
                ctx.fill();
                ctx.stroke();
                ctx.set_fill_style_str("#ffffff");
                ctx.fill_text(&format!("{} {}  {n}", i + 1, cat_name(i)), 40.0, y)?;
                y += line;
            }
            y += line / 2.0;
            ctx.set_font("bold 30px sans-serif");
            ctx.fill_text(&tr(i18n, "圆点投票", "Dot voting"), 0.0, y)?;
            y += line;
            ctx.set_font("28px sans-serif");
            let votes = session.with_value(|s| s.by_proposal().to_vec());
            let top = votes.iter().copied().max().unwrap_or(0).max(1);
            for (p, n) in data
                .with_value(|d| d.proposals.iter().map(|p| p.title.clone()).collect::<Vec<_>>())
                .iter()
                .zip(&votes)
            {
                ctx.set_fill_style_str("#56B4E9");
                ctx.fill_rect(0.0, y - 14.0, 200.0 * f64::from(*n) / f64::from(top), 28.0);
                ctx.set_fill_style_str("#ffffff");
                ctx.fill_text(&format!("{n}  {p}"), 210.0, y)?;
                y += line;
            }
            let url = canvas.to_data_url_with_type("image/png")?;
            download_url(&url, &format!("workshop-{}.png", file_stamp()))
        })();
        match r {
            Ok(()) => say(Msg::Info(tr(i18n, "已导出图片（PNG）", "Image (PNG) exported"))),
            Err(e) => say(Msg::Error(format!(
                "{}{}",
                tr(i18n, "图片导出失败：", "The image was not exported: "),
                js_error_text(&e)
            ))),
        }
    };
    let toggle_vote = move || {
        holding.set(None);
        if mode.get_untracked() == Mode::Arrange {
            save_layout();
        }
        mode.update(|m| *m = if *m == Mode::Vote { Mode::Map } else { Mode::Vote });
        msg.set(None);
    };

    // The keyboard (and presenter clicker).
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || ev.default_prevented() {
            return;
        }
        let tag = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .map(|e| e.tag_name().to_ascii_lowercase())
            .unwrap_or_default();
        if matches!(tag.as_str(), "input" | "select" | "textarea") {
            return;
        }
        let key = ev.key();
        if matches!(tag.as_str(), "button" | "a" | "summary") && matches!(key.as_str(), "Enter" | " ") {
            return;
        }
        let m = mode.get_untracked();
        let ncat = data.with_value(|d| d.categories.len());
        let nprop = data.with_value(|d| d.proposals.len());
        let handled = match key.as_str() {
            k if k.len() == 1 && k.as_bytes()[0].is_ascii_digit() && k != "0" => {
                let i = usize::from(k.as_bytes()[0] - b'1');
                if m == Mode::Vote {
                    if i < nprop {
                        selected.set(i);
                    }
                } else if i < ncat {
                    category.set(i);
                    msg.set(None);
                }
                true
            }
            "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" => {
                let (dx, dy) = match key.as_str() {
                    "ArrowLeft" => (-1, 0),
                    "ArrowRight" => (1, 0),
                    "ArrowUp" => (0, -1),
                    _ => (0, 1),
                };
                if m == Mode::Vote {
                    if nprop > 0 {
                        let step = if dx != 0 { dx } else { dy };
                        selected.update(|s| *s = (*s as i32 + step).rem_euclid(nprop as i32) as usize);
                    }
                } else {
                    move_cursor(dx, dy);
                }
                true
            }
            "PageDown" | "PageUp" => {
                let step = if key == "PageDown" { 1 } else { -1 };
                if m == Mode::Vote {
                    if nprop > 0 {
                        selected.update(|s| *s = (*s as i32 + step).rem_euclid(nprop as i32) as usize);
                    }
                } else if ncat > 0 {
                    category.update(|c| *c = (*c as i32 + step).rem_euclid(ncat as i32) as usize);
                }
                true
            }
            "Enter" => {
                match m {
                    Mode::Map => place_dot(),
                    Mode::Vote => vote(),
                    Mode::Arrange => arrange_enter(),
                }
                true
            }
            "z" | "Z" => {
                if m == Mode::Arrange {
                    holding.set(None);
                } else {
                    undo();
                }
                true
            }
            " " => {
                toggle_timer();
                true
            }
            "+" | "=" => {
                timer.update(|t| t.adjust(60_000));
                true
            }
            "-" | "_" => {
                timer.update(|t| t.adjust(-60_000));
                true
            }
            "r" | "R" => {
                timer.update(Timer::reset);
                true
            }
            "f" | "F" => {
                toggle_fullscreen();
                true
            }
            "v" | "V" => {
                toggle_vote();
                true
            }
            "n" | "N" if m == Mode::Vote => {
                next_participant();
                true
            }
            "l" | "L" => {
                toggle_arrange();
                true
            }
            "h" | "H" => {
                show_dots.update(|v| *v = !*v);
                true
            }
            "s" | "S" => {
                save();
                true
            }
            "?" => {
                help.update(|h| *h = !*h);
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    };
    let key_handle = window_event_listener(ev::keydown, on_key);
    let resize_handle = window_event_listener(ev::resize, move |_| fit());
    let tick = set_interval_with_handle(
        move || {
            if timer.with_untracked(Timer::running) {
                now.set(now_millis());
            }
        },
        std::time::Duration::from_millis(250),
    )
    .ok();
    on_cleanup(move || {
        key_handle.remove();
        resize_handle.remove();
        if let Some(t) = tick {
            t.clear();
        }
    });

    // Dragging buildings (layout mode).
    let cell_of_pointer = move |ev: &web_sys::PointerEvent| -> Option<(u16, u16)> {
        let el = plan_ref.get_untracked()?;
        let r = el.get_bounding_client_rect();
        let px = cell_px.get_untracked();
        let (cols, rows) = extent.get_untracked();
        let x = ((f64::from(ev.client_x()) - r.left()) / px.w).floor();
        let y = ((f64::from(ev.client_y()) - r.top()) / px.h).floor();
        (x >= 0.0 && y >= 0.0 && x < f64::from(cols) && y < f64::from(rows)).then_some((x as u16, y as u16))
    };
    let on_pointer_down = move |ev: web_sys::PointerEvent| {
        if mode.get_untracked() != Mode::Arrange {
            return;
        }
        if let Some((x, y)) = cell_of_pointer(&ev) {
            if let Some(id) = plan.with_value(|p| p.building_at(x, y).map(|b| b.id)) {
                holding.set(Some(id));
                cursor.set((x, y));
                if let Some(el) = plan_ref.get_untracked() {
                    let _ = el.set_pointer_capture(ev.pointer_id());
                }
                ev.prevent_default();
            }
        }
    };
    let on_pointer_move = move |ev: web_sys::PointerEvent| {
        if mode.get_untracked() == Mode::Arrange && holding.get_untracked().is_some() {
            if let Some(c) = cell_of_pointer(&ev) {
                if c != cursor.get_untracked() {
                    cursor.set(c);
                }
            }
        }
    };
    let on_pointer_up = move |ev: web_sys::PointerEvent| {
        if mode.get_untracked() == Mode::Arrange && holding.get_untracked().is_some() {
            if let Some(c) = cell_of_pointer(&ev) {
                cursor.set(c);
                arrange_enter();
            } else {
                holding.set(None);
            }
        }
    };

    // Plan image upload.
    let on_image = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        let kind = file.type_();
        if !PLAN_IMAGE_TYPES.contains(&kind.as_str()) {
            say(Msg::Error(tr(
                i18n,
                "只支持 PNG、JPEG 或 SVG 图片",
                "Only PNG, JPEG or SVG images",
            )));
            return;
        }
        if file.size() > MAX_PLAN_IMAGE_BYTES as f64 {
            say(Msg::Error(format!(
                "{}{:.1} MB{}{} MB{}",
                tr(i18n, "图片太大：", "The image is too large: "),
                file.size() / 1_048_576.0,
                tr(i18n, "，最大 ", "; at most "),
                MAX_PLAN_IMAGE_BYTES / 1_048_576,
                tr(i18n, "。请压缩后再上传。", ". Please make it smaller."),
            )));
            return;
        }
        spawn_local(async move {
            let url = match read_data_url(file).await {
                Ok(u) if u.starts_with(&format!("data:{kind};base64,")) => u,
                Ok(_) => {
                    return say(Msg::Error(tr(
                        i18n,
                        "无法读取图片",
                        "The image could not be read",
                    )))
                }
                Err(e) => return say(Msg::Error(js_error_text(&e))),
            };
            let r = async {
                let db = storage.db().ok_or(DbError::Unavailable)?;
                let mut batch = Batch::default();
                batch.put(
                    "settings",
                    &Setting {
                        key: PLAN_IMAGE_SETTING.to_owned(),
                        value: url.clone(),
                    },
                )?;
                db.commit(batch).await
            }
            .await;
            match r {
                Ok(()) => {
                    image.set(Some(url));
                    say(Msg::Info(tr(i18n, "平面图已保存", "Plan image saved")));
                }
                Err(e) => say(Msg::Error(format!(
                    "{}{e}",
                    tr(i18n, "平面图保存失败：", "The plan image was not saved: ")
                ))),
            }
        });
    };
    let remove_image = move || {
        spawn_local(async move {
            let r = async {
                let db = storage.db().ok_or(DbError::Unavailable)?;
                let mut batch = Batch::default();
                batch.delete("settings", PLAN_IMAGE_SETTING);
                db.commit(batch).await
            }
            .await;
            match r {
                Ok(()) => {
                    image.set(None);
                    say(Msg::Info(tr(i18n, "平面图已移除", "Plan image removed")));
                }
                Err(e) => say(Msg::Error(e.to_string())),
            }
        });
    };

    // Views.
    let timer_text = move || format_mmss(timer.with(|t| t.remaining(now.get())));
    let timer_done = move || timer.with(|t| t.remaining(now.get()) == 0);
    let mode_label = move || match mode.get() {
        Mode::Map => tr(i18n, "需求地图", "Needs map"),
        Mode::Vote => tr(i18n, "圆点投票", "Dot voting"),
        Mode::Arrange => tr(i18n, "调整布局", "Arrange the plan"),
    };
    let total = move || {
        rev.track();
        session.with_value(|s| s.dots().len())
    };
    let btn = move |label: Signal<String>, testid: &'static str, f: Box<dyn Fn() + Send + Sync>| {
        view! {
            <button type="button" class="ws-btn" data-testid=testid
                on:mousedown=|ev| ev.prevent_default()
                on:click=move |_| f()>{move || label.get()}</button>
        }
    };

    let tiles = move || {
        layout_rev.track();
        let px = cell_px.get();
        plan.with_value(|p| {
            p.buildings()
                .iter()
                .map(|b| {
                    let id = b.id;
                    let name = b.name.clone();
                    let count = Memo::new(move |_| {
                        rev.track();
                        session.with_value(|s| s.spot(Spot::Building(id)).map_or(0, |c| c.total))
                    });
                    view! {
                        <div class="ws-tile" data-testid=format!("ws-tile-{id}") data-count=move || count.get()
                            class:held=move || holding.get() == Some(id)
                            style:left=format!("{}px", f64::from(b.x) * px.w)
                            style:top=format!("{}px", f64::from(b.y) * px.h)
                            style:width=format!("{}px", px.w) style:height=format!("{}px", px.h)>
                            <span class="ws-name">{name}</span>
                            <span class="ws-count" class:zero=move || count.get() == 0>{move || count.get()}</span>
                        </div>
                    }
                })
                .collect_view()
        })
    };
    let cursor_style = move || {
        let px = cell_px.get();
        let (x, y) = cursor.get();
        format!(
            "left:{}px;top:{}px;width:{}px;height:{}px;border-color:{}",
            f64::from(x) * px.w,
            f64::from(y) * px.h,
            px.w,
            px.h,
            draw::colour(category.get())
        )
    };
    let plan_size = move || {
        let px = cell_px.get();
        let (c, r) = extent.get();
        (f64::from(c) * px.w, f64::from(r) * px.h)
    };

    let here = move || {
        rev.track();
        let (x, y) = cursor.get();
        let spot = plan.with_value(|p| Spot::of_cell(p, x, y));
        let counts = session.with_value(|s| s.spot(spot).cloned());
        let mut parts: Vec<(usize, u32)> = counts
            .map(|c| {
                c.by_category
                    .iter()
                    .copied()
                    .enumerate()
                    .filter(|(_, n)| *n > 0)
                    .collect()
            })
            .unwrap_or_default();
        parts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        parts.truncate(4);
        view! {
            <div class="ws-here" data-testid="ws-here">
                <strong>{spot_name(spot)}</strong>
                <ul>
                    {parts.into_iter().map(|(i, n)| view! {
                        <li><span class="ws-chip" style:background=draw::colour(i)></span>{cat_name(i)}" "<b>{n}</b></li>
                    }).collect_view()}
                </ul>
            </div>
        }
    };

    let categories_panel = move || {
        let n = data.with_value(|d| d.categories.len());
        (0..n)
            .map(|i| {
                let count = Memo::new(move |_| {
                    rev.track();
                    session.with_value(|s| s.by_category().get(i).copied().unwrap_or(0))
                });
                let poly = draw::svg_points(i, 18.0, 18.0, 15.0);
                view! {
                    <li class="ws-cat" class:chosen=move || category.get() == i data-testid=format!("ws-cat-{i}") data-count=move || count.get()>
                        <kbd>{i + 1}</kbd>
                        <svg width="36" height="36" viewBox="0 0 36 36" aria-hidden="true">
                            {match poly {
                                Some(p) => view! { <polygon points=p fill=draw::colour(i) stroke="#000" stroke-width="2"/> }.into_any(),
                                None => view! { <circle cx="18" cy="18" r="13" fill=draw::colour(i) stroke="#000" stroke-width="2"/> }.into_any(),
                            }}
                        </svg>
                        <span class="ws-cat-name">{move || cat_name(i)}</span>
                        <span class="ws-cat-count">{move || count.get()}</span>
                    </li>
                }
            })
            .collect_view()
    };

    let vote_view = move || {
        let rows = data.with_value(|d| {
            d.proposals
                .iter()
                .map(|p| (p.id, p.title.clone()))
                .collect::<Vec<_>>()
        });
        let period = data.with_value(|d| d.period.clone()).unwrap_or_default();
        if rows.is_empty() {
            return view! { <p class="ws-empty">{move || tr(i18n, "本期没有通过审查的提案，无法投票。", "No reviewed proposal to vote on.")}</p> }.into_any();
        }
        view! {
            <div class="ws-vote" data-testid="ws-vote">
                <h2>{move || format!("{} {period}", tr(i18n, "圆点投票 · 期次", "Dot voting · period"))}</h2>
                <ol class="ws-bars">
                    {rows.into_iter().enumerate().map(|(i, (id, title))| {
                        let count = move || {
                            rev.track();
                            session.with_value(|s| s.by_proposal().get(i).copied().unwrap_or(0))
                        };
                        let width = move || {
                            rev.track();
                            let top = session.with_value(|s| s.by_proposal().iter().copied().max().unwrap_or(0)).max(1);
                            format!("{}%", f64::from(count()) * 100.0 / f64::from(top))
                        };
                        view! {
                            <li class:chosen=move || selected.get() == i data-testid=format!("ws-prop-{id}") data-count=count>
                                <kbd>{if i < 9 { (i + 1).to_string() } else { "·".to_owned() }}</kbd>
                                <span class="ws-title">{title}</span>
                                <span class="ws-bar"><span style:width=width></span></span>
                                <b class="ws-votes">{count}</b>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </div>
        }
        .into_any()
    };
    let participant_panel = move || {
        rev.track();
        let (p, left, limit, voters) = session.with_value(|s| {
            (
                s.participant(),
                s.left(),
                s.dots_per_participant(),
                s.participants(),
            )
        });
        view! {
            <div class="ws-participant" data-testid="ws-participant" data-participant=p data-left=left>
                <p><strong>{move || format!("{}{p}{}", tr(i18n, "第 ", "Participant "), tr(i18n, " 位参与者", ""))}</strong></p>
                <p>{move || format!("{}{left} / {limit}", tr(i18n, "剩余圆点 ", "Dots left "))}</p>
                <p>{move || format!("{}{voters}", tr(i18n, "已投票人数 ", "Voted "))}</p>
                <label class="ws-limit">{move || tr(i18n, "每人点数", "Dots each")}
                    <input type="number" min="1" max="20" data-testid="ws-limit" prop:value=limit
                        on:change=move |ev| {
                            let v: u32 = event_target_value(&ev).parse().unwrap_or(0);
                            match session.try_update_value(|s| s.set_dots_per_participant(v)) {
                                Some(Ok(())) => { rev.update(|r| *r += 1); msg.set(None); }
                                Some(Err(WorkshopError::LimitBelowUsed { participant, used, .. })) => say(Msg::Error(format!(
                                    "{}{participant}{}{used}",
                                    tr(i18n, "不能少于已投点数：参与者 ", "Cannot go below dots already placed: participant "),
                                    tr(i18n, " 已投 ", " placed "),
                                ))),
                                _ => say(Msg::Error(tr(i18n, "每人至少 1 点", "At least 1 dot each"))),
                            }
                        }/>
                </label>
            </div>
        }
    };

    let help_text = move || {
        match mode.get() {
        Mode::Vote => tr(
            i18n,
            "数字/↑↓ 选提案 · Enter 投一点 · N 下一位 · Z 撤销 · V 回到地图 · 空格 计时 · S 保存 · F 全屏",
            "number/↑↓ proposal · Enter vote · N next participant · Z undo · V map · space timer · S save · F full screen",
        ),
        Mode::Arrange => tr(
            i18n,
            "拖动楼栋，或方向键 + Enter 拿起/放下 · Z 放回 · L 完成并保存布局",
            "drag buildings, or arrows + Enter to pick up / drop · Z cancel · L done and save",
        ),
        Mode::Map => tr(
            i18n,
            "数字 选类别 · 方向键 移动 · Enter 放点 · Z 撤销 · 空格 计时 · H 只看热力 · V 投票 · L 布局 · S 保存 · F 全屏",
            "number category · arrows move · Enter place · Z undo · space timer · H heat only · V vote · L layout · S save · F full screen",
        ),
    }
    };

    let toggle_lang = move || {
        i18n.set_locale(if is_zh(i18n) { Locale::en } else { Locale::zh });
    };

    view! {
        <header class="ws-top">
            <h1>{move || tr(i18n, "社区工作坊", "Community workshop")}</h1>
            <span class="ws-mode" data-testid="ws-mode">{mode_label}</span>
            <span class="ws-total">{move || tr(i18n, "需求圆点 ", "Needs dots ")}<b data-testid="ws-total">{total}</b></span>
            <span class="ws-timer" data-testid="ws-timer" class:running=move || timer.with(Timer::running)
                class:done=timer_done role="timer" aria-live="off">{timer_text}</span>
            <nav class="ws-actions" aria-label=move || tr(i18n, "工作坊操作", "Workshop actions")>
                {btn(Signal::derive(move || tr(i18n, "保存 S", "Save S")), "ws-save", Box::new(save))}
                {btn(Signal::derive(move || tr(i18n, "CSV", "CSV")), "ws-csv", Box::new(export_csv))}
                {btn(Signal::derive(move || tr(i18n, "图片", "PNG")), "ws-png", Box::new(export_png))}
                {btn(Signal::derive(move || tr(i18n, "全屏 F", "Full screen F")), "ws-fs", Box::new(toggle_fullscreen))}
                {btn(Signal::derive(move || tr(i18n, "EN", "中文")), "ws-lang", Box::new(toggle_lang))}
                <a class="ws-btn ws-exit" href="#/workspace">{move || tr(i18n, "退出", "Exit")}</a>
            </nav>
        </header>
        <div class="ws-body">
            <div class="ws-main">
                {move || if mode.get() == Mode::Vote { Some(vote_view()) } else { None }}
                <div class="ws-plan-wrap" class:hidden=move || mode.get() == Mode::Vote>
                    <div class="ws-plan" node_ref=plan_ref data-testid="ws-plan" class:arrange=move || mode.get() == Mode::Arrange
                        style:width=move || format!("{}px", plan_size().0) style:height=move || format!("{}px", plan_size().1)
                        on:pointerdown=on_pointer_down on:pointermove=on_pointer_move on:pointerup=on_pointer_up
                        role="img" aria-label=move || tr(i18n, "社区平面图：需求圆点与热力图（计数见右侧）", "Community plan: needs dots and heat map (counts on the right)")>
                        {move || image.get().map(|src| view! { <img class="ws-image" node_ref=image_ref src=src alt=""/> })}
                        <canvas class="ws-heat" node_ref=heat_ref></canvas>
                        <canvas class="ws-dots" node_ref=dots_ref></canvas>
                        {tiles}
                        <div class="ws-cursor" data-testid="ws-cursor" class:holding=move || holding.get().is_some()
                            style=cursor_style
                            data-x=move || cursor.get().0 data-y=move || cursor.get().1></div>
                    </div>
                </div>
            </div>
            <aside class="ws-side">
                {move || if mode.get() == Mode::Vote {
                    participant_panel().into_any()
                } else {
                    view! {
                        <ul class="ws-cats">{categories_panel}</ul>
                        {here}
                    }.into_any()
                }}
                <div class="ws-tools">
                    {btn(Signal::derive(move || if mode.get() == Mode::Vote { tr(i18n, "地图 V", "Map V") } else { tr(i18n, "投票 V", "Vote V") }), "ws-vote-mode", Box::new(toggle_vote))}
                    {btn(Signal::derive(move || if mode.get() == Mode::Arrange { tr(i18n, "保存布局 L", "Save layout L") } else { tr(i18n, "布局 L", "Layout L") }), "ws-arrange", Box::new(toggle_arrange))}
                    <label class="ws-btn ws-file">{move || tr(i18n, "平面图", "Plan image")}
                        <input type="file" accept="image/png,image/jpeg,image/svg+xml" data-testid="ws-image" on:change=on_image/>
                    </label>
                    {move || image.get().is_some().then(|| btn(Signal::derive(move || tr(i18n, "移除平面图", "Remove image")), "ws-image-remove", Box::new(remove_image)))}
                </div>
            </aside>
        </div>
        <footer class="ws-foot">
            {move || match msg.get() {
                Some(Msg::Info(m)) => view! { <p class="ws-msg" role="status" data-testid="ws-msg">{m}</p> }.into_any(),
                Some(Msg::Error(m)) => view! { <p class="ws-msg ws-err" role="alert" data-testid="ws-msg">{m}</p> }.into_any(),
                None => view! { <p class="ws-msg ws-keys">{help_text}</p> }.into_any(),
            }}
            {move || help.get().then(|| view! { <p class="ws-keys">{help_text}</p> })}
        </footer>
    }
}
