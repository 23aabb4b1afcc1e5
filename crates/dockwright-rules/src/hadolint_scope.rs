//! Which findings hadolint can make too, so a rule claims `equivalents.hadolint` only for
//! those.
//!
//! hadolint reads a RUN through ShellCheck's parser and names a command by its first word
//! as written: it does not look through `sudo`, `env X=1` or other wrappers, does not know
//! `/sbin/apk` is `apk`, and does not parse the string of `sh -c '...'` or `eval`. Our
//! model sees all of those. A finding on such a command is real, but hadolint cannot make
//! it, so the rule reports it without the hadolint equivalent (the parity comparison then
//! leaves it out instead of counting a disagreement that is not one).

use crate::checker::ScriptCommand;
use crate::diagnostic::Diagnostic;

/// Whether hadolint sees `command` under the name `program`: its first word is the program,
/// spelled without a path or wrapper, and it is not inside a nested `sh -c`/`eval` string.
pub(crate) fn hadolint_sees(command: &ScriptCommand<'_>) -> bool {
    let simple = command.command;
    let Some(program) = &simple.program else {
        return false;
    };
    if program.index != 0 || !program.wrappers.is_empty() {
        return false;
    }
    if simple.words.first().map(|w| w.text.as_str()) != Some(program.name.as_str()) {
        return false;
    }
    !is_nested(command)
}

/// Whether the command runs from the string of a `sh -c` or `eval` inside the script.
pub(crate) fn is_nested(command: &ScriptCommand<'_>) -> bool {
    let span = command.command.span;
    command.script.commands().into_iter().any(|other| {
        let dockwright_model::dockwright_shell::Action::Shell(shell) = &other.action else {
            return false;
        };
        shell.script.is_some()
            && shell
                .script_span
                .is_some_and(|s| s.start <= span.start && span.end <= s.end)
    })
}

/// Keeps the hadolint equivalent only when hadolint can make the finding.
pub(crate) fn hadolint_if(diagnostic: &mut Diagnostic, sees: bool) -> &mut Diagnostic {
    if !sees {
        diagnostic.equivalents.hadolint = None;
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use crate::{Linter, Settings};

    /// The hadolint equivalent of each DW5102 finding, by line.
    fn apk_equivalents(source: &str) -> Vec<(usize, Option<String>)> {
        let linter = Linter::new(Settings::default()).with_shellcheck(false);
        linter
            .lint("Dockerfile", source)
            .diagnostics
            .into_iter()
            .filter(|d| d.code == "DW5102")
            .map(|d| (d.line, d.equivalents.hadolint))
            .collect()
    }

    #[test]
    fn only_commands_hadolint_can_see_claim_its_code() {
        let source = "FROM alpine:3.20
RUN apk add --no-cache curl
RUN sudo apk add --no-cache curl
RUN /sbin/apk add --no-cache curl
RUN sh -c 'apk add --no-cache curl'
RUN env FOO=1 apk add --no-cache curl
RUN x=$(apk add --no-cache curl)
";
        let found = apk_equivalents(source);
        let dl3018 = Some("DL3018".to_string());
        assert_eq!(
            found,
            [
                (2, dl3018.clone()),
                (3, None),
                (4, None),
                (5, None),
                (6, None),
                (7, dl3018),
            ]
        );
    }
}
