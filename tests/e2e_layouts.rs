//! Carrier layouts end to end, through the `telaudit` binary: the real (anonymised)
//! Verizon and AT&T exports in ../shared/carrier-samples audit without refusals
//! (skipped when that folder is absent), and a carrier-layout file and its
//! `telaudit convert` output audit to the same report.json; and a generated client
//! written in each shipped charge layout audits to the same report.json as its
//! canonical projection (telaudit_generate::write_layout_projection: the canonical
//! rows after exactly the information loss of that layout; for AT&T's rawdataoutput,
//! which carries every field, the canonical original itself).

mod common;

use common::*;
use std::path::{Path, PathBuf};

/// An audit's exit code and its report.json, parsed.
fn audit(client: &Path, out: &Path) -> (i32, serde_json::Value) {
    let (code, bytes) = report_bytes(client, out);
    (code, serde_json::from_slice(&bytes).unwrap())
}

#[test]
fn carrier_samples_audit_without_refusals() {
    let Some(samples) = carrier_samples() else { return };
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
    // Verizon: 3 usage rows (the summary defers to the detail of the same invoice)
    // and the Wireless Usage Detail's voice row; AT&T: 2 equipment rows, 0.00 +
    // 0.99. The ENC1 Detail's voice, data and messages rows are of account
    // 555000001, which has no bill here (the rawdataoutput bills 836151207): set
    // aside with a warning (docs/formats.md section 12: call detail counts only for
    // a period its account is billed in).
    assert_eq!(report["input"]["rows"], 6);
    let warnings = std::fs::read_to_string(tmp.path().join("out/warnings.csv")).unwrap();
    assert!(warnings.contains(
        "invoices/att/ENC1 Detail Mar.csv,,\"3 usage row(s) of this call detail not counted: no bill of their \
         account is read for that period (account 555000001, the period 2023-02-03 to 2023-03-02)"
    ), "{warnings}");
    assert_eq!(report["input"]["billed_total"], "0.99");
    // BAL002: the Verizon invoice's detail holds 0.00, its per-line summary 70.50 and
    // its AccountSummary 36,830.02; the finding on the summary says the detail's rows
    // were counted and why. AT&T's FAN invoice states 80,878.89 over a file of 0.99.
    let findings = std::fs::read_to_string(tmp.path().join("out/findings.csv")).unwrap();
    let bal: Vec<&str> = findings.lines().filter(|l| l.starts_with("BAL002,")).collect();
    assert_eq!(bal.len(), 3, "{findings}");
    for want in [
        "invoice enc-5029012205720256 states Total Current Charges 36830.02 but the charges read for it sum to 0.00 (difference 36830.02; 3 rows, from invoices/verizon/Acct & Wireless Charges Detail Summary Usage_test.txt)",
        "invoice enc-5029012205720256 states the lines' Total Charges (2 lines) 70.50 but the charges read for it sum to 0.00 (difference 70.50; 3 rows, from invoices/verizon/Acct & Wireless Charges Detail Summary Usage_test.txt); the rows counted are the verizon-wireless-charges-detail file's",
        "invoice 20884529 states FAN Invoice Total Current Charges 80878.89 but the charges read from the file that states it sum to 0.99 (difference 80877.90; 2 rows, from invoices/att/rawdataoutput_test.csv)",
    ] {
        assert!(bal.iter().any(|l| l.contains(want)), "{want}\n{findings}");
    }
}

