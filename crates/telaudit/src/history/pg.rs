//! The history in PostgreSQL (the `postgres` crate, synchronous, no TLS), for a
//! team that shares one history with its BI and proposal tools.
//!
//! Shards of one night may record at the same time: each run's transaction
//! first takes a transaction-level advisory lock ([`LOCK_ID`]), so the runs
//! take turns: no lost update, and each reads the greatest run_id after the
//! run before it committed (no duplicate run_id). The lock also covers the
//! schema's creation by the first run.

use super::{
    exact, money, Change, ClientRun, Counts, Item, Known, OpenRow, Overview, Snapshot, StoredChange,
    StoredFinding, Tx,
};
use postgres::{Client, NoTls, Transaction};
use std::collections::HashMap;
use std::time::Duration;

/// The advisory lock key every telaudit run takes (`pg_advisory_xact_lock`).
pub const LOCK_ID: i64 = 0x7e1a_0d17;

/// A connection to the history database.
pub struct Pg {
    client: Client,
    place: String,
}

/// The connection string with every password replaced by `***`, for messages,
/// in each form libpq accepts: the URL's user information
/// (`postgres://user:secret@host`, the password running to the last `@`
/// before the query, so `u:hun@ter2@host` is `u:***@host`), its query
/// parameters `password` and `sslpassword` (also percent-encoded, any case),
/// and the keyword/value form (`host=h password='a b' dbname=d`).
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return keywords_without_password(url);
    };
    let (authority_and_path, query) = match rest.find('?') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let masked = match authority_and_path.rfind('@') {
        Some(at) => match authority_and_path[..at].split_once(':') {
            Some((user, _)) => format!("{user}:***{}", &authority_and_path[at..]),
            None => authority_and_path.to_string(),
        },
        None => authority_and_path.to_string(),
    };
    let query = query.map(|q| {
        let params: Vec<String> = q
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if is_secret(&percent_decoded(k)) => format!("{k}=***"),
                _ => p.to_string(),
            })
            .collect();
        format!("?{}", params.join("&"))
    });
    format!("{scheme}://{masked}{}", query.unwrap_or_default())
}

/// Whether a connection parameter holds a secret.
fn is_secret(key: &str) -> bool {
    matches!(
        key.trim().to_ascii_lowercase().as_str(),
        "password" | "sslpassword"
    )
}

/// `%XX` sequences decoded (bytes that are not UTF-8 are kept as written).
fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// The keyword/value form (`key=value key='quoted \' value'`) with the values
/// of its secret keys replaced by `***`.
fn keywords_without_password(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        // Copy up to the `=` of the next pair, remembering the key.
        let start = out.len();
        while i < chars.len() && chars[i] != '=' {
            out.push(chars[i]);
            i += 1;
        }
        let key = out[start..].split_whitespace().last().unwrap_or("").to_string();
        if i >= chars.len() {
            break;
        }
        out.push('=');
        i += 1;
        while i < chars.len() && chars[i] == ' ' {
            out.push(' ');
            i += 1;
        }
        let mut value = String::new();
        if chars.get(i) == Some(&'\'') {
            value.push('\'');
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    value.push(chars[i]);
                    i += 1;
                }
                value.push(chars[i]);
                i += 1;
            }
            if i < chars.len() {
                value.push('\'');
                i += 1;
            }
        } else {
            while i < chars.len() && !chars[i].is_whitespace() {
                value.push(chars[i]);
                i += 1;
            }
        }
        out.push_str(if is_secret(&key) { "***" } else { &value });
    }
    out
}

fn sql(e: postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => e.to_string(),
    }
}

impl Pg {
    /// Connects (10 s at most unless the URL says `connect_timeout`).
    pub fn connect(url: &str) -> Result<Pg, String> {
        let place = without_password(url);
        let mut cfg: postgres::Config = url
            .parse()
            .map_err(|e| format!("the history {place}: not a PostgreSQL URL ({e})"))?;
        if cfg.get_connect_timeout().is_none() {
            cfg.connect_timeout(Duration::from_secs(10));
        }
        let client = cfg.connect(NoTls).map_err(|e| {
            format!(
                "the history {place}: cannot connect ({}); check the host, port, user, password and database",
                sql(e)
            )
        })?;
        Ok(Pg { client, place })
    }

