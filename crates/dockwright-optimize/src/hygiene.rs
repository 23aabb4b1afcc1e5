//! Package hygiene for the managers other than apt (apk, dnf/yum/microdnf, zypper, pip, npm,
//! yarn), and BuildKit cache mounts for the language package managers.
//!
//! Hygiene reuses the lint rules' own fixes: the rewritten Dockerfile is linted and the fixes
//! of the cache and non-interactive rules are applied to the stage that becomes the image.
//! Those rules read the shell model (which manager, which operation, which flags, which
//! caches a RUN leaves in its layer), so nothing here matches RUN text.

use dockwright_model::dockwright_shell::{
    Action, CacheLocation, Command as ShellCommand, Connector, PackageCommand, PackageFlagKind,
    PackageManager, PackageOperation,
};
use dockwright_model::{BuildOptions, Model, RunFacts, ScriptOrigin, StageBase};
use dockwright_rules::{Diagnostic, Edit, Fix, FixMode, Linter, Settings, Severity, apply_fixes};
use dockwright_syntax::{Dockerfile, InstructionKind};

use crate::{Change, ChangeKind};

/// The rules whose fixes make an install leave nothing behind (or not hang on a prompt),
/// and what each fix keeps out of the layer.
const HYGIENE_RULES: &[(&str, &str)] = &[
    (
        "DW2101",
        "pip's download cache (~/.cache/pip) no longer stays in the layer",
    ),
    (
        "DW2102",
        "apk's package index (/var/cache/apk/APKINDEX.*) no longer stays in the layer",
    ),
    (
        "DW2103",
        "yum's metadata and package cache (/var/cache/yum) no longer stays in the layer",
    ),
    (
        "DW2105",
        "dnf's metadata and package cache (/var/cache/dnf, /var/cache/yum) no longer stays in the layer",
    ),
    (
        "DW2106",
        "zypper's metadata and package cache (/var/cache/zypp) no longer stays in the layer",
    ),
    ("DW2107", "yarn's cache no longer stays in the layer"),
    (
        "DW1105",
        "the install answers yes instead of aborting at the prompt",
    ),
    (
        "DW1106",
        "the install answers yes instead of aborting at the prompt",
    ),
    (
        "DW1107",
        "zypper runs non-interactively instead of aborting at the prompt",
    ),
];

/// The code of the rule whose fix (`apk add --no-cache`) is made in every stage.
const APK_CACHE_KEPT: &str = "DW2102";

/// The code of the rule that reports npm's cache left in the layer (it has no fix of its
/// own: the clean is appended here when the RUN installs with npm).
const PACKAGE_CACHE_LEFT: &str = "DW2401";

/// A change made to the rewritten text: where (its instruction's index) and what.
struct Made {
    instruction: usize,
    kind: ChangeKind,
    summary: String,
    effect: String,
}

