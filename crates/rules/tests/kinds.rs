//! Each rule kind on a fixture small enough to check by hand: what must be found,
//! with its exact money and evidence, and the look-alikes that must not be.

mod common;

use common::*;
use telaudit_model::{ClaimKey, Decimal, Sym};

const Z: Decimal = Decimal::ZERO;

// ---------------------------------------------------------------- DUP001

#[test]
fn dup_finds_a_charge_billed_twice_in_one_period() {
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,INV1,2025-01-01,555-0100,recurring,PLAN,Unlimited Plan,,,45.00,
             V,100,INV1,2025-02-01,555-0100,recurring,PLAN,Unlimited Plan,,,45.00,
             V,100,INV1,2025-01-01,555-0100,credit,CRD,Loyalty credit,,,-5.00,
             V,100,INV1,2025-01-01,555-0100,credit,CRD,Loyalty credit,,,-5.00,
             V,100,INV1,2025-01-01,555-0100,usage,DATA,Data overage,2,,10.00,",
        )
        .csv(
            "invoices/b.csv",
            "V,100,INV2,2025-01-01,555-0100,recurring,PLAN,Unlimited Plan,1,,45,
             V,100,INV2,2025-01-01,555-0100,usage,DATA,Data overage,1,,10.00,
             V,100,INV2,2025-01-01,555-0200,recurring,PLAN,Unlimited Plan,,,45.00,
             V,100,INV2,2025-01-01,555-0100,fee,ACT,Unlimited Plan,,,45.00,",
        )
        .build();
    let f = run_default("DUP001", &dump);
    // Feb (other period), the credits (negative), the overage (other quantity),
    // 555-0200 (other service) and the fee (other charge type) are not copies.
    assert_eq!(f.len(), 1, "{f:#?}");
    let f = &f[0];
    assert_eq!(f.description, "2 copies of 'Unlimited Plan' 45.00, 1 period");
    assert_eq!(dump.s(f.service), "555-0100");
    assert_eq!(locs(&dump, &f.evidence), ["invoices/a.csv:2", "invoices/b.csv:2"]);
    assert_eq!(claims(&dump, f), [("invoices/b.csv:2".to_string(), d("45"), Z)]);
    assert_eq!((f.recoverable, f.monthly), (d("45"), Z));
    let inv: Vec<&str> = f.invoices.iter().map(|s| dump.s(*s)).collect();
    assert_eq!(inv, ["INV1", "INV2"]);
    assert_eq!(f.first_period, date("2025-01-01"));
    assert!(f.basis.is_empty());
}

#[test]
fn dup_keeps_the_first_copy_in_file_order_and_counts_copies_per_period() {
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,INV1,2025-03-01,555-0100,recurring,PLAN,Plan,,,10.00,
             V,100,INV1,2025-02-01,555-0100,recurring,PLAN,Plan,,,10.00,",
        )
        .csv(
            "invoices/b.csv",
            "V,100,INV2,2025-02-01,555-0100,recurring,PLAN,Plan,,,10.00,
             V,100,INV2,2025-02-01,555-0100,recurring,PLAN,Plan,,,10.00,
             V,100,INV2,2025-03-01,555-0100,recurring,PLAN,Plan,,,10.00,",
        )
        .build();
    let f = run_default("DUP001", &dump);
    assert_eq!(f.len(), 1);
    let f = &f[0];
    assert_eq!(f.description, "up to 3 copies of 'Plan' 10.00, 2 periods");
    // a.csv:3 is the first February copy, a.csv:2 the first March one.
    let c = claims(&dump, f);
    assert_eq!(
        c,
        [
            ("invoices/b.csv:2".to_string(), d("10"), Z),
            ("invoices/b.csv:3".to_string(), d("10"), Z),
            ("invoices/b.csv:4".to_string(), d("10"), Z)
        ]
    );
    assert_eq!(f.recoverable, d("30"));
    assert_eq!(f.evidence.len(), 5);
}

// ---------------------------------------------------------------- UNU001

