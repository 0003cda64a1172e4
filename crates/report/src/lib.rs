//! Totals an audit's findings and writes its outputs.
//!
//! `telaudit-report` has one job: from a read [`Dump`] and the [`RuleResult`]s of
//! the rules that ran, compute the figures of formats.md section 7
//! ([`summarize`]) and write them as `report.json`, `findings.csv`,
//! `rejected.csv`, `report.md`, `report.html`, `report.xlsx` and the dispute
//! files `disputes/<carrier>/<account>.csv`, `.md` and `.html`, and the changes to
//! order from each carrier, `changes/<carrier>.csv` ([`write_outputs`]). It also
//! renders the batch index page ([`batch_index_html`]).
//!
//! Every figure is held exact (an unrounded [`Decimal`]) until it is written;
//! [`telaudit_model::money_string`] is the only rounding of money. No dollar is
//! counted twice: [`summarize`] groups the claims of all findings by
//! [`ClaimKey`] and counts, per key, the largest claim once.
//!
//! Decisions where the spec is silent (the lead's docs may quote them):
//! - A claim is attributed to a carrier by its key: a `Row` key to that row's
//!   carrier, a `MissingCredit` key to the carrier it names. `by_carrier` lists
//!   every carrier with rows, and also any carrier with claims but no rows.
//! - `unbalanced_invoices[].difference` is `stated - computed`: what the invoice
//!   asks beyond its itemised charges.
//! - `funded_share` is rounded to 4 decimals half away from zero, verified by
//!   exact multiplication. `payback_months` and the funding plan are exact
//!   (big-integer arithmetic, [`proposal`]); a payback beyond 2^128 months is
//!   written as `null`.
//! - Dispute files hold one line per claim key with recoverable money after
//!   overlap removal, attributed to the rule with the largest claim (ties: the
//!   smaller rule id), so an account's lines add up to its share of
//!   `totals.recoverable`. `claimed` is in cents allocated by largest remainder
//!   so the lines add up to the account total rounded once; `claimed_exact`
//!   holds the exact value. Folder and file names go through
//!   [`sanitize_component`]; names that clash case-insensitively get `_2`, `_3`.
//!   `disputes/` is replaced as a whole on every run (removed when nothing is
//!   disputed); so is `changes/` (removed when nothing is to change); nothing
//!   else in the output folder is removed.
//! - `changes/<carrier>.csv` holds one action per service ([`changes`]: the
//!   first of disconnect, cancel, suspend, downgrade among its findings, with
//!   their overlap-free monthly saving); a pool's finding (POL001) gives each of
//!   its services a line with its plan row's share. File names go through
//!   [`sanitize_component`] and clash handling like the dispute folders.
//! - report.html's per-month chart attributes each claim key's largest
//!   recoverable claim to the period_start month of the claimed row (a missing
//!   credit to its period), so the months add up to `totals.recoverable`.
//! - CSV files use `\n` line ends and no BOM. The spreadsheet guard (a leading
//!   `'` before `=`, `+`, `-`, `@`, tab or carriage return) applies to every text
//!   cell, never to the money columns or dates, which the engine writes itself: a
//!   negative amount stays a number.

#![warn(missing_docs)]

mod changes;
mod claims;
mod csv_out;
mod dispute_text;
mod disputes;
mod durable;
mod exact;
mod html;
mod human;
mod json;
mod letter;
mod markdown;
mod output;
pub mod owned;
pub mod proposal;
mod recovery;
mod since;
mod tables;
mod view;
mod xlsx;

pub use changes::{changes, changes_csv, CarrierChanges, ChangeLine};
pub use dispute_text::{dispute_csv, write_dispute_csv, LineContext, LineText};
pub use disputes::{
    disputes, sanitize_component, AccountClaim, AccountDispute, DisputeLine, LineSource, MissingCredit,
};
pub use html::{batch_index_html, report_html, BatchIndexRow, BatchStatus};
pub use human::money_in;
pub use json::{proposal_json, report_json, PROPOSAL_SCHEMA};
pub use letter::{dispute_letter, dispute_letter_html, dispute_letters, LetterContext};
pub use markdown::report_md;
pub use output::{write_atomic, write_outputs, write_outputs_marked, write_outputs_timed, WriteTimes};
pub use recovery::{
    write_claims_csv, write_credits_csv, write_new_claims_csv, CarrierRecovery, ClaimLine, CreditLine,
    NewClaim, RecoveryReport,
};
pub use since::{first_year_change, grew, ChangeKind, PastFinding};
pub use tables::{
    findings_csv, rejected_csv, warnings_csv, write_findings_csv, write_rejected_csv, write_warnings_csv,
};
pub use view::HistoryMarks;
pub use xlsx::report_xlsx;

