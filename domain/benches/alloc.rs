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
use linli_domain::alloc::{allocate, allocate_inputs, fixture, prepare, AllocConfig};
use linli_domain::dataset::Dataset;

const CATEGORIES: usize = 1_000;
const PERIOD: &str = fixture::STRESS_PERIOD;

fn dataset() -> (Dataset, AllocConfig) {
    fixture::stress(CATEGORIES, 100_000)
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
