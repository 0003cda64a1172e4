//! Writing the outputs into a client's output folder, each file atomically.

use crate::durable::{io_context, put_in_place, remove_any, with_pending, Pending};
use crate::{report_json, write_rejected_csv, CarrierLines, Report};
use rayon::prelude::*;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use telaudit_model::{Dump, RuleResult};

/// Tells temporary files of concurrent writes in one process apart.
static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `dir/name` atomically: into a temporary file in `dir`, flushed to
/// disk, then renamed over `name`. A reader never sees half a file.
///
/// The temporary file is `.tmp-<name>-<pid>-<n>.tmp`: it starts with `.tmp-`
/// so that a batch run's cleanup of an interrupted run removes it, and ends
/// with `.tmp` so that it reads as temporary. This is the one atomic write of
/// telaudit (the batch store writes its summaries through it too).
pub fn write_atomic(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut BufWriter<&File>) -> io::Result<()>,
) -> io::Result<()> {
    let (file, tmp, target) = write_tmp(dir, name, fill)?;
    put_in_place(file, &tmp, &target)
}

/// As [`write_atomic`], with the flush to disk and the rename left to the end
/// of the write phase ([`crate::durable`]): the file is closed once written.
fn write_synced(
    sync: &Pending,
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut BufWriter<&File>) -> io::Result<()>,
) -> io::Result<()> {
    let (file, tmp, target) = write_tmp(dir, name, fill)?;
    drop(file);
    sync.file(tmp, target);
    Ok(())
}

/// Writes `folder/name` straight under its name: `folder` is a temporary
/// folder no reader looks at, which replaces the old one whole once every
/// file is on disk ([`replace_folder`]). The file is closed once written.
fn write_new(
    sync: &Pending,
    folder: &Path,
    name: &str,
    fill: impl FnOnce(&mut BufWriter<&File>) -> io::Result<()>,
) -> io::Result<()> {
    let path = folder.join(name);
    let result = (|| -> io::Result<()> {
        let file = File::create(&path)?;
        let mut w = BufWriter::with_capacity(64 << 10, &file);
        fill(&mut w)?;
        w.flush()
    })();
    match result {
        Ok(()) => {
            sync.wrote(&path);
            Ok(())
        }
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("cannot write {}: {e}", path.display()),
        )),
    }
}

/// The temporary file of [`write_atomic`], filled and flushed from the
/// process (not yet to disk): the open file, its path and the target's. On
/// failure the temporary file is removed.
fn write_tmp(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut BufWriter<&File>) -> io::Result<()>,
) -> io::Result<(File, PathBuf, PathBuf)> {
    let target = dir.join(name);
    let tmp = dir.join(format!(
        ".tmp-{name}-{}-{}.tmp",
        std::process::id(),
        TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| -> io::Result<File> {
        let file = File::create(&tmp)?;
        {
            let mut w = BufWriter::new(&file);
            fill(&mut w)?;
            w.flush()?;
        }
        Ok(file)
    })();
    match result {
        Ok(file) => Ok((file, tmp, target)),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(io::Error::new(
                e.kind(),
                format!("cannot write {}: {e}", target.display()),
            ))
        }
    }
}

/// Writes report.json, findings.csv, report.md, report.html, report.xlsx,
/// warnings.csv (when the input gave warnings; a stale one is removed), the
/// dispute files (`disputes/<carrier>/<account>.csv`, `.md` and `.html`, and
/// `disputes/new-claims.csv`), the changes to order (`changes/<carrier>.csv`,
/// replaced as a whole like `disputes/`, removed when there are none), with a
/// ledger `recovery/claims.csv` and `recovery/credits.csv` (replaced as a whole,
/// removed without claims.csv) and, when input was refused, rejected.csv into
/// `dir` (created if missing), each atomically. Without refusals a stale
/// rejected.csv from an earlier run is removed; a `disputes/` folder from an
/// earlier run is always replaced as a whole.
pub fn write_outputs(dir: &Path, dump: &Dump, results: &[RuleResult], report: &Report) -> io::Result<()> {
    write_outputs_marked(dir, dump, results, report, None)
}

