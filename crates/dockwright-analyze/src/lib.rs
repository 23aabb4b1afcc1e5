//! `dockwright analyze`: the whole report for a repository. Discovery finds every build
//! (Dockerfiles, compose, OpenShift, CI, bake); per Dockerfile the lint rules run once per
//! distinct target, the stage graph is drawn; per build the context is walked (what each
//! `COPY` pulls in, a suggested `.dockerignore`) and the cache model says what a source edit
//! or a per-build argument rebuilds; with an image, its layers and findings join in. Every
//! finding gets a group (size, cache, security, correctness, reproducibility, style), a
//! priority and the facts behind it; impacts are computed from those facts, never estimated.
//!
//! [`AnalysisReport`] is the serde struct the JSON output prints; [`render`] turns it into
//! terminal text, markdown and a self-contained HTML page. [`graph::StageGraph`] is also what
//! `dockwright stages` prints.
//!
//! ```no_run
//! use dockwright_analyze::{AnalyzeOptions, analyze, render};
//! use dockwright_rules::{Linter, Settings};
//!
//! let linter = Linter::new(Settings::default()).with_shellcheck(false);
//! let report = analyze(
//!     "examples/ml-transcriber".as_ref(),
//!     &AnalyzeOptions {
//!         discover: Default::default(),
//!         linter: &linter,
//!         image: None,
//!         optimizer: None,
//!         progress: None,
//!     },
//! )?;
//! print!("{}", render::markdown(&report));
//! # Ok::<(), dockwright_analyze::AnalyzeError>(())
//! ```

mod analyze;
pub mod graph;
pub mod lines;
pub mod render;
pub mod report;

pub use analyze::{AnalyzeError, AnalyzeOptions, Optimizer, Progress, analyze, stage_graphs};
pub use dockwright_model::BuildOptions as ModelOptions;
pub use report::*;

/// Opt-in rules `analyze` runs in addition to the user's selection: a full report names
/// them (at low priority) where `lint` stays quiet by default. A rule the user's
/// configuration ignores stays off (`ignore` wins over `extend-select`).
pub const ANALYZE_RULES: &[&str] = &["DW4401"];

/// `options` with [`ANALYZE_RULES`] added to its `extend-select`.
pub fn with_analyze_rules(mut options: dockwright_rules::Options) -> dockwright_rules::Options {
    options
        .extend_select
        .get_or_insert_with(Vec::new)
        .extend(ANALYZE_RULES.iter().map(|c| (*c).to_owned()));
    options
}
