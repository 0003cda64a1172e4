//! Auditing every client folder under a root: discovery, sharding, the
//! incremental check, the isolated per-client run and the crash-safe write.
//!
//! `cmd/batch.rs` is the command line around it (arguments, progress, the
//! final screen, the lock and the summary files).

pub mod fingerprint;
pub mod lock;
pub mod store;
pub mod summary;

use crate::cmd::CliError;
use fingerprint::InputFile;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use summary::SummaryRow;
use summary::{BatchStatus, Cents};
use telaudit_rules::RuleSet;

/// A client folder found under the root.
#[derive(Debug)]
pub struct ClientFolder {
    /// The folder name.
    pub id: String,
    pub dir: PathBuf,
    /// Every file below it, or why they could not be listed.
    pub files: Result<Vec<InputFile>, String>,
    /// Their total size (the scheduling weight: largest first).
    pub bytes: u64,
}

/// The client folders under `root`: its sub-folders (links to folders too),
/// except hidden ones (name starting with `.`), sorted by id. A folder whose
/// name is not UTF-8 fails on its own, under an id that shows its bytes
/// (`acme\xFF`, [`escaped_name`]), made unique: two such folders whose names
/// decode alike (`acme\xff`, `acme\xfe`) stay two clients, in the summary and
/// in the history.
pub fn discover(root: &Path) -> Result<Vec<ClientFolder>, String> {
    let rd = std::fs::read_dir(root).map_err(|e| {
        format!(
            "cannot list {}: {e}; give the folder that holds one folder per client",
            root.display()
        )
    })?;
    let mut out = Vec::new();
    for e in rd {
        let e = e.map_err(|e| format!("cannot list {}: {e}", root.display()))?;
        let name = e.file_name();
        let id = escaped_name(&name);
        if id.starts_with('.') {
            continue;
        }
        let dir = e.path();
        // Follows links; a folder we may not even stat is still a client that fails.
        match std::fs::metadata(&dir) {
            Ok(m) if !m.is_dir() => continue,
            _ => {}
        }
        let files = if name.to_str().is_none() {
            Err(format!(
                "{}: the folder name is not UTF-8; rename the client folder",
                dir.display()
            ))
        } else {
            fingerprint::list_files(&dir)
                .map_err(|e| format!("{}: cannot read the client folder ({e})", dir.display()))
        };
        let bytes = files.as_ref().map_or(0, |f| f.iter().map(|f| f.len).sum());
        out.push(ClientFolder {
            id,
            dir,
            files,
            bytes,
        });
    }
    unique_ids(&mut out);
    out.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
    Ok(out)
}

/// A folder name as text: UTF-8 as it is, every other byte as `\xHH`.
pub fn escaped_name(name: &std::ffi::OsStr) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut s = String::new();
    for chunk in name.as_bytes().utf8_chunks() {
        s.push_str(chunk.valid());
        for b in chunk.invalid() {
            s.push_str(&format!("\\x{b:02X}"));
        }
    }
    s
}

/// Gives a folder whose name is not UTF-8 an id no other folder has: its
/// escaped name, or that with ` (2)`, ` (3)` ... when a UTF-8 folder is
/// literally named so.
fn unique_ids(clients: &mut [ClientFolder]) {
    let mut taken: std::collections::HashSet<String> = clients
        .iter()
        .filter(|c| c.dir.file_name().is_some_and(|n| n.to_str().is_some()))
        .map(|c| c.id.clone())
        .collect();
    for c in clients.iter_mut() {
        if c.dir.file_name().is_none_or(|n| n.to_str().is_some()) {
            continue;
        }
        let mut id = c.id.clone();
        let mut n = 2;
        while taken.contains(&id) {
            id = format!("{} ({n})", c.id);
            n += 1;
        }
        taken.insert(id.clone());
        c.id = id;
    }
}

