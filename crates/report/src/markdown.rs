//! report.md: the human report an analyst hands to the client.

use crate::changes::ChangeLine;
use crate::human::money;
use crate::json::share_string;
use crate::tables::join_sources;
use crate::view::{
    action_words, fully_funded, percent, Buying, Payback, PlanView, RecoveryView, View, PAYBACK_LABEL,
    POOL_LINES_SHOWN,
};
use crate::{Funding, Report};
use std::fmt::Write as _;
use telaudit_model::{Decimal, Dump, RuleResult};

/// How many evidence locations a finding shows before "and N more".
const EVIDENCE_SHOWN: usize = 3;

/// The result of every section writer: writing to a `String` cannot fail, but
/// `?` on `writeln!` keeps the sections short.
type Out = std::fmt::Result;

/// Escapes text for a Markdown table cell or line: `|` and the characters that
/// would start emphasis, code, links or HTML; line breaks become spaces; other
/// control and bidi characters are shown as `\x1B`, `\u{202E}`
/// ([`telaudit_model::visible`]).
pub(crate) fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if telaudit_model::is_invisible(c) => out.push_str(&telaudit_model::escape_invisible(c)),
            _ => out.push(c),
        }
    }
    out
}

/// report.md, in Markdown. All money is rounded as in report.json.
pub fn report_md(dump: &Dump, results: &[RuleResult], report: &Report) -> String {
    let changes = crate::changes(dump, results);
    report_md_with(dump, report, &View::new(dump, results, report, &changes))
}

/// report.md from a view already worked out (the output writer shares one
/// view between report.md and report.html).
pub(crate) fn report_md_with(dump: &Dump, report: &Report, view: &View<'_>) -> String {
    let mut o = String::new();
    // Writing to a String cannot fail.
    let _ = write_md(&mut o, dump, report, view);
    o
}

/// The sections of report.md, in order.
fn write_md(o: &mut String, dump: &Dump, r: &Report, view: &View<'_>) -> Out {
    write_headline(o, r, view)?;
    write_input(o, r, view)?;
    if let Some(p) = &r.proposal {
        write_proposal(o, p, view)?;
    }
    if let Some(plan) = &view.plan {
        write_plan(o, plan)?;
    }
    if let Some(rv) = &view.recovery {
        write_recovery(o, rv)?;
    }
    write_by_rule(o, r)?;
    write_by_carrier(o, r)?;
    if !view.claim_first.is_empty() {
        write_claim_first(o, dump, r, view)?;
    }
    write_top_findings(o, dump, view)?;
    if !view.expired.is_empty() {
        write_expired(o, dump, r, view)?;
    }
    if let Some(b) = &view.buying {
        write_buying(o, b)?;
    }
    write_unbalanced(o, dump, r)?;
    write_how_to_read(o)
}

/// The title, the client id, the warning when some file was not recognised, and
/// the four headline figures.
fn write_headline(o: &mut String, r: &Report, view: &View<'_>) -> Out {
    let t = &r.totals;
    writeln!(o, "# Telecom bill audit: {}", md(&r.name))?;
    writeln!(o)?;
    writeln!(o, "Client id: {}  ", md(&r.client))?;
    writeln!(o, "{}", crate::view::dates_line(view))?;
    writeln!(o)?;
    // Before any figure: bills may be missing from all of them.
    if r.input.unrecognised_files > 0 {
        writeln!(
            o,
            "> **Warning:** {} file(s) below invoices/ were not recognised by any reader; any bill in \
             them is in none of the figures of this report (the files skipped are listed under Input).",
            r.input.unrecognised_files
        )?;
        writeln!(o)?;
    }

    writeln!(o, "## Headline")?;
    writeln!(o)?;
    writeln!(o, "| | Amount |")?;
    writeln!(o, "|---|---:|")?;
    writeln!(
        o,
        "| Recoverable now (already overbilled; a dispute can claim it back) | {} |",
        money(t.recoverable)
    )?;
    writeln!(
        o,
        "| Monthly savings (stops being billed once the causes are fixed) | {} |",
        money(t.monthly)
    )?;
    writeln!(o, "| Annual savings (12 x monthly) | {} |", money(t.annual))?;
    writeln!(
        o,
        "| First-year value (recoverable + annual) | {} |",
        money(t.first_year)
    )?;
    if !t.expired.is_zero() {
        writeln!(
            o,
            "| Found too late to claim (the carrier's dispute window closed; in none of the figures above) | {} |",
            money(t.expired)
        )?;
    }
    writeln!(o)?;
    let found = r.by_rule.iter().filter(|b| b.findings > 0).count();
    writeln!(
        o,
        "{} findings from {found} rules ({} rules ran).",
        t.findings,
        r.by_rule.len()
    )?;
    writeln!(o)
}

