//! findings.csv and rejected.csv.

use crate::dispute_text::exact_amount;
use std::io::{self, Write};
use telaudit_model::{money_string, Decimal, Dump, Finding, Position, RuleInfo, RuleResult, SourceRef};

pub(crate) use telaudit_model::spreadsheet_guard as guard;

/// Every finding with its rule, in the order of findings.csv: rule id, carrier,
/// account, service, description, first period (text order; ties keep the
/// rules' own order).
pub(crate) fn sorted_findings<'a>(
    dump: &Dump,
    results: &'a [RuleResult],
) -> Vec<(&'a RuleInfo, &'a Finding)> {
    sorted_findings_indexed(dump, results)
        .into_iter()
        .map(|(info, f, _)| (info, f))
        .collect()
}

/// As [`sorted_findings`], with each finding's place in the results (rules in
/// order, then their findings): its index into [`crate::Report::in_totals`].
pub(crate) fn sorted_findings_indexed<'a>(
    dump: &Dump,
    results: &'a [RuleResult],
) -> Vec<(&'a RuleInfo, &'a Finding, usize)> {
    sorted_findings_indexed_where(dump, results, |_| true)
}

/// As [`sorted_findings_indexed`], keeping only the findings `keep` takes (in
/// the same relative order: the sort is stable).
pub(crate) fn sorted_findings_indexed_where<'a>(
    dump: &Dump,
    results: &'a [RuleResult],
    keep: impl Fn(&Finding) -> bool,
) -> Vec<(&'a RuleInfo, &'a Finding, usize)> {
    let mut v: Vec<(&RuleInfo, &Finding, usize)> = results
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (&r.rule, f)))
        .enumerate()
        .filter(|(_, (_, f))| keep(f))
        .map(|(i, (info, f))| (info, f, i))
        .collect();
    v.sort_by(|(_, a, _), (_, b, _)| {
        a.rule
            .cmp(&b.rule)
            .then_with(|| dump.s(a.carrier).cmp(dump.s(b.carrier)))
            .then_with(|| dump.s(a.account).cmp(dump.s(b.account)))
            .then_with(|| dump.s(a.service).cmp(dump.s(b.service)))
            .then_with(|| a.description.cmp(&b.description))
            .then_with(|| a.first_period.cmp(&b.first_period))
    });
    v
}

/// Appends `file:line` (or `file:segment N`) of each source, `;`-joined
/// ([`push_place`]).
pub(crate) fn join_sources(dump: &Dump, sources: &[SourceRef], out: &mut String) {
    for (i, &src) in sources.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        push_place(out, dump, src);
    }
}

/// Appends `file:line` (or `file:segment N`, or `file` for the whole file) of
/// `src`: its [`telaudit_model::Place`]'s text, without `core::fmt` (findings.csv,
/// the workbook and every dispute line write places), or `file#N:P` for a file
/// the dump does not have.
pub(crate) fn push_place(out: &mut String, dump: &Dump, src: SourceRef) {
    let mut n = itoa::Buffer::new();
    let Some(f) = dump.files.get(src.file.0 as usize) else {
        out.push_str("file#");
        out.push_str(n.format(src.file.0));
        out.push(':');
        out.push_str(n.format(src.pos));
        return;
    };
    let place = f.place(src.pos);
    out.push_str(place.file);
    match place.position {
        Position::File => {}
        Position::Line(l) => {
            out.push(':');
            out.push_str(n.format(l));
        }
        Position::Segment(s) => {
            out.push_str(":segment ");
            out.push_str(n.format(s));
        }
    }
}

