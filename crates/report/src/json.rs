//! report.json (formats.md section 7).

use crate::proposal::Plan;
use crate::{Funding, Report, SCHEMA};
use serde::Serialize;
use telaudit_model::{money_string, Decimal};

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
    proposal: Option<JsonProposal<'a>>,
    as_of: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recovery: Option<JsonRecovery<'a>>,
}

/// The ledger's figures (docs/recovery.md section 6); absent without claims.csv.
#[derive(Serialize)]
struct JsonRecovery<'a> {
    claims: u64,
    claimed: String,
    recovered: String,
    outstanding: String,
    denied: String,
    overdue: u64,
    overdue_amount: String,
    covered: String,
    unclaimed: String,
    ambiguous_credits: String,
    unmatched_credits: String,
    response_days: u32,
    by_carrier: Vec<JsonCarrierRecovery<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tem_fee_due: Option<String>,
}

#[derive(Serialize)]
struct JsonCarrierRecovery<'a> {
    carrier: &'a str,
    claimed: String,
    recovered: String,
    outstanding: String,
}

fn json_recovery(r: &crate::RecoveryReport) -> JsonRecovery<'_> {
    JsonRecovery {
        claims: r.claims.len() as u64,
        claimed: money_string(r.claimed),
        recovered: money_string(r.recovered),
        outstanding: money_string(r.outstanding),
        denied: money_string(r.denied),
        overdue: r.overdue,
        overdue_amount: money_string(r.overdue_amount),
        covered: money_string(r.covered),
        unclaimed: money_string(r.unclaimed),
        ambiguous_credits: money_string(r.ambiguous_credits),
        unmatched_credits: money_string(r.unmatched_credits),
        response_days: r.response_days,
        by_carrier: r
            .by_carrier
            .iter()
            .map(|c| JsonCarrierRecovery {
                carrier: &c.carrier,
                claimed: money_string(c.claimed),
                recovered: money_string(c.recovered),
                outstanding: money_string(c.outstanding),
            })
            .collect(),
        tem_fee_due: r.tem_fee_due.map(money_string),
    }
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
    skipped_files: u64,
    unrecognised_files: u64,
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
struct JsonProposal<'a> {
    one_time: String,
    monthly: String,
    first_year_cost: String,
    funded_share: Option<String>,
    funded_share_after_fees: Option<String>,
    payback_months: Option<u128>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    plan: Option<JsonPlan<'a>>,
}

/// The funding plan's fields of the proposal object (optimization.md section 4).
#[derive(Serialize)]
struct JsonPlan<'a> {
    horizon_months: u32,
    discount_rate: String,
    items: Vec<JsonItem<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tem: Option<JsonTem<'a>>,
    tem_fees: String,
    npv: String,
    net_first_year: String,
    schedule: Vec<JsonMonth>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    provider: &'a str,
    role: &'a str,
    one_time: String,
    monthly: String,
}

#[derive(Serialize)]
struct JsonTem<'a> {
    provider: &'a str,
    recovery_share: String,
    savings_share: String,
    savings_months: u64,
}

#[derive(Serialize)]
struct JsonMonth {
    month: u32,
    cash_flow: String,
    cumulative: String,
}

/// The `--proposal-json` feed: the proposal object alone, with the plan.
#[derive(Serialize)]
struct JsonProposalFeed<'a> {
    schema: &'static str,
    client: &'a str,
    name: &'a str,
    #[serde(flatten)]
    proposal: JsonProposal<'a>,
}

/// The `schema` value of the `--proposal-json` feed.
pub const PROPOSAL_SCHEMA: &str = "telaudit.proposal/1";

/// The proposal object; the plan's fields only when `with_plan`.
fn json_proposal(p: &Funding, with_plan: bool) -> JsonProposal<'_> {
    JsonProposal {
        one_time: money_string(p.one_time),
        monthly: money_string(p.monthly),
        first_year_cost: money_string(p.first_year_cost),
        funded_share: p.funded_share.map(share_string),
        funded_share_after_fees: p.funded_share_after_fees.map(share_string),
        payback_months: p.payback_months,
        plan: with_plan.then(|| json_plan(&p.plan)),
    }
}

fn json_plan(p: &Plan) -> JsonPlan<'_> {
    JsonPlan {
        horizon_months: p.horizon_months,
        discount_rate: decimal_as_given(p.discount_rate),
        items: p
            .items
            .iter()
            .map(|i| JsonItem {
                provider: &i.provider,
                role: &i.role,
                one_time: money_string(i.one_time),
                monthly: money_string(i.monthly),
            })
            .collect(),
        tem: p.tem.as_ref().map(|t| JsonTem {
            provider: &t.provider,
            recovery_share: decimal_as_given(t.recovery_share),
            savings_share: decimal_as_given(t.savings_share),
            savings_months: t.savings_months,
        }),
        tem_fees: money_string(p.tem_fees.cents()),
        npv: money_string(p.npv.cents()),
        net_first_year: money_string(p.net_first_year.cents()),
        schedule: p
            .schedule
            .iter()
            .map(|m| JsonMonth {
                month: m.month,
                cash_flow: money_string(m.cash_flow.cents()),
                cumulative: money_string(m.cumulative.cents()),
            })
            .collect(),
    }
}

/// A rate or share with the decimals client.toml gave it ("0.30" stays "0.30").
fn decimal_as_given(d: Decimal) -> String {
    d.to_string()
}

/// The `--proposal-json` feed (schema `telaudit.proposal/1`): the client, and
/// the proposal object of report.json with every field of the plan, also for a
/// client.toml without the plan's keys (defaults: horizon 36, rate 0, the
/// top-level pair as the one item). `None` when client.toml has no proposal.
pub fn proposal_json(report: &Report) -> Option<String> {
    let p = report.proposal.as_ref()?;
    let doc = JsonProposalFeed {
        schema: PROPOSAL_SCHEMA,
        client: &report.client,
        name: &report.name,
        proposal: json_proposal(p, true),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    Some(s)
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
            skipped_files: report.input.skipped_files,
            unrecognised_files: report.input.unrecognised_files,
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
        proposal: report.proposal.as_ref().map(|p| json_proposal(p, p.shows_plan)),
        as_of: report.as_of.map(|d| d.to_string()),
        recovery: report.recovery.as_ref().map(json_recovery),
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