#[test]
fn unu_does_not_judge_usage_measured_in_money() {
    // TELUS prints usage only as dollars over the plan (unit CAD). 555-0100 went 12.50
    // over its plan in January and not after: that is no evidence it is idle.
    // 555-0200 has the same dollar row and measured minutes, 0 in the last three
    // periods: it is found, on its minutes.
    let mut dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "T,100,I1,2025-01-01,555-0100,usage,,Airtime,,,12.50,12.50
             T,100,I1,2025-01-01,555-0100,recurring,,Plan,,,40.00,
             T,100,I2,2025-02-01,555-0100,recurring,,Plan,,,40.00,
             T,100,I3,2025-03-01,555-0100,recurring,,Plan,,,40.00,
             T,100,I4,2025-04-01,555-0100,recurring,,Plan,,,40.00,
             T,100,I1,2025-01-01,555-0200,usage,,Airtime,,,3.00,3.00
             T,100,I2,2025-02-01,555-0200,usage,MIN,Minutes,,,0,0
             T,100,I4,2025-04-01,555-0200,usage,MIN,Minutes,,,0,0
             T,100,I4,2025-04-01,555-0200,recurring,,Plan,,,25.00,",
        )
        .build();
    let (cad, lower, min) = (
        dump.strings.intern("CAD"),
        dump.strings.intern("cad"),
        dump.strings.intern("min"),
    );
    for (i, unit) in [(0, cad), (5, lower), (6, min), (7, min)] {
        dump.rows[i].usage_unit = unit;
    }
    let f = run_default("UNU001", &dump);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(dump.s(f[0].service), "555-0200");
    // Its last use is unknown: the dollar row of January is not a use either.
    assert_eq!(
        f[0].description,
        "no usage in the last 3 periods (no use anywhere in the bills); recurring 25.00 a month"
    );
    assert_eq!((f[0].recoverable, f[0].monthly), (Z, d("25")));
    assert_eq!(
        locs(&dump, &f[0].evidence),
        ["invoices/a.csv:8", "invoices/a.csv:9", "invoices/a.csv:10"]
    );
    // With money_units = [] the dollar rows count as usage again: 555-0100, over its
    // plan only in January (outside the last three periods), is found too.
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules/UNU001.toml"))
        .unwrap()
        .replace("money_units = [\"CAD\", \"USD\"]", "money_units = []");
    assert!(text.contains("money_units = []"));
    let rule = telaudit_rules::RuleSet::from_toml_str("UNU001.toml", &text).unwrap();
    let set = telaudit_rules::RuleSet::from_rules(vec![rule]).unwrap();
    let f = telaudit_rules::evaluate(&set, &dump).pop().unwrap().findings;
    let found: Vec<&str> = f.iter().map(|f| dump.s(f.service)).collect();
    assert_eq!(found, ["555-0100", "555-0200"]);
}

#[test]
fn unu_finds_a_line_without_use_in_the_last_three_periods() {
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,I1,2025-01-01,555-0100,usage,MIN,Minutes,,,0,120
             V,100,I2,2025-02-01,555-0100,usage,MIN,Minutes,,,0,0
             V,100,I3,2025-03-01,555-0100,recurring,PLAN,Plan,,,45.00,
             V,100,I4,2025-04-01,555-0100,usage,MIN,Minutes,,,0,0
             V,100,I4,2025-04-01,555-0100,recurring,PLAN,Plan,,,45.00,
             V,100,I4,2025-04-01,555-0100,recurring,INS,Insurance,,,7.50,
             V,100,I2,2025-02-01,555-0200,usage,MIN,Minutes,,,0,5
             V,100,I4,2025-04-01,555-0200,recurring,PLAN,Plan,,,30.00,
             V,100,I4,2025-04-01,555-0300,recurring,PLAN,Plan,,,20.00,
             V,100,I1,2025-01-01,555-0400,usage,MIN,Minutes,,,0,0
             V,100,I3,2025-03-01,555-0400,recurring,PLAN,Plan,,,20.00,",
        )
        .build();
    let f = run_default("UNU001", &dump);
    // 555-0200 used 5 minutes in the 3rd-last period; 555-0300 has no usage rows;
    // 555-0400 is not billed a recurring charge in the latest period.
    assert_eq!(f.len(), 1, "{f:#?}");
    let f = &f[0];
    assert_eq!(dump.s(f.service), "555-0100");
    assert_eq!(
        f.description,
        "no usage in the last 3 periods (last use in the period of 2025-01-01); recurring 52.50 a month"
    );
    assert_eq!((f.recoverable, f.monthly), (Z, d("52.50")));
    assert_eq!(
        claims(&dump, f),
        [
            ("invoices/a.csv:6".to_string(), Z, d("45")),
            ("invoices/a.csv:7".to_string(), Z, d("7.5"))
        ]
    );
    assert_eq!(
        locs(&dump, &f.evidence),
        [
            "invoices/a.csv:3",
            "invoices/a.csv:5",
            "invoices/a.csv:6",
            "invoices/a.csv:7"
        ]
    );
    assert_eq!(
        (f.first_period, f.last_period),
        (date("2025-02-01"), date("2025-04-01"))
    );
}

// ---------------------------------------------------------------- CRD001

fn crd_dump(contracts: &[&str]) -> telaudit_model::Dump {
    Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,,,45.00,
             V,100,I1,2025-01-01,555-0100,credit,CRD10,Loyalty credit,,,-4.00,
             V,100,I2,2025-02-01,555-0100,recurring,PLAN,Plan,,,45.00,
             V,100,I3,2025-03-01,555-0100,recurring,PLAN,Plan,,,45.00,
             V,100,I3,2025-03-01,555-0100,credit,CRD10,Loyalty credit,,,-10.00,
             V,100,I4,2025-04-01,555-0100,recurring,PLAN,Plan,,,45.00,
             V,100,I4,2025-04-01,555-0100,credit,CRD10,Loyalty credit,,,-7.50,
             V,100,I1,2025-01-01,,credit,ACR,Account credit,,,-5.00,",
        )
        .csv(
            "invoices/b.csv",
            "V,200,J4,2025-04-01,555-0900,recurring,PLAN,Plan,,,45.00,
             W,100,K4,2025-04-01,555-0100,recurring,PLAN,Plan,,,45.00,",
        )
        .contracts(contracts)
        .build()
}

