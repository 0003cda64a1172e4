//! `oversized_pool` (POL001).

use crate::catalogue::{label, plan_row};
use crate::index::{AccountInfo, Index, ServiceInfo, SvcId};
use crate::kinds::billed_after_disconnect::disconnected_billed;
use crate::kinds::not_in_inventory::Tracked;
use crate::kinds::oversized_plan::{window_usage, WINDOW};
use crate::kinds::unused_service::UnusedService;
use crate::kinds::{Kind, KindDef};
use crate::util::{money, quantity_text, row_claim, Draft};
use rust_decimal::RoundingStrategy;
use rustc_hash::FxHashSet;
use std::collections::BTreeMap;
use std::sync::Arc;
use telaudit_model::{
    Action, CatalogueEntry, Change, ChargeType, Decimal, Dump, Finding, PlanKind, PoolChange, RowId, Sym,
};

/// This kind's entry in the registry ([`crate::kinds::REGISTRY`]).
pub const KIND: KindDef = KindDef {
    name: "oversized_pool",
    heading: " (POL001)",
    params: &[],
    note: "No parameters: it reads the `pool` lines of plans.csv (the window is the account's \
           last 3 periods). A pool leaves out the services that UNU001, DIS001 and ZOM001 find by \
           their default rule files, whether or not those rules run.",
    key: "the rule id, carrier, account, an empty service_id and the pool's usage_unit (one finding per pool; its services and plans are not part of it, so a line joining or leaving the pool, or a price change, keeps the key)",
    read: |_| Ok(Arc::new(OversizedPool)),
};

/// ## What it does
/// Finds shared (pooled) plans far deeper than their lines use (optimization.md
/// section 3b). An account's *pool* (per carrier, account and usage_unit) is its
/// services whose one catalogue-plan row of the latest period is a `pool` entry
/// of plans.csv in that unit, leaving out the services that are idle (UNU001),
/// billed after their disconnect date (DIS001) or untracked (ZOM001) by those
/// rules' default definitions, whether or not they run: they get their own
/// action. A service whose latest period also holds a `plan` row is in no pool
/// (nor judged by PLN001). The pool needs 2 or more services, the account 3 or
/// more periods, and every service at least one usage row in the unit in each
/// period of the window (the last 3 periods); else it is not judged.
///
/// With n services, U(p) the pool's usage in period p (DUP001 copies excepted),
/// B each service's billed plan row of the latest period, A the sum of their
/// current allowances and O the largest of their current overage rates, the
/// pool costs C(p) = sum of B + O x max(0, U(p) - A) now. A `pool` entry Q of the
/// carrier and unit, on offer (the current plans included), would cost
/// n x Q.monthly + Q.overage_rate x max(0, U(p) - n x Q.allowance). When some Q
/// costs less in every period of the window, the pool is found: Q is the one with
/// the least summed cost (ties: lower monthly, then the smaller code), and the
/// monthly saving is the least, over the window, of C(p) minus Q's cost;
/// recoverable is 0.
///
/// The saving is claimed on the pool's plan rows: each the saving divided by n,
/// rounded down to the cent, the last row (path, then line order) the rest. Its
/// change (`changes/<carrier>.csv`) is one `downgrade` line per service, each from
/// its own plan to Q, with its row's share. Evidence: the latest period's plan
/// rows and the window's usage rows; basis: the catalogue lines of the current
/// plans and Q.
///
/// ## Finding key
/// The rule id, carrier, account, an empty service_id and the usage_unit: one
/// finding per pool, whatever lines it holds ([`KindDef::key`]).
///
/// ## Why is this bad
/// Nothing was billed in error: every line pays for a contribution to the pool
/// that nobody consumes. Moving the whole pool to a plan with a smaller
/// contribution saves the difference every month, even in the busiest month of
/// the window.
///
/// ## Example
/// The fixture `crates/rules/tests/fixtures/oversized_pool/` is this example.
///
/// Catalogue (carrier A, unit GB): FLEX30 50.00 a line (30 GB into the pool,
/// 10.00 a GB over), FLEX15 38.00 (15 GB, 12.50 over), FLEX5 28.00 (5 GB, 15.00
/// over). Periods 2025-01 .. 2025-04; the window is February to April.
///
/// | account | lines on | usage Feb, Mar, Apr (GB, the pool) | found |
/// |---|---|---|---|
/// | 100 | 3 x FLEX30 (90 GB, 150.00) | 18, 45.2, 17 | yes: to FLEX15 (45 GB), 114.00, 116.50, 114.00; saves min(36, 33.50, 36) = 33.50 a month |
/// | 200 | 2 x FLEX5 (10 GB, 56.00) | 8, 10, 9 | no: no pool plan costs less than 56.00 every month |
///
/// FLEX5 for account 100 would cost 129.00 and 114.00 in February and April,
/// but 537.00 in March (30.2 GB over its 15 GB pool): it is cheaper a line but
/// loses on overage, so FLEX15 is recommended. The 33.50 is claimed as 11.16,
/// 11.16 and 11.18 on the three plan rows of April.
#[derive(Clone, Debug)]
pub struct OversizedPool;

