use crate::prelude::*;

crate::declare_rule! {
    /// Flags `apt-get install` of packages without a version.
    ///
    /// ## Why
    /// Without `package=version`, each build installs whatever version the archive has that
    /// day, so two builds of the same Dockerfile differ and a package update can break the
    /// image without any change to the Dockerfile.
    ///
    /// Pinning has a cost on Debian and Ubuntu: the archive drops superseded versions, so a
    /// pin breaks the build when the version is gone (hadolint issue #999). Pin where
    /// reproducibility matters more than that, or ignore this rule (`ignore = ["DW5003"]`).
    /// Local `.deb` files, paths, and packages given by a variable are not flagged; a target
    /// release (`package/bookworm-backports`) is not a version.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
    /// ```
    pub struct AptUnpinned {
        code: "DW5003",
        name: "apt-unpinned",
        category: Reproducibility,
        severity: Warning,
        hadolint: "DL3008",
    }
}

impl Check for AptUnpinned {
    fn check(cx: &mut Checker<'_>) {
        for (command, package) in cx.package_commands() {
            if !matches!(
                package.manager,
                PackageManager::AptGet | PackageManager::Apt
            ) || package.operation != PackageOperation::Install
            {
                continue;
            }
            let unpinned: Vec<&str> = package
                .packages
                .iter()
                .filter(|p| !p.is_pinned())
                .map(|p| p.name.as_str())
                .collect();
            if unpinned.is_empty() {
                continue;
            }
            let shown: Vec<String> = unpinned.iter().take(5).map(|p| format!("`{p}`")).collect();
            let more = match unpinned.len() {
                n if n > 5 => format!(" and {} more", n - 5),
                _ => String::new(),
            };
            cx.report(
                command.span(),
                format!(
                    "packages installed without a version: {}{more}; pin them as `package=version`",
                    shown.join(", ")
                ),
            );
        }
    }
}
