//! `telaudit audit`: audit one client's bill dump.
//!
//! ```text
//! Usage: telaudit audit <CLIENT_DIR> --out <DIR> [--rules DIR] [--layouts DIR] [--as-of YYYY-MM-DD] [--force] [--timings] [--quiet]
//!                      [--proposal-json FILE]
//!
//! Reads CLIENT_DIR (invoices/, inventory.csv, contracts.csv, plans.csv,
//! utilization.csv, claims.csv, client.toml), applies the rules, matches the
//! bills' credits to the filed claims of claims.csv (docs/recovery.md) and
//! writes report.json, findings.csv, report.md, report.html, report.xlsx, the
//! dispute files, with claims.csv recovery/ and, when input was refused,
//! rejected.csv into DIR. --proposal-json FILE also writes
//! the proposal object alone (schema telaudit.proposal/1) to FILE, for a
//! quoting tool; a client.toml without [proposal] is then exit 2.
//!
//! DIR may not be the client folder, hold it or lie inside its invoices/
//! (refused, exit 2). telaudit marks DIR as its own (.telaudit-out) and replaces
//! only its own output names there: a DIR holding other files and no marker is
//! refused unless --force is given (then they are left alone), a DIR whose
//! report.json is another client's (or not a telaudit report) is not
//! overwritten unless --force is given, and a name telaudit replaces that holds
//! something telaudit does not write (an analyst's file in disputes/) is
//! refused, --force or not. report.json is written last: when a write fails,
//! it is not written, and the earlier run's outputs this run did not replace
//! are removed (named in the message). FILE of --proposal-json may not lie in
//! the client folder or among the outputs (exit 2); a symbolic link, named
//! pipe or character device there (/dev/stdout) is written through, not
//! replaced.
//!
//! Exit status: 0 the audit ran; 1 some input was refused (the rest was audited,
//! the reasons are in rejected.csv), some file below invoices/ was not
//! recognised by any reader (listed in the reports), or the client could not be audited;
//! 2 bad command line or configuration.
//! ```

use super::{CliError, Outcome};
use std::path::{Path, PathBuf};
use std::time::Duration;
use telaudit_model::visible;

