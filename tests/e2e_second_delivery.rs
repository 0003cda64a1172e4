//! One bill, delivered twice (formats.md section 11), and nothing skipped in
//! silence: the binary on clients built here from scratch.
//!
//! - a file saved twice (`MOB.csv`, `MOB (1).csv`) counts once, DUP001 finds nothing;
//! - a Verizon-style zip beside its own unpacked members counts once;
//! - an invoice as X12 811 and as canonical CSV (other descriptions and codes) counts once;
//! - a copy that disagrees keeps every row and warns, naming the invoice and the files;
//! - an invoice split in two halves over two files keeps every row, without a warning;
//! - a file no reader recognises: exit 1, `audited` with a non-empty batch error column;
//!   a recognised export without charges is not an error.

mod common;

use common::{by_rule, code, figures, read_json, run_audit, run_batch, stderr, HEADER};
use std::fs;
use std::path::{Path, PathBuf};

/// Verizon account ACC1, invoice INV-1 (February 2025): three charges,
/// 40.00 + 47.00 + 7.25 = 94.25.
const MOB: &str = "Verizon,ACC1,INV-1,2025-03-05,2025-02-01,2025-02-28,555-0101,recurring,PLAN,Unlimited plan,1,40,40,,\n\
                   Verizon,ACC1,INV-1,2025-03-05,2025-02-01,2025-02-28,555-0102,one_time,EQP,Handset,1,47,47,,\n\
                   Verizon,ACC1,INV-1,2025-03-05,2025-02-01,2025-02-28,555-0101,tax,FET,Federal excise tax,1,,7.25,,\n";

fn csv(rows: &str) -> String {
    format!("{HEADER}\n{rows}")
}

