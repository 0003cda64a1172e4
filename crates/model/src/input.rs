//! Everything read from one client folder: the [`Dump`].

use crate::{Date, FileId, Interner, Micros, Row, SourceRef, Sym};
use rust_decimal::Decimal;
use std::fmt;

/// How an input file was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// Canonical charge CSV (formats.md section 2).
    CanonicalCsv,
    /// A carrier's own export, read through the named layout.
    Layout(String),
    /// X12 811 EDI: positions are segment numbers.
    Edi811,
    /// inventory.csv: the client's own list of services.
    Inventory,
    /// contracts.csv: contracted rates and credits.
    Contracts,
    /// plans.csv: the carriers' price catalogue of plans and bandwidth tiers.
    Plans,
    /// utilization.csv: measured circuit load per period.
    Utilization,
    /// client.toml: the client's settings.
    ClientToml,
    /// claims.csv: the claims the analyst filed with the carriers.
    Claims,
}

/// An input file, with its path relative to the client folder (`/`-separated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The path relative to the client folder, `/`-separated, e.g. `invoices/a.csv`.
    pub path: String,
    /// How it was read; it decides how positions are shown.
    pub kind: SourceKind,
}

impl SourceFile {
    /// `invoices/a.csv:12`, or `invoices/b.edi:segment 15` for EDI.
    pub fn locate(&self, pos: u32) -> String {
        self.place(pos).to_string()
    }

    /// The place of line (or, for EDI, segment) `pos` of this file; position 0
    /// is the whole file (a usage row a call-detail export makes for a line it
    /// does not list rests on the whole export, no line of it).
    pub fn place(&self, pos: u32) -> crate::Place<'_> {
        let position = match self.kind {
            _ if pos == 0 => Position::File,
            SourceKind::Edi811 => Position::Segment(u64::from(pos)),
            _ => Position::Line(u64::from(pos)),
        };
        crate::Place {
            file: &self.path,
            position,
        }
    }
}

/// Where in a file a refused input sits.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Position {
    /// The whole file.
    File,
    /// A 1-based line (CSV).
    Line(u64),
    /// A 1-based segment number (X12).
    Segment(u64),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::File => Ok(()),
            Position::Line(n) => write!(f, "{n}"),
            Position::Segment(n) => write!(f, "segment {n}"),
        }
    }
}

/// A refused row (or transaction, or whole file), with the reason in words.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rejection {
    /// Path relative to the client folder.
    pub file: String,
    /// Where in the file (a line, a segment, or the whole file).
    pub position: Position,
    /// Why it was refused, in words an analyst can act on.
    pub reason: String,
    /// How many charge rows this refusal stands for (1 for a CSV row; the
    /// charges of a refused EDI transaction; 0 for a refused inventory or contract line).
    pub rows: u64,
}

impl Rejection {
    /// Where the refused input sits: `file:line`, or `file` for the whole file.
    pub fn place(&self) -> crate::Place<'_> {
        crate::Place {
            file: &self.file,
            position: self.position,
        }
    }
}

/// Something an analyst should know that refused nothing (an encoding guess, a skipped segment).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// Path relative to the client folder.
    pub file: String,
    /// Where in the file (a line, a segment, or the whole file).
    pub position: Position,
    /// What happened, in words.
    pub message: String,
}

