//! `unbalanced_invoice` (BAL001).

use crate::config::RuleError;
use crate::index::Index;
use crate::kinds::{Fields, Kind, KindDef};
use std::sync::Arc;
use crate::util::{money_m, Draft};
use telaudit_model::{Dump, Finding};

/// This kind's entry in the registry ([`crate::kinds::REGISTRY`]).
pub const KIND: KindDef = KindDef {
    name: "unbalanced_invoice",
    heading: " (BAL001)",
    params: &[],
    note: "No parameters: it reads the totals that X12 811 invoices state (TDS).",
    key: "the invoice number (one finding per unbalanced invoice; its service_id is empty)",
    read: |f| Ok(Arc::new(UnbalancedInvoice::read(f)?)),
};

/// ## What it does
/// Reports every X12 811 invoice whose charge rows do not add up to the total
/// it states in its TDS segment (the parser lists them in `Dump::unbalanced`).
/// Its evidence is the invoice's rows and its ST segment. CSV bills have no
/// stated total, so without EDI input it finds nothing.
///
/// ## Finding key
/// The rule id, carrier, account, an empty service_id, then the invoice number:
/// one finding per unbalanced invoice ([`KindDef::key`]).
///
/// ## Why is this bad
/// When the detail does not add up to the total, the client pays an amount it
/// cannot check line by line. The difference is not proven overbilling, so the
/// finding claims no money (recoverable and monthly 0); it asks for a closer look.
///
/// ## Example
/// The fixture `crates/rules/tests/fixtures/unbalanced_invoice/` is this example.
///
/// `invoices/v.edi` holds two transactions with the same three rows (850.00, tax
/// 25.50, credit -200.00: 675.50). The first states TDS*67550 (675.50) and is not
/// found. The second, ST at segment 25, invoice LUMKX881220251202, states TDS*70000:
/// one finding "invoice LUMKX881220251202 states 700.00 but its charges sum to 675.50
/// (difference 24.50)", evidence the rows' segments (38, 40, 44) and segment 25.
#[derive(Clone, Debug)]
pub struct UnbalancedInvoice;

impl UnbalancedInvoice {
    pub(crate) fn read(_f: &mut Fields) -> Result<Self, RuleError> {
        Ok(UnbalancedInvoice)
    }
}

impl Kind for UnbalancedInvoice {
    fn run(&self, id: &str, dump: &Dump, _ix: &Index) -> Vec<Finding> {
        let mut findings = Vec::with_capacity(dump.unbalanced.len());
        for u in &dump.unbalanced {
            let mut draft = Draft::new(u.carrier, u.account, telaudit_model::Sym::EMPTY);
            draft.group.push(dump.s(u.invoice).to_string());
            // The invoice's rows in its range (a copy's total moved onto the kept
            // file's rows spans them, and maybe other invoices' rows between).
            let end = u.rows.end.min(dump.rows.len() as u32);
            draft.rows.extend((u.rows.start.min(end)..end).filter(|&i| {
                let r = &dump.rows[i as usize];
                (r.carrier, r.account, r.invoice) == (u.carrier, u.account, u.invoice)
            }));
            let text = format!(
                "invoice {} states {} but its charges sum to {} (difference {})",
                dump.s(u.invoice),
                money_m(u.stated),
                money_m(u.computed),
                money_m(u.stated - u.computed)
            );
            let mut f = draft.finish(id, dump, text);
            f.evidence.push(u.source);
            f.evidence.sort_unstable();
            f.evidence.dedup();
            if !f.invoices.contains(&u.invoice) {
                f.invoices.push(u.invoice);
                f.invoices.sort_by(|a, b| dump.s(*a).cmp(dump.s(*b)));
            }
            findings.push(f);
        }
        findings
    }
}
