use crate::prelude::*;

crate::declare_rule! {
    /// Flags an unnamed stage, other than the last, that no other stage builds on or copies
    /// from: no build of this Dockerfile can use it.
    ///
    /// ## Why
    /// `docker build --target` selects stages by name, so a stage without `AS name` is only
    /// ever built when it is the last one or another stage refers to it (`FROM`,
    /// `COPY --from=<index>`, `RUN --mount=from=<index>`). Anything else is dead code: it
    /// is parsed and documented but never runs (BuildKit skips stages the target does not
    /// need), often the leftover of an earlier refactoring, and misleads readers about what
    /// the image contains. The legacy builder, which builds every stage, spends time on it.
    ///
    /// Named stages are not flagged: they may be built with `--target` (`dev`, `test`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22
    /// RUN npm run build
    /// FROM nginx:1.27
    /// COPY site/ /usr/share/nginx/html/
    /// ```
    /// Use instead: name the first stage and copy its output
    /// (`FROM node:22 AS build` ... `COPY --from=build /app/dist /usr/share/nginx/html/`), or
    /// delete it.
    pub struct UnusedStage {
        code: "DW1307",
        name: "unused-stage",
        category: Correctness,
        severity: Warning,
    }
}

impl Check for UnusedStage {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        let last = model.stages.len().saturating_sub(1);
        for stage in &model.stages {
            if stage.name.is_some() || stage.index == last {
                continue;
            }
            let used = model.dependencies.iter().any(|d| {
                d.stage != stage.index
                    && matches!(d.source, DependencySource::Stage(s) if s == stage.index)
            });
            if used {
                continue;
            }
            let Some(inst) = cx.instruction(stage.from_instruction) else {
                continue;
            };
            cx.report_instruction(
                &inst,
                format!(
                    "stage {} has no name and no other stage uses it, so no build runs it; name it and use it, or delete it",
                    stage.index
                ),
            );
        }
    }
}
