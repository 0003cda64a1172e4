//! The client's ledger of filed claims: `claims.csv` (docs/recovery.md).
//!
//! An audit finds money; the analyst files claims with the carriers; the
//! carriers put credits on later bills. The ledger is what the analyst filed,
//! one [`LedgerClaim`] per row, read by `telaudit-parse` and matched to the
//! bills' credits by `telaudit-recovery`.

use crate::{Date, Micros, SourceRef, Sym};

/// The `status` column of claims.csv: what the analyst knows of a claim.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LedgerStatus {
    /// `open` (the default): filed and not settled. Whether it is credited,
    /// partly credited or overdue telaudit works out from the bills.
    Open,
    /// `denied`: the carrier refused it.
    Denied,
    /// `withdrawn`: the analyst dropped it.
    Withdrawn,
}

impl LedgerStatus {
    /// The word claims.csv uses: `open`, `denied` or `withdrawn`.
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerStatus::Open => "open",
            LedgerStatus::Denied => "denied",
            LedgerStatus::Withdrawn => "withdrawn",
        }
    }

    /// The status a claims.csv cell spells, in any case, surrounding spaces
    /// ignored; an empty cell is `open`. `None` for an unknown word.
    pub fn parse(s: &str) -> Option<LedgerStatus> {
        let s = s.trim();
        if s.is_empty() {
            return Some(LedgerStatus::Open);
        }
        [LedgerStatus::Open, LedgerStatus::Denied, LedgerStatus::Withdrawn]
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

/// One accepted row of claims.csv: a claim the analyst filed with a carrier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerClaim {
    /// The claim's reference as written (the carrier's ticket or the analyst's
    /// own); unique in the file ignoring case.
    pub claim_id: String,
    /// The carrier, as billed.
    pub carrier: Sym,
    /// The account, as billed.
    pub account: Sym,
    /// The service the claim is about; [`Sym::EMPTY`] for the whole account.
    pub service: Sym,
    /// The telaudit finding the claim disputes (findings.csv's `finding_key`);
    /// empty for a claim telaudit did not find.
    pub finding_key: String,
    /// The day the claim reached the carrier.
    pub filed_on: Date,
    /// The money claimed: positive, whole cents.
    pub amount: Micros,
    /// Open, denied or withdrawn, as the analyst wrote it.
    pub status: LedgerStatus,
    /// Free text, carried into the outputs.
    pub note: String,
    /// The claims.csv line it was read from.
    pub source: SourceRef,
}

#[cfg(test)]
mod tests {
    use super::LedgerStatus;

    #[test]
    fn status_reads_any_case_and_defaults_to_open() {
        assert_eq!(LedgerStatus::parse(""), Some(LedgerStatus::Open));
        assert_eq!(LedgerStatus::parse(" DENIED "), Some(LedgerStatus::Denied));
        assert_eq!(LedgerStatus::parse("Withdrawn"), Some(LedgerStatus::Withdrawn));
        assert_eq!(LedgerStatus::parse("paid"), None);
        assert_eq!(LedgerStatus::Withdrawn.as_str(), "withdrawn");
    }
}
