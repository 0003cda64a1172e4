//! Reading a whole client folder (formats.md section 1) into a [`Dump`].
//!
//! Four steps, one module each: [`walk`] lists the files below `invoices/`,
//! [`classify`](mod@classify) tells each one's format (opening archives into their members),
//! [`read`] reads them in parallel and [`merge`] joins their rows into the dump in
//! path order. Then the client's tables ([`TABLES`]: `inventory.csv`,
//! `contracts.csv`, `plans.csv`, `utilization.csv`, `claims.csv`) and
//! `client.toml` are read.
//! [`read_bill_files`] runs the same steps on files given in memory.

mod classify;
mod copies;
mod merge;
mod read;
mod side;
mod walk;

use classify::{classify, classify_all};
use read::{read_bills, read_format};
use walk::{find_files, Found, Source};

use crate::catalogue::{read_plans, read_utilization};
use crate::config::parse_client_toml;
use crate::inventory::{read_contracts, read_inventory};
use crate::ParsedFile;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use telaudit_model::{ClientConfig, Dump, FileId, Position, Rejection, SourceFile, SourceKind, Sym};

/// Why a client folder could not be audited at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// The folder does not exist or cannot be listed.
    Unreadable {
        /// The client folder.
        path: PathBuf,
        /// The system's reason.
        reason: String,
    },
    /// No `invoices/` folder.
    NoInvoices {
        /// The client folder.
        path: PathBuf,
    },
    /// `invoices/` yielded no charge row, accepted or refused.
    NoChargeRows {
        /// The client folder.
        path: PathBuf,
        /// How many files were read and skipped, and the first refusal.
        detail: String,
    },
    /// client.toml cannot be read or is invalid: a configuration error (exit code 2).
    Config {
        /// The client.toml.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}
impl ClientError {
    /// True for a bad client.toml (exit code 2, "bad configuration"); false when
    /// the data is missing or unreadable.
    pub fn is_config(&self) -> bool {
        matches!(self, ClientError::Config { .. })
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Unreadable { path, reason } => write!(
                f,
                "{}: cannot read the client folder ({reason}); give the path of a folder holding invoices/",
                path.display()
            ),
            ClientError::NoInvoices { path } => match invoices_parent(path) {
                // `telaudit audit CLIENT/invoices`: the bill folder given for its client.
                Some(client) => write!(
                    f,
                    "{}: no invoices/ folder; this looks like the bill folder of the client \
                     folder {}: give that folder instead (the one holding invoices/)",
                    path.display(),
                    client.display()
                ),
                None => write!(
                    f,
                    "{}: no invoices/ folder; put the carriers' bill files (canonical .csv or X12 811 \
                     .edi/.x12/.811) in {}",
                    path.display(),
                    path.join("invoices").display()
                ),
            },
            ClientError::NoChargeRows { path, detail } => write!(
                f,
                "{}: no charge rows ({detail}); put canonical charge CSV or X12 811 bill files there",
                path.join("invoices").display()
            ),
            ClientError::Config { path, message } => {
                write!(
                    f,
                    "{}: bad configuration: {message}\n(client.toml knows name, tax_exempt, currency, \
                     contract_ref, [contact], [disputes] with [disputes.carriers], [[layouts]] and [proposal] \
                     with its funding plan; see docs/formats.md)",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for ClientError {}

/// The client folder when `path` is a folder named `invoices` (any case): the
/// usual slip of giving a client's bill folder instead of the client folder.
fn invoices_parent(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    if !name.eq_ignore_ascii_case("invoices") || !path.is_dir() {
        return None;
    }
    // The user's own spelling of the parent when the path has one.
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => Some(p.to_path_buf()),
        _ => std::path::absolute(path).ok()?.parent().map(Path::to_path_buf),
    }
}

/// A file that is neither canonical CSV nor X12 (see [`read_charge_file`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotABillFile(pub String);

impl fmt::Display for NotABillFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: not a bill file; telaudit reads canonical charge CSV (.csv), X12 811 \
             (.edi, .x12, .811, or content starting with ISA) and the carrier exports listed by \
             `telaudit layouts` (.csv, .txt, .tsv)",
            self.0
        )
    }
}

impl std::error::Error for NotABillFile {}

/// Reads one bill file the way [`read_client`] would: X12 by extension or by content,
/// else, for .csv/.txt/.tsv, canonical CSV or the carrier layout its header matches
/// (an unrecognised .csv is refused whole, naming the closest layouts). A file of
/// an "ignore" layout gives no rows and a warning saying why. `name` is the path
/// shown in rejections and warnings.
pub fn read_charge_file(
    path: &Path,
    bytes: &[u8],
    file: FileId,
    name: &str,
) -> Result<ParsedFile, NotABillFile> {
    match classify(path, bytes) {
        Some(format) => {
            let mut p = read_format(format, bytes, None, file, name);
            crate::usage::settle_file(&mut p);
            Ok(p)
        }
        None => Err(NotABillFile(name.to_string())),
    }
}

/// Bill files given in memory yielded no charge row, accepted or refused (see
/// [`read_bill_files`]); the text says how many files were read and skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoRowsRead(pub String);

impl fmt::Display for NoRowsRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no charge rows ({})", self.0)
    }
}

