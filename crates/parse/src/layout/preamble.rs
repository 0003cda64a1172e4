//! Reports that open with text before their column header (TELUS: client name,
//! address lines, "Account Number ...", a dashed line, "REPORT - ..."), values
//! captured from those lines by regex, and group lines inside the table
//! (`Department = ...`) whose values are carried onto the rows below.
//!
//! A captured or carried value is named `@name` wherever a layout names a column
//! (`account = "@account"`, `{@department}` in a template, `[period] cycle_end =
//! "@invoice_date"`); [`Context`] holds the values of one file as it is read.

use super::read::{warn, Lines};
use super::spec::Layout;
use super::values::clean_cell;
use crate::ParsedFile;
use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;
use telaudit_model::{Position, Rejection, Warning};

/// How many lines the header is looked for in when `max_lines` is not given.
const DEFAULT_MAX_LINES: usize = 50;

/// `[preamble]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPreamble {
    max_lines: Option<usize>,
    marker: Option<String>,
    #[serde(default)]
    capture: BTreeMap<String, String>,
}

/// A `[[group]]` entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGroup {
    capture: String,
    regex: String,
}

/// A compiled `[preamble]`: the header is the first of the first `max_lines`
/// lines that carries every signature name, after a line matching `marker`.
#[derive(Clone, Debug)]
pub(crate) struct Preamble {
    pub max_lines: usize,
    pub marker: Option<Regex>,
    /// (column number of `@name`, regex): the first line it matches, of the
    /// preamble and the header line, gives the value (capture group 1, else the
    /// whole match).
    pub captures: Vec<(usize, Regex)>,
}

/// A compiled `[[group]]`: a line matching `regex` sets `@name` (column
/// `column`) for the rows below, until the next line of the same group.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub column: usize,
    pub regex: Regex,
}

/// Compiles `[preamble]` and `[[group]]`. `col` numbers a column name (a
/// capture is the column `@name`); `err` names the layout file in an error.
pub(crate) fn compile(
    raw: Option<&RawPreamble>,
    groups: &[RawGroup],
    col: &mut dyn FnMut(&str) -> usize,
    err: &dyn Fn(String) -> String,
    re: &dyn Fn(&str, &str) -> Result<Regex, String>,
) -> Result<(Option<Preamble>, Vec<Group>), String> {
    let check_name = |n: &str| -> Result<(), String> {
        if n.is_empty() || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(err(format!(
                "capture name {n:?}: use letters, digits and _ (it is named \"@{n}\" in fields)"
            )));
        }
        Ok(())
    };
    let preamble = match raw {
        None => None,
        Some(p) => {
            let max_lines = p.max_lines.unwrap_or(DEFAULT_MAX_LINES);
            if max_lines == 0 || max_lines > 10_000 {
                return Err(err("[preamble] max_lines must be between 1 and 10000".into()));
            }
            let mut captures = Vec::new();
            for (name, r) in &p.capture {
                check_name(name)?;
                captures.push((
                    col(&format!("@{name}")),
                    re(&format!("[preamble.capture] {name}"), r)?,
                ));
            }
            Some(Preamble {
                max_lines,
                marker: p
                    .marker
                    .as_deref()
                    .map(|m| re("[preamble] marker", m))
                    .transpose()?,
                captures,
            })
        }
    };
    let mut out = Vec::new();
    for g in groups {
        check_name(&g.capture)?;
        out.push(Group {
            column: col(&format!("@{}", g.capture)),
            regex: re(&format!("[[group]] {}", g.capture), &g.regex)?,
        });
    }
    Ok((preamble, out))
}

/// Err when a field names `@name` that neither `[preamble.capture]` nor a
/// `[[group]]` defines.
pub(crate) fn check_names(
    columns: &[String],
    preamble: Option<&Preamble>,
    groups: &[Group],
    err: &dyn Fn(String) -> String,
) -> Result<(), String> {
    for (i, c) in columns.iter().enumerate() {
        if !c.starts_with('@') {
            continue;
        }
        let defined = preamble.is_some_and(|p| p.captures.iter().any(|(k, _)| *k == i))
            || groups.iter().any(|g| g.column == i);
        if !defined {
            return Err(err(format!(
                "{c:?} names a capture that neither [preamble.capture] nor a [[group]] defines"
            )));
        }
    }
    Ok(())
}

