//! The facts the model records: stages, their bases and image configuration, the stage
//! graph's edges, and per instruction what it sees.

use std::ops::Range;

use dockwright_syntax::Span;
use dockwright_syntax::scope::ResolvedArg;
use serde::Serialize;

use crate::reference::ImageReference;
use crate::run::RunFacts;

/// One build stage: a `FROM` and the instructions up to the next one.
#[derive(Debug, Clone, Serialize)]
pub struct Stage {
    /// Position among the stages (what `COPY --from=0` names).
    pub index: usize,
    /// The name after `AS`, as written (BuildKit matches it case-insensitively).
    pub name: Option<String>,
    /// Where the name is written.
    pub name_span: Option<Span>,
    /// The `FROM` instruction (index into the Dockerfile's instructions).
    pub from_instruction: usize,
    /// The stage's instructions, `FROM` included.
    pub instructions: Range<usize>,
    /// What the stage is built on.
    pub base: StageBase,
    /// `FROM --platform=...`, when written.
    pub platform: Option<PlatformFact>,
    /// The image configuration at the end of the stage, inherited from a base stage and
    /// changed by this stage's instructions.
    pub config: ImageConfig,
    /// This stage's own `CMD` instructions, in order.
    pub cmds: Vec<usize>,
    /// This stage's own `ENTRYPOINT` instructions, in order.
    pub entrypoints: Vec<usize>,
    /// This stage's own `HEALTHCHECK` instructions, in order.
    pub healthchecks: Vec<usize>,
    /// This stage's own `USER` instructions, in order.
    pub users: Vec<usize>,
    /// ARGs declared in this stage, in order.
    pub args_declared: Vec<ArgFact>,
    /// Names of ARGs (declared in this stage or inherited from its base stage) that the
    /// stage's instructions reference, RUN scripts included, each once.
    pub args_used: Vec<String>,
    /// Whether building the target needs this stage (it is the target or reachable from it
    /// through `FROM`, `COPY --from` and `RUN --mount=from=` edges).
    pub needed: bool,
}

impl Stage {
    /// The name BuildKit knows the stage by (lower case).
    pub fn lowercase_name(&self) -> Option<String> {
        self.name.as_deref().map(str::to_lowercase)
    }

    /// Whether an instruction belongs to this stage.
    pub fn contains(&self, instruction: usize) -> bool {
        self.instructions.contains(&instruction)
    }

    /// The stage this one is built on, when it is built on a stage.
    pub fn base_stage(&self) -> Option<usize> {
        match self.base {
            StageBase::Stage(index) => Some(index),
            _ => None,
        }
    }
}

/// What a stage is built on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum StageBase {
    /// `FROM scratch`.
    Scratch,
    /// An earlier stage, by index.
    Stage(usize),
    /// An image from a registry.
    Image(BaseImage),
}

/// The image a `FROM` names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseImage {
    /// As written (`${BASE}`, `python:3.12`).
    pub written: String,
    /// After ARG expansion in the global scope.
    pub expanded: String,
    /// Where it is written.
    pub span: Span,
    /// Variables the name references that have no value (so `expanded` is not the real name).
    pub unresolved: Vec<String>,
    /// The parsed reference, when `expanded` is one.
    pub reference: Option<ImageReference>,
}

impl BaseImage {
    /// Whether the name is fully known: no unresolved variable and a valid reference.
    pub fn is_resolved(&self) -> bool {
        self.unresolved.is_empty() && self.reference.is_some()
    }
}

/// `FROM --platform=...`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformFact {
    /// As written.
    pub written: String,
    /// After expansion in the global scope.
    pub expanded: String,
    /// The whole flag in the file.
    pub span: Span,
    /// Variables it references (`BUILDPLATFORM`, `TARGETPLATFORM`, ...).
    pub references: Vec<String>,
}

