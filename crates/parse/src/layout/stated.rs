//! `[[stated]]`: the totals a carrier export states (an invoice's current charges,
//! a line's total), read into [`StatedTotal`]s for BAL002 (`stated_total`), which
//! compares each with the charges read. A stated total makes no charge.
//!
//! ```toml
//! [[stated]]
//! what = "Total Current Charges"      # what the export states, named in findings
//! amount = "Total Current Charges"    # any field value (column, first, sum, ...)
//! when = { column = "Section ID", regex = "^IRA$" }   # optional: which rows state it
//! scope = "invoice"                   # or "file": only the stating file's rows count
//! at = "rows"                         # or "header": once per file, on the header line
//! # carrier, account, invoice, service_id: as in [fields] (they default to it)
//! ```
//!
//! `[fields]`' invoice_date, when given, dates the total (a finding on an invoice of
//! which no charge was read is dated by it). Every entry is tried on every data row (the `[[skip]]` rules leave rows out of
//! the charges only). A row whose amount cell is empty states nothing; an amount
//! that is not a number, or a total that names no carrier, account or invoice, is
//! a warning on its line (the total is not checked; no charge row is refused).

use super::read::{number, text};
use super::spec::{
    Compiler, Cond, RawCond, RawValue, Role, Value, F_ACCOUNT, F_CARRIER, F_INVOICE, F_INVOICE_DATE,
    F_SERVICE,
};
use super::values::parse_date;
use super::Layout;
use crate::ParsedFile;
use serde::Deserialize;
use telaudit_model::{FileId, Position, SourceRef, StatedScope, StatedTotal, Sym, Warning};

/// One `[[stated]]` entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStated {
    what: String,
    amount: RawValue,
    at: Option<String>,
    scope: Option<String>,
    when: Option<RawCond>,
    carrier: Option<RawValue>,
    account: Option<RawValue>,
    invoice: Option<RawValue>,
    service_id: Option<RawValue>,
}

/// One compiled `[[stated]]` entry.
#[derive(Clone, Debug)]
pub(crate) struct StatedSpec {
    pub what: String,
    /// `at = "header"`: stated once per file, on the header line (its values are
    /// the header's cells and the preamble's `@captures`), not on data rows.
    pub on_header: bool,
    pub scope: StatedScope,
    pub when: Option<Cond>,
    pub amount: Value,
    pub carrier: Value,
    pub account: Value,
    pub invoice: Value,
    /// None: a total of the invoice.
    pub service: Option<Value>,
    /// `[fields]`' invoice_date, if any.
    pub invoice_date: Option<Value>,
}

/// Compiles the `[[stated]]` entries; the key fields default to `base` (`[fields]`).
/// A `totals` layout must state something; an `ignore` layout reads nothing.
pub(super) fn compile(
    c: &mut Compiler<'_>,
    raw: &[RawStated],
    base: &[Option<Value>],
    role: Role,
) -> Result<Vec<StatedSpec>, String> {
    match role {
        Role::Totals if raw.is_empty() => {
            return Err(c.err("role \"totals\" needs at least one [[stated]] entry".into()))
        }
        Role::Ignore if !raw.is_empty() => {
            return Err(c.err(
                "role \"ignore\" reads nothing: use role = \"totals\" for an export that only states totals"
                    .into(),
            ))
        }
        _ => {}
    }
    let mut out = Vec::with_capacity(raw.len());
    for (n, s) in raw.iter().enumerate() {
        let at = format!("[[stated]] {}", n + 1);
        if s.what.trim().is_empty() {
            return Err(c.err(format!(
                "{at}: what must name the total (e.g. \"Total Current Charges\")"
            )));
        }
        let scope = match s.scope.as_deref() {
            None | Some("invoice") => StatedScope::Invoice,
            Some("file") => StatedScope::File,
            Some(x) => return Err(c.err(format!("{at}: scope {x:?}: use \"invoice\" or \"file\""))),
        };
        let on_header = match s.at.as_deref() {
            None | Some("rows") => false,
            Some("header") => true,
            Some(x) => return Err(c.err(format!("{at}: at {x:?}: use \"rows\" or \"header\""))),
        };
        let when = s
            .when
            .as_ref()
            .map(|w| c.cond(w, &format!("{at} when")))
            .transpose()?;
        let amount = c.value("amount", &s.amount)?;
        let mut key = |name: &str, own: &Option<RawValue>, i: usize| -> Result<Option<Value>, String> {
            match own {
                Some(v) => c.value(name, v).map(Some),
                None => Ok(base[i].clone()),
            }
        };
        let carrier = key("carrier", &s.carrier, F_CARRIER)?;
        let account = key("account", &s.account, F_ACCOUNT)?;
        let invoice = key("invoice", &s.invoice, F_INVOICE)?;
        let service = key("service_id", &s.service_id, F_SERVICE)?;
        let (Some(carrier), Some(account), Some(invoice)) = (carrier, account, invoice) else {
            return Err(c.err(format!(
                "{at}: carrier, account and invoice must be given, in the entry or in [fields]"
            )));
        };
        out.push(StatedSpec {
            what: s.what.trim().to_string(),
            on_header,
            scope,
            when,
            amount,
            carrier,
            account,
            invoice,
            service,
            invoice_date: base[F_INVOICE_DATE].clone(),
        });
    }
    Ok(out)
}

