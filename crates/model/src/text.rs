//! Small text helpers every output shares: the spreadsheet guard, the visible
//! form of control and bidi characters, and the `file:line` place of an input.
//!
//! They live here, once, because report, parse and the binary all write CSV
//! that analysts open in spreadsheets and all name places in input files; three
//! private copies had begun to drift apart.

use crate::Position;
use std::borrow::Cow;
use std::fmt;

/// A text cell made safe for spreadsheets: one that begins with `=`, `+`, `-`,
/// `@`, tab or carriage return gets a leading `'`, so a spreadsheet shows it as
/// text instead of running it as a formula. Money and dates are never guarded:
/// telaudit writes those itself, and a negative amount must stay a number.
pub fn spreadsheet_guard(s: &str) -> Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// Whether `c` is invisible or changes how the text around it shows: a control
/// character (C0, DEL, C1: ESC starts terminal sequences, BEL rings, NUL cuts
/// strings), a bidirectional formatting character (U+202E turns `gpj.exe` into
/// what reads as `exe.jpg`), a zero-width one, a line or paragraph separator,
/// or the byte order mark.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// `c` as people can see it: `\x1B` for a control character below U+0100,
/// `\u{202E}` for the others of [`is_invisible`].
pub fn escape_invisible(c: char) -> String {
    let n = u32::from(c);
    if n < 0x100 {
        format!("\\x{n:02X}")
    } else {
        format!("\\u{{{n:04X}}}")
    }
}

/// `s` with every character of [`is_invisible`] written visibly
/// ([`escape_invisible`]): what a terminal, a batch log, report.md, report.html
/// and the dispute letters show of a text that came from the input (a client's
/// name, a folder name, a layout's title, a bill's text), so that no input can
/// move the cursor, ring, cut a line, or reorder what is read.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_invisible) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_invisible(c) {
            out.push_str(&escape_invisible(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// As [`visible`], keeping line breaks (`\n`): for a message of several lines.
pub fn visible_lines(s: &str) -> String {
    s.split('\n').map(visible).collect::<Vec<_>>().join("\n")
}

/// A place in an input file as people read it: `file:12`, `file:segment 15`, or
/// just `file` for something about the whole file (never `file:`).
///
/// It is a [`fmt::Display`] so that a writer can append it without an
/// intermediate `String`; [`Place::to_string`] gives the text.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Place<'a> {
    /// The path relative to the client folder.
    pub file: &'a str,
    /// Where in the file.
    pub position: Position,
}

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file)?;
        if self.position != Position::File {
            write!(f, ":{}", self.position)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_are_shown() {
        assert_eq!(visible("plain name é"), "plain name é");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
        assert_eq!(visible("a\u{1b}[31mb\u{7}\0"), "a\\x1B[31mb\\x07\\x00");
        assert_eq!(visible("gpj\u{202E}.exe"), "gpj\\u{202E}.exe");
        assert_eq!(visible("a\nb\tc\u{85}"), "a\\x0Ab\\x09c\\x85");
        assert_eq!(visible_lines("a\u{7}\nb"), "a\\x07\nb");
        assert_eq!(visible("\u{FEFF}x\u{2066}"), "\\u{FEFF}x\\u{2066}");
    }

    #[test]
    fn guard_marks_formula_starts_only() {
        assert_eq!(spreadsheet_guard("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(spreadsheet_guard("-5"), "'-5");
        assert_eq!(spreadsheet_guard("\tx"), "'\tx");
        assert_eq!(spreadsheet_guard("a=b"), "a=b");
        assert_eq!(spreadsheet_guard(""), "");
    }

    #[test]
    fn place_names_whole_files_without_a_colon() {
        let p = |position| {
            Place {
                file: "inv/a.csv",
                position,
            }
            .to_string()
        };
        assert_eq!(p(Position::File), "inv/a.csv");
        assert_eq!(p(Position::Line(12)), "inv/a.csv:12");
        assert_eq!(p(Position::Segment(15)), "inv/a.csv:segment 15");
    }
}
