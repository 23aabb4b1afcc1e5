//! The lossless syntax tree: a file is a sequence of items (directive, comment and blank
//! lines, and instructions); an instruction is a sequence of physical lines plus its parsed
//! command. Every byte of the file belongs to exactly one line, so printing the lines gives
//! the file back.

use std::borrow::Cow;
use std::io::Write;

use serde::Serialize;

use crate::command::{Command, FlagWord, InstructionKind};
use crate::span::{LineIndex, OffsetMap, Position, Small, Span};

/// The UTF-8 byte-order mark BuildKit strips from the first line.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A parsed Dockerfile. Borrows the source text.
#[derive(Debug, Clone)]
pub struct Dockerfile<'a> {
    pub(crate) source: &'a [u8],
    pub(crate) bom: bool,
    pub(crate) escape: u8,
    pub(crate) directives: Vec<Directive>,
    pub(crate) items: Vec<Item>,
    pub(crate) instructions: Vec<Instruction<'a>>,
    pub(crate) warnings: Vec<Warning>,
    /// Built on first use: parsing alone does not need it.
    pub(crate) line_index: std::sync::OnceLock<LineIndex>,
}

/// One top-level element of a Dockerfile, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A line outside any instruction: a parser directive, a comment or a blank line.
    Line(Line),
    /// An instruction: index into [`Dockerfile::instructions`].
    Instruction(usize),
}

/// What a physical line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "index")]
pub enum LineKind {
    /// A parser directive (index into [`Dockerfile::directives`]).
    Directive(usize),
    /// A comment: first non-blank character `#`. Inside a continuation it is dropped from
    /// the instruction's text.
    Comment,
    /// Nothing but white space, outside an instruction.
    Blank,
    /// A line of an instruction that contributes text.
    Instruction,
    /// Nothing but white space inside a continuation: skipped, and BuildKit warns.
    EmptyContinuation,
    /// A line of a heredoc body (index into the instruction's heredocs).
    HeredocBody(usize),
    /// The line that ends a heredoc (index into the instruction's heredocs).
    HeredocEnd(usize),
}

/// One physical line: `indent`, `content`, `continuation` and `eol` tile `span` in that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Line {
    /// What the line is.
    #[serde(flatten)]
    pub kind: LineKind,
    /// The whole line, line ending included.
    pub span: Span,
    /// Leading white space BuildKit removes (only the first line of an instruction and lines
    /// outside instructions have one).
    pub indent: Span,
    /// The text of the line.
    pub content: Span,
    /// The escape token that continues the line, with the blanks after it.
    pub continuation: Span,
    /// The line ending: `\n`, `\r\n` (any run of CR/LF at the end), or empty at end of file.
    pub eol: Span,
}

/// Which parser directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DirectiveKind {
    /// `# syntax=` (the frontend image).
    Syntax,
    /// `# escape=` (`\` or `` ` ``).
    Escape,
    /// `# check=` (BuildKit build checks configuration).
    Check,
}

/// A parser directive line at the top of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Directive {
    /// Which directive.
    pub kind: DirectiveKind,
    /// The directive name as written.
    pub name: Span,
    /// The value, surrounding blanks excluded.
    pub value: Span,
    /// The whole line.
    pub line: Span,
}

/// A heredoc attached to an instruction (`RUN <<EOF`, `COPY <<-"EOF" /dst`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heredoc {
    /// The terminator word, quotes removed.
    pub name: String,
    /// The file descriptor written before `<<` (`2<<EOF`), 0 when none.
    pub fd: u64,
    /// `<<-`: leading tabs are stripped from the body and the terminator line.
    pub strip_tabs: bool,
    /// Some part of the name was quoted, so the body is not expanded.
    pub quoted: bool,
    /// The `<<EOF` word in the instruction line.
    pub word: Span,
    /// The body: every line before the terminator, line endings included.
    pub body: Span,
    /// The terminator line, line ending included.
    pub terminator: Span,
}

/// A warning BuildKit's parser reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable name: `empty-continuation-line`.
    pub code: &'static str,
    /// The message, as BuildKit words it (without the instruction text it appends).
    pub message: String,
    /// The offending lines (each whitespace-only line inside the continuation).
    pub spans: Vec<Span>,
    /// The 1-based line BuildKit reports (the instruction's last continuation line).
    pub buildkit_line: usize,
}

/// One flag of an instruction (`--from=build`, `--mount=type=cache,target=/x`, `--link`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag<'a> {
    /// The word as BuildKit sees it: quotes removed, escape tokens consumed.
    word: Cow<'a, [u8]>,
    /// The flag word in the file.
    span: Span,
}