impl std::error::Error for NoRowsRead {}

/// Reads one client folder: its bill files below invoices/ (in parallel), then
/// inventory.csv, contracts.csv and client.toml. The result does not depend on the
/// order files are listed or read in: files are merged in path order.
pub fn read_client(dir: &Path) -> Result<Dump, ClientError> {
    read_client_with(dir, GROUP_BYTES)
}

/// Reads bill files given in memory as `(name, bytes)` pairs exactly as
/// [`read_client`] reads the files below `invoices/` (archives opened into their
/// members, formats found the same way, a superseded summary dropped, files merged
/// in name order), with the default configuration. `name` is the path shown in
/// rejections and warnings, and its extension tells the format as a file name
/// does. It exists so that `telaudit convert` reads an archive the way an audit
/// does without writing a client folder to disk.
pub fn read_bill_files(files: Vec<(String, Vec<u8>)>) -> Result<Dump, NoRowsRead> {
    let mut found: Vec<Found> = files
        .into_iter()
        .map(|(name, bytes)| Found {
            path: PathBuf::from(&name),
            rel: name,
            source: Source::Memory(bytes),
            header: None,
        })
        .collect();
    found.sort_by(|a, b| a.rel.cmp(&b.rel));
    let mut dump = Dump::default();
    let classified = classify_all(
        found,
        &ClientConfig::default(),
        classify::ARCHIVE_BUDGET,
        &mut dump.warnings,
        &mut dump.rejected,
    );
    read_all_bills(&classified, GROUP_BYTES, &mut dump);
    // Call detail read alone (`telaudit convert`) has no bill to be checked against.
    crate::usage::set_aside_unbilled(&mut dump, true);
    crate::usage::settle(&mut dump);
    match no_rows(&dump, classified.bills.len(), classified.skipped) {
        Some(detail) => Err(NoRowsRead(detail)),
        None => Ok(dump),
    }
}

/// [`read_client`], merging the bill files read in parallel every `group_bytes`.
fn read_client_with(dir: &Path, group_bytes: u64) -> Result<Dump, ClientError> {
    let unreadable = |reason: String| ClientError::Unreadable {
        path: dir.to_path_buf(),
        reason,
    };
    let root = open_folder(dir).map_err(unreadable)?;
    // The client id names its output folder and its report: as in `telaudit batch`,
    // a folder name that is not UTF-8 is refused rather than read under a lossy id
    // (two such folders could share one).
    let client = match root.file_name() {
        None => root.display().to_string(),
        Some(n) => n
            .to_str()
            .ok_or_else(|| unreadable("the folder name is not UTF-8; rename the client folder".into()))?
            .to_string(),
    };
    // Configuration first: a bad client.toml stops the client before any work.
    let config = read_config(&root, dir)?;
    let invoices = dir.join("invoices");
    let invoices_canonical = match top_level(&root, dir, "invoices") {
        Ok(TopLevel::Inside(c)) if c.is_dir() => c,
        Ok(_) => {
            return Err(ClientError::NoInvoices {
                path: dir.to_path_buf(),
            })
        }
        Err(reason) => return Err(unreadable(format!("invoices/: {reason}"))),
    };
    let mut dump = Dump {
        client,
        config: config.clone().unwrap_or_default(),
        ..Dump::default()
    };
    let found = find_files(
        &root,
        &invoices,
        invoices_canonical,
        &mut dump.warnings,
        &mut dump.rejected,
    );
    let classified = classify_all(
        found,
        &dump.config,
        archive_budget(),
        &mut dump.warnings,
        &mut dump.rejected,
    );
    read_all_bills(&classified, group_bytes, &mut dump);
    // Call detail of a period its account is not billed in is set aside first: it
    // never makes a period, an as-of date or a bill (call detail alone is no bill).
    crate::usage::set_aside_unbilled(&mut dump, false);
    if let Some(detail) = no_rows(&dump, classified.bills.len(), classified.skipped) {
        return Err(ClientError::NoChargeRows {
            path: dir.to_path_buf(),
            detail,
        });
    }
    read_tables(&root, dir, &mut dump);
    // Usage from call detail, settled against the charge rows and the catalogue.
    crate::usage::settle(&mut dump);
    // The catalogue and the load export against the bills (bounds, prices, dates).
    crate::catalogue::check_against_bills(&mut dump);
    // A contract, inventory or ledger line that matches no bill is warned about, never matched silently.
    let unmatched = crate::unmatched::unmatched_warnings(&dump);
    dump.warnings.extend(unmatched);
    if config.is_some() {
        dump.files.push(SourceFile {
            path: "client.toml".to_string(),
            kind: SourceKind::ClientToml,
        });
    }
    Ok(dump)
}

