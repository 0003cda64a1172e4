//! summary.csv and summary.json of a batch run: one row per client, sorted by
//! client id (formats.md section 7), and merging the summaries of shard runs.
//!
//! Figures are the 2-decimal strings of the client's report.json, copied, so a
//! summary never disagrees with a report. A client that failed has no figures
//! (empty cells in the CSV, `null` in the JSON) and its reason in `error`; a
//! client audited with refused input has its refusal count in `error`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The `schema` value of summary.json.
pub const SUMMARY_SCHEMA: &str = "telaudit.batch-summary/1";

/// One client of a batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryRow {
    pub client: String,
    /// `audited`, `unchanged` or `error`.
    pub status: String,
    pub rows: Option<u64>,
    pub billed_total: Option<String>,
    pub recoverable: Option<String>,
    pub monthly: Option<String>,
    pub first_year: Option<String>,
    pub error: Option<String>,
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
        "error",
    ]);
    for r in rows {
        let money = |m: &Option<String>| m.clone().unwrap_or_default();
        let _ = w.write_record([
            safe(&r.client).into_owned(),
            safe(&r.status).into_owned(),
            r.rows.map(|n| n.to_string()).unwrap_or_default(),
            money(&r.billed_total),
            money(&r.recoverable),
            money(&r.monthly),
            money(&r.first_year),
            safe(r.error.as_deref().unwrap_or("")).into_owned(),
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
                            x.rows,
                            x.billed_total.clone(),
                            x.recoverable.clone(),
                            x.monthly.clone(),
                            x.first_year.clone(),
                            x.error.clone(),
                            x.status == "error",
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
                        have.status = r.status.clone();
                    }
                }
            }
        }
    }
    Ok(by_client.into_values().map(|(r, _)| r).collect())
}

/// A one-line description of the counts, e.g. `3 audited, 1 unchanged, 0 failed`.
pub fn counts(rows: &[SummaryRow]) -> String {
    let n = |s: &str| rows.iter().filter(|r| r.status == s).count();
    let mut o = String::new();
    let _ = write!(
        o,
        "{} audited, {} unchanged, {} failed",
        n("audited"),
        n("unchanged"),
        n("error")
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(client: &str, status: &str, rec: &str) -> SummaryRow {
        SummaryRow {
            client: client.into(),
            status: status.into(),
            rows: Some(10),
            billed_total: Some("100.00".into()),
            recoverable: Some(rec.into()),
            monthly: Some("1.00".into()),
            first_year: Some("13.00".into()),
            error: None,
        }
    }

    #[test]
    fn csv_guards_text_cells_and_leaves_money_alone() {
        let mut e = row("=cmd", "error", "x");
        e.rows = None;
        e.billed_total = None;
        e.recoverable = None;
        e.monthly = None;
        e.first_year = None;
        e.error = Some("-bad, \"quoted\"".into());
        let mut neg = row("b", "audited", "-5.00");
        neg.error = Some("@x".into());
        let csv = summary_csv(&[e, neg]);
        assert_eq!(
            csv,
            "client,status,rows,billed_total,recoverable,monthly,first_year,error\n\
             '=cmd,error,,,,,,\"'-bad, \"\"quoted\"\"\"\n\
             b,audited,10,100.00,-5.00,1.00,13.00,'@x\n"
        );
    }

    #[test]
    fn json_round_trips_and_merge_sorts_and_refuses_conflicts() {
        let a = vec![row("b", "audited", "1.00"), row("a", "unchanged", "2.00")];
        let text = summary_json(&a);
        assert!(
            text.starts_with("{\n  \"schema\": \"telaudit.batch-summary/1\""),
            "{text}"
        );
        assert_eq!(parse_summary_json("x", &text).unwrap(), a);
        let merged = merge(&[
            ("s1".into(), a.clone()),
            (
                "s2".into(),
                vec![row("c", "audited", "3.00"), row("a", "audited", "2.00")],
            ),
        ])
        .unwrap();
        let ids: Vec<&str> = merged.iter().map(|r| r.client.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(merged[0].status, "audited");
        let err = merge(&[("s1".into(), a), ("s2".into(), vec![row("b", "audited", "1.01")])]).unwrap_err();
        assert!(err.contains("client b appears in s1 and in s2"), "{err}");
        assert!(parse_summary_json("f.json", "{}").unwrap_err().contains("f.json"));
    }
}
