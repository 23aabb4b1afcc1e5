//! The scanner behind [`Lexer`](super::Lexer): one pass over a word that removes quotes and
//! escapes, expands variables and splits fields, step for step as BuildKit's
//! `shell.Lex` does, including its quirks (listed on [`Lexer`](super::Lexer)).

use super::error::{ExpandError, ExpandErrorKind};
use super::pattern;
use super::unicode::{is_digit, is_letter, is_space};
use super::{Environment, Lexer, MAX_NESTING, RefForm, VarRef};

/// Whether variable values are looked up (expansion) or only the syntax is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Expand,
    /// Every variable is unset and nothing that depends on values can fail.
    Analyze,
}

/// The result of one pass.
pub(crate) struct Processed {
    pub value: String,
    pub words: Vec<String>,
    pub references: Vec<VarRef>,
}

pub(crate) struct WordProcessor<'a, E: Environment + ?Sized> {
    src: &'a str,
    pos: usize,
    lexer: Lexer,
    env: &'a E,
    mode: Mode,
    /// Whether escape characters are kept in the output (inside `#`, `%`, `/` patterns).
    raw_escapes: bool,
    /// The field being built. BuildKit keeps one buffer for the whole word and clears it
    /// whenever a nested part (the word inside `${V:-...}`) starts and when it ends, so text
    /// gathered before such an expression is lost from the fields. Kept the same way here.
    field: String,
    references: Vec<VarRef>,
    depth: usize,
    in_double_quotes: usize,
}

/// Fields of one `process_until` call (BuildKit's `wordsStruct`, minus the shared buffer).
#[derive(Default)]
struct Fields {
    words: Vec<String>,
    in_word: bool,
}

impl Fields {
    /// Adds an unquoted character: whitespace ends a non-empty field.
    fn add_char(&mut self, field: &mut String, ch: char) {
        if is_space(ch) {
            if self.in_word && !field.is_empty() {
                self.words.push(std::mem::take(field));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(field, ch);
        }
    }

    fn add_raw_char(&mut self, field: &mut String, ch: char) {
        field.push(ch);
        self.in_word = true;
    }

    /// Adds unquoted expansion output, which is split like unquoted text.
    fn add_str(&mut self, field: &mut String, text: &str) {
        for ch in text.chars() {
            self.add_char(field, ch);
        }
    }

    /// Adds quoted text: it never splits, and even empty quotes start a field.
    fn add_raw_str(&mut self, field: &mut String, text: &str) {
        field.push_str(text);
        self.in_word = true;
    }

    fn finish(mut self, field: &mut String) -> Vec<String> {
        if !field.is_empty() {
            self.words.push(std::mem::take(field));
        }
        self.words
    }
}

type Step<T> = Result<T, ExpandError>;

impl<'a, E: Environment + ?Sized> WordProcessor<'a, E> {
    pub(crate) fn new(lexer: Lexer, src: &'a str, env: &'a E, mode: Mode) -> Self {
        WordProcessor {
            src,
            // Go's text/scanner skips a byte-order mark at the very start of its input.
            pos: if src.starts_with('\u{FEFF}') { 3 } else { 0 },
            lexer,
            env,
            mode,
            raw_escapes: lexer.raw_escapes,
            field: String::new(),
            references: Vec::new(),
            depth: 0,
            in_double_quotes: 0,
        }
    }

    pub(crate) fn run(mut self) -> Step<Processed> {
        let (value, words) = self.process_until(None, self.lexer.raw_escapes)?;
        let mut references = self.references;
        references.sort_by_key(|r| r.span.start);
        Ok(Processed {
            value,
            words,
            references,
        })
    }

    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn next_char(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.pos += ch.len_utf8();
        Some(ch)
    }

    fn error(&self, offset: usize, kind: ExpandErrorKind) -> ExpandError {
        let depends_on_values = matches!(
            kind,
            ExpandErrorKind::Required { .. } | ExpandErrorKind::InvalidPattern { .. }
        );
        ExpandError {
            word: self.src.to_string(),
            offset,
            kind,
            depends_on_values,
        }
    }

