use crate::prelude::*;

crate::declare_rule! {
    /// Flags a `CMD` that the image's `ENTRYPOINT` ignores: a shell-form `ENTRYPOINT`, or an
    /// exec-form one that runs `sh -c '...'` without `"$@"`.
    ///
    /// ## Why
    /// Docker appends `CMD` (and `docker run` arguments) to the `ENTRYPOINT`'s argument
    /// list. A shell-form `ENTRYPOINT app --serve` runs `/bin/sh -c "app --serve"`, where
    /// those extra arguments become `$0`, `$1`... of a script that never reads them; the same
    /// holds for `["sh", "-c", "app --serve"]`. The `CMD` in the Dockerfile, and every
    /// argument a user passes to `docker run`, is silently dropped. The check looks at the
    /// image the build produces (`ENTRYPOINT` and `CMD` as the final stage leaves them,
    /// inherited from base stages included). BuildKit's JSONArgsRecommended and hadolint
    /// DL3025 flag every shell form; neither says that the `CMD` is lost.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENTRYPOINT /usr/local/bin/server
    /// CMD ["--port", "8080"]
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// ENTRYPOINT ["/usr/local/bin/server"]
    /// CMD ["--port", "8080"]
    /// ```
    pub struct CmdIgnoredByEntrypoint {
        code: "DW1309",
        name: "cmd-ignored-by-entrypoint",
        category: Correctness,
        severity: Warning,
    }
}

impl Check for CmdIgnoredByEntrypoint {
    fn check(cx: &mut Checker<'_>) {
        let Some(stage) = cx.model().target_stage() else {
            return;
        };
        let (Some(entrypoint), Some(cmd)) = (stage.config.entrypoint, stage.config.cmd) else {
            return;
        };
        let (Some(entrypoint), Some(cmd)) = (cx.instruction(entrypoint), cx.instruction(cmd))
        else {
            return;
        };
        let Some(form) = entrypoint.syntax.as_entrypoint() else {
            return;
        };
        let why = match &form {
            CommandForm::Shell(_) => "the shell-form ENTRYPOINT runs under `/bin/sh -c`",
            CommandForm::Exec(words) => {
                let texts: Vec<&str> = words.iter().map(|w| w.text.as_ref()).collect();
                let runs_shell_script = matches!(
                    texts.as_slice(),
                    [shell, "-c", script, ..]
                        if is_shell(shell) && !reads_arguments(script)
                );
                if !runs_shell_script {
                    return;
                }
                "the ENTRYPOINT's `sh -c` script never reads its arguments (`\"$@\"`)"
            }
        };
        let line = cx.position(entrypoint.syntax.span().start).line;
        cx.report_instruction(
            &cmd,
            format!(
                "this CMD is ignored: {why} (line {line}); write the ENTRYPOINT in exec form (JSON array) or make its script use \"$@\""
            ),
        );
    }
}

fn is_shell(program: &str) -> bool {
    let name = program.rsplit('/').next().unwrap_or(program);
    matches!(name, "sh" | "bash" | "ash" | "dash" | "zsh")
}

/// Whether a `sh -c` script reads its positional parameters.
fn reads_arguments(script: &str) -> bool {
    ["$@", "${@", "$*", "${*", "$1", "${1", "$0", "${0"]
        .iter()
        .any(|p| script.contains(p))
}
