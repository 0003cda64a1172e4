//! Data files without a header line, whose column names are in a *header file*
//! beside them in the same folder or archive (`header_file`, `data_file`): Rogers'
//! call detail, `ALL_CALLS-GPRS.txt` with `Header-GPRS.txt`.
//!
//! ```toml
//! header_file = "Header-*.txt"     # one `*`: any text; case is ignored
//! data_file = "ALL_CALLS-*.txt"
//! ```
//!
//! A header file holds a title (its lines before the first column line: the
//! `[preamble]`'s marker and captures apply to them), then one column per line,
//! `name,width,type` (the last two fields are a whole number and a word; the name
//! may hold commas). Blank lines are ignored. The data file's records then have as
//! many fields as the header file names columns.
//!
//! Which header file goes with a data file (crates/parse/src/client/classify.rs):
//! the one header file beside it; with several, the one whose `*` part is the
//! longest start of the data file's (`Header-GPRS.txt` for `ALL_CALLS-GPRS-Rm.txt`).
//! The names do not pair by type, so the header file's column count is checked
//! against the data: a header file that is missing, or whose columns the records
//! do not have, refuses the data file, naming both.

use super::preamble::Context;
use super::read::{Head, HeaderInput};
use super::spec::Layout;
use super::values::parse_period;
use crate::ParsedFile;
use telaudit_model::{Position, Rejection, Warning};

/// How many data records are read ahead to check that a header file describes
/// them: none of them with the header's field count refuses the file.
const CHECKED_RECORDS: usize = 20;

/// The `header_file` and `data_file` patterns of a layout.
#[derive(Clone, Debug)]
pub struct SideFiles {
    /// The header file's name pattern (`Header-*.txt`).
    pub header: String,
    /// The data files' name pattern (`ALL_CALLS-*.txt`).
    pub data: String,
}

impl SideFiles {
    /// Both patterns or neither; each holds exactly one `*` and no `/`.
    pub(crate) fn new(header: Option<&str>, data: Option<&str>) -> Result<Option<SideFiles>, String> {
        let (header, data) =
            match (header, data) {
                (None, None) => return Ok(None),
                (Some(h), Some(d)) => (h.trim(), d.trim()),
                _ => return Err(
                    "header_file and data_file go together: the data files and the header file beside them"
                        .into(),
                ),
            };
        for (key, p) in [("header_file", header), ("data_file", data)] {
            if p.matches('*').count() != 1 || p.contains('/') || p.contains('!') {
                return Err(format!(
                    "{key} {p:?}: a file name with exactly one * (e.g. \"Header-*.txt\"), no folder"
                ));
            }
        }
        Ok(Some(SideFiles {
            header: header.to_string(),
            data: data.to_string(),
        }))
    }

    /// What the `*` of the header pattern matches in the file name `name`, when it
    /// matches (`GPRS` for `Header-GPRS.txt`).
    pub fn header_stem<'n>(&self, name: &'n str) -> Option<&'n str> {
        stem(&self.header, name)
    }

    /// What the `*` of the data pattern matches in `name`, when it matches.
    pub fn data_stem<'n>(&self, name: &'n str) -> Option<&'n str> {
        stem(&self.data, name)
    }
}

/// The text the one `*` of `pattern` matches in `name` (case ignored).
fn stem<'n>(pattern: &str, name: &'n str) -> Option<&'n str> {
    let (pre, post) = pattern.split_once('*')?;
    if name.len() < pre.len() + post.len() {
        return None;
    }
    let (head, rest) = (name.get(..pre.len())?, name.get(pre.len()..)?);
    let cut = rest.len() - post.len();
    let (middle, tail) = (rest.get(..cut)?, rest.get(cut..)?);
    (head.eq_ignore_ascii_case(pre) && tail.eq_ignore_ascii_case(post)).then_some(middle)
}

/// A header file, read: its title lines (text, 1-based line) and its column names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HeaderFile {
    pub title: Vec<(String, u64)>,
    pub names: Vec<String>,
}