impl<'a> Flag<'a> {
    /// The flag name without the leading `--` (`from`, `mount`, ...).
    pub fn name(&self) -> Cow<'_, str> {
        let end = memchr::memchr(b'=', &self.word).unwrap_or(self.word.len());
        String::from_utf8_lossy(self.word.get(2..end).unwrap_or_default())
    }

    /// The value after the first `=`; `None` for a bare `--flag`.
    pub fn value(&self) -> Option<Cow<'_, str>> {
        let eq = memchr::memchr(b'=', &self.word)?;
        Some(String::from_utf8_lossy(&self.word[eq + 1..]))
    }

    /// The whole word as BuildKit sees it (`--from=build`).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.word)
    }

    /// The word's bytes as BuildKit sees them.
    pub fn bytes(&self) -> &[u8] {
        &self.word
    }

    /// Where the flag is written in the file.
    pub fn span(&self) -> Span {
        self.span
    }
}

/// One instruction: its physical lines (trivia included), the text BuildKit parses (the
/// lines joined without their continuations and inner comments), and the parsed command.
#[derive(Debug, Clone)]
pub struct Instruction<'a> {
    pub(crate) source: &'a [u8],
    pub(crate) span: Span,
    pub(crate) start_line: usize,
    pub(crate) end_line: usize,
    pub(crate) lines: Small<Line>,
    pub(crate) text: Cow<'a, [u8]>,
    pub(crate) map: OffsetMap,
    pub(crate) escape: u8,
    /// The instruction's own command.
    pub(crate) command: Command,
    /// ONBUILD triggers: each is the trigger of the command before it.
    pub(crate) triggers: Vec<Command>,
    /// Flags of `command`, then of each trigger.
    pub(crate) flags: Vec<Flag<'a>>,
    pub(crate) trigger_flags: Vec<Vec<Flag<'a>>>,
    pub(crate) heredocs: Vec<Heredoc>,
}

/// A command of an instruction: the instruction itself, or the trigger of an `ONBUILD`.
/// All typed accessors live here; [`Instruction`] forwards to its own command.
#[derive(Debug, Clone, Copy)]
pub struct CommandRef<'i, 'a> {
    pub(crate) instruction: &'i Instruction<'a>,
    pub(crate) index: usize,
}

impl<'a> Dockerfile<'a> {
    /// The source text.
    pub fn source(&self) -> &'a [u8] {
        self.source
    }

    /// Whether the file starts with a UTF-8 byte-order mark.
    pub fn has_bom(&self) -> bool {
        self.bom
    }

    /// The escape token in effect (`\` unless an `escape` directive says `` ` ``).
    pub fn escape_token(&self) -> char {
        self.escape as char
    }

    /// The parser directives, in file order.
    pub fn directives(&self) -> &[Directive] {
        &self.directives
    }

    /// The value of a directive, if present.
    pub fn directive(&self, kind: DirectiveKind) -> Option<Cow<'a, str>> {
        self.directives
            .iter()
            .find(|d| d.kind == kind)
            .map(|d| String::from_utf8_lossy(d.value.slice(self.source)))
    }

    /// Top-level items in file order (the BOM, if any, precedes them).
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The instructions, in file order.
    pub fn instructions(&self) -> &[Instruction<'a>] {
        &self.instructions
    }

    /// Warnings BuildKit's parser reports for this file.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The line index of the source.
    pub fn line_index(&self) -> &LineIndex {
        self.line_index.get_or_init(|| LineIndex::new(self.source))
    }

    /// 1-based line and column of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        self.line_index().position(self.source, offset)
    }

    /// The text of a span (invalid UTF-8 replaced).
    pub fn text(&self, span: Span) -> Cow<'a, str> {
        String::from_utf8_lossy(span.slice(self.source))
    }

    /// Every physical line in file order: top-level lines and the lines of instructions.
    pub fn lines(&self) -> impl Iterator<Item = &Line> + '_ {
        self.items.iter().flat_map(move |item| match item {
            Item::Line(line) => std::slice::from_ref(line),
            Item::Instruction(i) => self
                .instructions
                .get(*i)
                .map_or(&[][..], |inst| inst.lines.as_slice()),
        })
    }

    /// Every comment line (top-level and inside continuations), with its text.
    pub fn comments(&self) -> impl Iterator<Item = (Span, Cow<'a, str>)> + '_ {
        self.lines()
            .filter(|l| l.kind == LineKind::Comment)
            .map(move |l| (l.content, self.text(l.content)))
    }

    /// Writes the file back from the tree: the BOM, then every line's indent, content,
    /// continuation and line ending. Always equals the source.
    pub fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        if self.bom {
            out.write_all(BOM)?;
        }
        for line in self.lines() {
            for part in [line.indent, line.content, line.continuation, line.eol] {
                out.write_all(part.slice(self.source))?;
            }
        }
        Ok(())
    }

    /// The file printed back from the tree (see [`Dockerfile::write_to`]).
    pub fn print(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.source.len());
        // Writing to a Vec cannot fail.
        let _ = self.write_to(&mut out);
        out
    }
}

impl<'a> Instruction<'a> {
    /// The instruction's own command (see [`CommandRef`] for every accessor).
    pub fn command(&self) -> CommandRef<'_, 'a> {
        CommandRef {
            instruction: self,
            index: 0,
        }
    }

