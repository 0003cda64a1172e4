//! `not_in_inventory` (ZOM001).

use crate::index::{Index, ServiceInfo};
use crate::kinds::{Kind, KindDef};
use crate::util::{money, row_claim, Draft};
use rustc_hash::FxHashSet;
use std::sync::Arc;
use telaudit_model::{Change, ChargeType, Decimal, Dump, Finding, SourceKind, Sym};

/// This kind's entry in the registry ([`crate::kinds::REGISTRY`]).
pub const KIND: KindDef = KindDef {
    name: "not_in_inventory",
    heading: " (ZOM001)",
    params: &[],
    note: "No parameters: it reads inventory.csv, and runs only when it exists.",
    key: "none beyond the service: the rule id, carrier, account and service_id (one finding per service)",
    read: |_| Ok(Arc::new(NotInInventory)),
};

/// ## What it does
/// Finds services still billed that the client's own inventory has never heard of
/// (optimization.md section 3). When inventory.csv exists and lists at least one
/// service of the carrier: a service (non-empty service_id) with a `recurring` row
/// in its account's latest period that no inventory line matches (carrier and
/// service_id equal, and account equal where the line names one). A refused
/// inventory line that names the carrier and the service_id still counts as
/// tracking it: the client knows the service. Monthly = its positive recurring
/// rows of the latest period that are not DUP001 copies, summed, as billed (what stops when it is
/// cancelled); recoverable is 0. The finding tells the analyst to confirm before
/// cancelling.
///
/// Evidence: the recurring rows of the latest period.
///
/// ## Finding key
/// The rule id, carrier, account and service_id: one finding per service, so
/// nothing more is needed ([`KindDef::key`]).
///
/// ## Why is this bad
/// A service nobody tracks is often a "zombie": a line of a person who left, a
/// circuit of a closed site. Nobody notices its bill, so it is paid every month.
/// It may also be a live service the inventory forgot, hence: confirm first.
///
/// ## Example
/// The fixture `crates/rules/tests/fixtures/not_in_inventory/` is this example.
///
/// inventory.csv lists 555-0100 (carrier V, account 100) and 555-0300 (carrier V,
/// no account: every account). In the latest period 2025-02-01:
///
/// | service | recurring rows | found |
/// |---|---|---|
/// | 555-0100 | 45.00 | no: listed |
/// | 555-0200 | 45.00 and a -5.00 credit-like adjustment on a recurring row | yes: monthly 45.00 |
/// | 555-0300 (account 300) | 30.00 | no: the line without account matches every account |
/// | 555-0400 (carrier W) | 20.00 | no: the inventory lists no service of W |
#[derive(Clone, Debug)]
pub struct NotInInventory;

/// What the inventory knows: the carriers it lists, and its lines by carrier and
/// service (any account) or by carrier, account and service. ZOM001's definition
/// of an untracked service, shared: a pool leaves such services out
/// (optimization.md section 3b), whether or not ZOM001 runs.
pub(crate) struct Tracked {
    carriers: FxHashSet<Sym>,
    any_account: FxHashSet<(Sym, Sym)>,
    with_account: FxHashSet<(Sym, Sym, Sym)>,
}

impl Tracked {
    /// The client's inventory, or `None` without inventory.csv (then no service
    /// is untracked).
    pub(crate) fn read(dump: &Dump) -> Option<Tracked> {
        dump.files
            .iter()
            .any(|f| f.kind == SourceKind::Inventory)
            .then(|| Tracked::of(dump))
    }

    /// Whether a service of an account is untracked: the inventory lists some
    /// service of its carrier, but no line matches it. (ZOM001 also needs a
    /// `recurring` row in the latest period, which a plan row is.)
    pub(crate) fn untracked(&self, carrier: Sym, account: Sym, service: Sym) -> bool {
        !service.is_empty() && self.carriers.contains(&carrier) && !self.knows(carrier, account, service)
    }

    fn of(dump: &Dump) -> Tracked {
        let mut t = Tracked {
            carriers: FxHashSet::default(),
            any_account: FxHashSet::default(),
            with_account: FxHashSet::default(),
        };
        let lines = dump.inventory.iter().map(|i| (i.carrier, i.account, i.service));
        let mentions = dump.inventory_mentions.iter().map(|m| (m.carrier, m.account, m.service));
        for (carrier, account, service) in lines.chain(mentions) {
            t.carriers.insert(carrier);
            if account.is_empty() {
                t.any_account.insert((carrier, service));
            } else {
                t.with_account.insert((carrier, account, service));
            }
        }
        t
    }

    fn knows(&self, carrier: Sym, account: Sym, service: Sym) -> bool {
        self.any_account.contains(&(carrier, service)) || self.with_account.contains(&(carrier, account, service))
    }
}

impl NotInInventory {
    fn check(id: &str, dump: &Dump, ix: &Index, svc: &ServiceInfo) -> Option<Finding> {
        let acc = ix.acc(svc.acc);
        let latest = acc.latest()?;
        let mut draft = Draft::new(acc.carrier, acc.account, svc.service);
        let mut monthly = Decimal::ZERO;
        let mut codes: Vec<&str> = Vec::new();
        for &r in &svc.rows {
            let row = &dump.rows[r as usize];
            if row.charge_type != ChargeType::Recurring || row.period_start != latest {
                continue;
            }
            draft.rows.push(r);
            let code = dump.s(row.charge_code);
            if !codes.contains(&code) {
                codes.push(code);
            }
            // A copy (a row DUP001 claims) is a one-time error, not a monthly cost.
            if row.amount.is_positive() && !ix.is_copy(r) {
                let amount = row.amount.to_decimal();
                monthly += amount;
                draft.claims.push(row_claim(r, Decimal::ZERO, amount));
            }
        }
        if draft.rows.is_empty() {
            return None;
        }
        let text = format!(
            "billed {} a month in recurring charges but not in inventory.csv: confirm with its owner \
             that nobody uses it before cancelling",
            money(monthly)
        );
        let mut f = draft.finish(id, dump, text);
        f.change = Some(Change {
            action: telaudit_model::Action::Cancel,
            from: codes.join(" + "),
            to: "cancel".to_string(),
            pool: None,
        });
        Some(f)
    }
}

impl Kind for NotInInventory {
    fn run(&self, id: &str, dump: &Dump, ix: &Index) -> Vec<Finding> {
        let Some(tracked) = Tracked::read(dump) else {
            return Vec::new();
        };
        ix.services
            .iter()
            .filter(|svc| {
                let acc = ix.acc(svc.acc);
                tracked.untracked(acc.carrier, acc.account, svc.service)
            })
            .filter_map(|svc| Self::check(id, dump, ix, svc))
            .collect()
    }
}
