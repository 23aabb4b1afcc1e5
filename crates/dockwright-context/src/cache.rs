//! Which steps a change rebuilds: BuildKit's cache keys, simulated.
//!
//! # What BuildKit keys a step on
//!
//! BuildKit turns a Dockerfile into a graph of ops and looks each op up in its cache by a key
//! made from the op's definition and the keys of its inputs (`solver/llbsolver/ops`,
//! `frontend/dockerfile/dockerfile2llb`). The model here follows those rules:
//!
//! - **`FROM`**: the base image (its digest; here: the reference, and whether the image is
//!   named as changed), or the last step of the base stage.
//! - **`RUN`** (exec op): the parent step's key (the root file system is keyed by its
//!   definition, never by content), the command and shell, the working directory, the user,
//!   `--network`, `--security`, the mount definitions, and the **whole environment**: every
//!   `ENV` and every `ARG` *with a value* declared so far in the stage or inherited from a base
//!   stage (`dispatchArg` adds ARG values to the LLB state's environment, not to the image
//!   config). So a changed `--build-arg` value rebuilds every `RUN` after that ARG's
//!   declaration in its stage and in stages built `FROM` it, even a `RUN` that never reads
//!   it, while `COPY` steps after it stay cached unless their expanded text changes. A build
//!   arg passed with the same value as the default changes nothing; one no `ARG` declares
//!   changes nothing; proxy build args are not part of the key. Read-only and `rw` bind
//!   mounts (which BuildKit gives no output) and `type=cache,from=` mounts are keyed by the
//!   *content* of the mounted path (a content checksum of the selected paths), not by how that
//!   content was made; cache, tmpfs, secret and ssh mounts by their definition only.
//! - **`COPY`/`ADD`** (file op): the parent step's key, the definition (expanded sources, the
//!   destination resolved against `WORKDIR`, `--chown`, `--chmod`, `--exclude`, `--parents`,
//!   `--link`, heredoc content) and the **content checksum** of what is copied: for each file
//!   its name, mode, uid/gid, size, symlink target, extended attributes and bytes, but not its
//!   modification time (`cache/contenthash`, tarsum v1 headers without `mtime`). Content is
//!   what the build receives, so a change to a file `.dockerignore` excludes changes nothing,
//!   and touching a file without changing it changes nothing. `COPY --from` is keyed by the
//!   content of the copied paths in the source stage, so a stage that re-runs rebuilds a
//!   dependent `COPY --from` only if the copied files come out different. `COPY --link`
//!   copies onto an empty layer that does not depend on the parent step; after a rebuilt
//!   parent only the cheap merge runs again.
//! - **`WORKDIR`** (other than `/`): a `mkdir` file op keyed by the path and the user.
//! - **Every other instruction** changes the image config or the environment of later
//!   steps; it has no cache record of its own (it is never "rebuilt").
//!
//! A step is rebuilt when its key is not in the cache. The cache is taken to hold exactly the
//! previous build: the same Dockerfile (or, with `before`, the older one), the same build
//! args except the changed ones, the context before the changed paths changed.
//!
//! # How keys are simulated
//!
//! Each step's key is a SHA-256 over its definition and its inputs, computed twice: for the
//! build the cache holds and for the new one. Context content enters as "the changed paths
//! this source selects" (empty for the old build); a stage's content at some paths as the keys
//! of every step that may have written there: every `RUN` of the stage (what a command writes
//! is unknown, so a `RUN` that re-runs is assumed to change its output) and each `COPY`/`ADD`/
//! `WORKDIR` whose destination overlaps the paths, by its own key without the parent (a copy
//! that re-runs only because its parent changed writes the same files). A step rebuilt only
//! because a `RUN` it depends on that way re-runs is marked not [`certain`](StepPrediction::certain):
//! BuildKit reuses it if the `RUN` happens to write byte-identical files (reproducible builds
//! do).
//!
//! # Where buildah differs (checked by `tests/cache/run.sh`)
//!
//! `buildah bud --layers` (1.28) commits one layer per instruction and reuses a layer when an
//! image with the same parent and the same history entry exists; for `COPY`/`ADD` the entry
//! holds a digest of the copied content (no modification times, as in BuildKit), for `RUN`
//! the build args in effect. It agrees with BuildKit on `RUN`, `COPY`, `ADD` and `WORKDIR`
//! steps except:
//!
//! - `RUN --mount=type=bind`: buildah does not key the step on the mounted content, so an
//!   edit to a bind-mounted file leaves the step cached (BuildKit rebuilds it).
//! - Stages built `FROM` another stage: buildah does not carry the base stage's ARG values
//!   into the child's `RUN` keys, so a changed build arg declared only in the base stage
//!   leaves the child's `RUN` steps cached (BuildKit rebuilds them).
//! - Config-only instructions (`ENV`, `LABEL`, `ARG`, `CMD`, ...) are cached layers in
//!   buildah (reused by their text even when an ARG they expand changed; the final config is
//!   still right) and no step at all in BuildKit; `FROM` prints no cache line.
//!
//! The model follows BuildKit, which is what `docker build` uses.
//!
//! # Limits
//!
//! - The cache is taken to hold the previous build only. Both builders also keep older
//!   results: a change back to content an older build had (a revert) is a cache hit the model
//!   reports as a rebuild.
//! - `ADD <url>` and git sources are fetched again by every build; whether the remote
//!   content changed is unknown here, so they count as unchanged.
//! - The base image's own `WORKDIR` and environment are unknown (they are the same in both
//!   builds, so only paths relative to an unknown working directory are affected).
//! - `ONBUILD` triggers of base images are not run.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use dockwright_syntax::expand::Variables;
use serde::Serialize;
use sha2::Digest as _;

use crate::copy_source::{CopyError, normalize_source};
use crate::ignore_file::{Dockerignore, IgnoreFileError};
use crate::plan::{BuildPlan, FromRef, PlanError, PlannedBase, ReadVia, StepOp, Writes, one_line};
use crate::walk::{ContextWalk, EntryKind};

type Key = [u8; 32];

/// A SHA-256 over length-prefixed parts.
fn key_of(parts: &[&[u8]]) -> Key {
    let mut hasher = sha2::Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// The build context the changes are made in.
#[derive(Debug, Clone, Copy)]
pub struct CacheContext<'a> {
    /// The context as the new build sends it.
    pub walk: &'a ContextWalk,
    /// The ignore rules the walk applied.
    pub rules: &'a Dockerignore,
}

