//! Credits matched to claims (docs/recovery.md sections 2 to 4).
//!
//! A *credit* is an accepted row of type `credit` or `adjustment` with a
//! negative amount whose charge_code is no contract credit's code of its
//! carrier (a contract credit is owed every period, whatever was disputed:
//! CRD001 counts it, a claim never does). A row with a positive amount never
//! pays, whatever its text. A credit may pay a claim of its carrier and account
//! filed on or before its invoice_date.
//!
//! Credits are taken in order of invoice_date, invoice, service_id,
//! charge_code, description and amount (so the file names and their order
//! change nothing), and each pays at most one claim with its whole amount:
//!
//! 1. **by reference**: a claim whose id occurs in the description or the
//!    charge_code as a whole word, ignoring case (an id in the description wins
//!    over one only in the code; then the one that starts first, the longer id,
//!    the claim first in claims.csv), whatever its status and outstanding;
//! 2. **by amount**: else the one claim with status `open` in the ledger whose
//!    outstanding equals the credit rounded to cents and whose service agrees
//!    (equal, or either empty); several such claims make the credit
//!    *ambiguous*, and it pays none;
//! 3. else the credit is *unmatched*.
//!
//! Choices where the contract is silent (docs/recovery.md): a claim with
//! nothing outstanding is not matched by amount (a credit that rounds to 0.00
//! pays no claim already paid in full); a credit dated after the as-of date is
//! not taken into account (it had not arrived on that day), as a claim filed
//! after it is not.

use crate::{in_scope, ledger};
use aho_corasick::AhoCorasick;
use rust_decimal::{Decimal, RoundingStrategy};
use rustc_hash::{FxHashMap, FxHashSet};
use std::cmp::Reverse;
use telaudit_model::{ChargeType, ContractKind, Dump, LedgerStatus, Row, RowId, Sym};

/// A claim's state as of the as-of date (docs/recovery.md section 4).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClaimStatus {
    /// The credits paid the whole amount, or more.
    Credited,
    /// Some money came back, not all.
    Partial,
    /// Nothing came back yet, and the carrier is still within its response time.
    Open,
    /// Nothing came back, and the response time is over: escalate.
    Overdue,
    /// The ledger says the carrier refused it.
    Denied,
    /// The ledger says the analyst dropped it.
    Withdrawn,
}

impl ClaimStatus {
    /// The word the outputs write: `credited`, `partial`, `open`, `overdue`,
    /// `denied` or `withdrawn`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Credited => "credited",
            ClaimStatus::Partial => "partial",
            ClaimStatus::Open => "open",
            ClaimStatus::Overdue => "overdue",
            ClaimStatus::Denied => "denied",
            ClaimStatus::Withdrawn => "withdrawn",
        }
    }

    /// Still waiting for the carrier: open, partial or overdue (a dispute
    /// letter lists these with their age).
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            ClaimStatus::Open | ClaimStatus::Partial | ClaimStatus::Overdue
        )
    }
}

/// One claim of the ledger, as of the as-of date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimState {
    /// Its index in the dump's ledger (claims.csv order).
    pub ledger: usize,
    /// The sum of the credits that pay it, as positive money, exact.
    pub recovered: Decimal,
    /// `max(0, amount - recovered)`; 0 for a denied or withdrawn claim.
    pub outstanding: Decimal,
    /// Credited, partial, open, overdue, denied or withdrawn.
    pub status: ClaimStatus,
    /// The as-of date minus the filing date, in days.
    pub days_open: i64,
    /// The rows that pay it, in the order they were applied.
    pub credits: Vec<RowId>,
}

/// How a credit was matched.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Matched {
    /// Its text names the claim.
    Reference,
    /// Its amount is the one open claim's outstanding.
    Amount,
    /// Its amount is the outstanding of several open claims: it pays none.
    Ambiguous,
    /// It pays no claim (a claim missing from the ledger, or goodwill).
    Unmatched,
}

impl Matched {
    /// The word recovery/credits.csv writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Matched::Reference => "reference",
            Matched::Amount => "amount",
            Matched::Ambiguous => "ambiguous",
            Matched::Unmatched => "unmatched",
        }
    }
}

