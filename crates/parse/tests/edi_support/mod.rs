//! Builds X12 811 test input with any separators, and renders rows as text.
#![allow(dead_code)]

use telaudit_model::Row;
use telaudit_parse::ParsedFile;

/// Separators and what follows each terminator.
#[derive(Copy, Clone)]
pub struct Seps {
    pub element: char,
    pub component: char,
    pub terminator: char,
    pub line_break: &'static str,
}

pub const STD: Seps = Seps {
    element: '*',
    component: '>',
    terminator: '~',
    line_break: "\n",
};

/// The example heading and detail of edi-811.md, between ST and SE (20 segments).
pub const EXAMPLE_BODY: [&str; 20] = [
    "BIG*20251205*LUMKX881220251201",
    "REF*12*5-KX8812",
    "DTM*186*20251101",
    "DTM*187*20251130",
    "N1*SE*Lumen",
    "HL*1**1",
    "HL*2*1*2",
    "REF*12*5-KX8812",
    "HL*3*2*4",
    "PID*F****MONTHLY CHARGES",
    "HL*4*3*8",
    "SI*TI*CI*81/KQGN/100000/LUMN",
    "IT1*1*1*EA*850.00**SV*EPORT",
    "PID*F****Ethernet Port 100 Mbps",
    "TXI*FT*25.50",
    "HL*5*2*4",
    "PID*F****CREDITS",
    "HL*6*5*8",
    "ITA*A**PROMO*06***20000******Promotional Credit - Term Agreement",
    "TDS*67550",
];

/// A fixed-width ISA header written with `*` and `>`.
pub fn isa(control: &str) -> String {
    format!(
        "ISA*00*          *00*          *ZZ*LUMEN          *ZZ*ACMEHEALTH     *251205*0930*U*00401*{control:0>9}*0*P*>"
    )
}

/// ST, the body, and an SE with the right count.
pub fn tx(control: &str, body: &[&str]) -> Vec<String> {
    let mut v = vec![format!("ST*811*{control}")];
    v.extend(body.iter().map(|s| s.to_string()));
    v.push(format!("SE*{}*{control}", body.len() + 2));
    v
}

/// GS, the transactions, and a GE with the right count.
pub fn group(control: &str, txs: &[Vec<String>]) -> Vec<String> {
    let mut v = vec![format!("GS*CI*LUMEN*ACMEHEALTH*20251205*0930*{control}*X*004010")];
    for t in txs {
        v.extend(t.iter().cloned());
    }
    v.push(format!("GE*{}*{control}", txs.len()));
    v
}

/// ISA, the groups, and an IEA with the right count.
pub fn interchange(control: &str, groups: &[Vec<String>]) -> Vec<String> {
    let mut v = vec![isa(control)];
    for g in groups {
        v.extend(g.iter().cloned());
    }
    v.push(format!("IEA*{}*{control:0>9}", groups.len()));
    v
}

/// The spec's example interchange as segments.
pub fn example_segments() -> Vec<String> {
    interchange("101", &[group("101", &[tx("0001", &EXAMPLE_BODY)])])
}

/// Writes segments (spelled with `*` and `>`) with other separators.
pub fn render(segments: &[String], s: Seps) -> Vec<u8> {
    let mut out = String::new();
    for seg in segments {
        let mut t: String = seg
            .chars()
            .map(|c| if c == '*' { s.element } else { c })
            .collect();
        if seg.starts_with("ISA") {
            t.pop();
            t.push(s.component);
        }
        out.push_str(&t);
        out.push(s.terminator);
        out.push_str(s.line_break);
    }
    out.into_bytes()
}

/// One row as text, every field, for comparisons.
pub fn show_row(p: &ParsedFile, r: &Row) -> String {
    let s = |x| p.strings.get(x).to_string();
    let o = |m: Option<telaudit_model::Micros>| m.map(|m| m.to_string()).unwrap_or_default();
    format!(
        "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|@{}",
        s(r.carrier),
        s(r.account),
        s(r.invoice),
        r.invoice_date,
        r.period_start,
        r.period_end,
        s(r.service),
        r.charge_type,
        s(r.charge_code),
        s(r.description),
        r.quantity,
        o(r.unit_rate),
        r.amount,
        o(r.usage_quantity),
        s(r.usage_unit),
        r.source.pos
    )
}

pub fn rows(p: &ParsedFile) -> Vec<String> {
    p.rows.iter().map(|r| show_row(p, r)).collect()
}

/// The example's three rows, with `@segment` positions when the interchange starts at segment 1.
pub fn example_rows(first_segment: u32) -> Vec<String> {
    let at = |n: u32| n + first_segment - 1;
    let head = "Lumen|5-KX8812|LUMKX881220251201|2025-12-05|2025-11-01|2025-11-30";
    vec![
        format!(
            "{head}|81/KQGN/100000/LUMN|recurring|EPORT|Ethernet Port 100 Mbps|1|850|850|||@{}",
            at(16)
        ),
        format!(
            "{head}|81/KQGN/100000/LUMN|tax|FT|Federal Excise Tax|1||25.5|||@{}",
            at(18)
        ),
        format!(
            "{head}||credit|PROMO|Promotional Credit - Term Agreement|1||-200|||@{}",
            at(22)
        ),
    ]
}
