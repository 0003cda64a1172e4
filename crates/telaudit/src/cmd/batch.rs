//! `telaudit batch`: audit every client folder under a root.
//!
//! ```text
//! Usage: telaudit batch <ROOT> --out <DIR> [--rules DIR] [--layouts DIR] [--as-of YYYY-MM-DD] [--force] [--shard I/N] [--quiet]
//!
//! Every sub-folder of ROOT (hidden ones skipped) is a client folder. Each is
//! audited as `telaudit audit` would and written to DIR/<client>/, whole or not
//! at all; DIR/summary.csv and DIR/summary.json hold one row per client (client,
//! status, rows, billed_total, recoverable, monthly, first_year, expired, error), sorted
//! by client id; DIR/index.html links every client's report.
//!
//! status: audited, unchanged (its input, the rules and telaudit's version are
//! as when its stored output was written: reused, unless --force), or error
//! (the reason is in the error column; the other clients still run).
//!
//! --shard I/N audits only the clients with FNV-1a-64(client id) mod N = I-1;
//! merge the shards' summaries with `telaudit merge-summaries`.
//!
//! --history URL: where the finding history lives: sqlite:PATH or
//! postgres://user:password@host:port/database; default DIR/history.sqlite.
//! The run records its findings there in one transaction after the clients'
//! folders are written (new, resolved, reopened, grown; docs/history.md), the
//! summaries gain new_findings, resolved_findings and grown_findings, and
//! DIR/review.csv lists every finding that changed in the run with its money
//! before and after (index.html links it; `telaudit history DIR --changes`
//! prints the same). `telaudit history DIR` shows the history. Shards: give
//! them one PostgreSQL history, or each its own --out (and so its own SQLite
//! file).
//!
//! Exit status: 0 every client audited or unchanged without refused input or
//! unrecognised files; 1 some client failed, had input refused or had files no
//! reader recognised; 2 bad command line or
//! configuration (--rules, --shard, ROOT), another batch holds DIR's lock, or
//! the history cannot be read or written (the clients' folders and the
//! summaries are still written).
//! ```

use super::{CliError, Outcome};
use crate::batch::{self, lock, store, summary, Done, Settings};
use crate::history;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;
use summary::BatchStatus;
use telaudit_model::{money_string, visible, Decimal};

/// Audit every client folder under ROOT (in parallel, incrementally).
#[derive(clap::Args)]
pub struct Args {
    /// The folder whose sub-folders are the client folders.
    pub root: PathBuf,
    /// Where to write the clients' folders and the summaries (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// A folder of rule files (*.toml) that replaces the default rules.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// A folder of carrier layout files (*.toml) added to the built-in layouts
    /// (one named like a built-in layout replaces it); part of the fingerprint.
    #[arg(long, value_name = "DIR")]
    pub layouts: Option<PathBuf>,
    /// The as-of date of the dispute windows, for every client (default: each
    /// client's latest invoice_date); part of the fingerprint.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_as_of)]
    pub as_of: Option<telaudit_model::Date>,
    /// Audit every client, also those whose stored output is current.
    #[arg(long)]
    pub force: bool,
    /// Audit only shard I of N (1-based): clients with FNV-1a-64(id) mod N = I-1.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// The finding history: sqlite:PATH or postgres://user:password@host:port/db
    /// (default: DIR/history.sqlite).
    #[arg(long, value_name = "URL")]
    pub history: Option<String>,
}

