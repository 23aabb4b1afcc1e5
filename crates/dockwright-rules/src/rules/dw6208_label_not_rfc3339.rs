use crate::prelude::*;
use crate::settings::LabelType;

crate::declare_rule! {
    /// Flags a `label-schema` label of type `rfc3339` whose value is not an RFC 3339 time.
    ///
    /// ## Why
    /// Build times are compared and sorted by tools; RFC 3339 (`2024-05-01T10:00:00Z`) is the format the OCI annotations specify.
    /// Checked only when `label-schema` is configured, for its labels of this type.
    /// Values are read after variable expansion; one that depends on a variable without a
    /// value is not judged, and an empty value is left to DW6206.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.created="2024-05-01 10:00"
    /// ```
    /// Use instead:
    /// ```dockerfile
    /// LABEL org.opencontainers.image.created="2024-05-01T10:00:00Z"
    /// ```
    pub struct LabelNotRfc3339 {
        code: "DW6208",
        name: "label-not-rfc3339",
        category: Style,
        severity: Warning,
        hadolint: "DL3053",
    }
}

impl Check for LabelNotRfc3339 {
    fn check(cx: &mut Checker<'_>) {
        super::dw6206_label_empty::check_schema_values(
            cx,
            Some(LabelType::Rfc3339),
            is_rfc3339,
            "is not an RFC 3339 time",
        );
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` (`t`, `z` and a space separator accepted, as
/// RFC 3339 allows).
fn is_rfc3339(value: &str) -> bool {
    let b = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range.clone())
            .filter(|s| s.iter().all(u8::is_ascii_digit))
            .and_then(|s| std::str::from_utf8(s).ok()?.parse::<u32>().ok())
    };
    let (Some(_year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    ) else {
        return false;
    };
    let separators = b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && matches!(b.get(10), Some(b'T' | b't' | b' '))
        && b.get(13) == Some(&b':')
        && b.get(16) == Some(&b':');
    let ranges = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 60;
    if !separators || !ranges {
        return false;
    }
    let mut rest = &value[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                && (*h1 - b'0') * 10 + (*h2 - b'0') <= 23
                && (*m1 - b'0') * 10 + (*m2 - b'0') <= 59
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn times() {
        for good in [
            "2024-05-01T10:00:00Z",
            "2024-05-01t10:00:00.123+02:00",
            "2024-05-01 10:00:00-05:30",
        ] {
            assert!(super::is_rfc3339(good), "{good}");
        }
        for bad in [
            "2024-05-01",
            "2024-05-01 10:00",
            "2024-13-01T10:00:00Z",
            "2024-05-01T10:00:00",
        ] {
            assert!(!super::is_rfc3339(bad), "{bad}");
        }
    }
}
