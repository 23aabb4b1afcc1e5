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
    /// One finding per RUN, at its first `cd` (or `pushd`).
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
        // Per RUN: the first `cd`, its program name, and whether hadolint sees any.
        let mut found: Vec<(usize, Span, String, bool)> = Vec::new();
        for command in cx.commands() {
            if !matches!(command.command.action, Action::ChangeDirectory(_)) {
                continue;
            }
            let program = command.command.program_name().unwrap_or("cd");
            let sees = hadolint_sees(&command) && program == "cd" && !command.inst.facts.onbuild;
            match found.last_mut() {
                Some(last) if last.0 == command.inst.index => last.3 |= sees,
                _ => found.push((
                    command.inst.index,
                    command.span(),
                    program.to_string(),
                    sees,
                )),
            }
        }
        for (_, span, program, sees) in found {
            let diagnostic = cx.report(
                span,
                format!("`{program}` in RUN; set the directory with `WORKDIR` instead"),
            );
            hadolint_if(diagnostic, sees);
        }
    }
}
