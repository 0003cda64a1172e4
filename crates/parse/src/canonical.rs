//! The canonical charge CSV (formats.md section 2).

use crate::table::{
    map_header, quotes_close_on_their_lines, read_records, read_table, Column, Fields, Header, Record,
    Splitter,
};
use crate::text::{decode_text, show};
use crate::ParsedFile;
use rayon::prelude::*;
use telaudit_model::{
    ChargeType, Date, DateError, DecimalError, FileId, Interner, Micros, Position, Row, SourceRef, Sym,
    Warning,
};

const CARRIER: usize = 0;
const ACCOUNT: usize = 1;
const INVOICE: usize = 2;
const INVOICE_DATE: usize = 3;
const PERIOD_START: usize = 4;
const PERIOD_END: usize = 5;
const SERVICE_ID: usize = 6;
const CHARGE_TYPE: usize = 7;
const CHARGE_CODE: usize = 8;
const DESCRIPTION: usize = 9;
const QUANTITY: usize = 10;
const UNIT_RATE: usize = 11;
const AMOUNT: usize = 12;
const USAGE_QUANTITY: usize = 13;
const USAGE_UNIT: usize = 14;

const fn col(name: &'static str, required: bool) -> Column {
    Column { name, required }
}

/// The canonical columns, from the one list in telaudit-model.
const COLUMNS: [Column; 15] = {
    const NONE: Column = col("", false);
    let mut out = [NONE; 15];
    let mut i = 0;
    while i < out.len() {
        out[i] = col(
            telaudit_model::CANONICAL[i].name,
            telaudit_model::CANONICAL[i].required,
        );
        i += 1;
    }
    out
};

/// A file's records are split into chunks of at least this many bytes, parsed in
/// parallel, when the file holds at least two of them (one huge bill file then
/// uses every core, not one).
const CHUNK_BYTES: usize = 4 << 20;

/// Reads one canonical charge CSV. Rows carry `file` and the line their record
/// starts on (header = line 1); refused rows and refused files go to `rejected`.
///
/// A file of 8 MiB or more is read in chunks in parallel (see [`chunks`]) when no
/// quoted field in it runs over a line break; the result is the same as reading
/// it in one piece: the same rows in the same order, the same symbols, the same
/// refusals and warnings.
pub fn read_canonical_csv(bytes: &[u8], file: FileId, path: &str) -> ParsedFile {
    let chunk = (rayon::current_num_threads() > 1).then_some(CHUNK_BYTES);
    read_canonical_with(bytes, file, path, chunk)
}

/// [`read_canonical_csv`], in chunks of at least `chunk` bytes when that is safe
/// and gives two chunks or more; in one piece when `chunk` is None.
fn read_canonical_with(bytes: &[u8], file: FileId, path: &str, chunk: Option<usize>) -> ParsedFile {
    let (text, warning) = decode_text(bytes);
    read_decoded_with(&text, warning, file, path, chunk)
}

/// [`read_canonical_csv`] on a file already decoded by [`decode_text`] (`warning`
/// is what decoding it said).
pub(crate) fn read_canonical_decoded(
    text: &str,
    warning: Option<String>,
    file: FileId,
    path: &str,
) -> ParsedFile {
    let chunk = (rayon::current_num_threads() > 1).then_some(CHUNK_BYTES);
    read_decoded_with(text, warning, file, path, chunk)
}

/// [`read_canonical_with`] after the decoding.
fn read_decoded_with(
    text: &str,
    warning: Option<String>,
    file: FileId,
    path: &str,
    chunk: Option<usize>,
) -> ParsedFile {
    let mut out = match chunk.and_then(|c| chunks(text, c)) {
        Some(plan) => read_chunks(text, file, path, plan),
        None => read_whole(text, file, path),
    };
    if let Some(message) = warning {
        out.warnings.insert(
            0,
            Warning {
                file: path.to_string(),
                position: Position::File,
                message,
            },
        );
    }
    out
}

