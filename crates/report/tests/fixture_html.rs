//! The small-client fixture end to end through parse, rules and report:
//! report.html shows report.json's figures exactly, and the dispute files add up.
//! Set `TELAUDIT_HTML_OUT=<dir>` to keep the outputs (for looking at them).

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

#[test]
fn small_client_html_and_disputes() {
    let keep = std::env::var_os("TELAUDIT_HTML_OUT").map(PathBuf::from);
    let tmp = tempfile::tempdir().unwrap();
    let out = keep.unwrap_or_else(|| tmp.path().join("out"));
    audit(&out);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    // The README's hand-computed headline, as report.json writes it.
    let json = fs::read_to_string(out.join("report.json")).unwrap();
    // report.json keeps the plain form; report.html groups thousands.
    for (fig, shown) in [
        ("237.15", "237.15"),
        ("117.92", "117.92"),
        ("1414.98", "1,414.98"),
        ("1652.13", "1,652.13"),
        ("3317.16", "3,317.16"),
        ("1600.00", "1,600.00"),
    ] {
        assert!(json.contains(&format!("\"{fig}\"")), "report.json lacks {fig}");
        assert!(
            html.contains(&format!(">{shown}<")) || html.contains(&format!("<b>{shown}</b>")),
            "html lacks {shown}"
        );
        assert!(
            !html.contains(&format!(">{fig}<")) || fig == shown,
            "html shows plain {fig}"
        );
    }
    assert!(json.contains("\"1.0326\""));
    assert!(html.contains("12 months"));
    assert!(html.contains("103.26%"));
    // Disputes: only Verizon 0042 and Lumen 5-KX8812 have recoverable money.
    // Verizon: 16 + 120 + 15 + 0.045 + 9.60 = 160.645 -> 160.65; Lumen 76.50.
    let vz = fs::read_to_string(out.join("disputes/Verizon Wireless/0042.csv")).unwrap();
    let lm = fs::read_to_string(out.join("disputes/Lumen/5-KX8812.csv")).unwrap();
    let sum = |csv_text: &str, col: &str| -> rust_decimal::Decimal {
        let mut r = csv::Reader::from_reader(csv_text.as_bytes());
        let i = r.headers().unwrap().iter().position(|h| h == col).unwrap();
        r.records()
            .map(|x| x.unwrap()[i].parse::<rust_decimal::Decimal>().unwrap())
            .sum()
    };
    assert_eq!(sum(&vz, "claimed").to_string(), "160.65");
    assert_eq!(sum(&vz, "claimed_exact").to_string(), "160.645");
    assert_eq!(sum(&lm, "claimed").to_string(), "76.50");
    // Lines: DIS001 Mar + Apr + the rebilled copy (once, not also as DUP001),
    // CRD001 Mar + Apr, FEE001, RAT001 x3, TAX001 x4 = 13.
    assert_eq!(vz.lines().count(), 1 + 13, "{vz}");
    assert!(
        !vz.contains("DUP001"),
        "the duplicate ties DIS001 at 40.00 and goes to DIS001: {vz}"
    );
    assert!(vz.contains("inventory: disconnected 2025-02-01"));
    assert!(vz.contains("contract rate 10.00 for DATA10 from 2025-02-01"));
    assert!(vz.contains("credit owed, not given"));
    let letter = fs::read_to_string(out.join("disputes/Verizon Wireless/0042.md")).unwrap();
    assert!(letter.contains("To: Verizon Wireless billing department"));
    assert!(letter.contains("Total claimed: 160.65"));
    // The late fee is asked to be waived, not called an error.
    // The counts agree with the 13 lines of the CSV, and only 10 are below.
    assert!(
        letter.contains(
            "We dispute 10 charges billed in error and 2 credits owed to us under our contract and not \
         given. We also ask you to waive 1 late fee as a courtesy to a customer in good standing. The \
         13 items are listed in 0042.csv beside this letter; the 10 largest are below."
        ),
        "{letter}"
    );
    // The rebilled copy names the original it copies.
    assert!(vz.contains("; a copy of the charge billed on invoice "), "{vz}");
    // Each line states its own claim: the rates at full precision, the credit
    // rows found (or none on the invoice), missing or short by.
    assert!(vz.contains(",3,10.005,10.00,0.02,0.015,RAT001,Rate above contract: billed 3 x 10.005 against the contracted 10.00 a unit: 0.015 over,"), "{vz}");
    assert!(vz.contains("credit LOYAL of 10.00 owed for the period: short by 6.00, credited 4.00 on invoices/verizon/2025.csv:40\",invoices/verizon/2025.csv:40,"), "{vz}");
    assert!(vz.contains("credit LOYAL of 10.00 owed for the period: missing, no credit row on invoice VZ-2504\",,contracts.csv:4,"), "{vz}");
    assert!(
        vz.contains(",FEE001,Late fee: late payment fee 'Late Payment Fee'; we ask you to waive it,"),
        "{vz}"
    );
    // DIS001: the disconnect date from the inventory; TAX001: the exemption certificate.
    assert!(
        letter.contains("disconnected 2025-02-01 per our inventory"),
        "{letter}"
    );
    assert!(letter.contains("Please apply our tax exemption certificate to account 0042"));
    assert!(letter.len() < 64 * 1024);
    assert!(out.join("disputes/Verizon Wireless/0042.html").is_file());
    assert!(html.contains(r#"href="disputes/Verizon%20Wireless/0042.html""#));
}
