//! The shared index: built once per dump, read by every rule.

use crate::catalogue::Catalogue;
use rustc_hash::{FxHashMap, FxHashSet};
use telaudit_model::{ChargeType, Date, Dump, Row, RowId, Sym};

/// An account's number in [`Index::accounts`].
pub type AccId = u32;
/// A service's number in [`Index::services`].
pub type SvcId = u32;

/// An account: a (carrier, account) pair.
#[derive(Clone, Debug)]
pub struct AccountInfo {
    /// The carrier.
    pub carrier: Sym,
    /// The account number.
    pub account: Sym,
    /// The distinct period_start values of its rows, ascending.
    pub periods: Vec<Date>,
    /// Its services, in order of first appearance (account-level rows are the
    /// service with `Sym::EMPTY`).
    pub services: Vec<SvcId>,
    /// The latest period's end: the greatest period_end of its rows whose
    /// period_start is the latest. Monthly money resting on a contract that ends
    /// on or before it is not claimed (formats.md section 6).
    pub latest_end: Option<Date>,
}

impl AccountInfo {
    /// The greatest period_start.
    pub fn latest(&self) -> Option<Date> {
        self.periods.last().copied()
    }

    /// How far back a period is: 0 for the latest, 1 for the one before ...;
    /// `None` if the account has no such period.
    pub fn back(&self, period: Date) -> Option<usize> {
        self.periods
            .binary_search(&period)
            .ok()
            .map(|i| self.periods.len() - 1 - i)
    }

    /// Whether a contract line ending on `effective_to` (`None`: open-ended) still
    /// covers the account's next bill: its monthly money lasts only then
    /// (formats.md section 6: an `effective_to` before the day after the latest
    /// period's end, that is on or before that end, has run out).
    pub fn contract_lasts(&self, effective_to: Option<Date>) -> bool {
        match (effective_to, self.latest_end) {
            (Some(to), Some(end)) => to > end,
            _ => true,
        }
    }
}

/// A service: a (carrier, account, service_id) triple; `service` is `Sym::EMPTY`
/// for the account-level rows.
#[derive(Clone, Debug)]
pub struct ServiceInfo {
    /// Its account.
    pub acc: AccId,
    /// Its service_id (`Sym::EMPTY` for the account-level rows).
    pub service: Sym,
    /// Its rows, ascending (so in file path, then line order).
    pub rows: Vec<RowId>,
}

/// Rows grouped by account and service, with each account's periods.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// Every account, in order of first appearance; [`AccId`] indexes it.
    pub accounts: Vec<AccountInfo>,
    /// Every service, in order of first appearance; [`SvcId`] indexes it.
    pub services: Vec<ServiceInfo>,
    /// The account of each row.
    pub row_acc: Vec<AccId>,
    /// The service of each row.
    pub row_svc: Vec<SvcId>,
    /// Whether each row is a *copy* (formats.md section 6): a row of a DUP001
    /// group (the spec's definition, whatever the DUP001 rule file says) other
    /// than the group's first in path and line order. No rule claims monthly
    /// money on a copy.
    pub copy: Vec<bool>,
    /// Every group of identical rows of [`Index::copy`] (two or more rows, ascending:
    /// the first is the original, the others its copies), so that DUP001 with its
    /// default parameters reads them instead of grouping the rows a second time.
    pub copy_runs: Vec<Vec<RowId>>,
    account_ids: FxHashMap<(Sym, Sym), AccId>,
    service_ids: FxHashMap<(AccId, Sym), SvcId>,
    /// The accounts of each carrier, in order of first appearance.
    carrier_accounts: FxHashMap<Sym, Vec<AccId>>,
    /// plans.csv by carrier and code, utilization.csv by circuit.
    pub catalogue: Catalogue,
    /// The (carrier, account, service, period) call detail could not measure
    /// (`Dump::unmeasured`): not measured, so never judged unused.
    unmeasured: FxHashSet<(Sym, Sym, Sym, Date)>,
    /// Per file ([`Dump::files`]), whether it is call detail read for usage
    /// ([`Dump::call_detail_files`]): its rows are usage of amount 0, no bill.
    call_detail: Vec<bool>,
}

impl Index {
    /// Groups a dump's rows once, so that every rule looks them up instead of regrouping.
    pub fn build(dump: &Dump) -> Index {
        Index::build_in_parts(dump, PART)
    }

