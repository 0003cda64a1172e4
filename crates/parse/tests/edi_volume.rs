//! Many transactions in one file: every one read, positions and sums exact.

mod edi_support;

use edi_support::*;
use telaudit_model::{FileId, Micros};
use telaudit_parse::read_edi;

#[test]
fn ten_thousand_transactions_in_one_interchange() {
    let n = 10_000;
    let txs: Vec<Vec<String>> = (0..n).map(|i| tx(&format!("{i:04}"), &EXAMPLE_BODY)).collect();
    let segs = interchange("1", &[group("1", &txs)]);
    let bytes = render(
        &segs,
        Seps {
            line_break: "",
            ..STD
        },
    );
    let p = read_edi(&bytes, FileId(0), "big.edi");
    assert_eq!(p.rejected, vec![]);
    assert_eq!(p.warnings, vec![]);
    assert_eq!(p.unbalanced, vec![]);
    assert_eq!(p.rows.len(), 3 * n);
    let total: Micros = p.rows.iter().map(|r| r.amount).sum();
    assert_eq!(total, Micros(675_500_000 * n as i64));
    // The last transaction's ST is segment 3 + 22 * (n - 1); its ITA is 19 segments later.
    assert_eq!(p.rows.last().unwrap().source.pos, 3 + 22 * (n as u32 - 1) + 19);
    // One interned copy of each text, whatever the number of rows.
    assert!(p.strings.len() < 20, "{}", p.strings.len());
}

fn proc_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// About 100 MB of X12: run with `cargo test --release -p telaudit-parse --test edi_volume -- --ignored --nocapture`.
/// Checks every row is read and that reading needs little memory beyond the rows.
#[test]
#[ignore = "100 MB input: run in release by hand"]
fn hundred_megabytes_streams() {
    let one = render(
        &tx("0001", &EXAMPLE_BODY),
        Seps {
            line_break: "\n",
            ..STD
        },
    );
    let n = 100_000_000 / one.len();
    let mut bytes = render(&[isa("1"), "GS*CI*A*B*20251205*0930*1*X*004010".to_string()], STD);
    bytes.reserve(one.len() * n + 100);
    for _ in 0..n {
        bytes.extend_from_slice(&one);
    }
    bytes.extend(render(&[format!("GE*{n}*1"), "IEA*1*000000001".to_string()], STD));
    // Reset the peak-memory mark (Linux), so it measures the read alone.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = proc_kb("VmRSS:").unwrap_or(0);
    let t = std::time::Instant::now();
    let p = read_edi(&bytes, FileId(0), "big.edi");
    let secs = t.elapsed().as_secs_f64();
    let peak = proc_kb("VmHWM:").unwrap_or(0);
    assert_eq!(p.rejected, vec![]);
    assert_eq!(p.rows.len(), 3 * n);
    let rows_kb = (p.rows.capacity() * std::mem::size_of::<telaudit_model::Row>() / 1024) as u64;
    println!(
        "{} MB, {n} transactions, {} rows in {secs:.2} s; rows take {} MB, peak grew {} MB (reset: {reset})",
        bytes.len() / 1_000_000,
        p.rows.len(),
        rows_kb / 1024,
        peak.saturating_sub(before) / 1024
    );
    if reset {
        // Rows, plus their vector's growth, plus small change: never a copy of the input.
        assert!(
            peak.saturating_sub(before) < rows_kb * 2 + 64 * 1024,
            "peak {peak} KB, before {before} KB"
        );
    }
}
