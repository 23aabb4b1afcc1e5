//! The moby/patternmatcher and BuildKit reference data in `../shared/conformance/dockerignore`
//! (not copied into the repository): every row must give upstream's answer. Skipped with a
//! note when the shared folder is absent.

use std::path::{Path, PathBuf};

use dockwright_context::ignore_file::read_patterns;
use dockwright_context::{
    Dockerignore, MatchInfo, PatternKind, PatternMatcher, WalkOptions, walk_context,
};

fn data_dir() -> Option<PathBuf> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared"))
        .join("conformance/dockerignore");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("note: {} is absent; skipping", dir.display());
        None
    }
}

/// Rows of a TSV file as maps from column name to raw field.
fn rows(file: &str) -> Option<Vec<std::collections::HashMap<String, String>>> {
    let text = std::fs::read_to_string(data_dir()?.join(file)).ok()?;
    let mut lines = text.split('\n');
    let head: Vec<String> = lines.next()?.split('\t').map(str::to_owned).collect();
    Some(
        lines
            .filter(|l| !l.is_empty())
            .map(|l| {
                let mut cells: Vec<String> = l.split('\t').map(str::to_owned).collect();
                cells.resize(head.len(), String::new());
                head.iter().cloned().zip(cells).collect()
            })
            .collect(),
    )
}

fn split_list(s: &str) -> Vec<&str> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split(" ; ").collect()
    }
}

fn unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some('n') => out.push(b'\n'),
            Some('t') => out.push(b'\t'),
            Some('r') => out.push(b'\r'),
            Some('\\') => out.push(b'\\'),
            Some(other) => {
                out.push(b'\\');
                let mut buf = [0; 4];
                out.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
            None => out.push(b'\\'),
        }
    }
    out
}

/// Upstream's incremental check: every parent prefix matched first, results carried down.
fn incremental(matcher: &PatternMatcher, path: &str) -> Result<bool, String> {
    let parts: Vec<&str> = path.split('/').collect();
    let mut info = MatchInfo::default();
    for i in 1..parts.len() {
        let prefix = parts[..i].join("/");
        info = matcher
            .matches_using_parent_results(prefix.as_bytes(), &info)
            .map_err(|e| e.to_string())?
            .1;
    }
    matcher
        .matches_using_parent_results(path.as_bytes(), &info)
        .map(|(d, _)| d.excluded)
        .map_err(|e| e.to_string())
}

