//! One `ST*811` .. `SE` transaction: the heading, the HL tree and the charges,
//! gathered into drafts that become rows only once `SE` has validated the whole.

use super::notes::{key_bytes, Notes};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use telaudit_model::{ChargeType, Date, FileId, Interner, Micros, Row, SourceRef, Sym};

/// Element `i` of a segment (0 is the segment id), empty when absent.
pub(crate) fn el<'a>(els: &[&'a [u8]], i: usize) -> &'a [u8] {
    els.get(i).copied().unwrap_or(b"")
}

pub(crate) fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

pub(crate) fn text(b: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(trim(b))
}

/// Shows element bytes in a message.
pub(crate) fn show(b: &[u8]) -> String {
    let t = text(b);
    if t.chars().count() > 40 {
        format!("{}...", t.chars().take(40).collect::<String>())
    } else {
        t.into_owned()
    }
}

/// An X12 `N2` number: an integer with 2 implied decimals (`20000` is 200.00).
pub(crate) fn parse_n2(b: &[u8]) -> Result<Micros, String> {
    let t = trim(b);
    let (neg, digits) = match t {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, t),
    };
    if digits.is_empty() {
        return Err("empty amount".into());
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(format!(
            "'{}' is not a whole number with 2 implied decimals (e.g. 20000 for 200.00)",
            show(b)
        ));
    }
    let sig = digits
        .iter()
        .position(|&c| c != b'0')
        .map_or(0, |p| digits.len() - p);
    if sig > 14 {
        return Err(format!("'{}' is too large", show(b)));
    }
    let v = digits.iter().fold(0i64, |acc, &c| acc * 10 + i64::from(c - b'0'));
    let m =
        Micros::from_cents(if neg { -v } else { v }).ok_or_else(|| format!("'{}' is too large", show(b)))?;
    Ok(m)
}

/// An X12 `R` number (`850.00`, `-5`, `.5`).
pub(crate) fn parse_r(b: &[u8]) -> Result<Micros, String> {
    Micros::parse_bytes(b).map_err(|e| format!("'{}': {e}", show(b)))
}

pub(crate) fn parse_date(b: &[u8]) -> Result<Date, String> {
    Date::parse_compact(&text(b)).map_err(|e| match e {
        telaudit_model::DateError::NoSuchDay => format!("'{}' is no such calendar day", show(b)),
        _ => format!("'{}' is not a date in the form CCYYMMDD", show(b)),
    })
}

/// The charge type a bill section's text names (edi-811.md), or `None`.
pub(crate) fn section_type(text: &str) -> Option<ChargeType> {
    // Punctuation and repeated spaces do not matter: `One-Time` is `ONE TIME`.
    let mut norm = String::with_capacity(text.len() + 2);
    norm.push(' ');
    for c in text.chars() {
        if c.is_alphanumeric() {
            norm.extend(c.to_uppercase());
        } else if !norm.ends_with(' ') {
            norm.push(' ');
        }
    }
    use ChargeType::*;
    const WORDS: [(&str, ChargeType); 13] = [
        // `NON-RECURRING` is one-time, not recurring (a decision: the spec is silent).
        ("NON RECURRING", OneTime),
        ("NONRECURRING", OneTime),
        ("MONTHLY", Recurring),
        ("RECURRING", Recurring),
        ("ONE TIME", OneTime),
        ("OTHER CHARGES", OneTime),
        ("USAGE", Usage),
        ("TAX", Tax),
        ("SURCHARGE", Surcharge),
        ("CREDIT", Credit),
        ("ADJUSTMENT", Adjustment),
        ("FEE", Fee),
        ("ONETIME", OneTime),
    ];
    WORDS.iter().find(|(w, _)| norm.contains(w)).map(|&(_, t)| t)
}

/// `usage_unit` from IT103.
pub(crate) fn usage_unit(code: &str) -> &str {
    match code {
        "MJ" => "min",
        "GB" => "GB",
        "ME" => "msg",
        other => other,
    }
}

