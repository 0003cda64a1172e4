//! Separators, line breaks and several transactions or interchanges per file.

mod edi_support;

use edi_support::*;
use telaudit_model::{FileId, Micros, Position};
use telaudit_parse::read_edi;

fn read(bytes: &[u8]) -> telaudit_parse::ParsedFile {
    read_edi(bytes, FileId(0), "t.edi")
}

#[test]
fn any_separators_and_line_breaks_give_the_same_rows() {
    let segs = example_segments();
    let variants = [
        STD,
        Seps {
            line_break: "",
            ..STD
        },
        Seps {
            line_break: "\r\n",
            ..STD
        },
        Seps {
            element: '|',
            component: '^',
            terminator: '!',
            line_break: "",
        },
        Seps {
            element: '|',
            component: '^',
            terminator: '!',
            line_break: "\r\n",
        },
        Seps {
            element: '+',
            component: ':',
            terminator: '\'',
            line_break: "\n",
        },
        Seps {
            element: '+',
            component: ':',
            terminator: '\'',
            line_break: "",
        },
        // The newline itself as the segment terminator, with and without CR before it.
        Seps {
            element: '*',
            component: '>',
            terminator: '\n',
            line_break: "",
        },
        Seps {
            element: '*',
            component: '>',
            terminator: '\r',
            line_break: "\n",
        },
    ];
    for (i, s) in variants.into_iter().enumerate() {
        let bytes = render(&segs, s);
        let p = read(&bytes);
        assert_eq!(
            rows(&p),
            example_rows(1),
            "variant {i}: {}",
            String::from_utf8_lossy(&bytes)
        );
        assert_eq!(p.rejected, vec![], "variant {i}");
        assert_eq!(p.warnings, vec![], "variant {i}");
    }
}

#[test]
fn one_line_file_with_pipe_separators_is_read_exactly() {
    let text = String::from_utf8(render(&example_segments(), STD)).unwrap();
    let piped: String = text
        .replace('\n', "")
        .replace('*', "|")
        .replace('~', "!")
        .replace("|P|>!", "|P|^!");
    assert!(piped.starts_with("ISA|00|"));
    assert!(!piped.contains('\n'));
    let p = read(piped.as_bytes());
    assert_eq!(rows(&p), example_rows(1));
}

#[test]
fn a_bom_and_a_missing_last_terminator_are_tolerated() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(render(&example_segments(), STD));
    // Drop the final "~\n" after IEA.
    bytes.truncate(bytes.len() - 2);
    let p = read(&bytes);
    assert_eq!(rows(&p), example_rows(1));
    assert_eq!(p.rejected, vec![]);
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].position, Position::Segment(26));
    assert!(p.warnings[0].message.contains("no segment terminator"));
}

#[test]
fn several_transactions_in_one_group() {
    let second: Vec<&str> = EXAMPLE_BODY
        .iter()
        .map(|s| match *s {
            "BIG*20251205*LUMKX881220251201" => "BIG*20260105*LUMKX881220260101",
            "TXI*FT*25.50" => "TXI*FT*30.00",
            "TDS*67550" => "TDS*68000",
            other => other,
        })
        .collect();
    let segs = interchange(
        "7",
        &[group("7", &[tx("0001", &EXAMPLE_BODY), tx("0002", &second)])],
    );
    let p = read(&render(&segs, STD));
    assert_eq!(p.rejected, vec![]);
    assert_eq!(p.unbalanced, vec![]);
    let got = rows(&p);
    assert_eq!(got.len(), 6);
    assert_eq!(got[..3], example_rows(1)[..]);
    // The second ST is segment 25 (the first transaction is segments 3..24): its rows sit 22 later.
    let second_rows: Vec<String> = example_rows(23)
        .into_iter()
        .map(|r| r.replace("LUMKX881220251201|2025-12-05", "LUMKX881220260101|2026-01-05"))
        .map(|r| r.replace("|25.5|", "|30|"))
        .collect();
    assert_eq!(got[3..], second_rows[..]);
    assert_eq!(p.rows[4].amount, Micros(30_000_000));
    assert_eq!(p.rows[3].source.pos, 38);
}

#[test]
fn several_interchanges_with_different_separators_in_one_file() {
    let mut bytes = render(&example_segments(), STD);
    let other = Seps {
        element: '|',
        component: '^',
        terminator: '!',
        line_break: "\r\n",
    };
    bytes.extend(render(&example_segments(), other));
    bytes.extend(render(
        &example_segments(),
        Seps {
            line_break: "",
            ..STD
        },
    ));
    let p = read(&bytes);
    assert_eq!(p.rejected, vec![]);
    let mut expected = example_rows(1);
    expected.extend(example_rows(27));
    expected.extend(example_rows(53));
    assert_eq!(rows(&p), expected);
}

#[test]
fn several_groups_in_one_interchange() {
    let segs = interchange(
        "9",
        &[
            group("1", &[tx("0001", &EXAMPLE_BODY)]),
            group("2", &[tx("0001", &EXAMPLE_BODY)]),
        ],
    );
    let p = read(&render(&segs, STD));
    assert_eq!(p.rejected, vec![]);
    let mut expected = example_rows(1);
    // Group 2's ST is segment 26 (ISA, GS, 22 segments, GE, GS): 24 segments after the first ST.
    expected.extend(example_rows(25));
    assert_eq!(rows(&p), expected);
}
