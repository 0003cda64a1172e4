//! The funding plan (optimization.md section 4): the proposal's items, the TEM
//! provider's fee, and the cash flow month by month, computed once and exactly.
//!
//! Every figure is held as an [`Exact`] decimal (a big integer over a power of
//! ten) or, for the net present value, an exact [`Ratio`]; nothing is rounded
//! until [`Exact::cents`] or [`Ratio::cents`] writes it. `payback_months` is
//! found in closed form (the cumulative cash flow is linear on each side of the
//! TEM fee's last month), so it is exact however far past the horizon it lies.

use num_bigint::{BigInt, Sign};
use std::cmp::Ordering;
use telaudit_model::{Decimal, Proposal, ProposalItem, TemShare};

/// The horizon when client.toml gives none.
pub const DEFAULT_HORIZON: u32 = 36;

/// An exact decimal of any size: `m / 10^scale`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exact {
    m: BigInt,
    scale: u32,
}

/// An exact fraction `num / den` with `den > 0`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ratio {
    num: BigInt,
    den: BigInt,
}

fn pow10(n: u32) -> BigInt {
    BigInt::from(10u8).pow(n)
}

/// `num / den` (den > 0) rounded to cents, half away from zero, as a Decimal
/// with 2 decimals; saturated at the Decimal range (about 7.9 x 10^26), which
/// no bill reaches.
fn round_cents(num: &BigInt, den: &BigInt) -> Decimal {
    let n = num.magnitude() * 100u32;
    let d = den.magnitude();
    let mut q = &n / d;
    let r = &n % d;
    if r * 2u32 >= *d {
        q += 1u32;
    }
    let cents = i128::try_from(&q).ok();
    let neg = num.sign() == Sign::Minus;
    let v = cents.and_then(|c| Decimal::try_from_i128_with_scale(if neg { -c } else { c }, 2).ok());
    match v {
        Some(v) if v.is_zero() => Decimal::new(0, 2),
        Some(v) => v,
        None if neg => Decimal::MIN,
        None => Decimal::MAX,
    }
}

impl Exact {
    /// Zero.
    pub fn zero() -> Exact {
        Exact {
            m: BigInt::ZERO,
            scale: 0,
        }
    }

    /// The exact value of a Decimal.
    pub fn of(d: Decimal) -> Exact {
        Exact {
            m: BigInt::from(d.mantissa()),
            scale: d.scale(),
        }
    }

    /// A whole number.
    pub fn int(n: u128) -> Exact {
        Exact {
            m: BigInt::from(n),
            scale: 0,
        }
    }

    /// The mantissa at a scale >= self.scale.
    fn at(&self, scale: u32) -> BigInt {
        &self.m * pow10(scale - self.scale)
    }

    /// `self + o`.
    pub fn add(&self, o: &Exact) -> Exact {
        let scale = self.scale.max(o.scale);
        Exact {
            m: self.at(scale) + o.at(scale),
            scale,
        }
    }

    /// `self - o`.
    pub fn sub(&self, o: &Exact) -> Exact {
        let scale = self.scale.max(o.scale);
        Exact {
            m: self.at(scale) - o.at(scale),
            scale,
        }
    }

    /// `self * o`.
    pub fn mul(&self, o: &Exact) -> Exact {
        Exact {
            m: &self.m * &o.m,
            scale: self.scale + o.scale,
        }
    }

    /// How the value compares with zero.
    pub fn sign(&self) -> Ordering {
        match self.m.sign() {
            Sign::Minus => Ordering::Less,
            Sign::NoSign => Ordering::Equal,
            Sign::Plus => Ordering::Greater,
        }
    }

    /// The value as a Decimal: exact when it fits in one (any sum of
    /// client.toml amounts does), else rounded or saturated.
    pub fn to_decimal(&self) -> Decimal {
        let exact = i128::try_from(&self.m)
            .ok()
            .and_then(|m| Decimal::try_from_i128_with_scale(m, self.scale).ok());
        exact.unwrap_or_else(|| {
            let c = self.cents();
            if c.is_zero() && self.m.sign() != Sign::NoSign {
                // Smaller than a cent but too long for a Decimal: keep 28 places.
                let m = &self.m / pow10(self.scale - 28);
                i128::try_from(&m)
                    .ok()
                    .and_then(|m| Decimal::try_from_i128_with_scale(m, 28).ok())
                    .unwrap_or(c)
            } else {
                c
            }
        })
    }

