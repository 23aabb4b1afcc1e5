//! `dockwright optimize`: rewrites a Dockerfile for a smaller image and cheaper rebuilds, and
//! explains each change.
//!
//! The rewrite works on the lossless syntax tree (instructions that survive are copied byte
//! for byte, with their comments), the stage model (which stage becomes the image, its
//! working directory and command) and the shell model (what each `RUN` command does). It
//! never edits raw text by pattern.
//!
//! What it does, when it can show the rewrite keeps the image's behaviour:
//! - a final stage that builds (compilers, `-dev` packages, `go build`, `cargo build`, `mvn
//!   package`, `npm run build`, `pip install .`) becomes a builder stage and a runtime stage
//!   on the same base (or the `-runtime` twin of a `-devel` base), and the runtime gets only
//!   what the command needs: build outputs the command names, the installed Python packages,
//!   the production `node_modules` and build output of a Next.js app;
//! - dependency manifests and lock files are copied, and dependencies installed, before the
//!   source (pip requirements, npm, yarn, pnpm, Go modules, Cargo with a stub target);
//! - apt installs become one layer with the index update, `--no-install-recommends` in the
//!   runtime, and the lists removed (or cache mounts with `--buildkit`);
//! - in the stage that becomes the image, the other package managers leave no cache in the
//!   layer: `apk add --no-cache`, `dnf`/`yum`/`microdnf clean all`, `zypper clean --all`,
//!   `pip install --no-cache-dir`, `npm cache clean --force`, `yarn cache clean` (the lint
//!   rules' fixes; apk's in build stages too), and their installs answer yes; with
//!   `--buildkit`, pip, npm and Go's build cache go on cache mounts instead;
//! - shell-form `CMD`/`ENTRYPOINT` in exec form when the command is a plain word list;
//! - a non-root `USER` when none is set and the command needs no privileged port.
//!
//! What it cannot show safe becomes a [`Proposal`].

mod analyze;
mod emit;
mod explain;
mod hygiene;
mod pin;

use std::path::Path;

use serde::Serialize;

pub use analyze::Ecosystem;
pub use pin::{Pinned, pin_digests};

/// What to optimize and how.
#[derive(Debug, Clone, Default)]
pub struct OptimizeOptions {
    /// Use BuildKit features: cache mounts for package managers and the
    /// `# syntax=docker/dockerfile:1` directive.
    pub buildkit: bool,
}

/// The input: a Dockerfile and the build context it is built in.
#[derive(Debug, Clone, Copy)]
pub struct OptimizeInput<'a> {
    /// The Dockerfile's text.
    pub source: &'a str,
    /// The build context directory (manifests, lock files and the ignore file are read from
    /// it), when there is one.
    pub context: Option<&'a Path>,
    /// The Dockerfile's path, for the ignore file BuildKit pairs with it.
    pub dockerfile: Option<&'a Path>,
}

/// Why the Dockerfile could not be optimized.
#[derive(Debug, thiserror::Error)]
pub enum OptimizeError {
    /// The Dockerfile does not parse.
    #[error("{0}")]
    Parse(#[from] dockwright_syntax::ParseError),
    /// The rewritten Dockerfile does not parse: a bug, reported rather than written.
    #[error("the optimized Dockerfile does not parse ({0}); nothing was written")]
    Rewrite(String),
}

/// A rule finding on the original that a change resolves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleRef {
    /// The rule code (`DW2001`, or an optimizer rewrite id `OPT...`).
    pub code: String,
    /// The rule name.
    pub name: String,
    /// The line of the original the finding is on.
    pub line: usize,
}

/// One change made.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// What kind of rewrite.
    pub kind: ChangeKind,
    /// One line saying what changed.
    pub summary: String,
    /// Lines of the original Dockerfile it concerns.
    pub lines: Vec<usize>,
    /// Lint findings on those lines that the change resolves.
    pub rules: Vec<RuleRef>,
    /// What it is expected to save, from facts (cache model, known sizes).
    pub effect: String,
}

