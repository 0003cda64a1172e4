//! Feeds arbitrary bytes to the canonical charge CSV reader: it must never panic,
//! every row and refusal must point at a line that exists, no row may be counted
//! twice, and what `telaudit convert` writes of the rows must read back to the
//! same rows (values and order; the line numbers are the new file's).
#![no_main]

use libfuzzer_sys::fuzz_target;
use telaudit_model::{FileId, Position, Row};
use telaudit_parse::{read_canonical_csv, write_canonical_csv, ParsedFile};

/// A row's values with its strings resolved (symbols differ between interners).
fn values(p: &ParsedFile, r: &Row) -> (Vec<String>, String) {
    let s = |x| p.strings.get(x).to_string();
    (
        vec![
            s(r.carrier),
            s(r.account),
            s(r.invoice),
            s(r.service),
            s(r.charge_code),
            s(r.description),
            s(r.usage_unit),
        ],
        format!(
            "{} {} {} {:?} {} {:?} {} {:?}",
            r.invoice_date,
            r.period_start,
            r.period_end,
            r.charge_type,
            r.quantity,
            r.unit_rate,
            r.amount,
            r.usage_quantity
        ),
    )
}

fuzz_target!(|data: &[u8]| {
    let p = read_canonical_csv(data, FileId(1), "fuzz.csv");
    // Physical lines: the text has at most (newlines + 1) of them.
    let lines = memchr_count(data) as u64 + 1;
    let mut seen = std::collections::BTreeSet::new();
    for r in &p.rows {
        assert_eq!(r.source.file, FileId(1));
        assert!(r.source.pos >= 2, "a row on the header line");
        assert!(u64::from(r.source.pos) <= lines);
        assert!(seen.insert(r.source.pos), "two rows from one line");
        assert!(r.period_start <= r.period_end);
    }
    for j in &p.rejected {
        assert_eq!(j.file, "fuzz.csv");
        match j.position {
            Position::Line(l) => {
                assert!(l >= 2 && l <= lines, "refused line {l} of {lines}");
                assert!(!seen.contains(&(l as u32)), "line {l} both read and refused");
                assert_eq!(j.rows, 1);
            }
            Position::File => assert!(p.rows.is_empty()),
            _ => {}
        }
        assert!(!j.reason.is_empty());
    }
    let mut out = Vec::new();
    write_canonical_csv(&mut out, &p, "fuzz.csv").unwrap();
    let back = read_canonical_csv(&out, FileId(2), "back.csv");
    assert!(
        back.rejected.is_empty(),
        "convert output refused: {:?}",
        back.rejected
    );
    assert_eq!(back.rows.len(), p.rows.len());
    for (a, b) in p.rows.iter().zip(&back.rows) {
        assert_eq!(values(&p, a), values(&back, b));
    }
});

fn memchr_count(data: &[u8]) -> usize {
    data.iter().filter(|&&b| b == b'\n').count()
}
