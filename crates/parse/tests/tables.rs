//! inventory.csv and contracts.csv.

use telaudit_model::{ContractKind, Date, FileId, Interner, Micros, Position, ServiceStatus};
use telaudit_parse::{read_contracts, read_inventory};

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn refusals<T>(t: &telaudit_parse::TableOutcome<T>) -> Vec<(Position, String)> {
    assert!(t.rejected.iter().all(|r| r.rows == 0));
    t.rejected
        .iter()
        .map(|r| (r.position, r.reason.clone()))
        .collect()
}

#[test]
fn inventory_records_and_refusals() {
    let text = "Service_ID , carrier,account,status,disconnect_date,cost_center,owner,notes\n\
                555-0100,Verizon,001,active,,CC1,Ann,x\n\
                555-0101,Verizon,001,Disconnected,2025-03-31,CC1,\"Bob, Jr\",\n\
                555-0102,Verizon,001,retired,,CC1,,\n\
                555-0103,Verizon,001,disconnected,,CC1,,\n\
                555-0104,Verizon,001,disconnected,2025-02-30,CC1,,\n\
                555-0100,Verizon,001,active,,CC1,Ann,y\n\
                555-0100,Verizon,001,disconnected,2025-01-31,CC1,Ann,\n\
                555-0100,Verizon,,pending,,,,\n\
                ,Verizon,001,active,,,,\n";
    let mut strings = Interner::new();
    let t = read_inventory(text.as_bytes(), FileId(4), "inventory.csv", &mut strings);
    assert_eq!(
        refusals(&t),
        vec![
            (
                Position::Line(4),
                "unknown status \"retired\": expected active, disconnected or pending".to_string()
            ),
            (
                Position::Line(5),
                "status is disconnected but disconnect_date is empty: give the last day the client wanted \
                 the service (YYYY-MM-DD)"
                    .to_string()
            ),
            (
                Position::Line(6),
                "bad disconnect_date \"2025-02-30\": no such calendar day".to_string()
            ),
            (
                Position::Line(8),
                "service_id \"555-0100\" of \"Verizon\" account \"001\" is already listed on line 2 with \
                 different values; keep one line per service"
                    .to_string()
            ),
            (Position::Line(10), "service_id is empty (required)".to_string()),
        ]
    );
    assert!(t.rejected.iter().all(|r| r.file == "inventory.csv"));
    // Line 7 repeats line 2 exactly (but for an unknown column): kept once.
    assert_eq!(t.records.len(), 3);
    let r = &t.records[1];
    assert_eq!(strings.get(r.service), "555-0101");
    assert_eq!(strings.get(r.account), "001");
    assert_eq!(r.status, ServiceStatus::Disconnected);
    assert_eq!(r.disconnect_date, Some(d("2025-03-31")));
    assert_eq!(r.owner, "Bob, Jr");
    assert_eq!((r.source.file, r.source.pos), (FileId(4), 3));
    let r = &t.records[2];
    assert_eq!(
        (r.status, r.account, r.source.pos),
        (ServiceStatus::Pending, telaudit_model::Sym::EMPTY, 9)
    );
    // The inventory's symbols are the given interner's.
    assert_eq!(strings.lookup("Verizon"), Some(t.records[0].carrier));
}

#[test]
fn inventory_missing_column_refuses_the_file() {
    let mut strings = Interner::new();
    let t = read_inventory(
        b"service_id,carrier\n1,V\n",
        FileId(0),
        "inventory.csv",
        &mut strings,
    );
    assert!(t.records.is_empty());
    assert_eq!(t.rejected.len(), 1);
    assert_eq!((t.rejected[0].position, t.rejected[0].rows), (Position::File, 0));
    assert!(
        t.rejected[0].reason.starts_with("missing required column status"),
        "{}",
        t.rejected[0].reason
    );
}

#[test]
fn contracts_records_and_refusals() {
    let text = "kind,carrier,account,service_id,charge_code,amount,effective_from,effective_to\r\n\
                rate,AT&T,,,UMIN,0.045,2025-01-01,\r\n\
                Credit,AT&T,A1,555,CRD,25.00,,2025-12-31\r\n\
                discount,AT&T,,,X,1,,\r\n\
                credit,AT&T,,,CRD,-25,,\r\n\
                rate,AT&T,,,UMIN,0.0450001,,\r\n\
                rate,AT&T,,,UMIN,1,2025-06-01,2025-05-31\r\n\
                rate,AT&T,,,,1,,\r\n\
                rate,AT&T,,,UMIN,,,\r\n\
                rate,AT&T,,,UMIN,1,2025-6-01,\r\n";
    let mut strings = Interner::new();
    let t = read_contracts(text.as_bytes(), FileId(5), "contracts.csv", &mut strings);
    assert_eq!(
        refusals(&t),
        vec![
            (
                Position::Line(4),
                "unknown kind \"discount\": expected rate or credit".to_string()
            ),
            (
                Position::Line(5),
                "negative credit amount \"-25\": write the credit owed per period as a positive number"
                    .to_string()
            ),
            (
                Position::Line(6),
                "bad amount \"0.0450001\": more than 6 decimal places".to_string()
            ),
            (
                Position::Line(7),
                "effective_to 2025-05-31 is before effective_from 2025-06-01".to_string()
            ),
            (Position::Line(8), "charge_code is empty (required)".to_string()),
            (Position::Line(9), "amount is empty (required)".to_string()),
            (
                Position::Line(10),
                "bad effective_from \"2025-6-01\": not a date in the form YYYY-MM-DD".to_string()
            ),
        ]
    );
    assert_eq!(t.records.len(), 2);
    let c = &t.records[0];
    assert_eq!(c.kind, ContractKind::Rate);
    assert_eq!(c.amount, Micros(45_000));
    assert_eq!((c.effective_from, c.effective_to), (Some(d("2025-01-01")), None));
    assert!(c.account.is_empty() && c.service.is_empty());
    assert_eq!(strings.get(c.charge_code), "UMIN");
    let c = &t.records[1];
    assert_eq!(c.kind, ContractKind::Credit);
    assert_eq!(c.amount, Micros(25_000_000));
    assert_eq!(strings.get(c.service), "555");
    assert_eq!((c.source.file, c.source.pos), (FileId(5), 3));
}
