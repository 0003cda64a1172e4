//! Reading one file through a layout into canonical rows.

use super::preamble::{Context, GroupLines, Preface};
use super::spec::*;
use super::usage::{Cfg, UsageReader};
use super::values::{
    clean_cell, cycle_ending, is_placeholder, parse_date, parse_minutes, parse_number, parse_period,
    prior_month,
};
use crate::table::MAX_RECORD_BYTES;
use crate::text::{decode_text, show};
use crate::ParsedFile;
use std::borrow::Cow;
use telaudit_model::{ChargeType, Date, FileId, Micros, Position, Rejection, Row, SourceRef, Warning};

/// Reads `bytes` through `layout`. Rows carry `file` and the physical line their
/// record starts on; a row the layout cannot make a charge of is refused with the
/// reason; summary rows matched by the layout's `[[skip]]` rules are left out
/// (counted in one warning). A call-detail layout (`role = "usage"`) makes usage
/// rows in its kinds' base units (layout/usage.rs). A layout that reads its
/// column names from a header file beside the data (`header_file`) refuses the
/// file here: give the header file with [`read_layout_with`].
pub fn read_layout(layout: &Layout, bytes: &[u8], file: FileId, path: &str) -> ParsedFile {
    read_layout_with(layout, bytes, None, file, path)
}

/// A header file given with a data file whose layout reads its column names from
/// one (`header_file`, layout/side.rs): its name as shown in messages, and its bytes.
#[derive(Clone, Copy, Debug)]
pub struct HeaderInput<'a> {
    /// The header file's path, as in rejections and warnings.
    pub path: &'a str,
    /// Its bytes.
    pub bytes: &'a [u8],
}

/// [`read_layout`], with the header file of a layout that has one (`header_file`).
pub fn read_layout_with(
    layout: &Layout,
    bytes: &[u8],
    header_file: Option<HeaderInput<'_>>,
    file: FileId,
    path: &str,
) -> ParsedFile {
    let mut out = ParsedFile::default();
    let (text, warning) = if layout.latin1 {
        crate::text::decode_latin1_text(bytes)
    } else {
        decode_text(bytes)
    };
    if let Some(w) = warning {
        warn(&mut out, path, w);
    }
    if layout.role == Role::Ignore {
        let why = format!(
            "recognised as {} ({}): {}; no charges read from it",
            layout.title, layout.file, layout.note
        );
        warn(&mut out, path, why);
        return out;
    }
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(layout.delimiter)
        .quoting(layout.quoting)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = rdr.records();
    let mut lines = Lines::new(text.as_bytes());
    let mut ctx = Context::new(layout.columns.len());
    let head = if layout.side.is_some() {
        super::side::header(layout, header_file, &mut records, &mut ctx, &mut out, path)
    } else {
        own_header(layout, &mut records, &mut lines, &mut ctx, &mut out, path)
    };
    let Some(head) = head else {
        return out;
    };
    let header = &head.record;
    let pos: Vec<Option<usize>> = layout
        .columns
        .iter()
        .map(|c| header.iter().position(|h| h.trim().eq_ignore_ascii_case(c)))
        .collect();
    if layout.stated.iter().any(|s| s.on_header) {
        let line = header.position().map_or(0, |p| lines.at(p.byte()));
        let cell = |c: usize| -> &str {
            pos[c]
                .and_then(|i| header.get(i))
                .map_or_else(|| ctx.values[c].as_deref().unwrap_or(""), clean_cell)
        };
        super::stated::read(layout, &cell, (file, path, line), true, &mut out);
        if layout.reads_only_header() {
            totals_read(layout, path, &mut out);
            return out;
        }
    }
    for _ in 0..layout.skip_lines {
        let _ = records.next();
    }
    let reader = if layout.role == Role::Usage {
        Reader::Usage(Box::new(UsageReader::new(Cfg {
            layout,
            file,
            path,
            pos,
            header_len: header.len(),
            header_name: head.name.clone(),
            memo: Default::default(),
        })))
    } else {
        let records = Records {
            layout,
            file,
            path,
            pos,
            header_len: header.len(),
            header_names: header.iter().map(|h| h.trim().to_string()).collect(),
        };
        if let Some(w) = records.missing_money_columns() {
            warn(&mut out, path, w);
        }
        Reader::Charges(records)
    };
    let all = head.pending.into_iter().chain(records);
    read_rows(reader, header, all, (&mut lines, &mut ctx), &mut out, path);
    out
}

