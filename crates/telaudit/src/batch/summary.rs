//! summary.csv and summary.json of a batch run: one row per client, sorted by
//! client id (formats.md section 7), and merging the summaries of shard runs.
//!
//! Figures are the 2-decimal strings of the client's report.json, copied, so a
//! summary never disagrees with a report. A client that failed has no figures
//! (empty cells in the CSV, `null` in the JSON) and its reason in `error`; a
//! client audited with refused input has its refusal count in `error`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::str::FromStr;
use telaudit_model::{money_string, Decimal};
pub use telaudit_report::BatchStatus;

/// The `schema` value of summary.json.
pub const SUMMARY_SCHEMA: &str = "telaudit.batch-summary/1";

/// An amount of money already rounded to cents, exactly as report.json writes
/// it (`money_string`): the figures of a summary.
///
/// The summaries copy the report's rounded figures so that a summary never
/// disagrees with a report; holding them as a rounded [`Decimal`] (not as
/// text) lets the batch page and the screen summary add them up without
/// parsing strings back. Written and read as the JSON string `"12.34"`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cents(Decimal);

impl Cents {
    /// `exact` rounded as [`money_string`] rounds it (to cents, half away from
    /// zero, never `-0.00`).
    pub fn round(exact: Decimal) -> Cents {
        // money_string stays the one rounding of money; its output always parses.
        Cents(money_string(exact).parse().unwrap_or(exact))
    }

    /// The rounded amount.
    pub fn value(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&money_string(self.0))
    }
}

impl FromStr for Cents {
    type Err = String;
    /// Reads `12.34` (any decimal; it is rounded to cents).
    fn from_str(s: &str) -> Result<Cents, String> {
        s.parse::<Decimal>().map(Cents::round).map_err(|e| e.to_string())
    }
}

impl Serialize for Cents {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&money_string(self.0))
    }
}

impl<'de> Deserialize<'de> for Cents {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Cents, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|e| serde::de::Error::custom(format!("money {text:?}: {e}")))
    }
}

/// A client's payback in a summary: months (report.json's `payback_months`),
/// or `never` (report.json's `null`). Written as a JSON number or the string
/// `"never"`, and as `12` or `never` in the CSV.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PaybackCell {
    /// The least month from which the cumulative cash flow is 0 or more.
    Months(u128),
    /// The proposal never pays back.
    Never,
}

impl fmt::Display for PaybackCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaybackCell::Months(n) => write!(f, "{n}"),
            PaybackCell::Never => f.write_str("never"),
        }
    }
}

impl PaybackCell {
    /// From report.json's `payback_months` (`None` = null = never).
    pub fn of(months: Option<u128>) -> PaybackCell {
        months.map_or(PaybackCell::Never, PaybackCell::Months)
    }
}

impl Serialize for PaybackCell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PaybackCell::Months(n) => s.serialize_u128(*n),
            PaybackCell::Never => s.serialize_str("never"),
        }
    }
}

