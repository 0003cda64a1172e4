//! X12 811 reading: not written yet (issue 3). Files that look like EDI are refused whole.

use crate::ParsedFile;
use telaudit_model::{FileId, Position, Rejection};

/// Reads one X12 811 file into canonical rows.
pub fn read_edi(_bytes: &[u8], _file: FileId, path: &str) -> ParsedFile {
    ParsedFile {
        rejected: vec![Rejection {
            file: path.to_string(),
            position: Position::File,
            reason: "X12 811 files are not read by this version of telaudit".to_string(),
            rows: 0,
        }],
        ..ParsedFile::default()
    }
}
