//! `missing_contract_credit` (CRD001).

use crate::config::RuleError;
use crate::index::{AccId, Index};
use crate::kinds::{Fields, Kind, KindDef};
use std::sync::Arc;
use crate::util::{money, money_m, periods_text, Draft, SymMemo};
use rustc_hash::FxHashMap;
use telaudit_model::{ChargeType, Claim, ClaimKey, Contract, ContractKind, Date, Decimal, Dump, Finding, RowId, Sym};

/// This kind's entry in the registry ([`crate::kinds::REGISTRY`]).
pub const KIND: KindDef = KindDef {
    name: "missing_contract_credit",
    heading: " (CRD001)",
    params: &[],
    note: "No parameters: it reads the credit contracts of contracts.csv.",
    key: "the contract line's charge_code, its account as written (empty for a carrier-wide contract) and its effective_from (empty when open) (one finding per contract and service or account); when two contract lines of one code, account and start owe a credit on one service, both keys end with their line's effective_to",
    read: |f| Ok(Arc::new(MissingContractCredit::read(f)?)),
};

/// ## What it does
/// Checks every `credit` contract (contracts.csv): in each period inside the
/// contract's window in which the service is billed (any bill row of it, amount-0
/// usage rows included; for an account-level credit, with an empty service_id, any
/// bill row of the account; the usage rows read from call detail are no bill row,
/// docs/formats.md section 12), the
/// `credit` rows with the contract's charge_code (for an account-level credit:
/// those with an empty service_id) must sum to at least the amount owed. A
/// contract with an empty account applies to every account of its carrier.
///
/// One claim per (carrier, account, service, period, code), a
/// [`ClaimKey::MissingCredit`]; when several contracts owe the same credit there,
/// the one naming the account wins over a carrier-wide one, then the larger amount.
/// One finding per contract and service (or account).
///
/// ## Finding key
/// The rule id, carrier, account, service_id (empty for an account-level credit),
/// then the contract line's charge_code, its account as written (empty for a
/// carrier-wide line) and its effective_from (empty when open-ended): one finding
/// per contract and service ([`KindDef::key`]). The contract's line number and
/// amount are not part of it. When two contract lines of one code, account and
/// start owe a credit on one service (a credit renewed with another end date),
/// both keys also carry their line's effective_to.
///
/// ## Why is this bad
/// The contract promises the credit every period: each period it is missing or
/// short, the client overpays the shortfall (recoverable, summed over periods).
/// Until the carrier fixes it, the shortfall recurs: monthly is the shortfall
/// in the account's latest period, while the contract lasts (an effective_to on
/// or before the end of the latest period claims no monthly money: the next
/// bill falls outside the contract; formats.md section 6).
///
/// ## Example
/// The fixture `crates/rules/tests/fixtures/missing_contract_credit/` is this example.
///
/// Contracts: credit, carrier V, account 100, code CRD10, 10.00, one for service
/// 555-0100 and one for 555-0200.
///
/// | row | service | type | code | period | amount |
/// |---|---|---|---|---|---|
/// | a.csv:2 | 555-0100 | recurring | PLAN | 2025-01-01 | 45.00 |
/// | a.csv:3 | 555-0100 | credit | CRD10 | 2025-01-01 | -4.00 |
/// | a.csv:4 | 555-0100 | recurring | PLAN | 2025-02-01 | 45.00 |
/// | a.csv:5 | 555-0200 | recurring | PLAN | 2025-02-01 | 45.00 |
/// | a.csv:6 | 555-0200 | credit | CRD10 | 2025-02-01 | -10.00 |
///
/// Found: January short 6.00, February missing (10.00); recoverable 16.00, monthly
/// 10.00 (February is the latest period): "contract credit CRD10 of 10.00 a period
/// missing in 1 period (no credit row on invoice INV2) and short in 1, 16.00 in
/// total, 2 periods". Evidence: a.csv:3, January's credit row; February has none,
/// so its invoice is named instead (never an unrelated bill row of the period).
/// 555-0200 got its full credit: not found.
#[derive(Clone, Debug)]
pub struct MissingContractCredit;

/// (account, service, period, credit code).
type CreditKey = (AccId, Sym, Date, Sym);

impl MissingContractCredit {
    pub(crate) fn read(_f: &mut Fields) -> Result<Self, RuleError> {
        Ok(MissingContractCredit)
    }
}

