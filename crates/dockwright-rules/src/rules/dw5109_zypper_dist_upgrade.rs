use crate::prelude::*;

crate::declare_rule! {
    /// Flags `zypper dist-upgrade` in a RUN.
    ///
    /// ## Why
    /// `dist-upgrade` moves every package to whatever the repositories hold that day,
    /// possibly to a new distribution release: the image no longer matches its base
    /// image's tag, two builds differ, and vendor changes and package removals arrive
    /// unreviewed. Use a newer base image, or `zypper patch` / `zypper update` for fixes
    /// within the release.
    ///
    /// ## Differences from hadolint (DL3035)
    /// hadolint misses `zypper` called through `sudo`, by path or inside `sh -c` (those
    /// findings carry no hadolint equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN zypper -n dist-upgrade
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM opensuse/leap:15.6
    /// ```
    pub struct ZypperDistUpgrade {
        code: "DW5109",
        name: "zypper-dist-upgrade",
        category: Reproducibility,
        severity: Warning,
        hadolint: "DL3035",
    }
}

impl Check for ZypperDistUpgrade {
    fn check(cx: &mut Checker<'_>) {
        let mut found: Vec<(Span, bool)> = Vec::new();
        for (command, package) in cx.package_commands() {
            if package.manager == PackageManager::Zypper
                && package.operation == PackageOperation::DistUpgrade
            {
                found.push((command.span(), hadolint_sees(&command)));
            }
        }
        for (span, sees) in found {
            let diagnostic = cx.report(
                span,
                "`zypper dist-upgrade` upgrades the whole distribution; use a newer base image",
            );
            hadolint_if(diagnostic, sees);
        }
    }
}
