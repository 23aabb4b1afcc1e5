use crate::prelude::*;

crate::declare_rule! {
    /// Flags `dnf`/`microdnf`/`yum install` that installs documentation (no
    /// `--setopt=tsflags=nodocs` or `--nodocs`) or weak dependencies (dnf and microdnf
    /// without `--setopt=install_weak_deps=False`) into the image.
    ///
    /// ## Why
    /// The RPM counterpart of apt's `--no-install-recommends`: by default dnf installs
    /// every package's man pages and `/usr/share/doc`, and every `Recommends:` package
    /// (weak dependencies), none of which the program runs. On a UBI or Fedora image the two
    /// together are typically 10–30% of what an install adds. A `--setopt` on the command
    /// line keeps the choice in the Dockerfile, whatever the base image's `dnf.conf` says.
    ///
    /// Only installs in a stage that becomes the image are judged (a builder stage's
    /// packages are not shipped). yum is only asked for `nodocs`: yum 3 (EL7) has no weak
    /// dependencies. hadolint and BuildKit's checks have no such rule.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN dnf install -y python3 && dnf clean all
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN dnf install -y --setopt=tsflags=nodocs --setopt=install_weak_deps=False python3 \
    ///     && dnf clean all
    /// ```
    ///
    /// ## Fix
    /// Safe: the missing option(s) are added after `install` (`--setopt=tsflags=nodocs`,
    /// and for dnf `--setopt=install_weak_deps=False`; `--nodocs` and
    /// `--setopt=install_weak_deps=0` for microdnf). Every package the command names is
    /// still installed with all its hard dependencies; only documentation files and
    /// weak dependencies are left out. If the image relied on a weak dependency, name it.
    pub struct RpmDocsAndWeakDeps {
        code: "DW2501",
        name: "rpm-docs-and-weak-deps",
        category: Size,
        severity: Info,
        fix: Safe,
    }
}

impl Check for RpmDocsAndWeakDeps {
    fn check(cx: &mut Checker<'_>) {
        let mut found = Vec::new();
        for (command, package) in cx.package_commands() {
            if !matches!(
                package.manager,
                PackageManager::Dnf | PackageManager::Microdnf | PackageManager::Yum
            ) || package.operation != PackageOperation::Install
                || command.inst.facts.onbuild
                || !command.inst.stage().is_some_and(|s| cx.in_final_image(s))
            {
                continue;
            }
            let Some(subcommand) = &package.subcommand else {
                continue;
            };
            let microdnf = package.manager == PackageManager::Microdnf;
            let docs = !package.has(PackageFlagKind::NoDocument);
            let weak = package.manager != PackageManager::Yum
                && !package.has(PackageFlagKind::NoInstallRecommends);
            let mut missing = Vec::new();
            if docs {
                missing.push(if microdnf {
                    "--nodocs"
                } else {
                    "--setopt=tsflags=nodocs"
                });
            }
            if weak {
                missing.push(if microdnf {
                    "--setopt=install_weak_deps=0"
                } else {
                    "--setopt=install_weak_deps=False"
                });
            }
            if missing.is_empty() {
                continue;
            }
            let what = match (docs, weak) {
                (true, true) => "documentation and weak dependencies",
                (true, false) => "documentation",
                _ => "weak dependencies",
            };
            let program = command.command.program_name().unwrap_or("dnf");
            let options = missing.join(" ");
            let at = command.file_span(subcommand.span);
            found.push((
                command.span(),
                format!(
                    "`{program} {}` also installs {what} the image does not run; add `{options}`",
                    subcommand.text
                ),
                Fix::safe(
                    format!("add `{options}`"),
                    vec![Edit::insert(at.end, format!(" {options}"))],
                ),
            ));
        }
        for (span, message, fix) in found {
            cx.report(span, message).set_fix(fix);
        }
    }
}
