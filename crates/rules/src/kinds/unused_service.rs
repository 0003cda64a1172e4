//! `unused_service` (UNU001).

use crate::config::RuleError;
use crate::index::{Index, ServiceInfo};
use crate::kinds::{Fields, Kind, KindDef, Param};
use std::sync::Arc;
use crate::util::{money, periods_text, row_claim, Draft};
use telaudit_model::{ChargeType, Date, Decimal, Dump, Finding, Micros};

/// This kind's entry in the registry ([`crate::kinds::REGISTRY`]).
pub const KIND: KindDef = KindDef {
    name: "unused_service",
    heading: " (UNU001)",
    params: &[
        Param {
            key: "idle_periods",
            default: "`3`",
            meaning: "how many of the account's latest periods must show no usage (usage_quantity > 0); an account with fewer periods is not looked at",
        },
        Param {
            key: "money_units",
            default: "`[\"CAD\", \"USD\"]`",
            meaning: "usage units that are money, not a measurement (compared ignoring case): a usage row in one of them (TELUS prints usage only as the dollars billed over the plan) says nothing about use, so it counts neither as a usage row nor as use",
        },
    ],
    note: "Usage read from call detail counts like any usage row, but a line measured by call detail \
           alone is judged only in periods whose call detail measures data, voice and messages for its \
           account (docs/formats.md section 12): a hotspot listed at 0 minutes by a voice-only export \
           (Verizon's Wireless Usage Detail, TELUS' Airtime Detail) is not measured, so never unused.",
    key: "none beyond the service: the rule id, carrier, account and service_id (one finding per service)",
    read: |f| Ok(Arc::new(UnusedService::read(f)?)),
};

/// ## What it does
/// Finds services nobody uses: a service (non-empty service_id) that has `usage`
/// rows somewhere in the dump, is billed a `recurring` charge in its account's
/// latest period, and has no usage row with usage_quantity > 0 in any of its
/// account's last `idle_periods` periods (default 3). The account must have at
/// least `idle_periods` periods: one idle bill (or two) is no evidence that a line
/// is unused, so an account with fewer periods is not looked at.
///
/// Usage read from call detail counts like any usage row (docs/formats.md, "Usage
/// from call detail"): a line billed in a period that a call-detail export of its
/// account does not list has a usage row of 0 for that period. A line that call
/// detail could not measure in a period of the window (`Dump::unmeasured`: a
/// record that could not be read, or a line measured by call detail alone where
/// its account's call detail of the period lacks one of data, voice and messages,
/// such as a hotspot listed at 0 minutes by Verizon's voice-only Wireless Usage
/// Detail) is not looked at unless it was used: not measured is never unused.
///
/// Only measured usage counts: a usage row whose usage_unit is one of
/// `money_units` (default CAD and USD, compared ignoring case) is left out, as if
/// absent. Such a row carries the dollars billed for usage over the plan (TELUS's
/// Group Summary), and no dollars over the plan does not mean no use, so a
/// service whose only usage rows are in money is not looked at.
///
/// One finding per service. Its evidence is the recurring rows of the latest
/// period and the (zero) usage rows of the idle periods.
///
/// ## Finding key
/// The rule id, carrier, account and service_id: one finding per service, so
/// nothing more is needed ([`KindDef::key`]).
///
/// ## Why is this bad
/// An unused line still costs its monthly plan. Nothing was overbilled (the
/// carrier billed what was ordered), so recoverable is 0; cancelling the line saves
/// its recurring charges every month: monthly is their amount in the latest period,
/// copies excepted (a copy is a one-time error that DUP001 claims back). Its change
/// (`changes/<carrier>.csv`) is the action `suspend` (suspend or cancel the line),
/// from the codes of those recurring rows.
///
/// ## Example
/// The fixture `crates/rules/tests/fixtures/unused_service/` is this example.
///
/// Account periods 2025-01 .. 2025-04 (latest 2025-04-01), service 555-0100:
///
/// | row | type | period | usage_quantity | amount |
/// |---|---|---|---|---|
/// | a.csv:2 | usage | 2025-01-01 | 120 | 0.00 |
/// | a.csv:3 | usage | 2025-02-01 | 0 | 0.00 |
/// | a.csv:4 | usage | 2025-04-01 | 0 | 0.00 |
/// | a.csv:5 | recurring | 2025-04-01 | | 45.00 |
/// | a.csv:6 | usage (555-0200) | 2025-03-01 | 5 | 0.00 |
/// | a.csv:7 | recurring (555-0200) | 2025-04-01 | | 45.00 |
/// | a.csv:8 | usage (account 200, 555-0300) | 2025-04-01 | 0 | 0.00 |
/// | a.csv:9 | recurring (account 200, 555-0300) | 2025-04-01 | | 45.00 |
///
/// Found: no use in the last 3 periods (02, 03, 04); monthly 45.00 (a claim on
/// a.csv:5), recoverable 0, evidence a.csv:3, :4 and :5. Had a.csv:3 shown 1 minute,
/// nothing would be found; 555-0200, used in March, is not found. Account 200 has
/// one period only: its idle 555-0300 is not found (one idle bill is no evidence).
#[derive(Clone, Debug)]
pub struct UnusedService {
    /// How many of the account's latest periods must show no use (`idle_periods`).
    pub idle_periods: usize,
    /// Usage units that are money, not measurements, upper-cased (`money_units`).
    pub money_units: Vec<String>,
}

