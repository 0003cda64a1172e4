//! Rule files: reading, checking and holding the rule set.

use crate::kinds::{Fields, Kind};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use telaudit_model::{Request, RuleInfo, Severity};

include!(concat!(env!("OUT_DIR"), "/default_rules.rs"));

/// One rule: its identity and texts, and the parameters of its kind.
#[derive(Clone, Debug)]
pub struct Rule {
    /// e.g. `DUP001`.
    pub id: String,
    /// e.g. `duplicate_charge`.
    pub kind: String,
    /// e.g. `Duplicate charge`.
    pub title: String,
    /// `high`, `medium` or `low` in the file.
    pub severity: Severity,
    /// What the rule finds, in plain words.
    pub finds: String,
    /// Why what it finds costs money.
    pub why: String,
    /// What its dispute lines ask for (`request = "dispute"` or `"waiver"`).
    pub request: Request,
    /// The file it was read from (`rules/DUP001.toml`).
    pub source: String,
    pub(crate) params: Arc<dyn Kind>,
}

impl Rule {
    /// The rule's identity as outputs show it.
    pub fn info(&self) -> RuleInfo {
        RuleInfo {
            id: self.id.clone(),
            title: self.title.clone(),
            severity: self.severity,
            request: self.request,
        }
    }

    /// Runs this rule alone over a dump and its index (unsorted findings), e.g. to
    /// time one kind; [`crate::evaluate`] runs a whole set.
    pub fn run(&self, dump: &telaudit_model::Dump, ix: &crate::Index) -> Vec<telaudit_model::Finding> {
        self.params.run(&self.id, dump, ix)
    }
}

/// A rule file that cannot be used, with the file, the key (when one is at
/// fault), its line when known, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    /// The rule file at fault (or the rules folder), as the analyst named it.
    pub file: String,
    /// The key at fault, when one is.
    pub key: Option<String>,
    /// The 1-based line of that key, when it can be found.
    pub line: Option<usize>,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(k) = &self.key {
            write!(f, ": key `{k}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for RuleError {}

/// The rules an audit runs, sorted by id; ids are distinct.
#[derive(Clone, Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    /// The default rules: the workspace's `rules/*.toml`, embedded at compile time.
    pub fn defaults() -> RuleSet {
        let parsed: Result<Vec<Rule>, RuleError> = DEFAULT_RULES
            .iter()
            .map(|(name, text)| RuleSet::from_toml_str(name, text))
            .collect();
        match parsed.and_then(RuleSet::from_rules) {
            Ok(set) => set,
            // The embedded files are part of the program and are checked by the tests.
            Err(e) => panic!("the embedded default rules are broken: {e}"),
        }
    }

    /// Loads every `*.toml` file of a folder (not its sub-folders) as the rule set.
    pub fn load_dir(dir: &Path) -> Result<RuleSet, RuleError> {
        let shown = dir.display().to_string();
        let io_err = |e: std::io::Error| RuleError {
            file: shown.clone(),
            key: None,
            line: None,
            message: format!("cannot read the rules folder: {e}"),
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io_err)? {
            let p = entry.map_err(io_err)?.path();
            if p.is_file() && p.extension().is_some_and(|x| x == "toml") {
                paths.push(p);
            }
        }
        paths.sort();
        if paths.is_empty() {
            return Err(RuleError {
                file: shown,
                key: None,
                line: None,
                message: "no rule files (*.toml) in this folder; give a folder that holds rule files \
                          such as DUP001.toml"
                    .into(),
            });
        }
        let mut rules = Vec::with_capacity(paths.len());
        for p in paths {
            let name = p.display().to_string();
            let text = std::fs::read_to_string(&p).map_err(|e| RuleError {
                file: name.clone(),
                key: None,
                line: None,
                message: format!("cannot read the rule file: {e}"),
            })?;
            rules.push(RuleSet::from_toml_str(&name, &text)?);
        }
        RuleSet::from_rules(rules)
    }

    /// Reads one rule file's text; `name` is the file name used in errors.
    pub fn from_toml_str(name: &str, text: &str) -> Result<Rule, RuleError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| RuleError {
            file: name.to_string(),
            key: None,
            line: None,
            message: format!("not valid TOML: {}", e.to_string().trim_end()),
        })?;
        let mut f = Fields::new(name, text, table);
        let id = f.req_str("id")?;
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(f.err("id", "a rule id is letters, digits, '-' or '_', e.g. \"DA001\""));
        }
        let kind = f.req_str("kind")?;
        let title = f.req_str("title")?;
        let severity = f.req_str("severity")?;
        let Some(severity) = Severity::parse(&severity) else {
            return Err(f.err(
                "severity",
                &format!("is {severity:?}; use \"high\", \"medium\" or \"low\""),
            ));
        };
        let finds = f.req_str("finds")?;
        let why = f.req_str("why")?;
        let request = match f.opt_str("request")? {
            None => Request::Dispute,
            Some(r) => Request::parse(&r).ok_or_else(|| {
                f.err(
                    "request",
                    &format!("is {r:?}; use \"dispute\" (billed in error) or \"waiver\" (ask to waive it)"),
                )
            })?,
        };
        let params = crate::kinds::read(&kind, &mut f)?;
        f.finish()?;
        Ok(Rule {
            id,
            kind,
            title,
            severity,
            finds,
            why,
            request,
            source: name.to_string(),
            params,
        })
    }

    /// A set from rules already read; refuses two rules with one id.
    pub fn from_rules(mut rules: Vec<Rule>) -> Result<RuleSet, RuleError> {
        rules.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.source.cmp(&b.source)));
        for w in rules.windows(2) {
            if w[0].id == w[1].id {
                return Err(RuleError {
                    file: w[1].source.clone(),
                    key: Some("id".into()),
                    line: None,
                    message: format!(
                        "rule id {} is also used by {}; give every rule its own id",
                        w[1].id, w[0].source
                    ),
                });
            }
        }
        Ok(RuleSet { rules })
    }

    /// The rules, sorted by id.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}
