//! Splitting an instruction's joined text into keyword, flags and arguments, and the
//! per-instruction argument rules, exactly as BuildKit's `splitCommand`,
//! `extractBuilderFlags` and line parsers do.

use std::ops::Range;

use serde::Serialize;

use crate::gotext;
use crate::json::{self, JsonArray};

/// The instructions of the Dockerfile reference, plus `Unknown` for any other keyword
/// (BuildKit's parser accepts those and ignores their arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InstructionKind {
    /// `FROM`
    From,
    /// `RUN`
    Run,
    /// `CMD`
    Cmd,
    /// `LABEL`
    Label,
    /// `MAINTAINER`
    Maintainer,
    /// `EXPOSE`
    Expose,
    /// `ENV`
    Env,
    /// `ADD`
    Add,
    /// `COPY`
    Copy,
    /// `ENTRYPOINT`
    Entrypoint,
    /// `VOLUME`
    Volume,
    /// `USER`
    User,
    /// `WORKDIR`
    Workdir,
    /// `ARG`
    Arg,
    /// `ONBUILD`
    Onbuild,
    /// `STOPSIGNAL`
    Stopsignal,
    /// `HEALTHCHECK`
    Healthcheck,
    /// `SHELL`
    Shell,
    /// Any other keyword.
    Unknown,
}

impl InstructionKind {
    /// The kind named by a keyword already lower-cased the way Go's `strings.ToLower` does.
    pub fn from_lowercase(keyword: &str) -> Self {
        match keyword {
            "from" => Self::From,
            "run" => Self::Run,
            "cmd" => Self::Cmd,
            "label" => Self::Label,
            "maintainer" => Self::Maintainer,
            "expose" => Self::Expose,
            "env" => Self::Env,
            "add" => Self::Add,
            "copy" => Self::Copy,
            "entrypoint" => Self::Entrypoint,
            "volume" => Self::Volume,
            "user" => Self::User,
            "workdir" => Self::Workdir,
            "arg" => Self::Arg,
            "onbuild" => Self::Onbuild,
            "stopsignal" => Self::Stopsignal,
            "healthcheck" => Self::Healthcheck,
            "shell" => Self::Shell,
            _ => Self::Unknown,
        }
    }

    /// The kind named by a keyword as written, in any letter case.
    pub fn from_keyword(keyword: &[u8]) -> Self {
        // Fast path: ASCII keywords (every real one) need no Unicode case mapping.
        if keyword.is_ascii() {
            if keyword.len() > 11 {
                return Self::Unknown;
            }
            let mut lower = [0u8; 11];
            for (d, s) in lower.iter_mut().zip(keyword) {
                *d = s.to_ascii_lowercase();
            }
            return match &lower[..keyword.len()] {
                b"from" => Self::From,
                b"run" => Self::Run,
                b"cmd" => Self::Cmd,
                b"label" => Self::Label,
                b"maintainer" => Self::Maintainer,
                b"expose" => Self::Expose,
                b"env" => Self::Env,
                b"add" => Self::Add,
                b"copy" => Self::Copy,
                b"entrypoint" => Self::Entrypoint,
                b"volume" => Self::Volume,
                b"user" => Self::User,
                b"workdir" => Self::Workdir,
                b"arg" => Self::Arg,
                b"onbuild" => Self::Onbuild,
                b"stopsignal" => Self::Stopsignal,
                b"healthcheck" => Self::Healthcheck,
                b"shell" => Self::Shell,
                _ => Self::Unknown,
            };
        }
        Self::from_lowercase(&gotext::to_lower(keyword))
    }

