//! Pooled accounts (optimization.md section 3b): AT&T Mobility accounts whose lines
//! share a data pool, one per case of POL001. They are written beside the other
//! accounts (their own invoice folders, their catalogue lines at the end of
//! plans.csv, their inventory lines at the end of inventory.csv), from their own
//! seeded stream, so everything else is the same bytes as without them. They are
//! written only when the client has 4 periods or more (a window of 3, and a
//! disconnect before it).
//!
//! The catalogue's pool plans (per line; allowance = what a line adds to the pool):
//! MSP30 50.00 (30 GB, 10.00 a GB over the pool), MSP15 38.00 (15 GB, 12.50),
//! MSP5 28.00 (5 GB, 15.00) and MSP2 18.00 (2 GB, retired before the first period).
//!
//! - **A deep pool** (account 287650001): 6 lines on MSP30 (180 GB, 300.00 a
//!   month) using 1 to 5 GB a month each, except one line whose use brings the
//!   pool to U = 90.01 .. 91.00 GB in the middle month of the window. MSP5 is the
//!   cheapest a line but costs over 1,000.00 that month; MSP15 costs 228.00, and
//!   228.00 + 12.50 x (U - 90) that month: POL001 moves the pool to MSP15, saving
//!   72.00 - 12.50 x (U - 90) = 59.50 .. 71.875 a month (not a multiple of 6 cents
//!   in general: the last plan row takes the rest). Three more lines on MSP30 leave the pool: one
//!   idle in the window (UNU001), one billed after its disconnect date (DIS001),
//!   one the inventory does not list (ZOM001); each uses data, so counting it
//!   would change the figures.
//! - **A right-sized pool** (287650018): 4 lines on MSP5 (20 GB, 112.00) using 3
//!   to 4.5 GB each: no pool plan costs less.
//! - **A pool with a usage gap** (287650035): 4 light lines on MSP30, one without
//!   a data row in the middle month of the window: not judged.
//! - **A pool of one** (287650052): 1 light line on MSP30: not judged.

use crate::plan::{Period, Plan, ATT, CARRIERS};
use crate::rng::{mix, Rng};
use crate::write::{create_dir, field, line, priced, simple, write_file, Inv, Num};
use std::io;
use std::path::Path;

/// The pool plans of plans.csv (`{retired}`: the day before the first period).
pub const POOL_CATALOGUE: [&str; 4] = [
    "pool,AT&T Mobility,MSP30,Mobile Share Pro 30GB,50.00,30,GB,10.00,,,",
    "pool,AT&T Mobility,MSP15,Mobile Share Pro 15GB,38.00,15,GB,12.50,,,",
    "pool,AT&T Mobility,MSP5,Mobile Share Pro 5GB,28.00,5,GB,15.00,,,",
    "pool,AT&T Mobility,MSP2,Mobile Share 2GB (retired),18.00,2,GB,15.00,,,{retired}",
];

/// A pool plan as billed: code, description, price in cents.
type PoolPlan = (&'static str, &'static str, i64);
const MSP30: PoolPlan = ("MSP30", "Mobile Share Pro 30GB", 5000);
const MSP5: PoolPlan = ("MSP5", "Mobile Share Pro 5GB", 2800);

/// What a pooled line does.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Role {
    /// 1 to 5 GB a month (`light`), or 3 to 4.5 GB (right-sized pool).
    Light,
    /// Light, but it brings the deep pool to 90.01 .. 91 GB in the middle window month.
    Heavy,
    /// Uses data before the window, none in it (UNU001).
    Idle,
    /// Disconnected in inventory.csv before the window, billed on (DIS001).
    Disconnected,
    /// Not in inventory.csv (ZOM001).
    Untracked,
    /// Light, with no data row in the middle window month.
    Gap,
    /// 3 to 4.5 GB a month.
    Fitting,
}

/// One pooled account: its number, plan and lines.
pub struct PoolAccount {
    number: String,
    plan: PoolPlan,
    lines: Vec<(String, Role)>,
}

