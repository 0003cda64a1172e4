//! Totals and outputs.
