//! The generator's outside promises: same options give the same bytes, the size
//! follows `services`, and every file is well-formed CSV with the canonical header.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use telaudit_generate::{generate, GenOptions};

fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let p: PathBuf = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let name = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(name, fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn opts(services: usize, seed: u64) -> GenOptions {
    GenOptions {
        services,
        seed,
        ..GenOptions::default()
    }
}

#[test]
fn same_options_same_bytes_other_seed_other_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let sa = generate(&a.path().join("client"), &opts(120, 42)).unwrap();
    let sb = generate(&b.path().join("client"), &opts(120, 42)).unwrap();
    let sc = generate(&c.path().join("client"), &opts(120, 43)).unwrap();
    assert_eq!(sa, sb);
    let (fa, fb, fc) = (files(a.path()), files(b.path()), files(c.path()));
    assert_eq!(fa, fb);
    assert_ne!(fa, fc);
    assert_ne!(sa.rows, sc.rows);
    // 4 carriers with at least 3 + 3 + 2 + 2 accounts and the 4 pooled AT&T
    // accounts, 12 monthly files each.
    assert_eq!(sa.files, 168);
    assert_eq!(
        fa.keys().filter(|k| k.starts_with("client/invoices/")).count(),
        168
    );
    assert!(fa.contains_key("client/invoices/att-mobility/287650001/2025-12.csv"));
    assert!(fa.contains_key("client/invoices/verizon-wireless/0012345678/2025-01.csv"));
    assert!(fa.contains_key("client/invoices/verizon-wireless/0012345678/2025-12.csv"));
    for f in [
        "client/inventory.csv",
        "client/contracts.csv",
        "client/client.toml",
    ] {
        assert!(fa.contains_key(f), "{f}");
    }
}

#[test]
fn rows_scale_with_services() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let small = generate(a.path(), &opts(200, 1)).unwrap();
    let large = generate(b.path(), &opts(800, 1)).unwrap();
    // The services asked for, and the pooled accounts' 18 lines.
    assert_eq!(small.services, 218);
    assert_eq!(large.services, 818);
    // About 70 rows per service over 12 months.
    for s in [&small, &large] {
        let n = s.services as u64;
        assert!(
            (60 * n..80 * n).contains(&s.rows),
            "{} rows for {n} services",
            s.rows
        );
    }
    assert!(large.rows > 3 * small.rows);
    // Fewer months, fewer rows.
    let c = tempfile::tempdir().unwrap();
    let short = generate(
        c.path(),
        &GenOptions {
            months: 6,
            ..opts(200, 1)
        },
    )
    .unwrap();
    assert!(
        short.rows < small.rows * 6 / 10,
        "{} vs {}",
        short.rows,
        small.rows
    );
}

/// The canonical columns, from the one list (its order is pinned by a test in telaudit-model).
const CHARGE_HEADER: [&str; 15] = telaudit_model::CANONICAL_COLUMNS;