pub fn run(args: Args) -> Result<Outcome, CliError> {
    let started = Instant::now();
    let rules = super::rules::load(args.rules.as_deref())?;
    let layouts_hash = super::layouts::load(args.layouts.as_deref())?;
    let shard = args
        .shard
        .as_deref()
        .map(batch::parse_shard)
        .transpose()
        .map_err(CliError::Config)?;
    check_root(&args)?;
    check_out_not_in_root(&args.root, &args.out)?;
    let location = history::Location::parse(args.history.as_deref(), &args.out).map_err(CliError::Config)?;
    // Discovery only reads ROOT: a refused history leaves --out as it was.
    let all = batch::discover(&args.root).map_err(CliError::Config)?;
    if all.is_empty() {
        return Err(CliError::Config(format!(
            "{} holds no client folders; give the folder whose sub-folders are the clients",
            args.root.display()
        )));
    }
    check_history_path(&location, &args, &all)?;
    let _lock = lock_out(&args)?;
    let clients: Vec<_> = match shard {
        Some((i, n)) => all
            .into_iter()
            .filter(|c| batch::fingerprint::shard_of(&c.id, n) == i)
            .collect(),
        None => all,
    };
    let total = clients.len() as u64;
    let (store, snapshot, mut history_error) = open_history(&location);
    let store = store.map(std::sync::Mutex::new);
    let settings = Settings {
        history: snapshot.as_ref(),
        store: store.as_ref(),
        out: &args.out,
        rules: &rules,
        rules_hash: batch::fingerprint::with_as_of(
            batch::fingerprint::with_layouts(batch::fingerprint::rules_hash(&rules), layouts_hash),
            args.as_of,
        ),
        as_of: args.as_of,
        force: args.force,
    };

    let progress = Progress::new(total, args.quiet);
    // A panicking client is reported in its summary row; the default hook
    // would also print it to stderr in the middle of the progress output.
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let done = batch::run_all(clients, &settings, &|id| progress.start(id), &|d| {
        progress.done(d)
    });
    drop(std::panic::take_hook());
    std::panic::set_hook(previous_hook);
    progress.finish();

    let mut done = done;
    let mut history_note = None;
    let mut review = None;
    // A store a client's thread panicked on is still the store: its statements are whole.
    let store = store.map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()));
    if let Some(mut store) = store {
        match record_history(&mut store, &mut done, shard) {
            Ok((note, changes)) => {
                let read = snapshot.as_ref().map_or(0.0, |s| s.took.as_secs_f64());
                history_note = Some(format!(
                    "{note}, read before the run in {read:.2} s ({})",
                    location.describe()
                ));
                review = Some(changes);
            }
            Err(e) => history_error = Some(e),
        }
    }
    let rows: Vec<summary::SummaryRow> = done.iter().map(|d| d.row.clone()).collect();
    write_summaries(&args.out, &done, &rows, review.as_ref())?;
    if !args.quiet {
        print_screen(
            &args,
            shard,
            &done,
            progress.rows.load(Ordering::Relaxed),
            started,
        );
        if let Some(note) = history_note {
            println!("{note}");
        }
    }
    if let Some(e) = history_error {
        return Err(CliError::Config(format!(
            "{e}; the clients' folders and the summaries were written, but the history was not updated"
        )));
    }
    let failed = done
        .iter()
        .any(|d| d.row.status == BatchStatus::Error || d.refused > 0 || d.unrecognised);
    Ok(if failed { Outcome::Refusals } else { Outcome::Clean })
}

/// ROOT must be a folder of client folders, not one client folder.
fn check_root(args: &Args) -> Result<(), CliError> {
    if !args.root.is_dir() {
        return Err(CliError::Config(format!(
            "{} is not a folder; give the folder that holds one folder per client",
            args.root.display()
        )));
    }
    if args.root.join("invoices").is_dir() {
        // `telaudit batch CLIENT`: one client folder given for the folder of clients.
        return Err(CliError::Config(format!(
            "{} holds invoices/: it looks like one client folder, not a folder of client folders; \
             audit it with `telaudit audit {} --out DIR`, or give batch the folder that holds it",
            args.root.display(),
            args.root.display()
        )));
    }
    Ok(())
}

