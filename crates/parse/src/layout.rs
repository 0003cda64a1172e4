//! Carrier layouts: the carriers' own exports (Verizon Raw Data Download, AT&T
//! Premier rawdataoutput, Bell's bilingual CSV ...) read as data, one TOML file per
//! layout in `layouts/` at the repository top, embedded at compile time by
//! `build.rs` (adding a layout needs no Rust). A file's layout is found from its
//! header: every name in the layout's `signature` must be there. A data file
//! without a header line takes its column names from a header file beside it
//! (`header_file`, layout/side.rs); call detail is read for usage (`role =
//! "usage"`, layout/usage.rs).

mod budget;
mod preamble;
mod read;
mod side;
mod spec;
mod stated;
mod usage;
mod values;

pub use read::{read_layout, read_layout_with, HeaderInput};
pub use side::SideFiles;
pub use spec::{Layout, Role};

use std::sync::OnceLock;

// The embedded layout files: `static EMBEDDED_LAYOUTS: &[(&str, &str)]`, (path, text).
include!(concat!(env!("OUT_DIR"), "/layouts.rs"));

struct Registry {
    layouts: Vec<Layout>,
    errors: Vec<String>,
}

static REG: OnceLock<Registry> = OnceLock::new();

fn builtin() -> Registry {
    builtin_with(&budget::Budget::new())
}

/// The built-in layouts, their regexes charged to `budget`.
fn builtin_with(budget: &budget::Budget) -> Registry {
    let mut layouts = Vec::new();
    let mut errors = Vec::new();
    for (file, text) in EMBEDDED_LAYOUTS {
        match spec::compile_with(file, text, budget) {
            Ok(l) => layouts.push(l),
            Err(e) => errors.push(e),
        }
    }
    Registry { layouts, errors }
}

fn registry() -> &'static Registry {
    REG.get_or_init(builtin)
}

/// Adds layout files to the built-in set for the rest of the process (`--layouts
/// DIR`): `files` are (name for errors, TOML text), in the order given. A layout
/// whose `name` is a built-in one replaces it in place; a new name is appended.
/// Every file must compile: the first error (naming the file and the key) is
/// returned and nothing changes. The regexes of the whole set (built-in and
/// added) compile within one budget, and a layout makes at most 64 charges of
/// a record ([`budget`]). Must be called before the first bill is read;
/// an error says so when the set is already in use.
pub fn add_layouts(files: &[(String, String)]) -> Result<(), String> {
    // One budget for the whole set: the built-in layouts and every file added.
    let budget = budget::Budget::new();
    let mut reg = builtin_with(&budget);
    let mut added: Vec<(String, &str)> = Vec::new();
    for (file, text) in files {
        let l = spec::compile_with(file, text, &budget)?;
        if let Some((_, first)) = added.iter().find(|(n, _)| *n == l.name) {
            return Err(format!("{file}: name {:?}: {first} has the same name", l.name));
        }
        added.push((l.name.clone(), file));
        match reg.layouts.iter_mut().find(|b| b.name == l.name) {
            Some(b) => *b = l,
            None => reg.layouts.push(l),
        }
    }
    REG.set(reg)
        .map_err(|_| "the layout set is already in use; add layouts before reading any bill".to_string())
}

/// Compiles layout files as one set, against a fresh budget (the caps of
/// [`add_layouts`]: the regexes' compiled size across the set, the charges of a
/// record), without adding them to the process's set: for `telaudit layouts`'
/// checks and the fuzz target `layout_set`. Err: the first refusal, naming its
/// file.
pub fn compile_layout_set(files: &[(String, String)]) -> Result<Vec<Layout>, String> {
    let budget = budget::Budget::new();
    files
        .iter()
        .map(|(file, text)| spec::compile_with(file, text, &budget))
        .collect()
}

/// The shipped layouts, in file-name order.
pub fn layouts() -> &'static [Layout] {
    &registry().layouts
}

/// Layout files that did not compile (a test keeps this empty).
pub fn layout_errors() -> &'static [String] {
    &registry().errors
}

