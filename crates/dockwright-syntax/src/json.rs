//! The JSON-array ("exec form") test BuildKit applies to RUN/CMD/ENTRYPOINT/SHELL and
//! ADD/COPY/VOLUME arguments, reproducing Go's `json.Unmarshal` into `[]any`: what it
//! accepts, what makes it fail (so BuildKit falls back to the shell form), and when the
//! array holds a non-string (an error).

use std::borrow::Cow;

/// Go's `encoding/json` nesting limit.
const MAX_DEPTH: usize = 10_000;

/// What BuildKit makes of an argument text that might be a JSON array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonArray {
    /// A valid array of strings: the byte range (quotes included) of each element.
    Strings(Vec<(usize, usize)>),
    /// Valid JSON, but an element is not a string: BuildKit rejects the instruction.
    /// Holds the offset of the first such element.
    NonString(usize),
    /// Not a JSON array (or a value Go cannot decode): BuildKit uses the shell form.
    NotJson,
}

/// Classifies `text`, which BuildKit has already trimmed of surrounding white space.
pub(crate) fn parse_array(text: &[u8]) -> JsonArray {
    scan(text, true)
}

/// Like [`parse_array`], but `Strings` holds no ranges (no allocation).
pub(crate) fn classify_array(text: &[u8]) -> JsonArray {
    scan(text, false)
}

