use super::dw1105_yum_without_yes::report_without_yes;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `dnf install` / `microdnf install` (or remove, upgrade) without `-y`.
    ///
    /// ## Why
    /// dnf asks "Is this ok [y/N]" before changing packages. A build has no terminal, so
    /// dnf reads end of input, answers no and exits with an error: the build fails.
    ///
    /// `-y`, `--assumeyes` and `--assume-yes` count.
    ///
    /// ## Differences from hadolint (DL3038)
    /// hadolint checks `install`, `groupinstall` and `localinstall` only, and misses `dnf`
    /// called through `sudo`, by path or inside `sh -c`; those findings carry no hadolint
    /// equivalent.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN dnf install nginx-1.24.0 && dnf clean all
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN dnf install -y nginx-1.24.0 && dnf clean all
    /// ```
    ///
    /// ## Fix
    /// Safe: `-y` is added after the subcommand.
    pub struct DnfWithoutYes {
        code: "DW1106",
        name: "dnf-without-yes",
        category: Correctness,
        severity: Warning,
        hadolint: "DL3038",
        fix: Safe,
    }
}

impl Check for DnfWithoutYes {
    fn check(cx: &mut Checker<'_>) {
        report_without_yes(
            cx,
            &[PackageManager::Dnf, PackageManager::Microdnf],
            &["install", "groupinstall", "localinstall"],
        );
    }
}
