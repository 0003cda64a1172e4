//! The real (anonymised) carrier exports in ../shared/carrier-samples (GPL, not
//! copied into this repository) are recognised and their charge rows are read, not
//! refused. Skips when the folder is absent.

use std::path::{Path, PathBuf};
use telaudit_model::{ChargeType, Micros, SourceKind, StatedScope};

fn samples() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/carrier-samples");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent", p.display());
        None
    }
}

/// Copies one carrier's sample folder into a client folder's invoices/.
fn client_of(carrier: &str) -> Option<tempfile::TempDir> {
    let src = samples()?.join(carrier);
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("invoices");
    std::fs::create_dir(&inv).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), inv.join(e.file_name())).unwrap();
    }
    Some(dir)
}

fn m(s: &str) -> Micros {
    Micros::parse(s).unwrap()
}

#[test]
fn verizon_samples_are_read_without_refusals() {
    let Some(dir) = client_of("verizon") else { return };
    let dump = telaudit_parse::read_client(dir.path()).unwrap();
    for w in &dump.warnings {
        eprintln!("warning: {}: {}", w.file, w.message);
    }
    assert!(dump.rejected.is_empty(), "{:#?}", dump.rejected);
    let kinds: Vec<&SourceKind> = dump.files.iter().map(|f| &f.kind).collect();
    assert_eq!(
        kinds,
        [
            &SourceKind::Layout("verizon-wireless-summary".into()),
            &SourceKind::Layout("verizon-wireless-account-summary".into()),
            &SourceKind::Layout("verizon-wireless-charges-detail".into())
        ]
    );
    // The stated totals: the AccountSummary's Total Current Charges (36,830.02, not
    // the amount due) and the summary's per-line Total Charges (0.00 and 70.50),
    // which stay although the detail supersedes the summary's rows.
    let stated: Vec<(&str, &str, Micros, Option<&str>)> = dump
        .stated
        .iter()
        .map(|t| {
            (
                dump.s(t.what),
                dump.s(t.service),
                t.amount,
                t.superseded_by.as_deref(),
            )
        })
        .collect();
    let by = Some("verizon-wireless-charges-detail");
    assert_eq!(
        stated,
        [
            ("the lines' Total Charges", "enc-2492442668514937", m("0"), by),
            ("the lines' Total Charges", "enc-9729345087614266", m("70.50"), by),
            ("Total Current Charges", "", m("36830.02"), None),
        ]
    );
    // The detail file itemises the invoice: the summary's rows are not counted.
    assert_eq!(dump.rows.len(), 3);
    let got: Vec<(ChargeType, Option<Micros>, &str, &str)> = dump
        .rows
        .iter()
        .map(|r| {
            (
                r.charge_type,
                r.usage_quantity,
                dump.s(r.usage_unit),
                dump.s(r.description),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (ChargeType::Usage, Some(m("6.581")), "GB", "GIGABYTE USAGE"),
            (ChargeType::Usage, Some(m("1")), "msg", "PICTURE & VIDEO - RCV'D"),
            (ChargeType::Usage, Some(m("1")), "msg", "PICTURE & VIDEO - SENT"),
        ]
    );
    assert!(dump.rows.iter().all(|r| r.amount == Micros::ZERO));
    assert!(dump
        .warnings
        .iter()
        .any(|w| w.message.contains("9 row(s) not counted")));
}

#[test]
fn verizon_summary_alone_bills_its_line_totals() {
    let Some(dir) = client_of("verizon") else { return };
    std::fs::remove_file(
        dir.path()
            .join("invoices/Acct & Wireless Charges Detail Summary Usage_test.txt"),
    )
    .unwrap();
    let dump = telaudit_parse::read_client(dir.path()).unwrap();
    assert!(dump.rejected.is_empty(), "{:#?}", dump.rejected);
    // Line 2: Monthly 66.30 + surcharges 2.98 + taxes 1.22 = Total Charges 70.50;
    // both lines: voice, messaging and data usage rows (amount 0).
    let money: Vec<(ChargeType, Micros)> = dump
        .rows
        .iter()
        .filter(|r| r.amount != Micros::ZERO)
        .map(|r| (r.charge_type, r.amount))
        .collect();
    assert_eq!(
        money,
        [
            (ChargeType::Recurring, m("66.30")),
            (ChargeType::Surcharge, m("2.98")),
            (ChargeType::Tax, m("1.22"))
        ]
    );
    let total = dump.rows.iter().fold(0i64, |t, r| t + r.amount.0);
    assert_eq!(total, m("70.50").0);
    let usage: Vec<Option<Micros>> = dump
        .rows
        .iter()
        .filter(|r| r.charge_type == ChargeType::Usage)
        .map(|r| r.usage_quantity)
        .collect();
    assert_eq!(
        usage,
        [
            Some(m("0")),
            Some(m("0")),
            Some(m("0")),
            Some(m("167")),
            Some(m("36")),
            Some(m("6.581"))
        ]
    );
    let r = &dump.rows[0];
    assert_eq!(
        (r.period_start.to_string(), r.period_end.to_string()),
        ("2021-07-17".into(), "2021-08-16".into())
    );
    assert_eq!(r.invoice_date.to_string(), "2021-08-16");
    // No warning about Total Charges: the columns add up.
    assert!(
        !dump.warnings.iter().any(|w| w.message.contains("sum to")),
        "{:?}",
        dump.warnings
    );
}

#[test]
fn att_samples_are_read_without_refusals() {
    let Some(dir) = client_of("att") else { return };
    let dump = telaudit_parse::read_client(dir.path()).unwrap();
    for w in &dump.warnings {
        eprintln!("warning: {}: {}", w.file, w.message);
    }
    assert!(dump.rejected.is_empty(), "{:#?}", dump.rejected);
    // Two equipment purchases of billing account 836151207 (their Equipment
    // Transaction Number marks them: one-time, coded by Equipment Item ID); the FAN
    // header rows and the previous balance are not charges.
    let got: Vec<(&str, &str, ChargeType, Micros, String)> = dump
        .rows
        .iter()
        .map(|r| {
            (
                dump.s(r.account),
                dump.s(r.invoice),
                r.charge_type,
                r.amount,
                r.period_start.to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "836151207",
                "836151207-20230202",
                ChargeType::OneTime,
                m("0"),
                "2023-01-03".into()
            ),
            (
                "836151207",
                "836151207-20230202",
                ChargeType::OneTime,
                m("0.99"),
                "2023-01-03".into()
            ),
        ]
    );
    assert_eq!(dump.rows[1].quantity, m("1"));
    let codes: Vec<&str> = dump.rows.iter().map(|r| dump.s(r.charge_code)).collect();
    assert_eq!(codes, ["73023", "6858C"]);
    // The IRA row (line 3) states the FAN invoice's current charges, 80,878.89 (the
    // amount due is the same here), over the whole file.
    let stated: Vec<(&str, &str, Micros, StatedScope, u32)> = dump
        .stated
        .iter()
        .map(|t| {
            (
                dump.s(t.account),
                dump.s(t.invoice),
                t.amount,
                t.scope,
                t.source.pos,
            )
        })
        .collect();
    assert_eq!(
        stated,
        [(
            "(foundation account)",
            "20884529",
            m("80878.89"),
            StatedScope::File,
            3
        )]
    );
    assert!(dump
        .warnings
        .iter()
        .any(|w| w.message.contains("4 summary or non-charge row(s)")));
}

#[test]
fn bell_samples_are_read_without_refusals() {
    let Some(dir) = client_of("bell") else { return };
    let dump = telaudit_parse::read_client(dir.path()).unwrap();
    for w in &dump.warnings {
        eprintln!("warning: {}: {}", w.file, w.message);
    }
    assert!(dump.rejected.is_empty(), "{:#?}", dump.rejected);
    // Two mobiles: 47.00 monthly + 2.35 GST + 3.29 Manitoba PST = 52.64 each; then
    // each line's usage (amount 0): airtime minutes (Air Dur), text messages and MB.
    let got: Vec<(&str, ChargeType, Micros, Option<Micros>, &str)> = dump
        .rows
        .iter()
        .map(|r| {
            (
                dump.s(r.service),
                r.charge_type,
                r.amount,
                r.usage_quantity,
                dump.s(r.usage_unit),
            )
        })
        .collect();
    let (u, z) = (ChargeType::Usage, Micros::ZERO);
    assert_eq!(
        got,
        [
            ("mobile-1", ChargeType::Recurring, m("47"), None, ""),
            ("mobile-1", ChargeType::Tax, m("2.35"), None, ""),
            ("mobile-1", ChargeType::Tax, m("3.29"), None, ""),
            ("mobile-1", u, z, Some(m("1053")), "min"),
            ("mobile-1", u, z, Some(m("186")), "msg"),
            ("mobile-1", u, z, Some(m("5578.7932")), "MB"),
            ("mobile-2", ChargeType::Recurring, m("47"), None, ""),
            ("mobile-2", ChargeType::Tax, m("2.35"), None, ""),
            ("mobile-2", ChargeType::Tax, m("3.29"), None, ""),
            ("mobile-2", u, z, Some(m("707")), "min"),
            ("mobile-2", u, z, Some(m("32")), "msg"),
            ("mobile-2", u, z, Some(m("3520.3867")), "MB"),
        ]
    );
    let r = &dump.rows[0];
    assert_eq!(
        (r.period_start.to_string(), r.period_end.to_string()),
        ("2023-01-01".into(), "2023-01-31".into())
    );
    // The ACC states Cur Chg Ttl 13,134.83 for its account (another account than the
    // MOB's in this anonymised sample), under the MOB's invoice naming.
    let stated: Vec<(&str, &str, Micros)> = dump
        .stated
        .iter()
        .map(|t| (dump.s(t.account), dump.s(t.invoice), t.amount))
        .collect();
    assert_eq!(
        stated,
        [("test-value-1", "test-value-1-2023/02/01", m("13134.83"))]
    );
    assert!(
        !dump.warnings.iter().any(|w| w.message.contains("sum to")),
        "{:?}",
        dump.warnings
    );
}

#[test]
fn telus_samples_are_read_without_refusals() {
    let Some(dir) = client_of("telus") else { return };
    let dump = telaudit_parse::read_client(dir.path()).unwrap();
    for w in &dump.warnings {
        eprintln!("warning: {}: {}", w.file, w.message);
    }
    assert!(dump.rejected.is_empty(), "{:#?}", dump.rejected);
    // Every report is recognised: the Group Summary's charges, the Invoice Summary's
    // stated total, the others ignored.
    let mut kinds: Vec<String> = dump
        .files
        .iter()
        .map(|f| match &f.kind {
            SourceKind::Layout(l) => l.clone(),
            k => format!("{k:?}"),
        })
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["telus-group-summary", "telus-invoice-summary"]);
    for layout in [
        "telus-account-detail",
        "telus-airtime-detail",
        "telus-dew-report",
        "telus-individual-detail",
        "telus-invoice-summary",
    ] {
        assert!(
            dump.warnings
                .iter()
                .any(|w| w.message.contains(&format!("layouts/{layout}.toml"))),
            "{layout} not recognised: {:?}",
            dump.warnings
        );
    }
    // The Group Summary bills 261.46 across 6 lines, of which 16.49 is tax.
    let billed = dump.rows.iter().fold(0i64, |t, r| t + r.amount.0);
    assert_eq!(billed, m("261.46").0);
    let tax = dump
        .rows
        .iter()
        .filter(|r| r.charge_type == ChargeType::Tax)
        .fold(0i64, |t, r| t + r.amount.0);
    assert_eq!(tax, m("16.49").0);
    let mut lines: Vec<&str> = dump.rows.iter().map(|r| dump.s(r.service)).collect();
    lines.dedup();
    assert_eq!(lines.len(), 6);
    let r = &dump.rows[0];
    assert_eq!(
        (dump.s(r.carrier), dump.s(r.account), dump.s(r.invoice)),
        ("TELUS", "11223344", "112233445566")
    );
    assert_eq!(r.invoice_date.to_string(), "2023-02-06");
    // The Invoice Summary states the invoice's current charges, 113,852.32, on its
    // "Total Current Charges:" line (BAL002 compares them with the 261.46 read).
    let stated: Vec<(&str, &str, &str, Micros)> = dump
        .stated
        .iter()
        .map(|t| (dump.s(t.account), dump.s(t.invoice), dump.s(t.what), t.amount))
        .collect();
    assert_eq!(
        stated,
        [(
            "11223344",
            "112233445566",
            "Total Current Charges",
            m("113852.32")
        )]
    );
    assert!(
        !dump.warnings.iter().any(|w| w.message.contains("sum to")),
        "{:?}",
        dump.warnings
    );
}

#[test]
fn no_other_carrier_sample_is_taken_for_a_telus_report() {
    for carrier in ["verizon", "att", "bell"] {
        let Some(dir) = client_of(carrier) else { return };
        let dump = telaudit_parse::read_client(dir.path()).unwrap();
        assert!(
            dump.files
                .iter()
                .all(|f| !matches!(&f.kind, SourceKind::Layout(l) if l.starts_with("telus"))),
            "{carrier}"
        );
        assert!(
            !dump.warnings.iter().any(|w| w.message.contains("telus")),
            "{carrier}"
        );
    }
}