    /// The keyword in upper case (`"UNKNOWN"` for unknown keywords).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::From => "FROM",
            Self::Run => "RUN",
            Self::Cmd => "CMD",
            Self::Label => "LABEL",
            Self::Maintainer => "MAINTAINER",
            Self::Expose => "EXPOSE",
            Self::Env => "ENV",
            Self::Add => "ADD",
            Self::Copy => "COPY",
            Self::Entrypoint => "ENTRYPOINT",
            Self::Volume => "VOLUME",
            Self::User => "USER",
            Self::Workdir => "WORKDIR",
            Self::Arg => "ARG",
            Self::Onbuild => "ONBUILD",
            Self::Stopsignal => "STOPSIGNAL",
            Self::Healthcheck => "HEALTHCHECK",
            Self::Shell => "SHELL",
            Self::Unknown => "UNKNOWN",
        }
    }

    /// Whether BuildKit looks for heredocs in this instruction's arguments.
    pub fn allows_heredocs(self) -> bool {
        matches!(self, Self::Run | Self::Copy | Self::Add)
    }
}

impl std::fmt::Display for InstructionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `--name[=value]` flag word, located in the instruction's joined text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FlagWord {
    /// The word as written.
    pub raw: Range<usize>,
    /// The word after BuildKit removed quotes and escape tokens, when that changed it.
    pub processed: Option<Box<[u8]>>,
}

/// One ENV/LABEL key/value, located in the joined text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pair {
    pub key: Range<usize>,
    pub value: Range<usize>,
    /// The `=` between them (`None` for the legacy `KEY value` form).
    pub equals: Option<usize>,
}

/// An instruction's arguments, shaped as BuildKit's parser shapes them. Ranges are in the
/// joined text; lists (words, JSON elements, pairs) are recomputed on demand so that parsing
/// allocates nothing for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Arguments {
    /// No argument node at all.
    None,
    /// A JSON array of strings (exec form), already validated.
    Json(Range<usize>),
    /// One verbatim argument (shell form, or USER/WORKDIR/...).
    Text(Range<usize>),
    /// Words split on white space (FROM, EXPOSE, and ADD/COPY/VOLUME without JSON).
    Words(Range<usize>),
    /// ARG words (quote-aware split, quotes kept).
    Names(Range<usize>),
    /// ENV/LABEL pairs, already validated.
    Pairs { legacy: bool, range: Range<usize> },
    /// HEALTHCHECK: its type word and then a CMD-like argument.
    Healthcheck {
        kind: Range<usize>,
        command: Box<Arguments>,
    },
    /// ONBUILD: the trigger is the next command of the instruction.
    Trigger,
    /// An unknown instruction: BuildKit keeps one empty argument.
    Ignored,
}

impl Arguments {
    pub(crate) fn is_trigger(&self) -> bool {
        matches!(self, Arguments::Trigger)
    }
}

/// The string elements of a validated JSON array in `text[range]`.
pub(crate) fn json_items(text: &[u8], range: &Range<usize>) -> Vec<Range<usize>> {
    match json::parse_array(&text[range.clone()]) {
        JsonArray::Strings(items) => items
            .into_iter()
            .map(|(a, b)| range.start + a..range.start + b)
            .collect(),
        _ => Vec::new(),
    }
}

/// The ENV/LABEL pairs of `text[range]` (validated at parse time).
pub(crate) fn pairs(text: &[u8], range: &Range<usize>, legacy: bool, escape: u8) -> Vec<Pair> {
    if legacy {
        let rest = &text[range.clone()];
        let Some(i) = rest.iter().position(|&c| gotext::is_split_space(c)) else {
            return Vec::new();
        };
        let mut j = i;
        while j < rest.len() && gotext::is_split_space(rest[j]) {
            j += 1;
        }
        return vec![Pair {
            key: range.start..range.start + i,
            value: range.start + j..range.end,
            equals: None,
        }];
    }
    let mut out = Vec::new();
    scan_words(text, range.clone(), escape, |word| {
        if let Some(eq) = memchr::memchr(b'=', &text[word.clone()]) {
            let eq = word.start + eq;
            out.push(Pair {
                key: word.start..eq,
                value: eq + 1..word.end,
                equals: Some(eq),
            });
        }
        true
    });
    out
}

