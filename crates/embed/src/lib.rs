//! Build-script helper: embeds every `<workspace>/<folder>/*.toml` into a crate.
//!
//! The default rules (`rules/`) and the carrier layouts (`layouts/`) are data
//! files built into the binary, so that adding one needs no Rust edit. A build
//! script calls [`embed_toml_dir`]; the crate then `include!`s the generated file,
//! which defines `static <NAME>: &[(&str, &str)]` of (`folder/file.toml`, text) in
//! file-name order. Cargo re-runs the build script when the folder changes.

#![warn(missing_docs)]

use std::fmt::Write as _;
use std::path::PathBuf;

/// Writes `$OUT_DIR/<out_file>` defining `<visibility> static <static_name>` with
/// every `*.toml` of `<workspace>/<folder>` (the workspace being two levels above
/// the calling crate's manifest).
pub fn embed_toml_dir(folder: &str, visibility: &str, static_name: &str, out_file: &str) {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let dir = manifest.join("..").join("..").join(folder);
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(e) => {
            println!(
                "cargo:warning=nothing embedded: cannot read {}: {e}",
                dir.display()
            );
            Vec::new()
        }
    };
    files.sort();
    let mut out = format!("/// The files of {folder}/: (path, text).\n");
    let _ = writeln!(out, "{visibility} static {static_name}: &[(&str, &str)] = &[");
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
            format!("{folder}/{name}"),
            abs.display().to_string()
        );
    }
    out.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    if let Err(e) = std::fs::write(out_dir.join(out_file), out) {
        panic!("cannot write {out_file}: {e}");
    }
}
