//! The real (anonymised) carrier exports in ../shared/carrier-samples (GPL, not
//! copied into this repository) are recognised and their charge rows are read, not
//! refused. Skips when the folder is absent.

use std::path::{Path, PathBuf};
use telaudit_model::{ChargeType, Micros, SourceKind, StatedScope};

/// `shared/carrier-samples` beside the repository, or beside a folder above it (a
/// git worktree's checkout sits deeper than the main one); None: the tests skip.
fn samples() -> Option<PathBuf> {
    let found = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .skip(3)
        .map(|a| a.join("shared/carrier-samples"))
        .find(|p| p.is_dir());
    if found.is_none() {
        eprintln!("skipped: no shared/carrier-samples beside the repository or above it");
    }
    found
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

/// Some of a carrier's sample files read without its bills, as `telaudit convert`
/// reads call detail: with no charge row to be checked against, its usage rows are
/// kept as read (in a client, the anonymised samples' call detail names accounts
/// their charge exports do not bill, so it is set aside: docs/formats.md section 12).
fn alone(carrier: &str, names: &[&str]) -> Option<telaudit_model::Dump> {
    let src = samples()?.join(carrier);
    let files = names
        .iter()
        .map(|n| (format!("invoices/{n}"), std::fs::read(src.join(n)).unwrap()))
        .collect();
    Some(telaudit_parse::read_bill_files(files).unwrap())
}

/// The warnings that set call detail aside: (file, accounts and periods named).
fn set_aside(dump: &telaudit_model::Dump) -> Vec<(&str, &str)> {
    dump.warnings
        .iter()
        .filter_map(|w| {
            let rest = w
                .message
                .split_once("no bill of their account is read for that period (")?
                .1;
            Some((w.file.as_str(), rest.split_once(')')?.0))
        })
        .collect()
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
            &SourceKind::Layout("verizon-wireless-charges-detail".into()),
            &SourceKind::Layout("verizon-wireless-usage-detail".into())
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
    // The detail file itemises the invoice: the summary's rows are not counted. The
    // Wireless Usage Detail is read for usage: the line's three calls, 2 + 2 + 3
    // minutes, as one voice row (the detail's rows carry data and messages, not voice).
    assert_eq!(dump.rows.len(), 4);
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
            (
                ChargeType::Usage,
                Some(m("7")),
                "min",
                "Call detail: voice, 3 records"
            ),
        ]
    );
    assert!(dump.rows.iter().all(|r| r.amount == Micros::ZERO));
    let voice = &dump.rows[3];
    assert_eq!(
        (
            dump.s(voice.service),
            dump.s(voice.invoice),
            voice.period_start.to_string()
        ),
        (
            "enc-9729345087614266",
            "enc-5029012205720256",
            "2021-07-17".to_string()
        )
    );
    // Read for usage: its three records; it lists the one billed line, so no line is
    // measured at zero.
    assert_eq!(dump.usage_files.len(), 1);
    assert_eq!((dump.usage_files[0].records, dump.usage_files[0].rows), (3, 1));
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
    // The ENC1 Detail is read for usage, but its account (555000001) has no charges
    // in these anonymised samples: its rows are set aside, one warning naming it.
    assert_eq!(
        set_aside(&dump),
        [(
            "invoices/ENC1 Detail Mar.csv",
            "account 555000001, the period 2023-02-03 to 2023-03-02"
        )]
    );
    assert_eq!(dump.usage_files[0].records, 9);
    assert_eq!(dump.usage_files[0].rows, 0);
    // Read alone, its rows keep their own invoice: 4 calls of 1, 1, 1 and 2 minutes;
    // 3 data sessions of 21,698 + 341 + 13,934 = 35,973 KB = 0.034307 GB (1 GB =
    // 1,048,576 KB, half away from zero); 2 text messages.
    let enc1 = alone("att", &["ENC1 Detail Mar.csv"]).unwrap();
    let usage: Vec<(&str, &str, Option<Micros>, &str)> = enc1.rows[..3]
        .iter()
        .map(|r| {
            (
                enc1.s(r.service),
                enc1.s(r.invoice),
                r.usage_quantity,
                enc1.s(r.usage_unit),
            )
        })
        .collect();
    let (line, inv) = ("5550000002", "555000001-03/02/2023");
    assert_eq!(
        usage,
        [
            (line, inv, Some(m("5")), "min"),
            (line, inv, Some(m("0.034307")), "GB"),
            (line, inv, Some(m("2")), "msg")
        ]
    );
    assert_eq!(enc1.rows[0].period_start.to_string(), "2023-02-03");
    assert_eq!(enc1.usage_files[0].records, 9);
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
    // The DTL call detail is read for usage, but its lines are of other accounts
    // than the MOB's in this anonymised sample: set aside, one warning naming them.
    assert_eq!(
        set_aside(&dump),
        [(
            "invoices/double_header_DTL.csv",
            "account test-value-1, the period 2023-01-01 to 2023-01-31; account test-value-2, the period \
             2023-01-01 to 2023-01-31"
        )]
    );
    // Read alone: one call of 1:00 on each of its lines, in the MOB's period.
    let dtl = alone("bell", &["double_header_DTL.csv"]).unwrap();
    let calls: Vec<(&str, Option<Micros>, &str)> = dtl
        .rows
        .iter()
        .map(|r| (dtl.s(r.service), r.usage_quantity, dtl.s(r.usage_unit)))
        .collect();
    assert_eq!(
        calls,
        [
            ("test-value-3", Some(m("1")), "min"),
            ("test-value-4", Some(m("1")), "min")
        ]
    );
    assert_eq!(dtl.rows[0].period_start, r.period_start);
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
    // stated total, the Airtime Detail's usage, the others ignored.
    let mut kinds: Vec<String> = dump
        .files
        .iter()
        .map(|f| match &f.kind {
            SourceKind::Layout(l) => l.clone(),
            k => format!("{k:?}"),
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "telus-airtime-detail",
            "telus-group-summary",
            "telus-invoice-summary"
        ]
    );
    for layout in [
        "telus-account-detail",
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
    lines.sort_unstable();
    lines.dedup();
    assert_eq!(lines.len(), 6);
    // The Airtime Detail measures the lines' calls (the Group Summary prints usage
    // only as dollars): 1122334455 7:00 + 4:00 = 11 minutes; 4455667788 13:00 +
    // 2:00 at home and 5:00 + 2:00 roaming = 22 (its Online Dial-Up and Video
    // sections are not voice calls); the account's four other lines billed in the
    // period made no calls: 0 minutes each, resting on the whole export.
    let usage: Vec<(&str, Option<Micros>, &str, u32)> = dump
        .rows
        .iter()
        .filter(|r| dump.s(r.usage_unit) == "min")
        .map(|r| {
            (
                dump.s(r.service),
                r.usage_quantity,
                dump.s(r.invoice),
                r.source.pos,
            )
        })
        .collect();
    let inv = "112233445566";
    assert_eq!(
        usage,
        [
            ("1122334455", Some(m("11")), inv, 24),
            ("4455667788", Some(m("22")), inv, 52),
            ("2233445566", Some(m("0")), inv, 0),
            ("3344556677", Some(m("0")), inv, 0),
            ("5566778899", Some(m("0")), inv, 0),
            ("6677889900", Some(m("0")), inv, 0),
        ]
    );
    let r = &dump.rows[6];
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

/// A row of the Rogers samples: file name, account, line, type, description,
/// amount, usage quantity and unit.
type RogersRow = (
    String,
    String,
    String,
    ChargeType,
    String,
    Micros,
    Option<Micros>,
    String,
);

/// The Rogers downloads, as delivered (one `.zip` each) or unpacked.
fn rogers_rows(dump: &telaudit_model::Dump) -> Vec<RogersRow> {
    dump.rows
        .iter()
        .map(|r| {
            let file = &dump.files[r.source.file.0 as usize].path;
            (
                file.rsplit(['/', '!']).next().unwrap_or("").to_string(),
                dump.s(r.account).to_string(),
                dump.s(r.service).to_string(),
                r.charge_type,
                dump.s(r.description).to_string(),
                r.amount,
                r.usage_quantity,
                dump.s(r.usage_unit).to_string(),
            )
        })
        .collect()
}

#[test]
fn rogers_samples_are_read_without_refusals() {
    let Some(dir) = client_of("rogers") else { return };
    let dump = telaudit_parse::read_client(dir.path()).unwrap();
    for w in &dump.warnings {
        eprintln!("warning: {}: {}", w.file, w.message);
    }
    assert!(dump.rejected.is_empty(), "{:#?}", dump.rejected);
    // Every file is recognised: the Custom report's charges, the five call-detail
    // exports read for usage with the header file beside each (none skipped). The
    // call detail's account (test-value-1) has no Custom rows in these anonymised
    // samples: each export's rows are set aside, one warning each, and nothing else
    // is warned about.
    assert!(dump.skipped.is_empty(), "{:?}", dump.skipped);
    let (april, november) = (
        "account test-value-1, the period 2023-03-21 to 2023-04-20",
        "account test-value-1, the period 2022-10-21 to 2022-11-20",
    );
    assert_eq!(
        set_aside(&dump),
        [
            ("invoices/test_GPRS.zip!ALL_CALLS-GPRS.txt", april),
            ("invoices/test_GPRS_RM.zip!ALL_CALLS-GPRS-Rm.txt", november),
            ("invoices/test_SMS.zip!ALL_CALLS-SMS.txt", april),
            ("invoices/test_Voice.zip!ALL_CALLS-Voice.txt", april),
            ("invoices/test_Voice_RM.zip!ALL_CALLS-VoiceRM.txt", november),
        ]
    );
    assert_eq!(dump.warnings.len(), 5, "{:?}", dump.warnings);
    let kinds: Vec<(&str, &str)> = dump
        .files
        .iter()
        .map(|f| match &f.kind {
            SourceKind::Layout(l) => (f.path.as_str(), l.as_str()),
            _ => (f.path.as_str(), ""),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "invoices/test_Custom.zip!ALL_CALLS-Custom.txt",
                "rogers-custom-charges"
            ),
            (
                "invoices/test_GPRS.zip!ALL_CALLS-GPRS.txt",
                "rogers-call-detail-gprs"
            ),
            (
                "invoices/test_GPRS_RM.zip!ALL_CALLS-GPRS-Rm.txt",
                "rogers-call-detail-gprs-roaming"
            ),
            (
                "invoices/test_SMS.zip!ALL_CALLS-SMS.txt",
                "rogers-call-detail-sms"
            ),
            (
                "invoices/test_Voice.zip!ALL_CALLS-Voice.txt",
                "rogers-call-detail-voice"
            ),
            (
                "invoices/test_Voice_RM.zip!ALL_CALLS-VoiceRM.txt",
                "rogers-call-detail-voice-roaming"
            ),
        ]
    );
    let headers: Vec<Option<&str>> = dump
        .usage_files
        .iter()
        .map(|u| u.header_file.as_deref())
        .collect();
    assert_eq!(headers[0], Some("invoices/test_GPRS.zip!Header-GPRS.txt"));
    assert_eq!(headers[4], Some("invoices/test_Voice_RM.zip!Header-Voice.txt"));
    let records: Vec<u64> = dump.usage_files.iter().map(|u| u.records).collect();
    assert_eq!(records, [3, 3, 3, 3, 3]);
    // The Custom rows to the cent: line test-value-3 (period ending 04/20/2023)
    // 65.00 - 18.20 + GST 2.34 + PST 3.28 = 52.42; line test-value-7 (11/20/2022)
    // 65.00 + 5.00 - 18.20 + 2.59 + 3.63 = 58.02; each its Total Current Charges.
    let charges: Vec<(&str, &str, ChargeType, &str, Micros, String, String)> = dump
        .rows
        .iter()
        .filter(|r| r.charge_type != ChargeType::Usage)
        .map(|r| {
            (
                dump.s(r.account),
                dump.s(r.service),
                r.charge_type,
                dump.s(r.description),
                r.amount,
                dump.s(r.invoice).to_string(),
                format!("{} {} {}", r.invoice_date, r.period_start, r.period_end),
            )
        })
        .collect();
    let (a1, a2) = (
        (
            "test-value-2",
            "test-value-3",
            "test-value-2-04202023",
            "2023-04-20 2023-03-21 2023-04-20",
        ),
        (
            "test-value-6",
            "test-value-7",
            "test-value-6-11202022",
            "2022-11-20 2022-10-21 2022-11-20",
        ),
    );
    let row = |a: (&'static str, &'static str, &'static str, &'static str), t, d, x: &str| {
        (a.0, a.1, t, d, m(x), a.2.to_string(), a.3.to_string())
    };
    assert_eq!(
        charges,
        [
            row(a1, ChargeType::Recurring, "Monthly Service Fee", "65"),
            row(a1, ChargeType::Credit, "Credits and Discounts", "-18.2"),
            row(a1, ChargeType::Tax, "GST", "2.34"),
            row(a1, ChargeType::Tax, "PST", "3.28"),
            row(a2, ChargeType::Recurring, "Monthly Service Fee", "65"),
            row(a2, ChargeType::OneTime, "Other Charges", "5"),
            row(a2, ChargeType::Credit, "Credits and Discounts", "-18.2"),
            row(a2, ChargeType::Tax, "GST", "2.59"),
            row(a2, ChargeType::Tax, "PST", "3.63"),
        ]
    );
    let billed = dump.rows.iter().fold(0i64, |t, r| t + r.amount.0);
    assert_eq!(billed, m("110.44").0);
    let stated: Vec<(&str, &str, Micros)> = dump
        .stated
        .iter()
        .map(|t| (dump.s(t.invoice), dump.s(t.service), t.amount))
        .collect();
    assert_eq!(
        stated,
        [
            ("test-value-2-04202023", "test-value-3", m("52.42")),
            ("test-value-6-11202022", "test-value-7", m("58.02")),
        ]
    );
    assert!(dump.rows.iter().all(|r| r.charge_type != ChargeType::Usage));
    // The call detail read alone, per line (no Custom rows, so no line is measured
    // at zero): data from KB (1 GB = 1,048,576 KB), minutes from seconds, messages
    // counted.
    let detail = alone(
        "rogers",
        &[
            "test_GPRS.zip",
            "test_GPRS_RM.zip",
            "test_SMS.zip",
            "test_Voice.zip",
            "test_Voice_RM.zip",
        ],
    )
    .unwrap();
    assert!(detail.warnings.is_empty(), "{:?}", detail.warnings);
    let usage: Vec<(String, String, Option<Micros>, String)> = rogers_rows(&detail)
        .into_iter()
        .filter(|r| r.3 == ChargeType::Usage)
        .map(|r| (r.0, r.2, r.6, r.7))
        .collect();
    let u =
        |f: &str, s: &str, q: &str, unit: &str| (f.to_string(), s.to_string(), Some(m(q)), unit.to_string());
    assert_eq!(
        usage,
        [
            u("ALL_CALLS-GPRS.txt", "test-value-8", "0.976644", "GB"),
            u("ALL_CALLS-GPRS.txt", "test-value-9", "0.000586", "GB"),
            u("ALL_CALLS-GPRS.txt", "test-value-10", "0.01611", "GB"),
            u("ALL_CALLS-GPRS-Rm.txt", "1122334455", "0.000364", "GB"),
            u("ALL_CALLS-GPRS-Rm.txt", "2233445566", "0.00155", "GB"),
            u("ALL_CALLS-GPRS-Rm.txt", "3344556677", "0.001248", "GB"),
            u("ALL_CALLS-SMS.txt", "test-number-3", "1", "msg"),
            u("ALL_CALLS-SMS.txt", "test-number-4", "1", "msg"),
            u("ALL_CALLS-SMS.txt", "test-number-5", "1", "msg"),
            u("ALL_CALLS-Voice.txt", "test-number-1", "1", "min"),
            u("ALL_CALLS-Voice.txt", "test-number-2", "9", "min"),
            u("ALL_CALLS-Voice.txt", "test-number-3", "1", "min"),
            u("ALL_CALLS-VoiceRM.txt", "test-number-1", "6", "min"),
            u("ALL_CALLS-VoiceRM.txt", "test-number-2", "3", "min"),
            u("ALL_CALLS-VoiceRM.txt", "test-number-3", "32", "min"),
        ]
    );
    // The periods: the header files' titles (03/21/2023 - 04/20/2023 and, for the
    // roaming exports, 10/21/2022 - 11/20/2022).
    let periods: Vec<String> = detail
        .rows
        .iter()
        .filter(|r| r.charge_type == ChargeType::Usage)
        .map(|r| format!("{}..{}", r.period_start, r.period_end))
        .collect();
    assert_eq!(periods[0], "2023-03-21..2023-04-20");
    assert_eq!(periods[3], "2022-10-21..2022-11-20");
    assert_eq!(periods[14], "2022-10-21..2022-11-20");
}

