//! Making written files durable off the worker threads.
//!
//! An output file is written into a temporary file, flushed to disk, then
//! renamed into place ([`crate::write_atomic`]): a reader never sees half a
//! file. The flush to disk (`fsync`) waits on the device, and a rayon thread
//! that waits cannot render: on 2 cores the write phase's fsyncs held the
//! threads for 26 to 58 ms of a 250 ms phase. [`with_syncer`] hands each
//! written file to one syncer thread instead, which flushes it and renames it
//! into place in the order the files were handed over, while the worker
//! threads go on rendering (at most [`PENDING`] files ahead). The guarantee is
//! the same: a file (or a folder of files) appears under its name only once
//! all of it is on disk.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender};

/// What the syncer does, in order.
enum Op {
    /// Flush `file` to disk, then rename `tmp` over `target`.
    File {
        file: File,
        tmp: PathBuf,
        target: PathBuf,
    },
    /// Remove `target` (a stale folder, or a file in its place) and rename the
    /// folder `tmp` over it; every file in `tmp` was handed over before.
    Folder { tmp: PathBuf, target: PathBuf },
    /// Remove the folder `tmp`, whose filling failed, once the files handed
    /// over into it are done with.
    Discard { tmp: PathBuf },
}

/// The handle the writers hand their files to (see the module doc).
pub(crate) struct Syncer {
    tx: SyncSender<Op>,
}

/// How many handed-over operations may wait for the syncer. Each waiting file
/// holds its descriptor open: unbounded, a client with thousands of dispute
/// files held thousands open and failed with "Too many open files" under the
/// common limit of 1,024. A writer that gets this far ahead waits for the
/// syncer (which never waits on a writer).
const PENDING: usize = 16;

impl Syncer {
    /// Flushes `file` (holding `tmp`) to disk and renames `tmp` over `target`,
    /// on the syncer thread. If that thread is gone (it never is while
    /// [`with_syncer`] runs), here.
    pub(crate) fn file(&self, file: File, tmp: PathBuf, target: PathBuf) -> io::Result<()> {
        match self.tx.send(Op::File { file, tmp, target }) {
            Ok(()) => Ok(()),
            Err(mpsc::SendError(op)) => run_op(op),
        }
    }

    /// Puts the folder `tmp` in place of `target` once every file handed over
    /// before is on disk.
    pub(crate) fn folder(&self, tmp: PathBuf, target: PathBuf) -> io::Result<()> {
        match self.tx.send(Op::Folder { tmp, target }) {
            Ok(()) => Ok(()),
            Err(mpsc::SendError(op)) => run_op(op),
        }
    }

    /// Removes the folder `tmp` once the files handed over into it are done with.
    pub(crate) fn discard(&self, tmp: PathBuf) {
        if let Err(mpsc::SendError(op)) = self.tx.send(Op::Discard { tmp }) {
            let _ = run_op(op);
        }
    }
}

/// What the syncer did: its first error (or `Ok`), and every target it did not
/// put in place (a file that failed, a folder that held one).
pub(crate) struct Synced {
    /// The error of the first failed target in text order, or `Ok`.
    pub result: io::Result<()>,
    /// The targets left as they were, in the order handled.
    pub failed: Vec<PathBuf>,
}

/// Runs `work` with a [`Syncer`] whose thread makes the files durable as they
/// come; returns `work`'s value once every file is in place, with what the
/// syncer did.
pub(crate) fn with_syncer<R>(work: impl FnOnce(&Syncer) -> R) -> (R, Synced) {
    let (tx, rx) = mpsc::sync_channel(PENDING);
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("telaudit-fsync".into())
            .spawn_scoped(scope, move || run(rx));
        let syncer = Syncer { tx };
        let value = work(&syncer);
        drop(syncer);
        let synced = match thread {
            Ok(t) => t.join().unwrap_or_else(|_| Synced {
                result: Err(io::Error::other(
                    "the thread flushing the outputs to disk panicked",
                )),
                failed: Vec::new(),
            }),
            // No thread: every `send` failed and each file was made durable on the spot.
            Err(_) => Synced {
                result: Ok(()),
                failed: Vec::new(),
            },
        };
        (value, synced)
    })
}

