//! `duplicate_charge` (DUP001).

use crate::config::RuleError;
use crate::index::{identical_runs, Index};
use crate::kinds::{Fields, Kind, KindDef, Param};
use std::sync::Arc;
use crate::util::{money_m, periods_text, row_claim, Draft};
use rustc_hash::FxHashMap;
use telaudit_model::{ChargeType, ChargeTypes, Decimal, Dump, Finding, Micros, Row, RowId, Sym};

/// This kind's entry in the registry ([`crate::kinds::REGISTRY`]).
pub const KIND: KindDef = KindDef {
    name: "duplicate_charge",
    heading: " (DUP001)",
    params: &[
        Param {
            key: "charge_types",
            default: "`[\"recurring\", \"one_time\", \"usage\", \"fee\", \"surcharge\"]`",
            meaning: "which rows can be duplicates",
        },
        Param {
            key: "positive_only",
            default: "`true`",
            meaning: "only positive amounts",
        },
    ],
    note: "Rows agreeing on account, service_id, charge_type, charge_code, description, period_start,
period_end, quantity and amount are copies; every copy after the first (in file path and
line order) is recoverable.",
    key: "the duplicated charge's charge_code and description (one finding per service and duplicated charge, over all its periods; the carrier is that of the first copy)",
    read: |f| Ok(Arc::new(DuplicateCharge::read(f)?)),
};

/// ## What it does
/// Finds rows billed more than once: two or more rows of the chosen charge types
/// (default `recurring`, `one_time`, `usage`, `fee`, `surcharge`) with a positive
/// amount that agree on account, service_id, charge_type, charge_code,
/// description, period_start, period_end, quantity and amount (by value). The
/// invoice may differ: the same charge re-billed on a later invoice is a copy too.
///
/// One finding per service and duplicated charge (charge_code + description),
/// over all its periods; its evidence is every copy.
///
/// ## Finding key
/// The rule id, carrier (of the first copy), account, service_id, then the
/// duplicated charge's charge_code and description: one finding per service and
/// duplicated charge over all its periods ([`KindDef::key`]). The periods,
/// amounts and number of copies are not part of it: a copy billed again next
/// month keeps the finding's key.
///
/// ## Why is this bad
/// The carrier billed the same thing twice for the same period. Every copy but
/// one is money paid for nothing: recoverable is (copies - 1) x amount. The cause
/// is usually a billing-system slip, not a standing charge, so monthly is 0.
///
/// ## Example
/// The fixture `crates/rules/tests/fixtures/duplicate_charge/` is this example.
///
/// | row | service | description | period | amount |
/// |---|---|---|---|---|
/// | a.csv:2 | 555-0100 | Unlimited Plan | 2025-01-01 | 45.00 |
/// | b.csv:2 | 555-0100 | Unlimited Plan | 2025-01-01 | 45.00 |
/// | b.csv:3 | 555-0100 | Unlimited Plan | 2025-02-01 | 45.00 |
///
/// One finding, "2 copies of 'Unlimited Plan' 45.00, 1 period", evidence
/// a.csv:2 and b.csv:2, recoverable 45.00 (a claim on b.csv:2, the copy after the
/// first in file order), monthly 0. The February row has no twin.
#[derive(Clone, Debug)]
pub struct DuplicateCharge {
    /// Which charge types can be duplicates (`charge_types`).
    pub charge_types: ChargeTypes,
    /// Only rows with a positive amount (`positive_only`).
    pub positive_only: bool,
}

/// One set of copies: how many, and the amount of each.
type Run = (usize, Micros);

/// A duplicated charge: account, service_id, carrier of the first copy, code, description.
type ChargeKey = (Sym, Sym, Sym, Sym, Sym);

impl DuplicateCharge {
    /// The charge types a copy can have by default (and by formats.md section 6).
    fn default_types() -> ChargeTypes {
        use ChargeType::*;
        ChargeTypes::of(&[Recurring, OneTime, Usage, Fee, Surcharge])
    }

