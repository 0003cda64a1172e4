//! Bytes to text, in one place for every reader: UTF-8 (BOM allowed), UTF-16 with a
//! BOM, and anything else as Windows-1252 (what spreadsheet exports on Windows write).

use std::borrow::Cow;
use std::path::Path;

/// Decodes a text file. Returns the text (without BOM) and, when the file was not
/// plain UTF-8 or its lines end in CR alone, a warning for the analyst saying how
/// it was read.
///
/// Two repairs every reader shares (formats.md section 1): a file whose lines end in
/// CR alone (classic Mac, Excel for Mac's "CSV (Macintosh)"; no LF anywhere) is read
/// as CR-separated lines, and a byte-order mark at the start of any line (two
/// exports joined with `cat`) is dropped like the one at the start of the file.
pub fn decode_text(bytes: &[u8]) -> (Cow<'_, str>, Option<String>) {
    let (text, warning) = decode_encoding(bytes);
    let (text, mac) = mac_line_ends(text);
    let text = strip_inner_boms(text);
    let warning = match (warning, mac) {
        (w, false) => w,
        (None, true) => Some(MAC_WARNING.to_string()),
        (Some(w), true) => Some(format!("{w}; {MAC_WARNING}")),
    };
    (text, warning)
}

/// [`decode_text`] for an export whose own encoding is ISO-8859-1 (Latin-1, a
/// layout's `encoding = "iso-8859-1"`): a file that is not UTF-8 is read as
/// Latin-1, every byte its own character, without a warning (UTF-8 and UTF-16
/// with a byte-order mark are still read as such).
pub(crate) fn decode_latin1_text(bytes: &[u8]) -> (Cow<'_, str>, Option<String>) {
    let marked = bytes.starts_with(b"\xEF\xBB\xBF")
        || bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF");
    if marked || std::str::from_utf8(bytes).is_ok() {
        return decode_text(bytes);
    }
    let text: String = bytes.iter().map(|&b| char::from(b)).collect();
    let (text, mac) = mac_line_ends(Cow::Owned(text));
    (text, mac.then(|| MAC_WARNING.to_string()))
}

const MAC_WARNING: &str = "lines end in CR alone (classic Mac line ends); read as lines";

/// CR-only line ends made LF, when the text has a CR and no LF at all (line numbers
/// stay physical lines); true when it did.
pub(crate) fn mac_line_ends(text: Cow<'_, str>) -> (Cow<'_, str>, bool) {
    let b = text.as_bytes();
    if memchr::memchr(b'\n', b).is_some() || memchr::memchr(b'\r', b).is_none() {
        return (text, false);
    }
    (Cow::Owned(text.replace('\r', "\n")), true)
}

/// The text without a byte-order mark at the start of a line.
fn strip_inner_boms(text: Cow<'_, str>) -> Cow<'_, str> {
    // The BOM's first byte (0xEF) is rare in bill text: one quick byte search
    // settles nearly every file (the two-byte-pair search costs ten times more).
    if memchr::memchr(0xEF, text.as_bytes()).is_none()
        || memchr::memmem::find(text.as_bytes(), "\n\u{FEFF}".as_bytes()).is_none()
    {
        return text;
    }
    let mut out = text.replace("\n\u{FEFF}", "\n");
    // "\n" BOM BOM: a BOM left behind by the first replacement.
    while out.contains("\n\u{FEFF}") {
        out = out.replace("\n\u{FEFF}", "\n");
    }
    Cow::Owned(out)
}

/// [`decode_text`] without the line repairs: only the encoding (client.toml).
pub(crate) fn decode_encoding(bytes: &[u8]) -> (Cow<'_, str>, Option<String>) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return decode_utf8_or_1252(rest);
    }
    if bytes.starts_with(b"\xFF\xFE") {
        let (text, _) = encoding_rs::UTF_16LE.decode_with_bom_removal(bytes);
        return (
            Cow::Owned(text.into_owned()),
            Some("UTF-16 (little-endian) text; read as UTF-16".into()),
        );
    }
    if bytes.starts_with(b"\xFE\xFF") {
        let (text, _) = encoding_rs::UTF_16BE.decode_with_bom_removal(bytes);
        return (
            Cow::Owned(text.into_owned()),
            Some("UTF-16 (big-endian) text; read as UTF-16".into()),
        );
    }
    decode_utf8_or_1252(bytes)
}

fn decode_utf8_or_1252(bytes: &[u8]) -> (Cow<'_, str>, Option<String>) {
    // `simdutf8` accepts exactly what `std::str::from_utf8` accepts, with SIMD.
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), None),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (
                Cow::Owned(text.into_owned()),
                Some("not UTF-8; read as Windows-1252".into()),
            )
        }
    }
}

/// Whether a file is X12 EDI: by extension (`.edi`, `.x12`, `.811`, any case) or
/// because its first non-whitespace bytes are `ISA`.
pub fn is_edi(path: &Path, head: &[u8]) -> bool {
    let by_ext = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["edi", "x12", "811"].iter().any(|x| e.eq_ignore_ascii_case(x)));
    by_ext || starts_like_edi(head)
}

fn starts_like_edi(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(head.len());
    head[start..].starts_with(b"ISA")
}

/// Why a row with a NUL byte in column `column` is refused: one rule for every
/// table reader (canonical CSV, inventory, contracts, carrier layouts).
pub(crate) fn nul_reason(column: &str) -> String {
    format!(
        "{column} holds a NUL byte: the file holds binary data or is UTF-16 without a byte-order \
         mark; export it again as UTF-8 CSV"
    )
}