use proposal::{CashFlow, Exact, Plan};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use telaudit_model::{Date, Decimal, Dump, Proposal, RuleResult, Severity, SourceKind, Sym};
use telaudit_recovery::Recovery;

/// An exact amount as findings.csv writes its in-totals columns: every
/// significant decimal, at least two (`12.50`, `0.045`, `0.00`), so a column of
/// them sums to report.json's totals before the one rounding. The history
/// stores `recoverable_in_totals` and `monthly_in_totals` so (docs/history.md).
pub fn exact_money(d: Decimal) -> String {
    dispute_text::exact_amount(d)
}

/// The audit's as-of date: the date dispute letters and the reports carry, and
/// the date the dispute windows count back from (formats.md section 9): `--as-of`
/// when given, else the latest invoice date in the dump (never the clock, so a
/// rerun writes the same letters); `None` without rows. The one place that date
/// is decided for the outputs ([`Dump::as_of_date`]).
pub fn as_of(dump: &Dump) -> Option<Date> {
    dump.as_of_date()
}

/// What the client asks of each carrier: the dispute lines of every account
/// with recoverable money not claimed yet ([`disputes`]; an account with open
/// claims and no new line gets a follow-up letter), the rows to append to
/// claims.csv once they are filed, and the changes to order from every
/// carrier ([`changes`]). The audit makes them beside the totals, from the
/// same findings; the outputs only render them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CarrierLines {
    /// One per (carrier, account), sorted by carrier then account.
    pub disputes: Vec<AccountDispute>,
    /// disputes/new-claims.csv: one per finding and account with lines in the
    /// dispute files, sorted by carrier, account, finding key.
    pub new_claims: Vec<NewClaim>,
    /// One per carrier, sorted by carrier.
    pub changes: Vec<CarrierChanges>,
}

/// The dispute and change lines of an audit, the two made in parallel (the
/// ledger matched here; an audit that has it already passes it to
/// [`carrier_lines_with`]).
pub fn carrier_lines(dump: &Dump, results: &[RuleResult]) -> CarrierLines {
    carrier_lines_with(dump, results, telaudit_recovery::recover(dump, results).as_ref())
}

/// As [`carrier_lines`], with the ledger's recovery already worked out
/// (`None` without claims.csv).
pub fn carrier_lines_with(dump: &Dump, results: &[RuleResult], rec: Option<&Recovery>) -> CarrierLines {
    carrier_lines_resolved(dump, results, rec, &resolve_claims(results))
}

/// Every claim key of an audit after the overlap rule (formats.md section 6),
/// each once, with the finding it is attributed to: worked out once for the
/// totals ([`summarize_resolved`]) and the dispute lines
/// ([`carrier_lines_resolved`]).
pub struct ResolvedClaims<'a>(Vec<claims::Resolved<'a>>);

/// The claims of `results` after the overlap rule.
pub fn resolve_claims(results: &[RuleResult]) -> ResolvedClaims<'_> {
    ResolvedClaims(claims::resolve(results))
}

/// As [`carrier_lines_with`], with the claims already resolved (from the same results).
pub fn carrier_lines_resolved(
    dump: &Dump,
    results: &[RuleResult],
    rec: Option<&Recovery>,
    claims: &ResolvedClaims<'_>,
) -> CarrierLines {
    let ((disputes, new_claims), changes) = rayon::join(
        || disputes::disputes_of(dump, results, rec, &claims.0),
        || changes::changes_resolved(dump, results, &claims.0),
    );
    CarrierLines {
        disputes,
        new_claims,
        changes,
    }
}

