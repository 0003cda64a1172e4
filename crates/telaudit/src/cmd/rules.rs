//! `telaudit rules`: list the rules an audit would apply, with their texts.
//!
//! ```text
//! Usage: telaudit rules [--rules DIR]
//!
//! Prints each rule's id, kind, severity and title, then what it finds and why
//! it costs money. Without --rules, the default set (the repository's rules/
//! folder, built into the binary).
//! ```

use super::{CliError, Outcome};
use std::path::PathBuf;

/// List the rules with what each finds and why it costs money.
#[derive(clap::Args)]
pub struct Args {
    /// A folder of rule files (*.toml) that replaces the default set.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<Outcome, CliError> {
    let set = load(args.rules.as_deref())?;
    let mut out = String::new();
    for r in set.rules() {
        out.push_str(&format!("{}  {}  [{}, {}]\n", r.id, r.title, r.kind, r.severity));
        out.push_str(&format!("    finds: {}\n", r.finds.trim()));
        out.push_str(&format!("    why:   {}\n\n", r.why.trim()));
    }
    print!("{out}");
    Ok(Outcome::Clean)
}

/// The rule set of `--rules DIR`, or the defaults.
pub fn load(dir: Option<&std::path::Path>) -> Result<telaudit_rules::RuleSet, CliError> {
    match dir {
        None => Ok(telaudit_rules::RuleSet::defaults()),
        Some(d) => telaudit_rules::RuleSet::load_dir(d)
            .map_err(|e| CliError::Config(format!("cannot load rules from {}: {e}", d.display()))),
    }
}