    /// Every physical line of the instruction, heredoc bodies included.
    pub fn lines(&self) -> &[Line] {
        self.lines.as_slice()
    }

    /// The instruction in the file: its first line's indent through the end of its last
    /// line (line ending and heredoc bodies included).
    pub fn span(&self) -> Span {
        self.span
    }

    /// First line, 1-based, as BuildKit counts.
    pub fn start_line(&self) -> usize {
        self.start_line
    }

    /// Last line, 1-based, inclusive, as BuildKit counts (continuation comments, blank
    /// lines and heredoc bodies included).
    pub fn end_line(&self) -> usize {
        self.end_line
    }

    /// The text BuildKit parses: the lines joined, each continuation's escape token and
    /// inner comment/blank lines removed (leading white space of the first line removed,
    /// kept on later lines).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.text)
    }

    /// The joined text as bytes.
    pub fn text_bytes(&self) -> &[u8] {
        &self.text
    }

    /// The map from the joined text to file offsets.
    pub fn offset_map(&self) -> &OffsetMap {
        &self.map
    }

    /// Heredocs attached to this instruction (for ONBUILD, those of its trigger).
    pub fn heredocs(&self) -> &[Heredoc] {
        &self.heredocs
    }

    /// A heredoc's body as written (tabs not stripped).
    pub fn heredoc_body(&self, heredoc: &Heredoc) -> Cow<'a, str> {
        String::from_utf8_lossy(heredoc.body.slice(self.source))
    }

    /// A heredoc's content as BuildKit uses it: with `<<-`, leading tabs removed from every
    /// line.
    pub fn heredoc_content(&self, heredoc: &Heredoc) -> Cow<'a, str> {
        let body = self.heredoc_body(heredoc);
        if !heredoc.strip_tabs {
            return body;
        }
        let mut out = String::with_capacity(body.len());
        for line in body.split_inclusive('\n') {
            out.push_str(line.trim_start_matches('\t'));
        }
        Cow::Owned(out)
    }

    /// The ONBUILD trigger (the instruction after `ONBUILD`).
    pub fn trigger(&self) -> Option<CommandRef<'_, 'a>> {
        self.command().trigger()
    }

    /// The instruction kind (see [`CommandRef::kind`]).
    pub fn kind(&self) -> InstructionKind {
        self.command().kind()
    }

    /// The keyword as written, and its span.
    pub fn keyword(&self) -> crate::Word<'_> {
        self.command().keyword()
    }

    /// The flags (see [`CommandRef::flags`]).
    pub fn flags(&self) -> &[Flag<'a>] {
        &self.flags
    }

    /// The first flag with this name (see [`CommandRef::flag`]).
    pub fn flag(&self, name: &str) -> Option<&Flag<'a>> {
        self.flags().iter().find(|f| f.name() == name)
    }

    /// The argument text after the flags (see [`CommandRef::args_text`]).
    pub fn args_text(&self) -> Cow<'_, str> {
        self.command().args_text()
    }

    /// Where the arguments are in the file (see [`CommandRef::args_span`]).
    pub fn args_span(&self) -> Span {
        self.command().args_span()
    }

    /// Whether the arguments are a JSON array (exec form).
    pub fn is_json(&self) -> bool {
        self.command().is_json()
    }

    /// The arguments as BuildKit's parser lists them (see [`CommandRef::arguments`]).
    pub fn arguments(&self) -> Vec<crate::Word<'_>> {
        self.command().arguments()
    }

    pub(crate) fn command_at(&self, index: usize) -> Option<&Command> {
        match index {
            0 => Some(&self.command),
            i => self.triggers.get(i - 1),
        }
    }

    pub(crate) fn flag_words(&self, index: usize) -> &[Flag<'a>] {
        match index {
            0 => &self.flags,
            i => self.trigger_flags.get(i - 1).map_or(&[][..], Vec::as_slice),
        }
    }

    /// File span of a range of the joined text.
    pub(crate) fn file_span(&self, range: &std::ops::Range<usize>) -> Span {
        self.map.to_file_span(range.start, range.end)
    }

    fn make_flags(&self, command: &Command) -> Vec<Flag<'a>> {
        let mut flags = Vec::with_capacity(command.flags.len());
        for FlagWord { raw, processed } in &command.flags {
            let span = self.map.to_file_span(raw.start, raw.end);
            let word: Cow<'a, [u8]> = match processed {
                Some(bytes) => Cow::Owned(bytes.to_vec()),
                None => {
                    let in_file = span.slice(self.source);
                    if in_file.len() == raw.len() {
                        Cow::Borrowed(in_file)
                    } else {
                        Cow::Owned(self.text[raw.clone()].to_vec())
                    }
                }
            };
            flags.push(Flag { word, span });
        }
        flags
    }

    /// Builds the flag values of every command (done once, at parse time).
    pub(crate) fn build_flags(&mut self) {
        self.flags = self.make_flags(&self.command);
        if !self.triggers.is_empty() {
            self.trigger_flags = self.triggers.iter().map(|c| self.make_flags(c)).collect();
        }
    }
}
