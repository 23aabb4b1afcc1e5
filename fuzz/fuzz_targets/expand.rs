//! Word expansion on arbitrary input: never a panic, and expansion and analysis agree.
//!
//! Input layout: byte 0 picks the lexer options and escape character, byte 1 how many of
//! the following bytes form variable values, then the values (split on NUL and given to
//! `A`, `B`, `1`, `@`), then the word.

#![no_main]

use dockwright_syntax::expand::{Lexer, Variables};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&options, rest)) = data.split_first() else {
        return;
    };
    let Some((&env_len, rest)) = rest.split_first() else {
        return;
    };
    let (env_bytes, word_bytes) = rest.split_at(usize::from(env_len).min(rest.len()));
    let escape = ['\\', '`', '$', '"'][usize::from(options >> 4) & 3];
    let lexer = Lexer::new(escape)
        .with_raw_quotes(options & 1 != 0)
        .with_raw_escapes(options & 2 != 0)
        .with_skip_process_quotes(options & 4 != 0)
        .with_skip_unset_env(options & 8 != 0);
    let env: Variables = String::from_utf8_lossy(env_bytes)
        .split('\0')
        .zip(["A", "B", "1", "@"])
        .map(|(value, name)| (name, value.to_string()))
        .collect();
    let word = String::from_utf8_lossy(word_bytes);

    let expanded = lexer.expand(&word, &env);
    let analyzed = lexer.analyze(&word);
    match (&expanded, &analyzed) {
        (Ok(_), Err(err)) => panic!("analysis failed, expansion did not: {err}"),
        (Err(err), Ok(_)) => assert!(!err.is_syntax_error(), "analysis missed {err}"),
        (Ok(expansion), Ok(info)) => {
            if let Some(value) = &info.static_value {
                assert_eq!(value, &expansion.value);
            }
            for r in &expansion.references {
                assert!(word[r.span.clone()].starts_with('$'));
                assert_eq!(&word[r.name_span.clone()], r.name);
            }
        }
        (Err(_), Err(_)) => {}
    }
});
