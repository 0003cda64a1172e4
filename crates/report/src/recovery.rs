//! What the outputs say about the ledger (docs/recovery.md): the figures of
//! report.json's `recovery` object, the lines of `recovery/claims.csv` and
//! `recovery/credits.csv`, and `disputes/new-claims.csv`, the rows to append to
//! claims.csv once the new dispute lines are filed.
//!
//! [`RecoveryReport`] is worked out once, in [`crate::summarize_with`], from
//! `telaudit_recovery`'s matching; every output renders it. Money is exact
//! until written.

use crate::tables::guard;
use std::io::{self, Write};
use telaudit_model::{money_string, Date, Decimal, Dump, LedgerClaim};
use telaudit_recovery::{ClaimState, ClaimStatus, Matched, Recovery};

/// One claim of the ledger as the outputs show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimLine {
    /// The claim's reference.
    pub claim_id: String,
    /// The carrier, as billed.
    pub carrier: String,
    /// The account, as billed.
    pub account: String,
    /// The service, or empty for the whole account.
    pub service: String,
    /// The finding it disputes, or empty.
    pub finding_key: String,
    /// The day it reached the carrier.
    pub filed_on: Date,
    /// The money claimed.
    pub amount: Decimal,
    /// The credits that pay it, as positive money, exact.
    pub recovered: Decimal,
    /// What is still owed on it (0 when denied or withdrawn).
    pub outstanding: Decimal,
    /// Its state as of the as-of date.
    pub status: ClaimStatus,
    /// Days since it was filed.
    pub days_open: i64,
    /// The paying rows, `file:line`, `;`-joined, in the order applied.
    pub credits: String,
    /// The analyst's note.
    pub note: String,
}

/// One credit of a carrier and account with claims, as recovery/credits.csv writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditLine {
    /// The carrier, as billed.
    pub carrier: String,
    /// The account, as billed.
    pub account: String,
    /// The invoice it is on.
    pub invoice: String,
    /// Its invoice date.
    pub invoice_date: Date,
    /// Its service, or empty.
    pub service: String,
    /// Its charge code.
    pub charge_code: String,
    /// Its description.
    pub description: String,
    /// The amount as billed (negative), exact.
    pub amount: Decimal,
    /// The claim it pays, or (ambiguous) the claims it could pay, `;`-joined.
    pub claim_id: String,
    /// How it was matched.
    pub matched: Matched,
    /// `file:line` of the row.
    pub source: String,
}

/// One carrier's claims: what was asked, what came back, what is owed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarrierRecovery {
    /// The carrier, as the ledger names it.
    pub carrier: String,
    /// The sum of its claims' amounts.
    pub claimed: Decimal,
    /// The credits that pay its claims.
    pub recovered: Decimal,
    /// Still owed on its claims.
    pub outstanding: Decimal,
}

/// The ledger as the outputs show it: report.json's `recovery` object and the
/// lines of the recovery CSVs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Every claim taken into account, sorted by carrier, account, filing date, claim id.
    pub claims: Vec<ClaimLine>,
    /// Every credit of an account with claims, by carrier and account, then in the
    /// order they were matched.
    pub credits: Vec<CreditLine>,
    /// The sum of every claim's amount.
    pub claimed: Decimal,
    /// Every credit that pays a claim (a denied claim's included).
    pub recovered: Decimal,
    /// Still owed on the claims.
    pub outstanding: Decimal,
    /// The sum of the denied claims' amounts.
    pub denied: Decimal,
    /// How many claims are overdue.
    pub overdue: u64,
    /// Their outstanding.
    pub overdue_amount: Decimal,
    /// The recoverable money of the dispute lines a claim covers (claimed
    /// already, and not expired).
    pub covered: Decimal,
    /// The recoverable money of the dispute files' lines (not claimed yet):
    /// `covered + unclaimed = totals.recoverable`.
    pub unclaimed: Decimal,
    /// The ambiguous credits' sum, as positive money.
    pub ambiguous_credits: Decimal,
    /// The unmatched credits' sum, as positive money.
    pub unmatched_credits: Decimal,
    /// How many days a carrier may take to answer.
    pub response_days: u32,
    /// `recovery_share x recovered` with `[proposal.tem]`: what the TEM
    /// provider may invoice now.
    pub tem_fee_due: Option<Decimal>,
    /// Per carrier (byte order of the name).
    pub by_carrier: Vec<CarrierRecovery>,
}

impl RecoveryReport {
    /// The overdue claims, oldest first (the escalation list).
    pub fn overdue_claims(&self) -> Vec<&ClaimLine> {
        let mut v: Vec<&ClaimLine> = self
            .claims
            .iter()
            .filter(|c| c.status == ClaimStatus::Overdue)
            .collect();
        v.sort_by(|a, b| {
            a.filed_on
                .cmp(&b.filed_on)
                .then_with(|| a.carrier.cmp(&b.carrier))
                .then_with(|| a.account.cmp(&b.account))
                .then_with(|| a.claim_id.cmp(&b.claim_id))
        });
        v
    }