/// What a batch needs to know besides the clients.
pub struct Settings<'a> {
    pub out: &'a Path,
    pub rules: &'a RuleSet,
    pub rules_hash: u128,
    /// `--as-of`: the dispute windows' as-of date for every client (folded into `rules_hash`).
    pub as_of: Option<telaudit_model::Date>,
    /// Audit every client even when its stored output is current.
    pub force: bool,
    /// The finding history before this run, for report.html's "new since the
    /// last run" marks; `None` when the run keeps no history or it could not be read.
    pub history: Option<&'a crate::history::Snapshot>,
    /// The history store, to read an audited client's findings before the run
    /// (their text and money, for report.html's "Since the last run"); the
    /// clients' threads take turns on it.
    pub store: Option<&'a std::sync::Mutex<crate::history::Store>>,
}

/// One client's result.
#[derive(Clone, Debug)]
pub struct Done {
    pub row: SummaryRow,
    /// The display name (client.toml's name, or the id).
    pub name: String,
    /// Charge rows read by this run (0 when unchanged or failed).
    pub rows_read: u64,
    /// Input records refused (also for an unchanged client).
    pub refused: usize,
    /// Whether some file below invoices/ was not recognised by any reader (also
    /// for an unchanged client): like refused input, the batch exits 1.
    pub unrecognised: bool,
    /// What the finding history records for it.
    pub update: crate::history::Update,
}

impl Done {
    fn error(id: &str, message: String) -> Done {
        Done {
            row: SummaryRow {
                client: id.to_string(),
                status: BatchStatus::Error,
                rows: None,
                billed_total: None,
                recoverable: None,
                monthly: None,
                first_year: None,
                expired: None,
                error: Some(message.replace('\n', " ")),
                warnings: None,
                npv: None,
                payback_months: None,
                new_findings: None,
                resolved_findings: None,
                recovered: None,
                outstanding: None,
                grown_findings: None,
            },
            name: id.to_string(),
            rows_read: 0,
            refused: 0,
            unrecognised: false,
            update: crate::history::Update::Error,
        }
    }
}

/// Runs every client in parallel on the current rayon pool, largest input
/// first; `on_start` and `on_done` are called from the worker threads. Returns
/// one result per client, sorted by client id.
pub fn run_all(
    clients: Vec<ClientFolder>,
    s: &Settings,
    on_start: &(dyn Fn(&str) + Sync),
    on_done: &(dyn Fn(&Done) + Sync),
) -> Vec<Done> {
    use rayon::prelude::*;
    let mut clients = clients;
    clients.sort_by(|a, b| {
        b.bytes
            .cmp(&a.bytes)
            .then_with(|| a.id.as_bytes().cmp(b.id.as_bytes()))
    });
    // par_bridge hands the clients out in this order to whichever thread is
    // free, so the largest start first; inside a client, parsing and rules run
    // in parallel on the same pool.
    let mut done: Vec<Done> = clients
        .into_iter()
        .par_bridge()
        .map(|c| {
            on_start(&c.id);
            let d = run_one(&c, s);
            on_done(&d);
            d
        })
        .collect();
    done.sort_by(|a, b| a.row.client.as_bytes().cmp(b.row.client.as_bytes()));
    done
}

/// Names the batch itself writes into `--out`: no client may have them, and
/// the history may not be one of them.
pub const RESERVED: [&str; 8] = [
    "summary.json",
    "summary.csv",
    "index.html",
    "review.csv",
    "history.sqlite",
    "history.sqlite-journal",
    "history.sqlite-wal",
    "history.sqlite-shm",
];

