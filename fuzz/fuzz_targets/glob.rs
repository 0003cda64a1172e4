//! Feeds arbitrary (pattern, path) pairs to the client.toml `[[layouts]] path`
//! matcher: it must never panic, and for short inputs it must agree with a plain
//! reference matcher written from the documented rules (formats.md section 5).
//! Long inputs are matched too (only "no panic, no hang" is checked): libFuzzer's
//! per-input timeout catches a matcher that is not linear.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telaudit_parse::glob::PathGlob;

/// One pattern element of the reference matcher.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Tok {
    Lit(char),
    /// `*`: any characters but `/`.
    Star,
    /// `?`: one character but `/`.
    One,
    /// A whole `**/` segment: any number of whole segments, each with its `/`.
    Segments,
    /// A final whole `**` segment: anything.
    Rest,
}

fn tokens(pattern: &str) -> Vec<Tok> {
    let segs: Vec<&str> = pattern.split('/').collect();
    let mut out = Vec::new();
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        if *seg == "**" {
            out.push(if last { Tok::Rest } else { Tok::Segments });
            continue;
        }
        for c in seg.chars() {
            out.push(match c {
                '*' => Tok::Star,
                '?' => Tok::One,
                c => Tok::Lit(c),
            });
        }
        if !last {
            out.push(Tok::Lit('/'));
        }
    }
    out
}

/// The reference: dynamic programming over (token, character), no cleverness.
fn reference(pattern: &str, path: &str) -> bool {
    let t = tokens(pattern);
    let s: Vec<char> = path.chars().collect();
    // can[i][j]: tokens i.. match characters j..
    let mut can = vec![vec![false; s.len() + 1]; t.len() + 1];
    can[t.len()][s.len()] = true;
    for i in (0..t.len()).rev() {
        for j in (0..=s.len()).rev() {
            can[i][j] = match t[i] {
                Tok::Lit(c) => j < s.len() && s[j] == c && can[i + 1][j + 1],
                Tok::One => j < s.len() && s[j] != '/' && can[i + 1][j + 1],
                Tok::Star => can[i + 1][j] || (j < s.len() && s[j] != '/' && can[i][j + 1]),
                Tok::Rest => true,
                Tok::Segments => {
                    // Zero segments, or one segment (no `/` inside, then `/`) and again.
                    can[i + 1][j] || (j..s.len()).find(|&k| s[k] == '/').is_some_and(|k| can[i][k + 1])
                }
            };
        }
    }
    can[0][0]
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (pattern, path) = text.split_once('\n').unwrap_or((&text, ""));
    let Ok(glob) = PathGlob::new(pattern) else {
        assert!(pattern.len() > telaudit_parse::glob::MAX_PATTERN_BYTES);
        return;
    };
    let got = glob.is_match(path);
    if pattern.chars().count() <= 64 && path.chars().count() <= 256 {
        assert_eq!(got, reference(pattern, path), "{pattern:?} on {path:?}");
    }
    // A pattern without wildcards matches itself.
    if !pattern.contains(['*', '?']) {
        assert!(glob.is_match(pattern), "{pattern:?} on itself");
    }
});