/// The kinds of rewrite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// The final stage split into builder and runtime.
    MultiStage,
    /// Manifests copied and dependencies installed before the source.
    DependenciesFirst,
    /// Package manager install in one layer, without recommends, lists removed.
    PackageHygiene,
    /// BuildKit cache mounts for package managers.
    CacheMount,
    /// `COPY --chown` instead of a later `RUN chown -R`.
    CopyChown,
    /// Shell-form command in exec form.
    ExecForm,
    /// A non-root user.
    NonRootUser,
    /// An ignore file for the context.
    IgnoreFile,
    /// A base image pinned by digest (`--pin-digests`).
    PinDigest,
}

/// A rewrite that was not applied because it could not be shown safe.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    /// What to do.
    pub summary: String,
    /// Why it was not done automatically.
    pub reason: String,
    /// Lines of the original it concerns.
    pub lines: Vec<usize>,
}

/// How many steps a source edit rebuilds, before and after, by the cache model.
#[derive(Debug, Clone, Serialize)]
pub struct RebuildComparison {
    /// The context file taken as the edited source file.
    pub edited: String,
    /// Steps (RUN, COPY, ADD, WORKDIR) the original rebuilds.
    pub original_rebuilt: usize,
    /// The RUN steps among them.
    pub original_rebuilt_runs: Vec<String>,
    /// Steps the optimized Dockerfile rebuilds (the stages the target needs).
    pub optimized_rebuilt: usize,
    /// The RUN steps among them.
    pub optimized_rebuilt_runs: Vec<String>,
}

/// An ignore file proposed for the context (none exists).
#[derive(Debug, Clone, Serialize)]
pub struct IgnoreProposal {
    /// Its full text.
    pub text: String,
    /// Files it keeps out of the context.
    pub files: u64,
    /// Bytes it keeps out.
    pub bytes: u64,
}

/// The result: the optimized Dockerfile and the report.
#[derive(Debug, Clone, Serialize)]
pub struct Optimized {
    /// The optimized Dockerfile.
    pub dockerfile: String,
    /// Whether it differs from the input.
    pub changed: bool,
    /// The changes made, in file order.
    pub changes: Vec<Change>,
    /// What was not done, and why.
    pub proposals: Vec<Proposal>,
    /// The cache model's reading of a source edit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuild: Option<RebuildComparison>,
    /// An ignore file, when the context has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore_file: Option<IgnoreProposal>,
}

/// Optimizes a Dockerfile (see the crate documentation).
pub fn optimize(
    input: &OptimizeInput<'_>,
    options: &OptimizeOptions,
) -> Result<Optimized, OptimizeError> {
    let doc = dockwright_syntax::parse(input.source)?;
    let project = analyze::ProjectFiles::new(input.context);
    let plan = analyze::analyze(&doc, &project);
    let mut rewrite = emit::rewrite(&doc, &plan, &project, options);
    let (output, hygiene) = hygiene::apply(
        input.source,
        std::mem::take(&mut rewrite.text),
        options.buildkit,
    );
    rewrite.changes.extend(hygiene);
    rewrite
        .proposals
        .extend(explain::merge_runs_proposal(&output));
    if output != input.source {
        dockwright_syntax::parse(&output).map_err(|e| OptimizeError::Rewrite(e.to_string()))?;
    }
    explain::attach_rules(input.source, &mut rewrite.changes);
    let rebuild = explain::rebuild_comparison(input.source, &output, &project);
    if let Some(rebuild) = &rebuild {
        for change in &mut rewrite.changes {
            if change.kind == ChangeKind::DependenciesFirst && change.effect.is_empty() {
                change.effect = format!(
                    "an edit of {} rebuilds these RUN steps: before: {}; after: {} (cache model)",
                    rebuild.edited,
                    rebuild.original_rebuilt_runs.join(" | "),
                    rebuild.optimized_rebuilt_runs.join(" | "),
                );
            }
        }
    }
    let ignore_file = explain::ignore_file(input, &output);
    if let Some(ignore) = &ignore_file {
        rewrite.changes.push(Change {
            kind: ChangeKind::IgnoreFile,
            summary: "an ignore file for the build context (there is none)".into(),
            lines: Vec::new(),
            rules: Vec::new(),
            effect: format!(
                "{} file(s), {} byte(s) no longer sent to the builder",
                ignore.files, ignore.bytes
            ),
        });
    }
    Ok(Optimized {
        changed: output != input.source,
        dockerfile: output,
        changes: rewrite.changes,
        proposals: rewrite.proposals,
        rebuild,
        ignore_file,
    })
}
