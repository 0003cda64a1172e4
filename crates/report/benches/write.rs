//! The write phase's parts on the two shapes of client where the outputs are
//! large: many disputed lines, and many accounts.
//!
//! `cargo bench -p telaudit-report --bench write` (add `-- --quick` for a short
//! run, or a filter: `-- "10,000 accounts"`).
//!
//! - **Many disputed lines** (`write/…`): the few-large-files shape of issue 16,
//!   `telaudit generate --services 20000 --accounts-per-carrier 1` (1.38 million
//!   rows, about 7,000 findings and 22,000 disputed lines): the dispute lines,
//!   report.xlsx and the dispute files' text. Set `TELAUDIT_BENCH_CLIENT` to a
//!   client folder to use that one instead (issue 24's tax-exempt enterprise:
//!   `telaudit generate DIR --services 20000 --accounts-per-carrier 1
//!   --tax-every-line`, about 318,000 disputed lines).
//! - **10,000 accounts** (`write 10,000 accounts/…`): issue 24's shape of many
//!   small accounts, `telaudit generate --small-accounts 10000` (20,000 rows,
//!   10,000 findings, 30,000 dispute files): the whole write phase into an
//!   output folder (every file written, flushed to disk and put in place) and
//!   the dispute files' text alone.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::PathBuf;
use telaudit_generate::{generate, GenOptions};
use telaudit_report::{
    as_of, carrier_lines, changes, dispute_letters, disputes, report_xlsx, summarize, write_dispute_csv,
    write_outputs_timed, LetterContext, LineContext,
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
    let cx = LineContext::new(&dump, &results);
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
                let mut csv = Vec::new();
                write_dispute_csv(&mut csv, &cx, d).unwrap();
                black_box(csv);
                black_box(dispute_letters(&cx, d, &ctx));
            }
        })
    });
    g.finish();
}

/// 10,000 one-line accounts: the write phase is 30,000 small files.
fn bench_many_accounts(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many-accounts");
    let opts = GenOptions {
        small_accounts: Some(10_000),
        ..GenOptions::default()
    };
    generate(&path, &opts).unwrap();
    let dump = telaudit_parse::read_client(&path).unwrap();
    let results = telaudit_rules::evaluate(&telaudit_rules::RuleSet::defaults(), &dump);
    let report = summarize(&dump, &results);
    let lines = carrier_lines(&dump, &results);
    let ctx = LetterContext::new(&dump, &report);
    let cx = LineContext::new(&dump, &results);
    let out = dir.path().join("out");
    let mut g = c.benchmark_group("write 10,000 accounts");
    g.sample_size(10);
    g.bench_function("dispute files' text", |b| {
        b.iter(|| {
            for d in &lines.disputes {
                let mut csv = Vec::new();
                write_dispute_csv(&mut csv, &cx, d).unwrap();
                black_box(csv);
                black_box(dispute_letters(&cx, d, &ctx));
            }
        })
    });
    g.bench_function("write phase (files on disk)", |b| {
        b.iter(|| write_outputs_timed(&out, black_box(&dump), &results, &report, &lines, None).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench_write, bench_many_accounts);
criterion_main!(benches);
