//! The rule kinds. Each kind is Rust; each rule is a TOML file naming a kind and
//! giving its parameters. Every kind's module documents what it does, why what it
//! finds costs money, and a small worked example.

pub mod billed_after_disconnect;
pub mod duplicate_charge;
pub mod matching_charge;
pub mod missing_contract_credit;
pub mod rate_above_contract;
pub mod unbalanced_invoice;
pub mod unused_service;

use crate::config::RuleError;
use crate::index::Index;
use telaudit_model::{ChargeType, ChargeTypes, Dump, Finding};

/// The kinds a rule file may name, as spelled in `kind = "..."`.
pub const KINDS: [&str; 7] = [
    "duplicate_charge",
    "unused_service",
    "missing_contract_credit",
    "billed_after_disconnect",
    "rate_above_contract",
    "matching_charge",
    "unbalanced_invoice",
];

/// A rule's kind with its parameters.
#[derive(Clone, Debug)]
pub(crate) enum Params {
    DuplicateCharge(duplicate_charge::DuplicateCharge),
    UnusedService(unused_service::UnusedService),
    MissingContractCredit(missing_contract_credit::MissingContractCredit),
    BilledAfterDisconnect(billed_after_disconnect::BilledAfterDisconnect),
    RateAboveContract(rate_above_contract::RateAboveContract),
    MatchingCharge(matching_charge::MatchingCharge),
    UnbalancedInvoice(unbalanced_invoice::UnbalancedInvoice),
}

impl Params {
    pub(crate) fn read(kind: &str, f: &mut Fields) -> Result<Params, RuleError> {
        Ok(match kind {
            "duplicate_charge" => Params::DuplicateCharge(duplicate_charge::DuplicateCharge::read(f)?),
            "unused_service" => Params::UnusedService(unused_service::UnusedService::read(f)?),
            "missing_contract_credit" => {
                Params::MissingContractCredit(missing_contract_credit::MissingContractCredit::read(f)?)
            }
            "billed_after_disconnect" => {
                Params::BilledAfterDisconnect(billed_after_disconnect::BilledAfterDisconnect::read(f)?)
            }
            "rate_above_contract" => {
                Params::RateAboveContract(rate_above_contract::RateAboveContract::read(f)?)
            }
            "matching_charge" => Params::MatchingCharge(matching_charge::MatchingCharge::read(f)?),
            "unbalanced_invoice" => {
                Params::UnbalancedInvoice(unbalanced_invoice::UnbalancedInvoice::read(f)?)
            }
            other => {
                return Err(f.err(
                    "kind",
                    &format!("unknown kind {other:?}; the kinds are: {}", KINDS.join(", ")),
                ))
            }
        })
    }

    pub(crate) fn run(&self, id: &str, dump: &Dump, ix: &Index) -> Vec<Finding> {
        match self {
            Params::DuplicateCharge(k) => k.run(id, dump, ix),
            Params::UnusedService(k) => k.run(id, dump, ix),
            Params::MissingContractCredit(k) => k.run(id, dump, ix),
            Params::BilledAfterDisconnect(k) => k.run(id, dump, ix),
            Params::RateAboveContract(k) => k.run(id, dump, ix),
            Params::MatchingCharge(k) => k.run(id, dump, ix),
            Params::UnbalancedInvoice(k) => k.run(id, dump, ix),
        }
    }
}