/// The four pooled accounts (none for fewer than 4 periods).
pub fn pooled_accounts(plan: &Plan) -> Vec<PoolAccount> {
    if plan.months < 4 {
        return Vec::new();
    }
    let cases: [(PoolPlan, &[Role]); 4] = [
        (
            MSP30,
            &[
                Role::Heavy,
                Role::Light,
                Role::Idle,
                Role::Light,
                Role::Disconnected,
                Role::Light,
                Role::Untracked,
                Role::Light,
                Role::Light,
            ],
        ),
        (MSP5, &[Role::Fitting; 4]),
        (MSP30, &[Role::Light, Role::Gap, Role::Light, Role::Light]),
        (MSP30, &[Role::Light]),
    ];
    let mut k = 0;
    cases
        .iter()
        .enumerate()
        .map(|(i, (plan, roles))| PoolAccount {
            number: format!("{}", 287_650_001 + 17 * i),
            plan: *plan,
            lines: roles
                .iter()
                .map(|&r| {
                    k += 1;
                    (format!("312-555-02{k:02}"), r)
                })
                .collect(),
        })
        .collect()
}

/// How many lines the pooled accounts bill.
pub fn line_count(accounts: &[PoolAccount]) -> usize {
    accounts.iter().map(|a| a.lines.len()).sum()
}

/// The period a disconnected line's disconnect date falls in (before the window;
/// pooled accounts are written only with 4 periods or more).
fn disconnect_period(months: u32) -> u32 {
    months.saturating_sub(4)
}

/// The pool lines of inventory.csv: every line but the untracked one.
pub fn inventory_lines(plan: &Plan, accounts: &[PoolAccount], buf: &mut Vec<u8>) {
    if accounts.is_empty() {
        return;
    }
    let cut = &plan.periods[disconnect_period(plan.months) as usize];
    for a in accounts {
        for (k, (id, role)) in a.lines.iter().enumerate() {
            let (status, date) = match role {
                Role::Untracked => continue,
                Role::Disconnected => ("disconnected", format!("{:04}-{:02}-10", cut.year, cut.month)),
                _ => ("active", String::new()),
            };
            field(buf, id);
            buf.push(b',');
            field(buf, CARRIERS[ATT].name);
            buf.push(b',');
            field(buf, &a.number);
            buf.extend_from_slice(format!(",{status},{date},CC-1500,Field Team {}\n", k + 1).as_bytes());
        }
    }
}

/// A line's data use in period `p`, hundredths of a GB (`None`: no data row),
/// but for the heavy line's middle window month (see [`data_rows`]).
fn data_use(seed: u64, a: usize, k: usize, role: Role, p: u32, months: u32) -> Option<i64> {
    let mut rng = Rng::new(mix(&[seed, 0x504F_4F4C, a as u64, k as u64, u64::from(p)]));
    let window = p + 3 >= months;
    match role {
        Role::Idle if window => Some(0),
        Role::Gap if p + 2 == months => None,
        Role::Fitting => Some(rng.range(300, 450)),
        _ => Some(rng.range(100, 500)),
    }
}

/// Every line's data use in period `p` (hundredths of a GB): the heavy line of
/// the deep pool brings the pool (the lines that stay in it) to 90.01 .. 91.00
/// GB in the middle window month.
fn data_rows(seed: u64, ai: usize, a: &PoolAccount, p: u32, months: u32) -> Vec<Option<i64>> {
    let mut use_ = Vec::with_capacity(a.lines.len());
    for (k, (_, role)) in a.lines.iter().enumerate() {
        use_.push(data_use(seed, ai, k, *role, p, months));
    }
    if p + 2 == months {
        let pooled = |r: Role| matches!(r, Role::Light | Role::Heavy);
        let others: i64 = a
            .lines
            .iter()
            .zip(&use_)
            .filter(|((_, r), _)| pooled(*r) && *r != Role::Heavy)
            .map(|(_, u)| u.unwrap_or(0))
            .sum();
        let mut rng = Rng::new(mix(&[seed, 0x4845_4159, ai as u64, u64::from(p)]));
        let target = 9000 + rng.range(1, 100);
        for ((_, role), u) in a.lines.iter().zip(use_.iter_mut()) {
            if *role == Role::Heavy {
                *u = Some(target - others);
            }
        }
    }
    use_
}

