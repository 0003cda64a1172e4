//! The view model of the human reports: what report.md and report.html both
//! show, worked out once.
//!
//! The two renderers differ in markup and wording only. Which findings are the
//! largest and in what order, how a finding's periods read, where each input
//! warning points and how long the proposal takes to pay back are decided here,
//! so that the two reports cannot disagree and a change is made in one place.

use crate::tables::sorted_findings;
use crate::Report;
use telaudit_model::{Date, Decimal, Dump, Finding, RuleInfo, RuleResult};

/// How many findings the "largest findings" tables show.
pub const TOP_FINDINGS: usize = 20;
/// How many input warnings the reports list (the rest are counted).
pub(crate) const WARNINGS_SHOWN: usize = 20;

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

/// A finding with money found too late to claim (formats.md section 9).
pub(crate) struct ExpiredFinding<'a> {
    /// The finding itself; its `expired` is the money.
    pub finding: &'a Finding,
    /// As in [`TopFinding::periods`].
    pub periods: String,
}

/// One listed input warning.
pub(crate) struct WarningLine<'a> {
    /// `file:line`, or `file` for the whole file.
    pub place: String,
    /// What the reader said.
    pub message: &'a str,
}

/// Everything report.md and report.html compute alike.
pub(crate) struct View<'a> {
    /// The least and greatest billed period start; `None` without charge rows.
    pub periods: Option<(Date, Date)>,
    /// The proposal's payback; `None` without a proposal.
    pub payback: Option<Payback>,
    /// The [`TOP_FINDINGS`] largest findings by first-year value, largest
    /// first; equal values keep the findings.csv order.
    pub top: Vec<TopFinding<'a>>,
    /// How many findings there are in all.
    pub findings: usize,
    /// The first [`WARNINGS_SHOWN`] input warnings in sorted order.
    pub warnings: Vec<WarningLine<'a>>,
    /// How many warnings are not listed.
    pub more_warnings: usize,
    /// The [`TOP_FINDINGS`] findings with the most money found too late to
    /// claim, largest first (equal values keep the findings.csv order).
    pub expired: Vec<ExpiredFinding<'a>>,
    /// How many findings have money found too late to claim.
    pub expired_findings: usize,
}

impl<'a> View<'a> {
    /// Works out the view of one client's report.
    pub(crate) fn new(dump: &'a Dump, results: &'a [RuleResult], r: &Report) -> View<'a> {
        let (top, findings) = top_findings(dump, results);
        let (expired, expired_findings) = expired_findings(dump, results);
        let mut warnings: Vec<_> = dump.warnings.iter().collect();
        warnings.sort();
        View {
            periods: r.input.first_period.zip(r.input.last_period),
            payback: r.proposal.as_ref().map(|p| Payback::of(p.payback_months)),
            top,
            findings,
            expired,
            expired_findings,
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

/// `2025-01-01`, or `2025-01-01 to 2025-03-01` across several periods.
fn periods_of(f: &Finding) -> String {
    if f.first_period == f.last_period {
        f.first_period.to_string()
    } else {
        format!("{} to {}", f.first_period, f.last_period)
    }
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
