use crate::global_scope::did_you_mean;
use crate::prelude::*;

crate::declare_rule! {
    /// Flags `COPY --from`/`RUN --mount=from=` naming the stage itself, a later stage, a
    /// stage index that does not exist, or a name that is no stage but close to one.
    ///
    /// ## Why
    /// - **Its own stage**: BuildKit fails with "circular dependency".
    /// - **A later stage**: BuildKit builds it, but the file no longer reads top to bottom,
    ///   and moving stages around silently changes what is copied.
    /// - **A missing index** (`--from=3` with three stages) or **a misspelt stage name**
    ///   (`--from=biuld`): BuildKit takes the word as an image name and tries to pull
    ///   `docker.io/library/biuld`, which fails late with an authorization error that does
    ///   not mention the typo — or, worse, pulls an unrelated public image.
    ///
    /// A name that is no stage and close to none (`--from=nginx:1.27`,
    /// `--from=busybox`) is an image on purpose and is not flagged. The name is resolved
    /// through ARGs first, so `--from=${BUILDER}` is checked with its value (hadolint
    /// DL3022/DL3023 look at the word as written, so such findings, and those about
    /// `RUN --mount=from=`, claim no hadolint equivalent; the own-stage finding is
    /// hadolint's DL3023). hadolint DL3022 also flags untagged images (`--from=nginx`):
    /// that is DW5201 copy-from-untagged-image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// RUN go build -o /app .
    /// FROM gcr.io/distroless/static
    /// COPY --from=biuld /app /app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// COPY --from=build /app /app
    /// ```
    pub struct CopyFromUnknownStage {
        code: "DW1306",
        name: "copy-from-unknown-stage",
        category: Correctness,
        severity: Error,
        hadolint: "DL3022",
    }
}

impl Check for CopyFromUnknownStage {
    fn check(cx: &mut Checker<'_>) {
        let model = cx.model();
        let names: Vec<&str> = model
            .stages
            .iter()
            .filter_map(|s| s.name.as_deref())
            .collect();
        for dependency in &model.dependencies {
            if dependency.kind == DependencyKind::Base {
                continue;
            }
            let expanded = dependency.expanded.as_str();
            let message = match &dependency.source {
                DependencySource::Stage(s) if *s == dependency.stage => {
                    format!(
                        "`{expanded}` is the stage this instruction is in; a stage cannot copy from itself (BuildKit: circular dependency)"
                    )
                }
                DependencySource::Stage(s) if *s > dependency.stage => {
                    let line = stage_line(cx, *s);
                    let hadolint_sees = dependency.kind == DependencyKind::CopyFrom
                        && dependency.written == dependency.expanded;
                    let diagnostic = cx.report(
                        dependency.span,
                        format!("`{expanded}` is a stage defined later (line {line}); define stages before the stages that copy from them"),
                    );
                    diagnostic.set_severity(Severity::Warning);
                    if !hadolint_sees {
                        diagnostic.equivalents.hadolint = None;
                    }
                    continue;
                }
                DependencySource::Image(_) if expanded.parse::<usize>().is_ok() => format!(
                    "there is no stage {expanded} (the file has {} stages, counted from 0); BuildKit would pull an image named `{expanded}`",
                    model.stages.len()
                ),
                DependencySource::Image(_) if !expanded.contains(['/', ':', '@', '.']) => {
                    match did_you_mean(&expanded.to_lowercase(), names.iter().copied()) {
                        Some(close) => format!(
                            "there is no stage named `{expanded}` (did you mean `{close}`?); BuildKit would pull the image `docker.io/library/{expanded}`"
                        ),
                        None => continue,
                    }
                }
                _ => continue,
            };
            let own_stage = dependency.source == DependencySource::Stage(dependency.stage);
            let hadolint_sees = dependency.kind == DependencyKind::CopyFrom
                && dependency.written == dependency.expanded;
            let diagnostic = cx.report(dependency.span, message);
            // hadolint checks `COPY --from` as written; its own-stage case is DL3023.
            diagnostic.equivalents.hadolint = match (hadolint_sees, own_stage) {
                (false, _) => None,
                (true, true) => Some("DL3023".to_string()),
                (true, false) => Some("DL3022".to_string()),
            };
        }
    }
}

/// The line of a stage's `FROM`.
fn stage_line(cx: &Checker<'_>, stage: usize) -> usize {
    cx.stages()
        .get(stage)
        .and_then(|s| cx.instruction(s.from_instruction))
        .map_or(0, |i| cx.position(i.syntax.span().start).line)
}
