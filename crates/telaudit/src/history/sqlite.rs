//! The history in a SQLite file (rusqlite, SQLite compiled in: no system
//! library needed). A run's transaction is `BEGIN IMMEDIATE`: it takes the
//! write lock first, so two runs on one file take turns; a run that waits
//! longer than [`BUSY_MS`] for another's lock fails with "database is locked".

use super::{
    exact, money, Change, ClientRun, Counts, Item, Known, OpenRow, Overview, Snapshot, StoredChange,
    StoredFinding, Tx,
};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How long a run waits for another run's lock on the file.
pub const BUSY_MS: u64 = 5_000;

/// An open history file.
pub struct Sqlite {
    conn: Connection,
    path: PathBuf,
}

impl Sqlite {
    /// Opens `path`, creating an empty file when missing. A file that is not a
    /// SQLite database is refused here (its header is read at once).
    pub fn open(path: &Path) -> Result<Sqlite, String> {
        let err = |e: rusqlite::Error| format!("the history {}: {}", path.display(), reason(&e));
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_millis(BUSY_MS))
            .map_err(err)?;
        // Reads the header: "file is not a database" shows here, not at the end.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
            .map_err(err)?;
        Ok(Sqlite {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The history before a run; empty for a new file.
    pub fn snapshot(&mut self) -> Result<Snapshot, String> {
        let place = self.path.display().to_string();
        let tx = self
            .conn
            .transaction()
            .map_err(|e| format!("the history {place}: {}", reason(&e)))?;
        let mut t = SqliteTx { tx };
        let v = super::check_version(&mut t, &place).map_err(|e| prefix(e, &place))?;
        let mut snap = Snapshot::default();
        if v == 0 {
            return Ok(snap);
        }
        let tx = &t.tx;
        let sql = |e: rusqlite::Error| format!("the history {place}: {}", reason(&e));
        snap.last_run = tx
            .query_row("SELECT COALESCE(MAX(run_id), 0) FROM runs", [], |r| r.get(0))
            .map_err(sql)?;
        let mut st = tx
            .prepare("SELECT client, finding_key, resolved_run IS NULL FROM findings")
            .map_err(sql)?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            })
            .map_err(sql)?;
        for row in rows {
            let (client, key, open) = row.map_err(sql)?;
            snap.clients.entry(client).or_default().insert(key, open);
        }
        Ok(snap)
    }

