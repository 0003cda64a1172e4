//! The totals (overlap removal, by rule, by carrier) and findings.csv, over a
//! generated client's findings.
//!
//! `cargo bench -p telaudit-report` (add `-- --quick` for a short run). The client is
//! `telaudit generate --services 2000` (about 139k rows), written to a temporary folder.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use telaudit_generate::{generate, GenOptions};
use telaudit_report::{findings_csv, summarize};

fn bench_totals(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench-client");
    let opts = GenOptions {
        services: 2000,
        ..GenOptions::default()
    };
    generate(&path, &opts).unwrap();
    let dump = telaudit_parse::read_client(&path).unwrap();
    let results = telaudit_rules::evaluate(&telaudit_rules::RuleSet::defaults(), &dump);
    let mut g = c.benchmark_group("report");
    g.sample_size(20);
    g.bench_function("summarize", |b| b.iter(|| summarize(black_box(&dump), &results)));
    g.bench_function("findings_csv", |b| {
        b.iter(|| findings_csv(black_box(&dump), &results))
    });
    g.finish();
}

criterion_group!(benches, bench_totals);
criterion_main!(benches);
