use crate::prelude::*;

crate::declare_rule! {
    /// Flags an image whose Dockerfile never sets a `USER`.
    ///
    /// ## Why
    /// Without a `USER`, the container runs as whatever user the base image declares, and
    /// for nearly every base image (`debian`, `ubuntu`, `alpine`, `python`, `node`,
    /// `scratch`, ...) that is root. hadolint DL3002 only looks at a `USER root` that is
    /// written down, so the most common case passes it (hadolint issues #328, #1025).
    ///
    /// Base images known to run unprivileged are not flagged: tags containing `nonroot` or
    /// `rootless` (distroless `:nonroot`) and Chainguard images (`cgr.dev`). Nor are images
    /// that install `gosu` or `su-exec` (by package, download or `COPY --from`): their
    /// entrypoint starts as root on purpose and drops to a user itself, as the official
    /// database images do.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY app /app
    /// CMD ["python", "/app/main.py"]
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN useradd --create-home --uid 10001 app
    /// COPY app /app
    /// USER 10001
    /// CMD ["python", "/app/main.py"]
    /// ```
    pub struct FinalStageNoUser {
        code: "DW4002",
        name: "final-stage-no-user",
        category: Security,
        severity: Warning,
    }
}

impl Check for FinalStageNoUser {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        let Some(stage) = model.target_stage() else {
            return;
        };
        if stage.config.user.is_some() {
            return;
        }
        // The image the chain starts from.
        let mut root = stage;
        while let Some(parent) = root.base_stage().and_then(|p| model.stages.get(p)) {
            root = parent;
        }
        if let StageBase::Image(image) = &root.base
            && let Some(reference) = &image.reference
        {
            let tag = reference.tag.as_deref().unwrap_or("");
            if tag.contains("nonroot")
                || tag.contains("rootless")
                || reference.registry() == "cgr.dev"
            {
                return;
            }
        }
        if drops_privileges(cx) {
            return;
        }
        let Some(from) = cx.instruction(stage.from_instruction) else {
            return;
        };
        cx.report_instruction(
            &from,
            "no USER is set for the image, so it runs as the base image's user (root for most images); add a USER with an unprivileged uid",
        );
    }
}

/// Whether the image gets `gosu` or `su-exec`, the tools entrypoints use to start as root
/// and switch to an unprivileged user.
fn drops_privileges(cx: &Checker<'_>) -> bool {
    const TOOLS: [&str; 2] = ["gosu", "su-exec"];
    let model = cx.model();
    let chain = model.image_stages();
    let in_chain = |stage: Option<usize>| stage.is_some_and(|s| chain.contains(&s));
    let named = |text: &str| TOOLS.iter().any(|t| text.contains(t));
    let by_run = cx.runs().any(|(inst, run)| {
        in_chain(inst.stage())
            && (run
                .effects
                .packages
                .iter()
                .any(|p| p.packages.iter().any(|n| TOOLS.contains(&n.as_str())))
                || run
                    .effects
                    .downloads
                    .iter()
                    .any(|d| d.urls.iter().any(|u| named(u))))
    });
    let by_copy = model.dependencies.iter().any(|d| {
        chain.contains(&d.stage) && d.kind == DependencyKind::CopyFrom && named(&d.expanded)
    });
    by_run || by_copy
}
