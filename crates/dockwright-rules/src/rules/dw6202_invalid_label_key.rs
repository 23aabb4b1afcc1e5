use crate::prelude::*;

crate::declare_rule! {
    /// Flags a `LABEL` key that does not follow Docker's key format.
    ///
    /// ## Why
    /// Label keys are meant to be lower-case reverse-DNS names (`org.opencontainers.image.source`):
    /// start with a letter, end with a letter or digit, only `a-z 0-9 . - _ /`, no `..`
    /// or `--`, and not in the namespaces Docker reserves (`com.docker.*`, `io.docker.*`,
    /// `org.dockerproject.*`). Tools that read labels (registries, scanners, `docker
    /// inspect` filters) match keys exactly; `Maintainer` and `maintainer` are two labels.
    /// Keys that depend on variables are not judged.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL Version=1.2.0
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.version=1.2.0
    /// ```
    pub struct InvalidLabelKey {
        code: "DW6202",
        name: "invalid-label-key",
        category: Style,
        severity: Style,
        hadolint: "DL3048",
    }
}

/// Why `key` is not a valid label key, if it is not.
fn problem(key: &str) -> Option<&'static str> {
    let first = key.chars().next()?;
    let last = key.chars().last()?;
    if !first.is_ascii_lowercase() {
        Some("must start with a lower-case letter")
    } else if !(last.is_ascii_lowercase() || last.is_ascii_digit()) {
        Some("must end with a lower-case letter or digit")
    } else if !key
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_/".contains(c))
    {
        Some("may only hold `a-z`, `0-9`, `.`, `-`, `_` and `/`")
    } else if key.contains("..") || key.contains("--") {
        Some("must not repeat `.` or `-`")
    } else if ["com.docker.", "io.docker.", "org.dockerproject."]
        .iter()
        .any(|ns| key.starts_with(ns))
    {
        Some("is in a namespace Docker reserves")
    } else {
        None
    }
}

impl Check for InvalidLabelKey {
    fn check(cx: &mut Checker<'_>) {
        for inst in cx.instructions_of(InstructionKind::Label) {
            let Some(pairs) = inst.syntax.as_label() else {
                continue;
            };
            for pair in pairs {
                let key = pair.key.text.trim_matches(|c| c == '"' || c == '\'');
                if key.contains('$') {
                    continue;
                }
                let Some(why) = problem(key) else {
                    continue;
                };
                cx.report(
                    pair.key.span,
                    format!("label key `{key}` {why}; use a lower-case reverse-DNS name"),
                );
            }
        }
    }
}
