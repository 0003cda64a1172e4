//! What rules produce: findings, each with its evidence and its claims on money.

use crate::{Date, RowId, SourceRef, Sym};
use rust_decimal::Decimal;

/// What a claim is on. Totals take, per key, the largest claim once, so two
/// rules claiming the same row never count its dollars twice.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClaimKey {
    /// A charge row.
    Row(RowId),
    /// A credit the carrier owed and did not give: it has no row of its own, so
    /// it is a claim on its (carrier, account, service, period, code).
    MissingCredit {
        carrier: Sym,
        account: Sym,
        service: Sym,
        period: Date,
        code: Sym,
    },
}

/// Money a finding asks for, on one key. Values are exact, never rounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub key: ClaimKey,
    /// Already overbilled; a dispute can claim it back.
    pub recoverable: Decimal,
    /// What stops being billed each month once the cause is fixed.
    pub monthly: Decimal,
}

/// One thing an analyst would dispute or cancel: per service (or account), rule and cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule id, e.g. `DUP001`.
    pub rule: String,
    pub carrier: Sym,
    pub account: Sym,
    /// `Sym::EMPTY` for an account-level finding.
    pub service: Sym,
    /// The distinct invoices of the rows it rests on.
    pub invoices: Vec<Sym>,
    /// The first and last period_start it covers.
    pub first_period: Date,
    pub last_period: Date,
    /// Plain words for the analyst, e.g.
    /// `State Sales Tax billed to a tax-exempt client, 12 periods`.
    pub description: String,
    /// Sum of the claims' recoverable values.
    pub recoverable: Decimal,
    /// Sum of the claims' monthly values.
    pub monthly: Decimal,
    /// Every bill row it rests on (sorted, distinct).
    pub evidence: Vec<SourceRef>,
    /// The contract or inventory record it rests on, if any.
    pub basis: Vec<SourceRef>,
    pub claims: Vec<Claim>,
}

/// A rule's identity as the outputs show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// e.g. `DUP001`.
    pub id: String,
    /// e.g. `Duplicate charge`.
    pub title: String,
    /// `high`, `medium` or `low`.
    pub severity: String,
}

/// What one rule found in one dump. A rule that found nothing still has a result,
/// so `by_rule` can list every rule that ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleResult {
    pub rule: RuleInfo,
    pub findings: Vec<Finding>,
}
