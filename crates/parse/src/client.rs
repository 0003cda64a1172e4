//! Reading a whole client folder (formats.md section 1) into a [`Dump`].

use crate::config::parse_client_toml;
use crate::inventory::{read_contracts, read_inventory};
use crate::text::{decode_text, is_edi};
use crate::{read_canonical_csv, read_edi, ParsedFile};
use rayon::prelude::*;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use telaudit_model::{Dump, FileId, Interner, Position, Rejection, SourceFile, SourceKind, Sym, Warning};

/// Why a client folder could not be audited at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// The folder does not exist or cannot be listed.
    Unreadable { path: PathBuf, reason: String },
    /// No `invoices/` folder.
    NoInvoices { path: PathBuf },
    /// `invoices/` yielded no charge row, accepted or refused.
    NoChargeRows { path: PathBuf, detail: String },
    /// client.toml cannot be read or is invalid: a configuration error (exit code 2).
    Config { path: PathBuf, message: String },
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
            ClientError::NoInvoices { path } => write!(
                f,
                "{}: no invoices/ folder; put the carriers' bill files (canonical .csv or X12 811 \
                 .edi/.x12/.811) in {}",
                path.display(),
                path.join("invoices").display()
            ),
            ClientError::NoChargeRows { path, detail } => write!(
                f,
                "{}: no charge rows ({detail}); put canonical charge CSV or X12 811 bill files there",
                path.join("invoices").display()
            ),
            ClientError::Config { path, message } => {
                write!(
                    f,
                    "{}: bad configuration: {message}\n(client.toml knows name, tax_exempt, [[layouts]] and \
                     [proposal] with its funding plan; see docs/formats.md)",
                    path.display()
                )
            }
        }
    }
}

impl std::error::Error for ClientError {}

/// How a bill file is read. A new input format is a new variant here, a case in
/// [`classify`] and one in [`read_format`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum ChargeFormat {
    Canonical,
    Edi,
    /// A carrier layout, by index in [`crate::layouts`].
    Layout(usize),
    /// A `.csv` that neither the canonical reader nor any layout recognises: refused.
    Unrecognised,
}

impl ChargeFormat {
    fn kind(self) -> SourceKind {
        match self {
            ChargeFormat::Canonical | ChargeFormat::Unrecognised => SourceKind::CanonicalCsv,
            ChargeFormat::Edi => SourceKind::Edi811,
            ChargeFormat::Layout(i) => SourceKind::Layout(
                crate::layouts()
                    .get(i)
                    .map(|l| l.name.clone())
                    .unwrap_or_default(),
            ),
        }
    }
}

/// Extensions of tables a carrier layout may be in (besides EDI's).
const TABLE_EXTENSIONS: [&str; 3] = ["csv", "txt", "tsv"];

