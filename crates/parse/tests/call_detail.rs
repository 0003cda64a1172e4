//! Call detail read for usage (docs/formats.md, "Usage from call detail"), on
//! small files written here: the header file beside a data file, the usage step
//! (charge rows win, absent lines at zero, units, one invoice) and every bad input
//! (no header file, one that disagrees with the data, a stray `|`, a volume that is
//! not a number, a billing period that cannot be read).

use telaudit_model::{ChargeType, Dump, Micros, Position, SkipKind};
use telaudit_parse::read_bill_files;

fn m(s: &str) -> Micros {
    Micros::parse(s).unwrap()
}

const CANONICAL: &str = "carrier,account,invoice,invoice_date,period_start,period_end,service_id,\
charge_type,charge_code,description,quantity,unit_rate,amount,usage_quantity,usage_unit";

/// A Rogers GPRS header file: a title, then 8 columns (the last one empty in the data).
fn gprs_header(title: &str) -> String {
    format!(
        "{title}\r\n\r\nBAN,9,Text\r\nInvoice No.,10,Text\r\nUser Number,15,Text\r\nDate,8,Date\r\n\
         Volume (KB),10,Text\r\nTotal Call Charges,12,Currency\r\nRoaming Indicator,1,Text\r\n\
         Roaming Type Indicator,1,Text\r\n"
    )
}

const GPRS_TITLE: &str = "GPRS Type : 01/21/2025 - 02/20/2025";

/// A GPRS record of `line`: `kb` KB.
fn gprs(line: &str, kb: &str) -> String {
    format!("700100|INV-1|{line}|02032025|{kb}|0|0|\r\n")
}

/// Canonical charge rows of account 700100's February cycle (invoice R-1), one per
/// (line, charge type, amount, usage quantity, unit).
fn charges(rows: &[(&str, &str, &str, &str, &str)]) -> String {
    let mut s = format!("{CANONICAL}\n");
    for (line, ctype, amount, q, unit) in rows {
        s.push_str(&format!(
            "Rogers,700100,R-1,2025-02-20,2025-01-21,2025-02-20,{line},{ctype},PLAN,Plan,1,,{amount},{q},{unit}\n"
        ));
    }
    s
}

fn read(files: &[(&str, &str)]) -> Dump {
    let files = files
        .iter()
        .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
        .collect();
    read_bill_files(files).unwrap()
}

/// (line, quantity, unit, invoice, source position) of the usage rows.
fn usage(d: &Dump) -> Vec<(String, Option<Micros>, String, String, u32)> {
    d.rows
        .iter()
        .filter(|r| r.charge_type == ChargeType::Usage)
        .map(|r| {
            (
                d.s(r.service).to_string(),
                r.usage_quantity,
                d.s(r.usage_unit).to_string(),
                d.s(r.invoice).to_string(),
                r.source.pos,
            )
        })
        .collect()
}

fn u(line: &str, q: &str, unit: &str, inv: &str, pos: u32) -> (String, Option<Micros>, String, String, u32) {
    (line.into(), Some(m(q)), unit.into(), inv.into(), pos)
}

#[test]
fn call_detail_measures_every_billed_line_of_its_account_and_period() {
    // Lines L1, L2 and L3 billed in February; the GPRS export lists L1 (two sessions,
    // 1,572,864 KB = 1.5 GB) and L4 (not billed: 512 KB = 0.000488 GB). L2 and L3
    // used no data: 0 GB each, resting on the whole export (position 0). Every row
    // takes the invoice of the line's charges; L4 has none, so its account's.
    let d = read(&[
        (
            "c/charges.csv",
            &charges(&[
                ("L1", "recurring", "40", "", ""),
                ("L2", "recurring", "40", "", ""),
                ("L3", "tax", "5", "", ""),
            ]),
        ),
        (
            "c/gprs/ALL_CALLS-GPRS.txt",
            &format!(
                "{}{}{}",
                gprs("L1", "1048576"),
                gprs("L4", "512"),
                gprs("L1", "524288")
            ),
        ),
        ("c/gprs/Header-GPRS.txt", &gprs_header(GPRS_TITLE)),
    ]);
    assert!(
        d.rejected.is_empty() && d.warnings.is_empty(),
        "{:?} {:?}",
        d.rejected,
        d.warnings
    );
    assert_eq!(
        usage(&d),
        [
            u("L1", "1.5", "GB", "R-1", 1),
            u("L4", "0.000488", "GB", "R-1", 2),
            u("L2", "0", "GB", "R-1", 0),
            u("L3", "0", "GB", "R-1", 0),
        ]
    );
    let r = d
        .rows
        .iter()
        .find(|r| d.s(r.service) == "L2" && r.charge_type == ChargeType::Usage)
        .unwrap();
    assert_eq!(
        (r.period_start.to_string(), r.period_end.to_string()),
        ("2025-01-21".into(), "2025-02-20".into())
    );
    assert_eq!(r.amount, Micros::ZERO);
    assert_eq!(d.locate(r.source), "c/gprs/ALL_CALLS-GPRS.txt");
    // Read for usage, its header file with it: neither skipped.
    assert!(d.skipped.is_empty());
    assert_eq!(d.usage_files.len(), 1);
    let f = &d.usage_files[0];
    assert_eq!(
        (f.records, f.rows, f.header_file.as_deref()),
        (3, 4, Some("c/gprs/Header-GPRS.txt"))
    );
}

