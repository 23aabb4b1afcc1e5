//! Word expansion exactly as BuildKit's Dockerfile shell lexer does it
//! (`frontend/dockerfile/shell` in moby/buildkit).
//!
//! BuildKit expands variables in the words of `FROM`, `ENV`, `ARG`, `LABEL`, `COPY`, `ADD`,
//! `WORKDIR`, `USER`, `EXPOSE`, `VOLUME`, `STOPSIGNAL`, `ONBUILD` and `--flag` values itself,
//! before anything runs; `RUN`, `CMD` and `ENTRYPOINT` in shell form are left to the shell in
//! the container. This module is that expander:
//!
//! - [`Lexer::process_word`] (BuildKit's `ProcessWord`): one word in, one string out. Quotes
//!   and escapes are removed and variables expanded; whitespace is kept.
//! - [`Lexer::process_words`] (`ProcessWords`): the same, then split into fields on unquoted
//!   whitespace, including whitespace that an unquoted expansion produced.
//! - [`Lexer::expand`]: both at once, plus every variable reference with its byte span and
//!   whether the environment had it (BuildKit's matched/unmatched sets, used by its
//!   `UndefinedVar` check).
//! - [`Lexer::analyze`]: the references and the syntax errors of a word without any
//!   environment, and whether the word is static (its value cannot depend on variables).
//!
//! # Syntax
//!
//! | form | value |
//! | --- | --- |
//! | `$NAME`, `${NAME}` | the value, or empty when unset |
//! | `${NAME:-word}` / `${NAME-word}` | `word` when `NAME` is unset or empty / unset |
//! | `${NAME:+word}` / `${NAME+word}` | `word` when `NAME` is set and non-empty / set |
//! | `${NAME:?msg}` / `${NAME?msg}` | error `NAME: msg` when unset or empty / unset |
//! | `${NAME#pat}` / `${NAME##pat}` | shortest / longest matching prefix removed |
//! | `${NAME%pat}` / `${NAME%%pat}` | shortest / longest matching suffix removed |
//! | `${NAME/pat/rep}` / `${NAME//pat/rep}` | first / every match of `pat` replaced |
//! | `'...'` | literal, nothing escapes inside |
//! | `"..."` | literal except `$...`; the escape character escapes `"`, `$` and itself |
//! | `\c` (or `` `c `` with `# escape=``) | `c` literally; a final lone escape is dropped |
//!
//! Names are letters, digits and `_` (Unicode letters and decimal digits count, as in Go);
//! `$1`, `$001` (a run of digits) and `$@ $* $# $? $- $$ $! $0` are looked up under that
//! name, and are normally unset. A `$` that no name follows stays a literal `$`. In patterns,
//! `*` matches any run of characters and `?` one character (neither matches a newline);
//! `\*`, `\?`, `\\` are literal and `\}`, `\/` stand for `}` and `/`; any other backslash
//! escape is an error. `${NAME:=w}`, `${NAME:#p}`, `${NAME:%p}`, `${NAME.}`, `${}`, `${:...}`
//! and an unclosed `${` are errors, as are unterminated quotes.
//!
//! # BuildKit quirks kept on purpose
//!
//! - The word inside `${NAME:-word}` (and the other operators) is always expanded, even when
//!   its value is not used, so `${SET:-${UNSET:?}}` fails.
//! - A `${...}` with an operator in [`process_words`](Lexer::process_words) drops the text
//!   gathered for the current field before it (BuildKit shares one field buffer between
//!   nested parts): `a${X:-b}c` splits to `["bc"]`. [`process_word`](Lexer::process_word)
//!   is not affected.
//! - In `${NAME#pat}`, `${NAME%pat}` and `${NAME/pat/rep}` escape characters are kept in
//!   the pattern and in the replacement: `${P//\//\/}` turns `/a` into `\/a`.
//! - `${NAME//pat/rep}` reads `$0` and `${0}` in the replacement as the matched text and
//!   `$$` as `$` (Go's regexp template syntax); `${NAME/pat/rep}` uses it literally.
//! - `<<` and the blanks after it stay in one field with the next word (heredoc markers).
//! - A byte-order mark at the very start of the word is dropped.
//!
//! The one deliberate difference: expressions nested more than [`MAX_NESTING`] deep are an
//! error here (Go's growable stacks have no such limit; no real Dockerfile comes close).

mod error;
mod pattern;
mod unicode;
mod word;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasher;
use std::ops::Range;

use serde::Serialize;

pub use error::{ExpandError, ExpandErrorKind};
use word::{Mode, WordProcessor};

/// How deep `${...}` expressions may nest inside each other.
pub const MAX_NESTING: usize = 200;

/// Where variable values come from. `None` means unset, `Some("")` set but empty: BuildKit
/// tells the two apart (`${V-x}` vs `${V:-x}`, `${V?}` vs `${V:?}`).
///
/// Implemented for [`Variables`], [`NoVariables`], hash and B-tree maps from `String` to
/// `String`, and closures `Fn(&str) -> Option<String>`, so callers can plug in a scoped
/// environment such as [`crate::scope::BuildScope`].
pub trait Environment {
    /// The value of `name`.
    fn get(&self, name: &str) -> Option<Cow<'_, str>>;
}

