//! Call detail read for usage (`role = "usage"`): one record per call, message or
//! data session, summed into one usage row per line, period and kind of usage.
//!
//! ```toml
//! role = "usage"
//! [fields]                      # carrier, account, invoice, service_id (invoice_date:
//! ...                           # optional, else the period's end)
//! [[usage]]
//! kind = "data"                 # "data", "voice" or "messages"
//! quantity = "Volume (KB)"      # any value (column, first, sum ...); messages: optional
//! unit = "KB"                   # of the quantity: KB, MB, GB; seconds, minutes, M:SS;
//!                               # messages (each record one, or the quantity's count)
//! when = { column = "Source", regex = "(?i)^data$" }   # optional: the records it reads
//! ```
//!
//! The rows are written in the kind's base unit (KB, `sec`, `msg`) with amount 0;
//! the client's usage step (crates/parse/src/usage.rs) converts them to the unit the
//! line counts in and adds the lines the export measured at zero. A record that
//! cannot be read is a warning (no money rests on it), and the line it names is
//! then *not measured* for that period ([`UsageGap`]); a record whose fields cannot
//! be told apart (another field count than the header's) names no line it can be
//! trusted for, so it leaves every line of the file not measured.

use super::preamble::Context;
use super::read::{number, period_of, text};
use super::spec::*;
use super::values::{clean_cell, is_placeholder, parse_date};
use crate::table::MAX_RECORD_BYTES;
use crate::ParsedFile;
use rustc_hash::FxHashMap;
use serde::Deserialize;
use std::borrow::Cow;
use telaudit_model::{
    ChargeType, Date, FileId, Micros, Position, Row, SourceRef, Sym, UsageFile, UsageGap, UsageKind,
    UsageMeasure, Warning,
};

/// One `[[usage]]` entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUsage {
    kind: String,
    quantity: Option<RawValue>,
    unit: Option<String>,
    when: Option<RawCond>,
}

/// How a record's quantity is read, in the kind's base unit.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum QtyUnit {
    /// A number of units, each this many base units (KB 1, MB 1,024, GB
    /// 1,048,576; seconds 1, minutes 60).
    Scale(i64),
    /// A duration written `M:SS` or `H:MM:SS`, in seconds.
    Duration,
    /// Messages: each record one, or the quantity when given.
    Count,
}

/// One compiled `[[usage]]` entry.
#[derive(Clone, Debug)]
pub(crate) struct UsageSpec {
    pub kind: UsageKind,
    pub quantity: Option<Value>,
    pub unit: QtyUnit,
    pub when: Option<Cond>,
}

/// Compiles the `[[usage]]` entries: only `role = "usage"` has them, and it needs one.
pub(super) fn compile(c: &mut Compiler<'_>, raw: &[RawUsage], role: Role) -> Result<Vec<UsageSpec>, String> {
    if role != Role::Usage {
        if !raw.is_empty() {
            return Err(c.err("[[usage]] entries are for role = \"usage\" (call detail)".into()));
        }
        return Ok(Vec::new());
    }
    if raw.is_empty() {
        return Err(c.err("role \"usage\" needs at least one [[usage]] entry (kind, quantity, unit)".into()));
    }
    let mut out = Vec::with_capacity(raw.len());
    for (n, u) in raw.iter().enumerate() {
        let at = format!("[[usage]] {}", n + 1);
        let kind = UsageKind::parse(&u.kind).ok_or_else(|| {
            c.err(format!(
                "{at}: kind {:?}: use \"data\", \"voice\" or \"messages\"",
                u.kind
            ))
        })?;
        let unit = unit_of(kind, u.unit.as_deref(), u.quantity.is_some())
            .map_err(|e| c.err(format!("{at}: {e}")))?;
        let quantity = u
            .quantity
            .as_ref()
            .map(|q| c.value("usage_quantity", q))
            .transpose()?;
        let when = u
            .when
            .as_ref()
            .map(|w| c.cond(w, &format!("{at} when")))
            .transpose()?;
        out.push(UsageSpec {
            kind,
            quantity,
            unit,
            when,
        });
    }
    Ok(out)
}