#[test]
fn cases_tsv() {
    let Some(rows) = rows("cases.tsv") else {
        return;
    };
    let mut checked = 0;
    for (n, row) in rows.iter().enumerate() {
        if !matches!(row["platform"].as_str(), "all" | "unix" | "") {
            continue;
        }
        let patterns = split_list(&row["patterns"]);
        let path = row["path"].as_str();
        let want = row["expected"].as_str();
        let api = row["api"].as_str();
        let context = format!("cases.tsv row {}: {patterns:?} vs {path:?}", n + 2);
        let got: Result<bool, String> = PatternMatcher::new(&patterns)
            .map_err(|e| e.to_string())
            .and_then(|m| {
                let decision = if api == "Matches" {
                    m.is_excluded(path.as_bytes())
                } else {
                    m.matches_or_parent_matches(path.as_bytes())
                };
                decision.map(|d| d.excluded).map_err(|e| e.to_string())
            });
        match want {
            "error" => assert!(got.is_err(), "{context}: want an error, got {got:?}"),
            "match" => assert_eq!(got, Ok(true), "{context}"),
            _ => assert_eq!(got, Ok(false), "{context}"),
        }
        if api == "MatchesOrParentMatches" && want != "error" {
            let m = PatternMatcher::new(&patterns).unwrap();
            assert_eq!(
                incremental(&m, path),
                Ok(want == "match"),
                "{context} (incremental)"
            );
            let (no_parent, _) = m
                .matches_using_parent_results(path.as_bytes(), &MatchInfo::default())
                .unwrap();
            assert_eq!(
                no_parent.excluded,
                want == "match",
                "{context} (no parent info)"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 138);
}

#[test]
fn new_tsv() {
    let Some(rows) = rows("new.tsv") else {
        return;
    };
    assert_eq!(rows.len(), 7);
    for row in &rows {
        let patterns = split_list(&row["patterns"]);
        let result = PatternMatcher::new(&patterns);
        let context = format!("new.tsv {:?}", row["patterns"]);
        assert_eq!(
            result.is_err(),
            row["expected_error"] == "yes",
            "{context}: {:?}",
            result.as_ref().err()
        );
        if let Ok(m) = result {
            if let Ok(count) = row["expected_count"].parse::<usize>() {
                assert_eq!(m.patterns().len(), count, "{context}");
            }
            if row["expected_exclusions"] != "-" {
                assert_eq!(
                    m.has_exclusions(),
                    row["expected_exclusions"] == "true",
                    "{context}"
                );
            }
        }
    }
}

#[test]
fn compile_tsv() {
    let Some(rows) = rows("compile.tsv") else {
        return;
    };
    assert_eq!(rows.len(), 21);
    for row in &rows {
        let pattern = row["pattern"].as_str();
        let m = PatternMatcher::new([pattern]).unwrap();
        let compiled = &m.patterns()[0];
        let kind = match compiled.kind() {
            PatternKind::Exact => "exact",
            PatternKind::Prefix => "prefix",
            PatternKind::Suffix => "suffix",
            PatternKind::Regexp => "regexp",
        };
        assert_eq!(kind, row["match_type"], "compile.tsv {pattern:?}");
        if kind == "regexp" {
            assert_eq!(
                compiled.go_regexp(),
                Some(row["regexp_slash"].as_str()),
                "compile.tsv {pattern:?}"
            );
        }
    }
}

#[test]
fn ignorefile_tsv() {
    let Some(rows) = rows("ignorefile.tsv") else {
        return;
    };
    assert_eq!(rows.len(), 2);
    for row in &rows {
        let content = unescape(&row["content"]);
        let got: Vec<String> = read_patterns(&content)
            .unwrap()
            .iter()
            .map(|l| l.text())
            .collect();
        let want: Vec<&str> = split_list(&row["expected_patterns"]);
        assert_eq!(got, want, "ignorefile.tsv {:?}", row["content"]);
        assert_eq!(got.len().to_string(), row["expected_count"]);
    }
}

#[test]
fn context_tsv() {
    let Some(rows) = rows("context.tsv") else {
        return;
    };
    assert_eq!(rows.len(), 4);
    for row in &rows {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in split_list(&row["context_files"]) {
            let content = if name.starts_with("Dockerfile") && !name.ends_with("dockerignore") {
                "FROM scratch\nCOPY . .\n"
            } else {
                "x\n"
            };
            std::fs::write(root.join(name), content).unwrap();
        }
        std::fs::write(
            root.join(&row["ignore_file"]),
            unescape(&row["ignore_content"]),
        )
        .unwrap();
        let dockerfile = root.join(&row["dockerfile"]);
        let context = format!("context.tsv ({})", row["source"]);
        let rules = Dockerignore::load_for_build(root, Some(&dockerfile));
        if row["expected"] == "error" {
            assert!(rules.is_err(), "{context}: want an error");
            continue;
        }
        let rules = rules.unwrap();
        let walk = walk_context(root, &rules, WalkOptions::default()).unwrap();
        let listed: Vec<&str> = walk.files().map(|e| e.path.as_str()).collect();
        for present in split_list(&row["present_after_copy"]) {
            assert!(
                listed.contains(&present),
                "{context}: {present} missing from {listed:?}"
            );
        }
        for absent in split_list(&row["absent_after_copy"]) {
            assert!(
                !listed.contains(&absent),
                "{context}: {absent} listed in {listed:?}"
            );
        }
    }
}