/// What was read, the partial-audit warning and the input warnings.
fn write_input(o: &mut String, r: &Report, view: &View<'_>) -> Out {
    let i = &r.input;
    writeln!(o, "## Input")?;
    writeln!(o)?;
    writeln!(o, "- Charge files read: {}", i.files)?;
    writeln!(o, "- Charge rows accepted: {}", i.rows)?;
    match view.periods.zip(view.period_ends) {
        Some(((a, _), (_, b))) => writeln!(o, "- Periods billed: {a} to {b} (first start to last end)")?,
        None => writeln!(o, "- Periods billed: none (no charge rows)")?,
    }
    writeln!(o, "- Billed total: {}", money(i.billed_total))?;
    writeln!(o, "- Charge rows refused: {}", i.rejected_rows)?;
    writeln!(o, "- Input warnings: {}", r.warnings)?;
    writeln!(o, "- Files skipped: {}", i.skipped_files)?;
    if view.usage_files.0 > 0 {
        writeln!(
            o,
            "- Call detail read for usage (no money): {} file(s), {} records",
            view.usage_files.0, view.usage_files.1
        )?;
    }
    if let Some(d) = r.as_of {
        writeln!(o, "- As of (dispute windows): {d}")?;
    }
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
            "> **Warning:** {} input records (files, or lines of inventory.csv, contracts.csv, claims.csv ...) were refused, so some \
             findings may be missing; `rejected.csv` gives the file, line and reason of each.",
            r.rejections
        )?;
        writeln!(o)?;
    }
    write_skipped(o, view)?;
    write_usage(o, view)?;
    if !view.warnings.is_empty() {
        for w in &view.warnings {
            writeln!(o, "- Warning, {}: {}", md(&w.place), md(w.message))?;
        }
        if view.more_warnings > 0 {
            writeln!(o, "- and {} more warnings", view.more_warnings)?;
        }
        writeln!(o)?;
        writeln!(
            o,
            "`warnings.csv` lists all {} warnings (file, line, message).",
            r.warnings
        )?;
        writeln!(o)?;
    }
    Ok(())
}

/// The files skipped, with why (formats.md section 11); the warning that some were
/// not recognised is before the headline figures.
fn write_skipped(o: &mut String, view: &View<'_>) -> Out {
    if view.skipped.is_empty() {
        return Ok(());
    }
    writeln!(o, "Files skipped (none of their charges is counted):")?;
    writeln!(o)?;
    for s in &view.skipped {
        writeln!(o, "- {}: {}", md(s.file), md(s.reason))?;
    }
    if view.more_skipped > 0 {
        writeln!(o, "- and {} more", view.more_skipped)?;
    }
    writeln!(o)
}

