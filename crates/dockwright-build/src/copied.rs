//! Which files of the build context a Dockerfile copies into its image, for choosing the file
//! that the rebuild measurement edits.
//!
//! This is deliberately conservative rather than exact: a file is listed only when a
//! `COPY`/`ADD` source (without `--from`) names it or a directory above it, and *no* pattern of
//! the ignore file could exclude it (exceptions, `!pattern`, are not honoured, so a re-included
//! file is left out too). Choosing a file that the build does not see would make the rebuild
//! measurement meaningless; leaving out a few candidates costs nothing. The exact BuildKit
//! semantics live in `dockwright-context`.

use std::path::{Path, PathBuf};

use dockwright_syntax::CopySource;

use crate::error::BuildError;

/// Directories never worth walking for candidates: version control, dependency trees and
/// build outputs are not what a developer edits.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "target",
    "__pycache__",
    ".venv",
    "venv",
    ".next",
    "dist",
    "build",
    ".mypy_cache",
    ".pytest_cache",
    ".tox",
    ".idea",
    ".vscode",
];

/// The context files (relative, `/`-separated, sorted) that the Dockerfile's `COPY`/`ADD`
/// instructions take from the context and that no ignore pattern could exclude.
pub fn copied_files(dockerfile: &Path, context: &Path) -> Result<Vec<String>, BuildError> {
    let text = std::fs::read_to_string(dockerfile).map_err(|e| BuildError::io(dockerfile, e))?;
    let sources = copy_sources(&text).map_err(|message| BuildError::Dockerfile {
        path: dockerfile.to_path_buf(),
        message,
    })?;
    let ignore = read_ignore_patterns(dockerfile, context)?;
    let mut files = Vec::new();
    walk(context, String::new(), &mut files)?;
    let mut kept: Vec<String> = files
        .into_iter()
        .filter(|f| sources.iter().any(|s| source_covers(s, f)))
        .filter(|f| !ignore.iter().any(|p| ignore_pattern_may_exclude(p, f)))
        .collect();
    kept.sort();
    Ok(kept)
}

/// The context sources of every `COPY`/`ADD` without `--from`, cleaned (`./a/` → `a`, `.` →
/// ``). Sources with variables, URLs and git references are left out.
pub fn copy_sources(dockerfile_text: &str) -> Result<Vec<String>, String> {
    let doc = dockwright_syntax::parse(dockerfile_text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for instruction in doc.instructions() {
        let Some(copy) = instruction.command().as_copy() else {
            continue;
        };
        if copy.from.is_some() {
            continue;
        }
        for source in &copy.sources {
            let CopySource::Path(word) = source else {
                continue;
            };
            let text = word.text.as_ref();
            if text.contains('$') || text.contains("://") || text.starts_with("git@") {
                continue;
            }
            out.push(clean(text));
        }
    }
    Ok(out)
}

/// `./a//b/` → `a/b`; `.`, `/` and `./` → empty (the whole context).
fn clean(path: &str) -> String {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether a COPY source (a path or a Go `filepath.Match` pattern, cleaned) takes `file`:
/// the source names the file or one of its directories.
fn source_covers(source: &str, file: &str) -> bool {
    if source.is_empty() {
        return true;
    }
    let pattern: Vec<&str> = source.split('/').collect();
    let path: Vec<&str> = file.split('/').collect();
    // The source may name the file or any directory above it.
    (1..=path.len()).any(|n| {
        n == pattern.len()
            && pattern
                .iter()
                .zip(&path[..n])
                .all(|(p, c)| component_matches(p, c))
    })
}

/// Whether an ignore pattern could exclude `file` (it or a directory above it matches). `**`
/// matches any number of directories, as in `.dockerignore`.
fn ignore_pattern_may_exclude(pattern: &str, file: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    if pattern.is_empty() {
        return false;
    }
    let path: Vec<&str> = file.split('/').collect();
    (1..=path.len()).any(|n| components_match(&pattern, &path[..n]))
}

fn components_match(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| components_match(rest, &path[skip..])),
        Some((first, rest)) => match path.split_first() {
            Some((c, path_rest)) => {
                component_matches(first, c) && components_match(rest, path_rest)
            }
            None => false,
        },
    }
}

/// One path component against one pattern component: `*`, `?`, `[...]`/`[^...]` classes and
/// `\` escapes, as Go's `filepath.Match`. A malformed class matches nothing.
fn component_matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    glob(&p, &n)
}

fn glob(p: &[char], n: &[char]) -> bool {
    match p.split_first() {
        None => n.is_empty(),
        Some(('*', rest)) => (0..=n.len()).any(|k| glob(rest, &n[k..])),
        Some(('?', rest)) => !n.is_empty() && glob(rest, &n[1..]),
        Some(('[', rest)) => {
            let Some((&c, n_rest)) = n.split_first() else {
                return false;
            };
            match class_matches(rest, c) {
                Some((true, after)) => glob(after, n_rest),
                _ => false,
            }
        }
        Some(('\\', rest)) => match (rest.split_first(), n.split_first()) {
            (Some((e, p_rest)), Some((c, n_rest))) => e == c && glob(p_rest, n_rest),
            _ => false,
        },
        Some((lit, rest)) => n.first() == Some(lit) && glob(rest, &n[1..]),
    }
}

