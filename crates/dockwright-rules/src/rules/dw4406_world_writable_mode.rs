use crate::prelude::*;

use dockwright_model::dockwright_shell::mode_is_world_writable;

crate::declare_rule! {
    /// Flags files made writable by every user: `chmod 777`, `chmod -R o+w`, `COPY
    /// --chmod=666`.
    ///
    /// ## Why
    /// A world-writable file in an image lets any process of the container, whatever user
    /// it runs as, change it: a compromised low-privilege process can rewrite the
    /// application, its configuration or a script root runs later. It usually papers over a
    /// permission problem better fixed by owning the files (`COPY --chown=app:app`,
    /// `chown`) and giving the group or user what it needs (`775`, `g+w`). dockle checks
    /// the built image for world-writable files (CIS-DI-0008 family) only after the build;
    /// hadolint does not check modes.
    ///
    /// Not flagged: sticky directories (`chmod 1777 /tmp/cache`, `+t`), the standard mode of
    /// shared temporary directories, and stages whose files do not reach the image (they
    /// are copied out with their modes only through `COPY --from`, which is checked where
    /// it copies with `--chmod`).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN chmod -R 777 /app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// COPY --chown=app:app . /app
    /// ```
    pub struct WorldWritableMode {
        code: "DW4406",
        name: "world-writable-mode",
        category: Security,
        severity: Warning,
    }
}

impl Check for WorldWritableMode {
    fn check(cx: &mut Checker<'_>) {
        let mut found = Vec::new();
        for command in cx.commands() {
            let Action::ChangeMode(change) = &command.command.action else {
                continue;
            };
            if !change.world_writable || !command.inst.stage().is_some_and(|s| cx.in_final_image(s))
            {
                continue;
            }
            let Some(mode) = &change.mode else {
                continue;
            };
            if is_sticky(&mode.text) {
                continue;
            }
            let paths: Vec<&str> = change.paths.iter().map(|p| p.text.as_str()).collect();
            found.push((
                command.file_span(mode.span),
                format!(
                    "`chmod {}` makes {} writable by every user of the container; own the files instead and give the owner or group write access",
                    mode.text,
                    if paths.is_empty() { "the files".to_string() } else { format!("`{}`", paths.join(" ")) }
                ),
            ));
        }
        for inst in cx.instructions() {
            let Some(copy) = inst.syntax.as_copy() else {
                continue;
            };
            if !inst.stage().is_some_and(|s| cx.in_final_image(s)) {
                continue;
            }
            let Some(chmod) = &copy.chmod else {
                continue;
            };
            let mode = chmod.as_str();
            if mode_is_world_writable(mode) && !is_sticky(mode) {
                found.push((
                    chmod.span,
                    format!(
                        "`--chmod={mode}` makes the copied files writable by every user of the container; use `--chown` and a mode without write access for others"
                    ),
                ));
            }
        }
        for (span, message) in found {
            cx.report(span, message);
        }
    }
}

/// Whether a mode sets the sticky bit (`1777`, `+t`, `o+t`): only a file's owner can then
/// delete or rename it, the usual mode of shared temporary directories.
fn is_sticky(mode: &str) -> bool {
    if mode.len() == 4 && mode.chars().all(|c| c.is_digit(8)) {
        return mode
            .chars()
            .next()
            .and_then(|c| c.to_digit(8))
            .is_some_and(|special| special & 1 != 0);
    }
    mode.contains('t')
}
