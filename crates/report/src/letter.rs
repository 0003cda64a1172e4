//! Dispute letters: `disputes/<carrier>/<account>.md` and a print-ready
//! `disputes/<carrier>/<account>.html` beside it.
//!
//! A letter summarises; the CSV beside it holds every line. The letter names
//! the account, the invoices and the total claimed; one line per reason (rule)
//! with the count of charges, the periods and the amount; the ten largest items
//! as the carrier's bill prints them (invoice number, invoice date, charge code
//! and description); the disconnect dates of DIS001 and, for TAX001, a request
//! to apply the exemption certificate; a pointer to the CSV; and the account's
//! claims filed earlier and still waiting for the carrier (claims.csv), with
//! their age. An account with such claims and no new line gets a follow-up
//! letter that lists them alone. Its date is the audit's as-of date
//! ([`crate::as_of`]), never the clock.
//!
//! Size: every text from input is clipped ([`CLIP`]), the invoices listed are
//! at most [`INVOICES_SHOWN`], the reasons at most [`RULES_SHOWN`], the items
//! [`ITEMS_SHOWN`], the open claims [`OPEN_SHOWN`]: a letter stays under 64 KiB
//! whatever the client's size.

use crate::dispute_text::{exact_amount, LineContext, LineText};
use crate::disputes::{line_invoices, line_period, AccountDispute, DisputeLine, LineSource};
use crate::html::{esc, href};
use crate::human::{money, money_in};
use crate::markdown::md;
use crate::Report;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use telaudit_model::Request;
use telaudit_model::{Contact, Date, Decimal, Dump};

/// How many invoice numbers the letter's header lists (all are in the CSV).
pub const INVOICES_SHOWN: usize = 12;
/// How many reasons (rules) the letter lists before "and N more".
pub const RULES_SHOWN: usize = 30;
/// How many of the largest items the letter lists.
pub const ITEMS_SHOWN: usize = 10;
/// The most characters of one input text (description, invoice ...) a letter shows.
pub const CLIP: usize = 80;
/// How many open claims a letter lists (oldest first; all are in recovery/claims.csv).
pub const OPEN_SHOWN: usize = 30;

/// What a letter reads of a dispute line: the audit's compact lines (with the
/// context that gives them their text) and a line's text alike.
pub(crate) trait LetterLine {
    /// The rule whose claim the line carries.
    fn rule(&self) -> &str;
    /// The period's start and, for a billed row, its end.
    fn period(&self) -> (Date, Option<Date>);
    /// Whole cents.
    fn claimed(&self) -> Decimal;
    /// The exact claim.
    fn claimed_exact(&self) -> Decimal;
    /// A credit owed and not given (no billed row).
    fn is_credit(&self) -> bool;
    /// What the line asks for.
    fn request(&self) -> Request;
    /// The service's text (empty for an account-level line).
    fn service(&self) -> &str;
    /// The service's disconnect date, when the inventory gives one (DIS001).
    fn disconnected(&self) -> Option<Date>;
    /// Calls `f` with each of the line's invoices, in its order.
    fn each_invoice<'s>(&'s self, f: &mut dyn FnMut(&'s str));
    /// The whole text (the letter's largest items).
    fn text(&self) -> LineText;
}

impl LetterLine for LineText {
    fn rule(&self) -> &str {
        &self.rule
    }
    fn period(&self) -> (Date, Option<Date>) {
        (self.period_start, self.period_end)
    }
    fn claimed(&self) -> Decimal {
        self.claimed
    }
    fn claimed_exact(&self) -> Decimal {
        self.claimed_exact
    }
    fn is_credit(&self) -> bool {
        self.billed.is_none()
    }
    fn request(&self) -> Request {
        self.request
    }
    fn service(&self) -> &str {
        &self.service
    }
    fn disconnected(&self) -> Option<Date> {
        self.disconnected
    }
    fn each_invoice<'s>(&'s self, f: &mut dyn FnMut(&'s str)) {
        self.invoice.split(';').filter(|s| !s.is_empty()).for_each(f);
    }
    fn text(&self) -> LineText {
        self.clone()
    }
}

/// A compact line with the context that gives it its text.
pub(crate) struct Bound<'a> {
    pub cx: &'a LineContext<'a>,
    pub line: &'a DisputeLine,
}

impl LetterLine for Bound<'_> {
    fn rule(&self) -> &str {
        self.cx.rule(self.line)
    }
    fn period(&self) -> (Date, Option<Date>) {
        line_period(self.cx.dump(), self.line)
    }
    fn claimed(&self) -> Decimal {
        self.line.claimed
    }
    fn claimed_exact(&self) -> Decimal {
        self.line.claimed_exact
    }
    fn is_credit(&self) -> bool {
        matches!(self.line.source, LineSource::Credit(_))
    }
    fn request(&self) -> Request {
        self.cx.request(self.line)
    }
    fn service(&self) -> &str {
        let dump = self.cx.dump();
        match &self.line.source {
            LineSource::Row { id, .. } => dump.rows.get(*id as usize).map_or("", |r| dump.s(r.service)),
            LineSource::Credit(c) => dump.s(c.service),
        }
    }
    fn disconnected(&self) -> Option<Date> {
        self.cx.disconnected(self.line)
    }
    fn each_invoice<'s>(&'s self, f: &mut dyn FnMut(&'s str)) {
        line_invoices(self.cx.dump(), self.line).for_each(f);
    }
    fn text(&self) -> LineText {
        self.cx.text(self.line)
    }
}

