//! The parse loop: physical lines to directives, trivia and instructions, following
//! BuildKit's `parser.Parse` line by line (directive rules, continuation lines, comments and
//! blank lines inside them, heredoc bodies, line numbers).

use std::borrow::Cow;

use crate::command::{self, Arguments, InstructionKind};
use crate::error::ParseError;
use crate::gotext;
use crate::heredoc;
use crate::span::{LineIndex, OffsetMap, Segment, Small, Span};
use crate::tree::{
    BOM, Directive, DirectiveKind, Dockerfile, Heredoc, Instruction, Item, Line, LineKind, Warning,
};

/// bufio.Scanner's default token limit: BuildKit rejects longer lines.
const MAX_LINE: usize = 64 * 1024;

/// Parses a Dockerfile. Rejects exactly what BuildKit's parser rejects.
pub fn parse(source: &str) -> Result<Dockerfile<'_>, ParseError> {
    parse_bytes(source.as_bytes())
}

/// Parses a Dockerfile given as bytes (BuildKit accepts invalid UTF-8; text accessors replace
/// it).
pub fn parse_bytes(source: &[u8]) -> Result<Dockerfile<'_>, ParseError> {
    Parser::new(source).run()
}

/// One physical line: `start..end` with the line ending, `start..content_end` without.
#[derive(Clone, Copy)]
struct PhysLine {
    start: usize,
    content_end: usize,
    end: usize,
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    line_no: usize,
    escape: u8,
    directives_done: bool,
    seen: [bool; 3],
    doc: Dockerfile<'a>,
}

/// Which escape token starts a continuation at the end of `content`: the offset of the
/// escape token, if the line continues. Trailing spaces and tabs are allowed; a doubled
/// escape token is not a continuation (BuildKit's regular expression).
fn continuation(content: &[u8], escape: u8) -> Option<usize> {
    let mut e = content.len();
    while e > 0 && matches!(content[e - 1], b' ' | b'\t') {
        e -= 1;
    }
    if e == 0 || content[e - 1] != escape {
        return None;
    }
    let at = e - 1;
    if at == 0 || content[at - 1] != escape {
        Some(at)
    } else {
        None
    }
}

fn is_directive_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

/// Matches `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` (`\s` is `[\t\n\f\r ]`): the name and
/// value ranges.
fn match_directive(s: &[u8]) -> Option<((usize, usize), (usize, usize))> {
    if !s.first()?.is_ascii_alphabetic() {
        return None;
    }
    let name_end = s
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(s.len());
    let mut i = name_end;
    while i < s.len() && is_directive_space(s[i]) {
        i += 1;
    }
    if s.get(i) != Some(&b'=') {
        return None;
    }
    let after = i + 1;
    let rest = &s[after..];
    if rest.is_empty() {
        return None;
    }
    let lead = rest.iter().take_while(|&&b| is_directive_space(b)).count();
    if lead == rest.len() {
        // Only blanks: the lazy value takes the last one.
        return Some(((0, name_end), (s.len() - 1, s.len())));
    }
    let trail = rest
        .iter()
        .rev()
        .take_while(|&&b| is_directive_space(b))
        .count();
    Some(((0, name_end), (after + lead, s.len() - trail)))
}

impl<'a> Parser<'a> {
    fn new(src: &'a [u8]) -> Self {
        let bom = src.starts_with(BOM);
        // Most lines are instructions or trivia items; sizing up front avoids regrowth.
        let lines = memchr::memchr_iter(b'\n', src).count() + 1;
        Parser {
            src,
            pos: if bom { BOM.len() } else { 0 },
            line_no: 0,
            escape: b'\\',
            directives_done: false,
            seen: [false; 3],
            doc: Dockerfile {
                source: src,
                bom,
                escape: b'\\',
                directives: Vec::new(),
                items: Vec::with_capacity(lines),
                instructions: Vec::with_capacity(lines / 2 + 1),
                warnings: Vec::new(),
                line_index: std::sync::OnceLock::new(),
            },
        }
    }

