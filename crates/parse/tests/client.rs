//! read_client on temporary folders.

use std::fs;
use std::path::Path;
use telaudit_model::{Dump, Micros, Position, SourceKind};
use telaudit_parse::{read_client, ClientError};

const HEADER: &str = "carrier,account,invoice,invoice_date,period_start,period_end,service_id,charge_type,\
charge_code,description,quantity,unit_rate,amount";

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

fn row(carrier: &str, account: &str, amount: &str) -> String {
    format!("{carrier},{account},I1,2025-02-01,2025-01-01,2025-01-31,S1,recurring,C,Plan,1,,{amount}")
}

/// A client with three charge files in two folders, inventory, contracts and client.toml,
/// the files created in `order`.
fn make_client(root: &Path, order: &[usize]) {
    let files = [
        (
            "invoices/b.csv",
            format!(
                "{HEADER}\n{}\n{}\n",
                row("Bell", "B1", "0.10"),
                row("AT&T", "A1", "0.20")
            ),
        ),
        (
            "invoices/2025/att.CSV",
            format!(
                "{HEADER}\n{}\n{}\n",
                row("AT&T", "A1", "19.99"),
                row("Zed", "Z", "x")
            ),
        ),
        (
            "invoices/a.csv",
            format!("{HEADER}\n{}\n", row("Verizon", "V1", "-0.30")),
        ),
        (
            "inventory.csv",
            "service_id,carrier,account,status\nS1,Zed,Z,active\nS1,Bell,,pending\n".into(),
        ),
        (
            "contracts.csv",
            "kind,carrier,charge_code,amount\nrate,Bell,C,1\n".into(),
        ),
        ("client.toml", "name = \"Acme\"\ntax_exempt = true\n".into()),
        ("invoices/notes.txt", "hello".into()),
    ];
    for &i in order {
        write(root, files[i].0, &files[i].1);
    }
}

fn snapshot(d: &Dump) -> Vec<String> {
    let mut out: Vec<String> = d
        .files
        .iter()
        .map(|f| format!("{} {:?}", f.path, f.kind))
        .collect();
    for r in &d.rows {
        out.push(format!(
            "{} {} {} {} {}",
            d.s(r.carrier),
            d.s(r.account),
            d.s(r.service),
            r.amount,
            d.locate(r.source)
        ));
    }
    for i in &d.inventory {
        out.push(format!(
            "inv {} {} {}",
            d.s(i.carrier),
            d.s(i.service),
            d.locate(i.source)
        ));
    }
    for c in &d.contracts {
        out.push(format!(
            "con {} {} {}",
            d.s(c.carrier),
            d.s(c.charge_code),
            d.locate(c.source)
        ));
    }
    for r in &d.rejected {
        out.push(format!("rej {}:{} {}", r.file, r.position, r.reason));
    }
    for w in &d.warnings {
        out.push(format!("warn {} {}", w.file, w.message));
    }
    out
}

#[test]
fn reads_a_client_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("acme");
    make_client(&root, &[0, 1, 2, 3, 4, 5, 6]);
    let d = read_client(&root).unwrap();
    assert_eq!(d.client, "acme");
    assert_eq!(d.display_name(), "Acme");
    assert!(d.config.tax_exempt);
    assert_eq!(
        snapshot(&d),
        vec![
            "invoices/2025/att.CSV CanonicalCsv",
            "invoices/a.csv CanonicalCsv",
            "invoices/b.csv CanonicalCsv",
            "inventory.csv Inventory",
            "contracts.csv Contracts",
            "client.toml ClientToml",
            "AT&T A1 S1 19.99 invoices/2025/att.CSV:2",
            "Verizon V1 S1 -0.3 invoices/a.csv:2",
            "Bell B1 S1 0.1 invoices/b.csv:2",
            "AT&T A1 S1 0.2 invoices/b.csv:3",
            "inv Zed S1 inventory.csv:2",
            "inv Bell S1 inventory.csv:3",
            "con Bell C contracts.csv:2",
            "rej invoices/2025/att.CSV:3 bad amount \"x\": not a plain decimal number (expected e.g. -12.5 or \
             1234.5678)",
            "warn invoices/notes.txt not canonical charge CSV and no carrier layout recognises its header \
             (its header shares no signature column with any carrier layout (`telaudit layouts` lists them)); skipped",
            // The inventory names a carrier no bill has: the line matches nothing.
            "warn inventory.csv inventory line: carrier \"Zed\" appears on no bill, so the line matches \
             nothing; write the carrier's name exactly as the bills do; the bills name \"AT&T\", \
             \"Bell\", \"Verizon\"",
        ]
    );
    // Symbols are shared across files: both AT&T A1 rows have the same symbols.
    assert_eq!(d.rows[0].carrier, d.rows[3].carrier);
    assert_eq!(d.rows[0].account, d.rows[3].account);
    // The inventory's Bell is the rows' Bell.
    assert_eq!(d.inventory[1].carrier, d.rows[2].carrier);
    // Exact sum: 19.99 - 0.30 + 0.10 + 0.20 = 19.99, with no binary-float drift.
    assert_eq!(
        d.rows.iter().map(|r| r.amount).sum::<Micros>(),
        Micros(19_990_000)
    );
    assert_eq!(d.rejected.iter().map(|r| r.rows).sum::<u64>(), 1);
}

