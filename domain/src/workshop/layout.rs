//! The plan on screen, as pure functions (tested without a browser): the cell
//! size for the room the window leaves, the order of the building tiles, the font
//! size that fits a label into its tile, and the size of a needs dot.
//!
//! - **Fit any width.** The cells are as wide as the room divided by the plan's
//!   columns ([`fit_cells`]); no minimum pushes the plan past the window's edge, so
//!   at 1280 px nothing is cut off.
//! - **Reading order.** The tiles follow their grid positions row by row, left to
//!   right ([`reading_order`]): the order they are read in, by a screen reader too.
//! - **Labels fit.** A tile's name gets the largest font up to the projector's size
//!   at which its estimated width fits the tile ([`label_font_px`]); the view also
//!   ellipsises what still does not fit and gives the full name as a title.
//! - **Dots for a projector.** A dot is at least [`MIN_DOT_PX`] across ([`dot_radius`]).

use super::{Plan, PlanBuilding};
use crate::order::SortDyn;

/// Widest and tallest a cell gets (px).
pub const MAX_CELL_PX: f64 = 180.0;
/// Narrowest a cell gets (px): below it the plan would need more than the room.
pub const MIN_CELL_PX: f64 = 16.0;
/// A needs dot is at least this wide on screen (px).
pub const MIN_DOT_PX: f64 = 16.0;
/// A label's font size on a projector (px), and the smallest it is shrunk to.
pub const LABEL_MAX_PX: f64 = 28.0;
pub const LABEL_MIN_PX: f64 = 11.0;

/// The size of a plan cell (px).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub w: f64,
    pub h: f64,
}

/// Cells for a plan of `cols` × `rows` in a room of `room_w` × `room_h` px: square
/// when the width or the height limits, taller (up to 1.8×) when the rows leave
/// room; whole pixels; `cols × w ≤ room_w` whenever `room_w ≥ cols × MIN_CELL_PX`.
///
/// ```
/// use linli_domain::workshop::layout::fit_cells;
/// let c = fit_cells(900.0, 500.0, 21, 6);
/// assert!(21.0 * c.w <= 900.0 && c.w >= 42.0);
/// assert!(c.h >= c.w && c.h <= 1.8 * c.w);
/// ```
pub fn fit_cells(room_w: f64, room_h: f64, cols: u16, rows: u16) -> Cell {
    let (cols, rows) = (f64::from(cols.max(1)), f64::from(rows.max(1)));
    let by_w = (room_w / cols).floor();
    let by_h = (room_h / rows).floor();
    let w = by_w.min(by_h).clamp(MIN_CELL_PX, MAX_CELL_PX);
    let h = by_h.clamp(w, (w * 1.8).floor().max(w)).min(MAX_CELL_PX.max(w));
    Cell { w, h }
}

/// The plan's buildings in reading order of their grid positions: row by row
/// (`y`), left to right (`x`).
pub fn reading_order(plan: &Plan) -> Vec<&PlanBuilding> {
    let mut v: Vec<&PlanBuilding> = plan.buildings().iter().collect();
    v.sort_by_dyn(|a, b| (a.y, a.x).cmp(&(b.y, b.x)));
    v
}

/// Estimated width of `text` in ems: a CJK or full-width character is 1 em,
/// anything else at most 0.62 em (digits and Latin letters of a sans-serif).
pub fn text_ems(text: &str) -> f64 {
    text.chars()
        .map(|c| if u32::from(c) >= 0x2E80 { 1.0 } else { 0.62 })
        .sum()
}

/// The font size (whole px) at which `text` fits `inner_w` px: at most
/// [`LABEL_MAX_PX`], at least [`LABEL_MIN_PX`] (beyond that the view ellipsises).
///
/// ```
/// use linli_domain::workshop::layout::label_font_px;
/// assert_eq!(label_font_px("3幢", 200.0), 28.0);
/// assert!(label_font_px("20幢", 40.0) * 2.24 <= 40.0);
/// ```
pub fn label_font_px(text: &str, inner_w: f64) -> f64 {
    let ems = text_ems(text).max(1.0);
    (inner_w / ems).floor().clamp(LABEL_MIN_PX, LABEL_MAX_PX)
}

