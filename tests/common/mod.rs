//! Helpers shared by the end-to-end tests: run the real binary on folders.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The canonical charge CSV header (formats.md).
pub const HEADER: &str =
    "carrier,account,invoice,invoice_date,period_start,period_end,service_id,charge_type,\
                          charge_code,description,quantity,unit_rate,amount,usage_quantity,usage_unit";

/// The property tests' configuration: `cases` cases from a fixed seed, so that
/// `.ci/run` checks the same cases every time and a failure reproduces. Set
/// `PROPTEST_RNG_SEED=<n>` to explore other cases (docs/testing.md).
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    let default = proptest::test_runner::Config::default();
    let rng_seed = match default.rng_seed {
        proptest::test_runner::RngSeed::Random => proptest::test_runner::RngSeed::Fixed(20_261_201),
        chosen => chosen,
    };
    proptest::test_runner::Config {
        cases,
        rng_seed,
        ..default
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_telaudit")
}

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The real (anonymised) carrier exports, `shared/carrier-samples` beside the
/// repository (or beside a folder above it: a git worktree's checkout sits deeper
/// than the main one); None when there are none (the tests that need them skip).
pub fn carrier_samples() -> Option<PathBuf> {
    let found = root()
        .ancestors()
        .skip(1)
        .map(|a| a.join("shared/carrier-samples"))
        .find(|p| p.is_dir());
    if found.is_none() {
        eprintln!("skipped: no shared/carrier-samples beside the repository or above it");
    }
    found
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

pub fn run(args: &[&str]) -> Output {
    Command::new(bin()).args(args).output().unwrap()
}

pub fn run_audit(client: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["audit", client.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

/// `telaudit batch ROOT --out OUT EXTRA..`.
pub fn run_batch(root: &Path, out: &Path, extra: &[&str]) -> Output {
    run_batch_env(root, out, extra, &[])
}

/// [`run_batch`] with extra environment variables.
pub fn run_batch_env(root: &Path, out: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(bin());
    c.args(["batch", root.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .args(extra);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// A quiet `telaudit batch` started in the background (output discarded), each
/// client sleeping `delay_ms` between its files and its marker.
pub fn spawn_batch(root: &Path, out: &Path, extra: &[&str], delay_ms: u64) -> Child {
    Command::new(bin())
        .args([
            "batch",
            root.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .args(extra)
        .env("TELAUDIT_TEST_CLIENT_DELAY_MS", delay_ms.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// `telaudit generate DIR EXTRA..`, which must succeed.
pub fn generate_client(dir: &Path, extra: &[&str]) {
    let mut args = vec!["generate", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// summary.json's clients, in its order: (client, status, error).
pub fn summary_clients(out: &Path) -> Vec<(String, String, Option<String>)> {
    read_json(&out.join("summary.json"))["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["client"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
                r["error"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// Every file below `dir` (following links to folders), sorted.
pub fn file_paths(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(file_paths(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Every file below `dir`: path relative to `dir` -> bytes.
pub fn files_below(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    file_paths(dir)
        .into_iter()
        .map(|p| {
            (
                p.strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

/// Copies a folder tree (regular files only).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// by_rule as a map rule -> (findings, recoverable, monthly).
pub fn by_rule(report: &serde_json::Value) -> BTreeMap<String, (u64, String, String)> {
    report["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_string(),
                (
                    r["findings"].as_u64().unwrap(),
                    r["recoverable"].as_str().unwrap().to_string(),
                    r["monthly"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

/// A `by_rule` entry as [`by_rule`] gives it: (findings, recoverable, monthly).
pub fn figures(findings: u64, recoverable: &str, monthly: &str) -> (u64, String, String) {
    (findings, recoverable.to_string(), monthly.to_string())
}

/// A batch output tree without what depends on the finding history's past
/// (docs/history.md): history.sqlite and review.csv are removed, the summaries'
/// new_findings, resolved_findings and grown_findings are blanked, and
/// report.html's "since the last run" marks and section are taken out. What is
/// left must equal a clean run's however many runs (or killed runs) came before.
pub fn without_history(tree: &mut BTreeMap<PathBuf, Vec<u8>>) {
    tree.remove(Path::new("history.sqlite"));
    tree.remove(Path::new("review.csv"));
    for (path, bytes) in tree.iter_mut() {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !["summary.csv", "summary.json", "report.html"].contains(&name) {
            continue;
        }
        let text = String::from_utf8_lossy(bytes).into_owned();
        let mut in_since = false;
        let out: Vec<String> = text
            .split_inclusive('\n')
            .filter(|l| !l.starts_with("<p class=\"muted\">Since run "))
            .filter(|l| {
                // report.html's "Since the last run" section, from its opening line to its end.
                if l.starts_with(r#"<section id="since""#) {
                    in_since = true;
                }
                let keep = !in_since;
                if in_since && l.contains("</section>") {
                    in_since = false;
                }
                keep
            })
            .map(|l| match name {
                "summary.csv" => {
                    // new_findings and resolved_findings come before recovered and
                    // outstanding, which stay; grown_findings is last.
                    let end = l.trim_end_matches('\n');
                    let mut parts = end.rsplitn(6, ',');
                    let (_grown, outstanding, recovered) = (parts.next(), parts.next(), parts.next());
                    let (_, _, rest) = (parts.next(), parts.next(), parts.next());
                    match (rest, recovered, outstanding) {
                        (Some(rest), Some(r), Some(o)) => format!("{rest},{r},{o}\n"),
                        _ => format!("{end}\n"),
                    }
                }
                "summary.json"
                    if ["\"new_findings\"", "\"resolved_findings\"", "\"grown_findings\""]
                        .iter()
                        .any(|k| l.trim_start().starts_with(k)) =>
                {
                    String::new()
                }
                "summary.json"
                    if l.trim_start().starts_with("\"error\"")
                        || l.trim_start().starts_with("\"outstanding\"") =>
                {
                    l.trim_end().trim_end_matches(',').to_string() + "\n"
                }
                _ => l
                    .replace(r#" <span class="tag">new since the last run</span>"#, "")
                    .replace(r#" <span class="tag">reopened since the last run</span>"#, ""),
            })
            .collect();
        *bytes = out.concat().into_bytes();
    }
}
