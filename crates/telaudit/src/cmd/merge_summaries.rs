//! `telaudit merge-summaries`: combine the summaries of shard runs into one.
//!
//! ```text
//! Usage: telaudit merge-summaries <DIR_OR_FILE>... [--out FILE_OR_DIR]
//!
//! Each input is a batch --out folder (its summary.json is read) or a
//! summary.json file. The result lists every client once, sorted by client id,
//! byte-identical to the summary of one unsharded run over the same clients.
//! A client found twice with different figures is refused (exit 1).
//!
//! --out DIR writes DIR/summary.json and DIR/summary.csv; --out FILE.json or
//! FILE.csv writes that one file; without --out, summary.json goes to stdout.
//!
//! Histories: new_findings and resolved_findings are merged like the other
//! columns, each from the history its shard wrote. merge-summaries does not
//! merge histories: with SQLite each shard keeps its own (DIR/history.sqlite
//! of its --out), and since a client always falls in the same shard, each
//! client's history is whole in one file (`telaudit history` on each shard's
//! folder). For one history of all shards, give every shard the same
//! --history postgres://... (docs/history.md).
//!
//! Exit status: 0 merged, every client audited or unchanged without refused
//! input; 1 a merged client failed or had input refused, or the inputs
//! conflict; 2 bad command line or an input that is not a summary.
//! ```

use super::{CliError, Outcome};
use crate::batch::{store, summary};
use std::path::PathBuf;

/// Combine shard summaries (summary.json) into one, sorted by client.
#[derive(clap::Args)]
pub struct Args {
    /// Batch output folders (or their summary.json files).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// A folder (summary.json + summary.csv), or a .json or .csv file.
    #[arg(long, value_name = "FILE_OR_DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<Outcome, CliError> {
    let mut inputs = Vec::new();
    for p in &args.inputs {
        let file = if p.is_dir() {
            p.join("summary.json")
        } else {
            p.clone()
        };
        let name = file.display().to_string();
        let text = std::fs::read_to_string(&file)
            .map_err(|e| CliError::Config(format!("cannot read {name}: {e}; give a batch --out folder")))?;
        inputs.push((
            name.clone(),
            summary::parse_summary_json(&name, &text).map_err(CliError::Config)?,
        ));
    }
    let rows = summary::merge(&inputs).map_err(CliError::Failed)?;
    let write = |dir: &std::path::Path, name: &str, text: String| {
        store::write_file_atomic(dir, name, text.as_bytes()).map_err(CliError::Failed)
    };
    match &args.out {
        None => print!("{}", summary::summary_json(&rows)),
        Some(p) => {
            let ext = p
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            let as_file = !p.is_dir() && matches!(ext.as_deref(), Some("json" | "csv"));
            if as_file {
                let dir = match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let text = if ext.as_deref() == Some("csv") {
                    summary::summary_csv(&rows)
                } else {
                    summary::summary_json(&rows)
                };
                write(&dir, &name, text)?;
            } else {
                std::fs::create_dir_all(p)
                    .map_err(|e| CliError::Config(format!("cannot create {}: {e}", p.display())))?;
                write(p, "summary.json", summary::summary_json(&rows))?;
                write(p, "summary.csv", summary::summary_csv(&rows))?;
            }
            eprintln!(
                "merged {} client(s) from {} summaries: {}",
                rows.len(),
                inputs.len(),
                summary::counts(&rows)
            );
        }
    }
    let failed = rows
        .iter()
        .any(|r| r.status == summary::BatchStatus::Error || r.error.is_some());
    Ok(if failed { Outcome::Refusals } else { Outcome::Clean })
}