#[test]
fn crd_finds_missing_and_short_service_credits() {
    let dump = crd_dump(&[
        "credit,V,100,555-0100,CRD10,10.00,2025-01-01,2025-12-31",
        // look-alikes: a service never billed, a window that ended before
        "credit,V,100,555-0999,CRD10,10.00,,",
        "credit,V,100,555-0100,OLD,10.00,2024-01-01,2024-12-31",
    ]);
    let f = run_default("CRD001", &dump);
    assert_eq!(f.len(), 1, "{f:#?}");
    let f = &f[0];
    // Jan short 6, Feb 10 (none given), Mar in full, Apr short 2.50 (latest).
    assert_eq!(
        f.description,
        "contract credit CRD10 of 10.00 a period missing in 1 period (no credit row on invoice I2) \
         and short in 2, 18.50 in total, 3 periods"
    );
    assert_eq!((f.recoverable, f.monthly), (d("18.5"), d("2.5")));
    assert_eq!(
        claims(&dump, f),
        [
            ("V|100|555-0100|2025-01-01|CRD10".to_string(), d("6"), Z),
            ("V|100|555-0100|2025-02-01|CRD10".to_string(), d("10"), Z),
            ("V|100|555-0100|2025-04-01|CRD10".to_string(), d("2.5"), d("2.5")),
        ]
    );
    // Jan and Apr: their credit rows; Feb has none (its invoice I2 is named
    // instead; no unrelated bill row of the period is evidence).
    assert_eq!(locs(&dump, &f.evidence), ["invoices/a.csv:3", "invoices/a.csv:8"]);
    let inv: Vec<&str> = f.invoices.iter().map(|s| dump.s(*s)).collect();
    assert_eq!(inv, ["I1", "I2", "I4"]);
    assert_eq!(locs(&dump, &f.basis), ["contracts.csv:2"]);
    assert_eq!(
        (f.first_period, f.last_period),
        (date("2025-01-01"), date("2025-04-01"))
    );
}

#[test]
fn crd_account_credit_applies_to_every_account_of_the_carrier() {
    let dump = crd_dump(&["credit,V,,,ACR,5.00,,"]);
    let f = run_default("CRD001", &dump);
    assert_eq!(f.len(), 2, "{f:#?}");
    // V/100: Jan given in full; Feb, Mar, Apr missing. V/200: Apr missing. W: other carrier.
    assert_eq!(dump.s(f[0].account), "100");
    assert_eq!(f[0].service, Sym::EMPTY);
    assert_eq!((f[0].recoverable, f[0].monthly), (d("15"), d("5")));
    assert_eq!(
        f[0].description,
        "contract account credit ACR of 5.00 a period missing (no credit row on invoices I2, I3, I4), \
         15.00 in total, 3 periods"
    );
    assert!(f[0].evidence.is_empty(), "{:?}", f[0].evidence);
    assert_eq!(dump.s(f[1].account), "200");
    assert_eq!((f[1].recoverable, f[1].monthly), (d("5"), d("5")));
    assert_eq!(
        f[1].description,
        "contract account credit ACR of 5.00 a period missing (no credit row on invoice J4), 5.00 in total, 1 period"
    );
    assert!(matches!(f[1].claims[0].key, ClaimKey::MissingCredit { .. }));
}

#[test]
fn crd_a_credit_only_short_says_short_by() {
    // Jan credited 4.00 of 10.00, Apr 7.50: short by 6.00 + 2.50.
    let dump = crd_dump(&[
        "credit,V,100,555-0100,CRD10,10.00,2025-01-01,2025-01-31",
        "credit,V,100,555-0100,CRD10,10.00,2025-04-01,2025-04-30",
    ]);
    let f = run_default("CRD001", &dump);
    assert_eq!(f.len(), 2, "{f:#?}");
    // In description order: 2.50 (April) before 6.00 (January).
    assert_eq!(
        f[0].description,
        "contract credit CRD10 of 10.00 a period short by 2.50 in total, 1 period"
    );
    assert_eq!(locs(&dump, &f[0].evidence), ["invoices/a.csv:8"]);
    assert_eq!(
        f[1].description,
        "contract credit CRD10 of 10.00 a period short by 6.00 in total, 1 period"
    );
    assert_eq!(locs(&dump, &f[1].evidence), ["invoices/a.csv:3"]);
}

#[test]
fn crd_credit_given_in_full_is_not_found() {
    let dump = crd_dump(&["credit,V,100,555-0100,CRD10,4.00,2025-01-01,2025-01-31"]);
    assert!(run_default("CRD001", &dump).is_empty());
}

