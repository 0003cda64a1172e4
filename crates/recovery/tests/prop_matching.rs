//! Property tests of the matching on generated ledgers and credits
//! (docs/recovery.md sections 2 to 4):
//!
//! - every credit is in exactly one of reference, amount, ambiguous and
//!   unmatched, and every row that may pay a claim of its account is listed;
//! - the credits matched by reference or amount add up to `recovered`;
//! - no credit pays two claims;
//! - reordering the bill rows (files merged in another order, or renamed)
//!   changes nothing.

use proptest::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashSet;
use telaudit_model::{
    ChargeType, Contract, ContractKind, Date, Dump, FileId, LedgerClaim, LedgerStatus, Micros, Row,
    SourceFile, SourceKind, SourceRef, Sym,
};
use telaudit_recovery::{is_credit, match_credits, Matched};

/// A fixed seed, so a failure reproduces; `PROPTEST_RNG_SEED=<n>` explores others.
fn config() -> proptest::test_runner::Config {
    let default = proptest::test_runner::Config::default();
    let rng_seed = match default.rng_seed {
        proptest::test_runner::RngSeed::Random => proptest::test_runner::RngSeed::Fixed(20_261_201),
        chosen => chosen,
    };
    proptest::test_runner::Config {
        cases: 400,
        rng_seed,
        ..default
    }
}

/// A generated claim: (id number, account 0/1, service 0..3, filed day, amount index, status 0..5).
type ClaimSpec = (u32, usize, usize, u32, usize, usize);
/// A generated row: (account 0..3, service, day, type 0..4, amount index, text 0..6, names claim k, code 0..3).
type RowSpec = (usize, usize, u32, usize, usize, usize, usize, usize);

const AMOUNTS: [i64; 6] = [1000, 2000, 3550, 1000, -500, 0];
const ACCOUNTS: [&str; 3] = ["0042", "0099", "7"];
const SERVICES: [&str; 3] = ["", "S1", "S2"];

fn date(day: u32) -> Date {
    Date::from_ymd(2025, 1 + day / 28, 1 + day % 28).unwrap_or_else(|| Date::from_ymd(2025, 12, 28).unwrap())
}

/// Ids whose prefixes are other ids (`Q-1` and `Q-12`) test the whole-word rule.
fn claim_id(n: u32) -> String {
    format!("Q-{n}")
}