/// The quantity's unit, which must measure `kind`.
fn unit_of(kind: UsageKind, unit: Option<&str>, has_quantity: bool) -> Result<QtyUnit, String> {
    let unit = unit.map(str::trim);
    match (kind, unit) {
        (UsageKind::Messages, None | Some("messages") | Some("msg")) => Ok(QtyUnit::Count),
        (UsageKind::Voice, Some(u)) if u.eq_ignore_ascii_case("M:SS") => Ok(QtyUnit::Duration),
        (_, None) => Err(format!(
            "unit is required for {} (e.g. {})",
            kind.name(),
            if kind == UsageKind::Data {
                "\"KB\""
            } else {
                "\"seconds\" or \"M:SS\""
            }
        )),
        (_, Some(u)) if !has_quantity => Err(format!("unit {u:?} without a quantity to read")),
        (_, Some(u)) => match telaudit_model::unit_scale(u) {
            Some((k, s)) if k == kind => Ok(QtyUnit::Scale(s)),
            _ => Err(format!(
                "unit {u:?} does not measure {}: use {}",
                kind.name(),
                match kind {
                    UsageKind::Data => "KB, MB or GB",
                    UsageKind::Voice => "seconds, minutes or M:SS",
                    UsageKind::Messages => "messages",
                }
            )),
        },
    }
}

/// Err unless the base fields make a usage row's line: carrier, account, invoice
/// and service_id (invoice_date is optional: the period's end).
pub(super) fn required(c: &Compiler<'_>, base: &[Option<Value>]) -> Result<(), String> {
    for req in [F_CARRIER, F_ACCOUNT, F_INVOICE, F_SERVICE] {
        if base[req].is_none() {
            return Err(c.err(format!(
                "role \"usage\" needs [fields] {} (the line its records measure)",
                FIELDS[req]
            )));
        }
    }
    Ok(())
}

impl Layout {
    /// The kinds of usage a call-detail layout reads (`data`, `voice`,
    /// `messages`), in that order; empty for other layouts.
    pub fn usage_kinds(&self) -> Vec<&'static str> {
        UsageKind::ALL
            .into_iter()
            .filter(|k| self.usage.iter().any(|u| u.kind == *k))
            .map(UsageKind::name)
            .collect()
    }
}

/// A duration `M:SS` or `H:MM:SS` in whole seconds; None: the cell holds no value.
pub(crate) fn parse_seconds(raw: &str) -> Result<Option<Micros>, String> {
    let s = clean_cell(raw);
    if is_placeholder(s) {
        return Ok(None);
    }
    let bad = || format!("{} is not a duration (M:SS or H:MM:SS)", crate::text::show(s));
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 9 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let n: Vec<i64> = parts
        .iter()
        .map(|p| p.parse::<i64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let (h, m, sec) = match n[..] {
        [m, sec] => (0, m, sec),
        [h, m, sec] if m < 60 => (h, m, sec),
        _ => return Err(bad()),
    };
    if sec >= 60 {
        return Err(bad());
    }
    let secs = (h * 60 + m) * 60 + sec;
    secs.checked_mul(1_000_000)
        .map(|v| Some(Micros(v)))
        .ok_or_else(bad)
}

/// One record's use, read.
struct Use<'c> {
    carrier: Cow<'c, str>,
    account: Cow<'c, str>,
    invoice: Cow<'c, str>,
    invoice_date: Date,
    service: Cow<'c, str>,
    period: (Date, Date),
    quantity: Micros,
}

/// The last record's invoice date and billing period, with the cells they were read
/// from: the records of an export mostly share them (Rogers' come from the header
/// file's title), so they are read once, not per record.
#[derive(Default)]
pub(super) struct PeriodMemo {
    /// The invoice date's text, then the text of each period column.
    cells: Vec<String>,
    bill: Option<Date>,
    period: Option<(Date, Date)>,
    problems: Vec<String>,
}

