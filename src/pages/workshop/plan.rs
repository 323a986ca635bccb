//! The community plan: the plan image, the heat and dot canvases
//! (`crate::charts::workshop_plan`), a tile per building with its count, the
//! cursor, and dragging buildings in layout mode.

use leptos::prelude::*;
use linli_domain::workshop::keys::Mode;
use linli_domain::workshop::layout::{label_font_px, reading_order, LABEL_MIN_PX};
use linli_domain::workshop::Spot;

use super::state::Ws;
use crate::charts::workshop_plan as draw;
use crate::i18n::*;

impl Ws {
    /// The plan cell under the pointer, if on the plan.
    fn cell_of_pointer(self, ev: &web_sys::PointerEvent) -> Option<(u16, u16)> {
        let el = self.plan_ref.get_untracked()?;
        let r = el.get_bounding_client_rect();
        let px = self.cell_px.get_untracked();
        let (cols, rows) = self.extent.get_untracked();
        let x = ((f64::from(ev.client_x()) - r.left()) / px.w).floor();
        let y = ((f64::from(ev.client_y()) - r.top()) / px.h).floor();
        (x >= 0.0 && y >= 0.0 && x < f64::from(cols) && y < f64::from(rows)).then_some((x as u16, y as u16))
    }

    fn on_pointer_down(self, ev: web_sys::PointerEvent) {
        if self.mode.get_untracked() != Mode::Arrange {
            return;
        }
        if let Some((x, y)) = self.cell_of_pointer(&ev) {
            if let Some(id) = self.plan.with_value(|p| p.building_at(x, y).map(|b| b.id)) {
                self.holding.set(Some(id));
                self.cursor.set((x, y));
                if let Some(el) = self.plan_ref.get_untracked() {
                    let _ = el.set_pointer_capture(ev.pointer_id());
                }
                ev.prevent_default();
            }
        }
    }

    fn on_pointer_move(self, ev: web_sys::PointerEvent) {
        if self.mode.get_untracked() == Mode::Arrange && self.holding.get_untracked().is_some() {
            if let Some(c) = self.cell_of_pointer(&ev) {
                if c != self.cursor.get_untracked() {
                    self.cursor.set(c);
                }
            }
        }
    }

    fn on_pointer_up(self, ev: web_sys::PointerEvent) {
        if self.mode.get_untracked() == Mode::Arrange && self.holding.get_untracked().is_some() {
            if let Some(c) = self.cell_of_pointer(&ev) {
                self.cursor.set(c);
                self.pick_up_or_drop();
            } else {
                self.holding.set(None);
            }
        }
    }
}

/// Room a tile's border, padding and label padding take from its width (px).
const TILE_CHROME_PX: f64 = 12.0;

/// A tile per building, with its needs dots, in reading order of the grid
/// positions (row by row, left to right); the name and the count get the largest
/// font (up to 28 px) that fits the tile (`linli_domain::workshop::layout`), the
/// full name is the tile's title.
fn tiles(ws: Ws) -> impl IntoView {
    move || {
        ws.layout_rev.track();
        let px = ws.cell_px.get();
        let inner = px.w - TILE_CHROME_PX;
        // Two lines (name, count) in the tile's height.
        let tallest = ((px.h - TILE_CHROME_PX) / 2.0).floor().max(LABEL_MIN_PX);
        ws.plan.with_value(|p| {
            reading_order(p)
                .into_iter()
                .map(|b| {
                    let id = b.id;
                    let name = b.name.clone();
                    let name_px = label_font_px(&name, inner).min(tallest);
                    let title = name.clone();
                    let count = Memo::new(move |_| {
                        ws.rev.track();
                        ws.session
                            .with_value(|s| s.spot(Spot::Building(id)).map_or(0, |c| c.total))
                    });
                    let count_px = move || {
                        format!(
                            "{}px",
                            label_font_px(&count.get().to_string(), inner).min(tallest)
                        )
                    };
                    view! {
                        <div class="ws-tile" data-testid=format!("ws-tile-{id}") data-count=move || count.get()
                            data-x=b.x data-y=b.y title=title
                            class:held=move || ws.holding.get() == Some(id)
                            style:left=format!("{}px", f64::from(b.x) * px.w)
                            style:top=format!("{}px", f64::from(b.y) * px.h)
                            style:width=format!("{}px", px.w) style:height=format!("{}px", px.h)>
                            <span class="ws-name" style:font-size=format!("{name_px}px")>{name}</span>
                            <span class="ws-count" class:zero=move || count.get() == 0
                                style:font-size=count_px>{move || count.get()}</span>
                        </div>
                    }
                })
                .collect_view()
        })
    }
}

/// The plan with its layers, tiles and cursor.
#[component]
pub(super) fn PlanView(ws: Ws) -> impl IntoView {
    let i18n = ws.i18n;
    // Once mounted, the cells fit the plan's column (not an estimate of it).
    Effect::new(move |_| ws.fit());
    // Full repaint on mount, resize, layout change and the dots toggle.
    Effect::new(move |_| {
        ws.cell_px.track();
        ws.layout_rev.track();
        ws.show_dots.track();
        ws.mode.track();
        ws.redraw_all();
    });
    let cursor_style = move || {
        let px = ws.cell_px.get();
        let (x, y) = ws.cursor.get();
        format!(
            "left:{}px;top:{}px;width:{}px;height:{}px;border-color:{}",
            f64::from(x) * px.w,
            f64::from(y) * px.h,
            px.w,
            px.h,
            draw::colour(ws.category.get())
        )
    };
    let plan_size = move || {
        let px = ws.cell_px.get();
        let (c, r) = ws.extent.get();
        (f64::from(c) * px.w, f64::from(r) * px.h)
    };
    view! {
        <div class="ws-plan-wrap" class:hidden=move || ws.mode.get() == Mode::Vote>
            <div class="ws-plan" node_ref=ws.plan_ref data-testid="ws-plan" class:arrange=move || ws.mode.get() == Mode::Arrange
                style:width=move || format!("{}px", plan_size().0) style:height=move || format!("{}px", plan_size().1)
                on:pointerdown=move |ev| ws.on_pointer_down(ev)
                on:pointermove=move |ev| ws.on_pointer_move(ev)
                on:pointerup=move |ev| ws.on_pointer_up(ev)
                role="img" aria-label=move || t_string!(i18n, workshop.plan_label)>
                {move || ws.image.get().map(|src| view! { <img class="ws-image" node_ref=ws.image_ref src=src alt=""/> })}
                <canvas class="ws-heat" node_ref=ws.heat_ref></canvas>
                <canvas class="ws-dots" node_ref=ws.dots_ref></canvas>
                {tiles(ws)}
                <div class="ws-cursor" data-testid="ws-cursor" class:holding=move || ws.holding.get().is_some()
                    style=cursor_style
                    data-x=move || ws.cursor.get().0 data-y=move || ws.cursor.get().1></div>
            </div>
        </div>
    }
}
