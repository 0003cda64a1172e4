//! plans.csv (the carriers' price catalogue) and utilization.csv (measured circuit
//! load): optional tables of optimization.md sections 1 and 2, read like
//! inventory.csv and contracts.csv: exact numbers, a bad line refused with its file
//! and line, the other lines used.

use crate::inventory::{decoded, opt_date, pos, required, TableOutcome};
use crate::table::{read_table, Column, Fields};
use crate::text::show;
use rustc_hash::{FxHashMap, FxHashSet};
use telaudit_model::{
    CatalogueEntry, ChargeType, Date, DateError, DecimalError, Dump, FileId, Interner, Micros, PlanKind,
    Position, Rejection, SourceRef, Sym, UtilizationRecord, Warning,
};

const fn col(name: &'static str, required: bool) -> Column {
    Column { name, required }
}

const PLAN_COLUMNS: [Column; 11] = [
    col("kind", true),
    col("carrier", true),
    col("code", true),
    col("name", false),
    col("monthly", true),
    col("allowance", false),
    col("usage_unit", false),
    col("overage_rate", false),
    col("bandwidth_mbps", false),
    col("effective_from", false),
    col("effective_to", false),
];

/// A number column: `Ok(None)` when empty; refused when not a plain decimal or negative.
fn opt_number(f: &Fields, c: usize, name: &str) -> Result<Option<Micros>, String> {
    let v = f.get(c);
    match Micros::parse(v) {
        Ok(m) if m.0 < 0 => Err(format!("negative {name} {}: it must be 0 or more", show(v))),
        Ok(m) => Ok(Some(m)),
        Err(DecimalError::Empty) => Ok(None),
        Err(e) => Err(format!("bad {name} {}: {e}", show(v))),
    }
}

/// A required number column, >= 0.
fn req_number(f: &Fields, c: usize, name: &str, why: &str) -> Result<Micros, String> {
    opt_number(f, c, name)?.ok_or_else(|| format!("{name} is empty (required{why})"))
}

/// Whether two inclusive windows (`None` = open-ended) share a day.
fn overlaps(a: (Option<Date>, Option<Date>), b: (Option<Date>, Option<Date>)) -> bool {
    let starts_before_end = |from: Option<Date>, to: Option<Date>| match (from, to) {
        (Some(f), Some(t)) => f <= t,
        _ => true,
    };
    starts_before_end(a.0, b.1) && starts_before_end(b.0, a.1)
}

/// One plans.csv line (Err: why it is refused).
fn plan_line(f: &Fields, line: u64, file: FileId, strings: &mut Interner) -> Result<CatalogueEntry, String> {
    let k = f.get(0);
    let kind = match k.to_ascii_lowercase().as_str() {
        "plan" => PlanKind::Plan,
        "pool" => PlanKind::Pool,
        "circuit" => PlanKind::Circuit,
        "" => return Err("kind is empty (required)".to_string()),
        _ => {
            return Err(format!(
                "unknown kind {}: expected plan, pool or circuit",
                show(k)
            ))
        }
    };
    let carrier = required(f, 1, "carrier")?;
    let code = required(f, 2, "code")?;
    let monthly = req_number(f, 4, "monthly", "")?;
    let (mut allowance, mut usage_unit, mut overage_rate, mut bandwidth) =
        (Micros(0), Sym::EMPTY, Micros(0), Micros(0));
    match kind {
        PlanKind::Plan | PlanKind::Pool => {
            let (what, included) = match kind {
                PlanKind::Pool => ("a pool", "the usage each line adds to the pool per period"),
                _ => ("a plan", "the usage it includes per period"),
            };
            allowance = req_number(f, 5, "allowance", &format!(" for {what}: {included}"))?;
            let unit = required(f, 6, "usage_unit").map_err(|_| {
                format!("usage_unit is empty (required for {what}: the unit of the usage rows it counts)")
            })?;
            usage_unit = strings.intern(unit);
            overage_rate = opt_number(f, 7, "overage_rate")?.unwrap_or(Micros(0));
        }
        PlanKind::Circuit => {
            let v = f.get(8);
            if Micros::parse(v).is_ok_and(|m| m.0 < 0) {
                return Err(format!(
                    "negative bandwidth_mbps {}: a circuit tier's bandwidth must be more than 0",
                    show(v)
                ));
            }
            bandwidth = req_number(f, 8, "bandwidth_mbps", " for a circuit: the tier's bandwidth")?;
            if bandwidth.0 == 0 {
                return Err(
                    "bandwidth_mbps is 0: a circuit tier's bandwidth must be more than 0".to_string(),
                );
            }
        }
    }
    let effective_from = opt_date(f, 9, "effective_from")?;
    let effective_to = opt_date(f, 10, "effective_to")?;
    if let (Some(from), Some(to)) = (effective_from, effective_to) {
        if to < from {
            return Err(format!("effective_to {to} is before effective_from {from}"));
        }
    }
    Ok(CatalogueEntry {
        kind,
        carrier: strings.intern(carrier),
        code: strings.intern(code),
        name: f.get(3).to_string(),
        monthly,
        allowance,
        usage_unit,
        overage_rate,
        bandwidth_mbps: bandwidth,
        effective_from,
        effective_to,
        source: SourceRef { file, pos: pos(line) },
    })
}

