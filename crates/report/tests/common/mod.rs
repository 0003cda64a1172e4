//! Hand-built dumps and findings for the report tests.
#![allow(dead_code)]

use telaudit_model::*;

/// The property tests' configuration: the default case count from a fixed seed,
/// so a failure reproduces; `PROPTEST_RNG_SEED=<n>` explores other cases.
pub fn proptest_config() -> proptest::test_runner::Config {
    let default = proptest::test_runner::Config::default();
    let rng_seed = match default.rng_seed {
        proptest::test_runner::RngSeed::Random => proptest::test_runner::RngSeed::Fixed(20_261_201),
        chosen => chosen,
    };
    proptest::test_runner::Config { rng_seed, ..default }
}

pub fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// A dump with these files: 0 invoices/a.csv (CSV), 1 invoices/b.edi (EDI),
/// 2 inventory.csv, 3 contracts.csv, 4 client.toml.
pub fn dump() -> Dump {
    let file = |path: &str, kind| SourceFile {
        path: path.to_string(),
        kind,
    };
    Dump {
        client: "acme".to_string(),
        files: vec![
            file("invoices/a.csv", SourceKind::CanonicalCsv),
            file("invoices/b.edi", SourceKind::Edi811),
            file("inventory.csv", SourceKind::Inventory),
            file("contracts.csv", SourceKind::Contracts),
            file("client.toml", SourceKind::ClientToml),
        ],
        ..Dump::default()
    }
}

pub fn src(file: u32, pos: u32) -> SourceRef {
    SourceRef {
        file: FileId(file),
        pos,
    }
}

/// Adds a recurring row; returns its id.
pub fn row(
    dump: &mut Dump,
    carrier: &str,
    account: &str,
    service: &str,
    period: &str,
    amount: &str,
    at: SourceRef,
) -> RowId {
    let s = &mut dump.strings;
    let r = Row {
        carrier: s.intern(carrier),
        account: s.intern(account),
        invoice: s.intern(&format!("INV-{period}")),
        service: s.intern(service),
        charge_code: s.intern("MRC"),
        description: s.intern("Monthly plan"),
        usage_unit: Sym::EMPTY,
        invoice_date: date(period),
        period_start: date(period),
        period_end: date(period).month_end(),
        charge_type: ChargeType::Recurring,
        quantity: Micros::ONE,
        unit_rate: None,
        amount: Micros::parse(amount).unwrap(),
        usage_quantity: None,
        source: at,
    };
    dump.rows.push(r);
    (dump.rows.len() - 1) as RowId
}

pub fn claim(key: ClaimKey, recoverable: &str, monthly: &str) -> Claim {
    Claim {
        key,
        recoverable: d(recoverable),
        monthly: d(monthly),
        expired: Decimal::ZERO,
    }
}

/// A finding whose values are the sums of its claims.
#[allow(clippy::too_many_arguments)]
pub fn finding(
    dump: &mut Dump,
    rule: &str,
    carrier: &str,
    account: &str,
    service: &str,
    description: &str,
    claims: Vec<Claim>,
    evidence: Vec<SourceRef>,
) -> Finding {
    let s = &mut dump.strings;
    Finding {
        key: telaudit_model::finding_key(&[rule, carrier, account, service, description]),
        rule: rule.to_string(),
        carrier: s.intern(carrier),
        account: s.intern(account),
        service: s.intern(service),
        invoices: vec![s.intern("INV-1"), s.intern("INV-2")],
        first_period: date("2025-01-01"),
        last_period: date("2025-02-01"),
        description: description.to_string(),
        recoverable: claims.iter().map(|c| c.recoverable).sum(),
        monthly: claims.iter().map(|c| c.monthly).sum(),
        expired: claims.iter().map(|c| c.expired).sum(),
        evidence,
        basis: vec![],
        claims,
        change: None,
        claim_by: None,
    }
}

pub fn result(id: &str, title: &str, findings: Vec<Finding>) -> RuleResult {
    RuleResult {
        rule: RuleInfo {
            id: id.to_string(),
            title: title.to_string(),
            severity: telaudit_model::Severity::High,
            request: telaudit_model::Request::Dispute,
        },
        findings,
    }
}
