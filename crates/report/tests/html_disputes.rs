//! report.html, the batch index and the dispute files, on hand-built dumps.

mod common;

use common::*;
use std::fs;
use telaudit_model::*;
use telaudit_report::{
    batch_index_html, dispute_csv, disputes, report_html, report_json, sanitize_component, summarize,
    write_outputs, BatchIndexRow, BatchStatus, LineContext,
};

fn missing_credit(dump: &mut Dump, carrier: &str, account: &str, service: &str, period: &str) -> ClaimKey {
    let s = &mut dump.strings;
    ClaimKey::MissingCredit {
        carrier: s.intern(carrier),
        account: s.intern(account),
        service: s.intern(service),
        period: date(period),
        code: s.intern("LOYAL"),
    }
}

/// Verizon 0042: r0 claimed by DIS001 and DUP001 (40.00 each: a tie, goes to
/// DIS001); r1 by DUP001 40.00 and RAT001 0.015 (DUP001 wins); r2, r3 RAT001
/// 0.015 each; a LOYAL credit of 6.00 owed for service B in 2025-02; an
/// UNU001 claim of 0 recoverable (monthly only). Carrier "../AT&T/x", account
/// "a/b": a 10.00 late fee.
fn case() -> (Dump, Vec<RuleResult>) {
    let mut dump = dump();
    dump.config.name = Some("Acme <Health>".to_string());
    let r0 = row(
        &mut dump,
        "Verizon",
        "0042",
        "A",
        "2025-01-01",
        "40.00",
        src(0, 2),
    );
    let r1 = row(
        &mut dump,
        "Verizon",
        "0042",
        "A",
        "2025-02-01",
        "40.00",
        src(0, 3),
    );
    let r2 = row(
        &mut dump,
        "Verizon",
        "0042",
        "B",
        "2025-01-01",
        "30.015",
        src(0, 4),
    );
    let r3 = row(
        &mut dump,
        "Verizon",
        "0042",
        "B",
        "2025-02-01",
        "30.015",
        src(0, 5),
    );
    let r4 = row(
        &mut dump,
        "../AT&T/x",
        "a/b",
        "",
        "2025-02-01",
        "10.00",
        src(0, 6),
    );
    let mc = missing_credit(&mut dump, "Verizon", "0042", "B", "2025-02-01");
    let dis = finding(
        &mut dump,
        "DIS001",
        "Verizon",
        "0042",
        "A",
        "billed after disconnect",
        vec![claim(ClaimKey::Row(r0), "40.00", "40.00")],
        vec![src(0, 2)],
    );
    let dup = finding(
        &mut dump,
        "DUP001",
        "Verizon",
        "0042",
        "A",
        "2 copies <script>alert(1)</script>",
        vec![
            claim(ClaimKey::Row(r0), "40.00", "0"),
            claim(ClaimKey::Row(r1), "40.00", "0"),
        ],
        vec![src(0, 2), src(0, 3)],
    );
    let rat = finding(
        &mut dump,
        "RAT001",
        "Verizon",
        "0042",
        "B",
        "rate above contract",
        vec![
            claim(ClaimKey::Row(r1), "0.015", "0"),
            claim(ClaimKey::Row(r2), "0.015", "0"),
            claim(ClaimKey::Row(r3), "0.015", "0.015"),
        ],
        vec![src(0, 3), src(0, 4), src(0, 5)],
    );
    let crd = finding(
        &mut dump,
        "CRD001",
        "Verizon",
        "0042",
        "B",
        "credit missing",
        vec![claim(mc, "6.00", "6.00")],
        vec![src(0, 5)],
    );
    let unu = finding(
        &mut dump,
        "UNU001",
        "Verizon",
        "0042",
        "A",
        "unused",
        vec![claim(ClaimKey::Row(r1), "0", "40.00")],
        vec![src(0, 3)],
    );
    let fee = finding(
        &mut dump,
        "FEE001",
        "../AT&T/x",
        "a/b",
        "",
        "late fee",
        vec![claim(ClaimKey::Row(r4), "10.00", "0")],
        vec![src(0, 6)],
    );
    (
        dump,
        vec![
            result("CRD001", "Missing contract credit", vec![crd]),
            result("DIS001", "Billed after disconnect", vec![dis]),
            result("DUP001", "Duplicate charge", vec![dup]),
            result("FEE001", "Late fee", vec![fee]),
            result("RAT001", "Rate above contract", vec![rat]),
            result("UNU001", "Unused service", vec![unu]),
        ],
    )
}

