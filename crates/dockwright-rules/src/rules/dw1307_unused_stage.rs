use crate::prelude::*;

crate::declare_rule! {
    /// Flags a stage that no build target reaches: an unnamed stage, other than the last,
    /// that no target (the last stage or a named one) builds on or copies from, directly or
    /// through other stages.
    ///
    /// ## Why
    /// `docker build --target` selects stages by name, so a stage without `AS name` is only
    /// ever built when it is the last one or another stage refers to it (`FROM`,
    /// `COPY --from=<index>`, `RUN --mount=from=<index>`) of a stage that is itself used.
    /// Anything else is dead code: it
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
        let count = model.stages.len();
        // Every build target: the last stage and every named stage (`--target` takes a
        // name); a stage is used when some target reaches it through the stage graph.
        let mut reached = vec![false; count];
        let mut todo: Vec<usize> = model
            .stages
            .iter()
            .filter(|s| s.name.is_some() || s.index + 1 == count)
            .map(|s| s.index)
            .collect();
        while let Some(stage) = todo.pop() {
            if stage >= count || reached[stage] {
                continue;
            }
            reached[stage] = true;
            for dependency in model.dependencies_of(stage) {
                if let DependencySource::Stage(s) = dependency.source {
                    todo.push(s);
                }
            }
        }
        for stage in &model.stages {
            if reached[stage.index] {
                continue;
            }
            let Some(inst) = cx.instruction(stage.from_instruction) else {
                continue;
            };
            cx.report_instruction(
                &inst,
                format!(
                    "stage {} has no name and no build target uses it, so no build runs it; name it and use it, or delete it",
                    stage.index
                ),
            );
        }
    }
}
