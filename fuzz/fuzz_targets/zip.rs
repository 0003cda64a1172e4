//! Feeds arbitrary bytes to the zip reader (Verizon's `.rdd`/`.zip` archives) with
//! small size caps: it must never panic nor unpack past its caps, and the members
//! it reads, written again as a zip, must read back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telaudit_parse::{read_zip, write_zip, ZipLimits};

fuzz_target!(|data: &[u8]| {
    let limits = ZipLimits {
        member: 1 << 16,
        total: 1 << 18,
    };
    let Ok(members) = read_zip(data, limits) else {
        return;
    };
    let mut total = 0u64;
    let mut good: Vec<(&str, &[u8])> = Vec::new();
    for m in &members {
        assert!(!m.name.ends_with('/'), "a folder listed as a member");
        assert!(
            !m.name.chars().any(char::is_control),
            "control character in {:?}",
            m.name
        );
        match &m.content {
            Ok(bytes) => {
                assert!(bytes.len() as u64 <= limits.member);
                total += bytes.len() as u64;
                good.push((&m.name, bytes));
            }
            Err(why) => assert!(!why.is_empty()),
        }
    }
    assert!(total <= limits.total);
    for deflate in [false, true] {
        let again = write_zip(&good, deflate);
        let back = read_zip(&again, ZipLimits::default()).expect("a zip telaudit wrote");
        let back: Vec<(&str, &[u8])> = back
            .iter()
            .map(|m| {
                (
                    m.name.as_str(),
                    m.content.as_deref().expect("member of a written zip"),
                )
            })
            .collect();
        assert_eq!(back, good);
    }
});
