use crate::prelude::*;

crate::declare_rule! {
    /// Flags `apt-get update` whose package lists stay in the image.
    ///
    /// ## Why
    /// `apt-get update` downloads the package index to `/var/lib/apt/lists` (tens of
    /// megabytes). Unless the same `RUN` deletes it, it is part of that layer for good:
    /// removing it in a later `RUN` hides the files but does not shrink the image.
    ///
    /// Not flagged when a cache or tmpfs mount covers `/var/lib/apt/lists` (or
    /// `/var/lib/apt`), so the lists never reach the layer, nor in build stages that only
    /// feed others through `COPY --from` (their layers are not in the image). hadolint
    /// DL3009 does the same; it looks for the `rm` anywhere in the `RUN`, this rule wants it
    /// after the update.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    /// or, with BuildKit:
    /// ```dockerfile
    /// RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    ///     --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    ///     apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// Unsafe: `&& rm -rf /var/lib/apt/lists/*` is appended to the `RUN`. A later `RUN` that
    /// installs without its own `apt-get update` would then fail.
    pub struct AptListsNotRemoved {
        code: "DW2002",
        name: "apt-lists-not-removed",
        category: Size,
        severity: Info,
        hadolint: "DL3009",
        fix: Unsafe,
    }
}

impl Check for AptListsNotRemoved {
    fn check(cx: &mut Checker<'_>) {
        for (inst, run) in cx.runs() {
            let in_image = inst.stage().is_some_and(|s| cx.in_final_image(s));
            if !in_image {
                continue;
            }
            let Some(update) = run.effects.left_in_layer(CacheLocation::AptLists).next() else {
                continue;
            };
            let diagnostic = cx.report(
                update.span,
                "`apt-get update` leaves the package lists in the layer; delete `/var/lib/apt/lists/*` in the same RUN",
            );
            if let Some(at) = append_point(run) {
                diagnostic.set_fix(Fix::unsafe_edits(
                    "delete the lists at the end of the RUN",
                    vec![Edit::insert(at, " && rm -rf /var/lib/apt/lists/*")],
                ));
            }
        }
    }
}

/// Where a command can be appended to a one-script shell-form RUN: just after its last
/// command, when nothing (a comment, a separator) follows it.
pub(crate) fn append_point(run: &RunFacts) -> Option<usize> {
    let [script] = run.scripts.as_slice() else {
        return None;
    };
    if script.origin != ScriptOrigin::CommandLine || run.exec {
        return None;
    }
    let parsed = script.parsed.as_ref()?;
    if !parsed.errors.is_empty() {
        return None;
    }
    let last = parsed.body.items.last()?;
    let end = last.and_or.span.end;
    if end != script.text.trim_end().len() {
        return None;
    }
    Some(script.map.to_file(end - 1) + 1)
}
