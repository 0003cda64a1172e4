//! What changed since the finding history's last run, for the report.html a
//! batch run writes (docs/history.md, "The morning review").
//!
//! A batch that keeps a history passes [`crate::HistoryMarks`]: the client's
//! finding keys the history held before the run and its findings there (open
//! and resolved), with their text and money. From them and this audit's
//! findings, [`since`] lists every change, one per finding key, by the same
//! rules as the history's `finding_changes` table and the batch's review.csv:
//!
//! - **new**: a key the history never held;
//! - **reopened**: a key it held as resolved;
//! - **grown**: a key open in the last run whose recoverable, rounded to cents
//!   as the history stores it, is larger now ([`grew`]): a late fee billed again
//!   keeps its key, so a fresh one each month shows here, not as new;
//! - **resolved**: a key open in the last run that this audit no longer finds.
//!
//! Findings that share a key count as one, their money summed, as the history
//! records them. The list is sorted as review.csv is ([`ChangeKind`] order,
//! then the largest change of first-year value, then the key).

use crate::HistoryMarks;
use std::collections::HashMap;
use telaudit_model::{round_cents as cents, Decimal, Dump, RuleResult};

/// A change of one finding between two runs of the history.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    /// A finding key the history never held.
    New,
    /// A key the history held as resolved, found again.
    Reopened,
    /// An open key whose recoverable rose since the last run that saw it.
    Grown,
    /// An open key this run no longer finds.
    Resolved,
}

impl ChangeKind {
    /// Every kind, in the order lists show them.
    pub const ALL: [ChangeKind; 4] = [
        ChangeKind::New,
        ChangeKind::Reopened,
        ChangeKind::Grown,
        ChangeKind::Resolved,
    ];

    /// The word the history's `finding_changes.change` and review.csv hold.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Reopened => "reopened",
            ChangeKind::Grown => "grown",
            ChangeKind::Resolved => "resolved",
        }
    }

    /// The kind of a word written by [`ChangeKind::as_str`].
    pub fn parse(s: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One finding of the history before a run (open or resolved), as its
/// `findings` row holds it: its text and money at the last run that saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastFinding {
    /// The finding key.
    pub key: String,
    /// The rule id.
    pub rule: String,
    /// The carrier.
    pub carrier: String,
    /// The account.
    pub account: String,
    /// The service_id (empty for an account-level finding).
    pub service_id: String,
    /// The finding's text at the last run that saw it.
    pub description: String,
    /// Its recoverable then (two decimals, as stored).
    pub recoverable: Decimal,
    /// Its monthly then.
    pub monthly: Decimal,
}

/// Whether a finding open in the last run has grown: its recoverable now,
/// rounded to cents, is larger than the one the history stored (`before`,
/// already in cents). A rise under half a cent is no change.
pub fn grew(before: Decimal, now: Decimal) -> bool {
    cents(now) > before
}

/// The change of first-year value (recoverable + 12 x monthly) from `before`
/// to `after`, a missing side counting as 0: the size lists sort by.
pub fn first_year_change(before: Option<(Decimal, Decimal)>, after: Option<(Decimal, Decimal)>) -> Decimal {
    let fy = |v: Option<(Decimal, Decimal)>| v.map_or(Decimal::ZERO, |(r, m)| r + m * Decimal::from(12));
    fy(after) - fy(before)
}

/// One changed finding in report.html's "Since the last run" section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SinceItem<'a> {
    pub kind: ChangeKind,
    pub key: &'a str,
    pub rule: &'a str,
    pub carrier: &'a str,
    pub account: &'a str,
    pub service: &'a str,
    pub description: &'a str,
    /// (recoverable, monthly) at the last run that saw it; `None` for a new one.
    pub before: Option<(Decimal, Decimal)>,
    /// (recoverable, monthly) now, in cents; `None` for a resolved one.
    pub now: Option<(Decimal, Decimal)>,
}

/// The section's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SinceView<'a> {
    /// The history's last run before this one.
    pub since_run: i64,
    /// Every change, sorted; empty for a client new to the history.
    pub items: Vec<SinceItem<'a>>,
    /// How many of each kind, in [`ChangeKind::ALL`] order.
    pub counts: [usize; 4],
    /// `Some(n)` when the history held nothing of this client: its `n` findings
    /// are all new, and findings.csv lists them (the page does not repeat them).
    pub new_client: Option<usize>,
}

