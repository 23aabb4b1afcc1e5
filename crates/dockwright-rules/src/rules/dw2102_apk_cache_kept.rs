use crate::prelude::*;

crate::declare_rule! {
    /// Flags `apk add` without `--no-cache`, which leaves the package index in the image.
    ///
    /// ## Why
    /// Without `--no-cache`, `apk add` downloads the repository indexes
    /// (`/var/cache/apk/APKINDEX.*.tar.gz`, a few megabytes) and keeps them in the layer.
    /// `--no-cache` fetches the index for this command only and needs no `apk update`
    /// or later `rm -rf /var/cache/apk/*`.
    ///
    /// When the RUN removes the cache later (`rm -rf /var/cache/apk/*`, `apk cache
    /// clean`) nothing is wasted, and the finding is only a style one (severity `style`):
    /// `--no-cache` does the same in one option. Not flagged: `--no-network` (nothing is
    /// downloaded, so nothing is cached), a cache or tmpfs mount on `/var/cache/apk` (or
    /// `/etc/apk/cache`). In a build stage whose files do not reach the image the index only
    /// grows the builder's layers (build cache): flagged with severity `style`.
    ///
    /// ## Differences from hadolint (DL3019)
    /// hadolint flags `apk add --no-network` (the Docker official images install their
    /// run-time dependencies that way, after the build dependencies are gone), does not tell
    /// a build stage from the image (we flag both, the build stage as `style`), and misses
    /// `apk` called through `sudo`, by path or inside `sh -c` (those findings carry no
    /// hadolint equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apk update && apk add curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// ## Fix
    /// Safe: `--no-cache` is added after `add`; the packages installed are the same.
    pub struct ApkCacheKept {
        code: "DW2102",
        name: "apk-cache-kept",
        category: Size,
        severity: Info,
        hadolint: "DL3019",
        fix: Safe,
    }
}

impl Check for ApkCacheKept {
    fn check(cx: &mut Checker<'_>) {
        for (command, package) in cx.package_commands() {
            if package.manager != PackageManager::Apk
                || package.operation != PackageOperation::Install
                || package.has(PackageFlagKind::NoCache)
            {
                continue;
            }
            let inst = command.inst;
            let in_image = inst.stage().is_some_and(|s| cx.in_final_image(s));
            let span = command.span();
            let uses: Vec<_> = command
                .run
                .effects
                .caches
                .iter()
                .filter(|c| c.location == CacheLocation::ApkCache && c.span == span)
                .collect();
            if uses.is_empty() || uses.iter().any(|c| c.mounted) {
                continue;
            }
            let left = uses.iter().any(|c| c.left_in_layer());
            let Some(subcommand) = &package.subcommand else {
                continue;
            };
            let at = command.file_span(subcommand.span).end;
            let sees = hadolint_sees(&command);
            let diagnostic = if left && !in_image {
                // A build stage: the index does not reach the image, only the builder's
                // layers (the local build cache, registry caches with `mode=max`).
                let diagnostic = cx.report(
                    span,
                    "`apk add` keeps the package index in this build stage's layer (not in the image); `apk add --no-cache` keeps the build cache small",
                );
                diagnostic.set_severity(Severity::Style);
                diagnostic
            } else if left {
                cx.report(
                    span,
                    "`apk add` keeps the package index in the layer; use `apk add --no-cache`",
                )
            } else {
                // Removed later in the RUN: nothing is wasted, but `--no-cache` says it in
                // one option and needs neither `apk update` nor the removal.
                let diagnostic = cx.report(
                    span,
                    "`apk add` without `--no-cache` needs the later removal of `/var/cache/apk`; `apk add --no-cache` does both",
                );
                diagnostic.set_severity(Severity::Style);
                diagnostic
            };
            diagnostic.set_fix(Fix::safe(
                "add `--no-cache`",
                vec![Edit::insert(at, " --no-cache")],
            ));
            hadolint_if(diagnostic, sees);
        }
    }
}
