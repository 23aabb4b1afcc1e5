//! Which variables a Dockerfile word sees: BuildKit's ARG and ENV scoping across stages.
//!
//! [`BuildScope`] is driven by one call per declaration, in Dockerfile order, and answers
//! "what is the environment here?" for word expansion ([`crate::expand`]). It follows
//! BuildKit's Dockerfile frontend (`dockerfile2llb`), not the legacy builder or the
//! documentation's simplifications. The rules, each tested below:
//!
//! 1. **Automatic platform ARGs** ([`BuildScope::new`]): `BUILDPLATFORM`, `BUILDOS`,
//!    `BUILDOSVERSION`, `BUILDARCH`, `BUILDVARIANT`, `TARGETPLATFORM`, `TARGETOS`,
//!    `TARGETOSVERSION`, `TARGETARCH`, `TARGETVARIANT` and `TARGETSTAGE` are set in the
//!    global scope, even when empty (`TARGETVARIANT` is `""` on amd64, so `${TARGETVARIANT:+…}`
//!    is the way to test it). A `--build-arg` of the same name replaces the value.
//! 2. **Global ARGs** ([`BuildScope::declare_global_arg`]), the ARGs before the first
//!    `FROM`: the value is the `--build-arg` if given (used as is, not expanded), else the
//!    default expanded in the global scope so far, else the ARG adds nothing. They are seen
//!    by `FROM` lines (image name and `--platform`) only.
//! 3. **A `--build-arg` only fills declared ARGs**: passing one that no ARG declares changes
//!    nothing visible to expansion.
//! 4. **Stages start without global ARGs** ([`BuildScope::begin_stage`]). `ARG NAME` with no
//!    default inside a stage takes the `--build-arg` value, or else the global value
//!    (including the automatic ARGs: `ARG TARGETARCH`), or else stays unset but declared.
//! 5. **Stage ARGs** ([`BuildScope::stage_arg`]): the `--build-arg` wins over a default; a
//!    default is expanded in the stage's environment at that point (earlier ARGs of the same
//!    instruction included). The value joins the step environment (RUN sees it), not the
//!    image config.
//! 6. **ENV** ([`BuildScope::env_instruction`]): every key and value of one instruction is
//!    expanded in the environment *before* the instruction (`ENV A=1 B=$A` gives `B` the old
//!    `A`), then set in both the step environment and the image config.
//! 7. **ENV vs ARG of the same name**: the later one wins in the step environment. An ENV
//!    after an ARG replaces it; an ARG *with a value* after an ENV replaces it for the rest
//!    of the stage's steps, but the image config keeps the ENV value. An ARG without a value
//!    leaves the ENV alone.
//! 8. **Stages built on earlier stages** (`FROM base`, [`Base::Stage`]) inherit the base
//!    stage's whole step environment — ENV *and* ARG values — and its declared ARGs; then
//!    the base's image config ENV is applied again on top, so a base ENV beats a base ARG of
//!    the same name in the child.
//! 9. **Stages built on images** start from the image config's `Env` ([`Base::ImageWithEnv`];
//!    unknown for [`Base::Image`]), and `PATH` is set to BuildKit's default when the image has
//!    none, except on Windows. `FROM scratch` therefore has only `PATH`.
//! 10. **`BUILDKIT_SBOM_SCAN_CONTEXT` and `BUILDKIT_SBOM_SCAN_STAGE`** are read as build
//!     options: declaring them in a stage does not put them in the environment. Other
//!     `BUILDKIT_*` build args (`BUILDKIT_INLINE_CACHE`, `BUILDKIT_CACHE_MOUNT_NS`, ...) are
//!     frontend options that behave like any other ARG here.
//! 11. **Proxy build args** (`HTTP_PROXY`, `HTTPS_PROXY`, `FTP_PROXY`, `NO_PROXY`,
//!     `ALL_PROXY`, any case) reach RUN commands without an ARG, in both upper and lower
//!     case ([`BuildScope::proxy_env`]), but are not visible to Dockerfile expansion.
//! 12. **Undefined variables** ([`StageScope::undefined_references`]): BuildKit's
//!     `UndefinedVar` check flags a reference that is unset, unless the stage declared an
//!     ARG of that name (even one without a value) or it is one of rule 10's names.

mod platform;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::expand::{ExpandError, Expansion, Lexer, VarRef, Variables};
pub use platform::{Platform, PlatformError};

