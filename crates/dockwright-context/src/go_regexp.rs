//! Go's `regexp` syntax (with the `syntax.Perl` flags `regexp.Compile` uses), parsed the way
//! Go parses it and translated into an equivalent pattern for the `regex` crate.
//!
//! moby/patternmatcher turns a glob into a Go regular expression by text substitution without
//! tracking character classes or escapes, so the expression it hands to Go can contain any Go
//! regexp construct: `\d`, `\pL`, `[[:alpha:]]`, octal escapes, `\Q...\E`, `\b`, a `^` in the
//! middle, a class swallowing the `[^/]` it generated for `*`, and so on. To give BuildKit's
//! answer for every pattern, this module parses that expression with Go's rules (including
//! which expressions are errors) and then writes it out in a form where every literal and every
//! class is explicit, so the `regex` crate's own syntax differences cannot leak in.
//!
//! Known differences: Unicode general categories (`\pL` and friends) come from the `regex`
//! crate's Unicode tables, which may be a newer Unicode version than the Go release BuildKit was
//! built with; the single-letter category names are accepted case-insensitively as in Go 1.25;
//! Go's limits on expression size are not reproduced.

use std::fmt::Write as _;

/// A Go regexp parse error: the error code text Go uses and the offending expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoRegexError {
    /// Go's error code text, such as `invalid escape sequence`.
    pub code: &'static str,
    /// The part of the expression Go blames.
    pub expr: String,
}

impl std::fmt::Display for GoRegexError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error parsing regexp: {}: `{}`", self.code, self.expr)
    }
}

impl std::error::Error for GoRegexError {}

const ERR_INVALID_CHAR_RANGE: &str = "invalid character class range";
const ERR_INVALID_ESCAPE: &str = "invalid escape sequence";
const ERR_INVALID_PERL_OP: &str = "invalid or unsupported Perl syntax";
const ERR_INVALID_REPEAT_OP: &str = "invalid nested repetition operator";
const ERR_INVALID_REPEAT_SIZE: &str = "invalid repeat count";
const ERR_MISSING_BRACKET: &str = "missing closing ]";
const ERR_MISSING_PAREN: &str = "missing closing )";
const ERR_MISSING_REPEAT_ARGUMENT: &str = "missing argument to repetition operator";
const ERR_TRAILING_BACKSLASH: &str = "trailing backslash at end of expression";
const ERR_UNEXPECTED_PAREN: &str = "unexpected )";
const ERR_TOO_LARGE: &str = "expression too large";

fn error(code: &'static str, expr: &str) -> GoRegexError {
    GoRegexError {
        code,
        expr: expr.to_owned(),
    }
}

const MAX_RUNE: u32 = 0x10FFFF;

/// A parsed Go regular expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Matches the empty string.
    Empty,
    /// One code point.
    Literal(char),
    /// A character class.
    Class(Class),
    /// `.` without the `s` flag: any code point but `\n`.
    AnyNotNewline,
    /// `^` (Perl flags make it the start of the text) or `\A`.
    BeginText,
    /// `$` (end of the text) or `\z`.
    EndText,
    /// `\b`: an ASCII word boundary.
    WordBoundary,
    /// `\B`.
    NoWordBoundary,
    /// A sequence.
    Concat(Vec<Node>),
    /// Alternatives.
    Alternate(Vec<Node>),
    /// `x*`, `x+`, `x?`, `x{n,m}`; `max` is `None` when unbounded.
    Repeat {
        sub: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
    /// A capturing group.
    Capture(Box<Node>),
}

/// A character class: the union of its items, negated when `negated`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Class {
    pub negated: bool,
    pub items: Vec<ClassItem>,
}

/// One part of a character class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassItem {
    /// Code points `lo..=hi` (may cover surrogates, which never occur in text).
    Range(u32, u32),
    /// A one-letter Unicode general category (`C L M N P S Z`), possibly negated.
    Category { name: char, negated: bool },
}

/// Parses `expr` exactly as Go's `regexp.Compile` would (Perl flags).
pub fn parse(expr: &str) -> Result<Node, GoRegexError> {
    Parser::default().parse(expr)
}

/// Parses `expr` with Go's rules and compiles the equivalent `regex` crate expression.
pub fn compile(expr: &str) -> Result<regex::Regex, GoRegexError> {
    let node = parse(expr)?;
    let mut rust = String::with_capacity(expr.len() * 4);
    emit(&node, &mut rust);
    regex::RegexBuilder::new(&rust)
        .size_limit(64 << 20)
        .build()
        .map_err(|_| error(ERR_TOO_LARGE, expr))
}

