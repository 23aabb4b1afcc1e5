//! What a Dockerfile does with the build context and between its stages: the facts the cache
//! model ([`crate::cache`]) and the context findings ([`crate::findings`]) work from.
//!
//! [`BuildPlan::new`] walks a parsed Dockerfile the way BuildKit's Dockerfile frontend
//! (`dockerfile2llb`) dispatches it, with BuildKit's ARG/ENV scoping
//! ([`dockwright_syntax::scope`]), and records per stage its name, its base (an image, an
//! earlier stage, or `scratch`) and whether the target needs it, and per instruction
//! ([`PlannedStep`]):
//!
//! - what kind of build step BuildKit makes of it ([`StepOp`]): `RUN` is an exec op;
//!   `COPY`, `ADD` and `WORKDIR` (other than `WORKDIR /`) are file ops; every other
//!   instruction only changes the image config or the environment of later steps and has no
//!   cache record of its own;
//! - its definition after expansion: for a `RUN` the command, shell, working directory, user,
//!   network, security and mounts (its environment is kept apart, in [`PlannedStep::env`]); for
//!   a file op the expanded sources, the destination resolved against the working directory
//!   and the flags;
//! - what it reads from the build context ([`ContextRead`]: `COPY`/`ADD` sources and
//!   `RUN --mount=type=bind` sources) and from other stages or images ([`StageRead`]:
//!   `COPY --from`, `RUN --mount=from=`), and where it writes ([`Writes`]).
//!
//! The plan never fails: what BuildKit would reject (a variable that does not expand, a
//! `--from` naming a later stage) is recorded in [`BuildPlan::errors`] and the rest is kept.
//! Once the stage model (`dockwright-model`) is on main, the stage graph part of this module
//! can be read from it instead.

use std::collections::BTreeMap;

use dockwright_syntax::expand::{Lexer, Variables};
use dockwright_syntax::mount::MountType;
use dockwright_syntax::scope::{Base, BuildScope, Platform};
use dockwright_syntax::{CommandForm, Dockerfile, Instruction, InstructionKind, Span};
use serde::Serialize;

use crate::copy_source::CopySource;
use crate::go_path;

/// The build the plan is made for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BuildOptions {
    /// `--build-arg` values.
    pub build_args: BTreeMap<String, String>,
    /// `--target`: the stage the build produces (default: the last one).
    pub target: Option<String>,
}

/// A parsed Dockerfile as a build: stages and their steps.
#[derive(Debug, Clone, Serialize)]
pub struct BuildPlan {
    /// The stages, in file order.
    pub stages: Vec<PlannedStage>,
    /// The stage the build produces: the `--target` stage, or the last one.
    pub target: Option<usize>,
    /// What BuildKit would reject, with the line.
    pub errors: Vec<PlanError>,
}

/// Something BuildKit would reject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanError {
    /// The Dockerfile line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// What a stage is built on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PlannedBase {
    /// `FROM scratch`.
    Scratch,
    /// An image, by reference after expansion.
    Image {
        /// The reference as written.
        written: String,
        /// After global-ARG expansion.
        reference: String,
    },
    /// An earlier stage.
    Stage {
        /// Its index.
        index: usize,
    },
}

/// One stage.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedStage {
    /// Position in the file, from 0.
    pub index: usize,
    /// The name after `AS`, as written.
    pub name: Option<String>,
    /// What it is built on.
    pub base: PlannedBase,
    /// The `FROM` line.
    pub line: usize,
    /// Every instruction of the stage, `FROM` first.
    pub steps: Vec<PlannedStep>,
    /// Whether building the target builds this stage.
    pub needed: bool,
}

impl PlannedStage {
    /// The stage's name, or `stage-N` as BuildKit's progress output calls an unnamed stage.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => name.clone(),
            None => format!("stage-{}", self.index),
        }
    }
}

/// What kind of build step BuildKit makes of an instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepOp {
    /// `FROM`: the base image or stage.
    Base,
    /// `RUN`: an exec op, cached on its command, environment, working directory, user,
    /// mounts and the parent step.
    Exec,
    /// `COPY`, `ADD`, `WORKDIR`: a file op, cached on its definition, the parent step and the
    /// content of what it copies.
    File,
    /// Everything else: a change to the image config or to the environment of later steps,
    /// with no cache record of its own.
    Config,
}

/// How a step reads a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadVia {
    /// A `COPY` source.
    Copy,
    /// An `ADD` source.
    Add,
    /// A `RUN --mount=type=bind` source.
    BindMount,
    /// A `RUN --mount=type=cache,from=...` source (its initial content).
    CacheMount,
}

