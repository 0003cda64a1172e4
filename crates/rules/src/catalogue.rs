//! The carriers' catalogue (plans.csv) and the measured circuit load
//! (utilization.csv), indexed once per dump by carrier and code, so that PLN001,
//! POL001 and CIR001 never scan the whole catalogue per row (optimization.md
//! sections 3 and 3b).

use crate::index::{AccountInfo, Index, ServiceInfo};
use rustc_hash::FxHashMap;
use telaudit_model::{CatalogueEntry, ChargeType, Date, Dump, Micros, PlanKind, RowId, SourceRef, Sym};

/// plans.csv by carrier and code, and utilization.csv by circuit.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    /// (carrier, code, kind) -> the entries carrying it, in file order.
    by_code: FxHashMap<(Sym, Sym, PlanKind), Vec<u32>>,
    /// (carrier, kind) -> every entry of the carrier of that kind, in file order.
    by_carrier: FxHashMap<(Sym, PlanKind), Vec<u32>>,
    /// (carrier, service_id) -> its utilization lines, in file order.
    load: FxHashMap<(Sym, Sym), Vec<u32>>,
}

impl Catalogue {
    /// Indexes the dump's catalogue and utilization lines.
    pub fn build(dump: &Dump) -> Catalogue {
        let mut c = Catalogue::default();
        for (i, e) in dump.plans.iter().enumerate() {
            c.by_code
                .entry((e.carrier, e.code, e.kind))
                .or_default()
                .push(i as u32);
            c.by_carrier
                .entry((e.carrier, e.kind))
                .or_default()
                .push(i as u32);
        }
        for (i, u) in dump.utilization.iter().enumerate() {
            c.load.entry((u.carrier, u.service)).or_default().push(i as u32);
        }
        c
    }

    /// Whether the carrier sells anything of this kind.
    pub fn sells(&self, carrier: Sym, kind: PlanKind) -> bool {
        self.by_carrier.contains_key(&(carrier, kind))
    }

    /// Every entry of a carrier and kind, in file order.
    pub fn offers<'a>(
        &'a self,
        dump: &'a Dump,
        carrier: Sym,
        kind: PlanKind,
    ) -> impl Iterator<Item = &'a CatalogueEntry> + 'a {
        self.by_carrier
            .get(&(carrier, kind))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(move |&i| &dump.plans[i as usize])
    }

    /// Whether a code is a catalogue code of this carrier and kind.
    pub fn is_code(&self, carrier: Sym, code: Sym, kind: PlanKind) -> bool {
        self.by_code.contains_key(&(carrier, code, kind))
    }

    /// The entry a billed code stands for: of several with the code, the one on
    /// offer in `latest`, else the first in file order.
    pub fn entry<'d>(
        &self,
        dump: &'d Dump,
        carrier: Sym,
        code: Sym,
        kind: PlanKind,
        latest: Date,
    ) -> Option<&'d CatalogueEntry> {
        let ids = self.by_code.get(&(carrier, code, kind))?;
        let all = || ids.iter().map(|&i| &dump.plans[i as usize]);
        all().find(|e| e.on_offer(latest)).or_else(|| all().next())
    }

    /// A circuit's peak in a billed period (the largest p95 in or out over its
    /// lines whose period_start date lies from `start` to `end`, inclusive) and
    /// those lines; `None` when no line measures that period.
    pub fn peak(
        &self,
        dump: &Dump,
        carrier: Sym,
        service: Sym,
        start: Date,
        end: Date,
    ) -> Option<(Micros, Vec<SourceRef>)> {
        let ids = self.load.get(&(carrier, service))?;
        let mut peak: Option<Micros> = None;
        let mut lines = Vec::new();
        for &i in ids {
            let u = &dump.utilization[i as usize];
            if (start..=end).contains(&u.period_start) {
                let m = u.p95_in_mbps.max(u.p95_out_mbps);
                peak = Some(peak.map_or(m, |p| p.max(m)));
                lines.push(u.source);
            }
        }
        peak.map(|p| (p, lines))
    }
}

/// The service's plan row in its account's latest period: its one `recurring` row
/// of that period whose code is a catalogue code of `kind`; `None` when it has none
/// or two or more different ones (a person must look first), and for a `plan` or
/// a `pool` when the period also holds a plan row of the other of those two kinds
/// (optimization.md section 3b: neither PLN001 nor POL001 judges it). A DUP001
/// copy is not a plan row: it is a one-time billing error (formats.md section 6)
/// that DUP001 claims, so a duplicated plan charge leaves the original as the plan
/// row, and removing the copy changes nothing here.
pub(crate) fn plan_row(
    dump: &Dump,
    ix: &Index,
    svc: &ServiceInfo,
    acc: &AccountInfo,
    kind: PlanKind,
) -> Option<RowId> {
    let latest = acc.latest()?;
    let other = match kind {
        PlanKind::Plan => Some(PlanKind::Pool),
        PlanKind::Pool => Some(PlanKind::Plan),
        PlanKind::Circuit => None,
    };
    let mut found = None;
    for &r in &svc.rows {
        let row = &dump.rows[r as usize];
        if row.charge_type != ChargeType::Recurring || row.period_start != latest || ix.is_copy(r) {
            continue;
        }
        if other.is_some_and(|o| ix.catalogue.is_code(acc.carrier, row.charge_code, o)) {
            return None;
        }
        if ix.catalogue.is_code(acc.carrier, row.charge_code, kind) {
            if found.is_some() {
                return None;
            }
            found = Some(r);
        }
    }
    found
}

/// How a finding names a plan or tier: its code, and its name when it has one.
pub(crate) fn label(dump: &Dump, e: &CatalogueEntry) -> String {
    if e.name.is_empty() {
        dump.s(e.code).to_string()
    } else {
        format!("{} ({})", dump.s(e.code), e.name)
    }
}
