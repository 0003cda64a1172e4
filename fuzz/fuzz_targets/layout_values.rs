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
    if let Ok(Some(d)) = date(text, &PATTERNS) {
        // YYYY takes four digits, YY two read as 20YY: without four digits in a row
        // the year can only be 2000-2099 (never the year 24).
        let four_digits = text
            .as_bytes()
            .windows(4)
            .any(|w| w.iter().all(u8::is_ascii_digit));
        assert!(four_digits || (2000..=2099).contains(&d.year()), "{text:?} read as {d}");
        assert_eq!(date(&d.to_string(), &["YYYY-MM-DD"]), Ok(Some(d)));
    }
    let bill = Date::from_ymd(2024, 3, 16);
    if let Ok(Some((start, end))) = period(text, &PATTERNS, bill) {
        assert!(start.year() >= 1000 && end.year() >= 1000, "{text:?}");
    }
    // Any pattern text: compiled or refused, never a panic.
    let _ = date("01/02/2024", &[text]);
});