/// What of the line a record that could not be read names (for its [`UsageGap`]).
#[derive(Default)]
struct Named {
    carrier: String,
    account: String,
    service: String,
    period: Option<(Date, Date)>,
}

/// A usage row's key: its line, period and kind (with the invoice its records name).
type Key = (Sym, Sym, Sym, Date, Sym, Date, Date, UsageKind);

/// What a [`UsageReader`] reads with: the layout, the file and where its columns are.
pub(super) struct Cfg<'l> {
    pub layout: &'l Layout,
    pub file: FileId,
    pub path: &'l str,
    /// The header position of each of the layout's columns.
    pub pos: Vec<Option<usize>>,
    pub header_len: usize,
    /// Where the column names come from, for messages ("its header line", or the
    /// header file's name).
    pub header_name: String,
    /// The last invoice date and period read ([`PeriodMemo`]).
    pub memo: std::cell::RefCell<PeriodMemo>,
}

/// What a [`UsageReader`] has read so far.
struct Acc {
    rows: FxHashMap<Key, usize>,
    /// Records summed into each row (by index in `out.rows`).
    counts: Vec<u64>,
    measured: FxHashMap<(Sym, Sym, Date, Date, UsageKind), ()>,
    usage: UsageFile,
}

/// Reads one call-detail file's records into usage rows (see the module docs).
pub(super) struct UsageReader<'l> {
    cfg: Cfg<'l>,
    acc: Acc,
}

impl<'l> UsageReader<'l> {
    pub fn new(cfg: Cfg<'l>) -> Self {
        let mut kinds: Vec<UsageKind> = cfg.layout.usage.iter().map(|u| u.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let usage = UsageFile {
            file: cfg.file,
            header_file: cfg.layout.side.is_some().then(|| cfg.header_name.clone()),
            records: 0,
            kinds,
            measures: Vec::new(),
            gaps: Vec::new(),
            rows: 0,
        };
        UsageReader {
            cfg,
            acc: Acc {
                rows: FxHashMap::default(),
                counts: Vec::new(),
                measured: FxHashMap::default(),
                usage,
            },
        }
    }

    /// The layout it reads with.
    pub fn layout(&self) -> &'l Layout {
        self.cfg.layout
    }

    /// A record the delimiter cannot split into fields: not read, and its line
    /// cannot be told.
    pub fn broken(&mut self, line: u64, why: String, out: &mut ParsedFile) {
        self.acc.usage.records += 1;
        self.acc.unread(&self.cfg, out, line, why, None, None);
    }

    /// Reads one record; true when a `[[skip]]` rule leaves it out.
    pub fn record(
        &mut self,
        rec: &csv::StringRecord,
        line: u64,
        ctx: &Context,
        out: &mut ParsedFile,
    ) -> bool {
        let (cfg, acc) = (&self.cfg, &mut self.acc);
        if rec.as_slice().len() > MAX_RECORD_BYTES {
            acc.usage.records += 1;
            let why = format!("record longer than {MAX_RECORD_BYTES} bytes (1 MiB)");
            acc.unread(cfg, out, line, why, None, None);
            return false;
        }
        if rec.iter().all(|f| clean_cell(f).is_empty()) {
            return false;
        }
        let cell = |c: usize| -> &str {
            cfg.pos[c]
                .and_then(|i| rec.get(i))
                .map_or_else(|| ctx.values[c].as_deref().unwrap_or(""), clean_cell)
        };
        let skipped = |negated_too: bool| {
            cfg.layout
                .skips
                .iter()
                .any(|s| (negated_too || !s.negate) && s.regex.is_match(cell(s.column)) != s.negate)
        };
        if rec.len() != cfg.header_len {
            if skipped(false) {
                return true;
            }
            acc.usage.records += 1;
            let why = format!(
                "this record has {} fields where {} names {} columns (a stray delimiter in a field?): its \
                 columns cannot be told apart, so neither can its line",
                rec.len(),
                cfg.header_name,
                cfg.header_len
            );
            acc.unread(cfg, out, line, why, None, None);
            return false;
        }
        if skipped(true) {
            return true;
        }
        acc.usage.records += 1;
        if rec.iter().any(|f| f.contains('\0')) {
            acc.unread(cfg, out, line, "a field holds a NUL byte".into(), None, None);
            return false;
        }
        for spec in &cfg.layout.usage {
            if let Some(w) = &spec.when {
                if w.regex.is_match(cell(w.column)) == w.negate {
                    continue;
                }
            }
            match cfg.use_of(spec, &cell) {
                Ok(u) => acc.add(cfg, spec.kind, u, line, out),
                Err((why, named)) => acc.unread(cfg, out, line, why, Some(named), Some(spec.kind)),
            }
        }
        false
    }

