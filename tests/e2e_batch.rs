//! End-to-end: `telaudit batch` and `telaudit merge-summaries` on generated
//! clients: statuses and isolation, byte-identity with `telaudit audit`, shards,
//! incremental reruns, a kill at any moment, a panicking client, the lock.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Generates `n` clients named c01.. with 30 services each (seed = index).
fn make_root(root: &Path, n: usize) -> Vec<String> {
    fs::create_dir_all(root).unwrap();
    (1..=n)
        .map(|i| {
            let id = format!("c{i:02}");
            generate_client(&root.join(&id), &["--services", "30", "--seed", &i.to_string()]);
            id
        })
        .collect()
}

/// client -> (status, error) from summary.json.
fn statuses(out: &Path) -> BTreeMap<String, (String, Option<String>)> {
    let s = read_json(&out.join("summary.json"));
    assert_eq!(s["schema"], "telaudit.batch-summary/1");
    summary_clients(out)
        .into_iter()
        .map(|(client, status, error)| (client, (status, error)))
        .collect()
}

fn status_of(out: &Path, id: &str) -> String {
    statuses(out)[id].0.clone()
}

/// Asserts a client's status and that its error mentions `error_part`.
fn assert_status(st: &BTreeMap<String, (String, Option<String>)>, id: &str, status: &str, error_part: &str) {
    assert_eq!(st[id].0, status);
    assert!(st[id].1.as_deref().unwrap().contains(error_part), "{st:?}");
}

