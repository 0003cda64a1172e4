//! POL001 (optimization.md section 3b) on client folders small enough to check by
//! hand, one per case: the deep pool found (the shallower plan picked over a
//! cheaper one that loses on overage), the right-sized pool, the usage gap, the
//! pool of one, an idle line left out, a retired plan and a plan in another unit
//! never recommended, two units as two pools, and the services left out by the
//! other rules' definitions whether or not those rules run.

use std::path::Path;
use telaudit_model::{ClaimKey, Decimal, Dump, Finding};
use telaudit_rules::{evaluate, RuleSet};

const HEAD: &str = "carrier,account,invoice,invoice_date,period_start,period_end,service_id,charge_type,\
charge_code,description,quantity,unit_rate,amount,usage_quantity,usage_unit\n";
const PLANS: &str = "kind,carrier,code,name,monthly,allowance,usage_unit,overage_rate,bandwidth_mbps,effective_from,effective_to\n\
pool,A,FLEX30,Flex 30GB,50.00,30,GB,10.00,,,\n\
pool,A,FLEX15,Flex 15GB,38.00,15,GB,12.50,,,\n\
pool,A,FLEX5,Flex 5GB,28.00,5,GB,15.00,,,\n";

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A line `service` of account `account` on pool plan `code` billed `amount` in
/// months 1..=4 of 2025, with a GB usage row per month (`None`: no row).
fn line(account: &str, service: &str, code: &str, amount: &str, gb: [Option<&str>; 4]) -> String {
    let mut s = String::new();
    for (i, u) in gb.iter().enumerate() {
        let m = i + 1;
        let at = format!("A,{account},I{m},2025-{m:02}-05,2025-{m:02}-01,2025-{m:02}-28,{service}");
        s += &format!("{at},recurring,{code},x,1,,{amount},,\n");
        if let Some(u) = u {
            s += &format!("{at},usage,DATA,x,1,,0.00,{u},GB\n");
        }
    }
    s
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

fn pol(dump: &Dump) -> Vec<Finding> {
    run(&RuleSet::defaults(), dump, "POL001")
}

/// POL001 alone, without the rules whose definitions it shares.
fn pol_alone(dump: &Dump) -> Vec<Finding> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/POL001.toml"))
        .unwrap();
    let rule = RuleSet::from_toml_str("POL001.toml", &text).unwrap();
    run(&RuleSet::from_rules(vec![rule]).unwrap(), dump, "POL001")
}

/// (service, monthly) of each claim, in claim order.
fn shares(dump: &Dump, f: &Finding) -> Vec<(String, Decimal)> {
    f.claims
        .iter()
        .map(|c| match c.key {
            ClaimKey::Row(r) => (dump.s(dump.rows[r as usize].service).to_string(), c.monthly),
            ClaimKey::MissingCredit { .. } => panic!("a pool claims rows"),
        })
        .collect()
}