/// Reads plans.csv. A line whose carrier and code repeat an earlier line's with an
/// overlapping window is refused (the earlier one stands): the catalogue must say
/// one price per code at a time. So is a line whose carrier and code are an
/// earlier line's of the other per-line kind (`plan` and `pool`), whatever their
/// windows: a plan row's code must say whether its allowance is shared.
pub fn read_plans(
    bytes: &[u8],
    file: FileId,
    path: &str,
    strings: &mut Interner,
) -> TableOutcome<CatalogueEntry> {
    let mut out: TableOutcome<CatalogueEntry> = TableOutcome::default();
    let text = decoded(bytes, path, &mut out);
    let mut by_code: FxHashMap<(Sym, Sym), Vec<usize>> = FxHashMap::default();
    let TableOutcome {
        records, rejected, ..
    } = &mut out;
    read_table(&text, path, &PLAN_COLUMNS, 0, rejected, |f, line| {
        let e = plan_line(f, line, file, strings)?;
        let same = by_code.entry((e.carrier, e.code)).or_default();
        if let Some(other) = other_line_kind(f, records, same, e.kind) {
            return Err(other);
        }
        let window = (e.effective_from, e.effective_to);
        if let Some(&i) = same
            .iter()
            .find(|&&i| overlaps((records[i].effective_from, records[i].effective_to), window))
        {
            return Err(format!(
                "code {} of {} is already in the catalogue on line {} for an overlapping window; give \
                 each price of a code its own effective_from..effective_to",
                show(f.get(2)),
                show(f.get(1)),
                records[i].source.pos
            ));
        }
        same.push(records.len());
        records.push(e);
        Ok(())
    });
    out
}

/// Why a `plan` (or `pool`) line is refused when an earlier line of the same
/// carrier and code (`same`, indexes into `records`) is a `pool` (or `plan`).
fn other_line_kind(f: &Fields, records: &[CatalogueEntry], same: &[usize], kind: PlanKind) -> Option<String> {
    let (this, other) = match kind {
        PlanKind::Plan => ("plan", PlanKind::Pool),
        PlanKind::Pool => ("pool", PlanKind::Plan),
        PlanKind::Circuit => return None,
    };
    let e = same.iter().map(|&i| &records[i]).find(|e| e.kind == other)?;
    let that = if this == "plan" { "pool" } else { "plan" };
    Some(format!(
        "code {} of {} is a {that} on line {} and a {this} on this line: a code is either a per-line \
         plan or a pool plan, so that its bill rows say which; give one of them its own code",
        show(f.get(2)),
        show(f.get(1)),
        e.source.pos
    ))
}

const UTIL_COLUMNS: [Column; 5] = [
    col("carrier", true),
    col("service_id", true),
    col("period_start", true),
    col("p95_in_mbps", true),
    col("p95_out_mbps", true),
];

