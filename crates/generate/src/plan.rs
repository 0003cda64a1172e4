//! The plan of a client: carriers, accounts, services, contracts and what waste
//! each carries. Everything random is drawn here or per invoice file from
//! seeded streams, so the plan is a pure function of the options.

use crate::rng::{mix, Rng};
use crate::GenOptions;
use telaudit_model::days_in_month;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Wireless,
    Wireline,
    Circuit,
}

/// A billed charge: code, description, price in cents.
#[derive(Copy, Clone, Debug)]
pub struct Charge {
    pub code: &'static str,
    pub desc: &'static str,
    pub cents: i64,
}

const fn ch(code: &'static str, desc: &'static str, cents: i64) -> Charge {
    Charge { code, desc, cents }
}

pub struct CarrierDef {
    pub name: &'static str,
    /// Folder name under invoices/.
    pub dir: &'static str,
    /// Share of services, per mille.
    pub share: u64,
    /// Per mille of its services that are wireless / wireline (the rest circuits).
    pub wireless: u64,
    pub wireline: u64,
    pub min_accounts: usize,
    pub account_base: u64,
}

pub const CARRIERS: [CarrierDef; 4] = [
    CarrierDef {
        name: "Verizon Wireless",
        dir: "verizon-wireless",
        share: 380,
        wireless: 1000,
        wireline: 0,
        min_accounts: 3,
        account_base: 12_345_678,
    },
    CarrierDef {
        name: "AT&T Mobility",
        dir: "att-mobility",
        share: 270,
        wireless: 1000,
        wireline: 0,
        min_accounts: 3,
        account_base: 28_760_001,
    },
    CarrierDef {
        name: "Lumen",
        dir: "lumen",
        share: 170,
        wireless: 0,
        wireline: 470,
        min_accounts: 2,
        account_base: 40_012_345,
    },
    CarrierDef {
        name: "Comcast Business",
        dir: "comcast-business",
        share: 180,
        wireless: 0,
        wireline: 650,
        min_accounts: 2,
        account_base: 8_770_321,
    },
];

pub const VZ: usize = 0;
pub const ATT: usize = 1;
pub const LUMEN: usize = 2;
pub const COMCAST: usize = 3;

// Plans and features. Codes with a rate contract: VZUNL, ATTBUS, ETHPORT, 1FB, LD.
pub const VZ_PLANS: [Charge; 2] = [
    ch("VZUNL", "Business Unlimited Plan", 3500),
    ch("VZ5GB", "Business 5GB Shared Plan", 2500),
];
pub const ATT_PLANS: [Charge; 2] = [
    ch("ATTBUS", "Business Unlimited Starter", 4000),
    ch("ATTMBB", "Mobile Broadband 10GB", 3000),
];
pub const WIRELESS_FEATURES: [Charge; 5] = [
    ch("INTL", "International Calling Pass", 1000),
    ch("HOTSPOT", "Mobile Hotspot 15GB", 1500),
    ch("VVM", "Visual Voicemail", 299),
    ch("PROTECT", "Device Protection", 1700),
    ch("NUMSHR", "NumberShare", 1000),
];
pub const LUMEN_LINE: Charge = ch("1FB", "Business Line, Flat Rate", 4250);
pub const COMCAST_LINE: Charge = ch("VOICE", "VoiceEdge Business Line", 2995);
pub const WIRELINE_FEATURES: [Charge; 3] = [
    ch("CFV", "Call Forwarding Variable", 395),
    ch("HTG", "Hunting", 500),
    ch("VMB", "Voice Mailbox", 650),
];
pub const LUMEN_PORT: Charge = ch("ETHPORT", "Ethernet Port 100M", 42500);
pub const LUMEN_LOOP: Charge = ch("LOOP", "Access Loop, Type 2", 18500);
pub const COMCAST_NET: Charge = ch("BIZINT", "Business Internet 300", 14995);
pub const MANAGED_ROUTER: Charge = ch("MRS", "Managed Router Service", 7500);
pub const COMCAST_WIFI: Charge = ch("CBWIFI", "Comcast Business WiFi", 1995);
pub const COMCAST_IP: Charge = ch("STATIC", "Static IP Block \"/29\"", 2495);

