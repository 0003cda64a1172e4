//! report.html (one self-contained page an analyst hands to a client) and the
//! batch index page.
//!
//! Self-contained: inline CSS and inline SVG only; no script, font, image or
//! style sheet is fetched, and the page holds no URL other than relative links
//! to the dispute files beside it. Every figure is rounded as
//! [`telaudit_model::money_string`] rounds it for report.json and written with
//! thousands separators (`1,610,132.82`). All input text is HTML-escaped.

mod plan;

use crate::changes::ChangeLine;
use crate::dispute_text::{describe_basis, Records};
use crate::disputes::AccountDispute;
use crate::human::money;
use crate::json::share_string;
use crate::tables::join_sources;
use crate::view::{
    action_words, fully_funded, Buying, Payback, RecoveryView, View, PAYBACK_LABEL, POOL_LINES_SHOWN,
};
use crate::{Funding, Report};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use telaudit_model::{Date, Decimal, Dump, RuleResult};

/// The result of every section writer: writing to a `String` cannot fail, but
/// `?` on `writeln!` keeps the sections short.
type Out = std::fmt::Result;

/// How many refused inputs the page lists (all are in rejected.csv).
const REJECTED_SHOWN: usize = 100;
/// How many evidence locations a finding shows before "and N more".
const EVIDENCE_SHOWN: usize = 4;

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control and bidi characters shown, never obeyed (`\x1B`, `\u{202E}`).
            c if telaudit_model::is_invisible(c) && c != '\n' && c != '\t' => {
                out.push_str(&telaudit_model::escape_invisible(c))
            }
            c => out.push(c),
        }
    }
    out
}

/// Escapes a file path (or `path:line`) and lets it wrap after each `/`, not
/// mid-word.
pub(crate) fn path_html(s: &str) -> String {
    esc(s).replace('/', "/<wbr>")
}

/// `@page` rules of the printed report: the client, the periods' end dates and
/// the report's date at the top of every page. Every character that is not a
/// letter, digit or space is written as a CSS escape (six digits and the one
/// space that ends it), so no input text can
/// end the string or the style sheet.
fn print_header_css(r: &Report, view: &View<'_>) -> String {
    let text = format!(
        "{} · {}",
        telaudit_model::visible(&r.name),
        crate::view::dates_line(view)
    );
    let mut css = String::with_capacity(text.len() + 96);
    css.push_str("@media print{@page{@top-right{content:\"");
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == ' ' {
            css.push(c);
        } else {
            let _ = write!(css, "\\{:06X} ", c as u32);
        }
    }
    css.push_str("\";font:8pt system-ui,sans-serif;color:#566372}}}");
    css
}