impl Kind for MissingContractCredit {
    fn run(&self, id: &str, dump: &Dump, ix: &Index) -> Vec<Finding> {
        let contracts: Vec<usize> = (0..dump.contracts.len())
            .filter(|&i| dump.contracts[i].kind == ContractKind::Credit)
            .collect();
        if contracts.is_empty() {
            return Vec::new();
        }
        // Which contract owes each (account, service, period, code).
        let mut owed: FxHashMap<CreditKey, usize> = FxHashMap::default();
        for &ci in &contracts {
            let c = &dump.contracts[ci];
            for acc in ix.accounts_matching(c.carrier, c.account) {
                let periods: Vec<Date> = if c.service.is_empty() {
                    ix.acc(acc).periods.clone()
                } else {
                    match ix.service(acc, c.service) {
                        Some(s) => {
                            // Billed: a bill row of it (call detail's usage is no bill).
                            let mut p: Vec<Date> = ix
                                .svc(s)
                                .rows
                                .iter()
                                .filter(|&&r| !ix.is_call_detail(dump, r))
                                .map(|&r| dump.rows[r as usize].period_start)
                                .collect();
                            p.sort_unstable();
                            p.dedup();
                            p
                        }
                        None => Vec::new(),
                    }
                };
                for p in periods.into_iter().filter(|&p| c.covers(p)) {
                    owed.entry((acc, c.service, p, c.charge_code))
                        .and_modify(|prev| {
                            let o = &dump.contracts[*prev];
                            let better =
                                (!c.account.is_empty(), c.amount) > (!o.account.is_empty(), o.amount);
                            if better {
                                *prev = ci;
                            }
                        })
                        .or_insert(ci);
                }
            }
        }
        // The credit rows given, per (account, service, period, code).
        // Summed as Decimal: ten 12-digit amounts overflow an i64 of millionths.
        let mut given: Given = FxHashMap::default();
        let codes = SymMemo::of(dump, contracts.iter().map(|&ci| dump.contracts[ci].charge_code));
        for (i, row) in dump.rows.iter().enumerate() {
            if row.charge_type != ChargeType::Credit || !codes.contains(row.charge_code) {
                continue;
            }
            let key = (ix.row_acc[i], row.service, row.period_start, row.charge_code);
            if owed.contains_key(&key) {
                let e = given.entry(key).or_insert((Decimal::ZERO, Vec::new()));
                e.0 += row.amount.to_decimal();
                e.1.push(i as RowId);
            }
        }
        // Shortfalls, grouped per (contract, account, service).
        let mut groups: FxHashMap<(usize, AccId, Sym), Vec<(Date, Decimal)>> = FxHashMap::default();
        for (&(acc, service, period, _code), &ci) in &owed {
            let credited = given
                .get(&(acc, service, period, _code))
                .map_or(Decimal::ZERO, |g| g.0);
            let short = dump.contracts[ci].amount.to_decimal() + credited;
            if short > Decimal::ZERO {
                groups
                    .entry((ci, acc, service))
                    .or_default()
                    .push((period, short));
            }
        }
        let mut found: Vec<(usize, Finding)> = groups
            .into_iter()
            .map(|((ci, acc, service), periods)| (ci, finding(id, dump, ix, &given, (ci, acc, service), periods)))
            .collect();
        distinct_keys(dump, &mut found);
        found.into_iter().map(|(_, f)| f).collect()
    }
}

/// Two contract lines of one code, account and start (a credit renewed with
/// another end date) would give their findings on one service the same key:
/// those keys also carry their line's effective_to (empty when open), so the
/// history and the claims ledger tell them apart. Other keys stay as they are.
fn distinct_keys(dump: &Dump, found: &mut [(usize, Finding)]) {
    let mut seen: FxHashMap<&str, usize> = FxHashMap::default();
    for (_, f) in found.iter() {
        *seen.entry(f.key.as_str()).or_default() += 1;
    }
    let shared: rustc_hash::FxHashSet<String> = seen
        .into_iter()
        .filter(|&(_, n)| n > 1)
        .map(|(k, _)| k.to_string())
        .collect();
    for (ci, f) in found.iter_mut() {
        if shared.contains(&f.key) {
            let end = dump.contracts[*ci]
                .effective_to
                .map(|d| d.to_string())
                .unwrap_or_default();
            f.key = format!("{}|{end}", f.key);
        }
    }
}

/// The credit rows given, and their sum, per (account, service, period, code).
type Given = FxHashMap<CreditKey, (Decimal, Vec<RowId>)>;

