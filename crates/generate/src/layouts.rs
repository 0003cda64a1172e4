//! Rewrites a generated (canonical) client's invoices in a carrier's own export
//! layout (`layouts/*.toml` of telaudit-parse), and writes the canonical
//! *projection*: the canonical rows exactly as that layout carries them, so that
//! both folders must audit to the same report.json.
//!
//! Which invoices: those of the layout's carrier (AT&T Mobility for
//! `att-premier-rdo`, Verizon Wireless for the Verizon layouts); Bell has no
//! generated accounts, so `bell-mobility-mob` takes the Verizon Wireless accounts
//! and renames that carrier to Bell Mobility everywhere (invoices, inventory.csv,
//! contracts.csv, claims.csv and its finding keys), in both outputs. Other
//! invoice files, inventory.csv, contracts.csv, claims.csv and client.toml are
//! copied.
//!
//! What each layout carries (the projection applies exactly this loss):
//! - `att-premier-rdo`: everything; the projection is the canonical input itself.
//! - `verizon-wireless-charges-detail`: no charge_code, quantity (read as 1) or
//!   unit_rate; the service period is the month-long cycle ending on the invoice
//!   date; charge types, descriptions, amounts, usage quantities and units kept.
//! - `verizon-wireless-summary`: one row per invoice and line with totals by class:
//!   adjustments and credits -> "Account Charges and Credits" (adjustment),
//!   recurring -> "Monthly Charges", usage -> "Usage and Purchase Charges",
//!   one-time -> "Equipment Charges", surcharges and fees -> "Surcharges and Other
//!   Charges and Credits" (surcharge), tax -> "Taxes, Governmental Surcharges and
//!   Fees"; zero totals make no charge; the recurring charge is described by the
//!   line's first recurring description (Verizon's "Your Calling Plan"); plus three usage rows (amount 0: voice
//!   minutes, messages, data GB, the usage quantity summed over the line, empty
//!   when none). No codes, quantities, rates or item descriptions; the period is
//!   kept (Bill Period).
//! - `bell-mobility-mob`: one row per invoice and line: recurring -> "Mth Chg Ttl",
//!   usage -> "Airtime Chg", one-time, surcharges and fees -> "Other Chgs" (fee),
//!   adjustments -> "Adj App Ttl", credits -> "Disc Ttl", tax -> "GST"; zero totals
//!   make no charge; no usage quantities; the invoice id becomes
//!   `<account>-<YYYY/MM/DD invoice date>`; the period is the calendar month
//!   before the invoice date.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use telaudit_model::{Date, Micros};

/// The shipped charge layouts the generator can write.
pub const CHARGE_LAYOUTS: [&str; 4] = [
    "att-premier-rdo",
    "verizon-wireless-charges-detail",
    "verizon-wireless-summary",
    "bell-mobility-mob",
];

/// What [`write_in_layout`] / [`write_layout_projection`] did.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LayoutSummary {
    /// Invoice files written in the layout (or projected).
    pub converted: usize,
    /// Invoice files copied unchanged (other carriers).
    pub copied: usize,
    /// Rows the converted files will read as.
    pub rows: u64,
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// Writes `canonical_client` (a folder written by [`crate::generate`]) into
/// `out_client` with the invoices of the layout's carrier in `layout` (one of
/// [`CHARGE_LAYOUTS`]); same relative paths, the layout's extension.
pub fn write_in_layout(
    canonical_client: &Path,
    out_client: &Path,
    layout: &str,
) -> io::Result<LayoutSummary> {
    convert(canonical_client, out_client, layout, false)
}

