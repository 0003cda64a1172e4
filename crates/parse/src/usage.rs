//! The usage step of reading a client (docs/formats.md, "Usage from call detail"):
//! after the bills, inventory and catalogue are read, the call detail's usage rows
//! are settled against the charge rows.
//!
//! 0. **Billed periods only** ([`set_aside_unbilled`], right after the bills are
//!    read). Call detail counts only for a period its account is billed in (a
//!    charge row of the account with that period_start): its rows of any other
//!    period are set aside with one warning per export, so call detail never makes
//!    a period, moves the as-of date or shows that a period was billed.
//! 1. **Never counted twice.** For a line, period and kind of usage (data, voice,
//!    messages, whatever the unit's spelling), the usage comes from the charge rows
//!    when any `usage` row of them carries that kind, else from the call detail:
//!    the call detail's row is then dropped, never added.
//! 2. **Absent is zero.** A call-detail export of an account and period measures
//!    every line billed in that account and period in its own kinds: a line it
//!    does not list gets a usage row of 0 (one per line, period and kind, from the
//!    first such export in path order), unless the export is of roaming use only.
//! 3. **Not measured is not unused.** A line a record could not be read for
//!    ([`telaudit_model::UsageGap`]) gets no call-detail usage in that period and
//!    kind, and is listed in [`Dump::unmeasured`] so UNU001 does not judge it there.
//!    So is a line measured by call detail alone (no charge row of it carries usage
//!    in the period) where its account's call detail of the period does not
//!    measure every kind (data, voice and messages), in the kinds it lacks: an
//!    export measures a line in its own kinds only, and a data device absent from
//!    a voice-only export has not been shown to be idle.
//! 4. **Units.** Each row is converted from the kind's base unit (KB, seconds,
//!    messages) to the unit the line counts that kind in: its catalogue plan's
//!    usage_unit (its plan row of its latest period, a `plan` or a `pool` entry of
//!    plans.csv), else the unit of its own charge rows' usage of that kind, else
//!    `GB`, `min`, `msg`; rounded half away from zero to the millionth.
//! 5. **One invoice.** A call-detail row takes the invoice (and invoice date) of
//!    its line's charge rows of the same period when they name exactly one, else of
//!    its account's in that period when they name exactly one, else keeps its own.
//!
//! 6. **A second delivery counts once.** A call-detail export whose rows are an
//!    earlier export's (the same lines, periods, kinds and sums, in any order: the
//!    same export saved again with other line ends, or re-sorted) is skipped with a
//!    warning, as a copy; identical bytes were already skipped when read.
//!
//! Rows stay in file order: a file's zero rows follow its own rows.

use crate::ParsedFile;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;
use telaudit_model::{
    convert_usage, ChargeType, Date, Dump, FileId, Micros, PlanKind, Position, Row, RowIdx, SourceRef, Sym,
    Unmeasured, UsageKind, UsageMeasure, Warning,
};

/// A line's use of one kind in one period: carrier, account, line, period start, kind.
type UseKey = (Sym, Sym, Sym, Date, UsageKind);

/// The usage step for one file read alone (`telaudit convert`): its call-detail
/// rows in the default units (GB, min, msg), as nothing else is known.
pub(crate) fn settle_file(p: &mut ParsedFile) {
    if p.usage.is_none() {
        return;
    }
    for r in &mut p.rows {
        let unit = p.strings.get(r.usage_unit).to_string();
        let Some(kind) = UsageKind::of_unit(&unit) else {
            continue;
        };
        let to = kind.default_unit();
        if let Some(q) = r.usage_quantity.and_then(|q| convert_usage(q, &unit, to)) {
            r.usage_quantity = Some(q);
            r.usage_unit = p.strings.intern(to);
        }
    }
}