/// BuildKit's default `PATH` for Unix-like platforms.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// ARGs that BuildKit reads as build options and keeps out of the stage environment.
pub const NON_ENV_ARGS: [&str; 2] = ["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// Build args that configure the proxy of RUN steps without being declared.
pub const PROXY_ARGS: [&str; 5] = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "FTP_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
];

/// What a stage is built on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// `FROM scratch`.
    Scratch,
    /// An image whose config is not known (its `Env` may define more variables).
    Image,
    /// An image whose config `Env` is known.
    ImageWithEnv(Variables),
    /// An earlier stage, by index.
    Stage(usize),
}

/// Misuse of [`BuildScope`], or an expansion failure while resolving a declaration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// A stage ARG or ENV before any [`BuildScope::begin_stage`].
    #[error("no stage has begun: ARG and ENV inside a stage come after FROM")]
    NoStage,
    /// A global ARG after the first stage began.
    #[error("global ARG {0} after the first FROM")]
    GlobalArgAfterFrom(String),
    /// [`Base::Stage`] naming a stage that does not exist yet.
    #[error("stage {0} does not exist (yet)")]
    UnknownStage(usize),
    /// A default or ENV value BuildKit would fail to expand.
    #[error(transparent)]
    Expand(#[from] ExpandError),
}

/// Where an ARG's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgSource {
    /// A `--build-arg`.
    BuildArg,
    /// The ARG's own default.
    Default,
    /// The global scope (a global ARG or an automatic platform ARG), for a stage
    /// `ARG NAME` without a default.
    Global,
    /// Nowhere: the ARG is declared but has no value.
    Unset,
}

/// The outcome of one ARG declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedArg {
    /// The ARG's name.
    pub name: String,
    /// Its value, or `None` when it has none.
    pub value: Option<String>,
    /// Where the value came from.
    pub source: ArgSource,
    /// Variables the default referenced, when the default was used.
    pub references: Vec<VarRef>,
}

/// The variables of one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageScope {
    env: Variables,
    image_env: Variables,
    declared_args: Vec<String>,
    base_env_known: bool,
}

impl StageScope {
    /// The environment of the stage's next step: what BuildKit expands words with and what
    /// a RUN command gets (plus [`BuildScope::proxy_env`]).
    pub fn env(&self) -> &Variables {
        &self.env
    }

    /// The image config `Env` so far: the base's plus this stage's ENVs, no ARGs.
    pub fn image_env(&self) -> &Variables {
        &self.image_env
    }

    /// ARGs declared in this stage or inherited from its base stage, in order, repeats
    /// included.
    pub fn declared_args(&self) -> &[String] {
        &self.declared_args
    }

    /// Whether an ARG of this name was declared (rule 4: even without a value).
    pub fn is_declared_arg(&self, name: &str) -> bool {
        self.declared_args.iter().any(|a| a == name)
    }

    /// Whether every variable of the base image is known; `false` for [`Base::Image`],
    /// where an unset variable may still come from the image.
    pub fn base_env_known(&self) -> bool {
        self.base_env_known
    }

    /// The references in `expansion` that BuildKit's `UndefinedVar` check reports (rule 12).
    pub fn undefined_references<'e>(&self, expansion: &'e Expansion) -> Vec<&'e VarRef> {
        expansion
            .references
            .iter()
            .filter(|r| {
                !r.set && !self.is_declared_arg(&r.name) && !NON_ENV_ARGS.contains(&r.name.as_str())
            })
            .collect()
    }
}

/// ARG and ENV scoping for one build. See the [module documentation](self) for the rules.
#[derive(Debug, Clone)]
pub struct BuildScope {
    lexer: Lexer,
    build_args: BTreeMap<String, String>,
    global: Variables,
    global_arg_names: Vec<String>,
    target_platform: Platform,
    stages: Vec<StageScope>,
}

