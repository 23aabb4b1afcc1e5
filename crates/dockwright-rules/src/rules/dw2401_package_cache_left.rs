use crate::prelude::*;

crate::declare_rule! {
    /// Flags package manager and build caches left in the image: npm, yarn and pnpm
    /// caches, dnf/yum/zypper caches, gem, composer and poetry caches, conda packages, the
    /// Go build and module caches, Cargo's registry, Maven's and Gradle's repositories.
    ///
    /// ## Why
    /// Installers keep every downloaded archive in a cache (`~/.npm/_cacache`,
    /// `/var/cache/dnf`, `~/.cache/go-build`, `~/.cargo/registry`, ...): tens to hundreds of
    /// megabytes the running program never reads. Written by a `RUN` of a stage that becomes
    /// the image, they are in that layer for good; deleting them in a later `RUN` does not
    /// shrink it. Clean in the same `RUN` (`npm ci && npm cache clean --force`, `dnf install
    /// ... && dnf clean all`), or better, keep the cache out of the layer with a BuildKit
    /// cache mount, which also makes the next build faster:
    /// `RUN --mount=type=cache,target=/root/.npm npm ci`.
    ///
    /// Not flagged: a cache a cache/tmpfs mount covers, a cache the same `RUN` removes
    /// later (`rm -rf ~/.npm`, `rm -rf /var/cache/*`, `yum clean all`), installs with their
    /// no-cache option, and stages whose layers are not in the image (builder stages).
    /// pip's cache (hadolint DL3042), apk's (DL3019) and apt's (DL3009, and Debian images
    /// clean `/var/cache/apt` themselves) have their own rules. hadolint knows nothing of
    /// npm, dnf, Go or Cargo caches, nor of cache mounts.
    /// Gem documentation is not flagged: the official `ruby` images configure `gem:
    /// --no-document` for every install.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN npm ci --omit=dev
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev
    /// ```
    pub struct PackageCacheLeft {
        code: "DW2401",
        name: "package-cache-left",
        category: Size,
        severity: Info,
    }
}

impl Check for PackageCacheLeft {
    fn check(cx: &mut Checker<'_>) {
        let mut found = Vec::new();
        for (inst, run) in cx.runs() {
            if !inst.stage().is_some_and(|s| cx.in_final_image(s)) {
                continue;
            }
            // Commands that only print a version write no cache.
            let queries: Vec<Span> = cx
                .commands()
                .filter(|c| c.inst.index == inst.index && is_query(c.command))
                .map(|c| c.span())
                .collect();
            // One finding per cache per RUN: the first command that writes it.
            let mut seen: Vec<CacheLocation> = Vec::new();
            for cache in &run.effects.caches {
                if !cache.left_in_layer()
                    || seen.contains(&cache.location)
                    || queries.contains(&cache.span)
                {
                    continue;
                }
                let Some((what, clean, mount)) = advice(cache.location) else {
                    continue;
                };
                seen.push(cache.location);
                found.push((
                    cache.span,
                    format!(
                        "{what} stays in the layer; clean it in the same RUN (`{clean}`) or use `--mount=type=cache,target={mount}`"
                    ),
                ));
            }
        }
        for (span, message) in found {
            cx.report(span, message);
        }
    }
}

/// What the cache is, how to clean it, and where to mount a cache for it; `None` for the
/// caches other rules own (pip, apk, apt) and for non-caches.
fn advice(location: CacheLocation) -> Option<(&'static str, &'static str, &'static str)> {
    use CacheLocation as C;
    Some(match location {
        C::NpmCache => (
            "npm's cache (`~/.npm`)",
            "npm cache clean --force",
            "/root/.npm",
        ),
        C::YarnCache => (
            "yarn's cache",
            "yarn cache clean",
            "/usr/local/share/.cache/yarn",
        ),
        C::PnpmStore => (
            "pnpm's store",
            "pnpm store prune",
            "/root/.local/share/pnpm/store",
        ),
        C::DnfCache => (
            "dnf's cache (`/var/cache/dnf`)",
            "dnf clean all",
            "/var/cache/dnf",
        ),
        C::YumCache => (
            "yum's cache (`/var/cache/yum`)",
            "yum clean all",
            "/var/cache/yum",
        ),
        C::ZypperCache => (
            "zypper's cache (`/var/cache/zypp`)",
            "zypper clean --all",
            "/var/cache/zypp",
        ),
        C::GemCache => (
            "the gem cache",
            "rm -rf ~/.gem /usr/local/bundle/cache",
            "/usr/local/bundle/cache",
        ),
        C::ComposerCache => (
            "composer's cache",
            "composer clear-cache",
            "/root/.composer/cache",
        ),
        C::PoetryCache => (
            "poetry's cache (`~/.cache/pypoetry`)",
            "rm -rf ~/.cache/pypoetry",
            "/root/.cache/pypoetry",
        ),
        C::CondaPackages => (
            "conda's package cache (`/opt/conda/pkgs`)",
            "conda clean -afy",
            "/opt/conda/pkgs",
        ),
        C::GoBuildCache => (
            "Go's build cache (`~/.cache/go-build`)",
            "go clean -cache",
            "/root/.cache/go-build",
        ),
        C::GoModuleCache => (
            "Go's module cache (`/go/pkg/mod`)",
            "go clean -modcache",
            "/go/pkg/mod",
        ),
        C::CargoRegistry => (
            "Cargo's registry (`~/.cargo/registry`)",
            "rm -rf ~/.cargo/registry",
            "/usr/local/cargo/registry",
        ),
        C::MavenRepository => (
            "Maven's repository (`~/.m2/repository`)",
            "rm -rf ~/.m2/repository",
            "/root/.m2",
        ),
        C::GradleCache => (
            "Gradle's caches (`~/.gradle/caches`)",
            "rm -rf ~/.gradle/caches",
            "/root/.gradle/caches",
        ),
        C::UvCache => (
            "uv's cache (`~/.cache/uv`)",
            "uv cache clean",
            "/root/.cache/uv",
        ),
        _ => return None,
    })
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
