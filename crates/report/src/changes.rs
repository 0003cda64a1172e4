//! `changes/<carrier>.csv`: one action per service to order from each carrier
//! (optimization.md: every finding that carries a [`telaudit_model::Change`]:
//! DIS001, ZOM001, UNU001, PLN001, POL001, CIR001).
//!
//! A service with several such findings gets one row: the first action of
//! [`Action::ALL`] among them (disconnect, cancel, suspend, downgrade), with that
//! finding's `from` and `to`. Its monthly saving is the overlap-free monthly
//! money of those findings as in the totals: each claimed row's monthly counts
//! once, at the largest monthly claim on it of any rule, and only when a finding
//! with an action owns it (the overlap rule of [`crate::claims`]: a line
//! cancelled in full is not also counted for a cheaper plan, and a plan row whose
//! larger claim is RAT001's overcharge saves nothing more by a downgrade, so the
//! changes and the other rules add up to the headline). A finding's
//! monthly claims go to the service of the row each rests on, so a finding about
//! several services (a pool, optimization.md section 3b) adds one share to each
//! of their rows, and each service's line moves it from its own plan; a finding
//! about one service counts on that service even when it claims no monthly
//! money (a disconnect billed with one-time charges only).

use crate::disputes::unique_names;
use crate::tables::{guard, join_sources, sorted_findings_indexed_where};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, BTreeSet};
use telaudit_model::{money_string, Action, ClaimKey, Decimal, Dump, RuleResult, SourceRef, Sym};

/// One action to order for one service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeLine {
    /// The billed account.
    pub account: String,
    /// The service to act on.
    pub service: String,
    /// What to order: the first action of [`Action::ALL`] among its findings.
    pub action: Action,
    /// The rule ids of every finding on the service (any rule, billing errors
    /// included), sorted, `;`-joined.
    pub rule: String,
    /// The current plan or tier, or the codes of its recurring charges.
    pub from: String,
    /// The recommended plan or tier, or the action's name.
    pub to: String,
    /// The pool its action moves as a whole (POL001, optimization.md section
    /// 3b), by name (`pool of 6 services (GB)`); `None` for a service of its own.
    /// The reports show a pool's lines as one item.
    pub pool: Option<String>,
    /// What the action saves per month: the overlap-free monthly money of the
    /// service's findings that carry a change, exact.
    pub monthly: Decimal,
    /// The bill lines, then the catalogue, inventory and utilization lines those
    /// findings rest on, `;`-joined.
    pub evidence: String,
}

/// The changes to order from one carrier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarrierChanges {
    /// The carrier as billed.
    pub carrier: String,
    /// The file name without `.csv` (sanitized, unique case-insensitively).
    pub stem: String,
    /// One per service, sorted by account, service.
    pub lines: Vec<ChangeLine>,
}

/// A service: (carrier, account, service_id).
type ServiceKey = (Sym, Sym, Sym);

/// What is gathered for one service before its line is written.
#[derive(Default)]
struct Gathered {
    /// The first action found, its (from, to), and the pool it moves.
    best: Option<(Action, String, String, Option<String>)>,
    /// Every rule with a finding on the service.
    rules: BTreeSet<String>,
    /// Per claimed row, the largest monthly claim of the findings with a change.
    monthly: FxHashMap<ClaimKey, Decimal>,
    /// Their evidence, then their basis.
    evidence: BTreeSet<SourceRef>,
    basis: BTreeSet<SourceRef>,
}

/// The service a finding's claim rests on: the finding's own service, or for a
/// finding about several services (an empty service_id), the claimed row's.
fn claim_service(dump: &Dump, f: &telaudit_model::Finding, key: ClaimKey) -> Option<ServiceKey> {
    if !f.service.is_empty() {
        return Some((f.carrier, f.account, f.service));
    }
    match key {
        ClaimKey::Row(id) => dump
            .rows
            .get(id as usize)
            .filter(|r| !r.service.is_empty())
            .map(|r| (r.carrier, r.account, r.service)),
        ClaimKey::MissingCredit {
            carrier,
            account,
            service,
            ..
        } => (!service.is_empty()).then_some((carrier, account, service)),
    }
}

