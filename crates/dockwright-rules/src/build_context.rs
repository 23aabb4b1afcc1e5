//! The build context a Dockerfile is linted with: the directory `docker build` would send,
//! walked once per lint run, and per file the Dockerfile's copies resolved against it.
//!
//! Rules that need the context (`COPY` sources the `.dockerignore` excludes, secrets a
//! `COPY . .` takes along, the cache order of dependency installs, ...) read it through
//! [`crate::Checker::context`], which is `None` when the file is linted without one: such a
//! rule then does not run. The work is lazy: a context is walked only when a selected rule
//! asks for it, and at most once per directory and ignore file for the whole run
//! ([`ContextCache`], safe to share between threads). A file linted without a context costs
//! nothing more than before.
//!
//! Where the context comes from ([`ContextRequest`]):
//!
//! - **Given** (`dockwright lint --context DIR`): that directory, as `docker build DIR`.
//! - **Detected** (the default for a Dockerfile linted from disk): the Dockerfile's own
//!   directory, but only when it looks like the build context, because a wrong context
//!   makes every context rule wrong. It does when the Dockerfile copies something from the
//!   context and either a `.dockerignore` (or `<Dockerfile>.dockerignore`) is there, or every
//!   source it names by path (no wildcards, not the whole context) exists there and at least
//!   one does, or it copies only the whole context or wildcards and the directory holds a
//!   project manifest (`package.json`, `requirements.txt`, `pyproject.toml`, `go.mod`,
//!   `Cargo.toml`, `pom.xml`, `Gemfile`, ...) or a `.git`. A Dockerfile kept in a `docker/`
//!   subdirectory and built from the repository root (`docker build -f docker/Dockerfile .`)
//!   names sources that are not beside it, so it is not given a wrong context: pass
//!   `--context` for it.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use dockwright_context::findings::{ResolvedRead, resolve_reads};
use dockwright_context::plan::{BuildOptions, BuildPlan, ReadVia};
use dockwright_context::{
    ContextWalk, Dockerignore, ExcludedScan, WalkOptions, ignore_file_for_build, walk_context,
};
use dockwright_syntax::Dockerfile;

use crate::settings::Settings;

/// A walked build context.
#[derive(Debug)]
pub struct BuildContext {
    /// The directory as it was given.
    pub dir: PathBuf,
    /// The ignore rules the build uses (empty when there is no ignore file).
    pub ignore: Dockerignore,
    /// What the build sends.
    pub walk: ContextWalk,
}

impl BuildContext {
    /// Walks `dir` as a build with the Dockerfile `dockerfile` would send it (the ignore file
    /// is `<Dockerfile>.dockerignore` beside it, else `<dir>/.dockerignore`).
    pub fn load(dir: &Path, dockerfile: Option<&Path>) -> Result<BuildContext, String> {
        let ignore = Dockerignore::load_for_build(dir, dockerfile).map_err(|e| e.to_string())?;
        let options = WalkOptions {
            hash: false,
            // Excluded directories are listed, not entered: the rules only need to know that
            // they are kept out.
            excluded: ExcludedScan::Skip,
        };
        let walk = walk_context(dir, &ignore, options).map_err(|e| e.to_string())?;
        Ok(BuildContext {
            dir: dir.to_path_buf(),
            ignore,
            walk,
        })
    }

    /// Whether the build has an ignore file.
    pub fn has_ignore_file(&self) -> bool {
        self.ignore.file.is_some()
    }
}

type Slot = Arc<OnceLock<Result<Arc<BuildContext>, String>>>;

/// Contexts walked during one lint run, by directory and ignore file: each is walked once,
/// even when files linted in parallel ask for it at the same time.
#[derive(Debug, Default)]
pub struct ContextCache {
    slots: Mutex<HashMap<(PathBuf, Option<PathBuf>), Slot>>,
}

impl ContextCache {
    /// An empty cache.
    pub fn new() -> ContextCache {
        ContextCache::default()
    }

