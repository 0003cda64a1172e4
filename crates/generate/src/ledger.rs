//! The ledger side of a generated client (docs/recovery.md): `claims.csv`, the
//! claims an analyst filed after an earlier audit, and the credits the carriers
//! put on later bills, planted so that every case of the matching is there.
//!
//! - a DIS001 claim with its finding_key, filed two months after the
//!   disconnect: it covers the lines billed up to its filing date (which leave
//!   the dispute files, their window judged from the filing date); the later
//!   months stay; a credit naming it pays it in full (by reference), after a
//!   credit naming a longer id (`...0` appended) that must not;
//! - a RAT001 claim paid half by a credit naming it (partial), and a CRD001
//!   claim on missing contract credits (covered by their period's date), unpaid;
//! - account-level claims: one paid by an unreferenced credit of its exact
//!   amount (by amount); two equal claims and a credit of that amount
//!   (ambiguous); a goodwill credit that pays nothing (unmatched); a credit
//!   dated before its claim's filing, naming it (unmatched), then a later one
//!   that pays; a credit with a contract credit's code, naming its claim, of the
//!   claimed amount (not a credit at all); a denied claim a credit names
//!   (recovered, outstanding 0); a withdrawn claim; a positive adjustment naming
//!   a claim (pays nothing); two credits paying more than their claim
//!   (over-credit); a claim named only in a credit's charge_code; a claim on an
//!   account written without its leading zeros (a warning naming the billed
//!   one); a claim filed after the last bill (left out, one warning); a claim
//!   filed days before the last bill (open).
//!
//! Nothing here draws from the bills' random streams: the planted rows come
//! after each invoice's own rows, so every other row is the same bytes as
//! without the ledger. Which services carry the finding claims is decided by
//! the plan (the first one of each kind in plan order).

use crate::plan::{
    Account, Period, Plan, Service, ATT, ATTBUS_RATE, CARRIERS, COMCAST, ETHPORT_RATE, LINE_RATE, LUMEN, VZ,
    VZUNL_RATE,
};

/// One row of claims.csv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRow {
    pub id: String,
    pub carrier: usize,
    pub account: String,
    pub service: String,
    pub finding_key: String,
    pub filed_on: String,
    pub cents: i64,
    pub status: &'static str,
    pub note: String,
}

/// A row a carrier puts on a later bill (a credit, or a look-alike), on the
/// invoice of `account` (an index into the plan's accounts) for period `period`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditRow {
    pub account: usize,
    pub period: u32,
    pub service: String,
    pub ctype: &'static str,
    pub code: String,
    pub desc: String,
    /// As billed: negative for a credit.
    pub cents: i64,
}

/// The ledger of a plan: claims.csv's rows and the rows to add to the bills.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    pub claims: Vec<ClaimRow>,
    pub credits: Vec<CreditRow>,
}

impl Ledger {
    /// The planted rows of one invoice file.
    pub fn rows_of(&self, account: usize, period: u32) -> impl Iterator<Item = &CreditRow> {
        self.credits
            .iter()
            .filter(move |c| c.account == account && c.period == period)
    }
}

/// `YYYY-MM-DD` of day `day` of period `p`'s month (`None` past the last period).
fn day_of(periods: &[Period], p: u32, day: u32) -> Option<String> {
    periods
        .get(p as usize)
        .map(|per| format!("{:04}-{:02}-{day:02}", per.year, per.month))
}

/// The month after the last period, day 10: after every bill.
fn after_last(periods: &[Period]) -> Option<String> {
    let last = periods.last()?;
    let (y, m) = if last.month == 12 {
        (last.year + 1, 1)
    } else {
        (last.year, last.month + 1)
    };
    Some(format!("{y:04}-{m:02}-10"))
}

/// A service's recurring charges of one period, in cents (plan, extra, features).
fn recurring_cents(s: &Service) -> i64 {
    s.plan.cents * s.plan_qty
        + s.extra.map_or(0, |x| x.cents)
        + s.features.iter().map(|f| f.cents).sum::<i64>()
}

/// The claim id a carrier's ticket would have: `VZ-4471`, `ATT-2025-0113` ...
fn ticket(carrier: usize, n: u32) -> String {
    match carrier {
        VZ => format!("VZ-{}", 4400 + n),
        ATT => format!("ATT-2025-{:04}", 100 + n),
        LUMEN => format!("LMN-DSP-{}", 88_200 + n),
        _ => format!("CB-{}", 771_200 + n),
    }
}

/// The accounts of a carrier, as indexes into the plan's accounts.
fn accounts_of(plan: &Plan, carrier: usize) -> Vec<usize> {
    (0..plan.accounts.len())
        .filter(|&i| plan.accounts[i].carrier == carrier)
        .collect()
}

