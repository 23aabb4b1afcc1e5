use crate::prelude::*;
use crate::settings::LabelType;

crate::declare_rule! {
    /// Flags a `label-schema` label of type `spdx` whose value is not an SPDX license
    /// expression.
    ///
    /// ## Why
    /// License scanners match SPDX identifiers (`Apache-2.0`, `MIT`) exactly; free text is not recognised.
    /// Checked only when `label-schema` is configured, for its labels of this type.
    /// Values are read after variable expansion; one that depends on a variable without a
    /// value is not judged, and an empty value is left to DW6206.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.licenses="Apache 2"
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.licenses="Apache-2.0"
    /// ```
    ///
    /// ## Differences from hadolint
    /// hadolint DL3054 accepts a single identifier only; the OCI annotation
    /// `org.opencontainers.image.licenses` is an SPDX expression, so `MIT OR Apache-2.0`
    /// is accepted here.
    pub struct LabelNotSpdx {
        code: "DW6209",
        name: "label-not-spdx",
        category: Style,
        severity: Warning,
        hadolint: "DL3054",
    }
}

impl Check for LabelNotSpdx {
    fn check(cx: &mut Checker<'_>) {
        super::dw6206_label_empty::check_schema_values(
            cx,
            Some(LabelType::Spdx),
            is_spdx,
            "is not an SPDX license expression",
        );
    }
}

/// An SPDX license expression of identifiers from the SPDX license list (`Apache-2.0`,
/// `MIT OR Apache-2.0`, `GPL-2.0-only WITH Classpath-exception-2.0`).
fn is_spdx(value: &str) -> bool {
    spdx::Expression::parse(value).is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn identifiers() {
        assert!(super::is_spdx("Apache-2.0") && super::is_spdx("MIT OR Apache-2.0"));
        assert!(!super::is_spdx("Apache 2") && !super::is_spdx("proprietary"));
    }
}
