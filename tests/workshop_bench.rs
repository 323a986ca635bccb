//! Workshop plan drawing in the browser (headless Chromium, release wasm): the
//! canvas layers show the dots where the session has them, and — the benchmark of
//! SPEC §2.8 — with 5,000 dots on the demo plan, placing a dot (session, its marker,
//! the heat layer) stays far under a 16 ms frame. Reported as FIGURE lines.
#![cfg(target_arch = "wasm32")]

use std::collections::HashMap;

use linli::charts::workshop_plan::{self as draw, CellSize};
use linli_domain::demo::{generate, DemoConfig};
use linli_domain::workshop::{Plan, Session, Spot};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

const PX: CellSize = CellSize { w: 68.0, h: 110.0 };

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn canvas(w: f64, h: f64) -> (HtmlCanvasElement, CanvasRenderingContext2d) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: HtmlCanvasElement = doc.create_element("canvas").unwrap().unchecked_into();
    c.set_width(w as u32);
    c.set_height(h as u32);
    doc.body().unwrap().append_child(&c).unwrap();
    let ctx = c.get_context("2d").unwrap().unwrap().unchecked_into();
    (c, ctx)
}

/// One pixel's RGBA (`getImageData` called through JS: the app needs no `ImageData`).
fn pixel(ctx: &CanvasRenderingContext2d, x: f64, y: f64) -> Vec<u8> {
    let f: js_sys::Function = js_sys::Reflect::get(ctx, &"getImageData".into())
        .unwrap()
        .unchecked_into();
    let args = js_sys::Array::of4(&x.into(), &y.into(), &1.0.into(), &1.0.into());
    let img = f.apply(ctx, &args).unwrap();
    let data: js_sys::Uint8ClampedArray = js_sys::Reflect::get(&img, &"data".into())
        .unwrap()
        .unchecked_into();
    data.to_vec()
}

fn demo_plan() -> (Plan, Vec<String>) {
    let d = generate(&DemoConfig::default());
    let cats = linli_domain::demo::default_categories()
        .into_iter()
        .map(|c| c.code)
        .collect();
    (Plan::new(&d.buildings), cats)
}

#[wasm_bindgen_test]
fn the_layers_show_dots_and_heat_where_the_session_has_them() {
    let (plan, cats) = demo_plan();
    let (cols, rows) = plan.extent();
    let (w, h) = (f64::from(cols) * PX.w, f64::from(rows) * PX.h);
    let (_hc, heat) = canvas(w, h);
    let (_dc, dots) = canvas(w, h);
    let mut s = Session::new(0, cats, vec![]);
    let b = plan.building_at(0, 0).unwrap().id;
    for _ in 0..3 {
        s.place(1, Spot::Building(b)).unwrap();
    }
    s.place(3, Spot::of_cell(&plan, 0, rows - 1)).unwrap();
    draw::draw_heat(&heat, &plan, &s, PX, w, h);
    draw::draw_all_dots(&dots, &plan, &s, PX, w, h);
    // Heat: the busiest cell in the brightest class, the open cell with one dot in a
    // lower one, an empty cell transparent.
    assert_eq!(pixel(&heat, PX.w / 2.0, 5.0), vec![0xf2, 0xdf, 0x3c, 255]);
    let open = pixel(&heat, PX.w / 2.0, f64::from(rows - 1) * PX.h + 5.0);
    assert_eq!(open[3], 255);
    assert_ne!(open[..3], [0xf2, 0xdf, 0x3c]);
    assert_eq!(pixel(&heat, PX.w * 1.5, f64::from(rows - 1) * PX.h + 5.0)[3], 0);
    // Dots: the centre of each marker has its category's colour (sky blue for 2).
    for k in 0..3 {
        let (x, y) = draw::dot_xy((0, 0), k, PX);
        assert_eq!(
            pixel(&dots, x.round(), y.round()),
            vec![0x56, 0xb4, 0xe9, 255],
            "dot {k}"
        );
    }
    let (x, y) = draw::dot_xy((0, rows - 1), 0, PX);
    assert_eq!(pixel(&dots, x.round(), y.round()), vec![0xf0, 0xe4, 0x42, 255]);
    // Undo and repaint the cell: the marker is gone, the others stay.
    s.undo();
    draw::redraw_spot_dots(&dots, &plan, &s, Spot::of_cell(&plan, 0, rows - 1), PX);
    assert_eq!(pixel(&dots, x.round(), y.round())[3], 0);
    let (x, y) = draw::dot_xy((0, 0), 2, PX);
    assert_eq!(pixel(&dots, x.round(), y.round()), vec![0x56, 0xb4, 0xe9, 255]);
}