    pub(crate) fn read(f: &mut Fields) -> Result<Self, RuleError> {
        Ok(DuplicateCharge {
            charge_types: f
                .opt_charge_types("charge_types")?
                .unwrap_or(Self::default_types()),
            positive_only: f.opt_bool("positive_only")?.unwrap_or(true),
        })
    }

    /// With the default parameters the copies are those the shared index marked.
    fn is_default(&self) -> bool {
        self.positive_only && self.charge_types == Self::default_types()
    }

    /// The groups of identical rows (each ascending: the original, then its
    /// copies) among the rows this rule's own parameters take.
    fn runs(&self, dump: &Dump, ix: &Index) -> Vec<Vec<RowId>> {
        identical_runs(dump, ix, &|row: &Row| {
            self.charge_types.contains(row.charge_type) && (!self.positive_only || row.amount.is_positive())
        })
    }
}

impl Kind for DuplicateCharge {
    fn run(&self, id: &str, dump: &Dump, ix: &Index) -> Vec<Finding> {
        if self.is_default() {
            findings(id, dump, &ix.copy_runs)
        } else {
            findings(id, dump, &self.runs(dump, ix))
        }
    }
}

/// One finding per service and duplicated charge (carrier of the first copy,
/// code, description), over all its groups of identical rows.
fn findings(id: &str, dump: &Dump, runs: &[Vec<RowId>]) -> Vec<Finding> {
    // Per (account, service_id, carrier of the first copy, code, description):
    // the finding's rows, and per group its (copies, amount).
    let mut by_charge: FxHashMap<ChargeKey, (Draft, Vec<Run>)> = FxHashMap::default();
    for run in runs {
        let first = &dump.rows[run[0] as usize];
        let key = (
            first.account,
            first.service,
            first.carrier,
            first.charge_code,
            first.description,
        );
        let (draft, counts) = by_charge.entry(key).or_insert_with(|| {
            let mut draft = Draft::new(first.carrier, first.account, first.service);
            draft.group = vec![
                dump.s(first.charge_code).to_string(),
                dump.s(first.description).to_string(),
            ];
            (draft, Vec::new())
        });
        counts.push((run.len(), first.amount));
        for (k, &r) in run.iter().enumerate() {
            draft.rows.push(r);
            if k > 0 {
                let amt = dump.rows[r as usize].amount.to_decimal();
                draft.claims.push(row_claim(r, amt, Decimal::ZERO));
            }
        }
    }
    let mut findings = Vec::with_capacity(by_charge.len());
    for ((_, _, _, _, desc), (mut draft, runs)) in by_charge {
        draft.claims.sort_by_key(|c| c.key);
        let n = draft.distinct_periods(dump).len();
        let copies = runs.iter().map(|r| r.0).max().unwrap_or(2);
        let same_copies = runs.iter().all(|r| r.0 == copies);
        let amount = runs[0].1;
        let same_amount = runs.iter().all(|r| r.1 == amount);
        let mut text = format!(
            "{}{copies} copies of '{}'",
            if same_copies { "" } else { "up to " },
            dump.s(desc)
        );
        if same_amount {
            text.push(' ');
            text.push_str(&money_m(amount));
        }
        text.push_str(", ");
        text.push_str(&periods_text(n));
        findings.push(draft.finish(id, dump, text));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runs DUP001 reads from the index are those it would find itself.
    #[test]
    fn index_runs_equal_the_rules_own_grouping() {
        let dir = tempfile::tempdir().unwrap();
        let client = dir.path().join("c");
        let opts = telaudit_generate::GenOptions {
            services: 80,
            seed: 3,
            ..Default::default()
        };
        telaudit_generate::generate(&client, &opts).unwrap();
        let dump = telaudit_parse::read_client(&client).unwrap();
        let ix = Index::build(&dump);
        let rule = DuplicateCharge {
            charge_types: DuplicateCharge::default_types(),
            positive_only: true,
        };
        assert!(rule.is_default());
        let mut own = rule.runs(&dump, &ix);
        let mut shared = ix.copy_runs.clone();
        own.sort();
        shared.sort();
        assert!(!own.is_empty());
        assert_eq!(own, shared);
    }
}
