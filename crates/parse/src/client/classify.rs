//! Step 2 of reading a client: tell each found file's format (canonical CSV, X12,
//! a carrier layout), open archives into their members, and warn about every file
//! that is not read.

use super::side;
use super::walk::{Found, Source};
use crate::text::{decode_text, is_edi};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use telaudit_model::{ClientConfig, Position, Rejection, SkipKind, SkippedFile, SourceKind, Warning};

/// How a bill file is read. A new input format is a new variant here, a case in
/// [`classify`] and one in [`super::read::read_format`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum ChargeFormat {
    /// Canonical charge CSV (formats.md section 2).
    Canonical,
    /// X12 811.
    Edi,
    /// A carrier layout, by index in [`crate::layouts`].
    Layout(usize),
    /// A `.csv` that neither the canonical reader nor any layout recognises: refused.
    Unrecognised,
}

impl ChargeFormat {
    /// The kind of source file it is, as the report lists it.
    pub fn kind(self) -> SourceKind {
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

/// The files to read, each with its format, in the order they are merged.
pub(super) type Bills = Vec<(Found, ChargeFormat)>;

/// Extensions of tables a carrier layout may be in (besides EDI's).
const TABLE_EXTENSIONS: [&str; 3] = ["csv", "txt", "tsv"];

/// Extensions of zip archives whose members are bill files (Verizon's Raw Data Download).
const ARCHIVE_EXTENSIONS: [&str; 2] = ["zip", "rdd"];

/// How many bytes of a table its classification reads (its header lines).
const TABLE_HEAD: usize = 65_536;

/// The most bytes of small tables classification keeps in memory (read whole
/// while classifying, so not opened again when read).
const KEPT_BYTES: u64 = 64 << 20;

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
    canonical_names(text, ',') >= 5
}

/// How many of the required canonical names the first line of `text` holds when
/// split on `sep`.
pub(super) fn canonical_names(text: &str, sep: char) -> usize {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let names: Vec<&str> = first
        .split(sep)
        .map(|f| f.trim().trim_matches('"').trim())
        .collect();
    CANONICAL_REQUIRED
        .iter()
        .filter(|c| names.iter().any(|x| x.eq_ignore_ascii_case(c)))
        .count()
}

/// The format of a file below invoices/, from its name and bytes (the first 64 KiB
/// suffice for tables); None: not a bill file.
pub(super) fn classify(path: &Path, head: &[u8]) -> Option<ChargeFormat> {
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
    classify_table(path, &text)
}

/// A text file that is the whole of a file below invoices/ (its decoded text),
/// as [`classify`] reads it.
pub(super) type Decoded<'b> = (Cow<'b, str>, Option<String>);

/// [`classify`] on a file's whole bytes, with the decoded text when it was decoded
/// (a table that is not X12): the canonical reader then reads that text instead of
/// decoding the bytes a second time (a UTF-8 check and a byte-order-mark search
/// over the whole file).
pub(super) fn classify_whole<'b>(
    path: &Path,
    bytes: &'b [u8],
) -> (Option<ChargeFormat>, Option<Decoded<'b>>) {
    if is_edi(path, bytes) {
        return (Some(ChargeFormat::Edi), None);
    }
    if !extension_is(path, &TABLE_EXTENSIONS) {
        return (None, None);
    }
    let decoded = decode_text(bytes);
    (classify_table(path, &decoded.0), Some(decoded))
}

/// The format of a table (not X12) from its decoded text.
fn classify_table(path: &Path, text: &str) -> Option<ChargeFormat> {
    // An empty table (or only blank lines) goes to the canonical reader, which
    // warns "empty file": a failed export is shown, not refused as unrecognised.
    if looks_canonical(text) || text.trim().is_empty() {
        return Some(ChargeFormat::Canonical);
    }
    if let Some(i) = crate::layout::recognise(text) {
        return Some(ChargeFormat::Layout(i));
    }
    extension_is(path, &["csv"]).then_some(ChargeFormat::Unrecognised)
}

/// The client.toml `[[layouts]]` patterns, compiled once per client: each with the
/// index of its layout. First match wins.
pub(super) struct Forced(Vec<(crate::glob::PathGlob, usize)>);

