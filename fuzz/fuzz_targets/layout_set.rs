//! Feeds arbitrary text as a set of `--layouts` files (issue 26): the input is
//! cut at each line `%%` into up to 8 layout files, compiled as one set, and
//! the last part is read as an export through every layout accepted. Nothing
//! may panic or exhaust memory; a refusal names its file; an accepted layout
//! makes at most 64 charges of a record; the rows read point at lines that
//! exist and make at most 64 charges per line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telaudit_model::{FileId, Position};
use telaudit_parse::{compile_layout_set, read_layout};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts: Vec<&str> = text.split("\n%%\n").collect();
    let export = if parts.len() > 1 {
        parts.pop().unwrap_or("")
    } else {
        ""
    };
    let files: Vec<(String, String)> = parts
        .iter()
        .take(8)
        .enumerate()
        .map(|(i, t)| (format!("layouts/f{i}.toml"), t.to_string()))
        .collect();
    match compile_layout_set(&files) {
        Err(e) => assert!(e.starts_with("layouts/f"), "a refusal names its file: {e}"),
        Ok(set) => {
            // At most one line per line break, CR alone included.
            let lines = export.bytes().filter(|&b| b == b'\n' || b == b'\r').count() as u64 + 1;
            for l in &set {
                let p = read_layout(l, export.as_bytes(), FileId(0), "invoices/x.csv");
                let mut per_line = std::collections::HashMap::new();
                for r in &p.rows {
                    let line = u64::from(r.source.pos);
                    assert!(line >= 1 && line <= lines + 1, "row on line {line} of {lines}");
                    let n = per_line.entry(line).or_insert(0usize);
                    *n += 1;
                    assert!(*n <= 64, "more than 64 charges of line {line}");
                    assert!(r.period_start <= r.period_end);
                }
                for j in &p.rejected {
                    if let Position::Line(n) = j.position {
                        assert!(n >= 1 && n <= lines + 1, "refusal on line {n} of {lines}");
                    }
                }
            }
        }
    }
});