/// One service of a pool.
struct Member<'d> {
    /// Its plan row of the latest period.
    row: RowId,
    /// Its current plan.
    plan: &'d CatalogueEntry,
    /// Its usage per window period and the window's usage rows; `None` when a
    /// window period has no usage row in the unit.
    usage: Option<(Vec<Decimal>, Vec<RowId>)>,
}

/// The services that leave every pool, by the other rules' definitions.
struct LeftOut {
    idle: UnusedService,
    disconnected: FxHashSet<SvcId>,
    tracked: Option<Tracked>,
}

impl LeftOut {
    fn of(dump: &Dump, ix: &Index) -> LeftOut {
        LeftOut {
            idle: UnusedService::standard(),
            disconnected: disconnected_billed(dump, ix),
            tracked: Tracked::read(dump),
        }
    }

    fn contains(&self, dump: &Dump, ix: &Index, s: SvcId) -> bool {
        let svc = ix.svc(s);
        let acc = ix.acc(svc.acc);
        self.disconnected.contains(&s)
            || self
                .tracked
                .as_ref()
                .is_some_and(|t| t.untracked(acc.carrier, acc.account, svc.service))
            || self.idle.is_idle(dump, ix, svc)
    }
}

/// The pools of an account, by usage_unit (in byte order of the unit).
fn pools<'d>(dump: &'d Dump, ix: &Index, acc: &AccountInfo, out: &LeftOut) -> BTreeMap<&'d str, Vec<Member<'d>>> {
    let mut pools: BTreeMap<&str, Vec<Member>> = BTreeMap::new();
    let (Some(latest), Some(from)) = (acc.latest(), acc.periods.len().checked_sub(WINDOW)) else {
        return pools;
    };
    let window = &acc.periods[from..];
    for &s in &acc.services {
        let svc: &ServiceInfo = ix.svc(s);
        if svc.service.is_empty() {
            continue;
        }
        let Some(row) = plan_row(dump, ix, svc, acc, PlanKind::Pool) else {
            continue;
        };
        let code = dump.rows[row as usize].charge_code;
        let Some(plan) = ix.catalogue.entry(dump, acc.carrier, code, PlanKind::Pool, latest) else {
            continue;
        };
        if out.contains(dump, ix, s) {
            continue;
        }
        let usage = window_usage(dump, ix, svc, plan, window).map(|(u, mut rows)| {
            rows.retain(|&r| dump.rows[r as usize].charge_type == ChargeType::Usage);
            (u, rows)
        });
        pools
            .entry(dump.s(plan.usage_unit))
            .or_default()
            .push(Member { row, plan, usage });
    }
    pools
}

/// `a x max(0, usage - allowance)`, or `None` when it overflows.
fn overage(rate: Decimal, usage: Decimal, allowance: Decimal) -> Option<Decimal> {
    rate.checked_mul(usage.checked_sub(allowance)?.max(Decimal::ZERO))
}

/// What a pool costs now and its figures: (C per window period, U per period,
/// A); `None` when a service lacks usage in a window period (the pool is not
/// judged) or a figure overflows.
fn cost_now(dump: &Dump, members: &[Member]) -> Option<(Vec<Decimal>, Vec<Decimal>, Decimal)> {
    let mut usage = vec![Decimal::ZERO; WINDOW];
    let (mut billed, mut allowance, mut rate) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for m in members {
        let (u, _) = m.usage.as_ref()?;
        for (total, &x) in usage.iter_mut().zip(u) {
            *total = total.checked_add(x)?;
        }
        // B: what the bill charges for the plan now, not the catalogue's price.
        billed = billed.checked_add(dump.rows[m.row as usize].amount.to_decimal())?;
        allowance = allowance.checked_add(m.plan.allowance.to_decimal())?;
        rate = rate.max(m.plan.overage_rate.to_decimal());
    }
    let costs = usage
        .iter()
        .map(|&u| billed.checked_add(overage(rate, u, allowance)?))
        .collect::<Option<Vec<Decimal>>>()?;
    Some((costs, usage, allowance))
}

/// What moving `n` services to `q` would cost in each window period.
fn cost_of(q: &CatalogueEntry, n: Decimal, usage: &[Decimal]) -> Option<Vec<Decimal>> {
    let lines = n.checked_mul(q.monthly.to_decimal())?;
    let pooled = n.checked_mul(q.allowance.to_decimal())?;
    usage
        .iter()
        .map(|&u| lines.checked_add(overage(q.overage_rate.to_decimal(), u, pooled)?))
        .collect()
}

