//! End-to-end: control and bidi characters of the input are shown escaped
//! everywhere a person reads (issue 26, item 10): the terminal (audit, batch,
//! history, layouts), the batch log, report.md, report.html and the dispute
//! letters. ESC would start a terminal sequence, BEL ring, NUL cut a string,
//! and U+202E shows `gpj.exe` as `exe.jpg`.

mod common;

use common::*;
use std::fs;
use std::path::Path;

/// The characters that must never reach a reader raw.
const RAW: [char; 4] = ['\u{1b}', '\u{7}', '\u{0}', '\u{202E}'];

fn assert_clean(what: &str, text: &str) {
    for c in RAW {
        assert!(!text.contains(c), "{what} holds a raw {c:?}:\n{text}");
    }
}

/// A client whose name, service and description hold ESC, BEL, NUL and U+202E,
/// with a duplicate charge so that a dispute letter is written.
fn hostile(dir: &Path) {
    fs::create_dir_all(dir.join("invoices")).unwrap();
    fs::write(
        dir.join("client.toml"),
        "name = \"Evil\\u001b[2J\\u0007Co\\u0000rp \\u202Egpj.exe\"\n",
    )
    .unwrap();
    let row = "Verizon,A1,I1,2025-03-05,2025-03-01,2025-03-31,555\u{1b}]0;x\u{7},recurring,PLAN,\
               Plan \u{202E}gpj.exe,1,,40.00,,\n";
    fs::write(dir.join("invoices/a.csv"), format!("{HEADER}\n{row}{row}")).unwrap();
}

#[test]
fn control_and_bidi_characters_are_shown_escaped_everywhere_a_person_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let client = root.join("acme\u{1b}[31m\u{7}");
    hostile(&client);
    let out = tmp.path().join("out");
    let o = run_audit(&client, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let stdout = String::from_utf8(o.stdout.clone()).unwrap();
    assert_clean("audit stdout", &stdout);
    assert_clean("audit stderr", &stderr(&o));
    assert!(
        stdout.contains("acme\\x1B[31m\\x07 (Evil\\x1B[2J\\x07Co\\x00rp \\u{202E}gpj.exe)"),
        "{stdout}"
    );
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert_clean("report.md", &md);
    assert!(
        md.contains("Evil\\x1B\\[2J\\x07Co\\x00rp \\u{202E}gpj.exe"),
        "{md}"
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert_clean("report.html", &html);
    assert!(html.contains("Plan \\u{202E}gpj.exe"), "report.html");
    let letters: Vec<_> = file_paths(&out.join("disputes"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md" || e == "html"))
        .collect();
    assert_eq!(letters.len(), 2);
    for l in &letters {
        let text = fs::read_to_string(l).unwrap();
        assert_clean(&l.display().to_string(), &text);
        assert!(text.contains("\\u{202E}"), "{}", l.display());
    }

    // The batch log, its final screen and the history.
    let bout = tmp.path().join("batch");
    let o = run_batch(&root, &bout, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_clean("batch stdout", &String::from_utf8(o.stdout.clone()).unwrap());
    assert_clean("batch stderr", &stderr(&o));
    assert!(
        stderr(&o).contains("acme\\x1B[31m\\x07: audited"),
        "{}",
        stderr(&o)
    );
    let index = fs::read_to_string(bout.join("index.html")).unwrap();
    assert_clean("index.html", &index);
    for format in ["text", "csv"] {
        let o = run(&["history", bout.to_str().unwrap(), "--format", format]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let text = String::from_utf8(o.stdout).unwrap();
        assert_clean("history", &text);
        assert!(text.contains("acme\\x1B[31m\\x07"), "{text}");
    }

    // A layout's title.
    let layouts = tmp.path().join("layouts");
    fs::create_dir_all(&layouts).unwrap();
    fs::write(
        layouts.join("evil.toml"),
        "name = \"evil\"\ntitle = \"Evil\\u001b]0;pwned\\u0007 \\u202Eexport\"\nsignature = [\"A\"]\n\
         role = \"ignore\"\nnote = \"n\\u0000\"\n",
    )
    .unwrap();
    for args in [&["layouts"][..], &["layouts", "evil"][..]] {
        let mut a = args.to_vec();
        a.extend(["--layouts", layouts.to_str().unwrap()]);
        let o = run(&a);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let text = String::from_utf8(o.stdout).unwrap();
        assert_clean("layouts", &text);
        assert!(text.contains("Evil\\x1B]0;pwned\\x07 \\u{202E}export"), "{text}");
    }
}
