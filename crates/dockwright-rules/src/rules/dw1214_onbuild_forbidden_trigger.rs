use crate::prelude::*;

crate::declare_rule! {
    /// Flags `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER`.
    ///
    /// ## Why
    /// An `ONBUILD` trigger runs as an instruction of the child build's first stage. A
    /// trigger cannot add triggers, start a new stage or set the deprecated maintainer
    /// field: BuildKit rejects these instructions inside `ONBUILD`.
    ///
    /// ## Example
    /// ```dockerfile
    /// ONBUILD FROM alpine:3.20
    /// ```
    /// Use instead (a child Dockerfile chooses its own base):
    /// ```dockerfile
    /// ONBUILD COPY . /app
    /// ```
    pub struct OnbuildForbiddenTrigger {
        code: "DW1214",
        name: "onbuild-forbidden-trigger",
        category: Correctness,
        severity: Error,
        hadolint: "DL3043",
    }
}

impl Check for OnbuildForbiddenTrigger {
    fn check(cx: &mut Checker<'_>) {
        for inst in cx.instructions_of(InstructionKind::Onbuild) {
            let Some(trigger) = inst.syntax.trigger() else {
                continue;
            };
            let kind = trigger.kind();
            if !matches!(
                kind,
                InstructionKind::Onbuild | InstructionKind::From | InstructionKind::Maintainer
            ) {
                continue;
            }
            cx.report_instruction(
                &inst,
                format!(
                    "`ONBUILD {}` is not allowed: a trigger cannot be ONBUILD, FROM or MAINTAINER",
                    kind.as_str()
                ),
            );
        }
    }
}
