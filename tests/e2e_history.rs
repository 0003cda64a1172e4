//! End-to-end: the finding history of `telaudit batch` in SQLite (history.md):
//! four runs (new, unchanged, resolved, reopened), `telaudit history`, the
//! report.html marks, bad history files, and 20 kills then a rerun.
//!
//! The PostgreSQL tests are at the end, ignored by default: scripts/postgres-test.sh
//! starts a throwaway server and runs them with TELAUDIT_TEST_POSTGRES set.

mod common;

use common::*;
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// (finding_key, carrier) of every row of a findings.csv.
fn csv_keys(client_out: &Path) -> BTreeMap<String, String> {
    let mut r = csv::Reader::from_path(client_out.join("findings.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let at = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (k, c) = (at("finding_key"), at("carrier"));
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (x[k].to_string(), x[c].to_string())
        })
        .collect()
}

/// Rows of a query, every column as text ('' for NULL).
fn rows(db: &Path, sql: &str) -> Vec<Vec<String>> {
    let c = Connection::open(db).unwrap();
    let mut st = c.prepare(sql).unwrap();
    let n = st.column_count();
    let out = st
        .query_map([], |r| {
            Ok((0..n)
                .map(|i| match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Null => String::new(),
                    rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    other => format!("{other:?}"),
                })
                .collect::<Vec<String>>())
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    out
}

/// summary.csv's (new_findings, resolved_findings) of a client.
fn summary_counts(out: &Path, client: &str) -> (String, String) {
    let mut r = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let at = |n: &str| h.iter().position(|x| x == n).unwrap();
    for x in r.records() {
        let x = x.unwrap();
        if &x[0] == client {
            return (
                x[at("new_findings")].to_string(),
                x[at("resolved_findings")].to_string(),
            );
        }
    }
    panic!("no {client} in summary.csv");
}

/// A root holding a copy of the sample client.
fn sample_root(tmp: &Path) -> PathBuf {
    let root = tmp.join("root");
    copy_tree(
        &root_dir().join("sample-data/acme-health"),
        &root.join("acme-health"),
    );
    root
}

fn root_dir() -> PathBuf {
    common::root()
}

fn ok_batch(root: &Path, out: &Path) {
    let o = run_batch(root, out, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn four_runs_record_new_unchanged_resolved_and_reopened_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let root = sample_root(tmp.path());
    let out = tmp.path().join("out");
    let db = out.join("history.sqlite");
    let client_out = out.join("acme-health");

    // Run 1: every finding is new. A first run has no marks: the client folder
    // is byte-identical to `telaudit audit`'s.
    ok_batch(&root, &out);
    let all = csv_keys(&client_out);
    assert!(all.len() > 20, "{}", all.len());
    assert_eq!(
        summary_counts(&out, "acme-health"),
        (all.len().to_string(), "0".into())
    );
    let single = tmp.path().join("single");
    assert_eq!(code(&run_audit(&root.join("acme-health"), &single, &[])), 0);
    assert_eq!(
        fs::read(single.join("report.html")).unwrap(),
        fs::read(client_out.join("report.html")).unwrap()
    );
    assert_eq!(
        rows(&db, "SELECT value FROM meta WHERE key = 'schema_version'"),
        [["3"]]
    );
    // Every finding is a `new` change of run 1, and review.csv lists each once.
    assert_eq!(
        rows(
            &db,
            "SELECT count(*), min(change), max(change) FROM finding_changes WHERE run_id = 1"
        ),
        [[all.len().to_string().as_str(), "new", "new"]]
    );
    let review = review_rows(&out);
    assert_eq!(review.len(), all.len());
    assert!(review.iter().all(|r| r["run"] == "1" && r["change"] == "new"));
    assert_eq!(
        review
            .iter()
            .map(|r| r["finding_key"].clone())
            .collect::<BTreeSet<_>>(),
        all.keys().cloned().collect::<BTreeSet<_>>()
    );
    // The history's shares of the totals sum (rounded once) to the summary's
    // figures; the findings' own figures sum to findings.csv's columns.
    let (recoverable, monthly) = summary_money(&out, "acme-health");
    assert_eq!((recoverable.as_str(), monthly.as_str()), ("7037.49", "3863.52"));
    let own = csv_money_sums(&client_out);
    let history_line = history_csv(&out, &[]);
    assert_eq!(history_line["recoverable"], recoverable);
    assert_eq!(history_line["monthly"], monthly);
    assert_eq!(history_line["findings_recoverable"], own.0);
    assert_eq!(history_line["findings_monthly"], own.1);
    assert_ne!(own.0, recoverable, "the sample's findings overlap");

    // Run 2: nothing changed; the open findings are seen again.
    ok_batch(&root, &out);
    assert_eq!(status_of(&out), "unchanged");
    assert_eq!(summary_counts(&out, "acme-health"), ("0".into(), "0".into()));
    assert!(review_rows(&out).is_empty());

    // Run 3: the Lumen bills are gone, so its findings are resolved.
    let lumen = root.join("acme-health/invoices/lumen");
    let saved = tmp.path().join("lumen");
    fs::rename(&lumen, &saved).unwrap();
    ok_batch(&root, &out);
    let after = csv_keys(&client_out);
    let gone: BTreeSet<&String> = all.keys().filter(|k| !after.contains_key(*k)).collect();
    assert!(!gone.is_empty());
    assert!(gone.iter().all(|k| all[*k].contains("Lumen")), "{gone:?}");
    assert_eq!(
        summary_counts(&out, "acme-health"),
        ("0".into(), gone.len().to_string())
    );
    // review.csv: each resolved finding with the money it had (findings.csv of run 1).
    let before = csv_money(&single);
    let review = review_rows(&out);
    assert_eq!(review.len(), gone.len());
    for r in &review {
        assert_eq!((r["run"].as_str(), r["change"].as_str()), ("3", "resolved"));
        let (rec, mon) = &before[&r["finding_key"]];
        assert_eq!(
            (&r["recoverable_before"], &r["monthly_before"]),
            (rec, mon),
            "{r:?}"
        );
        assert_eq!(
            (r["recoverable_after"].as_str(), r["monthly_after"].as_str()),
            ("", "")
        );
        assert_eq!(r["carrier"], "Lumen");
    }

    // Run 4: the bills are back: the same findings reopen, keeping first_run 1.
    fs::rename(&saved, &lumen).unwrap();
    ok_batch(&root, &out);
    assert_eq!(csv_keys(&client_out), all);
    assert_eq!(summary_counts(&out, "acme-health"), ("0".into(), "0".into()));
    let html = fs::read_to_string(client_out.join("report.html")).unwrap();
    assert!(
        html.contains(&format!(
            "Since run 3 of the history: 0 new, {} reopened",
            gone.len()
        )),
        "{html}"
    );
    // Every reopened finding is listed, also those beyond the 20 largest.
    assert!(gone.len() > 2, "{}", gone.len());
    assert!(html.contains(&format!(
        "Since run 3 of the history: <b>0 new</b>, <b>{} reopened</b>, <b>0 grown</b>",
        gone.len()
    )));
    assert_eq!(html.matches("<tr><td><b>reopened</b></td>").count(), gone.len());
    let review = review_rows(&out);
    assert_eq!(review.len(), gone.len());
    assert!(review.iter().all(|r| r["change"] == "reopened"));

    // The tables, as history.md section 3 says.
    let runs = rows(&db, "SELECT run_id, shard FROM runs ORDER BY run_id");
    assert_eq!(runs, [["1", ""], ["2", ""], ["3", ""], ["4", ""]]);
    let cr = rows(
        &db,
        "SELECT run_id, status, new_findings, resolved_findings, grown_findings FROM client_runs ORDER BY run_id",
    );
    let n = all.len().to_string();
    let g = gone.len().to_string();
    assert_eq!(
        cr,
        [
            ["1", "audited", n.as_str(), "0", "0"],
            ["2", "unchanged", "0", "0", "0"],
            ["3", "audited", "0", g.as_str(), "0"],
            ["4", "audited", "0", "0", "0"],
        ]
    );
    assert_eq!(
        rows(
            &db,
            "SELECT run_id, change, count(*) FROM finding_changes GROUP BY run_id, change ORDER BY run_id"
        ),
        [
            ["1", "new", n.as_str()],
            ["3", "resolved", g.as_str()],
            ["4", "reopened", g.as_str()]
        ]
    );
    // Schema version 2: what the sample's claims brought back, per run. Without the
    // Lumen bills (run 3) the 40.00 credited on the denied Lumen claim is gone.
    let rec = rows(
        &db,
        "SELECT recovered, outstanding FROM client_runs ORDER BY run_id",
    );
    assert_eq!(
        rec,
        [
            ["626.57", "532.90"],
            ["626.57", "532.90"],
            ["586.57", "532.90"],
            ["626.57", "532.90"],
        ]
    );
    let f = rows(
        &db,
        "SELECT finding_key, first_run, last_run, resolved_run FROM findings ORDER BY finding_key",
    );
    assert_eq!(f.len(), all.len());
    for r in &f {
        assert!(all.contains_key(&r[0]));
        assert_eq!(
            (r[1].as_str(), r[2].as_str(), r[3].as_str()),
            ("1", "4", ""),
            "{r:?}"
        );
    }

    // `telaudit history`: every finding open, the oldest 4 runs old.
    let line = history_csv(&out, &["--client", "acme-health"]);
    let cell = |k: &str| line[k].as_str();
    assert_eq!(cell("client"), "acme-health");
    assert_eq!(cell("open_findings"), n);
    assert_eq!((cell("recoverable"), cell("monthly")), ("7037.49", "3863.52"));
    assert_eq!(
        (
            cell("last_run"),
            cell("new_in_last_run"),
            cell("resolved_in_last_run"),
            cell("grown_in_last_run"),
            cell("oldest_open_age_runs")
        ),
        ("4", "0", "0", "0", "4")
    );
    // The claims' figures at the last run, and 40.00 more back than at run 3.
    assert_eq!(
        (cell("recovered"), cell("outstanding"), cell("recovered_change")),
        ("626.57", "532.90", "40.00")
    );
    let o = run(&["history", out.to_str().unwrap(), "--client", "nobody"]);
    assert_eq!(code(&o), 2);
}

/// The rows of DIR/review.csv, each column by name.
fn review_rows(out: &Path) -> Vec<BTreeMap<String, String>> {
    csv_rows(&fs::read_to_string(out.join("review.csv")).unwrap())
}

/// Every row of a CSV text, each column by name.
fn csv_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            h.iter()
                .zip(x.iter())
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        })
        .collect()
}

