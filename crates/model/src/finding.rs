//! What rules produce: findings, each with its evidence and its claims on money.

use crate::{Date, RowId, SourceRef, Sym};
use rust_decimal::Decimal;

/// What a claim is on. Totals take, per key, the largest claim once, so two
/// rules claiming the same row never count its dollars twice.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClaimKey {
    /// A charge row.
    Row(RowId),
    /// A credit the carrier owed and did not give: it has no row of its own, so
    /// it is a claim on its (carrier, account, service, period, code).
    MissingCredit {
        /// The carrier that owes it.
        carrier: Sym,
        /// The account it is owed on.
        account: Sym,
        /// The service that earns it; empty for an account-level credit.
        service: Sym,
        /// The period (its start) in which it was owed.
        period: Date,
        /// The contract's charge code.
        code: Sym,
    },
}

/// Money a finding asks for, on one key. Values are exact, never rounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// What the money is claimed on.
    pub key: ClaimKey,
    /// Already overbilled; a dispute can claim it back.
    pub recoverable: Decimal,
    /// What stops being billed each month once the cause is fixed.
    pub monthly: Decimal,
    /// Recoverable money found too late to claim: the carrier's dispute window
    /// (formats.md section 9) closed before the as-of date. A claim that expired
    /// has its recoverable moved here (and `recoverable` is 0).
    pub expired: Decimal,
}

/// One thing an analyst would dispute or cancel: per service (or account), rule and cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule id, e.g. `DUP001`.
    pub rule: String,
    /// The carrier of the rows it rests on.
    pub carrier: Sym,
    /// The account of the rows it rests on.
    pub account: Sym,
    /// `Sym::EMPTY` for an account-level finding.
    pub service: Sym,
    /// The distinct invoices of the rows it rests on.
    pub invoices: Vec<Sym>,
    /// The first and last period_start it covers.
    pub first_period: Date,
    /// The last period_start it covers.
    pub last_period: Date,
    /// Plain words for the analyst, e.g.
    /// `State Sales Tax billed to a tax-exempt client, 12 periods`.
    pub description: String,
    /// Sum of the claims' recoverable values.
    pub recoverable: Decimal,
    /// Sum of the claims' monthly values.
    pub monthly: Decimal,
    /// Sum of the claims' expired values (found too late to claim).
    pub expired: Decimal,
    /// The last day its dispute window allows: the soonest, over its claims with
    /// recoverable money still claimable, of the claim's invoice date plus its
    /// carrier's window (formats.md section 9). `None` without windows or
    /// without such a claim.
    pub claim_by: Option<Date>,
    /// Every bill row it rests on (sorted, distinct).
    pub evidence: Vec<SourceRef>,
    /// The contract or inventory record it rests on, if any.
    pub basis: Vec<SourceRef>,
    /// The money asked for, key by key; the report totals them without counting a key twice.
    pub claims: Vec<Claim>,
    /// For a finding that recommends ordering a change from the carrier (a smaller
    /// plan or tier, or a cancellation): what to change; `None` for billing errors.
    pub change: Option<Change>,
    /// The stable finding key (see [`finding_key`]): what the finding is about, the
    /// same from run to run while the cause stays, never a file name, a line
    /// number or an amount. findings.csv writes it; the batch history keys on it.
    pub key: String,
}

/// A change to order from a carrier for one service (`changes/<carrier>.csv`):
/// enforce a disconnect, cancel, suspend, or move to a smaller plan or tier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// What to order; a service with several findings gets the first action of
    /// [`Action::ALL`] among them.
    pub action: Action,
    /// The current plan or tier (its code, and its name when the catalogue gives
    /// one), or the codes of the service's recurring charges.
    pub from: String,
    /// The recommended plan or tier, or the action's name (`disconnect`,
    /// `cancel`, `suspend`).
    pub to: String,
    /// For a finding about a pool of services (POL001, optimization.md section
    /// 3b): the pool's name and each service's own current plan; `None` for a
    /// finding about one service.
    pub pool: Option<PoolChange>,
}

/// The services of a pool's change: one `changes/` line each, shown under the
/// pool in the reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolChange {
    /// How the reports name the pool, e.g. `pool of 6 services (GB)`.
    pub name: String,
    /// Each service of the pool and its current plan (its line's `from`), in
    /// the order of its plan row (path, then line).
    pub from: Vec<(Sym, String)>,
}