    /// Records a run in one `BEGIN IMMEDIATE` transaction.
    pub fn record_run(&mut self, clients: &[ClientRun], shard: &str) -> Result<(i64, Vec<Counts>), String> {
        let place = self.path.display().to_string();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| format!("the history {place}: {}", reason(&e)))?;
        let mut t = SqliteTx { tx };
        let wrap = |e: String| format!("the history {place}: {e}");
        super::migrate(&mut t, &place).map_err(|e| prefix(e, &place))?;
        let out = super::record(&mut t, clients, shard).map_err(wrap)?;
        t.tx.commit()
            .map_err(|e| format!("the history {place}: {}", reason(&e)))?;
        Ok(out)
    }

    /// Runs `f` in a read transaction with the schema version (see
    /// [`super::Store::read`]).
    pub fn read<T>(&mut self, f: impl FnOnce(&mut dyn Tx, i64) -> Result<T, String>) -> Result<T, String> {
        let place = self.path.display().to_string();
        let tx = self
            .conn
            .transaction()
            .map_err(|e| format!("the history {place}: {}", reason(&e)))?;
        let mut t = SqliteTx { tx };
        let v = super::check_version(&mut t, &place).map_err(|e| prefix(e, &place))?;
        f(&mut t, v).map_err(|e| super::named(&place, e))
    }

    /// The open findings and the client runs.
    pub fn overview(&mut self) -> Result<Overview, String> {
        let place = self.path.display().to_string();
        let tx = self
            .conn
            .transaction()
            .map_err(|e| format!("the history {place}: {}", reason(&e)))?;
        let mut t = SqliteTx { tx };
        let v = super::check_version(&mut t, &place).map_err(|e| prefix(e, &place))?;
        let mut o = Overview::default();
        if v == 0 {
            return Ok(o);
        }
        let tx = &t.tx;
        let sql = |e: rusqlite::Error| format!("the history {place}: {}", reason(&e));
        // The ledger's figures are there from version 2 on, the shares of the
        // totals and the grown counts from version 3 on.
        let (shares, grown) = if v >= 3 {
            ("recoverable_in_totals, monthly_in_totals", "grown_findings")
        } else {
            ("NULL, NULL", "NULL")
        };
        let ledger = if v >= 2 {
            "recovered, outstanding"
        } else {
            "NULL, NULL"
        };
        let mut st = tx
            .prepare(&format!(
                "SELECT client, recoverable, monthly, {shares}, first_run FROM findings WHERE resolved_run IS NULL"
            ))
            .map_err(sql)?;
        let rows = st
            .query_map([], |r| {
                Ok(OpenRow {
                    client: r.get(0)?,
                    recoverable: r.get(1)?,
                    monthly: r.get(2)?,
                    recoverable_in_totals: r.get(3)?,
                    monthly_in_totals: r.get(4)?,
                    first_run: r.get(5)?,
                })
            })
            .map_err(sql)?;
        for r in rows {
            o.open.push(r.map_err(sql)?);
        }
        let mut st = tx
            .prepare(&format!(
                "SELECT run_id, client, new_findings, resolved_findings, {grown} FROM client_runs"
            ))
            .map_err(sql)?;
        let rows = st
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .map_err(sql)?;
        for r in rows {
            o.client_runs.push(r.map_err(sql)?);
        }
        let mut st = tx
            .prepare(&format!("SELECT run_id, client, {ledger} FROM client_runs"))
            .map_err(sql)?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .map_err(sql)?;
        for r in rows {
            o.recovery.push(r.map_err(sql)?);
        }
        Ok(o)
    }
}

/// "the history X: " once.
fn prefix(e: String, place: &str) -> String {
    if e.starts_with("the history") {
        e
    } else {
        format!("the history {place}: {e}")
    }
}

/// The reason in plain words, with what to do for the common ones.
fn reason(e: &rusqlite::Error) -> String {
    let code = e.sqlite_error_code();
    match code {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            format!("{e}: it is not a SQLite history; give another --history or move the file away")
        }
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => format!(
            "{e}: another run holds it (waited {} s); run again when it has finished",
            BUSY_MS / 1000
        ),
        _ => e.to_string(),
    }
}

fn sql(e: rusqlite::Error) -> String {
    reason(&e)
}

/// A run's transaction.
struct SqliteTx<'c> {
    tx: Transaction<'c>,
}