#[test]
fn charge_rows_that_carry_a_kind_win_over_call_detail() {
    // L1's charge rows carry data (2 GB): its GPRS 1 GB is not added. L2's charge
    // rows carry voice minutes only: its GPRS data stays. L3 is billed and measured
    // at zero; L5's charge rows carry data in MB: no zero row for it either.
    let d = read(&[
        (
            "c/charges.csv",
            &charges(&[
                ("L1", "usage", "0", "2", "gb"),
                ("L2", "usage", "0", "30", "min"),
                ("L3", "recurring", "40", "", ""),
                ("L5", "usage", "0", "700", "MB"),
            ]),
        ),
        (
            "c/gprs/ALL_CALLS-GPRS.txt",
            &format!("{}{}", gprs("L1", "1048576"), gprs("L2", "2048")),
        ),
        ("c/gprs/Header-GPRS.txt", &gprs_header(GPRS_TITLE)),
    ]);
    assert!(d.rejected.is_empty(), "{:?}", d.rejected);
    assert_eq!(
        usage(&d),
        [
            u("L1", "2", "gb", "R-1", 2),
            u("L2", "30", "min", "R-1", 3),
            u("L5", "700", "MB", "R-1", 5),
            u("L2", "0.001953", "GB", "R-1", 2),
            u("L3", "0", "GB", "R-1", 0),
        ]
    );
    let w: Vec<&str> = d.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        w,
        ["1 usage row(s) of this call detail not counted: the charge rows carry the same kind of usage for those \
          lines and periods (usage is never counted twice: the charge rows win)"]
    );
    assert_eq!(d.usage_files[0].rows, 2);
}

#[test]
fn data_is_written_in_the_unit_the_line_counts_it_in() {
    // L1's plan (plans.csv is not read by read_bill_files, so the charge rows'
    // spelling decides here): its charge rows count data in MB in January, so
    // February's call detail is written in MB too (1,572,864 KB = 1,536 MB); L2 has
    // no such rows: GB.
    let jan = "Rogers,700100,R-0,2025-01-20,2024-12-21,2025-01-20,L1,usage,DATA,Data,1,,0,900,MB\n";
    let csv = format!(
        "{}{jan}",
        charges(&[
            ("L1", "recurring", "40", "", ""),
            ("L2", "recurring", "40", "", "")
        ])
    );
    let d = read(&[
        ("c/charges.csv", &csv),
        (
            "c/gprs/ALL_CALLS-GPRS.txt",
            &format!("{}{}", gprs("L1", "1572864"), gprs("L2", "1572864")),
        ),
        ("c/gprs/Header-GPRS.txt", &gprs_header(GPRS_TITLE)),
    ]);
    let feb: Vec<_> = usage(&d).into_iter().filter(|r| r.3 == "R-1").collect();
    assert_eq!(
        feb,
        [u("L1", "1536", "MB", "R-1", 1), u("L2", "1.5", "GB", "R-1", 2)]
    );
}

#[test]
fn a_roaming_export_measures_no_line_at_zero() {
    let header = "GPRS-RM Type : 01/21/2025 - 02/20/2025\r\n\r\nBAN,9,Text\r\nInvoice No.,10,Text\r\n\
                  User Number,15,Text\r\nVolume (KB),10,Text\r\nCarrier Name,40,Text\r\n";
    let d = read(&[
        (
            "c/charges.csv",
            &charges(&[
                ("L1", "recurring", "40", "", ""),
                ("L2", "recurring", "40", "", ""),
            ]),
        ),
        (
            "c/rm/ALL_CALLS-GPRS-Rm.txt",
            "700100|INV-1|L1|2048|USA, CARRIER\r\n",
        ),
        ("c/rm/Header-GPRS.txt", header),
    ]);
    assert!(d.rejected.is_empty(), "{:?}", d.rejected);
    assert_eq!(usage(&d), [u("L1", "0.001953", "GB", "R-1", 1)]);
    assert_eq!(
        d.file(d.rows.last().unwrap().source.file).kind,
        telaudit_model::SourceKind::Layout("rogers-call-detail-gprs-roaming".into())
    );
}

