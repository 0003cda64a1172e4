//! Usage from call detail end to end, through the `telaudit` binary, on a Rogers
//! client written from scratch (tests/fixtures/rogers-client): three months of the
//! Custom charges report and of GPRS, SMS and Voice call detail (a roaming Voice
//! export in March), each data file with its header file beside it.
//!
//! Account 900100200 bills four lines each period (Custom, HST 13%): 4165550101
//! (A) 40.00 - 5.00 + 4.55 = 39.55; 4165550102 (B) and 4165550103 (C) 40.00 + 15.00
//! data + 7.15 = 62.15 (C's March 10.00 data overage more: 73.45); 4165550104 (D)
//! 40.00 + 5.20 = 45.20. Billed 3 x 209.05 + 11.30 = 638.45.
//!
//! - A is in every month's call detail: used.
//! - B is in no call detail at all: every export of its account measures it at
//!   zero, so UNU001 finds it (55.00 a month: its plan and data fee).
//! - C's data comes from the carrier's usage summary (a canonical CSV: 2.5, 3.1,
//!   4.25 GB): its GPRS records (1 GB in January, 2 GB in March) are not added;
//!   it made a 10-minute call in February.
//! - D is only in March's roaming voice export (12 minutes): used.

mod common;

use common::*;
use std::path::{Path, PathBuf};

/// A copy of the fixture client in `parent` (so a test can damage it).
fn rogers_client(parent: &Path) -> PathBuf {
    let c = parent.join("rogers-client");
    copy_tree(&fixture("rogers-client"), &c);
    c
}

fn audit(client: &Path, out: &Path) -> (i32, serde_json::Value, String) {
    let o = run_audit(client, out, &["-q"]);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap_or_default();
    (code(&o), read_json(&out.join("report.json")), md)
}

