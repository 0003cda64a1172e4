//! What telaudit may replace in an output folder: only what it wrote.
//!
//! An output folder of `telaudit audit` (and each client folder of a batch)
//! holds telaudit's own outputs, [`OUTPUTS`], and a marker, [`MARKER`], written
//! before the outputs, by which a later run knows the folder as telaudit's. A
//! run replaces only those names, and never a folder (`disputes/`, `changes/`)
//! that holds anything telaudit does not write there: an analyst's own files
//! are never deleted. [`foreign`] lists what telaudit would not have written.
//! Add a new output to [`OUTPUTS`]: it is then written, replaced and checked
//! like the others.

use std::fs;
use std::io;
use std::path::Path;

/// The marker file telaudit writes into every output folder before its outputs.
pub const MARKER: &str = ".telaudit-out";

/// The marker's text.
const MARKER_TEXT: &str =
    "telaudit-out/1\nThis folder holds telaudit's outputs: a run replaces only its own \
                           output names (docs/formats.md, \"The output folder\").\n";

/// One of telaudit's own outputs in an output folder.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// Its name in the output folder.
    pub name: &'static str,
    /// `None` for a file; for a folder, the extensions of the files telaudit
    /// writes in it (at most `depth` levels down: 1 = files directly in it).
    pub folder: Option<(&'static [&'static str], usize)>,
}

impl Output {
    const fn file(name: &'static str) -> Output {
        Output { name, folder: None }
    }

    const fn folder(name: &'static str, extensions: &'static [&'static str], depth: usize) -> Output {
        Output {
            name,
            folder: Some((extensions, depth)),
        }
    }
}

/// Every name telaudit writes into an output folder, in one list (a new output
/// is one line here).
pub const OUTPUTS: &[Output] = &[
    Output::file("report.json"),
    Output::file("findings.csv"),
    Output::file("rejected.csv"),
    Output::file("report.md"),
    Output::file("report.html"),
    Output::file("report.xlsx"),
    Output::file("warnings.csv"),
    // disputes/<carrier>/<account>.csv, .md and .html, and disputes/new-claims.csv.
    Output::folder("disputes", &["csv", "md", "html"], 2),
    Output::folder("changes", &["csv"], 1),
    // recovery/claims.csv and recovery/credits.csv (with a claims ledger).
    Output::folder("recovery", &["csv"], 1),
];

/// The output of this name, if telaudit writes one.
pub fn output(name: &str) -> Option<&'static Output> {
    OUTPUTS.iter().find(|o| o.name == name)
}

/// A temporary file or folder of an interrupted write (`.tmp-<name>-...` or
/// `.<name>.<pid>.<n>.tmp`): telaudit's own.
fn is_leftover(name: &str) -> bool {
    name.starts_with(".tmp-") || (name.starts_with('.') && name.ends_with(".tmp"))
}

/// Whether `dir` carries telaudit's marker.
pub fn has_marker(dir: &Path) -> bool {
    fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file())
        && fs::read_to_string(dir.join(MARKER)).is_ok_and(|t| t.starts_with("telaudit-out/"))
}

/// Writes the marker into `dir` (atomically).
pub fn write_marker(dir: &Path) -> io::Result<()> {
    crate::write_atomic(dir, MARKER, |w| io::Write::write_all(w, MARKER_TEXT.as_bytes()))
}

/// What stands in `dir` that telaudit does not write, as paths relative to
/// `dir` (sorted; folders end with `/`), in two lists:
/// - `inside`: under one of [`OUTPUTS`]' names, which a run would replace: a
///   folder where a file goes, a file or folder `disputes/` or `changes/` never
///   holds (another extension, too deep, not a regular file), or a file where
///   a folder goes. A run must never replace these.
/// - `beside`: other names at the top (`also` and the marker excepted), which a
///   run leaves alone.
pub fn foreign(dir: &Path, also: &[&str]) -> io::Result<Foreign> {
    let mut f = Foreign::default();
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(f),
        Err(e) => return Err(e),
    };
    for e in entries {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        let meta = fs::symlink_metadata(e.path())?;
        let shown = if meta.is_dir() {
            format!("{name}/")
        } else {
            name.clone()
        };
        match output(&name) {
            None if name == MARKER || also.contains(&name.as_str()) || is_leftover(&name) => {}
            None => f.beside.push(shown),
            Some(o) => match o.folder {
                None if meta.is_file() => {}
                None => f.inside.push(shown),
                Some(_) if !meta.is_dir() => f.inside.push(shown),
                Some((ext, depth)) => walk(&e.path(), &name, ext, depth, &mut f.inside)?,
            },
        }
    }
    f.inside.sort();
    f.beside.sort();
    Ok(f)
}

/// The entries of an output folder `dir` (shown as `rel`) that telaudit does
/// not write there.
fn walk(dir: &Path, rel: &str, ext: &[&str], depth: usize, out: &mut Vec<String>) -> io::Result<()> {
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        let meta = fs::symlink_metadata(e.path())?;
        let path = format!("{rel}/{name}");
        if meta.is_dir() && depth > 1 {
            walk(&e.path(), &path, ext, depth - 1, out)?;
        } else if meta.is_dir() {
            out.push(format!("{path}/"));
        } else {
            let known = Path::new(&name)
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| ext.contains(&x));
            if !meta.is_file() || !known {
                out.push(path);
            }
        }
    }
    Ok(())
}

/// What [`foreign`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Foreign {
    /// Under telaudit's output names: a run would delete them.
    pub inside: Vec<String>,
    /// Beside them: a run leaves them alone.
    pub beside: Vec<String>,
}

/// At most `n` of `names`, joined, with how many more.
pub fn first_names(names: &[String], n: usize) -> String {
    let mut s = names.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > n {
        s.push_str(&format!(" and {} more", names.len() - n));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_names_what_telaudit_does_not_write() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::create_dir_all(d.join("disputes/Verizon")).unwrap();
        fs::write(d.join("disputes/Verizon/1.csv"), "x").unwrap();
        fs::write(d.join("disputes/Verizon/notes.docx"), "x").unwrap();
        fs::create_dir_all(d.join("changes/deep")).unwrap();
        fs::write(d.join("changes/Lumen.csv"), "x").unwrap();
        fs::create_dir_all(d.join("report.html")).unwrap();
        fs::write(d.join("report.json"), "{}").unwrap();
        fs::write(d.join("notes.txt"), "mine").unwrap();
        fs::write(d.join(".tmp-report.md-1-2.tmp"), "").unwrap();
        fs::write(d.join(MARKER), MARKER_TEXT).unwrap();
        let f = foreign(d, &[]).unwrap();
        assert_eq!(
            f.inside,
            ["changes/deep/", "disputes/Verizon/notes.docx", "report.html/"]
        );
        assert_eq!(f.beside, ["notes.txt"]);
        assert!(has_marker(d));
        assert_eq!(foreign(&d.join("missing"), &[]).unwrap(), Foreign::default());
        assert_eq!(
            first_names(&f.inside, 2),
            "changes/deep/, disputes/Verizon/notes.docx and 1 more"
        );
    }
}
