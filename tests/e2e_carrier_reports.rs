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
    // The TELUS Invoice Summary beside them states the invoice's total, 104.93,
    // which the Group Summary's charges match: recognised, not refused, no BAL002.
    std::fs::write(
        c.join("invoices/telus/Invoice_Summary_2024-03.txt"),
        telus_invoice_summary("104.93"),
    )
    .unwrap();
    let (code, report) = audit(&c, &tmp.path().join("out"));
    assert_eq!(code, 0, "{report}");
    assert_eq!(by_rule(&report)["BAL002"], figures(0, "0.00", "0.00"));
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

/// A TELUS Invoice Summary (written from scratch) of account 90210077, invoice
/// 700100200300 of 15-Mar-24, stating `total` as its current charges.
fn telus_invoice_summary(total: &str) -> String {
    format!(
        "\"Northwind\"\tClient No:\t\"90210077\"\r\n\"Northwind\"\tPurchase Order No:\r\n\
         Invoice Date:\t15-Mar-24\tUnique Invoice No:\t\"700100200300\"\r\n\
         \"Account Number 90210077\"\r\n\"----\"\r\n\"REPORT - MOBILITY INVOICE SUMMARY\"\r\n\r\n\
         \"CURRENT CHARGES\"\r\n\"Monthly Service Plan\"\t$65.00\r\n\"Total Taxes:\"\t$8.78\r\n\
         \"Total Current Charges:\"\t${total}\r\n\r\n\"YOUR LAST BILL\"\r\n\"You Owe:\"\t$250.00\r\n"
    )
}

#[test]
fn a_telus_invoice_summary_that_disagrees_is_found_by_bal002() {
    let tmp = tempfile::tempdir().unwrap();
    let c = client(
        tmp.path(),
        "telus",
        &[("telus-group-summary.txt", "telus/Group_Summary_2024-03.txt")],
    );
    std::fs::write(
        c.join("invoices/telus/Invoice_Summary_2024-03.txt"),
        telus_invoice_summary("110.00"),
    )
    .unwrap();
    let (code, report) = audit(&c, &tmp.path().join("out"));
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["input"]["rejected_rows"], 0);
    assert_eq!(report["input"]["billed_total"], "104.93");
    // 110.00 stated against 104.93 read: a finding that claims no money.
    assert_eq!(by_rule(&report)["BAL002"], figures(1, "0.00", "0.00"));
    let findings = std::fs::read_to_string(tmp.path().join("out/findings.csv")).unwrap();
    let line = findings.lines().find(|l| l.starts_with("BAL002")).unwrap();
    assert!(
        line.contains(
            "states Total Current Charges 110.00 but the charges read for it sum to 104.93 (difference 5.07"
        ),
        "{line}"
    );
    // The evidence names the header line that states the total (line 11).
    assert!(
        line.contains("invoices/telus/Invoice_Summary_2024-03.txt:11"),
        "{line}"
    );
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

#[test]
fn two_units_of_one_att_equipment_purchase_are_not_a_duplicate() {
    let tmp = tempfile::tempdir().unwrap();
    let c = client(
        tmp.path(),
        "units",
        &[("att-rdo-equipment-units.txt", "att/may.txt")],
    );
    let (code, report) = audit(&c, &tmp.path().join("out"));
    assert_eq!(code, 0, "{report}");
    // 199.00 x 3 + 0 + 30.00 = 627.00.
    assert_eq!(report["input"]["billed_total"], "627.00");
    // Units 1 and 2 of transaction T-2002 are two phones; unit 2 billed a second
    // time (lines 3 and 4) is the one duplicate: 199.00 claimed.
    assert_eq!(by_rule(&report)["DUP001"], figures(1, "199.00", "0.00"));
    let findings = std::fs::read_to_string(tmp.path().join("out/findings.csv")).unwrap();
    let dup: Vec<&str> = findings.lines().filter(|l| l.starts_with("DUP001")).collect();
    assert_eq!(dup.len(), 1, "{findings}");
    assert!(
        dup[0].contains("invoices/att/may.txt:3;invoices/att/may.txt:4"),
        "{}",
        dup[0]
    );
}

#[test]
fn a_telus_line_over_its_plan_once_is_not_claimed_unused() {
    // Four TELUS Group Summaries, March to June 2024, from the fixture: in March
    // 9025550101 bills 3.40 of long distance and 9025550102 2.50 of airtime (dollars
    // over the plan, the only usage TELUS prints); April to June bill no usage. No
    // dollars over the plan is not no use: UNU001 does not judge these lines.
    let tmp = tempfile::tempdir().unwrap();
    let c = client(
        tmp.path(),
        "telus4",
        &[("telus-group-summary.txt", "telus/gs-2024-03.txt")],
    );
    let march = std::fs::read_to_string(c.join("invoices/telus/gs-2024-03.txt")).unwrap();
    for (mon, inv) in [
        ("Apr", "700100200301"),
        ("May", "700100200302"),
        ("Jun", "700100200303"),
    ] {
        let text = march
            .replace("15-Mar-24", &format!("15-{mon}-24"))
            .replace("700100200300", inv)
            // 9025550101: no long distance, 45.60 - 3.40 = 42.20.
            .replace(
                "$25.00\t$3.40\t$0.00\t$10.00\t$0.00\t$0.00\t$0.00\t$0.00\t$1.25\t$5.95\t$45.60\t$0.00\t$45.60",
                "$25.00\t$0.00\t$0.00\t$10.00\t$0.00\t$0.00\t$0.00\t$0.00\t$1.25\t$5.95\t$42.20\t$0.00\t$42.20",
            )
            // 9025550102: no airtime, 37.50 - 2.50 = 35.00, with GST 36.88.
            .replace(
                "$40.00\t$2.50\tOver\t$0.00\t$40.00\t$0.00\t$0.00\t$0.00\t$0.00\t$0.00\t$0.00\t$0.00\t$-5.00\t$0.00\t$0.00\t$37.50\t$1.88\t$39.38",
                "$40.00\t$0.00\tOver\t$0.00\t$40.00\t$0.00\t$0.00\t$0.00\t$0.00\t$0.00\t$0.00\t$0.00\t$-5.00\t$0.00\t$0.00\t$35.00\t$1.88\t$36.88",
            );
        assert!(text.contains("$42.20") && text.contains("$36.88"), "{text}");
        std::fs::write(c.join(format!("invoices/telus/gs-2024-{mon}.txt")), text).unwrap();
    }
    let (code, report) = audit(&c, &tmp.path().join("out"));
    assert_eq!(code, 0, "{report}");
    // 104.93 in March, then 104.93 - 3.40 - 2.50 = 99.03 a month: 104.93 + 3 x 99.03
    // = 402.02; 12 charges in March, 10 a month after.
    assert_eq!(report["input"]["billed_total"], "402.02");
    assert_eq!(report["input"]["rows"], 42);
    assert_eq!(by_rule(&report)["UNU001"], figures(0, "0.00", "0.00"));
}
