//! changes/<carrier>.csv and the "Buying too much" sections: one action per
//! service (disconnect, cancel, suspend, downgrade), its money counted once.

mod common;

use common::*;
use telaudit_model::{Action, Change, ClaimKey};
use telaudit_report::{changes, changes_csv, disputes, report_html, report_md, summarize, write_outputs};

fn with_change(f: telaudit_model::Finding, from: &str, to: &str) -> telaudit_model::Finding {
    let action = match to {
        "cancel" => Action::Cancel,
        "suspend" => Action::Suspend,
        "disconnect" => Action::Disconnect,
        _ => Action::Downgrade,
    };
    with_action(f, action, from, to)
}

fn with_action(
    mut f: telaudit_model::Finding,
    action: Action,
    from: &str,
    to: &str,
) -> telaudit_model::Finding {
    f.change = Some(Change {
        action,
        from: from.to_string(),
        to: to.to_string(),
        pool: None,
    });
    f
}

#[test]
fn changes_are_listed_per_carrier_guarded_and_never_disputed() {
    let mut dump = dump();
    let a = row(
        &mut dump,
        "=Evil/../Carrier",
        "A1",
        "-555-0100",
        "2025-03-01",
        "60.00",
        src(0, 2),
    );
    let b = row(
        &mut dump,
        "=evil/../carrier",
        "A2",
        "555-0200",
        "2025-03-01",
        "45.00",
        src(0, 3),
    );
    let c = row(
        &mut dump,
        "Verizon",
        "V1",
        "555-0300",
        "2025-03-01",
        "45.00",
        src(0, 4),
    );
    let pln = finding(
        &mut dump,
        "PLN001",
        "=Evil/../Carrier",
        "A1",
        "-555-0100",
        "cheaper plan",
        vec![claim(ClaimKey::Row(a), "0", "25.00")],
        vec![src(0, 2)],
    );
    let mut pln = with_change(pln, "@UNL (Unlimited)", "P500");
    pln.basis = vec![src(3, 2), src(3, 4)];
    let zom = finding(
        &mut dump,
        "ZOM001",
        "=evil/../carrier",
        "A2",
        "555-0200",
        "not in inventory",
        vec![claim(ClaimKey::Row(b), "0", "45.00")],
        vec![src(0, 3)],
    );
    let zom = with_change(zom, "UNL", "cancel");
    let dup = finding(
        &mut dump,
        "DUP001",
        "Verizon",
        "V1",
        "555-0300",
        "copy",
        vec![claim(ClaimKey::Row(c), "45.00", "0")],
        vec![src(0, 4)],
    );
    let results = vec![
        result("DUP001", "Duplicate charge", vec![dup]),
        result("PLN001", "Oversized plan", vec![pln]),
        result("ZOM001", "Billed but not in inventory", vec![zom]),
    ];
    let all = changes(&dump, &results);
    // Two carriers whose names clash once sanitized (case-insensitively): `_2`.
    let stems: Vec<(&str, &str)> = all
        .iter()
        .map(|c| (c.carrier.as_str(), c.stem.as_str()))
        .collect();
    assert_eq!(
        stems,
        [
            ("=Evil/../Carrier", "_Evil_.__Carrier"),
            ("=evil/../carrier", "_evil_.__carrier_2")
        ]
    );
    assert_eq!(
        changes_csv(&all[0]),
        "account,service_id,action,rule,from,to,monthly_saving,evidence\n\
         A1,'-555-0100,downgrade,PLN001,'@UNL (Unlimited),P500,25.00,invoices/a.csv:2;contracts.csv:2;contracts.csv:4\n"
    );
    assert_eq!(
        changes_csv(&all[1]),
        "account,service_id,action,rule,from,to,monthly_saving,evidence\nA2,555-0200,cancel,ZOM001,UNL,cancel,45.00,invoices/a.csv:3\n"
    );
    // Only the duplicate is disputed.
    let d = disputes(&dump, &results);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].carrier, "Verizon");

    let report = summarize(&dump, &results);
    let html = report_html(&dump, &results, &report);
    let section = &html[html.find("<h2>Buying too much</h2>").expect("the section")..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("One action per service"), "{section}");
    assert!(
        section.contains("<td>@UNL (Unlimited)</td><td>P500</td><td class=\"m\"><b>25.00</b></td>"),
        "{section}"
    );
    assert!(
        section.contains("<td>UNL</td><td>cancel</td><td class=\"m\"><b>45.00</b></td>"),
        "{section}"
    );
    // Largest saving first; the duplicate is not a change.
    assert!(section.find("cancel").unwrap() < section.find("P500").unwrap());
    assert!(!section.contains("DUP001"));
    let md = report_md(&dump, &results, &report);
    assert!(md.contains("## Buying too much"), "{md}");
    assert!(
        md.contains("| cancel | =evil/../carrier | A2 | 555-0200 | ZOM001 | UNL | cancel | 45.00 |"),
        "{md}"
    );

    let tmp = tempfile::tempdir().unwrap();
    write_outputs(tmp.path(), &dump, &results, &report).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(tmp.path().join("changes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["_Evil_.__Carrier.csv", "_evil_.__carrier_2.csv"]);
    // A run without changes removes the stale folder, as it does disputes/.
    let only_dup = vec![results[0].clone()];
    write_outputs(tmp.path(), &dump, &only_dup, &summarize(&dump, &only_dup)).unwrap();
    assert!(!tmp.path().join("changes").exists());
    let html = report_html(&dump, &only_dup, &summarize(&dump, &only_dup));
    assert!(!html.contains("Buying too much"));
}

/// One service found by four rules gets one row: the first action (disconnect),
/// every rule id, and its monthly money once per row (the largest claim).
/// Another, idle and on a large plan, is suspended, not downgraded.
#[test]
fn one_row_per_service_with_the_first_action_and_overlap_free_money() {
    let mut dump = dump();
    let plan = row(&mut dump, "V", "A1", "555-0100", "2025-03-01", "60.00", src(0, 2));
    let feat = row(&mut dump, "V", "A1", "555-0100", "2025-03-01", "10.00", src(0, 3));
    let tax = row(&mut dump, "V", "A1", "555-0100", "2025-03-01", "4.00", src(0, 4));
    let idle = row(&mut dump, "V", "A1", "555-0200", "2025-03-01", "45.00", src(0, 5));
    let (p, f, t, i) = (
        ClaimKey::Row(plan),
        ClaimKey::Row(feat),
        ClaimKey::Row(tax),
        ClaimKey::Row(idle),
    );
    let dis = finding(
        &mut dump,
        "DIS001",
        "V",
        "A1",
        "555-0100",
        "billed after disconnect",
        vec![claim(p, "60", "60"), claim(f, "10", "10"), claim(t, "4", "4")],
        vec![src(0, 2), src(0, 3), src(0, 4)],
    );
    let dis = with_action(dis, Action::Disconnect, "PLAN + FEAT", "disconnect");
    let zom = finding(
        &mut dump,
        "ZOM001",
        "V",
        "A1",
        "555-0100",
        "not in inventory",
        vec![claim(p, "0", "60"), claim(f, "0", "10")],
        vec![src(0, 2), src(0, 3)],
    );
    let zom = with_change(zom, "PLAN + FEAT", "cancel");
    let pln = finding(
        &mut dump,
        "PLN001",
        "V",
        "A1",
        "555-0100",
        "cheaper plan",
        vec![claim(p, "0", "25")],
        vec![src(0, 2)],
    );
    let pln = with_change(pln, "PLAN", "SMALL");
    let taxf = finding(
        &mut dump,
        "TAX001",
        "V",
        "A1",
        "555-0100",
        "exempt tax",
        vec![claim(t, "4", "4")],
        vec![src(0, 4)],
    );
    let unu = finding(
        &mut dump,
        "UNU001",
        "V",
        "A1",
        "555-0200",
        "idle",
        vec![claim(i, "0", "45")],
        vec![src(0, 5)],
    );
    let unu = with_change(unu, "PLAN", "suspend");
    let pln2 = finding(
        &mut dump,
        "PLN001",
        "V",
        "A1",
        "555-0200",
        "cheaper plan",
        vec![claim(i, "0", "20")],
        vec![src(0, 5)],
    );
    let pln2 = with_change(pln2, "PLAN", "SMALL");
    let results = vec![
        result("DIS001", "Billed after disconnect", vec![dis]),
        result("PLN001", "Oversized plan", vec![pln, pln2]),
        result("TAX001", "Tax", vec![taxf]),
        result("UNU001", "Unused", vec![unu]),
        result("ZOM001", "Not in inventory", vec![zom]),
    ];
    let all = changes(&dump, &results);
    assert_eq!(all.len(), 1);
    // 555-0100: 60 + 10 + 4 (DIS001 claims every row in full; ZOM001's and
    // PLN001's claims on the same rows count once). 555-0200: 45, not 45 + 20.
    assert_eq!(
        changes_csv(&all[0]),
        "account,service_id,action,rule,from,to,monthly_saving,evidence\n\
         A1,555-0100,disconnect,DIS001;PLN001;TAX001;ZOM001,PLAN + FEAT,disconnect,74.00,invoices/a.csv:2;invoices/a.csv:3;invoices/a.csv:4\n\
         A1,555-0200,suspend,PLN001;UNU001,PLAN,suspend,45.00,invoices/a.csv:5\n"
    );
    let report = summarize(&dump, &results);
    let md = report_md(&dump, &results, &report);
    assert!(
        md.contains("| disconnect | billed after its disconnect date"),
        "{md}"
    );
    assert!(
        md.contains("| disconnect | V | A1 | 555-0100 | DIS001, PLN001, TAX001, ZOM001 | PLAN + FEAT | disconnect | 74.00 |"),
        "{md}"
    );
    assert!(
        md.contains("| suspend | no usage in its last periods: suspend it, or cancel it | 1 | 45.00 |"),
        "{md}"
    );
    assert!(!md.contains("| downgrade |"), "{md}");
}

/// A pool (POL001, optimization.md section 3b): one finding about 12 services,
/// claimed in equal cent shares on their plan rows (the last row the rest). It
/// gets one `downgrade` line per service, each from its own plan, the lines adding
/// up to the finding; a RAT001 claim on one of the rows (no action) is not in the
/// line's money. The reports show the pool as one item with its services under
/// it (10 of them, then a count).
#[test]
fn a_pool_is_one_line_per_service_adding_up_and_one_item_in_the_reports() {
    let mut dump = dump();
    let mut rows = Vec::new();
    let mut from = Vec::new();
    for i in 0..12u32 {
        let service = format!("555-01{i:02}");
        let r = row(
            &mut dump,
            "A",
            "100",
            &service,
            "2025-04-01",
            "50.00",
            src(0, 2 + i),
        );
        rows.push(r);
        let plan = if i == 3 { "FLEX30B" } else { "FLEX30" };
        from.push((dump.strings.intern(&service), plan.to_string()));
    }
    // 100.00 / 12 = 8.333...: eleven rows of 8.33, the last 8.37.
    let claims: Vec<_> = rows
        .iter()
        .enumerate()
        .map(|(i, &r)| claim(ClaimKey::Row(r), "0", if i == 11 { "8.37" } else { "8.33" }))
        .collect();
    let evidence: Vec<_> = (0..12).map(|i| src(0, 2 + i)).collect();
    let mut pol = finding(
        &mut dump,
        "POL001",
        "A",
        "100",
        "",
        "pool of 12 services",
        claims,
        evidence,
    );
    pol.basis = vec![src(3, 2), src(3, 3)];
    pol.change = Some(Change {
        action: Action::Downgrade,
        from: "FLEX30 + FLEX30B".to_string(),
        to: "FLEX15".to_string(),
        pool: Some(telaudit_model::PoolChange {
            name: "pool of 12 services (GB)".to_string(),
            from,
        }),
    });
    let rat = finding(
        &mut dump,
        "RAT001",
        "A",
        "100",
        "555-0100",
        "rate",
        vec![claim(ClaimKey::Row(rows[0]), "5.00", "5.00")],
        vec![src(0, 2)],
    );
    // A service on its own, saving less than the pool and more than any of its lines.
    let own = row(
        &mut dump,
        "A",
        "100",
        "555-0900",
        "2025-04-01",
        "40.00",
        src(0, 20),
    );
    let pln = finding(
        &mut dump,
        "PLN001",
        "A",
        "100",
        "555-0900",
        "cheaper plan",
        vec![claim(ClaimKey::Row(own), "0", "20.00")],
        vec![src(0, 20)],
    );
    let pln = with_change(pln, "UNL", "P500");
    let results = vec![
        result("PLN001", "Oversized plan", vec![pln]),
        result("POL001", "Oversized pool", vec![pol]),
        result("RAT001", "Rate above contract", vec![rat]),
    ];
    let all = changes(&dump, &results);
    assert_eq!(all.len(), 1);
    let lines = &all[0].lines;
    assert_eq!(lines.len(), 13);
    let pool: Vec<_> = lines.iter().filter(|l| l.pool.is_some()).collect();
    assert_eq!(pool.len(), 12);
    assert!(pool
        .iter()
        .all(|l| l.action == Action::Downgrade && l.to == "FLEX15"));
    assert_eq!(
        pool.iter().map(|l| l.monthly).sum::<telaudit_model::Decimal>(),
        d("100.00")
    );
    assert_eq!(
        (
            pool[0].service.as_str(),
            pool[0].rule.as_str(),
            pool[0].from.as_str(),
            pool[0].monthly
        ),
        ("555-0100", "POL001;RAT001", "FLEX30", d("8.33"))
    );
    assert_eq!((pool[3].from.as_str(), pool[11].monthly), ("FLEX30B", d("8.37")));
    let csv = changes_csv(&all[0]);
    assert!(
        csv.contains("100,555-0103,downgrade,POL001,FLEX30B,FLEX15,8.33,invoices/a.csv:5;contracts.csv:2;contracts.csv:3\n"),
        "{csv}"
    );

    let report = summarize(&dump, &results);
    let md = report_md(&dump, &results, &report);
    assert!(
        md.contains("The 2 largest of 2 actions by monthly saving"),
        "{md}"
    );
    let item = "| downgrade | A | 100 | pool of 12 services (GB) | POL001, RAT001 | FLEX30 + FLEX30B | FLEX15 | 100.00 |";
    let at = md.find(item).unwrap_or_else(|| panic!("{md}"));
    let under = &md[at..];
    assert!(
        under.contains("| | | | - 555-0100 | POL001, RAT001 | FLEX30 | | 8.33 |"),
        "{md}"
    );
    assert!(
        under.contains("| | | | - 555-0109 | POL001 | FLEX30 | | 8.33 |"),
        "{md}"
    );
    assert!(
        !under.contains("555-0110"),
        "10 services listed, then a count: {md}"
    );
    assert!(
        under.contains("| | | | and 2 more services (all in changes/) | | | | |"),
        "{md}"
    );
    // The pool (100.00) before the service of its own (20.00).
    assert!(
        at < md.find("| downgrade | A | 100 | 555-0900 |").unwrap(),
        "{md}"
    );
    // The summary by action counts services: 13 downgrades.
    assert!(md.contains("| 13 | 120.00 |"), "{md}");

    let html = report_html(&dump, &results, &report);
    let section = &html[html.find("<h2>Buying too much</h2>").expect("the section")..];
    assert!(
        section.contains("<td>A &middot; account 100 &middot; pool of 12 services (GB)</td><td>FLEX30 + FLEX30B</td><td>FLEX15</td><td class=\"m\"><b>100.00</b></td>"),
        "{section}"
    );
    // Its services in one compact row, with their plans (they differ here).
    assert!(
        section.contains("<tr class=\"muted\"><td></td><td colspan=\"4\">its services: 555-0100 (FLEX30, 8.33), 555-0101 (FLEX30, 8.33), 555-0102 (FLEX30, 8.33), 555-0103 (FLEX30B, 8.33), "),
        "{section}"
    );
    assert!(
        section
            .contains("555-0109 (FLEX30, 8.33), and 2 more services (all in the changes folder)</td></tr>"),
        "{section}"
    );
}
