//! `telaudit layouts`: list the carrier layouts telaudit recognises.
//!
//! ```text
//! Usage: telaudit layouts [NAME] [--layouts DIR]
//!
//! Without NAME: one line per layout (name, delimiter, what it reads). With NAME:
//! that layout's header signature, the canonical fields it fills and its notes.
//! Layouts live in layouts/*.toml in the source tree, built into the binary;
//! --layouts DIR adds every *.toml in DIR (a layout named like a built-in one
//! replaces it).
//! ```

use super::{CliError, Outcome};
use std::path::{Path, PathBuf};
use telaudit_model::visible;
use telaudit_parse::{find_layout, layout_errors, layouts, Role};

/// List the carrier layouts (the carriers' own exports telaudit reads).
#[derive(clap::Args)]
pub struct Args {
    /// Show one layout in detail.
    pub name: Option<String>,
    /// A folder of layout files (*.toml) added to the built-in layouts.
    #[arg(long, value_name = "DIR")]
    pub layouts: Option<PathBuf>,
}

/// Adds the layouts of `--layouts DIR` (every `*.toml` in DIR, in file-name order)
/// to the built-in set: a layout named like a built-in one replaces it, a new name
/// is added. Returns a hash of the files read (names and contents) for the batch
/// fingerprint, or `None` without DIR (the built-in set is part of the version).
/// A folder that cannot be read, a `*.toml` that is not a regular file (a
/// folder, a named pipe, a device: never silently skipped) or larger than
/// [`MAX_LAYOUT_BYTES`], or a file that does not compile (or passes the caps of
/// a layout set: the regexes' compiled size, the charges of a record) is exit 2.
pub fn load(dir: Option<&Path>) -> Result<Option<u128>, CliError> {
    let Some(dir) = dir else { return Ok(None) };
    let bad = |m: String| CliError::Config(format!("cannot load layouts from {}: {m}", dir.display()));
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| bad(e.to_string()))? {
        let path = entry.map_err(|e| bad(e.to_string()))?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            // Links are followed: a link to a layout file is a layout file.
            let meta = std::fs::metadata(&path).map_err(|e| bad(format!("{}: {e}", path.display())))?;
            if !meta.is_file() {
                return Err(bad(format!(
                    "{}: not a regular file (a folder, a named pipe or a device); a layout is a .toml \
                     file: move it out of the folder or rename it",
                    path.display()
                )));
            }
            if meta.len() > MAX_LAYOUT_BYTES {
                return Err(bad(format!(
                    "{}: {} bytes; a layout file is at most {} KiB",
                    path.display(),
                    meta.len(),
                    MAX_LAYOUT_BYTES >> 10
                )));
            }
            paths.push(path);
        }
    }
    paths.sort();
    let mut files = Vec::new();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(b"telaudit-layouts/1\0");
    for p in paths {
        let text = std::fs::read_to_string(&p).map_err(|e| bad(format!("{}: {e}", p.display())))?;
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        h.update(name.as_bytes());
        h.update(&[0]);
        h.update(&(text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
        files.push((p.display().to_string(), text));
    }
    telaudit_parse::add_layouts(&files).map_err(|e| CliError::Config(format!("bad layout file {e}")))?;
    Ok(Some(h.digest128()))
}

/// The largest layout file read (the shipped ones are a few KiB).
const MAX_LAYOUT_BYTES: u64 = 256 << 10;

pub fn run(args: Args) -> Result<Outcome, CliError> {
    load(args.layouts.as_deref())?;
    for e in layout_errors() {
        eprintln!("warning: layout not usable: {}", telaudit_model::visible_lines(e));
    }
    let Some(name) = args.name else {
        let width = layouts().iter().map(|l| l.name.len()).max().unwrap_or(0);
        for l in layouts() {
            let role = match l.role {
                Role::Charges => "",
                Role::Ignore => " (recognised, no charges)",
                Role::Totals => " (stated totals only, no charges)",
                Role::Usage => " (call detail, read for usage, no charges)",
            };
            println!(
                "{:width$}  {:5}  {}{role}",
                visible(&l.name),
                l.delimiter_name(),
                visible(&l.title)
            );
        }
        return Ok(Outcome::Clean);
    };
    let l = find_layout(&name).ok_or_else(|| {
        let names: Vec<&str> = layouts().iter().map(|l| l.name.as_str()).collect();
        CliError::Config(format!(
            "unknown layout {name:?}; known layouts: {}",
            names.join(", ")
        ))
    })?;
    println!("{}: {}", visible(&l.name), visible(&l.title));
    println!("file:       {}", l.file);
    println!("delimiter:  {}", l.delimiter_name());
    println!("signature:  {}", visible(&l.signature.join(" | ")));
    if let Some(p) = l.preamble_description() {
        println!("preamble:   {p}");
    }
    match l.role {
        Role::Charges => println!("fills:      {}", l.carries().join(", ")),
        Role::Ignore | Role::Totals => println!("no charges: {}", visible(&l.note)),
        Role::Usage => println!(
            "usage:      {} (usage rows of amount 0, no charges)",
            l.usage_kinds().join(", ")
        ),
    }
    if let Some(side) = &l.side {
        println!(
            "header:     its data files ({}) have no header line: the column names are in the {} beside them",
            visible(&side.data),
            visible(&side.header)
        );
    }
    if !l.states().is_empty() {
        println!("states:     {} (checked by BAL002)", l.states().join(", "));
    }
    if let Some(by) = &l.superseded_by {
        println!("superseded: its rows are dropped for an account and invoice that a {by} file also bills");
    }
    Ok(Outcome::Clean)
}
