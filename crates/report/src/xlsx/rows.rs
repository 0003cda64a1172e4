//! The rows of report.xlsx's long sheets (Findings, Disputes) as sheet XML,
//! written straight into a buffer that goes to the deflater (issue 24, round 3).
//!
//! rust_xlsxwriter's constant-memory sheet spent about 2,800 instructions on a
//! cell: the text copied into a `String` and again into an `Arc`, a `BTreeMap`
//! per row, a `write!` per cell into a temporary file that was read back to be
//! packed. These rows cost a few hundred a cell. The XML is the library's for
//! the same cells, byte for byte (a test writes random rows both ways and
//! compares): a row is `<row r="2">`, a number
//! `<c r="J2" s="3"><v>12.5</v></c>`, a text
//! `<c r="A2" t="inlineStr"><is><t>TAX001</t></is></c>`; a cell's style is its
//! column's format ([`super::column_formats`]: no cell has a format of its own),
//! numbers are printed by `zmij` as the library prints them, texts are escaped as
//! it escapes them ([`escape`]), and an empty text is no cell, as there.

use std::io::{self, Write};

/// How many bytes of XML are gathered before they go to the writer.
const CHUNK: usize = 1 << 16;

/// A sheet's rows, in order, as XML into `out`.
pub(crate) struct Rows<W: Write> {
    out: W,
    buf: Vec<u8>,
    /// Each column's letters (`A`, `B`, ...) and its cells' style: the index of
    /// its format in the workbook, 0 for none.
    cols: Vec<(Box<[u8]>, u32)>,
    /// The current row's number as text (1-based, as a cell reference has it).
    row: itoa::Buffer,
    row_len: usize,
    row_text: [u8; 10],
    /// Whether the current row's `<row>` tag is written (on its first cell).
    open: bool,
    zmij: zmij::Buffer,
}

impl<W: Write> Rows<W> {
    /// Rows into `out`, cells styled by `styles` (column index to format index).
    pub(crate) fn new(out: W, styles: &[u32]) -> Self {
        let cols = styles
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let name = rust_xlsxwriter::utility::column_number_to_name(i as u16);
                (name.into_bytes().into_boxed_slice(), s)
            })
            .collect();
        Rows {
            out,
            buf: Vec::with_capacity(CHUNK + 4096),
            cols,
            row: itoa::Buffer::new(),
            row_len: 0,
            row_text: [0; 10],
            open: false,
            zmij: zmij::Buffer::new(),
        }
    }

    /// Starts row `row` (0-based, as the library numbers rows): the cells written
    /// next are its own. Rows come in increasing order.
    pub(crate) fn start(&mut self, row: u32) -> io::Result<()> {
        self.end_row()?;
        let text = self.row.format(row + 1).as_bytes();
        self.row_len = text.len();
        self.row_text[..text.len()].copy_from_slice(text);
        Ok(())
    }

    fn end_row(&mut self) -> io::Result<()> {
        if self.open {
            self.buf.extend_from_slice(b"</row>");
            self.open = false;
            if self.buf.len() >= CHUNK {
                self.out.write_all(&self.buf)?;
                self.buf.clear();
            }
        }
        Ok(())
    }

    /// `<c r="B2"` and the style, the row's tag first if this is its first cell.
    fn cell_start(&mut self, col: u16) {
        let row = &self.row_text[..self.row_len];
        if !self.open {
            self.buf.extend_from_slice(b"<row r=\"");
            self.buf.extend_from_slice(row);
            self.buf.extend_from_slice(b"\">");
            self.open = true;
        }
        let (name, style) = match self.cols.get(col as usize) {
            Some((name, style)) => (&name[..], *style),
            None => (&[][..], 0),
        };
        self.buf.extend_from_slice(b"<c r=\"");
        if name.is_empty() {
            let name = rust_xlsxwriter::utility::column_number_to_name(col);
            self.buf.extend_from_slice(name.as_bytes());
        } else {
            self.buf.extend_from_slice(name);
        }
        self.buf.extend_from_slice(row);
        self.buf.push(b'"');
        if style > 0 {
            self.buf.extend_from_slice(b" s=\"");
            self.buf.extend_from_slice(self.row.format(style).as_bytes());
            self.buf.push(b'"');
        }
    }

    /// A number cell (a date is its Excel serial number, in a date column). The
    /// library writes a number that is not finite as a text (`NAN`, `INF`,
    /// `-INF`), and so does this.
    pub(crate) fn number(&mut self, col: u16, v: f64) {
        if !v.is_finite() {
            let t = if v.is_nan() {
                "NAN"
            } else if v > 0.0 {
                "INF"
            } else {
                "-INF"
            };
            return self.text(col, t);
        }
        self.cell_start(col);
        self.buf.extend_from_slice(b"><v>");
        self.buf.extend_from_slice(self.zmij.format_finite(v).as_bytes());
        self.buf.extend_from_slice(b"</v></c>");
    }

    /// A text cell, inline; nothing for an empty text. `s` is already cut to
    /// Excel's limit ([`super::cut`]).
    pub(crate) fn text(&mut self, col: u16, s: &str) {
        if s.is_empty() {
            return;
        }
        self.cell_start(col);
        self.buf.extend_from_slice(b" t=\"inlineStr\"><is><t");
        if s.starts_with(['\t', '\n', ' ']) || s.ends_with(['\t', '\n', ' ']) {
            self.buf.extend_from_slice(b" xml:space=\"preserve\"");
        }
        self.buf.push(b'>');
        escape(s, &mut self.buf);
        self.buf.extend_from_slice(b"</t></is></c>");
    }

    /// Ends the last row and hands the writer back, every byte written to it.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.end_row()?;
        self.out.write_all(&self.buf)?;
        Ok(self.out)
    }
}