/// `(min, median, max)`.
fn stats(mut t: Vec<f64>) -> (f64, f64, f64) {
    t.sort_by(f64::total_cmp);
    (t[0], t[t.len() / 2], t[t.len() - 1])
}

#[wasm_bindgen_test]
fn placing_a_dot_among_5000_stays_within_a_frame() {
    let (plan, cats) = demo_plan();
    let (cols, rows) = plan.extent();
    let (w, h) = (f64::from(cols) * PX.w, f64::from(rows) * PX.h);
    let (_hc, heat) = canvas(w, h);
    let (_dc, dots) = canvas(w, h);
    let mut s = Session::new(0, cats, vec![]);
    let cell = |i: u32| ((i * 7 % u32::from(cols)) as u16, (i * 3 % u32::from(rows)) as u16);
    for i in 0..5_000u32 {
        let (x, y) = cell(i);
        s.place((i % 8) as usize, Spot::of_cell(&plan, x, y)).unwrap();
    }
    draw::draw_heat(&heat, &plan, &s, PX, w, h);
    draw::draw_all_dots(&dots, &plan, &s, PX, w, h);
    // What the page does for one dot: the session, the marker, the heat cell (or the
    // whole heat layer when the busiest spot changed).
    let mut times = Vec::new();
    let mut full_heat = 0;
    draw::dot_pen(&dots);
    for i in 0..500u32 {
        let (x, y) = cell(i * 13 + 1);
        let spot = Spot::of_cell(&plan, x, y);
        let t0 = now();
        let max_before = s.max_spot();
        let d = *s.place((i % 8) as usize, spot).unwrap();
        let n = s.spot(spot).unwrap().total;
        draw::draw_dot(&dots, &plan, &d, n - 1, PX);
        if s.max_spot() == max_before {
            draw::draw_heat_cell(&heat, &plan, &s, spot, PX);
        } else {
            full_heat += 1;
            draw::draw_heat(&heat, &plan, &s, PX, w, h);
        }
        // Make the canvas work happen now, not at the next frame (one pixel read
        // back from each layer, as in the undo loop below).
        let _ = pixel(&heat, 0.0, 0.0);
        let _ = pixel(&dots, 0.0, 0.0);
        times.push(now() - t0);
    }
    assert_eq!(s.dots().len(), 5_500);

    let (min, median, max) = stats(times);
    web_sys::console::log_1(
        &format!(
            "FIGURE workshop_place_dot_5000_wasm: min {min:.2} ms, median {median:.2} ms, max {max:.2} ms (500 dots on 5,000+, {full_heat} full heat repaints)"
        )
        .into(),
    );
    // Undo: the page repaints the undone dot's cell.
    let mut cell_times = Vec::new();
    for _ in 0..50 {
        let t0 = now();
        let max_before = s.max_spot();
        let Some(linli_domain::workshop::Undone::Dot(d)) = s.undo() else {
            panic!("a dot")
        };
        draw::redraw_spot_dots(&dots, &plan, &s, d.spot, PX);
        if s.max_spot() == max_before {
            draw::draw_heat_cell(&heat, &plan, &s, d.spot, PX);
        } else {
            draw::draw_heat(&heat, &plan, &s, PX, w, h);
        }
        let _ = pixel(&heat, 0.0, 0.0);
        let _ = pixel(&dots, 0.0, 0.0);
        cell_times.push(now() - t0);
    }
    let (umin, umed, umax) = stats(cell_times);
    web_sys::console::log_1(
        &format!("FIGURE workshop_undo_dot_5000_wasm: min {umin:.2} ms, median {umed:.2} ms, max {umax:.2} ms (cell repaint)").into(),
    );
    assert!(umed < 16.0, "median undo {umed} ms");
    // A full repaint (resize, layout change) draws every dot.
    let mut full = Vec::new();
    for _ in 0..5 {
        let t0 = now();
        s.undo();
        draw::draw_heat(&heat, &plan, &s, PX, w, h);
        draw::draw_all_dots(&dots, &plan, &s, PX, w, h);
        let _ = pixel(&heat, 0.0, 0.0);
        let _ = pixel(&dots, 0.0, 0.0);
        full.push(now() - t0);
    }
    let (fmin, fmed, fmax) = stats(full);
    web_sys::console::log_1(
        &format!("FIGURE workshop_full_repaint_5500_wasm: min {fmin:.2} ms, median {fmed:.2} ms, max {fmax:.2} ms (resize or layout change: heat + all dots)").into(),
    );
    assert!(median < 16.0, "median {median} ms per dot");
    let spots: HashMap<Spot, u32> = s.spots().map(|(k, c)| (*k, c.total)).collect();
    assert_eq!(spots.values().sum::<u32>() as usize, s.dots().len());
}
