//! Step 3 of reading a client: read the classified bill files in parallel, in
//! groups of about 64 MiB, and merge each group into the dump in path order.

use super::classify::{classify_whole, Bills, ChargeFormat};
use super::merge::merge;
use super::walk::Found;
use crate::text::decode_text;
use crate::{read_canonical_csv, read_edi, ParsedFile};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use telaudit_model::{
    Dump, FileId, Position, Rejection, SkipKind, SkippedFile, SourceFile, SourceKind, Warning,
};

/// Reads one file's bytes in the given format (a call-detail file with the header
/// file beside it, when its layout has one), then refuses the rows whose quantity x
/// unit_rate no sum could hold.
pub(super) fn read_format(
    format: ChargeFormat,
    bytes: &[u8],
    header: Option<&super::side::HeaderBytes>,
    file: FileId,
    path: &str,
) -> ParsedFile {
    let mut p = match format {
        ChargeFormat::Canonical => read_canonical_csv(bytes, file, path),
        ChargeFormat::Edi => read_edi(bytes, file, path),
        ChargeFormat::Layout(i) => match crate::layouts().get(i) {
            Some(l) => {
                let header = header.map(|h| crate::HeaderInput {
                    path: &h.rel,
                    bytes: &h.bytes,
                });
                crate::read_layout_with(l, bytes, header, file, path)
            }
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
    let reason = if super::classify::canonical_names(&text, ';') >= 5 {
        // A spreadsheet in a European locale saves "CSV" with ';' between columns.
        format!(
            "the columns are separated by ';', not ',' (likely a spreadsheet export in a European \
             locale): save it again as CSV with ',' between columns and '.' as the decimal point; \
             as canonical CSV, {why}"
        )
    } else {
        format!(
            "no layout recognises this file: as canonical CSV, {why}; {}; if it is a carrier export, \
             add a layout (README: Adding a carrier layout) or force one in client.toml [[layouts]]",
            crate::layout::closest(&text)
        )
    };
    let mut p = ParsedFile::default();
    p.rejected.push(Rejection {
        file: path.to_string(),
        position: Position::File,
        reason,
        rows,
    });
    p
}

/// What reading one bill file gives: how it was read, what it yielded, and the
/// fingerprint of its bytes (XXH3-128 and length; `None` for an empty or
/// unreadable file) that tells a second delivery of the same file.
struct ReadFile {
    kind: SourceKind,
    parsed: ParsedFile,
    bytes: Option<(u128, u64)>,
}

/// Reads the `i`-th bill file. A table classified as canonical (or unrecognised) on
/// its head is classified again on its full bytes (X12 content wins), and read from
/// the text decoded for that when it is canonical; a file that cannot be read is
/// refused whole. (A frame of its own, never inlined: profiles show a file's cost.)
#[inline(never)]
fn read_one(i: usize, f: &Found, format: ChargeFormat) -> ReadFile {
    let id = FileId(i as u32);
    match f.bytes() {
        Ok(bytes) => {
            let (format, decoded) = match format {
                ChargeFormat::Canonical | ChargeFormat::Unrecognised => {
                    let (whole, decoded) = classify_whole(&f.path, &bytes);
                    (whole.unwrap_or(format), decoded)
                }
                _ => (format, None),
            };
            let parsed = match (format, decoded) {
                (ChargeFormat::Canonical, Some((text, warning))) => {
                    let mut p = crate::canonical::read_canonical_decoded(&text, warning, id, &f.rel);
                    crate::limits::refuse_out_of_range(&mut p, &f.rel, false);
                    p
                }
                (format, _) => read_format(format, &bytes, f.header.as_deref(), id, &f.rel),
            };
            // An empty file is never a copy: two failed exports are two failures,
            // each warned about, not one bill delivered twice.
            let fingerprint =
                (!bytes.is_empty()).then(|| (xxhash_rust::xxh3::xxh3_128(&bytes), bytes.len() as u64));
            ReadFile {
                kind: format.kind(),
                parsed,
                bytes: fingerprint,
            }
        }
        Err(e) => {
            let mut p = ParsedFile::default();
            p.rejected.push(Rejection {
                file: f.rel.clone(),
                position: Position::File,
                reason: format!("cannot read the file ({e})"),
                rows: 0,
            });
            ReadFile {
                kind: format.kind(),
                parsed: p,
                bytes: None,
            }
        }
    }
}

/// Whether some bill is of a layout that another layout's file may supersede.
fn any_superseded(bills: &Bills) -> bool {
    bills.iter().any(|(_, format)| {
        matches!(format, ChargeFormat::Layout(i)
            if crate::layouts().get(*i).is_some_and(|l| l.superseded_by.is_some()))
    })
}

/// The bills cut into runs of about `group_bytes` (a run ends with the file that
/// reaches it); one run when a layout may be superseded (that needs every file
/// read before the merge).
fn groups(bills: &Bills, group_bytes: u64, supersedes: bool) -> Vec<Range<usize>> {
    if supersedes {
        return std::iter::once(0..bills.len()).collect();
    }
    let mut groups = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, (f, _)) in bills.iter().enumerate() {
        bytes += f.size();
        if bytes >= group_bytes {
            groups.push(start..i + 1);
            (start, bytes) = (i + 1, 0);
        }
    }
    if start < bills.len() {
        groups.push(start..bills.len());
    }
    groups
}

/// Reads the bills into `dump` (file `i` of `bills` becomes `FileId(i)`). Files are
/// read in parallel, in groups of about `group_bytes`, each group merged before the
/// next is read: the rows are held twice (per file, then in the dump) for one
/// group at a time, not for the whole client.
///
/// A file whose bytes equal an earlier file's (in this order) that gave charge rows
/// is a second delivery (formats.md section 11): what reading it gave is dropped
/// whole, it gets no `FileId`, and a warning names both files. A copy of a file
/// that gave none (refused, unrecognised) is read and reported as that one was.
pub(super) fn read_bills(bills: &Bills, group_bytes: u64, dump: &mut Dump) {
    let supersedes = any_superseded(bills);
    // The first file with each fingerprint, over the whole client.
    let mut firsts: HashMap<(u128, u64), usize> = HashMap::new();
    // Their warnings follow every file's own (the same order whatever the groups).
    let mut copies: Vec<(usize, usize)> = Vec::new();
    for group in groups(bills, group_bytes, supersedes) {
        let start = group.start;
        let read: Vec<ReadFile> = bills[group]
            .par_iter()
            .enumerate()
            .map(|(k, (f, format))| read_one(start + k, f, *format))
            .collect();
        let mut parsed: Vec<(usize, SourceKind, ParsedFile)> = Vec::with_capacity(read.len());
        for (k, r) in read.into_iter().enumerate() {
            let i = start + k;
            if let Some(fp) = r.bytes {
                if let Some(&earlier) = firsts.get(&fp) {
                    copies.push((i, earlier));
                    continue;
                }
                // Only a file that gave charges is one a copy can be counted from: a
                // copy of a refused or unrecognised file is refused the same way.
                if !r.parsed.rows.is_empty() {
                    firsts.insert(fp, i);
                }
            }
            parsed.push((i, r.kind, r.parsed));
        }
        if supersedes {
            supersede(bills, &mut parsed, &mut dump.warnings);
        }
        let first = dump.files.len();
        for (i, kind, _) in &parsed {
            dump.files.push(SourceFile {
                path: bills[*i].0.rel.clone(),
                kind: kind.clone(),
            });
        }
        merge(dump, first, parsed.into_iter().map(|(_, _, p)| p).collect());
    }
    for (copy, earlier) in copies {
        skip_copy(dump, &bills[copy].0.rel, &bills[earlier].0.rel);
    }
}

/// Records that `copy` is skipped: its bytes equal `first`'s.
fn skip_copy(dump: &mut Dump, copy: &str, first: &str) {
    let message = format!(
        "the same bytes as {first}: a second delivery of the same file; skipped (its charges are \
         counted once, from {first})"
    );
    dump.skipped.push(SkippedFile {
        file: copy.to_string(),
        kind: SkipKind::Copy,
        reason: message.clone(),
    });
    dump.warnings.push(Warning {
        file: copy.to_string(),
        position: Position::File,
        message,
    });
}

/// Drops the rows of a layout that another layout's file supersedes for the same
/// account and invoice (Verizon's per-line summary when the itemised detail of the
/// same invoice is there too), so no money is counted twice; one warning per file.
/// The dropped file's stated totals of those invoices are kept, marked with the
/// superseding layout, for BAL002.
fn supersede(bills: &Bills, parsed: &mut [(usize, SourceKind, ParsedFile)], warnings: &mut Vec<Warning>) {
    let name_of = |f: &ChargeFormat| match f {
        ChargeFormat::Layout(i) => crate::layouts().get(*i),
        _ => None,
    };
    for k in 0..parsed.len() {
        let (found, format) = &bills[parsed[k].0];
        let Some(by) = name_of(format).and_then(|l| l.superseded_by.as_deref()) else {
            continue;
        };
        let mut covered: BTreeSet<(String, String)> = BTreeSet::new();
        for (i, _, p) in parsed.iter() {
            if name_of(&bills[*i].1).is_some_and(|l| l.name == by) {
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
        let p = &mut parsed[k].2;
        // Its stated totals stay (BAL002 compares them with the rows counted) and
        // say which layout's rows were counted instead.
        for t in &mut p.stated {
            let key = (
                p.strings.get(t.account).to_string(),
                p.strings.get(t.invoice).to_string(),
            );
            if covered.contains(&key) {
                t.superseded_by = Some(by.to_string());
            }
        }
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
