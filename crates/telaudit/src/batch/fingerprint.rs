//! What a client's audit depends on, as one 128-bit fingerprint, and the
//! stable shard of a client id.
//!
//! The fingerprint is XXH3-128 (non-cryptographic: it detects change, it does
//! not resist forgery) over, in order: a format tag, the telaudit version, the
//! rule set's hash, the client id, then every file below the client folder in
//! byte order of its relative path: the path, the length and the contents.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::Xxh3;

/// One file below a client folder.
#[derive(Clone, Debug)]
pub struct InputFile {
    /// Relative to the client folder, `/`-separated.
    pub rel: String,
    pub path: PathBuf,
    pub len: u64,
}

/// Lists every file below `dir` (following links to folders once), sorted by
/// relative path. Hidden files count too: they are part of the input.
pub fn list_files(dir: &Path) -> io::Result<Vec<InputFile>> {
    let mut out = Vec::new();
    let mut seen = vec![fs::canonicalize(dir)?];
    walk(dir, "", &mut seen, &mut out)?;
    out.sort_by(|a, b| a.rel.as_bytes().cmp(b.rel.as_bytes()));
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, seen: &mut Vec<PathBuf>, out: &mut Vec<InputFile>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        // Follows links: a linked file is input like any other.
        let meta = fs::metadata(&path)?;
        if meta.is_dir() {
            let canon = fs::canonicalize(&path)?;
            if seen.contains(&canon) {
                continue; // a link back up the tree
            }
            seen.push(canon);
            walk(&path, &rel, seen, out)?;
        } else if meta.is_file() {
            out.push(InputFile {
                rel,
                path,
                len: meta.len(),
            });
        }
    }
    Ok(())
}

/// The fingerprint of an audit of `client` over `files` with rules hashed to
/// `rules_hash`, as 32 lowercase hex digits.
pub fn fingerprint(client: &str, files: &[InputFile], rules_hash: u128) -> io::Result<String> {
    let mut h = Xxh3::new();
    h.update(b"telaudit-batch-fingerprint/1\0");
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(b"\0");
    h.update(&rules_hash.to_le_bytes());
    h.update(client.as_bytes());
    h.update(b"\0");
    let mut buf = vec![0u8; 256 * 1024];
    for f in files {
        h.update(f.rel.as_bytes());
        h.update(b"\0");
        let mut file = fs::File::open(&f.path)?;
        let mut len = 0u64;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            len += n as u64;
            h.update(&buf[..n]);
        }
        h.update(&len.to_le_bytes());
    }
    Ok(format!("{:032x}", h.digest128()))
}

/// The rules hash with the hash of the `--layouts DIR` files folded in; without
/// `--layouts` it is the rules hash unchanged (the built-in layouts are part of
/// the telaudit version), so a batch run without it still finds its stored
/// outputs current.
pub fn with_layouts(rules_hash: u128, layouts_hash: Option<u128>) -> u128 {
    match layouts_hash {
        None => rules_hash,
        Some(l) => {
            let mut h = Xxh3::new();
            h.update(b"rules+layouts\0");
            h.update(&rules_hash.to_le_bytes());
            h.update(&l.to_le_bytes());
            h.digest128()
        }
    }
}

/// The rules hash with `--as-of` folded in (it changes the outputs); without it
/// the hash is unchanged, so stored outputs of a run without it stay current.
pub fn with_as_of(hash: u128, as_of: Option<telaudit_model::Date>) -> u128 {
    match as_of {
        None => hash,
        Some(d) => {
            let mut h = Xxh3::new();
            h.update(b"as-of\0");
            h.update(&hash.to_le_bytes());
            h.update(d.to_string().as_bytes());
            h.digest128()
        }
    }
}

/// The hash of a loaded rule set: every rule's id, kind, texts and parameters
/// (its full debug form, which holds nothing but the rule files' contents and
/// names, in id order).
pub fn rules_hash(rules: &telaudit_rules::RuleSet) -> u128 {
    let mut h = Xxh3::new();
    h.update(format!("{:?}", rules.rules()).as_bytes());
    h.digest128()
}

/// FNV-1a 64 of the client id's UTF-8 bytes.
pub fn fnv1a64(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The shard (1-based) of `client` among `n`: `fnv1a64(client) % n + 1`.
pub fn shard_of(client: &str, n: u64) -> u64 {
    fnv1a64(client) % n + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_published_vectors() {
        // From the FNV reference test suite.
        assert_eq!(fnv1a64(""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64("a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64("foobar"), 0x85944171f73967e8);
        assert_eq!(shard_of("a", 3), 0xaf63dc4c8601ec8c % 3 + 1);
    }

    #[test]
    fn the_fingerprint_sees_paths_and_contents() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("c");
        fs::create_dir_all(d.join("invoices")).unwrap();
        fs::write(d.join("invoices/a.csv"), "x,y\n").unwrap();
        let fp = |d: &Path| fingerprint("c", &list_files(d).unwrap(), 7).unwrap();
        let first = fp(&d);
        assert_eq!(first.len(), 32);
        assert_eq!(first, fp(&d));
        fs::write(d.join("invoices/a.csv"), "x,z\n").unwrap();
        let changed = fp(&d);
        assert_ne!(first, changed);
        fs::rename(d.join("invoices/a.csv"), d.join("invoices/b.csv")).unwrap();
        assert_ne!(changed, fp(&d));
        assert_ne!(fingerprint("c", &list_files(&d).unwrap(), 8).unwrap(), fp(&d));
        let files = list_files(&d).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].rel, "invoices/b.csv");
        assert_eq!(files[0].len, 4);
    }

    #[test]
    fn the_catalogue_and_the_load_export_are_part_of_the_fingerprint() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("c");
        fs::create_dir_all(d.join("invoices")).unwrap();
        fs::write(d.join("invoices/a.csv"), "x,y\n").unwrap();
        let fp = |d: &Path| fingerprint("c", &list_files(d).unwrap(), 7).unwrap();
        let mut seen = vec![fp(&d)];
        for (name, text) in [
            (
                "plans.csv",
                "kind,carrier,code,monthly,bandwidth_mbps\ncircuit,L,C1,1.00,10\n",
            ),
            (
                "plans.csv",
                "kind,carrier,code,monthly,bandwidth_mbps\ncircuit,L,C1,2.00,10\n",
            ),
            (
                "utilization.csv",
                "carrier,service_id,period_start,p95_in_mbps,p95_out_mbps\n",
            ),
            (
                "utilization.csv",
                "carrier,service_id,period_start,p95_in_mbps,p95_out_mbps\nL,C,2025-01-01,1,1\n",
            ),
        ] {
            fs::write(d.join(name), text).unwrap();
            let now = fp(&d);
            assert!(!seen.contains(&now), "{name}: {text}");
            seen.push(now);
        }
    }
}
