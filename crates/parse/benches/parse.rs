//! The parse hot paths: canonical CSV and X12 811, on input built here.
//!
//! `cargo bench -p telaudit-parse` (add `-- --quick` for a short run).

#[path = "../tests/edi_support/mod.rs"]
mod edi_support;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use edi_support::{group, interchange, render, tx, EXAMPLE_BODY, STD};
use std::hint::black_box;
use telaudit_model::FileId;
use telaudit_parse::{read_canonical_csv, read_edi};

/// A canonical charge CSV of `rows` rows shaped like a generated bill: runs of
/// rows per service, a handful of carriers and accounts, empty optional fields.
fn canonical_csv(rows: usize) -> Vec<u8> {
    let mut s = String::from(
        "carrier,account,invoice,invoice_date,period_start,period_end,service_id,charge_type,\
         charge_code,description,quantity,unit_rate,amount,usage_quantity,usage_unit\n",
    );
    for i in 0..rows {
        let svc = i / 8;
        let (ct, code, desc, qty, rate, amount, uq, unit) = match i % 8 {
            0 => (
                "recurring",
                "PLAN-UNL",
                "Unlimited Plan",
                "1",
                "45.00",
                "45.00",
                "",
                "",
            ),
            1 => ("usage", "DATA", "Data usage", "", "", "0.00", "12.345", "GB"),
            2 => ("usage", "VOICE", "Voice minutes", "", "", "0.00", "310", "MIN"),
            3 => ("tax", "TX-ST", "State Sales Tax", "", "", "2.93", "", ""),
            4 => ("surcharge", "SUR-911", "911 Surcharge", "", "", "0.75", "", ""),
            5 => ("fee", "FEE-ADM", "Administrative Fee", "", "", "1.99", "", ""),
            6 => (
                "credit",
                "CR-PROMO",
                "Promotional Credit",
                "",
                "",
                "-10.00",
                "",
                "",
            ),
            _ => (
                "one_time",
                "ACT",
                "Activation, new line",
                "1",
                "35.00",
                "35.00",
                "",
                "",
            ),
        };
        let desc = if desc.contains(',') {
            format!("\"{desc}\"")
        } else {
            desc.to_string()
        };
        s.push_str(&format!(
            "Verizon Wireless,{acct},INV-{inv},2025-03-05,2025-03-01,2025-03-31,555-{svc:07},{ct},{code},{desc},\
             {qty},{rate},{amount},{uq},{unit}\n",
            acct = 880_000 + svc / 500,
            inv = 10_000 + svc / 500,
        ));
    }
    s.into_bytes()
}

/// An X12 811 interchange of `n` transactions (3 charge rows each).
fn edi_811(n: usize) -> Vec<u8> {
    let txs: Vec<Vec<String>> = (0..n).map(|i| tx(&format!("{i:04}"), &EXAMPLE_BODY)).collect();
    render(&interchange("1", &[group("1", &txs)]), STD)
}

fn bench_csv(c: &mut Criterion) {
    let mut g = c.benchmark_group("canonical_csv");
    g.sample_size(20);
    for rows in [10_000usize, 100_000] {
        let bytes = canonical_csv(rows);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(rows), &bytes, |b, bytes| {
            b.iter(|| {
                let p = read_canonical_csv(black_box(bytes), FileId(0), "bench.csv");
                assert_eq!(p.rows.len(), rows);
                p
            })
        });
    }
    g.finish();
}

fn bench_edi(c: &mut Criterion) {
    let mut g = c.benchmark_group("edi_811");
    g.sample_size(20);
    for n in [1_000usize, 10_000] {
        let bytes = edi_811(n);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &bytes, |b, bytes| {
            b.iter(|| {
                let p = read_edi(black_box(bytes), FileId(0), "bench.edi");
                assert_eq!(p.rows.len(), 3 * n);
                p
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_csv, bench_edi);
criterion_main!(benches);
