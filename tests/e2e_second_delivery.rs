//! One bill, delivered twice (formats.md section 8), and nothing skipped in
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
    assert!(
        md.contains("> **Warning:** 2 file(s) below invoices/ were not recognised"),
        "{md}"
    );
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
            header.ends_with(",payback_months,warnings,new_findings,resolved_findings"),
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
