//! Embeds the default rule set: every `<workspace>/rules/*.toml`, in file-name order.
//! Adding a rule file there needs no Rust edit.

fn main() {
    telaudit_embed::embed_toml_dir("rules", "pub(crate)", "DEFAULT_RULES", "default_rules.rs");
}
