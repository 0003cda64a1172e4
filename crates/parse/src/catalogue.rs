//! plans.csv (the carriers' price catalogue) and utilization.csv (measured circuit
//! load): optional tables of optimization.md sections 1 and 2, read like
//! inventory.csv and contracts.csv: exact numbers, a bad line refused with its file
//! and line, the other lines used.

use crate::inventory::{decoded, opt_date, pos, required, TableOutcome};
use crate::table::{read_table, Column, Fields};
use crate::text::show;
use rustc_hash::{FxHashMap, FxHashSet};
use telaudit_model::{
    CatalogueEntry, Date, DateError, DecimalError, FileId, Interner, Micros, PlanKind, Position, SourceRef,
    Sym, UtilizationRecord, Warning,
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
