//! A second, deliberately simple implementation of formats.md sections 6 and 7
//! (the totals), written from the spec alone, for cross-checking telaudit.
//!
//! It reads only well-formed canonical input (canonical charge CSVs under
//! `invoices/`, inventory.csv, contracts.csv, client.toml), and the Rogers exports
//! `telaudit generate --rogers` writes (see `rogers_rows`), into plain `String`
//! records and applies the rule table with nested loops and `BTreeMap`s. It
//! panics on bad input: it is a test helper, not a product.
//!
//! Decisions where the spec is silent (the team's):
//! - DUP001 claims every copy except the first in (file path, line) order.
//! - TAX001 claims tax rows with amount > 0 whose description contains, case-insensitively,
//!   `federal excise`, `state sales`, `local sales`, `sales tax` or `excise tax`.
//! - FEE001 claims rows with amount > 0 whose description matches
//!   `(?i)\blate\s+(payment\s+)?(fee|charge)` or whose code is `LATE` (any case).
//! - RAT001 excess = (unit_rate - rate) x quantity, or amount - rate x quantity when
//!   unit_rate is empty (quantity default 1); of several matching rate contracts the
//!   ones naming the account win over carrier-wide ones, then the lowest rate.
//! - "Latest period" is always the account's latest period_start; its end is the
//!   greatest period_end of the account's rows of that period. RAT001 and CRD001
//!   claim no monthly money from a contract line whose effective_to is on or
//!   before that end (the RAT001 line is the one giving the lowest rate, the first
//!   in file order on a tie).
//! - Inventory and contracts match the account only where they name one.
//! - A *copy* (a row DUP001 claims) carries no monthly money under any rule;
//!   DIS001's monthly counts only `recurring`, `surcharge` and `tax` rows (section 6).
//!   DUP001's signature here has no carrier, as the spec's key has none.
//! - Dispute windows (section 9): the as-of date is the latest invoice_date (the
//!   oracle has no `--as-of`); a key's date is its row's invoice_date, for a missing
//!   credit the latest invoice_date of the account's rows of that period; a key
//!   dated before as-of minus the carrier's window has expired: its recoverable
//!   counts in `expired`, not in `recoverable` (by_rule and totals).
//! - PLN001, CIR001, ZOM001 (optimization.md section 3) use the default rule
//!   files' low = 0.30 and high = 0.70; other plans exclude the current code.
//! - Call detail (section 12; the generated Rogers exports): counts only for a
//!   cycle its account is billed in; its usage rows are no bill row (they neither
//!   show CRD001 that a service was billed nor date the as-of, a missing credit or
//!   the latest period's end); a Rogers line (the Custom report carries no usage)
//!   is not measured in a billed cycle whose home exports lack one of data, voice
//!   and messages, and UNU001 (so POL001's idle) does not judge it there.
//! - POL001 (section 3b): a service leaves the pool when it is idle, billed after
//!   a disconnect or untracked as this oracle's UNU001, DIS001 and ZOM001 read
//!   the spec (any disconnected inventory line that matches; no money units).
//! - A rule claims a key at most once (its largest claim); totals take, per key,
//!   the largest recoverable and the largest monthly over all rules.
//! - The ledger (claims.csv, docs/recovery.md; `ledger.rs`): a key's line
//!   belongs to the rule with the largest claim on it (ties: the smaller rule
//!   id), whose finding key is rebuilt here from each rule's documented parts;
//!   a claim naming that finding key filed on or after the key's date covers
//!   it, and its dispute window is then judged from the earliest such filing.
#![allow(dead_code)]

mod ledger;
pub use ledger::OracleRecovery;

use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The totals an audit of a client folder must report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OracleTotals {
    pub rows: u64,
    pub billed_total: Decimal,
    pub recoverable: Decimal,
    pub monthly: Decimal,
    /// Recoverable money found too late to claim (each key once).
    pub expired: Decimal,
    /// Every default rule, also those that found nothing: (recoverable, monthly).
    pub by_rule: BTreeMap<String, (Decimal, Decimal)>,
    /// The ledger's figures; `None` without claims.csv.
    pub recovery: Option<OracleRecovery>,
}

/// Money as report.json writes it: 2 decimals, half away from zero, never `-0.00`.
pub fn money2(d: Decimal) -> String {
    let mut r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if r.is_zero() {
        r = Decimal::ZERO;
    }
    r.rescale(2);
    r.to_string()
}

#[derive(Clone, Debug)]
struct Charge {
    file: String,
    line: u64,
    idate: String,
    carrier: String,
    account: String,
    invoice: String,
    service: String,
    ctype: String,
    code: String,
    desc: String,
    ps: String,
    pe: String,
    qty: Decimal,
    unit_rate: Option<Decimal>,
    amount: Decimal,
    usage_qty: Option<Decimal>,
    unit: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Row(String, u64),
    Credit(String, String, String, String, String),
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s.trim()).unwrap_or_else(|e| panic!("oracle: bad decimal {s:?}: {e}"))
}

fn opt_dec(s: &str) -> Option<Decimal> {
    if s.trim().is_empty() {
        None
    } else {
        Some(dec(s))
    }
}

/// Reads a CSV into (line, column name -> value) records; names lower-cased and trimmed.
fn read_csv(path: &Path) -> Vec<(u64, BTreeMap<String, String>)> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .unwrap_or_else(|e| panic!("oracle: cannot read {}: {e}", path.display()));
    let headers: Vec<String> = rdr
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
        .collect();
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let line = rec.position().unwrap().line();
        let mut m = BTreeMap::new();
        for (h, v) in headers.iter().zip(rec.iter()) {
            m.insert(h.clone(), v.to_string());
        }
        out.push((line, m));
    }
    out
}

/// Every file below `dir` named `name`-something (e.g. `ALL_CALLS-`), sorted.
fn named_files(dir: &Path, prefix: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            named_files(&p, prefix, out);
        } else if p.file_name().unwrap().to_string_lossy().starts_with(prefix) {
            out.push(p);
        }
    }
}

/// The day after the same day one month before `end` (`2025-03-05` -> `2025-02-06`):
/// the start of the Rogers cycle that ends on `end` (the generator's cycles end on
/// the 5th).
fn rogers_start(y: u32, m: u32, d: u32) -> String {
    let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    format!("{py:04}-{pm:02}-{:02}", d + 1)
}

/// `n` / `d` rounded half away from zero to 6 places.
fn div6(n: Decimal, d: i64) -> Decimal {
    (n / Decimal::from(d)).round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero)
}

