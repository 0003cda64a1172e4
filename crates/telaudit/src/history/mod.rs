//! The finding history of batch runs (docs/history.md, the contract's
//! history.md): where it lives, its tables (schema version 3: version 1, the
//! ledger's recovered and outstanding money per client run of version 2, and
//! version 3's record of each run's changes with the findings' shares of the
//! totals), and how one run updates it.
//!
//! The logic is written once, over [`Tx`], the few statements a run needs; the
//! SQLite ([`sqlite`]) and PostgreSQL ([`pg`]) stores implement them. A run
//! reads a [`Snapshot`] before its clients are audited (for the "new since the
//! last run" marks) and records itself in one transaction after their folders
//! are written ([`record_run`]).

pub mod pg;
pub mod sqlite;

use crate::batch::summary::BatchStatus;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use telaudit_model::{money_string, Decimal, Dump, RuleResult};
pub use telaudit_report::{ChangeKind, PastFinding};

/// The schema version this telaudit writes (history.md section 2).
pub const SCHEMA_VERSION: i64 = 3;

/// The tables telaudit's schema has (a PostgreSQL database holding one of
/// these names without a schema version is someone else's).
pub const TABLES: [&str; 6] = [
    "meta",
    "runs",
    "client_runs",
    "findings",
    "client_inputs",
    "finding_changes",
];

/// The migrations: `MIGRATIONS[v - 1]` takes a history from version `v - 1` to
/// `v`. Version 0 is an empty database. Never edit a released one: add the next.
pub const MIGRATIONS: &[&str] = &[
    // 1: the contract's tables, plus `client_inputs`, telaudit's own record of
    // the input fingerprint each client's findings were last recorded from
    // (so a client whose folder a killed run wrote is recorded on the next run).
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE IF NOT EXISTS runs (
       run_id INTEGER PRIMARY KEY, finished_at TEXT NOT NULL,
       telaudit_version TEXT NOT NULL, shard TEXT NOT NULL);
     CREATE TABLE IF NOT EXISTS client_runs (
       run_id INTEGER NOT NULL, client TEXT NOT NULL, status TEXT NOT NULL,
       recoverable TEXT, monthly TEXT,
       new_findings INTEGER NOT NULL, resolved_findings INTEGER NOT NULL,
       PRIMARY KEY (run_id, client));
     CREATE TABLE IF NOT EXISTS findings (
       client TEXT NOT NULL, finding_key TEXT NOT NULL,
       rule TEXT NOT NULL, carrier TEXT NOT NULL, account TEXT NOT NULL, service_id TEXT NOT NULL,
       description TEXT NOT NULL, recoverable TEXT NOT NULL, monthly TEXT NOT NULL,
       first_run INTEGER NOT NULL, last_run INTEGER NOT NULL, resolved_run INTEGER,
       PRIMARY KEY (client, finding_key));
     CREATE TABLE IF NOT EXISTS client_inputs (
       client TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, run_id INTEGER NOT NULL);",
    // 2 (issue 23, docs/recovery.md): what the client's claims brought back, as
    // in summary.csv: two-decimal text, NULL without claims.csv (and for the
    // runs recorded before it).
    "ALTER TABLE client_runs ADD COLUMN recovered TEXT;
     ALTER TABLE client_runs ADD COLUMN outstanding TEXT;",
    // 3 (issue 27, the morning review): each run's changes as it upserts (new,
    // reopened, grown, resolved) with the finding's own money before and after
    // (two-decimal text; NULL: before a new one, after a resolved one); each
    // finding's share of the totals after the overlap rule, exact as
    // findings.csv writes it (NULL for the rows recorded before); how many
    // findings grew per client run (NULL for the runs before).
    "CREATE TABLE finding_changes (
       run_id INTEGER NOT NULL, client TEXT NOT NULL, finding_key TEXT NOT NULL,
       change TEXT NOT NULL,
       recoverable_before TEXT, monthly_before TEXT,
       recoverable_after TEXT, monthly_after TEXT,
       PRIMARY KEY (run_id, client, finding_key));
     ALTER TABLE findings ADD COLUMN recoverable_in_totals TEXT;
     ALTER TABLE findings ADD COLUMN monthly_in_totals TEXT;
     ALTER TABLE client_runs ADD COLUMN grown_findings INTEGER;",
];

/// Where the history lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file (created on first use).
    Sqlite(PathBuf),
    /// A PostgreSQL URL, `postgres://user:password@host:port/database`.
    Postgres(String),
}

