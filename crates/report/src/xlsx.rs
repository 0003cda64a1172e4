//! `report.xlsx`: the workbook the analyst filters and pivots (issue 16).
//!
//! Sheets: Summary (totals, by rule, by carrier, the proposal), Findings (one
//! row per finding, the columns of findings.csv in its order, the evidence's
//! first [`EVIDENCE_SHOWN`] places then a count; an autofilter and a frozen
//! header, not a table: see [`start_filtered`]), Disputes (one row per claim: one
//! finding's lines on one account, with the letter and CSV that hold them,
//! its claimed column adding up to the dispute files' total; the lines
//! themselves are in the CSVs, which the carrier takes; an autofilter and a
//! frozen header, not a table: see [`start_filtered`]), Changes (one row per line of the
//! `changes/<carrier>.csv` files, with the carrier first; a table) and, when the
//! client folder has claims.csv, Claims (the rows of recovery/claims.csv; a table).
//!
//! - Every amount is a number cell formatted `#,##0.00`. The figure is rounded
//!   to the cent in decimal first ([`money_string`]) and that text is read as
//!   the cell's double, which Excel stores; the shortest text of that double is
//!   the same two-decimal text, so the workbook shows what report.json says.
//! - Dates are date cells (`yyyy-mm-dd`).
//! - Text is always written as a string cell, never a formula, whatever it
//!   starts with; a text longer than Excel's cell limit (32,767 characters) is
//!   cut there.
//! - Byte-identical from run to run: the document's creation date is the
//!   audit's as-of date (2000-01-01 without rows), never the clock, and the
//!   zip entries carry the library's fixed timestamp.
//! - Size: a sheet for people. One row per disputed charge made a 38 MB
//!   workbook on a client with 311,000 of them (Excel crawls past a few hundred
//!   thousand rows, and such a file cannot be e-mailed); one per claim is a
//!   row per finding and account.
//! - Speed: the Findings, Disputes and Changes sheets' rows are written as
//!   sheet XML straight into the deflater ([`rows`]), the library writing their
//!   header, formats and filter or table; their XML is byte for byte what the
//!   library wrote for them before (tested), at a fifth of the instructions or
//!   less. Findings is written and deflated beside the other two and
//!   all three are packed into the library's workbook without being deflated
//!   again ([`long_sheet`], [`assemble`]). Every part is deflated at level 1.
//! - A sheet holds at most 1,048,576 rows: Findings and Disputes stop there
//!   (the CSVs hold all); the last row then says how many were left out.

use crate::changes::{CarrierChanges, CHANGE_COLUMNS};
use crate::disputes::AccountDispute;
use crate::tables::{join_sources, sorted_findings_indexed, FINDINGS_COLUMNS};
use crate::Report;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, Table, TableColumn, Workbook, Worksheet, XlsxError,
};
use std::fmt::Write as _;
use std::io::{self, Cursor, Read, Write as _};
use telaudit_model::{
    money_string, round_cents, Date, Decimal, Dump, Finding, RuleInfo, RuleResult, SkippedFile,
};
use zip::write::{PreparedZipFile, SimpleFileOptions, ZipFileBuilder};
use zip::{CompressionMethod, ZipArchive, ZipWriter};

mod rows;
use rows::Rows;

/// Excel's largest text in one cell, in UTF-16 code units (as Excel and the
/// library count: a character outside the Basic Multilingual Plane is two).
const CELL_CHARS: usize = 32_767;
/// Excel's rows per sheet.
const SHEET_ROWS: u32 = 1_048_576;
/// How many places of a finding's evidence the Findings sheet lists; the rest
/// are counted (`and 9 more (findings.csv)`), findings.csv lists them all.
const EVIDENCE_SHOWN: usize = 3;

struct Formats {
    money: Format,
    /// The Summary sheet's money: `#,##0.00` with client.toml's currency code
    /// before it when it names one (`"USD" #,##0.00`).
    summary_money: Format,
    date: Format,
    bold: Format,
    share: Format,
}

/// A cell's text: `s`, cut at [`CELL_CHARS`] UTF-16 units (the library refuses
/// a longer one, which would fail the whole workbook).
fn text(s: &str) -> String {
    cut(s).to_string()
}

/// `s` cut at [`CELL_CHARS`] UTF-16 units, as [`text`].
fn cut(s: &str) -> &str {
    // A UTF-8 text has at least as many bytes as UTF-16 units: short texts pass as they are.
    if s.len() <= CELL_CHARS {
        return s;
    }
    let (mut units, mut end) = (0, 0);
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > CELL_CHARS {
            break;
        }
        end = i + c.len_utf8();
    }
    &s[..end]
}

/// The cell value of an amount: rounded to the cent in decimal, then read as
/// [`money_string`]'s text would be. Whole cents below 2^53 are exact doubles,
/// and IEEE division is correctly rounded, so `cents / 100.0` is the double
/// nearest the two-decimal figure: the double the text parses to, without the
/// text.
fn amount(d: Decimal) -> f64 {
    let mut r = round_cents(d);
    r.rescale(2);
    let cents = r.mantissa();
    if cents.unsigned_abs() < 1 << 53 {
        cents as f64 / 100.0
    } else {
        money_string(d).parse().unwrap_or(0.0)
    }
}

/// The double nearest an exact amount (not rounded to cents first): the
/// in-totals columns, whose sum is the headline's total.
///
/// A mantissa below 2^53 and a power of ten up to 10^22 are exact doubles, and
/// IEEE division is correctly rounded, so their quotient is the double nearest
/// the figure, as parsing its text gives (Clinger's fast path); other figures
/// (and a zero, whose sign the text keeps) go through the text.
fn exact_number(d: Decimal) -> f64 {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
        1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let m = d.mantissa();
    match POW10.get(d.scale() as usize) {
        Some(p) if m != 0 && m.unsigned_abs() < 1 << 53 => m as f64 / p,
        _ => exact_number_of_text(d),
    }
}