/// The header line of a file that carries its own: found after a `[preamble]`,
/// or at `header_line`. None: there is none (the file is refused or warned about).
fn own_header<R: std::io::Read>(
    layout: &Layout,
    records: &mut csv::StringRecordsIter<'_, R>,
    lines: &mut Lines<'_>,
    ctx: &mut Context,
    out: &mut ParsedFile,
    path: &str,
) -> Option<Head> {
    let record = match &layout.preamble {
        Some(p) => {
            let mut rd = Preface { layout, path, out };
            rd.header(p, records, lines, ctx)
        }
        None => {
            let mut header: Option<csv::StringRecord> = None;
            for _ in 0..layout.header_line {
                header = records.next().and_then(Result::ok);
            }
            if header.is_none() {
                warn(out, path, "empty file: no header row, no charges".into());
            }
            header
        }
    }?;
    Some(Head {
        record,
        name: "its header line".into(),
        pending: Vec::new(),
    })
}

/// A file's column names, and the records read ahead while finding them.
pub(super) struct Head {
    /// The column names (a header line, or those of a header file).
    pub record: csv::StringRecord,
    /// Where they come from, for messages: "its header line", or the header file.
    pub name: String,
    /// Data records already read (to check a header file against them), in order.
    pub pending: Vec<csv::Result<csv::StringRecord>>,
}

/// What reads a file's records: charges, or call detail's usage.
enum Reader<'l> {
    Charges(Records<'l>),
    Usage(Box<UsageReader<'l>>),
}

/// Reads the records after the header through `reader`: a line repeating the
/// header is skipped, group lines set their values, then each record is read.
fn read_rows(
    mut reader: Reader<'_>,
    header: &csv::StringRecord,
    records: impl Iterator<Item = csv::Result<csv::StringRecord>>,
    (lines, ctx): (&mut Lines<'_>, &mut Context),
    out: &mut ParsedFile,
    path: &str,
) {
    let layout = match &reader {
        Reader::Charges(r) => r.layout,
        Reader::Usage(u) => u.layout(),
    };
    // The header line again (two exports joined with `cat`): read as a header.
    let repeats_header = |rec: &csv::StringRecord| {
        rec.len() == header.len()
            && rec
                .iter()
                .zip(header.iter())
                .all(|(a, b)| a.trim().eq_ignore_ascii_case(b.trim()))
    };
    let mut skipped = 0u64;
    let mut problems: Vec<String> = Vec::new();
    let mut groups = GroupLines::new(layout);
    for rec in records {
        match rec {
            Ok(rec) if repeats_header(&rec) => {}
            Ok(rec) => {
                let line = rec.position().map_or(0, |p| lines.at(p.byte()));
                if groups.is_group_line(&rec, line, ctx, out, path) {
                    continue;
                }
                match &mut reader {
                    Reader::Usage(u) => skipped += u64::from(u.record(&rec, line, ctx, out)),
                    Reader::Charges(r) => {
                        let made = (out.rows.len(), out.rejected.len());
                        if r.record(&rec, line, ctx, out, &mut problems) == Record::LeftOut {
                            skipped += 1;
                        } else if made != (out.rows.len(), out.rejected.len()) {
                            groups.rows_read();
                        }
                    }
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.at(p.byte()));
                let why = format!("cannot split this record: {e}");
                match &mut reader {
                    Reader::Usage(u) => u.broken(line, why, out),
                    Reader::Charges(r) => r.reject(out, line, why, 1),
                }
            }
        }
    }
    groups.finish(out, path);
    if let Reader::Usage(u) = reader {
        u.finish(out);
    }
    if layout.role == Role::Totals {
        totals_read(layout, path, out);
    }
    if skipped > 0 {
        let why = if layout.role == Role::Usage {
            format!(
                "{skipped} line(s) that are not call records (headers, totals, subscriber lines) left out as {} says",
                layout.file
            )
        } else {
            format!(
                "{skipped} summary or non-charge row(s) left out as {} says",
                layout.file
            )
        };
        warn(out, path, why);
    }
}

/// A whole-file warning.
pub(super) fn warn(out: &mut ParsedFile, path: &str, message: String) {
    out.warnings.push(Warning {
        file: path.to_string(),
        position: Position::File,
        message,
    });
}

/// Physical line numbers from byte offsets; records come in order, so each
/// newline is counted once.
pub(super) struct Lines<'t> {
    text: &'t [u8],
    scanned: usize,
    line_no: u64,
}

impl<'t> Lines<'t> {
    fn new(text: &'t [u8]) -> Self {
        Lines {
            text,
            scanned: 0,
            line_no: 1,
        }
    }

    /// The line a record starting at `offset` is on (line breaks before it skipped).
    pub(super) fn at(&mut self, offset: u64) -> u64 {
        let text = self.text;
        let mut off = usize::try_from(offset).unwrap_or(usize::MAX).min(text.len());
        while off < text.len() && matches!(text[off], b'\r' | b'\n') {
            off += 1;
        }
        if off >= self.scanned {
            self.line_no += memchr::memchr_iter(b'\n', &text[self.scanned..off]).count() as u64;
            self.scanned = off;
        }
        self.line_no
    }
}

/// What became of one record.
#[derive(PartialEq, Eq)]
enum Record {
    /// Read: charges made, or refused, or a blank line.
    Read,
    /// Left out by a `[[skip]]` rule (a summary row).
    LeftOut,
}

/// The records of one file, read through a layout.
struct Records<'l> {
    layout: &'l Layout,
    file: FileId,
    path: &'l str,
    /// The header position of each of the layout's columns (None: not in this file).
    pos: Vec<Option<usize>>,
    header_len: usize,
    /// The header's names, to name a column in a refusal.
    header_names: Vec<String>,
}

