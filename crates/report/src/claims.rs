//! The overlap rule, claim by claim: per [`ClaimKey`], the largest claim counted
//! once and the rule it is attributed to. The one implementation of formats.md
//! section 6's "no dollar counts twice": the totals and by_carrier of report.json,
//! the dispute files, the per-month chart of report.html and each finding's share
//! of the totals (findings.csv's `recoverable_in_totals` and `monthly_in_totals`)
//! all read it.

use telaudit_model::{ClaimKey, Date, Decimal, Dump, Finding, RuleInfo, RuleResult, Sym};

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
        key: ClaimKey,
        recoverable: Decimal,
        monthly: Decimal,
        expired: Decimal,
        rule: &'a RuleInfo,
        finding: &'a Finding,
        order: usize,
    }
    let mut entries: Vec<Entry<'_>> = Vec::new();
    let mut order = 0usize;
    for r in results {
        for f in &r.findings {
            for c in &f.claims {
                entries.push(Entry {
                    key: c.key,
                    recoverable: c.recoverable,
                    monthly: c.monthly,
                    expired: c.expired,
                    rule: &r.rule,
                    finding: f,
                    order,
                });
            }
            order += 1;
        }
    }
    entries.sort_by_key(|e| e.key);
    let mut out = Vec::new();
    for group in entries.chunk_by(|a, b| a.key == b.key) {
        let mut win = &group[0];
        for e in &group[1..] {
            // An expired claim competes by its expired money, so the dispute and
            // the "found too late" list name the rule that claims most.
            let (e_amt, w_amt) = (e.recoverable + e.expired, win.recoverable + win.expired);
            let better = e_amt > w_amt
                || (e_amt == w_amt
                    && (e.rule.id < win.rule.id || (e.rule.id == win.rule.id && e.order < win.order)));
            if better {
                win = e;
            }
        }
        let mut mon = &group[0];
        for e in &group[1..] {
            let better = e.monthly > mon.monthly
                || (e.monthly == mon.monthly
                    && (e.rule.id < mon.rule.id || (e.rule.id == mon.rule.id && e.order < mon.order)));
            if better {
                mon = e;
            }
        }
        out.push(Resolved {
            key: win.key,
            recoverable: win.recoverable,
            monthly: mon.monthly,
            expired: group.iter().map(|e| e.expired).max().unwrap_or(Decimal::ZERO),
            finding: win.finding,
            order: win.order,
            monthly_order: mon.order,
        });
    }
    out
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
