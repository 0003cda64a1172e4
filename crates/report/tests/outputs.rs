//! The written files: report.json golden, findings.csv, rejected.csv, report.md, write_outputs.

mod common;

use common::*;
use std::fs;
use telaudit_model::*;
use telaudit_report::{findings_csv, rejected_csv, report_json, report_md, summarize, write_outputs};

/// One row, one finding, a proposal and an unbalanced EDI invoice.
fn tiny() -> (Dump, Vec<RuleResult>) {
    let mut dump = dump();
    dump.config.name = Some("Acme Health".to_string());
    dump.config.proposal = Some(Proposal::simple(d("100"), d("5")));
    let r0 = row(
        &mut dump,
        "Lumen",
        "77",
        "CKT-1",
        "2025-02-01",
        "40.125",
        src(1, 12),
    );
    let f = finding(
        &mut dump,
        "DUP001",
        "Lumen",
        "77",
        "CKT-1",
        "Duplicate",
        vec![claim(ClaimKey::Row(r0), "40.125", "10.005")],
        vec![src(1, 12)],
    );
    let s = &mut dump.strings;
    dump.unbalanced.push(UnbalancedInvoice {
        carrier: s.intern("Lumen"),
        account: s.intern("77"),
        invoice: s.intern("L-9"),
        stated: Micros::parse("50.00").unwrap(),
        computed: Micros::parse("40.125").unwrap(),
        source: src(1, 3),
        rows: 0..1,
    });
    (
        dump,
        vec![
            result("DUP001", "Duplicate charge", vec![f]),
            result("CRD001", "Missing contract credit", vec![]),
        ],
    )
}

#[test]
fn report_json_golden() {
    let (dump, results) = tiny();
    let got = report_json(&summarize(&dump, &results));
    // monthly 10.005 -> 10.01; annual 120.06 exactly; first_year 40.125 + 120.06 = 160.185 -> 160.19.
    // cost 100 + 60 = 160; share 160.185 / 160 = 1.00115625 -> 1.0012.
    // payback: need 100 - 40.125 = 59.875; diff 5.005; 11 x 5.005 = 55.055 < need; 12 x = 60.06 -> 12.
    let want = r#"{
  "schema": "telaudit.report/1",
  "client": "acme",
  "name": "Acme Health",
  "input": {
    "files": 2,
    "rows": 1,
    "rejected_rows": 0,
    "billed_total": "40.13",
    "first_period": "2025-02-01",
    "last_period": "2025-02-01",
    "warnings": 0,
    "skipped_files": 0,
    "unrecognised_files": 0
  },
  "totals": {
    "recoverable": "40.13",
    "monthly": "10.01",
    "annual": "120.06",
    "first_year": "160.19",
    "findings": 1,
    "expired": "0.00"
  },
  "by_rule": [
    {
      "rule": "CRD001",
      "findings": 0,
      "recoverable": "0.00",
      "monthly": "0.00"
    },
    {
      "rule": "DUP001",
      "findings": 1,
      "recoverable": "40.13",
      "monthly": "10.01"
    }
  ],
  "by_carrier": [
    {
      "carrier": "Lumen",
      "billed_total": "40.13",
      "recoverable": "40.13",
      "monthly": "10.01"
    }
  ],
  "unbalanced_invoices": [
    {
      "carrier": "Lumen",
      "account": "77",
      "invoice": "L-9",
      "stated": "50.00",
      "computed": "40.13",
      "difference": "9.88",
      "source": "invoices/b.edi:segment 3"
    }
  ],
  "proposal": {
    "one_time": "100.00",
    "monthly": "5.00",
    "first_year_cost": "160.00",
    "funded_share": "1.0012",
    "payback_months": 12
  },
  "as_of": "2025-02-01"
}
"#;
    assert_eq!(got, want);
}