#[test]
fn same_dump_whatever_the_creation_order() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("one/acme");
    let b = tmp.path().join("two/acme");
    make_client(&a, &[0, 1, 2, 3, 4, 5, 6]);
    make_client(&b, &[6, 5, 4, 3, 2, 1, 0]);
    let (da, db) = (read_client(&a).unwrap(), read_client(&b).unwrap());
    assert_eq!(snapshot(&da), snapshot(&db));
    assert_eq!(da.rows, db.rows);
    // And from run to run.
    assert_eq!(read_client(&a).unwrap().rows, da.rows);
}

#[test]
fn no_invoices_folder_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("c1");
    fs::create_dir_all(&root).unwrap();
    let e = read_client(&root).unwrap_err();
    assert!(matches!(e, ClientError::NoInvoices { .. }));
    assert!(!e.is_config());
    assert!(e.to_string().contains("no invoices/ folder"), "{e}");
    assert!(e.to_string().contains("c1"), "{e}");
}

#[test]
fn missing_folder_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let e = read_client(&tmp.path().join("nope")).unwrap_err();
    assert!(matches!(e, ClientError::Unreadable { .. }));
    assert!(e.to_string().contains("nope"), "{e}");
}

#[test]
fn invoices_without_charge_rows_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("c2");
    fs::create_dir_all(root.join("invoices")).unwrap();
    let e = read_client(&root).unwrap_err();
    assert!(matches!(e, ClientError::NoChargeRows { .. }));
    assert!(e.to_string().contains("no charge rows"), "{e}");
    // A header-only CSV and a stray file hold no rows either.
    write(&root, "invoices/h.csv", &format!("{HEADER}\n"));
    write(&root, "invoices/readme.md", "x");
    let e = read_client(&root).unwrap_err();
    assert!(
        e.to_string()
            .contains("1 bill file(s) read, 1 other file(s) skipped"),
        "{e}"
    );
}

#[test]
fn only_refused_rows_is_not_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("c3");
    write(
        &root,
        "invoices/bad.csv",
        &format!("{HEADER}\n{}\n", row("Bell", "B", "1e5")),
    );
    let d = read_client(&root).unwrap();
    assert!(d.rows.is_empty());
    assert_eq!(d.rejected.len(), 1);
    assert_eq!(d.rejected[0].position, Position::Line(2));
    // A file refused whole counts its rows too.
    let root = tmp.path().join("c4");
    write(&root, "invoices/bad.csv", "carrier,amount\nBell,1\nBell,2\n");
    let d = read_client(&root).unwrap();
    assert_eq!((d.rejected[0].position, d.rejected[0].rows), (Position::File, 2));
}

#[test]
fn bad_client_toml_is_a_configuration_error() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("c5");
    write(
        &root,
        "invoices/a.csv",
        &format!("{HEADER}\n{}\n", row("Bell", "B", "1")),
    );
    write(&root, "client.toml", "name = \"x\"\ntaxexempt = true\n");
    let e = read_client(&root).unwrap_err();
    assert!(e.is_config());
    let msg = e.to_string();
    assert!(
        msg.contains("client.toml") && msg.contains("taxexempt") && msg.contains("bad configuration"),
        "{msg}"
    );
    write(
        &root,
        "client.toml",
        "[proposal]\none_time = 100.5\nmonthly = \"1\"\n",
    );
    let e = read_client(&root).unwrap_err();
    assert!(e.is_config() && e.to_string().contains("quoted"), "{e}");
}

#[test]
fn edi_files_go_to_the_edi_reader() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("c6");
    write(
        &root,
        "invoices/a.csv",
        &format!("{HEADER}\n{}\n", row("Bell", "B", "1")),
    );
    write(&root, "invoices/b.x12", "ISA*00*~");
    write(&root, "invoices/c.txt", "\n  ISA*00*~");
    // Not b.x12's bytes (that would be a second delivery, skipped).
    write(&root, "invoices/d.csv", "ISA*00*~\n");
    let d = read_client(&root).unwrap();
    let kinds: Vec<(&str, &SourceKind)> = d.files.iter().map(|f| (f.path.as_str(), &f.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            ("invoices/a.csv", &SourceKind::CanonicalCsv),
            ("invoices/b.x12", &SourceKind::Edi811),
            ("invoices/c.txt", &SourceKind::Edi811),
            ("invoices/d.csv", &SourceKind::Edi811),
        ]
    );
    assert_eq!(d.rows.len(), 1);
}

