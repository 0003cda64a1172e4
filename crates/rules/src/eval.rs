//! Running a rule set over a dump.

use crate::config::RuleSet;
use crate::index::Index;
use crate::util::finding_order;
use rayon::prelude::*;
use std::time::{Duration, Instant};
use telaudit_model::{Dump, Finding, RuleResult};

/// How long an evaluation took: the shared index, then each rule (sorted by id).
#[derive(Clone, Debug, Default)]
pub struct Timings {
    /// Building the shared index.
    pub index: Duration,
    /// Each rule's own run, by rule id.
    pub rules: Vec<(String, Duration)>,
}

/// Runs every rule over the dump: one result per rule, sorted by rule id, each
/// rule's findings in carrier, account, service, description, period order;
/// claims found too late to claim are marked expired ([`crate::expire`]).
pub fn evaluate(rules: &RuleSet, dump: &Dump) -> Vec<RuleResult> {
    evaluate_timed(rules, dump).0
}

/// As [`evaluate`], also returning how long the index and each rule took.
pub fn evaluate_timed(rules: &RuleSet, dump: &Dump) -> (Vec<RuleResult>, Timings) {
    let t0 = Instant::now();
    let ix = Index::build(dump);
    let index = t0.elapsed();
    let mut out: Vec<(RuleResult, Duration)> = rules
        .rules()
        .par_iter()
        .map(|rule| {
            let t = Instant::now();
            let findings = sorted(dump, rule.params.run(&rule.id, dump, &ix));
            (
                RuleResult {
                    rule: rule.info(),
                    findings,
                },
                t.elapsed(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.rule.id.cmp(&b.0.rule.id));
    let timings = Timings {
        index,
        rules: out.iter().map(|(r, d)| (r.rule.id.clone(), *d)).collect(),
    };
    let mut results: Vec<RuleResult> = out.into_iter().map(|(r, _)| r).collect();
    crate::windows::expire(dump, &mut results);
    (results, timings)
}

/// Findings in [`finding_order`]: their places sorted (a stable sort, in
/// parallel: the order one thread's stable sort gives), then the findings
/// moved once each into place, rather than moved at every step of the sort.
fn sorted(dump: &Dump, findings: Vec<Finding>) -> Vec<Finding> {
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.par_sort_by(|&a, &b| finding_order(dump, &findings[a], &findings[b]));
    let mut slots: Vec<Option<Finding>> = findings.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}
