//! Dockerfiles written inside another file (a YAML block scalar, a quoted string, an HCL
//! heredoc) and the map from each byte of the extracted text back to the defining file, so a
//! diagnostic on the inline Dockerfile points at the defining file's own line and column.

use std::path::PathBuf;

use dockwright_syntax::{LineIndex, OffsetMap, Position, Segment, Span};
use saphyr_parser::ScalarStyle;
use serde::Serialize;

/// A run of the extracted text and where it came from.
///
/// A `verbatim` segment is a copy of the file's bytes `file_offset..file_offset+len` (it may
/// hold line breaks: positions inside it are counted through them). A segment that is not
/// verbatim was produced by decoding (an escape sequence, a folded line break) and every byte of
/// it maps to `file_offset`, the start of what produced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InlineSegment {
    /// Offset of the segment in the extracted text.
    pub text_offset: usize,
    /// Offset in the defining file.
    pub file_offset: usize,
    /// Length in bytes of the extracted text.
    pub len: usize,
    /// 1-based line of `file_offset` in the defining file.
    pub line: usize,
    /// 1-based column (characters) of `file_offset` in the defining file.
    pub column: usize,
    /// Whether the text is the file's bytes unchanged.
    pub verbatim: bool,
}

/// A Dockerfile whose text lives inside another file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InlineDockerfile {
    /// The defining file, relative to the discovery root.
    pub file: PathBuf,
    /// The Dockerfile text, as the tool that builds it sees it.
    pub text: String,
    /// Where the text starts in the defining file (for an empty text, where it would be).
    pub start: Position,
    /// Byte offset of `start`.
    pub start_offset: usize,
    /// The map from text offsets to file offsets, sorted by `text_offset`, covering the text.
    pub segments: Vec<InlineSegment>,
}

impl InlineDockerfile {
    /// Byte offset in the defining file of byte `offset` of the text (the end of the text
    /// maps just past its last byte).
    pub fn file_offset(&self, offset: usize) -> usize {
        let Some(seg) = self.segment_at(offset) else {
            return self.start_offset;
        };
        if seg.verbatim {
            seg.file_offset + offset.clamp(seg.text_offset, seg.text_offset + seg.len)
                - seg.text_offset
        } else {
            seg.file_offset
        }
    }

    /// Line and column in the defining file of byte `offset` of the text.
    pub fn position(&self, offset: usize) -> Position {
        let Some(seg) = self.segment_at(offset) else {
            return self.start;
        };
        if !seg.verbatim {
            return Position {
                line: seg.line,
                column: seg.column,
            };
        }
        let end = offset.clamp(seg.text_offset, seg.text_offset + seg.len);
        let bytes = self
            .text
            .as_bytes()
            .get(seg.text_offset..end)
            .unwrap_or_default();
        match memchr_last_newline(bytes) {
            None => Position {
                line: seg.line,
                column: seg.column + count_chars(bytes),
            },
            Some(last) => Position {
                line: seg.line + bytes.iter().filter(|&&b| b == b'\n').count(),
                column: count_chars(bytes.get(last + 1..).unwrap_or_default()) + 1,
            },
        }
    }

    /// The file span of text span `span`.
    pub fn file_span(&self, span: Span) -> Span {
        if span.end <= span.start {
            let at = self.file_offset(span.start);
            return Span::new(at, at);
        }
        let first = self.file_offset(span.start);
        let last = self.file_offset(span.end - 1);
        Span::new(first, (last + 1).max(first))
    }

    /// The map as a syntax-crate [`OffsetMap`] (decoded segments map each byte to consecutive
    /// file offsets from their start there, so prefer [`Self::file_offset`]).
    pub fn offset_map(&self) -> OffsetMap {
        OffsetMap::new(
            self.segments
                .iter()
                .map(|s| Segment {
                    text_offset: s.text_offset,
                    file_offset: s.file_offset,
                    len: s.len,
                })
                .collect(),
        )
    }