    /// The credits matched `ambiguous` or `unmatched`, in credits.csv order.
    pub fn loose_credits(&self) -> impl Iterator<Item = &CreditLine> {
        self.credits
            .iter()
            .filter(|c| matches!(c.matched, Matched::Ambiguous | Matched::Unmatched))
    }
}

/// The report's view of the ledger; `covered` is the covered lines' money,
/// worked out with the totals (`totals.recoverable - covered` is the rest).
pub(crate) fn recovery_report(
    dump: &Dump,
    rec: &Recovery,
    covered: Decimal,
    recoverable: Decimal,
) -> RecoveryReport {
    let claims = claim_lines(dump, rec);
    let credits = credit_lines(dump, rec);
    let sum = |f: &dyn Fn(&ClaimLine) -> Decimal| claims.iter().map(f).sum::<Decimal>();
    let overdue: Vec<&ClaimLine> = claims
        .iter()
        .filter(|c| c.status == ClaimStatus::Overdue)
        .collect();
    let loose = |m: Matched| -> Decimal {
        -credits
            .iter()
            .filter(|c| c.matched == m)
            .map(|c| c.amount)
            .sum::<Decimal>()
    };
    let recovered = sum(&|c| c.recovered);
    let mut by: std::collections::BTreeMap<&str, CarrierRecovery> = Default::default();
    for c in &claims {
        let e = by.entry(c.carrier.as_str()).or_insert_with(|| CarrierRecovery {
            carrier: c.carrier.clone(),
            claimed: Decimal::ZERO,
            recovered: Decimal::ZERO,
            outstanding: Decimal::ZERO,
        });
        e.claimed += c.amount;
        e.recovered += c.recovered;
        e.outstanding += c.outstanding;
    }
    let by_carrier = by.into_values().collect();
    RecoveryReport {
        claimed: sum(&|c| c.amount),
        recovered,
        outstanding: sum(&|c| c.outstanding),
        denied: sum(&|c| {
            if c.status == ClaimStatus::Denied {
                c.amount
            } else {
                Decimal::ZERO
            }
        }),
        overdue: overdue.len() as u64,
        overdue_amount: overdue.iter().map(|c| c.outstanding).sum(),
        covered,
        unclaimed: recoverable - covered,
        ambiguous_credits: loose(Matched::Ambiguous),
        unmatched_credits: loose(Matched::Unmatched),
        response_days: rec.response_days,
        tem_fee_due: dump
            .config
            .proposal
            .as_ref()
            .and_then(|p| p.tem.as_ref())
            .map(|t| t.recovery_share * recovered),
        by_carrier,
        claims,
        credits,
    }
}

/// The claim lines, sorted by carrier, account, filing date, claim id.
pub(crate) fn claim_lines(dump: &Dump, rec: &Recovery) -> Vec<ClaimLine> {
    let mut v: Vec<ClaimLine> = rec.claims.iter().map(|s| claim_line(dump, rec, s)).collect();
    v.sort_by(|a, b| {
        (&a.carrier, &a.account, a.filed_on, &a.claim_id).cmp(&(
            &b.carrier,
            &b.account,
            b.filed_on,
            &b.claim_id,
        ))
    });
    v
}

/// One claim as the outputs show it.
pub(crate) fn claim_line(dump: &Dump, rec: &Recovery, s: &ClaimState) -> ClaimLine {
    let c: &LedgerClaim = rec.claim(dump, s);
    let places: Vec<String> = s
        .credits
        .iter()
        .filter_map(|&r| dump.rows.get(r as usize))
        .map(|r| crate::locate(dump, r.source))
        .collect();
    ClaimLine {
        claim_id: c.claim_id.clone(),
        carrier: dump.s(c.carrier).to_string(),
        account: dump.s(c.account).to_string(),
        service: dump.s(c.service).to_string(),
        finding_key: c.finding_key.clone(),
        filed_on: c.filed_on,
        amount: c.amount.to_decimal(),
        recovered: s.recovered,
        outstanding: s.outstanding,
        status: s.status,
        days_open: s.days_open,
        credits: places.join(";"),
        note: c.note.clone(),
    }
}

/// The credit lines, by carrier and account, each account's in matching order.
fn credit_lines(dump: &Dump, rec: &Recovery) -> Vec<CreditLine> {
    let mut v: Vec<(usize, CreditLine)> = rec
        .credits
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let r = dump.rows.get(c.row as usize)?;
            let ids: Vec<&str> = c
                .claims
                .iter()
                .map(|&k| rec.claim(dump, &rec.claims[k]).claim_id.as_str())
                .collect();
            Some((
                i,
                CreditLine {
                    carrier: dump.s(r.carrier).to_string(),
                    account: dump.s(r.account).to_string(),
                    invoice: dump.s(r.invoice).to_string(),
                    invoice_date: r.invoice_date,
                    service: dump.s(r.service).to_string(),
                    charge_code: dump.s(r.charge_code).to_string(),
                    description: dump.s(r.description).to_string(),
                    amount: r.amount.to_decimal(),
                    claim_id: ids.join(";"),
                    matched: c.matched,
                    source: crate::locate(dump, r.source),
                },
            ))
        })
        .collect();
    v.sort_by(|(i, a), (j, b)| (&a.carrier, &a.account, i).cmp(&(&b.carrier, &b.account, j)));
    v.into_iter().map(|(_, c)| c).collect()
}