/// What a letter says beside the dispute itself: who writes, when, and how to
/// reach them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LetterContext {
    /// The client's display name.
    pub client: String,
    /// The letter's date: the audit's as-of date; `None` without invoices.
    pub date: Option<Date>,
    /// client.toml's `currency`, shown before the totals.
    pub currency: Option<String>,
    /// client.toml's `contract_ref`.
    pub contract_ref: Option<String>,
    /// client.toml's `[contact]`.
    pub contact: Option<Contact>,
    /// client.toml's `tax_exemption_certificate`, quoted in a TAX001 request.
    pub tax_exemption_certificate: Option<String>,
    /// Rule id -> title, for the reasons.
    pub titles: BTreeMap<String, String>,
}

impl LetterContext {
    /// The context of an audit's letters.
    pub fn new(dump: &Dump, report: &Report) -> Self {
        Self::dated(dump, report, crate::as_of(dump))
    }

    /// The context with its date already worked out (the output writer takes
    /// it from the view rather than scanning the rows again).
    pub(crate) fn dated(dump: &Dump, report: &Report, date: Option<Date>) -> Self {
        LetterContext {
            client: report.name.clone(),
            date,
            currency: dump.config.currency.clone(),
            contract_ref: dump.config.contract_ref.clone(),
            contact: dump.config.contact.clone(),
            tax_exemption_certificate: dump.config.tax_exemption_certificate.clone(),
            titles: report
                .by_rule
                .iter()
                .map(|r| (r.rule.clone(), r.title.clone()))
                .collect(),
        }
    }
}

/// At most [`CLIP`] characters of `s`, with `...` when cut.
fn clip(s: &str) -> String {
    if s.chars().count() <= CLIP {
        return s.to_string();
    }
    let mut out: String = s.chars().take(CLIP - 3).collect();
    out.push_str("...");
    out
}

/// One reason (rule) of a letter.
struct Reason {
    rule: String,
    title: String,
    count: usize,
    periods: BTreeSet<Date>,
    last_end: Option<Date>,
    claimed: Decimal,
}

/// One of the largest items, as the bill prints it; every text already clipped.
struct Item {
    invoice: String,
    invoice_date: String,
    service: String,
    period: String,
    charge: String,
    billed: String,
    claimed: Decimal,
    claim_by: String,
    reason: String,
}

/// One claim filed earlier and still open, as a letter lists it; texts clipped.
struct OpenItem {
    claim_id: String,
    filed_on: Date,
    days: i64,
    amount: Decimal,
    recovered: Decimal,
    outstanding: Decimal,
    status: &'static str,
}

