//! Participatory-budgeting benchmarks: `mes_cost_add1_greedy` (MES + Add1 + greedy
//! completion) and parsing on the largest pabulib reference instances.
//!
//! Run with `cargo bench -p linli-domain --bench pb` (the instances are read from
//! `$LINLI_PABULIB_DIR`, default the repository's `tests/fixtures/pabulib`).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use linli_domain::pb::{Election, Instance, Rule};

fn read(file: &str) -> String {
    let dir = std::env::var("LINLI_PABULIB_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pabulib"));
    let path = dir.join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("pb");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(15));
    for file in ["Poland_Lodz_2022.pb", "Poland_Warszawa_2026.pb"] {
        let text = read(file);
        group.bench_function(format!("parse/{file}"), |b| {
            b.iter(|| Instance::from_pb_str(black_box(&text)).unwrap());
        });
        let inst = Instance::from_pb_str(&text).unwrap();
        // A fresh Election each time: an Election caches its Add1 result.
        group.bench_function(format!("mes_cost_add1_greedy/{file}"), |b| {
            b.iter(|| {
                Election::new(&inst)
                    .unwrap()
                    .run(black_box(Rule::MesCostAdd1Greedy))
                    .unwrap()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
