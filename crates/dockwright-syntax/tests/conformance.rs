//! BuildKit's own parser test data (`../shared/conformance/buildkit`): positive cases must
//! dump exactly as the `result` files, negative cases must be rejected, and the line test
//! must give BuildKit's line ranges. Skipped with a note when the shared data is absent.

// Tests may unwrap (helpers outside #[test] functions included).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

fn buildkit_dir() -> Option<PathBuf> {
    let shared = match std::env::var_os("DOCKWRIGHT_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let dir = shared.join("conformance/buildkit");
    if dir.join("parser").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} not found, conformance tests skipped",
            dir.display()
        );
        None
    }
}

fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

#[test]
fn positive_cases_dump_like_buildkit() {
    let Some(dir) = buildkit_dir() else { return };
    let mut failures = Vec::new();
    let all = cases(&dir.join("parser"));
    for case in &all {
        let source = std::fs::read(case.join("Dockerfile")).unwrap();
        let want = std::fs::read_to_string(case.join("result")).unwrap();
        match dockwright_syntax::parse_bytes(&source) {
            Ok(doc) => {
                let got = dockwright_syntax::buildkit_dump(&doc);
                if got != want {
                    failures.push(format!(
                        "{}:\n--- want\n{want}--- got\n{got}",
                        case.display()
                    ));
                }
                assert_eq!(
                    doc.print(),
                    source,
                    "{} does not print back",
                    case.display()
                );
            }
            Err(e) => failures.push(format!("{}: rejected: {e}", case.display())),
        }
    }
    assert_eq!(all.len(), 33);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn negative_cases_are_rejected() {
    let Some(dir) = buildkit_dir() else { return };
    let all = cases(&dir.join("parser-negative"));
    assert_eq!(all.len(), 4);
    for case in all {
        let source = std::fs::read(case.join("Dockerfile")).unwrap();
        let result = dockwright_syntax::parse_bytes(&source);
        assert!(result.is_err(), "{} was accepted", case.display());
    }
}

#[test]
fn line_ranges_match_buildkit() {
    let Some(dir) = buildkit_dir() else { return };
    let source = std::fs::read(dir.join("parser-line/Dockerfile")).unwrap();
    let expected = std::fs::read_to_string(dir.join("parser-line/expected.tsv")).unwrap();
    let want: Vec<(usize, usize)> = expected
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("child"))
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            (cells[1].parse().unwrap(), cells[2].parse().unwrap())
        })
        .collect();
    let doc = dockwright_syntax::parse_bytes(&source).unwrap();
    let got: Vec<(usize, usize)> = doc
        .instructions()
        .iter()
        .map(|i| (i.start_line(), i.end_line()))
        .collect();
    assert_eq!(got, want);
}
