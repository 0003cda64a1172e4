//! End-to-end: dispute windows (formats.md section 9) through the binary:
//! `--as-of` on audit and batch, `as_of` and `totals.expired` in report.json,
//! expired money left out of the dispute files and the funding, shown apart in
//! the human reports, counted in the batch summary; strict `[disputes]` checks.

mod common;

use common::*;
use std::fs;
use std::path::Path;

/// A client with two late fees of AT&T (window 30 days) and one of Lumen (the
/// default window, 90 days), one invoice each.
fn client(dir: &Path, disputes: &str) {
    fs::create_dir_all(dir.join("invoices")).unwrap();
    fs::write(
        dir.join("invoices/bills.csv"),
        format!(
            "{HEADER}\n\
             AT&T,100,A1,2025-03-31,2025-03-01,2025-03-31,,fee,LATE,Late Payment Fee,1,,10.00,,\n\
             AT&T,100,A2,2025-03-30,2025-03-01,2025-03-31,,fee,LATE,Late Payment Fee,1,,20.00,,\n\
             Lumen,200,L1,2025-01-15,2025-01-01,2025-01-31,,fee,LATE,Late Payment Fee,1,,5.00,,\n\
             Lumen,200,L2,2025-04-30,2025-04-01,2025-04-30,,recurring,PLAN,Plan,1,,99.00,,\n"
        ),
    )
    .unwrap();
    fs::write(
        dir.join("client.toml"),
        format!("name = \"Windows\"\n[proposal]\none_time = \"100.00\"\nmonthly = \"0\"\n{disputes}"),
    )
    .unwrap();
}

const WINDOWS: &str = "[disputes]\nwindow_days = 90\n[disputes.carriers]\n\"AT&T\" = 30\n";

