//! Fixes over the dev corpus: for every file, fixing to a fixed point gives a file that
//! still parses, re-linting it shows none of the fixed codes, and fixing that result again
//! changes nothing (safe fixes, and safe plus
//! unsafe ones). Also checks, on synthetic files built from fixture cases, that fixes never
//! break parsing.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dockwright_rules::{FixMode, Linter, Settings};
use proptest::prelude::*;
use rayon::prelude::*;

fn corpus_files() -> Option<Vec<PathBuf>> {
    let shared = match std::env::var_os("DOCKWRIGHT_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let dir = shared.join("corpus/dev/files");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    Some(files)
}

fn check(linter: &Linter, name: &str, source: &str, mode: FixMode) -> Result<usize, String> {
    let first = linter.fix(name, source, mode);
    if first.rounds >= dockwright_rules::fix::MAX_ROUNDS {
        return Err(format!(
            "{name}: no fixed point after {} rounds",
            first.rounds
        ));
    }
    if first.text != source && dockwright_syntax::parse(&first.text).is_err() {
        return Err(format!("{name}: the fixed file does not parse"));
    }
    let second = linter.fix(name, &first.text, mode);
    if second.text != first.text {
        return Err(format!(
            "{name}: fixing twice changed the text again ({} more fixes)",
            second.fixed
        ));
    }
    // Re-linting the fixed text shows none of the codes that were fixed, except on findings
    // the rule offers no fix for in this mode (DW3001 cannot join an exec-form RUN): those
    // were never fixable, so they are left as they were.
    if first.fixed > 0 {
        let before = linter.lint(name, source);
        let fixed_codes: BTreeSet<&str> = before
            .diagnostics
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| mode.applies(f.applicability))
            })
            .map(|d| d.code.as_str())
            .collect();
        let left: Vec<String> = first
            .report
            .diagnostics
            .iter()
            .filter(|d| fixed_codes.contains(d.code.as_str()))
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| mode.applies(f.applicability))
            })
            .map(|d| format!("{}:{}", d.code, d.line))
            .collect();
        if !left.is_empty() {
            return Err(format!(
                "{name}: fixed codes still reported after fixing: {}",
                left.join(", ")
            ));
        }
    }
    Ok(first.fixed)
}

#[test]
fn fixes_reach_a_fixed_point_on_the_corpus() {
    let Some(files) = corpus_files() else {
        eprintln!("note: corpus not found (set DOCKWRIGHT_SHARED); fix idempotence skipped");
        return;
    };
    let linter = Linter::new(Settings::default()).with_shellcheck(false);
    for mode in [FixMode::Safe, FixMode::Unsafe] {
        let results: Vec<Result<usize, String>> = files
            .par_iter()
            .map(|path| {
                let bytes = std::fs::read(path).unwrap();
                let Ok(source) = std::str::from_utf8(&bytes) else {
                    return Ok(0);
                };
                let name = path.file_name().unwrap().to_string_lossy();
                check(&linter, &name, source, mode)
            })
            .collect();
        let failures: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        let fixed: usize = results.iter().filter_map(|r| r.as_ref().ok()).sum();
        println!("{mode:?}: {fixed} fixes applied over {} files", files.len());
        assert!(failures.is_empty(), "{mode:?} fixes:\n{failures:#?}");
        assert!(
            fixed > 0,
            "no fix applied at all: the test would prove nothing"
        );
    }
}

/// Snippets that trigger fixes, combined in random order and number.
const PIECES: &[&str] = &[
    "FROM golang:1.22 as Build\n",
    "from alpine:3.20 AS run\n",
    "WORKDIR app\n",
    "RUN apt-get update && apt-get install -y curl\n",
    "RUN apt-get install -y git \\\n\n    make\n",
    "CMD python app.py\n",
    "MAINTAINER someone <a@b.c>\n",
    "RUN mkdir /x\n",
    "RUN touch /x/y\n",
    "COPY --from=Build /out /out\n",
    "# a comment\n",
    "ENV A=1\n",
];

proptest! {
    #[test]
    fn fixes_keep_random_files_parsing(picks in proptest::collection::vec(0..PIECES.len(), 1..12)) {
        let mut source = String::from("FROM debian:12 AS Base\n");
        for i in picks {
            source.push_str(PIECES[i]);
        }
        let linter = Linter::new(Settings::default()).with_shellcheck(false);
        for mode in [FixMode::Safe, FixMode::Unsafe] {
            let result = check(&linter, "Dockerfile", &source, mode);
            prop_assert!(result.is_ok(), "{:?}\n{}", result, source);
        }
    }
}
