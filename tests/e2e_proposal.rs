//! End-to-end: the funding plan of optimization.md section 4 through the real
//! binary, on tests/fixtures/small-client (recoverable 237.145 and monthly
//! 117.915 exactly, by tests/fixtures/small-client/README.md) with a
//! multi-provider client.toml; the refusals of bad plan keys (exit 2); and the
//! `--proposal-json` feed.

mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};

const PLAN: &str = r#"name = "Small Client Co"
tax_exempt = true

[proposal]
horizon_months = 24
discount_rate = "0"

[[proposal.items]]
provider = "Northwind Networks"
role = "equipment"
one_time = "1000.00"

[[proposal.items]]
provider = "Contoso Managed"
role = "managed services"
monthly = "50.00"

[proposal.tem]
provider = "Ledger TEM"
recovery_share = "0.20"
savings_share = "0.10"
savings_months = 6
"#;

/// The small client with `toml` as its client.toml, in `dir`.
fn client_with(dir: &Path, toml: &str) -> PathBuf {
    let client = dir.join("small-client");
    copy_tree(&fixture("small-client"), &client);
    fs::write(client.join("client.toml"), toml).unwrap();
    client
}

#[test]
fn the_plan_is_computed_exactly_and_shown_in_every_report() {
    let tmp = tempfile::tempdir().unwrap();
    let client = client_with(tmp.path(), PLAN);
    let out = tmp.path().join("out");
    let feed = tmp.path().join("feeds/plan.json");
    let o = run_audit(&client, &out, &["--proposal-json", feed.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = read_json(&out.join("report.json"));
    let p = &r["proposal"];
    // O = 1000, N = 50; R = 237.145, M = 117.915, a = 0.20, s = 0.10, S = 6, H = 24.
    // CF0 = 237.145 - 47.429 - 1000 = -810.284; CF1..6 = 117.915 - 50 - 11.7915 = 56.1235;
    // CF7.. = 67.915. cumulative(6) = -810.284 + 336.741 = -473.543 (the first part
    // alone would need ceil(810.284 / 56.1235) = 15 > 6 months); then
    // ceil(473.543 / 67.915) = 7 more: payback 13 (cumulative(12) = -66.053, (13) = 1.862).
    assert_eq!(p["one_time"], "1000.00");
    assert_eq!(p["monthly"], "50.00");
    assert_eq!(p["first_year_cost"], "1600.00");
    assert_eq!(p["payback_months"], 13);
    assert_eq!(p["horizon_months"], 24);
    assert_eq!(p["discount_rate"], "0");
    assert_eq!(p["items"].as_array().unwrap().len(), 2);
    assert_eq!(p["items"][0]["provider"], "Northwind Networks");
    assert_eq!(p["items"][1]["monthly"], "50.00");
    assert_eq!(p["tem"]["recovery_share"], "0.20");
    assert_eq!(p["tem"]["savings_months"], 6);
    // tem_fees = 0.20 x 237.145 + 0.10 x 117.915 x 6 = 47.429 + 70.749 = 118.178.
    assert_eq!(p["tem_fees"], "118.18");
    // Rate 0: npv = cumulative(24) = -66.053 + 12 x 67.915 = 748.927; the first
    // year's net is cumulative(12) = -66.053.
    assert_eq!(p["npv"], "748.93");
    assert_eq!(p["net_first_year"], "-66.05");
    let s = p["schedule"].as_array().unwrap();
    assert_eq!(s.len(), 25);
    assert_eq!(
        (&s[0]["cash_flow"], &s[0]["cumulative"]),
        (&"-810.28".into(), &"-810.28".into())
    );
    assert_eq!(
        (&s[6]["cash_flow"], &s[6]["cumulative"]),
        (&"56.12".into(), &"-473.54".into())
    );
    assert_eq!(
        (&s[8]["cash_flow"], &s[8]["cumulative"]),
        (&"67.92".into(), &"-337.71".into())
    );
    assert_eq!(s[12]["cumulative"], "-66.05");
    assert_eq!(s[13]["cumulative"], "1.86");

    // The feed: the same object, with its schema and the client.
    let f = read_json(&feed);
    assert_eq!(f["schema"], "telaudit.proposal/1");
    assert_eq!(f["client"], "small-client");
    assert_eq!(f["name"], "Small Client Co");
    for (k, v) in p.as_object().unwrap() {
        assert_eq!(&f[k], v, "{k}");
    }
    assert!(f.get("totals").is_none() && f.get("by_rule").is_none());

    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(
        "From month 13 on, the savings have paid for the equipment, the managed services and the audit fee."
    ));
    assert!(html.contains(r#"<svg class="cashflow""#), "the chart");
    assert!(html.contains(r#"<g id="payback-marker""#), "the marker");
    assert!(html.contains(">payback: month 13</text>"));
    assert!(html.contains(r#"id="plan-npv"><b>748.93</b>"#));
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## What this funds"));
    assert!(md.contains("| Northwind Networks | equipment | 1,000.00 | 0.00 |"));
    // The TEM fee: 0.20 x 237.145 = 47.429 once, 0.10 x 117.915 = 11.7915 a month.
    assert!(md.contains(
        "| Ledger TEM | TEM fee: 20% of the recoverable, 10% of the monthly savings for 6 months | 47.43 | 11.79 |"
    ));
    assert!(md.contains("| Net present value over 24 months at 0% a year | 748.93 |"));
    assert!(md.contains("| 13 (payback) | 67.92 | 1.86 |"), "{md}");
}

#[test]
fn a_client_without_the_plan_keys_gets_the_old_proposal_block_and_a_full_feed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let feed = tmp.path().join("feed.json");
    let o = run_audit(
        &fixture("small-client"),
        &out,
        &["--proposal-json", feed.to_str().unwrap()],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let p = read_json(&out.join("report.json"))["proposal"].clone();
    let keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
    // (serde_json's map lists keys sorted.)
    assert_eq!(
        keys,
        [
            "first_year_cost",
            "funded_share",
            "funded_share_after_fees",
            "monthly",
            "one_time",
            "payback_months"
        ]
    );
    assert!(!fs::read_to_string(out.join("report.html"))
        .unwrap()
        .contains("payback-marker"));
    // The feed shows the plan with its defaults: the top-level pair as the one item.
    let f = read_json(&feed);
    assert_eq!(f["payback_months"], 12);
    assert_eq!(f["horizon_months"], 36);
    assert_eq!(f["items"][0]["role"], "upgrade");
    assert_eq!(f["items"][0]["provider"], "");
    // 237.145 - 1000 + 36 x 67.915 = 1682.085.
    assert_eq!(f["npv"], "1682.09");
    assert!(f.get("tem").is_none());
}

#[test]
fn bad_plan_keys_are_exit_2_naming_the_key_and_what_is_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "horizon_months = 24",
            "horizon_months = 121",
            "proposal.horizon_months",
            "1 to 120",
        ),
        (
            "recovery_share = \"0.20\"",
            "recovery_share = \"1.5\"",
            "proposal.tem.recovery_share",
            "from \"0\" to \"1\"",
        ),
        (
            "one_time = \"1000.00\"",
            "one_time = 1000.5",
            "proposal.items[1].one_time",
            "quoted decimal string",
        ),
        (
            "monthly = \"50.00\"",
            "monthly = \"-50.00\"",
            "proposal.items[2].monthly",
            "negative",
        ),
        (
            "one_time = \"1000.00\"",
            "one_time = 1000",
            "proposal.items[1].one_time",
            "quoted decimal string",
        ),
        (
            "savings_months = 6",
            "savings_months = 6\nfee_cap = \"5\"",
            "fee_cap",
            "`savings_months`",
        ),
    ];
    for (i, (from, to, key, allowed)) in cases.into_iter().enumerate() {
        let dir = tmp.path().join(format!("c{i}"));
        let client = client_with(&dir, &PLAN.replace(from, to));
        let out = dir.join("out");
        let o = run_audit(&client, &out, &[]);
        let err = stderr(&o);
        assert_eq!(code(&o), 2, "{key}: {err}");
        assert!(err.contains(key) && err.contains(allowed), "{key}: {err}");
        assert!(!out.join("report.json").exists(), "{key}: nothing written");
    }
}

#[test]
fn proposal_json_without_a_proposal_is_exit_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let client = client_with(tmp.path(), "name = \"No Plan\"\n");
    let out = tmp.path().join("out");
    let feed = tmp.path().join("feed.json");
    let o = run_audit(&client, &out, &["--proposal-json", feed.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("has no [proposal]"), "{}", stderr(&o));
    assert!(!feed.exists() && !out.join("report.json").exists());
}

/// Issue 26, item 6: plans.csv `overage_rate 999999999999.999999` against usage
/// of the same size made PLN001 claim about 3e25 a month, and the funding chart
/// then panicked (exit 101) leaving a temporary file and a mix of two runs.
/// The catalogue line is refused naming its file and line (its overage passes
/// the 10^15 every bill line is held to), the rest is audited, every output is
/// written and nothing temporary is left.
#[test]
fn an_overage_beyond_any_bill_is_refused_and_nothing_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let client = client_with(tmp.path(), PLAN);
    let mut bills = format!("{HEADER}\n");
    for m in 1..=4 {
        bills += &format!(
            "V,9,I{m},2025-0{m}-05,2025-0{m}-01,2025-0{m}-28,555-0100,recurring,UNL,Plan,1,,60.00,,\n\
             V,9,I{m},2025-0{m}-05,2025-0{m}-01,2025-0{m}-28,555-0100,usage,DATA,Data,1,,0.00,999999999999.999999,GB\n"
        );
    }
    fs::write(client.join("invoices/huge.csv"), bills).unwrap();
    fs::write(
        client.join("plans.csv"),
        "kind,carrier,code,name,monthly,allowance,usage_unit,overage_rate,bandwidth_mbps,effective_from,effective_to\n\
         plan,V,UNL,,60.00,999999999999,GB,,,,\n\
         plan,V,Q1,,1.00,1,GB,999999999999.999999,,,\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    // Run into a folder holding an earlier run, so a mix would show.
    assert_eq!(
        code(&run_audit(
            &fixture("small-client"),
            &out,
            &["--quiet", "--force"]
        )),
        0
    );
    let o = run_audit(&client, &out, &["--force"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    let rejected = fs::read_to_string(out.join("rejected.csv")).unwrap();
    assert!(
        rejected.contains(
            "plans.csv,3,\"overage_rate 999999999999.999999 x the usage of service \"\"555-0100\"\" in the \
             period starting 2025-01-01 (999999999999.999999 GB) is beyond any bill (more than 10^15); \
             check the overage_rate\""
        ),
        "{rejected}"
    );
    let r = read_json(&out.join("report.json"));
    assert_eq!(r["client"], "small-client");
    let pln = r["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule"] == "PLN001")
        .unwrap();
    assert_eq!(pln["findings"], 0);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("class=\"cashflow\""), "the chart is drawn");
    let names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}