/// Creates `--out`, takes its lock (one batch at a time) and removes what an
/// interrupted run left there.
fn lock_out(args: &Args) -> Result<lock::Lock, CliError> {
    std::fs::create_dir_all(&args.out)
        .map_err(|e| CliError::Config(format!("cannot create --out {}: {e}", args.out.display())))?;
    let held = lock::acquire(&args.out).map_err(|e| match e {
        lock::LockError::Held { path, pid } => CliError::Config(format!(
            "another batch run (process {pid}) is writing to {}; wait for it to finish \
             (its lock is {})",
            args.out.display(),
            path.display()
        )),
        lock::LockError::Io(m) => CliError::Config(m),
    })?;
    let cleaned = store::clean_leftovers(&args.out).map_err(CliError::Failed)?;
    if cleaned > 0 && !args.quiet {
        eprintln!(
            "telaudit batch: removed {cleaned} leftover(s) of an interrupted run in {}",
            args.out.display()
        );
    }
    Ok(held)
}

/// Opens the history and reads it as it is before the run. On failure the run
/// goes on without it (no marks, empty new/resolved cells) and ends with exit 2.
fn open_history(
    loc: &history::Location,
) -> (Option<history::Store>, Option<history::Snapshot>, Option<String>) {
    let t = Instant::now();
    let opened = history::Store::open(loc).and_then(|mut s| {
        let mut snap = s.snapshot()?;
        snap.took = t.elapsed();
        Ok((s, snap))
    });
    match opened {
        Ok((s, snap)) => (Some(s), Some(snap), None),
        Err(e) => (None, None, Some(e)),
    }
}

/// Records the run in the history (one transaction) and puts each client's
/// counts into its summary row (not for a failed client, whose cells stay empty).
/// Returns the final screen's line about it (the run id, the findings of
/// audited clients and how long the transaction took) and the run's changes,
/// read back from the history as `telaudit history --changes --run N` reads them.
fn record_history(
    store: &mut history::Store,
    done: &mut [Done],
    shard: Option<(u64, u64)>,
) -> Result<(String, history::RunChanges), String> {
    let t = Instant::now();
    let runs: Vec<history::ClientRun> = done
        .iter()
        .map(|d| history::ClientRun {
            client: d.row.client.clone(),
            status: d.row.status,
            recoverable: d.row.recoverable.map(|c| c.to_string()),
            monthly: d.row.monthly.map(|c| c.to_string()),
            recovered: d.row.recovered.map(|c| c.to_string()),
            outstanding: d.row.outstanding.map(|c| c.to_string()),
            update: d.update.clone(),
        })
        .collect();
    let shard = shard.map(|(i, n)| format!("{i}/{n}")).unwrap_or_default();
    let findings: usize = runs
        .iter()
        .map(|r| match &r.update {
            history::Update::Audited(items, _) => items.len(),
            _ => 0,
        })
        .sum();
    let (run, counts) = store.record_run(&runs, &shard)?;
    for (d, n) in done.iter_mut().zip(counts) {
        if d.row.status != BatchStatus::Error {
            d.row.new_findings = Some(n.new);
            d.row.resolved_findings = Some(n.resolved);
            d.row.grown_findings = Some(n.grown);
        }
    }
    let took = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let changes = store.changes(Some(run), None)?;
    Ok((
        format!(
            "  history           run {run}: {findings} findings of audited clients recorded in {took:.2} s; \
             {} changed (review.csv, read back in {:.2} s)",
            changes.rows.len(),
            t.elapsed().as_secs_f64()
        ),
        changes,
    ))
}

