//! `telaudit layouts`: list the carrier layouts telaudit recognises.
//!
//! ```text
//! Usage: telaudit layouts [NAME]
//!
//! Without NAME: one line per layout (name, delimiter, what it reads). With NAME:
//! that layout's header signature, the canonical fields it fills and its notes.
//! Layouts live in layouts/*.toml in the source tree, built into the binary.
//! ```

use super::{CliError, Outcome};
use telaudit_parse::{find_layout, layout_errors, layouts, Role};

/// List the carrier layouts (the carriers' own exports telaudit reads).
#[derive(clap::Args)]
pub struct Args {
    /// Show one layout in detail.
    pub name: Option<String>,
}

pub fn run(args: Args) -> Result<Outcome, CliError> {
    for e in layout_errors() {
        eprintln!("warning: layout not usable: {e}");
    }
    let Some(name) = args.name else {
        let width = layouts().iter().map(|l| l.name.len()).max().unwrap_or(0);
        for l in layouts() {
            let role = match l.role {
                Role::Charges => "",
                Role::Ignore => " (recognised, no charges)",
            };
            println!("{:width$}  {:5}  {}{role}", l.name, l.delimiter_name(), l.title);
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
    println!("{}: {}", l.name, l.title);
    println!("file:       {}", l.file);
    println!("delimiter:  {}", l.delimiter_name());
    println!("signature:  {}", l.signature.join(" | "));
    match l.role {
        Role::Charges => println!("fills:      {}", l.carries().join(", ")),
        Role::Ignore => println!("no charges: {}", l.note),
    }
    if let Some(by) = &l.superseded_by {
        println!("superseded: its rows are dropped for an account and invoice that a {by} file also bills");
    }
    Ok(Outcome::Clean)
}
