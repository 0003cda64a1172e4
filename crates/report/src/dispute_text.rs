//! What each dispute line says, made when its file is written.
//!
//! The audit keeps a disputed charge compact ([`DisputeLine`]: the billed row or
//! the credit owed, its finding and its cents). Everything a person reads on
//! the line (the invoice, the charge as billed, the reason, the contract or
//! inventory record the claim rests on and what that record says) is made
//! here, line by line, into one [`LineText`] whose buffers each thread reuses,
//! and written out as CSV straight into the file's buffer
//! ([`write_dispute_csv`]): no string is kept per line or per file, and an
//! account's lines are made in parallel chunks, written in order. A letter's ten
//! largest items are the same [`LineText`]s ([`LineContext::text`]).

use crate::csv_out::{push_date, push_exact, push_micros_exact, push_money, push_normalized, text_field};
use crate::disputes::{AccountDispute, DisputeLine, LineSource, MissingCredit};
use crate::tables::push_place;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use telaudit_model::{
    CatalogueEntry, ClaimKey, Contract, ContractKind, Date, Decimal, Dump, Finding, InventoryRecord, Micros,
    PlanKind, Request, Row, RuleInfo, RuleResult, ServiceStatus, SourceKind, SourceRef, Sym,
    UtilizationRecord,
};

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

/// A decimal written with at least 2 decimals and no trailing zeros beyond them
/// (`10.00`, `10.005`): an exact amount read from input.
pub(crate) fn exact_amount(d: Decimal) -> String {
    let mut s = String::new();
    push_exact(&mut s, d);
    s
}

fn micros_amount(m: Micros) -> String {
    let mut s = String::new();
    push_micros_exact(&mut s, m);
    s
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

/// One dispute line as a person reads it: every column of the dispute CSV,
/// and what a letter's item shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineText {
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

impl Default for LineText {
    fn default() -> Self {
        LineText {
            invoice: String::new(),
            service: String::new(),
            period_start: Date::MIN,
            period_end: None,
            charge_type: String::new(),
            charge_code: String::new(),
            description: String::new(),
            billed: None,
            quantity: None,
            billed_rate: None,
            contract_rate: None,
            request: Request::Dispute,
            claimed: Decimal::ZERO,
            claimed_exact: Decimal::ZERO,
            rule: String::new(),
            reason: String::new(),
            source: String::new(),
            basis: String::new(),
            basis_says: String::new(),
            invoice_date: None,
            disconnected: None,
            claim_by: None,
            credit_owed: None,
            original: None,
            finding_key: String::new(),
        }
    }
}

/// The records a line's claim rests on, and their texts: reused from line to
/// line (most lines of a finding rest on the same records).
#[derive(Default)]
struct BasisCache {
    refs: Vec<SourceRef>,
    /// `refs` of the text below; `None` before the first line.
    made_for: Option<Vec<SourceRef>>,
    places: String,
    words: String,
    /// The finding whose own words (its text without its count of periods)
    /// `own` holds.
    own_for: Option<u32>,
    own: String,
}

/// What rendering a dispute line needs: the dump, each finding with its rule
/// (by its place in the results), and the contract and inventory records by
/// position.
pub struct LineContext<'a> {
    dump: &'a Dump,
    findings: Vec<(&'a RuleInfo, &'a Finding)>,
    recs: Records<'a>,
}

/// Lines per task when an account's CSV is made in parallel (about 1 MB of text).
const CHUNK: usize = 4096;
/// Chunks made at once before they are written, in order.
const CHUNKS_AT_ONCE: usize = 8;

/// The dispute CSV's header.
pub(crate) const DISPUTE_COLUMNS: [&str; 22] = [
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
];

impl<'a> LineContext<'a> {
    /// The context of an audit's dispute lines.
    pub fn new(dump: &'a Dump, results: &'a [RuleResult]) -> Self {
        LineContext {
            dump,
            findings: results
                .iter()
                .flat_map(|r| r.findings.iter().map(move |f| (&r.rule, f)))
                .collect(),
            recs: Records::new(dump),
        }
    }

