//! Synthetic dumps.
