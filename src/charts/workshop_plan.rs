//! The workshop's community plan drawn on `<canvas>` (SPEC §2.8): a heat layer
//! (one cell per spot, coloured by its share of the busiest spot) and a dot layer
//! (one marker per needs dot, colour *and* shape by category, so the categories stay
//! apart for colour-blind residents and in a grey-scale print).
//!
//! Placing a dot draws that one marker and repaints the heat layer's cells (a few
//! hundred rectangles at most), whatever the number of dots; only undo, a layout
//! change or a resize repaint every dot. The same drawing makes the PNG export.
//! Text drawn here (building names in the export) is canvas text, never markup.

use std::collections::HashMap;

use linli_domain::workshop::{Dot, Plan, Session, Spot};
use web_sys::CanvasRenderingContext2d;

/// Okabe–Ito, the colour-blind-safe palette, for a dark background (white instead of
/// black), then a neutral grey for a ninth category.
pub const PALETTE: [&str; 9] = [
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#FFFFFF", "#999999",
];

/// Heat classes, dark to bright (cividis, readable with every colour-vision type).
pub const HEAT: [&str; 5] = ["#1d3461", "#4a5570", "#7c7b78", "#b3a46a", "#f2df3c"];

/// Sides and turn of each category's marker: 0 sides is a circle.
const SHAPES: [(u8, f64); 9] = [
    (0, 0.0),
    (4, 0.25),
    (3, 0.0),
    (4, 0.0),
    (3, 0.5),
    (6, 0.0),
    (5, 0.0),
    (8, 0.0),
    (0, 0.0),
];

/// The colour of category `i`.
pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Corners of category `i`'s marker of radius `r` around `(cx, cy)`; empty for a circle.
pub fn marker_points(i: usize, cx: f64, cy: f64, r: f64) -> Vec<(f64, f64)> {
    let (sides, turn) = SHAPES[i % SHAPES.len()];
    (0..sides)
        .map(|k| {
            let a = std::f64::consts::TAU * (f64::from(k) / f64::from(sides) + turn / f64::from(sides))
                - std::f64::consts::FRAC_PI_2;
            (cx + r * a.cos(), cy + r * a.sin())
        })
        .collect()
}