/// The syncer thread: every operation in order. A file that fails is removed,
/// and so is a folder that held a file that failed (it never replaces the old
/// one); other files still go in place. Of the errors, the one of the first target
/// path in text order is returned (the same from run to run), with every target
/// not put in place.
fn run(rx: Receiver<Op>) -> Synced {
    let mut errors: Vec<(PathBuf, io::Error)> = Vec::new();
    let mut failed: Vec<PathBuf> = Vec::new();
    let mut left: Vec<PathBuf> = Vec::new();
    for op in rx {
        let (target, result) = match op {
            Op::Folder { tmp, target } if failed.iter().any(|f| f.starts_with(&tmp)) => {
                let _ = fs::remove_dir_all(&tmp);
                left.push(target);
                continue;
            }
            Op::File {
                ref tmp, ref target, ..
            } => {
                let (tmp, target) = (tmp.clone(), target.clone());
                (target, run_op(op).inspect_err(|_| failed.push(tmp)))
            }
            Op::Folder { ref target, .. } => (target.clone(), run_op(op)),
            Op::Discard { .. } => (PathBuf::new(), run_op(op)),
        };
        if let Err(e) = result {
            left.push(target.clone());
            errors.push((target, e));
        }
    }
    // The files reach the syncer in whatever order the threads finished them:
    // the error reported is the one of the first path in text order, the same
    // from run to run.
    errors.sort_by(|a, b| a.0.cmp(&b.0));
    Synced {
        result: errors.into_iter().next().map_or(Ok(()), |(_, e)| Err(e)),
        failed: left,
    }
}

/// Flushes `file` (holding `tmp`) to disk and renames `tmp` over `target`; on
/// failure `tmp` is removed and the error names `target`.
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

/// One operation, here and now; on failure its temporary file or folder is removed.
fn run_op(op: Op) -> io::Result<()> {
    match op {
        Op::File { file, tmp, target } => put_in_place(file, &tmp, &target),
        Op::Folder { tmp, target } => {
            let result = remove_any(&target)
                .map_err(|e| io_context(e, "remove the stale", &target))
                .and_then(|()| {
                    fs::rename(&tmp, &target).map_err(|e| io_context(e, "rename into place", &target))
                });
            if result.is_err() {
                let _ = fs::remove_dir_all(&tmp);
            }
            result
        }
        Op::Discard { tmp } => {
            let _ = fs::remove_dir_all(&tmp);
            Ok(())
        }
    }
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
    use std::io::Write;

    fn written(dir: &Path, name: &str, text: &str) -> (File, PathBuf, PathBuf) {
        let tmp = dir.join(format!(".tmp-{name}"));
        let mut f = File::create(&tmp).unwrap();
        f.write_all(text.as_bytes()).unwrap();
        (f, tmp, dir.join(name))
    }

    #[test]
    fn files_and_folders_go_in_place_in_order_and_a_failed_file_keeps_its_folder_out() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path();
        // An old folder the new one replaces, and one whose replacement fails.
        fs::create_dir_all(dir.join("good/old")).unwrap();
        fs::create_dir_all(dir.join("bad/old")).unwrap();
        let (value, synced) = with_syncer(|s| {
            let (f, tmp, target) = written(dir, "a.txt", "A");
            s.file(f, tmp, target).unwrap();
            let good = dir.join(".good.tmp");
            fs::create_dir(&good).unwrap();
            let (f, tmp, target) = written(&good, "x.csv", "X");
            s.file(f, tmp, target).unwrap();
            s.folder(good, dir.join("good")).unwrap();
            // A file whose target cannot be made (its folder is missing) fails.
            let bad = dir.join(".bad.tmp");
            fs::create_dir(&bad).unwrap();
            let (f, tmp, _) = written(&bad, "y.csv", "Y");
            s.file(f, tmp, bad.join("missing/y.csv")).unwrap();
            s.folder(bad, dir.join("bad")).unwrap();
            7
        });
        assert_eq!(value, 7);
        assert_eq!(
            synced.failed,
            [dir.join(".bad.tmp/missing/y.csv"), dir.join("bad")],
            "the failed file and the folder it kept out"
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
            "no temporary file or folder is left"
        );
    }
}