#[cfg(unix)]
#[test]
fn symlinks_outside_and_cycles_are_skipped() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("c7");
    write(
        &root,
        "invoices/a.csv",
        &format!("{HEADER}\n{}\n", row("Bell", "B", "1")),
    );
    write(
        tmp.path(),
        "outside/x.csv",
        &format!("{HEADER}\n{}\n", row("Bell", "B", "2")),
    );
    symlink(tmp.path().join("outside"), root.join("invoices/out")).unwrap();
    symlink(root.join("invoices"), root.join("invoices/loop")).unwrap();
    symlink(root.join("invoices/a.csv"), root.join("invoices/z.csv")).unwrap();
    // Links back to the client folder, and to its own inventory, are not bills.
    write(
        &root,
        "inventory.csv",
        "service_id,carrier,status\n555-0100,Bell,active\n",
    );
    symlink(&root, root.join("invoices/up")).unwrap();
    symlink(root.join("inventory.csv"), root.join("invoices/inv.csv")).unwrap();
    let d = read_client(&root).unwrap();
    assert_eq!(d.rows.len(), 1);
    assert!(d.rejected.is_empty(), "{:?}", d.rejected);
    assert_eq!(d.inventory.len(), 1);
    let warns: Vec<String> = d
        .warnings
        .iter()
        .map(|w| format!("{} {}", w.file, w.message))
        .collect();
    assert_eq!(
        warns,
        vec![
            "invoices/inv.csv symbolic link to the client's own inventory, contracts or client.toml, \
             not a bill; skipped",
            "invoices/loop symbolic link loop; skipped",
            "invoices/out symbolic link leads outside the client folder; skipped",
            "invoices/up symbolic link leads back above invoices/; skipped",
            "invoices/z.csv the same file as invoices/a.csv; skipped",
            // Bell's 555-0100 is on no bill here (only a.csv is read): it matches nothing.
            "inventory.csv inventory line: service 555-0100 appears on no bill of Bell, so the line \
             matches nothing",
        ]
    );
}

#[test]
fn edi_rows_and_unbalanced_invoices_are_remapped() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("c8");
    let csv = format!(
        "{HEADER}\n{}\n{}\n",
        row("Lumen", "5-KX8812", "1"),
        row("Bell", "B", "2")
    );
    write(&root, "invoices/a.csv", &csv);
    let edi = include_str!("fixtures/edi/spec-example.edi").replace("TDS*67550", "TDS*67500");
    write(&root, "invoices/b.edi", &edi);
    let d = read_client(&root).unwrap();
    assert!(d.rejected.is_empty(), "{:?}", d.rejected);
    assert_eq!(d.rows.len(), 5);
    assert_eq!(d.unbalanced.len(), 1);
    let u = &d.unbalanced[0];
    assert_eq!(u.rows, 2..5);
    assert_eq!(d.locate(u.source), "invoices/b.edi:segment 3");
    assert_eq!((d.s(u.carrier), d.s(u.account)), ("Lumen", "5-KX8812"));
    assert_eq!(u.stated, Micros(675_000_000));
    assert_eq!(u.computed, d.rows[2..5].iter().map(|r| r.amount).sum::<Micros>());
    assert_eq!(u.computed, Micros(675_500_000));
    // The CSV's Lumen and account are the EDI's symbols.
    assert_eq!(d.rows[0].carrier, d.rows[2].carrier);
    assert_eq!(d.rows[0].account, d.rows[2].account);
    assert!(d.rows[2..]
        .iter()
        .all(|r| d.file(r.source.file).kind == SourceKind::Edi811));
}

#[test]
fn reads_the_small_client_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/small-client");
    let d = read_client(&root).unwrap();
    assert_eq!(d.client, "small-client");
    assert!(d.rejected.is_empty(), "{:?}", d.rejected);
    assert_eq!(d.rows.len(), 57);
    // billed_total from the fixture's README: Verizon 690.66 + Lumen 2626.50.
    assert_eq!(
        d.rows.iter().map(|r| r.amount).sum::<Micros>(),
        Micros(3_317_160_000)
    );
    assert_eq!(d.inventory.len(), 6);
    assert_eq!(d.contracts.len(), 4);
}

#[test]
fn read_charge_file_picks_the_reader() {
    use telaudit_model::FileId;
    use telaudit_parse::read_charge_file;
    let csv = format!("{HEADER}\n{}\n", row("Bell", "B", "2.5"));
    let p = read_charge_file(Path::new("x/a.CSV"), csv.as_bytes(), FileId(0), "a.CSV").unwrap();
    assert_eq!(p.rows.len(), 1);
    assert_eq!(p.rows[0].amount, Micros(2_500_000));
    let edi = include_str!("fixtures/edi/spec-example.edi");
    let p = read_charge_file(Path::new("x/lumen.txt"), edi.as_bytes(), FileId(0), "lumen.txt").unwrap();
    assert_eq!(p.rows.len(), 3);
    let e = read_charge_file(Path::new("notes.txt"), b"hello", FileId(0), "notes.txt").unwrap_err();
    assert!(e.to_string().starts_with("notes.txt: not a bill file"), "{e}");
}