#[test]
fn every_file_is_csv_with_the_right_header() {
    let tmp = tempfile::tempdir().unwrap();
    let s = generate(tmp.path(), &opts(150, 5)).unwrap();
    let mut rows = 0u64;
    let mut types = std::collections::BTreeSet::new();
    for (name, bytes) in files(tmp.path()) {
        if !name.ends_with(".csv") {
            continue;
        }
        let mut rdr = csv::Reader::from_reader(bytes.as_slice());
        let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
        let expected: Vec<&str> = if name.starts_with("invoices/") {
            CHARGE_HEADER.to_vec()
        } else if name == "inventory.csv" {
            vec![
                "service_id",
                "carrier",
                "account",
                "status",
                "disconnect_date",
                "cost_center",
                "owner",
            ]
        } else if name == "plans.csv" {
            vec![
                "kind",
                "carrier",
                "code",
                "name",
                "monthly",
                "allowance",
                "usage_unit",
                "overage_rate",
                "bandwidth_mbps",
                "effective_from",
                "effective_to",
            ]
        } else if name == "utilization.csv" {
            vec![
                "carrier",
                "service_id",
                "period_start",
                "p95_in_mbps",
                "p95_out_mbps",
            ]
        } else if name == "claims.csv" {
            vec![
                "claim_id",
                "carrier",
                "account",
                "service_id",
                "finding_key",
                "filed_on",
                "amount",
                "status",
                "note",
            ]
        } else {
            vec![
                "kind",
                "carrier",
                "account",
                "service_id",
                "charge_code",
                "amount",
                "effective_from",
                "effective_to",
            ]
        };
        assert_eq!(header, expected, "{name}");
        for rec in rdr.records() {
            let rec = rec.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(rec.len(), expected.len(), "{name}");
            if name.starts_with("invoices/") {
                rows += 1;
                // Folder and file name agree with the row's account and period.
                let parts: Vec<&str> = name.split('/').collect();
                assert_eq!(parts[2], &rec[1], "{name}");
                assert_eq!(parts[3], format!("{}.csv", &rec[4][..7]), "{name}");
                types.insert(rec[7].to_string());
                // Amounts: plain decimals with exactly 2 places.
                let amt = &rec[12];
                let (_, frac) = amt
                    .split_once('.')
                    .unwrap_or_else(|| panic!("{name}: amount {amt}"));
                assert_eq!(frac.len(), 2, "{name}: amount {amt}");
            }
        }
    }
    assert_eq!(rows, s.rows);
    let all: Vec<&str> = types.iter().map(String::as_str).collect();
    assert_eq!(
        all,
        [
            "adjustment",
            "credit",
            "fee",
            "one_time",
            "recurring",
            "surcharge",
            "tax",
            "usage"
        ]
    );
    let toml = fs::read_to_string(tmp.path().join("client.toml")).unwrap();
    assert!(toml.contains("tax_exempt = true"));
    // The funding plan of 150 services: 50, 12 and 8 a service one-time, 2 and 1 monthly.
    for want in [
        "[proposal]\nhorizon_months = 36\ndiscount_rate = \"0.08\"\n",
        "provider = \"Northwind Networks\"\nrole = \"equipment\"\none_time = \"7500.00\"\n",
        "role = \"installation\"\none_time = \"1800.00\"\n",
        "role = \"managed services\"\nmonthly = \"300.00\"\n",
        "role = \"carrier circuits\"\none_time = \"1200.00\"\nmonthly = \"150.00\"\n",
        "[proposal.tem]\nprovider = \"Ledger TEM\"\nrecovery_share = \"0.30\"\nsavings_share = \"0.25\"\nsavings_months = 12\n",
    ] {
        assert!(toml.contains(want), "{want} not in\n{toml}");
    }
}

#[test]
fn plants_each_waste_kind_and_look_alike() {
    let tmp = tempfile::tempdir().unwrap();
    generate(tmp.path(), &opts(300, 7)).unwrap();
    let all = files(tmp.path());
    let text: String = all
        .iter()
        .filter(|(k, _)| k.starts_with("invoices/"))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .collect();
    for needle in [
        ",tax,STX,State Sales Tax,",
        ",tax,FET,Federal Excise Tax,",
        ",tax,E911,911 Surcharge,",
        ",tax,STX,State Sales Tax Refund,,,-",
        ",fee,LATE,Late Payment Fee,",
        ",fee,RCRF,Regulatory Cost Recovery Fee,",
        "-S1,",
        ",recurring,VZUNL,Business Unlimited Plan,1,38.50,38.50,",
        ",recurring,VZUNL,Business Unlimited Plan,1,35.00,35.00,",
        ",usage,LD,Long Distance,",
        ",usage,MIN,Voice Usage,,,0.00,0,min",
        "/LUMN,",
        "\"Access Loop, Type 2\"",
        ",credit,LOYAL,Loyalty Credit,,,-5.00,",
    ] {
        assert!(text.contains(needle), "no {needle:?}");
    }
    let inv = String::from_utf8_lossy(&all["inventory.csv"]).into_owned();
    assert!(inv.contains(",disconnected,2025-"));
    assert!(
        inv.lines()
            .any(|l| l.contains(",disconnected,") && l.contains("-01,CC-")),
        "a period-start disconnect"
    );
    // Buying too much: the retired plan ends before the first period; the load
    // export names a circuit on no bill.
    let plans = String::from_utf8_lossy(&all["plans.csv"]).into_owned();
    assert!(plans
        .contains("plan,Verizon Wireless,VZ3GB,Business 3GB Plan (retired),15.00,3,GB,15.00,,,2024-12-31\n"));
    assert!(plans.contains("circuit,Lumen,ETH50M,Ethernet Port 50M,300.00,,,,50,,\n"));
    let load = String::from_utf8_lossy(&all["utilization.csv"]).into_owned();
    assert!(load.contains("Lumen,99/ZZZZ/999999/LUMN,2025-12-01,12.50,3.25\n"));
    assert!(load.lines().count() > 100, "{}", load.lines().count());
    let con = String::from_utf8_lossy(&all["contracts.csv"]).into_owned();
    assert!(con.contains("rate,Verizon Wireless,,,VZUNL,35,,\n"));
    assert!(con.contains("credit,AT&T Mobility,00"));
}

