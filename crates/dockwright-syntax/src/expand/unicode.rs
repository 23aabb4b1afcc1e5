//! Character classes exactly as Go's `unicode` package draws them, because BuildKit's lexer
//! decides what a variable name is and where a field ends with `unicode.IsLetter`,
//! `unicode.IsDigit` and `unicode.IsSpace`. Rust's `char::is_alphabetic`/`is_numeric` use
//! broader Unicode properties (Alphabetic, any Number), so they would accept names BuildKit
//! stops at.

use unicode_general_category::{GeneralCategory, get_general_category};

/// Go's `unicode.IsLetter`: general category L (Lu, Ll, Lt, Lm, Lo).
pub(crate) fn is_letter(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_alphabetic();
    }
    matches!(
        get_general_category(ch),
        GeneralCategory::UppercaseLetter
            | GeneralCategory::LowercaseLetter
            | GeneralCategory::TitlecaseLetter
            | GeneralCategory::ModifierLetter
            | GeneralCategory::OtherLetter
    )
}

/// Go's `unicode.IsDigit`: general category Nd (decimal digits in any script).
pub(crate) fn is_digit(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_digit();
    }
    get_general_category(ch) == GeneralCategory::DecimalNumber
}

/// Go's `unicode.IsSpace`: the Latin-1 spaces (including NEL and NBSP) plus the Unicode
/// White_Space property elsewhere.
pub(crate) fn is_space(ch: char) -> bool {
    matches!(
        ch,
        '\t' | '\n'
            | '\u{0B}'
            | '\u{0C}'
            | '\r'
            | ' '
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_are_category_l_only() {
        for ch in ['a', 'Z', 'é', 'ª', 'º', 'µ', '한', 'ǅ', 'ʰ'] {
            assert!(is_letter(ch), "{ch:?}");
        }
        // Alphabetic but not a letter: combining marks, letter-like numbers.
        for ch in ['\u{0345}', 'Ⅻ', '_', '1', '$', '\u{FEFF}'] {
            assert!(!is_letter(ch), "{ch:?}");
        }
    }

    #[test]
    fn digits_are_category_nd_only() {
        for ch in ['0', '9', '٣', '७', '９'] {
            assert!(is_digit(ch), "{ch:?}");
        }
        // Numbers that are not decimal digits.
        for ch in ['²', '½', 'Ⅻ', 'a'] {
            assert!(!is_digit(ch), "{ch:?}");
        }
    }

    #[test]
    fn spaces_match_go() {
        for ch in [
            ' ', '\t', '\n', '\u{0B}', '\u{0C}', '\r', '\u{85}', '\u{A0}', '\u{3000}',
        ] {
            assert!(is_space(ch), "{ch:?}");
        }
        for ch in ['\u{200B}', '\u{FEFF}', '\u{180E}', 'x', '\0'] {
            assert!(!is_space(ch), "{ch:?}");
        }
        // Agrees with Rust's White_Space everywhere: both follow the same property.
        for cp in 0..0x11000u32 {
            if let Some(ch) = char::from_u32(cp) {
                assert_eq!(is_space(ch), ch.is_whitespace(), "{cp:#x}");
            }
        }
    }
}