/// The services of the bill lines a pool's findings cite, by place: a pool's
/// change line on a service lists only the evidence of that service. Several
/// rows may share a place (call detail measures every line absent from an
/// export at zero, each such row at the export's first line): such a place is
/// evidence for each of their services.
fn pool_line_services(
    dump: &Dump,
    all: &[(&telaudit_model::RuleInfo, &telaudit_model::Finding, usize)],
) -> FxHashMap<SourceRef, Vec<Sym>> {
    let wanted: FxHashSet<SourceRef> = all
        .iter()
        .filter(|(_, f, _)| f.change.as_ref().is_some_and(|c| c.pool.is_some()))
        .flat_map(|(_, f, _)| f.evidence.iter().copied())
        .collect();
    let mut out: FxHashMap<SourceRef, Vec<Sym>> = FxHashMap::default();
    if wanted.is_empty() {
        return out;
    }
    // Rows are kept in file and line order, so each place's rows are found by a
    // binary search; were they not, one pass over every row finds them.
    if dump.rows.is_sorted_by_key(|r| r.source) {
        for src in wanted {
            let from = dump.rows.partition_point(|r| r.source < src);
            let to = dump.rows.partition_point(|r| r.source <= src);
            if from < to {
                out.insert(src, dump.rows[from..to].iter().map(|r| r.service).collect());
            }
        }
    } else {
        for r in dump.rows.iter().filter(|r| wanted.contains(&r.source)) {
            out.entry(r.source).or_default().push(r.service);
        }
    }
    out
}

/// The places of `evidence` that are `service`'s (by [`pool_line_services`]).
fn places_of<'a>(
    by_place: &'a FxHashMap<SourceRef, Vec<Sym>>,
    evidence: &'a [SourceRef],
    service: Sym,
) -> impl Iterator<Item = SourceRef> + 'a {
    evidence
        .iter()
        .filter(move |e| by_place.get(e).is_some_and(|v| v.contains(&service)))
        .copied()
}

/// One line per service with a finding that recommends a change, grouped by
/// carrier (carriers in name order).
pub fn changes(dump: &Dump, results: &[RuleResult]) -> Vec<CarrierChanges> {
    changes_resolved(dump, results, &crate::claims::resolve(results))
}