/// Call detail counts only for a billed period of its account (see the module
/// docs, 0): its rows of an account and period for which no charge row of the
/// account has that period_start are set aside, one warning per export naming the
/// accounts and periods, and the export no longer measures them. With
/// `keep_without_bills`, files that hold no charge row at all (`telaudit convert` of
/// call detail alone: nothing to check against) keep their rows. Runs right after
/// the bills are read, before anything counts rows, periods or dates.
pub(crate) fn set_aside_unbilled(dump: &mut Dump, keep_without_bills: bool) {
    if dump.usage_files.is_empty() {
        return;
    }
    let from_usage = dump.call_detail_files();
    let is_usage = |r: &Row| from_usage.get(r.source.file.0 as usize).copied().unwrap_or(false);
    let billed: FxHashSet<(Sym, Sym, Date)> = dump
        .rows
        .iter()
        .filter(|r| !is_usage(r))
        .map(|r| (r.carrier, r.account, r.period_start))
        .collect();
    if billed.is_empty() && keep_without_bills {
        return;
    }
    // Per export: the rows set aside and the (account, period start, period end) they name.
    type Named = Vec<(Sym, Date, Date)>;
    let mut aside: BTreeMap<FileId, (u64, Named)> = BTreeMap::new();
    let mut keep = vec![true; dump.rows.len()];
    for (i, r) in dump.rows.iter().enumerate() {
        if !is_usage(r) || billed.contains(&(r.carrier, r.account, r.period_start)) {
            continue;
        }
        keep[i] = false;
        let e = aside.entry(r.source.file).or_default();
        e.0 += 1;
        let named = (r.account, r.period_start, r.period_end);
        if !e.1.contains(&named) {
            e.1.push(named);
        }
    }
    for u in &mut dump.usage_files {
        u.measures
            .retain(|m| billed.contains(&(m.carrier, m.account, m.period_start)));
    }
    if aside.is_empty() {
        return;
    }
    let rows = std::mem::take(&mut dump.rows);
    place_rows(dump, rows, &keep, BTreeMap::new());
    for (file, (n, mut named)) in aside {
        named.sort_unstable_by(|a, b| (dump.s(a.0), a.1, a.2).cmp(&(dump.s(b.0), b.1, b.2)));
        let mut places: Vec<String> = named
            .iter()
            .take(3)
            .map(|(a, ps, pe)| format!("account {}, the period {ps} to {pe}", dump.s(*a)))
            .collect();
        if named.len() > 3 {
            places.push(format!("and {} more", named.len() - 3));
        }
        let message = format!(
            "{n} usage row(s) of this call detail not counted: no bill of their account is read for \
             that period ({}); call detail counts only for a period its account is billed in (it makes \
             no period, moves no as-of date and bills nothing)",
            places.join("; ")
        );
        dump.warnings.push(Warning {
            file: dump.file(file).path.clone(),
            position: Position::File,
            message,
        });
    }
}

/// An invoice and its date, or several.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Invoice {
    One(Sym, Date),
    Several,
}

fn note(slot: &mut Option<Invoice>, inv: Sym, date: Date) {
    match slot {
        None => *slot = Some(Invoice::One(inv, date)),
        Some(Invoice::One(i, d)) if *i == inv && *d == date => {}
        Some(x) => *x = Invoice::Several,
    }
}

/// What the charge rows (every row not from call detail) say.
#[derive(Default)]
struct Facts {
    /// The kinds of usage the charge rows carry, per line and period.
    carried: FxHashSet<UseKey>,
    /// How a line's charge rows spell each kind's unit (the first seen).
    spelled: FxHashMap<(Sym, Sym, Sym, UsageKind), Sym>,
    /// How a line's catalogue plan counts each kind: (plan row's period, unit).
    plan_unit: FxHashMap<(Sym, Sym, Sym, UsageKind), (Date, Sym)>,
    /// The lines billed in an account and period, in order of first row.
    billed: FxHashMap<(Sym, Sym, Date), Vec<Sym>>,
    /// The invoice of a line's charge rows in a period.
    line_invoice: FxHashMap<(Sym, Sym, Sym, Date), Option<Invoice>>,
    /// The invoice of an account's charge rows in a period.
    account_invoice: FxHashMap<(Sym, Sym, Date), Option<Invoice>>,
    /// Every line of each account (any row), in order of first row.
    lines: FxHashMap<(Sym, Sym), Vec<Sym>>,
}

