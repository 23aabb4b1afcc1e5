//! Cases whose expected results come from BuildKit's own lexer.
//!
//! `data/buildkit_lexer_cases.jsonl` holds 411 generated words (random mixes of `$`, braces,
//! operators, quotes, escapes, patterns and non-ASCII text, with random environments, both
//! escape characters and all lexer options), each with what BuildKit's
//! `shell.Lex.ProcessWordWithMatches` and `ProcessWords` returned for it: the
//! `frontend/dockerfile/shell` package of moby/buildkit at commit 73ed6825c4b7, run with Go
//! outside this repository. The cases were picked from 60,000 differential runs (all of
//! which agreed) to cover every combination of outcome, operator, options and field count.
//!
//! Each line: `word`, `env` (`NAME=value` strings, read like `EnvsFromSlice`), `escape`,
//! `opts` (`[raw_quotes, raw_escapes, skip_process_quotes, skip_unset_env]`), `ok`, and when
//! `ok`: `value`, `words`, `matched`, `unmatched` (sorted).

use dockwright_syntax::expand::{Lexer, Variables};
use serde_json::Value;

#[test]
fn agrees_with_buildkit() {
    let text = include_str!("data/buildkit_lexer_cases.jsonl");
    let mut failures = Vec::new();
    let mut count = 0;
    for (n, line) in text.lines().enumerate() {
        let case: Value = serde_json::from_str(line).unwrap();
        let word = case["word"].as_str().unwrap();
        let env = Variables::from_assignments(
            case["env"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap()),
        );
        let escape = case["escape"].as_str().unwrap().chars().next().unwrap();
        let opt = |i: usize| case["opts"][i].as_bool().unwrap();
        let lexer = Lexer::new(escape)
            .with_raw_quotes(opt(0))
            .with_raw_escapes(opt(1))
            .with_skip_process_quotes(opt(2))
            .with_skip_unset_env(opt(3));
        count += 1;
        let got = lexer.expand(word, &env);
        let problem = match (&got, case["ok"].as_bool().unwrap()) {
            (Err(_), false) => None,
            (Ok(e), false) => Some(format!("should fail, gave {:?}", e.value)),
            (Err(err), true) => Some(format!("failed: {err}")),
            (Ok(e), true) => {
                let strings = |key: &str| -> Vec<String> {
                    case[key]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap().to_string())
                        .collect()
                };
                let matched: Vec<String> = e.matched().into_iter().map(str::to_string).collect();
                let unmatched: Vec<String> =
                    e.unmatched().into_iter().map(str::to_string).collect();
                if e.value != case["value"].as_str().unwrap() {
                    Some(format!("value {:?}, want {}", e.value, case["value"]))
                } else if e.words != strings("words") {
                    Some(format!("words {:?}, want {}", e.words, case["words"]))
                } else if matched != strings("matched") || unmatched != strings("unmatched") {
                    Some(format!(
                        "matched {matched:?} unmatched {unmatched:?}, want {} {}",
                        case["matched"], case["unmatched"]
                    ))
                } else {
                    None
                }
            }
        };
        if let Some(problem) = problem {
            failures.push(format!("line {}: {word:?}: {problem}", n + 1));
        }
    }
    assert_eq!(count, 411);
    assert!(
        failures.is_empty(),
        "{} of {count} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
