//! Writes the plan as files: invoices, inventory.csv, contracts.csv, client.toml.

use crate::ledger::Ledger;
use crate::optimize::data_use;
use crate::plan::{
    Account, CreditPlan, Kind, Period, Plan, Service, Usage, ATT, ATTBUS_RATE, CARRIERS, COMCAST,
    ETHPORT_RATE, LD_RATE, LINE_RATE, LUMEN, VZ, VZUNL_RATE,
};
use crate::rng::{mix, Rng};
use std::fs;
use std::io::{self, Write};
use std::path::Path;

pub const INVENTORY_HEADER: &str = "service_id,carrier,account,status,disconnect_date,cost_center,owner\n";
pub const CONTRACTS_HEADER: &str =
    "kind,carrier,account,service_id,charge_code,amount,effective_from,effective_to\n";

/// Writes a file; the error names it.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    fs::write(path, bytes).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!(
                "cannot write {}: {e} (check the folder is writable)",
                path.display()
            ),
        )
    })
}

/// Creates a folder and its parents; the error names it.
pub fn create_dir(path: &Path) -> io::Result<()> {
    fs::create_dir_all(path).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot create folder {}: {e} (check the path)", path.display()),
        )
    })
}

/// Appends one CSV field, quoted per RFC 4180 when needed.
pub(crate) fn field(buf: &mut Vec<u8>, s: &str) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        buf.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                buf.push(b'"');
            }
            buf.push(b);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
}

/// Writes a fixed-point number: `v` in units of 10^-places, with exactly `places` decimals.
fn fixed(buf: &mut Vec<u8>, v: i64, places: u32) {
    let scale = 10i64.pow(places);
    if v < 0 {
        buf.push(b'-');
    }
    let a = v.unsigned_abs();
    let (int, frac) = (a / scale as u64, a % scale as u64);
    // Writing into a Vec cannot fail.
    let _ = write!(buf, "{int}.{frac:0width$}", width = places as usize);
}

/// An optional numeric cell.
#[derive(Copy, Clone)]
pub(crate) enum Num {
    Empty,
    Int(i64),
    /// Cents, written with 2 decimals.
    Cents(i64),
    /// Ten-thousandths, written with 2 decimals when whole cents.
    Rate(i64),
    /// Ten-thousandths, always written with 4 decimals.
    Rate4(i64),
}

fn num(buf: &mut Vec<u8>, n: Num) {
    match n {
        Num::Empty => {}
        Num::Int(v) => {
            let _ = write!(buf, "{v}");
        }
        Num::Cents(v) => fixed(buf, v, 2),
        Num::Rate(v) if v % 100 == 0 => fixed(buf, v / 100, 2),
        Num::Rate(v) | Num::Rate4(v) => fixed(buf, v, 4),
    }
}

/// The invoice a row is on.
pub(crate) struct Inv<'a> {
    pub carrier: &'a str,
    pub account: &'a str,
    pub invoice: &'a str,
    pub date: &'a str,
    pub period: &'a Period,
    /// How many periods the client is billed (the last 3 are the rules' window).
    pub months: u32,
}

/// One charge row, in the columns' fixed order.
pub(crate) struct Line<'a> {
    pub sid: &'a str,
    pub ctype: &'static str,
    pub code: &'a str,
    pub desc: &'a str,
    pub qty: Num,
    pub rate: Num,
    pub cents: i64,
    pub usage: Num,
    pub unit: &'static str,
}

pub(crate) fn line(buf: &mut Vec<u8>, inv: &Inv, l: &Line) {
    field(buf, inv.carrier);
    buf.push(b',');
    field(buf, inv.account);
    buf.push(b',');
    field(buf, inv.invoice);
    buf.push(b',');
    buf.extend_from_slice(inv.date.as_bytes());
    buf.push(b',');
    buf.extend_from_slice(inv.period.start.as_bytes());
    buf.push(b',');
    buf.extend_from_slice(inv.period.end.as_bytes());
    buf.push(b',');
    field(buf, l.sid);
    buf.push(b',');
    buf.extend_from_slice(l.ctype.as_bytes());
    buf.push(b',');
    field(buf, l.code);
    buf.push(b',');
    field(buf, l.desc);
    buf.push(b',');
    num(buf, l.qty);
    buf.push(b',');
    num(buf, l.rate);
    buf.push(b',');
    fixed(buf, l.cents, 2);
    buf.push(b',');
    num(buf, l.usage);
    buf.push(b',');
    buf.extend_from_slice(l.unit.as_bytes());
    buf.push(b'\n');
}

