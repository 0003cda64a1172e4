//! A small, safe zip reader for the archives carriers deliver (Verizon's Raw Data
//! Download `.rdd`/`.zip`): the central directory is read, each member is inflated
//! (stored or deflate; miniz_oxide) into memory under a size cap and checked
//! against its CRC-32. Nothing is ever written to disk, so member names (`../x`,
//! absolute paths) only name a member in messages.

use miniz_oxide::inflate::{decompress_to_vec_with_limit, TINFLStatus};

/// The largest uncompressed member read (1 GiB); a larger one is refused.
pub const MAX_MEMBER_BYTES: u64 = 1 << 30;
/// The largest total uncompressed size of one archive's members (2 GiB).
pub const MAX_TOTAL_BYTES: u64 = 2 << 30;
/// The most members an archive may list.
const MAX_MEMBERS: usize = 100_000;

/// Size caps (the defaults above; tests use smaller ones).
#[derive(Copy, Clone, Debug)]
pub struct ZipLimits {
    /// The largest uncompressed size of one member: a bigger member is refused
    /// rather than unpacked (a zip bomb cannot fill the memory).
    pub member: u64,
    /// The largest uncompressed size of all members together: the archive is
    /// refused past it.
    pub total: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        ZipLimits {
            member: MAX_MEMBER_BYTES,
            total: MAX_TOTAL_BYTES,
        }
    }
}

/// One file in an archive: its name as stored (`/`-separated, shown as is) and,
/// if it could be read, its bytes; else why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipMember {
    /// The member's name as stored in the archive: it names the member in
    /// evidence (`x.zip!name`) and its extension tells the format.
    pub name: String,
    /// The unpacked bytes, or why the member could not be unpacked (refused alone,
    /// the other members are still read).
    pub content: Result<Vec<u8>, String>,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

const EOCD: u32 = 0x0605_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const LOCAL: u32 = 0x0403_4b50;

/// The members of a zip archive, in central-directory order; directories are left
/// out. Err: the archive as a whole cannot be read (not a zip, truncated, zip64,
/// split, too many members or too large in total), in words for the user.
pub fn read_zip(bytes: &[u8], limits: ZipLimits) -> Result<Vec<ZipMember>, String> {
    // The end-of-central-directory record: 22 bytes plus a comment of up to 64 KiB.
    let min = bytes.len().saturating_sub(22 + 65_535);
    let eocd = (min..=bytes.len().saturating_sub(22))
        .rev()
        .find(|&i| u32_at(bytes, i) == Some(EOCD))
        .filter(|_| bytes.len() >= 22)
        .ok_or("not a zip archive (no end-of-central-directory record; truncated or another format)")?;
    let field16 = |at: usize| u16_at(bytes, eocd + at).unwrap_or(0);
    let (disk, cd_disk) = (field16(4), field16(6));
    let entries = usize::from(field16(10));
    let cd_size = u32_at(bytes, eocd + 12).unwrap_or(0);
    let cd_offset = u32_at(bytes, eocd + 16).unwrap_or(0);
    if disk != 0 || cd_disk != 0 || usize::from(field16(8)) != entries {
        return Err("a split (multi-part) zip archive: join the parts into one archive".into());
    }
    if entries == 0xFFFF || cd_size == u32::MAX || cd_offset == u32::MAX {
        return Err(
            "a zip64 archive (over 4 GiB or 65,535 members) is not supported: unpack it and put \
                    its files in invoices/"
                .into(),
        );
    }
    if entries > MAX_MEMBERS {
        return Err(format!("lists {entries} members, more than {MAX_MEMBERS}"));
    }
    let cd_start = cd_offset as usize;
    let cd_end = cd_start
        .checked_add(cd_size as usize)
        .filter(|&e| e <= eocd)
        .ok_or("its central directory lies outside the file (truncated or corrupt archive)")?;
    let mut at = cd_start;
    let mut members = Vec::with_capacity(entries);
    let mut declared_total = 0u64;
    for k in 0..entries {
        let corrupt = || {
            format!(
                "central directory entry {} is corrupt (truncated or damaged archive)",
                k + 1
            )
        };
        if at + 46 > cd_end || u32_at(bytes, at) != Some(CENTRAL) {
            return Err(corrupt());
        }
        let f16 = |o: usize| u16_at(bytes, at + o).unwrap_or(0);
        let f32_ = |o: usize| u32_at(bytes, at + o).unwrap_or(0);
        let (flags, method) = (f16(8), f16(10));
        let (crc, csize, usize_) = (f32_(16), f32_(20), f32_(24));
        let (nlen, xlen, clen) = (usize::from(f16(28)), usize::from(f16(30)), usize::from(f16(32)));
        let local = f32_(42) as usize;
        let name_bytes = bytes.get(at + 46..at + 46 + nlen).ok_or_else(corrupt)?;
        let name = member_name(name_bytes, flags & 0x800 != 0);
        at += 46 + nlen + xlen + clen;
        if at > cd_end {
            return Err(corrupt());
        }
        if name.ends_with('/') {
            continue;
        }
        if csize == u32::MAX || usize_ == u32::MAX || local == u32::MAX as usize {
            return Err("a zip64 archive (a member over 4 GiB) is not supported: unpack it".into());
        }
        declared_total += u64::from(usize_);
        if declared_total > limits.total {
            return Err(format!(
                "its members unpack to more than {} bytes in all (a zip bomb, or too large to read \
                 at once): unpack it and put its files in invoices/",
                limits.total
            ));
        }
        let content = member(bytes, local, flags, method, crc, csize, usize_, limits);
        members.push(ZipMember { name, content });
    }
    Ok(members)
}