/// Reads the classified bills into `dump`, counts an invoice delivered in several
/// files once, and lists every file skipped (formats.md section 11), in path order.
fn read_all_bills(classified: &classify::Classified, group_bytes: u64, dump: &mut Dump) {
    dump.skipped.extend(classified.skipped_files.iter().cloned());
    read_bills(&classified.bills, group_bytes, dump);
    copies::count_invoices_once(dump);
    dump.skipped.sort_by(|a, b| a.file.cmp(&b.file));
}

/// The client-wide cap on unpacked archive members: [`classify::ARCHIVE_BUDGET`],
/// or a smaller number of bytes in `TELAUDIT_ARCHIVE_BUDGET` (for tests of the
/// cap without gigabytes of input; a larger or unreadable value is ignored).
fn archive_budget() -> u64 {
    std::env::var("TELAUDIT_ARCHIVE_BUDGET")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(classify::ARCHIVE_BUDGET, |b| b.min(classify::ARCHIVE_BUDGET))
}

/// The client folder, resolved; Err: why it cannot be read as one.
fn open_folder(dir: &Path) -> Result<PathBuf, String> {
    let meta = fs::metadata(dir).map_err(|e| e.to_string())?;
    if !meta.is_dir() {
        return Err("not a folder".into());
    }
    let root = fs::canonicalize(dir).map_err(|e| e.to_string())?;
    fs::read_dir(dir).map_err(|e| e.to_string())?;
    Ok(root)
}

/// Where a top-level entry of the client folder (`invoices`, `client.toml`,
/// `inventory.csv`, `contracts.csv`, and any input added later) leads.
pub(crate) enum TopLevel {
    /// It does not exist.
    Missing,
    /// Its resolved path, inside the client folder (links resolved).
    Inside(PathBuf),
}

/// Resolves `dir/name`, a top-level entry of the client folder `dir` whose resolved
/// path is `root`. Every path the audit opens outside `invoices/` goes through here
/// (and `invoices/` itself): a symbolic link leading outside the client folder is
/// not followed (Err: why), so one client is never audited on another's files.
pub(crate) fn top_level(root: &Path, dir: &Path, name: &str) -> Result<TopLevel, String> {
    let path = dir.join(name);
    match fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(TopLevel::Missing),
        Err(e) => return Err(format!("cannot read it ({e})")),
        Ok(_) => {}
    }
    let canonical = match fs::canonicalize(&path) {
        Ok(c) => c,
        // A dangling link: as if the entry were not there, but said.
        Err(e) => return Err(format!("cannot follow its symbolic link ({e})")),
    };
    if !canonical.starts_with(root) {
        return Err(
            "a symbolic link leading outside the client folder; telaudit does not follow it, \
                    so that one client is never audited on another's files: copy the file into \
                    the client folder"
                .into(),
        );
    }
    Ok(TopLevel::Inside(canonical))
}

/// The bytes of the top-level file `name` of the client folder (None: no such
/// file), read only when it is a regular file inside the client folder
/// ([`top_level`]); Err: why it is not read.
pub(crate) fn read_top_level(root: &Path, dir: &Path, name: &str) -> Result<Option<Vec<u8>>, String> {
    match top_level(root, dir, name)? {
        TopLevel::Missing => Ok(None),
        TopLevel::Inside(path) => {
            // A named pipe or a device would block or never end.
            if !fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                return Err("not a regular file; not read".into());
            }
            fs::read(&path)
                .map(Some)
                .map_err(|e| format!("cannot read the file ({e})"))
        }
    }
}