/// The rows of the Rogers exports `telaudit generate --rogers` writes (docs/formats.md,
/// "Rogers" and "Usage from call detail"), from the spec: the Custom report's
/// non-zero classes as charges (invoice `<account>-<MMDDYYYY>`, dated on the cycle
/// end, the cycle the month before it); the call detail summed per line, cycle and
/// kind in each export (data KB / 1,048,576 = GB, seconds / 60 = minutes, messages
/// counted; a line's home and roaming calls are a row each), only for a cycle
/// its account is billed in (call detail of another cycle is set aside), and
/// every line billed in an account's cycle that a home (not roaming) export of that
/// account and cycle does not list at 0. Each charge gets a key of its own; call
/// detail's rows are named `rogers-usage#...` (no bill row: CRD001 does not count
/// them as billing). Also the lines not measured, (carrier, account, line, cycle
/// start): every line of an account that call detail names, in each billed cycle
/// whose home exports do not measure all of data, voice and messages (the Custom
/// report carries no usage, so call detail alone measures a Rogers line).
fn rogers_rows(client_dir: &Path) -> (Vec<Charge>, Unmeasured) {
    let latin1 = |p: &Path| -> String { std::fs::read(p).unwrap().iter().map(|&b| char::from(b)).collect() };
    let mut customs = Vec::new();
    named_files(&client_dir.join("invoices"), "ALL_CALLS-Custom", &mut customs);
    customs.sort();
    let mut out: Vec<Charge> = Vec::new();
    // (account, cycle start) -> lines billed, and the cycle's end date.
    let mut billed: BTreeMap<(String, String), (BTreeSet<String>, String)> = BTreeMap::new();
    let classes = [
        ("Monthly Service Fee", "recurring"),
        ("Data Monthly Service Fee", "recurring"),
        ("Canadian Long Distance Charge", "usage"),
        ("Credits and Discounts", "credit"),
        ("GST", "tax"),
        ("PST", "tax"),
        ("HST", "tax"),
        ("QST", "tax"),
    ];
    for path in &customs {
        let text = latin1(path);
        let lines: Vec<&str> = text.lines().collect();
        let names: Vec<&str> = lines[2].split('|').collect();
        for (i, l) in lines.iter().enumerate().skip(3) {
            let m: BTreeMap<&str, &str> = names.iter().copied().zip(l.split('|')).collect();
            let end = m["Billing Period End Date"];
            let (mo, d, y): (u32, u32, u32) = (
                end[..2].parse().unwrap(),
                end[2..4].parse().unwrap(),
                end[4..].parse().unwrap(),
            );
            let (ps, pe) = (rogers_start(y, mo, d), format!("{y:04}-{mo:02}-{d:02}"));
            let (account, line) = (m["Billing Account"].to_string(), m["User Number"].to_string());
            let e = billed
                .entry((account.clone(), ps.clone()))
                .or_insert_with(|| (BTreeSet::new(), pe.clone()));
            e.0.insert(line.clone());
            for (col, ctype) in classes {
                let amount = dec(m.get(col).copied().unwrap_or("0"));
                if amount.is_zero() {
                    continue;
                }
                out.push(Charge {
                    file: format!("{}#{col}", rel(client_dir, path)),
                    line: i as u64 + 1,
                    invoice: format!("{account}-{end}"),
                    idate: pe.clone(),
                    carrier: "Rogers".into(),
                    account: account.clone(),
                    service: line.clone(),
                    ctype: ctype.into(),
                    code: String::new(),
                    desc: col.into(),
                    ps: ps.clone(),
                    pe: pe.clone(),
                    qty: Decimal::ONE,
                    unit_rate: None,
                    amount,
                    usage_qty: None,
                    unit: String::new(),
                });
            }
        }
    }
    // The call detail: (export, account, line, cycle start, kind) -> sum; (account,
    // cycle start, kind) measured by a home export.
    let mut sums: BTreeMap<(String, String, String, String, &str), Decimal> = BTreeMap::new();
    let mut measured: BTreeSet<(String, String, &str)> = BTreeSet::new();
    let mut details = Vec::new();
    named_files(&client_dir.join("invoices"), "ALL_CALLS-", &mut details);
    for path in details.iter().filter(|p| !customs.contains(p)) {
        let mut headers = Vec::new();
        named_files(path.parent().unwrap(), "Header-", &mut headers);
        assert_eq!(
            headers.len(),
            1,
            "oracle: one header file beside {}",
            path.display()
        );
        let head = latin1(&headers[0]);
        let mut hl = head.lines();
        let title = hl.next().unwrap();
        let names: Vec<&str> = hl
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.rsplitn(3, ',').nth(2).unwrap())
            .collect();
        let (kind_name, period) = title.split_once(" Type : ").unwrap();
        let (start, _) = period.split_once(" - ").unwrap();
        let ps = format!("{}-{}-{}", &start[6..10], &start[0..2], &start[3..5]);
        let (kind, column, roaming) = match kind_name {
            "GPRS" => ("data", Some("Volume (KB)"), false),
            "SMS" => ("messages", None, false),
            "Voice" => ("voice", Some("Seconds"), false),
            "Voice-RM" => ("voice", Some("Seconds"), true),
            k => panic!("oracle: unknown call detail {k}"),
        };
        for l in latin1(path).lines() {
            let m: BTreeMap<&str, &str> = names.iter().copied().zip(l.split('|')).collect();
            if !billed.contains_key(&(m["BAN"].to_string(), ps.clone())) {
                continue; // no bill of its account for that cycle: set aside
            }
            let q = column.map_or(Decimal::ONE, |c| dec(m[c]));
            let key = (
                rel(client_dir, path),
                m["BAN"].to_string(),
                m["User Number"].to_string(),
                ps.clone(),
                kind,
            );
            *sums.entry(key).or_default() += q;
            if !roaming {
                measured.insert((m["BAN"].to_string(), ps.clone(), kind));
            }
        }
    }
    let mut usage = |account: &str, line: &str, ps: &str, kind: &str, q: Decimal| {
        let (_, pe) = &billed[&(account.to_string(), ps.to_string())];
        let (qty, unit) = match kind {
            "data" => (div6(q, 1_048_576), "GB"),
            "voice" => (div6(q, 60), "min"),
            _ => (q, "msg"),
        };
        out.push(Charge {
            file: format!("rogers-usage#{account}#{line}#{ps}#{kind}"),
            line: 0,
            // The Custom report's invoice of the cycle (docs/formats.md, Rogers).
            invoice: format!("{account}-{}{}{}", &pe[5..7], &pe[8..10], &pe[..4]),
            idate: pe.clone(),
            carrier: "Rogers".into(),
            account: account.into(),
            service: line.into(),
            ctype: "usage".into(),
            code: String::new(),
            desc: format!("{kind} use"),
            ps: ps.into(),
            pe: pe.clone(),
            qty: Decimal::ONE,
            unit_rate: None,
            amount: Decimal::ZERO,
            usage_qty: Some(qty),
            unit: unit.into(),
        });
    };
    let mut listed: BTreeSet<(String, String, String, &str)> = BTreeSet::new();
    for ((_, account, line, ps, kind), q) in &sums {
        usage(account, line, ps, kind, *q);
        listed.insert((account.clone(), line.clone(), ps.clone(), *kind));
    }
    for (account, ps, kind) in &measured {
        for line in &billed[&(account.clone(), ps.clone())].0 {
            if !listed.contains(&(account.clone(), line.clone(), ps.clone(), *kind)) {
                usage(account, line, ps, kind, Decimal::ZERO);
            }
        }
    }
    // Not measured: the lines (billed or listed) of the accounts call detail names,
    // in each billed cycle lacking a kind.
    let mut lines: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for ((account, _), (billed_lines, _)) in &billed {
        lines
            .entry(account.clone())
            .or_default()
            .extend(billed_lines.iter().cloned());
    }
    for (_, account, line, _, _) in sums.keys() {
        lines.entry(account.clone()).or_default().insert(line.clone());
    }
    let named: BTreeSet<&String> = sums.keys().map(|k| &k.1).collect();
    let mut unmeasured = Unmeasured::new();
    for (account, ps) in billed.keys().filter(|k| named.contains(&k.0)) {
        let every = ["data", "voice", "messages"]
            .iter()
            .all(|k| measured.contains(&(account.clone(), ps.clone(), *k)));
        if !every {
            for line in &lines[account] {
                unmeasured.insert(("Rogers".into(), account.clone(), line.clone(), ps.clone()));
            }
        }
    }
    (out, unmeasured)
}