    /// As [`Index::build`], grouping runs of `rows_per_part` rows in parallel
    /// (`build` takes 2^18): the index is the same whatever the size (a test
    /// compares them).
    pub fn build_in_parts(dump: &Dump, rows_per_part: usize) -> Index {
        use rayon::prelude::*;
        let call_detail = dump.call_detail_files();
        // Runs of rows grouped in parallel, then joined in row order: accounts
        // and services numbered in order of first appearance, as one pass would.
        let parts: Vec<Part> = dump
            .rows
            .par_chunks(rows_per_part.max(1))
            .map(|rows| Part::group(rows, &call_detail))
            .collect();
        let mut ix = Index {
            call_detail,
            ..Index::default()
        };
        // Per account, the latest period's (start, end): of its bill rows, and of
        // every row (for an account that call detail alone names).
        let mut latest: Vec<(Option<Span>, Span)> = Vec::new();
        let mut maps: Vec<(Vec<AccId>, Vec<SvcId>)> = Vec::with_capacity(parts.len());
        for part in &parts {
            let mut accs = Vec::with_capacity(part.accounts.len());
            for (info, l) in part.accounts.iter().zip(&part.latest) {
                let next = ix.accounts.len() as AccId;
                let a = *ix.account_ids.entry((info.carrier, info.account)).or_insert(next);
                if a == next {
                    ix.accounts.push(AccountInfo {
                        carrier: info.carrier,
                        account: info.account,
                        periods: Vec::new(),
                        services: Vec::new(),
                        latest_end: None,
                    });
                    ix.carrier_accounts.entry(info.carrier).or_default().push(a);
                    latest.push(*l);
                } else {
                    let g = &mut latest[a as usize];
                    further_span(&mut g.1, l.1);
                    match (&mut g.0, l.0) {
                        (Some(b), Some(x)) => further_span(b, x),
                        (None, x) => g.0 = x,
                        (Some(_), None) => {}
                    }
                }
                ix.accounts[a as usize].periods.extend_from_slice(&info.periods);
                accs.push(a);
            }
            let mut svcs = Vec::with_capacity(part.services.len());
            for info in &part.services {
                let acc = accs[info.acc as usize];
                let next = ix.services.len() as SvcId;
                let s = *ix.service_ids.entry((acc, info.service)).or_insert(next);
                if s == next {
                    ix.services.push(ServiceInfo {
                        acc,
                        service: info.service,
                        rows: Vec::new(),
                    });
                    ix.accounts[acc as usize].services.push(s);
                }
                svcs.push(s);
            }
            maps.push((accs, svcs));
        }
        let renumbered: Vec<(Vec<AccId>, Vec<SvcId>)> = parts
            .par_iter()
            .zip(&maps)
            .map(|(part, (accs, svcs))| {
                (
                    part.row_acc.iter().map(|&a| accs[a as usize]).collect(),
                    part.row_svc.iter().map(|&s| svcs[s as usize]).collect(),
                )
            })
            .collect();
        let n = dump.rows.len();
        ix.row_acc = Vec::with_capacity(n);
        ix.row_svc = Vec::with_capacity(n);
        for (accs, svcs) in renumbered {
            ix.row_acc.extend(accs);
            ix.row_svc.extend(svcs);
        }
        // Each service's rows, ascending: counted first, so each list is
        // made at its size instead of grown row by row.
        let mut counts = vec![0usize; ix.services.len()];
        for &s in &ix.row_svc {
            counts[s as usize] += 1;
        }
        for (info, &n) in ix.services.iter_mut().zip(&counts) {
            info.rows = Vec::with_capacity(n);
        }
        for (i, &s) in ix.row_svc.iter().enumerate() {
            ix.services[s as usize].rows.push(i as RowId);
        }
        for (a, l) in ix.accounts.iter_mut().zip(&latest) {
            a.periods.sort_unstable();
            a.periods.dedup();
            // The bill rows' end of the latest period, when they bill it.
            a.latest_end = Some(match l.0 {
                Some(b) if b.0 == l.1 .0 => b.1,
                _ => l.1 .1,
            });
        }
        (ix.copy, ix.copy_runs) = mark_copies(dump, &ix);
        ix.catalogue = Catalogue::build(dump);
        ix.unmeasured = dump
            .unmeasured
            .iter()
            .map(|u| (u.carrier, u.account, u.service, u.period_start))
            .collect();
        ix
    }

    /// Whether a row is call detail's usage (docs/formats.md section 12): no bill
    /// row, so it never shows that a period was billed.
    pub fn is_call_detail(&self, dump: &Dump, row: RowId) -> bool {
        let file = dump.rows[row as usize].source.file.0 as usize;
        self.call_detail.get(file).copied().unwrap_or(false)
    }

    /// Whether a row is a copy that DUP001 claims (see [`Index::copy`]).
    pub fn is_copy(&self, row: RowId) -> bool {
        self.copy.get(row as usize).copied().unwrap_or(false)
    }

