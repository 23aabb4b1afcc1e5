use crate::prelude::*;

crate::declare_rule! {
    /// Flags `apt` in a RUN, whose command-line interface is not stable for scripts.
    ///
    /// ## Why
    /// `apt` is the interactive front end: its output and behaviour may change between
    /// releases and it warns "apt does not have a stable CLI interface. Use with caution in
    /// scripts." `apt-get` (installing, updating, removing) and `apt-cache` (searching,
    /// showing) are the interfaces meant for scripts and keep their behaviour.
    ///
    /// ## Differences from hadolint (DL3027)
    /// hadolint misses `apt` called through `sudo`, by path or inside `sh -c` (those
    /// findings carry no hadolint equivalent).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt update && apt install -y curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// ## Fix
    /// Safe, for `install`, `reinstall`, `update`, `remove`, `purge`, `autoremove`,
    /// `clean`, `autoclean` and `build-dep`, which do the same in `apt-get`: `apt`
    /// becomes `apt-get`. Not offered for `upgrade` (apt's also installs new dependencies,
    /// apt-get's does not), `full-upgrade`, `search`, `show`, `list`.
    pub struct AptInsteadOfAptGet {
        code: "DW1102",
        name: "apt-instead-of-apt-get",
        category: Correctness,
        severity: Warning,
        hadolint: "DL3027",
        fix: Safe,
    }
}

/// Subcommands `apt-get` runs the same way.
const SAME_IN_APT_GET: &[&str] = &[
    "install",
    "reinstall",
    "update",
    "remove",
    "purge",
    "autoremove",
    "clean",
    "autoclean",
    "build-dep",
];

impl Check for AptInsteadOfAptGet {
    fn check(cx: &mut Checker<'_>) {
        for (command, package) in cx.package_commands() {
            if package.manager != PackageManager::Apt {
                continue;
            }
            let Some(program) = &command.command.program else {
                continue;
            };
            let word = command.command.words.get(program.index);
            let fix = package
                .subcommand
                .as_ref()
                .filter(|s| SAME_IN_APT_GET.contains(&s.text.as_str()))
                .and(word)
                .filter(|w| w.text == "apt" && cx.text(command.file_span(w.span)) == "apt")
                .map(|w| {
                    Fix::safe(
                        "use `apt-get`",
                        vec![Edit::replace(
                            {
                                let s = command.file_span(w.span);
                                s.start..s.end
                            },
                            "apt-get",
                        )],
                    )
                });
            let sees = hadolint_sees(&command);
            let diagnostic = cx.report(
                command.file_span(program.span),
                "`apt` is meant for interactive use; use `apt-get` or `apt-cache` in scripts",
            );
            if let Some(fix) = fix {
                diagnostic.set_fix(fix);
            }
            hadolint_if(diagnostic, sees);
        }
    }
}