/// Contracted rates (in ten-thousandths of a dollar) and how contracts.csv writes them.
pub const VZUNL_RATE: (i64, &str) = (350_000, "35");
pub const ATTBUS_RATE: (i64, &str) = (400_000, "40.00");
pub const ETHPORT_RATE: (i64, &str) = (4_250_000, "425");
pub const LINE_RATE: (i64, &str) = (425_000, "42.50");
pub const LD_RATE: (i64, &str) = (450, "0.045");

/// A per-period credit a contract promises.
#[derive(Clone, Debug)]
pub struct CreditPlan {
    pub code: &'static str,
    pub desc: &'static str,
    pub cents: i64,
    /// Contract window, as period indexes (inclusive); `to = None` is open-ended.
    pub from: u32,
    pub to: Option<u32>,
    /// Periods in which the carrier gave no credit.
    pub missing: Vec<u32>,
    /// Periods in which the carrier gave half.
    pub short: Vec<u32>,
    /// Whether each period's credit comes as two rows (that still sum to the full amount).
    pub split: bool,
}

impl CreditPlan {
    pub fn inside(&self, p: u32) -> bool {
        p >= self.from && self.to.is_none_or(|t| p <= t)
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Usage {
    /// No usage rows at all.
    None,
    /// Usage > 0 every period.
    Normal,
    /// Zero usage in the account's last 3 periods (waste).
    Unused,
    /// Zero usage in the last 2 periods only (look-alike: used in the 3rd-last).
    AlmostUnused,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub id: String,
    pub carrier: usize,
    /// Index into [`Plan::accounts`].
    pub account: usize,
    pub kind: Kind,
    pub plan: Charge,
    pub plan_qty: i64,
    pub features: Vec<Charge>,
    /// Second recurring charge of a circuit (loop, static IP).
    pub extra: Option<Charge>,
    /// First and last billed period indexes.
    pub first: u32,
    pub last: u32,
    pub status: &'static str,
    pub disconnect_date: Option<String>,
    /// The period index of the disconnect date.
    pub disconnect_period: Option<u32>,
    pub in_inventory: bool,
    pub inventory_names_account: bool,
    pub usage: Usage,
    /// Comcast long distance usage rows.
    pub long_distance: bool,
    /// Period in which recurring charges are billed again on a supplemental invoice, and how many copies in all.
    pub dup: Option<(u32, u32, bool)>,
    /// An exempt tax billed every period: description, code, rate in basis points of the plan.
    pub exempt_tax: Option<(&'static str, &'static str, i64)>,
    /// A second exempt tax billed every period (only with [`GenOptions::tax_every_line`]).
    pub second_tax: Option<(&'static str, &'static str, i64)>,
    /// A negative tax row that reads like an exempt tax (look-alike) in this period.
    pub tax_refund: Option<u32>,
    pub credit: Option<CreditPlan>,
    /// From this period on, the plan's unit rate is billed at this price (ten-thousandths).
    pub overrate: Option<(u32, i64)>,
    /// Whether circuit rows leave quantity and unit_rate empty (amount only).
    pub amount_only: bool,
    pub cost_center: String,
    pub owner: String,
    /// A light data user in the last 3 periods (PLN001), or a look-alike.
    pub light: crate::optimize::DataUse,
}

#[derive(Clone, Debug)]
pub struct Account {
    pub carrier: usize,
    pub number: String,
    pub paper_fee: bool,
    pub local_tax: bool,
    pub credit: Option<CreditPlan>,
    /// The ATTBUS per-account contract / the Lumen 1FB contract is for this account.
    pub line_rate_contract: bool,
    /// Circuits of this account are billed as amounts only (no quantity, no unit rate).
    pub amount_only: bool,
}

#[derive(Clone, Debug)]
pub struct Period {
    /// `2025-01`
    pub ym: String,
    pub start: String,
    pub end: String,
    pub invoice_date: String,
    pub supplement_date: String,
    pub year: u32,
    pub month: u32,
}

pub struct Plan {
    pub seed: u64,
    pub months: u32,
    pub periods: Vec<Period>,
    pub accounts: Vec<Account>,
    pub services: Vec<Service>,
}

const FIRST_NAMES: [&str; 12] = [
    "Maria", "James", "Wei", "Aisha", "Carlos", "Priya", "John", "Fatima", "Olga", "Kenji", "Grace", "Omar",
];
const LAST_NAMES: [&str; 12] = [
    "Garcia", "Smith", "Chen", "Okafor", "Rossi", "Patel", "Nguyen", "Haddad", "Ivanova", "Sato", "Miller",
    "O'Brien",
];

impl Plan {
    pub fn new(opts: &GenOptions) -> Plan {
        let months = opts.months;
        let periods: Vec<Period> = (0..months).map(|p| period(opts.start, p)).collect();
        let mut rng = Rng::new(mix(&[opts.seed, 0x504C_414E]));
        let n = opts.services;

        // Services per carrier by share; the rounding remainder goes to the first carrier.
        let mut counts: Vec<usize> = CARRIERS.iter().map(|c| n * c.share as usize / 1000).collect();
        let assigned: usize = counts.iter().sum();
        counts[0] += n - assigned;

        let mut accounts = Vec::new();
        let mut first_account = Vec::new();
        for (ci, c) in CARRIERS.iter().enumerate() {
            first_account.push(accounts.len());
            let k = match opts.accounts_per_carrier {
                Some(k) => k.max(1),
                None => (counts[ci] / 150).max(c.min_accounts),
            };
            for a in 0..k {
                let number = format!("{:010}", c.account_base + a as u64 * 7919);
                let credit = if rng.chance(300) {
                    let missing = if rng.chance(500) {
                        pick_periods(&mut rng, months, 0, 2)
                    } else {
                        vec![]
                    };
                    let from = if rng.chance(300) { months.min(3) - 1 } else { 0 };
                    Some(CreditPlan {
                        code: "PROMO",
                        desc: "Promotional Credit",
                        cents: rng.range(4, 20) * 2500,
                        from,
                        to: None,
                        missing,
                        short: vec![],
                        split: false,
                    })
                } else {
                    None
                };
                accounts.push(Account {
                    carrier: ci,
                    number,
                    paper_fee: rng.chance(400),
                    local_tax: rng.chance(100),
                    credit,
                    line_rate_contract: ci == ATT || (ci == LUMEN && a == 0),
                    amount_only: ci == LUMEN && a == 1,
                });
            }
        }

        let mut services = Vec::with_capacity(n);
        let mut g = 0usize;
        for (ci, c) in CARRIERS.iter().enumerate() {
            let n_acc = if ci + 1 < CARRIERS.len() {
                first_account[ci + 1]
            } else {
                accounts.len()
            } - first_account[ci];
            for _ in 0..counts[ci] {
                let account = first_account[ci] + rng.below(n_acc as u64) as usize;
                let roll = rng.below(1000);
                let kind = if roll < c.wireless {
                    Kind::Wireless
                } else if roll < c.wireless + c.wireline {
                    Kind::Wireline
                } else {
                    Kind::Circuit
                };
                let s = new_service(&mut rng, g, ci, account, kind, &periods, &accounts[account]);
                services.push(s);
                g += 1;
            }
        }
        plant_overlaps(&mut rng, &mut services, months);
        crate::optimize::plant_light_users(opts.seed, &mut services, months);
        if opts.tax_every_line {
            tax_every_line(opts.seed, &mut services);
        }
        Plan {
            seed: opts.seed,
            months,
            periods,
            accounts,
            services,
        }
    }
}

pub(crate) fn period(start: (u32, u32), p: u32) -> Period {
    let idx = start.0 * 12 + (start.1 - 1) + p;
    let (year, month) = (idx / 12, idx % 12 + 1);
    let end = days_in_month(year, month);
    Period {
        ym: format!("{year:04}-{month:02}"),
        start: format!("{year:04}-{month:02}-01"),
        end: format!("{year:04}-{month:02}-{end:02}"),
        invoice_date: format!("{year:04}-{month:02}-05"),
        supplement_date: format!("{year:04}-{month:02}-19"),
        year,
        month,
    }
}

/// `k_lo..=k_hi` distinct periods (sorted), drawn from all periods.
fn pick_periods(rng: &mut Rng, months: u32, k_lo: i64, k_hi: i64) -> Vec<u32> {
    let k = rng.range(k_lo, k_hi).max(1) as usize;
    let mut v: Vec<u32> = (0..k).map(|_| rng.below(u64::from(months)) as u32).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn service_id(rng: &mut Rng, g: usize, carrier: usize, kind: Kind) -> String {
    match kind {
        Kind::Wireless | Kind::Wireline => format!("{}-555-01{:02}", 201 + g / 100, g % 100),
        Kind::Circuit => {
            let letters: String = (0..4).map(|_| (b'A' + rng.below(26) as u8) as char).collect();
            if carrier == LUMEN {
                format!("{}/{}/{:06}/LUMN", rng.range(70, 89), letters, 100_000 + g)
            } else {
                format!("CB{}{:07}", &letters[..2], g)
            }
        }
    }
}

/// A new service `g` of `carrier` on `account`, with its planted waste and
/// look-alikes. The steps draw from `rng` in a fixed order, so the same seed gives
/// the same services.
fn new_service(
    rng: &mut Rng,
    g: usize,
    carrier: usize,
    account: usize,
    kind: Kind,
    periods: &[Period],
    acct: &Account,
) -> Service {
    let months = periods.len() as u32;
    let mut s = base_service(rng, g, carrier, account, kind, months);
    choose_plan(rng, &mut s, months, acct);
    // Some services start later in the year, with an activation fee.
    if months >= 6 && rng.chance(80) {
        s.first = rng.range(1, i64::from(months / 2)) as u32;
    }
    plant_status(rng, &mut s, periods);
    plant_duplicate(rng, &mut s);
    plant_taxes(rng, &mut s);
    plant_credit(rng, &mut s, months);
    plant_overrate(rng, &mut s, acct);
    s
}

/// A service with its id, owner and cost center, billed every period, with no
/// plan chosen and nothing planted yet.
fn base_service(rng: &mut Rng, g: usize, carrier: usize, account: usize, kind: Kind, months: u32) -> Service {
    let id = service_id(rng, g, carrier, kind);
    let last_p = months - 1;
    let mut s = Service {
        id,
        carrier,
        account,
        kind,
        plan: VZ_PLANS[0],
        plan_qty: 1,
        features: vec![],
        extra: None,
        first: 0,
        last: last_p,
        status: "active",
        disconnect_date: None,
        disconnect_period: None,
        in_inventory: !rng.chance(40),
        inventory_names_account: !rng.chance(150),
        usage: Usage::None,
        long_distance: false,
        dup: None,
        exempt_tax: None,
        second_tax: None,
        tax_refund: None,
        credit: None,
        overrate: None,
        amount_only: false,
        light: crate::optimize::DataUse::Drawn,
        cost_center: format!("CC-{}", 1000 + rng.below(40) * 10),
        owner: format!("{} {}", rng.pick(&FIRST_NAMES), rng.pick(&LAST_NAMES)),
    };
    if rng.chance(100) {
        // "Last, First" exercises quoting in inventory.csv.
        s.owner = format!("{}, {}", rng.pick(&LAST_NAMES), rng.pick(&FIRST_NAMES));
    }
    s
}

/// The service's plan, features and usage, by kind and carrier (some wireless
/// lines unused or almost unused: waste).
fn choose_plan(rng: &mut Rng, s: &mut Service, months: u32, acct: &Account) {
    let (kind, carrier) = (s.kind, s.carrier);
    match kind {
        Kind::Wireless => {
            s.plan = if carrier == VZ {
                *rng.pick(&VZ_PLANS)
            } else {
                *rng.pick(&ATT_PLANS)
            };
            s.usage = Usage::Normal;
            let nf = rng.range(1, 3);
            let mut feats: Vec<Charge> = Vec::new();
            for _ in 0..nf {
                let f = *rng.pick(&WIRELESS_FEATURES);
                if !feats.iter().any(|x| x.code == f.code) {
                    feats.push(f);
                }
            }
            s.features = feats;
            if months >= 4 {
                let r = rng.below(1000);
                if r < 45 {
                    s.usage = Usage::Unused;
                } else if r < 65 {
                    s.usage = Usage::AlmostUnused;
                }
            }
        }
        Kind::Wireline => {
            if carrier == LUMEN {
                s.plan = LUMEN_LINE;
                s.plan_qty = if rng.chance(300) { 2 } else { 1 };
            } else {
                s.plan = COMCAST_LINE;
                s.long_distance = true;
                s.usage = Usage::Normal;
            }
            let first = rng.below(WIRELINE_FEATURES.len() as u64) as usize;
            s.features = vec![WIRELINE_FEATURES[first]];
            if rng.chance(300) {
                s.features
                    .push(WIRELINE_FEATURES[(first + 1) % WIRELINE_FEATURES.len()]);
            }
        }
        Kind::Circuit => {
            if carrier == LUMEN {
                s.plan = LUMEN_PORT;
                s.extra = Some(LUMEN_LOOP);
                s.amount_only = acct.amount_only;
            } else {
                s.plan = COMCAST_NET;
                s.extra = Some(COMCAST_IP);
            }
            if rng.chance(500) {
                s.features = vec![if carrier == LUMEN {
                    MANAGED_ROUTER
                } else {
                    COMCAST_WIFI
                }];
            }
        }
    }
}

/// Inventory status and disconnects: some lines billed after their disconnect
/// (waste), some stopped correctly, some disconnected on a period start (a
/// look-alike), some pending.
fn plant_status(rng: &mut Rng, s: &mut Service, periods: &[Period]) {
    let months = periods.len() as u32;
    let last_p = months - 1;
    let r = rng.below(1000);
    if months >= 5 && s.first == 0 {
        let k = rng.range(1, i64::from(months) - 3) as u32; // the disconnect month
        if r < 30 {
            // Waste: disconnected on day 2..28 of month k, billed on.
            s.status = "disconnected";
            s.in_inventory = true;
            s.disconnect_date = Some(date_in(periods, k, rng.range(2, 28) as u32));
            s.disconnect_period = Some(k);
            s.last = if rng.chance(700) { last_p } else { k + 2 };
        } else if r < 55 {
            // Correctly stopped: last billed period contains the disconnect date.
            s.status = "disconnected";
            s.in_inventory = true;
            s.disconnect_date = Some(date_in(periods, k, rng.range(2, 28) as u32));
            s.disconnect_period = Some(k);
            s.last = k;
        } else if r < 70 {
            // Look-alike: disconnected exactly on a period start, billed through that period.
            s.status = "disconnected";
            s.in_inventory = true;
            s.disconnect_date = Some(date_in(periods, k, 1));
            s.disconnect_period = Some(k);
            s.last = k;
        } else if r < 80 {
            s.status = "pending";
        }
    }
}

/// Duplicate recurring charges on a supplemental invoice (waste; a few with a
/// third copy or a changed description).
fn plant_duplicate(rng: &mut Rng, s: &mut Service) {
    if rng.chance(25) {
        let p = rng.range(i64::from(s.first), i64::from(s.last)) as u32;
        let copies = if rng.chance(150) { 3 } else { 2 };
        s.dup = Some((p, copies, rng.chance(300)));
    }
}

/// Exempt taxes (waste on a tax-exempt client) and a refund look-alike.
fn plant_taxes(rng: &mut Rng, s: &mut Service) {
    let kind = s.kind;
    if rng.chance(35) {
        let state = kind == Kind::Wireless && rng.chance(600);
        s.exempt_tax = Some(if state {
            ("State Sales Tax", "STX", 625)
        } else {
            ("Federal Excise Tax", "FET", 300)
        });
    } else if rng.chance(10) {
        s.tax_refund = Some(rng.range(i64::from(s.first), i64::from(s.last)) as u32);
    }
}

/// The tax-exempt enterprise of issue 24: every service is billed one exempt
/// tax every period (a service without one gets the federal excise tax, or a
/// wireless line one time in five the state sales tax), and three in ten a
/// second one (the local sales tax, 2% of the plan). Drawn from a stream of
/// its own after the plan is made, so the plan's other draws, and every client
/// generated without the option, do not change.
fn tax_every_line(seed: u64, services: &mut [Service]) {
    let mut rng = Rng::new(mix(&[seed, 0x5441_5845]));
    for s in services.iter_mut() {
        let state = s.kind == Kind::Wireless && rng.chance(200);
        let second = rng.chance(300);
        if s.exempt_tax.is_none() {
            s.exempt_tax = Some(if state {
                ("State Sales Tax", "STX", 625)
            } else {
                ("Federal Excise Tax", "FET", 300)
            });
        }
        if second {
            s.second_tax = Some(("Local Sales Tax", "LST", 200));
        }
    }
}

/// Credit contracts (AT&T loyalty, Lumen SLA), some credits missing, short or
/// split across lines on the bill.
fn plant_credit(rng: &mut Rng, s: &mut Service, months: u32) {
    let (carrier, kind) = (s.carrier, s.kind);
    let credit_chance = match (carrier, kind) {
        (ATT, Kind::Wireless) => 200,
        (LUMEN, Kind::Circuit) => 250,
        _ => 0,
    };
    if credit_chance > 0 && rng.chance(credit_chance) {
        let (code, desc, cents) = if kind == Kind::Wireless {
            ("LOYAL", "Loyalty Credit", 1000)
        } else {
            ("SLACR", "SLA Service Credit", 5000)
        };
        let from = if rng.chance(300) {
            rng.range(0, i64::from(months / 3)) as u32
        } else {
            0
        };
        let to = if rng.chance(200) && months >= 4 {
            Some(months - 2)
        } else {
            None
        };
        let r = rng.below(1000);
        let (missing, short, split) = if r < 400 {
            (pick_periods(rng, months, 1, 3), vec![], false)
        } else if r < 600 {
            (vec![], pick_periods(rng, months, 1, 2), false)
        } else if r < 800 {
            (vec![], vec![], true)
        } else {
            (vec![], vec![], false)
        };
        s.credit = Some(CreditPlan {
            code,
            desc,
            cents,
            from,
            to,
            missing,
            short,
            split,
        });
    }
}

/// Rates above contract, from a random period on.
fn plant_overrate(rng: &mut Rng, s: &mut Service, acct: &Account) {
    let over = match s.plan.code {
        "VZUNL" if rng.chance(40) => Some(385_000),
        "ATTBUS" if rng.chance(40) => Some(429_900),
        "ETHPORT" if rng.chance(150) => Some(4_500_000),
        "1FB" if acct.line_rate_contract && rng.chance(200) => Some(440_000),
        "VOICE" if rng.chance(100) => Some(475), // the long-distance per-minute rate
        _ => None,
    };
    if let Some(rate) = over {
        let from = rng.range(i64::from(s.first), i64::from(s.last)) as u32;
        s.overrate = Some((from, rate));
    }
}

fn date_in(periods: &[Period], p: u32, day: u32) -> String {
    let per = &periods[p as usize];
    format!("{:04}-{:02}-{:02}", per.year, per.month, day)
}

/// Makes sure the overlaps the audit must not double count exist: a duplicated
/// charge on a line billed after disconnect, and an exempt tax on such a line.
fn plant_overlaps(rng: &mut Rng, services: &mut [Service], months: u32) {
    let wasted: Vec<usize> = services
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.status == "disconnected"
                && s.last == months - 1
                && s.disconnect_date.as_deref().is_some_and(|d| !d.ends_with("-01"))
        })
        .map(|(i, _)| i)
        .collect();
    for (j, &i) in wasted.iter().enumerate() {
        let s = &mut services[i];
        let Some(k) = s.disconnect_period else { continue };
        if j % 4 == 0 && k < s.last {
            let p = rng.range(i64::from(k) + 1, i64::from(s.last)) as u32;
            s.dup = Some((p, 2, false));
        }
        if j % 4 == 1 && s.exempt_tax.is_none() {
            s.exempt_tax = Some(("State Sales Tax", "STX", 625));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_roll_over_years() {
        let p = period((2025, 11), 2);
        assert_eq!(p.start, "2026-01-01");
        assert_eq!(p.end, "2026-01-31");
        let f = period((2024, 1), 1);
        assert_eq!(f.end, "2024-02-29");
        assert_eq!(f.ym, "2024-02");
    }

    #[test]
    fn service_ids_are_unique() {
        let plan = Plan::new(&GenOptions {
            services: 3000,
            ..GenOptions::default()
        });
        let mut ids: Vec<&str> = plan.services.iter().map(|s| s.id.as_str()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert_eq!(n, 3000);
    }
}