impl Facts {
    fn gather(dump: &Dump, from_usage: &[bool]) -> Facts {
        let mut f = Facts::default();
        // plans.csv: the unit each plan code counts in, per carrier.
        let mut plans: FxHashMap<(Sym, Sym), Sym> = FxHashMap::default();
        // A line's plan row is a `plan` or a `pool` entry: either steers its unit.
        for e in dump
            .plans
            .iter()
            .filter(|e| matches!(e.kind, PlanKind::Plan | PlanKind::Pool))
        {
            if UsageKind::of_unit(dump.s(e.usage_unit)).is_some() {
                plans.entry((e.carrier, e.code)).or_insert(e.usage_unit);
            }
        }
        let mut seen_lines: FxHashSet<(Sym, Sym, Sym)> = FxHashSet::default();
        let mut seen_billed: FxHashSet<(Sym, Sym, Date, Sym)> = FxHashSet::default();
        for r in &dump.rows {
            if !r.service.is_empty() && seen_lines.insert((r.carrier, r.account, r.service)) {
                f.lines.entry((r.carrier, r.account)).or_default().push(r.service);
            }
            if from_usage[r.source.file.0 as usize] {
                continue;
            }
            note(
                f.account_invoice
                    .entry((r.carrier, r.account, r.period_start))
                    .or_default(),
                r.invoice,
                r.invoice_date,
            );
            if r.service.is_empty() {
                continue;
            }
            let line = (r.carrier, r.account, r.service);
            if seen_billed.insert((r.carrier, r.account, r.period_start, r.service)) {
                f.billed
                    .entry((r.carrier, r.account, r.period_start))
                    .or_default()
                    .push(r.service);
            }
            note(
                f.line_invoice
                    .entry((line.0, line.1, line.2, r.period_start))
                    .or_default(),
                r.invoice,
                r.invoice_date,
            );
            if r.charge_type == ChargeType::Usage {
                if let Some(k) = UsageKind::of_unit(dump.s(r.usage_unit)) {
                    f.carried.insert((line.0, line.1, line.2, r.period_start, k));
                    f.spelled
                        .entry((line.0, line.1, line.2, k))
                        .or_insert(r.usage_unit);
                }
            }
            if r.charge_type == ChargeType::Recurring {
                if let Some(&unit) = plans.get(&(r.carrier, r.charge_code)) {
                    if let Some(k) = UsageKind::of_unit(dump.s(unit)) {
                        let e = f
                            .plan_unit
                            .entry((line.0, line.1, line.2, k))
                            .or_insert((r.period_start, unit));
                        if r.period_start > e.0 {
                            *e = (r.period_start, unit);
                        }
                    }
                }
            }
        }
        f
    }

    /// The invoice a call-detail row of this line and period takes (see the module docs).
    fn invoice(&self, carrier: Sym, account: Sym, service: Sym, period: Date) -> Option<(Sym, Date)> {
        let one = |x: Option<&Option<Invoice>>| match x {
            Some(Some(Invoice::One(i, d))) => Some((*i, *d)),
            _ => None,
        };
        one(self.line_invoice.get(&(carrier, account, service, period)))
            .or_else(|| one(self.account_invoice.get(&(carrier, account, period))))
    }
}

/// The lines not measured, from every call-detail file's gaps (see
/// [`telaudit_model::UsageGap`]: empty parts stand for "any").
fn not_measured(dump: &Dump, facts: &Facts) -> FxHashSet<UseKey> {
    let mut out = FxHashSet::default();
    let account_periods = |carrier: Sym, account: Sym| -> Vec<Date> {
        let mut p: Vec<Date> = dump
            .rows
            .iter()
            .filter(|r| r.carrier == carrier && r.account == account)
            .map(|r| r.period_start)
            .collect();
        p.sort_unstable();
        p.dedup();
        p
    };
    for u in &dump.usage_files {
        for g in &u.gaps {
            let accounts: Vec<(Sym, Sym)> = if g.account.is_empty() {
                let mut a: Vec<(Sym, Sym)> = u.measures.iter().map(|m| (m.carrier, m.account)).collect();
                a.sort_unstable();
                a.dedup();
                a
            } else {
                vec![(g.carrier, g.account)]
            };
            let kinds: Vec<UsageKind> = g.kind.map_or_else(|| u.kinds.clone(), |k| vec![k]);
            for (carrier, account) in accounts {
                let periods: Vec<Date> = match g.period_start {
                    Some(p) => vec![p],
                    None => {
                        let mut p: Vec<Date> = u.measures.iter().map(|m| m.period_start).collect();
                        p.sort_unstable();
                        p.dedup();
                        if p.is_empty() {
                            account_periods(carrier, account)
                        } else {
                            p
                        }
                    }
                };
                let lines: Vec<Sym> = if g.service.is_empty() {
                    facts.lines.get(&(carrier, account)).cloned().unwrap_or_default()
                } else {
                    vec![g.service]
                };
                for &s in &lines {
                    for &p in &periods {
                        for &k in &kinds {
                            out.insert((carrier, account, s, p, k));
                        }
                    }
                }
            }
        }
    }
    out
}

