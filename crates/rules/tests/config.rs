//! Rule files: the embedded defaults, an analyst's own rule from TOML alone, and
//! the errors a broken rule file gets.

mod common;

use common::*;
use telaudit_rules::{evaluate, evaluate_timed, RuleSet};

const DA001: &str = r#"
id = "DA001"
kind = "matching_charge"
title = "Directory Assistance charges recoverable"
severity = "low"
finds = "Directory assistance calls."
why = "The client blocked directory assistance; any such charge is disputable."
description_pattern = '(?i)directory assistance'
recoverable = "amount"
monthly = "none"
finding = "{description} on {service}"
"#;

#[test]
fn defaults_are_the_rules_folder_sorted_by_id() {
    let set = RuleSet::defaults();
    let ids: Vec<&str> = set.rules().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "BAL001", "BAL002", "CIR001", "CRD001", "DIS001", "DUP001", "FEE001", "PLN001", "POL001",
            "RAT001", "TAX001", "UNU001", "ZOM001"
        ]
    );
    let dup = set.get("DUP001").unwrap();
    assert_eq!(
        (dup.kind.as_str(), dup.title.as_str(), dup.severity.as_str()),
        ("duplicate_charge", "Duplicate charge", "high")
    );
    assert!(dup.finds.contains("charge code") && !dup.why.is_empty());
    assert_eq!(dup.source, "rules/DUP001.toml");
    // The files in the workspace's rules/ are exactly what is embedded.
    let from_dir =
        RuleSet::load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules")).unwrap();
    assert_eq!(from_dir.rules().len(), set.rules().len());
}

#[test]
fn every_rule_gets_a_result_even_with_nothing_found() {
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,,,45.00,",
        )
        .build();
    let (res, timings) = evaluate_timed(&RuleSet::defaults(), &dump);
    let ids: Vec<&str> = res.iter().map(|r| r.rule.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "BAL001", "BAL002", "CIR001", "CRD001", "DIS001", "DUP001", "FEE001", "PLN001", "POL001",
            "RAT001", "TAX001", "UNU001", "ZOM001"
        ]
    );
    assert!(res.iter().all(|r| r.findings.is_empty()));
    assert_eq!(timings.rules.len(), 13);
    assert_eq!(res[5].rule.title, "Duplicate charge");
}

#[test]
fn an_analyst_rule_needs_only_toml() {
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,I1,2025-01-01,555-0100,usage,DA,Directory Assistance,,,1.99,
             V,100,I2,2025-02-01,555-0100,usage,DA,DIRECTORY ASSISTANCE CALL,,,1.99,
             V,100,I2,2025-02-01,555-0100,usage,DA,Directory Assistance,,,1.99,
             V,100,I2,2025-02-01,555-0100,recurring,PLAN,Plan,,,45.00,
             V,100,I2,2025-02-01,555-0200,usage,DA,Directory Assistance,,,-1.99,",
        )
        .build();
    let rule = RuleSet::from_toml_str("DA001.toml", DA001).unwrap();
    assert_eq!(rule.kind, "matching_charge");
    let set = RuleSet::from_rules(vec![rule]).unwrap();
    let res = evaluate(&set, &dump);
    assert_eq!(res.len(), 1);
    assert_eq!(res[0].rule.title, "Directory Assistance charges recoverable");
    let f = &res[0].findings;
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(
        f[0].description,
        "DIRECTORY ASSISTANCE CALL on 555-0100, 1 period"
    );
    assert_eq!(f[1].description, "Directory Assistance on 555-0100, 2 periods");
    assert_eq!((f[1].recoverable, f[1].monthly), (d("3.98"), d("0")));
    assert_eq!(
        locs(&dump, &f[1].evidence),
        ["invoices/a.csv:2", "invoices/a.csv:4"]
    );

    // The same rule from a folder, next to the defaults.
    let dir = tempfile::tempdir().unwrap();
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    for e in std::fs::read_dir(rules).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    std::fs::write(dir.path().join("DA001.toml"), DA001).unwrap();
    let set = RuleSet::load_dir(dir.path()).unwrap();
    let res = evaluate(&set, &dump);
    let ids: Vec<&str> = res.iter().map(|r| r.rule.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "BAL001", "BAL002", "CIR001", "CRD001", "DA001", "DIS001", "DUP001", "FEE001", "PLN001",
            "POL001", "RAT001", "TAX001", "UNU001", "ZOM001"
        ]
    );
    assert_eq!(res[4].findings.len(), 2);
}

