//! Errors from word expansion, worded like BuildKit's so users recognise them.

use std::fmt;

/// A word that BuildKit's shell lexer rejects, or a `${NAME?message}` whose variable is
/// missing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to process {}: {kind}", GoQuoted(.word))]
pub struct ExpandError {
    /// The word as given to the lexer.
    pub word: String,
    /// Byte offset inside `word` where the problem was found (for `${...}` problems, the
    /// `$` that starts the expression; for unterminated quotes, the opening quote).
    pub offset: usize,
    /// What went wrong.
    pub kind: ExpandErrorKind,
    /// Whether another environment could have avoided the error.
    pub(crate) depends_on_values: bool,
}

impl ExpandError {
    /// Whether the error comes from the text of the word alone (unterminated quote, bad
    /// `${...}` syntax), so it happens in every environment, rather than from variable
    /// values (`${V:?}` with `V` unset, an invalid pattern that came out of an expansion, or
    /// an unsupported operator on a set variable when unset ones are kept as written).
    pub fn is_syntax_error(&self) -> bool {
        !self.depends_on_values
    }
}

/// The kinds of expansion failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpandErrorKind {
    /// `'...` with no closing quote.
    #[error("unexpected end of statement while looking for matching single-quote")]
    UnterminatedSingleQuote,
    /// `"...` with no closing quote.
    #[error("unexpected end of statement while looking for matching double-quote")]
    UnterminatedDoubleQuote,
    /// The word ended inside `${...}`.
    #[error("syntax error: missing '}}'")]
    MissingBrace,
    /// The word ended inside the pattern of `${NAME/pattern/replacement}`.
    #[error("syntax error: missing '/' in ${{}}")]
    MissingSlash,
    /// The word ended while an inner part was looking for the given character.
    #[error("unexpected end of statement while looking for matching {0}")]
    UnexpectedEnd(char),
    /// `${}`, `${:...}`, `${{...}`.
    #[error("syntax error: bad substitution")]
    BadSubstitution,
    /// `${NAME` followed by something that is not a known operator, e.g. `${A:=b}`,
    /// `${A:#b}`, `${A.}`. Holds the operator text as BuildKit prints it.
    #[error("unsupported modifier ({0}) in substitution")]
    UnsupportedModifier(String),
    /// `${NAME?message}` / `${NAME:?message}` with `NAME` unset (or empty, with `:`).
    #[error("{name}: {message}")]
    Required {
        /// The variable.
        name: String,
        /// The message given in the word, or BuildKit's default one.
        message: String,
    },
    /// A `#`, `%` or `/` pattern with an escape BuildKit does not accept (only `\*`, `\?`,
    /// `\\`, `\}` and `\/` are allowed).
    #[error("invalid pattern ({pattern}) in substitution: {reason}")]
    InvalidPattern {
        /// The pattern as BuildKit compiled it (reversed for `%` and `%%`).
        pattern: String,
        /// Why it is invalid.
        reason: String,
    },
    /// `${` expressions nested deeper than [`MAX_NESTING`](super::MAX_NESTING).
    #[error("substitutions nested more than {0} deep")]
    TooDeep(usize),
}

/// Formats a string the way Go's `%q` does, as BuildKit's messages quote the word that way.
pub(crate) struct GoQuoted<'a>(pub &'a str);

impl fmt::Display for GoQuoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        f.write_char('"')?;
        for ch in self.0.chars() {
            match ch {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\u{07}' => f.write_str("\\a")?,
                '\u{08}' => f.write_str("\\b")?,
                '\u{0C}' => f.write_str("\\f")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                '\u{0B}' => f.write_str("\\v")?,
                c if (c as u32) < 0x20 || c == '\u{7F}' => write!(f, "\\x{:02x}", c as u32)?,
                c if c.is_control() || c == '\u{FEFF}' || c == '\u{AD}' => {
                    if (c as u32) <= 0xFFFF {
                        write!(f, "\\u{:04x}", c as u32)?
                    } else {
                        write!(f, "\\U{:08x}", c as u32)?
                    }
                }
                c => f.write_char(c)?,
            }
        }
        f.write_char('"')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_like_buildkit() {
        let err = ExpandError {
            word: "he${PWD".into(),
            offset: 2,
            kind: ExpandErrorKind::MissingBrace,
            depends_on_values: false,
        };
        assert_eq!(
            err.to_string(),
            r#"failed to process "he${PWD": syntax error: missing '}'"#
        );
        let err = ExpandError {
            word: "${FOO:?\"custom error\"}".into(),
            offset: 0,
            kind: ExpandErrorKind::Required {
                name: "FOO".into(),
                message: "custom error".into(),
            },
            depends_on_values: true,
        };
        assert_eq!(
            err.to_string(),
            r#"failed to process "${FOO:?\"custom error\"}": FOO: custom error"#
        );
        assert!(!err.is_syntax_error());
    }

    #[test]
    fn go_quoting() {
        assert_eq!(GoQuoted("a\tb\\\u{1}é").to_string(), r#""a\tb\\\x01é""#);
    }
}