fn findings(out: &Path) -> Vec<String> {
    std::fs::read_to_string(out.join("findings.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect()
}

#[test]
fn an_idle_rogers_line_is_found_from_its_call_detail() {
    let tmp = tempfile::tempdir().unwrap();
    let c = rogers_client(tmp.path());
    let out = tmp.path().join("out");
    let (code, report, md) = audit(&c, &out);
    assert_eq!(code, 0, "{report}");
    // 34 Custom charges (11 a month, 12 in March), C's 3 usage-summary rows and 33
    // usage rows from call detail (10 rows listed, 23 lines measured at zero).
    assert_eq!(report["input"]["rows"], 70);
    assert_eq!(report["input"]["billed_total"], "638.45");
    assert_eq!(report["input"]["rejected_rows"], 0);
    assert_eq!(report["input"]["files"], 12);
    assert_eq!(report["input"]["skipped_files"], 0);
    assert_eq!(by_rule(&report)["UNU001"], figures(1, "0.00", "55.00"));
    assert_eq!(report["totals"]["monthly"], "55.00");
    let f = findings(&out);
    assert_eq!(f.len(), 1, "{f:?}");
    let unu = &f[0];
    assert!(unu.starts_with(
        "UNU001,medium,Rogers,900100200,4165550102,900100200-01202025;900100200-02202025;900100200-03202025,\
         2024-12-21,2025-02-21,no usage in the last 3 periods (no use anywhere in the bills); recurring 55.00 a month,0.00,55.00,"
    ), "{unu}");
    // Its evidence: the nine home exports that do not list it (whole files: no line
    // of them is its) and the Custom row of its latest period.
    assert!(
        unu.contains(
            "invoices/rogers/2025-01/gprs/ALL_CALLS-GPRS.txt;invoices/rogers/2025-01/sms/ALL_CALLS-SMS.txt;"
        ),
        "{unu}"
    );
    assert!(unu.contains(";invoices/rogers/ALL_CALLS-Custom.txt:13,"), "{unu}");
    assert!(
        !unu.contains("voice-rm"),
        "a roaming export measures no line at zero: {unu}"
    );
    // The call detail is named as read for usage, with its records.
    assert!(
        md.contains("- Call detail read for usage (no money): 10 file(s), 17 records"),
        "{md}"
    );
    assert!(md.contains(
        "- invoices/rogers/2025-03/voice-rm/ALL\\_CALLS-VoiceRM.txt (columns from \
         invoices/rogers/2025-03/voice-rm/Header-Voice.txt): 1 records read for usage (voice), 1 usage row(s)"
    ), "{md}");
    // C's data: the charge rows win, the GPRS rows of January and March are not added.
    for month in ["2025-01", "2025-03"] {
        let want = format!(
            "- Warning, invoices/rogers/{month}/gprs/ALL\\_CALLS-GPRS.txt: 1 usage row(s) of this call detail \
             not counted: the charge rows carry the same kind of usage"
        );
        assert!(md.contains(&want), "{want}\n{md}");
    }
}

#[test]
fn convert_prints_the_usage_rows_of_call_detail() {
    let c = fixture("rogers-client/invoices/rogers/2025-01/gprs/ALL_CALLS-GPRS.txt");
    let o = run(&["convert", c.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let csv = String::from_utf8(o.stdout).unwrap();
    // A: 524,288 + 262,144 KB = 0.75 GB; C: 1,048,576 KB = 1 GB (alone, the file
    // knows no charge rows to defer to), in the invoice its records name.
    assert_eq!(
        csv.lines().skip(1).collect::<Vec<_>>(),
        [
            "Rogers,900100200,2025011234,2025-01-20,2024-12-21,2025-01-20,4165550101,usage,,\"Call detail: data, 2 records\",1,,0,0.75,GB",
            "Rogers,900100200,2025011234,2025-01-20,2024-12-21,2025-01-20,4165550103,usage,,\"Call detail: data, 1 record\",1,,0,1,GB",
        ]
    );
}

#[test]
fn call_detail_that_cannot_be_read_refuses_or_warns_and_loses_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let c = rogers_client(tmp.path());
    let inv = c.join("invoices/rogers");
    // January's SMS without its header file: refused, naming both.
    std::fs::remove_file(inv.join("2025-01/sms/Header-SMS.txt")).unwrap();
    // March's GPRS: a record of B whose Volume (KB) is not a number.
    let gprs = inv.join("2025-03/gprs/ALL_CALLS-GPRS.txt");
    let mut text = std::fs::read(&gprs).unwrap();
    text.extend_from_slice(b"900100200|2025031234|Ben Bishop|4165550102|03092025|12x|0|0|\r\n");
    std::fs::write(&gprs, text).unwrap();
    let out = tmp.path().join("out");
    let (code, report, md) = audit(&c, &out);
    // A refused file: exit 1; nothing else is lost (no charge row refused).
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["input"]["rejected_rows"], 0);
    assert_eq!(report["input"]["billed_total"], "638.45");
    let rejected = std::fs::read_to_string(out.join("rejected.csv")).unwrap();
    assert!(rejected.contains(
        "invoices/rogers/2025-01/sms/ALL_CALLS-SMS.txt,,\"no header file beside it: the column names of this call \
         detail are in a file named Header-*.txt in the same folder or archive, and there is none; not read\""
    ), "{rejected}");
    // The record that cannot be read is a warning on its line; B then counts as not
    // measured for data in March, so UNU001 does not call it unused.
    assert!(md.contains(
        "- Warning, invoices/rogers/2025-03/gprs/ALL\\_CALLS-GPRS.txt:4: call-detail record not read: Volume (KB): \
         \"12x\" is not an amount"
    ), "{md}");
    assert!(
        md.contains("line 4165550102 counts as not measured for data in the period 2025-02-21 to 2025-03-20"),
        "{md}"
    );
    assert_eq!(by_rule(&report)["UNU001"], figures(0, "0.00", "0.00"));
    // Without the damaged record, January's SMS is still refused: no export measures
    // the account's messages in January, and B's use there is known from call detail
    // alone, so B is not measured in January and is still not judged unused.
    let text = std::fs::read_to_string(&gprs).unwrap();
    std::fs::write(
        &gprs,
        text.lines()
            .take(3)
            .map(|l| format!("{l}\r\n"))
            .collect::<String>(),
    )
    .unwrap();
    let (code, report, _) = audit(&c, &tmp.path().join("out2"));
    assert_eq!(code, 1);
    assert_eq!(by_rule(&report)["UNU001"], figures(0, "0.00", "0.00"));
    // With January's SMS header file back, every kind is measured in every month:
    // B is found again.
    std::fs::copy(
        fixture("rogers-client/invoices/rogers/2025-01/sms/Header-SMS.txt"),
        inv.join("2025-01/sms/Header-SMS.txt"),
    )
    .unwrap();
    let (code, report, _) = audit(&c, &tmp.path().join("out3"));
    assert_eq!(code, 0, "{report}");
    assert_eq!(by_rule(&report)["UNU001"], figures(1, "0.00", "55.00"));
}

#[test]
fn an_oversized_plan_is_found_from_call_detail_in_the_plans_unit() {
    // Rogers lines E and F billed in canonical CSV on plan RBIZ20 (75.00, 20,480 MB),
    // their data measured only by GPRS call detail. plans.csv counts data in MB, so
    // the call detail is written in MB: E used 1,024, 1,536 and 2,048 MB, so RBIZ5
    // (45.00, 5,120 MB) costs 45.00 in each month: 30.00 a month saved. F used 25,600
    // MB in January: RBIZ5 would cost 45.00 + 0.02 x 20,480 = 454.60 there, so no.
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("rogers-plans");
    let inv = c.join("invoices");
    std::fs::create_dir_all(&inv).unwrap();
    let months = [
        (
            "2025-01-20",
            "2024-12-21",
            "01202025",
            "12/21/2024 - 01/20/2025",
            ["1048576", "26214400"],
        ),
        (
            "2025-02-20",
            "2025-01-21",
            "02202025",
            "01/21/2025 - 02/20/2025",
            ["1572864", "1048576"],
        ),
        (
            "2025-03-20",
            "2025-02-21",
            "03202025",
            "02/21/2025 - 03/20/2025",
            ["2097152", "1048576"],
        ),
    ];
    let mut csv = format!("{HEADER}\n");
    for (i, (end, start, mmddyyyy, title, kb)) in months.iter().enumerate() {
        for line in ["6135550105", "6135550106"] {
            csv.push_str(&format!(
                "Rogers,800200,800200-{mmddyyyy},{end},{start},{end},{line},recurring,RBIZ20,Business 20 GB,1,,75.00,,\n"
            ));
        }
        let dir = inv.join(format!("gprs-{}", i + 1));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("Header-GPRS.txt"),
            format!("GPRS Type : {title}\r\n\r\nBAN,9,Text\r\nUser Number,15,Text\r\nVolume (KB),10,Text\r\nRoaming Indicator,1,Text\r\n"),
        )
        .unwrap();
        std::fs::write(
            dir.join("ALL_CALLS-GPRS.txt"),
            format!("800200|6135550105|{}|\r\n800200|6135550106|{}|\r\n", kb[0], kb[1]),
        )
        .unwrap();
    }
    std::fs::write(inv.join("charges.csv"), csv).unwrap();
    std::fs::write(
        c.join("plans.csv"),
        "kind,carrier,code,name,monthly,allowance,usage_unit,overage_rate\n\
         plan,Rogers,RBIZ20,Business 20 GB,75.00,20480,MB,0.01\n\
         plan,Rogers,RBIZ5,Business 5 GB,45.00,5120,MB,0.02\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let (code, report, _) = audit(&c, &out);
    assert_eq!(code, 0, "{report}");
    assert_eq!(by_rule(&report)["PLN001"], figures(1, "0.00", "30.00"));
    assert_eq!(by_rule(&report)["UNU001"], figures(0, "0.00", "0.00"));
    let f = findings(&out);
    let pln: Vec<&String> = f.iter().filter(|l| l.starts_with("PLN001,")).collect();
    assert_eq!(pln.len(), 1, "{f:?}");
    assert!(pln[0].contains(",6135550105,"), "{}", pln[0]);
    assert!(
        pln[0].contains("(1024, 1536, 2048 MB used in the last 3 periods)"),
        "{}",
        pln[0]
    );
    assert!(
        pln[0].contains("invoices/gprs-3/ALL_CALLS-GPRS.txt:1"),
        "{}",
        pln[0]
    );
}

/// A Verizon account (111) over three cycles (June to August 2021): a phone
/// 5551000001 (Phone plan, 45.00) that makes a 2-minute call every month, a phone
/// 5551000003 (45.00) that makes none, and a Mobile Hotspot 5551000002 (HOT50,
/// 60.00), each with a recurring charge and no usage row; a Wireless Usage Detail a
/// month lists the first phone's call. `hotspot_data_rows`: the charge rows also
/// carry the hotspot's data, 0 GB a month.
fn verizon_client(dir: &Path, hotspot_data_rows: bool) {
    let inv = dir.join("invoices");
    std::fs::create_dir_all(&inv).unwrap();
    let months = [
        ("06", "2021-05-17", "2021-06-16", "Jun 16, 2021"),
        ("07", "2021-06-17", "2021-07-16", "Jul 16, 2021"),
        ("08", "2021-07-17", "2021-08-16", "Aug 16, 2021"),
    ];
    let mut csv = format!("{HEADER}\n");
    let head = "ECPD Profile ID\tBill Cycle Date\tAccount Number\tInvoice Number\tWireless Number\tUser Name\t\
                Usage Category\tAccount Authorization Code\tDate\tTime\tNumber\tRate\tUsage Type\tDescription\t\
                Origination\tDestination\tIntl. Call Type\tMin\tCharge\tLong Dist./Other Charges\tTotal\r\n";
    for (m, start, end, cycle) in months {
        let row = |line: &str, rest: &str| {
            format!("Verizon Wireless,111,INV{m},{end},{start},{end},{line},{rest}\n")
        };
        csv.push_str(&row("5551000001", "recurring,PHN,Phone plan,1,,45.00,,"));
        csv.push_str(&row(
            "5551000002",
            "recurring,HOT50,Mobile Hotspot 50GB,1,,60.00,,",
        ));
        csv.push_str(&row("5551000003", "recurring,PHN,Phone plan,1,,45.00,,"));
        if hotspot_data_rows {
            csv.push_str(&row("5551000002", "usage,DATA,Data used,1,,0,0,GB"));
        }
        let call = format!(
            "\t{cycle}\t111\tINV{m}\t5551000001\tPat\tVoice\t\t07/21\t7:15A\t\tPeak\tPlanAllow\t \tX\tY\t\t2\t0.00\t0.00\t0.00\r\n"
        );
        std::fs::write(inv.join(format!("usage-{m}.txt")), format!("{head}{call}")).unwrap();
    }
    std::fs::write(inv.join("charges.csv"), csv).unwrap();
}

#[test]
fn a_data_device_that_voice_only_call_detail_lists_at_zero_is_never_unused() {
    // Verizon's Wireless Usage Detail has no data column: it measures the account's
    // voice only. The hotspot and the silent phone are listed at 0 minutes, but
    // their data was never measured (no charge row carries their usage), so UNU001
    // finds neither, and changes/ asks no suspension.
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("verizon");
    verizon_client(&c, false);
    let out = tmp.path().join("out");
    let (code, report, _) = audit(&c, &out);
    assert_eq!(code, 0, "{report}");
    // 9 charges; 9 usage rows from call detail (3 calls, 6 lines at 0 minutes).
    assert_eq!(report["input"]["rows"], 18);
    assert_eq!(report["input"]["billed_total"], "450.00");
    assert_eq!(by_rule(&report)["UNU001"], figures(0, "0.00", "0.00"));
    assert_eq!(report["totals"]["monthly"], "0.00");
    assert!(findings(&out).is_empty(), "{:?}", findings(&out));
    assert!(!out.join("changes/Verizon Wireless.csv").exists());
    // When the charge rows measure the hotspot's data (0 GB each month), its use is
    // measured by its own bill: no use in the last 3 periods, 60.00 a month. The
    // silent phone is still not judged.
    let c2 = tmp.path().join("verizon2");
    verizon_client(&c2, true);
    let out2 = tmp.path().join("out2");
    let (code, report, _) = audit(&c2, &out2);
    assert_eq!(code, 0, "{report}");
    assert_eq!(by_rule(&report)["UNU001"], figures(1, "0.00", "60.00"));
    let f = findings(&out2);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].starts_with("UNU001,medium,Verizon Wireless,111,5551000002,INV06;INV07;INV08,"),
        "{}",
        f[0]
    );
}

