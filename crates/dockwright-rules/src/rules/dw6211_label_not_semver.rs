use crate::prelude::*;
use crate::settings::LabelType;

crate::declare_rule! {
    /// Flags a `label-schema` label of type `semver` whose value is not a semantic version.
    ///
    /// ## Why
    /// Version labels are compared by tools that expect SemVer (`MAJOR.MINOR.PATCH`).
    /// Checked only when `label-schema` is configured, for its labels of this type.
    /// Values are read after variable expansion; one that depends on a variable without a
    /// value is not judged, and an empty value is left to DW6206.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.version="v1.2"
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.version="1.2.0"
    /// ```
    pub struct LabelNotSemver {
        code: "DW6211",
        name: "label-not-semver",
        category: Style,
        severity: Warning,
        hadolint: "DL3056",
    }
}

impl Check for LabelNotSemver {
    fn check(cx: &mut Checker<'_>) {
        super::dw6206_label_empty::check_schema_values(
            cx,
            Some(LabelType::Semver),
            is_semver,
            "is not a semantic version",
        );
    }
}

/// A SemVer 2.0 version (`1.2.0`, `2.0.0-rc.1+build.5`).
fn is_semver(value: &str) -> bool {
    semver::Version::parse(value).is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions() {
        assert!(super::is_semver("1.2.0") && super::is_semver("2.0.0-rc.1+build.5"));
        assert!(!super::is_semver("v1.2") && !super::is_semver("1.2"));
    }
}
