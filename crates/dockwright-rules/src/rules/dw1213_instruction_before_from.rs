use crate::prelude::*;

crate::declare_rule! {
    /// Flags an instruction other than `ARG` before the first `FROM`.
    ///
    /// ## Why
    /// Before the first `FROM` there is no stage to apply an instruction to: only `ARG`
    /// (global build arguments for `FROM` lines), comments and parser directives may come
    /// first. BuildKit rejects anything else.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.source=https://example.com/app
    /// FROM alpine:3.20
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.source=https://example.com/app
    /// ```
    pub struct InstructionBeforeFrom {
        code: "DW1213",
        name: "instruction-before-from",
        category: Correctness,
        severity: Error,
        hadolint: "DL3061",
    }
}

impl Check for InstructionBeforeFrom {
    fn check(cx: &mut Checker<'_>) {
        for inst in cx.instructions() {
            if inst.stage().is_some() || inst.facts.onbuild {
                continue;
            }
            let kind = inst.kind();
            if matches!(kind, InstructionKind::Arg | InstructionKind::From) {
                continue;
            }
            cx.report_instruction(
                &inst,
                format!(
                    "{} before the first FROM: only ARG may come before it; move it into a stage",
                    kind.as_str()
                ),
            );
        }
    }
}
