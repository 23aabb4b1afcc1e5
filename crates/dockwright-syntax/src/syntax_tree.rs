//! The syntax tree as plain data for JSON output: every node with its text and its span
//! resolved to lines and columns.

use std::borrow::Cow;

use serde::Serialize;

use crate::command::InstructionKind;
use crate::span::Span;
use crate::tree::{
    CommandRef, DirectiveKind, Dockerfile, Instruction, Item, Line, LineKind, Warning,
};
use crate::typed::Word;

/// A span with its start and end positions (1-based lines and columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Located {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Line of `start`.
    pub start_line: usize,
    /// Column of `start`.
    pub start_column: usize,
    /// Line of `end`.
    pub end_line: usize,
    /// Column of `end`.
    pub end_column: usize,
}

/// A piece of text with its location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextNode<'d> {
    /// The text.
    pub text: Cow<'d, str>,
    /// Where it is.
    pub span: Located,
}

/// A whole file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyntaxTree<'d> {
    /// Whether the file starts with a UTF-8 byte-order mark.
    pub bom: bool,
    /// The escape token in effect.
    pub escape: String,
    /// Parser directives.
    pub directives: Vec<DirectiveNode<'d>>,
    /// Top-level items in file order.
    pub items: Vec<ItemNode<'d>>,
    /// Parser warnings.
    pub warnings: Vec<&'d Warning>,
}

/// A parser directive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectiveNode<'d> {
    /// Which directive.
    pub kind: DirectiveKind,
    /// The name as written.
    pub name: TextNode<'d>,
    /// The value.
    pub value: TextNode<'d>,
}

/// A top-level item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ItemNode<'d> {
    /// A directive, comment or blank line.
    Line(LineNode<'d>),
    /// An instruction.
    Instruction(Box<InstructionNode<'d>>),
}

/// A physical line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineNode<'d> {
    /// What the line is.
    pub kind: &'static str,
    /// Directive or heredoc index, for those kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// The whole line.
    pub span: Located,
    /// The line's text without its line ending.
    pub text: Cow<'d, str>,
    /// Byte spans of the parts that tile the line.
    pub indent: Span,
    /// See [`Line::content`].
    pub content: Span,
    /// See [`Line::continuation`].
    pub continuation: Span,
    /// See [`Line::eol`].
    pub eol: Span,
}

/// A flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagNode<'d> {
    /// Name without `--`.
    pub name: Cow<'d, str>,
    /// Value after `=`.
    pub value: Option<Cow<'d, str>>,
    /// Where it is.
    pub span: Located,
}

/// A parsed command (an instruction's, or an ONBUILD trigger's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandNode<'d> {
    /// Instruction kind.
    pub kind: InstructionKind,
    /// The keyword as written.
    pub keyword: TextNode<'d>,
    /// Flags.
    pub flags: Vec<FlagNode<'d>>,
    /// The argument text after the flags.
    pub args: TextNode<'d>,
    /// Exec (JSON) form.
    pub json: bool,
    /// Arguments as BuildKit lists them.
    pub arguments: Vec<TextNode<'d>>,
}

/// A heredoc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeredocNode<'d> {
    /// Terminator name.
    pub name: &'d str,
    /// File descriptor (0 when not written).
    pub fd: u64,
    /// `<<-`
    pub strip_tabs: bool,
    /// Quoted name: no expansion.
    pub quoted: bool,
    /// The `<<EOF` word.
    pub word: Located,
    /// The body as written.
    pub body: TextNode<'d>,
    /// The terminator line.
    pub terminator: Located,
}

/// An instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstructionNode<'d> {
    /// Its command.
    #[serde(flatten)]
    pub command: CommandNode<'d>,
    /// The whole instruction.
    pub span: Located,
    /// First line as BuildKit counts.
    pub start_line: usize,
    /// Last line as BuildKit counts.
    pub end_line: usize,
    /// The joined text BuildKit parses.
    pub text: Cow<'d, str>,
    /// `(text_offset, file_offset, len)` segments of the joined text.
    pub offset_map: Vec<(usize, usize, usize)>,
    /// Heredocs.
    pub heredocs: Vec<HeredocNode<'d>>,
    /// ONBUILD triggers, outermost first (each is the trigger of the one before).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<CommandNode<'d>>,
    /// Physical lines.
    pub lines: Vec<LineNode<'d>>,
}

