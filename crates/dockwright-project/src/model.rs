//! What discovery finds: build definitions, the Dockerfiles they use, image-only services and
//! the problems met on the way. Every type serialises to the JSON of `dockwright discover`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::inline::InlineDockerfile;

/// A place in a file: the file relative to the discovery root, 1-based line and column
/// (characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// The file, relative to the discovery root.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Location {
    /// Line 1, column 1 of `file`.
    pub fn file_start(file: impl Into<PathBuf>) -> Self {
        Location {
            file: file.into(),
            line: 1,
            column: 1,
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// What kind of file defines a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DefinitionKind {
    /// A Dockerfile that nothing else builds: built on its own, context = its directory.
    Dockerfile,
    /// A service's `build:` in a compose file.
    Compose,
    /// An OpenShift `BuildConfig` with the Docker strategy.
    OpenshiftBuildConfig,
    /// A Tekton `Pipeline`/`TaskRun`/`PipelineRun` running a buildah/kaniko-style task.
    Tekton,
    /// A Shipwright `Build`.
    Shipwright,
    /// An artifact of a Skaffold configuration.
    Skaffold,
    /// A GitHub Actions step using `docker/build-push-action`.
    GithubActions,
    /// A `docker build`/`podman build`/`buildah bud` command line in a CI script.
    CiCommand,
    /// A docker-bake target.
    Bake,
}

impl DefinitionKind {
    /// The kebab-case name used in JSON and on the terminal.
    pub fn as_str(self) -> &'static str {
        match self {
            DefinitionKind::Dockerfile => "dockerfile",
            DefinitionKind::Compose => "compose",
            DefinitionKind::OpenshiftBuildConfig => "openshift-build-config",
            DefinitionKind::Tekton => "tekton",
            DefinitionKind::Shipwright => "shipwright",
            DefinitionKind::Skaffold => "skaffold",
            DefinitionKind::GithubActions => "github-actions",
            DefinitionKind::CiCommand => "ci-command",
            DefinitionKind::Bake => "bake",
        }
    }
}

/// Where the Dockerfile of a build comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum DockerfileSource {
    /// A file in this tree (relative to the discovery root unless it is absolute and
    /// outside it).
    Path {
        /// The Dockerfile.
        path: PathBuf,
        /// Whether the file exists.
        exists: bool,
    },
    /// A Dockerfile written inside the defining file, with its position map.
    Inline(InlineDockerfile),
    /// A Dockerfile inside a remote context (a Git repository or tarball URL) that is not
    /// checked out here.
    Remote {
        /// The context URL.
        url: String,
        /// The Dockerfile path inside it.
        path: String,
    },
}

impl DockerfileSource {
    /// The local Dockerfile path, if the Dockerfile is a file here.
    pub fn path(&self) -> Option<&Path> {
        match self {
            DockerfileSource::Path { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The inline Dockerfile, if it is one.
    pub fn inline(&self) -> Option<&InlineDockerfile> {
        match self {
            DockerfileSource::Inline(inline) => Some(inline),
            _ => None,
        }
    }
}

/// The build context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum BuildContext {
    /// A directory in this tree (relative to the discovery root).
    Directory {
        /// The context directory.
        path: PathBuf,
    },
    /// A remote context: a Git repository or a tarball URL.
    Remote {
        /// The URL (with any `#ref` as written).
        url: String,
        /// The subdirectory of the repository that is the context, if any.
        subdir: Option<String>,
        /// The same directory in this checkout, when the definition lives in the repository
        /// it builds and the directory exists here.
        local: Option<PathBuf>,
    },
    /// No context at all (an OpenShift build whose only source is the inline Dockerfile).
    None,
}

impl BuildContext {
    /// The local directory to analyse as the context, if there is one.
    pub fn local_dir(&self) -> Option<&Path> {
        match self {
            BuildContext::Directory { path } => Some(path),
            BuildContext::Remote { local, .. } => local.as_deref(),
            BuildContext::None => None,
        }
    }
}

/// A `--build-arg`: a value, or none to take it from the environment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct BuildArg {
    /// The ARG name.
    pub name: String,
    /// The value; `None` when the definition passes the variable through from the
    /// environment.
    pub value: Option<String>,
}

/// A named build context (`--build-context NAME=VALUE`, compose `additional_contexts`,
/// bake `contexts`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct NamedContext {
    /// The name the Dockerfile uses (`FROM name`, `COPY --from=name`).
    pub name: String,
    /// A directory, `docker-image://…`, `target:…`, URL, as written.
    pub value: String,
}

