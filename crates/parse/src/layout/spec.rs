//! A layout file (`layouts/*.toml`) and its compiled form. See the README section
//! "Adding a carrier layout" for the schema with a worked example.

use super::values::{DatePattern, NumberFormat};
use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The canonical fields a layout can make, in canonical column order (no periods:
/// those come from `[period]`).
pub(crate) const FIELDS: [&str; 13] = telaudit_model::CANONICAL_COLUMNS_WITHOUT_PERIODS;
pub(crate) const F_CARRIER: usize = 0;
pub(crate) const F_ACCOUNT: usize = 1;
pub(crate) const F_INVOICE: usize = 2;
pub(crate) const F_INVOICE_DATE: usize = 3;
pub(crate) const F_SERVICE: usize = 4;
pub(crate) const F_CHARGE_TYPE: usize = 5;
pub(crate) const F_CHARGE_CODE: usize = 6;
pub(crate) const F_DESCRIPTION: usize = 7;
pub(crate) const F_QUANTITY: usize = 8;
pub(crate) const F_UNIT_RATE: usize = 9;
pub(crate) const F_AMOUNT: usize = 10;
pub(crate) const F_USAGE_QUANTITY: usize = 11;
pub(crate) const F_USAGE_UNIT: usize = 12;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayout {
    name: String,
    title: String,
    #[serde(default = "comma")]
    delimiter: String,
    quoting: Option<bool>,
    #[serde(default = "one")]
    header_line: usize,
    #[serde(default)]
    skip_lines: usize,
    signature: Vec<String>,
    #[serde(default = "us")]
    number_format: String,
    #[serde(default)]
    date_formats: Vec<String>,
    #[serde(default = "charges_role")]
    role: String,
    #[serde(default)]
    note: String,
    superseded_by: Option<String>,
    check_total: Option<String>,
    #[serde(default)]
    extensions: Vec<String>,
    #[serde(default)]
    skip: Vec<RawCond>,
    #[serde(default)]
    period: RawPeriod,
    #[serde(default)]
    fields: BTreeMap<String, RawValue>,
    #[serde(default)]
    charges: Vec<RawCharge>,
    preamble: Option<super::preamble::RawPreamble>,
    #[serde(default)]
    group: Vec<super::preamble::RawGroup>,
    #[serde(default)]
    stated: Vec<super::stated::RawStated>,
    header_file: Option<String>,
    data_file: Option<String>,
    absent_lines: Option<String>,
    encoding: Option<String>,
    #[serde(default)]
    usage: Vec<super::usage::RawUsage>,
    #[serde(default)]
    partial_columns: bool,
}

fn comma() -> String {
    ",".into()
}
fn one() -> usize {
    1
}
fn us() -> String {
    "us".into()
}
fn charges_role() -> String {
    "charges".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCond {
    column: String,
    regex: Option<String>,
    unless: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPeriod {
    range: Option<String>,
    start: Option<String>,
    end: Option<String>,
    cycle_end: Option<String>,
    #[serde(default)]
    prior_month: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawValue {
    Column(String),
    Full(RawFull),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFull {
    column: Option<String>,
    #[serde(rename = "const")]
    constant: Option<String>,
    first: Option<Vec<String>>,
    sum: Option<Vec<String>>,
    format: Option<String>,
    regex: Option<String>,
    map: Option<BTreeMap<String, String>>,
    default: Option<String>,
    #[serde(default)]
    minutes: bool,
}

#[derive(Deserialize)]
struct RawCharge {
    #[serde(default)]
    skip_zero: bool,
    when: Option<RawCond>,
    #[serde(flatten)]
    fields: BTreeMap<String, RawValue>,
}

/// What a recognised file is for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Its rows are charges.
    Charges,
    /// A known export that holds no charges to audit (call detail, invoice
    /// summaries): recognised and skipped with a warning that says why.
    Ignore,
    /// An export that makes no charges but states totals (`[[stated]]`): read
    /// for its stated totals only (`role = "totals"`).
    Totals,
    /// Call detail read for the usage it measures (`role = "usage"`, `[[usage]]`):
    /// canonical usage rows of amount 0, no money.
    Usage,
}

/// A row test on one column.
#[derive(Clone, Debug)]
pub(crate) struct Cond {
    pub column: usize,
    pub regex: Regex,
    /// True: the test holds when the regex does NOT match (`unless = ...`).
    pub negate: bool,
}

/// Where a value comes from. Column numbers index [`Layout::columns`].
#[derive(Clone, Debug)]
pub(crate) enum Source {
    Column(usize),
    Const(String),
    /// The first non-empty of these: a column name, or a template with `{Column}`s.
    First(Vec<Vec<Piece>>),
    /// The sum of these columns (numbers only).
    Sum(Vec<usize>),
    /// Text and `{Column}` references.
    Format(Vec<Piece>),
}

#[derive(Clone, Debug)]
pub(crate) enum Piece {
    Text(String),
    Column(usize),
}

/// How one canonical field is made.
#[derive(Clone, Debug)]
pub(crate) struct Value {
    pub source: Source,
    /// Applied to the source text: capture group 1 (else the whole match); no match: empty.
    pub regex: Option<Regex>,
    /// A lookup table (keys compared case-insensitively, spaces trimmed).
    pub map: Option<Vec<(String, String)>>,
    /// Used when the value is empty, or when the map has no entry.
    pub default: Option<String>,
    /// The text is a duration `M:SS` or `H:MM:SS`, read as minutes (`minutes = true`).
    pub minutes: bool,
}

/// One charge a source row makes.
#[derive(Clone, Debug)]
pub(crate) struct ChargeSpec {
    /// Indexed like [`FIELDS`].
    pub fields: Vec<Option<Value>>,
    /// Make no charge when the amount is zero and there is no usage quantity.
    pub skip_zero: bool,
    pub when: Option<Cond>,
}

impl ChargeSpec {
    /// The columns its amount and usage_quantity are read from: what `skip_zero`
    /// looks at.
    pub(crate) fn money_columns(&self) -> Vec<usize> {
        let mut out = Vec::new();
        for v in [&self.fields[F_AMOUNT], &self.fields[F_USAGE_QUANTITY]]
            .into_iter()
            .flatten()
        {
            let pieces = |p: &[Piece], out: &mut Vec<usize>| {
                out.extend(p.iter().filter_map(|p| match p {
                    Piece::Column(c) => Some(*c),
                    Piece::Text(_) => None,
                }))
            };
            match &v.source {
                Source::Column(c) => out.push(*c),
                Source::Sum(cs) => out.extend(cs),
                Source::First(alts) => alts.iter().for_each(|a| pieces(a, &mut out)),
                Source::Format(p) => pieces(p, &mut out),
                Source::Const(_) => {}
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// How the service period is found, tried in this order.
#[derive(Clone, Debug, Default)]
pub(crate) struct PeriodSpec {
    pub range: Option<usize>,
    pub start_end: Option<(usize, usize)>,
    pub cycle_end: Option<usize>,
    pub prior_month: bool,
}

/// A compiled carrier layout.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The layout's id: its file name without `.toml`, used in client.toml
    /// `[[layouts]]` and in `superseded_by`.
    pub name: String,
    /// The export's name as the carrier's portal shows it, for people.
    pub title: String,
    /// `layouts/<name>.toml`.
    pub file: String,
    /// Whether its rows are charges or the export is recognised only to be skipped.
    pub role: Role,
    /// Why an "ignore" export holds nothing to audit (shown in the warning), or a
    /// remark on the export.
    pub note: String,
    pub(crate) delimiter: u8,
    pub(crate) quoting: bool,
    /// 1-based line of the column names.
    pub(crate) header_line: usize,
    /// Further header lines after it (Bell's French line).
    pub(crate) skip_lines: usize,
    /// Header columns that together identify the export: a file whose header has
    /// them all is read through this layout (the layout with the most wins).
    pub signature: Vec<String>,
    pub(crate) number: NumberFormat,
    pub(crate) dates: Vec<DatePattern>,
    /// The layout whose files itemise the same invoices (Verizon's detail for its
    /// summary): this layout's rows of an invoice that such a file covers are
    /// dropped, so no money counts twice.
    pub superseded_by: Option<String>,
    /// A column that holds the row's total: the charges made from a row must sum to it.
    pub(crate) check_total: Option<usize>,
    /// The export carries only the money columns its user picked (Rogers' Custom
    /// report): a `skip_zero` column it lacks is no warning, since nothing was billed
    /// in it (`partial_columns = true`).
    pub(crate) partial_columns: bool,
    /// Extensions besides .csv/.txt/.tsv it is tried on (informational).
    pub extensions: Vec<String>,
    pub(crate) skips: Vec<Cond>,
    pub(crate) period: PeriodSpec,
    pub(crate) charges: Vec<ChargeSpec>,
    /// The totals its rows state (`[[stated]]`), checked by BAL002.
    pub(crate) stated: Vec<super::stated::StatedSpec>,
    /// Every column name the layout reads, as written in the TOML (`@name`: a
    /// value captured from the preamble or carried from a group line).
    pub(crate) columns: Vec<String>,
    /// Text before the header (`[preamble]`): the header is found by its signature.
    pub(crate) preamble: Option<super::preamble::Preamble>,
    /// Group lines whose values are carried onto the rows below (`[[group]]`).
    pub(crate) groups: Vec<super::preamble::Group>,
    /// The usage a call-detail layout reads (`[[usage]]`, `role = "usage"`).
    pub(crate) usage: Vec<super::usage::UsageSpec>,
    /// Data files without a header line whose column names are in a header file
    /// beside them (`header_file`, `data_file`).
    pub side: Option<super::side::SideFiles>,
    /// `role = "usage"`: a line billed in the period but absent from the export
    /// used none of the export's kinds (`absent_lines = "zero"`, the default);
    /// false for an export of roaming use only (`absent_lines = "not measured"`).
    pub(crate) absent_is_zero: bool,
    /// `encoding = "iso-8859-1"`: a file that is not UTF-8 is read as Latin-1
    /// without a warning (the export's own encoding).
    pub(crate) latin1: bool,
}

impl Layout {
    /// The delimiter as a display name.
    pub fn delimiter_name(&self) -> &'static str {
        match self.delimiter {
            b'\t' => "tab",
            b'|' => "pipe",
            b';' => "semicolon",
            _ => "comma",
        }
    }

    /// The canonical fields this layout fills (the rest stay empty: the loss to
    /// know when converting), in canonical order.
    pub fn carries(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (i, name) in FIELDS.iter().enumerate() {
            if i == F_INVOICE_DATE + 1 {
                out.push("period_start");
                out.push("period_end");
            }
            if self.charges.iter().any(|c| c.fields[i].is_some()) {
                out.push(name);
            }
        }
        out
    }
}

/// Compiles one layout file's text. `file` names it in errors.
///
/// One step per section of the layout file, in this order (the order the columns
/// are numbered in, and the order errors are found in): the file options, the
/// `[[skip]]` rules, `[period]`, `[fields]`, `[[charges]]`, `[[stated]]`, then
/// `check_total` and the signature columns.
#[cfg(test)]
pub(crate) fn compile(file: &str, text: &str) -> Result<Layout, String> {
    compile_with(file, text, &super::budget::Budget::new())
}

/// As [`compile`], charging its regexes to the layout set's `budget`.
pub(crate) fn compile_with(file: &str, text: &str, budget: &super::budget::Budget) -> Result<Layout, String> {
    let raw: RawLayout = toml::from_str(text).map_err(|e| format!("{file}: {}", e.to_string().trim_end()))?;
    if raw.charges.len() > super::budget::MAX_CHARGES {
        return Err(format!(
            "{file}: {} [[charges]] entries: a layout makes at most {} charges of one record; no export \
             has that many kinds of charge on one line",
            raw.charges.len(),
            super::budget::MAX_CHARGES
        ));
    }
    let mut c = Compiler {
        file,
        columns: Vec::new(),
        budget,
    };
    let options = c.options(&raw)?;
    let skips = raw
        .skip
        .iter()
        .map(|s| c.cond(s, "[[skip]]"))
        .collect::<Result<Vec<_>, _>>()?;
    let period = c.period(&raw.period, options.role)?;
    let base = c.fields(&raw.fields, vec![None; FIELDS.len()])?;
    let charges = c.charges(raw.charges, &base, options.role)?;
    let stated = super::stated::compile(&mut c, &raw.stated, &base, options.role)?;
    if options.role == Role::Usage && !stated.is_empty() {
        return Err(c.err("role \"usage\" states no totals: remove the [[stated]] entries".into()));
    }
    let check_total = raw.check_total.as_deref().map(|n| c.col(n));
    for s in &raw.signature {
        c.col(s);
    }
    let usage = super::usage::compile(&mut c, &raw.usage, options.role)?;
    let side = c.side(
        raw.header_file.as_deref(),
        raw.data_file.as_deref(),
        raw.header_line,
    )?;
    let absent_is_zero = c.absent_lines(raw.absent_lines.as_deref(), options.role)?;
    let latin1 = c.encoding(raw.encoding.as_deref())?;
    let (preamble, groups) = c.preamble(raw.preamble.as_ref(), &raw.group, raw.header_line)?;
    if let Some(stem) = file.rsplit('/').next().and_then(|f| f.strip_suffix(".toml")) {
        if stem != raw.name {
            return Err(c.err(format!(
                "name {:?} must match the file name ({stem}.toml)",
                raw.name
            )));
        }
    }
    Ok(Layout {
        name: raw.name,
        title: raw.title,
        file: file.to_string(),
        role: options.role,
        note: raw.note,
        delimiter: options.delimiter,
        quoting: raw.quoting.unwrap_or(options.delimiter == b','),
        header_line: raw.header_line,
        skip_lines: raw.skip_lines,
        signature: raw.signature.iter().map(|s| s.trim().to_string()).collect(),
        number: options.number,
        dates: options.dates,
        superseded_by: raw.superseded_by,
        check_total,
        partial_columns: raw.partial_columns,
        extensions: raw.extensions,
        skips,
        period,
        charges,
        stated,
        columns: c.columns,
        preamble,
        groups,
        usage,
        side,
        absent_is_zero,
        latin1,
    })
}

/// The file-wide options of a layout (the keys before the first section).
struct Options {
    delimiter: u8,
    number: NumberFormat,
    role: Role,
    dates: Vec<DatePattern>,
}

/// The state of compiling one layout: its file name (for errors) and the columns
/// named so far (a value's column number indexes them).
pub(super) struct Compiler<'f> {
    file: &'f str,
    columns: Vec<String>,
    budget: &'f super::budget::Budget,
}

impl Compiler<'_> {
    /// An error, naming the layout file.
    pub(super) fn err(&self, m: String) -> String {
        format!("{}: {m}", self.file)
    }

    /// The number of a column, by name (trimmed, case-insensitive), numbering a
    /// new name after the others.
    pub(super) fn col(&mut self, name: &str) -> usize {
        Compiler::number(&mut self.columns, name)
    }

    /// The number of `name` in `columns`, added after the others when new.
    fn number(columns: &mut Vec<String>, name: &str) -> usize {
        match columns
            .iter()
            .position(|c| c.trim().eq_ignore_ascii_case(name.trim()))
        {
            Some(i) => i,
            None => {
                columns.push(name.trim().to_string());
                columns.len() - 1
            }
        }
    }

    /// `header_file` and `data_file` (layout/side.rs): both or neither.
    fn side(
        &self,
        header: Option<&str>,
        data: Option<&str>,
        header_line: usize,
    ) -> Result<Option<super::side::SideFiles>, String> {
        let side = super::side::SideFiles::new(header, data).map_err(|e| self.err(e))?;
        if side.is_some() && header_line != 1 {
            return Err(self.err(
                "header_line and header_file exclude each other: the data file has no header line".into(),
            ));
        }
        Ok(side)
    }

    /// `absent_lines` (role = "usage" only): "zero" (the default) or "not measured".
    fn absent_lines(&self, raw: Option<&str>, role: Role) -> Result<bool, String> {
        match raw {
            None => Ok(true),
            Some(_) if role != Role::Usage => {
                Err(self.err("absent_lines is for role = \"usage\" (call detail)".into()))
            }
            Some("zero") => Ok(true),
            Some("not measured") => Ok(false),
            Some(x) => Err(self.err(format!(
                "absent_lines {x:?}: use \"zero\" (a line absent from the export used none) or \"not measured\" \
                 (an export of roaming use only)"
            ))),
        }
    }

    /// `encoding`: "utf-8" (the default: else Windows-1252, with a warning) or
    /// "iso-8859-1" (Latin-1, the export's own encoding: no warning).
    fn encoding(&self, raw: Option<&str>) -> Result<bool, String> {
        match raw.map(|e| e.trim().to_ascii_lowercase()) {
            None => Ok(false),
            Some(e) if e == "utf-8" || e == "utf8" => Ok(false),
            Some(e) if e == "iso-8859-1" || e == "latin-1" || e == "latin1" => Ok(true),
            Some(e) => Err(self.err(format!("encoding {e:?}: use \"utf-8\" or \"iso-8859-1\""))),
        }
    }

    /// `[preamble]` and `[[group]]` (layout/preamble.rs); every `@name` a field
    /// names must be defined there.
    fn preamble(
        &mut self,
        raw: Option<&super::preamble::RawPreamble>,
        group: &[super::preamble::RawGroup],
        header_line: usize,
    ) -> Result<(Option<super::preamble::Preamble>, Vec<super::preamble::Group>), String> {
        if raw.is_some() && header_line != 1 {
            return Err(self.err("header_line and [preamble] exclude each other: with a preamble the header is found by its signature".into()));
        }
        let file = self.file;
        let err = |m: String| format!("{file}: {m}");
        let columns = &mut self.columns;
        let mut col = |n: &str| Compiler::number(columns, n);
        let budget = self.budget;
        let re = |what: &str, r: &str| budget.regex(what, r).map_err(&err);
        let (p, g) = super::preamble::compile(raw, group, &mut col, &err, &re)?;
        super::preamble::check_names(&self.columns, p.as_ref(), &g, &err)?;
        Ok((p, g))
    }

    /// A regex; `what` names where it is in errors.
    pub(super) fn re(&self, what: &str, r: &str) -> Result<Regex, String> {
        self.budget.regex(what, r).map_err(|e| self.err(e))
    }

    /// The options: delimiter, number format, role, header line, signature and date formats.
    fn options(&self, raw: &RawLayout) -> Result<Options, String> {
        let delimiter = match raw.delimiter.as_str() {
            "," => b',',
            "\t" | "tab" => b'\t',
            "|" => b'|',
            ";" => b';',
            d => return Err(self.err(format!("delimiter {d:?}: use \",\", \"\\t\", \"|\" or \";\""))),
        };
        let number = match raw.number_format.as_str() {
            "us" => NumberFormat::Us,
            "eu" => NumberFormat::Eu,
            n => {
                return Err(self.err(format!(
                    "number_format {n:?}: use \"us\" (1,234.56) or \"eu\" (1.234,56)"
                )))
            }
        };
        let role = match raw.role.as_str() {
            "charges" => Role::Charges,
            "ignore" => Role::Ignore,
            "totals" => Role::Totals,
            "usage" => Role::Usage,
            r => {
                return Err(self.err(format!(
                    "role {r:?}: use \"charges\", \"ignore\", \"totals\" or \"usage\""
                )))
            }
        };
        if raw.header_line == 0 {
            return Err(self.err("header_line counts from 1".into()));
        }
        if raw.signature.is_empty() {
            return Err(self.err("signature must name at least one header column".into()));
        }
        let mut dates = Vec::new();
        for d in &raw.date_formats {
            dates.push(DatePattern::new(d).map_err(|e| self.err(e))?);
        }
        if dates.is_empty() {
            dates.push(DatePattern::new("YYYY-MM-DD").map_err(|e| self.err(e))?);
        }
        Ok(Options {
            delimiter,
            number,
            role,
            dates,
        })
    }

    /// A row test (`[[skip]]` or a charge's `when`).
    pub(super) fn cond(&mut self, c: &RawCond, what: &str) -> Result<Cond, String> {
        let (r, negate) = match (&c.regex, &c.unless) {
            (Some(r), None) => (r, false),
            (None, Some(r)) => (r, true),
            _ => return Err(self.err(format!("{what}: give exactly one of regex or unless"))),
        };
        Ok(Cond {
            column: self.col(&c.column),
            regex: self.re(what, r)?,
            negate,
        })
    }

    /// `[period]`: where the service period comes from (a charges layout must say).
    fn period(&mut self, raw: &RawPeriod, role: Role) -> Result<PeriodSpec, String> {
        let period = PeriodSpec {
            range: raw.range.as_deref().map(|n| self.col(n)),
            start_end: match (&raw.start, &raw.end) {
                (Some(s), Some(e)) => Some((self.col(s), self.col(e))),
                (None, None) => None,
                _ => return Err(self.err("[period] start and end go together".into())),
            },
            cycle_end: raw.cycle_end.as_deref().map(|n| self.col(n)),
            prior_month: raw.prior_month,
        };
        if matches!(role, Role::Charges | Role::Usage)
            && period.range.is_none()
            && period.start_end.is_none()
            && period.cycle_end.is_none()
            && !period.prior_month
        {
            return Err(self.err(
                "[period] must say where the service period comes from (range, start + end, cycle_end or prior_month = true)"
                    .into(),
            ));
        }
        Ok(period)
    }

    /// The index of a canonical field in [`FIELDS`], by name.
    fn field_index(&self, k: &str) -> Result<usize, String> {
        FIELDS.iter().position(|f| *f == k).ok_or_else(|| {
            self.err(format!(
                "unknown field {k:?}; a layout makes {} (periods come from [period])",
                FIELDS.join(", ")
            ))
        })
    }

    /// `[fields]` (or a `[[charges]]` entry's fields) compiled over `fields`.
    fn fields(
        &mut self,
        raw: &BTreeMap<String, RawValue>,
        mut fields: Vec<Option<Value>>,
    ) -> Result<Vec<Option<Value>>, String> {
        for (k, v) in raw {
            let i = self.field_index(k)?;
            fields[i] = Some(self.value(k, v)?);
        }
        Ok(fields)
    }

    /// `[[charges]]`: each entry's fields over the base `[fields]`, its `when` and
    /// `skip_zero` (no entry: one charge of the base fields). A charges layout
    /// must make every required field.
    fn charges(
        &mut self,
        raw: Vec<RawCharge>,
        base: &[Option<Value>],
        role: Role,
    ) -> Result<Vec<ChargeSpec>, String> {
        if role == Role::Totals {
            if !raw.is_empty() {
                return Err(
                    self.err("role \"totals\" makes no charges: remove the [[charges]] entries".into())
                );
            }
            return Ok(Vec::new());
        }
        if role == Role::Usage {
            if !raw.is_empty() {
                return Err(self.err(
                    "role \"usage\" makes no charges: its rows come from the [[usage]] entries".into(),
                ));
            }
            super::usage::required(self, base)?;
            return Ok(vec![ChargeSpec {
                fields: base.to_vec(),
                skip_zero: false,
                when: None,
            }]);
        }
        let raw = if raw.is_empty() {
            vec![RawCharge {
                skip_zero: false,
                when: None,
                fields: BTreeMap::new(),
            }]
        } else {
            raw
        };
        let mut charges = Vec::new();
        for (n, c) in raw.iter().enumerate() {
            let fields = self.fields(&c.fields, base.to_vec())?;
            if role == Role::Charges {
                self.required(n, &fields)?;
            }
            let when = match &c.when {
                Some(w) => Some(self.cond(w, "when")?),
                None => None,
            };
            charges.push(ChargeSpec {
                fields,
                skip_zero: c.skip_zero,
                when,
            });
        }
        Ok(charges)
    }

    /// Err unless charge `n` (from 0) makes every field a charge row needs.
    fn required(&self, n: usize, fields: &[Option<Value>]) -> Result<(), String> {
        for req in [
            F_CARRIER,
            F_ACCOUNT,
            F_INVOICE,
            F_INVOICE_DATE,
            F_CHARGE_TYPE,
            F_DESCRIPTION,
            F_AMOUNT,
        ] {
            if fields[req].is_none() {
                return Err(self.err(format!(
                    "charge {} does not say how to make {} (required); add it to [fields] or the [[charges]] entry",
                    n + 1,
                    FIELDS[req]
                )));
            }
        }
        Ok(())
    }

    /// A `{Column}` template: text and column references.
    fn template(&mut self, key: &str, f: &str) -> Result<Vec<Piece>, String> {
        let mut pieces = Vec::new();
        let mut rest = f;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| self.err(format!("{key}: template {f:?} has an unclosed {{")))?;
            pieces.push(Piece::Column(self.col(&rest[open + 1..open + close])));
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        Ok(pieces)
    }

    /// How the field `key` is made: a column name, or a table with one source
    /// (column, const, first, sum or format) and its regex, map and default.
    pub(super) fn value(&mut self, key: &str, v: &RawValue) -> Result<Value, String> {
        let full = match v {
            RawValue::Column(c) => {
                return Ok(Value {
                    source: Source::Column(self.col(c)),
                    regex: None,
                    map: None,
                    default: None,
                    minutes: false,
                })
            }
            RawValue::Full(f) => f,
        };
        let source = self.source(key, full)?;
        if full.minutes && ![F_QUANTITY, F_USAGE_QUANTITY].iter().any(|&f| FIELDS[f] == key) {
            return Err(self.err(format!(
                "{key}: minutes is for durations (quantity, usage_quantity)"
            )));
        }
        Ok(Value {
            minutes: full.minutes,
            source,
            regex: full.regex.as_deref().map(|r| self.re(key, r)).transpose()?,
            map: full.map.as_ref().map(|m| {
                m.iter()
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.clone()))
                    .collect()
            }),
            default: full.default.clone(),
        })
    }

    /// The one source a value table gives.
    fn source(&mut self, key: &str, full: &RawFull) -> Result<Source, String> {
        let given = [
            full.column.is_some(),
            full.constant.is_some(),
            full.first.is_some(),
            full.sum.is_some(),
            full.format.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(self.err(format!(
                "{key}: give exactly one of column, const, first, sum or format"
            )));
        }
        Ok(if let Some(c) = &full.column {
            Source::Column(self.col(c))
        } else if let Some(c) = &full.constant {
            Source::Const(c.clone())
        } else if let Some(cs) = &full.first {
            let mut alts = Vec::new();
            for c in cs {
                alts.push(if c.contains('{') {
                    self.template(key, c)?
                } else {
                    vec![Piece::Column(self.col(c))]
                });
            }
            Source::First(alts)
        } else if let Some(cs) = &full.sum {
            if ![F_AMOUNT, F_QUANTITY, F_UNIT_RATE, F_USAGE_QUANTITY]
                .iter()
                .any(|&f| FIELDS[f] == key)
            {
                return Err(self.err(format!(
                    "{key}: sum is for numbers (amount, quantity, unit_rate, usage_quantity)"
                )));
            }
            Source::Sum(cs.iter().map(|c| self.col(c)).collect())
        } else {
            Source::Format(self.template(key, full.format.as_deref().unwrap_or_default())?)
        })
    }
}
