//! Warnings that repeat (a skipped segment kind, a charge with no bill section)
//! are counted: one warning per kind, at its first position, with the count.

use std::collections::BTreeMap;
use telaudit_model::{Position, Warning};

/// A warning kind plus up to 8 bytes of segment id and qualifier, so counting
/// a million skipped segments allocates nothing.
type Key = (&'static str, [u8; 8]);

#[derive(Default)]
pub(crate) struct Notes {
    map: BTreeMap<Key, Note>,
}

struct Note {
    count: u64,
    first: u32,
    message: String,
}

pub(crate) fn key_bytes(parts: &[&[u8]]) -> [u8; 8] {
    let mut k = [0u8; 8];
    let mut i = 0;
    for (n, p) in parts.iter().enumerate() {
        if n > 0 && i < 8 {
            k[i] = b'*';
            i += 1;
        }
        for &c in p.iter() {
            if i < 8 {
                k[i] = c;
                i += 1;
            }
        }
    }
    k
}

impl Notes {
    /// Counts one occurrence; `message` is built only for the first.
    pub fn note(&mut self, kind: &'static str, key: [u8; 8], pos: u32, message: impl FnOnce() -> String) {
        self.map
            .entry((kind, key))
            .and_modify(|n| {
                n.count += 1;
                n.first = n.first.min(pos);
            })
            .or_insert_with(|| Note {
                count: 1,
                first: pos,
                message: message(),
            });
    }

    /// Adds `count` occurrences first seen at `first`.
    pub fn note_many(
        &mut self,
        kind: &'static str,
        count: u64,
        first: u32,
        message: impl FnOnce() -> String,
    ) {
        if count == 0 {
            return;
        }
        self.map
            .entry((kind, [0; 8]))
            .and_modify(|n| {
                n.count += count;
                n.first = n.first.min(first);
            })
            .or_insert_with(|| Note {
                count,
                first,
                message: message(),
            });
    }

    pub fn into_warnings(self, path: &str) -> Vec<Warning> {
        let mut out: Vec<Warning> = self
            .map
            .into_values()
            .map(|n| Warning {
                file: path.to_string(),
                position: Position::Segment(u64::from(n.first)),
                message: if n.count == 1 {
                    n.message
                } else {
                    format!("{} ({} times; the first is at this segment)", n.message, n.count)
                },
            })
            .collect();
        out.sort_by(|a, b| {
            a.position
                .cmp(&b.position)
                .then_with(|| a.message.cmp(&b.message))
        });
        out
    }
}
