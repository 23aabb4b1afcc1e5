use crate::prelude::*;

crate::declare_rule! {
    /// Flags an image whose last `USER` is root.
    ///
    /// ## Why
    /// A container runs as the image's user. As root, any flaw in the application hands an
    /// attacker root inside the container, and with a writable host mount or a kernel bug,
    /// on the host. Switching to root for installation steps is fine; switch back to an
    /// unprivileged user before the image is finished.
    ///
    /// Only the image the build produces counts: the target stage, with the `USER` it
    /// inherits from the stages it is built on. Build stages may stay root. (hadolint DL3002
    /// also flags build stages, which users find noisy: hadolint issue #1068.)
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// USER root
    /// RUN npm install -g serve
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// USER root
    /// RUN npm install -g serve
    /// USER node
    /// ```
    pub struct FinalUserRoot {
        code: "DW4001",
        name: "final-user-root",
        category: Security,
        severity: Warning,
        hadolint: "DL3002",
    }
}

impl Check for FinalUserRoot {
    fn check(cx: &mut Checker<'_>) {
        let Some(stage) = cx.model().target_stage() else {
            return;
        };
        let Some(user) = stage.config.user.as_ref().filter(|u| u.is_root) else {
            return;
        };
        let Some(inst) = cx.instruction(user.instruction) else {
            return;
        };
        let message = if stage.contains(user.instruction) {
            format!(
                "the image runs as root: its last USER is `{}`",
                user.written
            )
        } else {
            format!(
                "the image runs as root: the stage it is built on ends with USER `{}`",
                user.written
            )
        };
        cx.report_instruction(&inst, message);
    }
}
