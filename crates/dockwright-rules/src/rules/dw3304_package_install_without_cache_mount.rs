use crate::prelude::*;

crate::declare_rule! {
    /// Suggests a BuildKit cache mount for package and dependency installs (opt-in).
    ///
    /// ## Why
    /// A package manager downloads every package again whenever its step re-runs: the
    /// downloads either land in the layer (and are deleted to keep the image small) or are
    /// skipped with `--no-cache`. A cache mount
    /// (`RUN --mount=type=cache,target=/root/.npm npm ci`) keeps the download cache on the
    /// build machine, outside every layer: the image stays as small as with
    /// `--no-cache`, and a re-run step fetches only what changed — often minutes saved per
    /// rebuild. The rule is opt-in (select `DW3304`) because cache mounts need BuildKit
    /// (Docker 23+, buildx, or buildah 1.24+ with `--layers`) and help only where the
    /// builder keeps its cache between builds (not on fresh CI runners without a cache
    /// export).
    ///
    /// A step is not flagged when a cache mount already covers the manager's cache. For
    /// apt on Debian and Ubuntu images, also remove `/etc/apt/apt.conf.d/docker-clean`
    /// (it deletes downloaded packages after each install) and use `sharing=locked`.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    /// ```
    pub struct PackageInstallWithoutCacheMount {
        code: "DW3304",
        name: "package-install-without-cache-mount",
        category: Cache,
        severity: Info,
        opt_in: true,
    }
}

/// Where a manager keeps its download cache when it runs as root, as cache mount targets.
fn cache_targets(manager: PackageManager) -> Option<&'static [&'static str]> {
    use PackageManager as M;
    Some(match manager {
        M::AptGet | M::Apt | M::Aptitude => &["/var/cache/apt", "/var/lib/apt/lists"],
        M::Apk => &["/etc/apk/cache"],
        M::Dnf | M::Microdnf => &["/var/cache/dnf"],
        M::Yum => &["/var/cache/yum"],
        M::Tdnf => &["/var/cache/tdnf"],
        M::Zypper => &["/var/cache/zypp"],
        M::Pip => &["/root/.cache/pip"],
        M::Uv => &["/root/.cache/uv"],
        M::Poetry => &["/root/.cache/pypoetry"],
        M::Npm => &["/root/.npm"],
        M::Yarn => &["/usr/local/share/.cache/yarn"],
        M::Pnpm => &["/root/.local/share/pnpm/store"],
        M::Go => &["/go/pkg/mod"],
        M::Cargo => &["/usr/local/cargo/registry"],
        M::Maven => &["/root/.m2"],
        M::Gradle => &["/root/.gradle"],
        M::Composer => &["/root/.composer/cache"],
        _ => return None,
    })
}

/// Whether a cache mount of the RUN covers `target` (or the same directory under another
/// home: `/home/app/.npm` for `/root/.npm`).
fn covered(run: &RunFacts, target: &str) -> bool {
    if run.mount_covers(target) {
        return true;
    }
    let Some(relative) = target.strip_prefix("/root/") else {
        return false;
    };
    run.mounts_of(MountType::Cache).any(|m| {
        m.mount.target.as_deref().is_some_and(|t| {
            t.trim_end_matches('/')
                .ends_with(relative.trim_end_matches('/'))
        })
    })
}

impl Check for PackageInstallWithoutCacheMount {
    fn check(cx: &mut Checker<'_>) {
        let runs: Vec<&RunFacts> = cx
            .runs()
            .filter(|(inst, _)| !inst.facts.onbuild)
            .map(|(_, run)| run)
            .collect();
        for run in runs {
            let mut seen: Vec<PackageManager> = Vec::new();
            for script in &run.scripts {
                for command in script.commands() {
                    let Some(package) = command.action.as_package() else {
                        continue;
                    };
                    if !matches!(
                        package.operation,
                        PackageOperation::Install | PackageOperation::Fetch
                    ) || seen.contains(&package.manager)
                    {
                        continue;
                    }
                    let Some(targets) = cache_targets(package.manager) else {
                        continue;
                    };
                    let missing: Vec<&str> = targets
                        .iter()
                        .copied()
                        .filter(|t| !covered(run, t))
                        .collect();
                    if missing.is_empty() {
                        continue;
                    }
                    seen.push(package.manager);
                    let mounts: Vec<String> = missing
                        .iter()
                        .map(|t| format!("--mount=type=cache,target={t}"))
                        .collect();
                    let span = script.span_in_file(command.span);
                    let name = cx
                        .text(span)
                        .split_whitespace()
                        .take(2)
                        .collect::<Vec<_>>()
                        .join(" ");
                    cx.report(
                        span,
                        format!(
                            "`{name}` downloads everything again whenever this step re-runs; `RUN {}` keeps its download cache between builds, outside the image",
                            mounts.join(" ")
                        ),
                    );
                }
            }
        }
    }
}
