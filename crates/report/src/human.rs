//! Money for people: report.md, report.html and the dispute letters write
//! amounts with thousands separators (`1,610,132.82`), rounded exactly as
//! [`money_string`] rounds them for report.json. Machine files (report.json,
//! every CSV) keep the plain form.

use telaudit_model::{money_string, Decimal};

/// `money_string` with a `,` between groups of three digits: `-1,234,567.80`.
pub(crate) fn money(d: Decimal) -> String {
    group(&money_string(d))
}

/// Inserts thousands separators into a plain decimal text (`-1234.5` ->
/// `-1,234.5`); the sign and the decimals are kept as they are.
pub(crate) fn group(plain: &str) -> String {
    let (sign, rest) = match plain.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", plain),
    };
    let (int, frac) = match rest.find('.') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let mut out = String::with_capacity(plain.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(frac);
    out
}

/// An amount with the client's currency code before it when client.toml names
/// one (`USD 1,234.50`); without one, the bare amount (no currency is guessed).
pub fn money_in(d: Decimal, currency: Option<&str>) -> String {
    match currency {
        Some(c) => format!("{c} {}", money(d)),
        None => money(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(money(d("1610132.825")), "1,610,132.83");
        assert_eq!(money(d("3516447.66")), "3,516,447.66");
        assert_eq!(money(d("999.995")), "1,000.00");
        assert_eq!(money(d("100")), "100.00");
        assert_eq!(money(d("-1234")), "-1,234.00");
        assert_eq!(money(d("-123")), "-123.00");
        assert_eq!(money(d("0")), "0.00");
        assert_eq!(money(d("123456")), "123,456.00");
        assert_eq!(group("1234567890"), "1,234,567,890");
        assert_eq!(money_in(d("1234.5"), Some("USD")), "USD 1,234.50");
        assert_eq!(money_in(d("1234.5"), None), "1,234.50");
    }
}
