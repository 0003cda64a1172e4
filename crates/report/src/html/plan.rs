//! report.html's funding plan, inside "What this funds": the sentence, the items
//! by provider and role with the TEM fee, the chart of the cumulative cash flow
//! with the payback month marked, and the NPV. Shown only when client.toml
//! uses the plan's keys ([`crate::Funding::shows_plan`]).
//!
//! The chart's styles are SVG attributes, not rules of the page's style sheet,
//! so that a report without a plan stays byte-identical.

use super::{esc, Out};
use crate::human::money;
use crate::view::{percent, Payback, PlanView};
use std::fmt::Write as _;
use telaudit_model::Decimal;

/// The chart's size in CSS pixels, and its plot area.
const W: i64 = 720;
const H: i64 = 260;
const LEFT: i64 = 96;
const RIGHT: i64 = 24;
const TOP: i64 = 24;
const BOTTOM: i64 = 40;

/// The plan's part of the "What this funds" section after its items (which
/// the section puts beside its cost figures, [`write_items`]): the sentence,
/// then the chart beside the NPV and the other figures.
pub(super) fn write_plan(o: &mut String, p: &PlanView<'_>) -> Out {
    writeln!(o, r#"<div id="plan">"#)?;
    writeln!(
        o,
        r#"<p class="lead" id="plan-sentence"><b>{}</b></p>"#,
        esc(&p.sentence)
    )?;
    writeln!(
        o,
        r#"<div class="pair"><div><h3>Cumulative cash flow over {} months</h3>"#,
        p.horizon
    )?;
    o.push_str(&cash_chart(p));
    writeln!(o, "</div><div><h3>What it is worth</h3>")?;
    write_figures(o, p)?;
    writeln!(o, "</div></div></div>")
}

/// The items by provider and role, and the TEM provider's fee.
pub(super) fn write_items(o: &mut String, p: &PlanView<'_>) -> Out {
    writeln!(o, "<h3>Who provides what</h3>")?;
    writeln!(
        o,
        r#"<table id="plan-items"><thead><tr><th>Provider</th><th>Role</th><th class="m">One-time</th><th class="m">Monthly</th></tr></thead><tbody>"#
    )?;
    for i in p.items {
        let provider = if i.provider.trim().is_empty() {
            "(proposal)".to_string()
        } else {
            esc(&i.provider)
        };
        writeln!(
            o,
            r#"<tr><td>{provider}</td><td>{}</td><td class="m">{}</td><td class="m">{}</td></tr>"#,
            esc(&i.role),
            money(i.one_time),
            money(i.monthly)
        )?;
    }
    if let Some(t) = p.tem {
        writeln!(
            o,
            r#"<tr id="plan-tem"><td>{}</td><td>TEM fee: {} of the recoverable, {} of the monthly savings for {}</td><td class="m">{}</td><td class="m">{}</td></tr>"#,
            esc(&t.provider),
            percent(t.recovery_share),
            percent(t.savings_share),
            Payback::months_text(u128::from(t.savings_months)),
            money(p.tem_recovery_fee),
            money(p.tem_monthly_fee)
        )?;
    }
    writeln!(o, "</tbody></table>")
}

/// The NPV, the TEM fees, the first year's net and the payback.
fn write_figures(o: &mut String, p: &PlanView<'_>) -> Out {
    writeln!(o, r#"<table id="plan-figures"><tbody>"#)?;
    writeln!(
        o,
        r#"<tr><td><b>Net present value</b> over {} months at {} a year</td><td class="m" id="plan-npv"><b>{}</b></td></tr>"#,
        p.horizon,
        percent(p.discount_rate),
        money(p.npv)
    )?;
    writeln!(
        o,
        r#"<tr><td>TEM fees over the {} months</td><td class="m">{}</td></tr>"#,
        p.horizon,
        money(p.tem_fees)
    )?;
    writeln!(
        o,
        r#"<tr><td>Net after the first 12 months</td><td class="m">{}</td></tr>"#,
        money(p.net_first_year)
    )?;
    let payback = match p.payback {
        Some(n) => Payback::months_text(n),
        None => "never".to_string(),
    };
    writeln!(
        o,
        r#"<tr><td>Payback: the cumulative cash flow is 0 or more from</td><td class="m">{}</td></tr>"#,
        esc(&payback)
    )?;
    writeln!(o, "</tbody></table>")
}

/// `(hi - v) * span / (hi - lo)` in whole pixels, in whole cents (no float near
/// money, and no overflow: a figure is at most about 2^96 cents, so every
/// difference and product here fits an `i128`); `hi > lo`.
fn y_px(v: i128, lo: i128, hi: i128, span: i64) -> i64 {
    let range = (hi - lo).max(1);
    let y = (hi - v).clamp(0, range) * i128::from(span);
    // Rounded half to even, as `Decimal::round` did before.
    let (mut px, rem) = (y / range, y % range);
    if 2 * rem > range || (2 * rem == range && px % 2 == 1) {
        px += 1;
    }
    i64::try_from(px).unwrap_or(0).clamp(0, span)
}

/// A figure in whole cents, rounded half away from zero.
fn cents(v: Decimal) -> i128 {
    let r = v.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    r.mantissa() * 10i128.pow(2 - r.scale().min(2))
}

/// The inline SVG of the cumulative cash flow, months 0..=horizon, with the
/// zero line and the payback month marked (`id="payback-marker"`) when it lies
/// within the horizon.
fn cash_chart(p: &PlanView<'_>) -> String {
    let (plot_w, plot_h) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let values = p.cumulative.iter().map(|&(_, v)| v);
    let lo = values.clone().fold(Decimal::ZERO, Decimal::min);
    let hi = values.fold(Decimal::ZERO, Decimal::max);
    let (lo_c, mut hi_c) = (cents(lo), cents(hi));
    if hi_c <= lo_c {
        hi_c = lo_c + 100;
    }
    let horizon = i64::from(p.horizon.max(1));
    let x = |t: u32| LEFT + i64::from(t) * plot_w / horizon;
    let y = |v: Decimal| TOP + y_px(cents(v), lo_c, hi_c, plot_h);
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg class="cashflow" viewBox="0 0 {W} {H}" role="img" aria-label="Cumulative cash flow over {} months">"#,
        p.horizon
    );
    let bottom = TOP + plot_h;
    let _ = write!(
        o,
        r##"<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#f7f9fb"/>"##
    );
    let zero = y(Decimal::ZERO);
    let _ = write!(
        o,
        r##"<line class="zero" x1="{LEFT}" y1="{zero}" x2="{}" y2="{zero}" stroke="#94a3b8" stroke-width="1"/>"##,
        LEFT + plot_w
    );
    // Both 0 when every month is 0: the chart spans 0 to 1.
    let hi = if hi > lo { hi } else { Decimal::ONE };
    for (v, at) in [(hi, TOP), (lo, bottom)] {
        let _ = write!(
            o,
            r#"<text class="lbl" x="{}" y="{}" text-anchor="end">{}</text>"#,
            LEFT - 8,
            at + 4,
            money(v)
        );
    }
    if zero != TOP && zero != bottom {
        let _ = write!(
            o,
            r#"<text class="lbl" x="{}" y="{}" text-anchor="end">0</text>"#,
            LEFT - 8,
            zero + 4
        );
    }
    let mut ticks: Vec<u32> = (0..=p.horizon).step_by(12).collect();
    if ticks.last() != Some(&p.horizon) {
        ticks.push(p.horizon);
    }
    for t in ticks {
        let _ = write!(
            o,
            r#"<text class="lbl" x="{}" y="{}" text-anchor="middle">{t}</text>"#,
            x(t),
            bottom + 18
        );
    }
    let _ = write!(
        o,
        r#"<text class="lbl" x="{}" y="{}" text-anchor="middle">month</text>"#,
        LEFT + plot_w / 2,
        bottom + 36
    );
    let points: Vec<String> = p
        .cumulative
        .iter()
        .map(|&(t, v)| format!("{},{}", x(t), y(v)))
        .collect();
    let _ = write!(
        o,
        r##"<polyline class="cumulative" points="{}" fill="none" stroke="#1f7a4d" stroke-width="2.5"/>"##,
        points.join(" ")
    );
    write_marker(&mut o, p, &x, &y);
    o.push_str("</svg>");
    o
}

/// The payback month on the chart, or a note when it lies past the horizon or never comes.
fn write_marker(o: &mut String, p: &PlanView<'_>, x: &dyn Fn(u32) -> i64, y: &dyn Fn(Decimal) -> i64) {
    let within = p
        .payback
        .and_then(|n| u32::try_from(n).ok())
        .filter(|&n| n <= p.horizon)
        .and_then(|n| p.cumulative.get(n as usize).copied());
    match within {
        Some((t, v)) => {
            let (px, py) = (x(t), y(v));
            let anchor = if px > LEFT + (W - LEFT - RIGHT) / 2 {
                "end"
            } else {
                "start"
            };
            let tx = if anchor == "end" { px - 8 } else { px + 8 };
            let _ = write!(
                o,
                r##"<g id="payback-marker" class="payback"><line x1="{px}" y1="{TOP}" x2="{px}" y2="{}" stroke="#b42318" stroke-width="1.5" stroke-dasharray="5 4"/><circle cx="{px}" cy="{py}" r="5" fill="#b42318"/><text x="{tx}" y="{}" text-anchor="{anchor}" fill="#b42318">payback: month {t}</text></g>"##,
                H - BOTTOM,
                TOP + 14
            );
        }
        None => {
            let note = match p.payback {
                Some(n) => format!("payback: month {n}, after the horizon"),
                None => "no payback: the costs outrun the savings".to_string(),
            };
            let _ = write!(
                o,
                r##"<text class="payback-note" x="{}" y="{}" text-anchor="end" fill="#b42318">{}</text>"##,
                W - RIGHT - 8,
                TOP + 14,
                esc(&note)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_never_overflow_at_the_largest_figures() {
        // The cumulative cash flow saturates at Decimal::MIN and MAX (about 2^96):
        // their difference does not fit a Decimal, but in cents it fits an i128.
        let (lo, hi) = (cents(Decimal::MIN), cents(Decimal::MAX));
        assert_eq!(y_px(hi, lo, hi, 196), 0);
        assert_eq!(y_px(lo, lo, hi, 196), 196);
        assert_eq!(y_px(0, lo, hi, 196), 98);
        // Halves go to the even pixel, as before.
        assert_eq!(y_px(50, 0, 100, 3), 2);
        assert_eq!(y_px(cents(Decimal::new(1234, 3)), 0, 200, 100), 38);
    }
}