/// Reads utilization.csv. `billed` holds the (carrier, service_id) pairs of the
/// bills: a line for any other circuit is not used, with one warning per circuit
/// (the load export usually covers more circuits than the bills).
pub fn read_utilization(
    bytes: &[u8],
    file: FileId,
    path: &str,
    strings: &mut Interner,
    billed: &FxHashSet<(Sym, Sym)>,
) -> TableOutcome<UtilizationRecord> {
    let mut out = TableOutcome::default();
    let text = decoded(bytes, path, &mut out);
    let mut unknown: FxHashSet<(Sym, Sym)> = FxHashSet::default();
    let TableOutcome {
        records,
        rejected,
        warnings,
        ..
    } = &mut out;
    read_table(&text, path, &UTIL_COLUMNS, 0, rejected, |f, line| {
        let carrier = required(f, 0, "carrier")?;
        let service = required(f, 1, "service_id")?;
        let period_start = match Date::parse(f.get(2)) {
            Ok(d) => d,
            Err(DateError::Empty) => return Err("period_start is empty (required)".to_string()),
            Err(e) => return Err(format!("bad period_start {}: {e}", show(f.get(2)))),
        };
        let p95_in_mbps = req_number(f, 3, "p95_in_mbps", "")?;
        let p95_out_mbps = req_number(f, 4, "p95_out_mbps", "")?;
        let key = (strings.intern(carrier), strings.intern(service));
        if !billed.contains(&key) {
            if unknown.insert(key) {
                warnings.push(Warning {
                    file: path.to_string(),
                    position: Position::Line(line),
                    message: format!(
                        "circuit {} of {} is on no bill: its utilization lines are not used",
                        show(service),
                        show(carrier)
                    ),
                });
            }
            return Ok(());
        }
        records.push(UtilizationRecord {
            carrier: key.0,
            service: key.1,
            period_start,
            p95_in_mbps,
            p95_out_mbps,
            source: SourceRef { file, pos: pos(line) },
        });
        Ok(())
    });
    out
}

/// The largest overage a plans.csv line may charge a service in one period, in
/// currency units: the bound the readers hold every bill line to
/// (`quantity x unit_rate`, [`crate::limits`]).
const MAX_OVERAGE: i128 = 1_000_000_000_000_000;

/// What the bills say against plans.csv and utilization.csv, once all are read
/// (optimization.md sections 1 to 3):
/// - a `plan` line whose overage_rate, times the largest usage above its allowance
///   any one service of its carrier billed in one period, passes 10^15 is refused
///   (rejected.csv), as a bill line beyond that bound is: PLN001 never multiplies
///   past it;
/// - a catalogue price that differs from what the bills charge for the plan row of
///   an account's latest period is a warning naming the catalogue line and the
///   bill line (PLN001, POL001 and CIR001 price the current plan from the bill);
/// - utilization lines that fall in no billed period of their circuit are counted
///   in one warning (a line counts for the billed period that contains its
///   period_start date).
pub fn check_against_bills(dump: &mut Dump) {
    refuse_overage_beyond_bound(dump);
    let prices = price_warnings(dump);
    dump.warnings.extend(prices);
    if let Some(w) = unbilled_load_warning(dump) {
        dump.warnings.push(w);
    }
}