impl Records<'_> {
    /// The warning of the money columns the file lacks that `skip_zero` charges
    /// read: every such charge reads 0 and is left out, so the money it stands for
    /// would vanish silently (a layout written for another version of the
    /// export). It names each column (the first 5) and the file's closest header
    /// name; `None` when the file has them all.
    fn missing_money_columns(&self) -> Option<String> {
        let layout = self.layout;
        if layout.partial_columns {
            return None;
        }
        let mut missing: Vec<usize> = layout
            .charges
            .iter()
            .filter(|c| c.skip_zero)
            .flat_map(|c| c.money_columns())
            .filter(|&c| self.pos[c].is_none() && !layout.columns[c].starts_with('@'))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return None;
        }
        let names: Vec<&str> = self.header_names.iter().map(String::as_str).collect();
        let shown: Vec<String> = missing
            .iter()
            .take(5)
            .map(|&c| {
                let name = &layout.columns[c];
                match crate::unmatched::closest_name(name, &names) {
                    Some(h) => format!("{} (the file has {})", show(name), show(h)),
                    None => show(name),
                }
            })
            .collect();
        let more = match missing.len() {
            n if n > 5 => format!(" and {} more", n - 5),
            _ => String::new(),
        };
        Some(format!(
            "this file lacks {} money column(s) that {} reads with skip_zero: {}{more}; their charges \
             read 0 and are left out on every row, so their money is not counted; fix the layout or the \
             export",
            missing.len(),
            layout.file,
            shown.join(", ")
        ))
    }

    /// Refuses `rows` rows of the record on `line`.
    fn reject(&self, out: &mut ParsedFile, line: u64, reason: String, rows: u64) {
        out.rejected.push(Rejection {
            file: self.path.to_string(),
            position: Position::Line(line),
            reason,
            rows,
        });
    }

    /// Reads one record into charge rows: refuses an overlong or ragged record,
    /// skips a blank one, leaves out a summary row, else makes the charges of
    /// every `[[charges]]` entry that applies (refusing those that cannot be made).
    fn record(
        &self,
        rec: &csv::StringRecord,
        line: u64,
        ctx: &Context,
        out: &mut ParsedFile,
        problems: &mut Vec<String>,
    ) -> Record {
        let layout = self.layout;
        if rec.as_slice().len() > MAX_RECORD_BYTES {
            let why = format!(
                "record longer than {MAX_RECORD_BYTES} bytes (1 MiB): no bill line is that long, the \
                 export is broken; the record was skipped"
            );
            self.reject(out, line, why, 1);
            return Record::Read;
        }
        if rec.iter().all(|f| clean_cell(f).is_empty()) {
            return Record::Read;
        }
        // The canonical reader's rule: a NUL byte is never bill text.
        if let Some(i) = rec.iter().position(|f| f.contains('\0')) {
            let name = self.header_names.get(i).map_or("a field", String::as_str);
            self.reject(out, line, crate::text::nul_reason(name), 1);
            return Record::Read;
        }
        // A column the file lacks reads as empty; an `@name` reads its captured value.
        let cell = |c: usize| -> &str {
            self.pos[c]
                .and_then(|i| rec.get(i))
                .map_or_else(|| ctx.values[c].as_deref().unwrap_or(""), clean_cell)
        };
        if rec.len() != self.header_len {
            // A report's footer lines (`Total Current Charges:  $1.00`) are left out
            // by a `[[skip]]` regex whatever their field count.
            if layout
                .skips
                .iter()
                .any(|s| !s.negate && s.regex.is_match(cell(s.column)))
            {
                return Record::LeftOut;
            }
            let why = format!(
                "wrong field count: expected {} fields as in the header, found {}",
                self.header_len,
                rec.len()
            );
            self.reject(out, line, why, 1);
            return Record::Read;
        }
        if !layout.stated.is_empty() {
            super::stated::read(layout, &cell, (self.file, self.path, line), false, out);
        }
        if layout
            .skips
            .iter()
            .any(|s| s.regex.is_match(cell(s.column)) != s.negate)
        {
            return Record::LeftOut;
        }
        let first_row = out.rows.len();
        let mut failed = 0u64;
        let mut reasons: Vec<String> = Vec::new();
        for spec in &layout.charges {
            if let Some(w) = &spec.when {
                if w.regex.is_match(cell(w.column)) == w.negate {
                    continue;
                }
            }
            problems.clear();
            if let Some(row) = make_row(layout, spec, &cell, self.file, line, out, problems) {
                out.rows.push(row);
            } else if !problems.is_empty() {
                failed += 1;
                reasons.append(problems);
            }
        }
        if let (Some(c), 0) = (layout.check_total, failed) {
            self.check_total(out, line, first_row, c, cell(c));
        }
        if failed > 0 {
            let mut seen: Vec<String> = Vec::new();
            reasons.retain(|r| {
                let new = !seen.contains(r);
                if new {
                    seen.push(r.clone());
                }
                new
            });
            self.reject(out, line, reasons.join("; "), failed);
        }
        Record::Read
    }

    /// Warns when the charges made from one row (from `first_row` on) do not sum to
    /// the row's total (`total`, the cell of the layout's `check_total` column `c`).
    fn check_total(&self, out: &mut ParsedFile, line: u64, first_row: usize, c: usize, total: &str) {
        let made = out.rows[first_row..]
            .iter()
            .try_fold(Micros::ZERO, |t, r| t.checked_add(r.amount));
        if let (Ok(Some(total)), Some(made)) = (parse_number(total, self.layout.number), made) {
            if total != made {
                out.warnings.push(Warning {
                    file: self.path.to_string(),
                    position: Position::Line(line),
                    message: format!(
                        "the charges read from this row sum to {made} but its {} says {total}; \
                         check the layout's columns",
                        self.layout.columns[c]
                    ),
                });
            }
        }
    }
}