/// The lines measured by call detail alone in a period whose call detail does not
/// measure every kind (see the module docs, 3): *not measured* there in the kinds
/// it lacks. A line is measured by call detail alone in a billed period of an
/// account that some export names when no charge row of it carries usage of any
/// kind in that period; its account's call detail of the period measures the kinds
/// that an export measuring absent lines at zero holds records of (a roaming-only
/// export measures none). Verizon's Wireless Usage Detail has no data column and
/// TELUS' Airtime Detail is voice only: from them alone a data device's use is
/// never measured, so it is never unused.
fn partly_measured(dump: &Dump, facts: &Facts) -> Vec<UseKey> {
    let bit = |k: UsageKind| 1u8 << (k as u8);
    let every = UsageKind::ALL.iter().fold(0u8, |m, &k| m | bit(k));
    let mut kinds: FxHashMap<(Sym, Sym, Date), u8> = FxHashMap::default();
    let mut accounts: FxHashSet<(Sym, Sym)> = FxHashSet::default();
    for m in dump.usage_files.iter().flat_map(|u| &u.measures) {
        accounts.insert((m.carrier, m.account));
        if m.absent_is_zero {
            *kinds.entry((m.carrier, m.account, m.period_start)).or_default() |= bit(m.kind);
        }
    }
    let mut out = Vec::new();
    // Every billed period (a charge row of it) of the accounts call detail names.
    for &(carrier, account, period) in facts.account_invoice.keys() {
        if !accounts.contains(&(carrier, account)) {
            continue;
        }
        let have = kinds.get(&(carrier, account, period)).copied().unwrap_or(0);
        if have == every {
            continue;
        }
        for &s in facts
            .lines
            .get(&(carrier, account))
            .map_or(&[][..], Vec::as_slice)
        {
            let own = UsageKind::ALL
                .iter()
                .any(|&k| facts.carried.contains(&(carrier, account, s, period, k)));
            if own {
                continue;
            }
            for k in UsageKind::ALL.into_iter().filter(|&k| have & bit(k) == 0) {
                out.push((carrier, account, s, period, k));
            }
        }
    }
    out
}

/// The unit a line's usage of `kind` is written in (see the module docs).
fn target_unit(dump: &mut Dump, facts: &Facts, line: (Sym, Sym, Sym), kind: UsageKind) -> Sym {
    let key = (line.0, line.1, line.2, kind);
    if let Some(&(_, u)) = facts.plan_unit.get(&key) {
        return u;
    }
    if let Some(&u) = facts.spelled.get(&key) {
        return u;
    }
    dump.strings.intern(kind.default_unit())
}

/// What the step did to one call-detail file's rows.
#[derive(Default, Clone, Copy)]
struct Tally {
    kept: u64,
    carried: u64,
    unmeasured: u64,
    zeros: u64,
}

/// The usage step of a client (see the module docs). Runs once, after the bills,
/// inventory and catalogue are read and before anything looks at the rows.
pub(crate) fn settle(dump: &mut Dump) {
    if dump.usage_files.is_empty() {
        return;
    }
    let mut from_usage = vec![false; dump.files.len()];
    for u in &dump.usage_files {
        if let Some(x) = from_usage.get_mut(u.file.0 as usize) {
            *x = true;
        }
    }
    let copies = second_deliveries(dump);
    let slot: FxHashMap<FileId, usize> = dump
        .usage_files
        .iter()
        .enumerate()
        .map(|(i, u)| (u.file, i))
        .collect();
    let facts = Facts::gather(dump, &from_usage);
    let unread = not_measured(dump, &facts);
    let partial = partly_measured(dump, &facts);
    let kind_of = |dump: &Dump, r: &Row| UsageKind::of_unit(dump.s(r.usage_unit));
    let key_of = |r: &Row, k: UsageKind| (r.carrier, r.account, r.service, r.period_start, k);
    // Every line, period and kind the call detail lists (kept or not).
    let listed: FxHashSet<UseKey> = dump
        .rows
        .iter()
        .filter(|r| from_usage[r.source.file.0 as usize] && !copies.contains(&r.source.file))
        .filter_map(|r| kind_of(dump, r).map(|k| key_of(r, k)))
        .collect();
    let mut tally = vec![Tally::default(); dump.usage_files.len()];
    let zeros = zero_rows(dump, &facts, &listed, &unread, &mut tally, &slot);
    let rows = std::mem::take(&mut dump.rows);
    let mut keep = vec![true; rows.len()];
    let mut converted = rows;
    for (i, r) in converted.iter_mut().enumerate() {
        if !from_usage[r.source.file.0 as usize] {
            continue;
        }
        let Some(&at) = slot.get(&r.source.file) else {
            // A second delivery of an earlier export: not counted.
            keep[i] = false;
            continue;
        };
        let t = &mut tally[at];
        let Some(kind) = UsageKind::of_unit(dump.strings.get(r.usage_unit)) else {
            continue;
        };
        let key = key_of(r, kind);
        if facts.carried.contains(&key) {
            keep[i] = false;
            t.carried += 1;
            continue;
        }
        if unread.contains(&key) {
            keep[i] = false;
            t.unmeasured += 1;
            continue;
        }
        t.kept += 1;
        let to = target_unit(dump, &facts, (r.carrier, r.account, r.service), kind);
        let from = dump.strings.get(r.usage_unit).to_string();
        if let Some(q) = r
            .usage_quantity
            .and_then(|q| convert_usage(q, &from, dump.strings.get(to)))
        {
            r.usage_quantity = Some(q);
            r.usage_unit = to;
        }
        if let Some((inv, date)) = facts.invoice(r.carrier, r.account, r.service, r.period_start) {
            r.invoice = inv;
            r.invoice_date = date;
        }
    }
    place_rows(dump, converted, &keep, zeros);
    let mut unmeasured: Vec<Unmeasured> = unread
        .into_iter()
        .chain(partial)
        .filter(|k| !facts.carried.contains(k))
        .map(|(carrier, account, service, period_start, kind)| Unmeasured {
            carrier,
            account,
            service,
            period_start,
            kind,
        })
        .collect();
    unmeasured.sort_unstable();
    dump.unmeasured = unmeasured;
    report(dump, &tally);
}