/// Per (carrier, usage_unit): the largest usage one service billed in one period,
/// in millionths, with the service and the period.
fn largest_usage(dump: &Dump) -> FxHashMap<(Sym, Sym), (i128, Sym, Date)> {
    type Key = (Sym, Sym, Sym, Sym, Date);
    let mut per: FxHashMap<Key, i128> = FxHashMap::default();
    // The usage rows of one service and period mostly follow each other: a run
    // is summed, then added once.
    let mut run: Option<(Key, i128)> = None;
    for r in dump.rows.iter().filter(|r| r.charge_type == ChargeType::Usage) {
        let q = r.usage_quantity.map_or(0, |q| i128::from(q.0));
        let key = (r.carrier, r.account, r.service, r.usage_unit, r.period_start);
        match &mut run {
            Some((k, sum)) if *k == key => *sum += q,
            _ => {
                if let Some((k, sum)) = run.replace((key, q)) {
                    *per.entry(k).or_default() += sum;
                }
            }
        }
    }
    if let Some((k, sum)) = run {
        *per.entry(k).or_default() += sum;
    }
    let mut out: FxHashMap<(Sym, Sym), (i128, Sym, Date)> = FxHashMap::default();
    for ((carrier, _, service, unit, period), q) in per {
        let e = out.entry((carrier, unit)).or_insert((q, service, period));
        // The same entry whatever the hash order: the largest, then the earliest period.
        if (q, std::cmp::Reverse(period)) > (e.0, std::cmp::Reverse(e.2)) {
            *e = (q, service, period);
        }
    }
    out
}

/// See [`check_against_bills`]: plan lines whose overage could pass [`MAX_OVERAGE`].
fn refuse_overage_beyond_bound(dump: &mut Dump) {
    if !dump.plans.iter().any(|e| e.overage_rate.0 > 0) {
        return;
    }
    let usage = largest_usage(dump);
    // Millionths x millionths: 10^12 per unit.
    let limit = MAX_OVERAGE * 1_000_000_000_000;
    let mut refused = Vec::new();
    dump.plans.retain(|e| {
        let Some(&(most, service, period)) = usage.get(&(e.carrier, e.usage_unit)) else {
            return true;
        };
        let over = (most - i128::from(e.allowance.0)).max(0);
        let beyond = i128::from(e.overage_rate.0)
            .checked_mul(over)
            .is_none_or(|v| v > limit);
        if beyond {
            refused.push((e.source, e.overage_rate, most, service, period, e.usage_unit));
        }
        !beyond
    });
    for (src, rate, most, service, period, unit) in refused {
        let used = Micros(i64::try_from(most).unwrap_or(i64::MAX));
        dump.rejected.push(Rejection {
            file: dump.file(src.file).path.clone(),
            position: Position::Line(u64::from(src.pos)),
            reason: format!(
                "overage_rate {rate} x the usage of service {} in the period starting {period} ({used} {}) \
                 is beyond any bill (more than 10^15); check the overage_rate",
                show(dump.s(service)),
                dump.s(unit)
            ),
            rows: 0,
        });
    }
}

/// The catalogue entry a billed code stands for in a period: the one on offer,
/// else the first in file order (as PLN001, POL001 and CIR001 pick it).
fn entry_for(dump: &Dump, ids: &[usize], latest: Date) -> Option<usize> {
    ids.iter()
        .copied()
        .find(|&i| dump.plans[i].on_offer(latest))
        .or_else(|| ids.first().copied())
}

/// See [`check_against_bills`]: one warning per catalogue line whose price differs
/// from the plan rows billed in their accounts' latest periods.
fn price_warnings(dump: &Dump) -> Vec<Warning> {
    if dump.plans.is_empty() {
        return Vec::new();
    }
    let mut by_code: FxHashMap<(Sym, Sym), [Vec<usize>; 2]> = FxHashMap::default();
    for (i, e) in dump.plans.iter().enumerate() {
        let k = usize::from(e.kind == PlanKind::Circuit);
        by_code.entry((e.carrier, e.code)).or_default()[k].push(i);
    }
    let latest = latest_periods(dump);
    // Per catalogue line: the first bill line that differs (in path and line order) and how many do.
    let mut differ: std::collections::BTreeMap<usize, (usize, u64)> = std::collections::BTreeMap::new();
    for (ri, r) in dump.rows.iter().enumerate() {
        if r.charge_type != ChargeType::Recurring || r.service.is_empty() {
            continue;
        }
        let Some(ids) = by_code.get(&(r.carrier, r.charge_code)) else {
            continue;
        };
        let at = latest
            .get(&(r.carrier, r.account))
            .copied()
            .unwrap_or(r.period_start);
        if r.period_start != at {
            continue;
        }
        for of_kind in ids {
            let Some(e) = entry_for(dump, of_kind, at) else {
                continue;
            };
            if dump.plans[e].monthly != r.amount {
                let d = differ.entry(e).or_insert((ri, 0));
                d.1 += 1;
            }
        }
    }
    differ
        .into_iter()
        .map(|(e, (first, n))| {
            let entry = &dump.plans[e];
            let row = &dump.rows[first];
            let more = if n > 1 {
                format!(" (and {} more bill line(s) of the latest periods)", n - 1)
            } else {
                String::new()
            };
            let what = match entry.kind {
                PlanKind::Plan => "plan",
                PlanKind::Pool => "pool plan",
                PlanKind::Circuit => "circuit tier",
            };
            Warning {
                file: dump.file(entry.source.file).path.clone(),
                position: Position::Line(u64::from(entry.source.pos)),
                message: format!(
                    "{what} {} of {} is listed at {} a month, but {} bills it at {}{more}: PLN001, \
                     POL001 and CIR001 price the current plan at what the bill charges; correct the \
                     catalogue or dispute the bill",
                    show(dump.s(entry.code)),
                    show(dump.s(entry.carrier)),
                    money2(entry.monthly),
                    dump.locate(row.source),
                    money2(row.amount)
                ),
            }
        })
        .collect()
}

