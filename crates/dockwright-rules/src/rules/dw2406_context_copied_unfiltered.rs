use crate::prelude::*;

use dockwright_context::dependencies::{build_installs, dependency_steps};
use dockwright_context::findings::DockerfileAnalysis;
use dockwright_context::plan::ReadVia;
use dockwright_context::{RuleCategory, SuggestInput, suggest_dockerignore};

crate::declare_rule! {
    /// Flags `COPY . .` (a copy of the whole build context) that takes along version
    /// control data, installed dependencies, virtualenvs, caches or build outputs, because
    /// there is no `.dockerignore` or it lets them in. Needs the build context (`dockwright
    /// lint --context DIR`, or a Dockerfile in its context directory).
    ///
    /// ## Why
    /// Everything the context holds is sent to the builder on every build and, through
    /// `COPY . .`, stored in the image: `.git` (often larger than the code), a host
    /// `node_modules` or `.venv` (hundreds of megabytes, built for the host's OS, and
    /// replaced by the image's own install anyway), `__pycache__`, `target/`, `dist/`. Worse
    /// for the cache: any change under them (a commit, a test run) changes the copy and
    /// rebuilds every later step. A `.dockerignore` that leaves them out fixes all three.
    ///
    /// The judgement is the ignore-file generator's (`dockwright context --suggest-dockerignore`
    /// prints the file): it matches BuildKit's `.dockerignore` semantics exactly, knows what
    /// the Dockerfile's installs rebuild (`node_modules` after `npm ci`), and keeps anything a
    /// `COPY` names. Credentials are DW4402's finding, large data and model files DW2407's.
    /// hadolint and Checkov cannot see the context; BuildKit warns only when a source is
    /// excluded.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY . .
    /// ```
    /// with a context holding `.git/` and `node_modules/` and no `.dockerignore`. Use
    /// instead a `.dockerignore`:
    /// ```text
    /// .git
    /// node_modules
    /// ```
    pub struct ContextCopiedUnfiltered {
        code: "DW2406",
        name: "context-copied-unfiltered",
        category: Size,
        severity: Warning,
    }
}

impl Check for ContextCopiedUnfiltered {
    fn check(cx: &mut Checker<'_>) {
        let Some(facts) = cx.context() else {
            return;
        };
        let Some(read) = facts
            .reads
            .iter()
            .find(|r| matches!(r.via, ReadVia::Copy | ReadVia::Add) && r.resolution.whole_context)
        else {
            return;
        };
        let context = &facts.context;
        let existing = context
            .ignore
            .file
            .as_ref()
            .and_then(|f| std::fs::read(f).ok());
        let sources = DockerfileAnalysis::sources(&facts.plan);
        let input = SuggestInput {
            walk: &context.walk,
            rules: &context.ignore,
            existing: existing.as_deref(),
            sources: &sources,
            installs: build_installs(&dependency_steps(&facts.plan)),
        };
        let Ok(suggestion) = suggest_dockerignore(&input) else {
            return;
        };
        let rules: Vec<_> = suggestion
            .rules
            .iter()
            .filter(|r| {
                matches!(
                    r.category,
                    RuleCategory::VersionControl
                        | RuleCategory::Dependencies
                        | RuleCategory::Virtualenv
                        | RuleCategory::Cache
                        | RuleCategory::BuildOutput
                )
            })
            .collect();
        if rules.is_empty() {
            return;
        }
        let files: u64 = rules.iter().map(|r| r.files).sum();
        let bytes: u64 = rules.iter().map(|r| r.bytes).sum();
        let names: Vec<&str> = rules.iter().take(5).map(|r| r.pattern.as_str()).collect();
        let more = rules.len().saturating_sub(names.len());
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let why = if context.has_ignore_file() {
            "the .dockerignore lets in"
        } else {
            "there is no .dockerignore, so it takes along"
        };
        cx.report(
            read.span,
            format!(
                "`{}` copies the whole context and {why} {}{more} ({files} files, {}): they bloat the image and every change to them rebuilds this step; add them to .dockerignore (`dockwright context --suggest-dockerignore`)",
                read.resolution.source,
                names.join(", "),
                human_bytes(bytes)
            ),
        );
    }
}

/// Bytes for people: `512 B`, `3.4 MB`.
pub(crate) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
