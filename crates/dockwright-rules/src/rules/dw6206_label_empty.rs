use crate::prelude::*;
use crate::settings::LabelType;

crate::declare_rule! {
    /// Flags a `label-schema` label set to an empty value.
    ///
    /// ## Why
    /// A label required by the schema is there to be read (by registries, scanners,
    /// inventory tools); an empty value satisfies the presence check and says nothing.
    /// Checked only when `label-schema` is configured, for the labels it lists. Values are
    /// read after variable expansion; one that depends on a variable without a value is
    /// not judged.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.source=""
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.source="https://github.com/acme/app"
    /// ```
    pub struct LabelEmpty {
        code: "DW6206",
        name: "label-empty",
        category: Style,
        severity: Warning,
        hadolint: "DL3051",
    }
}

impl Check for LabelEmpty {
    fn check(cx: &mut Checker<'_>) {
        check_schema_values(cx, None, |v| !v.is_empty(), "is empty");
    }
}

/// Reports every `LABEL` value of a `label-schema` label (of type `kind`, or any type)
/// that `valid` rejects, at the value, as "label `key` {problem}". Empty values are left
/// to DW6206 unless `kind` is `None`.
pub(crate) fn check_schema_values(
    cx: &mut Checker<'_>,
    kind: Option<LabelType>,
    valid: fn(&str) -> bool,
    problem: &str,
) {
    let schema = &cx.settings().label_schema;
    if schema.is_empty() {
        return;
    }
    let model = cx.model();
    let mut findings = Vec::new();
    for inst in cx.instructions_of(InstructionKind::Label) {
        let Some(pairs) = inst.syntax.as_label() else {
            continue;
        };
        for pair in pairs {
            let key = pair.key.text.trim_matches(|c| c == '"' || c == '\'');
            let Some(declared) = schema.get(key) else {
                continue;
            };
            if kind.is_some_and(|k| k != *declared) {
                continue;
            }
            let Ok(expansion) = model.expand_at(inst.index, &pair.value.text) else {
                continue;
            };
            if expansion.references.iter().any(|r| !r.set) {
                continue;
            }
            let value = expansion.value;
            if (kind.is_some() && value.is_empty()) || valid(&value) {
                continue;
            }
            let literal = expansion.references.is_empty();
            findings.push((pair.value.span, key.to_string(), value, literal));
        }
    }
    for (span, key, value, literal) in findings {
        let message = if value.is_empty() {
            format!("label `{key}` {problem}")
        } else {
            format!("label `{key}` {problem}: `{value}`")
        };
        let diagnostic = cx.report(span, message);
        // hadolint reads values as written, not expanded.
        if !literal {
            diagnostic.equivalents.hadolint = None;
        }
    }
}
