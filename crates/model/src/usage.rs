//! Usage measured by call detail (docs/formats.md, "Usage from call detail").
//!
//! A call-detail export (one record per call, message or data session) holds no
//! money; telaudit reads it for the use it measures. Its records become canonical
//! `usage` rows of amount 0, one per line, period and [`UsageKind`], and the export
//! says which lines it measured ([`UsageMeasure`]): a line billed in the period but
//! absent from it used none of that kind. A record that could not be read leaves
//! its line *not measured* for that period ([`UsageGap`]), never unused.
//!
//! Units: a kind of usage is data, voice or messages whatever a unit is spelled
//! ([`UsageKind::of_unit`]); data is counted in KB (1 MB = 1,024 KB, 1 GB =
//! 1,048,576 KB), voice in seconds, messages one by one ([`unit_scale`]).

use crate::{Date, FileId, Micros, Sym};

/// What a usage quantity measures, whatever its unit's spelling.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UsageKind {
    /// Data volume (KB, MB, GB ...).
    Data,
    /// Call time (seconds, minutes ...).
    Voice,
    /// Messages (text, picture), counted.
    Messages,
}

impl UsageKind {
    /// Every kind, in this order.
    pub const ALL: [UsageKind; 3] = [UsageKind::Data, UsageKind::Voice, UsageKind::Messages];

    /// `data`, `voice`, `messages`: the name a layout file and a text use.
    pub fn name(self) -> &'static str {
        match self {
            UsageKind::Data => "data",
            UsageKind::Voice => "voice",
            UsageKind::Messages => "messages",
        }
    }

    /// The kind a layout file names (`data`, `voice`, `messages`).
    pub fn parse(s: &str) -> Option<UsageKind> {
        UsageKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
    }

    /// The unit usage of this kind is written in when nothing else decides: `GB`,
    /// `min`, `msg`.
    pub fn default_unit(self) -> &'static str {
        match self {
            UsageKind::Data => "GB",
            UsageKind::Voice => "min",
            UsageKind::Messages => "msg",
        }
    }

    /// The unit a call-detail reader writes its sums in: `KB`, `sec`, `msg` (the
    /// kind's base unit, scale 1).
    pub fn base_unit(self) -> &'static str {
        match self {
            UsageKind::Data => "KB",
            UsageKind::Voice => "sec",
            UsageKind::Messages => "msg",
        }
    }

    /// The kind a usage unit measures, compared ignoring case and surrounding
    /// spaces; `None` for money (`CAD`) and units telaudit does not know.
    pub fn of_unit(unit: &str) -> Option<UsageKind> {
        unit_scale(unit).map(|(k, _)| k)
    }
}

/// The kind a usage unit measures and how many of the kind's base units one of it
/// is: KB 1, MB 1,024, GB 1,048,576, TB 1,073,741,824 (data, in KB); seconds 1,
/// minutes 60, hours 3,600 (voice, in seconds); messages 1. Spellings: `KB`/`kilobytes`,
/// `MB`/`megabytes`, `GB`/`gigabytes`, `TB`/`terabytes`, `s`/`sec`/`secs`/`seconds`,
/// `min`/`mins`/`minute`/`minutes`, `h`/`hr`/`hrs`/`hour`/`hours`,
/// `msg`/`msgs`/`message`/`messages`/`sms`/`text`/`texts`, any case.
pub fn unit_scale(unit: &str) -> Option<(UsageKind, i64)> {
    const UNITS: [(&[&str], UsageKind, i64); 8] = [
        (&["kb", "kilobyte", "kilobytes"], UsageKind::Data, 1),
        (&["mb", "megabyte", "megabytes"], UsageKind::Data, 1 << 10),
        (&["gb", "gigabyte", "gigabytes"], UsageKind::Data, 1 << 20),
        (&["tb", "terabyte", "terabytes"], UsageKind::Data, 1 << 30),
        (&["s", "sec", "secs", "second", "seconds"], UsageKind::Voice, 1),
        (&["min", "mins", "minute", "minutes"], UsageKind::Voice, 60),
        (&["h", "hr", "hrs", "hour", "hours"], UsageKind::Voice, 3_600),
        (
            &["msg", "msgs", "message", "messages", "sms", "text", "texts"],
            UsageKind::Messages,
            1,
        ),
    ];
    let u = unit.trim();
    UNITS
        .iter()
        .find(|(names, _, _)| names.iter().any(|n| n.eq_ignore_ascii_case(u)))
        .map(|&(_, k, s)| (k, s))
}

/// `quantity` (in `from` units) in `to` units of the same kind, rounded half away
/// from zero to the millionth; `None` when either unit is not known, the kinds
/// differ, or the value does not fit.
pub fn convert_usage(quantity: Micros, from: &str, to: &str) -> Option<Micros> {
    let (kf, sf) = unit_scale(from)?;
    let (kt, st) = unit_scale(to)?;
    if kf != kt {
        return None;
    }
    let base = i128::from(quantity.0) * i128::from(sf);
    let d = i128::from(st);
    let (q, r) = (base / d, base % d);
    // Half away from zero: |r| * 2 >= d rounds |q| up.
    let q = if r.abs() * 2 >= d { q + base.signum() } else { q };
    i64::try_from(q).ok().map(Micros)
}

