use crate::prelude::*;

crate::declare_rule! {
    /// Flags a stage named `scratch` or `context`.
    ///
    /// ## Why
    /// BuildKit reserves both names: `scratch` is the empty image and `context` is kept
    /// for the build context. A stage with either name cannot be referred to
    /// unambiguously (`FROM scratch` still means the empty image). Names are compared
    /// without regard to case, as BuildKit lower-cases stage names.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS context
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20 AS sources
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3063 compares the name as written, so `AS Scratch` is flagged here only
    /// (that finding claims no hadolint equivalent).
    pub struct ReservedStageName {
        code: "DW1209",
        name: "reserved-stage-name",
        category: Correctness,
        severity: Warning,
        hadolint: "DL3063",
        buildkit: "ReservedStageName",
    }
}

impl Check for ReservedStageName {
    fn check(cx: &mut Checker<'_>) {
        for stage in cx.stages() {
            let (Some(name), Some(span)) = (stage.name.as_deref(), stage.name_span) else {
                continue;
            };
            let lower = name.to_lowercase();
            if lower != "scratch" && lower != "context" {
                continue;
            }
            let diagnostic = cx.report(
                span,
                format!("`{name}` is a reserved name and cannot name a stage; choose another"),
            );
            if lower != name {
                diagnostic.equivalents.hadolint = None;
            }
        }
    }
}