/// The description of a TXI tax type.
pub(crate) fn tax_description(code: &str) -> Cow<'static, str> {
    Cow::Borrowed(match code {
        "ST" => "State Sales Tax",
        "LS" => "Local Sales Tax",
        "FT" => "Federal Excise Tax",
        "CT" => "County Tax",
        "CA" => "City Tax",
        "SU" => "Surcharge",
        other => return Cow::Owned(format!("Tax {other}")),
    })
}

#[derive(Copy, Clone, Debug, Default)]
struct Section {
    /// `None`: the text names no charge type.
    ty: Option<ChargeType>,
    text: Sym,
}

/// What an HL loop passes down to the loops below it.
#[derive(Copy, Clone, Debug, Default)]
struct Ctx {
    service: Sym,
    account: Option<Sym>,
    section: Option<Section>,
    start: Option<Date>,
    end: Option<Date>,
}

struct Node {
    level: u8,
    ctx: Ctx,
}

/// A charge row before the heading's carrier, invoice and fallbacks are applied.
struct Draft {
    pos: u32,
    ctx: Ctx,
    charge_type: ChargeType,
    code: Sym,
    description: Sym,
    quantity: Micros,
    unit_rate: Option<Micros>,
    amount: Micros,
    usage_quantity: Option<Micros>,
    usage_unit: Sym,
}

/// An IT1 whose loop is still open (AMT, PID, TXI, DTM may follow).
struct PendingIt1 {
    pos: u32,
    ctx: Ctx,
    qty: Option<Micros>,
    unit: Sym,
    price: Option<Micros>,
    code: Sym,
    amt: Option<Micros>,
    desc: Option<Sym>,
    /// TXI segments of the loop: position, code, amount.
    taxes: Vec<(u32, Sym, Micros)>,
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Mode {
    Normal,
    /// Inside an SLN, TCD or USD loop: its segments are skipped.
    SkipDetail,
}

/// The outcome of a transaction once `SE` is read.
pub(crate) enum Outcome {
    Accepted {
        rows: Vec<Row>,
        total: Option<Micros>,
        carrier: Sym,
        account: Sym,
        invoice: Sym,
    },
    Refused {
        reason: String,
        rows: u64,
    },
}

/// One segment as its handler sees it: position, elements, id and first element.
struct Seg<'s, 'a> {
    pos: u32,
    els: &'s [&'a [u8]],
    id: &'a [u8],
    q: &'a [u8],
}

impl Seg<'_, '_> {
    /// Notes the segment as skipped (once per id and qualifier), saying why.
    fn skip(&self, notes: &mut Notes, why: &'static str) {
        notes.note("skip", key_bytes(&[self.id, self.q]), self.pos, || {
            format!("segment {}*{} skipped: {why}", show(self.id), show(self.q))
        });
    }
}

pub(crate) struct Tx<'a> {
    pub st_pos: u32,
    pub control: &'a [u8],
    /// Segments from ST to the last one read, inclusive.
    pub segments: u64,
    error: Option<String>,
    more_errors: u32,
    /// Charge rows the transaction makes (or would have made).
    charges: u64,
    invoice: Option<Sym>,
    invoice_date: Option<Date>,
    ref12: Option<Sym>,
    ref11: Option<Sym>,
    carrier_se: Option<Sym>,
    carrier_pe: Option<Sym>,
    root: Ctx,
    in_detail: bool,
    nodes: Vec<Node>,
    ids: FxHashMap<&'a [u8], usize>,
    current: Option<usize>,
    pending: Option<PendingIt1>,
    mode: Mode,
    tds: Option<Micros>,
    drafts: Vec<Draft>,
    no_section: (u64, u32),
    odd_section: (u64, u32, Sym),
}

impl<'a> Tx<'a> {
    pub fn new(st_pos: u32, control: &'a [u8]) -> Self {
        Tx {
            st_pos,
            control,
            segments: 1,
            error: None,
            more_errors: 0,
            charges: 0,
            invoice: None,
            invoice_date: None,
            ref12: None,
            ref11: None,
            carrier_se: None,
            carrier_pe: None,
            root: Ctx::default(),
            in_detail: false,
            nodes: Vec::new(),
            ids: FxHashMap::default(),
            current: None,
            pending: None,
            mode: Mode::Normal,
            tds: None,
            drafts: Vec::new(),
            no_section: (0, 0),
            odd_section: (0, 0, Sym::EMPTY),
        }
    }