#[test]
fn a_client_holding_all_five_carriers_samples_exits_0() {
    let Some(samples) = carrier_samples() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("samples");
    for carrier in ["verizon", "att", "bell", "telus", "rogers"] {
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
    assert!(!tmp.path().join("out/rejected.csv").exists());
    // Rows: Verizon 4 (3 detail, 1 voice from the usage detail), AT&T 2
    // (equipment), Bell 12 (MOB), TELUS 22 (16 Group Summary charges, 2 Airtime
    // Detail voice rows and 4 lines at 0 minutes), Rogers 9 (Custom charges) = 49.
    // The anonymised samples' AT&T ENC1 (3 rows), Bell DTL (2) and Rogers call
    // detail (15) name accounts their charge exports do not bill: set aside, one
    // warning per export (docs/formats.md section 12). Billed: 0.99 + 2 x 52.64 +
    // 261.46 + 110.44 = 478.17 (call detail adds no money).
    assert_eq!(report["input"]["rows"], 49);
    assert_eq!(report["input"]["billed_total"], "478.17");
    // 18 files read: Verizon 4, AT&T 2, Bell 3, TELUS 3 and Rogers 6 (their header
    // files are read with the call detail beside them); the skipped are the four
    // known exports without charges or usage (AT&T pooling, three TELUS reports).
    assert_eq!(report["input"]["files"], 18);
    assert_eq!(report["input"]["skipped_files"], 4);
    let md = std::fs::read_to_string(tmp.path().join("out/report.md")).unwrap();
    assert!(
        md.contains("- Call detail read for usage (no money): 9 file(s), 39 records"),
        "{md}"
    );
    assert!(
        md.contains(
            "- invoices/rogers/test\\_GPRS.zip!ALL\\_CALLS-GPRS.txt (columns from \
         invoices/rogers/test\\_GPRS.zip!Header-GPRS.txt): 3 records read for usage (data), 0 usage row(s)"
        ),
        "{md}"
    );
    let warnings = std::fs::read_to_string(tmp.path().join("out/warnings.csv")).unwrap();
    let aside: Vec<&str> = warnings
        .lines()
        .filter(|l| l.contains("usage row(s) of this call detail not counted: no bill of their account"))
        .map(|l| l.split(",,").next().unwrap_or(""))
        .collect();
    assert_eq!(
        aside,
        [
            "invoices/att/ENC1 Detail Mar.csv",
            "invoices/bell/double_header_DTL.csv",
            "invoices/rogers/test_GPRS.zip!ALL_CALLS-GPRS.txt",
            "invoices/rogers/test_GPRS_RM.zip!ALL_CALLS-GPRS-Rm.txt",
            "invoices/rogers/test_SMS.zip!ALL_CALLS-SMS.txt",
            "invoices/rogers/test_Voice.zip!ALL_CALLS-Voice.txt",
            "invoices/rogers/test_Voice_RM.zip!ALL_CALLS-VoiceRM.txt",
        ],
        "{warnings}"
    );
    let html = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    assert!(html.contains("<h2>Call detail read for usage</h2>"));
    assert!(html.contains("9 file(s), 39 records"));
}

#[test]
fn stated_totals_that_differ_from_the_charges_read_are_found_end_to_end() {
    // From scratch: a Verizon charges detail (invoice 9900001: 100.15), the per-line
    // summary of the same invoice (104.80 + 0.00: superseded by the detail) and an
    // AccountSummary stating 100.15 for it (balances: not found) and 61.25 for
    // 9900002, of which nothing was read.
    let fx = root().join("crates/parse/tests/fixtures/layouts");
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("vz");
    std::fs::create_dir_all(client.join("invoices")).unwrap();
    std::fs::copy(fx.join("verizon-detail.txt"), client.join("invoices/detail.txt")).unwrap();
    let summary = std::fs::read_to_string(fx.join("verizon-summary.txt"))
        .unwrap()
        .replace("\t0123456789-00001\t", "\t'0123456789-00001\t")
        .replace("9800001", "9900001");
    std::fs::write(client.join("invoices/summary.txt"), summary).unwrap();
    let header = "Bill Cycle Date\tAccount Number\tInvoice Number\tPrevious Balance\tTotal Current Charges\tTotal Amount Due\n";
    let acct = format!(
        "{header}Mar 16, 2024\t0123456789-00001\t9900001\t0.00\t100.15\t100.15\n\
         Apr 16, 2024\t0123456789-00001\t9900002\t100.15\t61.25\t161.40\n"
    );
    std::fs::write(client.join("invoices/account.txt"), acct).unwrap();
    let (code, report) = audit(&client, &tmp.path().join("out"));
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["input"]["billed_total"], "100.15");
    assert_eq!(by_rule(&report)["BAL002"], figures(2, "0.00", "0.00"));
    let findings = std::fs::read_to_string(tmp.path().join("out/findings.csv")).unwrap();
    let bal: Vec<&str> = findings.lines().filter(|l| l.starts_with("BAL002,")).collect();
    assert_eq!(bal.len(), 2, "{findings}");
    // 104.80 - 100.15 = 4.65, the six detail rows counted, and why.
    assert!(
        bal.iter().any(|l| {
            l.contains(
        "invoice 9900001 states the lines' Total Charges (2 lines) 104.80 but the charges read for it sum to \
         100.15 (difference 4.65; 6 rows, from invoices/detail.txt); the rows counted are the \
         verizon-wireless-charges-detail file's: it itemises this invoice, so the stating file's own rows \
         were not counted (counting both would bill the money twice)"
    )
        }),
        "{findings}"
    );
    // Nothing read for 9900002: 61.25 against 0.00, dated by its bill cycle date.
    assert!(bal.iter().any(|l| l.contains("2024-04-16,2024-04-16,")
        && l.contains("invoice 9900002 states Total Current Charges 61.25 but the charges read for it sum to 0.00 (difference 61.25; no charge rows read)")), "{findings}");
}

