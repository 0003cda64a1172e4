//! Embeds the default rule set: every `<workspace>/rules/*.toml`, in file-name order.
//! Adding a rule file there needs no Rust edit; cargo re-runs this when the folder changes.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let dir = manifest.join("..").join("..").join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(e) => {
            println!(
                "cargo:warning=no default rules: cannot read {}: {e}",
                dir.display()
            );
            Vec::new()
        }
    };
    files.sort();
    let mut out = String::from("/// The default rule files: (file name, text).\n");
    out.push_str("pub(crate) static DEFAULT_RULES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let abs = f.canonicalize().unwrap_or_else(|_| f.clone());
        let _ = writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            format!("rules/{name}"),
            abs.display().to_string()
        );
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    if let Err(e) = std::fs::write(out_dir.join("default_rules.rs"), out) {
        panic!("cannot write default_rules.rs: {e}");
    }
}
