//! The view model of the human reports: what report.md and report.html both
//! show, worked out once.
//!
//! The two renderers differ in markup and wording only. Which findings are the
//! largest and in what order, how a finding's periods read, where each input
//! warning points and how long the proposal takes to pay back are decided here,
//! so that the two reports cannot disagree and a change is made in one place.

use crate::changes::{CarrierChanges, ChangeLine};
use crate::proposal::Plan;
use crate::tables::sorted_findings;
use crate::{CarrierRecovery, ClaimLine, CreditLine, Funding, RecoveryReport, Report};
use std::collections::BTreeMap;
use telaudit_model::{Action, Date, Decimal, Dump, Finding, ProposalItem, RuleInfo, RuleResult, TemShare};

/// How many findings the "largest findings" tables show.
pub const TOP_FINDINGS: usize = 20;
/// How many input warnings the reports list (the rest are counted).
pub(crate) const WARNINGS_SHOWN: usize = 20;
/// How many services' actions the "Buying too much" sections list (the largest
/// monthly savings; all of them are in `changes/<carrier>.csv`).
pub const CHANGES_SHOWN: usize = 25;
/// How many overdue claims, and how many ambiguous or unmatched credits, the
/// "Disputes filed" sections list (all are in recovery/claims.csv and credits.csv).
pub const RECOVERY_SHOWN: usize = 25;

/// The "Disputes filed" section (docs/recovery.md): the ledger's figures, the
/// share recovered by carrier, the escalation list and the loose credits.
pub(crate) struct RecoveryView<'a> {
    /// The figures.
    pub r: &'a RecoveryReport,
    /// Per carrier, with the share of its claimed money recovered (4 decimals;
    /// `None` when it claimed nothing).
    pub by_carrier: Vec<(&'a CarrierRecovery, Option<Decimal>)>,
    /// The whole ledger's share recovered.
    pub share: Option<Decimal>,
    /// The first [`RECOVERY_SHOWN`] overdue claims, oldest first.
    pub overdue: Vec<&'a ClaimLine>,
    /// How many overdue claims are not listed.
    pub more_overdue: usize,
    /// The first [`RECOVERY_SHOWN`] ambiguous and unmatched credits.
    pub loose: Vec<&'a CreditLine>,
    /// How many of them are not listed.
    pub more_loose: usize,
}

impl<'a> RecoveryView<'a> {
    fn of(r: &'a RecoveryReport) -> RecoveryView<'a> {
        let overdue = r.overdue_claims();
        let loose: Vec<&CreditLine> = r.loose_credits().collect();
        RecoveryView {
            r,
            by_carrier: r
                .by_carrier
                .iter()
                .map(|c| (c, crate::share_4dp(c.recovered, c.claimed)))
                .collect(),
            share: crate::share_4dp(r.recovered, r.claimed),
            more_overdue: overdue.len().saturating_sub(RECOVERY_SHOWN),
            overdue: overdue.into_iter().take(RECOVERY_SHOWN).collect(),
            more_loose: loose.len().saturating_sub(RECOVERY_SHOWN),
            loose: loose.into_iter().take(RECOVERY_SHOWN).collect(),
        }
    }
}

/// How many services of a pool the "Buying too much" sections list under it
/// (all of them are in `changes/<carrier>.csv`).
pub const POOL_LINES_SHOWN: usize = 10;

/// One item of the "Buying too much" list: a service's action (a line of
/// `changes/<carrier>.csv`), or a pool's (POL001: its lines, moved together).
pub(crate) struct ChangeView<'a> {
    /// The carrier it is ordered from.
    pub carrier: &'a str,
    /// The service's line, or the pool's first line in changes/ order.
    pub line: &'a ChangeLine,
    /// For a pool: its name and every one of its lines, in changes/ order.
    pub pool: Option<(&'a str, Vec<&'a ChangeLine>)>,
    /// What it saves per month (for a pool, its lines' sum).
    pub monthly: Decimal,
}