    /// The rows' descriptions (`Call detail: data, 3 records`) and the file's usage.
    pub fn finish(self, out: &mut ParsedFile) {
        let acc = self.acc;
        let mut by_index: Vec<(usize, UsageKind)> = acc.rows.iter().map(|(k, &i)| (i, k.7)).collect();
        by_index.sort_unstable();
        for (i, kind) in by_index {
            let n = acc.counts[i];
            let text = format!(
                "Call detail: {}, {n} record{}",
                kind.name(),
                if n == 1 { "" } else { "s" }
            );
            out.rows[i].description = out.strings.intern(&text);
        }
        out.usage = Some(acc.usage);
    }
}

impl Cfg<'_> {
    /// The use one `[[usage]]` entry reads from a record, or why it cannot.
    fn use_of<'c>(
        &self,
        spec: &UsageSpec,
        cell: &dyn Fn(usize) -> &'c str,
    ) -> Result<Use<'c>, (String, Named)> {
        let base = &self.layout.charges[0].fields;
        let mut problems: Vec<String> = Vec::new();
        let mut txt = |i: usize| -> Cow<'c, str> {
            match base[i].as_ref().map(|v| text(v, cell)) {
                None => Cow::Borrowed(""),
                Some(Ok(Cow::Borrowed(s))) => Cow::Borrowed(s.trim()),
                Some(Ok(Cow::Owned(s))) => Cow::Owned(s.trim().to_string()),
                Some(Err(e)) => {
                    problems.push(format!("{}: {e}", FIELDS[i]));
                    Cow::Borrowed("")
                }
            }
        };
        let (carrier, account, service) = (txt(F_CARRIER), txt(F_ACCOUNT), txt(F_SERVICE));
        let invoice = txt(F_INVOICE);
        let date_text = txt(F_INVOICE_DATE);
        let (bill, period) = self.period(&date_text, cell, &mut problems);
        for (what, v) in [
            ("carrier", &carrier),
            ("account", &account),
            ("invoice", &invoice),
            ("service_id (the line)", &service),
        ] {
            if v.is_empty() {
                problems.push(format!("{what} is empty"));
            }
        }
        let quantity = match self.quantity(spec, cell) {
            Ok(q) => q,
            Err(e) => {
                problems.push(e);
                Micros::ZERO
            }
        };
        match (problems.is_empty(), period) {
            (true, Some(period)) => Ok(Use {
                carrier,
                account,
                invoice,
                invoice_date: bill.unwrap_or(period.1),
                service,
                period,
                quantity,
            }),
            _ => {
                if problems.is_empty() {
                    problems.push("no billing period (see the layout's [period])".into());
                }
                let named = Named {
                    carrier: carrier.into_owned(),
                    account: account.into_owned(),
                    service: service.into_owned(),
                    period,
                };
                Err((problems.join("; "), named))
            }
        }
    }

    /// A record's invoice date (from `date_text`) and billing period, as the last
    /// record's when read from the same cells ([`PeriodMemo`]); problems are added
    /// to `problems`.
    fn period<'c>(
        &self,
        date_text: &str,
        cell: &dyn Fn(usize) -> &'c str,
        problems: &mut Vec<String>,
    ) -> (Option<Date>, Option<(Date, Date)>) {
        let p = &self.layout.period;
        let columns: Vec<usize> = [
            p.range,
            p.start_end.map(|x| x.0),
            p.start_end.map(|x| x.1),
            p.cycle_end,
        ]
        .into_iter()
        .flatten()
        .collect();
        let same = |m: &PeriodMemo| {
            m.cells.len() == columns.len() + 1
                && m.cells[0] == date_text
                && columns.iter().zip(&m.cells[1..]).all(|(&c, s)| cell(c) == s)
        };
        let mut memo = self.memo.borrow_mut();
        if !same(&memo) {
            let mut found: Vec<String> = Vec::new();
            let bill = match parse_date(date_text, &self.layout.dates) {
                Ok(d) => d,
                Err(e) => {
                    found.push(format!("invoice_date: {e}"));
                    None
                }
            };
            let period = period_of(self.layout, cell, bill, &mut found);
            let mut cells = vec![date_text.to_string()];
            cells.extend(columns.iter().map(|&c| cell(c).to_string()));
            *memo = PeriodMemo {
                cells,
                bill,
                period,
                problems: found,
            };
        }
        problems.extend(memo.problems.iter().cloned());
        (memo.bill, memo.period)
    }

    /// A record's quantity in the kind's base unit (KB, seconds, messages).
    fn quantity<'c>(&self, spec: &UsageSpec, cell: &dyn Fn(usize) -> &'c str) -> Result<Micros, String> {
        let name = || match &spec.quantity {
            Some(Value {
                source: Source::Column(c),
                ..
            }) => self.layout.columns[*c].clone(),
            _ => "usage quantity".to_string(),
        };
        let q = match (&spec.quantity, spec.unit) {
            (None, _) => Some(Micros::ONE),
            (Some(v), QtyUnit::Duration) => {
                let t = text(v, cell)?;
                parse_seconds(&t).map_err(|e| format!("{}: {e}", name()))?
            }
            (Some(v), QtyUnit::Scale(s)) => number(self.layout, v, cell)
                .map_err(|e| format!("{}: {e}", name()))?
                .map(|q| {
                    q.0.checked_mul(s)
                        .map(Micros)
                        .ok_or_else(|| format!("{}: too large", name()))
                })
                .transpose()?,
            (Some(v), QtyUnit::Count) => {
                number(self.layout, v, cell).map_err(|e| format!("{}: {e}", name()))?
            }
        };
        let q = q.unwrap_or(Micros::ZERO);
        if q.0 < 0 {
            return Err(format!("{}: {q} is negative (use cannot be)", name()));
        }
        Ok(q)
    }
}

