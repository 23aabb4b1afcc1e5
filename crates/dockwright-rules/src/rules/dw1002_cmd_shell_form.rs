use crate::prelude::*;

crate::declare_rule! {
    /// Flags `CMD` and `ENTRYPOINT` in shell form.
    ///
    /// ## Why
    /// The shell form runs the command as `/bin/sh -c "..."`, so the shell is the
    /// container's process 1. `docker stop` sends SIGTERM to the shell, which does not pass
    /// it on; the application gets no chance to shut down cleanly and is killed after the
    /// grace period. The exec (JSON) form runs the program itself as process 1.
    ///
    /// Not flagged when the stage sets a `SHELL` (the shell form is then a deliberate choice,
    /// as BuildKit's JSONArgsRecommended check also assumes), nor for `HEALTHCHECK CMD`,
    /// whose probe is short-lived and commonly needs the shell (`curl -f ... || exit 1`);
    /// hadolint DL3025 flags those too.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD gunicorn app:app --bind 0.0.0.0:8000
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// CMD ["gunicorn", "app:app", "--bind", "0.0.0.0:8000"]
    /// ```
    ///
    /// ## Fix
    /// Offered when the command is plain words (no variables, quotes, globs or shell
    /// operators), so the program and its arguments stay the same. Safe for a `CMD` when no
    /// `ENTRYPOINT` can be in effect (the stage is built from `scratch` without one);
    /// otherwise unsafe, because an exec-form `CMD` becomes the entrypoint's arguments
    /// differently, and an `ENTRYPOINT` in exec form starts receiving `CMD` as arguments.
    pub struct CmdShellForm {
        code: "DW1002",
        name: "cmd-shell-form",
        category: Correctness,
        severity: Warning,
        hadolint: "DL3025",
        buildkit: "JSONArgsRecommended",
        fix: Safe,
    }
}

impl Check for CmdShellForm {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        for inst in cx.instructions() {
            let kind = inst.kind();
            if !matches!(kind, InstructionKind::Cmd | InstructionKind::Entrypoint) {
                continue;
            }
            let Some(CommandForm::Shell(script)) = inst.syntax.command_form_of() else {
                continue;
            };
            if script.text.trim().is_empty() {
                continue;
            }
            // An explicit SHELL makes the shell form a choice.
            if model.shell_at(inst.index) != dockwright_model::DEFAULT_SHELL {
                continue;
            }
            let name = kind.as_str();
            let diagnostic = cx.report(
                inst.head_span(),
                format!(
                    "{name} in shell form runs under `/bin/sh -c`, which does not forward signals to the program; use the JSON form"
                ),
            );
            let Some(json) = exec_form(&script.text) else {
                continue;
            };
            let entrypoint_free = kind == InstructionKind::Cmd
                && inst
                    .stage()
                    .is_some_and(|s| no_entrypoint_possible(model, s));
            let edit = vec![Edit::replace(script.span.start..script.span.end, json)];
            let fix = if entrypoint_free {
                Fix::safe("use the JSON (exec) form", edit)
            } else {
                Fix::unsafe_edits(
                    "use the JSON (exec) form (changes what an ENTRYPOINT receives)",
                    edit,
                )
            };
            diagnostic.set_fix(fix);
        }
    }
}

/// `["a", "b"]` for a command of plain words; `None` when the shell would do anything
/// more than split on blanks.
fn exec_form(text: &str) -> Option<String> {
    let plain = |b: u8| b.is_ascii_alphanumeric() || b"-_./:=,@%+".contains(&b);
    let words: Vec<&str> = text.split_ascii_whitespace().collect();
    if words.is_empty() || !words.iter().all(|w| w.bytes().all(plain)) {
        return None;
    }
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    Some(format!("[{}]", quoted.join(", ")))
}

/// Whether no `ENTRYPOINT` can be in effect for the stage: none set in it or the stages it
/// is built on, and the chain starts from `scratch` (an image may set one).
fn no_entrypoint_possible(model: &Model, stage: usize) -> bool {
    let mut current = model.stages.get(stage);
    while let Some(s) = current {
        if !s.entrypoints.is_empty() {
            return false;
        }
        match s.base {
            StageBase::Scratch => return true,
            StageBase::Image(_) => return false,
            StageBase::Stage(parent) => current = model.stages.get(parent),
        }
    }
    false
}

#[cfg(test)]
mod tests {
    #[test]
    fn exec_form_of_plain_words() {
        assert_eq!(
            super::exec_form("python  app.py --port=8000").as_deref(),
            Some(r#"["python", "app.py", "--port=8000"]"#)
        );
        for shell in ["echo $HOME", "a && b", "x 'y z'", "ls *.txt", "~/bin/x"] {
            assert_eq!(super::exec_form(shell), None, "{shell}");
        }
    }
}