/// A parsed command: keyword, flags and arguments of one instruction (or of an ONBUILD
/// trigger), located in the joined text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Command {
    pub keyword: Range<usize>,
    pub kind: InstructionKind,
    pub flags: Vec<FlagWord>,
    /// The argument text after the flags, trimmed (BuildKit's `args`).
    pub args: Range<usize>,
    pub arguments: Arguments,
    /// Whether the arguments are a JSON array (BuildKit's `json` attribute).
    pub json: bool,
}

/// An error from a line parser, at an offset of the joined text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommandError {
    pub message: String,
    pub at: usize,
}

pub(crate) const NOT_STRING_ARRAY: &str =
    "when using JSON array syntax, arrays must be comprised of strings only";

/// Parses the command in `text[range]` (BuildKit's `newNodeFromLine`): the command and, for
/// ONBUILD, its chain of triggers (outermost first). Iterative, so deep chains cannot
/// overflow the stack.
pub(crate) fn parse_commands(
    text: &[u8],
    range: Range<usize>,
    escape: u8,
) -> Result<(Command, Vec<Command>), CommandError> {
    let first = parse_command(text, range, escape)?;
    let mut triggers = Vec::new();
    let mut next = first.arguments.is_trigger().then(|| first.args.clone());
    while let Some(rest) = next {
        let command = parse_command(text, rest, escape)?;
        next = command.arguments.is_trigger().then(|| command.args.clone());
        triggers.push(command);
    }
    Ok((first, triggers))
}

fn parse_command(text: &[u8], range: Range<usize>, escape: u8) -> Result<Command, CommandError> {
    let line = &text[range.clone()];
    let (a, b) = gotext::trim_space(line);
    let (a, b) = (range.start + a, range.start + b);
    let trimmed = &text[a..b];
    let split = trimmed.iter().position(|&c| gotext::is_split_space(c));
    let (keyword, flags, args) = match split {
        None => (a..b, Vec::new(), b..b),
        Some(i) => {
            let mut j = i;
            while j < trimmed.len() && gotext::is_split_space(trimmed[j]) {
                j += 1;
            }
            let rest_start = a + j;
            let (args_start, flags) = extract_flags(text, rest_start..b, escape);
            let (s, e) = gotext::trim_space(&text[args_start..b]);
            (a..a + i, flags, args_start + s..args_start + e)
        }
    };
    let kind = InstructionKind::from_keyword(&text[keyword.clone()]);
    let (arguments, json) = parse_arguments(kind, text, args.clone(), escape)?;
    Ok(Command {
        keyword,
        kind,
        flags,
        args,
        arguments,
        json,
    })
}

