//! `telaudit history`: the morning review of the finding history a batch keeps.
//!
//! ```text
//! Usage: telaudit history <DIR> [--history URL] [--client ID] [--format text|csv]
//!        telaudit history <DIR> --changes [--run N] [--history URL] [--client ID] [--format text|csv]
//!
//! Reads the history of the batch runs into DIR (DIR/history.sqlite, or the
//! --history the batch was given: sqlite:PATH or postgres://...).
//!
//! Without --changes it prints, per client: its open findings; recoverable and
//! monthly, the open findings' share of the totals after the overlap rule (the
//! figures of summary.csv and report.json); findings_recoverable and
//! findings_monthly, the open findings' own figures summed as findings.csv
//! lists them (a charge that several rules claim counts once per rule, so they
//! can be larger); what its last run found new, resolved and grown; the oldest
//! open finding's age in runs (the runs of that client since the finding was
//! first found, that one included); and, for a client with claims.csv, what its
//! claims had brought back at its last run (recovered, outstanding) and how much
//! more came back since its run before (recovered_change). --client ID shows one
//! client; --format csv writes the same columns as CSV (text cells guarded
//! against spreadsheet formulas):
//!   client, open_findings, recoverable, monthly, findings_recoverable,
//!   findings_monthly, last_run, new_in_last_run, resolved_in_last_run,
//!   grown_in_last_run, oldest_open_age_runs, recovered, outstanding,
//!   recovered_change
//!
//! --changes lists the findings that changed in one run (default: the latest
//! run; with --client, the latest run that included that client; --run N that
//! run): new (never found before), reopened (resolved before, found again),
//! grown (open, its recoverable rose since the last run that saw it: a late fee
//! billed again), resolved (no longer found), each with its own money before
//! and after. Sorted by client, change, the largest change of first-year value
//! first. The CSV columns (also those of the batch's review.csv):
//!   run, client, change, rule, carrier, account, service_id, description,
//!   recoverable_before, recoverable_after, recoverable_change,
//!   monthly_before, monthly_after, monthly_change, finding_key
//!
//! Exit status: 0 printed; 2 the history cannot be read (no history, a file
//! that is not one, a newer schema, a URL that does not connect), --client
//! names a client the history does not hold, --run a run it does not hold, or
//! --changes meets a history of schema version 2 or older.
//! ```

use super::{CliError, Outcome};
use crate::history::{self, Overview, RunChanges};
use std::collections::BTreeMap;
use std::path::PathBuf;
use telaudit_model::{money_string, spreadsheet_guard, visible, Decimal};

/// Show the finding history of batch runs: open, new, resolved, grown, age.
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
    /// List the findings that changed in a run (new, reopened, grown, resolved)
    /// with their money.
    #[arg(long)]
    pub changes: bool,
    /// With --changes: this run (default: the latest).
    #[arg(long, value_name = "N", requires = "changes")]
    pub run: Option<i64>,
}

/// One client's line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    /// The client id.
    pub client: String,
    /// Open findings.
    pub open: u64,
    /// Their shares of the totals' recoverable, summed: the summary's figure;
    /// `None` when an open finding was recorded before schema version 3.
    pub recoverable: Option<Decimal>,
    /// Their shares of the totals' monthly, summed.
    pub monthly: Option<Decimal>,
    /// Their own recoverable, summed (overlaps between rules counted per rule).
    pub findings_recoverable: Decimal,
    /// Their own monthly, summed.
    pub findings_monthly: Decimal,
    /// The client's last run, its new and resolved findings.
    pub last_run: i64,
    /// New in that run.
    pub new: i64,
    /// Resolved in that run.
    pub resolved: i64,
    /// Grown in that run; `None` for a run recorded before schema version 3.
    pub grown: Option<i64>,
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
    let mut store = history::Store::open(&loc).map_err(CliError::Config)?;
    let text = if args.changes {
        let changes = store
            .changes(args.run, args.client.as_deref())
            .map_err(CliError::Config)?;
        if args.format == "csv" {
            changes_csv(&changes)
        } else {
            changes_text(&changes, args.client.as_deref())
        }
    } else {
        let overview = store.overview().map_err(CliError::Config)?;
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
        if args.format == "csv" {
            csv_text(&lines)
        } else {
            plain_text(&lines)
        }
    };
    print!("{text}");
    Ok(Outcome::Clean)
}

