//! X12 811 (Consolidated Service Invoice/Statement) reading, as fixed by
//! `spec/edi-811.md`.
//!
//! The reader walks the bytes segment by segment (separators from each `ISA`
//! header, never assumed), keeps the envelope (`ISA`/`GS`/`ST` .. `SE`/`GE`/`IEA`)
//! in a small state machine, and builds each transaction's rows in a buffer that
//! only joins the output once `SE` has validated the transaction.
//!
//! Refusals are whole transactions: one [`Rejection`] at the transaction's `ST`
//! segment, whose reason names the segment and the problem, and whose `rows` is
//! the number of charges the transaction holds. Decisions where the spec is silent:
//!
//! - `GE01`/`GE02` that do not match their group refuse every transaction of that
//!   group that was otherwise accepted; `IEA01`/`IEA02` mismatches refuse every such
//!   transaction of the interchange. A count that is off means a transaction was
//!   lost or duplicated, and a duplicate would bill its money twice. When no
//!   accepted transaction is left to refuse, the envelope problem is one refusal
//!   of 0 rows at the `GE`/`IEA` segment, so it is never silent.
//! - A missing `SE`, `GE` or `IEA` (a truncated file, or the next `ST`/`GS`/`ISA`
//!   arriving first) is treated the same way: the unclosed transaction is refused,
//!   and so are the accepted transactions of an unclosed group or interchange.
//! - Segments telaudit does not read are skipped with one counted warning per
//!   segment id (and qualifier), at the first one's position.
//! - `SLN`, `TCD` and `USD` loops are skipped with a counted warning; their
//!   amounts are never added to the `IT1` they detail.
//! - A `TXI` outside an `IT1` loop is a tax row of the HL loop it sits in.
//! - An `IT1` with no `PID*F` description takes IT107, else the bill section text.
//! - A missing account, service period or carrier refuses the transaction.

mod invoice;
mod lexer;
mod notes;

use crate::ParsedFile;
use invoice::{el, show, trim, Outcome, Tx};
use lexer::{LexError, Lexer};
use notes::{key_bytes, Notes};
use telaudit_model::{FileId, Micros, Position, Rejection, RowIdx, SourceRef, Sym, UnbalancedInvoice};

/// Reads one X12 811 file into canonical rows.
///
/// Never panics on any input: what cannot be read is refused (see the module
/// docs) and the rest of the file is still read.
pub fn read_edi(bytes: &[u8], file: FileId, path: &str) -> ParsedFile {
    // An empty export (no bytes, or only white space and byte-order marks) holds no
    // charge to lose: a warning, as for an empty table (formats.md section 1).
    let content = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if content.iter().all(u8::is_ascii_whitespace) {
        let mut out = ParsedFile::default();
        out.warnings.push(telaudit_model::Warning {
            file: path.to_string(),
            position: Position::File,
            message: "empty file: no X12 interchange, no charges".to_string(),
        });
        return out;
    }
    let mut r = Reader {
        file,
        path,
        out: ParsedFile::default(),
        notes: Notes::default(),
        isa: None,
        gs: None,
        tx: None,
        els: Vec::with_capacity(32),
        segments: 0,
    };
    for seg in Lexer::new(bytes) {
        match seg {
            Ok(seg) => {
                r.segments += 1;
                if seg.unterminated {
                    r.notes.note("unterminated", [0; 8], seg.pos, || {
                        "the last segment has no segment terminator: the file may be cut short".to_string()
                    });
                }
                r.els.clear();
                r.els.extend(seg.data.split(|&c| c == seg.element));
                let els = std::mem::take(&mut r.els);
                r.segment(seg.pos, &els);
                r.els = els;
            }
            Err(LexError::NotX12) => {
                r.reject(
                    Position::File,
                    "not an X12 file: it does not start with an ISA interchange header".into(),
                    0,
                );
            }
            Err(LexError::BadIsa { pos, reason }) => {
                r.reject(
                    Position::Segment(u64::from(pos)),
                    format!("{reason}; the file cannot be read from this segment on"),
                    0,
                );
            }
        }
    }
    r.end_of_file();
    let mut out = r.out;
    out.rejected.sort_by_key(|j| j.position);
    out.warnings = r.notes.into_warnings(path);
    out
}

/// A transaction that passed `SE`, kept until its group and interchange close.
struct Accepted<'a> {
    st_pos: u32,
    /// ST02 and the invoice, to name it if it is refused later (no text copied).
    control: &'a [u8],
    invoice: Option<Sym>,
    rows_start: usize,
    rows: u64,
    unbalanced_start: usize,
}

