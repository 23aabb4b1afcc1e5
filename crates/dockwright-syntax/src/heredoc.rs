//! Heredoc detection as BuildKit does it: the logical line is split into words by its shell
//! lexer (quotes and escapes kept, unset variables kept as written), every word shaped like
//! `[N]<<[-]NAME` names a heredoc, and NAME is lexed again to find out whether any part of it
//! was quoted (then the body is not expanded).
//!
//! This is a private, reduced copy of the word lexer: it only needs an empty environment with
//! unset variables left as written, which never fails on a variable lookup.

use crate::gotext;

/// Deepest `${...}` nesting followed; deeper input is treated as a lexer error (Go's
/// goroutine stacks grow without limit, Rust's thread stacks do not).
const MAX_NESTING: usize = 512;

/// A heredoc word found in an instruction's logical line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeredocWord {
    /// The terminator, quotes removed.
    pub name: String,
    /// The file descriptor before `<<` (0 when not written).
    pub fd: u64,
    /// `<<-`: leading tabs are stripped from body lines and the terminator.
    pub chomp: bool,
    /// No part of the name was quoted, so the body is expanded.
    pub expand: bool,
    /// Byte range of the word in the logical line.
    pub start: usize,
    pub end: usize,
}

/// Finds the heredoc words of `line` (BuildKit's `heredocsFromLine`). An error means the
/// instruction is rejected.
pub(crate) fn heredocs_from_line(line: &[u8]) -> Result<Vec<HeredocWord>, String> {
    let mut lexer = Lexer::new(line, true, true);
    let Ok((_, words)) = lexer.process() else {
        // BuildKit ignores a lexer error on the whole line: no heredocs.
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for word in words {
        if let Some(mut heredoc) = parse_heredoc(&word.text)? {
            heredoc.start = word.start;
            heredoc.end = word.end.max(word.start);
            found.push(heredoc);
        }
    }
    Ok(found)
}

/// BuildKit's `ParseHeredoc`: whether `word` is `[N]<<[-][ ]NAME`, and the heredoc it
/// names. Offsets in the result are zero.
pub(crate) fn parse_heredoc(word: &str) -> Result<Option<HeredocWord>, String> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let Some(after) = word[digits..].strip_prefix("<<") else {
        return Ok(None);
    };
    if after.contains('<') {
        return Ok(None);
    }
    let (chomp, after) = match after.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, after),
    };
    let rest = after.trim_start_matches(['\t', '\n', '\x0c', '\r', ' ']);
    if rest.is_empty() {
        return Ok(None);
    }
    // Go ignores the ParseUint error: empty is 0, too large saturates.
    let fd = match word[..digits].parse::<u64>() {
        Ok(fd) => fd,
        Err(_) if digits > 0 => u64::MAX,
        Err(_) => 0,
    };

    let wrap = |e: String| format!("failed to process {}: {e}", go_quote(rest));
    let (_, words) = Lexer::new(rest.as_bytes(), false, false)
        .process()
        .map_err(wrap)?;
    if words.len() != 1 {
        return Ok(None);
    }
    let (_, raw_words) = Lexer::new(rest.as_bytes(), true, false)
        .process()
        .map_err(wrap)?;
    if raw_words.len() != words.len() {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    }
    let quotes = |s: &str| s.bytes().filter(|&b| b == b'\'' || b == b'"').count();
    let name = words.into_iter().next().map(|w| w.text).unwrap_or_default();
    let raw = raw_words
        .into_iter()
        .next()
        .map(|w| w.text)
        .unwrap_or_default();
    Ok(Some(HeredocWord {
        expand: quotes(&name) == quotes(&raw),
        name,
        fd,
        chomp,
        start: 0,
        end: 0,
    }))
}

fn go_quote(s: &str) -> String {
    let mut out = String::new();
    gotext::quote_str_into(&mut out, s);
    out
}

#[derive(Debug)]
struct LexWord {
    text: String,
    start: usize,
    end: usize,
}

