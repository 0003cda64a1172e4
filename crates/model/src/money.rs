//! Exact decimal values as integer millionths.
//!
//! The input contract allows up to 6 decimal places, so every amount, rate and
//! quantity read from a bill fits exactly in an `i64` count of millionths
//! (range about +/- 9.2 trillion). Rows keep this compact form; arithmetic that
//! can need more places (rate x quantity) converts to [`rust_decimal::Decimal`].

use rust_decimal::Decimal;
use std::fmt;

/// A decimal number with exactly 6 implied decimal places (`1_000_000` is `1`).
#[derive(Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Hash, Default)]
pub struct Micros(pub i64);

/// Why a decimal could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecimalError {
    /// The value is empty.
    Empty,
    /// Not a plain decimal (`-12.5`, `1234.5678`): exponent, letters, several signs ...
    Syntax,
    /// More than 6 significant decimal places.
    TooPrecise,
    /// Too large to hold exactly.
    OutOfRange,
}

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecimalError::Empty => "empty number",
            DecimalError::Syntax => "not a plain decimal number (expected e.g. -12.5 or 1234.5678)",
            DecimalError::TooPrecise => "more than 6 decimal places",
            DecimalError::OutOfRange => "number too large (more than 12 integer digits)",
        })
    }
}

impl std::error::Error for DecimalError {}

const SCALE: i64 = 1_000_000;
/// Integer digits allowed: 12 (under a trillion) is far above any bill line. One value
/// is then at most ~10^18 millionths, so a handful of extreme values can overflow an
/// `i64` sum: sums over many rows are taken in `i128` or [`Decimal`], never with `+` here.
const MAX_INT_DIGITS: usize = 12;

impl Micros {
    /// Zero.
    pub const ZERO: Micros = Micros(0);
    /// One (1.000000).
    pub const ONE: Micros = Micros(SCALE);

    /// Parses a plain decimal: optional sign, digits, optional point and up to 6
    /// decimal places (further places are accepted only if they are zeros).
    /// Surrounding ASCII spaces are ignored.
    pub fn parse(s: &str) -> Result<Micros, DecimalError> {
        Self::parse_bytes(s.as_bytes())
    }

    /// As [`Micros::parse`], on bytes.
    pub fn parse_bytes(b: &[u8]) -> Result<Micros, DecimalError> {
        match parse_plain(b) {
            Some(m) => Ok(m),
            None => parse_general(b),
        }
    }
}

/// The shape nearly every bill figure has, read in one pass: an optional `-`, 1 to 12
/// digits, and optionally a `.` followed by 1 to 6 digits; nothing else (no spaces, no
/// `+`, no empty part). None for anything else, which [`parse_general`] then reads (or
/// refuses) exactly as before: for every value this accepts, the general parser gives
/// the same value (tested below, and by a property test over random text).
#[inline]
fn parse_plain(b: &[u8]) -> Option<Micros> {
    /// The weight of a fraction of n digits read as an integer: 10^(6 - n).
    const FRACTION: [i64; 7] = [1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];
    let (neg, b) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let mut v: i64 = 0;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if !c.is_ascii_digit() || i > MAX_INT_DIGITS {
            break;
        }
        v = v * 10 + i64::from(c - b'0');
        i += 1;
    }
    if i == 0 || i > MAX_INT_DIGITS {
        return None;
    }
    let mut frac: i64 = 0;
    if let Some((&point, f)) = b[i..].split_first() {
        if point != b'.' || f.is_empty() || f.len() > 6 {
            return None;
        }
        for &c in f {
            if !c.is_ascii_digit() {
                return None;
            }
            frac = frac * 10 + i64::from(c - b'0');
        }
        frac *= FRACTION[f.len()];
    }
    let v = v * SCALE + frac;
    Some(Micros(if neg { -v } else { v }))
}

