use super::dw5101_pip_unpinned::hadolint_sees_pip_install;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `pip install` that leaves pip's download and wheel cache in the image.
    ///
    /// ## Why
    /// pip keeps every wheel it downloads or builds under `~/.cache/pip`. In an image that
    /// cache is never used again, yet it is part of the layer: often tens of megabytes, for
    /// scientific stacks hundreds (a `torch` wheel alone is over 700 MB).
    ///
    /// Not flagged: `--no-cache-dir`; `PIP_NO_CACHE_DIR` set for the command, exported
    /// earlier in the RUN, by `ENV` in the stage (or a stage it is built on), or by `ARG`;
    /// a cache or tmpfs mount on the
    /// cache (`RUN --mount=type=cache,target=/root/.cache/pip`), which keeps the cache out
    /// of the layer and makes rebuilds faster; the cache removed later in the same RUN
    /// (`pip cache purge`, `rm -rf ~/.cache/pip`). In a build stage whose files do not reach
    /// the image, the cache only grows the builder's layers (the local build cache, and a
    /// registry cache exported with `--cache-to ...,mode=max`): flagged with severity
    /// `style`.
    ///
    /// ## Differences from hadolint (DL3042)
    /// pip disables the cache for any valid value of `PIP_NO_CACHE_DIR` (even `0`, for
    /// backward compatibility); hadolint accepts only true-like values, but also a shell
    /// variable that is never exported (`PIP_NO_CACHE_DIR=1; pip install ...`, which pip
    /// does not see). hadolint flags RUNs that remove the cache themselves, does not tell
    /// a build stage from the image (we flag both, the build stage as `style`), and misses
    /// `pip` called through `sudo`, by path or inside `sh -c` (those findings carry no
    /// hadolint equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install -r requirements.txt
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    /// or, to keep the cache between builds without putting it in the image:
    /// ```dockerfile
    /// RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    /// ```
    ///
    /// ## Fix
    /// Safe: `--no-cache-dir` is added after `install`; only the cache changes.
    pub struct PipCacheKept {
        code: "DW2101",
        name: "pip-cache-kept",
        category: Size,
        severity: Warning,
        hadolint: "DL3042",
        fix: Safe,
    }
}

/// Values pip's `strtobool` accepts (pip disables the cache for all of them).
const PIP_BOOLEANS: &[&str] = &[
    "y", "yes", "t", "true", "on", "1", "n", "no", "f", "false", "off", "0",
];

impl Check for PipCacheKept {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        for (command, package) in cx.package_commands() {
            if package.manager != PackageManager::Pip
                || package.operation != PackageOperation::Install
                || package.has(PackageFlagKind::NoCache)
            {
                continue;
            }
            let inst = command.inst;
            let in_image = inst.stage().is_some_and(|s| cx.in_final_image(s));
            let env = model.env_at(inst.index);
            if env
                .get("PIP_NO_CACHE_DIR")
                .is_some_and(|v| PIP_BOOLEANS.contains(&v.to_ascii_lowercase().as_str()))
            {
                continue;
            }
            if exported_earlier(&command, "PIP_NO_CACHE_DIR") {
                continue;
            }
            let span = command.span();
            let left = command
                .run
                .effects
                .caches
                .iter()
                .filter(|c| c.location == CacheLocation::PipCache && c.span == span)
                .any(|c| c.left_in_layer());
            if !left || pip_mount(command.run) {
                continue;
            }
            let Some(subcommand) = &package.subcommand else {
                continue;
            };
            let at = command.file_span(subcommand.span).end;
            let sees = hadolint_sees_pip_install(&command);
            let diagnostic = if in_image {
                cx.report(
                    span,
                    "`pip install` keeps its download cache in the layer; add `--no-cache-dir`",
                )
            } else {
                // A build stage: the cache does not reach the image, only the builder's
                // layers (the local build cache, and registry caches exported with
                // `--cache-to ...,mode=max`).
                let diagnostic = cx.report(
                    span,
                    "`pip install` keeps its download cache in this build stage's layer (not in the image); add `--no-cache-dir` to keep the build cache small",
                );
                diagnostic.set_severity(Severity::Style);
                diagnostic
            };
            diagnostic.set_fix(Fix::safe(
                "add `--no-cache-dir`",
                vec![Edit::insert(at, " --no-cache-dir")],
            ));
            hadolint_if(diagnostic, sees);
        }
    }
}

/// A cache or tmpfs mount on some user's pip cache (`/home/app/.cache/pip`).
fn pip_mount(run: &RunFacts) -> bool {
    run.mounts.iter().any(|m| {
        matches!(m.mount.kind, MountType::Cache | MountType::Tmpfs)
            && m.mount
                .target
                .as_deref()
                .is_some_and(|t| t.trim_end_matches('/').ends_with(".cache/pip"))
    })
}

/// Whether the script exports `name` (`export NAME=value`) before the command runs.
fn exported_earlier(command: &ScriptCommand<'_>, name: &str) -> bool {
    let start = command.command.span.start;
    command
        .script
        .commands()
        .into_iter()
        .filter(|c| c.span.end <= start && c.program_name() == Some("export"))
        .flat_map(|c| c.arguments())
        .any(|w| {
            w.text.split_once('=').is_some_and(|(n, v)| {
                n == name && PIP_BOOLEANS.contains(&v.to_ascii_lowercase().as_str())
            })
        })
}