impl BuildScope {
    /// A build with these `--build-arg`s for `target_platform`, run on `build_platform`.
    /// The global scope starts with the automatic platform ARGs (rule 1) and
    /// `TARGETSTAGE=default`; see [`with_target_stage`](Self::with_target_stage).
    pub fn new<I, K, V>(build_args: I, target_platform: Platform, build_platform: Platform) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let build_args: BTreeMap<String, String> = build_args
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        let automatic = [
            ("BUILDPLATFORM", build_platform.format()),
            ("BUILDOS", build_platform.os.clone()),
            ("BUILDOSVERSION", build_platform.os_version.clone()),
            ("BUILDARCH", build_platform.architecture.clone()),
            ("BUILDVARIANT", build_platform.variant.clone()),
            ("TARGETPLATFORM", target_platform.format_all()),
            ("TARGETOS", target_platform.os.clone()),
            ("TARGETOSVERSION", target_platform.os_version.clone()),
            ("TARGETARCH", target_platform.architecture.clone()),
            ("TARGETVARIANT", target_platform.variant.clone()),
            ("TARGETSTAGE", "default".to_string()),
        ];
        let mut global = Variables::new();
        for (name, value) in automatic {
            let value = build_args.get(name).cloned().unwrap_or(value);
            global.set(name, value);
        }
        BuildScope {
            lexer: Lexer::default(),
            build_args,
            global,
            global_arg_names: Vec::new(),
            target_platform,
            stages: Vec::new(),
        }
    }

    /// Sets `TARGETSTAGE`: the `--target` stage, or when there is none the name of the last
    /// stage; BuildKit uses `default` when that stage has no name (`None`). A
    /// `--build-arg TARGETSTAGE=...` still wins.
    pub fn with_target_stage(mut self, stage_name: Option<&str>) -> Self {
        if !self.build_args.contains_key("TARGETSTAGE") {
            self.global
                .set_in_place("TARGETSTAGE", stage_name.unwrap_or("default"));
        }
        self
    }

    /// Uses `escape` (from `# escape=`) when expanding defaults and ENV values.
    pub fn with_escape(mut self, escape: char) -> Self {
        self.lexer = Lexer::new(escape);
        self
    }

    /// The lexer this scope expands with.
    pub fn lexer(&self) -> Lexer {
        self.lexer
    }

    /// The `--build-arg` values.
    pub fn build_args(&self) -> &BTreeMap<String, String> {
        &self.build_args
    }

    /// Declares a global ARG (before the first `FROM`); `default` is the text after `=` as
    /// written, quotes included (rules 2 and 3).
    pub fn declare_global_arg(
        &mut self,
        name: &str,
        default: Option<&str>,
    ) -> Result<ResolvedArg, ScopeError> {
        if !self.stages.is_empty() {
            return Err(ScopeError::GlobalArgAfterFrom(name.to_string()));
        }
        let resolved = if let Some(value) = self.build_args.get(name) {
            resolved(name, Some(value.clone()), ArgSource::BuildArg, Vec::new())
        } else if let Some(default) = default {
            let expansion = self.lexer.expand(default, &self.global)?;
            resolved(
                name,
                Some(expansion.value),
                ArgSource::Default,
                expansion.references,
            )
        } else {
            resolved(name, None, ArgSource::Unset, Vec::new())
        };
        if let Some(value) = &resolved.value {
            self.global.set(name, value.clone());
        }
        self.global_arg_names.push(name.to_string());
        Ok(resolved)
    }

    /// The variables `FROM` lines see: automatic platform ARGs and global ARGs.
    pub fn global_env(&self) -> &Variables {
        &self.global
    }

    /// Whether a global ARG of this name was declared, with or without a value (BuildKit's
    /// `UndefinedArgInFrom` check accepts those and the automatic ARGs).
    pub fn is_declared_global_arg(&self, name: &str) -> bool {
        self.global_arg_names.iter().any(|a| a == name)
    }

    /// Expands a `FROM` word (image name or `--platform` value) in the global scope.
    pub fn expand_in_from(&self, word: &str) -> Result<Expansion, ExpandError> {
        self.lexer.expand(word, &self.global)
    }

    /// Starts a stage on the target platform (rules 4, 8, 9). Returns its index.
    pub fn begin_stage(&mut self, base: Base) -> Result<usize, ScopeError> {
        let platform = self.target_platform.clone();
        self.begin_stage_on(base, &platform)
    }

    /// Starts a stage built for `platform` (`FROM --platform=...`), which decides whether
    /// `PATH` gets a default (rule 9).
    pub fn begin_stage_on(&mut self, base: Base, platform: &Platform) -> Result<usize, ScopeError> {
        let stage = match base {
            Base::Stage(index) => {
                let parent = self
                    .stages
                    .get(index)
                    .ok_or(ScopeError::UnknownStage(index))?;
                let mut env = parent.env.clone();
                for (name, value) in parent.image_env.iter() {
                    env.set(name, value);
                }
                StageScope {
                    env,
                    image_env: parent.image_env.clone(),
                    declared_args: parent.declared_args.clone(),
                    base_env_known: parent.base_env_known,
                }
            }
            Base::Scratch | Base::Image | Base::ImageWithEnv(_) => {
                let base_env_known = base != Base::Image;
                let mut image_env = match base {
                    Base::ImageWithEnv(env) => env,
                    _ => Variables::new(),
                };
                if platform.os != "windows" {
                    image_env.set_default("PATH", DEFAULT_PATH);
                }
                StageScope {
                    env: image_env.clone(),
                    image_env,
                    declared_args: Vec::new(),
                    base_env_known,
                }
            }
        };
        self.stages.push(stage);
        Ok(self.stages.len() - 1)
    }

    /// Declares an ARG in the current stage (rules 4, 5, 7, 10); `default` as written.
    pub fn stage_arg(
        &mut self,
        name: &str,
        default: Option<&str>,
    ) -> Result<ResolvedArg, ScopeError> {
        let lexer = self.lexer;
        let build_arg = self.build_args.get(name).cloned();
        let global = self.global.get(name).map(str::to_string);
        let stage = self.stages.last_mut().ok_or(ScopeError::NoStage)?;
        let resolved = match (build_arg, default) {
            (Some(value), _) => resolved(name, Some(value), ArgSource::BuildArg, Vec::new()),
            (None, Some(default)) => {
                let expansion = lexer.expand(default, &stage.env)?;
                resolved(
                    name,
                    Some(expansion.value),
                    ArgSource::Default,
                    expansion.references,
                )
            }
            (None, None) => match global {
                Some(value) => resolved(name, Some(value), ArgSource::Global, Vec::new()),
                None => resolved(name, None, ArgSource::Unset, Vec::new()),
            },
        };
        if let Some(value) = &resolved.value
            && !NON_ENV_ARGS.contains(&name)
        {
            stage.env.set(name, value.clone());
        }
        stage.declared_args.push(name.to_string());
        Ok(resolved)
    }

    /// One ENV instruction in the current stage (rules 6 and 7): keys and values as written
    /// in the Dockerfile, all expanded before any is set. Returns the expanded pairs.
    pub fn env_instruction<K, V>(
        &mut self,
        pairs: &[(K, V)],
    ) -> Result<Vec<(String, String)>, ScopeError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let lexer = self.lexer;
        let stage = self.stages.last_mut().ok_or(ScopeError::NoStage)?;
        let mut expanded = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            let key = lexer.process_word(key.as_ref(), &stage.env)?;
            let value = lexer.process_word(value.as_ref(), &stage.env)?;
            expanded.push((key, value));
        }
        for (key, value) in &expanded {
            stage.env.set(key.clone(), value.clone());
            stage.image_env.set_in_place(key.clone(), value.clone());
        }
        Ok(expanded)
    }

    /// `ENV name=value` with a single pair; see [`env_instruction`](Self::env_instruction).
    pub fn stage_env(&mut self, name: &str, value: &str) -> Result<(String, String), ScopeError> {
        let mut pairs = self.env_instruction(&[(name, value)])?;
        pairs.pop().ok_or(ScopeError::NoStage)
    }

    /// The current stage, if one has begun.
    pub fn current_stage(&self) -> Option<&StageScope> {
        self.stages.last()
    }

    /// The index of the current stage.
    pub fn current_stage_index(&self) -> Option<usize> {
        self.stages.len().checked_sub(1)
    }

    /// A stage by index.
    pub fn stage(&self, index: usize) -> Option<&StageScope> {
        self.stages.get(index)
    }

    /// The environment at this point: the current stage's, or the global scope before the
    /// first `FROM`.
    pub fn env(&self) -> &Variables {
        self.stages.last().map_or(&self.global, |s| &s.env)
    }

    /// Expands a word at this point, as BuildKit expands the words of instructions.
    pub fn expand(&self, word: &str) -> Result<Expansion, ExpandError> {
        self.lexer.expand(word, self.env())
    }

    /// The proxy variables every RUN step gets from `--build-arg` (rule 11): each non-empty
    /// one in upper and lower case. Of two spellings of one name, the later in byte order
    /// wins (`http_proxy` over `HTTP_PROXY`), as in BuildKit.
    pub fn proxy_env(&self) -> Variables {
        let mut vars = Variables::new();
        for proxy in PROXY_ARGS {
            let value = self
                .build_args
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(proxy))
                .map(|(_, v)| v)
                .next_back();
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                vars.set(proxy, value.clone());
                vars.set(proxy.to_ascii_lowercase(), value.clone());
            }
        }
        vars
    }
}

fn resolved(
    name: &str,
    value: Option<String>,
    source: ArgSource,
    references: Vec<VarRef>,
) -> ResolvedArg {
    ResolvedArg {
        name: name.to_string(),
        value,
        source,
        references,
    }
}

#[cfg(test)]
mod tests;