/// Reads the file in one piece, header first.
fn read_whole(text: &str, file: FileId, path: &str) -> ParsedFile {
    let mut out = ParsedFile::default();
    let mut reader = RowReader::new(text, file);
    let ParsedFile {
        strings,
        rows,
        rejected,
        ..
    } = &mut out;
    let had_header = read_table(text, path, &COLUMNS, 1, rejected, |f, line| {
        reader.row(f, line, strings, rows)
    });
    if !had_header && out.rejected.is_empty() {
        out.warnings.push(Warning {
            file: path.to_string(),
            position: Position::File,
            message: "empty file: no header row, no charges".to_string(),
        });
    }
    out
}

/// Where a large file is cut: its header, and the chunks of records after it.
struct Chunks {
    header: Header,
    /// Each chunk: its first byte (a line start), its end (after a `\n`, or the
    /// text's end) and the physical line it starts on.
    pieces: Vec<(usize, usize, u64)>,
}

/// How to cut `text` into chunks of at least `chunk` bytes, each ending after a
/// `\n`, or None when it should be read in one piece: fewer than two chunks, a
/// header that is refused or missing (the whole-file path reports it), or a quoted
/// field somewhere that runs over a line break (a record could then span a cut,
/// and the unterminated-quote recovery depends on what came before:
/// [`quotes_close_on_their_lines`]).
fn chunks(text: &str, chunk: usize) -> Option<Chunks> {
    let chunk = chunk.max(1);
    if text.len() < chunk.saturating_mul(2) {
        return None;
    }
    let mut sp = Splitter::starting_at(text, 0, 1);
    let header = match sp.next_record(None)? {
        Record::Fields(_) => map_header(&sp, &COLUMNS).ok()?,
        Record::Unterminated(_) | Record::TooLong(_) => return None,
    };
    let (body, first_line) = sp.position();
    let b = text.as_bytes();
    let mut bounds = Vec::new();
    let mut s = body;
    while s < b.len() {
        let target = s.saturating_add(chunk);
        let e = if target >= b.len() {
            b.len()
        } else {
            memchr::memchr(b'\n', &b[target..]).map_or(b.len(), |k| target + k + 1)
        };
        bounds.push((s, e));
        s = e;
    }
    if bounds.len() < 2 {
        return None;
    }
    // Each chunk: its line count and whether its quotes close on their lines.
    let scans: Vec<(u64, bool)> = bounds
        .par_iter()
        .map(|&(s, e)| {
            let piece = &text[s..e];
            (
                memchr::memchr_iter(b'\n', piece.as_bytes()).count() as u64,
                quotes_close_on_their_lines(piece),
            )
        })
        .collect();
    if scans.iter().any(|&(_, ok)| !ok) {
        return None;
    }
    let mut line = first_line;
    let mut pieces = Vec::with_capacity(bounds.len());
    for (&(s, e), &(lines, _)) in bounds.iter().zip(&scans) {
        pieces.push((s, e, line));
        line += lines;
    }
    Some(Chunks { header, pieces })
}

/// Reads the chunks in parallel, then joins them in order: the first chunk's
/// interner absorbs the others' in chunk order (so every string gets the symbol
/// it gets in a one-piece read: strings are numbered by first appearance), the
/// other chunks' rows are remapped, and rows and refusals are appended in order.
fn read_chunks(text: &str, file: FileId, path: &str, plan: Chunks) -> ParsedFile {
    let header = &plan.header;
    let mut parts: Vec<ParsedFile> = plan
        .pieces
        .par_iter()
        .map(|&(s, e, line)| {
            let piece = &text[..e];
            let mut p = ParsedFile::default();
            let mut reader = RowReader::new(&text[s..e], file);
            let mut sp = Splitter::starting_at(piece, s, line);
            let ParsedFile {
                strings,
                rows,
                rejected,
                ..
            } = &mut p;
            read_records(&mut sp, header, path, 1, rejected, |f, line| {
                reader.row(f, line, strings, rows)
            });
            p
        })
        .collect();
    let mut rest = parts.split_off(1);
    let Some(mut out) = parts.pop() else {
        return ParsedFile::default();
    };
    let maps: Vec<Vec<Sym>> = rest.iter().map(|p| out.strings.absorb(&p.strings)).collect();
    rest.par_iter_mut().zip(&maps).for_each(|(p, map)| {
        for r in &mut p.rows {
            r.remap_symbols(map);
        }
    });
    out.rows.reserve(rest.iter().map(|p| p.rows.len()).sum());
    for mut p in rest {
        out.rows.append(&mut p.rows);
        out.rejected.append(&mut p.rejected);
        out.warnings.append(&mut p.warnings);
    }
    out
}

