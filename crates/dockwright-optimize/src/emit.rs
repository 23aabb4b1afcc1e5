//! Writing the optimized Dockerfile: surviving instructions byte for byte (with the comments
//! above them), new ones generated.

use dockwright_syntax::{Dockerfile, InstructionKind, Item, LineKind};

use crate::analyze::{
    self, AptRun, Ecosystem, Plan, ProjectFiles, Role, build_only_package, runtime_twin,
};
use crate::{Change, ChangeKind, OptimizeOptions, Proposal};

pub(crate) struct Rewrite {
    pub text: String,
    pub changes: Vec<Change>,
    pub proposals: Vec<Proposal>,
}

/// The user the runtime runs as when the Dockerfile sets none: `nobody` on Debian, Ubuntu,
/// Alpine and the distroless images, given by number so it needs no passwd entry.
const NON_ROOT_USER: &str = "65534:65534";

struct Writer<'d, 'a> {
    doc: &'d Dockerfile<'a>,
    source: &'d str,
    /// Per instruction: the comment lines right above it.
    leading: Vec<Option<usize>>,
}

impl Writer<'_, '_> {
    fn new<'d, 'a>(doc: &'d Dockerfile<'a>, source: &'d str) -> Writer<'d, 'a> {
        let mut leading = vec![None; doc.instructions().len()];
        let mut comment_start: Option<usize> = None;
        for item in doc.items() {
            match item {
                // Comments and blank lines above an instruction travel with it.
                Item::Line(line) if matches!(line.kind, LineKind::Comment | LineKind::Blank) => {
                    comment_start.get_or_insert(line.span.start);
                }
                Item::Line(_) => comment_start = None,
                Item::Instruction(i) => {
                    if let Some(slot) = leading.get_mut(*i) {
                        *slot = comment_start;
                    }
                    comment_start = None;
                }
            }
        }
        Writer {
            doc,
            source,
            leading,
        }
    }

    /// Where an instruction's text (with its comments) starts.
    fn start(&self, index: usize) -> usize {
        let inst = &self.doc.instructions()[index];
        self.leading
            .get(index)
            .copied()
            .flatten()
            .unwrap_or(inst.span().start)
    }

    /// The instruction as written, with the comments above it, ending in a newline.
    fn verbatim(&self, index: usize) -> String {
        let inst = &self.doc.instructions()[index];
        let mut text = self
            .source
            .get(self.start(index)..inst.span().end)
            .unwrap_or_default()
            .to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text
    }

    fn line(&self, index: usize) -> usize {
        self.doc.instructions()[index].start_line()
    }
}

fn apt_text(packages: &[String], no_recommends: bool, buildkit: bool) -> String {
    let recommends = if no_recommends {
        " --no-install-recommends"
    } else {
        ""
    };
    let list = packages.join(" ");
    if buildkit {
        format!(
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \\\n    rm -f /etc/apt/apt.conf.d/docker-clean \\\n && apt-get update \\\n && apt-get install -y{recommends} {list}\n"
        )
    } else {
        format!(
            "RUN apt-get update \\\n && apt-get install -y{recommends} {list} \\\n && apt-get clean \\\n && rm -rf /var/lib/apt/lists/*\n"
        )
    }
}

/// Adds `ca-certificates` to an install without recommends that has a downloader: it is a
/// recommendation of curl and wget that HTTPS needs.
fn with_certificates(mut packages: Vec<String>) -> Vec<String> {
    let downloads = packages
        .iter()
        .any(|p| matches!(p.as_str(), "curl" | "wget"));
    if downloads && !packages.iter().any(|p| p.starts_with("ca-certificates")) {
        packages.push("ca-certificates".into());
    }
    packages
}

fn tidy(apt: &AptRun, buildkit: bool) -> bool {
    apt.update && apt.installs == 1 && apt.no_recommends && (apt.lists_removed || buildkit)
}

/// Groups of consecutive apt RUNs (nothing but config between them) in the final stage.
fn apt_groups(plan: &Plan) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut open = false;
    for (offset, role) in plan.roles.iter().enumerate() {
        let index = plan.range.start + offset;
        match role {
            Role::Apt(_) => {
                if open && let Some(last) = groups.last_mut() {
                    last.push(index);
                } else {
                    groups.push(vec![index]);
                }
                open = true;
            }
            Role::Config
                if !matches!(
                    plan_kind(plan, index),
                    Some(InstructionKind::Copy | InstructionKind::Add)
                ) => {}
            Role::From => {}
            _ => open = false,
        }
    }
    groups
}