/// A path of the build context a step reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextRead {
    /// The source, expanded.
    pub source: CopySource,
    /// The source word (or the `--mount` flag) in the file.
    pub span: Span,
    /// How it is read.
    pub via: ReadVia,
}

/// Where a step reads from another stage or an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "kebab-case")]
pub enum FromRef {
    /// An earlier stage, by index.
    Stage(usize),
    /// An image (or a named build context), by reference.
    Image(String),
}

/// Paths a step reads from another stage or an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageRead {
    /// Where from.
    pub from: FromRef,
    /// Absolute, cleaned paths (wildcards kept).
    pub paths: Vec<String>,
    /// The `--from` flag or the `--mount` flag in the file.
    pub span: Span,
    /// How it is read.
    pub via: ReadVia,
}

/// Where a step writes in the stage's file system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "path", rename_all = "kebab-case")]
pub enum Writes {
    /// Nowhere (config-only steps).
    Nothing,
    /// Anywhere: a `RUN`.
    Anywhere,
    /// Below this absolute path (the destination of a `COPY`/`ADD`, the `WORKDIR`).
    Below(String),
}

/// One instruction of a stage as a build step.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedStep {
    /// Index into [`Dockerfile::instructions`].
    pub instruction: usize,
    /// Position in the stage: 0 is the `FROM`.
    pub index: usize,
    /// First line, 1-based.
    pub line: usize,
    /// Last line.
    pub end_line: usize,
    /// The instruction in the file.
    pub span: Span,
    /// The instruction keyword.
    pub kind: InstructionKind,
    /// The instruction as BuildKit joins its lines.
    pub text: String,
    /// What kind of build step it is.
    pub op: StepOp,
    /// The instruction after expansion, on one line, for messages (`COPY src/ /app/src/`).
    pub display: String,
    /// What BuildKit's op definition holds besides the environment and the inputs (empty
    /// for config steps).
    pub definition: String,
    /// For a `RUN`: the environment its command gets (every ENV and every ARG with a value
    /// declared so far in the stage or its base stages).
    pub env: Option<Variables>,
    /// For a config step: its effect after expansion (`V=2` for `ARG V`), compared to tell
    /// whether the image config changes.
    pub config: Option<String>,
    /// The build-context paths it reads.
    pub context_reads: Vec<ContextRead>,
    /// What it reads from other stages or images.
    pub stage_reads: Vec<StageRead>,
    /// Where it writes.
    pub writes: Writes,
    /// `COPY --link`/`ADD --link` (without `--chmod`): BuildKit copies onto an empty layer
    /// and merges it, so the copy itself does not depend on the parent step.
    pub link: bool,
    /// Sources fetched from the network (`ADD https://...`, git URLs).
    pub remote: Vec<String>,
    /// For a `RUN`: the script a shell runs (shell form text, or heredoc bodies).
    pub script: Option<String>,
}

/// The working state of a stage while it is dispatched.
#[derive(Debug, Clone)]
struct StageState {
    workdir: String,
    user: String,
    shell: Vec<String>,
}

impl Default for StageState {
    fn default() -> Self {
        StageState {
            workdir: "/".to_owned(),
            user: String::new(),
            shell: vec!["/bin/sh".to_owned(), "-c".to_owned()],
        }
    }
}

/// `path.Clean` of an absolute path.
fn clean_absolute(path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    String::from_utf8_lossy(&go_path::clean(joined.as_bytes())).into_owned()
}

/// A path relative to the working directory made absolute, as BuildKit's
/// `pathRelativeToWorkingDir` does (the trailing `/` of a directory destination is kept).
fn resolve_against(workdir: &str, path: &str) -> String {
    if path.starts_with('/') {
        return path.to_owned();
    }
    let mut out = clean_absolute(&format!("{workdir}/{path}"));
    if (path.ends_with('/') || path == "." || path.ends_with("/.")) && !out.ends_with('/') {
        out.push('/');
    }
    out
}

fn is_url(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://")
}

fn is_git(source: &str) -> bool {
    source.starts_with("git@")
        || source.starts_with("git://")
        || (is_url(source)
            && (source.contains(".git#") || source.ends_with(".git") || source.contains(".git?")))
}

/// Dispatches a Dockerfile into a plan.
struct Planner {
    scope: BuildScope,
    lexer: Lexer,
    stages: Vec<PlannedStage>,
    states: Vec<StageState>,
    errors: Vec<PlanError>,
}

