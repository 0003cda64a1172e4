//! `telaudit audit --proposal-json FILE`: where the feed may go, and how it is
//! written.
//!
//! FILE may not lie inside the client folder (it would overwrite client.toml or
//! be read as a bill next time) nor among the outputs (report.json,
//! `disputes/` ...): both are refused before anything is written (exit 2), and
//! so are a folder, a block device, a socket and a symbolic link to nothing. A
//! regular file is replaced atomically (a temporary file beside it, renamed).
//! A symbolic link, a named pipe or a character device (`/dev/stdout`,
//! `/dev/null`) is written through, never replaced: it is opened and written in
//! place, so the link and the device stay what they are.

use super::audit::absolute_existing_prefix;
use super::CliError;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Where the feed goes and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A regular file (or none yet): replaced atomically.
    Replace(PathBuf),
    /// A symbolic link, named pipe or character device: opened and written in place.
    Through(PathBuf),
}

fn refuse(file: &Path, why: String) -> CliError {
    CliError::Config(format!(
        "--proposal-json {}: {why}; nothing was written",
        file.display()
    ))
}

/// Checks FILE against the client folder and the output folder, and tells how
/// to write it (see the module doc). Errors are exit 2.
pub fn check(file: &Path, client: &Path, out: &Path) -> Result<Target, CliError> {
    use std::os::unix::fs::FileTypeExt;
    let target = match fs::symlink_metadata(file) {
        Err(_) => Target::Replace(file.to_path_buf()),
        Ok(link) => match fs::metadata(file) {
            Err(e) => return Err(refuse(file, format!("a symbolic link that leads nowhere ({e})"))),
            Ok(m) if m.is_dir() => return Err(refuse(file, "a folder, not a file".into())),
            Ok(m) if m.is_file() && !link.file_type().is_symlink() => Target::Replace(file.to_path_buf()),
            Ok(m) if m.is_file() || m.file_type().is_fifo() || m.file_type().is_char_device() => {
                Target::Through(file.to_path_buf())
            }
            Ok(_) => {
                return Err(refuse(
                    file,
                    "neither a file, a named pipe nor a character device (a block device or a socket)".into(),
                ))
            }
        },
    };
    let Some(abs) = fs::canonicalize(file)
        .ok()
        .or_else(|| absolute_existing_prefix(file))
    else {
        return Ok(target);
    };
    if let Ok(c) = client.canonicalize() {
        if abs.starts_with(&c) {
            return Err(refuse(
                file,
                format!(
                    "it lies inside the client folder {}: it would overwrite the client's files \
                     (client.toml, a bill) or be read next time; write the feed outside it",
                    client.display()
                ),
            ));
        }
    }
    if let Some(o) = absolute_existing_prefix(out) {
        if let Ok(rest) = abs.strip_prefix(&o) {
            let first = rest
                .components()
                .next()
                .map(|c| c.as_os_str().to_string_lossy().into_owned());
            let among = match first.as_deref() {
                None => true,
                Some(n) => n == telaudit_report::owned::MARKER || telaudit_report::owned::output(n).is_some(),
            };
            if among {
                return Err(refuse(
                    file,
                    format!(
                        "it is one of the outputs in {} (report.json, disputes/ ...), which the audit \
                         writes; give another name, such as {}",
                        out.display(),
                        out.join("proposal.json").display()
                    ),
                ));
            }
        }
    }
    Ok(target)
}

/// Writes the feed as [`check`] decided. Errors are exit 1.
pub fn write(target: &Target, json: &str) -> Result<(), CliError> {
    match target {
        Target::Replace(file) => {
            let fail = |e: std::io::Error| CliError::Failed(format!("cannot write {}: {e}", file.display()));
            let name = file.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
                CliError::Config(format!("--proposal-json {}: not a file name", file.display()))
            })?;
            let dir = match file.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            fs::create_dir_all(dir).map_err(fail)?;
            telaudit_report::write_atomic(dir, name, |w| w.write_all(json.as_bytes())).map_err(fail)
        }
        Target::Through(file) => {
            let fail = |e: std::io::Error| CliError::Failed(format!("cannot write {}: {e}", file.display()));
            let mut f = fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(file)
                .map_err(fail)?;
            f.write_all(json.as_bytes()).map_err(fail)?;
            f.flush().map_err(fail)
        }
    }
}
