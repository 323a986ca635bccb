//! Household register CSV (SPEC §2.1): parse and validate a 100,000-household
//! file, and export it. The file is generated with the demo generator and
//! exported outside the timed loop.
//!
//! Run: `cargo bench -p linli-domain --bench register_csv`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use linli_domain::demo::{generate, DemoConfig};
use linli_domain::register_csv::{export_households, import_households, Headers, ImportLimits};

const HOUSEHOLDS: u32 = 100_000;

fn register_csv(c: &mut Criterion) {
    let d = generate(&DemoConfig {
        households: HOUSEHOLDS,
        ..DemoConfig::default()
    });
    let csv = export_households(&d.households, &d.buildings, &d.grids, Headers::Chinese);
    let limits = ImportLimits::default();

    let mut group = c.benchmark_group("register_csv");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(csv.len() as u64));
    group.bench_function("import_100k_households", |b| {
        b.iter(|| {
            let r = import_households(black_box(csv.as_bytes()), &d.buildings, &d.grids, 2026, &limits)
                .expect("the export imports");
            assert_eq!(r.households.len(), HOUSEHOLDS as usize);
            r
        })
    });
    group.bench_function("export_100k_households", |b| {
        b.iter(|| export_households(black_box(&d.households), &d.buildings, &d.grids, Headers::Chinese))
    });
    group.finish();
}

criterion_group!(benches, register_csv);
criterion_main!(benches);