#[test]
fn findings_csv_is_sorted_guarded_and_carries_every_source() {
    let mut dump = dump();
    let r0 = row(
        &mut dump,
        "Verizon",
        "0042",
        "+15550101",
        "2025-01-01",
        "10",
        src(0, 2),
    );
    let k = ClaimKey::Row(r0);
    let mut eq = finding(
        &mut dump,
        "TAX001",
        "Verizon",
        "0042",
        "+15550101",
        "=SUM(A1)",
        vec![claim(k, "1.5", "0")],
        vec![src(0, 2), src(1, 7)],
    );
    eq.basis = vec![src(3, 4)];
    // Invoices are shown in text order, once each, whatever their symbol order.
    let (z, a) = (dump.strings.intern("Z-9"), dump.strings.intern("A-1"));
    eq.invoices = vec![z, a, z];
    let minus = finding(
        &mut dump,
        "TAX001",
        "Verizon",
        "-0042",
        "",
        "-credit",
        vec![claim(k, "-12", "-0.5")],
        vec![src(0, 2)],
    );
    let at = finding(
        &mut dump,
        "DUP001",
        "Verizon",
        "\t0042",
        "",
        "@risk | tab\there",
        vec![claim(k, "2", "0")],
        vec![],
    );
    let results = vec![
        result("TAX001", "Tax", vec![eq, minus]),
        result("DUP001", "Dup", vec![at]),
    ];
    let got = findings_csv(&dump, &results);
    let want = "\
rule,severity,carrier,account,service_id,invoices,first_period,last_period,description,recoverable,monthly,evidence,basis,expired,finding_key
DUP001,high,Verizon,'\t0042,,INV-1;INV-2,2025-01-01,2025-02-01,'@risk | tab\there,2.00,0.00,,,0.00,DUP001|Verizon|\t0042||@risk \\| tab\there
TAX001,high,Verizon,'-0042,,INV-1;INV-2,2025-01-01,2025-02-01,'-credit,-12.00,-0.50,invoices/a.csv:2,,0.00,TAX001|Verizon|-0042||-credit
TAX001,high,Verizon,0042,'+15550101,A-1;Z-9,2025-01-01,2025-02-01,'=SUM(A1),1.50,0.00,invoices/a.csv:2;invoices/b.edi:segment 7,contracts.csv:4,0.00,TAX001|Verizon|0042|+15550101|=SUM(A1)
";
    assert_eq!(got, want);
}

#[test]
fn rejected_csv_is_sorted_by_file_then_position_and_guarded() {
    let mut dump = dump();
    let rej = |file: &str, position, reason: &str| Rejection {
        file: file.into(),
        position,
        reason: reason.into(),
        rows: 1,
    };
    dump.rejected = vec![
        rej("invoices/b.csv", Position::Line(10), "bad amount"),
        rej("invoices/a.csv", Position::Line(3), "=bad, date"),
        rej("invoices/a.edi", Position::Segment(5), "bad segment"),
        rej("invoices/a.csv", Position::File, "not UTF-8"),
        rej("invoices/a.csv", Position::Line(12), "too few fields"),
    ];
    let want = "\
file,line,reason
invoices/a.csv,,not UTF-8
invoices/a.csv,3,\"'=bad, date\"
invoices/a.csv,12,too few fields
invoices/a.edi,segment 5,bad segment
invoices/b.csv,10,bad amount
";
    assert_eq!(rejected_csv(&dump), want);
}

#[test]
fn write_outputs_writes_all_files_and_removes_a_stale_rejected_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (mut dump, results) = tiny();
    dump.rejected.push(Rejection {
        file: "invoices/a.csv".into(),
        position: Position::Line(4),
        reason: "bad".into(),
        rows: 1,
    });
    let report = summarize(&dump, &results);
    write_outputs(&out, &dump, &results, &report).unwrap();
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".telaudit-out",
            "disputes",
            "findings.csv",
            "rejected.csv",
            "report.html",
            "report.json",
            "report.md",
            "report.xlsx"
        ]
    );
    assert_eq!(
        fs::read_to_string(out.join("report.json")).unwrap(),
        report_json(&report)
    );
    assert_eq!(
        fs::read_to_string(out.join("rejected.csv")).unwrap(),
        "file,line,reason\ninvoices/a.csv,4,bad\n"
    );

    // A second run without refusals: rejected.csv goes, no temporary file stays.
    dump.rejected.clear();
    let report = summarize(&dump, &results);
    write_outputs(&out, &dump, &results, &report).unwrap();
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".telaudit-out",
            "disputes",
            "findings.csv",
            "report.html",
            "report.json",
            "report.md",
            "report.xlsx"
        ]
    );
    assert_eq!(
        fs::read_to_string(out.join("findings.csv")).unwrap(),
        findings_csv(&dump, &results)
    );
}