#[derive(Default)]
struct Frame {
    alternatives: Vec<Vec<Node>>,
    current: Vec<Node>,
}

impl Frame {
    fn finish(mut self) -> Node {
        if self.alternatives.is_empty() {
            return concat(self.current);
        }
        self.alternatives.push(self.current);
        Node::Alternate(self.alternatives.into_iter().map(concat).collect())
    }
}

fn concat(mut nodes: Vec<Node>) -> Node {
    match nodes.len() {
        0 => Node::Empty,
        1 => nodes.pop().unwrap_or(Node::Empty),
        _ => Node::Concat(nodes),
    }
}

#[derive(Default)]
struct Parser {
    frames: Vec<Frame>,
}

fn next_rune(t: &str) -> (char, &str) {
    match t.chars().next() {
        Some(c) => (c, &t[c.len_utf8()..]),
        // Go's DecodeRuneInString("") gives (RuneError, 0) and no error.
        None => ('\u{FFFD}', t),
    }
}

impl Parser {
    fn top(&mut self) -> &mut Frame {
        if self.frames.is_empty() {
            self.frames.push(Frame::default());
        }
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    fn push(&mut self, node: Node) {
        self.top().current.push(node);
    }

    fn parse(mut self, whole: &str) -> Result<Node, GoRegexError> {
        self.frames.push(Frame::default());
        let mut t = whole;
        let mut last_repeat = false;
        while let Some(&b) = t.as_bytes().first() {
            let mut repeat = false;
            match b {
                b'(' => {
                    if t.as_bytes().get(1) == Some(&b'?') {
                        // Flags and named groups cannot come out of a .dockerignore pattern
                        // (patternmatcher escapes `(`); refuse rather than guess.
                        return Err(error(ERR_INVALID_PERL_OP, t));
                    }
                    self.frames.push(Frame::default());
                    t = &t[1..];
                }
                b'|' => {
                    let top = self.top();
                    let current = std::mem::take(&mut top.current);
                    top.alternatives.push(current);
                    t = &t[1..];
                }
                b')' => {
                    if self.frames.len() < 2 {
                        return Err(error(ERR_UNEXPECTED_PAREN, whole));
                    }
                    let frame = self.frames.pop().unwrap_or_default();
                    self.push(Node::Capture(Box::new(frame.finish())));
                    t = &t[1..];
                }
                b'^' => {
                    self.push(Node::BeginText);
                    t = &t[1..];
                }
                b'$' => {
                    self.push(Node::EndText);
                    t = &t[1..];
                }
                b'.' => {
                    self.push(Node::AnyNotNewline);
                    t = &t[1..];
                }
                b'[' => {
                    let (class, rest) = parse_class(t)?;
                    self.push(Node::Class(class));
                    t = rest;
                }
                b'*' | b'+' | b'?' => {
                    let before = t;
                    let (min, max) = match b {
                        b'*' => (0, None),
                        b'+' => (1, None),
                        _ => (0, Some(1)),
                    };
                    let mut after = &t[1..];
                    if after.as_bytes().first() == Some(&b'?') {
                        after = &after[1..];
                    }
                    if last_repeat {
                        return Err(error(
                            ERR_INVALID_REPEAT_OP,
                            &before[..before.len() - after.len()],
                        ));
                    }
                    self.repeat(min, max, &before[..before.len() - after.len()])?;
                    repeat = true;
                    t = after;
                }
                b'{' => match parse_repeat(t) {
                    None => {
                        self.push(Node::Literal('{'));
                        t = &t[1..];
                    }
                    Some((min, max, after)) => {
                        let spelled = &t[..t.len() - after.len()];
                        let too_big = |n: i64| !(0..=1000).contains(&n);
                        if too_big(min)
                            || max.is_some_and(|m| m > 1000)
                            || max.is_some_and(|m| m >= 0 && min > m)
                        {
                            return Err(error(ERR_INVALID_REPEAT_SIZE, spelled));
                        }
                        let mut after = after;
                        if after.as_bytes().first() == Some(&b'?') {
                            after = &after[1..];
                        }
                        if last_repeat {
                            return Err(error(ERR_INVALID_REPEAT_OP, spelled));
                        }
                        let max = max.and_then(|m| u32::try_from(m).ok());
                        let min = u32::try_from(min).unwrap_or(0);
                        self.repeat(min, max, spelled)?;
                        repeat = true;
                        t = after;
                    }
                },
                b'\\' => {
                    t = self.parse_backslash(t)?;
                }
                _ => {
                    let (c, rest) = next_rune(t);
                    self.push(Node::Literal(c));
                    t = rest;
                }
            }
            last_repeat = repeat;
        }
        if self.frames.len() != 1 {
            return Err(error(ERR_MISSING_PAREN, whole));
        }
        Ok(self.frames.pop().unwrap_or_default().finish())
    }

    fn repeat(&mut self, min: u32, max: Option<u32>, spelled: &str) -> Result<(), GoRegexError> {
        let top = self.top();
        match top.current.pop() {
            None => Err(error(ERR_MISSING_REPEAT_ARGUMENT, spelled)),
            Some(sub) => {
                top.current.push(Node::Repeat {
                    sub: Box::new(sub),
                    min,
                    max,
                });
                Ok(())
            }
        }
    }

    /// Everything that starts with a backslash outside a class.
    fn parse_backslash<'t>(&mut self, t: &'t str) -> Result<&'t str, GoRegexError> {
        if let Some(&second) = t.as_bytes().get(1) {
            match second {
                b'A' => {
                    self.push(Node::BeginText);
                    return Ok(&t[2..]);
                }
                b'b' => {
                    self.push(Node::WordBoundary);
                    return Ok(&t[2..]);
                }
                b'B' => {
                    self.push(Node::NoWordBoundary);
                    return Ok(&t[2..]);
                }
                b'C' => return Err(error(ERR_INVALID_ESCAPE, &t[..2])),
                b'Q' => {
                    let body = &t[2..];
                    let (literal, rest) = match body.find("\\E") {
                        Some(i) => (&body[..i], &body[i + 2..]),
                        None => (body, ""),
                    };
                    for c in literal.chars() {
                        self.push(Node::Literal(c));
                    }
                    return Ok(rest);
                }
                b'z' => {
                    self.push(Node::EndText);
                    return Ok(&t[2..]);
                }
                _ => {}
            }
        }
        let mut items = Vec::new();
        if let Some(rest) = parse_unicode_class(t, &mut items)? {
            self.push(Node::Class(Class {
                negated: false,
                items,
            }));
            return Ok(rest);
        }
        if let Some(rest) = parse_perl_class(t, &mut items) {
            self.push(Node::Class(Class {
                negated: false,
                items,
            }));
            return Ok(rest);
        }
        let (c, rest) = parse_escape(t)?;
        self.push(Node::Literal(c));
        Ok(rest)
    }
}