impl Forced {
    /// Compiles the patterns of `config` (checked when client.toml was read: a
    /// pattern that does not compile, or names no layout, forces nothing).
    pub fn new(config: &ClientConfig) -> Forced {
        Forced(
            config
                .layouts
                .iter()
                .filter_map(|f| {
                    let glob = crate::glob::PathGlob::new(&f.path).ok()?;
                    Some((glob, crate::layout::layout_index(&f.layout)?))
                })
                .collect(),
        )
    }

    /// The layout forced on this path (`[[layouts]] path = "invoices/att/*.txt"`).
    fn layout(&self, rel: &str) -> Option<usize> {
        self.0.iter().find(|(g, _)| g.is_match(rel)).map(|(_, i)| *i)
    }
}

/// What classifying the found files gives, and what it warned about or refused.
pub(super) struct Classified {
    /// The bill files to read, in order.
    pub bills: Bills,
    /// How many files (or archive members) were not bill files.
    pub skipped: usize,
    /// The files (or members) skipped, each with why (formats.md section 11).
    pub skipped_files: Vec<SkippedFile>,
}

/// The unpacked archive members a client may hold in memory together (2 GiB, the
/// limit of one archive): past it, an archive (or member) is refused, saying so.
pub(super) const ARCHIVE_BUDGET: u64 = crate::zip::MAX_TOTAL_BYTES;

/// How many bytes of unpacked archive members the client may still hold.
struct Budget {
    /// The client-wide cap ([`ARCHIVE_BUDGET`]; smaller in tests).
    cap: u64,
    /// The bytes of the members kept so far.
    held: u64,
}

impl Budget {
    fn left(&self) -> u64 {
        self.cap.saturating_sub(self.held)
    }

    /// The limits for the next archive: what is left of the client's budget.
    fn limits(&self) -> crate::zip::ZipLimits {
        crate::zip::ZipLimits {
            member: crate::zip::MAX_MEMBER_BYTES.min(self.left()),
            total: self.left(),
        }
    }

    /// A refusal's reason, saying the client-wide cap when the refusal is about size
    /// and other archives used part of the cap.
    fn explain(&self, reason: String) -> String {
        let about_size =
            reason.contains("bytes telaudit reads from one member") || reason.contains("bytes in all");
        if self.held == 0 || !about_size {
            return reason;
        }
        format!(
            "{reason} (the client's earlier archives already hold {} of the {} bytes telaudit \
             unpacks for one client: unpack the archives into invoices/, or audit them as \
             separate clients)",
            self.held, self.cap
        )
    }
}

/// Classifies the found files in their order; the same file reached twice (through
/// a link) is read once, an archive becomes its members. Every file not read gets
/// a warning, or a refusal if it could not be read at all.
///
/// The members of all archives held together stay under `archive_budget` bytes
/// ([`ARCHIVE_BUDGET`]); an archive past what is left is refused whole, a member
/// past it alone.
pub(super) fn classify_all(
    found: Vec<Found>,
    config: &ClientConfig,
    archive_budget: u64,
    warnings: &mut Vec<Warning>,
    rejected: &mut Vec<Rejection>,
) -> Classified {
    let mut out = Classified {
        bills: Vec::new(),
        skipped: 0,
        skipped_files: Vec::new(),
    };
    let mut seen: HashMap<PathBuf, String> = HashMap::new();
    let mut kept = 0u64;
    let config = &Forced::new(config);
    let mut budget = Budget {
        cap: archive_budget,
        held: 0,
    };
    // Call-detail data files and the header files beside them, per folder.
    let beside = {
        let entries: Vec<side::Entry<'_>> = found.iter().map(|f| entry(&f.rel, false)).collect();
        side::pair(&entries, &|i| {
            found[i].head(side::MAX_HEADER_BYTES + 1).into_owned()
        })
    };
    for (i, f) in found.into_iter().enumerate() {
        if let Source::Disk { canonical } = &f.source {
            if let Some(first) = seen.get(canonical) {
                let message = format!("the same file as {first}; skipped");
                skip(&mut out.skipped_files, &f.rel, SkipKind::Copy, &message);
                warn(warnings, &f.rel, message);
                continue;
            }
            seen.insert(canonical.clone(), f.rel.clone());
        }
        if extension_is(&f.path, &ARCHIVE_EXTENSIONS) {
            let before = out.bills.len();
            let notes = &mut Notes {
                warnings,
                skipped: &mut out.skipped_files,
            };
            out.skipped += archive_members(f, config, &mut budget, &mut out.bills, notes, rejected);
            budget.held += out.bills[before..].iter().map(|(m, _)| m.size()).sum::<u64>();
        } else {
            let notes = &mut Notes {
                warnings,
                skipped: &mut out.skipped_files,
            };
            let side = Side::of(&beside, i);
            out.skipped += classify_file(
                f,
                config,
                &mut out.bills,
                notes,
                (side, &mut *rejected, &mut kept),
            );
        }
    }
    out
}