/// Refuses an output folder among the client folders (it would be read as a
/// client next time); a hidden folder inside ROOT is fine.
fn check_out_not_in_root(root: &Path, out: &Path) -> Result<(), CliError> {
    let Ok(root_abs) = root.canonicalize() else {
        return Ok(());
    };
    let out_abs = if out.is_absolute() {
        out.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(out))
            .unwrap_or_else(|_| out.to_path_buf())
    };
    // Resolve the deepest existing ancestor, keep the rest as written.
    let mut rest = Vec::new();
    let mut cur = out_abs.as_path();
    let resolved = loop {
        if let Ok(c) = cur.canonicalize() {
            break Some(rest.iter().rev().fold(c, |p: PathBuf, part| p.join(part)));
        }
        match (cur.file_name(), cur.parent()) {
            (Some(n), Some(p)) => {
                rest.push(n.to_os_string());
                cur = p;
            }
            _ => break None,
        }
    };
    let Some(out_abs) = resolved else { return Ok(()) };
    if let Ok(under) = out_abs.strip_prefix(&root_abs) {
        let first = under
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        if !first.is_some_and(|f| f.starts_with('.')) {
            return Err(CliError::Config(format!(
                "--out {} lies inside {}: it would be read as a client folder; choose a folder outside it",
                out.display(),
                root.display()
            )));
        }
    }
    Ok(())
}

/// Refuses a SQLite history where the batch would destroy it or read it as
/// input: inside ROOT (a client would change every night, or a folder of
/// histories be read as a client), the output folder itself, one of the names
/// the batch writes into it (summary.json, review.csv, the lock, a leftover), or inside a
/// client's output folder (replaced whole on every run). Exit 2, before any
/// client is audited.
fn check_history_path(
    loc: &history::Location,
    args: &Args,
    clients: &[batch::ClientFolder],
) -> Result<(), CliError> {
    let history::Location::Sqlite(path) = loc else {
        return Ok(());
    };
    let Some(abs) = super::audit::absolute_existing_prefix(path) else {
        return Ok(());
    };
    let refuse = |why: String| {
        CliError::Config(format!(
            "--history sqlite:{}: {why}; keep the history beside the outputs (the default is {}) or \
             anywhere outside ROOT",
            path.display(),
            args.out.join("history.sqlite").display()
        ))
    };
    let out = super::audit::absolute_existing_prefix(&args.out);
    if let Ok(root) = args.root.canonicalize() {
        // An --out inside ROOT is a hidden folder (checked before): the history may go there.
        if abs.starts_with(&root) && !out.as_ref().is_some_and(|o| abs.starts_with(o)) {
            return Err(refuse(format!(
                "it lies inside {}, the folder of client folders: it would be read as client input",
                args.root.display()
            )));
        }
    }
    let Some(out) = out else {
        return Ok(());
    };
    let Ok(rest) = abs.strip_prefix(&out) else {
        return Ok(());
    };
    let Some(first) = rest.components().next() else {
        return Err(refuse("it is the output folder itself".into()));
    };
    let first = first.as_os_str().to_string_lossy();
    let deeper = rest.components().count() > 1;
    let written = (batch::RESERVED.contains(&first.as_ref()) && first != "history.sqlite")
        || first == batch::lock::LOCK_NAME
        || first.starts_with(".tmp-")
        || first.starts_with(".old-");
    if written {
        return Err(refuse(format!(
            "{} is a file the batch writes into --out: the history would be overwritten",
            first
        )));
    }
    if clients.iter().any(|c| c.id == first) {
        return Err(refuse(format!(
            "it {} the output folder of client {first:?}, which the batch replaces whole: the history \
             would be swapped away",
            if deeper { "lies inside" } else { "is" }
        )));
    }
    Ok(())
}

