use crate::prelude::*;

crate::declare_rule! {
    /// Flags a stage name used by an earlier stage.
    ///
    /// ## Why
    /// `COPY --from=name`, `FROM name` and `--target name` must say which stage they
    /// mean. BuildKit rejects a Dockerfile whose stage names repeat; stage names are
    /// compared without regard to case (`AS Build` and `AS build` are the same name).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20 AS build
    /// FROM golang:1.23 AS build
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20 AS web-build
    /// FROM golang:1.23 AS api-build
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3024 compares names as written, so `AS Build` after `AS build` is
    /// flagged here only (that finding claims no hadolint equivalent).
    pub struct DuplicateStageName {
        code: "DW1208",
        name: "duplicate-stage-name",
        category: Correctness,
        severity: Error,
        hadolint: "DL3024",
        buildkit: "DuplicateStageName",
    }
}

impl Check for DuplicateStageName {
    fn check(cx: &mut Checker<'_>) {
        let mut seen: Vec<(String, usize)> = Vec::new();
        for stage in cx.stages() {
            let (Some(name), Some(span)) = (stage.name.as_deref(), stage.name_span) else {
                continue;
            };
            let lower = name.to_lowercase();
            let earlier = seen
                .iter()
                .find(|(n, _)| n.to_lowercase() == lower)
                .cloned();
            seen.push((name.to_string(), stage.from_instruction));
            let Some((first, first_inst)) = earlier else {
                continue;
            };
            let line = cx
                .instruction(first_inst)
                .map_or(0, |i| i.syntax.start_line());
            let diagnostic = cx.report(
                span,
                format!(
                    "stage name `{name}` is already used by the stage at line {line}; give each stage its own name"
                ),
            );
            if first != name {
                diagnostic.equivalents.hadolint = None;
            }
        }
    }
}
