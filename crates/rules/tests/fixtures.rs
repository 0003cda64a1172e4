//! One fixture folder per rule kind (as ruff keeps its rule fixtures):
//! `tests/fixtures/<kind>/` holds `client/` (a tiny client folder: the bill rows, and
//! inventory or contracts when the kind reads them), `rule.toml` (the rule to run)
//! and `expected.txt` (its findings, written out and checked by hand). Each kind's
//! doc-comment example is its fixture: the same rows and the same figures. Every
//! fixture has a case that must be found and a look-alike that must not.
//!
//! `BLESS=1 cargo test -p telaudit-rules --test fixtures` writes the findings of a
//! fixture that has no `expected.txt` yet; read them before committing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use telaudit_model::{money_string, ClaimKey, Dump, Finding};
use telaudit_rules::{evaluate, kinds, RuleSet};

/// The findings of one fixture as plain text, one block per finding.
fn render(dump: &Dump, findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let service = if f.service.is_empty() {
            "-"
        } else {
            dump.s(f.service)
        };
        let _ = writeln!(
            out,
            "{} {}/{}/{}: {}",
            f.rule,
            dump.s(f.carrier),
            dump.s(f.account),
            service,
            f.description
        );
        let _ = writeln!(
            out,
            "  recoverable {}, monthly {}",
            money_string(f.recoverable),
            money_string(f.monthly)
        );
        let locs = |refs: &[telaudit_model::SourceRef]| {
            refs.iter()
                .map(|r| dump.locate(*r))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(out, "  evidence {}", locs(&f.evidence));
        if !f.basis.is_empty() {
            let _ = writeln!(out, "  basis {}", locs(&f.basis));
        }
        for c in &f.claims {
            let on = match c.key {
                ClaimKey::Row(r) => dump.locate(dump.rows[r as usize].source),
                ClaimKey::MissingCredit {
                    service,
                    period,
                    code,
                    ..
                } => {
                    format!("missing credit {} {} {period}", dump.s(code), dump.s(service))
                }
            };
            let _ = writeln!(
                out,
                "  claim {on}: recoverable {}, monthly {}",
                money_string(c.recoverable),
                money_string(c.monthly)
            );
        }
    }
    out
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn run_fixture(dir: &Path) -> String {
    let rule_text = std::fs::read_to_string(dir.join("rule.toml")).expect("the fixture has rule.toml");
    let rule = RuleSet::from_toml_str("rule.toml", &rule_text).expect("the fixture's rule loads");
    let set = RuleSet::from_rules(vec![rule]).expect("one rule");
    let dump = telaudit_parse::read_client(&dir.join("client")).expect("the fixture's client folder reads");
    assert!(
        dump.rejected.is_empty(),
        "{}: rows refused: {:?}",
        dir.display(),
        dump.rejected
    );
    let results = evaluate(&set, &dump);
    render(&dump, &results[0].findings)
}

#[test]
fn every_kind_has_a_fixture_and_finds_what_it_expects() {
    let mut failures = Vec::new();
    for k in kinds::REGISTRY {
        let dir = fixtures().join(k.name);
        assert!(
            dir.is_dir(),
            "kind {} has no fixture folder {}",
            k.name,
            dir.display()
        );
        let rule_text = std::fs::read_to_string(dir.join("rule.toml")).unwrap_or_default();
        assert!(
            rule_text.contains(&format!("kind = \"{}\"", k.name)),
            "{}/rule.toml is not a rule of kind {}",
            dir.display(),
            k.name
        );
        let got = run_fixture(&dir);
        let expected_path = dir.join("expected.txt");
        match std::fs::read_to_string(&expected_path) {
            Ok(want) if want == got => {}
            Ok(want) => failures.push(format!("{}:\n--- expected ---\n{want}--- got ---\n{got}", k.name)),
            Err(_) if std::env::var_os("BLESS").is_some() => {
                std::fs::write(&expected_path, &got).expect("expected.txt is writable");
            }
            Err(_) => failures.push(format!("{}: no expected.txt; got:\n{got}", k.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_folder_names_a_kind() {
    for entry in std::fs::read_dir(fixtures()).expect("tests/fixtures is readable") {
        let path = entry.expect("a readable entry").path();
        if path.is_dir() {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            assert!(
                kinds::lookup(&name).is_some(),
                "tests/fixtures/{name} names no kind"
            );
        }
    }
}
