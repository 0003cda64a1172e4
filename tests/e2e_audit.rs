//! End-to-end: the real binary on tests/fixtures/small-client, whose expected
//! figures are computed by hand in tests/fixtures/small-client/README.md.

mod common;

use common::*;
use std::fs;

#[test]
fn small_client_totals_match_the_hand_computation() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run_audit(&fixture("small-client"), &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = read_json(&out.join("report.json"));

    assert_eq!(r["schema"], "telaudit.report/1");
    assert_eq!(r["client"], "small-client");
    assert_eq!(r["name"], "Small Client Co");
    let i = &r["input"];
    assert_eq!(i["files"], 3);
    assert_eq!(i["rows"], 57);
    assert_eq!(i["rejected_rows"], 0);
    assert_eq!(i["billed_total"], "3317.16");
    assert_eq!(i["first_period"], "2025-01-01");
    assert_eq!(i["last_period"], "2025-04-01");

    let t = &r["totals"];
    assert_eq!(t["recoverable"], "237.15");
    // The rebilled copy on 555-0102 is a one-time error: no monthly money (section 6).
    assert_eq!(t["monthly"], "117.92");
    assert_eq!(t["annual"], "1414.98");
    assert_eq!(t["first_year"], "1652.13");
    // No [disputes] in client.toml: nothing expires; as-of is the latest invoice date.
    assert_eq!(t["expired"], "0.00");
    assert_eq!(t["findings"], 8);

    let br = by_rule(&r);
    assert_eq!(br["CRD001"], figures(1, "16.00", "10.00"));
    assert_eq!(br["DIS001"], figures(1, "120.00", "40.00"));
    assert_eq!(br["DUP001"], figures(1, "40.00", "0.00"));
    assert_eq!(br["FEE001"], figures(1, "15.00", "0.00"));
    assert_eq!(br["RAT001"], figures(1, "0.05", "0.02"));
    assert_eq!(br["TAX001"], figures(2, "86.10", "27.90"));
    assert_eq!(br["UNU001"], figures(1, "0.00", "40.00"));
    // by_rule is sorted by id and lists every rule that ran.
    let ids: Vec<&str> = r["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["rule"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert!(ids.contains(&"BAL001"), "{ids:?}");

    let bc = r["by_carrier"].as_array().unwrap();
    assert_eq!(bc.len(), 2);
    assert_eq!(bc[0]["carrier"], "Lumen");
    assert_eq!(bc[0]["billed_total"], "2626.50");
    assert_eq!(bc[0]["recoverable"], "76.50");
    assert_eq!(bc[0]["monthly"], "25.50");
    assert_eq!(bc[1]["carrier"], "Verizon Wireless");
    assert_eq!(bc[1]["billed_total"], "690.66");
    assert_eq!(bc[1]["recoverable"], "160.65");
    assert_eq!(bc[1]["monthly"], "92.42");

    let p = &r["proposal"];
    assert_eq!(p["one_time"], "1000.00");
    assert_eq!(p["monthly"], "50.00");
    assert_eq!(p["first_year_cost"], "1600.00");
    assert_eq!(p["funded_share"], "1.0326");
    assert_eq!(p["payback_months"], 12);

    assert!(!out.join("rejected.csv").exists());
    assert!(out.join("report.md").exists());
}

#[test]
fn findings_carry_their_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_eq!(code(&run_audit(&fixture("small-client"), &out, &[])), 0);
    let mut rd = csv::Reader::from_path(out.join("findings.csv")).unwrap();
    let headers = rd.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 8);
    let dup = rows.iter().find(|r| &r[col("rule")] == "DUP001").unwrap();
    assert_eq!(&dup[col("service_id")], "555-0102");
    assert_eq!(&dup[col("recoverable")], "40.00");
    // Both copies are the evidence: line 47 of the yearly file (Apr's 555-0102 plan) and the rebill.
    let ev = &dup[col("evidence")];
    assert!(ev.contains("invoices/verizon/rebill-2025-04.csv:2"), "{ev}");
    assert!(ev.contains("invoices/verizon/2025.csv:47"), "{ev}");
    let dis = rows.iter().find(|r| &r[col("rule")] == "DIS001").unwrap();
    assert_eq!(&dis[col("recoverable")], "120.00");
    assert!(
        dis[col("basis")].contains("inventory.csv:4"),
        "{}",
        &dis[col("basis")]
    );
    let crd = rows.iter().find(|r| &r[col("rule")] == "CRD001").unwrap();
    assert!(
        crd[col("basis")].contains("contracts.csv:4"),
        "{}",
        &crd[col("basis")]
    );
    let fee = rows.iter().find(|r| &r[col("rule")] == "FEE001").unwrap();
    assert_eq!(&fee[col("evidence")], "invoices/verizon/2025.csv:28");
}

