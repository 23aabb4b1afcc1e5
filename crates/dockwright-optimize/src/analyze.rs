//! What each instruction of the final stage does, read from the stage and shell models.

use std::ops::Range;
use std::path::{Path, PathBuf};

use dockwright_model::{BuildOptions, Model, StageBase};
use dockwright_shell::{Action, PackageArgKind, PackageFlagKind, PackageManager, PackageOperation};
use dockwright_syntax::{CommandForm, Dockerfile, InstructionKind};
use serde::Serialize;

/// A dependency ecosystem whose manifests can be copied before the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// pip with requirements files.
    Pip,
    /// npm.
    Npm,
    /// Yarn.
    Yarn,
    /// pnpm.
    Pnpm,
    /// Go modules.
    Go,
    /// Cargo (dependencies built against a stub target).
    Cargo,
}

/// Read access to the build context.
#[derive(Debug, Clone)]
pub(crate) struct ProjectFiles {
    root: Option<PathBuf>,
}

impl ProjectFiles {
    pub(crate) fn new(root: Option<&Path>) -> Self {
        Self {
            root: root.map(Path::to_path_buf),
        }
    }

    pub(crate) fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    pub(crate) fn is_file(&self, rel: &str) -> bool {
        self.root.as_ref().is_some_and(|r| r.join(rel).is_file())
    }

    pub(crate) fn is_dir(&self, rel: &str) -> bool {
        self.root.as_ref().is_some_and(|r| r.join(rel).is_dir())
    }

    pub(crate) fn read(&self, rel: &str) -> Option<String> {
        self.root
            .as_ref()
            .and_then(|r| std::fs::read_to_string(r.join(rel)).ok())
    }
}

/// An apt `RUN` that does nothing else: index update, install, cleanup.
#[derive(Debug, Clone, Default)]
pub(crate) struct AptRun {
    pub update: bool,
    /// Packages as written.
    pub packages: Vec<String>,
    pub no_recommends: bool,
    pub lists_removed: bool,
    /// Number of commands (one `RUN` with update, install and cleanup is already tidy).
    pub installs: usize,
}

/// What an instruction of the final stage is, for the rewrite.
#[derive(Debug, Clone)]
pub(crate) enum Role {
    From,
    Apt(AptRun),
    /// `COPY . DEST` (or `ADD . DEST`) from the context.
    SourceCopy {
        dest: String,
    },
    /// Installs dependencies named by manifests only.
    Dependency {
        ecosystem: Ecosystem,
        manifests: Vec<String>,
    },
    /// Compiles, tests or installs from the source.
    Build,
    /// Creates users, directories, links or permissions the runtime may need.
    RuntimeSetup,
    /// Any other RUN (downloads tooling, ...).
    Tooling,
    /// Anything else: image config, ARG, COPY of named files.
    Config,
}

/// Facts about a build the runtime stage needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct BuildFacts {
    /// Absolute paths `go build -o` writes.
    pub go_outputs: Vec<String>,
    /// `cargo build` RUN: (instruction, the command text, working directory).
    pub cargo_build: Option<(usize, String, String)>,
    /// Release or debug profile directory of the cargo build.
    pub cargo_profile: String,
    /// `pip install` into the system interpreter.
    pub pip_system: bool,
    /// `npm run build` of a Next.js app (the instruction).
    pub next_build: Option<usize>,
    /// Why the stage counts as building.
    pub reasons: Vec<String>,
    /// `RUN chown -R OWNER PATH` steps: (instruction, owner, absolute path).
    pub chowns: Vec<(usize, String, String)>,
}

/// The analysis of the Dockerfile.
#[derive(Debug)]
pub(crate) struct Plan {
    pub model: Model,
    /// The final stage's instructions.
    pub range: Range<usize>,
    pub roles: Vec<Role>,
    /// The final stage's base image as written (`None`: scratch or another stage).
    pub base: Option<String>,
    pub alias: Option<String>,
    pub builds: BuildFacts,
    /// Names of all stages.
    pub stage_names: Vec<String>,
    /// The final stage sets a USER.
    pub has_user: bool,
    /// The kind of each instruction of the final stage.
    pub kinds: Vec<InstructionKind>,
}

impl Plan {
    pub(crate) fn role(&self, index: usize) -> Option<&Role> {
        index
            .checked_sub(self.range.start)
            .and_then(|i| self.roles.get(i))
    }
}