/// The `schema` value of report.json.
pub const SCHEMA: &str = "telaudit.report/1";

/// Everything the outputs show, exact (unrounded) unless a field says otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The client id (the folder name).
    pub client: String,
    /// The display name.
    pub name: String,
    /// What was read: files, rows, refusals, billed total and periods.
    pub input: InputSummary,
    /// The headline figures, each dollar counted once.
    pub totals: Totals,
    /// Every rule that ran, sorted by id.
    pub by_rule: Vec<RuleTotals>,
    /// Sorted by carrier name.
    pub by_carrier: Vec<CarrierTotals>,
    /// In the dump's order (file, then position).
    pub unbalanced: Vec<UnbalancedLine>,
    /// Present only when client.toml has a proposal.
    pub proposal: Option<Funding>,
    /// How many refusals the dump holds (entries of `Dump::rejected`).
    pub rejections: usize,
    /// How many warnings the dump holds.
    pub warnings: usize,
    /// The as-of date of the dispute windows (formats.md section 9): `--as-of`,
    /// else the latest invoice_date; `None` only without rows.
    pub as_of: Option<Date>,
    /// Each finding's (recoverable, monthly) share of the totals after the
    /// overlap rule, exact, in the order of the results' findings (rules in
    /// order, then each rule's findings): they add up to `totals` exactly.
    pub in_totals: Vec<(Decimal, Decimal)>,
    /// The ledger (claims.csv, docs/recovery.md): claims, credits and figures;
    /// `None` when the client folder has no claims.csv.
    pub recovery: Option<RecoveryReport>,
    /// Per (year, month) of the charges claimed, the recoverable money on them
    /// after the overlap rule (a missing credit in its period), in month order:
    /// report.html's chart of the bills and the waste in them.
    pub waste_by_month: Vec<((u32, u32), Decimal)>,
}

/// What the audit read: the `input` object of report.json.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputSummary {
    /// Charge files read (canonical CSV, carrier layouts, X12 811).
    pub files: u64,
    /// Charge rows accepted.
    pub rows: u64,
    /// Charge rows refused (the sum of `Rejection::rows`).
    pub rejected_rows: u64,
    /// The sum of the accepted rows' amounts.
    pub billed_total: Decimal,
    /// The least period_start; `None` without rows.
    pub first_period: Option<Date>,
    /// The greatest period_start; `None` without rows.
    pub last_period: Option<Date>,
    /// Files below invoices/ none of whose charges are counted (formats.md
    /// section 11): second deliveries, recognised exports without charges, and
    /// files no reader recognises.
    pub skipped_files: u64,
    /// Of those, the files no reader recognises (the audit exits 1).
    pub unrecognised_files: u64,
}

/// The totals, each dollar counted once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Totals {
    /// Recoverable now: overbilled money a dispute can claim back.
    pub recoverable: Decimal,
    /// Monthly savings: what stops being billed once the causes are fixed.
    pub monthly: Decimal,
    /// 12 x monthly.
    pub annual: Decimal,
    /// recoverable + annual.
    pub first_year: Decimal,
    /// The number of findings of all rules.
    pub findings: u64,
    /// Recoverable money found too late to claim (the dispute windows closed),
    /// each dollar counted once; not in `recoverable`.
    pub expired: Decimal,
}

/// One rule's own claims (overlap with other rules not removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleTotals {
    /// The rule id, e.g. `R01`.
    pub rule: String,
    /// The rule's title in plain words.
    pub title: String,
    /// The rule's severity, from its rule file.
    pub severity: Severity,
    /// How many findings the rule made.
    pub findings: u64,
    /// The sum of its findings' recoverable values.
    pub recoverable: Decimal,
    /// The sum of its findings' monthly values.
    pub monthly: Decimal,
    /// The sum of its findings' expired values (found too late to claim).
    pub expired: Decimal,
}

/// One carrier: its billed total and its share of the totals (overlap removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarrierTotals {
    /// The carrier's name as billed.
    pub carrier: String,
    /// How many of its charge rows were accepted.
    pub rows: u64,
    /// The sum of its accepted rows' amounts.
    pub billed_total: Decimal,
    /// Its share of `totals.recoverable`.
    pub recoverable: Decimal,
    /// Its share of `totals.monthly`.
    pub monthly: Decimal,
}