    /// The finding a line belongs to, with its rule.
    pub(crate) fn finding(&self, l: &DisputeLine) -> Option<(&'a RuleInfo, &'a Finding)> {
        self.findings.get(l.finding as usize).copied()
    }

    /// The rule id of a line (empty for a stray finding index).
    pub(crate) fn rule(&self, l: &DisputeLine) -> &'a str {
        self.finding(l).map_or("", |(r, _)| r.id.as_str())
    }

    /// What a line asks for.
    pub(crate) fn request(&self, l: &DisputeLine) -> Request {
        self.finding(l).map_or(Request::Dispute, |(r, _)| r.request)
    }

    /// The dump the lines are of.
    pub(crate) fn dump(&self) -> &'a Dump {
        self.dump
    }

    /// The service's disconnect date a line shows (DIS001): from the inventory
    /// records of its finding's basis of the row's service and carrier.
    pub(crate) fn disconnected(&self, l: &DisputeLine) -> Option<Date> {
        let (LineSource::Row { id, .. }, Some((_, f))) = (&l.source, self.finding(l)) else {
            return None;
        };
        let row = self.dump.rows.get(*id as usize)?;
        f.basis
            .iter()
            .filter_map(|s| self.recs.inventory.get(s))
            .filter(|i| i.service == row.service && i.carrier == row.carrier)
            .find_map(|i| i.disconnect_date)
    }

    /// A line's text, owned.
    pub fn text(&self, l: &DisputeLine) -> LineText {
        let mut t = LineText::default();
        self.fill(l, &mut t, &mut BasisCache::default());
        t
    }

    /// Makes `t` the text of `l`, reusing its buffers.
    fn fill(&self, l: &DisputeLine, t: &mut LineText, cache: &mut BasisCache) {
        let Some((rule, finding)) = self.finding(l) else {
            *t = LineText::default();
            return;
        };
        t.request = rule.request;
        t.claimed = l.claimed;
        t.claimed_exact = l.claimed_exact;
        t.rule.clear();
        t.rule.push_str(&rule.id);
        t.finding_key.clear();
        t.finding_key.push_str(&finding.key);
        match &l.source {
            LineSource::Row { id, original } => {
                if cache.own_for != Some(l.finding) {
                    cache.own_for = Some(l.finding);
                    set(&mut cache.own, own_text(&finding.description));
                }
                self.fill_row(*id, *original, (rule, finding), t, cache)
            }
            LineSource::Credit(c) => self.fill_credit(c, l, (rule, finding), t, cache),
        }
    }

    /// The records of the finding's basis that apply to a line of (carrier,
    /// account, service, code, period) (all of them when none is specific to
    /// it), and their places and words, in `cache`.
    fn basis(&self, f: &Finding, at: (Sym, Sym, Sym, Sym, Date), cache: &mut BasisCache) {
        let (carrier, account, service, code, period) = at;
        let applies = |src: &SourceRef| -> bool {
            if let Some(c) = self.recs.contracts.get(src) {
                return c.carrier == carrier
                    && (c.account.is_empty() || c.account == account)
                    && c.charge_code == code
                    && c.covers(period);
            }
            if let Some(i) = self.recs.inventory.get(src) {
                return i.service == service && i.carrier == carrier;
            }
            true
        };
        cache.refs.clear();
        cache.refs.extend(f.basis.iter().copied().filter(applies));
        if cache.refs.is_empty() {
            cache.refs.extend_from_slice(&f.basis);
        }
        if cache.made_for.as_deref() == Some(&cache.refs[..]) {
            return;
        }
        cache.places.clear();
        cache.words.clear();
        for (i, &src) in cache.refs.iter().enumerate() {
            if i > 0 {
                cache.places.push(';');
                cache.words.push_str("; ");
            }
            push_place(&mut cache.places, self.dump, src);
            cache.words.push_str(&describe_basis(self.dump, &self.recs, src));
        }
        cache.made_for = Some(cache.refs.clone());
    }

    fn fill_row(
        &self,
        id: u32,
        original: Option<u32>,
        (rule, f): (&RuleInfo, &Finding),
        t: &mut LineText,
        cache: &mut BasisCache,
    ) {
        let dump = self.dump;
        let Some(row) = dump.rows.get(id as usize) else {
            return;
        };
        self.basis(
            f,
            (
                row.carrier,
                row.account,
                row.service,
                row.charge_code,
                row.period_start,
            ),
            cache,
        );
        let contract_rate = cache
            .refs
            .iter()
            .filter_map(|s| self.recs.contracts.get(s))
            .find(|c| c.kind == ContractKind::Rate)
            .map(|c| c.amount.to_decimal());
        let disconnected = cache
            .refs
            .iter()
            .filter_map(|s| self.recs.inventory.get(s))
            .find_map(|i| {
                i.disconnect_date
                    .filter(|_| i.status == ServiceStatus::Disconnected)
            });
        let quantity = row.quantity.to_decimal();
        let billed_rate = unit_rate(row);
        set(&mut t.invoice, dump.s(row.invoice));
        set(&mut t.service, dump.s(row.service));
        t.period_start = row.period_start;
        t.period_end = Some(row.period_end);
        set(&mut t.charge_type, row.charge_type.as_str());
        set(&mut t.charge_code, dump.s(row.charge_code));
        set(&mut t.description, dump.s(row.description));
        t.billed = Some(row.amount.to_decimal());
        t.quantity = Some(quantity);
        t.billed_rate = billed_rate;
        t.contract_rate = contract_rate;
        // The reason: the rule's title, then this line's own claim.
        t.reason.clear();
        t.reason.push_str(&rule.title);
        t.reason.push_str(": ");
        if let Some(rate) = contract_rate {
            t.reason.push_str("billed ");
            match billed_rate {
                Some(u) => {
                    push_normalized(&mut t.reason, quantity);
                    t.reason.push_str(" x ");
                    push_exact(&mut t.reason, u);
                }
                None => {
                    push_micros_exact(&mut t.reason, row.amount);
                    t.reason.push_str(" for ");
                    push_normalized(&mut t.reason, quantity);
                    t.reason.push_str(" units");
                }
            }
            t.reason.push_str(" against the contracted ");
            push_exact(&mut t.reason, rate);
            t.reason.push_str(" a unit: ");
            push_exact(&mut t.reason, t.claimed_exact);
            t.reason.push_str(" over");
        } else if let Some(d) = disconnected {
            let _ = write!(
                t.reason,
                "{} billed for {} to {}, after the service was disconnected on {d}",
                dump.s(row.description),
                row.period_start,
                row.period_end
            );
        } else {
            t.reason.push_str(&cache.own);
        }
        if rule.request == Request::Waiver {
            t.reason.push_str("; we ask you to waive it");
        }
        t.source.clear();
        push_place(&mut t.source, dump, row.source);
        set(&mut t.basis, &cache.places);
        set(&mut t.basis_says, &cache.words);
        t.invoice_date = Some(row.invoice_date);
        t.claim_by = claim_by(dump, row.carrier, Some(row.invoice_date));
        t.credit_owed = None;
        t.original = None;
        t.disconnected = f
            .basis
            .iter()
            .filter_map(|s| self.recs.inventory.get(s))
            .filter(|i| i.service == row.service && i.carrier == row.carrier)
            .find_map(|i| i.disconnect_date);
        if let Some(o) = original.and_then(|o| dump.rows.get(o as usize)) {
            let mut text = String::new();
            text.push_str(dump.s(o.invoice));
            text.push_str(" (");
            push_place(&mut text, dump, o.source);
            text.push(')');
            t.reason.push_str("; a copy of the charge billed on invoice ");
            t.reason.push_str(&text);
            t.original = Some(text);
        }
    }

    /// A contract credit owed but not (fully) given: it names the credit rows
    /// found in the period (or says that none is on the invoices) and says
    /// "missing" or "short by".
    fn fill_credit(
        &self,
        c: &MissingCredit,
        l: &DisputeLine,
        (rule, f): (&RuleInfo, &Finding),
        t: &mut LineText,
        cache: &mut BasisCache,
    ) {
        let dump = self.dump;
        self.basis(f, (c.carrier, c.account, c.service, c.code, c.period), cache);
        let owed = f
            .basis
            .iter()
            .filter_map(|s| self.recs.contracts.get(s))
            .filter(|k| k.kind == ContractKind::Credit && k.charge_code == c.code && k.covers(c.period))
            .map(|k| k.amount.to_decimal())
            .next();
        let code_text = dump.s(c.code);
        let owed_text = match owed {
            Some(o) => format!("credit {code_text} of {} owed for the period", exact_amount(o)),
            None => format!("credit {code_text} owed for the period"),
        };
        let places: Vec<String> = c
            .rows
            .iter()
            .filter_map(|&id| dump.rows.get(id as usize))
            .map(|row| crate::locate(dump, row.source))
            .collect();
        let detail = if c.rows.is_empty() {
            let on = if c.invoices.is_empty() {
                "no credit row on the period's invoices".to_string()
            } else {
                format!("no credit row on invoice {}", c.invoices.replace(';', ", "))
            };
            format!("{owed_text}: missing, {on}")
        } else {
            let given: Decimal = c
                .rows
                .iter()
                .filter_map(|&id| dump.rows.get(id as usize))
                .map(|row| row.amount.to_decimal())
                .sum();
            format!(
                "{owed_text}: short by {}, credited {} on {}",
                exact_amount(l.claimed_exact),
                exact_amount(-given),
                places.join(", ")
            )
        };
        set(&mut t.invoice, &c.invoices);
        set(&mut t.service, dump.s(c.service));
        t.period_start = c.period;
        t.period_end = None;
        t.charge_type.clear();
        set(&mut t.charge_code, code_text);
        set(&mut t.description, "credit owed, not given");
        t.billed = None;
        t.quantity = None;
        t.billed_rate = None;
        t.contract_rate = None;
        t.reason.clear();
        let _ = write!(t.reason, "{}: {detail}", rule.title);
        if rule.request == Request::Waiver {
            t.reason.push_str("; we ask you to waive it");
        }
        set(&mut t.source, &places.join(";"));
        set(&mut t.basis, &cache.places);
        set(&mut t.basis_says, &cache.words);
        t.invoice_date = c.date;
        t.claim_by = claim_by(dump, c.carrier, c.date);
        t.credit_owed = owed;
        t.original = None;
        t.disconnected = None;
    }
}