/// A letter's content, rendered as Markdown or HTML.
struct Letter {
    header: Vec<(&'static str, String)>,
    opening: String,
    reasons: Vec<Reason>,
    more_reasons: usize,
    notes: Vec<String>,
    items: Vec<Item>,
    /// The claims filed earlier and still open, oldest first.
    open: Vec<OpenItem>,
    more_open: usize,
    /// A follow-up letter: open claims and no new line.
    follow_up: bool,
    closing: Vec<String>,
    signature: Vec<String>,
    total: String,
    count: usize,
}

/// The open claims a letter lists, and how many more there are.
fn open_items(d: &AccountDispute) -> (Vec<OpenItem>, usize) {
    let items = d
        .open_claims
        .iter()
        .take(OPEN_SHOWN)
        .map(|c| OpenItem {
            claim_id: clip(&c.claim_id),
            filed_on: c.filed_on,
            days: c.days_open,
            amount: c.amount,
            recovered: c.recovered,
            outstanding: c.outstanding,
            status: match c.status {
                telaudit_recovery::ClaimStatus::Partial => "partly credited",
                telaudit_recovery::ClaimStatus::Overdue => "overdue",
                _ => "open",
            },
        })
        .collect();
    (items, d.open_claims.len().saturating_sub(OPEN_SHOWN))
}

/// The signature: the contact's name, the client, the e-mail and phone.
fn signature(ctx: &LetterContext) -> Vec<String> {
    let mut signature = Vec::new();
    let contact = ctx.contact.clone().unwrap_or_default();
    if let Some(n) = &contact.name {
        signature.push(clip(n));
    }
    signature.push(clip(&ctx.client));
    for v in [&contact.email, &contact.phone].into_iter().flatten() {
        signature.push(clip(v));
    }
    signature
}

/// A follow-up letter: the account has claims still open and nothing new to
/// dispute; it lists the claims and asks for an answer.
fn follow_up(d: &AccountDispute, ctx: &LetterContext) -> Letter {
    let outstanding: Decimal = d.open_claims.iter().map(|c| c.outstanding).sum();
    let total = money_in(outstanding, ctx.currency.as_deref());
    let account = clip(&d.account);
    let mut header = vec![
        ("To", format!("{} billing department", clip(&d.carrier))),
        ("From", clip(&ctx.client)),
    ];
    if let Some(date) = ctx.date {
        header.push(("Date", date.to_string()));
    }
    if let Some(c) = &ctx.contract_ref {
        header.push(("Contract reference", clip(c)));
    }
    header.push(("Account number", account.clone()));
    header.push(("Claims still open", d.open_claims.len().to_string()));
    header.push(("Outstanding", total.clone()));
    let n = d.open_claims.len();
    let overdue = d
        .open_claims
        .iter()
        .filter(|c| c.status == telaudit_recovery::ClaimStatus::Overdue)
        .count();
    let mut opening = format!(
        "We filed the {} below on account {account} and have not received the credit{}. {} is still \
         outstanding on {}.",
        if n == 1 { "claim" } else { "claims" },
        if n == 1 { "" } else { "s" },
        total,
        if n == 1 { "it" } else { "them" }
    );
    if overdue > 0 {
        opening.push_str(&format!(
            " {overdue} of them {} had no answer from you for longer than we expect a reply.",
            if overdue == 1 { "has" } else { "have" }
        ));
    }
    let (open, more_open) = open_items(d);
    Letter {
        header,
        opening,
        reasons: Vec::new(),
        more_reasons: 0,
        notes: Vec::new(),
        items: Vec::new(),
        open,
        more_open,
        follow_up: true,
        closing: vec![format!(
            "Please credit {total} to account {account} and confirm the credits in writing, quoting each \
             claim's reference. If you do not accept a claim, please tell us which one and why, so we can \
             resolve it."
        )],
        signature: signature(ctx),
        total,
        count: 0,
    }
}

fn reasons<L: LetterLine>(lines: &[L], ctx: &LetterContext) -> Vec<Reason> {
    let mut by: BTreeMap<&str, Reason> = BTreeMap::new();
    for l in lines {
        let rule = l.rule();
        let r = by.entry(rule).or_insert_with(|| Reason {
            rule: clip(rule),
            title: clip(ctx.titles.get(rule).map(String::as_str).unwrap_or("")),
            count: 0,
            periods: BTreeSet::new(),
            last_end: None,
            claimed: Decimal::ZERO,
        });
        r.count += 1;
        let (start, end) = l.period();
        r.periods.insert(start);
        r.last_end = r.last_end.max(Some(end.unwrap_or(start)));
        r.claimed += l.claimed();
    }
    let mut v: Vec<Reason> = by.into_values().collect();
    v.sort_by(|a, b| b.claimed.cmp(&a.claimed).then_with(|| a.rule.cmp(&b.rule)));
    v
}

fn item(l: &LineText, ctx: &LetterContext) -> Item {
    let charge = match (l.charge_code.is_empty(), l.description.is_empty()) {
        (true, _) => clip(&l.description),
        (false, true) => clip(&l.charge_code),
        (false, false) => format!("{} {}", clip(&l.charge_code), clip(&l.description)),
    };
    let title = ctx.titles.get(&l.rule).map(String::as_str).unwrap_or("");
    let mut reason = format!("{} ({})", clip(title), clip(&l.rule));
    if let Some(d) = l.disconnected {
        let _ = write!(reason, "; disconnected {d} per our inventory");
    }
    if let Some(o) = &l.original {
        let _ = write!(reason, "; a copy of the charge on invoice {}", clip(o));
    }
    let invoices: Vec<&str> = l.invoice.split(';').filter(|s| !s.is_empty()).collect();
    let invoice = match invoices.as_slice() {
        [] => String::new(),
        [one] => clip(one),
        [first, rest @ ..] => format!("{} and {} more", clip(first), rest.len()),
    };
    Item {
        invoice,
        invoice_date: l.invoice_date.map(|d| d.to_string()).unwrap_or_default(),
        service: if l.service.is_empty() {
            "account".to_string()
        } else {
            clip(&l.service)
        },
        period: match l.period_end {
            Some(e) => format!("{} to {e}", l.period_start),
            None => l.period_start.to_string(),
        },
        charge,
        billed: match (l.billed, l.credit_owed) {
            (Some(b), _) => exact_amount(b),
            (None, Some(o)) => format!("credit owed {}", exact_amount(o)),
            (None, None) => "credit owed".to_string(),
        },
        claimed: l.claimed,
        claim_by: l.claim_by.map(|d| d.to_string()).unwrap_or_default(),
        reason,
    }
}

/// The notes below the reasons: the disconnect dates (DIS001) and the
/// exemption certificate (TAX001).
fn notes<L: LetterLine>(lines: &[L], account: &str, certificate: Option<&str>) -> Vec<String> {
    let mut notes = Vec::new();
    let mut disconnected: BTreeMap<&str, Date> = BTreeMap::new();
    for l in lines.iter().filter(|l| l.rule() == "DIS001") {
        if let Some(dd) = l.disconnected() {
            disconnected.entry(l.service()).or_insert(dd);
        }
    }
    if !disconnected.is_empty() {
        let shown: Vec<String> = disconnected
            .iter()
            .take(ITEMS_SHOWN)
            .map(|(s, dd)| format!("{} on {dd}", clip(s)))
            .collect();
        let more = disconnected.len().saturating_sub(ITEMS_SHOWN);
        let tail = if more > 0 {
            format!(", and {more} more (each one's date is in the CSV)")
        } else {
            String::new()
        };
        notes.push(format!(
            "Services billed after disconnection (DIS001): our inventory records {} {} disconnected: {}{tail}. \
             Nothing should be billed for a service after its disconnect date.",
            disconnected.len(),
            if disconnected.len() == 1 { "service" } else { "services" },
            shown.join("; ")
        ));
    }
    if lines.iter().any(|l| l.rule() == "TAX001") {
        let certificate = match certificate {
            Some(c) => format!("tax exemption certificate {}", clip(c)),
            None => "tax exemption certificate".to_string(),
        };
        notes.push(format!(
            "Taxes on a tax-exempt account (TAX001): we are exempt from these taxes. Please apply our \
             {certificate} to account {account}, credit the taxes billed and stop billing them."
        ));
    }
    notes
}

/// The letter's opening: what it asks for, line kind by kind, with counts that
/// add up to the items of the CSV (and to the reasons table's Items column).
/// Charges billed in error and credits owed are disputed; fees billed as agreed
/// (rules with `request = "waiver"`, FEE001's late fees) are asked to be waived
/// as a courtesy, never called an error.
fn opening<L: LetterLine>(d: &AccountDispute, lines: &[L], total: &str) -> String {
    let credits = lines.iter().filter(|l| l.is_credit()).count();
    let waivers = lines
        .iter()
        .filter(|l| !l.is_credit() && l.request() == Request::Waiver)
        .count();
    let charges = lines.len() - credits - waivers;
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut parts = Vec::new();
    if charges > 0 {
        parts.push(plural(
            charges,
            "charge billed in error",
            "charges billed in error",
        ));
    }
    if credits > 0 {
        parts.push(plural(
            credits,
            "credit owed to us under our contract and not given",
            "credits owed to us under our contract and not given",
        ));
    }
    let mut text = String::from(
        "We have audited the invoices listed above against our contract terms and our service inventory.",
    );
    if !parts.is_empty() {
        text.push_str(&format!(" We dispute {}.", parts.join(" and ")));
    }
    if waivers > 0 {
        let ask = if parts.is_empty() { "We ask" } else { "We also ask" };
        text.push_str(&format!(
            " {ask} you to waive {} as a courtesy to a customer in good standing.",
            plural(waivers, "late fee", "late fees")
        ));
    }
    let n = lines.len();
    let listed = if n > ITEMS_SHOWN {
        format!(
            " The {} items are listed in {}.csv beside this letter; the {ITEMS_SHOWN} largest are below.",
            n, d.stem
        )
    } else {
        format!(
            " {} listed below and in {}.csv beside this letter.",
            plural(n, "item is", "items are"),
            d.stem
        )
    };
    text.push_str(&listed);
    text.push_str(&format!(
        " We ask for a credit of {total} to account {}.",
        clip(&d.account)
    ));
    text
}

/// The distinct invoices of the lines, in text order.
fn invoices<L: LetterLine>(lines: &[L]) -> Vec<&str> {
    let mut set: BTreeSet<&str> = BTreeSet::new();
    let mut last: &str = "";
    for l in lines {
        l.each_invoice(&mut |i| {
            // The lines of one invoice mostly follow each other.
            if i != last {
                set.insert(i);
                last = i;
            }
        });
    }
    set.into_iter().collect()
}

/// The items a letter lists: the [`ITEMS_SHOWN`] largest claims, largest
/// first (equal claims in the CSV's order).
fn largest<L: LetterLine>(lines: &[L]) -> Vec<LineText> {
    let mut order: Vec<(std::cmp::Reverse<Decimal>, usize)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (std::cmp::Reverse(l.claimed_exact()), i))
        .collect();
    if order.len() > ITEMS_SHOWN {
        order.select_nth_unstable(ITEMS_SHOWN);
        order.truncate(ITEMS_SHOWN);
    }
    order.sort_unstable();
    order.into_iter().map(|(_, i)| lines[i].text()).collect()
}