impl BuildPlan {
    /// Plans a parsed Dockerfile for a build with `options`.
    pub fn new(doc: &Dockerfile<'_>, options: &BuildOptions) -> BuildPlan {
        let platform = Platform::new("linux", "amd64");
        let escape = doc.escape_token();
        // `TARGETSTAGE` is the `--target`, or the last stage's name.
        let last_name = doc
            .instructions()
            .iter()
            .filter_map(|i| i.as_from())
            .next_back()
            .and_then(|f| f.alias.map(|a| a.text.to_string()));
        let target_name = options.target.clone().or(last_name);
        let mut planner = Planner {
            scope: BuildScope::new(
                options
                    .build_args
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone())),
                platform.clone(),
                platform,
            )
            .with_escape(escape)
            .with_target_stage(target_name.as_deref()),
            lexer: Lexer::new(escape),
            stages: Vec::new(),
            states: Vec::new(),
            errors: Vec::new(),
        };
        for (i, instruction) in doc.instructions().iter().enumerate() {
            planner.dispatch(i, instruction);
        }
        let target = planner.target_index(options.target.as_deref());
        let mut plan = BuildPlan {
            stages: planner.stages,
            target,
            errors: planner.errors,
        };
        if let Some(target) = target {
            plan.mark_needed(target);
        }
        plan
    }

    /// The stages building `stage` needs: itself, its base stages, and every stage it copies
    /// or mounts from, recursively.
    pub fn needed_by(&self, stage: usize) -> Vec<bool> {
        let mut needed = vec![false; self.stages.len()];
        let mut todo = vec![stage];
        while let Some(s) = todo.pop() {
            let Some(st) = self.stages.get(s) else {
                continue;
            };
            if needed[s] {
                continue;
            }
            needed[s] = true;
            if let PlannedBase::Stage { index } = st.base {
                todo.push(index);
            }
            for step in &st.steps {
                for read in &step.stage_reads {
                    if let FromRef::Stage(index) = read.from {
                        todo.push(index);
                    }
                }
            }
        }
        needed
    }

    fn mark_needed(&mut self, target: usize) {
        let needed = self.needed_by(target);
        for (stage, needed) in self.stages.iter_mut().zip(needed) {
            stage.needed = needed;
        }
    }

    /// The stage BuildKit finds under `name` (case-insensitive), or by index.
    pub fn stage_named(&self, name: &str) -> Option<usize> {
        let lower = name.to_lowercase();
        self.stages
            .iter()
            .rev()
            .find(|s| s.name.as_deref().is_some_and(|n| n.to_lowercase() == lower))
            .map(|s| s.index)
    }

    /// Every step, with its stage.
    pub fn steps(&self) -> impl Iterator<Item = (&PlannedStage, &PlannedStep)> {
        self.stages
            .iter()
            .flat_map(|stage| stage.steps.iter().map(move |step| (stage, step)))
    }

    /// The steps whose result a step builds on, nearest first: the earlier steps of its stage
    /// and, through `FROM <stage>`, those of its base stages.
    pub fn chain_before(&self, stage: usize, index: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut s = stage;
        let mut upto = index;
        let mut guard = 0;
        while let Some(st) = self.stages.get(s) {
            for i in (0..upto.min(st.steps.len())).rev() {
                out.push((s, i));
            }
            match st.base {
                PlannedBase::Stage { index } if index < s && guard < self.stages.len() => {
                    s = index;
                    upto = self.stages[index].steps.len();
                    guard += 1;
                }
                _ => break,
            }
        }
        out
    }
}

impl Planner {
    fn error(&mut self, line: usize, message: impl Into<String>) {
        self.errors.push(PlanError {
            line,
            message: message.into(),
        });
    }

    fn target_index(&mut self, target: Option<&str>) -> Option<usize> {
        match target {
            None => self.stages.len().checked_sub(1),
            Some(name) => {
                let lower = name.to_lowercase();
                let found = self
                    .stages
                    .iter()
                    .rev()
                    .find(|s| s.name.as_deref().is_some_and(|n| n.to_lowercase() == lower))
                    .map(|s| s.index);
                if found.is_none() {
                    self.error(0, format!("target stage \"{name}\" could not be found"));
                }
                found
            }
        }
    }

    /// Expands one word in the current environment (`ProcessWord`).
    fn expand(&mut self, word: &str, line: usize) -> String {
        match self.lexer.process_word(word, self.scope.env()) {
            Ok(value) => value,
            Err(err) => {
                self.error(line, format!("{word}: {err}"));
                word.to_owned()
            }
        }
    }