fn extension_is(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The canonical columns a charge file must have: a header with most of them is
/// canonical (its reader then names what is missing).
const CANONICAL_REQUIRED: [&str; 9] = [
    "carrier",
    "account",
    "invoice",
    "invoice_date",
    "period_start",
    "period_end",
    "charge_type",
    "description",
    "amount",
];

/// Whether the first line of `text` looks like a canonical header (5 or more of
/// the required names).
fn looks_canonical(text: &str) -> bool {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let names: Vec<&str> = first
        .split(',')
        .map(|f| f.trim().trim_matches('"').trim())
        .collect();
    let n = CANONICAL_REQUIRED
        .iter()
        .filter(|c| names.iter().any(|x| x.eq_ignore_ascii_case(c)))
        .count();
    n >= 5
}

/// The format of a file below invoices/, from its name and bytes (the first 64 KiB
/// suffice for tables); None: not a bill file.
fn classify(path: &Path, head: &[u8]) -> Option<ChargeFormat> {
    classify_forced(path, head, None)
}

/// As [`classify`], with a layout forced by client.toml.
fn classify_forced(path: &Path, head: &[u8], forced: Option<usize>) -> Option<ChargeFormat> {
    if is_edi(path, head) {
        return Some(ChargeFormat::Edi);
    }
    if let Some(i) = forced {
        return Some(ChargeFormat::Layout(i));
    }
    if !extension_is(path, &TABLE_EXTENSIONS) {
        return None;
    }
    let (text, _) = decode_text(head);
    // An empty table (or only blank lines) goes to the canonical reader, which
    // warns "empty file": a failed export is shown, not refused as unrecognised.
    if looks_canonical(&text) || text.trim().is_empty() {
        return Some(ChargeFormat::Canonical);
    }
    if let Some(i) = crate::layout::recognise(&text) {
        return Some(ChargeFormat::Layout(i));
    }
    extension_is(path, &["csv"]).then_some(ChargeFormat::Unrecognised)
}

fn read_format(format: ChargeFormat, bytes: &[u8], file: FileId, path: &str) -> ParsedFile {
    let mut p = match format {
        ChargeFormat::Canonical => read_canonical_csv(bytes, file, path),
        ChargeFormat::Edi => read_edi(bytes, file, path),
        ChargeFormat::Layout(i) => match crate::layouts().get(i) {
            Some(l) => crate::read_layout(l, bytes, file, path),
            None => ParsedFile::default(),
        },
        ChargeFormat::Unrecognised => refuse_unrecognised(bytes, path),
    };
    // Every reader's rows: quantity x unit_rate within bounds no sum can overflow.
    crate::limits::refuse_out_of_range(&mut p, path, format == ChargeFormat::Edi);
    p
}

/// A .csv that is neither canonical nor a known carrier layout: refused whole,
/// naming what the canonical header lacks and the closest carrier layouts.
fn refuse_unrecognised(bytes: &[u8], path: &str) -> ParsedFile {
    let (text, _) = decode_text(bytes);
    let canonical = read_canonical_csv(bytes, FileId(0), path);
    let (why, rows) = match canonical.rejected.first() {
        Some(r) if r.position == Position::File => (r.reason.clone(), r.rows),
        _ => (
            "not a canonical charge CSV".to_string(),
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .count()
                .saturating_sub(1) as u64,
        ),
    };
    let mut p = ParsedFile::default();
    p.rejected.push(Rejection {
        file: path.to_string(),
        position: Position::File,
        reason: format!(
            "no layout recognises this file: as canonical CSV, {why}; {}; if it is a carrier export, \
             add a layout (README: Adding a carrier layout) or force one in client.toml [[layouts]]",
            crate::layout::closest(&text)
        ),
        rows,
    });
    p
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
        Some(format) => Ok(read_format(format, bytes, file, name)),
        None => Err(NotABillFile(name.to_string())),
    }
}

/// A file found below invoices/.
struct Found {
    /// Relative to the client folder, `/`-separated.
    rel: String,
    path: PathBuf,
    canonical: PathBuf,
    /// A member of a zip archive: its bytes (`path` is then the member's name).
    member: Option<Vec<u8>>,
}