fn letter<L: LetterLine>(d: &AccountDispute, lines: &[L], ctx: &LetterContext) -> Letter {
    if lines.is_empty() {
        return follow_up(d, ctx);
    }
    let total = money_in(d.total, ctx.currency.as_deref());
    let account = clip(&d.account);
    let invoices = invoices(lines);
    let mut inv: Vec<String> = invoices.iter().take(INVOICES_SHOWN).map(|s| clip(s)).collect();
    if invoices.len() > INVOICES_SHOWN {
        inv.push(format!(
            "and {} more ({} invoices, all in the CSV)",
            invoices.len() - INVOICES_SHOWN,
            invoices.len()
        ));
    }
    let mut header = vec![
        ("To", format!("{} billing department", clip(&d.carrier))),
        ("From", clip(&ctx.client)),
    ];
    if let Some(date) = ctx.date {
        header.push(("Date", date.to_string()));
    }
    if let Some(c) = &ctx.contract_ref {
        header.push(("Contract reference", clip(c)));
    }
    header.push(("Account number", account.clone()));
    header.push(("Invoices", inv.join(", ")));
    header.push(("Total claimed", total.clone()));
    let mut reasons = reasons(lines, ctx);
    let more_reasons = reasons.len().saturating_sub(RULES_SHOWN);
    reasons.truncate(RULES_SHOWN);
    let items = largest(lines).iter().map(|l| item(l, ctx)).collect();
    let csv = format!("{}.csv", d.stem);
    let closing = vec![
        format!(
            "The file beside this letter, {csv}, lists all {} items, one per line, with the invoice, the \
             charge as billed, the amount claimed and the contract or inventory record each claim rests on. \
             Its claimed column adds up to {total}.",
            lines.len()
        ),
        format!(
            "Please credit {total} to account {account} and confirm the credit in writing. If you do not \
             accept an item, please tell us which one and why, so we can resolve it."
        ),
    ];
    let (open, more_open) = open_items(d);
    Letter {
        header,
        opening: opening(d, lines, &total),
        reasons,
        more_reasons,
        notes: notes(lines, &account, ctx.tax_exemption_certificate.as_deref()),
        items,
        open,
        more_open,
        follow_up: false,
        closing,
        signature: signature(ctx),
        total,
        count: lines.len(),
    }
}

