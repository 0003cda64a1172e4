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

/// A claim on account `acct` (an index into the plan's accounts): open, on the
/// whole account, no finding key, no note (the callers set what differs).
fn claim(plan: &Plan, acct: usize, id: &str, filed_on: Option<String>, cents: i64) -> ClaimRow {
    let a: &Account = &plan.accounts[acct];
    ClaimRow {
        id: id.to_string(),
        carrier: a.carrier,
        account: a.number.clone(),
        service: String::new(),
        finding_key: String::new(),
        filed_on: filed_on.unwrap_or_default(),
        cents,
        status: "open",
        note: String::new(),
    }
}

/// A credit row (type `credit`, at account level) on the bill of `acct` for `period`.
fn credit(acct: usize, period: u32, code: &str, desc: String, cents: i64) -> CreditRow {
    CreditRow {
        account: acct,
        period,
        service: String::new(),
        ctype: "credit",
        code: code.to_string(),
        desc,
        cents,
    }
}

/// A finding key of service `s`: the rule, its carrier, account and id, then `rest`.
fn key(plan: &Plan, rule: &str, s: &Service, rest: &[&str]) -> String {
    let a = &plan.accounts[s.account];
    let mut parts = vec![rule, CARRIERS[s.carrier].name, a.number.as_str(), s.id.as_str()];
    parts.extend_from_slice(rest);
    telaudit_model::finding_key(&parts)
}

/// The claims on findings the audit makes: DIS001 (covered lines, credited in
/// full), RAT001 (partly credited), TAX001 (covered lines judged from the
/// filing date), CRD001 (missing credits, unpaid).
fn finding_claims(plan: &Plan, l: &mut Ledger) {
    dis_claim(plan, l);
    rat_claim(plan, l);
    tax_claim(plan, l);
    crd_claim(plan, l);
}

/// DIS001: the first service billed on after a disconnect dated inside a month
/// (not on its first day), claimed for two months; a credit naming a longer id
/// pays nothing, then one naming it pays it in full.
fn dis_claim(plan: &Plan, l: &mut Ledger) {
    let last = plan.months - 1;
    let dis = plan.services.iter().find(|s| {
        s.status == "disconnected"
            && s.disconnect_date.as_deref().is_some_and(|d| !d.ends_with("-01"))
            && s.disconnect_period
                .is_some_and(|k| k + 2 <= last && s.last >= k + 2)
    });
    let Some((s, k)) = dis.and_then(|s| Some((s, s.disconnect_period?))) else {
        return;
    };
    let id = ticket(s.carrier, 71);
    let cents = 2 * recurring_cents(s);
    let Some(filed) = day_of(&plan.periods, k + 2, 10) else {
        return;
    };
    l.claims.push(ClaimRow {
        service: s.id.clone(),
        finding_key: key(plan, "DIS001", s, &[]),
        note: "billed after the disconnect; two months claimed".into(),
        ..claim(plan, s.account, &id, Some(filed), cents)
    });
    if k + 4 <= last {
        l.credits.push(credit(
            s.account,
            k + 3,
            "DSP",
            format!("Dispute credit ref {id}0"),
            -7700,
        ));
        l.credits.push(credit(
            s.account,
            k + 4,
            "DSP",
            format!("Credit re dispute {id}"),
            -cents,
        ));
    }
}

/// RAT001: the first plan billed above its contracted rate from period `from`
/// on, claimed for two months; a credit naming it pays half (partial).
fn rat_claim(plan: &Plan, l: &mut Ledger) {
    let last = plan.months - 1;
    let rat = plan.services.iter().find_map(|s| {
        let (from, over) = s.overrate?;
        let contract = match s.plan.code {
            "VZUNL" => VZUNL_RATE.0,
            "ATTBUS" => ATTBUS_RATE.0,
            "ETHPORT" if from < 12 => ETHPORT_RATE.0,
            "1FB" if plan.accounts[s.account].line_rate_contract => LINE_RATE.0,
            _ => return None,
        };
        let ok = !s.amount_only && from + 3 <= last && s.last > from && s.status == "active";
        ok.then_some((s, from, (over - contract) * s.plan_qty / 100))
    });
    let Some((s, from, monthly)) = rat else { return };
    let id = ticket(s.carrier, 72);
    let cents = 2 * monthly;
    let Some(filed) = day_of(&plan.periods, from + 1, 10) else {
        return;
    };
    l.claims.push(ClaimRow {
        service: s.id.clone(),
        finding_key: key(plan, "RAT001", s, &[s.plan.code]),
        note: "plan above the contracted rate".into(),
        ..claim(plan, s.account, &id, Some(filed), cents)
    });
    let desc = format!("Rate adjustment {id} (partial)");
    l.credits.push(CreditRow {
        ctype: "adjustment",
        ..credit(s.account, from + 3, "ADJ", desc, -(cents / 2))
    });
}