    /// The history before a run; empty for a new database.
    pub fn snapshot(&mut self) -> Result<Snapshot, String> {
        let place = self.place.clone();
        let wrap = |e: String| format!("the history {place}: {e}");
        let tx = self.client.transaction().map_err(|e| wrap(sql(e)))?;
        let mut t = PgTx { tx };
        let v = super::check_version(&mut t, &place).map_err(|e| {
            if e.starts_with("the history") {
                e
            } else {
                wrap(e)
            }
        })?;
        let mut snap = Snapshot::default();
        if v == 0 {
            return Ok(snap);
        }
        let row =
            t.tx.query_one("SELECT COALESCE(MAX(run_id), 0)::INT8 FROM runs", &[])
                .map_err(|e| wrap(sql(e)))?;
        snap.last_run = row.get(0);
        for r in
            t.tx.query(
                "SELECT client, finding_key, resolved_run IS NULL FROM findings",
                &[],
            )
            .map_err(|e| wrap(sql(e)))?
        {
            snap.clients
                .entry(r.get::<_, String>(0))
                .or_default()
                .insert(r.get(1), r.get(2));
        }
        Ok(snap)
    }

    /// Records a run in one transaction, holding the advisory lock.
    pub fn record_run(&mut self, clients: &[ClientRun], shard: &str) -> Result<(i64, Vec<Counts>), String> {
        let place = self.place.clone();
        let wrap = |e: String| {
            if e.starts_with("the history") {
                e
            } else {
                format!("the history {place}: {e}")
            }
        };
        let mut tx = self.client.transaction().map_err(|e| wrap(sql(e)))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_ID])
            .map_err(|e| wrap(sql(e)))?;
        let mut t = PgTx { tx };
        super::migrate(&mut t, &place).map_err(wrap)?;
        let out = super::record(&mut t, clients, shard).map_err(wrap)?;
        t.tx.commit().map_err(|e| wrap(sql(e)))?;
        Ok(out)
    }

    /// Runs `f` in a read transaction with the schema version (see
    /// [`super::Store::read`]).
    pub fn read<T>(&mut self, f: impl FnOnce(&mut dyn Tx, i64) -> Result<T, String>) -> Result<T, String> {
        let place = self.place.clone();
        let wrap = |e: String| {
            if e.starts_with("the history") {
                e
            } else {
                format!("the history {place}: {e}")
            }
        };
        let tx = self.client.transaction().map_err(|e| wrap(sql(e)))?;
        let mut t = PgTx { tx };
        let v = super::check_version(&mut t, &place).map_err(wrap)?;
        f(&mut t, v).map_err(|e| super::named(&place, e))
    }

    /// The open findings and the client runs.
    pub fn overview(&mut self) -> Result<Overview, String> {
        let place = self.place.clone();
        let wrap = |e: String| format!("the history {place}: {e}");
        let tx = self.client.transaction().map_err(|e| wrap(sql(e)))?;
        let mut t = PgTx { tx };
        let v = super::check_version(&mut t, &place).map_err(|e| {
            if e.starts_with("the history") {
                e
            } else {
                wrap(e)
            }
        })?;
        let mut o = Overview::default();
        if v == 0 {
            return Ok(o);
        }
        // The ledger's figures are there from version 2 on, the shares of the
        // totals and the grown counts from version 3 on.
        let (shares, grown) = if v >= 3 {
            ("recoverable_in_totals, monthly_in_totals", "grown_findings::INT8")
        } else {
            ("NULL::TEXT, NULL::TEXT", "NULL::INT8")
        };
        let ledger = if v >= 2 {
            "recovered, outstanding"
        } else {
            "NULL::TEXT, NULL::TEXT"
        };
        for r in
            t.tx.query(
                &format!(
                    "SELECT client, recoverable, monthly, {shares}, first_run::INT8 FROM findings \
                     WHERE resolved_run IS NULL"
                ),
                &[],
            )
            .map_err(|e| wrap(sql(e)))?
        {
            o.open.push(OpenRow {
                client: r.get(0),
                recoverable: r.get(1),
                monthly: r.get(2),
                recoverable_in_totals: r.get(3),
                monthly_in_totals: r.get(4),
                first_run: r.get(5),
            });
        }
        for r in
            t.tx.query(
                &format!(
                    "SELECT run_id::INT8, client, new_findings::INT8, resolved_findings::INT8, {grown} \
                     FROM client_runs"
                ),
                &[],
            )
            .map_err(|e| wrap(sql(e)))?
        {
            o.client_runs
                .push((r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)));
        }
        for r in
            t.tx.query(
                &format!("SELECT run_id::INT8, client, {ledger} FROM client_runs"),
                &[],
            )
            .map_err(|e| wrap(sql(e)))?
        {
            o.recovery.push((r.get(0), r.get(1), r.get(2), r.get(3)));
        }
        Ok(o)
    }
}