#[test]
fn crd_claims_no_monthly_money_from_a_contract_that_ends_with_the_latest_period() {
    // The latest period is April (ends 2025-04-30): April is short 2.50. A
    // contract ending on 2025-04-30 claims it as recoverable only; one ending on
    // 2025-05-01 still covers the next bill and claims it monthly too.
    let ended = crd_dump(&["credit,V,100,555-0100,CRD10,10.00,2025-04-01,2025-04-30"]);
    let f = run_default("CRD001", &ended);
    assert_eq!((f[0].recoverable, f[0].monthly), (d("2.5"), Z));
    let lasting = crd_dump(&["credit,V,100,555-0100,CRD10,10.00,2025-04-01,2025-05-01"]);
    let f = run_default("CRD001", &lasting);
    assert_eq!((f[0].recoverable, f[0].monthly), (d("2.5"), d("2.5")));
}

// ---------------------------------------------------------------- DIS001

fn dis_dump() -> telaudit_model::Dump {
    Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,,,45.00,
             V,100,I2,2025-02-01,555-0100,recurring,PLAN,Plan,,,45.00,
             V,100,I2,2025-02-01,555-0100,tax,ST,State Sales Tax,,,3.10,
             V,100,I2,2025-02-01,555-0100,credit,CR,Credit,,,-5.00,
             V,100,I3,2025-03-01,555-0100,recurring,PLAN,Plan,,,45.00,
             V,100,I2,2025-02-01,555-0200,recurring,PLAN,Plan,,,30.00,
             V,100,I3,2025-03-01,555-0300,recurring,PLAN,Plan,,,20.00,",
        )
        .inventory(&[
            "555-0100,V,,disconnected,2025-01-31",
            "555-0200,V,100,disconnected,2025-02-01",
            "555-0300,V,999,disconnected,2025-01-01",
            "555-0300,V,,active,",
        ])
        .build()
}

#[test]
fn dis_finds_billing_after_the_disconnect_date() {
    let dump = dis_dump();
    let f = run_default("DIS001", &dump);
    // 555-0200: period_start equal to the disconnect date is not after it;
    // 555-0300: the disconnected line names another account.
    assert_eq!(f.len(), 1, "{f:#?}");
    let f = &f[0];
    assert_eq!(f.description, "billed 2 periods after disconnect on 2025-01-31");
    assert_eq!((f.recoverable, f.monthly), (d("93.10"), d("45")));
    assert_eq!(
        claims(&dump, f),
        [
            ("invoices/a.csv:3".to_string(), d("45"), Z),
            ("invoices/a.csv:4".to_string(), d("3.1"), Z),
            ("invoices/a.csv:6".to_string(), d("45"), d("45")),
        ]
    );
    assert_eq!(
        locs(&dump, &f.evidence),
        ["invoices/a.csv:3", "invoices/a.csv:4", "invoices/a.csv:6"]
    );
    assert_eq!(locs(&dump, &f.basis), ["inventory.csv:2"]);
}

#[test]
fn duplicate_on_a_disconnected_line_is_claimed_by_both_rules() {
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,,,45.00,
             V,100,I2,2025-02-01,555-0100,recurring,PLAN,Plan,,,45.00,",
        )
        .csv(
            "invoices/b.csv",
            "V,100,I2B,2025-02-01,555-0100,recurring,PLAN,Plan,,,45.00,",
        )
        .inventory(&["555-0100,V,100,disconnected,2025-01-15"])
        .build();
    let res = telaudit_rules::evaluate(&telaudit_rules::RuleSet::defaults(), &dump);
    let by = |id: &str| res.iter().find(|r| r.rule.id == id).unwrap().findings.clone();
    let dup = by("DUP001");
    let dis = by("DIS001");
    assert_eq!(
        claims(&dump, &dup[0]),
        [("invoices/b.csv:2".to_string(), d("45"), Z)]
    );
    assert_eq!(
        claims(&dump, &dis[0]),
        [
            ("invoices/a.csv:3".to_string(), d("45"), d("45")),
            // The copy is a one-time error: recoverable, never monthly (section 6).
            ("invoices/b.csv:2".to_string(), d("45"), Z)
        ]
    );
    assert_eq!((dis[0].recoverable, dis[0].monthly), (d("90"), d("45")));
    // The same key, so the totals can count the copy once.
    assert_eq!(dup[0].claims[0].key, dis[0].claims[1].key);
    assert!(matches!(dup[0].claims[0].key, ClaimKey::Row(_)));
}

// ---------------------------------------------------------------- RAT001

