//! report.xlsx read back with calamine. On the small-client fixture: the cell
//! types (amounts are numbers, dates are dates, text is text, no formula), the
//! number of findings, the totals, and the same bytes on a second run. On the
//! sample client (expired money, changes to order): the Findings sheet holds
//! findings.csv cell for cell (the evidence's first 3 places, then a count),
//! and the Changes sheet the changes/ CSVs.

mod common;

use calamine::{open_workbook, Data, Reader, Xlsx};
use std::fs;
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/small-client")
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/acme-health")
}

fn audit(out: &Path) {
    audit_client(&fixture(), out)
}

fn audit_client(client: &Path, out: &Path) {
    let dump = telaudit_parse::read_client(client).unwrap();
    let results = telaudit_rules::evaluate(&telaudit_rules::RuleSet::defaults(), &dump);
    let report = telaudit_report::summarize(&dump, &results);
    telaudit_report::write_outputs(out, &dump, &results, &report).unwrap();
}

/// Cents of a number cell (amounts have two decimals).
fn cents(c: &Data) -> i64 {
    match c {
        Data::Float(f) => (f * 100.0).round() as i64,
        other => panic!("not a number cell: {other:?}"),
    }
}

#[test]
fn workbook_cells_counts_totals_and_stable_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    audit(&a);
    audit(&b);
    let bytes = fs::read(a.join("report.xlsx")).unwrap();
    assert_eq!(
        bytes,
        fs::read(b.join("report.xlsx")).unwrap(),
        "report.xlsx differs run to run"
    );
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(a.join("report.json")).unwrap()).unwrap();

    let mut wb: Xlsx<_> = open_workbook(a.join("report.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), ["Summary", "Findings", "Disputes", "Changes"]);

    // Summary: the headline figures as number cells, equal to report.json's.
    let s = wb.worksheet_range("Summary").unwrap();
    assert_eq!(s.get_value((4, 0)), Some(&Data::String("Recoverable now".into())));
    assert_eq!(cents(s.get_value((4, 1)).unwrap()), 23715); // 237.15, the fixture README's
    assert_eq!(cents(s.get_value((5, 1)).unwrap()), 11792); // monthly 117.92
    assert_eq!(cents(s.get_value((7, 1)).unwrap()), 165213); // first year 1652.13
    assert!(
        matches!(s.get_value((2, 1)), Some(Data::DateTime(_))),
        "report date is a date cell"
    );
    assert_eq!(json["totals"]["recoverable"], "237.15");

    // Findings: one row per finding under the header; types per column.
    let f = wb.worksheet_range("Findings").unwrap();
    let findings = json["totals"]["findings"].as_u64().unwrap() as usize;
    assert_eq!(f.height(), findings + 1);
    let header: Vec<String> = f.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut recoverable = 0i64;
    for r in f.rows().skip(1) {
        assert!(matches!(r[col("rule")], Data::String(_)));
        assert!(
            matches!(r[col("first_period")], Data::DateTime(_)),
            "{:?}",
            r[col("first_period")]
        );
        assert!(matches!(r[col("monthly")], Data::Float(_)));
        recoverable += cents(&r[col("recoverable")]);
    }
    // By rule, before overlap removal: the sum of report.json's by_rule.
    let by_rule: i64 = json["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["recoverable"].as_str().unwrap().parse::<f64>().unwrap() * 100.0).round() as i64)
        .sum();
    assert_eq!(recoverable, by_rule);

    // Disputes: one row per claim (a finding's lines on one account), its
    // lines and cents those of the dispute CSVs (checked line by line below).
    // By hand (the fixture's README): Lumen's TAX001 3 x 25.50; Verizon's
    // CRD001 6 + 10, DIS001 3 x 40 (the rebilled copy is DIS001's: 40.00 each,
    // the smaller rule id), FEE001 15, RAT001 3 x 0.015 (the account's 160.645
    // rounds to 160.65: two of the three lines get the odd cents), TAX001 4 x 2.40.
    let claims = disputes_sheet_matches_the_dispute_files(&a, &mut wb, 23715);
    assert_eq!(
        claims,
        [
            ("Lumen".to_string(), "TAX001".to_string(), 3, 7650),
            ("Verizon Wireless".to_string(), "CRD001".to_string(), 2, 1600),
            ("Verizon Wireless".to_string(), "DIS001".to_string(), 3, 12000),
            ("Verizon Wireless".to_string(), "FEE001".to_string(), 1, 1500),
            ("Verizon Wireless".to_string(), "RAT001".to_string(), 3, 5),
            ("Verizon Wireless".to_string(), "TAX001".to_string(), 4, 960),
        ]
    );

    // No cell of any sheet is a formula.
    for sheet in ["Summary", "Findings", "Disputes", "Changes"] {
        let formulas = wb.worksheet_formula(sheet).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{sheet} has a formula"
        );
    }
}

/// Checks report.xlsx's Disputes sheet in `out` against the dispute files: one
/// row per claim (a finding on an account: as many rows as new-claims.csv,
/// never more), each with its CSV's lines of that finding (count, cents, first
/// and last invoice) and the file names, the claimed column adding up to
/// `total_cents` (the dispute CSVs' claimed total) and claimed_exact to the
/// exact sum of the CSVs' claimed_exact. Returns (carrier, rule, lines, cents)
/// per row.
fn disputes_sheet_matches_the_dispute_files(
    out: &Path,
    wb: &mut Xlsx<std::io::BufReader<fs::File>>,
    total_cents: i64,
) -> Vec<(String, String, usize, i64)> {
    let d = wb.worksheet_range("Disputes").unwrap();
    assert_eq!(
        header(&d),
        [
            "carrier",
            "account",
            "rule",
            "finding_key",
            "first_invoice",
            "last_invoice",
            "lines",
            "claimed",
            "claimed_exact",
            "claim_by",
            "letter",
            "csv"
        ]
    );
    let new_claims = csv::Reader::from_path(out.join("disputes/new-claims.csv"))
        .unwrap()
        .records()
        .count();
    assert_eq!(d.height(), 1 + new_claims, "one row per claim, as new-claims.csv");
    let (mut claimed, mut exact, mut csv_claimed) = (0i64, 0f64, 0i64);
    let mut csv_exact = rust_decimal::Decimal::ZERO;
    let mut rows = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for r in d.rows().skip(1) {
        let (carrier, account, rule, key) = (
            cell_text(&r[0]),
            cell_text(&r[1]),
            cell_text(&r[2]),
            cell_text(&r[3]),
        );
        assert!(
            seen.insert((carrier.clone(), account.clone(), key.clone())),
            "a claim twice: {key}"
        );
        let csv_path = cell_text(&r[11]);
        assert_eq!(cell_text(&r[10]), csv_path.replace(".csv", ".md"));
        let mut lines: Vec<csv::StringRecord> = csv::Reader::from_path(out.join(&csv_path))
            .unwrap()
            .records()
            .map(|x| x.unwrap())
            .collect();
        lines.retain(|l| l[21] == *key);
        assert!(!lines.is_empty(), "{key} has no line in {csv_path}");
        assert!(lines
            .iter()
            .all(|l| l[0] == *carrier && l[1] == *account && l[15] == *rule));
        let n = cents_of_lines(&lines);
        assert_eq!(r[6], Data::Float(lines.len() as f64), "{key}");
        assert_eq!(cents(&r[7]), n, "{key}");
        let first = lines[0][2].split(';').next().unwrap_or("").to_string();
        let last = lines[lines.len() - 1][2]
            .rsplit(';')
            .next()
            .unwrap_or("")
            .to_string();
        assert_eq!((cell_text(&r[4]), cell_text(&r[5])), (first, last), "{key}");
        claimed += n;
        exact += match r[8] {
            Data::Float(x) => x,
            ref other => panic!("claimed_exact is not a number: {other:?}"),
        };
        rows.push((carrier, rule, lines.len(), n));
    }
    for carrier in fs::read_dir(out.join("disputes")).unwrap() {
        let carrier = carrier.unwrap().path();
        if !carrier.is_dir() {
            continue; // new-claims.csv
        }
        for file in fs::read_dir(carrier).unwrap() {
            let p = file.unwrap().path();
            if p.extension().and_then(|e| e.to_str()) == Some("csv") {
                let lines: Vec<csv::StringRecord> = csv::Reader::from_path(&p)
                    .unwrap()
                    .records()
                    .map(|x| x.unwrap())
                    .collect();
                csv_claimed += cents_of_lines(&lines);
                for l in &lines {
                    csv_exact += l[14].parse::<rust_decimal::Decimal>().unwrap();
                }
            }
        }
    }
    assert_eq!(csv_claimed, total_cents, "the dispute CSVs' claimed total");
    assert_eq!(claimed, total_cents, "the sheet's claimed total");
    let want: f64 = csv_exact.to_string().parse().unwrap();
    assert!(
        (exact - want).abs() < 0.005,
        "claimed_exact {exact} against {want}"
    );
    rows
}

/// The cents of the claimed column of dispute CSV lines.
fn cents_of_lines(lines: &[csv::StringRecord]) -> i64 {
    lines.iter().map(|l| text_cents(&l[13])).sum()
}

/// Cents of a two-decimal text (`-12.34`).
fn text_cents(s: &str) -> i64 {
    let (units, frac) = s.split_once('.').unwrap();
    let neg = units.starts_with('-');
    let v = units.trim_start_matches('-').parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap();
    if neg {
        -v
    } else {
        v
    }
}

/// Excel's serial day number of a `YYYY-MM-DD` date (days since 1899-12-30).
fn serial(date: &str) -> f64 {
    let p: Vec<i64> = date.split('-').map(|x| x.parse().unwrap()).collect();
    // Days from civil (proleptic Gregorian), 1970-01-01 = 0.
    let (y, m, d) = (if p[1] <= 2 { p[0] - 1 } else { p[0] }, p[1], p[2]);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468 + 25_569) as f64
}

