//! The single-client flow shared by `telaudit audit` and `telaudit batch`:
//! read the client folder, run the rules, match the ledger's claims to the
//! credits (docs/recovery.md), total, write the outputs.
//!
//! Both commands call exactly this code, so a client written by a batch run is
//! byte-identical to the same client written by `telaudit audit`, with one
//! exception: a batch run with a finding history marks report.html's findings
//! that are new since the last run (docs/history.md).

use crate::cmd::CliError;
use std::path::Path;
use std::time::{Duration, Instant};
use telaudit_model::{Date, Dump, RuleResult};
use telaudit_report::{CarrierLines, Report};
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
    /// The dispute and change lines the outputs render.
    pub lines: CarrierLines,
    /// How long each phase took, in the order run.
    pub timings: Vec<Timing>,
}

/// How long one phase of an audit took (`--timings`).
#[derive(Clone, Debug)]
pub struct Timing {
    /// The phase, e.g. `read + normalize`, or a rule id for a part.
    pub name: String,
    /// A part of the last whole phase before it (the index and each rule are
    /// parts of `index + rules`): shown indented, not added to the total.
    pub part: bool,
    /// The wall-clock time it took.
    pub took: Duration,
}

impl Timing {
    /// A whole phase.
    fn phase(name: &str, took: Duration) -> Timing {
        Timing {
            name: name.to_string(),
            part: false,
            took,
        }
    }

    /// A part of the phase before it.
    fn part(name: String, took: Duration) -> Timing {
        Timing {
            name,
            part: true,
            took,
        }
    }
}

/// Reads `client_dir`, runs `rules` over it, totals the findings and makes the
/// dispute and change lines (the two in parallel: both only read the
/// findings). `as_of` is
/// the dispute windows' as-of date (`--as-of`); `None`: the latest invoice_date.
///
/// Errors: [`CliError::Config`] for a bad client.toml, [`CliError::Failed`] when
/// the folder cannot be audited (unreadable, no invoices/, no charge rows).
pub fn audit_client(client_dir: &Path, rules: &RuleSet, as_of: Option<Date>) -> Result<Audited, CliError> {
    let mut timings = Vec::new();
    let t = Instant::now();
    let mut dump = telaudit_parse::read_client(client_dir).map_err(|e| {
        if e.is_config() {
            CliError::Config(e.to_string())
        } else {
            CliError::Failed(e.to_string())
        }
    })?;
    check_as_of(&dump, as_of)?;
    dump.as_of = as_of;
    // The as-of date is known now: claims filed after it take no part (one warning).
    if let Some(w) = telaudit_recovery::late_claims_warning(&dump) {
        dump.warnings.push(w);
    }
    timings.push(Timing::phase("read + normalize", t.elapsed()));

    test_panic_hook(&dump.client);

    let t = Instant::now();
    let (results, rule_times) = telaudit_rules::evaluate_timed(rules, &dump);
    timings.push(Timing::phase("index + rules (wall)", t.elapsed()));
    timings.push(Timing::part("index".to_string(), rule_times.index));
    for (name, d) in rule_times.rules {
        timings.push(Timing::part(name, d));
    }

    // The ledger, once: the totals and the dispute lines both read it.
    let t = Instant::now();
    let recovery = telaudit_recovery::recover(&dump, &results);
    if recovery.is_some() {
        timings.push(Timing::phase("recovery (claims, credits)", t.elapsed()));
    }

    let t = Instant::now();
    let rec = recovery.as_ref();
    // The overlap rule once: the totals and the dispute lines both read it.
    let (claims, resolved) = timed(|| telaudit_report::resolve_claims(&results));
    let ((report, summary), (lines, made)) = rayon::join(
        || timed(|| telaudit_report::summarize_resolved(&dump, &results, rec, &claims)),
        || timed(|| telaudit_report::carrier_lines_resolved(&dump, &results, rec, &claims)),
    );
    drop(claims);
    timings.push(Timing::phase("totals + lines (wall)", t.elapsed()));
    timings.push(Timing::part(
        "overlap rule (claims resolved)".to_string(),
        resolved,
    ));
    timings.push(Timing::part("totals".to_string(), summary));
    timings.push(Timing::part("dispute and change lines".to_string(), made));
    Ok(Audited {
        dump,
        results,
        report,
        lines,
        timings,
    })
}

/// Refuses an `--as-of` before every invoice of the dump (exit 2): the letters
/// would be dated before the bills they dispute, and no claim could expire.
fn check_as_of(dump: &Dump, as_of: Option<Date>) -> Result<(), CliError> {
    let (Some(a), Some(first)) = (as_of, dump.rows.iter().map(|r| r.invoice_date).min()) else {
        return Ok(());
    };
    if a >= first {
        return Ok(());
    }
    Err(CliError::Config(format!(
        "--as-of {a} is before every invoice of {} (the earliest invoice_date is {first}): the dispute \
         letters would be dated before the bills they dispute; give a date on or after {first}, or leave \
         --as-of out (the latest invoice_date)",
        telaudit_model::visible(&dump.client)
    )))
}

/// `f`'s value and how long it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed())
}

/// Writes the client's outputs (report.json, findings.csv, report.md, ...) into `out`.
pub fn write_client(out: &Path, a: &mut Audited) -> Result<(), CliError> {
    write_client_marked(out, a, None)
}

/// As [`write_client`]; a batch run with a history passes `marks`, and then its
/// report.html (only) marks the findings new or reopened since the last run.
pub fn write_client_marked(
    out: &Path,
    a: &mut Audited,
    marks: Option<telaudit_report::HistoryMarks<'_>>,
) -> Result<(), CliError> {
    let t = Instant::now();
    let parts = telaudit_report::write_outputs_timed(out, &a.dump, &a.results, &a.report, &a.lines, marks)
        .map_err(|e| CliError::Failed(format!("cannot write the outputs to {}: {e}", out.display())))?;
    a.timings.push(Timing::phase("write (wall)", t.elapsed()));
    // The parts run concurrently: each its own time, overlapping.
    for (name, took) in parts {
        a.timings.push(Timing::part(name.to_string(), took));
    }
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