/// A dump of one carrier with the claims and rows given; `order` permutes the
/// rows (as merging the files in another order would) and `files` spreads them
/// over that many files.
fn build(claims: &[ClaimSpec], rows: &[RowSpec], order: &[usize], files: usize) -> Dump {
    let mut dump = Dump::default();
    let carrier = dump.strings.intern("Verizon");
    let loyal = dump.strings.intern("LOYAL");
    for f in 0..files {
        dump.files.push(SourceFile {
            path: format!("invoices/f{f}.csv"),
            kind: SourceKind::CanonicalCsv,
        });
    }
    let ledger_file = FileId(files as u32);
    dump.files.push(SourceFile {
        path: "claims.csv".into(),
        kind: SourceKind::Claims,
    });
    dump.contracts.push(Contract {
        kind: ContractKind::Credit,
        carrier,
        account: Sym::EMPTY,
        service: Sym::EMPTY,
        charge_code: loyal,
        amount: Micros(10_000_000),
        effective_from: None,
        effective_to: None,
        source: SourceRef::default(),
    });
    let mut seen = FxHashSet::default();
    let mut ledger = Vec::new();
    for (line, &(n, acc, svc, day, amt, st)) in claims.iter().enumerate() {
        if !seen.insert(n) {
            continue; // claims.csv refuses a repeated id
        }
        let amount = AMOUNTS[amt % 3].max(100);
        ledger.push(LedgerClaim {
            claim_id: claim_id(n),
            carrier,
            account: dump.strings.intern(ACCOUNTS[acc]),
            service: dump.strings.intern(SERVICES[svc]),
            finding_key: String::new(),
            filed_on: date(day),
            amount: Micros(amount * 10_000),
            status: [
                LedgerStatus::Open,
                LedgerStatus::Open,
                LedgerStatus::Open,
                LedgerStatus::Denied,
                LedgerStatus::Withdrawn,
            ][st],
            note: String::new(),
            source: SourceRef {
                file: ledger_file,
                pos: line as u32 + 2,
            },
        });
    }
    let ids: Vec<String> = ledger.iter().map(|c| c.claim_id.clone()).collect();
    for &i in order {
        let (acc, svc, day, ty, amt, text, k, code) = rows[i];
        let named = ids.get(k % ids.len().max(1)).cloned().unwrap_or_default();
        let description = match text {
            0 => format!("Credit re {named}."),
            1 => format!("ref {named}2"),
            2 => format!("adj {}", named.to_lowercase()),
            3 => "Goodwill credit".to_string(),
            4 => format!("{named}/{named}"),
            _ => "Billing adjustment".to_string(),
        };
        let charge_code = match code {
            0 => "ADJ".to_string(),
            1 => "LOYAL".to_string(),
            _ => named.clone(),
        };
        let cents = -AMOUNTS[amt];
        dump.rows.push(Row {
            carrier,
            account: dump.strings.intern(ACCOUNTS[acc]),
            invoice: dump.strings.intern(&format!("INV-{}", day / 28)),
            service: dump.strings.intern(SERVICES[svc]),
            charge_code: dump.strings.intern(&charge_code),
            description: dump.strings.intern(&description),
            usage_unit: Sym::EMPTY,
            invoice_date: date(day),
            period_start: date(day / 28 * 28),
            period_end: date(day / 28 * 28 + 27),
            charge_type: [
                ChargeType::Credit,
                ChargeType::Adjustment,
                ChargeType::Fee,
                ChargeType::Credit,
            ][ty],
            quantity: Micros::ONE,
            unit_rate: None,
            amount: Micros(cents * 10_000),
            usage_quantity: None,
            source: SourceRef {
                file: FileId((i % files) as u32),
                pos: i as u32 + 2,
            },
        });
    }
    dump.ledger = Some(ledger);
    dump
}

