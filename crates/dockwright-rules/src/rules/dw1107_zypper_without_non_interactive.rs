use super::dw1105_yum_without_yes::report_without_yes;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `zypper install` (or remove, update, patch) without `--non-interactive`.
    ///
    /// ## Why
    /// zypper asks "Continue? [y/n/v/...? shows all options] (y)" before changing
    /// packages. A build has no terminal, so the answer is end of input and the build
    /// fails or hangs.
    ///
    /// `-n`, `--non-interactive`, and the subcommand's `-y`/`--no-confirm` count.
    ///
    /// ## Differences from hadolint (DL3034)
    /// hadolint misses `zypper` called through `sudo`, by path or inside `sh -c`, and
    /// `update`/`dist-upgrade`; those findings carry no hadolint equivalent.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN zypper install curl=8.6.0 && zypper clean
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN zypper --non-interactive install curl=8.6.0 && zypper clean
    /// ```
    ///
    /// ## Fix
    /// Safe: the global `--non-interactive` is added after `zypper`.
    pub struct ZypperWithoutNonInteractive {
        code: "DW1107",
        name: "zypper-without-non-interactive",
        category: Correctness,
        severity: Warning,
        hadolint: "DL3034",
        fix: Safe,
    }
}

impl Check for ZypperWithoutNonInteractive {
    fn check(cx: &mut Checker<'_>) {
        report_without_yes(
            cx,
            &[PackageManager::Zypper],
            &[
                "install",
                "in",
                "remove",
                "rm",
                "source-install",
                "si",
                "patch",
            ],
        );
    }
}