impl<'de> Deserialize<'de> for PaybackCell {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PaybackCell, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = PaybackCell;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number of months or \"never\"")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<PaybackCell, E> {
                Ok(PaybackCell::Months(u128::from(n)))
            }
            fn visit_u128<E: serde::de::Error>(self, n: u128) -> Result<PaybackCell, E> {
                Ok(PaybackCell::Months(n))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<PaybackCell, E> {
                if s == "never" {
                    Ok(PaybackCell::Never)
                } else {
                    Err(E::custom(format!(
                        "payback_months {s:?}: expected a number or \"never\""
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// The summary's plan figures of an audited client: the NPV when its report
/// shows the funding plan, the payback when it has a proposal.
pub fn plan_cells(report: &telaudit_report::Report) -> (Option<Cents>, Option<PaybackCell>) {
    match &report.proposal {
        None => (None, None),
        Some(p) => (
            p.shows_plan.then(|| Cents::round(p.plan.npv.cents())),
            Some(PaybackCell::of(p.payback_months)),
        ),
    }
}

/// One client of a batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryRow {
    /// The client id (its folder name).
    pub client: String,
    /// How the client's audit ended.
    pub status: BatchStatus,
    /// Charge rows accepted; `None` when the client failed.
    pub rows: Option<u64>,
    /// report.json's `input.billed_total`; `None` when the client failed.
    pub billed_total: Option<Cents>,
    /// report.json's `totals.recoverable`; `None` when the client failed.
    pub recoverable: Option<Cents>,
    /// report.json's `totals.monthly`; `None` when the client failed.
    pub monthly: Option<Cents>,
    /// report.json's `totals.first_year`; `None` when the client failed.
    pub first_year: Option<Cents>,
    /// report.json's `totals.expired` (found too late to claim); `None` when the
    /// client failed. A summary.json written before this column reads as `None`.
    #[serde(default)]
    pub expired: Option<Cents>,
    /// Why the client failed, or how much of its input was refused, or which
    /// files no reader recognised.
    pub error: Option<String>,
    /// report.json's `proposal.npv`; `None` without a funding plan (or when
    /// the client failed).
    #[serde(default)]
    pub npv: Option<Cents>,
    /// report.json's `proposal.payback_months`; `None` without a proposal (or
    /// when the client failed).
    #[serde(default)]
    pub payback_months: Option<PaybackCell>,
    /// report.json's `input.warnings`; `None` when the client failed (or in a
    /// summary written before this column).
    #[serde(default)]
    pub warnings: Option<u64>,
    /// Finding keys the history first saw in this run (history.md); `None`
    /// when the history could not be written, or for a summary without it.
    #[serde(default)]
    pub new_findings: Option<u64>,
    /// Findings the history resolved in this run; `None` as for new_findings.
    #[serde(default)]
    pub resolved_findings: Option<u64>,
    /// report.json's `recovery.recovered` (docs/recovery.md); `None` without
    /// claims.csv, for a failed client, or in a summary written before it.
    #[serde(default)]
    pub recovered: Option<Cents>,
    /// report.json's `recovery.outstanding`; `None` as for recovered.
    #[serde(default)]
    pub outstanding: Option<Cents>,
    /// Open findings whose recoverable the history saw grow in this run
    /// (history.md); `None` as for new_findings.
    #[serde(default)]
    pub grown_findings: Option<u64>,
}

/// The summary's ledger figures of an audited client: recovered and
/// outstanding, both `None` without claims.csv.
pub fn recovery_cells(report: &telaudit_report::Report) -> (Option<Cents>, Option<Cents>) {
    match &report.recovery {
        None => (None, None),
        Some(r) => (Some(Cents::round(r.recovered)), Some(Cents::round(r.outstanding))),
    }
}

#[derive(Serialize, Deserialize)]
struct SummaryDoc {
    schema: String,
    clients: Vec<SummaryRow>,
}

/// summary.json: pretty-printed with 2 spaces and a trailing newline.
pub fn summary_json(rows: &[SummaryRow]) -> String {
    let doc = SummaryDoc {
        schema: SUMMARY_SCHEMA.to_string(),
        clients: rows.to_vec(),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

use telaudit_model::spreadsheet_guard as safe;

/// summary.csv (RFC 4180, `\n` line ends, no BOM).
pub fn summary_csv(rows: &[SummaryRow]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = w.write_record([
        "client",
        "status",
        "rows",
        "billed_total",
        "recoverable",
        "monthly",
        "first_year",
        "expired",
        "error",
        "npv",
        "payback_months",
        "warnings",
        "new_findings",
        "resolved_findings",
        "recovered",
        "outstanding",
        "grown_findings",
    ]);
    for r in rows {
        let money = |m: &Option<Cents>| m.map(|c| c.to_string()).unwrap_or_default();
        let _ = w.write_record([
            safe(&r.client).into_owned(),
            r.status.as_str().to_string(),
            r.rows.map(|n| n.to_string()).unwrap_or_default(),
            money(&r.billed_total),
            money(&r.recoverable),
            money(&r.monthly),
            money(&r.first_year),
            money(&r.expired),
            safe(r.error.as_deref().unwrap_or("")).into_owned(),
            money(&r.npv),
            r.payback_months.map(|p| p.to_string()).unwrap_or_default(),
            r.warnings.map(|n| n.to_string()).unwrap_or_default(),
            r.new_findings.map(|n| n.to_string()).unwrap_or_default(),
            r.resolved_findings.map(|n| n.to_string()).unwrap_or_default(),
            money(&r.recovered),
            money(&r.outstanding),
            r.grown_findings.map(|n| n.to_string()).unwrap_or_default(),
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Reads a summary.json written by [`summary_json`]; `name` is shown in errors.
pub fn parse_summary_json(name: &str, text: &str) -> Result<Vec<SummaryRow>, String> {
    let doc: SummaryDoc = serde_json::from_str(text).map_err(|e| {
        format!("{name}: not a batch summary.json ({e}); give the --out folder of a batch run")
    })?;
    if doc.schema != SUMMARY_SCHEMA {
        return Err(format!(
            "{name}: schema is {:?}, expected {SUMMARY_SCHEMA:?}",
            doc.schema
        ));
    }
    Ok(doc.clients)
}

/// Merges summaries (of shard runs): every client once, sorted by id. A client
/// in several inputs must have the same figures and error each time (else an
/// error naming it and both sources); its status is then the first in the
/// order audited, error, unchanged.
pub fn merge(inputs: &[(String, Vec<SummaryRow>)]) -> Result<Vec<SummaryRow>, String> {
    let mut by_client: BTreeMap<Vec<u8>, (SummaryRow, &str)> = BTreeMap::new();
    for (source, rows) in inputs {
        for r in rows {
            match by_client.get_mut(r.client.as_bytes()) {
                None => {
                    by_client.insert(r.client.as_bytes().to_vec(), (r.clone(), source));
                }
                Some((have, from)) => {
                    let figures = |x: &SummaryRow| {
                        (
                            (x.recovered, x.outstanding),
                            x.rows,
                            x.billed_total,
                            x.recoverable,
                            x.monthly,
                            x.first_year,
                            x.expired,
                            x.error.clone(),
                            x.npv,
                            x.payback_months,
                            x.warnings,
                            x.status == BatchStatus::Error,
                        )
                    };
                    if figures(have) != figures(r) {
                        return Err(format!(
                            "client {} appears in {from} and in {source} with different figures; \
                             merge the summaries of one batch run's shards only",
                            r.client
                        ));
                    }
                    if r.status < have.status {
                        have.status = r.status;
                    }
                }
            }
        }
    }
    Ok(by_client.into_values().map(|(r, _)| r).collect())
}

/// A one-line description of the counts, e.g. `3 audited, 1 unchanged, 0 failed`.
pub fn counts(rows: &[SummaryRow]) -> String {
    let n = |s: BatchStatus| rows.iter().filter(|r| r.status == s).count();
    let mut o = String::new();
    let _ = write!(
        o,
        "{} audited, {} unchanged, {} failed",
        n(BatchStatus::Audited),
        n(BatchStatus::Unchanged),
        n(BatchStatus::Error)
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(s: &str) -> Option<Cents> {
        Some(s.parse().unwrap())
    }

    fn row(client: &str, status: BatchStatus, rec: &str) -> SummaryRow {
        SummaryRow {
            client: client.into(),
            status,
            rows: Some(10),
            billed_total: cents("100.00"),
            recoverable: cents(rec),
            monthly: cents("1.00"),
            first_year: cents("13.00"),
            expired: cents("0.50"),
            error: None,
            warnings: Some(3),
            npv: cents("-4.50"),
            payback_months: Some(PaybackCell::Months(7)),
            new_findings: Some(2),
            resolved_findings: Some(0),
            recovered: cents("7.25"),
            outstanding: cents("12.00"),
            grown_findings: Some(1),
        }
    }

    #[test]
    fn cents_read_and_write_as_report_json_does() {
        assert_eq!(cents("-0.004").unwrap().to_string(), "0.00");
        assert_eq!(cents("2.345").unwrap().to_string(), "2.35");
        assert_eq!(cents("-2.345").unwrap().to_string(), "-2.35");
        assert_eq!(cents("7").unwrap().value(), Decimal::new(700, 2));
        assert_eq!(serde_json::to_string(&cents("12.3")).unwrap(), "\"12.30\"");
        assert!(serde_json::from_str::<Cents>("\"x\"").is_err());
        assert!(serde_json::from_str::<Cents>("12.3").is_err());
    }

    #[test]
    fn csv_guards_text_cells_and_leaves_money_alone() {
        let mut e = row("=cmd", BatchStatus::Error, "0");
        e.rows = None;
        e.billed_total = None;
        e.recoverable = None;
        e.monthly = None;
        e.first_year = None;
        e.npv = None;
        e.payback_months = None;
        e.expired = None;
        e.error = Some("-bad, \"quoted\"".into());
        e.new_findings = None;
        e.resolved_findings = None;
        e.warnings = None;
        e.recovered = None;
        e.outstanding = None;
        e.grown_findings = None;
        let mut neg = row("b", BatchStatus::Audited, "-5.00");
        neg.error = Some("@x".into());
        let mut never = row("c", BatchStatus::Audited, "1.00");
        never.payback_months = Some(PaybackCell::Never);
        never.npv = None;
        never.recovered = None;
        never.outstanding = None;
        let csv = summary_csv(&[e, neg, never]);
        assert_eq!(
            csv,
            "client,status,rows,billed_total,recoverable,monthly,first_year,expired,error,npv,payback_months,warnings,new_findings,resolved_findings,recovered,outstanding,grown_findings\n\
             '=cmd,error,,,,,,,\"'-bad, \"\"quoted\"\"\",,,,,,,,\n\
             b,audited,10,100.00,-5.00,1.00,13.00,0.50,'@x,-4.50,7,3,2,0,7.25,12.00,1\n\
             c,audited,10,100.00,1.00,1.00,13.00,0.50,,,never,3,2,0,,,1\n"
        );
    }

    #[test]
    fn json_round_trips_and_merge_sorts_and_refuses_conflicts() {
        let a = vec![
            row("b", BatchStatus::Audited, "1.00"),
            row("a", BatchStatus::Unchanged, "2.00"),
        ];
        let text = summary_json(&a);
        assert!(
            text.starts_with("{\n  \"schema\": \"telaudit.batch-summary/1\""),
            "{text}"
        );
        assert_eq!(parse_summary_json("x", &text).unwrap(), a);
        assert!(
            text.contains("\"npv\": \"-4.50\",\n      \"payback_months\": 7,\n"),
            "{text}"
        );
        let mut never = vec![a[0].clone()];
        never[0].payback_months = Some(PaybackCell::Never);
        never[0].npv = None;
        let text = summary_json(&never);
        assert!(
            text.contains("\"npv\": null,\n      \"payback_months\": \"never\",\n"),
            "{text}"
        );
        assert_eq!(parse_summary_json("x", &text).unwrap(), never);
        // A summary written before the plan existed (no npv, no payback_months) still reads.
        let old = text.replace(",\n      \"npv\": null,\n      \"payback_months\": \"never\"", "");
        assert!(!old.contains("npv"), "{old}");
        assert_eq!(parse_summary_json("x", &old).unwrap()[0].payback_months, None);
        // A summary written before the ledger and the grown count (no recovered, no
        // outstanding, no grown_findings) still reads.
        let text = summary_json(&a);
        assert!(
            text.contains(
                "\"recovered\": \"7.25\",\n      \"outstanding\": \"12.00\",\n      \"grown_findings\": 1\n"
            ),
            "{text}"
        );
        let before = text.replace(
            ",\n      \"recovered\": \"7.25\",\n      \"outstanding\": \"12.00\",\n      \"grown_findings\": 1",
            "",
        );
        assert!(
            !before.contains("recovered") && !before.contains("grown"),
            "{before}"
        );
        let read = parse_summary_json("x", &before).unwrap();
        assert_eq!((read[0].recovered, read[0].outstanding), (None, None));
        assert_eq!(read[0].grown_findings, None);
        assert_eq!(read[0].resolved_findings, Some(0));
        // Only the grown count missing (a summary written after the ledger, before version 3).
        let no_grown = text.replace(",\n      \"grown_findings\": 1", "");
        let read = parse_summary_json("x", &no_grown).unwrap();
        assert_eq!((read[0].recovered, read[0].grown_findings), (cents("7.25"), None));
        let merged = merge(&[
            ("s1".into(), a.clone()),
            (
                "s2".into(),
                vec![
                    row("c", BatchStatus::Audited, "3.00"),
                    row("a", BatchStatus::Audited, "2.00"),
                ],
            ),
        ])
        .unwrap();
        let ids: Vec<&str> = merged.iter().map(|r| r.client.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(merged[0].status, BatchStatus::Audited);
        let err = merge(&[
            ("s1".into(), a),
            ("s2".into(), vec![row("b", BatchStatus::Audited, "1.01")]),
        ])
        .unwrap_err();
        assert!(err.contains("client b appears in s1 and in s2"), "{err}");
        let mut other_npv = row("b", BatchStatus::Audited, "1.00");
        other_npv.npv = cents("1.00");
        let err = merge(&[
            ("s1".into(), vec![row("b", BatchStatus::Audited, "1.00")]),
            ("s2".into(), vec![other_npv]),
        ])
        .unwrap_err();
        assert!(err.contains("different figures"), "{err}");
        let mut other_recovered = row("b", BatchStatus::Audited, "1.00");
        other_recovered.recovered = cents("7.26");
        let err = merge(&[
            ("s1".into(), vec![row("b", BatchStatus::Audited, "1.00")]),
            ("s2".into(), vec![other_recovered]),
        ])
        .unwrap_err();
        assert!(err.contains("different figures"), "{err}");
        assert!(parse_summary_json("f.json", "{}").unwrap_err().contains("f.json"));
    }
}
