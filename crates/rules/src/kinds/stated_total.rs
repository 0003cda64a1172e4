//! `stated_total` (BAL002).

use crate::config::RuleError;
use crate::index::Index;
use crate::kinds::{Fields, Kind, KindDef};
use crate::util::{money, Draft};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeSet;
use std::sync::Arc;
use telaudit_model::{Date, Decimal, Dump, FileId, Finding, RowId, SourceRef, StatedScope, StatedTotal, Sym};

/// This kind's entry in the registry ([`crate::kinds::REGISTRY`]).
pub const KIND: KindDef = KindDef {
    name: "stated_total",
    heading: " (BAL002)",
    params: &[],
    note: "No parameters: it reads the totals that carrier exports state (the layouts' \
           `[[stated]]` entries: Verizon's AccountSummary and per-line Total Charges, AT&T's \
           IRA row, Bell's ACC). X12 811 totals are BAL001's.",
    key: "the invoice number, then what the export states (one finding per invoice and stated \
          figure; per-line totals are summed per invoice; a later file stating another total of \
          the invoice adds its path; its service_id is empty)",
    read: |f| Ok(Arc::new(StatedTotalCheck::read(f)?)),
};

/// ## What it does
/// Compares every total a carrier export states (`Dump::stated`, read through
/// the layouts' `[[stated]]` entries) with the charges read for it, and reports
/// every invoice where the two differ.
///
/// - The stated totals are grouped by carrier, account, invoice and what they
///   state (the layout's `what`); per-line totals (Verizon's "Total Charges" per
///   line) are summed per invoice. A total delivered twice (the same invoice,
///   line, figure and amount, from two files) counts once: the first file's.
///   Invoice totals (no line) of one invoice and figure that differ from file to
///   file, each file stating one (a summary delivered again, corrected), are
///   separate statements, each
///   compared with the rows; the finding of a later file's adds its path to the
///   key and says that several files state different totals.
/// - The charges read are the accepted rows of the same carrier, account and
///   invoice, from every file (after copies of a delivery are set aside; call
///   detail's usage rows aside: they carry no money, docs/formats.md section 12); a total
///   of `scope = "file"` (AT&T's foundation-account invoice, which spans billing
///   accounts) is compared with the accepted rows of the file that states it,
///   counting its rows dropped as copies of another file's (`Dump::copied_rows`):
///   the total covers what the file carried.
/// - When the stating file's own rows of the invoice were superseded (Verizon's
///   per-line summary when the charges detail itemises the same invoice), the
///   text says that the superseding layout's rows were counted, and why.
///
/// Both sums are compared in cents, rounded half away from zero (rows may carry
/// fractions of a cent: 20.0079 read matches 20.01 stated); the difference named
/// is that of the two figures printed.
///
/// One finding per differing group; its evidence is the rows counted and the
/// lines that state the total. A stated total for an invoice with no charges read
/// is compared with 0.00; that finding's period is the stated invoice date (else
/// the audit's as-of date).
///
/// ## Finding key
/// The rule id, carrier, account, an empty service_id, then the invoice number and
/// what is stated ([`KindDef::key`]).
///
/// ## Why is this bad
/// When the charges read do not add up to what the bill says it charges, either
/// the export delivered is incomplete (charges nobody can check line by line) or
/// the carrier's own figures disagree. It is not proven overbilling, so the finding
/// claims no money (recoverable and monthly 0); it asks for a closer look.
///
/// ## Example
/// The fixture `crates/rules/tests/fixtures/stated_total/` is this example.
///
/// `invoices/detail.txt` (a Verizon charges detail) bills invoice INV-A of account
/// 100 with 40.00 + 5.50 = 45.50 and invoice INV-B with 30.00 + 2.25 = 32.25.
/// `invoices/summary.txt` (an AccountSummary) states "Total Current Charges" 45.50
/// for INV-A (not found) and 35.00 for INV-B: one finding "invoice INV-B states
/// Total Current Charges 35.00 but the charges read for it sum to 32.25 (difference
/// 2.75; 2 rows, from invoices/detail.txt)", evidence detail.txt:4, :5 and
/// summary.txt:3.
#[derive(Clone, Debug)]
pub struct StatedTotalCheck;

impl StatedTotalCheck {
    pub(crate) fn read(_f: &mut Fields) -> Result<Self, RuleError> {
        Ok(StatedTotalCheck)
    }
}

/// The stated totals of one invoice and figure, summed.
struct Group {
    carrier: Sym,
    account: Sym,
    invoice: Sym,
    what: Sym,
    scope: StatedScope,
    /// The stating file, for `scope = "file"`.
    file: Option<FileId>,
    /// The stating file of an invoice total (no line): two files stating different
    /// totals of one invoice are two statements, not one to sum.
    stating: Option<FileId>,
    /// Which of the files stating this invoice and figure it is (0: the first) and
    /// how many there are.
    nth: (usize, usize),
    stated: Decimal,
    /// How many per-line totals were summed (0: an invoice total).
    lines: usize,
    /// The earliest invoice date stated with it.
    date: Option<Date>,
    sources: Vec<SourceRef>,
    superseded_by: Option<String>,
}

