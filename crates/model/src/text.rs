//! Small text helpers every output shares: the spreadsheet guard and the
//! `file:line` place of an input.
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