/// Walks `dir` depth-first. Symbolic links are followed only when they stay inside
/// one of `roots`; a directory already on the current path (a link cycle) is skipped.
fn walk(
    roots: &[PathBuf],
    dir: &Path,
    rel: &str,
    stack: &mut Vec<PathBuf>,
    out: &mut Vec<Found>,
    warnings: &mut Vec<Warning>,
) {
    let warn = |warnings: &mut Vec<Warning>, file: &str, message: String| {
        warnings.push(Warning {
            file: file.to_string(),
            position: Position::File,
            message,
        });
    };
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return warn(warnings, rel, format!("cannot list folder ({e}); skipped")),
    };
    let mut list: Vec<(String, PathBuf, fs::FileType)> = Vec::new();
    for entry in entries {
        match entry.and_then(|e| Ok((e.file_name(), e.path(), e.file_type()?))) {
            Ok((name, path, ft)) => list.push((name.to_string_lossy().into_owned(), path, ft)),
            Err(e) => warn(
                warnings,
                rel,
                format!("cannot list an entry of this folder ({e}); skipped"),
            ),
        }
    }
    list.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, path, ft) in list {
        let child = format!("{rel}/{name}");
        let canonical = match fs::canonicalize(&path) {
            Ok(c) => c,
            Err(e) => {
                warn(warnings, &child, format!("cannot resolve path ({e}); skipped"));
                continue;
            }
        };
        let is_dir = if ft.is_symlink() {
            if !roots.iter().any(|r| canonical.starts_with(r)) {
                warn(
                    warnings,
                    &child,
                    "symbolic link leads outside the client folder; skipped".into(),
                );
                continue;
            }
            match fs::metadata(&canonical) {
                Ok(m) if m.is_dir() => true,
                Ok(m) if m.is_file() => false,
                Ok(_) => {
                    warn(warnings, &child, "not a regular file; skipped".into());
                    continue;
                }
                Err(e) => {
                    warn(
                        warnings,
                        &child,
                        format!("cannot follow symbolic link ({e}); skipped"),
                    );
                    continue;
                }
            }
        } else if ft.is_dir() {
            true
        } else if ft.is_file() {
            false
        } else {
            warn(warnings, &child, "not a regular file; skipped".into());
            continue;
        };
        if is_dir {
            if stack.contains(&canonical) {
                warn(warnings, &child, "symbolic link loop; skipped".into());
                continue;
            }
            // A link back to the client folder (or another ancestor of invoices/)
            // would read inventory.csv and contracts.csv as bills.
            if roots.get(1).is_some_and(|inv| inv.starts_with(&canonical)) {
                warn(
                    warnings,
                    &child,
                    "symbolic link leads back above invoices/; skipped".into(),
                );
                continue;
            }
            stack.push(canonical.clone());
            walk(roots, &path, &child, stack, out, warnings);
            stack.pop();
        } else if roots.first().is_some_and(|root| {
            canonical.parent() == Some(root.as_path())
                && ["inventory.csv", "contracts.csv", "client.toml"]
                    .iter()
                    .any(|n| canonical.file_name().is_some_and(|f| f == *n))
        }) {
            warn(
                warnings,
                &child,
                "symbolic link to the client's own inventory, contracts or client.toml, not a bill; skipped"
                    .into(),
            );
        } else {
            out.push(Found {
                rel: child,
                path,
                canonical,
                member: None,
            });
        }
    }
}

/// The layout client.toml forces on this path (`[[layouts]] path = "invoices/att/*.txt"`).
fn forced_layout(config: &telaudit_model::ClientConfig, rel: &str) -> Option<usize> {
    config
        .layouts
        .iter()
        .find(|f| glob_match(&f.path, rel))
        .and_then(|f| crate::layout::layout_index(&f.layout))
}

/// A path pattern: `*` matches within one path segment, `**` across segments,
/// `?` one character. Compared case-sensitively, `/`-separated.
pub(crate) fn glob_match(pattern: &str, path: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') if p.get(1) == Some(&b'*') => {
                let rest = &p[2..];
                let rest = rest.strip_prefix(b"/").unwrap_or(rest);
                (0..=s.len()).any(|k| go(rest, &s[k..]))
            }
            Some(b'*') => (0..=s.len())
                .take_while(|&k| k == 0 || s[k - 1] != b'/')
                .any(|k| go(&p[1..], &s[k..])),
            Some(b'?') => !s.is_empty() && s[0] != b'/' && go(&p[1..], &s[1..]),
            Some(c) => s.first() == Some(c) && go(&p[1..], &s[1..]),
        }
    }
    go(pattern.as_bytes(), path.as_bytes())
}