    fn stage_by_name(&self, name: &str) -> Option<usize> {
        let lower = name.to_lowercase();
        self.stages
            .iter()
            .rev()
            .find(|s| s.name.as_deref().is_some_and(|n| n.to_lowercase() == lower))
            .map(|s| s.index)
    }

    /// `--from=NAME|INDEX|IMAGE` of a COPY: BuildKit looks a number up as a stage index and
    /// a word as a stage name (an image otherwise); the stage must come before this one.
    fn copy_from(&mut self, from: &str, line: usize) -> FromRef {
        let current = self.stages.len().saturating_sub(1);
        let index = match from.parse::<usize>() {
            Ok(index) if index < self.stages.len() => Some(index),
            Ok(index) => {
                self.error(line, format!("invalid stage index {index}"));
                return FromRef::Image(from.to_owned());
            }
            Err(_) => self.stage_by_name(from),
        };
        match index {
            Some(index) if index < current => FromRef::Stage(index),
            Some(_) => {
                self.error(
                    line,
                    format!("cannot copy from stage \"{from}\", it needs to be defined before the current stage"),
                );
                FromRef::Image(from.to_owned())
            }
            None => FromRef::Image(from.to_owned()),
        }
    }

    fn dispatch(&mut self, i: usize, instruction: &Instruction<'_>) {
        let line = instruction.start_line();
        let kind = instruction.kind();
        if kind == InstructionKind::From {
            self.dispatch_from(i, instruction);
            return;
        }
        if self.stages.is_empty() {
            if kind == InstructionKind::Arg {
                for decl in instruction.as_arg().unwrap_or_default() {
                    let default = decl.default.as_ref().map(|d| d.text.to_string());
                    if let Err(err) = self
                        .scope
                        .declare_global_arg(&decl.name.text, default.as_deref())
                    {
                        self.error(line, err.to_string());
                    }
                }
            }
            return;
        }
        let mut step = PlannedStep {
            instruction: i,
            index: self.stages.last().map_or(0, |s| s.steps.len()),
            line,
            end_line: instruction.end_line(),
            span: instruction.span(),
            kind,
            text: instruction.text().trim().to_owned(),
            op: StepOp::Config,
            display: String::new(),
            definition: String::new(),
            env: None,
            config: None,
            context_reads: Vec::new(),
            stage_reads: Vec::new(),
            writes: Writes::Nothing,
            link: false,
            remote: Vec::new(),
            script: None,
        };
        match kind {
            InstructionKind::Run => self.dispatch_run(instruction, &mut step),
            InstructionKind::Copy | InstructionKind::Add => {
                self.dispatch_copy(instruction, &mut step)
            }
            InstructionKind::Workdir => self.dispatch_workdir(instruction, &mut step),
            InstructionKind::Arg => {
                let mut parts = Vec::new();
                for decl in instruction.as_arg().unwrap_or_default() {
                    let default = decl.default.as_ref().map(|d| d.text.to_string());
                    match self.scope.stage_arg(&decl.name.text, default.as_deref()) {
                        Ok(resolved) => parts.push(match resolved.value {
                            Some(v) => format!("{}={v}", resolved.name),
                            None => resolved.name,
                        }),
                        Err(err) => self.error(line, err.to_string()),
                    }
                }
                step.config = Some(parts.join(" "));
                step.display = format!("ARG {}", parts.join(" "));
            }
            InstructionKind::Env => {
                let pairs: Vec<(String, String)> = instruction
                    .as_env()
                    .unwrap_or_default()
                    .iter()
                    .map(|kv| (kv.key.text.to_string(), kv.value.text.to_string()))
                    .collect();
                match self.scope.env_instruction(&pairs) {
                    Ok(expanded) => {
                        let text: Vec<String> =
                            expanded.iter().map(|(k, v)| format!("{k}={v}")).collect();
                        step.config = Some(text.join(" "));
                        step.display = format!("ENV {}", text.join(" "));
                    }
                    Err(err) => self.error(line, err.to_string()),
                }
            }
            InstructionKind::User => {
                let value = instruction
                    .as_value()
                    .map(|w| w.text.to_string())
                    .unwrap_or_default();
                let user = self.expand(&value, line);
                if let Some(state) = self.states.last_mut() {
                    state.user = user.clone();
                }
                step.config = Some(user.clone());
                step.display = format!("USER {user}");
            }
            InstructionKind::Shell => {
                let shell: Vec<String> = instruction
                    .as_shell()
                    .unwrap_or_default()
                    .iter()
                    .map(|w| w.text.to_string())
                    .collect();
                if let Some(state) = self.states.last_mut() {
                    state.shell = shell.clone();
                }
                step.config = Some(shell.join(" "));
                step.display = format!("SHELL {shell:?}");
            }
            InstructionKind::Label => {
                let pairs: Vec<(String, String)> = instruction
                    .as_label()
                    .unwrap_or_default()
                    .iter()
                    .map(|kv| (kv.key.text.to_string(), kv.value.text.to_string()))
                    .collect();
                let expanded: Vec<String> = pairs
                    .iter()
                    .map(|(k, v)| format!("{}={}", self.expand(k, line), self.expand(v, line)))
                    .collect();
                step.config = Some(expanded.join(" "));
                step.display = format!("LABEL {}", expanded.join(" "));
            }
            InstructionKind::Expose | InstructionKind::Volume | InstructionKind::Stopsignal => {
                // Expanded by BuildKit before they reach the image config.
                let words: Vec<String> = instruction
                    .arguments()
                    .iter()
                    .map(|w| w.text.to_string())
                    .collect();
                let expanded: Vec<String> = words.iter().map(|w| self.expand(w, line)).collect();
                step.config = Some(expanded.join(" "));
                step.display = format!("{} {}", kind.as_str(), expanded.join(" "));
            }
            _ => {
                step.config = Some(step.text.clone());
                step.display = step.text.clone();
            }
        }
        if let Some(stage) = self.stages.last_mut() {
            stage.steps.push(step);
        }
    }