/// The first line of `telaudit history DIR --format csv` (with `extra`), by column.
fn history_csv(out: &Path, extra: &[&str]) -> BTreeMap<String, String> {
    let o = run(&[&["history", out.to_str().unwrap(), "--format", "csv"], extra].concat());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    csv_rows(&String::from_utf8(o.stdout).unwrap()).remove(0)
}

/// summary.csv's recoverable and monthly of a client.
fn summary_money(out: &Path, client: &str) -> (String, String) {
    let rows = csv_rows(&fs::read_to_string(out.join("summary.csv")).unwrap());
    let r = rows.iter().find(|r| r["client"] == client).unwrap();
    (r["recoverable"].clone(), r["monthly"].clone())
}

/// finding_key -> (recoverable, monthly) of a client folder's findings.csv.
fn csv_money(client_out: &Path) -> BTreeMap<String, (String, String)> {
    csv_rows(&fs::read_to_string(client_out.join("findings.csv")).unwrap())
        .into_iter()
        .map(|r| {
            (
                r["finding_key"].clone(),
                (r["recoverable"].clone(), r["monthly"].clone()),
            )
        })
        .collect()
}

/// The sums of findings.csv's recoverable and monthly columns, as two-decimal text.
fn csv_money_sums(client_out: &Path) -> (String, String) {
    let (mut rec, mut mon) = (rust_decimal::Decimal::ZERO, rust_decimal::Decimal::ZERO);
    for r in csv_rows(&fs::read_to_string(client_out.join("findings.csv")).unwrap()) {
        rec += r["recoverable"].parse::<rust_decimal::Decimal>().unwrap();
        mon += r["monthly"].parse::<rust_decimal::Decimal>().unwrap();
    }
    (format!("{rec:.2}"), format!("{mon:.2}"))
}

/// The sample client's status in summary.csv.
fn status_of(out: &Path) -> String {
    summary_clients(out)[0].1.clone()
}

/// A batch whose history cannot be used: exit 2 naming why, and the client's
/// folder and the summaries are still written.
fn refused_history(root: &Path, out: &Path, extra: &[&str], why: &str) {
    let o = run_batch(root, out, &[&["--quiet"], extra].concat());
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains(why), "{e}");
    assert!(e.contains("the history was not updated"), "{e}");
    assert!(out.join("acme-health/report.json").is_file());
    assert_eq!(summary_counts(out, "acme-health"), (String::new(), String::new()));
}

