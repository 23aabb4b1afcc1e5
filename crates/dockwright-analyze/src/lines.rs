//! Lines of a Dockerfile as the user sees them: its own lines, or for an inline Dockerfile
//! the lines of the YAML/compose file that holds it.

use dockwright_project::InlineDockerfile;
use dockwright_syntax::LineIndex;

/// Maps a 1-based line of the Dockerfile text to a line of the defining file.
#[derive(Debug, Clone, Default)]
pub enum LineMap {
    /// The Dockerfile is a file of its own.
    #[default]
    Identity,
    /// `lines[n - 1]` is where line `n` of the inline text starts in the defining file.
    Inline(Vec<usize>),
}

impl LineMap {
    /// The map of an inline Dockerfile.
    pub fn inline(inline: &InlineDockerfile) -> LineMap {
        let index = LineIndex::new(inline.text.as_bytes());
        let lines = (1..=index.line_count())
            .map(|l| {
                let start = index.line_start(l).unwrap_or(0);
                inline.position(start).line
            })
            .collect();
        LineMap::Inline(lines)
    }

    /// The defining file's line of line `line` of the Dockerfile text.
    pub fn file_line(&self, line: usize) -> usize {
        match self {
            LineMap::Identity => line,
            LineMap::Inline(lines) => line
                .checked_sub(1)
                .and_then(|i| lines.get(i))
                .or(lines.last())
                .copied()
                .unwrap_or(line),
        }
    }
}