/// Drops the rows of a layout that another layout's file supersedes for the same
/// account and invoice (Verizon's per-line summary when the itemised detail of the
/// same invoice is there too), so no money is counted twice; one warning per file.
fn supersede(
    bills: &[(Found, ChargeFormat)],
    parsed: &mut [(SourceKind, ParsedFile)],
    warnings: &mut Vec<Warning>,
) {
    use std::collections::BTreeSet;
    let name_of = |f: &ChargeFormat| match f {
        ChargeFormat::Layout(i) => crate::layouts().get(*i),
        _ => None,
    };
    for (k, (found, format)) in bills.iter().enumerate() {
        let Some(by) = name_of(format).and_then(|l| l.superseded_by.as_deref()) else {
            continue;
        };
        let mut covered: BTreeSet<(String, String)> = BTreeSet::new();
        for ((_, f), (_, p)) in bills.iter().zip(parsed.iter()) {
            if name_of(f).is_some_and(|l| l.name == by) {
                for r in &p.rows {
                    covered.insert((
                        p.strings.get(r.account).to_string(),
                        p.strings.get(r.invoice).to_string(),
                    ));
                }
            }
        }
        if covered.is_empty() {
            continue;
        }
        let p = &mut parsed[k].1;
        let before = p.rows.len();
        let strings = &p.strings;
        p.rows.retain(|r| {
            !covered.contains(&(
                strings.get(r.account).to_string(),
                strings.get(r.invoice).to_string(),
            ))
        });
        let dropped = before - p.rows.len();
        if dropped > 0 {
            warnings.push(Warning {
                file: found.rel.clone(),
                position: Position::File,
                message: format!(
                    "{dropped} row(s) not counted: a {by} file itemises the same account and invoice \
                     (counting both would bill the money twice)"
                ),
            });
        }
    }
}

/// Extensions of zip archives whose members are bill files (Verizon's Raw Data Download).
const ARCHIVE_EXTENSIONS: [&str; 2] = ["zip", "rdd"];

/// Opens a zip archive found below invoices/ and adds its members to `bills`, each
/// as its own file named `invoices/x.zip!Member name.txt` (line numbers count within
/// the member; client.toml `[[layouts]]` paths match that name), in name order.
/// A member no reader
/// recognises, of an "ignore" layout, or a nested archive gets a warning; a member
/// that cannot be unpacked is refused; an unreadable archive is refused whole.
/// Returns how many members (or archives) were not bill files.
fn archive_members(
    f: Found,
    config: &telaudit_model::ClientConfig,
    bills: &mut Vec<(Found, ChargeFormat)>,
    warnings: &mut Vec<Warning>,
    rejected: &mut Vec<Rejection>,
) -> usize {
    let refuse = |rejected: &mut Vec<Rejection>, file: &str, reason: String| {
        rejected.push(Rejection {
            file: file.to_string(),
            position: Position::File,
            reason,
            rows: 0,
        })
    };
    let warn = |warnings: &mut Vec<Warning>, file: &str, message: String| {
        warnings.push(Warning {
            file: file.to_string(),
            position: Position::File,
            message,
        })
    };
    let bytes = match fs::read(&f.path) {
        Ok(b) => b,
        Err(e) => {
            refuse(rejected, &f.rel, format!("cannot read the file ({e})"));
            return 1;
        }
    };
    let mut members = match crate::zip::read_zip(&bytes, crate::zip::ZipLimits::default()) {
        Ok(m) => m,
        Err(e) => {
            refuse(
                rejected,
                &f.rel,
                format!("cannot open this zip archive: {e}; its files were not read"),
            );
            return 1;
        }
    };
    drop(bytes);
    // In name order, like the files of a folder (zip tools list them in any order).
    members.sort_by(|a, b| a.name.cmp(&b.name));
    if members.is_empty() {
        warn(warnings, &f.rel, "an empty zip archive; skipped".into());
        return 1;
    }
    let mut skipped = 0;
    for m in members {
        let rel = format!("{}!{}", f.rel, m.name);
        let data = match m.content {
            Ok(d) => d,
            Err(e) => {
                refuse(rejected, &rel, format!("cannot unpack this archive member: {e}"));
                skipped += 1;
                continue;
            }
        };
        let path = PathBuf::from(&m.name);
        if extension_is(&path, &ARCHIVE_EXTENSIONS) {
            warn(
                warnings,
                &rel,
                "an archive inside an archive is not opened; unpack it".into(),
            );
            skipped += 1;
            continue;
        }
        let head = &data[..data.len().min(65_536)];
        match classify_forced(&path, head, forced_layout(config, &rel)) {
            Some(ChargeFormat::Layout(i)) if crate::layouts()[i].role == crate::Role::Ignore => {
                let l = &crate::layouts()[i];
                let why = format!(
                    "recognised as {} ({}): {}; no charges read from it",
                    l.title, l.file, l.note
                );
                warn(warnings, &rel, why);
                skipped += 1;
            }
            Some(ChargeFormat::Unrecognised) | None => {
                let (text, _) = decode_text(head);
                warn(
                    warnings,
                    &rel,
                    format!(
                        "archive member not read: not canonical charge CSV, not X12 811, and no carrier \
                         layout recognises it ({}); skipped",
                        crate::layout::closest(&text)
                    ),
                );
                skipped += 1;
            }
            Some(format) => bills.push((
                Found {
                    rel,
                    path,
                    canonical: PathBuf::new(),
                    member: Some(data),
                },
                format,
            )),
        }
    }
    skipped
}