/// What one call-detail export measured: every line of `account` billed in the
/// period, in `kind` of usage. A line absent from the export used none of it when
/// `absent_is_zero` (false for an export of roaming use only: a line absent from
/// it may have used its plan at home).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageMeasure {
    /// The export.
    pub file: FileId,
    /// The carrier.
    pub carrier: Sym,
    /// The account measured.
    pub account: Sym,
    /// The invoice its records name (or the layout derives).
    pub invoice: Sym,
    /// Its invoice date.
    pub invoice_date: Date,
    /// The billing period's first day.
    pub period_start: Date,
    /// The billing period's last day.
    pub period_end: Date,
    /// What it measures.
    pub kind: UsageKind,
    /// Whether a line absent from the export used none of `kind`.
    pub absent_is_zero: bool,
}

/// Use a call-detail export could not read (a record that could not be read): the
/// lines it names are *not measured* there. `Sym::EMPTY` and `None` stand for
/// "any": a record whose line cannot be told leaves every line not measured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageGap {
    /// The export.
    pub file: FileId,
    /// The carrier (`Sym::EMPTY`: the file's).
    pub carrier: Sym,
    /// The account (`Sym::EMPTY`: every account the file measures).
    pub account: Sym,
    /// The line (`Sym::EMPTY`: every line of the account).
    pub service: Sym,
    /// The period's first day (`None`: every period the file measures).
    pub period_start: Option<Date>,
    /// The kind (`None`: every kind the file reads).
    pub kind: Option<UsageKind>,
}

/// A line a call-detail export could not measure in a period: UNU001 does not
/// judge it unused on that period (docs/formats.md, "Usage from call detail").
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Unmeasured {
    /// The carrier.
    pub carrier: Sym,
    /// The account.
    pub account: Sym,
    /// The line.
    pub service: Sym,
    /// The period's first day.
    pub period_start: Date,
    /// The kind of usage not measured.
    pub kind: UsageKind,
}

/// A call-detail export that was read for usage (it adds no money): the reports
/// name it "read for usage" with its record count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageFile {
    /// The export.
    pub file: FileId,
    /// The header file its column names were read from (`Header-GPRS.txt` beside
    /// `ALL_CALLS-GPRS.txt`), when its layout takes them from one.
    pub header_file: Option<String>,
    /// Its data records read (those that could not be read included).
    pub records: u64,
    /// The kinds of usage its layout reads.
    pub kinds: Vec<UsageKind>,
    /// What it measured.
    pub measures: Vec<UsageMeasure>,
    /// What it could not read.
    pub gaps: Vec<UsageGap>,
    /// The usage rows it gave after the usage step (zero rows included).
    pub rows: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_kinds_whatever_their_spelling() {
        assert_eq!(UsageKind::of_unit(" gb "), Some(UsageKind::Data));
        assert_eq!(UsageKind::of_unit("Megabytes"), Some(UsageKind::Data));
        assert_eq!(UsageKind::of_unit("MIN"), Some(UsageKind::Voice));
        assert_eq!(UsageKind::of_unit("msg"), Some(UsageKind::Messages));
        assert_eq!(UsageKind::of_unit("CAD"), None);
        assert_eq!(UsageKind::of_unit(""), None);
    }

    #[test]
    fn conversions_round_half_away_from_zero() {
        let m = |s: &str| Micros::parse(s).unwrap();
        // 1 GB = 1,048,576 KB exactly.
        assert_eq!(convert_usage(m("1048576"), "KB", "GB"), Some(m("1")));
        // 614 KB = 0.000585556... GB -> 0.000586.
        assert_eq!(convert_usage(m("614"), "KB", "GB"), Some(m("0.000586")));
        // 1,024,085 KB = 0.9766435623... GB -> 0.976644.
        assert_eq!(convert_usage(m("1024085"), "KB", "GB"), Some(m("0.976644")));
        assert_eq!(convert_usage(m("1536"), "KB", "MB"), Some(m("1.5")));
        // 90 s = 1.5 min; 100 s = 1.666667 min.
        assert_eq!(convert_usage(m("90"), "sec", "min"), Some(m("1.5")));
        assert_eq!(convert_usage(m("100"), "sec", "min"), Some(m("1.666667")));
        assert_eq!(convert_usage(m("-100"), "sec", "min"), Some(m("-1.666667")));
        assert_eq!(convert_usage(m("3"), "msg", "messages"), Some(m("3")));
        assert_eq!(convert_usage(m("3"), "msg", "GB"), None);
        assert_eq!(convert_usage(m("3"), "CAD", "GB"), None);
    }
}
