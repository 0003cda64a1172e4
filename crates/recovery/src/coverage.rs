//! What a claim covers (docs/recovery.md section 5): dispute lines already
//! claimed.
//!
//! A dispute line is one claim key's money after the overlap rule, and belongs
//! to the finding whose claim on it is kept (the largest, recoverable and
//! expired money together; on a tie the smaller rule id, then the rule's own
//! finding order: exactly the report's `claims::resolve`). The line is covered
//! by a ledger claim when that finding's key is the claim's finding_key and the
//! line's invoice date (for a missing credit: the latest invoice date of its
//! account's rows of that period, as for the dispute windows) is on or before
//! the claim's filing date, whatever the claim's status and amount. When
//! several claims cover a line, the one filed first covers it.
//!
//! Coverage is decided on the claims before the dispute windows apply (an
//! expired claim competes by its expired money, so the owner is the same
//! before and after): `telaudit_rules::expire` judges a covered line's window
//! from its claim's filing date, and the report leaves covered lines out of the
//! dispute files.

use crate::{in_scope, ledger};
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};
use telaudit_model::{ClaimKey, Date, Dump, Finding, RuleResult, Sym};

/// The claim keys whose dispute line a ledger claim covers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Claim key -> the covering claim's index in the dump's ledger.
    pub by_key: FxHashMap<ClaimKey, usize>,
}

impl Coverage {
    /// The covering claim's ledger index, if the key's line is covered.
    pub fn claim(&self, key: &ClaimKey) -> Option<usize> {
        self.by_key.get(key).copied()
    }

    /// The covering claim's filing date, if the key's line is covered: the day
    /// its dispute window is judged from.
    pub fn filed_on(&self, dump: &Dump, key: &ClaimKey) -> Option<Date> {
        self.claim(key).map(|i| ledger(dump)[i].filed_on)
    }

    /// Whether no line is covered.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

/// The lines claimed already: for every claim key whose owning finding has a
/// finding_key some ledger claim (taken into account) names, the earliest
/// filed of those claims filed on or after the line's invoice date.
pub fn coverage(dump: &Dump, results: &[RuleResult]) -> Coverage {
    let as_of = dump.as_of_date();
    // finding_key -> the ledger indexes of the claims naming it.
    let mut named: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, c) in ledger(dump).iter().enumerate() {
        if in_scope(c, as_of) && !c.finding_key.is_empty() {
            named.entry(c.finding_key.as_str()).or_default().push(i);
        }
    }
    if named.is_empty() {
        return Coverage::default();
    }
    let findings = || {
        results
            .iter()
            .flat_map(|r| r.findings.iter().map(move |f| (r.rule.id.as_str(), f)))
    };
    // The keys a named finding claims money on: only they can be covered.
    let mut wanted: FxHashSet<ClaimKey> = FxHashSet::default();
    for (_, f) in findings().filter(|(_, f)| named.contains_key(f.key.as_str())) {
        wanted.extend(
            f.claims
                .iter()
                .filter(|c| c.recoverable + c.expired > Decimal::ZERO)
                .map(|c| c.key),
        );
    }
    let owners = owners(findings(), &wanted);
    let dates = missing_credit_dates(dump, owners.keys().filter_map(period_of));
    let mut by_key = FxHashMap::default();
    for (key, f) in owners {
        let Some(claims) = named.get(f.key.as_str()) else {
            continue;
        };
        let date = match key {
            ClaimKey::Row(id) => dump.rows.get(id as usize).map(|r| r.invoice_date),
            ClaimKey::MissingCredit {
                carrier,
                account,
                period,
                ..
            } => dates.get(&(carrier, account, period)).copied(),
        };
        let Some(date) = date else { continue };
        let all = ledger(dump);
        let first = claims
            .iter()
            .copied()
            .filter(|&i| date <= all[i].filed_on)
            .min_by_key(|&i| (all[i].filed_on, i));
        if let Some(i) = first {
            by_key.insert(key, i);
        }
    }
    Coverage { by_key }
}

/// The finding that owns each wanted key: the largest claim (recoverable and
/// expired together), ties to the smaller rule id, then to the earlier finding.
fn owners<'a>(
    findings: impl Iterator<Item = (&'a str, &'a Finding)>,
    wanted: &FxHashSet<ClaimKey>,
) -> FxHashMap<ClaimKey, &'a Finding> {
    let mut best: FxHashMap<ClaimKey, (Decimal, &str, &Finding)> = FxHashMap::default();
    for (rule, f) in findings {
        for c in f.claims.iter().filter(|c| wanted.contains(&c.key)) {
            let amount = c.recoverable + c.expired;
            match best.get_mut(&c.key) {
                None => {
                    best.insert(c.key, (amount, rule, f));
                }
                Some(b) => {
                    if amount > b.0 || (amount == b.0 && rule < b.1) {
                        *b = (amount, rule, f);
                    }
                }
            }
        }
    }
    best.into_iter().map(|(k, (_, _, f))| (k, f)).collect()
}

/// A missing credit's (carrier, account, period).
fn period_of(key: &ClaimKey) -> Option<(Sym, Sym, Date)> {
    match *key {
        ClaimKey::MissingCredit {
            carrier,
            account,
            period,
            ..
        } => Some((carrier, account, period)),
        ClaimKey::Row(_) => None,
    }
}

/// For each (carrier, account, period) of a missing credit, the date
/// formats.md section 9 gives it: the latest invoice_date of the account's
/// rows of that period (absent when no row bills it). Call detail's usage rows
/// are no bill row (formats.md section 12): they do not date it.
pub fn missing_credit_dates(
    dump: &Dump,
    periods: impl Iterator<Item = (Sym, Sym, Date)>,
) -> FxHashMap<(Sym, Sym, Date), Date> {
    let mut want: FxHashMap<(Sym, Sym, Date), Option<Date>> = periods.map(|k| (k, None)).collect();
    if want.is_empty() {
        return FxHashMap::default();
    }
    let usage = dump.call_detail_files();
    // Rows come in runs of one (carrier, account, period): a run's latest
    // invoice_date is looked up once, not once a row.
    let mut run: Option<((Sym, Sym, Date), Date)> = None;
    let mut flush = |run: Option<((Sym, Sym, Date), Date)>| {
        if let Some((k, date)) = run {
            if let Some(d) = want.get_mut(&k) {
                *d = (*d).max(Some(date));
            }
        }
    };
    for row in &dump.rows {
        if usage.get(row.source.file.0 as usize).copied().unwrap_or(false) {
            continue;
        }
        let key = (row.carrier, row.account, row.period_start);
        match &mut run {
            Some((k, d)) if *k == key => *d = (*d).max(row.invoice_date),
            _ => flush(run.replace((key, row.invoice_date))),
        }
    }
    flush(run);
    want.into_iter().filter_map(|(k, d)| Some((k, d?))).collect()
}
