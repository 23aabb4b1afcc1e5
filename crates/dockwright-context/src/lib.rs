//! The build context: `.dockerignore` with BuildKit's exact semantics, the context walk,
//! COPY/ADD source resolution and the ignore-file generator.
//!
//! - [`Dockerignore`] reads an ignore file exactly as BuildKit does (`ignorefile.ReadAll`) and
//!   decides whether a path is excluded ([`Dockerignore::decide`]: the documented semantics,
//!   a pattern hits a path or an ancestor and the last hit wins; [`Dockerignore::decide_in_walk`]:
//!   what a context transfer really does). [`ignore_file_for_build`] picks
//!   `<Dockerfile>.dockerignore` over `<context>/.dockerignore`.
//! - [`PatternMatcher`] is moby/patternmatcher v0.6.1: classification into exact, prefix,
//!   suffix and regular-expression patterns, lazy errors, `MatchesUsingParentResults`.
//! - [`walk_context`] walks a context like BuildKit's file sync (fsutil), in parallel, and
//!   returns every sent entry ([`ContextWalk`]), what the ignore file kept out and, on request,
//!   SHA-256 digests; [`ContextReport`] summarises it.
//! - [`ContextIndex`] resolves `COPY`/`ADD` sources ([`CopySource`]) against a walk.
//! - [`suggest_dockerignore`] proposes an ignore file that keeps what the sources need.
//!
//! With a Dockerfile:
//!
//! - [`plan::BuildPlan`] dispatches a parsed Dockerfile as BuildKit does: stages (bases,
//!   `COPY --from`/`--mount from=` edges, what the target needs) and per instruction the kind
//!   of build step, its expanded definition, its `RUN` environment, the context paths it
//!   reads and where it writes.
//! - [`cache::predict`] simulates BuildKit's cache keys for the build the cache holds and for
//!   a changed one (context paths, build args, images, an older Dockerfile) and says which
//!   steps are rebuilt and why ([`cache::CachePrediction`]); the module documents the rules
//!   and where buildah differs.
//! - [`cache_order::check_cache_order`]: dependency steps that an edit to an ordinary source
//!   file rebuilds.
//! - [`findings`]: sources the ignore file excludes, secrets copied, large content nothing
//!   uses, files copied twice; [`findings::DockerfileAnalysis`] bundles them for reports.
//! - [`dependencies`]: dependency installs recognised in `RUN` scripts, manifests per
//!   ecosystem.

mod go_path;
pub mod go_regexp;

pub mod cache;
pub mod cache_order;
pub mod copy_source;
pub mod dependencies;
pub mod findings;
pub mod ignore_file;
pub mod pattern;
pub mod plan;
pub mod report;
pub mod suggest;
pub mod walk;

pub use copy_source::{ContextIndex, CopiedFile, CopySource, IgnoredBy, SourceResolution};
pub use go_path::clean as clean_path;
pub use ignore_file::{Dockerignore, IgnoreFileError, IgnoreLine, ignore_file_for_build};
pub use pattern::{Decision, MatchInfo, Pattern, PatternError, PatternKind, PatternMatcher};
pub use report::{ContextReport, ReportSources};
pub use suggest::{
    BuildInstalls, IgnoreSuggestion, KeptForCopy, RuleCategory, SuggestInput, SuggestedRule,
    suggest_dockerignore, write_atomically,
};
pub use walk::{
    ContextEntry, ContextWalk, DirTotals, EntryKind, ExcludedItem, ExcludedScan, HashStats,
    WalkError, WalkOptions, WalkWarning, walk_context,
};
