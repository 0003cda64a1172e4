//! The canonical charge CSV reader, on small handwritten files.

use telaudit_model::{ChargeType, Date, FileId, Micros, Position, Rejection, Row};
use telaudit_parse::{read_canonical_csv, ParsedFile};

const HEADER: &str = "carrier,account,invoice,invoice_date,period_start,period_end,service_id,charge_type,\
charge_code,description,quantity,unit_rate,amount,usage_quantity,usage_unit";

fn read(text: &str) -> ParsedFile {
    read_canonical_csv(text.as_bytes(), FileId(3), "invoices/a.csv")
}

fn m(s: &str) -> Micros {
    Micros::parse(s).unwrap()
}

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn s(p: &ParsedFile, row: &Row) -> [String; 7] {
    let g = |x| p.strings.get(x).to_string();
    [
        g(row.carrier),
        g(row.account),
        g(row.invoice),
        g(row.service),
        g(row.charge_code),
        g(row.description),
        g(row.usage_unit),
    ]
}

fn lines(p: &ParsedFile) -> Vec<(Position, u64)> {
    p.rejected.iter().map(|r| (r.position, r.rows)).collect()
}

#[test]
fn reads_a_full_row() {
    let text = format!(
        "{HEADER}\nVerizon Wireless,00123,INV-9,2025-02-03,2025-01-01,2025-01-31,555-0100,usage,UMIN,\
         Minutes,1,0.05,12.50,250,min\n"
    );
    let p = read(&text);
    assert!(p.rejected.is_empty(), "{:?}", p.rejected);
    assert_eq!(p.rows.len(), 1);
    let r = &p.rows[0];
    assert_eq!(
        s(&p, r),
        [
            "Verizon Wireless",
            "00123",
            "INV-9",
            "555-0100",
            "UMIN",
            "Minutes",
            "min"
        ]
        .map(String::from)
    );
    assert_eq!(r.invoice_date, d("2025-02-03"));
    assert_eq!(r.period_start, d("2025-01-01"));
    assert_eq!(r.period_end, d("2025-01-31"));
    assert_eq!(r.charge_type, ChargeType::Usage);
    assert_eq!(r.quantity, Micros::ONE);
    assert_eq!(r.unit_rate, Some(Micros(50_000)));
    assert_eq!(r.amount, Micros(12_500_000));
    assert_eq!(r.usage_quantity, Some(Micros(250_000_000)));
    assert_eq!(r.source.file, FileId(3));
    assert_eq!(r.source.pos, 2);
}

#[test]
fn header_order_case_spaces_unknown_columns_bom_crlf() {
    let text = "\u{feff} AMOUNT , Description,Extra Column,charge_type,PERIOD_END,period_start,invoice_date,\
                Invoice,account,Carrier\r\n\
                -5.25, Late fee ,whatever,FEE,2025-03-31,2025-03-01,2025-04-02,77, 0042 ,AT&T\r\n";
    let p = read(text);
    assert!(p.rejected.is_empty(), "{:?}", p.rejected);
    assert!(p.warnings.is_empty());
    let r = &p.rows[0];
    assert_eq!(
        s(&p, r),
        ["AT&T", "0042", "77", "", "", "Late fee", ""].map(String::from)
    );
    assert_eq!(r.amount, m("-5.25"));
    assert_eq!(r.charge_type, ChargeType::Fee);
    assert_eq!(r.quantity, Micros::ONE);
    assert_eq!(r.unit_rate, None);
    assert_eq!(r.usage_quantity, None);
    assert_eq!(r.source.pos, 2);
}

#[test]
fn quoted_fields_with_comma_quote_and_newline() {
    let text = format!(
        "{HEADER}\n\
         \"Bell, Inc.\",A1,I1,2025-01-05,2025-01-01,2025-01-31,,recurring,,\"Plan \"\"Gold\"\"\nline two\",,,\"1,5\",,\n\
         Bell,A1,I1,2025-01-05,2025-01-01,2025-01-31,,tax,,\"State, tax\",,,2,,\n"
    );
    let p = read(&text);
    // "1,5" is not a plain decimal: refused, naming the value.
    assert_eq!(p.rejected.len(), 1);
    assert_eq!(p.rejected[0].position, Position::Line(2));
    assert!(
        p.rejected[0].reason.contains("bad amount \"1,5\""),
        "{}",
        p.rejected[0].reason
    );
    assert_eq!(p.rows.len(), 1);
    assert_eq!(p.strings.get(p.rows[0].description), "State, tax");
    // The next record starts on physical line 4 (the quoted newline took line 3).
    assert_eq!(p.rows[0].source.pos, 4);

    let text = format!(
        "{HEADER}\n\
         \"Bell, Inc.\",A1,I1,2025-01-05,2025-01-01,2025-01-31,,recurring,,\"Plan \"\"Gold\"\"\r\nline two\",,,15,,\r\n"
    );
    let p = read(&text);
    assert!(p.rejected.is_empty(), "{:?}", p.rejected);
    assert_eq!(p.strings.get(p.rows[0].carrier), "Bell, Inc.");
    assert_eq!(p.strings.get(p.rows[0].description), "Plan \"Gold\"\r\nline two");
    assert_eq!(p.rows[0].amount, m("15"));
}

