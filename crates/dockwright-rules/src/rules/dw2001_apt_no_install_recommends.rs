use crate::prelude::*;

crate::declare_rule! {
    /// Flags `apt-get install` without `--no-install-recommends`.
    ///
    /// ## Why
    /// By default apt also installs every package the requested ones *recommend*: man
    /// pages, optional tools, fonts, whole desktop stacks for some packages. They are rarely
    /// needed in a container and often make up a large share of the image (installing
    /// `python3-pip` pulls in a compiler toolchain through recommendations).
    ///
    /// `-o APT::Install-Recommends=false` counts as the option.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// Safe: `--no-install-recommends` is added after `install`. If the image relied on a
    /// recommended package, name it explicitly.
    pub struct AptNoInstallRecommends {
        code: "DW2001",
        name: "apt-no-install-recommends",
        category: Size,
        severity: Info,
        hadolint: "DL3015",
        fix: Safe,
    }
}

impl Check for AptNoInstallRecommends {
    fn check(cx: &mut Checker<'_>) {
        for (command, package) in cx.package_commands() {
            if !matches!(
                package.manager,
                PackageManager::AptGet | PackageManager::Apt
            ) || package.operation != PackageOperation::Install
                || package.has(PackageFlagKind::NoInstallRecommends)
            {
                continue;
            }
            let Some(subcommand) = &package.subcommand else {
                continue;
            };
            let at = command.file_span(subcommand.span);
            let program = command.command.program_name().unwrap_or("apt-get");
            cx.report(
                command.span(),
                format!("`{program} install` without `--no-install-recommends` also installs every recommended package"),
            )
            .set_fix(Fix::safe(
                "add `--no-install-recommends`",
                vec![Edit::insert(at.end, " --no-install-recommends")],
            ));
        }
    }
}