/// The pool plan POL001 recommends, with its costs over the window.
fn cheaper<'d>(
    dump: &'d Dump,
    ix: &'d Index,
    acc: &AccountInfo,
    unit: Sym,
    n: Decimal,
    now: &[Decimal],
    usage: &[Decimal],
) -> Option<(&'d CatalogueEntry, Vec<Decimal>)> {
    let latest = acc.latest()?;
    let mut best: Option<(&CatalogueEntry, Vec<Decimal>, Decimal)> = None;
    for q in ix.catalogue.offers(dump, acc.carrier, PlanKind::Pool) {
        if q.usage_unit != unit || !q.on_offer(latest) {
            continue;
        }
        let Some(cost) = cost_of(q, n, usage) else { continue };
        if !cost.iter().zip(now).all(|(q, c)| q < c) {
            continue;
        }
        let Some(sum) = cost.iter().try_fold(Decimal::ZERO, |s, &c| s.checked_add(c)) else {
            continue;
        };
        let better = match &best {
            None => true,
            Some((b, _, bsum)) => (sum, q.monthly, dump.s(q.code)) < (*bsum, b.monthly, dump.s(b.code)),
        };
        if better {
            best = Some((q, cost, sum));
        }
    }
    best.map(|(q, c, _)| (q, c))
}

/// The distinct labels of the pool's current plans, sorted (byte order), so that
/// the text never depends on the order of the bill files.
fn current_plans(dump: &Dump, members: &[Member]) -> String {
    let mut labels: Vec<String> = members.iter().map(|m| label(dump, m.plan)).collect();
    labels.sort_unstable();
    labels.dedup();
    labels.join(" + ")
}

impl OversizedPool {
    /// The finding of one pool (`members` in plan row order), if it is found.
    fn judge(&self, id: &str, dump: &Dump, ix: &Index, acc: &AccountInfo, members: &[Member]) -> Option<Finding> {
        let first = members.first()?;
        if members.len() < 2 {
            return None;
        }
        let unit = first.plan.usage_unit;
        let n = Decimal::from(members.len());
        let (now, usage, allowance) = cost_now(dump, members)?;
        let (q, cost_q) = cheaper(dump, ix, acc, unit, n, &now, &usage)?;
        let saving = now.iter().zip(&cost_q).map(|(c, q)| c - q).min()?;
        let share = saving
            .checked_div(n)?
            .round_dp_with_strategy(2, RoundingStrategy::ToZero);
        let mut draft = Draft::new(acc.carrier, acc.account, Sym::EMPTY);
        draft.group = vec![dump.s(unit).to_string()];
        draft.periods = acc.periods[acc.periods.len() - WINDOW..].to_vec();
        let mut rest = saving;
        for (i, m) in members.iter().enumerate() {
            draft.rows.push(m.row);
            draft.rows.extend(m.usage.iter().flat_map(|(_, rows)| rows.iter().copied()));
            draft.basis.push(m.plan.source);
            let claim = if i + 1 == members.len() { rest } else { share };
            rest -= share;
            draft.claims.push(row_claim(m.row, Decimal::ZERO, claim));
        }
        draft.basis.push(q.source);
        let unit_text = dump.s(unit);
        let used: Vec<String> = usage.iter().map(|&u| quantity_text(u)).collect();
        let after = n.checked_mul(q.allowance.to_decimal())?;
        let text = format!(
            "pool of {} services on {}, {} {unit_text} pooled, used {} {unit_text} in the last {WINDOW} \
             periods: {} would pool {} {unit_text} and cost less in every one of them; saves {} a month",
            members.len(),
            current_plans(dump, members),
            quantity_text(allowance),
            used.join(", "),
            label(dump, q),
            quantity_text(after),
            money(saving)
        );
        let mut f = draft.finish(id, dump, text);
        f.change = Some(Change {
            action: Action::Downgrade,
            from: current_plans(dump, members),
            to: label(dump, q),
            pool: Some(PoolChange {
                name: format!("pool of {} services ({unit_text})", members.len()),
                from: members
                    .iter()
                    .map(|m| (dump.rows[m.row as usize].service, label(dump, m.plan)))
                    .collect(),
            }),
        });
        Some(f)
    }
}

impl Kind for OversizedPool {
    fn run(&self, id: &str, dump: &Dump, ix: &Index) -> Vec<Finding> {
        if !dump.plans.iter().any(|e| e.kind == PlanKind::Pool) {
            return Vec::new();
        }
        let out = LeftOut::of(dump, ix);
        let mut findings = Vec::new();
        for acc in &ix.accounts {
            if acc.periods.len() < WINDOW || !ix.catalogue.sells(acc.carrier, PlanKind::Pool) {
                continue;
            }
            for mut members in pools(dump, ix, acc, &out).into_values() {
                members.sort_by_key(|m| m.row);
                findings.extend(self.judge(id, dump, ix, acc, &members));
            }
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    /// Every product is checked: a figure beyond what an exact decimal holds makes
    /// the pool not judged, never a panic (plans.csv's bound keeps real input far
    /// below it).
    #[test]
    fn overage_is_exact_and_an_overflow_is_none() {
        assert_eq!(overage(d("12.50"), d("45.2"), d("45")), Some(d("2.5")));
        assert_eq!(overage(d("12.50"), d("17"), d("45")), Some(Decimal::ZERO));
        assert_eq!(overage(Decimal::MAX, Decimal::MAX, Decimal::ZERO), None);
        assert_eq!(overage(d("2"), Decimal::MIN, Decimal::MAX), None);
    }
}
