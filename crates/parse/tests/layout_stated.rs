//! The totals carrier exports state (`[[stated]]`), on fixtures written from scratch
//! (tests/fixtures/layouts/): what each layout states, for which invoice and line,
//! from which line, and that a stated total makes no charge.

use std::path::Path;
use telaudit_model::{FileId, Micros, Position, StatedScope};
use telaudit_parse::{add_layouts, read_charge_file, read_client, ParsedFile};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/layouts")
            .join(name),
    )
    .unwrap()
}

fn read(name: &str) -> ParsedFile {
    read_charge_file(Path::new(name), &fixture(name), FileId(0), name).unwrap()
}

fn m(s: &str) -> Micros {
    Micros::parse(s).unwrap()
}

/// (carrier, account, invoice, service, what, amount, scope, line) of each stated total.
type Stated = (String, String, String, String, String, Micros, StatedScope, u32);

fn stated(p: &ParsedFile) -> Vec<Stated> {
    let s = |x| p.strings.get(x).to_string();
    p.stated
        .iter()
        .map(|t| {
            (
                s(t.carrier),
                s(t.account),
                s(t.invoice),
                s(t.service),
                s(t.what),
                t.amount,
                t.scope,
                t.source.pos,
            )
        })
        .collect()
}

/// A stated total from its [carrier, account, invoice, service, what].
fn st(key: [&str; 5], amount: &str, scope: StatedScope, line: u32) -> Stated {
    let [c, a, i, sv, w] = key;
    (
        c.into(),
        a.into(),
        i.into(),
        sv.into(),
        w.into(),
        m(amount),
        scope,
        line,
    )
}

