//! PLN001, CIR001 and ZOM001 (optimization.md section 3) on client folders small
//! enough to check by hand: tie rules, the catalogue entry on offer, the overlap
//! with UNU001, the parameters, and the look-alikes that must not be found.

use std::path::Path;
use telaudit_model::{ClaimKey, Decimal, Dump, Finding};
use telaudit_rules::{evaluate, RuleSet};

const HEAD: &str = "carrier,account,invoice,invoice_date,period_start,period_end,service_id,charge_type,\
charge_code,description,quantity,unit_rate,amount,usage_quantity,usage_unit\n";
const PLANS_HEAD: &str =
    "kind,carrier,code,name,monthly,allowance,usage_unit,overage_rate,bandwidth_mbps,effective_from,effective_to\n";

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A charge line of month `m` (1..=12 of 2025) without usage.
fn row(m: u32, account: &str, service: &str, ctype: &str, code: &str, amount: &str) -> String {
    format!("V,{account},I{m},2025-{m:02}-05,2025-{m:02}-01,2025-{m:02}-28,{service},{ctype},{code},x,1,,{amount},,\n")
}

/// A data usage line of month `m`: `gb` used.
fn data(m: u32, account: &str, service: &str, gb: &str) -> String {
    format!("V,{account},I{m},2025-{m:02}-05,2025-{m:02}-01,2025-{m:02}-28,{service},usage,DATA,x,1,,0.00,{gb},GB\n")
}

