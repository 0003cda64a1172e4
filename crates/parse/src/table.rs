//! RFC 4180 CSV splitting and header mapping, shared by every CSV reader.
//!
//! Why a hand-written splitter and not the `csv` crate: (1) recovery. An
//! unterminated quote must cost one line, not the rest of the file: when a quoted
//! field that ran over line breaks leaves its record with the wrong field count, or
//! is closed by a quote that text follows (`"...\n...,"Plan`), or the file ends
//! inside it, the record's first line is refused and reading resumes on the next
//! physical line. The `csv` reader cannot be rewound into a record, so that needs
//! a second reader per recovery and line bookkeeping on top. (2) no copies: lines
//! without a `"` (nearly all bill lines) are split with `memchr` straight from the
//! decoded text; only lines holding a quote take the state machine and a scratch
//! buffer. Measured on a 140 MB, 1M-row file (release build): the `csv` crate's bare
//! `read_byte_record` loop takes ~0.2 s, this reader's whole parse (split, validate,
//! intern) ~0.8 s, of which splitting is a small share: speed is not the reason for
//! the choice, only not a cost. The tests cross-check the fields against the `csv` crate.
//!
//! Quoting follows RFC 4180 as the `csv` crate reads it: a field is quoted when its
//! first byte is `"`; `""` inside is one quote; text after the closing quote is kept
//! literally; a quote inside an unquoted field is literal. Records end at LF or CRLF.
//!
//! A record longer than [`MAX_RECORD_BYTES`] (1 MiB: no bill line comes near it; a
//! 50 MB "field" is a broken export or an attack) is refused whole at the line it
//! starts on, without copying it, and reading resumes after it: line numbers stay
//! physical lines.

use crate::text::show;
use memchr::{memchr, memchr2, memchr_iter, memrchr};
use telaudit_model::{Position, Rejection};

/// The longest record (header or row) a table may hold, in bytes of text: 1 MiB.
pub(crate) const MAX_RECORD_BYTES: usize = 1 << 20;

#[derive(Copy, Clone, Debug)]
struct Span {
    /// In the splitter's scratch buffer (unescaped quoted field) instead of the text.
    scratch: bool,
    start: usize,
    end: usize,
}

/// What [`Splitter::next_record`] found.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Record {
    /// A record starting on this 1-based physical line; fields via [`Splitter::field`].
    Fields(u64),
    /// A quoted field opened on this line never closed properly; the line was skipped.
    Unterminated(u64),
    /// The record starting on this line is longer than [`MAX_RECORD_BYTES`]; it was
    /// skipped whole (up to its end, or up to the end of its line when malformed).
    TooLong(u64),
}

pub(crate) struct Splitter<'a> {
    text: &'a str,
    pos: usize,
    /// The physical line `pos` is on.
    line: u64,
    spans: Vec<Span>,
    scratch: String,
}

