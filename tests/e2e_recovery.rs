//! End-to-end: the ledger of filed claims (claims.csv, docs/recovery.md) through
//! the binary: the sample's every case, refused ledger rows, claim ids that look
//! like formulas or markup, the round trip through disputes/new-claims.csv, the
//! batch fingerprint, and a batch run twice whose history shows recovery growing.

mod common;

use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// The canonical charge CSV of `rows` (each a CSV line without the header).
fn bill(rows: &[&str]) -> String {
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

const CLAIMS: &str = "claim_id,carrier,account,service_id,finding_key,filed_on,amount,status,note";

/// A client folder: one bill file and, when given, claims.csv and client.toml.
fn client(dir: &Path, rows: &[&str], claims: Option<&[&str]>, toml: Option<&str>) {
    fs::create_dir_all(dir.join("invoices")).unwrap();
    fs::write(dir.join("invoices/bill.csv"), bill(rows)).unwrap();
    if let Some(c) = claims {
        fs::write(dir.join("claims.csv"), format!("{CLAIMS}\n{}\n", c.join("\n"))).unwrap();
    }
    if let Some(t) = toml {
        fs::write(dir.join("client.toml"), t).unwrap();
    }
}

/// A CSV's rows as maps column -> value.
fn rows_of(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            h.iter()
                .zip(x.iter())
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn the_sample_exercises_every_case_of_the_matching() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let sample = root().join("sample-data/acme-health");
    let o = run_audit(&sample, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let claims = rows_of(&out.join("recovery/claims.csv"));
    let statuses: BTreeSet<&str> = claims.iter().map(|c| c["status"].as_str()).collect();
    assert_eq!(
        statuses,
        ["credited", "denied", "open", "overdue", "partial", "withdrawn"].into()
    );
    let by_id: BTreeMap<&str, &BTreeMap<String, String>> =
        claims.iter().map(|c| (c["claim_id"].as_str(), c)).collect();
    // Over-credited: 40.00 + 35.00 on a 60.00 claim; outstanding 0.
    let over = by_id["CB-771204"];
    assert_eq!(
        (over["recovered"].as_str(), over["outstanding"].as_str()),
        ("75.00", "0.00")
    );
    // A denied claim a credit names: recovered, nothing outstanding.
    let denied = by_id["LMN-DSP-88231"];
    assert_eq!(
        (denied["status"].as_str(), denied["recovered"].as_str()),
        ("denied", "40.00")
    );
    // The claim filed after the last bill is left out; the claim on an account
    // typed without its leading zeros is overdue (no bill can pay it).
    assert!(!by_id.contains_key("VZ-4491"));
    assert_eq!(by_id["LMN-DSP-88240"]["status"], "overdue");
    let credits = rows_of(&out.join("recovery/credits.csv"));
    let matched: BTreeSet<&str> = credits.iter().map(|c| c["matched"].as_str()).collect();
    assert_eq!(matched, ["ambiguous", "amount", "reference", "unmatched"].into());
    let described = |d: &str| credits.iter().find(|c| c["description"] == d);
    assert_eq!(
        described("Dispute credit").unwrap()["claim_id"],
        "VZ-4421;VZ-4422"
    );
    assert_eq!(
        described("Dispute credit ref VZ-44710").unwrap()["matched"],
        "unmatched"
    );
    // A credit dated before its claim's filing names it and pays nothing; the later one pays.
    let cb: Vec<&str> = credits
        .iter()
        .filter(|c| c["description"] == "Credit re CB-771203")
        .map(|c| c["matched"].as_str())
        .collect();
    assert_eq!(cb, ["unmatched", "reference"]);
    // A contract credit's code and a positive rebill are no credits at all.
    assert!(described("Credit re VZ-4455").is_none());
    assert!(described("Rebill re VZ-4421").is_none());
    // The bills do carry them.
    let bills: String = file_paths(&sample.join("invoices"))
        .iter()
        .map(|p| fs::read_to_string(p).unwrap())
        .collect();
    assert!(bills.contains(",credit,PROMO,Credit re VZ-4455,,,-75.00,,"));
    assert!(bills.contains(",adjustment,ADJ,Rebill re VZ-4421,,,88.00,,"));

    // Warnings: the late claim, and the account on no bill naming the billed one.
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("1 claim(s) filed after the as-of date 2025-12-19 are left out"),
        "{md}"
    );
    assert!(
        md.contains("account 40020264 of Lumen appears on no bill"),
        "{md}"
    );
    assert!(md.contains("the bills have account 0040020264"), "{md}");
    // The escalation list: overdue claims, oldest first (carrier on a tie).
    let section = &md[md.find("### Overdue claims").unwrap()..];
    let order: Vec<usize> = ["| VZ-4421 |", "| VZ-4422 |", "| LMN-DSP-88240 |", "| VZ-4455 |"]
        .iter()
        .map(|id| section.find(id).unwrap_or_else(|| panic!("{id}\n{section}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // The funding section says how much of the money found is back already.
    assert!(
        md.contains("| Of the money found, already recovered (credits on filed claims) | 626.57 |"),
        "{md}"
    );
    assert!(
        md.contains("| TEM fee due now (its share of the money recovered) | 187.97 |"),
        "{md}"
    );

    // Covered lines left the dispute files: DIS001's September and October on
    // 201-555-0136 (claimed by VZ-4471 on 2025-10-10); November and December stay.
    let vz = rows_of(&out.join("disputes/Verizon Wireless/0012361516.csv"));
    let periods: BTreeSet<&str> = vz
        .iter()
        .filter(|l| l["service_id"] == "201-555-0136" && l["rule"] == "DIS001")
        .map(|l| l["period_start"].as_str())
        .collect();
    assert_eq!(periods, ["2025-11-01", "2025-12-01"].into());
    assert!(vz.iter().all(|l| !l["finding_key"].is_empty()));
    // The account with claims only (its number typed without the zeros) gets a
    // follow-up letter and no CSV; a letter with new lines lists the open claims.
    let follow = fs::read_to_string(out.join("disputes/Lumen/40020264.md")).unwrap();
    assert!(
        follow.starts_with("# Claims awaiting your credit: account 40020264"),
        "{follow}"
    );
    assert!(follow.contains("| LMN-DSP-88240 | 2025-05-10 | 223 | 210.00 | 0.00 | 210.00 | overdue |"));
    assert!(!out.join("disputes/Lumen/40020264.csv").exists());
    let letter = fs::read_to_string(out.join("disputes/Verizon Wireless/0012353597.md")).unwrap();
    assert!(
        letter.contains("## Claims we filed earlier and that are still open"),
        "{letter}"
    );
    assert!(letter.contains("| VZ-4421 | 2025-04-10 | 253 | 88.00 | 0.00 | 88.00 | overdue |"));

    // findings.csv names the claims of each finding.
    let findings = rows_of(&out.join("findings.csv"));
    let f = findings
        .iter()
        .find(|f| f["finding_key"] == "DIS001|Verizon Wireless|0012361516|201-555-0136")
        .unwrap();
    assert_eq!(f["claim_id"], "VZ-4471");
    // disputes/new-claims.csv: one row per finding and account in the dispute
    // files; its amounts add up to what is not claimed yet (each rounded once).
    let report = read_json(&out.join("report.json"));
    let new_claims = rows_of(&out.join("disputes/new-claims.csv"));
    let sum: rust_decimal::Decimal = new_claims
        .iter()
        .map(|r| r["amount"].parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    let unclaimed: rust_decimal::Decimal = report["recovery"]["unclaimed"].as_str().unwrap().parse().unwrap();
    assert!(
        (sum - unclaimed).abs() <= rust_decimal::Decimal::new(new_claims.len() as i64, 2),
        "{sum} vs {unclaimed}"
    );
    assert!(new_claims
        .iter()
        .all(|r| r["claim_id"].is_empty() && r["filed_on"].is_empty() && !r["finding_key"].is_empty()));
}

/// Two bills of 50.00 for a disconnected line (February and March) and the
/// inventory line saying so: DIS001 finds 100.00.
fn disconnected_client(dir: &Path) {
    client(
        dir,
        &[
            "Verizon,0042,INV-2,2025-02-05,2025-02-01,2025-02-28,S1,recurring,PLAN,Plan,1,50,50.00,,",
            "Verizon,0042,INV-3,2025-03-05,2025-03-01,2025-03-31,S1,recurring,PLAN,Plan,1,50,50.00,,",
        ],
        None,
        None,
    );
    fs::write(
        dir.join("inventory.csv"),
        "service_id,carrier,account,status,disconnect_date,cost_center,owner\nS1,Verizon,0042,disconnected,2025-01-15,,\n",
    )
    .unwrap();
}

#[test]
fn bad_ledger_rows_are_refused_each_on_its_own_and_the_others_count() {
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("acme");
    disconnected_client(&c);
    fs::write(
        c.join("claims.csv"),
        format!(
            "{CLAIMS}\n\
             A-1,Verizon,0042,,,2025-02-10,30.00,,\n\
             a-1,Verizon,0042,,,2025-02-11,30.00,,\n\
             A-2,Verizon,0042,,,2025-02-10,-5,,\n\
             A-3,Verizon,0042,,,2025-02-30,5.00,,\n\
             A-4,Verizon,0042,,,2025-02-10,5.00,paid,\n\
             A-5,,0042,,,2025-02-10,5.00,,\n\
             A-6,Verizon,0042,S1,DIS001|Verizon|0042|S1,2025-02-10,50.00,,\n"
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = run_audit(&c, &out, &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("5 input record(s) refused"), "{}", stderr(&o));
    let rejected = rows_of(&out.join("rejected.csv"));
    let lines: Vec<(&str, &str)> = rejected
        .iter()
        .map(|r| (r["line"].as_str(), r["reason"].as_str()))
        .collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert!(rejected.iter().all(|r| r["file"] == "claims.csv"));
    assert!(
        lines[0]
            .1
            .starts_with("claim_id \"a-1\" repeats the claim on line 2"),
        "{lines:?}"
    );
    assert_eq!(
        lines.iter().map(|l| l.0).collect::<Vec<_>>(),
        ["3", "4", "5", "6", "7"]
    );
    assert!(lines[1].1.contains("is not above 0"));
    assert!(lines[2].1.contains("no such calendar day"));
    assert!(lines[3].1.contains("unknown status \"paid\""));
    assert_eq!(lines[4].1, "carrier is empty (required)");
    // still count; A-6 covers February's line (filed after it).
    let r = read_json(&out.join("report.json"));
    assert_eq!(r["recovery"]["claims"], 2);
    assert_eq!(r["recovery"]["claimed"], "80.00");
    assert_eq!(r["recovery"]["covered"], "50.00");
    assert_eq!(r["recovery"]["unclaimed"], "50.00");
    assert_eq!(r["totals"]["recoverable"], "100.00");
    let lines = rows_of(&out.join("disputes/Verizon/0042.csv"));
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["period_start"], "2025-03-01");
    // The refused rows are not in the outputs.
    let ids: Vec<String> = rows_of(&out.join("recovery/claims.csv"))
        .iter()
        .map(|c| c["claim_id"].clone())
        .collect();
    assert_eq!(ids, ["A-1", "A-6"]);
}

#[test]
fn claim_ids_and_notes_are_text_not_formulas_and_escaped_in_html() {
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("acme");
    disconnected_client(&c);
    fs::write(
        c.join("claims.csv"),
        format!(
            "{CLAIMS}\n\"=HYPERLINK(\"\"http://x\"\")\",Verizon,0042,S1,DIS001|Verizon|0042|S1,2025-04-01,100.00,,<script>alert(1)</script>\n\
             +1-800,Verizon,0042,,,2025-04-01,77.00,,@SUM(1)\n"
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = run_audit(&c, &out, &["--as-of", "2025-06-30"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let claims = fs::read_to_string(out.join("recovery/claims.csv")).unwrap();
    assert!(claims.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{claims}");
    assert!(claims.contains("'+1-800,"), "{claims}");
    assert!(claims.contains(",'@SUM(1)\n"), "{claims}");
    let findings = fs::read_to_string(out.join("findings.csv")).unwrap();
    assert!(
        findings.contains(",\"'=HYPERLINK(\"\"http://x\"\")\",100.00,50.00,\n"),
        "{findings}"
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the note, escaped"
    );
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("=HYPERLINK(&quot;http://x&quot;)"));
    // Every line was claimed before the as-of date: only a follow-up letter, no CSV.
    let letter = fs::read_to_string(out.join("disputes/Verizon/0042.html")).unwrap();
    assert!(
        letter.contains("<h1>Claims awaiting your credit: account 0042</h1>"),
        "{letter}"
    );
    assert!(letter.contains("=HYPERLINK(&quot;http://x&quot;)"));
    assert!(!out.join("disputes/Verizon/0042.csv").exists());
    let r = read_json(&out.join("report.json"));
    assert_eq!(r["recovery"]["covered"], "100.00");
    assert_eq!(r["recovery"]["overdue"], 2);
}

#[test]
fn the_rows_of_new_claims_appended_to_claims_csv_cover_their_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("acme");
    disconnected_client(&c);
    let out = tmp.path().join("out");
    assert_eq!(code(&run_audit(&c, &out, &[])), 0);
    // Without a ledger: no recovery folder, no claim_id, new-claims.csv all the same.
    assert!(!out.join("recovery").exists());
    assert!(read_json(&out.join("report.json")).get("recovery").is_none());
    let new = fs::read_to_string(out.join("disputes/new-claims.csv")).unwrap();
    assert_eq!(
        new,
        format!("{CLAIMS}\n,Verizon,0042,S1,DIS001|Verizon|0042|S1,,100.00,,billed 2 periods after disconnect on 2025-01-15\n")
    );
    // The analyst files it on the report's date (the as-of date, 2025-03-05) and
    // appends the row with the carrier's ticket and that date.
    let row = new
        .lines()
        .nth(1)
        .unwrap()
        .replacen(',', "VZ-9001,", 1)
        .replace(",,100.00", ",2025-03-05,100.00");
    fs::write(c.join("claims.csv"), format!("{CLAIMS}\n{row}\n")).unwrap();
    let o = run_audit(&c, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = read_json(&out.join("report.json"));
    assert_eq!(r["totals"]["recoverable"], "100.00");
    assert_eq!(
        (
            r["recovery"]["covered"].as_str(),
            r["recovery"]["unclaimed"].as_str()
        ),
        (Some("100.00"), Some("0.00"))
    );
    // Nothing new to claim: no dispute CSV, a follow-up letter, an empty new-claims.csv.
    assert!(!out.join("disputes/Verizon/0042.csv").exists());
    assert!(out.join("disputes/Verizon/0042.md").exists());
    assert_eq!(
        fs::read_to_string(out.join("disputes/new-claims.csv")).unwrap(),
        format!("{CLAIMS}\n")
    );
    let claims = rows_of(&out.join("recovery/claims.csv"));
    assert_eq!(
        (claims[0]["claim_id"].as_str(), claims[0]["status"].as_str()),
        ("VZ-9001", "open")
    );
}

#[test]
fn response_days_must_be_a_whole_number_of_days() {
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("acme");
    disconnected_client(&c);
    fs::write(c.join("client.toml"), "[disputes]\nresponse_days = 0\n").unwrap();
    let o = run_audit(&c, &tmp.path().join("out"), &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("disputes.response_days = 0"),
        "{}",
        stderr(&o)
    );
}

#[cfg(unix)]
#[test]
fn a_claims_csv_linked_from_outside_the_client_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let c = tmp.path().join("acme");
    disconnected_client(&c);
    let other = tmp.path().join("other-claims.csv");
    fs::write(
        &other,
        format!("{CLAIMS}\nX-1,Verizon,0042,,,2025-02-10,5.00,,\n"),
    )
    .unwrap();
    std::os::unix::fs::symlink(&other, c.join("claims.csv")).unwrap();
    let out = tmp.path().join("out");
    let o = run_audit(&c, &out, &[]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let rejected = rows_of(&out.join("rejected.csv"));
    assert_eq!(rejected[0]["file"], "claims.csv");
    assert!(rejected[0]["reason"].contains("outside the client folder"));
    assert_eq!(read_json(&out.join("report.json"))["recovery"]["claims"], 0);
}

#[test]
fn a_batch_run_twice_shows_recovery_growing_in_the_history() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let c = root.join("acme");
    disconnected_client(&c);
    fs::write(
        c.join("claims.csv"),
        format!("{CLAIMS}\nVZ-9001,Verizon,0042,S1,DIS001|Verizon|0042|S1,2025-03-05,100.00,,\n"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = run_batch(&root, &out, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let history = |out: &Path| {
        let o = run(&["history", out.to_str().unwrap(), "--format", "csv"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let text = String::from_utf8(o.stdout).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let h = r.headers().unwrap().clone();
        let x = r.records().next().unwrap().unwrap();
        let cell = |n: &str| x[h.iter().position(|c| c == n).unwrap()].to_string();
        (cell("recovered"), cell("outstanding"), cell("recovered_change"))
    };
    assert_eq!(history(&out), ("0.00".into(), "100.00".into(), String::new()));
    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(
        summary.lines().nth(1).unwrap().ends_with(",0.00,100.00,0"),
        "{summary}"
    );

    // A run with nothing new: unchanged, the figures read back from its report.json.
    assert_eq!(code(&run_batch(&root, &out, &["--quiet"])), 0);
    assert_eq!(summary_clients(&out)[0].1, "unchanged");
    assert_eq!(history(&out), ("0.00".into(), "100.00".into(), "0.00".into()));

    // The carrier's April bill credits 60.00 naming the claim: claims.csv did not
    // change, the bills did (the fingerprint covers every file), and the history
    // shows 60.00 more recovered.
    fs::write(
        c.join("invoices/april.csv"),
        bill(&[
            "Verizon,0042,INV-4,2025-04-05,2025-04-01,2025-04-30,,credit,DSP,Credit re VZ-9001,,,-60.00,,",
        ]),
    )
    .unwrap();
    let o = run_batch(&root, &out, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(summary_clients(&out)[0].1, "audited");
    assert_eq!(history(&out), ("60.00".into(), "40.00".into(), "60.00".into()));
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("recovered from filed claims <b>60.00</b>, outstanding <b>40.00</b>"),
        "{index}"
    );

    // Editing only claims.csv re-audits the client too: it is part of the fingerprint.
    let text = fs::read_to_string(c.join("claims.csv")).unwrap();
    fs::write(
        c.join("claims.csv"),
        text.replace(",,\n", ",,asked again on the phone\n"),
    )
    .unwrap();
    assert_eq!(code(&run_batch(&root, &out, &["--quiet"])), 0);
    assert_eq!(summary_clients(&out)[0].1, "audited");
    let claims = rows_of(&out.join("acme/recovery/claims.csv"));
    assert_eq!(claims[0]["note"], "asked again on the phone");
}

/// Review cases. A: lines of fractions of a cent (RAT001 0.001 on three bills)
/// make no new-claims.csv row: a 0.00 claim cannot be filed (claims.csv refuses
/// it). B: two credit contract lines of one code, account and start (a credit
/// renewed with another end date) give two CRD001 findings with two keys, each
/// ending with its line's effective_to, and two new-claims.csv rows of their own
/// money (before: one key, one row of 50.00 with the first finding's note).
#[test]
fn new_claims_leave_out_sums_under_a_cent_and_renewed_credits_keep_their_own_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("cents");
    let rows: Vec<String> = (1..=3)
        .map(|m| format!("Acme Tel,100,100-{m:02},2025-{m:02}-05,2025-{m:02}-01,2025-{m:02}-28,555-0001,usage,MIN,Minutes,1,0.101,0.101,,"))
        .collect();
    client(
        &a,
        &rows.iter().map(String::as_str).collect::<Vec<_>>(),
        Some(&[]),
        None,
    );
    fs::write(
        a.join("contracts.csv"),
        "kind,carrier,account,service_id,charge_code,amount,effective_from,effective_to\nrate,Acme Tel,,,MIN,0.10,,\n",
    )
    .unwrap();
    let out = tmp.path().join("out-a");
    let o = run_audit(&a, &out, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let f = rows_of(&out.join("findings.csv"));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        (f[0]["rule"].as_str(), f[0]["recoverable"].as_str()),
        ("RAT001", "0.00")
    );
    assert!(rows_of(&out.join("disputes/new-claims.csv")).is_empty());

    let b = tmp.path().join("renewed");
    let rows: Vec<String> = (1..=12)
        .map(|m| format!("Acme Tel,100,100-{m:02},2025-{m:02}-05,2025-{m:02}-01,2025-{m:02}-28,555-0001,recurring,PLAN,Plan,1,50.00,50.00,,"))
        .collect();
    client(
        &b,
        &rows.iter().map(String::as_str).collect::<Vec<_>>(),
        Some(&[]),
        None,
    );
    fs::write(
        b.join("contracts.csv"),
        "kind,carrier,account,service_id,charge_code,amount,effective_from,effective_to\n\
         credit,Acme Tel,100,555-0001,LOY,10,2025-01-01,2025-06-30\n\
         credit,Acme Tel,100,555-0001,LOY,5,2025-01-01,2025-12-31\n",
    )
    .unwrap();
    let out = tmp.path().join("out-b");
    let o = run_audit(&b, &out, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let keys: BTreeSet<(String, String)> = rows_of(&out.join("findings.csv"))
        .into_iter()
        .map(|r| (r["finding_key"].clone(), r["recoverable"].clone()))
        .collect();
    // January to June: the 10.00 line wins each period (60.00); July to December
    // only the 5.00 line covers them (30.00).
    assert_eq!(
        keys,
        BTreeSet::from([
            (
                "CRD001|Acme Tel|100|555-0001|LOY|100|2025-01-01|2025-06-30".to_string(),
                "60.00".to_string()
            ),
            (
                "CRD001|Acme Tel|100|555-0001|LOY|100|2025-01-01|2025-12-31".to_string(),
                "30.00".to_string()
            ),
        ])
    );
    let new: Vec<(String, String)> = rows_of(&out.join("disputes/new-claims.csv"))
        .into_iter()
        .map(|r| (r["finding_key"].clone(), r["amount"].clone()))
        .collect();
    assert_eq!(new.len(), 2, "{new:?}");
    assert!(
        new.iter()
            .any(|(k, a)| k.ends_with("|2025-06-30") && a == "60.00"),
        "{new:?}"
    );
    assert!(
        new.iter()
            .any(|(k, a)| k.ends_with("|2025-12-31") && a == "30.00"),
        "{new:?}"
    );
}
