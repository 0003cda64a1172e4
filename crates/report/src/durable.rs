//! Making a write phase's files durable with one flush, not one per file.
//!
//! Every output is written where no reader looks first: a top-level file into a
//! temporary file beside it (`.tmp-<name>-<pid>-<n>.tmp`), a folder's files
//! (`disputes/`, `changes/`, `recovery/`) under their own names inside a
//! temporary folder (`.<name>.<pid>.<n>.tmp`). Writers close each file as soon
//! as it is written and hand over what to put in place ([`Pending`]); no file
//! descriptor stays open, whatever the number of files. When every writer is
//! done, [`with_pending`] makes them durable and puts them in place:
//!
//! 1. **One flush** of everything written: `syncfs` on the output folder's file
//!    system (Linux, through rustix's safe wrapper), which writes every dirty
//!    page and inode of that file system and waits for them; elsewhere each
//!    file, then each temporary folder, is flushed in turn (`fsync`). On a
//!    client of 10,000 accounts (30,000 files) one flush per file took 19 s of a
//!    19.2 s audit; one `syncfs` takes a fraction of a second.
//! 2. **report.json's old copy is removed** (and the removal flushed): from here
//!    on the folder is a mix of two runs until the new report.json says it is
//!    complete (formats.md, "The output folder").
//! 3. **Each target is put in place** in text order of its path: a file by
//!    `rename` over the old one; a folder by exchanging it with the old one
//!    (`renameat2(RENAME_EXCHANGE)`, so a reader sees the old folder or the new,
//!    never none; where the call is refused, the old folder is removed and the
//!    new renamed in) and removing the old one after. A folder one of whose
//!    files failed is never put in place.
//! 4. **The output folder is flushed** (`fsync` on the folder), which makes the
//!    renames durable. The caller then writes report.json last, with its own
//!    flush.
//!
//! Why this order is safe when the machine stops at any moment: a target is
//! renamed only after step 1 returned, so a name never points at data that is
//! not on disk (no half-written or empty file replaces a good one: on ext4 a
//! rename without the data flushed first can leave an empty file after a
//! crash); before step 3 the folder holds the earlier run's outputs, and
//! without report.json from step 2 on; a folder is swapped whole, so
//! `disputes/` is the old set or the new set. If step 1 fails, nothing is put
//! in place and every target is reported as left as it was.
//!
//! `syncfs` writes what other programs left unwritten on the same file system
//! too: on a disk busy with other writers the one flush waits for theirs as well
//! (still once per write phase). Since Linux 5.8 it reports write errors of the
//! file system (an earlier kernel may not, and then a failed write of our data
//! surfaces only on a later read).

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Test hook: milliseconds to sleep before each step of putting the outputs in
/// place (the removal of the earlier report.json, then each output), so that
/// tests/e2e_audit.rs can kill an audit between two of them. It has no other
/// use and is not part of the command line.
pub const TEST_PLACE_DELAY_ENV: &str = "TELAUDIT_TEST_PLACE_DELAY_MS";

/// What to put in place once everything is on disk.
enum Op {
    /// Rename the file `tmp` over `target`.
    File { tmp: PathBuf, target: PathBuf },
    /// Put the folder `tmp` (all of whose files were written inside it) in
    /// place of `target`.
    Folder { tmp: PathBuf, target: PathBuf },
    /// Remove the folder `tmp`, whose filling failed.
    Discard { tmp: PathBuf },
}

/// The writers' list of what to put in place, and (where there is no
/// `syncfs`) of every file written.
pub(crate) struct Pending {
    ops: Mutex<Vec<Op>>,
    /// Every file written, for the flush file by file (not used with `syncfs`).
    written: Mutex<Vec<PathBuf>>,
}

impl Pending {
    fn push(&self, op: Op) {
        self.ops.lock().unwrap_or_else(|e| e.into_inner()).push(op);
    }

    /// `tmp` (written and closed) goes over `target` once everything is on disk.
    pub(crate) fn file(&self, tmp: PathBuf, target: PathBuf) {
        self.wrote(&tmp);
        self.push(Op::File { tmp, target });
    }

    /// The folder `tmp` replaces `target` once everything is on disk.
    pub(crate) fn folder(&self, tmp: PathBuf, target: PathBuf) {
        self.wrote(&tmp);
        self.push(Op::Folder { tmp, target });
    }

    /// The folder `tmp` is removed (its filling failed).
    pub(crate) fn discard(&self, tmp: PathBuf) {
        self.push(Op::Discard { tmp });
    }

    /// Notes a file (or folder) written, for the flush file by file.
    pub(crate) fn wrote(&self, path: &Path) {
        if !HAS_SYNCFS {
            self.written
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(path.to_path_buf());
        }
    }
}

/// Whether the one flush is `syncfs` (Linux) rather than one `fsync` per file.
const HAS_SYNCFS: bool = cfg!(target_os = "linux");