/// Applies package hygiene (and, with `buildkit`, cache mounts) to the rewritten Dockerfile;
/// the changes name lines of `original`.
pub(crate) fn apply(original: &str, text: String, buildkit: bool) -> (String, Vec<Change>) {
    let mut made = Vec::new();
    let mut text = text;
    // The edits only insert into instructions, so indexes stay; the texts before any edit
    // are the original's (copied byte for byte) and find its lines.
    let before = instruction_texts(&text);
    if buildkit {
        text = cache_mounts(&text, &mut made);
    }
    let linter = Linter::new(Settings::default()).with_shellcheck(false);
    // The fixes of one RUN may overlap (two rules insert at one point): a few rounds.
    for _ in 0..3 {
        let Ok(doc) = dockwright_syntax::parse(&text) else {
            break;
        };
        let image_from = image_stage_start(&doc);
        let report = linter.lint("Dockerfile", &text);
        let mut chosen: Vec<Diagnostic> = Vec::new();
        let mut npm_clean: Vec<(usize, Diagnostic)> = Vec::new();
        let model = Model::build(&doc, &BuildOptions::default());
        for d in &report.diagnostics {
            let Some(index) = instruction_at(&doc, d.start) else {
                continue;
            };
            // `apk add --no-cache` is safe in any stage (the same packages, no index kept):
            // in a build stage it keeps the build cache small. The other fixes are made
            // where they shrink the image only (a builder's pip cache stays: the bench
            // projects' builders are left as they are).
            let builder = index < image_from;
            if builder && d.code != APK_CACHE_KEPT {
                continue;
            }
            if d.code == PACKAGE_CACHE_LEFT {
                if let Some(at) = npm_clean_point(&model, index, d) {
                    let mut carrier = d.clone();
                    carrier.fix = Some(Fix::unsafe_edits(
                        "run `npm cache clean --force` at the end of the RUN",
                        vec![Edit::insert(at, " && npm cache clean --force")],
                    ));
                    npm_clean.push((index, carrier));
                }
                continue;
            }
            // A build stage's caches (reported as style) only grow the build cache, and a
            // cache removed later in the RUN wastes nothing.
            let Some((_, effect)) = HYGIENE_RULES.iter().find(|(code, _)| *code == d.code) else {
                continue;
            };
            if d.fix.is_none() || (d.severity == Severity::Style && d.code != APK_CACHE_KEPT) {
                continue;
            }
            let effect = if builder {
                format!("{effect} of this build stage (the build cache, not the image)")
            } else {
                (*effect).to_string()
            };
            made.push(Made {
                instruction: index,
                kind: ChangeKind::PackageHygiene,
                summary: d
                    .fix
                    .as_ref()
                    .map(|f| format!("{} ({})", f.message, d.name))
                    .unwrap_or_default(),
                effect,
            });
            chosen.push(d.clone());
        }
        npm_clean.dedup_by_key(|(index, _)| *index);
        for (index, carrier) in npm_clean {
            made.push(Made {
                instruction: index,
                kind: ChangeKind::PackageHygiene,
                summary: "run `npm cache clean --force` at the end of the RUN (package-cache-left)"
                    .into(),
                effect: "npm's download cache (~/.npm/_cacache) no longer stays in the layer"
                    .into(),
            });
            chosen.push(carrier);
        }
        if chosen.is_empty() {
            break;
        }
        let applied = apply_fixes(&text, &chosen, FixMode::Unsafe);
        if applied.text == text {
            break;
        }
        text = applied.text;
    }
    text = drop_apk_update(&text, &mut made);
    let changes = changes_on(original, &before, made);
    (text, changes)
}