    /// Whether a row carries monthly money: it bills its account's latest period
    /// and is not a copy (formats.md section 6).
    pub fn recurs_monthly(&self, dump: &Dump, row: RowId) -> bool {
        self.is_latest(dump, row) && !self.is_copy(row)
    }

    /// Whether call detail could not measure a service in a period (a record of
    /// its export that could not be read): its use there is unknown.
    pub fn is_unmeasured(&self, carrier: Sym, account: Sym, service: Sym, period: Date) -> bool {
        !self.unmeasured.is_empty() && self.unmeasured.contains(&(carrier, account, service, period))
    }

    /// The account of a (carrier, account) pair, if it has rows.
    pub fn account(&self, carrier: Sym, account: Sym) -> Option<AccId> {
        self.account_ids.get(&(carrier, account)).copied()
    }

    /// The service of an account, if it has rows.
    pub fn service(&self, acc: AccId, service: Sym) -> Option<SvcId> {
        self.service_ids.get(&(acc, service)).copied()
    }

    /// The accounts of a carrier (empty if none).
    pub fn carrier_accounts(&self, carrier: Sym) -> &[AccId] {
        self.carrier_accounts.get(&carrier).map_or(&[], Vec::as_slice)
    }

    /// The accounts a contract or inventory line names: one, or with an empty
    /// account every account of the carrier.
    pub fn accounts_matching(&self, carrier: Sym, account: Sym) -> Vec<AccId> {
        if account.is_empty() {
            self.carrier_accounts(carrier).to_vec()
        } else {
            self.account(carrier, account).into_iter().collect()
        }
    }

    /// The account with this id.
    pub fn acc(&self, acc: AccId) -> &AccountInfo {
        &self.accounts[acc as usize]
    }

    /// The service with this id.
    pub fn svc(&self, svc: SvcId) -> &ServiceInfo {
        &self.services[svc as usize]
    }

    /// Whether a row bills its account's latest period.
    pub fn is_latest(&self, dump: &Dump, row: RowId) -> bool {
        let r = &dump.rows[row as usize];
        self.acc(self.row_acc[row as usize]).latest() == Some(r.period_start)
    }
}

/// A period's (start, end).
type Span = (Date, Date);

/// How many rows one task of [`Index::build`] groups.
const PART: usize = 1 << 18;

/// A run of rows grouped on its own: its accounts and services numbered from
/// 0 in order of first appearance (a service's `acc` is the part's number),
/// each account's latest period, and each row's numbers. [`Index::build`]
/// joins the parts in row order.
struct Part {
    accounts: Vec<AccountInfo>,
    services: Vec<ServiceInfo>,
    latest: Vec<(Option<Span>, Span)>,
    row_acc: Vec<AccId>,
    row_svc: Vec<SvcId>,
}

impl Part {
    fn group(rows: &[Row], call_detail: &[bool]) -> Part {
        let mut p = Part {
            accounts: Vec::new(),
            services: Vec::new(),
            latest: Vec::new(),
            row_acc: Vec::with_capacity(rows.len()),
            row_svc: Vec::with_capacity(rows.len()),
        };
        let mut account_ids: FxHashMap<(Sym, Sym), AccId> = FxHashMap::default();
        let mut service_ids: FxHashMap<(AccId, Sym), SvcId> = FxHashMap::default();
        // Rows come in runs of one account and service: remember the last lookup.
        let mut last_acc: Option<((Sym, Sym), AccId)> = None;
        let mut last_svc: Option<((AccId, Sym), SvcId)> = None;
        for r in rows {
            let ak = (r.carrier, r.account);
            let acc = match last_acc {
                Some((k, a)) if k == ak => a,
                _ => {
                    let next = p.accounts.len() as AccId;
                    let a = *account_ids.entry(ak).or_insert(next);
                    if a == next {
                        p.accounts.push(AccountInfo {
                            carrier: r.carrier,
                            account: r.account,
                            periods: Vec::new(),
                            services: Vec::new(),
                            latest_end: None,
                        });
                        p.latest.push((None, (r.period_start, r.period_end)));
                    }
                    last_acc = Some((ak, a));
                    a
                }
            };
            let sk = (acc, r.service);
            let svc = match last_svc {
                Some((k, s)) if k == sk => s,
                _ => {
                    let next = p.services.len() as SvcId;
                    let s = *service_ids.entry(sk).or_insert(next);
                    if s == next {
                        p.services.push(ServiceInfo {
                            acc,
                            service: r.service,
                            rows: Vec::new(),
                        });
                    }
                    last_svc = Some((sk, s));
                    s
                }
            };
            let info = &mut p.accounts[acc as usize];
            if info.periods.last() != Some(&r.period_start) {
                info.periods.push(r.period_start);
            }
            // The latest period's start and end so far, whatever the row order; call
            // detail's rows are no bill, so its period ends count only without one.
            let l = &mut p.latest[acc as usize];
            further(&mut l.1, r);
            if !call_detail
                .get(r.source.file.0 as usize)
                .copied()
                .unwrap_or(false)
            {
                match &mut l.0 {
                    Some(b) => further(b, r),
                    None => l.0 = Some((r.period_start, r.period_end)),
                }
            }
            p.row_acc.push(acc);
            p.row_svc.push(svc);
        }
        p
    }
}

