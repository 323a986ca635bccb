//! Allocation benchmarks (issue #4): 1,000 need categories over 100,000 households.
//!
//! - `allocate_inputs`: the engine on the aggregated demand data (pools, base and flexible
//!   apportionment, floors, caps and change limit, indicators, fairness, cost sharing and
//!   the inputs' SHA-256). Goal: ≤ 5 ms natively.
//! - `prepare`: aggregating the demand data from the 100,000 households (needs scores,
//!   eligibility, waiting lists, requests, spending), measured separately.
//! - `allocate`: both.
//!
//! Run with `cargo bench -p linli-domain --bench alloc`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use linli_domain::alloc::{allocate, allocate_inputs, prepare, AllocConfig, CategoryRule};
use linli_domain::dataset::Dataset;
use linli_domain::demo::{generate, DemoConfig};
use linli_domain::model::{NeedCategory, NeedClass, Resource, ResourceKind, Setting};
use linli_domain::needs::Indicator;

const CATEGORIES: usize = 1_000;
const PERIOD: &str = "2026-Q3";

fn code(i: usize) -> String {
    format!("c{i:04}")
}

/// The 100,000-household demo with its needs, requests, plans and resources spread over
/// 1,000 categories.
fn dataset() -> (Dataset, AllocConfig) {
    let mut d = generate(&DemoConfig {
        households: 100_000,
        ..Default::default()
    });
    let classes = [NeedClass::Basic, NeedClass::Improvement, NeedClass::Special];
    let cats: Vec<NeedCategory> = (0..CATEGORIES)
        .map(|i| NeedCategory {
            code: code(i),
            name_zh: format!("类别{i}"),
            name_en: format!("Category {i}"),
            class: classes[i % 3],
        })
        .collect();
    d.settings.retain(|s| s.key != "need_categories");
    d.settings.push(Setting {
        key: "need_categories".to_owned(),
        value: serde_json::to_string(&cats).unwrap(),
    });
    let mix = |a: u64| a.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    for h in &mut d.households {
        for (k, n) in h.needs.iter_mut().enumerate() {
            n.category = code((mix(u64::from(h.id) * 8 + k as u64) % CATEGORIES as u64) as usize);
        }
    }
    for r in &mut d.requests {
        r.category = code((mix(u64::from(r.id) + 7) % CATEGORIES as u64) as usize);
    }
    for p in &mut d.plans {
        p.category = code(p.id as usize * 97 % CATEGORIES);
    }
    d.resources.clear();
    for (q, period) in ["2026-Q2", PERIOD].into_iter().enumerate() {
        for i in 0..CATEGORIES {
            d.resources.push(Resource {
                id: (q * CATEGORIES + i + 1) as u32,
                name: format!("fund {i}"),
                kind: ResourceKind::Money,
                category: code(i),
                period: period.to_owned(),
                quantity: 1_000_000 + (mix(i as u64 + q as u64) % 5_000_000) as i64,
            });
        }
    }
    d.resources.push(Resource {
        id: 10_000,
        name: "slots".to_owned(),
        kind: ResourceKind::Slots,
        category: code(0),
        period: PERIOD.to_owned(),
        quantity: 5_000,
    });
    let mut config = AllocConfig::for_categories(&cats);
    config.kinds.clear();
    config.kinds.push(linli_domain::alloc::KindRule {
        kind: ResourceKind::Slots,
        categories: (0..CATEGORIES).step_by(10).map(code).collect(),
    });
    config.max_change_bp = Some(5);
    for (i, r) in config.categories.iter_mut().enumerate() {
        if i.is_multiple_of(10) {
            *r = CategoryRule {
                eligibility: Indicator::MembersAged { min_age: 60 },
                ..CategoryRule::default_for(&code(i))
            };
            r.unit_weight = 1;
        }
        if i.is_multiple_of(7) {
            r.floor_bp = 5;
        }
        if i.is_multiple_of(11) {
            r.cap_bp = 5;
        }
    }
    (d, config)
}

/// CPU time of this thread in ms (Linux, 100 clock ticks a second), if known. Criterion
/// measures wall-clock time, which on a shared, loaded machine includes waiting for a core;
/// this reports the CPU time as well.
fn thread_cpu_ms() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let fields: Vec<&str> = s.get(s.rfind(')')? + 2..)?.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}

fn cpu_per_run(name: &str, runs: u32, mut f: impl FnMut()) {
    let start = std::time::Instant::now();
    let Some(cpu0) = thread_cpu_ms() else { return };
    for _ in 0..runs {
        f();
    }
    let cpu = thread_cpu_ms().unwrap_or(cpu0) - cpu0;
    let wall = start.elapsed().as_secs_f64() * 1000.0;
    eprintln!(
        "{name}: {:.2} ms CPU, {:.2} ms wall per run ({runs} runs)",
        cpu / f64::from(runs),
        wall / f64::from(runs)
    );
}

fn bench(c: &mut Criterion) {
    let (d, config) = dataset();
    let inputs = prepare(&d, &config, PERIOD).expect("valid inputs");
    let r = allocate_inputs(&inputs, &config).expect("allocates");
    assert_eq!(r.kinds[0].categories.len(), CATEGORIES);
    assert!(r.kinds[0].constrained, "floors, caps and the change limit bind");
    cpu_per_run("allocate_inputs", 400, || {
        black_box(allocate_inputs(black_box(&inputs), &config).unwrap());
    });
    cpu_per_run("prepare", 40, || {
        black_box(prepare(black_box(&d), &config, PERIOD).unwrap());
    });
    let mut g = c.benchmark_group("alloc_1000x100k");
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(5));
    g.bench_function("allocate_inputs", |b| {
        b.iter(|| allocate_inputs(black_box(&inputs), black_box(&config)).unwrap())
    });
    g.bench_function("prepare", |b| {
        b.iter(|| prepare(black_box(&d), black_box(&config), PERIOD).unwrap())
    });
    g.bench_function("allocate", |b| {
        b.iter(|| allocate(black_box(&d), black_box(&config), PERIOD).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