#[test]
fn a_header_file_that_disagrees_with_its_data_refuses_it_naming_both() {
    // The roaming data file (5 fields) beside a plain GPRS header file of 8 columns:
    // the names do not pair by type, the column count tells.
    let d = read(&[
        ("c/charges.csv", &charges(&[("L1", "recurring", "40", "", "")])),
        (
            "c/rm/ALL_CALLS-GPRS-Rm.txt",
            "700100|INV-1|L1|2048|USA, CARRIER\r\n700100|INV-1|L2|10|USA\r\n",
        ),
        ("c/rm/Header-GPRS.txt", &gprs_header(GPRS_TITLE)),
    ]);
    assert_eq!(d.rejected.len(), 1);
    let r = &d.rejected[0];
    assert_eq!(
        (r.file.as_str(), r.position, r.rows),
        ("c/rm/ALL_CALLS-GPRS-Rm.txt", Position::File, 0)
    );
    assert_eq!(
        r.reason,
        "its header file c/rm/Header-GPRS.txt names 8 columns, but none of its first 2 record(s) has that many \
         fields (5 found): the header file does not describe this data (a header file of another export beside \
         it?); not read"
    );
    // Nothing else lost: the charges are read; no usage, no line measured at zero.
    assert_eq!(d.rows.len(), 1);
    assert!(d.usage_files.is_empty());
}

#[test]
fn a_header_file_naming_more_columns_than_the_data_has_is_refused() {
    // The only bill of the folder: nothing read at all, and the reason names both files.
    let files = vec![
        (
            "x/ALL_CALLS-GPRS.txt".to_string(),
            b"700100|INV-1|L1|02032025|2048\r\n".to_vec(),
        ),
        (
            "x/Header-GPRS.txt".to_string(),
            gprs_header(GPRS_TITLE).into_bytes(),
        ),
    ];
    let e = read_bill_files(files).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no charge rows (1 bill file(s) read; x/ALL_CALLS-GPRS.txt: its header file x/Header-GPRS.txt names 8 \
         columns, but none of its first 1 record(s) has that many fields (5 found): the header file does not \
         describe this data (a header file of another export beside it?); not read)"
    );
}

#[test]
fn call_detail_without_its_header_file_is_refused_naming_both() {
    let e = read_bill_files(vec![(
        "x/ALL_CALLS-GPRS.txt".into(),
        gprs("L1", "5").into_bytes(),
    )])
    .unwrap_err();
    assert!(e.to_string().contains(
        "x/ALL_CALLS-GPRS.txt: no header file beside it: the column names of this call detail are in a file named \
         Header-*.txt in the same folder or archive, and there is none; not read"
    ), "{e}");
    // A header file in another folder is not beside it.
    let d = read(&[
        ("c/charges.csv", &charges(&[("L1", "recurring", "40", "", "")])),
        ("c/a/ALL_CALLS-GPRS.txt", &gprs("L1", "5")),
        ("c/b/Header-GPRS.txt", &gprs_header(GPRS_TITLE)),
    ]);
    assert_eq!(d.rejected.len(), 1);
    assert_eq!(d.rejected[0].file, "c/a/ALL_CALLS-GPRS.txt");
    // The lone header file is said, not silently dropped.
    assert_eq!(d.skipped.len(), 1);
    assert_eq!(
        (d.skipped[0].file.as_str(), d.skipped[0].kind),
        ("c/b/Header-GPRS.txt", SkipKind::NoCharges)
    );
}

#[test]
fn several_header_files_pair_by_name() {
    let sms_header =
        "SMS Type : 01/21/2025 - 02/20/2025\r\n\r\nBAN,9,Text\r\nUser Number,15,Text\r\nCall Type,6,Text\r\n\
                      Period End Date,8,Date\r\n";
    let d = read(&[
        ("c/charges.csv", &charges(&[("L1", "recurring", "40", "", "")])),
        ("c/m/ALL_CALLS-GPRS.txt", &gprs("L1", "1024")),
        (
            "c/m/ALL_CALLS-SMS.txt",
            "700100|L1|OUT|02202025\r\n700100|L1|INC|02202025\r\n",
        ),
        ("c/m/Header-GPRS.txt", &gprs_header(GPRS_TITLE)),
        ("c/m/Header-SMS.txt", sms_header),
    ]);
    assert!(d.rejected.is_empty(), "{:?}", d.rejected);
    // SMS records name no invoice: the layout's own is the account and the period.
    assert_eq!(
        usage(&d),
        [u("L1", "0.000977", "GB", "R-1", 1), u("L1", "2", "msg", "R-1", 1)]
    );
    // Two header files and a data file whose name starts like neither: refused.
    let d = read(&[
        ("c/m/ALL_CALLS-Other.txt", &gprs("L1", "1024")),
        ("c/m/Header-GPRS.txt", &gprs_header(GPRS_TITLE)),
        ("c/m/Header-SMS.txt", sms_header),
        ("c/charges.csv", &charges(&[("L1", "recurring", "40", "", "")])),
    ]);
    assert_eq!(d.rejected.len(), 1);
    assert_eq!(
        d.rejected[0].reason,
        "several header files beside it (Header-GPRS.txt, Header-SMS.txt) and no name tells which one names its \
         columns; not read: put each export in a folder of its own"
    );
}

