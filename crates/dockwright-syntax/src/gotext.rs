//! Text primitives that behave exactly like the Go standard library functions BuildKit's
//! parser calls (`unicode.IsSpace`, `strings.TrimSpace`, `utf8.DecodeRune`, `strconv.Quote`,
//! ...). BuildKit works on byte strings that may hold invalid UTF-8, so these work on bytes.

/// Go's `unicode.IsSpace`: the Unicode White_Space property (the same set as Rust's
/// `char::is_whitespace`).
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Go's `unicode.IsSpace(rune(b))` applied to a single byte, as BuildKit's flag and
/// HEALTHCHECK scanners do: the byte is taken as a Latin-1 code point, so the UTF-8
/// continuation bytes 0x85 and 0xA0 count as white space.
pub(crate) fn is_space_byte_latin1(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ' | 0x85 | 0xA0)
}

/// The characters of BuildKit's `reWhitespace` (`[\t\v\f\r ]`).
pub(crate) fn is_split_space(b: u8) -> bool {
    matches!(b, b'\t' | 0x0B | 0x0C | b'\r' | b' ')
}

/// Go's `utf8.DecodeRune`: the first character of `s` and its width; an invalid or
/// truncated sequence decodes as U+FFFD of width 1. `s` must not be empty.
pub(crate) fn decode_rune(s: &[u8]) -> (char, usize) {
    let Some(&b0) = s.first() else {
        return (char::REPLACEMENT_CHARACTER, 0);
    };
    if b0 < 0x80 {
        return (b0 as char, 1);
    }
    let width = match b0 {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return (char::REPLACEMENT_CHARACTER, 1),
    };
    if s.len() < width {
        return (char::REPLACEMENT_CHARACTER, 1);
    }
    match std::str::from_utf8(&s[..width]) {
        Ok(text) => match text.chars().next() {
            Some(c) => (c, width),
            None => (char::REPLACEMENT_CHARACTER, 1),
        },
        Err(_) => (char::REPLACEMENT_CHARACTER, 1),
    }
}

/// Go's `utf8.DecodeLastRune`: the last character of `s` and its width.
pub(crate) fn decode_last_rune(s: &[u8]) -> (char, usize) {
    let Some(&last) = s.last() else {
        return (char::REPLACEMENT_CHARACTER, 0);
    };
    if last < 0x80 {
        return (last as char, 1);
    }
    // Find the start of the last character: at most 4 bytes back, the first byte that is
    // not a continuation byte.
    let end = s.len();
    let lim = end.saturating_sub(4);
    let mut start = end - 1;
    while start > lim && (s[start] & 0xC0) == 0x80 {
        start -= 1;
    }
    let (c, width) = decode_rune(&s[start..end]);
    if start + width != end {
        return (char::REPLACEMENT_CHARACTER, 1);
    }
    (c, width)
}

/// Go's `bytes.TrimLeftFunc(s, unicode.IsSpace)`: the offset of the first non-space
/// character.
pub(crate) fn leading_space_len(s: &[u8]) -> usize {
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b < 0x80 {
            if matches!(b, b'\t'..=b'\r' | b' ') {
                i += 1;
                continue;
            }
            return i;
        }
        let (c, w) = decode_rune(&s[i..]);
        if c == char::REPLACEMENT_CHARACTER && w == 1 || !is_space(c) {
            return i;
        }
        i += w;
    }
    i
}

/// Go's `TrimRightFunc(s, unicode.IsSpace)`: the length of `s` without trailing space.
pub(crate) fn trimmed_right_len(s: &[u8]) -> usize {
    let mut end = s.len();
    while end > 0 {
        let b = s[end - 1];
        if b < 0x80 {
            if matches!(b, b'\t'..=b'\r' | b' ') {
                end -= 1;
                continue;
            }
            return end;
        }
        let (c, w) = decode_last_rune(&s[..end]);
        if c == char::REPLACEMENT_CHARACTER && w == 1 || !is_space(c) {
            return end;
        }
        end -= w;
    }
    end
}

/// Go's `strings.TrimSpace`, as a range of `s`.
pub(crate) fn trim_space(s: &[u8]) -> (usize, usize) {
    let start = leading_space_len(s);
    let end = start + trimmed_right_len(&s[start..]);
    (start, end)
}

/// Decodes bytes the way Go does when it ranges over a string or builds one rune by rune:
/// every byte of an invalid sequence becomes U+FFFD.
pub(crate) fn lossy_runes(s: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(s) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < s.len() {
        let (c, w) = decode_rune(&s[i..]);
        out.push(c);
        i += w.max(1);
    }
    std::borrow::Cow::Owned(out)
}

/// Each byte as the Latin-1 code point of the same value, as Go's `WriteRune(rune(b))`
/// does in BuildKit's flag scanner.
pub(crate) fn latin1_runes(s: &[u8]) -> String {
    s.iter().map(|&b| b as char).collect()
}