/// `{min}`, `{min,}` or `{min,max}`; `None` when `t` is not of that form (then `{` is a
/// literal). A number too big to read gives -1, as in Go.
fn parse_repeat(t: &str) -> Option<(i64, Option<i64>, &str)> {
    let s = t.strip_prefix('{')?;
    let (min, s) = parse_int(s)?;
    if s.is_empty() {
        return None;
    }
    let (min, max, s) = if let Some(s) = s.strip_prefix(',') {
        if s.is_empty() {
            return None;
        }
        if s.starts_with('}') {
            (min, None, s)
        } else {
            let (max, s) = parse_int(s)?;
            if max < 0 {
                (-1, Some(max), s)
            } else {
                (min, Some(max), s)
            }
        }
    } else {
        (min, Some(min), s)
    };
    let rest = s.strip_prefix('}')?;
    Some((min, max, rest))
}

fn parse_int(s: &str) -> Option<(i64, &str)> {
    let bytes = s.as_bytes();
    if bytes.first().is_none_or(|b| !b.is_ascii_digit()) {
        return None;
    }
    if bytes.len() >= 2 && bytes[0] == b'0' && bytes[1].is_ascii_digit() {
        return None;
    }
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let mut n: i64 = 0;
    for &d in &bytes[..digits] {
        if n >= 100_000_000 {
            n = -1;
            break;
        }
        n = n * 10 + i64::from(d - b'0');
    }
    Some((n, &s[digits..]))
}

fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn unhex(c: char) -> Option<u32> {
    c.to_digit(16)
}