/// A template's text; a template that is one column borrows the cell. A template
/// whose columns are all empty is empty.
fn fill<'c>(pieces: &[Piece], cell: &dyn Fn(usize) -> &'c str) -> Cow<'c, str> {
    if let [Piece::Column(c)] = pieces {
        return Cow::Borrowed(cell(*c));
    }
    let mut s = String::new();
    let mut any = false;
    for p in pieces {
        match p {
            Piece::Text(t) => s.push_str(t),
            Piece::Column(c) => {
                let v = cell(*c);
                any |= !is_placeholder(v);
                s.push_str(v);
            }
        }
    }
    if any {
        Cow::Owned(s)
    } else {
        Cow::Borrowed("")
    }
}

/// A text value of a field; "" when absent.
pub(super) fn text<'c>(v: &Value, cell: &dyn Fn(usize) -> &'c str) -> Result<Cow<'c, str>, String> {
    let raw: Cow<'c, str> = match &v.source {
        Source::Column(c) => Cow::Borrowed(cell(*c)),
        Source::Const(s) => Cow::Owned(s.clone()),
        Source::First(alts) => alts
            .iter()
            .map(|pieces| fill(pieces, cell))
            .find(|s| !is_placeholder(s.trim()))
            .unwrap_or(Cow::Borrowed("")),
        Source::Sum(_) => Cow::Borrowed(""),
        Source::Format(pieces) => fill(pieces, cell),
    };
    let mut val: Cow<'c, str> = if is_placeholder(raw.trim()) {
        Cow::Borrowed("")
    } else {
        raw
    };
    if let Some(re) = &v.regex {
        let captured = re
            .captures(&val)
            .and_then(|c| c.get(1).or_else(|| c.get(0)))
            .map(|m| m.as_str().trim().to_string());
        val = Cow::Owned(captured.unwrap_or_default());
    }
    if let Some(map) = &v.map {
        let key = val.trim().to_ascii_lowercase();
        match map.iter().find(|(k, _)| *k == key) {
            Some((_, to)) => val = Cow::Owned(to.clone()),
            None => match &v.default {
                Some(d) => val = Cow::Owned(d.clone()),
                None => {
                    let keys: Vec<&str> = map.iter().map(|(k, _)| k.as_str()).collect();
                    return Err(format!(
                        "{} is not in the layout's table (knows {})",
                        show(&val),
                        keys.join(", ")
                    ));
                }
            },
        }
    }
    if val.trim().is_empty() {
        if let Some(d) = &v.default {
            val = Cow::Owned(d.clone());
        }
    }
    Ok(val)
}

