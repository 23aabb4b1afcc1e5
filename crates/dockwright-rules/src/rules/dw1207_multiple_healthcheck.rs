use crate::prelude::*;

crate::declare_rule! {
    /// Flags a second (or later) `HEALTHCHECK` in one stage.
    ///
    /// ## Why
    /// An image has one health check: the last `HEALTHCHECK` of the stage wins and the
    /// earlier ones are ignored (`HEALTHCHECK NONE` included), which misleads the reader
    /// about how the container is probed.
    ///
    /// ## Example
    /// ```dockerfile
    /// HEALTHCHECK CMD curl -f http://localhost/ || exit 1
    /// HEALTHCHECK --interval=5s CMD curl -f http://localhost/health || exit 1
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// HEALTHCHECK --interval=5s CMD curl -f http://localhost/health || exit 1
    /// ```
    ///
    /// ## Fix
    /// Removes the earlier `HEALTHCHECK`, which has no effect on the image. Safe.
    ///
    /// ## Differences from hadolint and BuildKit
    /// Reported at the later instruction, as hadolint DL3012 does; BuildKit's
    /// MultipleInstructionsDisallowed reports the earlier ones.
    pub struct MultipleHealthcheck {
        code: "DW1207",
        name: "multiple-healthcheck",
        category: Correctness,
        severity: Error,
        hadolint: "DL3012",
        buildkit: "MultipleInstructionsDisallowed",
        fix: Safe,
    }
}

impl Check for MultipleHealthcheck {
    fn check(cx: &mut Checker<'_>) {
        for stage in cx.stages() {
            super::dw1205_multiple_cmd::report_repeated(cx, &stage.healthchecks, "HEALTHCHECK");
        }
    }
}
