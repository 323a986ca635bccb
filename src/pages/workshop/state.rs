//! The workshop's state: one `Copy` handle over the session, the plan and the
//! view's signals, shared by the page's parts, and the canvas repaints.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use linli_domain::model::Building;
use linli_domain::workshop::keys::Mode;
use linli_domain::workshop::layout::{fit_cells, MIN_CELL_PX};
use linli_domain::workshop::saved::SavedSession;
use linli_domain::workshop::{Plan, Session, Spot, Timer};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::browser::now_millis;
use crate::charts::workshop_plan as draw;
use crate::components::labels::is_zh;
use crate::db::workshop::WorkshopData;
use crate::i18n::*;
use crate::state::{use_storage, Storage};

/// Width of the side panel and the room around the plan (px), for the cell size
/// before the view is mounted (then the plan's own column is measured).
const PANEL_PX: f64 = 470.0;
const CHROME_W_PX: f64 = 72.0;
const CHROME_H_PX: f64 = 250.0;
/// The plan's border (both sides, px).
const PLAN_BORDER_PX: f64 = 4.0;
/// Default timer: ten minutes.
const TIMER_MS: i64 = 10 * 60_000;

/// The message line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Msg {
    Info(String),
    Error(String),
}

/// Everything the workshop's parts share. `Copy`.
#[derive(Clone, Copy)]
pub(super) struct Ws {
    pub i18n: I18nContext<Locale>,
    pub storage: Storage,
    /// The acting guide (recorded in the change history).
    pub guide: crate::state::Session,
    /// Loaded once: saving (which reloads other views) never resets a session.
    pub data: StoredValue<Arc<WorkshopData>>,
    pub session: StoredValue<Session>,
    pub plan: StoredValue<Plan>,
    /// The buildings as stored (what a layout save compares with).
    pub stored_buildings: StoredValue<Vec<Building>>,
    /// Bumped after every change of the session (DOM counts).
    pub rev: RwSignal<u64>,
    /// Bumped after every change of the plan layout.
    pub layout_rev: RwSignal<u64>,
    pub mode: RwSignal<Mode>,
    pub category: RwSignal<usize>,
    pub cursor: RwSignal<(u16, u16)>,
    /// The selected proposal (index).
    pub selected: RwSignal<usize>,
    /// The building picked up in layout mode.
    pub holding: RwSignal<Option<u32>>,
    pub show_dots: RwSignal<bool>,
    pub help: RwSignal<bool>,
    pub timer: RwSignal<Timer>,
    pub now: RwSignal<i64>,
    pub msg: RwSignal<Option<Msg>>,
    pub saving: RwSignal<bool>,
    /// The session in progress as kept (see `draft`): the revision it was last
    /// written (or removed) at, whether a write is waiting, when it was last kept,
    /// when the resumed draft had been kept, and why a stored draft was not resumed.
    pub draft_clean: StoredValue<u64>,
    pub draft_pending: StoredValue<bool>,
    pub kept_at: RwSignal<Option<i64>>,
    pub resumed_at: RwSignal<Option<i64>>,
    pub draft_problem: RwSignal<Option<String>>,
    pub image: RwSignal<Option<String>>,
    /// The saved sessions (listed, reopened), last saved first.
    pub saved: RwSignal<Vec<SavedSession>>,
    /// The revision the session was last saved or reopened at (unsaved changes:
    /// any other revision of a session with dots or votes).
    pub saved_rev: StoredValue<Option<u64>>,
    pub cell_px: RwSignal<draw::CellSize>,
    /// Columns and rows of the plan.
    pub extent: Memo<(u16, u16)>,
    pub heat_ref: NodeRef<leptos::html::Canvas>,
    pub dots_ref: NodeRef<leptos::html::Canvas>,
    pub image_ref: NodeRef<leptos::html::Img>,
    pub plan_ref: NodeRef<leptos::html::Div>,
    /// The plan's column (its width is the room the plan fits into).
    pub main_ref: NodeRef<leptos::html::Div>,
}

pub(super) fn ctx_of(c: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    c.get_context("2d").ok().flatten()?.dyn_into().ok()
}

