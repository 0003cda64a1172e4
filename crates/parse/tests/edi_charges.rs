//! The charge mapping of spec/edi-811.md beyond the example: usage units, TXI
//! outside an IT1, ITA charges, detail loops that must not bill twice, sections.

mod edi_support;

use edi_support::rows;
use telaudit_model::{FileId, Micros, Position};
use telaudit_parse::read_edi;

const FEATURES: &[u8] = include_bytes!("fixtures/edi/features.edi");

#[test]
fn features_fixture_rows() {
    let p = read_edi(FEATURES, FileId(0), "vz.edi");
    assert_eq!(p.rejected, vec![]);
    assert_eq!(
        p.unbalanced,
        vec![],
        "6 + 25 + 1.23 + 15 + 5 + 7 + 0.7 + 0.1 = 60.03 = TDS*6003"
    );
    let h = "Verizon Business|ACC-11|INV-9|2026-02-03|2026-01-01|2026-01-31";
    assert_eq!(
        rows(&p),
        vec![
            format!("{h}|5551234567|usage|LDMIN|Long distance minutes|120|0.05|6|120|min|@16"),
            // AMT*1 gives the amount; the SLN's AMT*1*999 is not added.
            format!("{h}|5551234567|usage|DATA|DATA|2.5|10|25|2.5|GB|@20"),
            format!("{h}||tax|ST|State Sales Tax|1||1.23|||@28"),
            format!("{h}||fee|LATEFEE|Late Payment Fee|1||15|||@32"),
            format!("{h}||recurring|MISC|MISC|1|5|5|||@34"),
            format!("{h}||recurring|RENT|Router rental|2|3.5|7|||@38"),
            format!("{h}||tax|LS|Local Sales Tax|1||0.7|||@40"),
            format!("{h}||tax|ZZ|Tax ZZ|1||0.1|||@41"),
        ]
    );
    let total: Micros = p.rows.iter().map(|r| r.amount).sum();
    assert_eq!(total, Micros(60_030_000));
    let w: Vec<(Position, &str)> = p
        .warnings
        .iter()
        .map(|w| (w.position, w.message.as_str()))
        .collect();
    assert_eq!(
        w,
        vec![
            (Position::Segment(9), "segment N1*BT skipped: telaudit reads N1*SE and N1*PE in the heading"),
            (
                Position::Segment(22),
                "SLN detail skipped: telaudit bills the IT1 charge it belongs to and never adds its amounts again"
            ),
            (
                Position::Segment(23),
                "segment AMT inside an SLN/TCD/USD detail loop skipped: its money is already in the IT1 charge"
            ),
            (
                Position::Segment(24),
                "TCD detail skipped: telaudit bills the IT1 charge it belongs to and never adds its amounts again"
            ),
            (
                Position::Segment(34),
                "charge with no bill section (no PID*F in an HL level 4-7 loop above it): read as recurring"
            ),
            (Position::Segment(38), "bill section 'Equipment' names no charge type: its charges are read as recurring"),
        ]
    );
}

#[test]
fn n1_se_wins_over_n1_pe_and_an_unbalanced_total_is_kept() {
    let text = String::from_utf8(FEATURES.to_vec()).unwrap();
    let text = text
        .replace("N1*BT*Acme~", "N1*SE*Verizon Wireless~")
        .replace("TDS*6003~", "TDS*6000~");
    let p = read_edi(text.as_bytes(), FileId(0), "vz.edi");
    assert_eq!(p.rejected, vec![]);
    assert!(p
        .rows
        .iter()
        .all(|r| p.strings.get(r.carrier) == "Verizon Wireless"));
    assert_eq!(p.unbalanced.len(), 1);
    assert_eq!(p.unbalanced[0].computed - p.unbalanced[0].stated, Micros(30_000));
    assert_eq!(p.unbalanced[0].rows, 0..8);
}

#[test]
fn quantity_times_price_when_there_is_no_amt() {
    let text = String::from_utf8(FEATURES.to_vec()).unwrap();
    let text = text.replace("IT1*4*2*EA*3.5**SV*RENT~", "IT1*4*3*EA*0.333333**SV*RENT~");
    let p = read_edi(text.as_bytes(), FileId(0), "vz.edi");
    let rent = p
        .rows
        .iter()
        .find(|r| p.strings.get(r.charge_code) == "RENT")
        .unwrap();
    assert_eq!(rent.amount, Micros(999_999));
    // 1.5 x 0.333333 needs 7 decimal places: refused rather than rounded.
    let text = text.replace("IT1*4*3*EA*0.333333", "IT1*4*1.5*EA*0.333333");
    let p = read_edi(text.as_bytes(), FileId(0), "vz.edi");
    assert!(p.rows.is_empty());
    assert_eq!(p.rejected.len(), 1);
    assert_eq!(p.rejected[0].rows, 8);
    assert!(p.rejected[0]
        .reason
        .contains("segment 38 (IT1): quantity 1.5 x price 0.333333 has more than 6 decimal places"));
}