/// A run id as PostgreSQL's INTEGER.
fn int(v: i64) -> Result<i32, String> {
    i32::try_from(v).map_err(|_| format!("{v} does not fit the history's INTEGER columns"))
}

/// A run's transaction.
struct PgTx<'c> {
    tx: Transaction<'c>,
}

impl Tx for PgTx<'_> {
    fn foreign_tables(&mut self) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for name in super::TABLES {
            let has: bool = self
                .tx
                .query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
                .map_err(sql)?
                .get(0);
            if has {
                out.push(name.to_string());
            }
        }
        Ok(out)
    }

    fn version(&mut self) -> Result<i64, String> {
        let has: bool = self
            .tx
            // A plain query of the catalog, read with this statement's snapshot:
            // `to_regclass` looks the name up in the session's catalog cache, which
            // may not yet know a `meta` that another shard's run created and
            // committed while this one waited for the advisory lock; this run would
            // then migrate again from version 0 (version 2's ALTER TABLE fails on a
            // second run, where version 1's CREATE TABLE IF NOT EXISTS did not).
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c
                   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                   WHERE c.relname = 'meta' AND n.nspname = current_schema())",
                &[],
            )
            .map_err(sql)?
            .get(0);
        if !has {
            return Ok(0);
        }
        let v = self
            .tx
            .query_opt("SELECT value FROM meta WHERE key = 'schema_version'", &[])
            .map_err(sql)?;
        match v {
            None => Ok(0),
            Some(r) => {
                let v: String = r.get(0);
                v.parse()
                    .map_err(|_| format!("meta.schema_version is {v:?}, not a number"))
            }
        }
    }

    fn batch(&mut self, sql_text: &str) -> Result<(), String> {
        self.tx.batch_execute(sql_text).map_err(sql)
    }

    fn set_version(&mut self, v: i64) -> Result<(), String> {
        self.tx
            .execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&v.to_string()],
            )
            .map(|_| ())
            .map_err(sql)
    }

    fn add_run(&mut self, finished_at: &str, shard: &str) -> Result<i64, String> {
        let id: i32 = self
            .tx
            .query_one("SELECT COALESCE(MAX(run_id), 0) + 1 FROM runs", &[])
            .map_err(sql)?
            .get(0);
        self.tx
            .execute(
                "INSERT INTO runs (run_id, finished_at, telaudit_version, shard) VALUES ($1, $2, $3, $4)",
                &[&id, &finished_at, &env!("CARGO_PKG_VERSION"), &shard],
            )
            .map_err(sql)?;
        Ok(i64::from(id))
    }

    fn keys(&mut self, client: &str) -> Result<HashMap<String, Known>, String> {
        let rows = self
            .tx
            .query(
                "SELECT finding_key, resolved_run IS NULL, recoverable, monthly FROM findings WHERE client = $1",
                &[&client],
            )
            .map_err(sql)?;
        Ok(rows
            .iter()
            .map(|r| {
                (
                    r.get(0),
                    Known {
                        open: r.get(1),
                        recoverable: r.get(2),
                        monthly: r.get(3),
                    },
                )
            })
            .collect())
    }

    fn fingerprint(&mut self, client: &str) -> Result<Option<String>, String> {
        let r = self
            .tx
            .query_opt(
                "SELECT fingerprint FROM client_inputs WHERE client = $1",
                &[&client],
            )
            .map_err(sql)?;
        Ok(r.map(|r| r.get(0)))
    }

    fn set_fingerprint(&mut self, client: &str, fp: &str, run: i64) -> Result<(), String> {
        self.tx
            .execute(
                "INSERT INTO client_inputs (client, fingerprint, run_id) VALUES ($1, $2, $3)
                 ON CONFLICT (client) DO UPDATE SET fingerprint = excluded.fingerprint, run_id = excluded.run_id",
                &[&client, &fp, &int(run)?],
            )
            .map(|_| ())
            .map_err(sql)
    }

    fn upsert(&mut self, client: &str, items: &[Item], run: i64) -> Result<(), String> {
        // One statement per 10,000 findings: the rows travel as arrays.
        for chunk in items.chunks(10_000) {
            let col = |f: fn(&Item) -> String| chunk.iter().map(f).collect::<Vec<String>>();
            let (k, r, ca, ac) = (
                col(|i| i.key.clone()),
                col(|i| i.rule.clone()),
                col(|i| i.carrier.clone()),
                col(|i| i.account.clone()),
            );
            let (sv, de, re, mo) = (
                col(|i| i.service_id.clone()),
                col(|i| i.description.clone()),
                col(|i| money(i.recoverable)),
                col(|i| money(i.monthly)),
            );
            let (ri, mi) = (
                col(|i| exact(i.recoverable_in_totals)),
                col(|i| exact(i.monthly_in_totals)),
            );
            self.tx
                .execute(
                    "INSERT INTO findings (client, finding_key, rule, carrier, account, service_id,
                       description, recoverable, monthly, first_run, last_run, resolved_run,
                       recoverable_in_totals, monthly_in_totals)
                     SELECT $1, k, r, ca, ac, sv, de, re, mo, $2, $2, NULL, ri, mi
                     FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                                 $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
                          AS t(k, r, ca, ac, sv, de, re, mo, ri, mi)
                     ON CONFLICT (client, finding_key) DO UPDATE SET
                       rule = excluded.rule, carrier = excluded.carrier, account = excluded.account,
                       service_id = excluded.service_id, description = excluded.description,
                       recoverable = excluded.recoverable, monthly = excluded.monthly,
                       last_run = excluded.last_run, resolved_run = NULL,
                       recoverable_in_totals = excluded.recoverable_in_totals,
                       monthly_in_totals = excluded.monthly_in_totals",
                    &[
                        &client,
                        &int(run)?,
                        &k,
                        &r,
                        &ca,
                        &ac,
                        &sv,
                        &de,
                        &re,
                        &mo,
                        &ri,
                        &mi,
                    ],
                )
                .map_err(sql)?;
        }
        Ok(())
    }

    fn resolve(&mut self, client: &str, keys: &[&str], run: i64) -> Result<(), String> {
        if keys.is_empty() {
            return Ok(());
        }
        self.tx
            .execute(
                "UPDATE findings SET resolved_run = $1 WHERE client = $2 AND finding_key = ANY($3)",
                &[&int(run)?, &client, &keys],
            )
            .map(|_| ())
            .map_err(sql)
    }

    fn touch(&mut self, client: &str, run: i64) -> Result<(), String> {
        self.tx
            .execute(
                "UPDATE findings SET last_run = $1 WHERE client = $2 AND resolved_run IS NULL",
                &[&int(run)?, &client],
            )
            .map(|_| ())
            .map_err(sql)
    }

    fn changes(&mut self, client: &str, changes: &[Change], run: i64) -> Result<(), String> {
        // One statement per 10,000 changes, as the upsert.
        for chunk in changes.chunks(10_000) {
            let keys: Vec<&str> = chunk.iter().map(|c| c.key.as_str()).collect();
            let kinds: Vec<&str> = chunk.iter().map(|c| c.kind.as_str()).collect();
            let side =
                |f: fn(&Change) -> Option<&String>| chunk.iter().map(f).collect::<Vec<Option<&String>>>();
            let rb = side(|c| c.before.as_ref().map(|b| &b.0));
            let mb = side(|c| c.before.as_ref().map(|b| &b.1));
            let ra = side(|c| c.after.as_ref().map(|a| &a.0));
            let ma = side(|c| c.after.as_ref().map(|a| &a.1));
            self.tx
                .execute(
                    "INSERT INTO finding_changes (run_id, client, finding_key, change,
                       recoverable_before, monthly_before, recoverable_after, monthly_after)
                     SELECT $1, $2, k, ch, rb, mb, ra, ma
                     FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
                          AS t(k, ch, rb, mb, ra, ma)",
                    &[&int(run)?, &client, &keys, &kinds, &rb, &mb, &ra, &ma],
                )
                .map_err(sql)?;
        }
        Ok(())
    }

    fn latest_run(&mut self, client: Option<&str>) -> Result<Option<i64>, String> {
        let row = match client {
            None => self.tx.query_one("SELECT MAX(run_id)::INT8 FROM runs", &[]),
            Some(c) => self.tx.query_one(
                "SELECT MAX(run_id)::INT8 FROM client_runs WHERE client = $1",
                &[&c],
            ),
        }
        .map_err(sql)?;
        Ok(row.get(0))
    }

    fn run_range(&mut self) -> Result<Option<(i64, i64)>, String> {
        let row = self
            .tx
            .query_one("SELECT MIN(run_id)::INT8, MAX(run_id)::INT8 FROM runs", &[])
            .map_err(sql)?;
        let (a, b): (Option<i64>, Option<i64>) = (row.get(0), row.get(1));
        Ok(a.zip(b))
    }

    fn run_changes(&mut self, run: i64, client: Option<&str>) -> Result<Vec<StoredChange>, String> {
        let rows = self
            .tx
            .query(
                "SELECT c.client, c.finding_key, c.change, COALESCE(f.rule, ''), COALESCE(f.carrier, ''),
                   COALESCE(f.account, ''), COALESCE(f.service_id, ''), COALESCE(f.description, ''),
                   c.recoverable_before, c.monthly_before, c.recoverable_after, c.monthly_after
                 FROM finding_changes c
                 LEFT JOIN findings f ON f.client = c.client AND f.finding_key = c.finding_key
                 WHERE c.run_id = $1 AND ($2::TEXT IS NULL OR c.client = $2)",
                &[&int(run)?, &client],
            )
            .map_err(sql)?;
        Ok(rows
            .iter()
            .map(|r| StoredChange {
                client: r.get(0),
                key: r.get(1),
                change: r.get(2),
                rule: r.get(3),
                carrier: r.get(4),
                account: r.get(5),
                service_id: r.get(6),
                description: r.get(7),
                money: [r.get(8), r.get(9), r.get(10), r.get(11)],
            })
            .collect())
    }

    fn findings_of(&mut self, client: &str) -> Result<Vec<StoredFinding>, String> {
        let rows = self
            .tx
            .query(
                "SELECT finding_key, rule, carrier, account, service_id, description, recoverable, monthly
                 FROM findings WHERE client = $1 ORDER BY finding_key",
                &[&client],
            )
            .map_err(sql)?;
        Ok(rows
            .iter()
            .map(|r| StoredFinding {
                key: r.get(0),
                rule: r.get(1),
                carrier: r.get(2),
                account: r.get(3),
                service_id: r.get(4),
                description: r.get(5),
                recoverable: r.get(6),
                monthly: r.get(7),
            })
            .collect())
    }

    fn client_run(&mut self, run: i64, c: &ClientRun, n: Counts) -> Result<(), String> {
        let count = |v: u64| i32::try_from(v).unwrap_or(i32::MAX);
        self.tx
            .execute(
                "INSERT INTO client_runs (run_id, client, status, recoverable, monthly, new_findings, resolved_findings,
                   recovered, outstanding, grown_findings)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    &int(run)?,
                    &c.client,
                    &c.status.as_str(),
                    &c.recoverable,
                    &c.monthly,
                    &count(n.new),
                    &count(n.resolved),
                    &c.recovered,
                    &c.outstanding,
                    &count(n.grown),
                ],
            )
            .map(|_| ())
            .map_err(sql)
    }
}