fn err(text: &str) -> String {
    RuleSet::from_toml_str("rules/X001.toml", text)
        .unwrap_err()
        .to_string()
}

const HEAD: &str = "id = \"X001\"\ntitle = \"T\"\nseverity = \"low\"\nfinds = \"f\"\nwhy = \"w\"\n";

#[test]
fn unknown_key_is_named_with_its_file_and_line() {
    let e = err(&format!(
        "{HEAD}kind = \"duplicate_charge\"\npositive_onyl = true\n"
    ));
    assert_eq!(
        e,
        "rules/X001.toml:7: key `positive_onyl`: unknown key; a rule of this kind takes: id, kind, title, \
         severity, finds, why, request, charge_types, positive_only"
    );
}

#[test]
fn request_is_dispute_or_waiver() {
    let e = err(&format!(
        "{HEAD}kind = \"duplicate_charge\"\nrequest = \"forgive\"\n"
    ));
    assert!(e.contains("key `request`") && e.contains("\"waiver\""), "{e}");
    let set = RuleSet::defaults();
    assert_eq!(
        set.get("FEE001").unwrap().request,
        telaudit_model::Request::Waiver
    );
    assert_eq!(
        set.get("DUP001").unwrap().request,
        telaudit_model::Request::Dispute
    );
}

#[test]
fn unknown_kind_lists_the_kinds() {
    let e = err(&format!("{HEAD}kind = \"duplicates\"\n"));
    assert!(
        e.starts_with(
            "rules/X001.toml:6: key `kind`: unknown kind \"duplicates\"; the kinds are: duplicate_charge,"
        ),
        "{e}"
    );
}

#[test]
fn bad_regex_is_named() {
    let e = err(&format!(
        "{HEAD}kind = \"matching_charge\"\ndescription_pattern = '(late'\n"
    ));
    assert!(
        e.starts_with("rules/X001.toml:7: key `description_pattern`: is not a valid regular expression"),
        "{e}"
    );
}

#[test]
fn bad_values_are_named() {
    let e = err(&format!(
        "{HEAD}kind = \"duplicate_charge\"\ncharge_types = [\"recuring\"]\n"
    ));
    assert!(
        e.starts_with("rules/X001.toml:7: key `charge_types`: unknown charge type \"recuring\""),
        "{e}"
    );
    let e = err(&format!(
        "{HEAD}kind = \"matching_charge\"\nfinding = \"{{descr}} billed\"\n"
    ));
    assert!(e.contains("key `finding`: names {descr}"), "{e}");
    let e = err(&format!(
        "{HEAD}kind = \"matching_charge\"\nmonthly = \"amount\"\n"
    ));
    assert!(
        e.contains("key `monthly`: is \"amount\"; use one of \"latest_period_amount\", \"none\""),
        "{e}"
    );
    let e = err(&format!(
        "{HEAD}kind = \"unused_service\"\nidle_periods = \"3\"\n"
    ));
    assert!(e.contains("key `idle_periods`: must be a whole number"), "{e}");
    let e = err(&format!(
        "kind = \"unbalanced_invoice\"\n{}",
        HEAD.replace("\"low\"", "\"urgent\"")
    ));
    assert!(e.contains("key `severity`: is \"urgent\""), "{e}");
    let e = err("id = \"X001\"\nkind = \"unbalanced_invoice\"\n");
    assert_eq!(e, "rules/X001.toml: key `title`: is missing; every rule file needs id, kind, title, severity, finds and why");
    let e = err("id = \"X001\nkind = 3");
    assert!(e.starts_with("rules/X001.toml: not valid TOML:"), "{e}");
}

#[test]
fn duplicate_ids_name_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{HEAD}kind = \"unbalanced_invoice\"\n");
    std::fs::write(dir.path().join("a.toml"), &text).unwrap();
    std::fs::write(dir.path().join("b.toml"), &text).unwrap();
    let e = RuleSet::load_dir(dir.path()).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("id"));
    assert!(e.file.ends_with("b.toml"));
    assert!(
        e.message.contains("rule id X001 is also used by") && e.message.contains("a.toml"),
        "{e}"
    );
}

#[test]
fn an_empty_rules_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let e = RuleSet::load_dir(dir.path()).unwrap_err();
    assert!(e.message.contains("no rule files"), "{e}");
}
