//! The Go standard-library path behaviours that `.dockerignore` handling depends on,
//! reimplemented on bytes (Go strings are byte strings, and so are Linux file names):
//! `path/filepath.Clean`, `filepath.Dir`, `strings.TrimSpace`, UTF-8 decoding the way Go's
//! `utf8.DecodeRune` does it, and the syntax check of `filepath.Match` that
//! `patternmatcher.New` runs on every pattern.
//!
//! Everything here must agree with Go byte for byte, because BuildKit's answer depends on it.

/// Go's `utf8.RuneError`, which Go's decoder returns for every invalid byte.
pub(crate) const RUNE_ERROR: char = '\u{FFFD}';

/// Decodes the rune at the start of `bytes` like Go's `utf8.DecodeRune`: an invalid or
/// truncated sequence gives `(RUNE_ERROR, 1)`. `bytes` must not be empty.
pub(crate) fn decode_rune(bytes: &[u8]) -> (char, usize) {
    let first = bytes[0];
    if first < 0x80 {
        return (char::from(first), 1);
    }
    let width = match first {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return (RUNE_ERROR, 1),
    };
    if bytes.len() < width {
        return (RUNE_ERROR, 1);
    }
    match std::str::from_utf8(&bytes[..width]) {
        Ok(s) => match s.chars().next() {
            Some(c) => (c, width),
            None => (RUNE_ERROR, 1),
        },
        Err(_) => (RUNE_ERROR, 1),
    }
}

/// Decodes the last rune of `bytes` like Go's `utf8.DecodeLastRune`. `bytes` must not be empty.
fn decode_last_rune(bytes: &[u8]) -> (char, usize) {
    let end = bytes.len();
    if bytes[end - 1] < 0x80 {
        return (char::from(bytes[end - 1]), 1);
    }
    // A rune is at most four bytes: look back for its start.
    let lowest = end.saturating_sub(4);
    let mut start = end - 1;
    while start > lowest && (bytes[start] & 0xC0) == 0x80 {
        start -= 1;
    }
    let (c, width) = decode_rune(&bytes[start..end]);
    if start + width != end {
        return (RUNE_ERROR, 1);
    }
    (c, width)
}

/// Converts bytes to text the way Go's regexp engine sees them: every byte of an invalid
/// sequence becomes one U+FFFD. (Rust's lossy conversion merges such bytes, Go does not.)
pub(crate) fn go_runes_to_string(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => {
            let mut out = String::with_capacity(bytes.len() + 8);
            let mut rest = bytes;
            while !rest.is_empty() {
                let (c, width) = decode_rune(rest);
                out.push(c);
                rest = &rest[width..];
            }
            std::borrow::Cow::Owned(out)
        }
    }
}

/// Go's `strings.TrimSpace`: removes leading and trailing Unicode white space (an invalid
/// byte is not white space and stops the trimming).
pub(crate) fn trim_space(mut s: &[u8]) -> &[u8] {
    while !s.is_empty() {
        let (c, width) = decode_rune(s);
        if (c == RUNE_ERROR && width == 1) || !c.is_whitespace() {
            break;
        }
        s = &s[width..];
    }
    while !s.is_empty() {
        let (c, width) = decode_last_rune(s);
        if (c == RUNE_ERROR && width == 1) || !c.is_whitespace() {
            break;
        }
        s = &s[..s.len() - width];
    }
    s
}

/// Go's `filepath.Clean` on Unix: the shortest lexically equivalent path. Repeated `/` are
/// collapsed, `.` elements dropped, `..` resolved against the preceding element, a trailing
/// `/` removed; an empty result is `.`.
pub fn clean(path: &[u8]) -> Vec<u8> {
    if path.is_empty() {
        return b".".to_vec();
    }
    let rooted = path[0] == b'/';
    let n = path.len();
    let mut out: Vec<u8> = Vec::with_capacity(n);
    let mut r = 0;
    let mut dotdot = 0;
    if rooted {
        out.push(b'/');
        r = 1;
        dotdot = 1;
    }
    while r < n {
        // An empty element (`//`) or a `.` element is dropped.
        let dot = path[r] == b'.' && (r + 1 == n || path[r + 1] == b'/');
        if path[r] == b'/' || dot {
            r += 1;
        } else if path[r] == b'.' && path[r + 1] == b'.' && (r + 2 == n || path[r + 2] == b'/') {
            r += 2;
            if out.len() > dotdot {
                // Back up to the last separator after `dotdot`, dropping it too.
                let mut w = out.len() - 1;
                while w > dotdot && out[w] != b'/' {
                    w -= 1;
                }
                out.truncate(w);
            } else if !rooted {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(b"..");
                dotdot = out.len();
            }
        } else {
            if (rooted && out.len() != 1) || (!rooted && !out.is_empty()) {
                out.push(b'/');
            }
            while r < n && path[r] != b'/' {
                out.push(path[r]);
                r += 1;
            }
        }
    }
    if out.is_empty() {
        return b".".to_vec();
    }
    out
}