#[test]
fn verizon_account_summary_states_each_invoices_current_charges_and_makes_no_charge() {
    let p = read("verizon-account-summary.txt");
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    assert!(p.rows.is_empty());
    // Invoice 9800001: Total Current Charges 1,234.56 (Total Amount Due is the same here
    // but includes the balance forward in general); 9800002 states no current charges
    // (an empty cell states nothing), though its amount due is 2,469.12.
    assert_eq!(
        stated(&p),
        [st(
            [
                "Verizon Wireless",
                "0123456789-00001",
                "9800001",
                "",
                "Total Current Charges"
            ],
            "1234.56",
            StatedScope::Invoice,
            2
        )]
    );
    assert!(
        p.warnings
            .iter()
            .any(|w| w.position == Position::File && w.message.contains("1 stated total(s) read for BAL002")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn verizon_summary_states_each_lines_total_charges() {
    let p = read("verizon-summary.txt");
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    let what = "the lines' Total Charges";
    assert_eq!(
        stated(&p),
        [
            st(
                [
                    "Verizon Wireless",
                    "0123456789-00001",
                    "9800001",
                    "555-201-0101",
                    what
                ],
                "104.80",
                StatedScope::Invoice,
                2
            ),
            st(
                [
                    "Verizon Wireless",
                    "0123456789-00001",
                    "9800001",
                    "555-201-0102",
                    what
                ],
                "0",
                StatedScope::Invoice,
                3
            ),
        ]
    );
    // Its charges are still made: 85.00 + 12.50 + 3.10 + 4.20 = 104.80.
    assert_eq!(Micros(p.rows.iter().map(|r| r.amount.0).sum()), m("104.80"));
}

#[test]
fn att_ira_row_states_the_fan_invoice_total_over_the_whole_file() {
    let p = read("att-rdo-ira.txt");
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    // The IRA row (line 3) names no foundation account: the layout's default says so.
    // Current charges 75.25, not the amount due 165.25 (it adds the previous balance).
    assert_eq!(
        stated(&p),
        [st(
            [
                "AT&T Mobility",
                "(foundation account)",
                "F-5001",
                "",
                "FAN Invoice Total Current Charges"
            ],
            "75.25",
            StatedScope::File,
            3
        )]
    );
    // The charges of two billing accounts: 40.00 + 30.00 + 2.75 = 72.75.
    assert_eq!(Micros(p.rows.iter().map(|r| r.amount.0).sum()), m("72.75"));
    let accounts: Vec<&str> = p.rows.iter().map(|r| p.strings.get(r.account)).collect();
    assert_eq!(accounts, ["311", "322", "322"]);
}

#[test]
fn bell_acc_states_cur_chg_ttl_under_the_mob_invoice_name() {
    let p = read("bell-acc.csv");
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    assert!(p.rows.is_empty());
    // The French header line is skipped; the padded cells are trimmed; the invoice is
    // named as the MOB layout names it: "{Acct Nbr}-{Invc Date}".
    assert_eq!(
        stated(&p),
        [st(
            [
                "Bell Mobility",
                "ACME-0042",
                "ACME-0042-2024/03/01",
                "",
                "Cur Chg Ttl (current charges)"
            ],
            "115.50",
            StatedScope::Invoice,
            3
        )]
    );
}

#[test]
fn a_stated_total_that_is_not_a_number_is_a_warning_on_its_line_and_not_read() {
    let text = String::from_utf8(fixture("verizon-account-summary.txt"))
        .unwrap()
        .replace("\t1,234.56\t1,234.56", "\tsee page 2\t1,234.56");
    let p = read_charge_file(Path::new("a.txt"), text.as_bytes(), FileId(0), "a.txt").unwrap();
    assert!(p.stated.is_empty());
    assert!(p.rejected.is_empty(), "{:#?}", p.rejected);
    let w = p
        .warnings
        .iter()
        .find(|w| w.position == Position::Line(2))
        .expect("a warning on line 2");
    assert!(
        w.message
            .starts_with("the stated total \"Total Current Charges\" is not a number"),
        "{}",
        w.message
    );
}

#[test]
fn a_superseded_summarys_stated_totals_stay_and_name_the_superseding_layout() {
    let detail = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layouts/verizon-detail.txt"),
    )
    .unwrap();
    let summary = String::from_utf8(fixture("verizon-summary.txt"))
        .unwrap()
        .replace("9800001", "9900001");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("invoices")).unwrap();
    std::fs::write(dir.path().join("invoices/d.txt"), detail).unwrap();
    std::fs::write(dir.path().join("invoices/s.txt"), summary).unwrap();
    let d = read_client(dir.path()).unwrap();
    let got: Vec<(&str, Micros, Option<&str>)> = d
        .stated
        .iter()
        .map(|t| {
            (
                d.file(t.source.file).path.as_str(),
                t.amount,
                t.superseded_by.as_deref(),
            )
        })
        .collect();
    let by = Some("verizon-wireless-charges-detail");
    assert_eq!(
        got,
        [
            ("invoices/s.txt", m("104.80"), by),
            ("invoices/s.txt", m("0"), by)
        ]
    );
}

#[test]
fn layout_files_are_checked_for_stated_entries() {
    let base = "name = \"x\"\ntitle = \"X\"\nsignature = [\"A\"]\n";
    let err = |extra: &str| add_layouts(&[("x.toml".into(), format!("{base}{extra}"))]).unwrap_err();
    assert!(
        err("role = \"totals\"\n").contains("role \"totals\" needs at least one [[stated]] entry"),
        "{}",
        err("role = \"totals\"\n")
    );
    let e = err("role = \"ignore\"\n[[stated]]\nwhat = \"T\"\namount = \"A\"\n");
    assert!(e.contains("use role = \"totals\""), "{e}");
    let e = err("role = \"totals\"\n[[stated]]\nwhat = \"T\"\namount = \"A\"\n");
    assert!(e.contains("carrier, account and invoice must be given"), "{e}");
    let e = err("role = \"totals\"\n[fields]\ncarrier = \"A\"\naccount = \"A\"\ninvoice = \"A\"\n[[stated]]\nwhat = \"T\"\namount = \"A\"\nscope = \"page\"\n");
    assert!(e.contains("scope \"page\": use \"invoice\" or \"file\""), "{e}");
}
