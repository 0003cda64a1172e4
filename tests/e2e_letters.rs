//! Dispute letters stay small on a large client (issue 16): a generated
//! tax-exempt client of 34,000 services on one account per carrier (2.35
//! million charge rows in 48 files) disputes more than 50,000 charges, and
//! every letter, Markdown and HTML, stays under 64 KiB while its CSV keeps
//! every line and adds up to the letter's total.

mod common;

use common::{code, generate_client, run_audit, stderr};
use rust_decimal::Decimal;
use std::fs;
use std::path::Path;

/// The sum of a dispute CSV's `claimed` column and its number of lines.
fn csv_claimed(path: &Path) -> (Decimal, usize) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let i = r.headers().unwrap().iter().position(|h| h == "claimed").unwrap();
    let mut sum = Decimal::ZERO;
    let mut n = 0;
    for rec in r.records() {
        sum += rec.unwrap()[i].parse::<Decimal>().unwrap();
        n += 1;
    }
    (sum, n)
}

#[test]
fn letters_stay_under_64_kib_with_over_50000_disputed_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let client = tmp.path().join("big");
    let out = tmp.path().join("out");
    generate_client(&client, &["--services", "34000", "--accounts-per-carrier", "1"]);
    // Without the generated client's dispute windows: every claim stays claimable, so
    // the letters carry all of them (the windows would move about a quarter to
    // "found too late to claim").
    let toml_path = client.join("client.toml");
    let toml = fs::read_to_string(&toml_path).unwrap();
    let cut = toml.find("# Carriers accept disputes").unwrap_or(toml.len());
    fs::write(&toml_path, &toml[..cut]).unwrap();
    let o = run_audit(&client, &out, &["--quiet"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let recoverable: Decimal = report["totals"]["recoverable"].as_str().unwrap().parse().unwrap();
    // The generated client's claims.csv covers some lines (claimed already): the
    // letters ask for the rest, `recovery.unclaimed`.
    let covered: Decimal = report["recovery"]["covered"].as_str().unwrap().parse().unwrap();
    let unclaimed: Decimal = report["recovery"]["unclaimed"].as_str().unwrap().parse().unwrap();
    assert!(covered > Decimal::ZERO);
    assert_eq!(covered + unclaimed, recoverable);

    let (mut lines, mut letters, mut claimed) = (0usize, 0usize, Decimal::ZERO);
    for carrier in fs::read_dir(out.join("disputes")).unwrap() {
        let dir = carrier.unwrap().path();
        if !dir.is_dir() {
            continue; // new-claims.csv
        }
        for f in fs::read_dir(&dir).unwrap() {
            let csv = f.unwrap().path();
            if csv.extension().and_then(|e| e.to_str()) != Some("csv") {
                continue;
            }
            let (sum, n) = csv_claimed(&csv);
            lines += n;
            claimed += sum;
            let md = fs::read_to_string(csv.with_extension("md")).unwrap();
            let html = fs::read_to_string(csv.with_extension("html")).unwrap();
            assert!(md.len() < 64 * 1024, "{} is {} bytes", csv.display(), md.len());
            assert!(
                html.len() < 64 * 1024,
                "{} is {} bytes",
                csv.display(),
                html.len()
            );
            // The letter asks for what its CSV adds up to, with thousands separators.
            let (int, frac) = sum
                .to_string()
                .split_once('.')
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .unwrap();
            let grouped: String = {
                let mut g = String::new();
                for (k, c) in int.chars().enumerate() {
                    if k > 0 && (int.len() - k) % 3 == 0 {
                        g.push(',');
                    }
                    g.push(c);
                }
                format!("{g}.{frac}")
            };
            assert!(
                md.contains(&format!("Total claimed: USD {grouped}  \n")),
                "{}: {grouped}\n{md}",
                csv.display()
            );
            assert!(md.contains(&format!("lists all {n} items")));
            if n > 10 {
                assert!(md.contains("## The 10 largest items"));
            } else {
                assert!(md.contains("## The items"));
            }
            letters += 1;
        }
    }
    assert!(lines >= 50_000, "only {lines} disputed lines");
    // One account per carrier, and the pooled AT&T account whose line is billed
    // after its disconnect date.
    assert_eq!(letters, 5, "one account per carrier and the pooled account");
    // The lines add up to the recoverable total not claimed yet (each account
    // rounded to the cent once).
    assert!(
        (claimed - unclaimed).abs() <= Decimal::new(4, 2),
        "{claimed} vs {unclaimed}"
    );
}
