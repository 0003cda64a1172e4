//! Feeds arbitrary bytes to a carrier layout reader (the first byte picks the
//! layout among the built-in ones), then does what `telaudit convert` does with the
//! rows: writes them as canonical CSV and reads that back. Nothing may panic, rows
//! must point at lines that exist, and the canonical file must read back to the
//! same rows, refusing nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telaudit_model::{FileId, Position, Row};
use telaudit_parse::{layouts, read_canonical_csv, read_layout, write_canonical_csv, ParsedFile, Role};

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
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let readers: Vec<_> = layouts().iter().filter(|l| l.role != Role::Ignore).collect();
    let layout = readers[usize::from(pick) % readers.len()];
    let p = read_layout(layout, bytes, FileId(1), "fuzz.txt");
    // Lines end in LF (CRLF), or in CR alone when the file has no LF: at most this many.
    let count = |c: u8| bytes.iter().filter(|&&b| b == c).count() as u64;
    let lines = count(b'\n').max(count(b'\r')) + 1;
    for r in &p.rows {
        assert_eq!(r.source.file, FileId(1));
        assert!(r.source.pos >= 1 && u64::from(r.source.pos) <= lines.max(1));
        assert!(r.period_start <= r.period_end);
    }
    for j in &p.rejected {
        if let Position::Line(l) = j.position {
            assert!(l >= 1 && l <= lines, "refused line {l} of {lines}");
        }
        assert!(!j.reason.is_empty());
    }
    let mut out = Vec::new();
    write_canonical_csv(&mut out, &p, "fuzz.txt").unwrap();
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