/// The call-detail exports whose rows are an earlier one's (see the module docs, 6):
/// each is taken out of [`Dump::usage_files`] (it measures nothing), listed as
/// skipped (a copy) with a warning naming the earlier export; its rows are left for
/// the caller to drop.
fn second_deliveries(dump: &mut Dump) -> FxHashSet<FileId> {
    type Sums = Vec<(Sym, Sym, Sym, Date, Date, Sym, Option<Micros>)>;
    let mut by_file: BTreeMap<FileId, Sums> = BTreeMap::new();
    for u in &dump.usage_files {
        by_file.insert(u.file, Vec::new());
    }
    for r in &dump.rows {
        if let Some(v) = by_file.get_mut(&r.source.file) {
            v.push((
                r.carrier,
                r.account,
                r.service,
                r.period_start,
                r.period_end,
                r.usage_unit,
                r.usage_quantity,
            ));
        }
    }
    // Of one layout (a home and a roaming export may hold the same sums).
    let mut firsts: Vec<(&telaudit_model::SourceKind, Sums, FileId)> = Vec::new();
    let mut copies: FxHashMap<FileId, FileId> = FxHashMap::default();
    for (file, mut sums) in by_file {
        if sums.is_empty() {
            continue;
        }
        sums.sort_unstable();
        let layout = &dump.files[file.0 as usize].kind;
        match firsts.iter().find(|(l, s, _)| *l == layout && *s == sums) {
            Some(&(_, _, first)) => {
                copies.insert(file, first);
            }
            None => firsts.push((layout, sums, file)),
        }
    }
    if copies.is_empty() {
        return FxHashSet::default();
    }
    dump.usage_files.retain(|u| !copies.contains_key(&u.file));
    let mut pairs: Vec<(FileId, FileId)> = copies.iter().map(|(c, f)| (*c, *f)).collect();
    pairs.sort_unstable();
    for (copy, first) in pairs {
        let (copy, first) = (dump.file(copy).path.clone(), dump.file(first).path.clone());
        let message = format!(
            "the same usage as {first} (every line, period and sum): a second delivery of the same call \
             detail; skipped (its usage is counted once, from {first})"
        );
        dump.skipped.push(telaudit_model::SkippedFile {
            file: copy.clone(),
            kind: telaudit_model::SkipKind::Copy,
            reason: message.clone(),
        });
        dump.warnings.push(Warning {
            file: copy,
            position: Position::File,
            message,
        });
    }
    dump.skipped.sort_by(|a, b| a.file.cmp(&b.file));
    copies.into_keys().collect()
}

