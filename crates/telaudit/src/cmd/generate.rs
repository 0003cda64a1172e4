//! `telaudit generate`: write a synthetic client folder with planted waste.
//!
//! ```text
//! Usage: telaudit generate <OUT_DIR> [--services N] [--seed S] [--months M] [--accounts-per-carrier K] [--rogers] [--tax-every-line]
//!        telaudit generate <OUT_DIR> --small-accounts N [--seed S]
//!
//! Writes a client folder in the canonical layout (invoices/, inventory.csv,
//! contracts.csv, plans.csv, utilization.csv, claims.csv, client.toml): several
//! carriers and accounts, wireless lines with usage, wireline lines and
//! circuits, with waste of every default kind planted, look-alikes that must
//! not be found, and a ledger of filed claims with the carriers' later credits
//! covering every case of docs/recovery.md. Same seed, same bytes.
//! --rogers also bills Rogers lines, written as Rogers delivers them (the Custom
//! charges report and call detail with its header files).
//! --tax-every-line bills every service one or two exempt taxes every month
//! (with --accounts-per-carrier 1 and 20,000 services: about 300,000 disputed
//! lines). --small-accounts N writes instead N accounts of one carrier, one
//! line each billed its plan and an exempt tax for one month (N dispute letters).
//! ```

use super::{CliError, Outcome};
use std::path::PathBuf;

/// Write a synthetic client bill dump (for demos, tests and benchmarks).
#[derive(clap::Args)]
pub struct Args {
    /// The client folder to create; its name becomes the client id.
    pub out_dir: PathBuf,
    /// How many services (lines and circuits) to bill; about 70 rows each (with 4
    /// months or more, the 18 lines of four pooled accounts come on top).
    #[arg(long, default_value_t = 300)]
    pub services: usize,
    /// The random seed: the same seed writes the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How many monthly periods to bill.
    #[arg(long, default_value_t = 12)]
    pub months: u32,
    /// Accounts per carrier (default: one per 150 of its services, at least 2
    /// or 3); 1 with many services makes few large invoice files.
    #[arg(long)]
    pub accounts_per_carrier: Option<usize>,
    /// Also bill Rogers lines (one per 10 services, at least 8), written as Rogers
    /// delivers them: the Custom charges report and call detail (GPRS, SMS, Voice,
    /// roaming Voice) with its header files. Without it the output does not change.
    #[arg(long)]
    pub rogers: bool,
    /// Bill every service one or two taxes the client is exempt from, every month
    /// (TAX001 then disputes every line). Without it the output does not change.
    #[arg(long)]
    pub tax_every_line: bool,
    /// Write a client of N accounts of one carrier instead, each one line billed its
    /// plan and an exempt tax for one month (two rows, one invoice file per account).
    #[arg(long, value_name = "N", conflicts_with_all = ["services", "months", "accounts_per_carrier", "rogers", "tax_every_line"])]
    pub small_accounts: Option<usize>,
}

pub fn run(args: Args) -> Result<Outcome, CliError> {
    if args.services == 0 {
        return Err(CliError::Config("--services must be at least 1".into()));
    }
    if args.accounts_per_carrier == Some(0) {
        return Err(CliError::Config(
            "--accounts-per-carrier must be at least 1".into(),
        ));
    }
    if args.small_accounts == Some(0) {
        return Err(CliError::Config("--small-accounts must be at least 1".into()));
    }
    if args.months == 0 || args.months > 120 {
        return Err(CliError::Config("--months must be between 1 and 120".into()));
    }
    let opts = telaudit_generate::GenOptions {
        services: args.services,
        seed: args.seed,
        months: args.months,
        accounts_per_carrier: args.accounts_per_carrier,
        rogers: args.rogers,
        tax_every_line: args.tax_every_line,
        small_accounts: args.small_accounts,
        ..telaudit_generate::GenOptions::default()
    };
    let summary = telaudit_generate::generate(&args.out_dir, &opts)
        .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", args.out_dir.display())))?;
    eprintln!(
        "wrote {}: {} services, {} charge rows in {} files",
        args.out_dir.display(),
        summary.services,
        summary.rows,
        summary.files
    );
    Ok(Outcome::Clean)
}
