//! Feeds arbitrary bytes to the X12 811 reader: it must never panic, and what it
//! returns must hold together (rows point into the file, unbalanced ranges into rows).
#![no_main]

use libfuzzer_sys::fuzz_target;
use telaudit_model::FileId;
use telaudit_parse::{read_edi, write_canonical_csv};

fuzz_target!(|data: &[u8]| {
    let p = read_edi(data, FileId(1), "fuzz.edi");
    for r in &p.rows {
        assert_eq!(r.source.file, FileId(1));
        assert!(r.source.pos >= 1);
        assert!(r.period_start <= r.period_end);
    }
    for u in &p.unbalanced {
        assert!(u.rows.start <= u.rows.end && u.rows.end as usize <= p.rows.len());
        assert_ne!(u.stated, u.computed);
    }
    let mut out = Vec::new();
    write_canonical_csv(&mut out, &p, "fuzz.csv").unwrap();
});
