//! Money edge cases found in review: findings the rows do not support, and sums of
//! accepted (12-integer-digit) amounts that must not overflow.

mod common;

use common::*;
use telaudit_model::Decimal;

const Z: Decimal = Decimal::ZERO;

/// A row with a negative quantity whose unit price is BELOW the contracted rate is
/// not a "rate above contract": (5 - 10) x -2 = +10 must not be claimed. Likewise
/// a positive amount over a negative quantity (price -10 a unit). Only the honest
/// row (12 a unit over 10, quantity 3: 6.00) is found.
#[test]
fn rat_ignores_rows_with_a_negative_quantity() {
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,-2,5.00,-10.00,
             V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,-1,,10.00,
             V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,3,12.00,36.00,",
        )
        .contracts(&["rate,V,,,PLAN,10.00,,"])
        .build();
    let f = run_default("RAT001", &dump);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        claims(&dump, &f[0]),
        [("invoices/a.csv:4".to_string(), d("6"), d("6"))]
    );
    assert_eq!(locs(&dump, &f[0].evidence), ["invoices/a.csv:4"]);
}

/// Ten credits of 999,999,999,999.00 sum to 9,999,999,999,990.00, beyond an i64 of
/// millionths: the credit given still covers the 10.00 owed, so nothing is found
/// (and nothing panics or wraps).
#[test]
fn crd_sums_large_credits_exactly() {
    let mut lines = String::from("V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,,,45.00,\n");
    for _ in 0..10 {
        lines.push_str("V,100,I1,2025-01-01,555-0100,credit,CRD10,Credit,,,-999999999999.00,\n");
    }
    let dump = Builder::new()
        .csv("invoices/a.csv", &lines)
        .contracts(&["credit,V,100,555-0100,CRD10,10.00,,"])
        .build();
    assert!(run_default("CRD001", &dump).is_empty());
}

/// Ten recurring rows of 999,999,999,999.00 in the latest period of an unused line:
/// monthly 9,999,999,999,990.00, in the claims and in the words.
#[test]
fn unu_sums_large_recurring_charges_exactly() {
    // Three idle periods: UNU001 needs at least three (one idle bill is no evidence).
    let mut lines = String::from(
        "V,100,I-2,2024-11-01,555-0100,usage,DATA,Data,,,0.00,0\n\
         V,100,I-1,2024-12-01,555-0100,usage,DATA,Data,,,0.00,0\n\
         V,100,I1,2025-01-01,555-0100,usage,DATA,Data,,,0.00,0\n",
    );
    // Ten distinct plans (identical rows would be copies, which carry no monthly money).
    for i in 0..10 {
        lines.push_str(&format!(
            "V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan {i},,,999999999999.00,\n"
        ));
    }
    let dump = Builder::new().csv("invoices/a.csv", &lines).build();
    let f = run_default("UNU001", &dump);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].recoverable, f[0].monthly), (Z, d("9999999999990")));
    assert!(
        f[0].description.ends_with("recurring 9999999999990.00 a month"),
        "{}",
        f[0].description
    );
}

/// The inventory line naming the account rules its service, whatever its status: a
/// carrier-wide `disconnected` line does not override account 100's own `active`
/// line (nothing is claimed there), but still rules account 200, which has no line
/// of its own (45.00 billed after 2025-01-31).
#[test]
fn dis_named_active_line_beats_a_carrier_wide_disconnected_line() {
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,I1,2025-02-01,555-0100,recurring,PLAN,Plan,,,45.00,
             V,200,J1,2025-02-01,555-0100,recurring,PLAN,Plan,,,45.00,",
        )
        .inventory(&["555-0100,V,100,active,", "555-0100,V,,disconnected,2025-01-31"])
        .build();
    let f = run_default("DIS001", &dump);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(dump.s(f[0].account), "200");
    assert_eq!(
        claims(&dump, &f[0]),
        [("invoices/a.csv:3".to_string(), d("45"), d("45"))]
    );
    assert_eq!(locs(&dump, &f[0].basis), ["inventory.csv:3"]);
}
