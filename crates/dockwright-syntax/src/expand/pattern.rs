//! Shell patterns in `${V#p}`, `${V%p}` and `${V/p/r}`, matched the way BuildKit matches
//! them.
//!
//! BuildKit turns the pattern into a Go regular expression (`*` → `.*` or `.*?`, `?` → `.`,
//! everything else literal) and uses Go's leftmost-first matching. So `*` and `?` never match
//! a newline (Go's `.` does not), and there are no bracket expressions. Suffix removal
//! reverses both the pattern and the value and removes a prefix. The whole-match
//! replacement (`${V//p/r}`) goes through Go's `ReplaceAllString`, whose replacement text
//! gives `$0`/`${0}` the matched text and `$$` a dollar, and drops other `$name`s.
//!
//! The matcher here is a small Pike VM (threads in priority order), which gives the same
//! leftmost-first results as Go in time linear in pattern × value, whatever the pattern.

use super::unicode::{is_digit, is_letter};

/// One step of a compiled pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inst {
    /// Matches this character.
    Char(char),
    /// Matches any character but `\n` (Go's `.`).
    AnyButNewline,
    /// Try the first branch, then the second.
    Split(usize, usize),
    Jump(usize),
    Match,
}

/// A compiled shell pattern.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    insts: Vec<Inst>,
}

/// Why a pattern cannot be compiled, in BuildKit's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PatternError(pub String);

impl Pattern {
    /// Compiles `pattern`; `greedy` picks `.*` over `.*?` for `*`.
    pub(crate) fn compile(pattern: &str, greedy: bool) -> Result<Self, PatternError> {
        let mut insts = Vec::with_capacity(pattern.len() + 1);
        // Go's text/scanner drops a byte-order mark at the very start of its input.
        let pattern = pattern.strip_prefix('\u{FEFF}').unwrap_or(pattern);
        let mut chars = pattern.chars().peekable();
        while let Some(ch) = chars.next() {
            match ch {
                '*' => {
                    let at = insts.len();
                    let (first, second) = if greedy {
                        (at + 1, at + 3)
                    } else {
                        (at + 3, at + 1)
                    };
                    insts.push(Inst::Split(first, second));
                    insts.push(Inst::AnyButNewline);
                    insts.push(Inst::Jump(at));
                }
                '?' => insts.push(Inst::AnyButNewline),
                '\\' => match chars.peek() {
                    // `\}` and `\/` keep `}` and `/` from closing the `${}`; the backslash
                    // is not part of the pattern.
                    Some('}' | '/') => {}
                    Some(&escaped @ ('*' | '?' | '\\')) => {
                        chars.next();
                        insts.push(Inst::Char(escaped));
                    }
                    Some(&other) => {
                        return Err(PatternError(format!("invalid escape '\\{other}'")));
                    }
                    None => return Err(PatternError("invalid escape '\\' at end".into())),
                },
                literal => insts.push(Inst::Char(literal)),
            }
        }
        insts.push(Inst::Match);
        Ok(Pattern { insts })
    }

    /// The leftmost-first match in `text` that starts at `from` (when `anchored`) or at or
    /// after it, as a byte range.
    pub(crate) fn find_at(
        &self,
        text: &str,
        from: usize,
        anchored: bool,
    ) -> Option<(usize, usize)> {
        let n = self.insts.len();
        let mut current: Vec<(usize, usize)> = Vec::new();
        let mut next: Vec<(usize, usize)> = Vec::new();
        let mut seen = vec![0u64; n];
        let mut generation = 0u64;
        let mut stack: Vec<usize> = Vec::new();
        let mut found = None;
        let mut pos = from;
        loop {
            if found.is_none() && (!anchored || pos == from) {
                // A new attempt starting here has the lowest priority. It shares this step's
                // `seen` marks with the threads carried over, as in Go's NFA.
                if current.is_empty() {
                    generation += 1;
                }
                self.add_thread(&mut current, &mut seen, generation, &mut stack, 0, pos);
            }
            if current.is_empty() {
                break;
            }
            let ch = text.get(pos..).and_then(|rest| rest.chars().next());
            let after = pos + ch.map_or(0, char::len_utf8);
            generation += 1;
            next.clear();
            for &(pc, start) in &current {
                let step = match self.insts[pc] {
                    Inst::Match => {
                        found = Some((start, pos));
                        // Every thread after this one has lower priority.
                        break;
                    }
                    Inst::Char(want) => ch == Some(want),
                    Inst::AnyButNewline => ch.is_some_and(|c| c != '\n'),
                    Inst::Split(..) | Inst::Jump(_) => false,
                };
                if step {
                    self.add_thread(&mut next, &mut seen, generation, &mut stack, pc + 1, start);
                }
            }
            std::mem::swap(&mut current, &mut next);
            if ch.is_none() {
                // Threads still alive past the end can only be waiting for a character.
                break;
            }
            pos = after;
        }
        found
    }