/// Writes the canonical projection of [`write_in_layout`]'s output: canonical CSV
/// holding exactly what `layout` carries (see the module documentation).
pub fn write_layout_projection(
    canonical_client: &Path,
    out_client: &Path,
    layout: &str,
) -> io::Result<LayoutSummary> {
    convert(canonical_client, out_client, layout, true)
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Kind {
    Rdo,
    VzDetail,
    VzSummary,
    Bell,
}

impl Kind {
    fn of(name: &str) -> Option<Kind> {
        Some(match name {
            "att-premier-rdo" => Kind::Rdo,
            "verizon-wireless-charges-detail" => Kind::VzDetail,
            "verizon-wireless-summary" => Kind::VzSummary,
            "bell-mobility-mob" => Kind::Bell,
            _ => return None,
        })
    }
    /// (the generated carrier converted, the carrier the layout reads as)
    fn carriers(self) -> (&'static str, &'static str) {
        match self {
            Kind::Rdo => ("AT&T Mobility", "AT&T Mobility"),
            Kind::VzDetail | Kind::VzSummary => ("Verizon Wireless", "Verizon Wireless"),
            Kind::Bell => ("Verizon Wireless", "Bell Mobility"),
        }
    }
    fn extension(self) -> &'static str {
        match self {
            Kind::Bell => "csv",
            _ => "txt",
        }
    }
}

/// One canonical charge row, as text in canonical column order.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Charge {
    carrier: String,
    account: String,
    invoice: String,
    invoice_date: String,
    period_start: String,
    period_end: String,
    service: String,
    ctype: String,
    code: String,
    description: String,
    quantity: String,
    unit_rate: String,
    amount: String,
    usage: String,
    unit: String,
}

const HEADER: [&str; 15] = telaudit_model::CANONICAL_COLUMNS;

impl Charge {
    fn cells(&self) -> [&str; 15] {
        [
            &self.carrier,
            &self.account,
            &self.invoice,
            &self.invoice_date,
            &self.period_start,
            &self.period_end,
            &self.service,
            &self.ctype,
            &self.code,
            &self.description,
            &self.quantity,
            &self.unit_rate,
            &self.amount,
            &self.usage,
            &self.unit,
        ]
    }
}

fn read_charges(path: &Path) -> io::Result<Vec<Charge>> {
    let bytes = fs::read(path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let mut rdr = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let bad = |e: csv::Error| invalid(format!("{}: {e}", path.display()));
    let header = rdr.headers().map_err(bad)?.clone();
    let idx: Vec<usize> = HEADER
        .iter()
        .map(|h| {
            header.iter().position(|x| x == *h).ok_or_else(|| {
                invalid(format!(
                    "{}: no {h} column (not a generated file)",
                    path.display()
                ))
            })
        })
        .collect::<io::Result<_>>()?;
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(bad)?;
        let c = |i: usize| rec.get(idx[i]).unwrap_or("").to_string();
        out.push(Charge {
            carrier: c(0),
            account: c(1),
            invoice: c(2),
            invoice_date: c(3),
            period_start: c(4),
            period_end: c(5),
            service: c(6),
            ctype: c(7),
            code: c(8),
            description: c(9),
            quantity: c(10),
            unit_rate: c(11),
            amount: c(12),
            usage: c(13),
            unit: c(14),
        });
    }
    Ok(out)
}

fn money(s: &str) -> io::Result<Micros> {
    if s.is_empty() {
        return Ok(Micros::ZERO);
    }
    Micros::parse(s).map_err(|e| invalid(format!("{s:?} is not a number ({e})")))
}

fn date(s: &str) -> io::Result<Date> {
    Date::parse(s).map_err(|e| invalid(format!("{s:?} is not a date ({e})")))
}

fn add(a: Micros, b: Micros) -> io::Result<Micros> {
    a.checked_add(b).ok_or_else(|| invalid("sum too large".into()))
}

/// The month-long billing cycle that closes on `end` (as the Verizon detail reads it).
fn cycle_ending(end: Date) -> Date {
    let first = Date::from_ymd(end.year(), end.month(), 1).unwrap_or(end);
    if end == end.month_end() {
        return first;
    }
    let (y, m) = if end.month() == 1 {
        (end.year() - 1, 12)
    } else {
        (end.year(), end.month() - 1)
    };
    Date::from_ymd(y, m, end.day() + 1).unwrap_or(first)
}

/// The calendar month before `bill` (Bell's period).
fn prior_month(bill: Date) -> (Date, Date) {
    let (y, m) = if bill.month() == 1 {
        (bill.year() - 1, 12)
    } else {
        (bill.year(), bill.month() - 1)
    };
    let first = Date::from_ymd(y, m, 1).unwrap_or(bill);
    (first, first.month_end())
}