/// A text cell's text; an empty CSV field is an empty cell.
fn cell_text(c: &Data) -> String {
    match c {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("not a text cell: {other:?}"),
    }
}

fn header(r: &calamine::Range<Data>) -> Vec<String> {
    r.rows().next().unwrap().iter().map(|c| c.to_string()).collect()
}

#[test]
fn sample_findings_sheet_is_findings_csv_and_changes_sheet_the_changes_csvs() {
    let tmp = tempfile::tempdir().unwrap();
    audit_client(&sample(), tmp.path());
    let mut wb: Xlsx<_> = open_workbook(tmp.path().join("report.xlsx")).unwrap();
    // The sample has claims.csv: a Claims sheet last.
    assert_eq!(
        wb.sheet_names(),
        ["Summary", "Findings", "Disputes", "Changes", "Claims"]
    );

    // Findings: findings.csv's columns in its order, its rows in its order.
    let mut csv = csv::Reader::from_path(tmp.path().join("findings.csv")).unwrap();
    let csv_header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    let f = wb.worksheet_range("Findings").unwrap();
    assert_eq!(header(&f), csv_header);
    assert_eq!(rows.len(), 131);
    assert_eq!(f.height(), 132);
    let (mut expired, mut recoverable, mut keys, mut clipped) = (0i64, 0i64, 0, 0);
    for (cells, rec) in f.rows().skip(1).zip(&rows) {
        for (i, name) in csv_header.iter().enumerate() {
            let (cell, want) = (&cells[i], &rec[i]);
            match name.as_str() {
                "recoverable" | "monthly" | "expired" => assert_eq!(cents(cell), text_cents(want), "{name}"),
                // Exact in the CSV; the nearest double in the sheet (not rounded to cents).
                "recoverable_in_totals" | "monthly_in_totals" => match cell {
                    Data::Float(x) => assert_eq!(*x, want.parse::<f64>().unwrap(), "{name} {want}"),
                    other => panic!("{name} is not a number cell: {other:?}"),
                },
                "claim_by" if want.is_empty() => assert_eq!(cell, &Data::Empty, "{name}"),
                // The first 3 places, then how many more findings.csv lists.
                "evidence" => {
                    let places: Vec<&str> = want.split(';').collect();
                    let mut shown = places[..places.len().min(3)].join(";");
                    if places.len() > 3 {
                        shown.push_str(&format!(" and {} more (findings.csv)", places.len() - 3));
                        clipped += 1;
                    }
                    assert_eq!(cell_text(cell), shown, "{name}");
                }
                "first_period" | "last_period" | "claim_by" => match cell {
                    Data::DateTime(d) => assert_eq!(d.as_f64(), serial(want), "{name} {want}"),
                    other => panic!("{name} is not a date cell: {other:?}"),
                },
                _ => assert_eq!(cell_text(cell), want, "{name}"),
            }
        }
        expired += cents(&cells[13]);
        recoverable += cents(&cells[9]);
        keys += usize::from(!cell_text(&cells[14]).is_empty());
    }
    assert_eq!(expired, 113_646, "expired 1,136.46, as report.json's totals");
    assert_eq!(keys, 131, "every finding has its key");
    assert!(clipped > 0, "some finding rests on more than 3 bill lines");
    assert!(
        recoverable >= 703_749,
        "before overlap removal, at least the 7,037.49 recoverable"
    );

    // Claims: recovery/claims.csv cell for cell; amounts numbers, the filing date a
    // date cell, claim ids and notes string cells (a note starting with '-' too).
    let mut csv = csv::Reader::from_path(tmp.path().join("recovery/claims.csv")).unwrap();
    let csv_header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    let cl = wb.worksheet_range("Claims").unwrap();
    assert_eq!(header(&cl), csv_header);
    assert_eq!((rows.len(), cl.height()), (15, 16));
    let mut recovered = 0i64;
    for (cells, rec) in cl.rows().skip(1).zip(&rows) {
        for (i, name) in csv_header.iter().enumerate() {
            let (cell, want) = (&cells[i], &rec[i]);
            match name.as_str() {
                "amount" | "recovered" | "outstanding" => assert_eq!(cents(cell), text_cents(want), "{name}"),
                "filed_on" => match cell {
                    Data::DateTime(d) => assert_eq!(d.as_f64(), serial(want), "{name} {want}"),
                    other => panic!("{name} is not a date cell: {other:?}"),
                },
                "days_open" => assert_eq!(cell, &Data::Float(want.parse().unwrap())),
                // The CSV guards a formula-like text with a ', the workbook writes
                // it as a string cell as it is.
                _ => assert_eq!(cell_text(cell), want.trim_start_matches('\''), "{name}"),
            }
        }
        recovered += cents(&cells[7]);
    }
    assert_eq!(recovered, 62_657, "626.57, as report.json's recovery.recovered");
    assert!(rows.iter().any(|r| &r[12] == "'-promised by phone, see ticket"));

    // Disputes: with a ledger, the claims not filed yet: their total is
    // report.json's recovery.unclaimed (7,037.49 recoverable, 162.43 of it
    // claimed already: 6,875.06), in 55 claims (new-claims.csv's rows).
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(tmp.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(json["recovery"]["unclaimed"], "6875.06");
    let claims = disputes_sheet_matches_the_dispute_files(tmp.path(), &mut wb, 687_506);
    assert_eq!(claims.len(), 55);

    // Changes: the changes/<carrier>.csv lines, carriers in name order, carrier first.
    let c = wb.worksheet_range("Changes").unwrap();
    assert_eq!(
        header(&c),
        [
            "carrier",
            "account",
            "service_id",
            "action",
            "rule",
            "from",
            "to",
            "monthly_saving",
            "evidence"
        ]
    );
    let mut files: Vec<PathBuf> = fs::read_dir(tmp.path().join("changes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut lines = Vec::new();
    for p in &files {
        let carrier = p.file_stem().unwrap().to_str().unwrap().to_string();
        for r in csv::Reader::from_path(p).unwrap().records() {
            lines.push((carrier.clone(), r.unwrap()));
        }
    }
    // One row per service with an action.
    // AT&T's 25 include the deep pool's 6 (POL001) and the 3 lines beside it.
    assert_eq!(lines.len(), 63, "AT&T 25, Comcast 5, Lumen 7, Verizon 26");
    assert_eq!(c.height(), 64);
    let mut monthly = 0i64;
    for (cells, (carrier, rec)) in c.rows().skip(1).zip(&lines) {
        assert_eq!(&cell_text(&cells[0]), carrier);
        // The CSV's columns follow the carrier; monthly_saving is a number.
        for i in 0..8 {
            if i == 6 {
                assert_eq!(cents(&cells[7]), text_cents(&rec[6]));
            } else {
                assert_eq!(cell_text(&cells[i + 1]), rec[i]);
            }
        }
        monthly += cents(&cells[7]);
    }
    assert_eq!(monthly, 336_394, "960.45 + 496.64 + 817.23 + 1089.62");
}

#[test]
fn summary_sheet_lists_the_files_skipped_as_second_deliveries() {
    // The small client with one of its bills saved a second time under another name:
    // the copy is skipped (formats.md section 11), and the Summary sheet counts and
    // lists it with why.
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("small-client");
    copy_dir(&fixture(), &client);
    let bill = fs::read_dir(client.join("invoices/verizon"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .min()
        .unwrap();
    fs::copy(&bill, client.join("invoices/zz-second-copy.csv")).unwrap();
    let out = tmp.path().join("out");
    audit_client(&client, &out);
    let mut wb: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
    let s = wb.worksheet_range("Summary").unwrap();
    let rows: Vec<Vec<String>> = s
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let count = rows.iter().find(|r| r[0] == "Files skipped").unwrap();
    assert_eq!(count[1], "1");
    let at = rows
        .iter()
        .position(|r| r[0].starts_with("Files skipped (none"))
        .unwrap();
    assert_eq!(rows[at + 1][0], "invoices/zz-second-copy.csv");
    assert!(
        rows[at + 1][1].contains(&bill.file_name().unwrap().to_string_lossy().to_string()),
        "{:?}",
        rows[at + 1]
    );
    assert_eq!(rows.len(), at + 2);
}

#[test]
fn a_date_before_1900_is_written_as_text_and_never_fails_the_workbook() {
    // A finding dated 0001-01-01 (as one resting on no row once was) and an as-of
    // date before 1900: Excel holds neither as a date; the workbook is still written,
    // those cells as text, the other dates as dates.
    let mut dump = common::dump();
    let r0 = common::row(
        &mut dump,
        "Lumen",
        "77",
        "CKT-1",
        "2025-02-01",
        "40.00",
        common::src(0, 2),
    );
    let mut f = common::finding(
        &mut dump,
        "BAL001",
        "Lumen",
        "77",
        "",
        "Unbalanced",
        vec![common::claim(telaudit_model::ClaimKey::Row(r0), "0", "0")],
        vec![common::src(1, 3)],
    );
    f.first_period = common::date("0001-01-01");
    let results = vec![common::result("BAL001", "Unbalanced invoice", vec![f])];
    let report = telaudit_report::summarize(&dump, &results);
    let bytes = telaudit_report::report_xlsx(
        &dump,
        &results,
        &report,
        &[],
        &[],
        Some(common::date("1899-12-31")),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("report.xlsx");
    fs::write(&path, bytes).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let s = wb.worksheet_range("Summary").unwrap();
    assert_eq!(s.get_value((2, 1)), Some(&Data::String("1899-12-31".into())));
    let fs_ = wb.worksheet_range("Findings").unwrap();
    let h = header(&fs_);
    let first = h.iter().position(|c| c == "first_period").unwrap();
    let last = h.iter().position(|c| c == "last_period").unwrap();
    assert_eq!(
        fs_.get_value((1, first as u32)),
        Some(&Data::String("0001-01-01".into()))
    );
    match fs_.get_value((1, last as u32)) {
        Some(Data::DateTime(x)) => assert_eq!(x.as_f64(), serial("2025-02-01")),
        other => panic!("last_period is not a date cell: {other:?}"),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            fs::copy(&p, &dest).unwrap();
        }
    }
}

/// One part of the workbook (a zip member) as text.
fn part(xlsx: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(fs::File::open(xlsx).unwrap()).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
    text
}

/// The value of `attr="..."` in an XML tag's text, if present.
fn attr<'a>(tag: &'a str, attr: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {attr}=\""))? + attr.len() + 3;
    tag[at..].split('"').next()
}

/// The value of the attribute a split-off tag starts with (`numFmtId="164" ...`).
fn attr_at_start<'a>(tag: &'a str, attr: &str) -> &'a str {
    let rest = tag
        .strip_prefix(attr)
        .and_then(|t| t.strip_prefix("=\""))
        .unwrap();
    rest.split('"').next().unwrap()
}

