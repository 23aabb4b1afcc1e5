use super::dw2002_apt_lists_not_removed::append_point;
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
    ///
    /// ## Fix
    /// Unsafe: ` && yum clean all` is appended to a one-line-script RUN; it changes the
    /// RUN's exit status if the clean fails, and a later command of the RUN may have
    /// needed the cache.
    pub struct YumCacheKept {
        code: "DW2103",
        name: "yum-cache-kept",
        category: Size,
        severity: Warning,
        hadolint: "DL3032",
        fix: Unsafe,
    }
}

impl Check for YumCacheKept {
    fn check(cx: &mut Checker<'_>) {
        report_cache_kept(
            cx,
            &[PackageManager::Yum],
            CacheLocation::YumCache,
            "leaves its cache in the layer; run `yum clean all` at the end of the same RUN",
            "yum clean all",
        );
    }
}

/// Reports, once per RUN of a stage that reaches the image, the first install or upgrade
/// by `managers` whose cache at `location` stays in the layer (not cleaned later in the
/// RUN, not on a cache mount). `message` follows the command's words; `{program}` in it
/// becomes the program's name. The unsafe fix appends `clean` (same placeholder) to the
/// RUN.
pub(crate) fn report_cache_kept(
    cx: &mut Checker<'_>,
    managers: &[PackageManager],
    location: CacheLocation,
    message: &str,
    clean: &str,
) {
    let mut found: Vec<(usize, Span, String, bool, Option<Fix>)> = Vec::new();
    for (command, package) in cx.package_commands() {
        if !managers.contains(&package.manager)
            || !matches!(
                package.operation,
                PackageOperation::Install | PackageOperation::Upgrade
            )
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
            .filter(|c| c.location == location && c.span == span)
            .any(|c| c.left_in_layer());
        if !left || found.last().is_some_and(|f| f.0 == inst.index) {
            continue;
        }
        let program = command.command.program_name().unwrap_or_default();
        let sub = package.subcommand.as_ref().map_or("", |s| s.text.as_str());
        let clean = clean.replace("{program}", program);
        let fix = append_point(command.run).map(|at| {
            Fix::unsafe_edits(
                format!("run `{clean}` at the end of the RUN"),
                vec![Edit::insert(at, format!(" && {clean}"))],
            )
        });
        found.push((
            inst.index,
            span,
            format!(
                "`{}` {}",
                format!("{program} {sub}").trim_end(),
                message.replace("{program}", program)
            ),
            hadolint_sees(&command),
            fix,
        ));
    }
    for (_, span, message, sees, fix) in found {
        let diagnostic = cx.report(span, message);
        if let Some(fix) = fix {
            diagnostic.set_fix(fix);
        }
        hadolint_if(diagnostic, sees);
    }
}
