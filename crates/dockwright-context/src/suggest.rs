//! A `.dockerignore` generator: from the context as it is sent today and the sources the
//! Dockerfile's `COPY`/`ADD` instructions name, it proposes patterns that leave out what the
//! build does not need (version-control data, secrets, dependencies the build installs itself,
//! virtualenvs, caches, build outputs, logs, large data and model files, editor and OS junk)
//! and keeps everything a `COPY`/`ADD` names. Each proposal is checked by resolving every
//! source again against the context filtered by the new file; a pattern that would take away
//! something a source copies is dropped and reported.
//!
//! Which paths a source "needs": a source naming a path (a file, a directory, a wildcard match)
//! needs that path and, for directories, everything below it, except version-control data,
//! caches and editor junk, which no build needs. `COPY . .` names the whole project; from it
//! everything in the categories above may be left out, except dependencies the build does not
//! install itself.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::Path;

use serde::Serialize;

use crate::copy_source::{ContextIndex, CopyError, CopySource};
use crate::ignore_file::{Dockerignore, IgnoreFileError};
use crate::pattern::PatternMatcher;
use crate::walk::{ContextEntry, ContextWalk, EntryKind};

/// Dependency installs the build runs itself (so the host's copies are not needed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BuildInstalls {
    /// `npm ci`/`npm install`/`yarn`/`pnpm install`: `node_modules` comes from the build.
    pub node: bool,
    /// `bundle install`: `vendor/bundle` and `.bundle` come from the build.
    pub ruby: bool,
    /// `composer install`: `vendor` comes from the build.
    pub php: bool,
}

/// Why a pattern is proposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleCategory {
    VersionControl,
    Secret,
    Dependencies,
    Virtualenv,
    Cache,
    BuildOutput,
    Log,
    DataOrModel,
    EditorJunk,
}

impl RuleCategory {
    fn describe(self) -> &'static str {
        match self {
            RuleCategory::VersionControl => "Version-control data: no build needs it",
            RuleCategory::Secret => {
                "Secret: credentials sent to the builder can end up in an image layer"
            }
            RuleCategory::Dependencies => "Dependencies the build installs itself",
            RuleCategory::Virtualenv => {
                "Python virtualenv: host-specific paths, the image builds its own"
            }
            RuleCategory::Cache => "Cache and test output, rebuilt on demand",
            RuleCategory::BuildOutput => "Build output the Dockerfile does not copy by name",
            RuleCategory::Log => "Logs",
            RuleCategory::DataOrModel => {
                "Large data or model files the Dockerfile does not copy by name"
            }
            RuleCategory::EditorJunk => "Editor and OS files",
        }
    }

    /// Junk no build needs, even inside a directory a source copies.
    fn never_needed(self) -> bool {
        matches!(
            self,
            RuleCategory::VersionControl | RuleCategory::Cache | RuleCategory::EditorJunk
        )
    }
}

/// One proposed pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuggestedRule {
    pub pattern: String,
    pub category: RuleCategory,
    /// Files (non-directories) it keeps out of the context.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// Something that would have been left out, kept because a source copies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeptForCopy {
    /// The pattern that was not proposed.
    pub pattern: String,
    pub category: RuleCategory,
    /// The source that needs it and its Dockerfile line.
    pub source: String,
    pub line: Option<usize>,
}

/// The proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoreSuggestion {
    pub rules: Vec<SuggestedRule>,
    pub kept: Vec<KeptForCopy>,
    /// Files and bytes the new rules keep out, in total.
    pub files: u64,
    pub bytes: u64,
    /// The complete new ignore file (the existing content first, unchanged).
    pub text: String,
}