    /// Processes text up to `stop` (consumed) or the end of the word when `stop` is `None`.
    fn process_until(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Step<(String, Vec<String>)> {
        let outer_raw = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let result = self.process_until_inner(stop);
        self.raw_escapes = outer_raw;
        result
    }

    fn process_until_inner(&mut self, stop: Option<char>) -> Step<(String, Vec<String>)> {
        let mut result = String::new();
        let mut fields = Fields::default();
        self.field.clear();
        let escape = self.lexer.escape;
        while let Some(ch) = self.peek() {
            if Some(ch) == stop {
                self.pos += ch.len_utf8();
                return Ok((result, fields.finish(&mut self.field)));
            }
            match ch {
                '$' => {
                    let text = self.dollar()?;
                    result.push_str(&text);
                    fields.add_str(&mut self.field, &text);
                }
                '<' => {
                    let text = self.possible_heredoc();
                    result.push_str(&text);
                    fields.add_raw_str(&mut self.field, &text);
                }
                '\'' if !self.lexer.skip_process_quotes => {
                    let text = self.single_quoted()?;
                    result.push_str(&text);
                    fields.add_raw_str(&mut self.field, &text);
                }
                '"' if !self.lexer.skip_process_quotes => {
                    let text = self.double_quoted()?;
                    result.push_str(&text);
                    fields.add_raw_str(&mut self.field, &text);
                }
                _ => {
                    self.pos += ch.len_utf8();
                    if ch == escape {
                        if self.raw_escapes {
                            fields.add_raw_char(&mut self.field, ch);
                            result.push(ch);
                        }
                        // An escape at the very end is dropped.
                        let Some(escaped) = self.next_char() else {
                            break;
                        };
                        fields.add_raw_char(&mut self.field, escaped);
                        result.push(escaped);
                    } else {
                        fields.add_char(&mut self.field, ch);
                        result.push(ch);
                    }
                }
            }
        }
        if let Some(stop) = stop {
            return Err(self.error(self.pos, ExpandErrorKind::UnexpectedEnd(stop)));
        }
        Ok((result, fields.finish(&mut self.field)))
    }

    /// `'...'`: everything literal up to the next single quote; nothing escapes it.
    fn single_quoted(&mut self) -> Step<String> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        if self.lexer.raw_quotes {
            out.push('\'');
        }
        loop {
            match self.next_char() {
                None => return Err(self.error(open, ExpandErrorKind::UnterminatedSingleQuote)),
                Some('\'') => {
                    if self.lexer.raw_quotes {
                        out.push('\'');
                    }
                    return Ok(out);
                }
                Some(ch) => out.push(ch),
            }
        }
    }

    /// `"..."`: literal except `$` expansions; the escape character escapes only `"`, `$`
    /// and itself and is kept before anything else.
    fn double_quoted(&mut self) -> Step<String> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        if self.lexer.raw_quotes {
            out.push('"');
        }
        let escape = self.lexer.escape;
        loop {
            match self.peek() {
                None => return Err(self.error(open, ExpandErrorKind::UnterminatedDoubleQuote)),
                Some('"') => {
                    self.pos += 1;
                    if self.lexer.raw_quotes {
                        out.push('"');
                    }
                    return Ok(out);
                }
                Some('$') => {
                    self.in_double_quotes += 1;
                    let text = self.dollar();
                    self.in_double_quotes -= 1;
                    out.push_str(&text?);
                }
                Some(mut ch) => {
                    self.pos += ch.len_utf8();
                    if ch == escape {
                        if self.raw_escapes {
                            out.push(ch);
                        }
                        match self.peek() {
                            // The closing quote is missing; reported on the next turn.
                            None => continue,
                            Some(next) if next == '"' || next == '$' || next == escape => {
                                self.pos += next.len_utf8();
                                ch = next;
                            }
                            Some(_) => {}
                        }
                    }
                    out.push(ch);
                }
            }
        }
    }

