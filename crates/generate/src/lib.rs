//! Writes synthetic client bill dumps with planted waste, for demos, tests and benchmarks.
//!
//! [`generate`] writes one client folder in the canonical layout of formats.md:
//! `invoices/<carrier>/<account>/<YYYY-MM>.csv` (canonical charge CSV),
//! `inventory.csv`, `contracts.csv`, `plans.csv`, `utilization.csv`,
//! `claims.csv` and `client.toml`. Every default waste kind is planted (duplicates, unused lines,
//! missing contract credits, billing after disconnect, rates above contract, taxes
//! on a tax-exempt client, late fees, oversized plans and circuits, services not in
//! inventory, a pool deeper than its lines use), next to look-alikes that must not
//! be found and a few overlaps; a ledger of filed claims with the carriers' later
//! credits that exercises every case of docs/recovery.md (the `ledger` module).
//! Beside the `services` it bills four pooled AT&T accounts of 18 lines in all (a
//! deep pool, a right-sized pool, a pool with a usage gap and a pool of one) when
//! it bills 4 periods or more.
//!
//! The output depends only on [`GenOptions`]: the same options give the same
//! bytes on every machine and Rust version (the generator carries its own
//! SplitMix64 stream instead of a crate whose streams may change). Money is
//! integer cents (rates: ten-thousandths), never a float.
//!
//! With [`GenOptions::tax_every_line`] every service is billed one or two exempt
//! taxes every period, and [`GenOptions::small_accounts`] writes a client of
//! thousands of one-line accounts instead (the `small` module): the two shapes
//! of issue 24, where the outputs grow with the disputed lines and with the
//! number of files.
//!
//! With [`GenOptions::rogers`], Rogers lines are billed too, written as Rogers
//! delivers them (the Custom charges report and call detail with its header files):
//! see `rogers.rs`.
//!
//! [`write_in_layout`] rewrites a generated client's invoices in a carrier's own
//! export layout (AT&T Premier, Verizon RDD, Bell MOB) and
//! [`write_layout_projection`] the canonical rows exactly as that layout carries
//! them: the two must audit alike.

#![warn(missing_docs)]

mod layouts;
mod ledger;
mod optimize;
mod plan;
mod pools;
mod rng;
mod rogers;
mod small;
mod write;

pub use layouts::{write_in_layout, write_layout_projection, LayoutSummary, CHARGE_LAYOUTS};
use std::io;
use std::path::Path;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenOptions {
    /// How many services (lines and circuits) to bill; about 70 charge rows each over 12 months.
    pub services: usize,
    /// The seed of the pseudo-random stream: same seed, same bytes.
    pub seed: u64,
    /// How many monthly periods to bill (default 12).
    pub months: u32,
    /// The first period, (year, month) (default 2025-01).
    pub start: (u32, u32),
    /// Accounts per carrier; `None` (the default): one per 150 of its services,
    /// at least 2 or 3. `Some(1)` with many services makes the few-accounts,
    /// many-rows-per-file shape of a large client (issue 16).
    pub accounts_per_carrier: Option<usize>,
    /// Also bill Rogers lines, written as Rogers delivers them: the Custom charges
    /// report and the call detail with its header files (`--rogers`; off by default,
    /// so the generated clients without it do not change).
    pub rogers: bool,
    /// Bill every service one or two exempt taxes every period (`--tax-every-line`;
    /// off by default): with one account per carrier and 20,000 services, the
    /// tax-exempt enterprise of issue 24, about 300,000 disputed lines.
    pub tax_every_line: bool,
    /// `Some(n)`: instead of the client above, `n` accounts of one carrier, each
    /// one line billed its plan and an exempt tax for one month
    /// (`--small-accounts N`, the `small` module): the shape of thousands of
    /// dispute files. `services`, `months`, `accounts_per_carrier`,
    /// `tax_every_line` and `rogers` do not apply.
    pub small_accounts: Option<usize>,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            services: 300,
            seed: 7,
            months: 12,
            start: (2025, 1),
            accounts_per_carrier: None,
            rogers: false,
            tax_every_line: false,
            small_accounts: None,
        }
    }
}

/// What was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenSummary {
    /// Services billed (the pooled accounts' lines included).
    pub services: usize,
    /// Charge rows written, over all invoice files.
    pub rows: u64,
    /// Invoice (charge CSV) files written; inventory, contracts, claims and client.toml are not counted.
    pub files: usize,
}

/// Writes a client folder into `out_dir` (created if missing). The client's
/// display name is made from the folder name (`acme-health` -> `Acme Health`).
/// Existing files of the same names are overwritten; other files are left alone.
pub fn generate(out_dir: &Path, opts: &GenOptions) -> io::Result<GenSummary> {
    if opts.months == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "months must be at least 1",
        ));
    }
    let (y, m) = opts.start;
    if !(1..=12).contains(&m) || !(1900..=9000).contains(&y) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("start must be a year 1900..9000 and a month 1..12, got {y}-{m}"),
        ));
    }
    if let Some(n) = opts.small_accounts {
        write::create_dir(out_dir)?;
        let (services, rows, files) = small::write(out_dir, &display_name(out_dir), n.max(1), opts.seed)?;
        return Ok(GenSummary {
            services,
            rows,
            files,
        });
    }
    let plan = plan::Plan::new(opts);
    let pooled = pools::pooled_accounts(&plan);
    write::create_dir(out_dir)?;
    let name = display_name(out_dir);
    // The tax-exempt enterprise's carriers take disputes for a year: every
    // month's taxes can still be claimed (with 180 days, 5 of 12 months expire).
    let window = if opts.tax_every_line { 365 } else { 180 };
    write::client_toml(out_dir, &name, opts.services, window)?;
    write::inventory(out_dir, &plan, &pooled)?;
    write::contracts(out_dir, &plan)?;
    write::write_file(&out_dir.join("plans.csv"), &optimize::plans_csv(&plan))?;
    write::write_file(
        &out_dir.join("utilization.csv"),
        &optimize::utilization_csv(&plan),
    )?;
    let ledger = ledger::plan_ledger(&plan);
    write::write_file(&out_dir.join("claims.csv"), &ledger::claims_csv(&ledger))?;
    let (mut rows, mut files) = write::invoices(out_dir, &plan, &ledger)?;
    let (pool_rows, pool_files) = pools::invoices(out_dir, &plan, &pooled)?;
    rows += pool_rows;
    files += pool_files;
    let mut services = plan.services.len() + pools::line_count(&pooled);
    if opts.rogers {
        let r = rogers::write(out_dir, opts)?;
        rows += r.rows;
        files += r.files;
        services += r.lines;
    }
    Ok(GenSummary {
        services,
        rows,
        files,
    })
}

/// `acme-health` -> `Acme Health`; a folder without a usable name gives `Generated Client`.
fn display_name(dir: &Path) -> String {
    let base = dir.file_name().and_then(|s| s.to_str()).unwrap_or("");
    let words: Vec<String> = base
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        })
        .collect();
    if words.is_empty() {
        "Generated Client".to_string()
    } else {
        words.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_from_folder() {
        assert_eq!(display_name(Path::new("/x/acme-health")), "Acme Health");
        assert_eq!(display_name(Path::new("big_corp")), "Big Corp");
        assert_eq!(display_name(Path::new("/")), "Generated Client");
    }
}
