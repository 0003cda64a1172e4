//! Calendar dates as one integer, `YYYYMMDD`, which orders like the date.

use std::fmt;

/// A valid Gregorian date packed as `yyyy * 10000 + mm * 100 + dd`.
#[derive(Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Hash)]
pub struct Date(u32);

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// The value is empty.
    Empty,
    /// Not `YYYY-MM-DD`.
    Syntax,
    /// `YYYY-MM-DD` but no such day (`2025-02-30`, `0000-00-00`).
    NoSuchDay,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DateError::Empty => "empty date",
            DateError::Syntax => "not a date in the form YYYY-MM-DD",
            DateError::NoSuchDay => "no such calendar day",
        })
    }
}

impl std::error::Error for DateError {}

impl Date {
    /// The first day a date can be, 0001-01-01 (a placeholder where no date applies).
    pub const MIN: Date = Date(10_101);

    /// A date from its parts, if that day exists (years 1 to 9999).
    pub fn from_ymd(y: u32, m: u32, d: u32) -> Option<Date> {
        if !(1..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        Some(Date(y * 10_000 + m * 100 + d))
    }

    /// Parses `YYYY-MM-DD` (surrounding spaces ignored).
    pub fn parse(s: &str) -> Result<Date, DateError> {
        Self::parse_bytes(s.as_bytes())
    }

    /// As [`Date::parse`], on bytes (the CSV readers' fast path).
    pub fn parse_bytes(b: &[u8]) -> Result<Date, DateError> {
        let b = b.trim_ascii();
        if b.is_empty() {
            return Err(DateError::Empty);
        }
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(DateError::Syntax);
        }
        let num = |r: &[u8]| -> Result<u32, DateError> {
            r.iter().try_fold(0u32, |acc, &c| {
                if c.is_ascii_digit() {
                    Ok(acc * 10 + u32::from(c - b'0'))
                } else {
                    Err(DateError::Syntax)
                }
            })
        };
        let (y, m, d) = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
        Date::from_ymd(y, m, d).ok_or(DateError::NoSuchDay)
    }

    /// Parses X12's `CCYYMMDD`.
    pub fn parse_compact(s: &str) -> Result<Date, DateError> {
        let b = s.trim().as_bytes();
        if b.is_empty() {
            return Err(DateError::Empty);
        }
        if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
            return Err(DateError::Syntax);
        }
        let v: u32 = b.iter().fold(0, |acc, &c| acc * 10 + u32::from(c - b'0'));
        Date::from_ymd(v / 10_000, v / 100 % 100, v % 100).ok_or(DateError::NoSuchDay)
    }

    /// The year, e.g. 2025.
    pub fn year(self) -> u32 {
        self.0 / 10_000
    }
    /// The month, 1 to 12.
    pub fn month(self) -> u32 {
        self.0 / 100 % 100
    }
    /// The day of the month, 1 to 31.
    pub fn day(self) -> u32 {
        self.0 % 100
    }
    /// The packed `YYYYMMDD` value.
    pub fn packed(self) -> u32 {
        self.0
    }

    /// The first day of the next month.
    pub fn next_month_start(self) -> Date {
        let (y, m) = if self.month() == 12 {
            (self.year() + 1, 1)
        } else {
            (self.year(), self.month() + 1)
        };
        Date(y * 10_000 + m * 100 + 1)
    }

    /// The last day of this date's month.
    pub fn month_end(self) -> Date {
        Date(self.year() * 10_000 + self.month() * 100 + days_in_month(self.year(), self.month()))
    }

    /// The day `n` days earlier (`2025-03-01` minus 1 is `2025-02-28`); `None`
    /// before year 1.
    pub fn minus_days(self, n: u32) -> Option<Date> {
        let days = self.day_number().checked_sub(i64::from(n))?;
        Date::from_day_number(days)
    }

    /// The day `n` days later (`2025-02-28` plus 1 is `2025-03-01`); `None` past
    /// year 9999.
    pub fn plus_days(self, n: u32) -> Option<Date> {
        let days = self.day_number().checked_add(i64::from(n))?;
        Date::from_day_number(days).filter(|d| d.year() <= 9999)
    }

    /// How many days `self` is after `earlier` (negative when it is before):
    /// `2025-03-01` is 1 day after `2025-02-28`.
    pub fn days_after(self, earlier: Date) -> i64 {
        self.day_number() - earlier.day_number()
    }

    /// Days since 0000-03-01 of the proleptic Gregorian calendar (H. Hinnant's
    /// `days_from_civil`, shifted to stay positive).
    fn day_number(self) -> i64 {
        let (y, m, d) = (
            i64::from(self.year()),
            i64::from(self.month()),
            i64::from(self.day()),
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe
    }

    /// The inverse of [`Date::day_number`] (`civil_from_days`).
    fn from_day_number(z: i64) -> Option<Date> {
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date::from_ymd(u32::try_from(y).ok()?, m as u32, d as u32)
    }
}

