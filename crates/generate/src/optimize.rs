//! The "buying too much" side of a generated client (optimization.md sections 1 to
//! 3): the carriers' catalogue (plans.csv), the circuits' measured load
//! (utilization.csv), and which wireless lines are light users. Everything is
//! drawn from its own seeded stream, so the bills, inventory and contracts are
//! the same bytes as without it.
//!
//! Planted for PLN001: light users on the unlimited plans (at most ~3 GB of data in
//! each of the last 3 periods). Look-alikes: a light user with one heavy month in
//! the window, a light user whose data row is missing in a window month, and a
//! retired plan (VZ3GB) cheaper than every plan on offer. For CIR001: circuits
//! loaded under a quarter of their bandwidth; look-alikes: a busy circuit (one
//! window month at 45%), a light circuit with a window month missing from the
//! load export, and load rows for a circuit on no bill (a warning). ZOM001's cases
//! come from the plan itself: about 4% of the services are not in inventory.csv,
//! and inventory lines with an empty account (which match every account) are the
//! look-alike.

use crate::plan::{Kind, Plan, Service, COMCAST, LUMEN};
use crate::rng::{mix, Rng};
use std::io::Write;

/// A wireless line's data use in its account's last 3 periods.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DataUse {
    /// As drawn for every line (0.05 to 40 GB a period).
    Drawn,
    /// At most ~3 GB in each window period (PLN001 finds it).
    Light,
    /// Light, but 35 GB or more in the middle window period (a look-alike).
    HeavyMonth,
    /// Light, but no data row in the middle window period (a look-alike).
    MissingMonth,
}

/// Picks the light users among active, all-year wireless lines on an unlimited plan.
pub fn plant_light_users(seed: u64, services: &mut [Service], months: u32) {
    if months < 3 {
        return;
    }
    let mut rng = Rng::new(mix(&[seed, 0x4C49_4748]));
    for s in services.iter_mut() {
        let unlimited = matches!(s.plan.code, "VZUNL" | "ATTBUS");
        let normal = s.usage == crate::plan::Usage::Normal;
        if s.kind != Kind::Wireless || !unlimited || !normal || s.status != "active" || s.last + 1 != months {
            continue;
        }
        let r = rng.below(1000);
        s.light = match r {
            0..=59 => DataUse::Light,
            60..=79 => DataUse::HeavyMonth,
            80..=99 => DataUse::MissingMonth,
            _ => DataUse::Drawn,
        };
    }
}

/// A line's data use in period `p` (hundredths of a GB), from the value drawn for
/// every line; `None`: no data row (the missing-month look-alike).
pub fn data_use(s: &Service, p: u32, months: u32, drawn: i64) -> Option<i64> {
    let window = p + 3 >= months;
    let middle = p + 2 == months;
    match s.light {
        DataUse::Drawn => Some(drawn),
        _ if !window => Some(drawn),
        DataUse::HeavyMonth if middle => Some(3500 + drawn % 500),
        DataUse::MissingMonth if middle => None,
        _ => Some(5 + drawn % 300),
    }
}

/// The catalogue: what each carrier sells, including the bills' plans and tiers.
const CATALOGUE: [&str; 14] = [
    "plan,Verizon Wireless,VZUNL,Business Unlimited Plan,35.00,100000,GB,,,,",
    "plan,Verizon Wireless,VZ10GB,Business 10GB Plan,30.00,10,GB,15.00,,,",
    "plan,Verizon Wireless,VZ3GB,Business 3GB Plan (retired),15.00,3,GB,15.00,,,{retired}",
    "plan,AT&T Mobility,ATTBUS,Business Unlimited Starter,40.00,100000,GB,,,,",
    "plan,AT&T Mobility,ATT15GB,Business 15GB,30.00,15,GB,10.00,,,",
    "plan,AT&T Mobility,ATT4GB,Business 4GB,22.00,4,GB,10.00,,,",
    "circuit,Lumen,ETHPORT,Ethernet Port 100M,425.00,,,,100,,",
    "circuit,Lumen,ETH1G,Ethernet Port 1G,1500.00,,,,1000,,",
    "circuit,Lumen,ETH50M,Ethernet Port 50M,300.00,,,,50,,",
    "circuit,Lumen,ETH20M,Ethernet Port 20M,210.00,,,,20,,",
    "circuit,Comcast Business,BIZINT,Business Internet 300,149.95,,,,300,,",
    "circuit,Comcast Business,BIZ500,Business Internet 500,249.95,,,,500,,",
    "circuit,Comcast Business,BIZ100,Business Internet 100,89.95,,,,100,,",
    "circuit,Comcast Business,BIZ50,Business Internet 50,69.95,,,,50,,",
];

/// plans.csv: the catalogue, the pool plans last; the retired plans' offer ended
/// the day before the first period.
pub fn plans_csv(plan: &Plan) -> Vec<u8> {
    let first = &plan.periods[0];
    let (y, m) = if first.month == 1 {
        (first.year - 1, 12)
    } else {
        (first.year, first.month - 1)
    };
    let retired = format!("{y:04}-{m:02}-{:02}", telaudit_model::days_in_month(y, m));
    let mut out = String::from(
        "kind,carrier,code,name,monthly,allowance,usage_unit,overage_rate,bandwidth_mbps,effective_from,effective_to\n",
    );
    // The pool plans last, so the other lines keep their line numbers.
    for l in CATALOGUE.iter().chain(&crate::pools::POOL_CATALOGUE) {
        out.push_str(&l.replace("{retired}", &retired));
        out.push('\n');
    }
    out.into_bytes()
}

/// How a circuit's load is drawn.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Load {
    Normal,
    Low,
    Busy,
    LowMissing,
}

/// utilization.csv: every circuit's peak per billed period, with the planted cases.
pub fn utilization_csv(plan: &Plan) -> Vec<u8> {
    let mut rng = Rng::new(mix(&[plan.seed, 0x4C4F_4144]));
    let mut out = Vec::with_capacity(64 * plan.services.len());
    out.extend_from_slice(b"carrier,service_id,period_start,p95_in_mbps,p95_out_mbps\n");
    let months = plan.months;
    for s in plan.services.iter().filter(|s| s.kind == Kind::Circuit) {
        let (carrier, mbps) = match s.carrier {
            LUMEN => ("Lumen", 100),
            COMCAST => ("Comcast Business", 300),
            _ => continue,
        };
        let load = match rng.below(1000) {
            0..=149 => Load::Low,
            150..=199 => Load::Busy,
            200..=229 => Load::LowMissing,
            _ => Load::Normal,
        };
        for p in s.first..=s.last.min(months - 1) {
            let middle = p + 2 == months;
            // Percent of the bandwidth, in hundredths.
            let pct = match load {
                Load::Normal => rng.range(3500, 8500),
                Load::Busy if middle => 4500,
                Load::LowMissing if middle => continue,
                _ => rng.range(500, 2500),
            };
            let peak = pct * mbps / 100; // hundredths of a Mbps
            let other = peak * rng.range(20, 100) / 100;
            let (inb, outb) = if rng.chance(500) {
                (peak, other)
            } else {
                (other, peak)
            };
            let _ = writeln!(
                out,
                "{carrier},{},{},{}.{:02},{}.{:02}",
                s.id,
                plan.periods[p as usize].start,
                inb / 100,
                inb % 100,
                outb / 100,
                outb % 100
            );
        }
    }
    // The export covers a circuit the bills do not: a warning, not used.
    let _ = writeln!(
        out,
        "Lumen,99/ZZZZ/999999/LUMN,{},12.50,3.25",
        plan.periods[months as usize - 1].start
    );
    out
}
