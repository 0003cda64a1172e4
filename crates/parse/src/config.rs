//! client.toml (formats.md section 5).

use serde::Deserialize;
use telaudit_model::{ClientConfig, Decimal, ForcedLayout, Micros, Proposal};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    name: Option<String>,
    #[serde(default)]
    tax_exempt: bool,
    proposal: Option<RawProposal>,
    #[serde(default)]
    layouts: Vec<RawForced>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForced {
    path: String,
    layout: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProposal {
    one_time: toml::Value,
    monthly: toml::Value,
}

/// Parses client.toml. The error says what is wrong and where (key, line).
/// An empty `name` means the folder name.
pub fn parse_client_toml(text: &str) -> Result<ClientConfig, String> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())?;
    let proposal = match raw.proposal {
        None => None,
        Some(p) => Some(Proposal {
            one_time: money(&p.one_time, "proposal.one_time")?,
            monthly: money(&p.monthly, "proposal.monthly")?,
        }),
    };
    let name = raw.name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    let mut layouts = Vec::new();
    for (i, f) in raw.layouts.into_iter().enumerate() {
        if crate::find_layout(&f.layout).is_none() {
            let known: Vec<&str> = crate::layouts().iter().map(|l| l.name.as_str()).collect();
            return Err(format!(
                "[[layouts]] entry {}: unknown layout {:?}; known layouts: {} (see `telaudit layouts`)",
                i + 1,
                f.layout,
                known.join(", ")
            ));
        }
        // Compiled here too, so a pattern that is too long or malformed stops the
        // client as a configuration error before any file is read.
        crate::glob::PathGlob::new(f.path.trim_start_matches("./"))
            .map_err(|e| format!("[[layouts]] entry {}: {e}", i + 1))?;
        layouts.push(ForcedLayout {
            path: f.path.trim_start_matches("./").to_string(),
            layout: f.layout,
        });
    }
    Ok(ClientConfig {
        name,
        tax_exempt: raw.tax_exempt,
        proposal,
        layouts,
    })
}

/// Money as a decimal string (`"48000.00"`) or a TOML integer; never a float.
fn money(v: &toml::Value, key: &str) -> Result<Decimal, String> {
    let m = match v {
        toml::Value::String(s) => {
            Micros::parse(s).map_err(|e| format!("{key} = {s:?} is not an amount: {e}"))?
        }
        toml::Value::Integer(i) => Micros::parse(&i.to_string()).map_err(|e| format!("{key} = {i}: {e}"))?,
        toml::Value::Float(f) => return Err(float_money(*f, key)),
        other => {
            return Err(format!(
                "{key} must be an amount as a quoted decimal string (e.g. \"1200.00\"), not a {}",
                other.type_str()
            ))
        }
    };
    if m.0 < 0 {
        return Err(format!(
            "{key} is negative ({m}); a proposal's costs are positive amounts"
        ));
    }
    Ok(m.to_decimal())
}

/// The refusal of money written as a TOML float. Its hint suggests the same value
/// quoted only when that quoted value would be accepted (never `"NaN"`, `"inf"`, a
/// negative or an out-of-range amount).
fn float_money(f: f64, key: &str) -> String {
    let quoted = f.to_string();
    let accepted = f.is_finite() && Micros::parse(&quoted).is_ok_and(|m| m.0 >= 0);
    let example = if accepted { quoted } else { "1200.00".to_string() };
    format!(
        "{key} = {f} is a binary floating-point number; write money as a quoted decimal \
         string, e.g. {key} = \"{example}\""
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_example() {
        let c = parse_client_toml(
            "name = \"Acme Health\"\ntax_exempt = true\n[proposal]\none_time = \"48000.00\"\nmonthly = \"1200.00\"\n",
        )
        .unwrap();
        assert_eq!(c.name.as_deref(), Some("Acme Health"));
        assert!(c.tax_exempt);
        let p = c.proposal.unwrap();
        assert_eq!(p.one_time, Decimal::new(48000, 0));
        assert_eq!(p.monthly, Decimal::new(1200, 0));
    }

    #[test]
    fn defaults() {
        assert_eq!(parse_client_toml("").unwrap(), ClientConfig::default());
        assert_eq!(parse_client_toml("name = \"  \"").unwrap().name, None);
        let c = parse_client_toml("[proposal]\none_time = 500\nmonthly = \"0.5\"").unwrap();
        let p = c.proposal.unwrap();
        assert_eq!(p.one_time, Decimal::new(500, 0));
        assert_eq!(p.monthly, Decimal::new(5, 1));
    }

    #[test]
    fn refusals_name_the_problem() {
        let e = parse_client_toml("name = \"x\"\ntax_exmpt = true\n").unwrap_err();
        assert!(e.contains("tax_exmpt"), "{e}");
        let e = parse_client_toml("tax_exempt = \"yes\"").unwrap_err();
        assert!(e.contains("tax_exempt") || e.contains("boolean"), "{e}");
        let e = parse_client_toml("[proposal]\none_time = 48000.5\nmonthly = \"1\"").unwrap_err();
        assert!(e.contains("proposal.one_time") && e.contains("quoted"), "{e}");
        let e = parse_client_toml("[proposal]\none_time = \"48,000\"\nmonthly = \"1\"").unwrap_err();
        assert!(e.contains("proposal.one_time") && e.contains("48,000"), "{e}");
        let e = parse_client_toml("[proposal]\none_time = \"1\"").unwrap_err();
        assert!(e.contains("monthly"), "{e}");
        let e = parse_client_toml("[proposal]\none_time = \"1\"\nmonthly = \"1\"\nyearly = 3").unwrap_err();
        assert!(e.contains("yearly"), "{e}");
        let e = parse_client_toml("name = ").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
        // The hint quotes the value only when that would be accepted.
        for (v, hint) in [
            ("nan", "\"1200.00\""),
            ("inf", "\"1200.00\""),
            ("-5.0", "\"1200.00\""),
            ("1e300", "\"1200.00\""),
            ("0.5", "\"0.5\""),
        ] {
            let e = parse_client_toml(&format!("[proposal]\none_time = {v}\nmonthly = \"1\"")).unwrap_err();
            assert!(e.ends_with(&format!("proposal.one_time = {hint}")), "{v}: {e}");
        }
        let long = format!(
            "[[layouts]]\npath = \"{}\"\nlayout = \"att-premier-rdo\"",
            "**".repeat(600)
        );
        let e = parse_client_toml(&long).unwrap_err();
        assert!(
            e.contains("[[layouts]] entry 1") && e.contains("1200 bytes"),
            "{e}"
        );
        let e = parse_client_toml("[proposal]\none_time = \"-5\"\nmonthly = \"1\"").unwrap_err();
        assert!(e.contains("negative"), "{e}");
    }
}