/// A member name: UTF-8 when flagged (or valid), else code page 437 read as Latin-1
/// for display. Control characters are shown as `?`; backslashes become `/`.
fn member_name(raw: &[u8], utf8: bool) -> String {
    let s = match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) if utf8 => String::from_utf8_lossy(raw).into_owned(),
        Err(_) => raw.iter().map(|&b| char::from(b)).collect(),
    };
    s.chars()
        .map(|c| match c {
            '\\' => '/',
            c if c.is_control() => '?',
            c => c,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn member(
    bytes: &[u8],
    local: usize,
    flags: u16,
    method: u16,
    crc: u32,
    csize: u32,
    size: u32,
    limits: ZipLimits,
) -> Result<Vec<u8>, String> {
    if flags & 0x1 != 0 {
        return Err("encrypted member: telaudit cannot read it; unpack it with its password".into());
    }
    if u64::from(size) > limits.member {
        return Err(format!(
            "unpacks to {size} bytes, more than the {} bytes telaudit reads from one member",
            limits.member
        ));
    }
    let corrupt = |what: &str| format!("{what} (damaged archive: download it again)");
    if u32_at(bytes, local) != Some(LOCAL) {
        return Err(corrupt("its local header is missing"));
    }
    let nlen = usize::from(u16_at(bytes, local + 26).unwrap_or(0));
    let xlen = usize::from(u16_at(bytes, local + 28).unwrap_or(0));
    let start = local + 30 + nlen + xlen;
    let data = bytes
        .get(start..start.saturating_add(csize as usize))
        .ok_or_else(|| corrupt("its data runs past the end of the file"))?;
    let out = match method {
        0 => data.to_vec(),
        8 => match decompress_to_vec_with_limit(data, size as usize) {
            Ok(v) => v,
            Err(e) if e.status == TINFLStatus::HasMoreOutput => {
                return Err(corrupt("it unpacks to more than its stated size"));
            }
            Err(e) => return Err(corrupt(&format!("its deflate data is corrupt ({:?})", e.status))),
        },
        m => {
            return Err(format!(
                "compressed with method {m} ({}); telaudit reads stored and deflate members: \
                 unpack it or re-pack it as a standard zip",
                match m {
                    9 => "deflate64",
                    12 => "bzip2",
                    14 => "lzma",
                    93 => "zstandard",
                    95 => "xz",
                    _ => "unknown",
                }
            ))
        }
    };
    if out.len() != size as usize {
        return Err(corrupt(&format!(
            "it unpacks to {} bytes, not the {size} its directory states",
            out.len()
        )));
    }
    if crc32(&out) != crc {
        return Err(corrupt("its CRC-32 check fails"));
    }
    Ok(out)
}

/// CRC-32 (IEEE, as zip uses), table driven.
pub fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut t = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    };
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c = TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// Writes a zip archive of `(name, bytes)` members, deflated when `deflate`, else
/// stored: for tests and for the generator's fixtures (no data descriptors, no zip64).
pub fn write_zip(members: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in members {
        let offset = out.len() as u32;
        let packed = if deflate {
            miniz_oxide::deflate::compress_to_vec(data, 6)
        } else {
            data.to_vec()
        };
        let method: u16 = if deflate { 8 } else { 0 };
        let crc = crc32(data);
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes());
            v.extend_from_slice(&0x800u16.to_le_bytes());
            v.extend_from_slice(&method.to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
            v.extend_from_slice(&0x21u16.to_le_bytes());
            v.extend_from_slice(&crc.to_le_bytes());
            v.extend_from_slice(&(packed.len() as u32).to_le_bytes());
            v.extend_from_slice(&(data.len() as u32).to_le_bytes());
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
        };
        out.extend_from_slice(&LOCAL.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&packed);
        central.extend_from_slice(&CENTRAL.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        common(&mut central);
        central.extend_from_slice(&[0; 6]);
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&EOCD.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(members.len() as u16).to_le_bytes());
    out.extend_from_slice(&(members.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_known_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn round_trip_stored_and_deflated() {
        let big = "a\tb\tc\n".repeat(1000);
        for deflate in [false, true] {
            let z = write_zip(&[("x/One.txt", b"hello"), ("Two.txt", big.as_bytes())], deflate);
            let m = read_zip(&z, ZipLimits::default()).unwrap();
            assert_eq!(m.len(), 2);
            assert_eq!(m[0].name, "x/One.txt");
            assert_eq!(m[0].content.as_deref(), Ok(&b"hello"[..]));
            assert_eq!(m[1].content.as_deref(), Ok(big.as_bytes()));
        }
    }

    #[test]
    fn bombs_and_damage_are_refused() {
        let big = vec![b'0'; 10_000];
        let z = write_zip(&[("a.txt", &big), ("b.txt", &big)], true);
        // Deflated 10,000 zeros are tiny: the caps look at the stated size.
        let m = read_zip(
            &z,
            ZipLimits {
                member: 9_999,
                total: 1 << 20,
            },
        )
        .unwrap();
        assert!(m[0]
            .content
            .as_ref()
            .unwrap_err()
            .contains("more than the 9999 bytes"));
        let e = read_zip(
            &z,
            ZipLimits {
                member: 1 << 20,
                total: 15_000,
            },
        )
        .unwrap_err();
        assert!(e.contains("more than 15000 bytes in all"), "{e}");
        // A flipped byte in the data: CRC or deflate error, never a panic.
        let mut bad = write_zip(&[("a.txt", b"hello world")], false);
        bad[30 + 5 + 2] ^= 0x20;
        let m = read_zip(&bad, ZipLimits::default()).unwrap();
        assert!(m[0].content.as_ref().unwrap_err().contains("CRC-32"));
        // Truncated: the end record is gone.
        let e = read_zip(&z[..z.len() - 10], ZipLimits::default()).unwrap_err();
        assert!(e.contains("not a zip archive"), "{e}");
        // Every truncation and byte flip is an error or a result, never a panic.
        for cut in 0..z.len() {
            let _ = read_zip(&z[..cut], ZipLimits::default());
            let mut f = z.clone();
            f[cut] ^= 0xFF;
            let _ = read_zip(&f, ZipLimits::default());
        }
    }

    #[test]
    fn names_are_only_text() {
        assert_eq!(member_name(b"..\\..\\etc\\passwd", false), "../../etc/passwd");
        assert_eq!(member_name(b"a\x07b", false), "a?b");
        assert_eq!(member_name(b"caf\xe9.txt", false), "caf\u{e9}.txt");
    }
}
