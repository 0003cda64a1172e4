//! Arithmetic on [`Decimal`] that is exact or refuses.
//!
//! `rust_decimal` silently rounds a product or sum whose mantissa outgrows 96 bits,
//! and its division is never exact for most quotients. The proposal figures must
//! be provably right, so they are checked with these helpers, which work on the
//! integer mantissas and return `None` rather than round.

use telaudit_model::Decimal;

/// `a * b`, exactly, or `None`.
pub(crate) fn mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    if a.is_zero() || b.is_zero() {
        return Some(Decimal::ZERO);
    }
    let m = a.mantissa().checked_mul(b.mantissa())?;
    Decimal::try_from_i128_with_scale(m, a.scale() + b.scale()).ok()
}

/// `a + b`, exactly, or `None`.
pub(crate) fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
    let scale = a.scale().max(b.scale());
    let ma = rescale(a, scale)?;
    let mb = rescale(b, scale)?;
    Decimal::try_from_i128_with_scale(ma.checked_add(mb)?, scale).ok()
}

/// `a - b`, exactly, or `None`.
pub(crate) fn sub(a: Decimal, b: Decimal) -> Option<Decimal> {
    add(a, -b)
}

/// The mantissa of `d` at a larger scale.
fn rescale(d: Decimal, scale: u32) -> Option<i128> {
    let factor = 10i128.checked_pow(scale - d.scale())?;
    d.mantissa().checked_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn exact_or_none() {
        assert_eq!(mul(d("1145.67"), d("34")), Some(d("38952.78")));
        assert_eq!(add(d("0.1"), d("0.000002")), Some(d("0.100002")));
        assert_eq!(sub(d("48000"), d("10000.5")), Some(d("37999.5")));
        // 28 decimal places times 1 decimal place cannot be held exactly.
        assert_eq!(mul(d("0.0000000000000000000000000001"), d("0.5")), None);
        assert_eq!(mul(Decimal::MAX, d("2")), None);
        assert_eq!(mul(Decimal::ZERO, Decimal::MAX), Some(Decimal::ZERO));
    }
}
