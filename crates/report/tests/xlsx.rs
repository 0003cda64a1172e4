//! report.xlsx on the small-client fixture, read back with calamine: the cell
//! types (amounts are numbers, dates are dates, text is text, no formula), the
//! number of findings, the totals, and the same bytes on a second run.

use calamine::{open_workbook, Data, Reader, Xlsx};
use std::fs;
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/small-client")
}

fn audit(out: &Path) {
    let dump = telaudit_parse::read_client(&fixture()).unwrap();
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
    assert_eq!(wb.sheet_names(), ["Summary", "Findings", "Disputes"]);

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

    // Disputes: the lines of the dispute CSVs; claimed adds up to recoverable (overlap removed).
    let d = wb.worksheet_range("Disputes").unwrap();
    let header: Vec<String> = d.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let claimed = header.iter().position(|h| h == "claimed").unwrap();
    let total: i64 = d.rows().skip(1).map(|r| cents(&r[claimed])).sum();
    assert_eq!(total, 23715);
    let mut csv_lines = 0;
    for carrier in fs::read_dir(a.join("disputes")).unwrap() {
        for file in fs::read_dir(carrier.unwrap().path()).unwrap() {
            let p = file.unwrap().path();
            if p.extension().and_then(|e| e.to_str()) == Some("csv") {
                csv_lines += csv::Reader::from_path(&p).unwrap().records().count();
            }
        }
    }
    assert_eq!(csv_lines, 16, "Verizon's 13 lines and Lumen's 3");
    assert_eq!(d.height(), 1 + csv_lines);

    // No cell of any sheet is a formula.
    for sheet in ["Summary", "Findings", "Disputes"] {
        let formulas = wb.worksheet_formula(sheet).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{sheet} has a formula"
        );
    }
}
