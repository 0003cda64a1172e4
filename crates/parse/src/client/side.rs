//! Pairing call-detail data files with the header file beside them (layouts with
//! `header_file`, crates/parse/src/layout/side.rs), within one folder or archive.
//!
//! A data file (its name matches a layout's `data_file`, and its own first lines
//! are not a header any reader knows) goes with the one header file beside it
//! (its name matches the layout's `header_file`); with several, with the one whose
//! `*` part is the longest start of the data file's (`Header-GPRS.txt` for
//! `ALL_CALLS-GPRS-Rm.txt`, not `Header-SMS.txt`). None, or several equally good,
//! refuses the data file, naming what is there.

use crate::layout::{is_header_file, is_header_text, side_layouts_of};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The largest header file read (a column list is a few hundred bytes).
pub(super) const MAX_HEADER_BYTES: usize = 1 << 20;

/// A header file's name and bytes, held by the data files that go with it.
#[derive(Debug)]
pub(crate) struct HeaderBytes {
    /// Its path as shown in messages (`invoices/x.zip!Header-GPRS.txt`).
    pub rel: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// One file of a folder or archive, as the pairing sees it.
pub(super) struct Entry<'a> {
    /// The folder (or `archive!folder`) it is in.
    pub folder: &'a str,
    /// Its file name.
    pub name: &'a str,
    /// Its path as shown in messages.
    pub rel: &'a str,
}

/// The pairing of one client's (or archive's) files, by their index.
#[derive(Default)]
pub(super) struct Beside {
    /// A data file's header file (index), or why it has none.
    pub data: BTreeMap<usize, Result<usize, String>>,
    /// A header file's bytes (None: not a header file after all, or too large)
    /// and the names of the data files that go with it.
    pub headers: BTreeMap<usize, (Option<Arc<HeaderBytes>>, Vec<String>)>,
}

impl Beside {
    /// The header file of data file `i`, when it has one: Some(Ok(header)), or
    /// Some(Err(why not)); None when `i` is no call-detail data file.
    pub fn header_of(&self, i: usize) -> Option<Result<Arc<HeaderBytes>, String>> {
        let pick = self.data.get(&i)?;
        Some(match pick {
            Err(e) => Err(e.clone()),
            Ok(h) => match self.headers.get(h) {
                Some((Some(b), _)) => Ok(Arc::clone(b)),
                _ => Err("its header file could not be read (larger than 1 MiB?)".to_string()),
            },
        })
    }

    /// For a header file: the data files that go with it (None: not a header file).
    pub fn header_for(&self, i: usize) -> Option<&[String]> {
        match self.headers.get(&i) {
            Some((Some(_), data)) => Some(data),
            _ => None,
        }
    }
}

/// Pairs the files of `entries` (in one order; folders may interleave). `bytes`
/// gives a header file's bytes (at most [`MAX_HEADER_BYTES`] + 1 of them). A file
/// named like a header file that is not one (no column lines) is left alone.
pub(super) fn pair(entries: &[Entry<'_>], bytes: &dyn Fn(usize) -> Vec<u8>) -> Beside {
    let mut out = Beside::default();
    let mut folders: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        folders.entry(e.folder).or_default().push(i);
    }
    for files in folders.values() {
        let mut headers: Vec<usize> = Vec::new();
        for &h in files.iter().filter(|&&i| is_header_file(entries[i].name)) {
            let b = bytes(h);
            if b.len() > MAX_HEADER_BYTES {
                out.headers.insert(h, (None, Vec::new()));
                headers.push(h);
            } else if is_header_text(&b) {
                let held = HeaderBytes {
                    rel: entries[h].rel.to_string(),
                    bytes: b,
                };
                out.headers.insert(h, (Some(Arc::new(held)), Vec::new()));
                headers.push(h);
            }
        }
        for &d in files {
            let name = entries[d].name;
            if headers.contains(&d) || side_layouts_of(name).next().is_none() {
                continue;
            }
            let pick = choose(entries, name, &headers);
            if let Ok(h) = pick {
                if let Some(e) = out.headers.get_mut(&h) {
                    e.1.push(name.to_string());
                }
            }
            out.data.insert(d, pick);
        }
    }
    out
}

/// The header file (index in `entries`) for the data file `name` among `headers`.
fn choose(entries: &[Entry<'_>], name: &str, headers: &[usize]) -> Result<usize, String> {
    // How far each header's `*` part runs along the data file's (None: it does not).
    let fit = |h: usize| -> Option<usize> {
        side_layouts_of(name)
            .filter_map(|l| {
                let side = l.side.as_ref()?;
                let (d, hs) = (side.data_stem(name)?, side.header_stem(entries[h].name)?);
                let starts = d.len() >= hs.len() && d[..hs.len()].eq_ignore_ascii_case(hs);
                Some(if starts { hs.len() + 1 } else { 0 })
            })
            .max()
    };
    let fits: Vec<(usize, usize)> = headers.iter().filter_map(|&h| fit(h).map(|f| (h, f))).collect();
    match fits.as_slice() {
        [] => {
            let want: Vec<String> = side_layouts_of(name)
                .filter_map(|l| l.side.as_ref().map(|s| s.header.clone()))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            Err(format!(
                "no header file beside it: the column names of this call detail are in a file named {} \
                 in the same folder or archive, and there is none; not read",
                want.join(" or ")
            ))
        }
        [(h, _)] => Ok(*h),
        _ => {
            let best = fits.iter().map(|f| f.1).max().unwrap_or(0);
            let top: Vec<usize> = fits.iter().filter(|f| f.1 == best).map(|f| f.0).collect();
            match top.as_slice() {
                [h] if best > 0 => Ok(*h),
                _ => {
                    let names: Vec<&str> = fits.iter().map(|f| entries[f.0].name).collect();
                    Err(format!(
                        "several header files beside it ({}) and no name tells which one names its columns; \
                         not read: put each export in a folder of its own",
                        names.join(", ")
                    ))
                }
            }
        }
    }
}