/// BuildKit's `extractBuilderFlags`: the leading `--` words of `text[range]`. Returns where
/// the remaining arguments start and the flags. Bytes are examined one at a time, as BuildKit
/// does (so the UTF-8 continuation bytes 0x85 and 0xA0 count as white space).
fn extract_flags(text: &[u8], range: Range<usize>, escape: u8) -> (usize, Vec<FlagWord>) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let end = range.end;
    let mut flags = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word: Vec<u8> = Vec::new();
    let mut word_start = range.start;
    let mut quote = 0u8;
    let mut pos = range.start;
    let finish = |word: &mut Vec<u8>, start: usize, stop: usize, flags: &mut Vec<FlagWord>| {
        let raw = &text[start..stop];
        let processed = if raw == word.as_slice() {
            None
        } else {
            Some(std::mem::take(word).into_boxed_slice())
        };
        word.clear();
        flags.push(FlagWord {
            raw: start..stop,
            processed,
        });
    };
    while pos <= end {
        let ch = if pos < end { text[pos] } else { 0 };
        if phase == Phase::Spaces {
            if pos == end {
                break;
            }
            if gotext::is_space_byte_latin1(ch) {
                pos += 1;
                continue;
            }
            if ch != b'-' || pos + 1 == end || text[pos + 1] != b'-' {
                return (pos, flags);
            }
            phase = Phase::Word;
            word_start = pos;
        }
        if pos == end {
            // In a word or a quote at the end of the text.
            if word.as_slice() != b"--" {
                finish(&mut word, word_start, pos, &mut flags);
            }
            return (end, flags);
        }
        if phase == Phase::Word {
            if gotext::is_space_byte_latin1(ch) {
                phase = Phase::Spaces;
                if word.as_slice() == b"--" {
                    return (pos, flags);
                }
                finish(&mut word, word_start, pos, &mut flags);
                pos += 1;
                continue;
            }
            if ch == b'\'' || ch == b'"' {
                quote = ch;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
            let mut c = ch;
            if ch == escape {
                if pos + 1 == end {
                    pos += 1;
                    continue;
                }
                pos += 1;
                c = text[pos];
            }
            word.push(c);
            pos += 1;
            continue;
        }
        // In a quote.
        if ch == quote {
            phase = Phase::Word;
            pos += 1;
            continue;
        }
        let mut c = ch;
        if ch == escape {
            if pos + 1 == end {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            c = text[pos];
        }
        word.push(c);
        pos += 1;
    }
    (end, flags)
}

/// BuildKit's dispatch table of line parsers.
fn parse_arguments(
    kind: InstructionKind,
    text: &[u8],
    args: Range<usize>,
    escape: u8,
) -> Result<(Arguments, bool), CommandError> {
    use InstructionKind as K;
    let empty = args.is_empty();
    Ok(match kind {
        K::Add | K::Copy | K::Volume => {
            if maybe_json(text, args.clone())? {
                (Arguments::Json(args), true)
            } else if empty {
                (Arguments::None, false)
            } else {
                (Arguments::Words(args), false)
            }
        }
        K::Arg => {
            let mut any = false;
            scan_words(text, args.clone(), escape, |_| {
                any = true;
                false
            });
            if any {
                (Arguments::Names(args), false)
            } else {
                (Arguments::None, false)
            }
        }
        K::Cmd | K::Entrypoint | K::Run | K::Shell => maybe_json_or_text(text, args)?,
        K::Env | K::Label => (parse_name_val(kind, text, args, escape)?, false),
        K::Expose | K::From => {
            if empty {
                (Arguments::None, false)
            } else {
                (Arguments::Words(args), false)
            }
        }
        K::Healthcheck => parse_healthcheck(text, args)?,
        K::Maintainer | K::Stopsignal | K::User | K::Workdir => {
            if empty {
                (Arguments::None, false)
            } else {
                (Arguments::Text(args), false)
            }
        }
        K::Onbuild => {
            if empty {
                (Arguments::None, false)
            } else {
                (Arguments::Trigger, false)
            }
        }
        K::Unknown => (Arguments::Ignored, false),
    })
}

/// `parseJSON`: whether the text is a JSON array of strings (else BuildKit falls back), or
/// the non-string error.
fn maybe_json(text: &[u8], args: Range<usize>) -> Result<bool, CommandError> {
    if text.get(args.start) != Some(&b'[') {
        return Ok(false);
    }
    match json::classify_array(&text[args.clone()]) {
        JsonArray::Strings(_) => Ok(true),
        JsonArray::NonString(at) => Err(CommandError {
            message: NOT_STRING_ARRAY.to_string(),
            at: args.start + at,
        }),
        JsonArray::NotJson => Ok(false),
    }
}

/// `parseMaybeJSON`.
fn maybe_json_or_text(text: &[u8], args: Range<usize>) -> Result<(Arguments, bool), CommandError> {
    if args.is_empty() {
        return Ok((Arguments::None, false));
    }
    Ok(if maybe_json(text, args.clone())? {
        (Arguments::Json(args), true)
    } else {
        (Arguments::Text(args), false)
    })
}

/// `parseStringsWhitespaceDelimited`: split on runs of `[\t\v\f\r ]`.
pub(crate) fn split_words(text: &[u8], args: &Range<usize>) -> Vec<Range<usize>> {
    if args.is_empty() {
        return Vec::new();
    }
    let mut words = Vec::new();
    let mut start = args.start;
    let mut i = args.start;
    while i < args.end {
        if gotext::is_split_space(text[i]) {
            words.push(start..i);
            while i < args.end && gotext::is_split_space(text[i]) {
                i += 1;
            }
            start = i;
        } else {
            i += 1;
        }
    }
    words.push(start..args.end);
    words
}

/// BuildKit's `parseWords`: split on unquoted white space, quotes and escapes kept. A
/// trailing escape token at the very end is dropped.
pub(crate) fn parse_words(text: &[u8], args: Range<usize>, escape: u8) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    scan_words(text, args, escape, |w| {
        words.push(w);
        true
    });
    words
}

