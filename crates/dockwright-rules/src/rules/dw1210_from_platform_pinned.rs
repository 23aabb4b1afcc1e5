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
    /// Values that mention `BUILDPLATFORM` or `TARGETPLATFORM` are not flagged, nor is a
    /// stage whose name says which platform it is for (`FROM --platform=linux/arm64 alpine
    /// AS build_arm64`, selected later with `FROM build_${TARGETARCH}`), as BuildKit's
    /// FromPlatformFlagConstDisallowed also allows. A value from another ARG is flagged
    /// (it still pins the stage), though BuildKit only judges constants.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 node:20-slim
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3029 also flags platform-named stages.
    pub struct FromPlatformPinned {
        code: "DW1210",
        name: "from-platform-pinned",
        category: Correctness,
        severity: Warning,
        hadolint: "DL3029",
        buildkit: "FromPlatformFlagConstDisallowed",
    }
}

impl Check for FromPlatformPinned {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        for inst in cx.instructions_of(InstructionKind::From) {
            let Some(from) = inst.syntax.as_from() else {
                continue;
            };
            let Some(platform) = from.platform else {
                continue;
            };
            let value = platform.text.as_ref();
            if value.contains("BUILDPLATFORM") || value.contains("TARGETPLATFORM") {
                continue;
            }
            let resolved = model
                .expand_at(inst.index, value)
                .map(|e| e.value)
                .unwrap_or_else(|_| value.to_string());
            let stage_name = from
                .alias
                .map(|a| a.text.to_ascii_lowercase())
                .unwrap_or_default();
            let named_for_it = resolved
                .split('/')
                .filter(|part| !part.is_empty())
                .any(|part| stage_name.contains(&part.to_ascii_lowercase()));
            if named_for_it {
                continue;
            }
            let constant = !value.contains('$');
            let diagnostic = cx.report(
                platform.span,
                format!(
                    "`--platform={value}` pins the stage to one platform; use `$BUILDPLATFORM` for a cross-compiling builder, or no flag"
                ),
            );
            if !constant {
                diagnostic.equivalents.buildkit = None;
            }
        }
    }
}
