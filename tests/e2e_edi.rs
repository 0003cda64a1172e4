//! End-to-end: X12 811 bills audit exactly like the same charges in CSV.
//!
//! The interchange is built here: two monthly Lumen invoices for one circuit.
//! By hand (formats.md section 6, edi-811.md):
//! - Nov: EPORT 850.00 + Federal Excise Tax 25.50 - PROMO credit 200.00 = 675.50
//! - Dec: EPORT 850.00 + FET 25.50 - PROMO 150.00 + late charge 15.00 = 740.50
//! - RAT001 (EPORT capped at 800): 2 x 50.00 recoverable, 50.00 monthly
//! - TAX001 (exempt client): 2 x 25.50 recoverable, 25.50 monthly
//! - CRD001 (PROMO 200.00 owed per period, account-level): Dec short 50.00, both
//! - FEE001: 15.00 recoverable
//! - totals: recoverable 216.00, monthly 125.50; billed 1416.00

mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};

/// One ST..SE invoice with a correct SE count.
fn invoice(n: u32, ym: &str, last_day: u32, credit_cents: u32, late: bool, tds: &str) -> Vec<String> {
    let mut s: Vec<String> = vec![
        format!("ST*811*{n:04}"),
        format!("BIG*{ym}05*LUM-{ym}"),
        "REF*12*5-KX8812".into(),
        format!("DTM*186*{ym}01"),
        format!("DTM*187*{ym}{last_day}"),
        "N1*SE*Lumen".into(),
        "HL*1**1".into(),
        "HL*2*1*2".into(),
        "REF*12*5-KX8812".into(),
        "HL*3*2*4".into(),
        "PID*F****MONTHLY CHARGES".into(),
        "HL*4*3*8".into(),
        "SI*TI*CI*81/KQGN/100000/LUMN".into(),
        "IT1*1*1*EA*850.00**SV*EPORT".into(),
        "PID*F****Ethernet Port 100 Mbps".into(),
        "TXI*FT*25.50".into(),
        "HL*5*2*4".into(),
        "PID*F****CREDITS".into(),
        "HL*6*5*8".into(),
        format!("ITA*A**PROMO*06***{credit_cents}******Promotional Credit - Term Agreement"),
    ];
    if late {
        s.push("ITA*C**LATE*06***1500******Late Payment Charge".into());
    }
    s.push(format!("TDS*{tds}"));
    let count = s.len() + 1;
    s.push(format!("SE*{count}*{n:04}"));
    s
}

fn interchange(txs: Vec<Vec<String>>) -> String {
    let n = txs.len();
    let mut segs = vec![
        "ISA*00*          *00*          *ZZ*LUMEN          *ZZ*ACMEHEALTH     *260105*0930*U*00401*000000101*0*P*>".to_string(),
        "GS*CI*LUMEN*ACMEHEALTH*20260105*0930*101*X*004010".to_string(),
    ];
    segs.extend(txs.into_iter().flatten());
    segs.push(format!("GE*{n}*101"));
    segs.push("IEA*1*000000101".to_string());
    segs.join("~\n") + "~\n"
}

fn good_invoices(dec_tds: &str) -> Vec<Vec<String>> {
    vec![
        invoice(1, "202511", 30, 20000, false, "67550"),
        invoice(2, "202512", 31, 15000, true, dec_tds),
    ]
}

/// A client folder named `client` under `parent` with the given bill file.
fn client_with(parent: &Path, file: &str, body: &[u8]) -> PathBuf {
    let c = parent.join("client");
    fs::create_dir_all(c.join("invoices")).unwrap();
    fs::write(c.join("invoices").join(file), body).unwrap();
    fs::write(
        c.join("client.toml"),
        "name = \"EDI Client\"\ntax_exempt = true\n",
    )
    .unwrap();
    fs::write(
        c.join("contracts.csv"),
        "kind,carrier,account,service_id,charge_code,amount,effective_from,effective_to\n\
         rate,Lumen,,,EPORT,800.00,,\n\
         credit,Lumen,5-KX8812,,PROMO,200.00,2025-01-01,\n",
    )
    .unwrap();
    c
}

/// Audits `client` into `out`, expecting exit `exit`; report.json.
fn audit_report(client: &Path, out: &Path, exit: i32) -> serde_json::Value {
    let o = run_audit(client, out, &[]);
    assert_eq!(code(&o), exit, "{}", stderr(&o));
    read_json(&out.join("report.json"))
}

