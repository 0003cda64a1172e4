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
        [["2"]]
    );

    // Run 2: nothing changed; the open findings are seen again.
    ok_batch(&root, &out);
    assert_eq!(status_of(&out), "unchanged");
    assert_eq!(summary_counts(&out, "acme-health"), ("0".into(), "0".into()));

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

    // The tables, as history.md section 3 says.
    let runs = rows(&db, "SELECT run_id, shard FROM runs ORDER BY run_id");
    assert_eq!(runs, [["1", ""], ["2", ""], ["3", ""], ["4", ""]]);
    let cr = rows(
        &db,
        "SELECT run_id, status, new_findings, resolved_findings FROM client_runs ORDER BY run_id",
    );
    let n = all.len().to_string();
    let g = gone.len().to_string();
    assert_eq!(
        cr,
        [
            ["1", "audited", n.as_str(), "0"],
            ["2", "unchanged", "0", "0"],
            ["3", "audited", "0", g.as_str()],
            ["4", "audited", "0", "0"],
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
    let o = run(&[
        "history",
        out.to_str().unwrap(),
        "--client",
        "acme-health",
        "--format",
        "csv",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let line = text.lines().nth(1).unwrap();
    let cells: Vec<&str> = line.split(',').collect();
    assert_eq!(cells[0], "acme-health");
    assert_eq!(cells[1], n);
    assert_eq!(&cells[4..8], ["4", "0", "0", "4"]);
    // The claims' figures at the last run, and 40.00 more back than at run 3.
    assert_eq!(&cells[8..], ["626.57", "532.90", "40.00"]);
    let o = run(&["history", out.to_str().unwrap(), "--client", "nobody"]);
    assert_eq!(code(&o), 2);
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
    c.batch_execute("DROP TABLE IF EXISTS meta, runs, client_runs, findings, client_inputs")
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
    assert_eq!(got, ("626.57".into(), "532.90".into(), "2".into()));
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
    assert_eq!(&cells[4..8], ["4", "0", "0", "4"]);

    // Shards of one night at once: 4 processes, 8 clients, one history.
    pg_reset(&url);
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
    assert_eq!(ids, [1, 2, 3, 4]);
    let clients: i64 = c
        .query_one("SELECT count(DISTINCT client) FROM client_runs", &[])
        .unwrap()
        .get(0);
    assert_eq!(clients, 8);
    let shards: i64 = c
        .query_one("SELECT count(DISTINCT shard) FROM runs", &[])
        .unwrap()
        .get(0);
    assert_eq!(shards, 4);
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
