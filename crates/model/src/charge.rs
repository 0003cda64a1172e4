//! One charge row of a bill, in the canonical form every input format is read into.

use crate::{Date, Micros, Sym};
use std::fmt;

/// One column of the canonical charge CSV: its header name, and whether a row
/// must give it a value (formats.md section 2).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CanonicalColumn {
    /// The header name, e.g. `period_start`.
    pub name: &'static str,
    /// `true`: a row with this column empty is refused.
    pub required: bool,
}

const fn column(name: &'static str, required: bool) -> CanonicalColumn {
    CanonicalColumn { name, required }
}

/// The canonical charge CSV's columns (formats.md section 2), in the order telaudit
/// writes them (`telaudit convert`, `telaudit generate`). This is the one list: the
/// canonical reader, the layout compiler, the converter and the generator all take
/// it from here.
pub const CANONICAL: [CanonicalColumn; 15] = [
    column("carrier", true),
    column("account", true),
    column("invoice", true),
    column("invoice_date", true),
    column("period_start", true),
    column("period_end", true),
    column("service_id", false),
    column("charge_type", true),
    column("charge_code", false),
    column("description", true),
    column("quantity", false),
    column("unit_rate", false),
    column("amount", true),
    column("usage_quantity", false),
    column("usage_unit", false),
];

/// The names of [`CANONICAL`], in order: the header line telaudit writes.
pub const CANONICAL_COLUMNS: [&str; 15] = {
    let mut out = [""; 15];
    let mut i = 0;
    while i < out.len() {
        out[i] = CANONICAL[i].name;
        i += 1;
    }
    out
};

/// [`CANONICAL_COLUMNS`] without `period_start` and `period_end`: the fields a
/// carrier layout maps from its own columns (its periods come from its `[period]`).
pub const CANONICAL_COLUMNS_WITHOUT_PERIODS: [&str; 13] = {
    let mut out = [""; 13];
    let (mut i, mut j) = (0, 0);
    while i < CANONICAL.len() {
        let n = CANONICAL[i].name.as_bytes();
        // "period_start" and "period_end" are the only names starting with "pe".
        if !(n.len() > 2 && n[0] == b'p' && n[1] == b'e') {
            out[j] = CANONICAL[i].name;
            j += 1;
        }
        i += 1;
    }
    out
};

/// The canonical charge types (formats.md section 2).
#[derive(Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Hash, Debug)]
#[repr(u8)]
pub enum ChargeType {
    /// A monthly (or other periodic) charge for a plan or feature.
    Recurring,
    /// A charge billed once: activation, equipment, installation.
    OneTime,
    /// A charge for what was used (minutes, data, calls).
    Usage,
    /// A tax; `TAX001` claims the ones an exempt client does not owe.
    Tax,
    /// A regulatory or carrier surcharge (911, universal service).
    Surcharge,
    /// A fee, e.g. a late fee (`FEE001`).
    Fee,
    /// A credit (negative amount), e.g. a contract credit `CRD001` checks.
    Credit,
    /// A correction of an earlier bill, either sign.
    Adjustment,
}

impl ChargeType {
    /// Every charge type, in canonical order (the order of [`ChargeType::bit`]).
    pub const ALL: [ChargeType; 8] = [
        ChargeType::Recurring,
        ChargeType::OneTime,
        ChargeType::Usage,
        ChargeType::Tax,
        ChargeType::Surcharge,
        ChargeType::Fee,
        ChargeType::Credit,
        ChargeType::Adjustment,
    ];

    /// Reads a charge type, case-insensitive, surrounding spaces ignored.
    pub fn parse(s: &str) -> Option<ChargeType> {
        let s = s.trim();
        ChargeType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }

    /// The canonical spelling (`one_time`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChargeType::Recurring => "recurring",
            ChargeType::OneTime => "one_time",
            ChargeType::Usage => "usage",
            ChargeType::Tax => "tax",
            ChargeType::Surcharge => "surcharge",
            ChargeType::Fee => "fee",
            ChargeType::Credit => "credit",
            ChargeType::Adjustment => "adjustment",
        }
    }

    /// A bit for [`ChargeTypes`] sets.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for ChargeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of charge types, one bit each.
#[derive(Copy, Clone, Eq, PartialEq, Hash, Debug, Default)]
pub struct ChargeTypes(pub u8);