    /// Rounded to cents, half away from zero (see [`round_cents`]).
    pub fn cents(&self) -> Decimal {
        round_cents(&self.m, &pow10(self.scale))
    }

    /// The least whole number >= `self / d`, for `self > 0` and `d > 0`.
    fn ceil_div(&self, d: &Exact) -> Option<u128> {
        let n = self.at(self.scale.max(d.scale));
        let dd = d.at(self.scale.max(d.scale));
        let q = (n + &dd - 1u32) / dd;
        u128::try_from(&q).ok()
    }
}

impl Ratio {
    /// Rounded to cents, half away from zero.
    pub fn cents(&self) -> Decimal {
        round_cents(&self.num, &self.den)
    }
}

/// One month of the cash-flow schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CashMonth {
    /// 0 (the month the plan starts) to the horizon.
    pub month: u32,
    /// CF of the month.
    pub cash_flow: Exact,
    /// CF0 + ... + CF of the month.
    pub cumulative: Exact,
}

/// The funding plan's figures beyond formats.md's proposal block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The schedule's length in months (1..=120; 36 by default).
    pub horizon_months: u32,
    /// The annual discount rate, as given (0 by default).
    pub discount_rate: Decimal,
    /// The top-level pair (provider "", role "upgrade") first when given, then
    /// `[[proposal.items]]` in file order.
    pub items: Vec<ProposalItem>,
    /// `[proposal.tem]` as given.
    pub tem: Option<TemShare>,
    /// a x R: the TEM provider's share of the recoverable money (month 0).
    pub tem_recovery_fee: Exact,
    /// s x M: its share of the monthly savings, each of months 1..=S.
    pub tem_monthly_fee: Exact,
    /// a x R + s x M x min(S, H).
    pub tem_fees: Exact,
    /// The sum over t = 0..=H of CFt / (1 + discount_rate / 12)^t.
    pub npv: Ratio,
    /// cumulative(12), whatever the horizon.
    pub net_first_year: Exact,
    /// Months 0..=H.
    pub schedule: Vec<CashMonth>,
}

/// The cash-flow model: CF0, the monthly flow while the TEM provider takes its
/// share of the savings (months 1..=S), and after.
#[derive(Clone, Debug)]
pub struct CashFlow {
    /// CF0 = R - a x R - O.
    pub first: Exact,
    /// CFt for 1 <= t <= S: M - N - s x M.
    pub during_fee: Exact,
    /// CFt for t > S: M - N.
    pub after_fee: Exact,
    /// S, the months the savings share is paid.
    pub fee_months: u64,
}

impl CashFlow {
    /// The model for totals R (recoverable) and M (monthly savings), the
    /// proposal's one-time sum O and monthly sum N, and the TEM share.
    pub fn new(
        recoverable: Decimal,
        monthly: Decimal,
        one_time: &Exact,
        proposal_monthly: &Exact,
        tem: Option<&TemShare>,
    ) -> CashFlow {
        let (r, m) = (Exact::of(recoverable), Exact::of(monthly));
        let (a, s, months) = match tem {
            Some(t) => (
                Exact::of(t.recovery_share),
                Exact::of(t.savings_share),
                t.savings_months,
            ),
            None => (Exact::zero(), Exact::zero(), 0),
        };
        let after_fee = m.sub(proposal_monthly);
        CashFlow {
            first: r.sub(&a.mul(&r)).sub(one_time),
            during_fee: after_fee.sub(&s.mul(&m)),
            after_fee,
            fee_months: months,
        }
    }

    /// CFt.
    pub fn at(&self, t: u64) -> &Exact {
        if t == 0 {
            &self.first
        } else if t <= self.fee_months {
            &self.during_fee
        } else {
            &self.after_fee
        }
    }

    /// cumulative(t) = CF0 + ... + CFt.
    pub fn cumulative(&self, t: u64) -> Exact {
        let during = t.min(self.fee_months);
        self.first
            .add(&self.during_fee.mul(&Exact::int(u128::from(during))))
            .add(&self.after_fee.mul(&Exact::int(u128::from(t - during))))
    }