#[test]
fn a_layout_file_and_its_conversion_audit_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = root().join("crates/parse/tests/fixtures/layouts/att-rdo.txt");
    // The same client folder name in two places: one with the carrier's file,
    // one with the canonical CSV `telaudit convert` made of it.
    let a = tmp.path().join("a/acme");
    let b = tmp.path().join("b/acme");
    std::fs::create_dir_all(a.join("invoices")).unwrap();
    std::fs::create_dir_all(b.join("invoices")).unwrap();
    std::fs::copy(&fixture, a.join("invoices/march.txt")).unwrap();
    let o = run(&[
        "convert",
        fixture.to_str().unwrap(),
        "-o",
        b.join("invoices/march.csv").to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0);
    let (ca, mut ra) = audit(&a, &tmp.path().join("out-a"));
    let (cb, mut rb) = audit(&b, &tmp.path().join("out-b"));
    assert_eq!((ca, cb), (0, 0));
    // The carrier's file warns that its 2 summary rows were left out; the CSV
    // `convert` made has none to leave out. Everything else is alike.
    assert_eq!(
        (&ra["input"]["warnings"], &rb["input"]["warnings"]),
        (&1.into(), &0.into())
    );
    ra["input"]["warnings"] = serde_json::Value::Null;
    rb["input"]["warnings"] = serde_json::Value::Null;
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

/// report.json of an audit, as bytes.
fn report_bytes(client: &Path, out: &Path) -> (i32, Vec<u8>) {
    let o = run_audit(client, out, &["-q"]);
    (code(&o), std::fs::read(out.join("report.json")).unwrap())
}

/// `<parent>/canonical/acme`: a generated client of 30 services (seed 7) over
/// `months` months from January 2025.
fn canonical_acme(parent: &Path, months: u32) -> PathBuf {
    let canonical = parent.join("canonical/acme");
    let opts = telaudit_generate::GenOptions {
        services: 30,
        seed: 7,
        months,
        start: (2025, 1),
        accounts_per_carrier: None,
        rogers: false,
        ..Default::default()
    };
    telaudit_generate::generate(&canonical, &opts).unwrap();
    canonical
}

/// Every charge row of a client folder as text (all canonical fields), in read order.
fn dump_rows(client: &Path) -> Vec<String> {
    let d = telaudit_parse::read_client(client).unwrap();
    d.rows
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{}|{}|{}|{}|{}|{:?}|{}|{}|{}|{:?}|{}|{:?}|{}",
                d.s(r.carrier),
                d.s(r.account),
                d.s(r.invoice),
                r.invoice_date,
                r.period_start,
                r.period_end,
                d.s(r.service),
                r.charge_type,
                d.s(r.charge_code),
                d.s(r.description),
                r.quantity,
                r.unit_rate,
                r.amount,
                r.usage_quantity,
                d.s(r.usage_unit),
            )
        })
        .collect()
}

/// Files below `dir` whose name ends with `ext`.
fn count_files(dir: &Path, ext: &str) -> usize {
    file_paths(dir)
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .count()
}

