//! The oracle's ledger (docs/recovery.md): claims.csv read plainly, credits
//! matched to claims with plain loops, each claim's state, and which claim
//! covers a dispute line. Written from the contract, not from telaudit's code.
//!
//! Choices as telaudit documents them: a claim with nothing outstanding is not
//! matched by amount; a credit dated after the as-of date is not taken into
//! account (the oracle's as-of is always the latest invoice date, so none is).

use super::{dec, get, read_csv, Charge};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One claims.csv row.
#[derive(Clone, Debug)]
pub struct LedgerClaim {
    pub id: String,
    pub carrier: String,
    pub account: String,
    pub service: String,
    pub finding_key: String,
    pub filed_on: String,
    pub amount: Decimal,
    pub status: String,
}

/// What the ledger came to, as report.json's `recovery` object says it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct OracleRecovery {
    pub claims: u64,
    pub claimed: Decimal,
    pub recovered: Decimal,
    pub outstanding: Decimal,
    pub denied: Decimal,
    pub overdue: u64,
    pub overdue_amount: Decimal,
    pub covered: Decimal,
    pub unclaimed: Decimal,
    pub ambiguous_credits: Decimal,
    pub unmatched_credits: Decimal,
    pub response_days: i64,
    /// carrier -> (claimed, recovered, outstanding)
    pub by_carrier: BTreeMap<String, (Decimal, Decimal, Decimal)>,
    /// claim id -> (status, recovered, outstanding, days open)
    pub states: BTreeMap<String, (String, Decimal, Decimal, i64)>,
    /// `file:line` of every credit -> how it was matched
    pub credits: BTreeMap<String, String>,
}

/// claims.csv (well-formed input only), in file order; `None` without the file.
pub fn read_ledger(dir: &Path) -> Option<Vec<LedgerClaim>> {
    let path = dir.join("claims.csv");
    if !path.exists() {
        return None;
    }
    Some(
        read_csv(&path)
            .into_iter()
            .map(|(_, m)| {
                let status = get(&m, "status").trim().to_lowercase();
                LedgerClaim {
                    id: get(&m, "claim_id").to_string(),
                    carrier: get(&m, "carrier").to_string(),
                    account: get(&m, "account").to_string(),
                    service: get(&m, "service_id").to_string(),
                    finding_key: get(&m, "finding_key").to_string(),
                    filed_on: get(&m, "filed_on").trim().to_string(),
                    amount: dec(get(&m, "amount")),
                    status: if status.is_empty() {
                        "open".to_string()
                    } else {
                        status
                    },
                }
            })
            .collect(),
    )
}

/// The filing date of the claim covering a line of finding `fkey` dated `date`:
/// the earliest filing of a claim (filed by the as-of date) naming the finding,
/// filed on or after the line's date.
pub fn covering(claims: &[LedgerClaim], as_of: &str, fkey: &str, date: &str) -> Option<String> {
    claims
        .iter()
        .filter(|c| c.filed_on.as_str() <= as_of && !c.finding_key.is_empty() && c.finding_key == fkey)
        .filter(|c| date <= c.filed_on.as_str())
        .map(|c| c.filed_on.clone())
        .min()
}

/// Days from `a` to `b` (`YYYY-MM-DD`), counted one day at a time.
fn days_between(a: &str, b: &str) -> i64 {
    if a > b {
        return -days_between(b, a);
    }
    let mut n = 0;
    let mut d = b.to_string();
    while d.as_str() > a {
        d = super::minus_days(&d, 1);
        n += 1;
    }
    n
}

/// Where `id` occurs in `text` as a whole word, ignoring case: the characters
/// around it, where there are any, neither letters nor digits.
fn word_at(text: &str, id: &str) -> Option<usize> {
    let (t, w) = (text.to_lowercase(), id.to_lowercase());
    let tc: Vec<(usize, char)> = t.char_indices().collect();
    for (k, &(at, _)) in tc.iter().enumerate() {
        if !t[at..].starts_with(&w) {
            continue;
        }
        let before_ok = k == 0 || !tc[k - 1].1.is_alphanumeric();
        let after = t[at + w.len()..].chars().next();
        if before_ok && after.is_none_or(|c| !c.is_alphanumeric()) {
            return Some(at);
        }
    }
    None
}