/// As [`write_outputs`]; with `marks`, report.html marks the findings new or
/// reopened since the history's last run (a batch run's copy only).
pub fn write_outputs_marked(
    dir: &Path,
    dump: &Dump,
    results: &[RuleResult],
    report: &Report,
    marks: Option<crate::HistoryMarks<'_>>,
) -> io::Result<()> {
    let lines = crate::carrier_lines(dump, results);
    write_outputs_timed(dir, dump, results, report, &lines, marks).map(|_| ())
}

/// How long each part of the write phase took, in a fixed order (`--timings`).
/// The parts run concurrently: their times overlap and add up to more than the
/// phase's wall time.
pub type WriteTimes = Vec<(&'static str, Duration)>;

/// A part's outcome and how long it took.
type Timed = Option<(io::Result<()>, Duration)>;

fn timed(f: impl FnOnce() -> io::Result<()>) -> Timed {
    let t = Instant::now();
    let r = f();
    Some((r, t.elapsed()))
}

/// As [`write_outputs_marked`], with the dispute and change lines already made
/// ([`crate::carrier_lines`], which the audit makes beside the totals), and
/// returns how long each part took.
///
/// The files are independent: they are rendered and written concurrently, so
/// one file's rendering overlaps another's and the flushes to disk overlap.
/// report.xlsx, the longest, starts first (see the comment inside). Errors are
/// reported in a fixed order, whatever finished first: a part that could not
/// be made or written (json, findings, rejected, md, disputes, html, xlsx,
/// changes), else a file that could not reach the disk or its place (the first
/// by path).
pub fn write_outputs_timed(
    dir: &Path,
    dump: &Dump,
    results: &[RuleResult],
    report: &Report,
    lines: &CarrierLines,
    marks: Option<crate::HistoryMarks<'_>>,
) -> io::Result<WriteTimes> {
    fs::create_dir_all(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot create {}: {e}", dir.display())))?;
    // The marker first: whatever happens next, the folder is known as telaudit's,
    // and it lists the earlier run's files and this run's (once report.json is in
    // place, this run's alone: `finish`).
    let planned = planned_files(lines, report);
    let mut listed = crate::owned::written(dir).unwrap_or_default();
    listed.extend(planned.iter().cloned());
    crate::owned::write_marker(dir, &listed)?;
    let before: Vec<&'static str> = crate::owned::OUTPUTS
        .iter()
        .map(|o| o.name)
        .filter(|n| fs::symlink_metadata(dir.join(n)).is_ok())
        .collect();
    // The earlier run's report.json stays while this run's files are written
    // where no reader looks, and goes once they are on disk, before the first is
    // put in place (durable.rs, step 2): a run stopped while writing leaves the
    // earlier run whole, one stopped while placing leaves no report.json.
    let (mut findings, mut rejected, mut md): (Timed, Timed, Timed) = Default::default();
    let (mut written, mut html, mut xlsx, mut changes): (Timed, Timed, Timed, Timed) = Default::default();
    let mut warnings: Timed = None;
    let mut recovered: Timed = Default::default();
    let (d, c, as_of) = (&lines.disputes[..], &lines.changes[..], crate::as_of(dump));
    let new_claims = &lines.new_claims[..];
    let ((), synced) = with_pending(dir, |sync| {
        rayon::scope(|s| {
            // The order matters on 2 cores. The workbook, the longest part, writes
            // its Disputes and Changes sheets on this thread while its Findings sheet
            // waits in a job, and only then are the other files queued
            // (`queue_the_rest`): an idle thread takes the oldest job first, so it
            // writes that sheet at once, and this thread then takes the other files,
            // largest first. Queued before the sheets, the other files delayed them
            // and the workbook's packing started last. The view of report.html and
            // report.md is made in their job, not before the workbook starts.
            let (written, html, findings) = (&mut written, &mut html, &mut findings);
            let (md, changes, rejected, warnings) = (&mut md, &mut changes, &mut rejected, &mut warnings);
            let recovered = &mut recovered;
            let queue_the_rest = move || {
                s.spawn(move |_| {
                    let ctx = crate::LetterContext::dated(dump, report, as_of);
                    *written = timed(|| write_disputes(sync, dir, (dump, results), (d, new_claims), &ctx));
                });
                s.spawn(move |_| *recovered = timed(|| write_recovery(sync, dir, report)));
                s.spawn(move |_| {
                    let view = crate::view::View::new(dump, results, report, c);
                    let marked = marks.map(|m| {
                        crate::view::View::new(dump, results, report, c).with_marks(m, dump, results)
                    });
                    let html_view = marked.as_ref().unwrap_or(&view);
                    rayon::join(
                        || {
                            *html = timed(|| {
                                write_synced(sync, dir, "report.html", |w| {
                                    w.write_all(
                                        crate::html::report_html_with(dump, report, html_view, d).as_bytes(),
                                    )
                                })
                            })
                        },
                        || {
                            *md = timed(|| {
                                write_synced(sync, dir, "report.md", |w| {
                                    w.write_all(
                                        crate::markdown::report_md_with(dump, report, &view).as_bytes(),
                                    )
                                })
                            })
                        },
                    );
                });
                s.spawn(move |_| {
                    *findings = timed(|| {
                        write_synced(sync, dir, "findings.csv", |w| {
                            crate::tables::write_findings_csv_with(w, dump, results, &report.in_totals)
                        })
                    })
                });
                s.spawn(move |_| *changes = timed(|| write_changes(sync, dir, c)));
                s.spawn(move |_| *rejected = timed(|| write_or_remove_rejected(sync, dir, dump)));
                s.spawn(move |_| *warnings = timed(|| write_or_remove_warnings(sync, dir, dump)));
            };
            // A workbook that fails before its sheets start never calls `queue`:
            // the other files are queued after it then.
            let mut queue = Some(queue_the_rest);
            xlsx = timed(|| {
                let first = || queue.take().map_or((), |q| q());
                let bytes = crate::xlsx::report_xlsx_queueing(dump, results, report, d, c, as_of, first)
                    .map_err(|e| io::Error::other(format!("cannot build report.xlsx: {e}")))?;
                write_synced(sync, dir, "report.xlsx", |w| w.write_all(&bytes))
            });
            if let Some(q) = queue {
                q();
            }
        });
    });
    let parts = [
        ("findings.csv", findings),
        ("rejected.csv", rejected),
        ("report.md", md),
        ("disputes/", written),
        ("report.html", html),
        ("report.xlsx", xlsx),
        ("changes/", changes),
        ("warnings.csv", warnings),
        ("recovery/", recovered),
    ];
    let times = finish(dir, report, parts, synced, &before)?;
    // Complete: the marker now lists this run's files alone.
    crate::owned::write_marker(dir, &planned)?;
    Ok(times)
}

/// The files this run writes inside its output folders (relative paths, as the
/// marker lists them): disputes/new-claims.csv and each account's CSV (when it
/// has lines) and letters, each carrier's changes CSV, and with a ledger
/// recovery/claims.csv and credits.csv.
fn planned_files(lines: &CarrierLines, report: &Report) -> std::collections::BTreeSet<String> {
    let mut files = std::collections::BTreeSet::new();
    files.insert(format!("disputes/{}", crate::disputes::NEW_CLAIMS_CSV));
    for d in &lines.disputes {
        if !d.lines.is_empty() {
            files.insert(format!("disputes/{}/{}.csv", d.dir, d.stem));
        }
        files.insert(format!("disputes/{}/{}.md", d.dir, d.stem));
        files.insert(format!("disputes/{}/{}.html", d.dir, d.stem));
    }
    for c in &lines.changes {
        files.insert(format!("changes/{}.csv", c.stem));
    }
    if report.recovery.is_some() {
        files.insert("recovery/claims.csv".to_string());
        files.insert("recovery/credits.csv".to_string());
    }
    files
}

/// The end of the write phase: each part's time; report.json last, and only when
/// every other output is in place (its presence tells a reader the run is
/// complete); else the error, the earlier run's outputs this run did not replace
/// removed ([`incomplete`]).
fn finish(
    dir: &Path,
    report: &Report,
    parts: [(&'static str, Timed); 9],
    synced: crate::durable::Synced,
    before: &[&str],
) -> io::Result<WriteTimes> {
    let mut times: WriteTimes = Vec::with_capacity(parts.len() + 1);
    let mut first_error = None;
    // The top-level names this run did not put in place: what stays of them is stale.
    let mut stale: Vec<&str> = vec!["report.json"];
    for (name, part) in parts {
        // Every part ran inside the scope; `None` cannot remain.
        let (result, took) = part.unwrap_or((Ok(()), Duration::ZERO));
        if let Err(e) = result {
            first_error.get_or_insert(e);
            stale.push(name.trim_end_matches('/'));
        }
        times.push((name, took));
    }
    for t in &synced.failed {
        if let Some(top) = t.strip_prefix(dir).ok().and_then(|r| r.components().next()) {
            let top = top.as_os_str().to_string_lossy();
            if let Some(o) = crate::owned::output(&top) {
                stale.push(o.name);
            }
        }
    }
    let error = match (first_error, synced.result) {
        (Some(e), _) | (None, Err(e)) => Some(e),
        (None, Ok(())) => None,
    };
    // report.json last, and only when everything else is in place: its presence
    // tells a reader the run is complete (the earlier run's was removed before
    // the first output went in place: durable.rs).
    let error = error.or_else(|| {
        let t = Instant::now();
        let r = crate::write_atomic(dir, "report.json", |w| {
            w.write_all(report_json(report).as_bytes())
        });
        times.insert(0, ("report.json", t.elapsed()));
        r.err()
    });
    // Make the renames durable too (best effort: not every platform can open a folder).
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    match error {
        None => Ok(times),
        Some(e) => Err(incomplete(dir, e, before, &stale)),
    }
}

/// The error of a write phase that failed: its first error, then what became of
/// the earlier run's outputs this run did not replace (`stale`, of those that
/// existed `before`): removed, so that no output of an earlier run stays beside
/// this run's unnamed, or named when they cannot be removed. report.json is
/// never written then.
fn incomplete(dir: &Path, e: io::Error, before: &[&str], stale: &[&str]) -> io::Error {
    let mut removed = Vec::new();
    let mut kept = Vec::new();
    for name in crate::owned::OUTPUTS.iter().map(|o| o.name) {
        if !stale.contains(&name) || !before.contains(&name) {
            continue;
        }
        let path = dir.join(name);
        match remove_any(&path) {
            Ok(()) => removed.push(name.to_string()),
            Err(err) => kept.push(format!("{} ({err})", path.display())),
        }
    }
    let mut text = format!(
        "{e}; report.json was not written, so this run's outputs in {} are incomplete",
        dir.display()
    );
    if !removed.is_empty() {
        text.push_str(&format!(
            "; removed the earlier run's {}, which this run did not replace",
            removed.join(", ")
        ));
    }
    if !kept.is_empty() {
        text.push_str(&format!(
            "; could not remove the earlier run's {}: delete it by hand before reading the folder",
            kept.join(", ")
        ));
    }
    io::Error::new(e.kind(), text)
}

/// rejected.csv when input was refused; otherwise a stale one from an earlier run is removed.
fn write_or_remove_rejected(sync: &Pending, dir: &Path, dump: &Dump) -> io::Result<()> {
    if !dump.rejected.is_empty() {
        return write_synced(sync, dir, "rejected.csv", |w| write_rejected_csv(w, dump));
    }
    let stale = dir.join("rejected.csv");
    match fs::remove_file(&stale) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("cannot remove the stale {}: {e}", stale.display()),
        )),
    }
}

/// warnings.csv when the input gave warnings (every one, where the reports list
/// the first 20); otherwise a stale one from an earlier run is removed.
fn write_or_remove_warnings(sync: &Pending, dir: &Path, dump: &Dump) -> io::Result<()> {
    if !dump.warnings.is_empty() {
        return write_synced(sync, dir, "warnings.csv", |w| crate::write_warnings_csv(w, dump));
    }
    let stale = dir.join("warnings.csv");
    match fs::remove_file(&stale) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("cannot remove the stale {}: {e}", stale.display()),
        )),
    }
}

