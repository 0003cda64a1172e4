//! Dispute files: `disputes/<carrier>/<account>.csv` and a letter
//! `disputes/<carrier>/<account>.md` per account with recoverable money not
//! claimed yet, and `disputes/new-claims.csv`.
//!
//! One line per claim key that claims recoverable money, after overlap removal
//! (see [`crate::claims`]): a charge claimed by two rules is disputed once, at
//! the largest claim, under the rule that claims most (ties: the smaller rule id).
//! A line a filed claim covers (claims.csv, docs/recovery.md section 5) was
//! claimed already and is left out, so the lines of an account add up,
//! exactly, to its share of the recoverable money not yet claimed
//! (`recovery.unclaimed`; `totals.recoverable` without a ledger). An account
//! with open, partial or overdue claims and no new line still gets a letter: a
//! follow-up that lists those claims alone (and no CSV).
//!
//! Cents: each line's exact claim is in `claimed_exact`; `claimed` is in whole
//! cents, allocated by largest remainder so the lines add up to the account's
//! total rounded once (half away from zero), which is the total the letter asks
//! for. (Rounding every line on its own could ask for a cent more or less.)
//!
//! Path components are sanitized by [`sanitize_component`].

use crate::claims::{resolve, Resolved};
use crate::recovery::{ClaimLine, NewClaim};
use crate::tables::guard;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, BTreeSet};
use telaudit_model::{
    money_string, CatalogueEntry, ChargeType, ClaimKey, Contract, ContractKind, Date, Decimal, Dump,
    InventoryRecord, Micros, PlanKind, Request, Row, RowId, RuleResult, ServiceStatus, SourceKind, SourceRef,
    Sym, UtilizationRecord,
};
use telaudit_recovery::Recovery;

/// One disputed charge (or one credit owed and not given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisputeLine {
    /// The invoice(s) of the charge; for a missing credit, the invoices billing
    /// that service (or account) in that period, `;`-joined.
    pub invoice: String,
    /// The service of the charge; empty for an account-level charge.
    pub service: String,
    /// The first day of the billed period.
    pub period_start: Date,
    /// `None` for a missing credit (it has no row).
    pub period_end: Option<Date>,
    /// Empty for a missing credit.
    pub charge_type: String,
    /// The carrier's charge code.
    pub charge_code: String,
    /// As billed; for a missing credit `credit owed, not given`.
    pub description: String,
    /// The billed amount; `None` for a missing credit.
    pub billed: Option<Decimal>,
    /// The billed quantity, exact; `None` for a missing credit.
    pub quantity: Option<Decimal>,
    /// The billed unit rate, exact: the row's unit_rate, else amount / quantity
    /// when that division ends; `None` otherwise and for a missing credit.
    pub billed_rate: Option<Decimal>,
    /// The contracted unit rate of the rate contract the line rests on, if any.
    pub contract_rate: Option<Decimal>,
    /// What the line asks for: a credit of a charge billed in error, or a waiver.
    pub request: Request,
    /// Whole cents, allocated so an account's lines add up to its rounded total.
    pub claimed: Decimal,
    /// The exact claim.
    pub claimed_exact: Decimal,
    /// The rule whose claim this line carries (the largest; ties: the smaller id).
    pub rule: String,
    /// Plain words: the rule's title and this line's own claim (its rates,
    /// its disconnect date, its credit owed and given), not the whole finding's.
    pub reason: String,
    /// `file:line` of the billed row; for a missing credit, of the credit rows
    /// found in the period (`;`-joined), empty when there are none.
    pub source: String,
    /// `file:line` of the contract or inventory records it rests on, `;`-joined.
    pub basis: String,
    /// What those records say, e.g. `contract rate 10.00 from 2025-02-01`.
    pub basis_says: String,
    /// The invoice date of the billed row; for a missing credit, the latest
    /// invoice_date of its account's rows of that period (formats.md section 9).
    pub invoice_date: Option<Date>,
    /// The service's disconnect date, when the inventory record the claim
    /// rests on gives one (DIS001).
    pub disconnected: Option<Date>,
    /// The last day the carrier's dispute window allows: the invoice date plus
    /// the window (client.toml `[disputes]`); `None` without a window.
    pub claim_by: Option<Date>,
    /// For a missing credit, the credit the contract owes for the period.
    pub credit_owed: Option<Decimal>,
    /// For a copy (a row another row of the same account bills identically
    /// before it, formats.md section 6): the invoice and `file:line` of that
    /// original.
    pub original: Option<String>,
    /// The key of the finding the line belongs to (findings.csv's
    /// `finding_key`), to be copied into claims.csv once the line is filed.
    pub finding_key: String,
}

/// Everything disputed on one (carrier, account).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountDispute {
    /// The carrier's name as billed: the letter's addressee.
    pub carrier: String,
    /// The account the letter disputes.
    pub account: String,
    /// The sanitized folder name under `disputes/`.
    pub dir: String,
    /// The sanitized file name without extension.
    pub stem: String,
    /// The exact sum of the lines' claims.
    pub total: Decimal,
    /// Sorted by period, invoice, service, charge code, source; empty for a
    /// follow-up letter (open claims and no new line).
    pub lines: Vec<DisputeLine>,
    /// The account's claims still waiting for the carrier (open, partial,
    /// overdue), oldest first: every letter lists them with their age.
    pub open_claims: Vec<ClaimLine>,
}

impl AccountDispute {
    /// `disputes/<dir>/<stem>.csv`, `/`-separated, relative to the output folder.
    pub fn csv_path(&self) -> String {
        format!("disputes/{}/{}.csv", self.dir, self.stem)
    }
    /// `disputes/<dir>/<stem>.md`.
    pub fn letter_path(&self) -> String {
        format!("disputes/{}/{}.md", self.dir, self.stem)
    }
    /// `disputes/<dir>/<stem>.html`: the print-ready letter report.html links to.
    pub fn letter_html_path(&self) -> String {
        format!("disputes/{}/{}.html", self.dir, self.stem)
    }
    /// The distinct invoices of the lines, in text order.
    pub fn invoices(&self) -> Vec<&str> {
        let set: BTreeSet<&str> = self
            .lines
            .iter()
            .flat_map(|l| l.invoice.split(';'))
            .filter(|s| !s.is_empty())
            .collect();
        set.into_iter().collect()
    }
}

