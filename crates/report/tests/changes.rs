//! changes/<carrier>.csv and the "Buying too much" sections: the recommended
//! plan and tier changes and cancellations, apart from the billing errors.

mod common;

use common::*;
use telaudit_model::{Change, ClaimKey};
use telaudit_report::{changes, changes_csv, disputes, report_html, report_md, summarize, write_outputs};

fn with_change(mut f: telaudit_model::Finding, from: &str, to: &str) -> telaudit_model::Finding {
    f.change = Some(Change {
        from: from.to_string(),
        to: to.to_string(),
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
        "account,service_id,rule,from,to,monthly_saving,evidence\n\
         A1,'-555-0100,PLN001,'@UNL (Unlimited),P500,25.00,invoices/a.csv:2;contracts.csv:2;contracts.csv:4\n"
    );
    assert_eq!(
        changes_csv(&all[1]),
        "account,service_id,rule,from,to,monthly_saving,evidence\nA2,555-0200,ZOM001,UNL,cancel,45.00,invoices/a.csv:3\n"
    );
    // Only the duplicate is disputed.
    let d = disputes(&dump, &results);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].carrier, "Verizon");

    let report = summarize(&dump, &results);
    let html = report_html(&dump, &results, &report);
    let section = &html[html.find("<h2>Buying too much</h2>").expect("the section")..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("not billing errors"), "{section}");
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
        md.contains("| ZOM001 | =evil/../carrier | A2 | 555-0200 | UNL | cancel | 45.00 |"),
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