/// The client's configuration, None without a client.toml. Not UTF-8, unreadable,
/// a link leading outside the client folder, or invalid is a configuration error.
fn read_config(root: &Path, dir: &Path) -> Result<Option<ClientConfig>, ClientError> {
    let toml_path = dir.join("client.toml");
    let config_err = |message: String| ClientError::Config {
        path: toml_path.clone(),
        message,
    };
    match read_top_level(root, dir, "client.toml") {
        Ok(Some(bytes)) => {
            let (text, warning) = crate::text::decode_encoding(&bytes);
            if let Some(w) = warning {
                return Err(config_err(format!("{w}: save client.toml as UTF-8")));
            }
            let (text, _) = crate::text::mac_line_ends(text);
            Ok(Some(parse_client_toml(&text).map_err(config_err)?))
        }
        Ok(None) => Ok(None),
        Err(e) => Err(config_err(e)),
    }
}

/// When the bills gave no row at all (none accepted, none refused): what was read
/// and skipped, and the first file refused.
fn no_rows(dump: &Dump, bills: usize, skipped: usize) -> Option<String> {
    let refused_rows: u64 = dump.rejected.iter().map(|r| r.rows).sum();
    if !dump.rows.is_empty() || refused_rows != 0 {
        return None;
    }
    let mut detail = format!("{bills} bill file(s) read");
    if skipped > 0 {
        detail.push_str(&format!(", {skipped} other file(s) skipped"));
    }
    if !dump.usage_files.is_empty() {
        detail.push_str(&format!(
            "; {} call-detail file(s) read for usage, which count only for a period their account is \
             billed in (call detail alone is no bill)",
            dump.usage_files.len()
        ));
    }
    if let Some(r) = dump.rejected.first() {
        detail.push_str(&format!("; {}: {}", r.file, r.reason));
    }
    Some(detail)
}

/// The client's own tables beside invoices/, each optional: the one list of
/// them (the reader reads them, the walk below invoices/ skips a link to one).
pub(crate) const TABLES: [&str; 5] = [
    "inventory.csv",
    "contracts.csv",
    "plans.csv",
    "utilization.csv",
    "claims.csv",
];

/// Reads the client's [`TABLES`] into the dump, after the bills; none is
/// followed through a link leading outside the client folder.
fn read_tables(root: &Path, dir: &Path, dump: &mut Dump) {
    for name in TABLES {
        let bytes = match read_top_level(root, dir, name) {
            Ok(Some(b)) => b,
            Ok(None) => continue,
            Err(reason) => {
                dump.rejected.push(Rejection {
                    file: name.to_string(),
                    position: Position::File,
                    reason,
                    rows: 0,
                });
                if name == "claims.csv" {
                    // The ledger exists but is not read: no claim counts, and the
                    // recovery outputs say so rather than vanish.
                    dump.ledger = Some(Vec::new());
                }
                continue;
            }
        };
        let id = FileId(dump.files.len() as u32);
        if name == "claims.csv" {
            dump.files.push(SourceFile {
                path: name.to_string(),
                kind: SourceKind::Claims,
            });
            let t = crate::read_claims(&bytes, id, name, &mut dump.strings);
            dump.ledger = Some(t.records);
            dump.rejected.extend(t.rejected);
            dump.warnings.extend(t.warnings);
        } else if name == "inventory.csv" {
            dump.files.push(SourceFile {
                path: name.to_string(),
                kind: SourceKind::Inventory,
            });
            let t = read_inventory(&bytes, id, name, &mut dump.strings);
            dump.inventory = t.records;
            dump.inventory_mentions = t.mentions;
            dump.rejected.extend(t.rejected);
            dump.warnings.extend(t.warnings);
        } else if name == "plans.csv" || name == "utilization.csv" {
            read_optimization_table(name, &bytes, id, dump);
        } else {
            dump.files.push(SourceFile {
                path: name.to_string(),
                kind: SourceKind::Contracts,
            });
            let t = read_contracts(&bytes, id, name, &mut dump.strings);
            dump.contracts = t.records;
            dump.rejected.extend(t.rejected);
            dump.warnings.extend(t.warnings);
        }
    }
}