/// The deep pool of the kind's doc example: 3 lines on FLEX30 (90 GB, 150.00 a
/// month) using 18, 45.2 and 17 GB. FLEX5 is the cheapest a line (84.00) but
/// costs 84 + 15 x 30.2 = 537.00 in March; FLEX15 costs 114.00, 116.50, 114.00:
/// picked, saving min(36, 33.50, 36) = 33.50, claimed 11.16, 11.16, 11.18.
#[test]
fn a_deep_pool_moves_to_the_shallower_plan_not_the_cheaper_one_that_loses_on_overage() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bills = line(
        "100",
        "555-0101",
        "FLEX30",
        "50.00",
        [Some("9"), Some("10"), Some("20.2"), Some("8")],
    );
    bills += &line(
        "100",
        "555-0102",
        "FLEX30",
        "50.00",
        [Some("3"), Some("6"), Some("12"), Some("5")],
    );
    bills += &line(
        "100",
        "555-0103",
        "FLEX30",
        "50.00",
        [Some("2"), Some("2"), Some("13"), Some("4")],
    );
    let dump = client(tmp.path(), &bills, &[("plans.csv", PLANS.to_string())]);
    let f = pol(&dump);
    assert_eq!(f.len(), 1);
    let f = &f[0];
    assert_eq!(
        f.description,
        "pool of 3 services on FLEX30 (Flex 30GB), 90 GB pooled, used 18, 45.2, 17 GB in the last 3 periods: \
         FLEX15 (Flex 15GB) would pool 45 GB and cost less in every one of them; saves 33.50 a month"
    );
    assert_eq!((f.recoverable, f.monthly), (d("0"), d("33.50")));
    assert_eq!(
        shares(&dump, f),
        [
            ("555-0101".to_string(), d("11.16")),
            ("555-0102".to_string(), d("11.16")),
            ("555-0103".to_string(), d("11.18"))
        ]
    );
    assert_eq!(f.key, "POL001|A|100||GB");
    assert!(f.service.is_empty());
    // Evidence: April's 3 plan rows and the window's 9 usage rows; basis FLEX30 and FLEX15.
    assert_eq!(f.evidence.len(), 12);
    assert_eq!(f.first_period.to_string(), "2025-02-01");
    let basis: Vec<String> = f.basis.iter().map(|b| dump.locate(*b)).collect();
    assert_eq!(basis, ["plans.csv:2", "plans.csv:3"]);
    let c = f.change.as_ref().unwrap();
    assert_eq!(
        (c.from.as_str(), c.to.as_str()),
        ("FLEX30 (Flex 30GB)", "FLEX15 (Flex 15GB)")
    );
    let pool = c.pool.as_ref().unwrap();
    assert_eq!(pool.name, "pool of 3 services (GB)");
    assert_eq!(pool.from.len(), 3);
    // PLN001 judges `plan` entries only.
    assert!(run(&RuleSet::defaults(), &dump, "PLN001").is_empty());
}

/// 2 lines on FLEX5 (10 GB, 56.00) using 8, 10 and 9 GB: FLEX5 itself costs the
/// same (not less), FLEX15 76.00: not found.
#[test]
fn a_right_sized_pool_is_not_found() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bills = line(
        "200",
        "555-0201",
        "FLEX5",
        "28.00",
        [Some("4"), Some("4"), Some("5"), Some("4.5")],
    );
    bills += &line(
        "200",
        "555-0202",
        "FLEX5",
        "28.00",
        [Some("5"), Some("4"), Some("5"), Some("4.5")],
    );
    let dump = client(tmp.path(), &bills, &[("plans.csv", PLANS.to_string())]);
    assert!(pol(&dump).is_empty());
}

/// The deep pool with one line's March data row missing: not judged; with it,
/// found.
#[test]
fn a_pool_with_a_usage_gap_is_not_judged() {
    let tmp = tempfile::tempdir().unwrap();
    let deep = |march: Option<&str>| {
        let mut b = line(
            "100",
            "555-0101",
            "FLEX30",
            "50.00",
            [Some("9"), Some("10"), Some("3"), Some("8")],
        );
        b += &line(
            "100",
            "555-0102",
            "FLEX30",
            "50.00",
            [Some("3"), Some("6"), march, Some("5")],
        );
        b
    };
    let dump = client(
        &tmp.path().join("gap"),
        &deep(None),
        &[("plans.csv", PLANS.to_string())],
    );
    assert!(pol(&dump).is_empty());
    // A usage row with an empty quantity still measures the period (it counts 0).
    let dump = client(
        &tmp.path().join("empty"),
        &deep(Some("")),
        &[("plans.csv", PLANS.to_string())],
    );
    assert_eq!(pol(&dump).len(), 1);
    // Two lines of 16, 3, 13 GB on FLEX30 (100.00): FLEX5 costs 56 + 15 x 6 =
    // 146 in February; FLEX15 76.00 in each: saves 24.00.
    let dump = client(
        &tmp.path().join("full"),
        &deep(Some("0")),
        &[("plans.csv", PLANS.to_string())],
    );
    let f = pol(&dump);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].monthly, d("24"));
    assert!(
        f[0].description.contains("used 16, 3, 13 GB"),
        "{}",
        f[0].description
    );
}