/// Writes a client folder (bills in invoices/a.csv, the other files by name) and reads it.
fn client(dir: &Path, bills: &str, files: &[(&str, String)]) -> Dump {
    std::fs::create_dir_all(dir.join("invoices")).unwrap();
    std::fs::write(dir.join("invoices/a.csv"), format!("{HEAD}{bills}")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let dump = telaudit_parse::read_client(dir).unwrap();
    assert!(dump.rejected.is_empty(), "{:?}", dump.rejected);
    dump
}

fn run(set: &RuleSet, dump: &Dump, id: &str) -> Vec<Finding> {
    evaluate(set, dump)
        .into_iter()
        .find(|r| r.rule.id == id)
        .unwrap()
        .findings
}

/// Four months of one service on plan `code` at 60.00, with data usage per month.
fn on_plan(account: &str, service: &str, code: &str, usage: [Option<&str>; 4]) -> String {
    let mut s = String::new();
    for (i, u) in usage.iter().enumerate() {
        let m = i as u32 + 1;
        s += &row(m, account, service, "recurring", code, "60.00");
        if let Some(u) = u {
            s += &data(m, account, service, u);
        }
    }
    s
}

#[test]
fn pln_ties_on_the_window_sum_go_to_the_lower_monthly_and_an_idle_line_is_claimed_once() {
    let tmp = tempfile::tempdir().unwrap();
    // Q30: 30 flat. Q20: 20 + 10/GB over 1 GB. For 1, 3, 2 GB in the window (Feb..Apr):
    // Q20 costs 20, 40, 30 = 90, Q30 costs 30, 30, 30 = 90: equal sums, the lower
    // monthly (Q20) wins; saving = min(60-20, 60-40, 60-30) = 20.
    let mut bills = on_plan(
        "100",
        "555-0100",
        "UNL",
        [Some("9"), Some("1"), Some("3"), Some("2")],
    );
    // An idle line: UNU001 claims its 60.00, PLN001 its 40.00 (Q20 at 20.00) on the same row.
    bills += &on_plan(
        "100",
        "555-0200",
        "UNL",
        [Some("0"), Some("0"), Some("0"), Some("0")],
    );
    // The plan row billed twice in the latest period: the second is a DUP001 copy, a
    // one-time error that is not a plan row, so the original still is: found.
    bills += &on_plan(
        "100",
        "555-0300",
        "UNL",
        [Some("0"), Some("0"), Some("0"), Some("0")],
    );
    bills += &row(4, "100", "555-0300", "recurring", "UNL", "60.00");
    // Two different plan rows in the latest period: skipped (a person looks first).
    bills += &on_plan(
        "100",
        "555-0500",
        "UNL",
        [Some("0"), Some("0"), Some("0"), Some("0")],
    );
    bills += &row(4, "100", "555-0500", "recurring", "UNL", "55.00");
    // An account with 2 periods only: no window.
    bills += &row(3, "200", "555-0400", "recurring", "UNL", "60.00");
    bills += &data(3, "200", "555-0400", "0");
    bills += &row(4, "200", "555-0400", "recurring", "UNL", "60.00");
    bills += &data(4, "200", "555-0400", "0");
    let plans = format!(
        "{PLANS_HEAD}plan,V,UNL,Unlimited,70.00,1000,GB,,,,2024-12-31\n\
         plan,V,UNL,Unlimited,60.00,1000,GB,,,2025-01-01,\n\
         plan,V,Q30,,30.00,1000,GB,,,,\n\
         plan,V,Q20,,20.00,1,GB,10.00,,,\n\
         plan,V,Q10,,10.00,1,GB,10.00,,,2025-03-31\n\
         plan,V,M5,,5.00,1,MIN,,,,\n"
    );
    let dump = client(tmp.path(), &bills, &[("plans.csv", plans)]);
    let set = RuleSet::defaults();
    let f = run(&set, &dump, "PLN001");
    let found: Vec<(&str, Decimal, String)> = f
        .iter()
        .map(|f| {
            (
                dump.s(f.service),
                f.monthly,
                f.change.as_ref().unwrap().to.clone(),
            )
        })
        .collect();
    // The 2025 UNL price (60.00, on offer) is P; Q10 is retired by April; M5 counts minutes.
    assert_eq!(
        found,
        [
            ("555-0100", d("20"), "Q20".to_string()),
            ("555-0200", d("40"), "Q20".to_string()),
            ("555-0300", d("40"), "Q20".to_string())
        ]
    );
    assert_eq!(f[0].change.as_ref().unwrap().from, "UNL (Unlimited)");
    let basis: Vec<String> = f[0].basis.iter().map(|b| dump.locate(*b)).collect();
    assert_eq!(basis, ["plans.csv:3", "plans.csv:5"]);
    // Evidence: the window's plan and usage rows (Feb..Apr), not January's.
    assert_eq!(f[0].evidence.len(), 6);
    assert_eq!(f[0].first_period.to_string(), "2025-02-01");
    let unu = run(&set, &dump, "UNU001");
    let idle = unu.iter().find(|u| dump.s(u.service) == "555-0200").unwrap();
    assert_eq!(
        idle.claims[0].key, f[1].claims[0].key,
        "the same row: totals count it once"
    );
    assert_eq!(
        (idle.claims[0].monthly, f[1].claims[0].monthly),
        (d("60"), d("40"))
    );
    assert!(matches!(f[1].claims[0].key, ClaimKey::Row(_)));
    assert_eq!(f[1].recoverable, Decimal::ZERO);
}

#[test]
fn pln_a_heavy_month_or_a_month_without_usage_rows_finds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bills = on_plan(
        "100",
        "555-0100",
        "UNL",
        [Some("1"), Some("1"), Some("95"), Some("1")],
    );
    bills += &on_plan("100", "555-0200", "UNL", [Some("1"), Some("1"), None, Some("1")]);
    let plans = format!("{PLANS_HEAD}plan,V,UNL,,60.00,1000,GB,,,,\nplan,V,Q20,,20.00,5,GB,1.00,,,\n");
    let dump = client(tmp.path(), &bills, &[("plans.csv", plans)]);
    // 555-0100: Q20 costs 20 + 90 = 110 in March, more than 60. 555-0200: March unmeasured.
    assert!(run(&RuleSet::defaults(), &dump, "PLN001").is_empty());
}

fn circuits(dir: &Path, loads: &str) -> Dump {
    let mut bills = String::new();
    for m in 1..=4 {
        bills += &row(m, "300", "CKT-1", "recurring", "C1000", "2000.00");
    }
    let plans = format!(
        "{PLANS_HEAD}circuit,V,C1000,,2000.00,,,,1000,,\n\
         circuit,V,C500,,1200.00,,,,500,,\n\
         circuit,V,C500B,,1200.00,,,,600,,\n\
         circuit,V,C200,,700.00,,,,200,,\n"
    );
    let util = format!("carrier,service_id,period_start,p95_in_mbps,p95_out_mbps\n{loads}");
    client(dir, &bills, &[("plans.csv", plans), ("utilization.csv", util)])
}