#[test]
fn a_stray_delimiter_leaves_every_line_of_the_file_not_measured() {
    // L1's record has a `|` in its volume: its columns (and so its line) cannot be
    // told. The file's other rows are not counted and no line is measured at zero
    // by it; the lines of its account are not measured for data that period.
    let d = read(&[
        (
            "c/charges.csv",
            &charges(&[
                ("L1", "recurring", "40", "", ""),
                ("L2", "recurring", "40", "", ""),
            ]),
        ),
        (
            "c/g/ALL_CALLS-GPRS.txt",
            &format!("{}700100|INV-1|L1|02032025|20|48|0|0|\r\n", gprs("L2", "1024")),
        ),
        ("c/g/Header-GPRS.txt", &gprs_header(GPRS_TITLE)),
    ]);
    assert!(d.rejected.is_empty(), "{:?}", d.rejected);
    let w: Vec<(String, &str)> = d
        .warnings
        .iter()
        .map(|w| (w.place().to_string(), w.message.as_str()))
        .collect();
    assert_eq!(
        w,
        [
            (
                "c/g/ALL_CALLS-GPRS.txt:2".to_string(),
                "call-detail record not read: this record has 9 fields where c/g/Header-GPRS.txt names 8 columns (a \
                 stray delimiter in a field?): its columns cannot be told apart, so neither can its line; no line of \
                 this file's accounts counts as measured for data in its periods (not measured, never unused; no \
                 money rests on call detail)"
            ),
            (
                "c/g/ALL_CALLS-GPRS.txt".to_string(),
                "1 usage row(s) of this call detail not counted: a call-detail record of those lines and periods could \
                 not be read, so they count as not measured there"
            ),
        ]
    );
    assert!(usage(&d).is_empty());
    // Data: the record that cannot be read. Voice and messages: no export of the
    // account measures them that period, and no charge row carries usage.
    let um: Vec<(&str, String, &str)> = d
        .unmeasured
        .iter()
        .map(|u| (d.s(u.service), u.period_start.to_string(), u.kind.name()))
        .collect();
    let p = || "2025-01-21".to_string();
    assert_eq!(
        um,
        [
            ("L1", p(), "data"),
            ("L1", p(), "voice"),
            ("L1", p(), "messages"),
            ("L2", p(), "data"),
            ("L2", p(), "voice"),
            ("L2", p(), "messages"),
        ]
    );
    assert_eq!(d.usage_files[0].records, 2);
}

#[test]
fn a_volume_that_is_not_a_number_leaves_its_line_not_measured() {
    let d = read(&[
        (
            "c/charges.csv",
            &charges(&[
                ("L1", "recurring", "40", "", ""),
                ("L2", "recurring", "40", "", ""),
                ("L3", "recurring", "40", "", ""),
            ]),
        ),
        (
            "c/g/ALL_CALLS-GPRS.txt",
            &format!(
                "{}{}{}",
                gprs("L1", "1024"),
                gprs("L2", "2,048 KB"),
                gprs("L2", "1024")
            ),
        ),
        ("c/g/Header-GPRS.txt", &gprs_header(GPRS_TITLE)),
    ]);
    assert!(d.rejected.is_empty());
    assert_eq!(d.warnings.len(), 2, "{:?}", d.warnings);
    assert_eq!(d.warnings[0].position, Position::Line(2));
    assert_eq!(
        d.warnings[0].message,
        "call-detail record not read: Volume (KB): \"2,048 KB\" is not an amount (not a plain decimal number \
         (expected e.g. -12.5 or 1234.5678)); line L2 counts as not measured for data in the period 2025-01-21 to \
         2025-02-20 (not measured, never unused; no money rests on call detail)"
    );
    // L2's readable session is not counted either (its month's data is unknown);
    // L3 is measured at zero; L1 used 1,024 KB.
    assert_eq!(
        usage(&d),
        [u("L1", "0.000977", "GB", "R-1", 1), u("L3", "0", "GB", "R-1", 0)]
    );
    // L2's data is not measured (the record); no line's voice or messages is (a
    // data export alone measures data only).
    let um: Vec<(&str, &str)> = d
        .unmeasured
        .iter()
        .map(|u| (d.s(u.service), u.kind.name()))
        .collect();
    assert_eq!(
        um,
        [
            ("L1", "voice"),
            ("L1", "messages"),
            ("L2", "data"),
            ("L2", "voice"),
            ("L2", "messages"),
            ("L3", "voice"),
            ("L3", "messages"),
        ]
    );
}