pub(crate) fn simple<'a>(
    sid: &'a str,
    ctype: &'static str,
    code: &'a str,
    desc: &'a str,
    cents: i64,
) -> Line<'a> {
    Line {
        sid,
        ctype,
        code,
        desc,
        qty: Num::Empty,
        rate: Num::Empty,
        cents,
        usage: Num::Empty,
        unit: "",
    }
}

/// A priced charge: quantity x unit rate (ten-thousandths), amount in whole cents.
pub(crate) fn priced<'a>(
    sid: &'a str,
    ctype: &'static str,
    code: &'a str,
    desc: &'a str,
    qty: i64,
    rate: i64,
) -> Line<'a> {
    Line {
        sid,
        ctype,
        code,
        desc,
        qty: Num::Int(qty),
        rate: Num::Rate(rate),
        cents: qty * rate / 100,
        usage: Num::Empty,
        unit: "",
    }
}

/// The recurring rows of a service in period `p` (the ones a supplemental invoice may repeat).
fn recurring<'a>(s: &'a Service, p: u32) -> Vec<Line<'a>> {
    let mut out = Vec::with_capacity(4);
    let over = s.overrate.filter(|&(from, _)| p >= from).map(|(_, r)| r);
    let plan_rate = match (over, s.plan.code) {
        (Some(r), code) if code != "VOICE" => r,
        _ => s.plan.cents * 100,
    };
    let mut plan = priced(
        &s.id,
        "recurring",
        s.plan.code,
        s.plan.desc,
        s.plan_qty,
        plan_rate,
    );
    if s.amount_only {
        plan.qty = Num::Empty;
        plan.rate = Num::Empty;
    }
    out.push(plan);
    if let Some(x) = s.extra {
        let mut l = priced(&s.id, "recurring", x.code, x.desc, 1, x.cents * 100);
        if s.amount_only {
            l.qty = Num::Empty;
            l.rate = Num::Empty;
        }
        out.push(l);
    }
    for f in &s.features {
        out.push(priced(&s.id, "recurring", f.code, f.desc, 1, f.cents * 100));
    }
    out
}

/// Whether usage is zero in period `p`.
fn no_usage(s: &Service, p: u32, months: u32) -> bool {
    let after_disconnect = s.disconnect_period.is_some_and(|k| p > k) && s.kind == Kind::Wireless;
    after_disconnect
        || match s.usage {
            Usage::Unused => p + 3 >= months,
            Usage::AlmostUnused => p + 2 >= months,
            _ => false,
        }
}

/// Writes a service's rows of period `p` on invoice `inv`: recurring charges, an
/// activation or installation fee in its first period, its kind's usage and
/// taxes, planted exempt taxes, a refund look-alike and its credits. Returns how
/// many rows it wrote.
fn service_rows(buf: &mut Vec<u8>, inv: &Inv, s: &Service, p: u32, months: u32, rng: &mut Rng) -> u64 {
    let mut n = 0u64;
    let mut emit = |buf: &mut Vec<u8>, l: Line| {
        line(buf, inv, &l);
        n += 1;
    };
    let rec = recurring(s, p);
    let plan_cents = rec[0].cents;
    for l in rec {
        emit(buf, l);
    }
    if p == s.first && p > 0 {
        let l = match s.kind {
            Kind::Circuit => priced(&s.id, "one_time", "INSTALL", "Installation Charge", 1, 2_500_000),
            _ => priced(&s.id, "one_time", "ACT", "Activation Fee", 1, 350_000),
        };
        emit(buf, l);
    }
    let own = kind_rows(buf, inv, s, p, no_usage(s, p, months), plan_cents, rng);
    for (desc, code, bps) in [s.exempt_tax, s.second_tax].into_iter().flatten() {
        emit(
            buf,
            simple(&s.id, "tax", code, desc, (plan_cents * bps + 5000) / 10_000),
        );
    }
    if s.tax_refund == Some(p) {
        emit(
            buf,
            simple(&s.id, "tax", "STX", "State Sales Tax Refund", -rng.range(50, 400)),
        );
    }
    if let Some(c) = &s.credit {
        n += credit_rows(buf, inv, &s.id, c, p);
    }
    n + own
}