#[test]
fn cir_takes_low_and_high_from_the_rule_file_and_breaks_ties_by_bandwidth() {
    let tmp = tempfile::tempdir().unwrap();
    // Peaks 250, 320 (two lines in March: the larger counts), 280: below 0.30 x 1000
    // fails in March (320); with low = 0.5 it is oversized. high = 0.7: C200 holds
    // 140 < 320; C500 holds 350 and C500B 420 at the same price: the larger bandwidth.
    let dump = circuits(
        tmp.path(),
        "V,CKT-1,2025-01-01,900,0\nV,CKT-1,2025-02-01,250,10\nV,CKT-1,2025-03-01,300,20\n\
         V,CKT-1,2025-03-01,5,320\nV,CKT-1,2025-04-01,100,280\n",
    );
    assert!(run(&RuleSet::defaults(), &dump, "CIR001").is_empty());
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules/CIR001.toml")).unwrap();
    let text = text.replace("low = 0.30", "low = \"0.5\"");
    let set = RuleSet::from_rules(vec![RuleSet::from_toml_str("CIR001.toml", &text).unwrap()]).unwrap();
    let f = run(&set, &dump, "CIR001");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].monthly, d("800"));
    assert_eq!(f[0].change.as_ref().unwrap().to, "C500B");
    let basis: Vec<String> = f[0].basis.iter().map(|b| dump.locate(*b)).collect();
    assert_eq!(
        basis,
        [
            "plans.csv:2",
            "plans.csv:4",
            "utilization.csv:3",
            "utilization.csv:4",
            "utilization.csv:5",
            "utilization.csv:6"
        ]
    );
    for bad in ["low = 1.5", "low = 0", "low = \"abc\"", "low = true"] {
        let t = text.replace("low = \"0.5\"", bad);
        let e = RuleSet::from_toml_str("CIR001.toml", &t).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("low"), "{bad}: {e}");
    }
}

#[test]
fn cir_a_month_without_load_data_finds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dump = circuits(tmp.path(), "V,CKT-1,2025-02-01,10,10\nV,CKT-1,2025-04-01,10,10\n");
    assert!(run(&RuleSet::defaults(), &dump, "CIR001").is_empty());
}

#[test]
fn zom_needs_the_inventory_and_counts_a_refused_line_naming_the_service() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bills = String::new();
    for s in ["555-0100", "555-0200", "555-0300"] {
        bills += &row(1, "100", s, "recurring", "P", "30.00");
    }
    bills += &row(1, "100", "", "recurring", "ACCT", "5.00");
    let dump = client(tmp.path(), &bills, &[]);
    assert!(
        run(&RuleSet::defaults(), &dump, "ZOM001").is_empty(),
        "no inventory.csv"
    );
    let tmp = tempfile::tempdir().unwrap();
    let inv = "service_id,carrier,account,status\n555-0100,V,100,active\n555-0200,V,100,retired\n";
    std::fs::create_dir_all(tmp.path().join("invoices")).unwrap();
    std::fs::write(tmp.path().join("invoices/a.csv"), format!("{HEAD}{bills}")).unwrap();
    std::fs::write(tmp.path().join("inventory.csv"), inv).unwrap();
    let dump = telaudit_parse::read_client(tmp.path()).unwrap();
    let f = run(&RuleSet::defaults(), &dump, "ZOM001");
    // 555-0200's line is refused (unknown status) but names it; the account-level row has no service.
    let found: Vec<&str> = f.iter().map(|f| dump.s(f.service)).collect();
    assert_eq!(found, ["555-0300"]);
    assert_eq!(f[0].monthly, d("30"));
    assert!(f[0].description.contains("confirm"), "{}", f[0].description);
    assert_eq!(f[0].change.as_ref().unwrap().to, "cancel");
}

