//! The path patterns of client.toml `[[layouts]] path`, matched in time linear in the
//! path's length whatever the pattern (formats.md section 5).
//!
//! A pattern is translated once into a regular expression that the `regex` crate
//! runs without backtracking (its matching time is at most proportional to the
//! pattern's size times the path's length); the pattern's length is bounded, so
//! compiling it is bounded too, and nothing recurses on the pattern or the path.

/// The longest `[[layouts]] path` accepted (bytes): far past any real folder path,
/// short enough that compiling and matching it stay quick.
pub const MAX_PATTERN_BYTES: usize = 1024;

/// A compiled `[[layouts]] path` pattern.
#[derive(Clone, Debug)]
pub struct PathGlob(regex::Regex);

impl PathGlob {
    /// Compiles `pattern`: `*` matches any characters within one path segment, `?`
    /// one character (not a byte) other than `/`, `**` as a whole segment any number
    /// of segments (`a/**/b` matches `a/b` and `a/x/y/b`, not `a/xb`; `**` inside a
    /// segment is `*`); every other character is itself. Case-sensitive,
    /// `/`-separated. Err: the pattern is too long.
    pub fn new(pattern: &str) -> Result<PathGlob, String> {
        if pattern.len() > MAX_PATTERN_BYTES {
            return Err(format!(
                "path pattern is {} bytes long; at most {MAX_PATTERN_BYTES} are allowed",
                pattern.len()
            ));
        }
        regex::RegexBuilder::new(&to_regex(pattern))
            .size_limit(64 << 20)
            .build()
            .map(PathGlob)
            .map_err(|e| {
                format!(
                    "{} is too complex a path pattern ({e})",
                    crate::text::show(pattern)
                )
            })
    }

    /// Whether `path` (relative to the client folder, `/`-separated) matches.
    pub fn is_match(&self, path: &str) -> bool {
        self.0.is_match(path)
    }
}

/// The anchored regular expression of a glob, built segment by segment.
fn to_regex(pattern: &str) -> String {
    let segments: Vec<&str> = pattern.split('/').collect();
    let last = segments.len() - 1;
    // `(?s)`: a final `**` matches any character, a line break too.
    let mut re = String::from("(?s)^");
    for (i, seg) in segments.iter().enumerate() {
        if *seg == "**" {
            // Any number of whole segments, this one's `/` included.
            re.push_str(if i == last { ".*" } else { "(?:[^/]*/)*" });
            continue;
        }
        for c in seg.chars() {
            match c {
                '*' => re.push_str("[^/]*"),
                '?' => re.push_str("[^/]"),
                c => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
            }
        }
        if i != last {
            re.push('/');
        }
    }
    re.push('$');
    re
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn m(p: &str, s: &str) -> bool {
        PathGlob::new(p).unwrap().is_match(s)
    }

    #[test]
    fn semantics() {
        assert!(m("invoices/att/*.txt", "invoices/att/a.txt"));
        assert!(!m("invoices/att/*.txt", "invoices/att/x/a.txt"));
        assert!(m("invoices/**/b.txt", "invoices/b.txt"));
        assert!(m("invoices/**/b.txt", "invoices/x/y/b.txt"));
        assert!(!m("invoices/**/b.txt", "invoices/xb.txt"));
        assert!(m("invoices/**", "invoices/x/y/b.txt"));
        assert!(m("**/*.txt", "invoices/a.txt"));
        // `?` is one character, not one byte.
        assert!(m("invoices/caf?.txt", "invoices/café.txt"));
        assert!(!m("invoices/caf?.txt", "invoices/caf/.txt"));
        assert!(!m("invoices/a?.txt", "invoices/a.txt"));
        // Archive members are named `invoices/x.zip!member`.
        assert!(m("invoices/*.rdd!*Usage*.txt", "invoices/v.rdd!Acct_Usage.txt"));
        assert!(!m("invoices/*.TXT", "invoices/a.txt"), "case-sensitive");
    }

    #[test]
    fn refuses_what_is_not_a_pattern() {
        let e = PathGlob::new(&"**".repeat(60_000)).unwrap_err();
        assert!(e.contains("120000 bytes"), "{e}");
        // Brackets and braces are literal characters.
        assert!(PathGlob::new("invoices/[a.txt")
            .unwrap()
            .is_match("invoices/[a.txt"));
        assert!(m("invoices/{a,b}.txt", "invoices/{a,b}.txt"));
        assert!(m("invoices/a**b/*.txt", "invoices/axyb/c.txt"));
        assert!(!m("invoices/a**b/*.txt", "invoices/ax/yb/c.txt"));
        assert!(m("**", "invoices/x/y"));
        assert!(m("invoices/**", "invoices/a\nb/c"));
        assert!(m("invoices/?", "invoices/\n"));
        assert!(m("invoices/**/**/b.txt", "invoices/b.txt"));
        assert!(PathGlob::new(&"*".repeat(MAX_PATTERN_BYTES)).is_ok());
    }

    /// Patterns and paths far past the ones that made a backtracking matcher hang
    /// (8 stars on a long name, `**/` five times, 400 underscores): each match is
    /// quick, whatever the number of stars.
    #[test]
    fn linear_on_hostile_patterns() {
        let long_name = format!("invoices/{}", "_".repeat(65_536));
        let deep = format!("invoices/{}x.txt", "a/".repeat(20_000));
        let stars = format!("invoices/{}.csv", "*_".repeat(500));
        let recursive = format!("invoices/{}*.csv", "**/".repeat(300));
        let questions = format!("invoices/{}x", "?".repeat(1000));
        let started = Instant::now();
        for (p, s, want) in [
            (stars.as_str(), long_name.as_str(), false),
            (recursive.as_str(), deep.as_str(), false),
            ("invoices/**/*_*_*_*.csv", long_name.as_str(), false),
            (questions.as_str(), long_name.as_str(), false),
            (&"*".repeat(1000), long_name.as_str(), false),
            (recursive.as_str(), "invoices/a/b.csv", true),
        ] {
            assert_eq!(m(p, s), want, "{}", &p[..40.min(p.len())]);
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }
}