    /// Marks the transaction refused; the first problem is the one reported.
    pub fn fail(&mut self, pos: u32, id: &[u8], problem: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(format!("segment {pos} ({}): {}", show(id), problem.into()));
        } else {
            self.more_errors += 1;
        }
    }

    /// Refuses the transaction for a reason that is not one segment's.
    pub fn fail_whole(&mut self, problem: String) {
        if self.error.is_none() {
            self.error = Some(problem);
        } else {
            self.more_errors += 1;
        }
    }

    /// The invoice number (BIG02), once read.
    pub fn invoice(&self) -> Option<Sym> {
        self.invoice
    }

    fn ctx(&self) -> Ctx {
        match self.current {
            Some(i) => self.nodes[i].ctx,
            None => self.root,
        }
    }

    fn ctx_mut(&mut self) -> &mut Ctx {
        match self.current {
            Some(i) => &mut self.nodes[i].ctx,
            None => &mut self.root,
        }
    }

    fn level(&self) -> u8 {
        self.current.map_or(0, |i| self.nodes[i].level)
    }

    /// One segment between ST and SE: dispatched to the handler of its family.
    pub fn segment(&mut self, pos: u32, els: &[&'a [u8]], strings: &mut Interner, notes: &mut Notes) {
        self.segments += 1;
        let s = Seg {
            pos,
            els,
            id: el(els, 0),
            q: trim(el(els, 1)),
        };
        if self.mode == Mode::SkipDetail
            && !matches!(s.id, b"HL" | b"IT1" | b"ITA" | b"TDS" | b"SLN" | b"TCD" | b"USD")
        {
            notes.note("in-detail", key_bytes(&[s.id]), pos, || {
                format!(
                    "segment {} inside an SLN/TCD/USD detail loop skipped: its money is already in the IT1 charge",
                    show(s.id)
                )
            });
            return;
        }
        match s.id {
            b"BIG" => self.big(&s, strings),
            b"REF" => self.reference(&s, strings, notes),
            b"DTM" => self.dtm(&s, notes),
            b"N1" => self.n1(&s, strings, notes),
            b"HL" => {
                self.close_it1(strings);
                self.hl(pos, els, notes);
            }
            b"SI" => self.si(&s, strings, notes),
            b"PID" => self.pid(&s, strings, notes),
            b"IT1" => self.it1(&s, strings),
            b"AMT" => self.amt(&s, notes),
            b"TXI" => self.txi(&s, strings),
            b"ITA" => self.ita(&s, strings, notes),
            b"SLN" | b"TCD" | b"USD" => {
                self.mode = Mode::SkipDetail;
                notes.note("detail", key_bytes(&[s.id]), pos, || {
                    format!(
                        "{} detail skipped: telaudit bills the IT1 charge it belongs to and never adds its amounts again",
                        show(s.id)
                    )
                });
            }
            b"TDS" => self.tds(&s, strings),
            _ => s.skip(notes, "telaudit does not read this segment"),
        }
    }

    /// BIG: the invoice date and number (one BIG per transaction).
    fn big(&mut self, s: &Seg<'_, 'a>, strings: &mut Interner) {
        let (pos, id, els) = (s.pos, s.id, s.els);
        if self.invoice.is_some() {
            self.fail(pos, id, "a second BIG in one transaction");
        }
        match parse_date(el(els, 1)) {
            Ok(d) => self.invoice_date = Some(d),
            Err(e) => self.fail(pos, id, format!("BIG01 invoice date {e}")),
        }
        let inv = trim(el(els, 2));
        if inv.is_empty() {
            self.fail(pos, id, "BIG02 invoice number is empty");
        }
        self.invoice = Some(strings.intern(&text(inv)));
    }

    /// REF: the account (REF*12, or REF*11) in the heading, or a sub-account
    /// (REF*12) in an HL level 2-3 loop.
    fn reference(&mut self, s: &Seg<'_, 'a>, strings: &mut Interner, notes: &mut Notes) {
        let q = s.q;
        let value = text(el(s.els, 2));
        if !self.in_detail && (q == b"12" || q == b"11") {
            let sym = Some(strings.intern(&value));
            if q == b"12" {
                self.ref12 = self.ref12.or(sym);
            } else {
                self.ref11 = self.ref11.or(sym);
            }
        } else if q == b"12" && self.pending.is_none() && matches!(self.level(), 2 | 3) {
            self.ctx_mut().account = Some(strings.intern(&value));
        } else {
            s.skip(
                notes,
                "telaudit reads REF*12/REF*11 in the heading and REF*12 in HL level 2-3 loops",
            );
        }
    }

    /// DTM*186/187: the service period's start and end, of the IT1 loop or the HL loop.
    fn dtm(&mut self, s: &Seg<'_, 'a>, notes: &mut Notes) {
        let q = s.q;
        if q != b"186" && q != b"187" {
            s.skip(notes, "telaudit reads only DTM*186/DTM*187 (service period)");
            return;
        }
        let d = match parse_date(el(s.els, 2)) {
            Ok(d) => d,
            Err(e) => return self.fail(s.pos, s.id, format!("DTM*{} date {e}", show(q))),
        };
        let target = match self.pending.as_mut() {
            Some(p) => &mut p.ctx,
            None => self.ctx_mut(),
        };
        if q == b"186" {
            target.start = Some(d);
        } else {
            target.end = Some(d);
        }
    }

    /// N1*SE/PE: the carrier's name (seller, or payee) in the heading.
    fn n1(&mut self, s: &Seg<'_, 'a>, strings: &mut Interner, notes: &mut Notes) {
        let q = s.q;
        if self.in_detail || (q != b"SE" && q != b"PE") {
            return s.skip(notes, "telaudit reads N1*SE and N1*PE in the heading");
        }
        let name = trim(el(s.els, 2));
        if name.is_empty() {
            return self.fail(s.pos, s.id, "N102 carrier name is empty");
        }
        let sym = Some(strings.intern(&text(name)));
        if q == b"SE" {
            self.carrier_se = self.carrier_se.or(sym);
        } else {
            self.carrier_pe = self.carrier_pe.or(sym);
        }
    }

    /// SI: the service id (TN telephone number or CI circuit id) of the IT1 loop or
    /// the HL loop.
    fn si(&mut self, s: &Seg<'_, 'a>, strings: &mut Interner, notes: &mut Notes) {
        let els = s.els;
        let mut service = None;
        let mut i = 2;
        while i < els.len() {
            let qual = trim(el(els, i));
            if qual == b"TN" || qual == b"CI" {
                service = Some(strings.intern(&text(el(els, i + 1))));
                break;
            }
            i += 2;
        }
        match service {
            Some(sv) => match self.pending.as_mut() {
                Some(p) => p.ctx.service = sv,
                None => self.ctx_mut().service = sv,
            },
            None => s.skip(notes, "no TN or CI service id in it"),
        }
    }

    /// PID*F: the description of an IT1 charge, or the bill section of an HL
    /// level 4-7 loop (which tells the charge type).
    fn pid(&mut self, s: &Seg<'_, 'a>, strings: &mut Interner, notes: &mut Notes) {
        if s.q != b"F" {
            s.skip(notes, "telaudit reads free-form PID*F only");
            return;
        }
        let t = strings.intern(&text(el(s.els, 5)));
        if let Some(p) = self.pending.as_mut() {
            p.desc = p.desc.or(Some(t));
        } else if (4..=7).contains(&self.level()) {
            let ty = section_type(strings.get(t));
            self.ctx_mut().section = Some(Section { ty, text: t });
        } else {
            s.skip(
                notes,
                "a PID*F outside an IT1 loop and outside HL level 4-7 loops has no meaning here",
            );
        }
    }

    /// IT1: opens a charge (its quantity, unit, unit price and code); the AMT, PID,
    /// TXI, DTM and SI that follow complete it until the loop closes.
    fn it1(&mut self, s: &Seg<'_, 'a>, strings: &mut Interner) {
        let (pos, id, els) = (s.pos, s.id, s.els);
        self.close_it1(strings);
        self.mode = Mode::Normal;
        self.charges += 1;
        let qty = match trim(el(els, 2)) {
            b"" => None,
            v => match parse_r(v) {
                Ok(m) => Some(m),
                Err(e) => return self.fail(pos, id, format!("IT102 quantity {e}")),
            },
        };
        let price = match trim(el(els, 4)) {
            b"" => None,
            v => match parse_r(v) {
                Ok(m) => Some(m),
                Err(e) => return self.fail(pos, id, format!("IT104 unit price {e}")),
            },
        };
        let unit = strings.intern(&text(el(els, 3)));
        let code = strings.intern(&text(el(els, 7)));
        self.pending = Some(PendingIt1 {
            pos,
            ctx: self.ctx(),
            qty,
            unit,
            price,
            code,
            amt: None,
            desc: None,
            taxes: Vec::new(),
        });
    }

    /// AMT*1: the amount of the open IT1 charge (one per loop).
    fn amt(&mut self, s: &Seg<'_, 'a>, notes: &mut Notes) {
        let Some(p) = self.pending.as_mut() else {
            return s.skip(notes, "telaudit reads AMT*1 inside an IT1 loop only");
        };
        if s.q != b"1" {
            return s.skip(notes, "telaudit reads AMT*1 (the charge amount) only");
        }
        if p.amt.is_some() {
            return self.fail(s.pos, s.id, "a second AMT*1 in one IT1 loop");
        }
        match parse_r(el(s.els, 2)) {
            Ok(m) => p.amt = Some(m),
            Err(e) => self.fail(s.pos, s.id, format!("AMT02 amount {e}")),
        }
    }

    /// TXI: a tax, of the open IT1 charge or (outside one) of the HL loop.
    fn txi(&mut self, s: &Seg<'_, 'a>, strings: &mut Interner) {
        let pos = s.pos;
        self.charges += 1;
        let code_b = trim(el(s.els, 1));
        let amount = match parse_r(el(s.els, 2)) {
            Ok(m) => m,
            Err(e) => return self.fail(pos, s.id, format!("TXI02 tax amount {e}")),
        };
        let code = strings.intern(&text(code_b));
        match self.pending.as_mut() {
            Some(p) => p.taxes.push((pos, code, amount)),
            None => {
                let ctx = self.ctx();
                self.push_tax(pos, ctx, code, amount, strings);
            }
        }
    }

    /// ITA*A/C: an allowance (a credit) or a charge (a fee) of the HL loop.
    fn ita(&mut self, s: &Seg<'_, 'a>, strings: &mut Interner, notes: &mut Notes) {
        let (pos, els) = (s.pos, s.els);
        self.close_it1(strings);
        self.mode = Mode::Normal;
        let (ty, sign) = match s.q {
            b"A" => (ChargeType::Credit, -1),
            b"C" => (ChargeType::Fee, 1),
            _ => return s.skip(notes, "telaudit reads ITA*A (allowance) and ITA*C (charge) only"),
        };
        self.charges += 1;
        let amount = match parse_n2(el(els, 7)) {
            Ok(m) => {
                if sign < 0 {
                    -m
                } else {
                    m
                }
            }
            Err(e) => return self.fail(pos, s.id, format!("ITA07 amount {e}")),
        };
        let code = strings.intern(&text(el(els, 3)));
        let desc = match trim(el(els, 13)) {
            b"" => code,
            d => strings.intern(&text(d)),
        };
        let ctx = self.ctx();
        self.drafts.push(Draft {
            pos,
            ctx,
            charge_type: ty,
            code,
            description: desc,
            quantity: Micros::ONE,
            unit_rate: None,
            amount,
            usage_quantity: None,
            usage_unit: Sym::EMPTY,
        });
    }

    /// TDS: the invoice's stated total (one per transaction), checked against the charges.
    fn tds(&mut self, s: &Seg<'_, 'a>, strings: &mut Interner) {
        self.close_it1(strings);
        self.mode = Mode::Normal;
        if self.tds.is_some() {
            return self.fail(s.pos, s.id, "a second TDS total in one transaction");
        }
        match parse_n2(el(s.els, 1)) {
            Ok(m) => self.tds = Some(m),
            Err(e) => self.fail(s.pos, s.id, format!("TDS01 total {e}")),
        }
    }

    fn hl(&mut self, pos: u32, els: &[&'a [u8]], notes: &mut Notes) {
        let id = b"HL".as_slice();
        // The HL loop ends any IT1 loop and detail loop before it.
        self.mode = Mode::Normal;
        self.in_detail = true;
        let own = trim(el(els, 1));
        let parent = trim(el(els, 2));
        let level_b = trim(el(els, 3));
        if own.is_empty() {
            return self.fail(pos, id, "HL01 id is empty");
        }
        if self.ids.contains_key(own) {
            return self.fail(pos, id, format!("HL id {} is used twice", show(own)));
        }
        let base = if parent.is_empty() {
            self.root
        } else {
            match self.ids.get(parent) {
                Some(&i) => self.nodes[i].ctx,
                None => {
                    return self.fail(
                        pos,
                        id,
                        format!(
                            "HL02 parent {} is not an earlier HL of this transaction",
                            show(parent)
                        ),
                    )
                }
            }
        };
        let level = match level_b {
            [c @ b'1'..=b'9'] => c - b'0',
            _ => {
                notes.note("hl-level", key_bytes(&[level_b]), pos, || {
                    format!(
                        "HL level code '{}' is not one of 1-9: the loop only passes its parent's values down",
                        show(level_b)
                    )
                });
                0
            }
        };
        self.nodes.push(Node { level, ctx: base });
        let i = self.nodes.len() - 1;
        self.ids.insert(own, i);
        self.current = Some(i);
    }

    fn push_tax(&mut self, pos: u32, ctx: Ctx, code: Sym, amount: Micros, strings: &mut Interner) {
        let d = tax_description(strings.get(code));
        let description = strings.intern(&d);
        self.drafts.push(Draft {
            pos,
            ctx,
            charge_type: ChargeType::Tax,
            code,
            description,
            quantity: Micros::ONE,
            unit_rate: None,
            amount,
            usage_quantity: None,
            usage_unit: Sym::EMPTY,
        });
    }

    /// Ends the open IT1 loop: its charge row, then its tax rows.
    pub fn close_it1(&mut self, strings: &mut Interner) {
        let Some(p) = self.pending.take() else { return };
        let ty = match p.ctx.section {
            Some(Section { ty: Some(t), .. }) => t,
            Some(Section { ty: None, text }) => {
                if self.odd_section.0 == 0 {
                    self.odd_section = (0, p.pos, text);
                }
                self.odd_section.0 += 1;
                ChargeType::Recurring
            }
            None => {
                if self.no_section.0 == 0 {
                    self.no_section.1 = p.pos;
                }
                self.no_section.0 += 1;
                ChargeType::Recurring
            }
        };
        let amount = match (p.amt, p.price) {
            (Some(a), _) => Some(a),
            (None, Some(price)) => {
                let q = p.qty.unwrap_or(Micros::ONE);
                let prod = i128::from(q.0) * i128::from(price.0);
                if prod % 1_000_000 != 0 {
                    self.fail(
                        p.pos,
                        b"IT1",
                        format!("quantity {q} x price {price} has more than 6 decimal places: give an AMT*1"),
                    );
                    None
                } else {
                    match i64::try_from(prod / 1_000_000) {
                        Ok(v) if v.unsigned_abs() < 1_000_000_000_000_000_000 => Some(Micros(v)),
                        _ => {
                            self.fail(
                                p.pos,
                                b"IT1",
                                format!("quantity {q} x price {price} is too large"),
                            );
                            None
                        }
                    }
                }
            }
            (None, None) => {
                self.fail(
                    p.pos,
                    b"IT1",
                    "no amount: neither an AMT*1 in its loop nor a unit price in IT104",
                );
                None
            }
        };
        let description = p
            .desc
            .filter(|d| !d.is_empty())
            .or(Some(p.code).filter(|c| !c.is_empty()))
            .or(p.ctx.section.map(|s| s.text))
            .unwrap_or(Sym::EMPTY);
        let (usage_quantity, usage_unit) = if ty == ChargeType::Usage {
            let unit = usage_unit(strings.get(p.unit)).to_string();
            (p.qty, strings.intern(&unit))
        } else {
            (None, Sym::EMPTY)
        };
        if let Some(amount) = amount {
            self.drafts.push(Draft {
                pos: p.pos,
                ctx: p.ctx,
                charge_type: ty,
                code: p.code,
                description,
                quantity: p.qty.unwrap_or(Micros::ONE),
                unit_rate: p.price,
                amount,
                usage_quantity,
                usage_unit,
            });
        }
        for (pos, code, amount) in p.taxes {
            self.push_tax(pos, p.ctx, code, amount, strings);
        }
    }

    fn refused(self) -> Outcome {
        let more = match self.more_errors {
            0 => String::new(),
            1 => " (and 1 more problem)".to_string(),
            n => format!(" (and {n} more problems)"),
        };
        let e = self.error.unwrap_or_default();
        Outcome::Refused {
            reason: format!("{e}{more}"),
            rows: self.charges,
        }
    }

    /// Refuses the transaction as it stands (no SE came).
    pub fn abandon(mut self, problem: String, strings: &mut Interner) -> Outcome {
        self.close_it1(strings);
        if self.error.is_some() {
            self.more_errors += 1;
        }
        self.error = Some(problem);
        self.refused()
    }

    /// Reads `SE` and decides: rows, or one refusal for the whole transaction.
    pub fn finish(
        mut self,
        pos: u32,
        els: &[&[u8]],
        file: FileId,
        strings: &mut Interner,
        notes: &mut Notes,
    ) -> Outcome {
        self.segments += 1;
        self.close_it1(strings);
        self.check_se(pos, els);
        if self.invoice.is_none() {
            self.fail_whole("no BIG segment (invoice date and number)".to_string());
        }
        let carrier = self.carrier_se.or(self.carrier_pe);
        if carrier.is_none() {
            self.fail_whole("no carrier: neither N1*SE nor N1*PE in the heading".to_string());
        }
        let (Some(invoice), Some(invoice_date), Some(carrier)) = (self.invoice, self.invoice_date, carrier)
        else {
            return self.refused();
        };
        let heading = Heading {
            carrier,
            account: self.ref12.or(self.ref11),
            invoice,
            invoice_date,
            file,
        };
        let drafts = std::mem::take(&mut self.drafts);
        let mut rows = Vec::with_capacity(drafts.len());
        for d in drafts {
            if let Some(row) = self.row(d, &heading) {
                rows.push(row);
            }
        }
        if self.error.is_some() {
            return self.refused();
        }
        self.note_sections(strings, notes);
        Outcome::Accepted {
            rows,
            total: self.tds,
            carrier,
            account: heading.account.unwrap_or(Sym::EMPTY),
            invoice,
        }
    }

    /// Checks SE01 (the segment count) and SE02 (the control number, as ST02's).
    fn check_se(&mut self, pos: u32, els: &[&[u8]]) {
        let id = b"SE".as_slice();
        let count = trim(el(els, 1));
        match std::str::from_utf8(count)
            .ok()
            .and_then(|c| c.parse::<u64>().ok())
        {
            Some(n) if n == self.segments => {}
            Some(n) => self.fail(
                pos,
                id,
                format!(
                    "SE01 says {n} segments but the transaction has {} (ST to SE inclusive)",
                    self.segments
                ),
            ),
            None => self.fail(
                pos,
                id,
                format!("SE01 segment count '{}' is not a number", show(count)),
            ),
        }
        let control = trim(el(els, 2));
        if control != trim(self.control) {
            self.fail(
                pos,
                id,
                format!(
                    "SE02 control number '{}' is not ST02's '{}'",
                    show(control),
                    show(self.control)
                ),
            );
        }
    }

    /// The row of one drafted charge, completed from the heading; None (and the
    /// transaction failed) without an account or a valid service period.
    fn row(&mut self, d: Draft, heading: &Heading) -> Option<Row> {
        let seg_id: &'static [u8] = match d.charge_type {
            ChargeType::Tax => b"IT1/TXI",
            ChargeType::Credit | ChargeType::Fee => b"ITA/IT1",
            _ => b"IT1",
        };
        let Some(account) = d.ctx.account.or(heading.account) else {
            self.fail(
                d.pos,
                seg_id,
                "no account: no REF*12 in its HL level 2-3 loops and no REF*12 or REF*11 in the heading",
            );
            return None;
        };
        let (Some(start), Some(end)) = (d.ctx.start, d.ctx.end) else {
            self.fail(
                d.pos,
                seg_id,
                "no service period: DTM*186 and DTM*187 are needed in the heading or its loops",
            );
            return None;
        };
        if end < start {
            self.fail(
                d.pos,
                seg_id,
                format!("service period ends ({end}) before it starts ({start})"),
            );
            return None;
        }
        Some(Row {
            carrier: heading.carrier,
            account,
            invoice: heading.invoice,
            service: d.ctx.service,
            charge_code: d.code,
            description: d.description,
            usage_unit: d.usage_unit,
            invoice_date: heading.invoice_date,
            period_start: start,
            period_end: end,
            charge_type: d.charge_type,
            quantity: d.quantity,
            unit_rate: d.unit_rate,
            amount: d.amount,
            usage_quantity: d.usage_quantity,
            source: SourceRef {
                file: heading.file,
                pos: d.pos,
            },
        })
    }

    /// The notes of an accepted transaction: charges read as recurring for want of
    /// a bill section that names their type.
    fn note_sections(&self, strings: &Interner, notes: &mut Notes) {
        let (n, first) = self.no_section;
        notes.note_many("no-section", n, first, || {
            "charge with no bill section (no PID*F in an HL level 4-7 loop above it): read as recurring"
                .to_string()
        });
        let (n, first, text) = self.odd_section;
        notes.note_many("odd-section", n, first, || {
            format!(
                "bill section '{}' names no charge type: its charges are read as recurring",
                strings.get(text)
            )
        });
    }
}