/// [`parse_words`] without allocating: calls `f` on each word until it returns false.
pub(crate) fn scan_words(
    text: &[u8],
    args: Range<usize>,
    escape: u8,
    mut f: impl FnMut(Range<usize>) -> bool,
) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let end = args.end;
    let mut phase = Phase::Spaces;
    let mut quote = 0u8;
    let mut start = args.start;
    // End of the word's kept bytes (a dropped trailing escape is not kept).
    let mut kept_end = args.start;
    let mut pos = args.start;
    while pos <= end {
        let (ch, width) = if pos < end {
            let b = text[pos];
            if b < 0x80 {
                (b as char, 1)
            } else {
                gotext::decode_rune(&text[pos..end])
            }
        } else {
            ('\0', 0)
        };
        if phase == Phase::Spaces {
            if pos == end {
                break;
            }
            if gotext::is_space(ch) {
                pos += width;
                continue;
            }
            phase = Phase::Word;
            start = pos;
            kept_end = pos;
        }
        if pos == end {
            if kept_end > start {
                f(start..kept_end);
            }
            break;
        }
        if phase == Phase::Word {
            if gotext::is_space(ch) {
                phase = Phase::Spaces;
                if kept_end > start && !f(start..kept_end) {
                    return;
                }
                pos += width;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch as u8;
                phase = Phase::Quote;
            }
            if ch as u32 == u32::from(escape) {
                if pos + width == end {
                    pos += width;
                    continue;
                }
                pos += width;
                let (_, w2) = gotext::decode_rune(&text[pos..end]);
                pos += w2.max(1);
                kept_end = pos;
                continue;
            }
            pos += width;
            kept_end = pos;
            continue;
        }
        // In a quote.
        if ch as u32 == u32::from(quote) {
            phase = Phase::Word;
        }
        if ch as u32 == u32::from(escape) && quote != b'\'' {
            if pos + width == end {
                phase = Phase::Word;
                pos += width;
                continue;
            }
            pos += width;
            let (_, w2) = gotext::decode_rune(&text[pos..end]);
            pos += w2.max(1);
            kept_end = pos;
            continue;
        }
        pos += width;
        kept_end = pos;
    }
}

/// `parseNameVal` for ENV and LABEL: validates, and records which form is used.
fn parse_name_val(
    kind: InstructionKind,
    text: &[u8],
    args: Range<usize>,
    escape: u8,
) -> Result<Arguments, CommandError> {
    let mut first: Option<Range<usize>> = None;
    let mut missing_equals: Option<Range<usize>> = None;
    scan_words(text, args.clone(), escape, |word| {
        let has_equals = memchr::memchr(b'=', &text[word.clone()]).is_some();
        match &first {
            None => {
                first = Some(word.clone());
                if !has_equals {
                    // Legacy form: the other words do not matter.
                    return false;
                }
            }
            Some(_) if !has_equals => {
                missing_equals = Some(word);
                return false;
            }
            Some(_) => {}
        }
        true
    });
    let Some(first) = first else {
        return Ok(Arguments::None);
    };
    if memchr::memchr(b'=', &text[first]).is_none() {
        // Legacy `KEY value`: split once on `[\t\v\f\r ]+`.
        if !text[args.clone()]
            .iter()
            .any(|&c| gotext::is_split_space(c))
        {
            return Err(CommandError {
                message: format!("{} must have two arguments", kind.as_str()),
                at: args.start,
            });
        }
        return Ok(Arguments::Pairs {
            legacy: true,
            range: args,
        });
    }
    if let Some(word) = missing_equals {
        let mut quoted = String::new();
        gotext::quote_str_into(&mut quoted, &gotext::lossy_runes(&text[word.clone()]));
        return Err(CommandError {
            message: format!(
                "Syntax error - can't find = in {quoted}. Must be of the form: name=value"
            ),
            at: word.start,
        });
    }
    Ok(Arguments::Pairs {
        legacy: false,
        range: args,
    })
}

