//! Dependency installs a build runs itself, recognised in its `RUN` scripts with the shell
//! crate, and the manifest and lock files each ecosystem installs from.

use dockwright_shell::{Action, BuildTool, PackageArgKind, PackageManager, PackageOperation};
use dockwright_syntax::Span;
use serde::Serialize;

use crate::plan::{BuildPlan, StepOp};
use crate::suggest::BuildInstalls;

/// A language ecosystem with dependency manifests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ecosystem {
    /// npm, yarn, pnpm.
    Node,
    /// pip, poetry, pipenv, uv.
    Python,
    /// `go mod download`, `go build`.
    Go,
    /// `cargo build`, `cargo fetch`.
    Rust,
    /// bundler.
    Ruby,
    /// composer.
    Php,
    /// Maven.
    Maven,
    /// Gradle.
    Gradle,
}

/// What a dependency step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DependencyWork {
    /// Installs from manifests (`npm ci`, `pip install -r`, `bundle install`).
    Install,
    /// Downloads dependencies only (`go mod download`, `mvn dependency:go-offline`).
    Fetch,
    /// Builds the project, downloading what it needs (`go build`, `cargo build`,
    /// `mvn package`, `gradle build`).
    Build,
}

/// A `RUN` step that installs, fetches or builds with dependencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DependencyStep {
    /// Stage index.
    pub stage: usize,
    /// Step index in the stage.
    pub step: usize,
    /// The `RUN` line.
    pub line: usize,
    /// The `RUN` instruction in the file.
    pub span: Span,
    pub ecosystem: Ecosystem,
    pub work: DependencyWork,
    /// The command as written in the script (`npm ci`, `pip install -r requirements.txt`).
    pub command: String,
    /// Requirement files the command names (`pip install -r FILE`).
    pub requirement_files: Vec<String>,
    /// It installs the project itself from a directory (`pip install .`), which needs the
    /// sources, not only the manifests.
    pub installs_project: bool,
}

/// Manifest and lock files of an ecosystem: what to copy before the install.
pub fn manifests(ecosystem: Ecosystem) -> &'static [&'static str] {
    match ecosystem {
        Ecosystem::Node => &[
            "package.json",
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            ".npmrc",
            ".yarnrc.yml",
        ],
        Ecosystem::Python => &[
            "requirements.txt",
            "pyproject.toml",
            "poetry.lock",
            "uv.lock",
            "Pipfile",
            "Pipfile.lock",
            "setup.cfg",
            "setup.py",
        ],
        Ecosystem::Go => &["go.mod", "go.sum"],
        Ecosystem::Rust => &["Cargo.toml", "Cargo.lock"],
        Ecosystem::Ruby => &["Gemfile", "Gemfile.lock"],
        Ecosystem::Php => &["composer.json", "composer.lock"],
        Ecosystem::Maven => &["pom.xml"],
        Ecosystem::Gradle => &[
            "build.gradle",
            "build.gradle.kts",
            "settings.gradle",
            "settings.gradle.kts",
            "gradle.properties",
        ],
    }
}

/// The dependency-only step to run after copying the manifests.
pub fn dependency_command(ecosystem: Ecosystem) -> &'static str {
    match ecosystem {
        Ecosystem::Node => "npm ci",
        Ecosystem::Python => "pip install -r requirements.txt",
        Ecosystem::Go => "go mod download",
        Ecosystem::Rust => "cargo fetch",
        Ecosystem::Ruby => "bundle install",
        Ecosystem::Php => "composer install --no-scripts --no-autoloader",
        Ecosystem::Maven => "mvn dependency:go-offline",
        Ecosystem::Gradle => "gradle dependencies",
    }
}

/// Whether a context path is a dependency manifest, lock file or package-manager setting
/// of any ecosystem (an edit to anything else is an ordinary source edit).
pub fn is_manifest_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let all = [
        Ecosystem::Node,
        Ecosystem::Python,
        Ecosystem::Go,
        Ecosystem::Rust,
        Ecosystem::Ruby,
        Ecosystem::Php,
        Ecosystem::Maven,
        Ecosystem::Gradle,
    ];
    if all.iter().any(|e| manifests(*e).contains(&name)) {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    (lower.starts_with("requirements") || lower.starts_with("constraints"))
        && (lower.ends_with(".txt") || lower.ends_with(".in"))
        || lower.ends_with(".gemspec")
        || matches!(
            name,
            "go.work"
                | "go.work.sum"
                | ".python-version"
                | ".nvmrc"
                | ".node-version"
                | "mvnw"
                | "gradlew"
                | "rust-toolchain"
                | "rust-toolchain.toml"
                | ".yarnrc"
        )
        || path.starts_with(".mvn/")
        || path.starts_with("gradle/wrapper/")
        || path.starts_with(".yarn/")
}

fn ecosystem_of_manager(manager: PackageManager) -> Option<Ecosystem> {
    Some(match manager {
        PackageManager::Npm | PackageManager::Yarn | PackageManager::Pnpm => Ecosystem::Node,
        PackageManager::Pip
        | PackageManager::Uv
        | PackageManager::Poetry
        | PackageManager::Pipenv => Ecosystem::Python,
        PackageManager::Go => Ecosystem::Go,
        PackageManager::Cargo => Ecosystem::Rust,
        PackageManager::Bundler => Ecosystem::Ruby,
        PackageManager::Composer => Ecosystem::Php,
        PackageManager::Maven => Ecosystem::Maven,
        PackageManager::Gradle => Ecosystem::Gradle,
        _ => return None,
    })
}