/// A file or folder name made safe and portable, still readable: letters,
/// digits, space and `-_.,&()+#` are kept; every other character (`/`, `\`,
/// `:`, control characters, ...) becomes `_`; a dot right after a dot becomes
/// `_` (so no `..`); leading dots and spaces and trailing dots and spaces become
/// `_`; names Windows reserves (`CON`, `NUL`, `COM1` ...) get a trailing `_`; an
/// empty name is `_`. A name over 80 bytes (after the changes above) is cut on a
/// character boundary and ends in `~` and 8 hex digits of a hash of the whole name
/// (so distinct long names stay distinct), 80 bytes in all: with an extension and
/// a clash suffix it stays far below the 255 bytes a file name may have.
pub fn sanitize_component(s: &str) -> String {
    let name = sanitize_chars(s);
    if name.len() <= MAX_NAME_BYTES {
        return name;
    }
    let mut cut = MAX_NAME_BYTES - 9;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    // The hash of the original text: names that differ only past the cut, or only
    // in characters the sanitizing replaced, stay apart.
    let hash = fnv1a(s.as_bytes());
    format!("{}~{:08x}", &name[..cut], (hash >> 32) as u32 ^ hash as u32)
}

/// The longest sanitized name in bytes.
const MAX_NAME_BYTES: usize = 80;

/// FNV-1a, 64 bits: a hash that is the same on every machine and every run.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// [`sanitize_component`] before the length bound.
fn sanitize_chars(s: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(s.len().min(4096));
    for c in s.chars() {
        let keep =
            c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | ',' | '&' | '(' | ')' | '+' | '#');
        let c = if !keep || (c == '.' && out.last() == Some(&'.')) {
            '_'
        } else {
            c
        };
        out.push(c);
    }
    for c in out.iter_mut() {
        if *c == '.' || *c == ' ' {
            *c = '_';
        } else {
            break;
        }
    }
    for c in out.iter_mut().rev() {
        if *c == '.' || *c == ' ' {
            *c = '_';
        } else {
            break;
        }
    }
    let mut name: String = out.into_iter().collect();
    if name.is_empty() {
        name.push('_');
    }
    let base = name.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(base.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((base.starts_with("COM") || base.starts_with("LPT"))
            && base.len() == 4
            && base.as_bytes()[3].is_ascii_digit());
    if reserved {
        name.push('_');
    }
    name
}

/// Gives each distinct text a sanitized name, unique case-insensitively (a
/// clash gets `_2`, `_3` ... in text order).
pub(crate) fn unique_names<'a>(texts: impl IntoIterator<Item = &'a str>) -> FxHashMap<&'a str, String> {
    unique_names_beside(texts, &[])
}

/// As [`unique_names`], none of the names being one of `taken` (the files
/// that share the folder, e.g. `new-claims.csv` in disputes/).
pub(crate) fn unique_names_beside<'a>(
    texts: impl IntoIterator<Item = &'a str>,
    taken: &[&str],
) -> FxHashMap<&'a str, String> {
    let sorted: BTreeSet<&str> = texts.into_iter().collect();
    let mut used: BTreeSet<String> = taken.iter().map(|t| t.to_lowercase()).collect();
    let mut out = FxHashMap::default();
    for t in sorted {
        let base = sanitize_component(t);
        let mut name = base.clone();
        let mut n = 2;
        while used.contains(&name.to_lowercase()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        used.insert(name.to_lowercase());
        out.insert(t, name);
    }
    out
}

/// A decimal written with at least 2 decimals and no trailing zeros beyond them
/// (`10.00`, `10.005`): an exact amount read from input.
pub(crate) fn exact_amount(d: Decimal) -> String {
    let mut v = d.normalize();
    if v.scale() < 2 {
        v.rescale(2);
    }
    if v.is_zero() {
        return "0.00".to_string();
    }
    v.to_string()
}

fn micros_amount(m: Micros) -> String {
    exact_amount(m.to_decimal())
}

/// The contract and inventory records by their source position, so a basis
/// reference is found without a scan.
pub(crate) struct Records<'a> {
    contracts: FxHashMap<SourceRef, &'a Contract>,
    inventory: FxHashMap<SourceRef, &'a InventoryRecord>,
    plans: FxHashMap<SourceRef, &'a CatalogueEntry>,
    utilization: FxHashMap<SourceRef, &'a UtilizationRecord>,
}

impl<'a> Records<'a> {
    pub(crate) fn new(dump: &'a Dump) -> Self {
        Records {
            contracts: dump.contracts.iter().map(|c| (c.source, c)).collect(),
            inventory: dump.inventory.iter().map(|i| (i.source, i)).collect(),
            plans: dump.plans.iter().map(|p| (p.source, p)).collect(),
            utilization: dump.utilization.iter().map(|u| (u.source, u)).collect(),
        }
    }
}

/// The basis of one dispute line: where its records are, what they say, and the
/// records themselves.
struct Basis {
    /// `file:line`s, `;`-joined.
    places: String,
    /// What the records say, `; `-joined.
    words: String,
    /// The records that apply to this line.
    refs: Vec<SourceRef>,
}