/// A line's cells, unquoted and trimmed, joined by one space: what `marker`,
/// captures and group regexes are matched against.
pub(crate) fn line_text<'a>(cells: impl Iterator<Item = &'a str>) -> String {
    let mut s = String::new();
    for c in cells {
        let c = clean_cell(c);
        if c.is_empty() {
            continue;
        }
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(c);
    }
    s
}

/// The first capture group of `re` in `text` (else the whole match), trimmed.
pub(crate) fn captured(re: &Regex, text: &str) -> Option<String> {
    re.captures(text)
        .and_then(|c| c.get(1).or_else(|| c.get(0)))
        .map(|m| clean_cell(m.as_str()).to_string())
}

/// Where a preamble layout's header is in a file's first lines (as the
/// recogniser splits them): `Found(names)`, or `MarkerOnly` (the marker line is
/// there but no header follows it in `max_lines` lines: the report, damaged),
/// or `No`.
pub(crate) enum Search {
    Found(Vec<String>),
    MarkerOnly,
    No,
}

/// Looks for the header of `p` in the first lines of `text`; `split` makes a
/// line's cell names.
pub(crate) fn search(
    p: &Preamble,
    signature: &[String],
    text: &str,
    split: &dyn Fn(&str) -> Vec<String>,
) -> Search {
    let mut marker_seen = p.marker.is_none();
    for line in text.lines().filter(|l| !l.trim().is_empty()).take(p.max_lines) {
        let names = split(line);
        if marker_seen
            && signature
                .iter()
                .all(|s| names.iter().any(|n| n.eq_ignore_ascii_case(s)))
        {
            return Search::Found(names);
        }
        if let Some(m) = &p.marker {
            marker_seen |= m.is_match(&line_text(names.iter().map(String::as_str)));
        }
    }
    if marker_seen && p.marker.is_some() {
        Search::MarkerOnly
    } else {
        Search::No
    }
}

/// The `@name` values of one file as it is read: indexed by column number,
/// `Some` for captures and carried group values.
pub(crate) struct Context {
    pub values: Vec<Option<String>>,
}

impl Context {
    pub fn new(columns: usize) -> Context {
        Context {
            values: vec![None; columns],
        }
    }

    /// Sets the captures of `p` from the preamble lines (text, line number):
    /// the first line each matches. Returns the `@names` no line matched.
    pub fn capture(&mut self, p: &Preamble, lines: &[(String, u64)], columns: &[String]) -> Vec<String> {
        let mut missing = Vec::new();
        for (col, re) in &p.captures {
            match lines.iter().find_map(|(t, _)| captured(re, t)) {
                Some(v) => self.values[*col] = Some(v),
                None => missing.push(columns[*col].clone()),
            }
        }
        missing
    }

    /// When `text` is a group line, sets its value and returns the group's index.
    pub fn group_line(&mut self, groups: &[Group], text: &str) -> Option<usize> {
        for (i, g) in groups.iter().enumerate() {
            if let Some(v) = captured(&g.regex, text) {
                self.values[g.column] = Some(v);
                return Some(i);
            }
        }
        None
    }
}

/// Reading a preamble layout's file up to its header: the preamble's lines give
/// the captures; a line shaped like a data row before the header is refused.
pub(crate) struct Preface<'a> {
    pub layout: &'a Layout,
    pub path: &'a str,
    pub out: &'a mut ParsedFile,
}

