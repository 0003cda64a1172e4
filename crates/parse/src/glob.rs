//! The path patterns of client.toml `[[layouts]] path`, matched in time linear in the
//! path's length whatever the pattern (formats.md section 5).
//!
//! A pattern is compiled once by the `globset` crate into a regular expression that
//! the `regex` crate runs without backtracking; its length is bounded, so compiling
//! it is bounded too, and nothing recurses on the pattern or the path.

/// The longest `[[layouts]] path` accepted (bytes): far past any real folder path,
/// short enough that compiling it is quick.
pub const MAX_PATTERN_BYTES: usize = 1024;

/// A compiled `[[layouts]] path` pattern.
#[derive(Clone, Debug)]
pub struct PathGlob(globset::GlobMatcher);

impl PathGlob {
    /// Compiles `pattern`: `*` matches any characters within one path segment, `?` one
    /// character (not a byte) other than `/`, `**` as a whole segment any number of
    /// segments (`a/**/b` matches `a/b` and `a/x/y/b`, not `a/xb`), `[abc]` one of the
    /// characters, `{x,y}` either; case-sensitive, `/`-separated. Err: why it is not
    /// a pattern (too long, or malformed).
    pub fn new(pattern: &str) -> Result<PathGlob, String> {
        if pattern.len() > MAX_PATTERN_BYTES {
            return Err(format!(
                "path pattern is {} bytes long; at most {MAX_PATTERN_BYTES} are allowed",
                pattern.len()
            ));
        }
        globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map(|g| PathGlob(g.compile_matcher()))
            .map_err(|e| format!("{:?} is not a path pattern: {}", crate::text::show(pattern), e.kind()))
    }

    /// Whether `path` (relative to the client folder, `/`-separated) matches.
    pub fn is_match(&self, path: &str) -> bool {
        self.0.is_match(path)
    }
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
        let e = PathGlob::new("invoices/[a.txt").unwrap_err();
        assert!(e.contains("not a path pattern"), "{e}");
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
        assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    }
}