/// An X12 811 invoice whose charges do not add up to its stated total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnbalancedLine {
    /// The carrier of the invoice.
    pub carrier: String,
    /// The billed account.
    pub account: String,
    /// The invoice number (BIG02).
    pub invoice: String,
    /// The total the invoice states.
    pub stated: Decimal,
    /// The sum of its itemised charges.
    pub computed: Decimal,
    /// stated - computed.
    pub difference: Decimal,
    /// `file:segment N` of the transaction's ST segment.
    pub source: String,
}

/// How far the found money goes towards the proposal, and its funding plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Funding {
    /// O: the proposal's one-time cost, the sum of the top-level `one_time`
    /// and every item's.
    pub one_time: Decimal,
    /// N: the proposal's monthly cost, the sum of the top-level `monthly` and
    /// every item's.
    pub monthly: Decimal,
    /// one_time + 12 x monthly.
    pub first_year_cost: Decimal,
    /// first_year / first_year_cost, ALREADY rounded to 4 decimals (half away from
    /// zero, exactly); `None` when first_year_cost is 0.
    pub funded_share: Option<Decimal>,
    /// The TEM provider's fees of the first 12 months: a x R + s x M x min(S, 12)
    /// (0 without `[proposal.tem]`), exact.
    pub first_year_fees: Decimal,
    /// first_year / (first_year_cost + first_year_fees), rounded as
    /// `funded_share`: the share the human reports show, the TEM fees counted as
    /// a cost; `None` when that divisor is 0.
    pub funded_share_after_fees: Option<Decimal>,
    /// The least t >= 0 with cumulative(t) >= 0 (optimization.md section 4; without
    /// a TEM share: the smallest whole n >= 0 with recoverable + n x (totals.monthly
    /// - monthly) >= one_time); `None` when there is none.
    pub payback_months: Option<u128>,
    /// The plan: items, TEM fee, NPV and the month-by-month schedule. Always
    /// computed (the `--proposal-json` feed shows it for every proposal).
    pub plan: Plan,
    /// Whether client.toml uses the plan's keys: only then do report.json,
    /// report.md and report.html show the plan, so that a client without them
    /// audits byte-identically as before.
    pub shows_plan: bool,
}

/// Computes every figure of the report from the dump and the rules' results
/// (the ledger matched here; an audit that has it already passes it to
/// [`summarize_with`]).
pub fn summarize(dump: &Dump, results: &[RuleResult]) -> Report {
    summarize_with(dump, results, telaudit_recovery::recover(dump, results).as_ref())
}

/// As [`summarize`], with the ledger's recovery already worked out (`None`
/// without claims.csv).
pub fn summarize_with(dump: &Dump, results: &[RuleResult], rec: Option<&Recovery>) -> Report {
    summarize_resolved(dump, results, rec, &resolve_claims(results))
}

