//! What can go wrong when building and measuring images.

use std::path::PathBuf;

/// A build, inspection, export or touch that failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// No usable builder on this machine.
    #[error(
        "no container builder is available: {tried}\n\
         install buildah (Debian/Ubuntu: `apt-get install buildah`; it needs no daemon), or start \
         a docker or podman that works for this user"
    )]
    NoBuilder {
        /// What was tried and why each was rejected.
        tried: String,
    },
    /// The chosen builder is not there or does not work.
    #[error("{builder} is not usable: {reason}")]
    Unusable {
        /// `buildah`, `podman`, `docker`.
        builder: String,
        /// Why.
        reason: String,
    },
    /// The builder could not be started.
    #[error("cannot run {program}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The build failed.
    #[error(
        "building {dockerfile} failed (exit status {status}); the builder's last lines:\n{tail}"
    )]
    BuildFailed {
        /// The Dockerfile.
        dockerfile: PathBuf,
        /// The builder's exit status.
        status: String,
        /// The last lines of its output.
        tail: String,
        /// Images the build made before it failed, newest first (for cleanup).
        made_images: Vec<String>,
    },
    /// A builder command other than the build failed.
    #[error("`{command}` failed: {message}")]
    Command {
        /// The command line.
        command: String,
        /// Its standard error.
        message: String,
    },
    /// The builder's inspect output could not be read.
    #[error("cannot read the builder's image description: {0}")]
    Inspect(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The Dockerfile does not parse.
    #[error("{path}: {message}")]
    Dockerfile {
        /// The Dockerfile.
        path: PathBuf,
        /// The parser's message, with its position.
        message: String,
    },
    /// The bench plan cannot work as given.
    #[error("{0}")]
    Plan(String),
    /// Nothing suitable to touch for the rebuild measurement.
    #[error("{0}")]
    NothingToTouch(String),
}

impl BuildError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> BuildError {
        BuildError::Io {
            path: path.into(),
            source,
        }
    }
}
