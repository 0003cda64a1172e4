//! client.toml (formats.md section 5).

use serde::Deserialize;
use telaudit_model::{
    ClientConfig, Contact, Decimal, DisputeWindows, ForcedLayout, Micros, Proposal, ProposalItem, TemShare,
};

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
    currency: Option<String>,
    contract_ref: Option<String>,
    contact: Option<RawContact>,
    tax_exemption_certificate: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisputes {
    window_days: Option<toml::Value>,
    response_days: Option<toml::Value>,
    #[serde(default)]
    carriers: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContact {
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

/// A trimmed text, `None` when empty.
fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// `currency`: three letters A-Z (an ISO 4217 code such as `USD`), or absent.
fn currency(s: Option<String>) -> Result<Option<String>, String> {
    match nonempty(s) {
        None => Ok(None),
        Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) => Ok(Some(c)),
        Some(c) => Err(format!(
            "currency = {c:?} is not a currency code; write three capital letters (ISO 4217), e.g. currency = \"USD\""
        )),
    }
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
    one_time: Option<toml::Value>,
    monthly: Option<toml::Value>,
    horizon_months: Option<toml::Value>,
    discount_rate: Option<toml::Value>,
    items: Option<Vec<RawItem>>,
    tem: Option<RawTem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    provider: String,
    role: String,
    one_time: Option<toml::Value>,
    monthly: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTem {
    provider: String,
    recovery_share: Option<toml::Value>,
    savings_share: Option<toml::Value>,
    savings_months: Option<toml::Value>,
}

/// Parses client.toml. The error says what is wrong and where (key, line).
/// An empty `name` means the folder name.
pub fn parse_client_toml(text: &str) -> Result<ClientConfig, String> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_string())?;
    let proposal = raw.proposal.map(proposal).transpose()?;
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
    let disputes = match raw.disputes {
        None => None,
        Some(d) => Some(disputes(d)?),
    };
    let contact = raw
        .contact
        .map(|c| Contact {
            name: nonempty(c.name),
            email: nonempty(c.email),
            phone: nonempty(c.phone),
        })
        .filter(|c| c.name.is_some() || c.email.is_some() || c.phone.is_some());
    Ok(ClientConfig {
        name,
        tax_exempt: raw.tax_exempt,
        proposal,
        layouts,
        disputes,
        currency: currency(raw.currency)?,
        contract_ref: nonempty(raw.contract_ref),
        contact,
        tax_exemption_certificate: nonempty(raw.tax_exemption_certificate),
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
    let response_days = match &raw.response_days {
        None => None,
        Some(v) => Some(response_days(v)?),
    };
    Ok(DisputeWindows {
        window_days,
        carriers,
        response_days,
    })
}

/// `[disputes] response_days` (docs/recovery.md): a whole number of days, 1 to
/// [`MAX_WINDOW_DAYS`], that a carrier may take to answer a claim.
fn response_days(v: &toml::Value) -> Result<u32, String> {
    match v {
        toml::Value::Integer(i) if (1..=MAX_WINDOW_DAYS).contains(i) => Ok(*i as u32),
        toml::Value::Integer(i) => Err(format!(
            "disputes.response_days = {i} is not a response time; give the days a carrier may take \
             to answer a filed claim before it is overdue, from 1 to {MAX_WINDOW_DAYS} (e.g. 30)"
        )),
        other => Err(format!(
            "disputes.response_days must be a whole number of days (e.g. 30), not a {}",
            other.type_str()
        )),
    }
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

/// `[proposal]` with its plan (optimization.md section 4), every value checked.
fn proposal(p: RawProposal) -> Result<Proposal, String> {
    let mut items = Vec::new();
    for (i, it) in p.items.unwrap_or_default().into_iter().enumerate() {
        let key = |k: &str| format!("proposal.items[{}].{k}", i + 1);
        items.push(ProposalItem {
            one_time: opt_strict_money(&it.one_time, &key("one_time"))?,
            monthly: opt_strict_money(&it.monthly, &key("monthly"))?,
            provider: named(
                it.provider,
                &key("provider"),
                "who provides it, e.g. \"Northwind Networks\"",
            )?,
            role: named(it.role, &key("role"), "what it provides, e.g. \"equipment\"")?,
        });
    }
    let tem = match p.tem {
        None => None,
        Some(t) => Some(TemShare {
            provider: named(
                t.provider,
                "proposal.tem.provider",
                "the TEM provider, e.g. \"Ledger TEM\"",
            )?,
            recovery_share: opt_share(&t.recovery_share, "proposal.tem.recovery_share")?,
            savings_share: opt_share(&t.savings_share, "proposal.tem.savings_share")?,
            savings_months: match &t.savings_months {
                None => 0,
                Some(v) => whole(
                    v,
                    "proposal.tem.savings_months",
                    0,
                    i64::MAX,
                    "a whole number of months >= 0",
                )?,
            },
        }),
    };
    let horizon_months = match &p.horizon_months {
        None => None,
        Some(v) => Some(whole(
            v,
            "proposal.horizon_months",
            1,
            120,
            "a whole number of months from 1 to 120",
        )?),
    };
    let discount_rate = match &p.discount_rate {
        None => None,
        Some(v) => Some(decimal_in(
            v,
            "proposal.discount_rate",
            "an annual rate from \"0\" to \"1\" as a quoted decimal (e.g. \"0.08\")",
        )?),
    };
    Ok(Proposal {
        one_time: opt_strict_money(&p.one_time, "proposal.one_time")?,
        monthly: opt_strict_money(&p.monthly, "proposal.monthly")?,
        top_level: p.one_time.is_some() || p.monthly.is_some(),
        horizon_months: horizon_months.and_then(|h| u32::try_from(h).ok()),
        discount_rate,
        items,
        tem,
    })
}

/// A name of the funding plan (a provider, a role): trimmed, never empty, as a
/// proposal names who provides what.
fn named(v: String, key: &str, what: &str) -> Result<String, String> {
    let t = v.trim();
    if t.is_empty() {
        return Err(format!("{key} is empty; write {what}"));
    }
    Ok(t.to_string())
}

/// A money value of the funding plan: only a quoted decimal string, >= 0.
fn strict_money(v: &toml::Value, key: &str) -> Result<Decimal, String> {
    let allowed = "an amount as a quoted decimal string (e.g. \"1200.00\")";
    if let toml::Value::String(text) = v {
        let m = Micros::parse(text)
            .map_err(|e| format!("{key} = {text:?} is not an amount ({e}); allowed: {allowed}"))?;
        return non_negative(m, key);
    }
    non_negative(decimal_string(v, key, allowed)?, key)
}

fn opt_strict_money(v: &Option<toml::Value>, key: &str) -> Result<Decimal, String> {
    v.as_ref().map_or(Ok(Decimal::ZERO), |v| strict_money(v, key))
}

fn non_negative(m: Micros, key: &str) -> Result<Decimal, String> {
    if m.0 < 0 {
        return Err(format!(
            "{key} is negative ({m}); a proposal's costs are amounts >= 0"
        ));
    }
    Ok(m.to_decimal())
}

/// A share of the TEM provider: a quoted decimal from "0" to "1"; 0 when absent.
fn opt_share(v: &Option<toml::Value>, key: &str) -> Result<Decimal, String> {
    v.as_ref().map_or(Ok(Decimal::ZERO), |v| {
        decimal_in(
            v,
            key,
            "a share from \"0\" to \"1\" as a quoted decimal (e.g. \"0.25\")",
        )
    })
}

/// A quoted decimal from 0 to 1 inclusive; `allowed` says so in the error. A
/// sign is refused (`"-0"` would be written back as `"0"`, not as given).
fn decimal_in(v: &toml::Value, key: &str, allowed: &str) -> Result<Decimal, String> {
    let m = decimal_string(v, key, allowed)?;
    if let toml::Value::String(text) = v {
        if text.trim_start().starts_with(['-', '+']) {
            return Err(format!("{key} = {text:?} has a sign; allowed: {allowed}"));
        }
    }
    // Keep the decimals as written ("0.30" stays "0.30"): report.json shows them as given.
    let d = match v {
        toml::Value::String(s) => s.trim().parse::<Decimal>().unwrap_or(m.to_decimal()),
        _ => m.to_decimal(),
    };
    if d < Decimal::ZERO || d > Decimal::ONE {
        return Err(format!("{key} = \"{d}\" is out of range; allowed: {allowed}"));
    }
    Ok(d)
}

/// A quoted decimal string with at most 6 decimal places. `allowed` describes
/// the key's values for the error message.
fn decimal_string(v: &toml::Value, key: &str, allowed: &str) -> Result<Micros, String> {
    match v {
        toml::Value::String(s) => {
            Micros::parse(s).map_err(|e| format!("{key} = {s:?} is not a decimal ({e}); allowed: {allowed}"))
        }
        toml::Value::Float(f) => Err(format!(
            "{key} = {f} is a binary floating-point number; allowed: {allowed}, e.g. {key} = \"{}\"",
            float_example(*f)
        )),
        toml::Value::Integer(i) => Err(format!(
            "{key} = {i} is a bare number; allowed: {allowed}, e.g. {key} = \"{i}\""
        )),
        other => Err(format!("{key} is a {}; allowed: {allowed}", other.type_str())),
    }
}

/// A TOML integer in `lo..=hi`; `allowed` says so in the error.
fn whole(v: &toml::Value, key: &str, lo: i64, hi: i64, allowed: &str) -> Result<u64, String> {
    match v {
        toml::Value::Integer(i) if (lo..=hi).contains(i) => {
            u64::try_from(*i).map_err(|e| format!("{key}: {e}"))
        }
        toml::Value::Integer(i) => Err(format!("{key} = {i} is out of range; allowed: {allowed}")),
        other => Err(format!(
            "{key} is a {}; allowed: {allowed} (a bare integer, no quotes)",
            other.type_str()
        )),
    }
}

/// The example a refusal of a TOML float suggests: the same value quoted only when
/// that quoted value would be accepted (never `"NaN"`, `"inf"`, a negative or an
/// out-of-range amount), else `"1200.00"`.
fn float_example(f: f64) -> String {
    let quoted = f.to_string();
    let accepted = f.is_finite() && Micros::parse(&quoted).is_ok_and(|m| m.0 >= 0);
    if accepted {
        quoted
    } else {
        "1200.00".to_string()
    }
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
        assert!(p.top_level && !p.has_plan());
    }

    const PLAN: &str = r#"
[proposal]
one_time = "48000.00"
monthly = "1200.00"
horizon_months = 60
discount_rate = "0.08"

[[proposal.items]]
provider = "Northwind Networks"
role = "equipment"
one_time = "30000.00"

[[proposal.items]]
provider = "Contoso Managed"
role = "managed services"
monthly = "850.50"

[proposal.tem]
provider = "Ledger TEM"
recovery_share = "0.30"
savings_share = "0.25"
savings_months = 12
"#;

    #[test]
    fn reads_the_funding_plan() {
        let p = parse_client_toml(PLAN).unwrap().proposal.unwrap();
        assert!(p.top_level && p.has_plan());
        assert_eq!(p.horizon_months, Some(60));
        assert_eq!(p.discount_rate, Some(Decimal::new(8, 2)));
        assert_eq!(
            p.items,
            vec![
                ProposalItem {
                    provider: "Northwind Networks".into(),
                    role: "equipment".into(),
                    one_time: Decimal::new(30000, 0),
                    monthly: Decimal::ZERO,
                },
                ProposalItem {
                    provider: "Contoso Managed".into(),
                    role: "managed services".into(),
                    one_time: Decimal::ZERO,
                    monthly: Decimal::new(85050, 2),
                },
            ]
        );
        assert_eq!(
            p.tem,
            Some(TemShare {
                provider: "Ledger TEM".into(),
                recovery_share: Decimal::new(3, 1),
                savings_share: Decimal::new(25, 2),
                savings_months: 12,
            })
        );
        // Only items, no top-level pair; a [proposal.tem] of the provider alone.
        let c = parse_client_toml(
            "[[proposal.items]]\nprovider = \"A\"\nrole = \"installation\"\n[proposal.tem]\nprovider = \"T\"",
        )
        .unwrap();
        let p = c.proposal.unwrap();
        assert!(!p.top_level && p.has_plan());
        assert_eq!(p.one_time, Decimal::ZERO);
        assert_eq!(p.tem.unwrap().savings_months, 0);
    }

    /// The error for `text`, which must name `key` and `allowed`.
    fn refused(text: &str, key: &str, allowed: &str) {
        let e = parse_client_toml(text).unwrap_err();
        assert!(e.contains(key) && e.contains(allowed), "{key}: {e}");
    }

    #[test]
    fn plan_refusals_name_the_key_and_what_is_allowed() {
        let with = |from: &str, to: &str| {
            assert!(PLAN.contains(from), "{from}");
            PLAN.replace(from, to)
        };
        refused(
            &with("horizon_months = 60", "horizon_months = 0"),
            "proposal.horizon_months",
            "1 to 120",
        );
        refused(
            &with("horizon_months = 60", "horizon_months = 121"),
            "proposal.horizon_months",
            "1 to 120",
        );
        refused(
            &with("horizon_months = 60", "horizon_months = \"60\""),
            "proposal.horizon_months",
            "1 to 120",
        );
        refused(&with("\"0.08\"", "0.08"), "proposal.discount_rate", "quoted");
        refused(
            &with("\"0.08\"", "\"-0.01\""),
            "proposal.discount_rate",
            "from \"0\" to \"1\"",
        );
        refused(
            &with("\"0.30\"", "\"1.01\""),
            "proposal.tem.recovery_share",
            "from \"0\" to \"1\"",
        );
        refused(
            &with("\"0.25\"", "0.25"),
            "proposal.tem.savings_share",
            "floating-point",
        );
        refused(
            &with("\"0.25\"", "\"-0.25\""),
            "proposal.tem.savings_share",
            "from \"0\" to \"1\"",
        );
        refused(
            &with("savings_months = 12", "savings_months = -1"),
            "proposal.tem.savings_months",
            ">= 0",
        );
        refused(
            &with("\"30000.00\"", "30000"),
            "proposal.items[1].one_time",
            "quoted decimal string",
        );
        refused(
            &with("\"850.50\"", "\"-850.50\""),
            "proposal.items[2].monthly",
            "negative",
        );
        refused(
            &with("\"850.50\"", "\"85O\""),
            "proposal.items[2].monthly",
            "not an amount",
        );
        // Unknown keys: the TOML reader names the key and lists the allowed ones.
        refused(
            &with("role = \"equipment\"", "role = \"equipment\"\ncolour = \"red\""),
            "colour",
            "`provider`, `role`, `one_time`, `monthly`",
        );
        refused(
            &with("savings_months = 12", "savings_months = 12\nsavings_years = 1"),
            "savings_years",
            "`recovery_share`",
        );
        refused(
            &with("horizon_months = 60", "horizon = 60"),
            "horizon",
            "`horizon_months`",
        );
        refused(&with("provider = \"Ledger TEM\"\n", ""), "provider", "missing");
        refused(
            &with("provider = \"Ledger TEM\"", "provider = \" \""),
            "proposal.tem.provider is empty",
            "Ledger TEM",
        );
        refused(
            &with("provider = \"Northwind Networks\"", "provider = \"\""),
            "proposal.items[1].provider is empty",
            "Northwind",
        );
        refused(
            &with("role = \"managed services\"", "role = \"\""),
            "proposal.items[2].role is empty",
            "equipment",
        );
        refused(
            &with("\"0.08\"", "\"-0\""),
            "proposal.discount_rate = \"-0\" has a sign",
            "from \"0\"",
        );
        refused(
            &with("\"0.30\"", "\"+0.3\""),
            "proposal.tem.recovery_share",
            "has a sign",
        );
    }

    #[test]
    fn reads_currency_contact_and_contract_ref() {
        let c = parse_client_toml(
            "currency = \"EUR\"\ncontract_ref = \" MSA-2023-114 \"\n[contact]\nname = \"Dana Lee\"\nemail = \"ap@acme.example\"\n",
        )
        .unwrap();
        assert_eq!(c.currency.as_deref(), Some("EUR"));
        assert_eq!(c.contract_ref.as_deref(), Some("MSA-2023-114"));
        let k = c.contact.unwrap();
        assert_eq!(k.name.as_deref(), Some("Dana Lee"));
        assert_eq!(k.email.as_deref(), Some("ap@acme.example"));
        assert_eq!(k.phone, None);
        // Absent or empty: nothing shown, nothing guessed.
        let c = parse_client_toml("tax_exemption_certificate = \" TX-EX-2291 \"\n").unwrap();
        assert_eq!(c.tax_exemption_certificate.as_deref(), Some("TX-EX-2291"));
        let c = parse_client_toml("currency = \"\"\n[contact]\nname = \"\"\n").unwrap();
        assert_eq!(c.tax_exemption_certificate, None);
        assert_eq!((c.currency, c.contact, c.contract_ref), (None, None, None));
        let e = parse_client_toml("currency = \"usd\"").unwrap_err();
        assert!(e.contains("currency") && e.contains("USD"), "{e}");
        let e = parse_client_toml("currency = \"$\"").unwrap_err();
        assert!(e.contains("ISO 4217"), "{e}");
        assert!(parse_client_toml("[contact]\nfax = \"1\"").is_err());
    }

    #[test]
    fn defaults() {
        assert_eq!(parse_client_toml("").unwrap(), ClientConfig::default());
        assert_eq!(parse_client_toml("name = \"  \"").unwrap().name, None);
        let c = parse_client_toml("[proposal]\none_time = \"500\"\nmonthly = \"0.5\"").unwrap();
        let p = c.proposal.unwrap();
        assert_eq!(p.one_time, Decimal::new(500, 0));
        assert_eq!(p.monthly, Decimal::new(5, 1));
    }

    #[test]
    fn bare_integer_money_is_refused_with_the_quoted_form() {
        let e = parse_client_toml("[proposal]\none_time = 500\nmonthly = \"0.5\"").unwrap_err();
        assert!(e.contains("proposal.one_time = 500 is a bare number"), "{e}");
        assert!(e.contains("proposal.one_time = \"500\""), "{e}");
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
        // response_days alone: nothing expires; without it, 30 days.
        let c = parse_client_toml("[disputes]\nresponse_days = 45\n").unwrap();
        assert_eq!(c.response_days(), 45);
        assert_eq!(c.disputes.as_ref().unwrap().window("AT&T"), None);
        assert_eq!(parse_client_toml("").unwrap().response_days(), 30);
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
        for bad in ["0", "3651", "-5", "\"30\"", "30.0"] {
            let e = parse_client_toml(&format!("[disputes]\nresponse_days = {bad}\n")).unwrap_err();
            assert!(e.contains("disputes.response_days"), "{bad}: {e}");
        }
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