/// The call-detail files read for usage, with their record counts.
fn write_usage(o: &mut String, view: &View<'_>) -> Out {
    if view.usage.is_empty() {
        return Ok(());
    }
    writeln!(
        o,
        "Call detail read for usage (it adds no money; the use it measures goes to the usage rules):"
    )?;
    writeln!(o)?;
    for u in &view.usage {
        let columns = u
            .header_file
            .map_or(String::new(), |h| format!(" (columns from {})", md(h)));
        writeln!(
            o,
            "- {}{columns}: {} records read for usage ({}), {} usage row(s)",
            md(u.file),
            u.records,
            u.kinds,
            u.rows
        )?;
    }
    if view.usage_files.0 > view.usage.len() {
        writeln!(o, "- and {} more", view.usage_files.0 - view.usage.len())?;
    }
    writeln!(o)
}

/// How far the found money goes towards the proposal.
fn write_proposal(o: &mut String, p: &Funding, view: &View<'_>) -> Out {
    writeln!(o, "## Proposal funding")?;
    writeln!(o)?;
    writeln!(o, "| | |")?;
    writeln!(o, "|---|---:|")?;
    writeln!(o, "| One-time cost | {} |", money(p.one_time))?;
    writeln!(o, "| Monthly cost | {} |", money(p.monthly))?;
    writeln!(
        o,
        "| First-year cost (one-time + 12 x monthly) | {} |",
        money(p.first_year_cost)
    )?;
    if !p.first_year_fees.is_zero() {
        writeln!(
            o,
            "| TEM fees in the first 12 months | {} |",
            money(p.first_year_fees)
        )?;
        writeln!(
            o,
            "| First-year cost with the TEM fees | {} |",
            money(p.first_year_cost + p.first_year_fees)
        )?;
    }
    let share = match p.funded_share_after_fees {
        Some(s) if fully_funded(p) => {
            format!("{}% (fully funded)", money(s * Decimal::ONE_HUNDRED))
        }
        Some(s) => format!("{}%", money(s * Decimal::ONE_HUNDRED)),
        None => "n/a (the first-year cost is 0)".to_string(),
    };
    writeln!(
        o,
        "| Share of the first-year cost, TEM fees included, funded by the first-year value | {share} |"
    )?;
    let payback = match view.payback {
        Some(Payback::Now) => "0 months (the money found at once covers the one-time cost)".to_string(),
        Some(Payback::Months(n)) => Payback::months_text(n),
        Some(Payback::Never) | None => {
            "never (the monthly savings do not exceed the proposal's monthly cost)".to_string()
        }
    };
    writeln!(o, "| {PAYBACK_LABEL} | {payback} |")?;
    if let Some(rv) = &view.recovery {
        writeln!(
            o,
            "| Of the money found, already recovered (credits on filed claims) | {} |",
            money(rv.r.recovered)
        )?;
        if let Some(fee) = rv.r.tem_fee_due {
            writeln!(
                o,
                "| TEM fee due now (its share of the money recovered) | {} |",
                money(fee)
            )?;
        }
    }
    writeln!(o)?;
    if let Some(s) = p.funded_share {
        writeln!(
            o,
            "Funded share as a fraction, without the TEM fees (report.json's `funded_share`): {}.",
            share_string(s)
        )?;
        writeln!(o)?;
    }
    Ok(())
}