/// Plants the ledger of a plan; empty with fewer than 6 periods (no room for
/// a claim and a later credit).
pub fn plan_ledger(plan: &Plan) -> Ledger {
    let mut l = Ledger::default();
    if plan.months < 6 {
        return l;
    }
    finding_claims(plan, &mut l);
    account_claims(plan, &mut l);
    l
}

/// Adds a claim; `acct` is an index into the plan's accounts.
#[allow(clippy::too_many_arguments)]
fn claim(
    l: &mut Ledger,
    plan: &Plan,
    acct: usize,
    id: &str,
    service: &str,
    finding_key: &str,
    filed_on: String,
    cents: i64,
    status: &'static str,
    note: &str,
) {
    let a: &Account = &plan.accounts[acct];
    l.claims.push(ClaimRow {
        id: id.to_string(),
        carrier: a.carrier,
        account: a.number.clone(),
        service: service.to_string(),
        finding_key: finding_key.to_string(),
        filed_on,
        cents,
        status,
        note: note.to_string(),
    });
}

/// Adds a row to a later bill.
fn credit(
    l: &mut Ledger,
    acct: usize,
    period: u32,
    ctype: &'static str,
    code: &str,
    desc: String,
    cents: i64,
) {
    l.credits.push(CreditRow {
        account: acct,
        period,
        service: String::new(),
        ctype,
        code: code.to_string(),
        desc,
        cents,
    });
}

/// The claims on findings the audit makes: DIS001 (covered lines, credited in
/// full), RAT001 (partly credited), CRD001 (missing credits, unpaid).
fn finding_claims(plan: &Plan, l: &mut Ledger) {
    let last = plan.months - 1;
    let key = |rule: &str, s: &Service, rest: &[&str]| {
        let a = &plan.accounts[s.account];
        let mut parts = vec![rule, CARRIERS[s.carrier].name, a.number.as_str(), s.id.as_str()];
        parts.extend_from_slice(rest);
        telaudit_model::finding_key(&parts)
    };
    // DIS001: billed on after a disconnect dated inside a month (not on its first day).
    let dis = plan.services.iter().find(|s| {
        s.status == "disconnected"
            && s.disconnect_date.as_deref().is_some_and(|d| !d.ends_with("-01"))
            && s.disconnect_period
                .is_some_and(|k| k + 2 <= last && s.last >= k + 2)
    });
    if let Some((s, k)) = dis.and_then(|s| Some((s, s.disconnect_period?))) {
        let id = ticket(s.carrier, 71);
        let cents = 2 * recurring_cents(s);
        if let Some(filed) = day_of(&plan.periods, k + 2, 10) {
            claim(
                l,
                plan,
                s.account,
                &id,
                &s.id,
                &key("DIS001", s, &[]),
                filed,
                cents,
                "open",
                "billed after the disconnect; two months claimed",
            );
            if k + 4 <= last {
                credit(
                    l,
                    s.account,
                    k + 3,
                    "credit",
                    "DSP",
                    format!("Dispute credit ref {id}0"),
                    -7700,
                );
                credit(
                    l,
                    s.account,
                    k + 4,
                    "credit",
                    "DSP",
                    format!("Credit re dispute {id}"),
                    -cents,
                );
            }
        }
    }
    // RAT001: a plan billed above its contracted rate from period `from` on.
    let rat = plan.services.iter().find_map(|s| {
        let (from, over) = s.overrate?;
        let contract = match s.plan.code {
            "VZUNL" => VZUNL_RATE.0,
            "ATTBUS" => ATTBUS_RATE.0,
            "ETHPORT" if from < 12 => ETHPORT_RATE.0,
            "1FB" if plan.accounts[s.account].line_rate_contract => LINE_RATE.0,
            _ => return None,
        };
        let ok = !s.amount_only && from + 3 <= last && s.last >= from + 1 && s.status == "active";
        ok.then_some((s, from, (over - contract) * s.plan_qty / 100))
    });
    if let Some((s, from, monthly)) = rat {
        let id = ticket(s.carrier, 72);
        let cents = 2 * monthly;
        if let Some(filed) = day_of(&plan.periods, from + 1, 10) {
            claim(
                l,
                plan,
                s.account,
                &id,
                &s.id,
                &key("RAT001", s, &[s.plan.code]),
                filed,
                cents,
                "open",
                "plan above the contracted rate",
            );
            credit(
                l,
                s.account,
                from + 3,
                "adjustment",
                "ADJ",
                format!("Rate adjustment {id} (partial)"),
                -(cents / 2),
            );
        }
    }
    // TAX001: an exempt tax billed since the first period on an active line,
    // claimed after three bills: the claim covers those three (their dispute
    // window judged from its filing date, they do not expire while the carrier
    // takes its time); the tax billed after it is new money, in the dispute files.
    let tax = plan
        .services
        .iter()
        .find(|s| s.exempt_tax.is_some() && s.status == "active" && s.first == 0 && s.dup.is_none());
    if let Some((s, (desc, _, bps))) = tax.and_then(|s| Some((s, s.exempt_tax?))) {
        let id = ticket(s.carrier, 74);
        let cents = 3 * ((s.plan.cents * s.plan_qty * bps + 5000) / 10_000);
        if let Some(filed) = day_of(&plan.periods, 2, 10) {
            claim(
                l,
                plan,
                s.account,
                &id,
                &s.id,
                &key("TAX001", s, &[desc]),
                filed,
                cents,
                "open",
                "exempt tax, first three bills",
            );
            credit(
                l,
                s.account,
                5,
                "credit",
                "TAXCR",
                format!("Tax exemption applied, {id}"),
                -cents,
            );
        }
    }
    // CRD001: a contract credit missing in a billed period inside its window.
    let crd = plan.services.iter().find_map(|s| {
        let c = s.credit.as_ref()?;
        let m = c
            .missing
            .iter()
            .copied()
            .find(|&m| c.inside(m) && s.first <= m && m <= s.last && m < last)?;
        Some((s, c, m))
    });
    if let Some((s, c, m)) = crd {
        let a = &plan.accounts[s.account];
        let from = if c.from > 0 {
            plan.periods[c.from as usize].start.clone()
        } else {
            String::new()
        };
        let fk = key("CRD001", s, &[c.code, a.number.as_str(), from.as_str()]);
        let covered = c
            .missing
            .iter()
            .filter(|&&p| p <= m && c.inside(p) && p >= s.first)
            .count() as i64;
        if let Some(filed) = day_of(&plan.periods, m + 1, 10) {
            claim(
                l,
                plan,
                s.account,
                &ticket(s.carrier, 73),
                &s.id,
                &fk,
                filed,
                covered * c.cents,
                "open",
                "contract credits missing",
            );
        }
    }
}

