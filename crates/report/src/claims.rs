//! The overlap rule, claim by claim: per [`ClaimKey`], the largest claim counted
//! once and the rule it is attributed to. The one implementation of formats.md
//! section 6's "no dollar counts twice": the totals and by_carrier of report.json,
//! the dispute files, the per-month chart of report.html and each finding's share
//! of the totals (findings.csv's `recoverable_in_totals` and `monthly_in_totals`)
//! all read it.

use rayon::prelude::*;
use telaudit_model::{ClaimKey, Date, Decimal, Dump, Finding, RowId, RuleInfo, RuleResult, Sym};

/// One claim key after overlap removal.
pub(crate) struct Resolved<'a> {
    pub key: ClaimKey,
    /// The largest recoverable claim on the key (what the totals count).
    pub recoverable: Decimal,
    /// The largest monthly claim on the key, taken separately from the recoverable.
    pub monthly: Decimal,
    /// The largest expired claim on the key (found too late to claim).
    pub expired: Decimal,
    /// The finding the recoverable claim is attributed to: the largest claim,
    /// ties by rule id, then by the rule's own finding order.
    pub finding: &'a Finding,
    /// That finding's place in the results (rules in order, then their findings).
    pub order: usize,
    /// The place of the finding the monthly claim is attributed to: the largest
    /// monthly claim on the key, ties by rule id, then by finding order.
    pub monthly_order: usize,
}

impl Resolved<'_> {
    /// The carrier and account the key belongs to.
    pub fn account(&self, dump: &Dump) -> (Sym, Sym) {
        match self.key {
            ClaimKey::Row(id) => dump
                .rows
                .get(id as usize)
                .map_or((self.finding.carrier, self.finding.account), |r| {
                    (r.carrier, r.account)
                }),
            ClaimKey::MissingCredit { carrier, account, .. } => (carrier, account),
        }
    }

    /// The period_start the claim belongs to.
    pub fn period(&self, dump: &Dump) -> Date {
        match self.key {
            ClaimKey::Row(id) => dump
                .rows
                .get(id as usize)
                .map_or(self.finding.first_period, |r| r.period_start),
            ClaimKey::MissingCredit { period, .. } => period,
        }
    }
}

/// Every claim key of every finding, each once (in key order, which is internal only).
pub(crate) fn resolve(results: &[RuleResult]) -> Vec<Resolved<'_>> {
    struct Entry<'a> {
        claim: &'a telaudit_model::Claim,
        rule: &'a RuleInfo,
        finding: &'a Finding,
        order: usize,
    }
    let n: usize = results
        .iter()
        .flat_map(|r| &r.findings)
        .map(|f| f.claims.len())
        .sum();
    let mut entries: Vec<Entry<'_>> = Vec::with_capacity(n);
    // The keys to sort: a row's key packed with its entry's place (rows first, in
    // row order: `ClaimKey`'s order), the few missing credits apart.
    let mut rows: Vec<u64> = Vec::with_capacity(n);
    let mut credits: Vec<(ClaimKey, usize)> = Vec::new();
    let mut order = 0usize;
    for r in results {
        for f in &r.findings {
            for c in &f.claims {
                match c.key {
                    ClaimKey::Row(id) if entries.len() < 1 << 32 => {
                        rows.push(u64::from(id) << 32 | entries.len() as u64)
                    }
                    key => credits.push((key, entries.len())),
                }
                entries.push(Entry {
                    claim: c,
                    rule: &r.rule,
                    finding: f,
                    order,
                });
            }
            order += 1;
        }
    }
    // Equal keys keep the entries' order (the place breaks the tie); the keys
    // are distinct integers, so a parallel sort gives the same order.
    rows.par_sort_unstable();
    credits.sort_unstable();
    let row_key = |k: u64| (ClaimKey::Row((k >> 32) as RowId), (k & 0xFFFF_FFFF) as usize);
    // The rows' keys walked in parallel runs that end where a key ends (so no
    // key is split), joined in order; then the missing credits.
    let runs = key_runs(&rows, 4 * rayon::current_num_threads());
    let mut out: Vec<Resolved<'_>> = runs
        .par_iter()
        .flat_map_iter(|&(a, b)| walk(rows[a..b].iter().map(|&k| row_key(k)), &entries))
        .collect();
    out.extend(walk(credits.into_iter(), &entries));
    return out;

    /// Each key's claims resolved, the keys in the order given (equal keys together).
    fn walk<'a>(keyed: impl Iterator<Item = (ClaimKey, usize)>, entries: &[Entry<'a>]) -> Vec<Resolved<'a>> {
        let mut out = Vec::new();
        let mut group: Vec<&Entry<'_>> = Vec::new();
        let mut last: Option<ClaimKey> = None;
        for (key, i) in keyed {
            if last != Some(key) {
                if let Some(&first) = group.first() {
                    out.push(winner(first, &group[1..]));
                }
                group.clear();
                last = Some(key);
            }
            group.push(&entries[i]);
        }
        if let Some(&first) = group.first() {
            out.push(winner(first, &group[1..]));
        }
        out
    }

    /// A key's claims (first, then the rest, in the findings' order) resolved.
    fn winner<'a>(first: &Entry<'a>, rest: &[&Entry<'a>]) -> Resolved<'a> {
        let mut win = first;
        for &e in rest {
            // An expired claim competes by its expired money, so the dispute and
            // the "found too late" list name the rule that claims most.
            let (e_amt, w_amt) = (
                e.claim.recoverable + e.claim.expired,
                win.claim.recoverable + win.claim.expired,
            );
            let better = e_amt > w_amt
                || (e_amt == w_amt
                    && (e.rule.id < win.rule.id || (e.rule.id == win.rule.id && e.order < win.order)));
            if better {
                win = e;
            }
        }
        let mut mon = first;
        for &e in rest {
            let better = e.claim.monthly > mon.claim.monthly
                || (e.claim.monthly == mon.claim.monthly
                    && (e.rule.id < mon.rule.id || (e.rule.id == mon.rule.id && e.order < mon.order)));
            if better {
                mon = e;
            }
        }
        let expired = rest
            .iter()
            .map(|e| e.claim.expired)
            .fold(first.claim.expired, Decimal::max);
        Resolved {
            key: win.claim.key,
            recoverable: win.claim.recoverable,
            monthly: mon.claim.monthly,
            expired,
            finding: win.finding,
            order: win.order,
            monthly_order: mon.order,
        }
    }
}

