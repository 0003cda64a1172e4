//! Zip archives below invoices/ (Verizon's Raw Data Download `.rdd`/`.zip`): each
//! member is read through layout recognition as its own file named
//! `invoices/x.zip!Member.txt`, giving the same rows as the members unpacked by hand;
//! unknown members warn, damaged archives and members are refused with the reason.

use std::path::Path;
use telaudit_model::{Dump, Micros, Position, SourceKind};
use telaudit_parse::{read_client, write_zip};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/layouts")
            .join(name),
    )
    .unwrap()
}

fn client(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    dir
}

fn m(s: &str) -> Micros {
    Micros::parse(s).unwrap()
}

fn billed(d: &Dump) -> Micros {
    Micros(d.rows.iter().map(|r| r.amount.0).sum())
}

/// Every row as text: its fields and where it came from.
fn rows(d: &Dump) -> Vec<String> {
    d.rows
        .iter()
        .map(|r| {
            format!(
                "{}|{}|{}|{}|{}|{}|{}|{:?}|{}|{:?}|{:?}|{} @ {}",
                d.s(r.carrier),
                d.s(r.account),
                d.s(r.invoice),
                r.invoice_date,
                r.period_start,
                r.period_end,
                d.s(r.service),
                r.charge_type,
                d.s(r.description),
                r.usage_quantity,
                d.s(r.usage_unit),
                r.amount,
                d.locate(r.source)
            )
        })
        .collect()
}

const DETAIL: &str = "Acct & Wireless Charges Detail Summary Usage.txt";
const SUMMARY: &str = "Account & Wireless Summary.txt";

#[test]
fn an_rdd_zip_reads_like_its_members_unpacked() {
    let (detail, summary) = (fixture("verizon-detail.txt"), fixture("verizon-summary.txt"));
    let plain = client(&[
        (&format!("invoices/vz/{DETAIL}"), &detail),
        (&format!("invoices/vz/{SUMMARY}"), &summary),
    ]);
    let want = read_client(plain.path()).unwrap();
    // Hand totals of the two fixtures (different invoices, so both count): 100.15 + 104.80.
    assert_eq!(billed(&want), m("204.95"));
    let want_rows: Vec<String> = rows(&want)
        .iter()
        .map(|r| r.replace("invoices/vz/", "invoices/vz/march.rdd!"))
        .collect();
    for (name, deflate) in [("march.rdd", true), ("march.rdd", false)] {
        let z = write_zip(&[(SUMMARY, &summary), (DETAIL, &detail)], deflate);
        let dir = client(&[(&format!("invoices/vz/{name}"), &z)]);
        let got = read_client(dir.path()).unwrap();
        assert!(got.rejected.is_empty(), "{:#?}", got.rejected);
        assert_eq!(rows(&got), want_rows);
        assert_eq!(billed(&got), m("204.95"));
        // One SourceFile per member, in member-name order like files in a folder.
        let files: Vec<(&str, &SourceKind)> = got.files.iter().map(|f| (f.path.as_str(), &f.kind)).collect();
        assert_eq!(
            files,
            [
                (
                    "invoices/vz/march.rdd!Account & Wireless Summary.txt",
                    &SourceKind::Layout("verizon-wireless-summary".into())
                ),
                (
                    "invoices/vz/march.rdd!Acct & Wireless Charges Detail Summary Usage.txt",
                    &SourceKind::Layout("verizon-wireless-charges-detail".into())
                ),
            ]
        );
    }
    // The first detail row is on line 2 of its member.
    let z = write_zip(&[(DETAIL, &detail)], true);
    let dir = client(&[("invoices/rdd.zip", &z)]);
    let got = read_client(dir.path()).unwrap();
    assert_eq!(
        got.locate(got.rows[0].source),
        "invoices/rdd.zip!Acct & Wireless Charges Detail Summary Usage.txt:2"
    );
    assert_eq!(billed(&got), m("100.15"));
}