    fn error(&self, offset: usize, message: impl Into<String>) -> ParseError {
        let p = LineIndex::new(self.src).position(self.src, offset);
        ParseError {
            message: message.into(),
            offset,
            line: p.line,
            column: p.column,
        }
    }

    /// The next physical line (BuildKit's scanner), or an error for an over-long line.
    fn next_line(&mut self) -> Result<Option<PhysLine>, ParseError> {
        let start = self.pos;
        if start >= self.src.len() {
            return Ok(None);
        }
        let end =
            memchr::memchr(b'\n', &self.src[start..]).map_or(self.src.len(), |i| start + i + 1);
        let mut content_end = end;
        while content_end > start && matches!(self.src[content_end - 1], b'\n' | b'\r') {
            content_end -= 1;
        }
        let raw_start = if self.line_no == 0 { 0 } else { start };
        let without_newline = if self.src[end - 1] == b'\n' {
            end - 1
        } else {
            end
        };
        if without_newline - raw_start >= MAX_LINE {
            return Err(self.error(
                start,
                format!(
                    "dockerfile line greater than max allowed size of {}",
                    MAX_LINE - 1
                ),
            ));
        }
        self.pos = end;
        self.line_no += 1;
        Ok(Some(PhysLine {
            start,
            content_end,
            end,
        }))
    }

    /// BuildKit's `DirectiveParser.ParseLine` on a top-level line (already trimmed of
    /// leading white space).
    fn directive(
        &mut self,
        line: PhysLine,
        trimmed: usize,
    ) -> Result<Option<Directive>, ParseError> {
        if self.directives_done {
            return Ok(None);
        }
        let text = &self.src[trimmed..line.content_end];
        let Some(after_hash) = text.strip_prefix(b"#") else {
            self.directives_done = true;
            return Ok(None);
        };
        let ws = gotext::leading_space_len(after_hash);
        let body_start = trimmed + 1 + ws;
        let body = &self.src[body_start..line.content_end];
        let Some(((ns, ne), (vs, ve))) = match_directive(body) else {
            self.directives_done = true;
            return Ok(None);
        };
        let name = body[ns..ne].to_ascii_lowercase();
        let (kind, slot) = match name.as_slice() {
            b"syntax" => (DirectiveKind::Syntax, 0),
            b"escape" => (DirectiveKind::Escape, 1),
            b"check" => (DirectiveKind::Check, 2),
            _ => {
                self.directives_done = true;
                return Ok(None);
            }
        };
        if self.seen[slot] {
            return Err(self.error(
                body_start,
                format!(
                    "only one {} parser directive can be used",
                    String::from_utf8_lossy(&name)
                ),
            ));
        }
        self.seen[slot] = true;
        let value = &body[vs..ve];
        if kind == DirectiveKind::Escape {
            match value {
                b"`" | b"\\" => self.escape = value[0],
                _ => {
                    return Err(self.error(
                        body_start + vs,
                        format!(
                            "invalid escape token '{}' does not match ` or \\",
                            String::from_utf8_lossy(value)
                        ),
                    ));
                }
            }
        }
        Ok(Some(Directive {
            kind,
            name: Span::new(body_start + ns, body_start + ne),
            value: Span::new(body_start + vs, body_start + ve),
            line: Span::new(line.start, line.end),
        }))
    }

    fn trivia(line: PhysLine, indent_end: usize, kind: LineKind) -> Line {
        Line {
            kind,
            span: Span::new(line.start, line.end),
            indent: Span::new(line.start, indent_end),
            content: Span::new(indent_end, line.content_end),
            continuation: Span::new(line.content_end, line.content_end),
            eol: Span::new(line.content_end, line.end),
        }
    }

    fn content_line(line: PhysLine, indent_end: usize, cont: Option<usize>) -> Line {
        let cont_start = cont.unwrap_or(line.content_end);
        Line {
            kind: LineKind::Instruction,
            span: Span::new(line.start, line.end),
            indent: Span::new(line.start, indent_end),
            content: Span::new(indent_end, cont_start),
            continuation: Span::new(cont_start, line.content_end),
            eol: Span::new(line.content_end, line.end),
        }
    }

