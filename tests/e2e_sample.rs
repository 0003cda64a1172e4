//! End-to-end: the binary against the test oracle (tests/oracle, a second and
//! deliberately simple implementation of the rule table written from the spec)
//! on the shipped sample and on freshly generated clients.

mod common;
mod oracle;

use common::*;
use oracle::{money2, oracle_totals};
use std::path::Path;

fn assert_agrees_with_oracle(client: &Path, out: &Path) -> serde_json::Value {
    let o = run_audit(client, out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = read_json(&out.join("report.json"));
    let want = oracle_totals(client);
    assert_eq!(r["input"]["rows"], want.rows);
    assert_eq!(r["input"]["billed_total"], money2(want.billed_total));
    assert_eq!(r["totals"]["recoverable"], money2(want.recoverable));
    assert_eq!(r["totals"]["monthly"], money2(want.monthly));
    assert_eq!(r["totals"]["expired"], money2(want.expired));
    let got = by_rule(&r);
    for (rule, (rec, mon)) in &want.by_rule {
        let g = &got[rule];
        assert_eq!((&g.1, &g.2), (&money2(*rec), &money2(*mon)), "{rule}");
    }
    r
}

#[test]
fn sample_data_matches_the_oracle_and_its_pinned_totals() {
    let tmp = tempfile::tempdir().unwrap();
    let r = assert_agrees_with_oracle(&root().join("sample-data/acme-health"), &tmp.path().join("out"));
    // Pinned from the oracle and, independently, from bench/duckdb_audit.py
    // (both agree to the cent): a change here is a change in what telaudit finds.
    assert_eq!(r["input"]["rows"], 21754);
    assert_eq!(r["input"]["billed_total"], "457728.56");
    // The sample's client.toml has dispute windows (180 days, Lumen 365): as of
    // 2025-12-19, the latest invoice date, 1143.03 of the 8016.66 found is too late
    // to claim.
    assert_eq!(r["as_of"], "2025-12-19");
    assert_eq!(r["totals"]["recoverable"], "6873.63");
    assert_eq!(r["totals"]["expired"], "1143.03");
    assert_eq!(r["totals"]["monthly"], "1946.78");
    let br = by_rule(&r);
    assert_eq!(
        (br["DIS001"].1.as_str(), br["DIS001"].2.as_str()),
        ("3412.07", "727.76")
    );
    assert_eq!(
        (br["UNU001"].1.as_str(), br["UNU001"].2.as_str()),
        ("0.00", "831.94")
    );
    // The sample's multi-provider plan (client.toml): O = 15000 + 3600 + 2400 = 21000,
    // N = 600 + 300 = 900, the TEM provider takes 30% of R and 25% of M for 12 months.
    // R = 6873.63 (what is still claimable as of 2025-12-19), M = 1946.78:
    // CF0 = 6873.63 - 2062.089 - 21000 = -16188.459; CF1..12 = 1946.78 - 900 - 486.695
    // = 560.085; CF13.. = 1046.78: cumulative(12) = -9467.439, ceil(9467.439 / 1046.78)
    // = 10 more months: payback 22. tem_fees = 2062.089 + 486.695 x 12 = 7902.429.
    let p = &r["proposal"];
    assert_eq!(p["one_time"], "21000.00");
    assert_eq!(p["monthly"], "900.00");
    assert_eq!(p["payback_months"], 22);
    assert_eq!(p["net_first_year"], "-9467.44");
    assert_eq!(p["tem_fees"], "7902.43");
    // At 8% a year over 36 months (the sum of CFt / (1 + 0.08/12)^t, checked with
    // Python's fractions).
    assert_eq!(p["npv"], "11621.24");
    assert_eq!(p["schedule"].as_array().map(Vec::len), Some(37));
}

#[test]
fn generated_clients_match_the_oracle() {
    let tmp = tempfile::tempdir().unwrap();
    for (services, seed) in [(60, 1), (140, 99)] {
        let client = tmp.path().join(format!("gen-{seed}"));
        generate_client(
            &client,
            &["--services", &services.to_string(), "--seed", &seed.to_string()],
        );
        assert_agrees_with_oracle(&client, &tmp.path().join(format!("out-{seed}")));
    }
}

#[test]
fn generate_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    // Same folder name (it becomes the client's display name), different parents.
    let (a, b) = (tmp.path().join("a/client"), tmp.path().join("b/client"));
    for d in [&a, &b] {
        generate_client(d, &["--services", "40", "--seed", "5"]);
    }
    assert_eq!(files_below(&a), files_below(&b));
}
