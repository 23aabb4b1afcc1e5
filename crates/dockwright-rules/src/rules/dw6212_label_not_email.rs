use crate::prelude::*;
use crate::settings::LabelType;

crate::declare_rule! {
    /// Flags a `label-schema` label of type `email` whose value is not an e-mail address.
    ///
    /// ## Why
    /// Contact labels are used to reach the owners of an image; the schema asks for an RFC 5322 address.
    /// Checked only when `label-schema` is configured, for its labels of this type.
    /// Values are read after variable expansion; one that depends on a variable without a
    /// value is not judged, and an empty value is left to DW6206.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.authors="Platform team"
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.authors="platform@example.com"
    /// ```
    pub struct LabelNotEmail {
        code: "DW6212",
        name: "label-not-email",
        category: Style,
        severity: Warning,
        hadolint: "DL3058",
    }
}

impl Check for LabelNotEmail {
    fn check(cx: &mut Checker<'_>) {
        super::dw6206_label_empty::check_schema_values(
            cx,
            Some(LabelType::Email),
            is_email,
            "is not an e-mail address",
        );
    }
}

/// An RFC 5322 address (`local@domain`).
fn is_email(value: &str) -> bool {
    email_address::EmailAddress::is_valid(value)
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses() {
        assert!(super::is_email("platform@example.com"));
        assert!(!super::is_email("Platform team") && !super::is_email("a@"));
    }
}
