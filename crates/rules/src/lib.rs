//! The waste rules.
