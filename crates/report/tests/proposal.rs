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
    dump.config.proposal = Some(Proposal {
        one_time: d(one_time),
        monthly: d(monthly),
    });
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