    /// Checks the map against the defining file's text: segments cover the text in order
    /// without gaps, file offsets never go backwards and stay inside the file (decoded text
    /// may map to its very end), verbatim
    /// segments are the file's bytes, and every position is the position of its file offset.
    pub fn validate(&self, source: &str) -> Result<(), String> {
        let lines = LineIndex::new(source.as_bytes());
        let mut text_at = 0;
        let mut file_at = 0;
        for (i, s) in self.segments.iter().enumerate() {
            if s.text_offset != text_at || s.len == 0 {
                return Err(format!(
                    "segment {i} starts at {} not {text_at}",
                    s.text_offset
                ));
            }
            if s.file_offset < file_at {
                return Err(format!(
                    "segment {i} goes back to file offset {}",
                    s.file_offset
                ));
            }
            // Decoded text may map just past the end (a final line break the file lacks).
            let file_end = if s.verbatim {
                s.file_offset + s.len
            } else {
                s.file_offset
            };
            if file_end > source.len() {
                return Err(format!("segment {i} ends past the file ({file_end})"));
            }
            if s.verbatim {
                let text = self.text.get(s.text_offset..s.text_offset + s.len);
                if text.map(str::as_bytes) != source.as_bytes().get(s.file_offset..file_end) {
                    return Err(format!("verbatim segment {i} differs from the file"));
                }
            }
            let p = lines.position(source.as_bytes(), s.file_offset);
            if (p.line, p.column) != (s.line, s.column) {
                return Err(format!(
                    "segment {i} position {}:{} is wrong",
                    s.line, s.column
                ));
            }
            text_at += s.len;
            file_at = if s.verbatim { file_end } else { s.file_offset };
        }
        if text_at != self.text.len() {
            return Err(format!(
                "segments cover {text_at} of {} bytes",
                self.text.len()
            ));
        }
        let mut previous = (0, 0);
        for offset in 0..=self.text.len() {
            let file = self.file_offset(offset);
            if file > source.len() {
                return Err(format!("text offset {offset} maps past the file"));
            }
            let p = self.position(offset);
            if (p.line, p.column) < previous {
                return Err(format!("position of text offset {offset} goes backwards"));
            }
            previous = (p.line, p.column);
        }
        Ok(())
    }

    /// The segment holding `offset`, or the last one for offsets at or past the end.
    fn segment_at(&self, offset: usize) -> Option<&InlineSegment> {
        let idx = self
            .segments
            .partition_point(|s| s.text_offset + s.len <= offset);
        self.segments.get(idx).or_else(|| self.segments.last())
    }
}

fn memchr_last_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().rposition(|&b| b == b'\n')
}

fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// A segment before positions are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawSegment {
    pub text_offset: usize,
    pub file_offset: usize,
    pub len: usize,
    pub verbatim: bool,
}

/// Accumulates extracted text and its segments.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextMap {
    pub text: String,
    pub segments: Vec<RawSegment>,
}

impl TextMap {
    /// Appends `source[from..to]` unchanged.
    pub fn copy(&mut self, source: &str, from: usize, to: usize) {
        let Some(piece) = source.get(from..to) else {
            return;
        };
        if piece.is_empty() {
            return;
        }
        let text_offset = self.text.len();
        self.text.push_str(piece);
        if let Some(last) = self.segments.last_mut()
            && last.verbatim
            && last.file_offset + last.len == from
            && last.text_offset + last.len == text_offset
        {
            last.len += piece.len();
            return;
        }
        self.segments.push(RawSegment {
            text_offset,
            file_offset: from,
            len: piece.len(),
            verbatim: true,
        });
    }

    /// Appends decoded text produced by the source at `at`.
    pub fn decoded(&mut self, source: &str, piece: &str, at: usize) {
        if piece.is_empty() {
            return;
        }
        if source.get(at..at + piece.len()) == Some(piece) {
            self.copy(source, at, at + piece.len());
            return;
        }
        let text_offset = self.text.len();
        self.text.push_str(piece);
        self.segments.push(RawSegment {
            text_offset,
            file_offset: at,
            len: piece.len(),
            verbatim: false,
        });
    }

    /// Appends text that has no counterpart in the source (a substituted variable), mapped
    /// to `at`.
    pub fn synthetic(&mut self, piece: &str, at: usize) {
        if piece.is_empty() {
            return;
        }
        let text_offset = self.text.len();
        self.text.push_str(piece);
        self.segments.push(RawSegment {
            text_offset,
            file_offset: at,
            len: piece.len(),
            verbatim: false,
        });
    }

    /// File offset of text offset `offset`.
    pub fn file_offset(&self, offset: usize) -> usize {
        let idx = self
            .segments
            .partition_point(|s| s.text_offset + s.len <= offset);
        match self.segments.get(idx).or_else(|| self.segments.last()) {
            Some(s) if s.verbatim => {
                s.file_offset + offset.clamp(s.text_offset, s.text_offset + s.len) - s.text_offset
            }
            Some(s) => s.file_offset,
            None => 0,
        }
    }