/// One line on FLEX30 using 2 GB a month: a pool of one is not judged (PLN001
/// does not judge it either: its code is a `pool`).
#[test]
fn a_pool_of_one_is_not_judged() {
    let tmp = tempfile::tempdir().unwrap();
    let bills = line(
        "300",
        "555-0301",
        "FLEX30",
        "50.00",
        [Some("2"), Some("2"), Some("2"), Some("2")],
    );
    let dump = client(tmp.path(), &bills, &[("plans.csv", PLANS.to_string())]);
    assert!(pol(&dump).is_empty());
    assert!(run(&RuleSet::defaults(), &dump, "PLN001").is_empty());
}

/// A third line with no usage in the window is idle (UNU001 claims its 50.00):
/// it leaves the pool, so the pool is 2 lines (60 GB, 100.00), and its plan row
/// carries no POL001 claim. 16, 3, 13 GB: FLEX15 at 76.00 saves 24.00, 12.00 a
/// line. With the idle line counted the pool would be 3 lines and save 36.00.
#[test]
fn an_idle_line_leaves_the_pool_and_unu001_claims_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bills = line(
        "100",
        "555-0101",
        "FLEX30",
        "50.00",
        [Some("9"), Some("10"), Some("3"), Some("8")],
    );
    bills += &line(
        "100",
        "555-0102",
        "FLEX30",
        "50.00",
        [Some("3"), Some("6"), Some("0"), Some("5")],
    );
    bills += &line(
        "100",
        "555-0103",
        "FLEX30",
        "50.00",
        [Some("2"), Some("0"), Some("0"), Some("0")],
    );
    let dump = client(tmp.path(), &bills, &[("plans.csv", PLANS.to_string())]);
    for f in [pol(&dump), pol_alone(&dump)] {
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].monthly, d("24"));
        assert_eq!(
            shares(&dump, &f[0]),
            [
                ("555-0101".to_string(), d("12")),
                ("555-0102".to_string(), d("12"))
            ]
        );
        assert!(f[0]
            .description
            .starts_with("pool of 2 services on FLEX30 (Flex 30GB), 60 GB pooled"));
    }
    let unu = run(&RuleSet::defaults(), &dump, "UNU001");
    assert_eq!(unu.len(), 1);
    assert_eq!((dump.s(unu[0].service), unu[0].monthly), ("555-0103", d("50")));
}

/// A retired pool plan (POOL1, 10.00 a line, offer ended 2024-12-31) would cost
/// 20.00 a month for the two light lines: never recommended; FLEX5 (56.00) is.
#[test]
fn a_retired_plan_is_never_recommended() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bills = line(
        "100",
        "555-0101",
        "FLEX30",
        "50.00",
        [Some("1"), Some("1"), Some("1"), Some("1")],
    );
    bills += &line(
        "100",
        "555-0102",
        "FLEX30",
        "50.00",
        [Some("1"), Some("1"), Some("1"), Some("1")],
    );
    let plans = format!("{PLANS}pool,A,POOL1,Legacy 1GB,10.00,1,GB,1.00,,,2024-12-31\n");
    let dump = client(tmp.path(), &bills, &[("plans.csv", plans)]);
    let f = pol(&dump);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].change.as_ref().unwrap().to, "FLEX5 (Flex 5GB)");
    assert_eq!(f[0].monthly, d("44"));
}