/// [`Date::plus_days`] for a stream of (date, days) that comes in runs of one
/// pair (a finding's claims, an account's sorted dispute lines): the last
/// answer is kept, so a run costs one calendar computation instead of one a row.
#[derive(Clone, Copy, Debug, Default)]
pub struct PlusDays {
    last: Option<((Date, u32), Option<Date>)>,
}

impl PlusDays {
    /// `date.plus_days(days)`, worked out again only when the pair changes.
    pub fn get(&mut self, date: Date, days: u32) -> Option<Date> {
        match self.last {
            Some((k, v)) if k == (date, days) => v,
            _ => {
                let v = date.plus_days(days);
                self.last = Some(((date, days), v));
                v
            }
        }
    }
}

/// The number of days in month `m` (1 to 12) of year `y`, leap years counted.
pub fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year(), self.month(), self.day())
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {

    /// The memo answers as `plus_days` does, pair by pair, whatever the order
    /// of the pairs (repeated, alternating, past year 9999).
    #[test]
    fn plus_days_memo_answers_as_plus_days() {
        let d = |s: &str| Date::parse(s).unwrap();
        let pairs = [
            (d("2025-01-31"), 90),
            (d("2025-01-31"), 90),
            (d("2024-02-29"), 365),
            (d("2025-01-31"), 90),
            (d("2025-01-31"), 30),
            (d("9999-12-01"), 31),
            (d("9999-12-01"), 31),
        ];
        let mut memo = PlusDays::default();
        for (date, n) in pairs {
            assert_eq!(memo.get(date, n), date.plus_days(n), "{date} + {n}");
        }
        assert_eq!(memo.get(d("2025-01-31"), 30), Some(d("2025-03-02")));
        assert_eq!(memo.get(d("9999-12-01"), 31), None);
    }

    #[test]
    fn minus_days_crosses_months_years_and_leap_days() {
        let d = |s: &str| Date::parse(s).unwrap();
        assert_eq!(d("2025-03-01").minus_days(1), Some(d("2025-02-28")));
        assert_eq!(d("2024-03-01").minus_days(1), Some(d("2024-02-29")));
        assert_eq!(d("2025-04-01").minus_days(90), Some(d("2025-01-01")));
        assert_eq!(d("2026-01-01").minus_days(365), Some(d("2025-01-01")));
        assert_eq!(d("2000-03-01").minus_days(0), Some(d("2000-03-01")));
        assert_eq!(d("2025-07-01").minus_days(180), Some(d("2025-01-02")));
        assert_eq!(d("0001-01-02").minus_days(1), Some(d("0001-01-01")));
        assert_eq!(d("0001-01-01").minus_days(1), None);
    }

    #[test]
    fn days_after_counts_calendar_days() {
        let d = |s: &str| Date::parse(s).unwrap();
        assert_eq!(d("2025-03-01").days_after(d("2025-02-28")), 1);
        assert_eq!(d("2024-03-01").days_after(d("2024-02-28")), 2);
        assert_eq!(d("2025-12-19").days_after(d("2025-06-10")), 192);
        assert_eq!(d("2025-01-01").days_after(d("2026-01-01")), -365);
        assert_eq!(d("2025-01-01").days_after(d("2025-01-01")), 0);
    }

    use super::*;

    #[test]
    fn parses_and_validates() {
        assert_eq!(Date::parse("2025-01-31").unwrap().to_string(), "2025-01-31");
        assert_eq!(Date::parse("2024-02-29").unwrap().day(), 29);
        assert_eq!(Date::parse("2025-02-29"), Err(DateError::NoSuchDay));
        assert_eq!(Date::parse("2025-02-30"), Err(DateError::NoSuchDay));
        assert_eq!(Date::parse("0000-00-00"), Err(DateError::NoSuchDay));
        assert_eq!(Date::parse("1900-02-29"), Err(DateError::NoSuchDay));
        assert_eq!(Date::parse("2000-02-29").unwrap().month(), 2);
        assert_eq!(Date::parse("2025/01/31"), Err(DateError::Syntax));
        assert_eq!(Date::parse("25-01-31"), Err(DateError::Syntax));
        assert_eq!(Date::parse("2025-1-31"), Err(DateError::Syntax));
        assert_eq!(Date::parse(""), Err(DateError::Empty));
        assert_eq!(Date::parse_compact("20251205").unwrap().to_string(), "2025-12-05");
        assert_eq!(Date::parse_compact("20251305"), Err(DateError::NoSuchDay));
    }

    #[test]
    fn orders_like_dates() {
        let a = Date::parse("2024-12-31").unwrap();
        let b = Date::parse("2025-01-01").unwrap();
        assert!(a < b);
        assert_eq!(a.next_month_start(), b);
        assert_eq!(
            Date::parse("2024-02-10").unwrap().month_end().to_string(),
            "2024-02-29"
        );
    }
}