/// The finding of one contract on one service (or account): a claim per period
/// short, its credit rows as evidence, its words.
fn finding(
    id: &str,
    dump: &Dump,
    ix: &Index,
    given: &Given,
    (ci, acc, service): (usize, AccId, Sym),
    mut periods: Vec<(Date, Decimal)>,
) -> Finding {
            periods.sort_unstable();
            let c = &dump.contracts[ci];
            let info = ix.acc(acc);
            let mut draft = contract_draft(dump, c, info.carrier, info.account, service);
            let mut total = Decimal::ZERO;
            // The invoices of the periods without any credit row.
            let mut missing: Vec<Sym> = Vec::new();
            let mut missing_periods = 0;
            for &(period, short) in &periods {
                total += short;
                draft.periods.push(period);
                // Monthly money rests on the contract: none once it has run out.
                let monthly = if info.latest() == Some(period) && info.contract_lasts(c.effective_to) {
                    short
                } else {
                    Decimal::ZERO
                };
                draft.claims.push(Claim {
                    key: ClaimKey::MissingCredit {
                        carrier: info.carrier,
                        account: info.account,
                        service,
                        period,
                        code: c.charge_code,
                    },
                    recoverable: short,
                    monthly,
                    expired: Decimal::ZERO,
                });
                // Evidence: the credit rows found; none found names the invoices instead
                // (never an unrelated bill row of the period).
                match given.get(&(acc, service, period, c.charge_code)) {
                    Some((_, rows)) if !rows.is_empty() => draft.rows.extend_from_slice(rows),
                    _ => {
                        missing_periods += 1;
                        for inv in billed_invoices(dump, ix, acc, service, period) {
                            if !missing.contains(&inv) {
                                missing.push(inv);
                            }
                        }
                    }
                }
            }
            draft.invoices.extend_from_slice(&missing);
            let text = describe(dump, c, service, &missing, missing_periods, periods.len(), total);
            draft.finish(id, dump, text)
}

/// The finding's words: the contract's credit, whether it is missing (and from
/// which invoices) or short, the total and the number of periods, e.g.
/// `contract credit CRD10 of 10.00 a period missing in 1 period (no credit row on
/// invoice I2) and short in 2, 18.50 in total, 3 periods`.
fn describe(
    dump: &Dump,
    c: &telaudit_model::Contract,
    service: Sym,
    missing: &[Sym],
    missing_periods: usize,
    periods: usize,
    total: Decimal,
) -> String {
    let level = if service.is_empty() {
        "account credit"
    } else {
        "credit"
    };
    let head = format!("contract {level} {} of {} a period", dump.s(c.charge_code), money_m(c.amount));
    let mut names: Vec<&str> = missing.iter().map(|&s| dump.s(s)).collect();
    names.sort_unstable();
    let none_on = match names.len() {
        0 => "no credit row in the period".to_string(),
        1 => format!("no credit row on invoice {}", names[0]),
        n if n <= 3 => format!("no credit row on invoices {}", names.join(", ")),
        n => format!("no credit row on invoices {} and {} more", names[..3].join(", "), n - 3),
    };
    let short_periods = periods - missing_periods;
    let total = money(total);
    let n = periods_text(periods);
    match (missing_periods, short_periods) {
        (0, _) => format!("{head} short by {total} in total, {n}"),
        (_, 0) => format!("{head} missing ({none_on}), {total} in total, {n}"),
        (m, s) => format!(
            "{head} missing in {} ({none_on}) and short in {s}, {total} in total, {n}",
            periods_text(m)
        ),
    }
}

/// A finding's draft for contract `c` on a service (or account): its basis is
/// the contract line, its key group the line's code, account and start.
fn contract_draft(dump: &Dump, c: &Contract, carrier: Sym, account: Sym, service: Sym) -> Draft {
    let mut draft = Draft::new(carrier, account, service);
    draft.basis.push(c.source);
    draft.group = vec![
        dump.s(c.charge_code).to_string(),
        dump.s(c.account).to_string(),
        c.effective_from.map(|d| d.to_string()).unwrap_or_default(),
    ];
    draft
}

/// The invoices showing that a period was billed: those of the service's rows
/// in it; for an account-level credit, those of the account's rows in it.
fn billed_invoices(dump: &Dump, ix: &Index, acc: AccId, service: Sym, period: Date) -> Vec<Sym> {
    let svcs: Vec<u32> = if service.is_empty() {
        ix.acc(acc).services.clone()
    } else {
        ix.service(acc, service).into_iter().collect()
    };
    let mut out: Vec<Sym> = Vec::new();
    for s in svcs {
        for &r in &ix.svc(s).rows {
            let row = &dump.rows[r as usize];
            if row.period_start == period && !ix.is_call_detail(dump, r) && !out.contains(&row.invoice) {
                out.push(row.invoice);
            }
        }
    }
    out
}
