use crate::prelude::*;

crate::declare_rule! {
    /// Flags development dependencies installed in the image: `npm install`/`npm ci`
    /// without `--omit=dev`, `yarn install` without `--production`, `pip install -e`,
    /// `poetry install` without `--only main`/`--without dev`, `pipenv install --dev`,
    /// `composer install` without `--no-dev`.
    ///
    /// ## Why
    /// Test runners, linters, type checkers and bundlers are often larger than the
    /// application itself (a typical Node project's `devDependencies` are 2-10x its runtime
    /// dependencies), and each is attack surface and CVE noise in the image. An editable
    /// install (`pip install -e .`) links the source tree instead of installing a package,
    /// so the whole tree, tests and all, must stay in the image. Install only runtime
    /// dependencies in the stage that becomes the image; if the build needs the dev
    /// dependencies, build in a builder stage and copy the output.
    ///
    /// Not flagged: builder stages, installs of named packages (`npm install -g pm2`),
    /// `NODE_ENV=production` or `NPM_CONFIG_PRODUCTION=true` in effect (npm then leaves
    /// dev dependencies out), and an `npm prune --omit=dev`/`--production` later in the
    /// same stage. hadolint does not look at dependency groups.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY package*.json ./
    /// RUN npm ci
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY package*.json ./
    /// RUN npm ci --omit=dev
    /// ```
    pub struct DevDependenciesInImage {
        code: "DW2405",
        name: "dev-dependencies-in-image",
        category: Size,
        severity: Warning,
    }
}

impl Check for DevDependenciesInImage {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        let commands: Vec<ScriptCommand<'_>> = cx.commands().collect();
        let mut found = Vec::new();
        for (i, command) in commands.iter().enumerate() {
            let Some(package) = command.command.action.as_package() else {
                continue;
            };
            let Some(stage) = command.inst.stage() else {
                continue;
            };
            if !cx.in_final_image(stage)
                || package.operation != PackageOperation::Install
                || is_query(command.command)
            {
                continue;
            }
            let program = command.command.program_name().unwrap_or_default();
            let manifest_install = package.packages.iter().all(|p| {
                matches!(
                    p.kind,
                    PackageArgKind::Requirements | PackageArgKind::Directory
                )
            });
            let problem = match package.manager {
                PackageManager::Pip | PackageManager::Uv => package
                    .flag(PackageFlagKind::Editable)
                    .map(|f| (command.file_span(f.span), format!("`{program} install -e` installs the source tree in development mode: the whole tree stays in the image and it is not a built package; install it (`{program} install .`) or copy a wheel from a builder stage"))),
                PackageManager::Pipenv => package
                    .flag(PackageFlagKind::DevIncluded)
                    .map(|f| (command.file_span(f.span), "`pipenv install --dev` puts the development packages in the image; drop `--dev`".to_string())),
                PackageManager::Npm | PackageManager::Yarn | PackageManager::Pnpm | PackageManager::Poetry | PackageManager::Composer
                    if manifest_install
                        && !package.has(PackageFlagKind::DevExcluded)
                        && !package.has(PackageFlagKind::Global) =>
                {
                    let node = matches!(package.manager, PackageManager::Npm | PackageManager::Yarn | PackageManager::Pnpm);
                    let production_env = node && {
                        let env = model.env_at(command.inst.index);
                        let is = |name: &str, want: &[&str]| {
                            env.get(name).is_some_and(|v| want.contains(&v.to_ascii_lowercase().as_str()))
                        };
                        is("NODE_ENV", &["production"]) || is("NPM_CONFIG_PRODUCTION", &["true", "1"])
                            || command.command.assignments.iter().any(|a| a.name == "NODE_ENV")
                    };
                    let pruned = node && commands[i + 1..].iter().any(|later| {
                        later.inst.stage() == Some(stage)
                            && later.command.action.as_package().is_some_and(|p| {
                                p.subcommand.as_ref().is_some_and(|s| s.text == "prune")
                                    && (p.has(PackageFlagKind::DevExcluded) || p.manager == PackageManager::Pnpm)
                            })
                    });
                    (!production_env && !pruned).then(|| {
                        let fix = match package.manager {
                            PackageManager::Npm => "`--omit=dev`",
                            PackageManager::Yarn => "`--production` (yarn 1) or `workspaces focus --production` (yarn 2+)",
                            PackageManager::Pnpm => "`--prod`",
                            PackageManager::Poetry => "`--only main`",
                            _ => "`--no-dev`",
                        };
                        let verb = package.subcommand.as_ref().map(|s| s.text.as_str()).unwrap_or("install");
                        (command.span(), format!("`{program} {verb}` installs the development dependencies into the image; add {fix}, or build in a builder stage"))
                    })
                }
                _ => None,
            };
            if let Some(problem) = problem {
                found.push(problem);
            }
        }
        for (span, message) in found {
            cx.report(span, message);
        }
    }
}

/// `yarn --version`, `npm -v`, `gcc --version`: a query, not an install or a build.
fn is_query(command: &SimpleCommand) -> bool {
    command.arguments().iter().any(|w| {
        matches!(
            w.text.as_str(),
            "--version" | "-version" | "-v" | "-V" | "--help" | "-h" | "version"
        )
    })
}