/// One credit of a carrier and account with claims.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credit {
    /// The bill row.
    pub row: RowId,
    /// How it was matched.
    pub matched: Matched,
    /// The claim it pays (one, by reference or amount), or the claims it could
    /// pay (ambiguous, in claims.csv order): indexes into the claim states.
    pub claims: Vec<usize>,
}

/// Whether a row may pay a claim (docs/recovery.md section 2): type `credit` or
/// `adjustment`, a negative amount, and a charge_code that is no contract
/// credit's code of its carrier (`contract_codes`: (carrier, code) of every
/// `credit` line of contracts.csv).
pub fn is_credit(row: &Row, contract_codes: &FxHashSet<(Sym, Sym)>) -> bool {
    matches!(row.charge_type, ChargeType::Credit | ChargeType::Adjustment)
        && row.amount.0 < 0
        && !contract_codes.contains(&(row.carrier, row.charge_code))
}

/// The byte offset of the first whole-word occurrence of `needle` in `hay`:
/// the characters just before and after it, where there are any, are neither
/// letters nor digits. Both are expected in lower case (the caller folds them).
pub fn whole_word_at(hay: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let start = from + i;
        let end = start + needle.len();
        let before = hay[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = hay[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before && after {
            return Some(start);
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// The claims of every account, as claim-state indexes in claims.csv order,
/// with their ids in lower case, and per account an automaton that finds all
/// of its claims' ids in a text in one pass (pattern `i` is the account's
/// `i`th claim): a credit's text is searched once, not once per claim, so an
/// account with hundreds of claims and a hundred thousand credits stays cheap.
struct Book {
    by_account: FxHashMap<(Sym, Sym), Vec<usize>>,
    folded: Vec<String>,
    finders: FxHashMap<(Sym, Sym), AhoCorasick>,
}

/// Matches every credit of an account with claims to the claims taken into
/// account, in the fixed order, and works out each claim's state as of the
/// as-of date. Returns the claim states in claims.csv order and the credits in
/// the order they were matched.
pub fn match_credits(dump: &Dump) -> (Vec<ClaimState>, Vec<Credit>) {
    let as_of = dump.as_of_date();
    let all = ledger(dump);
    let mut states: Vec<ClaimState> = all
        .iter()
        .enumerate()
        .filter(|(_, c)| in_scope(c, as_of))
        .map(|(i, c)| ClaimState {
            ledger: i,
            recovered: Decimal::ZERO,
            outstanding: c.amount.to_decimal(),
            status: ClaimStatus::Open,
            days_open: 0,
            credits: Vec::new(),
        })
        .collect();
    let mut book = Book {
        by_account: FxHashMap::default(),
        folded: Vec::with_capacity(states.len()),
        finders: FxHashMap::default(),
    };
    for (k, s) in states.iter().enumerate() {
        let c = &all[s.ledger];
        book.by_account.entry((c.carrier, c.account)).or_default().push(k);
        book.folded.push(c.claim_id.to_lowercase());
    }
    for (&account, mine) in &book.by_account {
        // Ids are short texts; building cannot fail for them (it fails only past
        // the automaton's size limits), and without a finder no credit names a claim.
        if let Ok(f) = AhoCorasick::new(mine.iter().map(|&k| &book.folded[k])) {
            book.finders.insert(account, f);
        }
    }
    let mut waiting = Waiting::of(all, &states);
    let credits = credit_rows(dump, &book);
    let mut out = Vec::with_capacity(credits.len());
    for id in credits {
        let row = &dump.rows[id as usize];
        let (matched, claims) = match_one(dump, row, &book, &waiting, &states);
        if matches!(matched, Matched::Reference | Matched::Amount) {
            let k = claims[0];
            let c = &all[states[k].ledger];
            let before = states[k].outstanding;
            let s = &mut states[k];
            s.recovered -= row.amount.to_decimal();
            s.outstanding = (c.amount.to_decimal() - s.recovered).max(Decimal::ZERO);
            s.credits.push(id);
            waiting.moved(c, k, before, s.outstanding);
        }
        out.push(Credit {
            row: id,
            matched,
            claims,
        });
    }
    for s in &mut states {
        settle(s, &all[s.ledger], as_of, dump.config.response_days());
    }
    (states, out)
}

/// The claims that can be paid by amount (status `open` in the ledger, money
/// outstanding), by account and outstanding: a credit finds the claims of its
/// amount with one lookup, however many claims its account has.
struct Waiting(FxHashMap<(Sym, Sym, Decimal), Vec<usize>>);

impl Waiting {
    fn of(all: &[telaudit_model::LedgerClaim], states: &[ClaimState]) -> Waiting {
        let mut w = Waiting(FxHashMap::default());
        for (k, s) in states.iter().enumerate() {
            w.moved(&all[s.ledger], k, Decimal::ZERO, s.outstanding);
        }
        w
    }

    /// Claim `k`'s outstanding went from `before` to `now` (0: not listed).
    fn moved(&mut self, c: &telaudit_model::LedgerClaim, k: usize, before: Decimal, now: Decimal) {
        if c.status != LedgerStatus::Open {
            return;
        }
        if before > Decimal::ZERO {
            if let Some(v) = self.0.get_mut(&(c.carrier, c.account, before.normalize())) {
                v.retain(|&x| x != k);
            }
        }
        if now > Decimal::ZERO {
            let v = self.0.entry((c.carrier, c.account, now.normalize())).or_default();
            // In claims.csv order.
            if let Err(at) = v.binary_search(&k) {
                v.insert(at, k);
            }
        }
    }

    /// The claims of an account whose outstanding is `amount`, in claims.csv order.
    fn with(&self, carrier: Sym, account: Sym, amount: Decimal) -> &[usize] {
        self.0
            .get(&(carrier, account, amount.normalize()))
            .map_or(&[], Vec::as_slice)
    }
}

/// The credits of the accounts with claims, dated on or before the as-of date,
/// in the order they are matched.
fn credit_rows(dump: &Dump, book: &Book) -> Vec<RowId> {
    if book.by_account.is_empty() {
        return Vec::new();
    }
    let as_of = dump.as_of_date();
    let codes: FxHashSet<(Sym, Sym)> = dump
        .contracts
        .iter()
        .filter(|c| c.kind == ContractKind::Credit)
        .map(|c| (c.carrier, c.charge_code))
        .collect();
    let mut ids: Vec<RowId> = dump
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            is_credit(r, &codes)
                && as_of.is_none_or(|d| r.invoice_date <= d)
                && book.by_account.contains_key(&(r.carrier, r.account))
        })
        .map(|(i, _)| i as RowId)
        .collect();
    let s = |sym: Sym| dump.s(sym);
    ids.sort_by(|&a, &b| {
        let (x, y) = (&dump.rows[a as usize], &dump.rows[b as usize]);
        x.invoice_date
            .cmp(&y.invoice_date)
            .then_with(|| s(x.invoice).cmp(s(y.invoice)))
            .then_with(|| s(x.service).cmp(s(y.service)))
            .then_with(|| s(x.charge_code).cmp(s(y.charge_code)))
            .then_with(|| s(x.description).cmp(s(y.description)))
            .then_with(|| x.amount.cmp(&y.amount))
            .then_with(|| a.cmp(&b))
    });
    ids
}

/// How one credit is matched, and the claims it pays or could pay.
fn match_one(
    dump: &Dump,
    row: &Row,
    book: &Book,
    waiting: &Waiting,
    states: &[ClaimState],
) -> (Matched, Vec<usize>) {
    let Some(mine) = book.by_account.get(&(row.carrier, row.account)) else {
        return (Matched::Unmatched, Vec::new());
    };
    let all = ledger(dump);
    let filed = |k: usize| all[states[k].ledger].filed_on <= row.invoice_date;
    if let Some(k) = by_reference(dump, row, book, mine, &filed) {
        return (Matched::Reference, vec![k]);
    }
    // Open claims with this outstanding (never 0: a claim paid in full waits for nothing).
    let want = (-row.amount.to_decimal()).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let fits: Vec<usize> = waiting
        .with(row.carrier, row.account, want)
        .iter()
        .copied()
        .filter(|&k| {
            let c = &all[states[k].ledger];
            filed(k) && (c.service.is_empty() || row.service.is_empty() || c.service == row.service)
        })
        .collect();
    match fits.len() {
        0 => (Matched::Unmatched, fits),
        1 => (Matched::Amount, fits),
        _ => (Matched::Ambiguous, fits),
    }
}

/// The claim a credit names (step 1), if any: of the claims filed by its date
/// whose id occurs in its description (else its charge_code) as a whole word,
/// the one that starts first, then the longer id, then the first in claims.csv.
fn by_reference(
    dump: &Dump,
    row: &Row,
    book: &Book,
    mine: &[usize],
    filed: &dyn Fn(usize) -> bool,
) -> Option<usize> {
    let finder = book.finders.get(&(row.carrier, row.account))?;
    let mut best: Option<(u8, usize, Reverse<usize>, usize)> = None;
    for (place, text) in [(0u8, row.description), (1u8, row.charge_code)] {
        let text = dump.s(text).to_lowercase();
        for m in finder.find_overlapping_iter(&text) {
            let k = mine[m.pattern().as_usize()];
            if !filed(k) || !whole_word(&text, m.start(), m.end()) {
                continue;
            }
            let cand = (place, m.start(), Reverse(book.folded[k].chars().count()), k);
            if best.is_none_or(|b| cand < b) {
                best = Some(cand);
            }
        }
        if best.is_some() {
            // An id in the description wins over one only in the charge_code.
            break;
        }
    }
    best.map(|b| b.3)
}

/// Whether `text[start..end]` stands as a whole word: the characters just
/// before and after it, where there are any, are neither letters nor digits.
fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric());
    let after = text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
    before && after
}

