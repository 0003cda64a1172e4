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
