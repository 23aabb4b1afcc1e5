use crate::prelude::*;

crate::declare_rule! {
    /// Flags `ln` that replaces `/bin/sh`, where `SHELL` says which shell runs RUN.
    ///
    /// ## Why
    /// Linking `/bin/sh` to bash changes the shell of every program in the image that runs
    /// `/bin/sh` (init scripts, `system()` calls, package maintainer scripts), not only of
    /// the Dockerfile's RUN steps, and hides the change from readers. `SHELL ["/bin/bash",
    /// "-c"]` changes the shell of the later RUN, CMD and ENTRYPOINT shell forms only.
    ///
    /// ## Differences from hadolint (DL4005)
    /// Only a link made at `/bin/sh` is flagged; hadolint flags any `ln` naming
    /// `/bin/sh`, also `ln -s /bin/sh /usr/local/bin/sh` which does not replace it. It
    /// misses `ln` through `sudo`, by path or inside `sh -c`.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN ln -sf /bin/bash /bin/sh
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// SHELL ["/bin/bash", "-c"]
    /// ```
    pub struct LnBinSh {
        code: "DW1104",
        name: "ln-bin-sh",
        category: Correctness,
        severity: Warning,
        hadolint: "DL4005",
    }
}

impl Check for LnBinSh {
    fn check(cx: &mut Checker<'_>) {
        let mut found: Vec<(Span, bool)> = Vec::new();
        for command in cx.commands() {
            let Action::Link(link) = &command.command.action else {
                continue;
            };
            if link.link.as_ref().is_none_or(|l| l.text != "/bin/sh") {
                continue;
            }
            found.push((command.span(), hadolint_sees(&command)));
        }
        for (span, sees) in found {
            let diagnostic = cx.report(
                span,
                "`ln` replaces `/bin/sh` for every program in the image; use `SHELL` to change the shell of RUN",
            );
            hadolint_if(diagnostic, sees);
        }
    }
}