/// Replaces `s` with `text`, keeping its buffer.
fn set(s: &mut String, text: &str) {
    s.clear();
    s.push_str(text);
}

/// The last day `carrier`'s dispute window allows for an invoice dated `date`.
pub(crate) fn claim_by(dump: &Dump, carrier: Sym, date: Option<Date>) -> Option<Date> {
    let days = dump.config.disputes.as_ref()?.window(dump.s(carrier))?;
    date?.plus_days(days)
}

/// A finding's text as one line's own words: without the finding's count of
/// periods (`, 3 periods`): the line has its own period.
fn own_text(description: &str) -> &str {
    if let Some((head, tail)) = description.rsplit_once(", ") {
        let count = tail
            .strip_suffix(" periods")
            .or_else(|| tail.strip_suffix(" period"));
        if count.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) {
            return head;
        }
    }
    description
}

/// A row's unit rate, exact: its unit_rate, else amount / quantity when that
/// division ends (a quotient Decimal had to cut is no rate to put in a claim).
fn unit_rate(row: &Row) -> Option<Decimal> {
    if let Some(u) = row.unit_rate {
        return Some(u.to_decimal());
    }
    if row.quantity == Micros::ONE {
        // One unit: its rate is its amount (most rows; no division).
        return Some(row.amount.to_decimal());
    }
    let (amount, qty) = (row.amount.to_decimal(), row.quantity.to_decimal());
    let price = amount.checked_div(qty)?;
    (price.normalize().scale() <= 18 && price.checked_mul(qty) == Some(amount)).then_some(price)
}

