//! What telaudit may replace in an output folder: only what it wrote.
//!
//! An output folder of `telaudit audit` (and each client folder of a batch)
//! holds telaudit's own outputs, [`OUTPUTS`], and a marker, [`MARKER`], written
//! before the outputs, by which a later run knows the folder as telaudit's. The
//! marker also lists every file telaudit wrote inside its output folders
//! (`disputes/`, `changes/`, `recovery/`): a run replaces only those names, and
//! never a folder that holds anything else, so an analyst's own files are never
//! deleted, whatever their extension. [`foreign`] lists what telaudit did not
//! write. Add a new output to [`OUTPUTS`]: it is then written, replaced and
//! checked like the others.
//!
//! The list is kept safe against a run that stops half-way: before writing, the
//! marker lists the earlier run's files and this run's; once report.json is in
//! place, only this run's ([`write_marker`]). A folder written before the list
//! existed (an older marker, or none) is judged by its names: the extensions
//! telaudit writes there and, where telaudit writes fixed names
//! (`disputes/new-claims.csv`, `recovery/claims.csv`), those names only.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::Path;

/// The marker file telaudit writes into every output folder before its outputs.
pub const MARKER: &str = ".telaudit-out";

/// The marker's first lines; the files written inside the output folders
/// follow, one relative path (`disputes/Lumen/0040012345.csv`) per line.
const MARKER_HEAD: &str = "telaudit-out/2\nThis folder holds telaudit's outputs: a run replaces only its \
                           own output names and the files listed below (docs/formats.md, \"The output \
                           folder\").\nfiles:\n";

/// One of telaudit's own outputs in an output folder.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// Its name in the output folder.
    pub name: &'static str,
    /// `None` for a file; for a folder, the extensions of the files telaudit
    /// writes in it (at most `depth` levels down: 1 = files directly in it).
    pub folder: Option<(&'static [&'static str], usize)>,
    /// For a folder whose files directly in it have fixed names, those names
    /// (judging a folder written before the marker listed its files).
    pub top_files: Option<&'static [&'static str]>,
}

impl Output {
    const fn file(name: &'static str) -> Output {
        Output {
            name,
            folder: None,
            top_files: None,
        }
    }

    const fn folder(name: &'static str, extensions: &'static [&'static str], depth: usize) -> Output {
        Output {
            name,
            folder: Some((extensions, depth)),
            top_files: None,
        }
    }

    const fn named(self, top_files: &'static [&'static str]) -> Output {
        Output {
            top_files: Some(top_files),
            ..self
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
    Output::folder("disputes", &["csv", "md", "html"], 2).named(&["new-claims.csv"]),
    Output::folder("changes", &["csv"], 1),
    // recovery/claims.csv and recovery/credits.csv (with a claims ledger).
    Output::folder("recovery", &["csv"], 1).named(&["claims.csv", "credits.csv"]),
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

/// The files the marker of `dir` says telaudit wrote inside its output folders;
/// `None` without a marker that lists them (none, or an older one).
pub fn written(dir: &Path) -> Option<BTreeSet<String>> {
    let text = fs::read_to_string(dir.join(MARKER)).ok()?;
    let (_, list) = text.split_once("\nfiles:\n")?;
    text.starts_with("telaudit-out/2\n").then(|| {
        list.lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    })
}

/// Writes the marker into `dir` (atomically), listing `files`: the relative
/// paths of the files telaudit writes inside its output folders.
pub fn write_marker<'a>(dir: &Path, files: impl IntoIterator<Item = &'a String>) -> io::Result<()> {
    let mut text = String::from(MARKER_HEAD);
    for f in files {
        // A path is one line: a name with a line break (never written) stays off the list.
        if !f.contains(['\n', '\r']) {
            text.push_str(f);
            text.push('\n');
        }
    }
    crate::write_atomic(dir, MARKER, |w| io::Write::write_all(w, text.as_bytes()))
}

/// What stands in `dir` that telaudit does not write, as paths relative to
/// `dir` (sorted; folders end with `/`), in two lists:
/// - `inside`: under one of [`OUTPUTS`]' names, which a run would replace: a
///   folder where a file goes, a file or folder an output folder does not hold
///   (one the marker does not list; without the list: another extension or
///   name, too deep, not a regular file), or a file where a folder goes. A run
///   must never replace these.
/// - `beside`: other names at the top (`also` and the marker excepted), which a
///   run leaves alone.
pub fn foreign(dir: &Path, also: &[&str]) -> io::Result<Foreign> {
    let mut f = Foreign::default();
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(f),
        Err(e) => return Err(e),
    };
    let listed = written(dir);
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
                Some(_) => {
                    let rule = Known {
                        output: o,
                        listed: listed.as_ref(),
                    };
                    walk(&e.path(), &name, &rule, 1, &mut f.inside)?
                }
            },
        }
    }
    f.inside.sort();
    f.beside.sort();
    Ok(f)
}

