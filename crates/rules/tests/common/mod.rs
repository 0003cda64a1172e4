//! Builds small dumps by hand for the rule tests: rows are written as short
//! comma-separated lines, one per bill row, and keep their file and line.
#![allow(dead_code)]

use telaudit_model::*;

pub struct Builder {
    pub dump: Dump,
}

/// The columns of a fixture line, in this order:
/// `carrier,account,invoice,period_start,service,type,code,description,quantity,unit_rate,amount,usage_quantity`
/// (quantity empty = 1; unit_rate and usage_quantity empty = absent).
pub const COLUMNS: &str =
    "carrier,account,invoice,period_start,service,type,code,description,quantity,unit_rate,amount,usage_quantity";

fn dec(s: &str) -> Micros {
    Micros::parse(s).unwrap()
}

fn opt_dec(s: &str) -> Option<Micros> {
    if s.trim().is_empty() {
        None
    } else {
        Some(dec(s))
    }
}

pub fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

pub fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

impl Builder {
    pub fn new() -> Builder {
        Builder {
            dump: Dump {
                client: "test".into(),
                ..Dump::default()
            },
        }
    }

    fn add_file(&mut self, path: &str, kind: SourceKind) -> FileId {
        let is_bill = matches!(kind, SourceKind::CanonicalCsv | SourceKind::Edi811);
        if let Some(last) = self
            .dump
            .files
            .iter()
            .rev()
            .find(|f| f.path.starts_with("invoices/"))
        {
            assert!(
                !is_bill || last.path.as_str() < path,
                "add bill files in path order"
            );
        }
        self.dump.files.push(SourceFile {
            path: path.into(),
            kind,
        });
        FileId(self.dump.files.len() as u32 - 1)
    }

    /// A canonical CSV file: each non-empty line of `lines` is a row, at lines 2, 3, ...
    pub fn csv(&mut self, path: &str, lines: &str) -> &mut Self {
        let file = self.add_file(path, SourceKind::CanonicalCsv);
        for (pos, line) in (2..).zip(lines.lines().map(str::trim).filter(|l| !l.is_empty())) {
            let row = self.row(line, SourceRef { file, pos });
            self.dump.rows.push(row);
        }
        self
    }

    /// EDI rows: each line a row at the given segment positions.
    pub fn edi(&mut self, path: &str, lines: &[(u32, &str)]) -> FileId {
        let file = self.add_file(path, SourceKind::Edi811);
        for (pos, line) in lines {
            let row = self.row(line, SourceRef { file, pos: *pos });
            self.dump.rows.push(row);
        }
        file
    }

    fn row(&mut self, line: &str, source: SourceRef) -> Row {
        let c: Vec<&str> = line.split(',').map(str::trim).collect();
        assert_eq!(c.len(), 12, "fixture line needs 12 columns ({COLUMNS}): {line}");
        let s = &mut self.dump.strings;
        let ps = date(c[3]);
        Row {
            carrier: s.intern(c[0]),
            account: s.intern(c[1]),
            invoice: s.intern(c[2]),
            service: s.intern(c[4]),
            charge_code: s.intern(c[6]),
            description: s.intern(c[7]),
            usage_unit: Sym::EMPTY,
            invoice_date: ps,
            period_start: ps,
            period_end: ps.month_end(),
            charge_type: ChargeType::parse(c[5]).unwrap(),
            quantity: opt_dec(c[8]).unwrap_or(Micros::ONE),
            unit_rate: opt_dec(c[9]),
            amount: dec(c[10]),
            usage_quantity: opt_dec(c[11]),
            source,
        }
    }

    /// inventory.csv lines: `service,carrier,account,status,disconnect_date`, at lines 2, 3, ...
    pub fn inventory(&mut self, lines: &[&str]) -> &mut Self {
        let file = self.add_file("inventory.csv", SourceKind::Inventory);
        for (i, line) in lines.iter().enumerate() {
            let c: Vec<&str> = line.split(',').map(str::trim).collect();
            let s = &mut self.dump.strings;
            let rec = InventoryRecord {
                service: s.intern(c[0]),
                carrier: s.intern(c[1]),
                account: s.intern(c[2]),
                status: match c[3] {
                    "active" => ServiceStatus::Active,
                    "disconnected" => ServiceStatus::Disconnected,
                    _ => ServiceStatus::Pending,
                },
                disconnect_date: if c[4].is_empty() { None } else { Some(date(c[4])) },
                cost_center: String::new(),
                owner: String::new(),
                source: SourceRef {
                    file,
                    pos: i as u32 + 2,
                },
            };
            self.dump.inventory.push(rec);
        }
        self
    }

    /// contracts.csv lines: `kind,carrier,account,service,charge_code,amount,effective_from,effective_to`.
    pub fn contracts(&mut self, lines: &[&str]) -> &mut Self {
        let file = self.add_file("contracts.csv", SourceKind::Contracts);
        for (i, line) in lines.iter().enumerate() {
            let c: Vec<&str> = line.split(',').map(str::trim).collect();
            let s = &mut self.dump.strings;
            let k = Contract {
                kind: if c[0] == "rate" {
                    ContractKind::Rate
                } else {
                    ContractKind::Credit
                },
                carrier: s.intern(c[1]),
                account: s.intern(c[2]),
                service: s.intern(c[3]),
                charge_code: s.intern(c[4]),
                amount: dec(c[5]),
                effective_from: if c[6].is_empty() { None } else { Some(date(c[6])) },
                effective_to: if c[7].is_empty() { None } else { Some(date(c[7])) },
                source: SourceRef {
                    file,
                    pos: i as u32 + 2,
                },
            };
            self.dump.contracts.push(k);
        }
        self
    }

    pub fn tax_exempt(&mut self) -> &mut Self {
        self.dump.config.tax_exempt = true;
        self
    }

    pub fn build(&mut self) -> Dump {
        std::mem::take(&mut self.dump)
    }
}

/// `file:line` of every source, in order.
pub fn locs(dump: &Dump, refs: &[SourceRef]) -> Vec<String> {
    refs.iter().map(|r| dump.locate(*r)).collect()
}

/// The claims of a finding as (located row or missing-credit text, recoverable, monthly).
pub fn claims(dump: &Dump, f: &Finding) -> Vec<(String, Decimal, Decimal)> {
    f.claims
        .iter()
        .map(|c| {
            let k = match c.key {
                ClaimKey::Row(r) => dump.locate(dump.rows[r as usize].source),
                ClaimKey::MissingCredit {
                    carrier,
                    account,
                    service,
                    period,
                    code,
                } => format!(
                    "{}|{}|{}|{}|{}",
                    dump.s(carrier),
                    dump.s(account),
                    dump.s(service),
                    period,
                    dump.s(code)
                ),
            };
            (k, c.recoverable, c.monthly)
        })
        .collect()
}

/// Runs one default rule.
pub fn run_default(id: &str, dump: &Dump) -> Vec<Finding> {
    let all = telaudit_rules::RuleSet::defaults();
    let rule = all.get(id).unwrap().clone();
    let set = telaudit_rules::RuleSet::from_rules(vec![rule]).unwrap();
    let mut res = telaudit_rules::evaluate(&set, dump);
    assert_eq!(res.len(), 1);
    res.pop().unwrap().findings
}