/// BuildKit's `wordsStruct`. The character buffer itself lives in the lexer and is shared by
/// nested calls, as in BuildKit (a nested `${...}` resets it).
#[derive(Default)]
struct Words {
    list: Vec<LexWord>,
    in_word: bool,
    start: Option<usize>,
    end: usize,
}

impl Words {
    fn push(&mut self, buf: &mut String) {
        let start = self.start.unwrap_or(self.end).min(self.end);
        self.list.push(LexWord {
            text: std::mem::take(buf),
            start,
            end: self.end,
        });
        self.in_word = false;
        self.start = None;
    }

    fn add_char(&mut self, buf: &mut String, c: char, at: (usize, usize)) {
        let space = gotext::is_space(c);
        if space && self.in_word {
            if !buf.is_empty() {
                self.push(buf);
            }
        } else if !space {
            self.add_raw_char(buf, c, at);
        }
    }

    fn add_raw_char(&mut self, buf: &mut String, c: char, at: (usize, usize)) {
        if buf.is_empty() {
            self.start = Some(at.0);
        }
        buf.push(c);
        self.in_word = true;
        self.end = at.1;
    }

    fn add_string(&mut self, buf: &mut String, s: &str, at: (usize, usize)) {
        for c in s.chars() {
            self.add_char(buf, c, at);
        }
    }

    fn add_raw_string(&mut self, buf: &mut String, s: &str, at: (usize, usize)) {
        if buf.is_empty() && !s.is_empty() {
            self.start = Some(at.0);
        }
        buf.push_str(s);
        self.in_word = true;
        self.end = at.1;
    }

    fn finish(mut self, buf: &mut String) -> Vec<LexWord> {
        if !buf.is_empty() {
            self.push(buf);
        }
        self.list
    }
}

struct Lexer<'s> {
    input: &'s [u8],
    pos: usize,
    raw_quotes: bool,
    raw_escapes: bool,
    buf: String,
    depth: usize,
}

const ESCAPE: char = '\\';

impl<'s> Lexer<'s> {
    fn new(input: &'s [u8], raw_quotes: bool, raw_escapes: bool) -> Self {
        let mut lexer = Lexer {
            input,
            pos: 0,
            raw_quotes,
            raw_escapes,
            buf: String::new(),
            depth: 0,
        };
        // Go's text/scanner skips a byte-order mark at the very start.
        if lexer.peek() == Some('\u{feff}') {
            lexer.next();
        }
        lexer
    }

    fn peek(&self) -> Option<char> {
        let rest = self.input.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        Some(gotext::decode_rune(rest).0)
    }

    fn next(&mut self) -> Option<char> {
        let rest = self.input.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let (c, w) = gotext::decode_rune(rest);
        self.pos += w.max(1);
        Some(c)
    }