/// Appends one CSV record of `t` (carrier and account given) to `out`. Text
/// cells are guarded against spreadsheet formulas as in findings.csv.
fn push_record(out: &mut Vec<u8>, d: &AccountDispute, t: &LineText) {
    text_field(out, &d.carrier);
    out.push(b',');
    text_field(out, &d.account);
    out.push(b',');
    text_field(out, &t.invoice);
    out.push(b',');
    text_field(out, &t.service);
    out.push(b',');
    push_date(out, t.period_start);
    out.push(b',');
    if let Some(e) = t.period_end {
        push_date(out, e);
    }
    out.push(b',');
    text_field(out, &t.charge_type);
    out.push(b',');
    text_field(out, &t.charge_code);
    out.push(b',');
    text_field(out, &t.description);
    out.push(b',');
    for (i, v) in [t.billed, t.quantity, t.billed_rate, t.contract_rate]
        .into_iter()
        .enumerate()
    {
        match (i, v) {
            (1, Some(q)) => push_normalized(out, q),
            (_, Some(v)) => push_exact(out, v),
            (_, None) => {}
        }
        out.push(b',');
    }
    push_money(out, t.claimed);
    out.push(b',');
    push_exact(out, t.claimed_exact);
    out.push(b',');
    text_field(out, &t.rule);
    out.push(b',');
    text_field(out, &t.reason);
    out.push(b',');
    text_field(out, &t.source);
    out.push(b',');
    text_field(out, &t.basis);
    out.push(b',');
    text_field(out, &t.basis_says);
    out.push(b',');
    if let Some(c) = t.claim_by {
        push_date(out, c);
    }
    out.push(b',');
    text_field(out, &t.finding_key);
    out.push(b'\n');
}

