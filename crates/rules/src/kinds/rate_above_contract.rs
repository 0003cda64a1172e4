//! `rate_above_contract` (RAT001).

use crate::config::RuleError;
use crate::index::{AccId, Index};
use crate::kinds::{Fields, Kind, KindDef, Param};
use std::sync::Arc;
use crate::util::{exact_text, money, periods_text, quantity_text, row_claim, Draft, SymMemo};
use rustc_hash::FxHashMap;
use telaudit_model::{ChargeType, ChargeTypes, ContractKind, Decimal, Dump, Finding, RowId, Sym};

/// This kind's entry in the registry ([`crate::kinds::REGISTRY`]).
pub const KIND: KindDef = KindDef {
    name: "rate_above_contract",
    heading: " (RAT001)",
    params: &[
        Param {
            key: "charge_types",
            default: "`[\"recurring\", \"usage\", \"one_time\"]`",
            meaning: "which rows a rate contract caps",
        },
    ],
    note: "",
    key: "the charge_code (one finding per service and capped code)",
    read: |f| Ok(Arc::new(RateAboveContract::read(f)?)),
};

/// ## What it does
/// Checks rows against `rate` contracts (contracts.csv): a row of the chosen
/// charge types (default `recurring`, `usage`, `one_time`) whose charge_code a
/// rate contract caps, with period_start inside the contract's window, billed at a
/// unit_rate (else amount / quantity) above the contracted rate. The contract
/// matches on carrier and charge_code, and on account when it names one. When
/// several contracts match a row, the one naming the account wins over a
/// carrier-wide one, then the lowest rate; a row is claimed once.
///
/// The excess is (unit_rate - rate) x quantity when the row has a unit_rate,
/// else amount - rate x quantity, computed exactly. Rows with a quantity of 0 or
/// less are skipped: with a negative quantity that product is positive exactly
/// when the unit price is below the rate, which is no overbilling. One finding per service and charge_code.
///
/// ## Finding key
/// The rule id, carrier, account, service_id, then the charge_code: one finding
/// per service and capped code ([`KindDef::key`]). Neither the rate nor the
/// contract line is part of it, so a new contract rate keeps the key.
///
/// ## Why is this bad
/// The contract is a price ceiling: everything above it is overbilled and
/// recoverable. Until the carrier reprices, it recurs: monthly is the excess on
/// the latest period's rows, copies excepted, while the contract lasts: a contract
/// whose effective_to is on or before the end of the account's latest period (the
/// next bill falls outside it) claims no monthly money until it is renewed
/// (formats.md section 6); its recoverable stands. The finding's text gives the rates
/// at full precision (billed 0.0475 against contracted 0.045, never rounded to
/// cents), so the carrier sees the very figures of its bill and the contract.
///
/// ## Example
/// The fixture `crates/rules/tests/fixtures/rate_above_contract/` is this example.
///
/// Contract: rate, carrier V, code PLAN, 35.00; the rows are service 555-0100's.
///
/// | row | code | period | quantity | unit_rate | amount |
/// |---|---|---|---|---|---|
/// | a.csv:2 | PLAN | 2025-01-01 | 2 | 40.00 | 80.00 |
/// | a.csv:3 | PLAN | 2025-02-01 | 1 | | 35 |
///
/// Found: a.csv:2, excess (40 - 35) x 2 = 10.00 recoverable (monthly 0: January
/// is not the latest period). a.csv:3 is at the contracted rate (35 = 35.00).
#[derive(Clone, Debug)]
pub struct RateAboveContract {
    /// Which charge types a rate contract caps (`charge_types`).
    pub charge_types: ChargeTypes,
}

impl RateAboveContract {
    pub(crate) fn read(f: &mut Fields) -> Result<Self, RuleError> {
        use ChargeType::*;
        Ok(RateAboveContract {
            charge_types: f
                .opt_charge_types("charge_types")?
                .unwrap_or(ChargeTypes::of(&[Recurring, Usage, OneTime])),
        })
    }
}