/// TAX001: an exempt tax billed since the first period on an active line,
/// claimed after three bills: the claim covers those three (their dispute
/// window judged from its filing date, they do not expire while the carrier
/// takes its time); the tax billed after it is new money, in the dispute files.
/// A credit naming the claim pays it.
fn tax_claim(plan: &Plan, l: &mut Ledger) {
    let tax = plan
        .services
        .iter()
        .find(|s| s.exempt_tax.is_some() && s.status == "active" && s.first == 0 && s.dup.is_none());
    let Some((s, (desc, _, bps))) = tax.and_then(|s| Some((s, s.exempt_tax?))) else {
        return;
    };
    let id = ticket(s.carrier, 74);
    let cents = 3 * ((s.plan.cents * s.plan_qty * bps + 5000) / 10_000);
    let Some(filed) = day_of(&plan.periods, 2, 10) else {
        return;
    };
    l.claims.push(ClaimRow {
        service: s.id.clone(),
        finding_key: key(plan, "TAX001", s, &[desc]),
        note: "exempt tax, first three bills".into(),
        ..claim(plan, s.account, &id, Some(filed), cents)
    });
    let text = format!("Tax exemption applied, {id}");
    l.credits.push(credit(s.account, 5, "TAXCR", text, -cents));
}

/// CRD001: the first contract credit missing in a billed period inside its
/// window, claimed the month after for every such period up to it; unpaid.
fn crd_claim(plan: &Plan, l: &mut Ledger) {
    let last = plan.months - 1;
    let crd = plan.services.iter().find_map(|s| {
        let c = s.credit.as_ref()?;
        let billed = |m: u32| c.inside(m) && s.first <= m && m <= s.last;
        let m = c.missing.iter().copied().find(|&m| billed(m) && m < last)?;
        Some((s, c, m))
    });
    let Some((s, c, m)) = crd else { return };
    let a = &plan.accounts[s.account];
    let from = if c.from > 0 {
        plan.periods[c.from as usize].start.clone()
    } else {
        String::new()
    };
    let fk = key(plan, "CRD001", s, &[c.code, a.number.as_str(), from.as_str()]);
    let covered = c
        .missing
        .iter()
        .filter(|&&p| p <= m && c.inside(p) && p >= s.first)
        .count() as i64;
    let filed = day_of(&plan.periods, m + 1, 10);
    l.claims.push(ClaimRow {
        service: s.id.clone(),
        finding_key: fk,
        note: "contract credits missing".into(),
        ..claim(plan, s.account, &ticket(s.carrier, 73), filed, covered * c.cents)
    });
}

/// The accounts of each carrier: Verizon, AT&T, Lumen, Comcast.
struct Accounts {
    vz: Vec<usize>,
    att: Vec<usize>,
    lumen: Vec<usize>,
    cb: Vec<usize>,
}

/// The `i`th account of a carrier (its last when it has fewer).
fn pick(v: &[usize], i: usize) -> usize {
    v[i.min(v.len() - 1)]
}

/// The account-level claims and the credits of every other case.
fn account_claims(plan: &Plan, l: &mut Ledger) {
    let acc = Accounts {
        vz: accounts_of(plan, VZ),
        att: accounts_of(plan, ATT),
        lumen: accounts_of(plan, LUMEN),
        cb: accounts_of(plan, COMCAST),
    };
    paid_claims(plan, &acc, l);
    contract_code_case(plan, l);
    other_claims(plan, &acc, l);
}