/// What changed since the build the cache holds.
#[derive(Debug, Clone, Copy)]
pub struct CacheChanges<'a> {
    /// Changed, added or deleted paths, relative to the context root (files or directories).
    pub paths: &'a [String],
    /// Files the old build received that the new one does not (its ignore file now
    /// excludes them): to the steps that copied them, a deletion.
    pub no_longer_sent: &'a [String],
    /// Base or `--from` images whose content changed (references as the Dockerfile expands
    /// them).
    pub images: &'a [String],
}

/// Why a prediction cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// A `--exclude` or `--parents` pattern of the Dockerfile is invalid.
    #[error("line {line}: {source}")]
    Copy {
        line: usize,
        #[source]
        source: CopyError,
    },
    /// The ignore file fails on a changed path.
    #[error(transparent)]
    Ignore(#[from] IgnoreFileError),
}

/// One changed path, as the build sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedPath {
    /// Relative to the context root.
    pub path: String,
    /// The build receives it (the ignore file does not exclude it).
    pub sent: bool,
    /// The ignore-file pattern that excludes it, and its line.
    pub ignored_by: Option<IgnorePattern>,
    /// It no longer exists, or the build no longer receives it.
    pub deleted: bool,
    /// For a directory: the changed files below it the build receives (all of them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// Lines of the steps that read it.
    pub used_by: Vec<usize>,
    /// Whether it is (or may be) a directory.
    #[serde(skip)]
    dir: bool,
}

/// An ignore-file pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnorePattern {
    /// As written.
    pub pattern: String,
    /// Its line in the ignore file.
    pub line: Option<usize>,
}

/// A step, by stage and position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepRef {
    /// The stage name (or `stage-N`).
    pub stage: String,
    /// Position in the stage (0 is the `FROM`).
    pub index: usize,
    /// First line of the instruction.
    pub line: usize,
    /// The instruction.
    pub instruction: String,
}

/// A variable whose value differs between the cached build and the new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariableChange {
    pub name: String,
    /// `None`: unset.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One reason a step is rebuilt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Cause {
    /// The step it builds on is rebuilt.
    Parent {
        /// That step's line.
        line: usize,
        /// Its stage.
        stage: String,
    },
    /// Changed context files the step copies or mounts.
    Context {
        /// The source as expanded.
        source: String,
        /// How the step reads it.
        via: ReadVia,
        /// The changed files it selects.
        files: Vec<String>,
    },
    /// The environment of a `RUN` changed (ARG or ENV values).
    Environment { variables: Vec<VariableChange> },
    /// The instruction, after expansion, is not what the cache holds.
    Instruction { before: String, after: String },
    /// Paths copied or mounted from another stage may change.
    Stage {
        stage: String,
        paths: Vec<String>,
        /// Lines of the steps there that rebuild and write those paths.
        writers: Vec<usize>,
        /// Whether a writer copies changed files there (otherwise only `RUN` steps re-run,
        /// and their output may come out the same).
        certain: bool,
    },
    /// A changed image the step copies or mounts from.
    Image { image: String },
    /// The base image changed.
    BaseImage { image: String },
    /// The base stage is rebuilt.
    BaseStage { stage: String, line: usize },
    /// The step is not in the Dockerfile the cache was built from.
    New,
}

/// The prediction for one step.
#[derive(Debug, Clone, Serialize)]
pub struct StepPrediction {
    /// The stage name (or `stage-N`).
    pub stage: String,
    /// The stage's position in the file.
    pub stage_index: usize,
    /// Position in the stage (0 is the `FROM`).
    pub index: usize,
    /// First line.
    pub line: usize,
    /// Last line.
    pub end_line: usize,
    /// The instruction as written (lines joined).
    pub instruction: String,
    /// What kind of step BuildKit makes of it.
    pub op: StepOp,
    /// BuildKit cannot take it from the cache (never true for config steps).
    pub rebuilt: bool,
    /// The rebuild does not depend on whether a re-run `RUN` writes the same files.
    pub certain: bool,
    /// Why, in words.
    pub reason: String,
    /// Why, as data.
    pub causes: Vec<Cause>,
    /// `COPY --link` after a rebuilt parent: the copy is reused, only re-linked (cheap).
    pub relinked: bool,
    /// For a config step: its effect on the image config changes.
    pub config_changed: bool,
    /// The stage is built for the target.
    pub needed: bool,
}

/// The prediction for one stage.
#[derive(Debug, Clone, Serialize)]
pub struct StagePrediction {
    pub stage: String,
    pub index: usize,
    /// Built for the target.
    pub needed: bool,
    /// Its first rebuilt step.
    pub first_rebuilt: Option<StepRef>,
    /// Rebuilt steps (exec and file ops and `FROM`).
    pub rebuilt: usize,
    /// Steps that have a cache record (exec and file ops and `FROM`).
    pub steps: usize,
}

/// Whether building a stage as the target rebuilds anything.
#[derive(Debug, Clone, Serialize)]
pub struct TargetPrediction {
    pub stage: String,
    pub index: usize,
    /// Building it (with the stages it needs) rebuilds at least one step.
    pub affected: bool,
}

/// What a change rebuilds.
#[derive(Debug, Clone, Serialize)]
pub struct CachePrediction {
    /// Every step of every stage, in file order.
    pub steps: Vec<StepPrediction>,
    /// The first rebuilt step (by line) among the stages the target needs.
    pub first_rebuilt: Option<StepRef>,
    /// Per stage.
    pub stages: Vec<StagePrediction>,
    /// The target stage.
    pub target: Option<String>,
    /// Per stage, as if it were the `--target`.
    pub targets: Vec<TargetPrediction>,
    /// Stages that would rebuild something if built as the target.
    pub affected_targets: Vec<String>,
    /// The changed paths, as the build sees them.
    pub changed: Vec<ChangedPath>,
    /// Build args whose value changes.
    pub changed_args: Vec<VariableChange>,
    /// Changed images.
    pub changed_images: Vec<String>,
    /// What BuildKit would reject in the new Dockerfile.
    pub errors: Vec<PlanError>,
}

impl CachePrediction {
    /// The prediction for the step on `line`, if a step starts there.
    pub fn step_at(&self, line: usize) -> Option<&StepPrediction> {
        self.steps.iter().find(|s| s.line == line)
    }
}

