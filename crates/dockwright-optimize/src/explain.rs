//! Facts behind each change: the lint findings it resolves, what the cache model says a
//! source edit rebuilds before and after, and the ignore file the context lacks.

use dockwright_context::cache::{CacheChanges, CacheQuery, predict};
use dockwright_context::findings::DockerfileAnalysis;
use dockwright_context::plan::{BuildOptions, BuildPlan, StepOp};
use dockwright_context::{
    Dockerignore, ExcludedScan, SuggestInput, WalkOptions, ignore_file_for_build,
    suggest_dockerignore, walk_context,
};
use dockwright_rules::{Linter, Settings};

use crate::analyze::ProjectFiles;
use crate::{Change, ChangeKind, IgnoreProposal, OptimizeInput, RebuildComparison, RuleRef};

/// Which lint rules each kind of change answers (the findings on its lines with these
/// codes are listed with it).
fn answers(kind: ChangeKind, code: &str, name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    match kind {
        ChangeKind::MultiStage => {
            name.contains("build") || name.contains("dev") || name.contains("compiler")
        }
        // Caches kept in a layer are package hygiene's, not the build cache's.
        ChangeKind::DependenciesFirst => {
            name.contains("order")
                || (name.contains("cache")
                    && !name.ends_with("cache-kept")
                    && !name.ends_with("cache-left"))
        }
        ChangeKind::PackageHygiene | ChangeKind::CacheMount => {
            name.contains("apt")
                || name.contains("recommends")
                || name.contains("lists")
                || name.contains("update")
                || code == "DL3008"
                || matches!(
                    code,
                    "DW2101"
                        | "DW2102"
                        | "DW2103"
                        | "DW2105"
                        | "DW2106"
                        | "DW2107"
                        | "DW2401"
                        | "DW1105"
                        | "DW1106"
                        | "DW1107"
                )
                || (kind == ChangeKind::CacheMount && code == "DW3304")
        }
        ChangeKind::ExecForm => name.contains("json") || name.contains("exec"),
        ChangeKind::NonRootUser => name.contains("user") || name.contains("root"),
        ChangeKind::CopyChown => name.contains("chown"),
        ChangeKind::IgnoreFile => name.contains("ignore"),
        ChangeKind::PinDigest => name.contains("digest"),
    }
}

/// Consecutive RUNs left in the optimized Dockerfile (lint rule DW3001): merging them saves
/// layers, but then an edit to any of the merged commands re-runs all of them, so it is
/// proposed, not applied.
pub(crate) fn merge_runs_proposal(optimized: &str) -> Option<crate::Proposal> {
    let linter = Linter::new(Settings::default()).with_shellcheck(false);
    let report = linter.lint("Dockerfile.optimized", optimized);
    let lines: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "DW3001")
        .map(|d| d.line.to_string())
        .collect();
    if lines.is_empty() {
        return None;
    }
    Some(crate::Proposal {
        summary: format!(
            "merge the RUN at line(s) {} of the optimized Dockerfile into the RUN before it (`dockwright lint --fix --unsafe-fixes` does it)",
            lines.join(", ")
        ),
        reason: "one layer fewer each, but an edit to any merged command then re-runs all of \
                 them: a trade-off for the owner"
            .into(),
        lines: Vec::new(),
    })
}

/// Lists, with each change, the findings of the original it resolves.
pub(crate) fn attach_rules(source: &str, changes: &mut [Change]) {
    let linter = Linter::new(Settings::default()).with_shellcheck(false);
    let report = linter.lint("Dockerfile", source);
    for change in changes {
        for d in &report.diagnostics {
            let on_line = change.lines.is_empty() && change.kind == ChangeKind::NonRootUser
                || change.lines.contains(&d.line);
            if on_line && answers(change.kind, &d.code, &d.name) {
                change.rules.push(RuleRef {
                    code: d.code.clone(),
                    name: d.name.clone(),
                    line: d.line,
                });
            }
        }
    }
}

