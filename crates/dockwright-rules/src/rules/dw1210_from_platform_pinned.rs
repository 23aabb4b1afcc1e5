use crate::prelude::*;

crate::declare_rule! {
    /// Flags `FROM --platform=` with a fixed platform.
    ///
    /// ## Why
    /// `--platform=linux/amd64` pins the stage to one architecture: on an arm64 host or
    /// in a multi-platform build the stage runs under emulation (slowly) and the image
    /// gets binaries of the wrong architecture. Use `--platform=$BUILDPLATFORM` for a
    /// builder stage that cross-compiles, and no flag otherwise; choose the platform with
    /// `docker build --platform`.
    ///
    /// Values that mention `BUILDPLATFORM` or `TARGETPLATFORM` are not flagged.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 node:20-slim
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// ```
    pub struct FromPlatformPinned {
        code: "DW1210",
        name: "from-platform-pinned",
        category: Correctness,
        severity: Warning,
        hadolint: "DL3029",
    }
}

impl Check for FromPlatformPinned {
    fn check(cx: &mut Checker<'_>) {
        for inst in cx.instructions_of(InstructionKind::From) {
            let Some(platform) = inst.syntax.as_from().and_then(|f| f.platform) else {
                continue;
            };
            let value = platform.text.as_ref();
            if value.contains("BUILDPLATFORM") || value.contains("TARGETPLATFORM") {
                continue;
            }
            cx.report(
                platform.span,
                format!(
                    "`--platform={value}` pins the stage to one platform; use `$BUILDPLATFORM` for a cross-compiling builder, or no flag"
                ),
            );
        }
    }
}
