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