/// One pooled account's invoice for period `p`; returns the file and its row count.
fn invoice_file(plan: &Plan, ai: usize, a: &PoolAccount, p: u32) -> (Vec<u8>, u64) {
    let per: &Period = &plan.periods[p as usize];
    let mut buf = Vec::with_capacity(160 * 5 * a.lines.len() + 200);
    buf.extend_from_slice(telaudit_model::CANONICAL_COLUMNS.join(",").as_bytes());
    buf.push(b'\n');
    let invoice = format!("{}-{}{:02}", a.number, per.year, per.month);
    let inv = Inv {
        carrier: CARRIERS[ATT].name,
        account: &a.number,
        invoice: &invoice,
        date: &per.invoice_date,
        period: per,
        months: plan.months,
    };
    let data = data_rows(plan.seed, ai, a, p, plan.months);
    let mut n = 0;
    for (k, ((id, role), gb)) in a.lines.iter().zip(data).enumerate() {
        let (code, desc, cents) = a.plan;
        line(
            &mut buf,
            &inv,
            &priced(id, "recurring", code, desc, 1, cents * 100),
        );
        let mut rng = Rng::new(mix(&[plan.seed, 0x564F_4943, ai as u64, k as u64, u64::from(p)]));
        let idle = *role == Role::Idle && p + 3 >= plan.months;
        let mut voice = simple(id, "usage", "MIN", "Voice Usage", 0);
        voice.usage = Num::Int(if idle { 0 } else { rng.range(30, 900) });
        voice.unit = "min";
        line(&mut buf, &inv, &voice);
        n += 2;
        if let Some(gb) = gb {
            let mut l = simple(id, "usage", "DATA", "Data Usage", 0);
            l.usage = Num::Cents(gb);
            l.unit = "GB";
            line(&mut buf, &inv, &l);
            n += 1;
        }
        line(&mut buf, &inv, &simple(id, "tax", "E911", "911 Surcharge", 75));
        line(
            &mut buf,
            &inv,
            &simple(id, "fee", "RCRF", "Regulatory Cost Recovery Fee", 168),
        );
        n += 2;
    }
    (buf, n)
}

/// Writes the pooled accounts' invoice files; returns (rows, files).
pub fn invoices(out: &Path, plan: &Plan, accounts: &[PoolAccount]) -> io::Result<(u64, usize)> {
    let (mut rows, mut files) = (0, 0);
    for (ai, a) in accounts.iter().enumerate() {
        let dir = out.join("invoices").join(CARRIERS[ATT].dir).join(&a.number);
        create_dir(&dir)?;
        for p in 0..plan.months {
            let (buf, n) = invoice_file(plan, ai, a, p);
            write_file(&dir.join(format!("{}.csv", plan.periods[p as usize].ym)), &buf)?;
            rows += n;
            files += 1;
        }
    }
    Ok((rows, files))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GenOptions;

    /// With fewer than 4 periods no pooled account is written (and nothing panics).
    #[test]
    fn no_pooled_accounts_below_four_periods() {
        for months in 1..4 {
            let plan = Plan::new(&GenOptions {
                services: 10,
                months,
                ..GenOptions::default()
            });
            let accounts = pooled_accounts(&plan);
            assert!(accounts.is_empty());
            let mut buf = Vec::new();
            inventory_lines(&plan, &accounts, &mut buf);
            assert!(buf.is_empty());
        }
    }

    /// The deep pool's middle window month: the lines that stay in the pool use
    /// 90.01 .. 91.00 GB, whatever the seed; the other months at most 30 GB.
    #[test]
    fn the_deep_pool_peaks_between_90_and_91_gb_in_the_middle_month() {
        for seed in [1, 7, 42, 1000] {
            let plan = Plan::new(&GenOptions {
                services: 10,
                seed,
                ..GenOptions::default()
            });
            let accounts = pooled_accounts(&plan);
            assert_eq!(accounts.len(), 4);
            assert_eq!(line_count(&accounts), 18);
            let deep = &accounts[0];
            for p in plan.months - 3..plan.months {
                let u: i64 = data_rows(seed, 0, deep, p, plan.months)
                    .iter()
                    .zip(&deep.lines)
                    .filter(|(_, (_, r))| matches!(r, Role::Light | Role::Heavy))
                    .map(|(u, _)| u.unwrap_or(0))
                    .sum();
                if p + 2 == plan.months {
                    assert!((9001..=9100).contains(&u), "seed {seed}: {u}");
                } else {
                    assert!(u <= 3000, "seed {seed} period {p}: {u}");
                }
            }
        }
    }
}