#[test]
fn pln_prices_the_current_plan_from_the_bill_and_the_catalogue_price_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    // UNL is listed at 400.00 but billed at 60.00 (555-0100) and at 15.00 (555-0200).
    // Q20: 20 + 10/GB over 1 GB. For 1, 3, 2 GB in the window (Feb..Apr) Q20 costs
    // 20, 40, 30: 555-0100 saves min(60-20, 60-40, 60-30) = 20.00 a month (priced
    // from the catalogue it would have claimed min(380, 360, 370) = 360.00); for
    // 555-0200, billed 15.00, Q20 costs more in every month: not found.
    let mut bills = on_plan(
        "100",
        "555-0100",
        "UNL",
        [Some("9"), Some("1"), Some("3"), Some("2")],
    );
    for m in 1..=4 {
        bills += &row(m, "100", "555-0200", "recurring", "UNL", "15.00");
        bills += &data(m, "100", "555-0200", "1");
    }
    let plans =
        format!("{PLANS_HEAD}plan,V,UNL,Unlimited,400.00,1000,GB,,,,\nplan,V,Q20,,20.00,1,GB,10.00,,,\n");
    let dump = client(tmp.path(), &bills, &[("plans.csv", plans)]);
    let f = run(&RuleSet::defaults(), &dump, "PLN001");
    let found: Vec<(&str, Decimal)> = f.iter().map(|f| (dump.s(f.service), f.monthly)).collect();
    assert_eq!(found, [("555-0100", d("20"))]);
    assert!(
        f[0].description
            .starts_with("plan UNL (Unlimited) billed at 60.00 a month"),
        "{}",
        f[0].description
    );
    // One warning on the catalogue line, naming the first bill line of the latest
    // period that differs (April's plan row of 555-0100: line 8) and the count.
    let w: Vec<String> = dump
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.place(), w.message))
        .collect();
    assert_eq!(
        w,
        [
            "plans.csv:2: plan \"UNL\" of \"V\" is listed at 400.00 a month, but invoices/a.csv:8 bills it \
          at 60.00 (and 1 more bill line(s) of the latest periods): PLN001, POL001 and CIR001 price the \
          current plan at what the bill charges; correct the catalogue or dispute the bill"
        ]
    );
}

#[test]
fn pln_refuses_a_catalogue_line_whose_overage_passes_the_bound() {
    let tmp = tempfile::tempdir().unwrap();
    // 999999999999.999999 a GB over 1 GB, against 999999 GB in a month: about 10^18,
    // beyond any bill (10^15): the line is refused, not multiplied. Q30 stays.
    let mut bills = String::new();
    for m in 1..=4 {
        bills += &row(m, "100", "555-0100", "recurring", "UNL", "60.00");
        bills += &data(m, "100", "555-0100", "999999");
    }
    let plans = format!(
        "{PLANS_HEAD}plan,V,UNL,,60.00,1000000,GB,,,,\nplan,V,HUGE,,1.00,1,GB,999999999999.999999,,,\n\
         plan,V,Q30,,30.00,1000000,GB,,,,\n"
    );
    std::fs::create_dir_all(tmp.path().join("invoices")).unwrap();
    std::fs::write(tmp.path().join("invoices/a.csv"), format!("{HEAD}{bills}")).unwrap();
    std::fs::write(tmp.path().join("plans.csv"), plans).unwrap();
    let dump = telaudit_parse::read_client(tmp.path()).unwrap();
    let refused: Vec<(String, String)> = dump
        .rejected
        .iter()
        .map(|r| (r.place().to_string(), r.reason.clone()))
        .collect();
    assert_eq!(
        refused,
        [(
            "plans.csv:3".to_string(),
            "overage_rate 999999999999.999999 x the usage of service \"555-0100\" in the period starting \
             2025-01-01 (999999 GB) is beyond any bill (more than 10^15); check the overage_rate"
                .to_string()
        )]
    );
    let f = run(&RuleSet::defaults(), &dump, "PLN001");
    let found: Vec<(&str, Decimal, String)> = f
        .iter()
        .map(|f| {
            (
                dump.s(f.service),
                f.monthly,
                f.change.as_ref().unwrap().to.clone(),
            )
        })
        .collect();
    assert_eq!(found, [("555-0100", d("30"), "Q30".to_string())]);
}