    /// The context in `dir` for a build of `dockerfile`, walked on first use.
    pub fn load(&self, dir: &Path, dockerfile: Option<&Path>) -> Result<Arc<BuildContext>, String> {
        let root = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let key = (root, ignore_file_for_build(dir, dockerfile));
        let slot = {
            let mut slots = self
                .slots
                .lock()
                .map_err(|_| "the context cache is poisoned".to_string())?;
            slots.entry(key).or_default().clone()
        };
        slot.get_or_init(|| BuildContext::load(dir, dockerfile).map(Arc::new))
            .clone()
    }
}

/// How the context of a linted file is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextMode {
    /// The directory was given (`--context`): always used.
    Given,
    /// The Dockerfile's directory, used when it looks like the build context (see the
    /// [module documentation](self)).
    Detect,
}

/// Where one linted file's build context is.
#[derive(Debug, Clone)]
pub struct ContextRequest {
    /// The context directory.
    pub dir: PathBuf,
    /// The Dockerfile on disk (for `<Dockerfile>.dockerignore`), when it is a file.
    pub dockerfile: Option<PathBuf>,
    /// Given or detected.
    pub mode: ContextMode,
    /// The run's cache.
    pub cache: Arc<ContextCache>,
}

impl ContextRequest {
    /// The context `dir`, given on the command line.
    pub fn given(dir: PathBuf, dockerfile: Option<PathBuf>, cache: Arc<ContextCache>) -> Self {
        ContextRequest {
            dir,
            dockerfile,
            mode: ContextMode::Given,
            cache,
        }
    }

    /// The directory of `dockerfile`, if it looks like the context.
    pub fn detect(dockerfile: PathBuf, cache: Arc<ContextCache>) -> Self {
        let dir = dockerfile
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        ContextRequest {
            dir,
            dockerfile: Some(dockerfile),
            mode: ContextMode::Detect,
            cache,
        }
    }
}

/// What the context rules of one file read: the context, the Dockerfile as a build plan,
/// and every context source resolved against the context.
#[derive(Debug)]
pub struct ContextFacts {
    /// The walked context.
    pub context: Arc<BuildContext>,
    /// The Dockerfile as BuildKit dispatches it.
    pub plan: BuildPlan,
    /// Every context source of every step, in file order.
    pub reads: Vec<ResolvedRead>,
}

/// Project files whose presence makes a directory a project root.
const PROJECT_MARKERS: &[&str] = &[
    ".git",
    "package.json",
    "requirements.txt",
    "pyproject.toml",
    "setup.py",
    "Pipfile",
    "go.mod",
    "Cargo.toml",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "Gemfile",
    "composer.json",
    "mix.exs",
    "Makefile",
    "CMakeLists.txt",
];

/// Whether `dir` looks like the build context of a Dockerfile whose plan is `plan`.
fn looks_like_context(dir: &Path, dockerfile: Option<&Path>, plan: &BuildPlan) -> bool {
    let sources: Vec<&str> = plan
        .steps()
        .flat_map(|(_, step)| step.context_reads.iter())
        .filter(|r| matches!(r.via, ReadVia::Copy | ReadVia::Add | ReadVia::BindMount))
        .map(|r| r.source.source.as_str())
        .collect();
    if sources.is_empty() {
        return false;
    }
    if ignore_file_for_build(dir, dockerfile).is_some() {
        return true;
    }
    let mut named = 0;
    for source in &sources {
        let path = source.trim_start_matches('/');
        let whole = matches!(path, "" | "." | "./");
        if whole || path.contains(['*', '?', '[']) {
            continue;
        }
        // The path as the build names it; `..` cannot leave the context.
        if !dir.join(path).exists() {
            return false;
        }
        named += 1;
    }
    named > 0 || PROJECT_MARKERS.iter().any(|m| dir.join(m).exists())
}