#[test]
fn a_history_that_is_not_a_database_newer_or_locked_exits_2_after_writing_the_clients() {
    let tmp = tempfile::tempdir().unwrap();
    let root = sample_root(tmp.path());

    let out = tmp.path().join("garbage");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("history.sqlite"), "this is not a database\n".repeat(100)).unwrap();
    refused_history(&root, &out, &[], "not a database");

    let newer = tmp.path().join("newer.sqlite");
    let c = Connection::open(&newer).unwrap();
    c.execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '99');")
        .unwrap();
    drop(c);
    let arg = format!("sqlite:{}", newer.display());
    refused_history(
        &root,
        &tmp.path().join("o2"),
        &["--history", &arg],
        "schema version 99, newer",
    );

    let locked = tmp.path().join("locked.sqlite");
    let c = Connection::open(&locked).unwrap();
    c.execute_batch("CREATE TABLE x (a); BEGIN EXCLUSIVE; INSERT INTO x VALUES (1);")
        .unwrap();
    let arg = format!("sqlite:{}", locked.display());
    refused_history(&root, &tmp.path().join("o3"), &["--history", &arg], "locked");
    drop(c);

    let o = run_batch(
        &root,
        &tmp.path().join("o4"),
        &[
            "--quiet",
            "--history",
            "postgres://someone:secret@127.0.0.1:1/none",
        ],
    );
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(e.contains("cannot connect") && !e.contains("secret"), "{e}");
    assert!(tmp.path().join("o4/acme-health/report.json").is_file());
}

/// The history's tables as text, minus finished_at and client_runs.status
/// (a client whose folder a killed run wrote is `unchanged` on the rerun).
fn tables(db: &Path) -> Vec<Vec<String>> {
    let mut t = rows(
        db,
        "SELECT run_id, telaudit_version, shard FROM runs ORDER BY run_id",
    );
    t.extend(rows(
        db,
        "SELECT run_id, client, recoverable, monthly, new_findings, resolved_findings FROM client_runs ORDER BY run_id, client",
    ));
    t.extend(rows(db, "SELECT * FROM findings ORDER BY client, finding_key"));
    t.extend(rows(
        db,
        "SELECT * FROM finding_changes ORDER BY run_id, client, finding_key",
    ));
    t
}

/// A batch (--force: every client written again) in the background with the
/// test delays (per client and inside the history transaction), output discarded.
fn spawn(root: &Path, out: &Path) -> std::process::Child {
    Command::new(bin())
        .args([
            "batch",
            root.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--force",
        ])
        .env("TELAUDIT_TEST_CLIENT_DELAY_MS", "20")
        .env("TELAUDIT_TEST_HISTORY_DELAY_MS", "30")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn twenty_kills_then_a_rerun_leave_the_history_of_uninterrupted_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    fs::create_dir_all(&root).unwrap();
    for i in 1..=4 {
        generate_client(
            &root.join(format!("c{i}")),
            &["--services", "20", "--seed", &i.to_string()],
        );
    }
    let killed = tmp.path().join("killed");
    ok_batch(&root, &killed);
    // Change the inputs: two clients lose the bills of the account of their
    // first finding, so its findings are resolved.
    for c in ["c1", "c3"] {
        let mut r = csv::Reader::from_path(killed.join(c).join("findings.csv")).unwrap();
        let account = r.records().next().unwrap().unwrap()[3].to_string();
        let f = file_paths(&root.join(c).join("invoices"));
        let dir = f
            .iter()
            .map(|p| p.parent().unwrap())
            .find(|d| d.file_name().unwrap().to_str() == Some(account.as_str()))
            .unwrap();
        fs::remove_dir_all(dir).unwrap();
    }
    // Even kills land by the clock while clients are written; odd ones once
    // every client's folder is written, 0 to 150 ms into the history's
    // transaction (which the test hook holds open 30 ms) or just after it.
    let mut interrupted = 0;
    for k in 0..20u64 {
        let started = std::time::SystemTime::now();
        let mut child = spawn(&root, &killed);
        if k % 2 == 0 {
            std::thread::sleep(std::time::Duration::from_millis(k * 13 % 150));
        } else {
            let written = || {
                ["c1", "c2", "c3", "c4"].iter().all(|c| {
                    fs::metadata(killed.join(c).join(".telaudit-complete"))
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| t >= started)
                })
            };
            let t0 = std::time::Instant::now();
            while !written() && t0.elapsed().as_secs() < 30 && child.try_wait().unwrap().is_none() {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            std::thread::sleep(std::time::Duration::from_millis(k * 11 % 150));
        }
        let _ = child.kill();
        if !child.wait().unwrap().success() {
            interrupted += 1;
        }
    }
    assert!(
        interrupted >= 10,
        "only {interrupted} of 20 kills interrupted a run"
    );
    let committed = rows(&killed.join("history.sqlite"), "SELECT count(*) FROM runs")[0][0].clone();
    assert_ne!(committed, "1", "no killed run got as far as its commit");
    ok_batch(&root, &killed);
    let db = killed.join("history.sqlite");
    let n_runs = rows(&db, "SELECT count(*) FROM runs")[0][0]
        .parse::<usize>()
        .unwrap();
    assert!(n_runs >= 2);
    eprintln!(
        "{interrupted} of 20 kills interrupted a run; {} runs committed",
        n_runs
    );

    // The same number of uninterrupted runs: the old inputs once, the new ones after.
    let clean = tmp.path().join("clean");
    let old_root = tmp.path().join("old");
    for i in 1..=4 {
        generate_client(
            &old_root.join(format!("c{i}")),
            &["--services", "20", "--seed", &i.to_string()],
        );
    }
    ok_batch(&old_root, &clean);
    for _ in 1..n_runs {
        ok_batch(&root, &clean);
    }
    assert_eq!(tables(&db), tables(&clean.join("history.sqlite")));
    let resolved = rows(&db, "SELECT count(*) FROM findings WHERE resolved_run = 2");
    assert_ne!(resolved[0][0], "0", "removing bill files resolves findings");
}

/// The PostgreSQL URL of scripts/postgres-test.sh's server.
fn pg_url() -> String {
    std::env::var("TELAUDIT_TEST_POSTGRES")
        .expect("set TELAUDIT_TEST_POSTGRES (scripts/postgres-test.sh does)")
}

/// Drops the history tables of the test database.
fn pg_reset(url: &str) {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.batch_execute("DROP TABLE IF EXISTS meta, runs, client_runs, findings, client_inputs, finding_changes")
        .unwrap();
}