/// Go's `strings.ToLower` (simple per-character case mapping; invalid bytes become U+FFFD).
pub(crate) fn to_lower(s: &[u8]) -> String {
    let text = lossy_runes(s);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c.to_lowercase().next() {
            Some(lower) => out.push(lower),
            None => out.push(c),
        }
    }
    out
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and U+0020.
pub(crate) fn is_print(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    if c == ' ' {
        return true;
    }
    if (c as u32) < 0x80 {
        return ('!'..='~').contains(&c);
    }
    matches!(
        get_general_category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
            | G::NonspacingMark
            | G::SpacingMark
            | G::EnclosingMark
            | G::DecimalNumber
            | G::LetterNumber
            | G::OtherNumber
            | G::ConnectorPunctuation
            | G::DashPunctuation
            | G::OpenPunctuation
            | G::ClosePunctuation
            | G::InitialPunctuation
            | G::FinalPunctuation
            | G::OtherPunctuation
            | G::MathSymbol
            | G::CurrencySymbol
            | G::ModifierSymbol
            | G::OtherSymbol
    )
}

/// Go's `unicode.IsLetter`.
pub(crate) fn is_letter(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    matches!(
        get_general_category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
    )
}

/// Go's `unicode.IsDigit` (decimal digits of any script).
pub(crate) fn is_digit(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    get_general_category(c) == G::DecimalNumber
}

const LOWER_HEX: &[u8; 16] = b"0123456789abcdef";

/// Go's `strconv.Quote`, appended to `out`.
pub(crate) fn quote_into(out: &mut String, s: &[u8]) {
    out.push('"');
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        let (c, w) = if b < 0x80 {
            (b as char, 1)
        } else {
            decode_rune(&s[i..])
        };
        if w == 1 && c == char::REPLACEMENT_CHARACTER {
            out.push_str("\\x");
            out.push(LOWER_HEX[usize::from(b >> 4)] as char);
            out.push(LOWER_HEX[usize::from(b & 0xF)] as char);
            i += 1;
            continue;
        }
        i += w;
        escape_rune(out, c);
    }
    out.push('"');
}

/// Go's `strconv.Quote` of a valid string.
pub(crate) fn quote_str_into(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        escape_rune(out, c);
    }
    out.push('"');
}

fn escape_rune(out: &mut String, c: char) {
    if c == '"' || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        _ => {
            let r = c as u32;
            if r < 0x20 || r == 0x7F {
                out.push_str("\\x");
                push_hex(out, r, 2);
            } else if r < 0x10000 {
                out.push_str("\\u");
                push_hex(out, r, 4);
            } else {
                out.push_str("\\U");
                push_hex(out, r, 8);
            }
        }
    }
}

fn push_hex(out: &mut String, value: u32, digits: u32) {
    for k in (0..digits).rev() {
        let nibble = (value >> (k * 4)) & 0xF;
        out.push(LOWER_HEX[nibble as usize] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quote(s: &[u8]) -> String {
        let mut out = String::new();
        quote_into(&mut out, s);
        out
    }

    #[test]
    fn quote_matches_go() {
        assert_eq!(quote(b"a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote("♥".as_bytes()), "\"♥\"");
        assert_eq!(quote(b"\x00\x07\x7f"), r#""\x00\a\x7f""#);
        assert_eq!(quote(b"\xff"), r#""\xff""#);
        assert_eq!(quote("\u{a0}".as_bytes()), r#""\u00a0""#);
        assert_eq!(quote("\u{feff}".as_bytes()), r#""\ufeff""#);
        assert_eq!(quote("\u{e0000}".as_bytes()), r#""\U000e0000""#);
        assert_eq!(quote("\u{fffd}".as_bytes()), "\"\u{fffd}\"");
    }

    #[test]
    fn decode_matches_go() {
        assert_eq!(decode_rune(b"\xe2\x82"), (char::REPLACEMENT_CHARACTER, 1));
        assert_eq!(decode_rune("é".as_bytes()), ('é', 2));
        assert_eq!(
            decode_rune(b"\xed\xa0\x80"),
            (char::REPLACEMENT_CHARACTER, 1)
        );
        assert_eq!(decode_last_rune("aé".as_bytes()), ('é', 2));
        assert_eq!(decode_last_rune(b"a\x82"), (char::REPLACEMENT_CHARACTER, 1));
        assert_eq!(lossy_runes(b"a\xe2\x82b"), "a\u{fffd}\u{fffd}b");
    }

    #[test]
    fn trims_unicode_space() {
        let s = "\u{a0} \tx y\u{3000}".as_bytes();
        let (a, b) = trim_space(s);
        assert_eq!(&s[a..b], b"x y");
        assert_eq!(trim_space(b"\xa0x"), (0, 2));
        assert_eq!(leading_space_len(b"   "), 3);
    }

    #[test]
    fn lowercases_like_go() {
        assert_eq!(to_lower(b"RUN"), "run");
        assert_eq!(to_lower("WOR\u{212a}DIR".as_bytes()), "workdir");
        assert_eq!(to_lower(b"R\xffN"), "r\u{fffd}n");
    }
}