/// A claim's outstanding, state and age once every credit is applied.
fn settle(
    s: &mut ClaimState,
    c: &telaudit_model::LedgerClaim,
    as_of: Option<telaudit_model::Date>,
    response_days: u32,
) {
    let amount = c.amount.to_decimal();
    s.days_open = as_of.map_or(0, |d| d.days_after(c.filed_on));
    s.outstanding = (amount - s.recovered).max(Decimal::ZERO);
    s.status = match c.status {
        LedgerStatus::Denied => ClaimStatus::Denied,
        LedgerStatus::Withdrawn => ClaimStatus::Withdrawn,
        LedgerStatus::Open if s.recovered >= amount => ClaimStatus::Credited,
        LedgerStatus::Open if s.recovered > Decimal::ZERO => ClaimStatus::Partial,
        LedgerStatus::Open if s.days_open > i64::from(response_days) => ClaimStatus::Overdue,
        LedgerStatus::Open => ClaimStatus::Open,
    };
    if matches!(s.status, ClaimStatus::Denied | ClaimStatus::Withdrawn) {
        s.outstanding = Decimal::ZERO;
    }
}

#[cfg(test)]
mod tests {
    use super::whole_word_at;

    #[test]
    fn whole_words_only() {
        assert_eq!(whole_word_at("credit re vz-4471.", "vz-4471"), Some(10));
        assert_eq!(whole_word_at("ref vz-44712", "vz-4471"), None);
        assert_eq!(whole_word_at("ref xvz-4471", "vz-4471"), None);
        // A later occurrence that is a whole word is found.
        assert_eq!(whole_word_at("vz-44712 and vz-4471", "vz-4471"), Some(13));
        assert_eq!(whole_word_at("vz-4471", "vz-4471"), Some(0));
        // Punctuation and spaces are boundaries; letters of any script are not.
        assert_eq!(whole_word_at("(vz-4471)", "vz-4471"), Some(1));
        assert_eq!(whole_word_at("évz-4471", "vz-4471"), None);
        assert_eq!(whole_word_at("", "a"), None);
        assert_eq!(whole_word_at("a", ""), None);
    }
}