/// `2025-01-05` as `MM/DD/YYYY` or `YYYY/MM/DD`.
fn us_date(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.month(), d.day(), d.year())
}
fn bell_date(d: Date) -> String {
    format!("{:04}/{:02}/{:02}", d.year(), d.month(), d.day())
}

/// One invoice-and-line group of a summary layout: the charges of one source line
/// and the money columns it fills.
struct Group {
    first: Charge,
    sums: Vec<Micros>,
    usage: [Option<Micros>; 3],
    /// The description of its first recurring charge (Verizon's "Your Calling Plan").
    plan: String,
}

/// Rows grouped by (invoice, service) in order of first appearance; `slot` maps a
/// charge type to a money column.
fn groups(rows: &[Charge], columns: usize, slot: impl Fn(&str) -> Option<usize>) -> io::Result<Vec<Group>> {
    let mut out: Vec<Group> = Vec::new();
    for r in rows {
        let k = match out
            .iter()
            .position(|g| g.first.invoice == r.invoice && g.first.service == r.service)
        {
            Some(k) => k,
            None => {
                out.push(Group {
                    first: r.clone(),
                    sums: vec![Micros::ZERO; columns],
                    usage: [None; 3],
                    plan: String::new(),
                });
                out.len() - 1
            }
        };
        let g = &mut out[k];
        if r.ctype == "recurring" && g.plan.is_empty() {
            g.plan = r.description.clone();
        }
        let s = slot(&r.ctype).ok_or_else(|| invalid(format!("charge type {:?} has no column", r.ctype)))?;
        g.sums[s] = add(g.sums[s], money(&r.amount)?)?;
        let u = match r.unit.as_str() {
            "min" => Some(0),
            "msg" => Some(1),
            "GB" => Some(2),
            _ => None,
        };
        if let (Some(u), false) = (u, r.usage.is_empty()) {
            g.usage[u] = Some(add(g.usage[u].unwrap_or(Micros::ZERO), money(&r.usage)?)?);
        }
    }
    Ok(out)
}