/// As [`summarize_with`], with the claims already resolved (from the same results).
pub fn summarize_resolved(
    dump: &Dump,
    results: &[RuleResult],
    rec: Option<&Recovery>,
    claims: &ResolvedClaims<'_>,
) -> Report {
    let sums = row_sums(dump);
    let input = summarize_input(dump, &sums);

    let by_rule = rule_totals(results);

    let resolved = &claims.0;
    let in_totals = claims::shares(results, resolved);
    let ClaimSums {
        recoverable,
        monthly,
        expired,
        covered,
        carrier_rec,
        carrier_mon,
        carrier_claimed,
        months,
    } = claim_sums(dump, resolved, rec);
    let sym_count = dump.strings.len();
    let annual = monthly * Decimal::from(12);
    let totals = Totals {
        recoverable,
        monthly,
        annual,
        first_year: recoverable + annual,
        findings: results.iter().map(|r| r.findings.len() as u64).sum(),
        expired,
    };

    // by_carrier: billed totals from the rows (integer millionths, exact).
    let mut billed = vec![0i128; sym_count];
    let mut rows = vec![0u64; sym_count];
    for (&c, &(sum, n)) in &sums.per_carrier {
        if let (Some(b), Some(r)) = (billed.get_mut(c.0 as usize), rows.get_mut(c.0 as usize)) {
            *b += sum;
            *r += n;
        }
    }
    let mut carriers: BTreeMap<&str, CarrierTotals> = BTreeMap::new();
    for c in 0..sym_count {
        if rows[c] == 0 && !carrier_claimed[c] {
            continue;
        }
        let name = dump.s(Sym(c as u32));
        carriers.insert(
            name,
            CarrierTotals {
                carrier: name.to_string(),
                rows: rows[c],
                billed_total: micros_sum(billed[c]),
                recoverable: carrier_rec[c],
                monthly: carrier_mon[c],
            },
        );
    }
    let by_carrier: Vec<CarrierTotals> = carriers.into_values().collect();

    let unbalanced = unbalanced_lines(dump);

    let proposal = dump.config.proposal.as_ref().map(|p| funding(p, &totals));
    let recovery = rec.map(|r| recovery::recovery_report(dump, r, covered, totals.recoverable));

    Report {
        client: dump.client.clone(),
        name: dump.display_name().to_string(),
        input,
        totals,
        by_rule,
        by_carrier,
        unbalanced,
        proposal,
        rejections: dump.rejected.len(),
        warnings: dump.warnings.len(),
        as_of: as_of(dump),
        in_totals,
        recovery,
        waste_by_month: {
            let mut m = months;
            m.sort_unstable_by_key(|&(ym, _)| ym);
            m
        },
    }
}

/// The sums of the claims after the overlap rule: the totals, each carrier's
/// share (indexed by carrier symbol), and the recoverable money per month.
struct ClaimSums {
    recoverable: Decimal,
    monthly: Decimal,
    expired: Decimal,
    /// The recoverable money of the lines a filed claim covers (docs/recovery.md).
    covered: Decimal,
    carrier_rec: Vec<Decimal>,
    carrier_mon: Vec<Decimal>,
    carrier_claimed: Vec<bool>,
    /// Per (year, month) of the charges claimed (report.html's chart), unsorted.
    months: Vec<((u32, u32), Decimal)>,
}