/// The action a service's change orders, in the order of precedence: a service
/// billed after its disconnect date is disconnected whatever else is found on
/// it, an untracked one is confirmed and cancelled before an idle one is
/// suspended, and only a service that stays gets a smaller plan.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// `disconnect`: billed after its disconnect date; dispute the charges and
    /// make the carrier enforce the disconnect (DIS001).
    Disconnect,
    /// `cancel`: billed but in no inventory; confirm with its owner, then cancel
    /// (ZOM001).
    Cancel,
    /// `suspend`: idle; suspend it (or cancel it) (UNU001).
    Suspend,
    /// `downgrade`: move to the smaller plan, pool plan or tier named in `to`
    /// (PLN001, POL001, CIR001).
    Downgrade,
}

impl Action {
    /// Every action, in the order of precedence.
    pub const ALL: [Action; 4] = [
        Action::Disconnect,
        Action::Cancel,
        Action::Suspend,
        Action::Downgrade,
    ];

    /// The word changes/ and the reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Disconnect => "disconnect",
            Action::Cancel => "cancel",
            Action::Suspend => "suspend",
            Action::Downgrade => "downgrade",
        }
    }
}

/// The stable key of a finding from its parts: the rule id, carrier, account,
/// service_id, then the rule kind's own grouping (each kind documents its parts).
/// The parts are joined by `|`; a `\` or `|` inside a part is written `\\` or
/// `\|`, so two different part lists never give the same key.
///
/// ```
/// assert_eq!(telaudit_model::finding_key(&["DUP001", "AT&T", "1|2", ""]), "DUP001|AT&T|1\\|2|");
/// ```
pub fn finding_key(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        // Most parts need no escape: copied whole.
        if !p.bytes().any(|b| b == b'|' || b == b'\\') {
            out.push_str(p);
            continue;
        }
        for c in p.chars() {
            if c == '|' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// The parts of a finding key ([`finding_key`]'s inverse): split at every `|`
/// that no `\` escapes, with the escapes removed.
///
/// ```
/// use telaudit_model::{finding_key, finding_key_parts};
/// assert_eq!(finding_key_parts("DUP001|AT&T|1\\|2|"), ["DUP001", "AT&T", "1|2", ""]);
/// let parts = ["RAT001", "a\\b", "x|y"];
/// assert_eq!(finding_key_parts(&finding_key(&parts)), parts);
/// ```
pub fn finding_key_parts(key: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = key.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(last)) = (chars.next(), parts.last_mut()) {
                    last.push(next);
                }
            }
            '|' => parts.push(String::new()),
            c => {
                if let Some(last) = parts.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    parts
}

/// A rule's identity as the outputs show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// e.g. `DUP001`.
    pub id: String,
    /// e.g. `Duplicate charge`.
    pub title: String,
    /// How much a finding of the rule matters.
    pub severity: Severity,
    /// What the dispute files ask the carrier for on its claims.
    pub request: Request,
}

/// What a rule's dispute lines ask the carrier for (a rule file's `request`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Request {
    /// `dispute` (the default): the charge was billed in error; credit it.
    #[default]
    Dispute,
    /// `waiver`: the charge was billed as agreed (a late fee); please waive it.
    Waiver,
}

impl Request {
    /// The word a rule file uses: `dispute` or `waiver`.
    pub fn as_str(self) -> &'static str {
        match self {
            Request::Dispute => "dispute",
            Request::Waiver => "waiver",
        }
    }

    /// The request a rule file spells `s`, if any (exact, lower case).
    pub fn parse(s: &str) -> Option<Request> {
        [Request::Dispute, Request::Waiver]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// How much a rule's findings matter, as a rule file gives it (`severity = "high"`)
/// and the reports write it. An enum, not a text, so that no report has to check
/// the spelling again once the rule file was read.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// `high`: money that is clearly owed back or clearly wasted.
    High,
    /// `medium`: likely waste that needs a look before a dispute.
    Medium,
    /// `low`: small or uncertain amounts.
    Low,
}

impl Severity {
    /// Every severity, from the highest.
    pub const ALL: [Severity; 3] = [Severity::High, Severity::Medium, Severity::Low];

    /// The word rule files and reports use: `high`, `medium` or `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    /// The severity a rule file spells `s`, if any (exact, lower case).
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one rule found in one dump. A rule that found nothing still has a result,
/// so `by_rule` can list every rule that ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleResult {
    /// The rule that ran.
    pub rule: RuleInfo,
    /// Its findings, in carrier, account, service, description, period order.
    pub findings: Vec<Finding>,
}

#[cfg(test)]
mod tests {
    use super::Severity;

    #[test]
    fn severity_reads_and_writes_the_rule_file_words() {
        assert_eq!(Severity::parse("medium"), Some(Severity::Medium));
        assert_eq!(Severity::parse("High"), None);
        assert_eq!(Severity::Low.to_string(), "low");
        let words: Vec<&str> = Severity::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(words, ["high", "medium", "low"]);
    }
}
