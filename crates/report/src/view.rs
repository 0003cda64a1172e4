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

/// One listed input warning.
pub(crate) struct WarningLine<'a> {
    /// `file:line`, or `file` for the whole file.
    pub place: String,
    /// What the reader said.
    pub message: &'a str,
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

/// Everything report.md and report.html compute alike.
pub(crate) struct View<'a> {
    /// The history marks and, over all findings, how many are new and reopened
    /// (only in a batch run's report.html).
    pub marks: Option<(HistoryMarks<'a>, usize, usize)>,
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
}

impl<'a> View<'a> {
    /// Works out the view of one client's report.
    pub(crate) fn new(dump: &'a Dump, results: &'a [RuleResult], r: &Report) -> View<'a> {
        let (top, findings) = top_findings(dump, results);
        let mut warnings: Vec<_> = dump.warnings.iter().collect();
        warnings.sort();
        View {
            marks: None,
            periods: r.input.first_period.zip(r.input.last_period),
            payback: r.proposal.as_ref().map(|p| Payback::of(p.payback_months)),
            top,
            findings,
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

impl<'a> View<'a> {
    /// The view with history marks: counts the new and reopened findings.
    pub(crate) fn with_marks(mut self, marks: HistoryMarks<'a>, results: &[RuleResult]) -> View<'a> {
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
            periods: if finding.first_period == finding.last_period {
                finding.first_period.to_string()
            } else {
                format!("{} to {}", finding.first_period, finding.last_period)
            },
        })
        .collect();
    (top, count)
}