/// The parts of an image configuration a Dockerfile sets, as the end of a stage leaves them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageConfig {
    /// The last `USER`, unless the base image sets one the Dockerfile does not show.
    pub user: Option<UserFact>,
    /// The working directory, absolute; `None` when it depends on a base image's config
    /// (an image's `WorkingDir` is not known from the Dockerfile).
    pub workdir: Option<String>,
    /// The `SHELL` in effect (index into [`crate::Model::shells`]).
    pub shell: usize,
    /// The `CMD` in effect (instruction index).
    pub cmd: Option<usize>,
    /// The `ENTRYPOINT` in effect (instruction index).
    pub entrypoint: Option<usize>,
    /// The `HEALTHCHECK` in effect (instruction index).
    pub healthcheck: Option<usize>,
    /// Every exposed port.
    pub exposes: Vec<PortFact>,
}

/// A `USER` instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserFact {
    /// The instruction (possibly in a base stage).
    pub instruction: usize,
    /// The argument as written.
    pub written: String,
    /// After expansion.
    pub value: String,
    /// The user part (before `:`).
    pub user: String,
    /// The group part (after `:`).
    pub group: Option<String>,
    /// `root` or uid `0`.
    pub is_root: bool,
    /// Whether the value references a variable that has no value.
    pub unresolved: bool,
}

/// One `EXPOSE` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortFact {
    /// The instruction.
    pub instruction: usize,
    /// As written.
    pub written: String,
    /// After expansion.
    pub value: String,
    /// Where it is written.
    pub span: Span,
}

/// One ARG declaration with the value it gets in this build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArgFact {
    /// The ARG instruction.
    pub instruction: usize,
    /// Where the name is written.
    pub span: Span,
    /// The default as written.
    pub default: Option<String>,
    /// Name, value and where the value came from.
    #[serde(flatten)]
    pub resolved: ResolvedArg,
}

/// How a stage depends on something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DependencyKind {
    /// `FROM base`.
    Base,
    /// `COPY --from=` / `ADD --from=`.
    CopyFrom,
    /// `RUN --mount=from=`.
    MountFrom,
}

/// What a dependency resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum DependencySource {
    /// A stage of this Dockerfile, by index.
    Stage(usize),
    /// An image (or named build context) that is no stage; the parsed reference when valid.
    Image(Option<ImageReference>),
    /// `scratch` (for `FROM scratch`).
    Scratch,
    /// A variable without a value made the name unknown.
    Unresolved,
}

/// One edge of the stage graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    /// The stage that depends.
    pub stage: usize,
    /// The instruction that makes the edge.
    pub instruction: usize,
    /// How.
    pub kind: DependencyKind,
    /// The name as written.
    pub written: String,
    /// After expansion.
    pub expanded: String,
    /// What it names.
    pub source: DependencySource,
    /// Where the name (or the flag) is written.
    pub span: Span,
}

impl Dependency {
    /// Whether it names a stage that comes later in the file (or the stage itself), which
    /// `COPY --from` allows but hadolint and readers do not expect.
    pub fn is_forward(&self) -> bool {
        matches!(self.source, DependencySource::Stage(s) if s >= self.stage)
    }
}

/// What one instruction sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstructionFacts {
    /// Its stage (`None` before the first `FROM`).
    pub stage: Option<usize>,
    /// The environment it is expanded in (index into [`crate::Model::envs`]).
    pub env: usize,
    /// The `SHELL` in effect (index into [`crate::Model::shells`]).
    pub shell: usize,
    /// The working directory in effect, when known.
    pub workdir: Option<String>,
    /// The `USER` in effect, when the Dockerfile sets one.
    pub user: Option<String>,
    /// For RUN, and for ONBUILD RUN: mounts and scripts.
    pub run: Option<RunFacts>,
    /// Whether the facts describe an ONBUILD trigger (which runs in a child build).
    pub onbuild: bool,
}

/// Something BuildKit would reject, found while building the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelError {
    /// The instruction, when there is one.
    pub instruction: Option<usize>,
    /// What is wrong.
    pub message: String,
}
