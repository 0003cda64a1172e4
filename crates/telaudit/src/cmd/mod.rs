//! One file per subcommand.

pub mod audit;
pub mod batch;
pub mod convert;
pub mod feed;
pub mod generate;
pub mod history;
pub mod layouts;
pub mod merge_summaries;
pub mod rules;

use std::fmt;

/// How a run ended, as an exit status (formats.md section 11).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 0: the audit ran (findings are not errors).
    Clean,
    /// 1: some input was refused or a client failed; the rest was still audited.
    Refusals,
}

impl From<Outcome> for std::process::ExitCode {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Clean => std::process::ExitCode::SUCCESS,
            Outcome::Refusals => std::process::ExitCode::from(1),
        }
    }
}

/// An error that stops a command, with the exit status it maps to.
#[derive(Debug)]
pub enum CliError {
    /// 2: bad command line or configuration (rules, client.toml, arguments).
    Config(String),
    /// 1: the input could not be audited (missing folder, no rows, I/O).
    Failed(String),
}

impl CliError {
    pub fn exit_code(&self) -> std::process::ExitCode {
        std::process::ExitCode::from(match self {
            CliError::Config(_) => 2,
            CliError::Failed(_) => 1,
        })
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Config(m) | CliError::Failed(m) => f.write_str(m),
        }
    }
}

/// Reads `--as-of YYYY-MM-DD` (a bad date is a command-line error: exit 2).
pub fn parse_as_of(s: &str) -> Result<telaudit_model::Date, String> {
    telaudit_model::Date::parse(s).map_err(|e| format!("{s:?}: {e}; write the as-of date as YYYY-MM-DD"))
}
