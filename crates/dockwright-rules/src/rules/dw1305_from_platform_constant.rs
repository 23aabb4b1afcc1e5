use crate::global_scope::global_scope;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `FROM --platform=` with a constant value (`linux/amd64`) on a stage whose name
    /// does not mention that platform.
    ///
    /// ## Why
    /// A constant platform pins the stage to one architecture whatever `--platform` the
    /// build asks for: on an arm64 machine, or in a multi-platform build, the stage runs
    /// under emulation (several times slower) and its binaries may end up in an image for
    /// another architecture. `--platform=$BUILDPLATFORM` (cross-compile on the build
    /// machine) or no flag at all is what is meant almost always. As in BuildKit's
    /// FromPlatformFlagConstDisallowed check, a value with any variable is not constant,
    /// and a stage whose name contains the platform's OS or architecture
    /// (`FROM --platform=linux/arm64 ... AS build-arm64`) is deliberate and not flagged.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 golang:1.22 AS build
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM --platform=$BUILDPLATFORM golang:1.22 AS build
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3029 flags every `--platform` that does not mention `BUILDPLATFORM` or
    /// `TARGETPLATFORM`, including a value from an ARG (`--platform=$PLATFORM`, which the
    /// build can set) and platform-named stages; neither is flagged here.
    pub struct FromPlatformConstant {
        code: "DW1305",
        name: "from-platform-constant",
        category: Correctness,
        severity: Warning,
        hadolint: "DL3029",
        buildkit: "FromPlatformFlagConstDisallowed",
    }
}

impl Check for FromPlatformConstant {
    fn check(cx: &mut Checker<'_>) {
        let global = global_scope(cx, true);
        let scope = &global.scope;
        for inst in cx.instructions_of(InstructionKind::From) {
            let Some(from) = inst.syntax.as_from() else {
                continue;
            };
            let Some(platform) = from.platform else {
                continue;
            };
            let Ok(expansion) = scope.expand_in_from(&platform.text) else {
                continue;
            };
            if !expansion.references.is_empty() {
                continue;
            }
            let Some((os, architecture)) = os_and_architecture(&expansion.value) else {
                continue;
            };
            let stage_name = from.alias.as_ref().map_or("", |a| a.text.as_ref());
            if stage_name.contains(os.as_str()) || stage_name.contains(architecture.as_str()) {
                continue;
            }
            cx.report(
                platform.span,
                format!(
                    "`FROM --platform={}` pins the stage to one platform whatever the build targets; use `$BUILDPLATFORM` or `$TARGETPLATFORM`, or name the stage after the platform",
                    expansion.value
                ),
            );
        }
    }
}

/// containerd's `platforms.Parse`, normalised, reduced to OS and architecture; a single
/// component is an OS (the architecture then defaults to amd64) or an architecture (on
/// linux). `None` for what BuildKit would reject.
fn os_and_architecture(text: &str) -> Option<(String, String)> {
    let lower = text.to_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    let architecture = |a: &str| -> String {
        match a {
            "x86_64" | "x86-64" => "amd64".to_string(),
            "aarch64" => "arm64".to_string(),
            "i386" | "i686" => "386".to_string(),
            other => other.to_string(),
        }
    };
    let known_arch = |a: &str| {
        matches!(
            a,
            "amd64"
                | "x86_64"
                | "x86-64"
                | "arm64"
                | "aarch64"
                | "arm"
                | "386"
                | "i386"
                | "i686"
                | "ppc64le"
                | "ppc64"
                | "s390x"
                | "riscv64"
                | "mips64le"
                | "loong64"
        )
    };
    let valid = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
    };
    match parts.as_slice() {
        [single] if valid(single) => Some(if known_arch(single) {
            ("linux".to_string(), architecture(single))
        } else {
            ((*single).to_string(), "amd64".to_string())
        }),
        [os, arch] | [os, arch, _] if valid(os) && valid(arch) => {
            Some(((*os).to_string(), architecture(arch)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::os_and_architecture;

    #[test]
    fn platforms_are_read_as_containerd_normalises_them() {
        let pair = |os: &str, arch: &str| Some((os.to_string(), arch.to_string()));
        assert_eq!(os_and_architecture("linux/amd64"), pair("linux", "amd64"));
        assert_eq!(os_and_architecture("linux/arm/v7"), pair("linux", "arm"));
        assert_eq!(os_and_architecture("Linux/x86_64"), pair("linux", "amd64"));
        assert_eq!(os_and_architecture("linux/aarch64"), pair("linux", "arm64"));
        assert_eq!(os_and_architecture("arm64"), pair("linux", "arm64"));
        assert_eq!(os_and_architecture("windows"), pair("windows", "amd64"));
        assert_eq!(os_and_architecture(""), None);
        assert_eq!(os_and_architecture("a/b/c/d"), None);
    }
}
