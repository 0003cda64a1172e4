//! Bytes to text, in one place for every reader: UTF-8 (BOM allowed), UTF-16 with a
//! BOM, and anything else as Windows-1252 (what spreadsheet exports on Windows write).

use std::borrow::Cow;
use std::path::Path;

/// Decodes a text file. Returns the text (without BOM) and, when the file was not
/// plain UTF-8, a warning for the analyst saying how it was read.
pub fn decode_text(bytes: &[u8]) -> (Cow<'_, str>, Option<String>) {
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
    match std::str::from_utf8(bytes) {
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