/// As [`changes`], with the claims already resolved (from the same results):
/// the audit resolves them once for the totals, the dispute lines and this.
pub(crate) fn changes_resolved(
    dump: &Dump,
    results: &[RuleResult],
    resolved: &[crate::claims::Resolved<'_>],
) -> Vec<CarrierChanges> {
    // Only the findings that carry a change are ordered (findings.csv's order,
    // a stable sort: the same relative order as sorting every finding).
    let all = sorted_findings_indexed_where(dump, results, |f| f.change.is_some());
    let mut with_change = vec![false; results.iter().map(|r| r.findings.len()).sum()];
    for &(_, _, order) in &all {
        with_change[order] = true;
    }
    // Per claimed key, the monthly the totals count and the finding that owns
    // it; only a finding with a change reads it, so only its keys are kept.
    let owned: FxHashMap<ClaimKey, (usize, Decimal)> = resolved
        .iter()
        .filter(|k| with_change.get(k.monthly_order).copied().unwrap_or(false))
        .map(|k| (k.key, (k.monthly_order, k.monthly)))
        .collect();
    let pool_lines = pool_line_services(dump, &all);
    // By symbols (one per text), ordered by their texts at the end.
    let mut by_service: FxHashMap<ServiceKey, Gathered> = FxHashMap::default();
    let texts = |(c, a, s): ServiceKey| (dump.s(c), dump.s(a), dump.s(s));
    // The findings that carry a change, in findings.csv order: the first of
    // the first action wins.
    for &(_, f, order) in &all {
        let Some(change) = &f.change else { continue };
        let mut services: BTreeSet<ServiceKey> = BTreeSet::new();
        if !f.service.is_empty() {
            services.insert((f.carrier, f.account, f.service));
        }
        for c in &f.claims {
            let Some(s) = claim_service(dump, f, c.key) else {
                continue;
            };
            services.insert(s);
            let g = by_service.entry(s).or_default();
            // Only the monthly this finding owns in the totals (each key has one owner).
            let monthly = match owned.get(&c.key) {
                Some(&(owner, m)) if owner == order => m,
                _ => Decimal::ZERO,
            };
            let m = g.monthly.entry(c.key).or_insert(Decimal::ZERO);
            *m = (*m).max(monthly);
        }
        for s in services {
            let g = by_service.entry(s).or_default();
            if g.best.as_ref().is_none_or(|(a, ..)| change.action < *a) {
                // A pool's service moves from its own plan.
                let pool = change.pool.as_ref();
                let from = pool
                    .and_then(|p| p.from.iter().find(|(svc, _)| *svc == s.2))
                    .map_or(&change.from, |(_, from)| from);
                let name = pool.map(|p| p.name.clone());
                g.best = Some((change.action, from.clone(), change.to.clone(), name));
            }
            if change.pool.is_some() {
                g.evidence.extend(places_of(&pool_lines, &f.evidence, s.2));
            } else {
                g.evidence.extend(f.evidence.iter().copied());
            }
            g.basis.extend(f.basis.iter().copied());
            // A pool's finding names no service: it names its rule on each of them.
            g.rules.insert(f.rule.clone());
        }
    }
    // Every finding on those services names its rule, billing errors included.
    for f in results.iter().flat_map(|r| &r.findings) {
        if f.service.is_empty() || by_service.is_empty() {
            continue;
        }
        if let Some(g) = by_service.get_mut(&(f.carrier, f.account, f.service)) {
            if !g.rules.contains(&f.rule) {
                g.rules.insert(f.rule.clone());
            }
        }
    }
    let mut by_service: Vec<((&str, &str, &str), Gathered)> =
        by_service.into_iter().map(|(k, g)| (texts(k), g)).collect();
    by_service.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut by_carrier: BTreeMap<&str, Vec<ChangeLine>> = BTreeMap::new();
    for ((carrier, account, service), g) in by_service {
        let Some((action, from, to, pool)) = g.best else {
            continue;
        };
        let mut evidence = String::new();
        let ev: Vec<SourceRef> = g.evidence.into_iter().collect();
        join_sources(dump, &ev, &mut evidence);
        let basis: Vec<SourceRef> = g.basis.into_iter().collect();
        if !basis.is_empty() {
            if !evidence.is_empty() {
                evidence.push(';');
            }
            join_sources(dump, &basis, &mut evidence);
        }
        by_carrier.entry(carrier).or_default().push(ChangeLine {
            account: account.to_string(),
            service: service.to_string(),
            action,
            rule: g.rules.into_iter().collect::<Vec<_>>().join(";"),
            from,
            to,
            pool,
            monthly: g.monthly.values().copied().sum(),
            evidence,
        });
    }
    let names = unique_names(by_carrier.keys().copied());
    by_carrier
        .into_iter()
        .map(|(carrier, lines)| CarrierChanges {
            carrier: carrier.to_string(),
            stem: names.get(carrier).cloned().unwrap_or_else(|| "_".to_string()),
            lines,
        })
        .collect()
}

/// The columns of `changes/<carrier>.csv`, in order (report.xlsx's Changes sheet has
/// them after a `carrier` column).
pub(crate) const CHANGE_COLUMNS: [&str; 8] = [
    "account",
    "service_id",
    "action",
    "rule",
    "from",
    "to",
    "monthly_saving",
    "evidence",
];

/// One carrier's `changes/<carrier>.csv`: [`CHANGE_COLUMNS`], every text cell
/// behind the spreadsheet guard.
pub fn changes_csv(c: &CarrierChanges) -> String {
    let mut out = csv::WriterBuilder::new().from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = out.write_record(CHANGE_COLUMNS);
    for l in &c.lines {
        let _ = out.write_record([
            guard(&l.account).as_ref(),
            guard(&l.service).as_ref(),
            l.action.as_str(),
            guard(&l.rule).as_ref(),
            guard(&l.from).as_ref(),
            guard(&l.to).as_ref(),
            money_string(l.monthly).as_str(),
            guard(&l.evidence).as_ref(),
        ]);
    }
    let bytes = out.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}