/// Classifies changed paths against the context (see [`CacheChanges`]).
pub fn classify_changes(
    changes: &CacheChanges<'_>,
    context: Option<CacheContext<'_>>,
) -> Result<Vec<ChangedPath>, CacheError> {
    let paths = changes.paths;
    let mut out: Vec<ChangedPath> = Vec::new();
    let by_path: HashMap<&str, usize> = context
        .map(|c| {
            c.walk
                .entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.path.as_str(), i))
                .collect()
        })
        .unwrap_or_default();
    for raw in paths {
        let path = normalize_source(raw);
        if out.iter().any(|c| c.path == path) {
            continue;
        }
        let mut changed = ChangedPath {
            path: path.clone(),
            sent: true,
            ignored_by: None,
            deleted: false,
            files: Vec::new(),
            used_by: Vec::new(),
            dir: false,
        };
        let Some(context) = context else {
            changed.dir = true;
            out.push(changed);
            continue;
        };
        let explain = |decision: crate::pattern::Decision| {
            decision.decided_by.map(|p| IgnorePattern {
                pattern: context.rules.pattern_text(p),
                line: context.rules.line_of(p),
            })
        };
        if path.is_empty() {
            changed.dir = true;
            changed.files = context.walk.files().map(|e| e.path.clone()).collect();
        } else if let Some(&i) = by_path.get(path.as_str()) {
            let entry = &context.walk.entries[i];
            if entry.kind == EntryKind::Dir {
                changed.dir = true;
                let prefix = format!("{path}/");
                changed.files = context
                    .walk
                    .files()
                    .filter(|e| e.path.starts_with(&prefix))
                    .map(|e| e.path.clone())
                    .collect();
            }
        } else {
            let on_disk = std::fs::symlink_metadata(context.walk.root.join(&path));
            match on_disk {
                Ok(meta) => {
                    // It exists but the walk did not send it: the ignore file excludes it.
                    changed.dir = meta.is_dir();
                    changed.sent = false;
                    changed.ignored_by = explain(context.rules.decide_in_walk(path.as_bytes())?);
                }
                Err(_) => {
                    changed.deleted = true;
                    changed.dir = true;
                    let decision = context.rules.decide(path.as_bytes())?;
                    if decision.excluded {
                        changed.sent = false;
                        changed.ignored_by = explain(decision);
                    }
                }
            }
        }
        out.push(changed);
    }
    for raw in changes.no_longer_sent {
        let path = normalize_source(raw);
        if out.iter().any(|c| c.path == path) {
            continue;
        }
        out.push(ChangedPath {
            path,
            sent: true,
            ignored_by: None,
            deleted: true,
            files: Vec::new(),
            used_by: Vec::new(),
            dir: false,
        });
    }
    Ok(out)
}

/// What one fact of a step stands for.
#[derive(Debug, Clone)]
enum Fact {
    Parent {
        stage: usize,
        step: usize,
    },
    Definition(String),
    Environment(Variables),
    Context {
        source: String,
        via: ReadVia,
        files: Vec<String>,
    },
    Stage {
        from: FromRef,
        paths: Vec<String>,
        writers: Vec<Writer>,
    },
    BaseImage {
        image: String,
    },
    BaseStage {
        stage: usize,
    },
}

/// Facts are compared between the two builds by label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Parent,
    Definition,
    Environment,
    Context(usize),
    Stage(usize),
    Base,
}

#[derive(Debug, Clone)]
struct KeyedFact {
    label: Label,
    key: Key,
    fact: Fact,
}

/// A step that may have written a path another stage reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Writer {
    stage: usize,
    step: usize,
    key: Key,
    /// A `RUN` or a base image: what it writes is unknown.
    output: bool,
}

#[derive(Debug, Clone)]
struct StepKeys {
    /// The cache key: definition, inputs and the parent's key.
    key: Key,
    /// For file ops: the key without the parent (what `--link` reuses and what a reader of
    /// the written files sees).
    content: Key,
    facts: Vec<KeyedFact>,
}

/// The keys of one build.
struct Keyed {
    stages: Vec<Vec<StepKeys>>,
}

/// The paths overlap: one is the other or lies below it (wildcards end the comparison).
fn overlaps(a: &str, b: &str) -> bool {
    let fixed = |p: &str| -> String {
        let parts: Vec<&str> = p
            .split('/')
            .take_while(|c| !c.contains(['*', '?', '[']))
            .collect();
        parts.join("/")
    };
    let (a, b) = (fixed(a), fixed(b));
    let a = a.trim_end_matches('/');
    let b = b.trim_end_matches('/');
    a.is_empty()
        || b.is_empty()
        || a == b
        || b.starts_with(&format!("{a}/"))
        || a.starts_with(&format!("{b}/"))
}

struct Evaluator<'p> {
    plan: &'p BuildPlan,
    changes: &'p [ChangedPath],
    images: &'p [String],
}

