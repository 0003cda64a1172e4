//! Step 4 of reading a client: merge the files read in parallel into the one dump,
//! in file order, with one interner.

use crate::ParsedFile;
use rayon::prelude::*;
use telaudit_model::{Dump, FileId, Interner, Sym};

/// Appends the files' results (file `i` of `files` has `FileId(first + i)`),
/// remapping their symbols into the dump's interner. Interners are absorbed in file
/// order (so symbol numbers never depend on thread timing); the rows are remapped in
/// parallel, in place, then appended.
pub(super) fn merge(dump: &mut Dump, first: usize, files: Vec<ParsedFile>) {
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
        for mut t in p.stated {
            t.carrier = m(t.carrier);
            t.account = m(t.account);
            t.invoice = m(t.invoice);
            t.service = m(t.service);
            t.what = m(t.what);
            t.source.file = file;
            dump.stated.push(t);
        }
        dump.rejected.extend(p.rejected);
        dump.warnings.extend(p.warnings);
    }
}
