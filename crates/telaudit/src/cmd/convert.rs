//! `telaudit convert`: write the canonical CSV of any bill file telaudit reads.
//!
//! ```text
//! Usage: telaudit convert <FILE> [-o OUT.csv] [--layouts DIR]
//!
//! Reads one bill file (X12 811, canonical CSV, a carrier export in one of the
//! layouts `telaudit layouts` lists, found from its header, or a `.zip`/`.rdd`
//! archive of such exports) and writes its charges as canonical CSV (formats.md
//! section 2), so an analyst can open it in a spreadsheet and see how telaudit
//! understood the bill. An archive is read exactly as an audit reads it (members
//! in name order, a Verizon summary dropped where the detail covers its invoice).
//! A call-detail file without a header line (Rogers' `ALL_CALLS-*.txt`) is read
//! with the header file beside it. Refused records are reported on stderr with
//! their position; the exit status is then 1.
//! ```

use super::{CliError, Outcome};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write the canonical CSV of a bill file (X12 811, canonical CSV or a carrier layout).
#[derive(clap::Args)]
pub struct Args {
    /// The bill file to read.
    pub file: PathBuf,
    /// Where to write the CSV (default: standard output).
    #[arg(short, long, value_name = "OUT.csv")]
    pub output: Option<PathBuf>,
    /// A folder of carrier layout files (*.toml) added to the built-in layouts
    /// (one named like a built-in layout replaces it).
    #[arg(long, value_name = "DIR")]
    pub layouts: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<Outcome, CliError> {
    super::layouts::load(args.layouts.as_deref())?;
    let bytes = std::fs::read(&args.file)
        .map_err(|e| CliError::Failed(format!("cannot read {}: {e}", args.file.display())))?;
    let name = args.file.display().to_string();
    let is_archive = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip") || e.eq_ignore_ascii_case("rdd"));
    let headers = telaudit_parse::header_files_beside(&args.file);
    let parsed = if is_archive {
        read_archive(&args.file, bytes)?
    } else if !headers.is_empty() {
        // Call detail whose column names are in a header file beside it: read the
        // two as the audit reads a folder.
        read_with_headers(&args.file, bytes, &headers)?
    } else {
        telaudit_parse::read_charge_file(&args.file, &bytes, telaudit_model::FileId(0), &name)
            .map_err(|e| CliError::Config(e.to_string()))?
    };
    let write = |w: &mut dyn Write| telaudit_parse::write_canonical_csv(w, &parsed, &name);
    let res = match &args.output {
        Some(p) => std::fs::File::create(p).and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            write(&mut w)?;
            w.flush()
        }),
        None => {
            let stdout = std::io::stdout();
            let mut w = stdout.lock();
            write(&mut w)
        }
    };
    res.map_err(|e| CliError::Failed(format!("cannot write the CSV: {e}")))?;
    for w in &parsed.warnings {
        eprintln!("warning: {}: {}", w.place(), w.message);
    }
    for r in &parsed.rejected {
        eprintln!("refused: {}: {}", r.place(), r.reason);
    }
    Ok(if parsed.rejected.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Refusals
    })
}

/// Reads a call-detail data file with the header files beside it (in memory, as
/// files of one folder), the way an audit reads them.
fn read_with_headers(
    path: &Path,
    bytes: Vec<u8>,
    headers: &[PathBuf],
) -> Result<telaudit_parse::ParsedFile, CliError> {
    let mut files = vec![(path.display().to_string(), bytes)];
    for h in headers {
        let b =
            std::fs::read(h).map_err(|e| CliError::Failed(format!("cannot read {}: {e}", h.display())))?;
        files.push((h.display().to_string(), b));
    }
    let dump = telaudit_parse::read_bill_files(files)
        .map_err(|e| CliError::Failed(format!("{}: {e}", path.display())))?;
    Ok(telaudit_parse::ParsedFile {
        strings: dump.strings,
        rows: dump.rows,
        rejected: dump.rejected,
        warnings: dump.warnings,
        unbalanced: Vec::new(),
        stated: Vec::new(),
        usage: None,
    })
}

/// Reads an archive the way an audit does (through the audit's own reader, in
/// memory), so the member order and the superseding of summary exports are the
/// audit's own. Its members are named `<archive>!<member>`.
fn read_archive(path: &Path, bytes: Vec<u8>) -> Result<telaudit_parse::ParsedFile, CliError> {
    let name = path.display().to_string();
    let dump = telaudit_parse::read_bill_files(vec![(name, bytes)])
        .map_err(|e| CliError::Failed(format!("{}: {e}", path.display())))?;
    Ok(telaudit_parse::ParsedFile {
        strings: dump.strings,
        rows: dump.rows,
        rejected: dump.rejected,
        warnings: dump.warnings,
        unbalanced: Vec::new(),
        stated: Vec::new(),
        usage: None,
    })
}