/// The funding plan: the items by provider and role, the TEM fee, the
/// cumulative cash flow at the months that matter, the NPV and the sentence.
fn write_plan(o: &mut String, p: &PlanView<'_>) -> Out {
    writeln!(o, "## What this funds")?;
    writeln!(o)?;
    writeln!(o, "{}", md(&p.sentence))?;
    writeln!(o)?;
    writeln!(o, "| Provider | Role | One-time | Monthly |")?;
    writeln!(o, "|---|---|---:|---:|")?;
    for i in p.items {
        writeln!(
            o,
            "| {} | {} | {} | {} |",
            provider_md(&i.provider),
            md(&i.role),
            money(i.one_time),
            money(i.monthly)
        )?;
    }
    if let Some(t) = p.tem {
        writeln!(
            o,
            "| {} | TEM fee: {} of the recoverable, {} of the monthly savings for {} | {} | {} |",
            provider_md(&t.provider),
            percent(t.recovery_share),
            percent(t.savings_share),
            Payback::months_text(u128::from(t.savings_months)),
            money(p.tem_recovery_fee),
            money(p.tem_monthly_fee)
        )?;
    }
    writeln!(o)?;
    writeln!(o, "| | |")?;
    writeln!(o, "|---|---:|")?;
    writeln!(
        o,
        "| TEM fees over the {} months | {} |",
        p.horizon,
        money(p.tem_fees)
    )?;
    writeln!(
        o,
        "| Net present value over {} months at {} a year | {} |",
        p.horizon,
        percent(p.discount_rate),
        money(p.npv)
    )?;
    writeln!(
        o,
        "| Net after the first 12 months | {} |",
        money(p.net_first_year)
    )?;
    let payback = match p.payback {
        Some(n) => Payback::months_text(n),
        None => "never".to_string(),
    };
    writeln!(o, "| Payback (cumulative cash flow >= 0 from) | {payback} |")?;
    writeln!(o)?;
    writeln!(o, "| Month | Cash flow | Cumulative |")?;
    writeln!(o, "|---:|---:|---:|")?;
    for &(m, cf, cum) in &p.table {
        let mark = if p.payback == Some(u128::from(m)) {
            " (payback)"
        } else {
            ""
        };
        writeln!(o, "| {m}{mark} | {} | {} |", money(cf), money(cum))?;
    }
    writeln!(o)?;
    Ok(())
}

/// A share as a percentage with two decimals (`37.50%`), or `n/a`.
fn share_pct(s: Option<Decimal>) -> String {
    match s {
        Some(s) => format!("{}%", money(s * Decimal::ONE_HUNDRED)),
        None => "n/a".to_string(),
    }
}

/// "Disputes filed": what the claims of claims.csv brought back, by carrier,
/// the overdue claims oldest first (the escalation list), and the credits that
/// pay no claim or could pay several.
fn write_recovery(o: &mut String, v: &RecoveryView<'_>) -> Out {
    let r = v.r;
    writeln!(o, "## Disputes filed")?;
    writeln!(o)?;
    writeln!(
        o,
        "{} claims filed (`claims.csv`) for {}: {} has come back as credits on the bills ({} of the \
         claimed), {} is outstanding. `recovery/claims.csv` and `recovery/credits.csv` hold every claim and credit.",
        r.claims.len(),
        money(r.claimed),
        money(r.recovered),
        share_pct(v.share),
        money(r.outstanding)
    )?;
    writeln!(o)?;
    writeln!(o, "| | |")?;
    writeln!(o, "|---|---:|")?;
    writeln!(o, "| Claimed | {} |", money(r.claimed))?;
    writeln!(
        o,
        "| Recovered (credits matched to the claims) | {} |",
        money(r.recovered)
    )?;
    writeln!(o, "| Outstanding | {} |", money(r.outstanding))?;
    writeln!(o, "| Denied by the carriers | {} |", money(r.denied))?;
    writeln!(
        o,
        "| Overdue: {} claims with no credit after {} days | {} |",
        r.overdue,
        r.response_days,
        money(r.overdue_amount)
    )?;
    writeln!(
        o,
        "| Recoverable now, claimed already (left out of the dispute files) | {} |",
        money(r.covered)
    )?;
    writeln!(
        o,
        "| Recoverable now, not claimed yet (the dispute files) | {} |",
        money(r.unclaimed)
    )?;
    writeln!(
        o,
        "| Credits that could pay several claims | {} |",
        money(r.ambiguous_credits)
    )?;
    writeln!(
        o,
        "| Credits that pay no claim | {} |",
        money(r.unmatched_credits)
    )?;
    if let Some(fee) = r.tem_fee_due {
        writeln!(o, "| TEM fee due now | {} |", money(fee))?;
    }
    writeln!(o)?;
    writeln!(
        o,
        "| Carrier | Claimed | Recovered | Share recovered | Outstanding |"
    )?;
    writeln!(o, "|---|---:|---:|---:|---:|")?;
    for (c, share) in &v.by_carrier {
        writeln!(
            o,
            "| {} | {} | {} | {} | {} |",
            md(&c.carrier),
            money(c.claimed),
            money(c.recovered),
            share_pct(*share),
            money(c.outstanding)
        )?;
    }
    writeln!(o)?;
    write_escalation(o, v)?;
    write_loose_credits(o, v)
}