#[test]
fn rat_finds_rates_above_the_most_specific_contract() {
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,2,40.00,80.00,
             V,100,I2,2025-02-01,555-0100,recurring,PLAN,Plan,1,,35.50,
             V,100,I1,2025-01-01,555-0100,usage,DATA,Data,100,,12.00,
             V,100,I2,2025-02-01,555-0100,usage,DATA,Data,100,,12.345,
             V,100,I2,2025-02-01,555-0100,usage,DATA,Data,0,,5.00,
             V,100,I2,2025-02-01,555-0100,tax,PLAN,Plan tax,1,,100.00,",
        )
        .csv(
            "invoices/b.csv",
            "V,200,J2,2025-02-01,555-0200,recurring,PLAN,Plan,1,,35.00,
             V,200,J2,2025-02-01,555-0200,recurring,PLAN,Plan,3,,106,",
        )
        .contracts(&[
            "rate,V,,,PLAN,35,,",
            "rate,V,100,,PLAN,36.00,,",
            "rate,V,,,DATA,0.10,2025-02-01,",
            "rate,V,,,DATA,0.20,2025-02-01,",
        ])
        .build();
    let f = run_default("RAT001", &dump);
    assert_eq!(f.len(), 3, "{f:#?}");
    // V/100 DATA: Feb 12.345 - 0.10 x 100 = 2.345 (exact), the latest period; Jan is
    // before the window; quantity 0 is skipped.
    assert_eq!(dump.s(f[0].account), "100");
    assert_eq!(
        claims(&dump, &f[0]),
        [("invoices/a.csv:5".to_string(), d("2.345"), d("2.345"))]
    );
    assert_eq!(locs(&dump, &f[0].basis), ["contracts.csv:4"]);
    assert_eq!(
        f[0].description,
        "DATA billed at up to 0.12345 a unit against contracted 0.10, 2.35 over in total, 1 period"
    );
    // V/100 PLAN: the account's own 36.00 beats the carrier-wide 35: (40 - 36) x 2 = 8;
    // Feb 35.50 is under 36. The tax row is not a capped charge type.
    assert_eq!(
        claims(&dump, &f[1]),
        [("invoices/a.csv:2".to_string(), d("8"), Z)]
    );
    assert_eq!(locs(&dump, &f[1].basis), ["contracts.csv:3"]);
    // V/200 PLAN: 35.00 equals 35 (not found); 106 - 35 x 3 = 1.
    assert_eq!(dump.s(f[2].account), "200");
    assert_eq!(
        claims(&dump, &f[2]),
        [("invoices/b.csv:3".to_string(), d("1"), d("1"))]
    );
    assert_eq!(locs(&dump, &f[2].evidence), ["invoices/b.csv:3"]);
}

#[test]
fn rat_claims_no_monthly_money_from_a_contract_that_ends_with_the_latest_period() {
    // The latest period is March (2025-03-01 to 2025-03-31). A rate ending on
    // 2025-03-31 does not cover the next bill: its excess stays recoverable but
    // claims no monthly money. One ending on 2025-04-01 (the day after) does.
    let dump = |to: &str| {
        Builder::new()
            .csv(
                "invoices/a.csv",
                "V,100,I1,2025-02-01,555-0100,recurring,PLAN,Plan,1,40.00,40.00,
                 V,100,I2,2025-03-01,555-0100,recurring,PLAN,Plan,1,40.00,40.00,",
            )
            .contracts(&[&format!("rate,V,,,PLAN,35.00,2025-01-01,{to}")])
            .build()
    };
    let ended = dump("2025-03-31");
    let f = run_default("RAT001", &ended);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].recoverable, f[0].monthly), (d("10"), Z));
    assert_eq!(
        claims(&ended, &f[0]),
        [
            ("invoices/a.csv:2".to_string(), d("5"), Z),
            ("invoices/a.csv:3".to_string(), d("5"), Z)
        ]
    );
    let lasting = dump("2025-04-01");
    let f = run_default("RAT001", &lasting);
    assert_eq!((f[0].recoverable, f[0].monthly), (d("10"), d("5")));
}

// ---------------------------------------------------------------- TAX001 / FEE001

fn tax_dump(exempt: bool) -> telaudit_model::Dump {
    let mut b = Builder::new();
    b.csv(
        "invoices/a.csv",
        "V,100,I1,2025-01-01,555-0100,tax,ST,State Sales Tax,,,2.50,
         V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,,,45.00,
         V,100,I2,2025-02-01,555-0100,tax,ST,State Sales Tax,,,2.50,
         V,100,I2,2025-02-01,555-0100,tax,911,911 Surcharge,,,0.75,
         V,100,I2,2025-02-01,555-0100,tax,FET,Federal Excise Tax,,,1.20,
         V,100,I2,2025-02-01,555-0100,tax,ST,State Sales Tax,,,-2.50,
         V,100,I2,2025-02-01,555-0100,surcharge,ST,State Sales Tax,,,1.00,",
    );
    if exempt {
        b.tax_exempt();
    }
    b.build()
}

#[test]
fn tax_finds_exempt_taxes_for_an_exempt_client() {
    let dump = tax_dump(true);
    let f = run_default("TAX001", &dump);
    // Not: the 911 surcharge, the negative reversal, the surcharge row (not a tax row).
    assert_eq!(f.len(), 2, "{f:#?}");
    assert_eq!(
        f[0].description,
        "Federal Excise Tax billed to a tax-exempt client, 1 period"
    );
    assert_eq!((f[0].recoverable, f[0].monthly), (d("1.2"), d("1.2")));
    assert_eq!(
        f[1].description,
        "State Sales Tax billed to a tax-exempt client, 2 periods"
    );
    assert_eq!((f[1].recoverable, f[1].monthly), (d("5"), d("2.5")));
    assert_eq!(
        locs(&dump, &f[1].evidence),
        ["invoices/a.csv:2", "invoices/a.csv:4"]
    );
    assert_eq!(
        claims(&dump, &f[1]),
        [
            ("invoices/a.csv:2".to_string(), d("2.5"), Z),
            ("invoices/a.csv:4".to_string(), d("2.5"), d("2.5"))
        ]
    );
}