impl<'a> Splitter<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Splitter {
            text,
            pos: 0,
            line: 1,
            spans: Vec::with_capacity(32),
            scratch: String::new(),
        }
    }

    /// A splitter that starts at byte `pos` of `text`, which is on physical line
    /// `line` (`pos` must be a line start). Splitting stops at the end of `text`:
    /// a chunk of a larger text is `&whole[..chunk_end]` with `pos` its start.
    pub(crate) fn starting_at(text: &'a str, pos: usize, line: u64) -> Self {
        Splitter {
            pos,
            line,
            ..Splitter::new(text)
        }
    }

    /// The byte the next record starts at (or a blank line before it), and its line.
    pub(crate) fn position(&self) -> (usize, u64) {
        (self.pos, self.line)
    }

    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// Field `i` of the current record, as written (unescaped, not trimmed).
    #[inline]
    pub(crate) fn field(&self, i: usize) -> &str {
        let sp = self.spans[i];
        if sp.scratch {
            &self.scratch[sp.start..sp.end]
        } else {
            &self.text[sp.start..sp.end]
        }
    }

    /// Whether every field of the current record is empty or spaces (`,,,` lines).
    pub(crate) fn all_empty(&self) -> bool {
        (0..self.len()).all(|i| self.field(i).trim().is_empty())
    }

    /// The next record, skipping empty lines. `expected` is the header's field
    /// count (None while reading the header): a multi-line record of another width
    /// is taken for an unterminated quote.
    pub(crate) fn next_record(&mut self, expected: Option<usize>) -> Option<Record> {
        let b = self.text.as_bytes();
        let n = b.len();
        loop {
            if self.pos >= n {
                return None;
            }
            let s = self.pos;
            let line = self.line;
            // The line's end and whether it holds a quote, in one search: the
            // first LF or quote, then (after a quote) the LF.
            let first = memchr2(b'\n', b'"', &b[s..]).map(|k| s + k);
            let quoted = first.is_some_and(|k| b[k] == b'"');
            let nl = if quoted {
                first.and_then(|k| memchr(b'\n', &b[k..]).map(|j| k + j))
            } else {
                first
            };
            let line_end = nl.unwrap_or(n);
            let next_line = nl.map_or(n, |k| k + 1);
            if !quoted {
                // Fast path: one physical line, no quotes.
                self.pos = next_line;
                self.line += 1;
                let ce = if line_end > s && b[line_end - 1] == b'\r' {
                    line_end - 1
                } else {
                    line_end
                };
                if ce == s {
                    continue;
                }
                if ce - s > MAX_RECORD_BYTES {
                    return Some(Record::TooLong(line));
                }
                self.spans.clear();
                split_commas(b, s, ce, &mut self.spans);
                return Some(Record::Fields(line));
            }
            let q = self.split_quoted(s);
            let end = q.end;
            let malformed = q.eof_in_quote
                || (q.multiline && (q.text_after_quote || expected.is_some_and(|e| e != self.spans.len())));
            if malformed {
                self.pos = next_line;
                self.line = line + 1;
                return Some(if line_end - s > MAX_RECORD_BYTES {
                    Record::TooLong(line)
                } else {
                    Record::Unterminated(line)
                });
            }
            self.pos = end;
            self.line = line + memchr_iter(b'\n', &b[s..end]).count() as u64;
            if end == n && (n == 0 || b[n - 1] != b'\n') {
                self.line += 1;
            }
            if end - s > MAX_RECORD_BYTES {
                return Some(Record::TooLong(line));
            }
            return Some(Record::Fields(line));
        }
    }

    /// Splits a record that holds quotes, starting at byte `s`.
    fn split_quoted(&mut self, s: usize) -> QuotedRecord {
        let text = self.text;
        let b = text.as_bytes();
        let n = b.len();
        self.spans.clear();
        self.scratch.clear();
        let mut multiline = false;
        let mut text_after_quote = false;
        let mut i = s;
        loop {
            if i < n && b[i] == b'"' {
                let st = self.scratch.len();
                i += 1;
                let mut closed = false;
                while let Some(k) = memchr(b'"', &b[i..]) {
                    let q = i + k;
                    multiline |= memchr(b'\n', &b[i..q]).is_some();
                    if q - s > MAX_RECORD_BYTES {
                        // Too long: refused whole, so its text is not kept.
                        i = q + 1;
                        if q + 1 < n && b[q + 1] == b'"' {
                            i = q + 2;
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    self.scratch.push_str(&text[i..q]);
                    if q + 1 < n && b[q + 1] == b'"' {
                        self.scratch.push('"');
                        i = q + 2;
                    } else {
                        i = q + 1;
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    multiline |= memchr(b'\n', &b[i..]).is_some();
                    if n - s <= MAX_RECORD_BYTES {
                        self.scratch.push_str(&text[i..]);
                    }
                    self.spans.push(Span {
                        scratch: true,
                        start: st,
                        end: self.scratch.len(),
                    });
                    return QuotedRecord {
                        end: n,
                        eof_in_quote: true,
                        multiline,
                        text_after_quote,
                    };
                }
                let e = memchr2(b',', b'\n', &b[i..]).map_or(n, |k| i + k);
                let ce = strip_cr(b, i, e);
                text_after_quote |= ce > i;
                if ce - s <= MAX_RECORD_BYTES {
                    self.scratch.push_str(&text[i..ce]);
                }
                self.spans.push(Span {
                    scratch: true,
                    start: st,
                    end: self.scratch.len(),
                });
                i = e;
            } else {
                let e = memchr2(b',', b'\n', &b[i..]).map_or(n, |k| i + k);
                self.spans.push(Span {
                    scratch: false,
                    start: i,
                    end: strip_cr(b, i, e),
                });
                i = e;
            }
            let end = if i >= n {
                n
            } else if b[i] == b',' {
                i += 1;
                continue;
            } else {
                i + 1
            };
            return QuotedRecord {
                end,
                eof_in_quote: false,
                multiline,
                text_after_quote,
            };
        }
    }
}

/// Pushes the spans of the comma-separated fields of `b[s..e]` (a line without quotes).
///
/// Eight bytes at a time (SWAR): a bill line has ~15 fields in ~130 bytes, and one
/// `memchr` call per comma cost more than the scan itself (measured with callgrind:
/// about 1,300 instructions per line before, for splitting and span pushes).
fn split_commas(b: &[u8], s: usize, e: usize, spans: &mut Vec<Span>) {
    const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const COMMAS: u64 = 0x2c2c_2c2c_2c2c_2c2c;
    let mut st = s;
    let mut i = s;
    let mut push = |st: &mut usize, at: usize| {
        spans.push(Span {
            scratch: false,
            start: *st,
            end: at,
        });
        *st = at + 1;
    };
    while i + 8 <= e {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[i..i + 8]);
        let x = u64::from_le_bytes(w) ^ COMMAS;
        // High bit of each byte set exactly where the byte was a comma (no carry
        // crosses bytes: (x & 0x7f) + 0x7f <= 0xfe).
        let mut m = !(((x & LO7).wrapping_add(LO7)) | x | LO7);
        while m != 0 {
            push(&mut st, i + (m.trailing_zeros() / 8) as usize);
            m &= m - 1;
        }
        i += 8;
    }
    for (k, &c) in b[i..e].iter().enumerate() {
        if c == b',' {
            push(&mut st, i + k);
        }
    }
    spans.push(Span {
        scratch: false,
        start: st,
        end: e,
    });
}

/// A record that holds quotes, as [`Splitter::split_quoted`] found it.
struct QuotedRecord {
    /// The byte after the record's terminator.
    end: usize,
    /// The text ended inside a quoted field.
    eof_in_quote: bool,
    /// A quoted field held a line break.
    multiline: bool,
    /// Text followed a closing quote before the next delimiter (`"a"b`): not RFC 4180.
    text_after_quote: bool,
}

/// The end of a field's text ending at `e`, without the CR of a CRLF (or of the file's end).
fn strip_cr(b: &[u8], start: usize, e: usize) -> usize {
    if e > start && b[e - 1] == b'\r' && (e == b.len() || b[e] == b'\n') {
        e - 1
    } else {
        e
    }
}

/// A column a reader knows.
pub(crate) struct Column {
    pub name: &'static str,
    pub required: bool,
}

/// Where each known column sits in the file.
pub(crate) struct Header {
    /// Indexed like the reader's column list.
    pub idx: Vec<Option<usize>>,
    /// The header's field count; every record must have as many.
    pub width: usize,
    /// The header's fields, trimmed: a record equal to them (ignoring case) is the
    /// header repeated (two exports joined with `cat`), read as a header, not a row.
    pub names: Vec<String>,
}

impl Header {
    /// Whether the current record of `sp` repeats the header line.
    fn repeated_by(&self, sp: &Splitter) -> bool {
        sp.len() == self.width
            && self
                .names
                .iter()
                .enumerate()
                .all(|(i, n)| trim(sp.field(i)).eq_ignore_ascii_case(n))
    }
}

/// Maps the header record (current record of `sp`) onto `columns`: names compared
/// case-insensitively with surrounding spaces ignored, any order, unknown names ignored.
pub(crate) fn map_header(sp: &Splitter, columns: &[Column]) -> Result<Header, String> {
    let mut idx: Vec<Option<usize>> = vec![None; columns.len()];
    for i in 0..sp.len() {
        let name = sp.field(i).trim();
        if let Some(c) = columns.iter().position(|c| c.name.eq_ignore_ascii_case(name)) {
            if let Some(prev) = idx[c] {
                return Err(format!(
                    "column {} appears twice in the header (columns {} and {}); keep one",
                    columns[c].name,
                    prev + 1,
                    i + 1
                ));
            }
            idx[c] = Some(i);
        }
    }
    let missing: Vec<&str> = columns
        .iter()
        .zip(&idx)
        .filter(|(c, i)| c.required && i.is_none())
        .map(|(c, _)| c.name)
        .collect();
    if !missing.is_empty() {
        let found: Vec<String> = (0..sp.len()).map(|i| show(sp.field(i).trim())).collect();
        return Err(format!(
            "missing required column{} {} (the header has {}); every file needs a header row naming the columns",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            found.join(", ")
        ));
    }
    let names = (0..sp.len()).map(|i| sp.field(i).trim().to_string()).collect();
    Ok(Header {
        idx,
        width: sp.len(),
        names,
    })
}

/// One record, seen through the header: fields by column number, trimmed.
pub(crate) struct Fields<'s, 'a> {
    sp: &'s Splitter<'a>,
    idx: &'s [Option<usize>],
}

impl<'s> Fields<'s, '_> {
    /// The trimmed value of known column `col`; "" when the file lacks the column.
    #[inline]
    pub(crate) fn get(&self, col: usize) -> &'s str {
        match self.idx[col] {
            Some(i) => trim(self.sp.field(i)),
            None => "",
        }
    }
}

