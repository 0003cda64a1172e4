//! The messes of real exports, read into exact values: amounts written `$1,234.56`,
//! `(12.00)`, `12.00-` or `1.234,56`; dates written `08/16/21`, `Aug 16, 2021`,
//! `20230216`; bill periods written `Jul 17 -Aug 16` (no year); Excel's leading
//! apostrophe and `="0123"` text guards. Money never passes through a float.

use telaudit_model::{Date, DecimalError, Micros};

/// How a layout writes its numbers.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum NumberFormat {
    /// `1,234.56`: comma groups thousands, point marks decimals.
    Us,
    /// `1.234,56`: point (or space) groups thousands, comma marks decimals.
    Eu,
}

/// A cell as the carrier meant it: trimmed, Excel's text guards removed
/// (`'0045` and `="0045"` are `0045`).
pub(crate) fn clean_cell(s: &str) -> &str {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        return inner.trim();
    }
    match s.strip_prefix('\'') {
        Some(rest) => rest.trim(),
        None => s,
    }
}

/// Cells carriers write for "no value".
pub(crate) fn is_placeholder(s: &str) -> bool {
    s.is_empty() || s == "-" || ["na", "n/a", "none"].iter().any(|p| s.eq_ignore_ascii_case(p))
}

/// An amount or quantity: None when the cell holds no value (empty, `-`, `N/A`).
/// Accepts a currency sign (`$`, `€`, `£`), thousands separators, negatives as
/// `-12`, `(12)`, `12-` or `12 CR`, and surrounding spaces.
pub(crate) fn parse_number(raw: &str, fmt: NumberFormat) -> Result<Option<Micros>, String> {
    let s = clean_cell(raw);
    if is_placeholder(s) {
        return Ok(None);
    }
    let mut neg = false;
    let mut t = s;
    if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        neg = true;
        t = inner.trim();
    }
    if let Some(r) = t.strip_suffix("CR").or_else(|| t.strip_suffix("cr")) {
        neg = !neg;
        t = r.trim();
    } else if let Some(r) = t.strip_suffix('-') {
        neg = !neg;
        t = r.trim();
    }
    let mut body = String::with_capacity(t.len());
    let mut sign_seen = false;
    for c in t.chars() {
        match c {
            '$' | '\u{20ac}' | '\u{a3}' | ' ' | '\u{a0}' => {}
            '-' if body.is_empty() && !sign_seen => {
                neg = !neg;
                sign_seen = true;
            }
            '+' if body.is_empty() && !sign_seen => sign_seen = true,
            ',' if fmt == NumberFormat::Us => {}
            '.' if fmt == NumberFormat::Eu => {}
            ',' => body.push('.'),
            c => body.push(c),
        }
    }
    let bad = |e: DecimalError| format!("{} is not an amount ({e})", crate::text::show(raw.trim()));
    if body.is_empty() || body.starts_with(['-', '+']) {
        return Err(bad(DecimalError::Syntax));
    }
    let m = Micros::parse(&body).map_err(bad)?;
    Ok(Some(if neg { Micros(-m.0) } else { m }))
}

