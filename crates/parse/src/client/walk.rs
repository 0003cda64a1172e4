//! Step 1 of reading a client: walk `invoices/` and list the files found there, in
//! path order, with where their bytes are.

use std::borrow::Cow;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use telaudit_model::{Position, Rejection, Warning};

/// A file found below invoices/ (or given in memory, or a member of an archive):
/// the unit the later steps classify and read.
pub(super) struct Found {
    /// The name shown in rejections and warnings: relative to the client folder,
    /// `/`-separated (`invoices/x.zip!member.txt` for an archive member).
    pub rel: String,
    /// The path whose extension tells the format (an archive member's own name).
    pub path: PathBuf,
    /// Where the bytes are.
    pub source: Source,
    /// A call-detail data file's header file (its column names), read with it.
    pub header: Option<std::sync::Arc<super::side::HeaderBytes>>,
}

/// Where a found file's bytes are: on disk (read when needed, so a client is never
/// held in memory whole) or already in memory (an archive member, or a file given
/// to [`super::read_bill_files`]).
pub(super) enum Source {
    /// On disk at [`Found::path`]; `canonical` (links resolved) tells the same file
    /// reached twice.
    Disk { canonical: PathBuf },
    /// The file's bytes.
    Memory(Vec<u8>),
}

impl Found {
    /// The first `n` bytes (fewer if the file is shorter or unreadable): enough to
    /// classify it.
    pub fn head(&self, n: usize) -> Cow<'_, [u8]> {
        match &self.source {
            Source::Disk { .. } => {
                let mut buf = Vec::with_capacity(n.min(65_536));
                if let Ok(f) = fs::File::open(&self.path) {
                    let _ = f.take(n as u64).read_to_end(&mut buf);
                }
                Cow::Owned(buf)
            }
            Source::Memory(b) => Cow::Borrowed(&b[..b.len().min(n)]),
        }
    }

    /// As [`Found::head`], for a file on disk read whole when it is shorter than
    /// `n` (and readable): then it is kept in memory and not opened again (a
    /// client of 10,000 one-page bills opened each twice).
    pub fn head_or_whole(&mut self, n: usize) -> Vec<u8> {
        if let Source::Disk { .. } = self.source {
            let mut buf = Vec::with_capacity(n.min(65_536));
            let read = fs::File::open(&self.path).and_then(|f| f.take(n as u64).read_to_end(&mut buf));
            if read.is_ok() && buf.len() < n {
                self.source = Source::Memory(buf.clone());
            }
            return buf;
        }
        self.head(n).into_owned()
    }

    /// The size in bytes (0 if unknown), to cut the files into read groups.
    pub fn size(&self) -> u64 {
        match &self.source {
            Source::Disk { .. } => fs::metadata(&self.path).map_or(0, |m| m.len()),
            Source::Memory(b) => b.len() as u64,
        }
    }

    /// All the bytes.
    pub fn bytes(&self) -> std::io::Result<Cow<'_, [u8]>> {
        match &self.source {
            Source::Disk { .. } => fs::read(&self.path).map(Cow::Owned),
            Source::Memory(b) => Ok(Cow::Borrowed(b.as_slice())),
        }
    }

    /// All the bytes, taking them out of memory (an archive is read once, then unpacked).
    pub fn into_bytes(self) -> std::io::Result<Vec<u8>> {
        match self.source {
            Source::Disk { .. } => fs::read(&self.path),
            Source::Memory(b) => Ok(b),
        }
    }
}

fn warn(warnings: &mut Vec<Warning>, file: &str, message: String) {
    warnings.push(Warning {
        file: file.to_string(),
        position: Position::File,
        message,
    });
}

/// Refuses an entry below invoices/ that could not be listed or resolved (a path
/// longer than the system allows, a folder without read permission): its files may
/// hold bills, so it is refused input, not a warning. A path too long to show is
/// shortened ([`shorten`]).
fn refuse(rejected: &mut Vec<Rejection>, rel: &str, what: &str, e: &std::io::Error) {
    let reason = if e.raw_os_error() == Some(36) || rel.len() > 4096 {
        // ENAMETOOLONG: the path (with the client folder's) is over the system's limit.
        format!(
            "{what}: its path is {} bytes long, more than the system allows ({e}); its files \
             were not read: move them to a shallower folder",
            rel.len()
        )
    } else {
        format!("{what} ({e}); its files were not read")
    };
    rejected.push(Rejection {
        file: shorten(rel),
        position: Position::File,
        reason,
        rows: 0,
    });
}

/// A path shown in rejected.csv: whole up to 300 bytes, else its first and last 120
/// bytes (cut on character boundaries) around `...`.
pub(super) fn shorten(rel: &str) -> String {
    const KEEP: usize = 120;
    if rel.len() <= 300 {
        return rel.to_string();
    }
    let mut head = KEEP;
    while !rel.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = rel.len() - KEEP;
    while !rel.is_char_boundary(tail) {
        tail += 1;
    }
    format!("{}...{}", &rel[..head], &rel[tail..])
}

