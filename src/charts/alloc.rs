//! Allocation charts: a donut of one pool's allocation by category, and bars of each
//! resident group's share of the resources against its share of the population and of the
//! need.
//!
//! Drawn like the heat map (`super::heatmap`): plotters' SVG backend, which escapes every
//! text it writes, shown as an `<img>` with a `data:` URL (never `inner_html`). Colours are
//! the Okabe–Ito palette, distinguishable with the common colour-vision deficiencies; each
//! chart has an always-visible table next to it with the same figures (its text
//! equivalent), and the image's `alt` says so. Geometry is computed from basis points; no
//! money passes through a float.

use leptos::prelude::*;

/// Okabe–Ito: blue, orange, bluish green, vermillion, sky blue, reddish purple, yellow, black.
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000",
];

/// The colours of the three bars of a group: resources, population, need.
pub const BAR_COLOURS: [&str; 3] = ["#0072B2", "#E69F00", "#009E73"];

/// The colour of the `i`-th category (cycling through [`PALETTE`]).
pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

fn hex(c: &str) -> plotters::style::RGBColor {
    let v = u32::from_str_radix(c.trim_start_matches('#'), 16).unwrap_or(0);
    plotters::style::RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

/// `svg` as a `data:` URL.
pub fn data_url(svg: &str) -> String {
    format!(
        "data:image/svg+xml;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(svg))
    )
}

/// Side of the donut picture (px).
pub const DONUT_SIZE: u32 = 220;

/// The donut of shares (basis points, or any non-negative weights), one slice per entry in
/// order, starting at twelve o'clock, clockwise; `centre` is written in the hole.
pub fn donut_svg(shares: &[u32], centre: &str) -> String {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (DONUT_SIZE, DONUT_SIZE)).into_drawing_area();
        let c = (DONUT_SIZE as i32 / 2, DONUT_SIZE as i32 / 2);
        let radius = f64::from(DONUT_SIZE) / 2.0 - 6.0;
        let total: u64 = shares.iter().map(|&s| u64::from(s)).sum();
        if total == 0 {
            let _ = root.draw(&Circle::new(c, radius as i32, hex("#e4e8e6").filled()));
        } else {
            let sizes: Vec<f64> = shares.iter().map(|&s| f64::from(s)).collect();
            let colours: Vec<RGBColor> = (0..shares.len()).map(|i| hex(colour(i))).collect();
            let labels: Vec<String> = vec![String::new(); shares.len()];
            let mut pie = Pie::new(&c, &radius, &sizes, &colours, &labels);
            pie.start_angle(-90.0);
            pie.donut_hole(radius * 0.58);
            let _ = root.draw(&pie);
        }
        let style = ("sans-serif", 15)
            .into_font()
            .style(FontStyle::Bold)
            .color(&hex("#1a1f1c"))
            .pos(Pos::new(HPos::Center, VPos::Center));
        let _ = root.draw(&Text::new(centre.to_owned(), c, style));
        let _ = root.present();
    }
    buf
}

/// One group in the bars chart: its label (user text, escaped by plotters) and three shares
/// in basis points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupBars {
    pub label: String,
    /// Resources, population, need.
    pub shares: [u32; 3],
}

/// Width of the bars picture (px); it scales down with the page.
pub const BARS_WIDTH: u32 = 320;
const BAR_H: i32 = 10;
const LABEL_H: i32 = 18;
const GROUP_GAP: i32 = 10;
const VALUE_W: i32 = 58;

/// Height of the bars picture for `n` groups.
pub fn bars_height(n: usize) -> u32 {
    (n as i32 * (LABEL_H + 3 * (BAR_H + 2) + GROUP_GAP) + GROUP_GAP).max(40) as u32
}

/// `1234` → `12.34%`.
fn pct(bp: u32) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// Grouped horizontal bars: per group its name, then three bars (resources, population,
/// need) with their values.
pub fn bars_svg(groups: &[GroupBars]) -> String {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let height = bars_height(groups.len());
    let max = groups.iter().flat_map(|g| g.shares).max().unwrap_or(0).max(1);
    let span = BARS_WIDTH as i32 - VALUE_W - 8;
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (BARS_WIDTH, height)).into_drawing_area();
        let ink = hex("#1a1f1c");
        let left = Pos::new(HPos::Left, VPos::Center);
        let mut y = GROUP_GAP;
        for g in groups {
            let name = ("sans-serif", 13)
                .into_font()
                .style(FontStyle::Bold)
                .color(&ink)
                .pos(left);
            let _ = root.draw(&Text::new(g.label.clone(), (4, y + LABEL_H / 2), name));
            y += LABEL_H;
            for (i, &s) in g.shares.iter().enumerate() {
                let w = (i64::from(span) * i64::from(s) / i64::from(max)) as i32;
                let _ = root.draw(&Rectangle::new(
                    [(4, y), (4 + w.max(1), y + BAR_H)],
                    hex(BAR_COLOURS[i]).filled(),
                ));
                let val = ("sans-serif", 11).into_font().color(&ink).pos(left);
                let _ = root.draw(&Text::new(pct(s), (8 + w.max(1), y + BAR_H / 2), val));
                y += BAR_H + 2;
            }
            y += GROUP_GAP;
        }
        let _ = root.present();
    }
    buf
}

/// The donut picture. `label` is its accessible name (pointing at the table next to it).
#[component]
pub fn Donut(shares: Vec<u32>, centre: String, #[prop(into)] label: Signal<String>) -> impl IntoView {
    let src = data_url(&donut_svg(&shares, &centre));
    view! {
        <img class="alloc-donut" data-testid="alloc-donut" src=src alt=move || label.get()
            width=DONUT_SIZE height=DONUT_SIZE/>
    }
}

/// The group bars picture.
#[component]
pub fn Bars(groups: Vec<GroupBars>, #[prop(into)] label: Signal<String>) -> impl IntoView {
    let height = bars_height(groups.len());
    let src = data_url(&bars_svg(&groups));
    view! {
        <img class="alloc-bars" data-testid="alloc-bars" src=src alt=move || label.get()
            width=BARS_WIDTH height=height/>
    }
}
