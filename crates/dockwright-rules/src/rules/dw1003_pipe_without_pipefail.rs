use crate::prelude::*;

crate::declare_rule! {
    /// Flags a pipe in a `RUN` whose shell does not have `pipefail` on.
    ///
    /// ## Why
    /// A pipeline's exit status is that of its last command. In
    /// `RUN curl -fsSL https://example.com/install.sh | sh`, a failed download still feeds
    /// `sh` an empty script, `sh` succeeds, and the build goes on without what it was meant
    /// to install. With `set -o pipefail` the pipeline fails when any command in it fails.
    ///
    /// `pipefail` counts when the `SHELL` starts with it
    /// (`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`), when the script sets it
    /// (`set -o pipefail`, `set -euo pipefail`) before the pipe, or for an exec-form shell
    /// started with it. hadolint DL4006 looks only at `SHELL`. Scripts run by a shell that
    /// is not POSIX (PowerShell, `# hadolint shell=powershell`) are not checked.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN wget -qO- https://example.com/key.gpg | gpg --dearmor > /usr/share/keyrings/x.gpg
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    /// RUN wget -qO- https://example.com/key.gpg | gpg --dearmor > /usr/share/keyrings/x.gpg
    /// ```
    /// (busybox images: `SHELL ["/bin/ash", "-eo", "pipefail", "-c"]`.)
    ///
    /// ## Fix
    /// Unsafe, and only when the script runs in bash: `set -o pipefail && ` is put in front
    /// of the script (a command that was allowed to fail inside a pipe now fails the build).
    pub struct PipeWithoutPipefail {
        code: "DW1003",
        name: "pipe-without-pipefail",
        category: Correctness,
        severity: Warning,
        hadolint: "DL4006",
        fix: Unsafe,
    }
}

impl Check for PipeWithoutPipefail {
    fn check(cx: &mut Checker<'_>) {
        if cx
            .pragmas()
            .shell
            .as_deref()
            .is_some_and(|s| !ShellKind::from_program(s).is_posix())
        {
            return;
        }
        for (inst, _run, script) in cx.scripts() {
            if inst.facts.onbuild {
                continue;
            }
            let pipelines = script.pipelines();
            let Some(first) = pipelines
                .iter()
                .find(|p| p.has_pipe() && !p.options.pipefail)
            else {
                continue;
            };
            let span = script.span_in_file(first.span);
            let diagnostic = cx.report(
                span,
                "a pipe without `set -o pipefail` hides failures of every command but the last; set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` or `set -o pipefail` first",
            );
            if script.kind == ShellKind::Bash && script.origin == ScriptOrigin::CommandLine {
                let at = script.map.to_file(0);
                diagnostic.set_fix(Fix::unsafe_edits(
                    "start the script with `set -o pipefail`",
                    vec![Edit::insert(at, "set -o pipefail && ")],
                ));
            }
        }
    }
}
