//! The shared index and each default rule kind, over a generated client.
//!
//! `cargo bench -p telaudit-rules` (add `-- --quick` for a short run). The client is
//! `telaudit generate --services 2000` (about 139k rows), written to a temporary folder.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use telaudit_generate::{generate, GenOptions};
use telaudit_model::Dump;
use telaudit_rules::{Index, RuleSet};

fn client() -> Dump {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench-client");
    let opts = GenOptions {
        services: 2000,
        ..GenOptions::default()
    };
    generate(&path, &opts).unwrap();
    telaudit_parse::read_client(&path).unwrap()
}

fn bench_rules(c: &mut Criterion) {
    let dump = client();
    let rules = RuleSet::defaults();
    let mut g = c.benchmark_group("rules");
    g.sample_size(20);
    g.bench_function("index", |b| b.iter(|| Index::build(black_box(&dump))));
    let ix = Index::build(&dump);
    // One bench per rule, so per kind (TAX001 and FEE001 are both matching_charge).
    for rule in rules.rules() {
        g.bench_function(rule.id.as_str(), |b| b.iter(|| rule.run(black_box(&dump), &ix)));
    }
    g.bench_function("evaluate_all", |b| {
        b.iter(|| telaudit_rules::evaluate(&rules, black_box(&dump)))
    });
    g.finish();
}

criterion_group!(benches, bench_rules);
criterion_main!(benches);