impl<'a> Dockerfile<'a> {
    /// The tree as plain data (what `dockwright debug parse --format json` prints).
    pub fn syntax_tree(&self) -> SyntaxTree<'_> {
        let items = self
            .items()
            .iter()
            .filter_map(|item| match item {
                Item::Line(line) => Some(ItemNode::Line(self.line_node(line))),
                Item::Instruction(i) => self
                    .instructions()
                    .get(*i)
                    .map(|inst| ItemNode::Instruction(Box::new(self.instruction_node(inst)))),
            })
            .collect();
        SyntaxTree {
            bom: self.has_bom(),
            escape: self.escape_token().to_string(),
            directives: self
                .directives()
                .iter()
                .map(|d| DirectiveNode {
                    kind: d.kind,
                    name: self.text_node(d.name),
                    value: self.text_node(d.value),
                })
                .collect(),
            items,
            warnings: self.warnings().iter().collect(),
        }
    }

    /// A span with positions.
    pub fn locate(&self, span: Span) -> Located {
        let s = self.position(span.start);
        let e = self.position(span.end);
        Located {
            start: span.start,
            end: span.end,
            start_line: s.line,
            start_column: s.column,
            end_line: e.line,
            end_column: e.column,
        }
    }

    fn text_node(&self, span: Span) -> TextNode<'_> {
        TextNode {
            text: self.text(span),
            span: self.locate(span),
        }
    }

    fn word_node<'d>(&self, word: Word<'d>) -> TextNode<'d> {
        TextNode {
            span: self.locate(word.span),
            text: word.text,
        }
    }

    fn line_node(&self, line: &Line) -> LineNode<'_> {
        let (kind, index) = match line.kind {
            LineKind::Directive(i) => ("directive", Some(i)),
            LineKind::Comment => ("comment", None),
            LineKind::Blank => ("blank", None),
            LineKind::Instruction => ("instruction", None),
            LineKind::EmptyContinuation => ("empty_continuation", None),
            LineKind::HeredocBody(i) => ("heredoc_body", Some(i)),
            LineKind::HeredocEnd(i) => ("heredoc_end", Some(i)),
        };
        LineNode {
            kind,
            index,
            span: self.locate(line.span),
            text: self.text(Span::new(line.span.start, line.eol.start)),
            indent: line.indent,
            content: line.content,
            continuation: line.continuation,
            eol: line.eol,
        }
    }

    fn command_node<'d>(&self, command: CommandRef<'d, 'a>) -> CommandNode<'d> {
        CommandNode {
            kind: command.kind(),
            keyword: self.word_node(command.keyword()),
            flags: command
                .flags()
                .iter()
                .map(|f| FlagNode {
                    name: f.name(),
                    value: f.value(),
                    span: self.locate(f.span()),
                })
                .collect(),
            args: TextNode {
                text: command.args_text(),
                span: self.locate(command.args_span()),
            },
            json: command.is_json(),
            arguments: command
                .arguments()
                .into_iter()
                .map(|w| self.word_node(w))
                .collect(),
        }
    }

    fn instruction_node<'d>(&'d self, inst: &'d Instruction<'a>) -> InstructionNode<'d> {
        let mut triggers = Vec::new();
        let mut next = inst.trigger();
        while let Some(trigger) = next {
            triggers.push(self.command_node(trigger));
            next = trigger.trigger();
        }
        InstructionNode {
            command: self.command_node(inst.command()),
            span: self.locate(inst.span()),
            start_line: inst.start_line(),
            end_line: inst.end_line(),
            text: inst.text(),
            offset_map: inst.offset_map().triples(),
            heredocs: inst
                .heredocs()
                .iter()
                .map(|h| HeredocNode {
                    name: &h.name,
                    fd: h.fd,
                    strip_tabs: h.strip_tabs,
                    quoted: h.quoted,
                    word: self.locate(h.word),
                    body: self.text_node(h.body),
                    terminator: self.locate(h.terminator),
                })
                .collect(),
            triggers,
            lines: inst.lines().iter().map(|l| self.line_node(l)).collect(),
        }
    }
}
