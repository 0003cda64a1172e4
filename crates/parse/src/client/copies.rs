//! Step 5 of reading a client: an invoice delivered in two files is counted once
//! (formats.md section 11).
//!
//! After the merge (and after a superseded summary is dropped), each invoice
//! (carrier, account, invoice) whose rows come from two or more files is looked at.
//! A file's *charges* for the invoice are the multiset of (service_id, charge_type,
//! period_start, period_end, amount, usage_quantity) of its rows: description,
//! charge code, quantity and rate are left out, so an 811 and a CSV export of the
//! same bill agree; the usage quantity is in, so usage exports split by kind (voice
//! minutes, data GB, each at 0.00) are not taken for copies of each other.
//!
//! - Files carrying the same charges: the first in path order keeps its rows, the
//!   others' rows of that invoice are dropped, with one warning per (file, earlier
//!   file) naming the invoices. A file all of whose rows are dropped so is listed
//!   as skipped (a second delivery).
//! - Files that share no charge, or only a few (an invoice split in two halves;
//!   a duplicate charge across the cut is DUP001's): all rows stay, without a warning.
//! - Files that share most charges but not all (more than half of the smaller
//!   side's: a copy that disagrees): all rows stay, and a warning names the invoice
//!   and the files.
//!
//! Call detail read for usage (docs/formats.md, "Usage from call detail") takes no
//! part: it carries no charges.
//!
//! Cost: one hash lookup per row when no invoice spans files; the rows of the
//! invoices that do are hashed once more, and a copy is confirmed by comparing
//! its sorted charges exactly (a hash never drops a row on its own).

use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;
use telaudit_model::{
    ChargeType, CopiedRows, Date, Decimal, Dump, FileId, Micros, Position, Row, RowIdx, SkipKind,
    SkippedFile, Sym, Warning,
};

/// An invoice: carrier, account, invoice number.
type InvoiceKey = (Sym, Sym, Sym);

/// One charge, as compared between files: service, type, period, amount and the
/// usage quantity.
type Charge = (Sym, ChargeType, Date, Date, Micros, Option<Micros>);

fn invoice_of(r: &Row) -> InvoiceKey {
    (r.carrier, r.account, r.invoice)
}

fn charge_of(r: &Row) -> Charge {
    (
        r.service,
        r.charge_type,
        r.period_start,
        r.period_end,
        r.amount,
        r.usage_quantity,
    )
}

/// A hash of one charge: FxHash, mixed through XXH3 so that sums of hashes spread.
/// Only a filter: equal sums are confirmed by comparing the charges exactly.
fn charge_hash(c: &Charge) -> u64 {
    use std::hash::BuildHasher;
    let h = rustc_hash::FxBuildHasher.hash_one(c);
    xxhash_rust::xxh3::xxh3_64(&h.to_le_bytes())
}

/// One file's rows of one invoice.
#[derive(Default)]
struct Part {
    /// The rows, in file order.
    rows: Vec<RowIdx>,
    /// The multiset's fingerprint: the wrapping sum of the charges' hashes.
    sum: u64,
}