struct Group<'a> {
    gs_pos: u32,
    control: &'a [u8],
    /// `ST` segments seen, the count GE01 must match.
    sts: u64,
    /// Index of its first transaction in the interchange's `accepted`.
    accepted_from: usize,
    /// Why its transactions cannot be trusted (it sits outside an interchange).
    broken: Option<String>,
}

struct Interchange<'a> {
    isa_pos: u32,
    control: &'a [u8],
    groups: u64,
    /// `ST` segments seen in it.
    sts: u64,
    accepted: Vec<Accepted<'a>>,
}

enum Open<'a> {
    Tx(Box<Tx<'a>>),
    /// A transaction set other than 811: skipped to its SE.
    Other,
}

struct Reader<'a, 'p> {
    file: FileId,
    path: &'p str,
    out: ParsedFile,
    notes: Notes,
    isa: Option<Interchange<'a>>,
    gs: Option<Group<'a>>,
    tx: Option<Open<'a>>,
    els: Vec<&'a [u8]>,
    segments: u64,
}

/// Compares control numbers as numbers when both are digits (`000000101` = `101`), else as text.
fn same_control(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = (trim(a), trim(b));
    let digits = |x: &[u8]| !x.is_empty() && x.iter().all(u8::is_ascii_digit);
    if digits(a) && digits(b) {
        let strip = |x: &'_ [u8]| -> Vec<u8> {
            let s: Vec<u8> = x.iter().copied().skip_while(|&c| c == b'0').collect();
            s
        };
        strip(a) == strip(b)
    } else {
        a == b
    }
}

fn count_of(b: &[u8]) -> Option<u64> {
    std::str::from_utf8(trim(b)).ok().and_then(|s| s.parse().ok())
}

fn tx_label(control: &[u8], invoice: Option<&str>) -> String {
    match invoice {
        Some(i) => format!("X12 811 transaction {} (invoice {i})", show(control)),
        None => format!("X12 811 transaction {}", show(control)),
    }
}

