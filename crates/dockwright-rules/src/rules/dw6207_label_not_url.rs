use crate::prelude::*;
use crate::settings::LabelType;

crate::declare_rule! {
    /// Flags a `label-schema` label of type `url` whose value is not a URL.
    ///
    /// ## Why
    /// Tools follow these labels as links; a value without a scheme (`github.com/acme/app`) is not one.
    /// Checked only when `label-schema` is configured, for its labels of this type.
    /// Values are read after variable expansion; one that depends on a variable without a
    /// value is not judged, and an empty value is left to DW6206.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.source="github.com/acme/app"
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.source="https://github.com/acme/app"
    /// ```
    pub struct LabelNotUrl {
        code: "DW6207",
        name: "label-not-url",
        category: Style,
        severity: Warning,
        hadolint: "DL3052",
    }
}

impl Check for LabelNotUrl {
    fn check(cx: &mut Checker<'_>) {
        super::dw6206_label_empty::check_schema_values(
            cx,
            Some(LabelType::Url),
            is_url,
            "is not a URL",
        );
    }
}

/// An absolute URI: a scheme (`letter *(letter / digit / + - .)`), `:`, and a rest
/// without blanks or characters URIs never hold.
fn is_url(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    scheme_ok
        && !rest.is_empty()
        && !rest
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"{}|\\^`".contains(c))
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls() {
        assert!(super::is_url("https://github.com/acme/app"));
        assert!(super::is_url("mailto:dev@example.com"));
        for bad in ["github.com/acme/app", "https://a b", "1http://x", ""] {
            assert!(!super::is_url(bad), "{bad}");
        }
    }
}