impl Tx for SqliteTx<'_> {
    fn foreign_tables(&mut self) -> Result<Vec<String>, String> {
        let mut st = self
            .tx
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .map_err(sql)?;
        let rows = st.query_map([], |r| r.get::<_, String>(0)).map_err(sql)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql)
    }

    fn version(&mut self) -> Result<i64, String> {
        let has_meta: bool = self
            .tx
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                [],
                |r| r.get(0),
            )
            .map_err(sql)?;
        if !has_meta {
            return Ok(0);
        }
        let v: Option<String> = self
            .tx
            .query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql)?;
        match v {
            None => Ok(0),
            Some(v) => v
                .parse()
                .map_err(|_| format!("meta.schema_version is {v:?}, not a number")),
        }
    }

    fn batch(&mut self, sql_text: &str) -> Result<(), String> {
        self.tx.execute_batch(sql_text).map_err(sql)
    }

    fn set_version(&mut self, v: i64) -> Result<(), String> {
        self.tx
            .execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [v.to_string()],
            )
            .map(|_| ())
            .map_err(sql)
    }

    fn add_run(&mut self, finished_at: &str, shard: &str) -> Result<i64, String> {
        let id: i64 = self
            .tx
            .query_row("SELECT COALESCE(MAX(run_id), 0) + 1 FROM runs", [], |r| r.get(0))
            .map_err(sql)?;
        self.tx
            .execute(
                "INSERT INTO runs (run_id, finished_at, telaudit_version, shard) VALUES (?1, ?2, ?3, ?4)",
                params![id, finished_at, env!("CARGO_PKG_VERSION"), shard],
            )
            .map_err(sql)?;
        Ok(id)
    }

    fn keys(&mut self, client: &str) -> Result<HashMap<String, Known>, String> {
        let mut st = self
            .tx
            .prepare_cached(
                "SELECT finding_key, resolved_run IS NULL, recoverable, monthly FROM findings WHERE client = ?1",
            )
            .map_err(sql)?;
        let rows = st
            .query_map([client], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Known {
                        open: r.get(1)?,
                        recoverable: r.get(2)?,
                        monthly: r.get(3)?,
                    },
                ))
            })
            .map_err(sql)?;
        rows.collect::<Result<HashMap<_, _>, _>>().map_err(sql)
    }

    fn fingerprint(&mut self, client: &str) -> Result<Option<String>, String> {
        self.tx
            .query_row(
                "SELECT fingerprint FROM client_inputs WHERE client = ?1",
                [client],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql)
    }

    fn set_fingerprint(&mut self, client: &str, fp: &str, run: i64) -> Result<(), String> {
        self.tx
            .execute(
                "INSERT INTO client_inputs (client, fingerprint, run_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT (client) DO UPDATE SET fingerprint = excluded.fingerprint, run_id = excluded.run_id",
                params![client, fp, run],
            )
            .map(|_| ())
            .map_err(sql)
    }

    fn upsert(&mut self, client: &str, items: &[Item], run: i64) -> Result<(), String> {
        let mut st = self
            .tx
            .prepare_cached(
                "INSERT INTO findings (client, finding_key, rule, carrier, account, service_id,
                   description, recoverable, monthly, first_run, last_run, resolved_run,
                   recoverable_in_totals, monthly_in_totals)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, NULL, ?11, ?12)
                 ON CONFLICT (client, finding_key) DO UPDATE SET
                   rule = excluded.rule, carrier = excluded.carrier, account = excluded.account,
                   service_id = excluded.service_id, description = excluded.description,
                   recoverable = excluded.recoverable, monthly = excluded.monthly,
                   last_run = excluded.last_run, resolved_run = NULL,
                   recoverable_in_totals = excluded.recoverable_in_totals,
                   monthly_in_totals = excluded.monthly_in_totals",
            )
            .map_err(sql)?;
        for i in items {
            st.execute(params![
                client,
                i.key,
                i.rule,
                i.carrier,
                i.account,
                i.service_id,
                i.description,
                money(i.recoverable),
                money(i.monthly),
                run,
                exact(i.recoverable_in_totals),
                exact(i.monthly_in_totals)
            ])
            .map_err(sql)?;
        }
        Ok(())
    }

    fn resolve(&mut self, client: &str, keys: &[&str], run: i64) -> Result<(), String> {
        let mut st = self
            .tx
            .prepare_cached("UPDATE findings SET resolved_run = ?1 WHERE client = ?2 AND finding_key = ?3")
            .map_err(sql)?;
        for k in keys {
            st.execute(params![run, client, k]).map_err(sql)?;
        }
        Ok(())
    }

    fn touch(&mut self, client: &str, run: i64) -> Result<(), String> {
        self.tx
            .execute(
                "UPDATE findings SET last_run = ?1 WHERE client = ?2 AND resolved_run IS NULL",
                params![run, client],
            )
            .map(|_| ())
            .map_err(sql)
    }

    fn changes(&mut self, client: &str, changes: &[Change], run: i64) -> Result<(), String> {
        let mut st = self
            .tx
            .prepare_cached(
                "INSERT INTO finding_changes (run_id, client, finding_key, change,
                   recoverable_before, monthly_before, recoverable_after, monthly_after)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(sql)?;
        for c in changes {
            let (b, a) = (c.before.as_ref(), c.after.as_ref());
            st.execute(params![
                run,
                client,
                c.key,
                c.kind.as_str(),
                b.map(|b| &b.0),
                b.map(|b| &b.1),
                a.map(|a| &a.0),
                a.map(|a| &a.1)
            ])
            .map_err(sql)?;
        }
        Ok(())
    }

    fn latest_run(&mut self, client: Option<&str>) -> Result<Option<i64>, String> {
        match client {
            None => self
                .tx
                .query_row("SELECT MAX(run_id) FROM runs", [], |r| r.get(0)),
            Some(c) => self.tx.query_row(
                "SELECT MAX(run_id) FROM client_runs WHERE client = ?1",
                [c],
                |r| r.get(0),
            ),
        }
        .map_err(sql)
    }

    fn run_range(&mut self) -> Result<Option<(i64, i64)>, String> {
        let (a, b): (Option<i64>, Option<i64>) = self
            .tx
            .query_row("SELECT MIN(run_id), MAX(run_id) FROM runs", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(sql)?;
        Ok(a.zip(b))
    }

    fn run_changes(&mut self, run: i64, client: Option<&str>) -> Result<Vec<StoredChange>, String> {
        let mut st = self
            .tx
            .prepare(
                "SELECT c.client, c.finding_key, c.change, COALESCE(f.rule, ''), COALESCE(f.carrier, ''),
                   COALESCE(f.account, ''), COALESCE(f.service_id, ''), COALESCE(f.description, ''),
                   c.recoverable_before, c.monthly_before, c.recoverable_after, c.monthly_after
                 FROM finding_changes c
                 LEFT JOIN findings f ON f.client = c.client AND f.finding_key = c.finding_key
                 WHERE c.run_id = ?1 AND (?2 IS NULL OR c.client = ?2)",
            )
            .map_err(sql)?;
        let rows = st
            .query_map(params![run, client], |r| {
                Ok(StoredChange {
                    client: r.get(0)?,
                    key: r.get(1)?,
                    change: r.get(2)?,
                    rule: r.get(3)?,
                    carrier: r.get(4)?,
                    account: r.get(5)?,
                    service_id: r.get(6)?,
                    description: r.get(7)?,
                    money: [r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?],
                })
            })
            .map_err(sql)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql)
    }

    fn findings_of(&mut self, client: &str) -> Result<Vec<StoredFinding>, String> {
        let mut st = self
            .tx
            .prepare(
                "SELECT finding_key, rule, carrier, account, service_id, description, recoverable, monthly
                 FROM findings WHERE client = ?1 ORDER BY finding_key",
            )
            .map_err(sql)?;
        let rows = st
            .query_map([client], |r| {
                Ok(StoredFinding {
                    key: r.get(0)?,
                    rule: r.get(1)?,
                    carrier: r.get(2)?,
                    account: r.get(3)?,
                    service_id: r.get(4)?,
                    description: r.get(5)?,
                    recoverable: r.get(6)?,
                    monthly: r.get(7)?,
                })
            })
            .map_err(sql)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql)
    }

    fn client_run(&mut self, run: i64, c: &ClientRun, n: Counts) -> Result<(), String> {
        self.tx
            .execute(
                "INSERT INTO client_runs (run_id, client, status, recoverable, monthly, new_findings, resolved_findings,
                   recovered, outstanding, grown_findings)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    run,
                    c.client,
                    c.status.as_str(),
                    c.recoverable,
                    c.monthly,
                    n.new as i64,
                    n.resolved as i64,
                    c.recovered,
                    c.outstanding,
                    n.grown as i64
                ],
            )
            .map(|_| ())
            .map_err(sql)
    }
}