/// The double its text parses to, as Excel reads a typed figure.
fn exact_number_of_text(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
}

/// The Excel date of `d`; `None` outside Excel's range (years 1900 to 9999).
fn excel_date(d: Date) -> Option<ExcelDateTime> {
    if !(1900..=9999).contains(&d.year()) {
        return None;
    }
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).ok()
}

/// A date cell; a date Excel cannot hold (before 1900) is written as its text
/// (`0001-01-01`), so one odd date never fails the workbook. Without `format`
/// the cell takes its column's ([`column_formats`]): no format is looked up
/// per cell.
fn date_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    d: Date,
    format: Option<&Format>,
) -> Result<(), XlsxError> {
    match (excel_date(d), format) {
        (Some(x), Some(f)) => ws.write_datetime_with_format(row, col, x, f)?,
        (Some(x), None) => ws.write_datetime(row, col, x)?,
        (None, _) => ws.write_string(row, col, d.to_string())?,
    };
    Ok(())
}

/// A row of label, amount on the Summary sheet.
fn money_row(ws: &mut Worksheet, f: &Formats, row: u32, label: &str, v: Decimal) -> Result<(), XlsxError> {
    ws.write_string(row, 0, label)?;
    ws.write_number_with_format(row, 1, amount(v), &f.summary_money)?;
    Ok(())
}

fn summary(
    ws: &mut Worksheet,
    f: &Formats,
    r: &Report,
    skipped: &[SkippedFile],
    as_of: Option<Date>,
) -> Result<(), XlsxError> {
    ws.set_name("Summary")?;
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 18)?;
    for c in 2..6 {
        ws.set_column_width(c, 16)?;
    }
    ws.write_string_with_format(0, 0, text(&format!("Telecom bill audit: {}", r.name)), &f.bold)?;
    ws.write_string(1, 0, "Client id")?;
    ws.write_string(1, 1, text(&r.client))?;
    ws.write_string(2, 0, "Report date")?;
    if let Some(d) = as_of {
        date_cell(ws, 2, 1, d, Some(&f.date))?;
    }
    let t = &r.totals;
    let mut row = 4;
    for (label, v) in [
        ("Recoverable now", t.recoverable),
        ("Monthly savings", t.monthly),
        ("Annual savings (12 x monthly)", t.annual),
        ("First-year value", t.first_year),
        ("Found too late to claim (in no figure above)", t.expired),
        ("Billed total", r.input.billed_total),
    ] {
        money_row(ws, f, row, label, v)?;
        row += 1;
    }
    ws.write_string(row, 0, "Findings")?;
    ws.write_number(row, 1, t.findings as f64)?;
    row += 1;
    ws.write_string(row, 0, "Files skipped")?;
    ws.write_number(row, 1, r.input.skipped_files as f64)?;
    row += 2;
    ws.write_row_with_format(
        row,
        0,
        ["Rule", "Title", "Findings", "Recoverable", "Monthly"],
        &f.bold,
    )?;
    for b in &r.by_rule {
        row += 1;
        ws.write_string(row, 0, text(&b.rule))?;
        ws.write_string(row, 1, text(&b.title))?;
        ws.write_number(row, 2, b.findings as f64)?;
        ws.write_number_with_format(row, 3, amount(b.recoverable), &f.money)?;
        ws.write_number_with_format(row, 4, amount(b.monthly), &f.money)?;
    }
    row += 2;
    ws.write_row_with_format(
        row,
        0,
        ["Carrier", "Rows", "Billed", "Recoverable", "Monthly"],
        &f.bold,
    )?;
    for c in &r.by_carrier {
        row += 1;
        ws.write_string(row, 0, text(&c.carrier))?;
        ws.write_number(row, 1, c.rows as f64)?;
        ws.write_number_with_format(row, 2, amount(c.billed_total), &f.money)?;
        ws.write_number_with_format(row, 3, amount(c.recoverable), &f.money)?;
        ws.write_number_with_format(row, 4, amount(c.monthly), &f.money)?;
    }
    if let Some(p) = &r.proposal {
        row += 2;
        ws.write_string_with_format(row, 0, "Proposal", &f.bold)?;
        for (label, v) in [
            ("One-time cost", p.one_time),
            ("Monthly cost", p.monthly),
            ("First-year cost", p.first_year_cost),
        ] {
            row += 1;
            money_row(ws, f, row, label, v)?;
        }
        if !p.first_year_fees.is_zero() {
            row += 1;
            money_row(ws, f, row, "TEM fees in the first 12 months", p.first_year_fees)?;
        }
        if p.shows_plan {
            row += 1;
            let label = format!("TEM fees over {} months", p.plan.horizon_months);
            money_row(ws, f, row, &label, p.plan.tem_fees.cents())?;
            row += 1;
            let label = format!("Net present value over {} months", p.plan.horizon_months);
            money_row(ws, f, row, &label, p.plan.npv.cents())?;
        }
        for (label, share) in [
            ("Funded share, TEM fees included", p.funded_share_after_fees),
            ("Funded share (report.json's funded_share)", p.funded_share),
        ] {
            row += 1;
            ws.write_string(row, 0, label)?;
            if let Some(s) = share {
                ws.write_number_with_format(
                    row,
                    1,
                    crate::json::share_string(s).parse().unwrap_or(0.0),
                    &f.share,
                )?;
            }
        }
        row += 1;
        ws.write_string(row, 0, "Payback (months)")?;
        match p.payback_months {
            Some(n) => ws.write_number(row, 1, n as f64)?,
            None => ws.write_string(row, 1, "never")?,
        };
    }
    if let Some(rec) = &r.recovery {
        row = summary_recovery(ws, f, rec, row + 2)?;
    }
    skipped_files(ws, f, skipped, row + 2)
}

