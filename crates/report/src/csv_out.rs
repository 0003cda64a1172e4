//! Figures, dates and CSV cells written straight into a buffer, as the `csv`
//! crate and `Decimal`'s `Display` would write them, without a string per
//! value: the dispute files write hundreds of thousands of lines.
//!
//! Each function is the same text as the slower path it replaces (a test
//! compares them on many values): [`text_field`] as a `csv::Writer` writes a
//! field guarded by [`crate::tables::guard`]; [`push_exact`] as
//! `exact_amount`; [`push_money`] as [`telaudit_model::money_string`];
//! [`push_normalized`] as `d.normalize().to_string()`; [`push_date`] as a
//! [`Date`]'s `Display`.

use telaudit_model::{money_string, Date, Decimal, Micros};

/// Appends a text cell: a leading `'` when it starts like a formula (`=`, `+`,
/// `-`, `@`, tab, carriage return), and quoted (quotes doubled) when it holds a
/// comma, a quote or a line break.
pub(crate) fn text_field(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let guard = matches!(b.first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'));
    let quote = needs_quotes(b);
    if !quote {
        if guard {
            out.push(b'\'');
        }
        out.extend_from_slice(b);
        return;
    }
    out.push(b'"');
    if guard {
        out.push(b'\'');
    }
    for part in b.split_inclusive(|&c| c == b'"') {
        out.extend_from_slice(part);
        if part.last() == Some(&b'"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

/// Whether `b` holds a comma, a quote or a line break (`\r`, `\n`): eight
/// bytes at a time (a byte equal to `c` is a zero byte of `word ^ c`).
fn needs_quotes(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has = |w: u64, c: u8| {
        let x = w ^ (ONES * u64::from(c));
        x.wrapping_sub(ONES) & !x & HIGHS != 0
    };
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let w = u64::from_le_bytes(w);
        if has(w, b',') || has(w, b'"') || has(w, b'\n') || has(w, b'\r') {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&c| matches!(c, b',' | b'"' | b'\r' | b'\n'))
}

/// Where figures and dates are written: a CSV's bytes, or a text (a reason's
/// words). The writers below give it ASCII alone.
pub(crate) trait Out {
    /// Appends ASCII bytes.
    fn put(&mut self, ascii: &[u8]);
}

impl Out for Vec<u8> {
    fn put(&mut self, ascii: &[u8]) {
        self.extend_from_slice(ascii);
    }
}

impl Out for String {
    fn put(&mut self, ascii: &[u8]) {
        // ASCII is UTF-8: this never pushes the replacement.
        self.push_str(std::str::from_utf8(ascii).unwrap_or("\u{FFFD}"));
    }
}

/// Appends `m` with `scale` decimals (`m` = the value x 10^scale), a `-` when negative.
fn push_scaled<O: Out + ?Sized>(out: &mut O, m: i128, scale: u32) {
    if m < 0 {
        out.put(b"-");
    }
    // 39 digits at most, the point, and the zeros before the first digit.
    let mut buf = [0u8; 80];
    let mut i = buf.len();
    let mut n = 0u32;
    let mut a = m.unsigned_abs();
    loop {
        let d = if let Ok(small) = u64::try_from(a) {
            a = u128::from(small / 10);
            (small % 10) as u8
        } else {
            let d = (a % 10) as u8;
            a /= 10;
            d
        };
        i -= 1;
        buf[i] = b'0' + d;
        n += 1;
        if n == scale {
            i -= 1;
            buf[i] = b'.';
        }
        if a == 0 && n > scale {
            break;
        }
    }
    out.put(&buf[i..]);
}

/// `(mantissa, scale)` of `d` without trailing zeros in the fraction.
fn normalized(d: Decimal) -> (i128, u32) {
    let (m, mut s) = (d.mantissa(), d.scale());
    if let Ok(mut small) = i64::try_from(m) {
        // 64-bit division: the common case, and several times cheaper.
        while s > 0 && small % 10 == 0 {
            small /= 10;
            s -= 1;
        }
        return (i128::from(small), s);
    }
    let mut m = m;
    while s > 0 && m % 10 == 0 {
        m /= 10;
        s -= 1;
    }
    (m, s)
}

/// Appends an exact amount: at least 2 decimals, no trailing zeros beyond them
/// (`10.00`, `10.005`, `0.00`).
pub(crate) fn push_exact<O: Out + ?Sized>(out: &mut O, d: Decimal) {
    let (mut m, mut s) = normalized(d);
    if m == 0 {
        out.put(b"0.00");
        return;
    }
    if m.unsigned_abs() >= 10u128.pow(26) {
        // Near Decimal's 96 bits the padding may not fit: as `Decimal` pads it.
        let mut v = d.normalize();
        v.rescale(2);
        out.put(v.to_string().as_bytes());
        return;
    }
    while s < 2 {
        m *= 10;
        s += 1;
    }
    push_scaled(out, m, s);
}

/// Appends an exact amount of millionths, as [`push_exact`] writes its decimal.
pub(crate) fn push_micros_exact(out: &mut String, m: Micros) {
    push_exact(out, m.to_decimal());
}

/// Appends a figure without padding (`100`, `2.5`, `0`): its normal form.
pub(crate) fn push_normalized<O: Out + ?Sized>(out: &mut O, d: Decimal) {
    let (m, s) = normalized(d);
    if m == 0 {
        // `Decimal`'s normal zero has no sign and no decimals.
        out.put(b"0");
        return;
    }
    push_scaled(out, m, s);
}

/// Appends money rounded to the cent (half away from zero), with exactly 2
/// decimals, never `-0.00`.
pub(crate) fn push_money<O: Out + ?Sized>(out: &mut O, d: Decimal) {
    if d.scale() == 2 {
        let m = d.mantissa();
        push_scaled(out, if m == 0 { 0 } else { m }, 2);
    } else {
        out.put(money_string(d).as_bytes());
    }
}

/// Appends `YYYY-MM-DD`.
pub(crate) fn push_date<O: Out + ?Sized>(out: &mut O, d: Date) {
    let (y, m, day) = (d.year(), d.month(), d.day());
    if y > 9999 {
        out.put(d.to_string().as_bytes());
        return;
    }
    let digits = [
        b'0' + (y / 1000 % 10) as u8,
        b'0' + (y / 100 % 10) as u8,
        b'0' + (y / 10 % 10) as u8,
        b'0' + (y % 10) as u8,
        b'-',
        b'0' + (m / 10 % 10) as u8,
        b'0' + (m % 10) as u8,
        b'-',
        b'0' + (day / 10 % 10) as u8,
        b'0' + (day % 10) as u8,
    ];
    out.put(&digits);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn old_exact(d: Decimal) -> String {
        let mut v = d.normalize();
        if v.scale() < 2 {
            v.rescale(2);
        }
        if v.is_zero() {
            return "0.00".to_string();
        }
        v.to_string()
    }

    fn with(f: impl Fn(&mut String)) -> String {
        let mut s = String::new();
        f(&mut s);
        s
    }

    /// What the `csv` crate writes for one guarded field.
    fn csv_crate(s: &str) -> String {
        let mut buf = Vec::new();
        {
            let mut w = csv::WriterBuilder::new().from_writer(&mut buf);
            w.write_record([crate::tables::guard(s).as_ref(), "x"]).unwrap();
        }
        let t = String::from_utf8(buf).unwrap();
        t.strip_suffix(",x\n").unwrap().to_string()
    }

    #[test]
    fn fields_are_written_as_the_csv_crate_writes_them() {
        for s in [
            "",
            "plain",
            "a,b",
            "say \"hi\"",
            "\"",
            "=SUM(A1)",
            "-12",
            "+1,5",
            "@x\"y\"",
            "\tx",
            "\r\nline",
            "line\nbreak",
            "ünï, cödé",
        ] {
            let mut out = Vec::new();
            text_field(&mut out, s);
            assert_eq!(String::from_utf8(out).unwrap(), csv_crate(s), "{s:?}");
        }
    }

    #[test]
    fn figures_are_written_as_decimal_writes_them() {
        for t in [
            "0",
            "-0",
            "0.000",
            "10",
            "10.5",
            "10.005",
            "-0.015",
            "1234567.891200",
            "-5",
            "0.1",
            "79228162514264337593543950335",
            "-7922816251426433759354395033.5",
            "0.0000000000000000000000000001",
        ] {
            let d = Decimal::from_str(t).unwrap();
            assert_eq!(with(|s| push_exact(s, d)), old_exact(d), "{t}");
            assert_eq!(with(|s| push_normalized(s, d)), d.normalize().to_string(), "{t}");
            assert_eq!(with(|s| push_money(s, d)), money_string(d), "{t}");
        }
        for m in [0i64, 1, -1, 1_000_000, -12_345_678, i64::MAX, i64::MIN] {
            assert_eq!(
                with(|s| push_micros_exact(s, Micros(m))),
                old_exact(Micros(m).to_decimal())
            );
        }
        for t in ["2025-01-05", "0001-01-01", "9999-12-31"] {
            let d = Date::parse(t).unwrap();
            assert_eq!(with(|s| push_date(s, d)), d.to_string());
            let mut bytes = Vec::new();
            push_date(&mut bytes, d);
            assert_eq!(bytes, d.to_string().as_bytes());
        }
    }

    proptest! {
        // A fixed seed so a failure reproduces; PROPTEST_RNG_SEED explores others.
        #![proptest_config(ProptestConfig {
            cases: 2000,
            rng_seed: match ProptestConfig::default().rng_seed {
                proptest::test_runner::RngSeed::Random => proptest::test_runner::RngSeed::Fixed(20_261_206),
                chosen => chosen,
            },
            ..ProptestConfig::default()
        })]
        #[test]
        fn any_decimal_is_written_as_decimal_writes_it(m in any::<i64>(), scale in 0u32..=12, cents in any::<i32>()) {
            let d = Decimal::new(m, scale);
            prop_assert_eq!(with(|s| push_exact(s, d)), old_exact(d));
            prop_assert_eq!(with(|s| push_normalized(s, d)), d.normalize().to_string());
            prop_assert_eq!(with(|s| push_money(s, d)), money_string(d));
            let c = Decimal::new(i64::from(cents), 2);
            prop_assert_eq!(with(|s| push_money(s, c)), money_string(c));
            // Into a CSV's bytes, the same text.
            let mut bytes = Vec::new();
            push_exact(&mut bytes, d);
            bytes.push(b',');
            push_normalized(&mut bytes, d);
            bytes.push(b',');
            push_money(&mut bytes, d);
            let text = format!("{},{},{}", old_exact(d), d.normalize(), money_string(d));
            prop_assert_eq!(String::from_utf8(bytes).unwrap(), text);
        }

        #[test]
        fn any_text_is_written_as_the_csv_crate_writes_it(s in "[a-z,\"\r\n=+@\t' é-]{0,40}") {
            let mut out = Vec::new();
            text_field(&mut out, &s);
            prop_assert_eq!(String::from_utf8(out).unwrap(), csv_crate(&s));
        }
    }
}
