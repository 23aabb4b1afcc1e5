//! Properties of word expansion over generated input.

use dockwright_syntax::expand::{Lexer, Variables};
use proptest::prelude::*;

/// Text rich in the characters the lexer treats specially.
fn shell_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(vec![
            "$", "{", "}", ":", "-", "+", "?", "#", "%", "/", "\\", "'", "\"", "<", "*", " ",
            "`", "A", "B", "1", "@", "=", ".", "\n", "\t", "é", "\u{FEFF}", "${", "${A", "}",
            "//", "<<", "\\}",
        ])
        .prop_map(str::to_string),
        1 => any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

fn environment() -> impl Strategy<Value = Variables> {
    prop::collection::vec(
        (
            prop::sample::select(vec!["A", "B", "1", "@", ""]),
            shell_text(),
        ),
        0..4,
    )
    .prop_map(|pairs| pairs.into_iter().collect())
}

fn lexer() -> impl Strategy<Value = Lexer> {
    (
        prop::sample::select(vec!['\\', '`', '$', '"']),
        any::<[bool; 4]>(),
    )
        .prop_map(|(escape, o)| {
            Lexer::new(escape)
                .with_raw_quotes(o[0])
                .with_raw_escapes(o[1])
                .with_skip_process_quotes(o[2])
                .with_skip_unset_env(o[3])
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Never a panic, whatever the word, environment and options; and the analysis agrees
    /// with expansion about syntax errors and static values.
    #[test]
    fn expansion_never_panics_and_agrees_with_analysis(
        word in shell_text(), env in environment(), lexer in lexer(),
    ) {
        let expanded = lexer.expand(&word, &env);
        let analyzed = lexer.analyze(&word);
        match (&expanded, &analyzed) {
            (Ok(_), Err(err)) => prop_assert!(false, "analysis failed but expansion did not: {err}"),
            (Err(err), Ok(_)) => prop_assert!(!err.is_syntax_error(), "syntax error missed by analysis: {err}"),
            (Ok(expansion), Ok(info)) => {
                if let Some(value) = &info.static_value {
                    prop_assert_eq!(value, &expansion.value);
                    prop_assert_eq!(info.static_words.as_ref(), Some(&expansion.words));
                }
                prop_assert_eq!(info.references.len(), expansion.references.len());
                for r in &expansion.references {
                    prop_assert!(word[r.span.clone()].starts_with('$'));
                    prop_assert_eq!(&word[r.name_span.clone()], r.name.as_str());
                    prop_assert!(r.span.start < r.name_span.start && r.name_span.end <= r.span.end);
                }
            }
            (Err(_), Err(_)) => {}
        }
    }

    /// A word with no `$`, quote or escape character expands to itself (less a leading
    /// byte-order mark, which BuildKit's scanner drops).
    #[test]
    fn plain_words_expand_to_themselves(word in "[^$'\"\\\\]*", env in environment()) {
        let value = Lexer::default().process_word(&word, &env).unwrap();
        prop_assert_eq!(value.as_str(), word.strip_prefix('\u{FEFF}').unwrap_or(&word));
    }

    /// Escaping every character gives the text back, and keeps it one field.
    #[test]
    fn escaping_every_character_round_trips(text in any::<String>(), env in environment()) {
        let escaped: String = text.chars().flat_map(|c| ['\\', c]).collect();
        let expansion = Lexer::default().expand(&escaped, &env).unwrap();
        prop_assert_eq!(&expansion.value, &text);
        let want: Vec<String> = if text.is_empty() { vec![] } else { vec![text.clone()] };
        prop_assert_eq!(expansion.words, want);
    }

    /// Single quotes keep any text without a single quote literally, as one field.
    #[test]
    fn single_quotes_round_trip(text in "[^']*", env in environment()) {
        let quoted = format!("'{text}'");
        prop_assert_eq!(Lexer::default().process_word(&quoted, &env).unwrap(), text);
    }

    /// `${V}` gives V's value for any value, and unquoted expansion splits it on whitespace
    /// while a quoted one does not.
    #[test]
    fn variable_values_pass_through(value in any::<String>()) {
        let env: Variables = [("V", value.as_str())].into_iter().collect();
        let lexer = Lexer::default();
        prop_assert_eq!(lexer.process_word("${V}", &env).unwrap(), value.clone());
        prop_assert_eq!(lexer.process_word("$V", &env).unwrap(), value.clone());
        let split: Vec<String> = value
            .split(|c: char| c.is_whitespace())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        prop_assert_eq!(lexer.process_words("$V", &env).unwrap(), split);
        let quoted = lexer.process_words("\"$V\"", &env).unwrap();
        prop_assert_eq!(quoted, if value.is_empty() { vec![] } else { vec![value] });
    }
}