#[test]
fn a_generated_client_in_each_carrier_layout_audits_like_its_canonical_projection() {
    use telaudit_generate::{write_in_layout, write_layout_projection, CHARGE_LAYOUTS};
    let tmp = tempfile::tempdir().unwrap();
    let canonical = canonical_acme(tmp.path(), 6);
    let (code, original) = report_bytes(&canonical, &tmp.path().join("out-canonical"));
    assert_eq!(code, 0);
    // The client exercises the rules: findings of every kind but the balance
    // checks (canonical CSV states no totals); DIS001's come from the pooled
    // accounts' line billed after its disconnect date.
    let r: serde_json::Value = serde_json::from_slice(&original).unwrap();
    for rule in r["by_rule"].as_array().unwrap() {
        let n = rule["findings"].as_u64().unwrap();
        assert_eq!(
            n == 0,
            ["BAL001", "BAL002"].contains(&rule["rule"].as_str().unwrap()),
            "{rule}"
        );
    }
    for layout in CHARGE_LAYOUTS {
        // The same client folder name (acme) under different parents.
        let carrier = tmp.path().join(format!("{layout}/acme"));
        let projected = tmp.path().join(format!("{layout}-canonical/acme"));
        let written = write_in_layout(&canonical, &carrier, layout).unwrap();
        let proj = write_layout_projection(&canonical, &projected, layout).unwrap();
        assert_eq!(written, proj);
        assert!(
            written.converted >= 4 && written.copied > 0,
            "{layout}: {written:?}"
        );
        let ext = if layout == "bell-mobility-mob" {
            ".csv"
        } else {
            ".txt"
        };
        if ext == ".txt" {
            assert_eq!(
                count_files(&carrier.join("invoices"), ".txt"),
                written.converted,
                "{layout}"
            );
        }
        let (ca, a) = report_bytes(&carrier, &tmp.path().join(format!("out-{layout}")));
        let (cb, b) = report_bytes(&projected, &tmp.path().join(format!("out-{layout}-canonical")));
        assert_eq!(ca, cb, "{layout}");
        // Row by row, every field (report.json alone would not see, say, a fee read
        // as a surcharge where no rule looks).
        let (rows_a, rows_b) = (dump_rows(&carrier), dump_rows(&projected));
        assert_eq!(rows_a.len(), rows_b.len(), "{layout}");
        for (x, y) in rows_a.iter().zip(&rows_b) {
            assert_eq!(x, y, "{layout}");
        }
        let (ja, jb) = (String::from_utf8(a).unwrap(), String::from_utf8(b).unwrap());
        assert_eq!(
            ja, jb,
            "{layout}: the layout's files audit differently from their canonical projection"
        );
        let report: serde_json::Value = serde_json::from_str(&ja).unwrap();
        assert_eq!(report["input"]["rejected_rows"], 0, "{layout}");
        let original = String::from_utf8(original.clone()).unwrap();
        if layout == "att-premier-rdo" {
            // Carries every field: the same report as the canonical original.
            assert_eq!(ja, original);
        } else {
            // The others lose information, so the comparison is not of two copies of
            // the canonical original.
            assert_ne!(ja, original, "{layout}");
        }
    }
}

