//! The index and `matching_charge` work on runs of rows in parallel and join
//! the runs in row order (issue 24, round 3). Whatever the size of the runs,
//! they must give what one pass over every row gives: the same accounts and
//! services, numbered alike, the same rows, copies and latest periods, and
//! the same findings with their claims in the same order.

use std::path::Path;
use telaudit_model::{ChargeType, ChargeTypes, Dump};
use telaudit_rules::kinds::matching_charge::MatchingCharge;
use telaudit_rules::Index;

/// A generated tax-exempt client of a few accounts per carrier: every service
/// billed exempt taxes each month, so TAX001 groups many rows per finding.
fn client(dir: &Path, accounts: Option<usize>) -> Dump {
    let client = dir.join("acme-health");
    let opts = telaudit_generate::GenOptions {
        services: 40,
        seed: 11,
        months: 6,
        accounts_per_carrier: accounts,
        tax_every_line: true,
        ..Default::default()
    };
    telaudit_generate::generate(&client, &opts).unwrap();
    telaudit_parse::read_client(&client).unwrap()
}

/// Everything the rules read of an index.
fn shape(dump: &Dump, ix: &Index) -> String {
    let mut carriers: Vec<String> = ix
        .accounts
        .iter()
        .map(|a| format!("{:?}: {:?}", a.carrier, ix.carrier_accounts(a.carrier)))
        .collect();
    carriers.dedup();
    let lookups: Vec<(Option<u32>, Vec<Option<u32>>)> = ix
        .accounts
        .iter()
        .map(|a| {
            let acc = ix.account(a.carrier, a.account);
            let svcs = ix
                .services
                .iter()
                .map(|s| acc.and_then(|acc| ix.service(acc, s.service)))
                .collect();
            (acc, svcs)
        })
        .collect();
    let latest: Vec<bool> = (0..dump.rows.len() as u32)
        .map(|r| ix.recurs_monthly(dump, r))
        .collect();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{carriers:?}\n{lookups:?}\n{latest:?}",
        ix.accounts, ix.services, ix.row_acc, ix.row_svc, ix.copy, ix.copy_runs
    )
}

#[test]
fn the_index_is_the_same_whatever_the_runs_of_rows() {
    for accounts in [Some(1), None] {
        let dir = tempfile::tempdir().unwrap();
        let dump = client(dir.path(), accounts);
        assert!(dump.rows.len() > 2_000, "{} rows", dump.rows.len());
        let whole = Index::build_in_parts(&dump, usize::MAX);
        assert!(whole.accounts.len() >= 4 && whole.services.len() >= 40);
        let expected = shape(&dump, &whole);
        for rows in [1, 2, 97, 1_000, 1 << 18] {
            let ix = Index::build_in_parts(&dump, rows);
            assert_eq!(shape(&dump, &ix), expected, "runs of {rows} rows");
        }
    }
}

/// TAX001 as rules/TAX001.toml gives it, and a rule on every charge with a
/// code, grouped by account and charge code across services (a group's rows
/// are then far apart, credits and all).
fn rules() -> [MatchingCharge; 2] {
    let tax = MatchingCharge {
        charge_types: ChargeTypes::of(&[ChargeType::Tax]),
        description_pattern: Some(
            regex::Regex::new("(?i)(federal excise|state sales|local sales|sales tax|excise tax)").unwrap(),
        ),
        code_pattern: None,
        match_all: false,
        positive_only: true,
        requires_tax_exempt: true,
        recoverable_amount: true,
        monthly_latest: true,
        by_service: true,
        by_description: true,
        by_code: false,
        template: "{description} billed to a tax-exempt client".to_string(),
    };
    let by_code = MatchingCharge {
        charge_types: ChargeTypes::ALL,
        description_pattern: None,
        code_pattern: Some(regex::Regex::new("[A-Z]").unwrap()),
        match_all: false,
        positive_only: false,
        requires_tax_exempt: false,
        recoverable_amount: true,
        monthly_latest: true,
        by_service: false,
        by_description: false,
        by_code: true,
        template: "{charge_code} on {service} ({account}, {carrier})".to_string(),
    };
    [tax, by_code]
}

#[test]
fn matching_charge_finds_the_same_whatever_the_runs_of_rows() {
    let dir = tempfile::tempdir().unwrap();
    let dump = client(dir.path(), Some(1));
    let ix = Index::build(&dump);
    for (n, rule) in rules().iter().enumerate() {
        let whole = rule.run_in_chunks("X001", &dump, &ix, usize::MAX);
        assert!(whole.len() >= 10, "rule {n}: {} findings", whole.len());
        // Findings resting on rows far apart, so the runs split them.
        assert!(whole.iter().any(|f| f.claims.len() >= 6), "rule {n}");
        for rows in [1, 3, 97, 1_000] {
            assert_eq!(
                rule.run_in_chunks("X001", &dump, &ix, rows),
                whole,
                "rule {n}, runs of {rows} rows"
            );
        }
    }
}
