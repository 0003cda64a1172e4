//! The caps of a layout set (issue 26): what a hostile or careless layout file
//! may cost before it is refused, naming the file (exit 2).
//!
//! A regular expression such as `\w{200}` compiles to megabytes (Unicode word
//! characters, two hundred times), and three hundred of them in a 14 KB layout
//! took 3.5 GB; four thousand `[[charges]]` entries made that many rows of
//! every record. Each regex is compiled with a size limit, and the compiled
//! sizes of all the regexes of the set (the built-in layouts and every
//! `--layouts` file together) are charged against one budget.

use regex::{Regex, RegexBuilder};
use std::cell::Cell;

/// The most one regular expression of a layout may compile to.
pub(crate) const PER_REGEX: usize = 1 << 20;

/// The most the regular expressions of a layout set may compile to together.
pub(crate) const PER_SET: usize = 32 << 20;

/// The most charges a layout makes of one record (its `[[charges]]` entries).
pub(crate) const MAX_CHARGES: usize = 64;

/// The lazy DFA cache each regex may grow (per thread that uses it).
const DFA_CACHE: usize = 256 << 10;

/// What is left of [`PER_SET`] while a layout set compiles.
pub(crate) struct Budget {
    left: Cell<usize>,
}

impl Budget {
    /// The whole budget of one layout set.
    pub(crate) fn new() -> Budget {
        Budget {
            left: Cell::new(PER_SET),
        }
    }

    /// How much of [`PER_SET`] is charged so far.
    #[cfg(test)]
    pub(crate) fn used(&self) -> usize {
        PER_SET - self.left.get()
    }

    /// Compiles `r`, charging the budget with a bound on its compiled size (the
    /// least of 16 KiB, 128 KiB and [`PER_REGEX`] it compiles within). Err: the
    /// reason, without the file (the caller names it).
    pub(crate) fn regex(&self, what: &str, r: &str) -> Result<Regex, String> {
        for limit in [16 << 10, 128 << 10, PER_REGEX] {
            let left = self.left.get();
            if limit > left {
                return Err(format!(
                    "{what}: regex {r:?} would take the layouts' regular expressions past {} MiB \
                     compiled (the cap across the built-in and --layouts files); use fewer or simpler \
                     patterns",
                    PER_SET >> 20
                ));
            }
            match RegexBuilder::new(r)
                .size_limit(limit)
                .dfa_size_limit(DFA_CACHE)
                .build()
            {
                Ok(re) => {
                    self.left.set(left - limit);
                    return Ok(re);
                }
                Err(regex::Error::CompiledTooBig(_)) => continue,
                Err(e) => return Err(format!("{what}: bad regex {r:?}: {e}")),
            }
        }
        Err(format!(
            "{what}: regex {r:?} compiles to more than {} MiB; a layout's patterns are small (such as \
             \"^Total\"): simplify it",
            PER_REGEX >> 20
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_layouts_take_a_small_part_of_the_budget() {
        let b = Budget::new();
        let reg = super::super::builtin_with(&b);
        assert!(reg.errors.is_empty(), "{:?}", reg.errors);
        eprintln!(
            "built-in layouts: {} KiB of {} MiB",
            b.used() >> 10,
            PER_SET >> 20
        );
        assert!(b.used() <= PER_SET / 8, "{} bytes", b.used());
    }

    #[test]
    fn a_large_regex_is_refused_and_small_ones_are_charged_16_kib() {
        let b = Budget::new();
        assert!(b.regex("skip", "^Total").unwrap().is_match("Total due"));
        assert_eq!(b.left.get(), PER_SET - (16 << 10));
        let e = b.regex("[[skip]]", r"\w{200}").unwrap_err();
        assert!(
            e.starts_with("[[skip]]: regex \"\\\\w{200}\" compiles to more than 1 MiB"),
            "{e}"
        );
        let e = b.regex("when", "(").unwrap_err();
        assert!(e.contains("bad regex"), "{e}");
        // The set's budget runs out: 32 MiB of 16 KiB regexes is 2,048 of them.
        let b = Budget::new();
        for i in 0..(PER_SET / (16 << 10)) {
            b.regex("x", &format!("^{i}$")).unwrap();
        }
        let e = b.regex("x", "^y$").unwrap_err();
        assert!(e.contains("past 32 MiB compiled"), "{e}");
    }
}
