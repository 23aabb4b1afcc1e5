use super::dw5102_apk_unpinned::summary;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `gem install` of gems without a version.
    ///
    /// ## Why
    /// `gem install bundler` installs the newest release that day: two builds of the same
    /// Dockerfile differ, and a new major version can break the image with no change to
    /// the Dockerfile. Name a version (`bundler:2.5.18` or `-v 2.5.18`), or install from a
    /// `Gemfile.lock` with `bundle install`.
    ///
    /// Local `.gem` files are not flagged.
    ///
    /// ## Differences from hadolint (DL3028)
    /// hadolint misses `gem` called through `sudo`, by path or inside `sh -c` (those
    /// findings carry no hadolint equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN gem install bundler
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN gem install bundler:2.5.18
    /// ```
    pub struct GemUnpinned {
        code: "DW5107",
        name: "gem-unpinned",
        category: Reproducibility,
        severity: Warning,
        hadolint: "DL3028",
    }
}

impl Check for GemUnpinned {
    fn check(cx: &mut Checker<'_>) {
        let mut found: Vec<(Span, String, bool)> = Vec::new();
        for (command, package) in cx.package_commands() {
            if package.manager != PackageManager::Gem
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
                "`gem install` without versions: {}; pin them as `gem:version` or with `-v`",
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