fn periods_text(r: &Reason) -> String {
    let first = r.periods.iter().next();
    match (first, r.last_end) {
        (Some(f), Some(e)) => format!(
            "{f} to {e} ({} {})",
            r.periods.len(),
            plural_period(r.periods.len())
        ),
        _ => String::new(),
    }
}

fn plural_period(n: usize) -> &'static str {
    if n == 1 {
        "period"
    } else {
        "periods"
    }
}

/// An account's lines bound to their context.
fn bound<'a>(cx: &'a LineContext<'a>, d: &'a AccountDispute) -> Vec<Bound<'a>> {
    d.lines.iter().map(|line| Bound { cx, line }).collect()
}

/// The two letters of one account, Markdown and HTML, from one summary (the
/// output writer writes both).
pub fn dispute_letters(cx: &LineContext<'_>, d: &AccountDispute, ctx: &LetterContext) -> (String, String) {
    let l = letter(d, &bound(cx, d), ctx);
    let (mut m, mut h) = (String::with_capacity(8 << 10), String::with_capacity(12 << 10));
    let _ = write_md(&mut m, &l, d);
    let _ = write_html(&mut h, &l, d);
    (m, h)
}

/// The dispute letter of one account, in Markdown.
pub fn dispute_letter(cx: &LineContext<'_>, d: &AccountDispute, ctx: &LetterContext) -> String {
    let l = letter(d, &bound(cx, d), ctx);
    let mut o = String::new();
    let _ = write_md(&mut o, &l, d);
    o
}

/// The title of a letter: a dispute, or a follow-up on claims filed earlier.
fn title(l: &Letter) -> &'static str {
    if l.follow_up {
        "Claims awaiting your credit"
    } else {
        "Billing dispute"
    }
}

/// The open claims, in Markdown.
fn write_open_md(o: &mut String, l: &Letter) -> std::fmt::Result {
    if l.open.is_empty() {
        return Ok(());
    }
    if l.follow_up {
        writeln!(o, "## The claims\n")?;
    } else {
        writeln!(o, "## Claims we filed earlier and that are still open\n")?;
        writeln!(
            o,
            "They are not part of the total claimed above; please settle them too.\n"
        )?;
    }
    writeln!(
        o,
        "| Claim | Filed on | Days open | Claimed | Credited | Outstanding | Status |\n\
         |---|---|---:|---:|---:|---:|---|"
    )?;
    for c in &l.open {
        writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md(&c.claim_id),
            c.filed_on,
            c.days,
            money(c.amount),
            money(c.recovered),
            money(c.outstanding),
            c.status
        )?;
    }
    if l.more_open > 0 {
        writeln!(o, "| and {} more claims | | | | | | |", l.more_open)?;
    }
    writeln!(o)
}