#[test]
fn a_billing_period_that_cannot_be_read() {
    // GPRS has no period column: a title it cannot read refuses the file, naming
    // the header file's line.
    let d = read(&[
        ("c/charges.csv", &charges(&[("L1", "recurring", "40", "", "")])),
        ("c/g/ALL_CALLS-GPRS.txt", &gprs("L1", "1024")),
        (
            "c/g/Header-GPRS.txt",
            &gprs_header("GPRS Type : 13/45/2025 - 02/20/2025"),
        ),
    ]);
    assert_eq!(d.rejected.len(), 1);
    assert_eq!(
        d.rejected[0].reason,
        "the billing period in the title of its header file c/g/Header-GPRS.txt:1 cannot be read (\"13/45/2025 - \
         02/20/2025\" is not a bill period (expected two dates joined by \"-\", in MM/DD/YYYY, MMDDYYYY)), and its \
         records carry none; not read"
    );
    // Voice has each record's Period End Date: a warning on the title, and the
    // records' own period.
    let voice_header = "Voice Type : someday\r\n\r\nBAN,9,Text\r\nUser Number,15,Text\r\nSeconds,10,Text\r\n\
                        Period End Date,8,Date\r\n";
    let d = read(&[
        ("c/charges.csv", &charges(&[("L1", "recurring", "40", "", "")])),
        (
            "c/v/ALL_CALLS-Voice.txt",
            "700100|L1|90|02202025\r\n700100|L1|30|02302025\r\n",
        ),
        ("c/v/Header-Voice.txt", voice_header),
    ]);
    assert!(d.rejected.is_empty());
    let w: Vec<(String, &str)> = d
        .warnings
        .iter()
        .map(|w| (w.place().to_string(), w.message.as_str()))
        .collect();
    assert_eq!(w[0].0, "c/v/Header-Voice.txt:1");
    assert!(
        w[0].1
            .starts_with("the billing period in this title cannot be read (\"someday\" is not a bill period"),
        "{w:?}"
    );
    // The second record's period end (February 30th) cannot be read: a warning on
    // its line, and L1 not measured in this file's periods.
    assert_eq!(w[1].0, "c/v/ALL_CALLS-Voice.txt:2");
    assert!(w[1].1.contains("\"02302025\" is no such calendar day"), "{w:?}");
    assert!(
        w[1].1
            .contains("line L1 counts as not measured for voice in this file's periods"),
        "{w:?}"
    );
    assert!(usage(&d).is_empty());
}

#[test]
fn zero_rows_follow_their_file_and_edi_ranges_move_with_the_rows() {
    // A call-detail file, then an X12 811 whose invoice does not balance: the EDI
    // rows' range follows them past the zero rows inserted before them.
    let edi = include_str!("fixtures/edi/spec-example.edi").replace("TDS*67550", "TDS*67500");
    let d = read(&[
        (
            "a/charges.csv",
            &charges(&[
                ("L1", "recurring", "40", "", ""),
                ("L2", "recurring", "40", "", ""),
            ]),
        ),
        ("a/g/ALL_CALLS-GPRS.txt", &gprs("L1", "1024")),
        ("a/g/Header-GPRS.txt", &gprs_header(GPRS_TITLE)),
        ("b.edi", &edi),
    ]);
    assert!(d.rejected.is_empty(), "{:?}", d.rejected);
    let files: Vec<&str> = d
        .rows
        .iter()
        .map(|r| d.file(r.source.file).path.as_str())
        .collect();
    assert_eq!(
        files[..4],
        [
            "a/charges.csv",
            "a/charges.csv",
            "a/g/ALL_CALLS-GPRS.txt",
            "a/g/ALL_CALLS-GPRS.txt"
        ]
    );
    assert_eq!(d.unbalanced.len(), 1);
    let u = &d.unbalanced[0];
    assert_eq!(u.rows, 4..7);
    assert!(d.rows[4..7].iter().all(|r| d.file(r.source.file).path == "b.edi"));
}