/// Go's `filepath.Dir` on Unix: everything but the last element, cleaned.
pub(crate) fn dir(path: &[u8]) -> Vec<u8> {
    let cut = path.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
    clean(&path[..cut])
}

/// The error Go's `filepath.Match` reports for a malformed pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadPattern;

/// Go's `filepath.Match(pattern, name)` on Unix, including exactly where it notices a
/// malformed pattern: it stops at the first chunk that cannot match, so a syntax error after
/// that chunk goes unnoticed (which is why some bad patterns pass `patternmatcher.New`).
pub(crate) fn filepath_match(mut pattern: &[u8], mut name: &[u8]) -> Result<bool, BadPattern> {
    'pattern: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains(&b'/'));
        }
        let (t, ok) = match_chunk(chunk, name)?;
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if star {
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                let (t, ok) = match_chunk(chunk, &name[i + 1..])?;
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'pattern;
                }
                i += 1;
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while let [b'*', rest @ ..] = pattern {
        pattern = rest;
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => return (star, &pattern[..i], &pattern[i..]),
            _ => {}
        }
        i += 1;
    }
    (star, pattern, &[])
}

/// Returns the rest of `s` after the chunk and whether the chunk matched. Like Go, it keeps
/// parsing the chunk after a mismatch so that a malformed chunk is always reported.
fn match_chunk<'s>(mut chunk: &[u8], mut s: &'s [u8]) -> Result<(&'s [u8], bool), BadPattern> {
    let mut failed = false;
    while !chunk.is_empty() {
        failed = failed || s.is_empty();
        match chunk[0] {
            b'[' => {
                let mut r = '\0';
                if !failed {
                    let (c, n) = decode_rune(s);
                    r = c;
                    s = &s[n..];
                }
                chunk = &chunk[1..];
                let mut negated = false;
                if let [b'^', rest @ ..] = chunk {
                    negated = true;
                    chunk = rest;
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if let [b']', rest @ ..] = chunk
                        && nrange > 0
                    {
                        chunk = rest;
                        break;
                    }
                    let (lo, rest) = get_esc(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk[0] == b'-' {
                        let (h, rest) = get_esc(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    matched = matched || (lo <= r && r <= hi);
                    nrange += 1;
                }
                failed = failed || matched == negated;
            }
            b'?' => {
                if !failed {
                    failed = s[0] == b'/';
                    let (_, n) = decode_rune(s);
                    s = &s[n..];
                }
                chunk = &chunk[1..];
            }
            c => {
                let literal = if c == b'\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return Err(BadPattern);
                    }
                    chunk[0]
                } else {
                    c
                };
                if !failed {
                    failed = literal != s[0];
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    if failed {
        Ok((&[], false))
    } else {
        Ok((s, true))
    }
}

/// A possibly escaped character of a class; the chunk must continue after it.
fn get_esc(mut chunk: &[u8]) -> Result<(char, &[u8]), BadPattern> {
    if chunk.is_empty() || chunk[0] == b'-' || chunk[0] == b']' {
        return Err(BadPattern);
    }
    if chunk[0] == b'\\' {
        chunk = &chunk[1..];
        if chunk.is_empty() {
            return Err(BadPattern);
        }
    }
    let (r, n) = decode_rune(chunk);
    let rest = &chunk[n..];
    if (r == RUNE_ERROR && n == 1) || rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((r, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> String {
        String::from_utf8(clean(s.as_bytes())).unwrap()
    }

    #[test]
    fn clean_matches_go() {
        // Cases from Go's own path/filepath tests, which define the behaviour.
        let cases = [
            ("abc", "abc"),
            ("abc/def", "abc/def"),
            ("a/b/c", "a/b/c"),
            (".", "."),
            ("..", ".."),
            ("../..", "../.."),
            ("../../abc", "../../abc"),
            ("/abc", "/abc"),
            ("/", "/"),
            ("", "."),
            ("abc/", "abc"),
            ("abc/def/", "abc/def"),
            ("a/b/c/", "a/b/c"),
            ("./", "."),
            ("../", ".."),
            ("../../", "../.."),
            ("/abc/", "/abc"),
            ("abc//def//ghi", "abc/def/ghi"),
            ("//abc", "/abc"),
            ("///abc", "/abc"),
            ("//abc//", "/abc"),
            ("abc//", "abc"),
            ("abc/./def", "abc/def"),
            ("/./abc/def", "/abc/def"),
            ("abc/.", "abc"),
            ("abc/def/ghi/../jkl", "abc/def/jkl"),
            ("abc/def/../ghi/../jkl", "abc/jkl"),
            ("abc/def/..", "abc"),
            ("abc/def/../..", "."),
            ("/abc/def/../..", "/"),
            ("abc/def/../../..", ".."),
            ("/abc/def/../../..", "/"),
            ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"),
            ("/../abc", "/abc"),
            ("a/../b:/../../c", "../c"),
            ("abc/./../def", "def"),
            ("abc//./../def", "def"),
            ("abc/../../././../def", "../../def"),
            ("!./foo", "!./foo"),
        ];
        for (input, want) in cases {
            assert_eq!(c(input), want, "Clean({input:?})");
        }
    }

    #[test]
    fn dir_matches_go() {
        let d = |s: &str| String::from_utf8(dir(s.as_bytes())).unwrap();
        assert_eq!(d("file"), ".");
        assert_eq!(d("a/b"), "a");
        assert_eq!(d("a/b/"), "a/b");
        assert_eq!(d("/"), "/");
        assert_eq!(d("/a"), "/");
        assert_eq!(d("a//b"), "a");
    }

    #[test]
    fn trim_space_matches_go() {
        assert_eq!(trim_space(b"  a b \t\r\n"), b"a b");
        assert_eq!(trim_space("\u{a0}x\u{3000}".as_bytes()), b"x");
        assert_eq!(trim_space(b"\xff x"), b"\xff x");
        assert_eq!(trim_space(b"x \xff"), b"x \xff");
        assert_eq!(trim_space(b"   "), b"");
    }

    #[test]
    fn decode_is_per_byte_on_invalid_input() {
        assert_eq!(
            go_runes_to_string(b"a\xF0\x9F\x98b"),
            "a\u{FFFD}\u{FFFD}\u{FFFD}b"
        );
        assert_eq!(
            go_runes_to_string(b"\xED\xA0\x80"),
            "\u{FFFD}\u{FFFD}\u{FFFD}"
        );
        assert_eq!(go_runes_to_string("☺".as_bytes()), "☺");
    }

    #[test]
    fn match_syntax_errors_like_go() {
        let m = |p: &str, n: &str| filepath_match(p.as_bytes(), n.as_bytes());
        assert_eq!(m("[", "."), Err(BadPattern));
        assert_eq!(m("[]a]", "]"), Err(BadPattern));
        assert_eq!(m("[-]", "-"), Err(BadPattern));
        assert_eq!(m("[x-]", "x"), Err(BadPattern));
        assert_eq!(m("[a-b-c]", "a"), Err(BadPattern));
        assert_eq!(m("\\", "a"), Err(BadPattern));
        assert_eq!(m("a[", "a"), Err(BadPattern));
        assert_eq!(m("[^bc", "a"), Err(BadPattern));
        // Go stops at the first chunk that cannot match and never sees the rest.
        assert_eq!(m("a*[", "."), Ok(false));
        assert_eq!(m("[Local-Only]", "."), Ok(false));
    }

    #[test]
    fn match_results_like_go() {
        let m = |p: &str, n: &str| filepath_match(p.as_bytes(), n.as_bytes()).unwrap();
        assert!(m("abc", "abc"));
        assert!(m("*", "abc"));
        assert!(!m("a*", "ab/c"));
        assert!(m("a*/b", "abc/b"));
        assert!(!m("a*/b", "a/c/b"));
        assert!(m("a*b*c*d*e*/f", "axbxcxdxexxx/f"));
        assert!(m("ab[^e-g]", "abc"));
        assert!(m("a?b", "a☺b"));
        assert!(!m("a???b", "a☺b"));
        assert!(m("[a-ζ]*", "α"));
        assert!(m("a\\*b", "a*b"));
        assert!(m("[\\-x]", "-"));
    }
}