#[test]
fn tax_finds_nothing_for_a_client_that_is_not_exempt() {
    assert!(run_default("TAX001", &tax_dump(false)).is_empty());
}

#[test]
fn fee_finds_late_fees_by_description_or_code() {
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,I1,2025-01-01,,fee,LF,Late Payment Fee,,,15.00,
             V,100,I2,2025-02-01,,fee,late,Past due charge,,,10.00,
             V,100,I2,2025-02-01,,fee,LAT,Latency fee,,,5.00,
             V,100,I2,2025-02-01,,adjustment,LF,Late Payment Fee,,,-15.00,
             V,100,I2,2025-02-01,,fee,LF,late   charge,,,2.00,",
        )
        .build();
    let f = run_default("FEE001", &dump);
    assert_eq!(f.len(), 3, "{f:#?}");
    assert_eq!(f[0].description, "late payment fee 'Late Payment Fee', 1 period");
    assert_eq!((f[0].recoverable, f[0].monthly), (d("15"), Z));
    assert_eq!(locs(&dump, &f[0].evidence), ["invoices/a.csv:2"]);
    assert_eq!(f[1].description, "late payment fee 'Past due charge', 1 period");
    assert_eq!(f[1].recoverable, d("10"));
    assert_eq!(f[2].description, "late payment fee 'late   charge', 1 period");
    assert_eq!(f[2].service, Sym::EMPTY);
}

// ---------------------------------------------------------------- BAL001

#[test]
fn bal_reports_unbalanced_edi_invoices_and_claims_nothing() {
    let mut b = Builder::new();
    b.csv(
        "invoices/a.csv",
        "V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,,,45.00,",
    );
    let file = b.edi(
        "invoices/v.edi",
        &[
            (8, "V,100,7001,2025-01-01,555-0100,recurring,PLAN,Plan,,,1000.00,"),
            (12, "V,100,7001,2025-01-01,555-0200,recurring,PLAN,Plan,,,450.00,"),
        ],
    );
    let mut dump = b.build();
    assert!(
        run_default("BAL001", &dump).is_empty(),
        "no EDI problem, no finding"
    );
    let s = &mut dump.strings;
    dump.unbalanced.push(telaudit_model::UnbalancedInvoice {
        carrier: s.intern("V"),
        account: s.intern("100"),
        invoice: s.intern("7001"),
        stated: telaudit_model::Micros::parse("1500").unwrap(),
        computed: telaudit_model::Micros::parse("1450").unwrap(),
        source: telaudit_model::SourceRef { file, pos: 3 },
        rows: 1..3,
    });
    let f = run_default("BAL001", &dump);
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].description,
        "invoice 7001 states 1500.00 but its charges sum to 1450.00 (difference 50.00)"
    );
    assert_eq!(
        locs(&dump, &f[0].evidence),
        [
            "invoices/v.edi:segment 3",
            "invoices/v.edi:segment 8",
            "invoices/v.edi:segment 12"
        ]
    );
    assert!(f[0].claims.is_empty());
    assert_eq!((f[0].recoverable, f[0].monthly), (Z, Z));
    assert_eq!(dump.s(f[0].invoices[0]), "7001");
}

// ---------------------------------------------------------------- BAL002

/// A stated total of `amount` for invoice `inv` of account 100 (carrier V), stated on
/// `file`:`pos`; `service` non-empty for a per-line total.
fn stated(
    dump: &mut telaudit_model::Dump,
    inv: &str,
    service: &str,
    amount: &str,
    scope: telaudit_model::StatedScope,
    at: (telaudit_model::FileId, u32),
) {
    let s = &mut dump.strings;
    let t = telaudit_model::StatedTotal {
        carrier: s.intern("V"),
        account: s.intern("100"),
        invoice: s.intern(inv),
        service: if service.is_empty() {
            Sym::EMPTY
        } else {
            s.intern(service)
        },
        what: s.intern("Total"),
        amount: telaudit_model::Micros::parse(amount).unwrap(),
        invoice_date: None,
        scope,
        source: telaudit_model::SourceRef {
            file: at.0,
            pos: at.1,
        },
        superseded_by: None,
    };
    dump.stated.push(t);
}