impl Evaluator<'_> {
    /// Changed files the build receives that a source selects.
    fn selected(
        &self,
        source: &crate::copy_source::CopySource,
        line: usize,
    ) -> Result<Vec<String>, CacheError> {
        let mut files = BTreeSet::new();
        for change in self.changes.iter().filter(|c| c.sent) {
            let wrap = |source: CopyError| CacheError::Copy { line, source };
            if change.files.is_empty() {
                if source.selects(&change.path, change.dir).map_err(wrap)? {
                    files.insert(change.path.clone());
                }
            } else {
                for file in &change.files {
                    if source.selects(file, false).map_err(wrap)? {
                        files.insert(file.clone());
                    }
                }
            }
        }
        Ok(files.into_iter().collect())
    }

    fn image_changed(&self, image: &str) -> bool {
        self.images.iter().any(|i| i == image)
    }

    fn evaluate(&self) -> Result<Keyed, CacheError> {
        let mut keyed = Keyed { stages: Vec::new() };
        for stage in &self.plan.stages {
            let mut steps: Vec<StepKeys> = Vec::with_capacity(stage.steps.len());
            let mut parent: Option<(Key, usize, usize)> = None;
            for step in &stage.steps {
                let mut facts = Vec::new();
                let keys = match step.op {
                    StepOp::Base => {
                        let (fact, key) = match &stage.base {
                            PlannedBase::Scratch => (
                                Fact::BaseImage {
                                    image: "scratch".to_owned(),
                                },
                                key_of(&[b"scratch"]),
                            ),
                            PlannedBase::Image { reference, .. } => {
                                let changed = self.image_changed(reference);
                                (
                                    Fact::BaseImage {
                                        image: reference.clone(),
                                    },
                                    key_of(&[b"image", reference.as_bytes(), &[changed as u8]]),
                                )
                            }
                            PlannedBase::Stage { index } => (
                                Fact::BaseStage { stage: *index },
                                last_key(&keyed.stages, *index),
                            ),
                        };
                        facts.push(KeyedFact {
                            label: Label::Base,
                            key,
                            fact,
                        });
                        let key = key_of(&[b"base", &key]);
                        StepKeys {
                            key,
                            content: key,
                            facts,
                        }
                    }
                    StepOp::Config => {
                        let key = parent.map(|p| p.0).unwrap_or_default();
                        StepKeys {
                            key,
                            content: key,
                            facts,
                        }
                    }
                    StepOp::Exec | StepOp::File => {
                        facts.push(KeyedFact {
                            label: Label::Definition,
                            key: key_of(&[step.definition.as_bytes()]),
                            fact: Fact::Definition(step.display.clone()),
                        });
                        if let Some(env) = &step.env {
                            let mut parts: Vec<&[u8]> = Vec::new();
                            for (k, v) in env.iter() {
                                parts.push(k.as_bytes());
                                parts.push(v.as_bytes());
                            }
                            facts.push(KeyedFact {
                                label: Label::Environment,
                                key: key_of(&parts),
                                fact: Fact::Environment(env.clone()),
                            });
                        }
                        for (i, read) in step.context_reads.iter().enumerate() {
                            let files = self.selected(&read.source, step.line)?;
                            let mut parts: Vec<&[u8]> = vec![read.source.source.as_bytes()];
                            parts.extend(files.iter().map(|f| f.as_bytes()));
                            facts.push(KeyedFact {
                                label: Label::Context(i),
                                key: key_of(&parts),
                                fact: Fact::Context {
                                    source: read.source.source.clone(),
                                    via: read.via,
                                    files,
                                },
                            });
                        }
                        for (i, read) in step.stage_reads.iter().enumerate() {
                            let (key, writers) = match &read.from {
                                FromRef::Image(image) => (
                                    key_of(&[
                                        b"image",
                                        image.as_bytes(),
                                        &[self.image_changed(image) as u8],
                                    ]),
                                    Vec::new(),
                                ),
                                FromRef::Stage(s) => {
                                    let writers = self.writers(&keyed, *s, &read.paths);
                                    let mut parts: Vec<&[u8]> =
                                        read.paths.iter().map(|p| p.as_bytes()).collect();
                                    parts.extend(writers.iter().map(|w| &w.key[..]));
                                    (key_of(&parts), writers)
                                }
                            };
                            facts.push(KeyedFact {
                                label: Label::Stage(i),
                                key,
                                fact: Fact::Stage {
                                    from: read.from.clone(),
                                    paths: read.paths.clone(),
                                    writers,
                                },
                            });
                        }
                        let kind: &[u8] = if step.op == StepOp::Exec {
                            b"exec"
                        } else {
                            b"file"
                        };
                        let mut parts: Vec<&[u8]> = vec![kind];
                        parts.extend(facts.iter().map(|f| &f.key[..]));
                        let content = key_of(&parts);
                        let parent_key = parent.map(|p| p.0).unwrap_or_default();
                        if let Some((key, s, i)) = parent {
                            facts.push(KeyedFact {
                                label: Label::Parent,
                                key,
                                fact: Fact::Parent { stage: s, step: i },
                            });
                        }
                        let key = key_of(&[&content, &parent_key]);
                        StepKeys {
                            key,
                            content,
                            facts,
                        }
                    }
                };
                if step.op != StepOp::Config {
                    parent = Some((keys.key, stage.index, step.index));
                }
                steps.push(keys);
            }
            keyed.stages.push(steps);
        }
        Ok(keyed)
    }

    /// The steps of stage `s` (and its base stages) that may have written under `paths`.
    fn writers(&self, keyed: &Keyed, s: usize, paths: &[String]) -> Vec<Writer> {
        let len = self.plan.stages.get(s).map_or(0, |st| st.steps.len());
        let mut out = Vec::new();
        for (ws, wi) in self.plan.chain_before(s, len) {
            let (Some(step), Some(keys)) = (
                self.plan.stages[ws].steps.get(wi),
                keyed.stages.get(ws).and_then(|k| k.get(wi)),
            ) else {
                continue;
            };
            let writer = match (&step.op, &step.writes) {
                (StepOp::Base, _) => match self.plan.stages[ws].base {
                    PlannedBase::Stage { .. } => None,
                    _ => Some(Writer {
                        stage: ws,
                        step: wi,
                        key: keys.key,
                        output: true,
                    }),
                },
                (StepOp::Exec, _) => Some(Writer {
                    stage: ws,
                    step: wi,
                    key: keys.key,
                    output: true,
                }),
                (StepOp::File, Writes::Below(dest)) => {
                    paths.iter().any(|p| overlaps(dest, p)).then_some(Writer {
                        stage: ws,
                        step: wi,
                        key: keys.content,
                        output: false,
                    })
                }
                _ => None,
            };
            out.extend(writer);
        }
        out.reverse();
        out
    }
}

fn last_key(stages: &[Vec<StepKeys>], index: usize) -> Key {
    stages
        .get(index)
        .and_then(|s| s.last())
        .map(|k| k.key)
        .unwrap_or_default()
}

/// What to predict.
#[derive(Debug, Clone, Copy)]
pub struct CacheQuery<'a> {
    /// The new build.
    pub after: &'a BuildPlan,
    /// The build the cache holds (the same plan when only context paths or images change).
    pub before: &'a BuildPlan,
    /// Whether `before` comes from a different Dockerfile (steps are then matched by stage
    /// name and position for the reasons).
    pub dockerfile_changed: bool,
    /// What changed in the context and among images.
    pub changes: CacheChanges<'a>,
    /// The context, when known (without it every changed path counts as sent).
    pub context: Option<CacheContext<'a>>,
}