/// A numeric value of a field; None when absent.
pub(super) fn number<'c>(
    layout: &Layout,
    v: &Value,
    cell: &dyn Fn(usize) -> &'c str,
) -> Result<Option<Micros>, String> {
    if let Source::Sum(cs) = &v.source {
        let mut total: Option<Micros> = None;
        for &c in cs {
            let n =
                parse_number(cell(c), layout.number).map_err(|e| format!("{}: {e}", layout.columns[c]))?;
            if let Some(n) = n {
                let t = total.unwrap_or(Micros::ZERO);
                total = Some(t.checked_add(n).ok_or("sum too large")?);
            }
        }
        return Ok(total);
    }
    let t = text(v, cell)?;
    if v.minutes {
        return parse_minutes(&t);
    }
    parse_number(&t, layout.number)
}

/// The row one `[[charges]]` entry makes of one record, or None: left out
/// (`skip_zero` and nothing billed) or not made (`problems` says why).
#[allow(clippy::too_many_arguments)]
fn make_row<'c>(
    layout: &Layout,
    spec: &ChargeSpec,
    cell: &dyn Fn(usize) -> &'c str,
    file: FileId,
    line: u64,
    out: &mut ParsedFile,
    problems: &mut Vec<String>,
) -> Option<Row> {
    let f = |i: usize| spec.fields[i].as_ref();
    let txt = |i: usize, problems: &mut Vec<String>| -> String {
        match f(i).map(|v| text(v, cell)) {
            None => String::new(),
            Some(Ok(s)) => s.trim().to_string(),
            Some(Err(e)) => {
                problems.push(format!("{}: {e}", FIELDS[i]));
                String::new()
            }
        }
    };
    let carrier = txt(F_CARRIER, problems);
    let account = txt(F_ACCOUNT, problems);
    let invoice = txt(F_INVOICE, problems);
    let service = txt(F_SERVICE, problems);
    let ctype = txt(F_CHARGE_TYPE, problems);
    let code = txt(F_CHARGE_CODE, problems);
    let description = txt(F_DESCRIPTION, problems);
    let unit = txt(F_USAGE_UNIT, problems);
    let invoice_date_text = txt(F_INVOICE_DATE, problems);
    let num = |i: usize, problems: &mut Vec<String>| -> Option<Micros> {
        match f(i).map(|v| number(layout, v, cell)) {
            None => None,
            Some(Ok(n)) => n,
            Some(Err(e)) => {
                problems.push(format!("{}: {e}", FIELDS[i]));
                None
            }
        }
    };
    let amount = num(F_AMOUNT, problems);
    let usage_quantity = num(F_USAGE_QUANTITY, problems);
    let quantity = num(F_QUANTITY, problems);
    let unit_rate = num(F_UNIT_RATE, problems);
    if spec.skip_zero
        && problems.is_empty()
        && amount.is_none_or(|a| a.is_zero())
        && usage_quantity.is_none_or(|u| u.is_zero())
    {
        return None;
    }
    for (i, v) in [
        (F_CARRIER, &carrier),
        (F_ACCOUNT, &account),
        (F_INVOICE, &invoice),
        (F_DESCRIPTION, &description),
    ] {
        if v.is_empty() {
            problems.push(format!("{} is empty (required)", FIELDS[i]));
        }
    }
    if amount.is_none() {
        problems.push("amount is empty (required)".into());
    }
    let charge_type = charge_type(&ctype, problems);
    let invoice_date = invoice_date(layout, &invoice_date_text, problems);
    let period = period_of(layout, cell, invoice_date, problems);
    if !problems.is_empty() {
        return None;
    }
    let (amount, charge_type, invoice_date, (period_start, period_end)) =
        (amount?, charge_type?, invoice_date?, period?);
    let s = &mut out.strings;
    Some(Row {
        carrier: s.intern(&carrier),
        account: s.intern(&account),
        invoice: s.intern(&invoice),
        service: s.intern(&service),
        charge_code: s.intern(&code),
        description: s.intern(&description),
        usage_unit: s.intern(&unit),
        invoice_date,
        period_start,
        period_end,
        charge_type,
        quantity: quantity.unwrap_or(Micros::ONE),
        unit_rate,
        amount,
        usage_quantity,
        source: SourceRef {
            file,
            pos: u32::try_from(line).unwrap_or(u32::MAX),
        },
    })
}