/// Packages only a build needs: compilers, headers, build systems, package tools.
pub(crate) fn build_only_package(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "build-essential",
        "gcc",
        "g++",
        "cpp",
        "clang",
        "make",
        "cmake",
        "autoconf",
        "automake",
        "libtool",
        "pkg-config",
        "pkgconf",
        "git",
        "golang",
        "golang-go",
        "cargo",
        "rustc",
        "cargo-web",
        "maven",
        "gradle",
        "ant",
        "python3-pip",
        "python3-venv",
        "python3-wheel",
        "python3-setuptools",
        "python-pip",
        "npm",
        "yarnpkg",
        "curl",
        "wget",
        "unzip",
        "default-jdk",
        "default-jdk-headless",
    ];
    let name = name.split(['=', ':']).next().unwrap_or(name);
    NAMES.contains(&name)
        || name.ends_with("-dev")
        || name.ends_with("-devel")
        || name.ends_with("-headers")
        || name.starts_with("libmaven")
        || name.starts_with("libsurefire")
        || (name.starts_with("openjdk-") && name.contains("-jdk"))
}

/// The runtime twin of a build-only package (a JDK's JRE).
pub(crate) fn runtime_twin(name: &str) -> Option<String> {
    let bare = name.split(['=', ':']).next().unwrap_or(name);
    if bare.contains("-jdk") && (bare.starts_with("default-") || bare.starts_with("openjdk-")) {
        return Some(bare.replacen("-jdk", "-jre", 1));
    }
    None
}

/// The words of a simple command from the program on.
fn argv(cmd: &dockwright_shell::SimpleCommand) -> Vec<&str> {
    let start = cmd.program.as_ref().map_or(0, |p| p.index);
    cmd.words
        .iter()
        .skip(start)
        .map(|w| w.text.as_str())
        .collect()
}

fn program(cmd: &dockwright_shell::SimpleCommand) -> Option<&str> {
    cmd.program.as_ref().map(|p| p.name.as_str())
}

pub(crate) fn analyze(doc: &Dockerfile<'_>, project: &ProjectFiles) -> Plan {
    let model = Model::build(doc, &BuildOptions::default());
    let stage = model.stages.last();
    let range = stage.map_or(0..0, |s| s.from_instruction..s.instructions.end);
    let base = stage.and_then(|s| match &s.base {
        StageBase::Image(image) => Some(image.written.clone()),
        _ => None,
    });
    let alias = stage.and_then(|s| s.name.clone());
    let has_user = stage.is_some_and(|s| !s.users.is_empty());
    let stage_names = model.stages.iter().filter_map(|s| s.name.clone()).collect();
    let mut builds = BuildFacts {
        cargo_profile: "release".into(),
        ..BuildFacts::default()
    };
    let mut roles = Vec::new();
    let mut kinds = Vec::new();
    let mut seen_source = false;
    for index in range.clone() {
        let Some(inst) = doc.instructions().get(index) else {
            break;
        };
        kinds.push(inst.kind());
        let role = match inst.kind() {
            InstructionKind::From => Role::From,
            InstructionKind::Copy | InstructionKind::Add => {
                let copy = inst.command().as_copy();
                match copy {
                    Some(c)
                        if c.from.is_none()
                            && c.sources.len() == 1
                            && matches!(&c.sources[0], dockwright_syntax::CopySource::Path(w) if matches!(w.as_str(), "." | "./"))
                            && c.destination.is_some()
                            && !seen_source =>
                    {
                        seen_source = true;
                        Role::SourceCopy {
                            dest: c
                                .destination
                                .as_ref()
                                .map(|d| d.as_str().to_string())
                                .unwrap_or_default(),
                        }
                    }
                    _ => Role::Config,
                }
            }
            InstructionKind::Run => {
                let workdir = model
                    .instruction(index)
                    .and_then(|f| f.workdir.clone())
                    .unwrap_or_else(|| "/".into());
                classify_run(&model, index, &workdir, project, &mut builds)
            }
            _ => Role::Config,
        };
        if let Role::Apt(apt) = &role {
            for p in &apt.packages {
                if build_only_package(p) && !matches!(p.as_str(), "curl" | "wget" | "git") {
                    builds
                        .reasons
                        .push(format!("installs the build-only package {p}"));
                }
            }
        }
        roles.push(role);
    }
    Plan {
        model,
        range,
        roles,
        base,
        alias,
        builds,
        stage_names,
        has_user,
        kinds,
    }
}