/// What a contract or inventory record says, for a line whose key is `key`:
/// the basis records that apply to this line (all of the finding's, when none is
/// specific to it).
fn basis_of(dump: &Dump, recs: &Records<'_>, r: &Resolved<'_>) -> Basis {
    let (row_carrier, row_account, row_service, row_code, period) = match r.key {
        ClaimKey::Row(id) => match dump.rows.get(id as usize) {
            Some(row) => (
                row.carrier,
                row.account,
                row.service,
                row.charge_code,
                row.period_start,
            ),
            None => (
                r.finding.carrier,
                r.finding.account,
                r.finding.service,
                Sym::EMPTY,
                r.finding.first_period,
            ),
        },
        ClaimKey::MissingCredit {
            carrier,
            account,
            service,
            period,
            code,
        } => (carrier, account, service, code, period),
    };
    let applies = |src: SourceRef| -> bool {
        if let Some(c) = recs.contracts.get(&src) {
            return c.carrier == row_carrier
                && (c.account.is_empty() || c.account == row_account)
                && c.charge_code == row_code
                && c.covers(period);
        }
        if let Some(i) = recs.inventory.get(&src) {
            return i.service == row_service && i.carrier == row_carrier;
        }
        true
    };
    let mut refs: Vec<SourceRef> = r.finding.basis.iter().copied().filter(|&s| applies(s)).collect();
    if refs.is_empty() {
        refs = r.finding.basis.clone();
    }
    let mut places = Vec::new();
    let mut words = Vec::new();
    for &src in &refs {
        places.push(crate::locate(dump, src));
        words.push(describe_basis(dump, recs, src));
    }
    Basis {
        places: places.join(";"),
        words: words.join("; "),
        refs,
    }
}

fn window(from: Option<Date>, to: Option<Date>) -> String {
    match (from, to) {
        (Some(f), Some(t)) => format!(" from {f} to {t}"),
        (Some(f), None) => format!(" from {f}"),
        (None, Some(t)) => format!(" until {t}"),
        (None, None) => String::new(),
    }
}

/// `contract rate 10.00 for DATA10 from 2025-02-01`, `inventory: disconnected 2025-02-01` ...
pub(crate) fn describe_basis(dump: &Dump, recs: &Records<'_>, src: SourceRef) -> String {
    if let Some(c) = recs.contracts.get(&src) {
        let code = dump.s(c.charge_code);
        let win = window(c.effective_from, c.effective_to);
        return match c.kind {
            ContractKind::Rate => format!("contract rate {} for {code}{win}", micros_amount(c.amount)),
            ContractKind::Credit => {
                let whom = if c.service.is_empty() {
                    "the account".to_string()
                } else {
                    dump.s(c.service).to_string()
                };
                format!(
                    "contract credit {code} {} per period for {whom}{win}",
                    micros_amount(c.amount)
                )
            }
        };
    }
    if let Some(i) = recs.inventory.get(&src) {
        return match (i.status, i.disconnect_date) {
            (ServiceStatus::Disconnected, Some(d)) => format!("inventory: disconnected {d}"),
            (ServiceStatus::Disconnected, None) => "inventory: disconnected".to_string(),
            (ServiceStatus::Active, _) => "inventory: active".to_string(),
            (ServiceStatus::Pending, _) => "inventory: pending".to_string(),
        };
    }
    if let Some(p) = recs.plans.get(&src) {
        let name = if p.name.is_empty() {
            String::new()
        } else {
            format!(" ({})", p.name)
        };
        let code = dump.s(p.code);
        let win = window(p.effective_from, p.effective_to);
        return match p.kind {
            PlanKind::Plan => format!(
                "catalogue: plan {code}{name} {} a month, {} {} included, {} per {} over{win}",
                micros_amount(p.monthly),
                p.allowance.to_decimal().normalize(),
                dump.s(p.usage_unit),
                micros_amount(p.overage_rate),
                dump.s(p.usage_unit)
            ),
            PlanKind::Pool => format!(
                "catalogue: pool plan {code}{name} {} a month a line, {} {} into the pool a line, {} per {} over the pool{win}",
                micros_amount(p.monthly),
                p.allowance.to_decimal().normalize(),
                dump.s(p.usage_unit),
                micros_amount(p.overage_rate),
                dump.s(p.usage_unit)
            ),
            PlanKind::Circuit => format!(
                "catalogue: circuit tier {code}{name} {} Mbps, {} a month{win}",
                p.bandwidth_mbps.to_decimal().normalize(),
                micros_amount(p.monthly)
            ),
        };
    }
    if let Some(u) = recs.utilization.get(&src) {
        return format!(
            "utilization {}: p95 in {} Mbps, out {} Mbps",
            u.period_start,
            u.p95_in_mbps.to_decimal().normalize(),
            u.p95_out_mbps.to_decimal().normalize()
        );
    }
    match dump.files.get(src.file.0 as usize).map(|f| &f.kind) {
        Some(SourceKind::ClientToml) if dump.config.tax_exempt => {
            "client.toml: tax_exempt = true".to_string()
        }
        Some(SourceKind::ClientToml) => "client.toml".to_string(),
        _ => "bill row".to_string(),
    }
}

/// A missing credit's key: (carrier, account, service, period); service EMPTY
/// is the whole account.
type PeriodKey = (Sym, Sym, Sym, Date);
/// A missing credit's key with the contract's charge code.
type CreditKey = (Sym, Sym, Sym, Date, Sym);

/// What the bills say about each missing credit: the invoices billing its
/// service (or account) in its period, `;`-joined in text order, and the credit
/// rows with its code in that period, in row order.
struct CreditContext {
    invoices: FxHashMap<PeriodKey, String>,
    rows: FxHashMap<CreditKey, Vec<RowId>>,
    /// Per (carrier, account, period), the latest invoice_date of its rows.
    dates: FxHashMap<(Sym, Sym, Date), Date>,
}

/// Rows per task of [`credit_context`]'s scan.
const SCAN_CHUNK: usize = 1 << 16;

