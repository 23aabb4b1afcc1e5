use crate::prelude::*;

crate::declare_rule! {
    /// Flags an image with no `HEALTHCHECK` (opt-in).
    ///
    /// ## Why
    /// Without a health check, Docker and Swarm only know whether the process runs, not
    /// whether it serves: a hung server stays "up". (Kubernetes ignores `HEALTHCHECK` and
    /// uses its own probes, which is why this rule is off unless selected.)
    ///
    /// Only the image the build produces is judged: its stage, or a stage it is built
    /// on, must set a `HEALTHCHECK` (`HEALTHCHECK NONE` counts, as a deliberate choice).
    /// A health check defined by the external base image cannot be seen here; repeat it
    /// (or ignore the rule in that Dockerfile).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// HEALTHCHECK CMD curl -fsS http://localhost/ || exit 1
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3057 flags every stage without one, builder stages included.
    pub struct NoHealthcheck {
        code: "DW1216",
        name: "no-healthcheck",
        category: Correctness,
        severity: Info,
        hadolint: "DL3057",
        opt_in: true,
    }
}

impl Check for NoHealthcheck {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        let Some(target) = model.target_stage() else {
            return;
        };
        let mut current = Some(target);
        while let Some(stage) = current {
            if !stage.healthchecks.is_empty() {
                return;
            }
            current = stage.base_stage().and_then(|b| model.stages.get(b));
        }
        let Some(from) = cx.instruction(target.from_instruction) else {
            return;
        };
        cx.report_instruction(
            &from,
            "the image has no HEALTHCHECK, so a hung process still counts as healthy; add one (or `HEALTHCHECK NONE`)",
        );
    }
}