/// Reads plans.csv or utilization.csv (optimization.md sections 1 and 2) into the dump.
fn read_optimization_table(name: &str, bytes: &[u8], id: FileId, dump: &mut Dump) {
    if name == "plans.csv" {
        dump.files.push(SourceFile {
            path: name.to_string(),
            kind: SourceKind::Plans,
        });
        let t = read_plans(bytes, id, name, &mut dump.strings);
        dump.plans = t.records;
        dump.rejected.extend(t.rejected);
        dump.warnings.extend(t.warnings);
        crate::overage::refuse_unbounded_pools(dump, name);
    } else {
        dump.files.push(SourceFile {
            path: name.to_string(),
            kind: SourceKind::Utilization,
        });
        let billed: rustc_hash::FxHashSet<(Sym, Sym)> = dump
            .rows
            .iter()
            .filter(|r| !r.service.is_empty())
            .map(|r| (r.carrier, r.service))
            .collect();
        let t = read_utilization(bytes, id, name, &mut dump.strings, &billed);
        dump.utilization = t.records;
        dump.rejected.extend(t.rejected);
        dump.warnings.extend(t.warnings);
    }
}

/// Bill files read in parallel before their rows are merged into the dump (see
/// [`read_client`]): 64 MiB of files.
const GROUP_BYTES: u64 = 64 << 20;

#[cfg(test)]
mod tests {
    use super::*;
    use telaudit_model::Sym;

