//! The result of reading one input file, before it is merged into a [`Dump`].
//!
//! Files are read in parallel, each with its own [`Interner`]; merging remaps
//! their symbols into the dump's interner, in file path order, so the dump is the
//! same whatever order the reads finished in.
//!
//! [`Dump`]: telaudit_model::Dump

use telaudit_model::{Interner, Rejection, Row, StatedTotal, UnbalancedInvoice, UsageFile, Warning};

/// What one charge file (canonical CSV, carrier layout or X12 811) yielded.
#[derive(Debug, Default)]
pub struct ParsedFile {
    /// The symbols used by `rows`, `unbalanced` and `stated`.
    pub strings: Interner,
    /// Rows in file order; `source.file` is the `FileId` the reader was given.
    pub rows: Vec<Row>,
    /// Refused lines, transactions or the whole file, each with its reason and
    /// the rows it held: nothing is dropped silently.
    pub rejected: Vec<Rejection>,
    /// What was read but deserves a look (an encoding guessed, a segment skipped).
    pub warnings: Vec<Warning>,
    /// EDI only. `rows` ranges index into this file's `rows`.
    pub unbalanced: Vec<UnbalancedInvoice>,
    /// Carrier layouts only: the totals the file states (`[[stated]]`).
    pub stated: Vec<StatedTotal>,
    /// Call-detail layouts only (`role = "usage"`): its records, what it measured
    /// and what it could not read. Its rows are usage in the kinds' base units
    /// (KB, `sec`, `msg`) until the client's usage step converts them.
    pub usage: Option<UsageFile>,
}