impl<S: BuildHasher> Environment for HashMap<String, String, S> {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        HashMap::get(self, name).map(|v| Cow::Borrowed(v.as_str()))
    }
}

impl Environment for BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        BTreeMap::get(self, name).map(|v| Cow::Borrowed(v.as_str()))
    }
}

impl<F: Fn(&str) -> Option<String>> Environment for F {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        self(name).map(Cow::Owned)
    }
}

/// An environment in which every variable is unset.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoVariables;

impl Environment for NoVariables {
    fn get(&self, _name: &str) -> Option<Cow<'_, str>> {
        None
    }
}

/// An ordered set of variables, as BuildKit keeps a build step's environment: setting a
/// name again replaces its value and moves it to the end, so [`iter`](Self::iter) lists
/// variables in the order of their last assignment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Variables {
    entries: Vec<(String, String)>,
}

impl Variables {
    /// No variables.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads `NAME=value` strings the way BuildKit's `EnvsFromSlice` does: the name ends at
    /// the first `=`, an entry without `=` sets the name to the empty string, and a later
    /// entry for the same name wins.
    pub fn from_assignments<I, S>(assignments: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut vars = Self::new();
        for assignment in assignments {
            let assignment = assignment.as_ref();
            let (name, value) = assignment.split_once('=').unwrap_or((assignment, ""));
            vars.set(name, value);
        }
        vars
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` is set (possibly to the empty string).
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets `name`, moving it to the end of the order.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.entries.retain(|(k, _)| *k != name);
        self.entries.push((name, value.into()));
    }

    /// Sets `name`, keeping its place when it is already set: how BuildKit updates an image
    /// config's `Env` list (unlike a build step's environment, see [`set`](Self::set)).
    pub fn set_in_place(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        match self.entries.iter_mut().find(|(k, _)| *k == name) {
            Some(entry) => entry.1 = value.into(),
            None => self.entries.push((name, value.into())),
        }
    }

    /// Sets `name` only if it is not set yet.
    pub fn set_default(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        if !self.contains(&name) {
            self.entries.push((name, value.into()));
        }
    }

    /// Unsets `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let at = self.entries.iter().position(|(k, _)| k == name)?;
        Some(self.entries.remove(at).1)
    }

    /// The variables in order of last assignment.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The names in order of last assignment.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// `NAME=value` strings, in order (the form of an image config's `Env`).
    pub fn to_assignments(&self) -> Vec<String> {
        self.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }

    /// How many variables are set.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no variable is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Environment for Variables {
    fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        Variables::get(self, name).map(Cow::Borrowed)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Variables {
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        let mut vars = Self::new();
        for (k, v) in iter {
            vars.set(k, v);
        }
        vars
    }
}

impl<K: Into<String>, V: Into<String>> Extend<(K, V)> for Variables {
    fn extend<T: IntoIterator<Item = (K, V)>>(&mut self, iter: T) {
        for (k, v) in iter {
            self.set(k, v);
        }
    }
}

/// BuildKit's shell lexer with its options. `Copy`, cheap to build per call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexer {
    escape: char,
    raw_quotes: bool,
    raw_escapes: bool,
    skip_process_quotes: bool,
    skip_unset_env: bool,
}

impl Default for Lexer {
    fn default() -> Self {
        Lexer::new('\\')
    }
}

impl Lexer {
    /// A lexer using `escape` as the escape character: `\` by default, `` ` `` after a
    /// `# escape=`` ` directive.
    pub fn new(escape: char) -> Self {
        Lexer {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_process_quotes: false,
            skip_unset_env: false,
        }
    }

    /// The escape character.
    pub fn escape(&self) -> char {
        self.escape
    }

    /// Keep quote characters in the output (BuildKit's `RawQuotes`; its parser uses this to
    /// tell quoted heredoc delimiters apart).
    pub fn with_raw_quotes(mut self, on: bool) -> Self {
        self.raw_quotes = on;
        self
    }

    /// Keep escape characters in the output (`RawEscapes`).
    pub fn with_raw_escapes(mut self, on: bool) -> Self {
        self.raw_escapes = on;
        self
    }

    /// Treat quotes as ordinary characters (`SkipProcessQuotes`; used for heredoc bodies
    /// that `COPY <<EOF` expands).
    pub fn with_skip_process_quotes(mut self, on: bool) -> Self {
        self.skip_process_quotes = on;
        self
    }

    /// Leave references to unset variables as written, `$V`/`${V...}`, instead of
    /// expanding them to empty (`SkipUnsetEnv`).
    pub fn with_skip_unset_env(mut self, on: bool) -> Self {
        self.skip_unset_env = on;
        self
    }

    /// BuildKit's `ProcessWord`: the word with quotes and escapes removed and variables
    /// expanded, whitespace kept.
    pub fn process_word<E: Environment + ?Sized>(
        &self,
        word: &str,
        env: &E,
    ) -> Result<String, ExpandError> {
        Ok(self.expand(word, env)?.value)
    }