/// What was put in place: the first error (or `Ok`), and every target left as
/// it was (a file that failed, a folder that held one, everything when the
/// flush failed).
pub(crate) struct Synced {
    /// The error of the first failed target in text order, or `Ok`.
    pub result: io::Result<()>,
    /// The targets left as they were, in text order.
    pub failed: Vec<PathBuf>,
}

/// Runs `work` with a [`Pending`] list the writers fill, then flushes every
/// file written in `dir` to disk at once, removes `dir`'s old report.json,
/// puts every target in place and flushes `dir` (see the module doc). A
/// writer whose file failed hands over nothing for it (a folder's filling that
/// failed is discarded).
pub(crate) fn with_pending<R>(dir: &Path, work: impl FnOnce(&Pending) -> R) -> (R, Synced) {
    let pending = Pending {
        ops: Mutex::new(Vec::new()),
        written: Mutex::new(Vec::new()),
    };
    let value = work(&pending);
    let mut ops = pending.ops.into_inner().unwrap_or_else(|e| e.into_inner());
    let written = pending.written.into_inner().unwrap_or_else(|e| e.into_inner());
    ops.sort_by(|a, b| target_of(a).cmp(target_of(b)));
    if let Err(e) = flush(dir, &written) {
        let e = io::Error::new(
            e.kind(),
            format!("cannot flush the outputs in {} to disk: {e}", dir.display()),
        );
        let mut failed = Vec::new();
        for op in ops {
            match op {
                Op::File { tmp, target } => {
                    let _ = fs::remove_file(tmp);
                    failed.push(target);
                }
                Op::Folder { tmp, target } => {
                    let _ = fs::remove_dir_all(tmp);
                    failed.push(target);
                }
                Op::Discard { tmp } => {
                    let _ = fs::remove_dir_all(tmp);
                }
            }
        }
        return (
            value,
            Synced {
                result: Err(e),
                failed,
            },
        );
    }
    let synced = put_all_in_place(dir, ops);
    (value, synced)
}

/// The path an operation puts something at (its temporary path for a discard).
fn target_of(op: &Op) -> &Path {
    match op {
        Op::File { target, .. } | Op::Folder { target, .. } => target,
        Op::Discard { tmp } => tmp,
    }
}

/// Step 1: everything written is on disk once this returns `Ok`.
fn flush(dir: &Path, written: &[PathBuf]) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let _ = written;
        let d = File::open(dir)?;
        rustix::fs::syncfs(&d).map_err(io::Error::from)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = dir;
        for p in written {
            sync_tree(p)?;
        }
        Ok(())
    }
}

/// Flushes a file, or a folder's files and the folder (not Linux: see [`flush`]).
#[cfg(not(target_os = "linux"))]
fn sync_tree(p: &Path) -> io::Result<()> {
    if fs::symlink_metadata(p)?.is_dir() {
        for e in fs::read_dir(p)? {
            sync_tree(&e?.path())?;
        }
        // Not every platform can open a folder to flush it.
        if let Ok(d) = File::open(p) {
            let _ = d.sync_all();
        }
        Ok(())
    } else {
        File::open(p)?.sync_all()
    }
}