impl ChargeTypes {
    /// Every charge type: the default of a rule that does not narrow them.
    pub const ALL: ChargeTypes = ChargeTypes(0xff);
    /// The set of the given types; a rule's `charge_types` is read into one.
    pub fn of(types: &[ChargeType]) -> ChargeTypes {
        ChargeTypes(types.iter().fold(0, |acc, t| acc | t.bit()))
    }
    /// Whether `t` is in the set: one bit test per row, as the rules filter rows.
    pub fn contains(self, t: ChargeType) -> bool {
        self.0 & t.bit() != 0
    }
}

/// Index of an input file in [`crate::Dump::files`].
#[derive(Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Hash, Debug, Default)]
pub struct FileId(pub u32);

/// Where a row came from: a file and a position in it (the CSV line where the
/// record starts, 1-based with the header as line 1; or the 1-based X12 segment number).
#[derive(Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Hash, Debug, Default)]
pub struct SourceRef {
    /// The file, an index into [`crate::Dump::files`].
    pub file: FileId,
    /// The 1-based CSV line or X12 segment number.
    pub pos: u32,
}

/// Index of a row in [`crate::Dump::rows`].
pub type RowId = u32;

/// One charge row, compact: text is interned, dates and money are integers.
/// Absent optional text is [`Sym::EMPTY`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The carrier's name as the bill gives it.
    pub carrier: Sym,
    /// The carrier account number.
    pub account: Sym,
    /// The invoice number.
    pub invoice: Sym,
    /// The service_id (a phone number, a circuit id); empty for account-level charges.
    pub service: Sym,
    /// The carrier's charge code; contracts name charges by it.
    pub charge_code: Sym,
    /// The charge's description as billed.
    pub description: Sym,
    /// The unit of usage_quantity (`min`, `GB`), if any.
    pub usage_unit: Sym,
    /// The invoice's date.
    pub invoice_date: Date,
    /// The first day of the service period billed; periods are compared by it.
    pub period_start: Date,
    /// The last day of the service period billed.
    pub period_end: Date,
    /// What kind of charge it is; most rules look at some types only.
    pub charge_type: ChargeType,
    /// Default 1 when the input leaves it empty.
    pub quantity: Micros,
    /// The price of one unit, when the bill states it (rate contracts compare it).
    pub unit_rate: Option<Micros>,
    /// The billed amount, exact; negative for credits.
    pub amount: Micros,
    /// How much was used (minutes, GB), when the bill states it; `UNU001` reads it.
    pub usage_quantity: Option<Micros>,
    /// Where the row was read: what evidence points to.
    pub source: SourceRef,
}

impl Row {
    /// Rewrites every interned field through `map` (a symbol's index in the
    /// interner the row was read with -> its symbol in the interner it moves to,
    /// as [`crate::Interner::absorb`] returns it). Symbols outside the map become
    /// empty. The one place that knows which fields of a row are symbols.
    pub fn remap_symbols(&mut self, map: &[Sym]) {
        let m = |s: Sym| map.get(s.0 as usize).copied().unwrap_or(Sym::EMPTY);
        self.carrier = m(self.carrier);
        self.account = m(self.account);
        self.invoice = m(self.invoice);
        self.service = m(self.service);
        self.charge_code = m(self.charge_code);
        self.description = m(self.description);
        self.usage_unit = m(self.usage_unit);
    }
}

#[cfg(test)]
mod column_tests {
    use super::*;

    #[test]
    fn the_column_lists_agree() {
        assert_eq!(
            CANONICAL_COLUMNS.join(","),
            "carrier,account,invoice,invoice_date,period_start,period_end,\
service_id,charge_type,charge_code,description,quantity,unit_rate,amount,usage_quantity,usage_unit"
        );
        let no_periods: Vec<&str> = CANONICAL_COLUMNS
            .iter()
            .copied()
            .filter(|c| !c.starts_with("period_"))
            .collect();
        assert_eq!(CANONICAL_COLUMNS_WITHOUT_PERIODS.to_vec(), no_periods);
        let required: Vec<&str> = CANONICAL.iter().filter(|c| c.required).map(|c| c.name).collect();
        assert_eq!(
            required,
            [
                "carrier",
                "account",
                "invoice",
                "invoice_date",
                "period_start",
                "period_end",
                "charge_type",
                "description",
                "amount"
            ]
        );
    }
}