    /// The least t >= 0 with cumulative(t) >= 0, in closed form; `None` when it
    /// never comes (or would not fit in a u128).
    pub fn payback_months(&self) -> Option<u128> {
        if self.first.sign() != Ordering::Less {
            return Some(0);
        }
        let owed = Exact::zero().sub(&self.first); // > 0
                                                   // Months 1..=S: cumulative grows by during_fee a month.
        if self.fee_months > 0 && self.during_fee.sign() == Ordering::Greater {
            let t = owed.ceil_div(&self.during_fee)?;
            if t <= u128::from(self.fee_months) {
                return Some(t);
            }
        }
        // Still short after month S (cumulative(S) < 0: a rising first part
        // would have reached 0 by S, a falling one only deepens the debt).
        if self.after_fee.sign() != Ordering::Greater {
            return None;
        }
        let short = Exact::zero().sub(&self.cumulative(self.fee_months));
        let more = short.ceil_div(&self.after_fee)?;
        more.checked_add(u128::from(self.fee_months))
    }

    /// The sum over t = 0..=h of CFt / (1 + rate / 12)^t, exactly.
    ///
    /// With rate = p / 10^k, 1 + rate / 12 = B / A where A = 12 x 10^k and
    /// B = A + p, so the sum is (sum of c_t x A^t x B^(h-t)) / (10^scale x B^h),
    /// c_t the mantissas of CFt at one scale; the numerator is built by Horner's rule.
    pub fn npv(&self, h: u32, rate: Decimal) -> Ratio {
        let scale = self
            .first
            .scale
            .max(self.during_fee.scale)
            .max(self.after_fee.scale);
        let a = BigInt::from(12u8) * pow10(rate.scale());
        let b = &a + BigInt::from(rate.mantissa());
        let mut num = BigInt::ZERO;
        let mut a_pow = BigInt::from(1u8);
        for t in 0..=u64::from(h) {
            num = num * &b + self.at(t).at(scale) * &a_pow;
            a_pow *= &a;
        }
        Ratio {
            num,
            den: pow10(scale) * b.pow(h),
        }
    }
}

/// The proposal's items (the top-level pair first, when given), their one-time
/// sum O and monthly sum N.
pub fn items(p: &Proposal) -> (Vec<ProposalItem>, Exact, Exact) {
    let mut items = Vec::with_capacity(p.items.len() + 1);
    if p.top_level {
        items.push(ProposalItem {
            provider: String::new(),
            role: "upgrade".to_string(),
            one_time: p.one_time,
            monthly: p.monthly,
        });
    }
    items.extend(p.items.iter().cloned());
    let one_time = items
        .iter()
        .fold(Exact::zero(), |s, i| s.add(&Exact::of(i.one_time)));
    let monthly = items
        .iter()
        .fold(Exact::zero(), |s, i| s.add(&Exact::of(i.monthly)));
    (items, one_time, monthly)
}