/// A client folder `<tmp>/<name>` with the given files below invoices/.
fn client(tmp: &Path, name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = tmp.join(name);
    for (path, bytes) in files {
        let p = dir.join("invoices").join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
    dir
}

/// Audits `dir` into `<tmp>/out-<name>`; (exit code, report.json, report.md, report.html).
fn audit(tmp: &Path, dir: &Path) -> (i32, serde_json::Value, String, String) {
    let out = tmp.join(format!("out-{}", dir.file_name().unwrap().to_str().unwrap()));
    let o = run_audit(dir, &out, &[]);
    assert!(code(&o) <= 1, "{}", stderr(&o));
    (
        code(&o),
        read_json(&out.join("report.json")),
        fs::read_to_string(out.join("report.md")).unwrap(),
        fs::read_to_string(out.join("report.html")).unwrap(),
    )
}

fn input(report: &serde_json::Value, key: &str) -> serde_json::Value {
    report["input"][key].clone()
}

#[test]
fn a_file_saved_twice_counts_once() {
    let tmp = tempfile::tempdir().unwrap();
    let body = csv(MOB);
    let dir = client(
        tmp.path(),
        "copy",
        &[("MOB.csv", body.as_bytes()), ("MOB (1).csv", body.as_bytes())],
    );
    let (rc, report, md, html) = audit(tmp.path(), &dir);
    assert_eq!(rc, 0);
    assert_eq!(input(&report, "rows"), 3);
    assert_eq!(input(&report, "billed_total"), "94.25");
    assert_eq!(input(&report, "files"), 1);
    assert_eq!(input(&report, "skipped_files"), 1);
    assert_eq!(input(&report, "unrecognised_files"), 0);
    assert_eq!(input(&report, "warnings"), 1);
    // Nothing was billed twice: DUP001 finds nothing.
    assert_eq!(by_rule(&report)["DUP001"], figures(0, "0.00", "0.00"));
    assert_eq!(report["totals"]["recoverable"], "0.00");
    // "MOB (1).csv" sorts before "MOB.csv" (' ' < '.'): it is the first delivery.
    let line = "- invoices/MOB.csv: the same bytes as invoices/MOB (1).csv: a second delivery";
    assert!(md.contains(line), "{md}");
    assert!(md.contains("- Files skipped: 1"), "{md}");
    assert!(
        html.contains(r#"<section id="skipped"><h2>Files skipped</h2>"#),
        "{html}"
    );
    assert!(html.contains("the same bytes as invoices/MOB (1).csv"), "{html}");
    assert!(!html.contains(r#"id="unrecognised""#));
}

#[test]
fn a_zip_beside_its_unpacked_members_counts_once() {
    let tmp = tempfile::tempdir().unwrap();
    let feb = csv(MOB);
    // March: the plan again, 40.00.
    let mar = csv(&MOB
        .lines()
        .next()
        .unwrap()
        .replace("2025-02", "2025-03")
        .replace("2025-03-05", "2025-04-05"));
    let mar = mar.replace("INV-1", "INV-2") + "\n";
    let zip = telaudit_parse::write_zip(&[("feb.csv", feb.as_bytes()), ("mar.csv", mar.as_bytes())], true);
    let dir = client(
        tmp.path(),
        "zip",
        &[
            ("vz.zip", &zip),
            ("vz/feb.csv", feb.as_bytes()),
            ("vz/mar.csv", mar.as_bytes()),
        ],
    );
    let (rc, report, md, _) = audit(tmp.path(), &dir);
    assert_eq!(rc, 0);
    // 94.25 + 40.00, once.
    assert_eq!(input(&report, "rows"), 4);
    assert_eq!(input(&report, "billed_total"), "134.25");
    assert_eq!(input(&report, "files"), 2);
    assert_eq!(input(&report, "skipped_files"), 2);
    assert_eq!(by_rule(&report)["DUP001"], figures(0, "0.00", "0.00"));
    // "invoices/vz.zip" sorts before "invoices/vz/" ('.' < '/'): the members are first.
    assert!(
        md.contains("- invoices/vz/feb.csv: the same bytes as invoices/vz.zip!feb.csv"),
        "{md}"
    );
    assert!(md.contains("- invoices/vz/mar.csv: the same bytes as invoices/vz.zip!mar.csv"));
}

/// The 811 of Lumen invoice LUMKX881220251201: 850.00 port, 25.50 federal excise
/// tax, a 200.00 credit; TDS 675.50.
const EDI: &str = "ISA*00*          *00*          *ZZ*LUMEN          *ZZ*ACMEHEALTH     *251205*0930*U*00401*000000101*0*P*>~\
GS*CI*LUMEN*ACMEHEALTH*20251205*0930*101*X*004010~ST*811*0001~BIG*20251205*LUMKX881220251201~\
REF*12*5-KX8812~DTM*186*20251101~DTM*187*20251130~N1*SE*Lumen~HL*1**1~HL*2*1*2~REF*12*5-KX8812~\
HL*3*2*4~PID*F****MONTHLY CHARGES~HL*4*3*8~SI*TI*CI*81/KQGN/100000/LUMN~IT1*1*1*EA*850.00**SV*EPORT~\
PID*F****Ethernet Port 100 Mbps~TXI*FT*25.50~HL*5*2*4~PID*F****CREDITS~HL*6*5*8~\
ITA*A**PROMO*06***20000******Promotional Credit - Term Agreement~TDS*67550~SE*22*0001~GE*1*101~IEA*1*000000101~\n";

#[test]
fn an_invoice_as_811_and_as_csv_counts_once() {
    let tmp = tempfile::tempdir().unwrap();
    // The carrier's CSV export of the same invoice: its own codes and descriptions.
    let export = csv(
        "Lumen,5-KX8812,LUMKX881220251201,2025-12-05,2025-11-01,2025-11-30,81/KQGN/100000/LUMN,recurring,ETH100,ETHERNET PORT 100M,1,850,850.00,,\n\
         Lumen,5-KX8812,LUMKX881220251201,2025-12-05,2025-11-01,2025-11-30,81/KQGN/100000/LUMN,tax,FEDX,FED EXCISE,1,,25.50,,\n\
         Lumen,5-KX8812,LUMKX881220251201,2025-12-05,2025-11-01,2025-11-30,,credit,CR-TERM,TERM CREDIT,1,,-200.00,,\n",
    );
    let dir = client(
        tmp.path(),
        "edi",
        &[
            ("lumen-nov.csv", export.as_bytes()),
            ("lumen-nov.edi", EDI.as_bytes()),
        ],
    );
    let (rc, report, md, _) = audit(tmp.path(), &dir);
    assert_eq!(rc, 0);
    // 850.00 + 25.50 - 200.00 = 675.50, once (the CSV, first in path order).
    assert_eq!(input(&report, "rows"), 3);
    assert_eq!(input(&report, "billed_total"), "675.50");
    assert_eq!(input(&report, "skipped_files"), 1);
    assert_eq!(report["unbalanced_invoices"], serde_json::json!([]));
    assert_eq!(by_rule(&report)["DUP001"], figures(0, "0.00", "0.00"));
    assert!(
        md.contains(
            "- invoices/lumen-nov.edi: every invoice in it carries the same charges as in \
             invoices/lumen-nov.csv: a second delivery"
        ),
        "{md}"
    );
    assert!(
        md.contains("1 invoice(s) (LUMKX881220251201) carry the same charges as in invoices/lumen-nov.csv"),
        "{md}"
    );
}

#[test]
fn a_copy_that_disagrees_keeps_every_row_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    // The second export bills the tax at 9.25, not 7.25.
    let other = csv(&MOB.replace(",7.25,", ",9.25,"));
    let dir = client(
        tmp.path(),
        "disagree",
        &[
            ("MOB.csv", csv(MOB).as_bytes()),
            ("MOB-export.csv", other.as_bytes()),
        ],
    );
    let (rc, report, md, _) = audit(tmp.path(), &dir);
    assert_eq!(rc, 0);
    // Every row counts: 94.25 + 96.25.
    assert_eq!(input(&report, "rows"), 6);
    assert_eq!(input(&report, "billed_total"), "190.50");
    assert_eq!(input(&report, "skipped_files"), 0);
    assert_eq!(input(&report, "warnings"), 1);
    assert!(
        md.contains(
            "- Warning, invoices/MOB-export.csv: invoice INV-1 (Verizon, account ACC1) comes in 2 \
             files that disagree: 3 row(s) in invoices/MOB-export.csv, 3 row(s) in invoices/MOB.csv"
        ),
        "{md}"
    );
}

#[test]
fn an_invoice_split_over_two_files_keeps_every_row_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let lines: Vec<&str> = MOB.lines().collect();
    // Line 555-0101 (plan and tax) in one file, 555-0102 (handset) in the other.
    let first = csv(&format!("{}\n{}\n", lines[0], lines[2]));
    let second = csv(&format!("{}\n", lines[1]));
    let dir = client(
        tmp.path(),
        "split",
        &[
            ("INV-1 part 1.csv", first.as_bytes()),
            ("INV-1 part 2.csv", second.as_bytes()),
        ],
    );
    let (rc, report, md, _) = audit(tmp.path(), &dir);
    assert_eq!(rc, 0);
    assert_eq!(input(&report, "rows"), 3);
    assert_eq!(input(&report, "billed_total"), "94.25");
    assert_eq!(input(&report, "files"), 2);
    assert_eq!(input(&report, "skipped_files"), 0);
    assert_eq!(input(&report, "warnings"), 0);
    assert!(!md.contains("Files skipped (none"), "{md}");
}

#[test]
fn two_identical_halves_of_one_invoice_are_a_copy() {
    // The definition at its edge: the same charges for an invoice in two files
    // are one delivery too many, even when each file holds only that part.
    let tmp = tempfile::tempdir().unwrap();
    let plan = csv(&format!("{}\n", MOB.lines().next().unwrap()));
    let with_crlf = plan.replace('\n', "\r\n");
    let dir = client(
        tmp.path(),
        "halves",
        &[("a.csv", plan.as_bytes()), ("b.csv", with_crlf.as_bytes())],
    );
    let (_, report, _, _) = audit(tmp.path(), &dir);
    assert_eq!(input(&report, "rows"), 1);
    assert_eq!(input(&report, "billed_total"), "40.00");
    assert_eq!(input(&report, "skipped_files"), 1);
}

#[test]
fn a_file_no_reader_recognises_is_exit_1_and_named_in_the_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    client(
        &root,
        "acme",
        &[
            ("MOB.csv", csv(MOB).as_bytes()),
            ("scan.pdf", b"%PDF-1.4 not a bill export"),
            (
                "telus/export.txt",
                b"Some Carrier Export\nColumn A\tColumn B\n1\t2\n",
            ),
        ],
    );
    // A recognised export without charges (AT&T's pooling report) is not an error.
    let pooling = "Wireless number and descriptions,Pooling bucket KB used,Total data pooling credit\n\
                   555-0101 J SMITH,1024,0.00\n";
    client(
        &root,
        "clean",
        &[
            ("MOB.csv", csv(MOB).as_bytes()),
            ("pooling.csv", pooling.as_bytes()),
        ],
    );

    let (rc, report, md, html) = audit(tmp.path(), &root.join("acme"));
    assert_eq!(rc, 1);
    assert_eq!(input(&report, "billed_total"), "94.25");
    assert_eq!(input(&report, "skipped_files"), 2);
    assert_eq!(input(&report, "unrecognised_files"), 2);
    let warning = md
        .find("> **Warning:** 2 file(s) below invoices/ were not recognised")
        .expect(&md);
    // Before the figures (formats.md section 11), as in report.html.
    assert!(warning < md.find("## Headline").unwrap(), "{md}");
    assert!(md.contains("- invoices/scan.pdf: not a bill file"), "{md}");
    assert!(
        md.contains("- invoices/telus/export.txt: not canonical charge CSV"),
        "{md}"
    );
    assert!(html.contains(r#"id="unrecognised""#));

    let (rc, report, md, _) = audit(tmp.path(), &root.join("clean"));
    assert_eq!(rc, 0);
    assert_eq!(input(&report, "skipped_files"), 1);
    assert_eq!(input(&report, "unrecognised_files"), 0);
    assert!(
        md.contains("- invoices/pooling.csv: recognised as AT&T Premier pooling report"),
        "{md}"
    );

    let out = tmp.path().join("batch");
    let note = "2 file(s) not recognised: invoices/scan.pdf, invoices/telus/export.txt; see report.md";
    for run in ["audited", "unchanged"] {
        let o = run_batch(&root, &out, &["--quiet"]);
        assert_eq!(code(&o), 1, "{run}: {}", stderr(&o));
        let summary = read_json(&out.join("summary.json"));
        let acme = &summary["clients"][0];
        assert_eq!(acme["client"], "acme");
        assert_eq!(acme["status"], run);
        assert_eq!(acme["error"], note);
        assert_eq!(acme["warnings"], 2);
        let clean = &summary["clients"][1];
        assert_eq!(clean["status"], run);
        assert_eq!(clean["error"], serde_json::Value::Null);
        let csv = fs::read_to_string(out.join("summary.csv")).unwrap();
        let header = csv.lines().next().unwrap();
        assert!(
            header.ends_with(
                ",payback_months,warnings,new_findings,resolved_findings,recovered,outstanding,grown_findings"
            ),
            "{header}"
        );
        let acme_line = csv.lines().nth(1).unwrap();
        assert!(
            acme_line.starts_with(&format!("acme,{run},3,94.25,")),
            "{acme_line}"
        );
        assert!(acme_line.contains(note), "{acme_line}");
        // no proposal: npv and payback empty; 2 warnings; the history's two counts.
        assert!(acme_line.contains(",,,2,"), "{acme_line}");
    }
}

/// Audits `dir` into `<tmp>/out-<name>` and returns (exit code, findings.csv).
fn audit_findings(tmp: &Path, dir: &Path) -> (i32, String) {
    let out = tmp.join(format!("out-{}", dir.file_name().unwrap().to_str().unwrap()));
    let o = run_audit(dir, &out, &[]);
    assert!(out.join("report.xlsx").is_file(), "{}", stderr(&o));
    (code(&o), fs::read_to_string(out.join("findings.csv")).unwrap())
}

/// The lines of findings.csv of one rule.
fn lines_of<'a>(findings: &'a str, rule: &str) -> Vec<&'a str> {
    findings
        .lines()
        .filter(|l| l.starts_with(&format!("{rule},")))
        .collect()
}

#[test]
fn an_unbalanced_811_delivered_again_gives_one_bal001_dated_by_its_rows() {
    // The 811 stating TDS 700.00 while its charges sum to 675.50, delivered twice
    // (two interchanges, so not the same bytes) and, in another client, beside the
    // CSV export of the same invoice (the CSV first in path order). Each client:
    // one BAL001, dated by the invoice's rows (November 2025), report.xlsx written,
    // exit 0. (Before: the copy's total kept an empty row range, BAL001 dated it
    // 0001-01-01 and report.xlsx failed.)
    let tmp = tempfile::tempdir().unwrap();
    let unbalanced = EDI.replace("TDS*67550", "TDS*70000");
    let again = unbalanced.replace("000000101", "000000102");
    let export = csv(
        "Lumen,5-KX8812,LUMKX881220251201,2025-12-05,2025-11-01,2025-11-30,81/KQGN/100000/LUMN,recurring,ETH100,ETHERNET PORT 100M,1,850,850.00,,\n\
         Lumen,5-KX8812,LUMKX881220251201,2025-12-05,2025-11-01,2025-11-30,81/KQGN/100000/LUMN,tax,FEDX,FED EXCISE,1,,25.50,,\n\
         Lumen,5-KX8812,LUMKX881220251201,2025-12-05,2025-11-01,2025-11-30,,credit,CR-TERM,TERM CREDIT,1,,-200.00,,\n",
    );
    let twice = client(
        tmp.path(),
        "twice",
        &[("a.edi", unbalanced.as_bytes()), ("b.edi", again.as_bytes())],
    );
    let beside = client(
        tmp.path(),
        "beside",
        &[
            ("lumen-nov.csv", export.as_bytes()),
            ("lumen-nov.edi", unbalanced.as_bytes()),
        ],
    );
    for (dir, evidence) in [
        (&twice, "invoices/a.edi:segment 3"),
        (&beside, "invoices/lumen-nov.edi:segment 3"),
    ] {
        let (rc, findings) = audit_findings(tmp.path(), dir);
        assert_eq!(rc, 0, "{findings}");
        let bal = lines_of(&findings, "BAL001");
        assert_eq!(bal.len(), 1, "{findings}");
        assert!(
            bal[0].contains(",LUMKX881220251201,2025-11-01,2025-11-01,invoice LUMKX881220251201 states 700.00 but its charges sum to 675.50 (difference 24.50)"),
            "{}",
            bal[0]
        );
        assert!(bal[0].contains(evidence), "{}", bal[0]);
    }
    // Beside the CSV, the evidence is the CSV's three rows (those counted) and the
    // 811's ST segment.
    let (_, findings) = audit_findings(tmp.path(), &beside);
    assert!(
        lines_of(&findings, "BAL001")[0].contains(
            ",invoices/lumen-nov.csv:2;invoices/lumen-nov.csv:3;invoices/lumen-nov.csv:4;invoices/lumen-nov.edi:segment 3,"
        ),
        "{findings}"
    );
}

/// An AT&T Premier RDO export: foundation account F-5001 states total current
/// charges 72.75 over the whole file (scope "file"): B-311 40.00, B-322 30.00 + 2.75.
const RDO: &str = "Section ID|Billing Entity Level|Foundation Account Number|Billing Account Number|BAN Invoice Number|Period End Date|Wireless Number|FAN Invoice Number|FAN Invoice Date|FAN Invoice Previous Balance|FAN Invoice Total Current Charges|FAN Invoice Amount Due|Section_1|Section_2|Section_3|Section_4|Period|Amount
BIL|FAN|00888|||20240316||F-5001||||||||||
IRA|FAN||||20240316||F-5001|20240316|90.00|72.75|162.75||||||
SL|BAN||311||20240302|||||||Prior Activity|Previous Balance||||90.00
SL|CTN||311|B-311|20240302|5550001||||||Wireless Charges|Monthly Charges|Plans|Plan|Mar 03 - Apr 02|40.00
SL|CTN||322|B-322|20240309|5550002||||||Wireless Charges|Monthly Charges|Plans|Plan|Mar 10 - Apr 09|30.00
SL|CTN||322|B-322|20240309|5550002||||||Wireless Charges|Government Fees & Taxes|Taxes|State Tax|-|2.75
";

#[test]
fn a_file_total_counts_the_rows_the_file_carried_copies_included() {
    // Alone, the RDO balances: no BAL002. Beside a CSV export of invoice B-311
    // (first in path order), its B-311 row is dropped as a copy; the file's total
    // 72.75 still covers it: no BAL002 either (before: 72.75 against 32.75).
    let tmp = tempfile::tempdir().unwrap();
    let b311 =
        csv("AT&T Mobility,311,B-311,2024-03-02,2024-03-03,2024-04-02,5550001,recurring,,Plan,1,,40,,\n");
    let alone = client(tmp.path(), "alone", &[("att-rdo.txt", RDO.as_bytes())]);
    let beside = client(
        tmp.path(),
        "beside",
        &[("att-a.csv", b311.as_bytes()), ("att-rdo.txt", RDO.as_bytes())],
    );
    for dir in [&alone, &beside] {
        let (rc, report, md, _) = audit(tmp.path(), dir);
        assert_eq!(rc, 0, "{md}");
        assert_eq!(input(&report, "rows"), 3);
        assert_eq!(input(&report, "billed_total"), "72.75");
        assert_eq!(by_rule(&report)["BAL002"], figures(0, "0.00", "0.00"), "{md}");
    }
    let (_, _, md, _) = audit(tmp.path(), &beside);
    assert!(
        md.contains("1 invoice(s) (B-311) carry the same charges as in invoices/att-a.csv"),
        "{md}"
    );
}

#[test]
fn usage_exports_split_by_kind_are_not_copies() {
    // Voice minutes and data GB of the same line and invoices, both at 0.00, in two
    // files: they differ only in the usage quantity (and unit), so they are two
    // charges, not a second delivery. Both files count; the line is used, so UNU001
    // finds nothing.
    let tmp = tempfile::tempdir().unwrap();
    let mut plan = String::new();
    let (mut voice, mut data) = (String::new(), String::new());
    for m in 1..=4 {
        let line = |ty: &str, code: &str, desc: &str, amount: &str, usage: &str| {
            format!(
                "Verizon,ACC1,INV-0{m},2025-0{}-05,2025-0{m}-01,2025-0{m}-28,555-1,{ty},{code},{desc},1,,{amount},{usage}\n",
                m + 1
            )
        };
        plan.push_str(&line("recurring", "PLAN", "Plan", "40", ","));
        voice.push_str(&line("usage", "VOICE", "Voice minutes", "0", "0,min"));
        data.push_str(&line("usage", "DATA", "Data", "0", "5,GB"));
    }
    let dir = client(
        tmp.path(),
        "usage",
        &[
            ("plan.csv", csv(&plan).as_bytes()),
            ("usage-1-voice.csv", csv(&voice).as_bytes()),
            ("usage-2-data.csv", csv(&data).as_bytes()),
        ],
    );
    let (rc, report, md, _) = audit(tmp.path(), &dir);
    assert_eq!(rc, 0);
    assert_eq!(input(&report, "rows"), 12);
    assert_eq!(input(&report, "skipped_files"), 0);
    assert_eq!(input(&report, "warnings"), 0, "{md}");
    assert!(!md.contains("second delivery"), "{md}");
    assert_eq!(by_rule(&report)["UNU001"], figures(0, "0.00", "0.00"), "{md}");
}

/// Verizon's charges detail: INV-A 40.00 + 5.50 = 45.50, INV-B 30.00 + 2.25 = 32.25.
const DETAIL: &str = "Bill Cycle Date\tAccount Number\tInvoice Number\tWireless Number\tItem Category\tItem Type\tItem Description\tUsed\tCost
01/16/2025\t100\tINV-A\t555-0101\tMonthly Charges\t\tBusiness Unlimited\t\t40.00
01/16/2025\t100\tINV-A\t555-0101\tTaxes\t\tState Sales Tax\t\t5.50
02/16/2025\t100\tINV-B\t555-0101\tMonthly Charges\t\tBusiness Unlimited\t\t30.00
02/16/2025\t100\tINV-B\t555-0101\tTaxes\t\tState Sales Tax\t\t2.25
";

/// Verizon's AccountSummary stating INV-B's total current charges as `b`.
fn summary(b: &str) -> String {
    format!(
        "Bill Cycle Date\tAccount Number\tInvoice Number\tPrevious Balance\tTotal Current Charges\tTotal Amount Due\n\
         01/16/2025\t100\tINV-A\t0.00\t45.50\t45.50\n\
         02/16/2025\t100\tINV-B\t45.50\t{b}\t80.50\n"
    )
}

#[test]
fn two_files_stating_different_totals_of_an_invoice_are_two_statements() {
    // The summary delivered twice, once corrected: INV-B stated 32.25 (right) and
    // 35.00. Each is compared with the rows (32.25): one BAL002, for 35.00 (before:
    // the two were summed, 67.25). INV-A, stated 45.50 by both, counts once: none.
    let tmp = tempfile::tempdir().unwrap();
    let dir = client(
        tmp.path(),
        "summaries",
        &[
            ("detail.txt", DETAIL.as_bytes()),
            ("summary (corrected).txt", summary("32.25").as_bytes()),
            ("summary.txt", summary("35.00").as_bytes()),
        ],
    );
    let (rc, findings) = audit_findings(tmp.path(), &dir);
    assert_eq!(rc, 0);
    let bal = lines_of(&findings, "BAL002");
    assert_eq!(bal.len(), 1, "{findings}");
    assert!(
        bal[0].contains(
            "invoice INV-B states Total Current Charges 35.00 but the charges read for it sum to 32.25 \
             (difference 2.75; 2 rows, from invoices/detail.txt); stated in invoices/summary.txt, one of \
             2 files stating different totals of this invoice"
        ),
        "{}",
        bal[0]
    );
    assert!(
        bal[0].contains(",invoices/detail.txt:4;invoices/detail.txt:5;invoices/summary.txt:3,"),
        "{}",
        bal[0]
    );
    // The later file's statement has its own key (the first's stays as it was).
    assert!(
        bal[0].ends_with(
            ",BAL002|Verizon Wireless|100||INV-B|Total Current Charges|invoices/summary.txt,,0.00,0.00,"
        ),
        "{}",
        bal[0]
    );
}

#[test]
fn a_copy_of_a_refused_csv_is_refused_too_not_counted_as_a_copy() {
    // "bad (1).csv" (first in path order) and "bad.csv" hold the same bytes, no
    // reader recognises them: both are refused into rejected.csv, neither is listed
    // as a second delivery (nothing was counted from the first).
    let tmp = tempfile::tempdir().unwrap();
    let dir = client(
        tmp.path(),
        "bad",
        &[
            ("bad (1).csv", b"foo,bar\n1,2\n"),
            ("bad.csv", b"foo,bar\n1,2\n"),
            ("good.csv", csv(MOB).as_bytes()),
        ],
    );
    let out = tmp.path().join("out-bad");
    let o = run_audit(&dir, &out, &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let rejected = fs::read_to_string(out.join("rejected.csv")).unwrap();
    let files: Vec<&str> = rejected
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(files, ["invoices/bad (1).csv", "invoices/bad.csv"], "{rejected}");
    let report = read_json(&out.join("report.json"));
    assert_eq!(input(&report, "skipped_files"), 0);
    assert_eq!(input(&report, "billed_total"), "94.25");
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(!md.contains("second delivery"), "{md}");
}