impl Warning {
    /// Where the warning points: `file:line`, or `file` for the whole file.
    pub fn place(&self) -> crate::Place<'_> {
        crate::Place {
            file: &self.file,
            position: self.position,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
/// A service's status in inventory.csv; `DIS001` looks for disconnected ones still billed.
pub enum ServiceStatus {
    /// In use.
    Active,
    /// Disconnected (on its disconnect_date, if given): nothing after it should be billed.
    Disconnected,
    /// Ordered, not yet in service.
    Pending,
}

/// One line of inventory.csv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InventoryRecord {
    /// The service_id the line describes.
    pub service: Sym,
    /// The carrier billing it.
    pub carrier: Sym,
    /// `Sym::EMPTY`: matches every account of the carrier.
    pub account: Sym,
    /// In use, disconnected or pending.
    pub status: ServiceStatus,
    /// When it was disconnected, if it was.
    pub disconnect_date: Option<Date>,
    /// The client's cost center, passed through to the reports.
    pub cost_center: String,
    /// Who the service belongs to, passed through to the reports.
    pub owner: String,
    /// The line it was read from: a finding's basis.
    pub source: SourceRef,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
/// The two kinds of contracts.csv lines.
pub enum ContractKind {
    /// A price ceiling on a charge code.
    Rate,
    /// A credit the carrier owes every period.
    Credit,
}

/// One line of contracts.csv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contract {
    /// Rate ceiling or periodic credit.
    pub kind: ContractKind,
    /// The carrier it binds.
    pub carrier: Sym,
    /// `Sym::EMPTY`: every account of the carrier.
    pub account: Sym,
    /// For credits: the earning service; `Sym::EMPTY` = an account-level credit.
    pub service: Sym,
    /// The charge code it prices (rate) or that the credit rows carry (credit).
    pub charge_code: Sym,
    /// Rate: the contracted unit rate. Credit: the amount owed per period (positive).
    pub amount: Micros,
    /// The first period start it covers; `None`: from the beginning.
    pub effective_from: Option<Date>,
    /// The last period start it covers; `None`: open-ended.
    pub effective_to: Option<Date>,
    /// The line it was read from: a finding's basis.
    pub source: SourceRef,
}

impl Contract {
    /// Whether a period (by its start) lies inside the contract's window, inclusive.
    pub fn covers(&self, period_start: Date) -> bool {
        self.effective_from.is_none_or(|f| period_start >= f)
            && self.effective_to.is_none_or(|t| period_start <= t)
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
/// The three kinds of plans.csv lines.
pub enum PlanKind {
    /// A per-line plan with a usage allowance.
    Plan,
    /// A per-line plan whose allowance goes into the account's shared pool
    /// (optimization.md section 3b).
    Pool,
    /// A circuit's bandwidth tier.
    Circuit,
}

/// One line of plans.csv: a plan or bandwidth tier a carrier sells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogueEntry {
    /// Plan, pool plan or circuit tier.
    pub kind: PlanKind,
    /// The carrier selling it.
    pub carrier: Sym,
    /// The charge_code its recurring row carries on the bill.
    pub code: Sym,
    /// For people (may be empty).
    pub name: String,
    /// Its recurring price per period (>= 0).
    pub monthly: Micros,
    /// Plans: the usage included per period, in `usage_unit` (pools: what each
    /// line adds to the pool).
    pub allowance: Micros,
    /// Plans and pools: the usage_unit of the usage rows it counts (`Sym::EMPTY`
    /// for circuits).
    pub usage_unit: Sym,
    /// Plans: the price per unit above the allowance (pools: above the pool's
    /// allowance; 0 when not given).
    pub overage_rate: Micros,
    /// Circuits: the tier's bandwidth in Mbit/s (> 0); 0 for plans.
    pub bandwidth_mbps: Micros,
    /// The first period start it is on offer; `None`: from the beginning.
    pub effective_from: Option<Date>,
    /// The last period start it is on offer; `None`: open-ended.
    pub effective_to: Option<Date>,
    /// The line it was read from: a finding's basis.
    pub source: SourceRef,
}

impl CatalogueEntry {
    /// Whether it is on offer in a period (by its start): inside its window, inclusive.
    pub fn on_offer(&self, period_start: Date) -> bool {
        self.effective_from.is_none_or(|f| period_start >= f)
            && self.effective_to.is_none_or(|t| period_start <= t)
    }
}

/// One line of utilization.csv: a circuit's measured load in one period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UtilizationRecord {
    /// The carrier of the circuit.
    pub carrier: Sym,
    /// The circuit id as on the bill.
    pub service: Sym,
    /// The billing period it measures.
    pub period_start: Date,
    /// 95th percentile inbound, Mbit/s (>= 0).
    pub p95_in_mbps: Micros,
    /// 95th percentile outbound, Mbit/s (>= 0).
    pub p95_out_mbps: Micros,
    /// The line it was read from: a finding's basis.
    pub source: SourceRef,
}

/// An inventory.csv line that was refused but names its carrier: ZOM001 counts the
/// carrier as listed and the service_id (when given) as tracked: the client knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InventoryMention {
    /// The carrier it names.
    pub carrier: Sym,
    /// The account it names (`Sym::EMPTY`: every account).
    pub account: Sym,
    /// The service_id it names (`Sym::EMPTY` when none).
    pub service: Sym,
}