fn classify_run(
    model: &Model,
    index: usize,
    workdir: &str,
    project: &ProjectFiles,
    builds: &mut BuildFacts,
) -> Role {
    let Some(run) = model.run(index) else {
        return Role::Tooling;
    };
    if !run.mounts.is_empty() || run.network.is_some() || run.scripts.is_empty() {
        return Role::Tooling;
    }
    let mut commands = Vec::new();
    for script in &run.scripts {
        if script.parsed.is_none() {
            return Role::Tooling;
        }
        commands.extend(script.commands());
    }
    if commands.is_empty() {
        return Role::Tooling;
    }

    // apt only?
    let mut apt = AptRun::default();
    let only_apt = commands.iter().all(|cmd| match &cmd.action {
        Action::Package(pc)
            if matches!(pc.manager, PackageManager::AptGet | PackageManager::Apt) =>
        {
            match pc.operation {
                PackageOperation::UpdateIndex => {
                    apt.update = true;
                    true
                }
                PackageOperation::Install => {
                    apt.installs += 1;
                    apt.no_recommends |= pc.has(PackageFlagKind::NoInstallRecommends);
                    apt.packages.extend(
                        pc.packages
                            .iter()
                            .filter(|p| p.kind == PackageArgKind::Name)
                            .map(|p| p.text.clone()),
                    );
                    pc.packages.iter().all(|p| p.kind == PackageArgKind::Name)
                }
                PackageOperation::CleanCache => true,
                _ => false,
            }
        }
        Action::Remove(rm)
            if rm
                .paths
                .iter()
                .all(|p| p.text.starts_with("/var/lib/apt/lists")) =>
        {
            apt.lists_removed = true;
            true
        }
        _ => false,
    });
    if only_apt && (apt.update || apt.installs > 0) {
        return Role::Apt(apt);
    }

    // Dependency installs from manifests only?
    let mut dependency: Option<(Ecosystem, Vec<String>)> = None;
    let mut only_deps = true;
    for cmd in &commands {
        let args = argv(cmd);
        let found = match (&cmd.action, program(cmd)) {
            (Action::Package(pc), _)
                if pc.manager == PackageManager::Pip
                    && pc.operation == PackageOperation::Install
                    && !pc.packages.is_empty()
                    && pc
                        .packages
                        .iter()
                        .all(|p| p.kind == PackageArgKind::Requirements) =>
            {
                if !pc.has(PackageFlagKind::User) {
                    builds.pip_system = true;
                }
                Some((
                    Ecosystem::Pip,
                    pc.packages.iter().map(|p| p.text.clone()).collect(),
                ))
            }
            (Action::Package(pc), _)
                if matches!(
                    pc.manager,
                    PackageManager::Npm | PackageManager::Yarn | PackageManager::Pnpm
                ) && pc.operation == PackageOperation::Install
                    && pc.packages.is_empty()
                    && !pc.has(PackageFlagKind::Global) =>
            {
                let (eco, locks): (Ecosystem, &[&str]) = match pc.manager {
                    PackageManager::Yarn => (Ecosystem::Yarn, &["yarn.lock", ".yarnrc.yml"]),
                    PackageManager::Pnpm => (Ecosystem::Pnpm, &["pnpm-lock.yaml"]),
                    _ => (
                        Ecosystem::Npm,
                        &["package-lock.json", "npm-shrinkwrap.json", ".npmrc"],
                    ),
                };
                let mut files = vec!["package.json".to_string()];
                // Without the context only what the command cannot run without is known.
                if project.root().is_some() {
                    files.extend(locks.iter().map(|s| s.to_string()));
                } else if pc.has(PackageFlagKind::Frozen) && eco == Ecosystem::Npm {
                    files.push("package-lock.json".into());
                }
                Some((eco, files))
            }
            (_, Some("go")) if args.get(1..3) == Some(&["mod", "download"][..]) => {
                let mut files = vec!["go.mod".to_string()];
                if project.root().is_some() {
                    files.push("go.sum".into());
                }
                Some((Ecosystem::Go, files))
            }
            _ => None,
        };
        match found {
            Some((eco, files)) => {
                let files: Vec<String> = files
                    .into_iter()
                    .filter(|f| project.root().is_none() || project.is_file(&context_path(f)))
                    .collect();
                match &mut dependency {
                    Some((_, all)) => all.extend(files),
                    None => dependency = Some((eco, files)),
                }
            }
            _ => only_deps = false,
        }
    }
    if only_deps && let Some((ecosystem, manifests)) = dependency {
        return Role::Dependency {
            ecosystem,
            manifests,
        };
    }

    // Build steps.
    let mut is_build = false;
    let mut setup_only = true;
    for cmd in &commands {
        let args = argv(cmd);
        let prog = program(cmd).unwrap_or_default();
        match &cmd.action {
            Action::Build(_) => {
                is_build = true;
                setup_only = false;
                builds.reasons.push(format!("runs {}", args.join(" ")));
                if prog == "go" && args.get(1) == Some(&"build") {
                    if let Some(pos) = args.iter().position(|a| *a == "-o")
                        && let Some(out) = args.get(pos + 1)
                    {
                        builds.go_outputs.push(absolute(workdir, out));
                    } else if let Some(out) = args.iter().find_map(|a| a.strip_prefix("-o=")) {
                        builds.go_outputs.push(absolute(workdir, out));
                    }
                }
                if prog == "cargo" && args.get(1) == Some(&"build") && builds.cargo_build.is_none()
                {
                    if !args.contains(&"--release") {
                        builds.cargo_profile = "debug".into();
                    }
                    builds.cargo_build = Some((index, args.join(" "), workdir.to_string()));
                }
                if matches!(prog, "npm" | "yarn" | "pnpm")
                    && args.contains(&"build")
                    && project
                        .read(&context_path("package.json"))
                        .is_some_and(|p| depends_on(&p, "next"))
                {
                    builds.next_build = Some(index);
                }
            }
            Action::Package(pc)
                if pc.manager == PackageManager::Pip
                    && pc.operation == PackageOperation::Install =>
            {
                is_build = true;
                setup_only = false;
                if !pc.has(PackageFlagKind::User) {
                    builds.pip_system = true;
                }
                if pc
                    .packages
                    .iter()
                    .any(|p| p.kind == PackageArgKind::Directory)
                {
                    builds
                        .reasons
                        .push(format!("installs from source: {}", args.join(" ")));
                }
            }
            Action::AddUser(_)
            | Action::AddGroup(_)
            | Action::ChangeMode(_)
            | Action::ChangeOwner(_)
            | Action::Link(_) => {}
            _ if prog == "mkdir" => {}
            _ => {
                setup_only = false;
                if matches!(
                    prog,
                    "go" | "cargo" | "mvn" | "gradle" | "nvcc" | "gcc" | "cc" | "make"
                ) {
                    is_build = true;
                    builds.reasons.push(format!("runs {}", args.join(" ")));
                } else if matches!(prog, "python" | "python3" | "node" | "java" | "npm")
                    && !args.is_empty()
                {
                    // Tests and checks run from the source tree.
                    is_build = true;
                }
            }
        }
    }
    if let [cmd] = commands.as_slice()
        && let Action::ChangeOwner(chown) = &cmd.action
        && chown.recursive
        && let (Some(owner), [path]) = (&chown.owner, chown.paths.as_slice())
    {
        builds
            .chowns
            .push((index, owner.text.clone(), absolute(workdir, &path.text)));
    }
    if setup_only {
        return Role::RuntimeSetup;
    }
    if is_build {
        return Role::Build;
    }
    Role::Tooling
}

