//! Recursive-descent parser for POSIX sh plus the bash syntax seen in Dockerfiles.
//!
//! The parser works on bytes (every character with syntactic meaning is ASCII) and only ever
//! stops on ASCII bytes or the end of input, so every slice it takes lies on character
//! boundaries. It never fails: errors are recorded and parsing resumes at the next command
//! separator. Nesting is bounded so hostile input cannot exhaust the stack.

use std::collections::HashMap;

use crate::ast::{
    AndOrList, Assignment, AssignmentValue, CaseArm, Command, CommandList, CompoundCommand,
    CompoundKind, ConditionalBranch, Connector, Expansion, ExpansionKind, FunctionDefinition,
    HereDoc, ListItem, ParseError, Pipeline, RedirectOperator, Redirection, Script, Separator,
    SimpleCommand, Word,
};
use crate::options::ShellOptions;
use crate::recognize::Action;
use crate::span::{Segment, Span};
use crate::visit::{RemapSpans, VisitMut};

/// Deepest nesting of lists, substitutions and quotes before the parser gives up on the rest
/// of the input (real scripts stay far below; the bound keeps the stack small).
const MAX_DEPTH: usize = 48;

/// Words that end a list when they appear where a command would start.
const CLOSERS: &[&str] = &[
    "then", "elif", "else", "fi", "do", "done", "esac", "}", "in",
];

/// Parses `src` into a syntax tree (no recognition, options or nested shells yet).
pub(crate) fn parse_syntax(src: &str) -> Script {
    parse_syntax_at_depth(src, 0)
}