/// [`Micros::parse_bytes`] for every form the input contract allows: surrounding
/// spaces, a `+`, no integer or no decimal digits (`.5`, `5.`), leading zeros, and
/// further decimal places that are all zeros.
fn parse_general(b: &[u8]) -> Result<Micros, DecimalError> {
    let b = trim_ascii(b);
    if b.is_empty() {
        return Err(DecimalError::Empty);
    }
    let (neg, rest) = match b[0] {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let (int_part, frac_part) = match rest.iter().position(|&c| c == b'.') {
        Some(p) => (&rest[..p], Some(&rest[p + 1..])),
        None => (rest, None),
    };
    if int_part.is_empty() && frac_part.is_none_or(|f| f.is_empty()) {
        return Err(DecimalError::Syntax);
    }
    if !int_part.iter().all(u8::is_ascii_digit) {
        return Err(DecimalError::Syntax);
    }
    let int_digits = {
        let first_nonzero = int_part.iter().position(|&c| c != b'0');
        first_nonzero.map_or(0, |p| int_part.len() - p)
    };
    if int_digits > MAX_INT_DIGITS {
        return Err(DecimalError::OutOfRange);
    }
    let mut v: i64 = 0;
    for &c in int_part {
        v = v * 10 + i64::from(c - b'0');
    }
    let mut frac: i64 = 0;
    if let Some(f) = frac_part {
        if !f.iter().all(u8::is_ascii_digit) {
            return Err(DecimalError::Syntax);
        }
        if f.len() > 6 && f[6..].iter().any(|&c| c != b'0') {
            return Err(DecimalError::TooPrecise);
        }
        let mut mult = SCALE / 10;
        for &c in f.iter().take(6) {
            frac += i64::from(c - b'0') * mult;
            mult /= 10;
        }
    }
    let v = v * SCALE + frac;
    Ok(Micros(if neg { -v } else { v }))
}

impl Micros {
    /// The exact value as a [`Decimal`].
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 6)
    }

    /// The exact value of a [`Decimal`] that has at most 6 decimal places and fits.
    pub fn from_decimal(d: Decimal) -> Option<Micros> {
        let scaled = d.checked_mul(Decimal::from(SCALE))?;
        if scaled.fract() != Decimal::ZERO {
            return None;
        }
        i64::try_from(scaled).ok().map(Micros)
    }

    /// Whether it is above zero (a charge, not a credit or a zero row).
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Whether it is exactly zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Money with 2 implied decimals, as X12 writes TDS and ITA amounts (`20000` is 200.00).
    pub fn from_cents(cents: i64) -> Option<Micros> {
        cents.checked_mul(10_000).map(Micros)
    }

    /// The sum, or `None` if it overflows.
    pub fn checked_add(self, o: Micros) -> Option<Micros> {
        self.0.checked_add(o.0).map(Micros)
    }
}

impl std::ops::Add for Micros {
    type Output = Micros;
    fn add(self, o: Micros) -> Micros {
        Micros(self.0 + o.0)
    }
}

impl std::ops::Sub for Micros {
    type Output = Micros;
    fn sub(self, o: Micros) -> Micros {
        Micros(self.0 - o.0)
    }
}

impl std::ops::Neg for Micros {
    type Output = Micros;
    fn neg(self) -> Micros {
        Micros(-self.0)
    }
}

impl std::iter::Sum for Micros {
    fn sum<I: Iterator<Item = Micros>>(iter: I) -> Micros {
        Micros(iter.map(|m| m.0).sum())
    }
}

/// The shortest exact form: `12.5`, `-3`, `0.000001`.
impl fmt::Display for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        let sign = if v < 0 { "-" } else { "" };
        let a = v.unsigned_abs();
        let int = a / SCALE as u64;
        let frac = a % SCALE as u64;
        if frac == 0 {
            write!(f, "{sign}{int}")
        } else {
            let s = format!("{frac:06}");
            write!(f, "{sign}{int}.{}", s.trim_end_matches('0'))
        }
    }
}

impl fmt::Debug for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