/// The number format of each cell style (`cellXfs`), by index: a built-in id's
/// code for the two used here (0 General, 14 a date), else the custom `numFmt`.
fn style_formats(styles: &str) -> Vec<String> {
    let custom: std::collections::BTreeMap<&str, &str> = styles
        .split("<numFmt ")
        .skip(1)
        .map(|t| (attr_at_start(t, "numFmtId"), attr(t, "formatCode").unwrap()))
        .collect();
    let xfs = styles
        .split("<cellXfs")
        .nth(1)
        .unwrap()
        .split("</cellXfs>")
        .next()
        .unwrap();
    xfs.split("<xf ")
        .skip(1)
        .map(|t| {
            let id = attr_at_start(t, "numFmtId");
            custom
                .get(id)
                .map_or(format!("builtin {id}"), |c| c.replace("&quot;", "\""))
        })
        .collect()
}

#[test]
fn every_amount_cell_is_formatted_as_money_and_every_date_cell_as_a_date() {
    let tmp = tempfile::tempdir().unwrap();
    audit_client(&sample(), tmp.path());
    let xlsx = tmp.path().join("report.xlsx");
    let formats = style_formats(&part(&xlsx, "xl/styles.xml"));
    // Sheets 2, 3, 4: Findings, Disputes, Changes; the columns of amounts and
    // dates, and of plain counts (the Disputes sheet's lines).
    let sheets = [
        (
            "xl/worksheets/sheet2.xml",
            vec!['J', 'K', 'N', 'Q', 'R'],
            vec!['G', 'H', 'S'],
            vec![],
        ),
        ("xl/worksheets/sheet3.xml", vec!['H', 'I'], vec!['J'], vec!['G']),
        ("xl/worksheets/sheet4.xml", vec!['H'], vec![], vec![]),
    ];
    for (name, money, dates, counts) in sheets {
        let xml = part(&xlsx, name);
        let (mut amounts, mut days) = (0, 0);
        for cell in xml.split("<c ").skip(1) {
            let tag = &cell[..cell.find('>').unwrap()];
            let r = attr_at_start(tag, "r");
            let (col, row) = (r.chars().next().unwrap(), &r[1..]);
            if row == "1" || tag.contains("t=\"") {
                continue; // the header, and text cells (a note row, a pre-1900 date)
            }
            let style = attr(tag, "s").map_or(0, |s| s.parse::<usize>().unwrap());
            if money.contains(&col) {
                assert_eq!(formats[style], "#,##0.00", "{name} {r}");
                amounts += 1;
            } else if dates.contains(&col) {
                assert_eq!(formats[style], "yyyy-mm-dd", "{name} {r}");
                days += 1;
            } else if counts.contains(&col) {
                assert_eq!(formats[style], "builtin 0", "{name} {r}");
            } else {
                panic!("{name} {r}: a number cell in a text column");
            }
        }
        assert!(amounts > 0, "{name} has amounts");
        assert_eq!(days > 0, !dates.is_empty(), "{name} has dates");
    }
}

