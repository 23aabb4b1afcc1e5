//! Which files a `COPY`/`ADD` from the build context copies, resolved against the context as
//! the build receives it (after `.dockerignore`).
//!
//! Sources follow BuildKit: a leading `/` or `./` is dropped and the path cleaned; a source with
//! wildcards (`*`, `?`, `[`, outside a `\` escape) is split at its first wildcard component and
//! the rest is matched with Go's `filepath.Match` against paths below the fixed prefix (a
//! matching directory is copied whole); `--parents` turns the source into an include pattern
//! (with `**`) below the optional `/./` pivot; a directory copies everything below it.
//! `--exclude` patterns are `.dockerignore`-style patterns tested against each file's path
//! relative to the source (below its fixed prefix for wildcard sources), as the Dockerfile
//! reference describes them.
//!
//! A source that names something the ignore file excluded is reported as BuildKit's
//! `CopyIgnoredFile` check does.

use std::collections::HashMap;

use serde::Serialize;

use crate::go_path;
use crate::ignore_file::{Dockerignore, IgnoreFileError};
use crate::pattern::{PatternError, PatternMatcher};
use crate::walk::{ContextWalk, EntryKind};

/// One source of a `COPY`/`ADD` instruction from the build context.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CopySource {
    /// The source as written, after ARG/ENV expansion.
    pub source: String,
    /// The instruction's `--exclude` patterns.
    pub excludes: Vec<String>,
    /// The instruction has `--parents`.
    pub parents: bool,
    /// The Dockerfile line of the instruction, for messages.
    pub line: Option<usize>,
}

impl CopySource {
    /// A plain source without flags.
    pub fn new(source: impl Into<String>) -> Self {
        CopySource {
            source: source.into(),
            ..CopySource::default()
        }
    }
}

impl CopySource {
    /// Whether a change at `path` (relative to the context root, `/`-separated, cleaned)
    /// changes what this source copies: `path` is what the source names, lies below it, matches
    /// its wildcard (or lies below a match), or — when `dir` says it is (or may be) a
    /// directory — holds what the source names or matches (a deleted or renamed directory).
    /// `--exclude` patterns are applied as [`ContextIndex::resolve`] does. Works without a
    /// walk, so it also answers for paths that no longer exist; whether the ignore file sends
    /// `path` at all is the caller's question.
    pub fn selects(&self, path: &str, dir: bool) -> Result<bool, CopyError> {
        let path = normalize_source(path);
        let excludes = if self.excludes.is_empty() {
            None
        } else {
            Some(PatternMatcher::new(&self.excludes).map_err(CopyError::Exclude)?)
        };
        let excluded = |base: &str| -> Result<bool, CopyError> {
            let Some(m) = &excludes else {
                return Ok(false);
            };
            let rel = relative(&path, base).unwrap_or(&path);
            Ok(m.matches_or_parent_matches(rel.as_bytes())
                .map_err(CopyError::Exclude)?
                .excluded)
        };
        let holds = |named: &str| dir && !path.is_empty() && relative(named, &path).is_some();

        if self.parents {
            let (pivot, pattern) = match self.source.split_once("/./") {
                Some((pivot, pattern)) => (normalize_source(pivot), normalize_source(pattern)),
                None => (String::new(), normalize_source(&self.source)),
            };
            if holds(&pivot) {
                return Ok(true);
            }
            let Some(rel) = relative(&path, &pivot) else {
                return Ok(false);
            };
            let matcher = PatternMatcher::new([pattern.as_str()]).map_err(CopyError::Parents)?;
            let hit = matcher
                .matches_or_parent_matches(rel.as_bytes())
                .map_err(CopyError::Parents)?
                .excluded;
            return Ok(hit && !excluded(&pivot)?);
        }
        let normalized = normalize_source(&self.source);
        match split_wildcards(&normalized) {
            (fixed, None) => {
                if holds(&fixed) {
                    return Ok(true);
                }
                if fixed.is_empty() || path == fixed || relative(&path, &fixed).is_some() {
                    return Ok(!excluded(&fixed)?);
                }
                Ok(false)
            }
            (fixed, Some(rest)) => {
                if holds(&fixed) {
                    return Ok(true);
                }
                let Some(rel) = relative(&path, &fixed) else {
                    return Ok(false);
                };
                let want = rest.split('/').count();
                let parts: Vec<&str> = rel.split('/').collect();
                if parts.len() < want {
                    if !dir {
                        return Ok(false);
                    }
                    // A directory on the way to what the pattern matches: its removal or
                    // rename changes the matches.
                    let prefix: Vec<&str> = rest.split('/').take(parts.len()).collect();
                    return Ok(go_path::filepath_match(
                        prefix.join("/").as_bytes(),
                        rel.as_bytes(),
                    ) == Ok(true));
                }
                let head = parts[..want].join("/");
                let hit = go_path::filepath_match(rest.as_bytes(), head.as_bytes()) == Ok(true);
                Ok(hit && !excluded(&fixed)?)
            }
        }
    }
}

