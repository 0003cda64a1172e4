//! Building findings: evidence, invoices, periods and totals from the rows a finding rests on.

use std::cmp::Ordering;
use telaudit_model::{money_string, Claim, Date, Decimal, Dump, Finding, Micros, RowId, SourceRef, Sym};

/// What a kind knows about one finding before its text is written.
pub(crate) struct Draft {
    pub carrier: Sym,
    pub account: Sym,
    pub service: Sym,
    /// Every row it rests on (any order, repeats allowed).
    pub rows: Vec<RowId>,
    pub basis: Vec<SourceRef>,
    pub claims: Vec<Claim>,
    /// The periods it covers; when empty, those of `rows`.
    pub periods: Vec<Date>,
    /// Invoices it names beyond those of `rows` (a credit missing from an invoice).
    pub invoices: Vec<Sym>,
    /// The kind's own grouping: the parts of the finding key after the rule id,
    /// carrier, account and service_id (see [`crate::kinds::KindDef::key`]).
    pub group: Vec<String>,
}

impl Draft {
    pub(crate) fn new(carrier: Sym, account: Sym, service: Sym) -> Draft {
        Draft {
            carrier,
            account,
            service,
            rows: Vec::new(),
            basis: Vec::new(),
            claims: Vec::new(),
            periods: Vec::new(),
            invoices: Vec::new(),
            group: Vec::new(),
        }
    }

    /// The distinct periods it covers, ascending.
    pub(crate) fn distinct_periods(&self, dump: &Dump) -> Vec<Date> {
        let mut p: Vec<Date> = if self.periods.is_empty() {
            self.rows
                .iter()
                .map(|&r| dump.rows[r as usize].period_start)
                .collect()
        } else {
            self.periods.clone()
        };
        p.sort_unstable();
        p.dedup();
        p
    }

    /// The finding, with `description` as its text.
    pub(crate) fn finish(mut self, rule: &str, dump: &Dump, description: String) -> Finding {
        let periods = self.distinct_periods(dump);
        self.rows.sort_unstable();
        self.rows.dedup();
        let mut evidence: Vec<SourceRef> = self.rows.iter().map(|&r| dump.rows[r as usize].source).collect();
        evidence.sort_unstable();
        evidence.dedup();
        let mut invoices: Vec<Sym> = self.rows.iter().map(|&r| dump.rows[r as usize].invoice).collect();
        invoices.extend_from_slice(&self.invoices);
        invoices.sort_unstable();
        invoices.dedup();
        invoices.sort_by(|a, b| dump.s(*a).cmp(dump.s(*b)));
        self.basis.sort_unstable();
        self.basis.dedup();
        let (recoverable, monthly, expired) = claim_sums(&self.claims);
        let (first_period, last_period) = match (periods.first(), periods.last()) {
            (Some(&f), Some(&l)) => (f, l),
            _ => (no_date(), no_date()),
        };
        let mut parts = vec![
            rule,
            dump.s(self.carrier),
            dump.s(self.account),
            dump.s(self.service),
        ];
        parts.extend(self.group.iter().map(String::as_str));
        let key = telaudit_model::finding_key(&parts);
        Finding {
            key,
            rule: rule.to_string(),
            carrier: self.carrier,
            account: self.account,
            service: self.service,
            invoices,
            first_period,
            last_period,
            description,
            recoverable,
            monthly,
            expired,
            claim_by: None,
            evidence,
            basis: self.basis,
            claims: self.claims,
            change: None,
        }
    }
}

/// The sums of claims' recoverable, monthly and expired values, exactly as
/// `Iterator::sum` of each gives them, in one pass.
pub(crate) fn claim_sums(claims: &[Claim]) -> (Decimal, Decimal, Decimal) {
    let (mut r, mut m, mut e) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for c in claims {
        r += c.recoverable;
        m += c.monthly;
        e += c.expired;
    }
    (r, m, e)
}

/// The period shown for a finding that rests on no row at all (it cannot happen
/// for the built-in kinds, which always rest on rows).
pub(crate) fn no_date() -> Date {
    match Date::from_ymd(1, 1, 1) {
        Some(d) => d,
        None => unreachable!("0001-01-01 is a valid date"),
    }
}