fn write_md(o: &mut String, l: &Letter, d: &AccountDispute) -> std::fmt::Result {
    writeln!(o, "# {}: account {}\n", title(l), md(&clip(&d.account)))?;
    for (k, v) in &l.header {
        writeln!(o, "{k}: {}  ", md(v))?;
    }
    writeln!(o, "\nDear billing team,\n\n{}\n", md(&l.opening))?;
    if l.follow_up {
        write_open_md(o, l)?;
        return write_closing_md(o, l);
    }
    writeln!(o, "## What we claim, by reason\n")?;
    writeln!(
        o,
        "| Reason | Rule | Items | Periods | Claimed |\n|---|---|---:|---|---:|"
    )?;
    for r in &l.reasons {
        writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            md(&r.title),
            md(&r.rule),
            r.count,
            periods_text(r),
            money(r.claimed)
        )?;
    }
    if l.more_reasons > 0 {
        writeln!(o, "| and {} more reasons (in the CSV) | | | | |", l.more_reasons)?;
    }
    writeln!(o, "| **Total** | | **{}** | | **{}** |\n", l.count, md(&l.total))?;
    for n in &l.notes {
        writeln!(o, "{}\n", md(n))?;
    }
    let n = l.items.len();
    if n == l.count {
        writeln!(o, "## The items\n")?;
    } else {
        writeln!(o, "## The {n} largest items\n")?;
    }
    writeln!(
        o,
        "| # | Invoice | Invoice date | Service | Period | Charge as billed | Billed | Claimed | Claim by | Reason |\n\
         |---:|---|---|---|---|---|---:|---:|---|---|"
    )?;
    for (i, it) in l.items.iter().enumerate() {
        writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            i + 1,
            md(&it.invoice),
            it.invoice_date,
            md(&it.service),
            it.period,
            md(&it.charge),
            it.billed,
            money(it.claimed),
            it.claim_by,
            md(&it.reason)
        )?;
    }
    writeln!(o)?;
    write_open_md(o, l)?;
    write_closing_md(o, l)
}

/// The closing paragraphs and the signature, in Markdown.
fn write_closing_md(o: &mut String, l: &Letter) -> std::fmt::Result {
    for p in &l.closing {
        writeln!(o, "{}\n", md(p))?;
    }
    writeln!(o, "Sincerely,\n")?;
    for s in &l.signature {
        writeln!(o, "{}  ", md(s))?;
    }
    Ok(())
}

const LETTER_CSS: &str = "body{font:11pt/1.4 Georgia,serif;max-width:48em;margin:2em auto;color:#111}\
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.4em}\
table{border-collapse:collapse;width:100%;font-size:.85em}th,td{border-bottom:1px solid #ccc;padding:.25em .4em;text-align:left;vertical-align:top}\
td.m,th.m{text-align:right;white-space:nowrap}.hd td{border:0;padding:.1em .4em}.hd td:first-child{font-weight:bold;width:11em}\
tfoot td{font-weight:bold}\
@page{size:A4;margin:16mm}@media print{body{margin:0;max-width:none}tr{break-inside:avoid}thead{display:table-header-group}}";

/// The dispute letter of one account, as a print-ready HTML page (A4 margins,
/// rows never split across pages).
pub fn dispute_letter_html(cx: &LineContext<'_>, d: &AccountDispute, ctx: &LetterContext) -> String {
    let l = letter(d, &bound(cx, d), ctx);
    let mut o = String::new();
    let _ = write_html(&mut o, &l, d);
    o
}

/// The open claims, in HTML.
fn write_open_html(o: &mut String, l: &Letter) -> std::fmt::Result {
    if l.open.is_empty() {
        return Ok(());
    }
    if l.follow_up {
        writeln!(o, "<h2>The claims</h2>")?;
    } else {
        writeln!(
            o,
            "<h2>Claims we filed earlier and that are still open</h2>\n<p>They are not part of the total \
             claimed above; please settle them too.</p>"
        )?;
    }
    writeln!(o, "<table><thead><tr><th>Claim</th><th>Filed on</th><th class=\"m\">Days open</th><th class=\"m\">Claimed</th><th class=\"m\">Credited</th><th class=\"m\">Outstanding</th><th>Status</th></tr></thead><tbody>")?;
    for c in &l.open {
        writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td class=\"m\">{}</td><td class=\"m\">{}</td><td class=\"m\">{}</td><td class=\"m\">{}</td><td>{}</td></tr>",
            esc(&c.claim_id),
            c.filed_on,
            c.days,
            money(c.amount),
            money(c.recovered),
            money(c.outstanding),
            c.status
        )?;
    }
    if l.more_open > 0 {
        writeln!(
            o,
            "<tr><td colspan=\"7\">and {} more claims</td></tr>",
            l.more_open
        )?;
    }
    writeln!(o, "</tbody></table>")
}

