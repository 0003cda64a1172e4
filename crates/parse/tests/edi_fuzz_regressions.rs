//! Hostile inputs (and any input the fuzzer, fuzz/, ever found to crash the
//! reader): each is refused or read with a clear outcome, never a panic.

mod edi_support;

use edi_support::*;
use telaudit_model::{FileId, Position};
use telaudit_parse::{read_edi, ParsedFile};

fn read(bytes: &[u8]) -> ParsedFile {
    read_edi(bytes, FileId(0), "f.edi")
}

fn one_tx(body: &[&str]) -> ParsedFile {
    read(&render(
        &interchange("1", &[group("1", &[tx("0001", body)])]),
        STD,
    ))
}

fn reasons(p: &ParsedFile) -> Vec<String> {
    p.rejected.iter().map(|r| r.reason.clone()).collect()
}

#[test]
fn an_isa_of_empty_elements_then_nothing() {
    let p = read(b"ISA****************>~");
    assert!(p.rows.is_empty());
    assert_eq!(p.rejected.len(), 1);
    assert_eq!(p.rejected[0].position, Position::Segment(1));
    assert!(p.rejected[0].reason.contains("has no IEA"), "{:?}", reasons(&p));
}

#[test]
fn isa_separator_clashes_are_refused() {
    for bad in [
        &b"ISA****************~~"[..],
        b"ISA****************>>",
        b"ISA****************>A",
        b"ISAA",
    ] {
        let p = read(bad);
        assert!(p.rows.is_empty());
        assert_eq!(p.rejected.len(), 1, "{}", String::from_utf8_lossy(bad));
        assert!(matches!(
            p.rejected[0].position,
            Position::Segment(1) | Position::File
        ));
    }
}

#[test]
fn an_hl_that_is_its_own_parent_is_refused() {
    let mut body = EXAMPLE_BODY.to_vec();
    body[5] = "HL*1*1*1";
    let p = one_tx(&body);
    assert!(p.rows.is_empty());
    assert!(
        reasons(&p)[0].contains("segment 9 (HL): HL02 parent 1 is not an earlier HL"),
        "{:?}",
        reasons(&p)
    );
}

#[test]
fn numbers_beyond_range_are_refused() {
    let mut body = EXAMPLE_BODY.to_vec();
    body[18] = "ITA*A**PROMO*06***999999999999999999999******x";
    let p = one_tx(&body);
    assert!(
        reasons(&p)[0].contains("ITA07 amount '999999999999999999999' is too large"),
        "{:?}",
        reasons(&p)
    );
    let mut body = EXAMPLE_BODY.to_vec();
    body[12] = "IT1*1*999999999999*EA*999999999999**SV*EPORT";
    let p = one_tx(&body);
    assert!(
        reasons(&p)[0].contains("quantity 999999999999 x price 999999999999 is too large"),
        "{:?}",
        reasons(&p)
    );
}

#[test]
fn a_sum_beyond_range_is_refused_not_wrapped() {
    let mut body = EXAMPLE_BODY[..12].to_vec();
    body.extend(std::iter::repeat_n("IT1*1*1*EA*999999999999**SV*BIG", 10));
    body.push("TDS*1");
    let p = one_tx(&body);
    assert!(p.rows.is_empty());
    assert_eq!(p.rejected.len(), 1);
    assert_eq!(p.rejected[0].rows, 10);
    assert!(
        reasons(&p)[0].ends_with("refused: its amounts sum beyond range"),
        "{:?}",
        reasons(&p)
    );
}

#[test]
fn envelope_segments_out_of_place_are_warned_or_refused() {
    let p = read(&render(
        &[
            isa("1"),
            "SE*1*1".into(),
            "GE*0*1".into(),
            "ST*811*1".into(),
            "SE*2*1".into(),
            "IEA*0*1".into(),
        ],
        STD,
    ));
    assert!(p.rows.is_empty());
    // SE and GE with nothing open are skipped with warnings; the ST outside a group is refused.
    assert_eq!(p.warnings.len(), 2, "{:?}", p.warnings);
    assert_eq!(p.rejected.len(), 1, "{:?}", p.rejected);
    assert_eq!(p.rejected[0].position, Position::Segment(4));
    assert!(p.rejected[0].reason.contains("outside a GS..GE functional group"));
}