/// Why no proposal could be made.
#[derive(Debug, thiserror::Error)]
pub enum SuggestError {
    #[error(transparent)]
    Copy(#[from] CopyError),
    #[error(transparent)]
    Ignore(#[from] IgnoreFileError),
}

/// What the generator works from.
#[derive(Debug, Clone, Copy)]
pub struct SuggestInput<'a> {
    /// The context as it is sent today (walked with `rules`).
    pub walk: &'a ContextWalk,
    /// The ignore rules in effect today (empty when there is no ignore file).
    pub rules: &'a Dockerignore,
    /// The current ignore file's content, kept verbatim at the top of the proposal.
    pub existing: Option<&'a [u8]>,
    /// Every `COPY`/`ADD` source from the build context.
    pub sources: &'a [CopySource],
    pub installs: BuildInstalls,
}

const VCS_DIRS: &[&str] = &[".git", ".hg", ".svn", ".bzr"];
const CACHE_DIRS: &[&str] = &[
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".cache",
    ".tox",
    ".nox",
    ".hypothesis",
    ".ipynb_checkpoints",
    ".parcel-cache",
    ".turbo",
    ".sass-cache",
    ".nyc_output",
    "htmlcov",
    ".coverage",
];
const EDITOR_DIRS: &[&str] = &[".idea", ".vscode", ".vs"];
const EDITOR_FILES: &[&str] = &[".DS_Store", "Thumbs.db", "desktop.ini"];
const BUILD_DIRS: &[&str] = &["target", "dist", "build", ".next", "out"];
const MANIFESTS: &[&str] = &[
    "package.json",
    "Cargo.toml",
    "pyproject.toml",
    "setup.py",
    "go.mod",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "CMakeLists.txt",
    "Makefile",
];
const MODEL_EXTENSIONS: &[&str] = &[
    "pt",
    "pth",
    "bin",
    "safetensors",
    "onnx",
    "ckpt",
    "h5",
    "hdf5",
    "tflite",
    "gguf",
    "ggml",
    "keras",
];
const DATA_EXTENSIONS: &[&str] = &[
    "parquet", "arrow", "feather", "tfrecord", "npy", "npz", "csv", "tsv", "jsonl", "sqlite", "db",
];
const SECRET_DIRS: &[&str] = &[".aws", ".ssh", ".gnupg"];
const SECRET_FILES: &[&str] = &[
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    ".pypirc",
    ".netrc",
    ".git-credentials",
];
/// An extension rule for model files needs at least this many bytes to be worth a line.
const MODEL_MIN_BYTES: u64 = 1_000_000;
/// A data file or data directory is "large" from this size.
const DATA_MIN_BYTES: u64 = 10_000_000;

fn name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

fn extension(name: &str) -> Option<&str> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty()).then_some(ext)
}

/// Reads the start of a file (enough to recognise a key or a token).
fn head(root: &Path, entry: &ContextEntry) -> Vec<u8> {
    let mut buf = Vec::new();
    if let Ok(file) = std::fs::File::open(root.join(&entry.path)) {
        let _ = file.take(64 * 1024).read_to_end(&mut buf);
    }
    buf
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether a context file holds credentials (by name, and for keys and tokens by content).
pub(crate) fn is_secret_file(root: &Path, entry: &ContextEntry) -> bool {
    let parent = entry.path.rsplit('/').nth(1);
    let file = name_of(&entry.path);
    match parent {
        Some(".aws") if matches!(file, "credentials" | "config") => return file == "credentials",
        Some(".ssh") => {
            return !matches!(file, "known_hosts" | "config" | "authorized_keys")
                && !file.ends_with(".pub");
        }
        _ => {}
    }
    if entry.path.split('/').any(|dir| dir == ".gnupg") {
        return true;
    }
    let name = name_of(&entry.path);
    if SECRET_FILES.contains(&name) {
        return true;
    }
    if name == ".env" {
        return true;
    }
    if let Some(variant) = name.strip_prefix(".env.") {
        return !matches!(
            variant,
            "example" | "sample" | "template" | "dist" | "defaults" | "schema"
        );
    }
    match extension(name) {
        Some("p12" | "pfx" | "tfstate") => return true,
        Some("pem" | "key") => return contains(&head(root, entry), b"PRIVATE KEY"),
        _ => {}
    }
    if name == ".npmrc" || name == ".yarnrc.yml" {
        let text = head(root, entry);
        return contains(&text, b"_authToken")
            || contains(&text, b"_auth")
            || contains(&text, b"_password")
            || contains(&text, b"npmAuthToken");
    }
    entry.path.ends_with(".docker/config.json")
}

/// A candidate pattern with what it stands for.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub(crate) pattern: String,
    pub(crate) category: RuleCategory,
}

