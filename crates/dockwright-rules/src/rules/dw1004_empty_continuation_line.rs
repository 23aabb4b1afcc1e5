use crate::prelude::*;

crate::declare_rule! {
    /// Flags empty lines inside an instruction continued with `\`.
    ///
    /// ## Why
    /// BuildKit skips a whitespace-only line inside a continuation today and warns that it
    /// will become an error. It also reads badly: the blank line looks like the end of the
    /// instruction, and hadolint's parser rejects the file outright.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && \
    ///
    ///     apt-get install -y curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && \
    ///     apt-get install -y curl
    /// ```
    ///
    /// ## Fix
    /// Safe: the empty lines are deleted; the instruction BuildKit reads is the same.
    pub struct EmptyContinuationLine {
        code: "DW1004",
        name: "empty-continuation-line",
        category: Correctness,
        severity: Warning,
        buildkit: "NoEmptyContinuation",
        fix: Safe,
    }
}

impl Check for EmptyContinuationLine {
    fn check(cx: &mut Checker<'_>) {
        let warnings = cx.doc().warnings();
        for warning in warnings
            .iter()
            .filter(|w| w.code == "empty-continuation-line")
        {
            let Some(first) = warning.spans.first() else {
                continue;
            };
            let count = warning.spans.len();
            let lines = if count == 1 { "line" } else { "lines" };
            let edits = warning
                .spans
                .iter()
                .map(|s| Edit::delete(s.start..s.end))
                .collect();
            cx.report(
                *first,
                format!(
                    "{count} empty {lines} inside a continued instruction; BuildKit will reject this in a future release"
                ),
            )
            .set_fix(Fix::safe("delete the empty lines", edits));
        }
    }
}