/// Every skipped file with why (formats.md section 11), from `row` on: the analyst
/// sees in the workbook too which files none of whose charges is counted.
fn skipped_files(
    ws: &mut Worksheet,
    f: &Formats,
    skipped: &[SkippedFile],
    mut row: u32,
) -> Result<(), XlsxError> {
    if skipped.is_empty() {
        return Ok(());
    }
    ws.write_row_with_format(
        row,
        0,
        ["Files skipped (none of their charges is counted)", "Why"],
        &f.bold,
    )?;
    for s in skipped {
        row += 1;
        ws.write_string(row, 0, text(&s.file))?;
        ws.write_string(row, 1, text(&s.reason))?;
    }
    Ok(())
}

/// The last row of a table of `n` data rows under its header: a sheet stops at
/// its last row, which then says how many were left out.
fn last_row(n: usize) -> u32 {
    if n <= (SHEET_ROWS - 2) as usize {
        n as u32
    } else {
        SHEET_ROWS - 1
    }
}

/// After a sheet's last written row `last`: when it holds fewer than `total`
/// data rows (the sheet is full), a row saying how many `what` were left out.
fn left_out_row<W: io::Write>(w: &mut Rows<W>, last: u32, total: usize, what: &str) -> io::Result<()> {
    if (last as usize) < total {
        let row = last + 1;
        w.start(row)?;
        w.text(0, &format!("{} more {what}", total - row as usize + 1));
    }
    Ok(())
}

/// A date cell of a row ([`date_cell`]'s): its Excel serial number in a date
/// column, or its text when Excel cannot hold it.
fn date_row_cell<W: io::Write>(w: &mut Rows<W>, col: u16, d: Date) {
    match excel_date(d) {
        Some(x) => w.number(col, x.to_excel()),
        None => w.text(col, &d.to_string()),
    }
}

/// The columns of the listing sheets that hold amounts.
const MONEY_COLUMNS: [&str; 12] = [
    "recoverable",
    "monthly",
    "recoverable_in_totals",
    "monthly_in_totals",
    "expired",
    "billed_amount",
    "claimed",
    "monthly_saving",
    "amount",
    "recovered",
    "outstanding",
    "claimed_exact",
];
/// The columns of the listing sheets that hold dates.
const DATE_COLUMNS: [&str; 7] = [
    "claim_by",
    "first_period",
    "last_period",
    "invoice_date",
    "period_start",
    "period_end",
    "filed_on",
];

/// Sets each column's width, and the money or date format of the columns that
/// hold amounts ([`MONEY_COLUMNS`]) or dates ([`DATE_COLUMNS`]). Their cells are
/// then written without a format and take the column's: the library looks a
/// cell's own format up by hashing the whole format, which on the Disputes
/// sheet cost more than writing the cell.
fn column_formats(ws: &mut Worksheet, f: &Formats, names: &[&str]) -> Result<(), XlsxError> {
    for (i, n) in names.iter().enumerate() {
        let w = match *n {
            "description" | "reason" | "evidence" | "basis" | "note" | "finding_key" => 48,
            _ => 14,
        };
        let col = i as u16;
        ws.set_column_width(col, w)?;
        if MONEY_COLUMNS.contains(n) {
            ws.set_column_format(col, &f.money)?;
        } else if DATE_COLUMNS.contains(n) {
            ws.set_column_format(col, &f.date)?;
        }
    }
    Ok(())
}