/// [`further`] with another run's latest period: the later start, and for
/// the same start the greater end (the order of the runs does not matter).
fn further_span(l: &mut Span, other: Span) {
    if other.0 > l.0 {
        *l = other;
    } else if other.0 == l.0 {
        l.1 = l.1.max(other.1);
    }
}

/// Moves a latest period's (start, end) on to a row's: a later start replaces it,
/// the same start keeps the greatest end.
fn further(l: &mut Span, r: &Row) {
    if r.period_start > l.0 {
        *l = (r.period_start, r.period_end);
    } else if r.period_start == l.0 {
        l.1 = l.1.max(r.period_end);
    }
}

/// The charge types a copy can have (formats.md section 6, DUP001).
const COPY_TYPES: [ChargeType; 5] = [
    ChargeType::Recurring,
    ChargeType::OneTime,
    ChargeType::Usage,
    ChargeType::Fee,
    ChargeType::Surcharge,
];

/// What rows of one (account, service_id) must agree on to be copies: charge_type,
/// charge_code, description, period_start, period_end, quantity and amount.
type CopyKey = (ChargeType, Sym, Sym, u32, u32, i64, i64);

/// Marks every copy: per (account number, service_id), across carrier names as
/// DUP001 compares them, the positive rows of the copy types that agree on
/// [`CopyKey`]; all but the first row (the smallest id) of each group are copies.
/// Returns the marks and the groups.
fn mark_copies(dump: &Dump, ix: &Index) -> (Vec<bool>, Vec<Vec<RowId>>) {
    let runs = identical_runs(dump, ix, &|row: &Row| {
        COPY_TYPES.contains(&row.charge_type) && row.amount.is_positive()
    });
    let mut copy = vec![false; dump.rows.len()];
    for run in &runs {
        for &r in &run[1..] {
            copy[r as usize] = true;
        }
    }
    (copy, runs)
}

/// The groups of identical rows among the rows `keep` takes: per (account number,
/// service_id), across carrier names, rows that agree on [`CopyKey`], two or more,
/// each ascending (the original, then its copies). The (account, service_id)
/// groups are independent, so they are sorted in parallel. The index's copies use
/// it with DUP001's definition; a DUP001 rule file with other parameters with its
/// own `keep`.
pub(crate) fn identical_runs(
    dump: &Dump,
    ix: &Index,
    keep: &(dyn Fn(&Row) -> bool + Sync),
) -> Vec<Vec<RowId>> {
    use rayon::prelude::*;
    let mut groups: FxHashMap<(Sym, Sym), Vec<SvcId>> = FxHashMap::default();
    for (s, info) in ix.services.iter().enumerate() {
        groups
            .entry((ix.acc(info.acc).account, info.service))
            .or_default()
            .push(s as SvcId);
    }
    let groups: Vec<Vec<SvcId>> = groups.into_values().collect();
    groups
        .par_iter()
        .flat_map_iter(|svcs| group_runs(dump, ix, svcs, keep))
        .collect()
}

/// The groups of identical rows (two or more, ascending) among the rows `keep`
/// takes of the services of one (account number, service_id).
fn group_runs(
    dump: &Dump,
    ix: &Index,
    svcs: &[SvcId],
    keep: &(dyn Fn(&Row) -> bool + Sync),
) -> Vec<Vec<RowId>> {
    let mut keyed: Vec<(CopyKey, RowId)> = Vec::new();
    for &s in svcs {
        for &r in &ix.svc(s).rows {
            let row = &dump.rows[r as usize];
            if !keep(row) {
                continue;
            }
            let key = (
                row.charge_type,
                row.charge_code,
                row.description,
                row.period_start.packed(),
                row.period_end.packed(),
                row.quantity.0,
                row.amount.0,
            );
            keyed.push((key, r));
        }
    }
    if keyed.len() < 2 {
        return Vec::new();
    }
    keyed.sort_unstable();
    keyed
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() >= 2)
        .map(|run| run.iter().map(|k| k.1).collect())
        .collect()
}