#[test]
fn sample_data_is_what_the_generator_writes() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../sample-data/acme-health");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("acme-health");
    generate(&out, &opts(300, 7)).unwrap();
    let (want, got) = (files(&sample), files(&out));
    assert_eq!(want.keys().collect::<Vec<_>>(), got.keys().collect::<Vec<_>>());
    for (name, bytes) in &want {
        assert!(
            bytes == &got[name],
            "sample-data/acme-health/{name} is stale: regenerate it with \
             `cargo run -p telaudit-generate --example generate -- sample-data/acme-health 300 7`"
        );
    }
}

#[test]
fn errors_name_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    let blocker = tmp.path().join("file");
    fs::write(&blocker, "not a folder").unwrap();
    let err = generate(&blocker.join("client"), &opts(3, 1)).unwrap_err();
    assert!(err.to_string().contains("file"), "{err}");
    assert!(err.to_string().starts_with("cannot create folder"), "{err}");
    let bad = generate(
        tmp.path(),
        &GenOptions {
            months: 0,
            ..opts(3, 1)
        },
    )
    .unwrap_err();
    assert!(bad.to_string().contains("months"), "{bad}");
}

#[test]
fn rogers_exports_are_added_only_when_asked_and_change_nothing_else() {
    let plain = tempfile::tempdir().unwrap();
    let with = tempfile::tempdir().unwrap();
    let sp = generate(&plain.path().join("client"), &opts(90, 4)).unwrap();
    let rogers = GenOptions {
        rogers: true,
        ..opts(90, 4)
    };
    let sr = generate(&with.path().join("client"), &rogers).unwrap();
    let (fp, fr) = (files(plain.path()), files(with.path()));
    // Every file of the plain client is there, byte for byte; the rest is Rogers'.
    for (name, bytes) in &fp {
        assert_eq!(fr.get(name), Some(bytes), "{name}");
    }
    let extra: Vec<&String> = fr.keys().filter(|k| !fp.contains_key(*k)).collect();
    assert!(
        extra.iter().all(|k| k.starts_with("client/invoices/rogers/")),
        "{extra:?}"
    );
    // 9 Rogers lines (one per 10 services) on 2 accounts, 12 months: a Custom report per
    // account and month (24) and the call detail beside it, each with its header.
    assert_eq!(sr.services, sp.services + 9);
    let custom = extra
        .iter()
        .filter(|k| k.ends_with("/ALL_CALLS-Custom.txt"))
        .count();
    let data = extra
        .iter()
        .filter(|k| k.contains("/ALL_CALLS-") && !k.ends_with("Custom.txt"))
        .count();
    let headers = extra.iter().filter(|k| k.contains("/Header-")).count();
    assert_eq!(custom, 24);
    assert_eq!(headers, data);
    assert_eq!(sr.files, sp.files + custom + data);
    assert!(sr.rows > sp.rows);
    // The Custom report is ISO-8859-1: "Léa" is one byte per letter.
    let report = &fr["client/invoices/rogers/500100200/2025-01/ALL_CALLS-Custom.txt"];
    assert!(report.windows(3).any(|w| w == b"L\xe9a"));
    assert!(std::str::from_utf8(report).is_err());
}

