use crate::prelude::*;

crate::declare_rule! {
    /// Flags an instruction keyword whose case differs from the file's majority.
    ///
    /// ## Why
    /// Instruction keywords are case-insensitive, but a file that mixes `RUN` and `run` (or
    /// writes `Run`) reads as if two people wrote it, and keyword searches (`grep '^RUN'`)
    /// miss lines. As BuildKit's ConsistentInstructionCasing check does, the majority is
    /// counted over the instructions of the stages (global `ARG`s before the first `FROM`
    /// are neither counted nor flagged; an `ONBUILD` counts once, its trigger not at all);
    /// only all-lower or all-upper keywords vote, and a tie means upper case. A mixed-case
    /// keyword (`From`) is always flagged.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// run apk add --no-cache curl
    /// COPY app /app
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl
    /// COPY app /app
    /// ```
    ///
    /// ## Fix
    /// Safe: the keyword is rewritten in the majority's case; BuildKit reads the same
    /// instruction.
    pub struct ConsistentInstructionCasing {
        code: "DW6301",
        name: "consistent-instruction-casing",
        category: Style,
        severity: Warning,
        buildkit: "ConsistentInstructionCasing",
        fix: Safe,
    }
}

impl Check for ConsistentInstructionCasing {
    fn check(cx: &mut Checker<'_>) {
        let keywords: Vec<Word<'_>> = cx
            .instructions()
            .filter(|inst| inst.facts.stage.is_some())
            .map(|inst| inst.syntax.keyword())
            .collect();
        let (mut lower, mut upper) = (0usize, 0usize);
        for keyword in &keywords {
            let text = keyword.text.as_ref();
            if text == text.to_lowercase() {
                lower += 1;
            } else if text == text.to_uppercase() {
                upper += 1;
            }
        }
        let majority_lower = lower > upper;
        for keyword in keywords {
            let text = keyword.text.as_ref();
            let (wanted, casing) = if majority_lower {
                (text.to_lowercase(), "lowercase")
            } else {
                (text.to_uppercase(), "uppercase")
            };
            if wanted == text {
                continue;
            }
            cx.report(
                keyword.span,
                format!("`{text}` should match the case of the other instructions ({casing})"),
            )
            .set_fix(Fix::safe(
                format!("write `{wanted}`"),
                vec![Edit::replace(keyword.span.start..keyword.span.end, wanted)],
            ));
        }
    }
}