/// The stated totals that count: a total that repeats an earlier one (same key,
/// line, figure and amount) from another file is left out.
fn once(dump: &Dump) -> Vec<&StatedTotal> {
    type Key = (Sym, Sym, Sym, Sym, Sym, i64, StatedScope);
    let mut first_file: FxHashMap<Key, FileId> = FxHashMap::default();
    let mut out = Vec::with_capacity(dump.stated.len());
    for t in &dump.stated {
        let key = (t.carrier, t.account, t.invoice, t.service, t.what, t.amount.0, t.scope);
        let f = *first_file.entry(key).or_insert(t.source.file);
        if f == t.source.file {
            out.push(t);
        }
    }
    out
}

/// The stated totals summed per invoice and figure, in order of first statement.
fn groups(dump: &Dump) -> Vec<Group> {
    // carrier, account, invoice, what, scope, the stating file for `scope = "file"`,
    // and the stating file of an invoice total (per-line totals are summed over files).
    type Key = (Sym, Sym, Sym, Sym, StatedScope, Option<FileId>, Option<FileId>);
    let mut at: FxHashMap<Key, usize> = FxHashMap::default();
    let mut groups: Vec<Group> = Vec::new();
    let stated = once(dump);
    let separate = one_per_file(&stated);
    for t in stated {
        let file = (t.scope == StatedScope::File).then_some(t.source.file);
        let stating = separate
            .contains(&(t.carrier, t.account, t.invoice, t.what, t.scope))
            .then_some(t.source.file);
        let key = (t.carrier, t.account, t.invoice, t.what, t.scope, file, stating);
        let i = *at.entry(key).or_insert_with(|| {
            groups.push(Group {
                carrier: t.carrier,
                account: t.account,
                invoice: t.invoice,
                what: t.what,
                scope: t.scope,
                file,
                stating,
                nth: (0, 1),
                stated: Decimal::ZERO,
                lines: 0,
                date: None,
                sources: Vec::new(),
                superseded_by: None,
            });
            groups.len() - 1
        });
        let g = &mut groups[i];
        g.stated += t.amount.to_decimal();
        g.lines += usize::from(!t.service.is_empty());
        g.sources.push(t.source);
        g.date = match (g.date, t.invoice_date) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if g.superseded_by.is_none() {
            g.superseded_by.clone_from(&t.superseded_by);
        }
    }
    number_statements(&mut groups);
    groups
}

/// An invoice and figure: carrier, account, invoice, what is stated, scope.
type Figure = (Sym, Sym, Sym, Sym, StatedScope);

/// The invoices and figures stated by several files, each file stating one total
/// of the whole invoice (no line): different deliveries of the invoice's total (a
/// summary delivered again, corrected), to compare each with the rows, not to sum.
/// Per-line totals, or several totals in one file, are summed as before.
fn one_per_file(stated: &[&StatedTotal]) -> FxHashSet<Figure> {
    // Per invoice and figure: per stating file, how many totals; and whether any
    // names a line.
    let mut per: FxHashMap<Figure, (FxHashMap<FileId, usize>, bool)> = FxHashMap::default();
    for t in stated {
        let e = per.entry((t.carrier, t.account, t.invoice, t.what, t.scope)).or_default();
        *e.0.entry(t.source.file).or_default() += 1;
        e.1 |= !t.service.is_empty();
    }
    per.into_iter()
        .filter(|(_, (files, lines))| !lines && files.len() > 1 && files.values().all(|&n| n == 1))
        .map(|(k, _)| k)
        .collect()
}

/// Numbers the groups that state one invoice and figure from several files.
fn number_statements(groups: &mut [Group]) {
    let mut count: FxHashMap<Figure, usize> = FxHashMap::default();
    for g in groups.iter_mut() {
        let n = count.entry((g.carrier, g.account, g.invoice, g.what, g.scope)).or_default();
        g.nth.0 = *n;
        *n += 1;
    }
    for g in groups.iter_mut() {
        g.nth.1 = count
            .get(&(g.carrier, g.account, g.invoice, g.what, g.scope))
            .copied()
            .unwrap_or(1);
    }
}

/// The rows counted for each invoice (carrier, account, invoice) and for each
/// stating file, of the groups only.
struct Counted {
    invoices: FxHashMap<(Sym, Sym, Sym), Vec<RowId>>,
    files: FxHashMap<FileId, Vec<RowId>>,
    /// Per stating file, its rows dropped as copies of another file's: how many
    /// and their sum (a total over the file counts them).
    copied: FxHashMap<FileId, (u64, Decimal)>,
}