/// Steps 2 to 4: report.json's old copy removed, every target put in place in
/// order, `dir` flushed. Of the errors, the one of the first target path in
/// text order is returned, with every target not put in place.
fn put_all_in_place(dir: &Path, ops: Vec<Op>) -> Synced {
    let mut errors: Vec<(PathBuf, io::Error)> = Vec::new();
    let mut left: Vec<PathBuf> = Vec::new();
    let delay = std::env::var(TEST_PLACE_DELAY_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(std::time::Duration::from_millis);
    let pause = || {
        if let Some(d) = delay {
            std::thread::sleep(d);
        }
    };
    pause();
    let old_report = dir.join("report.json");
    match fs::remove_file(&old_report) {
        Ok(()) => sync_dir(dir),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => errors.push((
            old_report.clone(),
            io_context(e, "remove the earlier", &old_report),
        )),
    }
    for op in ops {
        pause();
        let (target, result) = match op {
            Op::File { tmp, target } => {
                let r = fs::rename(&tmp, &target).inspect_err(|_| {
                    let _ = fs::remove_file(&tmp);
                });
                let r = r
                    .map_err(|e| io::Error::new(e.kind(), format!("cannot write {}: {e}", target.display())));
                (target, r)
            }
            Op::Folder { tmp, target } => {
                let r = replace_folder(&tmp, &target);
                (target, r)
            }
            Op::Discard { tmp } => {
                let _ = fs::remove_dir_all(&tmp);
                continue;
            }
        };
        if let Err(e) = result {
            left.push(target.clone());
            errors.push((target, e));
        }
    }
    sync_dir(dir);
    errors.sort_by(|a, b| a.0.cmp(&b.0));
    left.sort();
    Synced {
        result: errors.into_iter().next().map_or(Ok(()), |(_, e)| Err(e)),
        failed: left,
    }
}

/// Puts the folder `tmp` in place of `target`: exchanged with the old one
/// where the platform can (a reader sees one or the other, never none), the
/// old one then removed; else the old one removed and `tmp` renamed in. On
/// failure `tmp` is removed.
fn replace_folder(tmp: &Path, target: &Path) -> io::Result<()> {
    if exchange(tmp, target).is_ok() {
        // `tmp` now holds the old folder (or a file that stood there).
        let _ = remove_any(tmp);
        return Ok(());
    }
    let result = remove_any(target)
        .map_err(|e| io_context(e, "remove the stale", target))
        .and_then(|()| fs::rename(tmp, target).map_err(|e| io_context(e, "rename into place", target)));
    if result.is_err() {
        let _ = fs::remove_dir_all(tmp);
    }
    result
}

/// Swaps `a` and `b` atomically (both must exist).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

/// Swaps `a` and `b` atomically: not offered here.
#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Flushes a folder's entries (best effort: not every platform can open a folder).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Flushes `file` (holding `tmp`) to disk and renames `tmp` over `target`; on
/// failure `tmp` is removed and the error names `target`. The one-file
/// atomic write ([`crate::write_atomic`]).
pub(crate) fn put_in_place(file: File, tmp: &Path, target: &Path) -> io::Result<()> {
    let result = file.sync_all().and_then(|()| {
        drop(file);
        fs::rename(tmp, target)
    });
    if result.is_err() {
        let _ = fs::remove_file(tmp);
    }
    result.map_err(|e| io::Error::new(e.kind(), format!("cannot write {}: {e}", target.display())))
}

/// `cannot <what> <path>: <e>`, keeping the error's kind.
pub(crate) fn io_context(e: io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("cannot {what} {}: {e}", path.display()))
}

/// Removes `path` (a folder, or a file or link standing in its place) if it exists.
pub(crate) fn remove_any(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(dir: &Path, name: &str, text: &str) -> PathBuf {
        let tmp = dir.join(format!(".tmp-{name}"));
        fs::write(&tmp, text).unwrap();
        tmp
    }

    #[test]
    fn files_and_folders_go_in_place_and_a_failed_folder_stays_out() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        // An old folder the new one replaces, one whose replacement fails, and
        // an earlier run's report.json, which goes first.
        fs::create_dir_all(dir.join("good/old")).unwrap();
        fs::create_dir_all(dir.join("bad/old")).unwrap();
        fs::write(dir.join("report.json"), "{}").unwrap();
        let (value, synced) = with_pending(dir, |p| {
            let tmp = written(dir, "a.txt", "A");
            p.file(tmp, dir.join("a.txt"));
            let good = dir.join(".good.tmp");
            fs::create_dir(&good).unwrap();
            fs::write(good.join("x.csv"), "X").unwrap();
            p.folder(good, dir.join("good"));
            // A folder a file of which could not be written is discarded.
            let bad = dir.join(".bad.tmp");
            fs::create_dir(&bad).unwrap();
            fs::write(bad.join("y.csv"), "half").unwrap();
            p.discard(bad);
            // A file whose target cannot be made (its folder is missing) fails.
            let tmp = written(dir, "c.txt", "C");
            p.file(tmp, dir.join("missing/c.txt"));
            7
        });
        assert_eq!(value, 7);
        assert_eq!(
            synced.failed,
            [dir.join("missing/c.txt")],
            "the file that could not be renamed"
        );
        let e = synced.result.unwrap_err();
        assert!(e.to_string().contains("cannot write"), "{e}");
        assert_eq!(fs::read_to_string(dir.join("a.txt")).unwrap(), "A");
        assert_eq!(fs::read_to_string(dir.join("good/x.csv")).unwrap(), "X");
        assert!(!dir.join("good/old").exists(), "the new folder replaced the old");
        assert!(
            dir.join("bad/old").exists(),
            "the failed folder did not replace the old"
        );
        let mut left: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["a.txt", "bad", "good"],
            "no temporary file or folder is left, and no earlier report.json"
        );
    }

    #[test]
    fn a_folder_replaces_a_file_standing_in_its_place() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        fs::write(dir.join("changes"), "not a folder").unwrap();
        let ((), synced) = with_pending(dir, |p| {
            let tmp = dir.join(".changes.tmp");
            fs::create_dir(&tmp).unwrap();
            fs::write(tmp.join("Lumen.csv"), "x").unwrap();
            p.folder(tmp, dir.join("changes"));
        });
        assert!(synced.result.is_ok());
        assert_eq!(fs::read_to_string(dir.join("changes/Lumen.csv")).unwrap(), "x");
        assert_eq!(fs::read_dir(dir).unwrap().count(), 1);
    }
}