fn group_packages(plan: &Plan, group: &[usize]) -> Vec<String> {
    let mut packages: Vec<String> = Vec::new();
    for &i in group {
        if let Some(Role::Apt(apt)) = plan.role(i) {
            for p in &apt.packages {
                if !packages.contains(p) {
                    packages.push(p.clone());
                }
            }
        }
    }
    packages
}

fn group_is_tidy(plan: &Plan, group: &[usize], buildkit: bool) -> bool {
    matches!(group, [i] if matches!(plan.role(*i), Some(Role::Apt(a)) if tidy(a, buildkit)))
}

/// The dependency steps that move before the source copy: the RUNs right after it (config
/// in between moves with them).
struct DependencyMove {
    source_copy: usize,
    /// Config instructions between the source copy and the dependency steps.
    config_between: Vec<usize>,
    steps: Vec<usize>,
    manifests: Vec<String>,
    ecosystem: Ecosystem,
    /// Cargo: the stub build step to insert (the build step itself stays after the source).
    cargo_stub: Option<String>,
}

fn dependency_move(plan: &Plan, project: &ProjectFiles) -> Result<Option<DependencyMove>, String> {
    let Some(source_copy) = plan
        .range
        .clone()
        .find(|&i| matches!(plan.role(i), Some(Role::SourceCopy { .. })))
    else {
        return Ok(None);
    };
    let mut config_between = Vec::new();
    let mut steps = Vec::new();
    let mut manifests: Vec<String> = Vec::new();
    let mut ecosystem = None;
    // ENV/ARG between dependency steps move with them, in order, when another dependency
    // step follows (else a second run would move the rest: the rewrite is a fixed point).
    let mut pending: Vec<usize> = Vec::new();
    for i in source_copy + 1..plan.range.end {
        match plan.role(i) {
            Some(Role::Config) => {
                let kind = plan_kind(plan, i);
                if !matches!(kind, Some(InstructionKind::Env | InstructionKind::Arg)) {
                    break;
                }
                if steps.is_empty() {
                    config_between.push(i);
                } else {
                    pending.push(i);
                }
            }
            Some(Role::Dependency {
                ecosystem: e,
                manifests: m,
            }) => {
                ecosystem = ecosystem.or(Some(*e));
                steps.append(&mut pending);
                steps.push(i);
                for f in m {
                    if !manifests.contains(f) {
                        manifests.push(f.clone());
                    }
                }
            }
            Some(Role::Build) if steps.is_empty() => {
                // Cargo builds its dependencies against a stub target.
                if let Some((index, command, _)) = &plan.builds.cargo_build
                    && *index == i
                {
                    return Ok(cargo_stub(
                        plan,
                        project,
                        source_copy,
                        config_between,
                        command,
                    ));
                }
                return Err("the first step after the source COPY builds the source".into());
            }
            _ => break,
        }
    }
    let Some(ecosystem) = ecosystem else {
        return Ok(None);
    };
    if manifests.is_empty() {
        return Err("the dependency manifests are not in the build context".into());
    }
    Ok(Some(DependencyMove {
        source_copy,
        config_between,
        steps,
        manifests,
        ecosystem,
        cargo_stub: None,
    }))
}

fn plan_kind(plan: &Plan, i: usize) -> Option<InstructionKind> {
    plan.kinds.get(i.checked_sub(plan.range.start)?).copied()
}

fn cargo_stub(
    plan: &Plan,
    project: &ProjectFiles,
    source_copy: usize,
    config_between: Vec<usize>,
    command: &str,
) -> Option<DependencyMove> {
    let _ = plan;
    let manifest = project.read("Cargo.toml")?;
    let value: toml::Table = toml::from_str(&manifest).ok()?;
    if value.contains_key("workspace") || project.is_file("build.rs") {
        return None;
    }
    let name = value.get("package")?.get("name")?.as_str()?.to_string();
    let mut stub = String::from("mkdir -p src");
    let mut removed = vec![
        format!("target/*/.fingerprint/{name}-*"),
        format!("target/*/deps/{name}-*"),
    ];
    let crate_name = name.replace('-', "_");
    if crate_name != name {
        removed.push(format!("target/*/deps/{crate_name}-*"));
    }
    if project.is_file("src/main.rs") {
        stub.push_str(" && echo 'fn main() {}' > src/main.rs");
    }
    if project.is_file("src/lib.rs") {
        stub.push_str(" && touch src/lib.rs");
        removed.push(format!("target/*/deps/lib{}-*", name.replace('-', "_")));
    }
    let mut manifests = vec!["Cargo.toml".to_string()];
    if project.is_file("Cargo.lock") {
        manifests.push("Cargo.lock".into());
    }
    Some(DependencyMove {
        source_copy,
        config_between,
        steps: Vec::new(),
        manifests,
        ecosystem: Ecosystem::Cargo,
        cargo_stub: Some(format!(
            "# Dependencies only: build against a stub target, then drop the stub's artifacts\n# (COPY keeps old mtimes, so cargo would keep the stub's binary).\nRUN {stub} \\\n && {command} \\\n && rm -rf src {}\n",
            removed.join(" ")
        )),
    })
}

