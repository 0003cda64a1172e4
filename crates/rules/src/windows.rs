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

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use telaudit_model::{ClaimKey, Date, Decimal, DisputeWindows, Dump, Finding, RuleResult, Sym};

/// Moves the recoverable money of every expired claim to its `expired` value,
/// updates each finding's sums, and sets each finding's `claim_by`: the soonest
/// last day (invoice date plus the carrier's window) of its claims still
/// claimable and not yet covered by a filed claim. Nothing happens without `[disputes]` in
/// client.toml or without an as-of date (a dump without rows).
pub fn expire(dump: &Dump, results: &mut [RuleResult]) {
    let (Some(windows), Some(as_of)) = (&dump.config.disputes, dump.as_of_date()) else {
        return;
    };
    // Decided on the claims before any expires (the covering claims' dates);
    // the two read the findings only, side by side.
    let (covered, credit_dates) = rayon::join(
        || telaudit_recovery::coverage(dump, results),
        || missing_credit_dates(dump, results),
    );
    let ctx = Context {
        dump,
        windows,
        as_of,
        covered: &covered,
        credit_dates: &credit_dates,
    };
    // Each finding on its own: in parallel, each task with its own memos.
    let mut findings: Vec<&mut Finding> = results.iter_mut().flat_map(|r| r.findings.iter_mut()).collect();
    findings
        .par_iter_mut()
        .for_each_init(Memo::default, |memo, f| ctx.expire_finding(memo, f));
}

/// What deciding a claim reads: the dump, the windows, the as-of date, the
/// filed claims covering lines and the missing credits' invoice dates.
struct Context<'a> {
    dump: &'a Dump,
    windows: &'a DisputeWindows,
    as_of: Date,
    covered: &'a telaudit_recovery::Coverage,
    credit_dates: &'a FxHashMap<(Sym, Sym, Date), Date>,
}

/// A carrier's cutoff: its window in days and the earliest invoice date still inside it.
type Cut = Option<(u32, Date)>;

/// The answers a task keeps: each carrier's window (looked up once per
/// carrier text), the cutoff of the last (carrier, from) asked (claims come in
/// long runs of one), and the last day of each (invoice date, window) asked (a
/// finding's claims go month by month, so the pairs alternate, but there are
/// only a few: one invoice date a month and carrier).
#[derive(Default)]
struct Memo {
    days_of: FxHashMap<Sym, Option<u32>>,
    last_cut: Option<((Sym, Date), Cut)>,
    last_day: FxHashMap<(Date, u32), Option<Date>>,
}

impl Context<'_> {
    fn cutoff(&self, memo: &mut Memo, carrier: Sym, from: Date) -> Cut {
        if let Some((k, v)) = memo.last_cut {
            if k == (carrier, from) {
                return v;
            }
        }
        let days = *memo
            .days_of
            .entry(carrier)
            .or_insert_with(|| self.windows.window(self.dump.s(carrier)));
        // Before year 1 nothing can be earlier: no claim expires.
        let v = days.and_then(|d| Some((d, from.minus_days(d)?)));
        memo.last_cut = Some(((carrier, from), v));
        v
    }

    /// Expires a finding's late claims, updates its sums, sets its `claim_by`.
    fn expire_finding(&self, memo: &mut Memo, f: &mut Finding) {
        let dump = self.dump;
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
                } => (
                    carrier,
                    self.credit_dates.get(&(carrier, account, period)).copied(),
                ),
            };
            let filed_on = self.covered.filed_on(dump, &c.key);
            let from = filed_on.unwrap_or(self.as_of);
            let (Some((days, cut)), Some(date)) = (self.cutoff(memo, carrier, from), invoice_date) else {
                continue;
            };
            if date < cut {
                c.expired += c.recoverable;
                c.recoverable = Decimal::ZERO;
                changed = true;
            } else if filed_on.is_none() {
                // Still claimable, and not claimed yet: until its invoice
                // date plus the window (a covered line was claimed in time).
                let last = *memo
                    .last_day
                    .entry((date, days))
                    .or_insert_with(|| date.plus_days(days));
                if let Some(last) = last {
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
