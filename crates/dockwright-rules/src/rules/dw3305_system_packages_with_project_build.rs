use dockwright_model::dockwright_shell::BuildTool;

use crate::prelude::*;

crate::declare_rule! {
    /// Flags a `RUN` that installs system packages (apt, apk, dnf, yum, zypper) and also
    /// installs the project's dependencies or builds it, after a `COPY` from the build
    /// context.
    ///
    /// ## Why
    /// A `RUN` is cached or re-run as a whole. System packages change rarely; the project's
    /// files change on every commit. Once both are in one `RUN` behind a `COPY` of project
    /// files, every source edit re-runs the system install too: package lists downloaded
    /// again, the same packages unpacked again, often the longest part of the step. In its
    /// own `RUN` before the `COPY`, the system install stays cached until its own line
    /// changes. This is the one case of "one giant RUN mixing rarely- and often-changing
    /// work" that can be told apart from the file alone; neither hadolint nor BuildKit has
    /// it.
    ///
    /// The project side is a manifest-driven install (`npm ci`, `pip install -r`,
    /// `pip install .`, `bundle install`, `go mod download`) or a language build
    /// (`go build`, `cargo build`, `mvn package`, `npm run build`, ...); `make` or
    /// `./configure` of a downloaded source tree, and installs of named registry packages,
    /// are not project work. Not flagged: a `RUN` with no `COPY`/`ADD` from the context
    /// before it in its stage (or the stages it is built on).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY . /app
    /// RUN apt-get update && apt-get install -y --no-install-recommends gcc \
    ///  && pip install --no-cache-dir -r /app/requirements.txt
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends gcc \
    ///  && rm -rf /var/lib/apt/lists/*
    /// COPY . /app
    /// RUN pip install --no-cache-dir -r /app/requirements.txt
    /// ```
    pub struct SystemPackagesWithProjectBuild {
        code: "DW3305",
        name: "system-packages-with-project-build",
        category: Cache,
        severity: Info,
    }
}

fn is_system(manager: PackageManager) -> bool {
    use PackageManager as M;
    matches!(
        manager,
        M::AptGet
            | M::Apt
            | M::Aptitude
            | M::Apk
            | M::Dnf
            | M::Yum
            | M::Microdnf
            | M::Tdnf
            | M::Zypper
    )
}

/// Whether a language package manager installs the project's dependencies: from its
/// manifest (`npm ci`, `bundle install`, `pip install -r`, `pip install .`) or by fetching
/// them (`go mod download`), not named packages from a registry.
fn installs_project(p: &PackageCommand) -> bool {
    if is_system(p.manager) || matches!(p.manager, PackageManager::Dpkg | PackageManager::Rpm) {
        return false;
    }
    match p.operation {
        PackageOperation::Fetch => true,
        PackageOperation::Install => {
            p.packages.is_empty()
                || p.packages.iter().any(|a| {
                    matches!(
                        a.kind,
                        PackageArgKind::Requirements | PackageArgKind::Directory
                    )
                })
        }
        _ => false,
    }
}

/// Whether a build tool builds a project of a language ecosystem (not `make` or
/// `./configure` of a downloaded source tree).
fn builds_project(tool: BuildTool) -> bool {
    use BuildTool as T;
    matches!(
        tool,
        T::Go
            | T::Cargo
            | T::Maven
            | T::Gradle
            | T::Npm
            | T::Yarn
            | T::Pnpm
            | T::Dotnet
            | T::Python
    )
}

/// Whether a COPY or ADD from the build context (no `--from`) comes before instruction
/// `index` in its stage or the stages it is built on.
fn context_copied_before(cx: &Checker<'_>, index: usize) -> Option<usize> {
    let model = cx.model();
    let mut stage = model.stage_of(index);
    let mut until = index;
    let mut steps = 0;
    while let Some(s) = stage {
        for i in (s.instructions.start..until).rev() {
            let Some(inst) = cx.instruction(i) else {
                continue;
            };
            if matches!(inst.kind(), InstructionKind::Copy | InstructionKind::Add)
                && inst.syntax.as_copy().is_some_and(|c| c.from.is_none())
            {
                return Some(i);
            }
        }
        stage = s.base_stage().and_then(|b| model.stages.get(b));
        until = stage.map_or(0, |b| b.instructions.end);
        steps += 1;
        if steps > model.stages.len() {
            break;
        }
    }
    None
}

impl Check for SystemPackagesWithProjectBuild {
    fn check(cx: &mut Checker<'_>) {
        let runs: Vec<(usize, &RunFacts)> = cx
            .runs()
            .filter(|(inst, _)| !inst.facts.onbuild)
            .map(|(inst, run)| (inst.index, run))
            .collect();
        for (index, run) in runs {
            let mut system = None;
            let mut project = None;
            for script in &run.scripts {
                for command in script.commands() {
                    let span = script.span_in_file(command.span);
                    match &command.action {
                        Action::Package(p)
                            if is_system(p.manager) && p.operation == PackageOperation::Install =>
                        {
                            system.get_or_insert(span);
                        }
                        Action::Package(p) if installs_project(p) => {
                            project.get_or_insert(span);
                        }
                        Action::Build(b) if builds_project(b.tool) => {
                            project.get_or_insert(span);
                        }
                        _ => {}
                    }
                }
            }
            let (Some(system), Some(project)) = (system, project) else {
                continue;
            };
            let Some(copy) = context_copied_before(cx, index) else {
                continue;
            };
            let copy_line = cx
                .instruction(copy)
                .map_or(0, |i| cx.position(i.syntax.span().start).line);
            let what = cx
                .text(project)
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            cx.report(
                system,
                format!(
                    "these system packages are installed in the same RUN as `{what}`, after the COPY on line {copy_line}: every source edit reinstalls them; install them in their own RUN before that COPY"
                ),
            );
        }
    }
}
