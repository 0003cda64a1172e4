//! One fixture folder per matching case of docs/recovery.md (as the rule kinds
//! keep theirs): `tests/fixtures/<case>/` holds `client/` (a tiny client folder:
//! the bill rows, claims.csv, and contracts, inventory or client.toml when the
//! case needs them), an optional `as_of` (the `--as-of` date; else the latest
//! invoice date) and `expected.txt`: the claims, the credits and the covered
//! dispute lines, written out and checked by hand. Every fixture has a case that
//! must match and a look-alike that must not.
//!
//! `BLESS=1 cargo test -p telaudit-recovery --test fixtures` writes the result of
//! a fixture that has no `expected.txt` yet; read it before committing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use telaudit_model::{money_string, ClaimKey, Date, Dump, RuleResult};
use telaudit_recovery::{late_claims_warning, recover, Recovery};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The dump of a fixture's client folder, as of its `as_of` file when it has one,
/// and the default rules' results (dispute windows applied).
fn audit(dir: &Path) -> (Dump, Vec<RuleResult>) {
    let mut dump = telaudit_parse::read_client(&dir.join("client")).expect("the fixture's client reads");
    if let Ok(text) = std::fs::read_to_string(dir.join("as_of")) {
        dump.as_of = Some(Date::parse(text.trim()).expect("as_of holds a date"));
    }
    let results = telaudit_rules::evaluate(&telaudit_rules::RuleSet::defaults(), &dump);
    (dump, results)
}

/// The recovery of one fixture as plain text.
fn render(dump: &Dump, results: &[RuleResult], rec: &Recovery) -> String {
    let mut out = String::new();
    let place = |id: u32| dump.locate(dump.rows[id as usize].source);
    let _ = writeln!(out, "claims (response_days {})", rec.response_days);
    for s in &rec.claims {
        let c = rec.claim(dump, s);
        let credits: Vec<String> = s.credits.iter().map(|&r| place(r)).collect();
        let _ = writeln!(
            out,
            "  {} {}/{} filed {} amount {}: {}, recovered {}, outstanding {}, {} days, credits [{}]",
            c.claim_id,
            dump.s(c.carrier),
            dump.s(c.account),
            c.filed_on,
            money_string(c.amount.to_decimal()),
            s.status.as_str(),
            money_string(s.recovered),
            money_string(s.outstanding),
            s.days_open,
            credits.join(", ")
        );
    }
    let _ = writeln!(out, "credits");
    for c in &rec.credits {
        let row = &dump.rows[c.row as usize];
        let ids: Vec<&str> = c
            .claims
            .iter()
            .map(|&k| rec.claim(dump, &rec.claims[k]).claim_id.as_str())
            .collect();
        let _ = writeln!(
            out,
            "  {} {} {} {:?} {}: {} [{}]",
            place(c.row),
            row.invoice_date,
            dump.s(row.charge_code),
            dump.s(row.description),
            money_string(row.amount.to_decimal()),
            c.matched.as_str(),
            ids.join(";")
        );
    }
    let _ = writeln!(out, "covered");
    let mut covered: Vec<(String, String)> = rec
        .coverage
        .by_key
        .iter()
        .map(|(k, &i)| {
            let on = match *k {
                ClaimKey::Row(r) => place(r),
                ClaimKey::MissingCredit { period, code, .. } => {
                    format!("missing credit {} {period}", dump.s(code))
                }
            };
            (on, telaudit_recovery::ledger(dump)[i].claim_id.clone())
        })
        .collect();
    covered.sort();
    for (on, id) in covered {
        let _ = writeln!(out, "  {on} by {id}");
    }
    let _ = writeln!(out, "findings");
    for f in results.iter().flat_map(|r| &r.findings) {
        if !f.recoverable.is_zero() || !f.expired.is_zero() {
            let _ = writeln!(
                out,
                "  {}: recoverable {}, expired {}",
                f.key,
                money_string(f.recoverable),
                money_string(f.expired)
            );
        }
    }
    let _ = writeln!(out, "warnings");
    let late = late_claims_warning(dump);
    for w in dump.warnings.iter().chain(late.as_ref()) {
        let _ = writeln!(out, "  {}: {}", w.place(), w.message);
    }
    for r in &dump.rejected {
        let _ = writeln!(out, "  refused {}: {}", r.place(), r.reason);
    }
    out
}

#[test]
fn every_fixture_gives_its_expected_recovery() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures exists")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 12, "{} fixtures", dirs.len());
    let mut failed = Vec::new();
    for dir in &dirs {
        let (dump, results) = audit(dir);
        let rec = recover(&dump, &results).expect("every fixture has claims.csv");
        let got = render(&dump, &results, &rec);
        let expected = dir.join("expected.txt");
        match std::fs::read_to_string(&expected) {
            Ok(want) if want == got => {}
            Ok(want) => failed.push(format!("{}:\n--- expected\n{want}--- got\n{got}", dir.display())),
            Err(_) if std::env::var_os("BLESS").is_some() => {
                std::fs::write(&expected, &got).expect("write expected.txt");
            }
            Err(_) => failed.push(format!("{}: no expected.txt; got\n{got}", dir.display())),
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