/// A duration written `M:SS` or `H:MM:SS` (Bell's `1053:00`, `452:58`), in
/// minutes, exact to the micro-minute (seconds / 60 rounded half up). None when
/// the cell holds no value.
pub(crate) fn parse_minutes(raw: &str) -> Result<Option<Micros>, String> {
    let s = clean_cell(raw);
    if is_placeholder(s) {
        return Ok(None);
    }
    let bad = || format!("{} is not a duration (M:SS or H:MM:SS)", crate::text::show(s));
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 12 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let n: Vec<i64> = parts
        .iter()
        .map(|p| p.parse::<i64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let (h, m, sec) = match n[..] {
        [m, sec] => (0, m, sec),
        [h, m, sec] if m < 60 => (h, m, sec),
        _ => return Err(bad()),
    };
    if sec >= 60 {
        return Err(bad());
    }
    // Micro-minutes: (h * 60 + m) * 1e6 + sec * 1e6 / 60, half up.
    let whole = h
        .checked_mul(60)
        .and_then(|x| x.checked_add(m))
        .and_then(|x| x.checked_mul(1_000_000))
        .ok_or_else(bad)?;
    let frac = (sec * 1_000_000 * 2 + 60) / 120;
    Ok(Some(Micros(whole + frac)))
}

/// A date pattern of a layout: `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD`, `MM/DD/YY`,
/// `MM/DD/YYYY`, `DD/MM/YYYY`, `DD.MM.YYYY`, `Mon DD, YYYY`, `DD-Mon-YYYY`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DatePattern(Vec<Tok>);

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Tok {
    Year4,
    Year2,
    Month,
    MonthName,
    Day,
    Lit(char),
}

impl DatePattern {
    pub(crate) fn new(p: &str) -> Result<DatePattern, String> {
        let mut toks = Vec::new();
        let mut rest = p;
        while !rest.is_empty() {
            let (tok, n) = if rest.starts_with("YYYY") {
                (Tok::Year4, 4)
            } else if rest.starts_with("YY") {
                (Tok::Year2, 2)
            } else if rest.starts_with("MM") {
                (Tok::Month, 2)
            } else if rest.starts_with("Mon") {
                (Tok::MonthName, 3)
            } else if rest.starts_with("DD") {
                (Tok::Day, 2)
            } else {
                let c = rest.chars().next().unwrap_or(' ');
                if c.is_ascii_alphanumeric() {
                    return Err(format!(
                        "date format {p:?}: unknown part at {rest:?} (use YYYY, YY, MM, Mon, DD and separators)"
                    ));
                }
                (Tok::Lit(c), c.len_utf8())
            };
            toks.push(tok);
            rest = &rest[n..];
        }
        let has = |t: Tok| toks.contains(&t);
        if !(has(Tok::Month) || has(Tok::MonthName)) || !has(Tok::Day) {
            return Err(format!(
                "date format {p:?} needs a month (MM or Mon) and a day (DD)"
            ));
        }
        Ok(DatePattern(toks))
    }

    /// Whether the pattern names a year (a bill period's `Mon DD` does not).
    pub(crate) fn has_year(&self) -> bool {
        self.0.iter().any(|t| matches!(t, Tok::Year4 | Tok::Year2))
    }

    /// (year if any, month, day), when `s` has this shape. Digits may be one or
    /// two wide (`8/6/21`); spaces around separators are ignored.
    fn parse_parts(&self, s: &str) -> Option<(Option<u32>, u32, u32)> {
        let b = s.as_bytes();
        let mut i = 0;
        let (mut y, mut m, mut d) = (None, None, None);
        // Between `min` and `max` digits (what follows is checked by the next part).
        let digits = |i: &mut usize, min: usize, max: usize| -> Option<u32> {
            let st = *i;
            while *i < b.len() && *i - st < max && b[*i].is_ascii_digit() {
                *i += 1;
            }
            if *i - st < min {
                return None;
            }
            s[st..*i].parse().ok()
        };
        for t in &self.0 {
            match *t {
                // `YYYY` is exactly four digits: "Mar 16, 24" is not the year 24.
                Tok::Year4 => y = Some(digits(&mut i, 4, 4)?),
                // `YY` is exactly two digits, in 2000-2099 (docs/formats.md).
                Tok::Year2 => y = Some(2000 + digits(&mut i, 2, 2)?),
                Tok::Month => m = Some(digits(&mut i, 1, 2)?),
                Tok::Day => d = Some(digits(&mut i, 1, 2)?),
                Tok::MonthName => {
                    let name = s.get(i..i + 3)?;
                    m = Some(month_number(name)?);
                    i += 3;
                    // "Sept", "August": the rest of a month name.
                    while i < b.len() && b[i].is_ascii_alphabetic() {
                        i += 1;
                    }
                    if i < b.len() && b[i] == b'.' {
                        i += 1;
                    }
                }
                Tok::Lit(c) => {
                    while i < b.len() && b[i] == b' ' && c != ' ' {
                        i += 1;
                    }
                    if c == ' ' {
                        while i < b.len() && b[i] == b' ' {
                            i += 1;
                        }
                        continue;
                    }
                    if !s[i..].starts_with(c) {
                        return None;
                    }
                    i += c.len_utf8();
                    while i < b.len() && b[i] == b' ' {
                        i += 1;
                    }
                }
            }
        }
        if i != b.len() {
            return None;
        }
        Some((y, m?, d?))
    }
}

fn month_number(name: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    NAMES
        .iter()
        .position(|n| n.eq_ignore_ascii_case(name))
        .map(|p| p as u32 + 1)
}

/// A full date (with year) in one of `patterns`. None: no value in the cell.
pub(crate) fn parse_date(raw: &str, patterns: &[DatePattern]) -> Result<Option<Date>, String> {
    let s = clean_cell(raw);
    if is_placeholder(s) {
        return Ok(None);
    }
    for p in patterns.iter().filter(|p| p.has_year()) {
        if let Some((Some(y), m, d)) = p.parse_parts(s) {
            return Date::from_ymd(y, m, d)
                .map(Some)
                .ok_or_else(|| format!("{} is no such calendar day", crate::text::show(s)));
        }
    }
    Err(format!(
        "{} is not a date in this layout's formats ({})",
        crate::text::show(s),
        pattern_names(patterns)
    ))
}

fn pattern_names(patterns: &[DatePattern]) -> String {
    let names: Vec<String> = patterns
        .iter()
        .map(|p| {
            p.0.iter()
                .map(|t| match t {
                    Tok::Year4 => "YYYY".to_string(),
                    Tok::Year2 => "YY".to_string(),
                    Tok::Month => "MM".to_string(),
                    Tok::MonthName => "Mon".to_string(),
                    Tok::Day => "DD".to_string(),
                    Tok::Lit(c) => c.to_string(),
                })
                .collect()
        })
        .collect();
    names.join(", ")
}

/// The date with month `m` and day `d` nearest to `near` (its year, the year
/// before or the year after). Used for period ends printed without a year.
fn nearest(m: u32, d: u32, near: Date) -> Option<Date> {
    let y = near.year();
    let key = |x: Date| (days(x) - days(near)).abs();
    [y.saturating_sub(1), y, y + 1]
        .into_iter()
        .filter_map(|y| Date::from_ymd(y, m, d))
        .min_by_key(|&x| key(x))
}

/// The latest date with month `m` and day `d` on or before `end`.
fn latest_on_or_before(m: u32, d: u32, end: Date) -> Option<Date> {
    let y = end.year();
    [y, y.saturating_sub(1)]
        .into_iter()
        .filter_map(|y| Date::from_ymd(y, m, d))
        .find(|&x| x <= end)
}

/// Days since a fixed origin (civil-from-days inverse), for distances only.
fn days(x: Date) -> i64 {
    let (y, m, d) = (i64::from(x.year()), i64::from(x.month()), i64::from(x.day()));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe
}

/// A bill period printed as a range: `Jul 17 -Aug 16`, `07/17/21 - 08/16/21`,
/// `Feb 03 - Mar 02`. When a side has no year, the end takes the year that puts
/// it nearest the bill date (`bill`) and the start the latest such day on or
/// before the end (so `Dec 17 -Jan 16` on a January bill spans the new year).
pub(crate) fn parse_period(
    raw: &str,
    patterns: &[DatePattern],
    bill: Option<Date>,
) -> Result<Option<(Date, Date)>, String> {
    let s = clean_cell(raw);
    if is_placeholder(s) {
        return Ok(None);
    }
    let bad = || {
        format!(
            "{} is not a bill period (expected two dates joined by \"-\", in {})",
            crate::text::show(s),
            pattern_names(patterns)
        )
    };
    // The separating dash has a space on at least one side ("Jul 17 -Aug 16").
    let b = s.as_bytes();
    let cut = (1..b.len().saturating_sub(1))
        .find(|&i| b[i] == b'-' && (b[i - 1] == b' ' || b[i + 1] == b' '))
        .ok_or_else(bad)?;
    let (l, r) = (s[..cut].trim(), s[cut + 1..].trim());
    let part = |x: &str| patterns.iter().find_map(|p| p.parse_parts(x));
    let (ly, lm, ld) = part(l).ok_or_else(bad)?;
    let (ry, rm, rd) = part(r).ok_or_else(bad)?;
    let end = match ry {
        Some(y) => Date::from_ymd(y, rm, rd),
        None => {
            let bill = bill.ok_or_else(|| {
                format!(
                    "bill period {} has no year and the row has no bill date to take it from",
                    crate::text::show(s)
                )
            })?;
            nearest(rm, rd, bill)
        }
    }
    .ok_or_else(bad)?;
    let start = match ly {
        Some(y) => Date::from_ymd(y, lm, ld),
        None => latest_on_or_before(lm, ld, end),
    }
    .ok_or_else(bad)?;
    if start > end {
        return Err(format!(
            "bill period {}: the start is after the end",
            crate::text::show(s)
        ));
    }
    Ok(Some((start, end)))
}

/// The billing cycle that ends on `end`: from the day after the same day one
/// month earlier (`2023-02-02` -> `2023-01-03`); a cycle ending on a month's last
/// day is that calendar month.
pub(crate) fn cycle_ending(end: Date) -> Date {
    if end.day() == telaudit_model::days_in_month(end.year(), end.month()) {
        return Date::from_ymd(end.year(), end.month(), 1).unwrap_or(end);
    }
    let (y, m) = if end.month() == 1 {
        (end.year() - 1, 12)
    } else {
        (end.year(), end.month() - 1)
    };
    if end.day() + 1 > telaudit_model::days_in_month(y, m) {
        // e.g. a cycle ending Mar 30 starts Mar 1: February has no 31st.
        return Date::from_ymd(end.year(), end.month(), 1).unwrap_or(end);
    }
    Date::from_ymd(y, m, end.day() + 1).unwrap_or(end)
}

/// The calendar month before the one `bill` falls in: (first day, last day).
pub(crate) fn prior_month(bill: Date) -> (Date, Date) {
    let (y, m) = if bill.month() == 1 {
        (bill.year() - 1, 12)
    } else {
        (bill.year(), bill.month() - 1)
    };
    let first = Date::from_ymd(y, m, 1).unwrap_or(bill);
    (first, first.month_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(s: &str) -> Option<i64> {
        parse_number(s, NumberFormat::Us).unwrap().map(|m| m.0)
    }

    #[test]
    fn amounts() {
        assert_eq!(us("$1,234.56"), Some(1_234_560_000));
        assert_eq!(us("(12.00)"), Some(-12_000_000));
        assert_eq!(us("($948.03)"), Some(-948_030_000));
        assert_eq!(us("12.00-"), Some(-12_000_000));
        assert_eq!(us("  -0.5 "), Some(-500_000));
        assert_eq!(us("3.10 CR"), Some(-3_100_000));
        assert_eq!(us("'42"), Some(42_000_000));
        assert_eq!(us("-"), None);
        assert_eq!(us("N/A"), None);
        assert_eq!(us(""), None);
        assert_eq!(
            parse_number("1.234,56", NumberFormat::Eu).unwrap(),
            Some(Micros(1_234_560_000))
        );
        assert_eq!(
            parse_number("-0,5", NumberFormat::Eu).unwrap(),
            Some(Micros(-500_000))
        );
        assert!(parse_number("12abc", NumberFormat::Us).is_err());
        assert!(parse_number("--3", NumberFormat::Us).is_err());
        assert!(parse_number("1.0000001", NumberFormat::Us).is_err());
    }

    #[test]
    fn durations_in_minutes() {
        let min = |s: &str| parse_minutes(s).unwrap().map(|m| m.0);
        assert_eq!(min("1053:00"), Some(1_053_000_000));
        // 58 s = 0.9666666... min, half up to the micro-minute.
        assert_eq!(min("452:58"), Some(452_966_667));
        assert_eq!(min("0:30"), Some(500_000));
        assert_eq!(min("0:00"), Some(0));
        assert_eq!(min("1:02:03"), Some(62_050_000));
        assert_eq!(min(" "), None);
        for bad in [
            "12",
            "1:60",
            "1:2:3:4",
            "a:00",
            "-1:00",
            "1:75:00",
            "1:",
            "99999999999999:00",
        ] {
            assert!(parse_minutes(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn telus_dates_and_dollars() {
        let p = vec![DatePattern::new("DD-Mon-YY").unwrap()];
        assert_eq!(
            parse_date("06-Feb-23", &p).unwrap(),
            Some(Date::from_ymd(2023, 2, 6).unwrap())
        );
        assert!(parse_date("31-Feb-23", &p).is_err());
        assert_eq!(us("$5.25"), Some(5_250_000));
        assert_eq!(us("$-17.86"), Some(-17_860_000));
    }

    #[test]
    fn dates() {
        let p: Vec<DatePattern> = ["Mon DD, YYYY", "MM/DD/YY", "YYYYMMDD", "Mon DD"]
            .iter()
            .map(|s| DatePattern::new(s).unwrap())
            .collect();
        let d = |y, m, dd| Some(Date::from_ymd(y, m, dd).unwrap());
        assert_eq!(parse_date("Aug 16, 2021", &p).unwrap(), d(2021, 8, 16));
        assert_eq!(parse_date("08/16/21", &p).unwrap(), d(2021, 8, 16));
        assert_eq!(parse_date("8/6/21", &p).unwrap(), d(2021, 8, 6));
        assert_eq!(parse_date("20230216", &p).unwrap(), d(2023, 2, 16));
        // A two-digit year under YYYY is refused, not read as the year 24.
        let four: Vec<DatePattern> = vec![DatePattern::new("Mon DD, YYYY").unwrap()];
        assert!(parse_date("Mar 16, 24", &four).is_err());
        assert!(parse_date("Mar 16, 024", &four).is_err());
        assert!(parse_date("Mar 16, 20245", &four).is_err());
        assert_eq!(parse_date("Mar 16, 2024", &four).unwrap(), d(2024, 3, 16));
        // YY is exactly two digits, 20YY.
        assert!(parse_date("8/6/1", &p).is_err());
        assert!(parse_date("8/6/2021", &p).is_err());
        assert_eq!(parse_date("12/31/99", &p).unwrap(), d(2099, 12, 31));
        assert!(parse_date("02/30/21", &p).is_err());
        assert!(parse_date("Aug 16", &p).is_err(), "no year: not a full date");
        assert!(DatePattern::new("QQ/DD").is_err());
    }

    #[test]
    fn periods_take_the_year_from_the_bill_date() {
        let p: Vec<DatePattern> = ["Mon DD", "MM/DD/YY"]
            .iter()
            .map(|s| DatePattern::new(s).unwrap())
            .collect();
        let d = |y, m, dd| Date::from_ymd(y, m, dd).unwrap();
        let bill = Some(d(2021, 8, 16));
        assert_eq!(
            parse_period("Jul 17 -Aug 16 ", &p, bill).unwrap(),
            Some((d(2021, 7, 17), d(2021, 8, 16)))
        );
        // Across the new year, on a January bill.
        assert_eq!(
            parse_period("Dec 17 - Jan 16", &p, Some(d(2022, 1, 16))).unwrap(),
            Some((d(2021, 12, 17), d(2022, 1, 16)))
        );
        // Billed in advance: the period ends after the bill date.
        assert_eq!(
            parse_period("Dec 21 - Jan 20", &p, Some(d(2021, 12, 20))).unwrap(),
            Some((d(2021, 12, 21), d(2022, 1, 20)))
        );
        assert_eq!(
            parse_period("07/17/21 - 08/16/21", &p, None).unwrap(),
            Some((d(2021, 7, 17), d(2021, 8, 16)))
        );
        assert!(parse_period("Jul 17", &p, bill).is_err());
        assert!(parse_period("Jul 17 - Aug 16", &p, None).is_err());
    }

    #[test]
    fn cycles() {
        let d = |y, m, dd| Date::from_ymd(y, m, dd).unwrap();
        assert_eq!(cycle_ending(d(2023, 2, 2)), d(2023, 1, 3));
        assert_eq!(cycle_ending(d(2023, 1, 16)), d(2022, 12, 17));
        assert_eq!(cycle_ending(d(2025, 1, 31)), d(2025, 1, 1));
        assert_eq!(cycle_ending(d(2023, 3, 30)), d(2023, 3, 1));
        assert_eq!(prior_month(d(2023, 2, 1)), (d(2023, 1, 1), d(2023, 1, 31)));
        assert_eq!(prior_month(d(2023, 1, 5)), (d(2022, 12, 1), d(2022, 12, 31)));
    }
}