/// The column of a `name,width,type` line, if it is one.
fn column(line: &str) -> Option<&str> {
    let mut parts = line.rsplitn(3, ',');
    let (kind, width, name) = (parts.next()?.trim(), parts.next()?.trim(), parts.next()?.trim());
    let is_width = !width.is_empty() && width.len() <= 9 && width.bytes().all(|b| b.is_ascii_digit());
    let is_type = !kind.is_empty() && kind.chars().all(|c| c.is_alphabetic() || c == ' ');
    (is_width && is_type && !name.is_empty()).then_some(name)
}

/// Reads a header file's text. Err: the line and why it is not one.
pub(crate) fn parse_header(text: &str) -> Result<HeaderFile, (u64, String)> {
    let mut out = HeaderFile {
        title: Vec::new(),
        names: Vec::new(),
    };
    for (i, raw) in text.lines().enumerate() {
        let n = i as u64 + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        match column(line) {
            Some(name) => out.names.push(name.to_string()),
            None if out.names.is_empty() => out.title.push((line.to_string(), n)),
            None => {
                return Err((
                    n,
                    format!(
                        "{} is not a column line (name,width,type) though columns come before it",
                        crate::text::show(line)
                    ),
                ))
            }
        }
    }
    if out.names.is_empty() {
        return Err((
            1,
            "names no columns (expected one name,width,type line per column)".into(),
        ));
    }
    Ok(out)
}

/// Refuses the data file `path` whole, with `reason`.
fn refuse(out: &mut ParsedFile, path: &str, reason: String) {
    out.rejected.push(Rejection {
        file: path.to_string(),
        position: Position::File,
        reason,
        rows: 0,
    });
}

/// The column names of a data file, from its header file: the title's captures
/// are set in `ctx` and the first records are read ahead to check the header
/// against them. None: the data file is refused, naming both files (no header
/// file, one that cannot be read, a title whose billing period cannot be read
/// when the records give none, or columns the records do not have).
pub(super) fn header<R: std::io::Read>(
    layout: &Layout,
    input: Option<HeaderInput<'_>>,
    records: &mut csv::StringRecordsIter<'_, R>,
    ctx: &mut Context,
    out: &mut ParsedFile,
    path: &str,
) -> Option<Head> {
    let side = layout.side.as_ref()?;
    let Some(input) = input else {
        let reason = format!(
            "no header file beside it: the column names of {} are in a file named {} in the same folder \
             or archive, and there is none; not read",
            layout.title, side.header
        );
        refuse(out, path, reason);
        return None;
    };
    let (text, _) = crate::text::decode_text(input.bytes);
    let h = match parse_header(&text) {
        Ok(h) => h,
        Err((line, why)) => {
            let reason = format!("its header file {}:{line} {why}; not read", input.path);
            refuse(out, path, reason);
            return None;
        }
    };
    if !title(layout, &h, input.path, ctx, out, path) {
        return None;
    }
    let pending: Vec<csv::Result<csv::StringRecord>> = records.by_ref().take(CHECKED_RECORDS).collect();
    let mut counts: Vec<usize> = pending
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter(|r| r.iter().any(|f| !f.trim().is_empty()))
        .map(csv::StringRecord::len)
        .collect();
    if !counts.is_empty() && !counts.contains(&h.names.len()) {
        let n = counts.len();
        counts.sort_unstable();
        counts.dedup();
        let found: Vec<String> = counts.iter().map(usize::to_string).collect();
        let reason = format!(
            "its header file {} names {} columns, but none of its first {n} record(s) has that many fields \
             ({} found): the header file does not describe this data (a header file of another export \
             beside it?); not read",
            input.path,
            h.names.len(),
            found.join(", ")
        );
        refuse(out, path, reason);
        return None;
    }
    Some(Head {
        record: csv::StringRecord::from(h.names),
        name: input.path.to_string(),
        pending,
    })
}