/// client.toml.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientConfig {
    /// Display name; `None` means the folder name.
    pub name: Option<String>,
    /// `tax_exempt = true`: taxes the client is exempt from are claimed back (`TAX001`).
    pub tax_exempt: bool,
    /// `[proposal]`: the upgrade the found money is to fund, if any.
    pub proposal: Option<Proposal>,
    /// `[[layouts]]`: carrier layouts forced on path patterns, first match wins.
    pub layouts: Vec<ForcedLayout>,
    /// `[disputes]`: how long each carrier accepts disputes; `None`: nothing expires.
    pub disputes: Option<DisputeWindows>,
    /// `currency`: an ISO 4217 code (`USD`) shown beside money in the human
    /// reports and letters; `None`: no currency is shown (none is guessed).
    pub currency: Option<String>,
    /// `contract_ref`: the client's contract reference, quoted in dispute letters.
    pub contract_ref: Option<String>,
    /// `[contact]`: who the carrier answers, signed in dispute letters.
    pub contact: Option<Contact>,
    /// `tax_exemption_certificate`: the client's certificate number (or other
    /// reference), quoted in the TAX001 request of dispute letters.
    pub tax_exemption_certificate: Option<String>,
}

/// client.toml's `[disputes]` (formats.md section 9): for how many days after an
/// invoice date each carrier accepts a dispute.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DisputeWindows {
    /// `window_days`: every carrier not listed below; `None`: those never expire.
    pub window_days: Option<u32>,
    /// `[disputes.carriers]`: carrier name as on the bill, and its window in days.
    pub carriers: std::collections::BTreeMap<String, u32>,
    /// `response_days` (docs/recovery.md): how many days a carrier may take to
    /// answer a filed claim before it is overdue; `None`: the default,
    /// [`DEFAULT_RESPONSE_DAYS`].
    pub response_days: Option<u32>,
}

/// How many days a carrier may take to answer a claim when client.toml's
/// `[disputes]` gives no `response_days`.
pub const DEFAULT_RESPONSE_DAYS: u32 = 30;

impl ClientConfig {
    /// `[disputes] response_days`, else [`DEFAULT_RESPONSE_DAYS`].
    pub fn response_days(&self) -> u32 {
        self.disputes
            .as_ref()
            .and_then(|d| d.response_days)
            .unwrap_or(DEFAULT_RESPONSE_DAYS)
    }
}

impl DisputeWindows {
    /// The window of the carrier named `carrier`, if any.
    pub fn window(&self, carrier: &str) -> Option<u32> {
        self.carriers.get(carrier).copied().or(self.window_days)
    }
}

/// client.toml's `[contact]`: the person a carrier answers about a dispute.
/// Every field is optional; empty values count as absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contact {
    /// The person's name.
    pub name: Option<String>,
    /// An e-mail address.
    pub email: Option<String>,
    /// A telephone number.
    pub phone: Option<String>,
}

/// A client.toml `[[layouts]]` entry: files matching `path` (relative to the client
/// folder, `*`/`**`/`?` wildcards) are read with the layout named `layout`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ForcedLayout {
    /// A path pattern relative to the client folder.
    pub path: String,
    /// The name of the layout to read matching files with.
    pub layout: String,
}

/// The upgrade the found money is to fund: client.toml's `[proposal]`
/// (optimization.md section 4). Every amount is >= 0.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Proposal {
    /// The top-level `one_time` (0 when not given).
    pub one_time: Decimal,
    /// The top-level `monthly` (0 when not given).
    pub monthly: Decimal,
    /// Whether the top-level `one_time` or `monthly` was given: the pair then
    /// counts as the first item (provider "", role "upgrade").
    pub top_level: bool,
    /// `horizon_months` (1..=120); `None` means the default, 36.
    pub horizon_months: Option<u32>,
    /// `discount_rate`, annual, 0..=1; `None` means 0.
    pub discount_rate: Option<Decimal>,
    /// `[[proposal.items]]`, in file order.
    pub items: Vec<ProposalItem>,
    /// `[proposal.tem]`: the TEM provider's contingency fee.
    pub tem: Option<TemShare>,
}

impl Proposal {
    /// The one-time and monthly cost of a proposal without the plan keys
    /// (formats.md section 5).
    pub fn simple(one_time: Decimal, monthly: Decimal) -> Proposal {
        Proposal {
            one_time,
            monthly,
            top_level: true,
            ..Proposal::default()
        }
    }

    /// Whether client.toml uses any key of the funding plan (optimization.md
    /// section 4): `horizon_months`, `discount_rate`, `[[proposal.items]]` or
    /// `[proposal.tem]`. Without them the reports show the proposal exactly as
    /// before the plan existed.
    pub fn has_plan(&self) -> bool {
        self.horizon_months.is_some()
            || self.discount_rate.is_some()
            || !self.items.is_empty()
            || self.tem.is_some()
    }
}