impl Preface<'_> {
    /// Reads records until the header (the first line, after the marker, that
    /// carries every signature name, in the first `max_lines` lines) and returns
    /// it; None (the file refused, naming the line) when there is none.
    pub fn header<R: std::io::Read>(
        &mut self,
        p: &Preamble,
        records: &mut csv::StringRecordsIter<'_, R>,
        lines: &mut Lines<'_>,
        ctx: &mut Context,
    ) -> Option<csv::StringRecord> {
        let sig = &self.layout.signature;
        let mut marker_line = if p.marker.is_none() { Some(1) } else { None };
        // (text, line, field count) of each line before the header.
        let mut before: Vec<(String, u64, usize)> = Vec::new();
        let mut header = None;
        for rec in records.by_ref().take(p.max_lines) {
            let Ok(rec) = rec else { continue };
            let line = rec.position().map_or(0, |pos| lines.at(pos.byte()));
            let carries = |s: &String| rec.iter().any(|c| clean_cell(c).eq_ignore_ascii_case(s));
            if marker_line.is_some() && sig.iter().all(carries) {
                header = Some((rec, line));
                break;
            }
            let text = line_text(rec.iter());
            if marker_line.is_none() && p.marker.as_ref().is_some_and(|m| m.is_match(&text)) {
                marker_line = Some(line);
            }
            before.push((text, line, rec.len()));
        }
        let Some((header, header_at)) = header else {
            self.no_header(p, marker_line);
            return None;
        };
        // A layout that reads only its header line (a totals report whose "header"
        // is the line stating the total) has no rows that could come too early.
        let reads_rows = !self.layout.reads_only_header();
        for (_, line, n) in &before {
            if reads_rows && *n == header.len() && *n > 1 {
                self.reject(
                    *line,
                    format!(
                        "a row before the header (line {header_at}): rows must come after the column names; not read"
                    ),
                );
            }
        }
        // Captures look at the header line too (a report whose "header" is the line
        // that states its total).
        let mut texts: Vec<(String, u64)> = before.into_iter().map(|(t, l, _)| (t, l)).collect();
        texts.push((line_text(header.iter()), header_at));
        for name in ctx.capture(p, &texts, &self.layout.columns) {
            warn(
                self.out,
                self.path,
                format!(
                    "no line before the header (line {header_at}) matches the [preamble.capture] of {name} in {}: \
                     the fields made of {name} are empty",
                    self.layout.file
                ),
            );
        }
        Some(header)
    }

    /// Refuses the file: no header line where the layout expects one.
    fn no_header(&mut self, p: &Preamble, marker_line: Option<u64>) {
        let after = match (&p.marker, marker_line) {
            (Some(_), Some(l)) => format!(" after the report title on line {l}"),
            (Some(m), None) => format!(" (and no line matches its marker {:?})", m.as_str()),
            (None, _) => String::new(),
        };
        let why = format!(
            "recognised as {} ({}), but no header line with the columns {} follows{after} in the first {} lines: \
             no rows read",
            self.layout.title,
            self.layout.file,
            self.layout.signature.join(", "),
            p.max_lines
        );
        self.reject(marker_line.unwrap_or(1), why);
    }

    fn reject(&mut self, line: u64, reason: String) {
        self.out.rejected.push(Rejection {
            file: self.path.to_string(),
            position: Position::Line(line),
            reason,
            rows: 1,
        });
    }
}

/// The `[[group]]` lines met while reading rows: each sets its `@name`; a group
/// line with no row under it (before the next line of its group or the end) is
/// warned about, naming its line. Not in call detail (`role = "usage"`): a
/// subscriber or a section without calls is no sign of a damaged report there.
pub(crate) struct GroupLines<'a> {
    layout: &'a Layout,
    quiet: bool,
    /// Per group: the line and text of its last group line while no row has been read since.
    pending: Vec<Option<(u64, String)>>,
}

impl<'a> GroupLines<'a> {
    pub fn new(layout: &'a Layout) -> Self {
        GroupLines {
            layout,
            quiet: layout.role == super::spec::Role::Usage,
            pending: vec![None; layout.groups.len()],
        }
    }

    /// True when `rec` is a group line (its value now set in `ctx`).
    pub fn is_group_line(
        &mut self,
        rec: &csv::StringRecord,
        line: u64,
        ctx: &mut Context,
        out: &mut ParsedFile,
        path: &str,
    ) -> bool {
        if self.layout.groups.is_empty() {
            return false;
        }
        let text = line_text(rec.iter());
        let Some(g) = ctx.group_line(&self.layout.groups, &text) else {
            return false;
        };
        if self.quiet {
            return true;
        }
        if let Some((at, t)) = self.pending[g].replace((line, text)) {
            empty_group(out, path, at, &t);
        }
        true
    }

    /// A row was read (made charges or was refused): the groups above it hold rows.
    pub fn rows_read(&mut self) {
        for p in &mut self.pending {
            *p = None;
        }
    }

    /// At the end of the file: warns of the group lines still without rows.
    pub fn finish(&mut self, out: &mut ParsedFile, path: &str) {
        for (at, t) in self.pending.iter_mut().filter_map(Option::take) {
            empty_group(out, path, at, &t);
        }
    }
}

fn empty_group(out: &mut ParsedFile, path: &str, line: u64, text: &str) {
    out.warnings.push(Warning {
        file: path.to_string(),
        position: Position::Line(line),
        message: format!("group line {} has no rows under it", crate::text::show(text)),
    });
}