/// Turns records into rows: the state one reading (whole file or chunk) keeps.
struct RowReader {
    file: FileId,
    /// The previous row's symbols and dates (see [`Recent`]).
    recent: Recent,
    /// A NUL byte is never bill text: binary data, or UTF-16 without a byte-order
    /// mark. Fields are searched for one only when the text holds one.
    has_nul: bool,
    problems: Vec<String>,
    /// Rows to reserve room for before the first.
    reserve: usize,
}

impl RowReader {
    fn new(text: &str, file: FileId) -> Self {
        // At most one row per line: one reservation instead of repeated growth (no
        // more than one row per 32 bytes either: a file of blank lines reserves
        // nothing huge).
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        RowReader {
            file,
            recent: Recent::default(),
            has_nul: memchr::memchr(0, text.as_bytes()).is_some(),
            problems: Vec::new(),
            reserve: lines.min(text.len() / 32 + 1),
        }
    }

    fn row(
        &mut self,
        f: &Fields<'_, '_>,
        line: u64,
        strings: &mut Interner,
        rows: &mut Vec<Row>,
    ) -> Result<(), String> {
        if self.reserve > 0 {
            rows.reserve(std::mem::take(&mut self.reserve));
        }
        self.problems.clear();
        let mut v: [&str; 15] = std::array::from_fn(|c| f.get(c));
        for c in GUARDED {
            v[c] = unguard(v[c]);
        }
        if self.has_nul {
            if let Some(c) = v.iter().position(|x| x.contains('\0')) {
                return Err(crate::text::nul_reason(COLUMNS[c].name));
            }
        }
        match parse_row(&v, line, self.file, strings, &mut self.recent, &mut self.problems) {
            Some(row) => {
                rows.push(row);
                Ok(())
            }
            None => Err(self.problems.join("; ")),
        }
    }
}

/// What the previous row of the file (or chunk) held, by column. Consecutive rows
/// mostly repeat carrier, account, invoice and the three dates (a file is one
/// invoice, its rows sorted by service): comparing with the previous row's value
/// skips most hash lookups and date parses.
#[derive(Default)]
struct Recent {
    /// The symbol of the previous row's text in each column.
    syms: [Sym; 15],
    /// Per column, symbols of texts seen before, at a slot picked by a cheap mix of
    /// the text's length and first and last bytes: a charge code or description
    /// comes back every few rows (each service is billed the same few charges), and
    /// finding it here costs a few instructions where the interner's hash lookup
    /// costs about 150. A slot only ever holds a symbol of this interner, checked
    /// against the text, so a hit is the symbol `intern` would return.
    seen: Vec<[Sym; SEEN]>,
    /// The previous row's text and value of each date column (invoice_date,
    /// period_start, period_end), when it was a valid `YYYY-MM-DD`.
    dates: [Option<([u8; 10], Date)>; 3],
}

impl Recent {
    /// The symbol of `v[c]`: the previous row's when the text is the same, else
    /// one seen before in the column (see `seen`), else the interner's.
    #[inline(always)]
    fn sym(&mut self, strings: &mut Interner, v: &[&str; 15], c: usize) -> Sym {
        if same_text(strings.get(self.syms[c]).as_bytes(), v[c].as_bytes()) {
            return self.syms[c];
        }
        self.sym_changed(strings, v[c], c)
    }

