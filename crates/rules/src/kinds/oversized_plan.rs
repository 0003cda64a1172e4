//! `oversized_plan` (PLN001).

use crate::catalogue::{label, plan_row};
use crate::index::{AccountInfo, Index, ServiceInfo};
use crate::kinds::{Kind, KindDef};
use crate::util::{money, row_claim, Draft};
use std::sync::Arc;
use telaudit_model::{CatalogueEntry, Change, ChargeType, Date, Decimal, Dump, Finding, PlanKind};

/// This kind's entry in the registry ([`crate::kinds::REGISTRY`]).
pub const KIND: KindDef = KindDef {
    name: "oversized_plan",
    heading: " (PLN001)",
    params: &[],
    note: "No parameters: it reads the `plan` lines of plans.csv (the window is the account's \
           last 3 periods). The current plan costs what the bill charges for its plan row (B), \
           not its catalogue price: a saving is never larger than the bill.",
    key: "none beyond the service: the rule id, carrier, account and service_id (one finding per service; the plans named are not part of it, so a price change keeps the key)",
    read: |_| Ok(Arc::new(OversizedPlan)),
};

/// How many of the account's latest periods PLN001 and CIR001 look at.
pub(crate) const WINDOW: usize = 3;

/// ## What it does
/// Finds wireless lines on plans far above their use (optimization.md section 3).
/// A service (non-empty service_id) whose one catalogue-plan row of its account's
/// latest period is plan P of plans.csv, that has at least one `usage` row in P's
/// usage_unit in each of the account's last 3 periods (the window; the account needs
/// 3 periods), and for which another plan Q of the same carrier and usage_unit, on
/// offer in the latest period, costs less than P in every period of the window.
/// cost(X) = X.monthly + X.overage_rate x max(0, usage - X.allowance), except that
/// for P itself the monthly is B, what the bill charges for the plan row of the
/// latest period (the catalogue names the plan; the bill says what the client pays,
/// so a saving is never larger than the bill; a catalogue price that differs from
/// B is a warning of the reader). Of several such Q, the least summed cost over the
/// window wins (ties: lower monthly, then the smaller code). Monthly = the least,
/// over the window, of cost(P) - cost(Q), claimed on the latest plan row;
/// recoverable is 0. A cost beyond any bill (more than 10^15: the reader refuses
/// the catalogue line whose overage could reach it) is never computed: the
/// service is not judged.
///
/// Evidence: the window's plan rows and usage rows; basis: the catalogue lines of P
/// and Q.
///
/// ## Finding key
/// The rule id, carrier, account and service_id: one finding per service, so
/// nothing more is needed ([`KindDef::key`]).
///
/// ## Why is this bad
/// Nothing was billed in error: the client buys more than it uses. Moving the line
/// to Q saves the difference every month, even in its busiest month of the window.
///
/// ## Example
/// The fixture `crates/rules/tests/fixtures/oversized_plan/` is this example.
///
/// Catalogue (carrier V): UNL 60.00 (5000 MIN), P500 35.00 (500 MIN, 0.10 over),
/// P100 20.00 (100 MIN, 0.25 over), OLD50 10.00 (50 MIN, retired 2024-12-31).
/// Account 100 has periods 2025-01 .. 2025-04; every line is on UNL, billed at 60.00.
///
/// | service | usage Feb, Mar, Apr (MIN) | cost of P500 | found |
/// |---|---|---|---|
/// | 555-0100 | 300, 450, 700 | 35, 35, 55 | yes: to P500, saves min(25, 25, 5) = 5.00 a month |
/// | 555-0200 | 300, 4800, 200 | 35, 465, 35 | no: one heavy month makes every smaller plan dearer |
/// | 555-0300 | 300, none, 200 | | no: a month of the window has no usage row |
///
/// P100 costs 70.00 for 555-0100 in February (more than 60.00), so it is not a
/// candidate; OLD50 is cheaper but no longer on offer.
#[derive(Clone, Debug)]
pub struct OversizedPlan;

/// What a plan would cost a service in each period of the window, at `monthly`
/// a month (the catalogue's price, or B for the current plan); `None` when a cost
/// would pass 10^16 (never reached by a catalogue line the reader accepts: its
/// overage is at most 10^15 and a monthly price at most 10^12).
fn costs(monthly: Decimal, e: &CatalogueEntry, usage: &[Decimal]) -> Option<Vec<Decimal>> {
    let allowance = e.allowance.to_decimal();
    let rate = e.overage_rate.to_decimal();
    usage
        .iter()
        .map(|&u| {
            let over = u.checked_sub(allowance)?.max(Decimal::ZERO);
            let cost = monthly.checked_add(rate.checked_mul(over)?)?;
            (cost.abs() <= Decimal::from(MAX_COST)).then_some(cost)
        })
        .collect()
}

/// The largest cost of a plan in one period that PLN001 computes.
const MAX_COST: i64 = 10_000_000_000_000_000;