    fn dispatch_from(&mut self, i: usize, instruction: &Instruction<'_>) {
        let line = instruction.start_line();
        let from = instruction.as_from();
        let written = from
            .as_ref()
            .and_then(|f| f.image.as_ref())
            .map(|w| w.text.to_string())
            .unwrap_or_default();
        let name = from
            .as_ref()
            .and_then(|f| f.alias.as_ref())
            .map(|w| w.text.to_string());
        let platform = from
            .as_ref()
            .and_then(|f| f.platform.as_ref())
            .map(|w| w.text.to_string());
        let reference = match self.scope.expand_in_from(&written) {
            Ok(e) => e.value,
            Err(err) => {
                self.error(line, format!("{written}: {err}"));
                written.clone()
            }
        };
        let platform = platform.map(|p| match self.scope.expand_in_from(&p) {
            Ok(e) => e.value,
            Err(_) => p,
        });
        let base = if reference.eq_ignore_ascii_case("scratch") {
            PlannedBase::Scratch
        } else if let Some(index) = self.stage_by_name(&reference) {
            PlannedBase::Stage { index }
        } else {
            PlannedBase::Image {
                written: written.clone(),
                reference: reference.clone(),
            }
        };
        let scope_base = match base {
            PlannedBase::Scratch => Base::Scratch,
            PlannedBase::Image { .. } => Base::Image,
            PlannedBase::Stage { index } => Base::Stage(index),
        };
        if let Err(err) = self.scope.begin_stage(scope_base) {
            self.error(line, err.to_string());
        }
        let state = match base {
            PlannedBase::Stage { index } => self.states.get(index).cloned().unwrap_or_default(),
            _ => StageState::default(),
        };
        self.states.push(state);
        let index = self.stages.len();
        let mut definition = format!("FROM {reference}");
        if let Some(p) = &platform {
            definition.push_str(&format!(" --platform={p}"));
        }
        let step = PlannedStep {
            instruction: i,
            index: 0,
            line,
            end_line: instruction.end_line(),
            span: instruction.span(),
            kind: InstructionKind::From,
            text: instruction.text().trim().to_owned(),
            op: StepOp::Base,
            display: match &name {
                Some(n) => format!("FROM {reference} AS {n}"),
                None => format!("FROM {reference}"),
            },
            definition,
            env: None,
            config: None,
            context_reads: Vec::new(),
            stage_reads: Vec::new(),
            writes: Writes::Anywhere,
            link: false,
            remote: Vec::new(),
            script: None,
        };
        self.stages.push(PlannedStage {
            index,
            name,
            base,
            line,
            steps: vec![step],
            needed: false,
        });
    }