fn write_html(o: &mut String, l: &Letter, d: &AccountDispute) -> std::fmt::Result {
    let account = esc(&clip(&d.account));
    let title = title(l);
    writeln!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}: account {account}</title>\
         <style>{LETTER_CSS}</style></head><body>\n<h1>{title}: account {account}</h1>"
    )?;
    writeln!(o, "<table class=\"hd\">")?;
    for (k, v) in &l.header {
        writeln!(o, "<tr><td>{k}</td><td>{}</td></tr>", esc(v))?;
    }
    writeln!(
        o,
        "</table>\n<p>Dear billing team,</p>\n<p>{}</p>",
        esc(&l.opening)
    )?;
    if l.follow_up {
        write_open_html(o, l)?;
        return write_closing_html(o, l, d);
    }
    writeln!(o, "<h2>What we claim, by reason</h2>")?;
    writeln!(o, "<table><thead><tr><th>Reason</th><th>Rule</th><th class=\"m\">Items</th><th>Periods</th><th class=\"m\">Claimed</th></tr></thead><tbody>")?;
    for r in &l.reasons {
        writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td class=\"m\">{}</td><td>{}</td><td class=\"m\">{}</td></tr>",
            esc(&r.title),
            esc(&r.rule),
            r.count,
            periods_text(r),
            money(r.claimed)
        )?;
    }
    if l.more_reasons > 0 {
        writeln!(
            o,
            "<tr><td colspan=\"5\">and {} more reasons (in the CSV)</td></tr>",
            l.more_reasons
        )?;
    }
    writeln!(
        o,
        "</tbody><tfoot><tr><td>Total</td><td></td><td class=\"m\">{}</td><td></td><td class=\"m\">{}</td></tr></tfoot></table>",
        l.count,
        esc(&l.total)
    )?;
    for n in &l.notes {
        writeln!(o, "<p>{}</p>", esc(n))?;
    }
    let n = l.items.len();
    if n == l.count {
        writeln!(o, "<h2>The items</h2>")?;
    } else {
        writeln!(o, "<h2>The {n} largest items</h2>")?;
    }
    writeln!(o, "<table><thead><tr><th class=\"m\">#</th><th>Invoice</th><th>Invoice date</th><th>Service</th><th>Period</th><th>Charge as billed</th><th class=\"m\">Billed</th><th class=\"m\">Claimed</th><th>Claim by</th><th>Reason</th></tr></thead><tbody>")?;
    for (i, it) in l.items.iter().enumerate() {
        writeln!(
            o,
            "<tr><td class=\"m\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"m\">{}</td><td class=\"m\">{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            esc(&it.invoice),
            it.invoice_date,
            esc(&it.service),
            it.period,
            esc(&it.charge),
            esc(&it.billed),
            money(it.claimed),
            it.claim_by,
            esc(&it.reason)
        )?;
    }
    writeln!(o, "</tbody></table>")?;
    write_open_html(o, l)?;
    write_closing_html(o, l, d)
}