fn counted(dump: &Dump, groups: &[Group]) -> Counted {
    let mut c = Counted {
        invoices: FxHashMap::default(),
        files: FxHashMap::default(),
        copied: FxHashMap::default(),
    };
    for g in groups {
        match g.file {
            Some(f) => c.files.entry(f).or_default(),
            None => c.invoices.entry((g.carrier, g.account, g.invoice)).or_default(),
        };
    }
    // Call detail read for usage carries no charges (its rows are amount 0).
    let usage = dump.call_detail_files();
    for (i, r) in dump.rows.iter().enumerate() {
        if usage.get(r.source.file.0 as usize).copied().unwrap_or(false) {
            continue;
        }
        if let Some(v) = c.invoices.get_mut(&(r.carrier, r.account, r.invoice)) {
            v.push(i as RowId);
        }
        if let Some(v) = c.files.get_mut(&r.source.file) {
            v.push(i as RowId);
        }
    }
    for x in &dump.copied_rows {
        if c.files.contains_key(&x.file) {
            let e = c.copied.entry(x.file).or_default();
            e.0 += x.rows;
            e.1 += x.amount;
        }
    }
    c
}

impl Kind for StatedTotalCheck {
    fn run(&self, id: &str, dump: &Dump, _ix: &Index) -> Vec<Finding> {
        if dump.stated.is_empty() {
            return Vec::new();
        }
        let groups = groups(dump);
        let counted = counted(dump, &groups);
        let mut findings = Vec::new();
        for g in &groups {
            let rows: &[RowId] = match g.file {
                Some(f) => counted.files.get(&f),
                None => counted.invoices.get(&(g.carrier, g.account, g.invoice)),
            }
            .map_or(&[], Vec::as_slice);
            // A total over a file counts the rows it carried, those set aside as
            // copies of another file's included.
            let copied = g.file.and_then(|f| counted.copied.get(&f)).copied();
            let read: Decimal = rows.iter().map(|&r| dump.rows[r as usize].amount.to_decimal()).sum::<Decimal>()
                + copied.map_or(Decimal::ZERO, |c| c.1);
            // A bill states cents; rows may carry fractions of a cent (10.004): both
            // sides are compared in cents, so no finding says "difference 0.00".
            if cents(read) == cents(g.stated) {
                continue;
            }
            let mut draft = Draft::new(g.carrier, g.account, Sym::EMPTY);
            draft.group.push(dump.s(g.invoice).to_string());
            draft.group.push(dump.s(g.what).to_string());
            if let Some(f) = g.stating.filter(|_| g.nth.0 > 0) {
                // A later file stating another total of the invoice: its own key.
                draft.group.push(dump.file(f).path.clone());
            }
            draft.rows.extend_from_slice(rows);
            draft.invoices.push(g.invoice);
            if rows.is_empty() {
                // No row to date it: the stated invoice date, else the audit's as-of date.
                match g.date.or_else(|| dump.as_of_date()) {
                    Some(d) => draft.periods.push(d),
                    None => continue,
                }
            }
            let mut t = text(dump, g, rows, read);
            if let Some(f) = g.stating.filter(|_| g.nth.1 > 1) {
                t.push_str(&format!(
                    "; stated in {}, one of {} files stating different totals of this invoice",
                    dump.file(f).path,
                    g.nth.1
                ));
            }
            if let Some((n, _)) = copied {
                t.push_str(&format!(
                    "; the file's total counts its {n} row(s) set aside as copies of another file's"
                ));
            }
            let mut f = draft.finish(id, dump, t);
            f.evidence.extend_from_slice(&g.sources);
            f.evidence.sort_unstable();
            f.evidence.dedup();
            findings.push(f);
        }
        findings
    }
}

/// An amount in cents, rounded as every figure is printed.
fn cents(d: Decimal) -> Decimal {
    telaudit_model::round_cents(d)
}

/// The finding's text: both figures, the difference, the rows counted (how many,
/// from which files) and, when the stating file was superseded, why its rows were
/// not the ones counted.
fn text(dump: &Dump, g: &Group, rows: &[RowId], read: Decimal) -> String {
    let what = match g.lines {
        0 => dump.s(g.what).to_string(),
        1 => format!("{} (1 line)", dump.s(g.what)),
        n => format!("{} ({n} lines)", dump.s(g.what)),
    };
    let scope = match g.scope {
        StatedScope::Invoice => "the charges read for it",
        StatedScope::File => "the charges read from the file that states it",
    };
    let files: BTreeSet<&str> = rows
        .iter()
        .map(|&r| dump.file(dump.rows[r as usize].source.file).path.as_str())
        .collect();
    let counted = if rows.is_empty() {
        "no charge rows read".to_string()
    } else {
        let n = rows.len();
        let s = if n == 1 { "" } else { "s" };
        format!("{n} row{s}, from {}", files.into_iter().collect::<Vec<_>>().join(", "))
    };
    let mut t = format!(
        "invoice {} states {what} {} but {scope} sum to {} (difference {}; {counted})",
        dump.s(g.invoice),
        money(g.stated),
        money(read),
        money(cents(g.stated) - cents(read)),
    );
    if let Some(by) = &g.superseded_by {
        t.push_str(&format!(
            "; the rows counted are the {by} file's: it itemises this invoice, so the stating \
             file's own rows were not counted (counting both would bill the money twice)"
        ));
    }
    t
}
