use crate::prelude::*;

crate::declare_rule! {
    /// Flags a label outside the `label-schema` when `strict-labels` is set.
    ///
    /// ## Why
    /// With `strict-labels`, the schema is the complete list of labels images may carry:
    /// any other key is a typo of a schema label (`org.opencontainers.image.sources`) or
    /// metadata nobody agreed on. Checked only when `strict-labels` is true and a
    /// `label-schema` is configured.
    ///
    /// ## Example
    /// With `label-schema = { "org.opencontainers.image.source" = "url" }` and
    /// `strict-labels = true`:
    /// ```dockerfile
    /// LABEL maintainer="dev@example.com"
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.source="https://github.com/acme/app"
    /// ```
    pub struct LabelNotInSchema {
        code: "DW6205",
        name: "label-not-in-schema",
        category: Style,
        severity: Info,
        hadolint: "DL3050",
    }
}

impl Check for LabelNotInSchema {
    fn check(cx: &mut Checker<'_>) {
        let settings = cx.settings();
        if !settings.strict_labels || settings.label_schema.is_empty() {
            return;
        }
        let mut findings = Vec::new();
        for inst in cx.instructions_of(InstructionKind::Label) {
            let Some(pairs) = inst.syntax.as_label() else {
                continue;
            };
            for pair in pairs {
                let key = pair.key.text.trim_matches(|c| c == '"' || c == '\'');
                if !settings.label_schema.contains_key(key) {
                    findings.push((pair.key.span, key.to_string()));
                }
            }
        }
        for (span, key) in findings {
            cx.report(
                span,
                format!("label `{key}` is not in the label schema (`strict-labels`)"),
            );
        }
    }
}