#[test]
fn call_detail_for_a_month_with_no_bill_changes_no_figure() {
    // The Rogers fixture, plus a GPRS export of April (02/21 - 03/20 moved a month
    // on: 03/21/2025 - 04/20/2025) that arrived before April's bill, and a
    // contracts.csv: an account-level credit LOYAL of 3.00 from 2025-03-21 (April
    // only) and a credit CR2 of 2.00 for D (4165550104) from 2025-02-21 (March).
    // April is no billed period: the export is set aside with a warning naming it,
    // the account and the period; the as-of date stays 2025-03-20, LOYAL owes
    // nothing, D's March credit is missing (2.00, monthly 2.00: March is still the
    // latest period) and B is still found (55.00 a month).
    let tmp = tempfile::tempdir().unwrap();
    let c = rogers_client(tmp.path());
    let inv = c.join("invoices/rogers");
    let (mar, apr) = (inv.join("2025-03/gprs"), inv.join("2025-04/gprs"));
    std::fs::create_dir_all(&apr).unwrap();
    let header = std::fs::read_to_string(mar.join("Header-GPRS.txt")).unwrap();
    std::fs::write(
        apr.join("Header-GPRS.txt"),
        header.replace("02/21/2025 - 03/20/2025", "03/21/2025 - 04/20/2025"),
    )
    .unwrap();
    let data = std::fs::read_to_string(mar.join("ALL_CALLS-GPRS.txt")).unwrap();
    std::fs::write(
        apr.join("ALL_CALLS-GPRS.txt"),
        data.replace("|2025031234|", "|2025041234|")
            .replace("|0301", "|0401")
            .replace("|031", "|041"),
    )
    .unwrap();
    std::fs::write(
        c.join("contracts.csv"),
        "kind,carrier,account,service_id,charge_code,amount,effective_from,effective_to\n\
         credit,Rogers,900100200,,LOYAL,3.00,2025-03-21,\n\
         credit,Rogers,900100200,4165550104,CR2,2.00,2025-02-21,\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let (code, report, md) = audit(&c, &out);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["as_of"], "2025-03-20");
    assert_eq!(report["input"]["rows"], 70);
    assert_eq!(report["input"]["billed_total"], "638.45");
    assert_eq!(report["input"]["files"], 13);
    assert_eq!(by_rule(&report)["UNU001"], figures(1, "0.00", "55.00"));
    assert_eq!(by_rule(&report)["CRD001"], figures(1, "2.00", "2.00"));
    assert_eq!(report["totals"]["recoverable"], "2.00");
    assert_eq!(report["totals"]["monthly"], "57.00");
    assert!(md.contains(
        "- Warning, invoices/rogers/2025-04/gprs/ALL\\_CALLS-GPRS.txt: 2 usage row(s) of this call detail not \
         counted: no bill of their account is read for that period (account 900100200, the period 2025-03-21 to \
         2025-04-20)"
    ), "{md}");
    let f = findings(&out);
    let crd: Vec<&String> = f.iter().filter(|l| l.starts_with("CRD001,")).collect();
    assert_eq!(crd.len(), 1, "{f:?}");
    assert!(
        crd[0].contains(",4165550104,900100200-03202025,2025-02-21,2025-02-21,"),
        "{}",
        crd[0]
    );
}

#[test]
fn a_line_only_call_detail_lists_is_not_billed_for_a_contract_credit() {
    // E (4165550199) is in March's GPRS export of the Rogers fixture but on no bill:
    // its usage row is kept (the account is billed in March), yet a credit contract
    // for E owes nothing, as E was not billed. A credit for A (4165550101, billed)
    // is owed and missing in March: 4.00.
    let tmp = tempfile::tempdir().unwrap();
    let c = rogers_client(tmp.path());
    let gprs = c.join("invoices/rogers/2025-03/gprs/ALL_CALLS-GPRS.txt");
    let mut text = std::fs::read_to_string(&gprs).unwrap();
    text.push_str("900100200|2025031234|Eve East|4165550199|03172025|1024|0|0|\r\n");
    std::fs::write(&gprs, text).unwrap();
    std::fs::write(
        c.join("contracts.csv"),
        "kind,carrier,account,service_id,charge_code,amount,effective_from,effective_to\n\
         credit,Rogers,900100200,4165550199,CR4,4.00,2025-02-21,\n\
         credit,Rogers,900100200,4165550101,CR4,4.00,2025-02-21,\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let (code, report, _) = audit(&c, &out);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["input"]["rows"], 71);
    assert_eq!(by_rule(&report)["CRD001"], figures(1, "4.00", "4.00"));
    let f = findings(&out);
    let crd: Vec<&String> = f.iter().filter(|l| l.starts_with("CRD001,")).collect();
    assert_eq!(crd.len(), 1, "{f:?}");
    assert!(crd[0].contains(",4165550101,"), "{}", crd[0]);
}

/// Three AT&T lines on a pool plan of 50 GB a line written in MB in plans.csv
/// (`kind`: `pool`, or `plan` for the same catalogue as per-line plans), their
/// data measured only by ENC1 call detail (with a call each): 1,024 + 2,048 +
/// 3,072 = 6,144 MB in January, 7,680 in February, 9,216 in March.
fn att_pool_client(dir: &Path, kind: &str) {
    let inv = dir.join("invoices");
    std::fs::create_dir_all(&inv).unwrap();
    let months = [
        ("2025-01-02", "2024-12-03", "01/02/2025"),
        ("2025-02-02", "2025-01-03", "02/02/2025"),
        ("2025-03-02", "2025-02-03", "03/02/2025"),
    ];
    let lines = ["5550000001", "5550000002", "5550000003"];
    let head = "\"Foundation account\",\"Account number\",\"Wireless number\",\"Market cycle end date\",\
                \"Roam home intl. description\",\"Date\",\"Time\",\"Rate code\",\"Rating period\",\
                \"Charge description\",\"Originating city/state\",\"Called city/state\",\"Dialed number\",\
                \"In/out\",\"Feature used\",\"Minutes usage\",\"KB usage\",\"Total number of events\",\
                \"MSG sent to\",\"MSG received from\",\"Total charges\",\"Source\",\
                \"International call indicator\",\"LD charges\"\n";
    let mut csv = format!("{HEADER}\n");
    for (i, (end, start, mdy)) in months.iter().enumerate() {
        let mut enc1 = head.to_string();
        for (j, l) in lines.iter().enumerate() {
            csv.push_str(&format!(
                "AT&T Mobility,555000001,INV-{end},{end},{start},{end},{l},recurring,POOL50,Pool 50 GB,1,,75.00,,\n"
            ));
            let kb = 1_048_576 * (j + 1) + i * 524_288;
            enc1.push_str(&format!(
                "0111111,555000001,{l},{mdy},HOME,{mdy},11:42,MS7G,DT,X,\"Dallas, TX\",\"X,MD\",240-780-6053,Out,,3,0,0,,,$0.00,Voice,0,$0.00\n\
                 0111111,555000001,{l},{mdy},Home,{mdy},17:12,MS7G,AT,KB,\"National, TX\",,,,GPRR,0,{kb},0,,,$0.00,Data,,$0.00\n"
            ));
        }
        std::fs::write(inv.join(format!("ENC1 Detail {}.csv", i + 1)), enc1).unwrap();
    }
    std::fs::write(inv.join("charges.csv"), csv).unwrap();
    std::fs::write(
        dir.join("plans.csv"),
        format!(
            "kind,carrier,code,name,monthly,allowance,usage_unit,overage_rate\n\
             {kind},AT&T Mobility,POOL50,Pool 50 GB,75.00,51200,MB,0.01\n\
             {kind},AT&T Mobility,POOL5,Pool 5 GB,45.00,5120,MB,0.02\n"
        ),
    )
    .unwrap();
}

#[test]
fn a_pool_plan_in_mb_steers_the_unit_of_call_detail() {
    // The pool of 3 lines pools 153,600 MB and costs 225.00; POOL5 would pool 15,360
    // MB for 135.00, more than the 9,216 MB of the busiest month: 90.00 a month
    // saved, 30.00 on each line's plan row. The call detail is written in MB, the
    // pool's unit.
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("att-pool");
    att_pool_client(&c, "pool");
    let out = tmp.path().join("out");
    let (code, report, _) = audit(&c, &out);
    assert_eq!(code, 0, "{report}");
    assert_eq!(by_rule(&report)["POL001"], figures(1, "0.00", "90.00"));
    assert_eq!(by_rule(&report)["PLN001"], figures(0, "0.00", "0.00"));
    let f = findings(&out);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].contains("pool of 3 services on POOL50 (Pool 50 GB), 153600 MB pooled, used 6144, 7680, 9216 MB in the last 3 periods"),
        "{}",
        f[0]
    );
    let changes = std::fs::read_to_string(out.join("changes/AT&T Mobility.csv")).unwrap();
    assert_eq!(
        changes
            .lines()
            .filter(|l| l.contains(",downgrade,POL001,POOL50 (Pool 50 GB),POOL5 (Pool 5 GB),30.00,"))
            .count(),
        3,
        "{changes}"
    );
    // The same catalogue as per-line plans: PLN001 finds each line, 30.00 a month.
    let c = tmp.path().join("att-plan");
    att_pool_client(&c, "plan");
    let (code, report, _) = audit(&c, &tmp.path().join("out2"));
    assert_eq!(code, 0, "{report}");
    assert_eq!(by_rule(&report)["PLN001"], figures(3, "0.00", "90.00"));
    assert_eq!(by_rule(&report)["POL001"], figures(0, "0.00", "0.00"));
}