/// `s.trim()`, skipping the Unicode scan when both ends are printable ASCII (nearly
/// every bill field): no byte above 0x20 and below 0x80 is Unicode white space.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let plain = |c: u8| c > b' ' && c < 0x80;
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) if plain(f) && plain(l) => s,
        (None, _) => s,
        _ => s.trim(),
    }
}

/// Reads a whole CSV table: header, then each record through `row`, which returns
/// the reason when it refuses the record. Refusals (whole file or one line) are
/// pushed to `rejected`, each standing for `rows_per_line` charge rows.
/// Returns false when the file was refused whole (or has no header).
pub(crate) fn read_table<'t>(
    text: &'t str,
    path: &str,
    columns: &[Column],
    rows_per_line: u64,
    rejected: &mut Vec<Rejection>,
    row: impl FnMut(&Fields<'_, 't>, u64) -> Result<(), String>,
) -> bool {
    let mut sp = Splitter::new(text);
    let refuse_file = |sp: &mut Splitter, rejected: &mut Vec<Rejection>, reason: String| {
        let mut count = 0;
        while let Some(rec) = sp.next_record(None) {
            if !matches!(rec, Record::Fields(_)) || !sp.all_empty() {
                count += 1;
            }
        }
        rejected.push(Rejection {
            file: path.to_string(),
            position: Position::File,
            reason,
            rows: count * rows_per_line,
        });
    };
    let header = match sp.next_record(None) {
        None => return false,
        Some(Record::Unterminated(line)) => {
            refuse_file(
                &mut sp,
                rejected,
                format!("the header row (line {line}) has an unterminated quote"),
            );
            return false;
        }
        Some(Record::TooLong(line)) => {
            refuse_file(
                &mut sp,
                rejected,
                format!(
                    "the header row (line {line}) is longer than {} bytes: not a bill table; \
                     export it again as CSV",
                    MAX_RECORD_BYTES
                ),
            );
            return false;
        }
        Some(Record::Fields(_)) => match map_header(&sp, columns) {
            Ok(h) => h,
            Err(reason) => {
                refuse_file(&mut sp, rejected, reason);
                return false;
            }
        },
    };
    // One NUL rule for every table (canonical CSV, inventory, contracts, layouts): a
    // known column holding a NUL byte refuses its row.
    let has_nul = memchr(0, text.as_bytes()).is_some();
    let mut row = row;
    let checked = |f: &Fields<'_, 't>, line: u64| {
        if has_nul {
            if let Some(c) = (0..columns.len()).find(|&c| f.get(c).contains('\0')) {
                return Err(crate::text::nul_reason(columns[c].name));
            }
        }
        row(f, line)
    };
    read_records(&mut sp, &header, path, rows_per_line, rejected, checked);
    true
}