/// One provider's part of the proposal (`[[proposal.items]]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProposalItem {
    /// Who provides it, e.g. "Northwind Networks".
    pub provider: String,
    /// Free text: equipment, installation, managed services, ...
    pub role: String,
    /// One-time cost, >= 0.
    pub one_time: Decimal,
    /// Monthly cost, >= 0.
    pub monthly: Decimal,
}

/// The TEM provider's contingency fee (`[proposal.tem]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemShare {
    /// The TEM provider's name.
    pub provider: String,
    /// Share of the recoverable money, 0..=1.
    pub recovery_share: Decimal,
    /// Share of the monthly savings, 0..=1.
    pub savings_share: Decimal,
    /// For how many months the savings share is paid.
    pub savings_months: u64,
}

/// One client's bill dump, read and normalised. Files are in path order and rows
/// in file order, so a row's id never depends on how the file system listed them.
#[derive(Clone, Debug, Default)]
pub struct Dump {
    /// The client id: the folder's name.
    pub client: String,
    /// client.toml's settings (defaults when there is none).
    pub config: ClientConfig,
    /// Every text of the rows, inventory and contracts, interned once.
    pub strings: Interner,
    /// Every input file read, in path order; [`crate::FileId`] indexes it.
    pub files: Vec<SourceFile>,
    /// Every charge row accepted, in file order; [`crate::RowId`] indexes it.
    pub rows: Vec<Row>,
    /// inventory.csv's lines.
    pub inventory: Vec<InventoryRecord>,
    /// contracts.csv's lines.
    pub contracts: Vec<Contract>,
    /// inventory.csv lines refused that still name a carrier.
    pub inventory_mentions: Vec<InventoryMention>,
    /// plans.csv's lines (the carriers' catalogue), in file order.
    pub plans: Vec<CatalogueEntry>,
    /// utilization.csv's lines, in file order.
    pub utilization: Vec<UtilizationRecord>,
    /// What was refused, and why (written to rejected.csv).
    pub rejected: Vec<Rejection>,
    /// What an analyst should know that refused nothing.
    pub warnings: Vec<Warning>,
    /// EDI invoices whose rows do not sum to their stated total.
    pub unbalanced: Vec<UnbalancedInvoice>,
    /// The totals the carriers' exports state (an invoice's current charges, a
    /// line's total), in file order, for BAL002 (`stated_total`) to check against
    /// the charges read. X12 811 totals are not here: BAL001 checks those.
    pub stated: Vec<StatedTotal>,
    /// Files below invoices/ none of whose charges are counted (formats.md
    /// section 11), in path order: second deliveries and files no reader read.
    pub skipped: Vec<SkippedFile>,
    /// claims.csv's accepted rows, in file order; `None` when the client folder
    /// has no claims.csv (then no recovery output is written). Claims filed after
    /// the as-of date are here too: the recovery step leaves them out.
    pub ledger: Option<Vec<crate::LedgerClaim>>,
    /// Per file, the rows dropped as copies of another file's rows (formats.md
    /// section 11), in file order: BAL002 compares a total over the whole file
    /// (`scope = "file"`) with every row the file carried, these included.
    pub copied_rows: Vec<CopiedRows>,
    /// The call-detail exports read for usage (they add no money), in file order,
    /// with what each measured (docs/formats.md, "Usage from call detail").
    pub usage_files: Vec<crate::UsageFile>,
    /// The lines a call-detail export could not measure in a period (a record
    /// that could not be read), sorted: UNU001 does not judge them unused there.
    pub unmeasured: Vec<crate::Unmeasured>,
    /// The as-of date given on the command line (`--as-of`); `None`: the latest
    /// invoice_date of the rows ([`Dump::as_of_date`]).
    pub as_of: Option<Date>,
    /// The latest invoice_date of the rows, worked out by the first
    /// [`Dump::as_of_date`] (a scan of every row) and kept: the rules, the totals
    /// and the outputs each ask for it. Rows added after that first call are not
    /// seen; a reader fills `rows` before anything asks.
    pub latest_invoice_date: std::sync::OnceLock<Option<Date>>,
}

