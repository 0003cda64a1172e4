//! report.md: the human report an analyst hands to the client.

use crate::json::share_string;
use crate::tables::{join_sources, sorted_findings};
use crate::Report;
use std::fmt::Write as _;
use telaudit_model::{money_string, Decimal, Dump, RuleResult};

/// How many findings the "largest findings" table shows.
pub const TOP_FINDINGS: usize = 20;
/// How many evidence locations a finding shows before "and N more".
const EVIDENCE_SHOWN: usize = 3;
/// How many input warnings are listed.
const WARNINGS_SHOWN: usize = 20;

/// Escapes text for a Markdown table cell or line: `|` and the characters that
/// would start emphasis, code, links or HTML; line breaks become spaces.
pub(crate) fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// report.md, in Markdown. All money is rounded as in report.json.
pub fn report_md(dump: &Dump, results: &[RuleResult], report: &Report) -> String {
    let mut o = String::new();
    // Writing to a String cannot fail.
    let _ = write_md(&mut o, dump, results, report);
    o
}

fn write_md(o: &mut String, dump: &Dump, results: &[RuleResult], r: &Report) -> std::fmt::Result {
    let t = &r.totals;
    writeln!(o, "# Telecom bill audit: {}", md(&r.name))?;
    writeln!(o)?;
    writeln!(o, "Client id: {}", md(&r.client))?;
    writeln!(o)?;

    writeln!(o, "## Headline")?;
    writeln!(o)?;
    writeln!(o, "| | Amount |")?;
    writeln!(o, "|---|---:|")?;
    writeln!(
        o,
        "| Recoverable now (already overbilled; a dispute can claim it back) | {} |",
        money_string(t.recoverable)
    )?;
    writeln!(
        o,
        "| Monthly savings (stops being billed once the causes are fixed) | {} |",
        money_string(t.monthly)
    )?;
    writeln!(
        o,
        "| Annual savings (12 x monthly) | {} |",
        money_string(t.annual)
    )?;
    writeln!(
        o,
        "| First-year value (recoverable + annual) | {} |",
        money_string(t.first_year)
    )?;
    writeln!(o)?;
    writeln!(o, "{} findings from {} rules.", t.findings, r.by_rule.len())?;
    writeln!(o)?;

    let i = &r.input;
    writeln!(o, "## Input")?;
    writeln!(o)?;
    writeln!(o, "- Charge files read: {}", i.files)?;
    writeln!(o, "- Charge rows accepted: {}", i.rows)?;
    match (i.first_period, i.last_period) {
        (Some(a), Some(b)) => writeln!(o, "- Periods billed (by period start): {a} to {b}")?,
        _ => writeln!(o, "- Periods billed: none (no charge rows)")?,
    }
    writeln!(o, "- Billed total: {}", money_string(i.billed_total))?;
    writeln!(o, "- Charge rows refused: {}", i.rejected_rows)?;
    writeln!(o, "- Input warnings: {}", r.warnings)?;
    writeln!(o)?;
    if i.rejected_rows > 0 {
        writeln!(
            o,
            "> **Warning: this audit is partial.** {} charge rows were refused and are in none of the \
             figures of this report; `rejected.csv` gives the file, line and reason of each.",
            i.rejected_rows
        )?;
        writeln!(o)?;
    } else if r.rejections > 0 {
        writeln!(
            o,
            "> **Warning:** {} input records (files, inventory or contract lines) were refused, so some \
             findings may be missing; `rejected.csv` gives the file, line and reason of each.",
            r.rejections
        )?;
        writeln!(o)?;
    }
    if !dump.warnings.is_empty() {
        let mut warnings: Vec<_> = dump.warnings.iter().collect();
        warnings.sort();
        for w in warnings.iter().take(WARNINGS_SHOWN) {
            let pos = w.position.to_string();
            let place = if pos.is_empty() {
                w.file.clone()
            } else {
                format!("{}:{}", w.file, pos)
            };
            writeln!(o, "- Warning, {}: {}", md(&place), md(&w.message))?;
        }
        if warnings.len() > WARNINGS_SHOWN {
            writeln!(o, "- and {} more warnings", warnings.len() - WARNINGS_SHOWN)?;
        }
        writeln!(o)?;
    }

    if let Some(p) = &r.proposal {
        writeln!(o, "## Proposal funding")?;
        writeln!(o)?;
        writeln!(o, "| | |")?;
        writeln!(o, "|---|---:|")?;
        writeln!(o, "| One-time cost | {} |", money_string(p.one_time))?;
        writeln!(o, "| Monthly cost | {} |", money_string(p.monthly))?;
        writeln!(
            o,
            "| First-year cost (one-time + 12 x monthly) | {} |",
            money_string(p.first_year_cost)
        )?;
        let share = match p.funded_share {
            Some(s) if s >= Decimal::ONE => {
                format!("{}% (fully funded)", money_string(s * Decimal::ONE_HUNDRED))
            }
            Some(s) => format!("{}%", money_string(s * Decimal::ONE_HUNDRED)),
            None => "n/a (the first-year cost is 0)".to_string(),
        };
        writeln!(
            o,
            "| Share of the first-year cost funded by the first-year value | {share} |"
        )?;
        let payback = match p.payback_months {
            Some(0) => "0 months (the recoverable amount alone covers the one-time cost)".to_string(),
            Some(1) => "1 month".to_string(),
            Some(n) => format!("{n} months"),
            None => "never (the monthly savings do not exceed the proposal's monthly cost)".to_string(),
        };
        writeln!(o, "| Payback of the one-time cost | {payback} |")?;
        writeln!(o)?;
        if let Some(s) = p.funded_share {
            writeln!(o, "Funded share as a fraction: {}.", share_string(s))?;
            writeln!(o)?;
        }
    }

    writeln!(o, "## By rule")?;
    writeln!(o)?;
    writeln!(
        o,
        "| Rule | Title | Severity | Findings | Recoverable | Monthly |"
    )?;
    writeln!(o, "|---|---|---|---:|---:|---:|")?;
    for b in &r.by_rule {
        writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} |",
            md(&b.rule),
            md(&b.title),
            md(b.severity.as_str()),
            b.findings,
            money_string(b.recoverable),
            money_string(b.monthly)
        )?;
    }
    writeln!(o)?;
    writeln!(
        o,
        "Figures by rule overlap: a charge claimed by several rules is shown under each of them. \
         The totals and the figures by carrier count each dollar once, at its largest claim."
    )?;
    writeln!(o)?;

    writeln!(o, "## By carrier")?;
    writeln!(o)?;
    writeln!(o, "| Carrier | Billed | Recoverable | Monthly |")?;
    writeln!(o, "|---|---:|---:|---:|")?;
    for c in &r.by_carrier {
        writeln!(
            o,
            "| {} | {} | {} | {} |",
            md(&c.carrier),
            money_string(c.billed_total),
            money_string(c.recoverable),
            money_string(c.monthly)
        )?;
    }
    writeln!(o)?;

    writeln!(o, "## Largest findings")?;
    writeln!(o)?;
    let twelve = Decimal::from(12);
    let first_year = |f: &telaudit_model::Finding| f.recoverable + f.monthly * twelve;
    let mut top: Vec<(Decimal, &telaudit_model::Finding)> = sorted_findings(dump, results)
        .into_iter()
        .map(|(_, f)| (first_year(f), f))
        .collect();
    // Stable: equal values keep the findings.csv order.
    top.sort_by_key(|&(fy, _)| std::cmp::Reverse(fy));
    if top.is_empty() {
        writeln!(o, "No findings.")?;
    } else {
        writeln!(
            o,
            "The {} largest of {} findings by first-year value (recoverable + 12 x monthly); \
             `findings.csv` lists them all with every source line.",
            top.len().min(TOP_FINDINGS),
            top.len()
        )?;
        writeln!(o)?;
        writeln!(
            o,
            "| # | Rule | Carrier | Account | Service | Periods | Description | Recoverable | Monthly | First year | Evidence |"
        )?;
        writeln!(o, "|---:|---|---|---|---|---|---|---:|---:|---:|---|")?;
        let mut ev = String::new();
        for (n, &(fy, f)) in top.iter().take(TOP_FINDINGS).enumerate() {
            let periods = if f.first_period == f.last_period {
                f.first_period.to_string()
            } else {
                format!("{} to {}", f.first_period, f.last_period)
            };
            ev.clear();
            let shown = f.evidence.len().min(EVIDENCE_SHOWN);
            join_sources(dump, &f.evidence[..shown], &mut ev);
            let mut ev = ev.replace(';', ", ");
            if f.evidence.len() > shown {
                let _ = write!(ev, " and {} more", f.evidence.len() - shown);
            }
            writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                n + 1,
                md(&f.rule),
                md(dump.s(f.carrier)),
                md(dump.s(f.account)),
                md(dump.s(f.service)),
                periods,
                md(&f.description),
                money_string(f.recoverable),
                money_string(f.monthly),
                money_string(fy),
                md(&ev)
            )?;
        }
    }
    writeln!(o)?;

    writeln!(o, "## Unbalanced invoices")?;
    writeln!(o)?;
    if r.unbalanced.is_empty() {
        if dump
            .files
            .iter()
            .any(|f| f.kind == telaudit_model::SourceKind::Edi811)
        {
            writeln!(o, "None: every EDI invoice's charges add up to its stated total.")?;
        } else {
            writeln!(o, "None (no EDI invoices were read).")?;
        }
    } else {
        writeln!(
            o,
            "EDI invoices whose charges do not add up to their stated total (difference = stated - \
             computed). They are not counted as findings; ask the carrier."
        )?;
        writeln!(o)?;
        writeln!(
            o,
            "| Carrier | Account | Invoice | Stated | Computed | Difference | Source |"
        )?;
        writeln!(o, "|---|---|---|---:|---:|---:|---|")?;
        for u in &r.unbalanced {
            writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} |",
                md(&u.carrier),
                md(&u.account),
                md(&u.invoice),
                money_string(u.stated),
                money_string(u.computed),
                money_string(u.difference),
                md(&u.source)
            )?;
        }
    }
    writeln!(o)?;

    writeln!(o, "## How to read this report")?;
    writeln!(o)?;
    writeln!(
        o,
        "- Every figure is computed exactly from the bill rows and rounded to cents (half away from \
         zero) only when written, so a column may differ from the sum of its rounded cells by a cent."
    )?;
    writeln!(
        o,
        "- Where several findings claim the same charge, the totals count the largest claim once; \
         the table by rule shows each rule's own claims and therefore overlaps."
    )?;
    writeln!(
        o,
        "- `findings.csv` holds every finding with its evidence (file and line, or EDI segment); \
         `report.json` holds these totals for other tools."
    )?;
    Ok(())
}