/// The per-file, lazily computed context facts.
pub(crate) struct LazyContext<'a> {
    request: Option<&'a ContextRequest>,
    doc: &'a Dockerfile<'a>,
    settings: &'a Settings,
    facts: OnceCell<Option<ContextFacts>>,
    warning: OnceCell<String>,
}

impl<'a> LazyContext<'a> {
    pub(crate) fn new(
        request: Option<&'a ContextRequest>,
        doc: &'a Dockerfile<'a>,
        settings: &'a Settings,
    ) -> Self {
        LazyContext {
            request,
            doc,
            settings,
            facts: OnceCell::new(),
            warning: OnceCell::new(),
        }
    }

    /// The facts, computed on the first call.
    pub(crate) fn get(&self) -> Option<&ContextFacts> {
        self.facts.get_or_init(|| self.compute()).as_ref()
    }

    /// A problem met while loading the context, to show as a warning.
    pub(crate) fn warning(&self) -> Option<&String> {
        self.warning.get()
    }

    fn compute(&self) -> Option<ContextFacts> {
        let request = self.request?;
        let options = BuildOptions {
            build_args: self.settings.build.build_args.clone(),
            target: self.settings.build.target.clone(),
        };
        let plan = BuildPlan::new(self.doc, &options);
        if request.mode == ContextMode::Detect
            && !looks_like_context(&request.dir, request.dockerfile.as_deref(), &plan)
        {
            return None;
        }
        let context = match request
            .cache
            .load(&request.dir, request.dockerfile.as_deref())
        {
            Ok(context) => context,
            Err(message) => {
                let _ = self.warning.set(format!(
                    "build context {}: {message}; rules that need it did not run",
                    request.dir.display()
                ));
                return None;
            }
        };
        let reads = match resolve_reads(&plan, &context.walk, &context.ignore) {
            Ok(reads) => reads,
            Err(err) => {
                let _ = self.warning.set(format!(
                    "build context {}: {err}; rules that need it did not run",
                    request.dir.display()
                ));
                return None;
            }
        };
        Some(ContextFacts {
            context,
            plan,
            reads,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (rel, content) in files {
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap_or_default();
            }
            std::fs::write(path, content).unwrap_or_default();
        }
    }

    fn detects(dockerfile: &str, files: &[(&str, &str)]) -> bool {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        write(dir.path(), files);
        let doc = dockwright_syntax::parse(dockerfile).unwrap_or_else(|e| panic!("{e}"));
        let plan = BuildPlan::new(&doc, &BuildOptions::default());
        looks_like_context(dir.path(), None, &plan)
    }

    #[test]
    fn detection() {
        // Sources named by path all exist.
        assert!(detects(
            "FROM a\nCOPY app.py req.txt /app/\n",
            &[("app.py", ""), ("req.txt", "")]
        ));
        // One does not: the context is elsewhere.
        assert!(!detects(
            "FROM a\nCOPY app.py docker/entry.sh /app/\n",
            &[("app.py", "")]
        ));
        // Only `COPY . .`: needs a project manifest, or an ignore file.
        assert!(!detects("FROM a\nCOPY . .\n", &[("notes.txt", "")]));
        assert!(detects("FROM a\nCOPY . .\n", &[("package.json", "{}")]));
        assert!(detects(
            "FROM a\nCOPY . .\n",
            &[(".dockerignore", ".git\n"), ("x", "")]
        ));
        // Nothing read from the context: no context needed.
        assert!(!detects(
            "FROM a\nRUN true\n",
            &[(".dockerignore", ".git\n")]
        ));
    }

    #[test]
    fn cache_walks_once() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        write(dir.path(), &[("a.txt", "x")]);
        let cache = ContextCache::new();
        let first = cache
            .load(dir.path(), None)
            .unwrap_or_else(|e| panic!("{e}"));
        let second = cache
            .load(dir.path(), None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(Arc::ptr_eq(&first, &second));
        assert!(cache.load(&dir.path().join("missing"), None).is_err());
    }
}