/// `tax_every_line` (issue 24's tax-exempt enterprise): every service is billed
/// an exempt tax in each period it is billed, some a second one; the client's
/// carriers take disputes for a year. The files other than the invoices,
/// client.toml and claims.csv (the ledger picks its tax claim among the taxed
/// services) are the plain client's.
#[test]
fn tax_every_line_bills_an_exempt_tax_on_every_service_and_period() {
    let plain = tempfile::tempdir().unwrap();
    let taxed = tempfile::tempdir().unwrap();
    let sp = generate(&plain.path().join("client"), &opts(200, 3)).unwrap();
    let with = GenOptions {
        tax_every_line: true,
        ..opts(200, 3)
    };
    let st = generate(&taxed.path().join("client"), &with).unwrap();
    assert_eq!((st.services, st.files), (sp.services, sp.files));
    assert!(st.rows > sp.rows);
    let (fp, ft) = (files(plain.path()), files(taxed.path()));
    for name in ["client/inventory.csv", "client/contracts.csv", "client/plans.csv"] {
        assert_eq!(fp[name], ft[name], "{name}");
    }
    let toml = String::from_utf8_lossy(&ft["client/client.toml"]).into_owned();
    assert!(toml.contains("window_days = 365\n"), "{toml}");
    // Per (service, period): whether it is billed, and whether an exempt tax is.
    let mut billed: BTreeMap<(String, String), (bool, usize)> = BTreeMap::new();
    for (name, bytes) in ft.iter().filter(|(k, _)| k.starts_with("client/invoices/")) {
        let mut r = csv::Reader::from_reader(&bytes[..]);
        for rec in r.records() {
            let rec = rec.unwrap();
            let (sid, ctype, desc) = (&rec[6], &rec[7], &rec[9]);
            if sid.is_empty() || rec[8].starts_with("MSP") || name.contains("/287650") {
                continue;
            }
            let e = billed.entry((sid.to_string(), rec[4].to_string())).or_default();
            e.0 = true;
            let exempt = ["Federal Excise Tax", "State Sales Tax", "Local Sales Tax"].contains(&desc);
            if ctype == "tax" && exempt && !rec[12].starts_with('-') {
                e.1 += 1;
            }
        }
    }
    assert!(billed.len() > 2000, "{}", billed.len());
    let untaxed: Vec<_> = billed.iter().filter(|(_, v)| v.1 == 0).collect();
    assert!(untaxed.is_empty(), "{:?}", &untaxed[..untaxed.len().min(5)]);
    let twice = billed.values().filter(|v| v.1 == 2).count();
    assert!(
        twice * 5 > billed.len() && twice * 2 < billed.len(),
        "{twice} of {}",
        billed.len()
    );
}

/// `small_accounts`: one carrier, one invoice file of two rows per account.
#[test]
fn small_accounts_write_one_small_bill_per_account() {
    let tmp = tempfile::tempdir().unwrap();
    let o = GenOptions {
        small_accounts: Some(250),
        ..opts(300, 2)
    };
    let s = generate(&tmp.path().join("client"), &o).unwrap();
    assert_eq!((s.services, s.rows, s.files), (250, 500, 250));
    let all = files(tmp.path());
    let bills: Vec<&String> = all.keys().filter(|k| k.starts_with("client/invoices/")).collect();
    assert_eq!(bills.len(), 250);
    assert!(bills
        .iter()
        .all(|k| k.starts_with("client/invoices/verizon-wireless/")));
    assert!(all.contains_key("client/inventory.csv") && all.contains_key("client/client.toml"));
    // Same options, same bytes.
    let again = tempfile::tempdir().unwrap();
    generate(&again.path().join("client"), &o).unwrap();
    assert_eq!(files(again.path()), all);
}
