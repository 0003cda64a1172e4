//! Property tests over generated dumps: invariants that must hold for any input.
//!
//! - the order and names of the bill files never change report.json;
//! - the order of rows inside a file never changes report.json;
//! - splitting a file in two changes nothing but the file count;
//! - the totals are at most the sum of by_rule and at least its largest rule.

use proptest::prelude::*;
use rust_decimal::Decimal;
use std::fs;
use std::path::{Path, PathBuf};

fn audit_json(client: &Path) -> String {
    let dump = telaudit_parse::read_client(client).unwrap();
    let results = telaudit_rules::evaluate(&telaudit_rules::RuleSet::defaults(), &dump);
    telaudit_report::report_json(&telaudit_report::summarize(&dump, &results))
}

fn csv_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(csv_files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// A small generated client in `<tmp>/<name>`.
fn generated(tmp: &Path, name: &str, seed: u64, services: usize) -> PathBuf {
    let dir = tmp.join(name);
    let opts = telaudit_generate::GenOptions {
        services,
        seed,
        months: 6,
        ..Default::default()
    };
    telaudit_generate::generate(&dir, &opts).unwrap();
    dir
}

/// A deterministic shuffle driven by the proptest-chosen `key`.
fn shuffle<T>(v: &mut [T], mut key: u64) {
    for i in (1..v.len()).rev() {
        key = key
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = (key >> 33) as usize % (i + 1);
        v.swap(i, j);
    }
}

fn without_files_count(json: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["input"]["files"] = serde_json::Value::Null;
    v.to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn file_names_order_and_row_order_never_change_the_report(seed in 0u64..1000, key in any::<u64>()) {
        let tmp = tempfile::tempdir().unwrap();
        let original = generated(tmp.path(), "client", seed, 12);
        let want = audit_json(&original);

        // The same bills under other names, in other folders, rows shuffled.
        let moved = tmp.path().join("moved").join("client");
        fs::create_dir_all(moved.join("invoices")).unwrap();
        for f in ["inventory.csv", "contracts.csv", "client.toml"] {
            fs::copy(original.join(f), moved.join(f)).unwrap();
        }
        let mut files = csv_files(&original.join("invoices"));
        shuffle(&mut files, key);
        for (i, f) in files.iter().enumerate() {
            let text = fs::read_to_string(f).unwrap();
            let mut lines: Vec<&str> = text.lines().collect();
            let header = lines.remove(0);
            shuffle(&mut lines, key ^ i as u64);
            let dest = moved.join("invoices").join(format!("d{}", i % 3)).join(format!("{:04}.csv", (key as usize + i * 7919) % 10_000));
            fs::create_dir_all(dest.parent().unwrap()).unwrap();
            let body = std::iter::once(header).chain(lines).collect::<Vec<_>>().join("\n") + "\n";
            prop_assert!(!dest.exists());
            fs::write(dest, body).unwrap();
        }
        prop_assert_eq!(audit_json(&moved), want);
    }

    #[test]
    fn splitting_a_file_changes_nothing_but_the_file_count(seed in 0u64..1000, which in any::<usize>(), at in any::<usize>()) {
        let tmp = tempfile::tempdir().unwrap();
        let client = generated(tmp.path(), "client", seed, 10);
        let want = without_files_count(&audit_json(&client));
        let files = csv_files(&client.join("invoices"));
        let f = &files[which % files.len()];
        let text = fs::read_to_string(f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let cut = 1 + at % (lines.len() - 1).max(1);
        let part = |rows: &[&str]| std::iter::once(lines[0]).chain(rows.iter().copied()).collect::<Vec<_>>().join("\n") + "\n";
        fs::write(f, part(&lines[1..cut])).unwrap();
        fs::write(f.with_extension("part2.csv"), part(&lines[cut..])).unwrap();
        prop_assert_eq!(without_files_count(&audit_json(&client)), want);
    }

    #[test]
    fn totals_lie_between_the_largest_rule_and_the_sum_of_rules(seed in 0u64..1000) {
        let tmp = tempfile::tempdir().unwrap();
        let client = generated(tmp.path(), "client", seed, 15);
        let dump = telaudit_parse::read_client(&client).unwrap();
        let results = telaudit_rules::evaluate(&telaudit_rules::RuleSet::defaults(), &dump);
        let report = telaudit_report::summarize(&dump, &results);
        let rules: Vec<(Decimal, Decimal)> = results
            .iter()
            .map(|r| (r.findings.iter().map(|f| f.recoverable).sum(), r.findings.iter().map(|f| f.monthly).sum()))
            .collect();
        let sum_rec: Decimal = rules.iter().map(|r| r.0).sum();
        let sum_mon: Decimal = rules.iter().map(|r| r.1).sum();
        let max_rec = rules.iter().map(|r| r.0).max().unwrap();
        let max_mon = rules.iter().map(|r| r.1).max().unwrap();
        prop_assert!(report.totals.recoverable <= sum_rec && report.totals.recoverable >= max_rec);
        prop_assert!(report.totals.monthly <= sum_mon && report.totals.monthly >= max_mon);
        // Every finding's evidence points at a row (or record) that exists.
        for r in &results {
            for f in &r.findings {
                for e in f.evidence.iter().chain(&f.basis) {
                    prop_assert!((e.file.0 as usize) < dump.files.len());
                    prop_assert!(e.pos >= 2, "{}", dump.locate(*e));
                }
            }
        }
    }
}