/// (column, charge type it makes, description it gives)
type MoneyColumn = (&'static str, &'static str, &'static str);
type Slot = fn(&str) -> Option<usize>;

const VZS_MONEY: [MoneyColumn; 6] = [
    (
        "Account Charges and Credits",
        "adjustment",
        "Account Charges and Credits",
    ),
    ("Monthly Charges", "recurring", "Monthly Charges"),
    (
        "Usage and Purchase Charges",
        "usage",
        "Usage and Purchase Charges",
    ),
    ("Equipment Charges", "one_time", "Equipment Charges"),
    (
        "Total Surcharges and Other Charges and Credits",
        "surcharge",
        "Surcharges and Other Charges and Credits",
    ),
    (
        "Taxes, Governmental Surcharges and Fees",
        "tax",
        "Taxes, Governmental Surcharges and Fees",
    ),
];
const VZS_USAGE: [(&str, &str, &str); 3] = [
    ("Voice Plan Usage", "Voice Plan Usage", "min"),
    ("Messaging Usage", "Messaging Usage", "msg"),
    ("Data Usage (GB)", "Data Usage", "GB"),
];
fn vzs_slot(t: &str) -> Option<usize> {
    Some(match t {
        "adjustment" | "credit" => 0,
        "recurring" => 1,
        "usage" => 2,
        "one_time" => 3,
        "surcharge" | "fee" => 4,
        "tax" => 5,
        _ => return None,
    })
}

const BELL_MONEY: [MoneyColumn; 6] = [
    ("Mth Chg Ttl", "recurring", "Monthly charges"),
    ("Airtime Chg", "usage", "Airtime"),
    ("Other Chgs", "fee", "Other charges"),
    ("Adj App Ttl", "adjustment", "Adjustments"),
    ("Disc Ttl", "credit", "Discounts"),
    ("GST", "tax", "GST"),
];
fn bell_slot(t: &str) -> Option<usize> {
    Some(match t {
        "recurring" => 0,
        "usage" => 1,
        "one_time" | "surcharge" | "fee" => 2,
        "adjustment" => 3,
        "credit" => 4,
        "tax" => 5,
        _ => return None,
    })
}

const RDO_CLASSES: [(&str, &str); 8] = [
    ("recurring", "Monthly Charges"),
    ("one_time", "One-Time Charges"),
    ("usage", "Usage Charges"),
    ("tax", "Government Fees & Taxes"),
    ("surcharge", "Surcharges & Other Fees"),
    ("fee", "Other Fees"),
    ("credit", "Credits"),
    ("adjustment", "Credits, Adjustments & Other Charges"),
];
const VZD_CLASSES: [(&str, &str); 8] = [
    ("recurring", "Monthly Charges"),
    ("one_time", "One-Time Charges"),
    ("usage", "Usage"),
    ("tax", "Taxes"),
    ("surcharge", "Surcharges"),
    ("fee", "Fees"),
    ("credit", "Credits"),
    ("adjustment", "Adjustments"),
];

fn class(table: &[(&str, &'static str)], t: &str) -> io::Result<&'static str> {
    table
        .iter()
        .find(|(k, _)| *k == t)
        .map(|(_, v)| *v)
        .ok_or_else(|| invalid(format!("charge type {t:?} has no class in the layout")))
}

/// The rows the layout file made of `rows` will read as (canonical text).
fn project(kind: Kind, rows: &[Charge]) -> io::Result<Vec<Charge>> {
    let to = kind.carriers().1;
    match kind {
        Kind::Rdo => Ok(rows.to_vec()),
        Kind::VzDetail => rows
            .iter()
            .map(|r| {
                let d = date(&r.invoice_date)?;
                Ok(Charge {
                    period_start: cycle_ending(d).to_string(),
                    period_end: d.to_string(),
                    code: String::new(),
                    quantity: String::new(),
                    unit_rate: String::new(),
                    ..r.clone()
                })
            })
            .collect(),
        Kind::VzSummary | Kind::Bell => {
            let (money_cols, slot): (&[MoneyColumn], Slot) = if kind == Kind::Bell {
                (&BELL_MONEY, bell_slot)
            } else {
                (&VZS_MONEY, vzs_slot)
            };
            let mut out = Vec::new();
            for g in groups(rows, money_cols.len(), slot)? {
                let d = date(&g.first.invoice_date)?;
                let base = Charge {
                    carrier: to.to_string(),
                    code: String::new(),
                    quantity: String::new(),
                    unit_rate: String::new(),
                    usage: String::new(),
                    unit: String::new(),
                    ..g.first.clone()
                };
                let base = if kind == Kind::Bell {
                    let (s, e) = prior_month(d);
                    Charge {
                        invoice: format!("{}-{}", g.first.account, bell_date(d)),
                        period_start: s.to_string(),
                        period_end: e.to_string(),
                        ..base
                    }
                } else {
                    base
                };
                for ((_, ctype, desc), sum) in money_cols.iter().zip(&g.sums) {
                    if !sum.is_zero() {
                        let plan = kind == Kind::VzSummary && *ctype == "recurring" && !g.plan.is_empty();
                        out.push(Charge {
                            ctype: ctype.to_string(),
                            description: if plan { g.plan.clone() } else { desc.to_string() },
                            amount: sum.to_string(),
                            ..base.clone()
                        });
                    }
                }
                if kind == Kind::VzSummary {
                    for ((_, desc, unit), u) in VZS_USAGE.iter().zip(g.usage) {
                        out.push(Charge {
                            ctype: "usage".into(),
                            description: desc.to_string(),
                            amount: "0".into(),
                            usage: u.map(|u| u.to_string()).unwrap_or_default(),
                            unit: unit.to_string(),
                            ..base.clone()
                        });
                    }
                }
            }
            Ok(out)
        }
    }
}

/// A field the layout file can hold as is (no delimiter, quote or line break).
fn plain(s: &str, delimiter: u8) -> io::Result<&str> {
    if s.bytes()
        .any(|b| b == delimiter || matches!(b, b'"' | b'\r' | b'\n'))
    {
        return Err(invalid(format!("{s:?} cannot be written in this layout")));
    }
    Ok(s)
}

fn joined(cells: &[String], delimiter: u8, out: &mut String) -> io::Result<()> {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(char::from(delimiter));
        }
        out.push_str(plain(c, delimiter)?);
    }
    out.push_str("\r\n");
    Ok(())
}

/// The layout file of one canonical invoice file.
fn layout_file(kind: Kind, rows: &[Charge]) -> io::Result<String> {
    let mut out = String::new();
    match kind {
        Kind::Rdo => rdo_file(rows, &mut out)?,
        Kind::VzDetail => vz_detail_file(rows, &mut out)?,
        Kind::VzSummary => vz_summary_file(rows, &mut out)?,
        Kind::Bell => bell_file(rows, &mut out)?,
    }
    Ok(out)
}

/// AT&T Premier's RDO export (pipe-delimited): one line per charge, its section names telling the charge type.
fn rdo_file(rows: &[Charge], out: &mut String) -> io::Result<()> {
    let header = [
        "Section ID",
        "Billing Entity Level",
        "Billing Account Number",
        "BAN Invoice Number",
        "Period End Date",
        "Period",
        "Wireless Number",
        "Section_1",
        "Section_2",
        "Section_3",
        "Section_4",
        "Feature Code",
        "Quantity",
        "Billed Rate",
        "Amount",
        "Minutes Used",
    ];
    joined(&header.map(String::from), b'|', out)?;
    for r in rows {
        let (d, s, e) = (
            date(&r.invoice_date)?,
            date(&r.period_start)?,
            date(&r.period_end)?,
        );
        let unit = match r.unit.as_str() {
            "" => "",
            "min" => "Minutes",
            "msg" => "Messages",
            "GB" => "Data (GB)",
            "MB" => "Data (MB)",
            "KB" => "Data (KB)",
            u => return Err(invalid(format!("usage unit {u:?} has no AT&T heading"))),
        };
        let level = if r.service.is_empty() { "BAN" } else { "CTN" };
        let cells = [
            "SL".to_string(),
            level.into(),
            r.account.clone(),
            r.invoice.clone(),
            format!("{:04}{:02}{:02}", d.year(), d.month(), d.day()),
            format!("{} - {}", us_date(s), us_date(e)),
            r.service.clone(),
            "Current Charges".into(),
            class(&RDO_CLASSES, &r.ctype)?.into(),
            unit.into(),
            r.description.clone(),
            r.code.clone(),
            r.quantity.clone(),
            r.unit_rate.clone(),
            r.amount.clone(),
            r.usage.clone(),
        ];
        joined(&cells, b'|', out)?;
    }
    Ok(())
}

/// Verizon's charges detail (tab-delimited): one line per charge.
fn vz_detail_file(rows: &[Charge], out: &mut String) -> io::Result<()> {
    let header = [
        "Bill Cycle Date",
        "Account Number",
        "Invoice Number",
        "Wireless Number",
        "Item Category",
        "Item Type",
        "Item Description",
        "Used",
        "Cost",
    ];
    joined(&header.map(String::from), b'\t', out)?;
    for r in rows {
        let item_type = match r.unit.as_str() {
            "" => "",
            "min" => "minutes",
            "msg" => "messages",
            "GB" => "gigabytes",
            "MB" => "megabytes",
            "KB" => "kilobytes",
            u => return Err(invalid(format!("usage unit {u:?} has no Verizon item type"))),
        };
        if r.usage.starts_with('-') {
            return Err(invalid("a negative usage quantity cannot be written".into()));
        }
        let cells = [
            us_date(date(&r.invoice_date)?),
            r.account.clone(),
            r.invoice.clone(),
            r.service.clone(),
            class(&VZD_CLASSES, &r.ctype)?.into(),
            item_type.into(),
            r.description.clone(),
            r.usage.clone(),
            r.amount.clone(),
        ];
        joined(&cells, b'\t', out)?;
    }
    Ok(())
}

/// Verizon's per-line summary (tab-delimited): one line per line and invoice, a column per kind of charge.
fn vz_summary_file(rows: &[Charge], out: &mut String) -> io::Result<()> {
    let mut header = vec![
        "Bill Cycle Date",
        "Account Number",
        "Invoice Number",
        "Bill Period",
        "Wireless Number",
        "Your Calling Plan",
    ];
    header.extend(VZS_MONEY.iter().map(|c| c.0));
    // The real export's column for third-party charges, which no generated charge
    // uses: present (0.00), as the layout reads it.
    header.push("Third Party Charges");
    header.extend(VZS_USAGE.iter().map(|c| c.0));
    header.push("Total Charges");
    joined(
        &header.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        b'\t',
        out,
    )?;
    for g in groups(rows, VZS_MONEY.len(), vzs_slot)? {
        let r = &g.first;
        let (s, e) = (date(&r.period_start)?, date(&r.period_end)?);
        let mut cells = vec![
            us_date(date(&r.invoice_date)?),
            r.account.clone(),
            r.invoice.clone(),
            format!("{} - {}", us_date(s), us_date(e)),
            r.service.clone(),
            g.plan.clone(),
        ];
        cells.extend(g.sums.iter().map(|m| m.to_string()));
        cells.push("0.00".to_string());
        cells.extend(
            g.usage
                .iter()
                .map(|u| u.map(|u| u.to_string()).unwrap_or_default()),
        );
        let total = g.sums.iter().try_fold(Micros::ZERO, |t, m| add(t, *m))?;
        cells.push(total.to_string());
        joined(&cells, b'\t', out)?;
    }
    Ok(())
}

/// The money columns of Bell's MOB export that no generated charge uses (the
/// real export always has them), English and French: written as 0.00, as the
/// layout reads them.
const BELL_UNUSED: [(&str, &str); 17] = [
    ("Ftr Chg Ttl", "Fr option"),
    ("Data Chg", "Fr donnees"),
    ("Roamer Chg", "Fr itiner"),
    ("Roamer LD", "Fr int itin"),
    ("LD Chg", "Fr d'inter"),
    ("HST", "TVH"),
    ("HST-PEI Tel", "TVH IPE Tel"),
    ("HST-ON Tel", "TVHO Tel"),
    ("HST-BC Tel", "TVHBC Tel"),
    ("ORST", "TVO"),
    ("QST - Telec", "TVQ - telec"),
    ("QST - Other", "TVQ - autre"),
    ("P.E.I. PST", "TVP IPE"),
    ("BC PST", "TVP CB"),
    ("Sask", "TVP - Sask"),
    ("Manitoba", "TVP - Man"),
    ("Foreign tax", "Tx autr pay"),
];

/// Bell's MOB export (comma-delimited, a second header line in French): one line per line and invoice, a column per kind of charge.
fn bell_file(rows: &[Charge], out: &mut String) -> io::Result<()> {
    let mut header = vec!["Acct Nbr", "Invc Date", "Mobile Nbr"];
    header.extend(BELL_MONEY.iter().map(|c| c.0));
    header.extend(BELL_UNUSED.iter().map(|c| c.0));
    header.push("Ttl Charges");
    joined(
        &header.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        b',',
        out,
    )?;
    // Bell's second header line (French), skipped by the layout.
    let french = [
        "No Cpte",
        "Date Fact",
        "No Mobile",
        "Fr Mens",
        "Temps Antenne",
        "Autres Fr",
        "Ajust",
        "Rabais",
        "TPS",
    ];
    let french: Vec<String> = french
        .iter()
        .chain(BELL_UNUSED.iter().map(|c| &c.1))
        .chain(&["Total Fr"])
        .map(|s| s.to_string())
        .collect();
    joined(&french, b',', out)?;
    for g in groups(rows, BELL_MONEY.len(), bell_slot)? {
        let r = &g.first;
        let mut cells = vec![
            r.account.clone(),
            bell_date(date(&r.invoice_date)?),
            r.service.clone(),
        ];
        cells.extend(g.sums.iter().map(|m| m.to_string()));
        cells.extend(BELL_UNUSED.iter().map(|_| "0.00".to_string()));
        let total = g.sums.iter().try_fold(Micros::ZERO, |t, m| add(t, *m))?;
        cells.push(total.to_string());
        joined(&cells, b',', out)?;
    }
    Ok(())
}

/// Canonical charge CSV of `rows` (quoted per RFC 4180 where needed).
fn canonical_file(rows: &[Charge]) -> io::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let err = |e: csv::Error| invalid(e.to_string());
    w.write_record(HEADER).map_err(err)?;
    for r in rows {
        w.write_record(r.cells()).map_err(err)?;
    }
    w.into_inner().map_err(|e| invalid(e.to_string()))
}

/// Every file below `dir`, relative, `/`-separated, sorted.
fn files_below(dir: &Path, rel: &str, out: &mut Vec<(String, PathBuf)>) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot list {}: {e}", dir.display())))?
        .collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if e.file_type()?.is_dir() {
            files_below(&e.path(), &r, out)?;
        } else {
            out.push((r, e.path()));
        }
    }
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(p) = path.parent() {
        crate::write::create_dir(p)?;
    }
    fs::write(path, bytes)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display())))
}