/// A pool plan counting minutes (MINPOOL, 5.00 a line) is cheaper than any GB
/// plan: never recommended for a GB pool. Two lines on a minutes pool plan of
/// the same account are a second pool (its own finding, key and unit).
#[test]
fn a_plan_in_another_unit_is_never_recommended_and_two_units_are_two_pools() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bills = line(
        "100",
        "555-0101",
        "FLEX30",
        "50.00",
        [Some("1"), Some("1"), Some("1"), Some("1")],
    );
    bills += &line(
        "100",
        "555-0102",
        "FLEX30",
        "50.00",
        [Some("1"), Some("1"), Some("1"), Some("1")],
    );
    for s in ["555-0103", "555-0104"] {
        for m in 1..=4 {
            let at = format!("A,100,I{m},2025-{m:02}-05,2025-{m:02}-01,2025-{m:02}-28,{s}");
            bills += &format!("{at},recurring,VOICE2K,x,1,,30.00,,\n{at},usage,MIN,x,1,,0.00,100,min\n");
        }
    }
    let plans = format!(
        "{PLANS}pool,A,MINPOOL,Minutes 100,5.00,100,min,0.10,,,\npool,A,VOICE2K,Minutes 2000,30.00,2000,min,0.05,,,\n"
    );
    let dump = client(tmp.path(), &bills, &[("plans.csv", plans)]);
    let f = pol(&dump);
    let got: Vec<(&str, String, Decimal)> = f
        .iter()
        .map(|f| (f.key.as_str(), f.change.as_ref().unwrap().to.clone(), f.monthly))
        .collect();
    // GB: FLEX5 at 56.00 against 100.00. min: 200 minutes a month, MINPOOL pools
    // 200 at 10.00 against 60.00.
    assert_eq!(
        got,
        [
            ("POL001|A|100||GB", "FLEX5 (Flex 5GB)".to_string(), d("44")),
            ("POL001|A|100||min", "MINPOOL (Minutes 100)".to_string(), d("50")),
        ]
    );
}

/// A line whose latest period holds a `plan` row and a `pool` row is judged by
/// neither PLN001 nor POL001: here it leaves a pool of one behind, and PLN001,
/// which would move it to SOLO10, is silent too.
#[test]
fn a_service_with_plan_rows_of_both_kinds_is_judged_by_neither() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bills = line(
        "100",
        "555-0101",
        "FLEX30",
        "50.00",
        [Some("1"), Some("1"), Some("1"), Some("1")],
    );
    bills += &line(
        "100",
        "555-0102",
        "FLEX30",
        "50.00",
        [Some("1"), Some("1"), Some("1"), Some("1")],
    );
    bills += &line("100", "555-0102", "UNL", "60.00", [None, None, None, None]);
    let plans = format!("{PLANS}plan,A,UNL,Unlimited,60.00,1000,GB,,,,\nplan,A,SOLO10,,10.00,10,GB,,,,\n");
    let dump = client(tmp.path(), &bills, &[("plans.csv", plans)]);
    assert!(pol(&dump).is_empty());
    assert!(run(&RuleSet::defaults(), &dump, "PLN001").is_empty());
}

/// A line billed after its disconnect date and a line the inventory does not
/// list leave the pool whether or not DIS001 and ZOM001 run; the pool that is
/// left (2 lines) is judged on its own lines.
#[test]
fn disconnected_and_untracked_lines_leave_the_pool_whether_or_not_their_rules_run() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bills = String::new();
    for s in ["555-0101", "555-0102", "555-0103", "555-0104"] {
        bills += &line(
            "100",
            s,
            "FLEX30",
            "50.00",
            [Some("1"), Some("1"), Some("1"), Some("1")],
        );
    }
    let inventory = "service_id,carrier,account,status,disconnect_date\n\
                     555-0101,A,100,active,\n555-0102,A,,active,\n555-0103,A,100,disconnected,2025-02-14\n";
    let dump = client(
        tmp.path(),
        &bills,
        &[
            ("plans.csv", PLANS.to_string()),
            ("inventory.csv", inventory.to_string()),
        ],
    );
    for f in [pol(&dump), pol_alone(&dump)] {
        assert_eq!(f.len(), 1);
        let services: Vec<String> = shares(&dump, &f[0]).into_iter().map(|(s, _)| s).collect();
        assert_eq!(services, ["555-0101", "555-0102"]);
        // 2 lines, 2 GB: FLEX5 at 56.00 against 100.00.
        assert_eq!(f[0].monthly, d("44"));
    }
    let dis = run(&RuleSet::defaults(), &dump, "DIS001");
    assert_eq!(dump.s(dis[0].service), "555-0103");
    let zom = run(&RuleSet::defaults(), &dump, "ZOM001");
    assert_eq!(dump.s(zom[0].service), "555-0104");
}

