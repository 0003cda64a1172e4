//! Embeds the carrier layouts: every `<workspace>/layouts/*.toml`, in file-name order.
//! Adding a layout file there needs no Rust edit.

fn main() {
    telaudit_embed::embed_toml_dir("layouts", "", "EMBEDDED_LAYOUTS", "layouts.rs");
}
