use crate::prelude::*;

crate::declare_rule! {
    /// Flags `apt-get install` without `-y`, which stops the build at a prompt.
    ///
    /// ## Why
    /// When an install needs more packages than those named, apt asks "Do you want to
    /// continue? [Y/n]". A build has no terminal, so apt reads end of input and aborts:
    /// the build fails, or works only while no dependency is added.
    ///
    /// Any of `-y`, `--yes`, `--assume-yes`, `-qq` (quiet level 2 implies yes), `-q=2`,
    /// `-o APT::Get::Assume-Yes=true` counts. `apt install` is judged too.
    ///
    /// ## Differences from hadolint (DL3014)
    /// hadolint checks `apt-get` only, spelled without a path or wrapper and outside
    /// `sh -c`; other findings carry no hadolint equivalent.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install --no-install-recommends curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix
    /// Safe: `-y` is added after `install`.
    pub struct AptInstallWithoutYes {
        code: "DW1101",
        name: "apt-install-without-yes",
        category: Correctness,
        severity: Warning,
        hadolint: "DL3014",
        fix: Safe,
    }
}

impl Check for AptInstallWithoutYes {
    fn check(cx: &mut Checker<'_>) {
        for (command, package) in cx.package_commands() {
            if !matches!(
                package.manager,
                PackageManager::AptGet | PackageManager::Apt
            ) || package.operation != PackageOperation::Install
                || package.has(PackageFlagKind::AssumeYes)
            {
                continue;
            }
            let Some(subcommand) = &package.subcommand else {
                continue;
            };
            let at = command.file_span(subcommand.span).end;
            let program = command.command.program_name().unwrap_or("apt-get");
            let sees = hadolint_sees(&command) && package.manager == PackageManager::AptGet;
            let diagnostic = cx.report(
                command.span(),
                format!(
                    "`{program} {}` without `-y` stops at a confirmation prompt; add `-y`",
                    subcommand.text
                ),
            );
            diagnostic.set_fix(Fix::safe("add `-y`", vec![Edit::insert(at, " -y")]));
            hadolint_if(diagnostic, sees);
        }
    }
}
