//! End-to-end: a contract or inventory line that matches no bill is warned about
//! in every report, with the closest billed account, and counted in report.json;
//! the same line written as the bills write it matches and finds.

mod common;

use common::*;
use std::fs;
use std::path::Path;

/// Verizon account 0012345678: a plan at 40.00 against a contracted 35, and a
/// service billed after its disconnect.
fn client(dir: &Path, contract_account: &str, inventory_account: &str, inventory_service: &str) {
    fs::create_dir_all(dir.join("invoices")).unwrap();
    fs::write(
        dir.join("invoices/vz.csv"),
        format!(
            "{HEADER}\n\
             Verizon Wireless,0012345678,V1,2025-01-05,2025-01-01,2025-01-31,555-0100,recurring,PLAN,Plan,1,,40.00,,\n\
             Verizon Wireless,0012345678,V2,2025-02-05,2025-02-01,2025-02-28,555-0100,recurring,PLAN,Plan,1,,40.00,,\n\
             Verizon Wireless,0012345678,V2,2025-02-05,2025-02-01,2025-02-28,KQ-12/0042,recurring,CKT,Circuit,1,,100.00,,\n"
        ),
    )
    .unwrap();
    fs::write(
        dir.join("contracts.csv"),
        format!(
            "kind,carrier,account,service_id,charge_code,amount,effective_from,effective_to\n\
             rate,Verizon Wireless,{contract_account},,PLAN,35,,\n"
        ),
    )
    .unwrap();
    fs::write(
        dir.join("inventory.csv"),
        format!(
            "service_id,carrier,account,status,disconnect_date\n\
             {inventory_service},Verizon Wireless,{inventory_account},disconnected,2025-01-15\n\
             555-0999,Verizon Wireless,0012345678,disconnected,2025-01-15\n"
        ),
    )
    .unwrap();
}

#[test]
fn an_account_without_its_leading_zeros_is_warned_about_in_every_report() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    // As saved by a spreadsheet: the contract's account lost its leading zeros,
    // the inventory's service id its separators.
    client(&dir, "12345678", "0012345678", "KQ12/0042");
    let out = tmp.path().join("out");
    let o = run_audit(&dir, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = read_json(&out.join("report.json"));
    // No billing error is found (the rate and the disconnect match nothing) ...
    // only ZOM001's two services the inventory does not name as billed (it lists
    // Verizon Wireless, but neither 555-0100 nor KQ-12/0042), which claim no
    // recoverable money.
    assert_eq!(r["totals"]["findings"], 2);
    assert_eq!(r["totals"]["recoverable"], "0.00");
    let zom = r["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["rule"] == "ZOM001")
        .unwrap();
    assert_eq!((&zom["findings"], &zom["monthly"]), (&2.into(), &"140.00".into()));
    // ... and both lines say why; 555-0999 (disconnected, not billed, nothing like
    // it billed) is what the client wants and is not warned about.
    assert_eq!(r["input"]["warnings"], 2);
    let contract = "contracts.csv:2: contract line (rate PLAN): account 12345678 of Verizon Wireless \
                    appears on no bill, so the line matches nothing; the bills have account 0012345678 \
                    (the same digits with leading zeros): correct the line if it means that one";
    let inventory = "inventory.csv:2: inventory line: service KQ12/0042 of account 0012345678 appears \
                     on no bill of Verizon Wireless, so the line matches nothing; the bills have service \
                     KQ-12/0042 (the same number without separators): correct the line if it means that one";
    let err = stderr(&o);
    assert!(err.contains(&format!("warning: {contract}")), "{err}");
    assert!(err.contains(&format!("warning: {inventory}")), "{err}");
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("account 12345678 of Verizon Wireless appears on no bill"),
        "{md}"
    );
    assert!(
        md.contains("the bills have service KQ-12/0042 (the same number without separators)"),
        "{md}"
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("the bills have account 0012345678 (the same digits with leading zeros)"));

    // Written as the bills write them: no warning, and the findings are back.
    let good = tmp.path().join("good");
    client(&good, "0012345678", "0012345678", "KQ-12/0042");
    let out2 = tmp.path().join("out2");
    let o = run_audit(&good, &out2, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = read_json(&out2.join("report.json"));
    assert_eq!(r["input"]["warnings"], 0);
    // RAT001 (40 - 35) x 2 = 10.00; DIS001 the circuit's February 100.00.
    assert_eq!(by_rule(&r)["RAT001"], figures(1, "10.00", "5.00"));
    assert_eq!(by_rule(&r)["DIS001"], figures(1, "100.00", "100.00"));
}