/// Replaces the folder `dir/name` as a whole: `fill` writes the new set into a
/// temporary folder beside it ([`write_new`]), which replaces the old one once
/// everything is on disk ([`crate::durable`]), so a reader sees the old set or
/// the new set, never a mix. With `empty`, the folder is removed instead. Only
/// `dir/name` is ever removed.
fn replace_folder(
    sync: &Pending,
    dir: &Path,
    name: &str,
    empty: bool,
    fill: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    let target = dir.join(name);
    if empty {
        return remove_any(&target).map_err(|e| io_context(e, "remove the stale", &target));
    }
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    fs::create_dir(&tmp).map_err(|e| io_context(e, "create", &tmp))?;
    match fill(&tmp) {
        Ok(()) => {
            sync.folder(tmp, target);
            Ok(())
        }
        Err(e) => {
            sync.discard(tmp);
            Err(e)
        }
    }
}

/// Writes `disputes/<carrier>/<account>.csv`, `.md` and `.html` (a follow-up
/// letter, with open claims and no new line, has no CSV) and
/// `disputes/new-claims.csv`, always (see [`replace_folder`]).
fn write_disputes(
    sync: &Pending,
    dir: &Path,
    (ctx_dump, results): (&Dump, &[RuleResult]),
    (disputes, new_claims): (&[crate::AccountDispute], &[crate::NewClaim]),
    ctx: &crate::LetterContext,
) -> io::Result<()> {
    replace_folder(sync, dir, "disputes", false, |tmp| {
        write_new(sync, tmp, crate::disputes::NEW_CLAIMS_CSV, |w| {
            crate::write_new_claims_csv(w, new_claims)
        })?;
        for d in disputes {
            let sub = tmp.join(&d.dir);
            fs::create_dir_all(&sub).map_err(|e| io_context(e, "create", &sub))?;
        }
        // In parallel, also the three files of one account; an account's CSV
        // is made in parallel chunks too (one account may hold most lines).
        let cx = crate::LineContext::new(ctx_dump, results);
        disputes.par_iter().try_for_each(|d| {
            let sub = tmp.join(&d.dir);
            let (csv, letters) = rayon::join(
                || {
                    if d.lines.is_empty() {
                        return Ok(());
                    }
                    write_new(sync, &sub, &format!("{}.csv", d.stem), |w| {
                        crate::write_dispute_csv(w, &cx, d)
                    })
                },
                || {
                    let (md, html) = crate::dispute_letters(&cx, d, ctx);
                    let (a, b) = rayon::join(
                        || {
                            write_new(sync, &sub, &format!("{}.md", d.stem), |w| {
                                w.write_all(md.as_bytes())
                            })
                        },
                        || {
                            write_new(sync, &sub, &format!("{}.html", d.stem), |w| {
                                w.write_all(html.as_bytes())
                            })
                        },
                    );
                    a.and(b)
                },
            );
            csv.and(letters)
        })
    })
}

/// Writes `recovery/claims.csv` and `recovery/credits.csv` (see
/// [`replace_folder`]; removed when the client folder has no claims.csv).
fn write_recovery(sync: &Pending, dir: &Path, report: &Report) -> io::Result<()> {
    let r = report.recovery.as_ref();
    replace_folder(sync, dir, "recovery", r.is_none(), |tmp| {
        let Some(r) = r else { return Ok(()) };
        write_new(sync, tmp, "claims.csv", |w| crate::write_claims_csv(w, r))?;
        write_new(sync, tmp, "credits.csv", |w| crate::write_credits_csv(w, r))
    })
}

/// Writes `changes/<carrier>.csv` (see [`replace_folder`]; removed when no
/// finding recommends a change).
fn write_changes(sync: &Pending, dir: &Path, changes: &[crate::CarrierChanges]) -> io::Result<()> {
    replace_folder(sync, dir, "changes", changes.is_empty(), |tmp| {
        for c in changes {
            write_new(sync, tmp, &format!("{}.csv", c.stem), |w| {
                w.write_all(crate::changes_csv(c).as_bytes())
            })?;
        }
        Ok(())
    })
}
