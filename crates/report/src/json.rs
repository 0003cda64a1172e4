//! report.json (formats.md section 7).

use crate::{Report, SCHEMA};
use serde::Serialize;
use telaudit_model::money_string;

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    client: &'a str,
    name: &'a str,
    input: JsonInput,
    totals: JsonTotals,
    by_rule: Vec<JsonRule<'a>>,
    by_carrier: Vec<JsonCarrier<'a>>,
    unbalanced_invoices: Vec<JsonUnbalanced<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proposal: Option<JsonProposal>,
    as_of: Option<String>,
}

#[derive(Serialize)]
struct JsonInput {
    files: u64,
    rows: u64,
    rejected_rows: u64,
    billed_total: String,
    first_period: Option<String>,
    last_period: Option<String>,
    warnings: u64,
}

#[derive(Serialize)]
struct JsonTotals {
    recoverable: String,
    monthly: String,
    annual: String,
    first_year: String,
    findings: u64,
    expired: String,
}

#[derive(Serialize)]
struct JsonRule<'a> {
    rule: &'a str,
    findings: u64,
    recoverable: String,
    monthly: String,
}

#[derive(Serialize)]
struct JsonCarrier<'a> {
    carrier: &'a str,
    billed_total: String,
    recoverable: String,
    monthly: String,
}

#[derive(Serialize)]
struct JsonUnbalanced<'a> {
    carrier: &'a str,
    account: &'a str,
    invoice: &'a str,
    stated: String,
    computed: String,
    difference: String,
    source: &'a str,
}

#[derive(Serialize)]
struct JsonProposal {
    one_time: String,
    monthly: String,
    first_year_cost: String,
    funded_share: Option<String>,
    payback_months: Option<u128>,
}

/// report.json: pretty-printed with 2 spaces, a trailing newline, byte-identical
/// for the same report.
pub fn report_json(report: &Report) -> String {
    let doc = JsonReport {
        schema: SCHEMA,
        client: &report.client,
        name: &report.name,
        input: JsonInput {
            files: report.input.files,
            rows: report.input.rows,
            rejected_rows: report.input.rejected_rows,
            billed_total: money_string(report.input.billed_total),
            first_period: report.input.first_period.map(|d| d.to_string()),
            last_period: report.input.last_period.map(|d| d.to_string()),
            warnings: report.warnings as u64,
        },
        totals: JsonTotals {
            recoverable: money_string(report.totals.recoverable),
            monthly: money_string(report.totals.monthly),
            annual: money_string(report.totals.annual),
            first_year: money_string(report.totals.first_year),
            findings: report.totals.findings,
            expired: money_string(report.totals.expired),
        },
        by_rule: report
            .by_rule
            .iter()
            .map(|r| JsonRule {
                rule: &r.rule,
                findings: r.findings,
                recoverable: money_string(r.recoverable),
                monthly: money_string(r.monthly),
            })
            .collect(),
        by_carrier: report
            .by_carrier
            .iter()
            .map(|c| JsonCarrier {
                carrier: &c.carrier,
                billed_total: money_string(c.billed_total),
                recoverable: money_string(c.recoverable),
                monthly: money_string(c.monthly),
            })
            .collect(),
        unbalanced_invoices: report
            .unbalanced
            .iter()
            .map(|u| JsonUnbalanced {
                carrier: &u.carrier,
                account: &u.account,
                invoice: &u.invoice,
                stated: money_string(u.stated),
                computed: money_string(u.computed),
                difference: money_string(u.difference),
                source: &u.source,
            })
            .collect(),
        proposal: report.proposal.as_ref().map(|p| JsonProposal {
            one_time: money_string(p.one_time),
            monthly: money_string(p.monthly),
            first_year_cost: money_string(p.first_year_cost),
            funded_share: p.funded_share.map(share_string),
            payback_months: p.payback_months,
        }),
        as_of: report.as_of.map(|d| d.to_string()),
    };
    // Serializing plain structs of strings and integers cannot fail.
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// A share with exactly 4 decimals (the value is already rounded by `summarize`).
pub(crate) fn share_string(d: telaudit_model::Decimal) -> String {
    let mut r = d.round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    if r.is_zero() {
        r = telaudit_model::Decimal::ZERO;
    }
    r.rescale(4);
    r.to_string()
}