/// Removes `apk update` from the RUNs whose every other apk command is an
/// `apk add --no-cache`: those fetch a fresh index themselves, and the update only leaves
/// its copy of the index in the layer. Only an `apk update` joined by `&&` goes (its
/// removal cannot change what runs after a failure).
fn drop_apk_update(text: &str, made: &mut Vec<Made>) -> String {
    let Ok(doc) = dockwright_syntax::parse(text) else {
        return text.to_string();
    };
    let model = Model::build(&doc, &BuildOptions::default());
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let image_from = image_stage_start(&doc);
    for index in 0..doc.instructions().len() {
        let Some(run) = model.run(index) else {
            continue;
        };
        let [script] = run.scripts.as_slice() else {
            continue;
        };
        if script.origin != ScriptOrigin::CommandLine || run.exec {
            continue;
        }
        let Some(parsed) = script.parsed.as_ref().filter(|p| p.errors.is_empty()) else {
            continue;
        };
        let apk: Vec<&PackageCommand> = script
            .commands()
            .into_iter()
            .filter_map(|c| match &c.action {
                Action::Package(p) if p.manager == PackageManager::Apk => Some(p),
                _ => None,
            })
            .collect();
        let fresh_adds = apk.iter().any(|p| p.operation == PackageOperation::Install)
            && apk.iter().all(|p| match p.operation {
                PackageOperation::UpdateIndex => true,
                PackageOperation::Install => p.has(PackageFlagKind::NoCache),
                _ => false,
            });
        if !fresh_adds {
            continue;
        }
        let before = cuts.len();
        for item in &parsed.body.items {
            let pipelines = &item.and_or.pipelines;
            for (j, pipeline) in pipelines.iter().enumerate() {
                let update = !pipeline.negated
                    && matches!(pipeline.commands.as_slice(), [ShellCommand::Simple(c)]
                        if matches!(&c.action, Action::Package(p)
                            if p.manager == PackageManager::Apk
                                && p.operation == PackageOperation::UpdateIndex));
                let joined_before = j == 0 || pipeline.connector == Some(Connector::And);
                let next = pipelines.get(j + 1);
                let joined_after = next.is_none_or(|n| n.connector == Some(Connector::And));
                if !update || !joined_before || !joined_after {
                    continue;
                }
                let cut = match (j.checked_sub(1).and_then(|k| pipelines.get(k)), next) {
                    // `apk update && ...`: up to the next command.
                    (None, Some(next)) => (
                        script.map.to_file(pipeline.span.start),
                        script.map.to_file(next.span.start),
                    ),
                    // `... && apk update`: from the end of the command before.
                    (Some(prev), _) if pipeline.span.end > 0 && prev.span.end > 0 => (
                        script.map.to_file(prev.span.end - 1) + 1,
                        script.map.to_file(pipeline.span.end - 1) + 1,
                    ),
                    _ => continue,
                };
                cuts.push(cut);
                // One per and-or list: the next cut's offsets assume this one is not made.
                break;
            }
        }
        if cuts.len() > before {
            made.push(Made {
                instruction: index,
                kind: ChangeKind::PackageHygiene,
                summary: "`apk update` dropped: `apk add --no-cache` fetches the index itself"
                    .into(),
                effect: if index < image_from {
                    "apk's package index (/var/cache/apk/APKINDEX.*) no longer stays in the layer of this build stage (the build cache, not the image)".into()
                } else {
                    "apk's package index (/var/cache/apk/APKINDEX.*) no longer stays in the layer"
                        .into()
                },
            });
        }
    }
    let mut out = text.to_string();
    cuts.sort_unstable();
    for (start, end) in cuts.into_iter().rev() {
        if start < end && out.get(start..end).is_some() {
            out.replace_range(start..end, "");
        }
    }
    out
}

/// The first instruction of the stage that becomes the image.
fn image_stage_start(doc: &Dockerfile<'_>) -> usize {
    doc.instructions()
        .iter()
        .rposition(|i| i.kind() == InstructionKind::From)
        .unwrap_or(0)
}

/// The instruction a byte offset is in.
fn instruction_at(doc: &Dockerfile<'_>, offset: usize) -> Option<usize> {
    doc.instructions()
        .iter()
        .position(|i| i.span().start <= offset && offset < i.span().end.max(i.span().start + 1))
}

