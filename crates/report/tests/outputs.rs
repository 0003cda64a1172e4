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
    "funded_share_after_fees": "1.0012",
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
rule,severity,carrier,account,service_id,invoices,first_period,last_period,description,recoverable,monthly,evidence,basis,expired,finding_key,claim_id,recoverable_in_totals,monthly_in_totals,claim_by
DUP001,high,Verizon,'\t0042,,INV-1;INV-2,2025-01-01,2025-02-01,'@risk | tab\there,2.00,0.00,,,0.00,DUP001|Verizon|\t0042||@risk \\| tab\there,,2.00,0.00,
TAX001,high,Verizon,'-0042,,INV-1;INV-2,2025-01-01,2025-02-01,'-credit,-12.00,-0.50,invoices/a.csv:2,,0.00,TAX001|Verizon|-0042||-credit,,0.00,0.00,
TAX001,high,Verizon,0042,'+15550101,A-1;Z-9,2025-01-01,2025-02-01,'=SUM(A1),1.50,0.00,invoices/a.csv:2;invoices/b.edi:segment 7,contracts.csv:4,0.00,TAX001|Verizon|0042|+15550101|=SUM(A1),,0.00,0.00,
";
    // All three claim one row: the totals keep DUP001's 2.00 (the largest) and a
    // monthly of 0 (TAX001's -0.50 is smaller), and so do the in-totals columns.
    let r = summarize(&dump, &results);
    assert_eq!((r.totals.recoverable, r.totals.monthly), (d("2"), d("0")));
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
    assert!(
        md.contains("| Payback: the month the cumulative cash flow, fees included, turns positive | never"),
        "{md}"
    );
    // 160.185 / (100 + 600) = 0.228835... -> 0.2288 -> 22.88%
    assert!(md.contains("| 22.88% |"), "{md}");
    assert!(
        md.contains("| CRD001 | Missing contract credit | high | 0 | 0.00 | 0.00 |"),
        "{md}"
    );
    assert!(md.contains("| Lumen | 40.13 | 40.13 | 10.01 |"), "{md}");
    assert!(md.contains(
        "| 1 | DUP001 | Lumen | 77 | CKT-1 | 2025-01-01 to 2025-02-01 | Plan \\| duplicate | 40.13 | 10.01 | 160.19 |  | invoices/a.csv:2, invoices/a.csv:3, invoices/a.csv:4 and 3 more |"
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
        lines[1].ends_with(",1.01,0.01,invoices/a.csv:40001,,0.00,DUP001|V|1|555-00000|dup,,1.01,0.01,"),
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
        md.contains(
            "| Payback: the month the cumulative cash flow, fees included, turns positive | 12 months |"
        ),
        "{md}"
    );
    assert!(md.contains("(difference = stated - computed)"), "{md}");
}

#[test]
fn never_fully_funded_while_the_first_year_ends_below_zero() {
    let (mut dump, results) = tiny();
    // As the test above (R = 40.125, M = 10.005, one-time 100, monthly 5), with a
    // TEM provider taking 30% of the recoverable: 12.0375 in month 0.
    let mut p = dump.config.proposal.clone().unwrap();
    p.tem = Some(telaudit_model::TemShare {
        provider: "Ledger TEM".into(),
        recovery_share: d("0.30"),
        savings_share: d("0"),
        savings_months: 0,
    });
    dump.config.proposal = Some(p);
    let report = summarize(&dump, &results);
    let f = report.proposal.as_ref().unwrap();
    // funded_share as the contract defines it still passes 1 (160.185 / 160) ...
    assert_eq!(f.funded_share, Some(d("1.0012")));
    // ... but with the fee as a cost: 160.185 / 172.0375 = 0.93110... -> 0.9311.
    assert_eq!(f.first_year_fees, d("12.0375"));
    assert_eq!(f.funded_share_after_fees, Some(d("0.9311")));
    // cumulative(12) = 40.125 - 12.0375 - 100 + 12 x 5.005 = -11.8525.
    assert_eq!(f.plan.net_first_year.cents(), d("-11.85"));
    let json = report_json(&report);
    assert!(
        json.contains("\"funded_share\": \"1.0012\",\n    \"funded_share_after_fees\": \"0.9311\","),
        "{json}"
    );
    let md = report_md(&dump, &results, &report);
    assert!(!md.contains("fully funded"), "{md}");
    assert!(md.contains("| TEM fees in the first 12 months | 12.04 |"), "{md}");
    assert!(
        md.contains("| First-year cost with the TEM fees | 172.04 |"),
        "{md}"
    );
    assert!(
        md.contains(
            "| Share of the first-year cost, TEM fees included, funded by the first-year value | 93.11% |"
        ),
        "{md}"
    );
    // Month 12 ends at -11.85; month 15 is the first at or above 0 (+3.16).
    assert!(
        md.contains(
            "| Payback: the month the cumulative cash flow, fees included, turns positive | 15 months |"
        ),
        "{md}"
    );
    let html = telaudit_report::report_html(&dump, &results, &report);
    assert!(!html.contains("fully funded"));
    assert!(
        html.contains("covers <b>93.11%</b> of the proposal's first-year cost of <b>172.04</b>"),
        "{html}"
    );
}

#[test]
fn every_warning_is_in_warnings_csv_and_both_reports_point_to_it() {
    let (mut dump, results) = tiny();
    dump.warnings = (1..=25)
        .rev()
        .map(|n| telaudit_model::Warning {
            file: "invoices/a.csv".into(),
            position: Position::Line(n),
            message: format!("=odd value {n}"),
        })
        .collect();
    dump.warnings.push(telaudit_model::Warning {
        file: "utilization.csv".into(),
        position: Position::File,
        message: "no circuit".into(),
    });
    let report = summarize(&dump, &results);
    let csv = telaudit_report::warnings_csv(&dump);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 26);
    assert_eq!(lines[0], "file,line,message");
    // Sorted by file, then line; guarded against formulas; a whole-file warning has no line.
    assert_eq!(lines[1], "invoices/a.csv,1,'=odd value 1");
    assert_eq!(lines[25], "invoices/a.csv,25,'=odd value 25");
    assert_eq!(lines[26], "utilization.csv,,no circuit");
    let md = report_md(&dump, &results, &report);
    assert!(md.contains("- and 6 more warnings\n"), "{md}");
    assert!(
        md.contains("`warnings.csv` lists all 26 warnings (file, line, message)."),
        "{md}"
    );
    let html = telaudit_report::report_html(&dump, &results, &report);
    assert!(
        html.contains(r#"<a href="warnings.csv">warnings.csv</a> lists all 26"#),
        "{html}"
    );
    let tmp = tempfile::tempdir().unwrap();
    write_outputs(tmp.path(), &dump, &results, &report).unwrap();
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("warnings.csv")).unwrap(),
        csv
    );
    // A rerun without warnings removes the stale file.
    dump.warnings.clear();
    write_outputs(tmp.path(), &dump, &results, &summarize(&dump, &results)).unwrap();
    assert!(!tmp.path().join("warnings.csv").exists());
}