/// The closing paragraphs (the CSV's name linked) and the signature, in HTML.
fn write_closing_html(o: &mut String, l: &Letter, d: &AccountDispute) -> std::fmt::Result {
    let csv = format!("{}.csv", d.stem);
    for p in &l.closing {
        // The CSV's name becomes a link to it.
        let p = esc(p).replacen(
            &esc(&csv),
            &format!("<a href=\"{}\">{}</a>", esc(&href(&csv)), esc(&csv)),
            1,
        );
        writeln!(o, "<p>{p}</p>")?;
    }
    writeln!(o, "<p>Sincerely,</p>\n<p>")?;
    let sig: Vec<String> = l.signature.iter().map(|s| esc(s)).collect();
    writeln!(o, "{}\n</p>\n</body></html>", sig.join("<br>\n"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn line(rule: &str, service: &str, claimed: &str, text: &str) -> LineText {
        let c = Decimal::from_str(claimed).unwrap();
        LineText {
            invoice: format!("INV{text}"),
            service: service.to_string(),
            period_start: date("2025-03-01"),
            period_end: Some(date("2025-03-31")),
            charge_type: "tax".to_string(),
            charge_code: format!("C{text}"),
            description: format!("D{text}"),
            billed: Some(c),
            claimed: c,
            claimed_exact: c,
            rule: rule.to_string(),
            reason: String::new(),
            source: "invoices/x.csv:2".to_string(),
            basis: String::new(),
            basis_says: String::new(),
            invoice_date: Some(date("2025-03-05")),
            disconnected: (rule == "DIS001").then(|| date("2025-02-14")),
            claim_by: Some(date("2025-09-01")),
            credit_owed: None,
            original: None,
            quantity: None,
            billed_rate: None,
            contract_rate: None,
            request: if rule == "FEE001" {
                Request::Waiver
            } else {
                Request::Dispute
            },
            finding_key: format!("{rule}|Verizon|0042|{service}"),
        }
    }

    /// An account of `lines` (their texts: the letter reads them as it reads
    /// the audit's compact lines).
    fn dispute(lines: &[LineText]) -> AccountDispute {
        AccountDispute {
            carrier: "Verizon".to_string(),
            account: "0042".to_string(),
            dir: "Verizon".to_string(),
            stem: "0042".to_string(),
            total: lines.iter().map(|l| l.claimed).sum(),
            lines: Vec::new(),
            claims: Vec::new(),
            open_claims: Vec::new(),
        }
    }

    fn md_of(d: &AccountDispute, lines: &[LineText], c: &LetterContext) -> String {
        let mut o = String::new();
        write_md(&mut o, &letter(d, lines, c), d).unwrap();
        o
    }

    fn html_of(d: &AccountDispute, lines: &[LineText], c: &LetterContext) -> String {
        let mut o = String::new();
        write_html(&mut o, &letter(d, lines, c), d).unwrap();
        o
    }

    fn ctx() -> LetterContext {
        LetterContext {
            client: "Acme Health".to_string(),
            date: Some(date("2025-12-05")),
            currency: Some("USD".to_string()),
            contract_ref: Some("MSA-2023-114".to_string()),
            contact: Some(Contact {
                name: Some("Dana Lee".to_string()),
                email: Some("ap@acme.example".to_string()),
                phone: None,
            }),
            tax_exemption_certificate: Some("TX-EX-2291".to_string()),
            titles: [
                ("TAX001", "Tax on exempt account"),
                ("DIS001", "Billed after disconnect"),
            ]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        }
    }

    #[test]
    fn letter_carries_context_notes_and_grouped_money() {
        let lines = [
            line("TAX001", "S1", "1200.50", "1"),
            line("DIS001", "S2", "2500.00", "2"),
            line("TAX001", "S3", "0.25", "3"),
        ];
        let d = dispute(&lines);
        let m = md_of(&d, &lines, &ctx());
        assert!(m.contains("Date: 2025-12-05  \n"), "{m}");
        assert!(m.contains("Contract reference: MSA-2023-114  \n"));
        assert!(m.contains("Total claimed: USD 3,700.75  \n"));
        // Reasons, largest first, each adding its lines: 1200.50 + 0.25.
        assert!(m.contains(
            "| Billed after disconnect | DIS001 | 1 | 2025-03-01 to 2025-03-31 (1 period) | 2,500.00 |"
        ));
        assert!(m.contains(
            "| Tax on exempt account | TAX001 | 2 | 2025-03-01 to 2025-03-31 (1 period) | 1,200.75 |"
        ));
        assert!(m.contains("| **Total** | | **3** | | **USD 3,700.75** |"));
        assert!(m.contains("our inventory records 1 service disconnected: S2 on 2025-02-14."));
        assert!(m.contains("Please apply our tax exemption certificate TX-EX-2291 to account 0042"));
        // The counts agree: 3 lines, all charges, all listed below (3 <= 10 items).
        assert!(
            m.contains("We dispute 3 charges billed in error. 3 items are listed below and in 0042.csv beside this letter."),
            "{m}"
        );
        assert!(m.contains("| Reason | Rule | Items | Periods | Claimed |"), "{m}");
        // Items largest first, with the disconnect date.
        assert!(m.contains(
            "| 1 | INV2 | 2025-03-05 | S2 | 2025-03-01 to 2025-03-31 | C2 D2 | 2500.00 | 2,500.00 | 2025-09-01 | Billed after disconnect (DIS001); disconnected 2025-02-14 per our inventory |"
        ), "{m}");
        assert!(
            m.ends_with("Dana Lee  \nAcme Health  \nap@acme.example  \n"),
            "{m}"
        );
        let h = html_of(&d, &lines, &ctx());
        assert!(h.contains("<td>Total claimed</td><td>USD 3,700.75</td>"));
        assert!(h.contains("@media print"));
    }

    #[test]
    fn letter_stays_small_with_hostile_text_and_many_lines() {
        // 200 rules, 5,000 invoices, every text 10 KB of characters HTML escapes 5x.
        let long = "&".repeat(10_000);
        let lines: Vec<LineText> = (0..5_000)
            .map(|i| {
                let mut l = line(
                    &format!("R{:03}{long}", i % 200),
                    &long,
                    "1.00",
                    &format!("{i}{long}"),
                );
                l.reason = long.clone();
                l
            })
            .collect();
        let mut d = dispute(&lines);
        d.carrier = long.clone();
        d.account = long.clone();
        let mut c = ctx();
        c.client = long.clone();
        c.contract_ref = Some(long.clone());
        let m = md_of(&d, &lines, &c);
        let h = html_of(&d, &lines, &c);
        assert!(m.len() < 64 * 1024, "{}", m.len());
        assert!(h.len() < 64 * 1024, "{}", h.len());
        assert!(m.contains("and 170 more reasons (in the CSV)"));
        assert!(m.contains("and 4988 more (5000 invoices, all in the CSV)"));
        assert!(m.contains("lists all 5000 items"));
        // The opening counts every item and says only the largest are below.
        assert!(
            m.contains("We dispute 5000 charges billed in error. The 5000 items are listed in"),
            "{}",
            &m[..2000]
        );
        assert!(m.contains("the 10 largest are below."));
    }
}
