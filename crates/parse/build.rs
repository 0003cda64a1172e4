//! Embeds the carrier layouts: every `<workspace>/layouts/*.toml`, in file-name order.
//! Adding a layout file there needs no Rust edit; cargo re-runs this when the folder changes.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let dir = manifest.join("..").join("..").join("layouts");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(e) => {
            println!(
                "cargo:warning=no carrier layouts: cannot read {}: {e}",
                dir.display()
            );
            Vec::new()
        }
    };
    files.sort();
    let mut out = String::from("/// The carrier layout files: (path, text).\n");
    out.push_str("static EMBEDDED_LAYOUTS: &[(&str, &str)] = &[\n");
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
            format!("layouts/{name}"),
            abs.display().to_string()
        );
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    if let Err(e) = std::fs::write(out_dir.join("layouts.rs"), out) {
        panic!("cannot write layouts.rs: {e}");
    }
}