    fn run(mut self) -> Result<Dockerfile<'a>, ParseError> {
        while let Some(line) = self.next_line()? {
            let content = &self.src[line.start..line.content_end];
            let indent_end = line.start + gotext::leading_space_len(content);
            if let Some(directive) = self.directive(line, indent_end)? {
                let index = self.doc.directives.len();
                self.doc.directives.push(directive);
                self.doc.items.push(Item::Line(Self::trivia(
                    line,
                    indent_end,
                    LineKind::Directive(index),
                )));
                continue;
            }
            let trimmed = &self.src[indent_end..line.content_end];
            if trimmed.first() == Some(&b'#') {
                self.doc.items.push(Item::Line(Self::trivia(
                    line,
                    indent_end,
                    LineKind::Comment,
                )));
                continue;
            }
            let cont = continuation(trimmed, self.escape).map(|i| indent_end + i);
            if cont.is_none() && trimmed.is_empty() {
                self.doc
                    .items
                    .push(Item::Line(Self::trivia(line, indent_end, LineKind::Blank)));
                continue;
            }
            self.instruction(line, indent_end, cont)?;
        }
        if self.doc.instructions.is_empty() {
            let at = self.src.len();
            return Err(self.error(at, "file with no instructions"));
        }
        self.doc.escape = self.escape;
        Ok(self.doc)
    }

    fn instruction(
        &mut self,
        first: PhysLine,
        indent_end: usize,
        first_cont: Option<usize>,
    ) -> Result<(), ParseError> {
        let start_line = self.line_no;
        let mut lines = Small::One(Self::content_line(first, indent_end, first_cont));
        // The joined text's map back to the file, built piece by piece.
        let mut map = OffsetMap::default();
        let mut len = 0;
        let mut piece = |map: &mut OffsetMap, a: usize, b: usize| {
            map.push(Segment {
                text_offset: len,
                file_offset: a,
                len: b - a,
            });
            len += b - a;
        };
        piece(
            &mut map,
            indent_end,
            first_cont.unwrap_or(first.content_end),
        );
        let mut continues = first_cont.is_some();
        let mut empty_lines = Vec::new();
        while continues {
            let Some(line) = self.next_line()? else { break };
            let content = &self.src[line.start..line.content_end];
            let lead = gotext::leading_space_len(content);
            if content.get(lead) == Some(&b'#') {
                lines.push(Self::trivia(line, line.start + lead, LineKind::Comment));
                continue;
            }
            if lead == content.len() {
                empty_lines.push(Span::new(line.start, line.end));
                lines.push(Self::trivia(
                    line,
                    line.content_end,
                    LineKind::EmptyContinuation,
                ));
                continue;
            }
            let cont = continuation(content, self.escape).map(|i| line.start + i);
            lines.push(Self::content_line(line, line.start, cont));
            piece(&mut map, line.start, cont.unwrap_or(line.content_end));
            continues = cont.is_some();
        }
        let text: Cow<'a, [u8]> = match map.segments() {
            [] => Cow::Borrowed(&[]),
            [one] => Cow::Borrowed(&self.src[one.file_offset..one.file_offset + one.len]),
            many => {
                let mut joined = Vec::with_capacity(map.text_len());
                for s in many {
                    joined.extend_from_slice(&self.src[s.file_offset..s.file_offset + s.len]);
                }
                Cow::Owned(joined)
            }
        };

        if !empty_lines.is_empty() {
            self.doc.warnings.push(Warning {
                code: "empty-continuation-line",
                message: format!(
                    "Empty continuation line found in: {}",
                    String::from_utf8_lossy(&text)
                ),
                spans: empty_lines,
                buildkit_line: self.line_no,
            });
        }

        let (command, triggers) = match command::parse_commands(&text, 0..text.len(), self.escape) {
            Ok(parsed) => parsed,
            Err(e) => {
                let at = if text.is_empty() {
                    indent_end
                } else {
                    map.to_file(e.at.min(text.len().saturating_sub(1)))
                };
                return Err(self.error(at, e.message));
            }
        };

        // Heredocs: RUN/COPY/ADD (also as the trigger of an ONBUILD), not in JSON form.
        let mut heredocs = Vec::new();
        let target = if command.kind == InstructionKind::Onbuild
            && command.arguments == Arguments::Trigger
        {
            triggers.first()
        } else {
            Some(&command)
        };
        let wants_heredocs = target.is_some_and(|c| c.kind.allows_heredocs() && !c.json)
            && memchr::memchr_iter(b'<', &text).any(|i| text.get(i + 1) == Some(&b'<'));
        if wants_heredocs {
            let words = heredoc::heredocs_from_line(&text)
                .map_err(|message| self.error(indent_end, message))?;
            for word in words {
                let index = heredocs.len();
                let body_start = self.pos;
                let mut terminator = None;
                while let Some(line) = self.next_line()? {
                    let mut candidate = &self.src[line.start..line.content_end];
                    if word.chomp {
                        let tabs = candidate.iter().take_while(|&&b| b == b'\t').count();
                        candidate = &candidate[tabs..];
                    }
                    if candidate == word.name.as_bytes() {
                        lines.push(Self::trivia(line, line.start, LineKind::HeredocEnd(index)));
                        terminator = Some(Span::new(line.start, line.end));
                        break;
                    }
                    lines.push(Self::trivia(line, line.start, LineKind::HeredocBody(index)));
                }
                let Some(terminator) = terminator else {
                    return Err(self.error(indent_end, "unterminated heredoc"));
                };
                heredocs.push(Heredoc {
                    name: word.name,
                    fd: word.fd,
                    strip_tabs: word.chomp,
                    quoted: !word.expand,
                    word: map.to_file_span(word.start, word.end),
                    body: Span::new(body_start, terminator.start),
                    terminator,
                });
            }
        }

        let span = Span::new(first.start, lines.last().map_or(first.end, |l| l.span.end));
        let mut instruction = Instruction {
            source: self.src,
            span,
            start_line,
            end_line: self.line_no,
            lines,
            text,
            map,
            escape: self.escape,
            command,
            triggers,
            flags: Vec::new(),
            trigger_flags: Vec::new(),
            heredocs,
        };
        instruction.build_flags();
        let index = self.doc.instructions.len();
        self.doc.instructions.push(instruction);
        self.doc.items.push(Item::Instruction(index));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> ParseError {
        parse(src).unwrap_err()
    }

    fn lines(src: &str) -> Vec<(usize, usize, String)> {
        parse(src)
            .unwrap()
            .instructions()
            .iter()
            .map(|i| (i.start_line(), i.end_line(), i.keyword().text.into_owned()))
            .collect()
    }

    #[test]
    fn rejects_what_buildkit_rejects() {
        assert_eq!(err("").message, "file with no instructions");
        assert_eq!(
            err("# only\n\n   # comments\n").message,
            "file with no instructions"
        );
        let e = err("FROM a\nENV PATH\n");
        assert_eq!(
            (e.line, e.column, e.message.as_str()),
            (2, 5, "ENV must have two arguments")
        );
        let e = err("FROM a\nCMD [\"a\", 1]\n");
        assert_eq!((e.line, e.column), (2, 11));
        assert!(e.message.contains("comprised of strings only"));
        let e = err("# escape=x\nFROM a\n");
        assert_eq!(e.message, "invalid escape token 'x' does not match ` or \\");
        assert_eq!((e.line, e.column), (1, 10));
        let e = err("# escape=`\n# escape=\\\nFROM a\n");
        assert_eq!(
            (e.line, e.message.as_str()),
            (2, "only one escape parser directive can be used")
        );
        assert!(
            err("# syntax=a\n#syntax=b\nFROM a\n")
                .message
                .contains("only one syntax")
        );
        assert_eq!(
            err("FROM a\nRUN <<EOF\nx\n").message,
            "unterminated heredoc"
        );
        assert!(
            err("LABEL a=b c\n")
                .message
                .starts_with("Syntax error - can't find = in \"c\"")
        );
    }

    #[test]
    fn directives_only_count_at_the_top() {
        let doc =
            parse("# syntax=docker/dockerfile:1\n#ESCAPE = `\n# check=skip=all\nFROM a\n").unwrap();
        assert_eq!(doc.directives().len(), 3);
        assert_eq!(doc.escape_token(), '`');
        assert_eq!(
            doc.directive(DirectiveKind::Syntax).as_deref(),
            Some("docker/dockerfile:1")
        );
        let doc = parse("# a comment\n# escape=`\nFROM a\n").unwrap();
        assert!(doc.directives().is_empty());
        assert_eq!(doc.escape_token(), '\\');
        // A blank line ends the directives too, and a repeated one after that is a comment.
        let doc = parse("# escape=`\n\n# escape=`\nFROM a\n").unwrap();
        assert_eq!(doc.directives().len(), 1);
        let doc = parse("# unknown=1\n# escape=`\nFROM a\n").unwrap();
        assert_eq!(doc.escape_token(), '\\');
        let doc = parse("\u{feff}  # escape = ` \nFROM a `\n  b\n").unwrap();
        assert_eq!(doc.escape_token(), '`');
        assert_eq!(doc.instructions()[0].text(), "FROM a   b");
    }

    #[test]
    fn continuation_lines_comments_and_blanks() {
        let src = "RUN a \\\n# comment\n  \t\n    b \\\n\n  c\nRUN d\n";
        let doc = parse(src).unwrap();
        let run = &doc.instructions()[0];
        assert_eq!(run.text(), "RUN a     b   c");
        assert_eq!((run.start_line(), run.end_line()), (1, 6));
        let kinds: Vec<LineKind> = run.lines().iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            [
                LineKind::Instruction,
                LineKind::Comment,
                LineKind::EmptyContinuation,
                LineKind::Instruction,
                LineKind::EmptyContinuation,
                LineKind::Instruction
            ]
        );
        let warning = &doc.warnings()[0];
        assert_eq!(warning.code, "empty-continuation-line");
        assert_eq!(warning.buildkit_line, 6);
        assert_eq!(warning.spans, vec![Span::new(18, 22), Span::new(30, 31)]);
        // Every byte of the joined text maps back to the same byte of the file.
        for s in run.offset_map().segments() {
            assert_eq!(
                &run.text_bytes()[s.text_offset..s.text_offset + s.len],
                &src.as_bytes()[s.file_offset..s.file_offset + s.len]
            );
        }
        assert_eq!(lines(src)[1], (7, 7, "RUN".to_string()));
    }

    #[test]
    fn odd_continuations() {
        // A doubled escape token does not continue; a lone one on a line does.
        assert_eq!(lines("RUN a \\\\\nRUN b\n").len(), 2);
        assert_eq!(lines("\\\nRUN x\n"), [(1, 2, "RUN".to_string())]);
        // A continuation at end of file just ends the instruction.
        assert_eq!(
            lines("FROM a\nRUN b \\"),
            [(1, 1, "FROM".into()), (2, 2, "RUN".into())]
        );
        // Only an escape token: an instruction with an empty keyword, as BuildKit has it.
        assert_eq!(lines("\\\n"), [(1, 1, String::new())]);
    }

    #[test]
    fn heredocs_are_read_after_the_line() {
        let src = "FROM a\nRUN <<EOF bash\necho hi\nEOF\nCOPY <<-\"A\" <<B /dst\n\tx\n\tA\ny\nB\nRUN [\"<<EOF\"]\n";
        let doc = parse(src).unwrap();
        let run = &doc.instructions()[1];
        assert_eq!((run.start_line(), run.end_line()), (2, 4));
        let h = &run.heredocs()[0];
        assert_eq!(
            (h.name.as_str(), h.strip_tabs, h.quoted),
            ("EOF", false, false)
        );
        assert_eq!(h.body.slice(src.as_bytes()), b"echo hi\n");
        assert_eq!(h.word.slice(src.as_bytes()), b"<<EOF");
        assert_eq!(h.terminator.slice(src.as_bytes()), b"EOF\n");
        let copy = &doc.instructions()[2];
        assert_eq!((copy.start_line(), copy.end_line()), (5, 9));
        assert_eq!(copy.heredocs().len(), 2);
        assert!(copy.heredocs()[0].strip_tabs && copy.heredocs()[0].quoted);
        assert_eq!(copy.heredoc_content(&copy.heredocs()[0]), "x\n");
        assert_eq!(copy.heredoc_body(&copy.heredocs()[1]), "y\n");
        assert!(doc.instructions()[3].heredocs().is_empty());
        let onbuild = parse("ONBUILD RUN <<X\nhi\nX\n").unwrap();
        assert_eq!(onbuild.instructions()[0].heredocs()[0].name, "X");
        assert_eq!(onbuild.instructions()[0].end_line(), 3);
        // Heredoc bodies are not instructions, even when they look like one.
        assert_eq!(lines("RUN <<A\nRUN x\nA\n").len(), 1);
        // USER cannot have heredocs: the next line is an instruction.
        assert_eq!(lines("USER <<A\nA\n").len(), 2);
    }

    #[test]
    fn crlf_bom_and_missing_newline() {
        let src = "\u{feff}FROM a\r\nRUN b \\\r\n  c\r\nCMD d";
        let doc = parse(src).unwrap();
        assert!(doc.has_bom());
        assert_eq!(doc.instructions()[1].text(), "RUN b   c");
        assert_eq!(doc.instructions()[2].text(), "CMD d");
        let line = doc.instructions()[0].lines()[0];
        assert_eq!(line.eol.slice(src.as_bytes()), b"\r\n");
        assert_eq!(doc.print(), src.as_bytes());
        let p = doc.position(doc.instructions()[1].span().start);
        assert_eq!((p.line, p.column), (2, 1));
    }

    #[test]
    fn long_lines_are_rejected_like_buildkit() {
        let ok = format!("FROM a\nLABEL a={}\n", "x".repeat(MAX_LINE - 9));
        assert!(parse(&ok).is_ok());
        let long = format!("FROM a\nLABEL a={}\n", "x".repeat(MAX_LINE));
        assert_eq!(
            parse(&long).unwrap_err().message,
            "dockerfile line greater than max allowed size of 65535"
        );
    }

    #[test]
    fn invalid_utf8_is_accepted() {
        let src = b"FROM a\nRUN echo \xff\xfe\n";
        let doc = parse_bytes(src).unwrap();
        assert_eq!(doc.print(), src);
        assert_eq!(
            crate::buildkit_dump(&doc),
            "(from \"a\")\n(run \"echo \\xff\\xfe\")\n"
        );
    }

    #[test]
    fn continuation_rules() {
        assert_eq!(continuation(b"a \\", b'\\'), Some(2));
        assert_eq!(continuation(b"a \\ \t", b'\\'), Some(2));
        assert_eq!(continuation(b"\\", b'\\'), Some(0));
        assert_eq!(continuation(b"a\\\\", b'\\'), None);
        assert_eq!(continuation(b"a\\\\\\", b'\\'), None);
        assert_eq!(continuation(b"a `", b'`'), Some(2));
        assert_eq!(continuation(b"a \\", b'`'), None);
        assert_eq!(continuation(b"", b'\\'), None);
    }

    #[test]
    fn directive_regex() {
        fn m(s: &str) -> Option<(&str, &str)> {
            match_directive(s.as_bytes()).map(|((a, b), (c, d))| (&s[a..b], &s[c..d]))
        }
        assert_eq!(
            m("syntax=docker/dockerfile:1"),
            Some(("syntax", "docker/dockerfile:1"))
        );
        assert_eq!(m("escape = ` "), Some(("escape", "`")));
        assert_eq!(m("escape= "), Some(("escape", " ")));
        assert_eq!(m("escape="), None);
        assert_eq!(m("1x=y"), None);
        assert_eq!(m("key value"), None);
    }
}
