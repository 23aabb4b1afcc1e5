//! Properties of the `.dockerignore` matcher that must hold for any input.

use dockwright_context::go_regexp;
use dockwright_context::ignore_file::read_patterns;
use dockwright_context::{Dockerignore, MatchInfo, PatternMatcher};
use proptest::prelude::*;

/// Pattern text built from the characters that mean something to the matcher.
fn pattern() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("*".to_owned()),
            Just("**".to_owned()),
            Just("?".to_owned()),
            Just("[".to_owned()),
            Just("]".to_owned()),
            Just("^".to_owned()),
            Just("-".to_owned()),
            Just("\\".to_owned()),
            Just("!".to_owned()),
            Just("/".to_owned()),
            Just(".".to_owned()),
            Just("..".to_owned()),
            Just(" ".to_owned()),
            Just("$".to_owned()),
            Just("(".to_owned()),
            Just("{".to_owned()),
            Just(":".to_owned()),
            Just("é".to_owned()),
            "[a-d]",
            "[pPdwQEbxz0-9]",
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

fn component() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("ab".to_owned()),
        Just(".git".to_owned()),
        Just("x.log".to_owned()),
        Just("node_modules".to_owned()),
        Just("é".to_owned()),
        "[a-c.*?]{1,3}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    proptest::collection::vec(component(), 1..5).prop_map(|c| c.join("/"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn matcher_never_panics(patterns in proptest::collection::vec(pattern(), 0..5), path in ".{0,20}") {
        if let Ok(m) = PatternMatcher::new(&patterns) {
            let _ = m.matches_or_parent_matches(path.as_bytes());
            let _ = m.is_excluded(path.as_bytes());
            if let Ok((_, info)) = m.matches_using_parent_results(b"a", &MatchInfo::default()) {
                let _ = m.matches_using_parent_results(path.as_bytes(), &info);
            }
            let _ = m.can_skip_excluded_dir(path.as_bytes());
        }
    }

    #[test]
    fn go_regexp_parser_never_panics(expr in ".{0,24}") {
        let _ = go_regexp::compile(&expr);
    }

    #[test]
    fn ignore_file_reader_never_panics(content in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = read_patterns(&content);
        if let Ok(rules) = Dockerignore::parse(&content, None) {
            let _ = rules.decide(b"a/b");
            let _ = rules.decide_in_walk(b"a/b");
        }
    }

    #[test]
    fn cleaned_spellings_get_the_same_answer(patterns in proptest::collection::vec(pattern(), 1..4), path in path()) {
        let Ok(rules) = Dockerignore::from_patterns(&patterns) else { return Ok(()); };
        let plain = rules.decide(path.as_bytes());
        let dotted = rules.decide(format!("./{path}").as_bytes());
        let doubled = rules.decide(path.replace('/', "//").as_bytes());
        let trailing = rules.decide(format!("{path}/").as_bytes());
        let plain = plain.map(|d| d.excluded).map_err(|e| e.to_string());
        prop_assert_eq!(&plain, &dotted.map(|d| d.excluded).map_err(|e| e.to_string()));
        prop_assert_eq!(&plain, &doubled.map(|d| d.excluded).map_err(|e| e.to_string()));
        prop_assert_eq!(&plain, &trailing.map(|d| d.excluded).map_err(|e| e.to_string()));
    }

    #[test]
    fn without_exceptions_the_walk_agrees(patterns in proptest::collection::vec(pattern(), 1..4), path in path()) {
        let patterns: Vec<String> = patterns.into_iter().map(|p| p.replace('!', "")).collect();
        let Ok(rules) = Dockerignore::from_patterns(&patterns) else { return Ok(()); };
        let plain = rules.decide(path.as_bytes()).map(|d| d.excluded);
        let walk = rules.decide_in_walk(path.as_bytes()).map(|d| d.excluded);
        if let (Ok(plain), Ok(walk)) = (plain, walk) {
            prop_assert_eq!(plain, walk);
        }
    }
}
