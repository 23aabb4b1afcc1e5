use dockwright_context::cache_order::{CacheOrderFinding, check_cache_order};
use dockwright_context::dependencies::{DependencyWork, Ecosystem};
use dockwright_context::plan::{BuildOptions, BuildPlan};

use crate::prelude::*;

crate::declare_rule! {
    /// Flags a dependency install (`npm ci`, `pip install -r`, `go mod download`,
    /// `bundle install`, `composer install`, `mvn dependency:go-offline`, ...) that an edit
    /// to any source file re-runs, because a `COPY` before it takes in more than the
    /// dependency manifests.
    ///
    /// ## Why
    /// BuildKit reuses a step only while everything it depends on is unchanged. With
    /// `COPY . .` before `npm ci`, changing one line of application code invalidates the
    /// copy and so the install: every rebuild downloads and builds all dependencies again
    /// (minutes, and network traffic in CI). Copying the manifests and lock files first,
    /// installing, then copying the source keeps the install cached until a dependency
    /// changes.
    ///
    /// The check asks dockwright's BuildKit cache model (the same one `dockwright cache`
    /// uses): it picks an ordinary file the install's inputs include, predicts what an edit
    /// to it rebuilds, and reports the install when it is among them — per ecosystem (Node,
    /// Python, Go, Rust, Ruby, PHP, Maven, Gradle), across stages (`FROM base` chains) and
    /// through `RUN --mount=type=bind`. A build step (`cargo build`, `go build`,
    /// `mvn package`, `gradle build`) needs the sources and is reported only when no
    /// dependency-only step of its ecosystem runs before it. Sources that name only
    /// manifests (`COPY package*.json ./`) are fine. A build step is not reported when the
    /// copy before it names single files (patches, configuration) rather than a source
    /// directory, or when a cache mount of its `RUN` keeps the downloaded dependencies
    /// (`--mount=type=cache,target=/usr/local/cargo/registry`). Neither hadolint nor
    /// BuildKit has this check.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY . .
    /// RUN npm ci
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    /// COPY . .
    /// ```
    pub struct SourceCopiedBeforeDependencies {
        code: "DW3301",
        name: "source-copied-before-dependencies",
        category: Cache,
        severity: Warning,
    }
}

impl Check for SourceCopiedBeforeDependencies {
    fn check(cx: &mut Checker<'_>) {
        let options = &cx.model().options;
        let plan = BuildPlan::new(
            cx.doc(),
            &BuildOptions {
                build_args: options.build_args.clone(),
                target: options.target.clone(),
            },
        );
        let Ok(findings) = check_cache_order(&plan, None) else {
            return;
        };
        for finding in findings {
            let Some(inst) = cx.instructions().find(|i| {
                i.syntax.span().start <= finding.span.start
                    && finding.span.start < i.syntax.span().end
            }) else {
                continue;
            };
            if finding.work == DependencyWork::Build
                && (!copies_directory(&finding)
                    || inst
                        .run()
                        .is_some_and(|r| caches_dependencies(r, finding.ecosystem)))
            {
                continue;
            }
            let copy = cx.position(finding.copy_span.start);
            let what = if finding.example.is_empty() || !finding.example_is_file {
                "every source edit".to_string()
            } else {
                format!("an edit to `{}`", finding.example)
            };
            cx.report_instruction(
                &inst,
                format!(
                    "`{}` re-runs on {what}: line {} brings in more than the dependency manifests; {}",
                    finding.command, finding.copy_line, finding.fix
                ),
            )
            .add_evidence(format!(
                "line {}:{}: `{}` is copied before the install",
                copy.line, copy.column, finding.copy_source
            ));
        }
    }
}

/// Whether the copy that brings in the sources takes a whole directory (`.`, `src/`), as
/// opposed to a list of named files (patches, configs) that are no project sources.
fn copies_directory(finding: &CacheOrderFinding) -> bool {
    let source = finding.copy_source.trim_end_matches('/');
    let last = source.rsplit('/').next().unwrap_or(source);
    source.is_empty() || source == "." || finding.copy_source.ends_with('/') || !last.contains('.')
}

/// Whether a cache mount of the RUN keeps the ecosystem's downloaded dependencies between
/// builds, so a build step that fetches them does not download them again.
fn caches_dependencies(run: &RunFacts, ecosystem: Ecosystem) -> bool {
    let markers: &[&str] = match ecosystem {
        Ecosystem::Rust => &["cargo"],
        Ecosystem::Go => &["/go/pkg/mod", "go-build", "gomod", "go/pkg"],
        Ecosystem::Maven => &[".m2"],
        Ecosystem::Gradle => &[".gradle"],
        Ecosystem::Node => &["npm", "yarn", "pnpm"],
        Ecosystem::Python => &["pip", "uv", "pypoetry"],
        Ecosystem::Ruby => &["bundle", "gem"],
        Ecosystem::Php => &["composer"],
    };
    run.mounts.iter().any(|m| {
        m.mount.kind == MountType::Cache
            && m.mount
                .target
                .as_deref()
                .is_some_and(|t| markers.iter().any(|k| t.contains(k)))
    })
}