#[test]
fn an_811_audits_to_the_hand_computed_totals_with_segment_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let c = client_with(
        tmp.path(),
        "lumen.edi",
        interchange(good_invoices("74050")).as_bytes(),
    );
    let out = tmp.path().join("out");
    let r = audit_report(&c, &out, 0);
    assert_eq!(r["input"]["rows"], 7);
    assert_eq!(r["input"]["billed_total"], "1416.00");
    assert_eq!(r["totals"]["recoverable"], "216.00");
    assert_eq!(r["totals"]["monthly"], "125.50");
    let br = by_rule(&r);
    assert_eq!(br["RAT001"], figures(1, "100.00", "50.00"));
    assert_eq!(br["TAX001"], figures(1, "51.00", "25.50"));
    assert_eq!(br["CRD001"], figures(1, "50.00", "50.00"));
    assert_eq!(br["FEE001"], figures(1, "15.00", "0.00"));
    assert_eq!(br["BAL001"], figures(0, "0.00", "0.00"));
    assert_eq!(r["unbalanced_invoices"].as_array().unwrap().len(), 0);
    // Evidence names segments: the Nov IT1 is segment 16 of the file (ISA, GS, then ST = 3).
    let findings = fs::read_to_string(out.join("findings.csv")).unwrap();
    let rat = findings.lines().find(|l| l.starts_with("RAT001")).unwrap();
    assert!(rat.contains("invoices/lumen.edi:segment 16"), "{rat}");
}

#[test]
fn the_same_bills_as_csv_and_as_811_give_byte_identical_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let edi = client_with(
        &tmp.path().join("a"),
        "lumen.edi",
        interchange(good_invoices("74050")).as_bytes(),
    );
    let csv_path = tmp.path().join("lumen.csv");
    let o = run(&[
        "convert",
        edi.join("invoices/lumen.edi").to_str().unwrap(),
        "-o",
        csv_path.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let csv = client_with(&tmp.path().join("b"), "lumen.csv", &fs::read(&csv_path).unwrap());
    let (oa, ob) = (tmp.path().join("oa"), tmp.path().join("ob"));
    assert_eq!(code(&run_audit(&edi, &oa, &[])), 0);
    assert_eq!(code(&run_audit(&csv, &ob, &[])), 0);
    let (ja, jb) = (
        fs::read(oa.join("report.json")).unwrap(),
        fs::read(ob.join("report.json")).unwrap(),
    );
    assert_eq!(String::from_utf8(ja).unwrap(), String::from_utf8(jb).unwrap());
}

#[test]
fn an_invoice_out_of_balance_is_listed_and_found_but_claims_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    // December states 740.00 while its rows sum to 740.50.
    let c = client_with(
        tmp.path(),
        "lumen.x12",
        interchange(good_invoices("74000")).as_bytes(),
    );
    let out = tmp.path().join("out");
    let r = audit_report(&c, &out, 0);
    let ub = r["unbalanced_invoices"].as_array().unwrap();
    assert_eq!(ub.len(), 1);
    assert_eq!(ub[0]["invoice"], "LUM-202512");
    assert_eq!(ub[0]["stated"], "740.00");
    assert_eq!(ub[0]["computed"], "740.50");
    assert_eq!(ub[0]["difference"], "-0.50");
    assert_eq!(by_rule(&r)["BAL001"], figures(1, "0.00", "0.00"));
    assert_eq!(r["totals"]["recoverable"], "216.00");
    assert!(fs::read_to_string(out.join("report.md"))
        .unwrap()
        .contains("LUM-202512"));
}

#[test]
fn a_broken_transaction_is_refused_whole_and_the_others_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let mut txs = good_invoices("74050");
    let mut broken = invoice(3, "202510", 31, 20000, false, "67550");
    let last = broken.len() - 1;
    broken[last] = "SE*5*0003".to_string(); // wrong segment count
    txs.insert(0, broken);
    let c = client_with(tmp.path(), "lumen.811", interchange(txs).as_bytes());
    let out = tmp.path().join("out");
    let r = audit_report(&c, &out, 1);
    assert_eq!(r["input"]["rows"], 7);
    assert_eq!(r["input"]["billed_total"], "1416.00");
    assert_eq!(r["input"]["rejected_rows"], 3);
    let rej = fs::read_to_string(out.join("rejected.csv")).unwrap();
    assert!(rej.contains("invoices/lumen.811,segment 3,"), "{rej}");
    assert!(
        rej.contains("SE01 says 5 segments but the transaction has 22"),
        "{rej}"
    );
}

#[test]
fn convert_names_a_whole_file_warning_by_the_file_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty.csv");
    fs::write(&empty, "").unwrap();
    let o = run(&[
        "convert",
        empty.to_str().unwrap(),
        "-o",
        tmp.path().join("out.csv").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("empty.csv: empty file: no header row, no charges"),
        "{err}"
    );
    assert!(!err.contains("empty.csv::"), "{err}");
}
