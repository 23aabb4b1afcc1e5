//! Byte spans in a script and their way back to the Dockerfile.
//!
//! The parser hands out [`Span`]s into the script text it was given. A script taken from a
//! Dockerfile is not a slice of the file: the Dockerfile parser joined continuation lines and
//! dropped comment lines, so the caller also passes an [`OffsetMap`] from script bytes to file
//! bytes, and a [`LineIndex`] of the file turns those into lines and columns.

use std::fmt;
use std::ops::Range;

use serde::{Serialize, Serializer};

/// A half-open byte range `start..end` in the script text.
///
/// Spans of commands found inside `sh -c '...'` strings or backquotes are already translated
/// to the outer script, so every span in a [`crate::Script`] indexes the text that was parsed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    #[must_use]
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// An empty span at `offset`.
    #[must_use]
    pub const fn empty(offset: usize) -> Self {
        Self {
            start: offset,
            end: offset,
        }
    }

    /// Number of bytes covered.
    #[must_use]
    pub const fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers no byte.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.end <= self.start
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn cover(self, other: Self) -> Self {
        Self {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Whether `other` lies within this span.
    #[must_use]
    pub const fn contains(self, other: Self) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The span as a range, for slicing the script text.
    #[must_use]
    pub const fn range(self) -> Range<usize> {
        self.start..self.end
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl Serialize for Span {
    /// Serialised as the string `"start..end"`: one short line in JSON and snapshots.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One contiguous run of bytes: `len` bytes starting at `text` in the script are the bytes
/// starting at `source` in the file (or in an enclosing script).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// Offset in the script text.
    pub text: usize,
    /// Offset in the source the text was taken from.
    pub source: usize,
    /// Number of bytes.
    pub len: usize,
}

/// Maps byte offsets in a script to byte offsets in the file the script was taken from.
///
/// Built from the Dockerfile parser's `(text_offset, file_offset, len)` triples, or from a
/// single base offset for contiguous text such as a heredoc body. Offsets not covered by any
/// segment (there should be none) map to the end of the segment before them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OffsetMap {
    segments: Vec<Segment>,
}

impl OffsetMap {
    /// A map from `(text_offset, file_offset, len)` triples; order does not matter, empty
    /// triples are dropped.
    #[must_use]
    pub fn new(triples: impl IntoIterator<Item = (usize, usize, usize)>) -> Self {
        let mut segments: Vec<Segment> = triples
            .into_iter()
            .filter(|&(_, _, len)| len > 0)
            .map(|(text, source, len)| Segment { text, source, len })
            .collect();
        segments.sort_by_key(|s| s.text);
        Self { segments }
    }

    /// A map for text that is a contiguous slice of the file starting at `file_offset`.
    #[must_use]
    pub fn contiguous(file_offset: usize) -> Self {
        Self {
            segments: vec![Segment {
                text: 0,
                source: file_offset,
                len: usize::MAX - file_offset,
            }],
        }
    }

    pub(crate) fn from_segments(segments: Vec<Segment>) -> Self {
        Self { segments }
    }

    /// The segments, sorted by text offset.
    #[must_use]
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The file offset of the script byte at `text_offset`.
    #[must_use]
    pub fn file_offset(&self, text_offset: usize) -> usize {
        offset_through(&self.segments, text_offset)
    }

    /// The file byte range of a script span. The end is mapped through the last byte of the
    /// span, so a span ending just before a joined continuation does not take the removed
    /// `\` and newline with it.
    #[must_use]
    pub fn file_range(&self, span: Span) -> Range<usize> {
        range_through(&self.segments, span)
    }

    /// Translates a span through this map (used to move spans of a nested script into the
    /// script that contains it).
    #[must_use]
    pub fn map_span(&self, span: Span) -> Span {
        let range = self.file_range(span);
        Span::new(range.start, range.end)
    }
}

/// Maps an offset through sorted segments (see [`OffsetMap::file_offset`]).
pub(crate) fn offset_through(segments: &[Segment], offset: usize) -> usize {
    let idx = segments.partition_point(|s| s.text <= offset);
    if idx == 0 {
        return segments.first().map_or(offset, |first| first.source);
    }
    let seg = segments[idx - 1];
    let within = offset - seg.text;
    if within < seg.len {
        seg.source + within
    } else {
        seg.source + seg.len
    }
}

/// Maps a span through sorted segments (see [`OffsetMap::file_range`]).
pub(crate) fn range_through(segments: &[Segment], span: Span) -> Range<usize> {
    let start = offset_through(segments, span.start);
    if span.end <= span.start {
        return start..start;
    }
    let end = offset_through(segments, span.end - 1) + 1;
    start..end.max(start)
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LineColumn {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// Line starts of a text (the Dockerfile), to turn byte offsets into lines and columns.
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`. Lines end at `\n`; a `\r` before it belongs to the line.
    #[must_use]
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Self { text, starts }
    }

    /// Line and column of the byte at `offset` (clamped to the end of the text; an offset
    /// inside a multi-byte character counts as that character).
    #[must_use]
    pub fn line_column(&self, offset: usize) -> LineColumn {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = self.text.as_bytes()[start..offset]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count()
            + 1;
        LineColumn { line, column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_continuation_maps_back_to_both_lines() {
        // Dockerfile: "RUN a \\\n    b\n"; the parser joins to "a     b" (text) with
        // segments: "a " from offset 4, "    b" from offset 8.
        let file = "RUN a \\\n    b\n";
        let map = OffsetMap::new([(0, 4, 2), (2, 8, 5)]);
        assert_eq!(map.file_offset(0), 4);
        assert_eq!(map.file_offset(1), 5);
        assert_eq!(map.file_offset(6), 12);
        assert_eq!(&file[map.file_range(Span::new(6, 7))], "b");
        // A span over the join covers the continuation in the file.
        assert_eq!(&file[map.file_range(Span::new(0, 7))], "a \\\n    b");
        let lines = LineIndex::new(file);
        assert_eq!(
            lines.line_column(map.file_offset(6)),
            LineColumn { line: 2, column: 5 }
        );
    }

    #[test]
    fn contiguous_map_is_a_shift() {
        let map = OffsetMap::contiguous(100);
        assert_eq!(map.file_offset(0), 100);
        assert_eq!(map.file_range(Span::new(3, 9)), 103..109);
        assert_eq!(map.file_range(Span::empty(5)), 105..105);
    }

    #[test]
    fn offsets_past_the_last_segment_clamp_to_its_end() {
        let map = OffsetMap::new([(0, 10, 3)]);
        assert_eq!(map.file_offset(3), 13);
        assert_eq!(map.file_offset(50), 13);
    }

    #[test]
    fn columns_count_characters() {
        let text = "ab\nüx\n";
        let lines = LineIndex::new(text);
        assert_eq!(lines.line_column(0), LineColumn { line: 1, column: 1 });
        assert_eq!(lines.line_column(5), LineColumn { line: 2, column: 2 });
        assert_eq!(lines.line_column(99), LineColumn { line: 3, column: 1 });
    }

    #[test]
    fn span_serialises_as_a_range_string() {
        assert_eq!(serde_json::to_string(&Span::new(3, 7)).unwrap(), "\"3..7\"");
    }
}