/// The overdue claims, oldest first.
fn write_escalation(o: &mut String, v: &RecoveryView<'_>) -> Out {
    writeln!(o, "### Overdue claims, oldest first (escalate)")?;
    writeln!(o)?;
    if v.overdue.is_empty() {
        writeln!(
            o,
            "None: every claim without a credit is within {} days.",
            v.r.response_days
        )?;
        return writeln!(o);
    }
    writeln!(
        o,
        "| Claim | Carrier | Account | Filed on | Days open | Claimed | Outstanding | Note |"
    )?;
    writeln!(o, "|---|---|---|---|---:|---:|---:|---|")?;
    for c in &v.overdue {
        writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            md(&c.claim_id),
            md(&c.carrier),
            md(&c.account),
            c.filed_on,
            c.days_open,
            money(c.amount),
            money(c.outstanding),
            md(&c.note)
        )?;
    }
    if v.more_overdue > 0 {
        writeln!(
            o,
            "| and {} more (recovery/claims.csv) | | | | | | | |",
            v.more_overdue
        )?;
    }
    writeln!(o)
}

/// The ambiguous and unmatched credits.
fn write_loose_credits(o: &mut String, v: &RecoveryView<'_>) -> Out {
    writeln!(o, "### Credits that pay no claim, or could pay several")?;
    writeln!(o)?;
    if v.loose.is_empty() {
        writeln!(
            o,
            "None: no credit on the claimed accounts is unmatched or ambiguous."
        )?;
        return writeln!(o);
    }
    writeln!(
        o,
        "| Carrier | Account | Invoice | Invoice date | Description | Amount | Matched | Could pay | Source |"
    )?;
    writeln!(o, "|---|---|---|---|---|---:|---|---|---|")?;
    for c in &v.loose {
        writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            md(&c.carrier),
            md(&c.account),
            md(&c.invoice),
            c.invoice_date,
            md(&c.description),
            money(c.amount),
            c.matched.as_str(),
            md(&c.claim_id.replace(';', ", ")),
            md(&c.source)
        )?;
    }
    if v.more_loose > 0 {
        writeln!(
            o,
            "| and {} more (recovery/credits.csv) | | | | | | | | |",
            v.more_loose
        )?;
    }
    writeln!(o)
}

/// A provider's name for a cell; the top-level pair has none.
fn provider_md(p: &str) -> String {
    if p.trim().is_empty() {
        "(proposal)".to_string()
    } else {
        md(p)
    }
}

/// Each rule's own figures (overlapping).
fn write_by_rule(o: &mut String, r: &Report) -> Out {
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
            money(b.recoverable),
            money(b.monthly)
        )?;
    }
    writeln!(o)?;
    writeln!(
        o,
        "Figures by rule overlap: a charge claimed by several rules is shown under each of them. \
         The totals and the figures by carrier count each dollar once, at its largest claim."
    )?;
    writeln!(o)
}