/// By amount then a goodwill credit (unmatched); two equal claims and an
/// ambiguous credit, a positive rebill naming one; a credit dated before its
/// claim's filing, then a later one; two credits paying more than their claim.
fn paid_claims(plan: &Plan, acc: &Accounts, l: &mut Ledger) {
    let p = &plan.periods;
    let a = pick(&acc.att, 0);
    l.claims.push(ClaimRow {
        note: "paper statement fees billed after e-billing was set up".into(),
        ..claim(plan, a, &ticket(ATT, 13), day_of(p, 2, 10), 14_250)
    });
    l.credits
        .push(credit(a, 4, "ADJ", "Billing adjustment".into(), -14_250));
    l.credits
        .push(credit(a, 6, "GW", "Goodwill credit".into(), -6_137));
    let a = pick(&acc.vz, 1);
    let (d1, d2) = (ticket(VZ, 21), ticket(VZ, 22));
    for id in [&d1, &d2] {
        l.claims.push(claim(plan, a, id, day_of(p, 3, 10), 8_800));
    }
    l.credits
        .push(credit(a, 5, "ADJ", "Dispute credit".into(), -8_800));
    l.credits.push(CreditRow {
        ctype: "adjustment",
        ..credit(a, 5, "ADJ", format!("Rebill re {d1}"), 8_800)
    });
    let a = pick(&acc.cb, 0);
    let id = ticket(COMCAST, 3);
    l.claims.push(ClaimRow {
        note: "-promised by phone, see ticket".into(),
        ..claim(plan, a, &id, day_of(p, 5, 10), 9_500)
    });
    l.credits
        .push(credit(a, 5, "ADJ", format!("Credit re {id}"), -9_500));
    if plan.months > 7 {
        l.credits
            .push(credit(a, 7, "ADJ", format!("Credit re {id}"), -9_500));
    }
    let a = pick(&acc.cb, 1);
    let id = ticket(COMCAST, 4);
    l.claims.push(claim(plan, a, &id, day_of(p, 3, 10), 6_000));
    l.credits
        .push(credit(a, 4, "ADJ", format!("Credit {id}"), -4_000));
    l.credits
        .push(credit(a, 5, "ADJ", format!("{id} final credit"), -3_500));
}

/// A denied claim a credit names, a withdrawn one, one named only in a
/// credit's charge_code, one on an account written without its leading zeros
/// (warned about), one filed days before the last bill (open) and one after it
/// (left out).
fn other_claims(plan: &Plan, acc: &Accounts, l: &mut Ledger) {
    let (p, last) = (&plan.periods, plan.months - 1);
    let a = pick(&acc.lumen, 0);
    let id = ticket(LUMEN, 31);
    l.claims.push(ClaimRow {
        status: "denied",
        note: "carrier says the circuit was in service".into(),
        ..claim(plan, a, &id, day_of(p, 1, 10), 12_000)
    });
    l.credits
        .push(credit(a, 3, "ADJ", format!("Partial credit {id}"), -4_000));
    l.claims.push(ClaimRow {
        status: "withdrawn",
        note: "billed correctly after all".into(),
        ..claim(plan, a, &ticket(LUMEN, 32), day_of(p, 2, 10), 6_600)
    });
    let a = pick(&acc.att, 2);
    let id = ticket(ATT, 99);
    l.claims.push(claim(plan, a, &id, day_of(p, 4, 10), 13_000));
    l.credits
        .push(credit(a, 5, &id, "Dispute resolution credit".into(), -13_000));
    let a = pick(&acc.lumen, 1);
    l.claims.push(ClaimRow {
        account: plan.accounts[a].number.trim_start_matches('0').to_string(),
        note: "account number typed without its leading zeros".into(),
        ..claim(plan, a, &ticket(LUMEN, 40), day_of(p, 4, 10), 21_000)
    });
    let a = pick(&acc.vz, 0);
    l.claims
        .push(claim(plan, a, &ticket(VZ, 90), day_of(p, last, 1), 5_840));
    l.claims.push(ClaimRow {
        note: "filed after the audit's bills".into(),
        ..claim(plan, a, &ticket(VZ, 91), after_last(p), 4_410)
    });
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
        l.claims
            .push(claim(plan, a, &id, day_of(&plan.periods, 4, 10), 7_500));
        l.credits
            .push(credit(a, 5, code, format!("Credit re {id}"), -7_500));
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