    /// `<<` followed by blanks stays one field with what follows (a heredoc marker).
    fn possible_heredoc(&mut self) -> String {
        self.pos += 1;
        if self.peek() != Some('<') {
            return "<".to_string();
        }
        self.pos += 1;
        let mut out = "<<".to_string();
        while let Some(ch @ ('\t' | '\r' | ' ')) = self.peek() {
            self.pos += 1;
            out.push(ch);
        }
        out
    }

    /// A variable name: a run of digits (positional), one special-parameter character, or
    /// letters, digits and underscores. Empty when none of these follows.
    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && is_digit(ch) {
                while let Some(digit) = self.peek().filter(|&c| is_digit(c)) {
                    self.pos += digit.len_utf8();
                    name.push(digit);
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.pos += 1;
                name.push(ch);
                return name;
            }
            if !is_letter(ch) && !is_digit(ch) && ch != '_' {
                break;
            }
            self.pos += ch.len_utf8();
            name.push(ch);
        }
        name
    }

    /// Looks `name` up and records the reference.
    fn lookup(
        &mut self,
        name: &str,
        start: usize,
        name_start: usize,
        form: RefForm,
    ) -> Option<String> {
        let value = match self.mode {
            Mode::Expand => self.env.get(name).map(|v| v.into_owned()),
            Mode::Analyze => None,
        };
        self.references.push(VarRef {
            name: name.to_string(),
            span: start..self.pos,
            name_span: name_start..name_start + name.len(),
            form,
            quoted: self.in_double_quotes > 0,
            set: value.is_some(),
        });
        value
    }

    fn dollar(&mut self) -> Step<String> {
        if self.depth >= MAX_NESTING {
            return Err(self.error(self.pos, ExpandErrorKind::TooDeep(MAX_NESTING)));
        }
        self.depth += 1;
        let result = self.dollar_inner();
        self.depth -= 1;
        result
    }

    fn dollar_inner(&mut self) -> Step<String> {
        let start = self.pos;
        self.pos += 1; // `$`
        if self.peek() != Some('{') {
            let name_start = self.pos;
            let name = self.name();
            if name.is_empty() {
                return Ok("$".to_string());
            }
            let value = self.lookup(&name, start, name_start, RefForm::Plain);
            return Ok(match value {
                Some(value) => value,
                None if self.lexer.skip_unset_env => format!("${name}"),
                None => String::new(),
            });
        }
        self.pos += 1; // `{`
        match self.peek() {
            None => return Err(self.error(start, ExpandErrorKind::MissingBrace)),
            Some('{' | '}' | ':') => {
                return Err(self.error(start, ExpandErrorKind::BadSubstitution));
            }
            Some(_) => {}
        }
        let name_start = self.pos;
        let name = self.name();
        let operator = self.next_char();
        match operator {
            Some('}') => {
                let value = self.lookup(&name, start, name_start, RefForm::Braced);
                Ok(match value {
                    Some(value) => value,
                    None if self.lexer.skip_unset_env => format!("${{{name}}}"),
                    None => String::new(),
                })
            }
            Some(':' | '+' | '-' | '?' | '#' | '%') => {
                let colon = operator == Some(':');
                let op = if colon { self.next_char() } else { operator };
                // BuildKit prints the operator with Go's string(rune), where end of input
                // becomes U+FFFD.
                let op_text = format!(
                    "{}{}",
                    if colon { ":" } else { "" },
                    op.unwrap_or('\u{FFFD}')
                );
                let raw = matches!(op, Some('#' | '%'));
                if colon && raw {
                    return Err(self.error(start, ExpandErrorKind::UnsupportedModifier(op_text)));
                }
                let word = self.nested(start, '}', raw, ExpandErrorKind::MissingBrace)?;
                let form = match op {
                    Some('-') => RefForm::Default { colon },
                    Some('+') => RefForm::Alternative { colon },
                    Some('?') => RefForm::Required { colon },
                    Some('#') => RefForm::RemovePrefix {
                        longest: word.starts_with('#'),
                    },
                    Some('%') => RefForm::RemoveSuffix {
                        longest: word.starts_with('%'),
                    },
                    // Unsupported: an error below, unless the lexer keeps unset variables,
                    // in which case BuildKit gives the expression back as written.
                    _ => RefForm::Braced,
                };
                let value = self.lookup(&name, start, name_start, form);
                if value.is_none() && self.lexer.skip_unset_env {
                    return Ok(format!("${{{name}{op_text}{word}}}"));
                }
                let Some(op @ ('-' | '+' | '?' | '#' | '%')) = op else {
                    let mut err = self.error(start, ExpandErrorKind::UnsupportedModifier(op_text));
                    // When unset variables are kept as written, `${V:=x}` fails only if V is set.
                    err.depends_on_values = self.lexer.skip_unset_env;
                    return Err(err);
                };
                let unset_or_null = match &value {
                    None => true,
                    Some(v) => colon && v.is_empty(),
                };
                match op {
                    '-' => Ok(if unset_or_null {
                        word
                    } else {
                        value.unwrap_or_default()
                    }),
                    '+' => Ok(if unset_or_null { String::new() } else { word }),
                    '?' => {
                        if self.mode == Mode::Analyze || !unset_or_null {
                            return Ok(value.unwrap_or_default());
                        }
                        let message = if !word.is_empty() {
                            word
                        } else if value.is_none() {
                            "is not allowed to be unset".to_string()
                        } else {
                            "is not allowed to be empty".to_string()
                        };
                        Err(self.error(start, ExpandErrorKind::Required { name, message }))
                    }
                    _ => {
                        if self.mode == Mode::Analyze {
                            return Ok(String::new());
                        }
                        let value = value.unwrap_or_default();
                        let (greedy, pattern) = match word.strip_prefix(op) {
                            Some(rest) => (true, rest),
                            None => (false, word.as_str()),
                        };
                        let trimmed = if op == '%' {
                            pattern::trim_suffix(pattern, &value, greedy)
                        } else {
                            pattern::trim_prefix(pattern, &value, greedy)
                        };
                        trimmed.map_err(|e| {
                            let shown = if op == '%' {
                                pattern::reverse_pattern(pattern)
                            } else {
                                pattern.to_string()
                            };
                            self.error(
                                start,
                                ExpandErrorKind::InvalidPattern {
                                    pattern: shown,
                                    reason: e.0,
                                },
                            )
                        })
                    }
                }
            }
            Some('/') => {
                let all = self.peek() == Some('/');
                if all {
                    self.pos += 1;
                }
                let pattern = self.nested(start, '/', true, ExpandErrorKind::MissingSlash)?;
                let replacement = self.nested(start, '}', true, ExpandErrorKind::MissingBrace)?;
                let value = self.lookup(&name, start, name_start, RefForm::Replace { all });
                if value.is_none() && self.lexer.skip_unset_env {
                    // BuildKit writes a single `/` back even for `//`.
                    return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
                }
                self.replace_in(
                    &pattern,
                    &value.unwrap_or_default(),
                    &replacement,
                    all,
                    start,
                )
            }
            other => Err(self.error(
                start,
                ExpandErrorKind::UnsupportedModifier(other.unwrap_or('\u{FFFD}').to_string()),
            )),
        }
    }

    /// The part of `${...}` up to `stop`, processed; running off the end of the word is
    /// reported as `at_end` like BuildKit does.
    fn nested(
        &mut self,
        start: usize,
        stop: char,
        raw: bool,
        at_end: ExpandErrorKind,
    ) -> Step<String> {
        match self.process_until(Some(stop), raw) {
            Ok((text, _)) => Ok(text),
            Err(_) if self.peek().is_none() => Err(self.error(start, at_end)),
            Err(err) => Err(err),
        }
    }

    fn replace_in(
        &self,
        pattern: &str,
        value: &str,
        replacement: &str,
        all: bool,
        start: usize,
    ) -> Step<String> {
        if self.mode == Mode::Analyze {
            return Ok(String::new());
        }
        let replaced = if all {
            pattern::replace_all(pattern, value, replacement)
        } else {
            pattern::replace_first(pattern, value, replacement)
        };
        replaced.map_err(|e| {
            self.error(
                start,
                ExpandErrorKind::InvalidPattern {
                    pattern: pattern.to_string(),
                    reason: e.0,
                },
            )
        })
    }
}
