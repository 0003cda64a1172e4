//! The shared types of telaudit.
//!
//! Data flows one way through the workspace: `telaudit-parse` reads a client
//! folder into a [`Dump`], `telaudit-rules` turns a dump into [`Finding`]s,
//! `telaudit-report` totals them and writes the outputs. This crate holds what
//! they pass between them, and nothing else: exact money ([`Micros`]), dates
//! ([`Date`]), interned text ([`Sym`]), charge rows ([`Row`]), findings and
//! the client's ledger of filed claims ([`LedgerClaim`]).
//!
//! Money is never a binary float: amounts are integer millionths, and anything
//! computed from them is a [`rust_decimal::Decimal`], rounded only when written.

#![warn(missing_docs)]

mod charge;
mod date;
mod finding;
mod input;
mod intern;
mod ledger;
mod money;
mod text;
mod usage;

pub use charge::{
    CanonicalColumn, ChargeType, ChargeTypes, FileId, Row, RowId, SourceRef, CANONICAL, CANONICAL_COLUMNS,
    CANONICAL_COLUMNS_WITHOUT_PERIODS,
};
pub use date::{days_in_month, Date, DateError, PlusDays};
pub use finding::{
    finding_key, finding_key_parts, Action, Change, Claim, ClaimKey, Finding, PoolChange, Request, RuleInfo,
    RuleResult, Severity,
};
pub use input::{
    CatalogueEntry, ClientConfig, Contact, Contract, ContractKind, CopiedRows, DisputeWindows, Dump,
    ForcedLayout, InventoryMention, InventoryRecord, PlanKind, Position, Proposal, ProposalItem, Rejection,
    RowIdx, ServiceStatus, SkipKind, SkippedFile, SourceFile, SourceKind, StatedScope, StatedTotal, TemShare,
    UnbalancedInvoice, UtilizationRecord, Warning, DEFAULT_RESPONSE_DAYS,
};
pub use intern::{Interner, Sym};
pub use ledger::{LedgerClaim, LedgerStatus};
pub use money::{money_string, round_cents, DecimalError, Micros};
pub use rust_decimal::Decimal;
pub use text::{escape_invisible, is_invisible, spreadsheet_guard, visible, visible_lines, Place};
pub use usage::{convert_usage, unit_scale, Unmeasured, UsageFile, UsageGap, UsageKind, UsageMeasure};