/// `name` when every match is at the top, else `**/name`.
fn by_name(roots: &[&str], name: &str) -> String {
    if roots.iter().all(|r| !r.contains('/')) {
        name.to_owned()
    } else {
        format!("**/{name}")
    }
}

/// Patterns worth proposing for this context, before checking them against the sources.
pub(crate) fn candidates(walk: &ContextWalk, installs: BuildInstalls) -> Vec<Candidate> {
    let root = walk.root.as_path();
    let mut out: Vec<Candidate> = Vec::new();
    let mut push = |pattern: String, category| {
        if !out.iter().any(|c: &Candidate| c.pattern == pattern) {
            out.push(Candidate { pattern, category });
        }
    };
    let dirs: Vec<&ContextEntry> = walk
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Dir)
        .collect();
    let files: Vec<&ContextEntry> = walk.files().collect();
    let dir_named = |name: &str| -> Vec<&str> {
        dirs.iter()
            .map(|e| e.path.as_str())
            .filter(|p| name_of(p) == name)
            .collect()
    };

    for name in VCS_DIRS {
        let roots = dir_named(name);
        if !roots.is_empty() {
            push(by_name(&roots, name), RuleCategory::VersionControl);
        }
    }

    // Secrets: exact paths, so nothing else is caught.
    for name in SECRET_DIRS {
        for path in dir_named(name) {
            push(path.to_owned(), RuleCategory::Secret);
        }
    }
    for entry in &files {
        if entry.kind == EntryKind::File && is_secret_file(root, entry) {
            push(entry.path.clone(), RuleCategory::Secret);
        }
    }

    if installs.node {
        let roots = dir_named("node_modules");
        if !roots.is_empty() {
            push(by_name(&roots, "node_modules"), RuleCategory::Dependencies);
        }
    }
    if installs.ruby {
        for path in ["vendor/bundle", ".bundle"] {
            if dirs.iter().any(|d| d.path == path) {
                push(path.to_owned(), RuleCategory::Dependencies);
            }
        }
    }
    if installs.php && dirs.iter().any(|d| d.path == "vendor") {
        push("vendor".to_owned(), RuleCategory::Dependencies);
    }

    for entry in &files {
        if name_of(&entry.path) == "pyvenv.cfg" {
            let venv = parent_of(&entry.path);
            if !venv.is_empty() {
                push(venv.to_owned(), RuleCategory::Virtualenv);
            }
        }
    }

    for name in CACHE_DIRS {
        let roots = dir_named(name);
        if !roots.is_empty() {
            push(by_name(&roots, name), RuleCategory::Cache);
        }
    }
    let stray_pyc: Vec<&str> = files
        .iter()
        .map(|e| e.path.as_str())
        .filter(|p| p.ends_with(".pyc") && !p.contains("__pycache__/"))
        .collect();
    if !stray_pyc.is_empty() {
        push("**/*.pyc".to_owned(), RuleCategory::Cache);
    }

    // Build outputs: a directory of that name beside a project manifest.
    for name in BUILD_DIRS {
        for path in dir_named(name) {
            let parent = parent_of(path);
            let has_manifest = MANIFESTS.iter().any(|m| {
                let manifest = if parent.is_empty() {
                    (*m).to_owned()
                } else {
                    format!("{parent}/{m}")
                };
                files.iter().any(|f| f.path == manifest)
            });
            if has_manifest {
                push(path.to_owned(), RuleCategory::BuildOutput);
            }
        }
    }

    if files.iter().any(|e| e.path.ends_with(".log")) {
        push("**/*.log".to_owned(), RuleCategory::Log);
    }

    for ext in MODEL_EXTENSIONS {
        let suffix = format!(".{ext}");
        let bytes: u64 = files
            .iter()
            .filter(|e| name_of(&e.path).ends_with(&suffix))
            .map(|e| e.size)
            .sum();
        if bytes >= MODEL_MIN_BYTES {
            push(format!("**/*.{ext}"), RuleCategory::DataOrModel);
        }
    }
    for dir in ["data", "datasets"] {
        if let Some(total) = walk.dirs.iter().find(|d| d.path == dir)
            && total.bytes >= DATA_MIN_BYTES
        {
            push(dir.to_owned(), RuleCategory::DataOrModel);
        }
    }
    for entry in &files {
        let large_data = extension(name_of(&entry.path))
            .is_some_and(|e| DATA_EXTENSIONS.contains(&e))
            && entry.size >= DATA_MIN_BYTES;
        if large_data {
            push(entry.path.clone(), RuleCategory::DataOrModel);
        }
    }

    for name in EDITOR_DIRS {
        let roots = dir_named(name);
        if !roots.is_empty() {
            push(by_name(&roots, name), RuleCategory::EditorJunk);
        }
    }
    for name in EDITOR_FILES {
        if files.iter().any(|e| name_of(&e.path) == *name) {
            push(format!("**/{name}"), RuleCategory::EditorJunk);
        }
    }
    for (suffix, pattern) in [(".swp", "**/*.swp"), (".swo", "**/*.swo"), ("~", "**/*~")] {
        if files.iter().any(|e| e.path.ends_with(suffix)) {
            push(pattern.to_owned(), RuleCategory::EditorJunk);
        }
    }
    out
}