/// What a service is billed for, as a change's `from`: the distinct
/// charge_codes of `rows` (in row order) that are `recurring` rows of the
/// period `latest`, `+`-joined (`VZ5GB + HOTSPOT`); else of all of `rows`.
pub(crate) fn billed_codes(dump: &Dump, rows: &[RowId], latest: Option<Date>) -> String {
    let pick = |recurring_only: bool| {
        let mut codes: Vec<&str> = Vec::new();
        for &r in rows {
            let row = &dump.rows[r as usize];
            let wanted = !recurring_only
                || (row.charge_type == telaudit_model::ChargeType::Recurring
                    && Some(row.period_start) == latest);
            let code = dump.s(row.charge_code);
            if wanted && !code.is_empty() && !codes.contains(&code) {
                codes.push(code);
            }
        }
        codes.join(" + ")
    };
    let recurring = pick(true);
    if recurring.is_empty() {
        pick(false)
    } else {
        recurring
    }
}

/// `1 period`, `3 periods`.
pub(crate) fn periods_text(n: usize) -> String {
    if n == 1 {
        "1 period".to_string()
    } else {
        format!("{n} periods")
    }
}

/// Money for a description: exactly 2 decimals, rounded half away from zero.
pub(crate) fn money(d: Decimal) -> String {
    money_string(d)
}

pub(crate) fn money_m(m: Micros) -> String {
    money_string(m.to_decimal())
}

/// A rate or quantity for a text, at full precision: never rounded, at least 2
/// decimals, no trailing zeros beyond them (`0.045`, `0.0475`, `35.00`), so a
/// carrier reading the claim sees the very figures of its bill and the contract.
pub(crate) fn exact_text(d: Decimal) -> String {
    let mut v = d.normalize();
    if v.scale() < 2 {
        v.rescale(2);
    }
    if v.is_zero() {
        return "0.00".to_string();
    }
    v.to_string()
}

/// A quantity for a text, at full precision without padding (`100`, `2.5`).
pub(crate) fn quantity_text(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A claim on a row.
pub(crate) fn row_claim(row: RowId, recoverable: Decimal, monthly: Decimal) -> Claim {
    Claim {
        key: telaudit_model::ClaimKey::Row(row),
        recoverable,
        monthly,
        expired: Decimal::ZERO,
    }
}

/// The order findings are listed in: carrier, account, service (by text),
/// description, first period, then evidence.
pub(crate) fn finding_order(dump: &Dump, a: &Finding, b: &Finding) -> Ordering {
    dump.s(a.carrier)
        .cmp(dump.s(b.carrier))
        .then_with(|| dump.s(a.account).cmp(dump.s(b.account)))
        .then_with(|| dump.s(a.service).cmp(dump.s(b.service)))
        .then_with(|| a.description.cmp(&b.description))
        .then_with(|| a.first_period.cmp(&b.first_period))
        .then_with(|| a.evidence.cmp(&b.evidence))
        .then_with(|| a.basis.cmp(&b.basis))
}

/// A yes/no answer per symbol, computed at most once each: a flat table indexed
/// by symbol number (never shown to a user), cheaper than hashing in per-row loops.
pub(crate) struct SymMemo {
    /// 0 = not asked yet, 1 = no, 2 = yes.
    state: Vec<u8>,
}

impl SymMemo {
    pub(crate) fn new(dump: &Dump) -> SymMemo {
        SymMemo {
            state: vec![0; dump.strings.len()],
        }
    }

    /// A table where the given symbols are yes and all others no.
    pub(crate) fn of(dump: &Dump, yes: impl IntoIterator<Item = Sym>) -> SymMemo {
        let mut m = SymMemo {
            state: vec![1; dump.strings.len()],
        };
        for s in yes {
            if let Some(v) = m.state.get_mut(s.0 as usize) {
                *v = 2;
            }
        }
        m
    }

    pub(crate) fn get(&mut self, sym: Sym, f: impl FnOnce() -> bool) -> bool {
        match self.state.get(sym.0 as usize) {
            Some(2) => true,
            Some(1) => false,
            Some(_) => {
                let yes = f();
                self.state[sym.0 as usize] = if yes { 2 } else { 1 };
                yes
            }
            None => f(),
        }
    }

    /// For tables made with [`SymMemo::of`].
    pub(crate) fn contains(&self, sym: Sym) -> bool {
        self.state.get(sym.0 as usize) == Some(&2)
    }
}