/// Audit one client folder and write its reports.
#[derive(clap::Args)]
pub struct Args {
    /// The client folder; its name is the client id.
    pub client_dir: PathBuf,
    /// Where to write the outputs (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// A folder of rule files (*.toml) that replaces the default rules.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// A folder of carrier layout files (*.toml) added to the built-in layouts
    /// (one named like a built-in layout replaces it).
    #[arg(long, value_name = "DIR")]
    pub layouts: Option<PathBuf>,
    /// The as-of date of the dispute windows (client.toml `[disputes]`): claims
    /// on invoices older than this date minus the carrier's window have expired.
    /// Default: the latest invoice_date in the dump (never the clock).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_as_of)]
    pub as_of: Option<telaudit_model::Date>,
    /// Write into --out even when it holds another client's report.
    #[arg(long)]
    pub force: bool,
    /// Print how long each phase took (read, rules, totals, write) to stderr.
    #[arg(long)]
    pub timings: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write the proposal object alone (schema `telaudit.proposal/1`,
    /// with the whole funding plan) to FILE, for a quoting tool.
    #[arg(long, value_name = "FILE")]
    pub proposal_json: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<Outcome, CliError> {
    let rules = super::rules::load(args.rules.as_deref())?;
    super::layouts::load(args.layouts.as_deref())?;
    check_out_dir(&args.client_dir, &args.out)?;
    let feed_target = match &args.proposal_json {
        Some(file) => Some(super::feed::check(file, &args.client_dir, &args.out)?),
        None => None,
    };
    check_out_ownership(&args.out, args.force)?;
    let mut audited = crate::pipeline::audit_client(&args.client_dir, &rules, args.as_of)?;
    if !args.force {
        check_out_owner(&args.out, &audited.dump.client)?;
    }
    // Refused before anything is written: the feed was asked for and cannot be made.
    let feed = match (&args.proposal_json, feed_target) {
        (Some(file), Some(target)) => match telaudit_report::proposal_json(&audited.report) {
            Some(json) => Some((target, json)),
            None => {
                return Err(CliError::Config(format!(
                    "--proposal-json {}: {} has no [proposal] in its client.toml; \
                     describe the proposal there (see docs/formats.md) or drop --proposal-json",
                    file.display(),
                    args.client_dir.display()
                )))
            }
        },
        _ => None,
    };
    crate::pipeline::write_client(&args.out, &mut audited)?;
    if let Some((target, json)) = feed {
        super::feed::write(&target, &json)?;
    }
    let crate::pipeline::Audited {
        dump,
        report,
        timings,
        ..
    } = &audited;
    let timings = Timings(timings.clone());

    if !args.quiet {
        for w in dump.warnings.iter().take(20) {
            eprintln!(
                "warning: {}: {}",
                visible(&w.place().to_string()),
                visible(&w.message)
            );
        }
        if dump.warnings.len() > 20 {
            eprintln!("warning: ... and {} more warnings", dump.warnings.len() - 20);
        }
        print_summary(dump, report, &args.out, args.as_of.is_none());
    }
    if args.timings {
        timings.print(dump.rows.len());
    }
    let unrecognised = report.input.unrecognised_files;
    if unrecognised > 0 {
        eprintln!(
            "telaudit: {unrecognised} file(s) below invoices/ not recognised by any reader; see {}",
            args.out.join("report.md").display()
        );
    }
    let outcome = if dump.rejected.is_empty() && unrecognised == 0 {
        Outcome::Clean
    } else {
        if !dump.rejected.is_empty() {
            eprintln!(
                "telaudit: {} input record(s) refused; see {}",
                dump.rejected.len(),
                args.out.join("rejected.csv").display()
            );
        }
        Outcome::Refusals
    };
    // The process exits right after: its memory goes back to the system whole.
    // Freeing the audit piece by piece first (every row, finding and line) took
    // 29-34 ms on a 1.4-million-row client. Nothing in it holds a file or a
    // thread (the outputs are written and synced above).
    std::mem::forget(audited);
    Ok(outcome)
}

/// The headline on the terminal: money as the reports show it (thousands
/// separators, client.toml's currency), the as-of date when it was not given,
/// the payback, and where report.html is.
fn print_summary(
    dump: &telaudit_model::Dump,
    report: &telaudit_report::Report,
    out: &Path,
    default_as_of: bool,
) {
    let t = &report.totals;
    let m = |d| telaudit_report::money_in(d, dump.config.currency.as_deref());
    println!(
        "{} ({}): {} charge rows from {} files, {} refused",
        visible(&dump.client),
        visible(dump.display_name()),
        report.input.rows,
        report.input.files,
        report.input.rejected_rows
    );
    if let (true, Some(d)) = (default_as_of, report.as_of) {
        println!(
            "  as of             {d}, the latest invoice date: the letters are dated by it and the \
             dispute windows count back from it (--as-of YYYY-MM-DD sets another)"
        );
    }
    println!("  findings          {}", t.findings);
    println!("  recoverable now   {}", m(t.recoverable));
    if !t.expired.is_zero() {
        println!("  too late to claim {}", m(t.expired));
    }
    println!("  monthly savings   {}", m(t.monthly));
    println!("  annual savings    {}", m(t.annual));
    println!("  first-year value  {}", m(t.first_year));
    if let Some(r) = &report.recovery {
        println!(
            "  claims filed      {} for {}: recovered {}, outstanding {}, {} overdue",
            r.claims.len(),
            m(r.claimed),
            m(r.recovered),
            m(r.outstanding),
            r.overdue
        );
    }
    if let Some(p) = &report.proposal {
        let payback = match p.payback_months {
            Some(1) => "1 month".to_string(),
            Some(n) => format!("{n} months"),
            None => "never".to_string(),
        };
        println!("  payback           {payback} (the cumulative cash flow, fees included, turns positive)");
        if p.shows_plan {
            println!(
                "  net present value {} over {} months",
                m(p.plan.npv.cents()),
                p.plan.horizon_months
            );
        }
    }
    println!("wrote {}", visible(&out.display().to_string()));
    println!(
        "open  {}",
        visible(&out.join("report.html").display().to_string())
    );
}

/// Refuses an output folder inside the client's invoices/ (its CSVs would be
/// read as bills on the next run), equal to the client folder (the outputs
/// would mix with the client's own files) or holding it (`audit ROOT/acme --out
/// ROOT`: the outputs would land among the client folders, whose names may be
/// telaudit's own output names); a sub-folder of the client folder outside
/// invoices/ is allowed (nothing there is read).
fn check_out_dir(client: &Path, out: &Path) -> Result<(), CliError> {
    if let (Ok(c), Some(out_abs)) = (client.canonicalize(), absolute_existing_prefix(out)) {
        if out_abs == c {
            return Err(CliError::Config(format!(
                "--out {} is the client folder itself: the outputs would mix with the client's files; \
                 choose another folder (a sub-folder such as {} is fine)",
                out.display(),
                client.join("telaudit-out").display()
            )));
        }
        if c.starts_with(&out_abs) {
            return Err(CliError::Config(format!(
                "--out {} holds the client folder {}: the outputs would land beside the client folders \
                 (a client named changes or disputes would be replaced); choose a folder outside it \
                 (nothing was written)",
                out.display(),
                client.display()
            )));
        }
    }
    let invoices = client.join("invoices");
    let (Ok(inv), Some(out_abs)) = (invoices.canonicalize(), absolute_existing_prefix(out)) else {
        return Ok(());
    };
    if out_abs.starts_with(&inv) {
        return Err(CliError::Config(format!(
            "--out {} lies inside {}: its CSV files would be read as bills next time; choose a folder outside invoices/",
            out.display(),
            invoices.display()
        )));
    }
    Ok(())
}

/// Refuses an output folder telaudit may not write into (exit 2, nothing
/// written): one where a name telaudit replaces holds something telaudit does
/// not write there (an analyst's file in `disputes/`, a folder named
/// report.html), whatever `--force` says; and, without `--force`, one that
/// holds other files but neither telaudit's marker nor a telaudit report.json
/// (a report written before the marker existed).
fn check_out_ownership(out: &Path, force: bool) -> Result<(), CliError> {
    use telaudit_report::owned;
    if !out.is_dir() {
        // Missing: created. Not a folder: the write says so (exit 1).
        return Ok(());
    }
    let found = owned::foreign(out, &[])
        .map_err(|e| CliError::Config(format!("--out {}: cannot list it: {e}", out.display())))?;
    if !found.inside.is_empty() {
        return Err(CliError::Config(format!(
            "--out {}: {} stand(s) where telaudit writes its outputs, and telaudit does not write such \
             files: a run would replace them; move them out of {} or choose another folder (nothing \
             was written, --force or not)",
            out.display(),
            owned::first_names(&found.inside, 5),
            out.display()
        )));
    }
    let ours = owned::has_marker(out) || report_owner(out).is_some();
    if force || ours || found.beside.is_empty() {
        return Ok(());
    }
    Err(CliError::Config(format!(
        "--out {} holds files telaudit did not write ({}) and no {} marker: choose a new or empty \
         folder, or pass --force to write beside them (telaudit then replaces only its own output \
         names, never a folder holding other files); nothing was written",
        out.display(),
        owned::first_names(&found.beside, 5),
        owned::MARKER
    )))
}

/// The client of a telaudit report.json in `out`, if there is one.
fn report_owner(out: &Path) -> Option<String> {
    let text = std::fs::read(out.join("report.json")).ok()?;
    serde_json::from_slice::<ReportOwner>(&text)
        .ok()
        .filter(|v| v.schema.starts_with("telaudit.report/"))
        .map(|v| v.client)
}

/// Who a report.json in an output folder belongs to: the two fields the
/// owner check reads, typed (other fields are ignored).
#[derive(serde::Deserialize)]
struct ReportOwner {
    schema: String,
    client: String,
}

/// Refuses to overwrite an output folder that holds another client's report
/// (report.json naming another client, or a report.json that is not telaudit's):
/// mixing two clients' files in one folder would put one client's figures in
/// the other's dispute. `--force` skips this check.
fn check_out_owner(out: &Path, client: &str) -> Result<(), CliError> {
    let path = out.join("report.json");
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(_) => return Ok(()),
    };
    let owner = serde_json::from_slice::<ReportOwner>(&text)
        .ok()
        .filter(|v| v.schema.starts_with("telaudit.report/"))
        .map(|v| v.client);
    match owner {
        Some(o) if o == client => Ok(()),
        Some(o) => Err(CliError::Config(format!(
            "--out {} holds the report of another client ({o:?}, in {}); choose another folder, or \
             pass --force to replace it with {client:?}'s",
            out.display(),
            path.display()
        ))),
        None => Err(CliError::Config(format!(
            "--out {}: {} is not a telaudit report; choose another folder, or pass --force to \
             overwrite it",
            out.display(),
            path.display()
        ))),
    }
}

/// The canonical form of `p`'s deepest existing ancestor, with the rest appended.
pub(crate) fn absolute_existing_prefix(p: &Path) -> Option<PathBuf> {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(p)
    };
    let mut rest = Vec::new();
    let mut cur = abs.as_path();
    loop {
        if let Ok(c) = cur.canonicalize() {
            let mut full = c;
            for part in rest.iter().rev() {
                full.push(part);
            }
            return Some(full);
        }
        rest.push(cur.file_name()?.to_os_string());
        cur = cur.parent()?;
    }
}

struct Timings(Vec<crate::pipeline::Timing>);

impl Timings {
    fn print(&self, rows: usize) {
        // Parts are inside their phase's time: only whole phases add up.
        let total: Duration = self.0.iter().filter(|t| !t.part).map(|t| t.took).sum();
        for t in &self.0 {
            // A part is indented under its phase.
            let indent = if t.part { "  " } else { "" };
            let name = format!("{indent}{}", t.name);
            eprintln!("timing {name:<28} {:>9.1} ms", t.took.as_secs_f64() * 1e3);
        }
        let secs = total.as_secs_f64();
        let rate = if secs > 0.0 { rows as f64 / secs } else { 0.0 };
        eprintln!(
            "timing {:<28} {:>9.1} ms ({rows} rows, {rate:.0} rows/s)",
            "total",
            secs * 1e3
        );
    }
}