    /// [`Recent::sym`] when the text is not the previous row's.
    #[inline(never)]
    fn sym_changed(&mut self, strings: &mut Interner, text: &str, c: usize) -> Sym {
        let s = text.as_bytes();
        if self.seen.is_empty() {
            self.seen = vec![[Sym::EMPTY; SEEN]; 15];
        }
        let slot = &mut self.seen[c][seen_slot(s)];
        let sym = if same_text(strings.get(*slot).as_bytes(), s) {
            *slot
        } else {
            let sym = strings.intern(text);
            *slot = sym;
            sym
        };
        self.syms[c] = sym;
        sym
    }

    /// Date column `c` (the `k`-th date column) read as [`parse_date`] reads it: the
    /// previous row's value when the ten bytes are the same.
    #[inline]
    fn date(&mut self, v: &[&str; 15], c: usize, k: usize, problems: &mut Vec<String>) -> Option<Date> {
        let Ok(bytes) = <[u8; 10]>::try_from(v[c].as_bytes()) else {
            return date(v, c, problems);
        };
        if let Some((text, d)) = self.dates[k] {
            if text == bytes {
                return Some(d);
            }
        }
        let d = date(v, c, problems);
        self.dates[k] = d.map(|d| (bytes, d));
        d
    }
}

/// Slots per column in [`Recent`]'s `seen`.
const SEEN: usize = 64;

/// The slot of a text among `SEEN`: its length and up to its first and last
/// eight bytes, mixed (FxHash's multiplier), the top bits kept.
#[inline]
fn seen_slot(s: &[u8]) -> usize {
    let n = s.len();
    let bytes = if n >= 8 {
        word(s, 0) ^ word(s, n - 8).rotate_left(29)
    } else {
        s.iter().fold(0u64, |a, &c| (a << 8) | u64::from(c))
    };
    let x = (bytes ^ n as u64).wrapping_mul(0xf135_7aea_2e62_a9c5);
    (x >> (64 - SEEN.trailing_zeros())) as usize
}

/// `a == b`, compared eight bytes at a time in line: the texts compared are short
/// (a carrier, an account, a charge code) and mostly equal, where a call to `memcmp`
/// cost more than the comparison (about 35 instructions each, 7 a row).
#[inline]
fn same_text(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let mut i = 0;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// The eight bytes of `x` from `i` (there must be as many), as a number.
#[inline(always)]
fn word(x: &[u8], i: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&x[i..i + 8]);
    u64::from_le_bytes(w)
}

/// The text columns `telaudit convert` guards against spreadsheet formulas.
const GUARDED: [usize; 7] = [
    CARRIER,
    ACCOUNT,
    INVOICE,
    SERVICE_ID,
    CHARGE_CODE,
    DESCRIPTION,
    USAGE_UNIT,
];