/// The overlap rule (claims.rs): per claim key, the largest recoverable and the
/// largest monthly (separately), counted once, on the carrier the key belongs to.
/// Every sum adds its amounts in the claims' order.
fn claim_sums(dump: &Dump, resolved: &[claims::Resolved<'_>], rec: Option<&Recovery>) -> ClaimSums {
    let sym_count = dump.strings.len();
    let mut carrier_rec = vec![Decimal::ZERO; sym_count];
    let mut carrier_mon = vec![Decimal::ZERO; sym_count];
    let mut carrier_claimed = vec![false; sym_count];
    let (mut recoverable, mut monthly, mut expired, mut covered) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    let mut months: Vec<((u32, u32), Decimal)> = Vec::new();
    let mut month_at: FxHashMap<(u32, u32), usize> = FxHashMap::default();
    // Claims come in runs of one month: its place is looked up once a run.
    let mut last_month: Option<((u32, u32), usize)> = None;
    for k in resolved {
        let p = k.period(dump);
        let ym = (p.year(), p.month());
        let at = match last_month {
            Some((m, at)) if m == ym => at,
            _ => {
                let at = *month_at.entry(ym).or_insert_with(|| {
                    months.push((ym, Decimal::ZERO));
                    months.len() - 1
                });
                last_month = Some((ym, at));
                at
            }
        };
        months[at].1 += k.recoverable;
        if rec.is_some_and(|r| r.coverage.claim(&k.key).is_some()) {
            covered += k.recoverable;
        }
        recoverable += k.recoverable;
        monthly += k.monthly;
        expired += k.expired;
        let c = k.account(dump).0 .0 as usize;
        if c < sym_count {
            carrier_rec[c] += k.recoverable;
            carrier_mon[c] += k.monthly;
            carrier_claimed[c] = true;
        }
    }
    ClaimSums {
        recoverable,
        monthly,
        expired,
        covered,
        carrier_rec,
        carrier_mon,
        carrier_claimed,
        months,
    }
}

/// by_rule: each rule's own figures (overlap not removed), sorted by rule id.
fn rule_totals(results: &[RuleResult]) -> Vec<RuleTotals> {
    let mut by_rule: Vec<RuleTotals> = results
        .iter()
        .map(|r| RuleTotals {
            rule: r.rule.id.clone(),
            title: r.rule.title.clone(),
            severity: r.rule.severity,
            findings: r.findings.len() as u64,
            recoverable: r.findings.iter().map(|f| f.recoverable).sum(),
            monthly: r.findings.iter().map(|f| f.monthly).sum(),
            expired: r.findings.iter().map(|f| f.expired).sum(),
        })
        .collect();
    by_rule.sort_by(|a, b| a.rule.cmp(&b.rule));
    by_rule
}

/// The X12 invoices whose charges do not add up to their stated total.
fn unbalanced_lines(dump: &Dump) -> Vec<UnbalancedLine> {
    dump.unbalanced
        .iter()
        .map(|u| {
            let stated = u.stated.to_decimal();
            let computed = u.computed.to_decimal();
            UnbalancedLine {
                carrier: dump.s(u.carrier).to_string(),
                account: dump.s(u.account).to_string(),
                invoice: dump.s(u.invoice).to_string(),
                stated,
                computed,
                difference: stated - computed,
                source: locate(dump, u.source),
            }
        })
        .collect()
}

/// What the totals read of every row, in one parallel pass: the billed total,
/// the first and last period, and per carrier its billed total and rows.
struct RowSums {
    billed: i128,
    first: Option<Date>,
    last: Option<Date>,
    per_carrier: FxHashMap<Sym, (i128, u64)>,
}

fn row_sums(dump: &Dump) -> RowSums {
    use rayon::prelude::*;
    let empty = || RowSums {
        billed: 0,
        first: None,
        last: None,
        per_carrier: FxHashMap::default(),
    };
    dump.rows
        .par_chunks(1 << 16)
        .map(|rows| {
            let mut s = empty();
            // Rows come file by file: one carrier in long runs, added once per run.
            let mut run: Option<(Sym, i128, u64)> = None;
            for r in rows {
                let a = i128::from(r.amount.0);
                s.billed += a;
                s.first = Some(s.first.map_or(r.period_start, |f| f.min(r.period_start)));
                s.last = Some(s.last.map_or(r.period_start, |l| l.max(r.period_start)));
                match &mut run {
                    Some((c, sum, n)) if *c == r.carrier => {
                        *sum += a;
                        *n += 1;
                    }
                    _ => {
                        if let Some((c, sum, n)) = run.replace((r.carrier, a, 1)) {
                            let e = s.per_carrier.entry(c).or_default();
                            e.0 += sum;
                            e.1 += n;
                        }
                    }
                }
            }
            if let Some((c, sum, n)) = run {
                let e = s.per_carrier.entry(c).or_default();
                e.0 += sum;
                e.1 += n;
            }
            s
        })
        .reduce(empty, |mut a, b| {
            a.billed += b.billed;
            a.first = match (a.first, b.first) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            a.last = a.last.max(b.last);
            for (c, (sum, n)) in b.per_carrier {
                let e = a.per_carrier.entry(c).or_default();
                e.0 += sum;
                e.1 += n;
            }
            a
        })
}

fn summarize_input(dump: &Dump, sums: &RowSums) -> InputSummary {
    let files = dump
        .files
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                SourceKind::CanonicalCsv | SourceKind::Layout(_) | SourceKind::Edi811
            )
        })
        .count() as u64;
    InputSummary {
        files,
        rows: dump.rows.len() as u64,
        rejected_rows: dump.rejected.iter().map(|r| r.rows).sum(),
        billed_total: micros_sum(sums.billed),
        first_period: sums.first,
        last_period: sums.last,
        skipped_files: dump.skipped.len() as u64,
        unrecognised_files: dump
            .skipped
            .iter()
            .filter(|s| s.kind == telaudit_model::SkipKind::NotRecognised)
            .count() as u64,
    }
}

