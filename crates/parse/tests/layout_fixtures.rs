//! Each shipped carrier layout on a fixture written from scratch
//! (tests/fixtures/layouts/), with totals computed by hand; recognition,
//! refusal of unknown CSVs, client.toml forcing, and no double count of Verizon money.

use std::path::Path;
use telaudit_model::{ChargeType, Dump, FileId, Micros, Position};
use telaudit_parse::{find_layout, layout_errors, layouts, read_charge_file, read_client, ParsedFile};

fn fixture(name: &str) -> (std::path::PathBuf, Vec<u8>) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/layouts")
        .join(name);
    let b = std::fs::read(&p).unwrap();
    (p, b)
}

fn m(s: &str) -> Micros {
    Micros::parse(s).unwrap()
}

fn read(name: &str) -> ParsedFile {
    let (p, b) = fixture(name);
    read_charge_file(&p, &b, FileId(0), name).unwrap()
}

fn total(p: &ParsedFile) -> Micros {
    Micros(p.rows.iter().map(|r| r.amount.0).sum())
}

/// (service, type, amount, description) of each row.
fn rows(p: &ParsedFile) -> Vec<(String, ChargeType, Micros, String)> {
    p.rows
        .iter()
        .map(|r| {
            (
                p.strings.get(r.service).to_string(),
                r.charge_type,
                r.amount,
                p.strings.get(r.description).to_string(),
            )
        })
        .collect()
}