/// The dependency steps of every `RUN` of a plan.
pub fn dependency_steps(plan: &BuildPlan) -> Vec<DependencyStep> {
    let mut out = Vec::new();
    for stage in &plan.stages {
        for step in &stage.steps {
            if step.op != StepOp::Exec {
                continue;
            }
            let Some(script) = &step.script else {
                continue;
            };
            let parsed =
                dockwright_shell::parse(script, &dockwright_shell::ParseOptions::default());
            for command in parsed.commands() {
                let found = match &command.action {
                    Action::Package(p) => {
                        let Some(ecosystem) = ecosystem_of_manager(p.manager) else {
                            continue;
                        };
                        let from_manifest = p.packages.iter().all(|a| {
                            matches!(
                                a.kind,
                                PackageArgKind::Requirements | PackageArgKind::Directory
                            )
                        });
                        let work = match p.operation {
                            PackageOperation::Fetch => DependencyWork::Fetch,
                            PackageOperation::Install
                                if from_manifest
                                    && !p.has(dockwright_shell::PackageFlagKind::Global) =>
                            {
                                // `pip install flask` installs named packages: not from the
                                // project's manifests.
                                if p.manager == PackageManager::Pip && p.packages.is_empty() {
                                    continue;
                                }
                                DependencyWork::Install
                            }
                            _ => continue,
                        };
                        let requirement_files = p
                            .packages
                            .iter()
                            .filter(|a| a.kind == PackageArgKind::Requirements)
                            .map(|a| a.text.clone())
                            .collect();
                        let project = p
                            .packages
                            .iter()
                            .any(|a| a.kind == PackageArgKind::Directory);
                        Some((ecosystem, work, requirement_files, project))
                    }
                    Action::Build(b) => {
                        let ecosystem = match b.tool {
                            BuildTool::Go => Ecosystem::Go,
                            BuildTool::Cargo => Ecosystem::Rust,
                            BuildTool::Maven => Ecosystem::Maven,
                            BuildTool::Gradle => Ecosystem::Gradle,
                            _ => continue,
                        };
                        Some((ecosystem, DependencyWork::Build, Vec::new(), true))
                    }
                    _ => None,
                };
                let Some((ecosystem, work, requirement_files, installs_project)) = found else {
                    continue;
                };
                let text = script
                    .get(command.span.start..command.span.end)
                    .unwrap_or_default()
                    .to_owned();
                out.push(DependencyStep {
                    stage: stage.index,
                    step: step.index,
                    line: step.line,
                    span: step.span,
                    ecosystem,
                    work,
                    command: crate::plan::one_line(&text),
                    requirement_files,
                    installs_project,
                });
            }
        }
    }
    out
}

/// Which dependency directories the build makes itself (for the ignore-file generator).
pub fn build_installs(steps: &[DependencyStep]) -> BuildInstalls {
    let mut installs = BuildInstalls::default();
    for step in steps {
        if step.work != DependencyWork::Install {
            continue;
        }
        match step.ecosystem {
            Ecosystem::Node => installs.node = true,
            Ecosystem::Ruby => installs.ruby = true,
            Ecosystem::Php => installs.php = true,
            _ => {}
        }
    }
    installs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::BuildOptions;

    fn steps(src: &str) -> Vec<(usize, Ecosystem, DependencyWork, String)> {
        let doc = dockwright_syntax::parse(src).unwrap();
        let plan = BuildPlan::new(&doc, &BuildOptions::default());
        dependency_steps(&plan)
            .into_iter()
            .map(|s| (s.line, s.ecosystem, s.work, s.command))
            .collect()
    }

    #[test]
    fn recognises_installs_fetches_and_builds() {
        let found = steps(
            "FROM x\nRUN npm ci && npm run build\nRUN pip install -r requirements.txt\nRUN pip install flask\nRUN npm install -g typescript\nRUN go mod download\nRUN CGO_ENABLED=0 go build -o /app .\nRUN cargo build --release\nRUN bundle install\nRUN composer install --no-dev\nRUN mvn -B dependency:go-offline\nRUN ./gradlew build\nRUN poetry install --no-root\nRUN apt-get install -y curl\nRUN pip install .\n",
        );
        use DependencyWork::*;
        use Ecosystem::*;
        let summary: Vec<(usize, Ecosystem, DependencyWork)> =
            found.iter().map(|(l, e, w, _)| (*l, *e, *w)).collect();
        assert_eq!(
            summary,
            [
                (2, Node, Install),
                (3, Python, Install),
                (6, Go, Fetch),
                (7, Go, Build),
                (8, Rust, Build),
                (9, Ruby, Install),
                (10, Php, Install),
                (11, Maven, Fetch),
                (12, Gradle, Build),
                (13, Python, Install),
                (15, Python, Install),
            ]
        );
        assert_eq!(found[0].3, "npm ci");
        assert_eq!(found[3].3, "CGO_ENABLED=0 go build -o /app .");
    }

    #[test]
    fn manifests_and_ordinary_files() {
        for path in [
            "package.json",
            "web/yarn.lock",
            "requirements-dev.txt",
            "go.sum",
            "app.gemspec",
            ".mvn/wrapper/maven-wrapper.properties",
        ] {
            assert!(is_manifest_path(path), "{path}");
        }
        for path in [
            "src/index.js",
            "README.md",
            "main.go",
            "requirements/notes.md",
        ] {
            assert!(!is_manifest_path(path), "{path}");
        }
        let installs = build_installs(&dependency_steps(&BuildPlan::new(
            &dockwright_syntax::parse("FROM x\nRUN yarn install --frozen-lockfile\n").unwrap(),
            &BuildOptions::default(),
        )));
        assert!(installs.node && !installs.ruby);
    }
}