/// A file a source copies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopiedFile {
    pub path: String,
    pub bytes: u64,
}

/// The ignore-file pattern that removed what a source names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoredBy {
    /// The path the source names.
    pub path: String,
    /// The deciding pattern as written.
    pub pattern: String,
    pub line: Option<usize>,
}

/// What one source copies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceResolution {
    pub source: String,
    pub line: Option<usize>,
    /// The context paths the source names: the path itself, or each wildcard match.
    pub matched: Vec<String>,
    /// Every non-directory it copies, in context order.
    pub files: Vec<CopiedFile>,
    /// Their bytes.
    pub bytes: u64,
    /// The source copies the whole context (`.`).
    pub whole_context: bool,
    /// The source has wildcards (or is a `--parents` pattern).
    pub wildcard: bool,
    /// Nothing in the context the build receives matches (for a source without wildcards the
    /// build fails).
    pub missing: bool,
    /// What the source names exists but the ignore file excludes it (`CopyIgnoredFile`).
    pub ignored: Vec<IgnoredBy>,
}

/// A source that cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CopyError {
    /// An `--exclude` pattern is invalid.
    #[error("invalid --exclude pattern: {0}")]
    Exclude(PatternError),
    /// A `--parents` pattern is invalid.
    #[error("invalid --parents source pattern: {0}")]
    Parents(PatternError),
    /// An ignore-file pattern fails on a path.
    #[error(transparent)]
    Ignore(#[from] IgnoreFileError),
}

/// A lookup structure over a walk: what the build receives, by path.
#[derive(Debug)]
pub struct ContextIndex<'w> {
    walk: &'w ContextWalk,
    by_path: HashMap<&'w str, usize>,
}

