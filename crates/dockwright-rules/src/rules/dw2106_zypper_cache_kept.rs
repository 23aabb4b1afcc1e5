use super::dw2103_yum_cache_kept::report_cache_kept;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `zypper install` whose package and metadata cache stays in the layer.
    ///
    /// ## Why
    /// zypper keeps repository metadata and downloaded packages under `/var/cache/zypp`,
    /// which the image never uses. Removing it in a later RUN does not help, the earlier
    /// layer keeps it; clean in the same RUN, after the last install.
    ///
    /// Not flagged: `zypper clean` (or removing `/var/cache/zypp`) later in the same RUN, a
    /// cache or tmpfs mount on it, and stages whose files do not reach the image the build
    /// produces.
    ///
    /// ## Differences from hadolint (DL3036)
    /// hadolint flags build stages and misses `zypper` called through `sudo`, by path or
    /// inside `sh -c` (those findings carry no hadolint equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN zypper -n install curl=8.6.0
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN zypper -n install curl=8.6.0 && zypper clean --all
    /// ```
    ///
    /// ## Fix
    /// Unsafe: ` && zypper clean --all` is appended to the RUN (a one-script
    /// RUN only); it changes the RUN's exit status if the clean fails.
    pub struct ZypperCacheKept {
        code: "DW2106",
        name: "zypper-cache-kept",
        category: Size,
        severity: Warning,
        hadolint: "DL3036",
        fix: Unsafe,
    }
}

impl Check for ZypperCacheKept {
    fn check(cx: &mut Checker<'_>) {
        report_cache_kept(
            cx,
            &[PackageManager::Zypper],
            CacheLocation::ZypperCache,
            "leaves its cache in the layer; run `zypper clean --all` at the end of the same RUN",
            "zypper clean --all",
        );
    }
}
