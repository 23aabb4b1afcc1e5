//! Byte spans, line/column positions and the map from joined instruction text back to the
//! file.

use serde::Serialize;

/// A half-open byte range `start..end` into the parsed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// Length in bytes.
    pub const fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether the span covers no byte.
    pub const fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// The bytes of `source` this span covers (empty if it does not fit).
    pub fn slice<'s>(&self, source: &'s [u8]) -> &'s [u8] {
        source.get(self.start..self.end).unwrap_or_default()
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A 1-based line and column. Lines are counted as BuildKit counts them (every `\n` ends a
/// line); the column counts characters, so a tab or a multi-byte character is one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// The start offset of every line of a file, for turning byte offsets into positions.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `source`. A UTF-8 byte-order mark is not part of line 1's columns.
    pub fn new(source: &[u8]) -> Self {
        let bom = if source.starts_with(crate::BOM) { 3 } else { 0 };
        let mut starts = Vec::with_capacity(source.len() / 32 + 1);
        starts.push(bom);
        starts.extend(memchr::memchr_iter(b'\n', source).map(|i| i + 1));
        LineIndex {
            starts,
            len: source.len(),
        }
    }

    /// Number of lines (a final line without a newline counts; an empty last line after a
    /// final newline does too).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte offset where the 1-based `line` starts, if there is such a line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        line.checked_sub(1)
            .and_then(|i| self.starts.get(i))
            .copied()
    }

    /// The 1-based line holding byte `offset` (offsets past the end belong to the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i.max(1),
        }
    }

    /// Line and column of byte `offset` in `source` (the file this index was built from).
    pub fn position(&self, source: &[u8], offset: usize) -> Position {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = self.starts.get(line - 1).copied().unwrap_or(0).min(offset);
        let before = source.get(start..offset).unwrap_or_default();
        let column = before.iter().filter(|&&b| (b & 0xC0) != 0x80).count() + 1;
        Position { line, column }
    }
}

/// One piece of an instruction's joined text that is a contiguous run of the file:
/// bytes `text_offset..text_offset+len` of the text are the file's bytes
/// `file_offset..file_offset+len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Segment {
    /// Offset in the joined text.
    pub text_offset: usize,
    /// Offset in the file.
    pub file_offset: usize,
    /// Length in bytes.
    pub len: usize,
}

/// Zero, one (stored inline, the common case of a one-line instruction) or many items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Small<T> {
    /// One item, no allocation.
    One(T),
    /// Any number of items.
    Many(Vec<T>),
}

impl<T> Default for Small<T> {
    fn default() -> Self {
        Small::Many(Vec::new())
    }
}

impl<T> Small<T> {
    pub(crate) fn push(&mut self, item: T) {
        match self {
            Small::Many(v) if v.is_empty() => *self = Small::One(item),
            Small::Many(v) => v.push(item),
            Small::One(_) => {
                if let Small::One(first) = std::mem::take(self) {
                    let mut many = Vec::with_capacity(8);
                    many.push(first);
                    many.push(item);
                    *self = Small::Many(many);
                }
            }
        }
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        match self {
            Small::One(item) => std::slice::from_ref(item),
            Small::Many(v) => v,
        }
    }

    pub(crate) fn last(&self) -> Option<&T> {
        self.as_slice().last()
    }
}

/// Maps offsets of a joined (continuation-free) text back to file offsets. Segments are
/// sorted by `text_offset`, do not overlap and are never empty; together they cover every
/// byte of the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    segments: Small<Segment>,
}

impl Serialize for OffsetMap {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.segments())
    }
}

impl OffsetMap {
    /// A map from segments sorted by `text_offset`; empty segments are dropped.
    pub fn new(segments: Vec<Segment>) -> Self {
        let mut map = OffsetMap::default();
        for s in segments {
            map.push(s);
        }
        map
    }

    /// Appends a segment (dropped if empty); it must follow the previous ones.
    pub(crate) fn push(&mut self, segment: Segment) {
        if segment.len > 0 {
            self.segments.push(segment);
        }
    }

    /// The segments, sorted by text offset.
    pub fn segments(&self) -> &[Segment] {
        self.segments.as_slice()
    }

    /// The segments as `(text_offset, file_offset, len)` triples.
    pub fn triples(&self) -> Vec<(usize, usize, usize)> {
        self.segments()
            .iter()
            .map(|s| (s.text_offset, s.file_offset, s.len))
            .collect()
    }

    /// Length of the text this map covers.
    pub fn text_len(&self) -> usize {
        self.segments.last().map_or(0, |s| s.text_offset + s.len)
    }

    /// File offset of text offset `offset`. An offset at the very end of the text maps to
    /// just past the last mapped byte.
    pub fn to_file(&self, offset: usize) -> usize {
        let segments = self.segments();
        let idx = segments.partition_point(|s| s.text_offset + s.len <= offset);
        match segments.get(idx) {
            Some(s) if offset >= s.text_offset => s.file_offset + (offset - s.text_offset),
            Some(s) => s.file_offset,
            None => segments.last().map_or(0, |s| s.file_offset + s.len),
        }
    }

    /// File span covering text range `start..end`: from the file offset of its first byte to
    /// just past the file offset of its last byte. An empty range maps to an empty span.
    pub fn to_file_span(&self, start: usize, end: usize) -> Span {
        if end <= start {
            let at = self.to_file(start);
            return Span::new(at, at);
        }
        let first = self.to_file(start);
        let last = self.to_file(end - 1);
        Span::new(first, last + 1)
    }

    /// The part of this map that covers text range `start..end`, rebased so that `start`
    /// becomes offset 0.
    pub fn slice(&self, start: usize, end: usize) -> OffsetMap {
        let mut out = OffsetMap::default();
        for s in self.segments() {
            let a = s.text_offset.max(start);
            let b = (s.text_offset + s.len).min(end);
            if a < b {
                out.push(Segment {
                    text_offset: a - start,
                    file_offset: s.file_offset + (a - s.text_offset),
                    len: b - a,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let src = "ab\né x\n".as_bytes();
        let idx = LineIndex::new(src);
        assert_eq!(idx.position(src, 0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(src, 3), Position { line: 2, column: 1 });
        assert_eq!(idx.position(src, 6), Position { line: 2, column: 3 });
        assert_eq!(idx.line_count(), 3);
    }

    #[test]
    fn bom_is_not_a_column() {
        let src = b"\xef\xbb\xbfFROM x";
        let idx = LineIndex::new(src);
        assert_eq!(idx.position(src, 3), Position { line: 1, column: 1 });
    }

    #[test]
    fn offset_map_round_trips() {
        let map = OffsetMap::new(vec![
            Segment {
                text_offset: 0,
                file_offset: 10,
                len: 4,
            },
            Segment {
                text_offset: 4,
                file_offset: 20,
                len: 3,
            },
        ]);
        assert_eq!(map.to_file(0), 10);
        assert_eq!(map.to_file(3), 13);
        assert_eq!(map.to_file(4), 20);
        assert_eq!(map.to_file(7), 23);
        assert_eq!(map.to_file_span(2, 6), Span::new(12, 22));
        let sub = map.slice(2, 6);
        assert_eq!(sub.triples(), vec![(0, 12, 2), (2, 20, 2)]);
    }
}
