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
//! A line is kept compact ([`DisputeLine`]: its row or missing credit, its
//! finding, its cents); its text is made when the file is written
//! ([`crate::dispute_text`]). Each account also lists its claims, one per
//! finding ([`AccountClaim`]): report.xlsx's Disputes sheet.
//!
//! Cents: each line's exact claim is in `claimed_exact`; `claimed` is in whole
//! cents, allocated by largest remainder so the lines add up to the account's
//! total rounded once (half away from zero), which is the total the letter asks
//! for. (Rounding every line on its own could ask for a cent more or less.)
//!
//! Path components are sanitized by [`sanitize_component`].

use crate::claims::{resolve, Resolved};
use crate::dispute_text::has_line;
use crate::recovery::{ClaimLine, NewClaim};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, BTreeSet};
use telaudit_model::{
    ChargeType, ClaimKey, Date, Decimal, Dump, Finding, Row, RowId, RuleInfo, RuleResult, Sym,
};
use telaudit_recovery::Recovery;

/// Where a dispute line's money is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineSource {
    /// A billed row; `original`, for a copy (formats.md section 6), the first
    /// row of its account billing the same charge.
    Row {
        /// The claimed row.
        id: RowId,
        /// The original a copy repeats.
        original: Option<RowId>,
    },
    /// A contract credit owed and not (fully) given: it has no row.
    Credit(Box<MissingCredit>),
}

/// A credit owed and not given, with what the bills say about its period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingCredit {
    /// The carrier that owes it.
    pub carrier: Sym,
    /// The account it is owed on.
    pub account: Sym,
    /// The service that earns it; empty for an account-level credit.
    pub service: Sym,
    /// The period (its start).
    pub period: Date,
    /// The contract's charge code.
    pub code: Sym,
    /// The invoices billing that service (or account) in that period, `;`-joined
    /// in text order.
    pub invoices: String,
    /// The credit rows with the contract's code in that period, in row order.
    pub rows: Vec<RowId>,
    /// The latest invoice_date of the account's rows of that period.
    pub date: Option<Date>,
}

/// One disputed charge (or one credit owed and not given), compact: its text
/// is made when it is written ([`crate::LineContext::text`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisputeLine {
    /// The billed row or the missing credit.
    pub source: LineSource,
    /// The place of the finding it belongs to in the results (rules in order,
    /// then their findings): the rule whose claim it carries (the largest;
    /// ties: the smaller id).
    pub finding: u32,
    /// Whole cents, allocated so an account's lines add up to its rounded total.
    pub claimed: Decimal,
    /// The exact claim.
    pub claimed_exact: Decimal,
}

/// One claim: one finding's lines on one account (report.xlsx's Disputes sheet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountClaim {
    /// The finding's rule.
    pub rule: String,
    /// The finding's key (findings.csv's `finding_key`).
    pub finding_key: String,
    /// The first invoice of its first line with one (lines in the CSV's order).
    pub first_invoice: String,
    /// The last invoice of its last line with one.
    pub last_invoice: String,
    /// How many lines of the dispute CSV it has.
    pub lines: usize,
    /// The sum of those lines' `claimed` (whole cents).
    pub claimed: Decimal,
    /// The exact sum of their claims (new-claims.csv's amount, before rounding).
    pub claimed_exact: Decimal,
    /// The soonest `claim_by` of its lines.
    pub claim_by: Option<Date>,
    /// The place of its finding in the results (rules in order, then their findings).
    pub finding: u32,
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
    /// One per finding with lines, sorted by finding key.
    pub claims: Vec<AccountClaim>,
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
    disputes_of(dump, results, rec, &resolve(results))
}