/// [`CreditContext`] of the missing credits `keys`: one pass over the rows, in
/// parallel chunks whose findings are joined in row order. Only rows of an
/// account with a missing credit are looked at (a flag per symbol, cheaper than
/// a hash lookup for every row); a service key is looked up only for a service
/// with one, the account key once per run of rows of one (carrier, account,
/// period, invoice) (rows of one invoice are mostly consecutive), and the credit
/// key only for a credit row. The invoice texts are sorted and deduplicated at
/// the end.
fn credit_context(dump: &Dump, keys: &[CreditKey]) -> CreditContext {
    let periods: FxHashSet<PeriodKey> = keys.iter().map(|&(c, a, s, p, _)| (c, a, s, p)).collect();
    let codes: FxHashSet<CreditKey> = keys.iter().copied().collect();
    let mut account_wanted = vec![false; dump.strings.len()];
    let mut service_wanted = vec![false; dump.strings.len()];
    for &(_, account, service, _) in &periods {
        if let Some(f) = account_wanted.get_mut(account.0 as usize) {
            *f = true;
        }
        if let Some(f) = service_wanted
            .get_mut(service.0 as usize)
            .filter(|_| !service.is_empty())
        {
            *f = true;
        }
    }
    let flag = |v: &[bool], s: Sym| v.get(s.0 as usize).copied().unwrap_or(false);
    let dated: FxHashSet<(Sym, Sym, Date)> = keys.iter().map(|&(c, a, _, p, _)| (c, a, p)).collect();
    // Call detail's usage rows are no bill row (formats.md section 12): they name
    // no invoice billing the period and do not date it.
    let usage = dump.call_detail_files();
    type Found = (
        Vec<(PeriodKey, Sym)>,
        Vec<(CreditKey, RowId)>,
        FxHashMap<(Sym, Sym, Date), Date>,
    );
    let scan = |(chunk, rows): (usize, &[Row])| -> Found {
        let (mut invoices, mut credits, mut dates): Found = Default::default();
        let mut last_date = None;
        let mut push = |key: PeriodKey, invoice: Sym| {
            if periods.contains(&key) {
                invoices.push((key, invoice));
            }
        };
        let mut last_run = None;
        let mut last_service = None;
        for (i, row) in rows.iter().enumerate() {
            let call_detail = usage.get(row.source.file.0 as usize).copied().unwrap_or(false);
            if !flag(&account_wanted, row.account) || call_detail {
                continue;
            }
            if !row.service.is_empty() && flag(&service_wanted, row.service) {
                let key = (row.carrier, row.account, row.service, row.period_start);
                if last_service != Some((key, row.invoice)) {
                    last_service = Some((key, row.invoice));
                    push(key, row.invoice);
                }
            }
            // The period's latest invoice date: looked up once per run of rows
            // of one account, period and invoice date.
            let day = (row.carrier, row.account, row.period_start, row.invoice_date);
            if last_date != Some(day) {
                last_date = Some(day);
                let key = (row.carrier, row.account, row.period_start);
                if dated.contains(&key) {
                    let d = dates.entry(key).or_insert(row.invoice_date);
                    *d = (*d).max(row.invoice_date);
                }
            }
            let run = (row.carrier, row.account, row.period_start, row.invoice);
            if last_run != Some(run) {
                last_run = Some(run);
                push(
                    (row.carrier, row.account, Sym::EMPTY, row.period_start),
                    row.invoice,
                );
            }
            if row.charge_type == ChargeType::Credit {
                let key = (
                    row.carrier,
                    row.account,
                    row.service,
                    row.period_start,
                    row.charge_code,
                );
                if codes.contains(&key) {
                    credits.push((key, (chunk * SCAN_CHUNK + i) as RowId));
                }
            }
        }
        (invoices, credits, dates)
    };
    let found: Vec<Found> = if keys.is_empty() {
        Vec::new()
    } else {
        dump.rows.par_chunks(SCAN_CHUNK).enumerate().map(scan).collect()
    };
    let mut invoices: FxHashMap<PeriodKey, BTreeSet<&str>> =
        periods.iter().map(|&k| (k, BTreeSet::new())).collect();
    let mut rows: FxHashMap<CreditKey, Vec<RowId>> = codes.iter().map(|&k| (k, Vec::new())).collect();
    let mut dates: FxHashMap<(Sym, Sym, Date), Date> = FxHashMap::default();
    for (inv, cred, day) in found {
        for (k, d) in day {
            let e = dates.entry(k).or_insert(d);
            *e = (*e).max(d);
        }
        for (key, invoice) in inv {
            if let Some(set) = invoices.get_mut(&key) {
                set.insert(dump.s(invoice));
            }
        }
        for (key, id) in cred {
            if let Some(v) = rows.get_mut(&key) {
                v.push(id);
            }
        }
    }
    CreditContext {
        invoices: invoices
            .into_iter()
            .map(|(k, texts)| (k, texts.into_iter().collect::<Vec<_>>().join(";")))
            .collect(),
        rows,
        dates,
    }
}

/// The name of the file in disputes/ beside the carriers' folders that lists
/// the new dispute lines as rows for claims.csv.
pub const NEW_CLAIMS_CSV: &str = "new-claims.csv";

/// The disputes of a dump: one per (carrier, account) with recoverable money
/// not claimed yet, or with claims still waiting for the carrier, sorted by
/// carrier then account text.
pub fn disputes(dump: &Dump, results: &[RuleResult]) -> Vec<AccountDispute> {
    disputes_and_new_claims(dump, results, telaudit_recovery::recover(dump, results).as_ref()).0
}

/// The disputes (as [`disputes`]) and the rows of disputes/new-claims.csv,
/// with the ledger's recovery worked out (`None` without claims.csv): the
/// lines it covers are left out, and its pending claims go into the letters.
pub(crate) fn disputes_and_new_claims(
    dump: &Dump,
    results: &[RuleResult],
    rec: Option<&Recovery>,
) -> (Vec<AccountDispute>, Vec<NewClaim>) {
    let resolved: Vec<Resolved<'_>> = resolve(results)
        .into_iter()
        .filter(|r| r.recoverable > Decimal::ZERO)
        .filter(|r| rec.is_none_or(|x| x.coverage.claim(&r.key).is_none()))
        .collect();
    let new_claims = new_claims(dump, &resolved);
    let mut by_account = lines_by_account(dump, &resolved);
    let mut pending: BTreeMap<(&str, &str), Vec<ClaimLine>> = BTreeMap::new();
    if let Some(rec) = rec {
        for s in rec.claims.iter().filter(|s| s.status.is_pending()) {
            let c = rec.claim(dump, s);
            pending
                .entry((dump.s(c.carrier), dump.s(c.account)))
                .or_default()
                .push(crate::recovery::claim_line(dump, rec, s));
        }
    }
    for &key in pending.keys() {
        by_account.entry(key).or_default();
    }
    (assemble(by_account, pending), new_claims)
}