/// A text value without the `'` that guards a formula-like value (`'=SUM(A1)`
/// reads as `=SUM(A1)`): the canonical CSV telaudit writes is opened in
/// spreadsheets, so its text cells that start with `=`, `+`, `-`, `@`, tab or CR
/// carry one leading apostrophe. Any other apostrophe is kept (`'0042` stays).
pub(crate) fn unguard(s: &str) -> &str {
    match s.as_bytes() {
        [b'\'', b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r', ..] => &s[1..],
        _ => s,
    }
}

/// One record's trimmed values, indexed like `COLUMNS` ("" for absent columns).
fn parse_row(
    v: &[&str; 15],
    line: u64,
    file: FileId,
    strings: &mut Interner,
    recent: &mut Recent,
    problems: &mut Vec<String>,
) -> Option<Row> {
    for c in [CARRIER, ACCOUNT, INVOICE, DESCRIPTION] {
        if v[c].is_empty() {
            problems.push(format!("{} is empty (required)", COLUMNS[c].name));
        }
    }
    let invoice_date = recent.date(v, INVOICE_DATE, 0, problems);
    let period_start = recent.date(v, PERIOD_START, 1, problems);
    let period_end = recent.date(v, PERIOD_END, 2, problems);
    let ct = v[CHARGE_TYPE];
    let charge_type = if ct.is_empty() {
        problems.push("charge_type is empty (required)".to_string());
        None
    } else {
        let t = charge_type(ct);
        if t.is_none() {
            let allowed: Vec<&str> = ChargeType::ALL.iter().map(|t| t.as_str()).collect();
            problems.push(format!(
                "unknown charge_type {}: expected one of {}",
                show(ct),
                allowed.join(", ")
            ));
        }
        t
    };
    let quantity = number(v, QUANTITY, problems).map(|q| q.unwrap_or(Micros::ONE));
    let unit_rate = number(v, UNIT_RATE, problems);
    let amount = number(v, AMOUNT, problems);
    let amount = match amount {
        Some(None) => {
            problems.push("amount is empty (required)".to_string());
            None
        }
        Some(Some(a)) => Some(a),
        None => None,
    };
    let usage_quantity = number(v, USAGE_QUANTITY, problems);
    if let (Some(s), Some(e)) = (period_start, period_end) {
        if e < s {
            problems.push(format!("period_end {e} is before period_start {s}"));
        }
    }
    if !problems.is_empty() {
        return None;
    }
    let (invoice_date, period_start, period_end) = (invoice_date?, period_start?, period_end?);
    let (charge_type, quantity, unit_rate, amount, usage_quantity) =
        (charge_type?, quantity?, unit_rate?, amount?, usage_quantity?);
    let mut sym = |c: usize| recent.sym(strings, v, c);
    Some(Row {
        carrier: sym(CARRIER),
        account: sym(ACCOUNT),
        invoice: sym(INVOICE),
        service: sym(SERVICE_ID),
        charge_code: sym(CHARGE_CODE),
        description: sym(DESCRIPTION),
        usage_unit: sym(USAGE_UNIT),
        invoice_date,
        period_start,
        period_end,
        charge_type,
        quantity,
        unit_rate,
        amount,
        usage_quantity,
        source: SourceRef {
            file,
            pos: u32::try_from(line).unwrap_or(u32::MAX),
        },
    })
}

/// The charge type: the canonical spellings directly, anything else (other case,
/// inner spaces) through [`ChargeType::parse`].
fn charge_type(s: &str) -> Option<ChargeType> {
    match s {
        "recurring" => Some(ChargeType::Recurring),
        "usage" => Some(ChargeType::Usage),
        "tax" => Some(ChargeType::Tax),
        "surcharge" => Some(ChargeType::Surcharge),
        "fee" => Some(ChargeType::Fee),
        "one_time" => Some(ChargeType::OneTime),
        "credit" => Some(ChargeType::Credit),
        "adjustment" => Some(ChargeType::Adjustment),
        _ => ChargeType::parse(s),
    }
}

/// A required date column; None (with a problem noted) when empty or bad.
fn date(v: &[&str; 15], c: usize, problems: &mut Vec<String>) -> Option<Date> {
    let v = v[c];
    match parse_date(v) {
        Ok(d) => Some(d),
        Err(DateError::Empty) => {
            problems.push(format!("{} is empty (required)", COLUMNS[c].name));
            None
        }
        Err(e) => {
            problems.push(format!("bad {} {}: {e}", COLUMNS[c].name, show(v)));
            None
        }
    }
}

/// A decimal column: Some(None) when empty, None (with a problem noted) when bad.
fn number(v: &[&str; 15], c: usize, problems: &mut Vec<String>) -> Option<Option<Micros>> {
    let v = v[c];
    match Micros::parse(v) {
        Ok(m) => Some(Some(m)),
        Err(DecimalError::Empty) => Some(None),
        Err(e) => {
            problems.push(format!("bad {} {}: {e}", COLUMNS[c].name, show(v)));
            None
        }
    }
}

/// [`Date::parse`] with the common `YYYY-MM-DD` form read directly: ten bytes,
/// digits and dashes, a real day; everything else (and every error) goes through
/// `Date::parse` so the messages stay the same.
fn parse_date(s: &str) -> Result<Date, DateError> {
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *s.as_bytes() {
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
        if digits.iter().all(u8::is_ascii_digit) {
            let n = |a: u8, b: u8| u32::from(a - b'0') * 10 + u32::from(b - b'0');
            if let Some(d) = Date::from_ymd(n(y0, y1) * 100 + n(y2, y3), n(m0, m1), n(d0, d1)) {
                return Ok(d);
            }
        }
    }
    Date::parse(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*: a fixed sequence, so a failure is reproducible.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
            xs[self.below(xs.len() as u64) as usize]
        }
    }

    /// A field as a CSV writer might write it: sometimes quoted (always when it
    /// needs to be), inner quotes doubled.
    fn field(rng: &mut Rng, v: &str) -> String {
        if v.contains([',', '"']) || rng.below(6) == 0 {
            format!("\"{}\"", v.replace('"', "\"\""))
        } else {
            v.to_string()
        }
    }

    /// A random bill file: valid rows and every kind of bad line the reader has
    /// a path for (quotes, CRLF, blank and `,,,` lines, wrong widths, bad values,
    /// NUL, formula guards, Windows-1252 bytes, unterminated and multi-line quotes).
    fn random_file(rng: &mut Rng) -> Vec<u8> {
        let mut cols: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        if rng.below(3) == 0 {
            cols.swap(0, 9);
            cols.swap(3, 12);
        }
        if rng.below(4) == 0 {
            cols.push("extra");
        }
        let eol = |rng: &mut Rng| if rng.below(4) == 0 { "\r\n" } else { "\n" };
        let mut out: Vec<u8> = Vec::new();
        if rng.below(10) == 0 {
            out.extend_from_slice(b"\n\n");
        }
        out.extend_from_slice(cols.join(",").as_bytes());
        out.extend_from_slice(eol(rng).as_bytes());
        let carriers = ["Verizon", "AT&T", "Lumen, Inc", "'=HYPERLINK", " Bell ", ""];
        let descs = [
            "Plan",
            "Access Loop, Type 2",
            "He said \"hi\"",
            "x\"y",
            "caf\u{e9}",
            "a\0b",
            "'-5 credit",
            "",
        ];
        let amounts = [
            "10.00",
            "-3.5",
            "1e3",
            "",
            "0.000001",
            "999999999999.999999",
            "abc",
        ];
        let dates = [
            "2025-01-31",
            "2025-02-01",
            "2025-13-01",
            "",
            "01/31/2025",
            "2024-02-29",
        ];
        let types = ["recurring", "usage", "TAX", "one_time", "bogus", ""];
        let n = rng.below(40);
        for _ in 0..n {
            let kind = rng.below(100);
            // Quotes over line breaks make the whole file a one-piece read: rare.
            let kind = if kind >= 92 && rng.below(8) != 0 {
                kind - 92
            } else {
                kind
            };
            let line: String = match kind {
                0..=69 => {
                    let mut vals: Vec<String> = cols
                        .iter()
                        .map(|c| match *c {
                            "carrier" => rng.pick(&carriers).to_string(),
                            "account" => format!("{}", rng.below(4)),
                            "invoice" => format!("INV-{}", rng.below(5)),
                            "invoice_date" | "period_start" | "period_end" => rng.pick(&dates).to_string(),
                            "service_id" => format!("S{}", rng.below(6)),
                            "charge_type" => rng.pick(&types).to_string(),
                            "charge_code" => rng.pick(&["C1", "C2", "", "=X"]).to_string(),
                            "description" => rng.pick(&descs).to_string(),
                            "quantity" | "unit_rate" | "amount" | "usage_quantity" => {
                                rng.pick(&amounts).to_string()
                            }
                            "usage_unit" => rng.pick(&["GB", "min", ""]).to_string(),
                            _ => "e".to_string(),
                        })
                        .collect::<Vec<String>>()
                        .into_iter()
                        .map(|v| field(rng, &v))
                        .collect();
                    if rng.below(15) == 0 {
                        vals.pop();
                    }
                    vals.join(",")
                }
                70..=77 => String::new(),
                78..=81 => ",".repeat(cols.len() - 1),
                82..=84 => "   ".to_string(),
                85..=88 => "Verizon,\"1\"x,\"a\"\"b\",,,\"\"".to_string(),
                89..=91 => "\u{e9}\u{20ac}, ,".to_string(),
                92..=93 => "bad,\"unterminated".to_string(),
                94..=95 => "Verizon,1,I,\"multi\nline\",2".to_string(),
                96 => "x\"y,\"a\nb\",c".to_string(),
                97 => "\"trailing doubled\"\"".to_string(),
                _ => "\"".to_string(),
            };
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(eol(rng).as_bytes());
        }
        if rng.below(5) == 0 {
            out.extend_from_slice(b"Verizon,1,I,2025-01-01,2025-01-01,2025-01-31,S,usage,C,D,1,1,1,,");
        }
        if rng.below(20) == 0 {
            // Not UTF-8: read as Windows-1252, with a warning.
            out.push(0xE9);
            out.push(b'\n');
        }
        out
    }

    fn assert_same(a: &ParsedFile, b: &ParsedFile, what: &str) {
        assert_eq!(a.rows, b.rows, "{what}");
        assert_eq!(a.rejected, b.rejected, "{what}");
        assert_eq!(a.warnings, b.warnings, "{what}");
        assert_eq!(a.strings.len(), b.strings.len(), "{what}");
        for i in 0..a.strings.len() as u32 {
            assert_eq!(a.strings.get(Sym(i)), b.strings.get(Sym(i)), "{what}");
        }
    }

    #[test]
    fn chunked_reads_equal_the_whole_read() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut chunked, mut whole) = (0, 0);
        for case in 0..3000 {
            let bytes = random_file(&mut rng);
            let one = read_canonical_with(&bytes, FileId(3), "f.csv", None);
            for chunk in [1, 5, 40, 1 + rng.below(300) as usize] {
                let (text, _) = decode_text(&bytes);
                match chunks(&text, chunk) {
                    Some(plan) => {
                        chunked += 1;
                        // The pieces tile the text after the header, cut after line breaks.
                        assert!(plan.pieces.len() >= 2);
                        for w in plan.pieces.windows(2) {
                            assert_eq!(w[0].1, w[1].0);
                            assert_eq!(text.as_bytes()[w[0].1 - 1], b'\n');
                        }
                    }
                    None => whole += 1,
                }
                let many = read_canonical_with(&bytes, FileId(3), "f.csv", Some(chunk));
                let what = format!(
                    "case {case}, chunk {chunk}: {:?}",
                    String::from_utf8_lossy(&bytes)
                );
                assert_same(&one, &many, &what);
            }
        }
        // Both paths were taken, the chunked one most of the time.
        assert!(chunked > 6000 && whole > 1000, "chunked {chunked}, whole {whole}");
    }

    #[test]
    fn chunked_read_keeps_lines_symbols_and_refusals() {
        let head = COLUMNS.iter().map(|c| c.name).collect::<Vec<_>>().join(",");
        let row = |carrier: &str, amount: &str| {
            format!("{carrier},1,I,2025-01-05,2025-01-01,2025-01-31,S,usage,C,\"D, x\",1,1,{amount},,\r\n")
        };
        let text = format!(
            "{head}\r\n{}\r\n{}{}\n{}",
            row("A", "1"),
            row("B", "x"),
            row("C", "2"),
            row("A", "3")
        );
        let plan = chunks(&text, 10).unwrap();
        // Line 1 header, 2 A, 3 blank, 4 B, 5 C, 6 blank, 7 A; each piece runs from
        // its start past 10 bytes to the end of that line.
        let starts: Vec<u64> = plan.pieces.iter().map(|p| p.2).collect();
        assert_eq!(starts, vec![2, 3, 5, 6]);
        let p = read_canonical_with(text.as_bytes(), FileId(0), "f.csv", Some(10));
        let lines: Vec<u32> = p.rows.iter().map(|r| r.source.pos).collect();
        assert_eq!(lines, vec![2, 5, 7]);
        let carriers: Vec<&str> = p.rows.iter().map(|r| p.strings.get(r.carrier)).collect();
        assert_eq!(carriers, vec!["A", "C", "A"]);
        assert_eq!(p.rows[0].carrier, p.rows[2].carrier);
        assert_eq!(p.rejected.len(), 1);
        assert_eq!(p.rejected[0].position, Position::Line(4));
        assert_eq!(
            p.rejected[0].reason,
            "bad amount \"x\": not a plain decimal number (expected e.g. -12.5 or 1234.5678)"
        );
        // A quoted field over a line break anywhere: read in one piece.
        let multi = format!("{text}A,1,I,2025-01-05,2025-01-01,2025-01-31,S,usage,C,\"D\nE\",1,1,1,,\n");
        assert!(chunks(&multi, 10).is_none());
    }

    /// Texts coming back in any order, more of them than the per-column table has
    /// slots (so slots are shared and overwritten): every row's symbols give its
    /// texts back, and symbols are numbered by first appearance, as the interner
    /// alone numbers them.
    #[test]
    fn symbols_are_the_interners_whatever_the_recent_texts() {
        let head = COLUMNS.iter().map(|c| c.name).collect::<Vec<_>>().join(",");
        let mut rng = Rng(0x51_7cc1_b727_220a);
        let mut text = format!("{head}\n");
        let mut want: Vec<(String, String)> = Vec::new();
        for _ in 0..3000 {
            let code = format!("C{}", rng.below(300));
            let desc = match rng.below(4) {
                0 => "D".to_string(),
                1 => format!("Plan {}", rng.below(500)),
                2 => format!("Access Loop type {} of the long kind", rng.below(90)),
                _ => format!("x{}", rng.below(7)),
            };
            text.push_str(&format!(
                "Lumen,1,I,2025-01-05,2025-01-01,2025-01-31,S{},usage,{code},{desc},1,1,1,,\n",
                rng.below(40)
            ));
            want.push((code, desc));
        }
        let p = read_canonical_with(text.as_bytes(), FileId(0), "f.csv", None);
        assert!(p.rejected.is_empty());
        assert_eq!(p.rows.len(), want.len());
        let mut plain = Interner::new();
        for (r, (code, desc)) in p.rows.iter().zip(&want) {
            assert_eq!(p.strings.get(r.charge_code), code);
            assert_eq!(p.strings.get(r.description), desc);
            for t in ["Lumen", "1", "I", p.strings.get(r.service), code, desc, ""] {
                plain.intern(t);
            }
        }
        assert_eq!(p.strings.len(), plain.len());
        for i in 0..plain.len() as u32 {
            assert_eq!(p.strings.get(Sym(i)), plain.get(Sym(i)));
        }
    }

    #[test]
    fn same_text_is_equality() {
        let texts = [
            "",
            "a",
            "b",
            "ab",
            "Lumen",
            "Lumem",
            "0040012345",
            "0040012346",
            "1040012345",
            "12345678",
            "12345679",
            "02345678",
            "123456789",
            "123456780",
            "Business Line, Flat Rate",
            "Business Line, Flat Ratf",
            "Business Line, Flat Rat",
            "Cusiness Line, Flat Rate",
            "Business Line! Flat Rate",
            "caf\u{e9}",
            "caf\u{e8}",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(same_text(a.as_bytes(), b.as_bytes()), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn fast_paths_agree_with_the_model() {
        for s in [
            "2025-01-31",
            "2024-02-29",
            "2025-02-29",
            "0000-00-00",
            "2025/01/31",
            "2025-1-31",
            "",
            " 2025-01-31",
            "9999-12-31",
            "2025-13-01",
            "20a5-01-01",
        ] {
            assert_eq!(parse_date(s), Date::parse(s), "{s:?}");
        }
        for s in [
            "recurring",
            "Recurring",
            "one_time",
            "ONE_TIME",
            "usage",
            "tax",
            "fee",
            "credit",
            "x",
            "",
        ] {
            assert_eq!(charge_type(s), ChargeType::parse(s), "{s:?}");
        }
    }
}