impl Acc {
    /// Adds a record's use to its row (one per line, period, kind and invoice).
    fn add(&mut self, cfg: &Cfg<'_>, kind: UsageKind, u: Use<'_>, line: u64, out: &mut ParsedFile) {
        let s = &mut out.strings;
        let (carrier, account, invoice, service) = (
            s.intern(&u.carrier),
            s.intern(&u.account),
            s.intern(&u.invoice),
            s.intern(&u.service),
        );
        let (ps, pe) = u.period;
        let key = (carrier, account, invoice, u.invoice_date, service, ps, pe, kind);
        if let Some(&i) = self.rows.get(&key) {
            let row = &mut out.rows[i];
            match row.usage_quantity.unwrap_or(Micros::ZERO).checked_add(u.quantity) {
                Some(q) => {
                    row.usage_quantity = Some(q);
                    self.counts[i] += 1;
                }
                None => {
                    let why = "the line's use in this period is too large to sum".to_string();
                    let named = Named {
                        carrier: u.carrier.into_owned(),
                        account: u.account.into_owned(),
                        service: u.service.into_owned(),
                        period: Some(u.period),
                    };
                    self.unread(cfg, out, line, why, Some(named), Some(kind));
                }
            }
            return;
        }
        let unit = out.strings.intern(kind.base_unit());
        self.rows.insert(key, out.rows.len());
        self.counts.push(1);
        out.rows.push(Row {
            carrier,
            account,
            invoice,
            service,
            charge_code: Sym::EMPTY,
            description: Sym::EMPTY,
            usage_unit: unit,
            invoice_date: u.invoice_date,
            period_start: ps,
            period_end: pe,
            charge_type: ChargeType::Usage,
            quantity: Micros::ONE,
            unit_rate: None,
            amount: Micros::ZERO,
            usage_quantity: Some(u.quantity),
            source: SourceRef {
                file: cfg.file,
                pos: u32::try_from(line).unwrap_or(u32::MAX),
            },
        });
        if self
            .measured
            .insert((carrier, account, ps, pe, kind), ())
            .is_none()
        {
            self.usage.measures.push(UsageMeasure {
                file: cfg.file,
                carrier,
                account,
                invoice,
                invoice_date: u.invoice_date,
                period_start: ps,
                period_end: pe,
                kind,
                absent_is_zero: cfg.layout.absent_is_zero,
            });
        }
    }