/// The rows of disputes/new-claims.csv: per finding and account, the exact sum
/// of its lines, sorted by carrier, account, finding key. A sum that rounds to
/// 0.00 (lines of fractions of a cent) is left out: claims.csv takes only an
/// amount above 0, so the row could not be filed.
fn new_claims(dump: &Dump, resolved: &[Resolved<'_>]) -> Vec<NewClaim> {
    let mut by: BTreeMap<(&str, &str, &str), NewClaim> = BTreeMap::new();
    for r in resolved {
        let (carrier, account) = r.account(dump);
        let (carrier, account) = (dump.s(carrier), dump.s(account));
        by.entry((carrier, account, r.finding.key.as_str()))
            .or_insert_with(|| NewClaim {
                carrier: carrier.to_string(),
                account: account.to_string(),
                service: dump.s(r.finding.service).to_string(),
                finding_key: r.finding.key.clone(),
                amount: Decimal::ZERO,
                note: r.finding.description.clone(),
            })
            .amount += r.recoverable;
    }
    by.into_values()
        .filter(|c| telaudit_model::round_cents(c.amount) > Decimal::ZERO)
        .collect()
}

/// One dispute line per resolved claim, grouped by (carrier, account) text.
/// The lines are made in parallel, then grouped in the claims' order.
fn lines_by_account<'d>(
    dump: &'d Dump,
    resolved: &[Resolved<'_>],
) -> BTreeMap<(&'d str, &'d str), Vec<DisputeLine>> {
    let keys: Vec<CreditKey> = resolved
        .iter()
        .filter_map(|r| match r.key {
            ClaimKey::MissingCredit {
                carrier,
                account,
                service,
                period,
                code,
            } => Some((carrier, account, service, period, code)),
            ClaimKey::Row(_) => None,
        })
        .collect();
    let rows: Vec<RowId> = resolved
        .iter()
        .filter_map(|r| match r.key {
            ClaimKey::Row(id) => Some(id),
            ClaimKey::MissingCredit { .. } => None,
        })
        .collect();
    let ((context, recs), originals) = rayon::join(
        || rayon::join(|| credit_context(dump, &keys), || Records::new(dump)),
        || originals(dump, &rows),
    );
    // In the claims' order (rayon's collect keeps it).
    let lines: Vec<((Sym, Sym), DisputeLine)> = resolved
        .par_iter()
        .filter_map(|r| {
            let line = match r.key {
                ClaimKey::Row(id) => row_line(dump, &recs, r, id).map(|mut l| {
                    if let Some(o) = originals.get(&id).and_then(|&o| dump.rows.get(o as usize)) {
                        let invoice = dump.s(o.invoice);
                        let place = crate::locate(dump, o.source);
                        l.reason.push_str(&format!(
                            "; a copy of the charge billed on invoice {invoice} ({place})"
                        ));
                        l.original = Some(format!("{invoice} ({place})"));
                    }
                    l
                }),
                ClaimKey::MissingCredit {
                    carrier,
                    account,
                    service,
                    period,
                    code,
                } => {
                    let found = CreditFound {
                        invoices: context
                            .invoices
                            .get(&(carrier, account, service, period))
                            .cloned()
                            .unwrap_or_default(),
                        rows: context
                            .rows
                            .get(&(carrier, account, service, period, code))
                            .cloned()
                            .unwrap_or_default(),
                        date: context.dates.get(&(carrier, account, period)).copied(),
                    };
                    Some(missing_credit_line(
                        dump,
                        &recs,
                        r,
                        found,
                        (carrier, service, period, code),
                    ))
                }
            };
            line.map(|l| (r.account(dump), l))
        })
        .collect();
    let mut by_account: BTreeMap<(&str, &str), Vec<DisputeLine>> = BTreeMap::new();
    for ((carrier, account), line) in lines {
        by_account
            .entry((dump.s(carrier), dump.s(account)))
            .or_default()
            .push(line);
    }
    by_account
}

/// What rows of one account must agree on to be copies of each other
/// (formats.md section 6, DUP001): service, charge type, code, description,
/// period, quantity and amount.
type CopySig = (Sym, Sym, ChargeType, Sym, Sym, Date, Date, i64, i64);

fn copy_sig(row: &Row) -> Option<CopySig> {
    let copy_type = matches!(
        row.charge_type,
        ChargeType::Recurring
            | ChargeType::OneTime
            | ChargeType::Usage
            | ChargeType::Fee
            | ChargeType::Surcharge
    );
    (copy_type && row.amount.is_positive()).then_some((
        row.account,
        row.service,
        row.charge_type,
        row.charge_code,
        row.description,
        row.period_start,
        row.period_end,
        row.quantity.0,
        row.amount.0,
    ))
}

/// For each claimed row that is a copy (formats.md section 6: an earlier row of
/// its account, in path and line order, bills the same charge identically), the
/// first such row: the original its dispute line names. One pass over the rows
/// of the accounts with such claims.
fn originals(dump: &Dump, claimed: &[RowId]) -> FxHashMap<RowId, RowId> {
    let sigs: FxHashMap<RowId, CopySig> = claimed
        .iter()
        .filter_map(|&id| Some((id, copy_sig(dump.rows.get(id as usize)?)?)))
        .collect();
    if sigs.is_empty() {
        return FxHashMap::default();
    }
    let mut first: FxHashMap<CopySig, RowId> = sigs.values().map(|&s| (s, RowId::MAX)).collect();
    let mut wanted = vec![false; dump.strings.len()];
    for s in sigs.values() {
        if let Some(w) = wanted.get_mut(s.0 .0 as usize) {
            *w = true;
        }
    }
    for (i, row) in dump.rows.iter().enumerate() {
        if !wanted.get(row.account.0 as usize).copied().unwrap_or(false) {
            continue;
        }
        if let Some(f) = copy_sig(row).and_then(|s| first.get_mut(&s)) {
            *f = (*f).min(i as RowId);
        }
    }
    sigs.into_iter()
        .filter_map(|(id, s)| first.get(&s).filter(|&&o| o < id).map(|&o| (id, o)))
        .collect()
}

/// The dispute line of an overbilled charge row; `None` for a stray row id.
fn row_line(dump: &Dump, recs: &Records<'_>, r: &Resolved<'_>, id: RowId) -> Option<DisputeLine> {
    let row = dump.rows.get(id as usize)?;
    let b = basis_of(dump, recs, r);
    let contract_rate = b
        .refs
        .iter()
        .filter_map(|s| recs.contracts.get(s))
        .find(|c| c.kind == ContractKind::Rate)
        .map(|c| c.amount.to_decimal());
    let disconnected = b.refs.iter().filter_map(|s| recs.inventory.get(s)).find_map(|i| {
        i.disconnect_date
            .filter(|_| i.status == ServiceStatus::Disconnected)
    });
    let quantity = row.quantity.to_decimal();
    let billed_rate = unit_rate(row);
    let detail = if let Some(rate) = contract_rate {
        let billed = match billed_rate {
            Some(u) => format!("{} x {}", quantity_text(quantity), exact_amount(u)),
            None => format!(
                "{} for {} units",
                exact_amount(row.amount.to_decimal()),
                quantity_text(quantity)
            ),
        };
        format!(
            "billed {billed} against the contracted {} a unit: {} over",
            exact_amount(rate),
            exact_amount(r.recoverable)
        )
    } else if let Some(d) = disconnected {
        format!(
            "{} billed for {} to {}, after the service was disconnected on {d}",
            dump.s(row.description),
            row.period_start,
            row.period_end
        )
    } else {
        own_text(&r.finding.description)
    };
    Some(DisputeLine {
        invoice: dump.s(row.invoice).to_string(),
        service: dump.s(row.service).to_string(),
        period_start: row.period_start,
        period_end: Some(row.period_end),
        charge_type: row.charge_type.as_str().to_string(),
        charge_code: dump.s(row.charge_code).to_string(),
        description: dump.s(row.description).to_string(),
        billed: Some(row.amount.to_decimal()),
        quantity: Some(quantity),
        billed_rate,
        contract_rate,
        request: r.rule.request,
        claimed: Decimal::ZERO,
        claimed_exact: r.recoverable,
        rule: r.rule.id.clone(),
        reason: reason(r, &detail),
        source: crate::locate(dump, row.source),
        basis: b.places,
        basis_says: b.words,
        invoice_date: Some(row.invoice_date),
        claim_by: claim_by(dump, row.carrier, Some(row.invoice_date)),
        credit_owed: None,
        original: None,
        disconnected: r
            .finding
            .basis
            .iter()
            .filter_map(|s| recs.inventory.get(s))
            .filter(|i| i.service == row.service && i.carrier == row.carrier)
            .find_map(|i| i.disconnect_date),
        finding_key: r.finding.key.clone(),
    })
}

/// The last day `carrier`'s dispute window allows for an invoice dated `date`.
fn claim_by(dump: &Dump, carrier: Sym, date: Option<Date>) -> Option<Date> {
    let days = dump.config.disputes.as_ref()?.window(dump.s(carrier))?;
    date?.plus_days(days)
}

/// `Title: detail`; a waiver request says so.
fn reason(r: &Resolved<'_>, detail: &str) -> String {
    match r.rule.request {
        Request::Dispute => format!("{}: {detail}", r.rule.title),
        Request::Waiver => format!("{}: {detail}; we ask you to waive it", r.rule.title),
    }
}

/// A finding's text as one line's own words: without the finding's count of
/// periods (`, 3 periods`): the line has its own period.
fn own_text(description: &str) -> String {
    if let Some((head, tail)) = description.rsplit_once(", ") {
        let count = tail
            .strip_suffix(" periods")
            .or_else(|| tail.strip_suffix(" period"));
        if count.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) {
            return head.to_string();
        }
    }
    description.to_string()
}