#[test]
fn bal002_counts_a_total_stated_twice_in_two_files_once_and_sums_per_line_totals() {
    use telaudit_model::{FileId, StatedScope::Invoice};
    let mut b = Builder::new();
    b.csv(
        "invoices/a.csv",
        "V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,,,45.00,\n\
         V,100,I1,2025-01-01,555-0200,recurring,PLAN,Plan,,,30.00,",
    );
    b.csv(
        "invoices/b.csv",
        "V,100,I9,2025-01-01,555-0300,recurring,PLAN,Plan,,,1.00,",
    );
    let mut dump = b.build();
    // I1 is stated 75.00 by both files (a second delivery): counted once, it balances.
    stated(&mut dump, "I1", "", "75.00", Invoice, (FileId(0), 9));
    stated(&mut dump, "I1", "", "75.00", Invoice, (FileId(1), 9));
    assert!(run_default("BAL002", &dump).is_empty());
    // Per-line totals of one file are summed: 45.00 + 31.00 = 76.00 against 75.00.
    stated(&mut dump, "I1", "555-0100", "45.00", Invoice, (FileId(1), 5));
    stated(&mut dump, "I1", "555-0200", "31.00", Invoice, (FileId(1), 6));
    let mut what = dump.stated[2].what;
    what = dump.strings.intern(&format!("{} per line", dump.s(what)));
    dump.stated[2].what = what;
    dump.stated[3].what = what;
    let f = run_default("BAL002", &dump);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        f[0].description,
        "invoice I1 states Total per line (2 lines) 76.00 but the charges read for it sum to 75.00 \
         (difference 1.00; 2 rows, from invoices/a.csv)"
    );
    assert_eq!(
        locs(&dump, &f[0].evidence),
        [
            "invoices/a.csv:2",
            "invoices/a.csv:3",
            "invoices/b.csv:5",
            "invoices/b.csv:6"
        ]
    );
    assert_eq!((f[0].recoverable, f[0].monthly), (Z, Z));
    assert_eq!(f[0].key, "BAL002|V|100||I1|Total per line");
}

#[test]
fn bal002_a_file_scope_total_counts_only_the_rows_of_its_file() {
    use telaudit_model::{FileId, StatedScope::File};
    let mut b = Builder::new();
    b.csv(
        "invoices/a.csv",
        "V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,,,45.00,",
    );
    b.csv(
        "invoices/b.csv",
        "V,200,I2,2025-01-01,555-0200,recurring,PLAN,Plan,,,30.00,",
    );
    let mut dump = b.build();
    // b.csv's own rows sum to 30.00: its total of 30.00 balances, a.csv's 45.00 too.
    stated(&mut dump, "F1", "", "30.00", File, (FileId(1), 1));
    stated(&mut dump, "F0", "", "45.00", File, (FileId(0), 1));
    assert!(run_default("BAL002", &dump).is_empty());
    dump.stated[0].amount = telaudit_model::Micros::parse("75.00").unwrap();
    let f = run_default("BAL002", &dump);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        f[0].description,
        "invoice F1 states Total 75.00 but the charges read from the file that states it sum to 30.00 \
         (difference 45.00; 1 row, from invoices/b.csv)"
    );
}

#[test]
fn bal002_compares_the_rows_read_in_cents() {
    use telaudit_model::{FileId, StatedScope::Invoice};
    let mut b = Builder::new();
    b.csv(
        "invoices/a.csv",
        "V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,,,10.004,\n\
         V,100,I1,2025-01-01,555-0200,recurring,PLAN,Plan,,,10.004,\n\
         V,100,I1,2025-01-01,555-0200,tax,TAX,Tax,,,-0.0001,",
    );
    let mut dump = b.build();
    // 10.004 + 10.004 - 0.0001 = 20.0079 read, 20.01 in cents: it balances 20.01.
    stated(&mut dump, "I1", "", "20.01", Invoice, (FileId(0), 9));
    assert!(run_default("BAL002", &dump).is_empty());
    // 20.00 stated: 20.01 read in cents, a difference of a cent, never "0.00".
    dump.stated[0].amount = telaudit_model::Micros::parse("20.00").unwrap();
    let f = run_default("BAL002", &dump);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        f[0].description,
        "invoice I1 states Total 20.00 but the charges read for it sum to 20.01 \
         (difference -0.01; 3 rows, from invoices/a.csv)"
    );
    // 20.0049 stated (a total with a fraction of a cent, 20.00 in cents) against
    // 20.01: still one cent apart, said so.
    dump.stated[0].amount = telaudit_model::Micros::parse("20.0049").unwrap();
    let f = run_default("BAL002", &dump);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].description.contains("(difference -0.01;"),
        "{}",
        f[0].description
    );
}

// ---------------------------------------------------------------- copies carry no monthly money