#[test]
fn call_detail_delivered_twice_counts_once() {
    // The same export saved again with its records in another order: skipped, named.
    let records = format!("{}{}", gprs("L1", "1024"), gprs("L2", "2048"));
    let again = format!("{}{}", gprs("L2", "2048"), gprs("L1", "1024"));
    let d = read(&[
        (
            "c/charges.csv",
            &charges(&[
                ("L1", "recurring", "40", "", ""),
                ("L2", "recurring", "40", "", ""),
            ]),
        ),
        ("c/a/ALL_CALLS-GPRS.txt", &records),
        ("c/a/Header-GPRS.txt", &gprs_header(GPRS_TITLE)),
        ("c/b/ALL_CALLS-GPRS.txt", &again),
        ("c/b/Header-GPRS.txt", &gprs_header(GPRS_TITLE)),
    ]);
    assert!(d.rejected.is_empty(), "{:?}", d.rejected);
    assert_eq!(
        usage(&d),
        [
            u("L1", "0.000977", "GB", "R-1", 1),
            u("L2", "0.001953", "GB", "R-1", 2)
        ]
    );
    assert_eq!(d.usage_files.len(), 1);
    assert_eq!(
        (d.skipped.len(), d.skipped[0].file.as_str(), d.skipped[0].kind),
        (1, "c/b/ALL_CALLS-GPRS.txt", SkipKind::Copy)
    );
    assert_eq!(
        d.warnings[0].message,
        "the same usage as c/a/ALL_CALLS-GPRS.txt (every line, period and sum): a second delivery of the same call \
         detail; skipped (its usage is counted once, from c/a/ALL_CALLS-GPRS.txt)"
    );
    // A home and a roaming export with the same sums are two measures: they add up.
    let rm_header = "GPRS-RM Type : 01/21/2025 - 02/20/2025\r\n\r\nBAN,9,Text\r\nInvoice No.,10,Text\r\n\
                     User Number,15,Text\r\nDate,8,Date\r\nVolume (KB),10,Text\r\nTotal Call Charges,12,Currency\r\n\
                     Roaming Indicator,1,Text\r\nCarrier Name,40,Text\r\n";
    let d = read(&[
        ("c/charges.csv", &charges(&[("L1", "recurring", "40", "", "")])),
        ("c/a/ALL_CALLS-GPRS.txt", &gprs("L1", "1024")),
        ("c/a/Header-GPRS.txt", &gprs_header(GPRS_TITLE)),
        (
            "c/b/ALL_CALLS-GPRS-Rm.txt",
            "700100|INV-1|L1|02032025|1024|0|1|USA\r\n",
        ),
        ("c/b/Header-GPRS.txt", rm_header),
    ]);
    assert!(
        d.rejected.is_empty() && d.skipped.is_empty(),
        "{:?} {:?}",
        d.rejected,
        d.skipped
    );
    assert_eq!(
        usage(&d),
        [
            u("L1", "0.000977", "GB", "R-1", 1),
            u("L1", "0.000977", "GB", "R-1", 1)
        ]
    );
}

/// A Rogers Voice export of account 700100's February cycle: one record per
/// (line, seconds), with its header file.
fn voice_files(dir: &str, records: &[(&str, &str)]) -> Vec<(String, String)> {
    let header = "Voice Type : 01/21/2025 - 02/20/2025\r\n\r\nBAN,9,Text\r\nUser Number,15,Text\r\n\
                  Seconds,10,Text\r\nPeriod End Date,8,Date\r\n";
    let data: String = records
        .iter()
        .map(|(line, secs)| format!("700100|{line}|{secs}|02202025\r\n"))
        .collect();
    vec![
        (format!("{dir}/ALL_CALLS-Voice.txt"), data),
        (format!("{dir}/Header-Voice.txt"), header.to_string()),
    ]
}

/// A Rogers SMS export of account 700100's February cycle, one message per line named.
fn sms_files(dir: &str, lines: &[&str]) -> Vec<(String, String)> {
    let header = "SMS Type : 01/21/2025 - 02/20/2025\r\n\r\nBAN,9,Text\r\nUser Number,15,Text\r\n\
                  Call Type,6,Text\r\nPeriod End Date,8,Date\r\n";
    let data: String = lines
        .iter()
        .map(|l| format!("700100|{l}|OUT|02202025\r\n"))
        .collect();
    vec![
        (format!("{dir}/ALL_CALLS-SMS.txt"), data),
        (format!("{dir}/Header-SMS.txt"), header.to_string()),
    ]
}

fn read_owned(files: Vec<(String, String)>) -> Dump {
    read_bill_files(files.into_iter().map(|(n, t)| (n, t.into_bytes())).collect()).unwrap()
}

/// (line, kind) of every line and kind not measured.
fn unmeasured(d: &Dump) -> Vec<(&str, &str)> {
    d.unmeasured
        .iter()
        .map(|u| (d.s(u.service), u.kind.name()))
        .collect()
}