/// The rows of a service's own kind in period `p`: a wireless line's usage, 911
/// and recovery fees (`zero`: an unused line's usage is all zero); a wireline's
/// long distance (at the overrate once planted), 911 and USF; a circuit's USF.
/// Returns how many rows it wrote.
fn kind_rows(
    buf: &mut Vec<u8>,
    inv: &Inv,
    s: &Service,
    p: u32,
    zero: bool,
    plan_cents: i64,
    rng: &mut Rng,
) -> u64 {
    let mut n = 0u64;
    let mut emit = |buf: &mut Vec<u8>, l: Line| {
        line(buf, inv, &l);
        n += 1;
    };
    match s.kind {
        Kind::Wireless => {
            let minutes = if zero { 0 } else { rng.range(12, 2400) };
            let mut l = simple(&s.id, "usage", "MIN", "Voice Usage", 0);
            l.usage = Num::Int(minutes);
            l.unit = "min";
            emit(buf, l);
            let gb = if zero { 0 } else { rng.range(5, 4000) };
            let gb = if zero {
                Some(0)
            } else {
                data_use(s, p, inv.months, gb)
            };
            if let Some(gb) = gb {
                let mut l = simple(&s.id, "usage", "DATA", "Data Usage", 0);
                l.usage = Num::Cents(gb);
                l.unit = "GB";
                emit(buf, l);
            }
            if !zero && rng.chance(40) {
                let mut l = priced(&s.id, "usage", "DOVG", "Data Overage", 1, 150_000);
                l.usage = Num::Int(1);
                l.unit = "GB";
                emit(buf, l);
            }
            emit(buf, simple(&s.id, "tax", "E911", "911 Surcharge", 75));
            emit(
                buf,
                simple(&s.id, "fee", "RCRF", "Regulatory Cost Recovery Fee", 168),
            );
        }
        Kind::Wireline => {
            if s.long_distance {
                let minutes = 4 * rng.range(3, 600);
                let rate = match s.overrate {
                    Some((from, r)) if p >= from => r,
                    _ => LD_RATE.0,
                };
                let mut l = priced(&s.id, "usage", "LD", "Long Distance", minutes, rate);
                l.rate = Num::Rate4(rate);
                l.usage = Num::Int(minutes);
                l.unit = "min";
                emit(buf, l);
            }
            emit(buf, simple(&s.id, "tax", "E911", "911 Surcharge", 125));
            emit(
                buf,
                simple(
                    &s.id,
                    "surcharge",
                    "FUSF",
                    "Federal Universal Service Fund",
                    plan_cents * 34 / 1000,
                ),
            );
        }
        Kind::Circuit => {
            emit(
                buf,
                simple(
                    &s.id,
                    "surcharge",
                    "FUSF",
                    "Federal Universal Service Fund",
                    plan_cents * 34 / 1000,
                ),
            );
        }
    }
    n
}

fn credit_rows(buf: &mut Vec<u8>, inv: &Inv, sid: &str, c: &CreditPlan, p: u32) -> u64 {
    if !c.inside(p) || c.missing.contains(&p) {
        return 0;
    }
    if c.short.contains(&p) {
        line(buf, inv, &simple(sid, "credit", c.code, c.desc, -(c.cents / 2)));
        1
    } else if c.split {
        let first = c.cents * 6 / 10;
        line(buf, inv, &simple(sid, "credit", c.code, c.desc, -first));
        line(
            buf,
            inv,
            &simple(sid, "credit", c.code, c.desc, -(c.cents - first)),
        );
        2
    } else {
        line(buf, inv, &simple(sid, "credit", c.code, c.desc, -c.cents));
        1
    }
}