/// As [`disputes_and_new_claims`], with the claims already resolved.
pub(crate) fn disputes_of(
    dump: &Dump,
    results: &[RuleResult],
    rec: Option<&Recovery>,
    all: &[Resolved<'_>],
) -> (Vec<AccountDispute>, Vec<NewClaim>) {
    let resolved: Vec<&Resolved<'_>> = all
        .iter()
        .filter(|r| r.recoverable > Decimal::ZERO)
        .filter(|r| rec.is_none_or(|x| x.coverage.claim(&r.key).is_none()))
        .filter(|r| has_line(dump, &r.key))
        .collect();
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
    let findings: Vec<(&RuleInfo, &Finding)> = results
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (&r.rule, f)))
        .collect();
    let disputes = assemble(dump, &findings, by_account, pending);
    let new_claims = new_claims(dump, &findings, &disputes);
    (disputes, new_claims)
}

/// The rows of disputes/new-claims.csv: per finding and account, the exact sum
/// of its lines, sorted by carrier, account, finding key: the accounts' claims,
/// in their order. A sum that rounds to 0.00 (lines of fractions of a cent) is
/// left out: claims.csv takes only an amount above 0, so the row could not be
/// filed.
fn new_claims(dump: &Dump, findings: &[(&RuleInfo, &Finding)], disputes: &[AccountDispute]) -> Vec<NewClaim> {
    let mut out = Vec::new();
    for d in disputes {
        for c in &d.claims {
            let Some(&(_, f)) = findings.get(c.finding as usize) else {
                continue;
            };
            if telaudit_model::round_cents(c.claimed_exact) <= Decimal::ZERO {
                continue;
            }
            out.push(NewClaim {
                carrier: d.carrier.clone(),
                account: d.account.clone(),
                service: dump.s(f.service).to_string(),
                finding_key: c.finding_key.clone(),
                amount: c.claimed_exact,
                note: f.description.clone(),
            });
        }
    }
    out
}

/// One dispute line per resolved claim, grouped by (carrier, account) text, in
/// the claims' order.
fn lines_by_account<'d>(
    dump: &'d Dump,
    resolved: &[&Resolved<'_>],
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
    let (mut context, originals) = rayon::join(|| credit_context(dump, &keys), || originals(dump, &rows));
    // One account's lines in a row: its symbol pair is looked up once per run.
    let mut by_sym: FxHashMap<(Sym, Sym), Vec<DisputeLine>> = FxHashMap::default();
    let mut last: Option<((Sym, Sym), Vec<DisputeLine>)> = None;
    for r in resolved {
        let source = match r.key {
            ClaimKey::Row(id) => LineSource::Row {
                id,
                original: originals.get(&id).copied(),
            },
            ClaimKey::MissingCredit {
                carrier,
                account,
                service,
                period,
                code,
            } => LineSource::Credit(Box::new(MissingCredit {
                carrier,
                account,
                service,
                period,
                code,
                invoices: context
                    .invoices
                    .get(&(carrier, account, service, period))
                    .cloned()
                    .unwrap_or_default(),
                rows: context
                    .rows
                    .remove(&(carrier, account, service, period, code))
                    .unwrap_or_default(),
                date: context.dates.get(&(carrier, account, period)).copied(),
            })),
        };
        let line = DisputeLine {
            source,
            finding: r.order as u32,
            claimed: Decimal::ZERO,
            claimed_exact: r.recoverable,
        };
        let account = r.account(dump);
        match &mut last {
            Some((k, v)) if *k == account => v.push(line),
            _ => {
                if let Some((k, v)) = last.take() {
                    by_sym.entry(k).or_default().extend(v);
                }
                last = Some((account, vec![line]));
            }
        }
    }
    if let Some((k, v)) = last {
        by_sym.entry(k).or_default().extend(v);
    }
    by_sym
        .into_iter()
        .map(|((c, a), v)| ((dump.s(c), dump.s(a)), v))
        .collect()
}

/// A text of a line's sort key: an interned text (a billed row's), or a text
/// made for the line (a missing credit's invoices).
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
enum TextKey<'a> {
    Sym(Sym),
    Text(&'a str),
}

