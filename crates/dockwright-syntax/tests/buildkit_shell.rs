//! BuildKit's own shell-lexer tables (`envVarTest`, `wordsTest`), read from the shared
//! conformance data the same way BuildKit's `lex_test.go` and `../shared/conformance/run`
//! read them. Skipped with a note when the shared data is not there.

use std::path::PathBuf;

use dockwright_syntax::expand::{Lexer, Variables};

fn shell_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/conformance/buildkit/shell"
    ));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} is missing; skipping BuildKit shell conformance",
            dir.display()
        );
        None
    }
}

#[test]
fn env_var_test() {
    let Some(dir) = shell_dir() else { return };
    let text = std::fs::read_to_string(dir.join("envVarTest")).unwrap();
    // The environment BuildKit's TestShellParser4EnvVars uses.
    let env = Variables::from_assignments(["PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL="]);
    let lexer = Lexer::new('\\');
    let mut checked = 0;
    let mut failures = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('|').collect();
        assert_eq!(parts.len(), 3, "envVarTest:{} is malformed", n + 1);
        let (platform, input, expected) = (parts[0].trim(), parts[1].trim(), parts[2].trim());
        if platform == "W" {
            continue;
        }
        checked += 1;
        let got = lexer.process_word(input, &env);
        let ok = match (&got, expected) {
            (Err(_), "error") => true,
            (Ok(value), expected) => expected != "error" && value == expected,
            (Err(_), _) => false,
        };
        if !ok {
            failures.push(format!(
                "envVarTest:{} {input:?}: want {expected:?}, got {got:?}",
                n + 1
            ));
        }
    }
    assert_eq!(checked, 228);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn words_test() {
    let Some(dir) = shell_dir() else { return };
    let text = std::fs::read_to_string(dir.join("wordsTest")).unwrap();
    let lexer = Lexer::new('\\');
    let mut assignments: Vec<String> = Vec::new();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("ENV ") {
            assignments.push(rest.trim_start_matches(' ').to_string());
            continue;
        }
        let (input, expected) = line.split_once('|').unwrap();
        let input = input.trim();
        let expected: Vec<&str> = expected.trim_start_matches(' ').split(',').collect();
        checked += 1;
        let env = Variables::from_assignments(&assignments);
        let got = lexer.process_words(input, &env);
        let ok = match &got {
            Ok(words) => *words == expected,
            Err(_) => expected == ["error"],
        };
        if !ok {
            failures.push(format!(
                "wordsTest:{} {input:?}: want {expected:?}, got {got:?}",
                n + 1
            ));
        }
    }
    assert_eq!(checked, 24);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