/// A file's folder and name, for pairing; an archive member's (`x.zip!dir/name`)
/// folder is the archive's, with the member's own folders.
fn entry(rel: &str, member: bool) -> side::Entry<'_> {
    let cut = if member {
        rel.rfind(['/', '!'])
    } else {
        rel.rfind('/')
    };
    let (folder, name) = match cut {
        Some(i) => (&rel[..i], &rel[i + 1..]),
        None => ("", rel),
    };
    side::Entry { folder, name, rel }
}

/// What a file is to the pairing of call detail with its header file.
enum Side<'a> {
    /// Neither a call-detail data file nor a header file.
    None,
    /// A call-detail data file: its header file, or why it has none.
    Data(Result<std::sync::Arc<side::HeaderBytes>, String>),
    /// A header file, with the names of the data files it goes with.
    Header(&'a [String]),
}

impl<'a> Side<'a> {
    fn of(beside: &'a side::Beside, i: usize) -> Side<'a> {
        if let Some(data) = beside.header_for(i) {
            return Side::Header(data);
        }
        match beside.header_of(i) {
            Some(pick) => Side::Data(pick),
            None => Side::None,
        }
    }
}

/// The warning of a header file with no call-detail data file beside it.
fn header_note() -> String {
    "the column names (header file) of call detail, with no data file beside it to read them with; \
     nothing to read"
        .into()
}

/// The layout of a call-detail data file `name` (not recognised by its own first
/// lines) from its header file, with the header attached; Err: why it is refused.
fn side_format(
    name: &str,
    pick: Result<std::sync::Arc<side::HeaderBytes>, String>,
) -> Result<(ChargeFormat, std::sync::Arc<side::HeaderBytes>), String> {
    let header = pick?;
    let header_name = header.rel.rsplit(['/', '!']).next().unwrap_or(&header.rel);
    let (text, _) = decode_text(&header.bytes);
    match crate::layout::recognise_side(name, header_name, &text) {
        Ok(i) => Ok((ChargeFormat::Layout(i), header)),
        Err(why) => Err(format!("its header file {}: {why}; not read", header.rel)),
    }
}

fn warn(warnings: &mut Vec<Warning>, file: &str, message: String) {
    warnings.push(Warning {
        file: file.to_string(),
        position: Position::File,
        message,
    });
}

fn skip(skipped: &mut Vec<SkippedFile>, file: &str, kind: SkipKind, reason: &str) {
    skipped.push(SkippedFile {
        file: file.to_string(),
        kind,
        reason: reason.to_string(),
    });
}

/// Where classifying warns about a file it skips, and lists it as skipped.
struct Notes<'a> {
    warnings: &'a mut Vec<Warning>,
    skipped: &'a mut Vec<SkippedFile>,
}

impl Notes<'_> {
    /// Warns that `file` is skipped and lists it, with `kind`.
    fn skip(&mut self, file: &str, kind: SkipKind, message: String) {
        skip(self.skipped, file, kind, &message);
        warn(self.warnings, file, message);
    }
}

fn refuse(rejected: &mut Vec<Rejection>, file: &str, reason: String) {
    rejected.push(Rejection {
        file: file.to_string(),
        position: Position::File,
        reason,
        rows: 0,
    });
}