impl Location {
    /// `--history URL`, or `DIR/history.sqlite` without it.
    pub fn parse(arg: Option<&str>, out: &Path) -> Result<Location, String> {
        match arg {
            None => Ok(Location::Sqlite(out.join("history.sqlite"))),
            Some(a) if a.starts_with("postgres://") || a.starts_with("postgresql://") => {
                Ok(Location::Postgres(a.to_string()))
            }
            Some(a) => match a.strip_prefix("sqlite:") {
                Some(p) if !p.is_empty() => Ok(Location::Sqlite(PathBuf::from(p))),
                // A mistyped URL still carries its password: never shown.
                _ => Err(format!(
                    "--history {:?}: give sqlite:PATH or postgres://user:password@host:port/database",
                    pg::without_password(a)
                )),
            },
        }
    }

    /// How messages name it: the path, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(p) => p.display().to_string(),
            Location::Postgres(url) => pg::without_password(url),
        }
    }
}

/// One finding as the history stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The stable finding key.
    pub key: String,
    /// The rule id.
    pub rule: String,
    /// Carrier, account and service_id as in findings.csv.
    pub carrier: String,
    /// The account.
    pub account: String,
    /// The service_id (empty for an account-level finding).
    pub service_id: String,
    /// The finding's text.
    pub description: String,
    /// Exact recoverable (written with two decimals).
    pub recoverable: Decimal,
    /// Exact monthly (written with two decimals).
    pub monthly: Decimal,
    /// Its share of the totals' recoverable after the overlap rule (report.json's
    /// `in_totals`, findings.csv's `recoverable_in_totals`), written exact.
    pub recoverable_in_totals: Decimal,
    /// Its share of the totals' monthly, written exact.
    pub monthly_in_totals: Decimal,
}

/// The findings of an audit as history items, one per key, sorted by key. Two
/// findings with one key (two contract lines alike but for the amount) become
/// one: the first one's text, the sum of their money. `in_totals` is each
/// finding's share of the totals in the results' order (`Report::in_totals`).
pub fn items_of(dump: &Dump, results: &[RuleResult], in_totals: &[(Decimal, Decimal)]) -> Vec<Item> {
    let mut by_key: HashMap<&str, Item> = HashMap::new();
    for (n, f) in results.iter().flat_map(|r| &r.findings).enumerate() {
        let (rec_in, mon_in) = in_totals.get(n).copied().unwrap_or_default();
        by_key
            .entry(&f.key)
            .and_modify(|i| {
                i.recoverable += f.recoverable;
                i.monthly += f.monthly;
                i.recoverable_in_totals += rec_in;
                i.monthly_in_totals += mon_in;
            })
            .or_insert_with(|| Item {
                key: f.key.clone(),
                rule: f.rule.clone(),
                carrier: dump.s(f.carrier).to_string(),
                account: dump.s(f.account).to_string(),
                service_id: dump.s(f.service).to_string(),
                description: f.description.clone(),
                recoverable: f.recoverable,
                monthly: f.monthly,
                recoverable_in_totals: rec_in,
                monthly_in_totals: mon_in,
            });
    }
    let mut items: Vec<Item> = by_key.into_values().collect();
    items.sort_by(|a, b| a.key.cmp(&b.key));
    items
}

/// What a run knows about one client for the history.
#[derive(Clone, Debug)]
pub enum Update {
    /// Audited now: its findings, and the input fingerprint they come from.
    Audited(Vec<Item>, Option<String>),
    /// Reused: the fingerprint of its stored output and the folder holding it
    /// (read only when the history did not record that output yet).
    Unchanged(String, PathBuf),
    /// Failed: the history does not change.
    Error,
}

/// One client of a run.
#[derive(Clone, Debug)]
pub struct ClientRun {
    /// The client id.
    pub client: String,
    /// As in summary.csv.
    pub status: BatchStatus,
    /// The summary's figures (two-decimal text), `None` for a failed client.
    pub recoverable: Option<String>,
    /// The summary's monthly.
    pub monthly: Option<String>,
    /// The summary's recovered (the ledger's), `None` without claims.csv.
    pub recovered: Option<String>,
    /// The summary's outstanding, `None` without claims.csv.
    pub outstanding: Option<String>,
    /// How the client's findings change.
    pub update: Update,
}

/// How a run changed one client's findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Keys first seen in this run.
    pub new: u64,
    /// Findings resolved in this run.
    pub resolved: u64,
    /// Open findings whose recoverable rose in this run.
    pub grown: u64,
}