/// What the client pays now is what the bill says: a pool billed 45.00 a line
/// (the catalogue says 50.00) costs 90.00 now, so FLEX5's 56.00 saves 34.00.
#[test]
fn the_pool_costs_what_the_bill_charges() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bills = line(
        "100",
        "555-0101",
        "FLEX30",
        "45.00",
        [Some("1"), Some("1"), Some("1"), Some("1")],
    );
    bills += &line(
        "100",
        "555-0102",
        "FLEX30",
        "45.00",
        [Some("1"), Some("1"), Some("1"), Some("1")],
    );
    let dump = client(tmp.path(), &bills, &[("plans.csv", PLANS.to_string())]);
    let f = pol(&dump);
    assert_eq!(f[0].monthly, d("34"));
}

/// No money rests on a pooling report alone (formats.md section 5d): with the real
/// AT&T exports of ../shared/carrier-samples (ENC1 Pooling, ENC1 Detail,
/// rawdataoutput; GPL, read in place) and a catalogue whose pool plan is the
/// pooling report's rate plan (MS7GBIPVO, 7 GB a line), the pooling report gives
/// no row, its 948.03 of data charges and their credits appear nowhere, and POL001
/// finds nothing. Skips when the samples are absent.
#[test]
fn a_pooling_report_alone_gives_no_money() {
    // `shared/carrier-samples` beside the repository or beside a folder above it
    // (a worktree of it).
    let Some(samples) = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/carrier-samples/att"))
        .find(|p| p.is_dir())
    else {
        eprintln!("skipped: no shared/carrier-samples/att above the repository");
        return;
    };
    if !samples.is_dir() {
        eprintln!("skipped: {} is absent", samples.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let inv = tmp.path().join("invoices");
    std::fs::create_dir(&inv).unwrap();
    for e in std::fs::read_dir(&samples).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), inv.join(e.file_name())).unwrap();
    }
    let plans = "kind,carrier,code,name,monthly,allowance,usage_unit,overage_rate\n\
                 pool,AT&T Mobility,MS7GBIPVO,Mobile Select 7GB pooled,30.00,7,GB,10.00\n\
                 pool,AT&T Mobility,MS2GB,Mobile Select 2GB pooled,20.00,2,GB,10.00\n";
    std::fs::write(tmp.path().join("plans.csv"), plans).unwrap();
    let dump = telaudit_parse::read_client(tmp.path()).unwrap();
    // Recognised and skipped whole: none of the dump's rows comes from it.
    assert!(dump
        .rows
        .iter()
        .all(|r| !dump.file(r.source.file).path.ends_with("ENC1 Pooling Mar.csv")));
    assert!(dump
        .skipped
        .iter()
        .any(|s| s.file.ends_with("ENC1 Pooling Mar.csv")));
    assert!(dump
        .rows
        .iter()
        .all(|r| r.amount.to_decimal().abs() != d("948.03")));
    assert!(pol(&dump).is_empty());
}

/// Ties on the summed cost go to the lower monthly, then to the smaller code: two
/// lines using 1 GB each (100.00 on FLEX30); SHARE20 (20.00 a line, 10 GB) and
/// SHARE15 / SHARE15B (15.00 a line, no allowance, 5.00 a GB) all cost 40.00 a
/// month: SHARE15 is picked, saving 60.00.
#[test]
fn ties_go_to_the_lower_monthly_then_the_smaller_code() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bills = line(
        "100",
        "555-0101",
        "FLEX30",
        "50.00",
        [Some("1"), Some("1"), Some("1"), Some("1")],
    );
    bills += &line(
        "100",
        "555-0102",
        "FLEX30",
        "50.00",
        [Some("1"), Some("1"), Some("1"), Some("1")],
    );
    let plans = format!(
        "{PLANS}pool,A,SHARE20,,20.00,10,GB,,,,\npool,A,SHARE15B,,15.00,0,GB,5.00,,,\npool,A,SHARE15,,15.00,0,GB,5.00,,,\n"
    );
    let dump = client(tmp.path(), &bills, &[("plans.csv", plans)]);
    let f = pol(&dump);
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].change.as_ref().unwrap().to.as_str(), f[0].monthly),
        ("SHARE15", d("60"))
    );
    let basis: Vec<String> = f[0].basis.iter().map(|b| dump.locate(*b)).collect();
    assert_eq!(basis, ["plans.csv:2", "plans.csv:7"]);
}