impl Ws {
    /// A session over `data`, with the cells fitted to the window: the session in
    /// progress kept before a reload when there is one that fits this plan, else a
    /// new one.
    pub fn new(data: Arc<WorkshopData>) -> Self {
        let i18n = use_i18n();
        let cat_codes: Vec<String> = data.categories.iter().map(|c| c.code.clone()).collect();
        let proposal_ids: Vec<u32> = data.proposals.iter().map(|p| p.id).collect();
        let plan = StoredValue::new(Plan::new(&data.buildings));
        let layout_rev = RwSignal::new(0u64);
        let (session, resumed_at, problem) = match &data.draft {
            Some(Ok(d)) if d.fits(&cat_codes, &proposal_ids) => (d.session.clone(), Some(d.kept_at), None),
            Some(Ok(d)) => (
                Session::new(now_millis(), cat_codes, proposal_ids),
                None,
                Some(t_string!(
                    i18n,
                    workshop.draft_not_fitting,
                    at = crate::browser::local_minute(d.kept_at)
                )),
            ),
            Some(Err(e)) => (
                Session::new(now_millis(), cat_codes, proposal_ids),
                None,
                Some(t_string!(i18n, workshop.draft_unreadable, error = e)),
            ),
            None => (Session::new(now_millis(), cat_codes, proposal_ids), None, None),
        };
        let ws = Self {
            i18n,
            storage: use_storage(),
            guide: crate::state::use_session(),
            session: StoredValue::new(session),
            draft_clean: StoredValue::new(0),
            draft_pending: StoredValue::new(false),
            kept_at: RwSignal::new(resumed_at),
            resumed_at: RwSignal::new(resumed_at),
            draft_problem: RwSignal::new(problem),
            plan,
            stored_buildings: StoredValue::new(data.buildings.clone()),
            image: RwSignal::new(data.plan_image.clone()),
            saved: RwSignal::new(data.saved.clone()),
            saved_rev: StoredValue::new(None),
            data: StoredValue::new(data),
            rev: RwSignal::new(0u64),
            layout_rev,
            mode: RwSignal::new(Mode::Map),
            category: RwSignal::new(0usize),
            cursor: RwSignal::new((0u16, 0u16)),
            selected: RwSignal::new(0usize),
            holding: RwSignal::new(None::<u32>),
            show_dots: RwSignal::new(true),
            help: RwSignal::new(false),
            timer: RwSignal::new(Timer::new(TIMER_MS)),
            now: RwSignal::new(now_millis()),
            msg: RwSignal::new(None::<Msg>),
            saving: RwSignal::new(false),
            cell_px: RwSignal::new(draw::CellSize {
                w: MIN_CELL_PX,
                h: MIN_CELL_PX,
            }),
            extent: Memo::new(move |_| {
                layout_rev.track();
                plan.with_value(Plan::extent)
            }),
            heat_ref: NodeRef::new(),
            dots_ref: NodeRef::new(),
            image_ref: NodeRef::new(),
            plan_ref: NodeRef::new(),
            main_ref: NodeRef::new(),
        };
        ws.fit();
        ws
    }

    /// Whether the acting guide may change data (not tracked).
    pub fn writable(self) -> bool {
        self.guide
            .guide
            .with_untracked(|g| g.as_ref().is_some_and(|g| g.role.can_write()))
    }

    /// For a write: `true` (and the note "审计员只读" shown) when the acting
    /// guide is a read-only auditor. The workshop is keyboard-driven, so its
    /// writes are refused here rather than by a disabled fieldset.
    pub fn refuse_read_only(self) -> bool {
        if self.writable() {
            return false;
        }
        self.say(Msg::Error(
            t_string!(self.i18n, common.read_only_note).to_string(),
        ));
        true
    }

    pub fn say(self, m: Msg) {
        self.msg.set(Some(m));
    }

    /// Bumps the session's revision (the DOM counts follow) and keeps the session
    /// in progress (debounced, see `draft`).
    pub fn bump(self) {
        self.rev.update(|r| *r += 1);
        self.schedule_draft();
    }

