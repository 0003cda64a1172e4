//! Carrier layouts end to end, through the `telaudit` binary: the real (anonymised)
//! Verizon and AT&T exports in ../shared/carrier-samples audit without refusals
//! (skipped when that folder is absent), and a carrier-layout file and its
//! `telaudit convert` output audit to the same report.json.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_telaudit"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn audit(client: &Path, out: &Path) -> (i32, serde_json::Value) {
    let st = bin()
        .arg("audit")
        .arg(client)
        .arg("--out")
        .arg(out)
        .arg("-q")
        .status()
        .unwrap();
    let json = std::fs::read_to_string(out.join("report.json")).unwrap();
    (st.code().unwrap_or(-1), serde_json::from_str(&json).unwrap())
}

#[test]
fn carrier_samples_audit_without_refusals() {
    let samples = repo().join("../shared/carrier-samples");
    if !samples.is_dir() {
        eprintln!("skipped: {} is absent", samples.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("samples");
    for carrier in ["verizon", "att"] {
        let inv = client.join("invoices").join(carrier);
        std::fs::create_dir_all(&inv).unwrap();
        for e in std::fs::read_dir(samples.join(carrier)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), inv.join(e.file_name())).unwrap();
        }
    }
    let (code, report) = audit(&client, &tmp.path().join("out"));
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["input"]["rejected_rows"], 0);
    // Verizon: 3 usage rows (the summary defers to the detail of the same invoice);
    // AT&T: 2 equipment rows, 0.00 + 0.99.
    assert_eq!(report["input"]["rows"], 5);
    assert_eq!(report["input"]["billed_total"], "0.99");
}

#[test]
fn a_layout_file_and_its_conversion_audit_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = repo().join("crates/parse/tests/fixtures/layouts/att-rdo.txt");
    // The same client folder name in two places: one with the carrier's file,
    // one with the canonical CSV `telaudit convert` made of it.
    let a = tmp.path().join("a/acme");
    let b = tmp.path().join("b/acme");
    std::fs::create_dir_all(a.join("invoices")).unwrap();
    std::fs::create_dir_all(b.join("invoices")).unwrap();
    std::fs::copy(&fixture, a.join("invoices/march.txt")).unwrap();
    let st = bin()
        .arg("convert")
        .arg(&fixture)
        .arg("-o")
        .arg(b.join("invoices/march.csv"))
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(0));
    let (ca, ra) = audit(&a, &tmp.path().join("out-a"));
    let (cb, rb) = audit(&b, &tmp.path().join("out-b"));
    assert_eq!((ca, cb), (0, 0));
    assert_eq!(ra, rb);
    // 40.00 - 5.00 + 2.50 + 12.00 + 1,199.99 (hand-computed in the parse fixture test).
    assert_eq!(ra["input"]["billed_total"], "1249.49");
    assert_eq!(ra["input"]["rows"], 6);
    // The late payment charge is found by FEE001 in both.
    let fee = ra["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "FEE001")
        .unwrap();
    assert_eq!(fee["recoverable"], "12.00");
}
