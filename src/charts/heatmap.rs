//! Per-building needs heat map on the community plan: one cell per building at
//! its `(plan_x, plan_y)`, coloured by the share of high-priority households
//! or by the mean score, with the building's name and value in the cell, and a
//! legend below.
//!
//! Drawn by plotters (`default-features = false`, SVG backend only): on wasm
//! plotters leaves text to the browser (no font is bundled), and the SVG
//! backend escapes every text it writes (`<`, `>`, `&`, quotes), so building
//! names, which are user text, are text in the picture and never markup. The
//! SVG is shown as an `<img>` with a `data:` URL, not through `inner_html`;
//! an SVG image runs no script. The aggregate tables next to it are its text
//! equivalent (the image's `alt` says so).

use leptos::prelude::*;

/// Width and height of a building cell, and the gap between cells (SVG units = px).
const CELL_W: u32 = 64;
const CELL_H: u32 = 44;
const GAP: u32 = 6;

/// Five classes, light to dark (ColorBrewer OrRd), each with a text colour of
/// enough contrast.
const PALETTE: [(&str, &str); 5] = [
    ("#fef0d9", "#1a1f1c"),
    ("#fdcc8a", "#1a1f1c"),
    ("#fc8d59", "#1a1f1c"),
    ("#d7301f", "#ffffff"),
    ("#7f0000", "#ffffff"),
];
/// Buildings without households.
const EMPTY: (&str, &str) = ("#e4e8e6", "#4d5752");

/// What colours the cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeatMode {
    /// Share of high-tier households (basis points).
    #[default]
    HighShare,
    /// Mean score (tenths of a point).
    MeanScore,
}

/// One building on the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeatCell {
    pub building_id: u32,
    /// User text: shown as a text node only.
    pub name: String,
    pub plan_x: u16,
    pub plan_y: u16,
    pub households: u32,
    pub high: u32,
    /// Mean score in tenths.
    pub mean_tenths: u16,
}

impl HeatCell {
    /// The cell's value in `mode`: basis points of high-tier households, or the mean
    /// score in tenths; `None` without households.
    pub fn value(&self, mode: HeatMode) -> Option<u32> {
        if self.households == 0 {
            return None;
        }
        Some(match mode {
            HeatMode::HighShare => (u64::from(self.high) * 10_000 / u64::from(self.households)) as u32,
            HeatMode::MeanScore => u32::from(self.mean_tenths),
        })
    }
}

/// `value` as text: `12.5%` (basis points, one decimal) or `25.4` (tenths).
pub fn format_value(mode: HeatMode, value: u32) -> String {
    match mode {
        HeatMode::HighShare => {
            let tenths = (value + 5) / 10;
            format!("{}.{}%", tenths / 10, tenths % 10)
        }
        HeatMode::MeanScore => format!("{}.{}", value / 10, value % 10),
    }
}

/// Class boundaries: five equal intervals from the smallest to the largest value.
/// `bounds[i]..bounds[i + 1]` is class `i` (the last class includes its upper end).
pub fn class_bounds(values: impl Iterator<Item = u32>) -> [u32; 6] {
    let (mut lo, mut hi) = (u32::MAX, 0u32);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        (lo, hi) = (0, 0);
    }
    let span = hi - lo;
    let mut b = [0u32; 6];
    for (i, slot) in b.iter_mut().enumerate() {
        *slot = lo + (u64::from(span) * i as u64 / 5) as u32;
    }
    b
}

/// The class (0..5) of `value` for `bounds`.
pub fn class_of(bounds: &[u32; 6], value: u32) -> usize {
    (1..5).take_while(|&i| value >= bounds[i]).count()
}

/// Positions of the cells: `(plan_x, plan_y)`, a building whose place is taken by an
/// earlier one moves right to the next free place (so none is hidden).
fn place(cells: &[HeatCell]) -> Vec<(u32, u32)> {
    let mut taken = std::collections::HashSet::new();
    cells
        .iter()
        .map(|c| {
            let (mut x, y) = (u32::from(c.plan_x), u32::from(c.plan_y));
            while !taken.insert((x, y)) {
                x += 1;
            }
            (x, y)
        })
        .collect()
}