/// Percent-encodes a relative path for an `href` (keeps `/` and unreserved characters).
pub(crate) fn href(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The page's one style sheet, inline so that the page fetches nothing; print
/// rules keep sections and table rows whole on paper.
const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;background:#f4f6f8;color:#1d2733;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1300px;margin:0 auto;padding:16px 12px 32px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:0 0 8px;break-after:avoid;page-break-after:avoid}
.sub{color:#566372;margin:0 0 18px}
section{background:#fff;border:1px solid #dde3ea;border-radius:10px;padding:12px 14px;margin:0 0 10px}
.partial{background:#fff4e5;border:2px solid #d9480f;color:#7a2a00}
.partial h2{color:#c2410c}
.hero{display:grid;grid-template-columns:1.35fr 1fr 1fr 1fr;gap:14px}
.card{border:1px solid #dde3ea;border-radius:10px;padding:14px 16px;background:#fff}
.card .k{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:#566372}
.card .v{font-size:34px;font-weight:700;font-variant-numeric:tabular-nums;margin:2px 0}
.card .n{font-size:13px;color:#566372}
.card.fy{border:2px solid #1f7a4d;background:#effaf3}
.card.fy .v{font-size:44px;color:#1f7a4d}
.card.rec .v{color:#b42318}
.card.mon .v,.card.ann .v{color:#1d4ed8}
.lead{font-size:16px;margin:10px 0 0}
.meter{height:18px;background:#e6ebf0;border-radius:9px;overflow:hidden;margin:10px 0 6px}
.meter>div{height:100%;background:#1f7a4d}
table{border-collapse:collapse;width:100%;font-size:12px;line-height:1.35}
th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #e6ebf0;vertical-align:top}
th{background:#f0f3f6;font-weight:600}
td.m,th.m{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr{break-inside:avoid;page-break-inside:avoid}
.ev{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#3b4a5a;overflow-wrap:break-word}
td.ev{min-width:16em}
h3{font-size:15px;margin:16px 0 8px;color:#334155}
.muted{color:#566372;font-size:13px}
.tag{display:inline-block;font-size:12px;font-weight:600;padding:1px 6px;border-radius:4px;background:#eef2f7;color:#334155}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:4px 28px;align-items:start}
.nw{white-space:nowrap}
.top tr.f td{border-bottom:none}
.top tr.e td{padding-top:0;font-size:11px;line-height:1.35}
@media screen{
.inv{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:1;line-clamp:1;overflow:hidden}
table.top,table.acts,table.first,table.late{table-layout:fixed}
.late th:nth-child(2){width:32%}.late th:nth-child(3){width:180px}.late th:nth-child(4){width:80px}
.first th:nth-child(1){width:96px}.first th:nth-child(3){width:36%}.first th:nth-child(4){width:100px}
.top th:nth-child(1){width:34px}.top th:nth-child(2){width:40%}
.top th:nth-child(4),.top th:nth-child(6){width:92px}.top th:nth-child(5){width:80px}
.acts th:nth-child(1){width:19%}.acts th:nth-child(2){width:33%}.acts th:nth-child(3){width:24%}
.acts th:nth-child(4){width:15%}.acts th:nth-child(5){width:9%;white-space:normal}
}
.inv{font-size:11.5px}
section p{margin:6px 0 10px}
h3{margin:12px 0 6px}
svg{width:100%;max-width:720px;height:auto;display:block;overflow:visible}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:13px;fill:#1d2733}
svg .lbl{fill:#334155}
svg .track{fill:#f1f4f7}
svg .rec{fill:#b42318}
svg .ann{fill:#7aa2f7}
svg .bill{fill:#c9d3de}
svg .waste{fill:#b42318}
.legend span{display:inline-block;margin-right:16px;font-size:13px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-1px}
a{color:#1d4ed8}
footer{color:#566372;font-size:12.5px;margin-top:8px}
@media (max-width:820px){.hero,.grid2{grid-template-columns:1fr 1fr}.pair{grid-template-columns:1fr}}
@media print{
 @page{margin:14mm}
 body{background:#fff;font-size:11.5pt}
 main{max-width:none;padding:0}
 section{border:1px solid #bbb;break-inside:avoid;page-break-inside:avoid}
 section.long{break-inside:auto;page-break-inside:auto}
 .pair{display:block}
 .findings{break-before:page;page-break-before:always}
 table{font-size:9pt}
 th,td{padding:3px 5px}
 #findings tr,#disputes tr,#rejected tr{break-inside:auto;page-break-inside:auto}
 thead{display:table-header-group}
 .ev{font-size:8pt;overflow-wrap:break-word;word-break:normal}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 a{color:inherit;text-decoration:none}
}
"#;

/// One bar of a horizontal bar chart: stacked segments and a text at its end.
struct Bar {
    label: String,
    segments: Vec<(Decimal, &'static str)>,
    text: String,
}

/// `v * width / max`, rounded to whole pixels, exactly (no float near money).
fn px(v: Decimal, max: Decimal, width: i64) -> i64 {
    if max <= Decimal::ZERO || v <= Decimal::ZERO {
        return 0;
    }
    let w = (v * Decimal::from(width) / max).round();
    i64::try_from(w).unwrap_or(0).clamp(0, width)
}

/// `s` cut to `n` characters with a trailing `…` when longer (chart labels).
fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Labels longer than this are shortened in charts (the full text is the tooltip).
const LABEL_CHARS: usize = 30;

/// An inline SVG of horizontal bars, each labelled with its amount.
fn hbars(bars: &[Bar], title: &str) -> String {
    // Sized in CSS pixels at 13px text: readable on a laptop and on paper.
    const W: i64 = 720;
    const ROW: i64 = 26;
    const THICK: i64 = 17;
    const CHAR: i64 = 7; // a generous average glyph width at 13px
    let longest = |f: fn(&Bar) -> usize| bars.iter().map(f).max().unwrap_or(0) as i64;
    let label_w = (longest(|b| b.label.chars().count().min(LABEL_CHARS)) * CHAR + 12).clamp(70, 230);
    let text_w = (longest(|b| b.text.chars().count()) * CHAR + 12).clamp(120, 300);
    let area = W - label_w - text_w;
    let max = bars
        .iter()
        .map(|b| b.segments.iter().map(|s| s.0.max(Decimal::ZERO)).sum::<Decimal>())
        .max()
        .unwrap_or(Decimal::ZERO);
    let h = ROW * bars.len() as i64 + 6;
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg viewBox="0 0 {W} {h}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        esc(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i as i64 * ROW + 4;
        let _ = write!(
            o,
            r#"<text class="lbl" x="{}" y="{}" text-anchor="end"><title>{}</title>{}</text>"#,
            label_w - 8,
            y + THICK - 5,
            esc(&b.label),
            esc(&shorten(&b.label, LABEL_CHARS))
        );
        let _ = write!(
            o,
            r#"<rect x="{label_w}" y="{y}" width="{area}" height="{THICK}" class="track"/>"#
        );
        let mut x = label_w;
        let mut acc = Decimal::ZERO;
        for &(v, class) in &b.segments {
            if v <= Decimal::ZERO {
                continue;
            }
            // Position by the running sum, so rounding never accumulates.
            let start = label_w + px(acc, max, area);
            acc += v;
            let end = (label_w + px(acc, max, area)).max(start + 2);
            let _ = write!(
                o,
                r#"<rect class="{class}" x="{start}" y="{y}" width="{}" height="{THICK}"/>"#,
                end - start
            );
            x = end;
        }
        let _ = write!(
            o,
            r#"<text x="{}" y="{}">{}</text>"#,
            x + 8,
            y + THICK - 5,
            esc(&b.text)
        );
    }
    o.push_str("</svg>");
    // The xmlns attribute is the SVG namespace name, not a resource: it is never
    // fetched. Inline SVG in HTML does not need it, so leave it out entirely.
    o.replace(r#" xmlns="http://www.w3.org/2000/svg""#, "")
}

/// report.html for one client: computes the dispute files itself (as
/// [`crate::write_outputs`] does) to link them.
pub fn report_html(dump: &Dump, results: &[RuleResult], report: &Report) -> String {
    let changes = crate::changes(dump, results);
    let view = View::new(dump, results, report, &changes);
    report_html_with(dump, report, &view, &crate::disputes(dump, results))
}

/// report.html from a view and dispute files already worked out (the output
/// writer shares them with report.md and the dispute files).
pub(crate) fn report_html_with(
    dump: &Dump,
    r: &Report,
    view: &View<'_>,
    disputes: &[AccountDispute],
) -> String {
    let mut o = String::with_capacity(32 * 1024);
    let _ = write_html(&mut o, dump, r, view, disputes);
    o
}

/// The sections of report.html, in order.
fn write_html(o: &mut String, dump: &Dump, r: &Report, view: &View<'_>, disputes: &[AccountDispute]) -> Out {
    write_head(o, r, view)?;
    // A partial audit must not pass for a full one: say so before any figure.
    if r.input.rejected_rows > 0 || r.rejections > 0 {
        write_partial(o, r)?;
    }
    if r.input.unrecognised_files > 0 {
        writeln!(
            o,
            r##"<section class="partial" id="unrecognised"><p><b>{} file(s) below invoices/ were not recognised by any reader</b>: any bill in them is in none of the figures below (<a href="#skipped">the list</a>).</p></section>"##,
            r.input.unrecognised_files
        )?;
    }
    write_headline(o, r)?;
    if let Some(p) = &r.proposal {
        write_proposal(o, r, p, view)?;
    }
    if let Some(rv) = &view.recovery {
        write_recovery(o, rv)?;
    }
    write_savings(o, r)?;
    write_months(o, dump, r)?;
    if !view.claim_first.is_empty() {
        write_claim_first(o, dump, r, view)?;
    }
    if let Some(since) = &view.since {
        write_since(o, since)?;
    }
    write_findings(o, dump, view)?;
    if !view.expired.is_empty() {
        write_expired(o, dump, r, view)?;
    }
    if let Some(b) = &view.buying {
        write_buying(o, b)?;
    }
    write_disputes(o, disputes)?;
    if !r.unbalanced.is_empty() {
        write_unbalanced(o, r)?;
    }
    if !dump.rejected.is_empty() {
        write_rejected(o, dump, r)?;
    }
    if !view.skipped.is_empty() {
        write_skipped(o, r, view)?;
    }
    if !view.usage.is_empty() {
        write_usage(o, view)?;
    }
    if !view.warnings.is_empty() {
        write_warnings(o, view)?;
    }
    write_footer(o)
}

/// The document head, the title and the line of input figures under it.
fn write_head(o: &mut String, r: &Report, view: &View<'_>) -> Out {
    let t = &r.totals;
    let i = &r.input;
    writeln!(o, "<!DOCTYPE html>")?;
    writeln!(o, r#"<html lang="en"><head><meta charset="utf-8">"#)?;
    writeln!(
        o,
        r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#
    )?;
    writeln!(o, "<title>Telecom bill audit: {}</title>", esc(&r.name))?;
    writeln!(
        o,
        "<style>{CSS}{}</style></head><body><main>",
        print_header_css(r, view)
    )?;

    writeln!(o, "<h1>Telecom bill audit: {}</h1>", esc(&r.name))?;
    let periods = esc(&crate::view::dates_line(view)).replace(" · ", " &middot; ");
    writeln!(
        o,
        r#"<p class="sub">Client id {} &middot; {} &middot; {} charge files, {} charge rows, billed total <b>{}</b> &middot; {} findings</p>"#,
        esc(&r.client),
        periods,
        i.files,
        i.rows,
        money(i.billed_total),
        t.findings
    )?;

    Ok(())
}

/// The warning that some input was refused, before any figure.
fn write_partial(o: &mut String, r: &Report) -> Out {
    let i = &r.input;
    writeln!(
        o,
        r#"<section class="partial" id="partial"><h2>Partial audit: some input was refused</h2>"#
    )?;
    if i.rejected_rows > 0 {
        writeln!(
            o,
            "<p><b>{} charge rows were refused</b> and are in none of the figures below. The \
             savings found are a lower bound until they are fixed and the audit is run again.</p>",
            i.rejected_rows
        )?;
    } else {
        writeln!(
            o,
            "<p><b>{} input records</b> (files, or lines of inventory.csv, contracts.csv, claims.csv ...) were refused, so some \
             findings may be missing.</p>",
            r.rejections
        )?;
    }
    writeln!(
        o,
        r##"<p>The list is <a href="#rejected">at the end of this report</a> and in <b>rejected.csv</b>.</p></section>"##
    )?;
    Ok(())
}

/// The four headline cards and the sentence that reads them out.
fn write_headline(o: &mut String, r: &Report) -> Out {
    let t = &r.totals;
    writeln!(o, r#"<section id="headline"><div class="hero">"#)?;
    writeln!(
        o,
        r#"<div class="card fy"><div class="k">First-year value</div><div class="v">{}</div><div class="n">recoverable now + annual savings</div></div>"#,
        money(t.first_year)
    )?;
    writeln!(
        o,
        r#"<div class="card rec"><div class="k">Recoverable now</div><div class="v">{}</div><div class="n">already overbilled; a dispute claims it back</div></div>"#,
        money(t.recoverable)
    )?;
    writeln!(
        o,
        r#"<div class="card mon"><div class="k">Monthly savings</div><div class="v">{}</div><div class="n">stops being billed once fixed</div></div>"#,
        money(t.monthly)
    )?;
    writeln!(
        o,
        r#"<div class="card ann"><div class="k">Annual savings</div><div class="v">{}</div><div class="n">12 &times; monthly</div></div>"#,
        money(t.annual)
    )?;
    writeln!(o, "</div>")?;
    writeln!(
        o,
        r#"<p class="lead"><b>{}</b> can be claimed back from the carriers now, and <b>{}</b> a month (<b>{}</b> a year) stops being billed once the causes are fixed: <b>{}</b> in the first year.</p>"#,
        money(t.recoverable),
        money(t.monthly),
        money(t.annual),
        money(t.first_year)
    )?;
    if !t.expired.is_zero() {
        writeln!(
            o,
            r##"<p class="lead"><b>{}</b> more was found too late to claim: the carriers' dispute windows closed (<a href="#expired">below</a>); it is in none of these figures.</p>"##,
            money(t.expired)
        )?;
    }
    writeln!(o, "</section>")?;

    Ok(())
}

/// What the found money funds of the proposal: share, meter and payback.
fn write_proposal(o: &mut String, r: &Report, p: &Funding, view: &View<'_>) -> Out {
    let t = &r.totals;
    writeln!(o, r#"<section id="proposal"><h2>What this funds</h2>"#)?;
    let payback = match view.payback {
        Some(Payback::Now) => "0 months: the money found at once covers the one-time cost".to_string(),
        Some(Payback::Months(n)) => Payback::months_text(n),
        Some(Payback::Never) | None => {
            "never: the monthly savings do not exceed the proposal's monthly cost".to_string()
        }
    };
    match p.funded_share_after_fees {
        Some(s) => {
            let pct = money(s * Decimal::ONE_HUNDRED);
            let fill = if s >= Decimal::ONE {
                "100".to_string()
            } else if s <= Decimal::ZERO {
                "0".to_string()
            } else {
                money(s * Decimal::ONE_HUNDRED)
            };
            let fully = if fully_funded(p) {
                " &mdash; fully funded"
            } else {
                ""
            };
            let fees = if p.first_year_fees.is_zero() {
                String::new()
            } else {
                format!(
                    ", the TEM provider's fees of its first 12 months ({}) included",
                    money(p.first_year_fees)
                )
            };
            writeln!(
                o,
                r#"<p class="lead">The first-year value of <b>{}</b> covers <b>{pct}%</b> of the proposal's first-year cost of <b>{}</b>{fees}{fully}.</p>"#,
                money(t.first_year),
                money(p.first_year_cost + p.first_year_fees)
            )?;
            writeln!(o, r#"<div class="meter"><div style="width:{fill}%"></div></div>"#)?;
            let without = p
                .funded_share
                .map(|f| format!("; without the TEM fees <b>{}</b>", share_string(f)))
                .unwrap_or_default();
            writeln!(
                o,
                r#"<p class="muted">Funded share <b>{}</b> (first-year value / first-year cost with the TEM fees){without}.</p>"#,
                share_string(s)
            )?;
        }
        None => writeln!(o, r#"<p class="lead">The proposal's first-year cost is 0.</p>"#)?,
    }
    // With a plan, its items go beside these figures.
    if view.plan.is_some() {
        writeln!(o, r#"<div class="pair"><div>"#)?;
    }
    writeln!(o, "<table><tbody>")?;
    writeln!(
        o,
        r#"<tr><td>One-time cost</td><td class="m">{}</td></tr>"#,
        money(p.one_time)
    )?;
    writeln!(
        o,
        r#"<tr><td>Monthly cost</td><td class="m">{}</td></tr>"#,
        money(p.monthly)
    )?;
    writeln!(
        o,
        r#"<tr><td>First-year cost (one-time + 12 &times; monthly)</td><td class="m">{}</td></tr>"#,
        money(p.first_year_cost)
    )?;
    writeln!(
        o,
        r#"<tr><td><b>{PAYBACK_LABEL}</b></td><td class="m"><b>{}</b></td></tr>"#,
        esc(&payback)
    )?;
    if let Some(rv) = &view.recovery {
        writeln!(
            o,
            r##"<tr><td>Of the money found, already recovered (credits on filed claims, <a href="#recovery">below</a>)</td><td class="m">{}</td></tr>"##,
            money(rv.r.recovered)
        )?;
        if let Some(fee) = rv.r.tem_fee_due {
            writeln!(
                o,
                r#"<tr><td>TEM fee due now (its share of the money recovered)</td><td class="m">{}</td></tr>"#,
                money(fee)
            )?;
        }
    }
    write!(o, "</tbody></table>")?;
    if let Some(plan) = &view.plan {
        writeln!(o, "</div><div>")?;
        plan::write_items(o, plan)?;
        writeln!(o, "</div></div>")?;
        plan::write_plan(o, plan)?;
    }
    writeln!(o, "</section>")?;
    Ok(())
}

/// A share as a percentage with two decimals (`37.50%`), or `n/a`.
fn share_pct(s: Option<Decimal>) -> String {
    match s {
        Some(s) => format!("{}%", money(s * Decimal::ONE_HUNDRED)),
        None => "n/a".to_string(),
    }
}

/// "Disputes filed": the ledger's figures, the share recovered by carrier, the
/// overdue claims oldest first (the escalation list) and the credits that pay
/// no claim or could pay several. Claim ids and notes are escaped as all input.
fn write_recovery(o: &mut String, v: &RecoveryView<'_>) -> Out {
    let r = v.r;
    writeln!(
        o,
        r#"<section id="recovery" class="long"><h2>Disputes filed</h2>"#
    )?;
    writeln!(
        o,
        r#"<p class="lead"><b>{}</b> claims filed for <b>{}</b>: <b>{}</b> has come back as credits on the bills ({} of the claimed), <b>{}</b> is outstanding.</p>"#,
        r.claims.len(),
        money(r.claimed),
        money(r.recovered),
        share_pct(v.share),
        money(r.outstanding)
    )?;
    writeln!(o, r#"<div class="pair"><div><table><tbody>"#)?;
    let rows: [(String, Decimal); 9] = [
        ("Claimed".to_string(), r.claimed),
        (
            "Recovered (credits matched to the claims)".to_string(),
            r.recovered,
        ),
        ("Outstanding".to_string(), r.outstanding),
        ("Denied by the carriers".to_string(), r.denied),
        (
            format!(
                "Overdue: {} claims with no credit after {} days",
                r.overdue, r.response_days
            ),
            r.overdue_amount,
        ),
        (
            "Recoverable now, claimed already (left out of the dispute files)".to_string(),
            r.covered,
        ),
        (
            "Recoverable now, not claimed yet (the dispute files)".to_string(),
            r.unclaimed,
        ),
        (
            "Credits that could pay several claims".to_string(),
            r.ambiguous_credits,
        ),
        ("Credits that pay no claim".to_string(), r.unmatched_credits),
    ];
    for (label, v) in rows
        .iter()
        .chain(r.tem_fee_due.map(|f| ("TEM fee due now".to_string(), f)).iter())
    {
        writeln!(
            o,
            r#"<tr><td>{}</td><td class="m">{}</td></tr>"#,
            esc(label),
            money(*v)
        )?;
    }
    writeln!(o, "</tbody></table></div>")?;
    writeln!(o, "<div><h3>By carrier</h3>")?;
    writeln!(o, "<table><thead><tr><th>Carrier</th><th class=\"m\">Claimed</th><th class=\"m\">Recovered</th><th class=\"m\">Share recovered</th><th class=\"m\">Outstanding</th></tr></thead><tbody>")?;
    for (c, share) in &v.by_carrier {
        writeln!(
            o,
            r#"<tr><td>{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td></tr>"#,
            esc(&c.carrier),
            money(c.claimed),
            money(c.recovered),
            share_pct(*share),
            money(c.outstanding)
        )?;
    }
    writeln!(o, "</tbody></table></div></div>")?;
    write_escalation(o, v)?;
    write_loose_credits(o, v)?;
    writeln!(o, "</section>")
}

/// The overdue claims, oldest first.
fn write_escalation(o: &mut String, v: &RecoveryView<'_>) -> Out {
    writeln!(
        o,
        r#"<h3 id="escalate">Overdue claims, oldest first (escalate)</h3>"#
    )?;
    if v.overdue.is_empty() {
        return writeln!(
            o,
            "<p>None: every claim without a credit is within {} days.</p>",
            v.r.response_days
        );
    }
    writeln!(o, "<table><thead><tr><th>Claim</th><th>Carrier</th><th>Account</th><th>Filed on</th><th class=\"m\">Days open</th><th class=\"m\">Claimed</th><th class=\"m\">Outstanding</th><th>Note</th></tr></thead><tbody>")?;
    for c in &v.overdue {
        writeln!(
            o,
            r#"<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td>{}</td></tr>"#,
            esc(&c.claim_id),
            esc(&c.carrier),
            esc(&c.account),
            c.filed_on,
            c.days_open,
            money(c.amount),
            money(c.outstanding),
            esc(&c.note)
        )?;
    }
    if v.more_overdue > 0 {
        writeln!(
            o,
            r#"<tr><td colspan="8">and {} more (recovery/claims.csv)</td></tr>"#,
            v.more_overdue
        )?;
    }
    writeln!(o, "</tbody></table>")
}

/// The ambiguous and unmatched credits.
fn write_loose_credits(o: &mut String, v: &RecoveryView<'_>) -> Out {
    writeln!(o, "<h3>Credits that pay no claim, or could pay several</h3>")?;
    if v.loose.is_empty() {
        return writeln!(
            o,
            "<p>None: no credit on the claimed accounts is unmatched or ambiguous.</p>"
        );
    }
    writeln!(o, "<table><thead><tr><th>Where</th><th>Description</th><th class=\"m\">Amount</th><th>Matched</th><th>Could pay</th><th>Source</th></tr></thead><tbody>")?;
    for c in &v.loose {
        writeln!(
            o,
            r#"<tr><td>{} &middot; account {}<br>invoice {} of {}</td><td>{}</td><td class="m">{}</td><td>{}</td><td>{}</td><td class="ev">{}</td></tr>"#,
            esc(&c.carrier),
            esc(&c.account),
            esc(&c.invoice),
            c.invoice_date,
            esc(&c.description),
            money(c.amount),
            c.matched.as_str(),
            esc(&c.claim_id.replace(';', ", ")),
            path_html(&c.source)
        )?;
    }
    if v.more_loose > 0 {
        writeln!(
            o,
            r#"<tr><td colspan="6">and {} more (recovery/credits.csv)</td></tr>"#,
            v.more_loose
        )?;
    }
    writeln!(o, "</tbody></table>")
}

/// Where the savings are: charts and tables by rule and by carrier.
fn write_savings(o: &mut String, r: &Report) -> Out {
    writeln!(o, r#"<section id="savings"><h2>Where the savings are</h2>"#)?;
    writeln!(
        o,
        r#"<p class="legend"><span><i style="background:#b42318"></i>recoverable now</span><span><i style="background:#7aa2f7"></i>annual savings (12 &times; monthly)</span></p>"#
    )?;
    let twelve = Decimal::from(12);
    // Largest first-year value first, so the eye lands on what matters.
    let mut rules_by_value: Vec<&crate::RuleTotals> = r.by_rule.iter().collect();
    rules_by_value.sort_by(|a, b| {
        (b.recoverable + b.monthly * twelve)
            .cmp(&(a.recoverable + a.monthly * twelve))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    let rule_bars: Vec<Bar> = rules_by_value
        .into_iter()
        .map(|b| Bar {
            label: format!("{} {}", b.rule, b.title),
            segments: vec![(b.recoverable, "rec"), (b.monthly * twelve, "ann")],
            text: format!("{} now + {}/month", money(b.recoverable), money(b.monthly)),
        })
        .collect();
    // Each chart beside its table: by rule, then by carrier.
    writeln!(o, r#"<div class="pair"><div><h3>By rule</h3>"#)?;
    o.push_str(&hbars(&rule_bars, "Savings by rule"));
    writeln!(
        o,
        r#"<p class="muted">By rule, a charge claimed by several rules shows under each; the totals and the figures by carrier count each dollar once.</p>"#
    )?;
    writeln!(o, "</div><div><h3>Rules</h3>")?;
    writeln!(o, "<table><thead><tr><th>Rule</th><th>Title</th><th class=\"m\">Findings</th><th class=\"m\">Recoverable</th><th class=\"m\">Monthly</th></tr></thead><tbody>")?;
    for b in &r.by_rule {
        writeln!(
            o,
            r#"<tr><td><span class="tag">{}</span></td><td>{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td></tr>"#,
            esc(&b.rule),
            esc(&b.title),
            b.findings,
            money(b.recoverable),
            money(b.monthly)
        )?;
    }
    writeln!(o, "</tbody></table></div></div>")?;
    let carrier_bars: Vec<Bar> = r
        .by_carrier
        .iter()
        .map(|c| Bar {
            label: c.carrier.clone(),
            segments: vec![(c.recoverable, "rec"), (c.monthly * twelve, "ann")],
            text: format!("{} now + {}/month", money(c.recoverable), money(c.monthly)),
        })
        .collect();
    writeln!(o, r#"<div class="pair"><div><h3>By carrier</h3>"#)?;
    o.push_str(&hbars(&carrier_bars, "Savings by carrier"));
    writeln!(o, "</div><div><h3>Carriers</h3>")?;
    writeln!(o, "<table><thead><tr><th>Carrier</th><th class=\"m\">Billed</th><th class=\"m\">Recoverable</th><th class=\"m\">Monthly</th></tr></thead><tbody>")?;
    for c in &r.by_carrier {
        writeln!(
            o,
            r#"<tr><td>{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td></tr>"#,
            esc(&c.carrier),
            money(c.billed_total),
            money(c.recoverable),
            money(c.monthly)
        )?;
    }
    writeln!(o, "</tbody></table></div></div>")?;
    writeln!(o, "</section>")?;

    Ok(())
}

/// The dispute letters and CSVs beside the report, linked.
fn write_disputes(o: &mut String, disputes: &[AccountDispute]) -> Out {
    writeln!(o, r#"<section id="disputes" class="long"><h2>Dispute files</h2>"#)?;
    if disputes.is_empty() {
        writeln!(
            o,
            "<p>Nothing to dispute: no finding claims recoverable money.</p>"
        )?;
    } else {
        writeln!(
            o,
            "<p>One letter and one line-by-line CSV per account, in the <b>disputes</b> folder beside this \
             report. Each charge is claimed once, so the letters add up to the recoverable total not claimed \
             yet. An account with claims still open and nothing new has a follow-up letter only. \
             <b>disputes/new-claims.csv</b> holds the new lines as rows for claims.csv, to append once filed.</p>"
        )?;
        writeln!(o, "<table><thead><tr><th>Carrier</th><th>Account</th><th class=\"m\">Lines</th><th class=\"m\">Claimed</th><th class=\"m\">Open claims</th><th>Files</th></tr></thead><tbody>")?;
        for d in disputes {
            let files = if d.lines.is_empty() {
                format!(
                    r#"<a href="{}">follow-up letter</a>"#,
                    esc(&href(&d.letter_html_path()))
                )
            } else {
                format!(
                    r#"<a href="{}">letter</a> &middot; <a href="{}">lines (CSV)</a>"#,
                    esc(&href(&d.letter_html_path())),
                    esc(&href(&d.csv_path()))
                )
            };
            writeln!(
                o,
                r#"<tr><td>{}</td><td>{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td>{files}</td></tr>"#,
                esc(&d.carrier),
                esc(&d.account),
                d.lines.len(),
                money(d.total),
                d.open_claims.len()
            )?;
        }
        let lines: usize = disputes.iter().map(|d| d.lines.len()).sum();
        let total: Decimal = disputes.iter().map(|d| d.total).sum();
        writeln!(
            o,
            r#"</tbody><tfoot><tr><th>Total</th><th>{} accounts</th><th class="m">{lines}</th><th class="m">{}</th><th></th></tr></tfoot></table>"#,
            disputes.len(),
            money(total)
        )?;
    }
    writeln!(o, "</section>")?;

    Ok(())
}

/// "Buying too much": one action per service (the lines of changes/), with what
/// each saves per month.
fn write_buying(o: &mut String, b: &Buying<'_>) -> Out {
    writeln!(o, r#"<section id="buying" class="long"><h2>Buying too much</h2>"#)?;
    writeln!(
        o,
        "<p>One action per service to order from the carrier (the <b>changes</b> folder beside this report \
         holds one CSV per carrier): the first that applies of disconnect, cancel, suspend and downgrade. \
         Each saves its amount every month; a service's findings are counted once between them. Only a \
         disconnect rests on a billing error, whose charges are also in the dispute files.</p>"
    )?;
    writeln!(o, "<table><thead><tr><th>Action</th><th>What to do</th><th class=\"m\">Services</th><th class=\"m\">Monthly</th></tr></thead><tbody>")?;
    for (action, n, monthly) in &b.actions {
        writeln!(
            o,
            r#"<tr><td><span class="tag">{}</span></td><td>{}</td><td class="m">{n}</td><td class="m">{}</td></tr>"#,
            action.as_str(),
            esc(action_words(*action)),
            money(*monthly)
        )?;
    }
    writeln!(o, "</tbody></table>")?;
    writeln!(
        o,
        "<p class=\"muted\">The {} largest of {} actions by monthly saving (a pool's services move \
         together: one action, its services under it).</p>",
        b.shown.len(),
        b.count
    )?;
    writeln!(o, "<table class=\"acts\"><thead><tr><th>Action</th><th>Where</th><th>From</th><th>To</th><th class=\"m\">Saves per month</th></tr></thead><tbody>")?;
    for c in &b.shown {
        let l = c.line;
        let what = if c.pool.is_some() { "" } else { "service " };
        writeln!(
            o,
            r#"<tr><td><span class="tag">{}</span> <span class="muted">{}</span></td><td>{} &middot; account {} &middot; {what}{}</td><td>{}</td><td>{}</td><td class="m"><b>{}</b></td></tr>"#,
            l.action.as_str(),
            esc(&c.rules()),
            esc(c.carrier),
            esc(&l.account),
            esc(c.service()),
            esc(&c.from()),
            esc(&l.to),
            money(c.monthly)
        )?;
        if let Some((_, lines)) = &c.pool {
            write_pool_lines(o, lines)?;
        }
    }
    writeln!(o, "</tbody></table></section>")?;
    Ok(())
}

/// A pool's services, under its row, in one compact row (the page stays short):
/// each service and its share, with its plan when the pool's plans differ.
fn write_pool_lines(o: &mut String, lines: &[&ChangeLine]) -> Out {
    let mixed = lines.iter().any(|l| l.from != lines[0].from);
    let mut items: Vec<String> = Vec::new();
    for l in lines.iter().take(POOL_LINES_SHOWN) {
        items.push(if mixed {
            format!("{} ({}, {})", esc(&l.service), esc(&l.from), money(l.monthly))
        } else {
            format!("{} ({})", esc(&l.service), money(l.monthly))
        });
    }
    if lines.len() > POOL_LINES_SHOWN {
        items.push(format!(
            "and {} more services (all in the changes folder)",
            lines.len() - POOL_LINES_SHOWN
        ));
    }
    writeln!(
        o,
        r#"<tr class="muted"><td></td><td colspan="4">its services: {}</td></tr>"#,
        items.join(", ")
    )
}

/// EDI invoices whose charges do not add up to their stated total.
fn write_unbalanced(o: &mut String, r: &Report) -> Out {
    writeln!(o, r#"<section id="unbalanced"><h2>Invoices out of balance</h2>"#)?;
    writeln!(
        o,
        "<p>EDI invoices whose charges do not add up to their stated total (difference = stated &minus; \
         computed). They are not counted as findings; ask the carrier.</p>"
    )?;
    writeln!(o, "<table><thead><tr><th>Carrier</th><th>Account</th><th>Invoice</th><th class=\"m\">Stated</th><th class=\"m\">Computed</th><th class=\"m\">Difference</th><th>Source</th></tr></thead><tbody>")?;
    for u in &r.unbalanced {
        writeln!(
            o,
            r#"<tr><td>{}</td><td>{}</td><td>{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td class="ev">{}</td></tr>"#,
            esc(&u.carrier),
            esc(&u.account),
            esc(&u.invoice),
            money(u.stated),
            money(u.computed),
            money(u.difference),
            path_html(&u.source)
        )?;
    }
    writeln!(o, "</tbody></table></section>")?;
    Ok(())
}

/// The refused input, the first [`REJECTED_SHOWN`] of it.
fn write_rejected(o: &mut String, dump: &Dump, r: &Report) -> Out {
    let i = &r.input;
    let mut rejected: Vec<&telaudit_model::Rejection> = dump.rejected.iter().collect();
    rejected.sort_by(|a, b| {
        a.file
            .cmp(&b.file)
            .then_with(|| a.position.cmp(&b.position))
            .then_with(|| a.reason.cmp(&b.reason))
    });
    writeln!(
        o,
        r#"<section id="rejected" class="partial long"><h2>Refused input</h2>"#
    )?;
    writeln!(
        o,
        "<p>{} refusals, standing for {} charge rows. None of it is in the figures above. Showing {} of them; \
         rejected.csv lists all.</p>",
        rejected.len(),
        i.rejected_rows,
        rejected.len().min(REJECTED_SHOWN)
    )?;
    writeln!(
        o,
        "<table><thead><tr><th>File</th><th>Line</th><th>Reason</th></tr></thead><tbody>"
    )?;
    for x in rejected.iter().take(REJECTED_SHOWN) {
        writeln!(
            o,
            r#"<tr><td class="ev">{}</td><td class="ev">{}</td><td>{}</td></tr>"#,
            path_html(&x.file),
            esc(&x.position.to_string()),
            esc(&x.reason)
        )?;
    }
    writeln!(o, "</tbody></table></section>")?;
    Ok(())
}

/// The findings with money found too late to claim, apart from the rest.
fn write_expired(o: &mut String, dump: &Dump, r: &Report, view: &View<'_>) -> Out {
    writeln!(o, r#"<section id="expired"><h2>Found too late to claim</h2>"#)?;
    let as_of = r.as_of.map(|d| format!(" as of {d}")).unwrap_or_default();
    writeln!(
        o,
        "<p><b>{}</b> was overbilled on invoices older than the carrier's dispute window{as_of} \
         (client.toml <code>[disputes]</code>): the carrier no longer accepts a dispute for it, so it \
         is in no figure above, no dispute file and not in the funding. The {} largest of {} findings \
         with such money:</p>",
        money(r.totals.expired),
        view.expired.len(),
        view.expired_findings
    )?;
    writeln!(
        o,
        "<table class=\"late\"><thead><tr><th>Finding</th><th>Where</th><th>Periods</th> \
         <th class=\"m\">Too late</th></tr></thead><tbody>"
    )?;
    for e in &view.expired {
        let f = e.finding;
        let service = if f.service.is_empty() {
            "account level".to_string()
        } else {
            format!("service {}", dump.s(f.service))
        };
        writeln!(
            o,
            r#"<tr><td><span class="tag">{}</span> {}</td><td>{} &middot; account {} &middot; {}</td><td>{}</td><td class="m">{}</td></tr>"#,
            esc(&f.rule),
            esc(&f.description),
            esc(dump.s(f.carrier)),
            esc(dump.s(f.account)),
            esc(&service),
            esc(&e.periods),
            money(f.expired)
        )?;
    }
    writeln!(o, "</tbody></table></section>")?;
    Ok(())
}

/// The files skipped, with why (formats.md section 11).
fn write_skipped(o: &mut String, r: &Report, view: &View<'_>) -> Out {
    writeln!(o, r#"<section id="skipped"><h2>Files skipped</h2>"#)?;
    if r.input.unrecognised_files > 0 {
        writeln!(
            o,
            "<p><b>{} file(s) were not recognised by any reader</b>; any bill in them is in none of \
             the figures above.</p>",
            r.input.unrecognised_files
        )?;
    }
    writeln!(o, "<p>None of these files' charges is counted.</p><ul>")?;
    for s in &view.skipped {
        writeln!(
            o,
            r#"<li><span class="ev">{}</span>: {}</li>"#,
            path_html(s.file),
            esc(s.reason)
        )?;
    }
    if view.more_skipped > 0 {
        writeln!(o, "<li>and {} more</li>", view.more_skipped)?;
    }
    writeln!(o, "</ul></section>")?;
    Ok(())
}

/// The call-detail files read for usage, with their record counts.
fn write_usage(o: &mut String, view: &View<'_>) -> Out {
    writeln!(o, r#"<section id="usage"><h2>Call detail read for usage</h2>"#)?;
    writeln!(
        o,
        "<p>{} file(s), {} records: they add no money; the use they measure goes to the usage rules.</p><ul>",
        view.usage_files.0, view.usage_files.1
    )?;
    for u in &view.usage {
        let columns = u.header_file.map_or(String::new(), |h| {
            format!(r#" (columns from <span class="ev">{}</span>)"#, path_html(h))
        });
        writeln!(
            o,
            r#"<li><span class="ev">{}</span>{columns}: {} records read for usage ({}), {} usage row(s)</li>"#,
            path_html(u.file),
            u.records,
            esc(&u.kinds),
            u.rows
        )?;
    }
    if view.usage_files.0 > view.usage.len() {
        writeln!(o, "<li>and {} more</li>", view.usage_files.0 - view.usage.len())?;
    }
    writeln!(o, "</ul></section>")?;
    Ok(())
}

/// The input warnings the view lists.
fn write_warnings(o: &mut String, view: &View<'_>) -> Out {
    writeln!(o, r#"<section id="warnings"><h2>Input warnings</h2><ul>"#)?;
    for w in &view.warnings {
        writeln!(
            o,
            r#"<li><span class="ev">{}</span>: {}</li>"#,
            path_html(&w.place),
            esc(w.message)
        )?;
    }
    if view.more_warnings > 0 {
        writeln!(o, "<li>and {} more</li>", view.more_warnings)?;
    }
    writeln!(
        o,
        r#"</ul><p class="muted"><a href="warnings.csv">warnings.csv</a> lists all {} (file, line, message).</p></section>"#,
        view.warnings.len() + view.more_warnings
    )?;
    Ok(())
}

/// How the figures are computed.
fn write_footer(o: &mut String) -> Out {
    writeln!(
        o,
        "<footer>Every figure is computed exactly from the bill rows and rounded to cents (half away from zero) \
         only when written, so a column may differ from the sum of its rounded cells by a cent. Where several \
         findings claim the same charge, the totals count the largest claim once. findings.csv lists every \
         finding with every source line; report.json holds these totals for other tools.</footer>"
    )?;
    writeln!(o, "</main></body></html>")?;
    Ok(())
}

/// The billed amount per month, with the recoverable waste found in it.
fn write_months(o: &mut String, dump: &Dump, report: &Report) -> std::fmt::Result {
    // (year, month) -> (billed, waste), exact.
    let mut months: BTreeMap<(u32, u32), (i128, Decimal)> = BTreeMap::new();
    // Rows come file by file, so equal period starts come in runs: sum a run,
    // then add it to its month once (not a map lookup per row).
    let mut run: Option<(Date, i128)> = None;
    let mut add = |run: Option<(Date, i128)>| {
        if let Some((p, sum)) = run {
            months
                .entry((p.year(), p.month()))
                .or_insert((0, Decimal::ZERO))
                .0 += sum;
        }
    };
    for row in &dump.rows {
        match &mut run {
            Some((p, sum)) if *p == row.period_start => *sum += i128::from(row.amount.0),
            _ => add(run.replace((row.period_start, i128::from(row.amount.0)))),
        }
    }
    add(run);
    for &(ym, waste) in &report.waste_by_month {
        months.entry(ym).or_insert((0, Decimal::ZERO)).1 += waste;
    }
    if months.is_empty() {
        return Ok(());
    }
    writeln!(
        o,
        r#"<section id="months"><h2>Billed per month, and the waste found in it</h2>"#
    )?;
    writeln!(
        o,
        r#"<p class="legend"><span><i style="background:#c9d3de"></i>billed (by period start)</span><span><i style="background:#b42318"></i>recoverable waste found in that month's charges</span></p>"#
    )?;
    let bars: Vec<Bar> = months
        .iter()
        .map(|(&(y, m), &(billed, waste))| {
            let billed = Decimal::try_from_i128_with_scale(billed, 6).unwrap_or(Decimal::ZERO);
            let rest = (billed - waste).max(Decimal::ZERO);
            Bar {
                label: format!("{y:04}-{m:02}"),
                segments: vec![(waste, "waste"), (rest, "bill")],
                text: format!("billed {} · waste {}", money(billed), money(waste)),
            }
        })
        .collect();
    o.push_str(&hbars(&bars, "Billed per month with waste"));
    writeln!(
        o,
        r#"<p class="muted">Waste is the recoverable money claimed on the month's charges (a missing credit counts in its period), each charge once.</p></section>"#
    )?;
    Ok(())
}

/// The findings whose dispute window closes soon, soonest first.
fn write_claim_first(o: &mut String, dump: &Dump, r: &Report, view: &View<'_>) -> Out {
    writeln!(o, r#"<section id="claim-first"><h2>Claim first</h2>"#)?;
    let as_of = r
        .as_of
        .map(|d| format!(" of the report date {d}"))
        .unwrap_or_default();
    let more = if view.claim_first_count > view.claim_first.len() {
        format!(
            " (the first {}; findings.csv's claim_by has all)",
            view.claim_first.len()
        )
    } else {
        String::new()
    };
    writeln!(
        o,
        "<p>{} findings have money whose dispute window closes within {} days{as_of}; claim them first, soonest first{more}.</p>",
        view.claim_first_count,
        crate::view::CLAIM_FIRST_DAYS
    )?;
    writeln!(o, "<table class=\"first\"><thead><tr><th>Claim by</th><th>Finding</th><th>Where</th><th class=\"m\">Recoverable</th></tr></thead><tbody>")?;
    for c in &view.claim_first {
        let f = c.finding;
        writeln!(
            o,
            r#"<tr><td class="nw"><b>{}</b></td><td><span class="tag">{}</span> {}</td><td>{} &middot; account {} &middot; {}</td><td class="m">{}</td></tr>"#,
            c.claim_by,
            esc(&f.rule),
            esc(&f.description),
            esc(dump.s(f.carrier)),
            esc(dump.s(f.account)),
            esc(&if f.service.is_empty() {
                "account level".to_string()
            } else {
                format!("service {}", dump.s(f.service))
            }),
            money(f.recoverable)
        )?;
    }
    writeln!(o, "</tbody></table></section>")?;
    Ok(())
}

/// Every change since the history's last run (a batch run's copy only): new,
/// reopened, grown and resolved findings, each with its money then and now.
fn write_since(o: &mut String, v: &crate::since::SinceView<'_>) -> Out {
    writeln!(
        o,
        r#"<section id="since" class="long"><h2>Since the last run</h2>"#
    )?;
    if let Some(n) = v.new_client {
        writeln!(
            o,
            "<p>The history held nothing of this client before (its last run was run {}): its {n} findings are \
             all new; findings.csv lists them.</p></section>",
            v.since_run
        )?;
        return Ok(());
    }
    let [new, reopened, grown, resolved] = v.counts;
    writeln!(
        o,
        "<p>Since run {} of the history: <b>{new} new</b>, <b>{reopened} reopened</b>, <b>{grown} grown</b> \
         (recoverable rose since the last run that saw it), <b>{resolved} resolved</b> (no longer found). \
         The batch's review.csv lists the same for every client.</p>",
        v.since_run
    )?;
    if v.items.is_empty() {
        writeln!(o, "</section>")?;
        return Ok(());
    }
    writeln!(
        o,
        "<table><thead><tr><th>Change</th><th>Finding</th><th>Where</th><th class=\"m\">Recoverable then</th>\
         <th class=\"m\">Recoverable now</th><th class=\"m\">Monthly then</th><th class=\"m\">Monthly now</th>\
         </tr></thead><tbody>"
    )?;
    let cell = |v: Option<Decimal>| v.map(money).unwrap_or_default();
    for i in &v.items {
        let service = if i.service.is_empty() {
            "account level".to_string()
        } else {
            format!("service {}", i.service)
        };
        writeln!(
            o,
            r#"<tr><td><b>{}</b></td><td><span class="tag">{}</span> {}</td><td>{} &middot; account {} &middot; {}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td></tr>"#,
            i.kind.as_str(),
            esc(i.rule),
            esc(i.description),
            esc(i.carrier),
            esc(i.account),
            esc(&service),
            cell(i.before.map(|b| b.0)),
            cell(i.now.map(|n| n.0)),
            cell(i.before.map(|b| b.1)),
            cell(i.now.map(|n| n.1)),
        )?;
    }
    writeln!(o, "</tbody></table></section>")?;
    Ok(())
}

/// The largest findings by first-year value, with their evidence.
fn write_findings(o: &mut String, dump: &Dump, view: &View<'_>) -> Out {
    writeln!(
        o,
        r#"<section id="findings" class="findings long"><h2>Largest findings</h2>"#
    )?;
    if view.top.is_empty() {
        writeln!(o, "<p>No findings.</p></section>")?;
        return Ok(());
    }
    writeln!(
        o,
        "<p class=\"muted\">The {} largest of {} findings by first-year value (recoverable + 12 &times; monthly); \
         findings.csv lists them all.</p>",
        view.top.len(),
        view.findings
    )?;
    if let Some((m, new, reopened)) = &view.marks {
        writeln!(
            o,
            "<p class=\"muted\">Since run {} of the history: {new} new, {reopened} reopened (marked below; \
             <a href=\"#since\">Since the last run</a> lists every change).</p>",
            m.since_run
        )?;
    }
    // Each finding is two rows: its figures, then its evidence across the table,
    // where the source lines flow side by side instead of one per line.
    writeln!(o, "<table class=\"top\"><thead><tr><th class=\"m\">#</th><th>Finding</th><th>Where</th><th class=\"m\">Recoverable</th><th class=\"m\">Monthly</th><th class=\"m\">First year</th></tr></thead><tbody>")?;
    let recs = Records::new(dump);
    let mut ev = String::new();
    for (n, top) in view.top.iter().enumerate() {
        let f = top.finding;
        let mut invoices: Vec<&str> = f.invoices.iter().map(|&i| dump.s(i)).collect();
        invoices.sort_unstable();
        invoices.dedup();
        ev.clear();
        let shown = f.evidence.len().min(EVIDENCE_SHOWN);
        join_sources(dump, &f.evidence[..shown], &mut ev);
        let mut evidence = String::new();
        if shown > 0 {
            let _ = write!(
                evidence,
                "evidence: {}",
                path_html(&ev).replace(';', " &middot; ")
            );
        }
        if f.evidence.len() > shown {
            let _ = write!(evidence, " &middot; and {} more", f.evidence.len() - shown);
        }
        for (i, &b) in f.basis.iter().enumerate() {
            let _ = write!(
                evidence,
                "{}{} ({})",
                match (i, evidence.is_empty()) {
                    (0, true) => "basis: ",
                    (0, false) => "<br>basis: ",
                    _ => " &middot; ",
                },
                esc(&describe_basis(dump, &recs, b)),
                path_html(&crate::locate(dump, b))
            );
        }
        let mark = match view.marks.as_ref().and_then(|(m, _, _)| m.mark(&f.key)) {
            Some(word) => format!(r#" <span class="tag">{word} since the last run</span>"#),
            None => String::new(),
        };
        let service = if f.service.is_empty() {
            "account level".to_string()
        } else {
            format!("service {}", dump.s(f.service))
        };
        let claim_by = f
            .claim_by
            .map(|d| format!(" &middot; <b>claim by {d}</b>"))
            .unwrap_or_default();
        writeln!(
            o,
            r#"<tr class="f"><td class="m" rowspan="2">{}</td><td><span class="tag">{}</span>{mark} <b>{}</b>: {}</td><td>{} &middot; account {} &middot; {}<br>{}{claim_by}<div class="muted inv">invoices {}</div></td><td class="m">{}</td><td class="m">{}</td><td class="m"><b>{}</b></td></tr>
<tr class="e"><td colspan="5" class="ev">{}</td></tr>"#,
            n + 1,
            esc(&f.rule),
            esc(&top.info.title),
            esc(&f.description),
            esc(dump.s(f.carrier)),
            esc(dump.s(f.account)),
            esc(&service),
            top.periods,
            esc(&invoices.join(", ")),
            money(f.recoverable),
            money(f.monthly),
            money(top.first_year),
            evidence
        )?;
    }
    writeln!(o, "</tbody></table></section>")?;
    Ok(())
}

/// How one client of a batch run ended: the `status` of summary.csv and
/// summary.json and of the batch index page.
///
/// An enum rather than text so that a misspelt status cannot compile. The
/// order of the variants is the merge order of shard summaries: a client seen
/// in several keeps the first of audited, error, unchanged.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchStatus {
    /// Audited by this run.
    Audited,
    /// Could not be audited; the row's `error` says why.
    Error,
    /// Its stored outputs were reused: the input, the rules and telaudit's
    /// version are unchanged since they were written.
    Unchanged,
}

impl BatchStatus {
    /// The word written in the summaries: `audited`, `error` or `unchanged`.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchStatus::Audited => "audited",
            BatchStatus::Error => "error",
            BatchStatus::Unchanged => "unchanged",
        }
    }
}

impl std::fmt::Display for BatchStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One client on the batch index page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchIndexRow {
    /// The client id (folder name); the report is linked as `<client>/report.html`.
    pub client: String,
    /// The display name (client.toml's name, or the id).
    pub name: String,
    /// How the client's audit ended.
    pub status: BatchStatus,
    /// Charge rows accepted (0 when the client failed).
    pub rows: u64,
    /// The client's billed total, as in its summary row.
    pub billed_total: Decimal,
    /// Recoverable now, as in its summary row.
    pub recoverable: Decimal,
    /// Monthly savings, as in its summary row.
    pub monthly: Decimal,
    /// First-year value, as in its summary row.
    pub first_year: Decimal,
    /// The funding plan's NPV, as in its summary row; `None` when the report
    /// shows no plan.
    pub npv: Option<Decimal>,
    /// The proposal's payback in months as in its summary row (`never`), or
    /// empty without a proposal.
    pub payback: String,
    /// Found too late to claim (`totals.expired`), as in its summary row.
    pub expired: Decimal,
    /// Why the client failed, or empty.
    pub error: String,
    /// Whether `<client>/report.html` was written (no link otherwise).
    pub has_report: bool,
    /// Findings new in this run by the history (empty cell when `None`).
    pub new_findings: Option<u64>,
    /// Findings resolved in this run by the history (empty cell when `None`).
    pub resolved_findings: Option<u64>,
    /// Findings whose recoverable grew in this run by the history (empty cell
    /// when `None`).
    pub grown_findings: Option<u64>,
    /// The ledger's recovered money (report.json's `recovery.recovered`), as in
    /// its summary row; `None` (an empty cell) without claims.csv.
    pub recovered: Option<Decimal>,
    /// The ledger's outstanding money, as in its summary row; `None` without claims.csv.
    pub outstanding: Option<Decimal>,
}

impl BatchIndexRow {
    /// The row of an audited client.
    pub fn from_report(report: &Report, status: BatchStatus) -> BatchIndexRow {
        BatchIndexRow {
            client: report.client.clone(),
            name: report.name.clone(),
            status,
            rows: report.input.rows,
            billed_total: report.input.billed_total,
            recoverable: report.totals.recoverable,
            monthly: report.totals.monthly,
            first_year: report.totals.first_year,
            npv: report
                .proposal
                .as_ref()
                .filter(|p| p.shows_plan)
                .map(|p| p.plan.npv.cents()),
            payback: match &report.proposal {
                None => String::new(),
                Some(p) => p.payback_months.map_or("never".to_string(), |n| n.to_string()),
            },
            expired: report.totals.expired,
            error: String::new(),
            has_report: true,
            new_findings: None,
            resolved_findings: None,
            grown_findings: None,
            recovered: report.recovery.as_ref().map(|r| r.recovered),
            outstanding: report.recovery.as_ref().map(|r| r.outstanding),
        }
    }
}

/// The batch index page: every client with its figures and a link to its
/// report. Rows are shown in client order; a tiny inline script sorts by a
/// column when its heading is clicked, and the page reads fully without it.
/// `review`: how many findings of the run's review.csv are new, reopened,
/// grown and resolved (in [`crate::ChangeKind::ALL`] order), when the run
/// wrote one (the page links it).
pub fn batch_index_html(rows: &[BatchIndexRow], review: Option<[usize; 4]>) -> String {
    let mut sorted: Vec<&BatchIndexRow> = rows.iter().collect();
    sorted.sort_by(|a, b| a.client.cmp(&b.client));
    let mut o = String::new();
    let total = |f: fn(&BatchIndexRow) -> Decimal| rows.iter().map(f).sum::<Decimal>();
    let _ = (|| -> std::fmt::Result {
        writeln!(o, "<!DOCTYPE html>")?;
        writeln!(o, r#"<html lang="en"><head><meta charset="utf-8">"#)?;
        writeln!(
            o,
            r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#
        )?;
        writeln!(o, "<title>Telecom bill audit: all clients</title>")?;
        writeln!(
            o,
            "<style>{CSS}{INDEX_CSS}</style></head><body><main class=\"index\">"
        )?;
        writeln!(o, "<h1>Telecom bill audit: all clients</h1>")?;
        writeln!(
            o,
            r#"<p class="sub">{} clients &middot; recoverable now <b>{}</b> &middot; monthly savings <b>{}</b> &middot; first-year value <b>{}</b> &middot; found too late to claim <b>{}</b> &middot; recovered from filed claims <b>{}</b>, outstanding <b>{}</b></p>"#,
            rows.len(),
            money(total(|r| r.recoverable)),
            money(total(|r| r.monthly)),
            money(total(|r| r.first_year)),
            money(total(|r| r.expired)),
            money(total(|r| r.recovered.unwrap_or_default())),
            money(total(|r| r.outstanding.unwrap_or_default()))
        )?;
        if let Some([new, reopened, grown, resolved]) = review {
            writeln!(
                o,
                r#"<p class="sub">The morning review: <a href="review.csv">review.csv</a> lists every finding that changed in this run ({new} new, {reopened} reopened, {grown} grown, {resolved} resolved), with its money before and after.</p>"#
            )?;
        }
        writeln!(o, r#"<section class="long"><table id="clients"><thead><tr>"#)?;
        let heads = [
            ("Client", false),
            ("Name", false),
            ("Status", false),
            ("Rows", true),
            ("Billed total", true),
            ("Recoverable", true),
            ("Monthly", true),
            ("First year", true),
            ("Too late to claim", true),
            ("NPV", true),
            ("Payback (months)", true),
            ("New", true),
            ("Resolved", true),
            ("Grown", true),
            ("Recovered", true),
            ("Outstanding", true),
            ("Report", false),
        ];
        for (i, (h, num)) in heads.iter().enumerate() {
            let class = if *num { r#" class="m""# } else { "" };
            writeln!(
                o,
                r#"<th{class}><button type="button" data-col="{i}" data-num="{}">{h}</button></th>"#,
                u8::from(*num)
            )?;
        }
        writeln!(o, "</tr></thead><tbody>")?;
        for r in sorted {
            let link = if r.has_report {
                format!(
                    r#"<a href="{}">report</a>"#,
                    esc(&href(&format!("{}/report.html", r.client)))
                )
            } else {
                "none".to_string()
            };
            let status = if r.error.is_empty() {
                esc(r.status.as_str())
            } else {
                format!(
                    "{}<br><span class=\"muted\">{}</span>",
                    esc(r.status.as_str()),
                    esc(&r.error)
                )
            };
            writeln!(
                o,
                r#"<tr><td>{}</td><td>{}</td><td>{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td class="m">{}</td><td>{}</td></tr>"#,
                esc(&r.client),
                esc(&r.name),
                status,
                r.rows,
                money(r.billed_total),
                money(r.recoverable),
                money(r.monthly),
                money(r.first_year),
                money(r.expired),
                r.npv.map(money).unwrap_or_default(),
                esc(&r.payback),
                r.new_findings.map(|n| n.to_string()).unwrap_or_default(),
                r.resolved_findings.map(|n| n.to_string()).unwrap_or_default(),
                r.grown_findings.map(|n| n.to_string()).unwrap_or_default(),
                r.recovered.map(money).unwrap_or_default(),
                r.outstanding.map(money).unwrap_or_default(),
                link
            )?;
        }
        writeln!(o, "</tbody></table></section>")?;
        writeln!(o, "<script>{SORT_JS}</script>")?;
        writeln!(o, "</main></body></html>")?;
        Ok(())
    })();
    o
}

/// The batch index's own rules: the page takes the whole window, the table a
/// smaller type, and long cells (a client's error) and the figures' headings
/// ("Too late to claim") wrap, so that every column up to the report links fits
/// a 1,300 px screen (scripts/browser-test.sh checks it).
const INDEX_CSS: &str =
    "th button{all:unset;cursor:pointer;font-weight:600}th button:after{content:\" \\2195\";color:#94a3b8}\
main.index{max-width:none;padding:16px 14px 32px}main.index section{padding:12px 10px}\
main.index table{font-size:12.5px}main.index th,main.index td{padding:5px 6px}\
main.index td .muted{display:block;max-width:22em;overflow-wrap:anywhere}\
main.index th.m{white-space:normal}";

/// Sorts the batch table by a clicked column; a second click reverses.
const SORT_JS: &str = r#"
document.querySelectorAll('#clients th button').forEach(function(b){b.addEventListener('click',function(){
var t=document.getElementById('clients'),c=+b.dataset.col,n=b.dataset.num==='1',d=b.dataset.dir==='a'?-1:1;
b.dataset.dir=d===1?'a':'d';var rows=Array.prototype.slice.call(t.tBodies[0].rows);
function v(s){var f=parseFloat(s);return isNaN(f)?Infinity:f;}
rows.sort(function(x,y){var p=x.cells[c].textContent,q=y.cells[c].textContent;
return d*(n?(v(p)===v(q)?0:(v(p)<v(q)?-1:1)):p.localeCompare(q));});
rows.forEach(function(r){t.tBodies[0].appendChild(r);});});});
"#;
