//! Contract, inventory and ledger lines that match no bill: warned about, never
//! matched silently (issue 15; claims.csv since issue 23).
//!
//! A contract or inventory line names a carrier, maybe an account and maybe a
//! service; the rules match it to bill rows by exact text. A line whose account
//! appears on no bill of its carrier (often an account number that lost its
//! leading zeros in a spreadsheet, or was typed with separators) matches nothing,
//! and the findings it would have made vanish. Each such line gets a warning that
//! names the closest billed account: the same number once separators (`-`, `/`,
//! `.`, spaces ...) and leading zeros are set aside.
//!
//! A line whose account is billed (or that names none) but whose service appears
//! on no bill of it is warned about too, unless the inventory says the service is
//! disconnected and no billed service looks like it: a disconnected service
//! that is not billed is what the client wants.
//!
//! A claims.csv row is checked for its carrier and account only
//! (docs/recovery.md): a claim on an account no bill shows can never be
//! credited, most often because its number lost its leading zeros.

use rustc_hash::{FxHashMap, FxHashSet};
use telaudit_model::{Dump, Position, ServiceStatus, SourceRef, Sym, Warning};

/// The warnings of every contract, inventory and ledger line that matches no bill.
pub fn unmatched_warnings(dump: &Dump) -> Vec<Warning> {
    let ledger = dump.ledger.as_deref().unwrap_or_default();
    if dump.contracts.is_empty() && dump.inventory.is_empty() && ledger.is_empty() {
        return Vec::new();
    }
    let billed = Billed::of(dump);
    let mut out = Vec::new();
    for c in &dump.contracts {
        let kind = match c.kind {
            telaudit_model::ContractKind::Rate => "rate",
            telaudit_model::ContractKind::Credit => "credit",
        };
        let what = format!("contract line ({kind} {})", dump.s(c.charge_code));
        if let Some(w) = billed.check(dump, &what, c.carrier, c.account, c.service, true, c.source) {
            out.push(w);
        }
    }
    for i in &dump.inventory {
        let quiet = i.status == ServiceStatus::Disconnected;
        if let Some(w) = billed.check(
            dump,
            "inventory line",
            i.carrier,
            i.account,
            i.service,
            !quiet,
            i.source,
        ) {
            out.push(w);
        }
    }
    for c in ledger {
        let what = format!("claims.csv line (claim {})", c.claim_id);
        if let Some(w) = billed.check(dump, &what, c.carrier, c.account, Sym::EMPTY, false, c.source) {
            out.push(w);
        }
    }
    out
}

/// What the bills name: carriers, accounts and services, and the accounts and
/// services of each carrier by their [`key`].
struct Billed {
    carriers: FxHashSet<Sym>,
    accounts: FxHashSet<(Sym, Sym)>,
    /// (carrier, account, service); account EMPTY: the service under any account.
    services: FxHashSet<(Sym, Sym, Sym)>,
    account_keys: FxHashMap<(Sym, String), Vec<Sym>>,
    service_keys: FxHashMap<(Sym, String), Vec<Sym>>,
}

impl Billed {
    fn of(dump: &Dump) -> Billed {
        let mut b = Billed {
            carriers: FxHashSet::default(),
            accounts: FxHashSet::default(),
            services: FxHashSet::default(),
            account_keys: FxHashMap::default(),
            service_keys: FxHashMap::default(),
        };
        let mut last = None;
        for r in &dump.rows {
            let k = (r.carrier, r.account, r.service);
            if last == Some(k) {
                continue;
            }
            last = Some(k);
            b.carriers.insert(r.carrier);
            if b.accounts.insert((r.carrier, r.account)) {
                push_unique(
                    b.account_keys
                        .entry((r.carrier, key(dump.s(r.account))))
                        .or_default(),
                    r.account,
                );
            }
            if b.services.insert(k) {
                b.services.insert((r.carrier, Sym::EMPTY, r.service));
                push_unique(
                    b.service_keys
                        .entry((r.carrier, key(dump.s(r.service))))
                        .or_default(),
                    r.service,
                );
            }
        }
        b
    }

