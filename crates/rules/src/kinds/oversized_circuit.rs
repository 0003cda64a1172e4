//! `oversized_circuit` (CIR001).

use crate::catalogue::{label, plan_row};
use crate::config::RuleError;
use crate::index::{AccountInfo, Index, ServiceInfo};
use crate::kinds::oversized_plan::WINDOW;
use crate::kinds::{Fields, Kind, KindDef, Param};
use crate::util::{money, row_claim, Draft};
use std::sync::Arc;
use telaudit_model::{CatalogueEntry, Change, ChargeType, Decimal, Dump, Finding, PlanKind, SourceRef};

/// This kind's entry in the registry ([`crate::kinds::REGISTRY`]).
pub const KIND: KindDef = KindDef {
    name: "oversized_circuit",
    heading: " (CIR001)",
    params: &[
        Param {
            key: "low",
            default: "`0.30`",
            meaning: "a circuit is oversized when its peak is below `low` x its bandwidth in every period of the window",
        },
        Param {
            key: "high",
            default: "`0.70`",
            meaning: "a cheaper tier fits when the window's largest peak is at most `high` x its bandwidth",
        },
    ],
    note: "It reads the `circuit` lines of plans.csv and utilization.csv (the window is the \
           account's last 3 periods; a load line counts for the billed period that holds its \
           date). The current tier costs what the bill charges for its row (B), not its catalogue \
           price. Numbers are written `0.30` or `\"0.30\"`, each above 0 and at most 1.",
    key: "none beyond the service: the rule id, carrier, account and service_id (one finding per service; the plans named are not part of it, so a price change keeps the key)",
    read: |f| Ok(Arc::new(OversizedCircuit::read(f)?)),
};

/// ## What it does
/// Finds circuits sized far above their load (optimization.md section 3). A
/// service whose one catalogue-circuit row of its account's latest period is tier
/// C of plans.csv, for which utilization.csv gives a peak (the largest p95 in or
/// out of the period's lines: the lines whose period_start date lies within the
/// billed period, from the period_start to the period_end of the circuit's bill
/// rows, so an export dated the 2nd measures the period starting on the 1st) in
/// each of the account's last 3 periods (the window; the account needs 3
/// periods), each below `low` x C's bandwidth, and for which a tier T of the same
/// carrier, on offer in the latest period, costs less than B (what the bill
/// charges for the circuit row of the latest period, not C's catalogue price: a
/// saving is never larger than the bill) and has the window's largest peak at
/// most `high` x T's bandwidth. T is the cheapest such tier (ties: the larger
/// bandwidth, then the smaller code). Monthly = B - T.monthly, claimed on the
/// latest circuit row; recoverable is 0.
///
/// Evidence: the window's circuit rows; basis: the catalogue lines of C and T and
/// the window's utilization lines.
///
/// ## Finding key
/// The rule id, carrier, account and service_id: one finding per service, so
/// nothing more is needed ([`KindDef::key`]).
///
/// ## Why is this bad
/// The client pays for bandwidth it never uses. A smaller tier that still leaves
/// headroom (at most `high` of it used at the busiest) costs less every month.
///
/// ## Example
/// The fixture `crates/rules/tests/fixtures/oversized_circuit/` is this example.
///
/// Catalogue (carrier L): C1000 1000 Mbps 2000.00, C500 500 Mbps 1200.00, C200
/// 200 Mbps 700.00, C100 100 Mbps 450.00. Account 200 has periods 2025-01 ..
/// 2025-04; every circuit is on C1000, billed at 2000.00; low 0.30 (300 Mbps),
/// high 0.70.
///
/// | circuit | peaks Feb, Mar, Apr (Mbps) | found |
/// |---|---|---|
/// | CKT-1 | 120, 135, 130 | yes: to C200 (0.70 x 200 = 140 >= 135), saves 1300.00 a month |
/// | CKT-2 | 250, 400, 310 | no: busy (400 is not below 300) |
/// | CKT-3 | 100, none, 90 | no: March has no load data |
///
/// C100 would hold only 70 Mbps at 0.70, less than 135.
#[derive(Clone, Debug)]
pub struct OversizedCircuit {
    /// Below this share of its bandwidth in every period, a circuit is oversized.
    pub low: Decimal,
    /// A smaller tier fits when the largest peak is at most this share of its bandwidth.
    pub high: Decimal,
}