/// The bill files below `invoices` (whose links are resolved in `invoices_canonical`),
/// in path order. `root` is the client folder, resolved: links are followed only
/// when they stay inside it; each file or folder skipped gets a warning.
pub(super) fn find_files(
    root: &Path,
    invoices: &Path,
    invoices_canonical: PathBuf,
    warnings: &mut Vec<Warning>,
    rejected: &mut Vec<Rejection>,
) -> Vec<Found> {
    let roots = [root.to_path_buf(), invoices_canonical.clone()];
    let mut found = Vec::new();
    walk(
        &roots,
        invoices,
        "invoices",
        &mut vec![invoices_canonical],
        &mut found,
        &mut Seen { warnings, rejected },
    );
    found.sort_by(|a, b| a.rel.cmp(&b.rel));
    found
}

/// What the walk warns about and refuses.
struct Seen<'a> {
    warnings: &'a mut Vec<Warning>,
    rejected: &'a mut Vec<Rejection>,
}

/// The entries of `dir`, sorted by name; an entry that cannot be listed is refused.
fn list(
    dir: &Path,
    rel: &str,
    rejected: &mut Vec<Rejection>,
) -> Option<Vec<(String, PathBuf, fs::FileType)>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            refuse(rejected, rel, "cannot list this folder", &e);
            return None;
        }
    };
    let mut list = Vec::new();
    for entry in entries {
        match entry.and_then(|e| Ok((e.file_name(), e.path(), e.file_type()?))) {
            Ok((name, path, ft)) => list.push((name.to_string_lossy().into_owned(), path, ft)),
            Err(e) => refuse(rejected, rel, "cannot list an entry of this folder", &e),
        }
    }
    list.sort_by(|a, b| a.0.cmp(&b.0));
    Some(list)
}

/// Whether an entry is a folder (true) or a regular file (false), following a
/// symbolic link that stays inside the client folder; Err: why it is skipped.
fn entry_is_dir(roots: &[PathBuf], ft: fs::FileType, canonical: &Path) -> Result<bool, String> {
    if ft.is_symlink() {
        if !roots.iter().any(|r| canonical.starts_with(r)) {
            return Err("symbolic link leads outside the client folder; skipped".into());
        }
        match fs::metadata(canonical) {
            Ok(m) if m.is_dir() => Ok(true),
            Ok(m) if m.is_file() => Ok(false),
            Ok(_) => Err("not a regular file; skipped".into()),
            Err(e) => Err(format!("cannot follow symbolic link ({e}); skipped")),
        }
    } else if ft.is_dir() {
        Ok(true)
    } else if ft.is_file() {
        Ok(false)
    } else {
        Err("not a regular file; skipped".into())
    }
}

/// Whether a (linked) file is one of the client's own tables ([`super::TABLES`]) or client.toml.
fn is_client_table(roots: &[PathBuf], canonical: &Path) -> bool {
    roots.first().is_some_and(|root| {
        canonical.parent() == Some(root.as_path())
            && super::TABLES
                .iter()
                .chain(&["client.toml"])
                .any(|n| canonical.file_name().is_some_and(|f| f == *n))
    })
}

/// Walks `dir` depth-first. Symbolic links are followed only when they stay inside
/// one of `roots`; a directory already on the current path (a link cycle) is skipped.
fn walk(
    roots: &[PathBuf],
    dir: &Path,
    rel: &str,
    stack: &mut Vec<PathBuf>,
    out: &mut Vec<Found>,
    seen: &mut Seen<'_>,
) {
    let Some(entries) = list(dir, rel, seen.rejected) else {
        return;
    };
    for (name, path, ft) in entries {
        let child = format!("{rel}/{name}");
        // An entry that is not a link is its folder's resolved path and its
        // name (the top of `stack`): only links are resolved, a system call per
        // path component each (on a client of 10,000 files they were most of
        // the walk).
        let beside = (!ft.is_symlink())
            .then(|| Some(stack.last()?.join(path.file_name()?)))
            .flatten();
        let canonical = match beside.map_or_else(|| fs::canonicalize(&path), Ok) {
            Ok(c) => c,
            Err(e) => {
                refuse(seen.rejected, &child, "cannot resolve this path", &e);
                continue;
            }
        };
        let is_dir = match entry_is_dir(roots, ft, &canonical) {
            Ok(d) => d,
            Err(why) => {
                warn(seen.warnings, &child, why);
                continue;
            }
        };
        if is_dir {
            if stack.contains(&canonical) {
                warn(seen.warnings, &child, "symbolic link loop; skipped".into());
                continue;
            }
            // A link back to the client folder (or another ancestor of invoices/)
            // would read inventory.csv and contracts.csv as bills.
            if roots.get(1).is_some_and(|inv| inv.starts_with(&canonical)) {
                warn(
                    seen.warnings,
                    &child,
                    "symbolic link leads back above invoices/; skipped".into(),
                );
                continue;
            }
            stack.push(canonical.clone());
            walk(roots, &path, &child, stack, out, seen);
            stack.pop();
        } else if is_client_table(roots, &canonical) {
            warn(
                seen.warnings,
                &child,
                "symbolic link to the client's own inventory, contracts or client.toml, not a bill; skipped"
                    .into(),
            );
        } else {
            out.push(Found {
                rel: child,
                path,
                source: Source::Disk { canonical },
                header: None,
            });
        }
    }
}