#[test]
fn report_md_has_the_headline_partial_warning_proposal_and_escaped_cells() {
    let (mut dump, mut results) = tiny();
    dump.rejected.push(Rejection {
        file: "invoices/a.csv".into(),
        position: Position::Line(4),
        reason: "bad".into(),
        rows: 3,
    });
    // Savings now below the proposal's monthly cost: never pays back.
    dump.config.proposal = Some(Proposal::simple(d("100"), d("50")));
    let f = &mut results[0].findings[0];
    f.description = "Plan | duplicate".to_string();
    f.evidence = (2..8).map(|l| src(0, l)).collect();
    let report = summarize(&dump, &results);
    let md = report_md(&dump, &results, &report);
    assert!(md.starts_with("# Telecom bill audit: Acme Health\n"), "{md}");
    assert!(
        md.contains("| Recoverable now (already overbilled; a dispute can claim it back) | 40.13 |"),
        "{md}"
    );
    assert!(md.contains("| Annual savings (12 x monthly) | 120.06 |"), "{md}");
    assert!(
        md.contains("| First-year value (recoverable + annual) | 160.19 |"),
        "{md}"
    );
    assert!(
        md.contains("this audit is partial.** 3 charge rows were refused"),
        "{md}"
    );
    assert!(md.contains("| Payback of the one-time cost | never"), "{md}");
    // 160.185 / (100 + 600) = 0.228835... -> 0.2288 -> 22.88%
    assert!(md.contains("| 22.88% |"), "{md}");
    assert!(
        md.contains("| CRD001 | Missing contract credit | high | 0 | 0.00 | 0.00 |"),
        "{md}"
    );
    assert!(md.contains("| Lumen | 40.13 | 40.13 | 10.01 |"), "{md}");
    assert!(md.contains(
        "| 1 | DUP001 | Lumen | 77 | CKT-1 | 2025-01-01 to 2025-02-01 | Plan \\| duplicate | 40.13 | 10.01 | 160.19 | invoices/a.csv:2, invoices/a.csv:3, invoices/a.csv:4 and 3 more |"
    ), "{md}");
    assert!(
        md.contains("| Lumen | 77 | L-9 | 50.00 | 40.13 | 9.88 | invoices/b.edi:segment 3 |"),
        "{md}"
    );
    assert!(md.contains("count each dollar once"), "{md}");
}

#[test]
fn report_md_orders_the_largest_findings_by_first_year_value() {
    let mut dump = dump();
    let r0 = row(&mut dump, "V", "1", "a", "2025-01-01", "10", src(0, 2));
    let r1 = row(&mut dump, "V", "1", "b", "2025-01-01", "10", src(0, 3));
    // first-year values: big-recoverable 100 + 0 = 100; big-monthly 1 + 12 x 9 = 109.
    let a = finding(
        &mut dump,
        "DUP001",
        "V",
        "1",
        "a",
        "big-recoverable",
        vec![claim(ClaimKey::Row(r0), "100", "0")],
        vec![],
    );
    let b = finding(
        &mut dump,
        "UNU001",
        "V",
        "1",
        "b",
        "big-monthly",
        vec![claim(ClaimKey::Row(r1), "1", "9")],
        vec![],
    );
    let results = vec![
        result("DUP001", "Dup", vec![a]),
        result("UNU001", "Unused", vec![b]),
    ];
    let md = report_md(&dump, &results, &summarize(&dump, &results));
    let pa = md.find("big-recoverable").unwrap();
    let pb = md.find("big-monthly").unwrap();
    assert!(pb < pa, "{md}");
    assert!(md.contains("| 1 | UNU001 |"), "{md}");
    assert!(!md.contains("Proposal funding"), "{md}");
}

#[test]
fn tens_of_thousands_of_findings_are_written_in_order() {
    let mut dump = dump();
    let mut findings = Vec::new();
    for i in 0..40_000u32 {
        let service = format!("555-{:05}", 39_999 - i);
        let r = row(&mut dump, "V", "1", &service, "2025-01-01", "1.01", src(0, i + 2));
        findings.push(finding(
            &mut dump,
            "DUP001",
            "V",
            "1",
            &service,
            "dup",
            vec![claim(ClaimKey::Row(r), "1.01", "0.01")],
            vec![src(0, i + 2)],
        ));
    }
    let results = vec![result("DUP001", "Dup", findings)];
    let report = summarize(&dump, &results);
    assert_eq!(report.totals.recoverable, d("40400")); // 40000 x 1.01
    assert_eq!(report.totals.monthly, d("400"));
    let csv = findings_csv(&dump, &results);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 40_001);
    assert!(lines[1].starts_with("DUP001,high,V,1,555-00000,"), "{}", lines[1]);
    assert!(
        lines[40_000].starts_with("DUP001,high,V,1,555-39999,"),
        "{}",
        lines[40_000]
    );
    assert!(
        lines[1].ends_with(",1.01,0.01,invoices/a.csv:40001,,0.00,DUP001|V|1|555-00000|dup"),
        "{}",
        lines[1]
    );
}

#[test]
fn report_md_marks_a_fully_funded_proposal() {
    let (dump, results) = tiny();
    let md = report_md(&dump, &results, &summarize(&dump, &results));
    // 160.185 / 160 = 1.00115625 -> 1.0012 -> 100.12%; payback 12 months (see the golden test).
    assert!(md.contains("| 100.12% (fully funded) |"), "{md}");
    assert!(
        md.contains("| Payback of the one-time cost | 12 months |"),
        "{md}"
    );
    assert!(md.contains("(difference = stated - computed)"), "{md}");
}
