//! `matching_charge` (TAX001, FEE001, and analysts' own rules).

use crate::config::RuleError;
use crate::index::{AccId, Index};
use crate::kinds::{Fields, Kind, KindDef, Param};
use std::sync::Arc;
use crate::util::{periods_text, row_claim, Draft, SymMemo};
use rayon::prelude::*;
use regex::Regex;
use rustc_hash::FxHashMap;
use telaudit_model::{ChargeTypes, Decimal, Dump, Finding, RowId, Sym};

/// This kind's entry in the registry ([`crate::kinds::REGISTRY`]).
pub const KIND: KindDef = KindDef {
    name: "matching_charge",
    heading: ": rows that match patterns (TAX001, FEE001, and most analyst rules)",
    params: &[
        Param {
            key: "charge_types",
            default: "all",
            meaning: "only rows of these types, e.g. `[\"tax\"]`",
        },
        Param {
            key: "description_pattern",
            default: "none",
            meaning: "a regex (Rust syntax; `(?i)` for case-insensitive) on the description",
        },
        Param {
            key: "code_pattern",
            default: "none",
            meaning: "a regex on the charge_code",
        },
        Param {
            key: "match",
            default: "`\"any\"`",
            meaning: "`\"any\"`: either pattern matching is enough; `\"all\"`: every given pattern must match",
        },
        Param {
            key: "positive_only",
            default: "`true`",
            meaning: "only rows with a positive amount",
        },
        Param {
            key: "requires_client",
            default: "none",
            meaning: "`\"tax_exempt\"`: the rule runs only when client.toml says `tax_exempt = true`",
        },
        Param {
            key: "recoverable",
            default: "`\"amount\"`",
            meaning: "`\"amount\"`: each matched row's amount is recoverable; `\"none\"`",
        },
        Param {
            key: "monthly",
            default: "`\"none\"`",
            meaning: "`\"latest_period_amount\"`: matched rows in the account's latest period recur monthly",
        },
        Param {
            key: "group_by",
            default: "`[\"service\", \"description\"]`",
            meaning: "one finding per group; any of `\"account\"`, `\"service\"`, `\"description\"`, `\"charge_code\"` (the account is always part of it)",
        },
        Param {
            key: "finding",
            default: "`\"{description}\"`",
            meaning: "the finding's text; may use `{description}`, `{charge_code}`, `{service}`, `{account}`, `{carrier}`; the number of periods is appended",
        },
    ],
    note: "",
    key: "the values of the rule's `group_by` beyond account and service, in the order description, charge_code (one finding per group; the service_id is empty unless `group_by` holds `\"service\"`)",
    read: |f| Ok(Arc::new(MatchingCharge::read(f)?)),
};