/// An escape like `\n`, `\x41`, `\101`, `\.`; `t` starts with the backslash.
fn parse_escape(t: &str) -> Result<(char, &str), GoRegexError> {
    let s = t;
    let t = &t[1..];
    if t.is_empty() {
        return Err(error(ERR_TRAILING_BACKSLASH, ""));
    }
    let (c, t) = next_rune(t);
    let invalid = |rest: &str| error(ERR_INVALID_ESCAPE, &s[..s.len() - rest.len()]);
    match c {
        '1'..='7' | '0' => {
            let octal_follows = t
                .as_bytes()
                .first()
                .is_some_and(|b| (b'0'..=b'7').contains(b));
            if c != '0' && !octal_follows {
                // A lone non-zero digit would be a backreference, which Go rejects.
                return Err(invalid(t));
            }
            let mut r = u32::from(c) - u32::from('0');
            let mut t = t;
            for _ in 1..3 {
                match t.as_bytes().first() {
                    Some(b) if (b'0'..=b'7').contains(b) => {
                        r = r * 8 + u32::from(*b - b'0');
                        t = &t[1..];
                    }
                    _ => break,
                }
            }
            Ok((char::from_u32(r).unwrap_or('\u{FFFD}'), t))
        }
        'x' => {
            if t.is_empty() {
                return Err(invalid(t));
            }
            let (c, mut t) = next_rune(t);
            if c == '{' {
                let mut nhex = 0;
                let mut r: u32 = 0;
                loop {
                    if t.is_empty() {
                        return Err(invalid(t));
                    }
                    let (c, rest) = next_rune(t);
                    t = rest;
                    if c == '}' {
                        break;
                    }
                    let Some(v) = unhex(c) else {
                        return Err(invalid(t));
                    };
                    r = r * 16 + v;
                    if r > MAX_RUNE {
                        return Err(invalid(t));
                    }
                    nhex += 1;
                }
                if nhex == 0 {
                    return Err(invalid(t));
                }
                return match char::from_u32(r) {
                    Some(c) => Ok((c, t)),
                    None => Err(invalid(t)),
                };
            }
            let x = unhex(c);
            let (c2, t) = next_rune(t);
            match (x, unhex(c2)) {
                (Some(x), Some(y)) => Ok((char::from_u32(x * 16 + y).unwrap_or('\u{FFFD}'), t)),
                _ => Err(invalid(t)),
            }
        }
        'a' => Ok(('\u{7}', t)),
        'f' => Ok(('\u{c}', t)),
        'n' => Ok(('\n', t)),
        'r' => Ok(('\r', t)),
        't' => Ok(('\t', t)),
        'v' => Ok(('\u{b}', t)),
        _ if c.is_ascii() && !is_alnum(c) => Ok((c, t)),
        _ => Err(invalid(t)),
    }
}

fn push_ranges(items: &mut Vec<ClassItem>, ranges: &[(u32, u32)], negated: bool) {
    if negated {
        let mut next = 0;
        for &(lo, hi) in ranges {
            if next < lo {
                items.push(ClassItem::Range(next, lo - 1));
            }
            next = hi + 1;
        }
        if next <= MAX_RUNE {
            items.push(ClassItem::Range(next, MAX_RUNE));
        }
    } else {
        items.extend(ranges.iter().map(|&(lo, hi)| ClassItem::Range(lo, hi)));
    }
}

/// `\d \D \s \S \w \W` (ASCII only, as in Go).
fn parse_perl_class<'t>(t: &'t str, items: &mut Vec<ClassItem>) -> Option<&'t str> {
    let bytes = t.as_bytes();
    if bytes.len() < 2 || bytes[0] != b'\\' {
        return None;
    }
    let (ranges, negated): (&[(u32, u32)], bool) = match bytes[1] {
        b'd' => (&[(0x30, 0x39)], false),
        b'D' => (&[(0x30, 0x39)], true),
        b's' => (&[(0x9, 0xa), (0xc, 0xd), (0x20, 0x20)], false),
        b'S' => (&[(0x9, 0xa), (0xc, 0xd), (0x20, 0x20)], true),
        b'w' => (
            &[(0x30, 0x39), (0x41, 0x5a), (0x5f, 0x5f), (0x61, 0x7a)],
            false,
        ),
        b'W' => (
            &[(0x30, 0x39), (0x41, 0x5a), (0x5f, 0x5f), (0x61, 0x7a)],
            true,
        ),
        _ => return None,
    };
    push_ranges(items, ranges, negated);
    Some(&t[2..])
}