impl OversizedCircuit {
    pub(crate) fn read(f: &mut Fields) -> Result<Self, RuleError> {
        let share = |f: &mut Fields, key: &str, default: Decimal| -> Result<Decimal, RuleError> {
            let v = f.opt_decimal(key)?.unwrap_or(default);
            if v <= Decimal::ZERO || v > Decimal::ONE {
                return Err(f.err(key, "must be a share above 0 and at most 1, such as 0.30"));
            }
            Ok(v)
        };
        let low = share(f, "low", Decimal::new(30, 2))?;
        let high = share(f, "high", Decimal::new(70, 2))?;
        Ok(OversizedCircuit { low, high })
    }

    /// The window's largest peak and utilization lines, when every peak is below
    /// `low` x C's bandwidth.
    fn low_load(&self, dump: &Dump, ix: &Index, acc: &AccountInfo, svc: &ServiceInfo, c: &CatalogueEntry) -> Option<(Decimal, Vec<SourceRef>)> {
        let limit = self.low * c.bandwidth_mbps.to_decimal();
        let mut top = Decimal::ZERO;
        let mut lines = Vec::new();
        for &period in &acc.periods[acc.periods.len() - WINDOW..] {
            // The billed period: to the latest period_end of the circuit's rows of it.
            let end = svc
                .rows
                .iter()
                .map(|&r| &dump.rows[r as usize])
                .filter(|r| r.period_start == period)
                .map(|r| r.period_end)
                .max()?;
            let (peak, l) = ix.catalogue.peak(dump, acc.carrier, svc.service, period, end)?;
            let peak = peak.to_decimal();
            if peak >= limit {
                return None;
            }
            top = top.max(peak);
            lines.extend(l);
        }
        Some((top, lines))
    }

    fn check(&self, id: &str, dump: &Dump, ix: &Index, svc: &ServiceInfo) -> Option<Finding> {
        let acc = ix.acc(svc.acc);
        if acc.periods.len() < WINDOW {
            return None;
        }
        let latest = acc.latest()?;
        let row = plan_row(dump, ix, svc, acc, PlanKind::Circuit)?;
        let code = dump.rows[row as usize].charge_code;
        let c = ix.catalogue.entry(dump, acc.carrier, code, PlanKind::Circuit, latest)?;
        let (top, lines) = self.low_load(dump, ix, acc, svc, c)?;
        // What the client pays now is what the bill says (B), not the catalogue's price.
        let billed = dump.rows[row as usize].amount;
        let t = ix
            .catalogue
            .offers(dump, acc.carrier, PlanKind::Circuit)
            .filter(|t| t.code != c.code && t.on_offer(latest) && t.monthly < billed)
            .filter(|t| top <= self.high * t.bandwidth_mbps.to_decimal())
            .min_by(|a, b| {
                (a.monthly, std::cmp::Reverse(a.bandwidth_mbps), dump.s(a.code)).cmp(&(
                    b.monthly,
                    std::cmp::Reverse(b.bandwidth_mbps),
                    dump.s(b.code),
                ))
            })?;
        let saving = billed.to_decimal() - t.monthly.to_decimal();
        let window = &acc.periods[acc.periods.len() - WINDOW..];
        let mut draft = Draft::new(acc.carrier, acc.account, svc.service);
        draft.rows = svc
            .rows
            .iter()
            .copied()
            .filter(|&r| {
                let x = &dump.rows[r as usize];
                x.charge_type == ChargeType::Recurring
                    && x.charge_code == c.code
                    && window.binary_search(&x.period_start).is_ok()
            })
            .collect();
        draft.periods = window.to_vec();
        draft.basis = vec![c.source, t.source];
        draft.basis.extend(lines);
        draft.claims.push(row_claim(row, Decimal::ZERO, saving));
        let text = format!(
            "circuit tier {} billed at {} a month, {} Mbps, peaks at {} Mbps in the last {WINDOW} periods: \
             {}, {} Mbps, holds that load; saves {} a month",
            label(dump, c),
            money(billed.to_decimal()),
            c.bandwidth_mbps.to_decimal().normalize(),
            top.normalize(),
            label(dump, t),
            t.bandwidth_mbps.to_decimal().normalize(),
            money(saving)
        );
        let mut f = draft.finish(id, dump, text);
        f.change = Some(Change {
            action: telaudit_model::Action::Downgrade,
            from: label(dump, c),
            to: label(dump, t),
            pool: None,
        });
        Some(f)
    }
}

impl Kind for OversizedCircuit {
    fn run(&self, id: &str, dump: &Dump, ix: &Index) -> Vec<Finding> {
        if dump.plans.is_empty() || dump.utilization.is_empty() {
            return Vec::new();
        }
        ix.services
            .iter()
            .filter(|svc| !svc.service.is_empty())
            .filter(|svc| ix.catalogue.sells(ix.acc(svc.acc).carrier, PlanKind::Circuit))
            .filter_map(|svc| self.check(id, dump, ix, svc))
            .collect()
    }
}