/// Sets the column widths, adds the table over rows 0..=last (header at 0) and
/// freezes the header. Called before the rows are written: a constant-memory
/// sheet writes its rows out in order, the header first.
fn start_table(
    ws: &mut Worksheet,
    f: &Formats,
    names: &[&str],
    last: u32,
    name: &str,
) -> Result<(), XlsxError> {
    column_formats(ws, f, names)?;
    let cols: Vec<TableColumn> = names.iter().map(|n| TableColumn::new().set_header(*n)).collect();
    let table = Table::new()
        .set_name(name)
        .set_columns(&cols)
        .set_autofilter(true);
    ws.add_table(0, 0, last.max(1), names.len() as u16 - 1, &table)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// As [`start_table`] with a plain autofilter over a bold header instead of a
/// table: the library checks a table's every cell against other tables (a hash
/// insert per cell), which on the largest sheet cost as much as a tenth of the
/// workbook; an autofilter costs nothing per cell and filters the same.
fn start_filtered(ws: &mut Worksheet, f: &Formats, names: &[&str], last: u32) -> Result<(), XlsxError> {
    column_formats(ws, f, names)?;
    ws.write_row_with_format(0, 0, names.iter().copied(), &f.bold)?;
    ws.autofilter(0, 0, last.max(1), names.len() as u16 - 1)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The Findings sheet's rows after its header, in findings.csv's order and
/// columns ([`rows::Rows`]: the XML the library would write for them).
fn findings_rows<W: io::Write>(
    w: &mut Rows<W>,
    dump: &Dump,
    all: &[(&RuleInfo, &Finding, usize)],
    in_totals: &[(Decimal, Decimal)],
) -> io::Result<()> {
    let mut row = 0u32;
    let mut buf = String::new();
    let mut invoices: Vec<&str> = Vec::new();
    let claim_ids = telaudit_recovery::claim_ids_by_key(dump);
    for &(info, x, i) in all {
        if row + 2 >= SHEET_ROWS {
            break;
        }
        row += 1;
        w.start(row)?;
        w.text(0, cut(&x.rule));
        w.text(1, info.severity.as_str());
        w.text(2, cut(dump.s(x.carrier)));
        w.text(3, cut(dump.s(x.account)));
        w.text(4, cut(dump.s(x.service)));
        // As in findings.csv: in text order, each once.
        invoices.clear();
        invoices.extend(x.invoices.iter().map(|&i| dump.s(i)));
        invoices.sort_unstable();
        invoices.dedup();
        buf.clear();
        for (k, s) in invoices.iter().enumerate() {
            if k > 0 {
                buf.push(';');
            }
            buf.push_str(s);
        }
        w.text(5, cut(&buf));
        date_row_cell(w, 6, x.first_period);
        date_row_cell(w, 7, x.last_period);
        w.text(8, cut(&x.description));
        w.number(9, amount(x.recoverable));
        w.number(10, amount(x.monthly));
        buf.clear();
        join_sources(
            dump,
            &x.evidence[..x.evidence.len().min(EVIDENCE_SHOWN)],
            &mut buf,
        );
        if x.evidence.len() > EVIDENCE_SHOWN {
            let _ = write!(
                buf,
                " and {} more (findings.csv)",
                x.evidence.len() - EVIDENCE_SHOWN
            );
        }
        w.text(11, cut(&buf));
        buf.clear();
        join_sources(dump, &x.basis, &mut buf);
        w.text(12, cut(&buf));
        w.number(13, amount(x.expired));
        w.text(14, cut(&x.key));
        w.text(15, cut(claim_ids.get(x.key.as_str()).map_or("", String::as_str)));
        // The shares of the totals as near as a number cell holds them (not
        // rounded to cents), so that a column's sum shows the headline's total.
        let (rec_in, mon_in) = in_totals.get(i).copied().unwrap_or_default();
        w.number(16, exact_number(rec_in));
        w.number(17, exact_number(mon_in));
        if let Some(d) = x.claim_by {
            date_row_cell(w, 18, d);
        }
    }
    left_out_row(w, row, all.len(), "findings in findings.csv")
}
/// The Changes sheet's columns: those of the `changes/<carrier>.csv` files,
/// with the carrier first.
fn change_columns() -> Vec<&'static str> {
    std::iter::once("carrier").chain(CHANGE_COLUMNS).collect()
}

/// How many lines the `changes/<carrier>.csv` files have.
fn change_count(all: &[CarrierChanges]) -> usize {
    all.iter().map(|c| c.lines.len()).sum()
}

/// The Changes sheet's rows after its header: one per line of the
/// `changes/<carrier>.csv` files, carriers in name order.
fn changes_rows<W: io::Write>(w: &mut Rows<W>, all: &[CarrierChanges]) -> io::Result<()> {
    let mut row = 0u32;
    for c in all {
        for l in &c.lines {
            // A change is one service's, which has a finding: the rows end where the
            // Findings sheet's do.
            if row + 2 >= SHEET_ROWS {
                return Ok(());
            }
            row += 1;
            w.start(row)?;
            w.text(0, cut(&c.carrier));
            w.text(1, cut(&l.account));
            w.text(2, cut(&l.service));
            w.text(3, l.action.as_str());
            w.text(4, cut(&l.rule));
            w.text(5, cut(&l.from));
            w.text(6, cut(&l.to));
            w.number(7, amount(l.monthly));
            w.text(8, cut(&l.evidence));
        }
    }
    Ok(())
}

/// The Disputes sheet's columns.
const DISPUTE_CLAIM_COLUMNS: [&str; 12] = [
    "carrier",
    "account",
    "rule",
    "finding_key",
    "first_invoice",
    "last_invoice",
    "lines",
    "claimed",
    "claimed_exact",
    "claim_by",
    "letter",
    "csv",
];

/// The Disputes sheet's rows after its header: one per claim (one finding's
/// lines on one account), accounts in the dispute files' order, claims by
/// finding key (the order of disputes/new-claims.csv). `claimed` adds up the
/// lines' cents, so the column sums to the dispute CSVs' claimed total;
/// `claimed_exact` is the number nearest the exact sum (whose total is the
/// recoverable money not claimed yet, `recovery.unclaimed`, or
/// `totals.recoverable` without a ledger). The lines themselves are in the CSV
/// the last column names.
fn disputes_rows<W: io::Write>(w: &mut Rows<W>, all: &[AccountDispute]) -> io::Result<()> {
    let total = claim_count(all);
    let mut row = 0u32;
    'outer: for d in all {
        let (letter, csv) = (d.letter_path(), d.csv_path());
        for c in &d.claims {
            if row + 2 >= SHEET_ROWS {
                break 'outer;
            }
            row += 1;
            w.start(row)?;
            w.text(0, cut(&d.carrier));
            w.text(1, cut(&d.account));
            w.text(2, cut(&c.rule));
            w.text(3, cut(&c.finding_key));
            w.text(4, cut(&c.first_invoice));
            w.text(5, cut(&c.last_invoice));
            w.number(6, c.lines as f64);
            w.number(7, amount(c.claimed));
            w.number(8, exact_number(c.claimed_exact));
            if let Some(x) = c.claim_by {
                date_row_cell(w, 9, x);
            }
            w.text(10, cut(&letter));
            w.text(11, cut(&csv));
        }
    }
    left_out_row(w, row, total, "claims in disputes/new-claims.csv")
}