/// A row's unit rate, exact: its unit_rate, else amount / quantity when that
/// division ends (a quotient Decimal had to cut is no rate to put in a claim).
fn unit_rate(row: &Row) -> Option<Decimal> {
    if let Some(u) = row.unit_rate {
        return Some(u.to_decimal());
    }
    let (amount, qty) = (row.amount.to_decimal(), row.quantity.to_decimal());
    let price = amount.checked_div(qty)?;
    (price.normalize().scale() <= 18 && price.checked_mul(qty) == Some(amount)).then_some(price)
}

/// A quantity at full precision without padding (`100`, `2.5`).
fn quantity_text(d: Decimal) -> String {
    d.normalize().to_string()
}

/// The credit rows found for a missing credit, and the invoices of its period.
pub(crate) struct CreditFound {
    /// The invoices billing that service (or account) in that period, `;`-joined.
    pub invoices: String,
    /// The credit rows with the contract's code in that period, in row order.
    pub rows: Vec<RowId>,
    /// The latest invoice_date of the account's rows of that period.
    pub date: Option<Date>,
}

/// The dispute line of a contract credit owed but not (fully) given: it names
/// the credit rows found in the period (or says that none is on the invoices)
/// and says "missing" or "short by".
fn missing_credit_line(
    dump: &Dump,
    recs: &Records<'_>,
    r: &Resolved<'_>,
    found: CreditFound,
    (carrier, service, period, code): (Sym, Sym, Date, Sym),
) -> DisputeLine {
    let b = basis_of(dump, recs, r);
    let owed = r
        .finding
        .basis
        .iter()
        .filter_map(|s| recs.contracts.get(s))
        .filter(|c| c.kind == ContractKind::Credit && c.charge_code == code && c.covers(period))
        .map(|c| c.amount.to_decimal())
        .next();
    let code_text = dump.s(code);
    let owed_text = match owed {
        Some(o) => format!("credit {code_text} of {} owed for the period", exact_amount(o)),
        None => format!("credit {code_text} owed for the period"),
    };
    let places: Vec<String> = found
        .rows
        .iter()
        .filter_map(|&id| dump.rows.get(id as usize))
        .map(|row| crate::locate(dump, row.source))
        .collect();
    let detail = if found.rows.is_empty() {
        let on = if found.invoices.is_empty() {
            "no credit row on the period's invoices".to_string()
        } else {
            format!("no credit row on invoice {}", found.invoices.replace(';', ", "))
        };
        format!("{owed_text}: missing, {on}")
    } else {
        let given: Decimal = found
            .rows
            .iter()
            .filter_map(|&id| dump.rows.get(id as usize))
            .map(|row| row.amount.to_decimal())
            .sum();
        format!(
            "{owed_text}: short by {}, credited {} on {}",
            exact_amount(r.recoverable),
            exact_amount(-given),
            places.join(", ")
        )
    };
    DisputeLine {
        invoice: found.invoices,
        service: dump.s(service).to_string(),
        period_start: period,
        period_end: None,
        charge_type: String::new(),
        charge_code: code_text.to_string(),
        description: "credit owed, not given".to_string(),
        billed: None,
        quantity: None,
        billed_rate: None,
        contract_rate: None,
        request: r.rule.request,
        claimed: Decimal::ZERO,
        claimed_exact: r.recoverable,
        rule: r.rule.id.clone(),
        reason: reason(r, &detail),
        source: places.join(";"),
        basis: b.places,
        basis_says: b.words,
        invoice_date: found.date,
        claim_by: claim_by(dump, carrier, found.date),
        credit_owed: owed,
        original: None,
        disconnected: None,
        finding_key: r.finding.key.clone(),
    }
}

