//! Charts of the public dashboard, drawn with plotters' SVG backend (which escapes every
//! text it writes: a label `<script>` or `&` stays text) and shown as `<img>` with a
//! `data:` URL, never as markup. Colours are the Okabe–Ito palette, distinguishable with
//! the common colour-vision deficiencies. Geometry comes from integers (basis points,
//! fen); no money passes through a float. Text in the pictures is at least 12.1 px at their
//! natural width (plotters writes `font-size` = size / 1.24: size 15 → 12.1 px) and
//! still ≥ 12 px at the 97.6 % a 360 px phone shows the widest one at (issue #17 item 9). The workspace's allocation page draws with
//! the same functions (`src/charts/alloc.rs` re-exports them).

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

pub fn hex(c: &str) -> plotters::style::RGBColor {
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
        let style = ("sans-serif", 18)
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
const BAR_H: i32 = 14;
const LABEL_H: i32 = 20;
const GROUP_GAP: i32 = 10;
const VALUE_W: i32 = 62;

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
            let name = ("sans-serif", 17)
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
                let val = ("sans-serif", 15).into_font().color(&ink).pos(left);
                let _ = root.draw(&Text::new(pct(s), (8 + w.max(1), y + BAR_H / 2), val));
                y += BAR_H + 2;
            }
            y += GROUP_GAP;
        }
        let _ = root.present();
    }
    buf
}

/// One bar of a horizontal bar chart: label (user text, escaped), value, and the text
/// written after the bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub text: String,
}

/// Width of the horizontal bars picture (px).
pub const HBARS_WIDTH: u32 = 340;
const HBAR_ROW: i32 = 44;

/// Height of the horizontal bars picture for `n` bars.
pub fn hbars_height(n: usize) -> u32 {
    (n as i32 * HBAR_ROW + 8).max(40) as u32
}

/// Horizontal bars, one per row: the label above, the bar (scaled to the largest
/// value) in the palette's colour `i`, the text after it.
pub fn hbars_svg(bars: &[Bar]) -> String {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let height = hbars_height(bars.len());
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let span = i64::from(HBARS_WIDTH as i32 - 120);
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (HBARS_WIDTH, height)).into_drawing_area();
        let ink = hex("#1a1f1c");
        let left = Pos::new(HPos::Left, VPos::Center);
        for (i, b) in bars.iter().enumerate() {
            let y = 4 + i as i32 * HBAR_ROW;
            let name = ("sans-serif", 17).into_font().color(&ink).pos(left);
            let _ = root.draw(&Text::new(b.label.clone(), (4, y + 9), name));
            let w = (span * b.value.min(i64::MAX as u64) as i64 / max.min(i64::MAX as u64) as i64) as i32;
            let _ = root.draw(&Rectangle::new(
                [(4, y + 20), (4 + w.max(2), y + 38)],
                hex(colour(i)).filled(),
            ));
            let val = ("sans-serif", 16).into_font().color(&ink).pos(left);
            let _ = root.draw(&Text::new(b.text.clone(), (10 + w.max(2), y + 29), val));
        }
        let _ = root.present();
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_in_every_chart() {
        let evil = "<script>alert(1)</script> & co";
        let h = hbars_svg(&[Bar {
            label: evil.into(),
            value: 5,
            text: "1 & 2".into(),
        }]);
        let b = bars_svg(&[GroupBars {
            label: evil.into(),
            shares: [1, 2, 3],
        }]);
        let d = donut_svg(&[1, 2], evil);
        for svg in [h, b, d] {
            assert!(!svg.contains("<script>"), "{svg}");
            assert!(svg.contains("&lt;script&gt;"), "{svg}");
            assert!(svg.contains("&amp;"), "{svg}");
        }
    }

    #[test]
    fn bars_scale_to_the_largest_value() {
        let bar = |label: &str, value| Bar {
            label: label.into(),
            value,
            text: String::new(),
        };
        let svg = hbars_svg(&[bar("a", 10), bar("b", 5)]);
        let widths: Vec<u32> = svg
            .split("<rect")
            .skip(1)
            .filter_map(|r| r.split("width=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect();
        // The background rectangle of the picture, then the two bars: full and half.
        let bars: Vec<u32> = widths.into_iter().filter(|w| *w != HBARS_WIDTH).collect();
        assert_eq!(bars.len(), 2, "{svg}");
        assert!(
            bars[0] >= 2 * bars[1] - 1 && bars[0] <= 2 * bars[1] + 1,
            "{bars:?}"
        );
    }
}