/// Drops the rows of invoices that an earlier file already carries with the same
/// charges, and warns about invoices whose files disagree (see the module docs).
pub(super) fn count_invoices_once(dump: &mut Dump) {
    // Pass 1: the invoices whose rows come from more than one file.
    let mut first_file: FxHashMap<InvoiceKey, (FileId, bool)> = FxHashMap::default();
    // Rows of one invoice mostly follow each other: the same (invoice, file) as the
    // row before changes nothing, so it is not looked up again.
    let mut last: Option<(InvoiceKey, FileId)> = None;
    // Call detail carries no charges: its usage rows are never a second delivery
    // of another file's (two exports of one line's voice and messages may well
    // hold the same numbers); a call-detail file sent twice is a copy by its bytes.
    let usage: FxHashSet<FileId> = dump.usage_files.iter().map(|u| u.file).collect();
    for r in &dump.rows {
        if r.invoice.is_empty()
            || last == Some((invoice_of(r), r.source.file))
            || usage.contains(&r.source.file)
        {
            continue;
        }
        last = Some((invoice_of(r), r.source.file));
        let e = first_file.entry(invoice_of(r)).or_insert((r.source.file, false));
        if e.0 != r.source.file {
            e.1 = true;
        }
    }
    let spread: FxHashSet<InvoiceKey> = first_file
        .into_iter()
        .filter(|(_, (_, multi))| *multi)
        .map(|(k, _)| k)
        .collect();
    if spread.is_empty() {
        return;
    }
    // Pass 2: those invoices' rows, per file (files in path order).
    let mut parts: BTreeMap<InvoiceKey, BTreeMap<FileId, Part>> = BTreeMap::new();
    for (i, r) in dump.rows.iter().enumerate() {
        let key = invoice_of(r);
        if !spread.contains(&key) || usage.contains(&r.source.file) {
            continue;
        }
        let part = parts.entry(key).or_default().entry(r.source.file).or_default();
        part.rows.push(i as RowIdx);
        part.sum = part.sum.wrapping_add(charge_hash(&charge_of(r)));
    }
    let mut drop = vec![false; dump.rows.len()];
    // (copy file, kept file) -> the invoices dropped from the copy.
    let mut copied: BTreeMap<(FileId, FileId), Vec<Sym>> = BTreeMap::new();
    // (invoice, copy file) -> the kept file and the span of its rows of the invoice.
    let mut kept_for: KeptFor = FxHashMap::default();
    let mut disagree: Vec<Warning> = Vec::new();
    for (key, files) in &parts {
        let files: Vec<(FileId, &Part)> = files.iter().map(|(f, p)| (*f, p)).collect();
        // The files kept for this invoice: one per distinct multiset of charges.
        let mut kept: Vec<(FileId, &Part)> = Vec::new();
        for &(file, part) in &files {
            match kept.iter().find(|(_, k)| same_charges(&dump.rows, k, part)) {
                Some(&(first, first_part)) => {
                    for &i in &part.rows {
                        drop[i as usize] = true;
                    }
                    copied.entry((file, first)).or_default().push(key.2);
                    kept_for.insert((*key, file), (first, span(&first_part.rows)));
                }
                None => kept.push((file, part)),
            }
        }
        if kept.len() > 1 && mostly_shared(&dump.rows, &kept) {
            disagree.push(disagree_warning(dump, *key, &kept));
        }
    }
    warn_copies(dump, &copied, &drop);
    dump.warnings.extend(disagree);
    record_copied(dump, &drop);
    drop_rows(dump, &drop, &kept_for);
}

/// (invoice, copy file) -> the file kept instead and the span of its rows of the
/// invoice (first to last, before the drop).
type KeptFor = FxHashMap<(InvoiceKey, FileId), (FileId, std::ops::Range<RowIdx>)>;

/// The span of a part's rows: its first to just after its last.
fn span(rows: &[RowIdx]) -> std::ops::Range<RowIdx> {
    match (rows.first(), rows.last()) {
        (Some(&a), Some(&b)) => a..b + 1,
        _ => 0..0,
    }
}

/// Records, per file, how many of its rows are dropped and their sum
/// (`Dump::copied_rows`, for BAL002's totals over a whole file).
fn record_copied(dump: &mut Dump, drop: &[bool]) {
    let mut per_file: BTreeMap<FileId, (u64, Decimal)> = BTreeMap::new();
    for (r, _) in dump.rows.iter().zip(drop).filter(|(_, d)| **d) {
        let e = per_file.entry(r.source.file).or_default();
        e.0 += 1;
        e.1 += r.amount.to_decimal();
    }
    dump.copied_rows
        .extend(
            per_file
                .into_iter()
                .map(|(file, (rows, amount))| CopiedRows { file, rows, amount }),
        );
}

/// Whether two files carry the same multiset of charges (fingerprints first,
/// then the sorted charges compared exactly).
fn same_charges(rows: &[Row], a: &Part, b: &Part) -> bool {
    if a.rows.len() != b.rows.len() || a.sum != b.sum {
        return false;
    }
    let sorted = |p: &Part| {
        let mut v: Vec<Charge> = p.rows.iter().map(|&i| charge_of(&rows[i as usize])).collect();
        v.sort_unstable();
        v
    };
    sorted(a) == sorted(b)
}

/// Whether the kept files look like copies that disagree rather than parts of a
/// split invoice: some file shares with the files before it more than half of the
/// charges of the smaller side. A split invoice shares none (or a few that happen to
/// be equal, such as a duplicate charge DUP001 finds anyway): no warning.
fn mostly_shared(rows: &[Row], kept: &[(FileId, &Part)]) -> bool {
    let mut earlier: FxHashSet<Charge> = FxHashSet::default();
    let mut earlier_rows = 0usize;
    for &(_, part) in kept {
        if earlier_rows > 0 {
            let shared = part
                .rows
                .iter()
                .filter(|&&i| earlier.contains(&charge_of(&rows[i as usize])))
                .count();
            if shared * 2 > part.rows.len().min(earlier_rows) {
                return true;
            }
        }
        earlier.extend(part.rows.iter().map(|&i| charge_of(&rows[i as usize])));
        earlier_rows += part.rows.len();
    }
    false
}

/// How many names a warning lists before "and N more".
const NAMES_SHOWN: usize = 5;

/// `a, b, c and 4 more`.
fn listed(names: &[&str]) -> String {
    let shown = names.len().min(NAMES_SHOWN);
    let mut s = names[..shown].join(", ");
    if names.len() > shown {
        s.push_str(&format!(" and {} more", names.len() - shown));
    }
    s
}

