//! Broken transactions are refused whole, the rest of the file is still read;
//! broken envelopes and truncated files are refused with a clear message.

mod edi_support;

use edi_support::*;
use telaudit_model::{FileId, Micros, Position, Rejection, SourceRef};
use telaudit_parse::{read_edi, ParsedFile};

fn read(bytes: &[u8]) -> ParsedFile {
    read_edi(bytes, FileId(3), "inv/t.edi")
}

/// The example body with one segment replaced (or removed when `to` is empty).
fn body_with(from: &str, to: &str) -> Vec<String> {
    let mut found = false;
    let v = EXAMPLE_BODY
        .iter()
        .filter_map(|s| {
            if *s == from {
                found = true;
                (!to.is_empty()).then(|| to.to_string())
            } else {
                Some(s.to_string())
            }
        })
        .collect();
    assert!(found, "{from}");
    v
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// A file whose first transaction is `bad` and whose second is the good example.
fn bad_then_good(bad: &[String]) -> ParsedFile {
    let bad = tx("0001", &refs(bad));
    let bad_len = bad.len() as u32;
    let segs = interchange("1", &[group("1", &[bad, tx("0002", &EXAMPLE_BODY)])]);
    let p = read(&render(&segs, STD));
    // The good transaction starts right after the bad one (ISA, GS, bad..., ST).
    assert_eq!(rows(&p), example_rows(bad_len + 1), "{:?}", p.rejected);
    assert_eq!(p.unbalanced, vec![]);
    p
}

fn only_rejection(p: &ParsedFile) -> &Rejection {
    assert_eq!(p.rejected.len(), 1, "{:?}", p.rejected);
    &p.rejected[0]
}

#[test]
fn wrong_se_count_refuses_that_transaction_only() {
    let mut bad = tx("0001", &EXAMPLE_BODY);
    let last = bad.len() - 1;
    bad[last] = "SE*30*0001".to_string();
    let segs = interchange("1", &[group("1", &[bad, tx("0002", &EXAMPLE_BODY)])]);
    let p = read(&render(&segs, STD));
    assert_eq!(rows(&p), example_rows(23));
    let r = only_rejection(&p);
    assert_eq!(r.position, Position::Segment(3));
    assert_eq!(r.rows, 3);
    assert_eq!(r.file, "inv/t.edi");
    assert!(
        r.reason
            .contains("segment 24 (SE): SE01 says 30 segments but the transaction has 22"),
        "{}",
        r.reason
    );
}

#[test]
fn missing_big_is_refused() {
    let p = bad_then_good(&body_with("BIG*20251205*LUMKX881220251201", ""));
    let r = only_rejection(&p);
    assert_eq!(r.position, Position::Segment(3));
    assert_eq!(r.rows, 3);
    assert_eq!(
        r.reason,
        "X12 811 transaction 0001 refused: no BIG segment (invoice date and number)"
    );
}

#[test]
fn it1_with_no_amount_and_no_price_is_refused() {
    let p = bad_then_good(&body_with("IT1*1*1*EA*850.00**SV*EPORT", "IT1*1*1*EA***SV*EPORT"));
    let r = only_rejection(&p);
    assert_eq!(r.rows, 3);
    assert_eq!(
        r.reason,
        "X12 811 transaction 0001 (invoice LUMKX881220251201) refused: segment 16 (IT1): \
         no amount: neither an AMT*1 in its loop nor a unit price in IT104"
    );
}

#[test]
fn numbers_that_do_not_parse_are_refused() {
    let cases = [
        (
            "IT1*1*1*EA*850.00**SV*EPORT",
            "IT1*1*1*EA*85O.00**SV*EPORT",
            "segment 16 (IT1): IT104 unit price '85O.00'",
        ),
        (
            "IT1*1*1*EA*850.00**SV*EPORT",
            "IT1*1*one*EA*850.00**SV*EPORT",
            "segment 16 (IT1): IT102 quantity 'one'",
        ),
        (
            "TXI*FT*25.50",
            "TXI*FT*25,50",
            "segment 18 (TXI): TXI02 tax amount '25,50'",
        ),
        (
            "TDS*67550",
            "TDS*675.50",
            "segment 23 (TDS): TDS01 total '675.50' is not a whole number",
        ),
        (
            "ITA*A**PROMO*06***20000******Promotional Credit - Term Agreement",
            "ITA*A**PROMO*06***2OOOO******Promotional Credit - Term Agreement",
            "segment 22 (ITA): ITA07 amount '2OOOO'",
        ),
    ];
    for (from, to, want) in cases {
        let p = bad_then_good(&body_with(from, to));
        let r = only_rejection(&p);
        assert_eq!(r.position, Position::Segment(3));
        assert_eq!(r.rows, 3, "{to}");
        assert!(r.reason.contains(want), "{to}: {}", r.reason);
    }
}

#[test]
fn dates_that_do_not_parse_are_refused() {
    let cases = [
        (
            "BIG*20251205*LUMKX881220251201",
            "BIG*20251305*LUMKX881220251201",
            "segment 4 (BIG): BIG01 invoice date '20251305' is no such calendar day",
        ),
        (
            "DTM*186*20251101",
            "DTM*186*2025-11-01",
            "segment 6 (DTM): DTM*186 date '2025-11-01' is not a date in the form CCYYMMDD",
        ),
        (
            "DTM*187*20251130",
            "DTM*187*20251131",
            "segment 7 (DTM): DTM*187 date '20251131' is no such calendar day",
        ),
    ];
    for (from, to, want) in cases {
        let p = bad_then_good(&body_with(from, to));
        let r = only_rejection(&p);
        assert_eq!(r.rows, 3, "{to}");
        assert!(r.reason.contains(want), "{to}: {}", r.reason);
    }
}

#[test]
fn missing_period_account_or_carrier_is_refused() {
    let p = bad_then_good(&body_with("DTM*187*20251130", ""));
    assert!(
        only_rejection(&p)
            .reason
            .contains("segment 15 (IT1): no service period"),
        "{:?}",
        p.rejected
    );
    let p = bad_then_good(&body_with("N1*SE*Lumen", ""));
    assert!(only_rejection(&p)
        .reason
        .contains("no carrier: neither N1*SE nor N1*PE"));
    // No REF at all: no account.
    let p = bad_then_good(&body_with("REF*12*5-KX8812", ""));
    assert!(
        only_rejection(&p).reason.contains("segment 14 (IT1): no account"),
        "{:?}",
        p.rejected
    );
    // A heading REF*11 with no REF*12 anywhere names the account.
    let body = body_with("REF*12*5-KX8812", "REF*11*5-KX8812");
    let p = read(&render(
        &interchange("1", &[group("1", &[tx("0001", &refs(&body))])]),
        STD,
    ));
    assert_eq!(p.rejected, vec![]);
    assert_eq!(rows(&p), example_rows(1));
}

#[test]
fn level_2_account_and_loop_period_override_the_heading() {
    let mut body: Vec<String> = EXAMPLE_BODY.iter().map(|s| s.to_string()).collect();
    body[1] = "REF*11*HEAD-ACCT".into();
    // HL 5 (credits) gets its own period.
    body.insert(16, "DTM*186*20251015".into());
    body.insert(17, "DTM*187*20251031".into());
    let segs = interchange("1", &[group("1", &[tx("0001", &refs(&body))])]);
    let p = read(&render(&segs, STD));
    assert_eq!(p.rejected, vec![]);
    let mut want = example_rows(1);
    want[2] = want[2]
        .replace("2025-11-01|2025-11-30", "2025-10-15|2025-10-31")
        .replace("@22", "@24");
    assert_eq!(rows(&p), want);
    assert_eq!(p.unbalanced, vec![]);
}

#[test]
fn unknown_segments_are_skipped_with_one_counted_warning() {
    let mut body: Vec<String> = EXAMPLE_BODY.iter().map(|s| s.to_string()).collect();
    body.insert(5, "ZZZ*1".into()); // segment 9
    body.insert(6, "ZZZ*2".into());
    body.insert(15, "ZZZ*3".into());
    body.insert(1, "CUR*SE*USD".into()); // segment 5
    let segs = interchange("1", &[group("1", &[tx("0001", &refs(&body))])]);
    let p = read(&render(&segs, STD));
    assert_eq!(p.rejected, vec![]);
    assert_eq!(p.rows.len(), 3);
    let w: Vec<(Position, &str)> = p
        .warnings
        .iter()
        .map(|w| (w.position, w.message.as_str()))
        .collect();
    assert_eq!(
        w,
        vec![
            (
                Position::Segment(5),
                "segment CUR*SE skipped: telaudit does not read this segment"
            ),
            (
                Position::Segment(10),
                "segment ZZZ*1 skipped: telaudit does not read this segment"
            ),
            (
                Position::Segment(11),
                "segment ZZZ*2 skipped: telaudit does not read this segment"
            ),
            (
                Position::Segment(20),
                "segment ZZZ*3 skipped: telaudit does not read this segment"
            ),
        ]
    );
    let many: Vec<String> = std::iter::repeat_n("MSG*hello".to_string(), 4).collect();
    let mut body: Vec<String> = EXAMPLE_BODY.iter().map(|s| s.to_string()).collect();
    body.splice(1..1, many);
    let segs = interchange("1", &[group("1", &[tx("0001", &refs(&body))])]);
    let p = read(&render(&segs, STD));
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(
        p.warnings[0].message,
        "segment MSG*hello skipped: telaudit does not read this segment (4 times; the first is at this segment)"
    );
    assert_eq!(p.warnings[0].position, Position::Segment(5));
}

#[test]
fn unbalanced_invoice_is_reported_with_its_difference() {
    let bad = body_with("TDS*67550", "TDS*67500");
    let segs = interchange(
        "1",
        &[group("1", &[tx("0001", &EXAMPLE_BODY), tx("0002", &refs(&bad))])],
    );
    let p = read(&render(&segs, STD));
    assert_eq!(p.rejected, vec![]);
    assert_eq!(p.rows.len(), 6, "the audit still runs on its rows");
    assert_eq!(p.unbalanced.len(), 1);
    let u = &p.unbalanced[0];
    assert_eq!(u.stated, Micros(675_000_000));
    assert_eq!(u.computed, Micros(675_500_000));
    assert_eq!(u.computed - u.stated, Micros(500_000));
    assert_eq!(u.rows, 3..6);
    assert_eq!(
        u.source,
        SourceRef {
            file: FileId(3),
            pos: 25
        }
    );
    assert_eq!(p.strings.get(u.invoice), "LUMKX881220251201");
    assert_eq!(p.strings.get(u.carrier), "Lumen");
    assert_eq!(p.strings.get(u.account), "5-KX8812");
}

#[test]
fn truncated_files_are_refused_clearly() {
    let full = render(&example_segments(), STD);
    let text = String::from_utf8(full.clone()).unwrap();

    // Short ISA.
    let p = read(&full[..60]);
    assert!(p.rows.is_empty());
    let r = only_rejection(&p);
    assert_eq!(r.position, Position::Segment(1));
    assert!(
        r.reason.starts_with("the ISA header is cut short"),
        "{}",
        r.reason
    );

    // No IEA: the complete transaction is still refused, the file being cut short.
    let cut = text.replace("IEA*1*000000101~\n", "");
    let p = read(cut.as_bytes());
    assert!(p.rows.is_empty());
    let r = only_rejection(&p);
    assert_eq!(r.position, Position::Segment(3));
    assert_eq!(r.rows, 3);
    assert!(
        r.reason.ends_with(
            "refused: its interchange (ISA at segment 1) has no IEA: the file ends first (is it cut short?)"
        ),
        "{}",
        r.reason
    );

    // Ends mid-transaction (after the TXI).
    let at = text.find("HL*5").unwrap();
    let p = read(&full[..at]);
    assert!(p.rows.is_empty());
    let r = only_rejection(&p);
    assert_eq!(r.position, Position::Segment(3));
    assert_eq!(r.rows, 2);
    assert!(
        r.reason.contains("no SE: the file ends inside this transaction"),
        "{}",
        r.reason
    );

    // Cut inside a segment.
    let p = read(&full[..at + 3]);
    assert!(p.rows.is_empty());
    assert_eq!(only_rejection(&p).position, Position::Segment(3));

    // Only an ISA.
    let p = read(&full[..107]);
    let r = only_rejection(&p);
    assert_eq!((r.position, r.rows), (Position::Segment(1), 0));
    assert!(r.reason.contains("has no IEA"), "{}", r.reason);
}

#[test]
fn files_that_are_not_x12_are_refused_whole() {
    let p = read(b"carrier,account\nLumen,1\n");
    let r = only_rejection(&p);
    assert_eq!(r.position, Position::File);
    assert!(r.reason.starts_with("not an X12 file"));
    // An empty export is warned about, not refused (as an empty .csv).
    for empty in [&b""[..], b"\r\n  \n", b"\xEF\xBB\xBF\n"] {
        let p = read(empty);
        assert!(p.rejected.is_empty() && p.rows.is_empty(), "{:?}", p.rejected);
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(
            p.warnings[0].message,
            "empty file: no X12 interchange, no charges"
        );
    }
    let p = read(b"ISA~");
    assert!(
        only_rejection(&p)
            .reason
            .contains("cannot be an element separator")
            || !p.rejected.is_empty()
    );
}

#[test]
fn ge_count_mismatch_refuses_the_groups_transactions() {
    let mut g1 = group("1", &[tx("0001", &EXAMPLE_BODY), tx("0002", &EXAMPLE_BODY)]);
    let last = g1.len() - 1;
    g1[last] = "GE*3*1".to_string();
    let g2 = group("2", &[tx("0003", &EXAMPLE_BODY)]);
    let segs = interchange("1", &[g1, g2]);
    let p = read(&render(&segs, STD));
    // Group 1 is ISA(1) GS(2) ST(3)..SE(24) ST(25)..SE(46) GE(47); group 2's ST is 49.
    assert_eq!(rows(&p), example_rows(47));
    assert_eq!(p.rejected.len(), 2);
    assert_eq!(p.rejected[0].position, Position::Segment(3));
    assert_eq!(p.rejected[1].position, Position::Segment(25));
    assert!(p.rejected.iter().all(|r| r.rows == 3));
    assert_eq!(
        p.rejected[1].reason,
        "X12 811 transaction 0002 (invoice LUMKX881220251201) refused: its group (GS at segment 2) does not \
         close properly at segment 47: GE01 says 3 transactions but the group holds 2"
    );
}

#[test]
fn iea_count_mismatch_refuses_the_interchange_and_keeps_the_next() {
    let mut first = example_segments();
    let last = first.len() - 1;
    first[last] = "IEA*2*000000101".to_string();
    let mut bytes = render(&first, STD);
    bytes.extend(render(&example_segments(), STD));
    let p = read(&bytes);
    assert_eq!(rows(&p), example_rows(27));
    let r = only_rejection(&p);
    assert_eq!(r.position, Position::Segment(3));
    assert!(
        r.reason
            .contains("IEA01 says 2 groups but the interchange holds 1"),
        "{}",
        r.reason
    );

    // A GE with no transaction to refuse still says so, at the GE.
    let segs = interchange(
        "1",
        &[vec!["GS*CI*A*B*20251205*0930*5*X*004010".into(), "GE*1*5".into()]],
    );
    let p = read(&render(&segs, STD));
    let r = only_rejection(&p);
    assert_eq!((r.position, r.rows), (Position::Segment(3), 0));
    assert!(r
        .reason
        .contains("GE01 says 1 transactions but the group holds 0"));
}

#[test]
fn st_after_st_refuses_the_unclosed_one() {
    let mut t1 = tx("0001", &EXAMPLE_BODY);
    t1.pop();
    let segs = interchange(
        "1",
        &[vec!["GS*CI*A*B*20251205*0930*5*X*004010".to_string()]
            .into_iter()
            .chain(t1)
            .chain(tx("0002", &EXAMPLE_BODY))
            .chain(["GE*2*5".to_string()])
            .collect()],
    );
    let p = read(&render(&segs, STD));
    assert_eq!(rows(&p), example_rows(22));
    let r = only_rejection(&p);
    assert_eq!((r.position, r.rows), (Position::Segment(3), 3));
    assert!(
        r.reason.contains("no SE before the next ST at segment 24"),
        "{}",
        r.reason
    );
}