impl<'a> TextKey<'a> {
    fn text(self, dump: &'a Dump) -> &'a str {
        match self {
            TextKey::Sym(s) => dump.s(s),
            TextKey::Text(t) => t,
        }
    }
}

/// A line's period, invoice, service and charge code: the first keys of the
/// dispute CSV's order.
fn sort_key<'a>(dump: &'a Dump, l: &'a DisputeLine) -> (Date, TextKey<'a>, TextKey<'a>, TextKey<'a>) {
    match &l.source {
        LineSource::Row { id, .. } => match dump.rows.get(*id as usize) {
            Some(r) => (
                r.period_start,
                TextKey::Sym(r.invoice),
                TextKey::Sym(r.service),
                TextKey::Sym(r.charge_code),
            ),
            None => (
                Date::MIN,
                TextKey::Sym(Sym::EMPTY),
                TextKey::Sym(Sym::EMPTY),
                TextKey::Sym(Sym::EMPTY),
            ),
        },
        LineSource::Credit(c) => (
            c.period,
            TextKey::Text(&c.invoices),
            TextKey::Sym(c.service),
            TextKey::Sym(c.code),
        ),
    }
}

/// A line's source text (`file:line`, or the credit rows' `;`-joined): the
/// order's last text key, made only for lines equal on the others.
fn source_text(dump: &Dump, l: &DisputeLine) -> String {
    let rows: &[RowId] = match &l.source {
        LineSource::Row { id, .. } => std::slice::from_ref(id),
        LineSource::Credit(c) => &c.rows,
    };
    rows.iter()
        .filter_map(|&id| dump.rows.get(id as usize))
        .map(|r| crate::locate(dump, r.source))
        .collect::<Vec<_>>()
        .join(";")
}

/// The dispute CSV's order: period, invoice, service, charge code, source,
/// rule; equal lines keep their order. The texts are ranked once (each
/// distinct invoice, service and code of the account), so the sort compares
/// integers; the source text is made only for lines equal on the rest.
fn sort_lines(dump: &Dump, findings: &[(&RuleInfo, &Finding)], lines: Vec<DisputeLine>) -> Vec<DisputeLine> {
    type Key<'k> = (Date, TextKey<'k>, TextKey<'k>, TextKey<'k>);
    // A large account's keys (a row looked up per line) and the three rankings
    // are made in parallel: its lines are most of the work.
    let keys: Vec<Key<'_>> = if lines.len() > 1 << 14 {
        lines.par_iter().map(|l| sort_key(dump, l)).collect()
    } else {
        lines.iter().map(|l| sort_key(dump, l)).collect()
    };
    let (inv, (svc, code)) = rayon::join(
        || ranks(dump, keys.iter().map(|k| k.1)),
        || {
            rayon::join(
                || ranks(dump, keys.iter().map(|k| k.2)),
                || ranks(dump, keys.iter().map(|k| k.3)),
            )
        },
    );
    let rule = |l: &DisputeLine| {
        findings
            .get(l.finding as usize)
            .map_or("", |(r, _)| r.id.as_str())
    };
    let mut order = packed_order(&keys, &inv, &svc, &code);
    // Lines equal on those keys (rare) are ordered by source text, rule, place.
    let mut start = 0;
    while start < order.len() {
        let end = start
            + order[start..]
                .iter()
                .take_while(|o| o.0 == order[start].0)
                .count();
        if end - start > 1 {
            order[start..end]
                .sort_by_cached_key(|&(_, i)| (source_text(dump, &lines[i]), rule(&lines[i]), i));
        }
        start = end;
    }
    let mut slots: Vec<Option<DisputeLine>> = lines.into_iter().map(Some).collect();
    order.into_iter().filter_map(|o| slots[o.1].take()).collect()
}

