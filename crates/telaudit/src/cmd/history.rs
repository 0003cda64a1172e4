//! `telaudit history`: the morning review of the finding history a batch keeps.
//!
//! ```text
//! Usage: telaudit history <DIR> [--history URL] [--client ID] [--format text|csv]
//!
//! Reads the history of the batch runs into DIR (DIR/history.sqlite, or the
//! --history the batch was given: sqlite:PATH or postgres://...) and prints,
//! per client: its open findings, their recoverable and monthly, what its last
//! run found new and resolved, the oldest open finding's age in runs (the
//! runs of that client since the finding was first found, that one included),
//! and, for a client with claims.csv, what its claims had brought back at its
//! last run (recovered, outstanding) and how much more came back since its run
//! before (recovered_change). --client ID shows one client; --format csv writes
//! the same columns as CSV (text cells guarded against spreadsheet formulas):
//!   client, open_findings, open_recoverable, open_monthly, last_run,
//!   new_in_last_run, resolved_in_last_run, oldest_open_age_runs,
//!   recovered, outstanding, recovered_change
//!
//! Exit status: 0 printed; 2 the history cannot be read (no history, a file
//! that is not one, a newer schema, a URL that does not connect) or --client
//! names a client the history does not hold.
//! ```

use super::{CliError, Outcome};
use crate::history::{self, Overview};
use std::collections::BTreeMap;
use std::path::PathBuf;
use telaudit_model::{money_string, spreadsheet_guard, Decimal};

/// Show the finding history of batch runs: open, new, resolved, age.
#[derive(clap::Args)]
pub struct Args {
    /// The --out folder of the batch runs.
    pub dir: PathBuf,
    /// The history the batch was given (default: DIR/history.sqlite).
    #[arg(long, value_name = "URL")]
    pub history: Option<String>,
    /// Only this client.
    #[arg(long, value_name = "ID")]
    pub client: Option<String>,
    /// `text` (default) or `csv`.
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = ["text", "csv"])]
    pub format: String,
}

/// One client's line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    /// The client id.
    pub client: String,
    /// Open findings.
    pub open: u64,
    /// Their recoverable, summed.
    pub recoverable: Decimal,
    /// Their monthly, summed.
    pub monthly: Decimal,
    /// The client's last run, its new and resolved findings.
    pub last_run: i64,
    /// New in that run.
    pub new: i64,
    /// Resolved in that run.
    pub resolved: i64,
    /// The oldest open finding's age in runs of this client; `None` when none is open.
    pub oldest_age: Option<u64>,
    /// The ledger's recovered money at the client's last run; `None` without
    /// claims.csv (or a failed run).
    pub recovered: Option<Decimal>,
    /// The ledger's outstanding money at the client's last run.
    pub outstanding: Option<Decimal>,
    /// `recovered` less the recovered of the client's latest earlier run that
    /// has one: what came back since; `None` without both.
    pub recovered_change: Option<Decimal>,
}

pub fn run(args: Args) -> Result<Outcome, CliError> {
    let loc = history::Location::parse(args.history.as_deref(), &args.dir).map_err(CliError::Config)?;
    if let history::Location::Sqlite(p) = &loc {
        if !p.is_file() {
            return Err(CliError::Config(format!(
                "no history at {}: a batch run with --out {} writes it (or give the --history it was given)",
                p.display(),
                args.dir.display()
            )));
        }
    }
    let overview = history::Store::open(&loc)
        .and_then(|mut s| s.overview())
        .map_err(CliError::Config)?;
    let mut lines =
        lines(&overview).map_err(|e| CliError::Config(format!("the history {}: {e}", loc.describe())))?;
    if let Some(id) = &args.client {
        lines.retain(|l| &l.client == id);
        if lines.is_empty() {
            return Err(CliError::Config(format!(
                "the history {} holds no client {id:?}",
                loc.describe()
            )));
        }
    }
    let text = if args.format == "csv" {
        csv_text(&lines)
    } else {
        plain_text(&lines)
    };
    print!("{text}");
    Ok(Outcome::Clean)
}