fn account_rows(buf: &mut Vec<u8>, inv: &Inv, a: &Account, p: u32, rng: &mut Rng) -> u64 {
    let mut n = 0;
    let mut emit = |buf: &mut Vec<u8>, l: Line| {
        line(buf, inv, &l);
        n += 1;
    };
    emit(
        buf,
        simple(
            "",
            "surcharge",
            "FUSF",
            "Federal Universal Service Fund",
            rng.range(500, 4000),
        ),
    );
    if a.paper_fee {
        emit(buf, simple("", "fee", "PAPER", "Paper Statement Fee", 299));
    }
    if a.local_tax {
        emit(
            buf,
            simple("", "tax", "LST", "Local Sales Tax", rng.range(300, 3000)),
        );
    }
    let r = rng.below(1000);
    if r < 40 {
        emit(
            buf,
            simple("", "fee", "LATE", "Late Payment Fee", rng.range(25, 150) * 100),
        );
    } else if r < 50 {
        emit(
            buf,
            simple("", "fee", "LPC", "Late Charge", rng.range(1000, 9000)),
        );
    } else if r < 55 {
        emit(
            buf,
            simple("", "fee", "Late", "Past Due Finance Charge", rng.range(500, 2000)),
        );
    }
    if rng.chance(20) {
        emit(buf, simple("", "credit", "CRTSY", "Courtesy Credit", -2500));
    }
    if rng.chance(20) {
        let v = rng.range(-5000, 5000);
        emit(
            buf,
            simple(
                "",
                "adjustment",
                "ADJ",
                "Billing Adjustment",
                if v == 0 { 100 } else { v },
            ),
        );
    }
    if let Some(c) = &a.credit {
        n += credit_rows(buf, inv, "", c, p);
    }
    n
}

/// One account's invoice file for one period; the ledger's credits for it
/// (docs/recovery.md) come after the account's own rows.
fn invoice_file(plan: &Plan, ledger: &Ledger, ai: usize, services: &[&Service], p: u32) -> (Vec<u8>, u64) {
    let a = &plan.accounts[ai];
    let per = &plan.periods[p as usize];
    let mut rng = Rng::new(mix(&[plan.seed, ai as u64, u64::from(p)]));
    let mut buf = Vec::with_capacity(160 * (8 * services.len() + 8));
    buf.extend_from_slice(telaudit_model::CANONICAL_COLUMNS.join(",").as_bytes());
    buf.push(b'\n');
    let invoice = format!("{}-{}{:02}", a.number, per.year, per.month);
    let inv = Inv {
        carrier: CARRIERS[a.carrier].name,
        account: &a.number,
        invoice: &invoice,
        date: &per.invoice_date,
        period: per,
        months: plan.months,
    };
    let mut n = 0;
    for s in services.iter().filter(|s| s.first <= p && p <= s.last) {
        n += service_rows(&mut buf, &inv, s, p, plan.months, &mut rng);
    }
    n += account_rows(&mut buf, &inv, a, p, &mut rng);
    for c in ledger.rows_of(ai, p) {
        line(
            &mut buf,
            &inv,
            &simple(&c.service, c.ctype, &c.code, &c.desc, c.cents),
        );
        n += 1;
    }
    // Supplemental invoices that bill some recurring charges a second (third) time.
    for s in services.iter().filter(|s| s.first <= p && p <= s.last) {
        let Some((dp, copies, all)) = s.dup else { continue };
        if dp != p {
            continue;
        }
        for c in 1..copies {
            let supp = format!("{invoice}-S{c}");
            let sinv = Inv {
                invoice: &supp,
                date: &per.supplement_date,
                ..inv
            };
            let rec = recurring(s, p);
            let take = if all { rec.len() } else { 1 };
            for l in rec.into_iter().take(take) {
                line(&mut buf, &sinv, &l);
                n += 1;
            }
        }
    }
    (buf, n)
}

