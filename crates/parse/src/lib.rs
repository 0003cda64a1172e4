//! Reads a client folder into a [`telaudit_model::Dump`].

mod edi;
mod parsed;

pub use edi::read_edi;
pub use parsed::ParsedFile;