/// The first `n` bytes of a file.
fn head_bytes(path: &Path, n: u64) -> Vec<u8> {
    let mut buf = Vec::new();
    if let Ok(f) = fs::File::open(path) {
        let _ = f.take(n).read_to_end(&mut buf);
    }
    buf
}

/// The first bytes of a file, to recognise X12 by content.
fn head(path: &Path) -> Vec<u8> {
    let mut buf = Vec::with_capacity(64);
    if let Ok(f) = fs::File::open(path) {
        let _ = f.take(64).read_to_end(&mut buf);
    }
    buf
}

/// Reads one client folder: its bill files below invoices/ (in parallel), then
/// inventory.csv, contracts.csv and client.toml. The result does not depend on the
/// order files are listed or read in: files are merged in path order.
pub fn read_client(dir: &Path) -> Result<Dump, ClientError> {
    read_client_with(dir, GROUP_BYTES)
}

/// [`read_client`], merging the bill files read in parallel every `group_bytes`.
fn read_client_with(dir: &Path, group_bytes: u64) -> Result<Dump, ClientError> {
    let unreadable = |reason: String| ClientError::Unreadable {
        path: dir.to_path_buf(),
        reason,
    };
    let meta = fs::metadata(dir).map_err(|e| unreadable(e.to_string()))?;
    if !meta.is_dir() {
        return Err(unreadable("not a folder".into()));
    }
    let root = fs::canonicalize(dir).map_err(|e| unreadable(e.to_string()))?;
    fs::read_dir(dir).map_err(|e| unreadable(e.to_string()))?;
    let client = root.file_name().map_or_else(
        || root.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );

    // Configuration first: a bad client.toml stops the client before any work.
    let toml_path = dir.join("client.toml");
    let config = match fs::read(&toml_path) {
        Ok(bytes) => {
            let config_err = |message: String| ClientError::Config {
                path: toml_path.clone(),
                message,
            };
            let (text, warning) = decode_text(&bytes);
            if let Some(w) = warning {
                return Err(config_err(format!("{w}: save client.toml as UTF-8")));
            }
            Some(parse_client_toml(&text).map_err(config_err)?)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(ClientError::Config {
                path: toml_path,
                message: format!("cannot read: {e}"),
            })
        }
    };

    let invoices = dir.join("invoices");
    if !invoices.is_dir() {
        return Err(ClientError::NoInvoices {
            path: dir.to_path_buf(),
        });
    }
    let mut dump = Dump {
        client,
        config: config.clone().unwrap_or_default(),
        ..Dump::default()
    };
    let inv_canonical = fs::canonicalize(&invoices).map_err(|e| unreadable(e.to_string()))?;
    let roots = [root.clone(), inv_canonical.clone()];
    let mut found = Vec::new();
    walk(
        &roots,
        &invoices,
        "invoices",
        &mut vec![inv_canonical],
        &mut found,
        &mut dump.warnings,
    );
    found.sort_by(|a, b| a.rel.cmp(&b.rel));

    // Classify; the same file reached twice (through a link) is read once.
    let mut bills: Vec<(Found, ChargeFormat)> = Vec::new();
    let mut seen: std::collections::HashMap<PathBuf, String> = std::collections::HashMap::new();
    let mut skipped = 0usize;
    for f in found {
        if let Some(first) = seen.get(&f.canonical) {
            dump.warnings.push(Warning {
                file: f.rel.clone(),
                position: Position::File,
                message: format!("the same file as {first}; skipped"),
            });
            continue;
        }
        seen.insert(f.canonical.clone(), f.rel.clone());
        if extension_is(&f.path, &ARCHIVE_EXTENSIONS) {
            skipped += archive_members(
                f,
                &dump.config,
                &mut bills,
                &mut dump.warnings,
                &mut dump.rejected,
            );
            continue;
        }
        let is_table = extension_is(&f.path, &TABLE_EXTENSIONS);
        let forced = forced_layout(&dump.config, &f.rel);
        // Tables are classified on their first 64 KiB (header lines); .csv files are
        // classified again on their full bytes below (X12 content wins).
        let format = if is_table || forced.is_some() {
            classify_forced(&f.path, &head_bytes(&f.path, 65_536), forced)
        } else {
            classify(&f.path, &head(&f.path))
        };
        match format {
            Some(ChargeFormat::Layout(i))
                if crate::layouts()
                    .get(i)
                    .is_some_and(|l| l.role == crate::Role::Ignore) =>
            {
                if let Some(l) = crate::layouts().get(i) {
                    dump.warnings.push(Warning {
                        file: f.rel,
                        position: Position::File,
                        message: format!(
                            "recognised as {} ({}): {}; no charges read from it",
                            l.title, l.file, l.note
                        ),
                    });
                }
                skipped += 1;
            }
            Some(format) => bills.push((f, format)),
            None if is_table => {
                skipped += 1;
                let bytes = head_bytes(&f.path, 65_536);
                let (text, _) = decode_text(&bytes);
                dump.warnings.push(Warning {
                    file: f.rel,
                    position: Position::File,
                    message: format!(
                        "not canonical charge CSV and no carrier layout recognises its header \
                         ({}); skipped",
                        crate::layout::closest(&text)
                    ),
                });
            }
            None => {
                skipped += 1;
                dump.warnings.push(Warning {
                    file: f.rel,
                    position: Position::File,
                    message:
                        "not a bill file (expected .csv, .txt, .tsv, .edi, .x12, .811, or a .zip/.rdd of \
                                 them); skipped"
                            .into(),
                });
            }
        }
    }

    let read_one = |i: usize, f: &Found, format: ChargeFormat| -> (SourceKind, ParsedFile) {
        let id = FileId(i as u32);
        let bytes = match &f.member {
            Some(b) => Ok(std::borrow::Cow::Borrowed(b.as_slice())),
            None => fs::read(&f.path).map(std::borrow::Cow::Owned),
        };
        match bytes {
            Ok(bytes) => {
                let format = match format {
                    ChargeFormat::Canonical | ChargeFormat::Unrecognised => {
                        classify(&f.path, &bytes).unwrap_or(format)
                    }
                    _ => format,
                };
                (format.kind(), read_format(format, &bytes, id, &f.rel))
            }
            Err(e) => {
                let mut p = ParsedFile::default();
                p.rejected.push(Rejection {
                    file: f.rel.clone(),
                    position: Position::File,
                    reason: format!("cannot read the file ({e})"),
                    rows: 0,
                });
                (format.kind(), p)
            }
        }
    };
    let supersedes = bills.iter().any(|(_, format)| {
        matches!(format, ChargeFormat::Layout(i)
            if crate::layouts().get(*i).is_some_and(|l| l.superseded_by.is_some()))
    });
    // Files are read in parallel, in groups of about GROUP_BYTES, each group merged
    // before the next is read: the rows are held twice (per file, then in the dump)
    // for one group at a time, not for the whole client. A layout that another
    // supersedes needs every file read before the merge.
    let groups: Vec<std::ops::Range<usize>> = if supersedes {
        std::iter::once(0..bills.len()).collect()
    } else {
        let mut groups = Vec::new();
        let (mut start, mut bytes) = (0, 0u64);
        for (i, (f, _)) in bills.iter().enumerate() {
            bytes += match &f.member {
                Some(b) => b.len() as u64,
                None => fs::metadata(&f.path).map_or(0, |m| m.len()),
            };
            if bytes >= group_bytes {
                groups.push(start..i + 1);
                (start, bytes) = (i + 1, 0);
            }
        }
        if start < bills.len() {
            groups.push(start..bills.len());
        }
        groups
    };
    for group in groups {
        let first = group.start;
        let mut parsed: Vec<(SourceKind, ParsedFile)> = bills[group.clone()]
            .par_iter()
            .enumerate()
            .map(|(k, (f, format))| read_one(first + k, f, *format))
            .collect();
        if supersedes {
            supersede(&bills, &mut parsed, &mut dump.warnings);
        }
        for ((f, _), (kind, _)) in bills[group].iter().zip(&parsed) {
            dump.files.push(SourceFile {
                path: f.rel.clone(),
                kind: kind.clone(),
            });
        }
        merge(&mut dump, first, parsed.into_iter().map(|(_, p)| p).collect());
    }

    let refused_rows: u64 = dump.rejected.iter().map(|r| r.rows).sum();
    if dump.rows.is_empty() && refused_rows == 0 {
        let mut detail = format!("{} bill file(s) read", bills.len());
        if skipped > 0 {
            detail.push_str(&format!(", {skipped} other file(s) skipped"));
        }
        if let Some(r) = dump.rejected.first() {
            detail.push_str(&format!("; {}: {}", r.file, r.reason));
        }
        return Err(ClientError::NoChargeRows {
            path: dir.to_path_buf(),
            detail,
        });
    }

    for name in ["inventory.csv", "contracts.csv"] {
        let path = dir.join(name);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                dump.rejected.push(Rejection {
                    file: name.to_string(),
                    position: Position::File,
                    reason: format!("cannot read the file ({e})"),
                    rows: 0,
                });
                continue;
            }
        };
        let id = FileId(dump.files.len() as u32);
        if name == "inventory.csv" {
            dump.files.push(SourceFile {
                path: name.to_string(),
                kind: SourceKind::Inventory,
            });
            let t = read_inventory(&bytes, id, name, &mut dump.strings);
            dump.inventory = t.records;
            dump.rejected.extend(t.rejected);
            dump.warnings.extend(t.warnings);
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
    if config.is_some() {
        dump.files.push(SourceFile {
            path: "client.toml".to_string(),
            kind: SourceKind::ClientToml,
        });
    }
    Ok(dump)
}

