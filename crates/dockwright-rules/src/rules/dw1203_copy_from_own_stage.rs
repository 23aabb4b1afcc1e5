use crate::prelude::*;

crate::declare_rule! {
    /// Flags `COPY --from=` naming the stage the instruction is in.
    ///
    /// ## Why
    /// A stage cannot copy from itself: its filesystem is what the `COPY` is building.
    /// BuildKit rejects the build with a circular dependency. To move files inside a
    /// stage, use `RUN cp` (or copy from the stage this one is built on).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20 AS web
    /// COPY --from=web /app/dist /srv
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20 AS web
    /// RUN cp -r /app/dist /srv
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3023 compares the written name with the stage's alias; the stage's
    /// index and ARG-resolved names are caught here only (and claim no hadolint
    /// equivalent).
    pub struct CopyFromOwnStage {
        code: "DW1203",
        name: "copy-from-own-stage",
        category: Correctness,
        severity: Error,
        hadolint: "DL3023",
    }
}

impl Check for CopyFromOwnStage {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        for dependency in &model.dependencies {
            if dependency.kind != DependencyKind::CopyFrom
                || dependency.source != DependencySource::Stage(dependency.stage)
            {
                continue;
            }
            let alias = model
                .stages
                .get(dependency.stage)
                .and_then(|s| s.name.as_deref());
            let as_written = alias == Some(dependency.written.as_str());
            let diagnostic = cx.report(
                dependency.span,
                format!(
                    "`--from={}` names the stage this instruction is in; a stage cannot copy from itself",
                    dependency.written
                ),
            );
            if !as_written {
                diagnostic.equivalents.hadolint = None;
            }
        }
    }
}