    /// Adds the thread at `pc` and every thread reachable from it without reading a
    /// character, in priority order (depth first, first branch of a split first).
    fn add_thread(
        &self,
        list: &mut Vec<(usize, usize)>,
        seen: &mut [u64],
        generation: u64,
        stack: &mut Vec<usize>,
        pc: usize,
        start: usize,
    ) {
        stack.clear();
        stack.push(pc);
        while let Some(pc) = stack.pop() {
            if seen[pc] == generation {
                continue;
            }
            seen[pc] = generation;
            match self.insts[pc] {
                Inst::Split(first, second) => {
                    stack.push(second);
                    stack.push(first);
                }
                Inst::Jump(to) => stack.push(to),
                Inst::Char(_) | Inst::AnyButNewline | Inst::Match => list.push((pc, start)),
            }
        }
    }
}

/// `${V#p}` / `${V##p}`: `value` without the shortest (longest when `greedy`) prefix that
/// matches `pattern`.
pub(crate) fn trim_prefix(
    pattern: &str,
    value: &str,
    greedy: bool,
) -> Result<String, PatternError> {
    let compiled = Pattern::compile(pattern, greedy)?;
    Ok(match compiled.find_at(value, 0, true) {
        Some((_, end)) => value[end..].to_string(),
        None => value.to_string(),
    })
}

