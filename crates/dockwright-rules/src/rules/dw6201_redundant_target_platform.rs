use crate::prelude::*;

crate::declare_rule! {
    /// Flags `FROM --platform=$TARGETPLATFORM`, which is what `FROM` does anyway.
    ///
    /// ## Why
    /// A stage is built for the target platform unless told otherwise, so the flag adds
    /// nothing but noise, and suggests to readers that the stage is special. (Use
    /// `--platform=$BUILDPLATFORM` for a stage that should run natively and
    /// cross-compile.)
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=$TARGETPLATFORM alpine:3.20
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ```
    ///
    /// ## Fix
    /// Removes the flag. Safe: the stage is built for the same platform.
    pub struct RedundantTargetPlatform {
        code: "DW6201",
        name: "redundant-target-platform",
        category: Style,
        severity: Warning,
        hadolint: "DL3065",
        buildkit: "RedundantTargetPlatform",
        fix: Safe,
    }
}

impl Check for RedundantTargetPlatform {
    fn check(cx: &mut Checker<'_>) {
        let source = cx.source().as_bytes();
        for inst in cx.instructions_of(InstructionKind::From) {
            let Some(platform) = inst.syntax.as_from().and_then(|f| f.platform) else {
                continue;
            };
            let value = platform.text.trim_matches(|c| c == '"' || c == '\'');
            if value != "$TARGETPLATFORM" && value != "${TARGETPLATFORM}" {
                continue;
            }
            // The flag and the blanks after it.
            let mut end = platform.span.end;
            while matches!(source.get(end), Some(b' ' | b'\t')) {
                end += 1;
            }
            cx.report(
                platform.span,
                "`--platform=$TARGETPLATFORM` is the default for every stage; remove it",
            )
            .set_fix(Fix::safe(
                "remove the flag",
                vec![Edit::delete(platform.span.start..end)],
            ));
        }
    }
}