    /// BuildKit's `ProcessWords`: expansion, then the result split into fields on unquoted
    /// whitespace (including whitespace that unquoted expansions produce). Empty fields
    /// are dropped, so `""` alone gives no field.
    pub fn process_words<E: Environment + ?Sized>(
        &self,
        word: &str,
        env: &E,
    ) -> Result<Vec<String>, ExpandError> {
        Ok(self.expand(word, env)?.words)
    }

    /// Expands `word` in `env`, giving the value, the fields and every variable reference.
    pub fn expand<E: Environment + ?Sized>(
        &self,
        word: &str,
        env: &E,
    ) -> Result<Expansion, ExpandError> {
        let processed = WordProcessor::new(*self, word, env, Mode::Expand).run()?;
        Ok(Expansion {
            value: processed.value,
            words: processed.words,
            references: processed.references,
        })
    }

    /// The variable references in `word` and whether its value is static, without an
    /// environment. Fails only on errors in the text itself ([`ExpandError::is_syntax_error`]);
    /// `${V:?}` and patterns are not evaluated.
    pub fn analyze(&self, word: &str) -> Result<WordInfo, ExpandError> {
        let processed = WordProcessor::new(*self, word, &NoVariables, Mode::Analyze).run()?;
        let is_static = processed.references.is_empty();
        Ok(WordInfo {
            static_value: is_static.then_some(processed.value),
            static_words: is_static.then_some(processed.words),
            references: processed.references,
        })
    }
}

/// [`Lexer::process_word`] with the default escape character `\`.
pub fn process_word<E: Environment + ?Sized>(word: &str, env: &E) -> Result<String, ExpandError> {
    Lexer::default().process_word(word, env)
}

/// [`Lexer::process_words`] with the default escape character `\`.
pub fn process_words<E: Environment + ?Sized>(
    word: &str,
    env: &E,
) -> Result<Vec<String>, ExpandError> {
    Lexer::default().process_words(word, env)
}

/// The result of [`Lexer::expand`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expansion {
    /// `ProcessWord`'s result.
    pub value: String,
    /// `ProcessWords`' result.
    pub words: Vec<String>,
    /// Every variable looked up, in order of position in the word.
    pub references: Vec<VarRef>,
}

impl Expansion {
    /// Names that were set in the environment (BuildKit's `Matched`).
    pub fn matched(&self) -> BTreeSet<&str> {
        self.references
            .iter()
            .filter(|r| r.set)
            .map(|r| r.name.as_str())
            .collect()
    }

    /// Names that were not set (BuildKit's `Unmatched`, the input of `UndefinedVar`).
    pub fn unmatched(&self) -> BTreeSet<&str> {
        self.references
            .iter()
            .filter(|r| !r.set)
            .map(|r| r.name.as_str())
            .collect()
    }
}

/// What [`Lexer::analyze`] finds in a word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordInfo {
    /// Every variable reference, in order of position.
    pub references: Vec<VarRef>,
    /// The word's value when it references no variable (quotes and escapes removed).
    pub static_value: Option<String>,
    /// The word's fields when it references no variable.
    pub static_words: Option<Vec<String>>,
}

impl WordInfo {
    /// Whether the word's value is the same in every environment.
    pub fn is_static(&self) -> bool {
        self.static_value.is_some()
    }

    /// The referenced names, each once, in order of first appearance.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for r in &self.references {
            if !names.contains(&r.name.as_str()) {
                names.push(&r.name);
            }
        }
        names
    }
}

/// One variable reference inside a word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VarRef {
    /// The name as written (`PWD`, `1`, `@`; empty for the odd `${+x}`).
    pub name: String,
    /// Byte range of the whole expression in the word, `$` to the end of the name or the
    /// closing `}`.
    pub span: Range<usize>,
    /// Byte range of the name in the word.
    pub name_span: Range<usize>,
    /// Which form of expansion.
    pub form: RefForm,
    /// Whether it sits inside double quotes (so its value is never split into fields).
    pub quoted: bool,
    /// Whether the environment had the variable (always false from [`Lexer::analyze`]).
    pub set: bool,
}

/// The form of a variable reference. `colon` is the `:` variant that treats empty like
/// unset; `longest` is the doubled operator (`##`, `%%`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RefForm {
    /// `$NAME`
    Plain,
    /// `${NAME}`
    Braced,
    /// `${NAME-word}`, `${NAME:-word}`
    Default { colon: bool },
    /// `${NAME+word}`, `${NAME:+word}`
    Alternative { colon: bool },
    /// `${NAME?msg}`, `${NAME:?msg}`
    Required { colon: bool },
    /// `${NAME#pat}`, `${NAME##pat}`
    RemovePrefix { longest: bool },
    /// `${NAME%pat}`, `${NAME%%pat}`
    RemoveSuffix { longest: bool },
    /// `${NAME/pat/rep}`, `${NAME//pat/rep}`
    Replace { all: bool },
}

#[cfg(test)]
mod tests;