/// Renames the carrier in the `carrier` column of inventory.csv, contracts.csv
/// and claims.csv, and in claims.csv's finding keys (their second part).
fn rename_carrier(bytes: &[u8], from: &str, to: &str) -> io::Result<Vec<u8>> {
    let mut rdr = csv::ReaderBuilder::new().from_reader(bytes);
    let err = |e: csv::Error| invalid(e.to_string());
    let header = rdr.headers().map_err(err)?.clone();
    let col = header.iter().position(|h| h == "carrier");
    let key = header.iter().position(|h| h == "finding_key");
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(&header).map_err(err)?;
    for rec in rdr.records() {
        let rec = rec.map_err(err)?;
        let cells: Vec<String> = rec
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if Some(i) == col && c == from {
                    to.to_string()
                } else if Some(i) == key && !c.is_empty() {
                    let mut parts = telaudit_model::finding_key_parts(c);
                    if parts.get(1).is_some_and(|p| p == from) {
                        parts[1] = to.to_string();
                    }
                    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
                    telaudit_model::finding_key(&parts)
                } else {
                    c.to_string()
                }
            })
            .collect();
        w.write_record(cells).map_err(err)?;
    }
    w.into_inner().map_err(|e| invalid(e.to_string()))
}

fn convert(src: &Path, out: &Path, layout: &str, projection: bool) -> io::Result<LayoutSummary> {
    let kind = Kind::of(layout).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "no generator for layout {layout:?}; it writes {}",
                CHARGE_LAYOUTS.join(", ")
            ),
        )
    })?;
    let (from, to) = kind.carriers();
    let mut summary = LayoutSummary::default();
    let mut all = Vec::new();
    files_below(src, "", &mut all)?;
    for (rel, path) in all {
        let dest = out.join(&rel);
        if !rel.starts_with("invoices/") || !rel.ends_with(".csv") {
            let bytes = fs::read(&path)?;
            let tables = ["inventory.csv", "contracts.csv", "claims.csv"];
            let bytes = if from != to && tables.contains(&rel.as_str()) {
                rename_carrier(&bytes, from, to)?
            } else {
                bytes
            };
            write(&dest, &bytes)?;
            continue;
        }
        let rows = read_charges(&path)?;
        if rows.is_empty() || rows.iter().any(|r| r.carrier != from) {
            write(&dest, &fs::read(&path)?)?;
            summary.copied += 1;
            continue;
        }
        let with = |e: io::Error| invalid(format!("{}: {e}", path.display()));
        let projected = project(kind, &rows).map_err(with)?;
        summary.converted += 1;
        summary.rows += projected.len() as u64;
        if projection {
            write(&dest, &canonical_file(&projected)?)?;
        } else {
            let text = layout_file(kind, &rows).map_err(with)?;
            write(&dest.with_extension(kind.extension()), text.as_bytes())?;
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn cycles_and_prior_months() {
        assert_eq!(cycle_ending(d("2025-01-05")), d("2024-12-06"));
        assert_eq!(cycle_ending(d("2025-03-31")), d("2025-03-01"));
        assert_eq!(cycle_ending(d("2025-03-30")), d("2025-03-01"));
        assert_eq!(prior_month(d("2025-01-05")), (d("2024-12-01"), d("2024-12-31")));
    }

    #[test]
    fn fields_holding_the_delimiter_are_refused() {
        assert!(plain("a|b", b'|').is_err());
        assert_eq!(plain("a,b", b'|').unwrap(), "a,b");
    }
}
