//! Dispute windows (formats.md section 9), by hand: a claim just inside its
//! carrier's window (invoice dated on the cutoff day itself) and one just outside
//! (the day before), per carrier; a missing credit dated by the latest invoice of
//! its account's period; monthly money never expires.

mod common;

use common::*;
use telaudit_model::{Decimal, DisputeWindows, Dump};

const Z: Decimal = Decimal::ZERO;

/// Sets each row's invoice_date (the builder dates a row by its period_start).
fn dated(mut dump: Dump, dates: &[&str]) -> Dump {
    assert_eq!(dump.rows.len(), dates.len());
    for (r, d) in dump.rows.iter_mut().zip(dates) {
        r.invoice_date = date(d);
    }
    dump
}

fn windows(default: Option<u32>, carriers: &[(&str, u32)]) -> Option<DisputeWindows> {
    Some(DisputeWindows {
        window_days: default,
        carriers: carriers.iter().map(|(c, d)| (c.to_string(), *d)).collect(),
        response_days: None,
    })
}

/// Late fees of carriers A (window 30) and B (the default 60), as of 2025-04-30:
/// A's cutoff is 2025-03-31, B's 2025-03-01.
fn fees() -> Dump {
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "A,1,I1,2025-03-01,,fee,LATE,Late fee,,,10.00,
             A,1,I2,2025-03-01,,fee,LATE,Late fee,,,20.00,
             B,2,J1,2025-02-01,,fee,LATE,Late fee,,,1.00,
             B,2,J2,2025-02-01,,fee,LATE,Late fee,,,2.00,",
        )
        .build();
    dated(dump, &["2025-03-31", "2025-03-30", "2025-03-01", "2025-02-28"])
}

#[test]
fn the_cutoff_day_is_inside_the_day_before_is_too_late() {
    let mut dump = fees();
    dump.config.disputes = windows(Some(60), &[("A", 30)]);
    dump.as_of = Some(date("2025-04-30"));
    let f = run_default("FEE001", &dump);
    assert_eq!(f.len(), 2, "{f:#?}");
    // A: I1 dated 2025-03-31 (the cutoff day) stays; I2 dated 2025-03-30 expired.
    assert_eq!(dump.s(f[0].carrier), "A");
    assert_eq!((f[0].recoverable, f[0].expired), (d("10"), d("20")));
    let c: Vec<(Decimal, Decimal)> = f[0].claims.iter().map(|c| (c.recoverable, c.expired)).collect();
    assert_eq!(c, [(d("10"), Z), (Z, d("20"))]);
    // B: J1 dated 2025-03-01 (its cutoff day) stays; J2 dated 2025-02-28 expired.
    assert_eq!((f[1].recoverable, f[1].expired), (d("1"), d("2")));
    // Claim by: the claimable claim's invoice date plus the window, the last day
    // it can be claimed (as of that day it is still inside): A 2025-03-31 + 30,
    // B 2025-03-01 + 60.
    assert_eq!(f[0].claim_by, Some(date("2025-04-30")));
    assert_eq!(f[1].claim_by, Some(date("2025-04-30")));
    // As of 2025-04-01, A's I2 (2025-03-30) is claimable too and comes first.
    dump.as_of = Some(date("2025-04-01"));
    let f = run_default("FEE001", &dump);
    assert_eq!(f[0].claim_by, Some(date("2025-04-29")));
    assert_eq!(f[1].claim_by, Some(date("2025-04-29")), "J2 2025-02-28 + 60");
    // Without windows there is no deadline.
    dump.config.disputes = None;
    assert_eq!(run_default("FEE001", &dump)[0].claim_by, None);
}

#[test]
fn without_disputes_nothing_expires_and_the_default_as_of_is_the_latest_invoice() {
    let mut dump = fees();
    let f = run_default("FEE001", &dump);
    assert_eq!((f[0].recoverable, f[0].expired), (d("30"), Z));
    // Default as-of: the latest invoice_date, 2025-03-31. With a 1-day window the
    // cutoff is 2025-03-30: only rows dated before it expire.
    assert_eq!(dump.as_of_date(), Some(date("2025-03-31")));
    dump.config.disputes = windows(Some(1), &[]);
    let f = run_default("FEE001", &dump);
    assert_eq!((f[0].recoverable, f[0].expired), (d("30"), Z));
    assert_eq!((f[1].recoverable, f[1].expired), (Z, d("3")));
    // A carrier with no window of its own and no window_days never expires.
    dump.config.disputes = windows(None, &[("B", 1)]);
    let f = run_default("FEE001", &dump);
    assert_eq!((f[0].recoverable, f[0].expired), (d("30"), Z));
    assert_eq!((f[1].recoverable, f[1].expired), (Z, d("3")));
}

#[test]
fn a_missing_credit_is_dated_by_its_account_s_latest_invoice_of_the_period_and_monthly_never_expires() {
    // Service 555-0100 owes LOYAL 10.00 a period; nothing was credited.
    let dump = Builder::new()
        .csv(
            "invoices/a.csv",
            "V,100,I1,2025-01-01,555-0100,recurring,PLAN,Plan,,,45.00,
             V,100,I1S,2025-01-01,555-0200,recurring,PLAN,Plan,,,45.00,
             V,100,I2,2025-02-01,555-0100,recurring,PLAN,Plan,,,45.00,",
        )
        .contracts(&["credit,V,100,555-0100,LOYAL,10.00,,"])
        .build();
    // January's rows are dated 2025-01-20 and (another service, same account)
    // 2025-02-02: the latest, 2025-02-02, dates January's missing credit.
    let mut dump = dated(dump, &["2025-01-20", "2025-02-02", "2025-03-01"]);
    dump.config.disputes = windows(Some(30), &[]);
    // Cutoff 2025-03-03 - 30 days = 2025-02-01: January (2025-02-02) is inside.
    dump.as_of = Some(date("2025-03-03"));
    let f = run_default("CRD001", &dump);
    assert_eq!(
        (f[0].recoverable, f[0].expired, f[0].monthly),
        (d("20"), Z, d("10"))
    );
    // As of 2025-03-04 the cutoff is 2025-02-02, the credit's own date: still inside.
    dump.as_of = Some(date("2025-03-04"));
    let f = run_default("CRD001", &dump);
    assert_eq!((f[0].recoverable, f[0].expired), (d("20"), Z));
    // As of 2025-03-05 (cutoff 2025-02-03) January is too late; February is not.
    dump.as_of = Some(date("2025-03-05"));
    let f = run_default("CRD001", &dump);
    assert_eq!(
        (f[0].recoverable, f[0].expired, f[0].monthly),
        (d("10"), d("10"), d("10"))
    );
    // Everything too late: the monthly shortfall still stands.
    dump.as_of = Some(date("2026-01-01"));
    let f = run_default("CRD001", &dump);
    assert_eq!(
        (f[0].recoverable, f[0].expired, f[0].monthly),
        (Z, d("20"), d("10"))
    );
}