/// Lines call detail could not measure in a period: (carrier, account, line,
/// period start). UNU001 does not judge them unused there.
type Unmeasured = BTreeSet<(String, String, String, String)>;

fn get<'a>(m: &'a BTreeMap<String, String>, k: &str) -> &'a str {
    m.get(k).map(String::as_str).unwrap_or("")
}

fn csv_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            csv_files(&p, out);
        } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")) {
            out.push(p);
        }
    }
}

fn rel(root: &Path, p: &Path) -> String {
    let r = p.strip_prefix(root).unwrap();
    r.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// `(?i)\blate\s+(payment\s+)?(fee|charge)`, by hand.
fn late_fee_text(desc: &str) -> bool {
    let d = desc.to_lowercase();
    let b = d.as_bytes();
    let skip_ws = |mut i: usize| -> Option<usize> {
        let s = i;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        (i > s).then_some(i)
    };
    for (i, _) in d.match_indices("late") {
        if i > 0 && is_word(b[i - 1]) {
            continue;
        }
        let Some(j) = skip_ws(i + 4) else { continue };
        if d[j..].starts_with("payment") {
            if let Some(k) = skip_ws(j + 7) {
                if d[k..].starts_with("fee") || d[k..].starts_with("charge") {
                    return true;
                }
            }
        }
        if d[j..].starts_with("fee") || d[j..].starts_with("charge") {
            return true;
        }
    }
    false
}

fn exempt_tax_text(desc: &str) -> bool {
    let d = desc.to_lowercase();
    [
        "federal excise",
        "state sales",
        "local sales",
        "sales tax",
        "excise tax",
    ]
    .iter()
    .any(|p| d.contains(p))
}

/// A finding key from its parts: joined by `|`, a `\\` or `|` inside a part escaped
/// with a `\\` (history.md section 3).
fn fkey(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.replace('\\', "\\\\").replace('|', "\\|"))
        .collect::<Vec<_>>()
        .join("|")
}

/// client.toml's `[disputes] response_days`, 30 when not given.
fn response_days(dir: &Path) -> i64 {
    let Ok(text) = std::fs::read_to_string(dir.join("client.toml")) else {
        return 30;
    };
    let v: toml::Table = toml::from_str(&text).unwrap();
    v.get("disputes")
        .and_then(|d| d.get("response_days"))
        .and_then(|r| r.as_integer())
        .unwrap_or(30)
}

/// client.toml's `[disputes]`: (window_days, per-carrier windows); `None` without it.
fn dispute_windows(dir: &Path) -> Option<(Option<i64>, BTreeMap<String, i64>)> {
    let text = std::fs::read_to_string(dir.join("client.toml")).ok()?;
    let v: toml::Table = toml::from_str(&text).unwrap();
    let d = v.get("disputes")?.as_table()?;
    let default = d.get("window_days").map(|w| w.as_integer().unwrap());
    let carriers = d
        .get("carriers")
        .and_then(|c| c.as_table())
        .map(|t| {
            t.iter()
                .map(|(k, w)| (k.clone(), w.as_integer().unwrap()))
                .collect()
        })
        .unwrap_or_default();
    Some((default, carriers))
}

/// `YYYY-MM-DD` minus `n` days, one day at a time.
fn minus_days(date: &str, n: i64) -> String {
    let mut y: i64 = date[0..4].parse().unwrap();
    let mut m: i64 = date[5..7].parse().unwrap();
    let mut d: i64 = date[8..10].parse().unwrap();
    for _ in 0..n {
        d -= 1;
        if d == 0 {
            m -= 1;
            if m == 0 {
                m = 12;
                y -= 1;
            }
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            d = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ][m as usize - 1];
        }
    }
    format!("{y:04}-{m:02}-{d:02}")
}

fn tax_exempt(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("client.toml")) else {
        return false;
    };
    for l in text.lines() {
        let l = l.split('#').next().unwrap().trim();
        if l.starts_with('[') {
            break; // only top-level keys
        }
        if let Some((k, v)) = l.split_once('=') {
            if k.trim() == "tax_exempt" {
                return v.trim() == "true";
            }
        }
    }
    false
}

