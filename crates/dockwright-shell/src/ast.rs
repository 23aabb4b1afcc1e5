//! The syntax tree of a script: lists, pipelines, compound and simple commands, words.

use serde::Serialize;

use crate::options::{ShellOptions, is_default_options};
use crate::recognize::{Action, Program};
use crate::span::{Segment, Span};

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

/// A parsed script: the commands, and the syntax errors met on the way.
///
/// Parsing never fails: after an error the parser resumes at the next command separator, so
/// one odd construct does not hide the commands around it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Script {
    /// The whole text.
    pub span: Span,
    /// The commands, in text order.
    pub body: CommandList,
    /// Syntax errors, in text order. Empty when `sh -n` would accept the script.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ParseError>,
}

/// A syntax error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParseError {
    /// Where the parser gave up on the construct.
    pub span: Span,
    /// What was wrong, in the words of `sh -n` where possible.
    pub message: String,
}

/// A sequence of and-or lists separated by `;`, `&` or newlines.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct CommandList {
    /// The items, in text order.
    pub items: Vec<ListItem>,
}

/// One and-or list and the separator after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ListItem {
    /// The and-or list.
    #[serde(flatten)]
    pub and_or: AndOrList,
    /// What ends it.
    #[serde(skip_serializing_if = "Separator::is_none")]
    pub separator: Separator,
}

/// What ends a list item.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Separator {
    /// End of the list without separator.
    #[default]
    None,
    /// `;`
    Semicolon,
    /// `&`: the item runs in the background.
    Ampersand,
    /// A newline.
    Newline,
}

impl Separator {
    fn is_none(&self) -> bool {
        *self == Self::None
    }
}

/// Pipelines joined by `&&` and `||`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AndOrList {
    /// From the first pipeline to the last.
    pub span: Span,
    /// The pipelines, in text order; each but the first says how it is joined to the one
    /// before.
    pub pipelines: Vec<Pipeline>,
}

/// `&&` or `||` before a pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Connector {
    /// `&&`
    And,
    /// `||`
    Or,
}

/// Commands joined by `|` (or bash's `|&`), possibly negated with `!`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pipeline {
    /// From `!` (if any) to the end of the last command.
    pub span: Span,
    /// How the pipeline is joined to the previous one in its and-or list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector: Option<Connector>,
    /// Whether it starts with `!`.
    #[serde(skip_serializing_if = "is_false")]
    pub negated: bool,
    /// The commands; more than one means there is a pipe.
    pub commands: Vec<Command>,
    /// Shell options in effect when the pipeline runs (`set -o pipefail` matters here).
    #[serde(skip_serializing_if = "is_default_options")]
    pub options: ShellOptions,
}

impl Pipeline {
    /// Whether the pipeline has a pipe.
    #[must_use]
    pub fn has_pipe(&self) -> bool {
        self.commands.len() > 1
    }
}

/// One command of a pipeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Words, assignments and redirections.
    Simple(SimpleCommand),
    /// A grouping, conditional or loop.
    Compound(CompoundCommand),
    /// `name() body` or `function name body`.
    Function(FunctionDefinition),
}

impl Command {
    /// The command's span.
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            Self::Simple(c) => c.span,
            Self::Compound(c) => c.span,
            Self::Function(f) => f.span,
        }
    }
}

/// A simple command: `[assignments] [words] [redirections]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SimpleCommand {
    /// From the first assignment, word or redirection to the last.
    pub span: Span,
    /// `NAME=value` prefixes (`DEBIAN_FRONTEND=noninteractive apt-get ...`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assignments: Vec<Assignment>,
    /// The command name and its arguments.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<Word>,
    /// Redirections, wherever they appeared among the words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redirections: Vec<Redirection>,
    /// Shell options in effect when the command runs.
    #[serde(skip_serializing_if = "is_default_options")]
    pub options: ShellOptions,
    /// The program that actually runs, after wrappers such as `sudo` or `env X=1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<Program>,
    /// What the command does, when recognised.
    #[serde(skip_serializing_if = "Action::is_unknown")]
    pub action: Action,
}

impl SimpleCommand {
    /// The words after the program (its arguments), or all words when no program was found.
    #[must_use]
    pub fn arguments(&self) -> &[Word] {
        match &self.program {
            Some(p) => self.words.get(p.index + 1..).unwrap_or_default(),
            None => &self.words,
        }
    }

    /// The program's name (base name, e.g. `apt-get` for `/usr/bin/apt-get`).
    #[must_use]
    pub fn program_name(&self) -> Option<&str> {
        self.program.as_ref().map(|p| p.name.as_str())
    }
}