/// "Buying too much": one action per service, as changes/ orders them.
fn write_buying(o: &mut String, b: &Buying<'_>) -> Out {
    writeln!(o, "## Buying too much")?;
    writeln!(o)?;
    writeln!(
        o,
        "One action per service to order from the carrier (`changes/<carrier>.csv`), the first that \
         applies of disconnect, cancel, suspend and downgrade; each saves its amount every month (a \
         service's findings counted once between them). Only a disconnect rests on a billing error, \
         whose charges are also in the dispute files."
    )?;
    writeln!(o)?;
    writeln!(o, "| Action | What to do | Services | Monthly |")?;
    writeln!(o, "|---|---|---:|---:|")?;
    for (action, n, monthly) in &b.actions {
        writeln!(
            o,
            "| {} | {} | {n} | {} |",
            action.as_str(),
            md(action_words(*action)),
            money(*monthly)
        )?;
    }
    writeln!(o)?;
    writeln!(
        o,
        "The {} largest of {} actions by monthly saving (a pool's services move together: one action, \
         its services under it):",
        b.shown.len(),
        b.count
    )?;
    writeln!(o)?;
    writeln!(
        o,
        "| Action | Carrier | Account | Service | Rules | From | To | Saves per month |"
    )?;
    writeln!(o, "|---|---|---|---|---|---|---|---:|")?;
    for c in &b.shown {
        let l = c.line;
        writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            l.action.as_str(),
            md(c.carrier),
            md(&l.account),
            md(c.service()),
            md(&c.rules()),
            md(&c.from()),
            md(&l.to),
            money(c.monthly)
        )?;
        if let Some((_, lines)) = &c.pool {
            write_pool_lines(o, lines)?;
        }
    }
    writeln!(o)
}

/// A pool's services, under its row: each service, its plan and its share.
fn write_pool_lines(o: &mut String, lines: &[&ChangeLine]) -> Out {
    for l in lines.iter().take(POOL_LINES_SHOWN) {
        writeln!(
            o,
            "| | | | - {} | {} | {} | | {} |",
            md(&l.service),
            md(&l.rule.replace(';', ", ")),
            md(&l.from),
            money(l.monthly)
        )?;
    }
    if lines.len() > POOL_LINES_SHOWN {
        writeln!(
            o,
            "| | | | and {} more services (all in changes/) | | | | |",
            lines.len() - POOL_LINES_SHOWN
        )?;
    }
    Ok(())
}

/// Each carrier's billed total and share of the savings.
fn write_by_carrier(o: &mut String, r: &Report) -> Out {
    writeln!(o, "## By carrier")?;
    writeln!(o)?;
    writeln!(o, "| Carrier | Billed | Recoverable | Monthly |")?;
    writeln!(o, "|---|---:|---:|---:|")?;
    for c in &r.by_carrier {
        writeln!(
            o,
            "| {} | {} | {} | {} |",
            md(&c.carrier),
            money(c.billed_total),
            money(c.recoverable),
            money(c.monthly)
        )?;
    }
    writeln!(o)
}

/// The findings whose dispute window closes soon, soonest first.
fn write_claim_first(o: &mut String, dump: &Dump, r: &Report, view: &View<'_>) -> Out {
    writeln!(o, "## Claim first")?;
    writeln!(o)?;
    let as_of = r
        .as_of
        .map(|d| format!(" of the report date {d}"))
        .unwrap_or_default();
    writeln!(
        o,
        "{} findings have money whose dispute window closes within {} days{as_of}; claim them \
         first, soonest first{}:",
        view.claim_first_count,
        crate::view::CLAIM_FIRST_DAYS,
        if view.claim_first_count > view.claim_first.len() {
            format!(
                " (the first {}; findings.csv's claim_by has all)",
                view.claim_first.len()
            )
        } else {
            String::new()
        }
    )?;
    writeln!(o)?;
    writeln!(
        o,
        "| Claim by | Rule | Carrier | Account | Service | Description | Recoverable |"
    )?;
    writeln!(o, "|---|---|---|---|---|---|---:|")?;
    for c in &view.claim_first {
        let f = c.finding;
        writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} |",
            c.claim_by,
            md(&f.rule),
            md(dump.s(f.carrier)),
            md(dump.s(f.account)),
            md(dump.s(f.service)),
            md(&f.description),
            money(f.recoverable)
        )?;
    }
    writeln!(o)
}

