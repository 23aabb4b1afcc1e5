use crate::prelude::*;
use crate::settings::LabelType;

crate::declare_rule! {
    /// Flags a `label-schema` label of type `spdx` whose value is not an SPDX license identifier.
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
            "is not an SPDX license identifier",
        );
    }
}

/// One SPDX license identifier of the SPDX license list (`Apache-2.0`, `MIT`, ...).
fn is_spdx(value: &str) -> bool {
    spdx::license_id(value).is_some()
}

#[cfg(test)]
mod tests {
    #[test]
    fn identifiers() {
        assert!(super::is_spdx("Apache-2.0") && super::is_spdx("MIT"));
        assert!(!super::is_spdx("Apache 2") && !super::is_spdx("proprietary"));
    }
}