    /// The part of this map covering text `from..to`, rebased to start at 0.
    pub fn slice(&self, from: usize, to: usize) -> TextMap {
        let mut out = TextMap {
            text: self.text.get(from..to).unwrap_or_default().to_string(),
            segments: Vec::new(),
        };
        for s in &self.segments {
            let a = s.text_offset.max(from);
            let b = (s.text_offset + s.len).min(to);
            if a < b {
                let shift = if s.verbatim { a - s.text_offset } else { 0 };
                out.segments.push(RawSegment {
                    text_offset: a - from,
                    file_offset: s.file_offset + shift,
                    len: b - a,
                    verbatim: s.verbatim,
                });
            }
        }
        out
    }

    /// Appends text produced from another text map, whose file offsets are already in the
    /// defining file.
    pub fn append(&mut self, other: &TextMap) {
        let base = self.text.len();
        self.text.push_str(&other.text);
        self.segments
            .extend(other.segments.iter().map(|s| RawSegment {
                text_offset: base + s.text_offset,
                ..*s
            }));
    }

    /// Resolves positions and packages the result.
    pub fn finish(
        self,
        file: PathBuf,
        source: &str,
        lines: &LineIndex,
        start_offset: usize,
    ) -> InlineDockerfile {
        let bytes = source.as_bytes();
        let start_offset = self
            .segments
            .first()
            .map_or(start_offset, |s| s.file_offset);
        let segments = self
            .segments
            .iter()
            .map(|s| {
                let p = lines.position(bytes, s.file_offset);
                InlineSegment {
                    text_offset: s.text_offset,
                    file_offset: s.file_offset,
                    len: s.len,
                    line: p.line,
                    column: p.column,
                    verbatim: s.verbatim,
                }
            })
            .collect();
        InlineDockerfile {
            file,
            text: self.text,
            start: lines.position(bytes, start_offset),
            start_offset,
            segments,
        }
    }
}

/// Maps a YAML scalar whose decoded value is `value`, read from `source[start..end]` (saphyr's
/// span: for block scalars `start` is the first content character), back to the source. The
/// map is exact for every scalar style; should the decoded text not match `value` (input the
/// decoder does not model), the value is aligned character by character instead, which keeps
/// the map monotonic and in range.
pub(crate) fn map_yaml_scalar(
    source: &str,
    start: usize,
    end: usize,
    style: ScalarStyle,
    value: &str,
) -> TextMap {
    decode_yaml_scalar(source, start, end, style, value)
        .unwrap_or_else(|| align(source, start, end.max(start), value))
}

/// The exact map of a YAML scalar, or `None` when decoding the source does not give `value`.
pub(crate) fn decode_yaml_scalar(
    source: &str,
    start: usize,
    end: usize,
    style: ScalarStyle,
    value: &str,
) -> Option<TextMap> {
    let decoded = match style {
        ScalarStyle::Literal | ScalarStyle::Folded => block_scalar(source, start, style),
        ScalarStyle::DoubleQuoted | ScalarStyle::SingleQuoted | ScalarStyle::Plain => {
            flow_scalar(source, start, end, style)
        }
    };
    decoded.filter(|map| map.text == value)
}

/// Aligns `value` with `source[start..end]`: each character maps to its next occurrence (within
/// a short window) or, failing that, to where the previous one ended.
pub(crate) fn align(source: &str, start: usize, end: usize, value: &str) -> TextMap {
    const WINDOW: usize = 256;
    let end = end.min(source.len());
    let mut map = TextMap::default();
    let mut cursor = start.min(end);
    let mut buf = [0u8; 4];
    for ch in value.chars() {
        let piece = ch.encode_utf8(&mut buf);
        let limit = (cursor + WINDOW).min(end);
        let found = source
            .get(cursor..limit)
            .and_then(|window| window.find(&*piece));
        match found {
            Some(i) => {
                map.copy(source, cursor + i, cursor + i + piece.len());
                cursor += i + piece.len();
            }
            None => {
                let at = cursor.min(source.len());
                let text_offset = map.text.len();
                map.text.push_str(piece);
                map.segments.push(RawSegment {
                    text_offset,
                    file_offset: at,
                    len: piece.len(),
                    verbatim: false,
                });
            }
        }
    }
    map
}

