//! summarize: input figures, the overlap rule, by_rule, by_carrier, rounding only at output.

mod common;

use common::*;
use telaudit_model::*;
use telaudit_report::{report_json, summarize};

/// Two rules claim row r0; CRD001 has two findings on one missing-credit key;
/// UNU001 ran and found nothing.
fn overlap_case() -> (Dump, Vec<RuleResult>) {
    let mut dump = dump();
    let r0 = row(
        &mut dump,
        "Verizon",
        "0042",
        "555-0101",
        "2025-01-01",
        "100.00",
        src(0, 2),
    );
    let r1 = row(
        &mut dump,
        "Verizon",
        "0042",
        "555-0101",
        "2025-02-01",
        "30.00",
        src(0, 3),
    );
    let _r2 = row(&mut dump, "AT&T", "9001", "", "2025-03-01", "50.00", src(1, 14));
    let att = dump.strings.intern("AT&T");
    let acct = dump.strings.intern("9001");
    let code = dump.strings.intern("CR5");
    let missing = ClaimKey::MissingCredit {
        carrier: att,
        account: acct,
        service: Sym::EMPTY,
        period: date("2025-03-01"),
        code,
    };
    let dup = finding(
        &mut dump,
        "DUP001",
        "Verizon",
        "0042",
        "555-0101",
        "dup",
        vec![claim(ClaimKey::Row(r0), "100", "0")],
        vec![src(0, 2)],
    );
    let dis = finding(
        &mut dump,
        "DIS001",
        "Verizon",
        "0042",
        "555-0101",
        "after disconnect",
        vec![
            claim(ClaimKey::Row(r0), "60", "60"),
            claim(ClaimKey::Row(r1), "30", "30"),
        ],
        vec![src(0, 2), src(0, 3)],
    );
    let crd_a = finding(
        &mut dump,
        "CRD001",
        "AT&T",
        "9001",
        "",
        "credit a",
        vec![claim(missing, "16", "10")],
        vec![],
    );
    let crd_b = finding(
        &mut dump,
        "CRD001",
        "AT&T",
        "9001",
        "",
        "credit b",
        vec![claim(missing, "12", "12")],
        vec![],
    );
    dump.rejected = vec![
        Rejection {
            file: "invoices/a.csv".into(),
            position: Position::Line(9),
            reason: "bad".into(),
            rows: 1,
        },
        Rejection {
            file: "invoices/b.edi".into(),
            position: Position::Segment(40),
            reason: "bad".into(),
            rows: 4,
        },
        Rejection {
            file: "inventory.csv".into(),
            position: Position::Line(3),
            reason: "bad".into(),
            rows: 0,
        },
    ];
    let results = vec![
        result("DIS001", "Billed after disconnect", vec![dis]),
        result("UNU001", "Unused service", vec![]),
        result("DUP001", "Duplicate charge", vec![dup]),
        result("CRD001", "Missing contract credit", vec![crd_a, crd_b]),
    ];
    (dump, results)
}

#[test]
fn input_summary_counts_charge_files_rows_and_refusals() {
    let (dump, results) = overlap_case();
    let r = summarize(&dump, &results);
    assert_eq!(r.input.files, 2); // a.csv and b.edi; inventory, contracts and client.toml are not charge files
    assert_eq!(r.input.rows, 3);
    assert_eq!(r.input.rejected_rows, 5); // 1 + 4 + 0
    assert_eq!(r.rejections, 3);
    assert_eq!(r.input.billed_total, d("180"));
    assert_eq!(r.input.first_period, Some(date("2025-01-01")));
    assert_eq!(r.input.last_period, Some(date("2025-03-01")));
}

#[test]
fn totals_count_the_largest_claim_per_key_once() {
    let (dump, results) = overlap_case();
    let r = summarize(&dump, &results);
    // r0: max(100, 60) recoverable, max(0, 60) monthly; r1: 30/30; credit: max(16,12)/max(10,12).
    assert_eq!(r.totals.recoverable, d("146")); // 100 + 30 + 16
    assert_eq!(r.totals.monthly, d("102")); // 60 + 30 + 12
    assert_eq!(r.totals.annual, d("1224"));
    assert_eq!(r.totals.first_year, d("1370"));
    assert_eq!(r.totals.findings, 4);
}

