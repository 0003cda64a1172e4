//! The client of thousands of small accounts (issue 24): `n` accounts of one
//! carrier (Verizon Wireless), each billing one line for one month on its own
//! invoice file, two rows: the line's plan and a tax the client is exempt from
//! (federal excise, or one line in five the state sales tax). Every account
//! then has one TAX001 finding and its own dispute files, so the audit writes
//! three dispute files per account: the shape whose cost is the number of
//! output files, not of rows.
//!
//! Beside the invoices: inventory.csv lists every line (active, so no line is
//! untracked), contracts.csv the Verizon plan's contracted rate (which the
//! lines are billed at), and client.toml the tax-exempt client of the other
//! generated clients. No catalogue, utilization, claims or pooled accounts.
//! The output depends only on the count and the seed.

use crate::plan::{CARRIERS, VZ, VZUNL_RATE, VZ_PLANS};
use crate::rng::{mix, Rng};
use crate::write::{
    create_dir, field, line, priced, simple, write_file, Inv, CONTRACTS_HEADER, INVENTORY_HEADER,
};
use std::io;
use std::path::Path;

/// The one period billed.
const PERIOD: (u32, u32) = (2025, 1);

/// Writes the client of `n` small accounts into `out`; returns (services, rows, files).
pub fn write(out: &Path, name: &str, n: usize, seed: u64) -> io::Result<(usize, u64, usize)> {
    let carrier = &CARRIERS[VZ];
    let period = crate::plan::period(PERIOD, 0);
    let mut rng = Rng::new(mix(&[seed, 0x534D_414C]));
    crate::write::client_toml(out, name, n, 180)?;
    let mut inventory = Vec::with_capacity(64 * n + 100);
    inventory.extend_from_slice(INVENTORY_HEADER.as_bytes());
    let mut rows = 0;
    for a in 0..n {
        let number = format!("{:010}", carrier.account_base + a as u64 * 7919);
        let sid = format!("{}-555-01{:02}", 201 + a / 100, a % 100);
        let plan = *rng.pick(&VZ_PLANS);
        let state = rng.chance(200);
        let (desc, code, bps) = if state {
            ("State Sales Tax", "STX", 625)
        } else {
            ("Federal Excise Tax", "FET", 300)
        };
        let dir = out.join("invoices").join(carrier.dir).join(&number);
        create_dir(&dir)?;
        let mut buf = Vec::with_capacity(512);
        buf.extend_from_slice(telaudit_model::CANONICAL_COLUMNS.join(",").as_bytes());
        buf.push(b'\n');
        let invoice = format!("{number}-{}{:02}", period.year, period.month);
        let inv = Inv {
            carrier: carrier.name,
            account: &number,
            invoice: &invoice,
            date: &period.invoice_date,
            period: &period,
            months: 1,
        };
        let billed = priced(&sid, "recurring", plan.code, plan.desc, 1, plan.cents * 100);
        let tax = (billed.cents * bps + 5000) / 10_000;
        line(&mut buf, &inv, &billed);
        line(&mut buf, &inv, &simple(&sid, "tax", code, desc, tax));
        rows += 2;
        write_file(&dir.join(format!("{}.csv", period.ym)), &buf)?;
        for (i, cell) in [sid.as_str(), carrier.name, &number, "active", "", "CC-1000"]
            .iter()
            .enumerate()
        {
            if i > 0 {
                inventory.push(b',');
            }
            field(&mut inventory, cell);
        }
        inventory.extend_from_slice(format!(",Line {}\n", a + 1).as_bytes());
    }
    write_file(&out.join("inventory.csv"), &inventory)?;
    let contracts = format!(
        "{CONTRACTS_HEADER}rate,{},,,{},{},,\n",
        carrier.name, VZ_PLANS[0].code, VZUNL_RATE.1
    );
    write_file(&out.join("contracts.csv"), contracts.as_bytes())?;
    Ok((n, rows, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_account_bills_a_plan_and_an_exempt_tax() {
        let tmp = tempfile::tempdir().unwrap();
        let (services, rows, files) = write(tmp.path(), "Small", 3, 1).unwrap();
        assert_eq!((services, rows, files), (3, 6, 3));
        let bill = std::fs::read_to_string(
            tmp.path()
                .join("invoices/verizon-wireless/0012353597/2025-01.csv"),
        )
        .unwrap();
        let lines: Vec<&str> = bill.lines().collect();
        assert_eq!(lines.len(), 3, "{bill}");
        assert!(lines[1].contains(",recurring,VZ"), "{bill}");
        assert!(lines[2].contains(",tax,"), "{bill}");
        let inventory = std::fs::read_to_string(tmp.path().join("inventory.csv")).unwrap();
        assert_eq!(inventory.lines().count(), 4);
        assert!(inventory.contains("\n201-555-0101,Verizon Wireless,0012353597,active,,CC-1000,Line 2\n"));
    }
}
