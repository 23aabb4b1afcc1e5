use crate::prelude::*;

crate::declare_rule! {
    /// Flags `yum install` whose metadata and package cache stay in the layer.
    ///
    /// ## Why
    /// yum keeps repository metadata (and, with `keepcache=1`, the downloaded packages)
    /// under `/var/cache/yum`: tens to hundreds of megabytes that the image never uses.
    /// Removing them in a later RUN does not help, the earlier layer keeps them; clean in
    /// the same RUN, after the last install.
    ///
    /// Not flagged: `yum clean all` (or `rm -rf /var/cache/yum`) later in the same RUN, a
    /// cache or tmpfs mount on `/var/cache/yum`, `--setopt=keepcache=0`, and stages whose
    /// files do not reach the image the build produces.
    ///
    /// ## Differences from hadolint (DL3032)
    /// hadolint accepts only `yum clean all` and `rm -rf /var/cache/yum/*` spelled that
    /// way, ignores cache mounts, flags build stages, and misses `yum` called through
    /// `sudo`, by path or inside `sh -c` (those findings carry no hadolint equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN yum install -y httpd-2.4.6
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN yum install -y httpd-2.4.6 && yum clean all && rm -rf /var/cache/yum
    /// ```
    pub struct YumCacheKept {
        code: "DW2103",
        name: "yum-cache-kept",
        category: Size,
        severity: Warning,
        hadolint: "DL3032",
    }
}

impl Check for YumCacheKept {
    fn check(cx: &mut Checker<'_>) {
        let mut found: Vec<(usize, Span, bool)> = Vec::new();
        for (command, package) in cx.package_commands() {
            if package.manager != PackageManager::Yum
                || package.operation != PackageOperation::Install
            {
                continue;
            }
            let inst = command.inst;
            if !inst.stage().is_some_and(|s| cx.in_final_image(s)) {
                continue;
            }
            let span = command.span();
            let left = command
                .run
                .effects
                .caches
                .iter()
                .filter(|c| c.location == CacheLocation::YumCache && c.span == span)
                .any(|c| c.left_in_layer());
            if !left || found.last().is_some_and(|f| f.0 == inst.index) {
                continue;
            }
            found.push((inst.index, span, hadolint_sees(&command)));
        }
        for (_, span, sees) in found {
            let diagnostic = cx.report(
                span,
                "`yum install` leaves its cache in the layer; run `yum clean all` at the end of the same RUN",
            );
            hadolint_if(diagnostic, sees);
        }
    }
}
