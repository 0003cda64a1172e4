//! `duplicate_charge` (DUP001).

use crate::config::RuleError;
use crate::index::{Index, SvcId};
use crate::kinds::{Fields, Kind, KindDef, Param};
use std::sync::Arc;
use crate::util::{money_m, periods_text, row_claim, Draft};
use rustc_hash::FxHashMap;
use telaudit_model::{ChargeType, ChargeTypes, Decimal, Dump, Finding, Micros, RowId, Sym};

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

/// The part of the key that varies within one (account, service_id).
type Key = (ChargeType, Sym, Sym, u32, u32, i64, i64);

impl DuplicateCharge {
    pub(crate) fn read(f: &mut Fields) -> Result<Self, RuleError> {
        use ChargeType::*;
        Ok(DuplicateCharge {
            charge_types: f
                .opt_charge_types("charge_types")?
                .unwrap_or(ChargeTypes::of(&[Recurring, OneTime, Usage, Fee, Surcharge])),
            positive_only: f.opt_bool("positive_only")?.unwrap_or(true),
        })
    }
}

impl Kind for DuplicateCharge {
    fn run(&self, id: &str, dump: &Dump, ix: &Index) -> Vec<Finding> {
        // The spec's key has no carrier: services of one (account, service_id) under
        // two carrier names are compared together.
        let mut groups: FxHashMap<(Sym, Sym), Vec<SvcId>> = FxHashMap::default();
        for (s, info) in ix.services.iter().enumerate() {
            groups
                .entry((ix.acc(info.acc).account, info.service))
                .or_default()
                .push(s as SvcId);
        }
        let mut findings = Vec::new();
        let mut keyed: Vec<(Key, RowId)> = Vec::new();
        for svcs in groups.values() {
            keyed.clear();
            for &s in svcs {
                for &r in &ix.svc(s).rows {
                    let row = &dump.rows[r as usize];
                    if !self.charge_types.contains(row.charge_type)
                        || (self.positive_only && !row.amount.is_positive())
                    {
                        continue;
                    }
                    let key = (
                        row.charge_type,
                        row.charge_code,
                        row.description,
                        row.period_start.packed(),
                        row.period_end.packed(),
                        row.quantity.0,
                        row.amount.0,
                    );
                    keyed.push((key, r));
                }
            }
            if keyed.len() < 2 {
                continue;
            }
            keyed.sort_unstable();
            // Per duplicated charge (carrier of the first copy, code, description):
            // the finding's rows, and per run its (copies, amount).
            let mut by_charge: FxHashMap<(Sym, Sym, Sym), (Draft, Vec<Run>)> = FxHashMap::default();
            let mut i = 0;
            while i < keyed.len() {
                let mut j = i + 1;
                while j < keyed.len() && keyed[j].0 == keyed[i].0 {
                    j += 1;
                }
                if j - i >= 2 {
                    let first = &dump.rows[keyed[i].1 as usize];
                    let (draft, runs) = by_charge
                        .entry((first.carrier, first.charge_code, first.description))
                        .or_insert_with(|| {
                            (
                                Draft::new(first.carrier, first.account, first.service),
                                Vec::new(),
                            )
                        });
                    if draft.group.is_empty() {
                        draft.group = vec![
                            dump.s(first.charge_code).to_string(),
                            dump.s(first.description).to_string(),
                        ];
                    }
                    runs.push((j - i, first.amount));
                    for (k, &(_, r)) in keyed[i..j].iter().enumerate() {
                        draft.rows.push(r);
                        if k > 0 {
                            let amt = dump.rows[r as usize].amount.to_decimal();
                            draft.claims.push(row_claim(r, amt, Decimal::ZERO));
                        }
                    }
                }
                i = j;
            }
            for ((_, _, desc), (mut draft, runs)) in by_charge {
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
        }
        findings
    }
}
