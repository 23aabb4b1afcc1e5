//! Building Dockerfiles with a real builder, and proving an optimization with the figures.
//!
//! - [`Builder`] finds and drives buildah (the default: `bud --isolation chroot --layers` on
//!   the vfs storage driver, no daemon needed), podman or docker: it builds and times a
//!   Dockerfile, reports per step whether it came from cache ([`log`]), reads the image's size,
//!   layer count and run-time configuration ([`inspect`]), exports it as a docker archive or
//!   OCI layout for `dockwright image`/`dockwright diff`, and removes what it made.
//! - [`touch`] chooses the source file a rebuild measurement edits and edits it in a way every
//!   cache notices, then restores it; [`copied`] lists what a Dockerfile copies from its
//!   context.
//! - [`bench`] runs the comparison behind `dockwright bench`: cold build, rebuild after an
//!   edit, size and layers, for an original and an optimized Dockerfile.

pub mod bench;
pub mod builder;
pub mod copied;
mod error;
pub mod inspect;
pub mod log;
pub mod touch;

pub use bench::{BenchObserver, BenchPlan, BenchReport, Phase, Side, SideReport, run_bench};
pub use builder::{
    BuildRequest, BuildRun, Builder, BuilderChoice, BuilderInfo, BuilderKind, ExportFormat,
};
pub use error::BuildError;
pub use inspect::{ImageConfig, ImageFacts};
pub use log::{BuildStep, LogDialect, LogReader, ParsedLog, StepOutcome, parse_log};
pub use touch::TouchChoice;