/// The largest findings by first-year value.
fn write_top_findings(o: &mut String, dump: &Dump, view: &View<'_>) -> Out {
    writeln!(o, "## Largest findings")?;
    writeln!(o)?;
    if view.top.is_empty() {
        writeln!(o, "No findings.")?;
        return writeln!(o);
    }
    writeln!(
        o,
        "The {} largest of {} findings by first-year value (recoverable + 12 x monthly); \
         `findings.csv` lists them all with every source line.",
        view.top.len(),
        view.findings
    )?;
    writeln!(o)?;
    writeln!(
        o,
        "| # | Rule | Carrier | Account | Service | Periods | Description | Recoverable | Monthly | First year | Claim by | Evidence |"
    )?;
    writeln!(o, "|---:|---|---|---|---|---|---|---:|---:|---:|---|---|")?;
    let recs = crate::dispute_text::Records::new(dump);
    let mut ev = String::new();
    for (n, top) in view.top.iter().enumerate() {
        let f = top.finding;
        ev.clear();
        let shown = f.evidence.len().min(EVIDENCE_SHOWN);
        join_sources(dump, &f.evidence[..shown], &mut ev);
        let mut ev = ev.replace(';', ", ");
        if f.evidence.len() > shown {
            let _ = write!(ev, " and {} more", f.evidence.len() - shown);
        }
        // The contract or inventory line it rests on: a missing credit has no
        // bill line, so this is its only basis.
        for &b in &f.basis {
            let sep = if ev.is_empty() { "" } else { "; " };
            let _ = write!(
                ev,
                "{sep}basis: {} ({})",
                crate::dispute_text::describe_basis(dump, &recs, b),
                crate::locate(dump, b)
            );
        }
        writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            n + 1,
            md(&f.rule),
            md(dump.s(f.carrier)),
            md(dump.s(f.account)),
            md(dump.s(f.service)),
            top.periods,
            md(&f.description),
            money(f.recoverable),
            money(f.monthly),
            money(top.first_year),
            f.claim_by.map(|d| d.to_string()).unwrap_or_default(),
            md(&ev)
        )?;
    }
    writeln!(o)
}

/// The findings with money found too late to claim, apart from the rest.
fn write_expired(o: &mut String, dump: &Dump, r: &Report, view: &View<'_>) -> Out {
    writeln!(o, "## Found too late to claim")?;
    writeln!(o)?;
    let as_of = r.as_of.map(|d| format!(" as of {d}")).unwrap_or_default();
    writeln!(
        o,
        "{} was overbilled on invoices older than the carrier's dispute window{as_of} (client.toml \
         `[disputes]`): the carrier no longer accepts a dispute for it, so it is in no figure above, \
         no dispute file and not in the funding. The {} largest of {} findings with such money:",
        money(r.totals.expired),
        view.expired.len(),
        view.expired_findings
    )?;
    writeln!(o)?;
    writeln!(
        o,
        "| # | Rule | Carrier | Account | Service | Periods | Description | Too late |"
    )?;
    writeln!(o, "|---:|---|---|---|---|---|---|---:|")?;
    for (n, e) in view.expired.iter().enumerate() {
        let f = e.finding;
        writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            n + 1,
            md(&f.rule),
            md(dump.s(f.carrier)),
            md(dump.s(f.account)),
            md(dump.s(f.service)),
            e.periods,
            md(&f.description),
            money(f.expired)
        )?;
    }
    writeln!(o)
}

/// EDI invoices whose charges do not add up to their stated total.
fn write_unbalanced(o: &mut String, dump: &Dump, r: &Report) -> Out {
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
        return writeln!(o);
    }
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
            money(u.stated),
            money(u.computed),
            money(u.difference),
            md(&u.source)
        )?;
    }
    writeln!(o)
}

/// How the figures are computed and where the details are.
fn write_how_to_read(o: &mut String) -> Out {
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
    )
}
