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
            let diagnostic = cx.report(
                command.file_span(at),
                "`sudo` in RUN; switch with `USER root` for the steps that need it",
            );
            hadolint_if(diagnostic, sees);
        }
    }
}
