//! Proposal funding: payback months and funded share, exact.

mod common;

use common::*;
use telaudit_model::*;
use telaudit_report::{payback_months, report_json, share_4dp, summarize};

#[test]
fn payback_is_the_smallest_whole_month() {
    // need = 48000 - 10000 = 38000; diff = 2345.67 - 1200 = 1145.67.
    // 33 x 1145.67 = 37807.11 < 38000; 34 x 1145.67 = 38952.78 >= 38000.
    assert_eq!(
        payback_months(d("10000"), d("2345.67"), d("48000"), d("1200")),
        Some(34)
    );
    // Exactly reached: 38 x 1000 = 38000 (37 x 1000 = 37000 falls short).
    assert_eq!(
        payback_months(d("10000"), d("2200"), d("48000"), d("1200")),
        Some(38)
    );
    // One cent short of a whole month more.
    assert_eq!(
        payback_months(d("10000.00"), d("2200"), d("48000.01"), d("1200")),
        Some(39)
    );
}

#[test]
fn payback_is_zero_when_the_recoverable_covers_the_one_time_cost() {
    assert_eq!(payback_months(d("48000"), d("0"), d("48000"), d("1200")), Some(0));
    assert_eq!(
        payback_months(d("50000"), d("10"), d("48000"), d("1200")),
        Some(0)
    );
}

#[test]
fn payback_is_never_when_savings_do_not_exceed_the_new_monthly_cost() {
    assert_eq!(payback_months(d("10000"), d("1200"), d("48000"), d("1200")), None);
    assert_eq!(
        payback_months(d("10000"), d("1199.99"), d("48000"), d("1200")),
        None
    );
}

#[test]
fn payback_survives_an_inexact_division() {
    // need = 24.000000000000000000000000001, diff = 3: need/diff = 8.000...000333..., which
    // rust_decimal rounds to 8 (too many digits), so ceil alone says 8. But 8 x 3 = 24 < need: n = 9.
    let need = d("24.000000000000000000000000001");
    assert_eq!(
        (need / d("3")).ceil(),
        d("8"),
        "the division alone would answer 8"
    );
    assert_eq!(payback_months(d("0"), d("3"), need, d("0")), Some(9));
    // The other way round: 7 / 1.0000000000000000000000000001 = 6.99...93, n = 7 (6 falls short).
    assert_eq!(
        payback_months(d("0"), d("1.0000000000000000000000000001"), d("7"), d("0")),
        Some(7)
    );
}

#[test]
fn funded_share_rounds_half_away_from_zero_to_4_decimals() {
    assert_eq!(share_4dp(d("1"), d("32")).unwrap().to_string(), "0.0313"); // 0.03125
    assert_eq!(share_4dp(d("-1"), d("32")).unwrap().to_string(), "-0.0313");
    assert_eq!(share_4dp(d("2"), d("3")).unwrap().to_string(), "0.6667");
    assert_eq!(share_4dp(d("1"), d("3")).unwrap().to_string(), "0.3333");
    assert_eq!(share_4dp(d("1"), d("8")).unwrap().to_string(), "0.1250");
    assert_eq!(share_4dp(d("0"), d("8")).unwrap().to_string(), "0.0000");
    assert_eq!(share_4dp(d("1"), d("0")), None);
    // Just below a midpoint: 0.000049999... rounds down.
    assert_eq!(share_4dp(d("0.49999"), d("10000")).unwrap().to_string(), "0.0000");
    assert_eq!(share_4dp(d("0.5"), d("10000")).unwrap().to_string(), "0.0001");
}

fn proposal_dump(one_time: &str, monthly: &str) -> Dump {
    let mut dump = dump();
    dump.config.name = Some("Acme Health".to_string());
    dump.config.proposal = Some(Proposal::simple(d(one_time), d(monthly)));
    dump
}