fn disagree_warning(dump: &Dump, key: InvoiceKey, kept: &[(FileId, &Part)]) -> Warning {
    let (carrier, account, invoice) = key;
    let files: Vec<&str> = kept
        .iter()
        .map(|(f, _)| dump.files[f.0 as usize].path.as_str())
        .collect();
    let counts: Vec<String> = kept
        .iter()
        .map(|(f, p)| format!("{} row(s) in {}", p.rows.len(), dump.files[f.0 as usize].path))
        .collect();
    Warning {
        file: files[0].to_string(),
        position: Position::File,
        message: format!(
            "invoice {} ({}, account {}) comes in {} files that disagree: {}; they share most \
             charges but not all, so all their rows are counted: if they are two deliveries of \
             one bill, the shared charges are counted twice (check which file is right)",
            dump.s(invoice),
            dump.s(carrier),
            dump.s(account),
            files.len(),
            counts.join(", ")
        ),
    }
}

/// One warning per (copy file, earlier file); a copy all of whose rows are
/// dropped is listed as skipped.
fn warn_copies(dump: &mut Dump, copied: &BTreeMap<(FileId, FileId), Vec<Sym>>, drop: &[bool]) {
    // Per file: (rows, rows dropped).
    let mut counts: FxHashMap<FileId, (usize, usize)> = FxHashMap::default();
    for (r, &d) in dump.rows.iter().zip(drop) {
        let c = counts.entry(r.source.file).or_default();
        c.0 += 1;
        c.1 += usize::from(d);
    }
    let mut whole: BTreeMap<FileId, Vec<FileId>> = BTreeMap::new();
    for ((copy, first), invoices) in copied {
        let names: Vec<&str> = invoices.iter().map(|s| dump.s(*s)).collect();
        let (copy_path, first_path) = (
            dump.files[copy.0 as usize].path.clone(),
            dump.files[first.0 as usize].path.clone(),
        );
        let message = format!(
            "{} invoice(s) ({}) carry the same charges as in {first_path}: a second delivery; \
             their rows here are not counted (they are counted once, from {first_path})",
            names.len(),
            listed(&names)
        );
        dump.warnings.push(Warning {
            file: copy_path,
            position: Position::File,
            message,
        });
        whole.entry(*copy).or_default().push(*first);
    }
    for (copy, firsts) in whole {
        if counts.get(&copy).is_some_and(|(rows, dropped)| rows != dropped) {
            continue;
        }
        let names: Vec<&str> = firsts
            .iter()
            .map(|f| dump.files[f.0 as usize].path.as_str())
            .collect();
        dump.skipped.push(SkippedFile {
            file: dump.files[copy.0 as usize].path.clone(),
            kind: SkipKind::Copy,
            reason: format!(
                "every invoice in it carries the same charges as in {}: a second delivery; none \
                 of its rows is counted",
                listed(&names)
            ),
        });
    }
}

/// Removes the rows marked in `drop`; the EDI invoices' row ranges follow.
///
/// An unbalanced EDI invoice (BAL001) of a copy whose rows are dropped: when the
/// kept file states the same total for the invoice, it is dropped too (one BAL001
/// per invoice); else it moves onto the kept file's rows of the invoice (the same
/// charges, so the same difference), which date and evidence its finding.
fn drop_rows(dump: &mut Dump, drop: &[bool], kept_for: &KeptFor) {
    if !drop.iter().any(|d| *d) {
        return;
    }
    // removed_before[i]: how many rows before row i are dropped.
    let mut removed_before = Vec::with_capacity(drop.len() + 1);
    let mut removed: RowIdx = 0;
    for &d in drop {
        removed_before.push(removed);
        if d {
            removed += 1;
        }
    }
    removed_before.push(removed);
    let mut i = 0;
    dump.rows.retain(|_| {
        let keep = !drop[i];
        i += 1;
        keep
    });
    let at = |i: RowIdx| i - removed_before.get(i as usize).copied().unwrap_or(removed);
    let stated: FxHashSet<(InvoiceKey, FileId, Micros)> = dump
        .unbalanced
        .iter()
        .map(|u| ((u.carrier, u.account, u.invoice), u.source.file, u.stated))
        .collect();
    dump.unbalanced.retain_mut(|u| {
        let key = (u.carrier, u.account, u.invoice);
        match kept_for.get(&(key, u.source.file)) {
            Some((kept, _)) if stated.contains(&(key, *kept, u.stated)) => false,
            Some((_, rows)) => {
                u.rows = at(rows.start)..at(rows.end);
                true
            }
            None => {
                u.rows = at(u.rows.start)..at(u.rows.end);
                true
            }
        }
    });
}