/// The zero rows of every call-detail file, by file (see the module docs, 2).
fn zero_rows(
    dump: &mut Dump,
    facts: &Facts,
    listed: &FxHashSet<UseKey>,
    unread: &FxHashSet<UseKey>,
    tally: &mut [Tally],
    slot: &FxHashMap<FileId, usize>,
) -> BTreeMap<FileId, Vec<Row>> {
    let mut out: BTreeMap<FileId, Vec<Row>> = BTreeMap::new();
    let mut made: FxHashSet<UseKey> = FxHashSet::default();
    let measures: Vec<UsageMeasure> = dump
        .usage_files
        .iter()
        .flat_map(|u| u.measures.iter().filter(|m| m.absent_is_zero).cloned())
        .collect();
    for m in measures {
        let Some(lines) = facts.billed.get(&(m.carrier, m.account, m.period_start)) else {
            continue;
        };
        for &s in lines {
            let key = (m.carrier, m.account, s, m.period_start, m.kind);
            if listed.contains(&key)
                || facts.carried.contains(&key)
                || unread.contains(&key)
                || !made.insert(key)
            {
                continue;
            }
            let unit = target_unit(dump, facts, (m.carrier, m.account, s), m.kind);
            let (invoice, invoice_date) = facts
                .invoice(m.carrier, m.account, s, m.period_start)
                .unwrap_or((m.invoice, m.invoice_date));
            let text = format!("Call detail: no {} use (not in the export)", m.kind.name());
            let row = Row {
                carrier: m.carrier,
                account: m.account,
                invoice,
                service: s,
                charge_code: Sym::EMPTY,
                description: dump.strings.intern(&text),
                usage_unit: unit,
                invoice_date,
                period_start: m.period_start,
                period_end: m.period_end,
                charge_type: ChargeType::Usage,
                quantity: Micros::ONE,
                unit_rate: None,
                amount: Micros::ZERO,
                usage_quantity: Some(Micros::ZERO),
                // The whole export is the evidence: no line of it lists the line.
                source: SourceRef { file: m.file, pos: 0 },
            };
            tally[slot[&m.file]].zeros += 1;
            out.entry(m.file).or_default().push(row);
        }
    }
    out
}

/// Puts the kept rows and the zero rows into the dump in file order (a file's zero
/// rows after its own), and moves the EDI row ranges with them.
fn place_rows(dump: &mut Dump, rows: Vec<Row>, keep: &[bool], zeros: BTreeMap<FileId, Vec<Row>>) {
    let extra: usize = zeros.values().map(Vec::len).sum();
    let mut out: Vec<Row> = Vec::with_capacity(rows.len() + extra);
    let mut new_index: Vec<RowIdx> = vec![RowIdx::MAX; rows.len()];
    let mut before: Vec<RowIdx> = Vec::with_capacity(rows.len() + 1);
    let mut pending = zeros.into_iter().peekable();
    for (i, r) in rows.into_iter().enumerate() {
        while let Some((f, _)) = pending.peek() {
            if *f >= r.source.file {
                break;
            }
            if let Some((_, z)) = pending.next() {
                out.extend(z);
            }
        }
        before.push(out.len() as RowIdx);
        if keep[i] {
            new_index[i] = out.len() as RowIdx;
            out.push(r);
        }
    }
    for (_, z) in pending {
        out.extend(z);
    }
    for u in &mut dump.unbalanced {
        let (a, b) = (u.rows.start as usize, u.rows.end as usize);
        u.rows = if a < b && new_index[a] != RowIdx::MAX && new_index[b - 1] != RowIdx::MAX {
            new_index[a]..new_index[b - 1] + 1
        } else {
            let at = before.get(a).copied().unwrap_or(out.len() as RowIdx);
            at..at
        };
    }
    dump.rows = out;
}

/// One warning per call-detail file whose rows the step did not count, and each
/// file's usage rows.
fn report(dump: &mut Dump, tally: &[Tally]) {
    for (u, t) in dump.usage_files.iter_mut().zip(tally) {
        u.rows = t.kept + t.zeros;
        let file = dump.files[u.file.0 as usize].path.clone();
        if t.carried > 0 {
            dump.warnings.push(Warning {
                file: file.clone(),
                position: Position::File,
                message: format!(
                    "{} usage row(s) of this call detail not counted: the charge rows carry the same kind of \
                     usage for those lines and periods (usage is never counted twice: the charge rows win)",
                    t.carried
                ),
            });
        }
        if t.unmeasured > 0 {
            dump.warnings.push(Warning {
                file,
                position: Position::File,
                message: format!(
                    "{} usage row(s) of this call detail not counted: a call-detail record of those lines and \
                     periods could not be read, so they count as not measured there",
                    t.unmeasured
                ),
            });
        }
    }
}