#[test]
fn claim_ids_and_notes_are_string_cells_never_formulas() {
    // The small client with a ledger whose claim ids and notes look like formulas.
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("small-client");
    copy_dir(&fixture(), &client);
    fs::write(
        client.join("claims.csv"),
        "claim_id,carrier,account,service_id,finding_key,filed_on,amount,status,note\n\
         \"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",Verizon Wireless,0042,,,2025-03-01,10.00,,+SUM(A1:A9)\n\
         @cmd,Verizon Wireless,0042,,,2025-03-01,12.00,denied,-1\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    audit_client(&client, &out);
    let mut wb: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
    let cl = wb.worksheet_range("Claims").unwrap();
    let ids: Vec<&Data> = cl.rows().skip(1).map(|r| &r[0]).collect();
    assert_eq!(
        ids,
        [
            &Data::String("=HYPERLINK(\"http://x\",\"y\")".into()),
            &Data::String("@cmd".into())
        ]
    );
    let notes: Vec<&Data> = cl.rows().skip(1).map(|r| &r[12]).collect();
    assert_eq!(
        notes,
        [&Data::String("+SUM(A1:A9)".into()), &Data::String("-1".into())]
    );
    let formulas = wb.worksheet_formula("Claims").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "a claim id became a formula"
    );
    assert!(!part(&out.join("report.xlsx"), "xl/worksheets/sheet5.xml").contains("<f>"));
}