impl UnusedService {
    pub(crate) fn read(f: &mut Fields) -> Result<Self, RuleError> {
        let idle = f.opt_int("idle_periods")?.unwrap_or(3);
        if !(1..=1200).contains(&idle) {
            return Err(f.err("idle_periods", "must be a whole number of periods, at least 1"));
        }
        let money_units = f
            .opt_str_list("money_units")?
            .unwrap_or_else(|| vec!["CAD".into(), "USD".into()])
            .iter()
            .map(|u| u.trim().to_ascii_uppercase())
            .collect();
        Ok(UnusedService {
            idle_periods: idle as usize,
            money_units,
        })
    }
}

impl UnusedService {
    /// Whether a usage unit is money (one of `money_units`), not a measurement.
    fn in_money(&self, unit: &str) -> bool {
        let unit = unit.trim();
        !unit.is_empty() && self.money_units.iter().any(|m| m.eq_ignore_ascii_case(unit))
    }
}

/// What UNU001 saw of an idle service: the finding's draft (evidence and claims),
/// its recurring money and when it was last used.
struct Idle {
    draft: Draft,
    recurring: Decimal,
    last_used: Option<Date>,
}

impl UnusedService {
    /// UNU001 with the default rule file's parameters (3 idle periods, CAD and
    /// USD as money): the definition other kinds share (a pool leaves out the
    /// services idle by it, optimization.md section 3b, whether or not UNU001 runs).
    pub(crate) fn standard() -> UnusedService {
        UnusedService {
            idle_periods: 3,
            money_units: vec!["CAD".into(), "USD".into()],
        }
    }

    /// Whether a service is idle by this rule's definition.
    pub(crate) fn is_idle(&self, dump: &Dump, ix: &Index, svc: &ServiceInfo) -> bool {
        self.scan(dump, ix, svc).is_some()
    }

    /// The service when it is idle (see the kind's documentation), else `None`.
    fn scan(&self, dump: &Dump, ix: &Index, svc: &ServiceInfo) -> Option<Idle> {
        if svc.service.is_empty() {
            return None;
        }
        let acc = ix.acc(svc.acc);
        let latest = acc.latest()?;
        // One idle bill is no evidence: the account needs the whole window.
        if acc.periods.len() < self.idle_periods {
            return None;
        }
        // The idle window: the last `idle_periods` periods, i.e. those >= `since`.
        let since = acc.periods[acc.periods.len().saturating_sub(self.idle_periods)];
        let mut has_usage = false;
        let mut last_used: Option<Date> = None;
        let mut draft = Draft::new(acc.carrier, acc.account, svc.service);
        let mut recurring = Decimal::ZERO;
        for &r in &svc.rows {
            let row = &dump.rows[r as usize];
            match row.charge_type {
                ChargeType::Usage if self.in_money(dump.s(row.usage_unit)) => {}
                ChargeType::Usage => {
                    has_usage = true;
                    let used = row.usage_quantity.is_some_and(Micros::is_positive);
                    if used {
                        last_used = last_used.max(Some(row.period_start));
                    }
                    if row.period_start >= since {
                        if used {
                            return None;
                        }
                        draft.rows.push(r);
                    }
                }
                ChargeType::Recurring if row.period_start == latest => {
                    draft.rows.push(r);
                    if ix.is_copy(r) {
                        // A copy is a one-time error (DUP001's), not a monthly cost.
                        continue;
                    }
                    // Summed as Decimal: ten 12-digit amounts overflow an i64 of millionths.
                    let amount = row.amount.to_decimal();
                    recurring += amount;
                    draft.claims.push(row_claim(r, Decimal::ZERO, amount));
                }
                _ => {}
            }
        }
        if !has_usage || draft.claims.is_empty() {
            return None;
        }
        // Not measured is never unused: a line call detail could not measure in a
        // period of the window is not judged.
        let window = &acc.periods[acc.periods.len() - self.idle_periods..];
        if window.iter().any(|&p| ix.is_unmeasured(acc.carrier, acc.account, svc.service, p)) {
            return None;
        }
        Some(Idle {
            draft,
            recurring,
            last_used,
        })
    }
}

impl Kind for UnusedService {
    fn run(&self, id: &str, dump: &Dump, ix: &Index) -> Vec<Finding> {
        let mut findings = Vec::new();
        for svc in &ix.services {
            let Some(idle) = self.scan(dump, ix, svc) else {
                continue;
            };
            let latest = ix.acc(svc.acc).latest();
            let last = match idle.last_used {
                Some(d) => format!("last use in the period of {d}"),
                None => "no use anywhere in the bills".to_string(),
            };
            let text = format!(
                "no usage in the last {} ({last}); recurring {} a month",
                periods_text(self.idle_periods),
                money(idle.recurring)
            );
            let from = crate::util::billed_codes(dump, &idle.draft.rows, latest);
            let mut f = idle.draft.finish(id, dump, text);
            f.change = Some(telaudit_model::Change {
                action: telaudit_model::Action::Suspend,
                from,
                to: "suspend".to_string(),
                pool: None,
            });
            findings.push(f);
        }
        findings
    }
}