#[test]
fn rogers_samples_unpacked_read_as_their_zips() {
    let Some(src) = samples() else { return };
    let zipped = client_of("rogers").unwrap();
    let want = rogers_rows(&telaudit_parse::read_client(zipped.path()).unwrap());
    // Each zip unpacked into a folder of its own; and GPRS, SMS and Voice together
    // in one folder, where each data file goes with the header file its name starts
    // like (ALL_CALLS-SMS.txt with Header-SMS.txt).
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("invoices");
    for e in std::fs::read_dir(src.join("rogers")).unwrap() {
        let path = e.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let folder = if ["test_GPRS", "test_SMS", "test_Voice"].contains(&stem.as_str()) {
            inv.join("together")
        } else {
            inv.join(&stem)
        };
        std::fs::create_dir_all(&folder).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        for member in telaudit_parse::read_zip(&bytes, telaudit_parse::ZipLimits::default()).unwrap() {
            std::fs::write(folder.join(&member.name), member.content.unwrap()).unwrap();
        }
    }
    let dump = telaudit_parse::read_client(dir.path()).unwrap();
    assert!(dump.rejected.is_empty(), "{:#?}", dump.rejected);
    assert!(dump.skipped.is_empty(), "{:?}", dump.skipped);
    let mut got = rogers_rows(&dump);
    let mut want = want;
    got.sort();
    want.sort();
    assert_eq!(got, want);
    // The call detail (set aside in the client: its account has no Custom rows)
    // read alone, unpacked and zipped, gives the same usage rows.
    let mut unpacked: Vec<(String, Vec<u8>)> = Vec::new();
    for folder in std::fs::read_dir(&inv).unwrap() {
        let folder = folder.unwrap().path();
        for f in std::fs::read_dir(&folder).unwrap() {
            let f = f.unwrap().path();
            if !f.to_string_lossy().contains("Custom") {
                let name = f.strip_prefix(dir.path()).unwrap().to_string_lossy().into_owned();
                unpacked.push((name, std::fs::read(&f).unwrap()));
            }
        }
    }
    unpacked.sort();
    let mut got = rogers_rows(&telaudit_parse::read_bill_files(unpacked).unwrap());
    let zips = [
        "test_GPRS.zip",
        "test_GPRS_RM.zip",
        "test_SMS.zip",
        "test_Voice.zip",
        "test_Voice_RM.zip",
    ];
    let mut want = rogers_rows(&alone("rogers", &zips).unwrap());
    got.sort();
    want.sort();
    assert_eq!(got.len(), 15);
    assert_eq!(got, want);
}