/// The account-level claims and the credits of every other case.
fn account_claims(plan: &Plan, l: &mut Ledger) {
    let last = plan.months - 1;
    let p = &plan.periods;
    let (vz, att, lumen, cb) = (
        accounts_of(plan, VZ),
        accounts_of(plan, ATT),
        accounts_of(plan, LUMEN),
        accounts_of(plan, COMCAST),
    );
    let pick = |v: &[usize], i: usize| v[i.min(v.len() - 1)];
    // By amount, then a goodwill credit on the same account that pays nothing.
    let a = pick(&att, 0);
    let id = ticket(ATT, 13);
    claim(
        l,
        plan,
        a,
        &id,
        "",
        "",
        day_of(p, 2, 10).unwrap_or_default(),
        14_250,
        "open",
        "paper statement fees billed after e-billing was set up",
    );
    credit(l, a, 4, "credit", "ADJ", "Billing adjustment".into(), -14_250);
    credit(l, a, 6, "credit", "GW", "Goodwill credit".into(), -6_137);
    // Two equal claims: a credit of that amount is ambiguous; a positive
    // adjustment naming one pays nothing.
    let a = pick(&vz, 1);
    let (d1, d2) = (ticket(VZ, 21), ticket(VZ, 22));
    for id in [&d1, &d2] {
        claim(
            l,
            plan,
            a,
            id,
            "",
            "",
            day_of(p, 3, 10).unwrap_or_default(),
            8_800,
            "open",
            "",
        );
    }
    credit(l, a, 5, "credit", "ADJ", "Dispute credit".into(), -8_800);
    credit(l, a, 5, "adjustment", "ADJ", format!("Rebill re {d1}"), 8_800);
    // A credit dated before its claim's filing names it (pays nothing); a later one pays.
    let a = pick(&cb, 0);
    let id = ticket(COMCAST, 3);
    claim(
        l,
        plan,
        a,
        &id,
        "",
        "",
        day_of(p, 5, 10).unwrap_or_default(),
        9_500,
        "open",
        "-promised by phone, see ticket",
    );
    credit(l, a, 5, "credit", "ADJ", format!("Credit re {id}"), -9_500);
    if last >= 7 {
        credit(l, a, 7, "credit", "ADJ", format!("Credit re {id}"), -9_500);
    }
    // Two credits paying more than their claim (over-credit).
    let a = pick(&cb, 1);
    let id = ticket(COMCAST, 4);
    claim(
        l,
        plan,
        a,
        &id,
        "",
        "",
        day_of(p, 3, 10).unwrap_or_default(),
        6_000,
        "open",
        "",
    );
    credit(l, a, 4, "credit", "ADJ", format!("Credit {id}"), -4_000);
    credit(l, a, 5, "credit", "ADJ", format!("{id} final credit"), -3_500);
    contract_code_case(plan, l);
    // A denied claim a credit names, and a withdrawn one.
    let a = pick(&lumen, 0);
    let id = ticket(LUMEN, 31);
    claim(
        l,
        plan,
        a,
        &id,
        "",
        "",
        day_of(p, 1, 10).unwrap_or_default(),
        12_000,
        "denied",
        "carrier says the circuit was in service",
    );
    credit(l, a, 3, "credit", "ADJ", format!("Partial credit {id}"), -4_000);
    claim(
        l,
        plan,
        a,
        &ticket(LUMEN, 32),
        "",
        "",
        day_of(p, 2, 10).unwrap_or_default(),
        6_600,
        "withdrawn",
        "billed correctly after all",
    );
    // A claim named only in a credit's charge_code.
    let a = pick(&att, 2);
    let id = ticket(ATT, 99);
    claim(
        l,
        plan,
        a,
        &id,
        "",
        "",
        day_of(p, 4, 10).unwrap_or_default(),
        13_000,
        "open",
        "",
    );
    credit(
        l,
        a,
        5,
        "credit",
        &id,
        "Dispute resolution credit".into(),
        -13_000,
    );
    // An account written without its leading zeros: warned about, never credited.
    let a = pick(&lumen, 1);
    let mut unbilled = plan.accounts[a].clone();
    unbilled.number = unbilled.number.trim_start_matches('0').to_string();
    l.claims.push(ClaimRow {
        id: ticket(LUMEN, 40),
        carrier: LUMEN,
        account: unbilled.number,
        service: String::new(),
        finding_key: String::new(),
        filed_on: day_of(p, 4, 10).unwrap_or_default(),
        cents: 21_000,
        status: "open",
        note: "account number typed without its leading zeros".into(),
    });
    // Filed days before the last bill (open), and after it (left out).
    let a = pick(&vz, 0);
    claim(
        l,
        plan,
        a,
        &ticket(VZ, 90),
        "",
        "",
        day_of(p, last, 1).unwrap_or_default(),
        5_840,
        "open",
        "",
    );
    claim(
        l,
        plan,
        a,
        &ticket(VZ, 91),
        "",
        "",
        after_last(p).unwrap_or_default(),
        4_410,
        "open",
        "filed after the audit's bills",
    );
}