impl ChangeView<'_> {
    /// Where it is: the service, or the pool's name.
    pub(crate) fn service(&self) -> &str {
        self.pool.as_ref().map_or(&self.line.service, |(name, _)| name)
    }

    /// The rule ids of its lines, sorted, `, `-joined.
    pub(crate) fn rules(&self) -> String {
        self.joined(|l| l.rule.split(';').map(str::to_string).collect(), true)
    }

    /// Its current plans: the distinct `from` of its lines, in order, ` + `-joined.
    pub(crate) fn from(&self) -> String {
        self.joined(|l| vec![l.from.clone()], false)
    }

    fn joined(&self, parts: impl Fn(&ChangeLine) -> Vec<String>, sort: bool) -> String {
        let lines = self
            .pool
            .as_ref()
            .map_or_else(|| vec![self.line], |(_, l)| l.clone());
        let mut all: Vec<String> = Vec::new();
        for p in lines.into_iter().flat_map(parts) {
            if !all.contains(&p) {
                all.push(p);
            }
        }
        if sort {
            all.sort();
        }
        all.join(if sort { ", " } else { " + " })
    }
}

/// The "Buying too much" section: the services' actions of `changes/`.
pub(crate) struct Buying<'a> {
    /// Per action with lines (in the order of [`Action::ALL`]): the action, how
    /// many services and the sum of their monthly savings.
    pub actions: Vec<(Action, usize, Decimal)>,
    /// The [`CHANGES_SHOWN`] items with the largest monthly savings, largest
    /// first (a pool is one item); equal values keep the changes/ order
    /// (carrier, account, service).
    pub shown: Vec<ChangeView<'a>>,
    /// How many items there are in all (each pool counts once).
    pub count: usize,
}

/// What an action asks of the analyst, in the words both reports use.
pub(crate) fn action_words(a: Action) -> &'static str {
    match a {
        Action::Disconnect => {
            "billed after its disconnect date: dispute the charges (they are in the dispute files) and make the carrier enforce the disconnect"
        }
        Action::Cancel => "billed but in no inventory: confirm with its owner that nobody uses it, then cancel it",
        Action::Suspend => "no usage in its last periods: suspend it, or cancel it",
        Action::Downgrade => {
            "used, but on a larger plan, pool or tier than it needs: move it (a pool: all its services) to the one named"
        }
    }
}

/// When the found money pays back the proposal's one-time cost.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Payback {
    /// At once: the recoverable amount alone covers the one-time cost.
    Now,
    /// After this many months (at least 1).
    Months(u128),
    /// Never: the monthly savings do not exceed the proposal's monthly cost.
    Never,
}

/// Whether the reports may say "fully funded": the first-year value covers the
/// first-year cost with the TEM fees counted ([`Funding::funded_share_after_fees`]
/// at least 1) and the first year's net (cumulative cash flow at month 12) is not
/// negative. Never while the first 12 months end below zero.
pub(crate) fn fully_funded(f: &Funding) -> bool {
    f.funded_share_after_fees.is_some_and(|s| s >= Decimal::ONE)
        && f.plan.net_first_year.sign() != std::cmp::Ordering::Less
}

/// The name of the payback figure, in both reports: what it measures.
pub(crate) const PAYBACK_LABEL: &str =
    "Payback: the month the cumulative cash flow, fees included, turns positive";

impl Payback {
    /// The payback of a report's proposal figures.
    fn of(months: Option<u128>) -> Payback {
        match months {
            Some(0) => Payback::Now,
            Some(n) => Payback::Months(n),
            None => Payback::Never,
        }
    }

    /// `1 month` or `N months`, the words both reports use for [`Payback::Months`].
    pub(crate) fn months_text(n: u128) -> String {
        if n == 1 {
            "1 month".to_string()
        } else {
            format!("{n} months")
        }
    }
}