/// How many claims the Disputes sheet lists (before its row limit).
fn claim_count(all: &[AccountDispute]) -> usize {
    all.iter().map(|d| d.claims.len()).sum()
}
/// One row per claim of recovery/claims.csv, in its order and columns: claim
/// ids and notes are string cells (never formulas), amounts numbers, the filing
/// date a date cell.
fn claims(ws: &mut Worksheet, f: &Formats, r: &crate::RecoveryReport) -> Result<(), XlsxError> {
    ws.set_name("Claims")?;
    start_table(
        ws,
        f,
        &crate::recovery::CLAIM_COLUMNS,
        last_row(r.claims.len()),
        "ClaimsTable",
    )?;
    for (i, c) in r.claims.iter().enumerate() {
        let row = i as u32 + 1;
        if row + 1 >= SHEET_ROWS {
            break;
        }
        ws.write_string(row, 0, text(&c.claim_id))?;
        ws.write_string(row, 1, text(&c.carrier))?;
        ws.write_string(row, 2, text(&c.account))?;
        ws.write_string(row, 3, text(&c.service))?;
        ws.write_string(row, 4, text(&c.finding_key))?;
        date_cell(ws, row, 5, c.filed_on, Some(&f.date))?;
        ws.write_number_with_format(row, 6, amount(c.amount), &f.money)?;
        ws.write_number_with_format(row, 7, amount(c.recovered), &f.money)?;
        ws.write_number_with_format(row, 8, amount(c.outstanding), &f.money)?;
        ws.write_string(row, 9, c.status.as_str())?;
        ws.write_number(row, 10, c.days_open as f64)?;
        ws.write_string(row, 11, text(&c.credits))?;
        ws.write_string(row, 12, text(&c.note))?;
    }
    Ok(())
}

/// The ledger's figures on the Summary sheet, from `row` on; returns the next free row.
fn summary_recovery(
    ws: &mut Worksheet,
    f: &Formats,
    r: &crate::RecoveryReport,
    mut row: u32,
) -> Result<u32, XlsxError> {
    ws.write_string_with_format(row, 0, "Disputes filed (claims.csv)", &f.bold)?;
    row += 1;
    ws.write_string(row, 0, "Claims")?;
    ws.write_number(row, 1, r.claims.len() as f64)?;
    for (label, v) in [
        ("Claimed", r.claimed),
        ("Recovered", r.recovered),
        ("Outstanding", r.outstanding),
        ("Denied", r.denied),
        ("Overdue (outstanding)", r.overdue_amount),
        ("Recoverable, claimed already", r.covered),
        ("Recoverable, not claimed yet", r.unclaimed),
    ] {
        row += 1;
        money_row(ws, f, row, label, v)?;
    }
    row += 1;
    ws.write_string(row, 0, "Overdue claims")?;
    ws.write_number(row, 1, r.overdue as f64)?;
    if let Some(fee) = r.tem_fee_due {
        row += 1;
        money_row(ws, f, row, "TEM fee due now", fee)?;
    }
    Ok(row + 1)
}

/// The workbook's bytes.
pub fn report_xlsx(
    dump: &Dump,
    results: &[RuleResult],
    report: &Report,
    all_disputes: &[AccountDispute],
    all_changes: &[CarrierChanges],
    as_of: Option<Date>,
) -> Result<Vec<u8>, XlsxError> {
    report_xlsx_queueing(dump, results, report, all_disputes, all_changes, as_of, || ())
}

/// As [`report_xlsx`]; `queue` runs on this thread just after the job that
/// writes the Findings sheet is queued and before this thread writes the
/// Disputes sheet, so that rayon jobs `queue` spawns come after that job (an
/// idle thread takes the oldest job first). The library's workbook (Summary,
/// Changes, Claims and the two long sheets' headers) is made first, on this
/// thread: the long sheets' parts start from its XML.
pub(crate) fn report_xlsx_queueing(
    dump: &Dump,
    results: &[RuleResult],
    report: &Report,
    all_disputes: &[AccountDispute],
    all_changes: &[CarrierChanges],
    as_of: Option<Date>,
    queue: impl FnOnce() + Send,
) -> Result<Vec<u8>, XlsxError> {
    let summary_money = match &dump.config.currency {
        // A currency code is three capital letters (client.toml is checked), so
        // the quoted prefix needs no escaping.
        Some(c) => format!("\"{c}\" #,##0.00"),
        None => "#,##0.00".to_string(),
    };
    let f = Formats {
        money: Format::new().set_num_format("#,##0.00"),
        summary_money: Format::new().set_num_format(summary_money),
        date: Format::new().set_num_format("yyyy-mm-dd"),
        bold: Format::new().set_bold(),
        share: Format::new().set_num_format("0.00%"),
    };
    let mut wb = Workbook::new();
    // The formats' style indexes are fixed here, in this order: the sheets are
    // filled in parallel, and the first use would otherwise decide them (the
    // bytes could change from run to run).
    for format in [&f.bold, &f.date, &f.money, &f.share, &f.summary_money] {
        wb.register_format(format);
    }
    let created = match as_of.and_then(excel_date) {
        Some(d) => d,
        None => ExcelDateTime::from_ymd(2000, 1, 1)?,
    };
    let props = DocProperties::new()
        .set_title(text(&format!("Telecom bill audit: {}", report.name)))
        .set_author("telaudit")
        .set_creation_datetime(&created);
    wb.set_properties(&props);
    // Deflate level 1: the sheets are large and regular XML, level 1 packs them
    // nearly as small at a fraction of the time (the write phase waits on it).
    wb.set_zip_compression_level(LEVEL as u8);
    // Findings, Disputes and Changes: the library writes their header, column
    // formats, autofilter or table and frozen pane (as constant-memory sheets,
    // whose XML the rows continue: strings inline), and their rows are written
    // here as its XML ([`rows`]) and packed into its workbook ([`long_sheet`],
    // [`assemble`]).
    let all_findings = sorted_findings_indexed(dump, results);
    let mut s = Worksheet::new();
    summary(&mut s, &f, report, &dump.skipped, as_of)?;
    let mut fi = wb.new_worksheet_with_constant_memory()?;
    fi.set_name("Findings")?;
    start_filtered(&mut fi, &f, &FINDINGS_COLUMNS, last_row(all_findings.len()))?;
    let mut di = wb.new_worksheet_with_constant_memory()?;
    di.set_name("Disputes")?;
    let claims_n = claim_count(all_disputes);
    start_filtered(&mut di, &f, &DISPUTE_CLAIM_COLUMNS, last_row(claims_n))?;
    let mut ch = wb.new_worksheet_with_constant_memory()?;
    ch.set_name("Changes")?;
    let (change_names, changes_n) = (change_columns(), change_count(all_changes));
    start_table(&mut ch, &f, &change_names, last_row(changes_n), "ChangesTable")?;
    // The Changes sheet's last row: it stops where the others do, without a note.
    let changes_last = changes_n.min(SHEET_ROWS as usize - 2) as u32;
    wb.push_worksheet(s);
    wb.push_worksheet(fi);
    wb.push_worksheet(di);
    wb.push_worksheet(ch);
    if let Some(r) = &report.recovery {
        let mut cl = Worksheet::new();
        claims(&mut cl, &f, r)?;
        wb.push_worksheet(cl);
    }
    let head = wb.save_to_buffer()?;
    let mut book = ZipArchive::new(Cursor::new(&head[..]))?;
    let fi_head = part_text(&mut book, FINDINGS_PART)?;
    let di_head = part_text(&mut book, DISPUTES_PART)?;
    let ch_head = part_text(&mut book, CHANGES_PART)?;
    // Disputes and Changes on this thread; Findings, the longest, in a job
    // another thread takes meanwhile (queued before anything `queue` spawns).
    let ((rdi, rch), rfi) = rayon::join(
        || {
            queue();
            let di = long_sheet(
                DISPUTES_PART,
                &di_head,
                DISPUTE_CLAIM_COLUMNS.len(),
                last_row(claims_n),
                |w| disputes_rows(w, all_disputes),
            );
            let ch = long_sheet(CHANGES_PART, &ch_head, change_names.len(), changes_last, |w| {
                changes_rows(w, all_changes)
            });
            (di, ch)
        },
        || {
            let last = last_row(all_findings.len());
            long_sheet(FINDINGS_PART, &fi_head, FINDINGS_COLUMNS.len(), last, |w| {
                findings_rows(w, dump, &all_findings, &report.in_totals)
            })
        },
    );
    assemble(
        &mut book,
        [(FINDINGS_PART, rfi?), (DISPUTES_PART, rdi?), (CHANGES_PART, rch?)],
    )
}