/// One client: reused when its stored output is current, else audited and
/// written whole; any failure (a panic included) ends only this client.
pub fn run_one(c: &ClientFolder, s: &Settings) -> Done {
    if RESERVED.contains(&c.id.as_str()) {
        let msg = format!(
            "{}: the client id {} is the name of a file the batch writes into --out; rename the folder",
            c.dir.display(),
            c.id
        );
        return Done::error(&c.id, msg);
    }
    let files = match &c.files {
        Ok(f) => f,
        Err(e) => return fail(c, s, e.clone()),
    };
    let fp = fingerprint::fingerprint(&c.id, files, s.rules_hash).ok();
    let client_out = s.out.join(&c.id);
    if let (false, Some(fp)) = (s.force, &fp) {
        if let Some(m) = store::read_marker(&client_out) {
            if m.fingerprint.as_deref() == Some(fp.as_str()) {
                if let Some((row, name)) = store::stored_row(&client_out, &c.id, &m) {
                    return Done {
                        row,
                        name,
                        rows_read: 0,
                        refused: m.refused,
                        unrecognised: m.unrecognised.is_some(),
                        update: crate::history::Update::Unchanged(fp.clone(), client_out.clone()),
                    };
                }
            }
        }
    }
    // Only a folder this batch wrote (its marker) holding only telaudit's files is replaced.
    if let Err(why) = replaceable(&client_out) {
        return Done::error(&c.id, why);
    }
    let past = past_findings(&c.id, s);
    let attempt = catch_unwind(AssertUnwindSafe(|| -> Result<Done, CliError> {
        let mut a = crate::pipeline::audit_client(&c.dir, s.rules, s.as_of)?;
        let marker = store::Marker {
            fingerprint: fp.clone(),
            refused: a.dump.rejected.len(),
            unrecognised: unrecognised_note(&a.dump),
        };
        let marks = s
            .history
            .filter(|h| h.last_run > 0)
            .zip(past.as_deref())
            .map(|(h, before)| telaudit_report::HistoryMarks {
                since_run: h.last_run,
                known: h.clients.get(&c.id),
                before,
            });
        store::write_client_dir(s.out, &c.id, &marker, |tmp| {
            crate::pipeline::write_client_marked(tmp, &mut a, marks).map_err(|e| e.to_string())
        })
        .map_err(CliError::Failed)?;
        let r = &a.report;
        let refused = a.dump.rejected.len();
        let unrecognised = marker.unrecognised.clone();
        let (npv, payback_months) = summary::plan_cells(r);
        let (recovered, outstanding) = summary::recovery_cells(r);
        Ok(Done {
            row: SummaryRow {
                client: c.id.clone(),
                status: BatchStatus::Audited,
                rows: Some(r.input.rows),
                billed_total: Some(Cents::round(r.input.billed_total)),
                recoverable: Some(Cents::round(r.totals.recoverable)),
                monthly: Some(Cents::round(r.totals.monthly)),
                first_year: Some(Cents::round(r.totals.first_year)),
                expired: Some(Cents::round(r.totals.expired)),
                error: store::error_note(refused, unrecognised.as_deref()),
                warnings: Some(r.warnings as u64),
                npv,
                payback_months,
                new_findings: None,
                resolved_findings: None,
                recovered,
                outstanding,
                grown_findings: None,
            },
            name: r.name.clone(),
            rows_read: r.input.rows,
            refused,
            unrecognised: unrecognised.is_some(),
            update: crate::history::Update::Audited(
                crate::history::items_of(&a.dump, &a.results, &r.in_totals),
                fp,
            ),
        })
    }));
    match attempt {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => fail(c, s, e.to_string()),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            fail(
                c,
                s,
                format!("internal error (panic: {msg}); this is a telaudit bug, please report it with this client's files"),
            )
        }
    }
}

/// The client's findings in the history before this run (open and resolved,
/// with their money), for report.html's "Since the last run": empty when the
/// history holds none of the client's; `None` (no marks at all, as without a
/// history) when the run has no history with a run in it, or they cannot be
/// read (the run's own transaction then reports the store's trouble).
fn past_findings(client: &str, s: &Settings) -> Option<Vec<crate::history::PastFinding>> {
    let h = s.history.filter(|h| h.last_run > 0)?;
    if !h.clients.contains_key(client) {
        return Some(Vec::new());
    }
    let mut store = s.store?.lock().ok()?;
    store.past_findings(client).ok()
}

