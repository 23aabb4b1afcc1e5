use super::dw5102_apk_unpinned::summary;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `npm install` of named packages without a version.
    ///
    /// ## Why
    /// `npm install -g typescript` installs the newest release that day: two builds of
    /// the same Dockerfile differ and a new major version can break the image with no
    /// change to the Dockerfile. Name a version (`typescript@5.6.2`), or install from
    /// `package.json` with its lock file (`npm ci`).
    ///
    /// `npm install` / `npm ci` without package names (the project's lock file), local
    /// directories and tarballs, and git URLs with a `#commit` are not flagged; a moving
    /// tag (`@latest`, `@next`) is not a version.
    ///
    /// ## Differences from hadolint (DL3016)
    /// hadolint accepts any `@tag`, checks only the `install` spelling (not `i`, `add`)
    /// and misses `npm` called through `sudo`, by path or inside `sh -c` (those findings
    /// carry no hadolint equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN npm install -g pm2
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN npm install -g pm2@5.4.2
    /// ```
    pub struct NpmUnpinned {
        code: "DW5106",
        name: "npm-unpinned",
        category: Reproducibility,
        severity: Warning,
        hadolint: "DL3016",
    }
}

/// Tags that move.
const MOVING: &[&str] = &["latest", "next"];

impl Check for NpmUnpinned {
    fn check(cx: &mut Checker<'_>) {
        let mut found: Vec<(Span, String, bool)> = Vec::new();
        for (command, package) in cx.package_commands() {
            if package.manager != PackageManager::Npm
                || package.operation != PackageOperation::Install
            {
                continue;
            }
            let mut unpinned = Vec::new();
            let mut hadolint_flags = false;
            for arg in &package.packages {
                if !arg.is_pinned() {
                    hadolint_flags = true;
                    unpinned.push(arg.text.clone());
                } else if arg.kind == PackageArgKind::Name
                    && arg.version.as_deref().is_some_and(|v| MOVING.contains(&v))
                {
                    unpinned.push(arg.text.clone());
                }
            }
            if unpinned.is_empty() {
                continue;
            }
            let install = package
                .subcommand
                .as_ref()
                .is_some_and(|s| s.text == "install");
            let message = format!(
                "`npm install` without versions: {}; name a version (`package@1.2.3`) or use `npm ci`",
                summary(&unpinned)
            );
            found.push((
                command.span(),
                message,
                hadolint_sees(&command) && install && hadolint_flags,
            ));
        }
        for (span, message, sees) in found {
            let diagnostic = cx.report(span, message);
            hadolint_if(diagnostic, sees);
        }
    }
}