/// `${V%p}` / `${V%%p}`: removes a suffix by reversing both strings and removing a prefix,
/// as BuildKit does (so "shortest" means shortest among the leftmost matches of the
/// reversed value).
pub(crate) fn trim_suffix(
    pattern: &str,
    value: &str,
    greedy: bool,
) -> Result<String, PatternError> {
    let reversed_pattern = reverse_pattern(pattern);
    let reversed_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reversed_pattern, &reversed_value, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

/// Reverses a pattern but keeps each backslash in front of the character it escapes:
/// `a\*c` → `c\*a`. A trailing lone backslash ends up first.
pub(crate) fn reverse_pattern(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = vec!['\0'; chars.len()];
    let last = chars.len().saturating_sub(1);
    let mut i = 0;
    while i < chars.len() {
        let at = last - i;
        if chars[i] == '\\' && i != last {
            out[at - 1] = '\\';
            out[at] = chars[i + 1];
            i += 2;
        } else {
            out[at] = chars[i];
            i += 1;
        }
    }
    out.into_iter().collect()
}

/// `${V/p/r}`: the first (leftmost, longest-first) match of `pattern` replaced by
/// `replacement`, taken literally.
pub(crate) fn replace_first(
    pattern: &str,
    value: &str,
    replacement: &str,
) -> Result<String, PatternError> {
    let compiled = Pattern::compile(pattern, true)?;
    Ok(match compiled.find_at(value, 0, false) {
        Some((start, end)) => format!("{}{replacement}{}", &value[..start], &value[end..]),
        None => value.to_string(),
    })
}

/// `${V//p/r}`: every match replaced, following Go's `Regexp.ReplaceAllString`: matches do
/// not overlap, an empty match right after a previous match is skipped, and the
/// replacement is a Go template (see [`expand_template`]).
pub(crate) fn replace_all(
    pattern: &str,
    value: &str,
    replacement: &str,
) -> Result<String, PatternError> {
    let compiled = Pattern::compile(pattern, true)?;
    let mut out = String::with_capacity(value.len());
    let mut last_match_end = 0;
    let mut search = 0;
    while search <= value.len() {
        let Some((start, end)) = compiled.find_at(value, search, false) else {
            break;
        };
        out.push_str(&value[last_match_end..start]);
        if end > last_match_end || start == 0 {
            expand_template(&mut out, replacement, &value[start..end]);
        }
        last_match_end = end;
        let width = value[search..].chars().next().map_or(0, char::len_utf8);
        search = if search + width > end {
            search + width
        } else if search + 1 > end {
            search + 1
        } else {
            end
        };
    }
    out.push_str(&value[last_match_end..]);
    Ok(out)
}

/// Go's `Regexp.Expand` for a pattern with no groups: `$$` is `$`, `$0` and `${0}` are the
/// matched text, any other well-formed `$name`/`${name}` is empty, and a malformed `$`
/// stays literal.
fn expand_template(out: &mut String, template: &str, matched: &str) {
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        rest = &rest[dollar + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        match template_reference(rest) {
            Some((name, after)) => {
                if name == "0" {
                    out.push_str(matched);
                }
                rest = after;
            }
            None => out.push('$'),
        }
    }
    out.push_str(rest);
}

/// Reads `name` or `{name}` after a `$` in a Go template; `None` when malformed.
fn template_reference(text: &str) -> Option<(&str, &str)> {
    let (braced, body) = match text.strip_prefix('{') {
        Some(body) => (true, body),
        None => (false, text),
    };
    let len: usize = body
        .chars()
        .take_while(|&c| is_letter(c) || is_digit(c) || c == '_')
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        return None;
    }
    let (name, after) = body.split_at(len);
    if braced {
        let after = after.strip_prefix('}')?;
        Some((name, after))
    } else {
        Some((name, after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_buildkit_examples() {
        for pattern in ["*", "?", "\\*", "(()[]{\\}^$.\\*\\?|\\\\"] {
            assert!(Pattern::compile(pattern, true).is_ok(), "{pattern}");
        }
        for pattern in ["\\", "\\x", "\\\\\\"] {
            assert!(Pattern::compile(pattern, true).is_err(), "{pattern}");
        }
    }

    #[test]
    fn reverses_patterns_like_buildkit() {
        let cases = [
            ("a\\*c", "c\\*a"),
            ("\\\\\\ab", "b\\a\\\\"),
            ("ab\\", "\\ba"),
            ("👽\\🚀🖖", "🖖\\🚀👽"),
            ("\\\\b", "b\\\\"),
            ("", ""),
        ];
        for (pattern, want) in cases {
            assert_eq!(reverse_pattern(pattern), want, "{pattern}");
        }
    }

    #[test]
    fn prefix_and_suffix_removal() {
        assert_eq!(trim_prefix("*x*y", "xxyy", false).unwrap(), "y");
        assert_eq!(trim_prefix("*", "xxyy", false).unwrap(), "xxyy");
        assert_eq!(trim_prefix("*x", "xxyy", true).unwrap(), "yy");
        assert_eq!(trim_prefix("?\\?", "???y", false).unwrap(), "?y");
        assert_eq!(trim_prefix("", "xxyy", true).unwrap(), "xxyy");
        assert_eq!(trim_suffix("\\**", "xx**", true).unwrap(), "xx");
        assert_eq!(trim_suffix("\\**\\*", "a***yy*", true).unwrap(), "a");
        assert_eq!(trim_suffix("x", "xxyy", false).unwrap(), "xxyy");
        assert_eq!(
            trim_suffix("e*", "my_arg=def_val", true).unwrap(),
            "my_arg=d"
        );
        assert_eq!(
            trim_suffix("e*", "my_arg=def_val", false).unwrap(),
            "my_arg=d"
        );
        assert_eq!(trim_suffix(".*", "file.tar.gz", false).unwrap(), "file.tar");
        assert_eq!(trim_suffix(".*", "file.tar.gz", true).unwrap(), "file");
        // Go's `.` does not match a newline.
        assert_eq!(trim_prefix("*", "ab\ncd", true).unwrap(), "\ncd");
        assert_eq!(trim_prefix("a?c", "a\nc", true).unwrap(), "a\nc");
    }

    #[test]
    fn replacement() {
        assert_eq!(
            replace_first("\\*/", "/foo*/*/*.txt", ".").unwrap(),
            "/foo.*/*.txt"
        );
        assert_eq!(
            replace_all("\\*/", "/foo*/*/*.txt", ".").unwrap(),
            "/foo..*.txt"
        );
        assert_eq!(
            replace_first("/?/", "/a/foo/b/c.txt", "/").unwrap(),
            "/foo/b/c.txt"
        );
        assert_eq!(
            replace_all("/?/", "/a/foo/b/c.txt", "/").unwrap(),
            "/foo/c.txt"
        );
        assert_eq!(
            replace_all("\\/", "/tmp/foo.txt", "\\/").unwrap(),
            "\\/tmp\\/foo.txt"
        );
        assert_eq!(replace_first("", "xxyy", "ww").unwrap(), "wwxxyy");
        assert_eq!(replace_all("", "xxyy", "").unwrap(), "xxyy");
        assert_eq!(replace_all("", "ab", "-").unwrap(), "-a-b-");
        // `*` is any run of characters, not a regex repetition.
        assert_eq!(replace_all("x*", "abxxc", "-").unwrap(), "ab-");
        // An empty match right after a match is not replaced (Go's ReplaceAll).
        assert_eq!(replace_all("*", "ab\ncd", "-").unwrap(), "-\n-");
        // Only the all-matches form reads the replacement as a Go template.
        assert_eq!(replace_all("b", "abc", "[$0]").unwrap(), "a[b]c");
        assert_eq!(replace_all("b", "abc", "${0}$$").unwrap(), "ab$c");
        assert_eq!(replace_all("b", "abc", "$1$x${y}$").unwrap(), "a$c");
        assert_eq!(replace_all("b", "abc", "${0").unwrap(), "a${0c");
        assert_eq!(replace_first("b", "abc", "[$0]").unwrap(), "a[$0]c");
    }

    #[test]
    fn leftmost_first_priority() {
        let greedy = Pattern::compile("a*b", true).unwrap();
        assert_eq!(greedy.find_at("xaxbxb", 0, false), Some((1, 6)));
        let lazy = Pattern::compile("a*b", false).unwrap();
        assert_eq!(lazy.find_at("xaxbxb", 0, false), Some((1, 4)));
        assert_eq!(lazy.find_at("xaxbxb", 0, true), None);
        // Many stars stay linear.
        let many = Pattern::compile(&"*a".repeat(200), true).unwrap();
        let text = "a".repeat(5000);
        assert_eq!(many.find_at(&text, 0, true), Some((0, 5000)));
    }
}
