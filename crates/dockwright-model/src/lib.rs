//! What a Dockerfile builds, as facts rules and rewrites can rely on: the stages and what
//! each is built on, the stage graph (`FROM`, `COPY --from`, `RUN --mount=from=`), which stage
//! is the target and which stages it needs, the environment every instruction sees (BuildKit's
//! ARG/ENV scoping), and per stage its shell, user, working directory, ports, commands and
//! ARGs, plus per RUN its mounts and the scripts it hands to a shell.
//!
//! ```
//! use dockwright_model::{BuildOptions, Model, StageBase};
//!
//! let doc = dockwright_syntax::parse(
//!     "ARG BASE=golang:1.22\nFROM ${BASE} AS build\nWORKDIR /src\nRUN go build -o /app\n\
//!      FROM scratch\nCOPY --from=build /app /app\nUSER 65534\n",
//! )?;
//! let model = Model::build(&doc, &BuildOptions::default());
//! let StageBase::Image(base) = &model.stages[0].base else { panic!() };
//! assert_eq!(base.expanded, "golang:1.22");
//! assert_eq!(model.target, Some(1));
//! assert!(model.stages[0].needed, "the final stage copies from `build`");
//! assert_eq!(model.stages[0].config.workdir.as_deref(), Some("/src"));
//! assert!(!model.stages[1].config.user.as_ref().unwrap().is_root);
//! # Ok::<(), dockwright_syntax::ParseError>(())
//! ```
//!
//! The model never fails: what BuildKit would reject (an unknown `--target`, a variable that
//! does not expand) is recorded in [`Model::errors`] or left unresolved, and the rest is
//! still there.

mod effects;
mod options;
pub mod path;
mod reference;
mod run;
mod stage;
mod walk;

pub use dockwright_shell;
use dockwright_syntax::expand::{ExpandError, Expansion, Lexer, Variables};
use serde::Serialize;

pub use effects::{
    CacheUse, DownloadFact, PackageUse, RemovedFact, RunEffects, cache_paths, cleaned_by, cleans,
};
pub use options::BuildOptions;
pub use reference::{DEFAULT_DOMAIN, ImageReference, ReferenceError};
pub use run::{MountFact, RunFacts, RunScript, ScriptOrigin, ShellKind};
pub use stage::{
    ArgFact, BaseImage, Dependency, DependencyKind, DependencySource, ImageConfig,
    InstructionFacts, ModelError, PlatformFact, PortFact, Stage, StageBase, UserFact,
};

/// The shell a stage starts with when nothing sets one: `/bin/sh -c` (Linux images).
pub const DEFAULT_SHELL: [&str; 2] = ["/bin/sh", "-c"];

/// Everything the model knows about one Dockerfile under one set of build options.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    /// The stages, in file order.
    pub stages: Vec<Stage>,
    /// ARGs declared before the first `FROM`.
    pub global_args: Vec<ArgFact>,
    /// Names of global ARGs that some `FROM` line references.
    pub global_args_used: Vec<String>,
    /// One entry per instruction of the Dockerfile, same order and index.
    pub instructions: Vec<InstructionFacts>,
    /// Every edge of the stage graph.
    pub dependencies: Vec<Dependency>,
    /// The stage the build produces: the `--target` stage, or the last one.
    pub target: Option<usize>,
    /// What BuildKit would reject while building the model, with the instruction.
    pub errors: Vec<ModelError>,
    /// Environments, referenced by index from [`InstructionFacts::env`].
    pub envs: Vec<Variables>,
    /// `SHELL` argument vectors, referenced by index from [`InstructionFacts::shell`].
    pub shells: Vec<Vec<String>>,
    /// The options the model was built with.
    pub options: BuildOptions,
    #[serde(skip)]
    lexer: Lexer,
}

impl Model {
    /// Builds the model of a parsed Dockerfile.
    pub fn build(doc: &dockwright_syntax::Dockerfile<'_>, options: &BuildOptions) -> Model {
        walk::build(doc, options)
    }

    /// The facts of instruction `index` (as in [`dockwright_syntax::Dockerfile::instructions`]).
    pub fn instruction(&self, index: usize) -> Option<&InstructionFacts> {
        self.instructions.get(index)
    }

    /// The stage an instruction belongs to (`None` before the first `FROM`).
    pub fn stage_of(&self, instruction: usize) -> Option<&Stage> {
        self.instructions
            .get(instruction)
            .and_then(|f| f.stage)
            .and_then(|s| self.stages.get(s))
    }

    /// The stage the build produces.
    pub fn target_stage(&self) -> Option<&Stage> {
        self.target.and_then(|t| self.stages.get(t))
    }

    /// Whether `stage` is the one the build produces (the image users run).
    pub fn is_final(&self, stage: usize) -> bool {
        self.target == Some(stage)
    }

    /// The stage BuildKit finds under `name` (stage names are case-insensitive), if any.
    pub fn stage_named(&self, name: &str) -> Option<&Stage> {
        let lower = name.to_lowercase();
        self.stages
            .iter()
            .rev()
            .find(|s| s.name.as_deref().is_some_and(|n| n.to_lowercase() == lower))
    }

    /// The environment instruction `index` is expanded in (and a RUN runs with).
    pub fn env_at(&self, index: usize) -> &Variables {
        static EMPTY: std::sync::OnceLock<Variables> = std::sync::OnceLock::new();
        self.instructions
            .get(index)
            .and_then(|f| self.envs.get(f.env))
            .unwrap_or_else(|| EMPTY.get_or_init(Variables::new))
    }

    /// The `SHELL` in effect at instruction `index`.
    pub fn shell_at(&self, index: usize) -> &[String] {
        self.instructions
            .get(index)
            .and_then(|f| self.shells.get(f.shell))
            .map_or(&[], Vec::as_slice)
    }

    /// Expands a word as BuildKit would at instruction `index`.
    pub fn expand_at(&self, index: usize, word: &str) -> Result<Expansion, ExpandError> {
        self.lexer.expand(word, self.env_at(index))
    }

    /// The lexer for this file (its escape character).
    pub fn lexer(&self) -> Lexer {
        self.lexer
    }

    /// The stages whose layers make up the image the build produces: the target stage and
    /// the stages it is built on (`FROM stage`), target first.
    pub fn image_stages(&self) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut next = self.target;
        while let Some(stage) = next {
            if chain.contains(&stage) {
                break;
            }
            chain.push(stage);
            next = self.stages.get(stage).and_then(Stage::base_stage);
        }
        chain
    }

    /// Whether `stage`'s layers end up in the image the build produces.
    pub fn in_final_image(&self, stage: usize) -> bool {
        self.image_stages().contains(&stage)
    }

    /// The dependencies of stage `stage`, in file order.
    pub fn dependencies_of(&self, stage: usize) -> impl Iterator<Item = &Dependency> {
        self.dependencies.iter().filter(move |d| d.stage == stage)
    }

    /// The RUN facts of instruction `index` (RUN, or ONBUILD RUN).
    pub fn run(&self, index: usize) -> Option<&RunFacts> {
        self.instructions.get(index).and_then(|f| f.run.as_ref())
    }
}

#[cfg(test)]
mod tests;
