use super::dw2103_yum_cache_kept::report_cache_kept;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `dnf install` / `microdnf install` whose metadata cache stays in the layer.
    ///
    /// ## Why
    /// dnf keeps repository metadata under `/var/cache/dnf` (`/var/cache/libdnf5` for
    /// dnf5): often over 100 MB that the image never uses. Removing it in a later RUN does
    /// not help, the earlier layer keeps it; clean in the same RUN, after the last install.
    ///
    /// Not flagged: `dnf clean all` (or removing the cache directory) later in the same
    /// RUN, a cache or tmpfs mount on the cache, `--setopt=keepcache=0`, and stages whose
    /// files do not reach the image the build produces.
    ///
    /// ## Differences from hadolint (DL3040)
    /// hadolint ignores mounts on `/var/cache/dnf`, flags build stages and misses `dnf`
    /// called through `sudo`, by path or inside `sh -c` (those findings carry no hadolint
    /// equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN dnf install -y nginx-1.24.0
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN dnf install -y nginx-1.24.0 && dnf clean all
    /// ```
    ///
    /// ## Fix
    /// Unsafe: ` && dnf clean all` (`microdnf clean all`) is appended to the RUN (a one-script
    /// RUN only); it changes the RUN's exit status if the clean fails.
    pub struct DnfCacheKept {
        code: "DW2105",
        name: "dnf-cache-kept",
        category: Size,
        severity: Warning,
        hadolint: "DL3040",
        fix: Unsafe,
    }
}

impl Check for DnfCacheKept {
    fn check(cx: &mut Checker<'_>) {
        report_cache_kept(
            cx,
            &[PackageManager::Dnf, PackageManager::Microdnf],
            CacheLocation::DnfCache,
            "leaves its cache in the layer; run `{program} clean all` at the end of the same RUN",
            "{program} clean all",
        );
    }
}
