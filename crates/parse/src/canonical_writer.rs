//! Writes rows as the canonical charge CSV (formats.md section 2), the form
//! `telaudit convert` turns an X12 811 file into.

use crate::ParsedFile;
use std::io::{self, Write};
use telaudit_model::Micros;

/// The canonical columns, in the order written.
pub const CANONICAL_HEADER: [&str; 15] = [
    "carrier",
    "account",
    "invoice",
    "invoice_date",
    "period_start",
    "period_end",
    "service_id",
    "charge_type",
    "charge_code",
    "description",
    "quantity",
    "unit_rate",
    "amount",
    "usage_quantity",
    "usage_unit",
];

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
    let s = |sym| parsed.strings.get(sym);
    let opt = |m: Option<Micros>| m.map(|m| m.to_string()).unwrap_or_default();
    for r in &parsed.rows {
        let record: [&str; 15] = [
            s(r.carrier),
            s(r.account),
            s(r.invoice),
            &r.invoice_date.to_string(),
            &r.period_start.to_string(),
            &r.period_end.to_string(),
            s(r.service),
            r.charge_type.as_str(),
            s(r.charge_code),
            s(r.description),
            &r.quantity.to_string(),
            &opt(r.unit_rate),
            &r.amount.to_string(),
            &opt(r.usage_quantity),
            s(r.usage_unit),
        ];
        out.write_record(record).map_err(fail)?;
    }
    out.flush()
        .map_err(|e| io::Error::new(e.kind(), format!("{path_for_evidence}: {e}")))
}