#[test]
#[ignore = "needs PostgreSQL: scripts/postgres-test.sh"]
fn postgres_four_runs_and_concurrent_shards() {
    let url = pg_url();
    pg_reset(&url);
    let tmp = tempfile::tempdir().unwrap();
    let root = sample_root(tmp.path());
    let out = tmp.path().join("out");
    let pg = ["--quiet", "--history", url.as_str()];
    let o = run_batch(&root, &out, &pg);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let all = csv_keys(&out.join("acme-health"));
    assert_eq!(
        summary_counts(&out, "acme-health"),
        (all.len().to_string(), "0".into())
    );
    assert!(!out.join("history.sqlite").exists());
    // Schema version 2: the sample's claims brought back 626.57, 532.90 outstanding.
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let row = c
        .query_one(
            "SELECT recovered, outstanding, (SELECT value FROM meta WHERE key = 'schema_version') FROM client_runs",
            &[],
        )
        .unwrap();
    let got: (String, String, String) = (row.get(0), row.get(1), row.get(2));
    assert_eq!(got, ("626.57".into(), "532.90".into(), "3".into()));
    drop(c);
    let lumen = root.join("acme-health/invoices/lumen");
    let saved = tmp.path().join("lumen");
    for step in 0..3 {
        match step {
            1 => fs::rename(&lumen, &saved).unwrap(),
            2 => fs::rename(&saved, &lumen).unwrap(),
            _ => {}
        }
        let o = run_batch(&root, &out, &pg);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let o = run(&[
        "history",
        out.to_str().unwrap(),
        "--history",
        &url,
        "--format",
        "csv",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let cells: Vec<String> = text
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    assert_eq!(cells[1], all.len().to_string());
    assert_eq!(&cells[6..11], ["4", "0", "0", "0", "4"]);
    // The changes of each run, as in SQLite: run 3 resolved the Lumen findings, run 4 reopened them.
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let changes: Vec<(i32, String, i64)> = c
        .query(
            "SELECT run_id, change, count(*) FROM finding_changes GROUP BY run_id, change ORDER BY run_id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let lumen = all.values().filter(|c| c.contains("Lumen")).count() as i64;
    assert_eq!(
        changes,
        [
            (1, "new".to_string(), all.len() as i64),
            (3, "resolved".to_string(), lumen),
            (4, "reopened".to_string(), lumen)
        ]
    );
    let review = review_rows(&out);
    assert_eq!(review.len() as i64, lumen);
    let o = run(&[
        "history",
        out.to_str().unwrap(),
        "--history",
        &url,
        "--changes",
        "--run",
        "3",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(String::from_utf8(o.stdout).unwrap().starts_with(&format!(
        "Changes in run 3: 0 new, 0 reopened, 0 grown, {lumen} resolved\n"
    )));
    // One client's changes, its latest run by default: review.csv's rows.
    let o = run(&[
        "history",
        out.to_str().unwrap(),
        "--history",
        &url,
        "--changes",
        "--client",
        "acme-health",
        "--format",
        "csv",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        fs::read_to_string(out.join("review.csv")).unwrap()
    );
    drop(c);

    // The fees client on PostgreSQL: the same review.csv as on SQLite (a grown,
    // a new and a resolved finding, NULL money travelling in the arrays).
    pg_reset(&url);
    let fees_root = tmp.path().join("fees-root");
    let fees = fees_root.join("fees");
    bill(&fees, "a100-jan.csv", &A100_JAN);
    bill(&fees, "a200-jan.csv", &A200_JAN_DUP);
    let fees_out = tmp.path().join("fees-out");
    for step in 0..2 {
        if step == 1 {
            february(&fees);
        }
        let o = run_batch(&fees_root, &fees_out, &["--quiet", "--history", &url]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    assert_eq!(
        fs::read_to_string(fees_out.join("review.csv")).unwrap(),
        REVIEW_RUN2
    );

    // Shards of one night at once on a version-2 history: 4 processes, 8
    // clients; the first to take the lock migrates it to 3, the others see 3.
    pg_reset(&url);
    postgres::Client::connect(&url, postgres::NoTls)
        .unwrap()
        .batch_execute(&old_history_sql(2))
        .unwrap();
    let root = tmp.path().join("many");
    for i in 1..=8 {
        generate_client(
            &root.join(format!("c{i}")),
            &["--services", "10", "--seed", &i.to_string()],
        );
    }
    let kids: Vec<_> = (1..=4)
        .map(|i| {
            Command::new(bin())
                .args([
                    "batch",
                    root.to_str().unwrap(),
                    "--quiet",
                    "--shard",
                    &format!("{i}/4"),
                    "--history",
                    &url,
                ])
                .args(["--out", tmp.path().join(format!("s{i}")).to_str().unwrap()])
                .env("TELAUDIT_TEST_HISTORY_DELAY_MS", "300")
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for k in kids {
        let o = k.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let ids: Vec<i32> = c
        .query("SELECT run_id FROM runs ORDER BY run_id", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    let clients: i64 = c
        .query_one(
            "SELECT count(DISTINCT client) FROM client_runs WHERE run_id > 1",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(clients, 8);
    let shards: i64 = c
        .query_one("SELECT count(DISTINCT shard) FROM runs WHERE run_id > 1", &[])
        .unwrap()
        .get(0);
    assert_eq!(shards, 4);
    let version: String = c
        .query_one("SELECT value FROM meta WHERE key = 'schema_version'", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, "3");
    // The version-2 run is kept: its client run with the ledger's figures, its findings.
    let old: (String, Option<String>, Option<i32>) = {
        let r = c
            .query_one(
                "SELECT recoverable, recovered, grown_findings FROM client_runs WHERE run_id = 1",
                &[],
            )
            .unwrap();
        (r.get(0), r.get(1), r.get(2))
    };
    assert_eq!(old, ("55.00".to_string(), Some("10.00".to_string()), None));
    let kept: i64 = c
        .query_one(
            "SELECT count(*) FROM findings WHERE client = 'fees' AND first_run = 1",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(kept, 3);
    // Every shard's findings are new changes of its own run.
    let new: i64 = c
        .query_one("SELECT count(*) FROM finding_changes WHERE change = 'new'", &[])
        .unwrap()
        .get(0);
    let found: i64 = c
        .query_one("SELECT count(*) FROM findings WHERE first_run > 1", &[])
        .unwrap()
        .get(0);
    assert_eq!(new, found);
}

/// Issue 26, item 4: a SQLite history where the batch would destroy it or read
/// it as input is refused before any client runs (exit 2), and nothing is lost:
/// the summary it would have been is not written over, ROOT is untouched.
#[test]
fn a_history_among_the_outputs_or_inside_root_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    copy_tree(&fixture("small-client"), &root.join("acme"));
    let out = tmp.path().join("out");
    let o = run_batch(&root, &out, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let summary = fs::read(out.join("summary.json")).unwrap();
    let root_before = file_paths(&root);
    for (store, why) in [
        (
            out.join("summary.json"),
            "summary.json is a file the batch writes into --out",
        ),
        (
            out.join("index.html"),
            "index.html is a file the batch writes into --out",
        ),
        (
            out.join("review.csv"),
            "review.csv is a file the batch writes into --out",
        ),
        (
            out.join("acme/history.sqlite"),
            "it lies inside the output folder of client \"acme\"",
        ),
        (out.join("acme"), "it is the output folder of client \"acme\""),
        (root.join("acme/history.sqlite"), "it lies inside"),
        (root.join("history.sqlite"), "it lies inside"),
        (out.clone(), "it is the output folder itself"),
    ] {
        let arg = format!("sqlite:{}", store.display());
        let o = run_batch(&root, &out, &["--quiet", "--history", &arg]);
        assert_eq!(code(&o), 2, "{arg}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("--history {arg}: {why}")),
            "{}",
            stderr(&o)
        );
        assert_eq!(fs::read(out.join("summary.json")).unwrap(), summary, "{arg}");
        assert_eq!(file_paths(&root), root_before, "{arg}");
    }
    // Beside the outputs under a name of its own: fine.
    let arg = format!("sqlite:{}", out.join("team-history.sqlite").display());
    let o = run_batch(&root, &out, &["--quiet", "--history", &arg]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        rows(&out.join("team-history.sqlite"), "SELECT count(*) FROM runs")[0][0],
        "1"
    );
}

/// Issue 26, item 5: two client folders whose names are not UTF-8 and decode
/// alike (`acme\xff`, `acme\xfe`) fail each on its own, under ids that show
/// their bytes; the history records them apart and the good client's run too.
#[test]
fn client_names_that_decode_alike_stay_apart_in_the_history() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    copy_tree(&fixture("small-client"), &root.join("good"));
    for name in [&b"acme\xff"[..], &b"acme\xfe"[..]] {
        copy_tree(
            &fixture("small-client"),
            &root.join(std::ffi::OsStr::from_bytes(name)),
        );
    }
    let out = tmp.path().join("out");
    let o = run_batch(&root, &out, &["--quiet"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let rows_ = summary_clients(&out);
    let ids: Vec<(&str, &str)> = rows_.iter().map(|(c, s, _)| (c.as_str(), s.as_str())).collect();
    assert_eq!(
        ids,
        [
            ("acme\\xFE", "error"),
            ("acme\\xFF", "error"),
            ("good", "audited")
        ]
    );
    assert!(
        rows_[0]
            .2
            .as_deref()
            .unwrap()
            .contains("the folder name is not UTF-8"),
        "{rows_:?}"
    );
    let db = out.join("history.sqlite");
    assert_eq!(
        rows(&db, "SELECT client, status FROM client_runs ORDER BY client"),
        [
            vec!["acme\\xFE".to_string(), "error".to_string()],
            vec!["acme\\xFF".to_string(), "error".to_string()],
            vec!["good".to_string(), "audited".to_string()]
        ]
    );
    assert!(
        rows(&db, "SELECT count(*) FROM findings WHERE client = 'good'")[0][0] != "0",
        "the good client's findings are recorded"
    );
}

/// Issue 26, item 11: a PostgreSQL history's password never reaches a message,
/// in any form libpq accepts (user information with an `@` in the password,
/// the `password` and `sslpassword` query parameters), nor a mistyped scheme.
/// Nothing listens on port 1: the connection fails at once (exit 2).
#[test]
fn postgres_passwords_are_masked_in_every_form() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    copy_tree(&fixture("small-client"), &root.join("acme"));
    let out = tmp.path().join("out");
    for (url, shown) in [
        (
            "postgres://u:hun@ter2@127.0.0.1:1/db",
            "the history postgres://u:***@127.0.0.1:1/db: cannot connect",
        ),
        (
            "postgresql://u@127.0.0.1:1/db?password=hunter2",
            "the history postgresql://u@127.0.0.1:1/db?password=***: cannot connect",
        ),
        (
            "postgres://u:hunter2@127.0.0.1:1/db?sslpassword=hunter2&password=hunter2",
            "postgres://u:***@127.0.0.1:1/db?sslpassword=***&password=***",
        ),
        ("postgre://u:hunter2@h/db", "--history \"postgre://u:***@h/db\""),
    ] {
        let o = run_batch(&root, &out, &["--quiet", "--history", url]);
        assert_eq!(code(&o), 2, "{url}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(shown), "{url}: {err}");
        for secret in ["hunter2", "ter2"] {
            assert!(!err.contains(secret), "{url}: {err}");
        }
        let o = run(&["history", out.to_str().unwrap(), "--history", url]);
        assert_eq!(code(&o), 2, "{url}: {}", stderr(&o));
        assert!(!stderr(&o).contains("ter2"), "{url}: {}", stderr(&o));
    }
}

/// Issue 26, lesser items: a history store that is not telaudit's, or damaged,
/// is refused naming the file (exit 2) and never changed: another
/// application's SQLite database gets no telaudit tables, `schema_version
/// '-1'` is not rewritten, a money cell `'abc'` is not read as 0, and a
/// missing table names the file.
#[test]
fn a_store_that_is_not_telaudits_or_is_damaged_is_refused_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    copy_tree(&fixture("small-client"), &root.join("acme"));
    let out = tmp.path().join("out");
    let db = tmp.path().join("crm.sqlite");
    let c = Connection::open(&db).unwrap();
    c.execute_batch("CREATE TABLE customers (id INTEGER, name TEXT); INSERT INTO customers VALUES (1, 'x');")
        .unwrap();
    drop(c);
    let arg = format!("sqlite:{}", db.display());
    let o = run_batch(&root, &out, &["--quiet", "--history", &arg]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "the history {} is not empty and not telaudit's: it holds customers but no telaudit schema version",
            db.display()
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        rows(&db, "SELECT name FROM sqlite_master WHERE type = 'table'"),
        [vec!["customers".to_string()]],
        "no telaudit table added"
    );
    let o = run(&["history", out.to_str().unwrap(), "--history", &arg]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is not empty and not telaudit's"),
        "{}",
        stderr(&o)
    );

    // A telaudit history, then damaged three ways.
    let o = run_batch(&root, &out, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let h = out.join("history.sqlite");
    let damage = |sql: &str| Connection::open(&h).unwrap().execute_batch(sql).unwrap();
    damage("UPDATE findings SET recoverable = 'abc' WHERE rowid = (SELECT min(rowid) FROM findings)");
    let o = run(&["history", out.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "the history {}: findings.recoverable of client \"acme\" is \"abc\", not an amount",
            h.display()
        )),
        "{}",
        stderr(&o)
    );
    damage("UPDATE meta SET value = '-1' WHERE key = 'schema_version'");
    let o = run_batch(&root, &out, &["--quiet"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("meta.schema_version is -1, not a version of telaudit's history"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        rows(&h, "SELECT value FROM meta WHERE key = 'schema_version'")[0][0],
        "-1"
    );
    damage("UPDATE meta SET value = '1' WHERE key = 'schema_version'; DROP TABLE findings;");
    let o = run(&["history", out.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("the history {}: no such table: findings", h.display())),
        "{}",
        stderr(&o)
    );
}

const BILL_HEADER: &str =
    "carrier,account,invoice,invoice_date,period_start,period_end,service_id,charge_type,\
charge_code,description,quantity,unit_rate,amount,usage_quantity,usage_unit";

/// Writes `invoices/NAME` of a client: the canonical header, then `rows`
/// (carrier Verizon Wireless, each row from its account on).
fn bill(client: &Path, name: &str, rows: &[&str]) {
    let mut text = format!("{BILL_HEADER}\n");
    for r in rows {
        text.push_str(&format!("Verizon Wireless,{r}\n"));
    }
    fs::create_dir_all(client.join("invoices")).unwrap();
    fs::write(client.join("invoices").join(name), text).unwrap();
}

/// Account 100's January: a plan used that month, and a 15.00 late fee (FEE001).
const A100_JAN: [&str; 3] = [
    "100,V-0101,2025-01-05,2025-01-01,2025-01-31,555-0001,recurring,PLAN,Unlimited Plan,1,40.00,40.00,,",
    "100,V-0101,2025-01-05,2025-01-01,2025-01-31,555-0001,usage,VOICE,Voice Minutes,,,0.00,100,min",
    "100,V-0101,2025-01-05,2025-01-01,2025-01-31,,fee,LATE,Late Payment Fee,,,15.00,,",
];
/// Account 200's January: its plan billed twice (DUP001, 40.00).
const A200_JAN_DUP: [&str; 3] = [
    "200,V-0201,2025-01-05,2025-01-01,2025-01-31,555-0002,recurring,PLAN,Unlimited Plan,1,40.00,40.00,,",
    "200,V-0201,2025-01-05,2025-01-01,2025-01-31,555-0002,recurring,PLAN,Unlimited Plan,1,40.00,40.00,,",
    "200,V-0201,2025-01-05,2025-01-01,2025-01-31,555-0002,usage,VOICE,Voice Minutes,,,0.00,80,min",
];

/// The next month: account 100 is billed another late fee (20.00), account 200
/// its first (5.00), and account 200's January bill is reissued without the copy.
fn february(client: &Path) {
    bill(
        client,
        "a100-feb.csv",
        &[
            "100,V-0102,2025-02-05,2025-02-01,2025-02-28,555-0001,recurring,PLAN,Unlimited Plan,1,40.00,40.00,,",
            "100,V-0102,2025-02-05,2025-02-01,2025-02-28,555-0001,usage,VOICE,Voice Minutes,,,0.00,90,min",
            "100,V-0102,2025-02-05,2025-02-01,2025-02-28,,fee,LATE,Late Payment Fee,,,20.00,,",
        ],
    );
    bill(
        client,
        "a200-feb.csv",
        &[
            "200,V-0202,2025-02-05,2025-02-01,2025-02-28,555-0002,recurring,PLAN,Unlimited Plan,1,40.00,40.00,,",
            "200,V-0202,2025-02-05,2025-02-01,2025-02-28,555-0002,usage,VOICE,Voice Minutes,,,0.00,70,min",
            "200,V-0202,2025-02-05,2025-02-01,2025-02-28,,fee,LATE,Late Payment Fee,,,5.00,,",
        ],
    );
    bill(client, "a200-jan.csv", &[A200_JAN_DUP[0], A200_JAN_DUP[2]]);
}

/// review.csv of the fees client's second run (history run 2): 200's first
/// late fee is new (5.00), 100's has grown (15.00 to 35.00: its key has no
/// period, so January's and February's fees are one finding), the duplicate the
/// carrier reissued away is resolved (40.00 to nothing).
const REVIEW_RUN2: &str = "run,client,change,rule,carrier,account,service_id,description,recoverable_before,\
     recoverable_after,recoverable_change,monthly_before,monthly_after,monthly_change,finding_key\n\
     2,fees,new,FEE001,Verizon Wireless,200,,\"late payment fee 'Late Payment Fee', 1 period\",,5.00,5.00,,\
     0.00,0.00,FEE001|Verizon Wireless|200||Late Payment Fee\n\
     2,fees,grown,FEE001,Verizon Wireless,100,,\"late payment fee 'Late Payment Fee', 2 periods\",15.00,35.00,\
     20.00,0.00,0.00,0.00,FEE001|Verizon Wireless|100||Late Payment Fee\n\
     2,fees,resolved,DUP001,Verizon Wireless,200,555-0002,\"2 copies of 'Unlimited Plan' 40.00, 1 period\",\
     40.00,,-40.00,0.00,,0.00,DUP001|Verizon Wireless|200|555-0002|PLAN|Unlimited Plan\n";

const FEE100: &str = "FEE001|Verizon Wireless|100||Late Payment Fee";
const FEE200: &str = "FEE001|Verizon Wireless|200||Late Payment Fee";
const DUP200: &str = "DUP001|Verizon Wireless|200|555-0002|PLAN|Unlimited Plan";

/// Issue 27, the morning review: a late fee billed again keeps its key, so it
/// shows as grown (15.00 to 35.00), not new; a new account's late fee is new; a
/// duplicate the carrier reissued away is resolved, and reopened when the copy
/// comes back. Checked value by value in finding_changes, review.csv, `telaudit
/// history --changes` (text and CSV, --run, --client), the summaries, the index
/// and the client's report.html.
#[test]
fn a_late_fee_billed_again_grows_a_duplicate_gone_resolves_and_comes_back_reopened() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let fees = root.join("fees");
    bill(&fees, "a100-jan.csv", &A100_JAN);
    bill(&fees, "a200-jan.csv", &A200_JAN_DUP);
    let out = tmp.path().join("out");
    let dir = out.to_str().unwrap();
    ok_batch(&root, &out);
    // Run 1: FEE001 15.00 and DUP001 40.00 are new.
    assert_eq!(
        fs::read_to_string(out.join("review.csv")).unwrap(),
        "run,client,change,rule,carrier,account,service_id,description,recoverable_before,recoverable_after,\
         recoverable_change,monthly_before,monthly_after,monthly_change,finding_key\n\
         1,fees,new,DUP001,Verizon Wireless,200,555-0002,\"2 copies of 'Unlimited Plan' 40.00, 1 period\",,40.00,\
         40.00,,0.00,0.00,DUP001|Verizon Wireless|200|555-0002|PLAN|Unlimited Plan\n\
         1,fees,new,FEE001,Verizon Wireless,100,,\"late payment fee 'Late Payment Fee', 1 period\",,15.00,15.00,,\
         0.00,0.00,FEE001|Verizon Wireless|100||Late Payment Fee\n"
    );

    // Run 2: 100's fee grows to 35.00, 200's is new at 5.00, the copy is gone.
    february(&fees);
    ok_batch(&root, &out);
    let expected_run2 = REVIEW_RUN2;
    assert_eq!(fs::read_to_string(out.join("review.csv")).unwrap(), expected_run2);
    let db = out.join("history.sqlite");
    assert_eq!(
        rows(
            &db,
            "SELECT finding_key, change, recoverable_before, monthly_before, recoverable_after, monthly_after \
             FROM finding_changes WHERE run_id = 2 ORDER BY finding_key"
        ),
        [
            [DUP200, "resolved", "40.00", "0.00", "", ""],
            [FEE100, "grown", "15.00", "0.00", "35.00", "0.00"],
            [FEE200, "new", "", "", "5.00", "0.00"],
        ]
    );
    // The grown fee keeps its first run; the summary counts 1 new, 1 resolved, 1 grown.
    assert_eq!(
        rows(
            &db,
            "SELECT finding_key, first_run, last_run, recoverable, recoverable_in_totals FROM findings ORDER BY finding_key"
        ),
        [
            [DUP200, "1", "1", "40.00", "40.00"],
            [FEE100, "1", "2", "35.00", "35.00"],
            [FEE200, "2", "2", "5.00", "5.00"],
        ]
    );
    let summary = csv_rows(&fs::read_to_string(out.join("summary.csv")).unwrap());
    let s = &summary[0];
    assert_eq!(
        (
            s["recoverable"].as_str(),
            s["new_findings"].as_str(),
            s["resolved_findings"].as_str(),
            s["grown_findings"].as_str()
        ),
        ("40.00", "1", "1", "1")
    );
    assert_eq!(
        read_json(&out.join("summary.json"))["clients"][0]["grown_findings"],
        1
    );
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains(
        r#"<a href="review.csv">review.csv</a> lists every finding that changed in this run (1 new, 0 reopened, 1 grown, 1 resolved)"#
    ));
    // The client's report.html (the batch's copy) lists the three changes.
    let html = fs::read_to_string(out.join("fees/report.html")).unwrap();
    assert!(html.contains(
        "Since run 1 of the history: <b>1 new</b>, <b>0 reopened</b>, <b>1 grown</b> (recoverable rose since \
         the last run that saw it), <b>1 resolved</b>"
    ));
    for row in [
        r#"<tr><td><b>new</b></td><td><span class="tag">FEE001</span> late payment fee &#39;Late Payment Fee&#39;, 1 period</td><td>Verizon Wireless &middot; account 200 &middot; account level</td><td class="m"></td><td class="m">5.00</td><td class="m"></td><td class="m">0.00</td></tr>"#,
        r#"<tr><td><b>grown</b></td><td><span class="tag">FEE001</span> late payment fee &#39;Late Payment Fee&#39;, 2 periods</td><td>Verizon Wireless &middot; account 100 &middot; account level</td><td class="m">15.00</td><td class="m">35.00</td><td class="m">0.00</td><td class="m">0.00</td></tr>"#,
        r#"<tr><td><b>resolved</b></td><td><span class="tag">DUP001</span> 2 copies of &#39;Unlimited Plan&#39; 40.00, 1 period</td><td>Verizon Wireless &middot; account 200 &middot; service 555-0002</td><td class="m">40.00</td><td class="m"></td><td class="m">0.00</td><td class="m"></td></tr>"#,
    ] {
        assert!(html.contains(row), "{row}\n{html}");
    }
    // `telaudit history --changes`: the latest run, as text.
    let o = run(&["history", dir, "--changes"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        "Changes in run 2: 1 new, 0 reopened, 1 grown, 1 resolved\n\
client  change    rule    carrier           account  service   description                                     recoverable before  after  difference  monthly before  after  difference\n\
fees    new       FEE001  Verizon Wireless  200                late payment fee 'Late Payment Fee', 1 period                        5.00        5.00                   0.00        0.00\n\
fees    grown     FEE001  Verizon Wireless  100                late payment fee 'Late Payment Fee', 2 periods               15.00  35.00       20.00            0.00   0.00        0.00\n\
fees    resolved  DUP001  Verizon Wireless  200      555-0002  2 copies of 'Unlimited Plan' 40.00, 1 period                 40.00             -40.00            0.00               0.00\n"
    );
    // The CSV form is review.csv's.
    let o = run(&["history", dir, "--changes", "--format", "csv"]);
    assert_eq!(String::from_utf8(o.stdout).unwrap(), expected_run2);

    // Run 3: the copy is billed again: the duplicate reopens, nothing else changed.
    bill(&fees, "a200-jan.csv", &A200_JAN_DUP);
    ok_batch(&root, &out);
    let review = review_rows(&out);
    assert_eq!(review.len(), 1);
    let r = &review[0];
    assert_eq!(
        (
            r["run"].as_str(),
            r["change"].as_str(),
            r["finding_key"].as_str(),
            r["recoverable_before"].as_str(),
            r["recoverable_after"].as_str(),
            r["recoverable_change"].as_str()
        ),
        ("3", "reopened", DUP200, "40.00", "40.00", "0.00")
    );
    let line = history_csv(&out, &[]);
    assert_eq!(
        (
            line["open_findings"].as_str(),
            line["recoverable"].as_str(),
            line["findings_recoverable"].as_str(),
            line["new_in_last_run"].as_str(),
            line["grown_in_last_run"].as_str(),
            line["oldest_open_age_runs"].as_str()
        ),
        ("3", "80.00", "80.00", "0", "0", "3")
    );
    // An earlier run by --run, one client by --client (its latest run by default).
    let o = run(&["history", dir, "--changes", "--run", "2", "--format", "csv"]);
    assert_eq!(String::from_utf8(o.stdout).unwrap(), expected_run2);
    let o = run(&["history", dir, "--changes", "--client", "fees"]);
    assert!(String::from_utf8(o.stdout)
        .unwrap()
        .starts_with("Changes in run 3 of client fees: 0 new, 1 reopened, 0 grown, 0 resolved\n"));
    for (args, why) in [
        (
            vec!["--changes", "--run", "9"],
            "holds no run 9 (its runs are 1 to 3)",
        ),
        (
            vec!["--changes", "--client", "nobody"],
            "holds no client \"nobody\"",
        ),
    ] {
        let o = run(&[&["history", dir][..], &args].concat());
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(
            stderr(&o).contains(&format!("the history {} {why}", db.display())),
            "{}",
            stderr(&o)
        );
    }
    let o = run(&["history", dir, "--run", "2"]);
    assert_eq!(code(&o), 2, "--run without --changes is a usage error");

    // A run whose history cannot be written leaves no review.csv to pass for its own.
    let o = run_batch(
        &root,
        &out,
        &["--quiet", "--force", "--history", "postgres://u@127.0.0.1:1/x"],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(!out.join("review.csv").exists());
    assert!(!fs::read_to_string(out.join("index.html"))
        .unwrap()
        .contains("review.csv"));
}

/// Schema version 1 as telaudit 0.1 released it (history.md section 2, and
/// telaudit's `client_inputs`): frozen here, as a released migration is.
const SCHEMA_V1: &str = "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (run_id INTEGER PRIMARY KEY, finished_at TEXT NOT NULL, telaudit_version TEXT NOT NULL,
  shard TEXT NOT NULL);
CREATE TABLE client_runs (run_id INTEGER NOT NULL, client TEXT NOT NULL, status TEXT NOT NULL,
  recoverable TEXT, monthly TEXT, new_findings INTEGER NOT NULL, resolved_findings INTEGER NOT NULL,
  PRIMARY KEY (run_id, client));
CREATE TABLE findings (client TEXT NOT NULL, finding_key TEXT NOT NULL, rule TEXT NOT NULL,
  carrier TEXT NOT NULL, account TEXT NOT NULL, service_id TEXT NOT NULL, description TEXT NOT NULL,
  recoverable TEXT NOT NULL, monthly TEXT NOT NULL, first_run INTEGER NOT NULL, last_run INTEGER NOT NULL,
  resolved_run INTEGER, PRIMARY KEY (client, finding_key));
CREATE TABLE client_inputs (client TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, run_id INTEGER NOT NULL);";

/// Version 2's migration (issue 23), frozen.
const SCHEMA_V2: &str = "ALTER TABLE client_runs ADD COLUMN recovered TEXT;
ALTER TABLE client_runs ADD COLUMN outstanding TEXT;";

/// A history of `version` (1 or 2) holding one run of the fees client (its
/// January bills): the late fee at 15.00 and the duplicate at 40.00, both
/// open, and a finding resolved in that run. Works on SQLite and PostgreSQL.
fn old_history_sql(version: u32) -> String {
    let mut sql = format!("{SCHEMA_V1}\n");
    if version >= 2 {
        sql.push_str(SCHEMA_V2);
        sql.push('\n');
    }
    let ledger = if version >= 2 {
        ", recovered, outstanding"
    } else {
        ""
    };
    let ledger_values = if version >= 2 { ", '10.00', '5.00'" } else { "" };
    sql.push_str(&format!(
        "INSERT INTO meta VALUES ('schema_version', '{version}');
         INSERT INTO runs VALUES (1, '2025-01-06T00:00:00Z', '0.1.0', '');
         INSERT INTO client_runs (run_id, client, status, recoverable, monthly, new_findings, resolved_findings{ledger})
           VALUES (1, 'fees', 'audited', '55.00', '0.00', 3, 1{ledger_values});
         INSERT INTO findings VALUES
           ('fees', '{FEE100}', 'FEE001', 'Verizon Wireless', '100', '', 'late payment fee ''Late Payment Fee'', 1 period', '15.00', '0.00', 1, 1, NULL),
           ('fees', '{DUP200}', 'DUP001', 'Verizon Wireless', '200', '555-0002', '2 copies of ''Unlimited Plan'' 40.00, 1 period', '40.00', '0.00', 1, 1, NULL),
           ('fees', 'FEE001|Verizon Wireless|300||Late Payment Fee', 'FEE001', 'Verizon Wireless', '300', '', 'late payment fee', '7.00', '0.00', 1, 1, 1);
         INSERT INTO client_inputs VALUES ('fees', 'an older fingerprint', 1);"
    ));
    sql
}

/// Issue 27: a history of schema version 1 or 2 is migrated to 3 by the next
/// batch run, inside its transaction, and keeps its data: the earlier run, its
/// client run (with version 2's recovered and outstanding), each finding's first
/// run, a finding resolved before. The new columns are NULL for what was
/// recorded before; until the migration, `telaudit history` shows no shares of
/// the totals (unknown, not partial) and `--changes` says why it has none.
#[test]
fn a_version_1_or_2_history_is_migrated_to_3_keeping_its_data() {
    for version in [1u32, 2] {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        let fees = root.join("fees");
        bill(&fees, "a100-jan.csv", &A100_JAN);
        bill(&fees, "a200-jan.csv", &A200_JAN_DUP);
        let db = tmp.path().join("h.sqlite");
        Connection::open(&db)
            .unwrap()
            .execute_batch(&old_history_sql(version))
            .unwrap();
        let out = tmp.path().join("out");
        let arg = format!("sqlite:{}", db.display());
        // Before: telaudit history reads it as it is (never migrating it).
        let line = history_csv(&out, &["--history", &arg]);
        assert_eq!(
            (
                line["open_findings"].as_str(),
                line["recoverable"].as_str(),
                line["findings_recoverable"].as_str(),
                line["grown_in_last_run"].as_str()
            ),
            ("2", "", "55.00", ""),
            "version {version}"
        );
        let o = run(&["history", out.to_str().unwrap(), "--history", &arg, "--changes"]);
        assert_eq!(code(&o), 2);
        assert!(
            stderr(&o).contains(&format!(
                "the history {} has schema version {version}: the changes of each run are recorded from version 3 on",
                db.display()
            )),
            "{}",
            stderr(&o)
        );
        assert_eq!(
            rows(&db, "SELECT value FROM meta WHERE key = 'schema_version'")[0][0],
            version.to_string()
        );

        february(&fees);
        let o = run_batch(&root, &out, &["--quiet", "--history", &arg]);
        assert_eq!(code(&o), 0, "version {version}: {}", stderr(&o));
        assert_eq!(
            rows(&db, "SELECT value FROM meta WHERE key = 'schema_version'"),
            [["3"]]
        );
        assert_eq!(
            rows(
                &db,
                "SELECT run_id, finished_at, telaudit_version FROM runs WHERE run_id = 1"
            ),
            [["1", "2025-01-06T00:00:00Z", "0.1.0"]]
        );
        let (rec, out_) = if version >= 2 { ("10.00", "5.00") } else { ("", "") };
        assert_eq!(
            rows(
                &db,
                "SELECT run_id, status, recoverable, new_findings, resolved_findings, recovered, outstanding, \
                 grown_findings FROM client_runs ORDER BY run_id"
            ),
            [
                ["1", "audited", "55.00", "3", "1", rec, out_, ""],
                ["2", "audited", "40.00", "1", "1", "", "", "1"],
            ]
        );
        assert_eq!(
            rows(
                &db,
                "SELECT finding_key, first_run, last_run, resolved_run, recoverable, recoverable_in_totals, \
                 monthly_in_totals FROM findings ORDER BY finding_key"
            ),
            [
                [DUP200, "1", "1", "2", "40.00", "", ""],
                [FEE100, "1", "2", "", "35.00", "35.00", "0.00"],
                [FEE200, "2", "2", "", "5.00", "5.00", "0.00"],
                [
                    "FEE001|Verizon Wireless|300||Late Payment Fee",
                    "1",
                    "1",
                    "1",
                    "7.00",
                    "",
                    ""
                ],
            ]
        );
        assert_eq!(
            rows(
                &db,
                "SELECT run_id, finding_key, change, recoverable_before, recoverable_after FROM finding_changes \
                 ORDER BY finding_key"
            ),
            [
                ["2", DUP200, "resolved", "40.00", ""],
                ["2", FEE100, "grown", "15.00", "35.00"],
                ["2", FEE200, "new", "", "5.00"],
            ]
        );
        let line = history_csv(&out, &["--history", &arg]);
        assert_eq!(
            (
                line["recoverable"].as_str(),
                line["findings_recoverable"].as_str(),
                line["oldest_open_age_runs"].as_str()
            ),
            ("40.00", "40.00", "2")
        );
    }
}