/// The latest period_start of each (carrier, account), one lookup per run of
/// rows of one account and period (a bill's rows follow each other).
fn latest_periods(dump: &Dump) -> FxHashMap<(Sym, Sym), Date> {
    let mut latest: FxHashMap<(Sym, Sym), Date> = FxHashMap::default();
    let mut last: Option<(Sym, Sym, Date)> = None;
    for r in &dump.rows {
        if last == Some((r.carrier, r.account, r.period_start)) {
            continue;
        }
        last = Some((r.carrier, r.account, r.period_start));
        let l = latest.entry((r.carrier, r.account)).or_insert(r.period_start);
        *l = (*l).max(r.period_start);
    }
    latest
}

/// An amount with at least 2 decimals, as bills write it (`400.00`, `0.125`).
fn money2(m: Micros) -> String {
    let s = m.to_string();
    match s.split_once('.') {
        None => format!("{s}.00"),
        Some((_, frac)) if frac.len() == 1 => format!("{s}0"),
        Some(_) => s,
    }
}

/// See [`check_against_bills`]: the utilization lines of billed circuits whose
/// date lies in no billed period of their circuit, counted in one warning.
fn unbilled_load_warning(dump: &Dump) -> Option<Warning> {
    if dump.utilization.is_empty() {
        return None;
    }
    let mut periods: FxHashMap<(Sym, Sym), Vec<(Date, Date)>> = FxHashMap::default();
    // A service's rows of one period mostly follow each other: looked up once per run.
    let mut last: Option<(Sym, Sym, Date, Date)> = None;
    for r in dump.rows.iter().filter(|r| !r.service.is_empty()) {
        let key = (r.carrier, r.service, r.period_start, r.period_end);
        if last == Some(key) {
            continue;
        }
        last = Some(key);
        let p = periods.entry((r.carrier, r.service)).or_default();
        if p.last() != Some(&(r.period_start, r.period_end)) {
            p.push((r.period_start, r.period_end));
        }
    }
    let mut outside = dump.utilization.iter().filter(|u| {
        periods
            .get(&(u.carrier, u.service))
            .is_none_or(|p| !p.iter().any(|&(s, e)| (s..=e).contains(&u.period_start)))
    });
    let first = outside.next()?;
    let n = 1 + outside.count();
    Some(Warning {
        file: dump.file(first.source.file).path.clone(),
        position: Position::Line(u64::from(first.source.pos)),
        message: format!(
            "{n} utilization line(s) fall in no billed period of their circuit (the first: circuit {} of {} \
             dated {}), so CIR001 does not count them: a line counts for the billed period \
             (period_start to period_end of the circuit's bill rows) that contains its period_start date",
            show(dump.s(first.service)),
            show(dump.s(first.carrier)),
            first.period_start
        ),
    })
}