/// The spec's own example: recoverable 12345.67, monthly 2345.67, proposal 48000 + 1200/month.
fn spec_example(one_time: &str, monthly: &str) -> serde_json::Value {
    let mut dump = proposal_dump(one_time, monthly);
    let r0 = row(&mut dump, "V", "1", "s", "2025-01-01", "20000", src(0, 2));
    let f = finding(
        &mut dump,
        "DUP001",
        "V",
        "1",
        "s",
        "x",
        vec![claim(ClaimKey::Row(r0), "12345.67", "2345.67")],
        vec![],
    );
    let report = summarize(&dump, &[result("DUP001", "Duplicate charge", vec![f])]);
    serde_json::from_str(&report_json(&report)).unwrap()
}

#[test]
fn proposal_block_matches_the_spec_example() {
    let j = spec_example("48000.00", "1200.00");
    assert_eq!(j["totals"]["annual"], "28148.04");
    assert_eq!(j["totals"]["first_year"], "40493.71");
    let p = &j["proposal"];
    assert_eq!(p["one_time"], "48000.00");
    assert_eq!(p["monthly"], "1200.00");
    assert_eq!(p["first_year_cost"], "62400.00");
    // 40493.71 / 62400 = 0.648937...
    assert_eq!(p["funded_share"], "0.6489");
    // need 48000 - 12345.67 = 35654.33; diff 1145.67; 31 x 1145.67 = 35515.77 < need; 32 x = 36661.44.
    assert_eq!(p["payback_months"], 32);
}

#[test]
fn a_free_proposal_has_no_share_and_pays_back_at_once() {
    let j = spec_example("0", "0");
    assert!(j["proposal"]["funded_share"].is_null());
    assert_eq!(j["proposal"]["payback_months"], 0);
    assert_eq!(j["proposal"]["first_year_cost"], "0.00");
}

#[test]
fn a_dearer_monthly_never_pays_back() {
    let j = spec_example("48000", "2345.67");
    assert!(j["proposal"]["payback_months"].is_null());
    // 40493.71 / (48000 + 28148.04) = 40493.71 / 76148.04 = 0.53177...
    assert_eq!(j["proposal"]["funded_share"], "0.5318");
}

mod plan_property {
    use proptest::prelude::*;
    use telaudit_model::{Decimal, Proposal};
    use telaudit_report::{funding, Totals};

    /// formats.md section 7, computed in whole cents: the smallest whole n >= 0 with
    /// recoverable + n x (monthly - proposal.monthly) >= one_time, or none.
    fn definition(rec: i64, mon: i64, one_time: i64, p_mon: i64) -> Option<u128> {
        let (need, diff) = (
            i128::from(one_time) - i128::from(rec),
            i128::from(mon) - i128::from(p_mon),
        );
        if need <= 0 {
            Some(0)
        } else if diff <= 0 {
            None
        } else {
            let n = (need + diff - 1) / diff;
            // The least such n: n reaches, n - 1 does not.
            assert!(n * diff >= need && (n - 1) * diff < need);
            u128::try_from(n).ok()
        }
    }

    fn cents(c: i64) -> Decimal {
        Decimal::new(c, 2)
    }

    proptest! {
        #![proptest_config(super::common::proptest_config())]

        #[test]
        fn payback_without_tem_or_items_is_the_formats_md_definition(
            rec in -1_000_000_000i64..100_000_000_000,
            mon in -1_000_000i64..10_000_000,
            one_time in 0i64..100_000_000_000,
            p_mon in 0i64..10_000_000,
            horizon in proptest::option::of(1u32..=120),
        ) {
            let (r, m) = (cents(rec), cents(mon));
            let totals = Totals {
                recoverable: r,
                monthly: m,
                annual: m * Decimal::from(12),
                first_year: r + m * Decimal::from(12),
                findings: 0,
                expired: Decimal::ZERO,
            };
            let p = Proposal { horizon_months: horizon, ..Proposal::simple(cents(one_time), cents(p_mon)) };
            let f = funding(&p, &totals);
            prop_assert_eq!(f.payback_months, definition(rec, mon, one_time, p_mon));
            // The schedule agrees: cumulative(t) = R - O + t x (M - N).
            let h = horizon.unwrap_or(36);
            prop_assert_eq!(f.plan.schedule.len(), h as usize + 1);
            let last = f.plan.schedule[h as usize].cumulative.cents();
            prop_assert_eq!(last, cents(rec - one_time + i64::from(h) * (mon - p_mon)));
        }
    }
}