/// A path a source needs, and which source.
struct Need {
    path: String,
    /// Needed whatever the category (named by the source), or only against categories that
    /// are not junk (a file inside a copied directory).
    named: bool,
    source: usize,
}

fn render(existing: Option<&[u8]>, rules: &[SuggestedRule], files: u64, bytes: u64) -> String {
    let mut text = String::new();
    match existing {
        Some(existing) if !existing.is_empty() => {
            text.push_str(&String::from_utf8_lossy(existing));
            if !text.ends_with('\n') {
                text.push('\n');
            }
            let _ = writeln!(
                text,
                "\n# Added by dockwright: {} more kept out of the build context ({}).",
                plural(files, "file", "files"),
                size(bytes)
            );
        }
        _ => {
            let _ = writeln!(
                text,
                "# Generated by dockwright: keeps what the Dockerfile copies and leaves out\n\
                 # {} ({}) the build does not need.",
                plural(files, "file", "files"),
                size(bytes)
            );
        }
    }
    for rule in rules {
        let _ = writeln!(
            text,
            "\n# {} ({}, {})\n{}",
            rule.category.describe(),
            plural(rule.files, "file", "files"),
            size(rule.bytes),
            rule.pattern
        );
    }
    text
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// The context filtered by `rules` (a sub-walk of `walk`), each removed entry with the
/// deciding pattern.
fn filter_walk(
    walk: &ContextWalk,
    rules: &Dockerignore,
) -> Result<(ContextWalk, Vec<(usize, usize)>), IgnoreFileError> {
    let mut kept = ContextWalk {
        root: walk.root.clone(),
        dirs: walk.dirs.clone(),
        excluded: walk.excluded.clone(),
        ..ContextWalk::default()
    };
    let mut removed = Vec::new();
    for (i, entry) in walk.entries.iter().enumerate() {
        let decision = rules.decide_in_walk(entry.path_bytes())?;
        if decision.excluded {
            removed.push((i, decision.decided_by.unwrap_or(0)));
        } else {
            kept.entries.push(entry.clone());
        }
    }
    Ok((kept, removed))
}

/// Proposes a `.dockerignore` (see the module documentation).
pub fn suggest_dockerignore(input: &SuggestInput<'_>) -> Result<IgnoreSuggestion, SuggestError> {
    let walk = input.walk;
    let index = ContextIndex::new(walk);
    let resolutions = index.resolve_all(input.sources, input.rules)?;

    let mut needs: Vec<Need> = Vec::new();
    for (s, r) in resolutions.iter().enumerate() {
        if r.whole_context {
            continue;
        }
        for path in &r.matched {
            needs.push(Need {
                path: path.clone(),
                named: true,
                source: s,
            });
        }
        for file in &r.files {
            needs.push(Need {
                path: file.path.clone(),
                named: false,
                source: s,
            });
        }
    }

    let mut accepted: Vec<Candidate> = Vec::new();
    let mut kept: Vec<KeptForCopy> = Vec::new();
    for candidate in candidates(walk, input.installs) {
        let Ok(matcher) = PatternMatcher::new([candidate.pattern.as_str()]) else {
            continue;
        };
        let blocking = needs.iter().find(|need| {
            (need.named || !candidate.category.never_needed())
                && matcher
                    .matches_or_parent_matches(need.path.as_bytes())
                    .is_ok_and(|d| d.excluded)
        });
        match blocking {
            Some(need) => {
                let source = &input.sources[need.source];
                kept.push(KeptForCopy {
                    pattern: candidate.pattern.clone(),
                    category: candidate.category,
                    source: source.source.clone(),
                    line: source.line,
                });
            }
            None => accepted.push(candidate),
        }
    }

    // Check the proposal by resolving every source again; drop any pattern that takes away
    // something a source needs, until none does.
    loop {
        let rules_only: Vec<SuggestedRule> = accepted
            .iter()
            .map(|c| SuggestedRule {
                pattern: c.pattern.clone(),
                category: c.category,
                files: 0,
                bytes: 0,
            })
            .collect();
        let text = render(input.existing, &rules_only, 0, 0);
        let proposed = Dockerignore::parse(text.as_bytes(), None)?;
        let first_new = proposed.matcher().patterns().len() - accepted.len();
        let (filtered, removed) = filter_walk(walk, &proposed)?;
        let filtered_index = ContextIndex::new(&filtered);
        let mut culprit: Option<(usize, usize)> = None;
        'sources: for (s, before) in resolutions.iter().enumerate() {
            if before.whole_context {
                continue;
            }
            let after = filtered_index.resolve(&input.sources[s], &proposed)?;
            let present: std::collections::HashSet<&str> =
                after.files.iter().map(|f| f.path.as_str()).collect();
            for file in &before.files {
                if present.contains(file.path.as_str()) {
                    continue;
                }
                let Some(&(_, pattern)) = removed
                    .iter()
                    .find(|(i, _)| walk.entries[*i].path == file.path)
                else {
                    continue;
                };
                if pattern < first_new {
                    continue;
                }
                let rule = pattern - first_new;
                let named = before.matched.iter().any(|m| m == &file.path);
                if named || !accepted[rule].category.never_needed() {
                    culprit = Some((rule, s));
                    break 'sources;
                }
            }
        }
        if let Some((rule, s)) = culprit {
            let dropped = accepted.remove(rule);
            kept.push(KeptForCopy {
                pattern: dropped.pattern,
                category: dropped.category,
                source: input.sources[s].source.clone(),
                line: input.sources[s].line,
            });
            continue;
        }

        // Attribute what each new pattern keeps out; drop patterns that keep out nothing.
        let mut rules = rules_only;
        for &(i, pattern) in &removed {
            let entry = &walk.entries[i];
            if pattern < first_new || entry.kind == EntryKind::Dir {
                continue;
            }
            let rule = &mut rules[pattern - first_new];
            rule.files += 1;
            rule.bytes += entry.size;
        }
        let useless: Vec<usize> = (0..rules.len()).filter(|&r| rules[r].files == 0).collect();
        if !useless.is_empty() {
            for r in useless.into_iter().rev() {
                accepted.remove(r);
            }
            continue;
        }
        let files = rules.iter().map(|r| r.files).sum();
        let bytes = rules.iter().map(|r| r.bytes).sum();
        let text = render(input.existing, &rules, files, bytes);
        return Ok(IgnoreSuggestion {
            rules,
            kept,
            files,
            bytes,
            text,
        });
    }
}