fn csv_err(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// The columns of findings.csv, in its order (report.xlsx's Findings sheet has the same).
pub(crate) const FINDINGS_COLUMNS: [&str; 19] = [
    "rule",
    "severity",
    "carrier",
    "account",
    "service_id",
    "invoices",
    "first_period",
    "last_period",
    "description",
    "recoverable",
    "monthly",
    "evidence",
    "basis",
    "expired",
    "finding_key",
    "claim_id",
    "recoverable_in_totals",
    "monthly_in_totals",
    "claim_by",
];

/// Writes findings.csv: one row per finding, sorted (see [`findings_csv`]).
pub fn write_findings_csv<W: Write>(w: W, dump: &Dump, results: &[RuleResult]) -> io::Result<()> {
    write_findings_csv_with(w, dump, results, &crate::claims::in_totals(results))
}

/// As [`write_findings_csv`], with each finding's share of the totals already
/// worked out ([`crate::Report::in_totals`]).
pub(crate) fn write_findings_csv_with<W: Write>(
    w: W,
    dump: &Dump,
    results: &[RuleResult],
    in_totals: &[(Decimal, Decimal)],
) -> io::Result<()> {
    let mut out = csv::WriterBuilder::new().from_writer(w);
    out.write_record(FINDINGS_COLUMNS).map_err(csv_err)?;
    let mut invoices = String::new();
    let mut evidence = String::new();
    let mut basis = String::new();
    let claim_ids = telaudit_recovery::claim_ids_by_key(dump);
    for (info, f, i) in sorted_findings_indexed(dump, results) {
        let (rec_in, mon_in) = in_totals.get(i).copied().unwrap_or_default();
        // In text order: a rule may list them in symbol order, which is no order to show.
        let mut texts: Vec<&str> = f.invoices.iter().map(|&i| dump.s(i)).collect();
        texts.sort_unstable();
        texts.dedup();
        invoices.clear();
        for (i, t) in texts.iter().enumerate() {
            if i > 0 {
                invoices.push(';');
            }
            invoices.push_str(t);
        }
        evidence.clear();
        join_sources(dump, &f.evidence, &mut evidence);
        basis.clear();
        join_sources(dump, &f.basis, &mut basis);
        out.write_record([
            guard(&f.rule).as_ref(),
            guard(info.severity.as_str()).as_ref(),
            guard(dump.s(f.carrier)).as_ref(),
            guard(dump.s(f.account)).as_ref(),
            guard(dump.s(f.service)).as_ref(),
            guard(&invoices).as_ref(),
            f.first_period.to_string().as_str(),
            f.last_period.to_string().as_str(),
            guard(&f.description).as_ref(),
            money_string(f.recoverable).as_str(),
            money_string(f.monthly).as_str(),
            guard(&evidence).as_ref(),
            guard(&basis).as_ref(),
            money_string(f.expired).as_str(),
            guard(&f.key).as_ref(),
            guard(claim_ids.get(f.key.as_str()).map_or("", String::as_str)).as_ref(),
            exact_amount(rec_in).as_str(),
            exact_amount(mon_in).as_str(),
            f.claim_by.map(|d| d.to_string()).unwrap_or_default().as_str(),
        ])
        .map_err(csv_err)?;
    }
    out.flush()
}

/// findings.csv as a string. Columns: rule, severity, carrier, account,
/// service_id, invoices (`;`-joined, text order), first_period, last_period, description,
/// recoverable, monthly (2-decimal numbers), evidence and basis (`file:line` or
/// `file:segment N`, `;`-joined), expired (2 decimals: recoverable money found
/// too late to claim, not in `recoverable`; formats.md section 9), finding_key
/// (stable across runs, see [`telaudit_model::finding_key`]), claim_id (the
/// claims of claims.csv whose finding_key it is, `;`-joined by filing date;
/// empty without a ledger), then recoverable_in_totals and monthly_in_totals:
/// the finding's share of the totals after the overlap rule
/// ([`crate::claims::in_totals`]), written exact (at least 2 decimals, no
/// trailing zeros beyond them) so that each column sums to report.json's total
/// before rounding; claim_by: the last day the dispute window allows for its
/// claimable money (empty without windows). Rows sorted by rule id, carrier, account,
/// service, description, first period.
pub fn findings_csv(dump: &Dump, results: &[RuleResult]) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_findings_csv(&mut buf, dump, results);
    String::from_utf8(buf).unwrap_or_default()
}

/// Writes rejected.csv: `file,line,reason`, sorted by file then position
/// (the whole file first, then lines or segments in order).
pub fn write_rejected_csv<W: Write>(w: W, dump: &Dump) -> io::Result<()> {
    let mut out = csv::WriterBuilder::new().from_writer(w);
    out.write_record(["file", "line", "reason"]).map_err(csv_err)?;
    let mut rejected: Vec<&telaudit_model::Rejection> = dump.rejected.iter().collect();
    rejected.sort_by(|a, b| {
        a.file
            .cmp(&b.file)
            .then_with(|| a.position.cmp(&b.position))
            .then_with(|| a.reason.cmp(&b.reason))
    });
    for r in rejected {
        let pos = r.position.to_string();
        out.write_record([guard(&r.file).as_ref(), pos.as_str(), guard(&r.reason).as_ref()])
            .map_err(csv_err)?;
    }
    out.flush()
}

/// rejected.csv as a string.
pub fn rejected_csv(dump: &Dump) -> String {
    let mut buf = Vec::new();
    let _ = write_rejected_csv(&mut buf, dump);
    String::from_utf8(buf).unwrap_or_default()
}

/// Writes warnings.csv: `file,line,message`, every input warning in the order
/// the reports list them (file, then position, then message); `line` is the
/// line (or `segment N`), empty for a warning about a whole file.
pub fn write_warnings_csv<W: Write>(w: W, dump: &Dump) -> io::Result<()> {
    let mut out = csv::WriterBuilder::new().from_writer(w);
    out.write_record(["file", "line", "message"]).map_err(csv_err)?;
    let mut warnings: Vec<&telaudit_model::Warning> = dump.warnings.iter().collect();
    warnings.sort();
    for x in warnings {
        let pos = x.position.to_string();
        out.write_record([guard(&x.file).as_ref(), pos.as_str(), guard(&x.message).as_ref()])
            .map_err(csv_err)?;
    }
    out.flush()
}

/// warnings.csv as a string.
pub fn warnings_csv(dump: &Dump) -> String {
    let mut buf = Vec::new();
    let _ = write_warnings_csv(&mut buf, dump);
    String::from_utf8(buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use telaudit_model::{FileId, SourceFile, SourceKind};

    #[test]
    fn sources_are_joined_as_their_places_read() {
        let dump = Dump {
            files: vec![
                SourceFile {
                    path: "invoices/a.csv".into(),
                    kind: SourceKind::CanonicalCsv,
                },
                SourceFile {
                    path: "invoices/b.edi".into(),
                    kind: SourceKind::Edi811,
                },
            ],
            ..Dump::default()
        };
        let at = |file, pos| SourceRef {
            file: FileId(file),
            pos,
        };
        let sources = [at(0, 12), at(1, 4_294_967_295), at(0, 0), at(1, 0), at(7, 3)];
        let mut out = String::new();
        join_sources(&dump, &sources, &mut out);
        assert_eq!(
            out,
            "invoices/a.csv:12;invoices/b.edi:segment 4294967295;invoices/a.csv;invoices/b.edi;file#7:3"
        );
        // Each as the place's own text.
        for (one, src) in out.split(';').zip(&sources[..4]) {
            assert_eq!(one, dump.files[src.file.0 as usize].place(src.pos).to_string());
        }
        let mut none = String::new();
        join_sources(&dump, &[], &mut none);
        assert_eq!(none, "");
    }
}