/// The CSV records of `lines` of `d`.
fn records(cx: &LineContext<'_>, d: &AccountDispute, lines: &[DisputeLine]) -> Vec<u8> {
    let mut out = Vec::with_capacity(lines.len() * 320);
    let (mut t, mut cache) = (LineText::default(), BasisCache::default());
    for l in lines {
        cx.fill(l, &mut t, &mut cache);
        push_record(&mut out, d, &t);
    }
    out
}

/// Writes the dispute CSV of one account to `w`: a header and one row per
/// line, made in parallel chunks and written in order.
pub fn write_dispute_csv<W: Write>(w: &mut W, cx: &LineContext<'_>, d: &AccountDispute) -> io::Result<()> {
    w.write_all(DISPUTE_COLUMNS.join(",").as_bytes())?;
    w.write_all(b"\n")?;
    for group in d.lines.chunks(CHUNK * CHUNKS_AT_ONCE) {
        let parts: Vec<Vec<u8>> = group.par_chunks(CHUNK).map(|c| records(cx, d, c)).collect();
        for p in parts {
            w.write_all(&p)?;
        }
    }
    Ok(())
}

/// The dispute CSV of one account, as text (see [`write_dispute_csv`]).
pub fn dispute_csv(cx: &LineContext<'_>, d: &AccountDispute) -> String {
    let mut buf = Vec::new();
    let _ = write_dispute_csv(&mut buf, cx, d);
    String::from_utf8(buf).unwrap_or_default()
}

/// Whether a claim key's line would be a row line of an existing row, a credit
/// line, or nothing (a stray row id): the lines phase keeps only the first two.
pub(crate) fn has_line(dump: &Dump, key: &ClaimKey) -> bool {
    match key {
        ClaimKey::Row(id) => dump.rows.get(*id as usize).is_some(),
        ClaimKey::MissingCredit { .. } => true,
    }
}
