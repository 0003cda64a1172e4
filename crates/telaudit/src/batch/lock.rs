//! The exclusive lock of a batch output folder: `<DIR>/.telaudit.lock`.
//!
//! The lock file holds the owner's process id. It is created with its content
//! in one step (written to a private temporary file, then hard-linked to the
//! lock name, which fails when the name exists), so a lock file is never seen
//! empty. A lock whose process is gone (killed run) is stale and taken over.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The lock's file name inside the output folder.
pub const LOCK_NAME: &str = ".telaudit.lock";

/// A held lock; dropping it removes the lock file.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another live process holds it.
    Held {
        path: PathBuf,
        pid: u32,
    },
    Io(String),
}

/// Takes the lock of `dir` (which must exist).
pub fn acquire(dir: &Path) -> Result<Lock, LockError> {
    let path = dir.join(LOCK_NAME);
    let me = std::process::id();
    let tmp = dir.join(format!("{LOCK_NAME}.{me}.tmp"));
    let io_err =
        |what: &str, p: &Path, e: io::Error| LockError::Io(format!("cannot {what} {}: {e}", p.display()));
    {
        let mut f = fs::File::create(&tmp).map_err(|e| io_err("create", &tmp, e))?;
        writeln!(f, "{me}").map_err(|e| io_err("write", &tmp, e))?;
        f.sync_all().map_err(|e| io_err("write", &tmp, e))?;
    }
    let result = (|| {
        for _ in 0..5 {
            match fs::hard_link(&tmp, &path) {
                Ok(()) => return Ok(Lock { path: path.clone() }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                // No hard links on this file system: fall back to create_new.
                Err(_) => match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                    Ok(mut f) => {
                        writeln!(f, "{me}").map_err(|e| io_err("write", &path, e))?;
                        return Ok(Lock { path: path.clone() });
                    }
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(io_err("create", &path, e)),
                },
            }
            // The lock exists: is its owner alive?
            let owner = read_pid(&path);
            match owner {
                Some(pid) if pid == me || !is_alive(pid) => take_over_stale(dir, &path, pid)?,
                Some(pid) => {
                    return Err(LockError::Held {
                        path: path.clone(),
                        pid,
                    })
                }
                // Unreadable or garbage: written by something else; only a human can tell.
                None => {
                    if path.exists() {
                        return Err(LockError::Io(format!(
                            "{} exists but holds no process id; if no batch runs on this folder, delete it",
                            path.display()
                        )));
                    }
                }
            }
        }
        Err(LockError::Io(format!(
            "cannot take {}: it keeps changing",
            path.display()
        )))
    })();
    let _ = fs::remove_file(&tmp);
    if result.is_ok() {
        remove_dead_temps(dir, me);
    }
    result
}

/// Removes the private temporary files (`.telaudit.lock.<pid>.tmp`,
/// `.telaudit.lock.stale.<pid>`) that a run killed while taking the lock left
/// behind. Only files of processes that are gone are touched.
fn remove_dead_temps(dir: &Path, me: u32) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(LOCK_NAME).and_then(|r| r.strip_prefix('.')) else {
            continue;
        };
        let pid = rest
            .strip_suffix(".tmp")
            .or_else(|| rest.strip_prefix("stale."))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid {
            if pid != me && !is_alive(pid) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

/// Removes a stale lock held by the dead process `pid`. It is renamed aside
/// first and checked again, so a lock another run has just taken is put back.
fn take_over_stale(dir: &Path, path: &Path, pid: u32) -> Result<(), LockError> {
    let aside = dir.join(format!("{LOCK_NAME}.stale.{}", std::process::id()));
    match fs::rename(path, &aside) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(LockError::Io(format!(
                "cannot remove the stale {}: {e}",
                path.display()
            )))
        }
    }
    if read_pid(&aside) != Some(pid) {
        // Another run took the lock between our read and the rename: give it back.
        let _ = fs::hard_link(&aside, path);
    }
    let _ = fs::remove_file(&aside);
    Ok(())
}

fn read_pid(path: &Path) -> Option<u32> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Whether process `pid` runs (and is a telaudit, so that a reused pid does
/// not keep a stale lock alive). Without /proc, every process counts as alive.
fn is_alive(pid: u32) -> bool {
    if !Path::new("/proc/self").exists() {
        return true;
    }
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    if !proc_dir.exists() {
        return false;
    }
    // A zombie (killed, not yet reaped) no longer runs.
    if let Ok(stat) = fs::read_to_string(proc_dir.join("stat")) {
        if let Some(state) = stat.rsplit(')').next().and_then(|s| s.split_whitespace().next()) {
            if state == "Z" || state == "X" {
                return false;
            }
        }
    }
    match fs::read(proc_dir.join("cmdline")) {
        Ok(cmd) => cmd.is_empty() || String::from_utf8_lossy(&cmd).contains("telaudit"),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_refuses_and_a_stale_one_is_taken_over() {
        let tmp = tempfile::tempdir().unwrap();
        let lock = acquire(tmp.path()).unwrap();
        let text = fs::read_to_string(tmp.path().join(LOCK_NAME)).unwrap();
        assert_eq!(text.trim(), std::process::id().to_string());
        drop(lock);
        assert!(!tmp.path().join(LOCK_NAME).exists());

        // A dead pid (beyond pid_max) is stale.
        fs::write(tmp.path().join(LOCK_NAME), "4294967290\n").unwrap();
        let lock = acquire(tmp.path()).unwrap();
        drop(lock);

        // pid 1 runs but is not telaudit: stale as well on Linux (reused pid).
        // Our own test binary's name contains "telaudit"? Use a child we control instead.
        let mut child = std::process::Command::new("sleep").arg("5").spawn().unwrap();
        fs::write(tmp.path().join(LOCK_NAME), format!("{}\n", child.id())).unwrap();
        // `sleep` is not a telaudit: taken over.
        assert!(acquire(tmp.path()).is_ok());
        child.kill().unwrap();
        child.wait().unwrap();

        fs::write(tmp.path().join(LOCK_NAME), "not a pid\n").unwrap();
        assert!(matches!(acquire(tmp.path()), Err(LockError::Io(_))));
    }
}
