//! The source edit behind the rebuild measurement: which file to edit, and an edit that every
//! builder's cache notices and that is undone afterwards.
//!
//! The edit appends one newline: harmless in every language, and it changes both the content
//! (builders that digest what they copy) and the size. The modification time is moved forward
//! too, for builders and storage drivers that compare size and mtime. Both writes are atomic
//! (a temporary file renamed over the original), and [`Touched::restore`] puts back the exact
//! bytes, permissions and modification time.

use std::fs::{File, FileTimes};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::error::BuildError;

/// The chosen file and why it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TouchChoice {
    /// Relative to the build context, `/`-separated.
    pub path: String,
    /// Why this one.
    pub reason: String,
}

/// File names that describe dependencies or the build rather than the application: editing
/// one of them is a dependency change, not the source edit the measurement is about.
const MANIFESTS: &[&str] = &[
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "requirements.txt",
    "constraints.txt",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "Pipfile",
    "Pipfile.lock",
    "poetry.lock",
    "uv.lock",
    "go.mod",
    "go.sum",
    "Cargo.toml",
    "Cargo.lock",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "settings.gradle",
    "settings.gradle.kts",
    "gradle.properties",
    "Gemfile",
    "Gemfile.lock",
    "composer.json",
    "composer.lock",
    "mix.exs",
    "mix.lock",
    "Makefile",
    "CMakeLists.txt",
    "manage.py",
];

/// Extensions of source files a developer edits.
const SOURCE_EXTENSIONS: &[&str] = &[
    "py", "pyx", "js", "jsx", "mjs", "cjs", "ts", "tsx", "go", "rs", "java", "kt", "scala", "c",
    "h", "cc", "cpp", "cxx", "hpp", "cu", "rb", "php", "cs", "swift", "ex", "exs", "erl", "hs",
    "ml", "clj", "lua", "pl", "r", "jl", "dart", "vue", "svelte", "css", "scss", "html",
];

fn is_test_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.split('/').any(|c| {
        matches!(
            c,
            "test" | "tests" | "__tests__" | "spec" | "specs" | "testdata" | "e2e"
        )
    }) || name.starts_with("test_")
        || name.contains("_test.")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name.ends_with("Test.java")
        || name.ends_with("Tests.java")
}

fn is_config(name: &str) -> bool {
    // next.config.js, vite.config.ts, jest.config.cjs, babel.config.js …
    name.contains(".config.") || name.starts_with('.')
}

fn extension(name: &str) -> Option<&str> {
    name.rsplit_once('.').map(|(_, e)| e)
}

/// Picks the file to edit among the files the Dockerfile copies: an ordinary source file (a
/// known source extension; no manifest, lockfile, config, test or dot file). Among those it
/// prefers the project's main language (the most common extension), then the shallowest
/// path, then names that do not start with `_`, then the alphabetical first.
pub fn choose_file(copied: &[String]) -> Option<TouchChoice> {
    let candidates: Vec<&String> = copied
        .iter()
        .filter(|p| {
            let name = p.rsplit('/').next().unwrap_or(p);
            !MANIFESTS.contains(&name)
                && !is_config(name)
                && !is_test_path(p)
                && extension(name)
                    .is_some_and(|e| SOURCE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        })
        .collect();
    let count = |ext: Option<&str>| candidates.iter().filter(|p| extension(p) == ext).count();
    let best = candidates.iter().min_by(|a, b| {
        let key = |p: &str| {
            let name = p.rsplit('/').next().unwrap_or(p);
            (
                std::cmp::Reverse(count(extension(p))),
                p.matches('/').count(),
                name.starts_with('_'),
                p.to_string(),
            )
        };
        key(a).cmp(&key(b))
    })?;
    let language = extension(best).unwrap_or("");
    let n = candidates.len();
    Some(TouchChoice {
        path: (*best).clone(),
        reason: format!(
            "a .{language} source file the Dockerfile copies, chosen among {n} such file{}; \
             never a manifest, lockfile, config or test",
            if n == 1 { "" } else { "s" }
        ),
    })
}

/// A file that was edited and has not been restored yet.
#[derive(Debug)]
pub struct Touched {
    path: PathBuf,
    original: Vec<u8>,
    permissions: std::fs::Permissions,
    modified: Option<SystemTime>,
    restored: bool,
}

impl Touched {
    /// The edited file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Puts the file back as it was: content, permissions, modification time.
    pub fn restore(mut self) -> Result<(), BuildError> {
        self.restored = true;
        write_atomically(&self.path, &self.original, &self.permissions, self.modified)
    }
}

impl Drop for Touched {
    fn drop(&mut self) {
        if !self.restored {
            // Best effort: an error here cannot be reported, and the edit is one newline.
            let _ = write_atomically(&self.path, &self.original, &self.permissions, self.modified);
        }
    }
}

/// Edits `path` as described in the module documentation.
pub fn touch(path: &Path) -> Result<Touched, BuildError> {
    let original = std::fs::read(path).map_err(|e| BuildError::io(path, e))?;
    let meta = std::fs::metadata(path).map_err(|e| BuildError::io(path, e))?;
    let modified = meta.modified().ok();
    let permissions = meta.permissions();
    let mut edited = original.clone();
    edited.push(b'\n');
    // Strictly later than before, even on file systems with coarse timestamps.
    let now = SystemTime::now();
    let later = modified
        .map(|m| m + Duration::from_secs(2))
        .map_or(now, |m| m.max(now));
    write_atomically(path, &edited, &permissions, Some(later))?;
    Ok(Touched {
        path: path.to_path_buf(),
        original,
        permissions,
        modified,
        restored: false,
    })
}

fn write_atomically(
    path: &Path,
    content: &[u8],
    permissions: &std::fs::Permissions,
    modified: Option<SystemTime>,
) -> Result<(), BuildError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| BuildError::io(dir, e))?;
    tmp.write_all(content)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| BuildError::io(tmp.path(), e))?;
    tmp.as_file()
        .set_permissions(permissions.clone())
        .map_err(|e| BuildError::io(tmp.path(), e))?;
    let file = tmp
        .persist(path)
        .map_err(|e| BuildError::io(path, e.error))?;
    if let Some(time) = modified {
        set_modified(&file, time).map_err(|e| BuildError::io(path, e))?;
    }
    Ok(())
}

