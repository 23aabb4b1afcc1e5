//! The cache-order check: a dependency step (`npm ci`, `pip install -r`, `go mod download`,
//! `go build`, `cargo build`, `bundle install`, `mvn package`, ...) that an edit to an
//! ordinary source file — anything but a dependency manifest or lock file — rebuilds, because
//! a `COPY` before it (or a bind mount of it) takes in more than the manifests. Every such
//! edit then reinstalls every dependency.
//!
//! The check asks the cache model ([`crate::cache`]) itself: it picks an ordinary file the
//! step's inputs include (a real file from the context when a walk is given, else the `COPY`
//! source as written), predicts what an edit to it rebuilds, and reports the step when it is
//! among them. A build step (`go build`, `cargo build`, `mvn package`, `gradle build`) needs
//! the sources and is reported only when no dependency step of its ecosystem runs before it
//! in its stage chain (then its downloads happen inside the build, on every edit).

use dockwright_syntax::Span;
use serde::Serialize;

use crate::cache::{CacheChanges, CacheContext, CacheError, CacheQuery, predict};
use crate::copy_source::{ContextIndex, normalize_source};
use crate::dependencies::{
    DependencyWork, Ecosystem, dependency_command, dependency_steps, is_manifest_path, manifests,
};
use crate::go_path;
use crate::plan::{BuildPlan, ReadVia, StepOp};

/// A dependency step that ordinary source edits rebuild.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheOrderFinding {
    /// The stage (name or `stage-N`).
    pub stage: String,
    /// The `RUN` line.
    pub line: usize,
    /// The `RUN` instruction in the file.
    pub span: Span,
    /// The dependency command (`npm ci`).
    pub command: String,
    pub ecosystem: Ecosystem,
    pub work: DependencyWork,
    /// The step that brings in the ordinary files (a `COPY`/`ADD`, or the `RUN` itself for a
    /// bind mount).
    pub copy_line: usize,
    /// That step's source word (or `--mount` flag).
    pub copy_span: Span,
    /// Its source, expanded.
    pub copy_source: String,
    /// An ordinary file whose edit rebuilds the step: a real context file when the context is
    /// known, else the source as written.
    pub example: String,
    /// `example` is a file of the context.
    pub example_is_file: bool,
    /// The manifests to copy first.
    pub manifests: Vec<String>,
    /// The fix, in words.
    pub fix: String,
}

impl CacheOrderFinding {
    /// The message, in words.
    pub fn message(&self) -> String {
        let what = if self.example_is_file {
            format!("an edit to {}", self.example)
        } else {
            format!("any edit to a file {} copies", self.example)
        };
        format!(
            "`{}` re-runs on {what} (line {} copies more than the dependency manifests): {}",
            self.command, self.copy_line, self.fix
        )
    }
}

/// Source extensions, per ecosystem, to pick a telling example.
fn source_extensions(ecosystem: Ecosystem) -> &'static [&'static str] {
    match ecosystem {
        Ecosystem::Node => &[".js", ".ts", ".tsx", ".jsx", ".mjs", ".cjs", ".vue"],
        Ecosystem::Python => &[".py"],
        Ecosystem::Go => &[".go"],
        Ecosystem::Rust => &[".rs"],
        Ecosystem::Ruby => &[".rb"],
        Ecosystem::Php => &[".php"],
        Ecosystem::Maven | Ecosystem::Gradle => &[".java", ".kt", ".scala", ".groovy"],
    }
}

/// Whether a path is the project's own (not below installed dependencies, build outputs,
/// caches or hidden directories).
fn is_project_file(path: &str) -> bool {
    let mut dirs = path.split('/').rev().skip(1);
    !dirs.any(|d| {
        d.starts_with('.')
            || matches!(
                d,
                "node_modules"
                    | "vendor"
                    | "bower_components"
                    | "__pycache__"
                    | "site-packages"
                    | "target"
                    | "dist"
                    | "build"
            )
    })
}

/// Without a walk: whether a source as written can only name manifests.
fn names_only_manifests(source: &str) -> bool {
    let normalized = normalize_source(source);
    if normalized.is_empty() {
        return false;
    }
    let name = normalized.rsplit('/').next().unwrap_or(&normalized);
    if !name.contains(['*', '?', '[']) {
        return is_manifest_path(&normalized);
    }
    // `package*.json`, `requirements*.txt`: a wildcard with a literal start that matches
    // manifest names.
    let literal_start = name
        .chars()
        .next()
        .is_some_and(|c| !matches!(c, '*' | '?' | '['));
    let examples = [
        "package.json",
        "package-lock.json",
        "requirements.txt",
        "requirements-dev.txt",
        "go.mod",
        "go.sum",
        "Cargo.toml",
        "Cargo.lock",
        "Gemfile",
        "Gemfile.lock",
        "composer.json",
        "composer.lock",
        "poetry.lock",
        "pyproject.toml",
        "yarn.lock",
        "pnpm-lock.yaml",
    ];
    literal_start
        && examples
            .iter()
            .any(|m| go_path::filepath_match(name.as_bytes(), m.as_bytes()) == Ok(true))
}

