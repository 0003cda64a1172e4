//! The view model of the human reports: what report.md and report.html both
//! show, worked out once.
//!
//! The two renderers differ in markup and wording only. Which findings are the
//! largest and in what order, how a finding's periods read, where each input
//! warning points and how long the proposal takes to pay back are decided here,
//! so that the two reports cannot disagree and a change is made in one place.

use crate::tables::sorted_findings;
use crate::Report;
use telaudit_model::{Change, Date, Decimal, Dump, Finding, RuleInfo, RuleResult};

/// How many findings the "largest findings" tables show.
pub const TOP_FINDINGS: usize = 20;
/// How many input warnings the reports list (the rest are counted).
pub(crate) const WARNINGS_SHOWN: usize = 20;
/// How many recommended changes the "Buying too much" sections list (the largest
/// monthly savings; all of them are in `changes/<carrier>.csv`).
pub const CHANGES_SHOWN: usize = 25;

/// One recommended change (a plan or tier change, or a cancellation), as both
/// reports show it.
pub(crate) struct ChangeView<'a> {
    /// The rule that recommends it.
    pub info: &'a RuleInfo,
    /// The finding itself.
    pub finding: &'a Finding,
    /// From, to.
    pub change: &'a Change,
}

/// The "Buying too much" section: findings that recommend a change.
pub(crate) struct Buying<'a> {
    /// Per rule with such findings (sorted by id): its info, its count and the
    /// sum of its findings' monthly savings (its own claims, overlap not removed).
    pub rules: Vec<(&'a RuleInfo, usize, Decimal)>,
    /// The [`CHANGES_SHOWN`] largest monthly savings, largest first; equal values
    /// keep the findings.csv order.
    pub shown: Vec<ChangeView<'a>>,
    /// How many changes there are in all.
    pub count: usize,
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
    /// The recommended changes; `None` when no finding recommends one.
    pub buying: Option<Buying<'a>>,
}

impl<'a> View<'a> {
    /// Works out the view of one client's report.
    pub(crate) fn new(dump: &'a Dump, results: &'a [RuleResult], r: &Report) -> View<'a> {
        let (top, findings) = top_findings(dump, results);
        let mut warnings: Vec<_> = dump.warnings.iter().collect();
        warnings.sort();
        View {
            periods: r.input.first_period.zip(r.input.last_period),
            payback: r.proposal.as_ref().map(|p| Payback::of(p.payback_months)),
            top,
            findings,
            buying: buying(dump, results),
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
            periods: if finding.first_period == finding.last_period {
                finding.first_period.to_string()
            } else {
                format!("{} to {}", finding.first_period, finding.last_period)
            },
        })
        .collect();
    (top, count)
}

/// The findings that recommend a change, for the "Buying too much" sections.
fn buying<'a>(dump: &Dump, results: &'a [RuleResult]) -> Option<Buying<'a>> {
    let mut all: Vec<ChangeView<'a>> = sorted_findings(dump, results)
        .into_iter()
        .filter_map(|(info, finding)| {
            finding.change.as_ref().map(|change| ChangeView {
                info,
                finding,
                change,
            })
        })
        .collect();
    if all.is_empty() {
        return None;
    }
    let mut rules: Vec<(&RuleInfo, usize, Decimal)> = Vec::new();
    for c in &all {
        match rules.last_mut() {
            Some((info, n, sum)) if info.id == c.info.id => {
                *n += 1;
                *sum += c.finding.monthly;
            }
            _ => rules.push((c.info, 1, c.finding.monthly)),
        }
    }
    // Stable: equal savings keep the findings.csv order.
    all.sort_by_key(|c| std::cmp::Reverse(c.finding.monthly));
    let count = all.len();
    all.truncate(CHANGES_SHOWN);
    Some(Buying {
        rules,
        shown: all,
        count,
    })
}
