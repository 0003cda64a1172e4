//! Feeds arbitrary text to the rule file loader: it must never panic, a refusal
//! must name the file, and a rule it accepts must run over a real client dump
//! (tests/fixtures/small-client) without panicking and with findings whose
//! evidence rows exist.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use telaudit_model::Dump;
use telaudit_rules::RuleSet;

fn dump() -> &'static Dump {
    static DUMP: OnceLock<Dump> = OnceLock::new();
    DUMP.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/small-client");
        telaudit_parse::read_client(std::path::Path::new(dir)).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match RuleSet::from_toml_str("FUZZ.toml", text) {
        Err(e) => assert!(e.to_string().contains("FUZZ.toml")),
        Ok(rule) => {
            let set = RuleSet::from_rules(vec![rule]).unwrap();
            let d = dump();
            let results = telaudit_rules::evaluate(&set, d);
            assert_eq!(results.len(), 1);
            for f in &results[0].findings {
                assert!(!f.evidence.is_empty() || !f.basis.is_empty() || !f.claims.is_empty());
                for e in &f.evidence {
                    assert!(d.rows.iter().any(|r| r.source == *e), "evidence {e:?} is no row");
                }
                assert!(f.first_period <= f.last_period);
            }
        }
    }
});
