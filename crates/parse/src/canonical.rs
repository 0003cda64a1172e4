//! The canonical charge CSV (formats.md section 2).

use crate::table::{read_table, Column};
use crate::text::{decode_text, show};
use crate::ParsedFile;
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

const COLUMNS: [Column; 15] = [
    col("carrier", true),
    col("account", true),
    col("invoice", true),
    col("invoice_date", true),
    col("period_start", true),
    col("period_end", true),
    col("service_id", false),
    col("charge_type", true),
    col("charge_code", false),
    col("description", true),
    col("quantity", false),
    col("unit_rate", false),
    col("amount", true),
    col("usage_quantity", false),
    col("usage_unit", false),
];

/// Reads one canonical charge CSV. Rows carry `file` and the line their record
/// starts on (header = line 1); refused rows and refused files go to `rejected`.
pub fn read_canonical_csv(bytes: &[u8], file: FileId, path: &str) -> ParsedFile {
    let mut out = ParsedFile::default();
    let (text, warning) = decode_text(bytes);
    if let Some(message) = warning {
        out.warnings.push(Warning {
            file: path.to_string(),
            position: Position::File,
            message,
        });
    }
    // Consecutive rows mostly repeat carrier, account, invoice ...: comparing with
    // the previous row's symbol skips most hash lookups.
    let mut last = [Sym::EMPTY; 15];
    // At most one row per line: one reservation instead of repeated growth (no more
    // than one row per 32 bytes either: a file of blank lines reserves nothing huge).
    let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
    out.rows.reserve(lines.min(text.len() / 32 + 1));
    // A NUL byte is never bill text: binary data, or UTF-16 without a byte-order mark.
    let has_nul = memchr::memchr(0, text.as_bytes()).is_some();
    let mut problems: Vec<String> = Vec::new();
    let ParsedFile {
        strings,
        rows,
        rejected,
        ..
    } = &mut out;
    let had_header = read_table(&text, path, &COLUMNS, 1, rejected, |f, line| {
        problems.clear();
        let mut v: [&str; 15] = std::array::from_fn(|c| f.get(c));
        for c in GUARDED {
            v[c] = unguard(v[c]);
        }
        if has_nul {
            if let Some(c) = v.iter().position(|x| x.contains('\0')) {
                return Err(format!(
                    "{} holds a NUL byte: the file holds binary data or is UTF-16 without a byte-order \
                     mark; export it again as UTF-8 CSV",
                    COLUMNS[c].name
                ));
            }
        }
        match parse_row(&v, line, file, strings, &mut last, &mut problems) {
            Some(row) => {
                rows.push(row);
                Ok(())
            }
            None => Err(problems.join("; ")),
        }
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
fn unguard(s: &str) -> &str {
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
    last: &mut [Sym; 15],
    problems: &mut Vec<String>,
) -> Option<Row> {
    for c in [CARRIER, ACCOUNT, INVOICE, DESCRIPTION] {
        if v[c].is_empty() {
            problems.push(format!("{} is empty (required)", COLUMNS[c].name));
        }
    }
    let invoice_date = date(v, INVOICE_DATE, problems);
    let period_start = date(v, PERIOD_START, problems);
    let period_end = date(v, PERIOD_END, problems);
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
    let mut sym = |c: usize| {
        let s = v[c];
        if strings.get(last[c]) != s {
            last[c] = strings.intern(s);
        }
        last[c]
    };
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