/// Reads a `[...]` class (after the `[`) against `c`: whether it matches, and the pattern after
/// the class. `None` for an unterminated class.
fn class_matches(p: &[char], c: char) -> Option<(bool, &[char])> {
    let (negated, mut i) = match p.first() {
        Some('^') | Some('!') => (true, 1),
        _ => (false, 0),
    };
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != negated, &p[i + 1..]));
        }
        first = false;
        let lo = if p[i] == '\\' {
            i += 1;
            *p.get(i)?
        } else {
            p[i]
        };
        i += 1;
        if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|&x| x != ']') {
            let hi = if p[i + 1] == '\\' {
                i += 1;
                *p.get(i + 1)?
            } else {
                p[i + 1]
            };
            i += 2;
            if lo <= c && c <= hi {
                matched = true;
            }
        } else if lo == c {
            matched = true;
        }
    }
    None
}

/// The ignore file for this build (`<Dockerfile>.dockerignore` first, then
/// `<context>/.dockerignore`), as cleaned exclusion patterns; `!` exceptions are dropped.
fn read_ignore_patterns(dockerfile: &Path, context: &Path) -> Result<Vec<String>, BuildError> {
    let beside = PathBuf::from(format!("{}.dockerignore", dockerfile.display()));
    let path = if beside.is_file() {
        beside
    } else {
        context.join(".dockerignore")
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(BuildError::io(path, e)),
    };
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .map(clean)
        .filter(|l| !l.is_empty())
        .collect())
}

fn walk(root: &Path, prefix: String, out: &mut Vec<String>) -> Result<(), BuildError> {
    let dir = if prefix.is_empty() {
        root.to_path_buf()
    } else {
        root.join(&prefix)
    };
    let entries = std::fs::read_dir(&dir).map_err(|e| BuildError::io(&dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| BuildError::io(&dir, e))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if kind.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_str()) {
                walk(root, rel, out)?;
            }
        } else if kind.is_file() {
            out.push(rel);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_skip_other_stages_urls_and_variables() {
        let text = "FROM a AS build\nCOPY package*.json ./\nCOPY --from=build /out /out\n\
                    ADD https://example.com/x.tgz /tmp/\nCOPY $SRC /src\nCOPY ./src/ ./lib /app/\n\
                    COPY [\"a b.txt\", \"/x\"]\nCOPY . .\n";
        assert_eq!(
            copy_sources(text).unwrap(),
            ["package*.json", "src", "lib", "a b.txt", ""]
        );
    }

    #[test]
    fn a_source_covers_the_file_or_a_directory_above_it() {
        assert!(source_covers("", "a/b.py"));
        assert!(source_covers("src", "src/app/main.py"));
        assert!(source_covers("package*.json", "package-lock.json"));
        assert!(source_covers("*/main.py", "app/main.py"));
        assert!(!source_covers("src", "srcx/main.py"));
        assert!(!source_covers("*.json", "sub/x.json"));
        assert!(!source_covers("src/app/main.py/x", "src/app/main.py"));
    }

    #[test]
    fn ignore_patterns_cover_ancestors_and_double_stars() {
        assert!(ignore_pattern_may_exclude("tests", "tests/test_a.py"));
        assert!(ignore_pattern_may_exclude("**/*.md", "docs/api.md"));
        assert!(ignore_pattern_may_exclude("**/*.md", "README.md"));
        assert!(ignore_pattern_may_exclude("*.pyc", "x.pyc"));
        assert!(!ignore_pattern_may_exclude("*.pyc", "pkg/x.pyc"));
        assert!(ignore_pattern_may_exclude("[a-c]*", "b/x"));
        assert!(!ignore_pattern_may_exclude("[!a-c]*", "b/x"));
        assert!(!ignore_pattern_may_exclude(
            "[unterminated",
            "[unterminated"
        ));
        assert!(ignore_pattern_may_exclude("a\\*b", "a*b"));
        assert!(!ignore_pattern_may_exclude("a\\*b", "axb"));
    }

    #[test]
    fn copied_files_honour_sources_and_ignore_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "app/main.py",
            "app/util.py",
            "tests/test_main.py",
            "docs/readme.md",
            "node_modules/x/index.js",
            "requirements.txt",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        std::fs::write(root.join(".dockerignore"), "# docs\ndocs\n!docs/keep.md\n").unwrap();
        std::fs::write(
            root.join("Dockerfile"),
            "FROM x\nCOPY requirements.txt .\nCOPY app/ tests /srv/\n",
        )
        .unwrap();
        let files = copied_files(&root.join("Dockerfile"), root).unwrap();
        assert_eq!(
            files,
            [
                "app/main.py",
                "app/util.py",
                "requirements.txt",
                "tests/test_main.py"
            ]
        );
        std::fs::write(root.join("Dockerfile"), "FROM x\nCOPY . .\n").unwrap();
        let all = copied_files(&root.join("Dockerfile"), root).unwrap();
        assert!(all.contains(&"Dockerfile".to_string()));
        assert!(
            !all.iter()
                .any(|f| f.starts_with("docs/") || f.starts_with("node_modules/"))
        );
    }

    #[test]
    fn unparsable_dockerfile_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let df = dir.path().join("Dockerfile");
        std::fs::write(&df, "FROM x\nRUN <<EOF\n").unwrap();
        match copied_files(&df, dir.path()) {
            Err(BuildError::Dockerfile { path, .. }) => assert_eq!(path, df),
            other => panic!("expected a Dockerfile error, got {other:?}"),
        }
    }
}