const GOOD: &str = "Bell,A1,I1,2025-01-05,2025-01-01,2025-01-31,S1,recurring,C,Plan,1,10,10,,";

#[test]
fn every_refusal_with_its_physical_line() {
    let rows = [
        // line 2-3: good, with a quoted newline
        "Bell,A1,I1,2025-01-05,2025-01-01,2025-01-31,S1,recurring,C,\"two\nlines\",1,10,10,,",
        // 4
        "Bell,A1,I1,2025-13-05,2025-01-01,2025-01-31,S1,recurring,C,Plan,1,10,10,,",
        // 5
        "Bell,A1,I1,2025-01-05,2025-01-01,2025-01-31,S1,recurring,C,Plan,1,10,1e5,,",
        // 6
        ",A1,I1,2025-01-05,2025-01-01,2025-01-31,S1,recurring,C,Plan,1,10,10,,",
        // 7
        "Bell,A1,I1,2025-01-05,2025-01-01,2025-01-31,S1,rent,C,Plan,1,10,10,,",
        // 8
        "Bell,A1,I1,2025-01-05,2025-01-01,2025-01-31,S1,recurring,C,Plan,1,10,10,",
        // 9
        "Bell,A1,I1,2025-01-05,2025-02-01,2025-01-31,S1,recurring,C,Plan,1,10,10,,",
        // 10
        "Bell,A1,I1,2025-01-05,2025-01-01,2025-01-31,S1,recurring,C,Plan,--1,10,10,,",
        // 11
        "Bell,A1,I1,2025-01-05,2025-01-01,2025-01-31,S1,recurring,C,Plan,1,0.0000001,10,,",
        // 12
        "Bell,A1,I1,2025-01-05,2025-01-01,2025-01-31,S1,usage,C,Plan,1,10,10,NaN,",
        // 13
        "Bell,A1,I1,2025-01-05,2025-01-01,2025-01-31,S1,recurring,C,Plan,1,10,1234567890123456789012345678901234567890,,",
        // 14: blank, skipped silently
        "",
        // 15: only commas, skipped silently
        ",,,,,,,,,,,,,,",
        // 16: several problems at once
        "Bell,,I1,2025-01-05,,2025-01-31,S1,recurring,C,,1,10,,,",
        // 17
        GOOD,
    ];
    let text = format!("{HEADER}\n{}\n", rows.join("\n"));
    let p = read(&text);
    let got: Vec<(Position, String)> = p
        .rejected
        .iter()
        .map(|r| (r.position, r.reason.clone()))
        .collect();
    let want: Vec<(u64, &str)> = vec![
        (4, "bad invoice_date \"2025-13-05\": no such calendar day"),
        (5, "bad amount \"1e5\": not a plain decimal number (expected e.g. -12.5 or 1234.5678)"),
        (6, "carrier is empty (required)"),
        (
            7,
            "unknown charge_type \"rent\": expected one of recurring, one_time, usage, tax, surcharge, fee, \
             credit, adjustment",
        ),
        (8, "wrong field count: expected 15 fields as in the header, found 14"),
        (9, "period_end 2025-01-31 is before period_start 2025-02-01"),
        (10, "bad quantity \"--1\": not a plain decimal number (expected e.g. -12.5 or 1234.5678)"),
        (11, "bad unit_rate \"0.0000001\": more than 6 decimal places"),
        (12, "bad usage_quantity \"NaN\": not a plain decimal number (expected e.g. -12.5 or 1234.5678)"),
        (
            13,
            "bad amount \"1234567890123456789012345678901234567890\": number too large (more than 12 integer \
             digits)",
        ),
        (
            16,
            "account is empty (required); description is empty (required); period_start is empty (required); \
             amount is empty (required)",
        ),
    ];
    let want: Vec<(Position, String)> = want
        .into_iter()
        .map(|(l, r)| (Position::Line(l), r.to_string()))
        .collect();
    assert_eq!(got, want);
    assert!(p
        .rejected
        .iter()
        .all(|r| r.rows == 1 && r.file == "invoices/a.csv"));
    let accepted: Vec<u32> = p.rows.iter().map(|r| r.source.pos).collect();
    assert_eq!(accepted, vec![2, 17]);
}

#[test]
fn long_values_are_cut_in_reasons() {
    let long = "x".repeat(200);
    let text = format!("{HEADER}\nBell,A1,I1,2025-01-05,2025-01-01,2025-01-31,S1,{long},C,Plan,1,10,10,,\n");
    let p = read(&text);
    let reason = &p.rejected[0].reason;
    assert!(
        reason.starts_with(&format!("unknown charge_type \"{}...\"", "x".repeat(60))),
        "{reason}"
    );
    assert!(reason.len() < 200);
}