/// The window's usage in P's unit per period (`None` when a period has no usage
/// row), and the rows the finding rests on: the window's plan rows and usage rows.
pub(crate) fn window_usage(dump: &Dump, ix: &Index, svc: &ServiceInfo, p: &CatalogueEntry, window: &[Date]) -> Option<(Vec<Decimal>, Vec<u32>)> {
    let mut usage = vec![Decimal::ZERO; window.len()];
    let mut measured = vec![false; window.len()];
    let mut rows = Vec::new();
    for &r in &svc.rows {
        let row = &dump.rows[r as usize];
        let Ok(i) = window.binary_search(&row.period_start) else {
            continue;
        };
        match row.charge_type {
            ChargeType::Usage if row.usage_unit == p.usage_unit => {
                measured[i] = true;
                // A DUP001 copy bills the same use twice: it is not more use.
                if !ix.is_copy(r) {
                    usage[i] += row.usage_quantity.map_or(Decimal::ZERO, |q| q.to_decimal());
                }
                rows.push(r);
            }
            ChargeType::Recurring if row.charge_code == p.code => rows.push(r),
            _ => {}
        }
    }
    measured.iter().all(|&m| m).then_some((usage, rows))
}

/// The cheaper plan PLN001 recommends, with its costs over the window.
fn cheaper<'d>(
    dump: &'d Dump,
    ix: &'d Index,
    acc: &AccountInfo,
    p: &CatalogueEntry,
    cost_p: &[Decimal],
    latest: Date,
    usage: &[Decimal],
) -> Option<(&'d CatalogueEntry, Vec<Decimal>)> {
    let mut best: Option<(&CatalogueEntry, Vec<Decimal>, Decimal)> = None;
    for q in ix.catalogue.offers(dump, acc.carrier, PlanKind::Plan) {
        if q.code == p.code || q.usage_unit != p.usage_unit || !q.on_offer(latest) {
            continue;
        }
        let Some(cost_q) = costs(q.monthly.to_decimal(), q, usage) else {
            continue;
        };
        if !cost_q.iter().zip(cost_p).all(|(q, p)| q < p) {
            continue;
        }
        let sum: Decimal = cost_q.iter().sum();
        let better = match &best {
            None => true,
            Some((b, _, bsum)) => (sum, q.monthly, dump.s(q.code)) < (*bsum, b.monthly, dump.s(b.code)),
        };
        if better {
            best = Some((q, cost_q, sum));
        }
    }
    best.map(|(q, c, _)| (q, c))
}

impl OversizedPlan {
    fn check(&self, id: &str, dump: &Dump, ix: &Index, svc: &ServiceInfo) -> Option<Finding> {
        let acc = ix.acc(svc.acc);
        if acc.periods.len() < WINDOW {
            return None;
        }
        let latest = acc.latest()?;
        let window = &acc.periods[acc.periods.len() - WINDOW..];
        let plan = plan_row(dump, ix, svc, acc, PlanKind::Plan)?;
        let code = dump.rows[plan as usize].charge_code;
        let p = ix.catalogue.entry(dump, acc.carrier, code, PlanKind::Plan, latest)?;
        let (usage, rows) = window_usage(dump, ix, svc, p, window)?;
        // What the client pays now is what the bill says (B), not the catalogue's price.
        let billed = dump.rows[plan as usize].amount.to_decimal();
        let cost_p = costs(billed, p, &usage)?;
        let (q, cost_q) = cheaper(dump, ix, acc, p, &cost_p, latest, &usage)?;
        let saving = cost_p
            .iter()
            .zip(&cost_q)
            .map(|(p, q)| p - q)
            .min()
            .unwrap_or(Decimal::ZERO);
        let mut draft = Draft::new(acc.carrier, acc.account, svc.service);
        draft.rows = rows;
        draft.periods = window.to_vec();
        draft.basis = vec![p.source, q.source];
        draft.claims.push(row_claim(plan, Decimal::ZERO, saving));
        let used: Vec<String> = usage.iter().map(|u| u.normalize().to_string()).collect();
        let text = format!(
            "plan {} billed at {} a month costs more than this line needs ({} {} used in the last {WINDOW} \
             periods): {} would cost less in every one of them; saves {} a month",
            label(dump, p),
            money(billed),
            used.join(", "),
            dump.s(p.usage_unit),
            label(dump, q),
            money(saving)
        );
        let mut f = draft.finish(id, dump, text);
        f.change = Some(Change {
            action: telaudit_model::Action::Downgrade,
            from: label(dump, p),
            to: label(dump, q),
            pool: None,
        });
        Some(f)
    }
}

impl Kind for OversizedPlan {
    fn run(&self, id: &str, dump: &Dump, ix: &Index) -> Vec<Finding> {
        if dump.plans.is_empty() {
            return Vec::new();
        }
        ix.services
            .iter()
            .filter(|svc| !svc.service.is_empty())
            .filter(|svc| ix.catalogue.sells(ix.acc(svc.acc).carrier, PlanKind::Plan))
            .filter_map(|svc| self.check(id, dump, ix, svc))
            .collect()
    }
}