fn col(csv_text: &str, name: &str) -> Vec<String> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let i = r.headers().unwrap().iter().position(|h| h == name).unwrap();
    r.records().map(|x| x.unwrap()[i].to_string()).collect()
}

#[test]
fn disputes_are_overlap_free_and_add_up_per_account() {
    let (dump, results) = case();
    let report = summarize(&dump, &results);
    // Overlap-free: 40 + 40 + 0.015 + 0.015 + 6 + 10 = 96.03.
    assert_eq!(report.totals.recoverable, d("96.03"));
    let ds = disputes(&dump, &results);
    assert_eq!(ds.len(), 2);
    // Sorted by carrier text: "../AT&T/x" < "Verizon".
    assert_eq!(
        (ds[0].carrier.as_str(), ds[0].account.as_str()),
        ("../AT&T/x", "a/b")
    );
    assert_eq!(ds[0].total, d("10.00"));
    let vz = &ds[1];
    assert_eq!(vz.total, d("86.03"));
    assert_eq!(vz.total + ds[0].total, report.totals.recoverable);
    let cx = LineContext::new(&dump, &results);
    let csv_text = dispute_csv(&cx, vz);
    // By period, invoice, service, code: Jan A (r0), Jan B (r2), Feb A (r1),
    // Feb B credit LOYAL, Feb B (r3). The UNU001 claim (0 recoverable) is not there.
    assert_eq!(
        col(&csv_text, "rule"),
        ["DIS001", "RAT001", "DUP001", "CRD001", "RAT001"]
    );
    assert_eq!(
        col(&csv_text, "claimed_exact"),
        ["40.00", "0.015", "40.00", "6.00", "0.015"]
    );
    // Cents by largest remainder: 86.03 in all; the tie on the two 0.005
    // remainders goes to the earlier line.
    assert_eq!(
        col(&csv_text, "claimed"),
        ["40.00", "0.02", "40.00", "6.00", "0.01"]
    );
    assert_eq!(
        col(&csv_text, "billed_amount"),
        ["40.00", "30.015", "40.00", "", "30.015"]
    );
    assert_eq!(col(&csv_text, "description")[3], "credit owed, not given");
    // The missing credit names the invoice billing service B in 2025-02.
    assert_eq!(col(&csv_text, "invoice")[3], "INV-2025-02-01");
    assert_eq!(
        col(&csv_text, "source"),
        [
            "invoices/a.csv:2",
            "invoices/a.csv:4",
            "invoices/a.csv:3",
            "",
            "invoices/a.csv:5"
        ]
    );
}

#[test]
fn sanitizes_path_components() {
    assert_eq!(sanitize_component("../AT&T/x"), "___AT&T_x");
    assert_eq!(sanitize_component(".."), "__");
    assert_eq!(sanitize_component("a..b"), "a._b");
    assert_eq!(sanitize_component("Verizon Wireless"), "Verizon Wireless");
    assert_eq!(sanitize_component("5-KX8812"), "5-KX8812");
    assert_eq!(sanitize_component("a\\b:c\u{0}d\ne"), "a_b_c_d_e");
    assert_eq!(sanitize_component(""), "_");
    assert_eq!(sanitize_component("con"), "con_");
    assert_eq!(sanitize_component("COM1.csv"), "COM1.csv_");
    assert_eq!(sanitize_component(" x. "), "_x__");
    assert_eq!(sanitize_component(&"9".repeat(200)).len(), 80);
    // Names of four-byte characters: 80 bytes at most, cut on a character boundary,
    // distinct names distinct.
    let wide = "\u{20000}".repeat(80);
    let name = sanitize_component(&wide);
    assert_eq!(name.len(), 80 - 9 - 3 + 9, "{name}");
    assert!(name.starts_with(&"\u{20000}".repeat(17)) && name.as_bytes()[68] == b'~');
    let other = sanitize_component(&"\u{20000}".repeat(81));
    assert_ne!(name, other);
    assert_eq!(name, sanitize_component(&wide), "the same name every run");
    let a = sanitize_component(&format!("{}a", "x".repeat(300)));
    let b = sanitize_component(&format!("{}b", "x".repeat(300)));
    assert_ne!(a, b);
    assert_eq!(a.len(), 80);
    assert_eq!(sanitize_component(&"x".repeat(80)), "x".repeat(80));
}