/// The `points` attribute of an SVG polygon for category `i` (legend swatches).
pub fn svg_points(i: usize, cx: f64, cy: f64, r: f64) -> Option<String> {
    let p = marker_points(i, cx, cy, r);
    (!p.is_empty()).then(|| {
        p.iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// The cell a spot is drawn in: its building's current cell, or its own.
pub fn spot_cell(plan: &Plan, spot: Spot) -> Option<(u16, u16)> {
    match spot {
        Spot::Building(id) => plan.building(id).map(|b| (b.x, b.y)),
        Spot::Open { x, y } => Some((x, y)),
    }
}

/// The size of a plan cell on screen (px): wide as the window allows, taller when
/// there is room (the plan fills the projector).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellSize {
    pub w: f64,
    pub h: f64,
}

impl CellSize {
    /// Top-left corner of cell `(x, y)`.
    pub fn origin(self, x: u16, y: u16) -> (f64, f64) {
        (f64::from(x) * self.w, f64::from(y) * self.h)
    }
}

/// Where the `k`-th dot of a cell sits: an R2 low-discrepancy sequence over the
/// cell below its name label (deterministic, evenly spread, no randomness).
pub fn dot_xy(cell: (u16, u16), k: u32, px: CellSize) -> (f64, f64) {
    const A1: f64 = 0.754_877_666_246_692_7;
    const A2: f64 = 0.569_840_290_998_053_3;
    let k = f64::from(k);
    let (u, v) = ((0.5 + A1 * k).fract(), (0.5 + A2 * k).fract());
    // Whole markers inside the cell (at least 16 px across, see `dot_radius`).
    let r = dot_radius(px) * 1.15 + 1.0;
    let (ix, iy) = (
        (px.w * 0.1).max(r).min(px.w / 2.0),
        (px.h * 0.1).max(r).min(px.h / 2.0),
    );
    let (x0, y0) = px.origin(cell.0, cell.1);
    (x0 + ix + u * (px.w - 2.0 * ix), y0 + iy + v * (px.h - 2.0 * iy))
}

/// Marker radius for a cell of `px`: at least 16 px across on screen
/// (`linli_domain::workshop::layout::dot_radius`).
pub fn dot_radius(px: CellSize) -> f64 {
    linli_domain::workshop::layout::dot_radius(linli_domain::workshop::layout::Cell { w: px.w, h: px.h })
}

/// Draws one dot (the `k`-th of its spot).
pub fn draw_dot(ctx: &CanvasRenderingContext2d, plan: &Plan, d: &Dot, k: u32, px: CellSize) {
    let Some(cell) = spot_cell(plan, d.spot) else {
        return;
    };
    let (x, y) = dot_xy(cell, k, px);
    let i = usize::from(d.category);
    let r = dot_radius(px);
    ctx.begin_path();
    let pts = marker_points(i, x, y, r * 1.15);
    if pts.is_empty() {
        let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
    } else {
        ctx.move_to(pts[0].0, pts[0].1);
        for p in &pts[1..] {
            ctx.line_to(p.0, p.1);
        }
        ctx.close_path();
    }
    ctx.set_fill_style_str(colour(i));
    ctx.fill();
    ctx.stroke();
}

/// Prepares the dot layer's pen (outline) once per drawing.
pub fn dot_pen(ctx: &CanvasRenderingContext2d) {
    ctx.set_stroke_style_str("#000000");
    ctx.set_line_width(1.5);
}

/// Clears the dot layer and draws every dot.
pub fn draw_all_dots(ctx: &CanvasRenderingContext2d, plan: &Plan, s: &Session, px: CellSize, w: f64, h: f64) {
    ctx.clear_rect(0.0, 0.0, w, h);
    dot_pen(ctx);
    let mut k: HashMap<Spot, u32> = HashMap::new();
    for d in s.dots() {
        let n = k.entry(d.spot).or_insert(0);
        draw_dot(ctx, plan, d, *n, px);
        *n += 1;
    }
}

/// Repaints the dots of one spot's cell only (undo of one dot).
pub fn redraw_spot_dots(ctx: &CanvasRenderingContext2d, plan: &Plan, s: &Session, spot: Spot, px: CellSize) {
    let Some((cx, cy)) = spot_cell(plan, spot) else {
        return;
    };
    let (x, y) = px.origin(cx, cy);
    ctx.clear_rect(x, y, px.w, px.h);
    dot_pen(ctx);
    for (k, d) in s.dots().iter().filter(|d| d.spot == spot).enumerate() {
        draw_dot(ctx, plan, d, k as u32, px);
    }
}

/// The heat class of `n` dots when the busiest spot has `max`.
pub fn heat_class(n: u32, max: u32) -> usize {
    if max == 0 || n == 0 {
        return 0;
    }
    ((u64::from(n) * HEAT.len() as u64 - 1) / u64::from(max)).min(HEAT.len() as u64 - 1) as usize
}

/// Clears the heat layer and fills each spot's cell by its class.
pub fn draw_heat(ctx: &CanvasRenderingContext2d, plan: &Plan, s: &Session, px: CellSize, w: f64, h: f64) {
    ctx.clear_rect(0.0, 0.0, w, h);
    let max = s.max_spot();
    for (spot, c) in s.spots() {
        let Some((cx, cy)) = spot_cell(plan, *spot) else {
            continue;
        };
        ctx.set_fill_style_str(HEAT[heat_class(c.total, max)]);
        let (x, y) = px.origin(cx, cy);
        ctx.fill_rect(x + 2.0, y + 2.0, px.w - 4.0, px.h - 4.0);
    }
}

/// Repaints one spot's cell of the heat layer (when the busiest spot's count, and so
/// every other cell's class, did not change).
pub fn draw_heat_cell(ctx: &CanvasRenderingContext2d, plan: &Plan, s: &Session, spot: Spot, px: CellSize) {
    let Some((cx, cy)) = spot_cell(plan, spot) else {
        return;
    };
    let (x, y) = px.origin(cx, cy);
    ctx.clear_rect(x, y, px.w, px.h);
    if let Some(c) = s.spot(spot) {
        ctx.set_fill_style_str(HEAT[heat_class(c.total, s.max_spot())]);
        ctx.fill_rect(x + 2.0, y + 2.0, px.w - 4.0, px.h - 4.0);
    }
}

/// Building outlines and names (PNG export; on screen they are HTML tiles).
pub fn draw_buildings(ctx: &CanvasRenderingContext2d, plan: &Plan, s: &Session, px: CellSize, font_px: f64) {
    ctx.set_line_width(3.0);
    ctx.set_stroke_style_str("#e8e8e8");
    ctx.set_font(&format!("bold {font_px}px sans-serif"));
    ctx.set_text_baseline("top");
    for b in plan.buildings() {
        let (x, y) = px.origin(b.x, b.y);
        ctx.stroke_rect(x + 3.0, y + 3.0, px.w - 6.0, px.h - 6.0);
        let n = s.spot(Spot::Building(b.id)).map_or(0, |c| c.total);
        for (t, dy) in [(b.name.clone(), 6.0), (n.to_string(), px.h - font_px - 6.0)] {
            let tw = ctx.measure_text(&t).map(|m| m.width()).unwrap_or(0.0);
            ctx.set_fill_style_str("rgba(0,0,0,0.8)");
            ctx.fill_rect(x + 6.0, y + dy - 2.0, tw + 8.0, font_px + 4.0);
            ctx.set_fill_style_str("#ffffff");
            let _ = ctx.fill_text(&t, x + 10.0, y + dy);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_stay_inside_their_cell_and_spread() {
        let px = CellSize { w: 68.0, h: 110.0 };
        let mut seen = std::collections::HashSet::new();
        for k in 0..200 {
            let (x, y) = dot_xy((3, 2), k, px);
            assert!(x > 3.0 * px.w && x < 4.0 * px.w && y > 2.0 * px.h && y < 3.0 * px.h);
            seen.insert(((x * 10.0) as i64, (y * 10.0) as i64));
        }
        assert_eq!(seen.len(), 200, "no two dots on the same point");
    }

    #[test]
    fn heat_classes_cover_the_range() {
        assert_eq!(heat_class(0, 10), 0);
        assert_eq!(heat_class(1, 10), 0);
        assert_eq!(heat_class(10, 10), 4);
        assert_eq!(heat_class(6, 10), 2);
        assert_eq!(heat_class(1, 1), 4);
    }
}