#[test]
fn dis_monthly_counts_only_recurring_surcharge_and_tax_rows_and_no_copy() {
    // 555-0100 disconnected 2025-01-31; February is the latest period. b.csv:2 is a
    // copy of a.csv:3 (the same charge on a supplementary invoice).
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,,,179.99,
             V,100,I2,2025-02-01,555-0100,recurring,PLAN,Plan,,,179.99,
             V,100,I2,2025-02-01,555-0100,surcharge,USF,Universal Service Fund,,,4.50,
             V,100,I2,2025-02-01,555-0100,tax,ST,State Sales Tax,,,1.25,
             V,100,I2,2025-02-01,555-0100,one_time,ACT,Activation,,,25.00,
             V,100,I2,2025-02-01,555-0100,usage,DATA,Data,,,3.00,
             V,100,I2,2025-02-01,555-0100,fee,LATE,Late fee,,,10.00,",
        )
        .csv(
            "invoices/b.csv",
            "V,100,I2S,2025-02-01,555-0100,recurring,PLAN,Plan,,,179.99,",
        )
        .inventory(&["555-0100,V,100,disconnected,2025-01-31"])
        .build();
    let f = run_default("DIS001", &dump);
    assert_eq!(f.len(), 1, "{f:#?}");
    // Recoverable: every positive February row, the copy too:
    // 179.99 + 4.50 + 1.25 + 25.00 + 3.00 + 10.00 + 179.99 = 403.73.
    // Monthly: the recurring, surcharge and tax rows, not the copy: 179.99 + 4.50 + 1.25 = 185.74.
    assert_eq!((f[0].recoverable, f[0].monthly), (d("403.73"), d("185.74")));
    let monthly: Vec<(String, Decimal)> = claims(&dump, &f[0]).into_iter().map(|c| (c.0, c.2)).collect();
    assert_eq!(
        monthly,
        [
            ("invoices/a.csv:3".to_string(), d("179.99")),
            ("invoices/a.csv:4".to_string(), d("4.5")),
            ("invoices/a.csv:5".to_string(), d("1.25")),
            ("invoices/a.csv:6".to_string(), Z),
            ("invoices/a.csv:7".to_string(), Z),
            ("invoices/a.csv:8".to_string(), Z),
            ("invoices/b.csv:2".to_string(), Z),
        ]
    );
}

#[test]
fn rat_full_precision_rates_and_no_monthly_on_a_copy() {
    // Contract LD 0.045; billed 0.0475 for 100 units in January and February, and
    // the February row again on a supplementary invoice (a copy).
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,I1,2025-01-01,555-0100,usage,LD,Long distance,100,0.0475,4.75,
             V,100,I2,2025-02-01,555-0100,usage,LD,Long distance,100,0.0475,4.75,",
        )
        .csv(
            "invoices/b.csv",
            "V,100,I2S,2025-02-01,555-0100,usage,LD,Long distance,100,0.0475,4.75,",
        )
        .contracts(&["rate,V,,,LD,0.045,,"])
        .build();
    let f = run_default("RAT001", &dump);
    assert_eq!(f.len(), 1, "{f:#?}");
    // (0.0475 - 0.045) x 100 = 0.25 per row; the copy is recoverable, never monthly.
    assert_eq!(
        claims(&dump, &f[0]),
        [
            ("invoices/a.csv:2".to_string(), d("0.25"), Z),
            ("invoices/a.csv:3".to_string(), d("0.25"), d("0.25")),
            ("invoices/b.csv:2".to_string(), d("0.25"), Z),
        ]
    );
    assert_eq!((f[0].recoverable, f[0].monthly), (d("0.75"), d("0.25")));
    // The rates as billed and contracted, not rounded to cents (0.05 against 0.05).
    assert_eq!(
        f[0].description,
        "LD billed at up to 0.0475 a unit against contracted 0.045, 0.75 over in total, 2 periods"
    );
}

#[test]
fn rat_price_that_does_not_divide_evenly_is_written_as_a_division() {
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,3,,106,",
        )
        .contracts(&["rate,V,,,PLAN,35,,"])
        .build();
    let f = run_default("RAT001", &dump);
    // 106 - 35 x 3 = 1; 106 / 3 = 35.333... is written, not rounded.
    assert_eq!(
        f[0].description,
        "PLAN billed at up to (106.00 / 3) a unit against contracted 35.00, 1.00 over in total, 1 period"
    );
}

#[test]
fn unu_monthly_counts_a_copied_plan_once() {
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,I1,2025-01-01,555-0100,usage,MIN,Minutes,,,0,0
             V,100,I2,2025-02-01,555-0100,usage,MIN,Minutes,,,0,0
             V,100,I3,2025-03-01,555-0100,usage,MIN,Minutes,,,0,0
             V,100,I3,2025-03-01,555-0100,recurring,PLAN,Plan,,,45.00,",
        )
        .csv(
            "invoices/b.csv",
            "V,100,I3S,2025-03-01,555-0100,recurring,PLAN,Plan,,,45.00,",
        )
        .build();
    let f = run_default("UNU001", &dump);
    assert_eq!(f.len(), 1, "{f:#?}");
    // 45.00 a month, not 90.00: b.csv:2 is a copy (DUP001 claims it back).
    assert_eq!((f[0].recoverable, f[0].monthly), (Z, d("45")));
    assert_eq!(
        f[0].description,
        "no usage in the last 3 periods (no use anywhere in the bills); recurring 45.00 a month"
    );
    assert_eq!(
        claims(&dump, &f[0]),
        [("invoices/a.csv:5".to_string(), Z, d("45"))]
    );
    assert!(locs(&dump, &f[0].evidence).contains(&"invoices/b.csv:2".to_string()));
}