#[test]
fn unterminated_quote_in_the_middle_keeps_later_rows() {
    let text = format!(
        "{HEADER}\n{GOOD}\nBell,A1,I1,2025-01-05,2025-01-01,2025-01-31,S1,recurring,C,\"Plan,1,10,10,,\n\
         {GOOD}\n{GOOD}\nBell,A1,I1,2025-01-05,2025-01-01,2025-01-31,S1,recurring,C,\"Plan \"\"x\"\"\",1,10,7,,\n"
    );
    let p = read(&text);
    assert_eq!(lines(&p), vec![(Position::Line(3), 1)]);
    assert!(
        p.rejected[0].reason.starts_with("unterminated quote"),
        "{}",
        p.rejected[0].reason
    );
    let accepted: Vec<u32> = p.rows.iter().map(|r| r.source.pos).collect();
    assert_eq!(accepted, vec![2, 4, 5, 6]);
    assert_eq!(p.strings.get(p.rows[3].description), "Plan \"x\"");
    assert_eq!(p.rows.iter().map(|r| r.amount).sum::<Micros>(), m("37"));
}

#[test]
fn unterminated_quote_at_end_of_file() {
    let text =
        format!("{HEADER}\n{GOOD}\nBell,A1,I1,2025-01-05,2025-01-01,2025-01-31,S1,recurring,C,\"Plan,1,10");
    let p = read(&text);
    assert_eq!(lines(&p), vec![(Position::Line(3), 1)]);
    assert!(p.rejected[0].reason.starts_with("unterminated quote"));
    assert_eq!(p.rows.len(), 1);
}

#[test]
fn windows_1252_is_decoded_with_a_warning() {
    let mut bytes =
        format!("{HEADER}\nBell,A1,I1,2025-01-05,2025-01-01,2025-01-31,S1,recurring,C,Caf").into_bytes();
    bytes.push(0xE9);
    bytes.extend_from_slice(b" plan,1,10,10,,\n");
    let p = read_canonical_csv(&bytes, FileId(0), "invoices/w.csv");
    assert!(p.rejected.is_empty());
    assert_eq!(p.strings.get(p.rows[0].description), "Caf\u{e9} plan");
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].file, "invoices/w.csv");
    assert_eq!(p.warnings[0].message, "not UTF-8; read as Windows-1252");
}

#[test]
fn utf16_with_bom() {
    let text = format!("{HEADER}\r\n{GOOD}\r\n");
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let p = read_canonical_csv(&bytes, FileId(0), "invoices/u.csv");
    assert!(p.rejected.is_empty());
    assert_eq!(p.rows.len(), 1);
    assert_eq!(p.rows[0].amount, m("10"));
    assert_eq!(p.warnings.len(), 1);
}

#[test]
fn missing_columns_refuse_the_file() {
    let text = "carrier,account,invoice,period_start,period_end,charge_type,description\n\
                Bell,A,I,2025-01-01,2025-01-31,tax,x\n\nBell,A,I,2025-01-01,2025-01-31,tax,y\n";
    let p = read(text);
    assert!(p.rows.is_empty());
    assert_eq!(p.rejected.len(), 1);
    let r: &Rejection = &p.rejected[0];
    assert_eq!((r.position, r.rows), (Position::File, 2));
    assert!(
        r.reason
            .starts_with("missing required columns invoice_date, amount"),
        "{}",
        r.reason
    );
}

#[test]
fn duplicate_column_refuses_the_file() {
    let text = format!("{HEADER},Amount\n{GOOD},3\n");
    let p = read(&text);
    assert!(p.rows.is_empty());
    assert_eq!(lines(&p), vec![(Position::File, 1)]);
    assert!(
        p.rejected[0].reason.contains("column amount appears twice"),
        "{}",
        p.rejected[0].reason
    );
    // An unknown column twice is harmless.
    let p = read(&format!("{HEADER},note,note\n{GOOD},a,b\n"));
    assert_eq!(p.rows.len(), 1);
    assert!(p.rejected.is_empty());
}

#[test]
fn empty_and_header_only_files() {
    let p = read("");
    assert!(p.rows.is_empty() && p.rejected.is_empty());
    assert_eq!(p.warnings.len(), 1);
    let p = read(&format!("{HEADER}\n"));
    assert!(p.rows.is_empty() && p.rejected.is_empty() && p.warnings.is_empty());
}

#[test]
fn interning_shares_symbols() {
    let text = format!(
        "{HEADER}\n{GOOD}\n{GOOD}\nBell,A2,I1,2025-01-05,2025-01-01,2025-01-31,S1,credit,C,Plan,,,-3,,\n"
    );
    let p = read(&text);
    assert_eq!(p.rows.len(), 3);
    assert_eq!(p.rows[0].carrier, p.rows[2].carrier);
    assert_ne!(p.rows[0].account, p.rows[2].account);
    assert_eq!(p.strings.get(p.rows[2].account), "A2");
    assert_eq!(p.rows[2].charge_type, ChargeType::Credit);
    assert_eq!(p.rows.iter().map(|r| r.amount).sum::<Micros>(), m("17"));
}