/// Why a file below invoices/ gave no counted charge (formats.md section 11).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipKind {
    /// A second delivery: the same bytes as an earlier file, or every invoice in
    /// it carries the same charges as in an earlier file. Not an error.
    Copy,
    /// Recognised, but holds no charges (an "ignore" layout, an empty archive).
    /// Not an error.
    NoCharges,
    /// No reader recognises it (or it was not opened): bills may be missing, so
    /// the audit exits 1.
    NotRecognised,
}

/// A file below invoices/ (or an archive member) none of whose charges are counted.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SkippedFile {
    /// Path relative to the client folder (`invoices/x.zip!member` for a member).
    pub file: String,
    /// Why, as the kind of skip.
    pub kind: SkipKind,
    /// Why, in words (naming the earlier file for a copy).
    pub reason: String,
}

/// The rows of one file dropped as a second delivery of another file's rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopiedRows {
    /// The file that carried them.
    pub file: FileId,
    /// How many rows were dropped.
    pub rows: u64,
    /// Their amounts, summed.
    pub amount: Decimal,
}

/// An X12 811 invoice whose charges do not add up to its TDS total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnbalancedInvoice {
    /// The invoice's carrier.
    pub carrier: Sym,
    /// The invoice's account.
    pub account: Sym,
    /// The invoice number.
    pub invoice: Sym,
    /// The TDS01 total.
    pub stated: Micros,
    /// The sum of the transaction's rows.
    pub computed: Micros,
    /// Where the transaction starts (its ST segment).
    pub source: SourceRef,
    /// The rows of the transaction.
    pub rows: std::ops::Range<RowIdx>,
}

/// A total an export states, as read (docs/formats.md, "Stated totals").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatedTotal {
    /// The invoice's carrier.
    pub carrier: Sym,
    /// The invoice's account.
    pub account: Sym,
    /// The invoice number.
    pub invoice: Sym,
    /// The line a per-line total is for; [`Sym::EMPTY`] for a total of the invoice.
    pub service: Sym,
    /// What the export states, as its layout names it (e.g. "Total Current Charges").
    pub what: Sym,
    /// The stated amount.
    pub amount: Micros,
    /// The invoice date, when the layout gives one (it dates a finding on an
    /// invoice of which no charge was read).
    pub invoice_date: Option<Date>,
    /// Which charges it totals.
    pub scope: StatedScope,
    /// Where it is stated (file and line).
    pub source: SourceRef,
    /// The layout whose files itemise this invoice instead of the stating file's
    /// own rows (`superseded_by`): the stating file's rows of this invoice were not
    /// counted. `None` when nothing was superseded.
    pub superseded_by: Option<String>,
}

/// Which charges a stated total is compared with.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatedScope {
    /// Every accepted row of the same carrier, account and invoice, from any file.
    Invoice,
    /// The accepted rows of the file that states it (a total over a whole export,
    /// e.g. AT&T's foundation-account invoice, whose billing accounts are the rows').
    File,
}

/// A row index (same as [`crate::RowId`], spelled for ranges).
pub type RowIdx = u32;

impl Dump {
    /// The audit's as-of date (formats.md section 9): `--as-of`, else the latest
    /// invoice_date of the rows, never the clock; `None` without either. The usage
    /// rows of call detail ([`Dump::usage_files`]) are no bill: they never move it.
    pub fn as_of_date(&self) -> Option<Date> {
        self.as_of.or_else(|| {
            *self.latest_invoice_date.get_or_init(|| {
                let usage = self.call_detail_files();
                self.rows
                    .iter()
                    .filter(|r| !usage.get(r.source.file.0 as usize).copied().unwrap_or(false))
                    .map(|r| r.invoice_date)
                    .max()
            })
        })
    }

    /// The text of a symbol.
    pub fn s(&self, sym: Sym) -> &str {
        self.strings.get(sym)
    }

    /// `file:line` (or `file:segment N`) of a source position.
    pub fn locate(&self, src: SourceRef) -> String {
        self.files[src.file.0 as usize].locate(src.pos)
    }

    /// Per file (indexed like [`Dump::files`]), whether it is call detail read for
    /// usage ([`Dump::usage_files`]): its rows are usage of amount 0, no charges.
    pub fn call_detail_files(&self) -> Vec<bool> {
        let mut v = vec![false; self.files.len()];
        for u in &self.usage_files {
            if let Some(x) = v.get_mut(u.file.0 as usize) {
                *x = true;
            }
        }
        v
    }

    /// The input file with this id.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The display name: client.toml's `name`, else the folder name.
    pub fn display_name(&self) -> &str {
        self.config.name.as_deref().unwrap_or(&self.client)
    }
}
