//! Carrier reports end to end, through the `telaudit` binary, on fixtures written
//! from scratch (crates/parse/tests/fixtures/layouts/): a client mixing a TELUS
//! Group Summary (with a TELUS report that holds no charges) and an AT&T
//! rawdataoutput audits with both carriers' totals; an AT&T equipment purchase
//! billed twice is found by DUP001; a Bell line idle for three MOB bills (usage
//! read from the export's usage columns) is found by UNU001.

mod common;

use common::*;
use std::path::{Path, PathBuf};

fn layout_fixture(name: &str) -> PathBuf {
    root().join("crates/parse/tests/fixtures/layouts").join(name)
}

/// A client folder `<parent>/<id>` holding `files` (fixture name, path below invoices/).
fn client(parent: &Path, id: &str, files: &[(&str, &str)]) -> PathBuf {
    let c = parent.join(id);
    for (fixture, to) in files {
        let p = c.join("invoices").join(to);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::copy(layout_fixture(fixture), p).unwrap();
    }
    c
}

fn audit(client: &Path, out: &Path) -> (i32, serde_json::Value) {
    let o = run_audit(client, out, &["-q"]);
    (code(&o), read_json(&out.join("report.json")))
}

#[test]
fn telus_and_att_in_one_client() {
    let tmp = tempfile::tempdir().unwrap();
    let c = client(
        tmp.path(),
        "mixed",
        &[
            ("telus-group-summary.txt", "telus/Group_Summary_2024-03.txt"),
            ("att-rdo.txt", "att/march.txt"),
        ],
    );
    // A TELUS report without charges beside them: recognised, not refused.
    std::fs::write(
        c.join("invoices/telus/Invoice_Summary_2024-03.txt"),
        "\"Northwind\"\tClient No:\t\"90210077\"\r\n\"Account Number 90210077\"\r\n\"----\"\r\n\
         \"REPORT - MOBILITY INVOICE SUMMARY\"\r\n\"Total Current Charges:\"\t$104.93\r\n",
    )
    .unwrap();
    let (code, report) = audit(&c, &tmp.path().join("out"));
    assert_eq!(code, 0, "{report}");
    let input = &report["input"];
    assert_eq!(input["rejected_rows"], 0);
    // TELUS: 12 charges, 104.93 (hand-computed in layout_fixtures.rs); AT&T: 6
    // charges, 1,249.49. 104.93 + 1,249.49 = 1,354.42.
    assert_eq!(input["rows"], 18);
    assert_eq!(input["billed_total"], "1354.42");
    // The late fee of the AT&T file is the only finding: no TELUS line with billed
    // usage is taken for an unused line.
    let rules = by_rule(&report);
    assert_eq!(rules["FEE001"], figures(1, "12.00", "0.00"));
    assert_eq!(rules["UNU001"], figures(0, "0.00", "0.00"));
    assert_eq!(rules["DUP001"], figures(0, "0.00", "0.00"));
}

#[test]
fn a_duplicated_att_equipment_purchase_is_found() {
    let tmp = tempfile::tempdir().unwrap();
    let c = client(tmp.path(), "eq", &[("att-rdo-equipment.txt", "att/april.txt")]);
    let (code, report) = audit(&c, &tmp.path().join("out"));
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["input"]["billed_total"], "708.00");
    // The tablet of transaction T-1001 is billed twice at 349.00: one copy is claimed.
    assert_eq!(by_rule(&report)["DUP001"], figures(1, "349.00", "0.00"));
    let findings = std::fs::read_to_string(tmp.path().join("out/findings.csv")).unwrap();
    assert!(
        findings.contains("invoices/att/april.txt:2;invoices/att/april.txt:3"),
        "{findings}"
    );
}

#[test]
fn an_idle_bell_line_is_found_from_the_mob_usage_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let c = client(
        tmp.path(),
        "bell",
        &[
            ("bell-mob-usage-2024-02.csv", "bell/feb.csv"),
            ("bell-mob-usage-2024-03.csv", "bell/mar.csv"),
            ("bell-mob-usage-2024-04.csv", "bell/apr.csv"),
        ],
    );
    let (code, report) = audit(&c, &tmp.path().join("out"));
    assert_eq!(code, 0, "{report}");
    // Three bills of 40.00 + 2.00 + 25.00 + 1.25 = 68.25: 204.75; 2 lines x (2 charges
    // + 3 usage rows) x 3 bills = 30 rows.
    assert_eq!(report["input"]["billed_total"], "204.75");
    assert_eq!(report["input"]["rows"], 30);
    // 604-555-0002 shows 0:00 minutes, no messages and no data in all three periods:
    // its 25.00 a month is claimed; 604-555-0001 (0:45 minutes in March) is used.
    assert_eq!(by_rule(&report)["UNU001"], figures(1, "0.00", "25.00"));
    let findings = std::fs::read_to_string(tmp.path().join("out/findings.csv")).unwrap();
    let unu: Vec<&str> = findings.lines().filter(|l| l.starts_with("UNU001")).collect();
    assert_eq!(unu.len(), 1);
    assert!(unu[0].contains(",604-555-0002,"), "{}", unu[0]);
}