/// ## What it does
/// Finds rows by what they say: rows of the chosen `charge_types` (default: all)
/// whose description matches `description_pattern` and/or whose charge_code
/// matches `code_pattern` (regular expressions; `match = "any"` needs one of the
/// given patterns to match, `"all"` every one; no pattern matches every row).
/// `positive_only` (default true) skips credits and zero rows;
/// `requires_client = "tax_exempt"` runs the rule only for a client whose
/// client.toml says `tax_exempt = true`.
///
/// What a found row is worth: `recoverable = "amount" | "none"` and
/// `monthly = "latest_period_amount" | "none"` (a copy, a row DUP001 claims, never
/// counts as monthly). Findings group rows by
/// `group_by` (any of "service", "description", "charge_code"; the account is
/// always part of it; default ["service", "description"]). The finding's text is
/// the `finding` template, where `{description}`, `{charge_code}`, `{service}`,
/// `{account}` and `{carrier}` stand for the group's values, followed by
/// ", N periods".
///
/// This kind lets an analyst add a rule with a TOML file alone, e.g. directory
/// assistance charges: `description_pattern = '(?i)directory assistance'`.
///
/// ## Finding key
/// The rule id, carrier, account, service_id (empty unless `group_by` holds
/// `"service"`), then the billed description when `group_by` holds
/// `"description"` and the charge_code when it holds `"charge_code"`: one finding
/// per group ([`KindDef::key`]). The finding's text, which names the number of
/// periods, is not part of it.
///
/// ## Why is this bad
/// It depends on the rule: taxes billed to an exempt client are owed back in
/// full (TAX001); late fees are commonly waived (FEE001).
///
/// ## Example
/// The fixture `crates/rules/tests/fixtures/matching_charge/` is this example.
///
/// TAX001 (tax rows naming sales or excise tax, client tax-exempt), latest period 2025-02-01:
///
/// | row | type | description | period | amount |
/// |---|---|---|---|---|
/// | a.csv:2 | tax | State Sales Tax | 2025-01-01 | 2.50 |
/// | a.csv:3 | tax | State Sales Tax | 2025-02-01 | 2.50 |
/// | a.csv:4 | tax | 911 Surcharge | 2025-02-01 | 0.75 |
///
/// One finding "State Sales Tax billed to a tax-exempt client, 2 periods",
/// recoverable 5.00, monthly 2.50. The 911 surcharge names no exempt tax.
#[derive(Clone, Debug)]
pub struct MatchingCharge {
    /// Only rows of these types (`charge_types`).
    pub charge_types: ChargeTypes,
    /// The regex on the description (`description_pattern`).
    pub description_pattern: Option<Regex>,
    /// The regex on the charge_code (`code_pattern`).
    pub code_pattern: Option<Regex>,
    /// `true`: every given pattern must match; `false`: any one.
    pub match_all: bool,
    /// Only rows with a positive amount (`positive_only`).
    pub positive_only: bool,
    /// Runs only for a tax-exempt client (`requires_client = "tax_exempt"`).
    pub requires_tax_exempt: bool,
    /// A matched row's amount is recoverable (`recoverable = "amount"`).
    pub recoverable_amount: bool,
    /// Matched rows of the latest period recur (`monthly = "latest_period_amount"`).
    pub monthly_latest: bool,
    /// Findings group by service (`group_by` has `"service"`).
    pub by_service: bool,
    /// Findings group by description (`group_by` has `"description"`).
    pub by_description: bool,
    /// Findings group by charge code (`group_by` has `"charge_code"`).
    pub by_code: bool,
    /// The finding's text with its placeholders (`finding`).
    pub template: String,
}

const PLACEHOLDERS: [&str; 5] = ["description", "charge_code", "service", "account", "carrier"];

impl MatchingCharge {
    pub(crate) fn read(f: &mut Fields) -> Result<Self, RuleError> {
        let charge_types = f.opt_charge_types("charge_types")?.unwrap_or(ChargeTypes::ALL);
        let description_pattern = f.opt_regex("description_pattern")?;
        let code_pattern = f.opt_regex("code_pattern")?;
        let match_all = f
            .opt_choice("match", &["any", "all"])?
            .is_some_and(|m| m == "all");
        let positive_only = f.opt_bool("positive_only")?.unwrap_or(true);
        let requires_tax_exempt = f.opt_choice("requires_client", &["tax_exempt"])?.is_some();
        let recoverable_amount = f
            .opt_choice("recoverable", &["amount", "none"])?
            .is_none_or(|m| m == "amount");
        let monthly_latest = f
            .opt_choice("monthly", &["latest_period_amount", "none"])?
            .is_some_and(|m| m == "latest_period_amount");
        let group_by = f
            .opt_str_list("group_by")?
            .unwrap_or_else(|| vec!["service".to_string(), "description".to_string()]);
        let (mut by_service, mut by_description, mut by_code) = (false, false, false);
        for g in &group_by {
            match g.as_str() {
                "account" => {}
                "service" => by_service = true,
                "description" => by_description = true,
                "charge_code" => by_code = true,
                other => {
                    return Err(f.err(
                        "group_by",
                        &format!(
                            "unknown grouping {other:?}; use any of \"account\", \"service\", \
                             \"description\", \"charge_code\""
                        ),
                    ))
                }
            }
        }
        let template = f
            .opt_str("finding")?
            .unwrap_or_else(|| "{description}".to_string());
        check_template(&template).map_err(|m| f.err("finding", &m))?;
        Ok(MatchingCharge {
            charge_types,
            description_pattern,
            code_pattern,
            match_all,
            positive_only,
            requires_tax_exempt,
            recoverable_amount,
            monthly_latest,
            by_service,
            by_description,
            by_code,
            template,
        })
    }
}

