//! End-to-end: the adversarial corpus of `tests/adversarial/`, one case per folder,
//! each run through the real binary and checked against the `expected.toml` beside it
//! (exit status, refused file:line and reason, rows, billed_total, messages); plus
//! formula-safety of every CSV telaudit writes, hostile names that must not write
//! outside `--out`, the `--out` rules, two batches on one folder, and a batch killed
//! at 20 moments then rerun.
//!
//! `expected.toml` (all keys but `exit` optional):
//!
//! ```toml
//! description = "what the case is"
//! args = ["audit", "client", "--out", "out"]   # the default; run in the case's copy
//! exit = 1
//! rows = 2                  # report.json input.rows
//! rejected_rows = 1         # report.json input.rejected_rows
//! billed_total = "100.00"   # report.json input.billed_total
//! last_period = "2025-03-01"  # report.json input.last_period
//! client = "client"         # report.json client
//! no_report = true          # the output folder is left as it was (refused before writing)
//! stderr = ["substring"]    # each must appear on stderr
//! report_md = ["substring"] # each must appear in report.md (findings, warnings)
//! [[refused]]               # rejected.csv holds exactly these, in order
//! file = "invoices/bad.csv"
//! line = 3                  # omitted: the whole file
//! reason = "substring"
//! [[setup.symlinks]]        # made before the run (not committed: links are hazards)
//! link = "client/invoices/loop"
//! target = ".."
//! [setup]
//! fifos = ["client/invoices/pipe.csv"]   # named pipes (reading one would block)
//! [[setup.generated]]       # large inputs written by the test, not committed
//! path = "client/invoices/big.csv"
//! kind = "huge_field"       # or "wide_header", "wide_row", "chunked_mix", "deep_path"
//!                           # (a bill 25 folders of 200 bytes down: past the system's
//!                           # path limit), "zip_long_member" (a zip whose member name
//!                           # is 64 KB), "zips_a_b_c" (a.zip, b.zip, c.zip of one small
//!                           # bill each, in the folder `path`), "zip_member_twice"
//!                           # (dup.zip holding the same bill twice under one name, in
//!                           # the folder `path`), "zip_and_loose_copy" (a.zip holding
//!                           # bill.csv, and bill.csv beside it, in the folder `path`),
//!                           # "zip_in_zip" (a.zip holding inner.zip, itself holding a
//!                           # bill, and good.csv, in the folder `path`)
//! [setup.env]               # environment of the run
//! TELAUDIT_ARCHIVE_BUDGET = "700"
//! dispute_files = 2         # how many dispute CSVs disputes/ holds (top level)
//! skipped_files = 1         # report.json input.skipped_files
//! unrecognised_files = 0    # report.json input.unrecognised_files
//! ```
//!
//! Every case is also checked for what must hold whatever the input: no panic, exit
//! 0, 1 or 2, nothing written outside the output folder, and a second run writing
//! byte-identical report.json, findings.csv and rejected.csv.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    description: String,
    args: Option<Vec<String>>,
    exit: i32,
    rows: Option<u64>,
    rejected_rows: Option<u64>,
    billed_total: Option<String>,
    last_period: Option<String>,
    client: Option<String>,
    /// For `telaudit batch`: the clients summary.json must list, each `audited`
    /// with its report in `<out>/<client>/`.
    batch_clients: Option<Vec<String>>,
    #[serde(default)]
    no_report: bool,
    /// How many `disputes/<carrier>/<account>.csv` files the run writes.
    dispute_files: Option<usize>,
    /// report.json's input.skipped_files (formats.md section 11).
    skipped_files: Option<u64>,
    /// report.json's input.unrecognised_files.
    unrecognised_files: Option<u64>,
    #[serde(default)]
    stderr: Vec<String>,
    #[serde(default)]
    report_md: Vec<String>,
    refused: Option<Vec<Refused>>,
    #[serde(default)]
    setup: Setup,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Refused {
    file: String,
    line: Option<u64>,
    reason: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Setup {
    #[serde(default)]
    symlinks: Vec<Symlink>,
    #[serde(default)]
    generated: Vec<Generated>,
    /// Named pipes (mkfifo): reading one would block forever.
    #[serde(default)]
    fifos: Vec<String>,
    /// Environment variables of the run (`TELAUDIT_ARCHIVE_BUDGET`).
    #[serde(default)]
    env: BTreeMap<String, String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Symlink {
    link: String,
    target: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Generated {
    path: String,
    kind: String,
}

/// A good charge row for service `svc` of account A1 (March 2025).
fn good_row(svc: &str, amount: &str) -> String {
    format!("Acme,A1,INV1,2025-03-05,2025-03-01,2025-03-31,{svc},recurring,PLAN,Plan,1,,{amount},,\n")
}

fn generate(path: &Path, kind: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut f = std::io::BufWriter::new(fs::File::create(path).unwrap());
    writeln!(f, "{HEADER}").unwrap();
    f.write_all(good_row("G1", "40.00").as_bytes()).unwrap();
    match kind {
        // Line 3: one quoted 50 MB description spread over 50 lines; then a good row.
        "huge_field" => {
            f.write_all(b"Acme,A1,INV1,2025-03-05,2025-03-01,2025-03-31,BIG,recurring,PLAN,\"")
                .unwrap();
            let chunk = "x".repeat(1 << 20);
            for _ in 0..50 {
                f.write_all(chunk.as_bytes()).unwrap();
                f.write_all(b"\n").unwrap();
            }
            f.write_all(b"\",1,,5.00,,\n").unwrap();
        }
        // A row of 10,000 fields under a header of 15.
        "wide_row" => {
            let mut row = good_row("WIDE", "7.00").trim_end().to_string();
            row.push_str(&",z".repeat(10_000 - 15));
            writeln!(f, "{row}").unwrap();
        }
        other => panic!("unknown generated kind {other}"),
    }
    f.write_all(good_row("G2", "60.00").as_bytes()).unwrap();
    // A refused row last: its line number shows the count stayed right.
    f.write_all(good_row("LAST", "1e5").as_bytes()).unwrap();
    f.flush().unwrap();
}

/// A canonical file whose header has 10,000 columns (15 known, the rest unknown).
fn generate_wide_header(path: &Path) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let extra: String = (15..10_000).map(|i| format!(",extra{i}")).collect();
    let pad = ",".repeat(10_000 - 15);
    let mut text = format!("{HEADER}{extra}\n");
    for (svc, amt) in [("W1", "40.00"), ("W2", "60.00"), ("LAST", "1e5")] {
        text.push_str(good_row(svc, amt).trim_end());
        text.push_str(&pad);
        text.push('\n');
    }
    fs::write(path, text).unwrap();
}

/// A 22 MB canonical file (big files are read in parallel chunks) of 240,001
/// one-dollar rows with, at known lines, a 3 MB field (line 120002), a NUL byte
/// (180003), a guarded formula (180004, read) and a bad amount (240005).
fn generate_chunked_mix(path: &Path) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut f = std::io::BufWriter::new(fs::File::create(path).unwrap());
    let row = |svc: &str, desc: &str, amount: &str| {
        format!("Acme,A1,INV1,2025-03-05,2025-03-01,2025-03-31,{svc},one_time,PLAN,{desc},1,,{amount},,\n")
    };
    writeln!(f, "{HEADER}").unwrap();
    let mut put = |s: String| f.write_all(s.as_bytes()).unwrap();
    for i in 0..120_000 {
        put(row(&format!("S{i}"), "Plan", "1.00"));
    }
    put(row("BIG", &"x".repeat(3_000_000), "1.00"));
    for i in 0..60_000 {
        put(row(&format!("T{i}"), "Plan", "1.00"));
    }
    put(row("NUL", "Pl\0an", "1.00"));
    put(row("G", "'=SUM(A1)", "1.00"));
    for i in 0..60_000 {
        put(row(&format!("U{i}"), "Plan", "1.00"));
    }
    put(row("LAST", "Plan", "1e5"));
    f.flush().unwrap();
}

/// A small canonical bill: services `{p}1` (40.00) and `{p}2` (60.00).
fn small_bill(p: &str) -> String {
    format!(
        "{HEADER}\n{}{}",
        good_row(&format!("{p}1"), "40.00"),
        good_row(&format!("{p}2"), "60.00")
    )
}

/// A bill 25 folders of 200 bytes below `dir` (5,000 bytes of path: past the
/// 4,096 the system allows, so made one folder at a time by a shell).
fn generate_deep_path(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    let bill = dir.join("d.csv");
    fs::write(&bill, small_bill("D")).unwrap();
    let script = format!(
        "for i in $(seq 1 25); do mkdir {d} && cd -P {d} || exit 1; done; cp \"$0\" deep.csv",
        d = "d".repeat(200)
    );
    let o = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .arg(&bill)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Every entry below `dir` (not following links): path -> bytes (links: their target).
fn snapshot(dir: &Path, skip: &[PathBuf]) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, d: &Path, skip: &[PathBuf], m: &mut BTreeMap<PathBuf, Vec<u8>>) {
        // Past the system's path limit (the deep_path case) nothing can be read.
        let Ok(entries) = fs::read_dir(d) else { return };
        for e in entries {
            let p = e.unwrap().path();
            if skip.iter().any(|s| p.starts_with(s)) {
                continue;
            }
            let rel = p.strip_prefix(base).unwrap().to_path_buf();
            let Ok(meta) = fs::symlink_metadata(&p) else {
                m.insert(rel, b"<too deep>".to_vec());
                continue;
            };
            if meta.file_type().is_symlink() {
                m.insert(
                    rel,
                    fs::read_link(&p).unwrap().into_os_string().into_encoded_bytes(),
                );
            } else if meta.is_dir() {
                m.insert(rel, b"<dir>".to_vec());
                walk(base, &p, skip, m);
            } else if meta.is_file() {
                m.insert(rel, fs::read(&p).unwrap());
            } else {
                // A named pipe: never opened (that would block).
                m.insert(rel, b"<special>".to_vec());
            }
        }
    }
    let mut m = BTreeMap::new();
    walk(dir, dir, skip, &mut m);
    m
}

