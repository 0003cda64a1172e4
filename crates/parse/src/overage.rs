//! The bound on a pool's overage (optimization.md section 3b).
//!
//! POL001 multiplies a pool plan's overage_rate by a pool's usage in one period:
//! a sum over every usage row of the pool's lines, which the per-row bound of
//! [`crate::limits`] does not limit (a row's usage_quantity has at most 12 integer
//! digits, but an account may have any number of rows). A `pool` line of
//! plans.csv whose overage_rate times the largest usage in its unit of one
//! account of its carrier in one period (every line of the account, so at least
//! any pool's usage) is beyond any bill (more than 10^15, the bound of a row's
//! quantity x unit_rate) is refused with its line, naming the account and the
//! period. What is kept can never overflow POL001's exact sums and products.

use crate::limits::MAX_EXTENSION;
use rustc_hash::FxHashMap;
use telaudit_model::{ChargeType, Date, Decimal, Dump, PlanKind, Position, Rejection, Sym};

/// The largest usage of one account in one period: (usage in millionths, account, period).
type Peak = (i128, Sym, Date);

/// The largest usage total per (carrier, unit) among the units pool lines count
/// (`None` for a unit no usage row has).
fn peaks(dump: &Dump) -> FxHashMap<(Sym, Sym), Option<Peak>> {
    let mut units: FxHashMap<(Sym, Sym), Option<Peak>> = FxHashMap::default();
    for e in dump.plans.iter().filter(|e| e.kind == PlanKind::Pool) {
        units.insert((e.carrier, e.usage_unit), None);
    }
    if units.is_empty() {
        return units;
    }
    let mut sums: FxHashMap<(Sym, Sym, Sym, Date), i128> = FxHashMap::default();
    for r in &dump.rows {
        if r.charge_type != ChargeType::Usage || !units.contains_key(&(r.carrier, r.usage_unit)) {
            continue;
        }
        let q = r.usage_quantity.map_or(0, |q| i128::from(q.0).abs());
        let sum = sums
            .entry((r.carrier, r.usage_unit, r.account, r.period_start))
            .or_default();
        *sum = sum.saturating_add(q);
    }
    // The largest sum; a tie goes to the smaller account, then period, so the
    // message never depends on hash order.
    let rank = |p: &Peak| (std::cmp::Reverse(p.0), dump.s(p.1), p.2);
    for ((carrier, unit, account, period), sum) in sums {
        if let Some(best) = units.get_mut(&(carrier, unit)) {
            let this = (sum, account, period);
            if best.as_ref().is_none_or(|b| rank(&this) < rank(b)) {
                *best = Some(this);
            }
        }
    }
    units
}

/// Refuses the `pool` lines of plans.csv (at `path`) whose overage could pass
/// the bound (see the module documentation); the other lines stay in order.
pub(crate) fn refuse_unbounded_pools(dump: &mut Dump, path: &str) {
    let peaks = peaks(dump);
    if peaks.is_empty() {
        return;
    }
    // Millionths x millionths: 10^12 per unit.
    let limit = MAX_EXTENSION * 1_000_000_000_000;
    let mut refused = Vec::new();
    let plans = std::mem::take(&mut dump.plans);
    for e in plans {
        let peak = match e.kind {
            PlanKind::Pool => peaks.get(&(e.carrier, e.usage_unit)).copied().flatten(),
            _ => None,
        };
        let Some((usage, account, period)) = peak else {
            dump.plans.push(e);
            continue;
        };
        let product = i128::from(e.overage_rate.0).checked_mul(usage);
        if product.is_some_and(|p| p <= limit) {
            dump.plans.push(e);
            continue;
        }
        refused.push(Rejection {
            file: path.to_string(),
            position: Position::Line(u64::from(e.source.pos)),
            reason: format!(
                "overage_rate {} x the usage of account {} in the period of {period} ({} {}, all its \
                 lines) is beyond any bill (more than 10^15); check the overage_rate and that account's \
                 usage rows",
                e.overage_rate,
                crate::text::show(dump.s(account)),
                Decimal::try_from_i128_with_scale(usage, 6)
                    .map_or_else(|_| format!("{usage} millionths"), |d| d.normalize().to_string()),
                dump.s(e.usage_unit)
            ),
            rows: 0,
        });
    }
    dump.rejected.extend(refused);
}