impl Layout {
    /// For `telaudit layouts NAME`: where the header is found and the `@names` it
    /// captures and carries; None for a layout without a preamble or group lines.
    pub fn preamble_description(&self) -> Option<String> {
        let names = |cols: Vec<usize>| -> String {
            cols.iter()
                .map(|&c| self.columns[c].as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if let Some(p) = &self.preamble {
            if self.side.is_some() {
                let title = p.marker.as_ref().map_or(String::new(), |m| {
                    format!(" (one of its lines matching {:?})", m.as_str())
                });
                parts.push(format!("the header file's title{title} comes before its columns"));
            } else {
                let after = p.marker.as_ref().map_or(String::new(), |m| {
                    format!(" after a line matching {:?}", m.as_str())
                });
                parts.push(format!(
                    "the header is looked for in the first {} lines{after}",
                    p.max_lines
                ));
            }
            if !p.captures.is_empty() {
                parts.push(format!(
                    "captures {}",
                    names(p.captures.iter().map(|(c, _)| *c).collect())
                ));
            }
        }
        if !self.groups.is_empty() {
            parts.push(format!(
                "group lines carry {}",
                names(self.groups.iter().map(|g| g.column).collect())
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(l: &str) -> Vec<String> {
        l.split('\t')
            .map(|c| c.trim().trim_matches('"').to_string())
            .collect()
    }

    fn test_re(what: &str, r: &str) -> Result<Regex, String> {
        Regex::new(r).map_err(|e| format!("{what}: bad regex {r:?}: {e}"))
    }

    fn pre(marker: Option<&str>, max_lines: usize) -> Preamble {
        Preamble {
            max_lines,
            marker: marker.map(|m| Regex::new(m).unwrap()),
            captures: Vec::new(),
        }
    }

    #[test]
    fn header_found_by_signature_after_a_variable_preamble() {
        let sig = vec!["Line".to_string(), "Amount".to_string()];
        let p = pre(Some("^REPORT - X$"), 10);
        for text in [
            "\"Acme\"\n\"addr\"\n\"REPORT - X\"\n\nLine\tAmount\n1\t2\n",
            "\"Acme\"\n\"addr 1\"\n\"addr 2\"\n\"addr 3\"\n\"REPORT - X\"\n\"Line\"\t\"Amount\"\n",
        ] {
            match search(&p, &sig, text, &split) {
                Search::Found(n) => assert_eq!(n, vec!["Line", "Amount"]),
                _ => panic!("header not found in {text:?}"),
            }
        }
        // The header before the marker, or no marker at all: not this report.
        assert!(matches!(
            search(&p, &sig, "Line\tAmount\n\"REPORT - X\"\n", &split),
            Search::MarkerOnly
        ));
        assert!(matches!(
            search(&p, &sig, "Line\tAmount\n1\t2\n", &split),
            Search::No
        ));
        // Too deep: past max_lines.
        let deep = format!("{}\"REPORT - X\"\nLine\tAmount\n", "x\n".repeat(10));
        assert!(matches!(search(&p, &sig, &deep, &split), Search::No));
        let deep = format!("\"REPORT - X\"\n{}Line\tAmount\n", "x\n".repeat(10));
        assert!(matches!(search(&p, &sig, &deep, &split), Search::MarkerOnly));
    }

    #[test]
    fn captures_take_the_first_matching_line() {
        let mut cols: Vec<String> = Vec::new();
        let mut col = |n: &str| {
            cols.push(n.to_string());
            cols.len() - 1
        };
        let raw: RawPreamble = toml::from_str(
            "[capture]\naccount = 'Account Number (\\S+)'\ninvoice_date = 'Invoice Date: (\\S+)'\nmissing = 'Nope (\\d+)'",
        )
        .unwrap();
        let groups: Vec<RawGroup> = vec![RawGroup {
            capture: "department".into(),
            regex: r"^Department\s*=\s*(.*)$".into(),
        }];
        let (p, g) = compile(Some(&raw), &groups, &mut col, &|e| e, &test_re).unwrap();
        let p = p.unwrap();
        assert_eq!(cols, vec!["@account", "@invoice_date", "@missing", "@department"]);
        let lines = vec![
            (
                line_text(
                    [
                        "Invoice Date:",
                        " 06-Feb-23 ",
                        "",
                        "Unique Invoice No:",
                        "=\"0042\"",
                    ]
                    .into_iter(),
                ),
                3,
            ),
            (line_text(["Account Number 1234"].into_iter()), 10),
            (line_text(["Account Number 9999"].into_iter()), 11),
        ];
        assert_eq!(lines[0].0, "Invoice Date: 06-Feb-23 Unique Invoice No: 0042");
        let mut ctx = Context::new(cols.len());
        let missing = ctx.capture(&p, &lines, &cols);
        assert_eq!(missing, vec!["@missing"]);
        assert_eq!(ctx.values[0].as_deref(), Some("1234"));
        assert_eq!(ctx.values[1].as_deref(), Some("06-Feb-23"));
        assert_eq!(ctx.group_line(&g, "Department = Sales "), Some(0));
        assert_eq!(ctx.values[3].as_deref(), Some("Sales"));
        assert_eq!(ctx.group_line(&g, "Cost Center = 7"), None);
        assert_eq!(ctx.group_line(&g, "Department = Ops"), Some(0));
        assert_eq!(ctx.values[3].as_deref(), Some("Ops"));
        // A bad name, a bad regex, an undefined @name: errors naming the key.
        let bad: RawPreamble = toml::from_str("[capture]\n\"a b\" = 'x'").unwrap();
        assert!(compile(Some(&bad), &[], &mut |_| 0, &|e| e, &test_re)
            .unwrap_err()
            .contains("\"a b\""));
        let bad: RawPreamble = toml::from_str("[capture]\nx = '('").unwrap();
        assert!(compile(Some(&bad), &[], &mut |_| 0, &|e| e, &test_re)
            .unwrap_err()
            .contains("bad regex"));
        let mut named = cols.clone();
        named.push("@nope".to_string());
        assert!(check_names(&cols, Some(&p), &g, &|e| e).is_ok());
        let err = check_names(&named, Some(&p), &g, &|e| e).unwrap_err();
        assert!(err.contains("@nope"), "{err}");
    }

    /// A whole file through a small preamble layout: captures from the preamble and
    /// the header line, group values carried, a footer of another field count left
    /// out, a row before the header refused.
    #[test]
    fn a_preamble_report_read_through_a_layout() {
        let toml = r#"
name = "t"
title = "T report"
delimiter = ";"
signature = ["Line", "Amount"]
date_formats = ["DD-Mon-YY"]
[preamble]
marker = '^REPORT T$'
[preamble.capture]
acct = 'Acct (\d+)'
date = 'Date: (\S+)'
cur = 'Currency (\w+)'
[[group]]
capture = "team"
regex = '^Team = (.*)$'
[[skip]]
column = "Line"
regex = '^(Total|Grand)'
[period]
cycle_end = "@date"
[fields]
carrier = { const = "T" }
account = "@acct"
invoice = { format = "{@acct}-{@date}" }
invoice_date = "@date"
service_id = "Line"
charge_type = { const = "recurring" }
description = { format = "{@team} plan in {@cur}" }
amount = "Amount"
"#;
        let layout = super::super::spec::compile("t.toml", toml).unwrap();
        let text = "Acme\nAcct 77;Date: 05-Jan-24\nREPORT T\nx1;1.00\nLine;Amount;Currency EUR\n\
                    Team = Red\nA;$1.50;\nB;$2.00;\nTotal;3.50;\nTeam = Blue\nC;$-0.25;\nGrand total: 3.25\n";
        let p = super::super::read_layout(&layout, text.as_bytes(), telaudit_model::FileId(0), "t.txt");
        let got: Vec<(String, i64, String, u32)> = p
            .rows
            .iter()
            .map(|r| {
                (
                    p.strings.get(r.service).to_string(),
                    r.amount.0,
                    p.strings.get(r.description).to_string(),
                    r.source.pos,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("A".into(), 1_500_000, "Red plan in EUR".into(), 7),
                ("B".into(), 2_000_000, "Red plan in EUR".into(), 8),
                ("C".into(), -250_000, "Blue plan in EUR".into(), 11),
            ]
        );
        assert_eq!(p.strings.get(p.rows[0].invoice), "77-05-Jan-24");
        assert_eq!(p.rows[0].invoice_date.to_string(), "2024-01-05");
        // "x1;1.00" (two fields, the header has three) is preamble text; the same
        // line with the header's three fields is a row before the header, refused.
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        let text2 = text.replace("x1;1.00", "x1;1.00;");
        let p = super::super::read_layout(&layout, text2.as_bytes(), telaudit_model::FileId(0), "t.txt");
        assert_eq!(p.rejected.len(), 1);
        assert_eq!(p.rejected[0].position, Position::Line(4));
        assert!(p.rejected[0].reason.contains("a row before the header (line 5)"));
        assert_eq!(p.rows.len(), 3);
        // The total and the footer (another field count) are left out, and said.
        assert!(p
            .warnings
            .iter()
            .any(|w| w.message.contains("2 summary or non-charge row(s)")));
    }
}