/// The account disputes from their lines and pending claims: file names made
/// unique (no carrier folder named like [`NEW_CLAIMS_CSV`]), lines sorted,
/// cents allocated.
fn assemble<'a>(
    by_account: BTreeMap<(&'a str, &'a str), Vec<DisputeLine>>,
    mut pending: BTreeMap<(&'a str, &'a str), Vec<ClaimLine>>,
) -> Vec<AccountDispute> {
    let dirs = unique_names_beside(by_account.keys().map(|(c, _)| *c), &[NEW_CLAIMS_CSV]);
    let mut stems_per_carrier: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (c, a) in by_account.keys() {
        stems_per_carrier.entry(c).or_default().push(a);
    }
    let stems: FxHashMap<&str, FxHashMap<&str, String>> = stems_per_carrier
        .into_iter()
        .map(|(c, accs)| (c, unique_names(accs)))
        .collect();

    type Account<'s> = ((&'s str, &'s str), Vec<DisputeLine>, Vec<ClaimLine>);
    let accounts: Vec<Account<'_>> = by_account
        .into_iter()
        .map(|(k, lines)| {
            let mut open = pending.remove(&k).unwrap_or_default();
            // Oldest first: the longest waiting is the first to chase.
            open.sort_by(|a, b| (a.filed_on, &a.claim_id).cmp(&(b.filed_on, &b.claim_id)));
            (k, lines, open)
        })
        .collect();
    accounts
        .into_par_iter()
        .map(|((carrier, account), mut lines, open_claims)| {
            lines.sort_by(|a, b| {
                a.period_start
                    .cmp(&b.period_start)
                    .then_with(|| a.invoice.cmp(&b.invoice))
                    .then_with(|| a.service.cmp(&b.service))
                    .then_with(|| a.charge_code.cmp(&b.charge_code))
                    .then_with(|| a.source.cmp(&b.source))
                    .then_with(|| a.rule.cmp(&b.rule))
            });
            let total: Decimal = lines.iter().map(|l| l.claimed_exact).sum();
            allocate_cents(&mut lines, total);
            AccountDispute {
                carrier: carrier.to_string(),
                account: account.to_string(),
                dir: dirs
                    .get(carrier)
                    .cloned()
                    .unwrap_or_else(|| sanitize_component(carrier)),
                stem: stems
                    .get(carrier)
                    .and_then(|m| m.get(account))
                    .cloned()
                    .unwrap_or_else(|| sanitize_component(account)),
                total,
                lines,
                open_claims,
            }
        })
        .collect()
}

/// Whole cents per line, by largest remainder: every line gets its exact claim
/// rounded down to the cent, then the cents still missing to reach the total
/// rounded half away from zero go one each to the lines with the largest
/// remainders (ties: the earlier line).
fn allocate_cents(lines: &mut [DisputeLine], total: Decimal) {
    let hundred = Decimal::ONE_HUNDRED;
    let target =
        (total * hundred).round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let mut floors = Decimal::ZERO;
    let mut rems: Vec<(Decimal, usize)> = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter_mut().enumerate() {
        let scaled = l.claimed_exact * hundred;
        let fl = scaled.floor();
        floors += fl;
        rems.push((scaled - fl, i));
        l.claimed = fl / hundred;
    }
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut missing = target - floors;
    for (_, i) in rems {
        if missing <= Decimal::ZERO {
            break;
        }
        lines[i].claimed += Decimal::new(1, 2);
        missing -= Decimal::ONE;
    }
    for l in lines.iter_mut() {
        l.claimed.rescale(2);
    }
}