/// Review of issue 24's round 3: call detail measures every line of the account
/// absent from an export at zero, and those rows share the export's place. A
/// pool's change line on each such line cites the exports that measured it; the
/// place was kept for one of the lines only (a map of one service per place).
#[test]
fn every_pooled_line_an_export_measures_at_zero_cites_that_export() {
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("att-pool");
    att_pool_client(&c, "pool");
    // Only 5550000001's records stay in the exports: 5550000002 and 5550000003
    // are measured at zero by each of them.
    for i in 1..=3 {
        let p = c.join(format!("invoices/ENC1 Detail {i}.csv"));
        let text = std::fs::read_to_string(&p).unwrap();
        let kept: Vec<&str> = text
            .lines()
            .enumerate()
            .filter(|(n, l)| *n == 0 || l.contains(",5550000001,"))
            .map(|(_, l)| l)
            .collect();
        std::fs::write(&p, kept.join("\n") + "\n").unwrap();
    }
    let out = tmp.path().join("out");
    let (code, report, _) = audit(&c, &out);
    assert_eq!(code, 0, "{report}");
    // 1,024 + 1,536 + 2,048 MB in the three months: POOL5's 15,360 MB suffice.
    assert_eq!(by_rule(&report)["POL001"], figures(1, "0.00", "90.00"));
    let changes = std::fs::read_to_string(out.join("changes/AT&T Mobility.csv")).unwrap();
    for line in ["5550000002", "5550000003"] {
        let row = changes
            .lines()
            .find(|l| l.contains(&format!(",{line},downgrade,POL001,")))
            .unwrap_or_else(|| panic!("no change line for {line}: {changes}"));
        for i in 1..=3 {
            assert!(
                row.contains(&format!("invoices/ENC1 Detail {i}.csv")),
                "{line} does not cite export {i}: {row}"
            );
        }
    }
}