/// Whether a package.json names `name` among its dependencies.
pub(crate) fn depends_on(package_json: &str, name: &str) -> bool {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(package_json) else {
        return false;
    };
    ["dependencies", "devDependencies"]
        .iter()
        .any(|k| value.get(k).and_then(|d| d.get(name)).is_some())
}

/// A path a command names relative to its working directory, as a context path: the
/// working directory is where the source COPY puts the context root.
pub(crate) fn context_path(rel: &str) -> String {
    rel.trim_start_matches("./").to_string()
}

/// `path` resolved against `workdir`.
pub(crate) fn absolute(workdir: &str, path: &str) -> String {
    if path.starts_with('/') {
        return path.to_string();
    }
    let rel = path.trim_start_matches("./");
    if rel.is_empty() || rel == "." {
        return workdir.to_string();
    }
    if workdir.ends_with('/') {
        format!("{workdir}{rel}")
    } else {
        format!("{workdir}/{rel}")
    }
}

/// The exec-form argument vector of a CMD or ENTRYPOINT (shell form: its words when it is a
/// plain word list).
pub(crate) fn command_argv(doc: &Dockerfile<'_>, index: usize) -> Option<Vec<String>> {
    let inst = doc.instructions().get(index)?;
    let form = inst.command().command_form_of()?;
    match form {
        CommandForm::Exec(words) => Some(words.iter().map(|w| w.as_str().to_string()).collect()),
        CommandForm::Shell(script) => plain_words(&script.text),
    }
}

/// The words of a shell command that is nothing but plain words (no expansion, quoting,
/// operator or redirection), which makes it safe to write in exec form.
pub(crate) fn plain_words(text: &str) -> Option<Vec<String>> {
    let parsed = dockwright_shell::parse(text, &dockwright_shell::ParseOptions::default());
    let commands = parsed.commands();
    let [cmd] = commands.as_slice() else {
        return None;
    };
    if !cmd.assignments.is_empty() || !cmd.redirections.is_empty() || cmd.words.is_empty() {
        return None;
    }
    if parsed.pipelines().len() != 1 || parsed.pipelines().iter().any(|p| p.has_pipe()) {
        return None;
    }
    let mut out = Vec::new();
    for w in &cmd.words {
        let plain = !w.raw.is_empty()
            && w.raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c));
        if !plain {
            return None;
        }
        out.push(w.text.clone());
    }
    // The whole text must be those words separated by blanks: nothing else was parsed away.
    let joined: Vec<&str> = text.split_whitespace().collect();
    (joined == out.iter().map(String::as_str).collect::<Vec<_>>()).then_some(out)
}