/// `parts` runs of sorted packed row keys (`row << 32 | place`) as (start,
/// end), each ending where a row's keys end, so that no row is split.
fn key_runs(keys: &[u64], parts: usize) -> Vec<(usize, usize)> {
    let n = keys.len();
    let mut runs = Vec::new();
    let mut start = 0;
    for p in 1..=parts.max(1) {
        let mut end = (n * p / parts.max(1)).max(start);
        while end > 0 && end < n && keys[end] >> 32 == keys[end - 1] >> 32 {
            end += 1;
        }
        if end > start {
            runs.push((start, end));
            start = end;
        }
    }
    if start < n {
        runs.push((start, n));
    }
    runs
}

/// Each finding's share of the totals after the overlap rule (findings.csv's
/// `recoverable_in_totals` and `monthly_in_totals`), exact, in the order of the
/// results' findings (rules in order, then each rule's findings): every claim
/// key's kept recoverable goes to the finding it is attributed to ([`resolve`]),
/// its kept monthly to the finding with the largest monthly claim on it (ties:
/// the smaller rule id), so the shares add up to the totals exactly.
pub(crate) fn in_totals(results: &[RuleResult]) -> Vec<(Decimal, Decimal)> {
    shares(results, &resolve(results))
}

/// [`in_totals`] from claims already resolved.
pub(crate) fn shares(results: &[RuleResult], resolved: &[Resolved<'_>]) -> Vec<(Decimal, Decimal)> {
    let n = results.iter().map(|r| r.findings.len()).sum();
    let mut out = vec![(Decimal::ZERO, Decimal::ZERO); n];
    for k in resolved {
        if let Some(o) = out.get_mut(k.order) {
            o.0 += k.recoverable;
        }
        if let Some(o) = out.get_mut(k.monthly_order) {
            o.1 += k.monthly;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::key_runs;

    /// The runs cover every key once, in order, and never split a row's keys.
    #[test]
    fn key_runs_cover_every_key_and_never_split_a_row() {
        let pack = |row: u64, place: u64| row << 32 | place;
        // Rows 1 (x3), 2, 5 (x4), 6, 9 (x2): 11 keys.
        let keys: Vec<u64> = [1, 1, 1, 2, 5, 5, 5, 5, 6, 9, 9]
            .iter()
            .enumerate()
            .map(|(i, &r)| pack(r, i as u64))
            .collect();
        for parts in [1, 2, 3, 4, 5, 11, 40] {
            let runs = key_runs(&keys, parts);
            let mut next = 0;
            for &(a, b) in &runs {
                assert_eq!(a, next, "{parts} parts: {runs:?}");
                assert!(b > a);
                if b < keys.len() {
                    assert_ne!(
                        keys[b] >> 32,
                        keys[b - 1] >> 32,
                        "{parts} parts split a row: {runs:?}"
                    );
                }
                next = b;
            }
            assert_eq!(next, keys.len(), "{parts} parts: {runs:?}");
            assert!(runs.len() <= parts.max(1));
        }
        assert_eq!(key_runs(&keys, 3), vec![(0, 3), (3, 8), (8, 11)]);
        assert!(key_runs(&[], 4).is_empty());
    }
}
