//! The single-client flow shared by `telaudit audit` and `telaudit batch`:
//! read the client folder, run the rules, total, write the outputs.
//!
//! Both commands call exactly this code, so a client written by a batch run is
//! byte-identical to the same client written by `telaudit audit`.

use crate::cmd::CliError;
use std::path::Path;
use std::time::{Duration, Instant};
use telaudit_model::{Dump, RuleResult};
use telaudit_report::Report;
use telaudit_rules::RuleSet;

/// Test hook: when this environment variable names a client id, the pipeline
/// panics inside a parallel task (as a faulty rule would) while auditing that
/// client. Used by tests/e2e_batch.rs to check that a batch isolates a panic;
/// it has no other use and is not part of the command line.
pub const TEST_PANIC_ENV: &str = "TELAUDIT_TEST_PANIC_CLIENT";

/// An audited client, in memory.
pub struct Audited {
    pub dump: Dump,
    pub results: Vec<RuleResult>,
    pub report: Report,
    /// How long each phase took (name, duration); names starting with a space
    /// are parts of the phase before them.
    pub timings: Vec<(String, Duration)>,
}

/// Reads `client_dir`, runs `rules` over it and totals the findings.
///
/// Errors: [`CliError::Config`] for a bad client.toml, [`CliError::Failed`] when
/// the folder cannot be audited (unreadable, no invoices/, no charge rows).
pub fn audit_client(client_dir: &Path, rules: &RuleSet) -> Result<Audited, CliError> {
    let mut timings = Vec::new();
    let t = Instant::now();
    let dump = telaudit_parse::read_client(client_dir).map_err(|e| {
        if e.is_config() {
            CliError::Config(e.to_string())
        } else {
            CliError::Failed(e.to_string())
        }
    })?;
    timings.push(("read + normalize".to_string(), t.elapsed()));

    test_panic_hook(&dump.client);

    let t = Instant::now();
    let (results, rule_times) = telaudit_rules::evaluate_timed(rules, &dump);
    timings.push(("index + rules (wall)".to_string(), t.elapsed()));
    timings.push(("  index".to_string(), rule_times.index));
    for (name, d) in rule_times.rules {
        timings.push((format!("  {name}"), d));
    }

    let t = Instant::now();
    let report = telaudit_report::summarize(&dump, &results);
    timings.push(("totals".to_string(), t.elapsed()));
    Ok(Audited {
        dump,
        results,
        report,
        timings,
    })
}

/// Writes the client's outputs (report.json, findings.csv, report.md, ...) into `out`.
pub fn write_client(out: &Path, a: &mut Audited) -> Result<(), CliError> {
    let t = Instant::now();
    telaudit_report::write_outputs(out, &a.dump, &a.results, &a.report)
        .map_err(|e| CliError::Failed(format!("cannot write the outputs to {}: {e}", out.display())))?;
    a.timings.push(("write".to_string(), t.elapsed()));
    Ok(())
}

/// See [`TEST_PANIC_ENV`]. The panic is raised inside a rayon task, as a rule's
/// would be, so it crosses threads the same way.
fn test_panic_hook(client: &str) {
    if std::env::var(TEST_PANIC_ENV).is_ok_and(|c| c == client) {
        use rayon::prelude::*;
        (0..4u32).into_par_iter().for_each(|i| {
            if i == 3 {
                panic!("test hook {TEST_PANIC_ENV}: simulated rule panic for client {client}");
            }
        });
    }
}