#[test]
fn every_layout_file_compiles() {
    assert!(layout_errors().is_empty(), "{:#?}", layout_errors());
    let names: Vec<&str> = layouts().iter().map(|l| l.name.as_str()).collect();
    for n in [
        "verizon-wireless-charges-detail",
        "verizon-wireless-summary",
        "att-premier-rdo",
        "bell-mobility-mob",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
}

#[test]
fn verizon_detail_fixture() {
    let p = read("verizon-detail.txt");
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    // 65.00 + 2.31 + 1.17 + 0.00 - 10.00 + 41.67 = 100.15; the "Total" line is left out.
    assert_eq!(total(&p), m("100.15"));
    let sid = "555-201-0101".to_string();
    assert_eq!(
        rows(&p),
        [
            (
                sid.clone(),
                ChargeType::Recurring,
                m("65"),
                "Business Unlimited Smartphone".into()
            ),
            (
                sid.clone(),
                ChargeType::Surcharge,
                m("2.31"),
                "Fed Universal Service Charge".into()
            ),
            (sid.clone(), ChargeType::Tax, m("1.17"), "State Sales Tax".into()),
            (sid.clone(), ChargeType::Usage, m("0"), "GIGABYTE USAGE".into()),
            (sid.clone(), ChargeType::Credit, m("-10"), "Loyalty credit".into()),
            (
                sid,
                ChargeType::OneTime,
                m("41.67"),
                "Device Payment Agreement 7 of 36".into()
            ),
        ]
    );
    let r = &p.rows[3];
    assert_eq!(r.usage_quantity, Some(m("12.345")));
    assert_eq!(p.strings.get(r.usage_unit), "GB");
    // Excel's apostrophe is not part of the account; the cycle ends on the bill date.
    assert_eq!(p.strings.get(r.account), "0123456789-00001");
    assert_eq!(p.strings.get(r.invoice), "9900001");
    assert_eq!(r.invoice_date.to_string(), "2024-03-16");
    assert_eq!(
        (r.period_start.to_string(), r.period_end.to_string()),
        ("2024-02-17".into(), "2024-03-16".into())
    );
    // Line numbers are the file's physical lines (a blank line at 6).
    let lines: Vec<u32> = p.rows.iter().map(|r| r.source.pos).collect();
    assert_eq!(lines, [2, 3, 4, 5, 7, 8]);
    assert!(
        p.warnings.iter().any(|w| w.message.starts_with("1 summary")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn verizon_summary_fixture() {
    let p = read("verizon-summary.txt");
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    // 85.00 + 12.50 + 3.10 + 4.20 = 104.80 = its Total Charges; the zero line bills nothing.
    assert_eq!(total(&p), m("104.80"));
    let money: Vec<(ChargeType, Micros, String)> = rows(&p)
        .into_iter()
        .filter(|r| r.2 != Micros::ZERO)
        .map(|r| (r.1, r.2, r.3))
        .collect();
    assert_eq!(
        money,
        [
            (
                ChargeType::Recurring,
                m("85"),
                "BUSINESS UNLIMITED $85.00 monthly access".into()
            ),
            (ChargeType::Usage, m("12.50"), "Usage and Purchase Charges".into()),
            (
                ChargeType::Surcharge,
                m("3.10"),
                "Surcharges and Other Charges and Credits".into()
            ),
            (
                ChargeType::Tax,
                m("4.20"),
                "Taxes, Governmental Surcharges and Fees".into()
            ),
        ]
    );
    // Usage rows for both lines, zero usage included (the unused-line rule needs them).
    let usage: Vec<(String, Option<Micros>, String)> = p
        .rows
        .iter()
        .filter(|r| r.amount == Micros::ZERO)
        .map(|r| {
            (
                p.strings.get(r.service).to_string(),
                r.usage_quantity,
                p.strings.get(r.usage_unit).to_string(),
            )
        })
        .collect();
    assert_eq!(
        usage,
        [
            ("555-201-0101".into(), Some(m("250")), "min".into()),
            ("555-201-0101".into(), Some(m("1200")), "msg".into()),
            ("555-201-0101".into(), Some(m("3.5")), "GB".into()),
            ("555-201-0102".into(), Some(m("0")), "min".into()),
            ("555-201-0102".into(), Some(m("0")), "msg".into()),
            ("555-201-0102".into(), Some(m("0")), "GB".into()),
        ]
    );
    // "Dec 17 -Jan 16" on a January 2024 bill spans the new year.
    let r = &p.rows[0];
    assert_eq!(
        (r.period_start.to_string(), r.period_end.to_string()),
        ("2023-12-17".into(), "2024-01-16".into())
    );
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn att_rdo_fixture() {
    let p = read("att-rdo.txt");
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    // 40.00 + 0.00 - 5.00 + 2.50 + 12.00 + 1,199.99 = 1,249.49; the FAN header and
    // the previous balance (500.00) are not charges.
    assert_eq!(total(&p), m("1249.49"));
    let ctn = "5551230001".to_string();
    assert_eq!(
        rows(&p),
        [
            (
                ctn.clone(),
                ChargeType::Recurring,
                m("40"),
                "Business Unlimited Plan".into()
            ),
            (ctn.clone(), ChargeType::Usage, m("0"), "Voice Usage".into()),
            (ctn.clone(), ChargeType::Credit, m("-5"), "Loyalty Credit".into()),
            (ctn, ChargeType::Tax, m("2.50"), "Federal Excise Tax".into()),
            (
                String::new(),
                ChargeType::Fee,
                m("12"),
                "Late Payment Charge".into()
            ),
            (
                String::new(),
                ChargeType::Adjustment,
                m("1199.99"),
                "PHONE X 256GB".into()
            ),
        ]
    );
    let plan = &p.rows[0];
    assert_eq!(p.strings.get(plan.charge_code), "BUSUNL");
    assert_eq!(plan.unit_rate, Some(m("40")));
    assert_eq!(p.strings.get(plan.invoice), "INV-77");
    assert_eq!(plan.invoice_date.to_string(), "2024-03-02");
    // Billed in advance: the plan's own period; other rows take the cycle.
    assert_eq!(
        (plan.period_start.to_string(), plan.period_end.to_string()),
        ("2024-03-03".into(), "2024-04-02".into())
    );
    let usage = &p.rows[1];
    assert_eq!(
        (usage.period_start.to_string(), usage.period_end.to_string()),
        ("2024-02-03".into(), "2024-03-02".into())
    );
    assert_eq!(usage.usage_quantity, Some(m("431")));
    assert_eq!(p.strings.get(usage.usage_unit), "min");
    let lines: Vec<u32> = p.rows.iter().map(|r| r.source.pos).collect();
    assert_eq!(lines, [4, 5, 6, 7, 8, 9]);
}

#[test]
fn bell_mob_fixture() {
    let p = read("bell-mob.csv");
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    // Line 1: 50.00 + 5.00 + 10.00 - 5.00 + 7.80 = 67.80 (its Ttl Charges); line 2: 25.00.
    assert_eq!(total(&p), m("92.80"));
    let a = "416-555-0001".to_string();
    assert_eq!(
        rows(&p),
        [
            (
                a.clone(),
                ChargeType::Recurring,
                m("50"),
                "Monthly charges".into()
            ),
            (a.clone(), ChargeType::Recurring, m("5"), "Feature charges".into()),
            (a.clone(), ChargeType::Usage, m("10"), "Data".into()),
            (a.clone(), ChargeType::Credit, m("-5"), "Discounts".into()),
            (a, ChargeType::Tax, m("7.80"), "HST".into()),
            (
                "416-555-0002".into(),
                ChargeType::Recurring,
                m("25"),
                "Monthly charges".into()
            ),
        ]
    );
    let r = &p.rows[0];
    assert_eq!(p.strings.get(r.account), "5550001");
    assert_eq!(
        (r.period_start.to_string(), r.period_end.to_string()),
        ("2024-01-01".into(), "2024-01-31".into())
    );
    // The French header line is skipped; line 2's total does not add up: a warning names line 4.
    let w: Vec<(Position, bool)> = p
        .warnings
        .iter()
        .map(|w| (w.position, w.message.contains("sum to 25")))
        .collect();
    assert!(w.contains(&(Position::Line(4), true)), "{:?}", p.warnings);
}

#[test]
fn bell_mob_hst_province_columns_are_parts_of_hst() {
    // Line 3: HST 13.00 of which HST-ON Tel 13.00: one HST row of 13.00, and
    // 100.00 + 13.00 = 113.00 is its Ttl Charges. Line 4 has HST 0.00 and
    // HST-BC Tel 6.00: the province column is the row's HST.
    let text = "Acct Nbr,Invc Date,Mobile Nbr,Mth Chg Ttl,HST,HST-ON Tel,HST-BC Tel,Ttl Charges\n\
                Num compte,Date fact,Num tel mo,Tot fr mens,TVH,TVHO Tel,TVHBC Tel,Tot fr cour\n\
                5550002,2024/03/01,416-555-0101,100.00,13.00,13.00,0.00,113.00\n\
                5550002,2024/03/01,604-555-0102,50.00,0.00,0.00,6.00,56.00\n";
    let p = read_charge_file(Path::new("mob.csv"), text.as_bytes(), FileId(0), "mob.csv").unwrap();
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    assert_eq!(total(&p), m("169.00"));
    let tax: Vec<(String, Micros)> = p
        .rows
        .iter()
        .filter(|r| r.charge_type == ChargeType::Tax)
        .map(|r| (p.strings.get(r.service).to_string(), r.amount))
        .collect();
    assert_eq!(
        tax,
        [
            ("416-555-0101".into(), m("13.00")),
            ("604-555-0102".into(), m("6.00"))
        ]
    );
    assert!(
        !p.warnings.iter().any(|w| w.message.contains("sum to")),
        "{:?}",
        p.warnings
    );
}

fn client(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    dir
}

fn billed(d: &Dump) -> Micros {
    Micros(d.rows.iter().map(|r| r.amount.0).sum())
}

#[test]
fn verizon_summary_is_not_counted_next_to_the_detail_of_the_same_invoice() {
    let (_, detail) = fixture("verizon-detail.txt");
    let (_, summary) = fixture("verizon-summary.txt");
    // Different invoices (9900001 vs 9800001): both count.
    let dir = client(&[("invoices/d.txt", &detail), ("invoices/s.txt", &summary)]);
    let d = read_client(dir.path()).unwrap();
    assert_eq!(billed(&d), m("204.95"));
    // The summary of the same invoice as the detail: only the detail counts.
    let same = String::from_utf8(summary.clone())
        .unwrap()
        .replace("9800001", "9900001");
    let dir = client(&[("invoices/d.txt", &detail), ("invoices/s.txt", same.as_bytes())]);
    let d = read_client(dir.path()).unwrap();
    assert_eq!(billed(&d), m("100.15"));
    assert_eq!(d.rows.len(), 6);
    assert!(d
        .warnings
        .iter()
        .any(|w| w.file == "invoices/s.txt" && w.message.contains("10 row(s) not counted")));
}

#[test]
fn an_unknown_csv_is_refused_naming_the_closest_layouts() {
    let text = "Section ID|Billing Entity Level|Section_1|Amount\nSL|BAN|Account Charges|5.00\nSL|BAN|Account Charges|6.00\n";
    let dir = client(&[
        ("invoices/x.csv", text.as_bytes()),
        ("invoices/y.txt", text.as_bytes()),
    ]);
    let d = read_client(dir.path()).unwrap();
    // x.csv is refused whole (2 rows); y.txt is warned about and skipped.
    assert_eq!(d.rejected.len(), 1);
    assert_eq!(
        (d.rejected[0].file.as_str(), d.rejected[0].rows),
        ("invoices/x.csv", 2)
    );
    let s = &d.rejected[0].reason;
    assert!(s.contains("no layout recognises this file"), "{s}");
    assert!(
        s.contains("att-premier-rdo (missing Billing Account Number, Section_2)"),
        "{s}"
    );
    let (p, b) = (Path::new("x.csv"), text.as_bytes());
    assert!(d
        .warnings
        .iter()
        .any(|w| w.file == "invoices/y.txt" && w.message.contains("att-premier-rdo")));
    let parsed = read_charge_file(p, b, FileId(0), "x.csv").unwrap();
    assert_eq!(parsed.rejected.len(), 1);
    assert_eq!(parsed.rejected[0].rows, 2);
    assert!(read_charge_file(Path::new("y.txt"), b, FileId(0), "y.txt").is_err());
}

#[test]
fn client_toml_forces_a_layout_on_a_path_pattern() {
    let (_, att) = fixture("att-rdo.txt");
    let toml = "[[layouts]]\npath = \"invoices/att/*.dat\"\nlayout = \"att-premier-rdo\"\n";
    let dir = client(&[("client.toml", toml.as_bytes()), ("invoices/att/march.dat", &att)]);
    let d = read_client(dir.path()).unwrap();
    assert_eq!(billed(&d), m("1249.49"));
    assert_eq!(d.config.layouts.len(), 1);
    // Without the entry, .dat is not a bill file.
    let dir = client(&[("invoices/att/march.dat", &att)]);
    assert!(read_client(dir.path()).is_err());
    // An unknown layout name is a configuration error that lists the known ones.
    let bad = "[[layouts]]\npath = \"invoices/*.txt\"\nlayout = \"att-premier\"\n";
    let e = telaudit_parse::parse_client_toml(bad).unwrap_err();
    assert!(
        e.contains("unknown layout \"att-premier\"") && e.contains("att-premier-rdo"),
        "{e}"
    );
    assert!(find_layout("att-premier-rdo").is_some());
}

#[test]
fn a_record_over_one_mebibyte_in_a_layout_file_is_refused_and_the_rest_read() {
    let (path, bytes) = fixture("att-rdo.txt");
    let text = String::from_utf8(bytes).unwrap();
    let lines = text.lines().count() as u64;
    let huge = format!("{text}{}\n", "x".repeat(2 << 20));
    let p = read_charge_file(&path, huge.as_bytes(), FileId(0), "att-rdo.txt").unwrap();
    assert_eq!(total(&p), m("1249.49"));
    assert_eq!(p.rejected.len(), 1, "{:#?}", p.rejected);
    assert_eq!(p.rejected[0].position, Position::Line(lines + 1));
    assert!(
        p.rejected[0].reason.contains("longer than 1048576 bytes"),
        "{}",
        p.rejected[0].reason
    );
}

/// The layout `read_charge_file` recognised a fixture as (None: not a layout file).
fn recognised_as(name: &str) -> Option<String> {
    let (_, b) = fixture(name);
    let dir = client(&[(&format!("invoices/{name}"), &b)]);
    let d = read_client(dir.path()).ok()?;
    d.files.iter().find_map(|f| match &f.kind {
        telaudit_model::SourceKind::Layout(l) => Some(l.clone()),
        _ => None,
    })
}

#[test]
fn telus_group_summary_fixture() {
    let p = read("telus-group-summary.txt");
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    // Clinics: 25.00 + 3.40 + 10.00 + 1.25 + HST 5.95 = 45.60 and 40.00 + 2.50 - 5.00
    // + GST 1.88 = 39.38; Admin: 15.00 + 4.00 + GST 0.95 = 19.95; the suspended line
    // bills nothing. 45.60 + 39.38 + 19.95 = 104.93, of which tax 5.95 + 1.88 + 0.95 = 8.78.
    assert_eq!(total(&p), m("104.93"));
    let tax = Micros(
        p.rows
            .iter()
            .filter(|r| r.charge_type == ChargeType::Tax)
            .map(|r| r.amount.0)
            .sum(),
    );
    assert_eq!(tax, m("8.78"));
    assert_eq!(p.rows.len(), 12);
    let c = " (department Clinics, cost center CC-100)";
    let a = " (department Admin, cost center CC-200)";
    let (l1, l2, l3) = (
        "9025550101".to_string(),
        "9025550102".to_string(),
        "9025550103".to_string(),
    );
    assert_eq!(
        rows(&p),
        [
            (
                l1.clone(),
                ChargeType::Recurring,
                m("25"),
                format!("Service plan: Business Talk 25{c}")
            ),
            (
                l1.clone(),
                ChargeType::Usage,
                m("3.40"),
                format!("Long distance{c}")
            ),
            (
                l1.clone(),
                ChargeType::Recurring,
                m("10"),
                format!("Data services{c}")
            ),
            (l1.clone(), ChargeType::Fee, m("1.25"), format!("Other fees{c}")),
            (l1, ChargeType::Tax, m("5.95"), format!("PST/QST/HST{c}")),
            (
                l2.clone(),
                ChargeType::Recurring,
                m("40"),
                format!("Service plan (pooled): Shared Dollars 40{c}")
            ),
            (
                l2.clone(),
                ChargeType::Usage,
                m("2.50"),
                format!("Additional local airtime{c}")
            ),
            (
                l2.clone(),
                ChargeType::Adjustment,
                m("-5"),
                format!("Other charges and credits{c}")
            ),
            (l2, ChargeType::Tax, m("1.88"), format!("GST{c}")),
            (
                l3.clone(),
                ChargeType::Recurring,
                m("15"),
                format!("Service plan: Business Talk 15{a}")
            ),
            (
                l3.clone(),
                ChargeType::Recurring,
                m("4"),
                format!("Value-added services{a}")
            ),
            (l3, ChargeType::Tax, m("0.95"), format!("GST{a}")),
        ]
    );
    // Usage is billed in dollars only: the dollars are its usage quantity (CAD).
    let ld = &p.rows[1];
    assert_eq!(
        (ld.usage_quantity, p.strings.get(ld.usage_unit)),
        (Some(m("3.40")), "CAD")
    );
    assert_eq!(p.rows[0].usage_quantity, None);
    // Account, invoice and date from the preamble; the cycle ending on the invoice date.
    let r = &p.rows[0];
    assert_eq!(p.strings.get(r.carrier), "TELUS");
    assert_eq!(p.strings.get(r.account), "90210077");
    assert_eq!(p.strings.get(r.invoice), "700100200300");
    assert_eq!(r.invoice_date.to_string(), "2024-03-15");
    assert_eq!(
        (r.period_start.to_string(), r.period_end.to_string()),
        ("2024-02-16".into(), "2024-03-15".into())
    );
    // Physical lines: 13 preamble and header lines, two group lines, then the rows.
    let lines: Vec<u32> = p.rows.iter().map(|r| r.source.pos).collect();
    assert_eq!(lines, [16, 16, 16, 16, 16, 17, 17, 17, 17, 22, 22, 22]);
    // Subtotals, the Total row and the footer are left out (4 + 1 + 4), and said;
    // every row's charges add up to its Total (no check_total warning).
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert!(p.warnings[0].message.contains("9 summary or non-charge row(s)"));
}

#[test]
fn telus_line_whose_department_starts_with_total_is_read() {
    // The Admin department renamed "Total Care": its line's Sublevel reads "Total
    // Care", like a subtotal's "Total for ...", but it has a Unit Number, so it is a
    // line and is read (it was left out silently). The subtotals, the Total row and
    // the footer (no Unit Number) are still left out: 4 + 1 + 4 = 9.
    let (_, b) = fixture("telus-group-summary.txt");
    let text = String::from_utf8(b)
        .unwrap()
        .replace("Department = Admin", "Department = Total Care")
        .replace("\nAdmin\t", "\nTotal Care\t");
    let p = read_charge_file(Path::new("gs.txt"), text.as_bytes(), FileId(0), "gs.txt").unwrap();
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    // As in telus_group_summary_fixture: 45.60 + 39.38 + 19.95 = 104.93 in 12 charges,
    // of which the "Total Care" line 9025550103 bills 15.00 + 4.00 + 0.95 = 19.95.
    assert_eq!(total(&p), m("104.93"));
    assert_eq!(p.rows.len(), 12);
    let care: Vec<(String, ChargeType, Micros, String)> =
        rows(&p).into_iter().filter(|r| r.0 == "9025550103").collect();
    let a = " (department Total Care, cost center CC-200)";
    assert_eq!(
        care,
        [
            (
                "9025550103".to_string(),
                ChargeType::Recurring,
                m("15"),
                format!("Service plan: Business Talk 15{a}")
            ),
            (
                "9025550103".to_string(),
                ChargeType::Recurring,
                m("4"),
                format!("Value-added services{a}")
            ),
            (
                "9025550103".to_string(),
                ChargeType::Tax,
                m("0.95"),
                format!("GST{a}")
            ),
        ]
    );
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert!(p.warnings[0].message.contains("9 summary or non-charge row(s)"));
    // A footer line of any wording, without a Unit Number, is left out too (10).
    let text = text.replace(
        "\"Total Current Charges:\"",
        "\"Credits Carried Forward:\"\t$0.00\r\n\"Total Current Charges:\"",
    );
    let p = read_charge_file(Path::new("gs.txt"), text.as_bytes(), FileId(0), "gs.txt").unwrap();
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    assert_eq!(total(&p), m("104.93"));
    assert!(p.warnings[0].message.contains("10 summary or non-charge row(s)"));
}

#[test]
fn telus_layouts_recognise_only_telus_reports() {
    assert_eq!(
        recognised_as("telus-group-summary.txt").as_deref(),
        Some("telus-group-summary")
    );
    // No other carrier's fixture is taken for a TELUS report.
    for f in [
        "att-rdo.txt",
        "att-rdo-equipment.txt",
        "bell-mob.csv",
        "bell-mob-usage-2024-02.csv",
        "verizon-detail.txt",
        "verizon-summary.txt",
    ] {
        let l = recognised_as(f).unwrap_or_default();
        assert!(!l.is_empty() && !l.starts_with("telus"), "{f}: {l}");
    }
    // The Group Summary's columns without its report title: not a TELUS report.
    let (_, b) = fixture("telus-group-summary.txt");
    let text = String::from_utf8(b)
        .unwrap()
        .replace("REPORT - GROUP SUMMARY", "REPORT - SOMETHING ELSE");
    assert!(read_charge_file(Path::new("x.txt"), text.as_bytes(), FileId(0), "x.txt").is_err());
}

#[test]
fn telus_reports_without_charges_are_recognised_and_skipped() {
    let pre = "\"Acme\"\tClient No:\t\"42\"\r\nInvoice Date:\t01-Apr-24\tUnique Invoice No:\t\"9\"\r\n\"Account Number 42\"\r\n\"----\"\r\n";
    for (title, layout) in [
        (
            "REPORT - MOBILITY INVOICE SUMMARY\"\r\n\"Total Current Charges:\"\t$10.00",
            "telus-invoice-summary",
        ),
        ("REPORT - INDIVIDUAL DETAILS", "telus-individual-detail"),
        ("REPORT - ACCOUNT DETAIL", "telus-account-detail"),
        (
            "REPORT - DAYTIME, EVENING AND WEEKEND CHARGES",
            "telus-dew-report",
        ),
    ] {
        let text = format!("{pre}\"{title}\"\r\n\r\n\"Name\"\t\"Amount\"\r\n\"x\"\t$1.00\r\n");
        let d = read_charge_file(Path::new("r.txt"), text.as_bytes(), FileId(0), "r.txt").unwrap();
        assert!(d.rows.is_empty() && d.rejected.is_empty(), "{layout}");
        assert!(
            d.warnings
                .iter()
                .any(|w| w.message.contains(&format!("layouts/{layout}.toml"))),
            "{layout}: {:?}",
            d.warnings
        );
    }
}

#[test]
fn att_equipment_purchases_are_one_time() {
    let p = read("att-rdo-equipment.txt");
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    // Two rows of the same purchase (transaction T-1001), a goodwill adjustment
    // without equipment columns, a plan: 349.00 + 349.00 - 20.00 + 30.00 = 708.00.
    assert_eq!(total(&p), m("708"));
    let got: Vec<(ChargeType, String, Micros)> = p
        .rows
        .iter()
        .map(|r| (r.charge_type, p.strings.get(r.charge_code).to_string(), r.amount))
        .collect();
    assert_eq!(
        got,
        [
            (ChargeType::OneTime, "TZ128".into(), m("349")),
            (ChargeType::OneTime, "TZ128".into(), m("349")),
            (ChargeType::Adjustment, String::new(), m("-20")),
            (ChargeType::Recurring, String::new(), m("30")),
        ]
    );
}

#[test]
fn att_equipment_units_are_told_apart_by_item_number() {
    let p = read("att-rdo-equipment-units.txt");
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    // Transaction T-2002: units 1 and 2 of one phone, unit 2 billed again, a SIM at
    // 0, a plan: 199.00 x 3 + 0 + 30.00 = 627.00.
    assert_eq!(total(&p), m("627"));
    let phone = "PHONE Q 64GB Qty: 1 at $199.00 each Transaction: T-2002";
    let got: Vec<(ChargeType, String, String)> = p
        .rows
        .iter()
        .map(|r| {
            (
                r.charge_type,
                p.strings.get(r.charge_code).to_string(),
                p.strings.get(r.description).to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (ChargeType::OneTime, "PQ64".into(), format!("{phone} (item 1)")),
            (ChargeType::OneTime, "PQ64".into(), format!("{phone} (item 2)")),
            (ChargeType::OneTime, "PQ64".into(), format!("{phone} (item 2)")),
            (
                ChargeType::OneTime,
                "SIM1".into(),
                "SIM CARD Transaction: T-2002 (item 0)".into()
            ),
            (ChargeType::Recurring, String::new(), "Data Connect 5GB".into()),
        ]
    );
    // Without an Item Number column the description is Section_4 alone.
    let q = read("att-rdo-equipment.txt");
    assert_eq!(
        q.strings.get(q.rows[0].description),
        "TABLET Z 128GB Transaction: T-1001"
    );
}

#[test]
fn bell_usage_columns_make_usage_rows() {
    let p = read("bell-mob-usage-2024-03.csv");
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    // 40.00 + 2.00 + 25.00 + 1.25 = 68.25; the usage rows bill nothing.
    assert_eq!(total(&p), m("68.25"));
    let usage: Vec<(String, Option<Micros>, String)> = p
        .rows
        .iter()
        .filter(|r| r.charge_type == ChargeType::Usage)
        .map(|r| {
            assert_eq!(r.amount, Micros::ZERO);
            (
                p.strings.get(r.service).to_string(),
                r.usage_quantity,
                p.strings.get(r.usage_unit).to_string(),
            )
        })
        .collect();
    let (a, b) = ("604-555-0001".to_string(), "604-555-0002".to_string());
    assert_eq!(
        usage,
        [
            // 0:45 is three quarters of a minute.
            (a.clone(), Some(m("0.75")), "min".into()),
            (a.clone(), Some(m("12")), "msg".into()),
            (a, Some(m("2048.5")), "MB".into()),
            (b.clone(), Some(m("0")), "min".into()),
            (b.clone(), Some(m("0")), "msg".into()),
            (b, Some(m("0")), "MB".into()),
        ]
    );
    // Without the usage columns (the older fixture) no usage rows are made.
    assert!(read("bell-mob.csv")
        .rows
        .iter()
        .all(|r| r.usage_quantity.is_none()));
}

/// (line, quantity, unit, description) of each usage row.
fn usage_rows(p: &ParsedFile) -> Vec<(String, Micros, String, String)> {
    p.rows
        .iter()
        .map(|r| {
            assert_eq!((r.charge_type, r.amount), (ChargeType::Usage, Micros::ZERO));
            (
                p.strings.get(r.service).to_string(),
                r.usage_quantity.unwrap(),
                p.strings.get(r.usage_unit).to_string(),
                p.strings.get(r.description).to_string(),
            )
        })
        .collect()
}

fn use_row(line: &str, q: &str, unit: &str, desc: &str) -> (String, Micros, String, String) {
    (line.into(), m(q), unit.into(), desc.into())
}

#[test]
fn verizon_usage_detail_fixture_is_read_for_usage() {
    let p = read("verizon-usage-detail.txt");
    assert!(
        p.rejected.is_empty() && p.warnings.is_empty(),
        "{:?} {:?}",
        p.rejected,
        p.warnings
    );
    // 555-201-0101: calls of 3 and 12 minutes, a text and a picture message;
    // 555-201-0102: a text message (its Data row has no volume: not read).
    assert_eq!(
        usage_rows(&p),
        [
            use_row("555-201-0101", "15", "min", "Call detail: voice, 2 records"),
            use_row("555-201-0101", "2", "msg", "Call detail: messages, 2 records"),
            use_row("555-201-0102", "1", "msg", "Call detail: messages, 1 record"),
        ]
    );
    let r = &p.rows[0];
    assert_eq!(p.strings.get(r.invoice), "9800001");
    assert_eq!(
        (r.period_start.to_string(), r.invoice_date.to_string()),
        ("2024-02-17".into(), "2024-03-16".into())
    );
    assert_eq!(p.usage.as_ref().unwrap().records, 6);
}

#[test]
fn att_enc1_detail_fixture_is_read_for_usage() {
    let p = read("att-enc1-detail.csv");
    assert!(p.rejected.is_empty(), "{:?}", p.rejected);
    // 4045550101: a 4-minute call, 2,048 + 1,048,576 KB = 1.001953 GB; 4045550102:
    // a text message and an 11-minute call. No invoice is printed: account and
    // market cycle end date.
    assert_eq!(
        usage_rows(&p),
        [
            use_row("4045550101", "4", "min", "Call detail: voice, 1 record"),
            use_row("4045550101", "1.001953", "GB", "Call detail: data, 2 records"),
            use_row("4045550102", "1", "msg", "Call detail: messages, 1 record"),
            use_row("4045550102", "11", "min", "Call detail: voice, 1 record"),
        ]
    );
    assert_eq!(p.strings.get(p.rows[0].invoice), "287600011-04/02/2024");
    assert_eq!(p.rows[0].period_start.to_string(), "2024-03-03");
}

#[test]
fn bell_dtl_fixture_is_read_for_usage() {
    let p = read("bell-dtl.csv");
    assert!(p.rejected.is_empty(), "{:?}", p.rejected);
    // 6475550101: 1:30 + 2:15 = 225 s = 3.75 minutes, and 12.5 MB of data (12,800 KB
    // = 0.012207 GB alone; a client whose MOB rows count MB gets MB); 6475550102: 10:00.
    assert_eq!(
        usage_rows(&p),
        [
            use_row("6475550101", "3.75", "min", "Call detail: voice, 2 records"),
            use_row("6475550101", "0.012207", "GB", "Call detail: data, 1 record"),
            use_row("6475550102", "10", "min", "Call detail: voice, 1 record"),
        ]
    );
    let r = &p.rows[0];
    assert_eq!(p.strings.get(r.invoice), "5100200-2024/04/01");
    assert_eq!(
        (r.period_start.to_string(), r.period_end.to_string()),
        ("2024-03-01".into(), "2024-03-31".into())
    );
}

#[test]
fn telus_airtime_detail_measures_the_group_summary_lines() {
    let p = read("telus-airtime-detail.txt");
    assert!(p.rejected.is_empty(), "{:?}", p.rejected);
    // 9025550101: Phone 3:30 + 1:15, Roaming 4:00 = 525 s = 8.75 min (its Video call
    // is not a voice call); 9025550103: a roaming call of 12:05 = 12.083333 min.
    assert_eq!(
        usage_rows(&p),
        [
            use_row("9025550101", "8.75", "min", "Call detail: voice, 3 records"),
            use_row("9025550103", "12.083333", "min", "Call detail: voice, 1 record"),
        ]
    );
    assert_eq!(p.strings.get(p.rows[0].invoice), "700100200300");
    // With the Group Summary of the same invoice: its lines without calls made none
    // (0 minutes each), so UNU001 can judge a TELUS line (the summary's usage is in
    // dollars only). 9025550104 has no charge row: not billed, not measured.
    let dir = tempfile::tempdir().unwrap();
    for f in ["telus-airtime-detail.txt", "telus-group-summary.txt"] {
        let inv = dir.path().join("invoices");
        std::fs::create_dir_all(&inv).unwrap();
        std::fs::write(inv.join(f), fixture(f).1).unwrap();
    }
    let d = read_client(dir.path()).unwrap();
    assert!(d.rejected.is_empty(), "{:?}", d.rejected);
    let minutes: Vec<(&str, Micros, u32)> = d
        .rows
        .iter()
        .filter(|r| d.s(r.usage_unit) == "min")
        .map(|r| (d.s(r.service), r.usage_quantity.unwrap(), r.source.pos))
        .collect();
    assert_eq!(
        minutes,
        [
            ("9025550101", m("8.75"), 20),
            ("9025550103", m("12.083333"), 63),
            ("9025550102", m("0"), 0)
        ]
    );
}

#[test]
fn rogers_custom_fixture_reads_every_class_and_checks_the_line_totals() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/rogers-client/invoices/rogers/ALL_CALLS-Custom.txt");
    let bytes = std::fs::read(&path).unwrap();
    let p = read_charge_file(&path, &bytes, FileId(0), "ALL_CALLS-Custom.txt").unwrap();
    // ISO-8859-1 (a user is named Léa): read without a warning; every Total Current
    // Charges equals its row's charges (no "sum to" warning).
    assert!(
        p.rejected.is_empty() && p.warnings.is_empty(),
        "{:?} {:?}",
        p.rejected,
        p.warnings
    );
    // Per period: 39.55 + 62.15 + 62.15 + 45.20 = 209.05; March's data overage adds
    // 10.00 + 1.30 HST: 220.35. In all 638.45, over 34 charges.
    assert_eq!(total(&p), m("638.45"));
    assert_eq!(p.rows.len(), 34);
    let first: Vec<(String, ChargeType, Micros, String)> = rows(&p).into_iter().take(3).collect();
    assert_eq!(
        first,
        [
            (
                "4165550101".into(),
                ChargeType::Recurring,
                m("40"),
                "Monthly Service Fee".into()
            ),
            (
                "4165550101".into(),
                ChargeType::Credit,
                m("-5"),
                "Credits and Discounts".into()
            ),
            ("4165550101".into(), ChargeType::Tax, m("4.55"), "HST".into()),
        ]
    );
    let r = &p.rows[0];
    assert_eq!(p.strings.get(r.invoice), "900100200-01202025");
    assert_eq!(
        (
            r.invoice_date.to_string(),
            r.period_start.to_string(),
            r.period_end.to_string()
        ),
        ("2025-01-20".into(), "2024-12-21".into(), "2025-01-20".into())
    );
    // Each line's Total Current Charges is its stated total (BAL002).
    assert_eq!(p.stated.len(), 12);
    assert_eq!(p.stated[10].amount, m("73.45"));
    // A row whose total does not add up is warned about; one whose period end
    // cannot be read is refused, naming its line.
    let text = String::from_utf8_lossy(&bytes)
        .replace("|39.55\r\n02202025", "|39.56\r\n02202025")
        .replace(
            "03202025|Head Office|900100200|4165550104",
            "03322025|Head Office|900100200|4165550104",
        );
    let p = read_charge_file(&path, text.as_bytes(), FileId(0), "c.txt").unwrap();
    assert_eq!(p.rejected.len(), 1);
    assert_eq!(p.rejected[0].position, Position::Line(15));
    assert!(
        p.rejected[0]
            .reason
            .contains("\"03322025\" is no such calendar day"),
        "{}",
        p.rejected[0].reason
    );
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert_eq!(p.warnings[0].position, Position::Line(8));
    assert!(p.warnings[0]
        .message
        .contains("sum to 39.55 but its Total Current Charges says 39.56"));
}
