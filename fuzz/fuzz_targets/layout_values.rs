//! Feeds arbitrary text to the carrier layouts' value parsers (amounts in US and
//! European writing, dates and bill periods under every date pattern the built-in
//! layouts use): they must never panic, and what they accept must hold together.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telaudit_model::Date;
use telaudit_parse::layout_values::{date, number, period};

const PATTERNS: [&str; 9] = [
    "YYYYMMDD",
    "MM/DD/YYYY",
    "MM/DD/YY",
    "Mon DD",
    "Mon DD, YYYY",
    "YYYY/MM/DD",
    "YYYY-MM-DD",
    "DD.MM.YYYY",
    "DD-Mon-YYYY",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for eu in [false, true] {
        if let Ok(Some(m)) = number(text, eu) {
            // An accepted amount prints and reads back to itself.
            assert_eq!(number(&m.to_string(), false), Ok(Some(m)), "{text:?}");
        }
    }
    // YYYY takes four digits, YY two read as 20YY, a side without a year takes one
    // near the bill date (2024): without four digits in a row a year can only be
    // 2000-2099 (never the year 24).
    let four_digits = text
        .as_bytes()
        .windows(4)
        .any(|w| w.iter().all(u8::is_ascii_digit));
    let year_ok = |d: Date| four_digits || (2000..=2099).contains(&d.year());
    if let Ok(Some(d)) = date(text, &PATTERNS) {
        assert!(year_ok(d), "{text:?} read as {d}");
        assert_eq!(date(&d.to_string(), &["YYYY-MM-DD"]), Ok(Some(d)));
    }
    let bill = Date::from_ymd(2024, 3, 16);
    if let Ok(Some((start, end))) = period(text, &PATTERNS, bill) {
        assert!(year_ok(start) && year_ok(end), "{text:?} read as {start} - {end}");
    }
    // Any pattern text: compiled or refused, never a panic.
    let _ = date("01/02/2024", &[text]);
});
