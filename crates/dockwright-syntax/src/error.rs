//! Parse errors: what BuildKit's parser rejects, located in the file.

use serde::Serialize;

/// Why a Dockerfile was rejected, and where. Displays as `LINE:COLUMN: message`; prefix the
/// file name for the usual `FILE:LINE:COLUMN: message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ParseError {
    /// What is wrong (BuildKit's wording where it has one).
    pub message: String,
    /// Byte offset of the problem.
    pub offset: usize,
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column (in characters) of the problem.
    pub column: usize,
}
