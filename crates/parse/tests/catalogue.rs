//! plans.csv and utilization.csv (optimization.md sections 1 and 2): exact numbers,
//! each bad line refused with its line and a reason, the others used.

use rustc_hash::FxHashSet;
use telaudit_model::{Date, FileId, Interner, Micros, PlanKind, Position};
use telaudit_parse::{read_inventory, read_plans, read_utilization};

fn refusals<T>(t: &telaudit_parse::TableOutcome<T>) -> Vec<(Position, String)> {
    t.rejected
        .iter()
        .map(|r| (r.position, r.reason.clone()))
        .collect()
}

#[test]
fn plans_are_read_exactly_and_bad_lines_refused() {
    let text = "Kind,carrier,code,name,monthly,allowance,usage_unit,overage_rate,bandwidth_mbps,effective_from,effective_to,notes\n\
                plan,V,UNL,Unlimited,60.00,5000,MIN,,,,,x\n\
                plan,V,P500,500 Minutes,35.10,500,MIN,0.125,,,2025-06-30,\n\
                circuit,L,C100,Ethernet 100M,425.00,,,,100,,,\n\
                plan,V,P100,,20.00,,MIN,0.25,,,,\n\
                circuit,L,C50,,300.00,,,,,,,\n\
                plan,V,NEG,,-1.00,100,MIN,,,,,\n\
                plan,V,P500,500 Minutes,33.00,500,MIN,0.10,,2025-06-01,,\n\
                plan,V,P500,500 Minutes,33.00,500,MIN,0.10,,2025-07-01,,\n\
                circuit,L,C0,,10.00,,,,0,,,\n\
                bundle,V,B,,10.00,,,,,,,\n\
                plan,V,NOUNIT,,10.00,100,,,,,,\n\
                plan,V,OVR,,10.00,100,MIN,-0.10,,,,\n\
                circuit,L,CNEG,,10.00,,,,-5,,,\n";
    let mut strings = Interner::new();
    let t = read_plans(text.as_bytes(), FileId(7), "plans.csv", &mut strings);
    assert_eq!(
        refusals(&t),
        vec![
            (
                Position::Line(5),
                "allowance is empty (required for a plan: the usage it includes per period)".to_string()
            ),
            (
                Position::Line(6),
                "bandwidth_mbps is empty (required for a circuit: the tier's bandwidth)".to_string()
            ),
            (
                Position::Line(7),
                "negative monthly \"-1.00\": it must be 0 or more".to_string()
            ),
            (
                Position::Line(8),
                "code \"P500\" of \"V\" is already in the catalogue on line 3 for an overlapping window; \
                 give each price of a code its own effective_from..effective_to"
                    .to_string()
            ),
            (
                Position::Line(10),
                "bandwidth_mbps is 0: a circuit tier's bandwidth must be more than 0".to_string()
            ),
            (
                Position::Line(11),
                "unknown kind \"bundle\": expected plan, pool or circuit".to_string()
            ),
            (
                Position::Line(12),
                "usage_unit is empty (required for a plan: the unit of the usage rows it counts)".to_string()
            ),
            (
                Position::Line(13),
                "negative overage_rate \"-0.10\": it must be 0 or more".to_string()
            ),
            (
                Position::Line(14),
                "negative bandwidth_mbps \"-5\": a circuit tier's bandwidth must be more than 0".to_string()
            ),
        ]
    );
    assert!(t.rejected.iter().all(|r| r.file == "plans.csv" && r.rows == 0));
    let codes: Vec<&str> = t.records.iter().map(|e| strings.get(e.code)).collect();
    // Line 9 repeats P500 after its earlier window ended: a new price, kept.
    assert_eq!(codes, ["UNL", "P500", "C100", "P500"]);
    let p500 = &t.records[1];
    assert_eq!(p500.kind, PlanKind::Plan);
    assert_eq!(p500.monthly, Micros(35_100_000));
    assert_eq!(p500.overage_rate, Micros(125_000));
    assert_eq!(p500.allowance, Micros(500_000_000));
    assert_eq!(p500.effective_to, Date::parse("2025-06-30").ok());
    assert_eq!((p500.source.file, p500.source.pos), (FileId(7), 3));
    assert_eq!(t.records[2].bandwidth_mbps, Micros(100_000_000));
    assert_eq!(t.records[2].kind, PlanKind::Circuit);
}