/// One line of the source: `start..end` without its line break, `brk` where the break starts
/// (`end`), `next` where the next line starts.
#[derive(Debug, Clone, Copy)]
struct SourceLine {
    start: usize,
    end: usize,
    next: usize,
}

fn line_at(source: &str, start: usize) -> SourceLine {
    let bytes = source.as_bytes();
    let nl = memchr_from(bytes, start);
    let (mut end, next) = match nl {
        Some(i) => (i, i + 1),
        None => (bytes.len(), bytes.len()),
    };
    if end > start && bytes.get(end - 1) == Some(&b'\r') && nl.is_some() {
        end -= 1;
    }
    SourceLine { start, end, next }
}

fn memchr_from(bytes: &[u8], from: usize) -> Option<usize> {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        .map(|i| from + i)
}

fn line_start(source: &str, offset: usize) -> usize {
    source
        .as_bytes()
        .get(..offset)
        .and_then(|before| before.iter().rposition(|&b| b == b'\n'))
        .map_or(0, |i| i + 1)
}

fn leading_spaces(source: &str, line: SourceLine) -> usize {
    source.as_bytes()[line.start..line.end]
        .iter()
        .take_while(|&&b| b == b' ')
        .count()
}

fn is_blank(source: &str, line: SourceLine) -> bool {
    source.as_bytes()[line.start..line.end]
        .iter()
        .all(|&b| b == b' ' || b == b'\t')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chomping {
    Strip,
    Clip,
    Keep,
}

/// Finds the block scalar header (`|`, `>-`, `|2+`, …) on the line `header` and returns its
/// chomping indicator.
fn block_header(source: &str, header: SourceLine, indicator: u8) -> Option<Chomping> {
    let bytes = source.as_bytes();
    let line = &bytes[header.start..header.end];
    for (i, &b) in line.iter().enumerate() {
        if b != indicator {
            continue;
        }
        let rest = &line[i + 1..];
        let flags = rest
            .iter()
            .take_while(|&&c| c == b'+' || c == b'-' || c.is_ascii_digit())
            .count();
        let after = &rest[flags..];
        let trailing_ok = after.is_empty()
            || (matches!(after.first(), Some(b' ' | b'\t'))
                && after
                    .iter()
                    .find(|&&c| c != b' ' && c != b'\t')
                    .is_none_or(|&c| c == b'#'));
        if flags <= 2 && trailing_ok {
            let flags = &rest[..flags];
            return Some(if flags.contains(&b'-') {
                Chomping::Strip
            } else if flags.contains(&b'+') {
                Chomping::Keep
            } else {
                Chomping::Clip
            });
        }
    }
    None
}

#[derive(Debug, Clone, Copy)]
enum BlockLine {
    /// Content from `from` to the end of the line.
    Content { from: usize, line: SourceLine },
    /// An empty line (only indentation).
    Empty { line: SourceLine },
}

impl BlockLine {
    fn line(&self) -> SourceLine {
        match *self {
            BlockLine::Content { line, .. } | BlockLine::Empty { line } => line,
        }
    }
}

/// Decodes a literal (`|`) or folded (`>`) block scalar whose first content character is at
/// `start` (its column is the content indentation).
fn block_scalar(source: &str, start: usize, style: ScalarStyle) -> Option<TextMap> {
    let bytes = source.as_bytes();
    let first_line = line_start(source, start);
    let indent = start - first_line;
    if bytes[first_line..start].iter().any(|&b| b != b' ') {
        return None;
    }
    // The header is the nearest line above that is not blank; lines in between are leading
    // empty lines of the scalar.
    let mut header_start = first_line;
    loop {
        if header_start == 0 {
            return None;
        }
        let prev = line_start(source, header_start - 1);
        let line = line_at(source, prev);
        header_start = prev;
        if !is_blank(source, line) {
            break;
        }
    }
    let header = line_at(source, header_start);
    let indicator = if style == ScalarStyle::Literal {
        b'|'
    } else {
        b'>'
    };
    let chomping = block_header(source, header, indicator)?;

    let mut lines = Vec::new();
    let mut at = header.next;
    while at < bytes.len() {
        let line = line_at(source, at);
        let spaces = leading_spaces(source, line);
        let blank = is_blank(source, line);
        let marker = indent == 0
            && (bytes[line.start..].starts_with(b"---") || bytes[line.start..].starts_with(b"..."))
            && matches!(
                bytes.get(line.start + 3),
                None | Some(b' ' | b'\t' | b'\r' | b'\n')
            );
        if marker {
            break;
        }
        if blank && line.end - line.start <= indent {
            lines.push(BlockLine::Empty { line });
        } else if spaces >= indent {
            // Whitespace past the indentation is content, even on an otherwise blank line.
            lines.push(BlockLine::Content {
                from: line.start + indent,
                line,
            });
        } else if blank {
            // Fewer spaces than the indentation, then tabs: still an empty line.
            lines.push(BlockLine::Empty { line });
        } else {
            break;
        }
        at = line.next;
    }

    let last_content = lines
        .iter()
        .rposition(|l| matches!(l, BlockLine::Content { .. }));
    let mut map = TextMap::default();
    let Some(last_content) = last_content else {
        if chomping == Chomping::Keep {
            for l in &lines {
                push_break(&mut map, source, l.line());
            }
        }
        return Some(map);
    };
    let folded = style == ScalarStyle::Folded;
    let mut previous: Option<(SourceLine, bool)> = None; // (line, is "text" i.e. not spaced)
    let mut empties: Vec<SourceLine> = Vec::new();
    for l in &lines[..=last_content] {
        match *l {
            BlockLine::Empty { line } => empties.push(line),
            BlockLine::Content { from, line } => {
                let spaced = matches!(bytes.get(from), Some(b' ' | b'\t')) || from >= line.end;
                match previous {
                    None => {
                        for e in empties.drain(..) {
                            push_break(&mut map, source, e);
                        }
                    }
                    Some((prev, prev_text)) => {
                        if folded && prev_text && !spaced {
                            if empties.is_empty() {
                                map.decoded(source, " ", prev.end.min(source.len()));
                            }
                        } else {
                            push_break(&mut map, source, prev);
                        }
                        for e in empties.drain(..) {
                            push_break(&mut map, source, e);
                        }
                    }
                }
                map.copy(source, from.min(line.end), line.end);
                previous = Some((line, !spaced));
            }
        }
    }
    if let Some((last, _)) = previous
        && chomping != Chomping::Strip
    {
        push_break(&mut map, source, last);
        if chomping == Chomping::Keep {
            for l in &lines[last_content + 1..] {
                push_break(&mut map, source, l.line());
            }
        }
    }
    Some(map)
}

/// Appends the `\n` that ends `line` (a `\r\n` or a missing final break decode to it too;
/// the latter maps just past the end of the file).
fn push_break(map: &mut TextMap, source: &str, line: SourceLine) {
    map.decoded(source, "\n", line.end.min(source.len()));
}

/// Decodes a plain, single-quoted or double-quoted scalar spanning `source[start..end]`.
fn flow_scalar(source: &str, start: usize, end: usize, style: ScalarStyle) -> Option<TextMap> {
    let bytes = source.as_bytes();
    let end = end.min(bytes.len());
    let quote = match style {
        ScalarStyle::DoubleQuoted => Some(b'"'),
        ScalarStyle::SingleQuoted => Some(b'\''),
        _ => None,
    };
    let mut p = start;
    if let Some(q) = quote {
        if bytes.get(p) != Some(&q) {
            return None;
        }
        p += 1;
    }
    let mut map = TextMap::default();
    // Whitespace seen but not yet known to be inside a line (dropped before a line break).
    let mut pending: Option<usize> = None;
    while p < end {
        let b = bytes[p];
        match b {
            b'\'' if quote == Some(b'\'') => {
                if bytes.get(p + 1) == Some(&b'\'') {
                    flush(&mut map, source, &mut pending, p);
                    map.copy(source, p, p + 1);
                    p += 2;
                } else {
                    break;
                }
            }
            b'"' if quote == Some(b'"') => break,
            b'\\' if quote == Some(b'"') => {
                flush(&mut map, source, &mut pending, p);
                let next = *bytes.get(p + 1)?;
                if next == b'\n' || next == b'\r' {
                    p = skip_break(bytes, p + 1);
                    p = fold_empty_lines(&mut map, source, p, end);
                    continue;
                }
                let (decoded, len) = escape(source, p)?;
                let mut buf = [0u8; 4];
                map.decoded(source, decoded.encode_utf8(&mut buf), p);
                p += len;
            }
            b' ' | b'\t' => {
                pending.get_or_insert(p);
                p += 1;
            }
            b'\n' | b'\r' => {
                pending = None;
                let brk = p;
                p = skip_break(bytes, p);
                let before = map.text.len();
                p = fold_empty_lines(&mut map, source, p, end);
                if map.text.len() == before {
                    map.decoded(source, " ", brk);
                }
            }
            _ => {
                flush(&mut map, source, &mut pending, p);
                let len = utf8_len(b);
                map.copy(source, p, (p + len).min(bytes.len()));
                p += len;
            }
        }
    }
    if quote.is_some() {
        flush(&mut map, source, &mut pending, p);
    }
    Some(map)
}

fn flush(map: &mut TextMap, source: &str, pending: &mut Option<usize>, to: usize) {
    if let Some(from) = pending.take() {
        map.copy(source, from, to);
    }
}

fn skip_break(bytes: &[u8], p: usize) -> usize {
    match bytes.get(p) {
        Some(b'\r') if bytes.get(p + 1) == Some(&b'\n') => p + 2,
        Some(b'\r' | b'\n') => p + 1,
        _ => p,
    }
}

/// After a line break inside a flow scalar: each following empty line becomes `\n`, and the
/// next line's leading whitespace is skipped. Returns where the content resumes.
fn fold_empty_lines(map: &mut TextMap, source: &str, mut p: usize, end: usize) -> usize {
    let bytes = source.as_bytes();
    loop {
        let mut q = p;
        while q < end && matches!(bytes[q], b' ' | b'\t') {
            q += 1;
        }
        if q < end && matches!(bytes[q], b'\n' | b'\r') {
            map.decoded(source, "\n", q);
            p = skip_break(bytes, q);
        } else {
            return q;
        }
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Decodes the double-quoted escape at `source[p]` (a backslash): the character and the
/// number of source bytes it took.
fn escape(source: &str, p: usize) -> Option<(char, usize)> {
    let bytes = source.as_bytes();
    let c = *bytes.get(p + 1)?;
    let simple = match c {
        b'0' => Some('\0'),
        b'a' => Some('\u{7}'),
        b'b' => Some('\u{8}'),
        b't' | b'\t' => Some('\t'),
        b'n' => Some('\n'),
        b'v' => Some('\u{b}'),
        b'f' => Some('\u{c}'),
        b'r' => Some('\r'),
        b'e' => Some('\u{1b}'),
        b' ' => Some(' '),
        b'"' => Some('"'),
        b'/' => Some('/'),
        b'\\' => Some('\\'),
        b'N' => Some('\u{85}'),
        b'_' => Some('\u{a0}'),
        b'L' => Some('\u{2028}'),
        b'P' => Some('\u{2029}'),
        _ => None,
    };
    if let Some(ch) = simple {
        return Some((ch, 2));
    }
    let digits = match c {
        b'x' => 2,
        b'u' => 4,
        b'U' => 8,
        _ => return None,
    };
    let hex = source.get(p + 2..p + 2 + digits)?;
    let code = u32::from_str_radix(hex, 16).ok()?;
    Some((char::from_u32(code)?, 2 + digits))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::yaml::YamlFile;

    /// Extracts the scalar under key `k` of the first document and its map.
    fn extract(src: &str) -> InlineDockerfile {
        let file = YamlFile::parse(src).unwrap();
        let root = file.roots().next().unwrap();
        let node = root.get("k").unwrap();
        let (value, style) = node.scalar().unwrap();
        let data = node.data();
        let map = decode_yaml_scalar(src, data.start, data.end, style, value)
            .unwrap_or_else(|| panic!("no exact decoding of {value:?} in {src:?}"));
        map.finish("x.yaml".into(), src, &file.lines, data.start)
    }

    /// Every verbatim byte equals the file byte it maps to.
    fn check_verbatim(src: &str, inline: &InlineDockerfile) {
        for s in &inline.segments {
            if s.verbatim {
                assert_eq!(
                    &inline.text[s.text_offset..s.text_offset + s.len],
                    &src[s.file_offset..s.file_offset + s.len]
                );
            }
        }
    }

    fn pos(line: usize, column: usize) -> Position {
        Position { line, column }
    }

    #[test]
    fn literal_block_maps_lines_and_columns() {
        let src = "a: 1\nk: |\n  FROM alpine\n\n  RUN echo hi\n";
        let inline = extract(src);
        assert_eq!(inline.text, "FROM alpine\n\nRUN echo hi\n");
        check_verbatim(src, &inline);
        assert_eq!(inline.position(0), pos(3, 3));
        let run = inline.text.find("RUN").unwrap();
        assert_eq!(inline.position(run), pos(5, 3));
        assert_eq!(inline.position(run + 4), pos(5, 7));
        assert!(inline.segments.iter().all(|s| s.verbatim));
    }

    #[test]
    fn literal_strip_keep_and_indentation_indicator() {
        let src = "k: |2-\n    x\n  y\n\n";
        let inline = extract(src);
        assert_eq!(inline.text, "  x\ny");
        assert_eq!(inline.position(0), pos(2, 3));
        assert_eq!(inline.position(4), pos(3, 3));

        let src = "k: |+\n  FROM a\n\n\nz: 1\n";
        let inline = extract(src);
        assert_eq!(inline.text, "FROM a\n\n\n");
        check_verbatim(src, &inline);
        assert_eq!(inline.position(inline.text.len() - 1), pos(4, 1));
    }

    #[test]
    fn nested_block_with_comment_and_leading_empty_lines() {
        let src = "spec:\n  source:\n    dockerfile: |   # inline\n\n      FROM x\n        RUN y\n    type: Dockerfile\n";
        let file = YamlFile::parse(src).unwrap();
        let node = file
            .roots()
            .next()
            .unwrap()
            .get("spec")
            .unwrap()
            .get("source")
            .unwrap()
            .get("dockerfile")
            .unwrap();
        let (value, style) = node.scalar().unwrap();
        let map = decode_yaml_scalar(src, node.start(), node.data().end, style, value).unwrap();
        assert_eq!(map.text, "\nFROM x\n  RUN y\n");
        let inline = map.finish("b.yaml".into(), src, &file.lines, node.start());
        check_verbatim(src, &inline);
        assert_eq!(inline.position(1), pos(5, 7));
        assert_eq!(inline.position(inline.text.find("RUN").unwrap()), pos(6, 9));
    }

    #[test]
    fn folded_block() {
        let src = "k: >-\n  RUN a\n  b\n\n  c\n    d\n";
        let inline = extract(src);
        assert_eq!(inline.text, "RUN a b\nc\n  d");
        check_verbatim(src, &inline);
        assert_eq!(inline.position(inline.text.find('b').unwrap()), pos(3, 3));
        assert_eq!(inline.position(inline.text.find('c').unwrap()), pos(5, 3));
        assert_eq!(inline.position(inline.text.find('d').unwrap()), pos(6, 5));
    }

    #[test]
    fn double_quoted_with_escapes_and_folding() {
        let src = "k: \"FROM a\\nRUN \\\"b\\\"\n   c\\tz\"\n";
        let inline = extract(src);
        assert_eq!(inline.text, "FROM a\nRUN \"b\" c\tz");
        check_verbatim(src, &inline);
        // The `\n` escape maps to its backslash.
        assert_eq!(inline.position(6), pos(1, 11));
        assert_eq!(
            inline.position(inline.text.find("RUN").unwrap()),
            pos(1, 13)
        );
        assert_eq!(inline.position(inline.text.find('c').unwrap()), pos(2, 4));
    }

    #[test]
    fn single_quoted_and_plain() {
        let src = "k: 'FROM a\n\n  RUN ''x'''\n";
        let inline = extract(src);
        assert_eq!(inline.text, "FROM a\nRUN 'x'");
        check_verbatim(src, &inline);
        assert_eq!(inline.position(inline.text.find("RUN").unwrap()), pos(3, 3));

        let src = "k: FROM a\n  RUN b\n";
        let inline = extract(src);
        assert_eq!(inline.text, "FROM a RUN b");
        assert_eq!(inline.position(7), pos(2, 3));
    }

    #[test]
    fn crlf_and_unicode() {
        let src = "k: |\r\n  FROM é\r\n  RUN ü\r\n";
        let inline = extract(src);
        assert_eq!(inline.text, "FROM é\nRUN ü\n");
        check_verbatim(src, &inline);
        let u = inline.text.find('ü').unwrap();
        assert_eq!(inline.position(u), pos(3, 7));
    }

    #[test]
    fn alignment_fallback_is_monotonic() {
        let src = "xx FROM yy a";
        let map = align(src, 0, src.len(), "FROM a?");
        let offsets: Vec<_> = map.segments.iter().map(|s| s.file_offset).collect();
        assert!(offsets.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(map.text, "FROM a?");
    }
}
