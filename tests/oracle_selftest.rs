//! Checks the test oracle (tests/oracle) on a tiny client folder whose totals were
//! computed by hand from formats.md section 6, claim by claim (see the comments).

mod oracle;

use oracle::{money2, oracle_totals};
use rust_decimal::Decimal;
use std::fs;
use std::path::Path;
use std::str::FromStr;

const COLS: [&str; 15] = [
    "carrier",
    "account",
    "invoice",
    "invoice_date",
    "period_start",
    "period_end",
    "service_id",
    "charge_type",
    "charge_code",
    "description",
    "quantity",
    "unit_rate",
    "amount",
    "usage_quantity",
    "usage_unit",
];

fn month_end(ps: &str) -> String {
    let m: u32 = ps[5..7].parse().unwrap();
    let d = match m {
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    format!("{}-{d:02}", &ps[..7])
}

fn q(s: &str) -> String {
    if s.contains(',') || s.contains('"') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A charge row as (column, value) pairs: sid, type, code, description, quantity, unit_rate, amount, usage qty, unit.
#[allow(clippy::too_many_arguments)]
fn row(
    carrier: &str,
    account: &str,
    invoice: &str,
    ps: &str,
    sid: &str,
    ctype: &str,
    code: &str,
    desc: &str,
    qty: &str,
    rate: &str,
    amount: &str,
    uq: &str,
    unit: &str,
) -> Vec<String> {
    let pe = month_end(ps);
    [
        carrier, account, invoice, ps, ps, &pe, sid, ctype, code, desc, qty, rate, amount, uq, unit,
    ]
    .iter()
    .map(|s| q(s))
    .collect()
}

fn write_csv(path: &Path, rows: &[Vec<String>], reversed: bool) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let order: Vec<usize> = if reversed {
        (0..15).rev().collect()
    } else {
        (0..15).collect()
    };
    let mut text = order
        .iter()
        .map(|&i| COLS[i].to_uppercase())
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    for r in rows {
        text += &order.iter().map(|&i| r[i].clone()).collect::<Vec<_>>().join(",");
        text += "\n";
    }
    fs::write(path, text).unwrap();
}

fn tiny_client(dir: &Path, tax_exempt: bool) {
    let vz = |inv: &str,
              ps: &str,
              sid: &str,
              t: &str,
              code: &str,
              desc: &str,
              qty: &str,
              rate: &str,
              amt: &str| {
        row(
            "Verizon Wireless",
            "0012345678",
            inv,
            ps,
            sid,
            t,
            code,
            desc,
            qty,
            rate,
            amt,
            "",
            "",
        )
    };
    let use_ = |inv: &str, ps: &str, sid: &str, uq: &str| {
        row(
            "Verizon Wireless",
            "0012345678",
            inv,
            ps,
            sid,
            "usage",
            "MIN",
            "Voice",
            "",
            "",
            "0.00",
            uq,
            "min",
        )
    };
    let (s1, s2, s3, s4) = ("555-0101", "555-0102", "555-0103", "555-0104");
    let (p1, p2, p3, p4) = ("2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01");
    let unl = "Unlimited";
    let g5 = "5GB Plan";
    let hot = "Mobile Hotspot";
    #[rustfmt::skip]
    let vz_rows = vec![
        vz("V-01", p1, s1, "recurring", "VZUNL", unl, "1", "35.00", "35.00"),         // line 2
        use_("V-01", p1, s1, "10"),                                                   // 3
        vz("V-01", p1, s3, "recurring", "VZ5GB", g5, "1", "25.00", "25.00"),          // 4
        vz("V-01", p1, "", "tax", "FET", "Federal Excise Tax", "", "", "3.00"),       // 5: TAX 3 (not latest)
        vz("V-02", p2, s1, "recurring", "VZUNL", unl, "1", "35.00", "35.00"),         // 6
        use_("V-02", p2, s1, "0"),                                                    // 7
        use_("V-02", p2, s2, "7"),                                                    // 8: S2 used in 3rd-last period
        vz("V-02", p2, s2, "recurring", "HOTSPOT", hot, "1", "15.00", "15.00"),       // 9
        vz("V-02", p2, s3, "recurring", "VZ5GB", g5, "1", "25.00", "25.00"),          // 10
        vz("V-02", p2, "", "fee", "LATE", "Late Payment Fee", "", "", "15.00"),       // 11: FEE 15
        vz("V-02", p2, "", "fee", "RCRF", "Regulatory Cost Recovery Fee", "", "", "1.68"), // 12
        vz("V-02", p2, s1, "credit", "LOYAL", "Loyalty Credit", "", "", "-10.00"),    // 13: credit in full
        vz("V-02-S1", p2, s2, "recurring", "HOTSPOT", hot, "1", "15.00", "15.00"),    // 14: DUP 15
        vz("V-02-S2", p2, s2, "recurring", "HOTSPOT", hot, "1", "15.00", "15.00"),    // 15: DUP 15
        vz("V-03", p3, s1, "recurring", "VZUNL", unl, "1", "35.00", "35.00"),         // 16
        use_("V-03", p3, s1, "0"),                                                    // 17
        vz("V-03", p3, s2, "recurring", "VZUNL", unl, "1", "38.50", "38.50"),         // 18: RAT 3.50
        use_("V-03", p3, s2, "0"),                                                    // 19
        vz("V-03", p3, s3, "recurring", "VZ5GB", g5, "1", "25.00", "25.00"),          // 20: DIS 25
        vz("V-03", p3, s3, "tax", "E911", "911 Surcharge", "", "", "0.75"),           // 21: DIS 0.75
        vz("V-03", p3, s3, "tax", "STX", "State Sales Tax", "", "", "1.56"),          // 22: DIS + TAX 1.56
        vz("V-03", p3, s4, "recurring", "VZ5GB", g5, "1", "25.00", "25.00"),          // 23: on the disconnect date
        vz("V-03", p3, "", "fee", "LPC", "Late  charge", "", "", "5.00"),             // 24: FEE 5
        vz("V-03", p3, "", "adjustment", "LATE", "Fee reversal", "", "", "-15.00"),   // 25
        vz("V-03", p3, s1, "credit", "LOYAL", "Loyalty Credit", "", "", "-4.00"),     // 26: short 6
        vz("V-03", p3, "", "credit", "PROMO", "Promotional Credit", "", "", "-60.00"),// 27
        vz("V-03", p3, "", "credit", "PROMO", "Promotional Credit", "", "", "-40.00"),// 28: promo in full
        vz("V-03", p3, s2, "tax", "STX", "State Sales Tax Refund", "", "", "-2.00"),  // 29
        vz("V-04", p4, s1, "recurring", "VZUNL", unl, "1", "35.00", "35.00"),         // 30: UNU monthly 35
        use_("V-04", p4, s1, "0"),                                                    // 31
        vz("V-04", p4, s2, "recurring", "VZUNL", unl, "1", "38.50", "38.50"),         // 32: RAT 3.50 (latest)
        use_("V-04", p4, s2, "0"),                                                    // 33
        vz("V-04", p4, s3, "recurring", "VZ5GB", g5, "1", "25.00", "25.00"),          // 34: DIS 25 (latest)
        vz("V-04", p4, s3, "tax", "STX", "State Sales Tax", "", "", "1.56"),          // 35: DIS + TAX (latest)
        vz("V-04", p4, "", "credit", "PROMO", "Promotional Credit", "", "", "-50.00"),// 36: promo short 50
        vz("V-04-S1", p4, s3, "recurring", "VZ5GB", g5, "1.0", "25", "25"),           // 37: DUP + DIS 25
    ];
    write_csv(&dir.join("invoices/vz/a.csv"), &vz_rows, false);

    let lu = |ps: &str, sid: &str, code: &str, desc: &str, qty: &str, rate: &str, amt: &str| {
        row(
            "Lumen",
            "0040012345",
            "L-1",
            ps,
            sid,
            "recurring",
            code,
            desc,
            qty,
            rate,
            amt,
            "",
            "",
        )
    };
    let (c1, l2) = ("81/KQGN/100000/LUMN", "555-0201");
    let line = "Business Line, Flat Rate";
    let lumen_rows = vec![
        lu(p3, c1, "ETHPORT", "Ethernet Port 100M", "", "", "450.00"), // 2: DIS 450, RAT 10
        lu(p3, l2, "1FB", line, "2", "44.00", "88.00"),                // 3: RAT (44-42.50) x 2 = 3
        lu(p4, c1, "ETHPORT", "Ethernet Port 100M", "", "", "450.00"), // 4: DIS 450, RAT 10 (latest)
        lu(p4, l2, "1FB", line, "2", "44.00", "88.00"),                // 5: RAT (44-43) x 2 = 2 (latest)
        row(
            "Lumen",
            "0040012345",
            "L-1",
            p4,
            "",
            "surcharge",
            "FUSF",
            "USF",
            "",
            "",
            "5.00",
            "",
            "",
        ), // 6
    ];
    // Columns in another order and upper case: found by name.
    write_csv(&dir.join("invoices/lumen/b.csv"), &lumen_rows, true);

    fs::write(
        dir.join("inventory.csv"),
        "service_id,carrier,account,status,disconnect_date,cost_center,owner\n\
         555-0101,Verizon Wireless,0012345678,active,,CC1,A\n\
         555-0103,Verizon Wireless,0012345678,disconnected,2025-02-15,CC1,B\n\
         555-0104,Verizon Wireless,,disconnected,2025-03-01,CC1,C\n\
         81/KQGN/100000/LUMN,Lumen,,disconnected,2025-01-31,CC2,D\n\
         555-0201,Lumen,0099999999,disconnected,2025-03-10,CC2,E\n",
    )
    .unwrap();
    fs::write(
        dir.join("contracts.csv"),
        "kind,carrier,account,service_id,charge_code,amount,effective_from,effective_to\n\
         rate,Verizon Wireless,,,VZUNL,35,,\n\
         rate,Lumen,,,ETHPORT,425,,\n\
         rate,Lumen,0040012345,,ETHPORT,440,,\n\
         rate,Lumen,,,1FB,42.50,,2025-03-31\n\
         rate,Lumen,,,1FB,43,,\n\
         credit,Verizon Wireless,0012345678,555-0101,LOYAL,10.00,2025-02-01,\n\
         credit,Verizon Wireless,0012345678,,PROMO,100,2025-03-01,2025-04-30\n",
    )
    .unwrap();
    fs::write(
        dir.join("client.toml"),
        format!("name = \"Tiny\"\ntax_exempt = {tax_exempt}\n\n[proposal]\none_time = \"100.00\"\nmonthly = \"1.00\"\n"),
    )
    .unwrap();
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn oracle_matches_hand_computed_totals() {
    let tmp = tempfile::tempdir().unwrap();
    tiny_client(tmp.path(), true);
    let t = oracle_totals(tmp.path());
    assert_eq!(t.rows, 41);
    // VZ: 63 + 111.68 + 9.81 + 75.06 by period; Lumen: 450 + 88 + 450 + 88 + 5.
    assert_eq!(t.billed_total, d("1340.55"));
    let rule = |id: &str| t.by_rule[id];
    // LOYAL: 03 short 6, 04 missing 10; PROMO: 04 short 50 (03 paid in two rows).
    // Monthly: LOYAL's 10 only; PROMO's contract ends 2025-04-30, with the latest
    // period, so its shortfall is recoverable but claims no monthly money.
    assert_eq!(rule("CRD001"), (d("66"), d("10")));
    // S3 after 2025-02-15: 25 + 0.75 + 1.56 (03), 25 + 1.56 + 25 (04); C1 after 2025-01-31: 450 + 450.
    // Monthly (04): 25 + 1.56 on S3 (its second 25 is a copy: no monthly money) + 450 on C1.
    assert_eq!(rule("DIS001"), (d("978.87"), d("476.56")));
    // Hotspot billed 3 times in 02 (2 x 15); S3's plan twice in 04 (25).
    assert_eq!(rule("DUP001"), (d("55"), d("0")));
    assert_eq!(rule("FEE001"), (d("20"), d("0")));
    // S2 2 x 3.50; C1 2 x (450 - 440: the account's own contract wins over 425);
    // line 03: (44 - 42.50) x 2, line 04: (44 - 43) x 2 (42.50 expired).
    assert_eq!(rule("RAT001"), (d("32"), d("15.5")));
    assert_eq!(rule("TAX001"), (d("6.12"), d("1.56")));
    assert_eq!(rule("UNU001"), (d("0"), d("35")));
    // Not in inventory.csv (optimization.md section 3): S2 38.50 (line 32), and
    // line 555-0201 of account 0040012345, 88 (Lumen line 5): its inventory line
    // names another account. No plans.csv: PLN001, POL001 and CIR001 find nothing.
    assert_eq!(rule("ZOM001"), (d("0"), d("126.50")));
    assert_eq!(rule("PLN001"), (d("0"), d("0")));
    assert_eq!(rule("CIR001"), (d("0"), d("0")));
    assert_eq!(rule("POL001"), (d("0"), d("0")));
    assert_eq!(t.by_rule.len(), 11);
    // Per key the largest claim once: DIS swallows RAT on C1 and TAX on S3's rows;
    // ZOM001 adds 35 on line 32 (over RAT's 3.50) and 86 on Lumen line 5 (over
    // RAT's 2): 527.06 + 121 (neither row is a copy).
    assert_eq!(money2(t.recoverable), "1109.87");
    assert_eq!(money2(t.monthly), "648.06");
    // No [disputes] in client.toml: nothing expires.
    assert_eq!(t.expired, Decimal::ZERO);
}

#[test]
fn oracle_without_exemption_finds_no_tax() {
    let tmp = tempfile::tempdir().unwrap();
    tiny_client(tmp.path(), false);
    let t = oracle_totals(tmp.path());
    assert_eq!(t.by_rule["TAX001"], (d("0"), d("0")));
    // Only line 5's 3.00 was TAX alone; S3's taxes stay claimed by DIS001.
    assert_eq!(money2(t.recoverable), "1106.87");
    assert_eq!(money2(t.monthly), "648.06");
}

#[test]
fn money2_rounds_half_away_from_zero() {
    assert_eq!(money2(d("2.345")), "2.35");
    assert_eq!(money2(d("-2.345")), "-2.35");
    assert_eq!(money2(d("-0.004")), "0.00");
    assert_eq!(money2(d("7")), "7.00");
}

/// The sample client (sample-data/acme-health, written by telaudit-generate with
/// 300 services and seed 7, and its 18 pooled lines). Every figure was computed
/// independently by the DuckDB version of the rules (bench/duckdb_audit.py,
/// compared to the cent by bench/check_totals.py), POL001 (optimization.md
/// section 3b) included; telaudit matches both (tests/e2e_sample.rs).
#[test]
fn oracle_on_sample_data_agrees_with_duckdb() {
    let mut dir = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    while !dir.join("sample-data/acme-health").is_dir() {
        assert!(
            dir.pop(),
            "sample-data/acme-health not found above {}",
            env!("CARGO_MANIFEST_DIR")
        );
    }
    let t = oracle_totals(&dir.join("sample-data/acme-health"));
    assert_eq!(t.rows, 22847);
    assert_eq!(money2(t.billed_total), "467062.50");
    assert_eq!(money2(t.recoverable), "7037.49");
    assert_eq!(money2(t.expired), "1136.46");
    assert_eq!(money2(t.monthly), "3863.52");
    let by_rule: Vec<(String, String, String)> = t
        .by_rule
        .iter()
        .map(|(k, (r, m))| (k.clone(), money2(*r), money2(*m)))
        .collect();
    let expected = [
        ("CIR001", "0.00", "625.00"),
        ("CRD001", "1750.00", "410.00"),
        ("DIS001", "3569.36", "778.51"),
        ("DUP001", "731.84", "0.00"),
        ("FEE001", "149.00", "0.00"),
        ("PLN001", "0.00", "165.00"),
        ("POL001", "0.00", "66.38"),
        ("RAT001", "707.84", "39.29"),
        ("TAX001", "352.54", "57.86"),
        ("UNU001", "0.00", "881.94"),
        ("ZOM001", "0.00", "1187.10"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(by_rule, expected);
    // The ledger's figures, as bench/duckdb_audit.py computes them too.
    let rec = t.recovery.expect("the sample has claims.csv");
    let figures = [
        rec.claimed,
        rec.recovered,
        rec.outstanding,
        rec.denied,
        rec.overdue_amount,
        rec.covered,
        rec.unclaimed,
        rec.ambiguous_credits,
        rec.unmatched_credits,
    ]
    .map(money2);
    assert_eq!(
        figures,
        ["1290.47", "626.57", "532.90", "120.00", "461.00", "162.43", "6875.06", "88.00", "273.21"]
    );
    assert_eq!((rec.claims, rec.overdue, rec.response_days), (15, 4, 45));
}

/// The oracle on the rule-kind fixtures of optimization.md section 3, whose figures
/// were worked out by hand (see each kind's doc comment).
#[test]
fn oracle_on_the_optimization_fixtures() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/tests/fixtures");
    for (kind, rule, monthly) in [
        ("oversized_plan", "PLN001", "5.00"),
        ("oversized_circuit", "CIR001", "1300.00"),
        ("not_in_inventory", "ZOM001", "45.00"),
        ("oversized_pool", "POL001", "33.50"),
    ] {
        let t = oracle_totals(&fixtures.join(kind).join("client"));
        assert_eq!(money2(t.by_rule[rule].1), monthly, "{kind}");
        assert_eq!(money2(t.monthly), monthly, "{kind}: no other rule finds anything");
    }
}

/// The oracle's ledger on telaudit-recovery's fixtures, whose figures were
/// worked out by hand (crates/recovery/tests/fixtures/*/expected.txt).
#[test]
fn oracle_ledger_on_the_recovery_fixtures() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../recovery/tests/fixtures");
    // coverage: DIS001 on S1 (5 lines of 50.00, the March copy among them) and S2
    // (4 lines, February and March expired under the 60-day window). K-2 covers
    // February's S1 line, K-1 March's two; judged from their filing dates they
    // stay claimable. K-4 (denied) names DUP001, which does not own the copy.
    let t = oracle_totals(&fixtures.join("coverage/client"));
    assert_eq!(
        (money2(t.recoverable), money2(t.expired)),
        ("350.00".into(), "100.00".into())
    );
    let r = t.recovery.unwrap();
    assert_eq!(
        (money2(r.covered), money2(r.unclaimed)),
        ("150.00".into(), "200.00".into())
    );
    assert_eq!((r.claims, r.overdue), (4, 3));
    assert_eq!(
        [r.claimed, r.outstanding, r.denied, r.overdue_amount].map(money2),
        ["400.00", "350.00", "50.00", "350.00"]
    );
    // ambiguous: 200.00 could pay B-1 or B-2 and pays neither; every claim is
    // credited in the end (120.00 by amount, 200.00 by reference, 200.00 by amount).
    let r = oracle_totals(&fixtures.join("ambiguous/client"))
        .recovery
        .unwrap();
    assert_eq!(
        [
            r.claimed,
            r.recovered,
            r.outstanding,
            r.ambiguous_credits,
            r.unmatched_credits
        ]
        .map(money2),
        ["520.00", "520.00", "0.00", "200.00", "0.00"]
    );
    assert_eq!(r.states["B-1"].0, "credited");
    // by_amount: 80.00 matches only the denied claim and 65.00 on S2 only a claim
    // on S1: both unmatched.
    let r = oracle_totals(&fixtures.join("by_amount/client"))
        .recovery
        .unwrap();
    assert_eq!(
        [r.claimed, r.recovered, r.denied, r.unmatched_credits].map(money2),
        ["295.00", "215.00", "80.00", "145.00"]
    );
    // states: two credits paying 130.00 on a 100.00 claim (over-credited), 40.00 on
    // one (partial), a withdrawn claim. (The fixture's own as-of, 2025-06-30, is an
    // --as-of; the oracle's is always the latest invoice date, so the other claims'
    // states differ here and are not compared.)
    let r = oracle_totals(&fixtures.join("states/client")).recovery.unwrap();
    assert_eq!(r.states["H-2"].1, "130".parse().unwrap());
    assert_eq!(r.states["H-3"].0, "partial");
    assert_eq!(r.states["H-6"].0, "withdrawn");
}