fn posix_class(name: &str) -> Option<&'static [(u32, u32)]> {
    Some(match name {
        "alnum" => &[(0x30, 0x39), (0x41, 0x5a), (0x61, 0x7a)],
        "alpha" => &[(0x41, 0x5a), (0x61, 0x7a)],
        "ascii" => &[(0x0, 0x7f)],
        "blank" => &[(0x9, 0x9), (0x20, 0x20)],
        "cntrl" => &[(0x0, 0x1f), (0x7f, 0x7f)],
        "digit" => &[(0x30, 0x39)],
        "graph" => &[(0x21, 0x7e)],
        "lower" => &[(0x61, 0x7a)],
        "print" => &[(0x20, 0x7e)],
        "punct" => &[(0x21, 0x2f), (0x3a, 0x40), (0x5b, 0x60), (0x7b, 0x7e)],
        "space" => &[(0x9, 0xd), (0x20, 0x20)],
        "upper" => &[(0x41, 0x5a)],
        "word" => &[(0x30, 0x39), (0x41, 0x5a), (0x5f, 0x5f), (0x61, 0x7a)],
        "xdigit" => &[(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
        _ => return None,
    })
}

/// `[:alpha:]` and friends inside a class; `Ok(None)` when `t` is not one (no `:]` follows).
fn parse_named_class<'t>(
    t: &'t str,
    items: &mut Vec<ClassItem>,
) -> Result<Option<&'t str>, GoRegexError> {
    let Some(i) = t[2..].find(":]") else {
        return Ok(None);
    };
    let end = i + 4;
    let spelled = &t[..end];
    let inner = &spelled[2..spelled.len() - 2];
    let (negated, name) = match inner.strip_prefix('^') {
        Some(name) => (true, name),
        None => (false, inner),
    };
    match posix_class(name) {
        Some(ranges) => {
            push_ranges(items, ranges, negated);
            Ok(Some(&t[end..]))
        }
        None => Err(error(ERR_INVALID_CHAR_RANGE, spelled)),
    }
}

/// `\pL`, `\PN`, `\p^L`; `Ok(None)` when `t` does not start with `\p` or `\P`.
fn parse_unicode_class<'t>(
    t: &'t str,
    items: &mut Vec<ClassItem>,
) -> Result<Option<&'t str>, GoRegexError> {
    let bytes = t.as_bytes();
    if bytes.len() < 2 || bytes[0] != b'\\' || (bytes[1] != b'p' && bytes[1] != b'P') {
        return Ok(None);
    }
    let mut negated = bytes[1] == b'P';
    let after = &t[2..];
    let (c, rest) = next_rune(after);
    if c == '{' {
        // `{` is always escaped by patternmatcher, so a braced name cannot occur.
        let end = t.find('}').unwrap_or(t.len());
        return Err(error(ERR_INVALID_CHAR_RANGE, &t[..end.min(t.len())]));
    }
    let seq = &t[..t.len() - rest.len()];
    let mut name = &seq[2..];
    if let Some(stripped) = name.strip_prefix('^') {
        negated = !negated;
        name = stripped;
    }
    let mut chars = name.chars();
    let category = match (chars.next(), chars.next()) {
        (Some(letter), None) if letter.is_ascii_alphabetic() => letter.to_ascii_uppercase(),
        _ => return Err(error(ERR_INVALID_CHAR_RANGE, seq)),
    };
    if !matches!(category, 'C' | 'L' | 'M' | 'N' | 'P' | 'S' | 'Z') {
        return Err(error(ERR_INVALID_CHAR_RANGE, seq));
    }
    items.push(ClassItem::Category {
        name: category,
        negated,
    });
    Ok(Some(rest))
}

fn parse_class_char<'t>(t: &'t str, whole: &str) -> Result<(char, &'t str), GoRegexError> {
    if t.is_empty() {
        return Err(error(ERR_MISSING_BRACKET, whole));
    }
    if t.as_bytes()[0] == b'\\' {
        return parse_escape(t);
    }
    Ok(next_rune(t))
}