#[test]
fn bell_call_detail_defers_to_the_mob_usage_of_the_same_line() {
    // The DTL's first call moved onto the MOB's line mobile-1 of the same account and
    // invoice date: the MOB's usage columns already carry mobile-1's minutes (1,053),
    // so the DTL's 1:00 is not added (the charge rows win); its other call, of an
    // account with no bill here, is set aside.
    let Some(dir) = client_of("bell") else { return };
    let path = dir.path().join("invoices/double_header_DTL.csv");
    let bytes = std::fs::read(&path).unwrap();
    let text: String = bytes.iter().map(|&b| char::from(b)).collect();
    let text = text
        .replacen("\"test-value-1 \"", "\"test-account \"", 1)
        .replacen("\"test-value-3\"", "\"mobile-1\"", 1);
    std::fs::write(&path, text.chars().map(|c| c as u32 as u8).collect::<Vec<u8>>()).unwrap();
    let dump = telaudit_parse::read_client(dir.path()).unwrap();
    assert!(dump.rejected.is_empty(), "{:#?}", dump.rejected);
    let minutes: Vec<(&str, Option<Micros>)> = dump
        .rows
        .iter()
        .filter(|r| dump.s(r.usage_unit) == "min")
        .map(|r| (dump.s(r.service), r.usage_quantity))
        .collect();
    assert_eq!(
        minutes,
        [("mobile-1", Some(m("1053"))), ("mobile-2", Some(m("707")))]
    );
    assert_eq!(
        set_aside(&dump),
        [(
            "invoices/double_header_DTL.csv",
            "account test-value-2, the period 2023-01-01 to 2023-01-31"
        )]
    );
    assert!(dump
        .warnings
        .iter()
        .any(|w| w.file == "invoices/double_header_DTL.csv"
            && w.message
                .starts_with("1 usage row(s) of this call detail not counted: the charge rows carry")));
}