/// The keys of one rule file, taken one by one; whatever is left at the end is an unknown key.
pub(crate) struct Fields<'a> {
    file: &'a str,
    text: &'a str,
    table: toml::Table,
    asked: Vec<String>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(file: &'a str, text: &'a str, table: toml::Table) -> Self {
        Fields {
            file,
            text,
            table,
            asked: Vec::new(),
        }
    }

    /// An error about `key`, with the line it is on when it can be found.
    pub(crate) fn err(&self, key: &str, message: &str) -> RuleError {
        RuleError {
            file: self.file.to_string(),
            key: Some(key.to_string()),
            line: line_of(self.text, key),
            message: message.to_string(),
        }
    }

    fn take(&mut self, key: &str) -> Option<toml::Value> {
        self.asked.push(key.to_string());
        self.table.remove(key)
    }

    pub(crate) fn opt_str(&mut self, key: &str) -> Result<Option<String>, RuleError> {
        match self.take(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(self.err(key, &format!("must be a text in quotes, not a {}", v.type_str()))),
        }
    }

    pub(crate) fn req_str(&mut self, key: &str) -> Result<String, RuleError> {
        self.opt_str(key)?.ok_or_else(|| RuleError {
            file: self.file.to_string(),
            key: Some(key.to_string()),
            line: None,
            message: "is missing; every rule file needs id, kind, title, severity, finds and why".into(),
        })
    }

    pub(crate) fn opt_bool(&mut self, key: &str) -> Result<Option<bool>, RuleError> {
        match self.take(key) {
            None => Ok(None),
            Some(toml::Value::Boolean(b)) => Ok(Some(b)),
            Some(v) => Err(self.err(key, &format!("must be true or false, not a {}", v.type_str()))),
        }
    }

    pub(crate) fn opt_int(&mut self, key: &str) -> Result<Option<i64>, RuleError> {
        match self.take(key) {
            None => Ok(None),
            Some(toml::Value::Integer(i)) => Ok(Some(i)),
            Some(v) => Err(self.err(key, &format!("must be a whole number, not a {}", v.type_str()))),
        }
    }

    pub(crate) fn opt_str_list(&mut self, key: &str) -> Result<Option<Vec<String>>, RuleError> {
        match self.take(key) {
            None => Ok(None),
            Some(toml::Value::Array(a)) => {
                let mut out = Vec::with_capacity(a.len());
                for v in a {
                    match v {
                        toml::Value::String(s) => out.push(s),
                        other => {
                            return Err(self.err(
                                key,
                                &format!(
                                    "must be a list of texts in quotes; it holds a {}",
                                    other.type_str()
                                ),
                            ))
                        }
                    }
                }
                Ok(Some(out))
            }
            Some(v) => Err(self.err(
                key,
                &format!("must be a list like [\"a\", \"b\"], not a {}", v.type_str()),
            )),
        }
    }

    /// A list of charge type names.
    pub(crate) fn opt_charge_types(&mut self, key: &str) -> Result<Option<ChargeTypes>, RuleError> {
        let Some(list) = self.opt_str_list(key)? else {
            return Ok(None);
        };
        let mut types = Vec::with_capacity(list.len());
        for s in &list {
            match ChargeType::parse(s) {
                Some(t) => types.push(t),
                None => {
                    let all: Vec<&str> = ChargeType::ALL.iter().map(|t| t.as_str()).collect();
                    return Err(self.err(
                        key,
                        &format!(
                            "unknown charge type {s:?}; the charge types are: {}",
                            all.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(Some(ChargeTypes::of(&types)))
    }

    /// A regular expression (Rust `regex` syntax).
    pub(crate) fn opt_regex(&mut self, key: &str) -> Result<Option<regex::Regex>, RuleError> {
        let Some(s) = self.opt_str(key)? else {
            return Ok(None);
        };
        regex::Regex::new(&s).map(Some).map_err(|e| {
            self.err(
                key,
                &format!(
                    "is not a valid regular expression: {}",
                    e.to_string().replace('\n', " ")
                ),
            )
        })
    }

    /// One of a fixed set of words.
    pub(crate) fn opt_choice(&mut self, key: &str, choices: &[&str]) -> Result<Option<String>, RuleError> {
        let Some(s) = self.opt_str(key)? else {
            return Ok(None);
        };
        if choices.contains(&s.as_str()) {
            Ok(Some(s))
        } else {
            let list: Vec<String> = choices.iter().map(|c| format!("{c:?}")).collect();
            Err(self.err(key, &format!("is {s:?}; use one of {}", list.join(", "))))
        }
    }

    /// Refuses any key not taken.
    pub(crate) fn finish(self) -> Result<(), RuleError> {
        if let Some(key) = self.table.keys().next() {
            let known = self.asked.join(", ");
            return Err(self.err(key, &format!("unknown key; a rule of this kind takes: {known}")));
        }
        Ok(())
    }
}

/// The 1-based line where a top-level `key = ...` is written, if it can be found.
fn line_of(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            let rest = l
                .strip_prefix(key)
                .or_else(|| l.strip_prefix(&format!("\"{key}\"")))
                .or_else(|| l.strip_prefix(&format!("'{key}'")));
            rest.is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}