/// The charge type a row's text names; None (and a problem) when empty or not
/// a canonical charge type.
fn charge_type(ctype: &str, problems: &mut Vec<String>) -> Option<ChargeType> {
    if ctype.is_empty() {
        problems.push("charge_type is empty (required)".into());
        return None;
    }
    let t = ChargeType::parse(ctype);
    if t.is_none() {
        problems.push(format!(
            "charge_type {} is not a canonical charge type",
            show(ctype)
        ));
    }
    t
}

/// The invoice date, in one of the layout's date formats; None (and a problem)
/// when empty or not a date.
fn invoice_date(layout: &Layout, text: &str, problems: &mut Vec<String>) -> Option<Date> {
    match parse_date(text, &layout.dates) {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            problems.push("invoice_date is empty (required)".into());
            None
        }
        Err(e) => {
            problems.push(format!("invoice_date: {e}"));
            None
        }
    }
}

/// The service period, by the layout's `[period]` rules in order.
pub(super) fn period_of<'c>(
    layout: &Layout,
    cell: &dyn Fn(usize) -> &'c str,
    bill: Option<Date>,
    problems: &mut Vec<String>,
) -> Option<(Date, Date)> {
    let p = &layout.period;
    let name = |c: usize| layout.columns[c].as_str();
    if let Some(c) = p.range {
        match parse_period(cell(c), &layout.dates, bill) {
            Ok(Some(r)) => return Some(r),
            Ok(None) => {}
            Err(e) => {
                if p.cycle_end.is_none() && !p.prior_month {
                    problems.push(format!("{}: {e}", name(c)));
                    return None;
                }
            }
        }
    }
    if let Some((s, e)) = p.start_end {
        match (
            parse_date(cell(s), &layout.dates),
            parse_date(cell(e), &layout.dates),
        ) {
            (Ok(Some(s)), Ok(Some(e))) if s <= e => return Some((s, e)),
            (Ok(Some(_)), Ok(Some(_))) => {
                problems.push(format!("{} is after {}", name(s), name(e)));
                return None;
            }
            (Err(x), _) | (_, Err(x)) => {
                problems.push(x);
                return None;
            }
            _ => {}
        }
    }
    if let Some(c) = p.cycle_end {
        match parse_date(cell(c), &layout.dates) {
            Ok(Some(end)) => return Some((cycle_ending(end), end)),
            Ok(None) => {}
            Err(e) => {
                problems.push(format!("{}: {e}", name(c)));
                return None;
            }
        }
    }
    if p.prior_month {
        if let Some(b) = bill {
            return Some(prior_month(b));
        }
    }
    if bill.is_some() {
        problems.push("no service period on this row (see the layout's [period])".into());
    }
    None
}

/// The warning of a `totals` layout's file: recognised, no charges, how many totals.
fn totals_read(layout: &Layout, path: &str, out: &mut ParsedFile) {
    let why = format!(
        "recognised as {} ({}): {}; no charges read from it, {} stated total(s) read for BAL002",
        layout.title,
        layout.file,
        layout.note,
        out.stated.len()
    );
    warn(out, path, why);
}
