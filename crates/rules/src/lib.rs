//! Turns a bill [`Dump`](telaudit_model::Dump) into findings: the waste rules of telaudit.
//!
//! Rule *kinds* are Rust (one module each under [`kinds`]); rule *parameters* are
//! data: one TOML file per rule. The default set is the workspace's `rules/*.toml`,
//! embedded at compile time ([`RuleSet::defaults`]); an analyst can load a
//! replacement folder ([`RuleSet::load_dir`]) and add rules of an existing kind
//! without touching Rust.
//!
//! [`evaluate`] builds one shared [`Index`] per dump and runs the rules in
//! parallel. Each rule returns findings with exact claims on money; then
//! [`expire`] moves the recoverable money found too late to claim (the dispute
//! windows of client.toml; a line a filed claim covers is judged from the
//! claim's filing date, `telaudit_recovery::coverage`) to the claims' `expired` value. Totalling and
//! de-duplicating claims across rules is the report's job.

#![warn(missing_docs)]

mod catalogue;
mod config;
mod eval;
mod index;
pub mod kinds;
mod util;
mod windows;

pub use catalogue::Catalogue;
pub use config::{Rule, RuleError, RuleSet};
pub use eval::{evaluate, evaluate_timed, Timings};
pub use index::{AccId, AccountInfo, Index, ServiceInfo, SvcId};
pub use windows::expire;
