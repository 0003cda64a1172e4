//! `billed_after_disconnect` (DIS001).

use crate::config::RuleError;
use crate::index::{Index, SvcId};
use crate::kinds::{Fields, Kind, KindDef};
use std::sync::Arc;
use crate::util::{periods_text, row_claim, Draft};
use rustc_hash::{FxHashMap, FxHashSet};
use telaudit_model::{ChargeType, Date, Decimal, Dump, Finding, ServiceStatus};

/// This kind's entry in the registry ([`crate::kinds::REGISTRY`]).
pub const KIND: KindDef = KindDef {
    name: "billed_after_disconnect",
    heading: " (DIS001)",
    params: &[],
    note: "No parameters: it reads inventory.csv.",
    key: "none beyond the service: the rule id, carrier, account and service_id (one finding per service)",
    read: |f| Ok(Arc::new(BilledAfterDisconnect::read(f)?)),
};

/// ## What it does
/// Finds services the client's inventory marks `disconnected` that are still
/// billed for a period whose period_start is after the disconnect_date. The
/// inventory line matches rows on carrier and service_id, and on account only
/// when it names one. If several lines match one service, the one naming the
/// account wins (whatever its status: an account's own `active` line is not
/// overridden by a carrier-wide `disconnected` one), then the earliest disconnect date.
///
/// One finding per service; its evidence is every positive row of the periods
/// after the disconnect, its basis the inventory line.
///
/// ## Finding key
/// The rule id, carrier, account and service_id: one finding per service, so
/// nothing more is needed ([`KindDef::key`]).
///
/// ## Why is this bad
/// Everything billed for a period after the disconnect is for a service the
/// client no longer has: every positive row of those periods is recoverable.
/// Until the carrier stops billing, it recurs: monthly is the rows of the
/// account's latest period that recur (`recurring`, `surcharge`, `tax`), copies
/// excepted: a one-time charge, usage, a fee or an adjustment is not billed again
/// next month, and a copy is DUP001's one-time error (formats.md section 6).
/// Its change (`changes/<carrier>.csv`) is the action `disconnect`: dispute the
/// charges and make the carrier enforce the disconnect; it comes before any
/// other action on the service (a plan change for a line that is gone is moot).
///
/// ## Example
/// The fixture `crates/rules/tests/fixtures/billed_after_disconnect/` is this example.
///
/// Inventory: 555-0100, disconnected, disconnect_date 2025-01-31; 555-0200, active.
///
/// | row | period | amount |
/// |---|---|---|
/// | a.csv:2 | 2025-01-01 | 45.00 |
/// | a.csv:3 | 2025-02-01 | 45.00 |
/// | a.csv:4 | 2025-02-01 | 3.10 (tax) |
/// | a.csv:5 | 2025-02-01 | -5.00 (credit) |
/// | a.csv:6 | 2025-02-01 | 45.00 (555-0200) |
///
/// Found: "billed 1 period after disconnect on 2025-01-31", recoverable 48.10
/// (a.csv:3 and :4), monthly 48.10 (February is the account's latest period).
/// January starts before the disconnect date; the credit is not a charge; 555-0200
/// is active.
#[derive(Clone, Debug)]
pub struct BilledAfterDisconnect;

impl BilledAfterDisconnect {
    pub(crate) fn read(_f: &mut Fields) -> Result<Self, RuleError> {
        Ok(BilledAfterDisconnect)
    }
}

/// The inventory line that rules each billed service, whatever its status: a
/// line naming the account wins over a carrier-wide one (say `active` over
/// `disconnected`), then a disconnected line with a date, then the earlier date.
fn ruling_lines(dump: &Dump, ix: &Index) -> FxHashMap<SvcId, usize> {
    let mut line_of: FxHashMap<SvcId, usize> = FxHashMap::default();
    for (li, rec) in dump.inventory.iter().enumerate() {
        for acc in ix.accounts_matching(rec.carrier, rec.account) {
            let Some(s) = ix.service(acc, rec.service) else {
                continue;
            };
            line_of
                .entry(s)
                .and_modify(|prev| {
                    let o = &dump.inventory[*prev];
                    // Named account first, then a disconnected line, then the earlier date.
                    let rank = |r: &telaudit_model::InventoryRecord| {
                        (
                            r.account.is_empty(),
                            r.status != ServiceStatus::Disconnected || r.disconnect_date.is_none(),
                            r.disconnect_date,
                        )
                    };
                    if rank(o) > rank(rec) {
                        *prev = li;
                    }
                })
                .or_insert(li);
        }
    }
    line_of
}

/// The disconnect date of a service whose ruling inventory line says
/// `disconnected` with a date (a service with an empty service_id has none).
fn cut_of(dump: &Dump, ix: &Index, s: SvcId, li: usize) -> Option<Date> {
    let rec = &dump.inventory[li];
    if rec.status != ServiceStatus::Disconnected || ix.svc(s).service.is_empty() {
        return None;
    }
    rec.disconnect_date
}

/// Whether a row is billed after the disconnect date `cut`: a positive charge of
/// a period starting after it.
fn billed_after(row: &telaudit_model::Row, cut: Date) -> bool {
    row.period_start > cut && row.amount.is_positive()
}

/// The services DIS001's definition finds (billed after their disconnect date),
/// whether or not DIS001 runs: a pool leaves them out (optimization.md section 3b).
pub(crate) fn disconnected_billed(dump: &Dump, ix: &Index) -> FxHashSet<SvcId> {
    ruling_lines(dump, ix)
        .into_iter()
        .filter(|&(s, li)| {
            cut_of(dump, ix, s, li).is_some_and(|cut| {
                ix.svc(s)
                    .rows
                    .iter()
                    .any(|&r| billed_after(&dump.rows[r as usize], cut))
            })
        })
        .map(|(s, _)| s)
        .collect()
}

impl Kind for BilledAfterDisconnect {
    fn run(&self, id: &str, dump: &Dump, ix: &Index) -> Vec<Finding> {
        let line_of = ruling_lines(dump, ix);
        let mut findings = Vec::new();
        for (&s, &li) in &line_of {
            let rec = &dump.inventory[li];
            let Some(cut) = cut_of(dump, ix, s, li) else { continue };
            let svc = ix.svc(s);
            let acc = ix.acc(svc.acc);
            let latest = acc.latest();
            let mut draft = Draft::new(acc.carrier, acc.account, svc.service);
            for &r in &svc.rows {
                let row = &dump.rows[r as usize];
                if billed_after(row, cut) {
                    let amount = row.amount.to_decimal();
                    let recurs = matches!(
                        row.charge_type,
                        ChargeType::Recurring | ChargeType::Surcharge | ChargeType::Tax
                    );
                    let monthly = if recurs && Some(row.period_start) == latest && !ix.is_copy(r) {
                        amount
                    } else {
                        Decimal::ZERO
                    };
                    draft.rows.push(r);
                    draft.claims.push(row_claim(r, amount, monthly));
                }
            }
            if draft.claims.is_empty() {
                continue;
            }
            draft.basis.push(rec.source);
            let n = draft.distinct_periods(dump).len();
            let text = format!("billed {} after disconnect on {cut}", periods_text(n));
            let from = crate::util::billed_codes(dump, &draft.rows, latest);
            let mut f = draft.finish(id, dump, text);
            // Dispute the charges (they are recoverable) and have the carrier
            // enforce the disconnect, whatever else is found on the service.
            f.change = Some(telaudit_model::Change {
                action: telaudit_model::Action::Disconnect,
                from,
                to: "disconnect".to_string(),
                pool: None,
            });
            findings.push(f);
        }
        findings
    }
}