#[test]
fn a_missing_credit_is_named_and_dated_by_its_bills_not_by_call_detail() {
    // Account 700100's February cycle is billed on two invoices, R-1 (L1, dated 15
    // February) and R-2 (L2, 16 February); account 700200's March bill (R-9, 18
    // March) makes the as-of date 2025-03-18. A GPRS export lists L9 of 700100 in
    // February, on no bill: its row keeps its own invoice INV-1, dated on the period
    // end (20 February). The account-level credit LOYAL (5.00) is missing in
    // February: the bills name the period's invoices and date it (16
    // February), not the call detail.
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("two-invoices");
    let g = c.join("invoices/g");
    std::fs::create_dir_all(&g).unwrap();
    std::fs::write(
        c.join("invoices/charges.csv"),
        format!(
            "{HEADER}\n\
             Rogers,700100,R-1,2025-02-15,2025-01-21,2025-02-20,L1,recurring,PLAN,Plan,1,,40.00,,\n\
             Rogers,700100,R-2,2025-02-16,2025-01-21,2025-02-20,L2,recurring,PLAN,Plan,1,,40.00,,\n\
             Rogers,700200,R-9,2025-03-18,2025-02-21,2025-03-20,L7,recurring,PLAN,Plan,1,,40.00,,\n"
        ),
    )
    .unwrap();
    std::fs::write(
        g.join("Header-GPRS.txt"),
        "GPRS Type : 01/21/2025 - 02/20/2025\r\n\r\nBAN,9,Text\r\nInvoice No.,10,Text\r\nUser Number,15,Text\r\n\
         Date,8,Date\r\nVolume (KB),10,Text\r\nTotal Call Charges,12,Currency\r\nRoaming Indicator,1,Text\r\n\
         Roaming Type Indicator,1,Text\r\n",
    )
    .unwrap();
    std::fs::write(
        g.join("ALL_CALLS-GPRS.txt"),
        "700100|INV-1|L9|02032025|1024|0|0|\r\n",
    )
    .unwrap();
    std::fs::write(
        c.join("contracts.csv"),
        "kind,carrier,account,service_id,charge_code,amount,effective_from,effective_to\n\
         credit,Rogers,700100,,LOYAL,5.00,,\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let (code, report, _) = audit(&c, &out);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["as_of"], "2025-03-18");
    assert_eq!(by_rule(&report)["CRD001"], figures(1, "5.00", "5.00"));
    let f = findings(&out);
    assert!(
        f[0].starts_with(
            "CRD001,high,Rogers,700100,,R-1;R-2,2025-01-21,2025-01-21,\"contract account credit LOYAL of \
                          5.00 a period missing (no credit row on invoices R-1, R-2)"
        ),
        "{f:?}"
    );
    let letter = std::fs::read_to_string(out.join("disputes/Rogers/700100.csv")).unwrap();
    assert!(
        letter.contains("\nRogers,700100,R-1;R-2,,2025-01-21,,,LOYAL,\"credit owed, not given\","),
        "{letter}"
    );
    // A window of 29 days before 2025-03-18 starts on 17 February: the credit of 16
    // February has expired (dated by the call detail's 20 February it would not have).
    std::fs::write(c.join("client.toml"), "[disputes]\nwindow_days = 29\n").unwrap();
    let (code, report, _) = audit(&c, &tmp.path().join("out2"));
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["totals"]["recoverable"], "0.00");
    assert_eq!(report["totals"]["expired"], "5.00");
}
