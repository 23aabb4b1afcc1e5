use super::dw2103_yum_cache_kept::report_cache_kept;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `yarn install` / `yarn add` whose package cache stays in the layer.
    ///
    /// ## Why
    /// Yarn (v1) copies every package it downloads into its global cache
    /// (`/usr/local/share/.cache/yarn` for root): often as large as `node_modules` itself,
    /// never used by the image. Removing it in a later RUN does not help, the earlier layer
    /// keeps it; run `yarn cache clean` in the same RUN, or mount a cache on it.
    ///
    /// Not flagged: `yarn cache clean` (or removing the cache) later in the same RUN, a
    /// cache or tmpfs mount on it, and stages whose files do not reach the image the build
    /// produces.
    ///
    /// ## Differences from hadolint (DL3060)
    /// hadolint misses `yarn` called through `sudo`, by path or inside `sh -c` (those
    /// findings carry no hadolint equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN yarn install --frozen-lockfile
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN yarn install --frozen-lockfile && yarn cache clean
    /// ```
    ///
    /// ## Fix
    /// Unsafe: ` && yarn cache clean` is appended to the RUN (a one-script
    /// RUN only); it changes the RUN's exit status if the clean fails.
    pub struct YarnCacheKept {
        code: "DW2107",
        name: "yarn-cache-kept",
        category: Size,
        severity: Info,
        hadolint: "DL3060",
        fix: Unsafe,
    }
}

impl Check for YarnCacheKept {
    fn check(cx: &mut Checker<'_>) {
        report_cache_kept(
            cx,
            &[PackageManager::Yarn],
            CacheLocation::YarnCache,
            "leaves its cache in the layer; run `yarn cache clean` at the end of the same RUN",
            "yarn cache clean",
        );
    }
}
