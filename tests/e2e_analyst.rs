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

/// The review's case: a pool of 3 lines billed 50.00 each on POOL50, a rate
/// contract capping POOL50 at 10.00. RAT001 claims 40.00 a month on each plan row
/// (120.00), POL001 would save 30.00 a line by POOL10 (90.00): the totals count each
/// row once, at RAT001's larger claim. changes/ still orders the downgrade, but its
/// money is what the totals count for it, 0.00, so changes/ and the other rules add
/// up to the headline (before, changes/ claimed 90.00 more).
#[test]
fn changes_money_is_what_the_totals_count_for_the_action() {
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("acme");
    fs::create_dir_all(c.join("invoices")).unwrap();
    let mut bill = String::from(
        "carrier,account,invoice,invoice_date,period_start,period_end,service_id,charge_type,charge_code,description,quantity,unit_rate,amount,usage_quantity,usage_unit\n",
    );
    for m in 1..=4 {
        for l in ["555-0001", "555-0002", "555-0003"] {
            let at = format!("Acme Tel,100,100-{m:02},2025-{m:02}-05,2025-{m:02}-01,2025-{m:02}-28,{l}");
            bill.push_str(&format!("{at},recurring,POOL50,Pool 50,1,50.00,50.00,,\n"));
            bill.push_str(&format!("{at},usage,DATA,Data,1,,0.00,1,GB\n"));
        }
    }
    fs::write(c.join("invoices/bill.csv"), bill).unwrap();
    fs::write(
        c.join("contracts.csv"),
        "kind,carrier,account,service_id,charge_code,amount,effective_from,effective_to\nrate,Acme Tel,,,POOL50,10,,\n",
    )
    .unwrap();
    fs::write(
        c.join("plans.csv"),
        "kind,carrier,code,name,monthly,allowance,usage_unit,overage_rate\n\
         pool,Acme Tel,POOL50,Pool 50,50.00,50,GB,10\npool,Acme Tel,POOL10,Pool 10,20.00,10,GB,10\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = run_audit(&c, &out, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(r["totals"]["monthly"], "120.00");
    let by_rule: BTreeMap<String, String> = r["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["rule"].as_str().unwrap().to_string(),
                b["monthly"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        (by_rule["RAT001"].as_str(), by_rule["POL001"].as_str()),
        ("120.00", "90.00")
    );
    let rows = records(&out.join("changes/Acme Tel.csv"));
    assert_eq!(rows.len(), 3);
    for row in &rows {
        assert_eq!(row["action"], "downgrade");
        assert_eq!(row["rule"], "POL001;RAT001");
        assert_eq!(row["monthly_saving"], "0.00", "{row:?}");
    }
    // The findings' shares of the totals: RAT001's 120.00, POL001's 0.00.
    let shares: Decimal = records(&out.join("findings.csv"))
        .iter()
        .map(|f| f["monthly_in_totals"].parse::<Decimal>().unwrap())
        .sum();
    assert_eq!(money2(shares), "120.00");
}
