//! claims.csv (docs/recovery.md section 1): the claims the analyst filed with
//! the carriers, read with the same care as inventory.csv.
//!
//! Header names in any order and case, a byte-order mark, quoting, the record
//! cap and NUL bytes are the table reader's ([`read_table`]). A row is refused
//! on its own, naming its line and why: a missing required value, a claim_id
//! that repeats an earlier accepted row's (ignoring case), an amount that is
//! not positive money in whole cents, a date that is not a date, an unknown
//! status, or a finding_key whose carrier or account (its second and third
//! parts) are not the row's own. The other rows still count. Claims filed after
//! the as-of date are kept here: the recovery step leaves them out, since the
//! as-of date is known only once the command line and the bills are read.

use crate::canonical::unguard;
use crate::inventory::{decoded, pos, required, TableOutcome};
use crate::table::{read_table, Column, Fields};
use crate::text::show;
use rustc_hash::FxHashMap;
use telaudit_model::{
    finding_key_parts, Date, DateError, DecimalError, FileId, Interner, LedgerClaim, LedgerStatus, Micros,
    SourceRef,
};

const CLAIM_ID: usize = 0;
const CARRIER: usize = 1;
const ACCOUNT: usize = 2;
const SERVICE: usize = 3;
const FINDING_KEY: usize = 4;
const FILED_ON: usize = 5;
const AMOUNT: usize = 6;
const STATUS: usize = 7;
const NOTE: usize = 8;

const COLUMNS: [Column; 9] = [
    Column {
        name: "claim_id",
        required: true,
    },
    Column {
        name: "carrier",
        required: true,
    },
    Column {
        name: "account",
        required: true,
    },
    Column {
        name: "service_id",
        required: false,
    },
    Column {
        name: "finding_key",
        required: false,
    },
    Column {
        name: "filed_on",
        required: true,
    },
    Column {
        name: "amount",
        required: true,
    },
    Column {
        name: "status",
        required: false,
    },
    Column {
        name: "note",
        required: false,
    },
];

/// Reads claims.csv into the claims it accepts, in file order; carrier,
/// account and service are interned into `strings`, so they compare with the
/// bills' symbols.
pub fn read_claims(
    bytes: &[u8],
    file: FileId,
    path: &str,
    strings: &mut Interner,
) -> TableOutcome<LedgerClaim> {
    let mut out = TableOutcome::default();
    let text = decoded(bytes, path, &mut out);
    // claim_id in lower case -> the line of the accepted row that has it.
    let mut seen: FxHashMap<String, u64> = FxHashMap::default();
    let TableOutcome {
        records, rejected, ..
    } = &mut out;
    read_table(&text, path, &COLUMNS, 0, rejected, |f, line| {
        let claim = claim_line(f, line, file, strings)?;
        let folded = claim.claim_id.to_lowercase();
        if let Some(first) = seen.get(&folded) {
            return Err(format!(
                "claim_id {} repeats the claim on line {first} (claim ids are compared ignoring case); \
                 keep one line per claim",
                show(&claim.claim_id)
            ));
        }
        seen.insert(folded, line);
        records.push(claim);
        Ok(())
    });
    out
}

/// One claims.csv row (Err: why it is refused).
fn claim_line(f: &Fields, line: u64, file: FileId, strings: &mut Interner) -> Result<LedgerClaim, String> {
    let text = |c: usize| unguard(f.get(c));
    let claim_id = unguard(required(f, CLAIM_ID, "claim_id")?);
    let carrier = unguard(required(f, CARRIER, "carrier")?);
    let account = unguard(required(f, ACCOUNT, "account")?);
    let filed_on = match Date::parse(f.get(FILED_ON)) {
        Ok(d) => d,
        Err(DateError::Empty) => return Err("filed_on is empty (required)".to_string()),
        Err(e) => return Err(format!("bad filed_on {}: {e}", show(f.get(FILED_ON)))),
    };
    let amount = claim_amount(f.get(AMOUNT))?;
    let status = LedgerStatus::parse(f.get(STATUS)).ok_or_else(|| {
        format!(
            "unknown status {}: expected open, denied or withdrawn (empty means open)",
            show(f.get(STATUS))
        )
    })?;
    let finding_key = text(FINDING_KEY);
    if !finding_key.is_empty() {
        check_key(finding_key, carrier, account)?;
    }
    Ok(LedgerClaim {
        claim_id: claim_id.to_string(),
        carrier: strings.intern(carrier),
        account: strings.intern(account),
        service: strings.intern(text(SERVICE)),
        finding_key: finding_key.to_string(),
        filed_on,
        amount,
        status,
        note: text(NOTE).to_string(),
        source: SourceRef { file, pos: pos(line) },
    })
}