/// A class starting at `s` (which begins with `[`).
fn parse_class(s: &str) -> Result<(Class, &str), GoRegexError> {
    let mut t = &s[1..];
    let mut class = Class::default();
    if let Some(rest) = t.strip_prefix('^') {
        class.negated = true;
        t = rest;
    }
    let mut first = true;
    while t.is_empty() || t.as_bytes()[0] != b']' || first {
        first = false;
        let bytes = t.as_bytes();
        if bytes.len() > 2
            && bytes[0] == b'['
            && bytes[1] == b':'
            && let Some(rest) = parse_named_class(t, &mut class.items)?
        {
            t = rest;
            continue;
        }
        if let Some(rest) = parse_unicode_class(t, &mut class.items)? {
            t = rest;
            continue;
        }
        if let Some(rest) = parse_perl_class(t, &mut class.items) {
            t = rest;
            continue;
        }
        let range_start = t;
        let (lo, rest) = parse_class_char(t, s)?;
        t = rest;
        let mut hi = lo;
        let bytes = t.as_bytes();
        if bytes.len() >= 2 && bytes[0] == b'-' && bytes[1] != b']' {
            let (h, rest) = parse_class_char(&t[1..], s)?;
            t = rest;
            hi = h;
            if hi < lo {
                let spelled = &range_start[..range_start.len() - t.len()];
                return Err(error(ERR_INVALID_CHAR_RANGE, spelled));
            }
        }
        class
            .items
            .push(ClassItem::Range(u32::from(lo), u32::from(hi)));
    }
    Ok((class, &t[1..]))
}

/// Writes `node` as a `regex` crate expression with the same matches.
pub fn emit(node: &Node, out: &mut String) {
    match node {
        Node::Empty => out.push_str("(?:)"),
        Node::Literal(c) => {
            let _ = write!(out, "\\x{{{:X}}}", u32::from(*c));
        }
        Node::Class(class) => emit_class(class, out),
        Node::AnyNotNewline => out.push_str("[^\\n]"),
        Node::BeginText => out.push_str("\\A"),
        Node::EndText => out.push_str("\\z"),
        Node::WordBoundary => out.push_str("(?-u:\\b)"),
        Node::NoWordBoundary => out.push_str("(?-u:\\B)"),
        Node::Concat(nodes) => nodes.iter().for_each(|n| emit(n, out)),
        Node::Alternate(nodes) => {
            out.push_str("(?:");
            for (i, n) in nodes.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                emit(n, out);
            }
            out.push(')');
        }
        Node::Repeat { sub, min, max } => {
            out.push_str("(?:");
            emit(sub, out);
            out.push(')');
            let _ = match max {
                None => write!(out, "{{{min},}}"),
                Some(max) => write!(out, "{{{min},{max}}}"),
            };
        }
        Node::Capture(sub) => {
            out.push_str("(?:");
            emit(sub, out);
            out.push(')');
        }
    }
}

fn emit_range(lo: u32, hi: u32, out: &mut String) -> bool {
    // Surrogates are not characters in Rust text; they never occur in a path either.
    let mut wrote = false;
    for (a, b) in [(lo, hi.min(0xD7FF)), (lo.max(0xE000), hi)] {
        if a <= b {
            let _ = write!(out, "\\x{{{a:X}}}-\\x{{{b:X}}}");
            wrote = true;
        }
    }
    wrote
}

fn emit_category(name: char, out: &mut String) {
    match name {
        // Go's C is Cc, Cf, Co and Cs; Rust's also has the unassigned code points.
        'C' => out.push_str("\\p{Cc}\\p{Cf}\\p{Co}"),
        other => {
            let _ = write!(out, "\\p{{{other}}}");
        }
    }
}