#[test]
fn write_outputs_writes_disputes_and_replaces_a_stale_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir_all(out.join("disputes/Old Carrier")).unwrap();
    fs::write(out.join("disputes/Old Carrier/1.csv"), "stale").unwrap();
    fs::create_dir_all(out.join("keep")).unwrap();
    fs::write(out.join("keep/mine.txt"), "mine").unwrap();
    let (dump, results) = case();
    let report = summarize(&dump, &results);
    write_outputs(&out, &dump, &results, &report).unwrap();
    assert!(!out.join("disputes/Old Carrier").exists());
    let mut carriers: Vec<String> = fs::read_dir(out.join("disputes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    carriers.sort();
    assert_eq!(carriers, ["Verizon", "___AT&T_x", "new-claims.csv"]);
    // The new lines as rows for claims.csv: one per finding and account, the
    // sum of its lines rounded once.
    let new_claims = fs::read_to_string(out.join("disputes/new-claims.csv")).unwrap();
    assert_eq!(
        new_claims.lines().next(),
        Some("claim_id,carrier,account,service_id,finding_key,filed_on,amount,status,note")
    );
    assert_eq!(col(&new_claims, "carrier").len(), new_claims.lines().count() - 1);
    assert!(
        new_claims.lines().skip(1).all(|l| l.starts_with(',')),
        "{new_claims}"
    );
    let att = fs::read_to_string(out.join("disputes/___AT&T_x/a_b.csv")).unwrap();
    // The carrier keeps its own spelling inside the file.
    assert_eq!(col(&att, "carrier"), ["../AT&T/x"]);
    assert_eq!(col(&att, "claimed"), ["10.00"]);
    let letter = fs::read_to_string(out.join("disputes/Verizon/0042.md")).unwrap();
    assert!(letter.contains("To: Verizon billing department"), "{letter}");
    assert!(letter.contains("Account number: 0042"));
    assert!(letter.contains("Invoices: INV-2025-01-01, INV-2025-02-01"));
    assert!(letter.contains("Total claimed: 86.03"));
    assert!(
        letter.contains("| **Total** | | **5** | | **86.03** |"),
        "{letter}"
    );
    assert!(letter.contains("credit owed, not given"));
    assert!(letter.contains("From: Acme \\<Health\\>"));
    // The letter's date is the latest invoice date, never the clock.
    assert!(letter.contains("Date: 2025-02-01  "), "{letter}");
    // One line per reason, largest first; the lines add up to the total.
    assert!(
        letter.contains("| Rate above contract | RAT001 | 2 | 2025-01-01 to 2025-02-28 (2 periods) | 0.03 |")
    );
    // Items as the bill prints them: invoice number and date, code and description.
    assert!(letter.contains(
        "| 1 | INV-2025-01-01 | 2025-01-01 | A | 2025-01-01 to 2025-01-31 | MRC Monthly plan | 40.00 | 40.00 |  | Billed after disconnect (DIS001) |"
    ), "{letter}");
    // A missing credit shows the date of its period's invoice and what was owed.
    assert!(!letter.contains("| none |"), "{letter}");
    assert!(letter.contains("0042.csv, lists all 5 items"));
    // Evidence paths stay in the CSV.
    assert!(!letter.contains("invoices/a.csv"));
    let html_letter = fs::read_to_string(out.join("disputes/Verizon/0042.html")).unwrap();
    assert!(
        html_letter.contains("<td>Total claimed</td><td>86.03</td>"),
        "{html_letter}"
    );
    assert!(html_letter.contains("<a href=\"0042.csv\">0042.csv</a>"));
    assert!(html_letter.contains("From</td><td>Acme &lt;Health&gt;"));
    // No temporary folder stays behind.
    let leftovers: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A run with nothing to dispute leaves disputes/new-claims.csv alone (its
    // header: it is always written) and touches nothing else.
    let empty: Vec<RuleResult> = results
        .iter()
        .map(|r| result(&r.rule.id, &r.rule.title, vec![]))
        .collect();
    let report = summarize(&dump, &empty);
    write_outputs(&out, &dump, &empty, &report).unwrap();
    let left: Vec<String> = fs::read_dir(out.join("disputes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(left, ["new-claims.csv"]);
    assert_eq!(
        fs::read_to_string(out.join("disputes/new-claims.csv")).unwrap(),
        "claim_id,carrier,account,service_id,finding_key,filed_on,amount,status,note\n"
    );
    // Without claims.csv there is no recovery/ folder.
    assert!(!out.join("recovery").exists());
    assert_eq!(fs::read_to_string(out.join("keep/mine.txt")).unwrap(), "mine");
}

#[test]
fn dispute_csv_guards_formulas() {
    let (mut dump, mut results) = case();
    let sym = dump.strings.intern("=HYPERLINK(\"x\")");
    dump.rows[4].description = sym;
    results[3].findings[0].description = "+1 late".to_string();
    let ds = disputes(&dump, &results);
    let text = dispute_csv(&LineContext::new(&dump, &results), &ds[0]);
    assert_eq!(col(&text, "description"), ["'=HYPERLINK(\"x\")"]);
    assert_eq!(col(&text, "reason"), ["Late fee: +1 late"]);
}

#[test]
fn html_shows_report_json_figures_escapes_and_fetches_nothing() {
    let (mut dump, results) = case();
    dump.config.proposal = Some(Proposal::simple(d("100"), d("200")));
    dump.rejected.push(Rejection {
        file: "invoices/<b>.csv".into(),
        position: Position::Line(9),
        reason: "bad <script>".into(),
        rows: 1,
    });
    let report = summarize(&dump, &results);
    let json: serde_json::Value = serde_json::from_str(&report_json(&report)).unwrap();
    let html = report_html(&dump, &results, &report);
    // report.json's plain figures, shown with thousands separators (annual 1032.18).
    assert_eq!(json["totals"]["annual"], "1032.18");
    for key in ["recoverable", "monthly", "annual", "first_year"] {
        let fig = json["totals"][key].as_str().unwrap();
        let (int, frac) = fig.split_once('.').unwrap();
        let shown = if int.len() > 3 {
            format!("{},{}.{frac}", &int[..int.len() - 3], &int[int.len() - 3..])
        } else {
            fig.to_string()
        };
        assert!(
            html.contains(&format!(">{shown}<")),
            "{key} {shown} not in the html"
        );
    }
    assert!(html.contains(">1,032.18<"));
    // The print header: the client's name escaped for CSS, so it cannot end the style sheet.
    assert!(html.contains(r"content:"), "{html}");
    assert!(html.contains(r"Acme \00003C Health\00003E "), "{html}");
    // recoverable 96.03; monthly max per key: r0 40, r1 40 (UNU001), r3 0.015, credit 6 = 86.015 -> 86.02.
    assert_eq!(json["totals"]["monthly"], "86.02");
    assert!(html.contains(">96.03<"));
    assert_eq!(json["input"]["billed_total"], "150.03");
    assert!(html.contains("<b>150.03</b>"));
    // Payback never: 86.015 a month saved < 200 a month cost.
    assert!(html.contains("never"));
    // Escaped input text, no markup from it.
    assert!(!html.contains("<script"));
    assert!(html.contains("2 copies &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("Acme &lt;Health&gt;"));
    assert!(html.contains("bad &lt;script&gt;"));
    assert!(html.contains("<td>../AT&amp;T/x</td>"));
    // Partial audit, said first.
    let partial = html.find("Partial audit").unwrap();
    assert!(partial < html.find(">96.03<").unwrap());
    // Self-contained: no URL of any scheme, no protocol-relative one, no url().
    for bad in [
        "http:", "https:", "//", "url(", "@import", "<script", "<link", "<img", "src=",
    ] {
        assert!(!html.contains(bad), "report.html contains {bad}");
    }
    // The month chart: billed 2025-01 = 40 + 30.015 = 70.015 -> 70.02, waste 40 + 0.015 -> 40.02;
    // 2025-02 billed 40 + 30.015 + 10 = 80.015 -> 80.02, waste 40 + 0.015 + 6 + 10 = 56.015 -> 56.02.
    assert!(html.contains("2025-01"));
    assert!(html.contains("billed 70.02 · waste 40.02"), "{html}");
    assert!(html.contains("billed 80.02 · waste 56.02"));
}

#[test]
fn html_lists_top_findings_in_first_year_order() {
    let (dump, results) = case();
    let report = summarize(&dump, &results);
    let html = report_html(&dump, &results, &report);
    // First year: DIS001 40 + 480 = 520; UNU001 480; DUP001 80; CRD001 6 + 72 = 78.
    let pos = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(pos("<b>520.00</b>") < pos("<b>480.00</b>"));
    assert!(pos("<b>480.00</b>") < pos("<b>80.00</b>"));
    assert!(pos("<b>80.00</b>") < pos("<b>78.00</b>"));
    // Dispute links are relative and percent-encoded.
    assert!(html.contains(r#"href="disputes/___AT%26T_x/a_b.html""#), "{html}");
}

#[test]
fn batch_index_lists_every_client_with_links() {
    let (dump, results) = case();
    let report = summarize(&dump, &results);
    let mut ok = BatchIndexRow::from_report(&report, BatchStatus::Audited);
    ok.client = "zeta co".to_string();
    // The case has no proposal: no NPV, no payback.
    assert!(report.proposal.is_none());
    assert_eq!((ok.npv, ok.payback.as_str()), (None, ""));
    ok.npv = Some("-12.5".parse().unwrap());
    ok.payback = "never".to_string();
    let failed = BatchIndexRow {
        client: "alpha".to_string(),
        name: "Alpha <Inc>".to_string(),
        status: BatchStatus::Error,
        rows: 0,
        billed_total: Decimal::ZERO,
        recoverable: Decimal::ZERO,
        monthly: Decimal::ZERO,
        first_year: Decimal::ZERO,
        npv: None,
        payback: String::new(),
        expired: Decimal::ZERO,
        error: "invoices/ missing".to_string(),
        has_report: false,
        new_findings: None,
        resolved_findings: None,
        grown_findings: None,
        recovered: None,
        outstanding: None,
    };
    // The history's counts of the run: 3 new, 1 resolved, 2 grown.
    (ok.new_findings, ok.resolved_findings, ok.grown_findings) = (Some(3), Some(1), Some(2));
    // A client with claims.csv: its recovered and outstanding in their columns.
    ok.recovered = Some("40.5".parse().unwrap());
    ok.outstanding = Some("9.5".parse().unwrap());
    let without_review = batch_index_html(&[ok.clone(), failed.clone()], None);
    assert!(!without_review.contains("review.csv"), "{without_review}");
    let html = batch_index_html(&[ok, failed], Some([3, 0, 2, 1]));
    assert!(html.contains(
        r#"<a href="review.csv">review.csv</a> lists every finding that changed in this run (3 new, 0 reopened, 2 grown, 1 resolved)"#
    ));
    // Client order, readable without the script.
    let a = html.find(">alpha<").unwrap();
    let z = html.find(">zeta co<").unwrap();
    assert!(a < z);
    assert!(html.contains(r#"<a href="zeta%20co/report.html">report</a>"#));
    assert!(html.contains("Alpha &lt;Inc&gt;"));
    assert!(html.contains("invoices/ missing"));
    assert!(html.contains(">96.03<"));
    assert!(html.contains(">150.03<"));
    assert!(html.contains(r#"<td class="m">-12.50</td><td class="m">never</td>"#));
    assert!(html.contains("<button type=\"button\" data-col=\"10\" data-num=\"1\">Payback (months)</button>"));
    // Totals line: 96.03 recoverable across all clients.
    assert!(html.contains("recoverable now <b>96.03</b>"));
    assert!(html.contains("found too late to claim <b>0.00</b>"));
    assert!(html.contains("recovered from filed claims <b>40.50</b>, outstanding <b>9.50</b>"));
    assert!(html.contains(
        r#"<td class="m">3</td><td class="m">1</td><td class="m">2</td><td class="m">40.50</td><td class="m">9.50</td><td><a href="zeta%20co/report.html">"#
    ));
    assert!(html.contains(r#"data-col="13" data-num="1">Grown</button>"#));
    // The failed client's cells are empty.
    assert!(html.contains(r#"<td class="m"></td><td class="m"></td><td class="m"></td><td>none</td>"#));
    for bad in ["http:", "https:", "url(", "<link", "<img", "src="] {
        assert!(!html.contains(bad), "index contains {bad}");
    }
}

/// The batch's copy of report.html with history marks: "Since the last run"
/// lists every change by kind (new, reopened, grown, resolved), each with its
/// money then and now, sorted by the size of the first-year change; a finding
/// whose money fell (DIS001 45.00 to 40.00) or stayed is no change. A client the
/// history never held gets one sentence instead of every finding.
#[test]
fn the_batch_copy_lists_every_change_since_the_last_run() {
    use std::collections::HashMap;
    use telaudit_report::{write_outputs_marked, HistoryMarks, PastFinding};
    let (dump, results) = case();
    let report = summarize(&dump, &results);
    let key = |rule: &str| {
        results
            .iter()
            .flat_map(|r| &r.findings)
            .find(|f| f.rule == rule)
            .unwrap()
            .key
            .clone()
    };
    let past = |key: String, rule: &str, description: &str, rec: &str, mon: &str| PastFinding {
        key,
        rule: rule.into(),
        carrier: "Verizon".into(),
        account: "0042".into(),
        service_id: "A".into(),
        description: description.into(),
        recoverable: rec.parse().unwrap(),
        monthly: mon.parse().unwrap(),
    };
    let before = vec![
        past(
            key("DIS001"),
            "DIS001",
            "billed after disconnect",
            "45.00",
            "40.00",
        ),
        past(key("DUP001"), "DUP001", "2 copies then", "40.00", "0.00"),
        past(key("FEE001"), "FEE001", "late fee", "4.00", "0.00"),
        past("old|key".into(), "ZOM001", "roaming <pack>", "12.50", "1.25"),
    ];
    let known: HashMap<String, bool> = [
        (key("DIS001"), true),
        (key("DUP001"), false),
        (key("FEE001"), true),
        ("old|key".to_string(), true),
    ]
    .into_iter()
    .collect();
    let tmp = tempfile::tempdir().unwrap();
    let marks = HistoryMarks {
        since_run: 7,
        known: Some(&known),
        before: &before,
    };
    write_outputs_marked(tmp.path(), &dump, &results, &report, Some(marks)).unwrap();
    let html = fs::read_to_string(tmp.path().join("report.html")).unwrap();
    assert!(html.contains(
        "Since run 7 of the history: <b>3 new</b>, <b>1 reopened</b>, <b>1 grown</b> (recoverable rose since \
         the last run that saw it), <b>1 resolved</b> (no longer found)."
    ));
    let start = html.find(r#"<section id="since""#).unwrap();
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    let rows: Vec<String> = section
        .split("<tr>")
        .skip(2)
        .map(|r| {
            let cells: Vec<&str> = r.split("<td").skip(1).collect();
            let text = |c: &str| {
                let inner = &c[c.find('>').unwrap() + 1..];
                inner[..inner.find("</td>").unwrap()].to_string()
            };
            cells.iter().map(|c| text(c)).collect::<Vec<_>>().join(" | ")
        })
        .collect();
    assert_eq!(
        rows,
        [
            // New, largest first-year change first: 0 + 12 x 40.00, 6.00 + 12 x 6.00,
            // 0.05 + 12 x 0.02 (RAT001's 0.045 and 0.015 in cents, as the history stores them).
            "<b>new</b> | <span class=\"tag\">UNU001</span> unused | Verizon &middot; account 0042 &middot; service A |  | 0.00 |  | 40.00",
            "<b>new</b> | <span class=\"tag\">CRD001</span> credit missing | Verizon &middot; account 0042 &middot; service B |  | 6.00 |  | 6.00",
            "<b>new</b> | <span class=\"tag\">RAT001</span> rate above contract | Verizon &middot; account 0042 &middot; service B |  | 0.05 |  | 0.02",
            // Reopened: its money when it was last seen, and now; today's text.
            "<b>reopened</b> | <span class=\"tag\">DUP001</span> 2 copies &lt;script&gt;alert(1)&lt;/script&gt; | Verizon &middot; account 0042 &middot; service A | 40.00 | 80.00 | 0.00 | 0.00",
            "<b>grown</b> | <span class=\"tag\">FEE001</span> late fee | ../AT&amp;T/x &middot; account a/b &middot; account level | 4.00 | 10.00 | 0.00 | 0.00",
            "<b>resolved</b> | <span class=\"tag\">ZOM001</span> roaming &lt;pack&gt; | Verizon &middot; account 0042 &middot; service A | 12.50 |  | 1.25 | ",
        ]
    );
    // The largest findings' marks say where the whole list is.
    assert!(html.contains("Since run 7 of the history: 3 new, 1 reopened (marked below; <a href=\"#since\">"));

    // A client the history never held: one sentence, no list.
    let marks = HistoryMarks {
        since_run: 7,
        known: None,
        before: &[],
    };
    let tmp = tempfile::tempdir().unwrap();
    write_outputs_marked(tmp.path(), &dump, &results, &report, Some(marks)).unwrap();
    let html = fs::read_to_string(tmp.path().join("report.html")).unwrap();
    assert!(html.contains(
        "The history held nothing of this client before (its last run was run 7): its 6 findings are all new"
    ));
    assert!(!html.contains("<th>Change</th>"));
}
