//! Writing the outputs into a client's output folder, each file atomically.

use crate::{report_json, write_findings_csv, write_rejected_csv, Report};
use rayon::prelude::*;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
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
    let target = dir.join(name);
    let tmp = dir.join(format!(
        ".tmp-{name}-{}-{}.tmp",
        std::process::id(),
        TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let file = File::create(&tmp)?;
        {
            let mut w = BufWriter::new(&file);
            fill(&mut w)?;
            w.flush()?;
        }
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, &target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(|e| io::Error::new(e.kind(), format!("cannot write {}: {e}", target.display())))
}

/// Writes report.json, findings.csv, report.md, report.html, the dispute files
/// (`disputes/<carrier>/<account>.csv`, `.md` and `.html`), the changes to order
/// (`changes/<carrier>.csv`, replaced as a whole like `disputes/`, removed when
/// there are none) and, when input was refused,
/// rejected.csv into `dir` (created if missing), each atomically. Without
/// refusals a stale rejected.csv from an earlier run is removed; a `disputes/`
/// folder from an earlier run is always replaced as a whole (and removed when
/// nothing is disputed).
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
    fs::create_dir_all(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot create {}: {e}", dir.display())))?;
    // The files are independent: render and write them in parallel, so one file's
    // rendering overlaps another's flush to disk. Errors are reported in a fixed
    // order (json, findings, rejected, md, disputes, html), whatever finished first.
    let view = crate::view::View::new(dump, results, report);
    let plain_view;
    let marked_view;
    let (view, html_view) = match marks {
        Some(m) => {
            plain_view = view;
            marked_view = crate::view::View::new(dump, results, report).with_marks(m, results);
            (&plain_view, &marked_view)
        }
        None => {
            plain_view = view;
            (&plain_view, &plain_view)
        }
    };
    let ((json, findings), (rejected, (md, rest))) = rayon::join(
        || {
            rayon::join(
                || {
                    write_atomic(dir, "report.json", |w| {
                        w.write_all(report_json(report).as_bytes())
                    })
                },
                || write_atomic(dir, "findings.csv", |w| write_findings_csv(w, dump, results)),
            )
        },
        || {
            rayon::join(
                || write_or_remove_rejected(dir, dump),
                || {
                    rayon::join(
                        || {
                            write_atomic(dir, "report.md", |w| {
                                w.write_all(crate::markdown::report_md_with(dump, report, view).as_bytes())
                            })
                        },
                        || {
                            let disputes = crate::disputes(dump, results);
                            let (written, (html, xlsx)) = rayon::join(
                                || {
                                    let ctx = crate::LetterContext::dated(dump, report, view.as_of);
                                    write_disputes(dir, &disputes, &ctx)
                                },
                                || {
                                    rayon::join(
                                        || {
                                            write_atomic(dir, "report.html", |w| {
                                                w.write_all(
                                                    crate::html::report_html_with(
                                                        dump, results, report, html_view, &disputes,
                                                    )
                                                    .as_bytes(),
                                                )
                                            })
                                        },
                                        || write_xlsx(dir, dump, results, report, &disputes, view.as_of),
                                    )
                                },
                            );
                            let changes = write_changes(dir, &crate::changes(dump, results));
                            written.and(html).and(xlsx).and(changes)
                        },
                    )
                },
            )
        },
    );
    json.and(findings).and(rejected).and(md).and(rest)?;
    // Make the renames durable too (best effort: not every platform can open a folder).
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// report.xlsx (see [`crate::report_xlsx`]).
fn write_xlsx(
    dir: &Path,
    dump: &Dump,
    results: &[RuleResult],
    report: &Report,
    disputes: &[crate::AccountDispute],
    as_of: Option<telaudit_model::Date>,
) -> io::Result<()> {
    let bytes = crate::report_xlsx(dump, results, report, disputes, as_of)
        .map_err(|e| io::Error::other(format!("cannot build report.xlsx: {e}")))?;
    write_atomic(dir, "report.xlsx", |w| w.write_all(&bytes))
}

/// rejected.csv when input was refused; otherwise a stale one from an earlier run is removed.
fn write_or_remove_rejected(dir: &Path, dump: &Dump) -> io::Result<()> {
    if !dump.rejected.is_empty() {
        return write_atomic(dir, "rejected.csv", |w| write_rejected_csv(w, dump));
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

fn io_context(e: io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("cannot {what} {}: {e}", path.display()))
}

/// Removes `path` (a folder, or a file or link standing in its place) if it exists.
fn remove_any(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Replaces the folder `dir/name` as a whole: `fill` writes the new set into a
/// temporary folder beside it, which is then renamed into place, so a reader sees
/// the old set or the new set, never a mix. With `empty`, the folder is removed
/// instead. Only `dir/name` is ever removed.
fn replace_folder(
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
    let result = (|| {
        fs::create_dir(&tmp).map_err(|e| io_context(e, "create", &tmp))?;
        fill(&tmp)?;
        remove_any(&target).map_err(|e| io_context(e, "remove the stale", &target))?;
        fs::rename(&tmp, &target).map_err(|e| io_context(e, "rename into place", &target))
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

/// Writes `disputes/<carrier>/<account>.csv`, `.md` and `.html` (see
/// [`replace_folder`]).
fn write_disputes(
    dir: &Path,
    disputes: &[crate::AccountDispute],
    ctx: &crate::LetterContext,
) -> io::Result<()> {
    replace_folder(dir, "disputes", disputes.is_empty(), |tmp| {
        for d in disputes {
            let sub = tmp.join(&d.dir);
            fs::create_dir_all(&sub).map_err(|e| io_context(e, "create", &sub))?;
        }
        // In parallel, also the three files of one account: each file's flush to
        // disk waits on the device, not the CPU, so the waits overlap.
        disputes.par_iter().try_for_each(|d| {
            let sub = tmp.join(&d.dir);
            let (csv, letters) = rayon::join(
                || {
                    write_atomic(&sub, &format!("{}.csv", d.stem), |w| {
                        w.write_all(crate::dispute_csv(d).as_bytes())
                    })
                },
                || {
                    let (md, html) = crate::dispute_letters(d, ctx);
                    let (a, b) = rayon::join(
                        || write_atomic(&sub, &format!("{}.md", d.stem), |w| w.write_all(md.as_bytes())),
                        || {
                            write_atomic(&sub, &format!("{}.html", d.stem), |w| {
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

/// Writes `changes/<carrier>.csv` (see [`replace_folder`]; removed when no
/// finding recommends a change).
fn write_changes(dir: &Path, changes: &[crate::CarrierChanges]) -> io::Result<()> {
    replace_folder(dir, "changes", changes.is_empty(), |tmp| {
        for c in changes {
            write_atomic(tmp, &format!("{}.csv", c.stem), |w| {
                w.write_all(crate::changes_csv(c).as_bytes())
            })?;
        }
        Ok(())
    })
}