/// The plan of a proposal, for totals R and M.
pub fn plan(
    p: &Proposal,
    items: Vec<ProposalItem>,
    flow: &CashFlow,
    recoverable: Decimal,
    monthly: Decimal,
) -> Plan {
    let h = p.horizon_months.unwrap_or(DEFAULT_HORIZON);
    let rate = p.discount_rate.unwrap_or(Decimal::ZERO);
    let (tem_recovery_fee, tem_monthly_fee, tem_fees) = match &p.tem {
        None => (Exact::zero(), Exact::zero(), Exact::zero()),
        Some(t) => {
            let once = Exact::of(t.recovery_share).mul(&Exact::of(recoverable));
            let monthly = Exact::of(t.savings_share).mul(&Exact::of(monthly));
            let months = Exact::int(u128::from(t.savings_months.min(u64::from(h))));
            let fees = once.add(&monthly.mul(&months));
            (once, monthly, fees)
        }
    };
    let mut schedule = Vec::with_capacity(h as usize + 1);
    let mut cumulative = Exact::zero();
    for t in 0..=h {
        let cf = flow.at(u64::from(t)).clone();
        cumulative = cumulative.add(&cf);
        schedule.push(CashMonth {
            month: t,
            cash_flow: cf,
            cumulative: cumulative.clone(),
        });
    }
    Plan {
        horizon_months: h,
        discount_rate: rate,
        items,
        tem: p.tem.clone(),
        tem_recovery_fee,
        tem_monthly_fee,
        tem_fees,
        npv: flow.npv(h, rate),
        net_first_year: flow.cumulative(12),
        schedule,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn exact_arithmetic_and_rounding() {
        let x = Exact::of(d("0.005")).add(&Exact::of(d("2")));
        assert_eq!(x.cents().to_string(), "2.01");
        assert_eq!(Exact::zero().sub(&x).cents().to_string(), "-2.01");
        assert_eq!(Exact::of(d("-0.004")).cents().to_string(), "0.00");
        assert_eq!(
            Exact::of(d("0.3")).mul(&Exact::of(d("0.3"))),
            Exact::of(d("0.09"))
        );
        // 1/3 = 0.333.. -> 0.33; 2/3 -> 0.67; -1/8 = -0.125 -> -0.13.
        let r = |n: i64, den: i64| Ratio {
            num: BigInt::from(n),
            den: BigInt::from(den),
        };
        assert_eq!(r(1, 3).cents().to_string(), "0.33");
        assert_eq!(r(2, 3).cents().to_string(), "0.67");
        assert_eq!(r(-1, 8).cents().to_string(), "-0.13");
        assert_eq!(Exact::of(d("7")).ceil_div(&Exact::of(d("3.5"))), Some(2));
        assert_eq!(Exact::of(d("7.01")).ceil_div(&Exact::of(d("3.5"))), Some(3));
    }

    use crate::{funding, Funding, Totals};

    /// The funding of proposal `p` for totals R = `rec`, M = `mon`.
    fn fund(rec: &str, mon: &str, p: &Proposal) -> Funding {
        let (recoverable, monthly) = (d(rec), d(mon));
        let totals = Totals {
            recoverable,
            monthly,
            annual: monthly * Decimal::from(12),
            first_year: recoverable + monthly * Decimal::from(12),
            findings: 1,
            expired: Decimal::ZERO,
        };
        funding(p, &totals)
    }

    fn item(role: &str, one_time: &str, monthly: &str) -> ProposalItem {
        ProposalItem {
            provider: format!("{role} Co"),
            role: role.to_string(),
            one_time: d(one_time),
            monthly: d(monthly),
        }
    }

    fn tem(a: &str, s: &str, months: u64) -> Option<TemShare> {
        Some(TemShare {
            provider: "Ledger TEM".to_string(),
            recovery_share: d(a),
            savings_share: d(s),
            savings_months: months,
        })
    }

    fn cents(e: &Exact) -> String {
        e.cents().to_string()
    }

    /// (month, cash_flow, cumulative) of the schedule, in cents.
    fn schedule(f: &Funding) -> Vec<(u32, String, String)> {
        f.plan
            .schedule
            .iter()
            .map(|m| (m.month, cents(&m.cash_flow), cents(&m.cumulative)))
            .collect()
    }

    #[test]
    fn no_tem_share() {
        // O = 20000 + 30000 = 50000, N = 0 + 500 = 500; R = 10000, M = 2000.
        // CF0 = 10000 - 50000 = -40000; CFt = 2000 - 500 = 1500.
        // payback: ceil(40000 / 1500) = 27 (26 x 1500 = 39000 < 40000).
        let p = Proposal {
            items: vec![
                item("equipment", "30000", "0"),
                item("managed services", "0", "500"),
            ],
            ..Proposal::simple(d("20000"), d("0"))
        };
        let f = fund("10000", "2000", &p);
        assert!(f.shows_plan);
        assert_eq!(f.one_time, d("50000"));
        assert_eq!(f.monthly, d("500"));
        assert_eq!(f.first_year_cost, d("56000"));
        // (10000 + 24000) / 56000 = 0.60714...
        assert_eq!(f.funded_share, Some(d("0.6071")));
        assert_eq!(f.payback_months, Some(27));
        let roles: Vec<&str> = f.plan.items.iter().map(|i| i.role.as_str()).collect();
        assert_eq!(roles, ["upgrade", "equipment", "managed services"]);
        assert_eq!(f.plan.items[0].provider, "");
        assert_eq!(f.plan.horizon_months, 36);
        assert_eq!(cents(&f.plan.tem_fees), "0.00");
        // rate 0: -40000 + 36 x 1500 = 14000.
        assert_eq!(f.plan.npv.cents().to_string(), "14000.00");
        // cumulative(12) = -40000 + 12 x 1500.
        assert_eq!(cents(&f.plan.net_first_year), "-22000.00");
        let s = schedule(&f);
        assert_eq!(s.len(), 37);
        assert_eq!(s[0], (0, "-40000.00".into(), "-40000.00".into()));
        assert_eq!(s[26], (26, "1500.00".into(), "-1000.00".into()));
        assert_eq!(s[27], (27, "1500.00".into(), "500.00".into()));
        assert_eq!(s[36], (36, "1500.00".into(), "14000.00".into()));
        // 8% a year: 1500 x (1 - (1 + 0.08/12)^-36) / (0.08/12) - 40000 = 7867.708...
        let p8 = Proposal {
            discount_rate: Some(d("0.08")),
            ..p
        };
        assert_eq!(fund("10000", "2000", &p8).plan.npv.cents().to_string(), "7867.71");
    }

    #[test]
    fn tem_share_longer_than_the_horizon() {
        // R = 10000, M = 2000, O = 20000, N = 500, a = 0.30, s = 0.25 for 48 months, H = 12.
        // CF0 = 10000 - 3000 - 20000 = -13000; CFt = 2000 - 500 - 500 = 1000 (t <= 48).
        let p = Proposal {
            horizon_months: Some(12),
            tem: tem("0.30", "0.25", 48),
            ..Proposal::simple(d("20000"), d("500"))
        };
        let f = fund("10000", "2000", &p);
        // ceil(13000 / 1000) = 13, one month past the horizon.
        assert_eq!(f.payback_months, Some(13));
        // tem_fees = 0.30 x 10000 + 0.25 x 2000 x min(48, 12) = 3000 + 6000.
        assert_eq!(cents(&f.plan.tem_fees), "9000.00");
        assert_eq!(cents(&f.plan.tem_recovery_fee), "3000.00");
        assert_eq!(cents(&f.plan.tem_monthly_fee), "500.00");
        // -13000 + 12 x 1000.
        assert_eq!(f.plan.npv.cents().to_string(), "-1000.00");
        assert_eq!(cents(&f.plan.net_first_year), "-1000.00");
        let s = schedule(&f);
        assert_eq!(s.len(), 13);
        assert_eq!(s[12], (12, "1000.00".into(), "-1000.00".into()));
    }

    #[test]
    fn payback_after_the_tem_fee_ends() {
        // R = 0, M = 1000, O = 10000, s = 0.5 for 10 months: CFt = 500 (t <= 10), then 1000.
        // cumulative(10) = -5000; 5 more months of 1000: payback 15 (cumulative(14) = -1000).
        let p = Proposal {
            tem: tem("0", "0.5", 10),
            ..Proposal::simple(d("10000"), d("0"))
        };
        let f = fund("0", "1000", &p);
        assert_eq!(f.payback_months, Some(15));
        assert_eq!(cents(&f.plan.schedule[14].cumulative), "-1000.00");
        assert_eq!(cents(&f.plan.schedule[15].cumulative), "0.00");
        // 0.5 x 1000 x min(10, 36).
        assert_eq!(cents(&f.plan.tem_fees), "5000.00");
        // -10000 + 10 x 500 + 26 x 1000.
        assert_eq!(f.plan.npv.cents().to_string(), "21000.00");
    }

    #[test]
    fn payback_at_month_0_and_never() {
        // CF0 = 50000 - 48000 = 2000 >= 0: month 0.
        let p = Proposal::simple(d("48000"), d("1200"));
        assert_eq!(fund("50000", "0", &p).payback_months, Some(0));
        assert!(!fund("50000", "0", &p).shows_plan);
        // The TEM provider's 10% of the recoverable: CF0 = 50000 - 5000 - 48000 = -3000,
        // and each month loses 1200: never.
        let p = Proposal {
            horizon_months: Some(3),
            tem: tem("0.1", "0", 0),
            ..p
        };
        let f = fund("50000", "0", &p);
        assert_eq!(f.payback_months, None);
        // -3000 - 3 x 1200.
        assert_eq!(f.plan.npv.cents().to_string(), "-6600.00");
        assert_eq!(cents(&f.plan.tem_fees), "5000.00");
    }

    #[test]
    fn payback_far_past_the_horizon() {
        // A 900,000 plan, savings of 1616 a month: 556 x 1616 = 898,496 < 900,000,
        // 557 x 1616 = 900,112: month 557, although the schedule stops at 36.
        let p = Proposal {
            items: vec![item("equipment", "900000", "0")],
            ..Proposal::default()
        };
        let f = fund("0", "1616", &p);
        assert_eq!(f.payback_months, Some(557));
        assert_eq!(f.plan.schedule.len(), 37);
        assert_eq!(f.plan.items.len(), 1, "no top-level pair was given");
        // With a savings share of 1% for 1000 months: 1616 - 16.16 = 1599.84 a month,
        // ceil(900000 / 1599.84) = 563 (562 x 1599.84 = 899110.08).
        let p = Proposal {
            tem: tem("0", "0.01", 1000),
            ..p
        };
        assert_eq!(fund("0", "1616", &p).payback_months, Some(563));
    }

    #[test]
    fn discount_rate_0_is_the_plain_sum_and_12_percent_is_1_percent_a_month() {
        // CF0 = 1000 - 2000 = -1000, CF1 = CF2 = 600, H = 2.
        let plain = Proposal {
            horizon_months: Some(2),
            discount_rate: Some(d("0")),
            ..Proposal::simple(d("2000"), d("0"))
        };
        let f = fund("1000", "600", &plain);
        assert_eq!(f.plan.npv.cents().to_string(), "200.00");
        assert_eq!(cents(&f.plan.schedule[2].cumulative), "200.00");
        // -1000 + 600 / 1.01 + 600 / 1.0201 = 182.2370...
        let twelve = Proposal {
            discount_rate: Some(d("0.12")),
            ..plain
        };
        assert_eq!(
            fund("1000", "600", &twelve).plan.npv.cents().to_string(),
            "182.24"
        );
    }

    #[test]
    fn one_month_of_horizon() {
        // R = 100, M = 50, no costs: CF0 = 100, CF1 = 50.
        let p = Proposal {
            horizon_months: Some(1),
            discount_rate: Some(d("0.12")),
            ..Proposal::default()
        };
        let f = fund("100", "50", &p);
        assert_eq!(
            schedule(&f),
            [
                (0, "100.00".into(), "100.00".into()),
                (1, "50.00".into(), "150.00".into())
            ]
        );
        // 100 + 50 / 1.01 = 149.504...
        assert_eq!(f.plan.npv.cents().to_string(), "149.50");
        // cumulative(12) whatever the horizon: 100 + 12 x 50.
        assert_eq!(cents(&f.plan.net_first_year), "700.00");
        assert_eq!(f.payback_months, Some(0));
        assert_eq!(f.funded_share, None);
    }

    proptest::proptest! {
        // A fixed seed so a failure reproduces; PROPTEST_RNG_SEED explores others.
        #![proptest_config(proptest::test_runner::Config {
            rng_seed: match proptest::test_runner::Config::default().rng_seed {
                proptest::test_runner::RngSeed::Random => proptest::test_runner::RngSeed::Fixed(20_261_201),
                chosen => chosen,
            },
            ..proptest::test_runner::Config::default()
        })]

        /// The closed form agrees with walking the schedule month by month, in
        /// whole units of 1/10000 cent (cents x percent), with a TEM share.
        #[test]
        fn closed_form_payback_is_the_first_month_at_or_above_zero(
            rec in 0i64..2_000_000,
            mon in -50_000i64..200_000,
            one_time in 0i64..5_000_000,
            p_mon in 0i64..100_000,
            a in 0i64..=100,
            s in 0i64..=100,
            months in 0u64..40,
        ) {
            let pct = |v: i64| Decimal::new(v, 2);
            let p = Proposal {
                tem: Some(TemShare {
                    provider: "T".into(),
                    recovery_share: pct(a),
                    savings_share: pct(s),
                    savings_months: months,
                }),
                ..Proposal::simple(pct(one_time), pct(p_mon))
            };
            let f = fund(&pct(rec).to_string(), &pct(mon).to_string(), &p);
            let (rec, mon, one_time, p_mon) = (i128::from(rec), i128::from(mon), i128::from(one_time), i128::from(p_mon));
            let (a, s) = (i128::from(a), i128::from(s));
            let mut cum = rec * 100 - a * rec - one_time * 100;
            let mut walked = None;
            for t in 0..6000u64 {
                if t > 0 {
                    cum += (mon - p_mon) * 100 - if t <= months { s * mon } else { 0 };
                }
                if cum >= 0 {
                    walked = Some(u128::from(t));
                    break;
                }
            }
            match walked {
                Some(t) => proptest::prop_assert_eq!(f.payback_months, Some(t)),
                None => proptest::prop_assert!(f.payback_months.is_none_or(|t| t >= 6000), "{:?}", f.payback_months),
            }
        }
    }
}
