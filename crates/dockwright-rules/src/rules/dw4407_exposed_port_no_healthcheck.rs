use crate::prelude::*;

crate::declare_rule! {
    /// Flags an image that exposes a port but has no `HEALTHCHECK` (info).
    ///
    /// ## Why
    /// An image that serves on a port is a long-running service; without a health check
    /// Docker, Compose and Swarm only know that the process is alive, not that it answers,
    /// so a hung server keeps receiving traffic and is never restarted. A `HEALTHCHECK`
    /// (or `HEALTHCHECK NONE`, to state that the orchestrator probes it, as Kubernetes
    /// does) makes the choice explicit.
    ///
    /// Only the image the build produces is judged (the target stage, with what it inherits
    /// from stages it is built on); a health check from a base image is not visible in the
    /// Dockerfile, so this is information, not a warning. dockle (CIS-DI-0006) asks for a
    /// health check in every image, services or not; hadolint does not check.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 8080
    /// CMD ["./server"]
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// EXPOSE 8080
    /// HEALTHCHECK --interval=30s --timeout=3s CMD ["./server", "--health"]
    /// CMD ["./server"]
    /// ```
    pub struct ExposedPortNoHealthcheck {
        code: "DW4407",
        name: "exposed-port-no-healthcheck",
        category: Security,
        severity: Info,
    }
}

impl Check for ExposedPortNoHealthcheck {
    fn check(cx: &mut Checker<'_>) {
        let Some(stage) = cx.stages().iter().find(|s| cx.is_final(s.index)) else {
            return;
        };
        if stage.config.healthcheck.is_some() {
            return;
        }
        let Some(port) = stage.config.exposes.first() else {
            return;
        };
        let Some(inst) = cx.instruction(port.instruction) else {
            return;
        };
        cx.report_instruction(
            &inst,
            "the image exposes a port but has no `HEALTHCHECK`: a hung server is not detected; add one (or `HEALTHCHECK NONE` when the orchestrator probes it)",
        );
    }
}
