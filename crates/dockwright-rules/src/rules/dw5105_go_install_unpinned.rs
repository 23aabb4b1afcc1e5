use crate::prelude::*;

crate::declare_rule! {
    /// Flags `go install` / `go get` of a remote package without a fixed version.
    ///
    /// ## Why
    /// `go install example.com/tool@latest` (or a package with no `@version` at all)
    /// builds whatever the repository's default branch holds that day: two builds of the
    /// same Dockerfile ship different binaries, and a breaking change upstream breaks the
    /// image with no change to the Dockerfile. `@v1.2.3` (or a commit hash) fixes it, and
    /// the module checksum database then verifies what is downloaded.
    ///
    /// Local packages (`.`, `./...`, absolute paths) are built from the build context and
    /// not flagged.
    ///
    /// ## Differences from hadolint (DL3062)
    /// Branch names (`@master`, `@main`, `@HEAD`) are not versions here; hadolint accepts
    /// them. hadolint also checks the package of `go run`; this rule leaves `go run` to
    /// the build rules. It misses `go` called through `sudo`, by path or inside `sh -c`
    /// (those findings carry no hadolint equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN go install golang.org/x/tools/cmd/goimports@latest
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN go install golang.org/x/tools/cmd/goimports@v0.24.0
    /// ```
    pub struct GoInstallUnpinned {
        code: "DW5105",
        name: "go-install-unpinned",
        category: Reproducibility,
        severity: Warning,
        hadolint: "DL3062",
    }
}

/// Go's meta-packages: the module's tools, its packages, the standard library.
const META: &[&str] = &["tool", "all", "std", "cmd"];

/// Versions that move.
const MOVING: &[&str] = &["latest", "none", "master", "main", "HEAD"];

impl Check for GoInstallUnpinned {
    fn check(cx: &mut Checker<'_>) {
        let mut found: Vec<(Span, String, bool)> = Vec::new();
        for (command, package) in cx.package_commands() {
            if package.manager != PackageManager::Go
                || package.operation != PackageOperation::Install
            {
                continue;
            }
            let mut unpinned = Vec::new();
            // Whether hadolint, which accepts any `@` but `@latest`/`@none`, flags it too.
            let mut hadolint_flags = false;
            for arg in &package.packages {
                // Meta-packages name what the module already fixes (`go install tool`).
                if arg.kind != PackageArgKind::Name || META.contains(&arg.text.as_str()) {
                    continue;
                }
                match arg.version.as_deref() {
                    None => {
                        hadolint_flags = true;
                        unpinned.push(arg.text.clone());
                    }
                    Some(v) if MOVING.contains(&v) => {
                        hadolint_flags |= matches!(v, "latest" | "none");
                        unpinned.push(arg.text.clone());
                    }
                    Some(_) => {}
                }
            }
            let Some(first) = unpinned.first() else {
                continue;
            };
            let sub = package
                .subcommand
                .as_ref()
                .map_or("install", |s| s.text.as_str());
            let message =
                format!("`go {sub} {first}` does not fix a version; use `@vX.Y.Z` or a commit");
            found.push((
                command.span(),
                message,
                hadolint_sees(&command) && hadolint_flags,
            ));
        }
        for (span, message, sees) in found {
            let diagnostic = cx.report(span, message);
            hadolint_if(diagnostic, sees);
        }
    }
}