/// A share or rate as a percentage with the decimals it needs: 0.3 -> `30%`,
/// 0.125 -> `12.5%`.
pub(crate) fn percent(d: Decimal) -> String {
    format!("{}%", (d * Decimal::ONE_HUNDRED).normalize())
}

/// One of the largest findings, as both reports show it.
pub(crate) struct TopFinding<'a> {
    /// recoverable + 12 x monthly: the value the findings are ordered by.
    pub first_year: Decimal,
    /// The rule that found it.
    pub info: &'a RuleInfo,
    /// The finding itself.
    pub finding: &'a Finding,
    /// `2025-01-01`, or `2025-01-01 to 2025-03-01` across several periods.
    pub periods: String,
}

/// How many days after the as-of date a dispute window may close for its
/// finding to be in the "Claim first" list.
pub const CLAIM_FIRST_DAYS: u32 = 30;

/// A finding whose dispute window closes soon ("Claim first").
pub(crate) struct ClaimFirst<'a> {
    /// Its last day to claim.
    pub claim_by: Date,
    /// The finding itself.
    pub finding: &'a Finding,
}

/// A finding with money found too late to claim (formats.md section 9).
pub(crate) struct ExpiredFinding<'a> {
    /// The finding itself; its `expired` is the money.
    pub finding: &'a Finding,
    /// As in [`TopFinding::periods`].
    pub periods: String,
}

/// One listed skipped file (formats.md section 11).
pub(crate) struct SkippedLine<'a> {
    /// The file (`invoices/x.zip!member` for an archive member).
    pub file: &'a str,
    /// Why it was skipped.
    pub reason: &'a str,
}

/// One call-detail file read for usage (docs/formats.md, "Usage from call detail"):
/// it adds no money; the reports name it with its record count.
pub(crate) struct UsageLine<'a> {
    /// The file (`invoices/x.zip!member` for an archive member).
    pub file: &'a str,
    /// The header file its column names came from, if any.
    pub header_file: Option<&'a str>,
    /// Its records read.
    pub records: u64,
    /// The usage rows it gave (after the usage step).
    pub rows: u64,
    /// The kinds of usage it reads (`data, voice`).
    pub kinds: String,
}

/// One listed input warning.
pub(crate) struct WarningLine<'a> {
    /// `file:line`, or `file` for the whole file.
    pub place: String,
    /// What the reader said.
    pub message: &'a str,
}

/// The funding plan as both reports show it ("What this funds"), worked out
/// from [`crate::Funding`] once; present only when client.toml uses the plan's keys.
pub(crate) struct PlanView<'a> {
    /// The proposal's items, by provider and role, in report.json's order.
    pub items: &'a [ProposalItem],
    /// The TEM provider's terms, if any.
    pub tem: Option<&'a TemShare>,
    /// The TEM provider's share of the recoverable money, rounded to cents.
    pub tem_recovery_fee: Decimal,
    /// Its share of the monthly savings (each of its months), rounded to cents.
    pub tem_monthly_fee: Decimal,
    /// The TEM fee over the horizon, rounded to cents.
    pub tem_fees: Decimal,
    /// The net present value, rounded to cents.
    pub npv: Decimal,
    /// The annual discount rate as given.
    pub discount_rate: Decimal,
    /// cumulative(12), rounded to cents.
    pub net_first_year: Decimal,
    /// The schedule's length in months.
    pub horizon: u32,
    /// (month, cumulative cash flow rounded to cents), months 0..=horizon.
    pub cumulative: Vec<(u32, Decimal)>,
    /// (month, cash flow, cumulative) of the months the tables show: 0, 1,
    /// every 12th, the payback month and the horizon.
    pub table: Vec<(u32, Decimal, Decimal)>,
    /// The least month with cumulative >= 0, also past the horizon.
    pub payback: Option<u128>,
    /// The sentence a client understands, e.g. "From month 9 on, the savings
    /// have paid for the equipment, the installation and the audit fee."
    pub sentence: String,
}