/// The layout of this name.
pub fn find_layout(name: &str) -> Option<&'static Layout> {
    layouts().iter().find(|l| l.name == name)
}

/// The index in [`layouts`] of the layout named `name`.
pub(crate) fn layout_index(name: &str) -> Option<usize> {
    layouts().iter().position(|l| l.name == name)
}

/// A line's cells as the recogniser sees them: split on the delimiter, trimmed,
/// surrounding quotes removed.
fn split_names(layout: &Layout, line: &str) -> Vec<String> {
    line.trim_end_matches('\r')
        .split(layout.delimiter as char)
        .map(|f| {
            let f = f.trim();
            f.strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .unwrap_or(f)
                .trim()
                .to_string()
        })
        .collect()
}

/// The header names a layout would see on its header line of `text` (with a
/// `[preamble]`: the first line of its first lines that carries the signature).
fn header_names(layout: &Layout, text: &str) -> Vec<String> {
    if let Some(p) = &layout.preamble {
        let split = |l: &str| split_names(layout, l);
        return match preamble::search(p, &layout.signature, text, &split) {
            preamble::Search::Found(names) => names,
            _ => Vec::new(),
        };
    }
    let line = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .nth(layout.header_line - 1);
    line.map(|l| split_names(layout, l)).unwrap_or_default()
}

/// The signature columns of `layout` missing from `text`'s header.
fn missing<'a>(layout: &'a Layout, text: &str) -> Vec<&'a str> {
    let names = header_names(layout, text);
    layout
        .signature
        .iter()
        .filter(|s| !names.iter().any(|n| n.eq_ignore_ascii_case(s)))
        .map(String::as_str)
        .collect()
}

/// The layout whose signature `text`'s header carries; the one with the longest
/// signature when several do. When none does, a layout whose `[preamble]` marker
/// (a report title) is in `text` though no header follows: its reader says what
/// is missing, naming the line, rather than the file going unrecognised.
pub(crate) fn recognise(text: &str) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, l) in layouts().iter().enumerate() {
        // A data file without a header line is recognised by its header file.
        if l.side.is_some() {
            continue;
        }
        if missing(l, text).is_empty() && best.is_none_or(|(_, n)| l.signature.len() > n) {
            best = Some((i, l.signature.len()));
        }
    }
    best.map(|(i, _)| i).or_else(|| {
        layouts().iter().position(|l| {
            l.side.is_none()
                && l.preamble.as_ref().is_some_and(|p| {
                    let split = |line: &str| split_names(l, line);
                    matches!(
                        preamble::search(p, &l.signature, text, &split),
                        preamble::Search::MarkerOnly
                    )
                })
        })
    })
}

/// The layout of a data file whose header file (`header_file`) is `header`
/// (its text): the one among the layouts whose `data_file` pattern `data_name`
/// matches and whose header file pattern `header_name` matches, whose signature
/// the header file's columns carry and whose `[preamble]` marker (if any) a title
/// line matches; the longest signature wins. Err: why none does.
pub(crate) fn recognise_side(data_name: &str, header_name: &str, header: &str) -> Result<usize, String> {
    let h = side::parse_header(header).map_err(|(line, why)| format!("line {line} {why}"))?;
    let mut best: Option<(usize, usize)> = None;
    let mut near: Vec<String> = Vec::new();
    for (i, l) in layouts().iter().enumerate() {
        let Some(side) = &l.side else { continue };
        if side.data_stem(data_name).is_none() || side.header_stem(header_name).is_none() {
            continue;
        }
        let marker = l.preamble.as_ref().and_then(|p| p.marker.as_ref());
        let titled = marker.is_none_or(|m| h.title.iter().any(|(t, _)| m.is_match(t)));
        let lacks: Vec<&str> = l
            .signature
            .iter()
            .filter(|s| !h.names.iter().any(|n| n.eq_ignore_ascii_case(s)))
            .map(String::as_str)
            .collect();
        if titled && lacks.is_empty() {
            if best.is_none_or(|(_, n)| l.signature.len() > n) {
                best = Some((i, l.signature.len()));
            }
        } else if titled {
            near.push(format!("{} (missing {})", l.name, lacks.join(", ")));
        }
    }
    match best {
        Some((i, _)) => Ok(i),
        None if near.is_empty() => {
            Err("no layout for such files knows its title (`telaudit layouts` lists them)".into())
        }
        None => Err(format!("its columns are not those of {}", near.join("; "))),
    }
}

