use crate::prelude::*;

crate::declare_rule! {
    /// Flags commands that do nothing useful in an image build: `ssh`, `vim`, `shutdown`,
    /// `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`.
    ///
    /// ## Why
    /// A RUN step runs once, without a terminal, and keeps only the files it writes. A
    /// service started there (`service nginx start`) is gone when the step ends, an editor
    /// waits for input that never comes, process and memory listings describe the build
    /// machine, and `mount` needs privileges the build does not have. Start services in
    /// `CMD`/`ENTRYPOINT`, use `RUN --mount` for build-time mounts, and `COPY` or `sed`
    /// files instead of editing them.
    ///
    /// ## Differences from hadolint (DL3001)
    /// hadolint names `ifconfig` in its message but does not check it, and misses these
    /// commands through `sudo`, by path or inside `sh -c`; those findings carry no hadolint
    /// equivalent.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN service nginx start
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// CMD ["nginx", "-g", "daemon off;"]
    /// ```
    pub struct CommandOutOfPlace {
        code: "DW1103",
        name: "command-out-of-place",
        category: Correctness,
        severity: Info,
        hadolint: "DL3001",
    }
}

impl Check for CommandOutOfPlace {
    fn check(cx: &mut Checker<'_>) {
        let mut found: Vec<(Span, String, bool)> = Vec::new();
        for command in cx.commands() {
            if command.command.action != Action::OutOfPlace {
                continue;
            }
            let Some(program) = &command.command.program else {
                continue;
            };
            let sees = hadolint_sees(&command) && program.name != "ifconfig";
            found.push((command.file_span(program.span), program.name.clone(), sees));
        }
        for (span, name, sees) in found {
            let diagnostic = cx.report(
                span,
                format!("`{name}` in RUN has no lasting effect in an image build"),
            );
            hadolint_if(diagnostic, sees);
        }
    }
}
