//! Writes rows as the canonical charge CSV (formats.md section 2), the form
//! `telaudit convert` turns an X12 811 file into.
//!
//! The output is opened in spreadsheets, so it is formula-safe like every CSV
//! telaudit writes: a text cell that starts with `=`, `+`, `-`, `@`, tab or CR gets
//! one leading `'`, which the canonical reader removes again (numbers and dates are
//! telaudit's own and never guarded), so reading the output back gives the same rows.

use crate::ParsedFile;
use std::io::{self, Write};
use telaudit_model::Micros;

/// The canonical columns, in the order written.
pub const CANONICAL_HEADER: [&str; 15] = telaudit_model::CANONICAL_COLUMNS;

use telaudit_model::spreadsheet_guard as guard;

/// Writes `parsed.rows`, in order, as canonical CSV with a header row.
///
/// Numbers are written in their shortest exact form (`850`, `25.5`, `-200`), so
/// reading the output back gives the same values. `path_for_evidence` names the
/// output in error messages.
pub fn write_canonical_csv<W: Write>(w: W, parsed: &ParsedFile, path_for_evidence: &str) -> io::Result<()> {
    let fail = |e: csv::Error| -> io::Error {
        let kind = match e.kind() {
            csv::ErrorKind::Io(e) => e.kind(),
            _ => io::ErrorKind::Other,
        };
        io::Error::new(
            kind,
            format!("{path_for_evidence}: cannot write the canonical CSV: {e}"),
        )
    };
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(w);
    out.write_record(CANONICAL_HEADER).map_err(fail)?;
    let s = |sym| guard(parsed.strings.get(sym));
    let opt = |m: Option<Micros>| m.map(|m| m.to_string()).unwrap_or_default();
    for r in &parsed.rows {
        let record: [&str; 15] = [
            &s(r.carrier),
            &s(r.account),
            &s(r.invoice),
            &r.invoice_date.to_string(),
            &r.period_start.to_string(),
            &r.period_end.to_string(),
            &s(r.service),
            r.charge_type.as_str(),
            &s(r.charge_code),
            &s(r.description),
            &r.quantity.to_string(),
            &opt(r.unit_rate),
            &r.amount.to_string(),
            &opt(r.usage_quantity),
            &s(r.usage_unit),
        ];
        out.write_record(record).map_err(fail)?;
    }
    out.flush()
        .map_err(|e| io::Error::new(e.kind(), format!("{path_for_evidence}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_canonical_csv;
    use telaudit_model::FileId;

    #[test]
    fn formula_like_text_is_guarded_and_reads_back_unchanged() {
        let input = "carrier,account,invoice,invoice_date,period_start,period_end,service_id,charge_type,\
                     charge_code,description,quantity,unit_rate,amount,usage_quantity,usage_unit\n\
                     =Evil,+0042,-INV,2025-01-05,2025-01-01,2025-01-31,@svc,recurring,'=X,\"=HYPERLINK(\"\"x\"\")\",\
                     -2,1.5,-3,,'0042\n";
        let p = read_canonical_csv(input.as_bytes(), FileId(1), "in.csv");
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        let r = &p.rows[0];
        // One guarding apostrophe is removed on reading; others are data.
        assert_eq!(p.strings.get(r.charge_code), "=X");
        assert_eq!(p.strings.get(r.usage_unit), "'0042");
        let mut out = Vec::new();
        write_canonical_csv(&mut out, &p, "out.csv").unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        let line = text.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "'=Evil,'+0042,'-INV,2025-01-05,2025-01-01,2025-01-31,'@svc,recurring,'=X,\
             \"'=HYPERLINK(\"\"x\"\")\",-2,1.5,-3,,'0042"
        );
        let back = read_canonical_csv(&out, FileId(2), "out.csv");
        assert!(back.rejected.is_empty());
        let b = &back.rows[0];
        for (x, y) in [
            (r.carrier, b.carrier),
            (r.account, b.account),
            (r.invoice, b.invoice),
            (r.service, b.service),
            (r.charge_code, b.charge_code),
            (r.description, b.description),
            (r.usage_unit, b.usage_unit),
        ] {
            assert_eq!(p.strings.get(x), back.strings.get(y));
        }
        assert_eq!(
            (r.quantity, r.amount, r.unit_rate),
            (b.quantity, b.amount, b.unit_rate)
        );
    }
}