/// Per client (sorted by id), from the open findings and the client runs. Err:
/// a money cell that is not an amount (a damaged history is never read as 0).
pub fn lines(o: &Overview) -> Result<Vec<Line>, String> {
    let mut by: BTreeMap<&str, Line> = BTreeMap::new();
    let mut runs: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (run, client, new, resolved) in &o.client_runs {
        runs.entry(client).or_default().push(*run);
        let l = by.entry(client).or_insert_with(|| Line {
            client: client.clone(),
            ..Line::default()
        });
        if *run > l.last_run {
            (l.last_run, l.new, l.resolved) = (*run, *new, *resolved);
        }
    }
    let mut oldest: BTreeMap<&str, i64> = BTreeMap::new();
    for (client, rec, mon, first) in &o.open {
        let l = by.entry(client).or_insert_with(|| Line {
            client: client.clone(),
            ..Line::default()
        });
        l.open += 1;
        let amount = |column: &str, v: &str| {
            v.parse::<Decimal>().map_err(|_| {
                format!(
                    "findings.{column} of client {client:?} is {v:?}, not an amount; the history is \
                     damaged: restore it from a backup"
                )
            })
        };
        l.recoverable += amount("recoverable", rec)?;
        l.monthly += amount("monthly", mon)?;
        let e = oldest.entry(client).or_insert(*first);
        *e = (*e).min(*first);
    }
    for (client, first) in oldest {
        if let Some(l) = by.get_mut(client) {
            let n = runs
                .get(client)
                .map_or(0, |r| r.iter().filter(|&&r| r >= first).count());
            l.oldest_age = Some(n as u64);
        }
    }
    recovery(o, &mut by)?;
    Ok(by.into_values().collect())
}

/// Each client's recovered and outstanding at its last run, and what came back
/// since its latest earlier run with a figure.
fn recovery(o: &Overview, by: &mut BTreeMap<&str, Line>) -> Result<(), String> {
    /// A client run's (run_id, recovered, outstanding).
    type RunFigures = (i64, Option<Decimal>, Option<Decimal>);
    let mut per: BTreeMap<&str, Vec<RunFigures>> = BTreeMap::new();
    for (run, client, rec, out) in &o.recovery {
        // NULL: that run had no ledger; anything else must be an amount.
        let dec = |column: &str, v: &Option<String>| -> Result<Option<Decimal>, String> {
            v.as_deref()
                .map(|t| {
                    t.parse::<Decimal>().map_err(|_| {
                        format!(
                            "client_runs.{column} of client {client:?} in run {run} is {t:?}, not an \
                             amount; the history is damaged: restore it from a backup"
                        )
                    })
                })
                .transpose()
        };
        per.entry(client)
            .or_default()
            .push((*run, dec("recovered", rec)?, dec("outstanding", out)?));
    }
    for (client, mut v) in per {
        let Some(l) = by.get_mut(client) else { continue };
        v.sort_by_key(|x| x.0);
        let Some(&(_, rec, out)) = v.last() else { continue };
        l.recovered = rec;
        l.outstanding = out;
        let before = v[..v.len() - 1].iter().rev().find_map(|x| x.1);
        l.recovered_change = rec.zip(before).map(|(a, b)| a - b);
    }
    Ok(())
}

const HEADER: [&str; 11] = [
    "client",
    "open_findings",
    "open_recoverable",
    "open_monthly",
    "last_run",
    "new_in_last_run",
    "resolved_in_last_run",
    "oldest_open_age_runs",
    "recovered",
    "outstanding",
    "recovered_change",
];

fn cells(l: &Line) -> [String; 11] {
    let money = |v: Option<Decimal>| v.map(money_string).unwrap_or_default();
    [
        l.client.clone(),
        l.open.to_string(),
        money_string(l.recoverable),
        money_string(l.monthly),
        l.last_run.to_string(),
        l.new.to_string(),
        l.resolved.to_string(),
        l.oldest_age.map(|a| a.to_string()).unwrap_or_default(),
        money(l.recovered),
        money(l.outstanding),
        money(l.recovered_change),
    ]
}