    fn dispatch_run(&mut self, instruction: &Instruction<'_>, step: &mut PlannedStep) {
        let line = step.line;
        let Some(run) = instruction.as_run() else {
            return;
        };
        let state = self.states.last().cloned().unwrap_or_default();
        step.op = StepOp::Exec;
        step.writes = Writes::Anywhere;
        step.env = Some(self.scope.env().clone());

        let mut definition = String::new();
        let command = match &run.form {
            CommandForm::Shell(script) => {
                let mut text = script.text.to_string();
                let mut body = String::new();
                for heredoc in run.heredocs {
                    let content = instruction.heredoc_content(heredoc);
                    text.push('\n');
                    text.push_str(&content);
                    text.push_str(&heredoc.name);
                    body.push_str(&content);
                }
                step.script = Some(if run.heredocs.is_empty() {
                    script.text.to_string()
                } else {
                    // A shell reads the heredoc body as its script (`RUN <<EOF`), or the
                    // command line feeds it to one (`RUN python3 <<EOF`): both are the script.
                    format!("{}\n{body}", script.text)
                });
                definition.push_str(&format!("shell={:?}\n", state.shell));
                text
            }
            CommandForm::Exec(words) => {
                let args: Vec<&str> = words.iter().map(|w| w.as_str()).collect();
                format!("{args:?}")
            }
        };
        definition.push_str(&format!("cmd={command}\ncwd={}\n", state.workdir));
        definition.push_str(&format!("user={}\n", state.user));
        if let Some(network) = &run.network {
            definition.push_str(&format!("network={}\n", network.text));
        }
        if let Some(security) = &run.security {
            definition.push_str(&format!("security={}\n", security.text));
        }
        for flag in &run.mounts {
            let mount = match &flag.mount {
                Ok(m) => m,
                Err(err) => {
                    self.error(line, format!("--mount={}: {err}", flag.value));
                    continue;
                }
            };
            let mut spec = Vec::new();
            for (key, value) in &mount.fields {
                match value {
                    Some(v) => {
                        let v = self.expand(v, line);
                        spec.push(format!("{key}={v}"));
                    }
                    None => spec.push(key.clone()),
                }
            }
            definition.push_str(&format!("mount={}\n", spec.join(",")));
            let expand_opt = |planner: &mut Self, v: &Option<String>| {
                v.as_ref().map(|v| planner.expand(v, line))
            };
            let source = expand_opt(self, &mount.source);
            let from = expand_opt(self, &mount.from);
            let kind = match &mount.kind {
                MountType::Unresolved(t) => {
                    let t = self.expand(t, line).to_lowercase();
                    match t.as_str() {
                        "bind" => MountType::Bind,
                        "cache" => MountType::Cache,
                        "tmpfs" => MountType::Tmpfs,
                        "secret" => MountType::Secret,
                        "ssh" => MountType::Ssh,
                        _ => MountType::Unresolved(t),
                    }
                }
                k => k.clone(),
            };
            let via = match kind {
                MountType::Bind => ReadVia::BindMount,
                // A cache mount reads its initial content only when it names a stage.
                MountType::Cache if from.is_some() => ReadVia::CacheMount,
                _ => continue,
            };
            match from {
                None => step.context_reads.push(ContextRead {
                    source: CopySource {
                        source: source.unwrap_or_else(|| ".".to_owned()),
                        excludes: Vec::new(),
                        parents: false,
                        line: Some(line),
                    },
                    span: flag.span,
                    via,
                }),
                Some(from) => {
                    let from_ref = match self.stage_by_name(&from) {
                        Some(index) if index + 1 < self.stages.len() => FromRef::Stage(index),
                        _ => FromRef::Image(from),
                    };
                    step.stage_reads.push(StageRead {
                        from: from_ref,
                        paths: vec![clean_absolute(source.as_deref().unwrap_or("/"))],
                        span: flag.span,
                        via,
                    });
                }
            }
        }
        step.display = format!("RUN {}", one_line(&command));
        step.definition = definition;
    }