/// A money cell that is not an amount: a damaged history is never read as 0.
fn amount(table_column: &str, client: &str, v: &str) -> Result<Decimal, String> {
    v.parse::<Decimal>().map_err(|_| {
        format!(
            "{table_column} of client {client:?} is {v:?}, not an amount; the history is damaged: \
             restore it from a backup"
        )
    })
}

/// Per client (sorted by id), from the open findings and the client runs. Err:
/// a money cell that is not an amount (a damaged history is never read as 0).
pub fn lines(o: &Overview) -> Result<Vec<Line>, String> {
    let mut by: BTreeMap<&str, Line> = BTreeMap::new();
    let mut runs: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (run, client, new, resolved, grown) in &o.client_runs {
        runs.entry(client).or_default().push(*run);
        let l = by.entry(client).or_insert_with(|| Line {
            client: client.clone(),
            ..Line::default()
        });
        if *run > l.last_run {
            (l.last_run, l.new, l.resolved, l.grown) = (*run, *new, *resolved, *grown);
        }
    }
    let mut oldest: BTreeMap<&str, i64> = BTreeMap::new();
    let mut shares: BTreeMap<&str, Option<(Decimal, Decimal)>> = BTreeMap::new();
    for f in &o.open {
        let client = f.client.as_str();
        let l = by.entry(client).or_insert_with(|| Line {
            client: f.client.clone(),
            ..Line::default()
        });
        l.open += 1;
        l.findings_recoverable += amount("findings.recoverable", client, &f.recoverable)?;
        l.findings_monthly += amount("findings.monthly", client, &f.monthly)?;
        // A finding recorded before version 3 has no share: the client's sum is unknown.
        let share = match (&f.recoverable_in_totals, &f.monthly_in_totals) {
            (Some(r), Some(m)) => Some((
                amount("findings.recoverable_in_totals", client, r)?,
                amount("findings.monthly_in_totals", client, m)?,
            )),
            _ => None,
        };
        let sum = shares
            .entry(client)
            .or_insert(Some((Decimal::ZERO, Decimal::ZERO)));
        *sum = sum.zip(share).map(|(a, b)| (a.0 + b.0, a.1 + b.1));
        let e = oldest.entry(client).or_insert(f.first_run);
        *e = (*e).min(f.first_run);
    }
    for l in by.values_mut() {
        let sum = shares
            .get(l.client.as_str())
            .copied()
            .unwrap_or(Some((Decimal::ZERO, Decimal::ZERO)));
        (l.recoverable, l.monthly) = (sum.map(|s| s.0), sum.map(|s| s.1));
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

const HEADER: [&str; 14] = [
    "client",
    "open_findings",
    "recoverable",
    "monthly",
    "findings_recoverable",
    "findings_monthly",
    "last_run",
    "new_in_last_run",
    "resolved_in_last_run",
    "grown_in_last_run",
    "oldest_open_age_runs",
    "recovered",
    "outstanding",
    "recovered_change",
];

fn cells(l: &Line) -> [String; 14] {
    let money = |v: Option<Decimal>| v.map(money_string).unwrap_or_default();
    [
        l.client.clone(),
        l.open.to_string(),
        money(l.recoverable),
        money(l.monthly),
        money_string(l.findings_recoverable),
        money_string(l.findings_monthly),
        l.last_run.to_string(),
        l.new.to_string(),
        l.resolved.to_string(),
        l.grown.map(|g| g.to_string()).unwrap_or_default(),
        l.oldest_age.map(|a| a.to_string()).unwrap_or_default(),
        money(l.recovered),
        money(l.outstanding),
        money(l.recovered_change),
    ]
}

/// A CSV writer with `\n` line ends, as every CSV telaudit writes.
fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

fn csv_string(w: csv::Writer<Vec<u8>>) -> String {
    String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned()
}

/// A text cell of a CSV: control characters shown, guarded against formulas.
fn safe(s: &str) -> String {
    spreadsheet_guard(&visible(s)).into_owned()
}

/// The CSV form; the client id is guarded against spreadsheet formulas.
pub fn csv_text(lines: &[Line]) -> String {
    let mut w = csv_writer();
    let _ = w.write_record(HEADER);
    for l in lines {
        let mut c = cells(l);
        c[0] = safe(&c[0]);
        let _ = w.write_record(&c);
    }
    csv_string(w)
}

/// An aligned table for the terminal, then what its two kinds of money mean.
pub fn plain_text(lines: &[Line]) -> String {
    let heads = [
        "client",
        "open",
        "recoverable",
        "monthly",
        "findings' own recoverable",
        "findings' own monthly",
        "last run",
        "new",
        "resolved",
        "grown",
        "oldest (runs)",
        "recovered",
        "outstanding",
        "since before",
    ];
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            let mut c = cells(l);
            // A client id is a folder name: its control and bidi characters are shown.
            c[0] = visible(&c[0]).into_owned();
            c.to_vec()
        })
        .collect();
    let mut out = table(&heads, &rows, 1);
    out.push_str(
        "recoverable, monthly: the open findings' share of the totals after the overlap rule, as summary.csv \
         and report.json give them (empty: findings recorded before schema version 3).\n\
         findings' own: each open finding's own figure summed, as findings.csv lists them; a charge several \
         rules claim counts once per rule.\n",
    );
    out
}