    /// A record that cannot be read: a warning on its line, and the line it names
    /// (every line, when it names none that can be trusted) not measured.
    fn unread(
        &mut self,
        cfg: &Cfg<'_>,
        out: &mut ParsedFile,
        line: u64,
        why: String,
        named: Option<Named>,
        kind: Option<UsageKind>,
    ) {
        let named = named.unwrap_or_default();
        let known = !named.account.is_empty() && !named.service.is_empty();
        let what = match kind {
            Some(k) => k.name().to_string(),
            None => self
                .usage
                .kinds
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(", "),
        };
        let consequence = match (known, named.period) {
            (true, Some((a, b))) => {
                format!(
                    "line {} counts as not measured for {what} in the period {a} to {b}",
                    named.service
                )
            }
            (true, None) => format!(
                "line {} counts as not measured for {what} in this file's periods",
                named.service
            ),
            (false, _) => {
                format!("no line of this file's accounts counts as measured for {what} in its periods")
            }
        };
        out.warnings.push(Warning {
            file: cfg.path.to_string(),
            position: Position::Line(line),
            message: format!(
                "call-detail record not read: {why}; {consequence} (not measured, never unused; no money rests \
                 on call detail)"
            ),
        });
        let s = &mut out.strings;
        let mut sym = |t: &str| {
            if t.is_empty() || !known {
                Sym::EMPTY
            } else {
                s.intern(t)
            }
        };
        let gap = UsageGap {
            file: cfg.file,
            carrier: sym(&named.carrier),
            account: sym(&named.account),
            service: sym(&named.service),
            period_start: named.period.filter(|_| known).map(|p| p.0),
            kind: kind.filter(|_| known),
        };
        self.usage.gaps.push(gap);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_seconds() {
        let s = |x: &str| parse_seconds(x).unwrap().map(|m| m.0 / 1_000_000);
        assert_eq!(s("7:00"), Some(420));
        assert_eq!(s("1:02:03"), Some(3723));
        assert_eq!(s("  0:59 "), Some(59));
        assert_eq!(s(""), None);
        for bad in ["7", "1:60", "a:00", "-1:00", "1:75:00"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn units_must_measure_their_kind() {
        assert_eq!(unit_of(UsageKind::Data, Some("KB"), true), Ok(QtyUnit::Scale(1)));
        assert_eq!(
            unit_of(UsageKind::Data, Some("gb"), true),
            Ok(QtyUnit::Scale(1 << 20))
        );
        assert_eq!(
            unit_of(UsageKind::Voice, Some("minutes"), true),
            Ok(QtyUnit::Scale(60))
        );
        assert_eq!(
            unit_of(UsageKind::Voice, Some("M:SS"), true),
            Ok(QtyUnit::Duration)
        );
        assert_eq!(unit_of(UsageKind::Messages, None, false), Ok(QtyUnit::Count));
        assert!(unit_of(UsageKind::Data, Some("min"), true).is_err());
        assert!(unit_of(UsageKind::Data, None, true).is_err());
        assert!(unit_of(UsageKind::Voice, Some("seconds"), false).is_err());
    }
}
