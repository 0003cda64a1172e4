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
struct RawCond {
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
enum RawValue {
    Column(String),
    Full(RawFull),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFull {
    column: Option<String>,
    #[serde(rename = "const")]
    constant: Option<String>,
    first: Option<Vec<String>>,
    sum: Option<Vec<String>>,
    format: Option<String>,
    regex: Option<String>,
    map: Option<BTreeMap<String, String>>,
    default: Option<String>,
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
    pub name: String,
    pub title: String,
    /// `layouts/<name>.toml`.
    pub file: String,
    pub role: Role,
    pub note: String,
    pub(crate) delimiter: u8,
    pub(crate) quoting: bool,
    /// 1-based line of the column names.
    pub(crate) header_line: usize,
    /// Further header lines after it (Bell's French line).
    pub(crate) skip_lines: usize,
    pub signature: Vec<String>,
    pub(crate) number: NumberFormat,
    pub(crate) dates: Vec<DatePattern>,
    pub superseded_by: Option<String>,
    /// A column that holds the row's total: the charges made from a row must sum to it.
    pub(crate) check_total: Option<usize>,
    /// Extensions besides .csv/.txt/.tsv it is tried on (informational).
    pub extensions: Vec<String>,
    pub(crate) skips: Vec<Cond>,
    pub(crate) period: PeriodSpec,
    pub(crate) charges: Vec<ChargeSpec>,
    /// Every column name the layout reads, as written in the TOML.
    pub(crate) columns: Vec<String>,
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
pub(crate) fn compile(file: &str, text: &str) -> Result<Layout, String> {
    let raw: RawLayout = toml::from_str(text).map_err(|e| format!("{file}: {}", e.to_string().trim_end()))?;
    let err = |m: String| format!("{file}: {m}");
    let delimiter = match raw.delimiter.as_str() {
        "," => b',',
        "\t" | "tab" => b'\t',
        "|" => b'|',
        ";" => b';',
        d => {
            return Err(err(format!(
                "delimiter {d:?}: use \",\", \"\\t\", \"|\" or \";\""
            )))
        }
    };
    let number = match raw.number_format.as_str() {
        "us" => NumberFormat::Us,
        "eu" => NumberFormat::Eu,
        n => {
            return Err(err(format!(
                "number_format {n:?}: use \"us\" (1,234.56) or \"eu\" (1.234,56)"
            )))
        }
    };
    let role = match raw.role.as_str() {
        "charges" => Role::Charges,
        "ignore" => Role::Ignore,
        r => return Err(err(format!("role {r:?}: use \"charges\" or \"ignore\""))),
    };
    if raw.header_line == 0 {
        return Err(err("header_line counts from 1".into()));
    }
    if raw.signature.is_empty() {
        return Err(err("signature must name at least one header column".into()));
    }
    let mut dates = Vec::new();
    for d in &raw.date_formats {
        dates.push(DatePattern::new(d).map_err(err)?);
    }
    if dates.is_empty() {
        dates.push(DatePattern::new("YYYY-MM-DD").map_err(err)?);
    }
    let mut columns: Vec<String> = Vec::new();
    let mut col = |name: &str| -> usize {
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
    };
    let re = |what: &str, r: &str| Regex::new(r).map_err(|e| err(format!("{what}: bad regex {r:?}: {e}")));
    let cond = |c: &RawCond, col: &mut dyn FnMut(&str) -> usize, what: &str| -> Result<Cond, String> {
        let (r, negate) = match (&c.regex, &c.unless) {
            (Some(r), None) => (r, false),
            (None, Some(r)) => (r, true),
            _ => return Err(err(format!("{what}: give exactly one of regex or unless"))),
        };
        Ok(Cond {
            column: col(&c.column),
            regex: re(what, r)?,
            negate,
        })
    };
    let mut skips = Vec::new();
    for s in &raw.skip {
        skips.push(cond(s, &mut col, "[[skip]]")?);
    }
    let period = PeriodSpec {
        range: raw.period.range.as_deref().map(&mut col),
        start_end: match (&raw.period.start, &raw.period.end) {
            (Some(s), Some(e)) => Some((col(s), col(e))),
            (None, None) => None,
            _ => return Err(err("[period] start and end go together".into())),
        },
        cycle_end: raw.period.cycle_end.as_deref().map(&mut col),
        prior_month: raw.period.prior_month,
    };
    if role == Role::Charges
        && period.range.is_none()
        && period.start_end.is_none()
        && period.cycle_end.is_none()
        && !period.prior_month
    {
        return Err(err(
            "[period] must say where the service period comes from (range, start + end, cycle_end or prior_month = true)"
                .into(),
        ));
    }
    let template = |key: &str, f: &str, col: &mut dyn FnMut(&str) -> usize| -> Result<Vec<Piece>, String> {
        let mut pieces = Vec::new();
        let mut rest = f;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| err(format!("{key}: template {f:?} has an unclosed {{")))?;
            pieces.push(Piece::Column(col(&rest[open + 1..open + close])));
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        Ok(pieces)
    };
    let value = |key: &str, v: &RawValue, col: &mut dyn FnMut(&str) -> usize| -> Result<Value, String> {
        let full = match v {
            RawValue::Column(c) => {
                return Ok(Value {
                    source: Source::Column(col(c)),
                    regex: None,
                    map: None,
                    default: None,
                })
            }
            RawValue::Full(f) => f,
        };
        let given = [
            full.column.is_some(),
            full.constant.is_some(),
            full.first.is_some(),
            full.sum.is_some(),
            full.format.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(err(format!(
                "{key}: give exactly one of column, const, first, sum or format"
            )));
        }
        let source = if let Some(c) = &full.column {
            Source::Column(col(c))
        } else if let Some(c) = &full.constant {
            Source::Const(c.clone())
        } else if let Some(cs) = &full.first {
            let mut alts = Vec::new();
            for c in cs {
                alts.push(if c.contains('{') {
                    template(key, c, col)?
                } else {
                    vec![Piece::Column(col(c))]
                });
            }
            Source::First(alts)
        } else if let Some(cs) = &full.sum {
            if ![F_AMOUNT, F_QUANTITY, F_UNIT_RATE, F_USAGE_QUANTITY]
                .iter()
                .any(|&f| FIELDS[f] == key)
            {
                return Err(err(format!(
                    "{key}: sum is for numbers (amount, quantity, unit_rate, usage_quantity)"
                )));
            }
            Source::Sum(cs.iter().map(|c| col(c)).collect())
        } else {
            Source::Format(template(key, full.format.as_deref().unwrap_or_default(), col)?)
        };
        Ok(Value {
            source,
            regex: full.regex.as_deref().map(|r| re(key, r)).transpose()?,
            map: full.map.as_ref().map(|m| {
                m.iter()
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.clone()))
                    .collect()
            }),
            default: full.default.clone(),
        })
    };
    let mut base: Vec<Option<Value>> = vec![None; FIELDS.len()];
    let field_index = |k: &str| -> Result<usize, String> {
        FIELDS.iter().position(|f| *f == k).ok_or_else(|| {
            err(format!(
                "unknown field {k:?}; a layout makes {} (periods come from [period])",
                FIELDS.join(", ")
            ))
        })
    };
    for (k, v) in &raw.fields {
        base[field_index(k)?] = Some(value(k, v, &mut col)?);
    }
    let mut charges = Vec::new();
    let raw_charges: Vec<RawCharge> = if raw.charges.is_empty() {
        vec![RawCharge {
            skip_zero: false,
            when: None,
            fields: BTreeMap::new(),
        }]
    } else {
        raw.charges
    };
    for (n, c) in raw_charges.iter().enumerate() {
        let mut fields = base.clone();
        for (k, v) in &c.fields {
            fields[field_index(k)?] = Some(value(k, v, &mut col)?);
        }
        if role == Role::Charges {
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
                    return Err(err(format!(
                        "charge {} does not say how to make {} (required); add it to [fields] or the [[charges]] entry",
                        n + 1,
                        FIELDS[req]
                    )));
                }
            }
        }
        let when = match &c.when {
            Some(w) => Some(cond(w, &mut col, "when")?),
            None => None,
        };
        charges.push(ChargeSpec {
            fields,
            skip_zero: c.skip_zero,
            when,
        });
    }
    let check_total = raw.check_total.as_deref().map(&mut col);
    for s in &raw.signature {
        col(s);
    }
    if let Some(stem) = file.rsplit('/').next().and_then(|f| f.strip_suffix(".toml")) {
        if stem != raw.name {
            return Err(err(format!(
                "name {:?} must match the file name ({stem}.toml)",
                raw.name
            )));
        }
    }
    Ok(Layout {
        name: raw.name,
        title: raw.title,
        file: file.to_string(),
        role,
        note: raw.note,
        delimiter,
        quoting: raw.quoting.unwrap_or(delimiter == b','),
        header_line: raw.header_line,
        skip_lines: raw.skip_lines,
        signature: raw.signature.iter().map(|s| s.trim().to_string()).collect(),
        number,
        dates,
        superseded_by: raw.superseded_by,
        check_total,
        extensions: raw.extensions,
        skips,
        period,
        charges,
        columns,
    })
}