#[test]
fn report_json_is_byte_identical_across_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    assert_eq!(code(&run_audit(&fixture("small-client"), &a, &[])), 0);
    assert_eq!(code(&run_audit(&fixture("small-client"), &b, &[])), 0);
    for f in ["report.json", "findings.csv", "report.md"] {
        assert_eq!(fs::read(a.join(f)).unwrap(), fs::read(b.join(f)).unwrap(), "{f}");
    }
}

#[test]
fn malformed_rows_are_refused_with_their_lines_and_good_rows_stay_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("small-client");
    copy_tree(&fixture("small-client"), &client);
    let v = "Verizon Wireless,0042,VZ-X,2025-04-05,2025-04-01,2025-04-30";
    let bad = [
        HEADER.to_string(),
        format!("{v},555-0109,recurring,PAPER,Paper Bill,1,,7.00,,"), // line 2: good
        "Verizon Wireless,0042,VZ-X,2025-02-30,2025-04-01,2025-04-30,555-0109,recurring,X,Bad date,1,,1.00,,"
            .to_string(), // 3
        format!("{v},555-0109,recurring,X,Bad number,1,,1e5,,"),      // 4
        format!("{v},555-0109,recurring,X,,1,,1.00,,"),               // 5: no description
        format!("{v},555-0109,refund,X,Unknown type,1,,1.00,,"),      // 6
        format!("{v},555-0109,recurring,X,Too few fields"),           // 7
        format!("{v},555-0109,recurring,X,\"Multi\nline\",1,,2.00,,"), // 8-9: good, quoted newline
        format!("{v},555-0109,recurring,X,\"Unterminated,1,,1.00,,"), // 10
        format!("{v},555-0109,usage,X,Good after,1,,0.50,,"),         // 11: good
    ]
    .join("\n");
    fs::write(client.join("invoices/verizon/bad.csv"), bad + "\n").unwrap();
    let out = tmp.path().join("out");
    let o = run_audit(&client, &out, &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let r = read_json(&out.join("report.json"));
    assert_eq!(r["input"]["rows"], 57 + 3);
    assert_eq!(r["input"]["rejected_rows"], 6);
    assert_eq!(r["input"]["billed_total"], "3326.66"); // 3317.16 + 7.00 + 2.00 + 0.50
    assert_eq!(r["totals"]["recoverable"], "237.15");
    let rej = fs::read_to_string(out.join("rejected.csv")).unwrap();
    let lines: Vec<&str> = rej.lines().collect();
    assert_eq!(lines[0], "file,line,reason");
    let at = |n: u32| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("invoices/verizon/bad.csv,{n},")))
            .unwrap_or_else(|| panic!("no refusal for line {n} in:\n{rej}"))
            .to_lowercase()
    };
    assert!(at(3).contains("date"));
    assert!(at(4).contains("amount"));
    assert!(at(5).contains("description"));
    assert!(at(6).contains("charge_type"));
    assert!(at(7).contains("field"));
    assert!(at(10).contains("quote"));
    assert_eq!(lines.len(), 1 + 6, "{rej}");
    assert!(stderr(&o).contains("rejected.csv"));
}