/// The lines' places in the order of their first four keys (period, then the
/// ranks of invoice, service and code), each with its keys packed in one
/// integer: equal keys, equal integers. The keys and the place are packed in
/// one `u128` and sorted as plain integers when they fit (they do unless an
/// account has billions of lines), else sorted as (keys, place) pairs.
fn packed_order(
    keys: &[(Date, TextKey<'_>, TextKey<'_>, TextKey<'_>)],
    inv: &[u32],
    svc: &[u32],
    code: &[u32],
) -> Vec<(u128, usize)> {
    let mut dates: Vec<u32> = keys.iter().map(|k| k.0.packed()).collect();
    dates.sort_unstable();
    dates.dedup();
    let date = |k: &(Date, TextKey<'_>, TextKey<'_>, TextKey<'_>)| -> u32 {
        dates.binary_search(&k.0.packed()).unwrap_or(0) as u32
    };
    let bits = |v: u64| u64::BITS - v.leading_zeros();
    let widest = |v: &[u32]| bits(u64::from(v.iter().copied().max().unwrap_or(0)));
    let w = [bits(dates.len() as u64), widest(inv), widest(svc), widest(code)];
    let place = bits(keys.len() as u64);
    let large = keys.len() > 1 << 14;
    if w.iter().sum::<u32>() + place <= 128 {
        let pack = |i: usize| {
            let parts = [date(&keys[i]), inv[i], svc[i], code[i]];
            let key = parts
                .iter()
                .zip(w)
                .fold(0u128, |acc, (&p, w)| acc << w | u128::from(p));
            key << place | i as u128
        };
        let mut packed: Vec<u128> = (0..keys.len()).map(pack).collect();
        // A large account's lines (most of the work) sorted in parallel.
        if large {
            packed.par_sort_unstable();
        } else {
            packed.sort_unstable();
        }
        let mask = (1u128 << place) - 1;
        return packed
            .into_iter()
            .map(|v| (v >> place, (v & mask) as usize))
            .collect();
    }
    let mut order: Vec<(u128, usize)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let packed = u128::from(k.0.packed()) << 96
                | u128::from(inv[i]) << 64
                | u128::from(svc[i]) << 32
                | u128::from(code[i]);
            (packed, i)
        })
        .collect();
    if large {
        order.par_sort_unstable();
    } else {
        order.sort_unstable();
    }
    order
}

/// Each text's rank among the distinct texts, in text order, aligned with them:
/// one hash lookup per key (of a symbol, not its text; none when it repeats the
/// one before), and a sort of the distinct texts only.
fn ranks<'a>(dump: &'a Dump, keys: impl Iterator<Item = TextKey<'a>>) -> Vec<u32> {
    let mut ids: FxHashMap<TextKey<'a>, u32> = FxHashMap::default();
    let mut last: Option<(TextKey<'a>, u32)> = None;
    let per_key: Vec<u32> = keys
        .map(|k| match last {
            Some((l, id)) if l == k => id,
            _ => {
                let n = ids.len() as u32;
                let id = *ids.entry(k).or_insert(n);
                last = Some((k, id));
                id
            }
        })
        .collect();
    let mut distinct: Vec<(&str, u32)> = ids.into_iter().map(|(k, id)| (k.text(dump), id)).collect();
    distinct.sort_unstable();
    // Equal texts (a symbol's and a made text) share a rank.
    let mut rank = vec![0u32; distinct.len()];
    let mut r = 0u32;
    for (i, &(t, id)) in distinct.iter().enumerate() {
        if i > 0 && distinct[i - 1].0 != t {
            r += 1;
        }
        rank[id as usize] = r;
    }
    per_key.into_iter().map(|id| rank[id as usize]).collect()
}

/// A line's invoices, in its order (a missing credit's may be several, or none).
pub(crate) fn line_invoices<'a>(dump: &'a Dump, l: &'a DisputeLine) -> impl Iterator<Item = &'a str> {
    let (one, many) = match &l.source {
        LineSource::Row { id, .. } => (dump.rows.get(*id as usize).map(|r| dump.s(r.invoice)), ""),
        LineSource::Credit(c) => (None, c.invoices.as_str()),
    };
    one.into_iter().chain(many.split(';')).filter(|s| !s.is_empty())
}