/// `NAME=value`, `NAME+=value` or `NAME=(a b c)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// The whole assignment.
    pub span: Span,
    /// The variable name (with its `[index]` for array elements).
    pub name: String,
    /// Whether it is `+=`.
    #[serde(skip_serializing_if = "is_false")]
    pub append: bool,
    /// The value.
    pub value: AssignmentValue,
}

/// The right-hand side of an assignment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentValue {
    /// A word (possibly empty: `X=`).
    Scalar(Word),
    /// A bash array `(a b c)`.
    Array(Vec<Word>),
}

impl AssignmentValue {
    /// The scalar value's word.
    #[must_use]
    pub fn as_scalar(&self) -> Option<&Word> {
        match self {
            Self::Scalar(w) => Some(w),
            Self::Array(_) => None,
        }
    }
}

/// A compound command and the redirections after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CompoundCommand {
    /// From the opening keyword to the closing one (and the redirections).
    pub span: Span,
    /// What kind of compound command.
    #[serde(flatten)]
    pub kind: CompoundKind,
    /// Redirections applying to the whole command.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub redirections: Vec<Redirection>,
}

/// The kinds of compound command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CompoundKind {
    /// `{ list; }`
    BraceGroup {
        /// The list.
        body: CommandList,
    },
    /// `( list )`: runs in a subshell.
    Subshell {
        /// The list.
        body: CommandList,
    },
    /// `if c; then b; elif c; then b; else b; fi`
    If {
        /// `if` and each `elif` with its body.
        branches: Vec<ConditionalBranch>,
        /// The `else` body.
        #[serde(skip_serializing_if = "Option::is_none")]
        else_body: Option<CommandList>,
    },
    /// `while c; do b; done`
    While {
        /// The condition.
        condition: CommandList,
        /// The body.
        body: CommandList,
    },
    /// `until c; do b; done`
    Until {
        /// The condition.
        condition: CommandList,
        /// The body.
        body: CommandList,
    },
    /// `for name [in words]; do b; done` (and bash's `select`).
    For {
        /// The loop variable.
        variable: Word,
        /// The words after `in`; `None` when there is no `in` (loops over `"$@"`).
        #[serde(skip_serializing_if = "Option::is_none")]
        items: Option<Vec<Word>>,
        /// The body.
        body: CommandList,
        /// Whether it is bash's `select`.
        #[serde(skip_serializing_if = "is_false")]
        select: bool,
    },
    /// bash's `for ((init; cond; step)); do b; done`.
    ArithmeticFor {
        /// The text between `((` and `))`.
        header: String,
        /// The body.
        body: CommandList,
    },
    /// `case word in pattern) list ;; esac`
    Case {
        /// The word matched.
        subject: Word,
        /// The arms, in order.
        arms: Vec<CaseArm>,
    },
    /// bash's `[[ expression ]]`; the words without the `[[`/`]]` and operators.
    Conditional {
        /// Operand and operator words.
        words: Vec<Word>,
    },
    /// bash's `(( expression ))`.
    Arithmetic {
        /// The text between `((` and `))`.
        expression: String,
    },
}

/// `if`/`elif` condition and the body it guards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConditionalBranch {
    /// The condition list.
    pub condition: CommandList,
    /// The `then` body.
    pub body: CommandList,
}

/// One arm of a `case`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseArm {
    /// The patterns separated by `|`.
    pub patterns: Vec<Word>,
    /// The body.
    pub body: CommandList,
}

/// A function definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FunctionDefinition {
    /// The whole definition.
    pub span: Span,
    /// The function name.
    pub name: String,
    /// The body (a compound command).
    pub body: Box<Command>,
}

/// A redirection such as `> file`, `2>&1` or a here-document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Redirection {
    /// From the file descriptor (or operator) to the end of the target word.
    pub span: Span,
    /// The explicit file descriptor (`2` in `2>&1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fd: Option<u32>,
    /// The operator.
    pub operator: RedirectOperator,
    /// The target word (file, descriptor, here-string, or here-document delimiter).
    pub target: Word,
    /// The here-document, for `<<` and `<<-`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heredoc: Option<HereDoc>,
}

/// Redirection operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RedirectOperator {
    /// `<`
    Input,
    /// `>`
    Output,
    /// `>>`
    Append,
    /// `>|`
    Clobber,
    /// `<>`
    ReadWrite,
    /// `<&`
    DuplicateInput,
    /// `>&`
    DuplicateOutput,
    /// `&>` (bash)
    OutputAndError,
    /// `&>>` (bash)
    AppendOutputAndError,
    /// `<<`
    HereDoc,
    /// `<<-`
    HereDocStripTabs,
    /// `<<<` (bash)
    HereString,
}