#[test]
fn a_line_measured_by_call_detail_alone_is_measured_only_where_every_kind_is() {
    // February of account 700100: L1 (a phone: data and texts) and L2 (a hotspot:
    // in no export) billed a plan each; L3's charge rows carry its data (2 GB).
    // GPRS and SMS exports, no voice export: the account's call detail measures data
    // and messages, not voice. L1 and L2 are measured by call detail alone, so their
    // voice is not measured (L2 is never "unused" from this); L3's own charge rows
    // measure it, as before.
    let mut files = vec![
        (
            "c/charges.csv".to_string(),
            charges(&[
                ("L1", "recurring", "40", "", ""),
                ("L2", "recurring", "60", "", ""),
                ("L3", "usage", "0", "2", "GB"),
            ]),
        ),
        ("c/g/ALL_CALLS-GPRS.txt".to_string(), gprs("L1", "1024")),
        ("c/g/Header-GPRS.txt".to_string(), gprs_header(GPRS_TITLE)),
    ];
    files.extend(sms_files("c/s", &["L1"]));
    let d = read_owned(files.clone());
    assert!(
        d.rejected.is_empty() && d.warnings.is_empty(),
        "{:?} {:?}",
        d.rejected,
        d.warnings
    );
    assert_eq!(unmeasured(&d), [("L1", "voice"), ("L2", "voice")]);
    // L2 is still measured at zero in the kinds the exports hold.
    assert_eq!(
        usage(&d),
        [
            u("L3", "2", "GB", "R-1", 4),
            u("L1", "0.000977", "GB", "R-1", 1),
            u("L2", "0", "GB", "R-1", 0),
            u("L1", "1", "msg", "R-1", 1),
            u("L2", "0", "msg", "R-1", 0),
            u("L3", "0", "msg", "R-1", 0),
        ]
    );
    // With a Voice export of the account too (L1 talked 120 s), every kind is
    // measured: no line is left not measured, and L2 is measured at zero in all three.
    files.extend(voice_files("c/v", &[("L1", "120")]));
    let d = read_owned(files);
    assert!(
        d.rejected.is_empty() && d.warnings.is_empty(),
        "{:?} {:?}",
        d.rejected,
        d.warnings
    );
    assert_eq!(unmeasured(&d), []);
    let l2: Vec<_> = usage(&d).into_iter().filter(|r| r.0 == "L2").collect();
    assert_eq!(
        l2,
        [
            u("L2", "0", "GB", "R-1", 0),
            u("L2", "0", "msg", "R-1", 0),
            u("L2", "0", "min", "R-1", 0)
        ]
    );
}

#[test]
fn a_roaming_export_measures_no_kind_of_a_line_at_zero() {
    // Only a roaming voice export for February: it measures no line at zero, so no
    // kind is measured for a line absent from it (L2), nor, beyond the call it
    // lists, for L1.
    let header = "Voice-RM Type : 01/21/2025 - 02/20/2025\r\n\r\nBAN,9,Text\r\nUser Number,15,Text\r\n\
                  Seconds,10,Text\r\nPeriod End Date,8,Date\r\nCarrier Name,40,Text\r\n";
    let d = read(&[
        (
            "c/charges.csv",
            &charges(&[
                ("L1", "recurring", "40", "", ""),
                ("L2", "recurring", "40", "", ""),
            ]),
        ),
        (
            "c/rm/ALL_CALLS-VoiceRM.txt",
            "700100|L1|60|02202025|USA, CARRIER\r\n",
        ),
        ("c/rm/Header-Voice.txt", header),
    ]);
    assert!(
        d.rejected.is_empty() && d.warnings.is_empty(),
        "{:?} {:?}",
        d.rejected,
        d.warnings
    );
    assert_eq!(usage(&d), [u("L1", "1", "min", "R-1", 1)]);
    assert_eq!(
        unmeasured(&d),
        [
            ("L1", "data"),
            ("L1", "voice"),
            ("L1", "messages"),
            ("L2", "data"),
            ("L2", "voice"),
            ("L2", "messages")
        ]
    );
}