fn set_modified(file: &File, time: SystemTime) -> std::io::Result<()> {
    file.set_times(FileTimes::new().set_modified(time).set_accessed(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn chooses_main_language_shallow_non_underscore_source() {
        let copied = strings(&[
            "Dockerfile",
            "requirements.txt",
            "setup.py",
            "docs/api.md",
            "tests/test_wordcount.py",
            "textstats/__init__.py",
            "textstats/_wordcount.c",
            "textstats/server.py",
        ]);
        let choice = choose_file(&copied).unwrap();
        assert_eq!(choice.path, "textstats/server.py");
        assert!(choice.reason.contains(".py"), "{}", choice.reason);
    }

    #[test]
    fn never_chooses_manifests_configs_or_tests() {
        let copied = strings(&[
            "package.json",
            "package-lock.json",
            "next.config.js",
            "app/page.test.js",
            "internal/store/store_test.go",
            "src/test/java/com/x/StockTest.java",
            ".eslintrc.js",
            "README.md",
        ]);
        assert_eq!(choose_file(&copied), None);
    }

    #[test]
    fn each_example_project_gets_an_application_file() {
        let cases: &[(&[&str], &str)] = &[
            (
                &[
                    "app/api/health/route.js",
                    "app/layout.js",
                    "app/page.js",
                    "next.config.js",
                    "package.json",
                ],
                "app/layout.js",
            ),
            (
                &[
                    "cmd/shortlinks/main.go",
                    "go.mod",
                    "internal/store/store.go",
                    "internal/store/store_test.go",
                ],
                "cmd/shortlinks/main.go",
            ),
            (
                &["Cargo.lock", "Cargo.toml", "src/counter.rs", "src/main.rs"],
                "src/counter.rs",
            ),
            (
                &[
                    "pom.xml",
                    "src/main/java/com/example/inventory/Server.java",
                    "src/main/java/com/example/inventory/Stock.java",
                    "src/test/java/com/example/inventory/StockCheck.java",
                ],
                "src/main/java/com/example/inventory/Server.java",
            ),
            (
                &[
                    "kernels/score.c",
                    "sentiment/__init__.py",
                    "sentiment/model.py",
                    "sentiment/serve.py",
                ],
                "sentiment/model.py",
            ),
        ];
        for (files, expected) in cases {
            assert_eq!(choose_file(&strings(files)).unwrap().path, *expected);
        }
    }

    #[test]
    fn touch_changes_content_size_and_mtime_and_restore_undoes_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("main.py");
        std::fs::write(&path, "print('hi')\n").unwrap();
        let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
        set_modified(&File::options().write(true).open(&path).unwrap(), old).unwrap();
        let before = std::fs::metadata(&path).unwrap();

        let touched = touch(&path).unwrap();
        let during = std::fs::metadata(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"print('hi')\n\n");
        assert_eq!(during.len(), before.len() + 1);
        assert!(during.modified().unwrap() > before.modified().unwrap());

        touched.restore().unwrap();
        let after = std::fs::metadata(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"print('hi')\n");
        assert_eq!(after.modified().unwrap(), old);
        assert_eq!(after.permissions(), before.permissions());
    }

    #[test]
    fn dropping_an_unrestored_touch_restores_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lib.rs");
        std::fs::write(&path, "fn main() {}").unwrap();
        drop(touch(&path).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"fn main() {}");
    }

    #[test]
    fn touching_a_missing_file_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.py");
        let err = touch(&path).unwrap_err().to_string();
        assert!(err.contains("nope.py"), "{err}");
    }
}
