//! client.toml (formats.md section 5).

use serde::Deserialize;
use telaudit_model::{ClientConfig, Decimal, DisputeWindows, ForcedLayout, Micros, Proposal};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    name: Option<String>,
    #[serde(default)]
    tax_exempt: bool,
    proposal: Option<RawProposal>,
    #[serde(default)]
    layouts: Vec<RawForced>,
    disputes: Option<RawDisputes>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisputes {
    window_days: Option<toml::Value>,
    #[serde(default)]
    carriers: toml::Table,
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
        layouts.push(ForcedLayout {
            path: f.path.trim_start_matches("./").to_string(),
            layout: f.layout,
        });
    }
    let disputes = match raw.disputes {
        None => None,
        Some(d) => Some(disputes(d)?),
    };
    Ok(ClientConfig {
        name,
        tax_exempt: raw.tax_exempt,
        proposal,
        layouts,
        disputes,
    })
}

/// The longest dispute window accepted, in days (ten years): a larger number is a typo.
const MAX_WINDOW_DAYS: i64 = 3650;

/// `[disputes]`: every window a whole number of days from 1 to [`MAX_WINDOW_DAYS`].
fn disputes(raw: RawDisputes) -> Result<DisputeWindows, String> {
    let window_days = match &raw.window_days {
        None => None,
        Some(v) => Some(days(v, "disputes.window_days")?),
    };
    let mut carriers = std::collections::BTreeMap::new();
    for (carrier, v) in &raw.carriers {
        if carrier.trim().is_empty() {
            return Err(
                "[disputes.carriers] has an empty carrier name; write the carrier's name \
                        as on the bill, e.g. \"AT&T\" = 180"
                    .to_string(),
            );
        }
        carriers.insert(
            carrier.clone(),
            days(v, &format!("disputes.carriers.{carrier:?}"))?,
        );
    }
    Ok(DisputeWindows {
        window_days,
        carriers,
    })
}

/// A dispute window: a whole number of days, 1 to [`MAX_WINDOW_DAYS`].
fn days(v: &toml::Value, key: &str) -> Result<u32, String> {
    match v {
        toml::Value::Integer(i) if (1..=MAX_WINDOW_DAYS).contains(i) => Ok(*i as u32),
        toml::Value::Integer(i) => Err(format!(
            "{key} = {i} is not a dispute window; give the days a carrier accepts disputes \
             after the invoice date, from 1 to {MAX_WINDOW_DAYS} (e.g. 90)"
        )),
        other => Err(format!(
            "{key} must be a whole number of days (e.g. 90), not a {}",
            other.type_str()
        )),
    }
}

/// Money as a decimal string (`"48000.00"`) or a TOML integer; never a float.
fn money(v: &toml::Value, key: &str) -> Result<Decimal, String> {
    let m = match v {
        toml::Value::String(s) => {
            Micros::parse(s).map_err(|e| format!("{key} = {s:?} is not an amount: {e}"))?
        }
        toml::Value::Integer(i) => Micros::parse(&i.to_string()).map_err(|e| format!("{key} = {i}: {e}"))?,
        toml::Value::Float(f) => {
            return Err(format!(
                "{key} = {f} is a binary floating-point number; write money as a quoted decimal \
                 string, e.g. {key} = \"{f}\""
            ))
        }
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
    fn reads_dispute_windows() {
        let c = parse_client_toml(
            "[disputes]\nwindow_days = 90\n[disputes.carriers]\n\"AT&T\" = 180\n\"Verizon Wireless\" = 60\n",
        )
        .unwrap();
        let d = c.disputes.unwrap();
        assert_eq!(d.window_days, Some(90));
        assert_eq!(d.window("AT&T"), Some(180));
        assert_eq!(d.window("Verizon Wireless"), Some(60));
        assert_eq!(d.window("Comcast Business"), Some(90));
        // Carriers only: the others never expire.
        let c = parse_client_toml("[disputes.carriers]\n\"AT&T\" = 180\n").unwrap();
        let d = c.disputes.unwrap();
        assert_eq!((d.window("AT&T"), d.window("Comcast")), (Some(180), None));
        assert_eq!(parse_client_toml("").unwrap().disputes, None);
    }

    #[test]
    fn dispute_window_refusals_name_the_key() {
        let e = parse_client_toml("[disputes]\nwindow_days = \"90\"\n").unwrap_err();
        assert!(
            e.contains("disputes.window_days") && e.contains("whole number"),
            "{e}"
        );
        let e = parse_client_toml("[disputes]\nwindow_days = 0\n").unwrap_err();
        assert!(e.contains("disputes.window_days = 0"), "{e}");
        let e = parse_client_toml("[disputes]\nwindow_days = 90.5\n").unwrap_err();
        assert!(e.contains("disputes.window_days"), "{e}");
        let e = parse_client_toml("[disputes.carriers]\n\"AT&T\" = -3\n").unwrap_err();
        assert!(e.contains("disputes.carriers.\"AT&T\" = -3"), "{e}");
        let e = parse_client_toml("[disputes.carriers]\n\"AT&T\" = 99999\n").unwrap_err();
        assert!(e.contains("3650"), "{e}");
        let e = parse_client_toml("[disputes]\nwindow = 90\n").unwrap_err();
        assert!(e.contains("window"), "{e}");
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
        let e = parse_client_toml("[proposal]\none_time = \"-5\"\nmonthly = \"1\"").unwrap_err();
        assert!(e.contains("negative"), "{e}");
    }
}