/// `COPY` of the manifests to where the source copy puts the context.
fn manifest_copy(dest: &str, manifests: &[String]) -> String {
    let dest = if dest == "." {
        "./".to_string()
    } else if dest.ends_with('/') {
        dest.to_string()
    } else {
        format!("{dest}/")
    };
    format!("COPY {} {dest}\n", manifests.join(" "))
}

fn stage_name(plan: &Plan) -> String {
    ["build", "builder"]
        .iter()
        .map(|s| s.to_string())
        .chain((2..).map(|n| format!("build-{n}")))
        .find(|n| !plan.stage_names.iter().any(|s| s.eq_ignore_ascii_case(n)))
        .unwrap_or_else(|| "build".into())
}

/// The runtime twin of a `-devel` base (CUDA-style images publish both).
fn runtime_base(base: &str) -> String {
    let (name, tag) = match base.rfind(':') {
        Some(p) if !base[p..].contains('/') => (&base[..p], &base[p + 1..]),
        _ => return base.to_string(),
    };
    let parts: Vec<&str> = tag.split('-').collect();
    if !parts.contains(&"devel") {
        return base.to_string();
    }
    let tag: Vec<&str> = parts
        .into_iter()
        .map(|p| if p == "devel" { "runtime" } else { p })
        .collect();
    format!("{name}:{}", tag.join("-"))
}

/// Whether an official language image provides an interpreter (`python:3.12` runs
/// `python3`, `eclipse-temurin` runs `java`).
fn base_provides(base: &str, family: &str) -> bool {
    let repository = base
        .rsplit('/')
        .next()
        .unwrap_or(base)
        .split([':', '@'])
        .next()
        .unwrap_or_default();
    match family {
        "python" => repository == "python",
        "node" => repository == "node",
        "java" => matches!(
            repository,
            "eclipse-temurin" | "openjdk" | "amazoncorretto" | "ibm-semeru-runtimes"
        ),
        "ruby" | "php" | "perl" => repository == family,
        _ => false,
    }
}

/// Directories that hold build output, never copied whole as "source".
const OUTPUT_DIRS: &[&str] = &["target", "build", "dist", "out", ".next", "node_modules"];