/// The dispute CSV of one account: a header and one row per line. Text cells
/// are guarded against spreadsheet formulas as in findings.csv.
pub fn dispute_csv(d: &AccountDispute) -> String {
    let mut buf = Vec::new();
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut buf);
        let _ = w.write_record([
            "carrier",
            "account",
            "invoice",
            "service_id",
            "period_start",
            "period_end",
            "charge_type",
            "charge_code",
            "description",
            "billed_amount",
            "quantity",
            "billed_rate",
            "contract_rate",
            "claimed",
            "claimed_exact",
            "rule",
            "reason",
            "source",
            "basis",
            "basis_says",
            "claim_by",
            "finding_key",
        ]);
        for l in &d.lines {
            let period_end = l.period_end.map(|p| p.to_string()).unwrap_or_default();
            let billed = l.billed.map(exact_amount).unwrap_or_default();
            let quantity = l.quantity.map(quantity_text).unwrap_or_default();
            let billed_rate = l.billed_rate.map(exact_amount).unwrap_or_default();
            let contract_rate = l.contract_rate.map(exact_amount).unwrap_or_default();
            let claim_by = l.claim_by.map(|d| d.to_string()).unwrap_or_default();
            let _ = w.write_record([
                guard(&d.carrier).as_ref(),
                guard(&d.account).as_ref(),
                guard(&l.invoice).as_ref(),
                guard(&l.service).as_ref(),
                l.period_start.to_string().as_str(),
                period_end.as_str(),
                guard(&l.charge_type).as_ref(),
                guard(&l.charge_code).as_ref(),
                guard(&l.description).as_ref(),
                billed.as_str(),
                quantity.as_str(),
                billed_rate.as_str(),
                contract_rate.as_str(),
                money_string(l.claimed).as_str(),
                exact_amount(l.claimed_exact).as_str(),
                guard(&l.rule).as_ref(),
                guard(&l.reason).as_ref(),
                guard(&l.source).as_ref(),
                guard(&l.basis).as_ref(),
                guard(&l.basis_says).as_ref(),
                claim_by.as_str(),
                guard(&l.finding_key).as_ref(),
            ]);
        }
        let _ = w.flush();
    }
    String::from_utf8(buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use telaudit_model::{ChargeType, FileId, Row};

    /// A charge row of one unit at 1.00, dated `period` throughout.
    #[allow(clippy::too_many_arguments)]
    fn charge(
        carrier: Sym,
        account: Sym,
        service: Sym,
        invoice: Sym,
        period: Date,
        charge_type: ChargeType,
        charge_code: Sym,
    ) -> Row {
        Row {
            carrier,
            account,
            invoice,
            service,
            charge_code,
            description: Sym::EMPTY,
            usage_unit: Sym::EMPTY,
            invoice_date: period,
            period_start: period,
            period_end: period,
            charge_type,
            quantity: Micros::ONE,
            unit_rate: None,
            amount: Micros::ONE,
            usage_quantity: None,
            source: SourceRef {
                file: FileId(0),
                pos: 2,
            },
        }
    }

    #[test]
    fn missing_credit_invoices_by_service_and_account() {
        let mut dump = Dump::default();
        let mut sym = |s: &str| dump.strings.intern(s);
        let (vz, att, a1, a2) = (sym("Verizon"), sym("AT&T"), sym("0042"), sym("0099"));
        let (s1, s2) = (sym("S1"), sym("S2"));
        // Interned out of text order: "INV-9" gets the smaller symbol.
        let (i9, i1, i5) = (sym("INV-9"), sym("INV-1"), sym("INV-5"));
        let feb = Date::parse("2025-02-01").unwrap();
        let mar = Date::parse("2025-03-01").unwrap();
        let row = |carrier, account, service, invoice, period| {
            charge(
                carrier,
                account,
                service,
                invoice,
                period,
                ChargeType::Recurring,
                Sym::EMPTY,
            )
        };
        dump.rows = vec![
            row(vz, a1, s1, i9, feb),
            row(vz, a1, s1, i9, feb),
            row(vz, a1, s1, i1, feb),
            row(vz, a1, s1, i9, feb),
            row(vz, a1, s2, i5, feb),
            row(vz, a1, Sym::EMPTY, i5, feb),
            row(vz, a1, s1, i5, mar),
            row(vz, a2, s1, i1, feb),
            row(att, a1, s1, i1, feb),
        ];
        let code = Sym::EMPTY;
        let w = credit_context(
            &dump,
            &[
                (vz, a1, s1, feb, code),
                (vz, a1, Sym::EMPTY, feb, code),
                (vz, a1, s2, mar, code),
                (att, a1, s1, feb, code),
            ],
        )
        .invoices;
        // Service S1 in February: INV-9 and INV-1 (repeated, not consecutive), in text order.
        assert_eq!(w[&(vz, a1, s1, feb)], "INV-1;INV-9");
        // The whole account in February: every service's invoices and the row without one.
        assert_eq!(w[&(vz, a1, Sym::EMPTY, feb)], "INV-1;INV-5;INV-9");
        // Nothing billed S2 in March.
        assert_eq!(w[&(vz, a1, s2, mar)], "");
        assert_eq!(w[&(att, a1, s1, feb)], "INV-1");
        assert_eq!(w.len(), 4);
    }

    #[test]
    fn credit_rows_are_found_in_row_order_across_scan_chunks() {
        let mut dump = Dump::default();
        let mut sym = |s: &str| dump.strings.intern(s);
        let (vz, a1, s1, inv, code, other) = (
            sym("Verizon"),
            sym("0042"),
            sym("S1"),
            sym("INV-1"),
            sym("CR10"),
            sym("CR20"),
        );
        let feb = Date::parse("2025-02-01").unwrap();
        let row = |charge_type, charge_code| charge(vz, a1, s1, inv, feb, charge_type, charge_code);
        // Three chunks' worth of rows; credits with the code in the first and the
        // third chunk, one with another code, and recurring rows everywhere else.
        let n = 2 * SCAN_CHUNK + 10;
        dump.rows = (0..n).map(|_| row(ChargeType::Recurring, code)).collect();
        let (first, last) = (5, 2 * SCAN_CHUNK + 7);
        dump.rows[first] = row(ChargeType::Credit, code);
        dump.rows[last] = row(ChargeType::Credit, code);
        dump.rows[SCAN_CHUNK + 1] = row(ChargeType::Credit, other);
        let c = credit_context(&dump, &[(vz, a1, s1, feb, code)]);
        assert_eq!(
            c.rows[&(vz, a1, s1, feb, code)],
            vec![first as RowId, last as RowId]
        );
        assert_eq!(c.invoices[&(vz, a1, s1, feb)], "INV-1");
    }
}