/// Columns aligned: the first `left` of them to the left, the others (figures) to the right.
fn table(heads: &[&str], rows: &[Vec<String>], left: usize) -> String {
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([heads[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..heads.len()).map(width).collect();
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let gap = if i == 0 { "" } else { "  " };
            if i < left {
                s.push_str(&format!("{gap}{c:<w$}", w = widths[i]));
            } else {
                s.push_str(&format!("{gap}{c:>w$}", w = widths[i]));
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(heads);
    for r in rows {
        let refs: Vec<&str> = r.iter().map(String::as_str).collect();
        line(&refs);
    }
    out
}

/// The columns of `--changes --format csv` and of the batch's review.csv.
pub const CHANGES_HEADER: [&str; 15] = [
    "run",
    "client",
    "change",
    "rule",
    "carrier",
    "account",
    "service_id",
    "description",
    "recoverable_before",
    "recoverable_after",
    "recoverable_change",
    "monthly_before",
    "monthly_after",
    "monthly_change",
    "finding_key",
];

/// The figures of one change: before, after (empty when missing) and after
/// less before (a missing side counting as 0), for recoverable then monthly.
fn change_figures(r: &history::ChangeRow) -> [String; 6] {
    let cell = |v: Option<Decimal>| v.map(money_string).unwrap_or_default();
    let diff =
        |a: Option<Decimal>, b: Option<Decimal>| money_string(a.unwrap_or_default() - b.unwrap_or_default());
    let (rb, mb) = (r.before.map(|b| b.0), r.before.map(|b| b.1));
    let (ra, ma) = (r.after.map(|a| a.0), r.after.map(|a| a.1));
    [cell(rb), cell(ra), diff(ra, rb), cell(mb), cell(ma), diff(ma, mb)]
}

/// `--changes --format csv`, and the batch's review.csv: one row per changed
/// finding; text cells guarded against spreadsheet formulas.
pub fn changes_csv(c: &RunChanges) -> String {
    let mut w = csv_writer();
    let _ = w.write_record(CHANGES_HEADER);
    for r in &c.rows {
        let [rb, ra, rc, mb, ma, mc] = change_figures(r);
        let _ = w.write_record([
            c.run.to_string(),
            safe(&r.client),
            r.kind.as_str().to_string(),
            safe(&r.rule),
            safe(&r.carrier),
            safe(&r.account),
            safe(&r.service_id),
            safe(&r.description),
            rb,
            ra,
            rc,
            mb,
            ma,
            mc,
            safe(&r.key),
        ]);
    }
    csv_string(w)
}

/// How many changes of each kind: new, reopened, grown, resolved.
pub fn change_counts(c: &RunChanges) -> [usize; 4] {
    let mut n = [0; 4];
    for r in &c.rows {
        n[r.kind as usize] += 1;
    }
    n
}

/// `--changes` for the terminal: what run, how many of each kind, and the table.
pub fn changes_text(c: &RunChanges, client: Option<&str>) -> String {
    let [new, reopened, grown, resolved] = change_counts(c);
    let of = client
        .map(|id| format!(" of client {}", visible(id)))
        .unwrap_or_default();
    let mut out = format!(
        "Changes in run {}{of}: {new} new, {reopened} reopened, {grown} grown, {resolved} resolved\n",
        c.run
    );
    if c.rows.is_empty() {
        return out;
    }
    let heads = [
        "client",
        "change",
        "rule",
        "carrier",
        "account",
        "service",
        "description",
        "recoverable before",
        "after",
        "difference",
        "monthly before",
        "after",
        "difference",
    ];
    let rows: Vec<Vec<String>> = c
        .rows
        .iter()
        .map(|r| {
            let mut row: Vec<String> = [
                &r.client,
                r.kind.as_str(),
                &r.rule,
                &r.carrier,
                &r.account,
                &r.service_id,
                &r.description,
            ]
            .iter()
            .map(|t| visible(t).into_owned())
            .collect();
            row.extend(change_figures(r));
            row
        })
        .collect();
    out.push_str(&table(&heads, &rows, 7));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{ChangeKind, ChangeRow, OpenRow};

    fn open(client: &str, rec: &str, mon: &str, shares: Option<(&str, &str)>, first: i64) -> OpenRow {
        OpenRow {
            client: client.into(),
            recoverable: rec.into(),
            monthly: mon.into(),
            recoverable_in_totals: shares.map(|s| s.0.into()),
            monthly_in_totals: shares.map(|s| s.1.into()),
            first_run: first,
        }
    }

    #[test]
    fn lines_count_open_findings_and_age_in_the_clients_runs() {
        let o = Overview {
            // Two findings of client a claim one charge: their own recoverable sums
            // to 10.25 + 0.25, their shares of the totals to 10.25 (exact, 0.125
            // and 0.005 rounded once: 10.13).
            open: vec![
                open("a", "10.00", "1.50", Some(("10.125", "1.5")), 2),
                open("a", "0.25", "0.00", Some(("0.005", "0.00")), 4),
                open("a", "0.25", "0.00", Some(("0.00", "0.00")), 4),
            ],
            client_runs: vec![
                (1, "a".into(), 0, 0, None),
                (2, "a".into(), 1, 0, None),
                (3, "b".into(), 0, 2, Some(0)),
                (4, "a".into(), 1, 3, Some(2)),
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
                l[0].findings_recoverable,
                l[0].recoverable,
                l[0].monthly,
                l[0].last_run,
                l[0].new,
                l[0].resolved,
                l[0].grown,
                l[0].oldest_age
            ),
            (
                3,
                Decimal::new(1050, 2),
                Some(Decimal::new(10130, 3)),
                Some(Decimal::new(15, 1)),
                4,
                1,
                3,
                Some(2),
                Some(2)
            )
        );
        assert_eq!(
            (
                l[1].open,
                l[1].last_run,
                l[1].resolved,
                l[1].grown,
                l[1].oldest_age
            ),
            (0, 3, 2, Some(0), None)
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
            csv_text(&l),
            "client,open_findings,recoverable,monthly,findings_recoverable,findings_monthly,last_run,\
             new_in_last_run,resolved_in_last_run,grown_in_last_run,oldest_open_age_runs,recovered,\
             outstanding,recovered_change\n\
             a,3,10.13,1.50,10.50,1.50,4,1,3,2,2,35.50,64.50,25.50\n\
             b,0,0.00,0.00,0.00,0.00,3,0,2,0,,,,\n"
        );
        let text = plain_text(&l);
        assert!(
            text.starts_with("client  open  recoverable  monthly  findings' own recoverable"),
            "{text}"
        );
        assert!(
            text.contains("the open findings' share of the totals after the overlap rule"),
            "{text}"
        );
        // One finding recorded before schema version 3 (no share): the sum is unknown, not partial.
        let mut old = o.clone();
        old.open[2].recoverable_in_totals = None;
        old.open[2].monthly_in_totals = None;
        let l = lines(&old).unwrap();
        assert_eq!((l[0].recoverable, l[0].monthly), (None, None));
        assert_eq!(l[0].findings_recoverable, Decimal::new(1050, 2));
        let bad = Overview {
            open: vec![open("a", "abc", "1.50", None, 2)],
            client_runs: vec![(1, "a".into(), 0, 0, None)],
            recovery: Vec::new(),
        };
        assert_eq!(
            lines(&bad).unwrap_err(),
            "findings.recoverable of client \"a\" is \"abc\", not an amount; the history is damaged: \
             restore it from a backup"
        );
        let bad = Overview {
            open: vec![open("a", "1.00", "1.50", Some(("x", "0")), 2)],
            client_runs: vec![(1, "a".into(), 0, 0, None)],
            recovery: Vec::new(),
        };
        assert!(lines(&bad)
            .unwrap_err()
            .starts_with("findings.recoverable_in_totals of client \"a\" is \"x\""));
        // A recovered figure that is not an amount is damage too (NULL is a run without a ledger).
        let bad = Overview {
            open: vec![open("a", "1.00", "1.50", None, 2)],
            client_runs: vec![(1, "a".into(), 0, 0, None)],
            recovery: vec![(1, "a".into(), Some("x1".into()), None)],
        };
        assert_eq!(
            lines(&bad).unwrap_err(),
            "client_runs.recovered of client \"a\" in run 1 is \"x1\", not an amount; the history is \
             damaged: restore it from a backup"
        );
    }

    #[test]
    fn changes_are_written_with_their_money_before_after_and_the_difference() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let row = |kind, before: Option<(&str, &str)>, after: Option<(&str, &str)>, desc: &str| ChangeRow {
            client: "=acme".into(),
            kind,
            key: format!("FEE001|V|{desc}"),
            rule: "FEE001".into(),
            carrier: "V".into(),
            account: "0042".into(),
            service_id: String::new(),
            description: desc.into(),
            before: before.map(|(r, m)| (d(r), d(m))),
            after: after.map(|(r, m)| (d(r), d(m))),
        };
        let c = RunChanges {
            run: 5,
            rows: vec![
                row(ChangeKind::New, None, Some(("12.00", "1.00")), "-new fee"),
                row(
                    ChangeKind::Grown,
                    Some(("15.00", "0.00")),
                    Some(("35.00", "0.00")),
                    "late fee",
                ),
                row(ChangeKind::Resolved, Some(("40.00", "2.50")), None, "gone"),
            ],
        };
        assert_eq!(
            changes_csv(&c),
            "run,client,change,rule,carrier,account,service_id,description,recoverable_before,\
             recoverable_after,recoverable_change,monthly_before,monthly_after,monthly_change,finding_key\n\
             5,'=acme,new,FEE001,V,0042,,'-new fee,,12.00,12.00,,1.00,1.00,FEE001|V|-new fee\n\
             5,'=acme,grown,FEE001,V,0042,,late fee,15.00,35.00,20.00,0.00,0.00,0.00,FEE001|V|late fee\n\
             5,'=acme,resolved,FEE001,V,0042,,gone,40.00,,-40.00,2.50,,-2.50,FEE001|V|gone\n"
        );
        assert_eq!(change_counts(&c), [1, 0, 1, 1]);
        let text = changes_text(&c, Some("=acme"));
        assert!(
            text.starts_with("Changes in run 5 of client =acme: 1 new, 0 reopened, 1 grown, 1 resolved\n"),
            "{text}"
        );
        let empty = RunChanges { run: 2, rows: vec![] };
        assert_eq!(
            changes_text(&empty, None),
            "Changes in run 2: 0 new, 0 reopened, 0 grown, 0 resolved\n"
        );
    }
}