impl<'a> PlanView<'a> {
    /// The plan view of a proposal, or `None` when it shows no plan.
    fn of(f: &'a Funding) -> Option<PlanView<'a>> {
        if !f.shows_plan {
            return None;
        }
        let p = &f.plan;
        let horizon = p.horizon_months;
        let payback = f.payback_months;
        let table = p
            .schedule
            .iter()
            .filter(|m| {
                m.month <= 1
                    || m.month % 12 == 0
                    || m.month == horizon
                    || payback == Some(u128::from(m.month))
            })
            .map(|m| (m.month, m.cash_flow.cents(), m.cumulative.cents()))
            .collect();
        Some(PlanView {
            items: &p.items,
            tem: p.tem.as_ref(),
            tem_recovery_fee: p.tem_recovery_fee.cents(),
            tem_monthly_fee: p.tem_monthly_fee.cents(),
            tem_fees: p.tem_fees.cents(),
            npv: p.npv.cents(),
            discount_rate: p.discount_rate,
            net_first_year: p.net_first_year.cents(),
            horizon,
            cumulative: p
                .schedule
                .iter()
                .map(|m| (m.month, m.cumulative.cents()))
                .collect(),
            table,
            payback,
            sentence: plan_sentence(p, payback),
        })
    }
}

/// What the plan pays for, in words: "the equipment, the installation and the
/// audit fee" (each role once, in order; the TEM provider's fee last).
fn paid_for(p: &Plan) -> String {
    let mut parts: Vec<String> = Vec::new();
    for i in &p.items {
        let role = i.role.trim();
        let part = if role.is_empty() {
            "the upgrade".to_string()
        } else {
            format!("the {role}")
        };
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    if p.tem.is_some() {
        parts.push("the audit fee".to_string());
    }
    match parts.len() {
        0 => "the proposal".to_string(),
        1 => parts.remove(0),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

/// The client's sentence about the payback.
fn plan_sentence(p: &Plan, payback: Option<u128>) -> String {
    let what = paid_for(p);
    match payback {
        Some(0) => format!("From the start (month 0), the money found has paid for {what}."),
        Some(n) if n <= u128::from(p.horizon_months) => {
            format!("From month {n} on, the savings have paid for {what}.")
        }
        Some(n) => format!(
            "From month {n} on, the savings have paid for {what}: later than this plan's {} months.",
            p.horizon_months
        ),
        None => format!(
            "The savings never pay for {what}: the monthly costs are as large as the monthly savings or larger."
        ),
    }
}

/// "New since the last run" marks for a report.html that a batch run writes with
/// a finding history (docs/history.md). They depend only on the history as it
/// was before the run, so the page stays deterministic given the same history;
/// `telaudit audit` never has them, and they are the one way a batch-written
/// client folder differs from a single audit's.
#[derive(Clone, Copy, Debug)]
pub struct HistoryMarks<'a> {
    /// The history's last run before this one: "new" means not seen up to it.
    pub since_run: i64,
    /// The client's finding keys the history held before this run, each with
    /// whether it was open (`false`: resolved); `None` when it held none.
    pub known: Option<&'a std::collections::HashMap<String, bool>>,
    /// The client's findings in the history before this run (open and
    /// resolved), with their text and money at the last run that saw them: the
    /// "Since the last run" section takes the money before and the resolved
    /// findings from them; empty when it held none.
    pub before: &'a [crate::since::PastFinding],
}

impl HistoryMarks<'_> {
    /// `Some("new")` for a key never seen, `Some("reopened")` for one seen and
    /// resolved, `None` for one open in the last run.
    pub fn mark(&self, key: &str) -> Option<&'static str> {
        match self.known.and_then(|k| k.get(key)) {
            None => Some("new"),
            Some(false) => Some("reopened"),
            Some(true) => None,
        }
    }
}

/// `periods ending A to B · report date D · amounts in USD`: the line under
/// both reports' title (the currency only when client.toml names one).
pub(crate) fn dates_line(view: &View<'_>) -> String {
    let mut parts = Vec::new();
    match view.period_ends {
        Some((a, b)) if a == b => parts.push(format!("Period ending {a}")),
        Some((a, b)) => parts.push(format!("Periods ending {a} to {b}")),
        None => parts.push("No charge rows".to_string()),
    }
    if let Some(d) = view.as_of {
        parts.push(format!("report date {d}"));
    }
    if let Some(c) = view.currency {
        parts.push(format!("amounts in {c}"));
    }
    parts.join(" · ")
}

/// Everything report.md and report.html compute alike.
pub(crate) struct View<'a> {
    /// The history marks and, over all findings, how many are new and reopened
    /// (only in a batch run's report.html).
    pub marks: Option<(HistoryMarks<'a>, usize, usize)>,
    /// Every change since the history's last run (with the marks only).
    pub since: Option<crate::since::SinceView<'a>>,
    /// The least and greatest billed period start; `None` without charge rows.
    pub periods: Option<(Date, Date)>,
    /// The least and greatest billed period END: the headers say "periods
    /// ending A to B", which cannot be read as ending on a period's first day.
    pub period_ends: Option<(Date, Date)>,
    /// The report's date: the audit's as-of date ([`crate::as_of`]).
    pub as_of: Option<Date>,
    /// client.toml's `currency`; `None`: no currency is shown.
    pub currency: Option<&'a str>,
    /// The proposal's payback; `None` without a proposal.
    pub payback: Option<Payback>,
    /// The funding plan; `None` without a proposal or without the plan's keys.
    pub plan: Option<PlanView<'a>>,
    /// The [`TOP_FINDINGS`] largest findings by first-year value, largest
    /// first; equal values keep the findings.csv order.
    pub top: Vec<TopFinding<'a>>,
    /// How many findings there are in all.
    pub findings: usize,
    /// The first [`WARNINGS_SHOWN`] input warnings in sorted order.
    pub warnings: Vec<WarningLine<'a>>,
    /// How many warnings are not listed.
    pub more_warnings: usize,
    /// The first [`WARNINGS_SHOWN`] skipped files, in path order.
    pub skipped: Vec<SkippedLine<'a>>,
    /// How many skipped files are not listed.
    pub more_skipped: usize,
    /// The first [`WARNINGS_SHOWN`] call-detail files read for usage, in path order.
    pub usage: Vec<UsageLine<'a>>,
    /// How many call-detail files there are in all, and their records.
    pub usage_files: (usize, u64),
    /// The [`TOP_FINDINGS`] findings with the most money found too late to
    /// claim, largest first (equal values keep the findings.csv order).
    pub expired: Vec<ExpiredFinding<'a>>,
    /// How many findings have money found too late to claim.
    pub expired_findings: usize,
    /// The findings whose claim_by is within [`CLAIM_FIRST_DAYS`] of the as-of
    /// date, soonest first (ties keep the findings.csv order), at most
    /// [`TOP_FINDINGS`].
    pub claim_first: Vec<ClaimFirst<'a>>,
    /// How many findings that list has in all.
    pub claim_first_count: usize,
    /// The services' actions of changes/; `None` when there are none.
    pub buying: Option<Buying<'a>>,
    /// The ledger's section; `None` without claims.csv.
    pub recovery: Option<RecoveryView<'a>>,
}

impl<'a> View<'a> {
    /// Works out the view of one client's report.
    pub(crate) fn new(
        dump: &'a Dump,
        results: &'a [RuleResult],
        r: &'a Report,
        changes: &'a [CarrierChanges],
    ) -> View<'a> {
        let (top, findings) = top_findings(dump, results);
        let (expired, expired_findings) = expired_findings(dump, results);
        let (claim_first, claim_first_count) = claim_first(dump, results, crate::as_of(dump));
        let mut warnings: Vec<_> = dump.warnings.iter().collect();
        warnings.sort();
        View {
            marks: None,
            since: None,
            periods: r.input.first_period.zip(r.input.last_period),
            period_ends: dump.rows.iter().fold(None, |acc, x| {
                let e = x.period_end;
                Some(match acc {
                    None => (e, e),
                    Some((a, b)) => (e.min(a), e.max(b)),
                })
            }),
            as_of: crate::as_of(dump),
            currency: dump.config.currency.as_deref(),
            payback: r.proposal.as_ref().map(|p| Payback::of(p.payback_months)),
            plan: r.proposal.as_ref().and_then(PlanView::of),
            top,
            findings,
            expired,
            expired_findings,
            claim_first,
            claim_first_count,
            buying: buying(changes),
            recovery: r.recovery.as_ref().map(RecoveryView::of),
            more_skipped: dump.skipped.len().saturating_sub(WARNINGS_SHOWN),
            usage: usage_lines(dump),
            usage_files: (
                dump.usage_files.len(),
                dump.usage_files.iter().map(|u| u.records).sum(),
            ),
            skipped: dump
                .skipped
                .iter()
                .take(WARNINGS_SHOWN)
                .map(|s| SkippedLine {
                    file: &s.file,
                    reason: &s.reason,
                })
                .collect(),
            more_warnings: warnings.len().saturating_sub(WARNINGS_SHOWN),
            warnings: warnings
                .into_iter()
                .take(WARNINGS_SHOWN)
                .map(|w| WarningLine {
                    place: w.place().to_string(),
                    message: &w.message,
                })
                .collect(),
        }
    }
}

