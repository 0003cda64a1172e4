//! inventory.csv (formats.md section 3) and contracts.csv (section 4): small,
//! optional tables read straight into the dump's interner so their symbols match rows.

use crate::table::{read_table, Column, Fields};
use crate::text::{decode_text, show};
use rustc_hash::FxHashMap;
use telaudit_model::{
    Contract, ContractKind, Date, DateError, FileId, Interner, InventoryMention, InventoryRecord, Micros,
    Position, Rejection, ServiceStatus, SourceRef, Sym, Warning,
};

/// What a table file yielded besides its records.
#[derive(Debug)]
pub struct TableOutcome<T> {
    /// The records read, in file order.
    pub records: Vec<T>,
    /// Refused lines (rows = 0) and refused files.
    pub rejected: Vec<Rejection>,
    /// What was read but deserves a look (a text encoding guessed).
    pub warnings: Vec<Warning>,
    /// inventory.csv only: the refused lines that still name a carrier (ZOM001
    /// counts the carrier as listed, and the service_id, when given, as tracked).
    pub mentions: Vec<InventoryMention>,
}

impl<T> Default for TableOutcome<T> {
    fn default() -> Self {
        TableOutcome {
            records: Vec::new(),
            rejected: Vec::new(),
            warnings: Vec::new(),
            mentions: Vec::new(),
        }
    }
}

pub(crate) fn decoded<'b, T>(
    bytes: &'b [u8],
    path: &str,
    out: &mut TableOutcome<T>,
) -> std::borrow::Cow<'b, str> {
    let (text, warning) = decode_text(bytes);
    if let Some(message) = warning {
        out.warnings.push(Warning {
            file: path.to_string(),
            position: Position::File,
            message,
        });
    }
    text
}

pub(crate) fn pos(line: u64) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

/// An optional date column: Ok(None) when empty.
pub(crate) fn opt_date(f: &Fields, c: usize, name: &str) -> Result<Option<Date>, String> {
    let v = f.get(c);
    match Date::parse(v) {
        Ok(d) => Ok(Some(d)),
        Err(DateError::Empty) => Ok(None),
        Err(e) => Err(format!("bad {name} {}: {e}", show(v))),
    }
}

pub(crate) fn required<'s>(f: &Fields<'s, '_>, c: usize, name: &str) -> Result<&'s str, String> {
    let v = f.get(c);
    if v.is_empty() {
        Err(format!("{name} is empty (required)"))
    } else {
        Ok(v)
    }
}

const INV_COLUMNS: [Column; 7] = [
    Column {
        name: "service_id",
        required: true,
    },
    Column {
        name: "carrier",
        required: true,
    },
    Column {
        name: "account",
        required: false,
    },
    Column {
        name: "status",
        required: true,
    },
    Column {
        name: "disconnect_date",
        required: false,
    },
    Column {
        name: "cost_center",
        required: false,
    },
    Column {
        name: "owner",
        required: false,
    },
];

/// Reads inventory.csv. A service listed twice (same carrier, account and
/// service_id) is kept once when the lines agree; a disagreeing later line is refused.
pub fn read_inventory(
    bytes: &[u8],
    file: FileId,
    path: &str,
    strings: &mut Interner,
) -> TableOutcome<InventoryRecord> {
    let mut out = TableOutcome::default();
    let text = decoded(bytes, path, &mut out);
    let mut seen: FxHashMap<(Sym, Sym, Sym), usize> = FxHashMap::default();
    let TableOutcome {
        records,
        rejected,
        mentions,
        ..
    } = &mut out;
    read_table(&text, path, &INV_COLUMNS, 0, rejected, |f, line| {
        let read = inventory_line(f, line, file, strings, &mut seen, records);
        if read.is_err() && !f.get(1).is_empty() {
            mentions.push(InventoryMention {
                carrier: strings.intern(f.get(1)),
                account: strings.intern(f.get(2)),
                service: strings.intern(f.get(0)),
            });
        }
        read
    });
    out
}