/// Whether a path component holds an unescaped wildcard (fsutil's `containsWildcards`).
fn contains_wildcards(component: &[u8]) -> bool {
    let mut i = 0;
    while i < component.len() {
        match component[i] {
            b'\\' => i += 1,
            b'*' | b'?' | b'[' => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// Splits a cleaned relative source at its first component with wildcards.
fn split_wildcards(source: &str) -> (String, Option<String>) {
    let mut fixed: Vec<&str> = Vec::new();
    let mut rest: Vec<&str> = Vec::new();
    for part in source.split('/') {
        if rest.is_empty() && !contains_wildcards(part.as_bytes()) {
            fixed.push(part);
        } else {
            rest.push(part);
        }
    }
    let fixed = fixed.join("/");
    let fixed = if fixed == "." { String::new() } else { fixed };
    if rest.is_empty() {
        (fixed, None)
    } else {
        (fixed, Some(rest.join("/")))
    }
}

/// A source path as BuildKit normalises it: relative to the context root, cleaned; `""` for
/// the root itself.
pub fn normalize_source(source: &str) -> String {
    let cleaned = go_path::clean(format!("/{source}").as_bytes());
    let cleaned = String::from_utf8_lossy(&cleaned).into_owned();
    cleaned.trim_start_matches('/').to_owned()
}

fn relative<'p>(path: &'p str, base: &str) -> Option<&'p str> {
    if base.is_empty() {
        return Some(path);
    }
    path.strip_prefix(base)?.strip_prefix('/')
}

impl<'w> ContextIndex<'w> {
    /// Indexes the entries a walk found (the context as the build receives it).
    pub fn new(walk: &'w ContextWalk) -> Self {
        let by_path = walk
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.path.as_str(), i))
            .collect();
        ContextIndex { walk, by_path }
    }

    /// The walk this index covers.
    pub fn walk(&self) -> &'w ContextWalk {
        self.walk
    }

    /// Entry indices of `dir`'s descendants (walk order keeps a subtree contiguous).
    fn descendants(&self, dir: &str) -> std::ops::Range<usize> {
        let entries = &self.walk.entries;
        if dir.is_empty() {
            return 0..entries.len();
        }
        let Some(&start) = self.by_path.get(dir) else {
            return 0..0;
        };
        let mut end = start + 1;
        while end < entries.len() && relative(&entries[end].path, dir).is_some() {
            end += 1;
        }
        start + 1..end
    }

    /// Resolves one source. `rules` are the ignore rules the walk applied (used to explain a
    /// source that names excluded content).
    pub fn resolve(
        &self,
        source: &CopySource,
        rules: &Dockerignore,
    ) -> Result<SourceResolution, CopyError> {
        let excludes = if source.excludes.is_empty() {
            None
        } else {
            Some(PatternMatcher::new(&source.excludes).map_err(CopyError::Exclude)?)
        };
        let mut out = SourceResolution {
            source: source.source.clone(),
            line: source.line,
            matched: Vec::new(),
            files: Vec::new(),
            bytes: 0,
            whole_context: false,
            wildcard: false,
            missing: false,
            ignored: Vec::new(),
        };
        let entries = &self.walk.entries;
        // (entry index or None for the root, base path for --exclude)
        let mut roots: Vec<(Option<usize>, String)> = Vec::new();
        let mut include: Option<(String, PatternMatcher)> = None;

        if source.parents {
            let (pivot, pattern) = match source.source.split_once("/./") {
                Some((pivot, pattern)) => (normalize_source(pivot), normalize_source(pattern)),
                None => (String::new(), normalize_source(&source.source)),
            };
            out.wildcard = true;
            let matcher = PatternMatcher::new([pattern.as_str()]).map_err(CopyError::Parents)?;
            include = Some((pivot, matcher));
        } else {
            let normalized = normalize_source(&source.source);
            match split_wildcards(&normalized) {
                (fixed, None) => {
                    if fixed.is_empty() {
                        out.whole_context = true;
                        roots.push((None, String::new()));
                    } else if let Some(&i) = self.by_path.get(fixed.as_str()) {
                        roots.push((Some(i), fixed));
                    }
                }
                (fixed, Some(rest)) => {
                    out.wildcard = true;
                    let range = self.descendants(&fixed);
                    let mut skip_below: Option<String> = None;
                    for i in range {
                        let path = entries[i].path.as_str();
                        if let Some(dir) = &skip_below {
                            if relative(path, dir).is_some() {
                                continue;
                            }
                            skip_below = None;
                        }
                        let Some(rel) = relative(path, &fixed) else {
                            continue;
                        };
                        if go_path::filepath_match(rest.as_bytes(), rel.as_bytes()) == Ok(true) {
                            roots.push((Some(i), fixed.clone()));
                            if entries[i].kind == EntryKind::Dir {
                                skip_below = Some(path.to_owned());
                            }
                        }
                    }
                }
            }
        }

        let excluded_by_flag = |path: &str, base: &str| -> Result<bool, CopyError> {
            let Some(m) = &excludes else {
                return Ok(false);
            };
            let rel = relative(path, base).unwrap_or(path);
            Ok(m.matches_or_parent_matches(rel.as_bytes())
                .map_err(CopyError::Exclude)?
                .excluded)
        };

        if let Some((pivot, matcher)) = &include {
            for i in self.descendants(pivot) {
                let entry = &entries[i];
                let Some(rel) = relative(&entry.path, pivot) else {
                    continue;
                };
                let hit = matcher
                    .matches_or_parent_matches(rel.as_bytes())
                    .map_err(CopyError::Parents)?
                    .excluded;
                if !hit {
                    continue;
                }
                if entry.kind != EntryKind::Dir && !excluded_by_flag(&entry.path, pivot)? {
                    out.bytes += entry.size;
                    out.files.push(CopiedFile {
                        path: entry.path.clone(),
                        bytes: entry.size,
                    });
                }
                // Record the top-most hit of each included subtree.
                let inside_last = out
                    .matched
                    .last()
                    .is_some_and(|m| relative(&entry.path, m).is_some());
                if !inside_last {
                    out.matched.push(entry.path.clone());
                }
            }
        }

        for (root, base) in &roots {
            let (range, root_path) = match root {
                None => (0..entries.len(), String::new()),
                Some(i) => {
                    let entry = &entries[*i];
                    out.matched.push(entry.path.clone());
                    if entry.kind != EntryKind::Dir {
                        if !excluded_by_flag(&entry.path, base)? {
                            out.bytes += entry.size;
                            out.files.push(CopiedFile {
                                path: entry.path.clone(),
                                bytes: entry.size,
                            });
                        }
                        continue;
                    }
                    (self.descendants(&entry.path), entry.path.clone())
                }
            };
            // For a directory copied by name, `--exclude` paths are relative to it; for a
            // wildcard match, relative to the fixed prefix.
            let base = if out.wildcard {
                base.as_str()
            } else {
                root_path.as_str()
            };
            for i in range {
                let entry = &entries[i];
                if entry.kind == EntryKind::Dir || excluded_by_flag(&entry.path, base)? {
                    continue;
                }
                out.bytes += entry.size;
                out.files.push(CopiedFile {
                    path: entry.path.clone(),
                    bytes: entry.size,
                });
            }
        }

        out.missing = out.matched.is_empty() && !out.whole_context;
        if out.missing || !out.wildcard {
            out.ignored = self.ignored_matches(source, rules)?;
        }
        Ok(out)
    }

    /// What an unmatched source would have named had the ignore file not excluded it.
    fn ignored_matches(
        &self,
        source: &CopySource,
        rules: &Dockerignore,
    ) -> Result<Vec<IgnoredBy>, CopyError> {
        let normalized = normalize_source(&source.source);
        let mut found = Vec::new();
        let explain = |path: &str, pattern: usize| IgnoredBy {
            path: path.to_owned(),
            pattern: rules.pattern_text(pattern),
            line: rules.line_of(pattern),
        };
        match split_wildcards(&normalized) {
            (fixed, None) if !source.parents => {
                // BuildKit's check: the source path against the patterns, ancestors included.
                let decision = rules.decide(fixed.as_bytes())?;
                if decision.excluded
                    && let Some(pattern) = decision.decided_by
                {
                    found.push(explain(&fixed, pattern));
                }
            }
            (fixed, rest) => {
                let rest = rest.unwrap_or_default();
                for item in &self.walk.excluded {
                    let Some(rel) = relative(&item.path, &fixed) else {
                        continue;
                    };
                    let hit = if source.parents {
                        PatternMatcher::new([normalized.as_str()])
                            .ok()
                            .and_then(|m| m.matches_or_parent_matches(item.path.as_bytes()).ok())
                            .is_some_and(|d| d.excluded)
                    } else {
                        go_path::filepath_match(rest.as_bytes(), rel.as_bytes()) == Ok(true)
                    };
                    if hit {
                        found.push(explain(&item.path, item.pattern));
                    }
                }
            }
        }
        Ok(found)
    }

    /// Resolves several sources (one instruction's, or a whole Dockerfile's).
    pub fn resolve_all(
        &self,
        sources: &[CopySource],
        rules: &Dockerignore,
    ) -> Result<Vec<SourceResolution>, CopyError> {
        sources.iter().map(|s| self.resolve(s, rules)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::walk::{WalkOptions, walk_context};

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (rel, content) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        dir
    }

    fn files_of(r: &SourceResolution) -> Vec<&str> {
        r.files.iter().map(|f| f.path.as_str()).collect()
    }

    const FILES: &[(&str, &str)] = &[
        ("package.json", "{}"),
        ("package-lock.json", "{ }"),
        ("src/index.js", "1234"),
        ("src/util/a.js", "12"),
        ("src/util/a.test.js", "123"),
        ("home.txt", "h"),
        ("homer.md", "hh"),
        ("docs/x.md", "x"),
        ("node_modules/p/i.js", "n"),
        (".env", "SECRET=1"),
    ];

    #[test]
    fn plain_file_directory_and_root_sources() {
        let dir = tree(FILES);
        let rules = Dockerignore::empty();
        let walk = walk_context(dir.path(), &rules, WalkOptions::default()).unwrap();
        let index = ContextIndex::new(&walk);
        let r = index
            .resolve(&CopySource::new("./package.json"), &rules)
            .unwrap();
        assert_eq!(files_of(&r), ["package.json"]);
        assert_eq!(r.bytes, 2);
        let r = index.resolve(&CopySource::new("/src/"), &rules).unwrap();
        assert_eq!(
            files_of(&r),
            ["src/index.js", "src/util/a.js", "src/util/a.test.js"]
        );
        let r = index.resolve(&CopySource::new("."), &rules).unwrap();
        assert!(r.whole_context);
        assert_eq!(r.files.len(), 10);
        let r = index.resolve(&CopySource::new("nope.txt"), &rules).unwrap();
        assert!(r.missing && r.ignored.is_empty());
    }

    #[test]
    fn wildcards_follow_filepath_match() {
        let dir = tree(FILES);
        let rules = Dockerignore::empty();
        let walk = walk_context(dir.path(), &rules, WalkOptions::default()).unwrap();
        let index = ContextIndex::new(&walk);
        let r = index
            .resolve(&CopySource::new("package*.json"), &rules)
            .unwrap();
        assert_eq!(files_of(&r), ["package-lock.json", "package.json"]);
        let r = index
            .resolve(&CopySource::new("src/*/a.js"), &rules)
            .unwrap();
        assert_eq!(files_of(&r), ["src/util/a.js"]);
        // A matching directory is copied whole; `*` does not cross `/`.
        let r = index.resolve(&CopySource::new("s*"), &rules).unwrap();
        assert_eq!(r.matched, ["src"]);
        assert_eq!(r.files.len(), 3);
        let r = index.resolve(&CopySource::new("*.js"), &rules).unwrap();
        assert!(r.missing && r.wildcard);
    }

    #[test]
    fn exclude_flag_and_parents() {
        let dir = tree(FILES);
        let rules = Dockerignore::empty();
        let walk = walk_context(dir.path(), &rules, WalkOptions::default()).unwrap();
        let index = ContextIndex::new(&walk);
        let mut source = CopySource::new("hom*");
        source.excludes = vec!["*.txt".to_owned()];
        let r = index.resolve(&source, &rules).unwrap();
        assert_eq!(files_of(&r), ["homer.md"]);
        let mut source = CopySource::new("src");
        source.excludes = vec!["**/*.test.js".to_owned()];
        let r = index.resolve(&source, &rules).unwrap();
        assert_eq!(files_of(&r), ["src/index.js", "src/util/a.js"]);
        let mut source = CopySource::new("./src/./**/a*.js");
        source.parents = true;
        let r = index.resolve(&source, &rules).unwrap();
        assert_eq!(files_of(&r), ["src/util/a.js", "src/util/a.test.js"]);
    }

    #[test]
    fn selects_agrees_with_resolve_on_every_file() {
        let dir = tree(FILES);
        let rules = Dockerignore::empty();
        let walk = walk_context(dir.path(), &rules, WalkOptions::default()).unwrap();
        let index = ContextIndex::new(&walk);
        let mut sources: Vec<CopySource> = [
            ".",
            "./package.json",
            "/src/",
            "src/util",
            "package*.json",
            "src/*/a.js",
            "s*",
            "*.js",
            "hom?.txt",
            "nope",
            "src/[ab]*",
        ]
        .iter()
        .map(|s| CopySource::new(*s))
        .collect();
        let mut excluding = CopySource::new("src");
        excluding.excludes = vec!["**/*.test.js".to_owned()];
        sources.push(excluding);
        let mut wild_excluding = CopySource::new("hom*");
        wild_excluding.excludes = vec!["*.txt".to_owned()];
        sources.push(wild_excluding);
        let mut parents = CopySource::new("./src/./**/a*.js");
        parents.parents = true;
        sources.push(parents);
        for source in &sources {
            let copied: Vec<String> = index
                .resolve(source, &rules)
                .unwrap()
                .files
                .into_iter()
                .map(|f| f.path)
                .collect();
            for entry in walk.files() {
                assert_eq!(
                    source.selects(&entry.path, false).unwrap(),
                    copied.contains(&entry.path),
                    "{} selects {}",
                    source.source,
                    entry.path
                );
            }
        }
    }

    #[test]
    fn selects_paths_that_no_longer_exist() {
        assert!(CopySource::new("src/app").selects("src", true).unwrap());
        assert!(
            CopySource::new("src/app")
                .selects("src/app/gone.py", false)
                .unwrap()
        );
        assert!(
            !CopySource::new("src/app")
                .selects("src/application", true)
                .unwrap()
        );
        assert!(
            CopySource::new("src/*/x.py")
                .selects("src/pkg", true)
                .unwrap()
        );
        assert!(!CopySource::new("src/*/x.py").selects("lib", true).unwrap());
        assert!(
            !CopySource::new("src/*/x.py")
                .selects("src/pkg", false)
                .unwrap()
        );
        assert!(!CopySource::new("src/app").selects("src", false).unwrap());
        assert!(
            CopySource::new(".")
                .selects("anything/at/all", false)
                .unwrap()
        );
        assert!(CopySource::new("./").selects("./a/../b", false).unwrap());
    }

    #[test]
    fn sources_the_ignore_file_removed_are_reported() {
        let dir = tree(FILES);
        let rules = Dockerignore::parse(b"node_modules\n.env\n*.md\n", None).unwrap();
        let walk = walk_context(dir.path(), &rules, WalkOptions::default()).unwrap();
        let index = ContextIndex::new(&walk);
        let r = index.resolve(&CopySource::new(".env"), &rules).unwrap();
        assert!(r.missing);
        assert_eq!(r.ignored[0].pattern, ".env");
        assert_eq!(r.ignored[0].line, Some(2));
        let r = index
            .resolve(&CopySource::new("node_modules/p/i.js"), &rules)
            .unwrap();
        assert_eq!(r.ignored[0].pattern, "node_modules");
        let r = index.resolve(&CopySource::new("*.md"), &rules).unwrap();
        assert_eq!(r.ignored.len(), 1);
        assert_eq!(r.ignored[0].path, "homer.md");
    }
}