/// rejected.csv as (file, line, reason) rows.
fn rejected(out: &Path) -> Vec<(String, String, String)> {
    let path = out.join("rejected.csv");
    if !path.exists() {
        return Vec::new();
    }
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[0].to_string(), rec[1].to_string(), rec[2].to_string())
        })
        .collect()
}

fn run_in(dir: &Path, args: &[String], env: &BTreeMap<String, String>) -> std::process::Output {
    Command::new(bin())
        .args(args)
        .envs(env)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// How many dispute CSVs `out/disputes/` holds, one folder down.
fn dispute_files(out: &Path) -> usize {
    let Ok(carriers) = fs::read_dir(out.join("disputes")) else {
        return 0;
    };
    carriers
        .map(|c| c.unwrap().path())
        .filter(|c| c.is_dir())
        .flat_map(|c| fs::read_dir(c).unwrap())
        .filter(|f| f.as_ref().unwrap().path().extension().is_some_and(|e| e == "csv"))
        .count()
}

fn check_case(case: &Path) -> Result<(), String> {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let exp: Expected = toml::from_str(&fs::read_to_string(case.join("expected.toml")).unwrap())
        .map_err(|e| format!("{name}: bad expected.toml: {e}"))?;
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("case");
    copy_tree(case, &work);
    fs::remove_file(work.join("expected.toml")).unwrap();
    for g in &exp.setup.generated {
        match g.kind.as_str() {
            "wide_header" => generate_wide_header(&work.join(&g.path)),
            "chunked_mix" => generate_chunked_mix(&work.join(&g.path)),
            "deep_path" => generate_deep_path(&work.join(&g.path)),
            "zip_long_member" => {
                let name = format!("{}.csv", "_".repeat(65_000));
                let zip = telaudit_parse::write_zip(&[(&name, small_bill("Z").as_bytes())], true);
                fs::write(work.join(&g.path), zip).unwrap();
            }
            "zips_a_b_c" => {
                fs::create_dir_all(work.join(&g.path)).unwrap();
                for p in ["a", "b", "c"] {
                    let bill = small_bill(&p.to_uppercase());
                    let zip = telaudit_parse::write_zip(&[("m.csv", bill.as_bytes())], false);
                    fs::write(work.join(&g.path).join(format!("{p}.zip")), zip).unwrap();
                }
            }
            "zip_member_twice" => {
                fs::create_dir_all(work.join(&g.path)).unwrap();
                let bill = small_bill("D");
                let zip = telaudit_parse::write_zip(
                    &[("bill.csv", bill.as_bytes()), ("bill.csv", bill.as_bytes())],
                    true,
                );
                fs::write(work.join(&g.path).join("dup.zip"), zip).unwrap();
            }
            "zip_in_zip" => {
                fs::create_dir_all(work.join(&g.path)).unwrap();
                let inner = telaudit_parse::write_zip(&[("bill.csv", small_bill("I").as_bytes())], true);
                let outer = telaudit_parse::write_zip(
                    &[
                        ("inner.zip", &inner[..]),
                        ("good.csv", small_bill("O").as_bytes()),
                    ],
                    true,
                );
                fs::write(work.join(&g.path).join("a.zip"), outer).unwrap();
            }
            "zip_and_loose_copy" => {
                fs::create_dir_all(work.join(&g.path)).unwrap();
                let bill = small_bill("L");
                let zip = telaudit_parse::write_zip(&[("bill.csv", bill.as_bytes())], true);
                fs::write(work.join(&g.path).join("a.zip"), zip).unwrap();
                fs::write(work.join(&g.path).join("bill.csv"), bill).unwrap();
            }
            k => generate(&work.join(&g.path), k),
        }
    }
    for f in &exp.setup.fifos {
        let o = Command::new("mkfifo").arg(work.join(f)).output().unwrap();
        assert!(o.status.success(), "mkfifo {f}");
    }
    for s in &exp.setup.symlinks {
        let link = work.join(&s.link);
        fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(&s.target, &link).unwrap();
    }
    let args: Vec<String> = exp
        .args
        .clone()
        .unwrap_or_else(|| ["audit", "client", "--out", "out"].map(String::from).to_vec());
    let out_arg = args
        .iter()
        .position(|a| a == "--out")
        .map(|i| args[i + 1].clone())
        .unwrap_or_else(|| "out".into());
    let out = work.join(&out_arg);
    let before = snapshot(&work, std::slice::from_ref(&out));
    let out_before = out.is_dir().then(|| snapshot(&out, &[]));

    let o = run_in(&work, &args, &exp.setup.env);
    let err = stderr(&o);
    let fail = |what: String| Err(format!("{name} ({}): {what}\nstderr: {err}", exp.description));
    if err.contains("panicked") || !matches!(code(&o), 0..=2) {
        return fail(format!("crashed (status {:?})", o.status));
    }
    if code(&o) != exp.exit {
        return fail(format!("exit {} (expected {})", code(&o), exp.exit));
    }
    for s in &exp.stderr {
        if !err.contains(s.as_str()) {
            return fail(format!("stderr lacks {s:?}"));
        }
    }
    // Nothing outside the output folder changed (links included).
    let after = snapshot(&work, std::slice::from_ref(&out));
    if before != after {
        let changed: Vec<_> = after
            .keys()
            .chain(before.keys())
            .filter(|k| before.get(*k) != after.get(*k))
            .collect();
        return fail(format!("files outside --out changed: {changed:?}"));
    }
    if let Some(clients) = &exp.batch_clients {
        let got: Vec<(String, String)> = summary_clients(&out)
            .into_iter()
            .map(|(client, status, _)| (client, status))
            .collect();
        let want: Vec<(String, String)> = clients
            .iter()
            .map(|c| (c.clone(), "audited".to_string()))
            .collect();
        if got != want {
            return fail(format!("summary.json clients {got:?}"));
        }
        for c in clients {
            if read_json(&out.join(c).join("report.json"))["client"].as_str() != Some(c.as_str()) {
                return fail(format!("{c}: no report of its own"));
            }
        }
        return Ok(());
    }
    let report = out.join("report.json");
    if exp.no_report {
        if out.is_dir().then(|| snapshot(&out, &[])) != out_before {
            return fail("the output folder was written to".into());
        }
        return Ok(());
    }
    if !report.exists() {
        return fail("no report.json".into());
    }
    let j = read_json(&report);
    let input = &j["input"];
    if let Some(rows) = exp.rows {
        if input["rows"].as_u64() != Some(rows) {
            return fail(format!("rows {} (expected {rows})", input["rows"]));
        }
    }
    if let Some(r) = exp.rejected_rows {
        if input["rejected_rows"].as_u64() != Some(r) {
            return fail(format!("rejected_rows {} (expected {r})", input["rejected_rows"]));
        }
    }
    if let Some(b) = &exp.billed_total {
        if input["billed_total"].as_str() != Some(b.as_str()) {
            return fail(format!("billed_total {} (expected {b})", input["billed_total"]));
        }
    }
    if let Some(p) = &exp.last_period {
        if input["last_period"].as_str() != Some(p.as_str()) {
            return fail(format!("last_period {} (expected {p})", input["last_period"]));
        }
    }
    if let Some(c) = &exp.client {
        if j["client"].as_str() != Some(c.as_str()) {
            return fail(format!("client {} (expected {c})", j["client"]));
        }
    }
    if !exp.report_md.is_empty() {
        let md = fs::read_to_string(out.join("report.md")).unwrap_or_default();
        for s in &exp.report_md {
            if !md.contains(s.as_str()) {
                return fail(format!("report.md lacks {s:?}"));
            }
        }
    }
    for (key, want) in [
        ("skipped_files", exp.skipped_files),
        ("unrecognised_files", exp.unrecognised_files),
    ] {
        if let Some(n) = want {
            if input[key].as_u64() != Some(n) {
                return fail(format!("{key} {} (expected {n})", input[key]));
            }
        }
    }
    if let Some(n) = exp.dispute_files {
        if dispute_files(&out) != n {
            return fail(format!("{} dispute files (expected {n})", dispute_files(&out)));
        }
    }
    let got = rejected(&out);
    if let Some(want) = &exp.refused {
        let ok = got.len() == want.len()
            && got.iter().zip(want).all(|((f, l, r), w)| {
                *f == w.file
                    && *l == w.line.map(|l| l.to_string()).unwrap_or_default()
                    && r.contains(&w.reason)
            });
        if !ok {
            return fail(format!("rejected.csv {got:#?}"));
        }
    }
    // The same input, run again: the same bytes.
    let again = work.join("again");
    let mut args2 = args.clone();
    if let Some(i) = args2.iter().position(|a| a == "--out") {
        args2[i + 1] = again.to_string_lossy().into_owned();
    }
    let o2 = run_in(&work, &args2, &exp.setup.env);
    if code(&o2) != exp.exit {
        return fail(format!("second run exit {}", code(&o2)));
    }
    for f in ["report.json", "findings.csv", "rejected.csv"] {
        if fs::read(out.join(f)).ok() != fs::read(again.join(f)).ok() {
            return fail(format!("{f} differs between two runs"));
        }
    }
    Ok(())
}

#[test]
fn adversarial_corpus() {
    let dir = root().join("tests/adversarial");
    let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.toml").exists())
        .collect();
    cases.sort();
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let failures: Vec<String> = cases.iter().filter_map(|c| check_case(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

// ---------------------------------------------------------------------------
// Spreadsheet safety: every text cell of every CSV telaudit writes.

/// A tax-exempt client whose carrier, account, service ids, codes and descriptions
/// start with = + - @ tab and CR, with findings of DUP001, DIS001, RAT001, TAX001
/// and FEE001 and a refused row, so every CSV output carries those values.
fn hostile_client(dir: &Path) {
    let inv = dir.join("invoices");
    fs::create_dir_all(&inv).unwrap();
    fs::write(
        dir.join("client.toml"),
        "name = \"=Hostile Co\"\ntax_exempt = true\n",
    )
    .unwrap();
    let row = |svc: &str, ct: &str, code: &str, desc: &str, amount: &str| {
        format!(
            "=Carrier,+0042,-INV1,2025-03-05,2025-03-01,2025-03-31,{svc},{ct},{code},{desc},1,,{amount},,=unit\n"
        )
    };
    let mut text = format!("{HEADER}\n");
    text += &row(
        "-S1",
        "recurring",
        "PLAN",
        "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
        "50.00",
    );
    text += &row(
        "-S1",
        "recurring",
        "PLAN",
        "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
        "50.00",
    );
    text += &row("@S2", "tax", "@TX", "State Sales Tax", "5.00");
    // A guarded tab and CR (the canonical reader removes the apostrophe).
    text += &row("'\tS3", "fee", "LATE", "\"'\rLate fee\"", "7.00");
    text += &row("+S4", "recurring", "PLAN", "Plan", "=1+1");
    fs::write(inv.join("=bills.csv"), text).unwrap();
    fs::write(
        dir.join("inventory.csv"),
        "service_id,carrier,account,status,disconnect_date,cost_center,owner\n\
         -S1,=Carrier,+0042,disconnected,2025-01-15,=CC,@owner\n",
    )
    .unwrap();
    fs::write(
        dir.join("contracts.csv"),
        "kind,carrier,account,service_id,charge_code,amount,effective_from,effective_to\n\
         rate,=Carrier,,,PLAN,10.00,2025-01-01,\n",
    )
    .unwrap();
}

/// Checks every cell of every `.csv` below `dir`; returns how many guarded cells
/// (a `'` before = + - @ tab CR) it saw and the CSV files' names.
fn check_csv_cells(dir: &Path) -> (usize, Vec<String>) {
    let mut guarded = 0;
    let mut names = Vec::new();
    for f in snapshot(dir, &[]).keys() {
        if f.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        names.push(f.display().to_string());
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(dir.join(f))
            .unwrap();
        for rec in r.records() {
            for cell in rec.unwrap().iter() {
                let b = cell.as_bytes();
                let dangerous = |c: u8| matches!(c, b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r');
                if b.first().copied().is_some_and(dangerous) {
                    // Only numbers telaudit wrote itself may start so (-12.00).
                    assert!(
                        cell.parse::<rust_decimal::Decimal>().is_ok() && b[0] == b'-',
                        "{}: unguarded cell {cell:?}",
                        f.display()
                    );
                }
                if b.len() > 1 && b[0] == b'\'' && dangerous(b[1]) {
                    guarded += 1;
                }
            }
        }
    }
    (guarded, names)
}

#[test]
fn every_csv_output_is_formula_safe() {
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("root").join("=client");
    hostile_client(&client);
    let out = tmp.path().join("out");
    let o = run_audit(&client, &out, &["--quiet"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let report = read_json(&out.join("report.json"));
    let rules: Vec<&str> = report["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["findings"].as_u64() > Some(0))
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["DIS001", "DUP001", "FEE001", "RAT001", "TAX001"]);
    let (guarded, names) = check_csv_cells(&out);
    assert!(names.contains(&"findings.csv".to_string()), "{names:?}");
    assert!(names.contains(&"rejected.csv".to_string()), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("disputes/")), "{names:?}");
    let findings = fs::read_to_string(out.join("findings.csv")).unwrap();
    for v in ["'=Carrier", "'+0042", "'-S1", "'@S2", "'\tS3", "'=HYPERLINK"] {
        assert!(findings.contains(v), "findings.csv lacks {v:?}");
    }
    assert!(guarded >= 20, "only {guarded} guarded cells");

    // Batch: summary.csv names the clients; folder names start with = + - @.
    let root = tmp.path().join("root");
    for name in ["+plus", "-dash", "@at"] {
        hostile_client(&root.join(name));
    }
    let bout = tmp.path().join("batch");
    let o = run_batch(&root, &bout, &["--quiet"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let (guarded, names) = check_csv_cells(&bout);
    assert!(names.contains(&"summary.csv".to_string()), "{names:?}");
    let summary = fs::read_to_string(bout.join("summary.csv")).unwrap();
    for v in ["'+plus", "'-dash", "'=client", "'@at"] {
        assert!(summary.contains(v), "summary.csv lacks {v:?}: {summary}");
    }
    assert!(guarded >= 80, "only {guarded} guarded cells");

    // convert: the canonical CSV is guarded and reads back to the same rows.
    let conv = tmp.path().join("conv.csv");
    let o = run(&[
        "convert",
        client.join("invoices/=bills.csv").to_str().unwrap(),
        "-o",
        conv.to_str().unwrap(),
    ]);
    assert!(matches!(code(&o), 0 | 1), "{}", stderr(&o));
    let text = fs::read_to_string(&conv).unwrap();
    assert!(text.contains("'=Carrier,'+0042,'-INV1"), "{text}");
    let back = tmp.path().join("back");
    fs::create_dir_all(back.join("invoices")).unwrap();
    fs::copy(&conv, back.join("invoices/conv.csv")).unwrap();
    fs::copy(client.join("client.toml"), back.join("client.toml")).unwrap();
    fs::copy(client.join("inventory.csv"), back.join("inventory.csv")).unwrap();
    fs::copy(client.join("contracts.csv"), back.join("contracts.csv")).unwrap();
    let bo = tmp.path().join("back-out");
    assert_eq!(code(&run_audit(&back, &bo, &["--quiet"])), 0);
    let (a, b) = (
        read_json(&out.join("report.json")),
        read_json(&bo.join("report.json")),
    );
    assert_eq!(a["totals"], b["totals"]);
    assert_eq!(a["by_rule"], b["by_rule"]);
    assert_eq!(a["input"]["billed_total"], b["input"]["billed_total"]);
}

// ---------------------------------------------------------------------------
// Batch: two runs on one folder, and runs killed at 20 moments.

/// A batch root: generated clients c01..c06 plus clients with awkward names.
fn batch_root(root: &Path) {
    for (i, name) in [
        "c01", "c02", "c03", "c04", "c05", "c06", "x..y", "-dash", "sp ace",
    ]
    .iter()
    .enumerate()
    {
        generate_client(
            &root.join(name),
            &[
                "--services",
                "15",
                "--months",
                "4",
                "--seed",
                &(i + 1).to_string(),
            ],
        );
    }
}

/// A batch output as it must compare with a clean run's: every file but
/// index.html, with the status `unchanged` read as `audited` in the summaries.
fn comparable(out: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut t = snapshot(out, &[]);
    t.remove(Path::new("index.html"));
    without_history(&mut t);
    for f in ["summary.json", "summary.csv"] {
        let v = t.get_mut(Path::new(f)).unwrap_or_else(|| panic!("no {f}"));
        *v = String::from_utf8(v.clone())
            .unwrap()
            .replace("unchanged", "audited")
            .into_bytes();
    }
    t
}

#[test]
fn concurrent_and_killed_batches_never_corrupt_the_output() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    batch_root(&root);
    let root_before = snapshot(&root, &[]);
    let clean = tmp.path().join("clean");
    let o = run_batch(&root, &clean, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let want = comparable(&clean);
    // Every client has its report, the awkward names too, inside the folder.
    for id in ["c01", "x..y", "-dash", "sp ace"] {
        assert!(want.contains_key(&Path::new(id).join("report.json")), "{id}");
    }
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        2,
        "something written beside --out"
    );

    // Two runs on one folder: the second is refused while the first holds the lock,
    // and the first's result is a clean run's.
    let out = tmp.path().join("shared");
    let mut first = spawn_batch(&root, &out, &[], 150);
    let lock = out.join(".telaudit.lock");
    let t0 = std::time::Instant::now();
    while !lock.exists() && t0.elapsed().as_secs() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let second = run_batch(&root, &out, &["--quiet"]);
    assert_eq!(code(&second), 2, "{}", stderr(&second));
    assert!(
        stderr(&second).contains("another batch run"),
        "{}",
        stderr(&second)
    );
    assert!(first.wait().unwrap().success());
    assert!(!lock.exists());
    assert_eq!(comparable(&out), want);

    // 20 kills (SIGKILL), spread over the run by what it has done, not by the clock
    // (a loaded machine makes times meaningless): kill k lands right after the
    // run has completed k mod 9 of its 9 client folders (each client sleeps 40 ms
    // between its files and its marker, so others are mid-write then). Even kills
    // hit a complete folder being rewritten (--force), odd ones a first run into
    // an empty folder. Each time a plain rerun must give the clean run's result.
    let out = tmp.path().join("killed");
    let mut interrupted = 0;
    for k in 0..20u64 {
        let fresh = k % 2 == 1;
        if fresh {
            let _ = fs::remove_dir_all(&out);
        }
        let target = (k % 9) as usize;
        let started = std::time::SystemTime::now();
        let mut child = spawn_batch(&root, &out, if fresh { &[] } else { &["--force"] }, 40);
        // Markers written by this run (newer than its start).
        let done = || {
            fs::read_dir(&out).map_or(0, |rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| {
                        fs::metadata(e.path().join(".telaudit-complete"))
                            .and_then(|m| m.modified())
                            .is_ok_and(|t| t >= started)
                    })
                    .count()
            })
        };
        let t0 = std::time::Instant::now();
        while done() < target && t0.elapsed().as_secs() < 60 {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let at = t0.elapsed().as_millis();
        let _ = child.kill();
        let status = child.wait().unwrap();
        if !status.success() {
            interrupted += 1;
        }
        let o = run_batch(&root, &out, &["--quiet"]);
        assert_eq!(code(&o), 0, "kill {k} at {at} ms: {}", stderr(&o));
        let got = comparable(&out);
        assert!(
            got.keys()
                .all(|p| !p.to_string_lossy().contains(".tmp-") && !p.to_string_lossy().contains(".old-")),
            "kill {k}: leftovers {:?}",
            got.keys().collect::<Vec<_>>()
        );
        assert!(
            got == want,
            "kill {k} at {at} ms: the rerun differs from a clean run"
        );
    }
    // Most kills landed mid-run (the last ones may come after a fast finish).
    assert!(
        interrupted >= 15,
        "only {interrupted} of 20 kills interrupted a run"
    );
    assert_eq!(snapshot(&root, &[]), root_before, "the input changed");
}

// ---------------------------------------------------------------------------
// Client folder names that are not UTF-8: one behaviour for audit and batch.

/// `audit` refuses a client folder whose name is not UTF-8 (exit 1, no report), as
/// `batch` fails that client by name: never a lossy id two folders could share.
#[test]
fn non_utf8_client_folder_names_fail_in_audit_and_batch() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let client = root.join(std::ffi::OsStr::from_bytes(b"caf\xe9"));
    fs::create_dir_all(client.join("invoices")).unwrap();
    fs::write(
        client.join("invoices/a.csv"),
        format!("{HEADER}\n{}", good_row("S1", "10.00")),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = Command::new(bin())
        .arg("audit")
        .arg(&client)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the folder name is not UTF-8; rename the client folder"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
    let o = Command::new(bin())
        .arg("batch")
        .arg(&root)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the folder name is not UTF-8; rename the client folder"),
        "{}",
        stderr(&o)
    );
}
