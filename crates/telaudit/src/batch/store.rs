//! The batch output folder on disk, crash-safe.
//!
//! A client's folder is written whole into `<DIR>/.tmp-<client>-<pid>/`, its
//! completion marker ([`MARKER`], holding the input fingerprint) written last,
//! then swapped into place: the old folder is renamed aside to
//! `<DIR>/.old-<client>-<pid>/`, the new one renamed in, the old one deleted.
//! Whenever the process dies, `<DIR>/<client>` is either a complete earlier
//! folder, a complete new one, or missing; never half-written with a marker.
//! The next run removes every `.tmp-*` and `.old-*` it finds (it holds the
//! lock, so no other run is writing them).

use super::summary::{BatchStatus, Cents, PaybackCell, SummaryRow};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The completion marker's file name inside a client's output folder.
pub const MARKER: &str = ".telaudit-complete";
const MARKER_TAG: &str = "telaudit-complete/1";

/// What the marker records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// The input fingerprint; `None` when it could not be computed (never reused).
    pub fingerprint: Option<String>,
    /// How many input records were refused (entries of rejected.csv).
    pub refused: usize,
    /// The files no reader recognised, as the error column says it
    /// ([`super::unrecognised_note`]); `None` when there were none.
    pub unrecognised: Option<String>,
}

impl Marker {
    fn text(&self) -> String {
        let mut s = format!(
            "{MARKER_TAG}\nfingerprint {}\nrefused {}\n",
            self.fingerprint.as_deref().unwrap_or("none"),
            self.refused
        );
        if let Some(note) = &self.unrecognised {
            // One line whatever the file names hold: a JSON string.
            let quoted = serde_json::to_string(note).unwrap_or_default();
            s.push_str(&format!("unrecognised {quoted}\n"));
        }
        s
    }

    fn parse(text: &str) -> Option<Marker> {
        let mut lines = text.lines();
        if lines.next()? != MARKER_TAG {
            return None;
        }
        let fp = lines.next()?.strip_prefix("fingerprint ")?;
        let refused = lines.next()?.strip_prefix("refused ")?.parse().ok()?;
        let unrecognised = match lines.next() {
            None => None,
            Some(l) => Some(serde_json::from_str(l.strip_prefix("unrecognised ")?).ok()?),
        };
        Some(Marker {
            fingerprint: (fp != "none").then(|| fp.to_string()),
            refused,
            unrecognised,
        })
    }
}

fn ctx(e: io::Error, what: &str, p: &Path) -> String {
    format!("cannot {what} {}: {e}", p.display())
}

/// Writes `dir/name` atomically, through [`telaudit_report::write_atomic`]
/// (its temporary file starts with `.tmp-`, so [`clean_leftovers`] removes it
/// after a crash).
pub fn write_file_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    telaudit_report::write_atomic(dir, name, |w| w.write_all(bytes)).map_err(|e| e.to_string())
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn remove_any(p: &Path) -> io::Result<()> {
    match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(p),
        Ok(_) => fs::remove_file(p),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes the leftovers of an interrupted run (`.tmp-*`, `.old-*`); returns how many.
pub fn clean_leftovers(out: &Path) -> Result<usize, String> {
    let mut n = 0;
    for e in fs::read_dir(out).map_err(|e| ctx(e, "list", out))? {
        let e = e.map_err(|e| ctx(e, "list", out))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".tmp-") || name.starts_with(".old-") {
            remove_any(&e.path()).map_err(|err| ctx(err, "remove the leftover", &e.path()))?;
            n += 1;
        }
    }
    Ok(n)
}

/// The marker of a client's output folder, when it is complete.
pub fn read_marker(client_out: &Path) -> Option<Marker> {
    Marker::parse(&fs::read_to_string(client_out.join(MARKER)).ok()?)
}