    /// The warning for one line, if it matches no bill. `loud`: warn about an
    /// unbilled service even when no billed service looks like it.
    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        dump: &Dump,
        what: &str,
        carrier: Sym,
        account: Sym,
        service: Sym,
        loud: bool,
        at: SourceRef,
    ) -> Option<Warning> {
        let warn = |message: String| Warning {
            file: dump.file(at.file).path.clone(),
            position: Position::Line(u64::from(at.pos)),
            message,
        };
        let carrier_text = dump.s(carrier);
        if !self.carriers.contains(&carrier) {
            return Some(warn(format!(
                "{what}: carrier {carrier_text:?} appears on no bill, so the line matches nothing; \
                 write the carrier's name exactly as the bills do"
            )));
        }
        if !account.is_empty() && !self.accounts.contains(&(carrier, account)) {
            let text = dump.s(account);
            let hint = closest(dump, &self.account_keys, carrier, text, "account");
            return Some(warn(format!(
                "{what}: account {text} of {carrier_text} appears on no bill, so the line matches \
                 nothing{hint}"
            )));
        }
        if !service.is_empty() && !self.services.contains(&(carrier, account, service)) {
            let text = dump.s(service);
            let hint = closest(dump, &self.service_keys, carrier, text, "service");
            if hint.is_empty() && !loud {
                return None;
            }
            let under = if account.is_empty() {
                String::new()
            } else {
                format!(" of account {}", dump.s(account))
            };
            return Some(warn(format!(
                "{what}: service {text}{under} appears on no bill of {carrier_text}, so the line \
                 matches nothing{hint}"
            )));
        }
        None
    }
}

fn push_unique(v: &mut Vec<Sym>, s: Sym) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// What two spellings of one number share: its letters and digits, upper case,
/// without separators and without leading zeros.
fn key(s: &str) -> String {
    let k: String = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    k.trim_start_matches('0').to_string()
}

/// `; the bills have 0012345678 (the same digits with leading zeros)`, or
/// nothing when no billed name of that carrier has the same [`key`].
fn closest(
    dump: &Dump,
    keys: &FxHashMap<(Sym, String), Vec<Sym>>,
    carrier: Sym,
    text: &str,
    kind: &str,
) -> String {
    let k = key(text);
    if k.is_empty() {
        return String::new();
    }
    let Some(found) = keys.get(&(carrier, k)) else {
        return String::new();
    };
    let mut names: Vec<&str> = found.iter().map(|&s| dump.s(s)).filter(|n| *n != text).collect();
    names.sort_unstable();
    let Some(best) = names.first() else {
        return String::new();
    };
    format!(
        "; the bills have {kind} {best} ({}): correct the line if it means that one",
        how(text, best)
    )
}

/// How `billed` differs from `written`, in words.
fn how(written: &str, billed: &str) -> &'static str {
    let bare = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).collect() };
    let (w, b) = (bare(written), bare(billed));
    if w == b {
        "the same number without separators"
    } else if w.trim_start_matches('0') == b.trim_start_matches('0') {
        if b.len() > w.len() {
            "the same digits with leading zeros"
        } else {
            "the same digits without leading zeros"
        }
    } else {
        "the same number written differently"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_set_separators_case_and_leading_zeros_aside() {
        assert_eq!(key("0012345678"), "12345678");
        assert_eq!(key("12-345 678"), "12345678");
        assert_eq!(key("5-kx8812"), "5KX8812");
        assert_eq!(key("000"), "");
        assert_eq!(
            how("12345678", "0012345678"),
            "the same digits with leading zeros"
        );
        assert_eq!(
            how("0012345678", "12345678"),
            "the same digits without leading zeros"
        );
        assert_eq!(
            how("0012-345-678", "0012345678"),
            "the same number without separators"
        );
        assert_eq!(
            how("12-345-678", "0012345678"),
            "the same digits with leading zeros"
        );
    }
}