/// The deflate level of every part of the workbook.
const LEVEL: i64 = 1;
/// The Findings and Disputes sheets' parts (the workbook's 2nd and 3rd sheets).
const FINDINGS_PART: &str = "xl/worksheets/sheet2.xml";
const DISPUTES_PART: &str = "xl/worksheets/sheet3.xml";
/// The Changes sheet's part (the 4th sheet).
const CHANGES_PART: &str = "xl/worksheets/sheet4.xml";

/// A part of the workbook `book` as text.
fn part_text(book: &mut ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<String, XlsxError> {
    let mut text = String::new();
    book.by_name(name)?.read_to_string(&mut text)?;
    Ok(text)
}

/// The options the library packs a part with (`Packager::new`): deflated at
/// [`LEVEL`], the fixed date of 1980-01-01, read-write for its owner alone.
fn part_options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(LEVEL))
        .unix_permissions(0o600)
        .last_modified_time(zip::DateTime::default())
}

/// A long sheet's part, deflated: `head`, the library's XML of the sheet with
/// its header row alone, with the rows `fill` writes (rows 1 to `last`) put
/// before its `</sheetData>` and its `<dimension>` widened to them, as the
/// library's would be had it written them. `cols`: the header's columns.
fn long_sheet(
    name: &str,
    head: &str,
    cols: usize,
    last: u32,
    fill: impl FnOnce(&mut Rows<ZipFileBuilder>) -> io::Result<()>,
) -> Result<PreparedZipFile, XlsxError> {
    let odd = |what: &str| XlsxError::ParameterError(format!("{name}: the library's sheet has {what}"));
    let at = head.find("</sheetData>").ok_or_else(|| odd("no </sheetData>"))?;
    let (before, after) = head.split_at(at);
    let dim = before
        .find("<dimension ref=\"")
        .ok_or_else(|| odd("no <dimension>"))?
        + 16;
    let dim_end = dim
        + before[dim..]
            .find('"')
            .ok_or_else(|| odd("an open <dimension>"))?;
    let range = rust_xlsxwriter::utility::cell_range(0, 0, last, cols.max(1) as u16 - 1);
    let styles = column_styles(before, cols);
    let mut z = ZipFileBuilder::new(name, part_options())?;
    z.write_all(&before.as_bytes()[..dim])?;
    z.write_all(range.as_bytes())?;
    z.write_all(&before.as_bytes()[dim_end..])?;
    let mut rows = Rows::new(z, &styles);
    fill(&mut rows)?;
    let mut z = rows.finish()?;
    z.write_all(after.as_bytes())?;
    Ok(z.finish()?)
}

/// The style of each of the first `cols` columns, as the library's `<cols>`
/// in `xml` gives them (`<col min="7" max="7" ... style="2" .../>`, 1-based
/// columns; no style is 0): the style the library gives a cell written without
/// a format of its own.
fn column_styles(xml: &str, cols: usize) -> Vec<u32> {
    let mut styles = vec![0; cols];
    for tag in xml.split("<col ").skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let attr = |name: &str| -> Option<usize> {
            let at = tag
                .find(&format!(" {name}=\""))
                .map(|i| i + name.len() + 3)
                .or_else(|| tag.strip_prefix(&format!("{name}=\"")).map(|_| name.len() + 2))?;
            tag[at..].split('"').next()?.parse().ok()
        };
        let (Some(min), Some(max), Some(style)) = (attr("min"), attr("max"), attr("style")) else {
            continue;
        };
        for c in min.max(1)..=max.min(cols) {
            styles[c - 1] = style as u32;
        }
    }
    styles
}