/// What the runtime copies from the builder, as absolute paths.
fn runtime_artifacts(
    doc: &Dockerfile<'_>,
    plan: &Plan,
    project: &ProjectFiles,
    workdir: &str,
) -> Result<Vec<String>, String> {
    let mut paths: Vec<String> = Vec::new();
    let add = |p: String, paths: &mut Vec<String>| {
        let covered = paths
            .iter()
            .any(|q| p == *q || p.starts_with(&format!("{}/", q.trim_end_matches('/'))));
        if !covered {
            paths.push(p);
        }
    };
    for out in &plan.builds.go_outputs {
        add(out.clone(), &mut paths);
    }
    if plan.builds.pip_system {
        add("/usr/local/lib".into(), &mut paths);
        add("/usr/local/bin".into(), &mut paths);
    }
    if let Some((_, _, dir)) = &plan.builds.cargo_build
        && let Some(manifest) = project.read("Cargo.toml")
        && let Ok(value) = toml::from_str::<toml::Table>(&manifest)
    {
        let mut bins: Vec<String> = value
            .get("bin")
            .and_then(|b| b.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|b| b.get("name")?.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if bins.is_empty()
            && let Some(name) = value
                .get("package")
                .and_then(|p| p.get("name"))
                .and_then(|n| n.as_str())
        {
            bins.push(name.to_string());
        }
        for bin in bins {
            add(
                analyze::absolute(dir, &format!("target/{}/{bin}", plan.builds.cargo_profile)),
                &mut paths,
            );
        }
    }
    if plan.builds.next_build.is_some() {
        for f in [
            "package.json",
            "next.config.js",
            "next.config.mjs",
            "next.config.ts",
            "public",
        ] {
            if project.is_file(f) || project.is_dir(f) {
                add(analyze::absolute(workdir, f), &mut paths);
            }
        }
        add(analyze::absolute(workdir, "node_modules"), &mut paths);
        add(analyze::absolute(workdir, ".next"), &mut paths);
    }
    // What the command names.
    let stage = plan.model.stages.last();
    let commands: Vec<usize> = stage
        .map(|s| {
            s.config
                .entrypoint
                .into_iter()
                .chain(s.config.cmd)
                .collect()
        })
        .unwrap_or_default();
    let inside = |abs: &str| -> Option<String> {
        let root = workdir.trim_end_matches('/');
        abs.strip_prefix(&format!("{root}/")).map(str::to_string)
    };
    let from_context = |rel: &str, paths: &mut Vec<String>, whole_source: &mut bool| {
        let first = rel.split('/').next().unwrap_or(rel);
        if project.is_dir(first) && !OUTPUT_DIRS.contains(&first) {
            add(analyze::absolute(workdir, first), paths);
        } else if OUTPUT_DIRS.contains(&first)
            || paths.iter().any(|p| *p == analyze::absolute(workdir, rel))
        {
            // A build output (`target/app.jar`, a Go binary).
            add(analyze::absolute(workdir, rel), paths);
        } else {
            // A file of the source tree (or one nothing shows the origin of): a script
            // run from the source may import anything next to it.
            *whole_source = true;
        }
    };
    let mut whole_source = false;
    if commands.is_empty() {
        return Err(
            "the image's command is inherited from the base image, so what it needs is unknown"
                .into(),
        );
    }
    for index in commands {
        let Some(argv) = analyze::command_argv(doc, index) else {
            return Err("the command is a shell script, so what it reads is unknown".into());
        };
        let mut iter = argv.iter().enumerate().peekable();
        while let Some((n, arg)) = iter.next() {
            if arg == "-m" {
                if let Some((_, module)) = iter.peek() {
                    let top = module.split('.').next().unwrap_or(module);
                    if project.is_dir(top) {
                        add(analyze::absolute(workdir, top), &mut paths);
                    }
                }
                continue;
            }
            let looks_like_path = arg.contains('/')
                || arg.ends_with(".jar")
                || arg.ends_with(".py")
                || arg.ends_with(".js");
            if !looks_like_path || arg.starts_with('-') || (n == 0 && !arg.contains('/')) {
                continue;
            }
            if workdir == "/" {
                continue;
            }
            let abs = analyze::absolute(workdir, arg);
            match inside(&abs) {
                Some(rel) => from_context(&rel, &mut paths, &mut whole_source),
                None if plan.builds.go_outputs.contains(&abs) => {}
                None => {}
            }
        }
    }
    // Paths under the working directory the environment points at (model files, ...).
    let own_env: Vec<String> = plan
        .range
        .clone()
        .filter_map(|i| doc.instructions().get(i)?.command().as_env())
        .flatten()
        .map(|kv| kv.key.as_str().to_string())
        .collect();
    if let Some(last) = plan.range.end.checked_sub(1)
        && workdir != "/"
    {
        for (name, value) in plan.model.env_at(last).iter() {
            if own_env.iter().any(|k| k == name)
                && value.starts_with('/')
                && !value.contains(':')
                && let Some(rel) = inside(value)
                && !rel.is_empty()
            {
                from_context(&rel, &mut paths, &mut whole_source);
            }
        }
    }
    if whole_source {
        paths = vec![workdir.to_string()];
    }
    if paths.is_empty() {
        return Err(
            "nothing the command needs could be identified among the build's outputs".into(),
        );
    }
    // Steps of unknown effect may install what the runtime needs: only tool set-up before
    // the source is copied (to build it) is left to the builder.
    let source_copy = plan
        .range
        .clone()
        .find(|&i| matches!(plan.role(i), Some(Role::SourceCopy { .. })));
    let unknown_after = plan
        .range
        .clone()
        .any(|i| matches!(plan.role(i), Some(Role::Tooling)) && source_copy.is_none_or(|c| i > c));
    if unknown_after {
        return Err(
            "a RUN step whose effect on the runtime is unknown would be left in the builder".into(),
        );
    }
    // The program the image runs must be there: a copied build output, or a program of a
    // package the runtime installs.
    let kept: Vec<String> = plan
        .roles
        .iter()
        .filter_map(|r| match r {
            Role::Apt(apt) => Some(apt.packages.clone()),
            _ => None,
        })
        .flatten()
        .filter_map(|p| {
            if build_only_package(&p) {
                runtime_twin(&p)
            } else {
                Some(p)
            }
        })
        .collect();
    let stage = plan.model.stages.last();
    let first = stage
        .and_then(|s| s.config.entrypoint.or(s.config.cmd))
        .and_then(|i| analyze::command_argv(doc, i))
        .and_then(|argv| argv.into_iter().next());
    if let Some(program) = first {
        let covered = |abs: &str| {
            paths
                .iter()
                .any(|q| abs == q || abs.starts_with(&format!("{}/", q.trim_end_matches('/'))))
        };
        let provided = if program.contains('/') {
            covered(&analyze::absolute(workdir, &program))
        } else {
            let family = program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
            kept.iter().any(|p| {
                let name = p.split(['=', ':']).next().unwrap_or(p);
                name == program
                    || name.starts_with(&format!("{family}3"))
                    || name == family
                    || (family == "node" && name == "nodejs")
                    || (family == "java" && name.contains("-jre"))
            }) || plan
                .base
                .as_deref()
                .is_some_and(|b| base_provides(b, family))
        };
        if !provided {
            return Err(format!(
                "`{program}`, which the image runs, is neither a copied build output nor a program of a package the runtime installs"
            ));
        }
    }
    Ok(paths)
}

pub(crate) fn rewrite(
    doc: &Dockerfile<'_>,
    plan: &Plan,
    project: &ProjectFiles,
    options: &OptimizeOptions,
) -> Rewrite {
    let source = std::str::from_utf8(doc.source()).unwrap_or_default();
    let w = Writer::new(doc, source);
    let mut changes: Vec<Change> = Vec::new();
    let mut proposals: Vec<Proposal> = Vec::new();
    if plan.range.is_empty() {
        return Rewrite {
            text: source.to_string(),
            changes,
            proposals,
        };
    }
    let stage_start = w.start(plan.range.start);
    let mut out = String::new();
    let has_syntax = doc
        .directives()
        .iter()
        .any(|d| d.kind == dockwright_syntax::DirectiveKind::Syntax);
    if options.buildkit && !has_syntax {
        out.push_str("# syntax=docker/dockerfile:1\n");
    }
    // Everything before the final stage as written.
    out.push_str(source.get(..stage_start).unwrap_or_default());

    let groups = apt_groups(plan);
    let deps = match dependency_move(plan, project) {
        Ok(d) => d,
        Err(reason) => {
            if let Some(i) = plan
                .range
                .clone()
                .find(|&i| matches!(plan.role(i), Some(Role::SourceCopy { .. })))
            {
                proposals.push(Proposal {
                    summary:
                        "copy the dependency manifests and install dependencies before the source"
                            .into(),
                    reason,
                    lines: vec![w.line(i)],
                });
            }
            None
        }
    };
    let workdir_final = plan
        .range
        .end
        .checked_sub(1)
        .and_then(|i| plan.model.instruction(i))
        .and_then(|f| f.workdir.clone())
        .unwrap_or_else(|| "/".into());

    // A recursive chown of what a COPY just wrote doubles those files in a new layer.
    // `COPY --chown` avoids it, but it leaves an existing destination directory (made by
    // WORKDIR or an earlier step) as it was, and the chown also changes files earlier steps
    // put there: not provably the same, so it is proposed.
    for (run, owner, path) in &plan.builds.chowns {
        let copy = (plan.range.start..*run).rev().find(|&i| {
            matches!(
                plan_kind(plan, i),
                Some(InstructionKind::Copy | InstructionKind::Add | InstructionKind::Run)
            )
        });
        let Some(copy) = copy else { continue };
        let Some(c) = doc.instructions()[copy].command().as_copy() else {
            continue;
        };
        let workdir = plan
            .model
            .instruction(copy)
            .and_then(|f| f.workdir.clone())
            .unwrap_or_else(|| "/".into());
        let dest = c
            .destination
            .as_ref()
            .map(|d| analyze::absolute(&workdir, d.as_str()))
            .unwrap_or_default();
        let same = |a: &str, b: &str| a.trim_end_matches('/') == b.trim_end_matches('/');
        if c.chown.is_none() && same(&dest, path) {
            proposals.push(Proposal {
                summary: format!(
                    "COPY --chown={owner} on line {} instead of RUN chown -R {owner} {path} on line {}",
                    w.line(copy),
                    w.line(*run)
                ),
                reason: "COPY --chown does not change the owner of a destination directory that already exists, nor of files earlier steps put in it".into(),
                lines: vec![w.line(copy), w.line(*run)],
            });
        }
    }
    let builds = !plan.builds.reasons.is_empty() && plan.base.is_some();
    let artifacts = if builds {
        match runtime_artifacts(doc, plan, project, &workdir_final) {
            Ok(a) => Some(a),
            Err(reason) => {
                proposals.push(Proposal {
                    summary: "split the final stage into a builder and a runtime stage".into(),
                    reason,
                    lines: vec![w.line(plan.range.start)],
                });
                None
            }
        }
    } else {
        None
    };
    let split = artifacts.is_some();
    let builder = stage_name(plan);

    // ---- The building stage (the whole original stage when there is no split).
    let from = &doc.instructions()[plan.range.start];
    if split {
        let flags: Vec<String> = from.flags().iter().map(|f| f.text().to_string()).collect();
        let mut head = String::from("FROM ");
        for f in &flags {
            head.push_str(f);
            head.push(' ');
        }
        out.push_str(&format!(
            "{}{head}{} AS {builder}\n",
            comments_of(&w, plan.range.start),
            plan.base.as_deref().unwrap_or_default()
        ));
    } else {
        out.push_str(&w.verbatim(plan.range.start));
    }
    let last_build_step = plan
        .range
        .clone()
        .rev()
        .find(|&i| {
            matches!(
                plan.role(i),
                Some(
                    Role::Build
                        | Role::Dependency { .. }
                        | Role::Tooling
                        | Role::SourceCopy { .. }
                        | Role::Apt(_)
                )
            )
        })
        .unwrap_or(plan.range.start);
    let mut apt_changed = false;
    for index in plan.range.start + 1..plan.range.end {
        let Some(role) = plan.role(index) else {
            continue;
        };
        if let Some(d) = &deps
            && (d.steps.contains(&index) || d.config_between.contains(&index))
        {
            continue;
        }
        let kind = doc.instructions()[index].kind();
        match role {
            Role::Apt(_) => {
                let Some(group) = groups.iter().find(|g| g.contains(&index)) else {
                    continue;
                };
                if group.first() != Some(&index) {
                    continue;
                }
                if group_is_tidy(plan, group, options.buildkit) && !split {
                    out.push_str(&w.verbatim(index));
                    continue;
                }
                let packages = group_packages(plan, group);
                // The builder keeps recommends (its size does not matter, its build might
                // need them); a single stage becomes the image, so it drops them.
                let no_recommends = !split;
                let packages = if no_recommends {
                    with_certificates(packages)
                } else {
                    packages
                };
                out.push_str(&comments_of(&w, index));
                if packages.is_empty() {
                    out.push_str("RUN apt-get update\n");
                } else {
                    out.push_str(&apt_text(&packages, no_recommends, options.buildkit));
                }
                if !split {
                    apt_changed = true;
                    changes.push(Change {
                        kind: ChangeKind::PackageHygiene,
                        summary: "apt-get update and install in one RUN, without recommended packages, lists removed".into(),
                        lines: group.iter().map(|&i| w.line(i)).collect(),
                        rules: Vec::new(),
                        effect: "no stale index layer, no recommended packages, no package lists or downloaded .deb files in the image".into(),
                    });
                }
            }
            Role::SourceCopy { dest } => {
                if let Some(d) = &deps {
                    out.push_str(&manifest_copy(dest, &d.manifests));
                    for &i in &d.config_between {
                        out.push_str(&w.verbatim(i));
                    }
                    for &i in &d.steps {
                        out.push_str(&w.verbatim(i));
                    }
                    if let Some(stub) = &d.cargo_stub {
                        out.push_str(stub);
                    }
                    let mut lines = vec![w.line(d.source_copy)];
                    lines.extend(
                        d.steps
                            .iter()
                            .filter(|&&i| matches!(plan.role(i), Some(Role::Dependency { .. })))
                            .map(|&i| w.line(i)),
                    );
                    changes.push(Change {
                        kind: ChangeKind::DependenciesFirst,
                        summary: format!(
                            "{} copied and {} dependencies installed before the source",
                            d.manifests.join(", "),
                            serde_json::to_value(d.ecosystem)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default()
                        ),
                        lines,
                        rules: Vec::new(),
                        effect: String::new(),
                    });
                }
                out.push_str(&w.verbatim(index));
            }
            Role::Build | Role::Tooling | Role::Dependency { .. } | Role::RuntimeSetup => {
                out.push_str(&w.verbatim(index));
                if split && plan.builds.next_build == Some(index) {
                    out.push_str("# The runtime takes node_modules: production dependencies only, no build cache.\nRUN npm prune --omit=dev && rm -rf .next/cache\n");
                }
            }
            Role::Config | Role::From => {
                if !split {
                    out.push_str(&exec_form_or_verbatim(doc, &w, index, &mut changes));
                    continue;
                }
                let builder_config = matches!(
                    kind,
                    InstructionKind::Env
                        | InstructionKind::Arg
                        | InstructionKind::Workdir
                        | InstructionKind::Shell
                        | InstructionKind::User
                        | InstructionKind::Copy
                        | InstructionKind::Add
                );
                if builder_config && index < last_build_step {
                    out.push_str(&w.verbatim(index));
                }
            }
        }
    }
    let _ = apt_changed;
    // Comments and blank lines after the last instruction.
    let tail = plan
        .range
        .end
        .checked_sub(1)
        .and_then(|i| source.get(doc.instructions()[i].span().end..))
        .unwrap_or_default();

    if !split {
        out.push_str(tail);
        // A file that ends without a newline keeps doing so.
        if !source.ends_with('\n') && tail.is_empty() && out.ends_with('\n') {
            out.pop();
        }
        if !plan.has_user && plan.base.is_some() {
            proposals.push(Proposal {
                summary: format!("run as a non-root user (USER {NON_ROOT_USER})"),
                reason:
                    "the image is built in one stage, so the files the command writes are unknown"
                        .into(),
                lines: vec![w.line(plan.range.start)],
            });
        }
        return Rewrite {
            text: out,
            changes,
            proposals,
        };
    }

    // ---- The runtime stage.
    let artifacts = artifacts.unwrap_or_default();
    let base = plan.base.clone().unwrap_or_default();
    let runtime = runtime_base(&base);
    out.push('\n');
    let alias = plan
        .alias
        .as_ref()
        .map(|a| format!(" AS {a}"))
        .unwrap_or_default();
    out.push_str(&format!("FROM {runtime}{alias}\n"));
    let mut dropped: Vec<String> = Vec::new();
    let mut kept_packages: Vec<String> = Vec::new();
    let mut user_set = false;
    let mut privileged_port = false;
    // The artifacts go where the source was copied, or else after the last build step.
    let source_copy = plan
        .range
        .clone()
        .find(|&i| matches!(plan.role(i), Some(Role::SourceCopy { .. })));
    let anchor = source_copy.unwrap_or(last_build_step);
    let copies: String = artifacts
        .iter()
        .map(|path| format!("COPY --from={builder} {path} {path}\n"))
        .collect();
    let mut copied = false;
    let mut apt_done = false;
    for index in plan.range.start + 1..plan.range.end {
        if !copied && (index > anchor || Some(index) == source_copy) {
            out.push_str(&copies);
            copied = true;
        }
        let Some(role) = plan.role(index) else {
            continue;
        };
        let kind = doc.instructions()[index].kind();
        match role {
            Role::Apt(_) => {
                let Some(group) = groups.iter().find(|g| g.contains(&index)) else {
                    continue;
                };
                if group.first() != Some(&index) || apt_done {
                    continue;
                }
                apt_done = true;
                // The runtime installs what every group installed, at once: no build step
                // runs between them any more.
                let packages: Vec<String> = groups
                    .iter()
                    .flat_map(|g| group_packages(plan, g))
                    .fold(Vec::new(), |mut all, p| {
                        if !all.contains(&p) {
                            all.push(p);
                        }
                        all
                    });
                let mut keep: Vec<String> = Vec::new();
                for p in packages {
                    if build_only_package(&p) {
                        if let Some(twin) = runtime_twin(&p) {
                            keep.push(twin);
                        }
                        dropped.push(p);
                    } else {
                        keep.push(p);
                    }
                }
                if !keep.is_empty() {
                    out.push_str(&apt_text(&keep, true, options.buildkit));
                    kept_packages.extend(keep);
                }
            }
            Role::SourceCopy { .. } => {}
            Role::RuntimeSetup => out.push_str(&w.verbatim(index)),
            Role::Config => {
                if matches!(kind, InstructionKind::Copy | InstructionKind::Add) {
                    // Named files from the context: the runtime may read them.
                    out.push_str(&w.verbatim(index));
                    continue;
                }
                if kind == InstructionKind::User {
                    user_set = true;
                }
                if kind == InstructionKind::Expose
                    && let Some(ports) = doc.instructions()[index].command().as_expose()
                {
                    privileged_port |= ports.iter().any(|p| p.start.is_some_and(|s| s < 1024));
                }
                out.push_str(&exec_form_or_verbatim(doc, &w, index, &mut changes));
            }
            _ => {}
        }
    }
    if !copied {
        out.push_str(&copies);
    }
    out.push_str(tail);
    let mut summary =
        format!("split into a builder stage `{builder}` and a runtime stage on {runtime}");
    if runtime != base {
        summary.push_str(&format!(" (the runtime twin of {base})"));
    }
    changes.insert(
        0,
        Change {
            kind: ChangeKind::MultiStage,
            summary,
            lines: vec![w.line(plan.range.start)],
            rules: Vec::new(),
            effect: format!(
                "the image leaves out the build ({}){}; it gets only {}{}",
                plan.builds.reasons.join("; "),
                if dropped.is_empty() {
                    String::new()
                } else {
                    format!(", the build-only packages {}", dropped.join(" "))
                },
                artifacts.join(", "),
                if kept_packages.is_empty() {
                    String::new()
                } else {
                    format!(
                        " and the packages {} (without recommends)",
                        kept_packages.join(" ")
                    )
                }
            ),
        },
    );
    if !plan.has_user && !user_set {
        if privileged_port {
            proposals.push(Proposal {
                summary: format!("run as a non-root user (USER {NON_ROOT_USER})"),
                reason: "the image exposes a port below 1024, which a non-root user cannot bind"
                    .into(),
                lines: vec![w.line(plan.range.start)],
            });
        } else {
            out.push_str(&format!(
                "# Not root: the copied files are readable by everyone.\nUSER {NON_ROOT_USER}\n"
            ));
            changes.push(Change {
                kind: ChangeKind::NonRootUser,
                summary: format!("the runtime runs as a non-root user ({NON_ROOT_USER}, nobody)"),
                lines: Vec::new(),
                rules: Vec::new(),
                effect: "a compromised process cannot change the image's files".into(),
            });
        }
    }
    if options.buildkit {
        changes.push(Change {
            kind: ChangeKind::CacheMount,
            summary: "apt caches on BuildKit cache mounts".into(),
            lines: Vec::new(),
            rules: Vec::new(),
            effect: "package downloads are reused across builds and never stored in a layer".into(),
        });
    }
    Rewrite {
        text: out,
        changes,
        proposals,
    }
}

/// The comment lines above an instruction.
fn comments_of(w: &Writer<'_, '_>, index: usize) -> String {
    let inst = &w.doc.instructions()[index];
    w.source
        .get(w.start(index)..inst.span().start)
        .unwrap_or_default()
        .to_string()
}

/// CMD/ENTRYPOINT in exec form when the shell form is plain words; any other instruction as
/// written.
fn exec_form_or_verbatim(
    doc: &Dockerfile<'_>,
    w: &Writer<'_, '_>,
    index: usize,
    changes: &mut Vec<Change>,
) -> String {
    let inst = &doc.instructions()[index];
    let kind = inst.kind();
    if matches!(kind, InstructionKind::Cmd | InstructionKind::Entrypoint)
        && !inst.is_json()
        && let Some(words) = analyze::command_argv(doc, index)
    {
        let json = serde_json::to_string(&words).unwrap_or_default();
        let keyword = if kind == InstructionKind::Cmd {
            "CMD"
        } else {
            "ENTRYPOINT"
        };
        changes.push(Change {
            kind: ChangeKind::ExecForm,
            summary: format!("{keyword} in exec form"),
            lines: vec![w.line(index)],
            rules: Vec::new(),
            effect:
                "the process gets signals directly (no /bin/sh in between), so it stops cleanly"
                    .into(),
        });
        return format!(
            "{}{keyword} {}\n",
            comments_of(w, index),
            json.replace("\",\"", "\", \"")
        );
    }
    w.verbatim(index)
}