impl<'a> Reader<'a, '_> {
    fn reject(&mut self, position: Position, reason: String, rows: u64) {
        self.out.rejected.push(Rejection {
            file: self.path.to_string(),
            position,
            reason,
            rows,
        });
    }

    /// One segment: an envelope segment (ISA, GS, ST, SE, GE, IEA) opens or closes
    /// its level; any other goes to the open transaction.
    fn segment(&mut self, pos: u32, els: &[&'a [u8]]) {
        let id = trim(el(els, 0));
        match id {
            b"ISA" => self.isa(pos, els),
            b"GS" => self.gs(pos, els),
            b"ST" => self.st(pos, els),
            b"SE" => match self.tx.take() {
                Some(Open::Tx(tx)) => {
                    let (st_pos, control, invoice, file) = (tx.st_pos, tx.control, tx.invoice(), self.file);
                    let outcome = tx.finish(pos, els, file, &mut self.out.strings, &mut self.notes);
                    self.apply(st_pos, control, invoice, outcome);
                }
                Some(Open::Other) => {}
                None => self.stray(pos, id),
            },
            b"GE" => self.ge(pos, els),
            b"IEA" => self.iea(pos, els),
            _ => match self.tx.as_mut() {
                Some(Open::Tx(tx)) => tx.segment(pos, els, &mut self.out.strings, &mut self.notes),
                Some(Open::Other) => {}
                None => self.stray(pos, id),
            },
        }
    }

    /// ISA: opens an interchange, closing whatever the previous one left open.
    fn isa(&mut self, pos: u32, els: &[&'a [u8]]) {
        self.close_tx_missing(&format!("no SE before the ISA at segment {pos}"));
        self.close_group_missing(&format!("no GE before the ISA at segment {pos}"));
        self.close_interchange_missing(&format!("no IEA before the next ISA at segment {pos}"));
        self.isa = Some(Interchange {
            isa_pos: pos,
            control: el(els, 13),
            groups: 0,
            sts: 0,
            accepted: Vec::new(),
        });
    }

    /// GS: opens a functional group (a group outside an interchange is broken:
    /// its transactions are refused).
    fn gs(&mut self, pos: u32, els: &[&'a [u8]]) {
        self.close_tx_missing(&format!("no SE before the GS at segment {pos}"));
        self.close_group_missing(&format!("no GE before the next GS at segment {pos}"));
        let fid = trim(el(els, 1));
        if fid != b"CI" {
            self.notes.note("gs-not-ci", key_bytes(&[fid]), pos, || {
                format!(
                    "functional group GS*{} is not CI (invoices); its 811 transactions are read anyway",
                    show(fid)
                )
            });
        }
        let accepted_from = self.isa.as_ref().map_or(0, |i| i.accepted.len());
        let broken = match self.isa.as_mut() {
            Some(i) => {
                i.groups += 1;
                None
            }
            None => Some(format!(
                "its group (GS at segment {pos}) is outside an ISA..IEA interchange"
            )),
        };
        self.gs = Some(Group {
            gs_pos: pos,
            control: el(els, 6),
            sts: 0,
            accepted_from,
            broken,
        });
    }

    /// ST: opens a transaction; one that is not an 811 is skipped whole.
    fn st(&mut self, pos: u32, els: &[&'a [u8]]) {
        self.close_tx_missing(&format!("no SE before the next ST at segment {pos}"));
        if let Some(g) = self.gs.as_mut() {
            g.sts += 1;
        }
        if let Some(i) = self.isa.as_mut() {
            i.sts += 1;
        }
        let set = trim(el(els, 1));
        if set != b"811" {
            self.notes.note("not-811", key_bytes(&[set]), pos, || {
                format!("transaction set {} is not an 811 invoice: skipped", show(set))
            });
            self.tx = Some(Open::Other);
            return;
        }
        let mut tx = Tx::new(pos, el(els, 2));
        match self.gs.as_ref() {
            None => tx.fail_whole("it is outside a GS..GE functional group".to_string()),
            Some(Group { broken: Some(b), .. }) => tx.fail_whole(b.clone()),
            Some(_) => {}
        }
        self.tx = Some(Open::Tx(Box::new(tx)));
    }

    /// GE: closes the functional group; a wrong count or control number refuses
    /// the transactions accepted in it.
    fn ge(&mut self, pos: u32, els: &[&'a [u8]]) {
        self.close_tx_missing(&format!("no SE before the GE at segment {pos}"));
        let Some(g) = self.gs.take() else {
            return self.stray(pos, b"GE");
        };
        let mut problems = Vec::new();
        match count_of(el(els, 1)) {
            Some(n) if n == g.sts => {}
            _ => problems.push(format!(
                "GE01 says {} transactions but the group holds {}",
                show(el(els, 1)),
                g.sts
            )),
        }
        if !same_control(el(els, 2), g.control) {
            problems.push(format!(
                "GE02 control number '{}' is not GS06's '{}'",
                show(el(els, 2)),
                show(g.control)
            ));
        }
        if !problems.is_empty() {
            let why = format!(
                "its group (GS at segment {}) does not close properly at segment {pos}: {}",
                g.gs_pos,
                problems.join("; ")
            );
            self.refuse_accepted(g.accepted_from, pos, why, false);
        }
    }

    /// IEA: closes the interchange; a wrong count or control number refuses the
    /// transactions accepted in it.
    fn iea(&mut self, pos: u32, els: &[&'a [u8]]) {
        self.close_tx_missing(&format!("no SE before the IEA at segment {pos}"));
        self.close_group_missing(&format!("no GE before the IEA at segment {pos}"));
        let Some(i) = self.isa.take() else {
            return self.stray(pos, b"IEA");
        };
        let mut problems = Vec::new();
        match count_of(el(els, 1)) {
            Some(n) if n == i.groups => {}
            _ => problems.push(format!(
                "IEA01 says {} groups but the interchange holds {}",
                show(el(els, 1)),
                i.groups
            )),
        }
        if !same_control(el(els, 2), i.control) {
            problems.push(format!(
                "IEA02 control number '{}' is not ISA13's '{}'",
                show(el(els, 2)),
                show(i.control)
            ));
        }
        let isa_pos = i.isa_pos;
        self.isa = Some(i);
        if !problems.is_empty() {
            let why = format!(
                "its interchange (ISA at segment {isa_pos}) does not close properly at segment {pos}: {}",
                problems.join("; ")
            );
            self.refuse_accepted(0, pos, why, false);
        }
        self.isa = None;
    }

    fn stray(&mut self, pos: u32, id: &[u8]) {
        self.notes.note("stray", key_bytes(&[id]), pos, || {
            format!(
                "segment {} outside the ISA/GS/ST envelope where it belongs: skipped",
                show(id)
            )
        });
    }

    /// Refuses the open transaction, if any, because it never reached its SE.
    fn close_tx_missing(&mut self, problem: &str) {
        if let Some(Open::Tx(tx)) = self.tx.take() {
            let (st_pos, control, invoice) = (tx.st_pos, tx.control, tx.invoice());
            let outcome = tx.abandon(problem.to_string(), &mut self.out.strings);
            self.apply(st_pos, control, invoice, outcome);
        }
    }

    fn close_group_missing(&mut self, problem: &str) {
        self.close_tx_missing(problem);
        if let Some(g) = self.gs.take() {
            let why = format!("its group (GS at segment {}) has {problem}", g.gs_pos);
            // Transactions already refused for their own missing SE say enough.
            self.refuse_accepted(g.accepted_from, g.gs_pos, why, g.sts > 0);
        }
    }

    fn close_interchange_missing(&mut self, problem: &str) {
        self.close_group_missing(problem);
        if let Some(i) = self.isa.as_ref() {
            let why = format!("its interchange (ISA at segment {}) has {problem}", i.isa_pos);
            let (pos, quiet) = (i.isa_pos, i.sts > 0);
            self.refuse_accepted(0, pos, why, quiet);
            self.isa = None;
        }
    }

    fn end_of_file(&mut self) {
        if self.segments == 0 && self.out.rejected.is_empty() {
            self.reject(
                Position::File,
                "the file is empty: no ISA interchange in it".to_string(),
                0,
            );
        }
        self.close_tx_missing("no SE: the file ends inside this transaction (is it cut short?)");
        self.close_group_missing("no GE: the file ends first (is it cut short?)");
        self.close_interchange_missing("no IEA: the file ends first (is it cut short?)");
    }

    /// Refuses the interchange's accepted transactions from index `from` on,
    /// taking their rows back out; with none to refuse, refuses 0 rows at `pos`.
    fn refuse_accepted(&mut self, from: usize, pos: u32, why: String, quiet_if_none: bool) {
        let taken: Vec<Accepted<'a>> = match self.isa.as_mut() {
            Some(i) if from < i.accepted.len() => i.accepted.drain(from..).collect(),
            _ => Vec::new(),
        };
        let Some(first) = taken.first() else {
            if quiet_if_none {
                return;
            }
            let reason = format!("X12 envelope problem: {why}");
            return self.reject(Position::Segment(u64::from(pos)), reason, 0);
        };
        self.out.rows.truncate(first.rows_start);
        self.out.unbalanced.truncate(first.unbalanced_start);
        for a in taken {
            let label = tx_label(a.control, a.invoice.map(|s| self.out.strings.get(s)));
            let reason = format!("{label} refused: {why}");
            self.reject(Position::Segment(u64::from(a.st_pos)), reason, a.rows);
        }
    }

    fn apply(&mut self, st_pos: u32, control: &'a [u8], invoice: Option<Sym>, outcome: Outcome) {
        let label = tx_label(control, invoice.map(|s| self.out.strings.get(s)));
        let position = Position::Segment(u64::from(st_pos));
        match outcome {
            Outcome::Refused { reason, rows } => {
                self.reject(position, format!("{label} refused: {reason}"), rows)
            }
            Outcome::Accepted {
                rows,
                total,
                carrier,
                account,
                invoice,
            } => {
                let computed = rows
                    .iter()
                    .try_fold(Micros::ZERO, |acc, r| acc.checked_add(r.amount));
                let Some(computed) = computed else {
                    let n = rows.len() as u64;
                    return self.reject(
                        position,
                        format!("{label} refused: its amounts sum beyond range"),
                        n,
                    );
                };
                let rows_start = self.out.rows.len();
                let unbalanced_start = self.out.unbalanced.len();
                let n = rows.len() as u64;
                self.out.rows.extend(rows);
                let idx = |x: usize| RowIdx::try_from(x).unwrap_or(RowIdx::MAX);
                match total {
                    Some(stated) if stated != computed => self.out.unbalanced.push(UnbalancedInvoice {
                        carrier,
                        account,
                        invoice,
                        stated,
                        computed,
                        source: SourceRef {
                            file: self.file,
                            pos: st_pos,
                        },
                        rows: idx(rows_start)..idx(self.out.rows.len()),
                    }),
                    Some(_) => {}
                    None => self.notes.note("no-tds", [0; 8], st_pos, || {
                        "transaction has no TDS total: its balance is not checked".to_string()
                    }),
                }
                if let Some(i) = self.isa.as_mut() {
                    i.accepted.push(Accepted {
                        st_pos,
                        control,
                        invoice: Some(invoice),
                        rows_start,
                        rows: n,
                        unbalanced_start,
                    });
                }
            }
        }
    }
}
