//! What a new user trips over: messages that say what was probably meant (the bill
//! folder given for the client folder, a client folder given to batch, a
//! ';'-separated canonical CSV), and carrier layouts added at run time with
//! `--layouts DIR` (audit, convert, layouts, batch and its fingerprint).

mod common;

use common::{code, read_json, run, run_audit, run_batch, stderr, summary_clients, HEADER};
use std::fs;
use std::path::Path;

/// A client folder with one canonical bill (one $40.00 recurring charge).
fn canonical_client(dir: &Path) {
    fs::create_dir_all(dir.join("invoices")).unwrap();
    fs::write(
        dir.join("invoices/bill.csv"),
        format!(
            "{HEADER}\nLumen,0040,0040-1,2025-02-05,2025-01-01,2025-01-31,S1,recurring,PORT,Port,,,40.00,,\n"
        ),
    )
    .unwrap();
}

#[test]
fn auditing_the_invoices_folder_names_the_client_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("acme");
    canonical_client(&client);
    let o = run_audit(&client.join("invoices"), &tmp.path().join("out"), &[]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("looks like the bill folder of the client folder")
            && err.contains(&format!("{}: give that folder instead", client.display())),
        "{err}"
    );
    assert!(!err.contains("invoices/invoices"), "{err}");
    assert!(!tmp.path().join("out/report.json").exists());
}

#[test]
fn batch_of_one_client_folder_says_to_audit_it() {
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("acme");
    canonical_client(&client);
    let out = tmp.path().join("out");
    let o = run_batch(&client, &out, &[]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("holds invoices/: it looks like one client folder")
            && err.contains(&format!("telaudit audit {} --out DIR", client.display())),
        "{err}"
    );
    assert!(!err.contains("invoices/invoices"), "{err}");
    assert!(!out.join("summary.json").exists());
}