#[test]
fn the_summary_member_defers_to_the_detail_member_of_the_same_invoice() {
    let detail = fixture("verizon-detail.txt");
    let summary = String::from_utf8(fixture("verizon-summary.txt"))
        .unwrap()
        .replace("9800001", "9900001");
    let z = write_zip(&[(SUMMARY, summary.as_bytes()), (DETAIL, &detail)], true);
    let dir = client(&[("invoices/vz.zip", &z)]);
    let d = read_client(dir.path()).unwrap();
    assert_eq!(billed(&d), m("100.15"));
    assert!(d.warnings.iter().any(
        |w| w.file == format!("invoices/vz.zip!{SUMMARY}") && w.message.contains("10 row(s) not counted")
    ));
}

#[test]
fn unknown_members_warn_and_damaged_archives_are_refused() {
    let detail = fixture("verizon-detail.txt");
    let z = write_zip(
        &[
            (DETAIL, &detail[..]),
            ("readme.txt", b"Raw Data Download\nthis file lists nothing\n"),
            ("odd.csv", b"a,b,c\n1,2,3\n"),
            ("logo.png", b"\x89PNG"),
            ("inner.zip", b"PK\x05\x06"),
            ("folder/", b""),
        ],
        true,
    );
    let mut broken = write_zip(&[(DETAIL, &detail[..])], false);
    broken[30 + DETAIL.len() + 10] ^= 0x01; // inside the member's data: its CRC-32 no longer matches
    let dir = client(&[
        ("invoices/a.zip", &z),
        ("invoices/b.zip", b"PK\x03\x04 but cut short"),
        ("invoices/c.rdd", &broken),
    ]);
    let d = read_client(dir.path()).unwrap();
    assert_eq!(billed(&d), m("100.15"));
    let warned: Vec<&str> = d.warnings.iter().map(|w| w.file.as_str()).collect();
    for name in [
        "invoices/a.zip!readme.txt",
        "invoices/a.zip!odd.csv",
        "invoices/a.zip!logo.png",
    ] {
        assert!(warned.contains(&name), "{name} not in {warned:?}");
    }
    assert!(d
        .warnings
        .iter()
        .any(|w| w.file == "invoices/a.zip!inner.zip" && w.message.contains("archive inside an archive")));
    assert!(
        d.warnings
            .iter()
            .any(|w| w.file == "invoices/a.zip!odd.csv"
                && w.message.contains("no carrier layout recognises it"))
    );
    assert!(!warned.contains(&"invoices/a.zip!folder/"));
    let refused: Vec<(&str, &str)> = d
        .rejected
        .iter()
        .map(|r| (r.file.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(refused.len(), 2, "{refused:#?}");
    assert_eq!(refused[0].0, "invoices/b.zip");
    assert!(
        refused[0]
            .1
            .starts_with("cannot open this zip archive: not a zip archive"),
        "{}",
        refused[0].1
    );
    assert_eq!(refused[1].0, format!("invoices/c.rdd!{DETAIL}"));
    assert!(refused[1].1.contains("CRC-32"), "{}", refused[1].1);
    assert!(d.rejected.iter().all(|r| r.position == Position::File));
}

#[test]
fn only_a_corrupt_archive_means_no_charge_rows_and_says_why() {
    let dir = client(&[("invoices/rdd.zip", b"not a zip at all")]);
    let e = read_client(dir.path()).unwrap_err().to_string();
    assert!(
        e.contains("invoices/rdd.zip: cannot open this zip archive"),
        "{e}"
    );
}

#[test]
fn client_toml_forces_a_layout_on_a_member() {
    // A detail member whose "Cost" column is named "Charge" is recognised by no
    // layout (a warning); forcing the detail layout on the member's path reads it:
    // its amount column is missing, so its rows are refused, at the member's lines.
    let detail = String::from_utf8(fixture("verizon-detail.txt"))
        .unwrap()
        .replacen("\tCost\t", "\tCharge\t", 1);
    let z = write_zip(
        &[
            ("odd name.txt", detail.as_bytes()),
            (DETAIL, &fixture("verizon-detail.txt")),
        ],
        true,
    );
    let dir = client(&[("invoices/rdd.zip", &z)]);
    let d = read_client(dir.path()).unwrap();
    assert_eq!(billed(&d), m("100.15"));
    assert!(d.rejected.is_empty());
    assert!(d
        .warnings
        .iter()
        .any(|w| w.file == "invoices/rdd.zip!odd name.txt"
            && w.message
                .contains("verizon-wireless-charges-detail (missing Cost)")));
    let toml = "[[layouts]]\npath = \"invoices/*.zip!odd*\"\nlayout = \"verizon-wireless-charges-detail\"\n";
    let dir = client(&[("invoices/rdd.zip", &z), ("client.toml", toml.as_bytes())]);
    let d = read_client(dir.path()).unwrap();
    assert_eq!(d.files[1].path, "invoices/rdd.zip!odd name.txt");
    assert_eq!(
        d.files[1].kind,
        SourceKind::Layout("verizon-wireless-charges-detail".into())
    );
    assert_eq!(billed(&d), m("100.15"));
    let lines: Vec<Position> = d.rejected.iter().map(|r| r.position).collect();
    assert_eq!(lines.first(), Some(&Position::Line(2)), "{:#?}", d.rejected);
    assert!(d
        .rejected
        .iter()
        .all(|r| r.file == "invoices/rdd.zip!odd name.txt" && r.reason.contains("amount is empty")));
}

#[test]
fn the_real_verizon_samples_zipped_are_recognised() {
    // shared/carrier-samples beside the repository, or beside a folder above it.
    let Some(src) = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .skip(3)
        .map(|a| a.join("shared/carrier-samples/verizon"))
        .find(|p| p.is_dir())
    else {
        eprintln!("skipped: no shared/carrier-samples beside the repository or above it");
        return;
    };
    let mut members: Vec<(String, Vec<u8>)> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    members.sort();
    let refs: Vec<(&str, &[u8])> = members.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let dir = client(&[("invoices/verizon.rdd", &write_zip(&refs, true))]);
    let d = read_client(dir.path()).unwrap();
    assert!(d.rejected.is_empty(), "{:#?}", d.rejected);
    let kinds: Vec<&SourceKind> = d.files.iter().map(|f| &f.kind).collect();
    assert_eq!(
        kinds,
        [
            &SourceKind::Layout("verizon-wireless-summary".into()),
            &SourceKind::Layout("verizon-wireless-account-summary".into()),
            &SourceKind::Layout("verizon-wireless-charges-detail".into()),
            &SourceKind::Layout("verizon-wireless-usage-detail".into())
        ]
    );
    // The AccountSummary member is read for its stated total (BAL002), as unpacked.
    assert_eq!(
        d.stated.iter().map(|t| t.amount).collect::<Vec<_>>(),
        [
            Micros::ZERO,
            Micros::parse("70.50").unwrap(),
            Micros::parse("36830.02").unwrap()
        ]
    );
    // As unpacked (layout_samples.rs): 3 usage rows of the detail (the summary
    // defers) and the Wireless Usage Detail's 7 minutes, read for usage.
    assert_eq!(d.rows.len(), 4);
    assert_eq!(billed(&d), Micros::ZERO);
    assert_eq!(d.rows[3].usage_quantity, Some(Micros::parse("7").unwrap()));
    assert_eq!(d.usage_files.len(), 1);
    assert_eq!(
        d.files[d.usage_files[0].file.0 as usize].path,
        "invoices/verizon.rdd!Wireless Usage Detail_test.txt"
    );
    let f = "invoices/verizon.rdd!AccountSummary_test.txt";
    assert!(
        d.warnings
            .iter()
            .any(|w| w.file == f && w.message.contains("recognised as")),
        "{f}"
    );
}