/// The call-detail files read for usage, the first [`WARNINGS_SHOWN`] of them.
fn usage_lines(dump: &Dump) -> Vec<UsageLine<'_>> {
    dump.usage_files
        .iter()
        .take(WARNINGS_SHOWN)
        .map(|u| UsageLine {
            file: &dump.file(u.file).path,
            header_file: u.header_file.as_deref(),
            records: u.records,
            rows: u.rows,
            kinds: u.kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join(", "),
        })
        .collect()
}

/// `2025-01-01`, or `2025-01-01 to 2025-03-01` across several periods.
fn periods_of(f: &Finding) -> String {
    if f.first_period == f.last_period {
        f.first_period.to_string()
    } else {
        format!("{} to {}", f.first_period, f.last_period)
    }
}

/// The findings whose dispute window closes within [`CLAIM_FIRST_DAYS`] of the
/// as-of date, soonest first, and how many there are.
fn claim_first<'a>(
    dump: &Dump,
    results: &'a [RuleResult],
    as_of: Option<Date>,
) -> (Vec<ClaimFirst<'a>>, usize) {
    let Some(until) = as_of.and_then(|d| d.plus_days(CLAIM_FIRST_DAYS)) else {
        return (Vec::new(), 0);
    };
    let mut all: Vec<ClaimFirst<'a>> = sorted_findings(dump, results)
        .into_iter()
        .filter_map(|(_, finding)| {
            let claim_by = finding.claim_by.filter(|&d| d <= until)?;
            Some(ClaimFirst { claim_by, finding })
        })
        .collect();
    // Stable: equal dates keep the findings.csv order.
    all.sort_by_key(|c| c.claim_by);
    let count = all.len();
    all.truncate(TOP_FINDINGS);
    (all, count)
}