/// A value quoted for an error message, cut to about 60 characters.
pub(crate) fn show(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        format!("\"{s}\"")
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("\"{cut}...\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SIMD validator takes and refuses exactly what `std::str::from_utf8` does:
    /// every edge of UTF-8 (overlong forms, surrogates, past U+10FFFF, cut sequences),
    /// at every offset of a 64-byte block, and random bytes.
    #[test]
    fn utf8_validation_is_the_standard_one() {
        let pieces: [&[u8]; 16] = [
            b"a",
            "\u{e9}".as_bytes(),
            "\u{20ac}".as_bytes(),
            "\u{1f600}".as_bytes(),
            "\u{FEFF}".as_bytes(),
            b"\xC0\x80",
            b"\xE0\x80\x80",
            b"\xED\xA0\x80",
            b"\xF4\x90\x80\x80",
            b"\xF8",
            b"\xC3",
            b"\xE2\x82",
            b"\x80",
            b"\xFF",
            b"\xEF\xBF\xBF",
            b"\xF4\x8F\xBF\xBF",
        ];
        let mut cases: Vec<Vec<u8>> = Vec::new();
        for p in pieces {
            for pad in [0, 1, 15, 31, 62, 63, 64, 100] {
                let mut v = vec![b'x'; pad];
                v.extend_from_slice(p);
                cases.push(v.clone());
                v.extend_from_slice(b",tail");
                cases.push(v);
            }
        }
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            let len = (x % 200) as usize;
            let mut v = Vec::with_capacity(len);
            for k in 0..len {
                let r = x.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(k as u32 % 64);
                // Mostly ASCII, sometimes one of the pieces' bytes.
                v.push(if r.is_multiple_of(5) {
                    pieces[(r % 16) as usize][0]
                } else {
                    b'a' + (r % 26) as u8
                });
            }
            cases.push(v);
        }
        for c in cases {
            assert_eq!(
                simdutf8::basic::from_utf8(&c).ok(),
                std::str::from_utf8(&c).ok(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn decodes_each_encoding() {
        assert_eq!(decode_text(b"a,b"), (Cow::Borrowed("a,b"), None));
        assert_eq!(decode_text(b"\xEF\xBB\xBFa,b").0, "a,b");
        assert!(decode_text(b"\xEF\xBB\xBFa,b").1.is_none());
        let (t, w) = decode_text(b"Caf\xE9 \x80");
        assert_eq!(t, "Caf\u{e9} \u{20ac}");
        assert_eq!(w.as_deref(), Some("not UTF-8; read as Windows-1252"));
        let (t, w) = decode_text(b"\xFF\xFEa\x00,\x00\xE9\x00");
        assert_eq!(t, "a,\u{e9}");
        assert!(w.unwrap().contains("UTF-16"));
        let (t, _) = decode_text(b"\xFE\xFF\x00a\x00,");
        assert_eq!(t, "a,");
    }

    #[test]
    fn latin1_exports_read_without_a_warning() {
        // 0xE9 is e-acute in both; 0x80 is a C1 control in Latin-1, the euro in Windows-1252.
        let (t, w) = decode_latin1_text(b"Caf\xE9 \x80");
        assert_eq!(t, "Caf\u{e9} \u{80}");
        assert_eq!(w, None);
        assert_eq!(decode_latin1_text("Caf\u{e9}".as_bytes()).0, "Caf\u{e9}");
        assert_eq!(decode_latin1_text(b"a\rb\xE9\r").1.as_deref(), Some(MAC_WARNING));
    }

    #[test]
    fn mac_line_ends_and_inner_boms() {
        let (t, w) = decode_text(b"a,b\r1,2\r3,4\r");
        assert_eq!(t, "a,b\n1,2\n3,4\n");
        assert_eq!(w.as_deref(), Some(MAC_WARNING));
        // A CR inside a file with LF line ends is left to the readers.
        assert_eq!(decode_text(b"a\rb\nc\n"), (Cow::Borrowed("a\rb\nc\n"), None));
        let (t, w) = decode_text(b"Caf\xE9\r1\r");
        assert_eq!(t, "Caf\u{e9}\n1\n");
        assert_eq!(
            w.as_deref(),
            Some("not UTF-8; read as Windows-1252; lines end in CR alone (classic Mac line ends); read as lines")
        );
        let joined = "\u{FEFF}h\r\n1\r\n\u{FEFF}h\r\n\u{FEFF}\u{FEFF}2\r\nx\u{FEFF}y\n";
        let (t, w) = decode_text(joined.as_bytes());
        assert_eq!(t, "h\r\n1\r\nh\r\n2\r\nx\u{FEFF}y\n");
        assert_eq!(w, None);
    }

    #[test]
    fn recognises_edi() {
        assert!(is_edi(Path::new("a/b.EDI"), b""));
        assert!(is_edi(Path::new("b.811"), b""));
        assert!(is_edi(Path::new("b.x12"), b""));
        assert!(is_edi(Path::new("b.txt"), b"  \r\nISA*00*"));
        assert!(is_edi(Path::new("b.csv"), b"\xEF\xBB\xBFISA*00"));
        assert!(!is_edi(Path::new("b.csv"), b"carrier,ISA"));
        assert!(!is_edi(Path::new("b"), b""));
    }

    #[test]
    fn shows_values_cut() {
        assert_eq!(show("ab"), "\"ab\"");
        let long = "x".repeat(100);
        assert_eq!(show(&long), format!("\"{}...\"", "x".repeat(60)));
    }
}