/// Reads the totals the record on `line` states into `out.stated` (problems as
/// warnings on that line): the entries stated on data rows, or with `header`
/// the entries stated once on the header line (`at = "header"`).
pub(super) fn read<'c>(
    layout: &Layout,
    cell: &dyn Fn(usize) -> &'c str,
    (file, path, line): (FileId, &str, u64),
    header: bool,
    out: &mut ParsedFile,
) {
    for spec in layout.stated.iter().filter(|s| s.on_header == header) {
        if let Some(w) = &spec.when {
            if w.regex.is_match(cell(w.column)) == w.negate {
                continue;
            }
        }
        let mut warn = |message: String| {
            out.warnings.push(Warning {
                file: path.to_string(),
                position: Position::Line(line),
                message,
            })
        };
        let amount = match number(layout, &spec.amount, cell) {
            Ok(Some(a)) => a,
            Ok(None) => continue,
            Err(e) => {
                warn(format!(
                    "the stated total \"{}\" is not a number ({e}); this total is not checked",
                    spec.what
                ));
                continue;
            }
        };
        let mut key = Vec::with_capacity(4);
        let mut missing = Vec::new();
        for (name, v) in [
            ("carrier", Some(&spec.carrier)),
            ("account", Some(&spec.account)),
            ("invoice", Some(&spec.invoice)),
            ("service_id", spec.service.as_ref()),
        ] {
            let t = match v.map(|v| text(v, cell)) {
                None => String::new(),
                Some(Ok(t)) => t.trim().to_string(),
                Some(Err(e)) => {
                    missing.push(format!("{name} ({e})"));
                    continue;
                }
            };
            if t.is_empty() && name != "service_id" {
                missing.push(name.to_string());
            }
            key.push(t);
        }
        if !missing.is_empty() {
            warn(format!(
                "the stated total \"{}\" ({amount}) names no {}; this total is not checked",
                spec.what,
                missing.join(", ")
            ));
            continue;
        }
        let invoice_date = spec
            .invoice_date
            .as_ref()
            .and_then(|v| text(v, cell).ok())
            .and_then(|t| parse_date(&t, &layout.dates).ok().flatten());
        let s = &mut out.strings;
        let mut sym = |t: &str| if t.is_empty() { Sym::EMPTY } else { s.intern(t) };
        out.stated.push(StatedTotal {
            carrier: sym(&key[0]),
            account: sym(&key[1]),
            invoice: sym(&key[2]),
            service: sym(&key[3]),
            what: sym(&spec.what),
            amount,
            invoice_date,
            scope: spec.scope,
            source: SourceRef {
                file,
                pos: u32::try_from(line).unwrap_or(u32::MAX),
            },
            superseded_by: None,
        });
    }
}

impl Layout {
    /// A `totals` layout all of whose totals are stated on the header line: it
    /// reads nothing past the header, and no line before it is a row.
    pub(super) fn reads_only_header(&self) -> bool {
        self.role == Role::Totals && self.stated.iter().all(|s| s.on_header)
    }

    /// What the layout's `[[stated]]` entries state, in file order (for `telaudit layouts`).
    pub fn states(&self) -> Vec<&str> {
        self.stated.iter().map(|s| s.what.as_str()).collect()
    }
}