    fn dispatch_copy(&mut self, instruction: &Instruction<'_>, step: &mut PlannedStep) {
        let line = step.line;
        let Some(copy) = instruction.as_copy() else {
            return;
        };
        let state = self.states.last().cloned().unwrap_or_default();
        step.op = StepOp::File;
        let keyword = if copy.is_add { "ADD" } else { "COPY" };
        let via = if copy.is_add {
            ReadVia::Add
        } else {
            ReadVia::Copy
        };
        let dest_written = copy
            .destination
            .as_ref()
            .map(|d| d.text.to_string())
            .unwrap_or_default();
        let dest = self.expand(&dest_written, line);
        let dest = resolve_against(&state.workdir, &dest);
        let chown = copy.chown.as_ref().map(|c| self.expand(&c.text, line));
        let chmod = copy.chmod.as_ref().map(|c| self.expand(&c.text, line));
        let checksum = copy.checksum.as_ref().map(|c| self.expand(&c.text, line));
        let excludes: Vec<String> = copy.exclude.iter().map(|w| w.text.to_string()).collect();
        step.link = copy.link && chmod.is_none();
        step.writes = Writes::Below(clean_absolute(&dest));

        let mut definition = format!("{keyword}\n");
        for (name, value) in [
            ("chown", &chown),
            ("chmod", &chmod),
            ("checksum", &checksum),
        ] {
            if let Some(v) = value {
                definition.push_str(&format!("{name}={v}\n"));
            }
        }
        for (name, on) in [
            ("link", copy.link),
            ("parents", copy.parents),
            ("keep-git-dir", copy.keep_git_dir),
        ] {
            if on {
                definition.push_str(&format!("{name}\n"));
            }
        }
        if let Some(unpack) = &copy.unpack {
            definition.push_str(&format!("unpack={}\n", unpack.text));
        }
        for exclude in &excludes {
            definition.push_str(&format!("exclude={exclude}\n"));
        }
        let from = copy.from.as_ref().map(|f| f.text.to_string());
        let from_ref = from.as_deref().map(|f| self.copy_from(f, line));
        if let Some(f) = &from {
            definition.push_str(&format!("from={f}\n"));
        }

        let mut display_sources = Vec::new();
        let mut from_paths = Vec::new();
        for source in &copy.sources {
            match source {
                dockwright_syntax::CopySource::Path(word) => {
                    let expanded = self.expand(&word.text, line);
                    definition.push_str(&format!("src={expanded}\n"));
                    display_sources.push(expanded.clone());
                    if from_ref.is_some() {
                        from_paths.push(clean_absolute(&expanded));
                    } else if is_git(&expanded) || (copy.is_add && is_url(&expanded)) {
                        step.remote.push(expanded);
                    } else {
                        step.context_reads.push(ContextRead {
                            source: CopySource {
                                source: expanded,
                                excludes: excludes.clone(),
                                parents: copy.parents,
                                line: Some(line),
                            },
                            span: word.span,
                            via,
                        });
                    }
                }
                dockwright_syntax::CopySource::Heredoc { word, index } => {
                    let content = instruction
                        .heredocs()
                        .get(*index)
                        .map(|h| instruction.heredoc_content(h).to_string())
                        .unwrap_or_default();
                    definition.push_str(&format!("heredoc={content}\n"));
                    display_sources.push(word.text.to_string());
                }
            }
        }
        definition.push_str(&format!("dest={dest}\n"));
        if let (Some(from_ref), Some(flag)) = (from_ref, copy.from.as_ref()) {
            step.stage_reads.push(StageRead {
                from: from_ref,
                paths: from_paths,
                span: flag.span,
                via,
            });
        }
        let mut flags = String::new();
        if let Some(f) = &from {
            flags.push_str(&format!("--from={f} "));
        }
        if copy.parents {
            flags.push_str("--parents ");
        }
        if copy.link {
            flags.push_str("--link ");
        }
        for exclude in &excludes {
            flags.push_str(&format!("--exclude={exclude} "));
        }
        step.display = format!("{keyword} {flags}{} {dest}", display_sources.join(" "));
        step.definition = definition;
    }

    fn dispatch_workdir(&mut self, instruction: &Instruction<'_>, step: &mut PlannedStep) {
        let line = step.line;
        let written = instruction
            .as_value()
            .map(|w| w.text.to_string())
            .unwrap_or_default();
        let path = self.expand(&written, line);
        let Some(state) = self.states.last_mut() else {
            return;
        };
        let resolved = if path.starts_with('/') {
            clean_absolute(&path)
        } else {
            clean_absolute(&format!("{}/{path}", state.workdir))
        };
        state.workdir = resolved.clone();
        step.display = format!("WORKDIR {resolved}");
        step.config = Some(resolved.clone());
        // `WORKDIR /` changes the config only; any other makes the directory (as the user).
        if resolved != "/" {
            step.op = StepOp::File;
            step.definition = format!("WORKDIR\nmkdir={resolved}\nuser={}\n", state.user);
            step.writes = Writes::Below(resolved);
        }
    }
}