/// The bytes [`escape`] must look at: `&`, `<`, `>`, control characters but tab
/// and newline, `_` (a literal `_xHHHH_`), and 0xEF (U+FFFE and U+FFFF start with it).
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b != b'\t' as usize && b != b'\n' as usize;
        b += 1;
    }
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'_' as usize] = true;
    t[0xEF] = true;
    t
};

/// Appends `s` escaped as the library escapes a cell's text: first a literal
/// `_xHHHH_` (Excel's own escape) gets `_x005F` before it, then `&`, `<` and
/// `>` become entities and control characters (but tab and newline) and the
/// non-characters U+FFFE and U+FFFF become `_xHHHH_`. Done in one pass: the
/// first step looks at the text as given, and neither step's output is
/// something the other changes.
pub(crate) fn escape(s: &str, out: &mut Vec<u8>) {
    let b = s.as_bytes();
    let mut done = 0;
    for (i, &c) in b.iter().enumerate() {
        if !SPECIAL[c as usize] {
            continue;
        }
        let with: &[u8] = match c {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'_' => {
                if !is_excel_escape(&b[i..]) {
                    continue;
                }
                // The `_` itself stays: copied with the rest below.
                out.extend_from_slice(&b[done..i]);
                out.extend_from_slice(b"_x005F");
                done = i;
                continue;
            }
            0xEF => match b.get(i + 1..i + 3) {
                Some([0xBF, 0xBE]) => b"_xFFFE_",
                Some([0xBF, 0xBF]) => b"_xFFFF_",
                _ => continue,
            },
            // A control character.
            _ => {
                out.extend_from_slice(&b[done..i]);
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.extend_from_slice(b"_x00");
                out.push(HEX[(c >> 4) as usize]);
                out.push(HEX[(c & 15) as usize]);
                out.push(b'_');
                done = i + 1;
                continue;
            }
        };
        out.extend_from_slice(&b[done..i]);
        out.extend_from_slice(with);
        // U+FFFE and U+FFFF are three bytes.
        done = i + if c == 0xEF { 3 } else { 1 };
    }
    out.extend_from_slice(&b[done..]);
}

/// Whether `b` starts with `_xHHHH_` (four hex digits, either case).
fn is_excel_escape(b: &[u8]) -> bool {
    b.len() >= 7 && b[1] == b'x' && b[2..6].iter().all(u8::is_ascii_hexdigit) && b[6] == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str) -> String {
        let mut v = Vec::new();
        escape(s, &mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn texts_are_escaped_as_the_library_escapes_them() {
        assert_eq!(escaped("plain"), "plain");
        assert_eq!(escaped("a&b<c>d\"e'"), "a&amp;b&lt;c&gt;d\"e'");
        assert_eq!(escaped("tab\tnl\ncr\r"), "tab\tnl\ncr_x000D_");
        assert_eq!(escaped("\u{1}\u{1F}"), "_x0001__x001F_");
        assert_eq!(
            escaped("_x0041_ and _x12G4_ and _x00"),
            "_x005F_x0041_ and _x12G4_ and _x00"
        );
        assert_eq!(escaped("__x00aF_"), "__x005F_x00aF_");
        assert_eq!(
            escaped("x\u{FFFE}y\u{FFFF}z\u{FFFD}"),
            "x_xFFFE_y_xFFFF_z\u{FFFD}"
        );
        assert_eq!(escaped("évident_"), "évident_");
    }
}