/// The warning for a file of an "ignore" layout (a carrier export with no charges).
fn ignored(l: &crate::Layout) -> String {
    format!(
        "recognised as {} ({}): {}; no charges read from it",
        l.title, l.file, l.note
    )
}

/// Classifies one file (not an archive) and adds it to `bills`, or warns why it is
/// not read (a call-detail file that cannot be paired with its header file is
/// refused). Returns 1 if it is skipped, else 0.
fn classify_file(
    mut f: Found,
    config: &Forced,
    bills: &mut Bills,
    notes: &mut Notes<'_>,
    (side, rejected, kept): (Side<'_>, &mut Vec<Rejection>, &mut u64),
) -> usize {
    if let Side::Header(data) = side {
        // Read with its data files (the reports name it with them); alone, said.
        if data.is_empty() {
            notes.skip(&f.rel, SkipKind::NoCharges, header_note());
            return 1;
        }
        return 0;
    }
    let is_table = extension_is(&f.path, &TABLE_EXTENSIONS);
    let forced = config.layout(&f.rel);
    // Tables are classified on their first 64 KiB (header lines); .csv files are
    // classified again on their full bytes when read (X12 content wins).
    let format = if is_table || forced.is_some() {
        // A table shorter than its head is read whole here, and not opened again
        // (while the tables kept stay under [`KEPT_BYTES`]).
        let head = if *kept < KEPT_BYTES {
            let on_disk = matches!(f.source, Source::Disk { .. });
            let h = f.head_or_whole(TABLE_HEAD);
            if on_disk && matches!(f.source, Source::Memory(_)) {
                *kept += h.len() as u64;
            }
            h
        } else {
            f.head(TABLE_HEAD).into_owned()
        };
        classify_forced(&f.path, &head, forced)
    } else {
        classify(&f.path, &f.head(64))
    };
    let format = match (format, side) {
        (None | Some(ChargeFormat::Unrecognised), Side::Data(pick)) => {
            let name = f.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            match side_format(name, pick) {
                Ok((format, header)) => {
                    f.header = Some(header);
                    Some(format)
                }
                Err(why) => {
                    refuse(rejected, &f.rel, why);
                    return 1;
                }
            }
        }
        (format @ Some(ChargeFormat::Layout(_)), Side::Data(Ok(header))) => {
            // A layout forced on it: the header file beside it goes with it too.
            f.header = Some(header);
            format
        }
        (format, _) => format,
    };
    match format {
        Some(ChargeFormat::Layout(i))
            if crate::layouts()
                .get(i)
                .is_some_and(|l| l.role == crate::Role::Ignore) =>
        {
            if let Some(l) = crate::layouts().get(i) {
                notes.skip(&f.rel, SkipKind::NoCharges, ignored(l));
            }
            1
        }
        Some(format) => {
            bills.push((f, format));
            0
        }
        None if is_table => {
            let head = f.head(TABLE_HEAD);
            let (text, _) = decode_text(&head);
            let message = format!(
                "not canonical charge CSV and no carrier layout recognises its header \
                 ({}); skipped",
                crate::layout::closest(&text)
            );
            notes.skip(&f.rel, SkipKind::NotRecognised, message);
            1
        }
        None => {
            notes.skip(
                &f.rel,
                SkipKind::NotRecognised,
                "not a bill file (expected .csv, .txt, .tsv, .edi, .x12, .811, or a .zip/.rdd of \
                 them); skipped"
                    .into(),
            );
            1
        }
    }
}

/// Opens a zip archive found below invoices/ and adds its members to `bills`, each
/// as its own file named `invoices/x.zip!Member name.txt` (line numbers count within
/// the member; client.toml `[[layouts]]` paths match that name), in name order.
/// A member no reader recognises, of an "ignore" layout, or a nested archive gets a
/// warning; a member that cannot be unpacked is refused; an unreadable archive is
/// refused whole. Returns how many members (or archives) were not bill files.
fn archive_members(
    f: Found,
    config: &Forced,
    budget: &mut Budget,
    bills: &mut Bills,
    notes: &mut Notes<'_>,
    rejected: &mut Vec<Rejection>,
) -> usize {
    let rel = f.rel.clone();
    let bytes = match f.into_bytes() {
        Ok(b) => b,
        Err(e) => {
            refuse(rejected, &rel, format!("cannot read the file ({e})"));
            return 1;
        }
    };
    let mut members = match crate::zip::read_zip(&bytes, budget.limits()) {
        Ok(m) => m,
        Err(e) => {
            let reason = format!("cannot open this zip archive: {e}; its files were not read");
            refuse(rejected, &rel, budget.explain(reason));
            return 1;
        }
    };
    drop(bytes);
    // In name order, like the files of a folder (zip tools list them in any order).
    members.sort_by(|a, b| a.name.cmp(&b.name));
    if members.is_empty() {
        notes.skip(&rel, SkipKind::NoCharges, "an empty zip archive; skipped".into());
        return 1;
    }
    let rels: Vec<String> = members.iter().map(|m| format!("{rel}!{}", m.name)).collect();
    let beside = {
        let entries: Vec<side::Entry<'_>> = rels.iter().map(|r| entry(r, true)).collect();
        let bytes = |i: usize| match &members[i].content {
            Ok(d) => d[..d.len().min(side::MAX_HEADER_BYTES + 1)].to_vec(),
            Err(_) => Vec::new(),
        };
        side::pair(&entries, &bytes)
    };
    let mut skipped = 0;
    for (i, (m, member_rel)) in members.into_iter().zip(rels).enumerate() {
        match m.content {
            Ok(data) => {
                let member = Member {
                    rel: member_rel,
                    name: m.name,
                    data,
                };
                let side = Side::of(&beside, i);
                skipped += archive_member(member, config, bills, notes, (side, &mut *rejected))
            }
            Err(e) => {
                let reason = format!("cannot unpack this archive member: {e}");
                refuse(rejected, &member_rel, budget.explain(reason));
                skipped += 1;
            }
        }
    }
    skipped
}

/// An unpacked archive member: its name shown (`archive!member`), its own name
/// and its bytes.
struct Member {
    rel: String,
    name: String,
    data: Vec<u8>,
}

/// Classifies one unpacked archive member and adds it to `bills`, or warns why it
/// is not read. Returns 1 if it is skipped, else 0.
fn archive_member(
    member: Member,
    config: &Forced,
    bills: &mut Bills,
    notes: &mut Notes<'_>,
    side: (Side<'_>, &mut Vec<Rejection>),
) -> usize {
    let Member { rel, name, data } = member;
    let path = PathBuf::from(&name);
    if extension_is(&path, &ARCHIVE_EXTENSIONS) {
        notes.skip(
            &rel,
            SkipKind::NotRecognised,
            "an archive inside an archive is not opened; unpack it".into(),
        );
        return 1;
    }
    if !matches!(side.0, Side::None) {
        // Call detail and its header file: classified as a file of a folder is.
        let found = Found {
            rel,
            path,
            source: Source::Memory(data),
            header: None,
        };
        // Already in memory: it counts against the archives' budget, not the tables kept.
        let (side, rejected) = side;
        return classify_file(found, config, bills, notes, (side, rejected, &mut 0));
    }
    let head = &data[..data.len().min(TABLE_HEAD)];
    match classify_forced(&path, head, config.layout(&rel)) {
        Some(ChargeFormat::Layout(i)) if crate::layouts()[i].role == crate::Role::Ignore => {
            notes.skip(&rel, SkipKind::NoCharges, ignored(&crate::layouts()[i]));
            1
        }
        Some(ChargeFormat::Unrecognised) | None => {
            let (text, _) = decode_text(head);
            let message = format!(
                "archive member not read: not canonical charge CSV, not X12 811, and no carrier \
                 layout recognises it ({}); skipped",
                crate::layout::closest(&text)
            );
            notes.skip(&rel, SkipKind::NotRecognised, message);
            1
        }
        Some(format) => {
            bills.push((
                Found {
                    rel,
                    path,
                    source: Source::Memory(data),
                    header: None,
                },
                format,
            ));
            0
        }
    }
}