/// This audit's finding per key: the first finding's text, the money summed.
struct Now<'a> {
    rule: &'a str,
    carrier: &'a str,
    account: &'a str,
    service: &'a str,
    description: &'a str,
    recoverable: Decimal,
    monthly: Decimal,
}

/// The changes since the history's last run (see the module's doc).
pub(crate) fn since<'a>(
    dump: &'a Dump,
    results: &'a [RuleResult],
    marks: &HistoryMarks<'a>,
) -> SinceView<'a> {
    let mut now: HashMap<&'a str, Now<'a>> = HashMap::new();
    for f in results.iter().flat_map(|r| &r.findings) {
        now.entry(f.key.as_str())
            .and_modify(|n| {
                n.recoverable += f.recoverable;
                n.monthly += f.monthly;
            })
            .or_insert_with(|| Now {
                rule: &f.rule,
                carrier: dump.s(f.carrier),
                account: dump.s(f.account),
                service: dump.s(f.service),
                description: &f.description,
                recoverable: f.recoverable,
                monthly: f.monthly,
            });
    }
    let Some(known) = marks.known else {
        return SinceView {
            since_run: marks.since_run,
            items: Vec::new(),
            counts: [now.len(), 0, 0, 0],
            new_client: Some(now.len()),
        };
    };
    let before: HashMap<&str, &'a PastFinding> = marks.before.iter().map(|p| (p.key.as_str(), p)).collect();
    let mut items = Vec::new();
    for (&key, n) in &now {
        let past = before.get(key).map(|p| (p.recoverable, p.monthly));
        let kind = match (known.get(key), past) {
            (None, _) => ChangeKind::New,
            (Some(false), _) => ChangeKind::Reopened,
            (Some(true), Some((rec, _))) if grew(rec, n.recoverable) => ChangeKind::Grown,
            (Some(true), _) => continue,
        };
        items.push(SinceItem {
            kind,
            key,
            rule: n.rule,
            carrier: n.carrier,
            account: n.account,
            service: n.service,
            description: n.description,
            // A reopened finding's money is the one it had when it was last seen.
            before: if kind == ChangeKind::New { None } else { past },
            now: Some((cents(n.recoverable), cents(n.monthly))),
        });
    }
    for p in marks.before {
        if known.get(p.key.as_str()) == Some(&true) && !now.contains_key(p.key.as_str()) {
            items.push(SinceItem {
                kind: ChangeKind::Resolved,
                key: &p.key,
                rule: &p.rule,
                carrier: &p.carrier,
                account: &p.account,
                service: &p.service_id,
                description: &p.description,
                before: Some((p.recoverable, p.monthly)),
                now: None,
            });
        }
    }
    items.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then_with(|| {
                let size = |i: &SinceItem| first_year_change(i.before, i.now).abs();
                size(b).cmp(&size(a))
            })
            .then_with(|| a.key.cmp(b.key))
    });
    let mut counts = [0; 4];
    for i in &items {
        counts[i.kind as usize] += 1;
    }
    SinceView {
        since_run: marks.since_run,
        items,
        counts,
        new_client: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn growth_is_judged_in_cents_and_sizes_by_first_year_value() {
        assert!(grew(d("15.00"), d("15.005")));
        assert!(!grew(d("15.00"), d("15.004")));
        assert!(!grew(d("15.00"), d("14.00")));
        assert_eq!(cents(d("-2.345")), d("-2.35"));
        assert_eq!(
            first_year_change(Some((d("15.00"), d("1.00"))), Some((d("35.00"), d("1.50")))),
            d("26.00")
        );
        assert_eq!(first_year_change(Some((d("10"), d("2"))), None), d("-34"));
        assert_eq!(first_year_change(None, Some((d("0"), d("3")))), d("36"));
        assert_eq!(ChangeKind::parse("grown"), Some(ChangeKind::Grown));
        assert_eq!(ChangeKind::parse("other"), None);
        let words: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(words, ["new", "reopened", "grown", "resolved"]);
    }
}