/// A line's period: its start and (for a billed row) its end.
pub(crate) fn line_period(dump: &Dump, l: &DisputeLine) -> (Date, Option<Date>) {
    match &l.source {
        LineSource::Row { id, .. } => dump
            .rows
            .get(*id as usize)
            .map_or((Date::MIN, None), |r| (r.period_start, Some(r.period_end))),
        LineSource::Credit(c) => (c.period, None),
    }
}

/// The claims of an account's lines (sorted, cents allocated): one per
/// finding, sorted by finding key.
fn account_claims(
    dump: &Dump,
    findings: &[(&RuleInfo, &Finding)],
    lines: &[DisputeLine],
) -> Vec<AccountClaim> {
    let mut at: FxHashMap<u32, usize> = FxHashMap::default();
    let mut claims: Vec<AccountClaim> = Vec::new();
    // Each claim's first and last invoice, made strings at the end.
    let mut ends: Vec<(&str, &str)> = Vec::new();
    // The carriers' windows, looked up once per carrier.
    let mut windows: FxHashMap<Sym, Option<u32>> = FxHashMap::default();
    // The lines come in runs of one invoice date: its last day worked out once a run.
    let mut last_day = telaudit_model::PlusDays::default();
    for l in lines {
        let Some(&(rule, f)) = findings.get(l.finding as usize) else {
            continue;
        };
        let i = *at.entry(l.finding).or_insert_with(|| {
            claims.push(AccountClaim {
                rule: rule.id.clone(),
                finding_key: f.key.clone(),
                first_invoice: String::new(),
                last_invoice: String::new(),
                lines: 0,
                claimed: Decimal::ZERO,
                claimed_exact: Decimal::ZERO,
                claim_by: None,
                finding: l.finding,
            });
            ends.push(("", ""));
            claims.len() - 1
        });
        let c = &mut claims[i];
        c.lines += 1;
        c.claimed += l.claimed;
        c.claimed_exact += l.claimed_exact;
        let mut invoices = line_invoices(dump, l);
        if let Some(first) = invoices.next() {
            let e = &mut ends[i];
            if e.0.is_empty() {
                e.0 = first;
            }
            e.1 = invoices.last().unwrap_or(first);
        }
        let (carrier, date) = match &l.source {
            LineSource::Row { id, .. } => match dump.rows.get(*id as usize) {
                Some(r) => (r.carrier, Some(r.invoice_date)),
                None => continue,
            },
            LineSource::Credit(m) => (m.carrier, m.date),
        };
        let days = *windows.entry(carrier).or_insert_with(|| {
            dump.config
                .disputes
                .as_ref()
                .and_then(|d| d.window(dump.s(carrier)))
        });
        if let Some(by) = days.and_then(|d| last_day.get(date?, d)) {
            c.claim_by = Some(c.claim_by.map_or(by, |x| x.min(by)));
        }
    }
    for (c, (first, last)) in claims.iter_mut().zip(ends) {
        c.first_invoice = first.to_string();
        c.last_invoice = last.to_string();
    }
    // Two findings of one key would be one claim: joined, as in new-claims.csv.
    claims.sort_by(|a, b| a.finding_key.cmp(&b.finding_key));
    let mut out: Vec<AccountClaim> = Vec::with_capacity(claims.len());
    for c in claims {
        match out.last_mut() {
            Some(last) if last.finding_key == c.finding_key => {
                last.lines += c.lines;
                last.claimed += c.claimed;
                last.claimed_exact += c.claimed_exact;
                last.last_invoice = c.last_invoice;
                last.claim_by = match (last.claim_by, c.claim_by) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            _ => out.push(c),
        }
    }
    out
}

/// The account disputes from their lines and pending claims: file names made
/// unique (no carrier folder named like [`NEW_CLAIMS_CSV`]), lines sorted,
/// cents allocated, claims listed.
fn assemble<'a>(
    dump: &Dump,
    findings: &[(&RuleInfo, &Finding)],
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
        .map(|((carrier, account), lines, open_claims)| {
            let mut lines = sort_lines(dump, findings, lines);
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
                claims: account_claims(dump, findings, &lines),
                lines,
                open_claims,
            }
        })
        .collect()
}