/// Finds dependency steps that ordinary source edits rebuild.
pub fn check_cache_order(
    plan: &BuildPlan,
    context: Option<CacheContext<'_>>,
) -> Result<Vec<CacheOrderFinding>, CacheError> {
    let deps = dependency_steps(plan);
    let index = context.map(|c| ContextIndex::new(c.walk));
    let mut out: Vec<CacheOrderFinding> = Vec::new();
    for dep in &deps {
        if out.iter().any(|f| f.line == dep.line) {
            continue;
        }
        let chain = plan.chain_before(dep.stage, dep.step);
        let earlier_same = deps.iter().any(|d| {
            d.ecosystem == dep.ecosystem
                && d.work != DependencyWork::Build
                && (chain.contains(&(d.stage, d.step))
                    || (d.stage, d.step) == (dep.stage, dep.step) && d.command != dep.command)
        });
        if earlier_same {
            continue;
        }
        // The step's own bind mounts, then the copies before it, earliest first.
        let mut candidates: Vec<(usize, usize)> = chain;
        candidates.reverse();
        candidates.push((dep.stage, dep.step));
        // The earliest read that brings in an ordinary file; one with a source file of the
        // ecosystem (`.py` for pip) makes the better example, so it is preferred.
        let mut first_ordinary = None;
        let mut found = None;
        'reads: for (s, i) in candidates {
            let step = &plan.stages[s].steps[i];
            if !matches!(step.op, StepOp::File | StepOp::Exec) {
                continue;
            }
            for read in &step.context_reads {
                let own = (s, i) == (dep.stage, dep.step);
                if own != matches!(read.via, ReadVia::BindMount) {
                    continue;
                }
                let (example, preferred) = match (&index, context) {
                    (Some(index), Some(context)) => {
                        let resolution =
                            index
                                .resolve(&read.source, context.rules)
                                .map_err(|source| CacheError::Copy {
                                    line: step.line,
                                    source,
                                })?;
                        let mut ordinary: Vec<&str> = resolution
                            .files
                            .iter()
                            .map(|f| f.path.as_str())
                            .filter(|p| !is_manifest_path(p))
                            .collect();
                        // The project's own files make the telling example: installed
                        // dependencies, caches and hidden directories come last.
                        ordinary.sort_by_key(|p| (!is_project_file(p), p.matches('/').count()));
                        let preferred = ordinary.iter().find(|p| {
                            source_extensions(dep.ecosystem)
                                .iter()
                                .any(|ext| p.ends_with(ext))
                        });
                        match (preferred, ordinary.first()) {
                            (Some(p), _) => (((*p).to_owned(), true), true),
                            (None, Some(p)) => (((*p).to_owned(), true), false),
                            (None, None) => continue,
                        }
                    }
                    _ => {
                        if names_only_manifests(&read.source.source) {
                            continue;
                        }
                        ((normalize_source(&read.source.source), false), true)
                    }
                };
                let candidate = (s, i, read.clone(), example);
                if preferred {
                    found = Some(candidate);
                    break 'reads;
                }
                if first_ordinary.is_none() {
                    first_ordinary = Some(candidate);
                }
            }
        }
        let found = found.or(first_ordinary);
        let Some((s, i, read, (example, example_is_file))) = found else {
            continue;
        };
        // Ask the model: does an edit to the example rebuild the dependency step?
        let paths = [example.clone()];
        let prediction = predict(&CacheQuery {
            after: plan,
            before: plan,
            dockerfile_changed: false,
            changes: CacheChanges {
                paths: &paths,
                no_longer_sent: &[],
                images: &[],
            },
            context,
        })?;
        let rebuilt = prediction
            .steps
            .iter()
            .any(|p| p.stage_index == dep.stage && p.index == dep.step && p.rebuilt);
        if !rebuilt {
            continue;
        }
        // The manifests to name: the command's requirement files, and the ecosystem's
        // manifests found at the context root or in the copied directory.
        let mut names: Vec<String> = dep.requirement_files.clone();
        if let Some(context) = context {
            let base = normalize_source(&read.source.source);
            for entry in context.walk.files() {
                let (dir, name) = match entry.path.rsplit_once('/') {
                    Some((dir, name)) => (dir, name),
                    None => ("", entry.path.as_str()),
                };
                if (dir.is_empty() || dir == base)
                    && manifests(dep.ecosystem).contains(&name)
                    && !names.contains(&entry.path)
                {
                    names.push(entry.path.clone());
                }
            }
        }
        let rank = |name: &String| {
            let base = name.rsplit('/').next().unwrap_or(name);
            manifests(dep.ecosystem)
                .iter()
                .position(|m| *m == base)
                .unwrap_or(usize::MAX)
        };
        names.sort_by_key(rank);
        if names.is_empty() {
            names = manifests(dep.ecosystem)
                .iter()
                .take(2)
                .map(|m| (*m).to_owned())
                .collect();
        }
        let copy_step = &plan.stages[s].steps[i];
        let fix = if read.via == ReadVia::BindMount {
            format!(
                "bind-mount only the manifests ({}) for `{}`, and the sources for the steps that need them",
                names.join(", "),
                dependency_command(dep.ecosystem)
            )
        } else if dep.work == DependencyWork::Install && dep.installs_project {
            format!(
                "copy the manifests first (`COPY {} ./`) and install only the dependencies they list, then `{}` and `{}` with --no-deps",
                names.join(" "),
                copy_step.display,
                dep.command
            )
        } else if dep.work == DependencyWork::Build {
            format!(
                "copy the manifests first (`COPY {} ./`) and run `{}` before `{}`, so `{}` finds its dependencies in the cache",
                names.join(" "),
                dependency_command(dep.ecosystem),
                copy_step.display,
                dep.command
            )
        } else {
            format!(
                "copy the manifests first (`COPY {} ./`), run `{}`, then `{}`",
                names.join(" "),
                dep.command,
                copy_step.display
            )
        };
        out.push(CacheOrderFinding {
            stage: plan.stages[dep.stage].label(),
            line: dep.line,
            span: dep.span,
            command: dep.command.clone(),
            ecosystem: dep.ecosystem,
            work: dep.work,
            copy_line: copy_step.line,
            copy_span: read.span,
            copy_source: read.source.source.clone(),
            example,
            example_is_file,
            manifests: names,
            fix,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ignore_file::Dockerignore;
    use crate::plan::BuildOptions;
    use crate::walk::{WalkOptions, walk_context};

    fn check(dockerfile: &str, files: &[(&str, &str)]) -> Vec<CacheOrderFinding> {
        let doc = dockwright_syntax::parse(dockerfile).unwrap();
        let plan = BuildPlan::new(&doc, &BuildOptions::default());
        if files.is_empty() {
            return check_cache_order(&plan, None).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        for (rel, content) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        let rules = Dockerignore::load_for_build(dir.path(), None).unwrap();
        let walk = walk_context(dir.path(), &rules, WalkOptions::default()).unwrap();
        check_cache_order(
            &plan,
            Some(CacheContext {
                walk: &walk,
                rules: &rules,
            }),
        )
        .unwrap()
    }

    const NODE_FILES: &[(&str, &str)] = &[
        ("package.json", "{}"),
        ("package-lock.json", "{}"),
        ("README.md", "r"),
        ("src/index.js", "x"),
    ];

    #[test]
    fn copy_everything_before_the_install() {
        let found = check(
            "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\n",
            NODE_FILES,
        );
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!((f.line, f.copy_line, f.command.as_str()), (4, 3, "npm ci"));
        assert_eq!(f.example, "src/index.js");
        assert_eq!(f.manifests, ["package.json", "package-lock.json"]);
        insta::assert_snapshot!(f.message());
    }

    #[test]
    fn manifests_first_is_fine() {
        let found = check(
            "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n",
            NODE_FILES,
        );
        assert!(found.is_empty(), "{found:?}");
        // The same without a context: judged by the source names.
        let found = check(
            "FROM node:20\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n",
            &[],
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn without_context_the_source_is_the_example() {
        let found = check(
            "FROM python:3.12\nCOPY src/ /app/src/\nCOPY requirements.txt /app/\nRUN pip install -r /app/requirements.txt\n",
            &[],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].example, "src");
        assert!(!found[0].example_is_file);
        assert_eq!(found[0].manifests, ["/app/requirements.txt"]);
    }

    #[test]
    fn go_build_after_download_is_fine_and_without_is_not() {
        let files = &[
            ("go.mod", "m"),
            ("go.sum", "s"),
            ("main.go", "package main"),
        ];
        let good = check(
            "FROM golang\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n",
            files,
        );
        assert!(good.is_empty(), "{good:?}");
        let bad = check("FROM golang\nCOPY . .\nRUN go build -o /app .\n", files);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].example, "main.go");
        assert_eq!(bad[0].manifests, ["go.mod", "go.sum"]);
    }

    #[test]
    fn ignored_sources_and_bind_mounts() {
        // The only non-manifest file is ignored: an edit to it rebuilds nothing.
        let found = check(
            "FROM node\nCOPY . .\nRUN npm ci\n",
            &[
                ("package.json", "{}"),
                ("notes.md", "n"),
                (".dockerignore", "notes.md\n.dockerignore\n"),
            ],
        );
        assert!(found.is_empty(), "{found:?}");
        let found = check(
            "FROM python\nRUN --mount=type=bind,target=/src pip install /src\n",
            &[("pyproject.toml", "p"), ("pkg/mod.py", "m")],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].example, "pkg/mod.py");
        assert!(found[0].fix.starts_with("bind-mount only the manifests"));
    }
}
