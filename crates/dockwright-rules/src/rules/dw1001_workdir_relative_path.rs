use dockwright_model::path;

use crate::prelude::*;

crate::declare_rule! {
    /// Flags a relative `WORKDIR` that no earlier `WORKDIR` of the build anchors.
    ///
    /// ## Why
    /// A relative `WORKDIR` is resolved against the working directory in effect. When no
    /// earlier `WORKDIR` of this Dockerfile set one, that is the base image's, which the
    /// Dockerfile does not show and which can change when the base image changes
    /// (`golang` images start in `/go`, most others in `/`). Where the build puts its files
    /// then depends on something nobody reads.
    ///
    /// A relative `WORKDIR` after an absolute one is well defined and not flagged (hadolint
    /// DL3000 flags every relative `WORKDIR`; BuildKit's WorkdirRelativePath check does what
    /// this rule does).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// WORKDIR app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// WORKDIR /app
    /// ```
    ///
    /// ## Fix
    /// Safe when the working directory is known (`FROM scratch`, or a base stage that set
    /// it): the path is replaced by the absolute path it resolves to. Otherwise unsafe: it
    /// assumes the base image works in `/`.
    pub struct WorkdirRelativePath {
        code: "DW1001",
        name: "workdir-relative-path",
        category: Correctness,
        severity: Error,
        hadolint: "DL3000",
        buildkit: "WorkdirRelativePath",
        fix: Safe,
    }
}

impl Check for WorkdirRelativePath {
    fn check(cx: &mut Checker<'_>) {
        for inst in cx.instructions_of(InstructionKind::Workdir) {
            let Some(word) = inst.syntax.as_value() else {
                continue;
            };
            let Ok(expansion) = cx.model().expand_at(inst.index, &word.text) else {
                continue;
            };
            // A value that comes from a variable without a value is unknown, not relative.
            let unresolved = expansion.references.iter().any(|r| !r.set);
            let value = expansion.value;
            if unresolved || value.is_empty() || path::is_absolute(&value) {
                continue;
            }
            if set_earlier(cx, inst.index) {
                continue;
            }
            let diagnostic = cx.report(
                word.span,
                format!(
                    "relative WORKDIR `{value}` is resolved against the base image's working directory; use an absolute path"
                ),
            );
            let plain = word
                .text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-/@+,:~".contains(&b));
            if !plain {
                continue;
            }
            let fix = match inst.facts.workdir.as_deref() {
                Some(current) => Fix::safe(
                    "use the absolute path",
                    vec![Edit::replace(
                        word.span.start..word.span.end,
                        path::resolve_workdir(current, &value),
                    )],
                ),
                None => Fix::unsafe_edits(
                    "make the path absolute, assuming the base image works in `/`",
                    vec![Edit::replace(
                        word.span.start..word.span.end,
                        path::resolve_workdir("/", &value),
                    )],
                ),
            };
            diagnostic.set_fix(fix);
        }
    }
}

/// Whether a `WORKDIR` earlier in the instruction's stage, or in any stage it is built on,
/// set the working directory.
fn set_earlier(cx: &Checker<'_>, index: usize) -> bool {
    let model = cx.model();
    let doc = cx.doc();
    let is_workdir = |i: usize| {
        doc.instructions()
            .get(i)
            .is_some_and(|inst| inst.kind() == InstructionKind::Workdir)
    };
    let mut stage = model.stage_of(index);
    let mut until = index;
    while let Some(s) = stage {
        if (s.instructions.start..until).any(is_workdir) {
            return true;
        }
        stage = s.base_stage().and_then(|b| model.stages.get(b));
        until = stage.map_or(0, |b| b.instructions.end);
    }
    false
}