/// The layouts whose data files (`data_file`) a file named `name` is, in order:
/// a call-detail export that needs a header file beside it.
pub(crate) fn side_layouts_of(name: &str) -> impl Iterator<Item = &'static Layout> + '_ {
    layouts()
        .iter()
        .filter(move |l| l.side.as_ref().is_some_and(|s| s.data_stem(name).is_some()))
}

/// The header files beside `path` (in its folder, by name) when `path` is a data
/// file of a layout that takes its column names from one (`header_file`): what
/// `telaudit convert` reads with it. Empty otherwise.
pub fn header_files_beside(path: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    if is_header_file(name) || side_layouts_of(name).next().is_none() {
        return Vec::new();
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<std::path::PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| e.file_name().to_str().is_some_and(is_header_file))
        .map(|e| {
            path.parent()
                .map_or_else(|| e.file_name().into(), |p| p.join(e.file_name()))
        })
        .collect();
    out.sort();
    out
}

/// Whether `bytes` read as a header file (a title, then `name,width,type` lines).
pub(crate) fn is_header_text(bytes: &[u8]) -> bool {
    side::parse_header(&crate::text::decode_text(bytes).0).is_ok()
}

/// Whether a file named `name` is a header file of some layout (`header_file`).
pub(crate) fn is_header_file(name: &str) -> bool {
    layouts()
        .iter()
        .any(|l| l.side.as_ref().is_some_and(|s| s.header_stem(name).is_some()))
}

/// For a file no layout recognises: the closest layouts (most signature columns
/// present) and what each misses, for the refusal message.
pub(crate) fn closest(text: &str) -> String {
    let mut scored: Vec<(usize, &Layout, Vec<&str>)> = layouts()
        .iter()
        .filter(|l| l.side.is_none())
        .map(|l| {
            let m = missing(l, text);
            (l.signature.len() - m.len(), l, m)
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    let parts: Vec<String> = scored
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .take(3)
        .map(|(_, l, m)| format!("{} (missing {})", l.name, m.join(", ")))
        .collect();
    if parts.is_empty() {
        return "its header shares no signature column with any carrier layout (`telaudit layouts` lists them)"
            .to_string();
    }
    format!("closest carrier layouts: {}", parts.join("; "))
}

/// The value parsers of carrier layouts (amounts, dates, bill periods), public for
/// the fuzz target `layout_values` (fuzz/README.md); the readers reach them
/// through [`read_layout`].
pub mod layout_values {
    use super::values::{parse_date, parse_number, parse_period, DatePattern, NumberFormat};
    use telaudit_model::{Date, Micros};

    /// An amount in US (`1,234.56`) or, with `eu`, European (`1.234,56`) writing.
    /// Ok(None): the cell holds no value.
    pub fn number(raw: &str, eu: bool) -> Result<Option<Micros>, String> {
        parse_number(raw, if eu { NumberFormat::Eu } else { NumberFormat::Us })
    }

    /// Compiles date patterns (`YYYY`, `YY`, `MM`, `Mon`, `DD` and separators);
    /// Err: the first that is not one.
    fn compile(patterns: &[&str]) -> Result<Vec<DatePattern>, String> {
        patterns.iter().map(|p| DatePattern::new(p)).collect()
    }

    /// A full date in one of `patterns`. Ok(None): the cell holds no value.
    pub fn date(raw: &str, patterns: &[&str]) -> Result<Option<Date>, String> {
        parse_date(raw, &compile(patterns)?)
    }

    /// A bill period (`Jul 17 - Aug 16`), sides without a year placed by `bill`.
    pub fn period(raw: &str, patterns: &[&str], bill: Option<Date>) -> Result<Option<(Date, Date)>, String> {
        parse_period(raw, &compile(patterns)?, bill)
    }
}
