//! Feeds arbitrary text as plans.csv and utilization.csv (cut at the first line
//! `%%`) beside a fixed four-month bill of wireless lines and circuits, then
//! checks them against the bills and runs PLN001 and CIR001 (issue 26: the
//! catalogue's values). Nothing may panic or overflow; refusals name lines of
//! the file they refuse; every finding saves more than 0 and at most 10^16 a
//! month, and CIR001 never saves more than the bill charges for the circuit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use telaudit_model::{ClaimKey, Dump, FileId, Position, SourceFile, SourceKind};
use telaudit_rules::RuleSet;

/// Four months of account 100 of carrier V: lines on UNL with data use, and a
/// circuit on C1000.
fn bills() -> &'static Dump {
    static DUMP: OnceLock<Dump> = OnceLock::new();
    DUMP.get_or_init(|| {
        let mut text = String::from(
            "carrier,account,invoice,invoice_date,period_start,period_end,service_id,charge_type,\
             charge_code,description,quantity,unit_rate,amount,usage_quantity,usage_unit\n",
        );
        for m in 1..=4 {
            for (svc, gb) in [("555-0100", "1.5"), ("555-0200", "999999999999.999999"), ("555-0300", "0")] {
                text += &format!("V,100,I{m},2025-0{m}-05,2025-0{m}-01,2025-0{m}-28,{svc},recurring,UNL,Plan,1,,60.00,,\n");
                text += &format!("V,100,I{m},2025-0{m}-05,2025-0{m}-01,2025-0{m}-28,{svc},usage,DATA,Data,1,,0.00,{gb},GB\n");
            }
            text += &format!("V,100,I{m},2025-0{m}-05,2025-0{m}-01,2025-0{m}-28,CKT-1,recurring,C1000,Port,1,,2000.00,,\n");
        }
        telaudit_parse::read_bill_files(vec![("invoices/a.csv".to_string(), text.into_bytes())]).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (plans, load) = text.split_once("\n%%\n").unwrap_or((text, ""));
    let mut dump = bills().clone();
    let plans_id = FileId(dump.files.len() as u32);
    dump.files.push(SourceFile {
        path: "plans.csv".into(),
        kind: SourceKind::Plans,
    });
    let t = telaudit_parse::read_plans(plans.as_bytes(), plans_id, "plans.csv", &mut dump.strings);
    dump.plans = t.records;
    dump.rejected.extend(t.rejected);
    let load_id = FileId(dump.files.len() as u32);
    dump.files.push(SourceFile {
        path: "utilization.csv".into(),
        kind: SourceKind::Utilization,
    });
    let billed = dump.rows.iter().map(|r| (r.carrier, r.service)).collect();
    let u = telaudit_parse::read_utilization(
        load.as_bytes(),
        load_id,
        "utilization.csv",
        &mut dump.strings,
        &billed,
    );
    dump.utilization = u.records;
    dump.rejected.extend(u.rejected);
    telaudit_parse::check_against_bills(&mut dump);
    // At most one line per line break, CR alone included (the readers take
    // classic Mac line ends as lines).
    let breaks = |t: &str| t.bytes().filter(|&b| b == b'\n' || b == b'\r').count() as u64 + 1;
    let (plan_lines, load_lines) = (breaks(plans), breaks(load));
    for j in &dump.rejected {
        if let Position::Line(n) = j.position {
            let max = if j.file == "plans.csv" {
                plan_lines
            } else {
                load_lines
            };
            assert!(n >= 1 && n <= max, "{}:{n} of {max}", j.file);
        }
    }
    let results = telaudit_rules::evaluate(&RuleSet::defaults(), &dump);
    for r in results
        .iter()
        .filter(|r| r.rule.id == "PLN001" || r.rule.id == "CIR001")
    {
        for f in &r.findings {
            assert!(
                f.monthly > telaudit_model::Decimal::ZERO,
                "{}: {}",
                r.rule.id,
                f.monthly
            );
            assert!(f.monthly <= telaudit_model::Decimal::from(10_000_000_000_000_000i64));
            if r.rule.id == "CIR001" {
                let ClaimKey::Row(row) = f.claims[0].key else {
                    panic!("CIR001 claims a row");
                };
                let billed = dump.rows[row as usize].amount.to_decimal();
                assert!(
                    f.monthly <= billed,
                    "CIR001 saves {} of a bill of {billed}",
                    f.monthly
                );
            }
        }
    }
});
