use crate::prelude::*;

use dockwright_context::plan::ReadVia;

crate::declare_rule! {
    /// Flags a `COPY`/`ADD` source that names a path the build context does not have.
    ///
    /// ## Why
    /// BuildKit stops the build at that step (`failed to compute cache key: "/app.conf":
    /// not found`), after every step before it has run. Catching it at lint time saves the
    /// build, and in CI the round trip.
    ///
    /// Needs the build context (`lint --context DIR`, or the Dockerfile's directory when it
    /// looks like the context); without it nothing is reported. Only sources without
    /// wildcards are judged, after ARG/ENV expansion; a path that the `.dockerignore`
    /// excludes is reported by `copy-ignored-file` instead, which names the pattern.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY app.conf /etc/app/
    /// ```
    /// Use instead: add the file to the context, or fix the path (paths are relative to
    /// the context, not to the Dockerfile).
    pub struct CopySourceMissing {
        code: "DW1402",
        name: "copy-source-missing",
        category: Correctness,
        severity: Error,
    }
}

impl Check for CopySourceMissing {
    fn check(cx: &mut Checker<'_>) {
        let Some(facts) = cx.context() else {
            return;
        };
        let missing: Vec<(Span, String)> = facts
            .reads
            .iter()
            .filter(|r| matches!(r.via, ReadVia::Copy | ReadVia::Add))
            .filter(|r| {
                let res = &r.resolution;
                res.missing && !res.wildcard && !res.whole_context && res.ignored.is_empty()
            })
            .map(|r| (r.span, r.resolution.source.clone()))
            .collect();
        for (span, source) in missing {
            cx.report(
                span,
                format!(
                    "`{source}` is not in the build context: the build fails at this step; add it to the context or fix the path (relative to the context, not the Dockerfile)"
                ),
            );
        }
    }
}
