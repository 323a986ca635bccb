//! Needs assessment on 100,000 households (SPEC §2.1: lists stay fast with 100,000
//! households). Goal: scoring all of them in ≤ 10 ms natively.
//!
//! Run with `cargo bench -p linli-domain --bench needs`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use linli_domain::demo::{generate, DemoConfig};
use linli_domain::needs::{self, af, NeedsMatrix, Scorer};

fn bench(c: &mut Criterion) {
    // Data made once, outside every timed loop.
    let d = generate(&DemoConfig {
        households: 100_000,
        ..Default::default()
    });
    let matrix = NeedsMatrix::default();
    let scorer = Scorer::new(&matrix).expect("default matrix is valid");
    let mut g = c.benchmark_group("needs_100k");
    g.throughput(Throughput::Elements(d.households.len() as u64));
    g.sample_size(30);
    g.measurement_time(Duration::from_secs(5));
    g.bench_function("score_all", |b| {
        b.iter(|| needs::score_all(black_box(&matrix), black_box(&d.households), 2026))
    });
    g.bench_function("scorer_score_all_precompiled", |b| {
        b.iter(|| scorer.score_all(black_box(&d.households), 2026))
    });
    g.bench_function("assess_with_aggregates", |b| {
        b.iter(|| needs::assess(black_box(&matrix), black_box(&d.households), &d.buildings, 2026))
    });
    g.bench_function("af_analyse", |b| {
        b.iter(|| {
            af::analyse(
                black_box(&matrix.af),
                black_box(&d.households),
                &d.buildings,
                2026,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