#[test]
fn as_of_decides_what_is_too_late_and_expired_money_leaves_disputes_and_funding() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("win");
    client(&dir, WINDOWS);
    // Default as-of: the latest invoice_date, 2025-04-30. AT&T's cutoff is
    // 2025-03-31: A1 (dated that day) stays, A2 (2025-03-30) is too late. Lumen's
    // cutoff is 2025-01-30: L1 (2025-01-15) is too late.
    let out = tmp.path().join("out");
    let o = run_audit(&dir, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = read_json(&out.join("report.json"));
    assert_eq!(r["as_of"], "2025-04-30");
    assert_eq!(r["totals"]["recoverable"], "10.00");
    assert_eq!(r["totals"]["expired"], "25.00");
    assert_eq!(by_rule(&r)["FEE001"], figures(2, "10.00", "0.00"));
    // Funding: 10.00 of the 100.00 one-time cost, not 35.00.
    assert_eq!(r["proposal"]["funded_share"], "0.1000");
    // The dispute files ask for A1 only; Lumen has nothing left to dispute.
    let csv = fs::read_to_string(out.join("disputes/AT&T/100.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains(",A1,") && !csv.contains(",A2,"), "{csv}");
    assert!(!out.join("disputes/Lumen").exists());
    // findings.csv: recoverable and expired per finding.
    let f = fs::read_to_string(out.join("findings.csv")).unwrap();
    assert!(
        f.lines()
            .next()
            .unwrap()
            .ends_with(",expired,finding_key,claim_id,recoverable_in_totals,monthly_in_totals,claim_by"),
        "{f}"
    );
    // AT&T's claimable fee (2025-03-31, a 30-day window) may be claimed until
    // 2025-04-30; Lumen's fee expired whole: no date.
    assert!(
        f.contains(",FEE001|AT&T|100||Late Payment Fee,,10.00,0.00,2025-04-30\n"),
        "{f}"
    );
    assert!(
        f.contains(",FEE001|Lumen|200||Late Payment Fee,,0.00,0.00,\n"),
        "{f}"
    );
    // The human reports show the expired money apart.
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## Found too late to claim"), "{md}");
    assert!(md.contains("| Found too late to claim (the carrier's dispute window closed; in none of the figures above) | 25.00 |"));
    assert!(md.contains("- As of (dispute windows): 2025-04-30"));
    assert!(
        md.contains(
            "25.00 was overbilled on invoices older than the carrier's dispute window as of 2025-04-30 \
         (client.toml `[disputes]`): the carrier no longer accepts a dispute for it, so it is in no \
         figure above, no dispute file and not in the funding. The 2 largest of 2 findings with such money:"
        ),
        "{md}"
    );
    assert!(md.contains("| 1 | FEE001 | AT&T | 100 |  | 2025-03-01 | late payment fee 'Late Payment Fee', 1 period | 20.00 |"), "{md}");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(r#"<section id="expired"><h2>Found too late to claim</h2>"#));

    // --as-of 2025-04-29: AT&T's cutoff is 2025-03-30, so A2 is inside too.
    let out2 = tmp.path().join("out2");
    let o = run_audit(&dir, &out2, &["--as-of", "2025-04-29"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let r = read_json(&out2.join("report.json"));
    assert_eq!(r["as_of"], "2025-04-29");
    assert_eq!(
        (&r["totals"]["recoverable"], &r["totals"]["expired"]),
        (&"30.00".into(), &"5.00".into())
    );

    // Without [disputes] nothing expires; as_of is still written.
    let plain = tmp.path().join("plain");
    client(&plain, "");
    let out3 = tmp.path().join("out3");
    run_audit(&plain, &out3, &[]);
    let r = read_json(&out3.join("report.json"));
    assert_eq!(
        (&r["as_of"], &r["totals"]["expired"]),
        (&"2025-04-30".into(), &"0.00".into())
    );
    assert_eq!(r["totals"]["recoverable"], "35.00");
    assert!(!fs::read_to_string(out3.join("report.md"))
        .unwrap()
        .contains("too late"));
}

#[test]
fn bad_windows_and_bad_as_of_exit_2_naming_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    for (toml, key) in [
        ("[disputes]\nwindow_days = \"90\"\n", "disputes.window_days"),
        ("[disputes]\nwindow_days = 0\n", "disputes.window_days"),
        (
            "[disputes.carriers]\n\"AT&T\" = 30.5\n",
            "disputes.carriers.\"AT&T\"",
        ),
        ("[disputes]\nwindows = 90\n", "windows"),
    ] {
        let dir = tmp.path().join("bad");
        let _ = fs::remove_dir_all(&dir);
        client(&dir, toml);
        let o = run_audit(&dir, &tmp.path().join("o"), &[]);
        assert_eq!(code(&o), 2, "{toml}: {}", stderr(&o));
        assert!(stderr(&o).contains(key), "{toml}: {}", stderr(&o));
    }
    let dir = tmp.path().join("good");
    client(&dir, WINDOWS);
    let o = run_audit(&dir, &tmp.path().join("o2"), &["--as-of", "2025-02-30"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--as-of"), "{}", stderr(&o));
}

#[test]
fn batch_counts_expired_money_and_as_of_is_part_of_the_fingerprint() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    client(&root.join("w1"), WINDOWS);
    let out = tmp.path().join("out");
    let o = run_batch(&root, &out, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let csv = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(
        csv,
        "client,status,rows,billed_total,recoverable,monthly,first_year,expired,error,npv,payback_months,warnings,new_findings,resolved_findings,recovered,outstanding,grown_findings\n\
         w1,audited,4,134.00,10.00,0.00,10.00,25.00,,,never,0,2,0,,,0\n"
    );
    let s = read_json(&out.join("summary.json"));
    assert_eq!(s["clients"][0]["expired"], "25.00");
    let index = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("found too late to claim <b>25.00</b>"), "{index}");
    // The same run again reuses the client; another --as-of audits it again.
    run_batch(&root, &out, &["--quiet"]);
    assert_eq!(summary_clients(&out)[0].1, "unchanged");
    run_batch(&root, &out, &["--quiet", "--as-of", "2025-04-29"]);
    assert_eq!(summary_clients(&out)[0].1, "audited");
    let s = read_json(&out.join("summary.json"));
    assert_eq!(
        (&s["clients"][0]["recoverable"], &s["clients"][0]["expired"]),
        (&"30.00".into(), &"5.00".into())
    );
    // merge-summaries keeps the column.
    let merged = tmp.path().join("merged");
    let o = run(&[
        "merge-summaries",
        out.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let m = fs::read_to_string(merged.join("summary.csv")).unwrap();
    assert!(
        m.contains(",first_year,expired,error,npv,payback_months,warnings,new_findings,resolved_findings,recovered,outstanding,grown_findings\n")
            && m.contains(",30.00,0.00,30.00,5.00,,,never,"),
        "{m}"
    );
}

/// Issue 26, lesser: `--as-of` before every invoice (0001-01-01) was accepted
/// and dated the letters 0001-01-01. It is exit 2 naming the earliest
/// invoice_date, before anything is written; on that date it is accepted.
#[test]
fn an_as_of_before_every_invoice_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    client(&dir, WINDOWS);
    let out = tmp.path().join("out");
    let o = run_audit(&dir, &out, &["--as-of", "0001-01-01"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "--as-of 0001-01-01 is before every invoice of c (the earliest invoice_date is 2025-01-15)"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists(), "nothing written");
    let o = run_audit(&dir, &out, &["--quiet", "--as-of", "2025-01-15"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(read_json(&out.join("report.json"))["as_of"], "2025-01-15");
}
