//! The analyst's next steps on a generated client (issue 27): one action per
//! service in changes/, findings whose shares of the totals add up to the
//! headline, every warning in warnings.csv, and funding words that hold.

mod common;

use common::*;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

fn records(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// A text cell without the spreadsheet guard.
fn plain(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => s,
    }
}

fn money2(d: Decimal) -> String {
    let mut r = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    r.rescale(2);
    r.to_string()
}

#[test]
fn a_generated_client_gets_one_action_per_service_and_sums_that_reconcile() {
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("gen");
    generate_client(&client, &["--services", "600", "--seed", "11"]);
    let out = tmp.path().join("out");
    let o = run_audit(&client, &out, &[]);
    assert!(code(&o) <= 1, "{}", stderr(&o));
    let report = read_json(&out.join("report.json"));
    let findings = records(&out.join("findings.csv"));
    let svc = |r: &BTreeMap<String, String>| {
        (
            plain(&r["carrier"]).to_string(),
            plain(&r["account"]).to_string(),
            plain(&r["service_id"]).to_string(),
        )
    };
    let of_rule = |rule: &str| -> BTreeSet<(String, String, String)> {
        findings.iter().filter(|r| r["rule"] == rule).map(svc).collect()
    };
    let (disconnected, unused) = (of_rule("DIS001"), of_rule("UNU001"));
    assert!(
        !disconnected.is_empty() && !unused.is_empty(),
        "the generator plants both"
    );

    // changes/: one row per service; a service billed after its disconnect date
    // is disconnected whatever else is found on it; every idle service has a row.
    let mut rows: BTreeMap<(String, String, String), BTreeMap<String, String>> = BTreeMap::new();
    for e in fs::read_dir(out.join("changes")).unwrap() {
        let path = e.unwrap().path();
        let carrier = path.file_stem().unwrap().to_str().unwrap().to_string();
        for r in records(&path) {
            let key = (
                carrier.clone(),
                plain(&r["account"]).to_string(),
                plain(&r["service_id"]).to_string(),
            );
            assert!(rows.insert(key.clone(), r).is_none(), "two rows for {key:?}");
        }
    }
    for s in &disconnected {
        let r = rows
            .get(s)
            .unwrap_or_else(|| panic!("no row for the disconnected {s:?}"));
        assert_eq!(r["action"], "disconnect", "{s:?}: {r:?}");
        assert!(r["rule"].split(';').any(|x| x == "DIS001"), "{r:?}");
    }
    for s in &unused {
        let r = rows.get(s).unwrap_or_else(|| panic!("no row for the idle {s:?}"));
        assert!(
            ["disconnect", "cancel", "suspend"].contains(&r["action"].as_str()),
            "{r:?}"
        );
    }
    for r in rows.values() {
        // `rule` lists every finding's rule on the service, sorted.
        let ids: Vec<&str> = r["rule"].split(';').collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted, "{r:?}");
    }

    // The in-totals columns add up to the headline, rounded once at the end.
    let sum = |col: &str| -> Decimal { findings.iter().map(|r| r[col].parse::<Decimal>().unwrap()).sum() };
    assert_eq!(
        money2(sum("recoverable_in_totals")),
        report["totals"]["recoverable"]
    );
    assert_eq!(money2(sum("monthly_in_totals")), report["totals"]["monthly"]);
    // ... where the findings' own values overlap (a row claimed twice counts twice).
    assert!(sum("monthly") > sum("monthly_in_totals"));

    // warnings.csv: every warning, as many as report.json counts.
    let warnings = report["input"]["warnings"].as_u64().unwrap();
    assert!(warnings > 0, "the generator plants a circuit on no bill");
    assert_eq!(records(&out.join("warnings.csv")).len() as u64, warnings);

    // Funding words: the generated plan's first year ends above zero: "fully
    // funded" may be said. A dearer equipment item leaves it below zero: never.
    let net = |r: &serde_json::Value| -> Decimal {
        r["proposal"]["net_first_year"].as_str().unwrap().parse().unwrap()
    };
    assert!(net(&report) >= Decimal::ZERO, "{}", report["proposal"]);
    let toml = fs::read_to_string(client.join("client.toml")).unwrap();
    let dear = toml.replacen("one_time = \"30000.00\"", "one_time = \"900000.00\"", 1);
    assert_ne!(toml, dear, "the equipment item of 600 services costs 30000.00");
    fs::write(client.join("client.toml"), dear).unwrap();
    let out2 = tmp.path().join("out2");
    assert!(code(&run_audit(&client, &out2, &[])) <= 1);
    let report2 = read_json(&out2.join("report.json"));
    assert!(net(&report2) < Decimal::ZERO);
    for name in ["report.md", "report.html"] {
        let text = fs::read_to_string(out2.join(name)).unwrap();
        assert!(!text.contains("fully funded"), "{name}");
    }
}