    fn process(&mut self) -> Result<(String, Vec<LexWord>), String> {
        let raw = self.raw_escapes;
        self.process_stop_on(None, raw)
    }

    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<LexWord>), String> {
        if self.depth >= MAX_NESTING {
            return Err("nesting too deep".to_string());
        }
        self.depth += 1;
        let saved = self.raw_escapes;
        self.raw_escapes = raw_escapes;
        let out = self.stop_on_inner(stop);
        self.raw_escapes = saved;
        self.depth -= 1;
        out
    }

    fn stop_on_inner(&mut self, stop: Option<char>) -> Result<(String, Vec<LexWord>), String> {
        let mut result = String::new();
        self.buf.clear();
        let mut words = Words::default();
        while let Some(ch) = self.peek() {
            let start = self.pos;
            if stop == Some(ch) {
                self.next();
                let mut buf = std::mem::take(&mut self.buf);
                let list = words.finish(&mut buf);
                self.buf = buf;
                return Ok((result, list));
            }
            match ch {
                '$' | '<' | '\'' | '"' => {
                    let tmp = match ch {
                        '$' => self.process_dollar()?,
                        '<' => self.process_possible_heredoc(),
                        '\'' => self.process_single_quote()?,
                        _ => self.process_double_quote()?,
                    };
                    result.push_str(&tmp);
                    let at = (start, self.pos);
                    let mut buf = std::mem::take(&mut self.buf);
                    if ch == '$' {
                        words.add_string(&mut buf, &tmp, at);
                    } else {
                        words.add_raw_string(&mut buf, &tmp, at);
                    }
                    self.buf = buf;
                }
                _ => {
                    let mut ch = ch;
                    self.next();
                    let mut buf = std::mem::take(&mut self.buf);
                    if ch == ESCAPE {
                        if self.raw_escapes {
                            words.add_raw_char(&mut buf, ch, (start, self.pos));
                            result.push(ch);
                        }
                        match self.next() {
                            None => {
                                self.buf = buf;
                                break;
                            }
                            Some(escaped) => ch = escaped,
                        }
                        words.add_raw_char(&mut buf, ch, (start, self.pos));
                    } else {
                        words.add_char(&mut buf, ch, (start, self.pos));
                    }
                    self.buf = buf;
                    result.push(ch);
                }
            }
        }
        if let Some(stop) = stop {
            return Err(format!(
                "unexpected end of statement while looking for matching {stop}"
            ));
        }
        let mut buf = std::mem::take(&mut self.buf);
        let list = words.finish(&mut buf);
        self.buf = buf;
        Ok((result, list))
    }

    fn process_single_quote(&mut self) -> Result<String, String> {
        let mut result = String::new();
        let open = self.next();
        if self.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .to_string(),
                    );
                }
                Some('\'') => {
                    if self.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(c) => result.push(c),
            }
        }
    }

    fn process_double_quote(&mut self) -> Result<String, String> {
        let mut result = String::new();
        let open = self.next();
        if self.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .to_string(),
                    );
                }
                Some('"') => {
                    self.next();
                    if self.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let value = self.process_dollar()?;
                    result.push_str(&value);
                }
                Some(_) => {
                    let Some(mut ch) = self.next() else { continue };
                    if ch == ESCAPE {
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some('"' | '$' | ESCAPE) => {
                                if let Some(escaped) = self.next() {
                                    ch = escaped;
                                }
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    fn process_dollar(&mut self) -> Result<String, String> {
        self.next(); // '$'
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".to_string());
            }
            // Every variable is unset, and unset ones are kept as written.
            return Ok(format!("${name}"));
        }
        self.next(); // '{'
        match self.peek() {
            None => return Err("syntax error: missing '}'".to_string()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".to_string()),
            Some(_) => {}
        }
        let name = self.process_name();
        let ch = self.next();
        let mut chs = ch.map_or_else(|| "\u{fffd}".to_string(), String::from);
        match ch {
            Some('}') => Ok(format!("${{{name}}}")),
            Some(':' | '+' | '-' | '?' | '#' | '%') => {
                let mut modifier = ch;
                let null_is_unset = ch == Some(':');
                if null_is_unset {
                    modifier = self.next();
                    chs.push(modifier.unwrap_or('\u{fffd}'));
                }
                let raw = matches!(modifier, Some('#' | '%'));
                if null_is_unset && raw {
                    return Err(format!("unsupported modifier ({chs}) in substitution"));
                }
                let (word, _) = match self.process_stop_on(Some('}'), raw) {
                    Ok(out) => out,
                    Err(e) => {
                        if self.peek().is_none() {
                            return Err("syntax error: missing '}'".to_string());
                        }
                        return Err(e);
                    }
                };
                Ok(format!("${{{name}{chs}{word}}}"))
            }
            Some('/') => {
                if self.peek() == Some('/') {
                    self.next();
                }
                let (pattern, _) = match self.process_stop_on(Some('/'), true) {
                    Ok(out) => out,
                    Err(e) => {
                        if self.peek().is_none() {
                            return Err("syntax error: missing '/' in ${}".to_string());
                        }
                        return Err(e);
                    }
                };
                let (replacement, _) = match self.process_stop_on(Some('}'), true) {
                    Ok(out) => out,
                    Err(e) => {
                        if self.peek().is_none() {
                            return Err("syntax error: missing '}'".to_string());
                        }
                        return Err(e);
                    }
                };
                Ok(format!("${{{name}/{pattern}/{replacement}}}"))
            }
            _ => Err(format!("unsupported modifier ({chs}) in substitution")),
        }
    }

    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && gotext::is_digit(ch) {
                while let Some(d) = self.peek() {
                    if !gotext::is_digit(d) {
                        break;
                    }
                    self.next();
                    name.push(d);
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                return ch.to_string();
            }
            if !gotext::is_letter(ch) && !gotext::is_digit(ch) && ch != '_' {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }

    fn process_possible_heredoc(&mut self) -> String {
        self.next(); // '<'
        if self.peek() != Some('<') {
            return "<".to_string();
        }
        self.next();
        let mut result = String::from("<<");
        while let Some(c @ ('\t' | '\r' | ' ')) = self.peek() {
            result.push(c);
            self.next();
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> Vec<String> {
        heredocs_from_line(line.as_bytes())
            .unwrap()
            .into_iter()
            .map(|h| h.name)
            .collect()
    }

    #[test]
    fn finds_heredoc_words() {
        assert_eq!(names("RUN <<EOF"), ["EOF"]);
        assert_eq!(names("RUN <<-EOF"), ["EOF"]);
        assert_eq!(names("RUN <<- EOF"), Vec::<String>::new());
        assert_eq!(names("RUN << -EOF"), ["-EOF"]);
        assert_eq!(names("RUN <<'EOF'"), ["EOF"]);
        assert_eq!(names("RUN 4<<EOF"), ["EOF"]);
        assert_eq!(names("RUN <<EOF <<EOF2"), ["EOF", "EOF2"]);
        assert_eq!(names("RUN '<<EOF'"), Vec::<String>::new());
        assert_eq!(names("RUN \"<<EOF\""), Vec::<String>::new());
        assert_eq!(names("RUN <<  EOF  > foo"), ["EOF"]);
        assert_eq!(names("RUN cat<<EOF"), Vec::<String>::new());
        assert_eq!(names("RUN <<'unterminated"), Vec::<String>::new());
    }

    #[test]
    fn quoting_disables_expansion() {
        let cases = [
            ("<<EOF", "EOF", true),
            ("<<'EOF'", "EOF", false),
            ("<<\"EOF\"", "EOF", false),
            ("<<EO\"F\"", "EOF", false),
            ("<<eo'f'", "eof", false),
            ("<<eo\\'f", "eo'f", true),
            ("<<'e'o\\'f", "eo'f", false),
            ("<<'one two'", "one two", false),
            ("<<$EOF", "$EOF", true),
            ("<< EOF", "EOF", true),
            ("<<- EOF", "EOF", true),
        ];
        for (word, name, expand) in cases {
            let h = parse_heredoc(word).unwrap().unwrap();
            assert_eq!((h.name.as_str(), h.expand), (name, expand), "{word}");
        }
    }

    #[test]
    fn not_heredocs_and_errors() {
        for word in ["", "EOF", "<<", "<<-", "<EOF", "<<<EOF", "<<EOF sh"] {
            assert_eq!(parse_heredoc(word).unwrap(), None, "{word}");
        }
        for word in ["<<'EOF", "<<\"EOF", "<<EOF'", "<<EOF\""] {
            assert!(parse_heredoc(word).is_err(), "{word}");
        }
    }

    #[test]
    fn records_word_positions_and_fd() {
        let found = heredocs_from_line(b"RUN 3<<-X cat").unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].start, found[0].end, found[0].fd), (4, 9, 3));
        assert!(found[0].chomp);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let line = format!("RUN <<EOF {}", "${a:-".repeat(100_000));
        assert_eq!(heredocs_from_line(line.as_bytes()).unwrap(), Vec::new());
    }
}