/// The workbook: every part of `book` in its order, the long sheets' parts
/// replaced by `parts`, copied as they are packed (nothing is deflated again).
fn assemble<const N: usize>(
    book: &mut ZipArchive<Cursor<&[u8]>>,
    parts: [(&str, PreparedZipFile); N],
) -> Result<Vec<u8>, XlsxError> {
    let mut parts = parts.map(|(name, p)| (name, Some(p)));
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..book.len() {
        let file = book.by_index_raw(i)?;
        let this = file.name()?.into_owned();
        match parts.iter_mut().find(|(name, _)| *name == this) {
            Some((name, part)) => {
                let part = part
                    .take()
                    .ok_or_else(|| XlsxError::ParameterError(format!("{name} twice")))?;
                drop(file);
                zip.add_prepared_file(part)?;
            }
            None => zip.raw_copy_file(file)?,
        }
    }
    if let Some((name, _)) = parts.iter().find(|(_, p)| p.is_some()) {
        return Err(XlsxError::ParameterError(format!(
            "the library's workbook has no {name}"
        )));
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_sheet_ends_with_how_many_rows_were_left_out() {
        // 1,048,600 data rows; rows 1 to 1,048,574 hold the first 1,048,574, so the
        // note takes the sheet's last row (1,048,575, the 1,048,576th) and 26 are left out.
        let mut w = Rows::new(Vec::new(), &[0, 3]);
        left_out_row(&mut w, 1_048_574, 1_048_600, "lines in the CSVs").unwrap();
        assert_eq!(
            String::from_utf8(w.finish().unwrap()).unwrap(),
            "<row r=\"1048576\"><c r=\"A1048576\" t=\"inlineStr\"><is><t>26 more lines in the CSVs</t></is></c></row>"
        );
        // Nothing is left out of a sheet that holds every row.
        let mut w = Rows::new(Vec::new(), &[0, 3]);
        left_out_row(&mut w, 10, 10, "lines in the CSVs").unwrap();
        assert!(w.finish().unwrap().is_empty());
    }

    /// A cell of [`both_ways`]'s sheets.
    #[derive(Debug, Clone)]
    enum Cell {
        Text(String),
        Number(f64),
        Date(u16, u8, u8),
        Blank,
    }

    /// The columns of [`both_ways`]'s sheets: a text, an amount, a date (formats
    /// by name, as on the real sheets) and a text.
    const NAMES: [&str; 4] = ["rule", "claimed", "claim_by", "note"];

    fn formats() -> Formats {
        Formats {
            money: Format::new().set_num_format("#,##0.00"),
            summary_money: Format::new().set_num_format("#,##0.00"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            bold: Format::new().set_bold(),
            share: Format::new().set_num_format("0.00%"),
        }
    }

    /// A workbook of one sheet whose header is [`NAMES`] under an autofilter,
    /// `fill` writing its rows.
    fn book(fill: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
        let f = formats();
        let mut wb = Workbook::new();
        for format in [&f.bold, &f.date, &f.money, &f.share, &f.summary_money] {
            wb.register_format(format);
        }
        wb.set_zip_compression_level(LEVEL as u8);
        let mut ws = wb.new_worksheet_with_constant_memory().unwrap();
        start_filtered(&mut ws, &f, &NAMES, 3).unwrap();
        fill(&mut ws);
        wb.push_worksheet(ws);
        wb.save_to_buffer().unwrap()
    }

    /// The sheet of `rows` (after the header) as the library writes it alone,
    /// and as [`long_sheet`] writes it into the library's header-only sheet,
    /// packed by [`assemble`]: the XML of each.
    fn both_ways(rows: &[Vec<Cell>]) -> (String, String) {
        const PART: &str = "xl/worksheets/sheet1.xml";
        let library = book(|ws| {
            for (r, cells) in rows.iter().enumerate() {
                let r = r as u32 + 1;
                for (c, cell) in cells.iter().enumerate() {
                    let c = c as u16;
                    match cell {
                        Cell::Text(t) => ws.write_string(r, c, t).map(|_| ()),
                        Cell::Number(n) => ws.write_number(r, c, *n).map(|_| ()),
                        Cell::Date(y, m, d) => {
                            let x = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                            ws.write_datetime(r, c, x).map(|_| ())
                        }
                        Cell::Blank => Ok(()),
                    }
                    .unwrap();
                }
            }
        });
        let library = part_text(&mut ZipArchive::new(Cursor::new(&library[..])).unwrap(), PART).unwrap();
        let head = book(|_| ());
        let mut head = ZipArchive::new(Cursor::new(&head[..])).unwrap();
        let head_xml = part_text(&mut head, PART).unwrap();
        let part = long_sheet(PART, &head_xml, NAMES.len(), last_row(rows.len()), |w| {
            for (r, cells) in rows.iter().enumerate() {
                w.start(r as u32 + 1)?;
                for (c, cell) in cells.iter().enumerate() {
                    let c = c as u16;
                    match cell {
                        Cell::Text(t) => w.text(c, t),
                        Cell::Number(n) => w.number(c, *n),
                        Cell::Date(y, m, d) => {
                            w.number(c, ExcelDateTime::from_ymd(*y, *m, *d).unwrap().to_excel())
                        }
                        Cell::Blank => {}
                    }
                }
            }
            Ok(())
        })
        .unwrap();
        let ours = assemble(&mut head, [(PART, part)]).unwrap();
        let ours = part_text(&mut ZipArchive::new(Cursor::new(&ours[..])).unwrap(), PART).unwrap();
        (library, ours)
    }

    #[test]
    fn a_long_sheet_is_the_xml_the_library_writes() {
        let rows = vec![
            vec![
                Cell::Text("TAX001".into()),
                Cell::Number(12.5),
                Cell::Date(2025, 1, 31),
                Cell::Text(" a & b <c> _x0041_ \u{1}".into()),
            ],
            vec![
                Cell::Text("x".into()),
                Cell::Number(f64::NAN),
                Cell::Blank,
                Cell::Text(String::new()),
            ],
            vec![
                Cell::Blank,
                Cell::Number(-0.1),
                Cell::Text("0001-01-01".into()),
                Cell::Number(f64::NEG_INFINITY),
            ],
        ];
        let (library, ours) = both_ways(&rows);
        assert!(library.contains("<dimension ref=\"A1:D4\"/>"), "{library}");
        assert!(
            library.contains("<c r=\"B3\" s=\"3\" t=\"inlineStr\"><is><t>NAN</t></is></c>"),
            "{library}"
        );
        assert_eq!(ours, library);
        // A sheet without rows keeps its header alone.
        let (library, ours) = both_ways(&[]);
        assert!(library.contains("<dimension ref=\"A1:D1\"/>"), "{library}");
        assert_eq!(ours, library);
    }

    fn cell() -> impl proptest::strategy::Strategy<Value = Cell> {
        use proptest::prelude::*;
        prop_oneof![
            "([a-zA-F0-9&<>\"' ]|_x[0-9a-fA-F]{4}_|_x[0-9G]{3}_|_x|[\t\n\r\u{1}\u{1f}\u{fffe}\u{ffff}\u{fffd}é]){0,8}"
                .prop_map(Cell::Text),
            any::<f64>().prop_map(Cell::Number),
            (-1_000_000_000i64..1_000_000_000).prop_map(|c| Cell::Number(c as f64 / 100.0)),
            (1900u16..=9999, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Cell::Date(y, m, d)),
            Just(Cell::Blank),
        ]
    }

    #[test]
    fn a_part_the_library_did_not_write_fails_the_workbook() {
        let head = book(|_| ());
        let mut head = ZipArchive::new(Cursor::new(&head[..])).unwrap();
        let stray = ZipFileBuilder::new("xl/worksheets/sheet9.xml", part_options())
            .unwrap()
            .finish()
            .unwrap();
        let err = assemble(&mut head, [("xl/worksheets/sheet9.xml", stray)]).unwrap_err();
        assert!(err.to_string().contains("sheet9.xml"), "{err}");
    }

    #[test]
    fn an_exact_number_is_the_double_its_text_parses_to() {
        for (m, scale) in [
            (1, 0),
            (-5, 1),
            (1, 28),
            (123_456_789, 6),
            ((1 << 53) - 1, 22),
            (1 << 53, 2),
            (7, 23),
        ] {
            let d = Decimal::from_i128_with_scale(m, scale);
            assert_eq!(
                exact_number(d).to_bits(),
                exact_number_of_text(d).to_bits(),
                "{d}"
            );
        }
        assert_eq!(exact_number(Decimal::new(333_333, 6)), 0.333333);
    }

    proptest::proptest! {
        // A fixed seed so a failure reproduces; PROPTEST_RNG_SEED explores others.
        #![proptest_config(proptest::test_runner::Config {
            cases: 2000,
            rng_seed: match proptest::test_runner::Config::default().rng_seed {
                proptest::test_runner::RngSeed::Random => proptest::test_runner::RngSeed::Fixed(20_261_206),
                chosen => chosen,
            },
            ..proptest::test_runner::Config::default()
        })]
        #[test]
        fn any_exact_number_is_the_double_its_text_parses_to(m in proptest::prelude::any::<i64>(), scale in 0u32..=28) {
            let d = Decimal::new(m, scale);
            proptest::prop_assert_eq!(exact_number(d).to_bits(), exact_number_of_text(d).to_bits());
            let small = Decimal::new(m % (1 << 53), scale);
            proptest::prop_assert_eq!(exact_number(small).to_bits(), exact_number_of_text(small).to_bits());
        }
    }

    proptest::proptest! {
        // A fixed seed so a failure reproduces; PROPTEST_RNG_SEED explores others.
        #![proptest_config(proptest::test_runner::Config {
            cases: 200,
            rng_seed: match proptest::test_runner::Config::default().rng_seed {
                proptest::test_runner::RngSeed::Random => proptest::test_runner::RngSeed::Fixed(20_261_206),
                chosen => chosen,
            },
            ..proptest::test_runner::Config::default()
        })]
        #[test]
        fn any_rows_are_the_xml_the_library_writes(
            rows in proptest::collection::vec(("[a-z]{1,3}", proptest::collection::vec(cell(), 0..4)), 0..12)
        ) {
            // Every row starts with a text, as the real sheets' rows do: the
            // sheet's dimension counts its last row.
            let rows: Vec<Vec<Cell>> = rows
                .into_iter()
                .map(|(first, rest)| std::iter::once(Cell::Text(first)).chain(rest).collect())
                .collect();
            let (library, ours) = both_ways(&rows);
            proptest::prop_assert_eq!(ours, library);
        }
    }

    #[test]
    fn text_is_cut_at_excels_limit_in_utf16_units() {
        assert_eq!(text("short"), "short");
        let ascii = "a".repeat(CELL_CHARS + 5);
        assert_eq!(text(&ascii).len(), CELL_CHARS);
        // 20,000 emoji are 40,000 UTF-16 units: 16,383 fit (32,766 units).
        let emoji = "\u{1F4DE}".repeat(20_000);
        let cut = text(&emoji);
        assert_eq!(cut.chars().count(), 16_383);
        assert_eq!(cut.encode_utf16().count(), 32_766);
        // The library takes the cut text.
        let mut ws = Worksheet::new();
        assert!(ws.write_string(0, 0, cut).is_ok());
        assert!(ws.write_string(1, 0, emoji).is_err(), "the uncut text is refused");
    }
}
