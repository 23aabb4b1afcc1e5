use crate::prelude::*;

crate::declare_rule! {
    /// Flags a stage name that is not lower case.
    ///
    /// ## Why
    /// BuildKit lower-cases stage names. `COPY --from=` and `--target` find the stage in any
    /// case, but `FROM Builder` does not: it looks for an image named `Builder`. Writing the
    /// name in lower case everywhere avoids that trap (BuildKit's StageNameCasing check).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22 AS Builder
    /// FROM scratch
    /// COPY --from=Builder /out/app /app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS builder
    /// FROM scratch
    /// COPY --from=builder /out/app /app
    /// ```
    ///
    /// ## Fix
    /// Safe: the name and the `COPY --from=` references to it are lower-cased; BuildKit
    /// already matched them without regard to case.
    pub struct StageNameCasing {
        code: "DW6002",
        name: "stage-name-casing",
        category: Style,
        severity: Warning,
        buildkit: "StageNameCasing",
        fix: Safe,
    }
}

impl Check for StageNameCasing {
    fn check(cx: &mut Checker<'_>) {
        for stage in cx.stages() {
            let (Some(name), Some(span)) = (stage.name.as_deref(), stage.name_span) else {
                continue;
            };
            let lower = name.to_lowercase();
            if lower == name {
                continue;
            }
            let mut edits = vec![Edit::replace(span.start..span.end, lower.clone())];
            for inst in cx.instructions() {
                let Some(copy) = inst.syntax.as_copy() else {
                    continue;
                };
                let Some(from) = copy.from else { continue };
                if from.text.eq_ignore_ascii_case(name) && from.text != lower {
                    // The span covers the whole flag; rewrite its value part.
                    let flag = cx.text(from.span);
                    if let Some(at) = flag.rfind(from.text.as_ref()) {
                        let start = from.span.start + at;
                        edits.push(Edit::replace(start..start + from.text.len(), lower.clone()));
                    }
                }
            }
            cx.report(span, format!("stage name `{name}` should be lower case"))
                .set_fix(Fix::safe(format!("rename it `{lower}`"), edits));
        }
    }
}