/// Matches the credits to the claims and works out every figure but
/// `covered` and `unclaimed` (the caller has the dispute lines).
pub fn recover(
    claims: &[LedgerClaim],
    rows: &[Charge],
    contract_codes: &BTreeSet<(String, String)>,
    as_of: &str,
    response_days: i64,
) -> OracleRecovery {
    let live: Vec<&LedgerClaim> = claims.iter().filter(|c| c.filed_on.as_str() <= as_of).collect();
    let accounts: BTreeSet<(&str, &str)> = live
        .iter()
        .map(|c| (c.carrier.as_str(), c.account.as_str()))
        .collect();
    let mut credits: Vec<&Charge> = rows
        .iter()
        .filter(|r| {
            (r.ctype == "credit" || r.ctype == "adjustment")
                && r.amount < Decimal::ZERO
                && !contract_codes.contains(&(r.carrier.clone(), r.code.clone()))
                && accounts.contains(&(r.carrier.as_str(), r.account.as_str()))
                && r.idate.as_str() <= as_of
        })
        .collect();
    // Stable: equal credits keep the file and line order.
    credits.sort_by(|a, b| {
        (&a.idate, &a.invoice, &a.service, &a.code, &a.desc)
            .cmp(&(&b.idate, &b.invoice, &b.service, &b.code, &b.desc))
            .then(a.amount.cmp(&b.amount))
    });
    let mut recovered = vec![Decimal::ZERO; live.len()];
    let mut out = OracleRecovery {
        response_days,
        ..OracleRecovery::default()
    };
    for r in credits {
        let mine: Vec<usize> = (0..live.len())
            .filter(|&i| {
                live[i].carrier == r.carrier && live[i].account == r.account && live[i].filed_on <= r.idate
            })
            .collect();
        // By reference: the description first, then the code; the earliest, the
        // longest id, the first claim of the file.
        let mut best: Option<(usize, usize, i64, usize)> = None;
        for &i in &mine {
            let cand = match (word_at(&r.desc, &live[i].id), word_at(&r.code, &live[i].id)) {
                (Some(at), _) => (0, at, -(live[i].id.chars().count() as i64), i),
                (None, Some(at)) => (1, at, -(live[i].id.chars().count() as i64), i),
                (None, None) => continue,
            };
            if best.is_none_or(|b| cand < b) {
                best = Some(cand);
            }
        }
        let how = if let Some((_, _, _, i)) = best {
            recovered[i] -= r.amount;
            "reference"
        } else {
            let want = (-r.amount).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            let fit: Vec<usize> = mine
                .iter()
                .copied()
                .filter(|&i| {
                    let c = live[i];
                    let left = (c.amount - recovered[i]).max(Decimal::ZERO);
                    c.status == "open"
                        && left > Decimal::ZERO
                        && left == want
                        && (c.service.is_empty() || r.service.is_empty() || c.service == r.service)
                })
                .collect();
            match fit.len() {
                0 => {
                    out.unmatched_credits -= r.amount;
                    "unmatched"
                }
                1 => {
                    recovered[fit[0]] -= r.amount;
                    "amount"
                }
                _ => {
                    out.ambiguous_credits -= r.amount;
                    "ambiguous"
                }
            }
        };
        out.credits
            .insert(format!("{}:{}", r.file, r.line), how.to_string());
    }
    for (i, c) in live.iter().enumerate() {
        let days = days_between(&c.filed_on, as_of);
        let got = recovered[i];
        let (status, left) = match c.status.as_str() {
            "denied" | "withdrawn" => (c.status.clone(), Decimal::ZERO),
            _ if got >= c.amount => ("credited".to_string(), Decimal::ZERO),
            _ if got > Decimal::ZERO => ("partial".to_string(), c.amount - got),
            _ if days > response_days => ("overdue".to_string(), c.amount),
            _ => ("open".to_string(), c.amount),
        };
        out.claims += 1;
        out.claimed += c.amount;
        out.recovered += got;
        out.outstanding += left;
        if status == "denied" {
            out.denied += c.amount;
        }
        if status == "overdue" {
            out.overdue += 1;
            out.overdue_amount += left;
        }
        let e = out.by_carrier.entry(c.carrier.clone()).or_default();
        e.0 += c.amount;
        e.1 += got;
        e.2 += left;
        out.states.insert(c.id.clone(), (status, got, left, days));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_and_days() {
        assert_eq!(super::word_at("Credit re VZ-4471.", "vz-4471"), Some(10));
        assert_eq!(super::word_at("ref VZ-44712", "VZ-4471"), None);
        assert_eq!(super::days_between("2025-03-10", "2025-05-05"), 56);
    }
}