/// Audits a client folder from scratch and returns its totals.
pub fn oracle_totals(client_dir: &Path) -> OracleTotals {
    // --- read the charge rows, files in path order, rows in line order
    let mut files = Vec::new();
    csv_files(&client_dir.join("invoices"), &mut files);
    let mut named: Vec<(String, PathBuf)> = files.into_iter().map(|p| (rel(client_dir, &p), p)).collect();
    named.sort();
    let mut rows: Vec<Charge> = Vec::new();
    for (name, path) in &named {
        for (line, m) in read_csv(path) {
            rows.push(Charge {
                file: name.clone(),
                line,
                idate: get(&m, "invoice_date").trim().to_string(),
                carrier: get(&m, "carrier").to_string(),
                account: get(&m, "account").to_string(),
                invoice: get(&m, "invoice").to_string(),
                service: get(&m, "service_id").to_string(),
                ctype: get(&m, "charge_type").trim().to_lowercase(),
                code: get(&m, "charge_code").to_string(),
                desc: get(&m, "description").to_string(),
                ps: get(&m, "period_start").trim().to_string(),
                pe: get(&m, "period_end").trim().to_string(),
                qty: opt_dec(get(&m, "quantity")).unwrap_or(Decimal::ONE),
                unit_rate: opt_dec(get(&m, "unit_rate")),
                amount: dec(get(&m, "amount")),
                usage_qty: opt_dec(get(&m, "usage_quantity")),
                unit: get(&m, "usage_unit").to_string(),
            });
        }
    }
    let (rogers, unmeasured) = rogers_rows(client_dir);
    rows.extend(rogers);
    let inventory = if client_dir.join("inventory.csv").exists() {
        read_csv(&client_dir.join("inventory.csv"))
    } else {
        vec![]
    };
    let contracts = if client_dir.join("contracts.csv").exists() {
        read_csv(&client_dir.join("contracts.csv"))
    } else {
        vec![]
    };
    let exempt = tax_exempt(client_dir);

    // --- periods per account
    let mut periods: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for r in &rows {
        periods
            .entry((r.carrier.clone(), r.account.clone()))
            .or_default()
            .insert(r.ps.clone());
    }
    let latest = |r: &Charge| -> String {
        periods[&(r.carrier.clone(), r.account.clone())]
            .iter()
            .next_back()
            .unwrap()
            .clone()
    };
    let last3 = |carrier: &str, account: &str| -> Vec<String> {
        periods[&(carrier.to_string(), account.to_string())]
            .iter()
            .rev()
            .take(3)
            .cloned()
            .collect()
    };
    // The latest period's end per account: the greatest period_end of its rows of
    // the latest period. A contract whose effective_to is not after it claims no
    // monthly money (formats.md section 6: the next bill falls outside it).
    let mut latest_end: BTreeMap<(String, String), String> = BTreeMap::new();
    for r in rows.iter().filter(|r| !r.file.starts_with("rogers-usage#")) {
        let k = (r.carrier.clone(), r.account.clone());
        if Some(&r.ps) == periods[&k].iter().next_back() {
            let e = latest_end.entry(k).or_insert_with(|| r.pe.clone());
            if r.pe > *e {
                *e = r.pe.clone();
            }
        }
    }
    let lasts = |m: &BTreeMap<String, String>, carrier: &str, account: &str| -> bool {
        let t = get(m, "effective_to").trim();
        t.is_empty() || t > latest_end[&(carrier.to_string(), account.to_string())].as_str()
    };
    let in_window = |m: &BTreeMap<String, String>, ps: &str| -> bool {
        let f = get(m, "effective_from").trim();
        let t = get(m, "effective_to").trim();
        (f.is_empty() || ps >= f) && (t.is_empty() || ps <= t)
    };
    let key = |r: &Charge| Key::Row(r.file.clone(), r.line);

    // rule -> key -> (recoverable, monthly), keeping the largest per key
    let mut claims: BTreeMap<String, BTreeMap<Key, (Decimal, Decimal)>> = BTreeMap::new();
    for id in [
        "CIR001", "CRD001", "DIS001", "DUP001", "FEE001", "PLN001", "POL001", "RAT001", "TAX001", "UNU001",
        "ZOM001",
    ] {
        claims.insert(id.to_string(), BTreeMap::new());
    }
    // (rule, key) -> the finding key of the rule's finding claiming it.
    let mut fkeys: BTreeMap<(String, Key), String> = BTreeMap::new();
    let mut claim = |rule: &str, k: Key, rec: Decimal, mon: Decimal, f: String| {
        fkeys.insert((rule.to_string(), k.clone()), f);
        let e = claims.get_mut(rule).unwrap().entry(k).or_insert((rec, mon));
        e.0 = e.0.max(rec);
        e.1 = e.1.max(mon);
    };

    // --- DUP001 (first, so the other rules know the copies)
    let mut copies: BTreeSet<Key> = BTreeSet::new();
    // signature -> the carrier of its first row (DUP001's finding key has it)
    let mut seen: BTreeMap<Vec<String>, String> = BTreeMap::new();
    for r in &rows {
        let dup_type = ["recurring", "one_time", "usage", "fee", "surcharge"].contains(&r.ctype.as_str());
        if !dup_type || r.amount <= Decimal::ZERO {
            continue;
        }
        let sig = vec![
            r.account.clone(),
            r.service.clone(),
            r.ctype.clone(),
            r.code.clone(),
            r.desc.clone(),
            r.ps.clone(),
            r.pe.clone(),
            r.qty.normalize().to_string(),
            r.amount.normalize().to_string(),
        ];
        match seen.get(&sig) {
            Some(first) => {
                let f = fkey(&["DUP001", first, &r.account, &r.service, &r.code, &r.desc]);
                claim("DUP001", key(r), r.amount, Decimal::ZERO, f);
                copies.insert(key(r));
            }
            None => {
                seen.insert(sig, r.carrier.clone());
            }
        }
    }

    // --- UNU001
    let mut with_usage: BTreeSet<(String, String, String)> = BTreeSet::new();
    for r in &rows {
        if r.ctype == "usage" && !r.service.is_empty() {
            with_usage.insert((r.carrier.clone(), r.account.clone(), r.service.clone()));
        }
    }
    for (c, a, s) in &with_usage {
        let recent = last3(c, a);
        // The account needs at least 3 periods: one idle bill is no evidence.
        if recent.len() < 3 {
            continue;
        }
        let used = rows.iter().any(|r| {
            &r.carrier == c
                && &r.account == a
                && &r.service == s
                && r.ctype == "usage"
                && recent.contains(&r.ps)
                && r.usage_qty.is_some_and(|q| q > Decimal::ZERO)
        });
        // Not measured is never unused.
        let unknown = recent
            .iter()
            .any(|p| unmeasured.contains(&(c.clone(), a.clone(), s.clone(), p.clone())));
        if used || unknown {
            continue;
        }
        for r in &rows {
            if &r.carrier == c
                && &r.account == a
                && &r.service == s
                && r.ctype == "recurring"
                && r.ps == latest(r)
                && !copies.contains(&key(r))
            {
                claim("UNU001", key(r), Decimal::ZERO, r.amount, String::new());
            }
        }
    }

    // --- CRD001
    for k in contracts
        .iter()
        .map(|(_, m)| m)
        .filter(|m| get(m, "kind").trim().eq_ignore_ascii_case("credit"))
    {
        let carrier = get(k, "carrier");
        let k_account = get(k, "account");
        let k_service = get(k, "service_id");
        let code = get(k, "charge_code");
        let owed = dec(get(k, "amount"));
        for ((c, a), pers) in &periods {
            if c != carrier || (!k_account.is_empty() && a != k_account) {
                continue;
            }
            let newest = pers.iter().next_back().unwrap();
            for p in pers.iter().filter(|p| in_window(k, p)) {
                // Billed: a bill row of the service (call detail's usage is none).
                let billed = k_service.is_empty()
                    || rows.iter().any(|r| {
                        &r.carrier == c
                            && &r.account == a
                            && r.service == k_service
                            && &r.ps == p
                            && !r.file.starts_with("rogers-usage#")
                    });
                if !billed {
                    continue;
                }
                let paid: Decimal = rows
                    .iter()
                    .filter(|r| {
                        &r.carrier == c
                            && &r.account == a
                            && r.service == k_service
                            && &r.ps == p
                            && r.ctype == "credit"
                            && r.code == code
                    })
                    .map(|r| r.amount)
                    .sum();
                let shortfall = owed + paid;
                if shortfall > Decimal::ZERO {
                    let mon = if p == newest && lasts(k, c, a) {
                        shortfall
                    } else {
                        Decimal::ZERO
                    };
                    let key = Key::Credit(
                        c.clone(),
                        a.clone(),
                        k_service.to_string(),
                        p.clone(),
                        code.to_string(),
                    );
                    let from = get(k, "effective_from").trim();
                    let f = fkey(&["CRD001", c, a, k_service, code, k_account, from]);
                    claim("CRD001", key, shortfall, mon, f);
                }
            }
        }
    }

    // --- DIS001
    for (_, inv) in &inventory {
        if !get(inv, "status").trim().eq_ignore_ascii_case("disconnected") {
            continue;
        }
        let date = get(inv, "disconnect_date").trim();
        if date.is_empty() {
            continue;
        }
        let inv_account = get(inv, "account");
        for r in &rows {
            if r.carrier == get(inv, "carrier")
                && (inv_account.is_empty() || r.account == inv_account)
                && r.service == get(inv, "service_id")
                && r.ps.as_str() > date
                && r.amount > Decimal::ZERO
            {
                let recurs = ["recurring", "surcharge", "tax"].contains(&r.ctype.as_str());
                let mon = if recurs && r.ps == latest(r) && !copies.contains(&key(r)) {
                    r.amount
                } else {
                    Decimal::ZERO
                };
                let f = fkey(&["DIS001", &r.carrier, &r.account, &r.service]);
                claim("DIS001", key(r), r.amount, mon, f);
            }
        }
    }

    // --- RAT001
    let rates: Vec<&BTreeMap<String, String>> = contracts
        .iter()
        .map(|(_, m)| m)
        .filter(|m| get(m, "kind").trim().eq_ignore_ascii_case("rate"))
        .collect();
    for r in &rows {
        if !["recurring", "usage", "one_time"].contains(&r.ctype.as_str()) {
            continue;
        }
        let matching: Vec<&&BTreeMap<String, String>> = rates
            .iter()
            .filter(|k| {
                get(k, "carrier") == r.carrier
                    && get(k, "charge_code") == r.code
                    && (get(k, "account").is_empty() || get(k, "account") == r.account)
                    && in_window(k, &r.ps)
            })
            .collect();
        let named: Vec<&&BTreeMap<String, String>> = matching
            .iter()
            .copied()
            .filter(|k| !get(k, "account").is_empty())
            .collect();
        let pool = if named.is_empty() { matching } else { named };
        // The lowest rate, the first such line in file order on a tie.
        let Some(best) = pool.iter().copied().reduce(|a, b| {
            if dec(get(b, "amount")) < dec(get(a, "amount")) {
                b
            } else {
                a
            }
        }) else {
            continue;
        };
        let rate = dec(get(best, "amount"));
        let excess = match r.unit_rate {
            Some(u) => (u - rate) * r.qty,
            None => r.amount - rate * r.qty,
        };
        if excess > Decimal::ZERO {
            let mon = if r.ps == latest(r) && !copies.contains(&key(r)) && lasts(best, &r.carrier, &r.account)
            {
                excess
            } else {
                Decimal::ZERO
            };
            let f = fkey(&["RAT001", &r.carrier, &r.account, &r.service, &r.code]);
            claim("RAT001", key(r), excess, mon, f);
        }
    }

    // --- TAX001
    if exempt {
        for r in &rows {
            if r.ctype == "tax" && r.amount > Decimal::ZERO && exempt_tax_text(&r.desc) {
                // A tax row is never a copy (DUP001 does not look at taxes).
                let mon = if r.ps == latest(r) {
                    r.amount
                } else {
                    Decimal::ZERO
                };
                let f = fkey(&["TAX001", &r.carrier, &r.account, &r.service, &r.desc]);
                claim("TAX001", key(r), r.amount, mon, f);
            }
        }
    }

    // --- FEE001
    for r in &rows {
        if r.amount > Decimal::ZERO && (late_fee_text(&r.desc) || r.code.trim().eq_ignore_ascii_case("late"))
        {
            let f = fkey(&["FEE001", &r.carrier, &r.account, &r.service, &r.desc]);
            claim("FEE001", key(r), r.amount, Decimal::ZERO, f);
        }
    }

    // --- PLN001, CIR001, ZOM001 (optimization.md section 3)
    let plans = if client_dir.join("plans.csv").exists() {
        read_csv(&client_dir.join("plans.csv"))
    } else {
        vec![]
    };
    let load = if client_dir.join("utilization.csv").exists() {
        read_csv(&client_dir.join("utilization.csv"))
    } else {
        vec![]
    };
    let has_inventory = client_dir.join("inventory.csv").exists();
    for (rule, k, m) in optimization(
        &rows,
        &periods,
        &plans,
        &load,
        has_inventory.then_some(&inventory),
        &copies,
    ) {
        // A copy carries no monthly money (formats.md section 6).
        let m = if copies.contains(&k) { Decimal::ZERO } else { m };
        claim(rule, k, Decimal::ZERO, m, String::new());
    }
    // --- POL001 (optimization.md section 3b)
    for (k, m) in pools(
        &rows,
        &periods,
        &plans,
        has_inventory.then_some(&inventory),
        &copies,
        &unmeasured,
    ) {
        claim("POL001", k, Decimal::ZERO, m, String::new());
    }

    // --- the ledger's coverage: a key's line belongs to the largest claim's
    // rule (ties: the smaller id); a claim naming its finding, filed on or after
    // the key's date, covers it (the earliest filing)
    // Bill rows only: call detail's usage rows (`rogers-usage#...`) never date anything.
    let bill = |r: &&Charge| !r.file.starts_with("rogers-usage#");
    let as_of = rows
        .iter()
        .filter(bill)
        .map(|r| r.idate.clone())
        .max()
        .unwrap_or_default();
    let ledger = ledger::read_ledger(client_dir);
    let at: BTreeMap<(&str, u64), &Charge> = rows.iter().map(|r| ((r.file.as_str(), r.line), r)).collect();
    let key_date = |k: &Key| -> String {
        match k {
            Key::Row(file, line) => at[&(file.as_str(), *line)].idate.clone(),
            Key::Credit(c, a, _, p, _) => rows
                .iter()
                .filter(bill)
                .filter(|r| &r.carrier == c && &r.account == a && &r.ps == p)
                .map(|r| r.idate.clone())
                .max()
                .unwrap(),
        }
    };
    let mut owner: BTreeMap<Key, (Decimal, String)> = BTreeMap::new();
    for (rule, cs) in &claims {
        for (k, (r, _)) in cs {
            if *r > Decimal::ZERO && owner.get(k).is_none_or(|o| *r > o.0) {
                owner.insert(k.clone(), (*r, fkeys[&(rule.clone(), k.clone())].clone()));
            }
        }
    }
    let covered_on: BTreeMap<Key, String> = match &ledger {
        None => BTreeMap::new(),
        Some(l) => owner
            .iter()
            .filter_map(|(k, (_, f))| Some((k.clone(), ledger::covering(l, &as_of, f, &key_date(k))?)))
            .collect(),
    };

    // --- dispute windows: the keys whose invoice date is before as-of (a covered
    // key: its covering claim's filing date) minus the window
    let mut expired_keys: BTreeSet<Key> = BTreeSet::new();
    if let Some((default, carriers)) = dispute_windows(client_dir) {
        for k in claims.values().flat_map(|cs| cs.keys()) {
            let (carrier, idate) = match k {
                Key::Row(file, line) => {
                    let r = at[&(file.as_str(), *line)];
                    (r.carrier.clone(), r.idate.clone())
                }
                Key::Credit(c, a, _, p, _) => {
                    let latest = rows
                        .iter()
                        .filter(bill)
                        .filter(|r| &r.carrier == c && &r.account == a && &r.ps == p)
                        .map(|r| r.idate.clone())
                        .max()
                        .unwrap();
                    (c.clone(), latest)
                }
            };
            if let Some(w) = carriers.get(&carrier).copied().or(default) {
                let from = covered_on.get(k).unwrap_or(&as_of);
                if idate < minus_days(from, w) {
                    expired_keys.insert(k.clone());
                }
            }
        }
    }

    // --- totals: per key the largest claim, once
    let mut best: BTreeMap<Key, (Decimal, Decimal)> = BTreeMap::new();
    let mut expired: BTreeMap<Key, Decimal> = BTreeMap::new();
    let mut by_rule = BTreeMap::new();
    for (rule, cs) in &claims {
        let mut rec = Decimal::ZERO;
        let mut mon = Decimal::ZERO;
        for (k, (r, m)) in cs {
            let r = if expired_keys.contains(k) {
                let e = expired.entry(k.clone()).or_insert(*r);
                *e = (*e).max(*r);
                &Decimal::ZERO
            } else {
                r
            };
            rec += r;
            mon += m;
            let e = best.entry(k.clone()).or_insert((*r, *m));
            e.0 = e.0.max(*r);
            e.1 = e.1.max(*m);
        }
        by_rule.insert(rule.clone(), (rec, mon));
    }
    let recoverable: Decimal = best.values().map(|v| v.0).sum();
    let recovery = ledger.map(|l| {
        let codes: BTreeSet<(String, String)> = contracts
            .iter()
            .map(|(_, m)| m)
            .filter(|m| get(m, "kind").trim().eq_ignore_ascii_case("credit"))
            .map(|m| (get(m, "carrier").to_string(), get(m, "charge_code").to_string()))
            .collect();
        let mut r = ledger::recover(&l, &rows, &codes, &as_of, response_days(client_dir));
        r.covered = best
            .iter()
            .filter(|(k, _)| covered_on.contains_key(*k))
            .map(|(_, v)| v.0)
            .sum();
        r.unclaimed = recoverable - r.covered;
        r
    });
    OracleTotals {
        rows: rows.len() as u64,
        billed_total: rows.iter().map(|r| r.amount).sum(),
        recoverable,
        monthly: best.values().map(|v| v.1).sum(),
        expired: expired.values().sum(),
        by_rule,
        recovery,
    }
}

