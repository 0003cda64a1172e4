//! From found money to money back: the claims a client filed, the credits the
//! carriers gave, and the dispute lines a claim already covers (docs/recovery.md).
//!
//! `telaudit-recovery` has one job. Given a read [`Dump`] with its ledger
//! (claims.csv) and the rules' results, it works out, as of the audit's as-of
//! date:
//!
//! - which bill rows are *credits* that may pay a claim, and which claim each
//!   pays, in the contract's fixed order: by reference, by amount, ambiguous,
//!   unmatched ([`match_credits`]);
//! - each claim's recovered and outstanding money, its state (credited,
//!   partial, open, overdue, denied, withdrawn) and its age ([`ClaimState`]);
//! - which dispute lines a claim *covers*: money claimed already, left out of
//!   the next letters, whose dispute window is judged from the claim's filing
//!   date ([`coverage`]).
//!
//! Everything is a pure function of the dump and the results: no clock, no
//! file order (credits are taken in an order of their own values), exact money.
//! The rules' dispute-window step (`telaudit_rules::expire`) asks [`coverage`]
//! before it judges a line; the report totals and writes what [`recover`] says.

#![warn(missing_docs)]

mod coverage;
mod matching;

pub use coverage::{coverage, missing_credit_dates, Coverage};
pub use matching::{is_credit, match_credits, whole_word_at, ClaimState, ClaimStatus, Credit, Matched};

use rust_decimal::Decimal;
use telaudit_model::{Date, Dump, LedgerClaim, Position, RuleResult, Warning};

/// What became of a client's ledger as of the audit's as-of date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovery {
    /// How many days a carrier may take to answer (client.toml
    /// `[disputes] response_days`, default 30).
    pub response_days: u32,
    /// The claims taken into account (every accepted ledger row not filed after
    /// the as-of date), in claims.csv order.
    pub claims: Vec<ClaimState>,
    /// Every credit (a row that may pay a claim) of a carrier and account with
    /// at least one claim, in the order they were matched.
    pub credits: Vec<Credit>,
    /// The dispute lines claimed already, by claim key.
    pub coverage: Coverage,
}

impl Recovery {
    /// The ledger row of a claim state.
    pub fn claim<'d>(&self, dump: &'d Dump, state: &ClaimState) -> &'d LedgerClaim {
        &ledger(dump)[state.ledger]
    }

    /// The sum of the claims' amounts, every status included.
    pub fn claimed(&self, dump: &Dump) -> Decimal {
        self.claims
            .iter()
            .map(|c| self.claim(dump, c).amount.to_decimal())
            .sum()
    }

    /// The money recovered: every credit that pays a claim (a denied or
    /// withdrawn claim's included).
    pub fn recovered(&self) -> Decimal {
        self.claims.iter().map(|c| c.recovered).sum()
    }

    /// The money still outstanding on the claims (0 for a denied or withdrawn one).
    pub fn outstanding(&self) -> Decimal {
        self.claims.iter().map(|c| c.outstanding).sum()
    }
}

/// The claims, the credits and the coverage of `dump`'s ledger; `None` when
/// the client folder has no claims.csv.
pub fn recover(dump: &Dump, results: &[RuleResult]) -> Option<Recovery> {
    dump.ledger.as_ref()?;
    let (claims, credits) = match_credits(dump);
    Some(Recovery {
        response_days: dump.config.response_days(),
        claims,
        credits,
        coverage: coverage(dump, results),
    })
}

/// The ledger's accepted rows (none without claims.csv).
pub fn ledger(dump: &Dump) -> &[LedgerClaim] {
    dump.ledger.as_deref().unwrap_or_default()
}

/// Whether a claim takes part in the audit: filed on or before the as-of date
/// (a claim filed later was not filed yet on that day). Without an as-of date
/// (a dump without rows) every claim does.
pub fn in_scope(claim: &LedgerClaim, as_of: Option<Date>) -> bool {
    as_of.is_none_or(|d| claim.filed_on <= d)
}

/// The ledger's claims filed after the as-of date, counted in one warning
/// (docs/recovery.md section 1), naming the first such line; `None` when there
/// are none.
pub fn late_claims_warning(dump: &Dump) -> Option<Warning> {
    let as_of = dump.as_of_date()?;
    let late: Vec<&LedgerClaim> = ledger(dump)
        .iter()
        .filter(|c| !in_scope(c, Some(as_of)))
        .collect();
    let first = late.first()?;
    let last_filed = late.iter().map(|c| c.filed_on).max()?;
    let file = dump.file(first.source.file).path.clone();
    Some(Warning {
        file,
        position: Position::File,
        message: format!(
            "{} claim(s) filed after the as-of date {as_of} are left out of this audit (the first on \
             line {}, claim {}): they were not filed yet on that day; to count them before the next \
             bill arrives (and leave the lines they cover out of the letters), audit with --as-of \
             {last_filed} or later",
            late.len(),
            first.source.pos,
            first.claim_id
        ),
    })
}

/// The claim ids of every finding key, `;`-joined, for findings.csv's
/// `claim_id` column: the claims taken into account whose finding_key it is,
/// by filing date, then claim id.
pub fn claim_ids_by_key(dump: &Dump) -> rustc_hash::FxHashMap<&str, String> {
    let as_of = dump.as_of_date();
    let mut by: rustc_hash::FxHashMap<&str, Vec<&LedgerClaim>> = rustc_hash::FxHashMap::default();
    for c in ledger(dump)
        .iter()
        .filter(|c| in_scope(c, as_of) && !c.finding_key.is_empty())
    {
        by.entry(c.finding_key.as_str()).or_default().push(c);
    }
    by.into_iter()
        .map(|(k, mut v)| {
            v.sort_by(|a, b| {
                a.filed_on
                    .cmp(&b.filed_on)
                    .then_with(|| a.claim_id.cmp(&b.claim_id))
            });
            let ids: Vec<&str> = v.iter().map(|c| c.claim_id.as_str()).collect();
            (k, ids.join(";"))
        })
        .collect()
}