/// A group's key: account, then service, description and charge code (each
/// `Sym::EMPTY` unless `group_by` holds it).
type GroupKey = (AccId, Sym, Sym, Sym);

/// The rows of a run of rows that a rule matched: the groups' keys in order
/// of first appearance, and each matched row with its group's place there.
struct Matched {
    keys: Vec<GroupKey>,
    rows: Vec<(u32, RowId)>,
}

/// How many rows one task matches: the row scan is split in runs of rows
/// matched in parallel, whose groups are then joined in row order.
const CHUNK: usize = 1 << 17;

impl Kind for MatchingCharge {
    fn run(&self, id: &str, dump: &Dump, ix: &Index) -> Vec<Finding> {
        self.run_in_chunks(id, dump, ix, CHUNK)
    }
}

impl MatchingCharge {
    /// As [`Kind::run`], matching runs of `rows_per_chunk` rows in parallel
    /// (`run` takes 2^17): the findings are the same whatever the size (a test
    /// compares them).
    pub fn run_in_chunks(&self, id: &str, dump: &Dump, ix: &Index, rows_per_chunk: usize) -> Vec<Finding> {
        if self.requires_tax_exempt && !dump.config.tax_exempt {
            return Vec::new();
        }
        let chunk = rows_per_chunk.max(1);
        // Runs of rows matched in parallel, then joined in row order: every
        // group's rows end up ascending, as one scan would leave them.
        let chunks: Vec<Matched> = dump
            .rows
            .par_chunks(chunk)
            .enumerate()
            .map(|(c, rows)| self.scan(dump, c * chunk, rows, ix))
            .collect();
        let groups = join_groups(&chunks);
        groups
            .into_par_iter()
            .map(|(key, rows)| self.finding(id, dump, ix, key, rows))
            .collect()
    }
}

/// The groups of every run, in order of first appearance, each with its rows
/// in row order: the runs' groups numbered across runs, then the rows placed
/// by a counting sort (each group's share of one list, no list grown row by row).
fn join_groups(chunks: &[Matched]) -> Vec<(GroupKey, Vec<RowId>)> {
    let mut at: FxHashMap<GroupKey, u32> = FxHashMap::default();
    let mut keys: Vec<GroupKey> = Vec::new();
    let numbers: Vec<Vec<u32>> = chunks
        .iter()
        .map(|c| {
            c.keys
                .iter()
                .map(|&k| {
                    *at.entry(k).or_insert_with(|| {
                        keys.push(k);
                        (keys.len() - 1) as u32
                    })
                })
                .collect()
        })
        .collect();
    let mut counts = vec![0usize; keys.len()];
    for (c, n) in chunks.iter().zip(&numbers) {
        for &(g, _) in &c.rows {
            counts[n[g as usize] as usize] += 1;
        }
    }
    let mut groups: Vec<(GroupKey, Vec<RowId>)> = keys
        .into_iter()
        .zip(&counts)
        .map(|(k, &n)| (k, Vec::with_capacity(n)))
        .collect();
    for (c, n) in chunks.iter().zip(&numbers) {
        for &(g, r) in &c.rows {
            groups[n[g as usize] as usize].1.push(r);
        }
    }
    groups
}

