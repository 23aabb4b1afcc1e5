use crate::prelude::*;

crate::declare_rule! {
    /// Flags compilers, build systems and development headers installed in the image the
    /// build produces.
    ///
    /// ## Why
    /// A toolchain is needed to build software, not to run it. `build-essential` alone adds
    /// about 200 MB to a Debian image, and every `-dev` package brings headers and static
    /// libraries. Installed in the stage that becomes the image, they ship to every host
    /// that runs it and widen what an attacker can do there. Build in a builder stage and
    /// copy only the result (`COPY --from=build`), or remove the tools in the same `RUN`
    /// that installed them (`apk add --virtual .build-deps ... && apk del .build-deps`).
    ///
    /// Packages counted: `build-essential`, `build-base`, `alpine-sdk`, C/C++/Fortran
    /// compilers (`gcc`, `g++`, `clang`, ...), `make`, `cmake`, `ninja-build`, `meson`,
    /// `autoconf`, `automake`, `libtool`, `pkg-config`/`pkgconf`, `bison`, `flex`, `git`,
    /// Rust (`rustc`, `cargo`), Go (`golang`, `go`), and development headers (`*-dev`,
    /// `*-devel`, `linux-headers`), from apt, apk, dnf/yum/microdnf and zypper. Build stages
    /// whose layers do not reach the image are not flagged, nor is the official images'
    /// pattern of marking everything auto-installed (`apt-mark auto '.*'`) and purging with
    /// `--auto-remove` (or `apt-get autoremove`) later in the same `RUN`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \
    ///     && pip install --no-cache-dir psycopg2 && rm -rf /var/lib/apt/lists/*
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim AS build
    /// RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev
    /// RUN pip wheel --wheel-dir /wheels psycopg2
    ///
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \
    ///     && rm -rf /var/lib/apt/lists/*
    /// COPY --from=build /wheels /wheels
    /// RUN pip install --no-cache-dir /wheels/*
    /// ```
    pub struct BuildToolsInFinalStage {
        code: "DW2003",
        name: "build-tools-in-final-stage",
        category: Size,
        severity: Warning,
    }
}

/// Whether a package name is a build tool or development package.
pub(crate) fn is_build_tool(name: &str) -> bool {
    const TOOLS: &[&str] = &[
        "build-essential",
        "build-base",
        "alpine-sdk",
        "gcc",
        "g++",
        "gcc-c++",
        "cpp",
        "clang",
        "llvm",
        "gfortran",
        "gcc-gfortran",
        "make",
        "cmake",
        "ninja-build",
        "ninja",
        "meson",
        "autoconf",
        "automake",
        "libtool",
        "pkg-config",
        "pkgconf",
        "pkgconfig",
        "bison",
        "flex",
        "git",
        "rustc",
        "cargo",
        "rust",
        "golang",
        "golang-go",
        "go",
        "linux-headers",
        "kernel-headers",
        "kernel-devel",
    ];
    let name = name.trim();
    TOOLS.contains(&name)
        || name.ends_with("-dev")
        || name.ends_with("-devel")
        || name.starts_with("gcc-")
        || name.starts_with("g++-")
        || name.starts_with("clang-")
        || name.starts_with("linux-headers-")
}

impl Check for BuildToolsInFinalStage {
    fn check(cx: &mut Checker<'_>) {
        for (inst, run) in cx.runs() {
            if inst.facts.onbuild || !inst.stage().is_some_and(|s| cx.in_final_image(s)) {
                continue;
            }
            if purges_auto_installed(run) {
                continue;
            }
            for (i, install) in run.effects.packages.iter().enumerate() {
                if !install.manager.is_system() || install.operation != PackageOperation::Install {
                    continue;
                }
                // Removed again in the same RUN (by name, or as an `apk --virtual` group).
                let later = &run.effects.packages[i + 1..];
                let removed = |name: &str| {
                    later.iter().any(|p| {
                        p.operation == PackageOperation::Remove
                            && p.packages.iter().any(|r| r == name)
                    })
                };
                if install.flags.contains(&PackageFlagKind::Virtual)
                    && later.iter().any(|p| {
                        p.operation == PackageOperation::Remove && p.manager == install.manager
                    })
                {
                    continue;
                }
                let tools: Vec<&str> = install
                    .packages
                    .iter()
                    .map(String::as_str)
                    .filter(|p| is_build_tool(p) && !removed(p))
                    .collect();
                if tools.is_empty() {
                    continue;
                }
                let list = tools
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                cx.report(
                    install.span,
                    format!(
                        "build tools installed in the image the build produces: {list}; build in a separate stage and copy the result"
                    ),
                );
            }
        }
    }
}

/// `apt-mark auto ...` followed by an auto-removing purge: every package this RUN installed
/// and did not mark manual again goes away.
fn purges_auto_installed(run: &RunFacts) -> bool {
    let commands: Vec<&SimpleCommand> = run.scripts.iter().flat_map(|s| s.commands()).collect();
    let Some(marked) = commands.iter().position(|c| {
        c.program_name() == Some("apt-mark")
            && c.arguments().first().is_some_and(|w| w.text == "auto")
    }) else {
        return false;
    };
    commands[marked + 1..].iter().any(|c| {
        let Some(p) = c.action.as_package() else {
            return false;
        };
        p.operation == PackageOperation::Autoremove
            || (p.operation == PackageOperation::Remove
                && c.arguments()
                    .iter()
                    .any(|w| w.text == "--auto-remove" || w.text == "--autoremove"))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn build_tools() {
        for tool in [
            "gcc",
            "libpq-dev",
            "openssl-devel",
            "build-essential",
            "gcc-12",
            "git",
        ] {
            assert!(super::is_build_tool(tool), "{tool}");
        }
        for runtime in [
            "libpq5",
            "curl",
            "ca-certificates",
            "python3",
            "devscripts-el",
        ] {
            assert!(!super::is_build_tool(runtime), "{runtime}");
        }
    }
}