#[test]
fn a_custom_rule_is_added_by_a_toml_file_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("small-client");
    copy_tree(&fixture("small-client"), &client);
    let extra = format!(
        "{HEADER}\nVerizon Wireless,0042,VZ-2503,2025-03-05,2025-03-01,2025-03-31,555-0101,usage,DA,Directory Assistance,1,2.49,2.49,1,call\n"
    );
    fs::write(client.join("invoices/verizon/extra.csv"), extra).unwrap();
    let rules = tmp.path().join("rules");
    copy_tree(&root().join("rules"), &rules);
    fs::write(
        rules.join("DA001.toml"),
        r#"id = "DA001"
kind = "matching_charge"
title = "Directory Assistance charges"
severity = "low"
finds = "Directory Assistance (411) calls billed to the client."
why = "The client's policy blocks 411; every such call is disputable."
description_pattern = "(?i)directory assistance"
recoverable = "amount"
monthly = "none"
finding = "{description} billed against the 411 block"
"#,
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = run_audit(&client, &out, &["--rules", rules.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = read_json(&out.join("report.json"));
    assert_eq!(by_rule(&r)["DA001"], figures(1, "2.49", "0.00"));
    assert_eq!(r["totals"]["recoverable"], "239.64"); // 237.145 + 2.49 = 239.635
    let listed = run(&["rules", "--rules", rules.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("DA001"));
}

#[test]
fn rules_lists_the_default_set() {
    let o = run(&["rules"]);
    assert_eq!(code(&o), 0);
    let s = String::from_utf8_lossy(&o.stdout);
    for id in [
        "DUP001", "UNU001", "CRD001", "DIS001", "RAT001", "TAX001", "FEE001",
    ] {
        assert!(s.contains(id), "{id} missing from:\n{s}");
    }
}

#[test]
fn missing_invoices_and_bad_configuration_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty-client");
    fs::create_dir_all(&empty).unwrap();
    let o = run_audit(&empty, &tmp.path().join("o1"), &[]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("invoices"), "{}", stderr(&o));

    fs::create_dir_all(empty.join("invoices")).unwrap();
    let o = run_audit(&empty, &tmp.path().join("o2"), &[]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("no charge rows"), "{}", stderr(&o));

    let client = tmp.path().join("small-client");
    copy_tree(&fixture("small-client"), &client);
    fs::write(client.join("client.toml"), "tax_exempt = \"maybe\"\n").unwrap();
    let o = run_audit(&client, &tmp.path().join("o3"), &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("client.toml"), "{}", stderr(&o));

    let o = run(&["audit"]);
    assert_eq!(code(&o), 2);
    let o = run_audit(
        &fixture("small-client"),
        &tmp.path().join("o4"),
        &["--rules", "/nonexistent/rules"],
    );
    assert_eq!(code(&o), 2);
}

#[test]
fn a_bad_catalogue_or_load_line_is_refused_and_the_rest_is_audited() {
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("small-client");
    copy_tree(&fixture("small-client"), &client);
    fs::write(
        client.join("plans.csv"),
        "kind,carrier,code,name,monthly,allowance,usage_unit,overage_rate,bandwidth_mbps,effective_from,effective_to\n\
         plan,Verizon Wireless,UNL,,60.00,,GB,,,,\n\
         circuit,Lumen,C1,,-5.00,,,,100,,\n\
         circuit,Lumen,C2,,500.00,,,,100,,\n\
         circuit,Lumen,C2,,450.00,,,,100,2025-01-01,\n",
    )
    .unwrap();
    fs::write(
        client.join("utilization.csv"),
        "carrier,service_id,period_start,p95_in_mbps,p95_out_mbps\nLumen,NOT-BILLED,2025-01-01,1,2\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = run_audit(&client, &out, &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let rej = fs::read_to_string(out.join("rejected.csv")).unwrap();
    for (line, why) in [
        (2, "allowance is empty (required for a plan"),
        (3, "\"negative monthly \"\"-5.00\"\": it must be 0 or more\""),
        (5, "\"code \"\"C2\"\" of \"\"Lumen\"\" is already in the catalogue on line 4 for an overlapping window"),
    ] {
        assert!(rej.contains(&format!("plans.csv,{line},{why}")), "line {line} in:\n{rej}");
    }
    assert_eq!(rej.lines().count(), 4, "{rej}");
    assert!(
        stderr(&o).contains("utilization.csv:2: circuit \"NOT-BILLED\" of \"Lumen\" is on no bill"),
        "{}",
        stderr(&o)
    );
    // The bills are audited as before: no charge row refused, the same recoverable.
    let r = read_json(&out.join("report.json"));
    assert_eq!(r["input"]["rows"], 57);
    assert_eq!(r["input"]["rejected_rows"], 0);
    assert_eq!(r["totals"]["recoverable"], "237.15");
}

#[test]
fn a_one_period_client_with_every_line_idle_has_no_unused_line_until_three_periods() {
    // formats.md section 6: UNU001 needs at least 3 periods of the account.
    let header = "carrier,account,invoice,invoice_date,period_start,period_end,service_id,charge_type,\
                  charge_code,description,quantity,unit_rate,amount,usage_quantity,usage_unit\n";
    let month = |m: u32| {
        let mut s = String::new();
        for line in ["555-0101", "555-0102"] {
            s.push_str(&format!(
                "V,100,I{m},2025-0{m}-05,2025-0{m}-01,2025-0{m}-28,{line},recurring,PLAN,Plan,1,,40.00,,\n\
                 V,100,I{m},2025-0{m}-05,2025-0{m}-01,2025-0{m}-28,{line},usage,MIN,Minutes,1,,0.00,0,min\n"
            ));
        }
        s
    };
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("idle");
    fs::create_dir_all(client.join("invoices")).unwrap();
    // One bill, both lines idle: nothing found.
    fs::write(
        client.join("invoices/2025-03.csv"),
        format!("{header}{}", month(3)),
    )
    .unwrap();
    let o = run_audit(&client, &tmp.path().join("one"), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = read_json(&tmp.path().join("one/report.json"));
    assert_eq!(by_rule(&r)["UNU001"], figures(0, "0.00", "0.00"));
    // Two bills: still nothing.
    fs::write(
        client.join("invoices/2025-02.csv"),
        format!("{header}{}", month(2)),
    )
    .unwrap();
    let o = run_audit(&client, &tmp.path().join("two"), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = read_json(&tmp.path().join("two/report.json"));
    assert_eq!(by_rule(&r)["UNU001"], figures(0, "0.00", "0.00"));
    // Three bills, every one idle: both lines found, 40.00 a month each.
    fs::write(
        client.join("invoices/2025-01.csv"),
        format!("{header}{}", month(1)),
    )
    .unwrap();
    let o = run_audit(&client, &tmp.path().join("three"), &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = read_json(&tmp.path().join("three/report.json"));
    assert_eq!(by_rule(&r)["UNU001"], figures(2, "0.00", "80.00"));
}

/// A client with hundreds of dispute files is written whole under a small limit
/// of open files: the files waiting to be flushed to disk do not each hold a
/// descriptor without bound (unbounded, 432 files failed with "Too many open
/// files" under a limit of 64, and 1,570 accounts under the common 1,024).
#[test]
fn hundreds_of_dispute_files_are_written_under_a_limit_of_64_open_files() {
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("many-accounts");
    generate_client(
        &client,
        &[
            "--services",
            "300",
            "--months",
            "2",
            "--accounts-per-carrier",
            "100",
        ],
    );
    let free = tmp.path().join("free");
    assert_eq!(code(&run_audit(&client, &free, &["--quiet"])), 0);
    let limited = tmp.path().join("limited");
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 64 && exec \"$0\" audit \"$1\" --out \"$2\" --quiet")
        .arg(bin())
        .arg(&client)
        .arg(&limited)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (a, b) = (files_below(&free), files_below(&limited));
    let disputes = a.keys().filter(|k| k.starts_with("disputes")).count();
    assert!(disputes > 300, "{disputes} dispute files");
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(b[k] == *v, "{} differs under the limit", k.display());
    }
}

/// Whether a path below an output folder is a leftover of an interrupted write
/// (a temporary file or folder, or anything inside one).
fn is_leftover(p: &std::path::Path) -> bool {
    p.components().any(|c| {
        let c = c.as_os_str().to_string_lossy();
        c.starts_with(".tmp-") || (c.starts_with('.') && c.ends_with(".tmp"))
    })
}

/// An output folder's files without the leftovers of an interrupted write.
fn outputs(dir: &std::path::Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut f = files_below(dir);
    f.retain(|p, _| !is_leftover(p));
    f
}

/// The files of one output (a top-level file, or a folder's files).
fn output_of(
    all: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>,
    name: &str,
) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    all.iter()
        .filter(|(p, _)| p.components().next().is_some_and(|c| c.as_os_str() == name))
        .map(|(p, b)| (p.clone(), b.clone()))
        .collect()
}

/// Killing an audit at any moment of its write phase (issue 24: every file is
/// written, then flushed to disk at once, then put in place) leaves no
/// half-written file and no mix inside an output, on a client of 400 accounts
/// (445 output files): each output (a file, or all of disputes/, changes/,
/// recovery/) is the earlier run's or the new run's whole; report.json, when
/// present, is one run's and then every output is that run's (the earlier
/// report.json goes before the first new output is put in place); a rerun
/// gives the clean run's folder.
#[test]
fn an_audit_killed_during_its_write_leaves_whole_outputs_of_one_run_or_the_other() {
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("many-accounts");
    generate_client(
        &client,
        &[
            "--services",
            "300",
            "--months",
            "2",
            "--accounts-per-carrier",
            "100",
        ],
    );
    // Run A (as of the last invoice) and run B (later: the January claims
    // expire, every letter is dated otherwise), each clean.
    let (a_dir, b_dir) = (tmp.path().join("a"), tmp.path().join("b"));
    assert_eq!(code(&run_audit(&client, &a_dir, &["--quiet"])), 0);
    let later = ["--quiet", "--as-of", "2025-07-10"];
    assert_eq!(code(&run_audit(&client, &b_dir, &later)), 0);
    let (a, b) = (outputs(&a_dir), outputs(&b_dir));
    assert!(a.keys().filter(|k| k.starts_with("disputes")).count() > 300);
    assert_ne!(
        a[std::path::Path::new("report.json")],
        b[std::path::Path::new("report.json")]
    );
    let names: Vec<&str> = [
        "report.json",
        "findings.csv",
        "report.md",
        "report.html",
        "report.xlsx",
        "warnings.csv",
        "disputes",
        "changes",
        "recovery",
    ]
    .to_vec();
    let mut mixed = 0;
    let out = tmp.path().join("out");
    let mut interrupted = 0;
    for k in 0..24u64 {
        let _ = fs::remove_dir_all(&out);
        copy_tree(&a_dir, &out);
        // Kills 0 to 7 land while the files are written, 0 to 14 ms after the
        // first temporary file or folder appears; kills 8 to 19 while they are
        // put in place (the test hook pauses 25 ms before each step: the
        // earlier report.json's removal, then each output in text order),
        // 0 to 11 steps in; kills 20 to 23 at once.
        let placing = (8..20).contains(&k);
        let mut child = std::process::Command::new(bin())
            .args(["audit", client.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .args(later)
            .env(
                if placing {
                    "TELAUDIT_TEST_PLACE_DELAY_MS"
                } else {
                    "TELAUDIT_UNUSED"
                },
                "25",
            )
            .spawn()
            .unwrap();
        // No short time limit: on a disk busy with other writers the one flush
        // (syncfs) waits for their data too, and the run reaches its placing
        // late (30 s was too short with parallel builds writing gigabytes).
        let t0 = std::time::Instant::now();
        while k < 20 && t0.elapsed().as_secs() < 600 && child.try_wait().unwrap().is_none() {
            let started = if placing {
                !out.join("report.json").exists()
            } else {
                fs::read_dir(&out).unwrap().any(|e| {
                    let n = e.unwrap().file_name().to_string_lossy().into_owned();
                    n.starts_with('.') && n.ends_with(".tmp")
                })
            };
            if started {
                let wait = if placing { (k - 8) * 25 + 12 } else { k * 2 };
                std::thread::sleep(std::time::Duration::from_millis(wait));
                break;
            }
        }
        let _ = child.kill();
        if !child.wait().unwrap().success() {
            interrupted += 1;
        }
        let got = outputs(&out);
        for name in &names[1..] {
            let (g, x, y) = (output_of(&got, name), output_of(&a, name), output_of(&b, name));
            assert!(g == x || g == y, "kill {k}: {name} is neither run's whole");
        }
        let report = got.get(std::path::Path::new("report.json"));
        if report.is_some() && report == a.get(std::path::Path::new("report.json")) {
            assert_eq!(got, a, "kill {k}: the earlier report.json beside a new output");
        } else if report.is_some() {
            assert_eq!(got, b, "kill {k}: the new report.json beside an earlier output");
        } else if placing {
            mixed += usize::from(
                names
                    .iter()
                    .any(|n| output_of(&got, n) == output_of(&b, n) && output_of(&a, n) != output_of(&b, n)),
            );
        }
        let o = run_audit(&client, &out, &later);
        assert_eq!(code(&o), 0, "kill {k}: {}", stderr(&o));
        assert_eq!(outputs(&out), b, "kill {k}: the rerun differs from a clean run");
    }
    // The kills while putting in place found the folder without report.json,
    // most of them with some outputs already the new run's.
    assert!(mixed >= 6, "only {mixed} kills found a folder of both runs");
    assert!(
        interrupted >= 12,
        "only {interrupted} of 24 kills interrupted a run"
    );
}

/// A failed write leaves no mix of two runs (issue 26, item 3). The workbook
/// needs a temporary folder; with TMPDIR missing it cannot be built. After a
/// complete run, such a run exits 1, writes its other outputs, does not write
/// report.json (so no reader takes the folder for a complete run), removes the
/// earlier run's report.json and report.xlsx, which it did not replace, and
/// names them.
#[test]
fn a_failed_workbook_leaves_no_mix_of_runs_and_names_what_it_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let first = run_audit(&fixture("small-client"), &out, &["--quiet"]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let findings = fs::read(out.join("findings.csv")).unwrap();
    assert!(out.join("report.xlsx").is_file() && out.join("report.json").is_file());
    let o = std::process::Command::new(bin())
        .args([
            "audit",
            fixture("small-client").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .env("TMPDIR", tmp.path().join("missing"))
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("cannot build report.xlsx"), "{err}");
    assert!(
        err.contains(&format!(
            "report.json was not written, so this run's outputs in {} are incomplete; removed the \
             earlier run's report.json, report.xlsx, which this run did not replace",
            out.display()
        )),
        "{err}"
    );
    let mut written: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            ".telaudit-out",
            "changes",
            "disputes",
            "findings.csv",
            "report.html",
            "report.md"
        ],
        "this run's outputs, its marker, and nothing of the earlier run"
    );
    assert_eq!(fs::read(out.join("findings.csv")).unwrap(), findings);
    // The next complete run writes report.json again.
    let again = run_audit(&fixture("small-client"), &out, &["--quiet"]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert!(out.join("report.json").is_file() && out.join("report.xlsx").is_file());
}

/// Folders standing where two outputs go (report.xlsx, findings.csv) are not
/// telaudit's: the audit refuses the output folder before writing anything
/// (exit 2), naming both in the same order every run, and leaves them alone.
#[test]
fn folders_where_outputs_go_are_refused_and_named_the_same_every_run() {
    let tmp = tempfile::tempdir().unwrap();
    for run in 0..3 {
        let out = tmp.path().join(format!("out{run}"));
        for blocked in ["report.xlsx", "findings.csv"] {
            fs::create_dir_all(out.join(blocked).join("kept")).unwrap();
        }
        let o = run_audit(&fixture("small-client"), &out, &["--quiet", "--force"]);
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("findings.csv/, report.xlsx/ stand(s) where telaudit writes its outputs"),
            "run {run}: {err}"
        );
        assert!(out.join("report.xlsx/kept").is_dir() && out.join("findings.csv/kept").is_dir());
        assert_eq!(
            fs::read_dir(&out).unwrap().count(),
            2,
            "run {run}: nothing written"
        );
    }
}
