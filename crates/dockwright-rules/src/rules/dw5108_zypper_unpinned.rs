use super::dw5102_apk_unpinned::summary;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `zypper install` of packages without a version.
    ///
    /// ## Why
    /// Without `package=version` (or `>=`, `<` constraints) each build installs the newest
    /// package in the repositories that day: two builds of the same Dockerfile differ, and
    /// an update can break the image with no change to the Dockerfile.
    ///
    /// Local and remote `.rpm` files are not flagged; variables are not judged.
    ///
    /// ## Differences from hadolint (DL3037)
    /// hadolint flags `$VARIABLE` packages and misses `zypper` called through `sudo`, by
    /// path or inside `sh -c` (those findings carry no hadolint equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN zypper -n install curl && zypper clean
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN zypper -n install curl=8.6.0 && zypper clean
    /// ```
    pub struct ZypperUnpinned {
        code: "DW5108",
        name: "zypper-unpinned",
        category: Reproducibility,
        severity: Warning,
        hadolint: "DL3037",
    }
}

impl Check for ZypperUnpinned {
    fn check(cx: &mut Checker<'_>) {
        let mut found: Vec<(Span, String, bool)> = Vec::new();
        for (command, package) in cx.package_commands() {
            if package.manager != PackageManager::Zypper
                || package.operation != PackageOperation::Install
            {
                continue;
            }
            let unpinned: Vec<String> = package
                .packages
                .iter()
                .filter(|a| !a.is_pinned())
                .map(|a| a.name.clone())
                .collect();
            if unpinned.is_empty() {
                continue;
            }
            let message = format!(
                "`zypper install` without versions: {}; pin them as `package=version`",
                summary(&unpinned)
            );
            found.push((command.span(), message, hadolint_sees(&command)));
        }
        for (span, message, sees) in found {
            let diagnostic = cx.report(span, message);
            hadolint_if(diagnostic, sees);
        }
    }
}