/// Bill files read in parallel before their rows are merged into the dump (see
/// [`read_client`]): 64 MiB of files.
const GROUP_BYTES: u64 = 64 << 20;

/// Appends the files' results (file `i` of `files` has `FileId(first + i)`),
/// remapping their symbols into the dump's interner. Interners are absorbed in file
/// order (so symbol numbers never depend on thread timing); the rows are remapped in
/// parallel, in place, then appended.
fn merge(dump: &mut Dump, first: usize, files: Vec<ParsedFile>) {
    let maps: Vec<Vec<Sym>> = files.iter().map(|p| dump.strings.absorb(&p.strings)).collect();
    let mut files = files;
    files
        .par_iter_mut()
        .zip(&maps)
        .enumerate()
        .for_each(|(i, (p, map))| {
            let file = FileId((first + i) as u32);
            for r in &mut p.rows {
                r.remap_symbols(map);
                r.source.file = file;
            }
            p.strings = Interner::new();
        });
    let total: usize = dump.rows.len() + files.iter().map(|p| p.rows.len()).sum::<usize>();
    if !dump.rows.is_empty() {
        dump.rows.reserve(total - dump.rows.len());
    }
    for ((i, mut p), map) in files.into_iter().enumerate().zip(&maps) {
        let m = |s: Sym| map.get(s.0 as usize).copied().unwrap_or(Sym::EMPTY);
        let offset = dump.rows.len() as u32;
        let file = FileId((first + i) as u32);
        if dump.rows.is_empty() {
            // The first rows are moved, not copied (a client of one huge file copies
            // nothing), then grown to the total (a large block grows in place).
            std::mem::swap(&mut dump.rows, &mut p.rows);
            dump.rows.reserve(total - dump.rows.len());
        } else {
            dump.rows.append(&mut p.rows);
        }
        drop(p.rows);
        for mut u in p.unbalanced {
            u.carrier = m(u.carrier);
            u.account = m(u.account);
            u.invoice = m(u.invoice);
            u.source.file = file;
            u.rows = u.rows.start + offset..u.rows.end + offset;
            dump.unbalanced.push(u);
        }
        dump.rejected.extend(p.rejected);
        dump.warnings.extend(p.warnings);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
