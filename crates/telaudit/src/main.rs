//! The `telaudit` command line: a thin layer over the workspace's crates.
//!
//! Each subcommand lives in its own file under `cmd/`, with its usage at the top.
//! Exit status (formats.md section 11): 0 the audit ran; 1 some input was refused
//! or a client failed; 2 bad command line or configuration.

mod batch;
mod cmd;
mod history;
mod pipeline;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Audits telecom bills: finds duplicate charges, unused lines, missing contract
/// credits, billing after disconnect, rates above contract, taxes on tax-exempt
/// clients and late fees, and totals the money a dispute can recover.
#[derive(Parser)]
#[command(name = "telaudit", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Audit(cmd::audit::Args),
    Rules(cmd::rules::Args),
    Generate(cmd::generate::Args),
    Convert(cmd::convert::Args),
    Layouts(cmd::layouts::Args),
    Batch(cmd::batch::Args),
    MergeSummaries(cmd::merge_summaries::Args),
    History(cmd::history::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are not errors.
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Audit(a) => cmd::audit::run(a),
        Command::Rules(a) => cmd::rules::run(a),
        Command::Generate(a) => cmd::generate::run(a),
        Command::Convert(a) => cmd::convert::run(a),
        Command::Layouts(a) => cmd::layouts::run(a),
        Command::Batch(a) => cmd::batch::run(a),
        Command::MergeSummaries(a) => cmd::merge_summaries::run(a),
        Command::History(a) => cmd::history::run(a),
    };
    match result {
        Ok(code) => code.into(),
        Err(e) => {
            // Control and bidi characters of the input are shown, never obeyed.
            eprintln!("telaudit: {}", telaudit_model::visible_lines(&e.to_string()));
            e.exit_code()
        }
    }
}