    fn copy_dir(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for e in fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let target = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy_dir(&e.path(), &target);
            } else {
                fs::copy(e.path(), target).unwrap();
            }
        }
    }

    #[test]
    fn a_bad_client_toml_lists_every_key_client_toml_knows() {
        let e = ClientError::Config {
            path: PathBuf::from("c/client.toml"),
            message: "unknown field `colour`".into(),
        };
        let text = e.to_string();
        for key in [
            "name",
            "tax_exempt",
            "currency",
            "contract_ref",
            "[contact]",
            "[disputes]",
            "[disputes.carriers]",
            "[[layouts]]",
            "[proposal]",
        ] {
            assert!(text.contains(key), "{key}: {text}");
        }
    }

    #[test]
    fn merging_in_groups_equals_merging_at_once() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let tmp = tempfile::tempdir().unwrap();
        let client = tmp.path().join("acme");
        copy_dir(&root.join("sample-data/acme-health"), &client);
        // X12 files too (unbalanced invoices carry row ranges), and refused lines.
        copy_dir(
            &root.join("crates/parse/tests/fixtures/edi"),
            &client.join("invoices/x12"),
        );
        fs::write(
            client.join("invoices/zz-bad.csv"),
            format!(
                "{}\nVerizon,9,I9,2025-01-05,2025-01-01,2025-01-31,S9,usage,C,D,1,1,oops,,\n\
                 Verizon,9,I9,2025-01-05,2025-01-01,2025-01-31,S9,usage,C,New text,1,1,2,,\n",
                telaudit_model::CANONICAL_COLUMNS.join(",")
            ),
        )
        .unwrap();
        let once = read_client_with(&client, u64::MAX).unwrap();
        assert!(once
            .rejected
            .iter()
            .any(|r| r.file == "invoices/zz-bad.csv" && r.position == Position::Line(2)));
        let last = once.rows.last().unwrap();
        assert_eq!(once.strings.get(last.description), "New text");
        assert_eq!(
            once.files[last.source.file.0 as usize].path,
            "invoices/zz-bad.csv"
        );
        assert!(once.files.len() > 20, "{}", once.files.len());
        for group_bytes in [1, 300, 5_000] {
            let grouped = read_client_with(&client, group_bytes).unwrap();
            assert_eq!(grouped.rows, once.rows, "{group_bytes}");
            assert_eq!(grouped.files, once.files);
            assert_eq!(grouped.rejected, once.rejected);
            assert_eq!(grouped.warnings, once.warnings);
            assert_eq!(grouped.unbalanced, once.unbalanced);
            assert_eq!(grouped.strings.len(), once.strings.len());
            for i in 0..once.strings.len() as u32 {
                assert_eq!(grouped.strings.get(Sym(i)), once.strings.get(Sym(i)));
            }
        }
    }

    #[test]
    fn three_files_of_one_invoice_fall_into_classes_of_equal_charges() {
        let header = telaudit_model::CANONICAL_COLUMNS.join(",");
        let row = |svc: &str, amount: &str, desc: &str| {
            format!("Bell,B1,I-7,2025-05-03,2025-04-01,2025-04-30,{svc},recurring,C,{desc},1,,{amount},,\n")
        };
        let file = |rows: &[String]| format!("{header}\n{}", rows.concat()).into_bytes();
        // a: X 10.00 + Y 20.00 + Z 5.00; b: the same charges, other descriptions, other
        // order; c: X 10.00 + Y 20.00 + Z 7.00 (shares two charges of three with a).
        let files = vec![
            (
                "invoices/a.csv".to_string(),
                file(&[row("X", "10.00", "x"), row("Y", "20.00", "y"), row("Z", "5", "z")]),
            ),
            (
                "invoices/b.csv".to_string(),
                file(&[
                    row("Z", "5.00", "Z"),
                    row("Y", "20", "Y plan"),
                    row("X", "10", "X plan"),
                ]),
            ),
            (
                "invoices/c.csv".to_string(),
                file(&[row("X", "10.00", "x"), row("Y", "20.00", "y"), row("Z", "7", "z")]),
            ),
        ];
        let d = read_bill_files(files).unwrap();
        let kept: Vec<(&str, i64)> = d
            .rows
            .iter()
            .map(|r| {
                (
                    d.files[r.source.file.0 as usize].path.as_str(),
                    r.amount.0 / 10_000,
                )
            })
            .collect();
        assert_eq!(
            kept,
            [
                ("invoices/a.csv", 1000),
                ("invoices/a.csv", 2000),
                ("invoices/a.csv", 500),
                ("invoices/c.csv", 1000),
                ("invoices/c.csv", 2000),
                ("invoices/c.csv", 700)
            ]
        );
        let messages: Vec<(&str, &str)> = d
            .warnings
            .iter()
            .map(|w| (w.file.as_str(), w.message.as_str()))
            .collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert_eq!(messages[0].0, "invoices/b.csv");
        assert!(messages[0]
            .1
            .starts_with("1 invoice(s) (I-7) carry the same charges as in invoices/a.csv"));
        assert_eq!(messages[1].0, "invoices/a.csv");
        assert!(messages[1].1.starts_with(
            "invoice I-7 (Bell, account B1) comes in 2 files that disagree: 3 row(s) in invoices/a.csv, \
             3 row(s) in invoices/c.csv"
        ));
        assert_eq!(d.skipped.len(), 1);
        assert_eq!(
            (d.skipped[0].file.as_str(), d.skipped[0].kind),
            ("invoices/b.csv", telaudit_model::SkipKind::Copy)
        );
    }

    #[test]
    fn bill_files_in_memory_read_as_a_client_folder_does() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let read = |p: &str| fs::read(fixtures.join(p)).unwrap();
        let (detail, summary) = (
            read("layouts/verizon-detail.txt"),
            read("layouts/verizon-summary.txt"),
        );
        let edi = read("edi/two.edi");
        let members: [(&str, &[u8]); 4] = [
            ("notes.txt", b"hello\n"),
            ("verizon-summary.txt", &summary),
            ("verizon-detail.txt", &detail),
            ("two.edi", &edi),
        ];
        let zip = crate::zip::write_zip(&members, true);
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("invoices")).unwrap();
        fs::write(tmp.path().join("invoices/a.zip"), &zip).unwrap();
        let folder = read_client(tmp.path()).unwrap();
        let memory = read_bill_files(vec![("invoices/a.zip".to_string(), zip)]).unwrap();
        assert_eq!(memory.rows, folder.rows);
        assert_eq!(memory.files, folder.files);
        assert_eq!(memory.rejected, folder.rejected);
        assert_eq!(memory.warnings, folder.warnings);
        let names: Vec<&str> = memory.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            names,
            [
                "invoices/a.zip!two.edi",
                "invoices/a.zip!verizon-detail.txt",
                "invoices/a.zip!verizon-summary.txt"
            ]
        );
        assert_eq!(memory.warnings[0].file, "invoices/a.zip!notes.txt");

        let empty = crate::zip::write_zip(&[("notes.txt", b"hello\n")], false);
        let e = read_bill_files(vec![("b.rdd".to_string(), empty)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no charge rows (0 bill file(s) read, 1 other file(s) skipped)"
        );
    }
}