#[test]
fn cir_counts_load_lines_in_the_billed_period_holding_their_date_and_prices_from_the_bill() {
    let tmp = tempfile::tempdir().unwrap();
    // The export is dated the 2nd; the bills' periods run from the 1st to the 28th.
    // Peaks 120, 135, 130 (Feb..Apr) are below 0.30 x 1000: C200 (700.00, holds
    // 0.70 x 200 = 140) saves 2000.00 - 700.00 = 1300.00. Two lines fall in no
    // billed period (March 30th, between two periods, and May 2nd): one warning.
    let dump = circuits(
        tmp.path(),
        "V,CKT-1,2025-01-02,900,0\nV,CKT-1,2025-02-02,120,10\nV,CKT-1,2025-03-02,135,20\n\
         V,CKT-1,2025-03-30,900,900\nV,CKT-1,2025-04-02,100,130\nV,CKT-1,2025-05-02,900,900\n",
    );
    let f = run(&RuleSet::defaults(), &dump, "CIR001");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].monthly, d("1300"));
    assert_eq!(f[0].change.as_ref().unwrap().to, "C200");
    let basis: Vec<String> = f[0].basis.iter().map(|b| dump.locate(*b)).collect();
    assert_eq!(
        basis,
        [
            "plans.csv:2",
            "plans.csv:5",
            "utilization.csv:3",
            "utilization.csv:4",
            "utilization.csv:6"
        ]
    );
    let w: Vec<String> = dump
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.place(), w.message))
        .collect();
    assert_eq!(
        w,
        [
            "utilization.csv:5: 2 utilization line(s) fall in no billed period of their circuit (the first: \
          circuit \"CKT-1\" of \"V\" dated 2025-03-30), so CIR001 does not count them: a line counts for \
          the billed period (period_start to period_end of the circuit's bill rows) that contains its \
          period_start date"
        ]
    );

    // The same circuit billed at 650.00 (the catalogue still says 2000.00): no tier
    // costs less than the bill, so nothing is found, and the price is a warning.
    let tmp = tempfile::tempdir().unwrap();
    let mut bills = String::new();
    for m in 1..=4 {
        bills += &row(m, "300", "CKT-1", "recurring", "C1000", "650.00");
    }
    let plans = format!("{PLANS_HEAD}circuit,V,C1000,,2000.00,,,,1000,,\ncircuit,V,C200,,700.00,,,,200,,\n");
    let util = "carrier,service_id,period_start,p95_in_mbps,p95_out_mbps\n\
                V,CKT-1,2025-02-01,120,0\nV,CKT-1,2025-03-01,135,0\nV,CKT-1,2025-04-01,130,0\n"
        .to_string();
    let dump = client(
        tmp.path(),
        &bills,
        &[("plans.csv", plans), ("utilization.csv", util)],
    );
    assert!(run(&RuleSet::defaults(), &dump, "CIR001").is_empty());
    assert_eq!(dump.warnings.len(), 1, "{:?}", dump.warnings);
    assert!(dump.warnings[0]
        .message
        .starts_with("circuit tier \"C1000\" of \"V\" is listed at 2000.00 a month, but invoices/a.csv:5 bills it at 650.00"));
}

#[test]
fn a_catalogue_carrier_on_no_bill_is_a_warning_naming_the_closest_billed_carrier() {
    let tmp = tempfile::tempdir().unwrap();
    let bills = on_plan(
        "100",
        "555-0100",
        "UNL",
        [Some("9"), Some("1"), Some("3"), Some("2")],
    );
    // The catalogue says "v " where the bills say "V": PLN001 never uses it.
    let plans = format!("{PLANS_HEAD}plan,v ,UNL,,60.00,1000,GB,,,,\nplan,v ,Q20,,20.00,1,GB,10.00,,,\n");
    let dump = client(tmp.path(), &bills, &[("plans.csv", plans)]);
    assert!(run(&RuleSet::defaults(), &dump, "PLN001").is_empty());
    let w: Vec<String> = dump
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.place(), w.message))
        .collect();
    assert_eq!(
        w,
        [
            "plans.csv:2: catalogue line(s) of carrier \"v\" (2 in all): the carrier appears on no bill, so \
          PLN001 and CIR001 never use them; write the carrier's name exactly as the bills do; the closest \
          billed carrier is \"V\""
        ]
    );
}