#[test]
fn verizon_raw_data_downloads_dropped_in_as_rdd_archives_audit_like_their_files() {
    use telaudit_generate::write_in_layout;
    let tmp = tempfile::tempdir().unwrap();
    let canonical = canonical_acme(tmp.path(), 3);
    let files = tmp.path().join("files/acme");
    let zipped = tmp.path().join("zipped/acme");
    write_in_layout(&canonical, &files, "verizon-wireless-charges-detail").unwrap();
    write_in_layout(&canonical, &zipped, "verizon-wireless-charges-detail").unwrap();
    // Each Verizon account folder becomes one .rdd archive of its monthly files.
    let vz = zipped.join("invoices/verizon-wireless");
    let mut accounts = 0;
    for e in std::fs::read_dir(&vz).unwrap() {
        let dir = e.unwrap().path();
        let mut members: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|m| {
                let m = m.unwrap();
                (
                    m.file_name().to_string_lossy().into_owned(),
                    std::fs::read(m.path()).unwrap(),
                )
            })
            .collect();
        members.sort();
        let refs: Vec<(&str, &[u8])> = members.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        std::fs::write(dir.with_extension("rdd"), telaudit_parse::write_zip(&refs, true)).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        accounts += 1;
    }
    assert!(accounts >= 2);
    let (ca, a) = report_bytes(&files, &tmp.path().join("out-files"));
    let (cb, b) = report_bytes(&zipped, &tmp.path().join("out-zipped"));
    assert_eq!((ca, cb), (0, 0));
    let b_copy = b.clone();
    assert_eq!(String::from_utf8(a).unwrap(), String::from_utf8(b).unwrap());
    assert_eq!(dump_rows(&files), dump_rows(&zipped));
    // Evidence names the member: findings.csv cites `...rdd!2025-01.txt:LINE`.
    let findings = std::fs::read_to_string(tmp.path().join("out-zipped/findings.csv")).unwrap();
    assert!(findings.contains(".rdd!2025-0"), "{findings}");

    // `telaudit convert` reads an archive as the audit does: the canonical CSVs of
    // the archives, in their place, audit to the same report (but for the file count).
    let converted = tmp.path().join("converted/acme");
    copy_tree(&zipped, &converted);
    let vz = converted.join("invoices/verizon-wireless");
    for e in std::fs::read_dir(&vz).unwrap() {
        let rdd = e.unwrap().path();
        let o = run(&[
            "convert",
            rdd.to_str().unwrap(),
            "-o",
            rdd.with_extension("csv").to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        std::fs::remove_file(&rdd).unwrap();
    }
    let (cc, c) = report_bytes(&converted, &tmp.path().join("out-converted"));
    assert_eq!(cc, 0);
    // Only the file count differs: each archive member counts as a file.
    let without_files = |bytes: Vec<u8>| {
        let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        v["input"]["files"] = serde_json::Value::Null;
        v
    };
    assert_eq!(without_files(c), without_files(b_copy));
}

/// Issue 26, item 9 and the lesser item on `--layouts`: a layout set that would
/// exhaust memory is refused (exit 2) naming the layout file, quickly; a `*.toml`
/// that is a folder or a named pipe is exit 2, never skipped silently.
#[test]
fn layout_sets_past_their_caps_and_toml_that_are_not_files_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let head = "title = \"T\"\nsignature = [\"A\"]\n[period]\nrange = \"P\"\n[fields]\ncarrier = \"A\"\n\
                account = \"A\"\ninvoice = \"A\"\ninvoice_date = \"A\"\ncharge_type = \"A\"\n\
                description = \"A\"\namount = \"A\"\n";
    let cases: [(&str, String, &str); 2] = [
        (
            "skips",
            format!(
                "name = \"skips\"\n{head}{}",
                "[[skip]]\ncolumn = \"A\"\nregex = '\\w{200}'\n".repeat(300)
            ),
            "[[skip]]: regex \"\\\\w{200}\" compiles to more than 1 MiB",
        ),
        (
            "charges",
            format!(
                "name = \"charges\"\n{head}{}",
                "[[charges]]\namount = \"A\"\n".repeat(4000)
            ),
            "4000 [[charges]] entries: a layout makes at most 64 charges of one record",
        ),
    ];
    for (name, text, why) in cases {
        let dir = tmp.path().join(name);
        fs_write(&dir.join(format!("{name}.toml")), &text);
        let t = std::time::Instant::now();
        let o = run(&["layouts", "--layouts", dir.to_str().unwrap()]);
        assert_eq!(code(&o), 2, "{name}: {}", stderr(&o));
        let want = format!("{}: {why}", dir.join(format!("{name}.toml")).display());
        assert!(stderr(&o).contains(&want), "{name}: {}", stderr(&o));
        // Not a measurement: a refusal costs no minutes of regex compilation.
        assert!(t.elapsed().as_secs() < 60, "{name}");
    }
    let dir = tmp.path().join("odd");
    std::fs::create_dir_all(dir.join("folder.toml")).unwrap();
    let o = run(&["layouts", "--layouts", dir.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("folder.toml: not a regular file (a folder, a named pipe or a device)"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir(dir.join("folder.toml")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("pipe.toml"))
        .status()
        .unwrap();
    assert!(made.success());
    let o = run(&["layouts", "--layouts", dir.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("pipe.toml: not a regular file"),
        "{}",
        stderr(&o)
    );
}

fn fs_write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}