/// The money claimed: a plain decimal above 0 in whole cents (`125.4`,
/// `125.40` and `125.400` alike; `125.405` is refused).
fn claim_amount(a: &str) -> Result<Micros, String> {
    let hint = "write the money claimed as a positive amount with at most two decimals, e.g. 125.40";
    let m = match Micros::parse(a) {
        Ok(m) => m,
        Err(DecimalError::Empty) => return Err("amount is empty (required)".to_string()),
        Err(e) => return Err(format!("bad amount {}: {e}; {hint}", show(a))),
    };
    if m.0 <= 0 {
        return Err(format!("amount {} is not above 0; {hint}", show(a)));
    }
    if m.0 % 10_000 != 0 {
        return Err(format!("amount {} has fractions of a cent; {hint}", show(a)));
    }
    Ok(m)
}

/// A finding key must name the row's own carrier and account (its second and
/// third parts): a key copied from another account's finding would cover, and
/// leave out of the letters, lines the claim is not about.
fn check_key(key: &str, carrier: &str, account: &str) -> Result<(), String> {
    let parts = finding_key_parts(key);
    if parts.len() < 4 || parts[0].is_empty() {
        return Err(format!(
            "finding_key {} is not a telaudit finding key (rule|carrier|account|service...); copy it \
             from findings.csv, or leave it empty for a claim telaudit did not find",
            show(key)
        ));
    }
    if parts[1] != carrier || parts[2] != account {
        return Err(format!(
            "finding_key {} is about carrier {} account {}, not this row's carrier {} account {}; \
             copy the finding_key of this account's finding from findings.csv",
            show(key),
            show(&parts[1]),
            show(&parts[2]),
            show(carrier),
            show(account)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use telaudit_model::Position;

    const HEADER: &str = "claim_id,carrier,account,service_id,finding_key,filed_on,amount,status,note\n";

    fn read(text: &str) -> (Interner, TableOutcome<LedgerClaim>) {
        let mut strings = Interner::default();
        let t = read_claims(text.as_bytes(), FileId(3), "claims.csv", &mut strings);
        (strings, t)
    }

    fn reasons(t: &TableOutcome<LedgerClaim>) -> Vec<(Position, &str)> {
        t.rejected
            .iter()
            .map(|r| (r.position, r.reason.as_str()))
            .collect()
    }

    #[test]
    fn reads_every_column_in_any_order_and_case() {
        let (strings, t) = read(
            "\u{feff}NOTE,Amount,Filed_On,Status,Claim_ID,Carrier,Account,Service_ID,Finding_Key\n\
             \"re: March, April\",125.4,2025-06-10,DENIED,VZ-4471,Verizon Wireless,0012345678,201-555-0101,\
             DIS001|Verizon Wireless|0012345678|201-555-0101\n\
             ,80,2025-07-01,,ACME-7,Lumen,0040012345,,\n",
        );
        assert!(t.rejected.is_empty(), "{:?}", t.rejected);
        assert_eq!(t.records.len(), 2);
        let c = &t.records[0];
        assert_eq!(c.claim_id, "VZ-4471");
        assert_eq!(strings.get(c.carrier), "Verizon Wireless");
        assert_eq!(strings.get(c.account), "0012345678");
        assert_eq!(strings.get(c.service), "201-555-0101");
        assert_eq!(c.finding_key, "DIS001|Verizon Wireless|0012345678|201-555-0101");
        assert_eq!(c.filed_on, Date::parse("2025-06-10").unwrap());
        assert_eq!(c.amount, Micros(125_400_000));
        assert_eq!(c.status, LedgerStatus::Denied);
        assert_eq!(c.note, "re: March, April");
        assert_eq!(
            c.source,
            SourceRef {
                file: FileId(3),
                pos: 2
            }
        );
        let d = &t.records[1];
        assert_eq!(
            (d.status, d.service.is_empty(), d.finding_key.as_str()),
            (LedgerStatus::Open, true, "")
        );
        assert_eq!(d.source.pos, 3);
    }

    #[test]
    fn each_bad_row_is_refused_on_its_own_naming_its_line() {
        let (_, t) = read(&format!(
            "{HEADER}\
             A-1,Verizon,01,,,2025-06-10,10.00,,\n\
             a-1,Verizon,01,,,2025-06-11,12.00,,same id in another case\n\
             A-2,Verizon,01,,,2025-06-10,0,,\n\
             A-3,Verizon,01,,,2025-06-10,-5.00,,\n\
             A-4,Verizon,01,,,2025-06-10,1.005,,\n\
             A-5,Verizon,01,,,2025-06-31,5.00,,\n\
             A-6,Verizon,01,,,2025-06-10,5.00,paid,\n\
             A-7,,01,,,2025-06-10,5.00,,\n\
             A-8,Verizon,01,,DIS001|Verizon|02|S1,2025-06-10,5.00,,\n\
             A-9,Verizon,01,,DIS001,2025-06-10,5.00,,\n\
             A-10,Verizon,01,,,2025-06-10,1e3,,\n\
             A-11,Verizon,01,,,2025-06-10,125.400,withdrawn,\n"
        ));
        let r = reasons(&t);
        assert_eq!(r.len(), 10, "{r:?}");
        let line = |n: u64| {
            r.iter()
                .find(|x| x.0 == Position::Line(n))
                .map(|x| x.1)
                .unwrap_or("")
        };
        assert!(
            line(3).starts_with("claim_id \"a-1\" repeats the claim on line 2"),
            "{}",
            line(3)
        );
        assert!(line(4).starts_with("amount \"0\" is not above 0"), "{}", line(4));
        assert!(
            line(5).starts_with("amount \"-5.00\" is not above 0"),
            "{}",
            line(5)
        );
        assert!(
            line(6).starts_with("amount \"1.005\" has fractions of a cent"),
            "{}",
            line(6)
        );
        assert!(
            line(7).starts_with("bad filed_on \"2025-06-31\": no such calendar day"),
            "{}",
            line(7)
        );
        assert!(line(8).starts_with("unknown status \"paid\""), "{}", line(8));
        assert_eq!(line(9), "carrier is empty (required)");
        assert!(
            line(10).starts_with(
                "finding_key \"DIS001|Verizon|02|S1\" is about carrier \"Verizon\" account \"02\""
            ),
            "{}",
            line(10)
        );
        assert!(line(11).contains("is not a telaudit finding key"), "{}", line(11));
        assert!(line(12).starts_with("bad amount \"1e3\""), "{}", line(12));
        // The good rows still count: line 2, and 13 (125.400 is whole cents).
        let ids: Vec<&str> = t.records.iter().map(|c| c.claim_id.as_str()).collect();
        assert_eq!(ids, ["A-1", "A-11"]);
        assert!(t.rejected.iter().all(|r| r.rows == 0 && r.file == "claims.csv"));
    }

    #[test]
    fn a_refused_row_does_not_take_its_claim_id() {
        // Line 2 is refused (bad date): line 3 with the same id is the first accepted one.
        let (_, t) = read(&format!(
            "{HEADER}X-1,Verizon,01,,,2025-13-01,5.00,,\nx-1,Verizon,01,,,2025-06-01,5.00,,\nX-1,Verizon,01,,,2025-06-02,5.00,,\n"
        ));
        let r = reasons(&t);
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(r[1].0, Position::Line(4));
        assert!(r[1].1.contains("repeats the claim on line 3"), "{}", r[1].1);
        assert_eq!(t.records.len(), 1);
        assert_eq!(t.records[0].claim_id, "x-1");
    }

    #[test]
    fn guards_are_removed_and_a_missing_column_refuses_the_file() {
        // A row copied from disputes/new-claims.csv, which guards formula-like text.
        let (strings, t) = read(&format!(
            "{HEADER}'=HYPERLINK(1),Verizon,01,,,2025-06-10,5.00,,'-call back\n"
        ));
        assert!(t.rejected.is_empty(), "{:?}", t.rejected);
        assert_eq!(t.records[0].claim_id, "=HYPERLINK(1)");
        assert_eq!(t.records[0].note, "-call back");
        assert_eq!(strings.get(t.records[0].carrier), "Verizon");
        let (_, t) = read("claim_id,carrier,account,filed_on\nA,B,C,2025-01-01\n");
        assert_eq!(t.rejected.len(), 1);
        assert_eq!(t.rejected[0].position, Position::File);
        assert!(
            t.rejected[0].reason.contains("missing required column amount"),
            "{}",
            t.rejected[0].reason
        );
        assert!(t.records.is_empty());
    }
}