/// The CSV form; the client id is guarded against spreadsheet formulas.
pub fn csv_text(lines: &[Line]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = w.write_record(HEADER);
    for l in lines {
        let mut c = cells(l);
        c[0] = spreadsheet_guard(&telaudit_model::visible(&c[0])).into_owned();
        let _ = w.write_record(&c);
    }
    String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned()
}

/// An aligned table for the terminal.
pub fn plain_text(lines: &[Line]) -> String {
    let heads = [
        "client",
        "open",
        "recoverable",
        "monthly",
        "last run",
        "new",
        "resolved",
        "oldest (runs)",
        "recovered",
        "outstanding",
        "since before",
    ];
    let rows: Vec<[String; 11]> = lines
        .iter()
        .map(|l| {
            let mut c = cells(l);
            // A client id is a folder name: its control and bidi characters are shown.
            c[0] = telaudit_model::visible(&c[0]).into_owned();
            c
        })
        .collect();
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([heads[i].len()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..heads.len()).map(width).collect();
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i == 0 {
                s.push_str(&format!("{c:<w$}", w = widths[i]));
            } else {
                s.push_str(&format!("  {c:>w$}", w = widths[i]));
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(&heads);
    for r in &rows {
        let refs: Vec<&str> = r.iter().map(String::as_str).collect();
        line(&refs);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_open_findings_and_age_in_the_clients_runs() {
        let o = Overview {
            open: vec![
                ("a".into(), "10.00".into(), "1.50".into(), 2),
                ("a".into(), "0.25".into(), "0.00".into(), 4),
            ],
            client_runs: vec![
                (1, "a".into(), 0, 0),
                (2, "a".into(), 1, 0),
                (3, "b".into(), 0, 2),
                (4, "a".into(), 1, 3),
            ],
            recovery: vec![
                (1, "a".into(), Some("10.00".into()), Some("90.00".into())),
                (2, "a".into(), None, None),
                (3, "b".into(), None, None),
                (4, "a".into(), Some("35.50".into()), Some("64.50".into())),
            ],
        };
        let l = lines(&o).unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(
            (
                l[0].open,
                l[0].recoverable,
                l[0].last_run,
                l[0].new,
                l[0].resolved,
                l[0].oldest_age
            ),
            (2, Decimal::new(1025, 2), 4, 1, 3, Some(2))
        );
        assert_eq!(
            (l[1].open, l[1].last_run, l[1].resolved, l[1].oldest_age),
            (0, 3, 2, None)
        );
        // Client a's last run (4) recovered 35.50; its latest earlier run with a
        // figure (1, not 2) had 10.00: 25.50 came back since.
        assert_eq!(
            (l[0].recovered, l[0].outstanding, l[0].recovered_change),
            (
                Some(Decimal::new(3550, 2)),
                Some(Decimal::new(6450, 2)),
                Some(Decimal::new(2550, 2))
            )
        );
        assert_eq!(
            csv_text(&l[1..]),
            "client,open_findings,open_recoverable,open_monthly,last_run,new_in_last_run,\
             resolved_in_last_run,oldest_open_age_runs,recovered,outstanding,recovered_change\nb,0,0.00,0.00,3,0,2,,,,\n"
        );
        let bad = Overview {
            open: vec![("a".into(), "abc".into(), "1.50".into(), 2)],
            client_runs: vec![(1, "a".into(), 0, 0)],
            recovery: Vec::new(),
        };
        assert_eq!(
            lines(&bad).unwrap_err(),
            "findings.recoverable of client \"a\" is \"abc\", not an amount; the history is damaged: \
             restore it from a backup"
        );
        // A recovered figure that is not an amount is damage too (NULL is a run without a ledger).
        let bad = Overview {
            open: vec![("a".into(), "1.00".into(), "1.50".into(), 2)],
            client_runs: vec![(1, "a".into(), 0, 0)],
            recovery: vec![(1, "a".into(), Some("x1".into()), None)],
        };
        assert_eq!(
            lines(&bad).unwrap_err(),
            "client_runs.recovered of client \"a\" in run 1 is \"x1\", not an amount; the history is \
             damaged: restore it from a backup"
        );
    }
}