fn variable_changes(before: &Variables, after: &Variables) -> Vec<VariableChange> {
    let mut names: Vec<&str> = after.names().collect();
    for name in before.names() {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
        .into_iter()
        .filter(|n| before.get(n) != after.get(n))
        .map(|n| VariableChange {
            name: n.to_owned(),
            before: before.get(n).map(str::to_owned),
            after: after.get(n).map(str::to_owned),
        })
        .collect()
}

/// Predicts what the changes rebuild (see the [module documentation](self)).
pub fn predict(query: &CacheQuery<'_>) -> Result<CachePrediction, CacheError> {
    let mut changed = classify_changes(&query.changes, query.context)?;
    let after_keys = Evaluator {
        plan: query.after,
        changes: &changed,
        images: query.changes.images,
    }
    .evaluate()?;
    let before_keys = Evaluator {
        plan: query.before,
        changes: &[],
        images: &[],
    }
    .evaluate()?;

    let mut cached: HashSet<Key> = HashSet::new();
    let mut cached_content: HashSet<Key> = HashSet::new();
    for (stage, keys) in query.before.stages.iter().zip(&before_keys.stages) {
        for (step, k) in stage.steps.iter().zip(keys) {
            if step.op != StepOp::Config {
                cached.insert(k.key);
                cached_content.insert(k.content);
            }
        }
    }

    // Which stage of the old build each new stage corresponds to.
    let counterpart_stage = |s: usize| -> Option<usize> {
        if !query.dockerfile_changed {
            return Some(s);
        }
        let stage = &query.after.stages[s];
        match &stage.name {
            Some(name) => query.before.stage_named(name),
            None => query
                .before
                .stages
                .get(s)
                .filter(|b| b.name.is_none())
                .map(|b| b.index),
        }
    };

    let plan = query.after;
    let mut rebuilt: Vec<Vec<bool>> = Vec::new();
    let mut certain: Vec<Vec<bool>> = Vec::new();
    let mut own_certain: Vec<Vec<bool>> = Vec::new();
    let mut steps_out = Vec::new();

    for (s, stage) in plan.stages.iter().enumerate() {
        let before_stage = counterpart_stage(s);
        let mut stage_rebuilt = Vec::new();
        let mut stage_certain = Vec::new();
        let mut stage_own = Vec::new();
        for (i, step) in stage.steps.iter().enumerate() {
            let keys = &after_keys.stages[s][i];
            let counterpart = before_stage.and_then(|b| {
                let st = query.before.stages[b].steps.get(i)?;
                (st.kind == step.kind).then_some((b, i))
            });
            let before_step = counterpart.map(|(b, i)| &query.before.stages[b].steps[i]);
            let before_facts = counterpart.map(|(b, i)| &before_keys.stages[b][i].facts);

            let is_op = step.op != StepOp::Config;
            let is_rebuilt = is_op && !cached.contains(&keys.key);
            let mut causes = Vec::new();
            let mut any_certain = false;
            let mut any_own_certain = false;
            let mut relinked = false;
            let mut config_changed = false;

            if !is_op {
                config_changed = match before_step {
                    Some(b) => b.config != step.config,
                    None => true,
                };
            } else if is_rebuilt {
                match before_facts {
                    None => {
                        causes.push(Cause::New);
                        any_certain = true;
                        any_own_certain = true;
                    }
                    Some(before_facts) => {
                        let mut parent_cause = None;
                        for fact in &keys.facts {
                            let old = before_facts.iter().find(|f| f.label == fact.label);
                            if old.is_some_and(|o| o.key == fact.key) {
                                continue;
                            }
                            match (&fact.fact, old.map(|o| &o.fact)) {
                                (
                                    Fact::Parent {
                                        stage: ps,
                                        step: pi,
                                    },
                                    _,
                                ) => {
                                    let (p_rebuilt, p_certain) = if *ps == s {
                                        (stage_rebuilt.get(*pi), stage_certain.get(*pi))
                                    } else {
                                        (
                                            rebuilt.get(*ps).and_then(|r| r.get(*pi)),
                                            certain.get(*ps).and_then(|c| c.get(*pi)),
                                        )
                                    };
                                    if p_rebuilt.copied().unwrap_or(false) {
                                        any_certain |= p_certain.copied().unwrap_or(true);
                                        parent_cause = Some(Cause::Parent {
                                            line: plan.stages[*ps].steps[*pi].line,
                                            stage: plan.stages[*ps].label(),
                                        });
                                    }
                                }
                                (Fact::Definition(after), old) => {
                                    let before = match old {
                                        Some(Fact::Definition(b)) => b.clone(),
                                        _ => String::new(),
                                    };
                                    causes.push(Cause::Instruction {
                                        before,
                                        after: after.clone(),
                                    });
                                    any_certain = true;
                                    any_own_certain = true;
                                }
                                (Fact::Environment(after), old) => {
                                    let empty = Variables::new();
                                    let before = match old {
                                        Some(Fact::Environment(b)) => b,
                                        _ => &empty,
                                    };
                                    causes.push(Cause::Environment {
                                        variables: variable_changes(before, after),
                                    });
                                    any_certain = true;
                                    any_own_certain = true;
                                }
                                (Fact::Context { files, .. }, _) if files.is_empty() => {
                                    // The source itself differs (an ARG in it changed): the
                                    // definition says so.
                                }
                                (Fact::Context { source, via, files }, _) => {
                                    causes.push(Cause::Context {
                                        source: source.clone(),
                                        via: *via,
                                        files: files.clone(),
                                    });
                                    any_certain = true;
                                    any_own_certain = true;
                                }
                                (
                                    Fact::Stage {
                                        from,
                                        paths,
                                        writers,
                                    },
                                    old,
                                ) => match from {
                                    FromRef::Image(image) => {
                                        causes.push(Cause::Image {
                                            image: image.clone(),
                                        });
                                    }
                                    FromRef::Stage(from) => {
                                        let old_writers: Vec<Key> = match old {
                                            Some(Fact::Stage { writers, .. }) => {
                                                writers.iter().map(|w| w.key).collect()
                                            }
                                            _ => Vec::new(),
                                        };
                                        let changed_writers: Vec<&Writer> = writers
                                            .iter()
                                            .filter(|w| !old_writers.contains(&w.key))
                                            .collect();
                                        let sure = changed_writers.iter().any(|w| {
                                            !w.output
                                                && own_certain[w.stage]
                                                    .get(w.step)
                                                    .copied()
                                                    .unwrap_or(false)
                                        });
                                        any_certain |= sure;
                                        any_own_certain |= sure;
                                        causes.push(Cause::Stage {
                                            stage: plan.stages[*from].label(),
                                            paths: paths.clone(),
                                            writers: changed_writers
                                                .iter()
                                                .map(|w| plan.stages[w.stage].steps[w.step].line)
                                                .collect(),
                                            certain: sure,
                                        });
                                    }
                                },
                                (Fact::BaseImage { image, .. }, _) => {
                                    causes.push(Cause::BaseImage {
                                        image: image.clone(),
                                    });
                                    any_certain = true;
                                    any_own_certain = true;
                                }
                                (Fact::BaseStage { stage: base }, _) => {
                                    let last = plan.stages[*base]
                                        .steps
                                        .iter()
                                        .rposition(|st| st.op != StepOp::Config)
                                        .unwrap_or(0);
                                    let c = certain[*base].get(last).copied().unwrap_or(true);
                                    any_certain |= c;
                                    causes.push(Cause::BaseStage {
                                        stage: plan.stages[*base].label(),
                                        line: plan.stages[*base].steps[last].line,
                                    });
                                }
                            }
                        }
                        if let Some(parent) = parent_cause {
                            relinked = step.link && cached_content.contains(&keys.content);
                            causes.push(parent);
                        }
                        if causes.is_empty() {
                            // Same inputs as its counterpart, yet no cache record: the old
                            // build never made this step (its stage was not built).
                            causes.push(Cause::New);
                            any_certain = true;
                        }
                    }
                }
            }
            let reason = describe(
                step.op,
                is_rebuilt,
                relinked,
                config_changed,
                &causes,
                stage.needed,
            );
            steps_out.push(StepPrediction {
                stage: stage.label(),
                stage_index: s,
                index: i,
                line: step.line,
                end_line: step.end_line,
                instruction: one_line(&step.text),
                op: step.op,
                rebuilt: is_rebuilt,
                certain: !is_rebuilt || any_certain,
                reason,
                causes,
                relinked,
                config_changed,
                needed: stage.needed,
            });
            stage_rebuilt.push(is_rebuilt);
            stage_certain.push(!is_rebuilt || any_certain);
            stage_own.push(any_own_certain);
        }
        rebuilt.push(stage_rebuilt);
        certain.push(stage_certain);
        own_certain.push(stage_own);
    }

    // Which steps read each changed path.
    for change in &mut changed {
        let mut lines = BTreeSet::new();
        for step in &steps_out {
            for cause in &step.causes {
                if let Cause::Context { files, .. } = cause
                    && files.iter().any(|f| {
                        f == &change.path || change.files.contains(f) || {
                            let prefix = format!("{}/", change.path);
                            f.starts_with(&prefix)
                        }
                    })
                {
                    lines.insert(step.line);
                }
            }
        }
        change.used_by = lines.into_iter().collect();
    }

    let step_ref = |p: &StepPrediction| StepRef {
        stage: p.stage.clone(),
        index: p.index,
        line: p.line,
        instruction: p.instruction.clone(),
    };
    let first_rebuilt = steps_out
        .iter()
        .filter(|p| p.rebuilt && p.needed)
        .min_by_key(|p| p.line)
        .map(step_ref);
    let stages = plan
        .stages
        .iter()
        .map(|stage| {
            let mine: Vec<&StepPrediction> = steps_out
                .iter()
                .filter(|p| p.stage_index == stage.index)
                .collect();
            StagePrediction {
                stage: stage.label(),
                index: stage.index,
                needed: stage.needed,
                first_rebuilt: mine.iter().find(|p| p.rebuilt).map(|p| step_ref(p)),
                rebuilt: mine.iter().filter(|p| p.rebuilt).count(),
                steps: mine.iter().filter(|p| p.op != StepOp::Config).count(),
            }
        })
        .collect::<Vec<_>>();
    let targets: Vec<TargetPrediction> = plan
        .stages
        .iter()
        .map(|stage| {
            let needed = plan.needed_by(stage.index);
            TargetPrediction {
                stage: stage.label(),
                index: stage.index,
                affected: stages
                    .iter()
                    .zip(&needed)
                    .any(|(st, n)| *n && st.rebuilt > 0),
            }
        })
        .collect();
    let affected_targets = targets
        .iter()
        .filter(|t| t.affected)
        .map(|t| t.stage.clone())
        .collect();
    Ok(CachePrediction {
        steps: steps_out,
        first_rebuilt,
        stages,
        target: plan.target.map(|t| plan.stages[t].label()),
        targets,
        affected_targets,
        changed,
        changed_args: Vec::new(),
        changed_images: query.changes.images.to_vec(),
        errors: plan.errors.clone(),
    })
}

fn list(items: &[String], max: usize) -> String {
    let shown: Vec<&str> = items.iter().take(max).map(String::as_str).collect();
    let mut text = shown.join(", ");
    if items.len() > max {
        text.push_str(&format!(" (+{} more)", items.len() - max));
    }
    text
}

fn value(v: &Option<String>) -> String {
    match v {
        Some(v) => format!("{v:?}"),
        None => "unset".to_owned(),
    }
}

/// The reason in words.
fn describe(
    op: StepOp,
    rebuilt: bool,
    relinked: bool,
    config_changed: bool,
    causes: &[Cause],
    needed: bool,
) -> String {
    if op == StepOp::Config {
        return if config_changed {
            "no build step (image config or environment only); its value changes".to_owned()
        } else {
            "no build step (image config or environment only)".to_owned()
        };
    }
    if !rebuilt {
        return if needed {
            "cached".to_owned()
        } else {
            "cached (stage not built for the target)".to_owned()
        };
    }
    let mut parts = Vec::new();
    for cause in causes {
        parts.push(match cause {
            Cause::New => "not in the cache: a new or edited instruction".to_owned(),
            Cause::Context { via, files, .. } => format!(
                "{} changed {} {}",
                match via {
                    ReadVia::BindMount | ReadVia::CacheMount => "mounts",
                    ReadVia::Copy | ReadVia::Add => "copies",
                },
                if files.len() == 1 { "file" } else { "files" },
                list(files, 3)
            ),
            Cause::Environment { variables } => {
                let names: Vec<String> = variables
                    .iter()
                    .map(|v| {
                        format!(
                            "{} {} -> {}",
                            v.name,
                            value(&v.before),
                            value(&v.after)
                        )
                    })
                    .collect();
                format!("the RUN environment changes: {}", names.join(", "))
            }
            Cause::Instruction { before, after } if before.is_empty() => {
                format!("instruction changed: {after}")
            }
            Cause::Instruction { before, after } => {
                format!("instruction changed: {before} -> {after}")
            }
            Cause::Stage {
                stage,
                paths,
                writers,
                certain,
            } => {
                let lines: Vec<String> = writers.iter().map(|l| l.to_string()).collect();
                if *certain {
                    format!(
                        "{} from stage {stage} changes (line {})",
                        list(paths, 3),
                        lines.join(", ")
                    )
                } else {
                    format!(
                        "{} from stage {stage} may change: line {} re-runs (cached if the files come out identical)",
                        list(paths, 3),
                        lines.join(", ")
                    )
                }
            }
            Cause::Image { image } => format!("image {image} changed"),
            Cause::BaseImage { image } => format!("base image {image} changed"),
            Cause::BaseStage { stage, line } => {
                format!("base stage {stage} is rebuilt (line {line})")
            }
            Cause::Parent { line, .. } => {
                let mut text = format!("follows rebuilt line {line}");
                if relinked {
                    text.push_str(" (--link: the copy is reused and only re-linked)");
                }
                text
            }
        });
    }
    parts.join("; ")
}

/// Changed paths from git: `git diff --name-only REV` in `dir` (the working tree against
/// REV, staged or not) plus untracked files, relative to `dir`, outside paths dropped.
pub fn git_changed_paths(dir: &Path, rev: &str) -> std::io::Result<Vec<String>> {
    let run = |args: &[&str]| -> std::io::Result<String> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()?;
        if !out.status.success() {
            return Err(std::io::Error::other(format!(
                "git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let diff = run(&[
        "diff",
        "--name-only",
        "--relative",
        "--no-renames",
        rev,
        "--",
        ".",
    ])?;
    let untracked = run(&["ls-files", "--others", "--exclude-standard", "--", "."])?;
    let mut paths: Vec<String> = diff
        .lines()
        .chain(untracked.lines())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// The variables `changed` gives new values for, with their old values.
pub fn build_arg_changes(
    before: &BTreeMap<String, String>,
    changed: &BTreeMap<String, String>,
) -> Vec<VariableChange> {
    changed
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, v)| VariableChange {
            name: k.clone(),
            before: before.get(k).cloned(),
            after: Some(v.clone()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::BuildOptions;
    use crate::walk::{WalkOptions, walk_context};

    struct Project {
        dir: tempfile::TempDir,
        dockerfile: String,
    }

    fn project(dockerfile: &str, files: &[(&str, &str)]) -> Project {
        let dir = tempfile::tempdir().unwrap();
        for (rel, content) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
        Project {
            dir,
            dockerfile: dockerfile.to_owned(),
        }
    }

    fn predict_with(
        p: &Project,
        changed: &[&str],
        args: &[(&str, &str)],
        changed_args: &[(&str, &str)],
        images: &[&str],
    ) -> CachePrediction {
        let doc = dockwright_syntax::parse(&p.dockerfile).unwrap();
        let to_map = |a: &[(&str, &str)]| -> BTreeMap<String, String> {
            a.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let before_options = BuildOptions {
            build_args: to_map(args),
            target: None,
        };
        let mut after_options = before_options.clone();
        after_options.build_args.extend(to_map(changed_args));
        let before = BuildPlan::new(&doc, &before_options);
        let after = BuildPlan::new(&doc, &after_options);
        let rules = Dockerignore::load_for_build(p.dir.path(), None).unwrap();
        let walk = walk_context(p.dir.path(), &rules, WalkOptions::default()).unwrap();
        let paths: Vec<String> = changed.iter().map(|s| s.to_string()).collect();
        let images: Vec<String> = images.iter().map(|s| s.to_string()).collect();
        predict(&CacheQuery {
            after: &after,
            before: &before,
            dockerfile_changed: false,
            changes: CacheChanges {
                paths: &paths,
                no_longer_sent: &[],
                images: &images,
            },
            context: Some(CacheContext {
                walk: &walk,
                rules: &rules,
            }),
        })
        .unwrap()
    }

    fn rebuilt_lines(p: &CachePrediction) -> Vec<usize> {
        p.steps
            .iter()
            .filter(|s| s.rebuilt)
            .map(|s| s.line)
            .collect()
    }

    const NODE: &str = "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nENV PORT=80\nCMD [\"node\", \"dist/index.js\"]\n";

    fn node() -> Project {
        project(
            NODE,
            &[
                ("package.json", "{}"),
                ("package-lock.json", "{}"),
                ("src/index.js", "1"),
                ("README.md", "r"),
                ("logs/a.log", "l"),
                (".dockerignore", "logs\n"),
            ],
        )
    }

    #[test]
    fn source_edit_rebuilds_from_the_copy_of_everything() {
        let p = predict_with(&node(), &["src/index.js"], &[], &[], &[]);
        assert_eq!(rebuilt_lines(&p), [5, 6]);
        let first = p.first_rebuilt.unwrap();
        assert_eq!(
            (first.stage.as_str(), first.index, first.line),
            ("stage-0", 4, 5)
        );
        assert_eq!(
            p.steps[4].causes,
            [Cause::Context {
                source: ".".into(),
                via: ReadVia::Copy,
                files: vec!["src/index.js".into()]
            }]
        );
        assert_eq!(p.steps[5].reason, "follows rebuilt line 5");
        // Config steps are never rebuilt.
        assert!(!p.steps[6].rebuilt && p.steps[6].op == StepOp::Config);
        assert_eq!(p.changed[0].used_by, [5]);
    }

    #[test]
    fn manifest_edit_rebuilds_the_install() {
        let p = predict_with(&node(), &["package-lock.json"], &[], &[], &[]);
        assert_eq!(rebuilt_lines(&p), [3, 4, 5, 6]);
        assert_eq!(p.changed[0].used_by, [3, 5]);
    }

    #[test]
    fn ignored_and_unrelated_edits_rebuild_nothing() {
        let p = predict_with(&node(), &["logs/a.log", "logs"], &[], &[], &[]);
        assert!(rebuilt_lines(&p).is_empty());
        assert!(p.first_rebuilt.is_none());
        assert!(!p.changed[0].sent);
        assert_eq!(p.changed[0].ignored_by.as_ref().unwrap().pattern, "logs");
        // A deleted file the ignore file would not exclude still counts.
        let p = predict_with(&node(), &["src/gone.js"], &[], &[], &[]);
        assert_eq!(rebuilt_lines(&p), [5, 6]);
        assert!(p.changed[0].deleted);
        // A changed directory stands for the files below it.
        let p = predict_with(&node(), &["src"], &[], &[], &[]);
        assert_eq!(rebuilt_lines(&p), [5, 6]);
        assert_eq!(p.changed[0].files, ["src/index.js"]);
    }

    const ARGS: &str = "FROM alpine\nRUN echo one\nARG V=1\nCOPY req.txt ./\nRUN echo two\nLABEL v=$V\nFROM alpine AS other\nARG V\nCOPY --from=0 /req.txt /r\n";

    #[test]
    fn changed_arg_rebuilds_each_run_after_its_declaration() {
        let files = [("req.txt", "r")];
        let p = predict_with(&project(ARGS, &files), &[], &[], &[("V", "2")], &[]);
        // The COPY after the ARG stays cached; the RUN after it sees V in its environment.
        // The other stage copies /req.txt, which that RUN could have rewritten: maybe.
        assert_eq!(rebuilt_lines(&p), [5, 9]);
        assert!(!p.step_at(9).unwrap().certain);
        let Cause::Environment { variables } = &p.step_at(5).unwrap().causes[0] else {
            panic!("{:?}", p.step_at(5))
        };
        assert_eq!(
            variables,
            &[VariableChange {
                name: "V".into(),
                before: Some("1".into()),
                after: Some("2".into())
            }]
        );
        assert!(p.step_at(6).unwrap().config_changed);
        // The same value as the default, or an arg nobody declares: nothing.
        let p = predict_with(&project(ARGS, &files), &[], &[], &[("V", "1")], &[]);
        assert!(rebuilt_lines(&p).is_empty());
        let p = predict_with(&project(ARGS, &files), &[], &[], &[("W", "1")], &[]);
        assert!(rebuilt_lines(&p).is_empty());
        // A build arg given before and changed now.
        let p = predict_with(
            &project(ARGS, &files),
            &[],
            &[("V", "5")],
            &[("V", "6")],
            &[],
        );
        assert_eq!(rebuilt_lines(&p), [5, 9]);
    }

    const STAGES: &str = "FROM alpine AS gen\nCOPY a.txt /a.txt\nRUN cat /a.txt > /out.txt\nCOPY b.txt /b.txt\nFROM alpine AS other\nRUN echo other > /o\nFROM alpine\nCOPY --from=gen /out.txt /out.txt\nCOPY --from=gen /b.txt /b.txt\nCOPY --from=other /o /o\nRUN true\n";

    fn stages() -> Project {
        project(STAGES, &[("a.txt", "a"), ("b.txt", "b")])
    }

    #[test]
    fn copy_from_follows_the_content_of_the_copied_paths() {
        // b.txt: only /b.txt changes; /out.txt (written by a cached RUN) does not.
        let p = predict_with(&stages(), &["b.txt"], &[], &[], &[]);
        assert_eq!(rebuilt_lines(&p), [4, 9, 10, 11]);
        let Cause::Stage {
            stage,
            writers,
            certain,
            ..
        } = &p.step_at(9).unwrap().causes[0]
        else {
            panic!()
        };
        assert_eq!(
            (stage.as_str(), writers.as_slice(), *certain),
            ("gen", &[4][..], true)
        );
        assert!(p.step_at(9).unwrap().certain);
        // a.txt: the RUN re-runs; whether /out.txt changes depends on its output.
        let p = predict_with(&stages(), &["a.txt"], &[], &[], &[]);
        assert_eq!(rebuilt_lines(&p), [2, 3, 4, 8, 9, 10, 11]);
        let out = p.step_at(8).unwrap();
        assert!(!out.certain, "{out:?}");
        assert!(
            out.reason.contains("may change: line 3 re-runs"),
            "{}",
            out.reason
        );
        // /b.txt is copied by a COPY that re-runs only because its parent did: same content.
        assert!(!p.step_at(9).unwrap().certain);
        // Only the stages the target needs count for first_rebuilt; targets report each stage.
        assert_eq!(p.first_rebuilt.as_ref().unwrap().line, 2);
        assert_eq!(p.affected_targets, ["gen", "stage-2"]);
    }

    #[test]
    fn base_image_changes_and_bind_mounts() {
        let src = "FROM alpine AS a\nRUN --mount=type=bind,source=m.txt,target=/m cat /m\nRUN --mount=type=cache,target=/root/.cache true\nFROM debian\nRUN --mount=type=bind,from=a,source=/etc,target=/e ls /e\n";
        let p = project(src, &[("m.txt", "m")]);
        let r = predict_with(&p, &["m.txt"], &[], &[], &[]);
        assert_eq!(rebuilt_lines(&r), [2, 3, 5]);
        assert!(!r.step_at(5).unwrap().certain);
        let r = predict_with(&p, &[], &[], &[], &["debian"]);
        assert_eq!(rebuilt_lines(&r), [4, 5]);
        assert_eq!(
            r.step_at(4).unwrap().causes,
            [Cause::BaseImage {
                image: "debian".into()
            }]
        );
    }

    #[test]
    fn copy_link_is_relinked_after_a_rebuilt_parent() {
        let src = "FROM alpine\nCOPY a.txt /a\nCOPY --link b.txt /b\nRUN true\n";
        let p = project(src, &[("a.txt", "a"), ("b.txt", "b")]);
        let r = predict_with(&p, &["a.txt"], &[], &[], &[]);
        assert_eq!(rebuilt_lines(&r), [2, 3, 4]);
        assert!(r.step_at(3).unwrap().relinked);
        assert!(r.step_at(3).unwrap().reason.contains("--link"));
        let r = predict_with(&p, &["b.txt"], &[], &[], &[]);
        assert!(!r.step_at(3).unwrap().relinked);
    }

    #[test]
    fn a_changed_dockerfile_is_compared_step_by_step() {
        let p = node();
        let old = dockwright_syntax::parse(NODE).unwrap();
        let new_text = NODE.replace("RUN npm run build", "RUN npm run build:prod");
        let new = dockwright_syntax::parse(&new_text).unwrap();
        let options = BuildOptions::default();
        let before = BuildPlan::new(&old, &options);
        let after = BuildPlan::new(&new, &options);
        let rules = Dockerignore::load_for_build(p.dir.path(), None).unwrap();
        let walk = walk_context(p.dir.path(), &rules, WalkOptions::default()).unwrap();
        let r = predict(&CacheQuery {
            after: &after,
            before: &before,
            dockerfile_changed: true,
            changes: CacheChanges {
                paths: &[],
                no_longer_sent: &[],
                images: &[],
            },
            context: Some(CacheContext {
                walk: &walk,
                rules: &rules,
            }),
        })
        .unwrap();
        assert_eq!(rebuilt_lines(&r), [6]);
        assert_eq!(
            r.step_at(6).unwrap().causes,
            [Cause::Instruction {
                before: "RUN npm run build".into(),
                after: "RUN npm run build:prod".into()
            }]
        );
    }

    #[test]
    fn an_arg_in_a_copy_source_changes_the_instruction() {
        let src = "FROM alpine\nARG SRC=a.txt\nCOPY $SRC /x\nRUN true\n";
        let r = predict_with(
            &project(src, &[("a.txt", "a"), ("b.txt", "b")]),
            &[],
            &[],
            &[("SRC", "b.txt")],
            &[],
        );
        assert_eq!(rebuilt_lines(&r), [3, 4]);
        assert_eq!(
            r.step_at(3).unwrap().causes,
            [Cause::Instruction {
                before: "COPY a.txt /x".into(),
                after: "COPY b.txt /x".into()
            }]
        );
    }

    #[test]
    fn stage_inheriting_args_rebuilds_its_runs() {
        let src = "FROM alpine AS base\nARG V=1\nFROM base\nRUN echo hi\n";
        let r = predict_with(&project(src, &[]), &[], &[], &[("V", "2")], &[]);
        assert_eq!(rebuilt_lines(&r), [4]);
    }

    #[test]
    fn overlapping_paths() {
        assert!(overlaps("/app", "/app/x"));
        assert!(overlaps("/app/x", "/app"));
        assert!(overlaps("/", "/etc"));
        assert!(overlaps("/usr/bin/", "/usr/bin/*"));
        assert!(overlaps("/usr/lib", "/usr/*/x"));
        assert!(!overlaps("/app", "/application"));
        assert!(!overlaps("/a/b", "/a/c"));
    }
}