type Rec = BTreeMap<String, String>;

/// A catalogue entry's cost for a period's usage.
fn cost(e: &Rec, usage: Decimal) -> Decimal {
    cost_at(e, dec(get(e, "monthly")), usage)
}

/// As [`cost`], at `monthly` a month: the current plan costs what the bill charges
/// (optimization.md section 3), its allowance and overage rate from the catalogue.
fn cost_at(e: &Rec, monthly: Decimal, usage: Decimal) -> Decimal {
    let over = opt_dec(get(e, "overage_rate")).unwrap_or(Decimal::ZERO);
    let allowance = dec(get(e, "allowance"));
    monthly + over * (usage - allowance).max(Decimal::ZERO)
}

fn on_offer(e: &Rec, p: &str) -> bool {
    let f = get(e, "effective_from").trim();
    let t = get(e, "effective_to").trim();
    (f.is_empty() || p >= f) && (t.is_empty() || p <= t)
}

/// The PLN001, CIR001 and ZOM001 claims (rule, key, monthly), from the spec's table, by brute force.
fn optimization(
    rows: &[Charge],
    periods: &BTreeMap<(String, String), BTreeSet<String>>,
    plans: &[(u64, Rec)],
    load: &[(u64, Rec)],
    inventory: Option<&Vec<(u64, Rec)>>,
    copies: &BTreeSet<Key>,
) -> Vec<(&'static str, Key, Decimal)> {
    let is_copy = |r: &Charge| copies.contains(&Key::Row(r.file.clone(), r.line));
    let mut out = Vec::new();
    let mut services: BTreeSet<(String, String, String)> = BTreeSet::new();
    for r in rows.iter().filter(|r| !r.service.is_empty()) {
        services.insert((r.carrier.clone(), r.account.clone(), r.service.clone()));
    }
    for (c, a, s) in &services {
        let pers: Vec<&String> = periods[&(c.clone(), a.clone())].iter().collect();
        let latest = pers[pers.len() - 1].clone();
        let mine: Vec<&Charge> = rows
            .iter()
            .filter(|r| &r.carrier == c && &r.account == a && &r.service == s)
            .collect();
        let latest_rec: Vec<&&Charge> = mine
            .iter()
            .filter(|r| r.ctype == "recurring" && r.ps == latest)
            .collect();
        // ZOM001
        if let Some(inv) = inventory {
            let carrier_known = inv.iter().any(|(_, l)| get(l, "carrier") == c);
            let matched = inv.iter().any(|(_, l)| {
                get(l, "carrier") == c
                    && get(l, "service_id") == s
                    && (get(l, "account").is_empty() || get(l, "account") == a)
            });
            if carrier_known && !matched && !latest_rec.is_empty() {
                for r in latest_rec.iter().filter(|r| r.amount > Decimal::ZERO) {
                    out.push(("ZOM001", Key::Row(r.file.clone(), r.line), r.amount));
                }
            }
        }
        if pers.len() < 3 {
            continue;
        }
        let window: Vec<String> = pers[pers.len() - 3..].iter().map(|p| p.to_string()).collect();
        for kind in ["plan", "circuit"] {
            let of_kind = |code: &str| {
                plans
                    .iter()
                    .map(|(_, e)| e)
                    .filter(|e| {
                        get(e, "kind").eq_ignore_ascii_case(kind)
                            && get(e, "carrier") == c
                            && get(e, "code") == code
                    })
                    .collect::<Vec<&Rec>>()
            };
            // A DUP001 copy is not a plan row (a one-time error, formats.md section 6).
            let plan_rows: Vec<&&&Charge> = latest_rec
                .iter()
                .filter(|r| !of_kind(&r.code).is_empty() && !is_copy(r))
                .collect();
            if plan_rows.len() != 1 {
                continue;
            }
            // Plan rows of both `plan` and `pool` entries: neither PLN001 nor POL001 (section 3b).
            if kind == "plan"
                && latest_rec
                    .iter()
                    .any(|r| !is_copy(r) && is_entry(plans, "pool", c, &r.code))
            {
                continue;
            }
            let row = plan_rows[0];
            let same = of_kind(&row.code);
            let p = same.iter().find(|e| on_offer(e, &latest)).unwrap_or(&same[0]);
            let others: Vec<&Rec> = plans
                .iter()
                .map(|(_, e)| e)
                .filter(|e| {
                    get(e, "kind").eq_ignore_ascii_case(kind)
                        && get(e, "carrier") == c
                        && get(e, "code") != row.code
                        && on_offer(e, &latest)
                })
                .collect();
            let key = Key::Row(row.file.clone(), row.line);
            if kind == "plan" {
                let unit = get(p, "usage_unit");
                let mut usage = Vec::new();
                for w in &window {
                    let u: Vec<&&Charge> = mine
                        .iter()
                        .filter(|r| r.ctype == "usage" && &r.ps == w && get_unit(r) == unit)
                        .collect();
                    if u.is_empty() {
                        break;
                    }
                    usage.push(
                        u.iter()
                            .filter(|r| !is_copy(r))
                            .map(|r| r.usage_qty.unwrap_or(Decimal::ZERO))
                            .sum::<Decimal>(),
                    );
                }
                if usage.len() < 3 {
                    continue;
                }
                // B: what the bill charges for the plan row, not the catalogue's price.
                let cost_p = |u: Decimal| cost_at(p, row.amount, u);
                let mut best: Option<(Decimal, Decimal, String, Decimal)> = None;
                for q in others.iter().filter(|q| get(q, "usage_unit") == unit) {
                    if !usage.iter().all(|&u| cost(q, u) < cost_p(u)) {
                        continue;
                    }
                    let sum: Decimal = usage.iter().map(|&u| cost(q, u)).sum();
                    let saving = usage.iter().map(|&u| cost_p(u) - cost(q, u)).min().unwrap();
                    let cand = (sum, dec(get(q, "monthly")), get(q, "code").to_string(), saving);
                    if best
                        .as_ref()
                        .is_none_or(|b| (&cand.0, &cand.1, &cand.2) < (&b.0, &b.1, &b.2))
                    {
                        best = Some(cand);
                    }
                }
                if let Some(b) = best {
                    out.push(("PLN001", key, b.3));
                }
            } else {
                let bw = dec(get(p, "bandwidth_mbps"));
                let mut peaks = Vec::new();
                for w in &window {
                    // The billed period: w to the latest period_end of the circuit's rows of it;
                    // a load line counts when its date lies within.
                    let Some(end) = mine.iter().filter(|r| &r.ps == w).map(|r| r.pe.clone()).max() else {
                        break;
                    };
                    let l: Vec<Decimal> = load
                        .iter()
                        .map(|(_, u)| u)
                        .filter(|u| {
                            let d = get(u, "period_start").trim();
                            get(u, "carrier") == c
                                && get(u, "service_id") == s
                                && d >= w.as_str()
                                && d <= end.as_str()
                        })
                        .map(|u| dec(get(u, "p95_in_mbps")).max(dec(get(u, "p95_out_mbps"))))
                        .collect();
                    if let Some(m) = l.into_iter().max() {
                        peaks.push(m);
                    }
                }
                let low = Decimal::new(30, 2) * bw;
                if peaks.len() < 3 || peaks.iter().any(|&x| x >= low) {
                    continue;
                }
                let top = peaks.into_iter().max().unwrap();
                // B: what the bill charges for the circuit row, not the catalogue's price.
                let monthly = row.amount;
                let t = others
                    .iter()
                    .filter(|t| {
                        dec(get(t, "monthly")) < monthly
                            && top <= Decimal::new(70, 2) * dec(get(t, "bandwidth_mbps"))
                    })
                    .min_by_key(|t| {
                        (
                            dec(get(t, "monthly")),
                            std::cmp::Reverse(dec(get(t, "bandwidth_mbps"))),
                            get(t, "code").to_string(),
                        )
                    });
                if let Some(t) = t {
                    out.push(("CIR001", key, monthly - dec(get(t, "monthly"))));
                }
            }
        }
    }
    out
}