/// How many files below invoices/ no reader recognised, and the first of them:
/// `3 file(s) not recognised: invoices/a.pdf, invoices/b.txt, invoices/c.xlsx and
/// 2 more; see report.md`; `None` when every file was recognised.
pub fn unrecognised_note(dump: &telaudit_model::Dump) -> Option<String> {
    const SHOWN: usize = 3;
    let names: Vec<&str> = dump
        .skipped
        .iter()
        .filter(|s| s.kind == telaudit_model::SkipKind::NotRecognised)
        .map(|s| s.file.as_str())
        .collect();
    if names.is_empty() {
        return None;
    }
    let mut note = format!(
        "{} file(s) not recognised: {}",
        names.len(),
        names[..names.len().min(SHOWN)].join(", ")
    );
    if names.len() > SHOWN {
        note.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    note.push_str("; see report.md");
    Some(note.replace('\n', " "))
}

/// Whether the batch may replace (or remove) a client's output folder: when it
/// is missing, or carries the batch's completion marker and holds nothing
/// telaudit does not write there. Err: why not, for the summary's error cell.
fn replaceable(client_out: &Path) -> Result<(), String> {
    if std::fs::symlink_metadata(client_out).is_err() {
        return Ok(());
    }
    if store::read_marker(client_out).is_none() {
        return Err(format!(
            "{} exists but was not written by telaudit batch (no {} marker): move it away or choose \
             another --out; it was left as it was",
            client_out.display(),
            store::MARKER
        ));
    }
    let found = telaudit_report::owned::foreign(client_out, &[store::MARKER])
        .map_err(|e| format!("cannot list {}: {e}; it was left as it was", client_out.display()))?;
    let mut all = found.inside;
    all.extend(found.beside);
    if all.is_empty() {
        return Ok(());
    }
    all.sort();
    Err(format!(
        "{} holds files telaudit does not write ({}): a run replaces a client's folder whole, so move \
         them away; the folder was left as it was",
        client_out.display(),
        telaudit_report::owned::first_names(&all, 5)
    ))
}

/// The result of a failed client; its output folder from an earlier run is
/// removed so that no stale report passes for this run's, unless the batch did
/// not write it (then it is left as it was, and the error says so).
fn fail(c: &ClientFolder, s: &Settings, message: String) -> Done {
    let mut d = Done::error(&c.id, message);
    let client_out = s.out.join(&c.id);
    let note = match replaceable(&client_out) {
        Err(why) => Some(format!(" (and {why})")),
        Ok(()) => store::remove_client_dir(s.out, &c.id)
            .err()
            .map(|e| format!(" (and {e})")),
    };
    if let (Some(note), Some(err)) = (note, d.row.error.as_mut()) {
        err.push_str(&note);
    }
    d
}

/// `--shard i/n`: `(i, n)` with 1 <= i <= n.
pub fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("--shard {s:?}: give i/n with 1 <= i <= n, e.g. --shard 2/8");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_arguments() {
        assert_eq!(parse_shard("2/3"), Ok((2, 3)));
        assert_eq!(parse_shard("1/1"), Ok((1, 1)));
        for bad in ["0/3", "4/3", "1/0", "x/3", "3", "-1/3", ""] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn discovery_skips_hidden_folders_and_files() {
        let tmp = tempfile::tempdir().unwrap();
        for d in ["b/invoices", "a", ".hidden/invoices"] {
            std::fs::create_dir_all(tmp.path().join(d)).unwrap();
        }
        std::fs::write(tmp.path().join("b/invoices/x.csv"), "12345").unwrap();
        std::fs::write(tmp.path().join("notes.txt"), "not a client").unwrap();
        let found = discover(tmp.path()).unwrap();
        let ids: Vec<(&str, u64)> = found.iter().map(|c| (c.id.as_str(), c.bytes)).collect();
        assert_eq!(ids, [("a", 0), ("b", 5)]);
    }
}