/// What the history holds of one of a client's finding keys before a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Known {
    /// Open (`false`: resolved).
    pub open: bool,
    /// Its recoverable at the last run that saw it, as stored (two decimals).
    pub recoverable: String,
    /// Its monthly then.
    pub monthly: String,
}

/// One row of `finding_changes`: how one finding changed in a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The finding key.
    pub key: String,
    /// new, reopened, grown or resolved.
    pub kind: ChangeKind,
    /// (recoverable, monthly) at the last run that saw it, two-decimal text;
    /// `None` for a new finding.
    pub before: Option<(String, String)>,
    /// (recoverable, monthly) now; `None` for a resolved finding.
    pub after: Option<(String, String)>,
}

/// Before a run: per client, every finding key the history holds and whether
/// it is open; and the last run's id (0 for an empty history).
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// client -> key -> open.
    pub clients: HashMap<String, HashMap<String, bool>>,
    /// The greatest run_id, 0 when none.
    pub last_run: i64,
    /// How long opening the store and reading this took.
    pub took: std::time::Duration,
}

/// The statements a run needs, inside its one transaction.
pub trait Tx {
    /// The schema version, 0 when the database has no `meta` table.
    fn version(&mut self) -> Result<i64, String>;
    /// The tables of a database without telaudit's schema version that make it
    /// someone else's: for SQLite every table, for PostgreSQL (a database a team
    /// shares with other tools) the tables named like telaudit's.
    fn foreign_tables(&mut self) -> Result<Vec<String>, String>;
    /// Runs statements (a migration).
    fn batch(&mut self, sql: &str) -> Result<(), String>;
    /// Sets meta's schema_version.
    fn set_version(&mut self, v: i64) -> Result<(), String>;
    /// Adds the next run (greatest run_id + 1) and returns its id.
    fn add_run(&mut self, finished_at: &str, shard: &str) -> Result<i64, String>;
    /// The client's keys, each with whether it is open and its stored money.
    fn keys(&mut self, client: &str) -> Result<HashMap<String, Known>, String>;
    /// The fingerprint its findings were last recorded from.
    fn fingerprint(&mut self, client: &str) -> Result<Option<String>, String>;
    /// Records that fingerprint.
    fn set_fingerprint(&mut self, client: &str, fp: &str, run: i64) -> Result<(), String>;
    /// Inserts new keys (first_run = last_run = run) and updates known ones
    /// (last_run = run, the values, resolved_run = NULL).
    fn upsert(&mut self, client: &str, items: &[Item], run: i64) -> Result<(), String>;
    /// Sets resolved_run = run on these keys.
    fn resolve(&mut self, client: &str, keys: &[&str], run: i64) -> Result<(), String>;
    /// Sets last_run = run on the client's open findings.
    fn touch(&mut self, client: &str, run: i64) -> Result<(), String>;
    /// Adds the client's `finding_changes` rows of this run.
    fn changes(&mut self, client: &str, changes: &[Change], run: i64) -> Result<(), String>;
    /// Adds the client's client_runs row.
    fn client_run(&mut self, run: i64, c: &ClientRun, n: Counts) -> Result<(), String>;
    /// The greatest run_id: of the runs that included `client` when given;
    /// `None` when there is none.
    fn latest_run(&mut self, client: Option<&str>) -> Result<Option<i64>, String>;
    /// The least and the greatest run_id; `None` without runs.
    fn run_range(&mut self) -> Result<Option<(i64, i64)>, String>;
    /// The `finding_changes` rows of a run (of one client when given), each
    /// with its finding's text from `findings` (schema version 3).
    fn run_changes(&mut self, run: i64, client: Option<&str>) -> Result<Vec<StoredChange>, String>;
    /// The client's findings, open and resolved, sorted by key.
    fn findings_of(&mut self, client: &str) -> Result<Vec<StoredFinding>, String>;
}

/// A `finding_changes` row with its finding's text, every cell as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredChange {
    pub client: String,
    pub key: String,
    pub change: String,
    pub rule: String,
    pub carrier: String,
    pub account: String,
    pub service_id: String,
    pub description: String,
    /// recoverable_before, monthly_before, recoverable_after, monthly_after.
    pub money: [Option<String>; 4],
}

/// A `findings` row as stored (the money as text).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredFinding {
    pub key: String,
    pub rule: String,
    pub carrier: String,
    pub account: String,
    pub service_id: String,
    pub description: String,
    pub recoverable: String,
    pub monthly: String,
}