/// Each instruction's joined text.
fn instruction_texts(text: &str) -> Vec<String> {
    dockwright_syntax::parse(text)
        .map(|doc| {
            doc.instructions()
                .iter()
                .map(|i| i.text().trim_end().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Where ` && npm cache clean --force` goes when the finding is npm's cache left by an npm
/// install of a RUN with one command-line script (the end of its last command).
fn npm_clean_point(model: &Model, index: usize, d: &Diagnostic) -> Option<usize> {
    let run = model.run(index)?;
    let npm_left = run.effects.caches.iter().any(|c| {
        c.location == CacheLocation::NpmCache
            && c.left_in_layer()
            && c.span.start <= d.start
            && d.start < c.span.end.max(c.span.start + 1)
    });
    let npm_install = run.scripts.iter().flat_map(|s| s.commands()).any(|c| {
        matches!(&c.action, Action::Package(p)
            if p.manager == PackageManager::Npm && p.operation == PackageOperation::Install)
    });
    if !npm_left || !npm_install {
        return None;
    }
    append_point(run)
}

/// The end of a RUN's only script when it is a plain command line (the same point the lint
/// rules append their clean commands at).
fn append_point(run: &RunFacts) -> Option<usize> {
    let [script] = run.scripts.as_slice() else {
        return None;
    };
    if script.origin != ScriptOrigin::CommandLine || run.exec {
        return None;
    }
    let parsed = script.parsed.as_ref()?;
    if !parsed.errors.is_empty() {
        return None;
    }
    let end = parsed.body.items.last()?.and_or.span.end;
    if end != script.text.trim_end().len() {
        return None;
    }
    Some(script.map.to_file(end - 1) + 1)
}

/// Cache mounts for pip, npm and Go's build cache on the RUNs that fill them, when they
/// run as root (so the cache is under /root) and no variable moves the cache.
///
/// In build stages, Go's module cache and Cargo's registry too (not in the image's stage:
/// a program that reads them at run time would find them gone).
///
/// Not mounted: apk (`--no-cache` already keeps the index out, and a mount would leave a
/// later `apk add` without an index), dnf/yum/zypper (packages are only kept with
/// `keepcache`, and the metadata on a mount goes stale between builds: `clean all` is
/// used instead), yarn (where its cache is depends on its major version).
fn cache_mounts(text: &str, made: &mut Vec<Made>) -> String {
    let Ok(doc) = dockwright_syntax::parse(text) else {
        return text.to_string();
    };
    let model = Model::build(&doc, &BuildOptions::default());
    let image_from = image_stage_start(&doc);
    let shared = SharedCaches::new(&doc, &model, image_from);
    let mut edits: Vec<(usize, String)> = Vec::new();
    for (index, inst) in doc.instructions().iter().enumerate() {
        let Some((run, env)) = mountable(&doc, &model, index) else {
            continue;
        };
        let stage = model.instruction(index).and_then(|f| f.stage);
        let mut targets: Vec<(String, &str)> = Vec::new();
        for cache in run.effects.caches.iter().filter(|c| c.left_in_layer()) {
            let target = match cache.location {
                CacheLocation::PipCache
                    if !env.contains("PIP_CACHE_DIR") && !env.contains("PIP_NO_CACHE_DIR") =>
                {
                    Some(("/root/.cache/pip".to_string(), "pip"))
                }
                CacheLocation::NpmCache
                    if !env.contains("npm_config_cache") && !env.contains("NPM_CONFIG_CACHE") =>
                {
                    Some(("/root/.npm".to_string(), "npm"))
                }
                CacheLocation::GoBuildCache if !env.contains("GOCACHE") => {
                    Some(("/root/.cache/go-build".to_string(), "Go build"))
                }
                _ => None,
            };
            if let Some(t) = target
                && !targets.contains(&t)
            {
                targets.push(t);
            }
        }
        for (program, name, by_stage) in [
            ("go", "Go module", &shared.go),
            ("cargo", "Cargo registry", &shared.cargo),
        ] {
            if let Some(target) = stage.and_then(|s| by_stage.get(&s))
                && runs_program(run, program)
            {
                targets.push((target.clone(), name));
            }
        }
        if targets.is_empty() {
            continue;
        }
        // After the `RUN` keyword: the flags come before the command.
        let at = inst.keyword().span.end;
        let flags: String = targets
            .iter()
            .map(|(t, _)| format!(" --mount=type=cache,target={t}"))
            .collect();
        made.push(Made {
            instruction: index,
            kind: ChangeKind::CacheMount,
            summary: format!(
                "{} cache on a BuildKit cache mount",
                targets
                    .iter()
                    .map(|(_, n)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            effect: format!(
                "{} reused across builds and never stored in a layer",
                targets
                    .iter()
                    .map(|(t, _)| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        edits.push((at, flags));
    }
    let mut out = text.to_string();
    for (at, flags) in edits.into_iter().rev() {
        if out.is_char_boundary(at) {
            out.insert_str(at, &flags);
        }
    }
    out
}

/// A RUN that can get cache mounts, and the variables it sees: none of its own, as root,
/// with the home directory root's.
fn mountable<'m>(
    doc: &Dockerfile<'_>,
    model: &'m Model,
    index: usize,
) -> Option<(&'m RunFacts, &'m dockwright_syntax::expand::Variables)> {
    if doc.instructions().get(index)?.kind() != InstructionKind::Run {
        return None;
    }
    let run = model.run(index)?;
    if !run.mounts.is_empty() || run.scripts.is_empty() {
        return None;
    }
    let root = model
        .instruction(index)
        .and_then(|f| f.user.as_deref())
        .is_none_or(|u| matches!(u, "root" | "0" | "0:0" | "root:root"));
    let env = model.env_at(index);
    // The caches are under the home directory: root's, unless a variable moves it.
    let home_moved = env
        .get("HOME")
        .is_some_and(|h| h.trim_end_matches('/') != "/root")
        || env.contains("XDG_CACHE_HOME");
    (root && !home_moved).then_some((run, env))
}

/// Whether a RUN runs a program (by name) anywhere in its scripts.
fn runs_program(run: &RunFacts, program: &str) -> bool {
    run.scripts
        .iter()
        .flat_map(|s| s.commands())
        .any(|c| c.program_name() == Some(program))
}

/// Go's module cache and Cargo's registry are read again by every later `go` (`cargo`)
/// RUN of the stage (the build after the download), so they are mounted on all of them or
/// on none: per build stage (not the image's: a program reading them at run time would find
/// them gone), the target when every such RUN can have it, runs with network (a lost cache
/// is downloaded again) and sees the same directory, and one of them fills it.
struct SharedCaches {
    go: std::collections::BTreeMap<usize, String>,
    cargo: std::collections::BTreeMap<usize, String>,
}

impl SharedCaches {
    fn new(doc: &Dockerfile<'_>, model: &Model, image_from: usize) -> Self {
        let mut found = Self {
            go: Default::default(),
            cargo: Default::default(),
        };
        for (program, location, target, by_stage) in [
            (
                "go",
                CacheLocation::GoModuleCache,
                go_module_cache
                    as fn(&dockwright_syntax::expand::Variables, Option<&str>) -> Option<String>,
                &mut found.go,
            ),
            (
                "cargo",
                CacheLocation::CargoRegistry,
                cargo_registry,
                &mut found.cargo,
            ),
        ] {
            // Per stage: the targets its RUNs would need (None: one cannot have it), and
            // whether one fills the cache.
            let mut stages: std::collections::BTreeMap<usize, (Vec<Option<String>>, bool)> =
                Default::default();
            for index in 0..image_from.min(doc.instructions().len()) {
                let Some(run) = model.run(index) else {
                    continue;
                };
                let Some(stage) = model.instruction(index).and_then(|f| f.stage) else {
                    continue;
                };
                if !runs_program(run, program) {
                    continue;
                }
                let base = base_repository(model, stage);
                let need = mountable(doc, model, index)
                    .filter(|(run, _)| run.network.is_none())
                    .and_then(|(_, env)| target(env, base.as_deref()));
                let fills = run
                    .effects
                    .caches
                    .iter()
                    .any(|c| c.location == location && c.left_in_layer());
                let entry = stages.entry(stage).or_default();
                entry.0.push(need);
                entry.1 |= fills;
            }
            for (stage, (needs, fills)) in stages {
                let first = needs.first().cloned().flatten();
                if let Some(first) = first
                    && fills
                    && needs.iter().all(|n| n.as_deref() == Some(first.as_str()))
                {
                    by_stage.insert(stage, first);
                }
            }
        }
        found
    }
}

/// An absolute directory a variable names (the first of a list).
fn absolute_dir(value: &str) -> Option<String> {
    let first = value
        .split(':')
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    (first.starts_with('/') && first.len() > 1 && !first.contains('$')).then(|| first.to_string())
}

/// Where Go keeps downloaded modules: `$GOMODCACHE`, `$GOPATH/pkg/mod`, or root's
/// `~/go/pkg/mod`; nothing when a variable names it in a way not known here.
fn go_module_cache(
    env: &dockwright_syntax::expand::Variables,
    base: Option<&str>,
) -> Option<String> {
    if let Some(dir) = env.get("GOMODCACHE") {
        return absolute_dir(dir);
    }
    if let Some(path) = env.get("GOPATH") {
        return absolute_dir(path).map(|p| format!("{p}/pkg/mod"));
    }
    // The official golang images set GOPATH=/go.
    Some(if base == Some("golang") {
        "/go/pkg/mod".into()
    } else {
        "/root/go/pkg/mod".into()
    })
}

/// Cargo's registry: `$CARGO_HOME/registry` (`/usr/local/cargo` in the rust images), or
/// root's `~/.cargo/registry`.
fn cargo_registry(
    env: &dockwright_syntax::expand::Variables,
    base: Option<&str>,
) -> Option<String> {
    match env.get("CARGO_HOME") {
        Some(home) => absolute_dir(home).map(|h| format!("{h}/registry")),
        // The official rust images set CARGO_HOME=/usr/local/cargo.
        None if base == Some("rust") => Some("/usr/local/cargo/registry".into()),
        None => Some("/root/.cargo/registry".into()),
    }
}

/// The repository name (`golang`, `rust`) of the image a stage is built on, through the
/// stages it is built on.
fn base_repository(model: &Model, stage: usize) -> Option<String> {
    let mut stage = stage;
    for _ in 0..model.stages.len() {
        match &model.stages.get(stage)?.base {
            StageBase::Stage(parent) => stage = *parent,
            StageBase::Image(image) => {
                let path = image.reference.as_ref()?.path.clone();
                return path.rsplit('/').next().map(str::to_string);
            }
            StageBase::Scratch => return None,
        }
    }
    None
}

/// The changes, with the lines of the original instructions they concern (the rewrite
/// copies instructions byte for byte, so their text finds them).
fn changes_on(original: &str, before: &[String], made: Vec<Made>) -> Vec<Change> {
    let doc = dockwright_syntax::parse(original).ok();
    let line_of = |index: usize| -> Vec<usize> {
        let Some(text) = before.get(index) else {
            return Vec::new();
        };
        doc.as_ref()
            .and_then(|doc| {
                doc.instructions()
                    .iter()
                    .find(|i| i.text().trim_end() == text)
                    // Every line of the instruction: its findings are on the lines of the
                    // commands, continuation lines included.
                    .map(|i| (i.start_line()..=i.end_line().max(i.start_line())).collect())
            })
            .unwrap_or_default()
    };
    let mut changes: Vec<Change> = Vec::new();
    for m in made {
        let lines = line_of(m.instruction);
        // One change per instruction and kind: the rounds' fixes of one RUN read as one.
        if let Some(c) = changes
            .iter_mut()
            .find(|c| c.kind == m.kind && !lines.is_empty() && c.lines == lines)
        {
            if !c.summary.contains(&m.summary) {
                c.summary = format!("{}; {}", c.summary, m.summary);
            }
            if !c.effect.contains(&m.effect) {
                c.effect = format!("{}; {}", c.effect, m.effect);
            }
            continue;
        }
        changes.push(Change {
            kind: m.kind,
            summary: m.summary,
            lines,
            rules: Vec::new(),
            effect: m.effect,
        });
    }
    changes
}