/// The records after the header, from where `sp` stands to the end of its text:
/// each through `row`, refusals (one line each) pushed to `rejected`. The loop of
/// [`read_table`]; the canonical reader also runs it on chunks of a large file.
pub(crate) fn read_records<'t>(
    sp: &mut Splitter<'t>,
    header: &Header,
    path: &str,
    rows_per_line: u64,
    rejected: &mut Vec<Rejection>,
    mut row: impl FnMut(&Fields<'_, 't>, u64) -> Result<(), String>,
) {
    let refuse = |rejected: &mut Vec<Rejection>, line: u64, reason: String| {
        rejected.push(Rejection {
            file: path.to_string(),
            position: Position::Line(line),
            reason,
            rows: rows_per_line,
        });
    };
    while let Some(rec) = sp.next_record(Some(header.width)) {
        match rec {
            Record::Unterminated(line) => refuse(
                rejected,
                line,
                "unterminated quote: a quoted field opened on this line does not close before the \
                 record ends; reading resumed on the next line"
                    .to_string(),
            ),
            Record::TooLong(line) => refuse(
                rejected,
                line,
                format!(
                    "record longer than {MAX_RECORD_BYTES} bytes (1 MiB): no bill line is that long, the \
                     export is broken; the record was skipped whole and reading resumed after it"
                ),
            ),
            Record::Fields(line) => {
                if sp.len() != header.width {
                    if !sp.all_empty() {
                        refuse(
                            rejected,
                            line,
                            format!(
                                "wrong field count: expected {} fields as in the header, found {}",
                                header.width,
                                sp.len()
                            ),
                        );
                    }
                    continue;
                }
                if header.repeated_by(sp) {
                    continue;
                }
                let fields = Fields { sp, idx: &header.idx };
                if let Err(reason) = row(&fields, line) {
                    if !sp.all_empty() {
                        refuse(rejected, line, reason);
                    }
                }
            }
        }
    }
}