const SOURCE_EXTENSIONS: &[&str] = &[
    "py", "go", "rs", "java", "js", "jsx", "ts", "tsx", "c", "cc", "cpp", "rb", "php", "kt", "cs",
];

/// A source file of the context, to model an edit of: the first one by path.
fn source_file(project: &ProjectFiles) -> Option<String> {
    fn walk(dir: &std::path::Path, rel: &str, depth: usize, found: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().to_string();
            // Build scripts and tests are not what an everyday edit touches.
            if name.starts_with('.')
                || matches!(
                    name.as_str(),
                    "node_modules" | "target" | "vendor" | "tests" | "test" | "setup.py"
                )
            {
                continue;
            }
            let path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() && depth < 5 {
                walk(&e.path(), &path, depth + 1, found);
            } else if kind.is_file()
                && std::path::Path::new(&name)
                    .extension()
                    .is_some_and(|x| SOURCE_EXTENSIONS.contains(&x.to_string_lossy().as_ref()))
            {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(project.root()?, "", 0, &mut found);
    found.into_iter().next()
}

struct Counted {
    rebuilt: usize,
    runs: Vec<String>,
}

fn count(source: &str, edited: &str) -> Option<Counted> {
    let doc = dockwright_syntax::parse(source).ok()?;
    let plan = BuildPlan::new(&doc, &BuildOptions::default());
    let paths = [edited.to_string()];
    let prediction = predict(&CacheQuery {
        after: &plan,
        before: &plan,
        dockerfile_changed: false,
        changes: CacheChanges {
            paths: &paths,
            no_longer_sent: &[],
            images: &[],
        },
        context: None,
    })
    .ok()?;
    let steps = prediction
        .steps
        .iter()
        .filter(|s| s.needed && matches!(s.op, StepOp::Exec | StepOp::File));
    let mut counted = Counted {
        rebuilt: 0,
        runs: Vec::new(),
    };
    for s in steps.filter(|s| s.rebuilt) {
        counted.rebuilt += 1;
        if s.op == StepOp::Exec {
            counted.runs.push(s.instruction.clone());
        }
    }
    Some(counted)
}

/// What the cache model says an edit of one source file rebuilds, before and after.
pub(crate) fn rebuild_comparison(
    original: &str,
    optimized: &str,
    project: &ProjectFiles,
) -> Option<RebuildComparison> {
    let edited = source_file(project)?;
    let before = count(original, &edited)?;
    let after = count(optimized, &edited)?;
    Some(RebuildComparison {
        edited,
        original_rebuilt: before.rebuilt,
        original_rebuilt_runs: before.runs,
        optimized_rebuilt: after.rebuilt,
        optimized_rebuilt_runs: after.runs,
    })
}

/// An ignore file for the context when it has none, made from what the optimized
/// Dockerfile copies.
pub(crate) fn ignore_file(input: &OptimizeInput<'_>, optimized: &str) -> Option<IgnoreProposal> {
    let dir = input.context?;
    if ignore_file_for_build(dir, input.dockerfile).is_some() || dir.join(".dockerignore").exists()
    {
        return None;
    }
    let rules = Dockerignore::empty();
    let walk = walk_context(
        dir,
        &rules,
        WalkOptions {
            hash: false,
            excluded: ExcludedScan::Skip,
        },
    )
    .ok()?;
    let doc = dockwright_syntax::parse(optimized).ok()?;
    let plan = BuildPlan::new(&doc, &BuildOptions::default());
    let analysis = DockerfileAnalysis::new(&plan, &walk, &rules).ok()?;
    let sources = DockerfileAnalysis::sources(&plan);
    let suggestion = suggest_dockerignore(&SuggestInput {
        walk: &walk,
        rules: &rules,
        existing: None,
        sources: &sources,
        installs: analysis.installs,
    })
    .ok()?;
    if suggestion.rules.is_empty() {
        return None;
    }
    Some(IgnoreProposal {
        text: suggestion.text,
        files: suggestion.files,
        bytes: suggestion.bytes,
    })
}
