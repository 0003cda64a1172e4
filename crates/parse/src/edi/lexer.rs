//! Splits X12 bytes into segments, taking the separators from each `ISA` header.
//!
//! Nothing is copied: a segment is a slice of the input. Segments are numbered
//! from 1 at the start of the file, the way evidence names them.

/// The three delimiters an `ISA` header declares.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Separators {
    pub element: u8,
    pub component: u8,
    pub terminator: u8,
}

/// One segment: its 1-based number in the file and its bytes without the terminator.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawSegment<'a> {
    pub pos: u32,
    pub data: &'a [u8],
    pub element: u8,
    /// The file ended before this segment's terminator.
    pub unterminated: bool,
}

/// Why the bytes cannot be read on as X12.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LexError {
    /// The first segment is not an `ISA` header.
    NotX12,
    /// An `ISA` header at this segment number is too short or declares unusable separators.
    BadIsa { pos: u32, reason: String },
}

/// The longest `ISA` header looked at (the standard one is 106 bytes).
const MAX_ISA_LEN: usize = 256;

pub(crate) struct Lexer<'a> {
    bytes: &'a [u8],
    at: usize,
    pos: u32,
    seps: Option<Separators>,
    failed: bool,
}

impl<'a> Lexer<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        Lexer {
            bytes,
            at: 0,
            pos: 0,
            seps: None,
            failed: false,
        }
    }

    /// The separators in force (those of the last `ISA` read).
    #[cfg(test)]
    pub fn separators(&self) -> Option<Separators> {
        self.seps
    }

    fn skip_blanks(&mut self) {
        while let Some(&c) = self.bytes.get(self.at) {
            if c == b'\r' || c == b'\n' || (self.seps.is_none() && (c == b' ' || c == b'\t')) {
                self.at += 1;
            } else {
                break;
            }
        }
        // Padding at the very end of a file (spaces, NULs, a DOS end-of-file mark) is not a segment.
        let rest = &self.bytes[self.at.min(self.bytes.len())..];
        if rest
            .iter()
            .all(|&c| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | 0 | 0x1a))
        {
            self.at = self.bytes.len();
        }
    }

    /// Reads an `ISA` header starting at `self.at`; returns its data and new separators.
    fn isa(&mut self) -> Result<(&'a [u8], Separators), String> {
        let start = self.at;
        let b = self.bytes;
        let element = *b.get(start + 3).ok_or("the ISA header is cut short")?;
        if element.is_ascii_alphanumeric() || element == b' ' || element == b'\r' || element == b'\n' {
            return Err(format!(
                "the byte after ISA ({}) cannot be an element separator",
                printable(element)
            ));
        }
        let end = b.len().min(start + MAX_ISA_LEN);
        let mut seen = 0;
        let mut isa16 = None;
        for (i, &c) in b[start + 3..end].iter().enumerate() {
            if c == element {
                seen += 1;
                if seen == 16 {
                    isa16 = Some(start + 3 + i + 1);
                    break;
                }
            }
        }
        let Some(isa16) = isa16 else {
            return Err(format!(
                "the ISA header is cut short: {seen} of its 16 element separators found"
            ));
        };
        let (Some(&component), Some(&terminator)) = (b.get(isa16), b.get(isa16 + 1)) else {
            return Err("the ISA header is cut short before ISA16 and the segment terminator".into());
        };
        if component == element || terminator == element || terminator == component {
            return Err(format!(
                "the ISA header declares clashing separators (element {}, component {}, terminator {})",
                printable(element),
                printable(component),
                printable(terminator)
            ));
        }
        if terminator.is_ascii_alphanumeric() || terminator == b' ' {
            return Err(format!(
                "the byte after ISA16 ({}) cannot be a segment terminator: the ISA header is not 16 elements",
                printable(terminator)
            ));
        }
        self.at = isa16 + 2;
        Ok((
            &b[start..isa16 + 1],
            Separators {
                element,
                component,
                terminator,
            },
        ))
    }
}

fn printable(c: u8) -> String {
    if c.is_ascii_graphic() {
        format!("'{}'", c as char)
    } else {
        format!("byte 0x{c:02X}")
    }
}

/// Trims line breaks left around a segment's data.
fn trim_breaks(mut d: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r' | b'\n'] = d {
        d = rest;
    }
    d
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Result<RawSegment<'a>, LexError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        self.skip_blanks();
        if self.at >= self.bytes.len() {
            return None;
        }
        self.pos = self.pos.saturating_add(1);
        let pos = self.pos;
        let rest = &self.bytes[self.at..];
        if rest.starts_with(b"ISA") && rest.get(3).is_none_or(|c| !c.is_ascii_alphanumeric()) {
            return Some(match self.isa() {
                Ok((data, seps)) => {
                    self.seps = Some(seps);
                    Ok(RawSegment {
                        pos,
                        data,
                        element: seps.element,
                        unterminated: false,
                    })
                }
                Err(reason) => {
                    self.failed = true;
                    Err(LexError::BadIsa { pos, reason })
                }
            });
        }
        let Some(seps) = self.seps else {
            self.failed = true;
            return Some(Err(LexError::NotX12));
        };
        let (data, unterminated) = match rest.iter().position(|&c| c == seps.terminator) {
            Some(n) => {
                self.at += n + 1;
                (&rest[..n], false)
            }
            None => {
                self.at = self.bytes.len();
                (rest, true)
            }
        };
        Some(Ok(RawSegment {
            pos,
            data: trim_breaks(data),
            element: seps.element,
            unterminated,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(input: &[u8]) -> Vec<(u32, String)> {
        Lexer::new(input)
            .map(|s| {
                let s = s.unwrap();
                (s.pos, String::from_utf8_lossy(s.data).into_owned())
            })
            .collect()
    }

    const ISA: &str =
        "ISA*00*          *00*          *ZZ*A              *ZZ*B              *251205*0930*U*00401*000000101*0*P*>~";

    #[test]
    fn separators_come_from_the_header() {
        let mut l = Lexer::new(ISA.as_bytes());
        let s = l.next().unwrap().unwrap();
        assert_eq!(s.data.len(), 105);
        assert_eq!(
            l.separators(),
            Some(Separators {
                element: b'*',
                component: b'>',
                terminator: b'~'
            })
        );
        let other = ISA.replace('*', "|").replace('>', "^").replace('~', "!");
        let got = ids(format!("{other}GS|CI!\r\nST|811!").as_bytes());
        assert_eq!(got[1], (2, "GS|CI".to_string()));
        assert_eq!(got[2], (3, "ST|811".to_string()));
    }

    #[test]
    fn line_breaks_between_segments_and_missing_last_terminator() {
        let got = ids(format!("{ISA}\r\nGS*CI~\nST*811~\r\n\r\nSE*1").as_bytes());
        assert_eq!(got.len(), 4);
        assert_eq!(got[3], (4, "SE*1".to_string()));
        let mut l = Lexer::new(format!("{ISA}SE*1").as_bytes().to_vec().leak());
        l.next();
        assert!(l.next().unwrap().unwrap().unterminated);
    }

    #[test]
    fn refuses_what_is_not_x12() {
        assert_eq!(Lexer::new(b"GS*CI~").next(), Some(Err(LexError::NotX12)));
        assert!(matches!(
            Lexer::new(b"ISA*00*  *00").next(),
            Some(Err(LexError::BadIsa { pos: 1, .. }))
        ));
        assert!(matches!(
            Lexer::new(b"ISA").next(),
            Some(Err(LexError::BadIsa { pos: 1, .. }))
        ));
        assert_eq!(Lexer::new(b"\n\r\n  ").next(), None);
    }
}