#[test]
fn a_semicolon_separated_canonical_csv_names_the_separator() {
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("eu");
    fs::create_dir_all(client.join("invoices")).unwrap();
    let header = HEADER.replace(',', ";");
    fs::write(
        client.join("invoices/export.csv"),
        format!(
            "{header}\nLumen;0040;0040-1;2025-02-05;2025-01-01;2025-01-31;S1;recurring;PORT;Port;;;40,00;;\n"
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = run_audit(&client, &out, &["--quiet"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let rejected = fs::read_to_string(out.join("rejected.csv")).unwrap();
    let lines: Vec<&str> = rejected.lines().collect();
    assert_eq!(lines.len(), 2, "{rejected}");
    assert!(
        lines[1].starts_with("invoices/export.csv,,\"the columns are separated by ';', not ','"),
        "{rejected}"
    );
    assert!(lines[1].contains("European locale"), "{rejected}");
    // A comma-separated file with a wrong header keeps the general message.
    fs::write(
        client.join("invoices/export.csv"),
        "carrier,account,foo\nLumen,0040,1\n",
    )
    .unwrap();
    let o = run_audit(&client, &out, &["--quiet"]);
    assert_eq!(code(&o), 1);
    let rejected = fs::read_to_string(out.join("rejected.csv")).unwrap();
    assert!(rejected.contains("no layout recognises this file"), "{rejected}");
    assert!(!rejected.contains("';'"), "{rejected}");
}

/// A carrier layout no built-in knows: a pipe-separated export.
const ACME_LAYOUT: &str = r#"name = "acme-telco-bill"
title = "Acme Telco bill export"
delimiter = "|"
signature = ["Acct", "Bill No", "Line", "Charge"]
date_formats = ["YYYY-MM-DD"]

[period]
start = "From"
end = "To"

[fields]
carrier = { const = "Acme Telco" }
account = "Acct"
invoice = "Bill No"
invoice_date = "Bill Date"
service_id = "Line"

[[charges]]
charge_type = { const = "recurring" }
description = "Charge"
amount = "Amount"
"#;

const ACME_EXPORT: &str = "Acct|Bill No|Bill Date|From|To|Line|Charge|Amount\n\
0042|B-1|2025-02-05|2025-01-01|2025-01-31|555-0100|Mobile plan|40.00\n\
0042|B-1|2025-02-05|2025-01-01|2025-01-31|555-0100|Late payment fee|12.50\n";

/// ROOT/acme/invoices/acme.txt in the Acme layout, and the layout in LAYOUTS/.
fn acme(tmp: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let client = tmp.join("root/acme");
    fs::create_dir_all(client.join("invoices")).unwrap();
    fs::write(client.join("invoices/acme.txt"), ACME_EXPORT).unwrap();
    let layouts = tmp.join("layouts");
    fs::create_dir_all(&layouts).unwrap();
    fs::write(layouts.join("acme-telco-bill.toml"), ACME_LAYOUT).unwrap();
    (client, layouts)
}

#[test]
fn a_layout_folder_adds_a_carrier_to_audit_convert_and_layouts() {
    let tmp = tempfile::tempdir().unwrap();
    let (client, layouts) = acme(tmp.path());
    let l = layouts.to_str().unwrap();

    // Without the folder the export is not a bill file: no charge rows.
    let o = run_audit(&client, &tmp.path().join("none"), &["--quiet"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("no charge rows"), "{}", stderr(&o));

    let out = tmp.path().join("out");
    let o = run_audit(&client, &out, &["--quiet", "--layouts", l]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = read_json(&out.join("report.json"));
    assert_eq!(r["input"]["rows"], 2);
    assert_eq!(r["input"]["billed_total"], "52.50");
    // The late fee (FEE001) is the one finding: 12.50 recoverable.
    assert_eq!(r["totals"]["recoverable"], "12.50");
    assert_eq!(r["totals"]["findings"], 1);

    let file = client.join("invoices/acme.txt");
    let o = run(&["convert", file.to_str().unwrap(), "--layouts", l]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        format!(
            "{HEADER}\n\
             Acme Telco,0042,B-1,2025-02-05,2025-01-01,2025-01-31,555-0100,recurring,,Mobile plan,1,,40,,\n\
             Acme Telco,0042,B-1,2025-02-05,2025-01-01,2025-01-31,555-0100,recurring,,Late payment fee,1,,12.5,,\n"
        )
    );

    let o = run(&["layouts", "--layouts", l]);
    let listed = String::from_utf8(o.stdout).unwrap();
    assert!(
        listed.contains("acme-telco-bill") && listed.contains("verizon-wireless-charges-detail"),
        "{listed}"
    );
}

#[test]
fn a_bad_layout_file_is_exit_2_naming_the_file_and_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let (client, layouts) = acme(tmp.path());
    fs::write(
        layouts.join("acme-telco-bill.toml"),
        ACME_LAYOUT.replace("delimiter = \"|\"", "delimiter = \"|\"\ncolour = \"red\""),
    )
    .unwrap();
    let o = run_audit(
        &client,
        &tmp.path().join("out"),
        &["--layouts", layouts.to_str().unwrap()],
    );
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("acme-telco-bill.toml") && err.contains("colour"),
        "{err}"
    );
    assert!(!tmp.path().join("out/report.json").exists());
}

#[test]
fn a_batch_rerun_after_a_layout_change_reaudits() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, layouts) = acme(tmp.path());
    let root = tmp.path().join("root");
    let out = tmp.path().join("out");
    let flags = ["--quiet", "--layouts", layouts.to_str().unwrap()];
    let status = |o: &std::process::Output| {
        assert_eq!(code(o), 0, "{}", stderr(o));
        summary_clients(&out)[0].1.clone()
    };
    assert_eq!(status(&run_batch(&root, &out, &flags)), "audited");
    assert_eq!(status(&run_batch(&root, &out, &flags)), "unchanged");
    // Both charges become usage charges: same bill, another layout set.
    fs::write(
        layouts.join("acme-telco-bill.toml"),
        ACME_LAYOUT.replace("{ const = \"recurring\" }", "{ const = \"usage\" }"),
    )
    .unwrap();
    assert_eq!(status(&run_batch(&root, &out, &flags)), "audited");
    assert_eq!(status(&run_batch(&root, &out, &flags)), "unchanged");
    // A new file in the folder counts too.
    fs::write(layouts.join("notes.txt"), "not a layout").unwrap();
    assert_eq!(status(&run_batch(&root, &out, &flags)), "unchanged");
    fs::copy(fixture_layout(), layouts.join("bell-mobility-mob.toml")).unwrap();
    assert_eq!(status(&run_batch(&root, &out, &flags)), "audited");
}

/// A built-in layout file, copied into the folder (it replaces the built-in).
fn fixture_layout() -> std::path::PathBuf {
    common::root().join("layouts/bell-mobility-mob.toml")
}