#[test]
fn call_detail_of_a_period_its_account_is_not_billed_in_is_set_aside() {
    // The bill is February's (invoice R-1, dated 2025-02-20). A GPRS export of
    // March (arrived before its bill) lists L1 and L2; a February export lists L1
    // of account 700100 and a line of account 700999, which has no bill at all.
    let march = "GPRS Type : 02/21/2025 - 03/20/2025";
    let d = read(&[
        (
            "c/charges.csv",
            &charges(&[
                ("L1", "recurring", "40", "", ""),
                ("L2", "recurring", "40", "", ""),
            ]),
        ),
        (
            "c/feb/ALL_CALLS-GPRS.txt",
            &format!("{}700999|INV-9|L9|02032025|2048|0|0|\r\n", gprs("L1", "1024")),
        ),
        ("c/feb/Header-GPRS.txt", &gprs_header(GPRS_TITLE)),
        (
            "c/mar/ALL_CALLS-GPRS.txt",
            "700100|INV-2|L1|03032025|1024|0|0|\r\n700100|INV-2|L2|03042025|1024|0|0|\r\n700100|INV-2|L1|03052025|1|0|0|\r\n",
        ),
        ("c/mar/Header-GPRS.txt", &gprs_header(march)),
    ]);
    assert!(d.rejected.is_empty(), "{:?}", d.rejected);
    let w: Vec<(String, &str)> = d
        .warnings
        .iter()
        .map(|w| (w.place().to_string(), w.message.as_str()))
        .collect();
    assert_eq!(
        w,
        [
            (
                "c/feb/ALL_CALLS-GPRS.txt".to_string(),
                "1 usage row(s) of this call detail not counted: no bill of their account is read for that period \
                 (account 700999, the period 2025-01-21 to 2025-02-20); call detail counts only for a period its \
                 account is billed in (it makes no period, moves no as-of date and bills nothing)"
            ),
            (
                "c/mar/ALL_CALLS-GPRS.txt".to_string(),
                "2 usage row(s) of this call detail not counted: no bill of their account is read for that period \
                 (account 700100, the period 2025-02-21 to 2025-03-20); call detail counts only for a period its \
                 account is billed in (it makes no period, moves no as-of date and bills nothing)"
            ),
        ]
    );
    // February's usage only: L1 listed, L2 measured at zero; no row of March or of 700999.
    assert_eq!(
        usage(&d),
        [u("L1", "0.000977", "GB", "R-1", 1), u("L2", "0", "GB", "R-1", 0)]
    );
    let periods: std::collections::BTreeSet<String> =
        d.rows.iter().map(|r| r.period_start.to_string()).collect();
    assert_eq!(periods.into_iter().collect::<Vec<_>>(), ["2025-01-21"]);
    assert_eq!(
        d.as_of_date().map(|x| x.to_string()).as_deref(),
        Some("2025-02-20")
    );
    // Both exports are still read for usage, with their records; March's gives no row.
    let files: Vec<(u64, u64)> = d.usage_files.iter().map(|u| (u.records, u.rows)).collect();
    assert_eq!(files, [(2, 2), (3, 0)]);
    assert!(d.usage_files[1].measures.is_empty());
    // Read alone (`telaudit convert`), March's export has no bill to be checked
    // against: its rows are printed as read.
    let alone = read(&[
        ("mar/ALL_CALLS-GPRS.txt", "700100|INV-2|L1|03032025|1024|0|0|\r\n"),
        ("mar/Header-GPRS.txt", &gprs_header(march)),
    ]);
    assert!(alone.warnings.is_empty(), "{:?}", alone.warnings);
    assert_eq!(usage(&alone), [u("L1", "0.000977", "GB", "INV-2", 1)]);
}

#[test]
fn call_detail_never_moves_the_as_of_date() {
    // February of account 700100 is billed on two invoices (R-1 and R-2, dated 15 and
    // 16 February): L9, listed only by the call detail, takes neither (its account's
    // rows name two) and keeps its own invoice, dated on the period end (20
    // February). The as-of date is the bills' latest, 2025-02-16.
    let csv = format!(
        "{CANONICAL}\n\
         Rogers,700100,R-1,2025-02-15,2025-01-21,2025-02-20,L1,recurring,PLAN,Plan,1,,40,,\n\
         Rogers,700100,R-2,2025-02-16,2025-01-21,2025-02-20,L2,recurring,PLAN,Plan,1,,40,,\n"
    );
    let d = read(&[
        ("c/charges.csv", &csv),
        ("c/g/ALL_CALLS-GPRS.txt", &gprs("L9", "1024")),
        ("c/g/Header-GPRS.txt", &gprs_header(GPRS_TITLE)),
    ]);
    assert!(
        d.rejected.is_empty() && d.warnings.is_empty(),
        "{:?} {:?}",
        d.rejected,
        d.warnings
    );
    let l9 = d.rows.iter().find(|r| d.s(r.service) == "L9").unwrap();
    assert_eq!(
        (d.s(l9.invoice), l9.invoice_date.to_string()),
        ("INV-1", "2025-02-20".to_string())
    );
    assert_eq!(
        d.as_of_date().map(|x| x.to_string()).as_deref(),
        Some("2025-02-16")
    );
}