/// The body of a here-document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HereDoc {
    /// The delimiter after quote removal.
    pub delimiter: String,
    /// Whether the delimiter was quoted (the body is then not expanded).
    #[serde(skip_serializing_if = "is_false")]
    pub quoted: bool,
    /// The body lines, without the delimiter line (leading tabs removed for `<<-`).
    pub body: String,
    /// Where the body lies in the script.
    pub body_span: Span,
    /// Whether the delimiter line was found (the shell accepts end of input instead).
    pub terminated: bool,
    /// Which script bytes each byte of `body` came from.
    #[serde(skip)]
    pub(crate) text_map: Vec<Segment>,
}

/// A word: its text as written, its span, and its value after quote removal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Word {
    /// Where it is.
    pub span: Span,
    /// The text as written (inside `sh -c '...'` this is the text the inner shell sees).
    pub raw: String,
    /// The text after quote removal, with expansions kept as written: `"${V}"-x` gives
    /// `${V}-x`. Equal to the shell's value when [`Word::value`] is `Some`.
    pub text: String,
    /// Parameter expansions, command substitutions and the like, in text order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expansions: Vec<Expansion>,
    /// Whether any part was quoted or escaped.
    #[serde(skip_serializing_if = "is_false")]
    pub quoted: bool,
    /// Whether an unquoted glob character (`*`, `?`, `[`) is present.
    #[serde(skip_serializing_if = "is_false")]
    pub glob: bool,
    /// Which script bytes each byte of `text` came from.
    #[serde(skip)]
    pub(crate) text_map: Vec<Segment>,
}

impl Word {
    /// The value after quote removal when it has no expansion (it is then known statically).
    #[must_use]
    pub fn value(&self) -> Option<&str> {
        self.expansions.is_empty().then_some(self.text.as_str())
    }

    /// Whether the word is exactly `literal` with no quoting or expansion (as reserved words
    /// must be).
    #[must_use]
    pub fn is_plain(&self, literal: &str) -> bool {
        !self.quoted && self.expansions.is_empty() && self.text == literal
    }

    /// Whether the whole word is one expansion (`$PKGS`, `"${FLAGS}"`, `$(cat list)`), so it
    /// may stand for any number of words.
    #[must_use]
    pub fn is_single_expansion(&self) -> bool {
        !self.text.is_empty()
            && self
                .expansions
                .iter()
                .any(|e| e.text_range == (0, self.text.len()))
    }

    /// The span of `text[range]` in the script (for pointing at part of a word, such as the
    /// version in `curl=7.88`).
    #[must_use]
    pub fn text_span(&self, start: usize, end: usize) -> Span {
        if self.text_map.is_empty() {
            return self.span;
        }
        let r = crate::span::range_through(&self.text_map, Span::new(start, end));
        Span::new(
            r.start.clamp(self.span.start, self.span.end),
            r.end.clamp(self.span.start, self.span.end),
        )
    }
}

/// An expansion inside a word.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Expansion {
    /// From `$` (or the backquote) to the end of the expansion.
    pub span: Span,
    /// What it is.
    #[serde(flatten)]
    pub kind: ExpansionKind,
    /// Where its text lies in the word's `text` (for a nested expansion such as the
    /// `$(cmd)` in `${X:-$(cmd)}`, the range of the enclosing one).
    #[serde(skip)]
    pub(crate) text_range: (usize, usize),
}

/// The kinds of expansion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExpansionKind {
    /// `$name`, `${name...}`, `$1`, `$@`...
    Parameter {
        /// The parameter's name (`HOME`, `1`, `@`).
        name: String,
    },
    /// `$(list)`.
    Command {
        /// The commands inside.
        body: CommandList,
    },
    /// `` `list` ``.
    Backquote {
        /// The commands inside.
        body: CommandList,
    },
    /// bash's `<(list)` or `>(list)`.
    Process {
        /// The commands inside.
        body: CommandList,
    },
    /// `$((expression))` or `$[expression]`.
    Arithmetic,
    /// `~` or `~user` at the start of a word.
    Tilde,
}

impl ExpansionKind {
    /// The commands run by a command or process substitution.
    #[must_use]
    pub fn body(&self) -> Option<&CommandList> {
        match self {
            Self::Command { body } | Self::Backquote { body } | Self::Process { body } => {
                Some(body)
            }
            _ => None,
        }
    }
}