/// Text on one line: runs of white space (newlines included) as one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(src: &str, args: &[(&str, &str)]) -> BuildPlan {
        let doc = dockwright_syntax::parse(src).unwrap();
        let options = BuildOptions {
            build_args: args
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            target: None,
        };
        BuildPlan::new(&doc, &options)
    }

    #[test]
    fn stages_bases_and_needed() {
        let p = plan(
            "ARG BASE=alpine:3\nFROM ${BASE} AS build\nRUN make\nFROM build AS test\nRUN make test\nFROM scratch\nCOPY --from=build /out /out\n",
            &[],
        );
        assert_eq!(p.stages.len(), 3);
        assert_eq!(
            p.stages[0].base,
            PlannedBase::Image {
                written: "${BASE}".into(),
                reference: "alpine:3".into()
            }
        );
        assert_eq!(p.stages[1].base, PlannedBase::Stage { index: 0 });
        assert_eq!(p.stages[2].base, PlannedBase::Scratch);
        assert_eq!(p.target, Some(2));
        assert_eq!(
            p.stages.iter().map(|s| s.needed).collect::<Vec<_>>(),
            [true, false, true]
        );
        let read = &p.stages[2].steps[1].stage_reads[0];
        assert_eq!(read.from, FromRef::Stage(0));
        assert_eq!(read.paths, ["/out"]);
        assert_eq!(p.chain_before(1, 2), [(1, 1), (1, 0), (0, 1), (0, 0)]);
    }

    #[test]
    fn ops_and_definitions() {
        let p = plan(
            "FROM alpine\nARG V=1\nENV X=$V\nWORKDIR app\nUSER nobody\nWORKDIR sub\nCOPY --chown=a:b src/ ./src/\nRUN --mount=type=bind,source=req.txt,target=/r echo $X\nWORKDIR /\nLABEL v=$V\n",
            &[("V", "2")],
        );
        let steps = &p.stages[0].steps;
        let ops: Vec<StepOp> = steps.iter().map(|s| s.op).collect();
        assert_eq!(
            ops,
            [
                StepOp::Base,
                StepOp::Config,
                StepOp::Config,
                StepOp::File,
                StepOp::Config,
                StepOp::File,
                StepOp::File,
                StepOp::Exec,
                StepOp::Config,
                StepOp::Config
            ]
        );
        assert_eq!(steps[1].config.as_deref(), Some("V=2"));
        assert_eq!(steps[2].config.as_deref(), Some("X=2"));
        assert!(steps[5].definition.contains("mkdir=/app/sub\nuser=nobody"));
        assert_eq!(steps[6].display, "COPY src/ /app/sub/src/");
        assert_eq!(steps[6].writes, Writes::Below("/app/sub/src".into()));
        assert_eq!(steps[6].context_reads[0].source.source, "src/");
        let run = &steps[7];
        let env = run.env.as_ref().unwrap();
        assert_eq!(env.get("V"), Some("2"));
        assert_eq!(env.get("X"), Some("2"));
        assert!(run.definition.contains("cwd=/app/sub\nuser=nobody\n"));
        assert_eq!(run.context_reads[0].source.source, "req.txt");
        assert_eq!(run.context_reads[0].via, ReadVia::BindMount);
        assert_eq!(steps[9].config.as_deref(), Some("v=2"));
    }

    #[test]
    fn copy_sources_remote_and_from() {
        let p = plan(
            "FROM alpine AS a\nFROM alpine\nADD https://example.com/x.tgz /x/\nCOPY --from=a --link /bin/* /usr/bin/\nCOPY --from=0 /etc/passwd /p\nCOPY --from=nginx:1 /etc/nginx /etc/nginx\nCOPY <<EOF /f\nhi\nEOF\n",
            &[],
        );
        let steps = &p.stages[1].steps;
        assert_eq!(steps[1].remote, ["https://example.com/x.tgz"]);
        assert!(steps[1].context_reads.is_empty());
        assert!(steps[2].link);
        assert_eq!(steps[2].stage_reads[0].paths, ["/bin/*"]);
        assert_eq!(steps[3].stage_reads[0].from, FromRef::Stage(0));
        assert_eq!(
            steps[4].stage_reads[0].from,
            FromRef::Image("nginx:1".into())
        );
        assert!(steps[5].definition.contains("heredoc=hi\n"));
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }

    #[test]
    fn target_selects_needed_stages() {
        let doc = dockwright_syntax::parse(
            "FROM a AS one\nFROM b AS two\nRUN --mount=type=bind,from=one,target=/o true\nFROM c\n",
        )
        .unwrap();
        let p = BuildPlan::new(
            &doc,
            &BuildOptions {
                target: Some("TWO".into()),
                ..BuildOptions::default()
            },
        );
        assert_eq!(p.target, Some(1));
        assert_eq!(
            p.stages.iter().map(|s| s.needed).collect::<Vec<_>>(),
            [true, true, false]
        );
        let p = BuildPlan::new(
            &doc,
            &BuildOptions {
                target: Some("nope".into()),
                ..BuildOptions::default()
            },
        );
        assert_eq!(p.target, None);
        assert_eq!(p.errors.len(), 1);
    }
}