fn emit_class(class: &Class, out: &mut String) {
    let mut body = String::new();
    let mut any = false;
    for item in &class.items {
        match item {
            ClassItem::Range(lo, hi) => any |= emit_range(*lo, *hi, &mut body),
            ClassItem::Category { name, negated } => {
                any = true;
                if *negated {
                    body.push_str("[^");
                    emit_category(*name, &mut body);
                    body.push(']');
                } else {
                    emit_category(*name, &mut body);
                }
            }
        }
    }
    if !any {
        // An empty class matches nothing; negated, it matches any character.
        out.push_str(if class.negated {
            "[\\x{0}-\\x{10FFFF}]"
        } else {
            "[^\\x{0}-\\x{10FFFF}]"
        });
        return;
    }
    out.push('[');
    if class.negated {
        out.push('^');
    }
    out.push_str(&body);
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_match(expr: &str, text: &str) -> bool {
        compile(expr).unwrap().is_match(text)
    }

    fn is_error(expr: &str) -> bool {
        compile(expr).is_err()
    }

    #[test]
    fn regexps_patternmatcher_builds() {
        // The expressions from moby/patternmatcher's TestCompile.
        assert!(is_match("^[^/]*$", "abc"));
        assert!(!is_match("^[^/]*$", "a/b"));
        assert!(is_match("^(.*/)?dir2/[^/]*$", "dir/dir2/file"));
        assert!(is_match("^(.*/)?(.*/)?[^/]*\\.txt$", "file.txt"));
        assert!(is_match("^a[b-d]e$", "ace"));
        assert!(!is_match("^a[b-d]e$", "aae"));
        assert!(is_match("^\\.[^/]*$", ".foo"));
        assert!(is_match("^abc[^/]def$", "abcZdef"));
    }

    #[test]
    fn perl_and_posix_classes_are_ascii() {
        assert!(is_match("^\\d$", "7"));
        assert!(!is_match("^\\d$", "٣"));
        assert!(is_match("^[[:alpha:]]$", "q"));
        assert!(!is_match("^[[:alpha:]]$", "é"));
        assert!(is_match("^[[:^alpha:]]$", "é"));
        assert!(is_match("^[\\D]$", "x"));
        assert!(is_error("^[[:nope:]]$"));
    }

    #[test]
    fn escapes_follow_go() {
        assert!(is_match("^\\101$", "A"));
        assert!(is_match("^\\0$", "\0"));
        assert!(is_error("^\\8$"));
        assert!(is_error("^\\1$"));
        assert!(is_match("^\\x41$", "A"));
        assert!(is_error("^\\x\\{41\\}$"));
        assert!(is_match("^\\n$", "\n"));
        assert!(is_error("^\\q$"));
        assert!(is_match("^\\_$", "_"));
        assert!(is_error("^\\é$"));
        assert!(is_error("^[\\b]$"));
        assert!(is_error("a\\"));
        assert!(is_error("^\\C$"));
    }

    #[test]
    fn quoting_swallows_the_end_anchor() {
        // `\Q` runs to the end, so the trailing `$` is a literal and the match is a prefix one.
        assert!(is_match("^\\Qa[^/]*$", "a[^/]*$tail"));
        assert!(!is_match("^\\Qa[^/]*$", "ab"));
        assert!(is_match("^\\Qa*\\E.$", "a*b"));
    }

    #[test]
    fn classes_follow_go() {
        // `[` inside a class is literal; the class ends at the first `]`.
        assert!(is_match("^[[^/]*]$", "]"));
        assert!(is_match("^[[^/]*]$", "[^/]"));
        assert!(is_match("^[]a]$", "]"));
        assert!(is_match("^[a-]$", "-"));
        assert!(is_error("^[Local-Only]$"));
        assert!(is_error("^[a"));
        assert!(is_match("^[^a]$", "\n"));
        assert!(is_match("^[\\pL]$", "ж"));
        assert!(is_match("^\\pL$", "ж"));
        assert!(is_match("^\\pl$", "ж"));
        assert!(!is_match("^\\PL$", "ж"));
        assert!(is_error("^\\pQ$"));
        assert!(is_error("^\\p\\{L\\}$"));
        assert!(is_match("^[^\\x00-\\x{10FFFF}]?$", ""));
        assert!(!is_match("^[^\\x00-\\x{10FFFF}]$", "a"));
    }

    #[test]
    fn anchors_and_boundaries() {
        assert!(!is_match("^a^b$", "ab"));
        assert!(is_match("^[^/]*^$", ""));
        assert!(is_match("^a\\b$", "a"));
        assert!(!is_match("^a\\bb$", "ab"));
        assert!(is_match("^\\Aa\\z$", "a"));
        assert!(!is_match("^.*$", "a\nb"));
    }

    #[test]
    fn repetition_errors_follow_go() {
        assert!(is_error("a**"));
        assert!(is_error("*a"));
        assert!(is_error("(*)"));
        assert!(is_match("^a*?$", "aaa"));
        assert!(is_error("a*??"));
        assert!(is_error("(a"));
        assert!(is_error("a)"));
        assert!(is_match("^a{2}$", "aa"));
        assert!(is_match("^a{$", "a{"));
        assert!(is_error("a{1001}"));
    }
}