/// summary.json, summary.csv, review.csv (the run's changes, when the history
/// recorded the run) and index.html, each written atomically. Without this
/// run's changes an earlier run's review.csv is removed: it would pass for this
/// run's.
fn write_summaries(
    out: &Path,
    done: &[Done],
    rows: &[summary::SummaryRow],
    review: Option<&history::RunChanges>,
) -> Result<(), CliError> {
    let w = |name: &str, text: String| {
        store::write_file_atomic(out, name, text.as_bytes()).map_err(CliError::Failed)
    };
    w("summary.json", summary::summary_json(rows))?;
    w("summary.csv", summary::summary_csv(rows))?;
    match review {
        Some(c) => w("review.csv", super::history::changes_csv(c))?,
        None => match std::fs::remove_file(out.join("review.csv")) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(CliError::Failed(format!(
                    "cannot remove the earlier run's {}: {e}",
                    out.join("review.csv").display()
                )))
            }
            _ => {}
        },
    }
    let index: Vec<telaudit_report::BatchIndexRow> = done.iter().map(index_row).collect();
    let counts = review.map(super::history::change_counts);
    w("index.html", telaudit_report::batch_index_html(&index, counts))
}

/// A summary figure as a number; a failed client's missing figure counts as 0.
fn money(c: &Option<summary::Cents>) -> Decimal {
    c.map_or(Decimal::ZERO, summary::Cents::value)
}

/// The index row, with the summary's (rounded) figures, so the page's totals
/// are the same on a first run and on a rerun that reuses stored clients.
fn index_row(d: &Done) -> telaudit_report::BatchIndexRow {
    telaudit_report::BatchIndexRow {
        client: d.row.client.clone(),
        name: d.name.clone(),
        status: d.row.status,
        rows: d.row.rows.unwrap_or(0),
        billed_total: money(&d.row.billed_total),
        recoverable: money(&d.row.recoverable),
        monthly: money(&d.row.monthly),
        first_year: money(&d.row.first_year),
        expired: money(&d.row.expired),
        npv: d.row.npv.map(summary::Cents::value),
        payback: d.row.payback_months.map(|p| p.to_string()).unwrap_or_default(),
        error: d.row.error.clone().unwrap_or_default(),
        has_report: d.row.status != BatchStatus::Error,
        new_findings: d.row.new_findings,
        resolved_findings: d.row.resolved_findings,
        grown_findings: d.row.grown_findings,
        recovered: d.row.recovered.map(summary::Cents::value),
        outstanding: d.row.outstanding.map(summary::Cents::value),
    }
}

/// The one-screen summary at the end of a run.
fn print_screen(args: &Args, shard: Option<(u64, u64)>, done: &[Done], rows_read: u64, started: Instant) {
    let rows: Vec<summary::SummaryRow> = done.iter().map(|d| d.row.clone()).collect();
    let shard_note = shard
        .map(|(i, n)| format!(" (shard {i}/{n})"))
        .unwrap_or_default();
    println!(
        "batch of {} client(s){shard_note} into {}: {}",
        done.len(),
        args.out.display(),
        summary::counts(&rows)
    );
    let secs = started.elapsed().as_secs_f64();
    let rate = if secs > 0.0 { rows_read as f64 / secs } else { 0.0 };
    println!("  rows read         {rows_read} in {secs:.1} s ({rate:.0} rows/s)");
    let sum = |f: fn(&summary::SummaryRow) -> &Option<summary::Cents>| {
        rows.iter().map(|r| money(f(r))).sum::<Decimal>()
    };
    println!("  recoverable now   {}", money_string(sum(|r| &r.recoverable)));
    println!("  monthly savings   {}", money_string(sum(|r| &r.monthly)));
    println!("  first-year value  {}", money_string(sum(|r| &r.first_year)));
    let expired = sum(|r| &r.expired);
    if !expired.is_zero() {
        println!("  too late to claim {}", money_string(expired));
    }
    if rows.iter().any(|r| r.recovered.is_some()) {
        println!(
            "  recovered         {} (outstanding {})",
            money_string(sum(|r| &r.recovered)),
            money_string(sum(|r| &r.outstanding))
        );
    }
    let refused: Vec<&Done> = done.iter().filter(|d| d.refused > 0).collect();
    if !refused.is_empty() {
        println!(
            "  refused input in {} client(s) (see their rejected.csv):",
            refused.len()
        );
        for d in refused.iter().take(10) {
            println!("    {}: {} record(s)", visible(&d.row.client), d.refused);
        }
    }
    let unrecognised: Vec<&Done> = done.iter().filter(|d| d.unrecognised).collect();
    if !unrecognised.is_empty() {
        println!(
            "  files not recognised in {} client(s) (see their report.md):",
            unrecognised.len()
        );
        for d in unrecognised.iter().take(10) {
            println!(
                "    {}: {}",
                visible(&d.row.client),
                visible(d.row.error.as_deref().unwrap_or(""))
            );
        }
    }
    let failed: Vec<&Done> = done
        .iter()
        .filter(|d| d.row.status == BatchStatus::Error)
        .collect();
    if !failed.is_empty() {
        println!("  failed:");
        for d in failed.iter().take(10) {
            let mut e = d.row.error.clone().unwrap_or_default();
            if e.chars().count() > 150 {
                e = e.chars().take(150).collect::<String>() + "...";
            }
            println!("    {}: {}", visible(&d.row.client), visible(&e));
        }
        if failed.len() > 10 {
            println!("    ... and {} more (see summary.csv)", failed.len() - 10);
        }
    }
    println!("wrote {}", args.out.join("summary.csv").display());
}