/// The findings with the most money found too late to claim, and how many have any.
fn expired_findings<'a>(dump: &Dump, results: &'a [RuleResult]) -> (Vec<ExpiredFinding<'a>>, usize) {
    let mut all: Vec<(&RuleInfo, &Finding)> = sorted_findings(dump, results)
        .into_iter()
        .filter(|(_, f)| f.expired > Decimal::ZERO)
        .collect();
    // Stable: equal values keep the findings.csv order.
    all.sort_by_key(|&(_, f)| std::cmp::Reverse(f.expired));
    let count = all.len();
    let list = all
        .into_iter()
        .take(TOP_FINDINGS)
        .map(|(_, finding)| ExpiredFinding {
            finding,
            periods: periods_of(finding),
        })
        .collect();
    (list, count)
}

impl<'a> View<'a> {
    /// The view with history marks: counts the new and reopened findings and
    /// lists every change since the history's last run.
    pub(crate) fn with_marks(
        mut self,
        marks: HistoryMarks<'a>,
        dump: &'a Dump,
        results: &'a [RuleResult],
    ) -> View<'a> {
        self.since = Some(crate::since::since(dump, results, &marks));
        let all = results.iter().flat_map(|r| &r.findings);
        let (mut new, mut reopened) = (0, 0);
        for f in all {
            match marks.mark(&f.key) {
                Some("new") => new += 1,
                Some(_) => reopened += 1,
                None => {}
            }
        }
        self.marks = Some((marks, new, reopened));
        self
    }
}