fn scan(text: &[u8], collect: bool) -> JsonArray {
    let mut scanner = Scanner {
        s: text,
        i: 0,
        overflow: false,
        collect,
    };
    match scanner.array() {
        Some(result) if !scanner.overflow => result,
        _ => JsonArray::NotJson,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Container {
    Array,
    Object,
}

struct Scanner<'s> {
    s: &'s [u8],
    i: usize,
    /// A number too large for a float64: Go records an error and `Unmarshal` fails.
    overflow: bool,
    /// Whether to record the string ranges.
    collect: bool,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// Returns None for invalid JSON.
    fn array(&mut self) -> Option<JsonArray> {
        if self.peek() != Some(b'[') {
            return None;
        }
        self.i += 1;
        // Containers nested inside the outermost array (which is implied, so a plain array of
        // strings allocates nothing).
        let mut stack: Vec<Container> = Vec::new();
        let mut strings = Vec::new();
        let mut first_non_string: Option<usize> = None;
        // Whether the next token may close the innermost container (just after `[` or `{`).
        let mut just_opened = true;
        loop {
            self.skip_ws();
            let top = stack.last().copied().unwrap_or(Container::Array);
            if just_opened {
                just_opened = false;
                let close = if top == Container::Array { b']' } else { b'}' };
                if self.peek() == Some(close) {
                    self.i += 1;
                    if stack.pop().is_none() || self.after_value(&mut stack)? {
                        break;
                    }
                    continue;
                }
            }
            if top == Container::Object {
                // key ':'
                if self.peek() != Some(b'"') {
                    return None;
                }
                self.string()?;
                self.skip_ws();
                if self.peek() != Some(b':') {
                    return None;
                }
                self.i += 1;
                self.skip_ws();
            }
            let at_top = stack.is_empty();
            let start = self.i;
            match self.peek()? {
                b'"' => {
                    self.string()?;
                    if at_top && self.collect {
                        strings.push((start, self.i));
                    }
                }
                open @ (b'[' | b'{') => {
                    if at_top && first_non_string.is_none() {
                        first_non_string = Some(start);
                    }
                    if stack.len() + 2 > MAX_DEPTH {
                        return None;
                    }
                    self.i += 1;
                    stack.push(if open == b'[' {
                        Container::Array
                    } else {
                        Container::Object
                    });
                    just_opened = true;
                    continue;
                }
                b'-' | b'0'..=b'9' => {
                    self.number()?;
                    if at_top && first_non_string.is_none() {
                        first_non_string = Some(start);
                    }
                }
                b't' | b'f' | b'n' => {
                    let word: &[u8] = match self.peek() {
                        Some(b't') => b"true",
                        Some(b'f') => b"false",
                        _ => b"null",
                    };
                    self.literal(word)?;
                    if at_top && first_non_string.is_none() {
                        first_non_string = Some(start);
                    }
                }
                _ => return None,
            }
            if self.after_value(&mut stack)? {
                break;
            }
        }
        self.skip_ws();
        if self.i != self.s.len() {
            return None;
        }
        Some(match first_non_string {
            Some(at) => JsonArray::NonString(at),
            None => JsonArray::Strings(strings),
        })
    }

    /// After a value: consumes `,` or closing brackets. Returns Some(true) when the outermost
    /// array has closed.
    fn after_value(&mut self, stack: &mut Vec<Container>) -> Option<bool> {
        loop {
            let top = stack.last().copied().unwrap_or(Container::Array);
            self.skip_ws();
            let close = if top == Container::Array { b']' } else { b'}' };
            match self.peek()? {
                b',' => {
                    self.i += 1;
                    return Some(false);
                }
                c if c == close => {
                    self.i += 1;
                    if stack.pop().is_none() {
                        return Some(true);
                    }
                }
                _ => return None,
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.s.get(self.i..self.i + word.len()) == Some(word) {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Option<()> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        if text.parse::<f64>().map_or(true, f64::is_infinite) {
            self.overflow = true;
        }
        Some(())
    }

    fn string(&mut self) -> Option<()> {
        self.i += 1; // opening quote
        loop {
            let rest = self.s.get(self.i..)?;
            let at = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(rest.len());
            self.i += at;
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(());
                }
                b'\\' => {
                    self.i += 1;
                    match self.peek()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 1,
                        b'u' => {
                            self.i += 1;
                            for _ in 0..4 {
                                if !self.peek()?.is_ascii_hexdigit() {
                                    return None;
                                }
                                self.i += 1;
                            }
                        }
                        _ => return None,
                    }
                }
                _ => return None, // a control character
            }
        }
    }
}

fn hex4(s: &[u8]) -> Option<u32> {
    let digits = s.get(..4)?;
    let text = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(text, 16).ok()
}

/// Decodes one JSON string token (quotes included) as Go does: escapes resolved, lone
/// surrogates and invalid UTF-8 bytes replaced by U+FFFD.
pub(crate) fn decode_string(raw: &[u8]) -> Cow<'_, str> {
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
    if memchr::memchr(b'\\', inner).is_none() {
        return crate::gotext::lossy_runes(inner);
    }
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let b = inner[i];
        if b != b'\\' {
            let (c, w) = crate::gotext::decode_rune(&inner[i..]);
            out.push(c);
            i += w.max(1);
            continue;
        }
        let Some(&esc) = inner.get(i + 1) else {
            break;
        };
        i += 2;
        match esc {
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let Some(first) = hex4(&inner[i..]) else {
                    break;
                };
                i += 4;
                if (0xD800..0xE000).contains(&first) {
                    // A surrogate: valid only as a high/low pair written as two escapes.
                    let pair = if inner.get(i..i + 2) == Some(b"\\u") {
                        hex4(&inner[i + 2..]).and_then(|second| {
                            if (0xD800..0xDC00).contains(&first)
                                && (0xDC00..0xE000).contains(&second)
                            {
                                char::from_u32(
                                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00),
                                )
                            } else {
                                None
                            }
                        })
                    } else {
                        None
                    };
                    match pair {
                        Some(c) => {
                            out.push(c);
                            i += 6;
                        }
                        None => out.push(char::REPLACEMENT_CHARACTER),
                    }
                } else {
                    out.push(char::from_u32(first).unwrap_or(char::REPLACEMENT_CHARACTER));
                }
            }
            other => out.push(other as char),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(text: &str) -> Option<Vec<String>> {
        match parse_array(text.as_bytes()) {
            JsonArray::Strings(r) => Some(
                r.iter()
                    .map(|&(a, b)| decode_string(&text.as_bytes()[a..b]).into_owned())
                    .collect(),
            ),
            _ => None,
        }
    }

    #[test]
    fn accepts_string_arrays() {
        assert_eq!(strings("[]"), Some(vec![]));
        assert_eq!(
            strings(r#"[ "a", "b" ]"#),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            strings(r#"["\/usr\\\"/bin"]"#),
            Some(vec![r#"/usr\"/bin"#.into()])
        );
        assert_eq!(
            strings(r#"["\ud83d\ude00\ud800x"]"#),
            Some(vec!["😀\u{fffd}x".into()])
        );
    }

    #[test]
    fn rejects_what_go_rejects() {
        for bad in [
            "['a']",
            "[\"a\"",
            "[\"a\",]",
            "[\"a\"] x",
            "[\"a\tb\"]",
            "[01]",
            "[1.]",
            "[\"\\x\"]",
            "[1e999]",
            "[\"a\", {\"b\": -1e400}]",
            "[tru]",
        ] {
            assert_eq!(parse_array(bad.as_bytes()), JsonArray::NotJson, "{bad}");
        }
    }

    #[test]
    fn non_strings_are_errors() {
        assert_eq!(parse_array(b"[1]"), JsonArray::NonString(1));
        assert_eq!(parse_array(b"[\"a\", [\"b\"]]"), JsonArray::NonString(6));
        assert_eq!(parse_array(b"[null]"), JsonArray::NonString(1));
        assert_eq!(parse_array(b"[{}]"), JsonArray::NonString(1));
        assert_eq!(parse_array(b"[1e-999]"), JsonArray::NonString(1));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let deep = "[".repeat(20_000);
        assert_eq!(parse_array(deep.as_bytes()), JsonArray::NotJson);
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(parse_array(ok.as_bytes()), JsonArray::NonString(1));
    }
}
