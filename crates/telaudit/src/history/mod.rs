//! The finding history of batch runs (docs/history.md, the contract's
//! history.md): where it lives, its tables (schema version 2: version 1 plus
//! the ledger's recovered and outstanding money per client run), and how one
//! run updates it.
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

/// The schema version this telaudit writes (history.md section 2).
pub const SCHEMA_VERSION: i64 = 2;

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
}

/// The findings of an audit as history items, one per key, sorted by key. Two
/// findings with one key (two contract lines alike but for the amount) become
/// one: the first one's text, the sum of their money.
pub fn items_of(dump: &Dump, results: &[RuleResult]) -> Vec<Item> {
    let mut by_key: HashMap<&str, Item> = HashMap::new();
    for f in results.iter().flat_map(|r| &r.findings) {
        by_key
            .entry(&f.key)
            .and_modify(|i| {
                i.recoverable += f.recoverable;
                i.monthly += f.monthly;
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
    /// The client's keys, each with whether it is open.
    fn keys(&mut self, client: &str) -> Result<HashMap<String, bool>, String>;
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
    /// Adds the client's client_runs row.
    fn client_run(&mut self, run: i64, c: &ClientRun, n: Counts) -> Result<(), String>;
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

/// An audited client: upsert its findings, resolve the open ones it no longer has.
fn apply_audit(tx: &mut dyn Tx, client: &str, items: &[Item], run: i64) -> Result<Counts, String> {
    let known = tx.keys(client)?;
    let new = items.iter().filter(|i| !known.contains_key(&i.key)).count() as u64;
    let present: std::collections::HashSet<&str> = items.iter().map(|i| i.key.as_str()).collect();
    let mut gone: Vec<&str> = known
        .iter()
        .filter(|(k, open)| **open && !present.contains(k.as_str()))
        .map(|(k, _)| k.as_str())
        .collect();
    gone.sort_unstable();
    tx.upsert(client, items, run)?;
    tx.resolve(client, &gone, run)?;
    Ok(Counts {
        new,
        resolved: gone.len() as u64,
    })
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
        };
        match by_key.get_mut(&item.key) {
            Some(i) => {
                i.recoverable += item.recoverable;
                i.monthly += item.monthly;
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
}

/// What `telaudit history` reports from: the open findings and the client runs.
#[derive(Clone, Debug, Default)]
pub struct Overview {
    /// (client, recoverable, monthly, first_run) of every open finding.
    pub open: Vec<(String, String, String, i64)>,
    /// (run_id, client, new_findings, resolved_findings) of every client run.
    pub client_runs: Vec<(i64, String, i64, i64)>,
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

    #[test]
    fn unguard_removes_only_the_guard() {
        assert_eq!(unguard("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(unguard("'0042"), "'0042");
        assert_eq!(unguard("plain"), "plain");
    }
}
