//! docs/rules.md cannot drift from the code: its "Kinds and their parameters" section
//! is rendered from the kinds' declared parameters ([`telaudit_rules::kinds::REGISTRY`]).

use std::path::PathBuf;

const OPEN_END: &str = "to rewrite -->\n";
const CLOSE: &str = "<!-- end of generated -->";

#[test]
fn docs_rules_md_lists_every_kind_and_parameter_as_the_code_declares_them() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let text = std::fs::read_to_string(&path).expect("docs/rules.md is readable");
    let start = text
        .find(OPEN_END)
        .expect("docs/rules.md has the generated section's opening marker")
        + OPEN_END.len();
    let end = text
        .find(CLOSE)
        .expect("docs/rules.md has the generated section's closing marker");
    let want = telaudit_rules::kinds::docs_markdown();
    if text[start..end] == want {
        return;
    }
    if std::env::var_os("BLESS").is_some() {
        let fixed = format!("{}{}{}", &text[..start], want, &text[end..]);
        std::fs::write(&path, fixed).expect("docs/rules.md is writable");
        return;
    }
    panic!(
        "docs/rules.md's kinds section differs from the kinds' declared parameters; \
         regenerate it with `BLESS=1 cargo test -p telaudit-rules --test docs`.\n\
         --- expected ---\n{want}--- found ---\n{}",
        &text[start..end]
    );
}