/// Progress on stderr: a bar on a terminal, one line per client otherwise,
/// nothing but failures with --quiet.
struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    quiet: bool,
    finished: AtomicU64,
    rows: AtomicU64,
    running: Mutex<BTreeSet<String>>,
    started: Instant,
}

impl Progress {
    fn new(total: u64, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let b = ProgressBar::new(total);
            if let Ok(style) =
                ProgressStyle::with_template("{elapsed_precise} {bar:30} {pos}/{len} clients  {msg}")
            {
                b.set_style(style);
            }
            b.enable_steady_tick(std::time::Duration::from_millis(200));
            b
        });
        Progress {
            bar,
            total,
            quiet,
            finished: AtomicU64::new(0),
            rows: AtomicU64::new(0),
            running: Mutex::new(BTreeSet::new()),
            started: Instant::now(),
        }
    }

    fn message(&self) -> String {
        let secs = self.started.elapsed().as_secs_f64();
        let rows = self.rows.load(Ordering::Relaxed);
        let rate = if secs > 0.0 { rows as f64 / secs } else { 0.0 };
        let running = self.running.lock().map(|r| {
            r.iter()
                .map(|c| visible(c).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        });
        format!("{rate:.0} rows/s  now: {}", running.unwrap_or_default())
    }

    fn start(&self, id: &str) {
        if let Ok(mut r) = self.running.lock() {
            r.insert(id.to_string());
        }
        if let Some(b) = &self.bar {
            b.set_message(self.message());
        }
    }

    fn done(&self, d: &Done) {
        if let Ok(mut r) = self.running.lock() {
            r.remove(&d.row.client);
        }
        self.rows.fetch_add(d.rows_read, Ordering::Relaxed);
        let n = self.finished.fetch_add(1, Ordering::Relaxed) + 1;
        let line = match d.row.status {
            BatchStatus::Error => format!(
                "telaudit batch: [{n}/{}] {}: error: {}",
                self.total,
                visible(&d.row.client),
                visible(d.row.error.as_deref().unwrap_or(""))
            ),
            status => {
                let refused = if d.refused > 0 {
                    format!(", {} record(s) refused", d.refused)
                } else {
                    String::new()
                };
                format!(
                    "telaudit batch: [{n}/{}] {}: {status}, {} rows{refused}",
                    self.total,
                    visible(&d.row.client),
                    d.row.rows.unwrap_or(0)
                )
            }
        };
        match &self.bar {
            Some(b) => {
                if d.row.status == BatchStatus::Error {
                    b.println(line);
                }
                b.inc(1);
                b.set_message(self.message());
            }
            None if !self.quiet || d.row.status == BatchStatus::Error => eprintln!("{line}"),
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