#[test]
fn good_clients_match_single_audits_and_broken_ones_fail_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let ids = make_root(&root, 3);
    // No invoices/ at all.
    fs::create_dir_all(root.join("b-noinvoices")).unwrap();
    // A bad client.toml on an otherwise good client.
    copy_tree(&root.join("c01"), &root.join("b-badtoml"));
    fs::write(root.join("b-badtoml/client.toml"), "tax_exempt = \"maybe\"\n").unwrap();
    // A client folder named like a file the batch writes into --out.
    copy_tree(&root.join("c01"), &root.join("summary.json"));
    // Hidden folders and plain files are not clients.
    fs::create_dir_all(root.join(".cache/invoices")).unwrap();
    fs::write(root.join("README.txt"), "not a client").unwrap();
    // A client with one refused row: audited, but the batch exits 1.
    copy_tree(&root.join("c02"), &root.join("d-refused"));
    fs::write(
        root.join("d-refused/invoices/bad.csv"),
        "carrier,account\nonly,two\n",
    )
    .unwrap();

    let out = tmp.path().join("out");
    let o = run_batch(&root, &out, &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let st = statuses(&out);
    let keys: Vec<&str> = st.keys().map(|s| s.as_str()).collect();
    assert_eq!(
        keys,
        [
            "b-badtoml",
            "b-noinvoices",
            "c01",
            "c02",
            "c03",
            "d-refused",
            "summary.json"
        ]
    );
    assert_status(&st, "summary.json", "error", "rename the folder");
    assert_status(&st, "b-noinvoices", "error", "no invoices/ folder");
    assert_status(&st, "b-badtoml", "error", "client.toml");
    assert_status(&st, "d-refused", "audited", "refused");
    for id in &ids {
        assert_eq!(st[id.as_str()], ("audited".to_string(), None));
    }
    assert!(!out.join("b-noinvoices").exists());
    assert!(!out.join("b-badtoml").exists());
    assert!(out.join("index.html").exists());
    assert!(!out.join(".telaudit.lock").exists(), "the lock is released");

    // Each good client's folder equals a single audit's, byte for byte.
    for id in ids.iter().map(String::as_str).chain(["d-refused"]) {
        let single = tmp.path().join("single").join(id);
        let a = run_audit(&root.join(id), &single, &["--quiet"]);
        assert_eq!(code(&a), if id == "d-refused" { 1 } else { 0 }, "{}", stderr(&a));
        let mut batch_files = files_below(&out.join(id));
        assert!(batch_files.remove(Path::new(".telaudit-complete")).is_some());
        assert_eq!(batch_files, files_below(&single), "{id}");
        assert!(batch_files.contains_key(Path::new("report.json")));
        assert!(batch_files.contains_key(Path::new("findings.csv")));
    }

    // The summary's figures are the reports' own.
    let s = read_json(&out.join("summary.json"));
    let c01 = s["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["client"] == "c01")
        .unwrap();
    let r = read_json(&out.join("c01/report.json"));
    assert_eq!(c01["rows"], r["input"]["rows"]);
    assert_eq!(c01["billed_total"], r["input"]["billed_total"]);
    assert_eq!(c01["recoverable"], r["totals"]["recoverable"]);
    assert_eq!(c01["monthly"], r["totals"]["monthly"]);
    assert_eq!(c01["first_year"], r["totals"]["first_year"]);
    // The generated clients have a funding plan: its NPV and payback are copied too.
    assert!(r["proposal"]["npv"].is_string(), "{r}");
    assert_eq!(c01["npv"], r["proposal"]["npv"]);
    let payback = match r["proposal"]["payback_months"].as_u64() {
        Some(n) => n.to_string(),
        None => "never".to_string(),
    };
    assert_eq!(c01["payback_months"].to_string().trim_matches('"'), payback);
    assert_eq!(c01["expired"], r["totals"]["expired"]);
    let csv = fs::read_to_string(out.join("summary.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "client,status,rows,billed_total,recoverable,monthly,first_year,expired,error,npv,payback_months,warnings,new_findings,resolved_findings,recovered,outstanding,grown_findings"
    );
    assert!(lines[1].starts_with("b-badtoml,error,,,,,,,"), "{csv}");
    let c01_line = format!(
        "c01,audited,{},{},{},{},{},{},,{},{payback},{}",
        r["input"]["rows"],
        r["input"]["billed_total"].as_str().unwrap(),
        r["totals"]["recoverable"].as_str().unwrap(),
        r["totals"]["monthly"].as_str().unwrap(),
        r["totals"]["first_year"].as_str().unwrap(),
        r["totals"]["expired"].as_str().unwrap(),
        r["proposal"]["npv"].as_str().unwrap(),
        r["input"]["warnings"]
    );
    // A first run: every finding of c01 is new, none resolved, none grown.
    let n = fs::read_to_string(out.join("c01/findings.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    // The ledger's figures, copied from report.json's recovery object (empty without one).
    let ledger = |k: &str| r["recovery"][k].as_str().unwrap_or("").to_string();
    assert_eq!(
        lines[3],
        format!(
            "{c01_line},{n},0,{},{},0",
            ledger("recovered"),
            ledger("outstanding")
        )
    );
    assert_eq!(c01["recovered"], r["recovery"]["recovered"]);
    assert_eq!(c01["outstanding"], r["recovery"]["outstanding"]);

    // Without the broken and refused clients, the batch exits 0.
    for b in ["b-noinvoices", "b-badtoml", "d-refused", "summary.json"] {
        fs::remove_dir_all(root.join(b)).unwrap();
    }
    let o = run_batch(&root, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(statuses(&out).len(), 3);
}

#[test]
fn shards_partition_the_clients_and_merge_to_the_unsharded_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let ids = make_root(&root, 7);
    let whole = tmp.path().join("whole");
    assert_eq!(code(&run_batch(&root, &whole, &["--quiet"])), 0);

    let mut seen: Vec<String> = Vec::new();
    let mut shard_dirs = Vec::new();
    for i in 1..=3 {
        let d = tmp.path().join(format!("shard{i}"));
        let o = run_batch(&root, &d, &["--quiet", "--shard", &format!("{i}/3")]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let st = statuses(&d);
        for id in st.keys() {
            // Each shard's client folders are exactly its summary's clients.
            assert!(d.join(id).join("report.json").exists());
            assert_eq!(
                fs::read(d.join(id).join("report.json")).unwrap(),
                fs::read(whole.join(id).join("report.json")).unwrap()
            );
        }
        seen.extend(st.into_keys());
        shard_dirs.push(d);
    }
    seen.sort();
    assert_eq!(seen, ids, "every client in exactly one shard");

    let merged = tmp.path().join("merged");
    let mut args = vec!["merge-summaries"];
    args.extend(shard_dirs.iter().rev().map(|d| d.to_str().unwrap()));
    args.extend(["--out", merged.to_str().unwrap()]);
    let o = run(&args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in ["summary.json", "summary.csv"] {
        assert_eq!(
            fs::read(merged.join(f)).unwrap(),
            fs::read(whole.join(f)).unwrap(),
            "{f}"
        );
    }
    // --out FILE.csv writes that file; no --out prints summary.json.
    let single = tmp.path().join("one.csv");
    let mut args2: Vec<&str> = vec!["merge-summaries"];
    args2.extend(shard_dirs.iter().map(|d| d.to_str().unwrap()));
    let o = run(&args2);
    assert_eq!(o.stdout, fs::read(whole.join("summary.json")).unwrap());
    args2.extend(["--out", single.to_str().unwrap()]);
    assert_eq!(code(&run(&args2)), 0);
    assert_eq!(
        fs::read(&single).unwrap(),
        fs::read(whole.join("summary.csv")).unwrap()
    );

    // A client twice with different figures is refused.
    let json = fs::read_to_string(shard_dirs[0].join("summary.json")).unwrap();
    let first = statuses(&shard_dirs[0]).into_keys().next().unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let orig = v["clients"][0]["recoverable"].as_str().unwrap().to_string();
    let forged = json.replacen(
        &format!("\"recoverable\": \"{orig}\""),
        "\"recoverable\": \"999999.99\"",
        1,
    );
    assert_ne!(forged, json);
    let forged_path = tmp.path().join("forged.json");
    fs::write(&forged_path, forged).unwrap();
    let o = run(&[
        "merge-summaries",
        shard_dirs[0].to_str().unwrap(),
        forged_path.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(&format!("client {first} appears in")),
        "{}",
        stderr(&o)
    );

    // Bad --shard values are command-line errors.
    for bad in ["0/3", "4/3", "1/0", "x"] {
        assert_eq!(
            code(&run_batch(&root, &tmp.path().join("bad"), &["--shard", bad])),
            2,
            "{bad}"
        );
    }
}

#[test]
fn reruns_reuse_unchanged_clients_and_redo_changed_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let ids = make_root(&root, 4);
    let out = tmp.path().join("out");
    assert_eq!(code(&run_batch(&root, &out, &["--quiet"])), 0);
    let first_json = fs::read(out.join("summary.json")).unwrap();
    let first_reports: Vec<Vec<u8>> = ids
        .iter()
        .map(|id| fs::read(out.join(id).join("report.json")).unwrap())
        .collect();

    let o = run_batch(&root, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        statuses(&out).values().all(|(s, _)| s == "unchanged"),
        "{:?}",
        statuses(&out)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("0 audited, 4 unchanged, 0 failed"));
    // Same figures as the first run: only the status differs (and the history's
    // counts: nothing is new the second time).
    let plain = |bytes: Vec<u8>| {
        let mut t = BTreeMap::from([(PathBuf::from("summary.json"), bytes)]);
        without_history(&mut t);
        String::from_utf8(t.remove(Path::new("summary.json")).unwrap()).unwrap()
    };
    let again = fs::read(out.join("summary.json")).unwrap();
    assert_eq!(
        plain(again).replace("\"unchanged\"", "\"audited\""),
        plain(first_json.clone())
    );

    // One byte of one input file changes: only that client is audited again.
    let inv = root.join("c03/inventory.csv");
    let mut bytes = fs::read(&inv).unwrap();
    let last = bytes.len() - 2;
    bytes[last] = if bytes[last] == b' ' { b'x' } else { b' ' };
    fs::write(&inv, bytes).unwrap();
    let o = run_batch(&root, &out, &["--quiet"]);
    assert!(code(&o) <= 1, "{}", stderr(&o));
    let st = statuses(&out);
    for id in &ids {
        let want = if id == "c03" { "audited" } else { "unchanged" };
        assert_eq!(st[id.as_str()].0, want, "{id}: {st:?}");
    }
    // A new file in a client folder counts as a change too.
    fs::write(root.join("c01/notes.txt"), "hello").unwrap();
    run_batch(&root, &out, &["--quiet"]);
    assert_eq!(status_of(&out, "c01"), "audited");
    assert_eq!(status_of(&out, "c02"), "unchanged");
    // The unchanged clients' reports were left as they were.
    assert_eq!(fs::read(out.join("c02/report.json")).unwrap(), first_reports[1]);

    // Other rules: every client again.
    let rules = tmp.path().join("rules");
    copy_tree(&common::root().join("rules"), &rules);
    let fee = rules.join("FEE001.toml");
    let text = fs::read_to_string(&fee).unwrap();
    fs::write(&fee, text.replace("title = \"", "title = \"Changed: ")).unwrap();
    run_batch(&root, &out, &["--quiet", "--rules", rules.to_str().unwrap()]);
    assert!(statuses(&out).values().all(|(s, _)| s == "audited"));

    // --force audits all.
    run_batch(&root, &out, &["--quiet", "--rules", rules.to_str().unwrap()]);
    assert!(statuses(&out).values().all(|(s, _)| s == "unchanged"));
    run_batch(
        &root,
        &out,
        &["--quiet", "--force", "--rules", rules.to_str().unwrap()],
    );
    assert!(statuses(&out).values().all(|(s, _)| s == "audited"));
}

#[test]
fn a_killed_run_then_a_rerun_equals_a_clean_run() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let ids = make_root(&root, 8);
    let clean = tmp.path().join("clean");
    assert_eq!(code(&run_batch(&root, &clean, &["--quiet"])), 0);
    let reports = |out: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        let mut t = files_below(out);
        t.retain(|p, _| !p.starts_with("index.html"));
        without_history(&mut t);
        t
    };
    let clean_tree = reports(&clean);

    for (k, delay_ms) in [10u64, 40, 80, 150, 300].into_iter().enumerate() {
        let out = tmp.path().join(format!("killed{k}"));
        // Each client sleeps 40 ms between its files and its marker, so the run
        // takes ~8 x 40 / 2 ms and the kill lands in the middle of it.
        let mut child = spawn_batch(&root, &out, &[], 40);
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        if k == 0 {
            // 10 ms cannot finish 8 clients that each sleep 40 ms: this kill
            // certainly interrupted the run.
            assert!(!out.join("summary.json").exists());
        }

        let o = run_batch(&root, &out, &["--quiet"]);
        assert_eq!(code(&o), 0, "delay {delay_ms}: {}", stderr(&o));
        // No leftovers, every client complete, and the reports are the clean run's.
        let names: Vec<String> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names
                .iter()
                .all(|n| !n.starts_with(".tmp-") && !n.starts_with(".old-")),
            "{names:?}"
        );
        let mut got = reports(&out);
        let summary = String::from_utf8(got.remove(Path::new("summary.json")).unwrap()).unwrap();
        let mut want = clean_tree.clone();
        let clean_summary = String::from_utf8(want.remove(Path::new("summary.json")).unwrap()).unwrap();
        // Clients finished before the kill are reused; the figures are the same.
        assert_eq!(
            summary.replace("\"unchanged\"", "\"audited\""),
            clean_summary,
            "delay {delay_ms}"
        );
        got.remove(Path::new("summary.csv"));
        want.remove(Path::new("summary.csv"));
        // The markers hold the same fingerprints as the clean run's.
        assert_eq!(got, want, "delay {delay_ms}");
        assert_eq!(statuses(&out).len(), ids.len());

        // A further run (nothing changed) gives summaries byte-identical to the
        // clean folder's after the same rerun.
        assert_eq!(code(&run_batch(&root, &out, &["--quiet"])), 0);
        if k == 0 {
            assert_eq!(code(&run_batch(&root, &clean, &["--quiet"])), 0);
        }
        for f in ["summary.json", "summary.csv"] {
            assert_eq!(
                fs::read(out.join(f)).unwrap(),
                fs::read(clean.join(f)).unwrap(),
                "delay {delay_ms}: {f}"
            );
        }
    }
}

#[test]
fn a_panicking_client_fails_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    make_root(&root, 3);
    let out = tmp.path().join("out");
    let o = run_batch_env(&root, &out, &[], &[("TELAUDIT_TEST_PANIC_CLIENT", "c02")]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let st = statuses(&out);
    assert_status(&st, "c02", "error", "simulated rule panic");
    assert_eq!(st["c01"], ("audited".to_string(), None));
    assert_eq!(st["c03"], ("audited".to_string(), None));
    assert!(!out.join("c02").exists());
    // The default panic message is not dumped on stderr.
    assert!(!stderr(&o).contains("panicked at"), "{}", stderr(&o));
    // Without the hook the client is audited (and the others reused).
    let o = run_batch(&root, &out, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(status_of(&out, "c02"), "audited");
    assert_eq!(status_of(&out, "c01"), "unchanged");
}

#[test]
fn a_second_run_on_a_locked_folder_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    make_root(&root, 2);
    let out = tmp.path().join("out");
    // A first run, slowed down, holds the lock.
    let mut first = spawn_batch(&root, &out, &[], 3000);
    let lock = out.join(".telaudit.lock");
    for _ in 0..200 {
        if lock.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(fs::read_to_string(&lock).unwrap().trim(), first.id().to_string());
    let o = run_batch(&root, &out, &["--quiet"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("process {}", first.id())),
        "{}",
        stderr(&o)
    );
    assert!(first.wait().unwrap().success());
    assert!(!lock.exists());

    // A lock left by a dead process is taken over.
    fs::write(&lock, "4294967290\n").unwrap();
    let o = run_batch(&root, &out, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!lock.exists());
}
