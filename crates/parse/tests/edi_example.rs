//! The example interchange of spec/edi-811.md, read and converted.

mod edi_support;

use edi_support::*;
use telaudit_model::{ChargeType, FileId, Micros, Position, SourceRef};
use telaudit_parse::{read_edi, write_canonical_csv};

const EXAMPLE: &[u8] = include_bytes!("fixtures/edi/spec-example.edi");

#[test]
fn the_fixture_is_the_spec_example() {
    // The fixture is the spec's text; the builder writes the same bytes.
    assert_eq!(EXAMPLE, render(&example_segments(), STD).as_slice());
}

#[test]
fn spec_example_gives_its_three_rows() {
    let p = read_edi(EXAMPLE, FileId(7), "invoices/lumen.edi");
    assert_eq!(p.rejected, vec![]);
    assert_eq!(p.warnings, vec![]);
    assert_eq!(p.unbalanced, vec![]);
    // ISA=1 GS=2 ST=3 BIG=4 REF=5 DTM=6 DTM=7 N1=8 HL=9 HL=10 REF=11 HL=12 PID=13 HL=14 SI=15
    // IT1=16 PID=17 TXI=18 HL=19 PID=20 HL=21 ITA=22 TDS=23 SE=24 GE=25 IEA=26.
    assert_eq!(rows(&p), example_rows(1));
    assert_eq!(
        p.rows.iter().map(|r| r.source).collect::<Vec<_>>(),
        [16, 18, 22].map(|pos| SourceRef { file: FileId(7), pos })
    );
    assert_eq!(
        p.rows.iter().map(|r| r.charge_type).collect::<Vec<_>>(),
        [ChargeType::Recurring, ChargeType::Tax, ChargeType::Credit]
    );
    let total: Micros = p.rows.iter().map(|r| r.amount).sum();
    assert_eq!(total, Micros(675_500_000));
    assert_eq!(p.rows[0].unit_rate, Some(Micros(850_000_000)));
    assert_eq!(p.rows[0].usage_quantity, None);
}

#[test]
fn spec_example_se_count_is_right_and_a_wrong_one_refuses_the_transaction() {
    // ST..SE inclusive is 22 segments: the printed SE*22 is correct.
    let text = String::from_utf8(EXAMPLE.to_vec()).unwrap();
    assert!(text.contains("SE*22*0001~"));
    let wrong = text.replace("SE*22*0001~", "SE*21*0001~");
    let p = read_edi(wrong.as_bytes(), FileId(0), "x.edi");
    assert!(p.rows.is_empty());
    assert_eq!(p.rejected.len(), 1);
    let r = &p.rejected[0];
    assert_eq!(r.position, Position::Segment(3));
    assert_eq!(r.rows, 3);
    assert_eq!(r.file, "x.edi");
    assert_eq!(
        r.reason,
        "X12 811 transaction 0001 (invoice LUMKX881220251201) refused: segment 24 (SE): \
         SE01 says 21 segments but the transaction has 22 (ST to SE inclusive)"
    );
}

#[test]
fn canonical_csv_of_the_example_byte_for_byte() {
    let p = read_edi(EXAMPLE, FileId(0), "lumen.edi");
    let mut out = Vec::new();
    write_canonical_csv(&mut out, &p, "lumen.csv").unwrap();
    let expected = include_str!("fixtures/edi/spec-example.csv");
    assert_eq!(String::from_utf8(out).unwrap(), expected);
}

#[test]
fn canonical_csv_quotes_what_needs_quoting() {
    let text = String::from_utf8(EXAMPLE.to_vec())
        .unwrap()
        .replace("Ethernet Port 100 Mbps", "Port, \"fast\"");
    let p = read_edi(text.as_bytes(), FileId(0), "x.edi");
    let mut out = Vec::new();
    write_canonical_csv(&mut out, &p, "x.csv").unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains(",EPORT,\"Port, \"\"fast\"\"\",1,850,850,,\n"),
        "{out}"
    );
}
