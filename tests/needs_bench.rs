//! Speed in the browser (headless Chromium, release wasm), reported as FIGURE
//! lines: the 100,000-household demo scored with the default matrix by
//! `score_all` and by `assess` (scores and aggregates in one pass), and the
//! allocation of 1,000 categories over 100,000 households; each timed several times.
#![cfg(target_arch = "wasm32")]

use linli_domain::demo::{generate, DemoConfig};
use linli_domain::needs::{assess, score_all, NeedsMatrix, MAX_SCORE};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const HOUSEHOLDS: u32 = 100_000;
const RUNS: usize = 7;

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

/// `(min, median)` of the times of `RUNS` calls of `f`.
fn time(mut f: impl FnMut()) -> (f64, f64) {
    let mut t: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t0 = now();
            f();
            now() - t0
        })
        .collect();
    t.sort_by(f64::total_cmp);
    (t[0], t[RUNS / 2])
}

#[wasm_bindgen_test]
fn score_100k_households() {
    let d = generate(&DemoConfig {
        households: HOUSEHOLDS,
        ..DemoConfig::default()
    });
    let year = DemoConfig::default().year;
    let m = NeedsMatrix::default();

    let scores = score_all(&m, &d.households, year).unwrap();
    assert_eq!(scores.len(), HOUSEHOLDS as usize);
    assert!(scores.iter().all(|s| s.score <= MAX_SCORE));
    assert!(scores
        .iter()
        .zip(&d.households)
        .all(|(s, h)| s.household_id == h.id));
    let a = assess(&m, &d.households, &d.buildings, year).unwrap();
    assert_eq!(a.scores, scores);
    assert_eq!(a.aggregates.total.count, HOUSEHOLDS);

    let (min, median) = time(|| {
        let s = score_all(&m, &d.households, year).unwrap();
        assert_eq!(s.len(), HOUSEHOLDS as usize);
    });
    web_sys::console::log_1(
        &format!("FIGURE needs_score_100k_wasm: min {min:.1} ms, median {median:.1} ms ({RUNS} runs)").into(),
    );
    let (min, median) = time(|| {
        let a = assess(&m, &d.households, &d.buildings, year).unwrap();
        assert_eq!(a.scores.len(), HOUSEHOLDS as usize);
    });
    web_sys::console::log_1(
        &format!("FIGURE needs_assess_100k_wasm: min {min:.1} ms, median {median:.1} ms ({RUNS} runs)")
            .into(),
    );
}

/// The allocation benchmark of the allocation issue in the browser: 1,000 categories
/// over 100,000 households (the same fixture as `cargo bench --bench alloc`).
#[wasm_bindgen_test]
fn allocation_of_1000_categories_over_100k_households() {
    use linli_domain::alloc::{allocate_inputs, fixture, prepare};
    let (d, config) = fixture::stress(1_000, HOUSEHOLDS);
    let inputs = prepare(&d, &config, fixture::STRESS_PERIOD).unwrap();
    let mut parts_ok = true;
    let (engine_min, engine_med) = time(|| {
        let r = allocate_inputs(&inputs, &config).unwrap();
        parts_ok &= r.kinds[0].categories.len() == 1_000;
    });
    assert!(parts_ok, "every category gets a line");
    let (prep_min, prep_med) = time(|| {
        prepare(&d, &config, fixture::STRESS_PERIOD).unwrap();
    });
    web_sys::console::log_1(
        &format!(
            "FIGURE alloc_1000x100k_wasm: allocate_inputs min {engine_min:.1} ms, median {engine_med:.1} ms; prepare (aggregate 100,000 households) min {prep_min:.1} ms, median {prep_med:.1} ms ({RUNS} runs)"
        )
        .into(),
    );
}