fn trim_ascii(mut b: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = b {
        if *first == b' ' || *first == b'\t' {
            b = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = b {
        if *last == b' ' || *last == b'\t' {
            b = rest;
        } else {
            break;
        }
    }
    b
}

/// An exact value rounded to cents, half away from zero: the one rounding money
/// gets (when written, or to compare with a figure a bill prints in cents).
pub fn round_cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// Rounds an exact value to 2 decimals ([`round_cents`]) and writes it with
/// exactly 2 decimals (`"12.35"`, `"-0.01"`, `"0.00"`).
pub fn money_string(d: Decimal) -> String {
    let mut r = round_cents(d);
    if r.is_zero() {
        r = Decimal::ZERO; // never "-0.00"
    }
    r.rescale(2);
    r.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_decimals() {
        assert_eq!(Micros::parse("12.5"), Ok(Micros(12_500_000)));
        assert_eq!(Micros::parse("-12.5"), Ok(Micros(-12_500_000)));
        assert_eq!(Micros::parse("1234.5678"), Ok(Micros(1_234_567_800)));
        assert_eq!(Micros::parse("0.000001"), Ok(Micros(1)));
        assert_eq!(Micros::parse(" 35 "), Ok(Micros(35_000_000)));
        assert_eq!(Micros::parse("35.00"), Micros::parse("35"));
        assert_eq!(Micros::parse(".5"), Ok(Micros(500_000)));
        assert_eq!(Micros::parse("5."), Ok(Micros(5_000_000)));
        assert_eq!(Micros::parse("1.50000000"), Ok(Micros(1_500_000)));
        assert_eq!(Micros::parse("+2"), Ok(Micros(2_000_000)));
    }

    #[test]
    fn refuses_what_is_not_plain() {
        for s in [
            "1e5", "NaN", "--1", "1,000", "$5", "1.2.3", "-", ".", "abc", "1 2", "inf",
        ] {
            assert_eq!(Micros::parse(s), Err(DecimalError::Syntax), "{s}");
        }
        assert_eq!(Micros::parse(""), Err(DecimalError::Empty));
        assert_eq!(Micros::parse("1.0000001"), Err(DecimalError::TooPrecise));
        assert_eq!(
            Micros::parse("1234567890123456789012345678901234567890"),
            Err(DecimalError::OutOfRange)
        );
        assert_eq!(
            Micros::parse("999999999999.999999"),
            Ok(Micros(999_999_999_999_999_999))
        );
        assert_eq!(Micros::parse("0001000000000000"), Err(DecimalError::OutOfRange));
    }

    #[test]
    fn displays_shortest_exact_form() {
        assert_eq!(Micros(12_500_000).to_string(), "12.5");
        assert_eq!(Micros(-3_000_000).to_string(), "-3");
        assert_eq!(Micros(1).to_string(), "0.000001");
        assert_eq!(Micros(-1).to_string(), "-0.000001");
        assert_eq!(Micros(0).to_string(), "0");
    }

    #[test]
    fn money_rounds_half_away_from_zero() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(money_string(d("2.345")), "2.35");
        assert_eq!(money_string(d("-2.345")), "-2.35");
        assert_eq!(money_string(d("2.344999")), "2.34");
        assert_eq!(money_string(d("2.5")), "2.50");
        assert_eq!(money_string(d("-0.004")), "0.00");
        assert_eq!(money_string(d("0.005")), "0.01");
        assert_eq!(money_string(d("1234567.891")), "1234567.89");
    }

    #[test]
    fn decimal_round_trip() {
        let m = Micros(-123_456_789);
        assert_eq!(Micros::from_decimal(m.to_decimal()), Some(m));
        assert_eq!(Micros::from_decimal("0.0000001".parse().unwrap()), None);
    }

    /// The fast path and the general parser on the edges of the fast path's shape:
    /// where the fast path answers, both give the same value; where it declines, the
    /// general parser's answer (value or error) is what `parse` gives.
    #[test]
    fn the_fast_path_agrees_with_the_general_parser() {
        let taken = [
            ("0", 0),
            ("-0", 0),
            ("-0.00", 0),
            ("42.50", 42_500_000),
            ("-3.5", -3_500_000),
            ("1.25", 1_250_000),
            ("0.000001", 1),
            ("-0.000001", -1),
            ("999999999999.999999", 999_999_999_999_999_999),
            ("-999999999999.999999", -999_999_999_999_999_999),
            ("000000000001", 1_000_000),
            ("7.123456", 7_123_456),
        ];
        for (s, v) in taken {
            assert_eq!(parse_plain(s.as_bytes()), Some(Micros(v)), "{s}");
            assert_eq!(parse_general(s.as_bytes()), Ok(Micros(v)), "{s}");
        }
        // Declined by the fast path; the general parser's answer stands.
        let declined: [(&str, Result<Micros, DecimalError>); 22] = [
            ("", Err(DecimalError::Empty)),
            ("   ", Err(DecimalError::Empty)),
            ("1e5", Err(DecimalError::Syntax)),
            (".5", Ok(Micros(500_000))),
            ("-.5", Ok(Micros(-500_000))),
            ("5.", Ok(Micros(5_000_000))),
            ("+1", Ok(Micros(1_000_000))),
            (" 1.5", Ok(Micros(1_500_000))),
            ("1.5 ", Ok(Micros(1_500_000))),
            ("\t2", Ok(Micros(2_000_000))),
            ("1.1234567", Err(DecimalError::TooPrecise)),
            ("1.1234560", Ok(Micros(1_123_456))),
            ("1234567890123", Err(DecimalError::OutOfRange)),
            ("1234567890123456789", Err(DecimalError::OutOfRange)),
            ("0000000000001", Ok(Micros(1_000_000))),
            ("0000000000000000000000.5", Ok(Micros(500_000))),
            ("1,000.00", Err(DecimalError::Syntax)),
            ("1 000", Err(DecimalError::Syntax)),
            ("--1", Err(DecimalError::Syntax)),
            ("-", Err(DecimalError::Syntax)),
            ("1.2.3", Err(DecimalError::Syntax)),
            ("1.-2", Err(DecimalError::Syntax)),
        ];
        for (s, want) in declined {
            assert_eq!(parse_plain(s.as_bytes()), None, "{s:?}");
            assert_eq!(Micros::parse(s), want, "{s:?}");
        }
    }

    proptest::proptest! {
        // A fixed seed so a failure reproduces; PROPTEST_RNG_SEED explores others.
        #![proptest_config(proptest::test_runner::Config {
            cases: 4000,
            rng_seed: match proptest::test_runner::Config::default().rng_seed {
                proptest::test_runner::RngSeed::Random => proptest::test_runner::RngSeed::Fixed(20_261_206),
                chosen => chosen,
            },
            ..proptest::test_runner::Config::default()
        })]
        /// Text made of the characters a figure is made of: where the fast path gives
        /// a value, the general parser gives the same one.
        #[test]
        fn the_fast_path_never_disagrees(s in "[-+ 0-9.e,]{0,24}") {
            if let Some(m) = parse_plain(s.as_bytes()) {
                proptest::prop_assert_eq!(parse_general(s.as_bytes()), Ok(m));
            }
            proptest::prop_assert_eq!(Micros::parse(&s), parse_general(s.as_bytes()));
        }

        /// Plain figures of every length up to the limits: both paths, one value.
        #[test]
        fn plain_figures_take_the_fast_path(neg in proptest::bool::ANY, int in "[0-9]{1,12}", frac in proptest::option::of("[0-9]{1,6}")) {
            let s = format!("{}{int}{}", if neg { "-" } else { "" }, frac.map(|f| format!(".{f}")).unwrap_or_default());
            let fast = parse_plain(s.as_bytes());
            proptest::prop_assert!(fast.is_some(), "{}", s);
            proptest::prop_assert_eq!(fast.map(Ok), Some(parse_general(s.as_bytes())));
        }
    }
}