impl Kind for RateAboveContract {
    fn run(&self, id: &str, dump: &Dump, ix: &Index) -> Vec<Finding> {
        // Rate contracts by (carrier, charge_code, account), account EMPTY for
        // carrier-wide ones, each list in file order: a row looks at the contracts
        // of its own account and the carrier-wide ones only (a client with a contract
        // per account would otherwise scan them all for every row).
        let mut by_code: FxHashMap<(Sym, Sym, Sym), Vec<usize>> = FxHashMap::default();
        for (i, c) in dump.contracts.iter().enumerate() {
            if c.kind == ContractKind::Rate {
                by_code
                    .entry((c.carrier, c.charge_code, c.account))
                    .or_default()
                    .push(i);
            }
        }
        if by_code.is_empty() {
            return Vec::new();
        }
        let capped = SymMemo::of(dump, by_code.keys().map(|k| k.1));
        struct Group {
            draft: Draft,
            max_price: Decimal,
            max_price_text: String,
            rate: Option<Decimal>,
            mixed_rates: bool,
        }
        let mut groups: FxHashMap<(AccId, Sym, Sym), Group> = FxHashMap::default();
        for (i, row) in dump.rows.iter().enumerate() {
            if !self.charge_types.contains(row.charge_type) || !capped.contains(row.charge_code) {
                continue;
            }
            // Most specific (names the account), then lowest rate, then first in the file.
            let lowest = |account: Sym| {
                by_code
                    .get(&(row.carrier, row.charge_code, account))?
                    .iter()
                    .map(|&ci| &dump.contracts[ci])
                    .filter(|c| c.covers(row.period_start))
                    .min_by_key(|c| c.amount)
            };
            let best = if row.account.is_empty() {
                lowest(Sym::EMPTY)
            } else {
                lowest(row.account).or_else(|| lowest(Sym::EMPTY))
            };
            let Some(c) = best else { continue };
            // A quantity of 0 or less has no unit price above the rate to claim: with a
            // negative quantity, (u - rate) x qty is positive exactly when u is BELOW it.
            if !row.quantity.is_positive() {
                continue;
            }
            // Exactly, in millionths of millionths: (u - rate) x qty, or amount - rate x qty.
            let (rate, qty) = (i128::from(c.amount.0), i128::from(row.quantity.0));
            let excess = match row.unit_rate {
                Some(u) => (i128::from(u.0) - rate) * qty,
                None => i128::from(row.amount.0) * 1_000_000 - rate * qty,
            };
            if excess <= 0 {
                continue;
            }
            let excess = exact(excess);
            let (price, price_text) = unit_price(row);
            let rate = c.amount.to_decimal();
            let r = i as RowId;
            let acc = ix.row_acc[i];
            // Monthly money rests on the contract: none once it has run out.
            let monthly = if ix.recurs_monthly(dump, r) && ix.acc(acc).contract_lasts(c.effective_to) {
                excess
            } else {
                Decimal::ZERO
            };
            let g = groups
                .entry((acc, row.service, row.charge_code))
                .or_insert_with(|| Group {
                    draft: Draft {
                        group: vec![dump.s(row.charge_code).to_string()],
                        ..Draft::new(row.carrier, row.account, row.service)
                    },
                    max_price: price,
                    max_price_text: price_text.clone(),
                    rate: Some(rate),
                    mixed_rates: false,
                });
            g.draft.rows.push(r);
            g.draft.claims.push(row_claim(r, excess, monthly));
            if !g.draft.basis.contains(&c.source) {
                g.draft.basis.push(c.source);
            }
            if price > g.max_price {
                g.max_price = price;
                g.max_price_text = price_text;
            }
            if g.rate != Some(rate) {
                g.mixed_rates = true;
            }
        }
        let mut findings = Vec::with_capacity(groups.len());
        for ((_, _, code), g) in groups {
            let n = g.draft.distinct_periods(dump).len();
            let contracted = match (g.mixed_rates, g.rate) {
                (false, Some(r)) => format!("contracted {}", exact_text(r)),
                _ => "the contracted rates".to_string(),
            };
            let excess: Decimal = g.draft.claims.iter().map(|c| c.recoverable).sum();
            let text = format!(
                "{} billed at up to {} a unit against {contracted}, {} over in total, {}",
                dump.s(code),
                g.max_price_text,
                money(excess),
                periods_text(n)
            );
            findings.push(g.draft.finish(id, dump, text));
        }
        findings
    }
}

/// A row's unit price and its text at full precision: the unit_rate, else
/// amount / quantity; when that division does not end, the text says
/// `(amount / quantity)` rather than round.
fn unit_price(row: &telaudit_model::Row) -> (Decimal, String) {
    if let Some(u) = row.unit_rate {
        let u = u.to_decimal();
        return (u, exact_text(u));
    }
    let (amount, qty) = (row.amount.to_decimal(), row.quantity.to_decimal());
    let price = amount / qty;
    // A quotient that ended has few digits; one cut at Decimal's 28 digits has not.
    if price.normalize().scale() <= 18 && price.checked_mul(qty) == Some(amount) {
        (price, exact_text(price))
    } else {
        let text = format!("({} / {})", exact_text(amount), quantity_text(qty));
        (price, text)
    }
}

/// A value in millionths of millionths as an exact decimal.
fn exact(v: i128) -> Decimal {
    // |v| < 2^96 holds for any amounts and quantities of up to 12 integer digits
    // whose product stays below 10^16; beyond that, divide first (still exact for
    // 6-decimal inputs, whose product has at most 12 decimal places).
    match Decimal::try_from_i128_with_scale(v, 12) {
        Ok(d) => d.normalize(),
        Err(_) => {
            // Beyond even that (rate x quantity above 10^28): saturate rather than panic.
            let high = Decimal::try_from_i128_with_scale(v / 1_000_000, 6).unwrap_or(Decimal::MAX);
            high.saturating_add(Decimal::from_i128_with_scale(v % 1_000_000, 12))
        }
    }
}