/// The columns of recovery/claims.csv (and of report.xlsx's Claims sheet).
pub const CLAIM_COLUMNS: [&str; 13] = [
    "claim_id",
    "carrier",
    "account",
    "service_id",
    "finding_key",
    "filed_on",
    "amount",
    "recovered",
    "outstanding",
    "status",
    "days_open",
    "credits",
    "note",
];

/// The columns of recovery/credits.csv.
const CREDIT_COLUMNS: [&str; 11] = [
    "carrier",
    "account",
    "invoice",
    "invoice_date",
    "service_id",
    "charge_code",
    "description",
    "amount",
    "claim_id",
    "matched",
    "source",
];

/// The columns of claims.csv, which disputes/new-claims.csv writes so that its
/// rows can be appended to the ledger.
const LEDGER_COLUMNS: [&str; 9] = [
    "claim_id",
    "carrier",
    "account",
    "service_id",
    "finding_key",
    "filed_on",
    "amount",
    "status",
    "note",
];

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e.to_string())
}

/// recovery/claims.csv: one row per claim taken into account. Text cells
/// (claim ids, notes ...) are guarded against spreadsheet formulas.
pub fn write_claims_csv<W: Write>(w: W, r: &RecoveryReport) -> io::Result<()> {
    let mut out = csv::WriterBuilder::new().from_writer(w);
    out.write_record(CLAIM_COLUMNS).map_err(csv_err)?;
    for c in &r.claims {
        out.write_record([
            guard(&c.claim_id).as_ref(),
            guard(&c.carrier).as_ref(),
            guard(&c.account).as_ref(),
            guard(&c.service).as_ref(),
            guard(&c.finding_key).as_ref(),
            c.filed_on.to_string().as_str(),
            money_string(c.amount).as_str(),
            money_string(c.recovered).as_str(),
            money_string(c.outstanding).as_str(),
            c.status.as_str(),
            c.days_open.to_string().as_str(),
            guard(&c.credits).as_ref(),
            guard(&c.note).as_ref(),
        ])
        .map_err(csv_err)?;
    }
    out.flush()
}

/// recovery/credits.csv: every credit of a carrier and account with claims;
/// the amount as billed, exact.
pub fn write_credits_csv<W: Write>(w: W, r: &RecoveryReport) -> io::Result<()> {
    let mut out = csv::WriterBuilder::new().from_writer(w);
    out.write_record(CREDIT_COLUMNS).map_err(csv_err)?;
    for c in &r.credits {
        out.write_record([
            guard(&c.carrier).as_ref(),
            guard(&c.account).as_ref(),
            guard(&c.invoice).as_ref(),
            c.invoice_date.to_string().as_str(),
            guard(&c.service).as_ref(),
            guard(&c.charge_code).as_ref(),
            guard(&c.description).as_ref(),
            crate::dispute_text::exact_amount(c.amount).as_str(),
            guard(&c.claim_id).as_ref(),
            c.matched.as_str(),
            guard(&c.source).as_ref(),
        ])
        .map_err(csv_err)?;
    }
    out.flush()
}

/// One row of disputes/new-claims.csv: a finding's lines on one account in the
/// dispute files, to be filed and then appended to claims.csv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewClaim {
    /// The carrier, as billed.
    pub carrier: String,
    /// The account, as billed.
    pub account: String,
    /// The finding's service (empty for an account-level finding).
    pub service: String,
    /// The finding's key.
    pub finding_key: String,
    /// The exact sum of its lines' claims (written rounded to cents).
    pub amount: Decimal,
    /// The rule id and the finding's text, for the analyst.
    pub note: String,
}

/// disputes/new-claims.csv: claims.csv's columns, claim_id, filed_on and
/// status empty, amount the sum of the finding's lines rounded to cents (half
/// away from zero). Written also without a ledger (header only when nothing is
/// disputed).
pub fn write_new_claims_csv<W: Write>(w: W, rows: &[NewClaim]) -> io::Result<()> {
    let mut out = csv::WriterBuilder::new().from_writer(w);
    out.write_record(LEDGER_COLUMNS).map_err(csv_err)?;
    for n in rows {
        out.write_record([
            "",
            guard(&n.carrier).as_ref(),
            guard(&n.account).as_ref(),
            guard(&n.service).as_ref(),
            guard(&n.finding_key).as_ref(),
            "",
            money_string(n.amount).as_str(),
            "",
            guard(&n.note).as_ref(),
        ])
        .map_err(csv_err)?;
    }
    out.flush()
}