impl MatchingCharge {
    /// The rows of `rows` (the dump's rows from `first` on) that the rule
    /// matches, each with its group. Each text is matched against the
    /// patterns once ([`SymMemo`]), not once a row.
    fn scan(&self, dump: &Dump, first: usize, rows: &[telaudit_model::Row], ix: &Index) -> Matched {
        let mut desc_memo = SymMemo::new(dump);
        let mut code_memo = SymMemo::new(dump);
        let mut at: FxHashMap<GroupKey, u32> = FxHashMap::default();
        let mut out = Matched {
            keys: Vec::new(),
            rows: Vec::new(),
        };
        // Rows come in runs of one group: its number is looked up once a run.
        let mut last: Option<(GroupKey, u32)> = None;
        for (j, row) in rows.iter().enumerate() {
            if !self.charge_types.contains(row.charge_type)
                || (self.positive_only && !row.amount.is_positive())
            {
                continue;
            }
            let mut results = [None, None];
            if let Some(re) = &self.description_pattern {
                results[0] = Some(desc_memo.get(row.description, || re.is_match(dump.s(row.description))));
            }
            if let Some(re) = &self.code_pattern {
                results[1] = Some(code_memo.get(row.charge_code, || re.is_match(dump.s(row.charge_code))));
            }
            let given = results.iter().flatten();
            let found = if self.match_all {
                given.clone().all(|&m| m)
            } else {
                given.clone().count() == 0 || given.clone().any(|&m| m)
            };
            if !found {
                continue;
            }
            let i = first + j;
            let key = (
                ix.row_acc[i],
                if self.by_service { row.service } else { Sym::EMPTY },
                if self.by_description {
                    row.description
                } else {
                    Sym::EMPTY
                },
                if self.by_code { row.charge_code } else { Sym::EMPTY },
            );
            let g = match last {
                Some((k, g)) if k == key => g,
                _ => {
                    let g = *at.entry(key).or_insert_with(|| {
                        out.keys.push(key);
                        (out.keys.len() - 1) as u32
                    });
                    last = Some((key, g));
                    g
                }
            };
            out.rows.push((g, i as RowId));
        }
        out
    }

    /// One group's finding: its rows (ascending), their claims, its text.
    fn finding(&self, id: &str, dump: &Dump, ix: &Index, key: GroupKey, rows: Vec<RowId>) -> Finding {
        let first = &dump.rows[rows[0] as usize];
        let mut draft = Draft::new(first.carrier, first.account, key.1);
        if self.by_description {
            draft.group.push(dump.s(first.description).to_string());
        }
        if self.by_code {
            draft.group.push(dump.s(first.charge_code).to_string());
        }
        if self.recoverable_amount || self.monthly_latest {
            draft.claims = rows
                .iter()
                .map(|&r| {
                    let amount = dump.rows[r as usize].amount.to_decimal();
                    let recoverable = if self.recoverable_amount {
                        amount
                    } else {
                        Decimal::ZERO
                    };
                    let monthly = if self.monthly_latest && ix.recurs_monthly(dump, r) {
                        amount
                    } else {
                        Decimal::ZERO
                    };
                    row_claim(r, recoverable, monthly)
                })
                .collect();
        }
        draft.rows = rows;
        let n = draft.distinct_periods(dump).len();
        let mut text = self.fill(dump, &draft);
        text.push_str(", ");
        text.push_str(&periods_text(n));
        draft.finish(id, dump, text)
    }
}

impl MatchingCharge {
    /// The template with the group's values; a value that differs between the
    /// group's rows shows as the first (by text) and how many others.
    fn fill(&self, dump: &Dump, draft: &Draft) -> String {
        let mut out = String::with_capacity(self.template.len() + 32);
        let mut rest = self.template.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else { break };
            let name = &after[..close];
            let field = |f: fn(&telaudit_model::Row) -> Sym| -> String {
                // The distinct symbols first (a group's rows mostly share one),
                // then their texts in text order.
                let mut syms: Vec<Sym> = draft.rows.iter().map(|&r| f(&dump.rows[r as usize])).collect();
                syms.sort_unstable();
                syms.dedup();
                let mut v: Vec<&str> = syms.into_iter().map(|s| dump.s(s)).collect();
                v.sort_unstable();
                v.dedup();
                match v.len() {
                    0 => String::new(),
                    1 => v[0].to_string(),
                    n => format!("{} (and {} other{})", v[0], n - 1, if n == 2 { "" } else { "s" }),
                }
            };
            out.push_str(&match name {
                "description" => field(|r| r.description),
                "charge_code" => field(|r| r.charge_code),
                "service" => field(|r| r.service),
                "account" => dump.s(draft.account).to_string(),
                "carrier" => dump.s(draft.carrier).to_string(),
                _ => String::new(),
            });
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// Refuses a template naming an unknown `{placeholder}` or with an unclosed brace.
fn check_template(t: &str) -> Result<(), String> {
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err("has a '{' without its '}'".to_string());
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "names {{{name}}}; the template may use {}",
                PLACEHOLDERS
                    .iter()
                    .map(|p| format!("{{{p}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}
