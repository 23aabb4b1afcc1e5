use crate::prelude::*;

use dockwright_context::findings::copy_ignored_files;

crate::declare_rule! {
    /// Flags a `COPY`/`ADD` source that the build context's `.dockerignore` excludes.
    ///
    /// ## Why
    /// The ignore file decides what the builder receives: an excluded path is not there at
    /// build time. A source without wildcards then fails the build (`"/config.yaml": not
    /// found`), and a directory or wildcard source silently copies less than it names. Either
    /// the ignore pattern is too broad or the COPY is stale.
    ///
    /// Needs the build context (`lint --context DIR`, or the Dockerfile's directory when it
    /// looks like the context); without it nothing is reported. The decision uses
    /// BuildKit's own `.dockerignore` semantics (`Dockerfile.dockerignore` next to the
    /// Dockerfile first, then `.dockerignore`, exceptions with `!`, the last matching
    /// pattern wins), and the message names the pattern and the line that excludes it.
    ///
    /// ## Differences from BuildKit (CopyIgnoredFile)
    /// BuildKit reports only sources that name an excluded path themselves; this rule also
    /// reports a wildcard source that matches nothing because the ignore file takes out
    /// every path it would match, and says when the build fails because of it (severity
    /// `error`).
    ///
    /// ## Example
    /// ```dockerfile
    /// # .dockerignore: *.yaml
    /// COPY config.yaml /etc/app/
    /// ```
    /// Use instead: narrow the pattern (`/tmp/*.yaml`) or add an exception
    /// (`!config.yaml`).
    pub struct CopyIgnoredFile {
        code: "DW1401",
        name: "copy-ignored-file",
        category: Correctness,
        severity: Warning,
        buildkit: "CopyIgnoredFile",
    }
}

impl Check for CopyIgnoredFile {
    fn check(cx: &mut Checker<'_>) {
        let Some(facts) = cx.context() else {
            return;
        };
        let found = copy_ignored_files(&facts.reads);
        for ignored in found {
            let Some(first) = ignored.ignored.first() else {
                continue;
            };
            let pattern = match first.line {
                Some(line) => format!("`{}` (line {line} of the ignore file)", first.pattern),
                None => format!("`{}`", first.pattern),
            };
            let more = match ignored.ignored.len() {
                1 => String::new(),
                n => format!(" and {} more path(s)", n - 1),
            };
            let outcome = if ignored.missing {
                "the builder never receives it, so the build fails"
            } else {
                "the builder never receives it"
            };
            let what = if ignored.source == first.path && more.is_empty() {
                format!("`{}` is", ignored.source)
            } else {
                format!(
                    "`{}` names `{}`{more}, which is",
                    ignored.source, first.path
                )
            };
            let diagnostic = cx.report(
                ignored.span,
                format!(
                    "{what} excluded by the ignore file's {pattern}: {outcome}; narrow the pattern or add an exception (`!{}`)",
                    first.path
                ),
            );
            if ignored.missing {
                diagnostic.set_severity(Severity::Error);
            }
        }
    }
}