/// Writes `contents` to `path` atomically: a temporary file in the same directory, flushed to
/// disk, then renamed over `path` (keeping the old file's permissions).
pub fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_owned());
    let tmp = dir.join(format!(".{name}.dockwright-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::walk::{WalkOptions, walk_context};

    fn tree(files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (rel, content) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        dir
    }

    fn project() -> tempfile::TempDir {
        tree(&[
            ("Dockerfile", b"FROM node\n".to_vec()),
            ("package.json", b"{}".to_vec()),
            ("src/index.js", b"x".to_vec()),
            ("src/__pycache__/m.pyc", b"c".to_vec()),
            ("node_modules/a/i.js", vec![b'n'; 100]),
            (".git/HEAD", b"ref".to_vec()),
            (".env", b"TOKEN=1".to_vec()),
            (".env.example", b"TOKEN=".to_vec()),
            ("dist/app.js", b"built".to_vec()),
            ("models/w.safetensors", vec![0; 1_500_000]),
            ("logs/run.log", b"log".to_vec()),
            ("keys/server.pem", b"-----BEGIN PRIVATE KEY-----\n".to_vec()),
            ("certs/ca.pem", b"-----BEGIN CERTIFICATE-----\n".to_vec()),
            (".DS_Store", b"j".to_vec()),
            (".venv/pyvenv.cfg", b"home = /usr".to_vec()),
            (".venv/lib/x.py", b"v".to_vec()),
        ])
    }

    fn suggest(dir: &Path, sources: &[CopySource], installs: BuildInstalls) -> IgnoreSuggestion {
        let rules = Dockerignore::empty();
        let walk = walk_context(dir, &rules, WalkOptions::default()).unwrap();
        suggest_dockerignore(&SuggestInput {
            walk: &walk,
            rules: &rules,
            existing: None,
            sources,
            installs,
        })
        .unwrap()
    }

    fn patterns(s: &IgnoreSuggestion) -> Vec<&str> {
        s.rules.iter().map(|r| r.pattern.as_str()).collect()
    }

    #[test]
    fn copy_everything_and_install_dependencies() {
        let dir = project();
        let s = suggest(
            dir.path(),
            &[CopySource::new("package.json"), CopySource::new(".")],
            BuildInstalls {
                node: true,
                ..BuildInstalls::default()
            },
        );
        assert_eq!(
            patterns(&s),
            [
                ".git",
                ".env",
                "keys/server.pem",
                "node_modules",
                ".venv",
                "**/__pycache__",
                "dist",
                "**/*.log",
                "**/*.safetensors",
                "**/.DS_Store"
            ]
        );
        insta::assert_snapshot!(s.text);
        let node = s
            .rules
            .iter()
            .find(|r| r.pattern == "node_modules")
            .unwrap();
        assert_eq!((node.files, node.bytes), (1, 100));
        assert!(
            s.text.contains(
                "# Dependencies the build installs itself (1 file, 100 B)\nnode_modules\n"
            )
        );
        // The proposal parses and keeps what the Dockerfile names.
        let rules = Dockerignore::parse(s.text.as_bytes(), None).unwrap();
        assert!(!rules.decide(b"package.json").unwrap().excluded);
        assert!(!rules.decide(b".env.example").unwrap().excluded);
        assert!(!rules.decide(b"certs/ca.pem").unwrap().excluded);
    }

    #[test]
    fn sources_named_by_copy_are_kept() {
        let dir = project();
        let s = suggest(
            dir.path(),
            &[
                CopySource {
                    line: Some(4),
                    ..CopySource::new("dist/")
                },
                CopySource::new("models/*.safetensors"),
                CopySource::new("src"),
            ],
            BuildInstalls::default(),
        );
        let p = patterns(&s);
        assert!(!p.contains(&"dist"));
        assert!(!p.contains(&"**/*.safetensors"));
        assert!(
            !p.contains(&"node_modules"),
            "npm ci is not run: node_modules stays"
        );
        // Caches inside a copied directory are still junk.
        assert!(p.contains(&"**/__pycache__"));
        let kept: Vec<(&str, Option<usize>)> = s
            .kept
            .iter()
            .map(|k| (k.pattern.as_str(), k.line))
            .collect();
        assert!(kept.contains(&("dist", Some(4))));
    }

    #[test]
    fn existing_file_is_kept_verbatim_and_extended() {
        let dir = project();
        let existing = b"# mine\n.git\n";
        let rules = Dockerignore::parse(existing, None).unwrap();
        let walk = walk_context(dir.path(), &rules, WalkOptions::default()).unwrap();
        let s = suggest_dockerignore(&SuggestInput {
            walk: &walk,
            rules: &rules,
            existing: Some(existing),
            sources: &[CopySource::new(".")],
            installs: BuildInstalls::default(),
        })
        .unwrap();
        assert!(s.text.starts_with("# mine\n.git\n\n# Added by dockwright:"));
        assert!(!patterns(&s).contains(&".git"));
    }

    #[test]
    fn writes_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".dockerignore");
        write_atomically(&path, b"a\n").unwrap();
        write_atomically(&path, b"b\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"b\n");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1);
    }
}
