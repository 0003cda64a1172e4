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

/// Issue 26, item 8: names that match no bill change the money silently unless
/// warned about. A `[disputes.carriers]` name on no bill (`"lumen"`, `"AT&T"`
/// where the bills say `Lumen` and `AT&T Mobility`) leaves the carrier's claims
/// under the default window: the warning names the value and the closest billed
/// carrier; written as billed, the window applies and the claim expires.
#[test]
fn a_dispute_window_for_a_carrier_on_no_bill_is_warned_about_with_the_closest_billed_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    fs::create_dir_all(dir.join("invoices")).unwrap();
    // A duplicated 50.00 on Lumen's January invoice (DUP001), as of June 2025.
    fs::write(
        dir.join("invoices/a.csv"),
        format!(
            "{HEADER}\n\
             Lumen,L1,I1,2025-01-05,2025-01-01,2025-01-31,CKT,recurring,P,Port,1,,50.00,,\n\
             Lumen,L1,I1,2025-01-05,2025-01-01,2025-01-31,CKT,recurring,P,Port,1,,50.00,,\n\
             AT&T Mobility,A1,I2,2025-06-05,2025-06-01,2025-06-30,555,recurring,P,Plan,1,,10.00,,\n"
        ),
    )
    .unwrap();
    let toml = |names: &str| format!("[disputes]\nwindow_days = 365\n[disputes.carriers]\n{names}");
    fs::write(dir.join("client.toml"), toml("\"lumen\" = 30\n\"AT&T\" = 60\n")).unwrap();
    let out = tmp.path().join("out");
    let o = run_audit(&dir, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    for want in [
        "warning: client.toml: [disputes.carriers] \"lumen\" = 30: carrier \"lumen\" appears on no bill, so \
         this window applies to nothing and its claims keep the default window_days of 365; write the \
         carrier's name exactly as the bills do; the closest billed carrier is \"Lumen\"",
        "[disputes.carriers] \"AT&T\" = 60: carrier \"AT&T\" appears on no bill, so this window applies to \
         nothing and its claims keep the default window_days of 365; write the carrier's name exactly as \
         the bills do; the closest billed carrier is \"AT&T Mobility\"",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
    let r = read_json(&out.join("report.json"));
    assert_eq!(r["input"]["warnings"], 2);
    // Under the default 365 days the 50.00 is still claimable.
    assert_eq!(
        (
            r["totals"]["recoverable"].as_str(),
            r["totals"]["expired"].as_str()
        ),
        (Some("50.00"), Some("0.00"))
    );
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("the closest billed carrier is \"Lumen\""), "{md}");
    // Written as the bills write it: 30 days, so January's claim has expired.
    fs::write(dir.join("client.toml"), toml("\"Lumen\" = 30\n")).unwrap();
    let out = tmp.path().join("out2");
    let o = run_audit(&dir, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = read_json(&out.join("report.json"));
    assert_eq!(r["input"]["warnings"], 0);
    assert_eq!(
        (
            r["totals"]["recoverable"].as_str(),
            r["totals"]["expired"].as_str()
        ),
        (Some("0.00"), Some("50.00"))
    );
}

/// Issue 26, item 8: a layout whose `skip_zero` charge reads a money column the
/// file lacks would drop that money (92.80 billed, 17.80 read): the file is read
/// as before and one warning names the column and the file's closest header.
#[test]
fn a_skip_zero_money_column_the_file_lacks_is_a_warning_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let layouts = tmp.path().join("layouts");
    fs::create_dir_all(&layouts).unwrap();
    fs::write(
        layouts.join("acme-export.toml"),
        "name = \"acme-export\"\ntitle = \"Acme export\"\nsignature = [\"Acct\", \"Line\", \"Plan Fee\"]\n\
         [period]\nrange = \"Period\"\n[fields]\ncarrier = { const = \"Acme\" }\naccount = \"Acct\"\n\
         invoice = \"Inv\"\ninvoice_date = \"Date\"\nservice_id = \"Line\"\n\
         [[charges]]\ncharge_type = { const = \"recurring\" }\ndescription = { const = \"Plan\" }\n\
         amount = \"Plan Fee\"\nskip_zero = true\n\
         [[charges]]\ncharge_type = { const = \"usage\" }\ndescription = { const = \"Usage\" }\n\
         amount = \"Usage Charges\"\nskip_zero = true\n",
    )
    .unwrap();
    let dir = tmp.path().join("c");
    fs::create_dir_all(dir.join("invoices")).unwrap();
    // The export calls the usage column "Usage Charge" (75.00 of the 92.80).
    fs::write(
        dir.join("invoices/x.csv"),
        "Acct,Inv,Date,Period,Line,Plan Fee,Usage Charge\n\
         A1,I1,2025-03-05,2025-03-01 - 2025-03-31,555,17.80,75.00\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = run_audit(&dir, &out, &["--layouts", layouts.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let want = format!(
        "warning: invoices/x.csv: this file lacks 1 money column(s) that {} reads with skip_zero: \
         \"Usage Charges\" (the file has \"Usage Charge\"); their charges read 0 and are left out on \
         every row, so their money is not counted; fix the layout or the export",
        layouts.join("acme-export.toml").display()
    );
    assert!(stderr(&o).contains(&want), "{}", stderr(&o));
    let r = read_json(&out.join("report.json"));
    assert_eq!(r["input"]["billed_total"], "17.80");
    assert_eq!(r["input"]["warnings"], 1);
}