/// Writes every invoice file; returns (rows, files).
pub fn invoices(out: &Path, plan: &Plan, ledger: &Ledger) -> io::Result<(u64, usize)> {
    let mut by_account: Vec<Vec<&Service>> = vec![Vec::new(); plan.accounts.len()];
    for s in &plan.services {
        by_account[s.account].push(s);
    }
    let mut rows = 0;
    let mut files = 0;
    for (ai, a) in plan.accounts.iter().enumerate() {
        let dir = out.join("invoices").join(CARRIERS[a.carrier].dir).join(&a.number);
        create_dir(&dir)?;
        for p in 0..plan.months {
            let (buf, n) = invoice_file(plan, ledger, ai, &by_account[ai], p);
            write_file(&dir.join(format!("{}.csv", plan.periods[p as usize].ym)), &buf)?;
            rows += n;
            files += 1;
        }
    }
    Ok((rows, files))
}

/// inventory.csv: the plan's services, then the pooled accounts' lines.
pub fn inventory(out: &Path, plan: &Plan, pooled: &[crate::pools::PoolAccount]) -> io::Result<()> {
    let mut buf = Vec::with_capacity(80 * plan.services.len() + 100);
    buf.extend_from_slice(INVENTORY_HEADER.as_bytes());
    for s in plan.services.iter().filter(|s| s.in_inventory) {
        let a = &plan.accounts[s.account];
        field(&mut buf, &s.id);
        buf.push(b',');
        field(&mut buf, CARRIERS[s.carrier].name);
        buf.push(b',');
        if s.inventory_names_account {
            field(&mut buf, &a.number);
        }
        buf.push(b',');
        buf.extend_from_slice(s.status.as_bytes());
        buf.push(b',');
        field(&mut buf, s.disconnect_date.as_deref().unwrap_or(""));
        buf.push(b',');
        field(&mut buf, &s.cost_center);
        buf.push(b',');
        field(&mut buf, &s.owner);
        buf.push(b'\n');
    }
    crate::pools::inventory_lines(plan, pooled, &mut buf);
    write_file(&out.join("inventory.csv"), &buf)
}

pub fn contracts(out: &Path, plan: &Plan) -> io::Result<()> {
    let mut buf = Vec::new();
    buf.extend_from_slice(CONTRACTS_HEADER.as_bytes());
    let mut row = |cells: [&str; 8]| {
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            field(&mut buf, c);
        }
        buf.push(b'\n');
    };
    let first = &plan.periods[0];
    let last12 = &plan.periods[(plan.months.min(12) - 1) as usize];
    row(["rate", CARRIERS[VZ].name, "", "", "VZUNL", VZUNL_RATE.1, "", ""]);
    row([
        "rate",
        CARRIERS[LUMEN].name,
        "",
        "",
        "ETHPORT",
        ETHPORT_RATE.1,
        &first.start,
        &last12.end,
    ]);
    row(["rate", CARRIERS[COMCAST].name, "", "", "LD", LD_RATE.1, "", ""]);
    for a in plan.accounts.iter().filter(|a| a.line_rate_contract) {
        match a.carrier {
            ATT => row([
                "rate",
                CARRIERS[ATT].name,
                &a.number,
                "",
                "ATTBUS",
                ATTBUS_RATE.1,
                &first.start,
                "",
            ]),
            LUMEN => row([
                "rate",
                CARRIERS[LUMEN].name,
                &a.number,
                "",
                "1FB",
                LINE_RATE.1,
                "",
                "",
            ]),
            _ => {}
        }
    }
    let window = |c: &CreditPlan| -> (String, String) {
        let from = if c.from > 0 {
            plan.periods[c.from as usize].start.clone()
        } else {
            String::new()
        };
        let to =
            c.to.map(|t| plan.periods[t as usize].end.clone())
                .unwrap_or_default();
        (from, to)
    };
    let money = |cents: i64| {
        let mut b = Vec::new();
        fixed(&mut b, cents, 2);
        String::from_utf8(b).unwrap_or_default()
    };
    for a in &plan.accounts {
        if let Some(c) = &a.credit {
            let (f, t) = window(c);
            row([
                "credit",
                CARRIERS[a.carrier].name,
                &a.number,
                "",
                c.code,
                &money(c.cents),
                &f,
                &t,
            ]);
        }
    }
    for s in &plan.services {
        if let Some(c) = &s.credit {
            let (f, t) = window(c);
            let a = &plan.accounts[s.account];
            row([
                "credit",
                CARRIERS[s.carrier].name,
                &a.number,
                &s.id,
                c.code,
                &money(c.cents),
                &f,
                &t,
            ]);
        }
    }
    write_file(&out.join("contracts.csv"), &buf)
}