/// One change of a run, read back for `telaudit history --changes` and review.csv.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRow {
    /// The client id.
    pub client: String,
    /// new, reopened, grown or resolved.
    pub kind: ChangeKind,
    /// The finding key.
    pub key: String,
    /// The rule id.
    pub rule: String,
    /// The carrier.
    pub carrier: String,
    /// The account.
    pub account: String,
    /// The service_id.
    pub service_id: String,
    /// The finding's text (at the last run that saw it).
    pub description: String,
    /// (recoverable, monthly) before the run; `None` for a new finding.
    pub before: Option<(Decimal, Decimal)>,
    /// (recoverable, monthly) after it; `None` for a resolved finding.
    pub after: Option<(Decimal, Decimal)>,
}

/// The changes of one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunChanges {
    /// The run.
    pub run: i64,
    /// Its changes, sorted by client (byte order), kind (new, reopened, grown,
    /// resolved), the largest change of first-year value first, then key.
    pub rows: Vec<ChangeRow>,
}

/// The changes of run `run` (default: the latest run, or with `client` the
/// latest run that included it), of one client when given. `version` is the
/// store's schema version: the changes are recorded from version 3 on. Errors
/// name what is missing (no run N, no such client) or damaged.
pub fn read_changes(
    tx: &mut dyn Tx,
    version: i64,
    run: Option<i64>,
    client: Option<&str>,
) -> Result<RunChanges, String> {
    if version == 0 {
        return Err("holds no run yet".into());
    }
    if version < 3 {
        return Err(format!(
            "has schema version {version}: the changes of each run are recorded from version 3 on; run \
             `telaudit batch` with this telaudit first (it migrates the history)"
        ));
    }
    let range = tx.run_range()?;
    let Some((first, last)) = range else {
        return Err("holds no run yet".into());
    };
    if let Some(c) = client {
        if tx.latest_run(Some(c))?.is_none() {
            return Err(format!("holds no client {c:?}"));
        }
    }
    let run = match run {
        Some(n) if n < first || n > last => {
            return Err(format!("holds no run {n} (its runs are {first} to {last})"));
        }
        Some(n) => n,
        None => tx.latest_run(client)?.unwrap_or(last),
    };
    let mut rows = Vec::new();
    for c in tx.run_changes(run, client)? {
        rows.push(change_row(c, run)?);
    }
    rows.sort_by(|a, b| {
        a.client
            .as_bytes()
            .cmp(b.client.as_bytes())
            .then(a.kind.cmp(&b.kind))
            .then_with(|| {
                let size = |r: &ChangeRow| telaudit_report::first_year_change(r.before, r.after).abs();
                size(b).cmp(&size(a))
            })
            .then_with(|| a.key.cmp(&b.key))
    });
    Ok(RunChanges { run, rows })
}

/// An error of a store named by `place`: `the history P: reason`, or `the
/// history P holds no run 9` for the reasons [`read_changes`] words that way.
pub fn named(place: &str, e: String) -> String {
    if e.starts_with("the history") {
        e
    } else if e.starts_with("holds ") || e.starts_with("has ") {
        format!("the history {place} {e}")
    } else {
        format!("the history {place}: {e}")
    }
}

/// A stored change with its money read; a cell that is not an amount (or a
/// change word telaudit does not write) is damage, named.
fn change_row(c: StoredChange, run: i64) -> Result<ChangeRow, String> {
    let damaged = |what: String| {
        format!(
            "finding_changes.{what} of client {:?} in run {run} (finding {:?}); the history is damaged: \
             restore it from a backup",
            c.client, c.key
        )
    };
    let kind = ChangeKind::parse(&c.change).ok_or_else(|| {
        damaged(format!(
            "change is {:?}, not new, reopened, grown or resolved",
            c.change
        ))
    })?;
    const COLUMNS: [&str; 4] = [
        "recoverable_before",
        "monthly_before",
        "recoverable_after",
        "monthly_after",
    ];
    let mut m = [None; 4];
    for (i, cell) in c.money.iter().enumerate() {
        m[i] = cell
            .as_deref()
            .map(|t| {
                t.parse::<Decimal>()
                    .map_err(|_| damaged(format!("{} is {t:?}, not an amount", COLUMNS[i])))
            })
            .transpose()?;
    }
    Ok(ChangeRow {
        kind,
        before: m[0].zip(m[1]),
        after: m[2].zip(m[3]),
        client: c.client,
        key: c.key,
        rule: c.rule,
        carrier: c.carrier,
        account: c.account,
        service_id: c.service_id,
        description: c.description,
    })
}