#[test]
fn by_rule_shows_each_rules_own_claims_sorted_and_complete() {
    let (dump, results) = overlap_case();
    let r = summarize(&dump, &results);
    let got: Vec<(&str, u64, Decimal, Decimal)> = r
        .by_rule
        .iter()
        .map(|b| (b.rule.as_str(), b.findings, b.recoverable, b.monthly))
        .collect();
    assert_eq!(
        got,
        vec![
            ("CRD001", 2, d("28"), d("22")),
            ("DIS001", 1, d("90"), d("90")),
            ("DUP001", 1, d("100"), d("0")),
            ("UNU001", 0, d("0"), d("0")),
        ]
    );
    assert_eq!(r.by_rule[1].title, "Billed after disconnect");
}

#[test]
fn by_carrier_attributes_each_key_once_sorted_by_name() {
    let (dump, results) = overlap_case();
    let r = summarize(&dump, &results);
    let got: Vec<(&str, Decimal, Decimal, Decimal)> = r
        .by_carrier
        .iter()
        .map(|c| (c.carrier.as_str(), c.billed_total, c.recoverable, c.monthly))
        .collect();
    assert_eq!(
        got,
        vec![
            // The missing credit is AT&T's, though no AT&T row is claimed.
            ("AT&T", d("50"), d("16"), d("12")),
            ("Verizon", d("130"), d("130"), d("90")),
        ]
    );
}

#[test]
fn money_is_rounded_only_when_written() {
    let mut dump = dump();
    let rows: Vec<RowId> = (2..5)
        .map(|line| row(&mut dump, "V", "1", "s", "2025-01-01", "0.005", src(0, line)))
        .collect();
    let f = finding(
        &mut dump,
        "TAX001",
        "V",
        "1",
        "s",
        "tax",
        rows.iter()
            .map(|&r| claim(ClaimKey::Row(r), "0.005", "0"))
            .collect(),
        vec![],
    );
    let v = dump.strings.intern("V");
    let one = dump.strings.intern("1");
    // A key of its own (on a row key, TAX001's monthly 0 would be the larger claim).
    let neg_key = ClaimKey::MissingCredit {
        carrier: v,
        account: one,
        service: Sym::EMPTY,
        period: date("2025-01-01"),
        code: one,
    };
    let g = finding(
        &mut dump,
        "ADJ001",
        "V",
        "1",
        "s",
        "neg",
        vec![claim(neg_key, "0", "-0.004")],
        vec![],
    );
    let results = vec![result("TAX001", "Tax", vec![f]), result("ADJ001", "Adj", vec![g])];
    let r = summarize(&dump, &results);
    assert_eq!(r.totals.recoverable, d("0.015"));
    assert_eq!(r.totals.monthly, d("-0.004"));
    let json: serde_json::Value = serde_json::from_str(&report_json(&r)).unwrap();
    // 0.015 -> 0.02, whereas rounding each 0.005 first would give 0.03.
    assert_eq!(json["totals"]["recoverable"], "0.02");
    assert_eq!(json["input"]["billed_total"], "0.02");
    assert_eq!(json["by_rule"][1]["recoverable"], "0.02");
    // -0.004 -> 0.00 (never -0.00); annual = 12 x -0.004 = -0.048 -> -0.05;
    // first_year = 0.015 - 0.048 = -0.033 -> -0.03.
    assert_eq!(json["totals"]["monthly"], "0.00");
    assert_eq!(json["totals"]["annual"], "-0.05");
    assert_eq!(json["totals"]["first_year"], "-0.03");
    assert_eq!(json["by_carrier"][0]["recoverable"], "0.02");
    assert_eq!(json["by_carrier"][0]["monthly"], "0.00");
}

#[test]
fn an_empty_dump_has_null_periods_and_no_carriers() {
    let dump = dump();
    let r = summarize(&dump, &[result("DUP001", "Duplicate charge", vec![])]);
    assert_eq!(r.input.first_period, None);
    assert!(r.by_carrier.is_empty());
    let json: serde_json::Value = serde_json::from_str(&report_json(&r)).unwrap();
    assert!(json["input"]["first_period"].is_null());
    assert!(json["input"]["last_period"].is_null());
    assert_eq!(json["by_rule"][0]["findings"], 0);
    assert!(json.get("proposal").is_none());
    assert_eq!(json["unbalanced_invoices"], serde_json::json!([]));
}
