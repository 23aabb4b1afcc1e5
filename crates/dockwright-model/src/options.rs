//! The build options that change what a Dockerfile means: `--build-arg`, `--target`,
//! `--platform`.

use std::collections::BTreeMap;

use dockwright_syntax::scope::Platform;
use serde::Serialize;

/// `docker build` options the model honours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildOptions {
    /// `--build-arg NAME=VALUE`.
    pub build_args: BTreeMap<String, String>,
    /// `--target STAGE`; the last stage when `None`.
    pub target: Option<String>,
    /// `--platform`: the platform built for.
    pub platform: Platform,
    /// The platform the build runs on (`BUILDPLATFORM`).
    pub build_platform: Platform,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            build_args: BTreeMap::new(),
            target: None,
            platform: Platform::new("linux", "amd64"),
            build_platform: Platform::new("linux", "amd64"),
        }
    }
}

impl BuildOptions {
    /// Adds a `--build-arg`.
    pub fn with_build_arg(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.build_args.insert(name.into(), value.into());
        self
    }

    /// Sets `--target`.
    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }
}
