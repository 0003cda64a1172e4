//! The rule kinds. Each kind is Rust; each rule is a TOML file naming a kind and
//! giving its parameters. Every kind's module documents what it does, why what it
//! finds costs money, and a small worked example.

use crate::config::RuleError;
use crate::index::Index;
use std::fmt::Debug;
use std::sync::Arc;
use telaudit_model::{ChargeType, ChargeTypes, Dump, Finding};

/// The registry: every kind telaudit knows, each named once. A kind is a module of
/// this folder that defines `pub const KIND: KindDef`; adding a kind is that file
/// plus its name in this list (see docs/rules.md, "Adding a kind"). The order is the
/// order of docs/rules.md and of the error that lists the kinds.
macro_rules! registry {
    ($($kind:ident),* $(,)?) => {
        $(pub mod $kind;)*
        /// Every kind, in the order docs/rules.md lists them.
        pub const REGISTRY: &[&KindDef] = &[$(&$kind::KIND),*];
    };
}

registry! {
    duplicate_charge,
    unused_service,
    missing_contract_credit,
    billed_after_disconnect,
    rate_above_contract,
    matching_charge,
    unbalanced_invoice,
    stated_total,
    oversized_plan,
    oversized_pool,
    oversized_circuit,
    not_in_inventory,
}

/// What a kind does once its parameters are read: look at a dump and return its
/// findings (unsorted; the evaluator sorts them). One value per rule file.
pub trait Kind: Debug + Send + Sync {
    /// The findings of the rule `id` (this kind with its parameters) in `dump`.
    fn run(&self, id: &str, dump: &Dump, ix: &Index) -> Vec<Finding>;
}

/// One parameter of a kind, as docs/rules.md shows it in the kind's table. It is
/// declared next to the code that reads it, so the docs are rendered from it and
/// a test checks that the reader takes exactly these keys.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// The TOML key, e.g. `idle_periods`.
    pub key: &'static str,
    /// The value when the key is absent, as Markdown, e.g. `` `3` `` or `none`.
    pub default: &'static str,
    /// What it changes, in a sentence (Markdown).
    pub meaning: &'static str,
}

/// A rule kind's entry in the registry: its name, its documented parameters and
/// how to read them from a rule file. Each kind module defines one as `KIND`.
#[derive(Clone, Copy)]
pub struct KindDef {
    /// The name a rule file gives in `kind = "..."`.
    pub name: &'static str,
    /// What follows the name in the kind's docs/rules.md heading, e.g. `" (UNU001)"`.
    pub heading: &'static str,
    /// The parameters it takes, in the order it reads them.
    pub params: &'static [Param],
    /// Markdown shown after the parameter table (or alone when there are no
    /// parameters); empty for none.
    pub note: &'static str,
    /// What the stable finding key of this kind's findings is made of, as
    /// docs/rules.md shows it after "Finding key:". Every key starts with the
    /// rule id, carrier, account and service_id; this names the kind's own
    /// grouping after them (what `run` puts in `Draft::group`), or says there is
    /// none. A key never holds a file name, a line number or an amount, so the
    /// same bills under other names, in another order or split differently give
    /// the same keys, and the batch history can tell new findings from old ones
    /// (docs/history.md).
    pub key: &'static str,
    /// Reads the kind's parameters from a rule file's remaining keys.
    pub(crate) read: fn(&mut Fields) -> Result<Arc<dyn Kind>, RuleError>,
}

impl Debug for KindDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KindDef")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The kind named `name`.
pub fn lookup(name: &str) -> Option<&'static KindDef> {
    REGISTRY.iter().copied().find(|k| k.name == name)
}

/// The names of every kind, as a rule file spells them.
pub fn names() -> Vec<&'static str> {
    REGISTRY.iter().map(|k| k.name).collect()
}

/// Reads the parameters of kind `kind` from a rule file.
pub(crate) fn read(kind: &str, f: &mut Fields) -> Result<Arc<dyn Kind>, RuleError> {
    match lookup(kind) {
        Some(def) => (def.read)(f),
        None => Err(f.err(
            "kind",
            &format!("unknown kind {kind:?}; the kinds are: {}", names().join(", ")),
        )),
    }
}

/// The "Kinds and their parameters" section of docs/rules.md, rendered from the
/// registry (`cargo test -p telaudit-rules --test docs` checks the file against it).
pub fn docs_markdown() -> String {
    let mut out = String::new();
    for k in REGISTRY {
        out.push_str(&format!("### `{}`{}\n\n", k.name, k.heading));
        if !k.params.is_empty() {
            out.push_str("| key | default | meaning |\n|---|---|---|\n");
            for p in k.params {
                out.push_str(&format!("| `{}` | {} | {} |\n", p.key, p.default, p.meaning));
            }
            out.push('\n');
        }
        if !k.note.is_empty() {
            out.push_str(k.note.trim_end());
            out.push_str("\n\n");
        }
        out.push_str(&format!("Finding key: {}\n\n", k.key.trim_end()));
    }
    out
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

    /// A decimal number, written `0.30` or `"0.30"` (a TOML float is read by its
    /// shortest decimal spelling, so `0.3` is exactly 3/10).
    pub(crate) fn opt_decimal(&mut self, key: &str) -> Result<Option<telaudit_model::Decimal>, RuleError> {
        let text = match self.take(key) {
            None => return Ok(None),
            Some(toml::Value::String(s)) => s,
            Some(toml::Value::Float(f)) => f.to_string(),
            Some(toml::Value::Integer(i)) => i.to_string(),
            Some(v) => {
                return Err(self.err(
                    key,
                    &format!("must be a number such as 0.30, not a {}", v.type_str()),
                ))
            }
        };
        text.trim()
            .parse::<telaudit_model::Decimal>()
            .map(Some)
            .map_err(|_| self.err(key, &format!("{text:?} is not a decimal number such as 0.30")))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind reads exactly the keys it declares in `params`, in that order, so
    /// docs/rules.md (rendered from `params`) names every key the code takes.
    #[test]
    fn each_kind_reads_exactly_its_declared_parameters() {
        for k in REGISTRY {
            let mut f = Fields::new("x.toml", "", toml::Table::new());
            let read = (k.read)(&mut f);
            assert!(read.is_ok(), "{}: the defaults must read: {read:?}", k.name);
            let declared: Vec<&str> = k.params.iter().map(|p| p.key).collect();
            assert_eq!(
                f.asked, declared,
                "kind {}: the keys read vs the declared params",
                k.name
            );
        }
    }

    #[test]
    fn kind_names_are_distinct_and_found() {
        let mut n = names();
        n.sort_unstable();
        n.dedup();
        assert_eq!(n.len(), REGISTRY.len());
        assert!(lookup("unused_service").is_some_and(|k| k.name == "unused_service"));
        assert!(lookup("unused").is_none());
    }
}