/// `parseHealthConfig`: the type word, then the rest like CMD. Bytes are examined one at a
/// time, as BuildKit does.
fn parse_healthcheck(text: &[u8], args: Range<usize>) -> Result<(Arguments, bool), CommandError> {
    let mut sep = args.start;
    while sep < args.end && !gotext::is_space_byte_latin1(text[sep]) {
        sep += 1;
    }
    let mut next = sep;
    while next < args.end && gotext::is_space_byte_latin1(text[next]) {
        next += 1;
    }
    if sep == args.start {
        return Ok((Arguments::None, false));
    }
    let (command, json) = maybe_json_or_text(text, next..args.end)?;
    Ok((
        Arguments::Healthcheck {
            kind: args.start..sep,
            command: Box::new(command),
        },
        json,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Vec<Command> {
        let (first, mut rest) = parse_commands(line.as_bytes(), 0..line.len(), b'\\').unwrap();
        rest.insert(0, first);
        rest
    }

    fn slice(line: &str, r: &Range<usize>) -> String {
        line[r.clone()].to_string()
    }

    #[test]
    fn splits_keyword_flags_and_args() {
        let line = "COPY --from=build --chown=\"a b\" -- src dst";
        let cmd = &parse(line)[0];
        assert_eq!(cmd.kind, InstructionKind::Copy);
        assert_eq!(slice(line, &cmd.keyword), "COPY");
        assert_eq!(cmd.flags.len(), 2);
        assert_eq!(slice(line, &cmd.flags[0].raw), "--from=build");
        assert!(cmd.flags[0].processed.is_none());
        assert_eq!(cmd.flags[1].processed.as_deref(), Some(&b"--chown=a b"[..]));
        assert_eq!(slice(line, &cmd.args), "src dst");
    }

    #[test]
    fn onbuild_chains() {
        let line = "ONBUILD ONBUILD RUN echo";
        let cmds = parse(line);
        assert_eq!(cmds.len(), 3);
        assert_eq!(cmds[2].kind, InstructionKind::Run);
        assert_eq!(slice(line, &cmds[2].args), "echo");
    }

    #[test]
    fn parse_words_matches_buildkit() {
        let cases: &[(&str, &[&str])] = &[
            ("foo", &["foo"]),
            ("foo bar", &["foo", "bar"]),
            ("foo\\ bar", &["foo\\ bar"]),
            ("foo bar 'abc xyz'", &["foo", "bar", "'abc xyz'"]),
            ("föo bàr \"âbc xÿz\"", &["föo", "bàr", "\"âbc xÿz\""]),
            ("a=b\\", &["a=b"]),
        ];
        for (input, want) in cases {
            let got: Vec<_> = parse_words(input.as_bytes(), 0..input.len(), b'\\')
                .iter()
                .map(|r| &input[r.clone()])
                .collect();
            assert_eq!(&got, want, "{input}");
        }
    }

    #[test]
    fn env_errors() {
        let err = parse_commands(b"ENV PATH", 0..8, b'\\').unwrap_err();
        assert_eq!(err.message, "ENV must have two arguments");
        let err = parse_commands(b"ENV a=b c", 0..9, b'\\').unwrap_err();
        assert!(err.message.contains("can't find = in \"c\""));
    }
}