/// client.toml with the currency, the exemption certificate and a contact (the
/// dispute letters are signed), and a multi-provider funding plan
/// (optimization.md section 4) scaled to the client's size: an equipment reseller, an installer, a
/// managed-services provider, a carrier, and the TEM provider's share. The
/// carriers accept disputes for `window_days` after the invoice date (Lumen for
/// 365).
pub fn client_toml(out: &Path, name: &str, services: usize, window_days: u32) -> io::Result<()> {
    let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
    let n = services.max(1);
    let item = |provider: &str, role: &str, one_time: usize, monthly: usize| {
        let mut t = format!("\n[[proposal.items]]\nprovider = \"{provider}\"\nrole = \"{role}\"\n");
        if one_time > 0 {
            t.push_str(&format!("one_time = \"{one_time}.00\"\n"));
        }
        if monthly > 0 {
            t.push_str(&format!("monthly = \"{monthly}.00\"\n"));
        }
        t
    };
    let text = format!(
        "name = \"{escaped}\"\ntax_exempt = true\ntax_exemption_certificate = \"TX-EX-2291\"\ncurrency = \"USD\"\n\n\
         # Who the carriers answer: the dispute letters are signed with it.\n\
         [contact]\nname = \"Dana Lee\"\nemail = \"telecom@example.com\"\nphone = \"555-0100\"\n\n\
         [proposal]\nhorizon_months = 36\ndiscount_rate = \"0.08\"\n{}{}{}{}\n\
         [proposal.tem]\nprovider = \"Ledger TEM\"\nrecovery_share = \"0.30\"\nsavings_share = \"0.25\"\nsavings_months = 12\n\n\
         # Carriers accept disputes for this many days after the invoice date (formats.md section 9),\n\
         # and may take response_days to answer a filed claim before it is overdue (docs/recovery.md).\n\
         [disputes]\nwindow_days = {window_days}\nresponse_days = 45\n\n[disputes.carriers]\n\"Lumen\" = 365\n",
        item("Northwind Networks", "equipment", n * 50, 0),
        item("Fabrikam Installations", "installation", n * 12, 0),
        item("Contoso Managed Services", "managed services", 0, n * 2),
        item("Metro Fiber", "carrier circuits", n * 8, n),
    );
    write_file(&out.join("client.toml"), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl Fn(&mut Vec<u8>)) -> String {
        let mut b = Vec::new();
        f(&mut b);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn fixed_point_formatting() {
        assert_eq!(s(|b| fixed(b, 3500, 2)), "35.00");
        assert_eq!(s(|b| fixed(b, -5, 2)), "-0.05");
        assert_eq!(s(|b| fixed(b, 450, 4)), "0.0450");
        assert_eq!(s(|b| num(b, Num::Rate(385_000))), "38.50");
        assert_eq!(s(|b| num(b, Num::Rate(475))), "0.0475");
        assert_eq!(s(|b| num(b, Num::Empty)), "");
    }

    #[test]
    fn fields_are_quoted_when_needed() {
        assert_eq!(s(|b| field(b, "Access Loop, Type 2")), "\"Access Loop, Type 2\"");
        assert_eq!(s(|b| field(b, "IP \"/29\"")), "\"IP \"\"/29\"\"\"");
        assert_eq!(s(|b| field(b, "AT&T Mobility")), "AT&T Mobility");
    }
}