/// One inventory.csv line, into `records` (Err: why it is refused).
fn inventory_line(
    f: &Fields,
    line: u64,
    file: FileId,
    strings: &mut Interner,
    seen: &mut FxHashMap<(Sym, Sym, Sym), usize>,
    records: &mut Vec<InventoryRecord>,
) -> Result<(), String> {
    let service = required(f, 0, "service_id")?;
    let carrier = required(f, 1, "carrier")?;
    let st = f.get(3);
    let status = match st.to_ascii_lowercase().as_str() {
        "active" => ServiceStatus::Active,
        "disconnected" => ServiceStatus::Disconnected,
        "pending" => ServiceStatus::Pending,
        "" => return Err("status is empty (required)".to_string()),
        _ => {
            return Err(format!(
                "unknown status {}: expected active, disconnected or pending",
                show(st)
            ))
        }
    };
    let disconnect_date = opt_date(f, 4, "disconnect_date")?;
    if status == ServiceStatus::Disconnected && disconnect_date.is_none() {
        return Err(
            "status is disconnected but disconnect_date is empty: give the last day the client \
                    wanted the service (YYYY-MM-DD)"
                .to_string(),
        );
    }
    let rec = InventoryRecord {
        service: strings.intern(service),
        carrier: strings.intern(carrier),
        account: strings.intern(f.get(2)),
        status,
        disconnect_date,
        cost_center: f.get(5).to_string(),
        owner: f.get(6).to_string(),
        source: SourceRef { file, pos: pos(line) },
    };
    match seen.get(&(rec.carrier, rec.account, rec.service)) {
        Some(&i) => {
            let prev: &InventoryRecord = &records[i];
            let same = prev.status == rec.status
                && prev.disconnect_date == rec.disconnect_date
                && prev.cost_center == rec.cost_center
                && prev.owner == rec.owner;
            if !same {
                return Err(format!(
                    "service_id {} of {} account {} is already listed on line {} with different \
                     values; keep one line per service",
                    show(service),
                    show(carrier),
                    show(f.get(2)),
                    prev.source.pos
                ));
            }
        }
        None => {
            seen.insert((rec.carrier, rec.account, rec.service), records.len());
            records.push(rec);
        }
    }
    Ok(())
}

const CON_COLUMNS: [Column; 8] = [
    Column {
        name: "kind",
        required: true,
    },
    Column {
        name: "carrier",
        required: true,
    },
    Column {
        name: "account",
        required: false,
    },
    Column {
        name: "service_id",
        required: false,
    },
    Column {
        name: "charge_code",
        required: true,
    },
    Column {
        name: "amount",
        required: true,
    },
    Column {
        name: "effective_from",
        required: false,
    },
    Column {
        name: "effective_to",
        required: false,
    },
];

/// Reads contracts.csv.
pub fn read_contracts(
    bytes: &[u8],
    file: FileId,
    path: &str,
    strings: &mut Interner,
) -> TableOutcome<Contract> {
    let mut out = TableOutcome::default();
    let text = decoded(bytes, path, &mut out);
    let TableOutcome {
        records, rejected, ..
    } = &mut out;
    read_table(&text, path, &CON_COLUMNS, 0, rejected, |f, line| {
        let k = f.get(0);
        let kind = match k.to_ascii_lowercase().as_str() {
            "rate" => ContractKind::Rate,
            "credit" => ContractKind::Credit,
            "" => return Err("kind is empty (required)".to_string()),
            _ => return Err(format!("unknown kind {}: expected rate or credit", show(k))),
        };
        let carrier = required(f, 1, "carrier")?;
        let code = required(f, 4, "charge_code")?;
        let a = f.get(5);
        let amount = match Micros::parse(a) {
            Ok(m) => m,
            Err(telaudit_model::DecimalError::Empty) => return Err("amount is empty (required)".to_string()),
            Err(e) => return Err(format!("bad amount {}: {e}", show(a))),
        };
        if amount.0 < 0 {
            return Err(match kind {
                ContractKind::Credit => format!(
                    "negative credit amount {}: write the credit owed per period as a positive number",
                    show(a)
                ),
                ContractKind::Rate => format!("negative contracted rate {}", show(a)),
            });
        }
        let effective_from = opt_date(f, 6, "effective_from")?;
        let effective_to = opt_date(f, 7, "effective_to")?;
        if let (Some(from), Some(to)) = (effective_from, effective_to) {
            if to < from {
                return Err(format!("effective_to {to} is before effective_from {from}"));
            }
        }
        records.push(Contract {
            kind,
            carrier: strings.intern(carrier),
            account: strings.intern(f.get(2)),
            service: strings.intern(f.get(3)),
            charge_code: strings.intern(code),
            amount,
            effective_from,
            effective_to,
            source: SourceRef { file, pos: pos(line) },
        });
        Ok(())
    });
    out
}