/// Whether `code` is a catalogue code of `kind` for `carrier`.
fn is_entry(plans: &[(u64, Rec)], kind: &str, carrier: &str, code: &str) -> bool {
    plans.iter().any(|(_, e)| {
        get(e, "kind").eq_ignore_ascii_case(kind) && get(e, "carrier") == carrier && get(e, "code") == code
    })
}

/// The POL001 claims (key, monthly): optimization.md section 3b, by brute force.
/// The services that leave a pool follow this oracle's UNU001, DIS001 and ZOM001
/// above (the spec's definitions), whatever rules run.
fn pools(
    rows: &[Charge],
    periods: &BTreeMap<(String, String), BTreeSet<String>>,
    plans: &[(u64, Rec)],
    inventory: Option<&Vec<(u64, Rec)>>,
    copies: &BTreeSet<Key>,
    unmeasured: &Unmeasured,
) -> Vec<(Key, Decimal)> {
    let is_copy = |r: &Charge| copies.contains(&Key::Row(r.file.clone(), r.line));
    let mut services: BTreeSet<(String, String, String)> = BTreeSet::new();
    for r in rows.iter().filter(|r| !r.service.is_empty()) {
        services.insert((r.carrier.clone(), r.account.clone(), r.service.clone()));
    }
    // (carrier, account, unit) -> [(plan row, current plan, usage per window period or None)]
    type Member<'a> = (&'a Charge, &'a Rec, Option<Vec<Decimal>>);
    let mut pools: BTreeMap<(String, String, String), Vec<Member>> = BTreeMap::new();
    for (c, a, s) in &services {
        let pers: Vec<&String> = periods[&(c.clone(), a.clone())].iter().collect();
        if pers.len() < 3 {
            continue;
        }
        let latest = pers[pers.len() - 1].clone();
        let window: Vec<&String> = pers[pers.len() - 3..].to_vec();
        let mine: Vec<&Charge> = rows
            .iter()
            .filter(|r| &r.carrier == c && &r.account == a && &r.service == s)
            .collect();
        let plan_rows: Vec<&&Charge> = mine
            .iter()
            .filter(|r| r.ctype == "recurring" && r.ps == latest && !is_copy(r))
            .collect();
        let pooled: Vec<&&&Charge> = plan_rows
            .iter()
            .filter(|r| is_entry(plans, "pool", c, &r.code))
            .collect();
        if pooled.len() != 1 || plan_rows.iter().any(|r| is_entry(plans, "plan", c, &r.code)) {
            continue;
        }
        // Idle (UNU001), billed after disconnect (DIS001), untracked (ZOM001).
        let idle = mine.iter().any(|r| r.ctype == "usage")
            && !mine.iter().any(|r| {
                r.ctype == "usage"
                    && window.contains(&&r.ps)
                    && r.usage_qty.is_some_and(|q| q > Decimal::ZERO)
            })
            && !window
                .iter()
                .any(|p| unmeasured.contains(&(c.clone(), a.clone(), s.clone(), (*p).clone())));
        let disconnected = inventory.is_some_and(|inv| {
            inv.iter().any(|(_, l)| {
                let date = get(l, "disconnect_date").trim();
                get(l, "status").trim().eq_ignore_ascii_case("disconnected")
                    && !date.is_empty()
                    && get(l, "carrier") == c
                    && get(l, "service_id") == s
                    && (get(l, "account").is_empty() || get(l, "account") == a)
                    && mine
                        .iter()
                        .any(|r| r.ps.as_str() > date && r.amount > Decimal::ZERO)
            })
        });
        let untracked = inventory.is_some_and(|inv| {
            inv.iter().any(|(_, l)| get(l, "carrier") == c)
                && !inv.iter().any(|(_, l)| {
                    get(l, "carrier") == c
                        && get(l, "service_id") == s
                        && (get(l, "account").is_empty() || get(l, "account") == a)
                })
        });
        if idle || disconnected || untracked {
            continue;
        }
        let row = **pooled[0];
        let same: Vec<&Rec> = plans
            .iter()
            .map(|(_, e)| e)
            .filter(|e| {
                get(e, "kind").eq_ignore_ascii_case("pool")
                    && get(e, "carrier") == c
                    && get(e, "code") == row.code
            })
            .collect();
        let p = same.iter().find(|e| on_offer(e, &latest)).unwrap_or(&same[0]);
        let unit = get(p, "usage_unit");
        let usage: Option<Vec<Decimal>> = window
            .iter()
            .map(|w| {
                let u: Vec<&&Charge> = mine
                    .iter()
                    .filter(|r| r.ctype == "usage" && &&r.ps == w && r.unit == unit)
                    .collect();
                (!u.is_empty()).then(|| {
                    u.iter()
                        .filter(|r| !is_copy(r))
                        .map(|r| r.usage_qty.unwrap_or(Decimal::ZERO))
                        .sum()
                })
            })
            .collect();
        pools
            .entry((c.clone(), a.clone(), unit.to_string()))
            .or_default()
            .push((row, p, usage));
    }
    let mut out = Vec::new();
    for ((c, a, unit), mut members) in pools {
        if members.len() < 2 || members.iter().any(|m| m.2.is_none()) {
            continue;
        }
        members.sort_by(|x, y| (&x.0.file, x.0.line).cmp(&(&y.0.file, y.0.line)));
        let n = Decimal::from(members.len());
        let latest = periods[&(c.clone(), a.clone())]
            .iter()
            .next_back()
            .unwrap()
            .clone();
        let usage: Vec<Decimal> = (0..3)
            .map(|i| members.iter().map(|m| m.2.as_ref().unwrap()[i]).sum())
            .collect();
        let billed: Decimal = members.iter().map(|m| m.0.amount).sum();
        let allowance: Decimal = members.iter().map(|m| dec(get(m.1, "allowance"))).sum();
        let rate = members
            .iter()
            .map(|m| opt_dec(get(m.1, "overage_rate")).unwrap_or(Decimal::ZERO))
            .max()
            .unwrap();
        let now: Vec<Decimal> = usage
            .iter()
            .map(|&u| billed + rate * (u - allowance).max(Decimal::ZERO))
            .collect();
        let mut best: Option<(Decimal, Decimal, String, Decimal)> = None;
        for (_, q) in plans {
            if !get(q, "kind").eq_ignore_ascii_case("pool")
                || get(q, "carrier") != c
                || get(q, "usage_unit") != unit
                || !on_offer(q, &latest)
            {
                continue;
            }
            let over = opt_dec(get(q, "overage_rate")).unwrap_or(Decimal::ZERO);
            let cost: Vec<Decimal> = usage
                .iter()
                .map(|&u| {
                    n * dec(get(q, "monthly")) + over * (u - n * dec(get(q, "allowance"))).max(Decimal::ZERO)
                })
                .collect();
            if !cost.iter().zip(&now).all(|(q, c)| q < c) {
                continue;
            }
            let sum: Decimal = cost.iter().sum();
            let saving = now.iter().zip(&cost).map(|(c, q)| c - q).min().unwrap();
            let cand = (sum, dec(get(q, "monthly")), get(q, "code").to_string(), saving);
            if best
                .as_ref()
                .is_none_or(|b| (&cand.0, &cand.1, &cand.2) < (&b.0, &b.1, &b.2))
            {
                best = Some(cand);
            }
        }
        let Some((_, _, _, saving)) = best else { continue };
        // Equal shares rounded down to the cent; the last row (path, line) the rest.
        let share = (saving / n).round_dp_with_strategy(2, RoundingStrategy::ToZero);
        for (i, m) in members.iter().enumerate() {
            let amount = if i + 1 == members.len() {
                saving - share * (n - Decimal::ONE)
            } else {
                share
            };
            out.push((Key::Row(m.0.file.clone(), m.0.line), amount));
        }
    }
    out
}

fn get_unit(r: &Charge) -> &str {
    &r.unit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_fee_pattern() {
        assert!(late_fee_text("Late Payment Fee"));
        assert!(late_fee_text("LATE   charge"));
        assert!(late_fee_text("Late payment  charge, May"));
        assert!(!late_fee_text("Regulatory Cost Recovery Fee"));
        assert!(!late_fee_text("Chocolate Fee"));
        assert!(!late_fee_text("Latefee"));
        assert!(!late_fee_text("Late Payment"));
    }
}