    /// Category `i`'s name in the current language.
    pub fn cat_name(self, i: usize) -> String {
        let zh = is_zh(self.i18n);
        self.data.with_value(|d| {
            d.categories
                .get(i)
                .map(|c| if zh { c.name_zh.clone() } else { c.name_en.clone() })
                .unwrap_or_default()
        })
    }

    pub fn building_name(self, id: u32) -> String {
        self.plan
            .with_value(|p| p.building(id).map(|b| b.name.clone()).unwrap_or_default())
    }

    pub fn spot_name(self, spot: Spot) -> String {
        let i18n = self.i18n;
        match spot {
            Spot::Building(id) => self.building_name(id),
            Spot::Open { x, y } => t_string!(i18n, workshop.open_ground_at, x = x + 1, y = y + 1).to_string(),
        }
    }

    /// Sizes the cells to the room the plan has (`linli_domain::workshop::layout::
    /// fit_cells`): the width of the plan's column once mounted (the window less
    /// the side panel before), so the whole plan fits any width from 1280 px.
    pub fn fit(self) {
        let Some(w) = web_sys::window() else { return };
        let iw = w.inner_width().ok().and_then(|v| v.as_f64()).unwrap_or(1920.0);
        let ih = w.inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(1080.0);
        let room_w = self
            .main_ref
            .try_get_untracked()
            .flatten()
            .map(|m| f64::from(m.client_width()))
            .filter(|&cw| cw > 0.0)
            .unwrap_or(iw - PANEL_PX - CHROME_W_PX)
            - PLAN_BORDER_PX;
        let (cols, rows) = self.extent.get_untracked();
        let c = fit_cells(room_w.max(MIN_CELL_PX), ih - CHROME_H_PX, cols, rows);
        let px = draw::CellSize { w: c.w, h: c.h };
        if px != self.cell_px.get_untracked() {
            self.cell_px.set(px);
        }
    }

    /// Whether the session has dots or votes not saved since they were made.
    pub fn unsaved(self) -> bool {
        let content = self
            .session
            .with_value(|s| !s.dots().is_empty() || !s.votes().is_empty());
        content && self.saved_rev.get_value() != Some(self.rev.get_untracked())
    }

    /// The plan's size in px.
    pub fn plan_px(self) -> (f64, f64) {
        let px = self.cell_px.get_untracked();
        let (cols, rows) = self.extent.get_untracked();
        (f64::from(cols) * px.w, f64::from(rows) * px.h)
    }

    /// The heat and dot layers' contexts, once mounted.
    pub fn layers(self) -> Option<(CanvasRenderingContext2d, CanvasRenderingContext2d)> {
        let heat = self.heat_ref.get_untracked()?;
        let dots = self.dots_ref.get_untracked()?;
        Some((ctx_of(&heat)?, ctx_of(&dots)?))
    }

    /// Repaints the whole heat layer (its top changed).
    pub fn redraw_heat(self) {
        let Some((heat, _)) = self.layers() else { return };
        let px = self.cell_px.get_untracked();
        let (w, h) = self.plan_px();
        self.plan.with_value(|p| {
            self.session
                .with_value(|s| draw::draw_heat(&heat, p, s, px, w, h))
        });
    }

    /// Resizes both layers to the plan and repaints every dot and cell.
    pub fn redraw_all(self) {
        let (Some(hc), Some(dc)) = (self.heat_ref.get_untracked(), self.dots_ref.get_untracked()) else {
            return;
        };
        let px = self.cell_px.get_untracked();
        let (w, h) = self.plan_px();
        for c in [&hc, &dc] {
            if c.width() != w as u32 || c.height() != h as u32 {
                c.set_width(w as u32);
                c.set_height(h as u32);
            }
        }
        let (Some(heat), Some(dots)) = (ctx_of(&hc), ctx_of(&dc)) else {
            return;
        };
        let show_dots = self.show_dots.get_untracked();
        self.plan.with_value(|p| {
            self.session.with_value(|s| {
                draw::draw_heat(&heat, p, s, px, w, h);
                if show_dots {
                    draw::draw_all_dots(&dots, p, s, px, w, h);
                } else {
                    dots.clear_rect(0.0, 0.0, w, h);
                }
            });
        });
    }
}