fn parse_syntax_at_depth(src: &str, depth: usize) -> Script {
    let mut parser = Parser::new(src, depth);
    let mut body = parser.parse_list(Context::Top);
    parser.attach_heredocs(&mut body);
    let mut errors = parser.errors;
    errors.sort_by_key(|e| e.span.start);
    Script {
        span: Span::new(0, src.len()),
        body,
        errors,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    /// The whole script: a stray closer is an error.
    Top,
    /// Inside a compound command or substitution: a closer ends the list.
    Nested,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum WordMode {
    Normal,
    /// The right side of `=~` in `[[ ]]`: parentheses and `|` belong to the regex.
    Regex,
}

struct PendingHereDoc {
    key: usize,
    delimiter: String,
    quoted: bool,
    strip_tabs: bool,
}

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    depth: usize,
    errors: Vec<ParseError>,
    pending_heredocs: Vec<PendingHereDoc>,
    heredocs: HashMap<usize, HereDoc>,
}

/// Collects a word's text after quote removal and where each byte came from.
#[derive(Default)]
struct WordBuilder {
    text: String,
    map: Vec<Segment>,
    expansions: Vec<Expansion>,
    quoted: bool,
    glob: bool,
}

impl WordBuilder {
    fn push_source(&mut self, s: &str, source: usize) {
        if s.is_empty() {
            return;
        }
        let text = self.text.len();
        self.text.push_str(s);
        if let Some(last) = self.map.last_mut()
            && last.text + last.len == text
            && last.source + last.len == source
        {
            last.len += s.len();
            return;
        }
        self.map.push(Segment {
            text,
            source,
            len: s.len(),
        });
    }

    /// A character produced by an escape: all its bytes map to the escape at `source`.
    fn push_escaped(&mut self, c: char, source: usize) {
        let text = self.text.len();
        self.text.push(c);
        self.map.push(Segment {
            text,
            source,
            len: c.len_utf8(),
        });
    }
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Bytes that end an unquoted word.
fn is_word_break(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

/// Bytes that need attention inside an unquoted word.
fn is_word_special(b: u8) -> bool {
    is_word_break(b) || matches!(b, b'\\' | b'\'' | b'"' | b'$' | b'`' | b'*' | b'?' | b'[')
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Length of the name at the start of `s` (0 when it does not start with one).
pub(crate) fn name_len(s: &[u8]) -> usize {
    if s.first().is_some_and(|&b| is_name_start(b)) {
        s.iter().take_while(|&&b| is_name_char(b)).count()
    } else {
        0
    }
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, depth: usize) -> Self {
        Self {
            src,
            b: src.as_bytes(),
            pos: 0,
            depth,
            errors: Vec::new(),
            pending_heredocs: Vec::new(),
            heredocs: HashMap::new(),
        }
    }

    // ---- low-level scanning ------------------------------------------------------------

    fn eof(&self) -> bool {
        self.pos >= self.b.len()
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.b.get(self.pos + offset).copied()
    }

    fn at(&self, s: &str) -> bool {
        self.b[self.pos.min(self.b.len())..].starts_with(s.as_bytes())
    }

    fn char_len_at(&self, pos: usize) -> usize {
        self.src
            .get(pos..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8)
    }

    fn advance_char(&mut self) {
        if !self.eof() {
            self.pos += self.char_len_at(self.pos);
        }
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors.push(ParseError {
            span,
            message: message.into(),
        });
    }

    /// Records "unexpected token" for whatever is at the current position.
    fn error_unexpected(&mut self) {
        if self.eof() {
            self.error(
                Span::empty(self.pos),
                "syntax error: unexpected end of file",
            );
            return;
        }
        let len = self.token_len();
        let token = &self.src[self.pos..self.pos + len];
        let shown = if token == "\n" { "newline" } else { token };
        let message = format!("syntax error near unexpected token `{shown}'");
        self.error(Span::new(self.pos, self.pos + len), message);
    }

    /// Like [`Self::error_unexpected`], unless an error was already recorded here.
    fn error_unexpected_once(&mut self) {
        if !self.errors_at(self.pos) {
            self.error_unexpected();
        }
    }

    /// Length of the operator or word-ish token at the current position (at least one
    /// character when not at the end).
    fn token_len(&self) -> usize {
        const OPERATORS: &[&str] = &[
            ";;&", "&>>", "<<<", "<<-", "&&", "||", ";;", ";&", "|&", "&>", ">>", ">&", ">|", "<<",
            "<&", "<>", ";", "&", "|", "(", ")", "<", ">", "\n",
        ];
        for op in OPERATORS {
            if self.at(op) {
                return op.len();
            }
        }
        let mut end = self.pos;
        while end < self.b.len() && !is_word_special(self.b[end]) {
            end += self.char_len_at(end);
        }
        if end == self.pos {
            self.char_len_at(self.pos)
        } else {
            end - self.pos
        }
    }

    /// Skips spaces, tabs, line continuations and a comment; stops at a newline.
    fn skip_blanks(&mut self) {
        loop {
            match self.peek() {
                Some(b) if is_blank(b) => self.pos += 1,
                Some(b'\\') if self.peek_at(1) == Some(b'\n') => self.pos += 2,
                Some(b'#') => {
                    while let Some(b) = self.peek() {
                        if b == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    /// Skips blanks, comments and newlines (reading here-document bodies that follow).
    fn skip_linebreaks(&mut self) {
        loop {
            self.skip_blanks();
            if self.peek() == Some(b'\n') {
                self.consume_newline();
            } else {
                return;
            }
        }
    }

    fn consume_newline(&mut self) {
        self.pos += 1;
        if !self.pending_heredocs.is_empty() {
            self.read_heredoc_bodies();
        }
    }

    /// The plain literal word at the current position if it is followed by a delimiter
    /// (reserved words are recognised only in this form).
    fn peek_literal(&self) -> Option<&'a str> {
        let start = self.pos;
        let mut end = start;
        while end < self.b.len() {
            let b = self.b[end];
            if is_word_break(b) || matches!(b, b'\\' | b'\'' | b'"' | b'$' | b'`') {
                break;
            }
            end += 1;
        }
        if end == start {
            return None;
        }
        self.src.get(start..end)
    }

    fn peek_reserved(&self, word: &str) -> bool {
        self.peek_literal() == Some(word)
    }

    fn at_closer(&self) -> bool {
        if self.at(")") || self.at(";;") || self.at(";&") {
            return true;
        }
        self.peek_literal().is_some_and(|w| CLOSERS.contains(&w))
    }

    fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            self.error(
                Span::new(self.pos, self.b.len()),
                "nesting too deep; the rest of the script was not parsed",
            );
            self.pos = self.b.len();
            return false;
        }
        self.depth += 1;
        true
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// After an error. An operator where it does not belong (`;;`, `&&`, `)`) is skipped on
    /// its own; anything else is skipped up to the next command separator outside
    /// parentheses. Always consumes at least one character.
    fn recover(&mut self) {
        let start = self.pos;
        if matches!(self.peek(), Some(b';' | b'&' | b'|' | b')' | b'\n')) {
            if self.peek() == Some(b'\n') {
                self.consume_newline();
            } else {
                self.pos += self.token_len();
            }
            return;
        }
        let mut depth = 0usize;
        loop {
            self.skip_blanks();
            let Some(b) = self.peek() else { break };
            match b {
                b'\n' | b';' | b'&' | b'|' if depth == 0 => break,
                b'(' => {
                    depth += 1;
                    self.pos += 1;
                }
                b')' => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                    self.pos += 1;
                }
                b'\n' => self.consume_newline(),
                b'<' | b'>' | b';' | b'&' | b'|' => self.pos += 1,
                _ => {
                    let before = self.pos;
                    self.read_word(WordMode::Normal);
                    if self.pos == before {
                        self.advance_char();
                    }
                }
            }
        }
        if self.pos == start {
            self.advance_char();
        }
    }

    /// [`Self::recover`], then the separator it stopped at, so the next command starts a
    /// new list item.
    fn recover_to_next_command(&mut self) {
        self.recover();
        self.skip_blanks();
        for op in ["&&", "||", "|&", "|", "&"] {
            if self.at(op) {
                self.pos += op.len();
                return;
            }
        }
        if self.peek() == Some(b';') && !self.at(";;") && !self.at(";&") {
            self.pos += 1;
        } else if self.peek() == Some(b'\n') {
            self.consume_newline();
        }
    }

    // ---- lists ---------------------------------------------------------------------------

    fn parse_list(&mut self, context: Context) -> CommandList {
        let mut items = Vec::new();
        if !self.enter() {
            return CommandList { items };
        }
        loop {
            self.skip_linebreaks();
            if self.eof() {
                break;
            }
            if self.at_closer() {
                if context == Context::Top {
                    self.error_unexpected();
                    self.recover_to_next_command();
                    continue;
                }
                break;
            }
            let Some(and_or) = self.parse_and_or() else {
                self.error_unexpected_once();
                self.recover_to_next_command();
                continue;
            };
            self.skip_blanks();
            let separator = match self.peek() {
                Some(b';') if !self.at(";;") && !self.at(";&") => {
                    self.pos += 1;
                    Separator::Semicolon
                }
                Some(b'&') if !self.at("&&") && !self.at("&>") => {
                    self.pos += 1;
                    Separator::Ampersand
                }
                Some(b'\n') => {
                    self.consume_newline();
                    Separator::Newline
                }
                _ => Separator::None,
            };
            items.push(ListItem { and_or, separator });
            if separator == Separator::None && !self.eof() && !self.at_closer() {
                self.error_unexpected_once();
                self.recover_to_next_command();
            }
            // `a &; b`: a separator right after a separator.
            if matches!(separator, Separator::Semicolon | Separator::Ampersand) {
                self.skip_blanks();
                if matches!(self.peek(), Some(b';' | b'&'))
                    && !self.at(";;")
                    && !self.at(";&")
                    && !self.at("&&")
                {
                    self.error_unexpected();
                    self.pos += self.token_len();
                }
            }
        }
        self.leave();
        CommandList { items }
    }

    fn parse_and_or(&mut self) -> Option<AndOrList> {
        let first = self.parse_pipeline(None)?;
        let mut pipelines = vec![first];
        loop {
            self.skip_blanks();
            let connector = if self.at("&&") {
                Connector::And
            } else if self.at("||") {
                Connector::Or
            } else {
                break;
            };
            self.pos += 2;
            self.skip_linebreaks();
            match self.parse_pipeline(Some(connector)) {
                Some(p) => pipelines.push(p),
                None => {
                    self.error_unexpected();
                    break;
                }
            }
        }
        let span = pipelines
            .first()
            .map(|p| p.span)
            .unwrap_or_default()
            .cover(pipelines.last().map(|p| p.span).unwrap_or_default());
        Some(AndOrList { span, pipelines })
    }

    fn parse_pipeline(&mut self, connector: Option<Connector>) -> Option<Pipeline> {
        self.skip_blanks();
        let start = self.pos;
        let mut negated = false;
        if self.peek() == Some(b'!')
            && self
                .peek_at(1)
                .is_none_or(|b| is_blank(b) || b == b'\n' || b == b'(')
        {
            negated = true;
            self.pos += 1;
            self.skip_blanks();
        }
        let Some(first) = self.parse_command() else {
            if negated {
                self.error_unexpected();
            }
            return None;
        };
        let mut commands = vec![first];
        loop {
            self.skip_blanks();
            if self.at("||") {
                break;
            }
            if self.at("|&") {
                self.pos += 2;
            } else if self.at("|") {
                self.pos += 1;
            } else {
                break;
            }
            self.skip_linebreaks();
            match self.parse_command() {
                Some(c) => commands.push(c),
                None => {
                    self.error_unexpected();
                    self.recover_in_pipeline();
                    break;
                }
            }
        }
        let end = commands.last().map_or(self.pos, |c| c.span().end);
        Some(Pipeline {
            span: Span::new(start, end),
            connector,
            negated,
            commands,
            options: ShellOptions::default(),
        })
    }

    /// After `a | <bad>`: skip the bad token so the list can carry on.
    fn recover_in_pipeline(&mut self) {
        if !self.eof() && !self.at_closer() {
            self.recover();
        }
    }

    // ---- commands -------------------------------------------------------------------------

    fn parse_command(&mut self) -> Option<Command> {
        self.skip_blanks();
        let b = self.peek()?;
        match b {
            b'(' => {
                if self.at("((")
                    && let Some(end) = self.scan_arithmetic(self.pos + 2)
                {
                    let start = self.pos;
                    let expression = self.src[start + 2..end - 2].to_string();
                    self.pos = end;
                    return Some(
                        self.finish_compound(start, CompoundKind::Arithmetic { expression }),
                    );
                }
                return Some(self.parse_subshell());
            }
            b')' | b';' | b'&' | b'|' | b'\n' => return None,
            _ => {}
        }
        if let Some(word) = self.peek_literal() {
            match word {
                "if" => return Some(self.parse_if()),
                "while" | "until" => return Some(self.parse_while(word == "until")),
                "for" | "select" => return Some(self.parse_for(word == "select")),
                "case" => return Some(self.parse_case()),
                "{" => return Some(self.parse_brace_group()),
                "[[" => return Some(self.parse_conditional()),
                "function" => return self.parse_function_keyword(),
                "!" => return None,
                w if CLOSERS.contains(&w) => return None,
                _ => {}
            }
        }
        self.parse_simple()
    }

    fn finish_compound(&mut self, start: usize, kind: CompoundKind) -> Command {
        let mut redirections = Vec::new();
        loop {
            self.skip_blanks();
            if self.at_redirection() {
                if let Some(r) = self.parse_redirection() {
                    redirections.push(r);
                }
            } else {
                break;
            }
        }
        let end = redirections
            .last()
            .map_or(self.pos, |r: &Redirection| r.span.end);
        Command::Compound(CompoundCommand {
            span: Span::new(start, end.max(start)),
            kind,
            redirections,
        })
    }

    /// Consumes the reserved word `word` or records that it is missing.
    fn expect_reserved(&mut self, word: &str, construct_start: usize) -> bool {
        self.skip_linebreaks();
        if self.peek_reserved(word) {
            self.pos += word.len();
            true
        } else {
            if self.eof() {
                self.error(
                    Span::new(construct_start, self.pos),
                    format!("syntax error: unexpected end of file (expecting `{word}')"),
                );
            } else {
                let len = self.token_len();
                let found = &self.src[self.pos..self.pos + len];
                let found = if found == "\n" { "newline" } else { found };
                let message =
                    format!("syntax error near unexpected token `{found}' (expecting `{word}')");
                self.error(Span::new(self.pos, self.pos + len), message);
            }
            false
        }
    }

    fn nonempty(&mut self, list: &CommandList, at: usize) {
        if list.items.is_empty() {
            self.error_unexpected_or_at(at);
        }
    }

    fn error_unexpected_or_at(&mut self, at: usize) {
        if self.eof() {
            self.error(Span::empty(at), "syntax error: unexpected end of file");
        } else {
            self.error_unexpected();
        }
    }

    fn parse_subshell(&mut self) -> Command {
        let start = self.pos;
        self.pos += 1;
        let body = self.parse_list(Context::Nested);
        self.nonempty(&body, self.pos);
        self.skip_linebreaks();
        if self.peek() == Some(b')') {
            self.pos += 1;
        } else if !self.errors_at(self.pos) {
            self.error(
                Span::new(start, self.pos),
                "syntax error: unexpected end of file (expecting `)')",
            );
        }
        self.finish_compound(start, CompoundKind::Subshell { body })
    }

    fn errors_at(&self, pos: usize) -> bool {
        self.errors.last().is_some_and(|e| e.span.start == pos)
    }

    fn parse_brace_group(&mut self) -> Command {
        let start = self.pos;
        self.pos += 1;
        let body = self.parse_list(Context::Nested);
        self.nonempty(&body, self.pos);
        if !self.errors_at(self.pos) {
            self.expect_reserved("}", start);
        } else if self.peek_reserved("}") {
            self.pos += 1;
        }
        self.finish_compound(start, CompoundKind::BraceGroup { body })
    }

    fn parse_if(&mut self) -> Command {
        let start = self.pos;
        self.pos += 2;
        let mut branches = Vec::new();
        let mut else_body = None;
        loop {
            let condition = self.parse_list(Context::Nested);
            self.nonempty(&condition, self.pos);
            if !self.expect_reserved("then", start) {
                branches.push(ConditionalBranch {
                    condition,
                    body: CommandList::default(),
                });
                return self.finish_compound(
                    start,
                    CompoundKind::If {
                        branches,
                        else_body,
                    },
                );
            }
            let body = self.parse_list(Context::Nested);
            self.nonempty(&body, self.pos);
            branches.push(ConditionalBranch { condition, body });
            self.skip_linebreaks();
            if self.peek_reserved("elif") {
                self.pos += 4;
                continue;
            }
            if self.peek_reserved("else") {
                self.pos += 4;
                let body = self.parse_list(Context::Nested);
                self.nonempty(&body, self.pos);
                else_body = Some(body);
            }
            break;
        }
        self.expect_reserved("fi", start);
        self.finish_compound(
            start,
            CompoundKind::If {
                branches,
                else_body,
            },
        )
    }

    fn parse_while(&mut self, until: bool) -> Command {
        let start = self.pos;
        self.pos += 5; // `while` and `until` are both five bytes
        let condition = self.parse_list(Context::Nested);
        self.nonempty(&condition, self.pos);
        let body = self.parse_do_group(start);
        let kind = if until {
            CompoundKind::Until { condition, body }
        } else {
            CompoundKind::While { condition, body }
        };
        self.finish_compound(start, kind)
    }

    fn parse_do_group(&mut self, start: usize) -> CommandList {
        if !self.expect_reserved("do", start) {
            return CommandList::default();
        }
        let body = self.parse_list(Context::Nested);
        self.nonempty(&body, self.pos);
        self.expect_reserved("done", start);
        body
    }

    fn parse_for(&mut self, select: bool) -> Command {
        let start = self.pos;
        self.pos += if select { 6 } else { 3 };
        self.skip_blanks();
        if !select
            && self.at("((")
            && let Some(end) = self.scan_arithmetic(self.pos + 2)
        {
            let header = self.src[self.pos + 2..end - 2].to_string();
            self.pos = end;
            self.skip_blanks();
            if self.peek() == Some(b';') {
                self.pos += 1;
            }
            let body = self.parse_do_group(start);
            return self.finish_compound(start, CompoundKind::ArithmeticFor { header, body });
        }
        let variable = match self.read_word(WordMode::Normal) {
            Some(w) if name_len(w.raw.as_bytes()) == w.raw.len() => w,
            Some(w) => {
                self.error(w.span, format!("`{}': not a valid identifier", w.raw));
                w
            }
            None => {
                self.error_unexpected();
                empty_word(self.pos)
            }
        };
        self.skip_blanks();
        let mut items = None;
        if self.peek() == Some(b';') && !self.at(";;") {
            self.pos += 1;
        }
        self.skip_linebreaks();
        if self.peek_reserved("in") {
            self.pos += 2;
            let mut words = Vec::new();
            loop {
                self.skip_blanks();
                match self.peek() {
                    None | Some(b'\n' | b';') => break,
                    _ => {}
                }
                match self.read_word(WordMode::Normal) {
                    Some(w) => words.push(w),
                    None => {
                        self.error_unexpected();
                        self.recover();
                        break;
                    }
                }
            }
            if self.peek() == Some(b';') && !self.at(";;") {
                self.pos += 1;
            }
            items = Some(words);
        }
        let body = self.parse_do_group(start);
        self.finish_compound(
            start,
            CompoundKind::For {
                variable,
                items,
                body,
                select,
            },
        )
    }

    fn parse_case(&mut self) -> Command {
        let start = self.pos;
        self.pos += 4;
        self.skip_blanks();
        let subject = match self.read_word(WordMode::Normal) {
            Some(w) => w,
            None => {
                self.error_unexpected();
                empty_word(self.pos)
            }
        };
        let mut arms = Vec::new();
        if !self.expect_reserved("in", start) {
            return self.finish_compound(start, CompoundKind::Case { subject, arms });
        }
        loop {
            self.skip_linebreaks();
            if self.peek_reserved("esac") {
                self.pos += 4;
                return self.finish_compound(start, CompoundKind::Case { subject, arms });
            }
            if self.eof() {
                self.error(
                    Span::new(start, self.pos),
                    "syntax error: unexpected end of file (expecting `esac')",
                );
                return self.finish_compound(start, CompoundKind::Case { subject, arms });
            }
            if self.peek() == Some(b'(') {
                self.pos += 1;
            }
            let mut patterns = Vec::new();
            let mut ok = true;
            loop {
                self.skip_blanks();
                match self.read_word(WordMode::Normal) {
                    Some(w) => patterns.push(w),
                    None => {
                        self.error_unexpected();
                        ok = false;
                        break;
                    }
                }
                self.skip_blanks();
                if self.peek() == Some(b'|') && !self.at("||") {
                    self.pos += 1;
                    continue;
                }
                if self.peek() == Some(b')') {
                    self.pos += 1;
                } else {
                    self.error_unexpected();
                    ok = false;
                }
                break;
            }
            if !ok {
                self.recover();
                return self.finish_compound(start, CompoundKind::Case { subject, arms });
            }
            let body = self.parse_list(Context::Nested);
            arms.push(CaseArm { patterns, body });
            self.skip_linebreaks();
            if self.at(";;&") {
                self.pos += 3;
            } else if self.at(";;") || self.at(";&") {
                self.pos += 2;
            } else if self.peek_reserved("esac") {
                continue;
            } else {
                self.expect_reserved("esac", start);
                return self.finish_compound(start, CompoundKind::Case { subject, arms });
            }
        }
    }

    fn parse_conditional(&mut self) -> Command {
        let start = self.pos;
        self.pos += 2;
        let mut words = Vec::new();
        let mut regex_next = false;
        loop {
            self.skip_blanks();
            match self.peek() {
                None => {
                    self.error(
                        Span::new(start, self.pos),
                        "syntax error: unexpected end of file (expecting `]]')",
                    );
                    break;
                }
                Some(b'\n') => {
                    self.consume_newline();
                    continue;
                }
                _ => {}
            }
            if self.at("]]")
                && self
                    .peek_at(2)
                    .is_none_or(|b| is_word_break(b) && b != b'(')
            {
                self.pos += 2;
                break;
            }
            if self.at("&&") || self.at("||") {
                self.pos += 2;
                continue;
            }
            if matches!(self.peek(), Some(b'(' | b')' | b'!' | b'<' | b'>'))
                && !self.at("!=")
                && !regex_next
            {
                self.pos += 1;
                continue;
            }
            let mode = if regex_next {
                WordMode::Regex
            } else {
                WordMode::Normal
            };
            match self.read_word(mode) {
                Some(w) => {
                    regex_next = w.is_plain("=~");
                    words.push(w);
                }
                None => {
                    self.error_unexpected();
                    self.advance_char();
                }
            }
        }
        self.finish_compound(start, CompoundKind::Conditional { words })
    }

    fn parse_function_keyword(&mut self) -> Option<Command> {
        let start = self.pos;
        self.pos += "function".len();
        self.skip_blanks();
        let Some(name) = self.read_word(WordMode::Normal) else {
            self.error_unexpected();
            return None;
        };
        self.skip_blanks();
        if self.at("(") {
            let save = self.pos;
            self.pos += 1;
            self.skip_blanks();
            if self.peek() == Some(b')') {
                self.pos += 1;
            } else {
                self.pos = save;
            }
        }
        Some(self.parse_function_body(start, name.text))
    }

    fn parse_function_body(&mut self, start: usize, name: String) -> Command {
        self.skip_linebreaks();
        let body_start = self.pos;
        let body = match self.parse_command() {
            Some(body @ Command::Compound(_)) => body,
            Some(other) => {
                self.error(
                    other.span(),
                    "syntax error: a function body must be a compound command",
                );
                other
            }
            None => {
                self.error_unexpected_or_at(body_start);
                Command::Simple(empty_simple(body_start))
            }
        };
        let end = body.span().end.max(start);
        Command::Function(FunctionDefinition {
            span: Span::new(start, end),
            name,
            body: Box::new(body),
        })
    }

    fn parse_simple(&mut self) -> Option<Command> {
        let start = self.pos;
        let mut assignments = Vec::new();
        let mut words: Vec<Word> = Vec::new();
        let mut redirections = Vec::new();
        let mut end = start;
        loop {
            self.skip_blanks();
            let Some(b) = self.peek() else { break };
            if self.at_redirection() {
                if let Some(r) = self.parse_redirection() {
                    end = r.span.end;
                    redirections.push(r);
                }
                continue;
            }
            if b == b'(' && words.len() == 1 && assignments.is_empty() && redirections.is_empty() {
                let save = self.pos;
                self.pos += 1;
                self.skip_blanks();
                if self.peek() == Some(b')') {
                    self.pos += 1;
                    let name = words.pop().map(|w| w.text).unwrap_or_default();
                    return Some(self.parse_function_body(start, name));
                }
                self.pos = save;
                break;
            }
            if is_word_break(b) && !self.at_process_substitution() {
                break;
            }
            let Some(word) = self.read_word(WordMode::Normal) else {
                break;
            };
            end = word.span.end;
            if words.is_empty()
                && let Some(assignment) = self.assignment(&word)
            {
                end = assignment.span.end;
                assignments.push(assignment);
                continue;
            }
            words.push(word);
        }
        if assignments.is_empty() && words.is_empty() && redirections.is_empty() {
            return None;
        }
        Some(Command::Simple(SimpleCommand {
            span: Span::new(start, end.max(start)),
            assignments,
            words,
            redirections,
            options: ShellOptions::default(),
            program: None,
            action: Action::Unknown,
        }))
    }

    /// Splits `NAME=value` into an assignment (reading a bash array after `NAME=(`).
    fn assignment(&mut self, word: &Word) -> Option<Assignment> {
        let raw = word.raw.as_bytes();
        let mut name_end = name_len(raw);
        if name_end == 0 {
            return None;
        }
        if raw.get(name_end) == Some(&b'[') {
            let close = raw[name_end..].iter().position(|&b| b == b']')?;
            name_end += close + 1;
        }
        let (append, eq) = match raw.get(name_end) {
            Some(b'=') => (false, name_end),
            Some(b'+') if raw.get(name_end + 1) == Some(&b'=') => (true, name_end + 1),
            _ => return None,
        };
        // The name part must be literal: its raw bytes are its text bytes.
        if word.text.as_bytes().get(..=eq) != raw.get(..=eq) {
            return None;
        }
        let name = word.raw[..name_end].to_string();
        let value_offset = eq + 1;
        if value_offset == word.raw.len() && self.peek() == Some(b'(') {
            return Some(self.array_assignment(word.span.start, name, append));
        }
        let value = split_word_at(word, value_offset);
        Some(Assignment {
            span: word.span,
            name,
            append,
            value: AssignmentValue::Scalar(value),
        })
    }

    fn array_assignment(&mut self, start: usize, name: String, append: bool) -> Assignment {
        self.pos += 1;
        let mut elements = Vec::new();
        loop {
            self.skip_linebreaks();
            match self.peek() {
                None => {
                    self.error(
                        Span::new(start, self.pos),
                        "syntax error: unexpected end of file (expecting `)')",
                    );
                    break;
                }
                Some(b')') => {
                    self.pos += 1;
                    break;
                }
                _ => {}
            }
            match self.read_word(WordMode::Normal) {
                Some(w) => elements.push(w),
                None => {
                    self.error_unexpected();
                    self.advance_char();
                }
            }
        }
        Assignment {
            span: Span::new(start, self.pos),
            name,
            append,
            value: AssignmentValue::Array(elements),
        }
    }

    // ---- redirections ---------------------------------------------------------------------

    fn at_process_substitution(&self) -> bool {
        (self.at("<(") || self.at(">(")) && !self.at("<((")
    }

    fn at_redirection(&self) -> bool {
        if self.at_process_substitution() {
            return false;
        }
        match self.peek() {
            Some(b'<' | b'>') => true,
            Some(b'&') => self.at("&>"),
            Some(b) if b.is_ascii_digit() => {
                let digits = self.b[self.pos..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                matches!(self.b.get(self.pos + digits), Some(b'<' | b'>'))
                    && !matches!(self.b.get(self.pos + digits + 1), Some(b'('))
            }
            _ => false,
        }
    }

    fn parse_redirection(&mut self) -> Option<Redirection> {
        let start = self.pos;
        let digits = self.b[self.pos..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let fd = if digits > 0 {
            let fd = self.src[self.pos..self.pos + digits].parse::<u32>().ok();
            self.pos += digits;
            fd
        } else {
            None
        };
        const OPERATORS: &[(&str, RedirectOperator)] = &[
            ("&>>", RedirectOperator::AppendOutputAndError),
            ("<<<", RedirectOperator::HereString),
            ("<<-", RedirectOperator::HereDocStripTabs),
            ("&>", RedirectOperator::OutputAndError),
            (">>", RedirectOperator::Append),
            (">&", RedirectOperator::DuplicateOutput),
            (">|", RedirectOperator::Clobber),
            ("<<", RedirectOperator::HereDoc),
            ("<&", RedirectOperator::DuplicateInput),
            ("<>", RedirectOperator::ReadWrite),
            ("<", RedirectOperator::Input),
            (">", RedirectOperator::Output),
        ];
        let (op_text, operator) = OPERATORS.iter().find(|(text, _)| self.at(text))?;
        self.pos += op_text.len();
        self.skip_blanks();
        let target = if self.at_process_substitution() || !self.peek().is_some_and(is_word_break) {
            self.read_word(WordMode::Normal)
        } else {
            None
        };
        let Some(target) = target else {
            self.error_unexpected();
            return None;
        };
        if matches!(
            operator,
            RedirectOperator::HereDoc | RedirectOperator::HereDocStripTabs
        ) {
            self.pending_heredocs.push(PendingHereDoc {
                key: start,
                delimiter: target.text.clone(),
                quoted: target.quoted,
                strip_tabs: *operator == RedirectOperator::HereDocStripTabs,
            });
        }
        Some(Redirection {
            span: Span::new(start, target.span.end),
            fd,
            operator: *operator,
            target,
            heredoc: None,
        })
    }

    fn read_heredoc_bodies(&mut self) {
        let pending = std::mem::take(&mut self.pending_heredocs);
        for doc in pending {
            let body_start = self.pos;
            let mut body = WordBuilder::default();
            let mut body_end = self.b.len();
            let mut terminated = false;
            while self.pos < self.b.len() {
                let line_end = memchr::memchr(b'\n', &self.b[self.pos..])
                    .map_or(self.b.len(), |i| self.pos + i);
                let raw_line = &self.src[self.pos..line_end];
                let line = if doc.strip_tabs {
                    raw_line.trim_start_matches('\t')
                } else {
                    raw_line
                };
                if line == doc.delimiter {
                    body_end = self.pos;
                    terminated = true;
                    self.pos = (line_end + 1).min(self.b.len());
                    break;
                }
                let line_start = self.pos + (raw_line.len() - line.len());
                let with_newline = (line_end + 1).min(self.b.len());
                body.push_source(&self.src[line_start..with_newline], line_start);
                self.pos = with_newline;
            }
            if !terminated {
                body_end = self.b.len();
            }
            self.heredocs.insert(
                doc.key,
                HereDoc {
                    delimiter: doc.delimiter,
                    quoted: doc.quoted,
                    body: body.text,
                    body_span: Span::new(body_start, body_end),
                    terminated,
                    text_map: body.map,
                },
            );
        }
    }

    fn attach_heredocs(&mut self, list: &mut CommandList) {
        if !self.pending_heredocs.is_empty() {
            // The script ended on the here-document's line: the body is empty.
            self.read_heredoc_bodies();
        }
        if self.heredocs.is_empty() {
            return;
        }
        let mut attach = AttachHereDocs {
            bodies: std::mem::take(&mut self.heredocs),
        };
        attach.visit_list(list);
    }

    // ---- words ----------------------------------------------------------------------------

    fn read_word(&mut self, mode: WordMode) -> Option<Word> {
        let start = self.pos;
        let mut w = WordBuilder::default();
        let mut paren_depth = 0usize;
        if self.at_process_substitution() {
            self.parse_process_substitution(&mut w);
        } else if self.peek() == Some(b'~') {
            self.read_tilde(&mut w);
        }
        while let Some(b) = self.peek() {
            match b {
                b'(' | b')' | b'|' | b'<' | b'>' | b'&' | b';' if mode == WordMode::Regex => {
                    if b == b'(' {
                        paren_depth += 1;
                    } else if b == b')' {
                        if paren_depth == 0 {
                            break;
                        }
                        paren_depth -= 1;
                    } else if paren_depth == 0 && matches!(b, b'&' | b';' | b'<' | b'>') {
                        break;
                    }
                    w.push_source(&self.src[self.pos..=self.pos], self.pos);
                    self.pos += 1;
                }
                b' ' | b'\t' | b'\n' if mode == WordMode::Regex && paren_depth > 0 => {
                    w.push_source(&self.src[self.pos..=self.pos], self.pos);
                    self.pos += 1;
                }
                _ if is_word_break(b) => break,
                b'\\' => match self.peek_at(1) {
                    Some(b'\n') => self.pos += 2,
                    Some(_) => {
                        let len = self.char_len_at(self.pos + 1);
                        let s = &self.src[self.pos + 1..self.pos + 1 + len];
                        w.push_source(s, self.pos + 1);
                        w.quoted = true;
                        self.pos += 1 + len;
                    }
                    None => {
                        w.push_source("\\", self.pos);
                        self.pos += 1;
                    }
                },
                b'\'' => self.read_single_quoted(&mut w),
                b'"' => self.read_double_quoted(&mut w),
                b'$' => self.read_dollar(&mut w, false),
                b'`' => self.read_backquote(&mut w, false),
                b'*' | b'?' | b'[' => {
                    w.glob = true;
                    w.push_source(&self.src[self.pos..=self.pos], self.pos);
                    self.pos += 1;
                }
                _ => {
                    let run_start = self.pos;
                    while let Some(b) = self.peek() {
                        if is_word_special(b) {
                            break;
                        }
                        self.pos += 1;
                    }
                    w.push_source(&self.src[run_start..self.pos], run_start);
                }
            }
        }
        if self.pos == start {
            return None;
        }
        Some(Word {
            span: Span::new(start, self.pos),
            raw: self.src[start..self.pos].to_string(),
            text: w.text,
            expansions: w.expansions,
            quoted: w.quoted,
            glob: w.glob,
            text_map: w.map,
        })
    }

    fn read_tilde(&mut self, w: &mut WordBuilder) {
        let start = self.pos;
        let mut end = start + 1;
        while end < self.b.len() {
            let b = self.b[end];
            if b == b'/' || is_word_special(b) || b == b':' {
                break;
            }
            end += 1;
        }
        // `~user` only when the user part is a plain name; `~+`/`~-` too.
        let text_start = w.text.len();
        w.push_source(&self.src[start..end], start);
        w.expansions.push(Expansion {
            span: Span::new(start, end),
            kind: ExpansionKind::Tilde,
            text_range: (text_start, w.text.len()),
        });
        self.pos = end;
    }

    fn read_single_quoted(&mut self, w: &mut WordBuilder) {
        let start = self.pos;
        w.quoted = true;
        self.pos += 1;
        match memchr::memchr(b'\'', &self.b[self.pos..]) {
            Some(i) => {
                w.push_source(&self.src[self.pos..self.pos + i], self.pos);
                self.pos += i + 1;
            }
            None => {
                w.push_source(&self.src[self.pos..], self.pos);
                self.error(
                    Span::new(start, self.b.len()),
                    "unexpected end of file while looking for matching `''",
                );
                self.pos = self.b.len();
            }
        }
    }

    fn read_double_quoted(&mut self, w: &mut WordBuilder) {
        let start = self.pos;
        w.quoted = true;
        self.pos += 1;
        if !self.enter() {
            return;
        }
        loop {
            let Some(b) = self.peek() else {
                self.error(
                    Span::new(start, self.b.len()),
                    "unexpected end of file while looking for matching `\"'",
                );
                break;
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    break;
                }
                b'\\' => match self.peek_at(1) {
                    Some(b'\n') => self.pos += 2,
                    Some(c @ (b'$' | b'`' | b'"' | b'\\')) => {
                        w.push_source(
                            if c == b'\\' {
                                "\\"
                            } else {
                                &self.src[self.pos + 1..self.pos + 2]
                            },
                            self.pos + 1,
                        );
                        self.pos += 2;
                    }
                    _ => {
                        w.push_source("\\", self.pos);
                        self.pos += 1;
                    }
                },
                b'$' => self.read_dollar(w, true),
                b'`' => self.read_backquote(w, true),
                _ => {
                    let run_start = self.pos;
                    while let Some(b) = self.peek() {
                        if matches!(b, b'"' | b'\\' | b'$' | b'`') {
                            break;
                        }
                        self.pos += 1;
                    }
                    w.push_source(&self.src[run_start..self.pos], run_start);
                }
            }
        }
        self.leave();
    }

    /// `$...` in a word: parameters, substitutions, arithmetic, `$'...'` and `$"..."`.
    fn read_dollar(&mut self, w: &mut WordBuilder, in_double_quotes: bool) {
        let start = self.pos;
        match self.peek_at(1) {
            Some(b'(') => {
                if self.peek_at(2) == Some(b'(')
                    && let Some(end) = self.scan_arithmetic(start + 3)
                {
                    self.pos = end;
                    self.push_expansion(w, start, ExpansionKind::Arithmetic);
                    return;
                }
                self.pos += 2;
                let body = self.parse_substitution_body(start);
                self.push_expansion(w, start, ExpansionKind::Command { body });
            }
            Some(b'{') => self.read_braced_parameter(w),
            Some(b'[') => {
                self.pos += 2;
                let mut depth = 1usize;
                while let Some(b) = self.peek() {
                    self.pos += 1;
                    if b == b'[' {
                        depth += 1;
                    } else if b == b']' {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                }
                if depth != 0 {
                    self.error(
                        Span::new(start, self.pos),
                        "unexpected end of file while looking for matching `]'",
                    );
                }
                self.push_expansion(w, start, ExpansionKind::Arithmetic);
            }
            Some(b'\'') if !in_double_quotes => self.read_ansi_c_quoted(w),
            Some(b'"') if !in_double_quotes => {
                self.pos += 1;
                self.read_double_quoted(w);
            }
            Some(b) if is_name_start(b) => {
                let len = name_len(&self.b[self.pos + 1..]);
                self.pos += 1 + len;
                let name = self.src[start + 1..self.pos].to_string();
                self.push_expansion(w, start, ExpansionKind::Parameter { name });
            }
            Some(b) if b.is_ascii_digit() || b"@*#?$!-".contains(&b) => {
                self.pos += 2;
                let name = self.src[start + 1..self.pos].to_string();
                self.push_expansion(w, start, ExpansionKind::Parameter { name });
            }
            _ => {
                w.push_source("$", start);
                self.pos += 1;
            }
        }
    }

    fn push_expansion(&mut self, w: &mut WordBuilder, start: usize, kind: ExpansionKind) {
        let text_start = w.text.len();
        w.push_source(&self.src[start..self.pos], start);
        w.expansions.push(Expansion {
            span: Span::new(start, self.pos),
            kind,
            text_range: (text_start, w.text.len()),
        });
    }

    /// After `$(` or `<(`: the list up to the matching `)`.
    fn parse_substitution_body(&mut self, start: usize) -> CommandList {
        let body = self.parse_list(Context::Nested);
        self.skip_linebreaks();
        if self.peek() == Some(b')') {
            self.pos += 1;
        } else if self.eof() {
            self.error(
                Span::new(start, self.pos),
                "unexpected end of file while looking for matching `)'",
            );
        } else {
            self.error_unexpected();
            self.skip_to_close_paren();
        }
        body
    }

    /// Skips to just after the `)` closing the current parenthesis level.
    fn skip_to_close_paren(&mut self) {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            match b {
                b'(' => {
                    depth += 1;
                    self.pos += 1;
                }
                b')' => {
                    self.pos += 1;
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                }
                b'\'' | b'"' | b'`' | b'$' | b'\\' => {
                    let mut scratch = WordBuilder::default();
                    match b {
                        b'\'' => self.read_single_quoted(&mut scratch),
                        b'"' => self.read_double_quoted(&mut scratch),
                        b'`' => self.read_backquote(&mut scratch, false),
                        b'$' => self.read_dollar(&mut scratch, false),
                        _ => self.pos = (self.pos + 2).min(self.b.len()),
                    }
                }
                b'\n' => self.consume_newline(),
                _ => self.advance_char(),
            }
        }
    }

    fn parse_process_substitution(&mut self, w: &mut WordBuilder) {
        let start = self.pos;
        self.pos += 2;
        let body = self.parse_substitution_body(start);
        self.push_expansion(w, start, ExpansionKind::Process { body });
    }

    fn read_braced_parameter(&mut self, w: &mut WordBuilder) {
        let start = self.pos;
        self.pos += 2;
        if !self.enter() {
            return;
        }
        let name_start = self.pos + usize::from(matches!(self.peek(), Some(b'#' | b'!')));
        let name_end = {
            let rest = &self.b[name_start.min(self.b.len())..];
            let len = name_len(rest);
            if len > 0 {
                name_start + len
            } else if rest
                .first()
                .is_some_and(|b| b.is_ascii_digit() || b"@*#?$!-".contains(b))
            {
                name_start + 1
            } else {
                name_start
            }
        };
        let name = self
            .src
            .get(name_start..name_end)
            .unwrap_or_default()
            .to_string();
        // Expansions nested in the operand (`${X:-$(cmd)}`) are collected after this one.
        let mut nested = WordBuilder::default();
        let mut closed = false;
        while let Some(b) = self.peek() {
            match b {
                b'}' => {
                    self.pos += 1;
                    closed = true;
                    break;
                }
                b'\\' => {
                    self.pos = (self.pos + 1 + self.char_len_at(self.pos + 1)).min(self.b.len())
                }
                b'\'' => self.read_single_quoted(&mut nested),
                b'"' => self.read_double_quoted(&mut nested),
                b'$' => self.read_dollar(&mut nested, true),
                b'`' => self.read_backquote(&mut nested, true),
                b'\n' => self.consume_newline(),
                _ => self.advance_char(),
            }
        }
        if !closed {
            self.error(
                Span::new(start, self.pos),
                "unexpected end of file while looking for matching `}'",
            );
        }
        self.push_expansion(w, start, ExpansionKind::Parameter { name });
        let range = w.expansions.last().map_or((0, 0), |e| e.text_range);
        w.expansions
            .extend(nested.expansions.into_iter().map(|mut e| {
                e.text_range = range;
                e
            }));
        self.leave();
    }

    fn read_ansi_c_quoted(&mut self, w: &mut WordBuilder) {
        let start = self.pos;
        w.quoted = true;
        self.pos += 2;
        loop {
            let Some(b) = self.peek() else {
                self.error(
                    Span::new(start, self.b.len()),
                    "unexpected end of file while looking for matching `''",
                );
                return;
            };
            match b {
                b'\'' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => {
                    let at = self.pos;
                    let (c, len) = decode_ansi_c_escape(&self.b[self.pos + 1..]);
                    self.pos = (self.pos + 1 + len).min(self.b.len());
                    if let Some(c) = c {
                        w.push_escaped(c, at);
                    }
                }
                _ => {
                    let run_start = self.pos;
                    while let Some(b) = self.peek() {
                        if b == b'\'' || b == b'\\' {
                            break;
                        }
                        self.pos += 1;
                    }
                    w.push_source(&self.src[run_start..self.pos], run_start);
                }
            }
        }
    }

    /// `` `...` ``: the body is unescaped and parsed on its own, then moved back into place.
    fn read_backquote(&mut self, w: &mut WordBuilder, in_double_quotes: bool) {
        let start = self.pos;
        self.pos += 1;
        let mut inner = WordBuilder::default();
        let mut closed = false;
        while let Some(b) = self.peek() {
            match b {
                b'`' => {
                    self.pos += 1;
                    closed = true;
                    break;
                }
                b'\\' => match self.peek_at(1) {
                    Some(b'\n') => self.pos += 2,
                    Some(c @ (b'`' | b'$' | b'\\')) => {
                        let s = if c == b'\\' {
                            "\\"
                        } else if c == b'$' {
                            "$"
                        } else {
                            "`"
                        };
                        inner.push_source(s, self.pos + 1);
                        self.pos += 2;
                    }
                    Some(b'"') if in_double_quotes => {
                        inner.push_source("\"", self.pos + 1);
                        self.pos += 2;
                    }
                    _ => {
                        inner.push_source("\\", self.pos);
                        self.pos += 1;
                    }
                },
                _ => {
                    let len = self.char_len_at(self.pos);
                    inner.push_source(&self.src[self.pos..self.pos + len], self.pos);
                    self.pos += len;
                }
            }
        }
        if !closed {
            self.error(
                Span::new(start, self.pos),
                "unexpected end of file while looking for matching ``'",
            );
        }
        let body = if self.depth >= MAX_DEPTH {
            self.error(Span::new(start, self.pos), "nesting too deep");
            CommandList::default()
        } else {
            let mut script = parse_syntax_at_depth(&inner.text, self.depth + 1);
            let mut remap = RemapSpans::new(inner.map);
            remap.visit_script(&mut script);
            self.errors.extend(script.errors);
            script.body
        };
        self.push_expansion(w, start, ExpansionKind::Backquote { body });
    }

    /// Finds the end (just past `))`) of an arithmetic expression whose text starts at
    /// `from`, or `None` when the parentheses do not close as `))` (then `$((` was `$( (`).
    fn scan_arithmetic(&self, from: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut i = from;
        while i < self.b.len() {
            match self.b[i] {
                b'(' => depth += 1,
                b')' => {
                    if depth == 0 {
                        return (self.b.get(i + 1) == Some(&b')')).then_some(i + 2);
                    }
                    depth -= 1;
                }
                b'\\' => i += 1,
                b'\'' | b'"' | b'`' => {
                    let quote = self.b[i];
                    i += 1;
                    while i < self.b.len() && self.b[i] != quote {
                        if self.b[i] == b'\\' && quote != b'\'' {
                            i += 1;
                        }
                        i += 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }
}

/// Decodes the escape after a backslash in `$'...'`: the character (if any) and how many
/// bytes after the backslash it used.
fn decode_ansi_c_escape(rest: &[u8]) -> (Option<char>, usize) {
    let Some(&b) = rest.first() else {
        return (Some('\\'), 0);
    };
    let simple = match b {
        b'n' => Some('\n'),
        b't' => Some('\t'),
        b'r' => Some('\r'),
        b'a' => Some('\x07'),
        b'b' => Some('\x08'),
        b'e' | b'E' => Some('\x1b'),
        b'f' => Some('\x0c'),
        b'v' => Some('\x0b'),
        b'\\' => Some('\\'),
        b'\'' => Some('\''),
        b'"' => Some('"'),
        b'?' => Some('?'),
        _ => None,
    };
    if let Some(c) = simple {
        return (Some(c), 1);
    }
    let hex_digits = |max: usize| {
        rest[1..]
            .iter()
            .take(max)
            .take_while(|b| b.is_ascii_hexdigit())
            .count()
    };
    let parse_hex = |digits: &[u8]| {
        std::str::from_utf8(digits)
            .ok()
            .and_then(|s| u32::from_str_radix(s, 16).ok())
            .and_then(char::from_u32)
    };
    match b {
        b'0'..=b'7' => {
            let n = rest
                .iter()
                .take(3)
                .take_while(|b| (b'0'..=b'7').contains(b))
                .count();
            let value = std::str::from_utf8(&rest[..n])
                .ok()
                .and_then(|s| u32::from_str_radix(s, 8).ok())
                .and_then(char::from_u32);
            (value, n)
        }
        b'x' => {
            let n = hex_digits(2);
            (
                if n == 0 {
                    Some('\\')
                } else {
                    parse_hex(&rest[1..=n])
                },
                1 + n,
            )
        }
        b'u' | b'U' => {
            let n = hex_digits(if b == b'u' { 4 } else { 8 });
            (
                if n == 0 {
                    Some('\\')
                } else {
                    parse_hex(&rest[1..=n])
                },
                1 + n,
            )
        }
        b'c' => match rest.get(1) {
            Some(b'?') => (Some('\x7f'), 2),
            Some(&c) if c.is_ascii() => (Some(char::from(c & 0x1f)), 2),
            _ => (Some('\\'), 0),
        },
        _ => {
            // Unknown escape: the backslash stays (the next byte is read normally).
            (Some('\\'), 0)
        }
    }
}

/// The part of `word` from raw byte `raw_offset` on, where the part before is literal (the
/// value of an assignment).
fn split_word_at(word: &Word, raw_offset: usize) -> Word {
    let text_offset = raw_offset;
    let text_map = word
        .text_map
        .iter()
        .filter_map(|seg| {
            let seg_end = seg.text + seg.len;
            if seg_end <= text_offset {
                return None;
            }
            let skip = text_offset.saturating_sub(seg.text);
            Some(Segment {
                text: seg.text + skip - text_offset,
                source: seg.source + skip,
                len: seg.len - skip,
            })
        })
        .collect();
    let text = word.text.get(text_offset..).unwrap_or_default().to_string();
    Word {
        span: Span::new(word.span.start + raw_offset, word.span.end),
        raw: word.raw.get(raw_offset..).unwrap_or_default().to_string(),
        glob: word.glob && text.contains(['*', '?', '[']),
        quoted: word.quoted,
        expansions: word
            .expansions
            .iter()
            .map(|e| Expansion {
                text_range: (
                    e.text_range.0.saturating_sub(text_offset),
                    e.text_range.1.saturating_sub(text_offset),
                ),
                ..e.clone()
            })
            .collect(),
        text,
        text_map,
    }
}

fn empty_word(at: usize) -> Word {
    Word {
        span: Span::empty(at),
        raw: String::new(),
        text: String::new(),
        expansions: Vec::new(),
        quoted: false,
        glob: false,
        text_map: Vec::new(),
    }
}

fn empty_simple(at: usize) -> SimpleCommand {
    SimpleCommand {
        span: Span::empty(at),
        assignments: Vec::new(),
        words: Vec::new(),
        redirections: Vec::new(),
        options: ShellOptions::default(),
        program: None,
        action: Action::Unknown,
    }
}

struct AttachHereDocs {
    bodies: HashMap<usize, HereDoc>,
}

impl VisitMut for AttachHereDocs {
    fn visit_redirection(&mut self, redirection: &mut Redirection) {
        if let Some(doc) = self.bodies.remove(&redirection.span.start) {
            redirection.heredoc = Some(doc);
        }
        crate::visit::walk_redirection_mut(self, redirection);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simple(script: &Script, item: usize) -> &SimpleCommand {
        match &script.body.items[item].and_or.pipelines[0].commands[0] {
            Command::Simple(c) => c,
            other => panic!("not a simple command: {other:?}"),
        }
    }

    fn texts(c: &SimpleCommand) -> Vec<&str> {
        c.words.iter().map(|w| w.text.as_str()).collect()
    }

    fn ok(src: &str) -> Script {
        let s = parse_syntax(src);
        assert!(s.errors.is_empty(), "{src:?}: {:?}", s.errors);
        s
    }

    /// Every construct `bash -n` accepts parses cleanly; every one it rejects gives an error.
    #[test]
    fn agrees_with_bash_on_small_cases() {
        let accepted = [
            "{ foo; }",
            "! a | b",
            "f() { :; }; f",
            "function f { :; }",
            "x=(1 2 3)",
            "echo <(ls)",
            "echo $((1+(2*3)))",
            "cat <<EOF",
            "foo & bar",
            "for i; do :; done",
            "for i in; do :; done",
            "case x in esac",
            "case x in (a) ;; esac",
            "echo }",
            "echo {",
            "echo done",
            "[[ a < b ]]",
            "x=1 y=2",
            "foo 2>&1 >/dev/null <<<\"x\"",
            "a=$(cat <<EOF\nhi\nEOF\n)",
            "echo ${a:-$(echo })}",
            "while read x; do echo; done < f",
            "time -p foo",
            "echo a#b #c",
            "a=b cmd",
            "! foo",
            "select x in a; do :; done",
            "echo $\"x\"",
            "echo $'a\\'b'",
            "if x; then a; elif y; then b; else c; fi",
            "{ a; } > f",
            "echo ${x/a/b} ${#x} $[1+2]",
            "exec 3>&-",
            "((x++))",
            "a &&\nb",
            "a |\nb",
            "echo \\",
            "f() ( : )",
            "x=$(case a in a) echo;; esac)",
            "case $x in a|b) echo ab;; *) echo other;& esac",
            "for ((i=0; i<3; i++)); do echo $i; done",
            "[[ $v =~ ^v([0-9]+)(\\.[0-9]+)?$ ]] && echo y",
            "echo `echo \\`date\\``",
            "a=1; b=2\n\n# comment\nc",
            "echo \"a $(echo \"b $(echo c)\") d\"",
            "arr+=(x) a[2]=y cmd",
            "until false; do break; done",
            "if a\nthen\n  b\nfi",
            "echo x |& tee f",
            "cat > /f <<-EOF\n\tindented\n\tEOF\necho after",
        ];
        for src in accepted {
            ok(src);
        }
        let rejected = [
            "echo $(if)",
            "then",
            "in",
            "foo; }",
            "; foo",
            "foo ;; bar",
            "a && ",
            "a | ! b",
            "if true; then fi",
            "echo \"unterminated",
            "echo 'a",
            "foo &; bar",
            "(  )",
            "foo >",
            "echo ${a",
            "echo $(",
            "foo | | bar",
            "echo ))",
            "foo )",
            ")",
            "&& foo",
            "foo && && bar",
            "if; then :; fi",
            "f()",
            "f() foo",
            "while true; do done",
            "case x in a) b",
            "for x in a b; echo",
            "{ echo a }",
            "echo `unterminated",
        ];
        for src in rejected {
            let s = parse_syntax(src);
            assert!(!s.errors.is_empty(), "{src:?} should be rejected");
        }
    }

    #[test]
    fn lists_and_separators() {
        let s = ok("a && b || c; d & e\nf");
        assert_eq!(s.body.items.len(), 4);
        let seps: Vec<_> = s.body.items.iter().map(|i| i.separator).collect();
        assert_eq!(
            seps,
            [
                Separator::Semicolon,
                Separator::Ampersand,
                Separator::Newline,
                Separator::None
            ]
        );
        let first = &s.body.items[0].and_or;
        let connectors: Vec<_> = first.pipelines.iter().map(|p| p.connector).collect();
        assert_eq!(
            connectors,
            [None, Some(Connector::And), Some(Connector::Or)]
        );
        assert_eq!(first.span, Span::new(0, 11));
    }

    #[test]
    fn pipelines_and_negation() {
        let s = ok("! curl -s x | sh -s -- a |& tee log");
        let p = &s.body.items[0].and_or.pipelines[0];
        assert!(p.negated);
        assert_eq!(p.commands.len(), 3);
        assert_eq!(p.span, Span::new(0, 35));
    }

    #[test]
    fn word_values_after_quote_removal() {
        let s = ok(r#"echo 'a b' "c $HOME d" e\ f $'t\tx' "\$x" pre"mid"'post' \"q\""#);
        let c = simple(&s, 0);
        assert_eq!(
            texts(c),
            [
                "echo",
                "a b",
                "c $HOME d",
                "e f",
                "t\tx",
                "$x",
                "premidpost",
                "\"q\""
            ]
        );
        let values: Vec<_> = c.words.iter().map(Word::value).collect();
        assert_eq!(values[2], None);
        assert_eq!(values[5], Some("$x"));
        assert!(c.words[1].quoted && !c.words[0].quoted);
        assert_eq!(c.words[2].expansions.len(), 1);
        assert_eq!(
            c.words[2].expansions[0].kind,
            ExpansionKind::Parameter {
                name: "HOME".into()
            }
        );
    }

    #[test]
    fn word_spans_are_exact() {
        let src = "apt-get  install -y 'curl'  \"wget\"";
        let s = ok(src);
        for w in &simple(&s, 0).words {
            assert_eq!(&src[w.span.range()], w.raw);
        }
    }

    #[test]
    fn line_continuations_join_words() {
        let s = ok("apt-get install \\\n  -y cu\\\nrl");
        assert_eq!(texts(simple(&s, 0)), ["apt-get", "install", "-y", "curl"]);
    }

    #[test]
    fn expansions_of_every_kind() {
        let s = ok("echo $1 $@ ${x:-y} $(date) `id` $((1+2)) $[3] ~/x ~user $ plain");
        let kinds: Vec<Vec<&str>> = simple(&s, 0).words[1..]
            .iter()
            .map(|w| {
                w.expansions
                    .iter()
                    .map(|e| match e.kind {
                        ExpansionKind::Parameter { .. } => "param",
                        ExpansionKind::Command { .. } => "command",
                        ExpansionKind::Backquote { .. } => "backquote",
                        ExpansionKind::Process { .. } => "process",
                        ExpansionKind::Arithmetic => "arith",
                        ExpansionKind::Tilde => "tilde",
                    })
                    .collect()
            })
            .collect();
        assert_eq!(
            kinds,
            [
                vec!["param"],
                vec!["param"],
                vec!["param"],
                vec!["command"],
                vec!["backquote"],
                vec!["arith"],
                vec!["arith"],
                vec!["tilde"],
                vec!["tilde"],
                vec![],
                vec![]
            ]
        );
        let c = simple(&s, 0);
        assert_eq!(c.words[10].value(), Some("$"));
        assert!(c.words[4].is_single_expansion());
    }

    #[test]
    fn nested_parameter_operands_are_parsed() {
        let s = ok("echo \"${PKGS:-$(cat /pkgs)}\"");
        let w = &simple(&s, 0).words[1];
        assert_eq!(w.expansions.len(), 2);
        assert!(w.is_single_expansion());
        let body = w.expansions[1].kind.body().unwrap();
        assert_eq!(body.items.len(), 1);
    }

    #[test]
    fn backquote_bodies_map_back_to_the_script() {
        let src = "echo \"`echo \\\"in q\\\" \\`date\\``\"";
        let s = ok(src);
        let w = &simple(&s, 0).words[1];
        let ExpansionKind::Backquote { body } = &w.expansions[0].kind else {
            panic!("not a backquote: {:?}", w.expansions)
        };
        let Command::Simple(inner) = &body.items[0].and_or.pipelines[0].commands[0] else {
            panic!()
        };
        assert_eq!(texts(inner), ["echo", "in q", "`date`"]);
        assert_eq!(&src[inner.words[0].span.range()], "echo");
        assert_eq!(&src[inner.words[1].span.range()], "\"in q\\\"");
    }

    #[test]
    fn assignments() {
        let s = ok("A=1 B+=\"x y\" C= arr=(a 'b c') i[2]=z cmd D=not");
        let c = simple(&s, 0);
        let names: Vec<_> = c.assignments.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "C", "arr", "i[2]"]);
        assert!(c.assignments[1].append);
        assert_eq!(
            c.assignments[1].value.as_scalar().map(|w| w.text.as_str()),
            Some("x y")
        );
        assert_eq!(
            c.assignments[1].value.as_scalar().unwrap().span,
            Span::new(7, 12)
        );
        let AssignmentValue::Array(items) = &c.assignments[3].value else {
            panic!()
        };
        assert_eq!(items.len(), 2);
        assert_eq!(texts(c), ["cmd", "D=not"]);
        assert!(ok("X=1").body.items.len() == 1);
    }

    #[test]
    fn redirections() {
        let s = ok("cmd 2>&1 >>log &>all <in 3<>rw >|clob <<<here 9>&-");
        let ops: Vec<_> = simple(&s, 0)
            .redirections
            .iter()
            .map(|r| (r.fd, r.operator, r.target.text.as_str()))
            .collect();
        use RedirectOperator as R;
        assert_eq!(
            ops,
            [
                (Some(2), R::DuplicateOutput, "1"),
                (None, R::Append, "log"),
                (None, R::OutputAndError, "all"),
                (None, R::Input, "in"),
                (Some(3), R::ReadWrite, "rw"),
                (None, R::Clobber, "clob"),
                (None, R::HereString, "here"),
                (Some(9), R::DuplicateOutput, "-"),
            ]
        );
    }

    #[test]
    fn heredocs_in_order_and_stripped() {
        let src = "cat <<A <<-'B' | x\nline a\nA\n\tline b\n\tB\nafter";
        let s = ok(src);
        let c = simple(&s, 0);
        let docs: Vec<_> = c
            .redirections
            .iter()
            .map(|r| r.heredoc.as_ref().unwrap())
            .collect();
        assert_eq!(docs[0].body, "line a\n");
        assert!(!docs[0].quoted && docs[0].terminated);
        assert_eq!(docs[1].body, "line b\n");
        assert!(docs[1].quoted);
        assert_eq!(&src[docs[0].body_span.range()], "line a\n");
        assert_eq!(s.body.items.len(), 2);
        assert_eq!(texts(simple(&s, 1)), ["after"]);
    }

    #[test]
    fn heredoc_inside_command_substitution() {
        let s = ok("x=$(cat <<EOF\n$y )\nEOF\n); echo $x");
        assert_eq!(s.body.items.len(), 2);
    }

    #[test]
    fn unterminated_heredoc_runs_to_the_end() {
        let s = ok("cat <<EOF\nbody");
        let doc = simple(&s, 0).redirections[0].heredoc.as_ref().unwrap();
        assert!(!doc.terminated);
        assert_eq!(doc.body, "body");
    }

    #[test]
    fn compound_commands() {
        let s = ok(
            "if a; then b; elif c; then d; else e; fi; while f; do g; done; for x in 1 2; do h; done; case y in (p|q) i;; *) j; esac; { k; }; (l); [[ -f m ]]; ((n++)); o() { p; }",
        );
        let kinds: Vec<&str> = s
            .body
            .items
            .iter()
            .map(|i| match &i.and_or.pipelines[0].commands[0] {
                Command::Compound(c) => match &c.kind {
                    CompoundKind::If {
                        branches,
                        else_body,
                    } => {
                        assert_eq!(branches.len(), 2);
                        assert!(else_body.is_some());
                        "if"
                    }
                    CompoundKind::While { .. } => "while",
                    CompoundKind::For { items, .. } => {
                        assert_eq!(items.as_ref().map(Vec::len), Some(2));
                        "for"
                    }
                    CompoundKind::Case { arms, .. } => {
                        assert_eq!(arms.len(), 2);
                        assert_eq!(arms[0].patterns.len(), 2);
                        "case"
                    }
                    CompoundKind::BraceGroup { .. } => "brace",
                    CompoundKind::Subshell { .. } => "subshell",
                    CompoundKind::Conditional { words } => {
                        assert_eq!(words.len(), 2);
                        "conditional"
                    }
                    CompoundKind::Arithmetic { expression } => {
                        assert_eq!(expression, "n++");
                        "arith"
                    }
                    _ => "other",
                },
                Command::Function(f) => {
                    assert_eq!(f.name, "o");
                    "function"
                }
                Command::Simple(_) => "simple",
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "if",
                "while",
                "for",
                "case",
                "brace",
                "subshell",
                "conditional",
                "arith",
                "function"
            ]
        );
    }

    #[test]
    fn dollar_double_paren_that_is_a_subshell() {
        let s = ok("echo $( (echo a) | cat )");
        let w = &simple(&s, 0).words[1];
        assert!(matches!(
            w.expansions[0].kind,
            ExpansionKind::Command { .. }
        ));
    }

    #[test]
    fn comments() {
        let s = ok("# leading\necho a#b $# # trailing\n  # alone\necho c");
        assert_eq!(texts(simple(&s, 0)), ["echo", "a#b", "$#"]);
        assert_eq!(texts(simple(&s, 1)), ["echo", "c"]);
    }

    #[test]
    fn errors_do_not_hide_later_commands() {
        let s = parse_syntax("a ( b ); c\nfi\nd )\ne && && f");
        assert!(s.errors.len() >= 4);
        let names: Vec<String> = s
            .body
            .items
            .iter()
            .flat_map(|i| &i.and_or.pipelines)
            .filter_map(|p| match &p.commands[0] {
                Command::Simple(c) => c.words.first().map(|w| w.text.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(names, ["a", "c", "d", "e", "f"]);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "$(".repeat(10_000);
        let s = parse_syntax(&deep);
        assert!(!s.errors.is_empty());
        let deep = format!("{}x{}", "( ".repeat(5000), " )".repeat(5000));
        assert!(!parse_syntax(&deep).errors.is_empty());
        // Balanced double parentheses are one arithmetic command, however deep.
        let arith = format!("{}x{}", "(".repeat(5000), ")".repeat(5000));
        assert!(parse_syntax(&arith).errors.is_empty());
        let quotes = "\"$(\"".repeat(3000);
        assert!(!parse_syntax(&quotes).errors.is_empty());
        let braces = "${x:-".repeat(3000);
        assert!(!parse_syntax(&braces).errors.is_empty());
        let backquotes = "`\\`\\\\\\`".repeat(200);
        let _ = parse_syntax(&backquotes);
    }

    #[test]
    fn non_ascii_is_kept_whole() {
        let src = "echo 'ünï' ✘ \\é \"ß$ä\" && pip install naïve==1";
        let s = ok(src);
        let c = simple(&s, 0);
        assert_eq!(texts(c), ["echo", "ünï", "✘", "é", "ß$ä"]);
        for w in &c.words {
            assert_eq!(&src[w.span.range()], w.raw);
        }
    }

    #[test]
    fn ansi_c_escapes() {
        let s = ok(r"echo $'\x41\102\u00e9\n\q\c?'");
        assert_eq!(simple(&s, 0).words[1].text, "AB\u{e9}\n\\q\x7f");
    }

    #[test]
    fn text_span_points_inside_a_word() {
        let src = "apt-get install 'curl'=\"7.8\"";
        let s = ok(src);
        let w = &simple(&s, 0).words[2];
        assert_eq!(w.text, "curl=7.8");
        let span = w.text_span(4, 8);
        assert_eq!(&src[span.range()], "=\"7.8");
    }
}
