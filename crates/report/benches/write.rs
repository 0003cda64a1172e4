//! The write phase's parts on a client with many findings: the dispute and
//! change lines, report.xlsx, and the dispute files' text (CSV and letters).
//!
//! `cargo bench -p telaudit-report --bench write` (add `-- --quick` for a short
//! run). The client is the few-large-files shape of issue 16: `telaudit generate
//! --services 20000 --accounts-per-carrier 1` (1.38 million rows, about 7,000
//! findings and 22,000 disputed lines), written to a temporary folder; set
//! `TELAUDIT_BENCH_CLIENT` to a client folder to use that one instead.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::PathBuf;
use telaudit_generate::{generate, GenOptions};
use telaudit_report::{
    as_of, changes, dispute_csv, dispute_letters, disputes, report_xlsx, summarize, LetterContext,
};

fn bench_write(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = match std::env::var_os("TELAUDIT_BENCH_CLIENT") {
        Some(p) => PathBuf::from(p),
        None => {
            let path = dir.path().join("bench-client");
            let opts = GenOptions {
                services: 20_000,
                accounts_per_carrier: Some(1),
                ..GenOptions::default()
            };
            generate(&path, &opts).unwrap();
            path
        }
    };
    let dump = telaudit_parse::read_client(&path).unwrap();
    let results = telaudit_rules::evaluate(&telaudit_rules::RuleSet::defaults(), &dump);
    let report = summarize(&dump, &results);
    let all_disputes = disputes(&dump, &results);
    let all_changes = changes(&dump, &results);
    let ctx = LetterContext::new(&dump, &report);
    let mut g = c.benchmark_group("write");
    g.sample_size(10);
    g.bench_function("dispute lines", |b| {
        b.iter(|| disputes(black_box(&dump), &results))
    });
    g.bench_function("report.xlsx", |b| {
        b.iter(|| {
            report_xlsx(
                black_box(&dump),
                &results,
                &report,
                &all_disputes,
                &all_changes,
                as_of(&dump),
            )
        })
    });
    g.bench_function("dispute files' text", |b| {
        b.iter(|| {
            for d in &all_disputes {
                black_box(dispute_csv(d));
                black_box(dispute_letters(d, &ctx));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench_write);
criterion_main!(benches);