fn hex(c: &str) -> plotters::style::RGBColor {
    let v = u32::from_str_radix(c.trim_start_matches('#'), 16).unwrap_or(0);
    plotters::style::RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

/// The heat map drawn by plotters' SVG backend, as SVG text: one `<rect>` and two
/// `<text>` (name, value) per building, nothing else.
pub fn plotters_svg(cells: &[HeatCell], mode: HeatMode, bounds: &[u32; 6]) -> String {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let places = place(cells);
    let cols = places.iter().map(|p| p.0 + 1).max().unwrap_or(1);
    let rows = places.iter().map(|p| p.1 + 1).max().unwrap_or(1);
    let (width, height) = (cols * (CELL_W + GAP) + GAP, rows * (CELL_H + GAP) + GAP);
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (width, height)).into_drawing_area();
        for (c, &(x, y)) in cells.iter().zip(&places) {
            let value = c.value(mode);
            let (fill, ink) = value.map_or(EMPTY, |v| PALETTE[class_of(bounds, v)]);
            let px = (GAP + x * (CELL_W + GAP)) as i32;
            let py = (GAP + y * (CELL_H + GAP)) as i32;
            let _ = root.draw(&Rectangle::new(
                [(px, py), (px + CELL_W as i32, py + CELL_H as i32)],
                hex(fill).filled(),
            ));
            let ink = hex(ink);
            let center = Pos::new(HPos::Center, VPos::Center);
            let name = ("sans-serif", 13)
                .into_font()
                .style(FontStyle::Bold)
                .color(&ink)
                .pos(center);
            let _ = root.draw(&Text::new(
                c.name.clone(),
                (px + CELL_W as i32 / 2, py + 13),
                name,
            ));
            let shown = value.map_or_else(|| "–".to_owned(), |v| format_value(mode, v));
            let val = ("sans-serif", 12).into_font().color(&ink).pos(center);
            let _ = root.draw(&Text::new(shown, (px + CELL_W as i32 / 2, py + 31), val));
        }
        let _ = root.present();
    }
    buf
}

/// The heat map: the plotters picture and an HTML legend.
#[component]
pub fn HeatMap(
    cells: Vec<HeatCell>,
    #[prop(into)] mode: Signal<HeatMode>,
    /// Accessible name of the picture (the tables below are its text equivalent).
    label: String,
    /// Legend captions by mode: high share, mean score.
    legend_titles: [String; 2],
    /// Text of the "no households" legend entry.
    empty_label: String,
) -> impl IntoView {
    let places = place(&cells);
    let cols = places.iter().map(|p| p.0 + 1).max().unwrap_or(1);
    let rows = places.iter().map(|p| p.1 + 1).max().unwrap_or(1);
    let width = cols * (CELL_W + GAP) + GAP;
    let height = rows * (CELL_H + GAP) + GAP;
    let cells = StoredValue::new(cells);
    let bounds = Memo::new(move |_| {
        let m = mode.get();
        cells.with_value(|cs| class_bounds(cs.iter().filter_map(|c| c.value(m))))
    });

    // The picture as a `data:` URL (percent-encoded SVG).
    let drawn = move || {
        let m = mode.get();
        let b = bounds.get();
        let svg = cells.with_value(|cs| plotters_svg(cs, m, &b));
        format!(
            "data:image/svg+xml;charset=utf-8,{}",
            String::from(js_sys::encode_uri_component(&svg))
        )
    };

    let legend = move || {
        let m = mode.get();
        let b = bounds.get();
        let mut items: Vec<(String, &str)> = PALETTE
            .iter()
            .enumerate()
            .map(|(i, (fill, _))| {
                let text = format!("{} – {}", format_value(m, b[i]), format_value(m, b[i + 1]));
                (text, *fill)
            })
            .collect();
        items.push((empty_label.clone(), EMPTY.0));
        items
            .into_iter()
            .map(|(text, fill)| {
                view! {
                    <li><span class="swatch" style:background=fill aria-hidden="true"></span>{text}</li>
                }
            })
            .collect_view()
    };

    let region = label.clone();
    view! {
        <div class="heatmap-scroll" tabindex="0" role="region" aria-label=region>
            <img class="heatmap" src=drawn alt=label width=width height=height/>
        </div>
        <div class="legend" data-testid="heat-legend">
            <span class="legend-title">{move || match mode.get() {
                HeatMode::HighShare => legend_titles[0].clone(),
                HeatMode::MeanScore => legend_titles[1].clone(),
            }}</span>
            <ul>{legend}</ul>
        </div>
    }
}
