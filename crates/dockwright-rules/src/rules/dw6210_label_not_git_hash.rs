use crate::prelude::*;
use crate::settings::LabelType;

crate::declare_rule! {
    /// Flags a `label-schema` label of type `hash` whose value is not a git commit hash.
    ///
    /// ## Why
    /// A revision label lets anyone find the exact source of an image; a branch name moves.
    /// Checked only when `label-schema` is configured, for its labels of this type.
    /// Values are read after variable expansion; one that depends on a variable without a
    /// value is not judged, and an empty value is left to DW6206.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.revision="main"
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.revision="3f2a1c9e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"
    /// ```
    pub struct LabelNotGitHash {
        code: "DW6210",
        name: "label-not-git-hash",
        category: Style,
        severity: Warning,
        hadolint: "DL3055",
    }
}

impl Check for LabelNotGitHash {
    fn check(cx: &mut Checker<'_>) {
        super::dw6206_label_empty::check_schema_values(
            cx,
            Some(LabelType::Hash),
            is_git_hash,
            "is not a git commit hash",
        );
    }
}

/// A full (40) or short (7) lower-case hexadecimal commit id, as hadolint accepts.
fn is_git_hash(value: &str) -> bool {
    matches!(value.len(), 7 | 40)
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes() {
        assert!(super::is_git_hash("3f2a1c9"));
        assert!(super::is_git_hash(
            "3f2a1c9e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"
        ));
        assert!(!super::is_git_hash("main") && !super::is_git_hash("3F2A1C9"));
    }
}
