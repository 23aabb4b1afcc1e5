use crate::prelude::*;

crate::declare_rule! {
    /// Flags `cd` in a RUN, where `WORKDIR` says the same thing to every later instruction.
    ///
    /// ## Why
    /// A `cd` lasts only until the end of its RUN, so each RUN that works in a directory
    /// repeats it, and readers must track the directory through the shell. `WORKDIR` sets
    /// it once for every later `RUN`, `COPY`, `CMD` and `ENTRYPOINT`, creates it if needed,
    /// and shows in the image's configuration.
    ///
    /// One finding per RUN, at its first `cd` (or `pushd`); a `cd` that ends the RUN is
    /// a mistake, not only style: its directory is lost before the next instruction, which
    /// runs in the `WORKDIR` again.
    ///
    /// ## Differences from hadolint (DL3003)
    /// hadolint does not check `ONBUILD RUN`, `pushd`, `cd` through `sudo`/`builtin` or
    /// inside `sh -c`; those findings carry no hadolint equivalent.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN cd /app && make
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// WORKDIR /app
    /// RUN make
    /// ```
    pub struct CdInsteadOfWorkdir {
        code: "DW6101",
        name: "cd-instead-of-workdir",
        category: Style,
        severity: Warning,
        hadolint: "DL3003",
    }
}

impl Check for CdInsteadOfWorkdir {
    fn check(cx: &mut Checker<'_>) {
        // Per RUN: the first `cd`, its program name, whether hadolint sees any, and
        // whether a `cd` is the RUN's last command (its directory is lost at once).
        let mut found: Vec<(usize, Span, String, bool, bool)> = Vec::new();
        for command in cx.commands() {
            if !matches!(command.command.action, Action::ChangeDirectory(_)) {
                continue;
            }
            let program = command.command.program_name().unwrap_or("cd");
            let sees = hadolint_sees(&command) && program == "cd" && !command.inst.facts.onbuild;
            let last = is_last_command(&command);
            match found.last_mut() {
                Some(f) if f.0 == command.inst.index => {
                    f.3 |= sees;
                    if last {
                        f.1 = command.span();
                        f.4 = true;
                    }
                }
                _ => found.push((
                    command.inst.index,
                    command.span(),
                    program.to_string(),
                    sees,
                    last,
                )),
            }
        }
        for (_, span, program, sees, last) in found {
            let message = if last {
                format!(
                    "`{program}` at the end of RUN has no effect on later instructions; set the directory with `WORKDIR`"
                )
            } else {
                format!("`{program}` in RUN; set the directory with `WORKDIR` instead")
            };
            let diagnostic = cx.report(span, message);
            hadolint_if(diagnostic, sees);
        }
    }
}

/// Whether the command is the last one its RUN script runs (only blanks follow it).
fn is_last_command(command: &ScriptCommand<'_>) -> bool {
    command
        .script
        .text
        .get(command.command.span.end..)
        .is_some_and(|rest| rest.trim().is_empty())
}
