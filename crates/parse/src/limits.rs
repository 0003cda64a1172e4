//! A bound every reader's rows are held to, so that the arithmetic the rules and
//! totals do on them can never overflow.
//!
//! Amounts, rates and quantities have at most 12 integer digits (`Micros::parse`),
//! but the product of two of them, `quantity x unit_rate`, can reach 10^24: far
//! beyond any bill, and beyond what exact decimal sums hold (RAT001 sums such
//! products per finding). A row whose `quantity x unit_rate` exceeds
//! [`MAX_EXTENSION`] (10^15, a thousand trillion) is refused with its file and
//! line (or segment); every other figure stays below 10^12 per row.

use crate::ParsedFile;
use telaudit_model::{Position, Rejection, RowIdx};

/// The largest `|quantity x unit_rate|` a row may have, in currency units.
pub(crate) const MAX_EXTENSION: i128 = 1_000_000_000_000_000;

/// Moves the rows of `p` whose `quantity x unit_rate` is beyond [`MAX_EXTENSION`]
/// to `p.rejected` (X12 rows are named by segment), keeping the X12 unbalanced
/// invoices' row ranges pointing at the same rows.
pub(crate) fn refuse_out_of_range(p: &mut ParsedFile, path: &str, edi: bool) {
    // Millionths x millionths: 10^12 per unit.
    let limit = MAX_EXTENSION * 1_000_000_000_000;
    let too_big = |r: &telaudit_model::Row| {
        r.unit_rate
            .is_some_and(|u| (i128::from(r.quantity.0) * i128::from(u.0)).abs() > limit)
    };
    if !p.rows.iter().any(too_big) {
        return;
    }
    // removed_before[i]: rows refused among the first i.
    let mut removed_before: Vec<RowIdx> = Vec::with_capacity(p.rows.len() + 1);
    let mut removed: RowIdx = 0;
    let mut kept = Vec::with_capacity(p.rows.len());
    for r in std::mem::take(&mut p.rows) {
        removed_before.push(removed);
        if too_big(&r) {
            removed += 1;
            let pos = u64::from(r.source.pos);
            p.rejected.push(Rejection {
                file: path.to_string(),
                position: if edi {
                    Position::Segment(pos)
                } else {
                    Position::Line(pos)
                },
                reason: format!(
                    "quantity {} x unit_rate {} is beyond any bill (more than 10^15); check the \
                     quantity and unit_rate",
                    r.quantity,
                    r.unit_rate.unwrap_or_default()
                ),
                rows: 1,
            });
        } else {
            kept.push(r);
        }
    }
    removed_before.push(removed);
    p.rows = kept;
    let at = |i: RowIdx| i - removed_before.get(i as usize).copied().unwrap_or(removed);
    for u in &mut p.unbalanced {
        u.rows = at(u.rows.start)..at(u.rows.end);
    }
    p.rejected.sort_by_key(|j| j.position);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_canonical_csv;
    use telaudit_model::FileId;

    const HEADER: &str = "carrier,account,invoice,invoice_date,period_start,period_end,service_id,\
                          charge_type,charge_code,description,quantity,unit_rate,amount,usage_quantity,usage_unit\n";

    fn row(q: &str, u: &str) -> String {
        format!("A,1,I,2025-01-05,2025-01-01,2025-01-31,S,usage,C,D,{q},{u},5,,\n")
    }

    #[test]
    fn refuses_only_products_beyond_the_bound() {
        let text = format!(
            "{HEADER}{}{}{}{}{}",
            row("999999999999.999999", "999999999999.999999"),
            row("1000000", "1000000000"),
            row("1000000", "1000000000.000001"),
            row("-1000000", "1000000000.000001"),
            row("999999999999", ""),
        );
        let mut p = read_canonical_csv(text.as_bytes(), FileId(1), "f.csv");
        assert_eq!(p.rows.len(), 5);
        refuse_out_of_range(&mut p, "f.csv", false);
        let lines: Vec<u32> = p.rows.iter().map(|r| r.source.pos).collect();
        assert_eq!(lines, vec![3, 6]);
        let refused: Vec<Position> = p.rejected.iter().map(|j| j.position).collect();
        assert_eq!(
            refused,
            vec![Position::Line(2), Position::Line(4), Position::Line(5)]
        );
        assert!(p.rejected[1]
            .reason
            .contains("quantity 1000000 x unit_rate 1000000000.000001 is beyond any bill"));
    }

    #[test]
    fn unbalanced_ranges_follow_their_rows() {
        let text = format!(
            "{HEADER}{}{}{}{}",
            row("1", "1"),
            row("1e0", "1"),
            row("999999999999", "999999999999"),
            row("2", "2")
        );
        let mut p = read_canonical_csv(text.as_bytes(), FileId(1), "f.csv");
        // Rows now: lines 2, 4, 5 (line 3 was refused by the reader).
        assert_eq!(p.rows.len(), 3);
        p.unbalanced.push(telaudit_model::UnbalancedInvoice {
            carrier: telaudit_model::Sym::EMPTY,
            account: telaudit_model::Sym::EMPTY,
            invoice: telaudit_model::Sym::EMPTY,
            stated: telaudit_model::Micros(0),
            computed: telaudit_model::Micros(1),
            source: p.rows[0].source,
            rows: 1..3,
        });
        refuse_out_of_range(&mut p, "f.csv", true);
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.unbalanced[0].rows, 1..2);
        assert_eq!(p.rows[1].source.pos, 5);
        assert!(p.rejected.iter().any(|j| j.position == Position::Segment(4)));
    }
}