/// Writes a client's folder `out/<client>` as a whole: `fill` writes the files
/// into a fresh temporary folder, then the marker goes in last and the folder
/// replaces the old one.
pub fn write_client_dir(
    out: &Path,
    client: &str,
    marker: &Marker,
    fill: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<(), String> {
    let pid = std::process::id();
    let tmp = out.join(format!(".tmp-{client}-{pid}"));
    remove_any(&tmp).map_err(|e| ctx(e, "remove", &tmp))?;
    let result = (|| {
        fs::create_dir(&tmp).map_err(|e| ctx(e, "create", &tmp))?;
        fill(&tmp)?;
        if let Ok(ms) = std::env::var(TEST_DELAY_ENV).map(|v| v.parse::<u64>().unwrap_or(0)) {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
        write_file_atomic(&tmp, MARKER, marker.text().as_bytes())?;
        sync_dir(&tmp);
        replace_dir(out, client, Some(&tmp))
    })();
    if result.is_err() {
        let _ = remove_any(&tmp);
    }
    result
}

/// Test hook: milliseconds to sleep inside each client's write, between its
/// files and its marker, so that tests/e2e_batch.rs can kill a run mid-way.
/// It has no other use and is not part of the command line.
pub const TEST_DELAY_ENV: &str = "TELAUDIT_TEST_CLIENT_DELAY_MS";

/// Removes `out/<client>` (a client that failed this time must not show an
/// earlier run's report as if it were current).
pub fn remove_client_dir(out: &Path, client: &str) -> Result<(), String> {
    replace_dir(out, client, None)
}

/// Swaps `new` (or nothing) in for `out/<client>`, renaming the old one aside first.
fn replace_dir(out: &Path, client: &str, new: Option<&Path>) -> Result<(), String> {
    let target = out.join(client);
    let old: PathBuf = out.join(format!(".old-{client}-{}", std::process::id()));
    let had_old = match fs::symlink_metadata(&target) {
        Ok(_) => {
            remove_any(&old).map_err(|e| ctx(e, "remove", &old))?;
            fs::rename(&target, &old).map_err(|e| ctx(e, "move aside", &target))?;
            true
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(ctx(e, "inspect", &target)),
    };
    if let Some(new) = new {
        fs::rename(new, &target).map_err(|e| ctx(e, "rename into place", &target))?;
    }
    sync_dir(out);
    if had_old {
        remove_any(&old).map_err(|e| ctx(e, "remove", &old))?;
    }
    Ok(())
}

/// The part of a stored report.json that a summary row needs: read typed,
/// so a missing or mistyped field makes the stored client unusable (it is
/// audited again) instead of an empty figure.
#[derive(serde::Deserialize)]
struct StoredReport {
    client: String,
    name: Option<String>,
    input: StoredInput,
    totals: StoredTotals,
    proposal: Option<StoredProposal>,
    /// Absent without claims.csv (and in a report.json written before the ledger).
    #[serde(default)]
    recovery: Option<StoredRecovery>,
}

/// report.json's `recovery`, as far as the summary copies it.
#[derive(serde::Deserialize)]
struct StoredRecovery {
    recovered: Cents,
    outstanding: Cents,
}

/// report.json's `proposal`, as far as the summary copies it.
#[derive(serde::Deserialize)]
struct StoredProposal {
    payback_months: Option<u128>,
    npv: Option<Cents>,
}

/// report.json's `input`, as far as the summary copies it.
#[derive(serde::Deserialize)]
struct StoredInput {
    rows: u64,
    billed_total: Cents,
    /// Absent in a report.json written before it was counted.
    #[serde(default)]
    warnings: Option<u64>,
}

/// report.json's `totals`, as far as the summary copies them.
#[derive(serde::Deserialize)]
struct StoredTotals {
    recoverable: Cents,
    monthly: Cents,
    first_year: Cents,
    /// Absent in a report.json written before dispute windows: nothing expired.
    #[serde(default)]
    expired: Option<Cents>,
}

/// The summary row of a client stored complete in `client_out` (read back from
/// its report.json, so the figures are the report's own), with its display
/// name; `None` when report.json is missing or not a report.
pub fn stored_row(client_out: &Path, client: &str, m: &Marker) -> Option<(SummaryRow, String)> {
    let text = fs::read_to_string(client_out.join("report.json")).ok()?;
    let v: StoredReport = serde_json::from_str(&text).ok()?;
    if v.client != client {
        return None;
    }
    let row = SummaryRow {
        client: client.to_string(),
        status: BatchStatus::Unchanged,
        rows: Some(v.input.rows),
        billed_total: Some(v.input.billed_total),
        recoverable: Some(v.totals.recoverable),
        monthly: Some(v.totals.monthly),
        first_year: Some(v.totals.first_year),
        expired: Some(
            v.totals
                .expired
                .unwrap_or(Cents::round(telaudit_model::Decimal::ZERO)),
        ),
        error: error_note(m.refused, m.unrecognised.as_deref()),
        warnings: v.input.warnings,
        npv: v.proposal.as_ref().and_then(|p| p.npv),
        payback_months: v.proposal.as_ref().map(|p| PaybackCell::of(p.payback_months)),
        new_findings: None,
        resolved_findings: None,
        recovered: v.recovery.as_ref().map(|r| r.recovered),
        outstanding: v.recovery.as_ref().map(|r| r.outstanding),
        grown_findings: None,
    };
    Some((row, v.name.unwrap_or_else(|| client.to_string())))
}

/// The `error` cell of a client audited with refused input, or with files no
/// reader recognised (`unrecognised`: what [`super::unrecognised_note`] says).
pub fn error_note(refused: usize, unrecognised: Option<&str>) -> Option<String> {
    let refusals = (refused > 0).then(|| format!("{refused} input record(s) refused; see rejected.csv"));
    match (refusals, unrecognised) {
        (Some(r), Some(u)) => Some(format!("{r}; {u}")),
        (Some(r), None) => Some(r),
        (None, u) => u.map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_folder_is_replaced_whole_and_leftovers_are_cleaned() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        let m = Marker {
            fingerprint: Some("ab".into()),
            refused: 2,
            // File names may hold anything, a line end too: the marker keeps one line.
            unrecognised: Some("2 file(s) not recognised: invoices/a\nb.pdf, \"c\"".into()),
        };
        write_client_dir(out, "c", &m, |d| {
            fs::write(d.join("old.txt"), "1").unwrap();
            Ok(())
        })
        .unwrap();
        assert_eq!(read_marker(&out.join("c")), Some(m.clone()));
        // A failing fill leaves the old folder alone and no temporary folder.
        let err = write_client_dir(out, "c", &m, |_| Err("boom".into())).unwrap_err();
        assert_eq!(err, "boom");
        assert!(out.join("c/old.txt").exists());
        write_client_dir(
            out,
            "c",
            &Marker {
                fingerprint: None,
                refused: 0,
                unrecognised: None,
            },
            |d| {
                fs::write(d.join("new.txt"), "2").unwrap();
                Ok(())
            },
        )
        .unwrap();
        assert!(!out.join("c/old.txt").exists());
        assert!(out.join("c/new.txt").exists());
        assert_eq!(read_marker(&out.join("c")).unwrap().fingerprint, None);
        let names: Vec<String> = fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into())
            .collect();
        assert_eq!(names, ["c"]);

        fs::create_dir_all(out.join(".tmp-x-1/sub")).unwrap();
        fs::create_dir_all(out.join(".old-c-1")).unwrap();
        fs::write(out.join(".tmp-summary.json-9"), "x").unwrap();
        assert_eq!(clean_leftovers(out).unwrap(), 3);
        remove_client_dir(out, "c").unwrap();
        assert_eq!(fs::read_dir(out).unwrap().count(), 0);
        assert_eq!(Marker::parse("telaudit-complete/1\nfingerprint x\n"), None);
    }
}