/// `d` in whole cents, when it is a whole number of cents (at any scale).
fn whole_cents_of(d: Decimal) -> Option<i128> {
    let (m, scale) = (d.mantissa(), d.scale());
    if scale <= 2 {
        return m.checked_mul(10i128.pow(2 - scale));
    }
    let p = 10i64.checked_pow(scale - 2)?;
    let small = i64::try_from(m).ok()?;
    (small % p == 0).then(|| i128::from(small / p))
}

/// Whole cents per line, by largest remainder: every line gets its exact claim
/// rounded down to the cent, then the cents still missing to reach the total
/// rounded half away from zero go one each to the lines with the largest
/// remainders (ties: the earlier line). A claim in whole cents already (most
/// of them) is its own floor and leaves no remainder.
fn allocate_cents(lines: &mut [DisputeLine], total: Decimal) {
    let hundred = Decimal::ONE_HUNDRED;
    let target =
        (total * hundred).round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let mut floors = Decimal::ZERO;
    let mut whole_cents: i128 = 0;
    let mut rems: Vec<(Decimal, usize)> = Vec::new();
    for (i, l) in lines.iter_mut().enumerate() {
        if let Some(cents) = whole_cents_of(l.claimed_exact) {
            l.claimed = Decimal::from_i128_with_scale(cents, 2);
            whole_cents += cents;
            continue;
        }
        let scaled = l.claimed_exact * hundred;
        let fl = scaled.floor();
        floors += fl;
        if scaled > fl {
            rems.push((scaled - fl, i));
        }
        l.claimed = fl / hundred;
    }
    floors += Decimal::try_from_i128_with_scale(whole_cents, 0).unwrap_or(Decimal::MAX);
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
    let want: FxHashSet<CopySig> = sigs.values().copied().collect();
    // A flag per service (and per account) of a claimed row: most rows are
    // skipped without computing their signature.
    let mut wanted = vec![false; dump.strings.len()];
    let mut wanted_service = vec![false; dump.strings.len()];
    for s in sigs.values() {
        if let Some(w) = wanted.get_mut(s.0 .0 as usize) {
            *w = true;
        }
        if let Some(w) = wanted_service.get_mut(s.1 .0 as usize) {
            *w = true;
        }
    }
    let flag = |v: &[bool], s: Sym| v.get(s.0 as usize).copied().unwrap_or(false);
    // The first row of each signature, in parallel chunks joined in row order.
    let first: FxHashMap<CopySig, RowId> = dump
        .rows
        .par_chunks(SCAN_CHUNK)
        .enumerate()
        .map(|(chunk, rows)| {
            let mut first: FxHashMap<CopySig, RowId> = FxHashMap::default();
            for (i, row) in rows.iter().enumerate() {
                if !flag(&wanted, row.account) || !flag(&wanted_service, row.service) {
                    continue;
                }
                if let Some(s) = copy_sig(row).filter(|s| want.contains(s)) {
                    first.entry(s).or_insert((chunk * SCAN_CHUNK + i) as RowId);
                }
            }
            first
        })
        .reduce(FxHashMap::default, |mut a, b| {
            for (s, i) in b {
                let e = a.entry(s).or_insert(i);
                *e = (*e).min(i);
            }
            a
        });
    sigs.into_iter()
        .filter_map(|(id, s)| first.get(&s).filter(|&&o| o < id).map(|&o| (id, o)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use telaudit_model::{ChargeType, FileId, Micros, Row, SourceRef};

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