/// A credit with a contract credit's code (its carrier's LOYAL, SLACR or PROMO),
/// naming its claim, of the claimed amount: not a credit (CRD001 counts it), so
/// the claim stays unpaid. Put at account level on an account whose own
/// contracts do not have that code, so no CRD001 figure changes.
fn contract_code_case(plan: &Plan, l: &mut Ledger) {
    let codes: Vec<(usize, &str)> = plan
        .accounts
        .iter()
        .filter_map(|a| a.credit.as_ref().map(|c| (a.carrier, c.code)))
        .chain(
            plan.services
                .iter()
                .filter_map(|s| s.credit.as_ref().map(|c| (s.carrier, c.code))),
        )
        .collect();
    let found = (0..plan.accounts.len()).find_map(|i| {
        let a = &plan.accounts[i];
        let (_, code) = codes.iter().find(|(c, _)| *c == a.carrier)?;
        let own = a.credit.as_ref().is_some_and(|c| c.code == *code);
        (!own).then_some((i, *code))
    });
    if let Some((a, code)) = found {
        let id = ticket(plan.accounts[a].carrier, 55);
        claim(
            l,
            plan,
            a,
            &id,
            "",
            "",
            day_of(&plan.periods, 4, 10).unwrap_or_default(),
            7_500,
            "open",
            "",
        );
        credit(l, a, 5, "credit", code, format!("Credit re {id}"), -7_500);
    }
}

/// claims.csv's text.
pub fn claims_csv(ledger: &Ledger) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = w.write_record([
        "claim_id",
        "carrier",
        "account",
        "service_id",
        "finding_key",
        "filed_on",
        "amount",
        "status",
        "note",
    ]);
    for c in &ledger.claims {
        let amount = format!("{}.{:02}", c.cents / 100, c.cents % 100);
        let _ = w.write_record([
            c.id.as_str(),
            CARRIERS[c.carrier].name,
            c.account.as_str(),
            c.service.as_str(),
            c.finding_key.as_str(),
            c.filed_on.as_str(),
            amount.as_str(),
            c.status,
            c.note.as_str(),
        ]);
    }
    w.into_inner().unwrap_or_default()
}