#[test]
fn pools_are_read_like_plans_and_a_code_of_both_kinds_is_refused() {
    let text = "kind,carrier,code,name,monthly,allowance,usage_unit,overage_rate,bandwidth_mbps,effective_from,effective_to\n\
                POOL,A,FLEX30,Flex 30GB,50.00,30,GB,10.00,,,\n\
                pool,A,NOALLOW,,40.00,,GB,,,,\n\
                pool,A,NOUNIT,,40.00,5,,,,,\n\
                plan,A,FLEX30,Flex 30GB single,50.00,30,GB,,,2030-01-01,\n\
                plan,A,SOLO,,20.00,2,GB,,,,2024-12-31\n\
                pool,A,SOLO,,18.00,2,GB,,,2025-01-01,\n\
                pool,B,SOLO,,18.00,2,GB,,,,\n\
                pool,A,FLEX5,,28.00,5,GB,,,,\n";
    let mut strings = Interner::new();
    let t = read_plans(text.as_bytes(), FileId(3), "plans.csv", &mut strings);
    assert_eq!(
        refusals(&t),
        vec![
            (
                Position::Line(3),
                "allowance is empty (required for a pool: the usage each line adds to the pool per period)"
                    .to_string()
            ),
            (
                Position::Line(4),
                "usage_unit is empty (required for a pool: the unit of the usage rows it counts)".to_string()
            ),
            // A code of both kinds is refused whatever the windows, naming the earlier line.
            (
                Position::Line(5),
                "code \"FLEX30\" of \"A\" is a pool on line 2 and a plan on this line: a code is either a \
                 per-line plan or a pool plan, so that its bill rows say which; give one of them its own code"
                    .to_string()
            ),
            (
                Position::Line(7),
                "code \"SOLO\" of \"A\" is a plan on line 6 and a pool on this line: a code is either a \
                 per-line plan or a pool plan, so that its bill rows say which; give one of them its own code"
                    .to_string()
            ),
        ]
    );
    let kept: Vec<(&str, &str, PlanKind)> = t
        .records
        .iter()
        .map(|e| (strings.get(e.carrier), strings.get(e.code), e.kind))
        .collect();
    // Another carrier's SOLO is its own code.
    assert_eq!(
        kept,
        [
            ("A", "FLEX30", PlanKind::Pool),
            ("A", "SOLO", PlanKind::Plan),
            ("B", "SOLO", PlanKind::Pool),
            ("A", "FLEX5", PlanKind::Pool),
        ]
    );
    let flex = &t.records[0];
    assert_eq!(
        (
            flex.monthly,
            flex.allowance,
            flex.overage_rate,
            strings.get(flex.usage_unit)
        ),
        (Micros(50_000_000), Micros(30_000_000), Micros(10_000_000), "GB")
    );
    assert_eq!(t.records[3].overage_rate, Micros(0), "an empty overage_rate is 0");
}

#[test]
fn plans_refuse_a_record_over_one_mebibyte() {
    let big = "x".repeat((1 << 20) + 1);
    let text =
        format!("kind,carrier,code,monthly,bandwidth_mbps\ncircuit,L,{big},1.00,10\ncircuit,L,C1,1.00,10\n");
    let mut strings = Interner::new();
    let t = read_plans(text.as_bytes(), FileId(0), "plans.csv", &mut strings);
    assert_eq!(t.records.len(), 1);
    assert_eq!(t.rejected.len(), 1);
    assert_eq!(t.rejected[0].position, Position::Line(2));
    assert!(
        t.rejected[0].reason.contains("1048576"),
        "{}",
        t.rejected[0].reason
    );
}

#[test]
fn utilization_is_read_and_an_unknown_circuit_is_a_warning() {
    let text = "carrier,service_id,period_start,p95_in_mbps,p95_out_mbps\n\
                L,CKT-1,2025-01-01,12.5,30.25\n\
                L,CKT-9,2025-01-01,1,1\n\
                L,CKT-9,2025-02-01,1,1\n\
                L,CKT-1,2025-02-01,-1,3\n\
                L,CKT-1,2025-03-01,,3\n\
                L,CKT-1,2025-13-01,1,3\n\
                L,CKT-1,2025-04-01,1,3\n";
    let mut strings = Interner::new();
    let billed: FxHashSet<_> = [(strings.intern("L"), strings.intern("CKT-1"))]
        .into_iter()
        .collect();
    let t = read_utilization(
        text.as_bytes(),
        FileId(2),
        "utilization.csv",
        &mut strings,
        &billed,
    );
    assert_eq!(
        refusals(&t),
        vec![
            (
                Position::Line(5),
                "negative p95_in_mbps \"-1\": it must be 0 or more".to_string()
            ),
            (Position::Line(6), "p95_in_mbps is empty (required)".to_string()),
            (
                Position::Line(7),
                "bad period_start \"2025-13-01\": no such calendar day".to_string()
            ),
        ]
    );
    // One warning for the unknown circuit, at its first line; its lines are not used.
    assert_eq!(t.warnings.len(), 1);
    assert_eq!(t.warnings[0].position, Position::Line(3));
    assert_eq!(
        t.warnings[0].message,
        "circuit \"CKT-9\" of \"L\" is on no bill: its utilization lines are not used"
    );
    assert_eq!(t.records.len(), 2);
    assert_eq!(t.records[0].p95_in_mbps, Micros(12_500_000));
    assert_eq!(t.records[0].p95_out_mbps, Micros(30_250_000));
    assert_eq!(t.records[1].source.pos, 8);
}

#[test]
fn a_refused_inventory_line_still_names_its_service() {
    let text =
        "service_id,carrier,account,status\n555-0100,V,100,retired\n,V,100,active\n555-0200,V,,active\n";
    let mut strings = Interner::new();
    let t = read_inventory(text.as_bytes(), FileId(0), "inventory.csv", &mut strings);
    assert_eq!(t.records.len(), 1);
    assert_eq!(t.rejected.len(), 2);
    // Line 2 is refused (unknown status) but names V and 555-0100; line 3 names
    // carrier V but no service: V counts as listed, no service as tracked.
    assert_eq!(t.mentions.len(), 2);
    assert_eq!(strings.get(t.mentions[0].service), "555-0100");
    assert_eq!(strings.get(t.mentions[0].account), "100");
    assert_eq!(strings.get(t.mentions[1].carrier), "V");
    assert_eq!(strings.get(t.mentions[1].service), "");
}