/// How [`walk`] tells telaudit's files in an output folder: the marker's list,
/// else the folder's names and extensions.
struct Known<'a> {
    output: &'a Output,
    listed: Option<&'a BTreeSet<String>>,
}

impl Known<'_> {
    /// Whether the regular file at `path` (relative to the output folder's
    /// parent), `level` folders below the output folder, is telaudit's.
    fn file(&self, path: &str, name: &str, level: usize) -> bool {
        if let Some(listed) = self.listed {
            return listed.contains(path);
        }
        let Some((ext, _)) = self.output.folder else {
            return false;
        };
        match self.output.top_files {
            Some(names) if level == 1 => names.contains(&name),
            _ => Path::new(name)
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| ext.contains(&x)),
        }
    }

    /// Whether a folder may stand `level` folders below the output folder.
    fn folder(&self, level: usize) -> bool {
        self.output.folder.is_some_and(|(_, depth)| level < depth)
    }
}

/// The entries of an output folder `dir` (shown as `rel`), `level` folders
/// below it, that telaudit does not write there.
fn walk(dir: &Path, rel: &str, known: &Known<'_>, level: usize, out: &mut Vec<String>) -> io::Result<()> {
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        let meta = fs::symlink_metadata(e.path())?;
        let path = format!("{rel}/{name}");
        if meta.is_dir() && known.folder(level) {
            walk(&e.path(), &path, known, level + 1, out)?;
        } else if meta.is_dir() {
            out.push(format!("{path}/"));
        } else if !meta.is_file() || !known.file(&path, &name, level) {
            out.push(path);
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
        // A marker of telaudit-out/1 (no list of files): judged by names and extensions.
        fs::write(
            d.join(MARKER),
            "telaudit-out/1\nThis folder holds telaudit's outputs.\n",
        )
        .unwrap();
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

    /// The marker lists the files telaudit wrote in its folders: an analyst's own
    /// file there is foreign whatever its extension, and so is one in a folder
    /// whose fixed names it does not carry when the marker has no list.
    #[test]
    fn files_the_marker_does_not_list_are_foreign_whatever_their_extension() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::create_dir_all(d.join("disputes/Lumen")).unwrap();
        fs::create_dir_all(d.join("changes")).unwrap();
        fs::create_dir_all(d.join("recovery")).unwrap();
        let ours = [
            "changes/Lumen.csv",
            "disputes/Lumen/0040.csv",
            "disputes/Lumen/0040.md",
            "disputes/new-claims.csv",
            "recovery/claims.csv",
        ];
        let theirs = [
            "changes/approved-by-cfo.csv",
            "disputes/Lumen/escalation-log.csv",
            "disputes/notes.md",
            "recovery/2024-claims.csv",
        ];
        for f in ours.iter().chain(&theirs) {
            fs::write(d.join(f), "x").unwrap();
        }
        let listed: Vec<String> = ours.iter().map(|s| s.to_string()).collect();
        write_marker(d, &listed).unwrap();
        assert_eq!(written(d).unwrap(), listed.iter().cloned().collect());
        assert_eq!(foreign(d, &[]).unwrap().inside, theirs);
        // Without the list, the fixed names still tell disputes/notes.md and
        // recovery/2024-claims.csv apart (an unknown carrier's .csv cannot be).
        fs::write(d.join(MARKER), "telaudit-out/1\n").unwrap();
        assert_eq!(written(d), None);
        assert_eq!(
            foreign(d, &[]).unwrap().inside,
            ["disputes/notes.md", "recovery/2024-claims.csv"]
        );
    }
}