/// The client's findings in the history (open and resolved), for report.html's
/// "Since the last run" section; empty for an empty history.
pub fn past_findings(tx: &mut dyn Tx, version: i64, client: &str) -> Result<Vec<PastFinding>, String> {
    if version == 0 {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for f in tx.findings_of(client)? {
        let amount = |column: &str, t: &str| {
            t.parse::<Decimal>().map_err(|_| {
                format!(
                    "findings.{column} of client {client:?}, finding {:?}, is {t:?}, not an amount; the \
                     history is damaged: restore it from a backup",
                    f.key
                )
            })
        };
        out.push(PastFinding {
            recoverable: amount("recoverable", &f.recoverable)?,
            monthly: amount("monthly", &f.monthly)?,
            key: f.key,
            rule: f.rule,
            carrier: f.carrier,
            account: f.account,
            service_id: f.service_id,
            description: f.description,
        });
    }
    Ok(out)
}

/// The schema version of a history telaudit may use, or why not: a newer
/// version, a version that is not one (`-1`), or a database that is not empty
/// and not telaudit's (another application's tables, no schema version): it
/// is never changed.
pub fn check_version(tx: &mut dyn Tx, place: &str) -> Result<i64, String> {
    let v = tx.version()?;
    if v > SCHEMA_VERSION {
        return Err(format!(
            "the history {place} has schema version {v}, newer than this telaudit's {SCHEMA_VERSION}; \
             use a newer telaudit (or another --history)"
        ));
    }
    if v < 0 {
        return Err(format!(
            "the history {place}: meta.schema_version is {v}, not a version of telaudit's history; \
             the history is damaged: restore it from a backup or give another --history"
        ));
    }
    if v == 0 {
        let tables = tx.foreign_tables()?;
        if !tables.is_empty() {
            return Err(format!(
                "the history {place} is not empty and not telaudit's: it holds {} but no telaudit \
                 schema version; telaudit does not add its tables to another application's database: \
                 give another --history (a new file, or a telaudit history)",
                tables.join(", ")
            ));
        }
    }
    Ok(v)
}

/// Brings the schema to [`SCHEMA_VERSION`], or refuses a history it may not
/// use ([`check_version`]).
pub fn migrate(tx: &mut dyn Tx, place: &str) -> Result<(), String> {
    let v = check_version(tx, place)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(v as usize) {
        tx.batch(sql)?;
        tx.set_version(i as i64 + 1)?;
    }
    Ok(())
}

/// Records one run in `tx` (already migrated): its runs row, then each client
/// as history.md section 3 says. Returns the run id and each client's counts
/// (in the order given).
pub fn record(tx: &mut dyn Tx, clients: &[ClientRun], shard: &str) -> Result<(i64, Vec<Counts>), String> {
    let run = tx.add_run(&now_utc(), shard)?;
    let mut counts = Vec::with_capacity(clients.len());
    for c in clients {
        let n = match &c.update {
            Update::Error => Counts::default(),
            Update::Audited(items, fp) => {
                let n = apply_audit(tx, &c.client, items, run)?;
                if let Some(fp) = fp {
                    tx.set_fingerprint(&c.client, fp, run)?;
                }
                n
            }
            Update::Unchanged(fp, dir) => {
                if tx.fingerprint(&c.client)?.as_deref() == Some(fp.as_str()) {
                    tx.touch(&c.client, run)?;
                    Counts::default()
                } else {
                    // Its output was written by a run that did not record it
                    // (killed before its transaction): record it now.
                    let items = stored_items(dir)?;
                    let n = apply_audit(tx, &c.client, &items, run)?;
                    tx.set_fingerprint(&c.client, fp, run)?;
                    n
                }
            }
        };
        tx.client_run(run, c, n)?;
        counts.push(n);
    }
    test_delay();
    Ok((run, counts))
}

/// An audited client: upsert its findings, resolve the open ones it no longer
/// has, and record each change (docs/history.md, "The morning review").
fn apply_audit(tx: &mut dyn Tx, client: &str, items: &[Item], run: i64) -> Result<Counts, String> {
    let known = tx.keys(client)?;
    let changes = changes_of(client, &known, items)?;
    let gone: Vec<&str> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Resolved)
        .map(|c| c.key.as_str())
        .collect();
    tx.upsert(client, items, run)?;
    tx.resolve(client, &gone, run)?;
    tx.changes(client, &changes, run)?;
    let count = |k: ChangeKind| changes.iter().filter(|c| c.kind == k).count() as u64;
    Ok(Counts {
        new: count(ChangeKind::New),
        resolved: count(ChangeKind::Resolved),
        grown: count(ChangeKind::Grown),
    })
}