/// What every row of a transaction takes from its heading.
struct Heading {
    carrier: Sym,
    /// REF*12, else REF*11 (a loop's own REF*12 comes first).
    account: Option<Sym>,
    invoice: Sym,
    invoice_date: Date,
    file: FileId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_words() {
        assert_eq!(section_type("MONTHLY CHARGES"), Some(ChargeType::Recurring));
        assert_eq!(section_type("Credits"), Some(ChargeType::Credit));
        assert_eq!(section_type("One-Time Charges"), Some(ChargeType::OneTime));
        assert_eq!(
            section_type("OTHER CHARGES AND CREDITS"),
            Some(ChargeType::OneTime)
        );
        assert_eq!(section_type("Non-Recurring"), Some(ChargeType::OneTime));
        assert_eq!(section_type("USAGE CHARGES"), Some(ChargeType::Usage));
        assert_eq!(section_type("Taxes and Surcharges"), Some(ChargeType::Tax));
        assert_eq!(section_type("Regulatory Surcharges"), Some(ChargeType::Surcharge));
        assert_eq!(section_type("ADJUSTMENTS"), Some(ChargeType::Adjustment));
        assert_eq!(section_type("Late Fees"), Some(ChargeType::Fee));
        assert_eq!(section_type("Equipment"), None);
    }

    #[test]
    fn implied_decimals() {
        assert_eq!(parse_n2(b"20000"), Ok(Micros(200_000_000)));
        assert_eq!(parse_n2(b"-5"), Ok(Micros(-50_000)));
        assert!(parse_n2(b"200.00").is_err());
        assert!(parse_n2(b"").is_err());
        assert!(parse_n2(b"999999999999999999999").is_err());
    }
}
