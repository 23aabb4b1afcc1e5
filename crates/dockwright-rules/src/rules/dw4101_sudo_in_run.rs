use crate::prelude::*;

crate::declare_rule! {
    /// Flags `sudo` in a RUN.
    ///
    /// ## Why
    /// A RUN runs as the `USER` in effect; `sudo` needs a sudoers entry, a password policy
    /// and a terminal setting (`requiretty`) that differ between images, so a build that
    /// works on one base fails or prompts on another. Its presence also means the image
    /// ships `sudo`, letting any process that reaches its user become root. Switch with
    /// `USER root` for the steps that need it and back to the unprivileged user after;
    /// to drop privileges at run time use `gosu` or `su-exec`.
    ///
    /// ## Differences from hadolint (DL3004)
    /// hadolint misses `sudo` behind another wrapper, by path or inside `sh -c` (those
    /// findings carry no hadolint equivalent).
    ///
    /// ## Fix
    /// Unsafe, when the Dockerfile sets no USER other than root before the RUN and `sudo`
    /// has no options: `sudo` is removed. The base image may set a user of its own, which
    /// the Dockerfile does not show, and `sudo` resets the environment (`PATH` becomes
    /// `secure_path`), so the command may behave differently without it.
    ///
    /// ## Example
    /// ```dockerfile
    /// USER app
    /// RUN sudo apt-get install -y curl
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// USER root
    /// RUN apt-get install -y curl
    /// USER app
    /// ```
    pub struct SudoInRun {
        code: "DW4101",
        name: "sudo-in-run",
        category: Security,
        severity: Error,
        hadolint: "DL3004",
        fix: Unsafe,
    }
}

impl Check for SudoInRun {
    fn check(cx: &mut Checker<'_>) {
        for command in cx.commands() {
            let simple = command.command;
            let Some(program) = &simple.program else {
                continue;
            };
            let sudo = program
                .wrappers
                .iter()
                .find(|w| w.name == "sudo")
                .map(|w| w.span)
                .or_else(|| (program.name == "sudo").then_some(program.span));
            let Some(at) = sudo else {
                continue;
            };
            let sees =
                simple.words.first().is_some_and(|w| w.text == "sudo") && !is_nested(&command);
            let fix = removal(&command, at).map(|range| {
                Fix::unsafe_edits(
                    "remove `sudo` (no USER is set, so the RUN runs as root unless the base image says otherwise)",
                    vec![Edit::delete(range)],
                )
            });
            let diagnostic = cx.report(
                command.file_span(at),
                "`sudo` in RUN; switch with `USER root` for the steps that need it",
            );
            if let Some(fix) = fix {
                diagnostic.set_fix(fix);
            }
            hadolint_if(diagnostic, sees);
        }
    }
}

/// The bytes to delete to drop a bare `sudo` (no options) in front of a command, when the
/// RUN runs as root anyway.
fn removal(
    command: &ScriptCommand<'_>,
    sudo: dockwright_model::dockwright_shell::Span,
) -> Option<std::ops::Range<usize>> {
    let user = command.inst.facts.user.as_deref().unwrap_or("root");
    if !matches!(user, "root" | "0" | "root:root" | "0:0") {
        return None;
    }
    let words = &command.command.words;
    let i = words.iter().position(|w| w.span == sudo)?;
    let next = words.get(i + 1)?;
    if next.text.starts_with('-') || next.text.contains('=') {
        return None;
    }
    let start = command.file_span(sudo).start;
    let end = command.file_span(next.span).start;
    // Only when the two words are on one line of the file with blanks between them.
    let between = command.script.text.get(sudo.end..next.span.start)?;
    (end > start
        && between.bytes().all(|b| b == b' ' || b == b'\t')
        && end - start == next.span.start - sudo.start)
        .then_some(start..end)
}