/// The largest findings by first-year value and the number of all findings.
fn top_findings<'a>(dump: &Dump, results: &'a [RuleResult]) -> (Vec<TopFinding<'a>>, usize) {
    let twelve = Decimal::from(12);
    let mut all: Vec<(Decimal, &RuleInfo, &Finding)> = sorted_findings(dump, results)
        .into_iter()
        .map(|(info, f)| (f.recoverable + f.monthly * twelve, info, f))
        .collect();
    // Stable: equal values keep the findings.csv order.
    all.sort_by_key(|&(fy, _, _)| std::cmp::Reverse(fy));
    let count = all.len();
    let top = all
        .into_iter()
        .take(TOP_FINDINGS)
        .map(|(first_year, info, finding)| TopFinding {
            first_year,
            info,
            finding,
            periods: periods_of(finding),
        })
        .collect();
    (top, count)
}

/// The services' actions, for the "Buying too much" sections: one item per
/// service, a pool's services (the lines POL001 moves together) as one item.
fn buying(changes: &[CarrierChanges]) -> Option<Buying<'_>> {
    let lines: Vec<(&str, &ChangeLine)> = changes
        .iter()
        .flat_map(|c| c.lines.iter().map(move |line| (c.carrier.as_str(), line)))
        .collect();
    if lines.is_empty() {
        return None;
    }
    let actions = Action::ALL
        .iter()
        .filter_map(|&a| {
            let of = lines.iter().filter(|(_, l)| l.action == a);
            let n = of.clone().count();
            (n > 0).then(|| (a, n, of.map(|(_, l)| l.monthly).sum()))
        })
        .collect();
    let mut all: Vec<ChangeView<'_>> = Vec::new();
    // (carrier, account, pool name) -> its item in `all`.
    let mut pools: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    for &(carrier, line) in &lines {
        let Some(name) = line.pool.as_deref() else {
            all.push(ChangeView {
                carrier,
                line,
                pool: None,
                monthly: line.monthly,
            });
            continue;
        };
        match pools.get(&(carrier, line.account.as_str(), name)) {
            Some(&i) => {
                let item = &mut all[i];
                item.monthly += line.monthly;
                if let Some((_, members)) = &mut item.pool {
                    members.push(line);
                }
            }
            None => {
                pools.insert((carrier, &line.account, name), all.len());
                all.push(ChangeView {
                    carrier,
                    line,
                    pool: Some((name, vec![line])),
                    monthly: line.monthly,
                });
            }
        }
    }
    // Stable: equal savings keep the changes/ order.
    all.sort_by_key(|c| std::cmp::Reverse(c.monthly));
    let count = all.len();
    all.truncate(CHANGES_SHOWN);
    Some(Buying {
        actions,
        shown: all,
        count,
    })
}