/// The changes an audit makes to a client's findings, sorted by key: each
/// item new (key never held), reopened (held as resolved), grown (open, its
/// recoverable in cents above the stored one) or unchanged (left out); each
/// open key the audit no longer has, resolved. Err: a stored money cell that is
/// not an amount (damage is never read as 0).
pub fn changes_of(
    client: &str,
    known: &HashMap<String, Known>,
    items: &[Item],
) -> Result<Vec<Change>, String> {
    let mut out = Vec::new();
    let now = |i: &Item| Some((money(i.recoverable), money(i.monthly)));
    for i in items {
        let Some(k) = known.get(&i.key) else {
            out.push(Change {
                key: i.key.clone(),
                kind: ChangeKind::New,
                before: None,
                after: now(i),
            });
            continue;
        };
        let before = Some((k.recoverable.clone(), k.monthly.clone()));
        let kind = if !k.open {
            ChangeKind::Reopened
        } else {
            let stored = k.recoverable.parse::<Decimal>().map_err(|_| {
                format!(
                    "findings.recoverable of client {client:?}, finding {:?}, is {:?}, not an amount; the \
                     history is damaged: restore it from a backup",
                    i.key, k.recoverable
                )
            })?;
            if !telaudit_report::grew(stored, i.recoverable) {
                continue;
            }
            ChangeKind::Grown
        };
        out.push(Change {
            key: i.key.clone(),
            kind,
            before,
            after: now(i),
        });
    }
    let present: std::collections::HashSet<&str> = items.iter().map(|i| i.key.as_str()).collect();
    for (key, k) in known {
        if k.open && !present.contains(key.as_str()) {
            out.push(Change {
                key: key.clone(),
                kind: ChangeKind::Resolved,
                before: Some((k.recoverable.clone(), k.monthly.clone())),
                after: None,
            });
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// The findings of a stored client folder, from its findings.csv.
pub fn stored_items(dir: &Path) -> Result<Vec<Item>, String> {
    let path = dir.join("findings.csv");
    let mut r = csv::Reader::from_path(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let headers = r
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{}: no {name} column", path.display()))
    };
    let cols = [
        col("finding_key")?,
        col("rule")?,
        col("carrier")?,
        col("account")?,
        col("service_id")?,
        col("description")?,
        col("recoverable")?,
        col("monthly")?,
        col("recoverable_in_totals")?,
        col("monthly_in_totals")?,
    ];
    let mut by_key: HashMap<String, Item> = HashMap::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
        let text = |i: usize| unguard(rec.get(cols[i]).unwrap_or(""));
        let money = |i: usize| -> Result<Decimal, String> {
            let t = rec.get(cols[i]).unwrap_or("");
            t.parse()
                .map_err(|_| format!("{}: bad amount {t:?}", path.display()))
        };
        let item = Item {
            key: text(0),
            rule: text(1),
            carrier: text(2),
            account: text(3),
            service_id: text(4),
            description: text(5),
            recoverable: money(6)?,
            monthly: money(7)?,
            recoverable_in_totals: money(8)?,
            monthly_in_totals: money(9)?,
        };
        match by_key.get_mut(&item.key) {
            Some(i) => {
                i.recoverable += item.recoverable;
                i.monthly += item.monthly;
                i.recoverable_in_totals += item.recoverable_in_totals;
                i.monthly_in_totals += item.monthly_in_totals;
            }
            None => {
                by_key.insert(item.key.clone(), item);
            }
        }
    }
    let mut items: Vec<Item> = by_key.into_values().collect();
    items.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(items)
}

/// A CSV text cell without the spreadsheet guard telaudit put before it.
fn unguard(s: &str) -> String {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => s.to_string(),
    }
}

/// Money as the history writes it: two decimals.
pub fn money(d: Decimal) -> String {
    money_string(d)
}

/// A finding's share of the totals as the history writes it: exact, as
/// findings.csv does, so the shares sum to the summary's figure rounded once.
pub fn exact(d: Decimal) -> String {
    telaudit_report::exact_money(d)
}

/// Test hook: milliseconds to sleep inside the run's transaction, before its
/// commit, so that tests/e2e_history.rs can kill a run in the middle of it.
pub const TEST_DELAY_ENV: &str = "TELAUDIT_TEST_HISTORY_DELAY_MS";

fn test_delay() {
    if let Some(ms) = std::env::var(TEST_DELAY_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// The time now as ISO-8601 UTC text, e.g. `2026-12-01T13:05:09Z`.
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    iso_utc(secs)
}

/// Seconds since 1970 as ISO-8601 UTC (days to a civil date: Howard Hinnant's algorithm).
fn iso_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A store: SQLite or PostgreSQL.
pub enum Store {
    /// An open SQLite file.
    Sqlite(sqlite::Sqlite),
    /// A PostgreSQL connection.
    Postgres(pg::Pg),
}

impl Store {
    /// Opens (connects to) the history; a SQLite file is created when missing.
    pub fn open(loc: &Location) -> Result<Store, String> {
        match loc {
            Location::Sqlite(p) => sqlite::Sqlite::open(p).map(Store::Sqlite),
            Location::Postgres(url) => pg::Pg::connect(url).map(Store::Postgres),
        }
    }

    /// The history before a run (refuses a newer schema).
    pub fn snapshot(&mut self) -> Result<Snapshot, String> {
        match self {
            Store::Sqlite(s) => s.snapshot(),
            Store::Postgres(p) => p.snapshot(),
        }
    }

    /// Records a run in one transaction (migrating first); see [`record`].
    pub fn record_run(&mut self, clients: &[ClientRun], shard: &str) -> Result<(i64, Vec<Counts>), String> {
        match self {
            Store::Sqlite(s) => s.record_run(clients, shard),
            Store::Postgres(p) => p.record_run(clients, shard),
        }
    }

    /// Every table's rows as text, for `telaudit history` and the tests.
    pub fn overview(&mut self) -> Result<Overview, String> {
        match self {
            Store::Sqlite(s) => s.overview(),
            Store::Postgres(p) => p.overview(),
        }
    }

    /// Runs `f` in a read transaction (refusing a store telaudit may not use),
    /// with the schema version; its errors are prefixed with the store's name.
    pub fn read<T>(&mut self, f: impl FnOnce(&mut dyn Tx, i64) -> Result<T, String>) -> Result<T, String> {
        match self {
            Store::Sqlite(s) => s.read(f),
            Store::Postgres(p) => p.read(f),
        }
    }

    /// The changes of a run ([`read_changes`]).
    pub fn changes(&mut self, run: Option<i64>, client: Option<&str>) -> Result<RunChanges, String> {
        self.read(|tx, v| read_changes(tx, v, run, client))
    }

    /// The client's findings before a run ([`past_findings`]).
    pub fn past_findings(&mut self, client: &str) -> Result<Vec<PastFinding>, String> {
        self.read(|tx, v| past_findings(tx, v, client))
    }
}

/// One open finding as `telaudit history` reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenRow {
    /// The client.
    pub client: String,
    /// Its own recoverable and monthly (two-decimal text).
    pub recoverable: String,
    /// Its monthly.
    pub monthly: String,
    /// Its shares of the totals (exact text); `None` for a finding last
    /// recorded before schema version 3.
    pub recoverable_in_totals: Option<String>,
    /// Its monthly share.
    pub monthly_in_totals: Option<String>,
    /// The run that first found it.
    pub first_run: i64,
}

/// What `telaudit history` reports from: the open findings and the client runs.
#[derive(Clone, Debug, Default)]
pub struct Overview {
    /// Every open finding.
    pub open: Vec<OpenRow>,
    /// (run_id, client, new_findings, resolved_findings, grown_findings) of
    /// every client run (grown: `None` for a run before schema version 3).
    pub client_runs: Vec<(i64, String, i64, i64, Option<i64>)>,
    /// (run_id, client, recovered, outstanding) of every client run (NULL:
    /// no claims.csv, or a run before schema version 2).
    pub recovery: Vec<(i64, String, Option<String>, Option<String>)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_iso_utc() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        // 2024-02-29 12:34:56 UTC (a leap day).
        assert_eq!(iso_utc(1_709_210_096), "2024-02-29T12:34:56Z");
    }

    #[test]
    fn locations() {
        let out = Path::new("/o");
        assert_eq!(
            Location::parse(None, out),
            Ok(Location::Sqlite(PathBuf::from("/o/history.sqlite")))
        );
        assert_eq!(
            Location::parse(Some("sqlite:/x/h.db"), out),
            Ok(Location::Sqlite(PathBuf::from("/x/h.db")))
        );
        assert!(matches!(
            Location::parse(Some("postgres://u:p@h:5/d"), out),
            Ok(Location::Postgres(_))
        ));
        assert!(Location::parse(Some("mysql://x"), out).is_err());
        assert!(Location::parse(Some("sqlite:"), out).is_err());
        assert_eq!(
            Location::parse(Some("postgres://u:secret@h:5/d"), out)
                .unwrap()
                .describe(),
            "postgres://u:***@h:5/d"
        );
        let e = Location::parse(Some("postgre://u:hunter2@h/d"), out).unwrap_err();
        assert!(!e.contains("hunter2") && e.contains("postgre://u:***@h/d"), "{e}");
    }

    #[test]
    fn every_form_of_password_libpq_accepts_is_masked() {
        for (url, masked) in [
            ("postgres://u:secret@h:5/d", "postgres://u:***@h:5/d"),
            ("postgres://u:hun@ter2@host/db", "postgres://u:***@host/db"),
            (
                "postgresql://u@h/d?password=hunter2",
                "postgresql://u@h/d?password=***",
            ),
            (
                "postgres://h/d?sslmode=disable&PassWord=hunter2&application_name=x",
                "postgres://h/d?sslmode=disable&PassWord=***&application_name=x",
            ),
            (
                "postgres://h/d?pass%77ord=hunter2",
                "postgres://h/d?pass%77ord=***",
            ),
            (
                "postgres://h/d?sslpassword=hunter2",
                "postgres://h/d?sslpassword=***",
            ),
            (
                "postgres://u:a:b@h/d?password=c",
                "postgres://u:***@h/d?password=***",
            ),
            ("postgres://u@h/d", "postgres://u@h/d"),
            (
                "host=h user=u password=hunter2 dbname=d",
                "host=h user=u password=*** dbname=d",
            ),
            (
                "host=h password = 'hun ter\\' 2' dbname=d",
                "host=h password = *** dbname=d",
            ),
        ] {
            let got = pg::without_password(url);
            assert_eq!(got, masked, "{url}");
            for secret in ["hunter2", "secret", "hun", "ter"] {
                assert!(!got.contains(secret), "{url}: {got}");
            }
        }
    }

    fn item(key: &str, rec: &str) -> Item {
        Item {
            key: key.into(),
            rule: "FEE001".into(),
            carrier: "V".into(),
            account: "1".into(),
            service_id: String::new(),
            description: "late fee".into(),
            recoverable: rec.parse().unwrap(),
            monthly: Decimal::ZERO,
            recoverable_in_totals: rec.parse().unwrap(),
            monthly_in_totals: Decimal::ZERO,
        }
    }

    fn known(open: bool, rec: &str) -> Known {
        Known {
            open,
            recoverable: rec.into(),
            monthly: "0.00".into(),
        }
    }

    #[test]
    fn changes_are_new_reopened_grown_or_resolved() {
        let held: HashMap<String, Known> = [
            ("fee", known(true, "15.00")),
            ("same", known(true, "20.00")),
            ("fell", known(true, "20.00")),
            ("half-cent", known(true, "20.00")),
            ("back", known(false, "9.00")),
            ("gone", known(true, "7.50")),
            ("gone-before", known(false, "3.00")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let items = [
            item("back", "9.00"),
            item("fee", "35.00"),
            item("fell", "19.99"),
            item("half-cent", "20.004"),
            item("new", "12.00"),
            item("same", "20.00"),
        ];
        type Money = Option<(String, String)>;
        let got: Vec<(String, &str, Money, Money)> = changes_of("acme", &held, &items)
            .unwrap()
            .into_iter()
            .map(|c| (c.key, c.kind.as_str(), c.before, c.after))
            .collect();
        let m = |r: &str, mo: &str| Some((r.to_string(), mo.to_string()));
        assert_eq!(
            got,
            [
                ("back".into(), "reopened", m("9.00", "0.00"), m("9.00", "0.00")),
                ("fee".into(), "grown", m("15.00", "0.00"), m("35.00", "0.00")),
                ("gone".into(), "resolved", m("7.50", "0.00"), None),
                ("new".into(), "new", None, m("12.00", "0.00")),
            ]
        );
        let damaged: HashMap<String, Known> = [("fee".to_string(), known(true, "abc"))].into_iter().collect();
        assert_eq!(
            changes_of("acme", &damaged, &[item("fee", "1.00")]).unwrap_err(),
            "findings.recoverable of client \"acme\", finding \"fee\", is \"abc\", not an amount; the \
             history is damaged: restore it from a backup"
        );
    }

    #[test]
    fn unguard_removes_only_the_guard() {
        assert_eq!(unguard("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(unguard("'0042"), "'0042");
        assert_eq!(unguard("plain"), "plain");
    }
}