/// One container build, and where it was defined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildDefinition {
    /// A unique, stable identifier: `FILE#NAME` (with the matrix values for matrix builds),
    /// or the Dockerfile path for a standalone Dockerfile.
    pub id: String,
    /// What defines it.
    pub kind: DefinitionKind,
    /// The service, target, BuildConfig, or `job/step` name.
    pub name: Option<String>,
    /// Where it is defined (the service key, target block, step, command line…).
    pub origin: Location,
    /// Other definitions of exactly the same build (merged into this one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_defined_at: Vec<DefinitionRef>,
    /// The Dockerfile.
    pub dockerfile: DockerfileSource,
    /// The build context.
    pub context: BuildContext,
    /// The stage to build (`--target`); `None` builds the last stage.
    pub target: Option<String>,
    /// Build arguments, in definition order.
    pub args: Vec<BuildArg>,
    /// Cache sources (`--cache-from`), as written.
    pub cache_from: Vec<String>,
    /// Target platforms.
    pub platforms: Vec<String>,
    /// Named build contexts.
    pub additional_contexts: Vec<NamedContext>,
    /// An image that replaces the Dockerfile's base image (OpenShift `dockerStrategy.from`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_image: Option<String>,
    /// Image names the result is tagged or pushed as.
    pub tags: Vec<String>,
    /// Matrix values this build was expanded with (GitHub Actions `strategy.matrix`, bake
    /// `matrix`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub matrix: BTreeMap<String, String>,
    /// The bake groups that include this target.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
}

impl BuildDefinition {
    /// A build of `dockerfile` in `context`, everything else empty.
    pub fn new(
        kind: DefinitionKind,
        origin: Location,
        dockerfile: DockerfileSource,
        context: BuildContext,
    ) -> Self {
        BuildDefinition {
            id: String::new(),
            kind,
            name: None,
            origin,
            also_defined_at: Vec::new(),
            dockerfile,
            context,
            target: None,
            args: Vec::new(),
            cache_from: Vec::new(),
            platforms: Vec::new(),
            additional_contexts: Vec::new(),
            base_image: None,
            tags: Vec::new(),
            matrix: BTreeMap::new(),
            groups: Vec::new(),
        }
    }

    /// Sets the value of build argument `name` (replacing an earlier one).
    pub fn set_arg(&mut self, name: impl Into<String>, value: Option<String>) {
        let name = name.into();
        match self.args.iter_mut().find(|a| a.name == name) {
            Some(arg) => arg.value = value,
            None => self.args.push(BuildArg { name, value }),
        }
    }

    /// The value of build argument `name`, if it is given one.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|a| a.name == name)
            .and_then(|a| a.value.as_deref())
    }
}

/// Another definition of a build (a duplicate merged into the first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefinitionRef {
    /// What defines it.
    pub kind: DefinitionKind,
    /// Its service, target or step name.
    pub name: Option<String>,
    /// Where.
    pub origin: Location,
}

/// A service that runs a prebuilt image and builds nothing (compose `image:` without
/// `build:`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageReference {
    /// Where the service is defined.
    pub origin: Location,
    /// The service name.
    pub service: String,
    /// The image reference.
    pub image: String,
}

/// A stage of a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// 0-based index.
    pub index: usize,
    /// The name after `AS`, if any (as written).
    pub name: Option<String>,
    /// 1-based line of its `FROM`.
    pub line: usize,
}

/// A Dockerfile of the tree and every build that uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DockerfileUsage {
    /// The Dockerfile, relative to the discovery root.
    pub path: PathBuf,
    /// Whether the file exists (a definition may name a missing one).
    pub exists: bool,
    /// Whether some definition other than the file itself builds it (`false`: it is only
    /// built standalone).
    pub referenced: bool,
    /// Ids of the builds that use it.
    pub builds: Vec<String>,
    /// The distinct targets built from it (`null`: the default, last stage).
    pub targets: Vec<Option<String>>,
    /// Its stages (empty if it could not be parsed).
    pub stages: Vec<Stage>,
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// The file could not be read as a build definition; its builds are missing.
    Error,
    /// Something is off (a missing Dockerfile, an unset variable, a construct not followed)
    /// but discovery went on.
    Warning,
}

/// Something discovery could not read or resolve.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    /// Where.
    pub location: Location,
    /// How bad.
    pub severity: Severity,
    /// What.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {severity}: {}", self.location, self.message)
    }
}

/// Everything found under a directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Discovery {
    /// Version of this JSON shape.
    pub version: u32,
    /// The directory searched, as given.
    pub root: PathBuf,
    /// How many candidate files were read.
    pub files_scanned: usize,
    /// Every build, sorted by origin.
    pub builds: Vec<BuildDefinition>,
    /// Every local Dockerfile (found or referenced), sorted by path, with the builds using it.
    pub dockerfiles: Vec<DockerfileUsage>,
    /// Services that only run a prebuilt image.
    pub images: Vec<ImageReference>,
    /// What could not be read or resolved, sorted by location.
    pub problems: Vec<Problem>,
}

impl Discovery {
    /// The build with this id.
    pub fn build(&self, id: &str) -> Option<&BuildDefinition> {
        self.builds.iter().find(|b| b.id == id)
    }

    /// Builds whose Dockerfile is `path` (relative to the root): the variants and targets of
    /// one file.
    pub fn builds_of<'a>(
        &'a self,
        path: &'a Path,
    ) -> impl Iterator<Item = &'a BuildDefinition> + 'a {
        self.builds
            .iter()
            .filter(move |b| b.dockerfile.path() == Some(path))
    }

    /// Dockerfiles that no definition references (each is built standalone).
    pub fn unreferenced_dockerfiles(&self) -> impl Iterator<Item = &DockerfileUsage> + '_ {
        self.dockerfiles.iter().filter(|d| !d.referenced)
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}
