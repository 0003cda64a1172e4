//! `cargo run -p telaudit-generate --example generate -- OUT_DIR [SERVICES] [SEED] [MONTHS] [START=YYYY-MM]`
//! (the `telaudit generate` command does the same).

use std::path::PathBuf;
use telaudit_generate::{generate, GenOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: generate OUT_DIR [SERVICES] [SEED] [MONTHS] [START=YYYY-MM]");
        std::process::exit(2);
    };
    let mut opts = GenOptions::default();
    if let Some(n) = args.get(1) {
        opts.services = n.parse().unwrap_or_else(|_| {
            eprintln!("SERVICES must be a whole number, got {n}");
            std::process::exit(2)
        });
    }
    if let Some(s) = args.get(2) {
        opts.seed = s.parse().unwrap_or_else(|_| {
            eprintln!("SEED must be a whole number, got {s}");
            std::process::exit(2)
        });
    }
    if let Some(m) = args.get(3) {
        opts.months = m.parse().unwrap_or_else(|_| {
            eprintln!("MONTHS must be a whole number, got {m}");
            std::process::exit(2)
        });
    }
    if let Some(ym) = args.get(4) {
        let parsed = ym
            .split_once('-')
            .and_then(|(y, m)| Some((y.parse().ok()?, m.parse().ok()?)));
        opts.start = parsed.unwrap_or_else(|| {
            eprintln!("START must be YYYY-MM, got {ym}");
            std::process::exit(2)
        });
    }
    let t = std::time::Instant::now();
    match generate(&PathBuf::from(out), &opts) {
        Ok(s) => eprintln!(
            "wrote {} services, {} rows, {} invoice files in {:.2?}",
            s.services,
            s.rows,
            s.files,
            t.elapsed()
        ),
        Err(e) => {
            eprintln!("cannot write {out}: {e}");
            std::process::exit(1);
        }
    }
}
