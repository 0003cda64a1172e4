//! Reads a client folder into a [`telaudit_model::Dump`]: the one job of this crate.
//!
//! [`read_client`] finds the bill files below `invoices/`, reads them in parallel
//! (each into a [`ParsedFile`] with its own interner) and merges them in path order,
//! then reads `inventory.csv`, `contracts.csv`, `plans.csv`, `utilization.csv`,
//! `claims.csv` and `client.toml`. Every refused
//! input (a whole file or one line) becomes a [`telaudit_model::Rejection`] naming
//! the file, the line and the reason; nothing is dropped silently except blank lines.
//! [`read_bill_files`] reads bill files given in memory (an archive `telaudit
//! convert` is given) through the same steps.
//!
//! Readers: [`read_canonical_csv`] (formats.md section 2), [`read_edi`] (X12 811),
//! [`read_inventory`], [`read_contracts`], [`read_plans`], [`read_utilization`],
//! [`read_claims`], [`parse_client_toml`]. All text goes
//! through [`decode_text`] (UTF-8, UTF-16 with BOM, else Windows-1252 with a warning).
//! Carrier layouts ([`layouts`], `layouts/*.toml`) read the carriers' own exports
//! (Verizon, AT&T, Bell ...) into the same rows: [`read_layout`].

#![warn(missing_docs)]

mod canonical;
mod canonical_writer;
mod catalogue;
mod client;
mod config;
mod edi;
pub mod glob;
mod inventory;
mod layout;
mod ledger;
mod limits;
mod overage;
mod parsed;
mod table;
mod text;
mod unmatched;
mod usage;
mod zip;

pub use canonical::read_canonical_csv;
pub use canonical_writer::write_canonical_csv;
pub use catalogue::{check_against_bills, read_plans, read_utilization};
pub use client::{read_bill_files, read_charge_file, read_client, ClientError, NoRowsRead, NotABillFile};
pub use config::parse_client_toml;
pub use edi::read_edi;
pub use inventory::{read_contracts, read_inventory, TableOutcome};
pub use layout::{
    add_layouts, compile_layout_set, find_layout, header_files_beside, layout_errors, layout_values, layouts,
    read_layout, read_layout_with, HeaderInput, Layout, Role, SideFiles,
};
pub use ledger::read_claims;
pub use parsed::ParsedFile;
pub use text::{decode_text, is_edi};
pub use zip::{read_zip, write_zip, ZipLimits, ZipMember, MAX_MEMBER_BYTES, MAX_TOTAL_BYTES};
