//! `changes/<carrier>.csv`: the plan and tier changes and the cancellations to order
//! from each carrier (optimization.md section 3's findings: PLN001, CIR001, ZOM001,
//! and any finding that carries a [`telaudit_model::Change`]).

use crate::disputes::unique_names;
use crate::tables::{guard, join_sources, sorted_findings};
use telaudit_model::{money_string, Decimal, Dump, RuleResult};

/// One change to order: a finding that recommends one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeLine {
    /// The billed account.
    pub account: String,
    /// The service to change or cancel.
    pub service: String,
    /// The rule that recommends it.
    pub rule: String,
    /// The current plan or tier.
    pub from: String,
    /// The recommended plan or tier, or `cancel`.
    pub to: String,
    /// What the change saves per month (the finding's own monthly, exact).
    pub monthly: Decimal,
    /// The bill lines, then the catalogue, inventory and utilization lines it rests on, `;`-joined.
    pub evidence: String,
}

/// The changes to order from one carrier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarrierChanges {
    /// The carrier as billed.
    pub carrier: String,
    /// The file name without `.csv` (sanitized, unique case-insensitively).
    pub stem: String,
    /// Sorted by account, service, rule.
    pub lines: Vec<ChangeLine>,
}

/// Every finding that recommends a change, grouped by carrier (carriers in name order).
pub fn changes(dump: &Dump, results: &[RuleResult]) -> Vec<CarrierChanges> {
    let mut by_carrier: std::collections::BTreeMap<&str, Vec<ChangeLine>> = Default::default();
    for (_, f) in sorted_findings(dump, results) {
        let Some(change) = &f.change else { continue };
        let mut evidence = String::new();
        join_sources(dump, &f.evidence, &mut evidence);
        if !f.basis.is_empty() {
            if !evidence.is_empty() {
                evidence.push(';');
            }
            join_sources(dump, &f.basis, &mut evidence);
        }
        by_carrier.entry(dump.s(f.carrier)).or_default().push(ChangeLine {
            account: dump.s(f.account).to_string(),
            service: dump.s(f.service).to_string(),
            rule: f.rule.clone(),
            from: change.from.clone(),
            to: change.to.clone(),
            monthly: f.monthly,
            evidence,
        });
    }
    let names = unique_names(by_carrier.keys().copied());
    by_carrier
        .into_iter()
        .map(|(carrier, mut lines)| {
            lines.sort_by(|a, b| (&a.account, &a.service, &a.rule).cmp(&(&b.account, &b.service, &b.rule)));
            CarrierChanges {
                carrier: carrier.to_string(),
                stem: names.get(carrier).cloned().unwrap_or_else(|| "_".to_string()),
                lines,
            }
        })
        .collect()
}

/// The columns of `changes/<carrier>.csv`, in order (report.xlsx's Changes sheet has
/// them after a `carrier` column).
pub(crate) const CHANGE_COLUMNS: [&str; 7] = [
    "account",
    "service_id",
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
