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

pub use linli_dashboard::charts::{
    bars_height, bars_svg, colour, data_url, donut_svg, GroupBars, BARS_WIDTH, BAR_COLOURS, DONUT_SIZE,
    PALETTE,
};

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