/// A needs dot's radius in a cell of `cell` (the marker is about twice as wide):
/// at least half of [`MIN_DOT_PX`], a larger share of big cells, at most 16 px.
///
/// ```
/// use linli_domain::workshop::layout::{dot_radius, Cell, MIN_DOT_PX};
/// assert!(2.0 * dot_radius(Cell { w: 30.0, h: 30.0 }) >= MIN_DOT_PX);
/// assert_eq!(dot_radius(Cell { w: 400.0, h: 400.0 }), 16.0);
/// ```
pub fn dot_radius(cell: Cell) -> f64 {
    (cell.w.min(cell.h) * 0.12).clamp(MIN_DOT_PX / 2.0 + 1.0, 16.0)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::Building;

    fn building(id: u32, x: u16, y: u16) -> Building {
        Building {
            id,
            grid_id: 1,
            name: format!("{id}幢"),
            units: 1,
            floors: 1,
            year_built: 2000,
            plan_x: x,
            plan_y: y,
        }
    }

    /// The demo's plan: grid `g` owns columns `4(g-1)..4g`, so building ids run
    /// 1, 6, 11, 16, 2, 7 … along the first row.
    #[test]
    fn the_demo_plan_is_read_row_by_row() {
        let bs: Vec<Building> = (0..40u32)
            .map(|i| building(i + 1, ((i % 5) * 4 + (i / 5) % 4) as u16, (i / 20) as u16))
            .collect();
        let plan = Plan::new(&bs);
        let ids: Vec<u32> = reading_order(&plan).iter().map(|b| b.id).collect();
        assert_eq!(&ids[..6], &[1, 6, 11, 16, 2, 7]);
        assert_eq!(ids[20], 21);
        let pos: Vec<(u16, u16)> = reading_order(&plan).iter().map(|b| (b.y, b.x)).collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn widths_from_1280_fit_the_demo_plan() {
        for w in 1280..=2560 {
            let room = f64::from(w) - 500.0;
            let c = fit_cells(room, 600.0, 21, 6);
            assert!(21.0 * c.w <= room, "{w}: {c:?}");
            assert!(2.0 * dot_radius(c) >= MIN_DOT_PX);
        }
    }

    proptest! {
        /// Reading order is a permutation of the buildings, sorted by row then column.
        #[test]
        fn reading_order_is_sorted_by_row_then_column(
            cells in proptest::collection::vec((0u16..30, 0u16..10), 0..80)
        ) {
            let bs: Vec<Building> = cells.iter().enumerate()
                .map(|(i, &(x, y))| building(i as u32 + 1, x, y)).collect();
            let plan = Plan::new(&bs);
            let order = reading_order(&plan);
            prop_assert_eq!(order.len(), plan.buildings().len());
            for w in order.windows(2) {
                prop_assert!((w[0].y, w[0].x) < (w[1].y, w[1].x));
            }
            let mut ids: Vec<u32> = order.iter().map(|b| b.id).collect();
            ids.sort_unstable();
            let mut all: Vec<u32> = plan.buildings().iter().map(|b| b.id).collect();
            all.sort_unstable();
            prop_assert_eq!(ids, all);
        }

        /// The plan never needs more than the room (when the room has the smallest
        /// cells), cells stay within bounds, and dots are projector-sized.
        #[test]
        fn cells_fit_the_room(room_w in 0.0f64..4000.0, room_h in 0.0f64..3000.0, cols in 1u16..60, rows in 1u16..30) {
            let c = fit_cells(room_w, room_h, cols, rows);
            if room_w >= f64::from(cols) * MIN_CELL_PX {
                prop_assert!(f64::from(cols) * c.w <= room_w);
            }
            prop_assert!(c.w >= MIN_CELL_PX && c.w <= MAX_CELL_PX);
            prop_assert!(c.h >= c.w && c.h <= MAX_CELL_PX.max(c.w) && c.h <= 1.8 * c.w);
            prop_assert!(2.0 * dot_radius(c) >= MIN_DOT_PX);
        }

        /// A label's estimated width fits its tile unless the font is at its minimum.
        #[test]
        fn labels_fit_their_tiles(n in 1u32..100_000, inner in 10.0f64..200.0) {
            let name = format!("{n}幢");
            let f = label_font_px(&name, inner);
            prop_assert!((LABEL_MIN_PX..=LABEL_MAX_PX).contains(&f));
            if f > LABEL_MIN_PX {
                prop_assert!(f * text_ems(&name) <= inner);
            }
        }
    }
}
