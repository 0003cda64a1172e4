//! Dispute windows (formats.md section 9): which recoverable claims were found
//! too late to claim.
//!
//! A carrier accepts a dispute only for its window of days after the invoice
//! date. A claim has *expired* when the invoice_date of the row it rests on (for a
//! missing credit: the latest invoice_date of its account's rows of that period)
//! is earlier than the as-of date minus the carrier's window: an invoice dated
//! exactly on that cutoff day is still inside. An expired claim's recoverable
//! moves to its `expired` value; its monthly never expires.
//!
//! A line a filed claim covers (claims.csv, docs/recovery.md section 5) is
//! judged as of that claim's filing date instead: a claim filed in time does
//! not expire while the carrier takes its time.

use rustc_hash::FxHashMap;
use telaudit_model::{ClaimKey, Date, Decimal, Dump, RuleResult, Sym};

/// Moves the recoverable money of every expired claim to its `expired` value,
/// updates each finding's sums, and sets each finding's `claim_by`: the soonest
/// last day (invoice date plus the carrier's window) of its claims still
/// claimable and not yet covered by a filed claim. Nothing happens without `[disputes]` in
/// client.toml or without an as-of date (a dump without rows).
pub fn expire(dump: &Dump, results: &mut [RuleResult]) {
    let (Some(windows), Some(as_of)) = (&dump.config.disputes, dump.as_of_date()) else {
        return;
    };
    // Decided on the claims before any expires (the covering claims' dates).
    let covered = telaudit_recovery::coverage(dump, results);
    // The window per carrier symbol, looked up once per carrier text.
    let mut days_of: FxHashMap<Sym, Option<u32>> = FxHashMap::default();
    // The cutoff of the last (carrier, from) asked: claims come in long runs of one.
    type Cut = Option<(u32, Date)>;
    let mut last_cut: Option<((Sym, Date), Cut)> = None;
    let mut cutoff = |carrier: Sym, from: Date| -> Option<(u32, Date)> {
        if let Some((k, v)) = last_cut {
            if k == (carrier, from) {
                return v;
            }
        }
        let days = *days_of
            .entry(carrier)
            .or_insert_with(|| windows.window(dump.s(carrier)));
        // Before year 1 nothing can be earlier: no claim expires.
        let v = days.and_then(|d| Some((d, from.minus_days(d)?)));
        last_cut = Some(((carrier, from), v));
        v
    };
    // The last day of each (invoice date, window) asked, worked out once: a
    // finding's claims go month by month, so the pairs alternate, but there
    // are only a few of them (one invoice date a month and carrier).
    let mut last_day: FxHashMap<(Date, u32), Option<Date>> = FxHashMap::default();
    let mut plus = |date: Date, days: u32| -> Option<Date> {
        *last_day
            .entry((date, days))
            .or_insert_with(|| date.plus_days(days))
    };
    let credit_dates = missing_credit_dates(dump, results);
    for r in results.iter_mut() {
        for f in &mut r.findings {
            let mut changed = false;
            for c in &mut f.claims {
                if c.recoverable <= Decimal::ZERO {
                    continue;
                }
                let (carrier, invoice_date) = match c.key {
                    ClaimKey::Row(id) => match dump.rows.get(id as usize) {
                        Some(row) => (row.carrier, Some(row.invoice_date)),
                        None => continue,
                    },
                    ClaimKey::MissingCredit {
                        carrier,
                        account,
                        period,
                        ..
                    } => (carrier, credit_dates.get(&(carrier, account, period)).copied()),
                };
                let filed_on = covered.filed_on(dump, &c.key);
                let from = filed_on.unwrap_or(as_of);
                let (Some((days, cut)), Some(date)) = (cutoff(carrier, from), invoice_date) else {
                    continue;
                };
                if date < cut {
                    c.expired += c.recoverable;
                    c.recoverable = Decimal::ZERO;
                    changed = true;
                } else if filed_on.is_none() {
                    // Still claimable, and not claimed yet: until its invoice
                    // date plus the window (a covered line was claimed in time).
                    if let Some(last) = plus(date, days) {
                        f.claim_by = Some(f.claim_by.map_or(last, |b| b.min(last)));
                    }
                }
            }
            if changed {
                let (recoverable, _, expired) = crate::util::claim_sums(&f.claims);
                f.recoverable = recoverable;
                f.expired = expired;
            }
        }
    }
}

/// For every (carrier, account, period) a missing credit is claimed on, the
/// latest invoice_date of the account's rows of that period (one definition,
/// [`telaudit_recovery::missing_credit_dates`], that coverage uses too).
fn missing_credit_dates(dump: &Dump, results: &[RuleResult]) -> FxHashMap<(Sym, Sym, Date), Date> {
    let periods = results
        .iter()
        .flat_map(|r| &r.findings)
        .flat_map(|f| &f.claims)
        .filter_map(|c| match c.key {
            ClaimKey::MissingCredit {
                carrier,
                account,
                period,
                ..
            } => Some((carrier, account, period)),
            ClaimKey::Row(_) => None,
        });
    telaudit_recovery::missing_credit_dates(dump, periods)
}
