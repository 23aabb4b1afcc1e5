use crate::prelude::*;

crate::declare_rule! {
    /// Flags a second (or later) `ENTRYPOINT` in one stage.
    ///
    /// ## Why
    /// Only the last `ENTRYPOINT` of a stage takes effect; the earlier ones are ignored
    /// and mislead the reader about what the container runs.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENTRYPOINT ["/docker-entrypoint.sh"]
    /// ENTRYPOINT ["/usr/bin/tini", "--"]
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// ENTRYPOINT ["/usr/bin/tini", "--", "/docker-entrypoint.sh"]
    /// ```
    ///
    /// ## Fix
    /// Removes the earlier `ENTRYPOINT`, which has no effect on the image. Safe.
    ///
    /// ## Differences from hadolint and BuildKit
    /// Reported at the later instruction, as hadolint DL4004 does; BuildKit's
    /// MultipleInstructionsDisallowed reports the earlier ones.
    pub struct MultipleEntrypoint {
        code: "DW1206",
        name: "multiple-entrypoint",
        category: Correctness,
        severity: Error,
        hadolint: "DL4004",
        buildkit: "MultipleInstructionsDisallowed",
        fix: Safe,
    }
}

impl Check for MultipleEntrypoint {
    fn check(cx: &mut Checker<'_>) {
        for stage in cx.stages() {
            super::dw1205_multiple_cmd::report_repeated(cx, &stage.entrypoints, "ENTRYPOINT");
        }
    }
}