/// The header file's title: its `[preamble]` captures (a capture no title line
/// matches is a warning on the header file), then the billing period when the
/// layout takes it from the title (`[period] range = "@name"`). False: the data
/// file is refused (the period cannot be read, and the records give none).
fn title(
    layout: &Layout,
    h: &HeaderFile,
    header_path: &str,
    ctx: &mut Context,
    out: &mut ParsedFile,
    path: &str,
) -> bool {
    let range = layout
        .period
        .range
        .filter(|&c| layout.columns[c].starts_with('@'));
    if let Some(p) = &layout.preamble {
        for name in ctx.capture(p, &h.title, &layout.columns) {
            if range.is_some_and(|c| layout.columns[c] == name) {
                continue;
            }
            out.warnings.push(Warning {
                file: header_path.to_string(),
                position: Position::File,
                message: format!(
                    "no title line matches the [preamble.capture] of {name} in {}: the fields made of {name} \
                     are empty",
                    layout.file
                ),
            });
        }
    }
    let Some(c) = range else { return true };
    let line = h.title.first().map_or(1, |t| t.1);
    let problem = match ctx.values[c].as_deref() {
        None => Some("no title line gives it".to_string()),
        Some(v) => match parse_period(v, &layout.dates, None) {
            Ok(Some(_)) => None,
            Ok(None) => Some("it is empty".to_string()),
            Err(e) => Some(e),
        },
    };
    let Some(problem) = problem else { return true };
    let p = &layout.period;
    if p.start_end.is_some() || p.cycle_end.is_some() || p.prior_month {
        out.warnings.push(Warning {
            file: header_path.to_string(),
            position: Position::Line(line),
            message: format!(
                "the billing period in this title cannot be read ({problem}); the records' own period \
                 columns are used ({})",
                layout.file
            ),
        });
        return true;
    }
    let reason = format!(
        "the billing period in the title of its header file {header_path}:{line} cannot be read ({problem}), \
         and its records carry none; not read"
    );
    refuse(out, path, reason);
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_pair_data_and_header_files() {
        let s = SideFiles::new(Some("Header-*.txt"), Some("ALL_CALLS-*.txt"))
            .unwrap()
            .unwrap();
        assert_eq!(s.header_stem("Header-GPRS.txt"), Some("GPRS"));
        assert_eq!(s.header_stem("header-gprs.TXT"), Some("gprs"));
        assert_eq!(s.data_stem("ALL_CALLS-GPRS-Rm.txt"), Some("GPRS-Rm"));
        assert_eq!(s.data_stem("ALL_CALLS-.txt"), Some(""));
        assert_eq!(s.data_stem("ALL_CALLS.txt"), None);
        assert_eq!(s.header_stem("Header-GPRS.csv"), None);
        assert!(SideFiles::new(Some("Header.txt"), Some("A-*.txt")).is_err());
        assert!(SideFiles::new(Some("Header-*.txt"), None).is_err());
        assert!(SideFiles::new(None, None).unwrap().is_none());
    }

    #[test]
    fn header_files_are_a_title_then_columns() {
        let h = parse_header(
            "GPRS Type : 03/21/2023 - 04/20/2023\r\n\r\nBAN,9,Text\r\nVolume (KB),10,Text\r\nA, b,4,Currency\r\n",
        )
        .unwrap();
        assert_eq!(h.title, [("GPRS Type : 03/21/2023 - 04/20/2023".to_string(), 1)]);
        assert_eq!(h.names, ["BAN", "Volume (KB)", "A, b"]);
        let e = parse_header("T\nBAN,9,Text\noops\n").unwrap_err();
        assert_eq!(e.0, 3);
        assert!(e.1.contains("\"oops\""), "{}", e.1);
        assert_eq!(parse_header("just a title\n").unwrap_err().0, 1);
        assert_eq!(parse_header("BAN,x,Text\n").unwrap_err().0, 1);
    }
}
