use crate::prelude::*;

use dockwright_context::findings::duplicate_copies;

crate::declare_rule! {
    /// Flags files copied twice into a stage with no step between the copies that uses
    /// the first one (`COPY . .` after `COPY src/ src/`). Needs the build context
    /// (`dockwright lint --context DIR`, or a Dockerfile in its context directory).
    ///
    /// ## Why
    /// The second copy stores the same bytes again in a new layer, and the first copy's
    /// layer is invalidated by the same changes as the second, so it buys no caching. The
    /// manifests-first pattern (`COPY package.json ./`, `RUN npm ci`, `COPY . .`) is not
    /// flagged: the install between the copies is what the first copy is for. Drop the
    /// first copy, or narrow the second.
    ///
    /// The files are resolved against the context with BuildKit's `.dockerignore` and
    /// wildcard rules, so `COPY *.py ./` then `COPY . .` is seen to overlap only when `.py`
    /// files really exist. hadolint cannot see what a copy takes.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY app/ app/
    /// COPY . .
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// COPY . .
    /// ```
    pub struct DuplicateCopy {
        code: "DW2408",
        name: "duplicate-copy",
        category: Size,
        severity: Warning,
    }
}

impl Check for DuplicateCopy {
    fn check(cx: &mut Checker<'_>) {
        let Some(facts) = cx.context() else {
            return;
        };
        for dup in duplicate_copies(&facts.reads, &facts.plan) {
            let examples: Vec<&str> = dup.examples.iter().take(3).map(String::as_str).collect();
            cx.report(
                dup.span,
                format!(
                    "`{}` copies {} file(s) ({}) that `{}` at line {} already copied, with no step using them in between: the bytes are stored twice; drop one copy or narrow it",
                    dup.source,
                    dup.files,
                    examples.join(", "),
                    dup.earlier_source,
                    dup.earlier_line
                ),
            );
        }
    }
}