/// What the matching says, by the rows' values rather than their positions:
/// per claim (id, recovered, outstanding, status, days), and per credit its
/// values and how it was matched to which claims, sorted.
type Canonical = (
    Vec<(String, Decimal, Decimal, &'static str, i64)>,
    Vec<(String, &'static str, String)>,
);

fn canonical(dump: &Dump) -> Canonical {
    let (states, credits) = match_credits(dump);
    let ledger = dump.ledger.as_deref().unwrap_or_default();
    let claims = states
        .iter()
        .map(|s| {
            let c = &ledger[s.ledger];
            (
                c.claim_id.clone(),
                s.recovered,
                s.outstanding,
                s.status.as_str(),
                s.days_open,
            )
        })
        .collect();
    let mut out: Vec<(String, &'static str, String)> = credits
        .iter()
        .map(|c| {
            let r = &dump.rows[c.row as usize];
            let what = format!(
                "{} {} {} {} {} {} {}",
                r.invoice_date,
                dump.s(r.account),
                dump.s(r.invoice),
                dump.s(r.service),
                dump.s(r.charge_code),
                dump.s(r.description),
                r.amount.0
            );
            let ids: Vec<&str> = c
                .claims
                .iter()
                .map(|&k| ledger[states[k].ledger].claim_id.as_str())
                .collect();
            (what, c.matched.as_str(), ids.join(";"))
        })
        .collect();
    out.sort();
    (claims, out)
}

fn claim_spec() -> impl Strategy<Value = ClaimSpec> {
    (1u32..25, 0usize..2, 0usize..3, 0u32..200, 0usize..3, 0usize..5)
}

fn row_spec() -> impl Strategy<Value = RowSpec> {
    (
        0usize..3,
        0usize..3,
        0u32..330,
        0usize..4,
        0usize..6,
        0usize..6,
        0usize..8,
        0usize..3,
    )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_credit_is_matched_once_and_recovered_adds_them_up(
        claims in prop::collection::vec(claim_spec(), 1..8),
        rows in prop::collection::vec(row_spec(), 0..24),
        files in 1usize..4,
    ) {
        let order: Vec<usize> = (0..rows.len()).collect();
        let dump = build(&claims, &rows, &order, files);
        let (states, credits) = match_credits(&dump);
        let ledger = dump.ledger.as_deref().unwrap_or_default();
        // Every row that may pay a claim of its account is listed, once.
        let codes: FxHashSet<(Sym, Sym)> = dump.contracts.iter().map(|c| (c.carrier, c.charge_code)).collect();
        let accounts: FxHashSet<(Sym, Sym)> = ledger.iter().map(|c| (c.carrier, c.account)).collect();
        let as_of = dump.as_of_date();
        let want: FxHashSet<u32> = dump.rows.iter().enumerate()
            .filter(|(_, r)| is_credit(r, &codes) && accounts.contains(&(r.carrier, r.account))
                && as_of.is_none_or(|d| r.invoice_date <= d))
            .map(|(i, _)| i as u32)
            .collect();
        let listed: Vec<u32> = credits.iter().map(|c| c.row).collect();
        let unique: FxHashSet<u32> = listed.iter().copied().collect();
        prop_assert_eq!(unique.len(), listed.len(), "a credit listed twice");
        prop_assert_eq!(&unique, &want);
        // Exactly one way each, with as many claims as it says.
        let mut paying = Decimal::ZERO;
        let mut paid_rows: FxHashSet<u32> = FxHashSet::default();
        for c in &credits {
            let row = &dump.rows[c.row as usize];
            prop_assert!(row.amount.0 < 0, "a positive or zero row pays nothing");
            match c.matched {
                Matched::Reference | Matched::Amount => {
                    prop_assert_eq!(c.claims.len(), 1);
                    paying -= row.amount.to_decimal();
                    paid_rows.insert(c.row);
                    let claim = &ledger[states[c.claims[0]].ledger];
                    prop_assert_eq!((claim.carrier, claim.account), (row.carrier, row.account));
                    prop_assert!(claim.filed_on <= row.invoice_date);
                }
                Matched::Ambiguous => prop_assert!(c.claims.len() >= 2),
                Matched::Unmatched => prop_assert!(c.claims.is_empty()),
            }
        }
        let recovered: Decimal = states.iter().map(|s| s.recovered).sum();
        prop_assert_eq!(recovered, paying);
        // No credit pays two claims, and the claims' credits are those paid.
        let mut in_claims: Vec<u32> = states.iter().flat_map(|s| s.credits.iter().copied()).collect();
        let n = in_claims.len();
        in_claims.sort_unstable();
        in_claims.dedup();
        prop_assert_eq!(in_claims.len(), n, "a credit pays two claims");
        prop_assert_eq!(in_claims.into_iter().collect::<FxHashSet<u32>>(), paid_rows);
        // Each claim's own credits add up to its recovered; outstanding as section 4 says.
        for s in &states {
            let c = &ledger[s.ledger];
            let own: Decimal = s.credits.iter().map(|&r| -dump.rows[r as usize].amount.to_decimal()).sum();
            prop_assert_eq!(own, s.recovered);
            let expect = match c.status {
                LedgerStatus::Open => (c.amount.to_decimal() - s.recovered).max(Decimal::ZERO),
                _ => Decimal::ZERO,
            };
            prop_assert_eq!(s.outstanding, expect);
        }
    }

    #[test]
    fn reordering_or_renaming_the_bill_files_changes_nothing(
        claims in prop::collection::vec(claim_spec(), 1..8),
        rows in prop::collection::vec(row_spec(), 0..24),
        files in 1usize..4,
        shuffle in prop::collection::vec(any::<u32>(), 24),
    ) {
        let order: Vec<usize> = (0..rows.len()).collect();
        let mut other = order.clone();
        // A permutation drawn from the shuffle keys.
        other.sort_by_key(|&i| (shuffle[i % shuffle.len()], i));
        let a = build(&claims, &rows, &order, files);
        let mut b = build(&claims, &rows, &other, files % 3 + 1);
        for f in &mut b.files {
            f.path = f.path.replace("invoices/", "invoices/renamed-");
        }
        prop_assert_eq!(canonical(&a), canonical(&b));
    }
}
