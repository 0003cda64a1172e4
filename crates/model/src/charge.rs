//! One charge row of a bill, in the canonical form every input format is read into.

use crate::{Date, Micros, Sym};
use std::fmt;

/// The columns of the canonical charge CSV (formats.md section 2), in the order
/// telaudit writes them (`telaudit convert`, `telaudit generate`).
pub const CANONICAL_COLUMNS: [&str; 15] = [
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

/// The canonical charge types (formats.md section 2).
#[derive(Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Hash, Debug)]
#[repr(u8)]
pub enum ChargeType {
    Recurring,
    OneTime,
    Usage,
    Tax,
    Surcharge,
    Fee,
    Credit,
    Adjustment,
}

impl ChargeType {
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
    pub const ALL: ChargeTypes = ChargeTypes(0xff);
    pub fn of(types: &[ChargeType]) -> ChargeTypes {
        ChargeTypes(types.iter().fold(0, |acc, t| acc | t.bit()))
    }
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
    pub file: FileId,
    pub pos: u32,
}

/// Index of a row in [`crate::Dump::rows`].
pub type RowId = u32;

/// One charge row, compact: text is interned, dates and money are integers.
/// Absent optional text is [`Sym::EMPTY`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub carrier: Sym,
    pub account: Sym,
    pub invoice: Sym,
    pub service: Sym,
    pub charge_code: Sym,
    pub description: Sym,
    pub usage_unit: Sym,
    pub invoice_date: Date,
    pub period_start: Date,
    pub period_end: Date,
    pub charge_type: ChargeType,
    /// Default 1 when the input leaves it empty.
    pub quantity: Micros,
    pub unit_rate: Option<Micros>,
    pub amount: Micros,
    pub usage_quantity: Option<Micros>,
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