/// Whether every quoted field of `text` (which starts at a line start) closes on
/// the line it opens on, as [`Splitter`] reads quotes: a field is quoted when its
/// first byte is `"`, `""` inside is one quote, text after the closing quote and
/// quotes inside unquoted fields are literal. When true, every record is exactly
/// one physical line (the splitter never reads a record over a line break nor
/// takes the unterminated-quote recovery), so `text` may be cut after any `\n`
/// and each piece split on its own with the same records and line numbers.
/// Only lines holding a `"` are looked at.
pub(crate) fn quotes_close_on_their_lines(text: &str) -> bool {
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(k) = memchr(b'"', &b[from..]) {
        let q = from + k;
        let start = memrchr(b'\n', &b[..q]).map_or(0, |p| p + 1);
        let end = memchr(b'\n', &b[q..]).map_or(b.len(), |p| q + p);
        if !line_closes_its_quotes(&b[start..end]) {
            return false;
        }
        from = end;
    }
    true
}

/// One line (without its `\n`): whether each quoted field closes on it.
fn line_closes_its_quotes(line: &[u8]) -> bool {
    let mut i = 0;
    loop {
        if line.get(i) == Some(&b'"') {
            i += 1;
            loop {
                let Some(k) = memchr(b'"', &line[i..]) else {
                    return false;
                };
                let q = i + k;
                if line.get(q + 1) == Some(&b'"') {
                    i = q + 2;
                } else {
                    i = q + 1;
                    break;
                }
            }
        }
        match memchr(b',', &line[i..]) {
            Some(k) => i += k + 1,
            None => return true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_all(text: &str, expected: Option<usize>) -> Vec<(Record, Vec<String>)> {
        let mut sp = Splitter::new(text);
        let mut out = Vec::new();
        while let Some(r) = sp.next_record(expected) {
            let f = match r {
                Record::Fields(_) => (0..sp.len()).map(|i| sp.field(i).to_string()).collect(),
                Record::Unterminated(_) | Record::TooLong(_) => vec![],
            };
            out.push((r, f));
        }
        out
    }

    fn csv_crate(text: &str) -> Vec<Vec<String>> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        rdr.records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn splits_like_the_csv_crate() {
        let cases = [
            "a,b,c\n1,2,3\n",
            "a,b\r\n1,2\r\n",
            "a,b\n\"x,y\",\"he said \"\"hi\"\"\"\n",
            "a,b\n\"multi\nline\",2\n3,4",
            "a,b\n\"multi\r\nline\",2\r\n3,4\r\n",
            "a,,\n,,\n",
            "a,b\n\"\",\"\"\"\"\n",
            "a,b\nx\"y,\"z\"w\n",
            "a,b\n\n\n1,2\n",
            "h\n\"a\"\n",
            "a,b\n1,\"2\"",
            "caf\u{e9},\"\u{e9}\"\n",
        ];
        for text in cases {
            let ours: Vec<Vec<String>> = split_all(text, None).into_iter().map(|(_, f)| f).collect();
            assert_eq!(ours, csv_crate(text), "{text:?}");
        }
    }

    #[test]
    fn swar_split_and_trim_match_the_plain_ones() {
        // Commas at every offset of the 8-byte words, '-' after commas (a near miss
        // for the zero-byte trick), bytes above 0x7f, tails shorter than a word.
        let mut lines = vec![
            ",-5,,-,a,\u{e9},\u{2c},".to_string(),
            "abcdefgh,ijklmnop,".to_string(),
            ",,,,,,,,,,,,,,,,,".to_string(),
            "x".to_string(),
            "-,-,-,-,-,-,-,-,-,-,-".to_string(),
        ];
        for k in 0..20 {
            lines.push(format!("{}{}", "y".repeat(k), ",\u{ac},-,\u{2d}\u{2c}"));
        }
        for line in &lines {
            let mut spans = Vec::new();
            split_commas(line.as_bytes(), 0, line.len(), &mut spans);
            let ours: Vec<&str> = spans.iter().map(|sp| &line[sp.start..sp.end]).collect();
            let plain: Vec<&str> = line.split(',').collect();
            assert_eq!(ours, plain, "{line:?}");
        }
        for s in [
            "",
            " ",
            "a",
            " a ",
            "\u{a0}x\u{a0}",
            "x\u{3000}",
            "\tx",
            "x\r",
            "\u{85}y",
            "é",
            "ab",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    /// Whether the splitter reads every record of `text` on one physical line.
    fn records_are_lines(text: &str, expected: Option<usize>) -> bool {
        let mut sp = Splitter::new(text);
        while let Some(r) = sp.next_record(expected) {
            let (Record::Fields(line) | Record::TooLong(line) | Record::Unterminated(line)) = r;
            if matches!(r, Record::Unterminated(_)) || sp.position().1 != line + 1 {
                return false;
            }
        }
        true
    }

    #[test]
    fn quote_prescan_is_never_wrong_about_one_line_records() {
        for (text, ok) in [
            ("a,\"b\"\nc\n", true),
            ("a\"b,c\n\"", false),
            ("x\"y,\"a\nb\",z\n", false),
            ("\"a\"\"\nb\"\n", false),
            ("\"a\"b\"c\nd\n", true),
            ("\"a\"\"b\",\"\"\r\n", true),
            ("a, \"b\nc\n", true),
            ("\"", false),
        ] {
            assert_eq!(quotes_close_on_their_lines(text), ok, "{text:?}");
            assert!(!ok || records_are_lines(text, Some(2)), "{text:?}");
        }
        // Every text of up to 7 bytes over a, comma, quote, CR and LF: when the
        // pre-scan says yes, the splitter reads one record per line.
        let alphabet = [b'a', b',', b'"', b'\r', b'\n'];
        let (mut yes, mut no) = (0, 0);
        for len in 0..=7u32 {
            for code in 0..alphabet.len().pow(len) {
                let mut c = code;
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        let b = alphabet[c % alphabet.len()];
                        c /= alphabet.len();
                        b
                    })
                    .collect();
                let text = std::str::from_utf8(&bytes).unwrap();
                if quotes_close_on_their_lines(text) {
                    yes += 1;
                    for expected in [None, Some(1), Some(2)] {
                        assert!(records_are_lines(text, expected), "{text:?}");
                    }
                } else {
                    no += 1;
                }
            }
        }
        assert!(yes > 10_000 && no > 10_000, "{yes} {no}");
    }

    #[test]
    fn physical_line_numbers() {
        let text = "h1,h2\n\"a\nb\nc\",1\n\nx,2\r\n";
        let recs: Vec<Record> = split_all(text, Some(2)).into_iter().map(|(r, _)| r).collect();
        assert_eq!(
            recs,
            vec![Record::Fields(1), Record::Fields(2), Record::Fields(6)]
        );
    }

    #[test]
    fn unterminated_quote_costs_one_line() {
        let text = "h1,h2\n\"open,1\nx,2\ny,3\n";
        let recs = split_all(text, Some(2));
        assert_eq!(recs[1].0, Record::Unterminated(2));
        assert_eq!(recs[2], (Record::Fields(3), vec!["x".into(), "2".into()]));
        assert_eq!(recs[3], (Record::Fields(4), vec!["y".into(), "3".into()]));
        assert_eq!(recs.len(), 4);
        // At the end of the file.
        let recs = split_all("h1,h2\nx,2\n\"open,1\n", Some(2));
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[2].0, Record::Unterminated(3));
        // The quote closes lines later, in a record of the wrong width.
        let recs = split_all("h1,h2\n\"open,1\nx,2\ny,\"q\"\nz,4\n", Some(2));
        let kinds: Vec<Record> = recs.iter().map(|r| r.0).collect();
        assert_eq!(
            kinds,
            vec![
                Record::Fields(1),
                Record::Unterminated(2),
                Record::Fields(3),
                Record::Fields(4),
                Record::Fields(5)
            ]
        );
        assert_eq!(recs[3].1, vec!["y".to_string(), "q".to_string()]);
    }

    #[test]
    fn records_over_the_cap_are_skipped_whole_and_lines_stay_right() {
        let big = "x".repeat(MAX_RECORD_BYTES + 1);
        // Unquoted, on one line.
        let text = format!("h1,h2\n{big},1\nx,2\n");
        let kinds: Vec<Record> = split_all(&text, Some(2)).into_iter().map(|r| r.0).collect();
        assert_eq!(
            kinds,
            vec![Record::Fields(1), Record::TooLong(2), Record::Fields(3)]
        );
        // Quoted over three lines, well formed: skipped to its end.
        let text = format!("h1,h2\n\"a\n{big}\nb\",1\nx,2\n");
        let recs = split_all(&text, Some(2));
        assert_eq!(recs[1].0, Record::TooLong(2));
        assert_eq!(recs[2], (Record::Fields(5), vec!["x".into(), "2".into()]));
        assert_eq!(recs.len(), 3);
        // Quoted with doubled quotes past the cap: still one record.
        let text = format!("h1,h2\n\"{big}\"\"q\"\"{big}\",1\nx,2\n");
        let kinds: Vec<Record> = split_all(&text, Some(2)).into_iter().map(|r| r.0).collect();
        assert_eq!(
            kinds,
            vec![Record::Fields(1), Record::TooLong(2), Record::Fields(3)]
        );
        // Never closed, on one long line: that line is skipped, the next is read.
        let text = format!("h1,h2\n\"{big},1\nx,2\n");
        let recs = split_all(&text, Some(2));
        assert_eq!(recs[1].0, Record::TooLong(2));
        assert_eq!(recs[2], (Record::Fields(3), vec!["x".into(), "2".into()]));
        // Just under the cap is read.
        let ok = "y".repeat(MAX_RECORD_BYTES - 2);
        let recs = split_all(&format!("h\n{ok}\n"), Some(1));
        assert_eq!(recs[1].0, Record::Fields(2));
        assert_eq!(recs[1].1[0].len(), MAX_RECORD_BYTES - 2);
    }

    #[test]
    fn read_table_refuses_a_long_record_and_a_long_header() {
        let cols = [Column {
            name: "h1",
            required: true,
        }];
        let big = "x".repeat(MAX_RECORD_BYTES + 1);
        let mut rejected = Vec::new();
        let mut read = Vec::new();
        let text = format!("h1\n{big}\nok\n");
        assert!(read_table(&text, "f.csv", &cols, 1, &mut rejected, |f, line| {
            read.push((line, f.get(0).to_string()));
            Ok(())
        }));
        assert_eq!(read, vec![(3, "ok".to_string())]);
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].position, Position::Line(2));
        assert!(
            rejected[0].reason.contains("longer than 1048576 bytes"),
            "{}",
            rejected[0].reason
        );
        let mut rejected = Vec::new();
        let text = format!("h1,{big}\na\nb\n");
        assert!(!read_table(
            &text,
            "f.csv",
            &cols,
            1,
            &mut rejected,
            |_, _| Ok(())
        ));
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].position, Position::File);
        assert_eq!(rejected[0].rows, 2);
        assert!(rejected[0].reason.contains("header row (line 1) is longer"));
    }
}