/// A sum of millionths as a Decimal. At most 2^32 rows of at most 2^63
/// millionths each stay below 2^95, so this always fits.
fn micros_sum(m: i128) -> Decimal {
    Decimal::try_from_i128_with_scale(m, 6).unwrap_or(if m < 0 { Decimal::MIN } else { Decimal::MAX })
}

/// The proposal figures and its plan, exact.
pub fn funding(p: &Proposal, totals: &Totals) -> Funding {
    let (items, one_time, monthly) = proposal::items(p);
    let flow = CashFlow::new(
        totals.recoverable,
        totals.monthly,
        &one_time,
        &monthly,
        p.tem.as_ref(),
    );
    let first_year_cost = one_time.add(&monthly.mul(&Exact::int(12))).to_decimal();
    // a x R + s x M x min(S, 12): what the TEM provider takes in the first year.
    let first_year_fees = p.tem.as_ref().map_or(Exact::zero(), |t| {
        let months = Exact::int(u128::from(t.savings_months.min(12)));
        Exact::of(t.recovery_share)
            .mul(&Exact::of(totals.recoverable))
            .add(
                &Exact::of(t.savings_share)
                    .mul(&Exact::of(totals.monthly))
                    .mul(&months),
            )
    });
    let cost_after_fees = first_year_fees.add(&Exact::of(first_year_cost)).to_decimal();
    Funding {
        one_time: one_time.to_decimal(),
        monthly: monthly.to_decimal(),
        first_year_cost,
        funded_share: share_4dp(totals.first_year, first_year_cost),
        first_year_fees: first_year_fees.to_decimal(),
        funded_share_after_fees: share_4dp(totals.first_year, cost_after_fees),
        payback_months: flow.payback_months(),
        plan: proposal::plan(p, items, &flow, totals.recoverable, totals.monthly),
        shows_plan: p.has_plan(),
    }
}

/// `num / den` rounded to 4 decimals, half away from zero, proven with exact
/// multiplication; `None` when `den` is 0.
pub fn share_4dp(num: Decimal, den: Decimal) -> Option<Decimal> {
    if den.is_zero() {
        return None;
    }
    let scaled = num.checked_mul(Decimal::from(10_000))?;
    let approx = scaled
        .checked_div(den)?
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    // The right r: |scaled/den - r| < 1/2, or = 1/2 with r farther from zero.
    // With e = scaled - r*den: 2|e| < |den|, or 2|e| = |den| and e/den has the sign opposite to r.
    let exact_scaled = exact::mul(num, Decimal::from(10_000));
    let is_right = |r: Decimal| -> Option<bool> {
        let e = exact::sub(exact_scaled?, exact::mul(r, den)?)?;
        let twice = exact::mul(e.abs(), Decimal::TWO)?;
        Some(match twice.cmp(&den.abs()) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Greater => false,
            std::cmp::Ordering::Equal => {
                let v_minus_r_negative = e.is_sign_negative() != den.is_sign_negative();
                !r.is_zero() && v_minus_r_negative != r.is_sign_negative()
            }
        })
    };
    let candidates = [approx, approx - Decimal::ONE, approx + Decimal::ONE];
    let r = candidates
        .into_iter()
        .find(|&r| is_right(r) == Some(true))
        .unwrap_or(approx);
    let mut share = r / Decimal::from(10_000);
    share.rescale(4);
    Some(share)
}

/// The smallest whole n >= 0 with `recoverable + n * (monthly - proposal_monthly) >=
/// one_time` (formats.md section 7), exact; `None` when there is none.
pub fn payback_months(
    recoverable: Decimal,
    monthly: Decimal,
    one_time: Decimal,
    proposal_monthly: Decimal,
) -> Option<u128> {
    CashFlow::new(
        recoverable,
        monthly,
        &Exact::of(one_time),
        &Exact::of(proposal_monthly),
        None,
    )
    .payback_months()
}

/// `file:line` or `file:segment N`, without panicking on a stray file id.
pub(crate) fn locate(dump: &Dump, src: telaudit_model::SourceRef) -> String {
    match dump.files.get(src.file.0 as usize) {
        Some(f) => f.locate(src.pos),
        None => format!("file#{}:{}", src.file.0, src.pos),
    }
}
